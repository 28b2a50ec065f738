/* GCC-style text renderer: location, severity, message, source line, caret;
 * notes are one line each. */
#include <stdio.h>
#include <string.h>

#include "diag.h"

#define COLOR_BOLD "\033[1m"
#define COLOR_RED "\033[1;31m"
#define COLOR_MAGENTA "\033[1;35m"
#define COLOR_CYAN "\033[1;36m"
#define COLOR_GREEN "\033[1;32m"
#define COLOR_RESET "\033[0m"

static const char *severity_color(enum diag_severity s)
{
    switch (s) {
    case DIAG_ERROR:
        return COLOR_RED;
    case DIAG_WARNING:
        return COLOR_MAGENTA;
    case DIAG_NOTE:
        break;
    }
    return COLOR_CYAN;
}

/* Maximum bytes of a source line quoted under a diagnostic. A longer line
 * (a 100 MB one-line file) is cut to a window around the error. */
#define EXCERPT_MAX 240

/* Narrows the line [*b, *e) to at most EXCERPT_MAX bytes that start a quarter
 * window before at, moving both ends to code point boundaries. */
static void clip_line(const char *d, uint32_t at, uint32_t *b, uint32_t *e, bool *cut_left)
{
    uint32_t from = *b, to;

    if (*e - *b <= EXCERPT_MAX)
        return;
    if (at > *b + EXCERPT_MAX / 4)
        from = at - EXCERPT_MAX / 4;
    while (from > *b && ((unsigned char)d[from] & 0xC0) == 0x80)
        from--;
    to = *e - from > EXCERPT_MAX ? from + EXCERPT_MAX : *e;
    while (to < *e && ((unsigned char)d[to] & 0xC0) == 0x80)
        to++;
    *cut_left = from > *b;
    *b = from;
    *e = to;
}

/* Returns the end of the line that contains offset, without its line ending. */
static uint32_t line_end(struct source *src, uint32_t offset)
{
    uint32_t b, e;

    source_line_bounds(src, offset, &b, &e);
    return e;
}

/* Prints the source line and a caret under loc. Tabs in the line are copied
 * into the caret line so that the marks line up in any tab width. */
static void print_excerpt(FILE *out, const struct loc *loc, bool color)
{
    struct source *src = (struct source *)loc->src;
    uint32_t b, e, end;
    const char *d = src->data;
    bool cut_left = false;

    source_line_bounds(src, loc->begin, &b, &e);
    clip_line(d, loc->begin, &b, &e, &cut_left);
    if (cut_left)
        fputs("...", out);
    fwrite(d + b, 1, e - b, out);
    if (e < line_end(src, loc->begin))
        fputs("...", out);
    fputc('\n', out);

    end = loc->end > e ? e : loc->end;
    if (color)
        fputs(COLOR_GREEN, out);
    if (cut_left)
        fputs("   ", out);
    for (uint32_t i = b; i < loc->begin && i < e; i++) {
        if (((unsigned char)d[i] & 0xC0) == 0x80)
            continue;
        fputc(d[i] == '\t' ? '\t' : ' ', out);
    }
    fputc('^', out);
    for (uint32_t i = loc->begin; i < end; i++) {
        if (((unsigned char)d[i] & 0xC0) == 0x80 || i == loc->begin)
            continue;
        fputc('~', out);
    }
    if (color)
        fputs(COLOR_RESET, out);
    fputc('\n', out);
}

static void print_head(FILE *out, const struct loc *loc, enum diag_severity sev, const char *msg,
                       const char *rule, bool color)
{
    if (color)
        fputs(COLOR_BOLD, out);
    if (loc->src) {
        struct line_col lc = source_line_col((struct source *)loc->src, loc->begin);

        fprintf(out, "%s:%u:%u: ", loc->src->path, lc.line, lc.column);
    } else {
        fputs("kkpolc: ", out);
    }
    if (color)
        fprintf(out, "%s%s:" COLOR_RESET COLOR_BOLD " %s" COLOR_RESET, severity_color(sev),
                diag_severity_name(sev), msg);
    else
        fprintf(out, "%s: %s", diag_severity_name(sev), msg);
    if (rule)
        fprintf(out, " [%s]", rule);
    fputc('\n', out);
}

void diag_print_text(struct diag_sink *sink, FILE *out, bool color)
{
    for (size_t i = 0; i < sink->len; i++) {
        const struct diag *d = sink->items[i];

        if (d->suppressed)
            continue;
        print_head(out, &d->loc, d->severity, d->message, d->rule, color);
        if (d->loc.src)
            print_excerpt(out, &d->loc, color);
        for (size_t k = 0; k < d->nnotes; k++) {
            print_head(out, &d->notes[k].loc, DIAG_NOTE, d->notes[k].message, NULL, color);
        }
    }
    if (sink->stopped)
        fprintf(out,
                "kkpolc: error: too many errors, stopped after %zu; raise the limit with "
                "--max-errors N\n",
                sink->max_errors);
}
