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
    "        stdout unless -o is given. Linter errors fail the compile. --provenance\n"
    "        stores why each member holds each permission, for explain\n"
    "  check [--format text|json|sarif|github] [--list-suppressions] [-W...] FILE...\n"
    "        run the linter; -W RULE, -W no-RULE, -Werror and -Werror=RULE set rules;\n"
    "        'kkpolc check --help' lists them\n"
    "  query [--no-verify] TABLE MEMBER PERMISSION\n"
    "        print allow or deny; exit 0 for allow, 1 for deny\n"
    "  query [--no-verify] --batch TABLE\n"
    "        read MEMBER<TAB>PERMISSION lines on stdin, print allow, deny or error\n"
    "        for each line\n"
    "  dump [--format text|json] TABLE\n"
    "        print a compiled table's catalog, roles and members\n"
    "  diff [--format text|json|markdown] OLD... -- NEW...\n"
    "  diff [--format text|json|markdown] --git REV FILE...\n"
    "        compare two policies (sources or one table each), or FILE... at git\n"
    "        revision REV with the work tree; exit 0 when nothing changed, 1 when\n"
    "        something did\n"
    "  explain [--format text|json] (--member ID | --role NAME) [--permission P]\n"
    "          FILE...|TABLE\n"
    "        why the member or role holds or lacks each permission: the granting\n"
    "        statements with their role chains, or the deciding revoke; a TABLE\n"
    "        must be compiled with --provenance\n"
    "  test [--coverage] [--junit OUT] FILE...\n"
    "        run every assert; exit 0 when all pass, 1 when one fails\n"
    "  matrix [--format md|csv|html] [--roles] FILE...|TABLE\n"
    "        print members (or roles) by permissions\n"
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
    /* stderr is unbuffered by default, which makes a run that prints
     * hundreds of thousands of diagnostics one system call per character. */
    static char stderr_buffer[1 << 16];
    const char *cmd;

    setvbuf(stderr, stderr_buffer, _IOFBF, sizeof(stderr_buffer));

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
    if (strcmp(cmd, "explain") == 0)
        return cmd_explain(argc - 1, argv + 1);
    if (strcmp(cmd, "test") == 0)
        return cmd_test(argc - 1, argv + 1);
    if (strcmp(cmd, "matrix") == 0)
        return cmd_matrix(argc - 1, argv + 1);
    if (strcmp(cmd, "diff") == 0)
        return cmd_diff(argc - 1, argv + 1);
    cli_error("unknown command '%s'; run 'kkpolc --help' for the list", cmd);
    return EXIT_USAGE;
}
