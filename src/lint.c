/* The linter's driver: rule table, -W options, suppressions and reporting. */
#include "lint.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lint_internal.h"

const struct lint_rule_info lint_rules[RULE_COUNT] = {
    [RULE_UNUSED_ROLE] = {"unused-role", DIAG_WARNING,
                          "A role defined in a file named on the command line is used by no "
                          "member or role.",
                          "Remove the role, give it to a member, or suppress the rule for it "
                          "with a reason."},
    [RULE_EMPTY_ROLE] = {"empty-role", DIAG_WARNING, "A role grants no permissions.",
                         "Grant the role its permissions or remove it."},
    [RULE_REDUNDANT_GRANT] = {"redundant-grant", DIAG_WARNING,
                              "A grant gives what the block's roles already give.",
                              "Remove the grant entry; the roles already give it."},
    [RULE_INEFFECTIVE_REVOKE] = {"ineffective-revoke", DIAG_WARNING,
                                 "A revoke removes permissions the block would not have had.",
                                 "Remove the revoke entry, or check that the right roles are "
                                 "listed."},
    [RULE_REPEATED_NAME] = {"repeated-name", DIAG_WARNING,
                            "A name is listed twice in one grant, revoke or parent list.",
                            "Remove the second occurrence."},
    [RULE_ID_CASE] = {"id-case", DIAG_WARNING,
                      "Two member ids differ only in ASCII case.",
                      "Ids are compared byte for byte: use one spelling for each person."},
    [RULE_DUPLICATE_ROLE] = {"duplicate-role", DIAG_WARNING,
                             "Roles have the same effective permissions.",
                             "Merge the roles, or make one the parent of the other."},
    [RULE_LOCKOUT] = {"lockout", DIAG_ERROR,
                      "No member holds a permission marked escalates, so nobody can change "
                      "permissions.",
                      "Grant an escalates permission (such as update_team_members) to at least "
                      "one member."},
    [RULE_NO_PERMISSIONS] = {"no-permissions", DIAG_NOTE, "A member has no permissions.",
                             "Give the member a role or grants, or remove the member."},
    [RULE_MANY_OVERRIDES] = {"many-overrides", DIAG_NOTE,
                             "A member has more grant and revoke entries than --max-overrides.",
                             "Define a role for the combination the member needs."},
    [RULE_ESCALATION] = {"escalation", LINT_OFF,
                         "A member holds an escalates permission but not all permissions, so "
                         "it could grant itself the rest.",
                         "Check that the member is trusted with every permission, or remove "
                         "the escalates permission."},
    [RULE_UNUSED_SUPPRESSION] = {"unused-suppression", DIAG_WARNING,
                                 "A suppress statement silenced nothing.",
                                 "Remove the suppress statement."},
    [RULE_EXPIRED_SUPPRESSION] = {"expired-suppression", DIAG_ERROR,
                                  "A suppress statement is past its until date.",
                                  "Fix what it silenced, or renew it with a later until date."},
    [RULE_CONSTRAINT] = {"constraint", DIAG_WARNING,
                         "A declared requires, excludes, at least or at most constraint is "
                         "violated.",
                         "Change the grants so the constraint holds, or change the "
                         "constraint."},
};

int64_t lint_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Howard Hinnant's days_from_civil algorithm, proleptic Gregorian calendar. */
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void lint_config_init(struct lint_config *cfg)
{
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    int64_t now = (int64_t)time(NULL);

    memset(cfg, 0, sizeof(*cfg));
    for (int i = 0; i < RULE_COUNT; i++)
        cfg->severity[i] = lint_rules[i].default_severity;
    cfg->max_overrides = 3;
    if (epoch && epoch[0]) {
        char *end;
        long long v;

        errno = 0;
        v = strtoll(epoch, &end, 10);
        if (!*end && errno == 0 && v >= 0)
            now = v;
    }
    cfg->today = now / 86400;
}

int lint_rule_find(const char *name)
{
    for (int i = 0; i < RULE_COUNT; i++) {
        if (strcmp(lint_rules[i].name, name) == 0)
            return i;
    }
    return -1;
}

