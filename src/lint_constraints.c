/* Declared constraints: requires, excludes, at least and at most, checked on
 * the final effective sets and reported once, at their cause. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint_internal.h"

struct constraint_sets {
    uint64_t *left;
    uint64_t *right;
};

static void side_mask(const struct lint_ctx *cx, struct range refs, uint64_t *mask)
{
    memset(mask, 0, cx->pol->words * sizeof(uint64_t));
    for (uint32_t i = 0; i < refs.count; i++)
        lint_ref_bits(cx, &cx->ast->refs[refs.start + i], mask);
}

/* The constraint as written, for messages: "delete_team_members requires view_team". */
static void constraint_text(const struct lint_ctx *cx, const struct ast_constraint *c, char *buf,
                            size_t size)
{
    struct source *src = (struct source *)cx->ast->files[c->file].src;
    size_t len = c->span.end - c->span.begin;

    if (len > 0 && src->data[c->span.begin + len - 1] == ';')
        len--;
    snprintf(buf, size, "%.*s", (int)(len > 300 ? 300 : len), src->data + c->span.begin);
    /* Fold line breaks and tabs inside the statement into spaces. */
    for (char *p = buf; *p; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    }
}

/* Returns the first bit of a violation of c by mask, or AST_NONE when it holds:
 * requires: a left bit held while some right bit is missing (*other = missing);
 * excludes: a left bit held together with a right bit (*other = right bit). */
static uint32_t violation(const struct lint_ctx *cx, const struct ast_constraint *c,
                          const struct constraint_sets *s, const uint64_t *mask, uint32_t *other)
{
    uint32_t words = cx->pol->words, nbits = cx->pol->nbits;
    bool held_left = false, found = false;
    uint32_t left_bit = AST_NONE;

    for (uint32_t w = 0; w < words && !held_left; w++)
        held_left = (mask[w] & s->left[w]) != 0;
    if (!held_left)
        return AST_NONE;
    for (uint32_t b = 0; b < nbits && left_bit == AST_NONE; b++) {
        if (mask_has(s->left, b) && mask_has(mask, b))
            left_bit = b;
    }
    for (uint32_t b = 0; b < nbits && !found; b++) {
        if (!mask_has(s->right, b))
            continue;
        if (c->kind == CONSTRAINT_REQUIRES ? !mask_has(mask, b) : mask_has(mask, b)) {
            *other = b;
            found = true;
        }
    }
    if (c->kind == CONSTRAINT_EXCLUDES && found && *other == left_bit) {
        /* The same permission on both sides: any holder violates. */
        return left_bit;
    }
    return found ? left_bit : AST_NONE;
}

static const char *bit_name(const struct lint_ctx *cx, uint32_t bit)
{
    return ast_name(cx->ast, cx->ast->perms[cx->ast->bit_to_perm[bit]].name);
}

static void fix_hint(const struct lint_ctx *cx, const struct ast_constraint *c, uint32_t bit,
                     uint32_t other, const char *who, char *buf, size_t size)
{
    if (c->kind == CONSTRAINT_REQUIRES)
        snprintf(buf, size, "add '%s' to %s, or remove '%s'", bit_name(cx, other), who,
                 bit_name(cx, bit));
    else
        snprintf(buf, size, "remove '%s' or '%s' from %s", bit_name(cx, bit),
                 bit_name(cx, other), who);
}

