/* Compiled tables: lowering, the library's reader and the atomic writer. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "kkpol.h"
#include "lower.h"
#include "table_format.h"
#include "table_write.h"
#include "testlib.h"

/* A member id no test policy contains, not even as part of another string. */
#define NOBODY "nobody@nowhere.invalid"

/* ---- helpers ---- */

struct text {
    char *data;
    size_t len, cap;
};

static void text_add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    ck_assert_int_ge(n, 0);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->len + (size_t)n + 1) * 2;
        t->data = realloc(t->data, t->cap);
        ck_assert_ptr_nonnull(t->data);
    }
    va_start(ap, fmt);
    vsnprintf(t->data + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

static char *path_in(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);

    ck_assert_ptr_nonnull(path);
    snprintf(path, len, "%s/%s", dir, name);
    return path;
}

static void remove_tree(const char *path)
{
    struct stat st;
    DIR *dir;
    struct dirent *e;

    if (lstat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlink(path);
        return;
    }
    dir = opendir(path);
    if (dir) {
        while ((e = readdir(dir)) != NULL) {
            char child[4096];

            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
            remove_tree(child);
        }
        closedir(dir);
    }
    rmdir(path);
}

/* Entries of a folder other than "." and "..". */
static size_t count_entries(const char *path)
{
    DIR *dir = opendir(path);
    struct dirent *e;
    size_t n = 0;

    ck_assert_ptr_nonnull(dir);
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    }
    closedir(dir);
    return n;
}

/* Loads text, which must resolve without errors, and lowers it. */
static void compile_text(struct tpolicy *tp, const char *text, const char *revision,
                         struct table_image *img)
{
    struct lower_options opt = {.revision = revision};

    tpolicy_text(tp, text);
    if (tpolicy_errors(tp) != 0 || !tp->resolved)
        tpolicy_dump(tp);
    ck_assert_uint_eq(tpolicy_errors(tp), 0);
    ck_assert(tp->resolved);
    lower_policy(&tp->pol, &opt, img);
    ck_assert_ptr_nonnull(img->data);
    ck_assert_uint_ge(img->size, TABLE_HEADER_SIZE);
}

/* Copies the first len bytes into a buffer of exactly len bytes, so that a
 * sanitizer catches a read past the end. malloc aligns to at least 8. */
static unsigned char *copy_exact(const void *data, size_t len)
{
    unsigned char *copy = malloc(len ? len : 1);

    ck_assert_ptr_nonnull(copy);
    ck_assert_uint_eq((uintptr_t)copy % 8, 0);
    memcpy(copy, data, len);
    return copy;
}

static int open_status(const void *data, size_t len, unsigned flags)
{
    struct kkp_table *t = (struct kkp_table *)1;
    struct kkp_error err;
    int rc = kkp_table_open_buffer(data, len, flags, &t, &err);

    ck_assert_int_eq(err.code, rc);
    if (rc == KKP_OK) {
        ck_assert_ptr_nonnull(t);
        kkp_table_close(t);
    } else {
        ck_assert_ptr_null(t);
        ck_assert_msg(err.message[0] != '\0', "no message for status %d", rc);
    }
    return rc;
}

static uint32_t get32(const unsigned char *b, size_t off)
{
    uint32_t v;
    memcpy(&v, b + off, 4);
    return v;
}

static uint64_t get64(const unsigned char *b, size_t off)
{
    uint64_t v;
    memcpy(&v, b + off, 8);
    return v;
}

static void put16(unsigned char *b, size_t off, uint16_t v)
{
    memcpy(b + off, &v, 2);
}

static void put32(unsigned char *b, size_t off, uint32_t v)
{
    memcpy(b + off, &v, 4);
}

static void put64(unsigned char *b, size_t off, uint64_t v)
{
    memcpy(b + off, &v, 8);
}

/* Byte offset of the directory entry of a section. */
static size_t dir_entry(const unsigned char *b, uint32_t id)
{
    uint64_t dir = get64(b, TH_DIR_OFFSET);
    uint32_t count = get32(b, TH_SECTION_COUNT);

    for (uint32_t i = 0; i < count; i++) {
        size_t e = (size_t)dir + (size_t)i * TABLE_DIR_ENTRY_SIZE;
        if (get32(b, e) == id)
            return e;
    }
    ck_abort_msg("no section %u", id);
    return 0;
}

static uint64_t section_offset(const unsigned char *b, uint32_t id)
{
    return get64(b, dir_entry(b, id) + 8);
}

static uint64_t section_size(const unsigned char *b, uint32_t id)
{
    return get64(b, dir_entry(b, id) + 16);
}

/* Recomputes the checksum after an edit, as the compiler computes it. */
static void reseal(unsigned char *b, size_t size)
{
    put64(b, TH_CHECKSUM, 0);
    put64(b, TH_CHECKSUM, XXH3_64bits(b, size));
}

static uint64_t expected_fingerprint(const struct tpolicy *tp)
{
    XXH3_state_t *st = XXH3_createState();
    uint64_t h;

    ck_assert_ptr_nonnull(st);
    XXH3_64bits_reset(st);
    for (uint32_t b = 0; b < tp->ast.nbits; b++) {
        const char *name = ast_name(&tp->ast, tp->ast.perms[tp->ast.bit_to_perm[b]].name);
        XXH3_64bits_update(st, name, strlen(name) + 1);
    }
    h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return h;
}

static void expect_mask(const uint64_t *got, const uint64_t *want, size_t words, const char *label)
{
    for (size_t w = 0; w < words; w++)
        ck_assert_msg(got[w] == want[w], "%s: word %zu is %#llx, expected %#llx", label, w,
                      (unsigned long long)got[w], (unsigned long long)want[w]);
}

/* Checks every catalog entry, role and member of an open table against the
 * resolved policy it was compiled from. */
static void verify_table(const struct tpolicy *tp, const struct kkp_table *t, const char *revision)
{
    const struct ast *ast = &tp->ast;
    const struct policy *pol = &tp->pol;
    uint64_t fp = expected_fingerprint(tp), digest[2], want_digest[2];
    uint64_t *words = calloc(pol->words + 1, sizeof(uint64_t));
    uint64_t nmembers = 0;
    uint32_t nroles = 0;

    ck_assert_ptr_nonnull(words);
    ck_assert_uint_eq(kkp_permission_count(t), pol->nbits);
    ck_assert_uint_eq(kkp_mask_words(t), pol->words);
    ck_assert_uint_eq(kkp_catalog_fingerprint(t), fp);

    for (uint32_t b = 0; b < pol->nbits; b++) {
        const struct ast_permission *p = &ast->perms[ast->bit_to_perm[b]];
        struct kkp_permission_info info;
        struct kkp_bit bit;
        uint32_t flags = (p->flags & PERM_ESCALATES ? KKP_PERM_ESCALATES : 0) |
                         (p->flags & PERM_SENSITIVE ? KKP_PERM_SENSITIVE : 0);

        ck_assert_int_eq(kkp_permission_info(t, b, &info), KKP_OK);
        ck_assert_str_eq(info.name, ast_name(ast, p->name));
        ck_assert_str_eq(info.description, p->description ? p->description : "");
        ck_assert_uint_eq(info.flags, flags);
        if (p->group == AST_NONE) {
            ck_assert_ptr_null(info.group);
            ck_assert_str_eq(info.group_title, "");
        } else {
            const struct ast_group *g = &ast->groups[p->group];
            ck_assert_ptr_nonnull(info.group);
            ck_assert_str_eq(info.group, ast_name(ast, g->name));
            ck_assert_str_eq(info.group_title, g->title ? g->title : "");
        }
        ck_assert_int_eq(kkp_permission(t, info.name, &bit), KKP_OK);
        ck_assert_uint_eq(bit.index, b);
        ck_assert_uint_eq(bit.catalog, fp);
    }

    for (uint32_t r = 0; r < ast->nroles; r++) {
        const char *name = NULL, *title = NULL;

        if (pol->role_dup[r])
            continue;
        ck_assert_int_eq(kkp_role_at(t, nroles, &name, &title, words, pol->words), KKP_OK);
        ck_assert_str_eq(name, ast_name(ast, ast->roles[r].name));
        ck_assert_str_eq(title, ast->roles[r].title ? ast->roles[r].title : "");
        expect_mask(words, policy_role_mask(pol, r), pol->words, name);
        nroles++;
    }
    ck_assert_uint_eq(kkp_role_count(t), nroles);
    ck_assert_int_eq(kkp_role_at(t, nroles, NULL, NULL, NULL, 0), KKP_ENOTFOUND);

    for (uint32_t m = 0; m < ast->nmembers; m++) {
        const struct ast_member *mem = &ast->members[m];
        const uint64_t *want = policy_member_mask(pol, m);
        const char *id = NULL;
        size_t id_len = 0;

        if (pol->member_dup[m])
            continue;
        /* Policy order. */
        ck_assert_int_eq(kkp_member_at(t, nmembers, &id, &id_len, words, pol->words), KKP_OK);
        ck_assert_uint_eq(id_len, mem->id_len);
        ck_assert_int_eq(memcmp(id, mem->id, id_len), 0);
        expect_mask(words, want, pol->words, mem->id);
        memset(words, 0xA5, (pol->words + 1) * sizeof(uint64_t));
        ck_assert_int_eq(kkp_member_mask(t, mem->id, mem->id_len, words, pol->words), KKP_OK);
        expect_mask(words, want, pol->words, mem->id);

        for (uint32_t b = 0; b < pol->nbits; b++) {
            struct kkp_bit bit = {b, fp};
            enum kkp_decision expect = mask_has(want, b) ? KKP_ALLOW : KKP_DENY;
            struct kkp_permission_info info;

            ck_assert_int_eq(kkp_check_bit(t, mem->id, mem->id_len, bit), expect);
            ck_assert_int_eq(kkp_permission_info(t, b, &info), KKP_OK);
            ck_assert_int_eq(kkp_check(t, mem->id, info.name), expect);
        }
        nmembers++;
    }
    ck_assert_uint_eq(kkp_member_count(t), nmembers);
    ck_assert_int_eq(kkp_member_at(t, nmembers, &(const char *){NULL}, &(size_t){0}, NULL, 0),
                     KKP_ENOTFOUND);

    if (revision)
        ck_assert_str_eq(kkp_revision(t), revision);
    else
        ck_assert_ptr_null(kkp_revision(t));

    kkp_source_digest(t, digest);
    lower_source_digest(ast, want_digest);
    ck_assert_uint_eq(digest[0], want_digest[0]);
    ck_assert_uint_eq(digest[1], want_digest[1]);
    free(words);
}

