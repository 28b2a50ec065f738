/* Differential test of effective permission sets. Random policies go through
 * the real pipeline (load, resolve, lower, table lookup) and through a small
 * reference evaluator over the parsed AST, and every decision must agree.
 *
 * The reference shares no code with src/resolve.c: it finds names with strcmp
 * over the AST arrays, keeps sets as arrays of bool indexed by bit and
 * computes role sets by plain recursion. Seeds are fixed so that a failure
 * reproduces. A failure prints the seed and every file of the policy, and
 * KKP_REFEVAL_SEED=<seed> runs that one seed alone. KKP_REFEVAL_STATS=1
 * prints how many decisions each run compared. */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kkp_limits.h"
#include "kkpol.h"
#include "lower.h"
#include "testlib.h"

#define GEN_MAX_PERMS 140
#define GEN_MAX_GROUPS 6
#define GEN_MAX_ROLES 40
#define GEN_MAX_MEMBERS 20
#define GEN_MAX_FILES 3
#define GEN_MAX_STMTS 400
#define GEN_TEXT_SIZE 64

/* Random policies per loop iteration of the random test, and iterations. */
#define POLICIES_PER_RUN 250
#define RUNS 4

/* ---- Pseudo-random numbers ---- */

/* xorshift64*: an xorshift step (shifts 12, 25, 27) and a multiply. The
 * seed goes through the splitmix64 finalizer first, so that consecutive seeds
 * give unrelated streams and no seed gives the all-zero state. */
struct rng {
    uint64_t state;
};

static void rng_seed(struct rng *r, uint64_t seed)
{
    uint64_t z = seed + 0x9E3779B97F4A7C15u;

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    z ^= z >> 31;
    r->state = z ? z : 1;
}

static uint64_t rng_next(struct rng *r)
{
    uint64_t x = r->state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->state = x;
    return x * 0x2545F4914F6CDD1Du;
}

/* A number in [0, n), or 0 when n is 0. */
static int rng_below(struct rng *r, int n)
{
    return n > 0 ? (int)((rng_next(r) >> 11) % (uint64_t)n) : 0;
}

static bool rng_percent(struct rng *r, int percent)
{
    return rng_below(r, 100) < percent;
}

static void shuffle_ints(struct rng *r, int *items, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = rng_below(r, i + 1);
        int tmp = items[i];

        items[i] = items[j];
        items[j] = tmp;
    }
}

/* ---- Growing strings ---- */

struct sbuf {
    char *data;
    size_t len, cap;
};

static void sb_append(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;

        while (cap < b->len + n + 1)
            cap *= 2;
        b->data = realloc(b->data, cap);
        if (!b->data)
            abort();
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
    sb_append(b, s, strlen(s));
}

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < (int)sizeof(small)) {
        sb_append(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big)
        abort();
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_append(b, big, (size_t)n);
    free(big);
}

/* Appends decoded text as a string literal, with the four escapes of the language. */
static void sb_quote(struct sbuf *b, const char *text, size_t len)
{
    sb_puts(b, "\"");
    for (size_t i = 0; i < len; i++) {
        switch (text[i]) {
        case '"':
            sb_puts(b, "\\\"");
            break;
        case '\\':
            sb_puts(b, "\\\\");
            break;
        case '\n':
            sb_puts(b, "\\n");
            break;
        case '\t':
            sb_puts(b, "\\t");
            break;
        default:
            sb_append(b, &text[i], 1);
        }
    }
    sb_puts(b, "\"");
}

/* Takes the buffer's text, leaving the buffer empty. */
static char *sb_take(struct sbuf *b)
{
    char *s = b->data ? b->data : strdup("");

    memset(b, 0, sizeof(*b));
    return s;
}

/* ---- What a failure prints ---- */

struct repro {
    bool has_seed; /* false for a hand-written case */
    uint64_t seed;
    const char *dir; /* the policy folder, left in place when a check fails */
    const char *names[GEN_MAX_FILES];
    const char *texts[GEN_MAX_FILES];
    int nfiles;
};

static void repro_print(const struct repro *rp)
{
    if (rp->has_seed)
        fprintf(stderr, "refeval: seed %llu failed. Rerun it alone with KKP_REFEVAL_SEED=%llu\n",
                (unsigned long long)rp->seed, (unsigned long long)rp->seed);
    fprintf(stderr, "refeval: the policy files are in %s\n", rp->dir);
    for (int i = 0; i < rp->nfiles; i++)
        fprintf(stderr, "---- %s ----\n%s\n---- end of %s ----\n", rp->names[i], rp->texts[i],
                rp->names[i]);
}

#define REPRO_FAIL(rp, ...)                                                                        \
    do {                                                                                           \
        repro_print(rp);                                                                           \
        ck_abort_msg(__VA_ARGS__);                                                                 \
    } while (0)

/* ---- The random policy generator ---- */

struct gen_perm {
    char name[KKP_MAX_IDENT + 1];
    int group;                       /* index into gen.groups, -1 outside any group */
    unsigned flags;                  /* KKP_PERM_ESCALATES, KKP_PERM_SENSITIVE */
    char description[GEN_TEXT_SIZE]; /* decoded; "" when none */
};

struct gen_group {
    char name[KKP_MAX_IDENT + 1];
    char title[GEN_TEXT_SIZE]; /* decoded; "" when none */
};

struct gen_role {
    char name[KKP_MAX_IDENT + 1];
    bool has_title;
    char title[GEN_TEXT_SIZE]; /* decoded */
    int parents[4];            /* indexes of earlier roles, so the graph is acyclic */
    int nparents;
};

struct gen_member {
    char id[KKP_MAX_MEMBER_ID + 1]; /* decoded */
    size_t id_len;
};

enum stmt_kind {
    STMT_PERMISSION, /* target: permission outside any group */
    STMT_GROUP,      /* target: group, whose permissions follow in index order */
    STMT_IMPORT,     /* target: imported file */
    STMT_OTHER,
};

struct gen_stmt {
    enum stmt_kind kind;
    int target;
    char *text;
};

struct gen_file {
    const char *name; /* relative to the policy folder */
    struct gen_stmt stmts[GEN_MAX_STMTS];
    int nstmts;
    char *text; /* rendered */
    char *path; /* written */
};

struct gen {
    struct rng rng;
    const char *dir;
    struct gen_perm perms[GEN_MAX_PERMS];
    int nperms;
    struct gen_group groups[GEN_MAX_GROUPS];
    int ngroups;
    struct gen_role roles[GEN_MAX_ROLES];
    int nroles;
    struct gen_member members[GEN_MAX_MEMBERS];
    int nmembers;
    struct gen_file files[GEN_MAX_FILES];
    int nfiles;
    int roots[2]; /* files named to load_policy, in order */
    int nroots;
    int bit_perm[GEN_MAX_PERMS]; /* expected permission at each bit */
    int nbits;
    struct repro repro;
};

/* Decoded strings for titles and descriptions: escapes, UTF-8 and characters
 * that mean something outside a string. */
static const char *const gen_texts[] = {
    "",
    "Team Management",
    "Edit \"members\" and their permissions.",
    "back\\slash",
    "tab\there",
    "two\nlines",
    "Caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x94\x91",
    "semicolon; {braces} # not a comment",
};

static const char *const gen_comments[] = {
    "# a comment",
    "#",
    "# UTF-8 in a comment: \xc3\xa9\xe2\x9c\x93 \xf0\x9f\x94\x91",
    "# grant * ; revoke { member \"x\";",
    "#\t\"an unterminated string in a comment",
};

static const char *pick_text(struct gen *g)
{
    return gen_texts[rng_below(&g->rng, (int)(sizeof(gen_texts) / sizeof(gen_texts[0])))];
}

