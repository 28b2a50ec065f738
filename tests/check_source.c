/* Source files: line and column from byte offsets, line bounds, path joining. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

static struct source *source_of(const char *bytes, size_t len)
{
    struct source *src = source_from_bytes("test.kkp", bytes, len);

    ck_assert_ptr_nonnull(src);
    return src;
}

/* Checks the line and column of offset. */
static void check_pos(struct source *src, uint32_t offset, uint32_t line, uint32_t column)
{
    struct line_col lc = source_line_col(src, offset);

    ck_assert_msg(lc.line == line, "offset %u: line %u, expected %u", offset, lc.line, line);
    ck_assert_msg(lc.column == column, "offset %u: column %u, expected %u", offset, lc.column,
                  column);
}

static void check_normalize(const char *path, const char *expected)
{
    char *got = source_normalize_path(path);

    ck_assert_str_eq(got, expected);
    free(got);
}

static void check_join(const char *importer, const char *import, const char *expected)
{
    char *got = source_join_path(importer, import);

    ck_assert_str_eq(got, expected);
    free(got);
}

START_TEST(line_col_ascii)
{
    const char text[] = "ab\ncde\n\nf";
    struct source *src = source_of(text, sizeof(text) - 1);

    check_pos(src, 0, 1, 1);
    check_pos(src, 1, 1, 2);
    check_pos(src, 2, 1, 3); /* the line feed itself */
    check_pos(src, 3, 2, 1);
    check_pos(src, 5, 2, 3);
    check_pos(src, 7, 3, 1);
    check_pos(src, 8, 4, 1);
    source_free(src);
}
END_TEST

START_TEST(line_col_multibyte)
{
    /* U+00E9 (2 bytes), U+20AC (3 bytes), U+1F600 (4 bytes), then 'x'. */
    const char text[] = "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80x\n\xC3\xA9y";
    struct source *src = source_of(text, sizeof(text) - 1);

    check_pos(src, 2, 1, 2);
    check_pos(src, 5, 1, 3);
    check_pos(src, 9, 1, 4);
    check_pos(src, 13, 2, 2);
    source_free(src);
}
END_TEST

START_TEST(line_col_tab_one_column)
{
    const char text[] = "\t\tx\n\ty";
    struct source *src = source_of(text, sizeof(text) - 1);

    check_pos(src, 2, 1, 3);
    check_pos(src, 5, 2, 2);
    source_free(src);
}
END_TEST

START_TEST(line_col_crlf)
{
    const char text[] = "ab\r\ncd\r\nef";
    struct source *src = source_of(text, sizeof(text) - 1);

    check_pos(src, 2, 1, 3); /* the carriage return */
    check_pos(src, 4, 2, 1);
    check_pos(src, 5, 2, 2);
    check_pos(src, 8, 3, 1);
    source_free(src);
}
END_TEST

START_TEST(line_col_bom_not_column)
{
    const char text[] = "\xEF\xBB\xBF"
                        "ab\ncd";
    struct source *src = source_of(text, sizeof(text) - 1);

    ck_assert_uint_eq(src->start, 3);
    check_pos(src, 3, 1, 1);
    check_pos(src, 4, 1, 2);
    check_pos(src, 7, 2, 2);
    source_free(src);
}
END_TEST

START_TEST(bom_only_at_start)
{
    const char text[] = "a\xEF\xBB\xBF"
                        "b";
    struct source *src = source_of(text, sizeof(text) - 1);

    ck_assert_uint_eq(src->start, 0);
    check_pos(src, 4, 1, 3);
    source_free(src);
}
END_TEST

START_TEST(line_col_no_final_newline)
{
    const char text[] = "ab\ncd";
    struct source *src = source_of(text, sizeof(text) - 1);

    check_pos(src, 4, 2, 2);
    check_pos(src, 5, 2, 3);  /* the end of the file */
    check_pos(src, 99, 2, 3); /* past the end: clamped to the end */
    source_free(src);
}
END_TEST

START_TEST(line_col_empty_file)
{
    struct source *src = source_of("", 0);

    check_pos(src, 0, 1, 1);
    source_free(src);
}
END_TEST

