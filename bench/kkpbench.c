/* kkpbench: the benchmark behind `make bench`. For each policy size it
 * generates a policy and times kkpolc compile (wall time and the child's peak
 * memory) and table open. It then times lookups against a bare baseline loop,
 * kkp_check by name, kkpolc query --batch and, optionally, the Node.js peers
 * (Casbin and Cedar). It prints a table and lines starting with "ratio", and
 * writes every figure to OUT/summary.json. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gen.h"
#include "kkpol.h"
#include "measure.h"

#define SEED 20261204u
#define MAX_RUNS 31

/* How much work each mode does. */
struct plan {
    const char *mode;
    uint64_t sizes[4];
    size_t nsizes;
    size_t queries;       /* per lookup pass */
    size_t passes;        /* lookup passes; the median is reported */
    size_t batch_lines;   /* lines fed to query --batch */
    size_t batch_runs;
    size_t open_runs;     /* without the checksum */
    size_t verify_runs;   /* with the checksum */
    double peer_cap;      /* seconds per timed peer run */
    size_t peer_compare;  /* decisions compared with ours before timing */
    uint64_t peer_max_members;
};

static const struct plan plan_full = {
    "full", {1000, 100000, 1000000, 10000000}, 4, 1000000, 21, 2000000, 5, 201, 5, 20.0, 10000,
    100000,
};
static const struct plan plan_quick = {
    "quick", {1000, 100000, 1000000, 0}, 3, 100000, 15, 500000, 3, 51, 3, 2.0, 1000, 1000,
};
static const struct plan plan_smoke = {
    "smoke", {1000, 0, 0, 0}, 1, 5000, 3, 5000, 1, 5, 1, 0.0, 0, 0,
};

/* Compile runs per size: fewer for the large ones, which take seconds each. */
static size_t compile_runs(const struct plan *p, uint64_t members)
{
    if (strcmp(p->mode, "smoke") == 0)
        return 1;
    if (members >= 10000000)
        return 3;
    if (members >= 1000000)
        return strcmp(p->mode, "quick") == 0 ? 1 : 5;
    return strcmp(p->mode, "quick") == 0 ? 3 : 7;
}

struct options {
    const char *kkpolc;
    const char *policies;
    const char *out;
    const char *peers;        /* folder of the Node.js harness, or NULL */
    const char *node_modules; /* where make bench-deps installed the peers */
    const struct plan *plan;
    bool keep; /* leave generated sources, tables and batch input for profiling */
};