static void gen_add_stmt(struct gen *g, int file, enum stmt_kind kind, int target, char *text)
{
    struct gen_file *f = &g->files[file];

    if (f->nstmts >= GEN_MAX_STMTS)
        ck_abort_msg("more than %d statements in %s", GEN_MAX_STMTS, f->name);
    f->stmts[f->nstmts].kind = kind;
    f->stmts[f->nstmts].target = target;
    f->stmts[f->nstmts].text = text;
    f->nstmts++;
}

static int random_file(struct gen *g)
{
    return rng_below(&g->rng, g->nfiles);
}

/* An identifier prefix plus a number; now and then padded to the 128-byte maximum. */
static void gen_ident(struct gen *g, char *out, const char *prefix, int number)
{
    int n = snprintf(out, KKP_MAX_IDENT + 1, "%s%d", prefix, number);

    if (rng_percent(&g->rng, 3)) {
        out[n++] = '_';
        while (n < KKP_MAX_IDENT) {
            out[n] = (char)('a' + n % 26);
            n++;
        }
        out[n] = '\0';
    }
}

static bool member_id_taken(const struct gen *g, const char *id, size_t len)
{
    for (int i = 0; i < g->nmembers; i++) {
        if (g->members[i].id_len == len && memcmp(g->members[i].id, id, len) == 0)
            return true;
    }
    return false;
}

/* Flips the case of the first ASCII letter. Returns false when there is none. */
static bool flip_first_letter(char *id, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = id[i];

        if (c >= 'a' && c <= 'z') {
            id[i] = (char)(c - 'a' + 'A');
            return true;
        }
        if (c >= 'A' && c <= 'Z') {
            id[i] = (char)(c - 'A' + 'a');
            return true;
        }
    }
    return false;
}

/* Adds member number index with a decoded id of one of several forms, unique byte for byte. */
static void gen_member_id(struct gen *g, int index)
{
    struct gen_member *m = &g->members[g->nmembers];
    int n = 0;

    if (g->nmembers > 0 && rng_percent(&g->rng, 10)) {
        /* Ids that differ only in case are two members. */
        *m = g->members[g->nmembers - 1];
        if (flip_first_letter(m->id, m->id_len) && !member_id_taken(g, m->id, m->id_len)) {
            g->nmembers++;
            return;
        }
    }
    switch (rng_below(&g->rng, 6)) {
    case 0:
        n = snprintf(m->id, sizeof(m->id), "user%d@example.com", index);
        break;
    case 1:
        n = snprintf(m->id, sizeof(m->id), "q\"uote\\%d@example.com", index);
        break;
    case 2:
        n = snprintf(m->id, sizeof(m->id), "tab\tand\nnewline %d", index);
        break;
    case 3:
        n = snprintf(m->id, sizeof(m->id), "zo\xc3\xab.%d@\xe4\xbe\x8b\xe3\x81\x88.jp", index);
        break;
    case 4:
        n = snprintf(m->id, sizeof(m->id), "First Last %d", index);
        break;
    default:
        /* An id of the maximum length, KKP_MAX_MEMBER_ID bytes. */
        n = snprintf(m->id, sizeof(m->id), "long.%d.", index);
        while (n < KKP_MAX_MEMBER_ID) {
            m->id[n] = (char)('a' + n % 26);
            n++;
        }
        m->id[n] = '\0';
    }
    m->id_len = (size_t)n;
    g->nmembers++;
}

/* What gen_ref wrote, when not a group.* entry (which returns the group index). */
#define REF_WROTE_NAME (-1)
#define REF_WROTE_ALL (-2)

/* Per block: permissions named by their own name in a grant or a revoke, so
 * that no block names one permission in both (a resolve error). */
enum named_side {
    NAMED_NONE,
    NAMED_GRANT,
    NAMED_REVOKE,
};

/* Appends one entry of a permission list: a name, group.* or *. Returns the
 * group index for group.*, REF_WROTE_ALL or REF_WROTE_NAME. named is NULL
 * outside grant and revoke lists. */
static int gen_ref(struct gen *g, struct sbuf *b, uint8_t *named, enum named_side side)
{
    int roll = rng_below(&g->rng, 100);

    if (g->nperms > 0 && roll < 75) {
        for (int tries = 0; tries < 8; tries++) {
            int p = rng_below(&g->rng, g->nperms);

            if (!named || named[p] == NAMED_NONE || named[p] == side) {
                if (named)
                    named[p] = (uint8_t)side;
                sb_puts(b, g->perms[p].name);
                return REF_WROTE_NAME;
            }
        }
    }
    if (g->ngroups > 0 && roll < 92) {
        int grp = rng_below(&g->rng, g->ngroups);

        sb_printf(b, rng_percent(&g->rng, 5) ? "%s . *" : "%s.*", g->groups[grp].name);
        return grp;
    }
    sb_puts(b, "*");
    return REF_WROTE_ALL;
}

/* Appends a list of one to three entries and returns the last wildcard it wrote, or REF_WROTE_NAME. */
static int gen_ref_list(struct gen *g, struct sbuf *b, uint8_t *named, enum named_side side)
{
    static const char *const seps[] = {", ", ",", " , ", ",\n        "};
    int n = 1 + rng_below(&g->rng, 3);
    int wildcard = REF_WROTE_NAME;

    for (int i = 0; i < n; i++) {
        int wrote;

        if (i)
            sb_puts(b, seps[rng_below(&g->rng, 4)]);
        wrote = gen_ref(g, b, named, side);
        if (wrote != REF_WROTE_NAME)
            wildcard = wrote;
    }
    return wildcard;
}

/* Appends a revoke of one permission that the wildcard grant covers, when one
 * may be named without also being granted by name in this block. */
static char *gen_carve(struct gen *g, int wildcard, uint8_t *named)
{
    int candidates[GEN_MAX_PERMS], n = 0;
    struct sbuf c = {0};
    int p;

    for (int i = 0; i < g->nperms; i++) {
        if ((wildcard == REF_WROTE_ALL || g->perms[i].group == wildcard) &&
            named[i] != NAMED_GRANT)
            candidates[n++] = i;
    }
    if (n == 0)
        return NULL;
    p = candidates[rng_below(&g->rng, n)];
    named[p] = NAMED_REVOKE;
    sb_printf(&c, "revoke %s;", g->perms[p].name);
    return sb_take(&c);
}

/* Appends the statements of a role or member block in random order: grants,
 * revokes (some carving from a wildcard grant of the block) and, for a role
 * with a title, the title. */
static void gen_block(struct gen *g, struct sbuf *b, const char *title)
{
    uint8_t named[GEN_MAX_PERMS];
    char *clauses[8];
    int order[8], n = 0;
    int ngrants = rng_below(&g->rng, 3), nrevokes = rng_below(&g->rng, 3);
    int wildcard = REF_WROTE_NAME;
    const char *indent = "\n    ";
    struct sbuf c = {0};

    memset(named, 0, sizeof(named));
    if (rng_percent(&g->rng, 25))
        indent = " ";
    else if (rng_percent(&g->rng, 50))
        indent = "\n\t";
    if (title) {
        sb_puts(&c, "title ");
        sb_quote(&c, title, strlen(title));
        sb_puts(&c, ";");
        clauses[n++] = sb_take(&c);
    }
    for (int i = 0; i < ngrants; i++) {
        int w;

        sb_puts(&c, "grant ");
        w = gen_ref_list(g, &c, named, NAMED_GRANT);
        if (w != REF_WROTE_NAME)
            wildcard = w;
        sb_puts(&c, ";");
        clauses[n++] = sb_take(&c);
    }
    for (int i = 0; i < nrevokes; i++) {
        sb_puts(&c, "revoke ");
        gen_ref_list(g, &c, named, NAMED_REVOKE);
        sb_puts(&c, ";");
        clauses[n++] = sb_take(&c);
    }
    if (wildcard != REF_WROTE_NAME && rng_percent(&g->rng, 60)) {
        char *carve = gen_carve(g, wildcard, named);
        if (carve)
            clauses[n++] = carve;
    }

    for (int i = 0; i < n; i++)
        order[i] = i;
    shuffle_ints(&g->rng, order, n);
    sb_puts(b, " {");
    for (int i = 0; i < n; i++) {
        sb_puts(b, indent);
        sb_puts(b, clauses[order[i]]);
        free(clauses[order[i]]);
    }
    sb_puts(b, n && indent[0] == '\n' ? "\n}" : " }");
}

