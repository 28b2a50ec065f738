/* The reloader: validation before the swap, the last good table on failure,
 * readers that outlive a reload, and readers racing thousands of reloads.
 * `make check-tsan` runs this suite under ThreadSanitizer with more rounds
 * (KKP_RELOAD_ROUNDS). */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kkpol.h"
#include "lower.h"
#include "testlib.h"

#define MEMBERS 40
#define READERS 8

/* Table bytes compiled from text, with a revision. */
struct image {
    unsigned char *data;
    size_t size;
};

/* Two tables with different catalogs: in table A member i holds only
 * permission p(i % 4); in table B it holds every permission but that one,
 * and B has a fifth permission, so its catalog fingerprint differs. */
static struct image table_a, table_b;

static struct image compile_text(const char *text, const char *revision)
{
    struct tpolicy tp;
    struct lower_options lo;
    struct table_image img;
    struct image out;

    memset(&lo, 0, sizeof(lo));
    lo.revision = revision;

    tpolicy_text(&tp, text);
    if (tpolicy_errors(&tp))
        tpolicy_dump(&tp);
    ck_assert_uint_eq(tpolicy_errors(&tp), 0);
    lower_policy(&tp.pol, &lo, &img);
    tpolicy_release(&tp);
    out.data = img.data;
    out.size = img.size;
    return out;
}

static char *policy_text(bool b)
{
    size_t cap = 64 * 1024, used = 0;
    char *text = malloc(cap);

    ck_assert_ptr_nonnull(text);
    used += (size_t)snprintf(text + used, cap - used,
                             "permission p0; permission p1; permission p2; permission p3;\n%s",
                             b ? "permission p4;\n" : "");
    for (int i = 0; i < MEMBERS; i++) {
        if (b)
            used += (size_t)snprintf(text + used, cap - used,
                                     "member \"m%d\" { grant *; revoke p%d; }\n", i, i % 4);
        else
            used += (size_t)snprintf(text + used, cap - used, "member \"m%d\" { grant p%d; }\n",
                                     i, i % 4);
    }
    return text;
}

static void build_tables(void)
{
    char *a = policy_text(false), *b = policy_text(true);

    table_a = compile_text(a, "A");
    table_b = compile_text(b, "B");
    free(a);
    free(b);
}

static void free_tables(void)
{
    free(table_a.data);
    free(table_b.data);
}

/* Replaces path by renaming a new file over it, as kkpolc compile does. */
static void install(const char *path, const void *data, size_t size)
{
    char tmp[4096];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.new", path);
    f = fopen(tmp, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, size, f), size);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(rename(tmp, path), 0);
}

/* Writes one of the bad variants of table A: truncated, corrupt or garbage. */
static void install_bad(const char *path, int kind)
{
    unsigned char *copy = malloc(table_a.size);

    ck_assert_ptr_nonnull(copy);
    memcpy(copy, table_a.data, table_a.size);
    if (kind == 0) {
        install(path, copy, table_a.size / 2);
    } else if (kind == 1) {
        copy[table_a.size / 2] ^= 0x40;
        install(path, copy, table_a.size);
    } else {
        install(path, "permission p0;\n", 15);
    }
    free(copy);
}

static char *table_path(char **dir)
{
    char *path;

    *dir = tdir_new();
    path = malloc(strlen(*dir) + 16);
    ck_assert_ptr_nonnull(path);
    sprintf(path, "%s/team.kkpt", *dir);
    return path;
}

static void remove_dir(char *dir, char *path)
{
    char tmp[4096];

    unlink(path);
    snprintf(tmp, sizeof(tmp), "%s.new", path);
    unlink(tmp);
    rmdir(dir);
    free(path);
    free(dir);
}

/* The revision of the active table, checked to be A or B. */
static char active_revision(struct kkp_reloader *r)
{
    struct kkp_reloader_info info;
    char rev[8];

    ck_assert_int_eq(kkp_reloader_info(r, &info, rev, sizeof(rev)), KKP_OK);
    ck_assert_int_eq(info.has_revision, 1);
    ck_assert_msg(strcmp(rev, "A") == 0 || strcmp(rev, "B") == 0, "revision '%s'", rev);
    return rev[0];
}

