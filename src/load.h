/* Loading a policy: the files named on the command line and their imports. */
#ifndef KKP_LOAD_H
#define KKP_LOAD_H

#include <stddef.h>

#include "ast.h"
#include "diag.h"

/* Loads and parses the files in order, expanding each import where it stands:
 * every file is parsed once however it is reached (identity by device and
 * inode), and permission bits are numbered in expansion order. Problems go to
 * sink: a file named here that cannot be read is a diagnostic without a place,
 * a bad import one at the import statement. Returns false when a named file
 * could not be read (an I/O error rather than a policy error). */
bool load_policy(struct ast *ast, const char *const *paths, size_t npaths,
                 struct diag_sink *sink);

/* Reads one file for the loader in place of source_open, for example from a
 * git revision. It returns what source_open returns. Because the loader
 * identifies files by device and inode, every source it makes must carry a
 * non-zero ino that is the same whenever the same file is read again. */
struct load_reader {
    enum source_status (*open)(void *ctx, const char *open_path, const char *display_path,
                               struct source **out, int *err_no);
    void *ctx;
};

/* load_policy with every file, named or imported, read through reader. */
bool load_policy_from(struct ast *ast, const char *const *paths, size_t npaths,
                      const struct load_reader *reader, struct diag_sink *sink);

/* Loads in-memory text as one file named display_path; imports are read from
 * disk relative to it. */
void load_policy_text(struct ast *ast, const char *display_path, const char *text, size_t len,
                      struct diag_sink *sink);

#endif