static void gen_parent_list(struct gen *g, struct sbuf *b, const int *roles, int n)
{
    if (n == 0)
        return;
    sb_puts(b, rng_percent(&g->rng, 50) ? " : " : ": ");
    for (int i = 0; i < n; i++) {
        if (i > 0)
            sb_puts(b, rng_percent(&g->rng, 50) ? ", " : ",");
        sb_puts(b, g->roles[roles[i]].name);
    }
}

static void gen_permission_text(struct gen *g, struct sbuf *b, int p)
{
    const struct gen_perm *perm = &g->perms[p];
    bool escalates = perm->flags & KKP_PERM_ESCALATES, sensitive = perm->flags & KKP_PERM_SENSITIVE;

    sb_printf(b, "permission %s", perm->name);
    if (perm->description[0] || rng_percent(&g->rng, 50)) {
        sb_puts(b, " ");
        sb_quote(b, perm->description, strlen(perm->description));
    }
    /* Marks in either order, now and then repeated. */
    if (rng_percent(&g->rng, 50)) {
        if (escalates)
            sb_puts(b, rng_percent(&g->rng, 10) ? " escalates escalates" : " escalates");
        if (sensitive)
            sb_puts(b, " sensitive");
    } else {
        if (sensitive)
            sb_puts(b, rng_percent(&g->rng, 10) ? " sensitive sensitive" : " sensitive");
        if (escalates)
            sb_puts(b, " escalates");
    }
    sb_puts(b, ";");
}

static void gen_declarations(struct gen *g)
{
    struct sbuf b = {0};

    for (int p = 0; p < g->nperms; p++) {
        if (g->perms[p].group >= 0)
            continue;
        gen_permission_text(g, &b, p);
        gen_add_stmt(g, random_file(g), STMT_PERMISSION, p, sb_take(&b));
    }
    for (int grp = 0; grp < g->ngroups; grp++) {
        sb_printf(&b, "group %s", g->groups[grp].name);
        if (g->groups[grp].title[0] || rng_percent(&g->rng, 50)) {
            sb_puts(&b, " ");
            sb_quote(&b, g->groups[grp].title, strlen(g->groups[grp].title));
        }
        sb_puts(&b, " {");
        for (int p = 0; p < g->nperms; p++) {
            if (g->perms[p].group != grp)
                continue;
            sb_puts(&b, "\n    ");
            gen_permission_text(g, &b, p);
        }
        sb_puts(&b, "\n}");
        gen_add_stmt(g, random_file(g), STMT_GROUP, grp, sb_take(&b));
    }
}

static void gen_roles_and_members(struct gen *g)
{
    struct sbuf b = {0};

    for (int r = 0; r < g->nroles; r++) {
        const struct gen_role *role = &g->roles[r];

        sb_printf(&b, "role %s", role->name);
        gen_parent_list(g, &b, role->parents, role->nparents);
        if (!role->has_title && rng_percent(&g->rng, 20))
            sb_puts(&b, ";");
        else
            gen_block(g, &b, role->has_title ? role->title : NULL);
        gen_add_stmt(g, random_file(g), STMT_OTHER, -1, sb_take(&b));
    }
    for (int m = 0; m < g->nmembers; m++) {
        int roles[4], nroles = g->nroles ? rng_below(&g->rng, 4) : 0;

        for (int i = 0; i < nroles; i++)
            roles[i] = rng_below(&g->rng, g->nroles);
        sb_puts(&b, "member ");
        sb_quote(&b, g->members[m].id, g->members[m].id_len);
        gen_parent_list(g, &b, roles, nroles);
        if (rng_percent(&g->rng, 35))
            sb_puts(&b, ";");
        else
            gen_block(g, &b, NULL);
        gen_add_stmt(g, random_file(g), STMT_OTHER, -1, sb_take(&b));
    }
}

static void gen_subject(struct gen *g, struct sbuf *b)
{
    if (g->nroles && (g->nmembers == 0 || rng_percent(&g->rng, 50))) {
        sb_printf(b, "role %s", g->roles[rng_below(&g->rng, g->nroles)].name);
    } else {
        const struct gen_member *m = &g->members[rng_below(&g->rng, g->nmembers)];

        sb_puts(b, "member ");
        sb_quote(b, m->id, m->id_len);
    }
}

/* Constraints, asserts and suppressions: they must parse and resolve, and
 * their meaning is not evaluated here. */
static void gen_checks(struct gen *g)
{
    struct sbuf b = {0};
    int nconstraints = rng_below(&g->rng, 5), nasserts = rng_below(&g->rng, 4);
    int nsuppressions = rng_below(&g->rng, 3);

    for (int i = 0; i < nconstraints; i++) {
        int kind = rng_below(&g->rng, 4);

        sb_puts(&b, rng_percent(&g->rng, 50) ? "warn " : "error ");
        if (kind < 2) {
            gen_ref_list(g, &b, NULL, NAMED_NONE);
            sb_puts(&b, kind == 0 ? " requires " : " excludes ");
            gen_ref_list(g, &b, NULL, NAMED_NONE);
        } else {
            sb_printf(&b, "at %s %d %s with ", kind == 2 ? "least" : "most", rng_below(&g->rng, 4),
                      rng_percent(&g->rng, 50) ? "members" : "member");
            gen_ref_list(g, &b, NULL, NAMED_NONE);
        }
        sb_puts(&b, ";");
        gen_add_stmt(g, random_file(g), STMT_OTHER, -1, sb_take(&b));
    }
    for (int i = 0; i < nasserts && (g->nroles || g->nmembers); i++) {
        sb_puts(&b, "assert ");
        gen_subject(g, &b);
        sb_puts(&b, rng_percent(&g->rng, 50) ? " can " : " cannot ");
        gen_ref_list(g, &b, NULL, NAMED_NONE);
        sb_puts(&b, ";");
        gen_add_stmt(g, random_file(g), STMT_OTHER, -1, sb_take(&b));
    }
    for (int i = 0; i < nsuppressions; i++) {
        const char *rule, *reason;

        do {
            rule = diag_rule_names[rng_below(&g->rng, (int)diag_rule_count)];
        } while (strcmp(rule, "unused-suppression") == 0 ||
                 strcmp(rule, "expired-suppression") == 0);
        sb_printf(&b, "suppress %s", rule);
        if ((g->nroles || g->nmembers) && rng_percent(&g->rng, 60)) {
            sb_puts(&b, " for ");
            gen_subject(g, &b);
        }
        /* An empty reason is a syntax error, so the empty text gets a stand-in. */
        reason = pick_text(g);
        if (reason[0] == '\0')
            reason = "kept on purpose";
        sb_puts(&b, " because ");
        sb_quote(&b, reason, strlen(reason));
        if (rng_percent(&g->rng, 50))
            sb_puts(&b, rng_percent(&g->rng, 50) ? " until 2099-12-31" : " until 2096-02-29");
        sb_puts(&b, ";");
        gen_add_stmt(g, random_file(g), STMT_OTHER, -1, sb_take(&b));
    }
}

/* Paths to lib/x.kkp from main.kkp and from lib/y.kkp. Each reaches the same
 * file: through "..", through the symbolic link alias -> lib, or through the
 * hard link x-link.kkp (see make_aliases). An index one past the end means
 * the absolute path. */
