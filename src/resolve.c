/* Name resolution, semantic errors, parent-role order and effective sets. */
#include "resolve.h"

#include <stdlib.h>
#include <string.h>

#include "kkp_limits.h"
#include "suggest.h"

struct resolver {
    struct ast *ast;
    struct diag_sink *sink;
    struct policy *pol;
};

static struct loc at(const struct resolver *r, uint32_t file, struct span span)
{
    return ast_loc(r->ast, file, span);
}

static uint32_t *name_table(size_t n)
{
    uint32_t *t = xmalloc((n ? n : 1) * sizeof(uint32_t));

    for (size_t i = 0; i < n; i++)
        t[i] = AST_NONE;
    return t;
}

static void report_duplicate(struct resolver *r, const char *kind, const char *name,
                             uint32_t file, struct span span, uint32_t first_file,
                             struct span first_span)
{
    struct diag *d = diag_error(r->sink, at(r, file, span), "%s '%s' is defined twice", kind, name);

    diag_note(r->sink, d, at(r, first_file, first_span), "'%s' is first defined here", name);
}

/* Fills the name tables; a second definition is an error pointing at both. */
static void define_names(struct resolver *r)
{
    struct ast *ast = r->ast;
    struct policy *pol = r->pol;
    uint32_t unique_members = 0;

    for (uint32_t g = 0; g < ast->ngroups; g++) {
        struct ast_group *grp = &ast->groups[g];
        uint32_t *slot = &pol->group_of_name[grp->name];

        if (*slot != AST_NONE) {
            const struct ast_group *first = &ast->groups[*slot];
            report_duplicate(r, "group", ast_name(ast, grp->name), grp->file, grp->span,
                             first->file, first->span);
            continue;
        }
        if (g >= KKP_MAX_GROUPS) {
            diag_error(r->sink, at(r, grp->file, grp->span), "too many groups; the limit is %d",
                       KKP_MAX_GROUPS);
            break;
        }
        *slot = g;
    }

    /* Permissions in bit order, so "first" means first in expansion order. */
    for (uint32_t b = 0; b < ast->nbits; b++) {
        uint32_t i = ast->bit_to_perm[b];
        struct ast_permission *perm = &ast->perms[i];
        uint32_t *slot = &pol->perm_of_name[perm->name];

        if (*slot != AST_NONE) {
            const struct ast_permission *first = &ast->perms[*slot];
            report_duplicate(r, "permission", ast_name(ast, perm->name), perm->file, perm->span,
                             first->file, first->span);
            continue;
        }
        *slot = i;
    }

    for (uint32_t i = 0; i < ast->nroles; i++) {
        struct ast_role *role = &ast->roles[i];
        uint32_t *slot = &pol->role_of_name[role->name];

        if (*slot != AST_NONE) {
            const struct ast_role *first = &ast->roles[*slot];
            report_duplicate(r, "role", ast_name(ast, role->name), role->file, role->span,
                             first->file, first->span);
            pol->role_dup[i] = true;
            continue;
        }
        if (i >= KKP_MAX_ROLES) {
            diag_error(r->sink, at(r, role->file, role->span), "too many roles; the limit is %d",
                       KKP_MAX_ROLES);
            for (uint32_t k = i; k < ast->nroles; k++)
                pol->role_dup[k] = true;
            break;
        }
        *slot = i;
    }

    for (uint32_t i = 0; i < ast->nmembers; i++) {
        struct ast_member *m = &ast->members[i];
        uint32_t first = strmap_put(&pol->member_by_id, m->id, m->id_len, i);

        if (first != i) {
            const struct ast_member *f = &ast->members[first];
            struct diag *d = diag_error(r->sink, at(r, m->file, m->span),
                                        "member \"%s\" is defined twice", m->id);

            diag_note(r->sink, d, at(r, f->file, f->span), "\"%s\" is first defined here", m->id);
            pol->member_dup[i] = true;
            continue;
        }
        if (++unique_members > KKP_MAX_MEMBERS) {
            diag_error(r->sink, at(r, m->file, m->span), "too many members; the limit is %d",
                       KKP_MAX_MEMBERS);
            for (uint32_t k = i; k < ast->nmembers; k++)
                pol->member_dup[k] = true;
            break;
        }
    }
}

