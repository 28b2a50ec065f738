/* libkkpol: reading the optional PROVENANCE section of a compiled table.
 *
 * Opening checks the section's header and array sizes only, so a table with
 * provenance opens as fast as one without. Every call below bounds-checks
 * each word, index and string it reads, whatever the file contains. */
#include <string.h>

#include "kkpol.h"
#include "table_format.h"
#include "table_internal.h"

/* The section's parts, located from its header. */
struct prov_view {
    const unsigned char *base;
    uint32_t files, statements, roles, perms;
    uint64_t members;
    uint32_t data_count;
    uint32_t strings_size;
    const unsigned char *file_recs, *stmt_recs, *subject_recs, *data;
    const char *strings;
};

/* Locates the parts; false when the sizes do not add up to size. */
static bool view_init(struct prov_view *v, const unsigned char *p, uint64_t size)
{
    uint64_t total;

    if (!p || size < PROV_HEADER_SIZE)
        return false;
    v->base = p;
    v->files = rd32(p);
    v->statements = rd32(p + 4);
    v->roles = rd32(p + 8);
    v->perms = rd32(p + 12);
    v->members = rd64(p + 16);
    v->data_count = rd32(p + 24);
    v->strings_size = rd32(p + 28);
    if (v->members > ((uint64_t)1 << 40))
        return false;
    /* Each term is below 2^46, so the sum cannot overflow. */
    total = PROV_HEADER_SIZE + (uint64_t)v->files * PROV_FILE_SIZE +
            (uint64_t)v->statements * PROV_STATEMENT_SIZE +
            ((uint64_t)v->roles + v->members) * PROV_SUBJECT_SIZE + (uint64_t)v->data_count * 4 +
            v->strings_size;
    if (total != size || v->strings_size == 0)
        return false;
    v->file_recs = p + PROV_HEADER_SIZE;
    v->stmt_recs = v->file_recs + (size_t)v->files * PROV_FILE_SIZE;
    v->subject_recs = v->stmt_recs + (size_t)v->statements * PROV_STATEMENT_SIZE;
    v->data = v->subject_recs + (size_t)(v->roles + v->members) * PROV_SUBJECT_SIZE;
    v->strings = (const char *)(v->data + (size_t)v->data_count * 4);
    return v->strings[0] == '\0' && v->strings[v->strings_size - 1] == '\0';
}

bool table_provenance_valid(const unsigned char *section, uint64_t size, uint32_t roles,
                            uint32_t perms, uint64_t members)
{
    struct prov_view v;

    return view_init(&v, section, size) && v.roles == roles && v.perms == perms &&
           v.members == members;
}

static bool view_of(const struct kkp_table *t, struct prov_view *v)
{
    uint64_t size;
    const unsigned char *p = table_provenance(t, &size);

    return p && view_init(v, p, size);
}

/* Reads data word pos into *out; false past the end. */
static bool word_at(const struct prov_view *v, uint64_t pos, uint32_t *out)
{
    if (pos >= v->data_count)
        return false;
    *out = rd32(v->data + pos * 4);
    return true;
}

static const char *string_at(const struct prov_view *v, uint32_t off, uint32_t len)
{
    if ((uint64_t)off + len >= v->strings_size || v->strings[off + len] != '\0' ||
        memchr(v->strings + off, '\0', len))
        return NULL;
    return v->strings + off;
}

static bool location_of(const struct prov_view *v, const unsigned char *rec,
                        struct kkp_location *at)
{
    uint32_t file = rd32(rec);

    if (file >= v->files)
        return false;
    at->file = string_at(v, rd32(v->file_recs + (size_t)file * PROV_FILE_SIZE),
                         rd32(v->file_recs + (size_t)file * PROV_FILE_SIZE + 4));
    at->line = rd32(rec + 4);
    at->column = rd32(rec + 8);
    return at->file != NULL;
}

int kkp_has_provenance(const struct kkp_table *t)
{
    struct prov_view v;

    return t && view_of(t, &v) ? 1 : 0;
}

