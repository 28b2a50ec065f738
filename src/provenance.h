/* Provenance: which grant and revoke statements decide whether a member or
 * a role holds a permission, and the role chains that lead to them. */
#ifndef KKP_PROVENANCE_H
#define KKP_PROVENANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolve.h"

enum prov_kind {
    PROV_NOT_GRANTED = 0, /* not held, and nothing grants it to the subject */
    PROV_GRANTED = 1,     /* held: the reasons are the statements that grant it */
    PROV_REVOKED = 2,     /* not held: the reasons are the revokes that removed it */
};

/* One grant or revoke statement, by its first list entry that covers the
 * permission. chain lists the roles from the subject (excluded) to the
 * block that holds the statement (included), shortest first found; an
 * empty chain means the subject's own block. A revoke's overrides are the
 * grants it removed; a subject's own grant's overrides are the role
 * revokes it restores. Overrides have no overrides of their own. */
struct prov_reason {
    uint32_t ref;    /* entry of ast.refs */
    bool revoke;
    uint32_t *chain; /* role indices */
    uint32_t nchain;
    struct prov_reason *overrides;
    uint32_t noverrides;
};

struct prov_answer {
    enum prov_kind kind;
    struct prov_reason *reasons;
    uint32_t nreasons;
};

/* Scratch space for provenance queries over one policy; answers live in
 * its arena until prov_reset() or prov_release(). */
struct prov {
    const struct policy *pol;
    struct arena arena;
    uint32_t *stamp; /* per role: the visit generation that reached it */
    uint32_t *prev;  /* per role: the role it was reached from, AST_NONE for the start's parents */
    uint32_t *queue;
    uint32_t generation;
};

void prov_init(struct prov *pv, const struct policy *pol);
/* Frees every answer computed so far. */
void prov_reset(struct prov *pv);
void prov_release(struct prov *pv);

/* Explains one bit for a member (is_role false) or a role of a resolved
 * policy with no errors. The answer lives in pv's arena. */
void prov_explain(struct prov *pv, bool is_role, uint32_t index, uint32_t bit,
                  struct prov_answer *out);

/* The file and the parents of a member or role. */
uint32_t prov_subject_file(const struct policy *pol, bool is_role, uint32_t index);
struct range prov_subject_parents(const struct policy *pol, bool is_role, uint32_t index);
/* The file of the block that holds a reason's statement. */
uint32_t prov_reason_file(const struct policy *pol, bool is_role, uint32_t index,
                          const struct prov_reason *r);
/* Returns a list entry as written ("billing", "team.*" or "*"), made in a when needed. */
const char *prov_entry_text(struct arena *a, const struct ast *ast, const struct ast_ref *ref);

/* Returns a file's path relative to the folder of the first loaded file
 * (the first file named on the command line), lexically when both paths
 * allow it and through realpath() otherwise; an absolute import that lies
 * outside stays absolute. The result is malloc'ed. */
char *prov_relative_path(const struct ast *ast, uint32_t file);

/* Builds the PROVENANCE table section (docs/table-format.md) for every
 * role and member, in table order. *data is malloc'ed. */
void prov_build_section(const struct policy *pol, unsigned char **data, size_t *size);

#endif
