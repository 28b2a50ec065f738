/* Writers of machine-readable diagnostics. Each writes one document for the
 * whole sink and returns 0 on success. */
#ifndef KKP_DIAG_FORMATS_H
#define KKP_DIAG_FORMATS_H

#include <stdio.h>

#include "diag.h"

int diag_print_json(struct diag_sink *sink, FILE *out);
/* SARIF 2.1.0; version is kkpolc's, for tool.driver.version. */
int diag_print_sarif(struct diag_sink *sink, FILE *out, const char *version);
/* GitHub Actions workflow commands, one line per diagnostic. */
int diag_print_github(struct diag_sink *sink, FILE *out);

#endif