/* A policy with titled and untitled groups, marks, descriptions, more than
 * 64 permissions and a few hundred members, so that masks span two words
 * and the member index has collisions. */
static char *rich_policy(void)
{
    struct text t = {0};

    text_add(&t,
             "# A policy for round trips.\n"
             "group analytics \"Analytics and Reporting\" {\n"
             "    permission analytics \"The analytics dashboard.\";\n"
             "    permission reports \"Team performance reports.\" sensitive;\n"
             "}\n"
             "group team {\n"
             "    permission view_team;\n"
             "    permission update_team_members \"Edit \\\"members\\\".\" escalates sensitive;\n"
             "}\n"
             "permission billing \"Plans and invoices.\" sensitive;\n"
             "permission relay escalates;\n"
             "group bulk \"Bulk \\t tab\" {\n");
    for (int i = 0; i < 70; i++)
        text_add(&t, "    permission p%d \"Generated permission %d.\";\n", i, i);
    text_add(&t, "}\n"
                 "role viewer { title \"Viewer\"; grant analytics, view_team; }\n"
                 "role manager : viewer { grant reports, bulk.*; revoke p3; }\n"
                 "role admin { title \"Administrator\"; grant *; }\n"
                 "role empty;\n"
                 "member \"alice@example.com\" : manager { grant billing; revoke analytics; }\n"
                 "member \"bob@example.com\" : viewer;\n"
                 "member \"carol@example.com\";\n"
                 "member \"dave@example.com\" : admin { revoke p69; }\n"
                 "member \"\xc3\xbcn\xc3\xaf"
                 "code \xe2\x82\xac\" : viewer;\n"
                 "member \"");
    for (int i = 0; i < 320; i++)
        text_add(&t, "%c", 'a' + i % 26);
    text_add(&t, "\" : admin;\n");
    for (int i = 0; i < 300; i++) {
        static const char *const roles[] = {"viewer", "manager", "admin", "empty"};
        text_add(&t, "member \"user%03d@example.com\" : %s { grant p%d; }\n", i, roles[i % 4],
                 i % 70);
    }
    return t.data;
}

/* A smaller policy for the corruption sweeps: 70 permissions, three members
 * and a revision. */
static char *small_policy(void)
{
    struct text t = {0};

    text_add(&t, "group g \"G\" { permission a \"A\"; permission b; }\n"
                 "permission c escalates;\n");
    for (int i = 0; i < 67; i++)
        text_add(&t, "permission x%d;\n", i);
    text_add(&t, "role r { title \"R\"; grant a, x5; }\n"
                 "role s : r { grant *; revoke x66; }\n"
                 "member \"alice@example.com\" : r;\n"
                 "member \"bob@example.com\" : s { revoke b; }\n"
                 "member \"carol@example.com\" { grant c; }\n");
    return t.data;
}

#define SMALL_REVISION "rev-1"

/* ---- round trip ---- */

START_TEST(round_trip_buffer)
{
    char *text = rich_policy();
    struct tpolicy tp;
    struct table_image img;
    struct kkp_table *t = NULL;
    struct kkp_error err;
    static const unsigned flag_sets[] = {0, KKP_OPEN_VERIFY};

    compile_text(&tp, text, NULL, &img);
    ck_assert_uint_eq(tp.pol.nbits, 76);
    ck_assert_uint_eq(tp.pol.words, 2);
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_eq(kkp_table_open_buffer(img.data, img.size, flag_sets[i], &t, &err), KKP_OK);
        ck_assert_int_eq(err.code, KKP_OK);
        verify_table(&tp, t, NULL);
        ck_assert_int_eq(kkp_check(t, "alice@example.com", "billing"), KKP_ALLOW);
        ck_assert_int_eq(kkp_check(t, "alice@example.com", "analytics"), KKP_DENY);
        ck_assert_int_eq(kkp_check(t, "alice@example.com", "p3"), KKP_DENY);
        ck_assert_int_eq(kkp_check(t, "alice@example.com", "p69"), KKP_ALLOW);
        ck_assert_int_eq(kkp_check(t, "dave@example.com", "p69"), KKP_DENY);
        ck_assert_int_eq(kkp_check(t, "dave@example.com", "p68"), KKP_ALLOW);
        ck_assert_int_eq(kkp_check(t, "carol@example.com", "view_team"), KKP_DENY);
        ck_assert_int_eq(kkp_check(t, "carol@example.com", "no_such"), KKP_UNKNOWN_PERMISSION);
        kkp_table_close(t);
    }
    tpolicy_release(&tp);
    free(img.data);
    free(text);
}
END_TEST

