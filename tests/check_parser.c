/* The parser: syntax errors and recovery, limits checked while parsing, and the AST it builds. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load.h"
#include "testlib.h"

/* Checks that an error containing text starts at line:column. Several errors
 * may share a message, so the one on the expected line is preferred. */
static void check_error_at(const struct tpolicy *tp, const char *text, uint32_t line,
                           uint32_t column)
{
    const struct diag *d = NULL;
    struct line_col lc;

    for (size_t i = 0; i < tp->sink.len; i++) {
        const struct diag *item = tp->sink.items[i];

        if (!strstr(item->message, text))
            continue;
        if (!d || tdiag_pos(item).line == line)
            d = item;
        if (tdiag_pos(d).line == line)
            break;
    }
    if (!d)
        tpolicy_dump(tp);
    ck_assert_msg(d != NULL, "no diagnostic contains \"%s\"", text);
    ck_assert_int_eq(d->severity, DIAG_ERROR);
    lc = tdiag_pos(d);
    ck_assert_msg(lc.line == line, "\"%s\": line %u, expected %u", text, lc.line, line);
    ck_assert_msg(lc.column == column, "\"%s\": column %u, expected %u", text, lc.column, column);
}

/* Checks the error count, printing the diagnostics when it differs. */
static void check_errors(const struct tpolicy *tp, size_t expected)
{
    if (tpolicy_errors(tp) != expected)
        tpolicy_dump(tp);
    ck_assert_uint_eq(tpolicy_errors(tp), expected);
}

static const char *name_of(const struct tpolicy *tp, uint32_t sym)
{
    ck_assert_uint_ne(sym, AST_NONE);
    return ast_name(&tp->ast, sym);
}

/* Returns the byte offset of the first occurrence of needle in text. */
static uint32_t offset_of(const char *text, const char *needle)
{
    const char *at = strstr(text, needle);

    ck_assert_msg(at != NULL, "\"%s\" not in the policy text", needle);
    return (uint32_t)(at - text);
}

static void check_span(struct span span, uint32_t begin, uint32_t end)
{
    ck_assert_uint_eq(span.begin, begin);
    ck_assert_uint_eq(span.end, end);
}

/* ---- the language excerpt ---- */

static const char presets_text[] =
    "permission analytics \"Dashboards.\";\n"
    "permission reports;\n"
    "permission recorded_sessions;\n"
    "permission calls;\n"
    "permission chats;\n"
    "permission chatbot_settings;\n"
    "permission delete_team_members escalates;\n"
    "group analytics \"Analytics\" { permission export_analytics; }\n"
    "role sales_representative { grant reports; }\n"
    "role support_agent { grant calls, chats; }\n";

static const char excerpt_text[] =
    "import \"presets.kkp\";                    # relative to this file\n"
    "\n"
    "group team \"Team Management\" {\n"
    "    permission view_team \"See the member list.\";\n"
    "    permission update_team_members \"Edit members and their permissions.\" escalates "
    "sensitive;\n"
    "}\n"
    "permission billing \"Plans, payment methods, invoices.\" sensitive;   # outside any group\n"
    "\n"
    "role sales_manager : sales_representative {   # ':' lists parent roles\n"
    "    title \"Sales Manager\";\n"
    "    grant analytics, reports, recorded_sessions, view_team;\n"
    "}\n"
    "role auditor { grant analytics.*; revoke reports; }\n"
    "role owner { grant *; }\n"
    "\n"
    "member \"alice@example.com\" : sales_manager, support_agent {\n"
    "    grant billing;\n"
    "    revoke calls;\n"
    "}\n"
    "member \"bob@example.com\" : support_agent;\n"
    "member \"carol@example.com\";\n"
    "\n"
    "warn  delete_team_members requires view_team;\n"
    "warn  team.* requires view_team;\n"
    "error billing excludes chatbot_settings;\n"
    "error at least 1 member with update_team_members;\n"
    "warn  at most 2 members with delete_team_members;\n"
    "\n"
    "assert member \"alice@example.com\" can billing, chats;\n"
    "assert member \"alice@example.com\" cannot calls;\n"
    "assert role sales_manager can view_team;\n"
    "\n"
    "suppress unused-role for role auditor because \"kept for the yearly audit\" until "
    "2027-03-31;\n";

