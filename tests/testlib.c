/* Helpers shared by the Check suites. */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "load.h"

static void finish(struct tpolicy *tp)
{
    if (!diag_has_errors(&tp->sink) && !tp->sink.stopped) {
        resolve_policy(&tp->ast, &tp->sink, &tp->pol);
        tp->resolved = true;
    }
    diag_sort(&tp->sink);
}

void tpolicy_bytes(struct tpolicy *tp, const char *path, const char *data, size_t len)
{
    memset(tp, 0, sizeof(*tp));
    ast_init(&tp->ast);
    diag_sink_init(&tp->sink, 1000);
    load_policy_text(&tp->ast, path, data, len, &tp->sink);
    finish(tp);
}

void tpolicy_text(struct tpolicy *tp, const char *text)
{
    tpolicy_bytes(tp, "test.kkp", text, strlen(text));
}

void tpolicy_files(struct tpolicy *tp, const char *const *paths, size_t n)
{
    memset(tp, 0, sizeof(*tp));
    ast_init(&tp->ast);
    diag_sink_init(&tp->sink, 1000);
    load_policy(&tp->ast, paths, n, &tp->sink);
    finish(tp);
}

void tpolicy_release(struct tpolicy *tp)
{
    if (tp->resolved)
        policy_release(&tp->pol);
    diag_sink_release(&tp->sink);
    ast_release(&tp->ast);
}

size_t tpolicy_errors(const struct tpolicy *tp)
{
    return tp->sink.errors;
}

const struct diag *tpolicy_find(const struct tpolicy *tp, const char *text)
{
    for (size_t i = 0; i < tp->sink.len; i++) {
        if (strstr(tp->sink.items[i]->message, text))
            return tp->sink.items[i];
    }
    return NULL;
}

struct line_col tdiag_pos(const struct diag *d)
{
    struct line_col none = {0, 0};

    if (!d || !d->loc.src)
        return none;
    return source_line_col((struct source *)d->loc.src, d->loc.begin);
}

void tpolicy_dump(const struct tpolicy *tp)
{
    diag_print_text((struct diag_sink *)&tp->sink, stderr, false);
}

uint32_t tpolicy_bit(const struct tpolicy *tp, const char *perm)
{
    uint32_t sym = strmap_get(&tp->ast.idents, perm, strlen(perm));
    uint32_t p;

    ck_assert_msg(tp->resolved, "policy did not resolve");
    ck_assert_msg(sym != STRMAP_MISSING, "no identifier '%s'", perm);
    p = tp->pol.perm_of_name[sym];
    ck_assert_msg(p != AST_NONE, "no permission '%s'", perm);
    return tp->ast.perms[p].bit;
}

bool tpolicy_member_has(const struct tpolicy *tp, const char *member, const char *perm)
{
    uint32_t bit = tpolicy_bit(tp, perm);
    uint32_t m = strmap_get(&tp->pol.member_by_id, member, strlen(member));

    ck_assert_msg(m != STRMAP_MISSING, "no member '%s'", member);
    return mask_has(policy_member_mask(&tp->pol, m), bit);
}

bool tpolicy_role_has(const struct tpolicy *tp, const char *role, const char *perm)
{
    uint32_t bit = tpolicy_bit(tp, perm);
    uint32_t sym = strmap_get(&tp->ast.idents, role, strlen(role));
    uint32_t r;

    ck_assert_msg(sym != STRMAP_MISSING, "no identifier '%s'", role);
    r = tp->pol.role_of_name[sym];
    ck_assert_msg(r != AST_NONE, "no role '%s'", role);
    return mask_has(policy_role_mask(&tp->pol, r), bit);
}

char *tdir_new(void)
{
    char *dir = strdup("/tmp/kkpol-test-XXXXXX");

    ck_assert_ptr_nonnull(dir);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

char *tfile_write(const char *dir, const char *name, const char *text)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    FILE *f;

    ck_assert_ptr_nonnull(path);
    snprintf(path, len, "%s/%s", dir, name);
    for (char *s = path + strlen(dir) + 1; (s = strchr(s, '/')) != NULL; s++) {
        *s = '\0';
        mkdir(path, 0755);
        *s = '/';
    }
    f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    fwrite(text, 1, strlen(text), f);
    fclose(f);
    return path;
}