START_TEST(catalog_info_fields)
{
    char *text = rich_policy();
    struct tpolicy tp;
    struct table_image img;
    struct kkp_table *t = NULL;
    struct kkp_permission_info info;
    struct kkp_bit bit;
    const char *name, *title;

    compile_text(&tp, text, NULL, &img);
    ck_assert_int_eq(kkp_table_open_buffer(img.data, img.size, KKP_OPEN_VERIFY, &t, NULL), KKP_OK);

    ck_assert_int_eq(kkp_permission(t, "reports", &bit), KKP_OK);
    ck_assert_uint_eq(bit.index, 1);
    ck_assert_int_eq(kkp_permission_info(t, bit.index, &info), KKP_OK);
    ck_assert_str_eq(info.name, "reports");
    ck_assert_str_eq(info.description, "Team performance reports.");
    ck_assert_str_eq(info.group, "analytics");
    ck_assert_str_eq(info.group_title, "Analytics and Reporting");
    ck_assert_uint_eq(info.flags, KKP_PERM_SENSITIVE);

    ck_assert_int_eq(kkp_permission_info(t, 2, &info), KKP_OK);
    ck_assert_str_eq(info.name, "view_team");
    ck_assert_str_eq(info.description, "");
    ck_assert_str_eq(info.group, "team");
    ck_assert_str_eq(info.group_title, "");
    ck_assert_uint_eq(info.flags, 0);

    ck_assert_int_eq(kkp_permission_info(t, 3, &info), KKP_OK);
    ck_assert_str_eq(info.description, "Edit \"members\".");
    ck_assert_uint_eq(info.flags, KKP_PERM_ESCALATES | KKP_PERM_SENSITIVE);

    ck_assert_int_eq(kkp_permission_info(t, 5, &info), KKP_OK);
    ck_assert_str_eq(info.name, "relay");
    ck_assert_ptr_null(info.group);
    ck_assert_uint_eq(info.flags, KKP_PERM_ESCALATES);

    ck_assert_int_eq(kkp_permission_info(t, 6, &info), KKP_OK);
    ck_assert_str_eq(info.name, "p0");
    ck_assert_str_eq(info.group_title, "Bulk \t tab");

    ck_assert_int_eq(kkp_permission_info(t, 76, &info), KKP_ENOTFOUND);
    ck_assert_int_eq(kkp_permission(t, "bulk", &bit), KKP_ENOTFOUND);
    ck_assert_int_eq(kkp_permission(t, "", &bit), KKP_ENOTFOUND);

    ck_assert_uint_eq(kkp_role_count(t), 4);
    ck_assert_int_eq(kkp_role_at(t, 0, &name, &title, NULL, 0), KKP_OK);
    ck_assert_str_eq(name, "viewer");
    ck_assert_str_eq(title, "Viewer");
    ck_assert_int_eq(kkp_role_at(t, 1, &name, &title, NULL, 0), KKP_OK);
    ck_assert_str_eq(name, "manager");
    ck_assert_str_eq(title, "");
    ck_assert_int_eq(kkp_role_at(t, 0, NULL, NULL, (uint64_t[1]){0}, 1), KKP_ERANGE);

    kkp_table_close(t);
    tpolicy_release(&tp);
    free(img.data);
    free(text);
}
END_TEST

START_TEST(revision_present_and_absent)
{
    static const char *const revisions[] = {NULL, "", "v1.2.3 (abc123) \xe2\x9c\x93"};
    char *text = small_policy();

    for (size_t i = 0; i < sizeof(revisions) / sizeof(revisions[0]); i++) {
        struct tpolicy tp;
        struct table_image img;
        struct kkp_table *t = NULL;

        compile_text(&tp, text, revisions[i], &img);
        ck_assert_int_eq(kkp_table_open_buffer(img.data, img.size, KKP_OPEN_VERIFY, &t, NULL),
                         KKP_OK);
        verify_table(&tp, t, revisions[i]);
        kkp_table_close(t);
        tpolicy_release(&tp);
        free(img.data);
    }
    free(text);
}
END_TEST

START_TEST(empty_policy_round_trip)
{
    struct tpolicy tp;
    struct table_image img;
    struct kkp_table *t = NULL;
    struct kkp_permission_info info;
    struct kkp_bit bit = {0, 0};

    compile_text(&tp, "# nothing yet\n", NULL, &img);
    ck_assert_int_eq(kkp_table_open_buffer(img.data, img.size, KKP_OPEN_VERIFY, &t, NULL), KKP_OK);
    verify_table(&tp, t, NULL);
    ck_assert_uint_eq(kkp_permission_count(t), 0);
    ck_assert_uint_eq(kkp_mask_words(t), 1);
    ck_assert_uint_eq(kkp_member_count(t), 0);
    ck_assert_uint_eq(kkp_role_count(t), 0);
    ck_assert_int_eq(kkp_permission_info(t, 0, &info), KKP_ENOTFOUND);
    bit.catalog = kkp_catalog_fingerprint(t);
    ck_assert_int_eq(kkp_check_bit(t, "m", 1, bit), KKP_UNKNOWN_PERMISSION);
    ck_assert_int_eq(kkp_check(t, "m", "a"), KKP_UNKNOWN_PERMISSION);
    kkp_table_close(t);
    tpolicy_release(&tp);
    free(img.data);
}
END_TEST

START_TEST(member_only_policy_round_trip)
{
    struct tpolicy tp;
    struct table_image img;
    struct kkp_table *t = NULL;
    uint64_t words[1] = {~(uint64_t)0};

    compile_text(&tp, "member \"a\"; member \"b\";\n", NULL, &img);
    ck_assert_int_eq(kkp_table_open_buffer(img.data, img.size, KKP_OPEN_VERIFY, &t, NULL), KKP_OK);
    verify_table(&tp, t, NULL);
    ck_assert_int_eq(kkp_member_mask(t, "b", 1, words, 1), KKP_OK);
    ck_assert_uint_eq(words[0], 0);
    kkp_table_close(t);
    tpolicy_release(&tp);
    free(img.data);
}
END_TEST

START_TEST(source_digest_stable_and_sensitive)
{
    char *text = small_policy();
    struct tpolicy tp1, tp2, tp3;
    struct table_image a, b, c;
    struct kkp_table *ta, *tb, *tc;
    uint64_t da[2], db[2], dc[2];
    char *changed = strdup(text);

    ck_assert_ptr_nonnull(changed);
    changed[strlen(changed) - 5] ^= 0x01; /* "{ grant c; }" becomes "{ grant b; }" */
    compile_text(&tp1, text, NULL, &a);
    compile_text(&tp2, text, NULL, &b);
    compile_text(&tp3, changed, NULL, &c);
    ck_assert_int_eq(kkp_table_open_buffer(a.data, a.size, KKP_OPEN_VERIFY, &ta, NULL), KKP_OK);
    ck_assert_int_eq(kkp_table_open_buffer(b.data, b.size, KKP_OPEN_VERIFY, &tb, NULL), KKP_OK);
    ck_assert_int_eq(kkp_table_open_buffer(c.data, c.size, KKP_OPEN_VERIFY, &tc, NULL), KKP_OK);
    kkp_source_digest(ta, da);
    kkp_source_digest(tb, db);
    kkp_source_digest(tc, dc);
    ck_assert_uint_eq(da[0], db[0]);
    ck_assert_uint_eq(da[1], db[1]);
    ck_assert(da[0] != dc[0] || da[1] != dc[1]);
    ck_assert(da[0] != 0 || da[1] != 0);
    /* The catalog did not change, so the fingerprint is the same. */
    ck_assert_uint_eq(kkp_catalog_fingerprint(ta), kkp_catalog_fingerprint(tc));
    kkp_table_close(ta);
    kkp_table_close(tb);
    kkp_table_close(tc);
    tpolicy_release(&tp1);
    tpolicy_release(&tp2);
    tpolicy_release(&tp3);
    free(a.data);
    free(b.data);
    free(c.data);
    free(changed);
    free(text);
}
END_TEST

START_TEST(source_digest_whitespace_changes)
{
    struct tpolicy tp1, tp2;
    uint64_t d1[2], d2[2];

    /* Any byte counts, even one that does not change the meaning. */
    tpolicy_text(&tp1, "permission a;\n");
    tpolicy_text(&tp2, "permission a; \n");
    lower_source_digest(&tp1.ast, d1);
    lower_source_digest(&tp2.ast, d2);
    ck_assert(d1[0] != d2[0] || d1[1] != d2[1]);
    tpolicy_release(&tp1);
    tpolicy_release(&tp2);
}
END_TEST

START_TEST(deterministic_bytes)
{
    char *text = rich_policy();
    struct tpolicy tp1, tp2, tp3;
    struct table_image a, b, c;
    struct lower_options opt = {.revision = "r1"};

    compile_text(&tp1, text, "r1", &a);
    compile_text(&tp2, text, "r1", &b);
    ck_assert_uint_eq(a.size, b.size);
    ck_assert_int_eq(memcmp(a.data, b.data, a.size), 0);

    /* The display path is not part of the table. */
    tpolicy_bytes(&tp3, "some/other/folder/policy.kkp", text, strlen(text));
    ck_assert_uint_eq(tpolicy_errors(&tp3), 0);
    lower_policy(&tp3.pol, &opt, &c);
    ck_assert_uint_eq(a.size, c.size);
    ck_assert_int_eq(memcmp(a.data, c.data, a.size), 0);

    tpolicy_release(&tp1);
    tpolicy_release(&tp2);
    tpolicy_release(&tp3);
    free(a.data);
    free(b.data);
    free(c.data);
    free(text);
}
END_TEST

/* ---- rejected buffers ---- */

