/* kkpolc explain: why a member or role holds or lacks each permission, from
 * sources or from a table compiled with --provenance. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "explain.h"
#include "kkp_limits.h"
#include "kkpol.h"
#include "suggest.h"

#define EXPLAIN_USAGE                                                                              \
    "usage: kkpolc explain [--format text|json] (--member ID | --role NAME)\n"                     \
    "                      [--permission P] FILE...|TABLE\n"

struct explain_request {
    bool json;
    bool is_role;
    const char *subject;
    const char *permission; /* NULL for every permission */
};

static void report_unknown_subject(const struct explain_request *rq, const char *best)
{
    const char *quote = rq->is_role ? "'" : "\"";

    if (best)
        cli_error("unknown %s %s%s%s; did you mean %s%s%s?", rq->is_role ? "role" : "member",
                  quote, rq->subject, quote, quote, best, quote);
    else
        cli_error("unknown %s %s%s%s", rq->is_role ? "role" : "member", quote, rq->subject,
                  quote);
}

/* Prints the explanation, after resolving --permission; returns the exit status. */
static int print_explanation(const struct explain_request *rq, const struct explanation *x)
{
    uint32_t bit = UINT32_MAX;

    if (rq->permission) {
        struct suggest s;

        suggest_init(&s, rq->permission, strlen(rq->permission));
        for (uint32_t b = 0; b < x->nbits && bit == UINT32_MAX; b++) {
            if (strcmp(x->perms[b].name, rq->permission) == 0)
                bit = b;
            suggest_offer(&s, x->perms[b].name, strlen(x->perms[b].name));
        }
        if (bit == UINT32_MAX) {
            if (s.best)
                cli_error("unknown permission '%s'; did you mean '%s'?", rq->permission, s.best);
            else
                cli_error("unknown permission '%s'", rq->permission);
            return EXIT_USAGE;
        }
    }
    if (rq->json)
        explain_print_json(x, stdout, bit);
    else
        explain_print_text(x, stdout, bit);
    if (fflush(stdout) != 0) {
        cli_error("cannot write to standard output");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int explain_sources(const struct explain_request *rq, char *const *files, size_t n)
{
    struct cli_policy cp;
    const struct ast *ast;
    uint32_t index = AST_NONE;
    struct suggest s;
    struct explanation x;
    int rc = cli_policy_load(&cp, files, n, KKP_DEFAULT_MAX_ERRORS);

    if (rc != EXIT_OK) {
        cli_policy_release(&cp);
        return rc;
    }
    ast = &cp.ast;
    suggest_init(&s, rq->subject, strlen(rq->subject));
    if (rq->is_role) {
        for (uint32_t r = 0; r < ast->nroles && index == AST_NONE; r++) {
            const char *name = ast_name(ast, ast->roles[r].name);

            if (strcmp(name, rq->subject) == 0)
                index = r;
            suggest_offer(&s, name, strlen(name));
        }
    } else {
        uint32_t m = strmap_get(&cp.pol.member_by_id, rq->subject, strlen(rq->subject));

        if (m != STRMAP_MISSING)
            index = m;
        for (uint32_t i = 0; i < ast->nmembers && index == AST_NONE; i++)
            suggest_offer(&s, ast->members[i].id, ast->members[i].id_len);
    }
    if (index == AST_NONE) {
        report_unknown_subject(rq, s.best);
        cli_policy_release(&cp);
        return EXIT_USAGE;
    }
    explain_from_policy(&cp.pol, rq->is_role, index, &x);
    rc = print_explanation(rq, &x);
    explain_release(&x);
    cli_policy_release(&cp);
    return rc;
}

static int explain_table(const struct explain_request *rq, const char *path)
{
    struct kkp_table *t;
    struct kkp_error err;
    struct explanation x;
    struct suggest s;
    uint64_t index = UINT64_MAX;
    size_t len = strlen(rq->subject);
    int rc;

    if (kkp_table_open(path, KKP_OPEN_VERIFY, &t, &err) != KKP_OK) {
        cli_error("%s", err.message);
        return EXIT_USAGE;
    }
    if (!kkp_has_provenance(t)) {
        cli_error("'%s' has no provenance; compile it with 'kkpolc compile --provenance', or "
                  "explain the policy sources", path);
        kkp_table_close(t);
        return EXIT_USAGE;
    }
    suggest_init(&s, rq->subject, len);
    if (rq->is_role) {
        for (uint32_t r = 0; r < kkp_role_count(t) && index == UINT64_MAX; r++) {
            const char *name = "";

            kkp_role_at(t, r, &name, NULL, NULL, 0);
            if (strcmp(name, rq->subject) == 0)
                index = r;
            suggest_offer(&s, name, strlen(name));
        }
    } else {
        for (uint64_t m = 0; m < kkp_member_count(t) && index == UINT64_MAX; m++) {
            const char *id;
            size_t id_len;

            if (kkp_member_at(t, m, &id, &id_len, NULL, 0) != KKP_OK)
                continue;
            if (id_len == len && memcmp(id, rq->subject, len) == 0)
                index = m;
            suggest_offer(&s, id, id_len);
        }
    }
    if (index == UINT64_MAX) {
        char *best = s.best ? strndup(s.best, s.best_len) : NULL; /* table ids have no NUL */

        report_unknown_subject(rq, best);
        free(best);
        kkp_table_close(t);
        return EXIT_USAGE;
    }
    rc = explain_from_table(t, rq->is_role, index, &x);
    if (rc != KKP_OK)
        cli_error("%s: cannot read the provenance: %s", path, kkp_strerror(rc));
    else
        rc = print_explanation(rq, &x);
    explain_release(&x);
    kkp_table_close(t);
    return rc == KKP_OK ? EXIT_OK : EXIT_USAGE;
}

int cmd_explain(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"member", required_argument, NULL, 'm'},
        {"role", required_argument, NULL, 'r'},
        {"permission", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct explain_request rq = {0};
    const char *member = NULL, *role = NULL;
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'f':
            if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0) {
                cli_error("invalid --format '%s'; expected text or json", optarg);
                return EXIT_USAGE;
            }
            rq.json = strcmp(optarg, "json") == 0;
            break;
        case 'm':
            member = optarg;
            break;
        case 'r':
            role = optarg;
            break;
        case 'p':
            rq.permission = optarg;
            break;
        case 'h':
            fputs(EXPLAIN_USAGE, stdout);
            return EXIT_OK;
        default:
            fputs(EXPLAIN_USAGE, stderr);
            return EXIT_USAGE;
        }
    }
    if (!member == !role) {
        cli_error("explain needs exactly one of --member ID and --role NAME");
        return EXIT_USAGE;
    }
    rq.is_role = role != NULL;
    rq.subject = role ? role : member;
    if (optind >= argc) {
        cli_error("explain needs policy files or one compiled table");
        return EXIT_USAGE;
    }
    if (cli_is_table(argv[optind])) {
        if (argc - optind != 1) {
            cli_error("explain reads one compiled table, or policy source files, not both");
            return EXIT_USAGE;
        }
        return explain_table(&rq, argv[optind]);
    }
    return explain_sources(&rq, argv + optind, (size_t)(argc - optind));
}