static double median(double *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double x = v[i];
        size_t j = i;

        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
    if (n == 0)
        return NAN;
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static uint64_t file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Runs argv as a child with stdin and stdout redirected when the paths are
 * given. Returns the exit status (-1 when it could not run), the wall time
 * and the child's peak resident memory in bytes. */
static int run_child(char *const *argv, const char *in, const char *out, double *seconds,
                     uint64_t *max_rss)
{
    struct rusage ru;
    double start = now_seconds();
    int status;
    pid_t pid = fork();

    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (in) {
            int fd = open(in, O_RDONLY);
            if (fd < 0 || dup2(fd, 0) < 0)
                _exit(127);
            close(fd);
        }
        if (out) {
            int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0 || dup2(fd, 1) < 0)
                _exit(127);
            close(fd);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    if (wait4(pid, &status, 0, &ru) < 0)
        return -1;
    *seconds = now_seconds() - start;
    if (max_rss)
        *max_rss = (uint64_t)ru.ru_maxrss * 1024;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The figures of one policy size; NAN marks one that was not measured. */
struct result {
    uint64_t members;
    uint64_t source_bytes;
    uint64_t table_bytes;
    double compile_s;
    double compile_mb_s;
    double compile_rss_mb;
    double rss_to_source;
    double open_us;
    double open_verify_us;
    double lookup_ns;
    double baseline_ns;
    double hot_ns;
    double hot_baseline_ns;
    double lookup_ratio;     /* median over passes of lookup_ns / baseline_ns */
    double hot_lookup_ratio; /* the same for the hot set */
    double check_by_name_ns;
    double batch_lines_s;
    json_t *peers; /* array of the peer harness's reports */
};

static int compile_policy(const struct options *o, const char *dir, struct result *r)
{
    char src[4096], table[4096];
    char *argv[] = {(char *)o->kkpolc, "compile", "-o", table, src, NULL};
    size_t runs = compile_runs(o->plan, r->members);
    double times[MAX_RUNS], rss[MAX_RUNS];

    snprintf(src, sizeof(src), "%s/members.kkp", dir);
    snprintf(table, sizeof(table), "%s/members.kkpt", dir);
    /* Write the generated source back to disk first, then compile once
     * untimed, so that every timed run starts from the same warm page cache. */
    sync();
    if (strcmp(o->plan->mode, "smoke") != 0 && run_child(argv, NULL, NULL, &times[0], NULL) != 0) {
        fprintf(stderr, "kkpbench: error: '%s compile %s' failed\n", o->kkpolc, src);
        return -1;
    }
    for (size_t i = 0; i < runs; i++) {
        uint64_t max_rss;
        int rc = run_child(argv, NULL, NULL, &times[i], &max_rss);

        if (rc != 0) {
            fprintf(stderr, "kkpbench: error: '%s compile %s' failed with status %d\n",
                    o->kkpolc, src, rc);
            return -1;
        }
        rss[i] = (double)max_rss / 1e6;
    }
    r->compile_s = median(times, runs);
    r->compile_rss_mb = median(rss, runs);
    r->compile_mb_s = (double)r->source_bytes / 1e6 / r->compile_s;
    r->rss_to_source = r->compile_rss_mb * 1e6 / (double)r->source_bytes;
    r->table_bytes = file_size(table);
    return 0;
}

static double time_open(const char *path, unsigned flags, size_t runs)
{
    double us[256];

    if (runs > 256)
        runs = 256;
    for (size_t i = 0; i < runs; i++) {
        struct kkp_table *t;
        struct kkp_error err;
        double start = now_seconds();

        if (kkp_table_open(path, flags, &t, &err) != KKP_OK) {
            fprintf(stderr, "kkpbench: error: %s\n", err.message);
            return NAN;
        }
        us[i] = (now_seconds() - start) * 1e6;
        kkp_table_close(t);
    }
    return median(us, runs);
}

/* Queries over the members of t: uniform draws from all of them, or from
 * the first hot_set members of a shuffled order. The ids are copies, so
 * neither lookup finds its key already in cache. */
static struct query *make_queries(const struct kkp_table *t, char *ids, const uint64_t *offsets,
                                  size_t n, uint64_t hot_set, uint64_t *rng)
{
    uint64_t members = kkp_member_count(t);
    struct query *q = malloc(n * sizeof(*q));
    uint64_t *hot = NULL;

    if (!q)
        return NULL;
    if (hot_set) {
        hot = malloc(hot_set * sizeof(*hot));
        if (!hot) {
            free(q);
            return NULL;
        }
        for (uint64_t i = 0; i < hot_set; i++)
            hot[i] = gen_below(rng, members);
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t m = hot ? hot[gen_below(rng, hot_set)] : gen_below(rng, members);

        q[i].id = ids + offsets[m];
        q[i].len = (uint32_t)(offsets[m + 1] - offsets[m] - 1);
        q[i].bit = (uint32_t)gen_below(rng, kkp_permission_count(t));
    }
    free(hot);
    return q;
}

/* Copies every member id into one buffer, NUL-terminated, with offsets[m]
 * the start of member m and offsets[count] the end. */
static char *copy_ids(const struct kkp_table *t, uint64_t **offsets_out)
{
    uint64_t count = kkp_member_count(t), total = 0;
    uint64_t *offsets = malloc((count + 1) * sizeof(*offsets));
    char *ids;

    if (!offsets)
        return NULL;
    for (uint64_t i = 0; i < count; i++) {
        const char *id;
        size_t len;

        kkp_member_at(t, i, &id, &len, NULL, 0);
        offsets[i] = total;
        total += len + 1;
    }
    offsets[count] = total;
    ids = malloc(total ? total : 1);
    if (!ids) {
        free(offsets);
        return NULL;
    }
    for (uint64_t i = 0; i < count; i++) {
        const char *id;
        size_t len;

        kkp_member_at(t, i, &id, &len, NULL, 0);
        memcpy(ids + offsets[i], id, len);
        ids[offsets[i] + len] = '\0';
    }
    *offsets_out = offsets;
    return ids;
}

/* Checks that the library and the baseline agree on every query. */
static bool same_answers(const struct kkp_table *t, const struct kkp_bit *bits,
                         const struct baseline *b, const struct query *q, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int lib = kkp_check_bit(t, q[i].id, q[i].len, bits[q[i].bit]) == KKP_ALLOW;

        if (lib != baseline_check(b, q[i].id, q[i].len, q[i].bit)) {
            fprintf(stderr, "kkpbench: error: library and baseline disagree on '%s' %s\n",
                    q[i].id, gen_permission_names[q[i].bit]);
            return false;
        }
    }
    return true;
}

/* Writes lines MEMBER TAB PERMISSION for query --batch (with expect NULL) or
 * MEMBER TAB PERMISSION TAB allow|deny for the peers. */
static int write_queries(const char *path, const struct kkp_table *t, const struct kkp_bit *bits,
                         const struct query *q, size_t n, bool expect, uint64_t *allows)
{
    FILE *f = fopen(path, "wb");

    if (!f) {
        fprintf(stderr, "kkpbench: error: cannot create '%s': %s\n", path, strerror(errno));
        return -1;
    }
    *allows = 0;
    for (size_t i = 0; i < n; i++) {
        bool allow = kkp_check_bit(t, q[i].id, q[i].len, bits[q[i].bit]) == KKP_ALLOW;

        *allows += allow;
        fprintf(f, "%s\t%s", q[i].id, gen_permission_names[q[i].bit]);
        if (expect)
            fputs(allow ? "\tallow" : "\tdeny", f);
        fputc('\n', f);
    }
    if (ferror(f) | fclose(f)) {
        fprintf(stderr, "kkpbench: error: cannot write '%s'\n", path);
        return -1;
    }
    return 0;
}

/* Counts "allow" lines and all lines of a query --batch output. */
static int count_answers(const char *path, uint64_t *allows, uint64_t *lines)
{
    char line[64];
    FILE *f = fopen(path, "rb");

    if (!f)
        return -1;
    *allows = *lines = 0;
    while (fgets(line, sizeof(line), f)) {
        *lines += 1;
        *allows += strcmp(line, "allow\n") == 0;
    }
    fclose(f);
    return 0;
}

static int measure_batch(const struct options *o, const char *dir, const struct kkp_table *t,
                         const struct kkp_bit *bits, const struct query *q, size_t n,
                         struct result *r)
{
    char in[4096], out[4096], table[4096];
    char *argv[] = {(char *)o->kkpolc, "query", "--no-verify", "--batch", table, NULL};
    double times[MAX_RUNS];
    uint64_t expect, allows = 0, lines = 0;
    size_t runs = o->plan->batch_runs;

    snprintf(in, sizeof(in), "%s/batch.tsv", dir);
    snprintf(out, sizeof(out), "%s/batch.out", dir);
    snprintf(table, sizeof(table), "%s/members.kkpt", dir);
    if (write_queries(in, t, bits, q, n, false, &expect) != 0)
        return -1;
    for (size_t i = 0; i < runs; i++) {
        int rc = run_child(argv, in, out, &times[i], NULL);

        if (rc != 0) {
            fprintf(stderr, "kkpbench: error: query --batch failed with status %d\n", rc);
            return -1;
        }
    }
    if (count_answers(out, &allows, &lines) != 0 || lines != n || allows != expect) {
        fprintf(stderr, "kkpbench: error: query --batch gave %llu allows in %llu lines, "
                        "expected %llu in %zu\n",
                (unsigned long long)allows, (unsigned long long)lines,
                (unsigned long long)expect, n);
        return -1;
    }
    r->batch_lines_s = (double)n / median(times, runs);
    if (!o->keep) {
        unlink(in);
        unlink(out);
    }
    return 0;
}

/* Runs one peer configuration of bench/peers/peers.mjs and returns its JSON
 * report, or NULL when it failed. */
static json_t *run_peer(const struct options *o, const char *dir, const char *engine,
                        uint64_t members)
{
    char script[4096], report[4096], cap[32], compare[32], cmd[16384];
    json_error_t jerr;
    json_t *j;
    int rc;

    snprintf(script, sizeof(script), "%s/peers.mjs", o->peers);
    snprintf(report, sizeof(report), "%s/peer-%s.json", dir, engine);
    snprintf(cap, sizeof(cap), "%g", o->plan->peer_cap);
    snprintf(compare, sizeof(compare), "%zu", o->plan->peer_compare);
    snprintf(cmd, sizeof(cmd),
             "KKP_NODE_MODULES='%s' node '%s' --engine %s --dir '%s' --cap %s --compare %s > '%s'",
             o->node_modules, script, engine, dir, cap, compare, report);
    printf("  peer %-12s %8llu members ...\n", engine, (unsigned long long)members);
    fflush(stdout);
    rc = system(cmd);
    if (rc != 0) {
        fprintf(stderr, "kkpbench: error: peer '%s' failed (status %d); see above\n", engine, rc);
        return NULL;
    }
    j = json_load_file(report, 0, &jerr);
    if (!j)
        fprintf(stderr, "kkpbench: error: %s: %s\n", report, jerr.text);
    return j;
}

static bool peers_available(const struct options *o)
{
    char path[4096];

    if (!o->peers || !o->plan->peer_max_members)
        return false;
    if (system("node --version > /dev/null 2>&1") != 0) {
        printf("kkpbench: peers skipped: node is not installed\n");
        return false;
    }
    snprintf(path, sizeof(path), "%s/casbin/package.json", o->node_modules);
    if (access(path, R_OK) != 0) {
        printf("kkpbench: peers skipped: run 'make bench-deps' first to install casbin and "
               "@cedar-policy/cedar-wasm into %s\n", o->node_modules);
        return false;
    }
    return true;
}

static int measure_lookups(const struct options *o, const struct kkp_table *t, struct result *r,
                           const char *dir, bool peers)
{
    const struct plan *p = o->plan;
    struct kkp_bit bits[GEN_PERMISSIONS];
    double uni[MAX_RUNS], base[MAX_RUNS], hot[MAX_RUNS], hot_base[MAX_RUNS], byname[MAX_RUNS];
    double ratio[MAX_RUNS], hot_ratio[MAX_RUNS];
    uint64_t rng = SEED ^ r->members, *offsets = NULL, a1, a2;
    struct query *q = NULL, *qh = NULL, *qb = NULL;
    struct baseline *b = NULL;
    char *ids = NULL;
    int rc = -1;

    for (uint32_t i = 0; i < GEN_PERMISSIONS; i++) {
        if (kkp_permission(t, gen_permission_names[i], &bits[i]) != KKP_OK || bits[i].index != i) {
            fprintf(stderr, "kkpbench: error: the table's catalog is not knockknock.kkp\n");
            return -1;
        }
    }
    ids = copy_ids(t, &offsets);
    b = baseline_new(t);
    if (ids)
        q = make_queries(t, ids, offsets, p->queries, 0, &rng);
    if (ids)
        qh = make_queries(t, ids, offsets, p->queries, 1000, &rng);
    if (!ids || !b || !q || !qh) {
        fprintf(stderr, "kkpbench: error: out of memory building the queries\n");
        goto out;
    }
    if (!same_answers(t, bits, b, q, p->queries) || !same_answers(t, bits, b, qh, p->queries))
        goto out;

    /* Interleaved passes, so that a noisy moment hits both sides alike. The
     * ratio is the median of each pass's ratio, which a slow pass on a
     * shared machine moves less than a ratio of medians. */
    for (size_t i = 0; i < p->passes; i++) {
        uni[i] = time_check_bit(t, bits, q, p->queries, &a1);
        base[i] = time_baseline(b, q, p->queries, &a2);
        if (a1 != a2)
            goto out;
        ratio[i] = uni[i] / base[i];
        hot[i] = time_check_bit(t, bits, qh, p->queries, &a1);
        hot_base[i] = time_baseline(b, qh, p->queries, &a2);
        hot_ratio[i] = hot[i] / hot_base[i];
        if (a1 != a2)
            goto out;
        byname[i] = time_check_by_name(t, gen_permission_names, q, p->queries, &a2);
    }
    r->lookup_ns = median(uni, p->passes);
    r->baseline_ns = median(base, p->passes);
    r->hot_ns = median(hot, p->passes);
    r->hot_baseline_ns = median(hot_base, p->passes);
    r->check_by_name_ns = median(byname, p->passes);
    r->lookup_ratio = median(ratio, p->passes);
    r->hot_lookup_ratio = median(hot_ratio, p->passes);

    qb = make_queries(t, ids, offsets, p->batch_lines, 0, &rng);
    if (!qb) {
        fprintf(stderr, "kkpbench: error: out of memory building the batch input\n");
        goto out;
    }
    if (measure_batch(o, dir, t, bits, qb, p->batch_lines, r) != 0)
        goto out;

    if (peers) {
        static const char *const engines[] = {"casbin", "cedar-policy", "cedar-attr"};
        char path[4096];
        uint64_t allows;
        size_t n = p->queries < 100000 ? p->queries : 100000;

        snprintf(path, sizeof(path), "%s/queries.tsv", dir);
        if (write_queries(path, t, bits, q, n, true, &allows) != 0)
            goto out;
        r->peers = json_array();
        for (size_t i = 0; i < sizeof(engines) / sizeof(engines[0]); i++) {
            json_t *j = run_peer(o, dir, engines[i], r->members);

            if (!j)
                goto out;
            json_array_append_new(r->peers, j);
        }
    }
    rc = 0;

out:
    free(q);
    free(qh);
    free(qb);
    free(ids);
    free(offsets);
    baseline_free(b);
    return rc;
}

static int bench_size(const struct options *o, uint64_t members, bool peers, struct result *r)
{
    char dir[2048], table[4096];
    struct gen_result g;
    struct kkp_table *t;
    struct kkp_error err;
    bool with_peers = peers && members <= o->plan->peer_max_members && members <= 100000;
    int rc;

    memset(r, 0, sizeof(*r));
    r->members = members;
    snprintf(dir, sizeof(dir), "%s/m%llu", o->out, (unsigned long long)members);
    mkdir(dir, 0755);
    printf("  %llu members: generating\n", (unsigned long long)members);
    fflush(stdout);
    if (gen_policy(dir, o->policies, members, SEED, with_peers, &g) != 0)
        return -1;
    snprintf(table, sizeof(table), "%s/presets.kkp", dir);
    r->source_bytes = g.bytes + file_size(table);
    snprintf(table, sizeof(table), "%s/knockknock.kkp", dir);
    r->source_bytes += file_size(table);

    printf("  %llu members: compiling %.1f MB\n", (unsigned long long)members,
           (double)r->source_bytes / 1e6);
    fflush(stdout);
    if (compile_policy(o, dir, r) != 0)
        return -1;
    snprintf(table, sizeof(table), "%s/members.kkpt", dir);
    r->open_us = time_open(table, 0, o->plan->open_runs);
    r->open_verify_us = time_open(table, KKP_OPEN_VERIFY, o->plan->verify_runs);
    if (isnan(r->open_us) || isnan(r->open_verify_us))
        return -1;

    printf("  %llu members: lookups\n", (unsigned long long)members);
    fflush(stdout);
    if (kkp_table_open(table, KKP_OPEN_VERIFY, &t, &err) != KKP_OK) {
        fprintf(stderr, "kkpbench: error: %s\n", err.message);
        return -1;
    }
    if (kkp_member_count(t) != members) {
        fprintf(stderr, "kkpbench: error: the table holds %llu members, expected %llu\n",
                (unsigned long long)kkp_member_count(t), (unsigned long long)members);
        kkp_table_close(t);
        return -1;
    }
    rc = measure_lookups(o, t, r, dir, with_peers);
    kkp_table_close(t);
    if (members >= 1000000 && !o->keep) {
        /* Keep the disk for the next size: the large sources are regenerated each run. */
        snprintf(table, sizeof(table), "%s/members.kkp", dir);
        unlink(table);
        snprintf(table, sizeof(table), "%s/members.kkpt", dir);
        unlink(table);
    }
    return rc;
}

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *result_json(const struct result *r)
{
    json_t *j = json_object();

    json_object_set_new(j, "members", json_integer((json_int_t)r->members));
    json_object_set_new(j, "source_bytes", json_integer((json_int_t)r->source_bytes));
    json_object_set_new(j, "table_bytes", json_integer((json_int_t)r->table_bytes));
    json_object_set_new(j, "compile_seconds", num(r->compile_s));
    json_object_set_new(j, "compile_mb_per_s", num(r->compile_mb_s));
    json_object_set_new(j, "compile_peak_rss_mb", num(r->compile_rss_mb));
    json_object_set_new(j, "compile_rss_to_source", num(r->rss_to_source));
    json_object_set_new(j, "open_us", num(r->open_us));
    json_object_set_new(j, "open_verify_us", num(r->open_verify_us));
    json_object_set_new(j, "lookup_ns", num(r->lookup_ns));
    json_object_set_new(j, "baseline_ns", num(r->baseline_ns));
    json_object_set_new(j, "lookup_to_baseline", num(r->lookup_ratio));
    json_object_set_new(j, "hot_lookup_ns", num(r->hot_ns));
    json_object_set_new(j, "hot_baseline_ns", num(r->hot_baseline_ns));
    json_object_set_new(j, "hot_lookup_to_baseline", num(r->hot_lookup_ratio));
    json_object_set_new(j, "check_by_name_ns", num(r->check_by_name_ns));
    json_object_set_new(j, "batch_lines_per_s", num(r->batch_lines_s));
    if (r->peers)
        json_object_set(j, "peers", r->peers);
    return j;
}

/* True when every figure of a result is a positive finite number, which is
 * what the smoke test in make check asserts. */
static bool complete(const struct result *r)
{
    const double v[] = {r->compile_s,  r->compile_mb_s, r->compile_rss_mb, r->open_us,
                        r->open_verify_us, r->lookup_ns, r->baseline_ns,   r->hot_ns,
                        r->hot_baseline_ns, r->check_by_name_ns, r->batch_lines_s};

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        if (!isfinite(v[i]) || v[i] <= 0)
            return false;
    }
    return r->source_bytes > 0 && r->table_bytes > 0;
}

