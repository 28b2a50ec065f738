/* Lookup timing for kkp_check_bit, kkp_check and the bare baseline loop. */
#ifndef KKP_BENCH_MEASURE_H
#define KKP_BENCH_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "kkpol.h"

/* One decision request: a member id (not NUL-terminated in the query set,
 * but followed by a NUL byte) and a permission bit. */
struct query {
    const char *id;
    uint32_t len;
    uint32_t bit;
};

/* The bare loop that the library is compared with: XXH3-64 of the id, an
 * open-addressing table of {hash, id, length, mask} slots with linear
 * probing and a load factor of at most 2/3, and a bit test. */
struct baseline;

/* Builds the baseline's table from every member of a table with at most 64
 * permissions. Returns NULL when out of memory. */
struct baseline *baseline_new(const struct kkp_table *table);
void baseline_free(struct baseline *b);
/* 1 allow, 0 deny, -1 unknown member. */
int baseline_check(const struct baseline *b, const char *id, size_t len, uint32_t bit);

/* Seconds since an arbitrary start, from CLOCK_MONOTONIC. */
double now_seconds(void);

/* Each returns nanoseconds per decision for one pass over the queries and
 * stores the number of allows in *allows, so the work cannot be skipped. */
double time_check_bit(const struct kkp_table *t, const struct kkp_bit *bits,
                      const struct query *q, size_t n, uint64_t *allows);
double time_baseline(const struct baseline *b, const struct query *q, size_t n, uint64_t *allows);
double time_check_by_name(const struct kkp_table *t, const char *const *names,
                          const struct query *q, size_t n, uint64_t *allows);

#endif