START_TEST(language_excerpt_parses)
{
    char *dir = tdir_new();
    char *presets = tfile_write(dir, "presets.kkp", presets_text);
    char *main_path = tfile_write(dir, "main.kkp", excerpt_text);
    const char *paths[] = {main_path};
    struct tpolicy tp;

    tpolicy_files(&tp, paths, 1);
    check_errors(&tp, 0);
    ck_assert(tp.resolved);
    ck_assert_uint_eq(tp.ast.nfiles, 2);
    ck_assert_uint_eq(tp.ast.nimports, 1);
    ck_assert_uint_eq(tp.ast.imports[0].target, 1);
    ck_assert_uint_eq(tp.ast.ngroups, 2);
    ck_assert_uint_eq(tp.ast.nperms, 11);
    ck_assert_uint_eq(tp.ast.nroles, 5);
    ck_assert_uint_eq(tp.ast.nmembers, 3);
    ck_assert_uint_eq(tp.ast.nconstraints, 5);
    ck_assert_uint_eq(tp.ast.nasserts, 3);
    ck_assert_uint_eq(tp.ast.nsuppressions, 1);
    /* The import comes first, so the imported permissions get the first bits. */
    ck_assert_uint_eq(tpolicy_bit(&tp, "analytics"), 0);
    ck_assert_uint_eq(tpolicy_bit(&tp, "view_team"), 8);
    ck_assert_uint_eq(tpolicy_bit(&tp, "billing"), 10);
    ck_assert(tpolicy_member_has(&tp, "alice@example.com", "billing"));
    ck_assert(!tpolicy_member_has(&tp, "alice@example.com", "calls"));
    ck_assert(tpolicy_role_has(&tp, "auditor", "export_analytics"));
    ck_assert(!tpolicy_role_has(&tp, "auditor", "reports"));
    tpolicy_release(&tp);

    unlink(presets);
    unlink(main_path);
    rmdir(dir);
    free(presets);
    free(main_path);
    free(dir);
}
END_TEST

/* ---- syntax errors ---- */

START_TEST(missing_semicolon)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "permission a\npermission b;\n");
    check_errors(&tp, 1);
    check_error_at(&tp, "unexpected 'permission', expected 'escalates', 'sensitive', string or ';'",
                   2, 1);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(missing_semicolon_in_block)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "permission a;\nrole r {\n  grant a\n  revoke a;\n}\n");
    check_errors(&tp, 1);
    check_error_at(&tp, "unexpected 'revoke', expected ';', ',' or '.'", 4, 3);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(missing_closing_brace)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "role r { title \"R\";\nrole s { grant b; }\n");
    check_errors(&tp, 1);
    check_error_at(&tp, "unexpected 'role', expected 'title', 'grant', 'revoke' or '}'", 2, 1);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(reserved_word_as_name)
{
    static const struct {
        const char *text;
        const char *message;
        uint32_t column;
    } cases[] = {
        {"role member;", "unexpected 'member', expected identifier ('member' is a reserved word)",
         6},
        {"permission title;",
         "unexpected 'title', expected identifier ('title' is a reserved word)", 12},
        {"group at { }", "unexpected 'at', expected identifier ('at' is a reserved word)", 7},
        {"role r : can;", "unexpected 'can', expected identifier ('can' is a reserved word)", 10},
        {"role r { grant role; }",
         "unexpected 'role', expected identifier or '*' ('role' is a reserved word)", 16},
        {"assert role with can x;",
         "unexpected 'with', expected identifier ('with' is a reserved word)", 13},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tpolicy tp;

        tpolicy_text(&tp, cases[i].text);
        check_errors(&tp, 1);
        check_error_at(&tp, cases[i].message, 1, cases[i].column);
        tpolicy_release(&tp);
    }
}
END_TEST

START_TEST(no_reserved_word_note_for_identifier)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "permission x y;");
    check_errors(&tp, 1);
    check_error_at(
        &tp, "unexpected identifier 'y', expected 'escalates', 'sensitive', string or ';'", 1, 14);
    ck_assert_ptr_null(tpolicy_find(&tp, "reserved word"));
    tpolicy_release(&tp);
}
END_TEST