START_TEST(reload_new_missing_file)
{
    struct kkp_reloader *r = (struct kkp_reloader *)1;
    struct kkp_error err;

    ck_assert_int_eq(kkp_reloader_new("/nonexistent/team.kkpt", &r, &err), KKP_EIO);
    ck_assert_ptr_null(r);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/team.kkpt"));
}
END_TEST

START_TEST(reload_new_corrupt_file)
{
    char *dir, *path = table_path(&dir);
    struct kkp_reloader *r;
    struct kkp_error err;

    build_tables();
    install_bad(path, 1);
    ck_assert_int_eq(kkp_reloader_new(path, &r, &err), KKP_ECHECKSUM);
    ck_assert_ptr_null(r);
    free_tables();
    remove_dir(dir, path);
}
END_TEST

START_TEST(reload_swaps_good_keeps_last_good)
{
    char *dir, *path = table_path(&dir);
    struct kkp_reloader *r;
    struct kkp_reloader_info info;
    struct kkp_error err;
    uint64_t digest_a[2];
    char rev[8];

    build_tables();
    install(path, table_a.data, table_a.size);
    ck_assert_int_eq(kkp_reloader_new(path, &r, &err), KKP_OK);
    ck_assert_int_eq(kkp_reloader_info(r, &info, rev, sizeof(rev)), KKP_OK);
    ck_assert_uint_eq(info.generation, 1);
    ck_assert_str_eq(rev, "A");
    digest_a[0] = info.source_digest[0];
    digest_a[1] = info.source_digest[1];

    install(path, table_b.data, table_b.size);
    ck_assert_int_eq(kkp_reloader_reload(r, &err), KKP_OK);
    ck_assert_int_eq(kkp_reloader_info(r, &info, rev, sizeof(rev)), KKP_OK);
    ck_assert_uint_eq(info.generation, 2);
    ck_assert_str_eq(rev, "B");
    ck_assert(info.source_digest[0] != digest_a[0] || info.source_digest[1] != digest_a[1]);

    /* Truncated, corrupt, not a table, missing: each fails and B serves on. */
    install_bad(path, 0);
    ck_assert_int_eq(kkp_reloader_reload(r, &err), KKP_ETRUNCATED);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    install_bad(path, 1);
    ck_assert_int_eq(kkp_reloader_reload(r, &err), KKP_ECHECKSUM);
    install_bad(path, 2);
    ck_assert_int_eq(kkp_reloader_reload(r, &err), KKP_EMAGIC);
    unlink(path);
    ck_assert_int_eq(kkp_reloader_reload(r, &err), KKP_EIO);
    ck_assert_int_eq(kkp_reloader_info(r, &info, rev, sizeof(rev)), KKP_OK);
    ck_assert_uint_eq(info.generation, 2);
    ck_assert_str_eq(rev, "B");
    {
        const struct kkp_table *t = kkp_reloader_acquire(r);

        ck_assert_int_eq(kkp_check(t, "m1", "p4"), KKP_ALLOW);
        ck_assert_int_eq(kkp_check(t, "m1", "p1"), KKP_DENY);
        kkp_reloader_release(r, t);
    }

    kkp_reloader_free(r);
    free_tables();
    remove_dir(dir, path);
}
END_TEST

START_TEST(reload_info_revision_range)
{
    char *dir, *path = table_path(&dir);
    struct kkp_reloader *r;
    struct kkp_reloader_info info;
    struct kkp_error err;
    char rev[1];

    build_tables();
    install(path, table_a.data, table_a.size);
    ck_assert_int_eq(kkp_reloader_new(path, &r, &err), KKP_OK);
    ck_assert_int_eq(kkp_reloader_info(r, &info, rev, sizeof(rev)), KKP_ERANGE);
    ck_assert_str_eq(rev, "");
    ck_assert_int_eq(kkp_reloader_info(r, &info, NULL, 0), KKP_OK);
    ck_assert_int_eq(kkp_reloader_info(NULL, &info, NULL, 0), KKP_EINVAL);
    ck_assert_ptr_null(kkp_reloader_acquire(NULL));
    ck_assert_int_eq(kkp_reloader_reload(NULL, &err), KKP_EINVAL);
    kkp_reloader_free(r);
    free_tables();
    remove_dir(dir, path);
}
END_TEST

