/* kkpolc check: the linter over a policy, in text, JSON, SARIF or GitHub form. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "diag_formats.h"
#include "kkp_limits.h"
#include "lint.h"

#define CHECK_USAGE                                                                                \
    "usage: kkpolc check [--format text|json|sarif|github] [--list-suppressions]\n"                \
    "                    [--max-errors N] [--max-overrides N] [-W "                                \
    "RULE|no-RULE|error|error=RULE]\n"                                                             \
    "                    FILE...\n"

static void print_rules(FILE *out)
{
    fputs("\nrules (default severity):\n", out);
    for (int i = 0; i < RULE_COUNT; i++) {
        int sev = lint_rules[i].default_severity;
        const char *name = sev == LINT_OFF ? "off" : diag_severity_name((enum diag_severity)sev);

        fprintf(out, "  %-20s %-8s %s\n", lint_rules[i].name,
                i == RULE_CONSTRAINT ? "declared" : name, lint_rules[i].summary);
    }
}

static void list_suppressions(const struct cli_policy *cp, const struct lint_config *cfg)
{
    const struct ast *ast = &cp->ast;

    for (size_t i = 0; i < ast->nsuppressions; i++) {
        const struct ast_suppress *s = &ast->suppressions[i];
        struct line_col lc = source_line_col(ast->files[s->file].src, s->span.begin);
        bool expired = s->has_until && lint_days_from_civil(s->year, s->month, s->day) < cfg->today;

        printf("%s:%u:%u: %s", ast->files[s->file].src->path, lc.line, lc.column, s->rule);
        if (s->subject.kind == SUBJECT_ROLE)
            printf(" for role %s", ast_name(ast, s->subject.name));
        else if (s->subject.kind == SUBJECT_MEMBER)
            printf(" for member \"%s\"", s->subject.id);
        if (s->has_until)
            printf(" until %04u-%02u-%02u%s", s->year, s->month, s->day,
                   expired ? " (expired)" : "");
        printf(": %s\n", s->reason);
    }
}

/* Parses the options that check and compile share. Returns 1 when the option
 * was one of them, 0 when not, -1 on a bad value. */
int cli_lint_option(int opt, const char *arg, struct lint_config *cfg, size_t *max_errors)
{
    char err[256];

    switch (opt) {
    case 'W':
        if (!lint_config_apply(cfg, arg, err, sizeof(err))) {
            cli_error("%s", err);
            return -1;
        }
        return 1;
    case 'm':
        return cli_parse_count("--max-errors", arg, max_errors) ? 1 : -1;
    case 'O':
        return cli_parse_count("--max-overrides", arg, &cfg->max_overrides) ? 1 : -1;
    default:
        return 0;
    }
}

int cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"list-suppressions", no_argument, NULL, 'l'},
        {"max-errors", required_argument, NULL, 'm'},
        {"max-overrides", required_argument, NULL, 'O'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *format = "text";
    bool list = false;
    size_t max_errors = KKP_DEFAULT_MAX_ERRORS;
    struct lint_config cfg;
    struct cli_policy cp;
    int opt, rc;

    lint_config_init(&cfg);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+W:h", longopts, NULL)) != -1) {
        int shared = cli_lint_option(opt, optarg, &cfg, &max_errors);

        if (shared < 0)
            return EXIT_USAGE;
        if (shared)
            continue;
        switch (opt) {
        case 'f':
            format = optarg;
            break;
        case 'l':
            list = true;
            break;
        case 'h':
            fputs(CHECK_USAGE, stdout);
            print_rules(stdout);
            return EXIT_OK;
        default:
            fputs(CHECK_USAGE, stderr);
            return EXIT_USAGE;
        }
    }
    if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "sarif") &&
        strcmp(format, "github")) {
        cli_error("invalid --format '%s'; expected text, json, sarif or github", format);
        return EXIT_USAGE;
    }
    if (optind >= argc) {
        cli_error("check needs at least one policy file");
        return EXIT_USAGE;
    }

    rc = cli_policy_build(&cp, argv + optind, (size_t)(argc - optind), max_errors, &cfg);
    if (strcmp(format, "json") == 0)
        diag_print_json(&cp.sink, stdout);
    else if (strcmp(format, "sarif") == 0)
        diag_print_sarif(&cp.sink, stdout, KKP_VERSION);
    else if (strcmp(format, "github") == 0)
        diag_print_github(&cp.sink, stdout);
    else
        diag_print_text(&cp.sink, stderr, diag_want_color(STDERR_FILENO));
    if (list && cp.resolved)
        list_suppressions(&cp, &cfg);
    cli_policy_release(&cp);
    return rc;
}
