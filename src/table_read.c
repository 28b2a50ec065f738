/* libkkpol: opening, validating and querying compiled tables in place.
 *
 * Opening checks the header, the section directory, every section's bounds
 * and size against the counts, and the whole catalog and role data; with
 * KKP_OPEN_VERIFY it also checks the checksum. Member slots are not walked
 * at open (a million-member table must open in well under a millisecond), so
 * every lookup bounds-checks what it reads from a slot. */
#include "kkpol.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
/* Inlined XXH3, so that hashing the member id in a lookup costs no call
 * into libxxhash. */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "table_format.h"
#include "table_internal.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "libkkpol reads tables in place and supports little-endian hosts only"
#endif

struct kkp_table {
    const unsigned char *base;
    size_t size;
    void *mapping; /* non-NULL when the table owns an mmap of size bytes */
    const char *strings;
    uint64_t strings_size;
    const unsigned char *groups;
    const unsigned char *perms;
    const unsigned char *roles;
    const uint64_t *role_masks;
    const unsigned char *slots;
    const uint32_t *members;
    const char *revision;
    const unsigned char *provenance; /* NULL when the table has no PROVENANCE section */
    uint64_t provenance_size;
    uint64_t fingerprint;
    uint64_t seed;
    uint64_t digest[2];
    uint64_t member_count;
    uint64_t slot_mask;
    size_t slot_size;
    uint32_t max_probe;
    uint32_t perm_count;
    uint32_t words;
    uint32_t group_count;
    uint32_t role_count;
};

const char *kkp_strerror(int code)
{
    switch (code) {
    case KKP_OK:
        return "success";
    case KKP_EINVAL:
        return "invalid argument";
    case KKP_EIO:
        return "input/output error";
    case KKP_ENOMEM:
        return "out of memory";
    case KKP_ETRUNCATED:
        return "table is truncated";
    case KKP_EMAGIC:
        return "not a kkpol table (wrong magic number)";
    case KKP_EVERSION:
        return "table format is newer than this library";
    case KKP_ECHECKSUM:
        return "table checksum mismatch (the file is corrupt)";
    case KKP_ECORRUPT:
        return "table is corrupt (inconsistent structure)";
    case KKP_EALIGN:
        return "buffer is not aligned to 8 bytes";
    case KKP_ENOTFOUND:
        return "not found";
    case KKP_ERANGE:
        return "output buffer too small";
    }
    return "unknown error";
}

static int fail(struct kkp_error *err, int code, const char *path, const char *detail)
{
    if (err) {
        err->code = code;
        if (detail)
            snprintf(err->message, sizeof(err->message), "%s: %s (%s)", path, kkp_strerror(code),
                     detail);
        else
            snprintf(err->message, sizeof(err->message), "%s: %s", path, kkp_strerror(code));
    }
    return code;
}

/* True when [offset, offset + size) lies inside a buffer of total bytes. */
static bool in_bounds(uint64_t offset, uint64_t size, uint64_t total)
{
    return offset <= total && size <= total - offset;
}

/* Checks a {u32 offset, u32 length} string reference: inside STRINGS and
 * followed by a NUL byte, so it can be handed out as a C string. */
static bool valid_string(const struct kkp_table *t, const unsigned char *ref)
{
    uint64_t off = rd32(ref), len = rd32(ref + 4);

    return in_bounds(off, len + 1, t->strings_size) && t->strings[off + len] == '\0' &&
           memchr(t->strings + off, '\0', len) == NULL;
}

static uint64_t checksum(const unsigned char *base, size_t size)
{
    static const unsigned char zero[8];
    XXH3_state_t *st = XXH3_createState();
    uint64_t h;

    if (!st)
        return 0;
    XXH3_64bits_reset(st);
    XXH3_64bits_update(st, base, TH_CHECKSUM);
    XXH3_64bits_update(st, zero, sizeof(zero));
    XXH3_64bits_update(st, base + TH_CHECKSUM + 8, size - TH_CHECKSUM - 8);
    h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return h;
}

static uint64_t fingerprint(const struct kkp_table *t)
{
    XXH3_state_t *st = XXH3_createState();
    uint64_t h;

    if (!st)
        return 0;
    XXH3_64bits_reset(st);
    for (uint32_t i = 0; i < t->perm_count; i++) {
        const unsigned char *rec = t->perms + (size_t)i * PERM_RECORD_SIZE;
        XXH3_64bits_update(st, t->strings + rd32(rec), (size_t)rd32(rec + 4) + 1);
    }
    h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return h;
}

