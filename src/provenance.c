/* Provenance of effective sets: granting statements with their shortest role
 * chains, deciding revokes and what they overrode, and the PROVENANCE table
 * section that stores them. Every walk over parent roles is breadth first
 * with an explicit queue, so role chains 10,000 deep use no C stack. */
#include "provenance.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "strmap.h"
#include "table_format.h"

/* A growing array of reasons before it is copied into the arena. */
struct reason_vec {
    struct prov_reason *items;
    size_t len, cap;
};

void prov_init(struct prov *pv, const struct policy *pol)
{
    size_t n = pol->ast->nroles ? pol->ast->nroles : 1;

    memset(pv, 0, sizeof(*pv));
    pv->pol = pol;
    arena_init(&pv->arena);
    pv->stamp = xcalloc(n, sizeof(uint32_t));
    pv->prev = xcalloc(n, sizeof(uint32_t));
    pv->queue = xcalloc(n, sizeof(uint32_t));
}

void prov_reset(struct prov *pv)
{
    arena_release(&pv->arena);
}

void prov_release(struct prov *pv)
{
    arena_release(&pv->arena);
    free(pv->stamp);
    free(pv->prev);
    free(pv->queue);
    memset(pv, 0, sizeof(*pv));
}

uint32_t prov_subject_file(const struct policy *pol, bool is_role, uint32_t index)
{
    return is_role ? pol->ast->roles[index].file : pol->ast->members[index].file;
}

struct range prov_subject_parents(const struct policy *pol, bool is_role, uint32_t index)
{
    return is_role ? pol->ast->roles[index].parents : pol->ast->members[index].parents;
}

static struct range subject_clauses(const struct policy *pol, bool is_role, uint32_t index)
{
    return is_role ? pol->ast->roles[index].clauses : pol->ast->members[index].clauses;
}

static const uint64_t *subject_mask(const struct policy *pol, bool is_role, uint32_t index)
{
    return is_role ? policy_role_mask(pol, index) : policy_member_mask(pol, index);
}

uint32_t prov_reason_file(const struct policy *pol, bool is_role, uint32_t index,
                          const struct prov_reason *r)
{
    if (r->nchain == 0)
        return prov_subject_file(pol, is_role, index);
    return pol->ast->roles[r->chain[r->nchain - 1]].file;
}

const char *prov_entry_text(struct arena *a, const struct ast *ast, const struct ast_ref *ref)
{
    switch (ref->kind) {
    case REF_ALL:
        return "*";
    case REF_GROUP_ALL:
        return arena_printf(a, "%s.*", ast_name(ast, ref->name));
    default:
        return ast_name(ast, ref->name);
    }
}

static bool covers(const struct policy *pol, const struct ast_ref *ref, uint32_t bit)
{
    const struct ast *ast = pol->ast;

    switch (ref->kind) {
    case REF_ALL:
        return bit < pol->nbits;
    case REF_GROUP_ALL:
        return ref->target != AST_NONE && ast->perms[ast->bit_to_perm[bit]].group == ref->target;
    default:
        return ref->target != AST_NONE && ast->perms[ref->target].bit == bit;
    }
}

/* Returns the first entry of a grant or revoke clause that covers bit, or AST_NONE. */
static uint32_t covering_ref(const struct policy *pol, const struct ast_clause *cl, uint32_t bit)
{
    for (uint32_t i = 0; i < cl->refs.count; i++) {
        if (covers(pol, &pol->ast->refs[cl->refs.start + i], bit))
            return cl->refs.start + i;
    }
    return AST_NONE;
}

/* True when a clause of kind in the block covers bit. */
static bool block_has(const struct policy *pol, struct range clauses, enum clause_kind kind,
                      uint32_t bit)
{
    for (uint32_t c = 0; c < clauses.count; c++) {
        const struct ast_clause *cl = &pol->ast->clauses[clauses.start + c];

        if (cl->kind == kind && covering_ref(pol, cl, bit) != AST_NONE)
            return true;
    }
    return false;
}

/* Visits the ancestors of a block breadth first into pv->queue and returns
 * how many it reached; with only_holding, only roles whose effective set
 * holds bit (a grant passes down only through such roles). */