START_TEST(truncated_below_header)
{
    char *text = small_policy();
    struct tpolicy tp;
    struct table_image img;

    compile_text(&tp, text, SMALL_REVISION, &img);
    for (size_t len = 0; len < TABLE_HEADER_SIZE; len++) {
        unsigned char *copy = copy_exact(img.data, len);

        ck_assert_msg(open_status(copy, len, 0) == KKP_ETRUNCATED, "length %zu", len);
        ck_assert_msg(open_status(copy, len, KKP_OPEN_VERIFY) == KKP_ETRUNCATED, "length %zu", len);
        free(copy);
    }
    tpolicy_release(&tp);
    free(img.data);
    free(text);
}
END_TEST

START_TEST(truncated_above_header)
{
    char *text = small_policy();
    struct tpolicy tp;
    struct table_image img;
    unsigned seed = 12345;

    compile_text(&tp, text, SMALL_REVISION, &img);
    /* Every length from the header size to one byte short without
     * verification, then 200 random lengths with it. */
    for (size_t len = TABLE_HEADER_SIZE; len < img.size; len++) {
        unsigned char *copy = copy_exact(img.data, len);

        ck_assert_msg(open_status(copy, len, 0) == KKP_ETRUNCATED, "length %zu", len);
        free(copy);
    }
    for (int i = 0; i < 200; i++) {
        size_t len = TABLE_HEADER_SIZE + (size_t)rand_r(&seed) % (img.size - TABLE_HEADER_SIZE);
        unsigned char *copy = copy_exact(img.data, len);

        ck_assert_msg(open_status(copy, len, KKP_OPEN_VERIFY) == KKP_ETRUNCATED, "length %zu", len);
        free(copy);
    }
    tpolicy_release(&tp);
    free(img.data);
    free(text);
}
END_TEST

START_TEST(truncated_file)
{
    char *text = small_policy();
    char *dir = tdir_new();
    char *path = path_in(dir, "short.kkpt");
    struct tpolicy tp;
    struct table_image img;
    struct kkp_table *t = NULL;
    struct kkp_error err;
    static const size_t lengths[] = {0, 3, 8, 100, 128, 1000};
    char errbuf[256];

    compile_text(&tp, text, NULL, &img);
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        ck_assert_int_eq(table_write_file(path, img.data, lengths[i], errbuf, sizeof(errbuf)), 0);
        ck_assert_int_eq(kkp_table_open(path, KKP_OPEN_VERIFY, &t, &err), KKP_ETRUNCATED);
        ck_assert_ptr_null(t);
        ck_assert_ptr_nonnull(strstr(err.message, path));
    }
    tpolicy_release(&tp);
    free(img.data);
    free(text);
    free(path);
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(flipped_byte_fails_checksum)
{
    char *text = small_policy();
    struct tpolicy tp;
    struct table_image img;
    unsigned char *copy;

    compile_text(&tp, text, SMALL_REVISION, &img);
    copy = copy_exact(img.data, img.size);
    for (size_t pos = 0; pos < img.size; pos++) {
        copy[pos] ^= 0x10;
        if (pos >= TH_CHECKSUM)
            ck_assert_msg(open_status(copy, img.size, KKP_OPEN_VERIFY) == KKP_ECHECKSUM, "byte %zu",
                          pos);
        else
            ck_assert_msg(open_status(copy, img.size, KKP_OPEN_VERIFY) != KKP_OK, "byte %zu", pos);
        copy[pos] ^= 0x10;
    }
    ck_assert_int_eq(open_status(copy, img.size, KKP_OPEN_VERIFY), KKP_OK);
    free(copy);
    tpolicy_release(&tp);
    free(img.data);
    free(text);
}
END_TEST

/* Runs every query on a table that opened. None may crash, and the unknown id is never allowed. */
static void exercise(const struct kkp_table *t)
{
    static const char *const ids[] = {"alice@example.com", "bob@example.com", "carol@example.com",
                                      "", NOBODY};
    uint64_t words[4];
    struct kkp_bit bit;
    uint32_t nperms = kkp_permission_count(t);

    for (uint32_t i = 0; i < nperms; i++) {
        struct kkp_permission_info info;

        ck_assert_int_eq(kkp_permission_info(t, i, &info), KKP_OK);
        ck_assert_ptr_nonnull(info.name);
        ck_assert_ptr_nonnull(info.description);
        ck_assert_ptr_nonnull(info.group_title);
        bit.index = i;
        bit.catalog = kkp_catalog_fingerprint(t);
        for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++)
            (void)kkp_check_bit(t, ids[k], strlen(ids[k]), bit);
        ck_assert_int_ne(kkp_check_bit(t, NOBODY, strlen(NOBODY), bit), KKP_ALLOW);
    }
    for (uint32_t i = 0; i < kkp_role_count(t); i++) {
        const char *name, *title;
        (void)kkp_role_at(t, i, &name, &title, words, 4);
    }
    for (uint64_t i = 0; i < kkp_member_count(t) && i < 16; i++) {
        const char *id;
        size_t len;
        (void)kkp_member_at(t, i, &id, &len, words, 4);
    }
    for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++)
        (void)kkp_member_mask(t, ids[k], strlen(ids[k]), words, 4);
    ck_assert_int_ne(kkp_check(t, NOBODY, "a"), KKP_ALLOW);
    ck_assert_int_ne(kkp_member_mask(t, NOBODY, strlen(NOBODY), words, 4), KKP_OK);
}

START_TEST(flipped_byte_without_verify)
{
    char *text = small_policy();
    struct tpolicy tp;
    struct table_image img;
    static const unsigned char flips[] = {0x01, 0x80, 0xFF};

    compile_text(&tp, text, SMALL_REVISION, &img);
    for (size_t pos = 0; pos < img.size; pos++) {
        for (size_t f = 0; f < sizeof(flips); f++) {
            unsigned char *copy = copy_exact(img.data, img.size);
            struct kkp_table *t = NULL;
            int rc;

            copy[pos] ^= flips[f];
            rc = kkp_table_open_buffer(copy, img.size, 0, &t, NULL);
            if (rc == KKP_OK) {
                exercise(t);
                kkp_table_close(t);
            } else {
                ck_assert_msg(rc == KKP_ECORRUPT || rc == KKP_EMAGIC || rc == KKP_EVERSION ||
                                  rc == KKP_ETRUNCATED,
                              "byte %zu: status %d", pos, rc);
            }
            free(copy);
        }
    }
    tpolicy_release(&tp);
    free(img.data);
    free(text);
}
END_TEST

START_TEST(wrong_magic)
{
    char *text = small_policy();
    struct tpolicy tp;
    struct table_image img;
    unsigned char *copy;
    static const char source[] = "permission a; # a policy source, not a table, long enough\n";

    compile_text(&tp, text, NULL, &img);
    copy = copy_exact(img.data, img.size);
    for (size_t pos = 0; pos < TABLE_MAGIC_SIZE; pos++) {
        copy[pos] ^= 0x20;
        ck_assert_int_eq(open_status(copy, img.size, 0), KKP_EMAGIC);
        ck_assert_int_eq(open_status(copy, img.size, KKP_OPEN_VERIFY), KKP_EMAGIC);
        copy[pos] ^= 0x20;
    }
    free(copy);
    copy = copy_exact(source, sizeof(source) - 1);
    ck_assert_int_eq(open_status(copy, sizeof(source) - 1, 0), KKP_EMAGIC);
    free(copy);
    tpolicy_release(&tp);
    free(img.data);
    free(text);
}
END_TEST

START_TEST(version_checks)
{
    char *text = small_policy();
    struct tpolicy tp;
    struct table_image img;
    unsigned char *copy;
    struct kkp_error err;
    struct kkp_table *t = NULL;

    compile_text(&tp, text, NULL, &img);
    copy = copy_exact(img.data, img.size);

    put16(copy, TH_VERSION_MAJOR, TABLE_VERSION_MAJOR + 1);
    ck_assert_int_eq(open_status(copy, img.size, 0), KKP_EVERSION);
    reseal(copy, img.size);
    ck_assert_int_eq(kkp_table_open_buffer(copy, img.size, KKP_OPEN_VERIFY, &t, &err),
                     KKP_EVERSION);
    ck_assert_ptr_nonnull(strstr(err.message, "newer"));
    put16(copy, TH_VERSION_MAJOR, 0xFFFF);
    ck_assert_int_eq(open_status(copy, img.size, 0), KKP_EVERSION);

    /* An older major version is not one this library writes. */
    put16(copy, TH_VERSION_MAJOR, 0);
    ck_assert_int_eq(open_status(copy, img.size, 0), KKP_ECORRUPT);

    /* A newer minor version only adds sections: it still opens. */
    put16(copy, TH_VERSION_MAJOR, TABLE_VERSION_MAJOR);
    put16(copy, TH_VERSION_MINOR, TABLE_VERSION_MINOR + 7);
    reseal(copy, img.size);
    ck_assert_int_eq(kkp_table_open_buffer(copy, img.size, KKP_OPEN_VERIFY, &t, NULL), KKP_OK);
    verify_table(&tp, t, NULL);
    kkp_table_close(t);

    free(copy);
    tpolicy_release(&tp);
    free(img.data);
    free(text);
}
END_TEST