struct section {
    uint64_t offset;
    uint64_t size;
    bool present;
};

/* Reads the section directory into sections[1..SECTION_MAX_KNOWN]; unknown
 * ids are skipped so that a minor version may add sections. */
static int read_directory(const unsigned char *b, size_t size, struct section *sections,
                          const char **why)
{
    uint64_t dir = rd64(b + TH_DIR_OFFSET);
    uint32_t count = rd32(b + TH_SECTION_COUNT);

    if (count > 1024 || dir % 8 || !in_bounds(dir, (uint64_t)count * TABLE_DIR_ENTRY_SIZE, size) ||
        dir < TABLE_HEADER_SIZE) {
        *why = "section directory out of bounds";
        return KKP_ECORRUPT;
    }
    for (uint32_t i = 0; i < count; i++) {
        const unsigned char *e = b + dir + (uint64_t)i * TABLE_DIR_ENTRY_SIZE;
        uint32_t id = rd32(e);
        uint64_t off = rd64(e + 8), len = rd64(e + 16);

        if (!in_bounds(off, len, size) || off % 8 || off < TABLE_HEADER_SIZE) {
            *why = "section out of bounds";
            return KKP_ECORRUPT;
        }
        if (id == 0 || id > SECTION_MAX_KNOWN)
            continue;
        if (sections[id].present) {
            *why = "section listed twice";
            return KKP_ECORRUPT;
        }
        sections[id].offset = off;
        sections[id].size = len;
        sections[id].present = true;
    }
    for (int id = SECTION_STRINGS; id <= SECTION_MEMBERS; id++) {
        if (!sections[id].present) {
            *why = "required section missing";
            return KKP_ECORRUPT;
        }
    }
    return KKP_OK;
}

/* Checks that sections have the sizes their counts imply. */
static int check_sizes(struct kkp_table *t, const struct section *s, const char **why)
{
    uint64_t slot_count = rd64(t->base + TH_SLOT_COUNT);
    uint64_t expect_words = t->perm_count ? ((uint64_t)t->perm_count + 63) / 64 : 1;

    if (t->perm_count > 65536 || t->words != expect_words) {
        *why = "permission count";
        return KKP_ECORRUPT;
    }
    t->slot_size = SLOT_HEADER_SIZE + (size_t)t->words * 8;
    if (slot_count < 8 || (slot_count & (slot_count - 1)) || slot_count > (uint64_t)1 << 40 ||
        t->member_count > slot_count || t->max_probe >= slot_count) {
        *why = "member index size";
        return KKP_ECORRUPT;
    }
    t->slot_mask = slot_count - 1;
    if (s[SECTION_GROUPS].size != (uint64_t)t->group_count * GROUP_RECORD_SIZE ||
        s[SECTION_PERMISSIONS].size != (uint64_t)t->perm_count * PERM_RECORD_SIZE ||
        s[SECTION_ROLES].size != (uint64_t)t->role_count * ROLE_RECORD_SIZE ||
        s[SECTION_ROLE_MASKS].size != (uint64_t)t->role_count * t->words * 8 ||
        s[SECTION_SLOTS].size / t->slot_size != slot_count ||
        s[SECTION_SLOTS].size % t->slot_size != 0 ||
        s[SECTION_MEMBERS].size != t->member_count * 4 || s[SECTION_STRINGS].size == 0 ||
        s[SECTION_STRINGS].size > 0xFFFFFFFFull + 1) {
        *why = "section sizes do not match the counts";
        return KKP_ECORRUPT;
    }
    return KKP_OK;
}

