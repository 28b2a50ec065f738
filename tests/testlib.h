/* Helpers shared by the Check suites: policies from text, diagnostics, temp files. */
#ifndef KKP_TESTLIB_H
#define KKP_TESTLIB_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

#include "ast.h"
#include "diag.h"
#include "resolve.h"

/* A policy loaded from text or files and resolved when it parsed cleanly. */
struct tpolicy {
    struct ast ast;
    struct diag_sink sink;
    struct policy pol;
    bool resolved;
};

/* Loads text as one file named "test.kkp" (imports resolve from the current folder). */
void tpolicy_text(struct tpolicy *tp, const char *text);
/* Loads text of a given length (it may hold NUL bytes) under a display path. */
void tpolicy_bytes(struct tpolicy *tp, const char *path, const char *data, size_t len);
void tpolicy_files(struct tpolicy *tp, const char *const *paths, size_t n);
void tpolicy_release(struct tpolicy *tp);

/* Error count after loading and resolving. */
size_t tpolicy_errors(const struct tpolicy *tp);
/* The first diagnostic whose message contains text, or NULL. */
const struct diag *tpolicy_find(const struct tpolicy *tp, const char *text);
/* Line and column of a diagnostic's primary location. */
struct line_col tdiag_pos(const struct diag *d);
/* Prints every diagnostic to stderr, to explain a failing test. */
void tpolicy_dump(const struct tpolicy *tp);

/* Effective-set queries on a resolved policy; they fail the test on an unknown name. */
bool tpolicy_member_has(const struct tpolicy *tp, const char *member, const char *perm);
bool tpolicy_role_has(const struct tpolicy *tp, const char *role, const char *perm);
uint32_t tpolicy_bit(const struct tpolicy *tp, const char *perm);

/* A fresh temporary folder (removed at exit is not promised; it lives under /tmp). */
char *tdir_new(void);
/* Writes text to dir/name (creating subfolders) and returns the malloc'ed path. */
char *tfile_write(const char *dir, const char *name, const char *text);

#endif