static uint32_t walk_ancestors(struct prov *pv, struct range parents, uint32_t bit,
                               bool only_holding)
{
    const struct policy *pol = pv->pol;
    const struct ast *ast = pol->ast;
    uint32_t head = 0, tail = 0, gen;

    if (++pv->generation == 0) {
        memset(pv->stamp, 0, (ast->nroles ? ast->nroles : 1) * sizeof(uint32_t));
        pv->generation = 1;
    }
    gen = pv->generation;
    for (uint32_t from = AST_NONE;;) {
        for (uint32_t i = 0; i < parents.count; i++) {
            uint32_t p = ast->refs[parents.start + i].target;

            if (p == AST_NONE || pv->stamp[p] == gen)
                continue;
            if (only_holding && !mask_has(policy_role_mask(pol, p), bit))
                continue;
            pv->stamp[p] = gen;
            pv->prev[p] = from;
            pv->queue[tail++] = p;
        }
        if (head == tail)
            break;
        from = pv->queue[head++];
        parents = ast->roles[from].parents;
    }
    return tail;
}

/* The chain prefix followed by the path of the last walk to role. */
static uint32_t *chain_to(struct prov *pv, const uint32_t *prefix, uint32_t nprefix,
                          uint32_t role, uint32_t *len)
{
    uint32_t n = 0, *chain;

    for (uint32_t r = role; r != AST_NONE; r = pv->prev[r])
        n++;
    chain = arena_alloc(&pv->arena, (size_t)(nprefix + n) * sizeof(uint32_t));
    if (nprefix)
        memcpy(chain, prefix, nprefix * sizeof(uint32_t));
    *len = nprefix + n;
    for (uint32_t r = role; r != AST_NONE; r = pv->prev[r])
        chain[nprefix + --n] = r;
    return chain;
}

static void push_reason(struct reason_vec *v, uint32_t ref, bool revoke, uint32_t *chain,
                        uint32_t nchain)
{
    struct prov_reason *r = VEC_PUSH(v->items, v->len, v->cap);

    memset(r, 0, sizeof(*r));
    r->ref = ref;
    r->revoke = revoke;
    r->chain = chain;
    r->nchain = nchain;
}

/* Adds every clause of kind in a block that covers bit, once each. */
static void add_block_clauses(struct prov *pv, struct reason_vec *v, struct range clauses,
                              enum clause_kind kind, uint32_t bit, uint32_t *chain,
                              uint32_t nchain)
{
    const struct ast *ast = pv->pol->ast;

    for (uint32_t c = 0; c < clauses.count; c++) {
        const struct ast_clause *cl = &ast->clauses[clauses.start + c];
        uint32_t ref;

        if (cl->kind != kind)
            continue;
        ref = covering_ref(pv->pol, cl, bit);
        if (ref != AST_NONE)
            push_reason(v, ref, kind == CLAUSE_REVOKE, chain, nchain);
    }
}

/* Adds the grants that give bit to a block before its own revokes apply:
 * its own grants, then those of the ancestors that hold bit, nearest first. */
static void add_grants_reaching(struct prov *pv, struct reason_vec *v, struct range parents,
                                struct range clauses, uint32_t *prefix, uint32_t nprefix,
                                uint32_t bit)
{
    const struct ast *ast = pv->pol->ast;
    uint32_t n;

    add_block_clauses(pv, v, clauses, CLAUSE_GRANT, bit, prefix, nprefix);
    n = walk_ancestors(pv, parents, bit, true);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t role = pv->queue[i];
        uint32_t nchain, *chain;

        if (!block_has(pv->pol, ast->roles[role].clauses, CLAUSE_GRANT, bit))
            continue;
        chain = chain_to(pv, prefix, nprefix, role, &nchain);
        add_block_clauses(pv, v, ast->roles[role].clauses, CLAUSE_GRANT, bit, chain, nchain);
    }
}

/* True when a role's own grants or its parents give bit, so that a revoke
 * of bit in its block removes something. */
static bool role_had_before_revoke(const struct policy *pol, uint32_t role, uint32_t bit)
{
    const struct ast_role *r = &pol->ast->roles[role];

    if (block_has(pol, r->clauses, CLAUSE_GRANT, bit))
        return true;
    for (uint32_t i = 0; i < r->parents.count; i++) {
        uint32_t p = pol->ast->refs[r->parents.start + i].target;

        if (p != AST_NONE && mask_has(policy_role_mask(pol, p), bit))
            return true;
    }
    return false;
}

