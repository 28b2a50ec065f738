/* Lowering: string pool, catalog, role masks and the member hash index,
 * laid out as table_format.h describes. */
#include "lower.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "arena.h"
#include "table_format.h"

/* String pool under construction; offset 0 is the empty string. */
struct pool {
    char *data;
    size_t len, cap;
};

static uint32_t pool_add(struct pool *p, const char *s, size_t len)
{
    size_t off = p->len;

    if (!s || len == 0)
        return 0;
    xgrow((void **)&p->data, &p->cap, p->len + len + 1, 1);
    memcpy(p->data + off, s, len);
    p->data[off + len] = '\0';
    p->len += len + 1;
    return (uint32_t)off;
}

static void wr16(unsigned char *p, uint16_t v)
{
    memcpy(p, &v, sizeof(v));
}

static void wr32(unsigned char *p, uint32_t v)
{
    memcpy(p, &v, sizeof(v));
}

static void wr64(unsigned char *p, uint64_t v)
{
    memcpy(p, &v, sizeof(v));
}

static void wr_string(unsigned char *rec, struct pool *pool, const char *s)
{
    size_t len = s ? strlen(s) : 0;

    wr32(rec, pool_add(pool, s, len));
    wr32(rec + 4, (uint32_t)len);
}

void lower_source_digest(const struct ast *ast, uint64_t digest[2])
{
    XXH3_state_t *st = XXH3_createState();
    XXH128_hash_t h;

    if (!st)
        abort();
    XXH3_128bits_reset(st);
    for (size_t i = 0; i < ast->nfiles; i++) {
        const struct source *src = ast->files[i].src;
        unsigned char len[8];

        wr64(len, (uint64_t)src->len);
        XXH3_128bits_update(st, len, sizeof(len));
        XXH3_128bits_update(st, src->data, src->len);
    }
    h = XXH3_128bits_digest(st);
    XXH3_freeState(st);
    digest[0] = h.low64;
    digest[1] = h.high64;
}

static uint64_t round_up(uint64_t v, uint64_t align)
{
    return (v + align - 1) / align * align;
}

struct layout {
    uint64_t off[SECTION_MAX_KNOWN + 1];
    uint64_t size[SECTION_MAX_KNOWN + 1];
    bool present[SECTION_MAX_KNOWN + 1];
    uint32_t count;
};

void lower_policy(const struct policy *pol, const struct lower_options *opt,
                  struct table_image *out)
{
    const struct ast *ast = pol->ast;
    struct pool pool = {0};
    uint32_t words = pol->words, nbits = pol->nbits;
    size_t slot_size = SLOT_HEADER_SIZE + (size_t)words * 8;
    uint32_t *group_index = xmalloc((ast->ngroups ? ast->ngroups : 1) * sizeof(uint32_t));
    uint32_t *role_index = xmalloc((ast->nroles ? ast->nroles : 1) * sizeof(uint32_t));
    uint32_t ngroups = 0, nroles = 0, max_probe = 0;
    uint64_t nmembers = 0, nslots = 8, digest[2], member_id_bytes = 0, strings_len;
    unsigned char *groups, *perms, *roles, *slots, *b;
    char *strings;
    uint64_t *role_masks;
    uint32_t *members;
    struct layout L;
    uint64_t pos;
    XXH3_state_t *fp;

    /* Keep only first definitions; duplicates were errors. */
    for (uint32_t g = 0; g < ast->ngroups; g++)
        group_index[g] = pol->group_of_name[ast->groups[g].name] == g ? ngroups++ : TABLE_NONE;
    for (uint32_t r = 0; r < ast->nroles; r++)
        role_index[r] = pol->role_dup[r] ? TABLE_NONE : nroles++;
    for (uint32_t m = 0; m < ast->nmembers; m++) {
        if (pol->member_dup[m])
            continue;
        nmembers++;
        member_id_bytes += (uint64_t)ast->members[m].id_len + 1;
    }
    while (nslots < nmembers + nmembers / 2 + 1)
        nslots *= 2; /* load factor at most 2/3 */

    groups = xcalloc(ngroups ? ngroups : 1, GROUP_RECORD_SIZE);
    perms = xcalloc(nbits ? nbits : 1, PERM_RECORD_SIZE);
    roles = xcalloc(nroles ? nroles : 1, ROLE_RECORD_SIZE);
    role_masks = xcalloc((size_t)(nroles ? nroles : 1) * words, 8);
    xgrow((void **)&pool.data, &pool.cap, 1, 1);
    pool.data[0] = '\0';
    pool.len = 1;

