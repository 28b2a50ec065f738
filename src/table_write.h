/* Writing output files atomically: a temporary file in the target folder,
 * flushed to disk and renamed into place. */
#ifndef KKP_TABLE_WRITE_H
#define KKP_TABLE_WRITE_H

#include <stddef.h>

/* Writes len bytes to path so that path holds either its old content or all
 * of the new one. Returns 0, or -1 with a message in errbuf. */
int table_write_file(const char *path, const void *data, size_t len, char *errbuf,
                     size_t errlen);

#endif
