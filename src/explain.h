/* Explanations of one member or role: every permission, held or not, with
 * the statements that decide it. Built from sources or from a table with
 * provenance, so that both print the same answer. */
#ifndef KKP_EXPLAIN_H
#define KKP_EXPLAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "kkpol.h"
#include "resolve.h"

/* A grant or revoke statement. chain lists role indices from the subject
 * (excluded) to the block with the statement (included). */
struct xp_reason {
    bool revoke;
    const char *entry; /* as written: "billing", "team.*" or "*" */
    const char *file;  /* relative to the folder of the first file named */
    uint32_t line, column;
    uint32_t *chain;
    uint32_t nchain;
    struct xp_reason *overrides;
    uint32_t noverrides;
};

struct xp_answer {
    int kind; /* enum kkp_provenance_kind */
    struct xp_reason *reasons;
    uint32_t nreasons;
};

struct xp_perm {
    const char *name;
    const char *description; /* "" when none */
    const char *group;       /* NULL outside any group */
    uint32_t flags;          /* KKP_PERM_ESCALATES, KKP_PERM_SENSITIVE */
};

struct xp_role {
    const char *name;
    const char *file;
    uint32_t line;
};

struct explanation {
    struct arena arena;
    uint32_t nbits, words;
    struct xp_perm *perms;
    uint32_t nroles;
    struct xp_role *roles;
    uint64_t *role_masks; /* nroles * words */
    bool is_role;
    const char *subject; /* member id or role name */
    const char *file;
    uint32_t line, column;
    uint32_t *parents;
    uint32_t nparents;
    uint64_t *mask;
    struct xp_answer *answers; /* per bit */
};

/* Fills x for member or role index of a resolved policy without errors. */
void explain_from_policy(const struct policy *pol, bool is_role, uint32_t index,
                         struct explanation *x);
/* Fills x from a table with provenance for the subject at index (kkp_role_at
 * or kkp_member_at order). Returns KKP_OK or the library's error code. */
int explain_from_table(const struct kkp_table *t, bool is_role, uint64_t index,
                       struct explanation *x);
void explain_release(struct explanation *x);

/* Writes the explanation of every permission, or of bit only when bit is
 * below x->nbits. */
void explain_print_text(const struct explanation *x, FILE *out, uint32_t bit);
void explain_print_json(const struct explanation *x, FILE *out, uint32_t bit);

/* Writes one reason's chain in the text form, from the subject to the statement:
 * member "m" (a.kkp:3) -> role r (b.kkp:1) -> grant x (b.kkp:2). */
void explain_print_chain(const struct explanation *x, const struct xp_reason *r, FILE *out);

#endif