static int find_role(const struct kkp_table *t, const char *name, size_t len, uint64_t *index)
{
    for (uint32_t r = 0; r < kkp_role_count(t); r++) {
        const char *role_name;

        if (kkp_role_at(t, r, &role_name, NULL, NULL, 0) != KKP_OK)
            return KKP_ECORRUPT;
        if (strlen(role_name) == len && memcmp(role_name, name, len) == 0) {
            *index = r;
            return KKP_OK;
        }
    }
    return KKP_ENOTFOUND;
}

static int find_member(const struct kkp_table *t, const char *id, size_t len, uint64_t *index)
{
    for (uint64_t m = 0; m < kkp_member_count(t); m++) {
        const char *member_id;
        size_t member_len;

        if (kkp_member_at(t, m, &member_id, &member_len, NULL, 0) != KKP_OK)
            return KKP_ECORRUPT;
        if (member_len == len && memcmp(member_id, id, len) == 0) {
            *index = m;
            return KKP_OK;
        }
    }
    return KKP_ENOTFOUND;
}

int kkp_subject_find(const struct kkp_table *t, int kind, const char *name, size_t len,
                     struct kkp_subject *out)
{
    uint64_t index = 0;
    int rc;

    if (!t || !name || !out || (kind != KKP_SUBJECT_ROLE && kind != KKP_SUBJECT_MEMBER))
        return KKP_EINVAL;
    if (!kkp_has_provenance(t))
        return KKP_ENOTFOUND;
    rc = kind == KKP_SUBJECT_ROLE ? find_role(t, name, len, &index)
                                  : find_member(t, name, len, &index);
    if (rc != KKP_OK)
        return rc;
    return kkp_subject_at(t, kind, index, out);
}

int kkp_subject_at(const struct kkp_table *t, int kind, uint64_t index, struct kkp_subject *out)
{
    struct prov_view v;
    const unsigned char *rec;
    uint32_t parents;

    if (!t || !out || (kind != KKP_SUBJECT_ROLE && kind != KKP_SUBJECT_MEMBER))
        return KKP_EINVAL;
    if (!view_of(t, &v))
        return KKP_ENOTFOUND;
    if (kind == KKP_SUBJECT_ROLE ? index >= v.roles : index >= v.members)
        return KKP_ENOTFOUND;
    if (kind == KKP_SUBJECT_MEMBER)
        index += v.roles;
    rec = v.subject_recs + (size_t)index * PROV_SUBJECT_SIZE;
    memset(out, 0, sizeof(*out));
    out->cursor = rd32(rec + 12);
    if (!location_of(&v, rec, &out->at) || !word_at(&v, out->cursor, &parents) ||
        (uint64_t)out->cursor + 1 + parents + v.perms > v.data_count)
        return KKP_ECORRUPT;
    out->parent_count = parents;
    return KKP_OK;
}

int kkp_subject_parent(const struct kkp_table *t, const struct kkp_subject *s, uint32_t i,
                       uint32_t *role)
{
    struct prov_view v;
    uint32_t count;

    if (!t || !s || !role)
        return KKP_EINVAL;
    if (!view_of(t, &v))
        return KKP_ENOTFOUND;
    if (!word_at(&v, s->cursor, &count))
        return KKP_ECORRUPT;
    if (i >= count)
        return KKP_ENOTFOUND;
    if (!word_at(&v, s->cursor + 1 + i, role) || *role >= v.roles)
        return KKP_ECORRUPT;
    return KKP_OK;
}

int kkp_provenance(const struct kkp_table *t, const struct kkp_subject *s, uint32_t bit,
                   struct kkp_provenance *out)
{
    struct prov_view v;
    uint32_t parents, answer, kind, count;

