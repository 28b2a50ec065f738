/* Policy diff: the comparison of two resolved policies and two tables. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "lower.h"
#include "testlib.h"

/* Two policies from text, their sides and the diff between them. */
struct pair {
    struct tpolicy old_policy, new_policy;
    struct diff_side old_side, new_side;
    struct diff_result res;
};

static void pair_diff(struct pair *p, const char *old_text, const char *new_text)
{
    tpolicy_text(&p->old_policy, old_text);
    tpolicy_text(&p->new_policy, new_text);
    if (tpolicy_errors(&p->old_policy) || tpolicy_errors(&p->new_policy)) {
        tpolicy_dump(&p->old_policy);
        tpolicy_dump(&p->new_policy);
        ck_abort_msg("a test policy has errors");
    }
    diff_side_from_policy(&p->old_side, &p->old_policy.pol);
    diff_side_from_policy(&p->new_side, &p->new_policy.pol);
    diff_compute(&p->old_side, &p->new_side, &p->res);
}

static void pair_release(struct pair *p)
{
    diff_result_release(&p->res);
    diff_side_release(&p->old_side);
    diff_side_release(&p->new_side);
    tpolicy_release(&p->old_policy);
    tpolicy_release(&p->new_policy);
}

static const struct diff_entry *find_entry(const struct diff_entry *entries, size_t n,
                                           const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (entries[i].name_len == strlen(name) && memcmp(entries[i].name, name, entries[i].name_len) == 0)
            return &entries[i];
    }
    ck_abort_msg("no diff entry for '%s'", name);
    return NULL;
}

/* The change of one permission in an entry, or NULL. */
static const struct diff_perm_change *find_change(const struct diff_result *res,
                                                  const struct diff_entry *e, const char *perm)
{
    for (uint32_t i = 0; i < e->changes.count; i++) {
        const struct diff_perm_change *c = &res->changes[e->changes.start + i];

        if (strcmp(c->perm, perm) == 0)
            return c;
    }
    return NULL;
}

static const struct diff_catalog_change *find_catalog(const struct diff_result *res,
                                                      enum diff_catalog_kind kind)
{
    for (size_t i = 0; i < res->ncatalog; i++) {
        if (res->catalog[i].kind == kind)
            return &res->catalog[i];
    }
    return NULL;
}

#define CATALOG                                                                                    \
    "permission a \"A.\";\n"                                                                       \
    "permission b \"B.\" sensitive;\n"                                                             \
    "permission c \"C.\";\n"

START_TEST(same_policy_reports_nothing)
{
    struct pair p;
    const char *text = CATALOG "role r { grant a; }\nmember \"m\" : r { grant b; }\n";

    pair_diff(&p, text, text);
    ck_assert(diff_result_empty(&p.res));
    ck_assert_uint_eq(p.res.breaking, 0);
    pair_release(&p);
}
END_TEST

START_TEST(override_change_has_override_cause)
{
    struct pair p;
    const struct diff_entry *e;
    const struct diff_perm_change *c;

    pair_diff(&p, CATALOG "role r { grant a; }\nmember \"m\" : r;\n",
              CATALOG "role r { grant a; }\nmember \"m\" : r { grant b; revoke a; }\n");
    ck_assert_uint_eq(p.res.nmembers, 1);
    e = find_entry(p.res.members, p.res.nmembers, "m");
    ck_assert_uint_eq(e->status, DIFF_CHANGED);
    c = find_change(&p.res, e, "b");
    ck_assert_ptr_nonnull(c);
    ck_assert(c->gained);
    ck_assert_uint_eq(c->cause, DIFF_CAUSE_OVERRIDE);
    c = find_change(&p.res, e, "a");
    ck_assert_ptr_nonnull(c);
    ck_assert(!c->gained);
    ck_assert_uint_eq(c->cause, DIFF_CAUSE_OVERRIDE);
    ck_assert_uint_eq(p.res.sensitive_gains, 1);
    pair_release(&p);
}
END_TEST