START_TEST(unexpected_end_of_file)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "permission a;\nrole r { grant a;\n");
    check_errors(&tp, 1);
    check_error_at(&tp, "unexpected end of file, expected 'title', 'grant', 'revoke' or '}'", 2,
                   18);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(unexpected_end_in_statement)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "permission a\n");
    check_errors(&tp, 1);
    check_error_at(&tp, "unexpected end of file, expected 'escalates', 'sensitive', string or ';'",
                   1, 13);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(bad_token_in_role_block)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "permission a;\nrole r {\n  grant a;\n  grant 1;\n  revoke a;\n}\n");
    check_errors(&tp, 1);
    check_error_at(&tp, "unexpected number, expected identifier or '*'", 4, 9);
    /* The role survives with the clauses around the bad one. */
    ck_assert_uint_eq(tp.ast.nroles, 1);
    ck_assert_uint_eq(tp.ast.roles[0].clauses.count, 2);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(bad_token_in_group_block)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "group g { permission a; role x; permission b; }\n");
    check_errors(&tp, 1);
    check_error_at(&tp, "unexpected 'role', expected 'permission' or '}'", 1, 25);
    ck_assert_uint_eq(tp.ast.nperms, 2);
    ck_assert_uint_eq(tp.ast.perms[1].group, 0);
    ck_assert_uint_eq(tp.ast.nroles, 0);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(bad_token_in_member_block)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "member \"m\" {\n  title \"x\";\n}\n");
    check_errors(&tp, 1);
    check_error_at(&tp, "unexpected 'title', expected 'grant', 'revoke' or '}'", 2, 3);
    ck_assert_uint_eq(tp.ast.nmembers, 1);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(stray_closing_brace)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "permission a;\n}\npermission b;\n");
    check_errors(&tp, 1);
    check_error_at(&tp,
                   "unexpected '}', expected a statement: import, group, permission, role, "
                   "member, warn, error, assert or suppress",
                   2, 1);
    ck_assert_uint_eq(tp.ast.nperms, 2);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(error_position_after_bom)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "\xEF\xBB\xBFpermission a b;\n");
    check_errors(&tp, 1);
    check_error_at(&tp, "unexpected identifier 'b'", 1, 14);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(error_position_counts_code_points)
{
    struct tpolicy tp;

    /* U+00E9 and U+20AC take 5 bytes but 2 columns, and the CR LF ends line 1. */
    tpolicy_text(&tp, "# r\xC3\xA9sum\xC3\xA9\r\nmember \"\xC3\xA9\xE2\x82\xAC\"\tx;\n");
    check_errors(&tp, 1);
    check_error_at(&tp, "unexpected identifier 'x'", 2, 13);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(three_bad_statements)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "permission a b;\n"
                      "permission ok;\n"
                      "role r { grant ; }\n"
                      "role fine;\n"
                      "warn ok requires;\n");
    check_errors(&tp, 3);
    check_error_at(&tp, "unexpected identifier 'b'", 1, 14);
    check_error_at(&tp, "unexpected ';', expected identifier or '*'", 3, 16);
    check_error_at(&tp, "unexpected ';', expected identifier or '*'", 5, 17);
    ck_assert_uint_eq(tp.ast.nperms, 1);
    ck_assert_str_eq(name_of(&tp, tp.ast.perms[0].name), "ok");
    ck_assert_uint_eq(tp.ast.nroles, 2);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(errors_in_every_statement_kind)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "import x;\n"
                      "error at least x member with a;\n"
                      "assert role r can;\n"
                      "suppress unused-role because;\n"
                      "member \"m\" { revoke ; }\n");
    check_errors(&tp, 5);
    check_error_at(&tp, "unexpected identifier 'x', expected string", 1, 8);
    check_error_at(&tp, "unexpected identifier 'x', expected number", 2, 16);
    check_error_at(&tp, "unexpected ';', expected identifier or '*'", 3, 18);
    check_error_at(&tp, "unexpected ';', expected string", 4, 29);
    check_error_at(&tp, "unexpected ';', expected identifier or '*'", 5, 21);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(two_errors_in_one_block)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "role r { grant a b c; grant d e; }\n");
    check_errors(&tp, 2);
    check_error_at(&tp, "unexpected identifier 'b', expected ';', ',' or '.'", 1, 18);
    check_error_at(&tp, "unexpected identifier 'e', expected ';', ',' or '.'", 1, 31);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(lexical_error_one_diagnostic)
{
    static const struct {
        const char *text;
        const char *message;
        uint32_t line, column;
    } cases[] = {
        {"role @;\npermission a;\n", "unexpected character '@'", 1, 6},
        {"permission a;\nrole r { grant \x01"
         "a; }\n",
         "control character U+0001", 2, 16},
        {"permission a \"x;\npermission b;\n", "missing closing '\"' of a string", 1, 14},
        {"permission a \"x", "missing closing '\"' of a string at the end of the file", 1, 14},
        {"member \"a\\qb\";\n", "invalid escape sequence '\\q'", 1, 10},
        {"error at least 99999999999 members with a;\npermission a;\n",
         "number '99999999999' is too large", 1, 16},
        {"permission a;\rpermission b;\n", "carriage return without a line feed", 1, 14},
        {"permission a; \xC0\xAF\npermission b;\n", "invalid UTF-8 (an overlong encoding)", 1, 15},
        {"member \"ab\rc\";\n", "carriage return without a line feed", 1, 11},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tpolicy tp;

        tpolicy_text(&tp, cases[i].text);
        ck_assert_msg(tpolicy_errors(&tp) == 1, "case %zu: %zu errors", i, tpolicy_errors(&tp));
        ck_assert_uint_eq(tp.sink.len, 1);
        check_error_at(&tp, cases[i].message, cases[i].line, cases[i].column);
        tpolicy_release(&tp);
    }
}
END_TEST