static const char *const x_from_main[] = {"lib/x.kkp", "./lib/../lib/x.kkp", "alias/x.kkp",
                                          "x-link.kkp"};
static const char *const x_from_lib[] = {"x.kkp", "./x.kkp", "../lib/x.kkp", "../alias/x.kkp",
                                         "../x-link.kkp"};
#define X_FROM_MAIN_COUNT ((int)(sizeof(x_from_main) / sizeof(x_from_main[0])))
#define X_FROM_LIB_COUNT ((int)(sizeof(x_from_lib) / sizeof(x_from_lib[0])))

static void gen_import_x(struct gen *g, int file, const char *const *paths, int npaths, int choice)
{
    struct sbuf b = {0};

    if (choice == npaths)
        sb_printf(&b, "import \"%s/lib/x.kkp\";", g->dir);
    else
        sb_printf(&b, "import \"%s\";", paths[choice]);
    gen_add_stmt(g, file, STMT_IMPORT, 1, sb_take(&b));
}

/* Imports that reach lib/x.kkp twice through different paths. */
static void gen_imports(struct gen *g)
{
    struct sbuf b = {0};
    int first, second;

    if (g->nfiles == 1)
        return;
    if (g->nfiles == 2) {
        first = rng_below(&g->rng, 2);
        do {
            second = rng_below(&g->rng, X_FROM_MAIN_COUNT + 1);
        } while (second == first);
        gen_import_x(g, 0, x_from_main, X_FROM_MAIN_COUNT, first);
        gen_import_x(g, 0, x_from_main, X_FROM_MAIN_COUNT, second);
        return;
    }
    sb_puts(&b, "import \"lib/y.kkp\";");
    gen_add_stmt(g, 0, STMT_IMPORT, 2, sb_take(&b));
    gen_import_x(g, 0, x_from_main, X_FROM_MAIN_COUNT, rng_below(&g->rng, X_FROM_MAIN_COUNT + 1));
    gen_import_x(g, 2, x_from_lib, X_FROM_LIB_COUNT, rng_below(&g->rng, X_FROM_LIB_COUNT + 1));
}

/* Walks the files the way the specification expands imports: in place, each
 * file once, numbering the permission statements in the order met. */
static void gen_expand(struct gen *g, int file, bool *expanded)
{
    const struct gen_file *f = &g->files[file];

    if (expanded[file])
        return;
    expanded[file] = true;
    for (int i = 0; i < f->nstmts; i++) {
        const struct gen_stmt *s = &f->stmts[i];

        if (s->kind == STMT_PERMISSION) {
            g->bit_perm[g->nbits++] = s->target;
        } else if (s->kind == STMT_GROUP) {
            for (int p = 0; p < g->nperms; p++) {
                if (g->perms[p].group == s->target)
                    g->bit_perm[g->nbits++] = p;
            }
        } else if (s->kind == STMT_IMPORT) {
            gen_expand(g, s->target, expanded);
        }
    }
}

/* Renders one file: statements separated by newlines, blank lines, spaces or
 * comments, now and then with CR LF line ends or a byte-order mark. */
static void gen_render(struct gen *g, int file)
{
    struct gen_file *f = &g->files[file];
    bool crlf = rng_percent(&g->rng, 15);
    struct sbuf b = {0}, out = {0};

    if (rng_percent(&g->rng, 10))
        sb_puts(&b, "\xEF\xBB\xBF");
    for (int i = 0; i < f->nstmts; i++) {
        int sep = rng_below(&g->rng, 10);

        if (i > 0 && sep < 5)
            sb_puts(&b, "\n");
        else if (i > 0 && sep < 7)
            sb_puts(&b, "\n\n");
        else if (i > 0 && sep < 8)
            sb_puts(&b, rng_percent(&g->rng, 50) ? " " : "\t");
        else if (sep >= 8)
            sb_printf(&b, "%s%s\n", i ? "\n" : "",
                      gen_comments[rng_below(&g->rng, (int)(sizeof(gen_comments) /
                                                            sizeof(gen_comments[0])))]);
        sb_puts(&b, f->stmts[i].text);
        if (rng_percent(&g->rng, 10))
            sb_puts(&b, "   # trailing comment\n");
    }
    if (rng_percent(&g->rng, 90))
        sb_puts(&b, "\n");

    for (size_t i = 0; i < b.len; i++) {
        if (b.data && b.data[i] == '\n' && crlf)
            sb_puts(&out, "\r\n");
        else if (b.data)
            sb_append(&out, &b.data[i], 1);
    }
    free(b.data);
    f->text = sb_take(&out);
}

/* Fills the model, builds the statements, spreads them over the files and
 * computes the expected bit order. */
static void gen_policy(struct gen *g, uint64_t seed, const char *dir)
{
    static const char *const file_names[GEN_MAX_FILES] = {"main.kkp", "lib/x.kkp", "lib/y.kkp"};
    struct rng *r = &g->rng;
    int numbers[GEN_MAX_PERMS];
    const char *perm_prefix = "p", *group_prefix = "g", *role_prefix = "r";
    bool expanded[GEN_MAX_FILES] = {false};
    int roll, deep_chain;

    memset(g, 0, sizeof(*g));
    rng_seed(r, seed);
    g->dir = dir;
    roll = rng_below(r, 100);
    if (roll < 15)
        g->nfiles = 1;
    else if (roll < 55)
        g->nfiles = 2;
    else
        g->nfiles = 3;
    for (int f = 0; f < g->nfiles; f++)
        g->files[f].name = file_names[f];

    /* Names: the namespaces are separate, so a quarter of the policies use
     * the same names for permissions, groups and roles. */
    roll = rng_below(r, 4);
    if (roll == 0) {
        perm_prefix = group_prefix = role_prefix = "n";
    } else if (roll == 1) {
        perm_prefix = "Perm_";
        group_prefix = "team_";
        role_prefix = "_role";
    }

    roll = rng_below(r, 100);
    /* Sizes: a few tiny catalogs, most of one mask word, and some of two or three words. */
    if (roll < 10)
        g->nperms = rng_below(r, 4);
    else if (roll < 75)
        g->nperms = 4 + rng_below(r, 37);
    else
        g->nperms = 41 + rng_below(r, GEN_MAX_PERMS - 40);
    g->ngroups = rng_percent(r, 20) ? 0 : 1 + rng_below(r, GEN_MAX_GROUPS);
    deep_chain = rng_percent(r, 5);
    g->nroles = deep_chain ? GEN_MAX_ROLES : rng_below(r, 13);

    for (int i = 0; i < GEN_MAX_PERMS; i++)
        numbers[i] = i;
    shuffle_ints(r, numbers, g->nperms);
    for (int p = 0; p < g->nperms; p++) {
        struct gen_perm *perm = &g->perms[p];

        gen_ident(g, perm->name, perm_prefix, numbers[p]);
        perm->group = g->ngroups && rng_percent(r, 60) ? rng_below(r, g->ngroups) : -1;
        perm->flags = (unsigned)rng_below(r, 4);
        if (rng_percent(r, 60))
            snprintf(perm->description, sizeof(perm->description), "%s", pick_text(g));
    }
    for (int grp = 0; grp < g->ngroups; grp++) {
        gen_ident(g, g->groups[grp].name, group_prefix, grp);
        if (rng_percent(r, 60))
            snprintf(g->groups[grp].title, sizeof(g->groups[grp].title), "%s", pick_text(g));
    }

    /* Roles: parents come from earlier indexes (an acyclic graph with chains
     * and diamonds), while names and text order are shuffled. */
    for (int i = 0; i < GEN_MAX_ROLES; i++)
        numbers[i] = i;
    shuffle_ints(r, numbers, g->nroles);
    for (int i = 0; i < g->nroles; i++) {
        struct gen_role *role = &g->roles[i];

        gen_ident(g, role->name, role_prefix, numbers[i]);
        role->has_title = rng_percent(r, 50);
        if (role->has_title)
            snprintf(role->title, sizeof(role->title), "%s", pick_text(g));
        if (i > 0 && (deep_chain || rng_percent(r, 30))) {
            role->parents[role->nparents++] = i - 1;
        } else {
            int want = rng_below(r, 4);

            while (role->nparents < want && role->nparents < i) {
                int parent = rng_below(r, i);
                bool seen = false;

                for (int k = 0; k < role->nparents; k++)
                    seen = seen || role->parents[k] == parent;
                /* A parent listed twice is allowed, so keep a few. */
                if (!seen || rng_percent(r, 10))
                    role->parents[role->nparents++] = parent;
            }
        }
    }

    for (int m = 0, n = rng_below(r, 17); m < n; m++)
        gen_member_id(g, m);

    gen_declarations(g);
    gen_roles_and_members(g);
    gen_checks(g);
    gen_imports(g);
    for (int f = 0; f < g->nfiles; f++) {
        int order[GEN_MAX_STMTS];
        struct gen_stmt copy[GEN_MAX_STMTS];
        struct gen_file *file = &g->files[f];

        for (int i = 0; i < file->nstmts; i++)
            order[i] = i;
        shuffle_ints(r, order, file->nstmts);
        memcpy(copy, file->stmts, sizeof(copy[0]) * (size_t)file->nstmts);
        for (int i = 0; i < file->nstmts; i++)
            file->stmts[i] = copy[order[i]];
    }

    /* Files named to the loader: usually the main file, sometimes an
     * imported file as well, before or after it. */
    g->roots[0] = 0;
    g->nroots = 1;
    if (g->nfiles > 1 && rng_percent(r, 30)) {
        int other = 1 + rng_below(r, g->nfiles - 1);

        g->nroots = 2;
        if (rng_percent(r, 50)) {
            g->roots[0] = other;
            g->roots[1] = 0;
        } else {
            g->roots[1] = other;
        }
    }
    for (int i = 0; i < g->nroots; i++)
        gen_expand(g, g->roots[i], expanded);

    g->repro.has_seed = true;
    g->repro.seed = seed;
    g->repro.dir = dir;
    g->repro.nfiles = g->nfiles;
    for (int f = 0; f < g->nfiles; f++) {
        gen_render(g, f);
        g->repro.names[f] = g->files[f].name;
        g->repro.texts[f] = g->files[f].text;
    }
}

