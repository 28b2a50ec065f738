/* Input files: reading, line maps, offset-to-column conversion, path joining. */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"

static struct source *source_new(const char *open_path, const char *display_path)
{
    struct source *src = xcalloc(1, sizeof(*src));

    src->path = source_normalize_path(display_path);
    src->open_path = strdup(open_path);
    if (!src->open_path)
        src->open_path = xcalloc(1, 1);
    return src;
}

static void set_start(struct source *src)
{
    if (src->len >= 3 && memcmp(src->data, "\xEF\xBB\xBF", 3) == 0)
        src->start = 3;
}

enum source_status source_open(const char *open_path, const char *display_path,
                               struct source **out, int *err_no)
{
    struct stat st;
    struct source *src;
    size_t got = 0;
    int fd;

    *out = NULL;
    /* O_NONBLOCK keeps a FIFO from blocking the open; it is rejected below. */
    fd = open(open_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *err_no = errno;
        return SOURCE_ERRNO;
    }
    if (fstat(fd, &st) != 0) {
        *err_no = errno;
        close(fd);
        return SOURCE_ERRNO;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return SOURCE_NOT_REGULAR;
    }
    if ((uint64_t)st.st_size > KKP_MAX_FILE_SIZE) {
        close(fd);
        return SOURCE_TOO_LARGE;
    }

    src = source_new(open_path, display_path);
    src->dev = st.st_dev;
    src->ino = st.st_ino;
    src->data = xmalloc((size_t)st.st_size + 2);
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, src->data + got, (size_t)st.st_size - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *err_no = errno;
            close(fd);
            source_free(src);
            return SOURCE_ERRNO;
        }
        if (n == 0)
            break; /* the file shrank while we read it */
        got += (size_t)n;
    }
    close(fd);
    src->len = got;
    src->data[got] = src->data[got + 1] = '\0';
    set_start(src);
    *out = src;
    return SOURCE_OK;
}

struct source *source_from_bytes(const char *display_path, const void *data, size_t len)
{
    struct source *src = source_new(display_path, display_path);

    src->data = xmalloc(len + 2);
    if (len)
        memcpy(src->data, data, len);
    src->len = len;
    src->data[len] = src->data[len + 1] = '\0';
    set_start(src);
    return src;
}

void source_free(struct source *src)
{
    if (!src)
        return;
    free(src->path);
    free(src->open_path);
    free(src->data);
    free(src->lines);
    free(src);
}

static void build_lines(struct source *src)
{
    size_t cap = 0;

    src->nlines = 0;
    *(uint32_t *)VEC_PUSH(src->lines, src->nlines, cap) = 0;
    for (size_t i = 0; i < src->len; i++) {
        if (src->data[i] == '\n')
            *(uint32_t *)VEC_PUSH(src->lines, src->nlines, cap) = (uint32_t)(i + 1);
    }
}

static size_t line_index(struct source *src, uint32_t offset)
{
    size_t lo = 0, hi;

    if (!src->lines)
        build_lines(src);
    hi = src->nlines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;

        if (src->lines[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

uint32_t utf8_count(const char *s, size_t len)
{
    uint32_t n = 0;

    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    }
    return n;
}

struct line_col source_line_col(struct source *src, uint32_t offset)
{
    struct line_col lc;
    size_t li;
    uint32_t begin;

    if (offset > src->len)
        offset = (uint32_t)src->len;
    li = line_index(src, offset);
    begin = src->lines[li];
    if (li == 0 && offset >= src->start)
        begin = src->start; /* the byte-order mark is not a column */
    lc.line = (uint32_t)li + 1;
    lc.column = utf8_count(src->data + begin, offset - begin) + 1;
    return lc;
}

void source_line_bounds(struct source *src, uint32_t offset, uint32_t *begin, uint32_t *end)
{
    size_t li;
    uint32_t b, e;

    if (offset > src->len)
        offset = (uint32_t)src->len;
    li = line_index(src, offset);
    b = src->lines[li];
    if (li == 0)
        b = src->start;
    e = li + 1 < src->nlines ? src->lines[li + 1] - 1 : (uint32_t)src->len;
    if (e > b && src->data[e - 1] == '\r')
        e--;
    *begin = b;
    *end = e < b ? b : e;
}

char *source_normalize_path(const char *path)
{
    size_t len = strlen(path);
    int absolute = path[0] == '/';
    /* Each component is kept as (start, length) into path. */
    size_t *starts = xmalloc((len + 1) * sizeof(size_t));
    size_t *lens = xmalloc((len + 1) * sizeof(size_t));
    size_t n = 0, leading_dotdot = 0;
    char *out, *p;

    for (size_t i = 0; i < len;) {
        size_t j = i;

        while (j < len && path[j] != '/')
            j++;
        if (j == i || (j - i == 1 && path[i] == '.')) {
            /* empty or "." component */
        } else if (j - i == 2 && path[i] == '.' && path[i + 1] == '.') {
            if (n > leading_dotdot)
                n--;
            else if (!absolute) {
                starts[n] = i;
                lens[n++] = 2;
                leading_dotdot = n;
            }
        } else {
            starts[n] = i;
            lens[n++] = j - i;
        }
        i = j + 1;
    }

    out = p = xmalloc(len + 3);
    if (absolute)
        *p++ = '/';
    for (size_t k = 0; k < n; k++) {
        if (k)
            *p++ = '/';
        memcpy(p, path + starts[k], lens[k]);
        p += lens[k];
    }
    if (p == out)
        *p++ = '.';
    *p = '\0';
    free(starts);
    free(lens);
    return out;
}

char *source_join_path(const char *importer, const char *import)
{
    const char *slash = strrchr(importer, '/');
    size_t dirlen = slash ? (size_t)(slash - importer) + 1 : 0;
    size_t ilen = strlen(import);
    char *joined, *result;

    if (import[0] == '/')
        return source_normalize_path(import);
    joined = xmalloc(dirlen + ilen + 1);
    memcpy(joined, importer, dirlen);
    memcpy(joined + dirlen, import, ilen + 1);
    result = source_normalize_path(joined);
    free(joined);
    return result;
}