START_TEST(lexical_error_skips_statement)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "permission a @;\npermission b;\n");
    check_errors(&tp, 1);
    ck_assert_uint_eq(tp.ast.nperms, 1);
    ck_assert_str_eq(name_of(&tp, tp.ast.perms[0].name), "b");
    tpolicy_release(&tp);
}
END_TEST

/* Parses text with an error limit, as --max-errors sets it. */
static void parse_with_limit(const char *text, size_t max_errors, struct ast *ast,
                             struct diag_sink *sink)
{
    ast_init(ast);
    diag_sink_init(sink, max_errors);
    load_policy_text(ast, "test.kkp", text, strlen(text), sink);
}

static char *repeat_line(const char *line, size_t times)
{
    size_t len = strlen(line);
    char *text = malloc(len * times + 1);

    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < times; i++)
        memcpy(text + i * len, line, len);
    text[len * times] = '\0';
    return text;
}

START_TEST(error_limit_syntax_errors)
{
    char *text = repeat_line("permission ;\n", 1000);
    struct ast ast;
    struct diag_sink sink;

    parse_with_limit(text, 5, &ast, &sink);
    ck_assert(sink.stopped);
    ck_assert_uint_eq(sink.errors, 5);
    ck_assert_uint_eq(sink.len, 5);
    diag_sink_release(&sink);
    ast_release(&ast);
    free(text);
}
END_TEST

START_TEST(error_limit_lexical_errors)
{
    char *text = repeat_line("role @;\n", 1000);
    struct ast ast;
    struct diag_sink sink;

    parse_with_limit(text, 5, &ast, &sink);
    ck_assert(sink.stopped);
    ck_assert_uint_eq(sink.errors, 5);
    ck_assert_uint_eq(sink.len, 5);
    diag_sink_release(&sink);
    ast_release(&ast);
    free(text);
}
END_TEST

START_TEST(error_limit_not_reached)
{
    char *text = repeat_line("permission ;\n", 5);
    struct ast ast;
    struct diag_sink sink;

    parse_with_limit(text, 5, &ast, &sink);
    ck_assert(!sink.stopped);
    ck_assert_uint_eq(sink.errors, 5);
    diag_sink_release(&sink);
    ast_release(&ast);
    free(text);
}
END_TEST

/* ---- limits and values checked by the parser ---- */

START_TEST(member_id_empty)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "member \"\";\n");
    check_errors(&tp, 1);
    check_error_at(&tp, "member id is empty", 1, 8);
    ck_assert_uint_eq(tp.ast.nmembers, 0);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(member_id_empty_in_assert)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "permission a;\nassert member \"\" can a;\n");
    check_errors(&tp, 1);
    check_error_at(&tp, "member id is empty", 2, 15);
    tpolicy_release(&tp);
}
END_TEST

/* Returns a malloc'ed member statement whose id has len bytes. */
static char *member_with_id_len(size_t len)
{
    char *text = malloc(len + 16);

    ck_assert_ptr_nonnull(text);
    memcpy(text, "member \"", 8);
    memset(text + 8, 'm', len);
    strcpy(text + 8 + len, "\";\n");
    return text;
}