/* Lines of /proc/self/maps that map path (old versions show "(deleted)"). */
static int mappings_of(const char *path)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[8192];
    int n = 0;

    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof(line), f)) {
        if (strstr(line, path))
            n++;
    }
    fclose(f);
    return n;
}

struct reload_call {
    struct kkp_reloader *r;
    atomic_int done;
    int rc;
};

static void *reload_thread(void *arg)
{
    struct reload_call *call = arg;

    call->rc = kkp_reloader_reload(call->r, NULL);
    atomic_store(&call->done, 1);
    return NULL;
}

START_TEST(reload_waits_for_last_reader)
{
    char *dir, *path = table_path(&dir);
    struct kkp_reloader *r;
    struct kkp_error err;
    struct reload_call call;
    const struct kkp_table *old, *t;
    pthread_t th;
    struct timespec pause = {0, 100 * 1000 * 1000};

    build_tables();
    install(path, table_a.data, table_a.size);
    ck_assert_int_eq(kkp_reloader_new(path, &r, &err), KKP_OK);
    ck_assert_int_eq(mappings_of(path), 1);
    old = kkp_reloader_acquire(r);
    install(path, table_b.data, table_b.size);

    call.r = r;
    atomic_init(&call.done, 0);
    ck_assert_int_eq(pthread_create(&th, NULL, reload_thread, &call), 0);
    nanosleep(&pause, NULL);
    /* The reload has swapped in B but cannot unmap A while it is held. */
    ck_assert_msg(atomic_load(&call.done) == 0,
                  "reload returned %d (%s) while table A was still held", call.rc,
                  kkp_strerror(call.rc));
    ck_assert_str_eq(kkp_revision(old), "A");
    ck_assert_int_eq(kkp_check(old, "m1", "p1"), KKP_ALLOW);
    t = kkp_reloader_acquire(r);
    ck_assert_str_eq(kkp_revision(t), "B");
    kkp_reloader_release(r, t);

    kkp_reloader_release(r, old);
    ck_assert_int_eq(pthread_join(th, NULL), 0);
    ck_assert_int_eq(call.rc, KKP_OK);
    ck_assert_int_eq(mappings_of(path), 1); /* A was unmapped at its release */

    kkp_reloader_free(r);
    free_tables();
    remove_dir(dir, path);
}
END_TEST

/* Shared by the stress readers and the reloading thread. */
struct stress {
    struct kkp_reloader *r;
    struct kkp_bit bit_a; /* p1 resolved in table A */
    atomic_int stop;
    atomic_long checks;
    atomic_int failures;
    char failure[256];
    pthread_mutex_t failure_lock;
};

static void stress_fail(struct stress *s, const char *what, int member)
{
    pthread_mutex_lock(&s->failure_lock);
    if (atomic_fetch_add(&s->failures, 1) == 0)
        snprintf(s->failure, sizeof(s->failure), "%s (member m%d)", what, member);
    pthread_mutex_unlock(&s->failure_lock);
}

/* Checks every member of one acquired table against the table its revision
 * names; any answer from the other table is a mixture. */
static void check_snapshot(struct stress *s, const struct kkp_table *t, unsigned seed)
{
    const char *rev = kkp_revision(t);
    bool b;
    char id[16], perm[8];

    if (!rev || (strcmp(rev, "A") != 0 && strcmp(rev, "B") != 0)) {
        stress_fail(s, "a reader got a table that is neither A nor B", -1);
        return;
    }
    b = rev[0] == 'B';
    if (kkp_permission_count(t) != (b ? 5u : 4u))
        stress_fail(s, "catalog size differs from the revision", -1);
    for (int k = 0; k < 8; k++) {
        int m = (int)((seed + (unsigned)k * 7u) % MEMBERS);
        int p = (int)((seed + (unsigned)k) % 4);
        enum kkp_decision want = ((m % 4 == p) != b) ? KKP_ALLOW : KKP_DENY;
        enum kkp_decision got_a;

        snprintf(id, sizeof(id), "m%d", m);
        snprintf(perm, sizeof(perm), "p%d", p);
        if (kkp_check(t, id, perm) != want)
            stress_fail(s, "an answer differs from the table its revision names", m);
        /* A bit from table A is unknown in B, whatever its index. */
        got_a = kkp_check_bit(t, id, strlen(id), s->bit_a);
        if (b ? got_a != KKP_UNKNOWN_PERMISSION
              : got_a != ((m % 4 == 1) ? KKP_ALLOW : KKP_DENY))
            stress_fail(s, "a bit of table A answered wrongly", m);
        atomic_fetch_add(&s->checks, 1);
    }
}

