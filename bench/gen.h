/* Deterministic generator of benchmark policies built on the shipped
 * catalog and presets. */
#ifndef KKP_BENCH_GEN_H
#define KKP_BENCH_GEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The 18 permissions of policies/knockknock.kkp in bit order. */
#define GEN_PERMISSIONS 18
extern const char *const gen_permission_names[GEN_PERMISSIONS];

/* The four presets of policies/presets.kkp. */
#define GEN_ROLES 4
extern const char *const gen_role_names[GEN_ROLES];

struct gen_result {
    uint64_t members;
    uint64_t overrides; /* grant and revoke entries over all members */
    uint64_t bytes;     /* size of members.kkp */
};

/* Writes DIR/members.kkp with the given number of members (ids
 * user0000000@example.com upwards), importing presets.kkp from the same
 * folder, and copies knockknock.kkp and presets.kkp there from policies_dir.
 * With peers set it also writes DIR/members.tsv for the Node.js peers: per
 * member, the id, its roles, its grants and its revokes, tab-separated, each
 * list comma-separated. The same seed always gives the same bytes. Returns 0,
 * or -1 with a message on stderr. */
int gen_policy(const char *dir, const char *policies_dir, uint64_t members, uint64_t seed,
               bool peers, struct gen_result *out);

/* A splitmix64 generator: small, fast and the same on every platform. */
static inline uint64_t gen_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A number in [0, n) from the generator; the bias is below 2^-40 for the n used here. */
static inline uint64_t gen_below(uint64_t *state, uint64_t n)
{
    return gen_next(state) % n;
}

#endif
