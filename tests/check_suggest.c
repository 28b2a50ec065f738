/* Suggestions: optimal-string-alignment distance, the threshold and ties. */
#include <check.h>
#include <string.h>

#include "suggest.h"

/* Returns the distance without an early stop (a limit no distance reaches). */
static size_t distance(const char *a, const char *b)
{
    return osa_distance(a, strlen(a), b, strlen(b), 1000);
}

/* Offers the candidates in order and returns the suggestion, or NULL. */
static const char *suggest_among(const char *name, const char *const *candidates, size_t n)
{
    struct suggest s;

    suggest_init(&s, name, strlen(name));
    for (size_t i = 0; i < n; i++)
        suggest_offer(&s, candidates[i], strlen(candidates[i]));
    return s.best;
}

START_TEST(osa_equal_strings)
{
    ck_assert_uint_eq(distance("", ""), 0);
    ck_assert_uint_eq(distance("view_team", "view_team"), 0);
}
END_TEST

START_TEST(osa_transposition_counts_one)
{
    ck_assert_uint_eq(distance("ab", "ba"), 1);
    ck_assert_uint_eq(distance("billing", "bililng"), 1);
    ck_assert_uint_eq(distance("abcd", "badc"), 2);
}
END_TEST

START_TEST(osa_insert)
{
    ck_assert_uint_eq(distance("cat", "cart"), 1);
    ck_assert_uint_eq(distance("", "abc"), 3);
    ck_assert_uint_eq(distance("report", "reports"), 1);
}
END_TEST

START_TEST(osa_delete)
{
    ck_assert_uint_eq(distance("cart", "cat"), 1);
    ck_assert_uint_eq(distance("abc", ""), 3);
}
END_TEST

START_TEST(osa_substitute)
{
    ck_assert_uint_eq(distance("cat", "cut"), 1);
    ck_assert_uint_eq(distance("kitten", "sitting"), 3);
}
END_TEST

START_TEST(osa_no_edit_after_transposition)
{
    /* Unrestricted Damerau-Levenshtein gives 2 (ca -> ac -> abc). The optimal
     * string alignment distance does not edit a transposed pair again, so it gives 3. */
    ck_assert_uint_eq(distance("ca", "abc"), 3);
}
END_TEST

START_TEST(osa_limit_stops_early)
{
    ck_assert_uint_gt(osa_distance("abcdef", 6, "uvwxyz", 6, 2), 2);
    ck_assert_uint_gt(osa_distance("a", 1, "abcdef", 6, 2), 2);
    ck_assert_uint_eq(osa_distance("abcdef", 6, "abcdxf", 6, 1), 1);
}
END_TEST

START_TEST(threshold_short_names)
{
    struct suggest s;

    suggest_init(&s, "ab", 2);
    ck_assert_uint_eq(s.limit, 1);
    suggest_init(&s, "abcde", 5);
    ck_assert_uint_eq(s.limit, 1);
}
END_TEST

START_TEST(threshold_third_of_length)
{
    struct suggest s;

    suggest_init(&s, "abcdef", 6);
    ck_assert_uint_eq(s.limit, 2);
    suggest_init(&s, "abcdefghi", 9);
    ck_assert_uint_eq(s.limit, 3);
    suggest_init(&s, "abcdefghijk", 11);
    ck_assert_uint_eq(s.limit, 3);
}
END_TEST

START_TEST(suggest_within_threshold)
{
    const char *const at_two[] = {"viewxxteam"};
    const char *const at_three[] = {"viewxxxteam"};
    const char *const short_one[] = {"cut"};
    const char *const short_two[] = {"cup"};

    /* "view_team" has 9 bytes, so the threshold is 3. */
    ck_assert_str_eq(suggest_among("view_team", at_two, 1), "viewxxteam");
    ck_assert_str_eq(suggest_among("view_team", at_three, 1), "viewxxxteam");
    /* "cat" has 3 bytes, so the threshold is 1. */
    ck_assert_str_eq(suggest_among("cat", short_one, 1), "cut");
    ck_assert_ptr_null(suggest_among("cat", short_two, 1));
}
END_TEST

START_TEST(suggest_beyond_threshold)
{
    const char *const far[] = {"viewxxxxteam", "billing"};

    ck_assert_ptr_null(suggest_among("view_team", far, 2));
}
END_TEST

START_TEST(suggest_tie_first_offered)
{
    const char *const first_a[] = {"repotr", "reprot"};
    const char *const first_b[] = {"reprot", "repotr"};

    ck_assert_str_eq(suggest_among("report", first_a, 2), "repotr");
    ck_assert_str_eq(suggest_among("report", first_b, 2), "reprot");
}
END_TEST

START_TEST(suggest_closer_later_wins)
{
    const char *const candidates[] = {"reprots", "reports"};
    struct suggest s;

    suggest_init(&s, "report", 6);
    suggest_offer(&s, candidates[0], strlen(candidates[0]));
    suggest_offer(&s, candidates[1], strlen(candidates[1]));
    ck_assert_str_eq(s.best, "reports");
    ck_assert_uint_eq(s.best_dist, 1);
}
END_TEST

START_TEST(suggest_exact_match_kept)
{
    const char *const candidates[] = {"billing", "billings"};

    ck_assert_str_eq(suggest_among("billing", candidates, 2), "billing");
}
END_TEST

Suite *suite_suggest(void)
{
    Suite *s = suite_create("suggest");
    TCase *tc = tcase_create("osa_distance");

    tcase_add_test(tc, osa_equal_strings);
    tcase_add_test(tc, osa_transposition_counts_one);
    tcase_add_test(tc, osa_insert);
    tcase_add_test(tc, osa_delete);
    tcase_add_test(tc, osa_substitute);
    tcase_add_test(tc, osa_no_edit_after_transposition);
    tcase_add_test(tc, osa_limit_stops_early);
    suite_add_tcase(s, tc);

    tc = tcase_create("suggest");
    tcase_add_test(tc, threshold_short_names);
    tcase_add_test(tc, threshold_third_of_length);
    tcase_add_test(tc, suggest_within_threshold);
    tcase_add_test(tc, suggest_beyond_threshold);
    tcase_add_test(tc, suggest_tie_first_offered);
    tcase_add_test(tc, suggest_closer_later_wins);
    tcase_add_test(tc, suggest_exact_match_kept);
    suite_add_tcase(s, tc);
    return s;
}
