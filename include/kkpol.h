/* libkkpol: answers "may member M use permission P?" from a table compiled by
 * kkpolc. Handles are immutable after opening and safe to share between
 * threads; no call keeps global state, prints, exits or aborts. */
#ifndef KKPOL_H
#define KKPOL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define KKP_API __attribute__((visibility("default")))
#else
#define KKP_API
#endif

/* Status codes; kkp_strerror() describes each. */
enum kkp_status {
    KKP_OK = 0,
    KKP_EINVAL = 1,     /* a NULL or otherwise invalid argument */
    KKP_EIO = 2,        /* the file could not be opened, read or mapped */
    KKP_ENOMEM = 3,     /* out of memory */
    KKP_ETRUNCATED = 4, /* the file is shorter than its header says */
    KKP_EMAGIC = 5,     /* not a kkpol table */
    KKP_EVERSION = 6,   /* a table format newer than this library */
    KKP_ECHECKSUM = 7,  /* the checksum does not match the content */
    KKP_ECORRUPT = 8,   /* inconsistent sizes, offsets or counts */
    KKP_EALIGN = 9,     /* a buffer not aligned to 8 bytes */
    KKP_ENOTFOUND = 10, /* no such permission, member, role or index */
    KKP_ERANGE = 11,    /* an output buffer too small */
};

/* kkp_table_open flags. */
#define KKP_OPEN_VERIFY 1u /* check the XXH3 checksum of the whole file */

/* Permission marks, as in kkp_permission_info.flags. */
#define KKP_PERM_ESCALATES 1u
#define KKP_PERM_SENSITIVE 2u

struct kkp_table;

/* Filled by the open calls on failure; message names the path. */
struct kkp_error {
    int code;
    char message[256];
};

/* A permission resolved once with kkp_permission(): its bit and the
 * fingerprint of the catalog it came from. */
struct kkp_bit {
    uint32_t index;
    uint64_t catalog;
};

enum kkp_decision {
    KKP_DENY = 0,
    KKP_ALLOW = 1,
    KKP_UNKNOWN_MEMBER = 2,
    KKP_UNKNOWN_PERMISSION = 3,
};

struct kkp_permission_info {
    const char *name;
    const char *description; /* "" when the policy gives none */
    const char *group;       /* NULL outside any group */
    const char *group_title; /* "" when the group has no title */
    uint32_t flags;          /* KKP_PERM_ESCALATES, KKP_PERM_SENSITIVE */
};

/* Maps the file at path read-only and validates its structure (and, with
 * KKP_OPEN_VERIFY, its checksum). Returns KKP_OK and sets *out, or an error
 * code, also stored with a message in *err when err is not NULL. */
KKP_API int kkp_table_open(const char *path, unsigned flags, struct kkp_table **out,
                           struct kkp_error *err);
/* Like kkp_table_open, over bytes in memory, used in place: data must be
 * aligned to 8 bytes and outlive the table. */
KKP_API int kkp_table_open_buffer(const void *data, size_t size, unsigned flags,
                                  struct kkp_table **out, struct kkp_error *err);
/* Unmaps and frees the table; NULL is ignored. */
KKP_API void kkp_table_close(struct kkp_table *table);

/* Resolves a permission name to a bit: KKP_OK, or KKP_ENOTFOUND. */
KKP_API int kkp_permission(const struct kkp_table *table, const char *name, struct kkp_bit *out);
/* Decides one request. member is member_len bytes (no NUL needed). A bit
 * from a table with another catalog gives KKP_UNKNOWN_PERMISSION. */
KKP_API enum kkp_decision kkp_check_bit(const struct kkp_table *table, const char *member,
                                        size_t member_len, struct kkp_bit bit);
/* kkp_check_bit with a NUL-terminated member id and a permission name. */
KKP_API enum kkp_decision kkp_check(const struct kkp_table *table, const char *member,
                                    const char *permission);
KKP_API const char *kkp_strerror(int code);

/* The catalog. */
KKP_API uint32_t kkp_permission_count(const struct kkp_table *table);
KKP_API int kkp_permission_info(const struct kkp_table *table, uint32_t index,
                                struct kkp_permission_info *out);
