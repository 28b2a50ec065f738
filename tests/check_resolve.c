/* Name resolution, effective sets, imports and bit numbering. */
#include <check.h>
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kkp_limits.h"
#include "load.h"
#include "testlib.h"

/* A growing text buffer for generated policies. */
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

/* Formats into a new malloc'ed string. */
static char *format_alloc(const char *fmt, ...)
{
    va_list ap;
    char *s;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    ck_assert_int_ge(n, 0);
    s = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(s);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* Removes a folder made by tdir_new and everything under it (symlinks are not followed). */
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

static size_t count_diags(const struct tpolicy *tp, const char *text)
{
    size_t n = 0;

    for (size_t i = 0; i < tp->sink.len; i++) {
        if (strstr(tp->sink.items[i]->message, text))
            n++;
    }
    return n;
}

/* Returns the first diagnostic containing text. When there is none, it prints
 * every diagnostic and fails the test. */
static const struct diag *expect_diag(const struct tpolicy *tp, const char *text)
{
    const struct diag *d = tpolicy_find(tp, text);

    if (!d)
        tpolicy_dump(tp);
    ck_assert_msg(d != NULL, "no diagnostic contains \"%s\"", text);
    return d;
}

static void expect_clean(const struct tpolicy *tp)
{
    if (tpolicy_errors(tp) != 0 || !tp->resolved)
        tpolicy_dump(tp);
    ck_assert_uint_eq(tpolicy_errors(tp), 0);
    ck_assert(tp->resolved);
}

static struct line_col note_pos(const struct diag *d, size_t i)
{
    struct line_col none = {0, 0};

    ck_assert_uint_gt(d->nnotes, i);
    if (!d->notes[i].loc.src)
        return none;
    return source_line_col((struct source *)d->notes[i].loc.src, d->notes[i].loc.begin);
}

static void expect_pos(struct line_col pos, uint32_t line, uint32_t column)
{
    ck_assert_uint_eq(pos.line, line);
    ck_assert_uint_eq(pos.column, column);
}

/* ---- effective sets ---- */

START_TEST(member_grant_restores_role_revoke)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "permission a; permission b;\n"
                      "role base { grant a, b; }\n"
                      "role narrow : base { revoke b; }\n"
                      "member \"m\" : narrow { grant b; }\n"
                      "member \"n\" : narrow;\n");
    expect_clean(&tp);
    ck_assert(!tpolicy_role_has(&tp, "narrow", "b"));
    ck_assert(tpolicy_member_has(&tp, "m", "a"));
    ck_assert(tpolicy_member_has(&tp, "m", "b"));
    ck_assert(tpolicy_member_has(&tp, "n", "a"));
    ck_assert(!tpolicy_member_has(&tp, "n", "b"));
    tpolicy_release(&tp);
}
END_TEST

START_TEST(member_revoke_beats_role_grants)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "group g { permission a; permission b; }\n"
                      "role one { grant a; }\n"
                      "role two { grant g.*; }\n"
                      "role three : two { grant *; }\n"
                      "member \"m\" : one, two, three { revoke a; }\n");
    expect_clean(&tp);
    ck_assert(tpolicy_role_has(&tp, "one", "a"));
    ck_assert(tpolicy_role_has(&tp, "three", "a"));
    ck_assert(!tpolicy_member_has(&tp, "m", "a"));
    ck_assert(tpolicy_member_has(&tp, "m", "b"));
    tpolicy_release(&tp);
}
END_TEST

START_TEST(diamond_inheritance)
{
    struct tpolicy tp;

    /* bottom is declared first so that ordering must follow the parents. */
    tpolicy_text(&tp, "role bottom : left, right { grant d; }\n"
                      "role left : top { grant b; }\n"
                      "role right : top { grant c; revoke a; }\n"
                      "role top { grant a; }\n"
                      "permission a; permission b; permission c; permission d;\n"
                      "member \"m\" : bottom;\n");
    expect_clean(&tp);
    ck_assert(!tpolicy_role_has(&tp, "right", "a"));
    /* Union of the parents' effective sets: left still gives a. */
    ck_assert(tpolicy_role_has(&tp, "bottom", "a"));
    ck_assert(tpolicy_role_has(&tp, "bottom", "b"));
    ck_assert(tpolicy_role_has(&tp, "bottom", "c"));
    ck_assert(tpolicy_role_has(&tp, "bottom", "d"));
    ck_assert(tpolicy_member_has(&tp, "m", "a"));
    ck_assert(tpolicy_member_has(&tp, "m", "d"));
    /* Each role is ordered once, every parent before its children. */
    ck_assert_uint_eq(tp.pol.nrole_order, 4);
    ck_assert_uint_eq(tp.pol.role_order[0], 3); /* top */
    ck_assert_uint_eq(tp.pol.role_order[3], 0); /* bottom */
    tpolicy_release(&tp);
}
END_TEST

START_TEST(parent_revoke_child_grant)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "group g { permission a; permission b; }\n"
                      "role parent { grant g.*; revoke b; }\n"
                      "role child : parent { grant b; }\n"
                      "role grandchild : child;\n"
                      "member \"m\" : parent;\n");
    expect_clean(&tp);
    ck_assert(tpolicy_role_has(&tp, "parent", "a"));
    ck_assert(!tpolicy_role_has(&tp, "parent", "b"));
    ck_assert(tpolicy_role_has(&tp, "child", "a"));
    ck_assert(tpolicy_role_has(&tp, "child", "b"));
    ck_assert(tpolicy_role_has(&tp, "grandchild", "b"));
    ck_assert(!tpolicy_member_has(&tp, "m", "b"));
    tpolicy_release(&tp);
}
END_TEST

