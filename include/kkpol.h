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

#ifdef __cplusplus
}
#endif

#endif