START_TEST(unaligned_buffer)
{
    char *text = small_policy();
    struct tpolicy tp;
    struct table_image img;
    unsigned char *space;
    struct kkp_error err;
    struct kkp_table *t = (struct kkp_table *)1;

    compile_text(&tp, text, NULL, &img);
    space = malloc(img.size + 8);
    ck_assert_ptr_nonnull(space);
    for (size_t shift = 1; shift < 8; shift++) {
        memcpy(space + shift, img.data, img.size);
        ck_assert_int_eq(kkp_table_open_buffer(space + shift, img.size, 0, &t, &err), KKP_EALIGN);
        ck_assert_ptr_null(t);
        ck_assert_int_eq(err.code, KKP_EALIGN);
        ck_assert_int_eq(kkp_table_open_buffer(space + shift, img.size, KKP_OPEN_VERIFY, &t, NULL),
                         KKP_EALIGN);
    }
    memcpy(space + 8, img.data, img.size);
    ck_assert_int_eq(kkp_table_open_buffer(space + 8, img.size, KKP_OPEN_VERIFY, &t, NULL), KKP_OK);
    kkp_table_close(t);
    free(space);
    tpolicy_release(&tp);
    free(img.data);
    free(text);
}
END_TEST

/* ---- structural corruption ---- */

/* Offsets into the small table, filled before each edit. */
struct layout {
    size_t size;
    size_t strings;
    uint64_t strings_size;
    size_t groups;
    size_t perms;
    size_t roles;
    size_t role_masks;
    size_t slots;
    size_t members;
    size_t revision;
    uint64_t revision_size;
    uint64_t slot_count;
    uint32_t perm_count;
    uint32_t group_count;
    uint32_t role_count;
};

static struct layout read_layout(const unsigned char *b, size_t size)
{
    struct layout L;

    L.size = size;
    L.strings = section_offset(b, SECTION_STRINGS);
    L.strings_size = section_size(b, SECTION_STRINGS);
    L.groups = section_offset(b, SECTION_GROUPS);
    L.perms = section_offset(b, SECTION_PERMISSIONS);
    L.roles = section_offset(b, SECTION_ROLES);
    L.role_masks = section_offset(b, SECTION_ROLE_MASKS);
    L.slots = section_offset(b, SECTION_SLOTS);
    L.members = section_offset(b, SECTION_MEMBERS);
    L.revision = section_offset(b, SECTION_REVISION);
    L.revision_size = section_size(b, SECTION_REVISION);
    L.slot_count = get64(b, TH_SLOT_COUNT);
    L.perm_count = get32(b, TH_PERM_COUNT);
    L.group_count = get32(b, TH_GROUP_COUNT);
    L.role_count = get32(b, TH_ROLE_COUNT);
    return L;
}

typedef void edit_fn(unsigned char *b, const struct layout *L);

#define EDIT(name) static void name(unsigned char *b, const struct layout *L)

EDIT(strings_offset_past_end)
{
    put64(b, dir_entry(b, SECTION_STRINGS) + 8, L->size + 8);
}
EDIT(slots_size_past_end)
{
    put64(b, dir_entry(b, SECTION_SLOTS) + 16, L->size);
}
EDIT(perms_offset_overflows)
{
    put64(b, dir_entry(b, SECTION_PERMISSIONS) + 8, UINT64_MAX - 7);
}
EDIT(groups_size_overflows)
{
    put64(b, dir_entry(b, SECTION_GROUPS) + 16, UINT64_MAX);
}
EDIT(roles_offset_unaligned)
{
    put64(b, dir_entry(b, SECTION_ROLES) + 8, L->roles + 4);
}
EDIT(strings_inside_header)
{
    put64(b, dir_entry(b, SECTION_STRINGS) + 8, 8);
}
EDIT(slots_not_cache_aligned)
{
    put64(b, dir_entry(b, SECTION_SLOTS) + 8, L->slots + 8);
}
EDIT(directory_past_end)
{
    put64(b, TH_DIR_OFFSET, L->size);
}
EDIT(directory_in_header)
{
    put64(b, TH_DIR_OFFSET, 64);
}
EDIT(directory_count_huge)
{
    put32(b, TH_SECTION_COUNT, UINT32_MAX);
}
EDIT(directory_count_short)
{
    put32(b, TH_SECTION_COUNT, 3);
}
EDIT(members_section_unknown_id)
{
    put32(b, dir_entry(b, SECTION_MEMBERS), 99);
}
EDIT(section_listed_twice)
{
    put32(b, dir_entry(b, SECTION_GROUPS), SECTION_STRINGS);
}
EDIT(perm_count_plus_one)
{
    put32(b, TH_PERM_COUNT, L->perm_count + 1);
}
EDIT(perm_count_minus_one)
{
    put32(b, TH_PERM_COUNT, L->perm_count - 1);
}
EDIT(perm_count_huge)
{
    put32(b, TH_PERM_COUNT, UINT32_MAX);
}
EDIT(words_disagree)
{
    put32(b, TH_WORDS, 3);
}
EDIT(group_count_plus_one)
{
    put32(b, TH_GROUP_COUNT, L->group_count + 1);
}
EDIT(role_count_plus_one)
{
    put32(b, TH_ROLE_COUNT, L->role_count + 1);
}
EDIT(member_count_plus_one)
{
    put64(b, TH_MEMBER_COUNT, get64(b, TH_MEMBER_COUNT) + 1);
}
EDIT(member_count_above_slots)
{
    put64(b, TH_MEMBER_COUNT, L->slot_count + 1);
}
EDIT(slot_count_not_power_of_two)
{
    put64(b, TH_SLOT_COUNT, 12);
}
EDIT(slot_count_below_eight)
{
    put64(b, TH_SLOT_COUNT, 4);
}
EDIT(slot_count_huge)
{
    put64(b, TH_SLOT_COUNT, (uint64_t)1 << 62);
}
EDIT(max_probe_past_slots)
{
    put32(b, TH_MAX_PROBE, (uint32_t)L->slot_count);
}
EDIT(name_offset_out_of_range)
{
    put32(b, L->perms, (uint32_t)L->strings_size + 16);
}
EDIT(name_length_past_end)
{
    put32(b, L->perms + 4, (uint32_t)L->strings_size);
}
EDIT(name_length_max)
{
    put32(b, L->perms + 4, UINT32_MAX);
}
EDIT(name_without_terminator)
{
    put32(b, L->perms + 4, get32(b, L->perms + 4) + 1);
}
EDIT(name_empty)
{
    put32(b, L->perms, 0);
    put32(b, L->perms + 4, 0);
}
EDIT(description_out_of_range)
{
    put32(b, L->perms + 8, UINT32_MAX);
}
EDIT(group_index_out_of_range)
{
    put32(b, L->perms + 16, L->group_count);
}
EDIT(unknown_permission_flag)
{
    put32(b, L->perms + 20, 4);
}
EDIT(group_name_out_of_range)
{
    put32(b, L->groups, (uint32_t)L->strings_size);
}
EDIT(group_title_past_end)
{
    put32(b, L->groups + 12, (uint32_t)L->strings_size);
}
EDIT(role_title_out_of_range)
{
    put32(b, L->roles + 8, (uint32_t)L->strings_size + 1);
}
EDIT(role_mask_bit_past_catalog)
{
    put64(b, L->role_masks + 8, (uint64_t)1 << 63);
}
EDIT(strings_not_starting_with_nul)
{
    b[L->strings] = 'x';
}
EDIT(strings_empty)
{
    put64(b, dir_entry(b, SECTION_STRINGS) + 16, 0);
}
EDIT(fingerprint_changed)
{
    put64(b, TH_FINGERPRINT, get64(b, TH_FINGERPRINT) ^ 1);
}
EDIT(permission_renamed)
{
    b[L->strings + get32(b, L->perms)] = 'z';
}
EDIT(revision_unterminated)
{
    b[L->revision + L->revision_size - 1] = 'x';
}
EDIT(revision_empty)
{
    put64(b, dir_entry(b, SECTION_REVISION) + 16, 0);
}
EDIT(header_size_wrong)
{
    put32(b, TH_HEADER_SIZE, 64);
}
EDIT(file_size_short)
{
    put64(b, TH_FILE_SIZE, L->size - 8);
}

