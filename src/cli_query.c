/* kkpolc query: one decision, or a batch of MEMBER<TAB>PERMISSION lines. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "kkpol.h"
#include "table_internal.h"

#define QUERY_USAGE                                                                                \
    "usage: kkpolc query [--no-verify] TABLE MEMBER PERMISSION\n"                                  \
    "       kkpolc query [--no-verify] --batch TABLE\n"

/* Unknown members in a batch are reported on stderr up to this many times,
 * then counted. */
#define BATCH_NOTE_LIMIT 10

static int open_table(const char *path, bool verify, struct kkp_table **t)
{
    struct kkp_error err;

    if (kkp_table_open(path, verify ? KKP_OPEN_VERIFY : 0, t, &err) != KKP_OK) {
        cli_error("%s", err.message);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int query_one(struct kkp_table *t, const char *member, const char *permission)
{
    struct kkp_bit bit;

    if (kkp_permission(t, permission, &bit) != KKP_OK) {
        cli_error("unknown permission '%s'; 'kkpolc dump TABLE' lists the catalog", permission);
        return EXIT_USAGE;
    }
    switch (kkp_check_bit(t, member, strlen(member), bit)) {
    case KKP_ALLOW:
        puts("allow");
        return EXIT_OK;
    case KKP_UNKNOWN_MEMBER:
        puts("deny");
        fprintf(stderr, "kkpolc: note: member '%s' is not in the table, so it has no "
                        "permissions\n", member);
        return EXIT_POLICY;
    case KKP_DENY:
        puts("deny");
        return EXIT_POLICY;
    case KKP_UNKNOWN_PERMISSION:
        break;
    }
    cli_error("unknown permission '%s'", permission);
    return EXIT_USAGE;
}

struct batch {
    struct kkp_table *table;
    /* The last permission resolved: batches usually repeat a few names. */
    char *last_name;
    size_t last_len, last_cap;
    struct kkp_bit last_bit;
    bool last_ok;
    size_t errors;
    size_t unknown_members;
    char *out;
    size_t out_len;
};

#define OUT_BUFFER (1u << 16)

static void emit(struct batch *b, const char *word, size_t len)
{
    if (b->out_len + len > OUT_BUFFER) {
        fwrite(b->out, 1, b->out_len, stdout);
        b->out_len = 0;
    }
    memcpy(b->out + b->out_len, word, len);
    b->out_len += len;
}

static void batch_error(struct batch *b, size_t lineno, const char *why)
{
    fwrite(b->out, 1, b->out_len, stdout);
    b->out_len = 0;
    fflush(stdout);
    fprintf(stderr, "kkpolc: error: line %zu: %s\n", lineno, why);
    fflush(stderr);
    emit(b, "error\n", 6);
    b->errors++;
}

static void batch_line(struct batch *b, char *line, size_t len, size_t lineno)
{
    char *tab, *perm;
    size_t mlen, plen;

    if (len && line[len - 1] == '\r')
        len--;
    if (memchr(line, '\0', len)) {
        batch_error(b, lineno, "NUL byte in the line");
        return;
    }
    tab = memchr(line, '\t', len);
    if (!tab) {
        batch_error(b, lineno, "expected MEMBER<TAB>PERMISSION, found no tab");
        return;
    }
    mlen = (size_t)(tab - line);
    perm = tab + 1;
    plen = len - mlen - 1;
    if (memchr(perm, '\t', plen)) {
        batch_error(b, lineno, "expected MEMBER<TAB>PERMISSION, found more than one tab");
        return;
    }
    if (mlen == 0 || plen == 0) {
        batch_error(b, lineno, mlen == 0 ? "empty member id" : "empty permission name");
        return;
    }
    if (!b->last_ok || plen != b->last_len || memcmp(perm, b->last_name, plen) != 0) {
        if (plen + 1 > b->last_cap) {
            char *grown = realloc(b->last_name, plen + 1);
            if (!grown) {
                batch_error(b, lineno, "out of memory");
                return;
            }
            b->last_name = grown;
            b->last_cap = plen + 1;
        }
        memcpy(b->last_name, perm, plen);
        b->last_name[plen] = '\0';
        b->last_len = plen;
        b->last_ok = kkp_permission(b->table, b->last_name, &b->last_bit) == KKP_OK;
        if (!b->last_ok) {
            char why[300];
            snprintf(why, sizeof(why), "unknown permission '%.200s'", b->last_name);
            batch_error(b, lineno, why);
            return;
        }
    }
    switch (kkp_check_bit(b->table, line, mlen, b->last_bit)) {
    case KKP_ALLOW:
        emit(b, "allow\n", 6);
        return;
    case KKP_UNKNOWN_MEMBER:
        if (b->unknown_members++ < BATCH_NOTE_LIMIT)
            fprintf(stderr, "kkpolc: note: line %zu: member '%.*s' is not in the table (deny)\n",
                    lineno, (int)(mlen > 200 ? 200 : mlen), line);
        emit(b, "deny\n", 5);
        return;
    case KKP_DENY:
        emit(b, "deny\n", 5);
        return;
    case KKP_UNKNOWN_PERMISSION:
        break;
    }
    batch_error(b, lineno, "unknown permission");
}

/* Lines between the one whose member slot is prefetched and the one being
 * decided. Halfway, the id that the slot references is prefetched too.
 * Each step then has about 8 lines, a few hundred nanoseconds, to cover a
 * cache miss to memory. */
#define PREFETCH_AHEAD 16

/* Starts loading what deciding a line will read: its member's slot when
 * id_step is false, the member's id bytes when it is true. */
static void prefetch_line(const struct kkp_table *t, const char *line, const char *end,
                          bool id_step)
{
    const char *tab = memchr(line, '\t', (size_t)(end - line));

    if (!tab)
        return;
    if (id_step)
        table_prefetch_member_id(t, line, (size_t)(tab - line));
    else
        table_prefetch_member(t, line, (size_t)(tab - line));
}

static int query_batch(struct kkp_table *t)
{
    struct batch b = {0};
    size_t cap = 1u << 20, len = 0, lineno = 0;
    char *buf = malloc(cap);

    b.table = t;
    b.out = malloc(OUT_BUFFER);
    if (!buf || !b.out) {
        cli_error("out of memory");
        return EXIT_USAGE;
    }
    for (;;) {
        size_t start = 0, ahead_lines = 0, half_lines = 0;
        size_t n = fread(buf + len, 1, cap - len, stdin);
        bool eof = n == 0;
        char *nl, *ahead = buf, *half = buf, *next;

        len += n;
        while ((nl = memchr(buf + start, '\n', len - start)) != NULL) {
            /* Keep the next PREFETCH_AHEAD lines loading while this one is
             * decided: at ten million members nearly every lookup misses
             * the cache twice, at the slot and at the id. */
            while (ahead_lines < PREFETCH_AHEAD &&
                   (next = memchr(ahead, '\n', (size_t)(buf + len - ahead))) != NULL) {
                prefetch_line(t, ahead, next, false);
                ahead = next + 1;
                ahead_lines++;
            }
            while (half_lines < ahead_lines / 2 &&
                   (next = memchr(half, '\n', (size_t)(buf + len - half))) != NULL) {
                prefetch_line(t, half, next, true);
                half = next + 1;
                half_lines++;
            }
            batch_line(&b, buf + start, (size_t)(nl - (buf + start)), ++lineno);
            start = (size_t)(nl - buf) + 1;
            if (ahead_lines)
                ahead_lines--;
            if (half_lines)
                half_lines--;
            if (half < buf + start) /* near the end of the buffer, where ahead stalls */
                half = buf + start;
        }
        if (eof) {
            if (len > start)
                batch_line(&b, buf + start, len - start, ++lineno);
            break;
        }
        memmove(buf, buf + start, len - start);
        len -= start;
        if (len == cap) {
            char *grown = cap > ((size_t)1 << 31) ? NULL : realloc(buf, cap * 2);
            if (!grown) {
                cli_error("line %zu is too long", lineno + 1);
                free(buf);
                free(b.out);
                free(b.last_name);
                return EXIT_USAGE;
            }
            buf = grown;
            cap *= 2;
        }
    }
    fwrite(b.out, 1, b.out_len, stdout);
    fflush(stdout);
    if (b.unknown_members > BATCH_NOTE_LIMIT)
        fprintf(stderr, "kkpolc: note: %zu lines named members that are not in the table\n",
                b.unknown_members);
    if (ferror(stdin)) {
        cli_error("cannot read standard input");
        b.errors++;
    }
    free(buf);
    free(b.out);
    free(b.last_name);
    return b.errors ? EXIT_USAGE : EXIT_OK;
}

int cmd_query(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"no-verify", no_argument, NULL, 'n'},
        {"batch", no_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool verify = true, batch = false;
    struct kkp_table *t = NULL;
    int opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'n':
            verify = false;
            break;
        case 'b':
            batch = true;
            break;
        case 'h':
            fputs(QUERY_USAGE, stdout);
            return EXIT_OK;
        default:
            fputs(QUERY_USAGE, stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != (batch ? 1 : 3)) {
        fputs(QUERY_USAGE, stderr);
        return EXIT_USAGE;
    }
    rc = open_table(argv[optind], verify, &t);
    if (rc != EXIT_OK)
        return rc;
    rc = batch ? query_batch(t) : query_one(t, argv[optind + 1], argv[optind + 2]);
    kkp_table_close(t);
    return rc;
}