/* Checks the catalog, groups and roles record by record. */
static int check_records(const struct kkp_table *t, const char **why)
{
    uint64_t tail = t->perm_count % 64 ? ~(((uint64_t)1 << (t->perm_count % 64)) - 1) : 0;

    if (t->strings[0] != '\0') {
        *why = "string table";
        return KKP_ECORRUPT;
    }
    for (uint32_t i = 0; i < t->group_count; i++) {
        const unsigned char *rec = t->groups + (size_t)i * GROUP_RECORD_SIZE;
        if (!valid_string(t, rec) || !valid_string(t, rec + 8) || rd32(rec + 4) == 0) {
            *why = "group record";
            return KKP_ECORRUPT;
        }
    }
    for (uint32_t i = 0; i < t->perm_count; i++) {
        const unsigned char *rec = t->perms + (size_t)i * PERM_RECORD_SIZE;
        uint32_t group = rd32(rec + 16), flags = rd32(rec + 20);

        if (!valid_string(t, rec) || !valid_string(t, rec + 8) || rd32(rec + 4) == 0 ||
            (group != TABLE_NONE && group >= t->group_count) ||
            (flags & ~(TABLE_FLAG_ESCALATES | TABLE_FLAG_SENSITIVE))) {
            *why = "permission record";
            return KKP_ECORRUPT;
        }
    }
    for (uint32_t i = 0; i < t->role_count; i++) {
        const unsigned char *rec = t->roles + (size_t)i * ROLE_RECORD_SIZE;
        const uint64_t *mask = t->role_masks + (size_t)i * t->words;

        if (!valid_string(t, rec) || !valid_string(t, rec + 8) || rd32(rec + 4) == 0 ||
            (mask[t->words - 1] & tail) || (t->perm_count == 0 && mask[0])) {
            *why = "role record";
            return KKP_ECORRUPT;
        }
    }
    if (fingerprint(t) != t->fingerprint) {
        *why = "catalog fingerprint";
        return KKP_ECORRUPT;
    }
    return KKP_OK;
}

static int open_bytes(struct kkp_table *t, unsigned flags, const char *path,
                      struct kkp_error *err)
{
    const unsigned char *b = t->base;
    struct section s[SECTION_MAX_KNOWN + 1];
    const char *why = NULL;
    uint64_t file_size;
    uint16_t major;
    int rc;

    if (t->size < TABLE_MAGIC_SIZE || memcmp(b, TABLE_MAGIC, TABLE_MAGIC_SIZE) != 0)
        return fail(err, t->size < TABLE_MAGIC_SIZE ? KKP_ETRUNCATED : KKP_EMAGIC, path, NULL);
    if (t->size < TABLE_HEADER_SIZE)
        return fail(err, KKP_ETRUNCATED, path, "shorter than the header");
    major = rd16(b + TH_VERSION_MAJOR);
    if (major > TABLE_VERSION_MAJOR)
        return fail(err, KKP_EVERSION, path, "rebuild the library or recompile the table");
    if (major != TABLE_VERSION_MAJOR || rd32(b + TH_HEADER_SIZE) != TABLE_HEADER_SIZE)
        return fail(err, KKP_ECORRUPT, path, "header");
    file_size = rd64(b + TH_FILE_SIZE);
    if (file_size > t->size)
        return fail(err, KKP_ETRUNCATED, path, "shorter than its header says");
    if (file_size < t->size)
        return fail(err, KKP_ECORRUPT, path, "longer than its header says");
    if ((flags & KKP_OPEN_VERIFY) && checksum(b, t->size) != rd64(b + TH_CHECKSUM))
        return fail(err, KKP_ECHECKSUM, path, NULL);

    t->fingerprint = rd64(b + TH_FINGERPRINT);
    t->seed = rd64(b + TH_HASH_SEED);
    t->digest[0] = rd64(b + TH_SOURCE_DIGEST);
    t->digest[1] = rd64(b + TH_SOURCE_DIGEST + 8);
    t->perm_count = rd32(b + TH_PERM_COUNT);
    t->words = rd32(b + TH_WORDS);
    t->group_count = rd32(b + TH_GROUP_COUNT);
    t->role_count = rd32(b + TH_ROLE_COUNT);
    t->member_count = rd64(b + TH_MEMBER_COUNT);
    t->max_probe = rd32(b + TH_MAX_PROBE);

    memset(s, 0, sizeof(s));
    rc = read_directory(b, t->size, s, &why);
    if (rc == KKP_OK)
        rc = check_sizes(t, s, &why);
    if (rc != KKP_OK)
        return fail(err, rc, path, why);
    if (s[SECTION_SLOTS].offset % 64)
        return fail(err, KKP_ECORRUPT, path, "member index alignment");

