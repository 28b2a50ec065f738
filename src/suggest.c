/* Optimal-string-alignment distance and nearest-name suggestions. */
#include "suggest.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"

size_t osa_distance(const char *a, size_t alen, const char *b, size_t blen, size_t limit)
{
    size_t *prev2, *prev, *cur, result;

    if ((alen > blen ? alen - blen : blen - alen) > limit)
        return limit + 1;
    prev2 = xmalloc((blen + 1) * sizeof(size_t));
    prev = xmalloc((blen + 1) * sizeof(size_t));
    cur = xmalloc((blen + 1) * sizeof(size_t));
    for (size_t j = 0; j <= blen; j++)
        prev[j] = j;
    for (size_t i = 1; i <= alen; i++) {
        size_t row_min;

        cur[0] = i;
        row_min = cur[0];
        for (size_t j = 1; j <= blen; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = prev[j] + 1;

            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (prev[j - 1] + cost < best)
                best = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
            if (best < row_min)
                row_min = best;
        }
        if (row_min > limit) {
            free(prev2);
            free(prev);
            free(cur);
            return limit + 1;
        }
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    result = prev[blen];
    free(prev2);
    free(prev);
    free(cur);
    return result;
}

void suggest_init(struct suggest *s, const char *name, size_t len)
{
    memset(s, 0, sizeof(*s));
    s->name = name;
    s->len = len;
    s->limit = len / 3 > 1 ? len / 3 : 1;
    s->best_dist = s->limit + 1;
}

void suggest_offer(struct suggest *s, const char *candidate, size_t len)
{
    size_t limit = s->limit;
    size_t d;

    if (s->best && s->best_dist == 0)
        return;
    /* A candidate must beat the current best strictly, so ties keep the earlier one. */
    if (s->best && s->best_dist - 1 < limit)
        limit = s->best_dist - 1;
    d = osa_distance(s->name, s->len, candidate, len, limit);
    if (d <= limit && d < s->best_dist) {
        s->best = candidate;
        s->best_len = len;
        s->best_dist = d;
    }
}