    if (!t || !s || !out)
        return KKP_EINVAL;
    if (!view_of(t, &v))
        return KKP_ENOTFOUND;
    if (bit >= v.perms)
        return KKP_ENOTFOUND;
    if (!word_at(&v, s->cursor, &parents) ||
        !word_at(&v, s->cursor + 1 + (uint64_t)parents + bit, &answer) ||
        !word_at(&v, answer, &kind) || !word_at(&v, (uint64_t)answer + 1, &count) ||
        kind > KKP_PROV_REVOKED)
        return KKP_ECORRUPT;
    out->kind = (int)kind;
    out->reason_count = count;
    out->cursor = answer;
    return KKP_OK;
}

/* Reads the reason at pos (a statement, a chain, overrides) and sets *next
 * to the word after it. Overrides may not have overrides of their own. */
static bool read_reason(const struct prov_view *v, uint64_t pos, bool nested,
                        struct kkp_reason *out, uint64_t *next)
{
    uint32_t stmt, chain, overrides;
    const unsigned char *rec;

    if (!word_at(v, pos, &stmt) || stmt >= v->statements || !word_at(v, pos + 1, &chain) ||
        !word_at(v, pos + 2 + (uint64_t)chain, &overrides) || (nested && overrides))
        return false;
    rec = v->stmt_recs + (size_t)stmt * PROV_STATEMENT_SIZE;
    memset(out, 0, sizeof(*out));
    out->revoke = (rd32(rec) & PROV_FLAG_REVOKE) != 0;
    out->entry = string_at(v, rd32(rec + 16), rd32(rec + 20));
    if (!out->entry || !location_of(v, rec + 4, &out->at))
        return false;
    out->chain_length = chain;
    out->override_count = overrides;
    out->cursor = pos;
    pos += 3 + (uint64_t)chain;
    for (uint32_t i = 0; i < overrides; i++) {
        struct kkp_reason inner;

        if (!read_reason(v, pos, true, &inner, &pos))
            return false;
    }
    *next = pos;
    return true;
}

int kkp_provenance_reason(const struct kkp_table *t, const struct kkp_provenance *p, uint32_t i,
                          struct kkp_reason *out)
{
    struct prov_view v;
    uint64_t pos;
    uint32_t count;

    if (!t || !p || !out)
        return KKP_EINVAL;
    if (!view_of(t, &v))
        return KKP_ENOTFOUND;
    if (!word_at(&v, p->cursor + 1, &count))
        return KKP_ECORRUPT;
    if (i >= count)
        return KKP_ENOTFOUND;
    pos = p->cursor + 2;
    for (uint32_t k = 0; k <= i; k++) {
        if (!read_reason(&v, pos, false, out, &pos))
            return KKP_ECORRUPT;
    }
    return KKP_OK;
}

int kkp_reason_chain(const struct kkp_table *t, const struct kkp_reason *r, uint32_t i,
                     uint32_t *role)
{
    struct prov_view v;
    uint32_t chain;

    if (!t || !r || !role)
        return KKP_EINVAL;
    if (!view_of(t, &v))
        return KKP_ENOTFOUND;
    if (!word_at(&v, r->cursor + 1, &chain))
        return KKP_ECORRUPT;
    if (i >= chain)
        return KKP_ENOTFOUND;
    if (!word_at(&v, r->cursor + 2 + i, role) || *role >= v.roles)
        return KKP_ECORRUPT;
    return KKP_OK;
}

int kkp_reason_override(const struct kkp_table *t, const struct kkp_reason *r, uint32_t i,
                        struct kkp_reason *out)
{
    struct prov_view v;
    struct kkp_reason outer;
    uint64_t pos;

    if (!t || !r || !out)
        return KKP_EINVAL;
    if (!view_of(t, &v))
        return KKP_ENOTFOUND;
    if (!read_reason(&v, r->cursor, false, &outer, &pos))
        return KKP_ECORRUPT;
    if (i >= outer.override_count)
        return KKP_ENOTFOUND;
    pos = r->cursor + 3 + (uint64_t)outer.chain_length;
    for (uint32_t k = 0; k <= i; k++) {
        if (!read_reason(&v, pos, true, out, &pos))
            return KKP_ECORRUPT;
    }
    return KKP_OK;
}
