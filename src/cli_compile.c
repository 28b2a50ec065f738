/* kkpolc compile: sources to a table file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kkp_limits.h"
#include "lower.h"
#include "table_write.h"

/* The first file's name with .kkp replaced by .kkpt (or .kkpt appended). */
static char *default_output(const char *first)
{
    size_t len = strlen(first);
    char *out = malloc(len + 6);

    if (!out)
        return NULL;
    memcpy(out, first, len + 1);
    if (len > 4 && strcmp(first + len - 4, ".kkp") == 0)
        strcpy(out + len - 4, ".kkpt");
    else
        strcpy(out + len, ".kkpt");
    return out;
}

int cmd_compile(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"revision", required_argument, NULL, 'r'},
        {"max-errors", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *output = NULL, *revision = NULL;
    size_t max_errors = KKP_DEFAULT_MAX_ERRORS;
    struct cli_policy cp;
    struct lower_options lo = {0};
    struct table_image img;
    char *out_path, errbuf[512];
    int opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "+o:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'o':
            output = optarg;
            break;
        case 'r':
            revision = optarg;
            break;
        case 'm':
            if (!cli_parse_count("--max-errors", optarg, &max_errors))
                return EXIT_USAGE;
            break;
        case 'h':
            puts("usage: kkpolc compile [-o OUT] [--revision TEXT] [--max-errors N] FILE...");
            return EXIT_OK;
        default:
            fputs("usage: kkpolc compile [-o OUT] [--revision TEXT] [--max-errors N] FILE...\n",
                  stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        cli_error("compile needs at least one policy file");
        return EXIT_USAGE;
    }
    if (revision && (strlen(revision) > KKP_MAX_STRING || strchr(revision, '\n'))) {
        cli_error("--revision must be one line of at most %d bytes", KKP_MAX_STRING);
        return EXIT_USAGE;
    }
    for (int i = optind; i < argc; i++) {
        if (cli_is_table(argv[i])) {
            cli_error("'%s' is a compiled table; compile reads policy source (.kkp) files",
                      argv[i]);
            return EXIT_USAGE;
        }
    }

    rc = cli_policy_load(&cp, argv + optind, (size_t)(argc - optind), max_errors);
    if (rc != EXIT_OK) {
        cli_policy_release(&cp);
        return rc;
    }
    lo.revision = revision;
    lower_policy(&cp.pol, &lo, &img);
    out_path = output ? strdup(output) : default_output(argv[optind]);
    if (!out_path) {
        cli_error("out of memory");
        rc = EXIT_USAGE;
    } else if (table_write_file(out_path, img.data, img.size, errbuf, sizeof(errbuf)) != 0) {
        cli_error("%s", errbuf);
        rc = EXIT_USAGE;
    }
    free(out_path);
    free(img.data);
    cli_policy_release(&cp);
    return rc;
}