/* Makes the other names of lib/x.kkp: the symbolic link alias -> lib, which
 * stays from one policy to the next, and the hard link x-link.kkp. */
static void make_aliases(const char *dir)
{
    char target[PATH_MAX], alias[PATH_MAX];

    snprintf(alias, sizeof(alias), "%s/alias", dir);
    if (symlink("lib", alias) != 0 && errno != EEXIST)
        ck_abort_msg("cannot create the symbolic link %s: %s", alias, strerror(errno));
    snprintf(target, sizeof(target), "%s/lib/x.kkp", dir);
    snprintf(alias, sizeof(alias), "%s/x-link.kkp", dir);
    if (link(target, alias) != 0)
        ck_abort_msg("cannot create the hard link %s: %s", alias, strerror(errno));
}

static void gen_write(struct gen *g)
{
    for (int f = 0; f < g->nfiles; f++)
        g->files[f].path = tfile_write(g->dir, g->files[f].name, g->files[f].text);
    if (g->nfiles > 1)
        make_aliases(g->dir);
}

static void gen_release(struct gen *g)
{
    for (int f = 0; f < g->nfiles; f++) {
        for (int i = 0; i < g->files[f].nstmts; i++)
            free(g->files[f].stmts[i].text);
        free(g->files[f].text);
        free(g->files[f].path);
    }
}

/* ---- The reference evaluator ---- */

/* Effective sets from the AST alone: bool per bit, names found with strcmp. */
struct reference {
    const struct ast *ast;
    const struct repro *repro;
    uint32_t nbits;
    bool *role_sets;     /* nroles rows of nbits */
    uint8_t *role_state; /* per role: 0 not computed, 1 being computed, 2 done */
    bool *member_sets;   /* nmembers rows of nbits */
};

static int ref_find_role(const struct ast *ast, const char *name)
{
    for (size_t i = 0; i < ast->nroles; i++) {
        if (strcmp(ast_name(ast, ast->roles[i].name), name) == 0)
            return (int)i;
    }
    return -1;
}

static long ref_find_bit(const struct ast *ast, const char *name)
{
    for (size_t i = 0; i < ast->nperms; i++) {
        if (strcmp(ast_name(ast, ast->perms[i].name), name) == 0)
            return (long)ast->perms[i].bit;
    }
    return -1;
}

/* Sets or clears the bits one list entry names: a permission, g.* (every
 * permission whose group is named g) or * (every permission). */
static void ref_apply(const struct reference *ref, bool *set, const struct ast_ref *entry,
                      bool value)
{
    const struct ast *ast = ref->ast;

    if (entry->kind == REF_ALL) {
        for (uint32_t b = 0; b < ref->nbits; b++)
            set[b] = value;
    } else if (entry->kind == REF_GROUP_ALL) {
        const char *group = ast_name(ast, entry->name);

        for (size_t i = 0; i < ast->nperms; i++) {
            const struct ast_permission *p = &ast->perms[i];

            if (p->group != AST_NONE && strcmp(ast_name(ast, ast->groups[p->group].name), group) == 0)
                set[p->bit] = value;
        }
    } else {
        long bit = ref_find_bit(ast, ast_name(ast, entry->name));

        if (bit < 0)
            REPRO_FAIL(ref->repro, "reference: no permission '%s'", ast_name(ast, entry->name));
        set[bit] = value;
    }
}

static const bool *ref_role_set(struct reference *ref, int role);

/* The union of the parents' sets and the block's grants, minus the block's revokes. */
static void ref_block(struct reference *ref, bool *set, struct range parents, struct range clauses)
{
    const struct ast *ast = ref->ast;

    for (uint32_t i = 0; i < parents.count; i++) {
        const char *name = ast_name(ast, ast->refs[parents.start + i].name);
        int role = ref_find_role(ast, name);
        const bool *parent_set;

        if (role < 0)
            REPRO_FAIL(ref->repro, "reference: no role '%s'", name);
        parent_set = ref_role_set(ref, role);
        for (uint32_t b = 0; b < ref->nbits; b++)
            set[b] = set[b] || parent_set[b];
    }
    for (int pass = 0; pass < 2; pass++) {
        uint8_t kind = pass == 0 ? CLAUSE_GRANT : CLAUSE_REVOKE;

        for (uint32_t c = 0; c < clauses.count; c++) {
            const struct ast_clause *cl = &ast->clauses[clauses.start + c];

            if (cl->kind != kind)
                continue;
            for (uint32_t i = 0; i < cl->refs.count; i++)
                ref_apply(ref, set, &ast->refs[cl->refs.start + i], kind == CLAUSE_GRANT);
        }
    }
}

static const bool *ref_role_set(struct reference *ref, int role)
{
    bool *set = ref->role_sets + (size_t)role * ref->nbits;
    const struct ast_role *r = &ref->ast->roles[role];

    if (ref->role_state[role] == 2)
        return set;
    if (ref->role_state[role] == 1)
        REPRO_FAIL(ref->repro, "reference: role '%s' is its own ancestor",
                   ast_name(ref->ast, r->name));
    ref->role_state[role] = 1;
    ref_block(ref, set, r->parents, r->clauses);
    ref->role_state[role] = 2;
    return set;
}

