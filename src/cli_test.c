/* kkpolc test: runs every assert statement of the import graph, reports each
 * failure with the provenance of the permissions involved, and optionally
 * measures which cells the asserts pin and writes JUnit XML. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "kkp_limits.h"
#include "provenance.h"
#include "table_write.h"

#define TEST_USAGE "usage: kkpolc test [--coverage] [--junit OUT] FILE...\n"

/* The outcome of one assert statement. */
struct assert_result {
    bool passed;
    char *report; /* the failure's diagnostic text, malloc'ed; NULL when passed */
};

struct test_run {
    const struct policy *pol;
    struct prov pv;
    struct diag_sink *sink; /* the failure being reported */
    uint64_t *covered;      /* bits of the assert being run, pol->words words */
};

static const uint64_t *subject_mask(const struct policy *pol, const struct ast_subject *s)
{
    return s->kind == SUBJECT_ROLE ? policy_role_mask(pol, s->target)
                                   : policy_member_mask(pol, s->target);
}

/* Sets the bits that a list of entries names in mask. */
static void cover_refs(const struct policy *pol, struct range refs, uint64_t *mask)
{
    const struct ast *ast = pol->ast;

    for (uint32_t i = 0; i < refs.count; i++) {
        const struct ast_ref *ref = &ast->refs[refs.start + i];

        for (uint32_t bit = 0; bit < pol->nbits; bit++) {
            bool hit = ref->kind == REF_ALL ||
                       (ref->kind == REF_GROUP_ALL &&
                        ast->perms[ast->bit_to_perm[bit]].group == ref->target) ||
                       (ref->kind == REF_NAME && ast->perms[ref->target].bit == bit);
            if (hit)
                mask[bit / 64] |= (uint64_t)1 << (bit % 64);
        }
    }
}

/* Writes the subject as messages name it: member "id" or role name. */
static const char *subject_text(struct arena *a, const struct ast *ast,
                                const struct ast_subject *s)
{
    if (s->kind == SUBJECT_ROLE)
        return arena_printf(a, "role %s", ast_name(ast, ast->roles[s->target].name));
    return arena_printf(a, "member \"%s\"", ast->members[s->target].id);
}

/* A list of quoted names: the assert's entries, or the bits set in mask. */
static char *list_entries(struct arena *a, const struct ast *ast, struct range refs)
{
    char *out = "";

    for (uint32_t i = 0; i < refs.count; i++)
        out = arena_printf(a, "%s%s'%s'", out, i ? ", " : "",
                           prov_entry_text(a, ast, &ast->refs[refs.start + i]));
    return out;
}

static char *list_bits(struct arena *a, const struct policy *pol, const uint64_t *mask,
                       bool quoted)
{
    char *out = "";
    bool any = false;

    for (uint32_t bit = 0; bit < pol->nbits; bit++) {
        if (!mask_has(mask, bit))
            continue;
        out = arena_printf(a, "%s%s%s%s%s", out, any ? ", " : "", quoted ? "'" : "",
                           ast_name(pol->ast, pol->ast->perms[pol->ast->bit_to_perm[bit]].name),
                           quoted ? "'" : "");
        any = true;
    }
    return out;
}

/* Where a reason's statement sits as a note shows it: "by member "m" itself",
 * or "in role b (member "m" -> role a -> role b)". */
static char *chain_text(struct arena *a, const struct ast *ast, const char *subject,
                        const struct prov_reason *r)
{
    char *out;

    if (r->nchain == 0)
        return arena_printf(a, "by %s itself", subject);
    out = arena_printf(a, "in role %s (%s",
                       ast_name(ast, ast->roles[r->chain[r->nchain - 1]].name), subject);
    for (uint32_t i = 0; i < r->nchain; i++)
        out = arena_printf(a, "%s -> role %s", out, ast_name(ast, ast->roles[r->chain[i]].name));
    return arena_printf(a, "%s)", out);
}

/* The subject's own statement: the role's name or the member's id. */
static struct loc subject_loc(const struct ast *ast, const struct ast_subject *s)
{
    if (s->kind == SUBJECT_ROLE)
        return ast_loc(ast, ast->roles[s->target].file, ast->roles[s->target].span);
    return ast_loc(ast, ast->members[s->target].file, ast->members[s->target].span);
}