KKP_API uint64_t kkp_catalog_fingerprint(const struct kkp_table *table);
/* Words of a mask: bit b of the catalog is bit b % 64 of word b / 64. */
KKP_API size_t kkp_mask_words(const struct kkp_table *table);

/* Copies a member's mask into words[0..nwords): KKP_OK, KKP_ENOTFOUND, or
 * KKP_ERANGE when nwords < kkp_mask_words(). */
KKP_API int kkp_member_mask(const struct kkp_table *table, const char *member, size_t member_len,
                            uint64_t *words, size_t nwords);
KKP_API uint64_t kkp_member_count(const struct kkp_table *table);
/* The member at index (policy order): its id, and its mask when words is not NULL. */
KKP_API int kkp_member_at(const struct kkp_table *table, uint64_t index, const char **id,
                          size_t *id_len, uint64_t *words, size_t nwords);
KKP_API uint32_t kkp_role_count(const struct kkp_table *table);
/* The role at index: name, title ("" when none), and its mask when words is not NULL. */
KKP_API int kkp_role_at(const struct kkp_table *table, uint32_t index, const char **name,
                        const char **title, uint64_t *words, size_t nwords);

/* XXH3-128 digest of the source files' bytes, low 64 bits first. */
KKP_API void kkp_source_digest(const struct kkp_table *table, uint64_t digest[2]);
/* The --revision text, or NULL when the table has none. */
KKP_API const char *kkp_revision(const struct kkp_table *table);

/* Provenance, in tables compiled with 'kkpolc compile --provenance': why each
 * role and member holds or lacks each permission. The strings returned point
 * into the table and live as long as it does. Every call checks what it reads
 * and returns KKP_ECORRUPT for inconsistent provenance data. */

enum kkp_subject_kind {
    KKP_SUBJECT_ROLE = 0,
    KKP_SUBJECT_MEMBER = 1,
};

enum kkp_provenance_kind {
    KKP_PROV_NOT_GRANTED = 0, /* not held, and nothing grants it to the subject */
    KKP_PROV_GRANTED = 1,     /* held: the reasons are the statements that grant it */
    KKP_PROV_REVOKED = 2,     /* not held: the reasons are the revokes that removed it */
};

/* A place in the policy sources. file is relative to the folder of the
 * first file named when the table was compiled. */
struct kkp_location {
    const char *file;
    uint32_t line;   /* from 1 */
    uint32_t column; /* from 1, in Unicode code points */
};

/* A role or member found with kkp_subject_find. */
struct kkp_subject {
    struct kkp_location at; /* the role's name or the member's id in its statement */
    uint32_t parent_count;  /* roles it lists after ':'; read them with kkp_subject_parent */
    uint64_t cursor;        /* internal */
};

/* The answer for one permission. */
struct kkp_provenance {
    int kind;              /* enum kkp_provenance_kind */
    uint32_t reason_count; /* read them with kkp_provenance_reason */
    uint64_t cursor;       /* internal */
};

/* One grant or revoke statement. Its chain lists the roles from the subject
 * (excluded) to the block that holds the statement (included); an empty
 * chain is the subject's own block. A revoke's overrides are the grants it
 * removed; the subject's own grant's overrides are the role revokes it
 * restores. */
struct kkp_reason {
    int revoke;              /* 1 for a revoke, 0 for a grant */
    const char *entry;       /* the list entry as written: "billing", "team.*" or "*" */
    struct kkp_location at;  /* the entry */
    uint32_t chain_length;   /* read the roles with kkp_reason_chain */
    uint32_t override_count; /* read them with kkp_reason_override */
    uint64_t cursor;         /* internal */
};

/* 1 when the table holds provenance, else 0. */
KKP_API int kkp_has_provenance(const struct kkp_table *table);
/* The role or member at index (kkp_role_at and kkp_member_at order): KKP_OK,
 * or KKP_ENOTFOUND when there is no such subject or no provenance. */
KKP_API int kkp_subject_at(const struct kkp_table *table, int kind, uint64_t index,
                           struct kkp_subject *out);
/* Finds a role (by name) or member (by id, len bytes): KKP_OK, KKP_ENOTFOUND
 * when there is no such subject or the table has no provenance. A member is
 * found by a scan of the member list, so this takes time linear in it. */
KKP_API int kkp_subject_find(const struct kkp_table *table, int kind, const char *name,
                             size_t len, struct kkp_subject *out);
