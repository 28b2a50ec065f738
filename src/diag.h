/* Diagnostic records and the sink that collects them; renderers print them. */
#ifndef KKP_DIAG_H
#define KKP_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "source.h"

enum diag_severity {
    DIAG_NOTE,
    DIAG_WARNING,
    DIAG_ERROR,
};

struct diag_note {
    struct loc loc; /* loc.src may be NULL for a note without a place */
    const char *message;
};

struct diag {
    enum diag_severity severity;
    const char *rule; /* NULL for syntax and semantic errors */
    const char *message;
    struct loc loc; /* loc.src is NULL for a diagnostic about no place (a command-line file) */
    struct diag_note *notes;
    size_t nnotes;
    size_t notes_cap;
    size_t seq; /* report order, to keep sorting stable */
    /* Silenced by a suppress statement: kept for SARIF, left out of the text
     * output and of the counts. */
    bool suppressed;
    const char *justification; /* the suppression's reason */
};

/* Collects diagnostics of one run. Messages and notes live in the sink's arena. */
struct diag_sink {
    struct arena arena;
    struct diag **items;
    size_t len;
    size_t cap;
    size_t errors;
    size_t warnings;
    size_t notes;      /* diagnostics of note severity (not notes attached to others) */
    size_t suppressed; /* diagnostics silenced by suppress statements */
    size_t max_errors; /* 0 for no limit */
    bool stopped;      /* max_errors was reached: later errors were dropped */
};

void diag_sink_init(struct diag_sink *sink, size_t max_errors);
void diag_sink_release(struct diag_sink *sink);

/* Records a diagnostic and returns it so that notes can be added, or returns
 * NULL when the sink has stopped at max_errors (callers ignore the NULL). */
struct diag *diag_report(struct diag_sink *sink, enum diag_severity severity, const char *rule,
                         struct loc loc, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Records a diagnostic that a suppression silenced: it is kept for the
 * machine-readable formats but counts as neither error nor warning. */
struct diag *diag_report_suppressed(struct diag_sink *sink, enum diag_severity severity,
                                    const char *rule, struct loc loc, const char *justification,
                                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
#define diag_error(sink, loc, ...) diag_report((sink), DIAG_ERROR, NULL, (loc), __VA_ARGS__)
void diag_note(struct diag_sink *sink, struct diag *d, struct loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* True once an error has been recorded or dropped. */
static inline bool diag_has_errors(const struct diag_sink *sink)
{
    return sink->errors > 0;
}

/* Returns "error", "warning" or "note": the word the text, JSON and SARIF
 * forms all use for a severity. */
const char *diag_severity_name(enum diag_severity severity);

/* Sorts the records by load order of their file, then position, then report order. */
void diag_sort(struct diag_sink *sink);

/* Writes every record in the GCC-like text form; colour when use_color. */
void diag_print_text(struct diag_sink *sink, FILE *out, bool use_color);
/* True when stderr is a terminal and NO_COLOR is unset. */
bool diag_want_color(int fd);

/* Names of the linter's rules, for suppressions and -W options. */
extern const char *const diag_rule_names[];
extern const size_t diag_rule_count;

#endif