/* Adds notes to d with the statements that give or remove bit for the subject. */
static void add_provenance_notes(struct test_run *run, struct diag *d,
                                 const struct ast_subject *s, uint32_t bit)
{
    const struct policy *pol = run->pol;
    const struct ast *ast = pol->ast;
    struct arena *a = &run->sink->arena;
    bool is_role = s->kind == SUBJECT_ROLE;
    const char *who = subject_text(a, ast, s);
    const char *name = ast_name(ast, ast->perms[ast->bit_to_perm[bit]].name);
    struct prov_answer ans;

    prov_explain(&run->pv, is_role, s->target, bit, &ans);
    if (ans.kind == PROV_NOT_GRANTED) {
        char *list = "";
        bool any = false;

        for (uint32_t r = 0; r < ast->nroles; r++) {
            if (!mask_has(policy_role_mask(pol, r), bit))
                continue;
            list = arena_printf(a, "%s%s%s", list, any ? ", " : "", ast_name(ast, ast->roles[r].name));
            any = true;
        }
        diag_note(run->sink, d, subject_loc(ast, s), "nothing grants '%s' to %s; %s%s", name, who,
                  any ? "roles that grant it: " : "no role grants it", list);
        prov_reset(&run->pv);
        return;
    }
    for (uint32_t i = 0; i < ans.nreasons; i++) {
        const struct prov_reason *r = &ans.reasons[i];
        uint32_t file = prov_reason_file(pol, is_role, s->target, r);

        diag_note(run->sink, d, ast_loc(ast, file, ast->refs[r->ref].span), "'%s' is %s here, %s",
                  name, r->revoke ? "revoked" : "granted", chain_text(a, ast, who, r));
        for (uint32_t k = 0; k < r->noverrides; k++) {
            const struct prov_reason *o = &r->overrides[k];
            uint32_t ofile = prov_reason_file(pol, is_role, s->target, o);

            diag_note(run->sink, d, ast_loc(ast, ofile, ast->refs[o->ref].span),
                      "that %s overrides this %s of '%s', %s", r->revoke ? "revoke" : "grant",
                      o->revoke ? "revoke" : "grant", name, chain_text(a, ast, who, o));
        }
    }
    prov_reset(&run->pv);
}

/* Runs one assert; on failure reports it to run->sink. */
static bool run_assert(struct test_run *run, const struct ast_assert *as)
{
    const struct policy *pol = run->pol;
    const struct ast *ast = pol->ast;
    struct arena *a = &run->sink->arena;
    const uint64_t *held = subject_mask(pol, &as->subject);
    uint64_t *wrong = arena_alloc(a, pol->words * sizeof(uint64_t));
    const char *who = subject_text(a, ast, &as->subject);
    bool failed = false;
    struct diag *d;

    memset(run->covered, 0, pol->words * sizeof(uint64_t));
    cover_refs(pol, as->perms, run->covered);
    for (uint32_t w = 0; w < pol->words; w++) {
        wrong[w] = as->can ? run->covered[w] & ~held[w] : run->covered[w] & held[w];
        failed |= wrong[w] != 0;
    }
    if (!failed)
        return true;

    if (as->can)
        d = diag_error(run->sink, ast_loc(ast, as->file, as->span),
                       "assertion failed: expected %s to hold %s, but it lacks %s", who,
                       list_entries(a, ast, as->perms), list_bits(a, pol, wrong, true));
    else if (as->perms.count == 1 && ast->refs[as->perms.start].kind == REF_NAME)
        d = diag_error(run->sink, ast_loc(ast, as->file, as->span),
                       "assertion failed: expected %s not to hold %s, but it does", who,
                       list_entries(a, ast, as->perms));
    else
        d = diag_error(run->sink, ast_loc(ast, as->file, as->span),
                       "assertion failed: expected %s to hold none of %s, but it holds %s", who,
                       list_entries(a, ast, as->perms), list_bits(a, pol, wrong, true));
    {
        bool none = true;

        for (uint32_t w = 0; w < pol->words; w++)
            none &= held[w] == 0;
        diag_note(run->sink, d, subject_loc(ast, &as->subject), "%s holds %s", who,
                  none ? "no permissions" : list_bits(a, pol, held, false));
    }
    for (uint32_t bit = 0; bit < pol->nbits; bit++) {
        if (mask_has(wrong, bit))
            add_provenance_notes(run, d, &as->subject, bit);
    }
    return false;
}

/* Pinned cells: per member and per role, the bits some assert names. */
struct coverage {
    uint64_t *members; /* nmembers * words */
    uint64_t *roles;   /* nroles * words */
};