static void check_pair_constraint(struct lint_ctx *cx, const struct ast_constraint *c,
                                  const struct constraint_sets *s)
{
    const struct ast *ast = cx->ast;
    const struct policy *pol = cx->pol;
    enum diag_severity sev = c->is_error ? DIAG_ERROR : DIAG_WARNING;
    bool *role_bad = calloc(ast->nroles + 1, sizeof(bool));
    uint32_t *still_bad = calloc(ast->nroles + 1, sizeof(uint32_t));
    char text[320], who[400], hint[600];
    uint32_t other = 0;

    if (!role_bad || !still_bad)
        goto out;
    constraint_text(cx, c, text, sizeof(text));
    for (uint32_t r = 0; r < ast->nroles; r++) {
        if (!pol->role_dup[r])
            role_bad[r] = violation(cx, c, s, policy_role_mask(pol, r), &other) != AST_NONE;
    }

    /* Members: a member whose role already violates is counted for that role;
     * only a member whose own combination causes it is reported. */
    for (uint32_t m = 0; m < ast->nmembers; m++) {
        const struct ast_member *me = &ast->members[m];
        bool any_role_bad = false;
        uint32_t bit;
        struct diag *d;

        if (pol->member_dup[m])
            continue;
        bit = violation(cx, c, s, policy_member_mask(pol, m), &other);
        if (bit == AST_NONE)
            continue;
        for (uint32_t i = 0; i < me->parents.count; i++) {
            uint32_t p = ast->refs[me->parents.start + i].target;
            if (p != AST_NONE && role_bad[p]) {
                any_role_bad = true;
                still_bad[p]++;
            }
        }
        if (any_role_bad)
            continue;
        snprintf(who, sizeof(who), "member \"%s\"", me->id);
        fix_hint(cx, c, bit, other, who, hint, sizeof(hint));
        d = lint_report(cx, RULE_CONSTRAINT, sev, SUBJECT_MEMBER, m,
                        lint_loc(cx, me->file, me->span),
                        c->kind == CONSTRAINT_REQUIRES
                            ? "member \"%s\" holds '%s' without '%s', against '%s'; %s"
                            : "member \"%s\" holds both '%s' and '%s', against '%s'; %s",
                        me->id, bit_name(cx, bit), bit_name(cx, other), text, hint);
        if (!d)
            continue;
        lint_note_member_grant(cx, d, m, bit);
        if (c->kind == CONSTRAINT_EXCLUDES)
            lint_note_member_grant(cx, d, m, other);
        else
            lint_note_member_revoke(cx, d, m, other);
        diag_note(cx->sink, d, lint_loc(cx, c->file, c->span), "the constraint is declared here");
    }

    for (uint32_t r = 0; r < ast->nroles; r++) {
        const struct ast_role *ro = &ast->roles[r];
        uint32_t bit;
        struct diag *d;

        if (!role_bad[r])
            continue;
        bit = violation(cx, c, s, policy_role_mask(pol, r), &other);
        snprintf(who, sizeof(who), "role '%s'", ast_name(ast, ro->name));
        fix_hint(cx, c, bit, other, who, hint, sizeof(hint));
        d = lint_report(cx, RULE_CONSTRAINT, sev, SUBJECT_ROLE, r,
                        lint_loc(cx, ro->file, ro->span),
                        c->kind == CONSTRAINT_REQUIRES
                            ? "role '%s' holds '%s' without '%s', against '%s'; %s"
                            : "role '%s' holds both '%s' and '%s', against '%s'; %s",
                        ast_name(ast, ro->name), bit_name(cx, bit), bit_name(cx, other), text,
                        hint);
        if (!d)
            continue;
        lint_note_grant(cx, d, r, bit);
        if (c->kind == CONSTRAINT_EXCLUDES)
            lint_note_grant(cx, d, r, other);
        diag_note(cx->sink, d, lint_loc(cx, c->file, c->span), "the constraint is declared here");
        if (still_bad[r])
            diag_note(cx->sink, d, lint_loc(cx, ro->file, ro->span),
                      "%u member%s with this role violate%s it too", still_bad[r],
                      still_bad[r] == 1 ? "" : "s", still_bad[r] == 1 ? "s" : "");
    }
out:
    free(role_bad);
    free(still_bad);
}

static void check_count_constraint(struct lint_ctx *cx, const struct ast_constraint *c,
                                   const struct constraint_sets *s)
{
    const struct ast *ast = cx->ast;
    const struct policy *pol = cx->pol;
    enum diag_severity sev = c->is_error ? DIAG_ERROR : DIAG_WARNING;
    uint64_t count = 0;
    uint32_t first = AST_NONE;
    char text[320];
    struct diag *d;

    for (uint32_t m = 0; m < ast->nmembers; m++) {
        const uint64_t *mask = policy_member_mask(pol, m);
        bool all = true;

        if (pol->member_dup[m])
            continue;
        for (uint32_t w = 0; w < pol->words && all; w++)
            all = (mask[w] & s->left[w]) == s->left[w];
        if (all) {
            count++;
            if (first == AST_NONE || (c->kind == CONSTRAINT_AT_MOST && count == c->count + 1))
                first = m;
        }
    }
    if (c->kind == CONSTRAINT_AT_LEAST ? count >= c->count : count <= c->count)
        return;
    constraint_text(cx, c, text, sizeof(text));
    d = lint_report(cx, RULE_CONSTRAINT, sev, SUBJECT_NONE, AST_NONE,
                    lint_loc(cx, c->file, c->span),
                    "%llu member%s match%s, against '%s'", (unsigned long long)count,
                    count == 1 ? "" : "s", count == 1 ? "es" : "", text);
    if (d && c->kind == CONSTRAINT_AT_MOST && first != AST_NONE)
        diag_note(cx->sink, d, lint_loc(cx, ast->members[first].file, ast->members[first].span),
                  "member \"%s\" is one past the limit", ast->members[first].id);
}

void lint_constraints(struct lint_ctx *cx)
{
    const struct ast *ast = cx->ast;
    struct constraint_sets s;

    s.left = calloc(cx->pol->words, sizeof(uint64_t));
    s.right = calloc(cx->pol->words, sizeof(uint64_t));
    if (!s.left || !s.right)
        goto out;
    for (size_t i = 0; i < ast->nconstraints; i++) {
        const struct ast_constraint *c = &ast->constraints[i];

        side_mask(cx, c->left, s.left);
        if (c->kind == CONSTRAINT_REQUIRES || c->kind == CONSTRAINT_EXCLUDES) {
            side_mask(cx, c->right, s.right);
            check_pair_constraint(cx, c, &s);
        } else {
            check_count_constraint(cx, c, &s);
        }
    }
out:
    free(s.left);
    free(s.right);
}
