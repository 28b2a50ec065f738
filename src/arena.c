/* Bump allocator and out-of-memory-checked heap helpers for the compiler. */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
    struct arena_chunk *next;
    max_align_t align[]; /* the chunk's bytes follow the header */
};

#define CHUNK_SIZE ((size_t)1 << 20)

static void out_of_memory(size_t size)
{
    fprintf(stderr, "kkpolc: error: out of memory (allocating %zu bytes)\n", size);
    exit(2);
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        out_of_memory(size);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory(n * size);
    return p;
}

void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        out_of_memory(size);
    return q;
}

void xgrow(void **items, size_t *cap, size_t need, size_t size)
{
    size_t ncap;

    if (need <= *cap)
        return;
    ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / size)
            out_of_memory(SIZE_MAX);
        ncap *= 2;
    }
    *items = xrealloc(*items, ncap * size);
    *cap = ncap;
}

void arena_init(struct arena *a)
{
    a->head = NULL;
    a->cur = a->end = NULL;
}

void arena_release(struct arena *a)
{
    struct arena_chunk *c = a->head;

    while (c) {
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    arena_init(a);
}

/* Returns size bytes of the current chunk at an address that is a multiple
 * of align (1 or 16), starting a new chunk when they do not fit. */
static char *take(struct arena *a, size_t size, size_t align)
{
    size_t pad = a->cur ? (size_t)(-(uintptr_t)a->cur & (align - 1)) : 0;
    char *p;

    if (size > SIZE_MAX / 2)
        out_of_memory(size);
    if (!a->cur || (size_t)(a->end - a->cur) < pad + size) {
        int own_chunk = size > CHUNK_SIZE / 4;
        size_t want = own_chunk ? size : CHUNK_SIZE;
        struct arena_chunk *c = xmalloc(sizeof(*c) + want);

        c->next = a->head;
        a->head = c;
        /* A large request gets a chunk of its own; the current chunk stays in use. */
        if (own_chunk)
            return (char *)c->align;
        a->cur = (char *)c->align;
        a->end = a->cur + want;
        pad = 0;
    }
    p = a->cur + pad;
    a->cur = p + size;
    return p;
}

void *arena_alloc(struct arena *a, size_t size)
{
    size_t rounded = (size + 15) & ~(size_t)15;
    void *p;

    if (rounded < size)
        out_of_memory(size);
    p = take(a, rounded, 16);
    memset(p, 0, rounded);
    return p;
}

/* Strings are packed without alignment: a million 24-byte member ids would
 * otherwise take 32 bytes each. */
char *arena_strndup(struct arena *a, const char *s, size_t len)
{
    char *p = take(a, len + 1, 1);

    if (len) /* s may be NULL when len is 0, and memcpy from NULL is undefined */
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    char probe[1];
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(probe, sizeof(probe), fmt, ap); /* measures the length */
    va_end(ap);
    if (n < 0)
        n = 0;
    p = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