/* Lists each group's bits in bit order. */
static void index_groups(struct resolver *r)
{
    struct ast *ast = r->ast;
    struct policy *pol = r->pol;
    uint32_t *fill;

    pol->group_start = xcalloc(ast->ngroups + 1, sizeof(uint32_t));
    pol->group_bits = xcalloc(ast->nbits ? ast->nbits : 1, sizeof(uint32_t));
    for (uint32_t b = 0; b < ast->nbits; b++) {
        uint32_t g = ast->perms[ast->bit_to_perm[b]].group;
        if (g != AST_NONE)
            pol->group_start[g + 1]++;
    }
    for (size_t g = 0; g < ast->ngroups; g++)
        pol->group_start[g + 1] += pol->group_start[g];
    fill = xcalloc(ast->ngroups ? ast->ngroups : 1, sizeof(uint32_t));
    for (uint32_t b = 0; b < ast->nbits; b++) {
        uint32_t g = ast->perms[ast->bit_to_perm[b]].group;
        if (g != AST_NONE)
            pol->group_bits[pol->group_start[g] + fill[g]++] = b;
    }
    free(fill);
}

static void unknown_permission(struct resolver *r, uint32_t file, const struct ast_ref *ref)
{
    struct ast *ast = r->ast;
    const char *name = ast_name(ast, ref->name);
    struct loc loc = at(r, file, ref->span);
    struct suggest s;

    if (r->pol->group_of_name[ref->name] != AST_NONE) {
        diag_error(r->sink, loc, "unknown permission '%s'; '%s' is a group, write '%s.*' for "
                   "all its permissions", name, name, name);
        return;
    }
    suggest_init(&s, name, strlen(name));
    for (uint32_t b = 0; b < ast->nbits; b++) {
        uint32_t p = ast->bit_to_perm[b];
        if (r->pol->perm_of_name[ast->perms[p].name] == p)
            suggest_offer(&s, ast_name(ast, ast->perms[p].name), ast->name_lens[ast->perms[p].name]);
    }
    if (s.best)
        diag_error(r->sink, loc, "unknown permission '%s'; did you mean '%s'?", name, s.best);
    else
        diag_error(r->sink, loc, "unknown permission '%s'", name);
}

static void unknown_group(struct resolver *r, uint32_t file, const struct ast_ref *ref)
{
    struct ast *ast = r->ast;
    const char *name = ast_name(ast, ref->name);
    struct loc loc = at(r, file, ref->span);
    struct suggest s;

    if (r->pol->perm_of_name[ref->name] != AST_NONE) {
        diag_error(r->sink, loc, "unknown group '%s'; '%s' is a permission, write '%s' without "
                   "'.*'", name, name, name);
        return;
    }
    suggest_init(&s, name, strlen(name));
    for (uint32_t g = 0; g < ast->ngroups; g++) {
        if (r->pol->group_of_name[ast->groups[g].name] == g)
            suggest_offer(&s, ast_name(ast, ast->groups[g].name), ast->name_lens[ast->groups[g].name]);
    }
    if (s.best)
        diag_error(r->sink, loc, "unknown group '%s'; did you mean '%s'?", name, s.best);
    else
        diag_error(r->sink, loc, "unknown group '%s'", name);
}

static uint32_t resolve_role_name(struct resolver *r, uint32_t file, uint32_t name,
                                  struct span span)
{
    struct ast *ast = r->ast;
    uint32_t role = r->pol->role_of_name[name];
    struct suggest s;

    if (role != AST_NONE)
        return role;
    suggest_init(&s, ast_name(ast, name), ast->name_lens[name]);
    for (uint32_t i = 0; i < ast->nroles; i++) {
        if (!r->pol->role_dup[i])
            suggest_offer(&s, ast_name(ast, ast->roles[i].name), ast->name_lens[ast->roles[i].name]);
    }
    if (s.best)
        diag_error(r->sink, at(r, file, span), "unknown role '%s'; did you mean '%s'?",
                   ast_name(ast, name), s.best);
    else
        diag_error(r->sink, at(r, file, span), "unknown role '%s'", ast_name(ast, name));
    return AST_NONE;
}