static void coverage_add(const struct policy *pol, struct coverage *cov,
                         const struct ast_assert *as, const uint64_t *covered)
{
    uint64_t *row = as->subject.kind == SUBJECT_ROLE
                        ? cov->roles + (size_t)as->subject.target * pol->words
                        : cov->members + (size_t)as->subject.target * pol->words;

    for (uint32_t w = 0; w < pol->words; w++)
        row[w] |= covered[w];
}

static void print_ratio(const char *what, uint64_t pinned, uint64_t total)
{
    if (total)
        printf("  %s pinned: %llu of %llu (%.1f%%)\n", what, (unsigned long long)pinned,
               (unsigned long long)total, 100.0 * (double)pinned / (double)total);
    else
        printf("  %s pinned: 0 of 0\n", what);
}

static void print_coverage(const struct policy *pol, const struct coverage *cov)
{
    const struct ast *ast = pol->ast;
    uint64_t member_pinned = 0, role_pinned = 0, sensitive = 0, sensitive_pinned = 0;

    for (uint32_t m = 0; m < ast->nmembers; m++) {
        for (uint32_t bit = 0; bit < pol->nbits; bit++) {
            bool pinned = mask_has(cov->members + (size_t)m * pol->words, bit);

            member_pinned += pinned;
            if (ast->perms[ast->bit_to_perm[bit]].flags & PERM_SENSITIVE) {
                sensitive++;
                sensitive_pinned += pinned;
            }
        }
    }
    for (uint32_t r = 0; r < ast->nroles; r++) {
        for (uint32_t bit = 0; bit < pol->nbits; bit++)
            role_pinned += mask_has(cov->roles + (size_t)r * pol->words, bit);
    }
    puts("coverage:");
    print_ratio("member cells", member_pinned, (uint64_t)ast->nmembers * pol->nbits);
    print_ratio("role cells", role_pinned, (uint64_t)ast->nroles * pol->nbits);
    print_ratio("sensitive member cells", sensitive_pinned, sensitive);
    if (sensitive_pinned == sensitive) {
        puts("  unpinned sensitive member cells: none");
        return;
    }
    printf("  unpinned sensitive member cells: %llu\n",
           (unsigned long long)(sensitive - sensitive_pinned));
    for (uint32_t m = 0; m < ast->nmembers; m++) {
        for (uint32_t bit = 0; bit < pol->nbits; bit++) {
            const struct ast_permission *p = &ast->perms[ast->bit_to_perm[bit]];

            if (!(p->flags & PERM_SENSITIVE) ||
                mask_has(cov->members + (size_t)m * pol->words, bit))
                continue;
            printf("    member \"%s\" %s (%s)\n", ast->members[m].id, ast_name(ast, p->name),
                   mask_has(policy_member_mask(pol, m), bit) ? "held" : "not held");
        }
    }
}

/* The assert statement's source text with each run of white space made one space. */
static char *assert_text(const struct ast *ast, const struct ast_assert *as)
{
    const char *src = ast->files[as->file].src->data;
    char *out = xmalloc(as->span.end - as->span.begin + 1);
    size_t n = 0;
    bool space = false;

    for (uint32_t i = as->span.begin; i < as->span.end; i++) {
        char c = src[i];

        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = n > 0;
            continue;
        }
        if (space)
            out[n++] = ' ';
        space = false;
        out[n++] = c;
    }
    out[n] = '\0';
    return out;
}

/* Writes JUnit XML: one testsuite per file with asserts, one testcase per assert. */
static int write_junit(const char *path, const struct ast *ast,
                       const struct assert_result *results, size_t passed, size_t failed)
{
    char *buf = NULL, errbuf[512];
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    int rc = EXIT_OK;

    if (!out) {
        cli_error("out of memory");
        return EXIT_USAGE;
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out, "<testsuites name=\"kkpolc test\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
            passed + failed, failed);
    for (uint32_t f = 0; f < ast->nfiles; f++) {
        size_t tests = 0, failures = 0;
        const char *file = ast->files[f].src->path;

        for (size_t i = 0; i < ast->nasserts; i++) {
            if (ast->asserts[i].file == f) {
                tests++;
                failures += !results[i].passed;
            }
        }
        if (!tests)
            continue;
        fputs("  <testsuite name=\"", out);
        cli_markup_escape(out, file);
        fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n", tests,
                failures);
        for (size_t i = 0; i < ast->nasserts; i++) {
            const struct ast_assert *as = &ast->asserts[i];
            struct line_col lc;
            char *text;

            if (as->file != f)
                continue;
            lc = source_line_col(ast->files[f].src, as->span.begin);
            text = assert_text(ast, as);
            fputs("    <testcase classname=\"", out);
            cli_markup_escape(out, file);
            fprintf(out, "\" name=\"line %u: ", lc.line);
            cli_markup_escape(out, text);
            fputs("\" file=\"", out);
            cli_markup_escape(out, file);
            fprintf(out, "\" line=\"%u\"", lc.line);
            free(text);
            if (results[i].passed) {
                fputs("/>\n", out);
                continue;
            }
            fputs(">\n      <failure message=\"assertion failed\" type=\"assertion\">", out);
            cli_markup_escape(out, results[i].report);
            fputs("</failure>\n    </testcase>\n", out);
        }
        fputs("  </testsuite>\n", out);
    }
    fputs("</testsuites>\n", out);
    fclose(out);
    if (table_write_file(path, buf, len, errbuf, sizeof(errbuf)) != 0) {
        cli_error("%s", errbuf);
        rc = EXIT_USAGE;
    }
    free(buf);
    return rc;
}