static void print_table(const struct result *res, size_t n)
{
    printf("\n%10s %9s %8s %8s %7s %7s %8s %8s %8s %7s %8s %8s %8s %7s\n", "members", "source",
           "compile", "MB/s", "peakMB", "rss/src", "open", "open+ck", "lookup", "base",
           "ratio", "hot", "hotbase", "batch");
    printf("%10s %9s %8s %8s %7s %7s %8s %8s %8s %7s %8s %8s %8s %7s\n", "", "MB", "s", "", "",
           "", "us", "us", "ns", "ns", "", "ns", "ns", "Mline/s");
    for (size_t i = 0; i < n; i++) {
        const struct result *r = &res[i];

        printf("%10llu %9.1f %8.3f %8.1f %7.1f %7.2f %8.1f %8.1f %8.1f %7.1f %8.2f %8.1f %8.1f "
               "%7.2f\n",
               (unsigned long long)r->members, (double)r->source_bytes / 1e6, r->compile_s,
               r->compile_mb_s, r->compile_rss_mb, r->rss_to_source, r->open_us,
               r->open_verify_us, r->lookup_ns, r->baseline_ns, r->lookup_ratio,
               r->hot_ns, r->hot_baseline_ns, r->batch_lines_s / 1e6);
    }
    printf("\nkkp_check by name (ns):");
    for (size_t i = 0; i < n; i++)
        printf(" %llu: %.1f", (unsigned long long)res[i].members, res[i].check_by_name_ns);
    printf("\n");
    for (size_t i = 0; i < n; i++) {
        const struct result *r = &res[i];
        size_t k;
        json_t *peer;

        if (!r->peers)
            continue;
        json_array_foreach(r->peers, k, peer)
        {
            printf("peer %-12s %8llu members: load %.2f s, %.3g decisions/s (%.3g us each) over "
                   "%.1f s, %lld compared\n",
                   json_string_value(json_object_get(peer, "engine")),
                   (unsigned long long)r->members,
                   json_number_value(json_object_get(peer, "load_seconds")),
                   json_number_value(json_object_get(peer, "decisions_per_second")),
                   json_number_value(json_object_get(peer, "ns_per_decision")) / 1e3,
                   json_number_value(json_object_get(peer, "seconds")),
                   (long long)json_integer_value(json_object_get(peer, "compared")));
        }
    }
    printf("\n");
    for (size_t i = 0; i < n; i++) {
        const struct result *r = &res[i];
        size_t k;
        json_t *peer;

        printf("ratio lookup/baseline members=%llu uniform=%.2f hot=%.2f\n",
               (unsigned long long)r->members, r->lookup_ratio, r->hot_lookup_ratio);
        if (!r->peers)
            continue;
        json_array_foreach(r->peers, k, peer)
        {
            printf("ratio %s/kkpol members=%llu per_decision=%.0f\n",
                   json_string_value(json_object_get(peer, "engine")),
                   (unsigned long long)r->members,
                   json_number_value(json_object_get(peer, "ns_per_decision")) / r->lookup_ns);
        }
    }
}