    t->strings = (const char *)b + s[SECTION_STRINGS].offset;
    t->strings_size = s[SECTION_STRINGS].size;
    t->groups = b + s[SECTION_GROUPS].offset;
    t->perms = b + s[SECTION_PERMISSIONS].offset;
    t->roles = b + s[SECTION_ROLES].offset;
    t->role_masks = (const uint64_t *)(const void *)(b + s[SECTION_ROLE_MASKS].offset);
    t->slots = b + s[SECTION_SLOTS].offset;
    t->members = (const uint32_t *)(const void *)(b + s[SECTION_MEMBERS].offset);
    if (s[SECTION_REVISION].present) {
        const char *rev = (const char *)b + s[SECTION_REVISION].offset;
        uint64_t len = s[SECTION_REVISION].size;

        if (len == 0 || rev[len - 1] != '\0')
            return fail(err, KKP_ECORRUPT, path, "revision");
        t->revision = rev;
    }
    if (s[SECTION_PROVENANCE].present) {
        t->provenance = b + s[SECTION_PROVENANCE].offset;
        t->provenance_size = s[SECTION_PROVENANCE].size;
        if (!table_provenance_valid(t->provenance, t->provenance_size, t->role_count,
                                    t->perm_count, t->member_count))
            return fail(err, KKP_ECORRUPT, path, "provenance section");
    }
    rc = check_records(t, &why);
    if (rc != KKP_OK)
        return fail(err, rc, path, why);
    return KKP_OK;
}

static void clear_error(struct kkp_error *err)
{
    if (err) {
        err->code = KKP_OK;
        err->message[0] = '\0';
    }
}

int kkp_table_open_buffer(const void *data, size_t size, unsigned flags, struct kkp_table **out,
                          struct kkp_error *err)
{
    struct kkp_table *t;
    int rc;

    clear_error(err);
    if (!out)
        return fail(err, KKP_EINVAL, "(buffer)", "out is NULL");
    *out = NULL;
    if (!data)
        return fail(err, KKP_EINVAL, "(buffer)", "data is NULL");
    if ((uintptr_t)data % 8)
        return fail(err, KKP_EALIGN, "(buffer)", NULL);
    t = calloc(1, sizeof(*t));
    if (!t)
        return fail(err, KKP_ENOMEM, "(buffer)", NULL);
    t->base = data;
    t->size = size;
    rc = open_bytes(t, flags, "(buffer)", err);
    if (rc != KKP_OK) {
        free(t);
        return rc;
    }
    *out = t;
    return KKP_OK;
}

int kkp_table_open(const char *path, unsigned flags, struct kkp_table **out,
                   struct kkp_error *err)
{
    struct kkp_table *t;
    struct stat st;
    void *map;
    int fd, rc;