/* Adds the revokes of the ancestors that removed bit from their own set,
 * nearest first. */
static void add_role_revokes(struct prov *pv, struct reason_vec *v, struct range parents,
                             uint32_t bit)
{
    const struct policy *pol = pv->pol;
    uint32_t n = walk_ancestors(pv, parents, bit, false);

    for (uint32_t i = 0; i < n; i++) {
        uint32_t role = pv->queue[i];
        uint32_t nchain, *chain;

        if (!block_has(pol, pol->ast->roles[role].clauses, CLAUSE_REVOKE, bit) ||
            !role_had_before_revoke(pol, role, bit))
            continue;
        chain = chain_to(pv, NULL, 0, role, &nchain);
        add_block_clauses(pv, v, pol->ast->roles[role].clauses, CLAUSE_REVOKE, bit, chain, nchain);
    }
}

/* Moves a vector's reasons into the arena and frees the vector. */
static struct prov_reason *settle(struct prov *pv, struct reason_vec *v, uint32_t *count)
{
    struct prov_reason *out = NULL;

    *count = (uint32_t)v->len;
    if (v->len) {
        out = arena_alloc(&pv->arena, v->len * sizeof(*out));
        memcpy(out, v->items, v->len * sizeof(*out));
    }
    free(v->items);
    memset(v, 0, sizeof(*v));
    return out;
}

void prov_explain(struct prov *pv, bool is_role, uint32_t index, uint32_t bit,
                  struct prov_answer *out)
{
    const struct policy *pol = pv->pol;
    const struct ast *ast = pol->ast;
    struct range parents = prov_subject_parents(pol, is_role, index);
    struct range clauses = subject_clauses(pol, is_role, index);
    struct reason_vec top = {0}, extra = {0};
    struct prov_reason *extras;
    uint32_t nextras;

    memset(out, 0, sizeof(*out));
    if (mask_has(subject_mask(pol, is_role, index), bit)) {
        /* Held: every grant that reaches the subject. Its own grants also
         * restore what a role revoked, if anything. */
        out->kind = PROV_GRANTED;
        add_grants_reaching(pv, &top, parents, clauses, NULL, 0, bit);
        add_role_revokes(pv, &extra, parents, bit);
        extras = settle(pv, &extra, &nextras);
        for (size_t i = 0; i < top.len; i++) {
            if (top.items[i].nchain == 0) {
                top.items[i].overrides = extras;
                top.items[i].noverrides = nextras;
            }
        }
        out->reasons = settle(pv, &top, &out->nreasons);
        return;
    }

    /* Not held: the subject's own revoke decides, and overrides every grant
     * that would reach it; otherwise the role revokes that removed it do. */
    add_block_clauses(pv, &top, clauses, CLAUSE_REVOKE, bit, NULL, 0);
    if (top.len) {
        add_grants_reaching(pv, &extra, parents, clauses, NULL, 0, bit);
        extras = settle(pv, &extra, &nextras);
        for (size_t i = 0; i < top.len; i++) {
            top.items[i].overrides = extras;
            top.items[i].noverrides = nextras;
        }
    } else {
        add_role_revokes(pv, &top, parents, bit);
        for (size_t i = 0; i < top.len; i++) {
            struct prov_reason *r = &top.items[i];
            const struct ast_role *role = &ast->roles[r->chain[r->nchain - 1]];

            add_grants_reaching(pv, &extra, role->parents, role->clauses, r->chain, r->nchain,
                                bit);
            r->overrides = settle(pv, &extra, &r->noverrides);
        }
    }
    out->kind = top.len ? PROV_REVOKED : PROV_NOT_GRANTED;
    out->reasons = settle(pv, &top, &out->nreasons);
}

/* Path components of a normalised path: pointers into a copy, '.' dropped. */
struct components {
    char *copy;
    char **items;
    size_t len, cap;
    bool absolute;
};