START_TEST(role_change_counts_holders_through_children)
{
    struct pair p;
    const struct diff_entry *e;
    const struct diff_perm_change *c;
    const char *members = "member \"m1\" : child;\nmember \"m2\" : base, child;\n"
                          "member \"m3\" : other;\nmember \"m4\";\n";
    char old_text[512], new_text[512];

    snprintf(old_text, sizeof(old_text), "%srole base { grant a; }\nrole child : base;\n"
             "role other { grant c; }\n%s", CATALOG, members);
    snprintf(new_text, sizeof(new_text), "%srole base { grant a, c; }\nrole child : base;\n"
             "role other { grant c; }\n%s", CATALOG, members);
    pair_diff(&p, old_text, new_text);

    ck_assert_uint_eq(p.res.nroles, 2);
    e = find_entry(p.res.roles, p.res.nroles, "base");
    ck_assert_int_eq(e->holders, 2);
    e = find_entry(p.res.roles, p.res.nroles, "child");
    ck_assert_int_eq(e->holders, 2);
    ck_assert_uint_eq(p.res.nmembers, 2);
    e = find_entry(p.res.members, p.res.nmembers, "m1");
    c = find_change(&p.res, e, "c");
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(c->cause, DIFF_CAUSE_ROLE);
    pair_release(&p);
}
END_TEST

START_TEST(member_roles_added_and_removed)
{
    struct pair p;
    const struct diff_entry *e;

    pair_diff(&p, CATALOG "role r1 { grant a; }\nrole r2 { grant c; }\nmember \"m\" : r1;\n",
              CATALOG "role r1 { grant a; }\nrole r2 { grant c; }\nmember \"m\" : r2;\n");
    e = find_entry(p.res.members, p.res.nmembers, "m");
    ck_assert_uint_eq(e->roles_added.count, 1);
    ck_assert_str_eq(p.res.names[e->roles_added.start], "r2");
    ck_assert_uint_eq(e->roles_removed.count, 1);
    ck_assert_str_eq(p.res.names[e->roles_removed.start], "r1");
    pair_release(&p);
}
END_TEST

START_TEST(rename_needs_same_description_and_bit)
{
    struct pair p;
    const struct diff_catalog_change *c;

    pair_diff(&p, CATALOG "member \"m\" { grant b; }\n",
              "permission a \"A.\";\npermission bee \"B.\" sensitive;\npermission c \"C.\";\n"
              "member \"m\" { grant bee; }\n");
    c = find_catalog(&p.res, DIFF_PERM_RENAMED);
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(c->name, "b");
    ck_assert_str_eq(c->new_name, "bee");
    ck_assert(c->breaking);
    /* The renamed permission counts as the same one for members. */
    ck_assert_uint_eq(p.res.nmembers, 0);
    pair_release(&p);

    pair_diff(&p, CATALOG, "permission a \"A.\";\npermission bee \"Bee.\";\npermission c \"C.\";\n");
    ck_assert_ptr_null(find_catalog(&p.res, DIFF_PERM_RENAMED));
    ck_assert_ptr_nonnull(find_catalog(&p.res, DIFF_PERM_REMOVED));
    ck_assert_ptr_nonnull(find_catalog(&p.res, DIFF_PERM_ADDED));
    pair_release(&p);
}
END_TEST

START_TEST(renumbering_is_breaking)
{
    struct pair p;
    const struct diff_catalog_change *c;

    pair_diff(&p, CATALOG "member \"m\" { grant c; }\n",
              "permission c \"C.\";\npermission a \"A.\";\npermission b \"B.\" sensitive;\n"
              "member \"m\" { grant c; }\n");
    c = find_catalog(&p.res, DIFF_PERM_RENUMBERED);
    ck_assert_ptr_nonnull(c);
    ck_assert(c->breaking);
    ck_assert_uint_eq(p.res.breaking, 3);
    ck_assert_uint_eq(p.res.nmembers, 0);
    pair_release(&p);
}
END_TEST

START_TEST(removed_permission_is_a_catalog_loss)
{
    struct pair p;
    const struct diff_entry *e;
    const struct diff_perm_change *c;
    const struct diff_catalog_change *cat;

    pair_diff(&p, CATALOG "member \"m\" { grant *; }\n",
              "permission a \"A.\";\npermission b \"B.\" sensitive;\nmember \"m\" { grant *; }\n");
    cat = find_catalog(&p.res, DIFF_PERM_REMOVED);
    ck_assert_ptr_nonnull(cat);
    ck_assert(cat->breaking);
    e = find_entry(p.res.members, p.res.nmembers, "m");
    c = find_change(&p.res, e, "c");
    ck_assert_ptr_nonnull(c);
    ck_assert(!c->gained);
    ck_assert_uint_eq(c->cause, DIFF_CAUSE_CATALOG);
    pair_release(&p);
}
END_TEST

