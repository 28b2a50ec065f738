/* Shared state of the linter's rule passes. */
#ifndef KKP_LINT_INTERNAL_H
#define KKP_LINT_INTERNAL_H

#include "lint.h"

struct lint_ctx {
    const struct policy *pol;
    const struct ast *ast;
    const struct lint_config *cfg;
    struct diag_sink *sink;
    bool *suppression_used;    /* per suppress statement */
    bool *suppression_expired; /* per suppress statement */
};

/* Reports a rule's diagnostic about a subject (SUBJECT_ROLE or SUBJECT_MEMBER
 * with its index, or SUBJECT_NONE), unless the rule is off. A matching
 * suppression records it as suppressed. declared is the severity a
 * constraint declares; other rules pass DIAG_WARNING and get their own.
 * Returns the record for notes, or NULL. */
struct diag *lint_report(struct lint_ctx *cx, enum lint_rule rule, enum diag_severity declared,
                         uint8_t subject_kind, uint32_t subject, struct loc loc, const char *fmt,
                         ...) __attribute__((format(printf, 7, 8)));

static inline struct loc lint_loc(const struct lint_ctx *cx, uint32_t file, struct span span)
{
    return ast_loc(cx->ast, file, span);
}

/* Sets in mask the bits an entry of a permission list covers. */
void lint_ref_bits(const struct lint_ctx *cx, const struct ast_ref *ref, uint64_t *mask);
/* Text of a permission list entry as written: name, group.* or *. */
const char *lint_ref_text(const struct lint_ctx *cx, const struct ast_ref *ref, char *buf,
                          size_t size);
/* Finds the grant entry nearest to a role that gives bit: its own block,
 * then its parents breadth first. Returns the ref and sets *file and *owner,
 * or returns NULL. from[] (one entry per role) records the chain: from[r] is
 * the role that r was reached from, AST_NONE for the start. */
const struct ast_ref *lint_find_grant(const struct lint_ctx *cx, uint32_t role, uint32_t bit,
                                      uint32_t *file, uint32_t *owner, uint32_t *from);
/* Adds a note at the grant that gives bit to role, with the role chain to it. */
void lint_note_grant(struct lint_ctx *cx, struct diag *d, uint32_t role, uint32_t bit);
/* Adds a note at what gives bit to a member: its own grant, or the grant
 * behind the first of its roles that holds bit. */
void lint_note_member_grant(struct lint_ctx *cx, struct diag *d, uint32_t member, uint32_t bit);
/* Adds a note at the member's own revoke entry that removes bit, if any. */
void lint_note_member_revoke(struct lint_ctx *cx, struct diag *d, uint32_t member, uint32_t bit);

void lint_roles(struct lint_ctx *cx);
void lint_members(struct lint_ctx *cx);
void lint_constraints(struct lint_ctx *cx);

#endif