static void *stress_reader(void *arg)
{
    struct stress *s = arg;
    unsigned seed = (unsigned)(uintptr_t)&seed;

    while (!atomic_load(&s->stop)) {
        const struct kkp_table *t = kkp_reloader_acquire(s->r);

        seed = seed * 1103515245u + 12345u;
        check_snapshot(s, t, seed >> 8);
        kkp_reloader_release(s->r, t);
    }
    return NULL;
}

static long stress_rounds(void)
{
    const char *env = getenv("KKP_RELOAD_ROUNDS");
    long n = env ? strtol(env, NULL, 10) : 0;

    return n > 0 ? n : 300;
}

START_TEST(reload_stress_readers)
{
    char *dir, *path = table_path(&dir);
    struct stress s;
    struct kkp_error err;
    pthread_t readers[READERS];
    long rounds = stress_rounds(), good = 0, bad = 0;
    char last = 'A';
    const struct kkp_table *t;

    build_tables();
    install(path, table_a.data, table_a.size);
    memset(&s, 0, sizeof(s));
    pthread_mutex_init(&s.failure_lock, NULL);
    ck_assert_int_eq(kkp_reloader_new(path, &s.r, &err), KKP_OK);
    t = kkp_reloader_acquire(s.r);
    ck_assert_int_eq(kkp_permission(t, "p1", &s.bit_a), KKP_OK);
    kkp_reloader_release(s.r, t);

    for (int i = 0; i < READERS; i++)
        ck_assert_int_eq(pthread_create(&readers[i], NULL, stress_reader, &s), 0);
    /* Good and bad files in turn: A, truncated, B, corrupt, missing, not a table. */
    for (long i = 0; i < rounds; i++) {
        int step = (int)(i % 6);
        int rc, want;

        switch (step) {
        case 0:
            install(path, table_a.data, table_a.size);
            break;
        case 2:
            install(path, table_b.data, table_b.size);
            break;
        case 4:
            unlink(path);
            break;
        default:
            install_bad(path, step == 1 ? 0 : step == 3 ? 1 : 2);
            break;
        }
        rc = kkp_reloader_reload(s.r, &err);
        want = step == 0 || step == 2 ? KKP_OK : step == 1 ? KKP_ETRUNCATED
               : step == 3 ? KKP_ECHECKSUM : step == 4 ? KKP_EIO : KKP_EMAGIC;
        if (rc != want) {
            atomic_store(&s.stop, 1);
            ck_abort_msg("round %ld: reload returned %d, expected %d: %s", i, rc, want,
                         err.message);
        }
        if (rc == KKP_OK) {
            last = step == 0 ? 'A' : 'B';
            good++;
        } else {
            bad++;
        }
        ck_assert_int_eq(active_revision(s.r), last);
    }
    atomic_store(&s.stop, 1);
    for (int i = 0; i < READERS; i++)
        ck_assert_int_eq(pthread_join(readers[i], NULL), 0);

    ck_assert_msg(atomic_load(&s.failures) == 0, "%d reader failures, first: %s",
                  atomic_load(&s.failures), s.failure);
    ck_assert_int_gt(atomic_load(&s.checks), 0);
    ck_assert_int_eq(good + bad, rounds);
    ck_assert_int_eq(mappings_of(path), 1);
    kkp_reloader_free(s.r);
    pthread_mutex_destroy(&s.failure_lock);
    free_tables();
    remove_dir(dir, path);
}
END_TEST

Suite *suite_reload(void)
{
    Suite *s = suite_create("reload");
    TCase *tc = tcase_create("reload");

    tcase_add_test(tc, reload_new_missing_file);
    tcase_add_test(tc, reload_new_corrupt_file);
    tcase_add_test(tc, reload_swaps_good_keeps_last_good);
    tcase_add_test(tc, reload_info_revision_range);
    tcase_add_test(tc, reload_waits_for_last_reader);
    suite_add_tcase(s, tc);

    tc = tcase_create("stress");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, reload_stress_readers);
    suite_add_tcase(s, tc);
    return s;
}
