/* Shared command-line helpers: the load-and-resolve pipeline, input kinds. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lint.h"
#include "load.h"
#include "table_format.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;

    fputs("kkpolc: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

bool cli_parse_count(const char *option, const char *text, size_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    if (!text[0] || text[0] == '-' || text[0] == '+') {
        cli_error("invalid value '%s' for %s; expected a non-negative whole number", text,
                  option);
        return false;
    }
    v = strtoull(text, &end, 10);
    if (*end || errno == ERANGE || v > 1000000000ull) {
        cli_error("invalid value '%s' for %s; expected a whole number from 0 to 1000000000",
                  text, option);
        return false;
    }
    *out = (size_t)v;
    return true;
}

bool cli_is_table(const char *path)
{
    unsigned char magic[TABLE_MAGIC_SIZE];
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return false;
    n = read(fd, magic, sizeof(magic));
    close(fd);
    return n == (ssize_t)sizeof(magic) && memcmp(magic, TABLE_MAGIC, sizeof(magic)) == 0;
}

int cli_policy_build(struct cli_policy *cp, char *const *files, size_t nfiles, size_t max_errors,
                     const struct lint_config *lint)
{
    bool files_ok;

    memset(cp, 0, sizeof(*cp));
    ast_init(&cp->ast);
    diag_sink_init(&cp->sink, max_errors);
    files_ok = load_policy(&cp->ast, (const char *const *)files, nfiles, &cp->sink);
    if (files_ok && !diag_has_errors(&cp->sink) && !cp->sink.stopped) {
        cp->resolved = true;
        if (resolve_policy(&cp->ast, &cp->sink, &cp->pol) && lint)
            lint_policy(&cp->pol, lint, &cp->sink);
    }
    diag_sort(&cp->sink);
    if (!files_ok)
        return EXIT_USAGE;
    return diag_has_errors(&cp->sink) ? EXIT_POLICY : EXIT_OK;
}

int cli_policy_load(struct cli_policy *cp, char *const *files, size_t nfiles, size_t max_errors)
{
    int rc = cli_policy_build(cp, files, nfiles, max_errors, NULL);

    diag_print_text(&cp->sink, stderr, diag_want_color(STDERR_FILENO));
    return rc;
}

void cli_policy_release(struct cli_policy *cp)
{
    if (cp->resolved)
        policy_release(&cp->pol);
    diag_sink_release(&cp->sink);
    ast_release(&cp->ast);
}

void cli_markup_escape(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&apos;", out);
            break;
        case '\n':
        case '\t':
            fputc(*s, out);
            break;
        default:
            /* XML 1.0 allows no other control characters, even escaped. */
            if ((unsigned char)*s >= 0x20)
                fputc(*s, out);
            break;
        }
    }
}