bool lint_config_apply(struct lint_config *cfg, const char *arg, char *err, size_t errlen)
{
    const char *name = arg;
    bool off = false, as_error = false;
    int rule;

    if (strcmp(arg, "error") == 0) {
        cfg->werror = true;
        return true;
    }
    if (strncmp(arg, "error=", 6) == 0) {
        name = arg + 6;
        as_error = true;
    } else if (strncmp(arg, "no-", 3) == 0 && lint_rule_find(arg) < 0) {
        name = arg + 3;
        off = true;
    }
    rule = lint_rule_find(name);
    if (rule < 0) {
        snprintf(err, errlen, "unknown rule '%s' in -W %s; 'kkpolc check --help' lists the rules",
                 name, arg);
        return false;
    }
    if (off) {
        cfg->severity[rule] = LINT_OFF;
        cfg->werror_rule[rule] = false;
    } else {
        if (cfg->severity[rule] == LINT_OFF)
            cfg->severity[rule] = DIAG_WARNING;
        if (as_error)
            cfg->werror_rule[rule] = true;
    }
    return true;
}

int lint_effective_severity(const struct lint_config *cfg, enum lint_rule rule,
                            enum diag_severity declared)
{
    int sev = cfg->severity[rule];

    if (sev == LINT_OFF)
        return LINT_OFF;
    if (rule == RULE_CONSTRAINT)
        sev = (int)declared;
    if (cfg->werror_rule[rule] && sev != DIAG_ERROR)
        return DIAG_ERROR;
    if (cfg->werror && sev == DIAG_WARNING)
        return DIAG_ERROR;
    return sev;
}

static bool suppression_matches(const struct lint_ctx *cx, size_t i, enum lint_rule rule,
                                uint8_t subject_kind, uint32_t subject)
{
    const struct ast_suppress *s = &cx->ast->suppressions[i];

    if (cx->suppression_expired[i] || strcmp(s->rule, lint_rules[rule].name) != 0)
        return false;
    if (s->subject.kind == SUBJECT_NONE)
        return true;
    return s->subject.kind == subject_kind && s->subject.target == subject &&
           subject != AST_NONE;
}

struct diag *lint_report(struct lint_ctx *cx, enum lint_rule rule, enum diag_severity declared,
                         uint8_t subject_kind, uint32_t subject, struct loc loc, const char *fmt,
                         ...)
{
    int sev = lint_effective_severity(cx->cfg, rule, declared);
    char message[2048];
    va_list ap;

    if (sev == LINT_OFF)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    if (rule != RULE_UNUSED_SUPPRESSION && rule != RULE_EXPIRED_SUPPRESSION) {
        for (size_t i = 0; i < cx->ast->nsuppressions; i++) {
            if (suppression_matches(cx, i, rule, subject_kind, subject)) {
                cx->suppression_used[i] = true;
                return diag_report_suppressed(cx->sink, (enum diag_severity)sev,
                                              lint_rules[rule].name, loc,
                                              cx->ast->suppressions[i].reason, "%s", message);
            }
        }
    }
    return diag_report(cx->sink, (enum diag_severity)sev, lint_rules[rule].name, loc, "%s",
                       message);
}

void lint_ref_bits(const struct lint_ctx *cx, const struct ast_ref *ref, uint64_t *mask)
{
    const struct policy *pol = cx->pol;

    if (ref->kind == REF_ALL) {
        for (uint32_t b = 0; b < pol->nbits; b++)
            mask[b / 64] |= (uint64_t)1 << (b % 64);
        return;
    }
    if (ref->target == AST_NONE)
        return;
    if (ref->kind == REF_NAME) {
        uint32_t b = cx->ast->perms[ref->target].bit;
        mask[b / 64] |= (uint64_t)1 << (b % 64);
        return;
    }
    for (uint32_t k = pol->group_start[ref->target]; k < pol->group_start[ref->target + 1]; k++) {
        uint32_t b = pol->group_bits[k];
        mask[b / 64] |= (uint64_t)1 << (b % 64);
    }
}

const char *lint_ref_text(const struct lint_ctx *cx, const struct ast_ref *ref, char *buf,
                          size_t size)
{
    if (ref->kind == REF_ALL)
        snprintf(buf, size, "*");
    else if (ref->kind == REF_GROUP_ALL)
        snprintf(buf, size, "%s.*", ast_name(cx->ast, ref->name));
    else
        snprintf(buf, size, "%s", ast_name(cx->ast, ref->name));
    return buf;
}