static void ref_build(struct reference *ref, const struct ast *ast, const struct repro *rp)
{
    size_t width = ast->nbits ? ast->nbits : 1;

    memset(ref, 0, sizeof(*ref));
    ref->ast = ast;
    ref->repro = rp;
    ref->nbits = ast->nbits;
    ref->role_sets = calloc((ast->nroles ? ast->nroles : 1) * width, sizeof(bool));
    ref->role_state = calloc(ast->nroles ? ast->nroles : 1, 1);
    ref->member_sets = calloc((ast->nmembers ? ast->nmembers : 1) * width, sizeof(bool));
    ck_assert(ref->role_sets && ref->role_state && ref->member_sets);
    for (size_t r = 0; r < ast->nroles; r++)
        ref_role_set(ref, (int)r);
    for (size_t m = 0; m < ast->nmembers; m++)
        ref_block(ref, ref->member_sets + m * ref->nbits, ast->members[m].parents,
                  ast->members[m].clauses);
}

static void ref_release(struct reference *ref)
{
    free(ref->role_sets);
    free(ref->role_state);
    free(ref->member_sets);
}

/* ---- Compiling and comparing ---- */

/* A policy compiled to a table image and opened in place. */
struct compiled {
    struct tpolicy tp;
    struct table_image image;
    struct kkp_table *table;
};

static void compile_files(struct compiled *c, const char *const *paths, size_t n,
                          const struct repro *rp)
{
    struct kkp_error err;
    int rc;

    memset(c, 0, sizeof(*c));
    tpolicy_files(&c->tp, paths, n);
    if (tpolicy_errors(&c->tp) != 0 || !c->tp.resolved) {
        tpolicy_dump(&c->tp);
        REPRO_FAIL(rp, "the policy has %zu errors", tpolicy_errors(&c->tp));
    }
    lower_policy(&c->tp.pol, NULL, &c->image);
    ck_assert_uint_eq((uintptr_t)c->image.data % 64, 0);
    rc = kkp_table_open_buffer(c->image.data, c->image.size, KKP_OPEN_VERIFY, &c->table, &err);
    if (rc != KKP_OK)
        REPRO_FAIL(rp, "kkp_table_open_buffer failed: %s", err.message);
}

static void compiled_release(struct compiled *c)
{
    kkp_table_close(c->table);
    free(c->image.data);
    tpolicy_release(&c->tp);
}

static const char *decision_name(enum kkp_decision d)
{
    switch (d) {
    case KKP_DENY:
        return "deny";
    case KKP_ALLOW:
        return "allow";
    case KKP_UNKNOWN_MEMBER:
        return "unknown member";
    case KKP_UNKNOWN_PERMISSION:
        return "unknown permission";
    }
    return "invalid decision";
}

/* Decisions compared by kkp_check_bit and kkp_check in this process. */
static uint64_t decisions_compared;

static bool is_member_id(const struct ast *ast, const char *id, size_t len)
{
    for (size_t k = 0; k < ast->nmembers; k++) {
        if (ast->members[k].id_len == len && memcmp(ast->members[k].id, id, len) == 0)
            return true;
    }
    return false;
}

static void expect_unknown_member(const struct reference *ref, const struct kkp_table *t,
                                  struct kkp_bit bit, const char *id, size_t len)
{
    enum kkp_decision d;

    if (is_member_id(ref->ast, id, len))
        return;
    d = kkp_check_bit(t, id, len, bit);
    if (d != KKP_UNKNOWN_MEMBER)
        REPRO_FAIL(ref->repro, "the non-member id \"%.*s\" (%zu bytes) gets %s", (int)len, id,
                   len, decision_name(d));
}

/* Ids that are not members get KKP_UNKNOWN_MEMBER: a stranger, the empty id,
 * and near misses of each member's id. */
static void compare_unknown_members(const struct reference *ref, const struct kkp_table *t,
                                    struct kkp_bit bit)
{
    const struct ast *ast = ref->ast;
    char probe[KKP_MAX_MEMBER_ID + 2];

    expect_unknown_member(ref, t, bit, "nobody@example.invalid", strlen("nobody@example.invalid"));
    expect_unknown_member(ref, t, bit, "", 0);
    for (size_t m = 0; m < ast->nmembers; m++) {
        const struct ast_member *mem = &ast->members[m];

        memcpy(probe, mem->id, mem->id_len);
        expect_unknown_member(ref, t, bit, probe, mem->id_len - 1); /* last byte dropped */
        probe[mem->id_len] = 'x';
        expect_unknown_member(ref, t, bit, probe, mem->id_len + 1); /* a byte added */
        probe[mem->id_len] = '\0';
        expect_unknown_member(ref, t, bit, probe, mem->id_len + 1); /* a NUL byte added */
        if (flip_first_letter(probe, mem->id_len))
            expect_unknown_member(ref, t, bit, probe, mem->id_len); /* case changed */
    }
}

/* Checks that a copied mask has no bit set past the catalog's last permission. */
static void expect_clean_tail(const uint64_t *mask, size_t words, uint32_t nbits, const char *kind,
                              const char *name, const struct repro *rp)
{
    for (size_t b = nbits; b < words * 64; b++) {
        if ((mask[b / 64] >> (b % 64)) & 1)
            REPRO_FAIL(rp, "%s \"%s\": the mask sets bit %zu of a %u-permission catalog", kind,
                       name, b, nbits);
    }
}

/* Compares every member and role of the table with the reference. */
static void compare_table(const struct ast *ast, const struct kkp_table *t, const struct repro *rp)
{
    struct reference ref;
    uint32_t nbits = ast->nbits;
    const char **bit_names = calloc(nbits ? nbits : 1, sizeof(char *));
    struct kkp_bit *bits = calloc(nbits ? nbits : 1, sizeof(struct kkp_bit));
    size_t words = kkp_mask_words(t);
    uint64_t *mask = calloc(words ? words : 1, sizeof(uint64_t));

    ck_assert(bit_names && bits && mask);
    ref_build(&ref, ast, rp);
    if (kkp_permission_count(t) != nbits)
        REPRO_FAIL(rp, "the table has %u permissions, the AST %u", kkp_permission_count(t), nbits);
    for (size_t i = 0; i < ast->nperms; i++)
        bit_names[ast->perms[i].bit] = ast_name(ast, ast->perms[i].name);
    for (uint32_t b = 0; b < nbits; b++) {
        if (kkp_permission(t, bit_names[b], &bits[b]) != KKP_OK || bits[b].index != b)
            REPRO_FAIL(rp, "permission '%s' is not bit %u of the table", bit_names[b], b);
    }

    if (kkp_member_count(t) != ast->nmembers)
        REPRO_FAIL(rp, "the table has %llu members, the AST %zu",
                   (unsigned long long)kkp_member_count(t), ast->nmembers);
    for (size_t m = 0; m < ast->nmembers; m++) {
        const struct ast_member *mem = &ast->members[m];
        const bool *want = ref.member_sets + m * nbits;

        if (kkp_member_mask(t, mem->id, mem->id_len, mask, words) != KKP_OK)
            REPRO_FAIL(rp, "no mask for member \"%s\"", mem->id);
        expect_clean_tail(mask, words, nbits, "member", mem->id, rp);
        for (uint32_t b = 0; b < nbits; b++) {
            enum kkp_decision expected = want[b] ? KKP_ALLOW : KKP_DENY;
            enum kkp_decision by_bit = kkp_check_bit(t, mem->id, mem->id_len, bits[b]);
            enum kkp_decision by_name = kkp_check(t, mem->id, bit_names[b]);
            bool in_mask = (mask[b / 64] >> (b % 64)) & 1;

            if (by_bit != expected)
                REPRO_FAIL(rp, "member \"%s\" permission '%s': kkp_check_bit gives %s, the "
                           "reference %s", mem->id, bit_names[b], decision_name(by_bit),
                           decision_name(expected));
            if (by_name != expected)
                REPRO_FAIL(rp, "member \"%s\" permission '%s': kkp_check gives %s, the "
                           "reference %s", mem->id, bit_names[b], decision_name(by_name),
                           decision_name(expected));
            if (in_mask != want[b])
                REPRO_FAIL(rp, "member \"%s\" permission '%s': the mask gives %d, the "
                           "reference %d", mem->id, bit_names[b], in_mask, want[b]);
            decisions_compared += 2;
        }
        if (kkp_check(t, mem->id, "no_such_permission") != KKP_UNKNOWN_PERMISSION)
            REPRO_FAIL(rp, "member \"%s\": an unknown permission is not reported", mem->id);
    }
    if (nbits > 0)
        compare_unknown_members(&ref, t, bits[0]);

    if (kkp_role_count(t) != ast->nroles)
        REPRO_FAIL(rp, "the table has %u roles, the AST %zu", kkp_role_count(t), ast->nroles);
    for (uint32_t i = 0; i < kkp_role_count(t); i++) {
        const char *name, *title;
        int role;

        if (kkp_role_at(t, i, &name, &title, mask, words) != KKP_OK)
            REPRO_FAIL(rp, "kkp_role_at(%u) failed", i);
        role = ref_find_role(ast, name);
        if (role < 0)
            REPRO_FAIL(rp, "the table has role '%s', the AST does not", name);
        expect_clean_tail(mask, words, nbits, "role", name, rp);
        for (uint32_t b = 0; b < nbits; b++) {
            bool in_mask = (mask[b / 64] >> (b % 64)) & 1;
            bool want = ref.role_sets[(size_t)role * nbits + b];

            if (in_mask != want)
                REPRO_FAIL(rp, "role '%s' permission '%s': the table gives %d, the reference %d",
                           name, bit_names[b], in_mask, want);
        }
    }

    ref_release(&ref);
    free(bit_names);
    free(bits);
    free(mask);
}