/* clang-format off */
#define CORRUPTION(name) {#name, name}
/* clang-format on */

static const struct {
    const char *name;
    edit_fn *edit;
} corruptions[] = {
    CORRUPTION(strings_offset_past_end),
    CORRUPTION(slots_size_past_end),
    CORRUPTION(perms_offset_overflows),
    CORRUPTION(groups_size_overflows),
    CORRUPTION(roles_offset_unaligned),
    CORRUPTION(strings_inside_header),
    CORRUPTION(slots_not_cache_aligned),
    CORRUPTION(directory_past_end),
    CORRUPTION(directory_in_header),
    CORRUPTION(directory_count_huge),
    CORRUPTION(directory_count_short),
    CORRUPTION(members_section_unknown_id),
    CORRUPTION(section_listed_twice),
    CORRUPTION(perm_count_plus_one),
    CORRUPTION(perm_count_minus_one),
    CORRUPTION(perm_count_huge),
    CORRUPTION(words_disagree),
    CORRUPTION(group_count_plus_one),
    CORRUPTION(role_count_plus_one),
    CORRUPTION(member_count_plus_one),
    CORRUPTION(member_count_above_slots),
    CORRUPTION(slot_count_not_power_of_two),
    CORRUPTION(slot_count_below_eight),
    CORRUPTION(slot_count_huge),
    CORRUPTION(max_probe_past_slots),
    CORRUPTION(name_offset_out_of_range),
    CORRUPTION(name_length_past_end),
    CORRUPTION(name_length_max),
    CORRUPTION(name_without_terminator),
    CORRUPTION(name_empty),
    CORRUPTION(description_out_of_range),
    CORRUPTION(group_index_out_of_range),
    CORRUPTION(unknown_permission_flag),
    CORRUPTION(group_name_out_of_range),
    CORRUPTION(group_title_past_end),
    CORRUPTION(role_title_out_of_range),
    CORRUPTION(role_mask_bit_past_catalog),
    CORRUPTION(strings_not_starting_with_nul),
    CORRUPTION(strings_empty),
    CORRUPTION(fingerprint_changed),
    CORRUPTION(permission_renamed),
    CORRUPTION(revision_unterminated),
    CORRUPTION(revision_empty),
    CORRUPTION(header_size_wrong),
    CORRUPTION(file_size_short),
};
#undef CORRUPTION

START_TEST(corrupt_structure)
{
    char *text = small_policy();
    struct tpolicy tp;
    struct table_image img;
    struct layout L;

    compile_text(&tp, text, SMALL_REVISION, &img);
    L = read_layout(img.data, img.size);
    ck_assert_uint_eq(L.perm_count, 70);
    for (size_t i = 0; i < sizeof(corruptions) / sizeof(corruptions[0]); i++) {
        unsigned char *copy = copy_exact(img.data, img.size);
        struct kkp_error err;
        struct kkp_table *t = NULL;
        int rc;

        corruptions[i].edit(copy, &L);
        rc = kkp_table_open_buffer(copy, img.size, 0, &t, &err);
        ck_assert_msg(rc == KKP_ECORRUPT, "%s: status %d (%s)", corruptions[i].name, rc,
                      err.message);
        ck_assert_ptr_null(t);
        ck_assert_ptr_nonnull(strstr(err.message, "(buffer)"));
        /* The same edit with a matching checksum: verification does not skip the checks. */
        reseal(copy, img.size);
        rc = kkp_table_open_buffer(copy, img.size, KKP_OPEN_VERIFY, &t, &err);
        ck_assert_msg(rc == KKP_ECORRUPT, "%s resealed: status %d (%s)", corruptions[i].name, rc,
                      err.message);
        free(copy);
    }
    tpolicy_release(&tp);
    free(img.data);
    free(text);
}
END_TEST

/* Slot 'i' of the member index. */
static size_t slot_at(const unsigned char *b, const struct layout *L, uint64_t i)
{
    return L->slots + (size_t)i * (SLOT_HEADER_SIZE + 8 * get32(b, TH_WORDS));
}

START_TEST(corrupt_members_caught_at_lookup)
{
    char *text = small_policy();
    struct tpolicy tp;
    struct table_image img;
    struct layout L;
    unsigned char *copy;
    struct kkp_table *t = NULL;
    const char *id;
    size_t id_len;
    uint32_t alice_slot;

    compile_text(&tp, text, SMALL_REVISION, &img);
    L = read_layout(img.data, img.size);

    /* A member list entry past the index: listing reports it, lookups still work. */
    copy = copy_exact(img.data, img.size);
    put32(copy, L.members, (uint32_t)L.slot_count + 5);
    reseal(copy, img.size);
    ck_assert_int_eq(kkp_table_open_buffer(copy, img.size, KKP_OPEN_VERIFY, &t, NULL), KKP_OK);
    ck_assert_int_eq(kkp_member_at(t, 0, &id, &id_len, NULL, 0), KKP_ECORRUPT);
    ck_assert_int_eq(kkp_member_at(t, 1, &id, &id_len, NULL, 0), KKP_OK);
    ck_assert_int_eq(kkp_check(t, "alice@example.com", "a"), KKP_ALLOW);
    exercise(t);
    kkp_table_close(t);
    free(copy);

    /* A slot whose id reference points outside the strings. */
    copy = copy_exact(img.data, img.size);
    alice_slot = get32(copy, L.members);
    put32(copy, slot_at(copy, &L, alice_slot) + 8, UINT32_MAX - 2);
    ck_assert_int_eq(kkp_table_open_buffer(copy, img.size, 0, &t, NULL), KKP_OK);
    ck_assert_int_eq(kkp_check(t, "alice@example.com", "a"), KKP_UNKNOWN_MEMBER);
    ck_assert_int_eq(kkp_member_at(t, 0, &id, &id_len, NULL, 0), KKP_ECORRUPT);
    ck_assert_int_eq(kkp_check(t, "bob@example.com", "a"), KKP_ALLOW);
    exercise(t);
    kkp_table_close(t);
    free(copy);

    /* Every slot taken, every hash equal to the unknown id's, and a max probe
     * that covers the whole index: lookups end and never allow the unknown id. */
    copy = copy_exact(img.data, img.size);
    for (uint64_t i = 0; i < L.slot_count; i++) {
        size_t s = slot_at(copy, &L, i);

        put64(copy, s, XXH3_64bits_withSeed(NOBODY, strlen(NOBODY), get64(copy, TH_HASH_SEED)));
        if (get32(copy, s + 12) == 0) {
            put32(copy, s + 8, 1);
            put32(copy, s + 12, (uint32_t)strlen(NOBODY));
        } else {
            put32(copy, s + 12, (uint32_t)strlen(NOBODY));
        }
        memset(copy + s + SLOT_HEADER_SIZE, 0xFF, 8);
    }
    put32(copy, TH_MAX_PROBE, (uint32_t)L.slot_count - 1);
    ck_assert_int_eq(kkp_table_open_buffer(copy, img.size, 0, &t, NULL), KKP_OK);
    ck_assert_int_eq(kkp_check(t, NOBODY, "a"), KKP_UNKNOWN_MEMBER);
    ck_assert_int_eq(kkp_check(t, "somebody.else@example.com", "a"), KKP_UNKNOWN_MEMBER);
    exercise(t);
    kkp_table_close(t);
    free(copy);

    tpolicy_release(&tp);
    free(img.data);
    free(text);
}
END_TEST

/* ---- lookups ---- */

