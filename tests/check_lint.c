/* Unit tests of the linter: constraints, flags, suppressions, dates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint.h"
#include "testlib.h"

/* Runs the linter with cfg (or the defaults) over a resolved test policy. */
static void lint_text(struct tpolicy *tp, const char *text, const struct lint_config *cfg)
{
    struct lint_config defaults;

    tpolicy_text(tp, text);
    if (tpolicy_errors(tp))
        tpolicy_dump(tp);
    ck_assert_uint_eq(tpolicy_errors(tp), 0);
    if (!cfg) {
        lint_config_init(&defaults);
        defaults.today = lint_days_from_civil(2026, 12, 4);
        cfg = &defaults;
    }
    lint_policy(&tp->pol, cfg, &tp->sink);
    diag_sort(&tp->sink);
}

static size_t count_rule(const struct tpolicy *tp, const char *rule, bool suppressed)
{
    size_t n = 0;

    for (size_t i = 0; i < tp->sink.len; i++) {
        const struct diag *d = tp->sink.items[i];
        if (d->rule && strcmp(d->rule, rule) == 0 && d->suppressed == suppressed)
            n++;
    }
    return n;
}

static const char team[] = "permission view_team;\n"
                           "permission delete_team_members;\n"
                           "permission billing;\n"
                           "permission update_team_members escalates;\n"
                           "warn delete_team_members requires view_team;\n"
                           "role admin { grant *; }\n"
                           "member \"owner@example.com\" : admin;\n";

START_TEST(role_cause_reported_once)
{
    size_t cap = 1 << 16, len;
    char *text = malloc(cap);
    struct tpolicy tp;
    const struct diag *d;
    bool counted = false;

    ck_assert_ptr_nonnull(text);
    len = (size_t)snprintf(text, cap, "%srole remover { grant delete_team_members; }\n", team);
    for (int i = 0; i < 1000; i++)
        len += (size_t)snprintf(text + len, cap - len, "member \"m%d@example.com\" : remover;\n", i);
    lint_text(&tp, text, NULL);
    ck_assert_uint_eq(count_rule(&tp, "constraint", false), 1);
    d = tpolicy_find(&tp, "role 'remover' holds 'delete_team_members' without 'view_team'");
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(tdiag_pos(d).line, 8);
    for (size_t k = 0; k < d->nnotes; k++)
        counted |= strstr(d->notes[k].message, "1000 members with this role") != NULL;
    ck_assert(counted);
    tpolicy_release(&tp);
    free(text);
}
END_TEST

START_TEST(member_override_cause)
{
    struct tpolicy tp;
    char text[2048];

    snprintf(text, sizeof(text),
             "%srole payer { grant billing; }\n"
             "member \"a@example.com\" : payer { grant delete_team_members; }\n"
             "member \"b@example.com\" : admin { revoke view_team; }\n",
             team);
    lint_text(&tp, text, NULL);
    ck_assert_uint_eq(count_rule(&tp, "constraint", false), 2);
    ck_assert_ptr_nonnull(tpolicy_find(&tp, "member \"a@example.com\" holds"));
    ck_assert_ptr_nonnull(tpolicy_find(&tp, "member \"b@example.com\" holds"));
    ck_assert_ptr_null(tpolicy_find(&tp, "role 'payer' holds"));
    tpolicy_release(&tp);
}
END_TEST

START_TEST(two_roles_combine)
{
    struct tpolicy tp;
    char text[2048];
    const struct diag *d;

    snprintf(text, sizeof(text),
             "%serror billing excludes delete_team_members;\n"
             "role payer { grant billing; }\n"
             "role remover { grant delete_team_members, view_team; }\n"
             "member \"a@example.com\" : payer, remover;\n"
             "member \"b@example.com\" : payer;\n",
             team);
    lint_text(&tp, text, NULL);
    /* admin holds both; the member with two harmless roles is reported too. */
    d = tpolicy_find(&tp, "member \"a@example.com\" holds both 'billing'");
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(d->severity, DIAG_ERROR);
    ck_assert_ptr_nonnull(tpolicy_find(&tp, "role 'admin' holds both"));
    ck_assert_ptr_null(tpolicy_find(&tp, "member \"b@example.com\""));
    ck_assert_ptr_null(tpolicy_find(&tp, "member \"owner@example.com\" holds"));
    tpolicy_release(&tp);
}
END_TEST

START_TEST(count_constraints)
{
    struct tpolicy tp;
    char text[2048];

    snprintf(text, sizeof(text),
             "%swarn at least 2 members with update_team_members;\n"
             "error at most 1 member with billing, view_team;\n"
             "warn at most 5 members with billing;\n"
             "member \"a@example.com\" { grant billing, view_team; }\n",
             team);
    lint_text(&tp, text, NULL);
    ck_assert_ptr_nonnull(tpolicy_find(&tp, "1 member matches, against 'warn at least 2"));
    ck_assert_ptr_nonnull(tpolicy_find(&tp, "2 members match, against 'error at most 1"));
    ck_assert_ptr_null(tpolicy_find(&tp, "at most 5"));
    tpolicy_release(&tp);
}
END_TEST

