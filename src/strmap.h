/* Open-addressing hash map from byte strings to 32-bit values. */
#ifndef KKP_STRMAP_H
#define KKP_STRMAP_H

#include <stddef.h>
#include <stdint.h>

/* Keys are not copied: each key must outlive the map. */
struct strmap {
    struct strmap_slot *slots;
    size_t mask; /* slot count - 1; the count is a power of two */
    size_t len;
};

#define STRMAP_MISSING UINT32_MAX

void strmap_init(struct strmap *m);
void strmap_release(struct strmap *m);
/* Sizes an empty map for count keys, so that filling it never rehashes,
 * because a rehash keeps the old and the new slots in memory at once. */
void strmap_reserve(struct strmap *m, size_t count);
/* Returns the value stored for key, or STRMAP_MISSING. */
uint32_t strmap_get(const struct strmap *m, const char *key, size_t len);
/* Stores value under key unless the key is present; returns the value that the
 * map holds for key afterwards (the old one when it was present). */
uint32_t strmap_put(struct strmap *m, const char *key, size_t len, uint32_t value);

#endif