static uint32_t resolve_member_id(struct resolver *r, uint32_t file, const char *id,
                                  uint32_t len, struct span span)
{
    struct ast *ast = r->ast;
    uint32_t m = strmap_get(&r->pol->member_by_id, id, len);
    struct suggest s;

    if (m != STRMAP_MISSING)
        return m;
    suggest_init(&s, id, len);
    for (uint32_t i = 0; i < ast->nmembers; i++) {
        if (!r->pol->member_dup[i])
            suggest_offer(&s, ast->members[i].id, ast->members[i].id_len);
    }
    if (s.best)
        diag_error(r->sink, at(r, file, span), "unknown member \"%s\"; did you mean \"%s\"?", id,
                   s.best);
    else
        diag_error(r->sink, at(r, file, span), "unknown member \"%s\"", id);
    return AST_NONE;
}

static void resolve_perm_refs(struct resolver *r, uint32_t file, struct range refs)
{
    for (uint32_t i = 0; i < refs.count; i++) {
        struct ast_ref *ref = &r->ast->refs[refs.start + i];

        if (ref->kind == REF_NAME) {
            ref->target = r->pol->perm_of_name[ref->name];
            if (ref->target == AST_NONE)
                unknown_permission(r, file, ref);
        } else if (ref->kind == REF_GROUP_ALL) {
            ref->target = r->pol->group_of_name[ref->name];
            if (ref->target == AST_NONE)
                unknown_group(r, file, ref);
        }
    }
}

static void resolve_parents(struct resolver *r, uint32_t file, struct range refs)
{
    for (uint32_t i = 0; i < refs.count; i++) {
        struct ast_ref *ref = &r->ast->refs[refs.start + i];
        ref->target = resolve_role_name(r, file, ref->name, ref->span);
    }
}

/* Resolves a block's grants and revokes and rejects a permission named by its
 * own name in both. */
static void resolve_block(struct resolver *r, uint32_t file, struct range clauses)
{
    struct ast *ast = r->ast;

    for (uint32_t c = 0; c < clauses.count; c++) {
        const struct ast_clause *cl = &ast->clauses[clauses.start + c];
        if (cl->kind != CLAUSE_TITLE)
            resolve_perm_refs(r, file, cl->refs);
    }
    for (uint32_t c = 0; c < clauses.count; c++) {
        const struct ast_clause *rev = &ast->clauses[clauses.start + c];

        if (rev->kind != CLAUSE_REVOKE)
            continue;
        for (uint32_t i = 0; i < rev->refs.count; i++) {
            const struct ast_ref *rr = &ast->refs[rev->refs.start + i];
            bool found = false;

            if (rr->kind != REF_NAME || rr->target == AST_NONE)
                continue;
            for (uint32_t g = 0; g < clauses.count && !found; g++) {
                const struct ast_clause *gr = &ast->clauses[clauses.start + g];

                if (gr->kind != CLAUSE_GRANT)
                    continue;
                for (uint32_t k = 0; k < gr->refs.count && !found; k++) {
                    const struct ast_ref *gref = &ast->refs[gr->refs.start + k];

                    if (gref->kind == REF_NAME && gref->target == rr->target) {
                        const char *name = ast_name(ast, rr->name);
                        struct diag *d = diag_error(
                            r->sink, at(r, file, rr->span),
                            "'%s' is both granted and revoked in this block; keep one of them",
                            name);

                        diag_note(r->sink, d, at(r, file, gref->span), "'%s' is granted here", name);
                        found = true;
                    }
                }
            }
        }
    }
}

