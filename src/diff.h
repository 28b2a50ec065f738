/* Policy diff: what a change does to the catalog, the roles and the members. */
#ifndef KKP_DIFF_H
#define KKP_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kkpol.h"
#include "resolve.h"
#include "strmap.h"

/* One catalog entry of a side. */
struct diff_perm {
    const char *name;
    const char *description; /* "" when none */
    const char *group;       /* NULL outside any group */
    uint32_t flags;          /* PERM_ESCALATES, PERM_SENSITIVE */
};

/* One side of a diff: a resolved policy or a compiled table, reduced to the
 * catalog in bit order and the masks of roles and members in policy order.
 * Each mask is `words` 64-bit words, as in struct policy. Names and ids
 * point into the policy or the table, which must outlive the side. */
struct diff_side {
    const struct policy *pol; /* NULL for a table */
    uint32_t nbits;
    uint32_t words;
    struct diff_perm *perms;
    uint32_t nroles;
    const char **role_names;
    const uint64_t *role_masks;
    size_t nmembers;
    const char **member_ids;
    uint32_t *member_id_lens;
    const uint64_t *member_masks;
    struct strmap member_index; /* id to member index */
    uint64_t *owned_masks;      /* tables: the copied role and member masks */
};

/* Builds a side from a resolved policy without errors. */
void diff_side_from_policy(struct diff_side *side, const struct policy *pol);
/* Builds a side from an open table. Returns KKP_OK or the error of the first
 * member record that cannot be read; release the side either way. */
int diff_side_from_table(struct diff_side *side, const struct kkp_table *table);
void diff_side_release(struct diff_side *side);

enum diff_status {
    DIFF_ADDED,
    DIFF_REMOVED,
    DIFF_CHANGED,
};

/* The reason a member gained or lost a permission, known only when both sides are sources. */
enum diff_cause {
    DIFF_CAUSE_UNKNOWN,
    DIFF_CAUSE_ROLE,     /* the member's roles, or the permissions of one of them */
    DIFF_CAUSE_OVERRIDE, /* the member's own grant or revoke */
    DIFF_CAUSE_CATALOG,  /* the permission was added, removed or moved to another group */
};

/* A permission gained or lost by a role or a member. */
struct diff_perm_change {
    const char *perm; /* the name on the new side, or on the old side for a loss */
    bool gained;
    uint8_t cause;  /* enum diff_cause */
    uint32_t flags; /* marks on the side that has it: a gain with a mark is flagged */
};

/* A role or member that was added, removed or changed. A changed entry lists
 * its gains and losses; an added one lists what it holds as gains and a
 * removed one what it held as losses. */
struct diff_entry {
    const char *name;
    size_t name_len;
    uint8_t status;      /* enum diff_status */
    int64_t holders;     /* roles from sources: members holding it, directly or through
                          * another role (new side; old side for a removed role); -1 for tables */
    struct range changes;       /* entries of diff_result.changes */
    struct range roles_added;   /* members, both sides sources: entries of diff_result.names */
    struct range roles_removed;
};

enum diff_catalog_kind {
    DIFF_PERM_ADDED,
    DIFF_PERM_REMOVED,
    DIFF_PERM_RENAMED,    /* likely rename: same description and bit, new name */
    DIFF_PERM_RENUMBERED,
    DIFF_PERM_DESCRIPTION,
    DIFF_PERM_MARKS,
    DIFF_PERM_GROUP,
};

struct diff_catalog_change {
    uint8_t kind; /* enum diff_catalog_kind */
    bool breaking;
    const char *name;     /* old name, or the new one for an addition */
    const char *new_name; /* renames */
    uint32_t old_bit, new_bit;
    const char *old_text, *new_text; /* description or group; NULL group for none */
    uint32_t old_flags, new_flags;
};

struct diff_result {
    AST_VEC(struct diff_catalog_change, catalog);
    AST_VEC(struct diff_entry, roles);   /* sorted by name */
    AST_VEC(struct diff_entry, members); /* sorted by id, byte by byte */
    AST_VEC(struct diff_perm_change, changes);
    AST_VEC(const char *, names);
    bool causes_known; /* both sides are sources */
    size_t breaking;
    size_t sensitive_gains; /* member gains of a sensitive or escalates permission */
    size_t roles_by_status[3];   /* indexed by enum diff_status */
    size_t members_by_status[3];
};

/* Compares two sides. The result points into both, so they must outlive it. */
void diff_compute(const struct diff_side *old_side, const struct diff_side *new_side,
                  struct diff_result *out);
void diff_result_release(struct diff_result *res);
/* True when the diff reports nothing at all. */
bool diff_result_empty(const struct diff_result *res);

/* Renderers. Text colours '+' and '-' when color is set. JSON follows the
 * shape in docs/diff.md; it returns false when Jansson fails. */
void diff_render_text(const struct diff_result *res, FILE *out, bool color);
bool diff_render_json(const struct diff_result *res, FILE *out);
void diff_render_markdown(const struct diff_result *res, FILE *out);

#endif