    clear_error(err);
    if (!out)
        return fail(err, KKP_EINVAL, path ? path : "(null)", "out is NULL");
    *out = NULL;
    if (!path)
        return fail(err, KKP_EINVAL, "(null)", "path is NULL");
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return fail(err, KKP_EIO, path, strerror(errno));
    if (fstat(fd, &st) != 0) {
        rc = errno;
        close(fd);
        return fail(err, KKP_EIO, path, strerror(rc));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return fail(err, KKP_EIO, path, "not a regular file");
    }
    if (st.st_size < TABLE_MAGIC_SIZE) {
        close(fd);
        return fail(err, KKP_ETRUNCATED, path, NULL);
    }
    if ((uint64_t)st.st_size > SIZE_MAX) {
        close(fd);
        return fail(err, KKP_ECORRUPT, path, "too large to map");
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    rc = errno;
    close(fd);
    if (map == MAP_FAILED)
        return fail(err, KKP_EIO, path, strerror(rc));
    t = calloc(1, sizeof(*t));
    if (!t) {
        munmap(map, (size_t)st.st_size);
        return fail(err, KKP_ENOMEM, path, NULL);
    }
    t->base = map;
    t->size = (size_t)st.st_size;
    t->mapping = map;
    rc = open_bytes(t, flags, path, err);
    if (rc != KKP_OK) {
        munmap(map, t->size);
        free(t);
        return rc;
    }
    *out = t;
    return KKP_OK;
}

void kkp_table_close(struct kkp_table *table)
{
    if (!table)
        return;
    if (table->mapping)
        munmap(table->mapping, table->size);
    free(table);
}

int kkp_permission(const struct kkp_table *t, const char *name, struct kkp_bit *out)
{
    size_t len;

    if (!t || !name || !out)
        return KKP_EINVAL;
    /* Open validated every name: its length is exact and no NUL is inside,
     * so comparing lengths first matches strcmp. */
    len = strlen(name);
    for (uint32_t i = 0; i < t->perm_count; i++) {
        const unsigned char *rec = t->perms + (size_t)i * PERM_RECORD_SIZE;

        if (rd32(rec + 4) == len && memcmp(t->strings + rd32(rec), name, len) == 0) {
            out->index = i;
            out->catalog = t->fingerprint;
            return KKP_OK;
        }
    }
    return KKP_ENOTFOUND;
}

/* Returns the member's slot, or NULL. Reads at most max_probe + 1 slots and
 * bounds-checks each id reference, whatever the table holds. */
static const unsigned char *find_slot(const struct kkp_table *t, const char *member, size_t len)
{
    uint64_t h = XXH3_64bits_withSeed(member, len, t->seed);
    uint64_t i = h & t->slot_mask;

    for (uint32_t probe = 0; probe <= t->max_probe; probe++) {
        const unsigned char *slot = t->slots + i * t->slot_size;
        uint32_t id_len = rd32(slot + 12);

        if (id_len == 0)
            return NULL;
        if (rd64(slot) == h && id_len == len) {
            uint64_t off = rd32(slot + 8);

            if (in_bounds(off, len, t->strings_size) && memcmp(t->strings + off, member, len) == 0)
                return slot;
        }
        i = (i + 1) & t->slot_mask;
    }
    return NULL;
}

void table_prefetch_member(const struct kkp_table *t, const char *member, size_t member_len)
{
    const unsigned char *slot;

    if (!t || !member || member_len == 0)
        return;
    slot = t->slots + (XXH3_64bits_withSeed(member, member_len, t->seed) & t->slot_mask) *
                          t->slot_size;
    /* A slot may straddle two cache lines; prefetch both ends. */
    __builtin_prefetch(slot);
    __builtin_prefetch(slot + t->slot_size - 1);
}

void table_prefetch_member_id(const struct kkp_table *t, const char *member, size_t member_len)
{
    uint64_t h, off;
    const unsigned char *slot;

    if (!t || !member || member_len == 0)
        return;
    h = XXH3_64bits_withSeed(member, member_len, t->seed);
    slot = t->slots + (h & t->slot_mask) * t->slot_size;
    off = rd32(slot + 8);
    /* Bounds-checked like a lookup, so a crafted table cannot send the
     * prefetch outside the mapping. */
    if (rd64(slot) == h && rd32(slot + 12) == member_len &&
        in_bounds(off, member_len, t->strings_size)) {
        __builtin_prefetch(t->strings + off);
        __builtin_prefetch(t->strings + off + member_len - 1);
    }
}

/* flatten: the member-id hash and the slot probe are inlined into this, the
 * hot call of the library, and no other caller grows. */
__attribute__((flatten)) enum kkp_decision kkp_check_bit(const struct kkp_table *t,
                                                         const char *member, size_t member_len,
                                                         struct kkp_bit bit)
{
    const unsigned char *slot;
    uint64_t word;

    if (!t || bit.catalog != t->fingerprint || bit.index >= t->perm_count)
        return KKP_UNKNOWN_PERMISSION;
    if (!member || member_len == 0)
        return KKP_UNKNOWN_MEMBER;
    slot = find_slot(t, member, member_len);
    if (!slot)
        return KKP_UNKNOWN_MEMBER;
    word = rd64(slot + SLOT_HEADER_SIZE + (size_t)(bit.index / 64) * 8);
    return (word >> (bit.index % 64)) & 1 ? KKP_ALLOW : KKP_DENY;
}

enum kkp_decision kkp_check(const struct kkp_table *t, const char *member, const char *permission)
{
    struct kkp_bit bit;

