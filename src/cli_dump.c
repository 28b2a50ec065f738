/* kkpolc dump: a compiled table in readable text. */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kkpol.h"

#define DUMP_USAGE "usage: kkpolc dump [--no-verify] [--format text|json] TABLE"

/* Prints the names of the bits set in mask, separated by ", ", or "(none)". */
static void print_mask(const struct kkp_table *t, const uint64_t *mask)
{
    uint32_t n = kkp_permission_count(t);
    bool any = false;

    for (uint32_t b = 0; b < n; b++) {
        struct kkp_permission_info info;

        if (!((mask[b / 64] >> (b % 64)) & 1))
            continue;
        kkp_permission_info(t, b, &info);
        printf("%s%s", any ? ", " : "", info.name);
        any = true;
    }
    puts(any ? "" : "(none)");
}

static int dump_text(const struct kkp_table *t)
{
    uint64_t digest[2];
    size_t words = kkp_mask_words(t);
    uint64_t *mask = calloc(words, sizeof(uint64_t));
    const char *revision = kkp_revision(t);

    if (!mask) {
        cli_error("out of memory");
        return EXIT_USAGE;
    }
    kkp_source_digest(t, digest);
    printf("catalog fingerprint: %016" PRIx64 "\n", kkp_catalog_fingerprint(t));
    printf("source digest: %016" PRIx64 "%016" PRIx64 "\n", digest[1], digest[0]);
    printf("revision: %s\n", revision ? revision : "(none)");
    printf("permissions: %" PRIu32 "\nroles: %" PRIu32 "\nmembers: %" PRIu64 "\n",
           kkp_permission_count(t), kkp_role_count(t), kkp_member_count(t));

    puts("\n[permissions]");
    for (uint32_t b = 0; b < kkp_permission_count(t); b++) {
        struct kkp_permission_info info;

        kkp_permission_info(t, b, &info);
        printf("%4" PRIu32 " %s", b, info.name);
        if (info.group)
            printf(" (group %s)", info.group);
        if (info.flags & KKP_PERM_ESCALATES)
            fputs(" escalates", stdout);
        if (info.flags & KKP_PERM_SENSITIVE)
            fputs(" sensitive", stdout);
        if (info.description[0])
            printf(": %s", info.description);
        putchar('\n');
    }

    puts("\n[roles]");
    for (uint32_t r = 0; r < kkp_role_count(t); r++) {
        const char *name, *title;

        kkp_role_at(t, r, &name, &title, mask, words);
        printf("%s: ", name);
        print_mask(t, mask);
    }

    puts("\n[members]");
    for (uint64_t m = 0; m < kkp_member_count(t); m++) {
        const char *id;
        size_t len;
        int rc = kkp_member_at(t, m, &id, &len, mask, words);

        if (rc != KKP_OK) {
            fflush(stdout);
            cli_error("member %" PRIu64 ": %s", m, kkp_strerror(rc));
            free(mask);
            return EXIT_USAGE;
        }
        printf("%.*s: ", (int)len, id);
        print_mask(t, mask);
    }
    free(mask);
    return EXIT_OK;
}

static json_t *mask_json(const struct kkp_table *t, const uint64_t *mask)
{
    json_t *list = json_array();

    for (uint32_t b = 0; b < kkp_permission_count(t); b++) {
        struct kkp_permission_info info;

        if (!((mask[b / 64] >> (b % 64)) & 1))
            continue;
        kkp_permission_info(t, b, &info);
        json_array_append_new(list, json_string(info.name));
    }
    return list;
}

/* The same document shape as compile --emit json, read back from a table. */
static int dump_json(const struct kkp_table *t)
{
    size_t words = kkp_mask_words(t);
    uint64_t *mask = calloc(words, sizeof(uint64_t));
    json_t *catalog = json_array(), *roles = json_array(), *members = json_array(), *doc;
    const char *revision = kkp_revision(t);
    uint64_t digest[2];
    char fp[17], dg[33];
    int rc = EXIT_OK;

    if (!mask) {
        cli_error("out of memory");
        return EXIT_USAGE;
    }
    for (uint32_t b = 0; b < kkp_permission_count(t); b++) {
        struct kkp_permission_info info;

        kkp_permission_info(t, b, &info);
        json_array_append_new(
            catalog, json_pack("{s:i, s:s, s:s, s:o, s:b, s:b}", "bit", (json_int_t)b, "name",
                               info.name, "description", info.description, "group",
                               info.group ? json_string(info.group) : json_null(), "escalates",
                               (info.flags & KKP_PERM_ESCALATES) != 0, "sensitive",
                               (info.flags & KKP_PERM_SENSITIVE) != 0));
    }
    for (uint32_t r = 0; r < kkp_role_count(t); r++) {
        const char *name, *title;

        kkp_role_at(t, r, &name, &title, mask, words);
        json_array_append_new(roles, json_pack("{s:s, s:s, s:o}", "name", name, "title", title,
                                               "permissions", mask_json(t, mask)));
    }
    for (uint64_t m = 0; m < kkp_member_count(t) && rc == EXIT_OK; m++) {
        const char *id;
        size_t len;
        int err = kkp_member_at(t, m, &id, &len, mask, words);

        if (err != KKP_OK) {
            cli_error("member %" PRIu64 ": %s", m, kkp_strerror(err));
            rc = EXIT_USAGE;
            break;
        }
        json_array_append_new(members, json_pack("{s:s%, s:o}", "id", id, len, "permissions",
                                                  mask_json(t, mask)));
    }
    kkp_source_digest(t, digest);
    snprintf(fp, sizeof(fp), "%016" PRIx64, kkp_catalog_fingerprint(t));
    snprintf(dg, sizeof(dg), "%016" PRIx64 "%016" PRIx64, digest[1], digest[0]);
    doc = json_pack("{s:i, s:s, s:s, s:o, s:o, s:o, s:o}", "version", 1, "catalog_fingerprint", fp,
                    "source_digest", dg, "revision",
                    revision ? json_string(revision) : json_null(), "catalog", catalog, "roles",
                    roles, "members", members);
    if (rc == EXIT_OK) {
        json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
    }
    json_decref(doc);
    free(mask);
    return rc;
}

int cmd_dump(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"no-verify", no_argument, NULL, 'n'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *format = "text";
    struct kkp_table *t;
    struct kkp_error err;
    bool verify = true;
    int opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'n':
            verify = false;
            break;
        case 'f':
            format = optarg;
            break;
        case 'h':
            puts(DUMP_USAGE);
            return EXIT_OK;
        default:
            fprintf(stderr, "%s\n", DUMP_USAGE);
            return EXIT_USAGE;
        }
    }
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        cli_error("invalid --format '%s'; expected text or json", format);
        return EXIT_USAGE;
    }
    if (argc - optind != 1) {
        fprintf(stderr, "%s\n", DUMP_USAGE);
        return EXIT_USAGE;
    }
    if (kkp_table_open(argv[optind], verify ? KKP_OPEN_VERIFY : 0, &t, &err) != KKP_OK) {
        cli_error("%s", err.message);
        return EXIT_USAGE;
    }
    rc = strcmp(format, "json") == 0 ? dump_json(t) : dump_text(t);
    kkp_table_close(t);
    return rc;
}