START_TEST(line_bounds_strip_ending)
{
    const char text[] = "\xEF\xBB\xBF"
                        "ab\r\ncd\nef";
    struct source *src = source_of(text, sizeof(text) - 1);
    uint32_t begin, end;

    source_line_bounds(src, 4, &begin, &end);
    ck_assert_uint_eq(begin, 3); /* after the byte-order mark */
    ck_assert_uint_eq(end, 5);   /* before the CR LF */
    source_line_bounds(src, 8, &begin, &end);
    ck_assert_uint_eq(begin, 7);
    ck_assert_uint_eq(end, 9);
    source_line_bounds(src, 10, &begin, &end);
    ck_assert_uint_eq(begin, 10);
    ck_assert_uint_eq(end, 12);
    source_free(src);
}
END_TEST

START_TEST(utf8_count_code_points)
{
    ck_assert_uint_eq(utf8_count("", 0), 0);
    ck_assert_uint_eq(utf8_count("abc", 3), 3);
    ck_assert_uint_eq(utf8_count("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 9), 3);
}
END_TEST

START_TEST(normalize_dot_segments)
{
    check_normalize("a/./b/../c", "a/c");
    check_normalize("a//b/", "a/b");
    check_normalize("./a", "a");
    check_normalize("a/..", ".");
    check_normalize(".", ".");
    check_normalize("", ".");
}
END_TEST

START_TEST(normalize_leading_dotdot)
{
    check_normalize("../a", "../a");
    check_normalize("../../a/../b", "../../b");
    check_normalize("a/../../b", "../b");
    check_normalize("a/../..", "..");
    check_normalize("./../x", "../x");
}
END_TEST

START_TEST(normalize_absolute)
{
    check_normalize("/a/./b//c/", "/a/b/c");
    check_normalize("/../a", "/a");
    check_normalize("/a/../..", "/");
    check_normalize("/", "/");
}
END_TEST

START_TEST(join_relative)
{
    check_join("dir/main.kkp", "lib/x.kkp", "dir/lib/x.kkp");
    check_join("dir/main.kkp", "./x.kkp", "dir/x.kkp");
    check_join("dir/sub/main.kkp", "../x.kkp", "dir/x.kkp");
    check_join("dir/main.kkp", "../../x.kkp", "../x.kkp");
    check_join("/srv/policy/main.kkp", "../shared/x.kkp", "/srv/shared/x.kkp");
}
END_TEST

START_TEST(join_importer_in_current_folder)
{
    check_join("main.kkp", "x.kkp", "x.kkp");
    check_join("main.kkp", "lib/./x.kkp", "lib/x.kkp");
    check_join("main.kkp", "../x.kkp", "../x.kkp");
}
END_TEST

START_TEST(join_absolute_import)
{
    check_join("dir/main.kkp", "/etc/kkpol/../x.kkp", "/etc/x.kkp");
    check_join("/srv/main.kkp", "/x.kkp", "/x.kkp");
}
END_TEST

START_TEST(display_path_normalized)
{
    struct source *src = source_from_bytes("./a/../b.kkp", "", 0);

    ck_assert_str_eq(src->path, "b.kkp");
    ck_assert_str_eq(src->open_path, "./a/../b.kkp");
    source_free(src);
}
END_TEST

Suite *suite_source(void)
{
    Suite *s = suite_create("source");
    TCase *tc = tcase_create("line_col");

    tcase_add_test(tc, line_col_ascii);
    tcase_add_test(tc, line_col_multibyte);
    tcase_add_test(tc, line_col_tab_one_column);
    tcase_add_test(tc, line_col_crlf);
    tcase_add_test(tc, line_col_bom_not_column);
    tcase_add_test(tc, bom_only_at_start);
    tcase_add_test(tc, line_col_no_final_newline);
    tcase_add_test(tc, line_col_empty_file);
    tcase_add_test(tc, line_bounds_strip_ending);
    tcase_add_test(tc, utf8_count_code_points);
    suite_add_tcase(s, tc);

    tc = tcase_create("paths");
    tcase_add_test(tc, normalize_dot_segments);
    tcase_add_test(tc, normalize_leading_dotdot);
    tcase_add_test(tc, normalize_absolute);
    tcase_add_test(tc, join_relative);
    tcase_add_test(tc, join_importer_in_current_folder);
    tcase_add_test(tc, join_absolute_import);
    tcase_add_test(tc, display_path_normalized);
    suite_add_tcase(s, tc);
    return s;
}