    fp = XXH3_createState();
    XXH3_64bits_reset(fp);
    for (uint32_t g = 0; g < ast->ngroups; g++) {
        if (group_index[g] == TABLE_NONE)
            continue;
        unsigned char *rec = groups + (size_t)group_index[g] * GROUP_RECORD_SIZE;
        wr_string(rec, &pool, ast_name(ast, ast->groups[g].name));
        wr_string(rec + 8, &pool, ast->groups[g].title);
    }
    for (uint32_t bit = 0; bit < nbits; bit++) {
        const struct ast_permission *p = &ast->perms[ast->bit_to_perm[bit]];
        unsigned char *rec = perms + (size_t)bit * PERM_RECORD_SIZE;
        const char *name = ast_name(ast, p->name);

        wr_string(rec, &pool, name);
        wr_string(rec + 8, &pool, p->description);
        wr32(rec + 16, p->group == AST_NONE ? TABLE_NONE : group_index[p->group]);
        wr32(rec + 20, (p->flags & PERM_ESCALATES ? TABLE_FLAG_ESCALATES : 0) |
                           (p->flags & PERM_SENSITIVE ? TABLE_FLAG_SENSITIVE : 0));
        XXH3_64bits_update(fp, name, strlen(name) + 1);
    }
    for (uint32_t r = 0; r < ast->nroles; r++) {
        if (role_index[r] == TABLE_NONE)
            continue;
        unsigned char *rec = roles + (size_t)role_index[r] * ROLE_RECORD_SIZE;
        wr_string(rec, &pool, ast_name(ast, ast->roles[r].name));
        wr_string(rec + 8, &pool, ast->roles[r].title);
        memcpy(role_masks + (size_t)role_index[r] * words, policy_role_mask(pol, r),
               (size_t)words * 8);
    }

    /* Layout: header, directory, then sections in id order. */
    memset(&L, 0, sizeof(L));
    L.size[SECTION_STRINGS] = pool.len + member_id_bytes;
    L.size[SECTION_GROUPS] = (uint64_t)ngroups * GROUP_RECORD_SIZE;
    L.size[SECTION_PERMISSIONS] = (uint64_t)nbits * PERM_RECORD_SIZE;
    L.size[SECTION_ROLES] = (uint64_t)nroles * ROLE_RECORD_SIZE;
    L.size[SECTION_ROLE_MASKS] = (uint64_t)nroles * words * 8;
    L.size[SECTION_SLOTS] = nslots * slot_size;
    L.size[SECTION_MEMBERS] = nmembers * 4;
    for (uint32_t id = SECTION_STRINGS; id <= SECTION_MEMBERS; id++)
        L.present[id] = true;
    if (opt && opt->revision) {
        L.size[SECTION_REVISION] = strlen(opt->revision) + 1;
        L.present[SECTION_REVISION] = true;
    }
    if (opt && opt->provenance) {
        L.size[SECTION_PROVENANCE] = opt->provenance_size;
        L.present[SECTION_PROVENANCE] = true;
    }
    for (uint32_t id = 1; id <= SECTION_MAX_KNOWN; id++)
        L.count += L.present[id];
    pos = TABLE_HEADER_SIZE + (uint64_t)L.count * TABLE_DIR_ENTRY_SIZE;
    for (uint32_t id = 1; id <= SECTION_MAX_KNOWN; id++) {
        if (!L.present[id])
            continue;
        pos = round_up(pos, id == SECTION_SLOTS ? 64 : 8);
        L.off[id] = pos;
        pos += L.size[id];
    }
    pos = round_up(pos, 8);

    b = aligned_alloc(64, round_up(pos, 64));
    if (!b)
        abort();
    memset(b, 0, round_up(pos, 64));

    /* The member index, ids and listing are written in place: separate
     * copies added 90 MB to the peak memory of a million-member compile. */
    strings = (char *)b + L.off[SECTION_STRINGS];
    memcpy(strings, pool.data, pool.len);
    strings_len = pool.len;
    slots = b + L.off[SECTION_SLOTS];
    members = (uint32_t *)(void *)(b + L.off[SECTION_MEMBERS]);

