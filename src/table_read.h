/* Calls of the table reader that kkpolc uses but the public API does not
 * offer. They have hidden visibility, so libkkpol.so does not export them;
 * kkpolc links libkkpol.a. */
#ifndef KKP_TABLE_READ_H
#define KKP_TABLE_READ_H

#include <stddef.h>

#include "kkpol.h"

/* Starts loading the cache lines of member's home slot, so that a
 * kkp_check_bit for it a few hundred nanoseconds later finds them in cache.
 * Reads nothing from the table itself; NULL or empty arguments are ignored. */
void table_prefetch_member(const struct kkp_table *table, const char *member, size_t member_len);
/* The second step, a few lines later: once the home slot is in cache,
 * starts loading the member id that the slot references, which a lookup
 * compares byte for byte. Does nothing when the home slot contains another id. */
void table_prefetch_member_id(const struct kkp_table *table, const char *member,
                              size_t member_len);

#endif
