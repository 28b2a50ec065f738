/* The product's limits (docs/limits.md): each is accepted at its value and
 * rejected one past it with an error that names the limit. `make
 * check-limits` also runs this suite in a build with a lowered member limit
 * and file-size limit (KKP_MAX_MEMBERS, KKP_MAX_FILE_SIZE), where the
 * member and file tests reach the limit itself. */
#include <check.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kkp_limits.h"
#include "kkpol.h"
#include "lower.h"
#include "testlib.h"

/* A growing policy text. */
struct buf {
    char *data;
    size_t len, cap;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->data = realloc(b->data, b->cap);
        ck_assert_ptr_nonnull(b->data);
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Loads text and checks that it has no errors, or exactly one error whose
 * message contains expect. */
static void check_policy(const char *text, const char *expect)
{
    struct tpolicy tp;

    tpolicy_text(&tp, text);
    if (!expect) {
        if (tpolicy_errors(&tp))
            tpolicy_dump(&tp);
        ck_assert_uint_eq(tpolicy_errors(&tp), 0);
    } else {
        ck_assert_msg(tpolicy_find(&tp, expect) != NULL, "no error containing '%s'", expect);
        ck_assert_uint_eq(tpolicy_errors(&tp), 1);
    }
    tpolicy_release(&tp);
}

static void permissions_policy(struct buf *b, int count)
{
    for (int i = 0; i < count; i++)
        put(b, "permission p%d;\n", i);
}

START_TEST(permissions_at_limit)
{
    struct buf b = {0};
    struct tpolicy tp;
    struct table_image img;
    struct kkp_table *t;

    permissions_policy(&b, KKP_MAX_PERMISSIONS);
    put(&b, "member \"m\" { grant *; }\n");
    tpolicy_text(&tp, b.data);
    ck_assert_uint_eq(tpolicy_errors(&tp), 0);
    lower_policy(&tp.pol, NULL, &img);
    ck_assert_int_eq(kkp_table_open_buffer(img.data, img.size, KKP_OPEN_VERIFY, &t, NULL), KKP_OK);
    ck_assert_uint_eq(kkp_permission_count(t), KKP_MAX_PERMISSIONS);
    ck_assert_int_eq(kkp_check(t, "m", "p4095"), KKP_ALLOW);
    kkp_table_close(t);
    free(img.data);
    tpolicy_release(&tp);
    free(b.data);
}
END_TEST

START_TEST(permissions_past_limit)
{
    struct buf b = {0};

    permissions_policy(&b, KKP_MAX_PERMISSIONS + 1);
    check_policy(b.data, "too many permissions; the limit is 4096");
    free(b.data);
}
END_TEST

static void roles_policy(struct buf *b, int count)
{
    put(b, "permission p;\n");
    for (int i = 0; i < count; i++)
        put(b, "role r%d { grant p; }\n", i);
}

START_TEST(roles_at_limit)
{
    struct buf b = {0};

    roles_policy(&b, KKP_MAX_ROLES);
    check_policy(b.data, NULL);
    free(b.data);
}
END_TEST

START_TEST(roles_past_limit)
{
    struct buf b = {0};

    roles_policy(&b, KKP_MAX_ROLES + 1);
    check_policy(b.data, "too many roles; the limit is 65535");
    free(b.data);
}
END_TEST

/* A chain r0 <- r1 <- ... <- r(depth-1); only r0 grants, so the member of
 * the last role holds p only through every link. */
static void chain_policy(struct buf *b, int depth, bool cycle)
{
    put(b, "permission p;\npermission q;\n");
    put(b, "role r0%s { grant p; }\n", cycle ? " : rlast" : "");
    for (int i = 1; i < depth; i++)
        put(b, "role r%d : r%d;\n", i, i - 1);
    put(b, "role rlast : r%d { grant q; }\nmember \"m\" : rlast;\n", depth - 1);
}

START_TEST(role_chain_deep)
{
    /* The longest chain the role limit allows: every role but rlast in it. */
    static const int depths[] = {10000, KKP_MAX_ROLES - 1};

    for (size_t k = 0; k < sizeof(depths) / sizeof(depths[0]); k++) {
        struct buf b = {0};
        struct tpolicy tp;

        chain_policy(&b, depths[k], false);
        tpolicy_text(&tp, b.data);
        ck_assert_uint_eq(tpolicy_errors(&tp), 0);
        ck_assert(tpolicy_member_has(&tp, "m", "p"));
        ck_assert(tpolicy_role_has(&tp, "rlast", "q"));
        tpolicy_release(&tp);
        free(b.data);
    }
}
END_TEST

START_TEST(role_cycle_deep)
{
    struct buf b = {0};

    chain_policy(&b, 10000, true);
    check_policy(b.data, "role cycle: 'r0' -> 'rlast' -> 'r9999'");
    free(b.data);
}
END_TEST

START_TEST(identifier_length_limit)
{
    char name[KKP_MAX_IDENT + 2], text[512];

    memset(name, 'a', KKP_MAX_IDENT);
    name[KKP_MAX_IDENT] = '\0';
    snprintf(text, sizeof(text), "permission %s;\nrole r { grant %s; }\n", name, name);
    check_policy(text, NULL);

    name[KKP_MAX_IDENT] = 'a';
    name[KKP_MAX_IDENT + 1] = '\0';
    snprintf(text, sizeof(text), "permission %s;\n", name);
    check_policy(text, "identifier is 129 bytes long; the limit is 128 bytes");
}
END_TEST

START_TEST(member_id_length_limit)
{
    char id[KKP_MAX_MEMBER_ID + 2], text[1024];

    memset(id, 'x', KKP_MAX_MEMBER_ID);
    id[KKP_MAX_MEMBER_ID] = '\0';
    snprintf(text, sizeof(text), "member \"%s\";\n", id);
    check_policy(text, NULL);

    /* The limit applies to the decoded id: 319 bytes and one escape is 320. */
    id[KKP_MAX_MEMBER_ID - 1] = '\0';
    snprintf(text, sizeof(text), "member \"%s\\\\\";\n", id);
    check_policy(text, NULL);

    memset(id, 'x', KKP_MAX_MEMBER_ID + 1);
    id[KKP_MAX_MEMBER_ID + 1] = '\0';
    snprintf(text, sizeof(text), "member \"%s\";\n", id);
    check_policy(text, "member id is 321 bytes long; the limit is 320 bytes");
}
END_TEST

static void members_policy(struct buf *b, long count)
{
    put(b, "permission p;\nrole r { grant p; }\n");
    for (long i = 0; i < count; i++)
        put(b, "member \"user%ld@example.com\" : r;\n", i);
}

/* At full scale 10,000,000 members take minutes and gigabytes, so the
 * default build compiles 100,000 and the lowered build tests the limit. */
START_TEST(members_many)
{
    long count = KKP_MAX_MEMBERS < 100000 ? KKP_MAX_MEMBERS : 100000;
    struct buf b = {0};
    struct tpolicy tp;
    struct table_image img;
    struct kkp_table *t;
    char last[64];

    members_policy(&b, count);
    tpolicy_text(&tp, b.data);
    ck_assert_uint_eq(tpolicy_errors(&tp), 0);
    lower_policy(&tp.pol, NULL, &img);
    ck_assert_int_eq(kkp_table_open_buffer(img.data, img.size, KKP_OPEN_VERIFY, &t, NULL), KKP_OK);
    ck_assert_uint_eq(kkp_member_count(t), (uint64_t)count);
    snprintf(last, sizeof(last), "user%ld@example.com", count - 1);
    ck_assert_int_eq(kkp_check(t, last, "p"), KKP_ALLOW);
    kkp_table_close(t);
    free(img.data);
    tpolicy_release(&tp);
    free(b.data);
}
END_TEST

START_TEST(members_past_limit)
{
    struct buf b = {0};
    char expect[80];

    if (KKP_MAX_MEMBERS > 100000)
        return; /* reached only in the lowered build of make check-limits */
    members_policy(&b, KKP_MAX_MEMBERS + 1);
    snprintf(expect, sizeof(expect), "too many members; the limit is %d", KKP_MAX_MEMBERS);
    check_policy(b.data, expect);
    free(b.data);
}
END_TEST

/* A file of size bytes: a sparse file past the default limit (nothing is
 * written), otherwise comment lines. */
static char *sized_file(const char *dir, off_t size)
{
    char *path = tfile_write(dir, "big.kkp", "");
    int fd = open(path, O_WRONLY);

    ck_assert_int_ge(fd, 0);
    if (size > 1 << 20) {
        ck_assert_int_eq(ftruncate(fd, size), 0);
    } else {
        char line[64];

        memset(line, ' ', sizeof(line));
        line[0] = '#';
        line[sizeof(line) - 1] = '\n';
        for (off_t left = size; left > 0; left -= (off_t)sizeof(line)) {
            size_t n = left < (off_t)sizeof(line) ? (size_t)left : sizeof(line);
            ck_assert_int_eq(write(fd, line + sizeof(line) - n, n), (ssize_t)n);
        }
    }
    close(fd);
    return path;
}

static void check_file(off_t size, bool accepted)
{
    char *dir = tdir_new();
    char *path = sized_file(dir, size);
    const char *paths[] = {path};
    struct tpolicy tp;

    tpolicy_files(&tp, paths, 1);
    if (accepted) {
        ck_assert_uint_eq(tpolicy_errors(&tp), 0);
    } else {
        ck_assert_uint_eq(tpolicy_errors(&tp), 1);
        ck_assert_ptr_nonnull(tpolicy_find(&tp, "is larger than the limit of"));
    }
    tpolicy_release(&tp);
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
}

START_TEST(file_size_limit)
{
    if (KKP_MAX_FILE_SIZE <= 1 << 20)
        check_file((off_t)KKP_MAX_FILE_SIZE, true);
    check_file((off_t)KKP_MAX_FILE_SIZE + 1, false);
}
END_TEST

START_TEST(errors_stop_at_max)
{
    struct buf b = {0};
    struct tpolicy tp;

    for (int i = 0; i < 2000; i++)
        put(&b, "role ;\n");
    tpolicy_text(&tp, b.data); /* the test sink stops at 1000 errors */
    ck_assert_uint_eq(tpolicy_errors(&tp), 1000);
    ck_assert(tp.sink.stopped);
    tpolicy_release(&tp);
    free(b.data);
}
END_TEST

Suite *suite_limits(void)
{
    Suite *s = suite_create("limits");
    TCase *tc = tcase_create("limits");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, permissions_at_limit);
    tcase_add_test(tc, permissions_past_limit);
    tcase_add_test(tc, roles_at_limit);
    tcase_add_test(tc, roles_past_limit);
    tcase_add_test(tc, role_chain_deep);
    tcase_add_test(tc, role_cycle_deep);
    tcase_add_test(tc, identifier_length_limit);
    tcase_add_test(tc, member_id_length_limit);
    tcase_add_test(tc, members_many);
    tcase_add_test(tc, members_past_limit);
    tcase_add_test(tc, file_size_limit);
    tcase_add_test(tc, errors_stop_at_max);
    suite_add_tcase(s, tc);
    return s;
}