/* Finds, in one block, a grant entry that covers bit. */
static const struct ast_ref *block_grant(const struct lint_ctx *cx, struct range clauses,
                                         uint32_t bit)
{
    const struct ast *ast = cx->ast;
    uint64_t *mask = calloc(cx->pol->words, sizeof(uint64_t));
    const struct ast_ref *found = NULL;

    if (!mask)
        return NULL;
    for (uint32_t c = 0; c < clauses.count && !found; c++) {
        const struct ast_clause *cl = &ast->clauses[clauses.start + c];

        if (cl->kind != CLAUSE_GRANT)
            continue;
        for (uint32_t i = 0; i < cl->refs.count && !found; i++) {
            const struct ast_ref *ref = &ast->refs[cl->refs.start + i];

            memset(mask, 0, cx->pol->words * sizeof(uint64_t));
            lint_ref_bits(cx, ref, mask);
            if (mask_has(mask, bit))
                found = ref;
        }
    }
    free(mask);
    return found;
}

const struct ast_ref *lint_find_grant(const struct lint_ctx *cx, uint32_t role, uint32_t bit,
                                      uint32_t *file, uint32_t *owner, uint32_t *from)
{
    const struct ast *ast = cx->ast;
    uint32_t *queue = malloc((ast->nroles + 1) * sizeof(uint32_t));
    bool *seen = calloc(ast->nroles + 1, sizeof(bool));
    size_t head = 0, tail = 0;
    const struct ast_ref *found = NULL;

    if (!queue || !seen) {
        free(queue);
        free(seen);
        return NULL;
    }
    queue[tail++] = role;
    seen[role] = true;
    from[role] = AST_NONE;
    while (head < tail && !found) {
        uint32_t r = queue[head++];
        const struct ast_role *ro = &ast->roles[r];

        /* Only a role that holds the bit can have passed it on. */
        if (!mask_has(policy_role_mask(cx->pol, r), bit))
            continue;
        found = block_grant(cx, ro->clauses, bit);
        if (found) {
            *file = ro->file;
            *owner = r;
            break;
        }
        for (uint32_t i = 0; i < ro->parents.count; i++) {
            uint32_t p = ast->refs[ro->parents.start + i].target;

            if (p != AST_NONE && !seen[p]) {
                seen[p] = true;
                from[p] = r;
                queue[tail++] = p;
            }
        }
    }
    free(queue);
    free(seen);
    return found;
}

void lint_note_grant(struct lint_ctx *cx, struct diag *d, uint32_t role, uint32_t bit)
{
    const struct ast *ast = cx->ast;
    uint32_t file = 0, owner = 0;
    uint32_t *from = malloc((ast->nroles + 1) * sizeof(uint32_t));
    const struct ast_ref *ref;
    const char *perm = ast_name(ast, ast->perms[ast->bit_to_perm[bit]].name);
    char chain[1024];
    size_t used = 0;

    if (!d || !from) {
        free(from);
        return;
    }
    ref = lint_find_grant(cx, role, bit, &file, &owner, from);
    if (!ref) {
        free(from);
        return;
    }
    /* The chain from the role up to the owner of the grant. from[] leads
     * from the owner back to the role, so collect it and print it reversed. */
    {
        uint32_t path[64], depth = 0;

        for (uint32_t r = owner; r != AST_NONE && depth < 64; r = from[r])
            path[depth++] = r;
        chain[0] = '\0';
        if (depth == 64 && from[path[depth - 1]] != AST_NONE)
            used = (size_t)snprintf(chain, sizeof(chain), "... -> "); /* a longer chain */
        for (uint32_t i = depth; i-- > 0 && used < sizeof(chain);) {
            int n = snprintf(chain + used, sizeof(chain) - used, "%s'%s'",
                             i + 1 == depth ? "" : " -> ", ast_name(ast, ast->roles[path[i]].name));
            used += n > 0 ? (size_t)n : 0;
        }
    }
    if (owner == role)
        diag_note(cx->sink, d, lint_loc(cx, file, ref->span), "role '%s' grants '%s' here",
                  ast_name(ast, ast->roles[owner].name), perm);
    else
        diag_note(cx->sink, d, lint_loc(cx, file, ref->span),
                  "'%s' is granted here by role '%s', inherited through %s", perm,
                  ast_name(ast, ast->roles[owner].name), chain);
    free(from);
}

