/* Name resolution and effective permission sets. */
#ifndef KKP_RESOLVE_H
#define KKP_RESOLVE_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"
#include "strmap.h"

/* The resolved policy. Masks are arrays of words 64-bit words per role or
 * member, bit b of the catalog in word b / 64, bit b % 64. Definitions that
 * duplicate an earlier one are marked and left out of every later stage. */
struct policy {
    struct ast *ast;
    uint32_t nbits;
    uint32_t words;
    uint32_t *perm_of_name;       /* per interned name: permission index or AST_NONE */
    uint32_t *group_of_name;      /* per interned name: group index or AST_NONE */
    uint32_t *role_of_name;       /* per interned name: role index or AST_NONE */
    struct strmap member_by_id;   /* id bytes to member index (the first definition) */
    uint32_t *group_bits;         /* the bits of each group in bit order, group after group */
    uint32_t *group_start;        /* ngroups + 1 offsets into group_bits */
    bool *role_dup;               /* per role: a later duplicate definition */
    bool *member_dup;             /* per member: a later duplicate definition */
    uint64_t *role_masks;         /* nroles * words */
    uint64_t *member_masks;       /* nmembers * words */
    uint32_t *role_order;         /* roles with every parent before its children */
    uint32_t nrole_order;
};

/* Resolves every name of ast, reports semantic errors to sink and computes
 * the effective sets. Returns false when it reported an error; the policy
 * must be released either way. */
bool resolve_policy(struct ast *ast, struct diag_sink *sink, struct policy *out);
void policy_release(struct policy *pol);

static inline const uint64_t *policy_role_mask(const struct policy *pol, uint32_t role)
{
    return pol->role_masks + (size_t)role * pol->words;
}

static inline const uint64_t *policy_member_mask(const struct policy *pol, uint32_t member)
{
    return pol->member_masks + (size_t)member * pol->words;
}

static inline bool mask_has(const uint64_t *mask, uint32_t bit)
{
    return (mask[bit / 64] >> (bit % 64)) & 1;
}

#endif
