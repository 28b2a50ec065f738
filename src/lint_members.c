/* Linter rules about members: id-case, no-permissions, many-overrides,
 * escalation and lockout. */
#include <stdlib.h>
#include <string.h>

#include "lint_internal.h"
#include "strmap.h"

static bool has_upper(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] >= 'A' && s[i] <= 'Z')
            return true;
    }
    return false;
}

static void lower_ascii(char *dst, const char *src, size_t len)
{
    for (size_t i = 0; i < len; i++)
        dst[i] = src[i] >= 'A' && src[i] <= 'Z' ? (char)(src[i] - 'A' + 'a') : src[i];
}

static void report_case(struct lint_ctx *cx, uint32_t later, uint32_t earlier)
{
    const struct ast_member *a = &cx->ast->members[later], *b = &cx->ast->members[earlier];
    struct diag *d;

    d = lint_report(cx, RULE_ID_CASE, DIAG_WARNING, SUBJECT_MEMBER, later,
                    lint_loc(cx, a->file, a->span),
                    "member \"%s\" differs from \"%s\" only in case; ids are compared byte for "
                    "byte, so these are two members", a->id, b->id);
    if (d)
        diag_note(cx->sink, d, lint_loc(cx, b->file, b->span), "\"%s\" is defined here", b->id);
}

/* id-case: a pair needs an upper-case letter on at least one side, so only
 * ids with one are lowered and looked up, among the exact ids and among
 * the lowered forms seen so far. */
static void check_id_case(struct lint_ctx *cx)
{
    const struct ast *ast = cx->ast;
    struct strmap lowered;
    char **copies = NULL;
    size_t ncopies = 0, cap = 0;

    strmap_init(&lowered);
    for (uint32_t m = 0; m < ast->nmembers; m++) {
        const struct ast_member *me = &ast->members[m];
        char *low;
        uint32_t other;

        if (cx->pol->member_dup[m] || !has_upper(me->id, me->id_len))
            continue;
        low = xmalloc(me->id_len + 1);
        lower_ascii(low, me->id, me->id_len);
        low[me->id_len] = '\0';
        *VEC_PUSH(copies, ncopies, cap) = low;

        other = strmap_get(&cx->pol->member_by_id, low, me->id_len);
        if (other != STRMAP_MISSING && other != m) {
            report_case(cx, other > m ? other : m, other > m ? m : other);
            continue;
        }
        other = strmap_put(&lowered, low, me->id_len, m);
        if (other != m)
            report_case(cx, m, other);
    }
    strmap_release(&lowered);
    for (size_t i = 0; i < ncopies; i++)
        free(copies[i]);
    free(copies);
}

static uint32_t count_bits(const uint64_t *mask, uint32_t words)
{
    uint32_t n = 0;

    for (uint32_t w = 0; w < words; w++)
        n += (uint32_t)__builtin_popcountll(mask[w]);
    return n;
}

static uint32_t override_count(const struct ast *ast, const struct ast_member *me)
{
    uint32_t n = 0;

    for (uint32_t c = 0; c < me->clauses.count; c++)
        n += ast->clauses[me->clauses.start + c].refs.count;
    return n;
}

void lint_members(struct lint_ctx *cx)
{
    const struct ast *ast = cx->ast;
    const struct policy *pol = cx->pol;
    uint64_t *escalates = calloc(pol->words, sizeof(uint64_t));
    uint32_t first_escalates = AST_NONE, members = 0;
    bool any_holder = false;

    if (!escalates)
        return;
    for (uint32_t b = 0; b < pol->nbits; b++) {
        if (ast->perms[ast->bit_to_perm[b]].flags & PERM_ESCALATES) {
            escalates[b / 64] |= (uint64_t)1 << (b % 64);
            if (first_escalates == AST_NONE)
                first_escalates = b;
        }
    }

    for (uint32_t m = 0; m < ast->nmembers; m++) {
        const struct ast_member *me = &ast->members[m];
        const uint64_t *mask = policy_member_mask(pol, m);
        uint32_t held = count_bits(mask, pol->words), overrides;
        bool escalating = false;

        if (pol->member_dup[m])
            continue;
        members++;
        for (uint32_t w = 0; w < pol->words; w++)
            escalating |= (mask[w] & escalates[w]) != 0;
        any_holder |= escalating;

        if (held == 0)
            lint_report(cx, RULE_NO_PERMISSIONS, DIAG_NOTE, SUBJECT_MEMBER, m,
                        lint_loc(cx, me->file, me->span), "member \"%s\" has no permissions",
                        me->id);
        overrides = override_count(ast, me);
        if (overrides > cx->cfg->max_overrides)
            lint_report(cx, RULE_MANY_OVERRIDES, DIAG_NOTE, SUBJECT_MEMBER, m,
                        lint_loc(cx, me->file, me->span),
                        "member \"%s\" has %u grant and revoke entries (more than %zu); define "
                        "a role for this combination", me->id, overrides,
                        cx->cfg->max_overrides);
        if (escalating && held < pol->nbits)
            lint_report(cx, RULE_ESCALATION, DIAG_WARNING, SUBJECT_MEMBER, m,
                        lint_loc(cx, me->file, me->span),
                        "member \"%s\" can set permissions but lacks %u of them, so it could "
                        "grant them to itself or to a member it adds", me->id,
                        pol->nbits - held);
    }

    if (members && first_escalates != AST_NONE && !any_holder) {
        const struct ast_permission *p = &ast->perms[ast->bit_to_perm[first_escalates]];

        lint_report(cx, RULE_LOCKOUT, DIAG_ERROR, SUBJECT_NONE, AST_NONE,
                    lint_loc(cx, p->file, p->span),
                    "no member holds a permission marked escalates, such as '%s', so nobody can "
                    "change anyone's permissions; grant one to a trusted member",
                    ast_name(ast, p->name));
    }
    check_id_case(cx);
    free(escalates);
}
