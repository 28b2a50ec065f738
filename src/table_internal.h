/* Functions shared between the files of libkkpol and hidden from its users. */
#ifndef KKP_TABLE_INTERNAL_H
#define KKP_TABLE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

struct kkp_table;

/* The PROVENANCE section of an open table, or NULL (with *size 0). */
const unsigned char *table_provenance(const struct kkp_table *t, uint64_t *size);

/* Checks the PROVENANCE section's header and array sizes against the
 * table's counts in constant time; records are checked when read. */
bool table_provenance_valid(const unsigned char *section, uint64_t size, uint32_t roles,
                            uint32_t perms, uint64_t members);

#endif
