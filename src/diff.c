/* Policy diff: the model of each side and the comparison of two sides. */
#include "diff.h"

#include <stdlib.h>
#include <string.h>

#define NO_BIT UINT32_MAX

static uint32_t max_u32(uint32_t a, uint32_t b)
{
    return a > b ? a : b;
}

static void set_bit(uint64_t *mask, uint32_t bit)
{
    mask[bit / 64] |= (uint64_t)1 << (bit % 64);
}

void diff_side_from_policy(struct diff_side *side, const struct policy *pol)
{
    const struct ast *ast = pol->ast;

    memset(side, 0, sizeof(*side));
    side->pol = pol;
    side->nbits = pol->nbits;
    side->words = pol->words;
    side->perms = xcalloc(max_u32(pol->nbits, 1), sizeof(struct diff_perm));
    for (uint32_t b = 0; b < pol->nbits; b++) {
        const struct ast_permission *p = &ast->perms[ast->bit_to_perm[b]];
        struct diff_perm *dp = &side->perms[b];

        dp->name = ast_name(ast, p->name);
        dp->description = p->description ? p->description : "";
        dp->group = p->group != AST_NONE ? ast_name(ast, ast->groups[p->group].name) : NULL;
        dp->flags = p->flags;
    }

    side->nroles = (uint32_t)ast->nroles;
    side->role_names = xcalloc(ast->nroles ? ast->nroles : 1, sizeof(char *));
    for (size_t r = 0; r < ast->nroles; r++)
        side->role_names[r] = ast_name(ast, ast->roles[r].name);
    side->role_masks = pol->role_masks;

    side->nmembers = ast->nmembers;
    side->member_ids = xcalloc(ast->nmembers ? ast->nmembers : 1, sizeof(char *));
    side->member_id_lens = xcalloc(ast->nmembers ? ast->nmembers : 1, sizeof(uint32_t));
    for (size_t m = 0; m < ast->nmembers; m++) {
        side->member_ids[m] = ast->members[m].id;
        side->member_id_lens[m] = ast->members[m].id_len;
    }
    side->member_masks = pol->member_masks;
    /* The policy's own map already indexes the ids: share its slots, and
     * leave them to policy_release. */
    side->member_index = pol->member_by_id;
}

int diff_side_from_table(struct diff_side *side, const struct kkp_table *table)
{
    uint64_t nmembers = kkp_member_count(table);
    size_t words;
    uint64_t *masks;

    memset(side, 0, sizeof(*side));
    strmap_init(&side->member_index);
    side->nbits = kkp_permission_count(table);
    words = kkp_mask_words(table);
    side->words = (uint32_t)(words ? words : 1);
    if (nmembers >= STRMAP_MISSING)
        return KKP_ECORRUPT;

    side->perms = xcalloc(max_u32(side->nbits, 1), sizeof(struct diff_perm));
    for (uint32_t b = 0; b < side->nbits; b++) {
        struct kkp_permission_info info;
        int rc = kkp_permission_info(table, b, &info);

        if (rc != KKP_OK)
            return rc;
        side->perms[b].name = info.name;
        side->perms[b].description = info.description;
        side->perms[b].group = info.group;
        side->perms[b].flags = info.flags;
    }

    side->nroles = kkp_role_count(table);
    side->nmembers = (size_t)nmembers;
    masks = xcalloc(((size_t)side->nroles + side->nmembers + 1) * side->words, sizeof(uint64_t));
    side->owned_masks = masks;
    side->role_masks = masks;
    side->member_masks = masks + (size_t)side->nroles * side->words;
    side->role_names = xcalloc(side->nroles ? side->nroles : 1, sizeof(char *));
    for (uint32_t r = 0; r < side->nroles; r++) {
        int rc = kkp_role_at(table, r, &side->role_names[r], NULL,
                             masks + (size_t)r * side->words, side->words);

        if (rc != KKP_OK)
            return rc;
    }

    side->member_ids = xcalloc(side->nmembers ? side->nmembers : 1, sizeof(char *));
    side->member_id_lens = xcalloc(side->nmembers ? side->nmembers : 1, sizeof(uint32_t));
    for (size_t m = 0; m < side->nmembers; m++) {
        size_t len;
        int rc = kkp_member_at(table, m, &side->member_ids[m], &len,
                               (uint64_t *)side->member_masks + m * side->words, side->words);

        if (rc != KKP_OK)
            return rc;
        side->member_id_lens[m] = (uint32_t)len;
        strmap_put(&side->member_index, side->member_ids[m], len, (uint32_t)m);
    }
    return KKP_OK;
}

