/* Lookup timing and the bare baseline loop. The baseline inlines XXH3, as a
 * hand-written lookup in an application would. */
#include "measure.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

struct baseline_slot {
    uint64_t hash;
    const char *id; /* NULL marks an empty slot */
    uint64_t len;
    uint64_t mask;
};

struct baseline {
    struct baseline_slot *slots;
    uint64_t slot_mask;
    char *ids; /* every id, NUL-terminated, in member order */
};

struct baseline *baseline_new(const struct kkp_table *t)
{
    uint64_t count = kkp_member_count(t), nslots = 8, total = 0;
    struct baseline *b = calloc(1, sizeof(*b));
    char *fill;

    if (!b || kkp_mask_words(t) != 1)
        goto fail;
    while (nslots < count + count / 2 + 1)
        nslots *= 2;
    for (uint64_t i = 0; i < count; i++) {
        const char *id;
        size_t len;

        if (kkp_member_at(t, i, &id, &len, NULL, 0) != KKP_OK)
            goto fail;
        total += len + 1;
    }
    b->slots = calloc(nslots, sizeof(*b->slots));
    b->ids = malloc(total ? total : 1);
    if (!b->slots || !b->ids)
        goto fail;
    b->slot_mask = nslots - 1;
    fill = b->ids;
    for (uint64_t i = 0; i < count; i++) {
        const char *id;
        size_t len;
        uint64_t mask, h, s;

        kkp_member_at(t, i, &id, &len, &mask, 1);
        memcpy(fill, id, len);
        fill[len] = '\0';
        h = XXH3_64bits(fill, len);
        for (s = h & b->slot_mask; b->slots[s].id; s = (s + 1) & b->slot_mask)
            ;
        b->slots[s] = (struct baseline_slot){h, fill, len, mask};
        fill += len + 1;
    }
    return b;

fail:
    baseline_free(b);
    return NULL;
}

void baseline_free(struct baseline *b)
{
    if (!b)
        return;
    free(b->slots);
    free(b->ids);
    free(b);
}

int baseline_check(const struct baseline *b, const char *id, size_t len, uint32_t bit)
{
    uint64_t h = XXH3_64bits(id, len);

    for (uint64_t s = h & b->slot_mask;; s = (s + 1) & b->slot_mask) {
        const struct baseline_slot *slot = &b->slots[s];

        if (!slot->id)
            return -1;
        if (slot->hash == h && slot->len == len && memcmp(slot->id, id, len) == 0)
            return (int)((slot->mask >> bit) & 1);
    }
}

double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double time_check_bit(const struct kkp_table *t, const struct kkp_bit *bits,
                      const struct query *q, size_t n, uint64_t *allows)
{
    uint64_t count = 0;
    double start = now_seconds();

    for (size_t i = 0; i < n; i++)
        count += kkp_check_bit(t, q[i].id, q[i].len, bits[q[i].bit]) == KKP_ALLOW;
    *allows = count;
    return (now_seconds() - start) * 1e9 / (double)(n ? n : 1);
}

double time_baseline(const struct baseline *b, const struct query *q, size_t n, uint64_t *allows)
{
    uint64_t count = 0;
    double start = now_seconds();

    for (size_t i = 0; i < n; i++)
        count += baseline_check(b, q[i].id, q[i].len, q[i].bit) == 1;
    *allows = count;
    return (now_seconds() - start) * 1e9 / (double)(n ? n : 1);
}

double time_check_by_name(const struct kkp_table *t, const char *const *names,
                          const struct query *q, size_t n, uint64_t *allows)
{
    uint64_t count = 0;
    double start = now_seconds();

    for (size_t i = 0; i < n; i++)
        count += kkp_check(t, q[i].id, names[q[i].bit]) == KKP_ALLOW;
    *allows = count;
    return (now_seconds() - start) * 1e9 / (double)(n ? n : 1);
}