    /* Members in policy order, inserted by linear probing: deterministic. */
    nmembers = 0;
    for (uint32_t m = 0; m < ast->nmembers; m++) {
        const struct ast_member *mem = &ast->members[m];
        uint64_t h, i;
        uint32_t probe = 0;
        unsigned char *slot;

        if (pol->member_dup[m])
            continue;
        h = XXH3_64bits(mem->id, mem->id_len);
        i = h & (nslots - 1);
        while (1) {
            slot = slots + i * slot_size;
            uint32_t len;
            memcpy(&len, slot + 12, 4);
            if (len == 0)
                break;
            i = (i + 1) & (nslots - 1);
            probe++;
        }
        if (probe > max_probe)
            max_probe = probe;
        wr64(slot, h);
        memcpy(strings + strings_len, mem->id, mem->id_len);
        wr32(slot + 8, (uint32_t)strings_len);
        strings_len += (uint64_t)mem->id_len + 1;
        wr32(slot + 12, mem->id_len);
        memcpy(slot + SLOT_HEADER_SIZE, policy_member_mask(pol, m), (size_t)words * 8);
        members[nmembers++] = (uint32_t)i;
    }
    assert(strings_len == L.size[SECTION_STRINGS]);

    memcpy(b + TH_MAGIC, TABLE_MAGIC, TABLE_MAGIC_SIZE);
    wr16(b + TH_VERSION_MAJOR, TABLE_VERSION_MAJOR);
    wr16(b + TH_VERSION_MINOR, TABLE_VERSION_MINOR);
    wr32(b + TH_HEADER_SIZE, TABLE_HEADER_SIZE);
    wr64(b + TH_FILE_SIZE, pos);
    lower_source_digest(ast, digest);
    wr64(b + TH_SOURCE_DIGEST, digest[0]);
    wr64(b + TH_SOURCE_DIGEST + 8, digest[1]);
    wr64(b + TH_FINGERPRINT, XXH3_64bits_digest(fp));
    wr64(b + TH_HASH_SEED, 0);
    wr32(b + TH_PERM_COUNT, nbits);
    wr32(b + TH_WORDS, words);
    wr32(b + TH_GROUP_COUNT, ngroups);
    wr32(b + TH_ROLE_COUNT, nroles);
    wr64(b + TH_MEMBER_COUNT, nmembers);
    wr64(b + TH_SLOT_COUNT, nslots);
    wr32(b + TH_MAX_PROBE, max_probe);
    wr32(b + TH_SECTION_COUNT, L.count);
    wr64(b + TH_DIR_OFFSET, TABLE_HEADER_SIZE);
    for (uint32_t id = 1, entry = 0; id <= SECTION_MAX_KNOWN; id++) {
        if (!L.present[id])
            continue;
        unsigned char *e = b + TABLE_HEADER_SIZE + (size_t)entry++ * TABLE_DIR_ENTRY_SIZE;
        wr32(e, id);
        wr64(e + 8, L.off[id]);
        wr64(e + 16, L.size[id]);
    }
    memcpy(b + L.off[SECTION_GROUPS], groups, L.size[SECTION_GROUPS]);
    memcpy(b + L.off[SECTION_PERMISSIONS], perms, L.size[SECTION_PERMISSIONS]);
    memcpy(b + L.off[SECTION_ROLES], roles, L.size[SECTION_ROLES]);
    memcpy(b + L.off[SECTION_ROLE_MASKS], role_masks, L.size[SECTION_ROLE_MASKS]);
    if (L.present[SECTION_REVISION])
        memcpy(b + L.off[SECTION_REVISION], opt->revision, L.size[SECTION_REVISION]);
    if (L.present[SECTION_PROVENANCE])
        memcpy(b + L.off[SECTION_PROVENANCE], opt->provenance, L.size[SECTION_PROVENANCE]);

    {
        XXH3_state_t *st = XXH3_createState();
        XXH3_64bits_reset(st);
        XXH3_64bits_update(st, b, pos); /* the checksum field is still zero */
        wr64(b + TH_CHECKSUM, XXH3_64bits_digest(st));
        XXH3_freeState(st);
    }

    out->data = b;
    out->size = pos;
    XXH3_freeState(fp);
    free(pool.data);
    free(groups);
    free(perms);
    free(roles);
    free(role_masks);
    free(group_index);
    free(role_index);
}
