/* Fuzz target: table bytes through the loader, every query call and a walk
 * like `kkpolc dump`.
 *
 * The bytes are copied into an 8-byte aligned buffer of their exact size and
 * opened without the checksum (a mutated table would rarely pass it), then
 * once more with KKP_OPEN_VERIFY. Whatever opens must answer every call
 * without reading out of bounds, and must never allow a member id that the
 * member list does not hold. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kkpol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walks are capped so that a large valid table cannot stall the fuzzer. */
#define WALK_LIMIT 512

static volatile size_t sink_bytes; /* keeps the compiler from dropping reads */

static void touch_string(const char *s)
{
    sink_bytes += strlen(s);
}

/* True when some member of the table has exactly this id. */
static bool member_listed(const struct kkp_table *t, const char *id, size_t len)
{
    uint64_t n = kkp_member_count(t);

    for (uint64_t m = 0; m < n; m++) {
        const char *mid;
        size_t mlen;

        if (kkp_member_at(t, m, &mid, &mlen, NULL, 0) == KKP_OK && mlen == len &&
            memcmp(mid, id, len) == 0)
            return true;
    }
    return false;
}

static void walk(const struct kkp_table *t, const uint8_t *data, size_t size)
{
    size_t words = kkp_mask_words(t);
    uint64_t *mask = calloc(words ? words : 1, sizeof(uint64_t));
    uint32_t perms = kkp_permission_count(t);
    uint64_t digest[2];
    const char *revision = kkp_revision(t);

    if (!mask)
        return;
    kkp_source_digest(t, digest);
    if (revision)
        touch_string(revision);

    for (uint32_t b = 0; b < perms && b < WALK_LIMIT; b++) {
        struct kkp_permission_info info;
        struct kkp_bit bit;

        if (kkp_permission_info(t, b, &info) != KKP_OK)
            abort();
        touch_string(info.name);
        touch_string(info.description);
        touch_string(info.group_title);
        if (info.group)
            touch_string(info.group);
        /* A name may appear twice in a crafted table; the first one wins. */
        if (kkp_permission(t, info.name, &bit) != KKP_OK || bit.index > b)
            abort();
    }
    if (kkp_permission_info(t, perms, &(struct kkp_permission_info){0}) != KKP_ENOTFOUND)
        abort();

    for (uint32_t r = 0; r < kkp_role_count(t) && r < WALK_LIMIT; r++) {
        const char *name, *title;

        if (kkp_role_at(t, r, &name, &title, mask, words) != KKP_OK)
            abort();
        touch_string(name);
        touch_string(title);
    }

    for (uint64_t m = 0; m < kkp_member_count(t) && m < WALK_LIMIT; m++) {
        const char *id;
        size_t len;

        if (kkp_member_at(t, m, &id, &len, mask, words) != KKP_OK)
            continue; /* a corrupt slot reference is reported, not followed */
        for (uint32_t b = 0; b < perms && b < 64; b++) {
            struct kkp_bit bit = {b, kkp_catalog_fingerprint(t)};
            enum kkp_decision d = kkp_check_bit(t, id, len, bit);

            if (d != KKP_ALLOW && d != KKP_DENY && d != KKP_UNKNOWN_MEMBER)
                abort();
        }
        kkp_member_mask(t, id, len, mask, words);
    }

    /* Ids taken from the input itself: an answer other than "unknown member"
     * needs the id in the member list. */
    for (size_t len = 1; len <= size && len <= 24; len += 7) {
        const char *id = (const char *)data + size - len;
        struct kkp_bit bit = {0, kkp_catalog_fingerprint(t)};
        enum kkp_decision d = kkp_check_bit(t, id, len, bit);

        if ((d == KKP_ALLOW || d == KKP_DENY) && !member_listed(t, id, len)) {
            fprintf(stderr, "fuzz_table: an unlisted member id got an answer\n");
            abort();
        }
        if (kkp_member_mask(t, id, len, mask, words) == KKP_OK && !member_listed(t, id, len))
            abort();
    }
    if (kkp_check(t, "no such member", "no such permission") != KKP_UNKNOWN_PERMISSION)
        abort();
    if (perms) {
        struct kkp_bit stale = {0, kkp_catalog_fingerprint(t) ^ 1};

        if (kkp_check_bit(t, "x", 1, stale) != KKP_UNKNOWN_PERMISSION)
            abort();
    }
    free(mask);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kkp_table *t;
    struct kkp_error err;
    /* A copy of the exact size (malloc aligns to at least 8 bytes on the
     * supported hosts), so that ASan reports a read one byte past the end. */
    void *copy = malloc(size ? size : 1);

    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    if (kkp_table_open_buffer(copy, size, 0, &t, &err) == KKP_OK) {
        walk(t, data, size);
        kkp_table_close(t);
    } else if (err.code == KKP_OK || err.message[0] == '\0') {
        abort(); /* a failure must fill the error */
    }
    if (kkp_table_open_buffer(copy, size, KKP_OPEN_VERIFY, &t, &err) == KKP_OK) {
        walk(t, data, size);
        kkp_table_close(t);
    }
    free(copy);
    return 0;
}
