/* Lowering: the resolved policy to the bytes of a compiled table. */
#ifndef KKP_LOWER_H
#define KKP_LOWER_H

#include <stddef.h>
#include <stdint.h>

#include "resolve.h"

struct table_image {
    unsigned char *data; /* 64-byte aligned, free() it */
    size_t size;
};

struct lower_options {
    const char *revision; /* NULL for none */
    /* The PROVENANCE section's bytes (prov_build_section), NULL for none. */
    const unsigned char *provenance;
    size_t provenance_size;
};

/* Builds the table bytes of docs/table-format.md. The same policy always
 * gives the same bytes. */
void lower_policy(const struct policy *pol, const struct lower_options *opt,
                  struct table_image *out);

/* XXH3-128 over every loaded file's length (u64 little-endian) and bytes, in load order. */
void lower_source_digest(const struct ast *ast, uint64_t digest[2]);

#endif
