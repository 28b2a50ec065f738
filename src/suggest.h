/* "Did you mean" suggestions by optimal-string-alignment distance. */
#ifndef KKP_SUGGEST_H
#define KKP_SUGGEST_H

#include <stddef.h>

/* Finds the candidate nearest to a misspelt name. Candidates are offered in
 * declaration order; the first one at the smallest distance wins. */
struct suggest {
    const char *name;
    size_t len;
    size_t limit; /* max(1, len / 3) */
    const char *best;
    size_t best_len;
    size_t best_dist;
};

void suggest_init(struct suggest *s, const char *name, size_t len);
void suggest_offer(struct suggest *s, const char *candidate, size_t len);

/* Returns the optimal-string-alignment (restricted Damerau-Levenshtein)
 * distance, or a value above limit as soon as it must exceed limit. */
size_t osa_distance(const char *a, size_t alen, const char *b, size_t blen, size_t limit);

#endif