void diff_side_release(struct diff_side *side)
{
    free(side->perms);
    free(side->role_names);
    free(side->member_ids);
    free(side->member_id_lens);
    free(side->owned_masks);
    if (!side->pol)
        strmap_release(&side->member_index); /* a policy's map belongs to the policy */
    memset(side, 0, sizeof(*side));
}

/* The comparison's state: the two sides and how their bits correspond. */
struct differ {
    const struct diff_side *old_side, *new_side;
    struct diff_result *res;
    uint32_t *old_to_new; /* per old bit: the new bit of the same permission, or NO_BIT */
    uint32_t *new_to_old; /* per new bit: the old bit, or NO_BIT */
    bool *moved;          /* per new bit: the permission is in another group than before */
    bool identity;        /* every bit means the same permission on both sides */
    uint64_t *removed;    /* old bits without a counterpart */
    uint64_t *mapped;     /* scratch: an old mask in new bits */
    uint64_t *own_old[2]; /* scratch: a member's own grants and revokes, old side */
    uint64_t *own_new[2]; /* the same on the new side */
};

static bool same_text(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static struct diff_catalog_change *add_catalog(struct differ *d, enum diff_catalog_kind kind,
                                               uint32_t old_bit, uint32_t new_bit)
{
    struct diff_result *res = d->res;
    struct diff_catalog_change *c = VEC_PUSH(res->catalog, res->ncatalog, res->catalog_cap);

    memset(c, 0, sizeof(*c));
    c->kind = (uint8_t)kind;
    c->old_bit = old_bit;
    c->new_bit = new_bit;
    c->name = old_bit != NO_BIT ? d->old_side->perms[old_bit].name
                                : d->new_side->perms[new_bit].name;
    c->breaking = kind == DIFF_PERM_REMOVED || kind == DIFF_PERM_RENAMED ||
                  kind == DIFF_PERM_RENUMBERED;
    if (c->breaking)
        res->breaking++;
    return c;
}

/* Pairs the permissions of both sides by name. A removed and an added
 * permission at the same bit with the same non-empty description pair up as
 * a likely rename. Records the catalog changes in old bit order, then the
 * additions in new bit order. */
static void compare_catalog(struct differ *d)
{
    const struct diff_side *o = d->old_side, *n = d->new_side;
    struct strmap by_name;

    d->old_to_new = xmalloc(max_u32(o->nbits, 1) * sizeof(uint32_t));
    d->new_to_old = xmalloc(max_u32(n->nbits, 1) * sizeof(uint32_t));
    d->moved = xcalloc(max_u32(n->nbits, 1), sizeof(bool));
    for (uint32_t b = 0; b < n->nbits; b++)
        d->new_to_old[b] = NO_BIT;

    strmap_init(&by_name);
    for (uint32_t b = 0; b < n->nbits; b++)
        strmap_put(&by_name, n->perms[b].name, strlen(n->perms[b].name), b);
    for (uint32_t b = 0; b < o->nbits; b++) {
        uint32_t nb = strmap_get(&by_name, o->perms[b].name, strlen(o->perms[b].name));

        d->old_to_new[b] = nb == STRMAP_MISSING ? NO_BIT : nb;
        if (nb != STRMAP_MISSING)
            d->new_to_old[nb] = b;
    }
    strmap_release(&by_name);

    for (uint32_t b = 0; b < o->nbits; b++) {
        const struct diff_perm *op = &o->perms[b];
        uint32_t nb = d->old_to_new[b];
        bool renamed = false;

        if (nb == NO_BIT && b < n->nbits && d->new_to_old[b] == NO_BIT && op->description[0] &&
            strcmp(op->description, n->perms[b].description) == 0) {
            nb = b;
            d->old_to_new[b] = b;
            d->new_to_old[b] = b;
            renamed = true;
        }
        if (nb == NO_BIT) {
            add_catalog(d, DIFF_PERM_REMOVED, b, NO_BIT)->old_flags = op->flags;
            continue;
        }

        const struct diff_perm *np = &n->perms[nb];
        struct diff_catalog_change *c;

        if (renamed)
            add_catalog(d, DIFF_PERM_RENAMED, b, nb)->new_name = np->name;
        else if (nb != b)
            add_catalog(d, DIFF_PERM_RENUMBERED, b, nb);
        if (!same_text(op->description, np->description)) {
            c = add_catalog(d, DIFF_PERM_DESCRIPTION, b, nb);
            c->old_text = op->description;
            c->new_text = np->description;
        }
        if (op->flags != np->flags) {
            c = add_catalog(d, DIFF_PERM_MARKS, b, nb);
            c->old_flags = op->flags;
            c->new_flags = np->flags;
        }
        if (!same_text(op->group, np->group)) {
            c = add_catalog(d, DIFF_PERM_GROUP, b, nb);
            c->old_text = op->group;
            c->new_text = np->group;
            d->moved[nb] = true;
        }
    }
    for (uint32_t b = 0; b < n->nbits; b++) {
        if (d->new_to_old[b] == NO_BIT)
            add_catalog(d, DIFF_PERM_ADDED, NO_BIT, b)->new_flags = n->perms[b].flags;
    }

    d->identity = o->nbits == n->nbits;
    for (uint32_t b = 0; b < o->nbits && d->identity; b++)
        d->identity = d->old_to_new[b] == b;
    d->removed = xcalloc(o->words, sizeof(uint64_t));
    for (uint32_t b = 0; b < o->nbits; b++) {
        if (d->old_to_new[b] == NO_BIT)
            set_bit(d->removed, b);
    }
}

/* Returns the old mask in new bits: the mask itself when the bits match,
 * otherwise a translation in d->mapped (held removed permissions drop out). */
static const uint64_t *map_mask(struct differ *d, const uint64_t *old_mask)
{
    if (d->identity)
        return old_mask;
    memset(d->mapped, 0, d->new_side->words * sizeof(uint64_t));
    for (uint32_t w = 0; w < d->old_side->words; w++) {
        for (uint64_t x = old_mask[w]; x; x &= x - 1) {
            uint32_t nb = d->old_to_new[w * 64 + (uint32_t)__builtin_ctzll(x)];

            if (nb != NO_BIT)
                set_bit(d->mapped, nb);
        }
    }
    return d->mapped;
}

static bool masks_differ(struct differ *d, const uint64_t *old_mask, const uint64_t *new_mask)
{
    const uint64_t *mapped;

    if (d->identity)
        return memcmp(old_mask, new_mask, d->new_side->words * sizeof(uint64_t)) != 0;
    for (uint32_t w = 0; w < d->old_side->words; w++) {
        if (old_mask[w] & d->removed[w])
            return true;
    }
    mapped = map_mask(d, old_mask);
    return memcmp(mapped, new_mask, d->new_side->words * sizeof(uint64_t)) != 0;
}

static void push_change(struct differ *d, const char *perm, bool gained, enum diff_cause cause,
                        uint32_t flags)
{
    struct diff_result *res = d->res;
    struct diff_perm_change *c = VEC_PUSH(res->changes, res->nchanges, res->changes_cap);

    c->perm = perm;
    c->gained = gained;
    c->cause = (uint8_t)cause;
    c->flags = flags;
}

/* Every bit of mask as a gain (an added entry) or a loss (a removed one). */
static void list_mask(struct differ *d, const struct diff_side *side, const uint64_t *mask,
                      bool gained)
{
    for (uint32_t b = 0; b < side->nbits; b++) {
        if (mask_has(mask, b))
            push_change(d, side->perms[b].name, gained, DIFF_CAUSE_UNKNOWN, side->perms[b].flags);
    }
}

/* Own grants and revokes of one block, expanded to bits as resolution does. */
static void own_masks(const struct policy *pol, struct range clauses, uint64_t *grants,
                      uint64_t *revokes)
{
    const struct ast *ast = pol->ast;

    memset(grants, 0, pol->words * sizeof(uint64_t));
    memset(revokes, 0, pol->words * sizeof(uint64_t));
    for (uint32_t c = 0; c < clauses.count; c++) {
        const struct ast_clause *cl = &ast->clauses[clauses.start + c];
        uint64_t *mask = cl->kind == CLAUSE_GRANT ? grants : revokes;

        if (cl->kind == CLAUSE_TITLE)
            continue;
        for (uint32_t i = 0; i < cl->refs.count; i++) {
            const struct ast_ref *ref = &ast->refs[cl->refs.start + i];

            if (ref->kind == REF_ALL) {
                for (uint32_t b = 0; b < pol->nbits; b++)
                    set_bit(mask, b);
            } else if (ref->target == AST_NONE) {
                continue;
            } else if (ref->kind == REF_NAME) {
                set_bit(mask, ast->perms[ref->target].bit);
            } else {
                for (uint32_t k = pol->group_start[ref->target];
                     k < pol->group_start[ref->target + 1]; k++)
                    set_bit(mask, pol->group_bits[k]);
            }
        }
    }
}

/* -1 when the block revokes the bit, 1 when it only grants it, else 0. */
static int own_state(uint64_t *const own[2], uint32_t bit)
{
    if (mask_has(own[1], bit))
        return -1;
    return mask_has(own[0], bit) ? 1 : 0;
}

/* Records the gains and losses between two masks of one role or member.
 * old_clauses and new_clauses are the member's blocks when causes are known. */
static void collect_changes(struct differ *d, const uint64_t *old_mask, const uint64_t *new_mask,
                            const struct range *old_clauses, const struct range *new_clauses)
{
    const struct diff_side *o = d->old_side, *n = d->new_side;
    const uint64_t *mapped = map_mask(d, old_mask);
    bool causes = old_clauses && new_clauses;

    if (causes) {
        own_masks(o->pol, *old_clauses, d->own_old[0], d->own_old[1]);
        own_masks(n->pol, *new_clauses, d->own_new[0], d->own_new[1]);
    }
    for (uint32_t w = 0; w < n->words; w++) {
        for (uint64_t x = mapped[w] ^ new_mask[w]; x; x &= x - 1) {
            uint32_t nb = w * 64 + (uint32_t)__builtin_ctzll(x);
            uint32_t ob = d->new_to_old[nb];
            bool gained = mask_has(new_mask, nb);
            enum diff_cause cause = DIFF_CAUSE_UNKNOWN;
            const struct diff_perm *p = gained || ob == NO_BIT ? &n->perms[nb] : &o->perms[ob];

            if (causes) {
                if (ob == NO_BIT || d->moved[nb])
                    cause = DIFF_CAUSE_CATALOG;
                else if (own_state(d->own_old, ob) != own_state(d->own_new, nb))
                    cause = DIFF_CAUSE_OVERRIDE;
                else
                    cause = DIFF_CAUSE_ROLE;
            }
            push_change(d, p->name, gained, cause, p->flags);
        }
    }
    if (d->identity)
        return;
    for (uint32_t w = 0; w < o->words; w++) {
        for (uint64_t x = old_mask[w] & d->removed[w]; x; x &= x - 1) {
            uint32_t ob = w * 64 + (uint32_t)__builtin_ctzll(x);

            push_change(d, o->perms[ob].name, false,
                        causes ? DIFF_CAUSE_CATALOG : DIFF_CAUSE_UNKNOWN, o->perms[ob].flags);
        }
    }
}

static struct diff_entry *add_entry(struct differ *d, bool member, const char *name,
                                    size_t name_len, enum diff_status status)
{
    struct diff_result *res = d->res;
    struct diff_entry *e = member ? VEC_PUSH(res->members, res->nmembers, res->members_cap)
                                  : VEC_PUSH(res->roles, res->nroles, res->roles_cap);

    memset(e, 0, sizeof(*e));
    e->name = name;
    e->name_len = name_len;
    e->status = (uint8_t)status;
    e->holders = -1;
    e->changes.start = (uint32_t)res->nchanges;
    if (member)
        res->members_by_status[status]++;
    else
        res->roles_by_status[status]++;
    return e;
}

static void end_entry(struct differ *d, struct diff_entry *e, bool member)
{
    e->changes.count = (uint32_t)(d->res->nchanges - e->changes.start);
    if (!member)
        return;
    for (uint32_t i = 0; i < e->changes.count; i++) {
        const struct diff_perm_change *c = &d->res->changes[e->changes.start + i];

        if (c->gained && (c->flags & (PERM_SENSITIVE | PERM_ESCALATES)))
            d->res->sensitive_gains++;
    }
}

/* Roles that reach target through parent links, target included, as a
 * K-bit set per role for K target roles. */
static uint64_t *reach_sets(const struct policy *pol, const uint32_t *targets, size_t k,
                            size_t kwords)
{
    const struct ast *ast = pol->ast;
    uint64_t *reach = xcalloc((ast->nroles ? ast->nroles : 1) * kwords, sizeof(uint64_t));

    for (size_t t = 0; t < k; t++)
        reach[(size_t)targets[t] * kwords + t / 64] |= (uint64_t)1 << (t % 64);
    for (uint32_t i = 0; i < pol->nrole_order; i++) {
        uint32_t role = pol->role_order[i];
        const struct ast_role *r = &ast->roles[role];

        for (uint32_t p = 0; p < r->parents.count; p++) {
            uint32_t parent = ast->refs[r->parents.start + p].target;

            if (parent == AST_NONE)
                continue;
            for (size_t w = 0; w < kwords; w++)
                reach[(size_t)role * kwords + w] |= reach[(size_t)parent * kwords + w];
        }
    }
    return reach;
}

/* Counts the members that hold each target role directly or through
 * another role; counts[t] for targets[t]. */
static void count_holders(const struct policy *pol, const uint32_t *targets, size_t k,
                          int64_t *counts)
{
    const struct ast *ast = pol->ast;
    size_t kwords = (k + 63) / 64;
    uint64_t *reach, *held;

    if (k == 0)
        return;
    reach = reach_sets(pol, targets, k, kwords);
    held = xmalloc(kwords * sizeof(uint64_t));
    for (size_t t = 0; t < k; t++)
        counts[t] = 0;
    for (size_t m = 0; m < ast->nmembers; m++) {
        const struct ast_member *mem = &ast->members[m];

        if (pol->member_dup[m] || mem->parents.count == 0)
            continue;
        memset(held, 0, kwords * sizeof(uint64_t));
        for (uint32_t p = 0; p < mem->parents.count; p++) {
            uint32_t parent = ast->refs[mem->parents.start + p].target;

            if (parent == AST_NONE)
                continue;
            for (size_t w = 0; w < kwords; w++)
                held[w] |= reach[(size_t)parent * kwords + w];
        }
        for (size_t w = 0; w < kwords; w++) {
            for (uint64_t x = held[w]; x; x &= x - 1)
                counts[w * 64 + (size_t)__builtin_ctzll(x)]++;
        }
    }
    free(reach);
    free(held);
}

/* Fills in the holders of the role entries from first on, for sources. */
static void set_holders(struct differ *d, size_t first, const uint32_t *old_index,
                        const uint32_t *new_index)
{
    struct diff_result *res = d->res;
    size_t k = res->nroles - first, nold = 0, nnew = 0;
    uint32_t *old_targets = xmalloc((k ? k : 1) * sizeof(uint32_t));
    uint32_t *new_targets = xmalloc((k ? k : 1) * sizeof(uint32_t));
    int64_t *old_counts = xmalloc((k ? k : 1) * sizeof(int64_t));
    int64_t *new_counts = xmalloc((k ? k : 1) * sizeof(int64_t));

    for (size_t i = first; i < res->nroles; i++) {
        if (res->roles[i].status == DIFF_REMOVED)
            old_targets[nold++] = old_index[i - first];
        else
            new_targets[nnew++] = new_index[i - first];
    }
    if (d->old_side->pol)
        count_holders(d->old_side->pol, old_targets, nold, old_counts);
    if (d->new_side->pol)
        count_holders(d->new_side->pol, new_targets, nnew, new_counts);
    nold = nnew = 0;
    for (size_t i = first; i < res->nroles; i++) {
        struct diff_entry *e = &res->roles[i];

        if (e->status == DIFF_REMOVED)
            e->holders = d->old_side->pol ? old_counts[nold++] : -1;
        else
            e->holders = d->new_side->pol ? new_counts[nnew++] : -1;
    }
    free(old_targets);
    free(new_targets);
    free(old_counts);
    free(new_counts);
}

static void compare_roles(struct differ *d)
{
    const struct diff_side *o = d->old_side, *n = d->new_side;
    struct strmap by_name;
    bool *matched = xcalloc(n->nroles ? n->nroles : 1, sizeof(bool));
    size_t cap = (size_t)o->nroles + n->nroles + 1;
    uint32_t *old_index = xmalloc(cap * sizeof(uint32_t));
    uint32_t *new_index = xmalloc(cap * sizeof(uint32_t));
    size_t first = d->res->nroles, k = 0;

    strmap_init(&by_name);
    for (uint32_t r = 0; r < n->nroles; r++)
        strmap_put(&by_name, n->role_names[r], strlen(n->role_names[r]), r);
    for (uint32_t r = 0; r < o->nroles; r++) {
        const char *name = o->role_names[r];
        uint32_t nr = strmap_get(&by_name, name, strlen(name));
        const uint64_t *om = o->role_masks + (size_t)r * o->words;
        struct diff_entry *e;

        if (nr == STRMAP_MISSING) {
            e = add_entry(d, false, name, strlen(name), DIFF_REMOVED);
            list_mask(d, o, om, false);
        } else {
            const uint64_t *nm = n->role_masks + (size_t)nr * n->words;

            matched[nr] = true;
            if (!masks_differ(d, om, nm))
                continue;
            e = add_entry(d, false, name, strlen(name), DIFF_CHANGED);
            collect_changes(d, om, nm, NULL, NULL);
        }
        end_entry(d, e, false);
        old_index[k] = r;
        new_index[k++] = nr;
    }
    for (uint32_t r = 0; r < n->nroles; r++) {
        struct diff_entry *e;

        if (matched[r])
            continue;
        e = add_entry(d, false, n->role_names[r], strlen(n->role_names[r]), DIFF_ADDED);
        list_mask(d, n, n->role_masks + (size_t)r * n->words, true);
        end_entry(d, e, false);
        old_index[k] = NO_BIT;
        new_index[k++] = r;
    }
    set_holders(d, first, old_index, new_index);
    strmap_release(&by_name);
    free(matched);
    free(old_index);
    free(new_index);
}

static bool in_parents(const struct ast *ast, struct range parents, const char *name)
{
    for (uint32_t p = 0; p < parents.count; p++) {
        if (strcmp(ast_name(ast, ast->refs[parents.start + p].name), name) == 0)
            return true;
    }
    return false;
}

/* The roles listed in a's parent list and missing from b's, into res->names. */
static struct range parent_difference(struct diff_result *res, const struct ast *a,
                                      struct range pa, const struct ast *b, struct range pb)
{
    struct range out = {(uint32_t)res->nnames, 0};

    for (uint32_t p = 0; p < pa.count; p++) {
        const char *name = ast_name(a, a->refs[pa.start + p].name);

        if (in_parents(b, pb, name) || in_parents(a, (struct range){pa.start, p}, name))
            continue;
        *VEC_PUSH(res->names, res->nnames, res->names_cap) = name;
        out.count++;
    }
    return out;
}

static void compare_members(struct differ *d)
{
    const struct diff_side *o = d->old_side, *n = d->new_side;
    bool *matched = xcalloc(n->nmembers ? n->nmembers : 1, sizeof(bool));
    bool causes = d->res->causes_known;

    for (size_t m = 0; m < o->nmembers; m++) {
        const char *id = o->member_ids[m];
        uint32_t len = o->member_id_lens[m];
        uint32_t nm_index = strmap_get(&n->member_index, id, len);
        const uint64_t *om = o->member_masks + m * o->words;
        struct diff_entry *e;

        if (causes && o->pol->member_dup[m])
            continue;
        if (nm_index == STRMAP_MISSING) {
            e = add_entry(d, true, id, len, DIFF_REMOVED);
            list_mask(d, o, om, false);
            end_entry(d, e, true);
            continue;
        }

        const uint64_t *nm = n->member_masks + (size_t)nm_index * n->words;

        matched[nm_index] = true;
        if (!masks_differ(d, om, nm))
            continue;
        e = add_entry(d, true, id, len, DIFF_CHANGED);
        if (causes) {
            const struct ast *oa = o->pol->ast, *na = n->pol->ast;
            const struct ast_member *om_ast = &oa->members[m], *nm_ast = &na->members[nm_index];

            collect_changes(d, om, nm, &om_ast->clauses, &nm_ast->clauses);
            e->roles_added = parent_difference(d->res, na, nm_ast->parents, oa, om_ast->parents);
            e->roles_removed = parent_difference(d->res, oa, om_ast->parents, na, nm_ast->parents);
        } else {
            collect_changes(d, om, nm, NULL, NULL);
        }
        end_entry(d, e, true);
    }
    for (size_t m = 0; m < n->nmembers; m++) {
        struct diff_entry *e;

        if (matched[m] || (n->pol && n->pol->member_dup[m]))
            continue;
        e = add_entry(d, true, n->member_ids[m], n->member_id_lens[m], DIFF_ADDED);
        list_mask(d, n, n->member_masks + m * n->words, true);
        end_entry(d, e, true);
    }
    free(matched);
}

static int compare_entries(const void *a, const void *b)
{
    const struct diff_entry *x = a, *y = b;
    size_t len = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->name, y->name, len);

    if (c)
        return c;
    return x->name_len < y->name_len ? -1 : x->name_len > y->name_len;
}