START_TEST(werror_flags)
{
    struct lint_config cfg;
    char err[200];

    lint_config_init(&cfg);
    ck_assert_int_eq(lint_effective_severity(&cfg, RULE_EMPTY_ROLE, DIAG_WARNING), DIAG_WARNING);
    ck_assert_int_eq(lint_effective_severity(&cfg, RULE_ESCALATION, DIAG_WARNING), LINT_OFF);
    ck_assert(lint_config_apply(&cfg, "escalation", err, sizeof(err)));
    ck_assert_int_eq(lint_effective_severity(&cfg, RULE_ESCALATION, DIAG_WARNING), DIAG_WARNING);
    ck_assert(lint_config_apply(&cfg, "no-empty-role", err, sizeof(err)));
    ck_assert_int_eq(lint_effective_severity(&cfg, RULE_EMPTY_ROLE, DIAG_WARNING), LINT_OFF);
    ck_assert(lint_config_apply(&cfg, "error", err, sizeof(err)));
    ck_assert_int_eq(lint_effective_severity(&cfg, RULE_ID_CASE, DIAG_WARNING), DIAG_ERROR);
    /* -Werror leaves notes as notes. */
    ck_assert_int_eq(lint_effective_severity(&cfg, RULE_NO_PERMISSIONS, DIAG_NOTE), DIAG_NOTE);
    ck_assert(lint_config_apply(&cfg, "error=no-permissions", err, sizeof(err)));
    ck_assert_int_eq(lint_effective_severity(&cfg, RULE_NO_PERMISSIONS, DIAG_NOTE), DIAG_ERROR);
    ck_assert(!lint_config_apply(&cfg, "no-such-rule", err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "unknown rule 'such-rule'"));
    ck_assert(!lint_config_apply(&cfg, "error=nope", err, sizeof(err)));
}
END_TEST

START_TEST(constraint_keeps_declared_severity)
{
    struct lint_config cfg;

    lint_config_init(&cfg);
    ck_assert_int_eq(lint_effective_severity(&cfg, RULE_CONSTRAINT, DIAG_WARNING), DIAG_WARNING);
    ck_assert_int_eq(lint_effective_severity(&cfg, RULE_CONSTRAINT, DIAG_ERROR), DIAG_ERROR);
}
END_TEST

START_TEST(suppression_expiry)
{
    static const char text[] = "permission chats;\n"
                               "role spare { grant chats; }\n"
                               "suppress unused-role for role spare because \"audit\" until 2027-03-31;\n";
    struct lint_config cfg;
    struct tpolicy tp;

    lint_config_init(&cfg);
    cfg.today = lint_days_from_civil(2027, 3, 31); /* the last day it holds */
    lint_text(&tp, text, &cfg);
    ck_assert_uint_eq(count_rule(&tp, "unused-role", true), 1);
    ck_assert_uint_eq(count_rule(&tp, "expired-suppression", false), 0);
    ck_assert_uint_eq(tp.sink.errors, 0);
    tpolicy_release(&tp);

    cfg.today = lint_days_from_civil(2027, 4, 1); /* the next day */
    lint_text(&tp, text, &cfg);
    ck_assert_uint_eq(count_rule(&tp, "unused-role", false), 1);
    ck_assert_uint_eq(count_rule(&tp, "expired-suppression", false), 1);
    ck_assert_uint_eq(tp.sink.errors, 1);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(source_date_epoch_sets_today)
{
    struct lint_config cfg;

    setenv("SOURCE_DATE_EPOCH", "1806451200", 1); /* 2027-03-31T00:00:00Z */
    lint_config_init(&cfg);
    ck_assert_int_eq(cfg.today, lint_days_from_civil(2027, 3, 31));
    setenv("SOURCE_DATE_EPOCH", "not a number", 1);
    lint_config_init(&cfg);
    ck_assert_int_ne(cfg.today, lint_days_from_civil(2027, 3, 31));
    unsetenv("SOURCE_DATE_EPOCH");
}
END_TEST

START_TEST(civil_days)
{
    ck_assert_int_eq(lint_days_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(lint_days_from_civil(2000, 3, 1), 11017);
    ck_assert_int_eq(lint_days_from_civil(2028, 2, 29) + 1, lint_days_from_civil(2028, 3, 1));
}
END_TEST

START_TEST(suppression_scope)
{
    static const char text[] = "permission chats;\n"
                               "role a;\n"
                               "role b;\n"
                               "member \"x@example.com\" : a, b { grant chats; }\n"
                               "suppress empty-role for role a because \"placeholder\";\n";
    struct tpolicy tp;

    lint_text(&tp, text, NULL);
    ck_assert_uint_eq(count_rule(&tp, "empty-role", true), 1);
    ck_assert_uint_eq(count_rule(&tp, "empty-role", false), 1);
    ck_assert_uint_eq(count_rule(&tp, "unused-suppression", false), 0);
    ck_assert_uint_eq(tp.sink.suppressed, 1);
    tpolicy_release(&tp);
}
END_TEST

Suite *suite_lint(void)
{
    Suite *s = suite_create("lint");
    TCase *tc = tcase_create("lint");

    tcase_add_test(tc, role_cause_reported_once);
    tcase_add_test(tc, member_override_cause);
    tcase_add_test(tc, two_roles_combine);
    tcase_add_test(tc, count_constraints);
    tcase_add_test(tc, werror_flags);
    tcase_add_test(tc, constraint_keeps_declared_severity);
    tcase_add_test(tc, suppression_expiry);
    tcase_add_test(tc, source_date_epoch_sets_today);
    tcase_add_test(tc, civil_days);
    tcase_add_test(tc, suppression_scope);
    suite_add_tcase(s, tc);
    return s;
}
