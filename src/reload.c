/* libkkpol: the reloader, which serves one table at a time to many reader
 * threads and replaces it with a newly validated one on request.
 *
 * Two slots contain tables; `current` names the one readers get. Each slot
 * counts the readers that may be using it. A reader increments the count of
 * the slot it saw as current, then checks that the slot is still current. If
 * it is, the slot's table cannot change or be unmapped until the reader
 * decrements the count again. If it is not, the reader decrements and
 * retries. A reload,
 * serialized by a mutex, validates the new table first, waits for stray
 * increments on the spare slot to go away, installs the table there and
 * makes that slot current. It then waits for the old slot's readers to
 * finish and unmaps the old table, so at most two tables are ever mapped.
 * Readers never take the mutex and never wait for the writer. */
#include "kkpol.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct reloader_slot {
    _Atomic(struct kkp_table *) table; /* NULL when the slot is spare */
    atomic_ulong readers;              /* readers that may be using table */
    atomic_ulong generation;           /* the table's generation number */
};

struct kkp_reloader {
    char *path;
    struct reloader_slot slots[2];
    atomic_uint current;       /* index of the slot readers get */
    unsigned long generations; /* successful loads so far; guarded by lock */
    pthread_mutex_t lock;      /* serializes reloads */
};

/* Waits until no reader counts itself on the slot. Only the reloading thread
 * waits: it spins briefly, then sleeps in short steps. */
static void wait_for_readers(struct reloader_slot *slot)
{
    unsigned spins = 0;

    while (atomic_load(&slot->readers) != 0) {
        if (++spins < 64) {
            sched_yield();
        } else {
            struct timespec pause = {0, 50 * 1000}; /* 50 microseconds */
            nanosleep(&pause, NULL);
        }
    }
}

int kkp_reloader_new(const char *path, struct kkp_reloader **out, struct kkp_error *err)
{
    struct kkp_reloader *r;
    struct kkp_table *t;
    int rc;

    if (!out) {
        if (err) {
            err->code = KKP_EINVAL;
            strcpy(err->message, "kkp_reloader_new: out is NULL");
        }
        return KKP_EINVAL;
    }
    *out = NULL;
    rc = kkp_table_open(path, KKP_OPEN_VERIFY, &t, err);
    if (rc != KKP_OK)
        return rc;
    r = calloc(1, sizeof(*r));
    if (r)
        r->path = strdup(path);
    if (!r || !r->path || pthread_mutex_init(&r->lock, NULL) != 0) {
        if (r)
            free(r->path);
        free(r);
        kkp_table_close(t);
        if (err) {
            err->code = KKP_ENOMEM;
            strcpy(err->message, "kkp_reloader_new: out of memory");
        }
        return KKP_ENOMEM;
    }
    r->generations = 1;
    atomic_init(&r->slots[0].table, t);
    atomic_init(&r->slots[0].readers, 0);
    atomic_init(&r->slots[0].generation, 1);
    atomic_init(&r->slots[1].table, NULL);
    atomic_init(&r->slots[1].readers, 0);
    atomic_init(&r->slots[1].generation, 0);
    atomic_init(&r->current, 0);
    *out = r;
    return KKP_OK;
}

void kkp_reloader_free(struct kkp_reloader *r)
{
    if (!r)
        return;
    for (int i = 0; i < 2; i++)
        kkp_table_close(atomic_load(&r->slots[i].table));
    pthread_mutex_destroy(&r->lock);
    free(r->path);
    free(r);
}

int kkp_reloader_reload(struct kkp_reloader *r, struct kkp_error *err)
{
    struct kkp_table *fresh, *old;
    unsigned cur, next;
    int rc;

    if (!r) {
        if (err) {
            err->code = KKP_EINVAL;
            strcpy(err->message, "kkp_reloader_reload: reloader is NULL");
        }
        return KKP_EINVAL;
    }
    pthread_mutex_lock(&r->lock);
    /* Validate completely before anything changes: a missing, truncated or
     * corrupt file fails here and the current table keeps serving. */
    rc = kkp_table_open(r->path, KKP_OPEN_VERIFY, &fresh, err);
    if (rc != KKP_OK) {
        pthread_mutex_unlock(&r->lock);
        return rc;
    }

    cur = atomic_load(&r->current);
    next = 1 - cur;
    /* The spare slot has no table; only readers that are about to notice it
     * is not current may still count themselves on it. */
    wait_for_readers(&r->slots[next]);
    atomic_store(&r->slots[next].generation, ++r->generations);
    atomic_store(&r->slots[next].table, fresh);
    atomic_store(&r->current, next);

    /* New readers now get the fresh table; unmap the old one once its last
     * reader has released it. */
    wait_for_readers(&r->slots[cur]);
    old = atomic_exchange(&r->slots[cur].table, NULL);
    pthread_mutex_unlock(&r->lock);
    kkp_table_close(old);
    return KKP_OK;
}

/* Returns the current slot with this thread counted as its reader. */
static struct reloader_slot *enter_current(struct kkp_reloader *r)
{
    for (;;) {
        unsigned i = atomic_load(&r->current);
        struct reloader_slot *slot = &r->slots[i];

        atomic_fetch_add(&slot->readers, 1);
        if (atomic_load(&r->current) == i)
            return slot;
        atomic_fetch_sub(&slot->readers, 1); /* a reload switched slots meanwhile */
    }
}

const struct kkp_table *kkp_reloader_acquire(struct kkp_reloader *r)
{
    if (!r)
        return NULL;
    return atomic_load(&enter_current(r)->table);
}

void kkp_reloader_release(struct kkp_reloader *r, const struct kkp_table *table)
{
    if (!r || !table)
        return;
    /* The slot that contains table keeps it while this reader is counted,
     * and no other live table has the same address. */
    for (int i = 0; i < 2; i++) {
        if (atomic_load(&r->slots[i].table) == table) {
            atomic_fetch_sub(&r->slots[i].readers, 1);
            return;
        }
    }
}

int kkp_reloader_info(struct kkp_reloader *r, struct kkp_reloader_info *info, char *revision,
                      size_t revision_size)
{
    struct reloader_slot *slot;
    const struct kkp_table *t;
    const char *rev;
    int rc = KKP_OK;

    if (!r || !info)
        return KKP_EINVAL;
    slot = enter_current(r);
    t = atomic_load(&slot->table);
    info->generation = atomic_load(&slot->generation);
    kkp_source_digest(t, info->source_digest);
    rev = kkp_revision(t);
    info->has_revision = rev != NULL;
    if (revision && revision_size) {
        size_t len = rev ? strlen(rev) : 0;

        if (len >= revision_size) {
            len = revision_size - 1;
            rc = KKP_ERANGE;
        }
        memcpy(revision, rev ? rev : "", len);
        revision[len] = '\0';
    }
    atomic_fetch_sub(&slot->readers, 1);
    return rc;
}
