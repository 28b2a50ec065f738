/* One input file: its bytes, its display path and a lazily built line map. */
#ifndef KKP_SOURCE_H
#define KKP_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kkp_limits.h"

struct source {
    char *path;      /* display path: as given, or the importer's folder joined and normalised */
    char *open_path; /* the path the file was opened through */
    char *data;      /* len bytes followed by two NUL bytes (the scanner needs them) */
    size_t len;
    uint32_t start; /* 3 when the file starts with a byte-order mark, else 0 */
    uint32_t index; /* load order, from 0 */
    dev_t dev;
    ino_t ino;
    uint32_t *lines; /* byte offset of each line start, built on first use */
    size_t nlines;
};

/* A byte range of one source, for diagnostics. */
struct loc {
    const struct source *src;
    uint32_t begin;
    uint32_t end;
};

struct line_col {
    uint32_t line;   /* from 1 */
    uint32_t column; /* from 1, in Unicode code points */
};

enum source_status {
    SOURCE_OK,
    SOURCE_ERRNO,       /* the failing call set errno */
    SOURCE_NOT_REGULAR, /* a directory, FIFO or device */
    SOURCE_TOO_LARGE,   /* larger than KKP_MAX_FILE_SIZE */
};

/* Opens and reads a file. On success *out is a new source; on failure *err_no
 * holds errno for SOURCE_ERRNO. */
enum source_status source_open(const char *open_path, const char *display_path,
                               struct source **out, int *err_no);
/* Makes a source from bytes in memory (tests and fuzzing). */
struct source *source_from_bytes(const char *display_path, const void *data, size_t len);
void source_free(struct source *src);

struct line_col source_line_col(struct source *src, uint32_t offset);
/* Returns the line that holds offset, without its line ending, as [*begin, *end). */
void source_line_bounds(struct source *src, uint32_t offset, uint32_t *begin, uint32_t *end);

/* Joins the importer's folder and an import string and normalises the result
 * lexically ("a/./b/../c" becomes "a/c"); absolute import strings stay as
 * they are apart from normalisation. Returns a malloc'ed string. */
char *source_join_path(const char *importer, const char *import);
char *source_normalize_path(const char *path);

/* Counts code points in a valid UTF-8 byte range. */
uint32_t utf8_count(const char *s, size_t len);

#endif