static void resolve_statements(struct resolver *r)
{
    struct ast *ast = r->ast;

    for (uint32_t i = 0; i < ast->nroles; i++) {
        struct ast_role *role = &ast->roles[i];
        const struct ast_clause *title = NULL;

        if (r->pol->role_dup[i])
            continue;
        resolve_parents(r, role->file, role->parents);
        resolve_block(r, role->file, role->clauses);
        for (uint32_t c = 0; c < role->clauses.count; c++) {
            const struct ast_clause *cl = &ast->clauses[role->clauses.start + c];

            if (cl->kind != CLAUSE_TITLE)
                continue;
            if (title) {
                struct diag *d = diag_error(r->sink, at(r, role->file, cl->target),
                                            "role '%s' has a second title; keep one",
                                            ast_name(ast, role->name));
                diag_note(r->sink, d, at(r, role->file, title->target), "the first title is here");
                continue;
            }
            title = cl;
            role->title = cl->title;
        }
    }
    for (uint32_t i = 0; i < ast->nmembers; i++) {
        struct ast_member *m = &ast->members[i];

        if (r->pol->member_dup[i])
            continue;
        resolve_parents(r, m->file, m->parents);
        resolve_block(r, m->file, m->clauses);
    }
    for (uint32_t i = 0; i < ast->nconstraints; i++) {
        struct ast_constraint *c = &ast->constraints[i];

        resolve_perm_refs(r, c->file, c->left);
        if (c->kind == CONSTRAINT_REQUIRES || c->kind == CONSTRAINT_EXCLUDES)
            resolve_perm_refs(r, c->file, c->right);
    }
    for (uint32_t i = 0; i < ast->nasserts; i++) {
        struct ast_assert *a = &ast->asserts[i];

        if (a->subject.kind == SUBJECT_ROLE)
            a->subject.target = resolve_role_name(r, a->file, a->subject.name, a->subject.span);
        else
            a->subject.target = resolve_member_id(r, a->file, a->subject.id, a->subject.id_len,
                                                  a->subject.span);
        resolve_perm_refs(r, a->file, a->perms);
    }
    for (uint32_t i = 0; i < ast->nsuppressions; i++) {
        struct ast_suppress *s = &ast->suppressions[i];
        bool known = false;
        struct suggest sg;

        for (size_t k = 0; k < diag_rule_count && !known; k++)
            known = strcmp(diag_rule_names[k], s->rule) == 0;
        if (!known) {
            suggest_init(&sg, s->rule, strlen(s->rule));
            for (size_t k = 0; k < diag_rule_count; k++)
                suggest_offer(&sg, diag_rule_names[k], strlen(diag_rule_names[k]));
            if (sg.best)
                diag_error(r->sink, at(r, s->file, s->rule_span),
                           "unknown rule '%s'; did you mean '%s'?", s->rule, sg.best);
            else
                diag_error(r->sink, at(r, s->file, s->rule_span), "unknown rule '%s'", s->rule);
        } else if (strcmp(s->rule, "unused-suppression") == 0 ||
                   strcmp(s->rule, "expired-suppression") == 0) {
            diag_error(r->sink, at(r, s->file, s->rule_span),
                       "rule '%s' cannot be suppressed", s->rule);
        }
        if (s->subject.kind == SUBJECT_ROLE)
            s->subject.target = resolve_role_name(r, s->file, s->subject.name, s->subject.span);
        else if (s->subject.kind == SUBJECT_MEMBER)
            s->subject.target = resolve_member_id(r, s->file, s->subject.id, s->subject.id_len,
                                                  s->subject.span);
    }
}

/* Reports the parent cycle closed by the edge from the role on top of the
 * stack to the role at stack[from]. */
