/* Provenance and explanations: chains, overrides, the PROVENANCE section
 * read back through the library, and corrupt sections. */
#include <stdlib.h>
#include <string.h>

#include "kkpol.h"
#include "lower.h"
#include "provenance.h"
#include "table_format.h"
#include "testlib.h"

static const char cases[] =
    "permission read \"Read.\";\n"
    "permission write \"Write.\";\n"
    "permission publish \"Publish.\" sensitive;\n"
    "permission audit \"Audit.\";\n"
    "role reader { grant read; }\n"
    "role editor : reader { grant write; }\n"
    "role lead : editor { grant publish; }\n"
    "role writer { grant *; revoke publish, audit; }\n"
    "role drafter : writer;\n"
    "member \"carol\" : lead;\n"
    "member \"dave\" : editor, writer;\n"
    "member \"erin\" : lead { revoke publish; }\n"
    "member \"frank\" : drafter { grant publish; }\n"
    "member \"grace\";\n";

static uint32_t member_index(const struct tpolicy *tp, const char *id)
{
    uint32_t m = strmap_get(&tp->pol.member_by_id, id, strlen(id));

    ck_assert_uint_ne(m, STRMAP_MISSING);
    return m;
}

static void explain_member(struct tpolicy *tp, struct prov *pv, const char *id, const char *perm,
                           struct prov_answer *out)
{
    prov_explain(pv, false, member_index(tp, id), tpolicy_bit(tp, perm), out);
}

