/* Linter rules about roles and blocks: unused-role, empty-role,
 * duplicate-role, redundant-grant, ineffective-revoke, repeated-name. */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "lint_internal.h"

static bool mask_empty(const uint64_t *mask, uint32_t words)
{
    for (uint32_t w = 0; w < words; w++) {
        if (mask[w])
            return false;
    }
    return true;
}

/* True when every bit of sub is in super. */
static bool mask_within(const uint64_t *sub, const uint64_t *super, uint32_t words)
{
    for (uint32_t w = 0; w < words; w++) {
        if (sub[w] & ~super[w])
            return false;
    }
    return true;
}

static bool mask_meets(const uint64_t *a, const uint64_t *b, uint32_t words)
{
    for (uint32_t w = 0; w < words; w++) {
        if (a[w] & b[w])
            return true;
    }
    return false;
}

/* Marks for repeated-name: per interned name, the list where it was last seen. */
struct seen {
    uint32_t *stamp_name;  /* per name: list stamp when seen as a plain name */
    uint32_t *stamp_group; /* per name: list stamp when seen as group.* */
    uint32_t *first_name;  /* index of the first ref with that name in the list */
    uint32_t *first_group;
    uint32_t stamp;
    uint32_t star_stamp, first_star;
};

static void check_repeats(struct lint_ctx *cx, struct seen *sn, uint32_t file, struct range refs,
                          uint8_t subject_kind, uint32_t subject, const char *what)
{
    const struct ast *ast = cx->ast;

    sn->stamp++;
    for (uint32_t i = 0; i < refs.count; i++) {
        uint32_t at = refs.start + i;
        const struct ast_ref *ref = &ast->refs[at];
        uint32_t *stamp, *first;
        char text[160];
        struct diag *d;

        if (ref->kind == REF_ALL) {
            stamp = &sn->star_stamp;
            first = &sn->first_star;
        } else if (ref->kind == REF_GROUP_ALL) {
            stamp = &sn->stamp_group[ref->name];
            first = &sn->first_group[ref->name];
        } else {
            stamp = &sn->stamp_name[ref->name];
            first = &sn->first_name[ref->name];
        }
        if (*stamp != sn->stamp) {
            *stamp = sn->stamp;
            *first = at;
            continue;
        }
        lint_ref_text(cx, ref, text, sizeof(text));
        d = lint_report(cx, RULE_REPEATED_NAME, DIAG_WARNING, subject_kind, subject,
                        lint_loc(cx, file, ref->span), "'%s' is listed twice in this %s; remove "
                        "the second one", text, what);
        if (d)
            diag_note(cx->sink, d, lint_loc(cx, file, ast->refs[*first].span),
                      "'%s' is first listed here", text);
    }
}

/* The union of the parents' sets of a block. */
static void parents_mask(const struct lint_ctx *cx, struct range parents, uint64_t *mask)
{
    memset(mask, 0, cx->pol->words * sizeof(uint64_t));
    for (uint32_t i = 0; i < parents.count; i++) {
        uint32_t p = cx->ast->refs[parents.start + i].target;

        if (p == AST_NONE)
            continue;
        const uint64_t *pm = policy_role_mask(cx->pol, p);
        for (uint32_t w = 0; w < cx->pol->words; w++)
            mask[w] |= pm[w];
    }
}

/* Names the first parent that gives bit, for messages. */
static uint32_t parent_giving(const struct lint_ctx *cx, struct range parents, uint32_t bit,
                              uint32_t *ref_index)
{
    for (uint32_t i = 0; i < parents.count; i++) {
        uint32_t p = cx->ast->refs[parents.start + i].target;

        if (p != AST_NONE && mask_has(policy_role_mask(cx->pol, p), bit)) {
            *ref_index = parents.start + i;
            return p;
        }
    }
    return AST_NONE;
}

static uint32_t first_bit(const uint64_t *mask, uint32_t nbits)
{
    for (uint32_t b = 0; b < nbits; b++) {
        if (mask_has(mask, b))
            return b;
    }
    return AST_NONE;
}

/* Names a role or member for a message: "role 'x'" or "member "x"". */
static void owner_text(const struct lint_ctx *cx, uint8_t subject_kind, uint32_t subject,
                       char *buf, size_t size)
{
    if (subject_kind == SUBJECT_ROLE)
        snprintf(buf, size, "role '%s'", ast_name(cx->ast, cx->ast->roles[subject].name));
    else
        snprintf(buf, size, "member \"%s\"", cx->ast->members[subject].id);
}

/* redundant-grant and ineffective-revoke for one role or member block. The
 * message texts are built only when a rule fires: building them for every
 * entry took an eighth of the instructions of a clean 100,000-member compile
 * (callgrind). */