static json_t *machine_json(void)
{
    json_t *j = json_object();
    struct utsname u;
    char line[256], model[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");

    if (f) {
        while (fgets(line, sizeof(line), f)) {
            char *colon = strchr(line, ':');
            if (strncmp(line, "model name", 10) == 0 && colon) {
                snprintf(model, sizeof(model), "%s", colon + 2);
                model[strcspn(model, "\n")] = '\0';
                break;
            }
        }
        fclose(f);
    }
    json_object_set_new(j, "cpu", json_string(model));
    json_object_set_new(j, "cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
    json_object_set_new(j, "memory_bytes", json_integer((json_int_t)sysconf(_SC_PHYS_PAGES) *
                                                        sysconf(_SC_PAGESIZE)));
    if (uname(&u) == 0)
        json_object_set_new(j, "kernel", json_string(u.release));
    return j;
}

static void usage(FILE *f)
{
    fputs("usage: kkpbench [--quick | --smoke] [--sizes N,N,...] [--keep] --kkpolc PATH\n"
          "                --policies DIR --out DIR [--peers DIR --node-modules DIR]\n"
          "  --quick         fewer sizes and repetitions: under a minute\n"
          "  --smoke         one tiny run that checks every figure is produced\n"
          "  --sizes         member counts to run instead of the mode's\n"
          "  --kkpolc        the compiler to time\n"
          "  --policies      folder with knockknock.kkp and presets.kkp\n"
          "  --out           folder for generated policies, tables and summary.json\n"
          "  --peers         folder of peers.mjs (the Casbin and Cedar harness)\n"
          "  --node-modules  folder where 'make bench-deps' installed the peers\n"
          "  --keep          keep the generated files of every size, for profiling\n",
          f);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"quick", no_argument, NULL, 'q'},         {"smoke", no_argument, NULL, 's'},
        {"sizes", required_argument, NULL, 'z'},   {"kkpolc", required_argument, NULL, 'k'},
        {"policies", required_argument, NULL, 'p'}, {"out", required_argument, NULL, 'o'},
        {"peers", required_argument, NULL, 'e'},   {"node-modules", required_argument, NULL, 'n'},
        {"keep", no_argument, NULL, 'K'},          {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct options o = {0};
    struct plan custom;
    struct result res[4];
    const char *sizes = NULL;
    char path[4096];
    json_t *summary, *arr;
    bool peers, ok = true;
    double start = now_seconds();
    int opt;
    size_t n = 0;

    o.plan = &plan_full;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'q': o.plan = &plan_quick; break;
        case 's': o.plan = &plan_smoke; break;
        case 'z': sizes = optarg; break;
        case 'k': o.kkpolc = optarg; break;
        case 'p': o.policies = optarg; break;
        case 'o': o.out = optarg; break;
        case 'e': o.peers = optarg; break;
        case 'n': o.node_modules = optarg; break;
        case 'K': o.keep = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!o.kkpolc || !o.policies || !o.out || optind != argc || (o.peers && !o.node_modules)) {
        usage(stderr);
        return 2;
    }
    if (sizes) {
        char *end;

        custom = *o.plan;
        custom.nsizes = 0;
        for (const char *s = sizes; *s && custom.nsizes < 4; s = *end ? end + 1 : end) {
            custom.sizes[custom.nsizes++] = strtoull(s, &end, 10);
            if (end == s || (*end && *end != ',') || custom.sizes[custom.nsizes - 1] == 0) {
                fprintf(stderr, "kkpbench: error: invalid --sizes '%s'; expected up to four "
                                "positive counts separated by commas\n", sizes);
                return 2;
            }
        }
        o.plan = &custom;
    }
    mkdir(o.out, 0755);
    printf("kkpbench: %s run\n", o.plan->mode);
    peers = peers_available(&o);

    for (n = 0; n < o.plan->nsizes; n++) {
        if (bench_size(&o, o.plan->sizes[n], peers, &res[n]) != 0) {
            ok = false;
            break;
        }
        if (!complete(&res[n])) {
            fprintf(stderr, "kkpbench: error: a figure is missing at %llu members\n",
                    (unsigned long long)res[n].members);
            ok = false;
        }
    }
    print_table(res, n);

    summary = json_object();
    json_object_set_new(summary, "mode", json_string(o.plan->mode));
    json_object_set_new(summary, "seed", json_integer(SEED));
    json_object_set_new(summary, "machine", machine_json());
    json_object_set_new(summary, "queries_per_pass", json_integer((json_int_t)o.plan->queries));
    json_object_set_new(summary, "lookup_passes", json_integer((json_int_t)o.plan->passes));
    arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, result_json(&res[i]));
    json_object_set_new(summary, "sizes", arr);
    json_object_set_new(summary, "wall_seconds", json_real(now_seconds() - start));
    snprintf(path, sizeof(path), "%s/summary.json", o.out);
    if (json_dump_file(summary, path, JSON_INDENT(2)) != 0) {
        fprintf(stderr, "kkpbench: error: cannot write '%s'\n", path);
        ok = false;
    }
    json_decref(summary);
    for (size_t i = 0; i < n; i++)
        json_decref(res[i].peers);
    printf("kkpbench: wrote %s in %.0f s\n", path, now_seconds() - start);
    return ok ? 0 : 1;
}
