/* Fuzz target: a valid policy generated from the input compiles, its table
 * opens, and every decision equals a recomputation from the generated
 * statements.
 *
 * The generator draws permissions (some in groups, some marked), roles whose
 * parents all have lower numbers (so there is no cycle), members with ids
 * that need escapes or hold UTF-8, and grant and revoke lists of names,
 * `group.*` and `*`. It never names one permission by its own name in both a
 * grant and a revoke of a block, so the policy has no errors. The reference
 * sets are computed here with plain loops, independently of resolve.c. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "diag.h"
#include "kkpol.h"
#include "load.h"
#include "lower.h"
#include "resolve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PERMS 200
#define MAX_GROUPS 6
#define MAX_ROLES 40
#define MAX_MEMBERS 120
#define MAX_WORDS ((MAX_PERMS + 63) / 64)
#define MAX_ID 64

/* Input bytes, read one at a time; 0 once they run out. */
struct input {
    const uint8_t *data;
    size_t size, pos;
};

static unsigned next(struct input *in)
{
    return in->pos < in->size ? in->data[in->pos++] : 0;
}

struct text {
    char *data;
    size_t len, cap;
};

static void emit(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->len + (size_t)n + 1) * 2;
        t->data = realloc(t->data, t->cap);
        if (!t->data)
            abort();
    }
    va_start(ap, fmt);
    vsnprintf(t->data + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* Whitespace between tokens: a space, a newline (LF or CR LF), a tab or a comment. */
static void gap(struct text *t, struct input *in)
{
    switch (next(in) % 8) {
    case 0:
        emit(t, "\n");
        break;
    case 1:
        emit(t, "\r\n\t");
        break;
    case 2:
        emit(t, " # a comment with \xC3\xA9 and \"quotes\"\n");
        break;
    default:
        emit(t, " ");
        break;
    }
}

struct model {
    uint32_t nperms, ngroups, nroles, nmembers, words;
    uint32_t group_of[MAX_PERMS]; /* MAX_GROUPS for none */
    uint32_t flags[MAX_PERMS];
    uint64_t group_mask[MAX_GROUPS][MAX_WORDS];
    uint64_t role_mask[MAX_ROLES][MAX_WORDS];
    uint64_t member_mask[MAX_MEMBERS][MAX_WORDS];
    char member_id[MAX_MEMBERS][MAX_ID];
    size_t member_id_len[MAX_MEMBERS];
    char role_title[MAX_ROLES][16];
};

static void set_bit(uint64_t *mask, uint32_t b)
{
    mask[b / 64] |= (uint64_t)1 << (b % 64);
}

static bool has_bit(const uint64_t *mask, uint32_t b)
{
    return (mask[b / 64] >> (b % 64)) & 1;
}

/* Emits one grant or revoke list and applies it to delta; named[] tracks
 * permissions named by their own name in the block's grants (1) and revokes
 * (2) so that no name appears on both sides. */
static void gen_list(struct text *t, struct input *in, struct model *m, bool grant,
                     uint8_t *named, uint64_t *delta)
{
    unsigned count = 1 + next(in) % 4;
    bool first = true;

    emit(t, "%s ", grant ? "grant" : "revoke");
    for (unsigned i = 0; i < count; i++) {
        unsigned kind = next(in) % 8;

        if (kind == 0) {
            emit(t, "%s*", first ? "" : ", ");
            for (uint32_t w = 0; w < m->words; w++)
                delta[w] = ~(uint64_t)0;
        } else if (kind == 1 && m->ngroups) {
            uint32_t g = next(in) % m->ngroups;

            emit(t, "%sg%u.*", first ? "" : ", ", g);
            for (uint32_t w = 0; w < m->words; w++)
                delta[w] |= m->group_mask[g][w];
        } else {
            uint32_t p = (next(in) | next(in) << 8) % m->nperms;

            if (named[p] & (grant ? 2 : 1))
                continue; /* named on the other side of this block */
            named[p] |= grant ? 1 : 2;
            emit(t, "%sp%u", first ? "" : ", ", p);
            set_bit(delta, p);
        }
        first = false;
    }
    if (first) {
        /* Every entry was skipped; '*' cannot clash with a name on the other side. */
        emit(t, "*");
        for (uint32_t w = 0; w < m->words; w++)
            delta[w] = ~(uint64_t)0;
    }
    emit(t, ";");
    gap(t, in);
}

/* Emits a block's grants and revokes and applies them to mask: grants, then
 * revokes, whatever their order in the block. */
static void gen_block(struct text *t, struct input *in, struct model *m, uint64_t *mask)
{
    static uint8_t named[MAX_PERMS];
    uint64_t grants[MAX_WORDS] = {0}, revokes[MAX_WORDS] = {0};
    unsigned clauses = next(in) % 4;

    memset(named, 0, sizeof(named));
    for (unsigned c = 0; c < clauses; c++) {
        bool grant = next(in) % 3 != 0;

        gen_list(t, in, m, grant, named, grant ? grants : revokes);
    }
    for (uint32_t w = 0; w < m->words; w++)
        mask[w] = (mask[w] | grants[w]) & ~revokes[w];
    if (m->nperms % 64)
        mask[m->words - 1] &= ((uint64_t)1 << (m->nperms % 64)) - 1;
}

static void gen_parents(struct text *t, struct input *in, struct model *m, uint32_t below,
                        uint64_t *mask)
{
    unsigned count = below ? next(in) % 4 : 0;

    for (unsigned i = 0; i < count; i++) {
        uint32_t parent = next(in) % below;

        emit(t, "%sr%u", i == 0 ? " : " : ", ", parent);
        for (uint32_t w = 0; w < m->words; w++)
            mask[w] |= m->role_mask[parent][w];
    }
}

static void gen_catalog(struct text *t, struct input *in, struct model *m)
{
    uint32_t bit = 0;

    for (uint32_t g = 0; g <= m->ngroups; g++) {
        /* Groups first, then the permissions outside any group. */
        uint32_t count = g < m->ngroups ? next(in) % 12 : m->nperms - bit;

        if (bit + count > m->nperms)
            count = m->nperms - bit;
        if (g < m->ngroups)
            emit(t, "group g%u \"Group %u\" {", g, g);
        gap(t, in);
        for (uint32_t i = 0; i < count; i++, bit++) {
            unsigned marks = next(in) % 4;

            m->group_of[bit] = g < m->ngroups ? g : MAX_GROUPS;
            m->flags[bit] = (marks & 1 ? KKP_PERM_ESCALATES : 0) | (marks & 2 ? KKP_PERM_SENSITIVE : 0);
            if (g < m->ngroups)
                set_bit(m->group_mask[g], bit);
            emit(t, "permission p%u \"Permission %u, \\\"quoted\\\"\"%s%s;", bit, bit,
                 marks & 1 ? " escalates" : "", marks & 2 ? " sensitive" : "");
            gap(t, in);
        }
        if (g < m->ngroups)
            emit(t, "}\n");
    }
}

static void gen_roles(struct text *t, struct input *in, struct model *m)
{
    bool reversed = next(in) & 1; /* names may be used before their definition */
    /* Sets are computed in number order (parents first); the text is
     * emitted afterwards, in the chosen order, from saved pieces. */
    struct text pieces[MAX_ROLES];

    memset(pieces, 0, sizeof(pieces));
    for (uint32_t r = 0; r < m->nroles; r++) {
        struct text *p = &pieces[r];

        emit(p, "role r%u", r);
        gen_parents(p, in, m, r, m->role_mask[r]);
        if (next(in) % 5 == 0) {
            emit(p, ";\n");
            continue;
        }
        emit(p, " {");
        gap(p, in);
        if (next(in) % 2) {
            snprintf(m->role_title[r], sizeof(m->role_title[r]), "Role %u", r);
            emit(p, "title \"%s\";", m->role_title[r]);
            gap(p, in);
        }
        gen_block(p, in, m, m->role_mask[r]);
        emit(p, "}\n");
    }
    for (uint32_t k = 0; k < m->nroles; k++) {
        uint32_t r = reversed ? m->nroles - 1 - k : k;

        emit(t, "%s", pieces[r].data);
        free(pieces[r].data);
    }
}

/* A member id: "m<number>." and then bytes that need escaping or are UTF-8,
 * so the ids stay distinct whatever follows the dot. */
static void gen_member_id(struct input *in, struct model *m, uint32_t i, struct text *t)
{
    static const char *const pieces[] = {"a", "Z", "@", ".", "-", "\"", "\\", "\xC3\xA9",
                                         "\xE2\x82\xAC", "\xF0\x9F\x98\x80", " ", "_"};
    unsigned extra = next(in) % 6;
    char *id = m->member_id[i];
    size_t len = (size_t)snprintf(id, MAX_ID, "m%u.", i);

    emit(t, "member \"m%u.", i);
    for (unsigned k = 0; k < extra; k++) {
        const char *piece = pieces[next(in) % (sizeof(pieces) / sizeof(pieces[0]))];
        size_t plen = strlen(piece);

        memcpy(id + len, piece, plen);
        len += plen;
        if (piece[0] == '"' || piece[0] == '\\')
            emit(t, "\\%s", piece);
        else
            emit(t, "%s", piece);
    }
    id[len] = '\0';
    m->member_id_len[i] = len;
    emit(t, "\"");
}

static void gen_members(struct text *t, struct input *in, struct model *m)
{
    for (uint32_t i = 0; i < m->nmembers; i++) {
        uint64_t *mask = m->member_mask[i];
        unsigned parents = m->nroles ? next(in) % 3 : 0;

        gen_member_id(in, m, i, t);
        for (unsigned k = 0; k < parents; k++) {
            uint32_t role = next(in) % m->nroles;

            emit(t, "%sr%u", k == 0 ? " : " : ", ", role);
            for (uint32_t w = 0; w < m->words; w++)
                mask[w] |= m->role_mask[role][w];
        }
        if (next(in) % 3 == 0) {
            emit(t, ";\n");
            continue;
        }
        emit(t, " {");
        gap(t, in);
        gen_block(t, in, m, mask);
        emit(t, "}\n");
    }
}

static void fail(const struct text *t, const char *what)
{
    fprintf(stderr, "fuzz_roundtrip: %s\n--- policy\n%.*s\n---\n", what, (int)t->len, t->data);
    abort();
}

static void check_table(const struct text *t, const struct model *m, const struct kkp_table *tab)
{
    uint64_t words[MAX_WORDS];
    uint64_t fingerprint = kkp_catalog_fingerprint(tab);

    if (kkp_permission_count(tab) != m->nperms || kkp_role_count(tab) != m->nroles ||
        kkp_member_count(tab) != m->nmembers || kkp_mask_words(tab) != m->words)
        fail(t, "table counts differ from the policy");
    for (uint32_t b = 0; b < m->nperms; b++) {
        struct kkp_permission_info info;
        char name[16];

        snprintf(name, sizeof(name), "p%u", b);
        if (kkp_permission_info(tab, b, &info) != KKP_OK || strcmp(info.name, name) != 0 ||
            info.flags != m->flags[b])
            fail(t, "catalog entry differs");
        if ((m->group_of[b] == MAX_GROUPS) != (info.group == NULL))
            fail(t, "permission group differs");
    }
    for (uint32_t r = 0; r < m->nroles; r++) {
        const char *name, *title;
        unsigned number = 0;

        if (kkp_role_at(tab, r, &name, &title, words, MAX_WORDS) != KKP_OK ||
            sscanf(name, "r%u", &number) != 1 || number >= m->nroles)
            fail(t, "role entry unreadable");
        if (memcmp(words, m->role_mask[number], m->words * 8) != 0)
            fail(t, "role mask differs from the recomputation");
        if (strcmp(title, m->role_title[number]) != 0)
            fail(t, "role title differs");
    }
    for (uint32_t i = 0; i < m->nmembers; i++) {
        const char *id = m->member_id[i];
        size_t len = m->member_id_len[i];

        if (kkp_member_mask(tab, id, len, words, MAX_WORDS) != KKP_OK ||
            memcmp(words, m->member_mask[i], m->words * 8) != 0)
            fail(t, "member mask differs from the recomputation");
        for (uint32_t b = 0; b < m->nperms; b++) {
            struct kkp_bit bit = {b, fingerprint};
            char name[16];
            enum kkp_decision want = has_bit(m->member_mask[i], b) ? KKP_ALLOW : KKP_DENY;

            if (kkp_check_bit(tab, id, len, bit) != want)
                fail(t, "decision differs from the recomputation");
            /* The name lookup is a linear search, so check it on a sample. */
            if ((b + i) % 8 != 0)
                continue;
            snprintf(name, sizeof(name), "p%u", b);
            if (kkp_check(tab, id, name) != want)
                fail(t, "decision by name differs from the recomputation");
        }
        /* One byte short of a real id is another member, and not in the table. */
        if (kkp_check_bit(tab, id, len - 1, (struct kkp_bit){0, fingerprint}) != KKP_UNKNOWN_MEMBER)
            fail(t, "a prefix of a member id got an answer");
    }
    if (kkp_check(tab, "nobody", "p0") != KKP_UNKNOWN_MEMBER)
        fail(t, "an unknown member got an answer");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct model m;
    struct input in = {data, size, 0};
    struct text t = {0};
    struct ast ast;
    struct diag_sink sink;
    struct policy pol;
    struct table_image img;
    struct lower_options lo;
    struct kkp_table *tab;
    struct kkp_error err;

    memset(&lo, 0, sizeof(lo));
    lo.revision = "fuzz revision";
    memset(&m, 0, sizeof(m));
    m.nperms = 1 + (next(&in) | next(&in) << 8) % MAX_PERMS;
    m.ngroups = next(&in) % (MAX_GROUPS + 1);
    m.nroles = next(&in) % (MAX_ROLES + 1);
    m.nmembers = next(&in) % (MAX_MEMBERS + 1);
    m.words = (m.nperms + 63) / 64;

    emit(&t, "%s", next(&in) & 1 ? "\xEF\xBB\xBF" : ""); /* a byte-order mark is allowed first */
    gen_catalog(&t, &in, &m);
    gen_roles(&t, &in, &m);
    gen_members(&t, &in, &m);

    ast_init(&ast);
    diag_sink_init(&sink, 50);
    load_policy_text(&ast, "roundtrip.kkp", t.data, t.len, &sink);
    if (diag_has_errors(&sink) || !resolve_policy(&ast, &sink, &pol)) {
        diag_sort(&sink);
        diag_print_text(&sink, stderr, false);
        fail(&t, "a generated policy has errors");
    }
    lower_policy(&pol, &lo, &img);
    if (kkp_table_open_buffer(img.data, img.size, KKP_OPEN_VERIFY, &tab, &err) != KKP_OK)
        fail(&t, err.message);
    if (!kkp_revision(tab) || strcmp(kkp_revision(tab), "fuzz revision") != 0)
        fail(&t, "revision differs");
    check_table(&t, &m, tab);

    kkp_table_close(tab);
    free(img.data);
    policy_release(&pol);
    diag_sink_release(&sink);
    ast_release(&ast);
    free(t.data);
    return 0;
}