START_TEST(member_id_320_bytes_ok)
{
    char *text = member_with_id_len(320);
    struct tpolicy tp;

    tpolicy_text(&tp, text);
    check_errors(&tp, 0);
    ck_assert_uint_eq(tp.ast.nmembers, 1);
    ck_assert_uint_eq(tp.ast.members[0].id_len, 320);
    tpolicy_release(&tp);
    free(text);
}
END_TEST

START_TEST(member_id_321_bytes_error)
{
    char *text = member_with_id_len(321);
    struct tpolicy tp;

    tpolicy_text(&tp, text);
    check_errors(&tp, 1);
    check_error_at(&tp, "member id is 321 bytes long; the limit is 320 bytes", 1, 8);
    ck_assert_uint_eq(tp.ast.nmembers, 0);
    tpolicy_release(&tp);
    free(text);
}
END_TEST

START_TEST(member_id_limit_after_decoding)
{
    /* 319 bytes and one escape: 321 bytes of source, 320 decoded. */
    char text[400] = "member \"";
    struct tpolicy tp;

    memset(text + 8, 'm', 319);
    strcpy(text + 8 + 319, "\\n\";\n");
    tpolicy_text(&tp, text);
    check_errors(&tp, 0);
    ck_assert_uint_eq(tp.ast.nmembers, 1);
    ck_assert_uint_eq(tp.ast.members[0].id_len, 320);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(until_not_calendar_date)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "suppress unused-role because \"old\" until 2027-02-29;\n");
    check_errors(&tp, 1);
    check_error_at(&tp, "'2027-02-29' is not a calendar date", 1, 42);
    ck_assert_uint_eq(tp.ast.nsuppressions, 0);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(until_leap_day_ok)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "suppress unused-role because \"old\" until 2028-02-29;\n");
    ck_assert_ptr_null(tpolicy_find(&tp, "calendar date"));
    ck_assert_uint_eq(tp.ast.nsuppressions, 1);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(suppression_empty_reason)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "role r;\nsuppress empty-role for role r because \"\";\n");
    check_errors(&tp, 1);
    check_error_at(&tp, "suppression has an empty reason", 2, 1);
    ck_assert_uint_eq(tp.ast.nsuppressions, 0);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(import_path_empty)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "import \"\";\n");
    check_errors(&tp, 1);
    check_error_at(&tp, "import path is empty", 1, 8);
    tpolicy_release(&tp);
}
END_TEST

/* ---- the AST of a parsed file ---- */

static const char ast_text[] =
    "group team \"Team\" {\n"
    "    permission view_team \"See members.\";\n"
    "    permission edit_team escalates sensitive;\n"
    "}\n"
    "permission billing sensitive;\n"
    "role base;\n"
    "role lead : base, helper {\n"
    "    title \"Team lead\";\n"
    "    grant team.*, billing;\n"
    "    revoke edit_team;\n"
    "}\n"
    "role helper { grant *; }\n"
    "member \"alice@example.com\" : lead { grant billing; revoke view_team; }\n"
    "member \"bob@example.com\";\n"
    "warn view_team requires billing, edit_team;\n"
    "error billing excludes team.*;\n"
    "error at least 1 member with edit_team;\n"
    "warn at most 2 members with billing, view_team;\n"
    "assert member \"alice@example.com\" can billing;\n"
    "assert role helper cannot view_team, edit_team;\n"
    "suppress unused-role for role base because \"kept for later\" until 2028-02-29;\n"
    "suppress empty-role because \"every role\";\n";