static void report_role_cycle(struct resolver *r, const uint32_t *stack, const uint32_t *edge,
                              size_t from, size_t top)
{
    struct ast *ast = r->ast;
    size_t cap = 256, used = 0;
    char *chain = xmalloc(cap);
    const struct ast_role *last = &ast->roles[stack[top]];
    const struct ast_ref *closing = &ast->refs[edge[top]];
    struct diag *d;

    chain[0] = '\0';
    for (size_t i = from; i <= top + 1; i++) {
        const char *name = ast_name(ast, ast->roles[stack[i <= top ? i : from]].name);

        xgrow((void **)&chain, &cap, used + strlen(name) + 8, 1);
        used += (size_t)sprintf(chain + used, "%s'%s'", i == from ? "" : " -> ", name);
    }
    d = diag_error(r->sink, at(r, last->file, closing->span), "role cycle: %s; a role cannot "
                   "inherit from itself", chain);
    for (size_t i = from; i < top; i++) {
        const struct ast_role *child = &ast->roles[stack[i]];
        const struct ast_ref *ref = &ast->refs[edge[i]];

        diag_note(r->sink, d, at(r, child->file, ref->span), "'%s' inherits from '%s' here",
                  ast_name(ast, child->name), ast_name(ast, ref->name));
    }
    free(chain);
}

/* Orders the roles so that every parent comes before its children, with an
 * explicit stack: parent chains may be 10,000 deep or more. */
static void order_roles(struct resolver *r)
{
    struct ast *ast = r->ast;
    struct policy *pol = r->pol;
    uint8_t *state = xcalloc(ast->nroles ? ast->nroles : 1, 1); /* 0 new, 1 open, 2 done */
    uint32_t *stack = xmalloc((ast->nroles + 1) * sizeof(uint32_t));
    uint32_t *next = xmalloc((ast->nroles + 1) * sizeof(uint32_t)); /* next parent to visit */
    uint32_t *edge = xmalloc((ast->nroles + 1) * sizeof(uint32_t)); /* ref followed last */
    uint32_t *pos = xmalloc((ast->nroles ? ast->nroles : 1) * sizeof(uint32_t));

    pol->role_order = xmalloc((ast->nroles ? ast->nroles : 1) * sizeof(uint32_t));
    pol->nrole_order = 0;
    for (uint32_t root = 0; root < ast->nroles; root++) {
        size_t depth = 0;

        if (pol->role_dup[root] || state[root])
            continue;
        stack[0] = root;
        next[0] = 0;
        state[root] = 1;
        pos[root] = 0;
        depth = 1;
        while (depth) {
            uint32_t cur = stack[depth - 1];
            const struct ast_role *role = &ast->roles[cur];

            if (next[depth - 1] >= role->parents.count) {
                state[cur] = 2;
                pol->role_order[pol->nrole_order++] = cur;
                depth--;
                continue;
            }
            uint32_t ref_index = role->parents.start + next[depth - 1]++;
            uint32_t parent = ast->refs[ref_index].target;

            if (parent == AST_NONE || state[parent] == 2)
                continue;
            edge[depth - 1] = ref_index;
            if (state[parent] == 1) {
                report_role_cycle(r, stack, edge, pos[parent], depth - 1);
                continue;
            }
            state[parent] = 1;
            pos[parent] = (uint32_t)depth;
            stack[depth] = parent;
            next[depth] = 0;
            depth++;
        }
    }
    free(state);
    free(stack);
    free(next);
    free(edge);
    free(pos);
}

static void apply_refs(const struct resolver *r, uint64_t *mask, struct range refs, bool set)
{
    const struct ast *ast = r->ast;
    const struct policy *pol = r->pol;

    for (uint32_t i = 0; i < refs.count; i++) {
        const struct ast_ref *ref = &ast->refs[refs.start + i];

        if (ref->kind == REF_ALL) {
            for (uint32_t w = 0; w < pol->words; w++)
                mask[w] = set ? ~(uint64_t)0 : 0;
            if (set && pol->nbits % 64)
                mask[pol->words - 1] &= ((uint64_t)1 << (pol->nbits % 64)) - 1;
            if (set && pol->nbits == 0)
                mask[0] = 0;
            continue;
        }
        if (ref->target == AST_NONE)
            continue;
        if (ref->kind == REF_NAME) {
            uint32_t bit = ast->perms[ref->target].bit;
            if (set)
                mask[bit / 64] |= (uint64_t)1 << (bit % 64);
            else
                mask[bit / 64] &= ~((uint64_t)1 << (bit % 64));
            continue;
        }
        for (uint32_t k = pol->group_start[ref->target]; k < pol->group_start[ref->target + 1];
             k++) {
            uint32_t bit = pol->group_bits[k];
            if (set)
                mask[bit / 64] |= (uint64_t)1 << (bit % 64);
            else
                mask[bit / 64] &= ~((uint64_t)1 << (bit % 64));
        }
    }
}