static void check_block(struct lint_ctx *cx, uint32_t file, struct range parents,
                        struct range clauses, uint8_t subject_kind, uint32_t subject)
{
    const struct ast *ast = cx->ast;
    uint32_t words = cx->pol->words;
    uint64_t *base = calloc(words, 8), *would = calloc(words, 8), *covered = calloc(words, 8);

    if (!base || !would || !covered)
        goto out;
    parents_mask(cx, parents, base);
    memcpy(would, base, words * 8);
    for (uint32_t c = 0; c < clauses.count; c++) {
        const struct ast_clause *cl = &ast->clauses[clauses.start + c];

        if (cl->kind != CLAUSE_GRANT)
            continue;
        for (uint32_t i = 0; i < cl->refs.count; i++)
            lint_ref_bits(cx, &ast->refs[cl->refs.start + i], would);
    }

    for (uint32_t c = 0; c < clauses.count; c++) {
        const struct ast_clause *cl = &ast->clauses[clauses.start + c];

        if (cl->kind == CLAUSE_TITLE)
            continue;
        for (uint32_t i = 0; i < cl->refs.count; i++) {
            const struct ast_ref *ref = &ast->refs[cl->refs.start + i];
            char text[160], owner[400];
            struct diag *d;

            if (ref->kind != REF_ALL && ref->target == AST_NONE)
                continue;
            memset(covered, 0, words * 8);
            lint_ref_bits(cx, ref, covered);
            if (mask_empty(covered, words))
                continue;
            if (cl->kind == CLAUSE_GRANT && mask_within(covered, base, words)) {
                uint32_t ref_index = 0;
                uint32_t p = parent_giving(cx, parents, first_bit(covered, cx->pol->nbits),
                                           &ref_index);

                lint_ref_text(cx, ref, text, sizeof(text));
                owner_text(cx, subject_kind, subject, owner, sizeof(owner));

                d = lint_report(cx, RULE_REDUNDANT_GRANT, DIAG_WARNING, subject_kind, subject,
                                lint_loc(cx, file, ref->span),
                                "%s already has '%s' from its roles; remove this grant", owner,
                                text);
                if (d && p != AST_NONE)
                    diag_note(cx->sink, d, lint_loc(cx, file, ast->refs[ref_index].span),
                              "role '%s' gives it", ast_name(ast, ast->roles[p].name));
            } else if (cl->kind == CLAUSE_REVOKE && !mask_meets(covered, would, words)) {
                lint_ref_text(cx, ref, text, sizeof(text));
                owner_text(cx, subject_kind, subject, owner, sizeof(owner));
                lint_report(cx, RULE_INEFFECTIVE_REVOKE, DIAG_WARNING, subject_kind, subject,
                            lint_loc(cx, file, ref->span),
                            "revoking '%s' has no effect: %s would not hold %s", text, owner,
                            ref->kind == REF_NAME ? "it" : "any of it");
            }
        }
    }
out:
    free(base);
    free(would);
    free(covered);
}


struct role_key {
    uint64_t hash;
    uint32_t role;
};

static int compare_keys(const void *pa, const void *pb)
{
    const struct role_key *a = pa, *b = pb;

    if (a->hash != b->hash)
        return a->hash < b->hash ? -1 : 1;
    return a->role < b->role ? -1 : a->role > b->role;
}

/* duplicate-role: roles with the same non-empty set, reported once per group
 * at the second role in declaration order. */
static void check_duplicates(struct lint_ctx *cx)
{
    const struct ast *ast = cx->ast;
    const struct policy *pol = cx->pol;
    struct role_key *keys = malloc((ast->nroles + 1) * sizeof(*keys));
    bool *done = calloc(ast->nroles + 1, sizeof(bool));
    size_t n = 0;

    if (!keys || !done)
        goto out;
    for (uint32_t r = 0; r < ast->nroles; r++) {
        const uint64_t *m = policy_role_mask(pol, r);

        if (pol->role_dup[r] || mask_empty(m, pol->words))
            continue;
        keys[n].hash = XXH3_64bits(m, pol->words * 8);
        keys[n].role = r;
        n++;
    }
    qsort(keys, n, sizeof(*keys), compare_keys);
    for (size_t i = 0; i < n; i++) {
        uint32_t first = keys[i].role;
        struct diag *d = NULL;

        if (done[first])
            continue;
        for (size_t j = i + 1; j < n && keys[j].hash == keys[i].hash; j++) {
            uint32_t other = keys[j].role;

            if (done[other] || memcmp(policy_role_mask(pol, first), policy_role_mask(pol, other),
                                      pol->words * 8) != 0)
                continue;
            done[other] = true;
            if (!d) {
                const struct ast_role *ro = &ast->roles[other];
                d = lint_report(cx, RULE_DUPLICATE_ROLE, DIAG_WARNING, SUBJECT_ROLE, other,
                                lint_loc(cx, ro->file, ro->span),
                                "role '%s' has the same permissions as role '%s'; merge them or "
                                "make one the parent of the other",
                                ast_name(ast, ro->name), ast_name(ast, ast->roles[first].name));
                if (d)
                    diag_note(cx->sink, d,
                              lint_loc(cx, ast->roles[first].file, ast->roles[first].span),
                              "role '%s' is defined here", ast_name(ast, ast->roles[first].name));
            } else {
                diag_note(cx->sink, d, lint_loc(cx, ast->roles[other].file, ast->roles[other].span),
                          "role '%s' has the same permissions too",
                          ast_name(ast, ast->roles[other].name));
            }
        }
        done[first] = true;
    }
out:
    free(keys);
    free(done);
}