void lint_note_member_revoke(struct lint_ctx *cx, struct diag *d, uint32_t member, uint32_t bit)
{
    const struct ast *ast = cx->ast;
    const struct ast_member *me = &ast->members[member];
    uint64_t *mask = calloc(cx->pol->words, sizeof(uint64_t));

    if (!d || !mask) {
        free(mask);
        return;
    }
    for (uint32_t c = 0; c < me->clauses.count; c++) {
        const struct ast_clause *cl = &ast->clauses[me->clauses.start + c];

        if (cl->kind != CLAUSE_REVOKE)
            continue;
        for (uint32_t i = 0; i < cl->refs.count; i++) {
            const struct ast_ref *ref = &ast->refs[cl->refs.start + i];

            memset(mask, 0, cx->pol->words * sizeof(uint64_t));
            lint_ref_bits(cx, ref, mask);
            if (mask_has(mask, bit)) {
                diag_note(cx->sink, d, lint_loc(cx, me->file, ref->span),
                          "the member's own revoke removes '%s' here",
                          ast_name(ast, ast->perms[ast->bit_to_perm[bit]].name));
                free(mask);
                return;
            }
        }
    }
    free(mask);
}

void lint_note_member_grant(struct lint_ctx *cx, struct diag *d, uint32_t member, uint32_t bit)
{
    const struct ast *ast = cx->ast;
    const struct ast_member *me = &ast->members[member];
    const struct ast_ref *own;

    if (!d)
        return;
    own = block_grant(cx, me->clauses, bit);
    if (own) {
        diag_note(cx->sink, d, lint_loc(cx, me->file, own->span),
                  "the member's own grant gives '%s' here",
                  ast_name(ast, ast->perms[ast->bit_to_perm[bit]].name));
        return;
    }
    for (uint32_t i = 0; i < me->parents.count; i++) {
        uint32_t r = ast->refs[me->parents.start + i].target;

        if (r != AST_NONE && mask_has(policy_role_mask(cx->pol, r), bit)) {
            lint_note_grant(cx, d, r, bit);
            return;
        }
    }
}

/* Reports suppressions past their until date; those no longer silence anything. */
static void check_expired(struct lint_ctx *cx)
{
    for (size_t i = 0; i < cx->ast->nsuppressions; i++) {
        const struct ast_suppress *s = &cx->ast->suppressions[i];

        if (!s->has_until || lint_days_from_civil(s->year, s->month, s->day) >= cx->cfg->today)
            continue;
        cx->suppression_expired[i] = true;
        lint_report(cx, RULE_EXPIRED_SUPPRESSION, DIAG_ERROR, SUBJECT_NONE, AST_NONE,
                    lint_loc(cx, s->file, s->until_span),
                    "suppression of '%s' expired on %04u-%02u-%02u; fix what it silenced or "
                    "renew it with a later date",
                    s->rule, s->year, s->month, s->day);
    }
}

static void check_unused(struct lint_ctx *cx)
{
    for (size_t i = 0; i < cx->ast->nsuppressions; i++) {
        const struct ast_suppress *s = &cx->ast->suppressions[i];

        if (cx->suppression_used[i] || cx->suppression_expired[i])
            continue;
        lint_report(cx, RULE_UNUSED_SUPPRESSION, DIAG_WARNING, SUBJECT_NONE, AST_NONE,
                    lint_loc(cx, s->file, s->rule_span),
                    "suppression of '%s' silenced nothing; remove it", s->rule);
    }
}

void lint_policy(const struct policy *pol, const struct lint_config *cfg, struct diag_sink *sink)
{
    struct lint_ctx cx;
    size_t n = pol->ast->nsuppressions;

    cx.pol = pol;
    cx.ast = pol->ast;
    cx.cfg = cfg;
    cx.sink = sink;
    cx.suppression_used = calloc(n + 1, sizeof(bool));
    cx.suppression_expired = calloc(n + 1, sizeof(bool));
    if (!cx.suppression_used || !cx.suppression_expired) {
        free(cx.suppression_used);
        free(cx.suppression_expired);
        diag_error(sink, (struct loc){0}, "out of memory in the linter");
        return;
    }
    check_expired(&cx);
    lint_roles(&cx);
    lint_members(&cx);
    lint_constraints(&cx);
    check_unused(&cx);
    free(cx.suppression_used);
    free(cx.suppression_expired);
}