/* Effective set: union of the parents' sets and the block's grants, minus
 * the block's revokes (revokes apply after grants). */
static void compute_set(const struct resolver *r, uint64_t *mask, struct range parents,
                        struct range clauses)
{
    const struct ast *ast = r->ast;
    const struct policy *pol = r->pol;

    for (uint32_t i = 0; i < parents.count; i++) {
        uint32_t parent = ast->refs[parents.start + i].target;

        if (parent == AST_NONE)
            continue;
        const uint64_t *pm = policy_role_mask(pol, parent);
        for (uint32_t w = 0; w < pol->words; w++)
            mask[w] |= pm[w];
    }
    for (uint32_t c = 0; c < clauses.count; c++) {
        const struct ast_clause *cl = &ast->clauses[clauses.start + c];
        if (cl->kind == CLAUSE_GRANT)
            apply_refs(r, mask, cl->refs, true);
    }
    for (uint32_t c = 0; c < clauses.count; c++) {
        const struct ast_clause *cl = &ast->clauses[clauses.start + c];
        if (cl->kind == CLAUSE_REVOKE)
            apply_refs(r, mask, cl->refs, false);
    }
}

static void compute_sets(struct resolver *r)
{
    struct ast *ast = r->ast;
    struct policy *pol = r->pol;

    pol->role_masks = xcalloc((size_t)(ast->nroles ? ast->nroles : 1) * pol->words, sizeof(uint64_t));
    pol->member_masks =
        xcalloc((size_t)(ast->nmembers ? ast->nmembers : 1) * pol->words, sizeof(uint64_t));
    for (uint32_t i = 0; i < pol->nrole_order; i++) {
        uint32_t role = pol->role_order[i];
        compute_set(r, pol->role_masks + (size_t)role * pol->words, ast->roles[role].parents,
                    ast->roles[role].clauses);
    }
    for (uint32_t m = 0; m < ast->nmembers; m++) {
        if (pol->member_dup[m])
            continue;
        compute_set(r, pol->member_masks + (size_t)m * pol->words, ast->members[m].parents,
                    ast->members[m].clauses);
    }
}

bool resolve_policy(struct ast *ast, struct diag_sink *sink, struct policy *pol)
{
    struct resolver r = {ast, sink, pol};
    size_t errors_before = sink->errors;

    memset(pol, 0, sizeof(*pol));
    pol->ast = ast;
    pol->nbits = ast->nbits;
    pol->words = ast->nbits ? (ast->nbits + 63) / 64 : 1;
    pol->perm_of_name = name_table(ast->nnames);
    pol->group_of_name = name_table(ast->nnames);
    pol->role_of_name = name_table(ast->nnames);
    strmap_init(&pol->member_by_id);
    strmap_reserve(&pol->member_by_id, ast->nmembers);
    pol->role_dup = xcalloc(ast->nroles ? ast->nroles : 1, sizeof(bool));
    pol->member_dup = xcalloc(ast->nmembers ? ast->nmembers : 1, sizeof(bool));

    define_names(&r);
    index_groups(&r);
    resolve_statements(&r);
    order_roles(&r);
    compute_sets(&r);
    return sink->errors == errors_before && !sink->stopped;
}

void policy_release(struct policy *pol)
{
    free(pol->perm_of_name);
    free(pol->group_of_name);
    free(pol->role_of_name);
    strmap_release(&pol->member_by_id);
    free(pol->group_bits);
    free(pol->group_start);
    free(pol->role_dup);
    free(pol->member_dup);
    free(pol->role_masks);
    free(pol->member_masks);
    free(pol->role_order);
    memset(pol, 0, sizeof(*pol));
}