void diff_compute(const struct diff_side *old_side, const struct diff_side *new_side,
                  struct diff_result *out)
{
    struct differ d;

    memset(out, 0, sizeof(*out));
    memset(&d, 0, sizeof(d));
    d.old_side = old_side;
    d.new_side = new_side;
    d.res = out;
    out->causes_known = old_side->pol && new_side->pol;
    d.mapped = xcalloc(new_side->words, sizeof(uint64_t));
    for (int i = 0; i < 2; i++) {
        d.own_old[i] = xcalloc(old_side->words, sizeof(uint64_t));
        d.own_new[i] = xcalloc(new_side->words, sizeof(uint64_t));
    }

    compare_catalog(&d);
    compare_roles(&d);
    compare_members(&d);
    if (out->nroles > 1)
        qsort(out->roles, out->nroles, sizeof(*out->roles), compare_entries);
    if (out->nmembers > 1)
        qsort(out->members, out->nmembers, sizeof(*out->members), compare_entries);

    free(d.old_to_new);
    free(d.new_to_old);
    free(d.moved);
    free(d.removed);
    free(d.mapped);
    for (int i = 0; i < 2; i++) {
        free(d.own_old[i]);
        free(d.own_new[i]);
    }
}

void diff_result_release(struct diff_result *res)
{
    free(res->catalog);
    free(res->roles);
    free(res->members);
    free(res->changes);
    free(res->names);
    memset(res, 0, sizeof(*res));
}

bool diff_result_empty(const struct diff_result *res)
{
    return res->ncatalog == 0 && res->nroles == 0 && res->nmembers == 0;
}