static void split_path(const char *path, struct components *c)
{
    char *save = NULL;

    memset(c, 0, sizeof(*c));
    c->absolute = path[0] == '/';
    c->copy = xmalloc(strlen(path) + 1);
    strcpy(c->copy, path);
    for (char *part = strtok_r(c->copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
        if (strcmp(part, ".") != 0)
            *VEC_PUSH(c->items, c->len, c->cap) = part;
    }
}

static void free_components(struct components *c)
{
    free(c->copy);
    free(c->items);
}

/* The path of target relative to the folder base, both absolute or both
 * relative; NULL when the base keeps a '..' past the common part, which
 * only the file system can resolve. */
static char *relative_lexically(const char *base_dir, const char *target)
{
    struct components b, t;
    size_t common = 0, len = 1;
    char *out = NULL;

    split_path(base_dir, &b);
    split_path(target, &t);
    while (common < b.len && common < t.len && strcmp(b.items[common], t.items[common]) == 0)
        common++;
    for (size_t i = common; i < b.len; i++) {
        if (strcmp(b.items[i], "..") == 0)
            goto done;
        len += 3;
    }
    for (size_t i = common; i < t.len; i++)
        len += strlen(t.items[i]) + 1;
    out = xmalloc(len);
    out[0] = '\0';
    for (size_t i = common; i < b.len; i++)
        strcat(out, "../");
    for (size_t i = common; i < t.len; i++) {
        strcat(out, t.items[i]);
        if (i + 1 < t.len)
            strcat(out, "/");
    }
done:
    free_components(&b);
    free_components(&t);
    return out;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;

    if (!slash)
        return strcpy(xmalloc(2), ".");
    if (slash == path)
        return strcpy(xmalloc(2), "/");
    dir = xmalloc((size_t)(slash - path) + 1);
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    return dir;
}

char *prov_relative_path(const struct ast *ast, uint32_t file)
{
    const struct source *first = ast->files[0].src, *src = ast->files[file].src;
    char *base = dir_of(first->path), *out = NULL;
    bool base_abs = base[0] == '/', target_abs = src->path[0] == '/';

    if (target_abs && !base_abs) {
        free(base);
        return strcpy(xmalloc(strlen(src->path) + 1), src->path); /* an absolute import */
    }
    if (base_abs == target_abs)
        out = relative_lexically(base, src->path);
    free(base);
    if (!out) {
        char *first_dir = dir_of(first->open_path);
        char *real_base = realpath(first_dir, NULL), *real_target = realpath(src->open_path, NULL);

        if (real_base && real_target)
            out = relative_lexically(real_base, real_target);
        free(first_dir);
        free(real_base);
        free(real_target);
    }
    if (!out)
        out = strcpy(xmalloc(strlen(src->path) + 1), src->path);
    return out;
}

/* The PROVENANCE section under construction. Answers and subject records
 * that repeat byte for byte (members with the same roles and overrides) are
 * stored once. */
struct section_builder {
    const struct policy *pol;
    struct prov pv;
    struct arena scratch;
    uint32_t *data;
    size_t ndata, data_cap;
    uint32_t *tmp;
    size_t ntmp, tmp_cap;
    struct strmap seen; /* record bytes to their position in data */
    struct arena keys;  /* the strmap's keys */
    uint32_t *stmt_of_ref;
    unsigned char *stmts;
    size_t nstmts, stmts_cap;
    char *strings;
    size_t strings_len, strings_cap;
};

static void wr32(unsigned char *p, uint32_t v)
{
    memcpy(p, &v, sizeof(v));
}

static void wr64(unsigned char *p, uint64_t v)
{
    memcpy(p, &v, sizeof(v));
}

static uint32_t add_string(struct section_builder *sb, const char *s)
{
    size_t len = strlen(s), off = sb->strings_len;

    xgrow((void **)&sb->strings, &sb->strings_cap, sb->strings_len + len + 1, 1);
    memcpy(sb->strings + off, s, len + 1);
    sb->strings_len += len + 1;
    return (uint32_t)off;
}

static void tmp_push(struct section_builder *sb, uint32_t v)
{
    *VEC_PUSH(sb->tmp, sb->ntmp, sb->tmp_cap) = v;
}

/* Stores tmp[from..] in data, or finds an identical earlier record, and
 * returns its position; tmp is cut back to from. */
static uint32_t store_record(struct section_builder *sb, size_t from)
{
    size_t n = sb->ntmp - from, bytes = n * sizeof(uint32_t);
    char *key = arena_alloc(&sb->keys, bytes);
    uint32_t pos;

    memcpy(key, sb->tmp + from, bytes);
    pos = strmap_put(&sb->seen, key, bytes, (uint32_t)sb->ndata);
    if (pos == sb->ndata) {
        xgrow((void **)&sb->data, &sb->data_cap, sb->ndata + n, sizeof(uint32_t));
        memcpy(sb->data + sb->ndata, sb->tmp + from, bytes);
        sb->ndata += n;
    }
    sb->ntmp = from;
    return pos;
}

static uint32_t statement_of(struct section_builder *sb, bool is_role, uint32_t index,
                             const struct prov_reason *r)
{
    const struct ast *ast = sb->pol->ast;
    const struct ast_ref *ref = &ast->refs[r->ref];
    uint32_t file = prov_reason_file(sb->pol, is_role, index, r);
    struct line_col lc;
    const char *entry;
    unsigned char *rec;

    if (sb->stmt_of_ref[r->ref] != TABLE_NONE)
        return sb->stmt_of_ref[r->ref];
    entry = prov_entry_text(&sb->scratch, ast, ref);
    lc = source_line_col(ast->files[file].src, ref->span.begin);
    xgrow((void **)&sb->stmts, &sb->stmts_cap, (sb->nstmts + 1) * PROV_STATEMENT_SIZE, 1);
    rec = sb->stmts + sb->nstmts * PROV_STATEMENT_SIZE;
    wr32(rec, r->revoke ? PROV_FLAG_REVOKE : 0);
    wr32(rec + 4, file);
    wr32(rec + 8, lc.line);
    wr32(rec + 12, lc.column);
    wr32(rec + 16, add_string(sb, entry));
    wr32(rec + 20, (uint32_t)strlen(entry));
    sb->stmt_of_ref[r->ref] = (uint32_t)sb->nstmts;
    return (uint32_t)sb->nstmts++;
}

static void put_reason(struct section_builder *sb, bool is_role, uint32_t index,
                       const struct prov_reason *r)
{
    tmp_push(sb, statement_of(sb, is_role, index, r));
    tmp_push(sb, r->nchain);
    for (uint32_t i = 0; i < r->nchain; i++)
        tmp_push(sb, r->chain[i]);
    tmp_push(sb, r->noverrides);
    for (uint32_t i = 0; i < r->noverrides; i++) {
        const struct prov_reason *o = &r->overrides[i];

        tmp_push(sb, statement_of(sb, is_role, index, o));
        tmp_push(sb, o->nchain);
        for (uint32_t k = 0; k < o->nchain; k++)
            tmp_push(sb, o->chain[k]);
        tmp_push(sb, 0);
    }
}

/* Stores a subject's record and returns its position in data. */
static uint32_t put_subject(struct section_builder *sb, bool is_role, uint32_t index)
{
    const struct policy *pol = sb->pol;
    struct range parents = prov_subject_parents(pol, is_role, index);
    size_t record = sb->ntmp;
    uint32_t pos;

    tmp_push(sb, parents.count);
    for (uint32_t i = 0; i < parents.count; i++)
        tmp_push(sb, pol->ast->refs[parents.start + i].target);
    for (uint32_t bit = 0; bit < pol->nbits; bit++) {
        struct prov_answer ans;
        size_t from = sb->ntmp;

        prov_explain(&sb->pv, is_role, index, bit, &ans);
        tmp_push(sb, (uint32_t)ans.kind);
        tmp_push(sb, ans.nreasons);
        for (uint32_t i = 0; i < ans.nreasons; i++)
            put_reason(sb, is_role, index, &ans.reasons[i]);
        pos = store_record(sb, from);
        tmp_push(sb, pos);
        prov_reset(&sb->pv);
    }
    return store_record(sb, record);
}

static void put_subject_entry(struct section_builder *sb, unsigned char *rec, bool is_role,
                              uint32_t index)
{
    const struct ast *ast = sb->pol->ast;
    uint32_t file = prov_subject_file(sb->pol, is_role, index);
    struct span span = is_role ? ast->roles[index].span : ast->members[index].span;
    struct line_col lc = source_line_col(ast->files[file].src, span.begin);

    wr32(rec, file);
    wr32(rec + 4, lc.line);
    wr32(rec + 8, lc.column);
    wr32(rec + 12, put_subject(sb, is_role, index));
}

void prov_build_section(const struct policy *pol, unsigned char **data, size_t *size)
{
    const struct ast *ast = pol->ast;
    struct section_builder sb;
    unsigned char *subjects, *out, *p;
    uint32_t nroles = 0, *file_strings;
    uint64_t nmembers = 0, nsubjects, total;

    memset(&sb, 0, sizeof(sb));
    sb.pol = pol;
    prov_init(&sb.pv, pol);
    arena_init(&sb.scratch);
    arena_init(&sb.keys);
    strmap_init(&sb.seen);
    sb.stmt_of_ref = xmalloc((ast->nrefs ? ast->nrefs : 1) * sizeof(uint32_t));
    for (size_t i = 0; i < ast->nrefs; i++)
        sb.stmt_of_ref[i] = TABLE_NONE;
    xgrow((void **)&sb.strings, &sb.strings_cap, 1, 1);
    sb.strings[0] = '\0';
    sb.strings_len = 1;

    file_strings = xmalloc((ast->nfiles ? ast->nfiles : 1) * 2 * sizeof(uint32_t));
    for (uint32_t f = 0; f < ast->nfiles; f++) {
        char *rel = prov_relative_path(ast, f);

        file_strings[2 * f] = add_string(&sb, rel);
        file_strings[2 * f + 1] = (uint32_t)strlen(rel);
        free(rel);
    }

    /* Roles then members, in table order: duplicates were errors, so none is left out. */
    for (uint32_t r = 0; r < ast->nroles; r++)
        nroles += !pol->role_dup[r];
    for (uint32_t m = 0; m < ast->nmembers; m++)
        nmembers += !pol->member_dup[m];
    nsubjects = nroles + nmembers;
    subjects = xcalloc(nsubjects ? nsubjects : 1, PROV_SUBJECT_SIZE);
    p = subjects;
    for (uint32_t r = 0; r < ast->nroles; r++) {
        if (pol->role_dup[r])
            continue;
        put_subject_entry(&sb, p, true, r);
        p += PROV_SUBJECT_SIZE;
    }
    for (uint32_t m = 0; m < ast->nmembers; m++) {
        if (pol->member_dup[m])
            continue;
        put_subject_entry(&sb, p, false, m);
        p += PROV_SUBJECT_SIZE;
    }

    total = PROV_HEADER_SIZE + (uint64_t)ast->nfiles * PROV_FILE_SIZE +
            (uint64_t)sb.nstmts * PROV_STATEMENT_SIZE + nsubjects * PROV_SUBJECT_SIZE +
            (uint64_t)sb.ndata * 4 + sb.strings_len;
    out = xcalloc(total, 1);
    wr32(out + 0, (uint32_t)ast->nfiles);
    wr32(out + 4, (uint32_t)sb.nstmts);
    wr32(out + 8, nroles);
    wr32(out + 12, pol->nbits);
    wr64(out + 16, nmembers);
    wr32(out + 24, (uint32_t)sb.ndata);
    wr32(out + 28, (uint32_t)sb.strings_len);
    p = out + PROV_HEADER_SIZE;
    for (uint32_t f = 0; f < ast->nfiles; f++, p += PROV_FILE_SIZE) {
        wr32(p, file_strings[2 * f]);
        wr32(p + 4, file_strings[2 * f + 1]);
    }
    memcpy(p, sb.stmts, sb.nstmts * PROV_STATEMENT_SIZE);
    p += sb.nstmts * PROV_STATEMENT_SIZE;
    memcpy(p, subjects, nsubjects * PROV_SUBJECT_SIZE);
    p += nsubjects * PROV_SUBJECT_SIZE;
    for (size_t i = 0; i < sb.ndata; i++, p += 4)
        wr32(p, sb.data[i]);
    memcpy(p, sb.strings, sb.strings_len);

    *data = out;
    *size = (size_t)total;
    free(file_strings);
    free(subjects);
    free(sb.data);
    free(sb.tmp);
    free(sb.stmt_of_ref);
    free(sb.stmts);
    free(sb.strings);
    strmap_release(&sb.seen);
    arena_release(&sb.keys);
    arena_release(&sb.scratch);
    prov_release(&sb.pv);
}
