/* Functions shared between the files of libkkpol and hidden from its users.
 * They have hidden visibility, so libkkpol.so does not export them; kkpolc
 * links libkkpol.a and uses the prefetch calls in query --batch. */
#ifndef KKP_TABLE_INTERNAL_H
#define KKP_TABLE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct kkp_table;

/* Little-endian loads of possibly unaligned fields (the library supports
 * little-endian hosts only). */
static inline uint16_t rd16(const unsigned char *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint32_t rd32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint64_t rd64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

/* Starts loading the cache lines of member's home slot, so that a
 * kkp_check_bit for it a few hundred nanoseconds later finds them in cache.
 * Reads nothing from the table itself; NULL or empty arguments are ignored. */
void table_prefetch_member(const struct kkp_table *table, const char *member, size_t member_len);
/* The second step, a few lines later: once the home slot is in cache,
 * starts loading the member id that the slot references, which a lookup
 * compares byte for byte. Does nothing when the home slot contains another id. */
void table_prefetch_member_id(const struct kkp_table *table, const char *member,
                              size_t member_len);


/* The PROVENANCE section of an open table, or NULL (with *size 0). */
const unsigned char *table_provenance(const struct kkp_table *t, uint64_t *size);

/* Checks the PROVENANCE section's header and array sizes against the
 * table's counts in constant time; records are checked when read. */
bool table_provenance_valid(const unsigned char *section, uint64_t size, uint32_t roles,
                            uint32_t perms, uint64_t members);

#endif