START_TEST(bit_from_other_catalog)
{
    struct tpolicy tp[4];
    struct table_image img[4];
    struct kkp_table *t[4];
    struct kkp_bit bit, stale;
    static const char *const texts[] = {
        "permission a; permission b; member \"m\" { grant *; }\n",
        "permission a; permission c; member \"m\" { grant *; }\n",               /* another name */
        "permission b; permission a; member \"m\" { grant *; }\n",               /* another order */
        "permission a; permission b; member \"m\" { grant a; } member \"n\";\n", /* same catalog */
    };

    for (int i = 0; i < 4; i++) {
        compile_text(&tp[i], texts[i], NULL, &img[i]);
        ck_assert_int_eq(kkp_table_open_buffer(img[i].data, img[i].size, 0, &t[i], NULL), KKP_OK);
    }
    ck_assert_int_eq(kkp_permission(t[0], "a", &bit), KKP_OK);
    ck_assert_int_eq(kkp_check_bit(t[0], "m", 1, bit), KKP_ALLOW);
    ck_assert_int_eq(kkp_check_bit(t[1], "m", 1, bit), KKP_UNKNOWN_PERMISSION);
    ck_assert_int_eq(kkp_check_bit(t[2], "m", 1, bit), KKP_UNKNOWN_PERMISSION);
    ck_assert_int_eq(kkp_check_bit(t[1], NOBODY, strlen(NOBODY), bit), KKP_UNKNOWN_PERMISSION);
    ck_assert_uint_eq(kkp_catalog_fingerprint(t[0]), kkp_catalog_fingerprint(t[3]));
    ck_assert_int_eq(kkp_check_bit(t[3], "m", 1, bit), KKP_ALLOW);
    ck_assert_int_eq(kkp_check_bit(t[3], "n", 1, bit), KKP_DENY);

    /* The right catalog with an index past it, and a zeroed bit. */
    stale = bit;
    stale.index = 2;
    ck_assert_int_eq(kkp_check_bit(t[0], "m", 1, stale), KKP_UNKNOWN_PERMISSION);
    stale.index = UINT32_MAX;
    ck_assert_int_eq(kkp_check_bit(t[0], "m", 1, stale), KKP_UNKNOWN_PERMISSION);
    memset(&stale, 0, sizeof(stale));
    ck_assert_int_eq(kkp_check_bit(t[0], "m", 1, stale), KKP_UNKNOWN_PERMISSION);

    for (int i = 0; i < 4; i++) {
        kkp_table_close(t[i]);
        tpolicy_release(&tp[i]);
        free(img[i].data);
    }
}
END_TEST

START_TEST(unknown_member_never_allowed)
{
    char *text = rich_policy();
    struct tpolicy tp;
    struct table_image img;
    struct kkp_table *t = NULL;
    struct kkp_bit bit;
    uint64_t words[2];
    unsigned seed = 99;
    static const char *const near_misses[] = {
        "dave@example.co",    "dave@example.comm", "Dave@example.com",
        " dave@example.com",  "dave@example.com ", "dave",
        "user000@example.co", "@example.com",
    };

    compile_text(&tp, text, NULL, &img);
    ck_assert_int_eq(kkp_table_open_buffer(img.data, img.size, KKP_OPEN_VERIFY, &t, NULL), KKP_OK);
    ck_assert_int_eq(kkp_permission(t, "p0", &bit), KKP_OK);
    ck_assert_int_eq(kkp_check_bit(t, "dave@example.com", 16, bit), KKP_ALLOW);

    for (size_t i = 0; i < sizeof(near_misses) / sizeof(near_misses[0]); i++) {
        ck_assert_msg(kkp_check_bit(t, near_misses[i], strlen(near_misses[i]), bit) ==
                          KKP_UNKNOWN_MEMBER,
                      "%s", near_misses[i]);
        ck_assert_int_eq(kkp_check(t, near_misses[i], "p0"), KKP_UNKNOWN_MEMBER);
        ck_assert_int_eq(kkp_member_mask(t, near_misses[i], strlen(near_misses[i]), words, 2),
                         KKP_ENOTFOUND);
    }
    /* The id length decides, not a NUL byte: a prefix or an id with more bytes is unknown. */
    ck_assert_int_eq(kkp_check_bit(t, "dave@example.com\0x", 18, bit), KKP_UNKNOWN_MEMBER);
    ck_assert_int_eq(kkp_check_bit(t, "dave@example.com", 15, bit), KKP_UNKNOWN_MEMBER);
    ck_assert_int_eq(kkp_check_bit(t, "dave@example.com", 0, bit), KKP_UNKNOWN_MEMBER);
    ck_assert_int_eq(kkp_check(t, "", "p0"), KKP_UNKNOWN_MEMBER);

    for (int i = 0; i < 20000; i++) {
        char id[40];
        int len = snprintf(id, sizeof(id), "u%08x@%04x.example", (unsigned)rand_r(&seed),
                           (unsigned)rand_r(&seed) & 0xFFFF);

        ck_assert_int_eq(kkp_check_bit(t, id, (size_t)len, bit), KKP_UNKNOWN_MEMBER);
    }
    kkp_table_close(t);
    tpolicy_release(&tp);
    free(img.data);
    free(text);
}
END_TEST

/* ---- files ---- */