START_TEST(chain_three_roles)
{
    struct tpolicy tp;
    struct prov pv;
    struct prov_answer a;

    tpolicy_text(&tp, cases);
    ck_assert_uint_eq(tpolicy_errors(&tp), 0);
    prov_init(&pv, &tp.pol);
    explain_member(&tp, &pv, "carol", "read", &a);
    ck_assert_int_eq(a.kind, PROV_GRANTED);
    ck_assert_uint_eq(a.nreasons, 1);
    ck_assert_uint_eq(a.reasons[0].nchain, 3);
    ck_assert_str_eq(ast_name(&tp.ast, tp.ast.roles[a.reasons[0].chain[2]].name), "reader");
    prov_release(&pv);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(two_roles_grant_once_each)
{
    struct tpolicy tp;
    struct prov pv;
    struct prov_answer a;

    tpolicy_text(&tp, cases);
    prov_init(&pv, &tp.pol);
    explain_member(&tp, &pv, "dave", "read", &a);
    ck_assert_int_eq(a.kind, PROV_GRANTED);
    ck_assert_uint_eq(a.nreasons, 2);
    /* Nearest first: writer's '*' one role away, reader's grant two away. */
    ck_assert_uint_eq(a.reasons[0].nchain, 1);
    ck_assert_uint_eq(a.reasons[1].nchain, 2);
    prov_release(&pv);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(member_revoke_overrides_grant)
{
    struct tpolicy tp;
    struct prov pv;
    struct prov_answer a;

    tpolicy_text(&tp, cases);
    prov_init(&pv, &tp.pol);
    explain_member(&tp, &pv, "erin", "publish", &a);
    ck_assert_int_eq(a.kind, PROV_REVOKED);
    ck_assert_uint_eq(a.nreasons, 1);
    ck_assert(a.reasons[0].revoke);
    ck_assert_uint_eq(a.reasons[0].nchain, 0);
    ck_assert_uint_eq(a.reasons[0].noverrides, 1);
    ck_assert(!a.reasons[0].overrides[0].revoke);
    ck_assert_uint_eq(a.reasons[0].overrides[0].nchain, 1);
    prov_release(&pv);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(member_grant_restores_role_revoke)
{
    struct tpolicy tp;
    struct prov pv;
    struct prov_answer a;

    tpolicy_text(&tp, cases);
    prov_init(&pv, &tp.pol);
    explain_member(&tp, &pv, "frank", "publish", &a);
    ck_assert_int_eq(a.kind, PROV_GRANTED);
    ck_assert_uint_eq(a.nreasons, 1);
    ck_assert_uint_eq(a.reasons[0].nchain, 0);
    ck_assert_uint_eq(a.reasons[0].noverrides, 1);
    ck_assert(a.reasons[0].overrides[0].revoke);
    ck_assert_uint_eq(a.reasons[0].overrides[0].nchain, 2);
    prov_release(&pv);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(role_revoke_decides_for_member)
{
    struct tpolicy tp;
    struct prov pv;
    struct prov_answer a;

    tpolicy_text(&tp, cases);
    prov_init(&pv, &tp.pol);
    explain_member(&tp, &pv, "dave", "audit", &a);
    ck_assert_int_eq(a.kind, PROV_REVOKED);
    ck_assert_uint_eq(a.nreasons, 1);
    ck_assert_uint_eq(a.reasons[0].nchain, 1);
    ck_assert_uint_eq(a.reasons[0].noverrides, 1);
    prov_release(&pv);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(nothing_grants)
{
    struct tpolicy tp;
    struct prov pv;
    struct prov_answer a;

    tpolicy_text(&tp, cases);
    prov_init(&pv, &tp.pol);
    explain_member(&tp, &pv, "grace", "read", &a);
    ck_assert_int_eq(a.kind, PROV_NOT_GRANTED);
    ck_assert_uint_eq(a.nreasons, 0);
    prov_release(&pv);
    tpolicy_release(&tp);
}
END_TEST

/* Compiles the cases with provenance into an 8-byte aligned buffer. */
static void build_table(struct tpolicy *tp, struct table_image *img)
{
    struct lower_options lo = {0};
    unsigned char *section;

    tpolicy_text(tp, cases);
    ck_assert_uint_eq(tpolicy_errors(tp), 0);
    prov_build_section(&tp->pol, &section, &lo.provenance_size);
    lo.provenance = section;
    lower_policy(&tp->pol, &lo, img);
    free(section);
}

START_TEST(table_answers_match_sources)
{
    struct tpolicy tp;
    struct table_image img;
    struct kkp_table *t;
    struct prov pv;

    build_table(&tp, &img);
    ck_assert_int_eq(kkp_table_open_buffer(img.data, img.size, KKP_OPEN_VERIFY, &t, NULL), KKP_OK);
    ck_assert_int_eq(kkp_has_provenance(t), 1);
    prov_init(&pv, &tp.pol);
    for (uint32_t m = 0; m < tp.ast.nmembers; m++) {
        struct kkp_subject s;

        ck_assert_int_eq(kkp_subject_find(t, KKP_SUBJECT_MEMBER, tp.ast.members[m].id,
                                          tp.ast.members[m].id_len, &s),
                         KKP_OK);
        ck_assert_uint_eq(s.parent_count, tp.ast.members[m].parents.count);
        for (uint32_t bit = 0; bit < tp.pol.nbits; bit++) {
            struct prov_answer a;
            struct kkp_provenance p;

            prov_explain(&pv, false, m, bit, &a);
            ck_assert_int_eq(kkp_provenance(t, &s, bit, &p), KKP_OK);
            ck_assert_int_eq(p.kind, (int)a.kind);
            ck_assert_uint_eq(p.reason_count, a.nreasons);
            for (uint32_t i = 0; i < a.nreasons; i++) {
                struct kkp_reason r;

                ck_assert_int_eq(kkp_provenance_reason(t, &p, i, &r), KKP_OK);
                ck_assert_uint_eq(r.chain_length, a.reasons[i].nchain);
                ck_assert_uint_eq(r.override_count, a.reasons[i].noverrides);
                ck_assert_int_eq(r.revoke, a.reasons[i].revoke);
                ck_assert_str_eq(r.at.file, "test.kkp");
            }
            prov_reset(&pv);
        }
    }
    prov_release(&pv);
    kkp_table_close(t);
    free(img.data);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(table_unknown_subject)
{
    struct tpolicy tp;
    struct table_image img;
    struct kkp_table *t;
    struct kkp_subject s;

    build_table(&tp, &img);
    ck_assert_int_eq(kkp_table_open_buffer(img.data, img.size, 0, &t, NULL), KKP_OK);
    ck_assert_int_eq(kkp_subject_find(t, KKP_SUBJECT_MEMBER, "nobody", 6, &s), KKP_ENOTFOUND);
    ck_assert_int_eq(kkp_subject_find(t, KKP_SUBJECT_ROLE, "nobody", 6, &s), KKP_ENOTFOUND);
    ck_assert_int_eq(kkp_subject_find(t, 7, "lead", 4, &s), KKP_EINVAL);
    ck_assert_int_eq(kkp_subject_at(t, KKP_SUBJECT_ROLE, 99, &s), KKP_ENOTFOUND);
    kkp_table_close(t);
    free(img.data);
    tpolicy_release(&tp);
}
END_TEST

/* Walks every answer a table gives; with corrupt data the calls may fail but
 * must not read out of bounds (AddressSanitizer builds check that). */
static void walk_all(const struct kkp_table *t)
{
    for (int kind = KKP_SUBJECT_ROLE; kind <= KKP_SUBJECT_MEMBER; kind++) {
        uint64_t n = kind == KKP_SUBJECT_ROLE ? kkp_role_count(t) : kkp_member_count(t);

        for (uint64_t i = 0; i < n; i++) {
            struct kkp_subject s;

            if (kkp_subject_at(t, kind, i, &s) != KKP_OK)
                continue;
            for (uint32_t p = 0; p < s.parent_count && p < 64; p++) {
                uint32_t role;
                kkp_subject_parent(t, &s, p, &role);
            }
            for (uint32_t bit = 0; bit < kkp_permission_count(t); bit++) {
                struct kkp_provenance pr;

                if (kkp_provenance(t, &s, bit, &pr) != KKP_OK)
                    continue;
                for (uint32_t k = 0; k < pr.reason_count && k < 64; k++) {
                    struct kkp_reason r, o;
                    uint32_t role;

                    if (kkp_provenance_reason(t, &pr, k, &r) != KKP_OK)
                        break;
                    for (uint32_t c = 0; c < r.chain_length && c < 64; c++)
                        kkp_reason_chain(t, &r, c, &role);
                    for (uint32_t c = 0; c < r.override_count && c < 64; c++)
                        kkp_reason_override(t, &r, c, &o);
                }
            }
        }
    }
}

START_TEST(corrupt_section_is_safe)
{
    struct tpolicy tp;
    struct table_image img;
    uint64_t dir, count, off = 0, size = 0;

    build_table(&tp, &img);
    memcpy(&dir, img.data + TH_DIR_OFFSET, 8);
    count = 0;
    memcpy(&count, img.data + TH_SECTION_COUNT, 4);
    for (uint64_t i = 0; i < count; i++) {
        uint32_t id;

        memcpy(&id, img.data + dir + i * TABLE_DIR_ENTRY_SIZE, 4);
        if (id == SECTION_PROVENANCE) {
            memcpy(&off, img.data + dir + i * TABLE_DIR_ENTRY_SIZE + 8, 8);
            memcpy(&size, img.data + dir + i * TABLE_DIR_ENTRY_SIZE + 16, 8);
        }
    }
    ck_assert_uint_gt(size, PROV_HEADER_SIZE);
    /* Every byte of the section set to 0xFF in turn, opened without the checksum. */
    for (uint64_t i = 0; i < size; i++) {
        unsigned char saved = img.data[off + i];
        struct kkp_table *t;

        img.data[off + i] = 0xFF;
        if (kkp_table_open_buffer(img.data, img.size, 0, &t, NULL) == KKP_OK) {
            walk_all(t);
            kkp_table_close(t);
        }
        img.data[off + i] = saved;
    }
    free(img.data);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(relative_paths)
{
    char *dir = tdir_new();
    char *base_path, *main_path, *lib_path, *rel;
    struct tpolicy tp;
    const char *paths[1];

    base_path = tfile_write(dir, "lib/base.kkp", "permission read \"Read.\";\n");
    main_path = tfile_write(dir, "main/top.kkp", "import \"../lib/base.kkp\";\n");
    lib_path = tfile_write(dir, "main/sub/more.kkp", "permission write \"Write.\";\n");
    paths[0] = main_path;
    tpolicy_files(&tp, paths, 1);
    ck_assert_uint_eq(tpolicy_errors(&tp), 0);
    rel = prov_relative_path(&tp.ast, 0);
    ck_assert_str_eq(rel, "top.kkp");
    free(rel);
    rel = prov_relative_path(&tp.ast, 1);
    ck_assert_str_eq(rel, "../lib/base.kkp");
    free(rel);
    tpolicy_release(&tp);
    free(base_path);
    free(main_path);
    free(lib_path);
    free(dir);
}
END_TEST

Suite *suite_explain(void)
{
    Suite *s = suite_create("explain");
    TCase *tc = tcase_create("provenance");

    tcase_add_test(tc, chain_three_roles);
    tcase_add_test(tc, two_roles_grant_once_each);
    tcase_add_test(tc, member_revoke_overrides_grant);
    tcase_add_test(tc, member_grant_restores_role_revoke);
    tcase_add_test(tc, role_revoke_decides_for_member);
    tcase_add_test(tc, nothing_grants);
    tcase_add_test(tc, relative_paths);
    suite_add_tcase(s, tc);

    tc = tcase_create("table");
    tcase_add_test(tc, table_answers_match_sources);
    tcase_add_test(tc, table_unknown_subject);
    tcase_add_test(tc, corrupt_section_is_safe);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