/* The index (for kkp_role_at) of a subject's parent role number i. */
KKP_API int kkp_subject_parent(const struct kkp_table *table, const struct kkp_subject *subject,
                               uint32_t i, uint32_t *role);
/* Why the subject holds or lacks permission bit. */
KKP_API int kkp_provenance(const struct kkp_table *table, const struct kkp_subject *subject,
                           uint32_t bit, struct kkp_provenance *out);
KKP_API int kkp_provenance_reason(const struct kkp_table *table,
                                  const struct kkp_provenance *provenance, uint32_t i,
                                  struct kkp_reason *out);
/* The index (for kkp_role_at) of role number i of a reason's chain. */
KKP_API int kkp_reason_chain(const struct kkp_table *table, const struct kkp_reason *reason,
                             uint32_t i, uint32_t *role);
KKP_API int kkp_reason_override(const struct kkp_table *table, const struct kkp_reason *reason,
                                uint32_t i, struct kkp_reason *out);

/* Hot reload for long-running services. A reloader serves one table, opened
 * from a path with KKP_OPEN_VERIFY, to any number of reader threads:
 *
 *     const struct kkp_table *t = kkp_reloader_acquire(r);
 *     decision = kkp_check_bit(t, id, id_len, bit);   (any read calls)
 *     kkp_reloader_release(r, t);
 *
 * kkp_reloader_reload() opens the path again, validates the new table
 * completely (structure and checksum) and only then swaps it in. A missing,
 * truncated or corrupt file leaves the last good table serving. Acquire and
 * release are lock-free and never wait for a reload: a reader sees either the
 * old table or the new one for as long as it holds it, never a mixture.
 * Reload waits until the last reader of the table it replaces has released
 * it, then unmaps that table, so a reader must release every table it
 * acquires, and soon. Reloads from several threads run one at a time.
 *
 * kkp_permission() bits carry the catalog fingerprint: resolve them again
 * after a reload whose catalog changed (an old bit then answers
 * KKP_UNKNOWN_PERMISSION rather than another permission's answer).
 * NOTE: tables are used in place through mmap, so replace the file by
 * renaming a new one over it, as `kkpolc compile` does; writing into the
 * served file in place changes or truncates what readers see. */
struct kkp_reloader;

/* The active table's identity, from kkp_reloader_info(). */
struct kkp_reloader_info {
    uint64_t generation;       /* 1 for the table kkp_reloader_new opened, +1 per reload */
    uint64_t source_digest[2]; /* as kkp_source_digest() */
    int has_revision;          /* the table has a --revision text */
};

/* Opens the table at path with KKP_OPEN_VERIFY and creates a reloader that
 * serves it; path is copied and read again by each reload. Returns KKP_OK and
 * sets *out, or an open error (also in *err) and no reloader. */
KKP_API int kkp_reloader_new(const char *path, struct kkp_reloader **out,
                             struct kkp_error *err);
/* Unmaps every table and frees the reloader; NULL is ignored. No reader may
 * hold a table and no reload may run. */
KKP_API void kkp_reloader_free(struct kkp_reloader *reloader);
/* Opens the path again and, when the new table is valid, makes it the active
 * one, then waits for the replaced table's readers and unmaps it. Returns
 * KKP_OK, or the open error (also in *err) with the previous table still
 * active. */
KKP_API int kkp_reloader_reload(struct kkp_reloader *reloader, struct kkp_error *err);
/* Returns the active table, counted as in use until kkp_reloader_release();
 * never NULL for a valid reloader. */
KKP_API const struct kkp_table *kkp_reloader_acquire(struct kkp_reloader *reloader);
/* Ends a use of a table returned by kkp_reloader_acquire(). */
KKP_API void kkp_reloader_release(struct kkp_reloader *reloader, const struct kkp_table *table);
/* Fills *info for the active table and copies its revision text (or "") into
 * revision[0..revision_size) when revision is not NULL. Returns KKP_OK,
 * KKP_ERANGE when the revision was cut to fit, or KKP_EINVAL. */
KKP_API int kkp_reloader_info(struct kkp_reloader *reloader, struct kkp_reloader_info *info,
                              char *revision, size_t revision_size);

#ifdef __cplusplus
}
#endif

#endif
