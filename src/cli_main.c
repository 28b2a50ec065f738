/* kkpolc: dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: kkpolc COMMAND [OPTIONS] ARGS...\n"
    "\n"
    "Compiles team-permission policies (.kkp files) into a table that libkkpol\n"
    "queries at runtime.\n"
    "\n"
    "commands:\n"
    "  compile [-o OUT] [--emit table|json|c-header] [--revision TEXT] [-W...] FILE...\n"
    "        compile the policy FILE... (with its imports) to a table; OUT defaults\n"
    "        to the first FILE with .kkp replaced by .kkpt; json and c-header go to\n"
    "        stdout unless -o is given. Linter errors fail the compile\n"
    "  check [--format text|json|sarif|github] [--list-suppressions] [-W...] FILE...\n"
    "        run the linter; -W RULE, -W no-RULE, -Werror and -Werror=RULE set rules;\n"
    "        'kkpolc check --help' lists them\n"
    "  query [--no-verify] TABLE MEMBER PERMISSION\n"
    "        print allow or deny; exit 0 for allow, 1 for deny\n"
    "  query [--no-verify] --batch TABLE\n"
    "        read MEMBER<TAB>PERMISSION lines on stdin, print allow, deny or error\n"
    "        for each line\n"
    "  dump TABLE\n"
    "        print a compiled table's catalog, roles and members\n"
    "\n"
    "options:\n"
    "  -h, --help     print this help and exit\n"
    "  --version      print the version and exit\n"
    "\n"
    "Exit status: 0 success or allow; 1 policy errors or deny; 2 usage, I/O or\n"
    "corrupt-table errors. Diagnostics are coloured on a terminal unless NO_COLOR\n"
    "is set.\n";

int main(int argc, char **argv)
{
    const char *cmd;

    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("kkpolc %s\n", KKP_VERSION);
        return EXIT_OK;
    }
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "compile") == 0)
        return cmd_compile(argc - 1, argv + 1);
    if (strcmp(cmd, "query") == 0)
        return cmd_query(argc - 1, argv + 1);
    if (strcmp(cmd, "dump") == 0)
        return cmd_dump(argc - 1, argv + 1);
    cli_error("unknown command '%s'; run 'kkpolc --help' for the list", cmd);
    return EXIT_USAGE;
}