START_TEST(members_added_removed_sorted)
{
    struct pair p;

    pair_diff(&p, CATALOG "member \"zed\" { grant a; }\nmember \"kay\";\n",
              CATALOG "member \"bee\" { grant b; }\nmember \"kay\";\nmember \"amy\";\n");
    ck_assert_uint_eq(p.res.nmembers, 3);
    ck_assert_uint_eq(p.res.members[0].status, DIFF_ADDED);
    ck_assert(memcmp(p.res.members[0].name, "amy", 3) == 0);
    ck_assert(memcmp(p.res.members[1].name, "bee", 3) == 0);
    ck_assert_uint_eq(p.res.members[2].status, DIFF_REMOVED);
    ck_assert_uint_eq(p.res.members_by_status[DIFF_ADDED], 2);
    ck_assert_uint_eq(p.res.members_by_status[DIFF_REMOVED], 1);
    /* bee gains the sensitive b, and amy has no permissions. */
    ck_assert_uint_eq(p.res.sensitive_gains, 1);
    pair_release(&p);
}
END_TEST

/* Opens a table lowered from a resolved test policy; the image must outlive it. */
static struct kkp_table *table_of(struct tpolicy *tp, struct table_image *img)
{
    struct lower_options lo = {0};
    struct kkp_table *t = NULL;
    struct kkp_error err;

    lower_policy(&tp->pol, &lo, img);
    ck_assert_int_eq(kkp_table_open_buffer(img->data, img->size, KKP_OPEN_VERIFY, &t, &err),
                     KKP_OK);
    return t;
}

START_TEST(tables_compare_like_sources)
{
    struct tpolicy old_policy, new_policy;
    struct table_image old_img, new_img;
    struct kkp_table *old_table, *new_table;
    struct diff_side old_side, new_side;
    struct diff_result res;
    const struct diff_entry *e;

    tpolicy_text(&old_policy, CATALOG "role r { grant a; }\nmember \"m\" : r;\nmember \"n\";\n");
    tpolicy_text(&new_policy, CATALOG "role r { grant a, b; }\nmember \"m\" : r;\n");
    old_table = table_of(&old_policy, &old_img);
    new_table = table_of(&new_policy, &new_img);
    ck_assert_int_eq(diff_side_from_table(&old_side, old_table), KKP_OK);
    ck_assert_int_eq(diff_side_from_table(&new_side, new_table), KKP_OK);
    diff_compute(&old_side, &new_side, &res);

    ck_assert(!res.causes_known);
    e = find_entry(res.roles, res.nroles, "r");
    ck_assert_int_eq(e->holders, -1);
    e = find_entry(res.members, res.nmembers, "m");
    ck_assert_uint_eq(find_change(&res, e, "b")->cause, DIFF_CAUSE_UNKNOWN);
    e = find_entry(res.members, res.nmembers, "n");
    ck_assert_uint_eq(e->status, DIFF_REMOVED);

    diff_result_release(&res);
    diff_side_release(&old_side);
    diff_side_release(&new_side);
    kkp_table_close(old_table);
    kkp_table_close(new_table);
    free(old_img.data);
    free(new_img.data);
    tpolicy_release(&old_policy);
    tpolicy_release(&new_policy);
}
END_TEST

Suite *suite_diff(void)
{
    Suite *s = suite_create("diff");
    TCase *tc = tcase_create("diff");

    tcase_add_test(tc, same_policy_reports_nothing);
    tcase_add_test(tc, override_change_has_override_cause);
    tcase_add_test(tc, role_change_counts_holders_through_children);
    tcase_add_test(tc, member_roles_added_and_removed);
    tcase_add_test(tc, rename_needs_same_description_and_bit);
    tcase_add_test(tc, renumbering_is_breaking);
    tcase_add_test(tc, removed_permission_is_a_catalog_loss);
    tcase_add_test(tc, members_added_removed_sorted);
    tcase_add_test(tc, tables_compare_like_sources);
    suite_add_tcase(s, tc);
    return s;
}