void lint_roles(struct lint_ctx *cx)
{
    const struct ast *ast = cx->ast;
    const struct policy *pol = cx->pol;
    bool *used = calloc(ast->nroles + 1, sizeof(bool));
    struct seen sn = {0};
    size_t n = ast->nnames + 1;

    sn.stamp_name = calloc(n, sizeof(uint32_t));
    sn.stamp_group = calloc(n, sizeof(uint32_t));
    sn.first_name = calloc(n, sizeof(uint32_t));
    sn.first_group = calloc(n, sizeof(uint32_t));
    if (!used || !sn.stamp_name || !sn.stamp_group || !sn.first_name || !sn.first_group)
        goto out;

    for (uint32_t r = 0; r < ast->nroles; r++) {
        const struct ast_role *ro = &ast->roles[r];
        for (uint32_t i = 0; i < ro->parents.count && !pol->role_dup[r]; i++) {
            uint32_t p = ast->refs[ro->parents.start + i].target;
            if (p != AST_NONE && p != r)
                used[p] = true;
        }
    }
    for (uint32_t m = 0; m < ast->nmembers; m++) {
        const struct ast_member *me = &ast->members[m];
        for (uint32_t i = 0; i < me->parents.count && !pol->member_dup[m]; i++) {
            uint32_t p = ast->refs[me->parents.start + i].target;
            if (p != AST_NONE)
                used[p] = true;
        }
    }

    for (uint32_t r = 0; r < ast->nroles; r++) {
        const struct ast_role *ro = &ast->roles[r];
        const char *name = ast_name(ast, ro->name);

        if (pol->role_dup[r])
            continue;
        if (!used[r] && ast->files[ro->file].root)
            lint_report(cx, RULE_UNUSED_ROLE, DIAG_WARNING, SUBJECT_ROLE, r,
                        lint_loc(cx, ro->file, ro->span),
                        "role '%s' is not used by any member or role; remove it or give it to a "
                        "member", name);
        if (mask_empty(policy_role_mask(pol, r), pol->words))
            lint_report(cx, RULE_EMPTY_ROLE, DIAG_WARNING, SUBJECT_ROLE, r,
                        lint_loc(cx, ro->file, ro->span),
                        "role '%s' has no permissions; grant it some or remove it", name);
        check_repeats(cx, &sn, ro->file, ro->parents, SUBJECT_ROLE, r, "parent list");
        for (uint32_t c = 0; c < ro->clauses.count; c++) {
            const struct ast_clause *cl = &ast->clauses[ro->clauses.start + c];
            if (cl->kind != CLAUSE_TITLE)
                check_repeats(cx, &sn, ro->file, cl->refs, SUBJECT_ROLE, r,
                              cl->kind == CLAUSE_GRANT ? "grant" : "revoke");
        }
        check_block(cx, ro->file, ro->parents, ro->clauses, SUBJECT_ROLE, r);
    }

    for (uint32_t m = 0; m < ast->nmembers; m++) {
        const struct ast_member *me = &ast->members[m];

        if (pol->member_dup[m])
            continue;
        check_repeats(cx, &sn, me->file, me->parents, SUBJECT_MEMBER, m, "role list");
        for (uint32_t c = 0; c < me->clauses.count; c++) {
            const struct ast_clause *cl = &ast->clauses[me->clauses.start + c];
            check_repeats(cx, &sn, me->file, cl->refs, SUBJECT_MEMBER, m,
                          cl->kind == CLAUSE_GRANT ? "grant" : "revoke");
        }
        if (me->clauses.count)
            check_block(cx, me->file, me->parents, me->clauses, SUBJECT_MEMBER, m);
    }
    check_duplicates(cx);
out:
    free(used);
    free(sn.stamp_name);
    free(sn.stamp_group);
    free(sn.first_name);
    free(sn.first_group);
}
