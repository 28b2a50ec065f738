/* Diagnostic records: collection, error limit and ordering. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const diag_rule_names[] = {
    "unused-role",         "empty-role",     "redundant-grant", "ineffective-revoke",
    "repeated-name",       "id-case",        "duplicate-role",  "lockout",
    "no-permissions",      "many-overrides", "escalation",      "unused-suppression",
    "expired-suppression", "constraint",
};
const size_t diag_rule_count = sizeof(diag_rule_names) / sizeof(diag_rule_names[0]);

void diag_sink_init(struct diag_sink *sink, size_t max_errors)
{
    memset(sink, 0, sizeof(*sink));
    arena_init(&sink->arena);
    sink->max_errors = max_errors;
}

void diag_sink_release(struct diag_sink *sink)
{
    for (size_t i = 0; i < sink->len; i++)
        free(sink->items[i]->notes);
    free(sink->items);
    arena_release(&sink->arena);
    memset(sink, 0, sizeof(*sink));
}

static const char *vformat(struct arena *a, const char *fmt, va_list ap)
{
    va_list copy;
    char probe[1];
    int n;
    char *p;

    va_copy(copy, ap);
    n = vsnprintf(probe, sizeof(probe), fmt, copy); /* measures the length */
    va_end(copy);
    if (n < 0)
        n = 0;
    p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

static struct diag *add(struct diag_sink *sink, enum diag_severity severity, const char *rule,
                        struct loc loc, const char *fmt, va_list ap)
{
    struct diag *d = arena_alloc(&sink->arena, sizeof(*d));

    d->severity = severity;
    d->rule = rule;
    d->loc = loc;
    d->seq = sink->len;
    d->message = vformat(&sink->arena, fmt, ap);
    *VEC_PUSH(sink->items, sink->len, sink->cap) = d;
    return d;
}

struct diag *diag_report(struct diag_sink *sink, enum diag_severity severity, const char *rule,
                         struct loc loc, const char *fmt, ...)
{
    struct diag *d;
    va_list ap;

    if (severity == DIAG_ERROR) {
        if (sink->stopped)
            return NULL;
        if (sink->max_errors && sink->errors >= sink->max_errors) {
            sink->stopped = true;
            return NULL;
        }
        sink->errors++;
    } else if (severity == DIAG_WARNING) {
        sink->warnings++;
    } else {
        sink->notes++;
    }
    va_start(ap, fmt);
    d = add(sink, severity, rule, loc, fmt, ap);
    va_end(ap);
    return d;
}

struct diag *diag_report_suppressed(struct diag_sink *sink, enum diag_severity severity,
                                    const char *rule, struct loc loc, const char *justification,
                                    const char *fmt, ...)
{
    struct diag *d;
    va_list ap;

    va_start(ap, fmt);
    d = add(sink, severity, rule, loc, fmt, ap);
    va_end(ap);
    d->suppressed = true;
    d->justification = justification;
    sink->suppressed++;
    return d;
}

void diag_note(struct diag_sink *sink, struct diag *d, struct loc loc, const char *fmt, ...)
{
    struct diag_note *n;
    va_list ap;

    if (!d)
        return;
    n = VEC_PUSH(d->notes, d->nnotes, d->notes_cap);
    n->loc = loc;
    va_start(ap, fmt);
    n->message = vformat(&sink->arena, fmt, ap);
    va_end(ap);
}

const char *diag_severity_name(enum diag_severity severity)
{
    switch (severity) {
    case DIAG_ERROR:
        return "error";
    case DIAG_WARNING:
        return "warning";
    case DIAG_NOTE:
        break;
    }
    return "note";
}

static int compare_diags(const void *pa, const void *pb)
{
    const struct diag *a = *(const struct diag *const *)pa;
    const struct diag *b = *(const struct diag *const *)pb;
    /* Diagnostics without a place (command-line problems) come first. */
    uint64_t fa = a->loc.src ? (uint64_t)a->loc.src->index + 1 : 0;
    uint64_t fb = b->loc.src ? (uint64_t)b->loc.src->index + 1 : 0;

    if (fa != fb)
        return fa < fb ? -1 : 1;
    if (a->loc.begin != b->loc.begin)
        return a->loc.begin < b->loc.begin ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void diag_sort(struct diag_sink *sink)
{
    if (sink->len > 1) /* items is NULL while the sink is empty, and qsort of NULL is undefined */
        qsort(sink->items, sink->len, sizeof(*sink->items), compare_diags);
}

bool diag_want_color(int fd)
{
    const char *no_color = getenv("NO_COLOR");

    if (no_color && no_color[0])
        return false;
    return isatty(fd) == 1;
}