START_TEST(ast_groups_and_permissions)
{
    struct tpolicy tp;
    const struct ast *ast;

    tpolicy_text(&tp, ast_text);
    check_errors(&tp, 0);
    ast = &tp.ast;

    ck_assert_uint_eq(ast->ngroups, 1);
    ck_assert_str_eq(name_of(&tp, ast->groups[0].name), "team");
    ck_assert_str_eq(ast->groups[0].title, "Team");
    check_span(ast->groups[0].span, offset_of(ast_text, "team"), offset_of(ast_text, "team") + 4);

    ck_assert_uint_eq(ast->nperms, 3);
    ck_assert_str_eq(name_of(&tp, ast->perms[0].name), "view_team");
    ck_assert_str_eq(ast->perms[0].description, "See members.");
    ck_assert_uint_eq(ast->perms[0].group, 0);
    ck_assert_uint_eq(ast->perms[0].flags, 0);
    ck_assert_str_eq(name_of(&tp, ast->perms[1].name), "edit_team");
    ck_assert_ptr_null(ast->perms[1].description);
    ck_assert_uint_eq(ast->perms[1].group, 0);
    ck_assert_uint_eq(ast->perms[1].flags, PERM_ESCALATES | PERM_SENSITIVE);
    ck_assert_str_eq(name_of(&tp, ast->perms[2].name), "billing");
    ck_assert_uint_eq(ast->perms[2].group, AST_NONE);
    ck_assert_uint_eq(ast->perms[2].flags, PERM_SENSITIVE);
    check_span(ast->perms[2].span, offset_of(ast_text, "billing"),
               offset_of(ast_text, "billing") + 7);
    for (uint32_t i = 0; i < 3; i++)
        ck_assert_uint_eq(ast->perms[i].bit, i);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(ast_roles_and_clauses)
{
    struct tpolicy tp;
    const struct ast *ast;
    const struct ast_role *lead;
    const struct ast_clause *c;
    const struct ast_ref *ref;

    tpolicy_text(&tp, ast_text);
    check_errors(&tp, 0);
    ast = &tp.ast;

    ck_assert_uint_eq(ast->nroles, 3);
    ck_assert_str_eq(name_of(&tp, ast->roles[0].name), "base");
    ck_assert_uint_eq(ast->roles[0].parents.count, 0);
    ck_assert_uint_eq(ast->roles[0].clauses.count, 0);
    ck_assert_str_eq(name_of(&tp, ast->roles[2].name), "helper");

    lead = &ast->roles[1];
    ck_assert_str_eq(name_of(&tp, lead->name), "lead");
    check_span(lead->span, offset_of(ast_text, "lead :"), offset_of(ast_text, "lead :") + 4);
    check_span(lead->keyword, offset_of(ast_text, "role lead"),
               offset_of(ast_text, "role lead") + 4);
    ck_assert_uint_eq(lead->parents.count, 2);
    ck_assert_int_eq(ast->refs[lead->parents.start].kind, REF_NAME);
    ck_assert_str_eq(name_of(&tp, ast->refs[lead->parents.start].name), "base");
    ck_assert_str_eq(name_of(&tp, ast->refs[lead->parents.start + 1].name), "helper");
    ck_assert_str_eq(lead->title, "Team lead");

    ck_assert_uint_eq(lead->clauses.count, 3);
    c = &ast->clauses[lead->clauses.start];
    ck_assert_int_eq(c->kind, CLAUSE_TITLE);
    ck_assert_str_eq(c->title, "Team lead");
    c = &ast->clauses[lead->clauses.start + 1];
    ck_assert_int_eq(c->kind, CLAUSE_GRANT);
    ck_assert_uint_eq(c->refs.count, 2);
    ref = &ast->refs[c->refs.start];
    ck_assert_int_eq(ref->kind, REF_GROUP_ALL);
    ck_assert_str_eq(name_of(&tp, ref->name), "team");
    check_span(ref->span, offset_of(ast_text, "team.*"), offset_of(ast_text, "team.*") + 6);
    ck_assert_int_eq(ast->refs[c->refs.start + 1].kind, REF_NAME);
    ck_assert_str_eq(name_of(&tp, ast->refs[c->refs.start + 1].name), "billing");
    c = &ast->clauses[lead->clauses.start + 2];
    ck_assert_int_eq(c->kind, CLAUSE_REVOKE);
    ck_assert_uint_eq(c->refs.count, 1);
    ck_assert_str_eq(name_of(&tp, ast->refs[c->refs.start].name), "edit_team");

    c = &ast->clauses[ast->roles[2].clauses.start];
    ck_assert_uint_eq(ast->roles[2].clauses.count, 1);
    ck_assert_int_eq(c->kind, CLAUSE_GRANT);
    ck_assert_uint_eq(c->refs.count, 1);
    ck_assert_int_eq(ast->refs[c->refs.start].kind, REF_ALL);
    ck_assert_uint_eq(ast->refs[c->refs.start].name, AST_NONE);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(ast_members)
{
    struct tpolicy tp;
    const struct ast *ast;
    const struct ast_member *alice, *bob;

    tpolicy_text(&tp, ast_text);
    check_errors(&tp, 0);
    ast = &tp.ast;

    ck_assert_uint_eq(ast->nmembers, 2);
    alice = &ast->members[0];
    ck_assert_str_eq(alice->id, "alice@example.com");
    ck_assert_uint_eq(alice->id_len, 17);
    check_span(alice->span, offset_of(ast_text, "\"alice"), offset_of(ast_text, "\"alice") + 19);
    ck_assert_uint_eq(alice->parents.count, 1);
    ck_assert_str_eq(name_of(&tp, ast->refs[alice->parents.start].name), "lead");
    ck_assert_uint_eq(alice->clauses.count, 2);
    ck_assert_int_eq(ast->clauses[alice->clauses.start].kind, CLAUSE_GRANT);
    ck_assert_int_eq(ast->clauses[alice->clauses.start + 1].kind, CLAUSE_REVOKE);

    bob = &ast->members[1];
    ck_assert_str_eq(bob->id, "bob@example.com");
    ck_assert_uint_eq(bob->parents.count, 0);
    ck_assert_uint_eq(bob->clauses.count, 0);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(ast_constraints)
{
    struct tpolicy tp;
    const struct ast *ast;
    const struct ast_constraint *c;

    tpolicy_text(&tp, ast_text);
    check_errors(&tp, 0);
    ast = &tp.ast;

    ck_assert_uint_eq(ast->nconstraints, 4);
    c = &ast->constraints[0];
    ck_assert_int_eq(c->kind, CONSTRAINT_REQUIRES);
    ck_assert(!c->is_error);
    ck_assert_uint_eq(c->left.count, 1);
    ck_assert_uint_eq(c->right.count, 2);
    ck_assert_str_eq(name_of(&tp, ast->refs[c->right.start + 1].name), "edit_team");
    check_span(c->span, offset_of(ast_text, "warn view_team"),
               offset_of(ast_text, "edit_team;\nerror billing") + 10);

    c = &ast->constraints[1];
    ck_assert_int_eq(c->kind, CONSTRAINT_EXCLUDES);
    ck_assert(c->is_error);
    ck_assert_uint_eq(c->left.count, 1);
    ck_assert_uint_eq(c->right.count, 1);
    ck_assert_int_eq(ast->refs[c->right.start].kind, REF_GROUP_ALL);

    c = &ast->constraints[2];
    ck_assert_int_eq(c->kind, CONSTRAINT_AT_LEAST);
    ck_assert(c->is_error);
    ck_assert_uint_eq(c->count, 1);
    ck_assert_uint_eq(c->left.count, 1);

    c = &ast->constraints[3];
    ck_assert_int_eq(c->kind, CONSTRAINT_AT_MOST);
    ck_assert(!c->is_error);
    ck_assert_uint_eq(c->count, 2);
    ck_assert_uint_eq(c->left.count, 2);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(ast_asserts)
{
    struct tpolicy tp;
    const struct ast *ast;
    const struct ast_assert *a;

    tpolicy_text(&tp, ast_text);
    check_errors(&tp, 0);
    ast = &tp.ast;

    ck_assert_uint_eq(ast->nasserts, 2);
    a = &ast->asserts[0];
    ck_assert(a->can);
    ck_assert_int_eq(a->subject.kind, SUBJECT_MEMBER);
    ck_assert_str_eq(a->subject.id, "alice@example.com");
    ck_assert_uint_eq(a->subject.id_len, 17);
    ck_assert_uint_eq(a->perms.count, 1);

    a = &ast->asserts[1];
    ck_assert(!a->can);
    ck_assert_int_eq(a->subject.kind, SUBJECT_ROLE);
    ck_assert_str_eq(name_of(&tp, a->subject.name), "helper");
    ck_assert_uint_eq(a->perms.count, 2);
    ck_assert_str_eq(name_of(&tp, ast->refs[a->perms.start + 1].name), "edit_team");
    tpolicy_release(&tp);
}
END_TEST

START_TEST(ast_suppressions)
{
    struct tpolicy tp;
    const struct ast *ast;
    const struct ast_suppress *s;

    tpolicy_text(&tp, ast_text);
    check_errors(&tp, 0);
    ast = &tp.ast;

    ck_assert_uint_eq(ast->nsuppressions, 2);
    s = &ast->suppressions[0];
    ck_assert_str_eq(s->rule, "unused-role");
    check_span(s->rule_span, offset_of(ast_text, "unused-role"),
               offset_of(ast_text, "unused-role") + 11);
    ck_assert_int_eq(s->subject.kind, SUBJECT_ROLE);
    ck_assert_str_eq(name_of(&tp, s->subject.name), "base");
    ck_assert_str_eq(s->reason, "kept for later");
    ck_assert(s->has_until);
    ck_assert_uint_eq(s->year, 2028);
    ck_assert_uint_eq(s->month, 2);
    ck_assert_uint_eq(s->day, 29);
    check_span(s->until_span, offset_of(ast_text, "2028-02-29"),
               offset_of(ast_text, "2028-02-29") + 10);

    s = &ast->suppressions[1];
    ck_assert_str_eq(s->rule, "empty-role");
    ck_assert_int_eq(s->subject.kind, SUBJECT_NONE);
    ck_assert_str_eq(s->reason, "every role");
    ck_assert(!s->has_until);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(ast_suppress_member_subject)
{
    struct tpolicy tp;
    const struct ast_suppress *s;

    tpolicy_text(&tp,
                 "member \"m\";\nsuppress no-permissions for member \"m\" because \"guest\";\n");
    check_errors(&tp, 0);
    ck_assert_uint_eq(tp.ast.nsuppressions, 1);
    s = &tp.ast.suppressions[0];
    ck_assert_int_eq(s->subject.kind, SUBJECT_MEMBER);
    ck_assert_str_eq(s->subject.id, "m");
    ck_assert_uint_eq(s->subject.id_len, 1);
    tpolicy_release(&tp);
}
END_TEST

START_TEST(ast_empty_file)
{
    struct tpolicy tp;

    tpolicy_text(&tp, "# only a comment\n\n");
    check_errors(&tp, 0);
    ck_assert_uint_eq(tp.ast.nfiles, 1);
    ck_assert_uint_eq(tp.ast.nperms, 0);
    ck_assert_uint_eq(tp.ast.nroles, 0);
    ck_assert_uint_eq(tp.ast.nmembers, 0);
    tpolicy_release(&tp);
}
END_TEST

Suite *suite_parser(void)
{
    Suite *s = suite_create("parser");
    TCase *tc = tcase_create("syntax");

    tcase_add_test(tc, language_excerpt_parses);
    tcase_add_test(tc, missing_semicolon);
    tcase_add_test(tc, missing_semicolon_in_block);
    tcase_add_test(tc, missing_closing_brace);
    tcase_add_test(tc, reserved_word_as_name);
    tcase_add_test(tc, no_reserved_word_note_for_identifier);
    tcase_add_test(tc, unexpected_end_of_file);
    tcase_add_test(tc, unexpected_end_in_statement);
    tcase_add_test(tc, bad_token_in_role_block);
    tcase_add_test(tc, bad_token_in_group_block);
    tcase_add_test(tc, bad_token_in_member_block);
    tcase_add_test(tc, stray_closing_brace);
    tcase_add_test(tc, error_position_after_bom);
    tcase_add_test(tc, error_position_counts_code_points);
    suite_add_tcase(s, tc);

    tc = tcase_create("recovery");
    tcase_add_test(tc, three_bad_statements);
    tcase_add_test(tc, errors_in_every_statement_kind);
    tcase_add_test(tc, two_errors_in_one_block);
    tcase_add_test(tc, lexical_error_one_diagnostic);
    tcase_add_test(tc, lexical_error_skips_statement);
    tcase_add_test(tc, error_limit_syntax_errors);
    tcase_add_test(tc, error_limit_lexical_errors);
    tcase_add_test(tc, error_limit_not_reached);
    suite_add_tcase(s, tc);

    tc = tcase_create("checks");
    tcase_add_test(tc, member_id_empty);
    tcase_add_test(tc, member_id_empty_in_assert);
    tcase_add_test(tc, member_id_320_bytes_ok);
    tcase_add_test(tc, member_id_321_bytes_error);
    tcase_add_test(tc, member_id_limit_after_decoding);
    tcase_add_test(tc, until_not_calendar_date);
    tcase_add_test(tc, until_leap_day_ok);
    tcase_add_test(tc, suppression_empty_reason);
    tcase_add_test(tc, import_path_empty);
    suite_add_tcase(s, tc);

    tc = tcase_create("ast");
    tcase_add_test(tc, ast_groups_and_permissions);
    tcase_add_test(tc, ast_roles_and_clauses);
    tcase_add_test(tc, ast_members);
    tcase_add_test(tc, ast_constraints);
    tcase_add_test(tc, ast_asserts);
    tcase_add_test(tc, ast_suppressions);
    tcase_add_test(tc, ast_suppress_member_subject);
    tcase_add_test(tc, ast_empty_file);
    suite_add_tcase(s, tc);
    return s;
}