START_TEST(open_missing_path_and_folder)
{
    char *dir = tdir_new();
    char *missing = path_in(dir, "missing.kkpt");
    struct kkp_table *t = (struct kkp_table *)1;
    struct kkp_error err;

    ck_assert_int_eq(kkp_table_open(missing, 0, &t, &err), KKP_EIO);
    ck_assert_ptr_null(t);
    ck_assert_int_eq(err.code, KKP_EIO);
    ck_assert_msg(strstr(err.message, missing) != NULL, "message: %s", err.message);
    ck_assert_msg(strstr(err.message, strerror(ENOENT)) != NULL, "message: %s", err.message);

    t = (struct kkp_table *)1;
    ck_assert_int_eq(kkp_table_open(dir, KKP_OPEN_VERIFY, &t, &err), KKP_EIO);
    ck_assert_ptr_null(t);
    ck_assert_msg(strstr(err.message, dir) != NULL, "message: %s", err.message);

    ck_assert_int_eq(kkp_table_open(missing, 0, &t, NULL), KKP_EIO);
    free(missing);
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(write_file_round_trip)
{
    char *text = rich_policy();
    char *dir = tdir_new();
    char *path = path_in(dir, "policy.kkpt");
    struct tpolicy tp, tp2;
    struct table_image img, img2;
    struct kkp_table *t = NULL;
    struct kkp_error err;
    struct stat st;
    char errbuf[512];

    compile_text(&tp, text, "rev", &img);
    ck_assert_int_eq(table_write_file(path, img.data, img.size, errbuf, sizeof(errbuf)), 0);
    ck_assert_uint_eq(count_entries(dir), 1);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq((uint64_t)st.st_size, img.size);
    ck_assert_uint_eq(st.st_mode & 0777, 0644);
    ck_assert_int_eq(kkp_table_open(path, KKP_OPEN_VERIFY, &t, &err), KKP_OK);
    verify_table(&tp, t, "rev");
    kkp_table_close(t);
    ck_assert_int_eq(kkp_table_open(path, 0, &t, &err), KKP_OK);
    verify_table(&tp, t, "rev");

    /* Replacing the file leaves the open mapping valid and the new table readable. */
    compile_text(&tp2, "permission only; member \"solo\" { grant only; }\n", NULL, &img2);
    ck_assert_int_eq(table_write_file(path, img2.data, img2.size, errbuf, sizeof(errbuf)), 0);
    ck_assert_uint_eq(count_entries(dir), 1);
    ck_assert_int_eq(kkp_check(t, "alice@example.com", "billing"), KKP_ALLOW);
    kkp_table_close(t);
    ck_assert_int_eq(kkp_table_open(path, KKP_OPEN_VERIFY, &t, &err), KKP_OK);
    verify_table(&tp2, t, NULL);
    kkp_table_close(t);

    tpolicy_release(&tp);
    tpolicy_release(&tp2);
    free(img.data);
    free(img2.data);
    free(text);
    free(path);
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(write_file_into_missing_folder)
{
    char *dir = tdir_new();
    char *path = path_in(dir, "no/such/folder/policy.kkpt");
    static const unsigned char bytes[16] = {1, 2, 3};
    char errbuf[512];

    errbuf[0] = '\0';
    ck_assert_int_eq(table_write_file(path, bytes, sizeof(bytes), errbuf, sizeof(errbuf)), -1);
    ck_assert_msg(strstr(errbuf, path) != NULL, "message: %s", errbuf);
    ck_assert_uint_eq(count_entries(dir), 0);
    free(path);
    remove_tree(dir);
    free(dir);
}
END_TEST

/* ---- NULL and out-of-range arguments ---- */

START_TEST(null_arguments)
{
    char *text = small_policy();
    struct tpolicy tp;
    struct table_image img;
    struct kkp_table *t = NULL;
    struct kkp_error err;
    struct kkp_bit bit = {0, 0};
    struct kkp_permission_info info;
    uint64_t words[2], digest[2] = {1, 1};
    const char *id, *name;
    size_t id_len;

    compile_text(&tp, text, NULL, &img);

    ck_assert_int_eq(kkp_table_open(NULL, 0, &t, &err), KKP_EINVAL);
    ck_assert_int_eq(err.code, KKP_EINVAL);
    ck_assert_int_eq(kkp_table_open("/nonexistent/x.kkpt", 0, NULL, &err), KKP_EINVAL);
    ck_assert_int_eq(kkp_table_open(NULL, 0, NULL, NULL), KKP_EINVAL);
    ck_assert_int_eq(kkp_table_open_buffer(NULL, 128, 0, &t, &err), KKP_EINVAL);
    ck_assert_ptr_null(t);
    ck_assert_int_eq(kkp_table_open_buffer(img.data, img.size, 0, NULL, &err), KKP_EINVAL);
    ck_assert_int_eq(kkp_table_open_buffer(NULL, 0, 0, NULL, NULL), KKP_EINVAL);
    kkp_table_close(NULL);

    /* Every query on a NULL table. */
    ck_assert_int_eq(kkp_permission(NULL, "a", &bit), KKP_EINVAL);
    ck_assert_int_eq(kkp_check_bit(NULL, "m", 1, bit), KKP_UNKNOWN_PERMISSION);
    ck_assert_int_eq(kkp_check(NULL, "m", "a"), KKP_UNKNOWN_PERMISSION);
    ck_assert_uint_eq(kkp_permission_count(NULL), 0);
    ck_assert_int_eq(kkp_permission_info(NULL, 0, &info), KKP_EINVAL);
    ck_assert_uint_eq(kkp_catalog_fingerprint(NULL), 0);
    ck_assert_uint_eq(kkp_mask_words(NULL), 0);
    ck_assert_int_eq(kkp_member_mask(NULL, "m", 1, words, 2), KKP_EINVAL);
    ck_assert_uint_eq(kkp_member_count(NULL), 0);
    ck_assert_int_eq(kkp_member_at(NULL, 0, &id, &id_len, NULL, 0), KKP_EINVAL);
    ck_assert_uint_eq(kkp_role_count(NULL), 0);
    ck_assert_int_eq(kkp_role_at(NULL, 0, &name, NULL, NULL, 0), KKP_EINVAL);
    kkp_source_digest(NULL, digest);
    ck_assert_uint_eq(digest[0], 0);
    ck_assert_uint_eq(digest[1], 0);
    kkp_source_digest(NULL, NULL);
    ck_assert_ptr_null(kkp_revision(NULL));

    /* NULL arguments on an open table. */
    ck_assert_int_eq(kkp_table_open_buffer(img.data, img.size, 0, &t, NULL), KKP_OK);
    ck_assert_int_eq(kkp_permission(t, NULL, &bit), KKP_EINVAL);
    ck_assert_int_eq(kkp_permission(t, "a", NULL), KKP_EINVAL);
    ck_assert_int_eq(kkp_permission(t, "a", &bit), KKP_OK);
    ck_assert_int_eq(kkp_check_bit(t, NULL, 5, bit), KKP_UNKNOWN_MEMBER);
    ck_assert_int_eq(kkp_check_bit(t, NULL, 0, bit), KKP_UNKNOWN_MEMBER);
    ck_assert_int_eq(kkp_check(t, NULL, "a"), KKP_UNKNOWN_MEMBER);
    ck_assert_int_eq(kkp_check(t, "alice@example.com", NULL), KKP_UNKNOWN_PERMISSION);
    ck_assert_int_eq(kkp_permission_info(t, 0, NULL), KKP_EINVAL);
    ck_assert_int_eq(kkp_permission_info(t, UINT32_MAX, &info), KKP_ENOTFOUND);
    ck_assert_int_eq(kkp_member_mask(t, NULL, 3, words, 2), KKP_EINVAL);
    ck_assert_int_eq(kkp_member_mask(t, "alice@example.com", 17, NULL, 2), KKP_EINVAL);
    ck_assert_int_eq(kkp_member_mask(t, "alice@example.com", 17, words, 1), KKP_ERANGE);
    ck_assert_int_eq(kkp_member_mask(t, "alice@example.com", 17, words, 2), KKP_OK);
    ck_assert_int_eq(kkp_member_at(t, 0, NULL, &id_len, NULL, 0), KKP_EINVAL);
    ck_assert_int_eq(kkp_member_at(t, 0, &id, NULL, NULL, 0), KKP_EINVAL);
    ck_assert_int_eq(kkp_member_at(t, 0, &id, &id_len, words, 1), KKP_ERANGE);
    ck_assert_int_eq(kkp_member_at(t, 0, &id, &id_len, NULL, 0), KKP_OK);
    ck_assert_int_eq(kkp_member_at(t, UINT64_MAX, &id, &id_len, NULL, 0), KKP_ENOTFOUND);
    ck_assert_int_eq(kkp_role_at(t, 0, NULL, NULL, NULL, 0), KKP_OK);
    ck_assert_int_eq(kkp_role_at(t, UINT32_MAX, NULL, NULL, NULL, 0), KKP_ENOTFOUND);
    kkp_source_digest(t, NULL);
    kkp_table_close(t);

    tpolicy_release(&tp);
    free(img.data);
    free(text);
}
END_TEST

START_TEST(strerror_every_code)
{
    static const int codes[] = {KKP_OK,         KKP_EINVAL, KKP_EIO,       KKP_ENOMEM,
                                KKP_ETRUNCATED, KKP_EMAGIC, KKP_EVERSION,  KKP_ECHECKSUM,
                                KKP_ECORRUPT,   KKP_EALIGN, KKP_ENOTFOUND, KKP_ERANGE};
    size_t n = sizeof(codes) / sizeof(codes[0]);

    for (size_t i = 0; i < n; i++) {
        const char *s = kkp_strerror(codes[i]);

        ck_assert_ptr_nonnull(s);
        ck_assert_uint_gt(strlen(s), 0);
        for (size_t k = 0; k < i; k++)
            ck_assert_str_ne(s, kkp_strerror(codes[k]));
    }
    ck_assert_ptr_nonnull(kkp_strerror(-1));
    ck_assert_ptr_nonnull(kkp_strerror(1000));
}
END_TEST

Suite *suite_table(void)
{
    Suite *s = suite_create("table");
    TCase *round = tcase_create("round trip");
    TCase *reject = tcase_create("rejected");
    TCase *lookup = tcase_create("lookup");
    TCase *files = tcase_create("files");

    tcase_add_test(round, round_trip_buffer);
    tcase_add_test(round, catalog_info_fields);
    tcase_add_test(round, revision_present_and_absent);
    tcase_add_test(round, empty_policy_round_trip);
    tcase_add_test(round, member_only_policy_round_trip);
    tcase_add_test(round, source_digest_stable_and_sensitive);
    tcase_add_test(round, source_digest_whitespace_changes);
    tcase_add_test(round, deterministic_bytes);
    suite_add_tcase(s, round);

    /* The byte sweeps open the table thousands of times, so sanitizer builds
     * need more than Check's default 4 seconds. */
    tcase_set_timeout(reject, 120);
    tcase_add_test(reject, truncated_below_header);
    tcase_add_test(reject, truncated_above_header);
    tcase_add_test(reject, truncated_file);
    tcase_add_test(reject, flipped_byte_fails_checksum);
    tcase_add_test(reject, flipped_byte_without_verify);
    tcase_add_test(reject, wrong_magic);
    tcase_add_test(reject, version_checks);
    tcase_add_test(reject, unaligned_buffer);
    tcase_add_test(reject, corrupt_structure);
    tcase_add_test(reject, corrupt_members_caught_at_lookup);
    suite_add_tcase(s, reject);

    tcase_add_test(lookup, bit_from_other_catalog);
    tcase_add_test(lookup, unknown_member_never_allowed);
    tcase_add_test(lookup, null_arguments);
    tcase_add_test(lookup, strerror_every_code);
    suite_add_tcase(s, lookup);

    tcase_add_test(files, open_missing_path_and_folder);
    tcase_add_test(files, write_file_round_trip);
    tcase_add_test(files, write_file_into_missing_folder);
    suite_add_tcase(s, files);
    return s;
}