static bool str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Checks what the reference takes from the AST against the generator's own
 * model: the catalog in expansion order with its marks and texts, the member
 * ids as decoded, and the role titles. */
static void compare_model(const struct gen *g, const struct kkp_table *t)
{
    const struct repro *rp = &g->repro;

    if (g->nbits != g->nperms)
        REPRO_FAIL(rp, "the generator numbered %d of %d permissions", g->nbits, g->nperms);
    if ((int)kkp_permission_count(t) != g->nbits)
        REPRO_FAIL(rp, "the table has %u permissions, expected %d", kkp_permission_count(t),
                   g->nbits);
    for (int b = 0; b < g->nbits; b++) {
        const struct gen_perm *p = &g->perms[g->bit_perm[b]];
        struct kkp_permission_info info;

        if (kkp_permission_info(t, (uint32_t)b, &info) != KKP_OK)
            REPRO_FAIL(rp, "kkp_permission_info(%d) failed", b);
        if (strcmp(info.name, p->name) != 0)
            REPRO_FAIL(rp, "bit %d is '%s', expected '%s'", b, info.name, p->name);
        if (info.flags != p->flags)
            REPRO_FAIL(rp, "permission '%s' has marks %u, expected %u", p->name, info.flags,
                       p->flags);
        if (!str_eq(info.description, p->description))
            REPRO_FAIL(rp, "permission '%s' has description \"%s\", expected \"%s\"", p->name,
                       info.description, p->description);
        if (!str_eq(info.group, p->group >= 0 ? g->groups[p->group].name : NULL) ||
            (info.group == NULL) != (p->group < 0))
            REPRO_FAIL(rp, "permission '%s' is in group '%s'", p->name,
                       info.group ? info.group : "(none)");
        if (p->group >= 0 && !str_eq(info.group_title, g->groups[p->group].title))
            REPRO_FAIL(rp, "group '%s' has title \"%s\", expected \"%s\"",
                       g->groups[p->group].name, info.group_title, g->groups[p->group].title);
    }

    if (kkp_member_count(t) != (uint64_t)g->nmembers)
        REPRO_FAIL(rp, "the table has %llu members, expected %d",
                   (unsigned long long)kkp_member_count(t), g->nmembers);
    for (int m = 0; m < g->nmembers; m++) {
        const struct gen_member *mem = &g->members[m];
        uint64_t mask[(GEN_MAX_PERMS + 63) / 64];

        if (kkp_member_mask(t, mem->id, mem->id_len, mask, sizeof(mask) / sizeof(mask[0])) !=
            KKP_OK)
            REPRO_FAIL(rp, "member \"%s\" is not in the table", mem->id);
    }

    if ((int)kkp_role_count(t) != g->nroles)
        REPRO_FAIL(rp, "the table has %u roles, expected %d", kkp_role_count(t), g->nroles);
    for (uint32_t i = 0; i < kkp_role_count(t); i++) {
        const char *name, *title;
        int r = 0;

        if (kkp_role_at(t, i, &name, &title, NULL, 0) != KKP_OK)
            REPRO_FAIL(rp, "kkp_role_at(%u) failed", i);
        while (r < g->nroles && strcmp(g->roles[r].name, name) != 0)
            r++;
        if (r == g->nroles)
            REPRO_FAIL(rp, "the table has role '%s', the generator does not", name);
        if (!str_eq(title, g->roles[r].has_title ? g->roles[r].title : ""))
            REPRO_FAIL(rp, "role '%s' has title \"%s\", expected \"%s\"", name, title,
                       g->roles[r].title);
    }
}

/* Removes the policy files the generator writes, and with folders_too also
 * the folders lib and alias and the policy folder itself. */
static void remove_policy_files(const char *dir, bool folders_too)
{
    static const char *const files[] = {"main.kkp", "lib/x.kkp", "lib/y.kkp", "x-link.kkp"};
    static const char *const folders[] = {"lib", "alias", ""};
    char path[PATH_MAX];

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        remove(path);
    }
    for (size_t i = 0; folders_too && i < sizeof(folders) / sizeof(folders[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, folders[i]);
        remove(path);
    }
}

/* Generates, compiles and compares one policy. Each policy writes fresh files
 * and removes them afterwards, because on ext4 rewriting the same files in
 * place (O_TRUNC) made every open wait for the disk. */
static void run_seed(const char *dir, uint64_t seed)
{
    struct gen *g = calloc(1, sizeof(*g));
    struct compiled c;
    const char *paths[2];

    ck_assert_ptr_nonnull(g);
    gen_policy(g, seed, dir);
    gen_write(g);
    for (int i = 0; i < g->nroots; i++)
        paths[i] = g->files[g->roots[i]].path;
    compile_files(&c, paths, (size_t)g->nroots, &g->repro);
    compare_table(&c.tp.ast, c.table, &g->repro);
    compare_model(g, c.table);
    compiled_release(&c);
    gen_release(g);
    free(g);
    remove_policy_files(dir, false);
}

static void remove_policy_dir(char *dir)
{
    remove_policy_files(dir, true);
    free(dir);
}

START_TEST(random_policies_match_reference)
{
    const char *only = getenv("KKP_REFEVAL_SEED");
    char *dir = tdir_new();

    if (only && *only) {
        if (_i == 0)
            run_seed(dir, strtoull(only, NULL, 10));
    } else {
        for (uint64_t s = 0; s < POLICIES_PER_RUN; s++)
            run_seed(dir, 1 + (uint64_t)_i * POLICIES_PER_RUN + s);
    }
    if (getenv("KKP_REFEVAL_STATS"))
        fprintf(stderr, "refeval: run %d compared %llu decisions\n", _i,
                (unsigned long long)decisions_compared);
    remove_policy_dir(dir);
}
END_TEST

/* ---- Hand-written cases ---- */

/* Compiles one file, compares it with the reference, and keeps it open for
 * the case's own expectations. */