/* Runs every assert; prints failures to stderr as they come in load order. */
static void run_asserts(const struct policy *pol, struct assert_result *results,
                        struct coverage *cov, size_t *passed, size_t *failed)
{
    const struct ast *ast = pol->ast;
    struct test_run run = {pol, {0}, NULL, NULL};
    bool color = diag_want_color(STDERR_FILENO);

    prov_init(&run.pv, pol);
    run.covered = xcalloc(pol->words, sizeof(uint64_t));
    for (size_t i = 0; i < ast->nasserts; i++) {
        struct diag_sink sink;
        size_t len = 0;
        FILE *mem;

        diag_sink_init(&sink, 0);
        run.sink = &sink;
        results[i].passed = run_assert(&run, &ast->asserts[i]);
        coverage_add(pol, cov, &ast->asserts[i], run.covered);
        if (results[i].passed) {
            (*passed)++;
        } else {
            (*failed)++;
            diag_print_text(&sink, stderr, color);
            mem = open_memstream(&results[i].report, &len);
            if (mem) {
                diag_print_text(&sink, mem, false);
                fclose(mem);
            }
        }
        diag_sink_release(&sink);
    }
    free(run.covered);
    prov_release(&run.pv);
}

int cmd_test(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"coverage", no_argument, NULL, 'c'},
        {"junit", required_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *junit = NULL;
    bool want_coverage = false;
    struct cli_policy cp;
    struct assert_result *results;
    struct coverage cov;
    size_t passed = 0, failed = 0;
    int opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            want_coverage = true;
            break;
        case 'j':
            junit = optarg;
            break;
        case 'h':
            fputs(TEST_USAGE, stdout);
            return EXIT_OK;
        default:
            fputs(TEST_USAGE, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        cli_error("test needs at least one policy file");
        return EXIT_USAGE;
    }
    for (int i = optind; i < argc; i++) {
        if (cli_is_table(argv[i])) {
            cli_error("'%s' is a compiled table; test reads policy source (.kkp) files, "
                      "which hold the asserts", argv[i]);
            return EXIT_USAGE;
        }
    }
    rc = cli_policy_load(&cp, argv + optind, (size_t)(argc - optind), KKP_DEFAULT_MAX_ERRORS);
    if (rc != EXIT_OK) {
        cli_policy_release(&cp);
        return rc;
    }

    results = xcalloc(cp.ast.nasserts ? cp.ast.nasserts : 1, sizeof(*results));
    cov.members = xcalloc((size_t)(cp.ast.nmembers ? cp.ast.nmembers : 1) * cp.pol.words,
                          sizeof(uint64_t));
    cov.roles = xcalloc((size_t)(cp.ast.nroles ? cp.ast.nroles : 1) * cp.pol.words,
                        sizeof(uint64_t));
    run_asserts(&cp.pol, results, &cov, &passed, &failed);
    fflush(stderr);
    if (junit)
        rc = write_junit(junit, &cp.ast, results, passed, failed);
    if (want_coverage)
        print_coverage(&cp.pol, &cov);
    printf("%zu passed, %zu failed\n", passed, failed);
    if (fflush(stdout) != 0) {
        cli_error("cannot write to standard output");
        rc = EXIT_USAGE;
    }

    for (size_t i = 0; i < cp.ast.nasserts; i++)
        free(results[i].report);
    free(results);
    free(cov.members);
    free(cov.roles);
    cli_policy_release(&cp);
    if (rc != EXIT_OK)
        return rc;
    return failed ? EXIT_POLICY : EXIT_OK;
}
