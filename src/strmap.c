/* Open-addressing hash map from byte strings to 32-bit values (XXH3 hashes). */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "arena.h"

struct strmap_slot {
    uint64_t hash;
    const char *key; /* NULL marks an empty slot */
    uint32_t len;
    uint32_t value;
};

void strmap_init(struct strmap *m)
{
    m->slots = NULL;
    m->mask = 0;
    m->len = 0;
}

void strmap_release(struct strmap *m)
{
    free(m->slots);
    strmap_init(m);
}

static struct strmap_slot *find(const struct strmap *m, const char *key, size_t len,
                                uint64_t hash)
{
    size_t i = (size_t)hash & m->mask;

    for (;;) {
        struct strmap_slot *s = &m->slots[i];

        if (!s->key)
            return s;
        if (s->hash == hash && s->len == len && memcmp(s->key, key, len) == 0)
            return s;
        i = (i + 1) & m->mask;
    }
}

uint32_t strmap_get(const struct strmap *m, const char *key, size_t len)
{
    struct strmap_slot *s;

    if (!m->slots)
        return STRMAP_MISSING;
    s = find(m, key, len, XXH3_64bits(key, len));
    return s->key ? s->value : STRMAP_MISSING;
}

static void rehash(struct strmap *m)
{
    size_t ncap = m->slots ? (m->mask + 1) * 2 : 64;
    struct strmap_slot *old = m->slots;
    size_t oldcap = m->slots ? m->mask + 1 : 0;

    m->slots = xcalloc(ncap, sizeof(*m->slots));
    m->mask = ncap - 1;
    for (size_t i = 0; i < oldcap; i++) {
        if (old[i].key)
            *find(m, old[i].key, old[i].len, old[i].hash) = old[i];
    }
    free(old);
}

void strmap_reserve(struct strmap *m, size_t count)
{
    size_t cap = 64;

    if (m->slots)
        return;
    while ((count + 1) * 4 > cap * 3)
        cap *= 2;
    m->slots = xcalloc(cap, sizeof(*m->slots));
    m->mask = cap - 1;
}

uint32_t strmap_put(struct strmap *m, const char *key, size_t len, uint32_t value)
{
    uint64_t hash = XXH3_64bits(key, len);
    struct strmap_slot *s;

    if (!m->slots || (m->len + 1) * 4 > (m->mask + 1) * 3)
        rehash(m);
    s = find(m, key, len, hash);
    if (s->key)
        return s->value;
    s->hash = hash;
    s->key = key;
    s->len = (uint32_t)len;
    s->value = value;
    m->len++;
    return value;
}