START_TEST(wildcards_cover_later_and_imported)
{
    char *dir = tdir_new();
    char *main_path, *lib_path;
    struct tpolicy tp;

    main_path = tfile_write(dir, "main.kkp",
                            "role grp { grant g.*; }\n"
                            "role everything { grant *; }\n"
                            "member \"m\" { grant g.*; }\n"
                            "import \"lib.kkp\";\n"
                            "permission late;\n");
    lib_path = tfile_write(dir, "lib.kkp",
                           "group g { permission g1; permission g2; }\n"
                           "permission other;\n");
    tpolicy_files(&tp, (const char *const[]){main_path}, 1);
    expect_clean(&tp);
    ck_assert_uint_eq(tp.pol.nbits, 4);
    ck_assert(tpolicy_role_has(&tp, "grp", "g1"));
    ck_assert(tpolicy_role_has(&tp, "grp", "g2"));
    ck_assert(!tpolicy_role_has(&tp, "grp", "other"));
    ck_assert(!tpolicy_role_has(&tp, "grp", "late"));
    ck_assert(tpolicy_role_has(&tp, "everything", "g1"));
    ck_assert(tpolicy_role_has(&tp, "everything", "g2"));
    ck_assert(tpolicy_role_has(&tp, "everything", "other"));
    ck_assert(tpolicy_role_has(&tp, "everything", "late"));
    ck_assert(tpolicy_member_has(&tp, "m", "g2"));
    ck_assert(!tpolicy_member_has(&tp, "m", "late"));
    tpolicy_release(&tp);
    free(main_path);
    free(lib_path);
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(star_covers_word_boundary)
{
    struct text t = {0};
    struct tpolicy tp;

    /* 130 permissions: * must set every bit of three mask words and nothing past the last. */
    text_add(&t, "role all { grant *; }\nrole none { grant *; revoke *; }\n");
    for (int i = 0; i < 130; i++)
        text_add(&t, "permission p%d;\n", i);
    tpolicy_text(&tp, t.data);
    expect_clean(&tp);
    ck_assert_uint_eq(tp.pol.words, 3);
    ck_assert(tpolicy_role_has(&tp, "all", "p0"));
    ck_assert(tpolicy_role_has(&tp, "all", "p63"));
    ck_assert(tpolicy_role_has(&tp, "all", "p64"));
    ck_assert(tpolicy_role_has(&tp, "all", "p129"));
    ck_assert(!tpolicy_role_has(&tp, "none", "p129"));
    ck_assert_uint_eq(policy_role_mask(&tp.pol, 0)[2], 0x3);
    tpolicy_release(&tp);
    free(t.data);
}
END_TEST

START_TEST(grant_and_revoke_same_name)
{
    struct tpolicy tp;
    const struct diag *d;

    tpolicy_text(&tp, "permission a;\n"
                      "role r {\n"
                      "    grant a;\n"
                      "    revoke a;\n"
                      "}\n");
    ck_assert_uint_eq(tpolicy_errors(&tp), 1);
    d = expect_diag(&tp, "'a' is both granted and revoked in this block");
    ck_assert_ptr_null(d->rule);
    expect_pos(tdiag_pos(d), 4, 12);
    ck_assert_uint_eq(d->nnotes, 1);
    ck_assert_str_eq(d->notes[0].message, "'a' is granted here");
    expect_pos(note_pos(d, 0), 3, 11);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(grant_and_revoke_same_name_member)
{
    struct tpolicy tp;
    const struct diag *d;

    tpolicy_text(&tp, "permission a; permission b;\n"
                      "member \"m\" { grant b; grant a; revoke b, a; }\n");
    ck_assert_uint_eq(tpolicy_errors(&tp), 2);
    d = expect_diag(&tp, "'a' is both granted and revoked");
    expect_pos(tdiag_pos(d), 2, 42);
    expect_pos(note_pos(d, 0), 2, 29);
    d = expect_diag(&tp, "'b' is both granted and revoked");
    expect_pos(tdiag_pos(d), 2, 39);
    expect_pos(note_pos(d, 0), 2, 20);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(revoke_carves_from_wildcard)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "group g { permission a; permission b; }\n"
                      "permission c;\n"
                      "role r { grant g.*; revoke a; }\n"
                      "role s { grant *; revoke g.*; }\n"
                      "role t { grant a, c; revoke g.*; }\n"
                      "member \"m\" { grant *; revoke c; }\n");
    expect_clean(&tp);
    ck_assert(!tpolicy_role_has(&tp, "r", "a"));
    ck_assert(tpolicy_role_has(&tp, "r", "b"));
    ck_assert(!tpolicy_role_has(&tp, "s", "a"));
    ck_assert(!tpolicy_role_has(&tp, "s", "b"));
    ck_assert(tpolicy_role_has(&tp, "s", "c"));
    ck_assert(!tpolicy_role_has(&tp, "t", "a"));
    ck_assert(tpolicy_role_has(&tp, "t", "c"));
    ck_assert(tpolicy_member_has(&tp, "m", "a"));
    ck_assert(!tpolicy_member_has(&tp, "m", "c"));
    tpolicy_release(&tp);
}
END_TEST

/* ---- duplicate definitions ---- */

START_TEST(duplicate_definitions)
{
    struct tpolicy tp;
    const struct diag *d;

    tpolicy_text(&tp, "group g { permission a; }\n"   /* 1 */
                      "permission b;\n"               /* 2 */
                      "role r;\n"                     /* 3 */
                      "member \"m\";\n"               /* 4 */
                      "group g { permission c; }\n"   /* 5 */
                      "permission a;\n"               /* 6 */
                      "role r { grant b; }\n"         /* 7 */
                      "member \"m\" { grant b; }\n"); /* 8 */
    ck_assert_uint_eq(tpolicy_errors(&tp), 4);

    d = expect_diag(&tp, "group 'g' is defined twice");
    expect_pos(tdiag_pos(d), 5, 7);
    ck_assert_str_eq(d->notes[0].message, "'g' is first defined here");
    expect_pos(note_pos(d, 0), 1, 7);

    d = expect_diag(&tp, "permission 'a' is defined twice");
    expect_pos(tdiag_pos(d), 6, 12);
    expect_pos(note_pos(d, 0), 1, 22);

    d = expect_diag(&tp, "role 'r' is defined twice");
    expect_pos(tdiag_pos(d), 7, 6);
    expect_pos(note_pos(d, 0), 3, 6);

    d = expect_diag(&tp, "member \"m\" is defined twice");
    expect_pos(tdiag_pos(d), 8, 8);
    ck_assert_str_eq(d->notes[0].message, "\"m\" is first defined here");
    expect_pos(note_pos(d, 0), 4, 8);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(duplicate_permission_across_files)
{
    char *dir = tdir_new();
    char *main_path, *lib_path;
    struct tpolicy tp;
    const struct diag *d;

    /* main.kkp's 'p' comes first in expansion order, so lib.kkp's is the duplicate. */
    main_path = tfile_write(dir, "main.kkp", "permission p;\nimport \"lib.kkp\";\n");
    lib_path = tfile_write(dir, "lib.kkp", "# library\npermission p;\n");
    tpolicy_files(&tp, (const char *const[]){main_path}, 1);
    ck_assert_uint_eq(tpolicy_errors(&tp), 1);
    d = expect_diag(&tp, "permission 'p' is defined twice");
    ck_assert_str_eq(d->loc.src->path, lib_path);
    expect_pos(tdiag_pos(d), 2, 12);
    ck_assert_ptr_nonnull(d->notes[0].loc.src);
    ck_assert_str_eq(d->notes[0].loc.src->path, main_path);
    expect_pos(note_pos(d, 0), 1, 12);
    tpolicy_release(&tp);
    free(main_path);
    free(lib_path);
    remove_tree(dir);
    free(dir);
}
END_TEST

/* ---- parent cycles and deep chains ---- */

START_TEST(role_cycle_names_whole_cycle)
{
    struct tpolicy tp;
    const struct diag *d;

    tpolicy_text(&tp, "role a : b;\n"
                      "role b : c;\n"
                      "role c : a;\n"
                      "role d : a;\n");
    ck_assert_uint_eq(tpolicy_errors(&tp), 1);
    d = expect_diag(&tp, "role cycle: 'a' -> 'b' -> 'c' -> 'a'");
    ck_assert_ptr_nonnull(strstr(d->message, "a role cannot inherit from itself"));
    /* Reported at the reference that closes the cycle, with a note per other edge. */
    expect_pos(tdiag_pos(d), 3, 10);
    ck_assert_uint_eq(d->nnotes, 2);
    ck_assert_str_eq(d->notes[0].message, "'a' inherits from 'b' here");
    expect_pos(note_pos(d, 0), 1, 10);
    ck_assert_str_eq(d->notes[1].message, "'b' inherits from 'c' here");
    expect_pos(note_pos(d, 1), 2, 10);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(role_self_parent)
{
    struct tpolicy tp;
    const struct diag *d;

    tpolicy_text(&tp, "permission p;\nrole a : a { grant p; }\n");
    ck_assert_uint_eq(tpolicy_errors(&tp), 1);
    d = expect_diag(&tp, "role cycle: 'a' -> 'a';");
    expect_pos(tdiag_pos(d), 2, 10);
    ck_assert_uint_eq(d->nnotes, 0);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(two_role_cycles_reported_once_each)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "role a : b;\nrole b : a;\nrole x : y, x;\nrole y : x;\n");
    ck_assert_uint_eq(count_diags(&tp, "role cycle:"), 3);
    expect_diag(&tp, "role cycle: 'a' -> 'b' -> 'a';");
    expect_diag(&tp, "role cycle: 'x' -> 'y' -> 'x';");
    expect_diag(&tp, "role cycle: 'x' -> 'x';");
    tpolicy_release(&tp);
}
END_TEST

/* Builds a chain r0 : r1 : ... : r(depth-1), declared child first so that the
 * parent-first ordering has to walk the whole chain from r0. */
static void deep_chain(struct text *t, int depth, bool close_cycle)
{
    text_add(t, "permission p;\nmember \"m\" : r0;\n");
    for (int i = 0; i < depth - 1; i++)
        text_add(t, "role r%d : r%d;\n", i, i + 1);
    if (close_cycle)
        text_add(t, "role r%d : r0 { grant p; }\n", depth - 1);
    else
        text_add(t, "role r%d { grant p; }\n", depth - 1);
}

START_TEST(role_chain_10000_deep)
{
    struct text t = {0};
    struct tpolicy tp;

    deep_chain(&t, 10000, false);
    tpolicy_text(&tp, t.data);
    expect_clean(&tp);
    ck_assert_uint_eq(tp.pol.nrole_order, 10000);
    ck_assert(tpolicy_role_has(&tp, "r0", "p"));
    ck_assert(tpolicy_role_has(&tp, "r5000", "p"));
    ck_assert(tpolicy_member_has(&tp, "m", "p"));
    tpolicy_release(&tp);
    free(t.data);
}
END_TEST

struct load_job {
    struct tpolicy *tp;
    const char *text;
};

static void *load_job_run(void *arg)
{
    struct load_job *job = arg;

    tpolicy_text(job->tp, job->text);
    return NULL;
}

/* Loads and resolves text on a thread with a 512 KiB stack. Recursion once
 * per role of a 65,535-deep chain needs at least 16 bytes a level on x86-64,
 * 1 MiB in all, so a crash here means some stage recursed on the C stack. */
static void load_on_small_stack(struct tpolicy *tp, const char *text)
{
    struct load_job job = {tp, text};
    pthread_attr_t attr;
    pthread_t thread;

    ck_assert_int_eq(pthread_attr_init(&attr), 0);
    ck_assert_int_eq(pthread_attr_setstacksize(&attr, 512 * 1024), 0);
    ck_assert_int_eq(pthread_create(&thread, &attr, load_job_run, &job), 0);
    ck_assert_int_eq(pthread_join(thread, NULL), 0);
    pthread_attr_destroy(&attr);
}

/* The role limit is also the deepest possible chain. */
START_TEST(role_chain_at_role_limit)
{
    struct text t = {0};
    struct tpolicy tp;

    deep_chain(&t, KKP_MAX_ROLES, false);
    load_on_small_stack(&tp, t.data);
    expect_clean(&tp);
    ck_assert_uint_eq(tp.pol.nrole_order, KKP_MAX_ROLES);
    ck_assert(tpolicy_member_has(&tp, "m", "p"));
    tpolicy_release(&tp);
    free(t.data);
}
END_TEST

START_TEST(role_chain_100000_deep)
{
    struct text t = {0};
    struct tpolicy tp;
    const struct diag *d;
    char expect[64];

    /* Past the role limit: an error that names the limit, and no crash. */
    ck_assert_int_lt(KKP_MAX_ROLES, 100000);
    deep_chain(&t, 100000, false);
    load_on_small_stack(&tp, t.data);
    ck_assert_uint_ge(tpolicy_errors(&tp), 1);
    ck_assert_uint_eq(count_diags(&tp, "too many roles"), 1);
    snprintf(expect, sizeof(expect), "too many roles; the limit is %d", KKP_MAX_ROLES);
    d = expect_diag(&tp, expect);
    /* Two lines come before r0, so role index KKP_MAX_ROLES is on line KKP_MAX_ROLES + 3. */
    expect_pos(tdiag_pos(d), KKP_MAX_ROLES + 3, 6);
    tpolicy_release(&tp);
    free(t.data);
}
END_TEST

START_TEST(role_cycle_at_role_limit)
{
    struct text t = {0};
    struct tpolicy tp;
    const struct diag *d;
    char tail[96];

    deep_chain(&t, KKP_MAX_ROLES, true);
    load_on_small_stack(&tp, t.data);
    ck_assert_uint_eq(tpolicy_errors(&tp), 1);
    d = expect_diag(&tp, "role cycle: 'r0' -> 'r1' -> 'r2' -> ");
    snprintf(tail, sizeof(tail), " -> 'r%d' -> 'r%d' -> 'r0'; a role cannot", KKP_MAX_ROLES - 2,
             KKP_MAX_ROLES - 1);
    ck_assert_ptr_nonnull(strstr(d->message, tail));
    ck_assert_uint_gt(strlen(d->message), (size_t)KKP_MAX_ROLES * 6);
    ck_assert_uint_eq(d->nnotes, KKP_MAX_ROLES - 1);
    tpolicy_release(&tp);
    free(t.data);
}
END_TEST

/* ---- unknown names and suggestions ---- */

START_TEST(unknown_permission_suggestion)
{
    struct tpolicy tp;
    const struct diag *d;

    tpolicy_text(&tp, "permission analytics;\n"
                      "role r { grant analytcs; }\n");
    ck_assert_uint_eq(tpolicy_errors(&tp), 1);
    d = expect_diag(&tp, "unknown permission 'analytcs'; did you mean 'analytics'?");
    expect_pos(tdiag_pos(d), 2, 16);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(suggestion_distance_limit)
{
    static const struct {
        const char *name;
        const char *suggestion; /* NULL: none */
    } cases[] = {
        {"analytcs", "analytics"}, /* length 8, limit 2, distance 1 */
        {"anlytcs", "analytics"},  /* length 7, limit 2, distance 2 */
        {"anlytc", NULL},          /* length 6, limit 2, distance 3 */
        {"chtas", "chats"},        /* length 5, limit 1: a transposition is one edit */
        {"gx", "go"},              /* length 2: the limit is max(1, 0) = 1 */
        {"xy", NULL},              /* distance 2 to "go" */
        {"o", "go"},               /* length 1, limit 1 */
        {"anal", NULL},            /* length 4, limit 1: five deletions */
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[256], expect[256];
        struct tpolicy tp;
        const struct diag *d;

        snprintf(text, sizeof(text),
                 "permission analytics; permission go; permission chats;\n"
                 "role r { grant %s; }\n",
                 cases[i].name);
        tpolicy_text(&tp, text);
        ck_assert_uint_eq(tpolicy_errors(&tp), 1);
        snprintf(expect, sizeof(expect), "unknown permission '%s'", cases[i].name);
        d = expect_diag(&tp, expect);
        if (cases[i].suggestion) {
            snprintf(expect, sizeof(expect), "unknown permission '%s'; did you mean '%s'?",
                     cases[i].name, cases[i].suggestion);
            ck_assert_str_eq(d->message, expect);
        } else {
            ck_assert_msg(strstr(d->message, "did you mean") == NULL, "'%s' got: %s", cases[i].name,
                          d->message);
        }
        tpolicy_release(&tp);
    }
}
END_TEST

START_TEST(suggestion_tie_earlier_declaration)
{
    struct tpolicy tp;

    /* "cax" is one edit from both "car" and "cat". */
    tpolicy_text(&tp, "permission car; permission cat;\nrole r { grant cax; }\n");
    expect_diag(&tp, "unknown permission 'cax'; did you mean 'car'?");
    tpolicy_release(&tp);
    tpolicy_text(&tp, "permission cat; permission car;\nrole r { grant cax; }\n");
    expect_diag(&tp, "unknown permission 'cax'; did you mean 'cat'?");
    tpolicy_release(&tp);

    tpolicy_text(&tp, "role car; role cat;\nrole r : cax;\n");
    expect_diag(&tp, "unknown role 'cax'; did you mean 'car'?");
    tpolicy_release(&tp);
    tpolicy_text(&tp, "role cat; role car;\nrole r : cax;\n");
    expect_diag(&tp, "unknown role 'cax'; did you mean 'cat'?");
    tpolicy_release(&tp);

    tpolicy_text(&tp, "group car {} group cat {}\nrole r { grant cax.*; }\n");
    expect_diag(&tp, "unknown group 'cax'; did you mean 'car'?");
    tpolicy_release(&tp);

    tpolicy_text(&tp, "member \"bob@example.com\"; member \"rob@example.com\";\n"
                      "assert member \"cob@example.com\" cannot *;\n");
    expect_diag(&tp, "unknown member \"cob@example.com\"; did you mean \"bob@example.com\"?");
    tpolicy_release(&tp);
    tpolicy_text(&tp, "member \"rob@example.com\"; member \"bob@example.com\";\n"
                      "assert member \"cob@example.com\" cannot *;\n");
    expect_diag(&tp, "unknown member \"cob@example.com\"; did you mean \"rob@example.com\"?");
    tpolicy_release(&tp);
}
END_TEST

START_TEST(suggestion_tie_permission_expansion_order)
{
    char *dir = tdir_new();
    char *main_path, *lib_path;
    struct tpolicy tp;

    /* 'car' is parsed later but expanded (numbered) first, so it is the earlier declaration. */
    main_path = tfile_write(dir, "main.kkp",
                            "import \"lib.kkp\";\npermission cat;\nrole r { grant cax; }\n");
    lib_path = tfile_write(dir, "lib.kkp", "permission car;\n");
    tpolicy_files(&tp, (const char *const[]){main_path}, 1);
    expect_diag(&tp, "unknown permission 'cax'; did you mean 'car'?");
    tpolicy_release(&tp);
    free(main_path);
    free(lib_path);
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(unknown_group_role_member)
{
    struct tpolicy tp;
    const struct diag *d;

    tpolicy_text(&tp, "group analytics { permission reports; }\n"          /* 1 */
                      "role sales_manager;\n"                              /* 2 */
                      "member \"alice@example.com\" : sales_manger;\n"     /* 3 */
                      "role r { grant analytic.*; }\n"                     /* 4 */
                      "assert member \"alise@example.com\" can reports;\n" /* 5 */
                      "assert role sales_mnager cannot reports;\n"         /* 6 */
                      "assert member \"zed@corp.test\" can reports;\n"     /* 7 */
                      "role q : nothing_like_it;\n");                      /* 8 */
    ck_assert_uint_eq(tpolicy_errors(&tp), 6);
    d = expect_diag(&tp, "unknown role 'sales_manger'; did you mean 'sales_manager'?");
    expect_pos(tdiag_pos(d), 3, 30);
    d = expect_diag(&tp, "unknown group 'analytic'; did you mean 'analytics'?");
    expect_pos(tdiag_pos(d), 4, 16);
    d = expect_diag(&tp,
                    "unknown member \"alise@example.com\"; did you mean \"alice@example.com\"?");
    expect_pos(tdiag_pos(d), 5, 15);
    d = expect_diag(&tp, "unknown role 'sales_mnager'; did you mean 'sales_manager'?");
    expect_pos(tdiag_pos(d), 6, 13);
    d = expect_diag(&tp, "unknown member \"zed@corp.test\"");
    ck_assert_ptr_null(strstr(d->message, "did you mean"));
    d = expect_diag(&tp, "unknown role 'nothing_like_it'");
    ck_assert_ptr_null(strstr(d->message, "did you mean"));
    tpolicy_release(&tp);
}
END_TEST

START_TEST(unknown_rule_in_suppress)
{
    struct tpolicy tp;
    const struct diag *d;

    tpolicy_text(&tp, "role r;\n"
                      "suppress unused-rol for role r because \"kept\";\n"
                      "suppress frobnicate because \"no such rule\";\n"
                      "suppress unused-role for role rr because \"typo in the subject\";\n");
    ck_assert_uint_eq(tpolicy_errors(&tp), 3);
    d = expect_diag(&tp, "unknown rule 'unused-rol'; did you mean 'unused-role'?");
    expect_pos(tdiag_pos(d), 2, 10);
    d = expect_diag(&tp, "unknown rule 'frobnicate'");
    ck_assert_ptr_null(strstr(d->message, "did you mean"));
    expect_diag(&tp, "unknown role 'rr'; did you mean 'r'?");
    tpolicy_release(&tp);
}
END_TEST

START_TEST(group_used_as_permission)
{
    struct tpolicy tp;
    const struct diag *d;

    tpolicy_text(&tp, "group team { permission view_team; }\n"
                      "role r { grant team; }\n"
                      "role s { grant view_team.*; }\n");
    ck_assert_uint_eq(tpolicy_errors(&tp), 2);
    d = expect_diag(&tp, "unknown permission 'team'; 'team' is a group, write 'team.*'");
    expect_pos(tdiag_pos(d), 2, 16);
    expect_diag(&tp, "unknown group 'view_team'; 'view_team' is a permission, write 'view_team' "
                     "without '.*'");
    tpolicy_release(&tp);
}
END_TEST

START_TEST(unknown_names_in_constraints)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "permission billing; permission chats;\n"
                      "warn biling requires chats;\n"
                      "error at most 1 member with chatz;\n");
    ck_assert_uint_eq(tpolicy_errors(&tp), 2);
    expect_diag(&tp, "unknown permission 'biling'; did you mean 'billing'?");
    expect_diag(&tp, "unknown permission 'chatz'; did you mean 'chats'?");
    tpolicy_release(&tp);
}
END_TEST

START_TEST(suppress_unused_suppression_rejected)
{
    struct tpolicy tp;
    const struct diag *d;

    tpolicy_text(&tp, "suppress unused-suppression because \"quiet\";\n"
                      "suppress expired-suppression because \"quiet\";\n"
                      "suppress unused-role because \"allowed\";\n");
    ck_assert_uint_eq(tpolicy_errors(&tp), 2);
    d = expect_diag(&tp, "rule 'unused-suppression' cannot be suppressed");
    expect_pos(tdiag_pos(d), 1, 10);
    expect_diag(&tp, "rule 'expired-suppression' cannot be suppressed");
    tpolicy_release(&tp);
}
END_TEST

/* ---- files and bit numbering ---- */

START_TEST(bits_in_expansion_order)
{
    char *dir = tdir_new();
    char *paths[4];
    struct tpolicy tp;

    paths[0] = tfile_write(dir, "main.kkp",
                           "permission a;\n"
                           "group g { permission b; }\n"
                           "import \"lib/lib.kkp\";\n"
                           "permission f;\n");
    paths[1] =
        tfile_write(dir, "lib/lib.kkp", "permission c;\nimport \"deep.kkp\";\npermission e;\n");
    paths[2] = tfile_write(dir, "lib/deep.kkp", "permission d;\n");
    paths[3] = tfile_write(dir, "other.kkp", "permission g0;\n");

    tpolicy_files(&tp, (const char *const[]){paths[0], paths[3]}, 2);
    expect_clean(&tp);
    ck_assert_uint_eq(tp.ast.nfiles, 4);
    ck_assert_uint_eq(tpolicy_bit(&tp, "a"), 0);
    ck_assert_uint_eq(tpolicy_bit(&tp, "b"), 1);
    ck_assert_uint_eq(tpolicy_bit(&tp, "c"), 2);
    ck_assert_uint_eq(tpolicy_bit(&tp, "d"), 3);
    ck_assert_uint_eq(tpolicy_bit(&tp, "e"), 4);
    ck_assert_uint_eq(tpolicy_bit(&tp, "f"), 5);
    ck_assert_uint_eq(tpolicy_bit(&tp, "g0"), 6);
    tpolicy_release(&tp);

    /* Command-line order decides between named files. */
    tpolicy_files(&tp, (const char *const[]){paths[3], paths[0]}, 2);
    expect_clean(&tp);
    ck_assert_uint_eq(tpolicy_bit(&tp, "g0"), 0);
    ck_assert_uint_eq(tpolicy_bit(&tp, "a"), 1);
    ck_assert_uint_eq(tpolicy_bit(&tp, "f"), 6);
    tpolicy_release(&tp);

    /* A named file that an earlier one already imported is not expanded again. */
    tpolicy_files(&tp, (const char *const[]){paths[0], paths[1]}, 2);
    expect_clean(&tp);
    ck_assert_uint_eq(tp.ast.nfiles, 3);
    ck_assert_uint_eq(tpolicy_bit(&tp, "e"), 4);
    ck_assert_uint_eq(tp.pol.nbits, 6);
    tpolicy_release(&tp);

    /* Naming the imported file first numbers its permissions first. */
    tpolicy_files(&tp, (const char *const[]){paths[1], paths[0]}, 2);
    expect_clean(&tp);
    ck_assert_uint_eq(tpolicy_bit(&tp, "c"), 0);
    ck_assert_uint_eq(tpolicy_bit(&tp, "d"), 1);
    ck_assert_uint_eq(tpolicy_bit(&tp, "e"), 2);
    ck_assert_uint_eq(tpolicy_bit(&tp, "a"), 3);
    tpolicy_release(&tp);

    for (int i = 0; i < 4; i++)
        free(paths[i]);
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(import_through_different_paths_once)
{
    char *dir = tdir_new();
    char *paths[3];
    char *dotted;
    struct tpolicy tp;

    paths[0] = tfile_write(dir, "main.kkp",
                           "import \"lib/x.kkp\";\n"
                           "import \"./lib/x.kkp\";\n"
                           "import \"lib/../lib/x.kkp\";\n"
                           "import \"sub/y.kkp\";\n");
    paths[1] = tfile_write(dir, "lib/x.kkp", "permission p;\nrole r { grant p; }\n");
    paths[2] = tfile_write(dir, "sub/y.kkp", "import \"../lib/x.kkp\";\nmember \"m\" : r;\n");

    tpolicy_files(&tp, (const char *const[]){paths[0]}, 1);
    expect_clean(&tp);
    ck_assert_uint_eq(tp.ast.nfiles, 3);
    ck_assert_uint_eq(tp.ast.nroles, 1);
    ck_assert(tpolicy_member_has(&tp, "m", "p"));
    tpolicy_release(&tp);

    /* The same file named twice on the command line, and once more by another spelling. */
    dotted = format_alloc("%s/./lib/../main.kkp", dir);
    tpolicy_files(&tp, (const char *const[]){paths[0], paths[1], dotted, paths[0]}, 4);
    expect_clean(&tp);
    ck_assert_uint_eq(tp.ast.nfiles, 3);
    tpolicy_release(&tp);

    free(dotted);
    for (int i = 0; i < 3; i++)
        free(paths[i]);
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(import_symlink_and_real_path_once)
{
    char *dir = tdir_new();
    char *main_path, *real_path, *link_path, *hard_path, *link_dir;
    struct tpolicy tp;

    main_path = tfile_write(dir, "main.kkp",
                            "import \"link.kkp\";\n"
                            "import \"real/r.kkp\";\n"
                            "import \"hard.kkp\";\n"
                            "import \"linkdir/r.kkp\";\n"
                            "member \"m\" : r;\n");
    real_path = tfile_write(dir, "real/r.kkp", "permission p;\nrole r { grant p; }\n");
    link_path = format_alloc("%s/link.kkp", dir);
    hard_path = format_alloc("%s/hard.kkp", dir);
    link_dir = format_alloc("%s/linkdir", dir);
    ck_assert_int_eq(symlink("real/r.kkp", link_path), 0);
    ck_assert_int_eq(link(real_path, hard_path), 0);
    ck_assert_int_eq(symlink("real", link_dir), 0);

    tpolicy_files(&tp, (const char *const[]){main_path}, 1);
    expect_clean(&tp);
    ck_assert_uint_eq(tp.ast.nfiles, 2);
    /* The first path that reached the file is the one diagnostics show. */
    ck_assert_ptr_nonnull(strstr(tp.ast.files[1].src->path, "link.kkp"));
    ck_assert(tpolicy_member_has(&tp, "m", "p"));
    tpolicy_release(&tp);

    /* A symlink named on the command line next to its target. */
    tpolicy_files(&tp, (const char *const[]){real_path, link_path}, 2);
    expect_clean(&tp);
    ck_assert_uint_eq(tp.ast.nfiles, 1);
    tpolicy_release(&tp);

    free(main_path);
    free(real_path);
    free(link_path);
    free(hard_path);
    free(link_dir);
    remove_tree(dir);
    free(dir);
}
END_TEST

/* Checks that the message starts with the whole chain, followed by the end or by "; advice". */
static void expect_whole_chain(const struct diag *d, const char *chain)
{
    size_t len = strlen(chain);

    ck_assert_msg(strncmp(d->message, chain, len) == 0, "message: %s", d->message);
    ck_assert_msg(d->message[len] == '\0' || d->message[len] == ';', "message: %s", d->message);
}

START_TEST(import_cycle_names_chain)
{
    char *dir = tdir_new();
    char *a, *b, *c, *expect;
    struct tpolicy tp;
    const struct diag *d;

    a = tfile_write(dir, "a.kkp", "permission pa;\nimport \"b.kkp\";\n");
    b = tfile_write(dir, "b.kkp", "import \"c.kkp\";\n");
    c = tfile_write(dir, "c.kkp", "# closes the cycle\nimport \"a.kkp\";\npermission pc;\n");

    tpolicy_files(&tp, (const char *const[]){a}, 1);
    ck_assert_uint_eq(tpolicy_errors(&tp), 1);
    expect = format_alloc("import cycle: '%s' -> '%s' -> '%s' -> '%s'", a, b, c, a);
    d = expect_diag(&tp, expect);
    expect_whole_chain(d, expect);
    ck_assert_str_eq(d->loc.src->path, c);
    expect_pos(tdiag_pos(d), 2, 8);
    ck_assert_uint_eq(tp.ast.nfiles, 3);
    free(expect);
    tpolicy_release(&tp);

    free(a);
    free(b);
    free(c);
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(import_self_is_cycle)
{
    char *dir = tdir_new();
    char *a, *expect;
    struct tpolicy tp;
    const struct diag *d;

    a = tfile_write(dir, "a.kkp", "import \"a.kkp\";\n");
    tpolicy_files(&tp, (const char *const[]){a}, 1);
    ck_assert_uint_eq(tpolicy_errors(&tp), 1);
    expect = format_alloc("import cycle: '%s' -> '%s'", a, a);
    d = expect_diag(&tp, expect);
    expect_whole_chain(d, expect);
    expect_pos(tdiag_pos(d), 1, 8);
    free(expect);
    tpolicy_release(&tp);
    free(a);
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(missing_import_at_statement)
{
    char *dir = tdir_new();
    char *main_path, *expect;
    struct tpolicy tp;
    const struct diag *d;

    main_path = tfile_write(dir, "main.kkp", "permission p;\n  import \"sub/nope.kkp\";\n");
    tpolicy_files(&tp, (const char *const[]){main_path}, 1);
    ck_assert_uint_eq(tpolicy_errors(&tp), 1);
    expect = format_alloc("imported file '%s/sub/nope.kkp' not found", dir);
    d = expect_diag(&tp, expect);
    ck_assert_ptr_nonnull(d->loc.src);
    ck_assert_str_eq(d->loc.src->path, main_path);
    expect_pos(tdiag_pos(d), 2, 10);
    ck_assert_uint_eq(tp.ast.nfiles, 1);
    free(expect);
    tpolicy_release(&tp);
    free(main_path);
    remove_tree(dir);
    free(dir);
}
END_TEST

START_TEST(import_of_folder_rejected)
{
    char *dir = tdir_new();
    char *main_path, *inner;
    struct tpolicy tp;
    const struct diag *d;

    main_path = tfile_write(dir, "main.kkp", "import \"sub\";\n");
    inner = tfile_write(dir, "sub/x.kkp", "permission p;\n");
    tpolicy_files(&tp, (const char *const[]){main_path}, 1);
    ck_assert_uint_eq(tpolicy_errors(&tp), 1);
    d = expect_diag(&tp, "is not a regular file");
    expect_pos(tdiag_pos(d), 1, 8);
    tpolicy_release(&tp);
    free(main_path);
    free(inner);
    remove_tree(dir);
    free(dir);
}
END_TEST

Suite *suite_resolve(void)
{
    Suite *s = suite_create("resolve");
    TCase *sets = tcase_create("effective sets");
    TCase *names = tcase_create("names");
    TCase *deep = tcase_create("deep");
    TCase *files = tcase_create("files");

    tcase_add_test(sets, member_grant_restores_role_revoke);
    tcase_add_test(sets, member_revoke_beats_role_grants);
    tcase_add_test(sets, diamond_inheritance);
    tcase_add_test(sets, parent_revoke_child_grant);
    tcase_add_test(sets, wildcards_cover_later_and_imported);
    tcase_add_test(sets, star_covers_word_boundary);
    tcase_add_test(sets, grant_and_revoke_same_name);
    tcase_add_test(sets, grant_and_revoke_same_name_member);
    tcase_add_test(sets, revoke_carves_from_wildcard);
    suite_add_tcase(s, sets);

    tcase_add_test(names, duplicate_definitions);
    tcase_add_test(names, duplicate_permission_across_files);
    tcase_add_test(names, role_cycle_names_whole_cycle);
    tcase_add_test(names, role_self_parent);
    tcase_add_test(names, two_role_cycles_reported_once_each);
    tcase_add_test(names, unknown_permission_suggestion);
    tcase_add_test(names, suggestion_distance_limit);
    tcase_add_test(names, suggestion_tie_earlier_declaration);
    tcase_add_test(names, suggestion_tie_permission_expansion_order);
    tcase_add_test(names, unknown_group_role_member);
    tcase_add_test(names, unknown_rule_in_suppress);
    tcase_add_test(names, group_used_as_permission);
    tcase_add_test(names, unknown_names_in_constraints);
    tcase_add_test(names, suppress_unused_suppression_rejected);
    suite_add_tcase(s, names);

    /* Sanitizer builds can take longer than Check's default 4-second timeout
     * to parse and resolve 100,000 roles. */
    tcase_set_timeout(deep, 120);
    tcase_add_test(deep, role_chain_10000_deep);
    tcase_add_test(deep, role_chain_at_role_limit);
    tcase_add_test(deep, role_chain_100000_deep);
    tcase_add_test(deep, role_cycle_at_role_limit);
    suite_add_tcase(s, deep);

    tcase_add_test(files, bits_in_expansion_order);
    tcase_add_test(files, import_through_different_paths_once);
    tcase_add_test(files, import_symlink_and_real_path_once);
    tcase_add_test(files, import_cycle_names_chain);
    tcase_add_test(files, import_self_is_cycle);
    tcase_add_test(files, missing_import_at_statement);
    tcase_add_test(files, import_of_folder_rejected);
    suite_add_tcase(s, files);
    return s;
}
