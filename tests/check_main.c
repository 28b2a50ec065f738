/* The Check runner: one suite per module, each from tests/check_<module>.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

/* Weak so that the runner links while a suite is being written; the list
 * below names every suite the project has, and a missing one fails the run. */
#define SUITES(X) X(source) X(lexer) X(parser) X(resolve) X(suggest) X(table) X(refeval) X(lint) X(reload) X(limits) X(diff) X(explain)

#define DECLARE(name) Suite *suite_##name(void) __attribute__((weak));
SUITES(DECLARE)

int main(void)
{
    SRunner *runner = srunner_create(NULL);
    int failed, missing = 0;

#define ADD(name)                                                                                  \
    if (suite_##name)                                                                              \
        srunner_add_suite(runner, suite_##name());                                                 \
    else                                                                                           \
        missing++;
    SUITES(ADD)
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    if (missing)
        fprintf(stderr, "check_main: %d suites are not linked in\n", missing);
    return failed == 0 && missing == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
