/* Bump allocator: one arena per compilation, freed in one call. */
#ifndef KKP_ARENA_H
#define KKP_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head;
    char *cur;
    char *end;
};

void arena_init(struct arena *a);
/* Frees every chunk; the arena may be reused afterwards. */
void arena_release(struct arena *a);
/* Returns zeroed memory aligned to 16 bytes; aborts on exhaustion like xmalloc. */
void *arena_alloc(struct arena *a, size_t size);
/* Copies len bytes and appends a NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Heap helpers of the compiler: they exit with a message when memory runs out.
 * The runtime library never uses them. */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
/* Grows *items so that it holds at least need elements of size bytes each. */
void xgrow(void **items, size_t *cap, size_t need, size_t size);

#define VEC_PUSH(items, len, cap)                                                                  \
    (xgrow((void **)&(items), &(cap), (len) + 1, sizeof(*(items))), &(items)[(len)++])

#endif
