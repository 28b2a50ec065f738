/* Command-line subcommands of kkpolc and the helpers they share. */
#ifndef KKP_CLI_H
#define KKP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ast.h"
#include "diag.h"
#include "resolve.h"

/* Exit statuses. */
#define EXIT_OK 0
#define EXIT_POLICY 1 /* policy errors, deny, failed asserts */
#define EXIT_USAGE 2  /* usage, I/O, unknown subject, corrupt table */

/* A policy loaded from source files and resolved. */
struct cli_policy {
    struct ast ast;
    struct diag_sink sink;
    struct policy pol;
    bool resolved;
};

/* Loads, parses and resolves files, prints the diagnostics to stderr and
 * returns EXIT_OK, EXIT_POLICY (policy errors) or EXIT_USAGE (a named file
 * could not be read). Release cp either way. */
int cli_policy_load(struct cli_policy *cp, char *const *files, size_t nfiles, size_t max_errors);
void cli_policy_release(struct cli_policy *cp);
/* Like cli_policy_load, but prints nothing and, when lint is not NULL and the
 * policy resolved cleanly, runs the linter too. */
struct lint_config;
int cli_policy_build(struct cli_policy *cp, char *const *files, size_t nfiles, size_t max_errors,
                     const struct lint_config *lint);

/* True when the file starts with the compiled table's magic number. */
bool cli_is_table(const char *path);
/* Parses a non-negative decimal option value; prints an error and returns false when invalid. */
bool cli_parse_count(const char *option, const char *text, size_t *out);
/* Writes s with the five XML special characters escaped and control
 * characters other than tab and line feed left out, for XML and HTML text. */
void cli_markup_escape(FILE *out, const char *s);
/* Prints "kkpolc: error: ..." to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Handles -W, --max-errors (opt 'm') and --max-overrides (opt 'O') for check
 * and compile: 1 when handled, 0 when not one of them, -1 after an error. */
int cli_lint_option(int opt, const char *arg, struct lint_config *cfg, size_t *max_errors);

int cmd_check(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_matrix(int argc, char **argv);
int cmd_diff(int argc, char **argv);

#endif