    if (!t || !permission || kkp_permission(t, permission, &bit) != KKP_OK)
        return KKP_UNKNOWN_PERMISSION;
    if (!member)
        return KKP_UNKNOWN_MEMBER;
    return kkp_check_bit(t, member, strlen(member), bit);
}

uint32_t kkp_permission_count(const struct kkp_table *t)
{
    return t ? t->perm_count : 0;
}

int kkp_permission_info(const struct kkp_table *t, uint32_t index, struct kkp_permission_info *out)
{
    const unsigned char *rec;
    uint32_t group;

    if (!t || !out)
        return KKP_EINVAL;
    if (index >= t->perm_count)
        return KKP_ENOTFOUND;
    rec = t->perms + (size_t)index * PERM_RECORD_SIZE;
    group = rd32(rec + 16);
    out->name = t->strings + rd32(rec);
    out->description = t->strings + rd32(rec + 8);
    out->flags = rd32(rec + 20);
    out->group = NULL;
    out->group_title = "";
    if (group != TABLE_NONE) {
        const unsigned char *g = t->groups + (size_t)group * GROUP_RECORD_SIZE;
        out->group = t->strings + rd32(g);
        out->group_title = t->strings + rd32(g + 8);
    }
    return KKP_OK;
}

uint64_t kkp_catalog_fingerprint(const struct kkp_table *t)
{
    return t ? t->fingerprint : 0;
}

size_t kkp_mask_words(const struct kkp_table *t)
{
    return t ? t->words : 0;
}

/* Copies a mask and clears bits past the catalog, which a valid table never sets. */
static int copy_mask(const struct kkp_table *t, const unsigned char *src, uint64_t *words,
                     size_t nwords)
{
    if (!words)
        return KKP_OK;
    if (nwords < t->words)
        return KKP_ERANGE;
    memcpy(words, src, (size_t)t->words * 8);
    if (t->perm_count % 64)
        words[t->words - 1] &= ((uint64_t)1 << (t->perm_count % 64)) - 1;
    else if (t->perm_count == 0)
        words[0] = 0;
    return KKP_OK;
}

int kkp_member_mask(const struct kkp_table *t, const char *member, size_t member_len,
                    uint64_t *words, size_t nwords)
{
    const unsigned char *slot;

    if (!t || !member || !words)
        return KKP_EINVAL;
    if (nwords < t->words)
        return KKP_ERANGE;
    slot = member_len ? find_slot(t, member, member_len) : NULL;
    if (!slot)
        return KKP_ENOTFOUND;
    return copy_mask(t, slot + SLOT_HEADER_SIZE, words, nwords);
}

uint64_t kkp_member_count(const struct kkp_table *t)
{
    return t ? t->member_count : 0;
}

int kkp_member_at(const struct kkp_table *t, uint64_t index, const char **id, size_t *id_len,
                  uint64_t *words, size_t nwords)
{
    const unsigned char *slot;
    uint32_t slot_index;
    uint64_t off, len;

    if (!t || !id || !id_len)
        return KKP_EINVAL;
    if (index >= t->member_count)
        return KKP_ENOTFOUND;
    slot_index = t->members[index];
    if (slot_index > t->slot_mask)
        return KKP_ECORRUPT;
    slot = t->slots + (size_t)slot_index * t->slot_size;
    off = rd32(slot + 8);
    len = rd32(slot + 12);
    if (len == 0 || !in_bounds(off, len, t->strings_size))
        return KKP_ECORRUPT;
    *id = t->strings + off;
    *id_len = (size_t)len;
    return copy_mask(t, slot + SLOT_HEADER_SIZE, words, nwords);
}

uint32_t kkp_role_count(const struct kkp_table *t)
{
    return t ? t->role_count : 0;
}

int kkp_role_at(const struct kkp_table *t, uint32_t index, const char **name, const char **title,
                uint64_t *words, size_t nwords)
{
    const unsigned char *rec;

    if (!t)
        return KKP_EINVAL;
    if (index >= t->role_count)
        return KKP_ENOTFOUND;
    rec = t->roles + (size_t)index * ROLE_RECORD_SIZE;
    if (name)
        *name = t->strings + rd32(rec);
    if (title)
        *title = t->strings + rd32(rec + 8);
    return copy_mask(t, (const unsigned char *)(t->role_masks + (size_t)index * t->words), words,
                     nwords);
}

void kkp_source_digest(const struct kkp_table *t, uint64_t digest[2])
{
    if (!digest)
        return;
    digest[0] = t ? t->digest[0] : 0;
    digest[1] = t ? t->digest[1] : 0;
}

const char *kkp_revision(const struct kkp_table *t)
{
    return t ? t->revision : NULL;
}

const unsigned char *table_provenance(const struct kkp_table *t, uint64_t *size)
{
    *size = t ? t->provenance_size : 0;
    return t ? t->provenance : NULL;
}