static void compile_case(struct compiled *c, char **dir, const char *text, struct repro *rp)
{
    char *path;
    const char *paths[1];

    *dir = tdir_new();
    path = tfile_write(*dir, "main.kkp", text);
    memset(rp, 0, sizeof(*rp));
    rp->dir = *dir;
    rp->names[0] = "main.kkp";
    rp->texts[0] = text;
    rp->nfiles = 1;
    paths[0] = path;
    compile_files(c, paths, 1, rp);
    compare_table(&c->tp.ast, c->table, rp);
    free(path);
}

static void release_case(struct compiled *c, char *dir)
{
    compiled_release(c);
    remove_policy_dir(dir);
}

static void expect(const struct kkp_table *t, const char *member, const char *perm,
                   enum kkp_decision want)
{
    enum kkp_decision got = kkp_check(t, member, perm);

    ck_assert_msg(got == want, "member \"%s\" permission '%s': got %s, expected %s", member, perm,
                  decision_name(got), decision_name(want));
}

static bool role_has(const struct kkp_table *t, const char *role, const char *perm)
{
    uint64_t words[4] = {0};
    struct kkp_bit bit;

    ck_assert_int_eq(kkp_permission(t, perm, &bit), KKP_OK);
    for (uint32_t i = 0; i < kkp_role_count(t); i++) {
        const char *name;

        ck_assert_int_eq(kkp_role_at(t, i, &name, NULL, words, 4), KKP_OK);
        if (strcmp(name, role) == 0)
            return (words[bit.index / 64] >> (bit.index % 64)) & 1;
    }
    ck_abort_msg("no role '%s' in the table", role);
    return false;
}

START_TEST(member_grant_restores_role_revoke)
{
    static const char text[] = "permission a;\n"
                               "permission b;\n"
                               "role base { grant a, b; }\n"
                               "role narrow : base { revoke a; }\n"
                               "member \"m\" : narrow { grant a; }\n"
                               "member \"n\" : narrow;\n";
    struct compiled c;
    struct repro rp;
    char *dir;

    compile_case(&c, &dir, text, &rp);
    ck_assert(!role_has(c.table, "narrow", "a"));
    expect(c.table, "m", "a", KKP_ALLOW);
    expect(c.table, "m", "b", KKP_ALLOW);
    expect(c.table, "n", "a", KKP_DENY);
    expect(c.table, "n", "b", KKP_ALLOW);
    release_case(&c, dir);
}
END_TEST

START_TEST(member_revoke_beats_role_grants)
{
    static const char text[] = "group g { permission a; permission b; }\n"
                               "permission c;\n"
                               "role one { grant a; }\n"
                               "role two { grant g.*; }\n"
                               "role three { grant *; }\n"
                               "member \"m\" : one, two, three { revoke a; }\n"
                               "member \"k\" : three { revoke g.*; }\n";
    struct compiled c;
    struct repro rp;
    char *dir;

    compile_case(&c, &dir, text, &rp);
    expect(c.table, "m", "a", KKP_DENY);
    expect(c.table, "m", "b", KKP_ALLOW);
    expect(c.table, "m", "c", KKP_ALLOW);
    expect(c.table, "k", "a", KKP_DENY);
    expect(c.table, "k", "b", KKP_DENY);
    expect(c.table, "k", "c", KKP_ALLOW);
    release_case(&c, dir);
}
END_TEST

/* A revoke on one side of a diamond does not hide the grant that reaches the
 * bottom through the other side. */
START_TEST(diamond_keeps_grant_of_other_side)
{
    static const char text[] = "permission a; permission b; permission c;\n"
                               "role bottom : left, right;\n"
                               "role left : top { revoke a; }\n"
                               "role right : top { grant c; }\n"
                               "role top { grant a, b; }\n"
                               "member \"m\" : bottom;\n"
                               "member \"l\" : left;\n";
    struct compiled c;
    struct repro rp;
    char *dir;

    compile_case(&c, &dir, text, &rp);
    ck_assert(!role_has(c.table, "left", "a"));
    ck_assert(role_has(c.table, "right", "a"));
    ck_assert(role_has(c.table, "bottom", "a"));
    expect(c.table, "m", "a", KKP_ALLOW);
    expect(c.table, "m", "b", KKP_ALLOW);
    expect(c.table, "m", "c", KKP_ALLOW);
    expect(c.table, "l", "a", KKP_DENY);
    expect(c.table, "l", "b", KKP_ALLOW);
    expect(c.table, "l", "c", KKP_DENY);
    release_case(&c, dir);
}
END_TEST

START_TEST(child_grant_restores_parent_revoke)
{
    static const char text[] = "permission a; permission b;\n"
                               "role parent { grant *; revoke b; }\n"
                               "role child : parent { grant b; }\n"
                               "role grandchild : child { revoke a; }\n"
                               "member \"p\" : parent;\n"
                               "member \"c\" : child;\n"
                               "member \"g\" : grandchild;\n";
    struct compiled c;
    struct repro rp;
    char *dir;

    compile_case(&c, &dir, text, &rp);
    expect(c.table, "p", "a", KKP_ALLOW);
    expect(c.table, "p", "b", KKP_DENY);
    expect(c.table, "c", "a", KKP_ALLOW);
    expect(c.table, "c", "b", KKP_ALLOW);
    expect(c.table, "g", "a", KKP_DENY);
    expect(c.table, "g", "b", KKP_ALLOW);
    release_case(&c, dir);
}
END_TEST

/* Revokes apply after grants even when written first, and carve from a wildcard grant. */
START_TEST(revoke_carves_wildcard_of_block)
{
    static const char text[] = "group g { permission a; permission b; }\n"
                               "permission c;\n"
                               "role r { revoke a; grant g.*; }\n"
                               "member \"m\" { revoke g.*; grant *; }\n"
                               "member \"x\" : r;\n"
                               "member \"y\" : r { grant *; revoke *; }\n";
    struct compiled c;
    struct repro rp;
    char *dir;

    compile_case(&c, &dir, text, &rp);
    expect(c.table, "m", "a", KKP_DENY);
    expect(c.table, "m", "b", KKP_DENY);
    expect(c.table, "m", "c", KKP_ALLOW);
    expect(c.table, "x", "a", KKP_DENY);
    expect(c.table, "x", "b", KKP_ALLOW);
    expect(c.table, "x", "c", KKP_DENY);
    expect(c.table, "y", "b", KKP_DENY);
    release_case(&c, dir);
}
END_TEST

START_TEST(policy_without_permissions)
{
    static const char text[] = "group empty \"No permissions yet\" { }\n"
                               "role r { grant *; grant empty.*; }\n"
                               "member \"m\" : r;\n";
    struct compiled c;
    struct repro rp;
    char *dir;

    compile_case(&c, &dir, text, &rp);
    ck_assert_uint_eq(kkp_permission_count(c.table), 0);
    expect(c.table, "m", "anything", KKP_UNKNOWN_PERMISSION);
    release_case(&c, dir);
}
END_TEST

Suite *suite_refeval(void)
{
    Suite *s = suite_create("refeval");
    TCase *fixed = tcase_create("fixed");
    TCase *random = tcase_create("random");

    tcase_add_test(fixed, member_grant_restores_role_revoke);
    tcase_add_test(fixed, member_revoke_beats_role_grants);
    tcase_add_test(fixed, diamond_keeps_grant_of_other_side);
    tcase_add_test(fixed, child_grant_restores_parent_revoke);
    tcase_add_test(fixed, revoke_carves_wildcard_of_block);
    tcase_add_test(fixed, policy_without_permissions);
    suite_add_tcase(s, fixed);

    /* Each loop iteration is one forked test with its own timeout. */
    tcase_set_timeout(random, 60);
    tcase_add_loop_test(random, random_policies_match_reference, 0, RUNS);
    suite_add_tcase(s, random);
    return s;
}
