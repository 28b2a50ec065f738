/* compile --emit json and --emit c-header: the resolved policy for other tools. */
#ifndef KKP_EMIT_H
#define KKP_EMIT_H

#include <stdio.h>

#include "resolve.h"

/* Writes the catalog in bit order, the roles and the members with their
 * effective permissions as one JSON document. Returns 0 on success. */
int emit_json(const struct policy *pol, FILE *out);
/* Writes a C header with one constant per permission bit and the catalog
 * fingerprint. Returns 0, or -1 when two names collide once upper-cased
 * (the message goes to errbuf). */
int emit_c_header(const struct policy *pol, FILE *out, char *errbuf, size_t errlen);
/* XXH3-64 over the names in bit order, each followed by a NUL byte. */
uint64_t emit_fingerprint(const struct policy *pol);

#endif
