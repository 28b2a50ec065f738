/* The scanner, driven directly: token kinds, spans, decoded values and lexical errors. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "diag.h"
#include "parse.h"
#include "policy.tab.h"

#define YYSTYPE KPSTYPE
#define YYLTYPE KPLTYPE
#include "policy.lex.h"

#define MAX_TOKENS 128

struct token {
    int kind;
    struct span span;
    KPSTYPE value;
};

/* Every token of one scanned file, with the diagnostics the scanner reported. */
struct lexed {
    struct ast ast;
    struct diag_sink sink;
    struct source *src;
    struct token tokens[MAX_TOKENS];
    size_t ntokens;
    uint32_t end_pos; /* the scanner's byte offset when it returned end of file */
};

/* Scans len bytes as file "test.kkp" until end of file, as parse_file sets the scanner up. */
static void lex_bytes_limit(struct lexed *lx, const char *data, size_t len, size_t max_errors)
{
    struct parser p;
    yyscan_t scanner;
    uint32_t file;

    memset(lx, 0, sizeof(*lx));
    ast_init(&lx->ast);
    diag_sink_init(&lx->sink, max_errors);
    file = ast_add_file(&lx->ast, source_from_bytes("test.kkp", data, len));
    lx->src = lx->ast.files[file].src;

    memset(&p, 0, sizeof(p));
    p.ast = &lx->ast;
    p.sink = &lx->sink;
    p.file = file;
    p.src = lx->src;
    p.pos = p.src->start;
    p.read_pos = p.src->start;
    ck_assert_int_eq(kplex_init_extra(&p, &scanner), 0);

    for (;;) {
        KPSTYPE value;
        KPLTYPE loc;
        int kind;

        memset(&value, 0, sizeof(value));
        memset(&loc, 0, sizeof(loc));
        kind = kplex(&value, &loc, scanner);
        if (kind == END)
            break;
        ck_assert_msg(lx->ntokens < MAX_TOKENS, "more than %d tokens", MAX_TOKENS);
        lx->tokens[lx->ntokens].kind = kind;
        lx->tokens[lx->ntokens].span = loc;
        lx->tokens[lx->ntokens].value = value;
        lx->ntokens++;
    }
    lx->end_pos = p.pos;
    kplex_destroy(scanner);
    free(p.buf);
}

static void lex_bytes(struct lexed *lx, const char *data, size_t len)
{
    lex_bytes_limit(lx, data, len, 1000);
}

static void lex_text(struct lexed *lx, const char *text)
{
    lex_bytes(lx, text, strlen(text));
}

static void lexed_release(struct lexed *lx)
{
    diag_sink_release(&lx->sink);
    ast_release(&lx->ast);
}

static const struct token *token_at(const struct lexed *lx, size_t i)
{
    ck_assert_msg(i < lx->ntokens, "token %zu missing: only %zu tokens", i, lx->ntokens);
    return &lx->tokens[i];
}

static void check_token(const struct lexed *lx, size_t i, int kind, uint32_t begin, uint32_t end)
{
    const struct token *t = token_at(lx, i);

    ck_assert_msg(t->kind == kind, "token %zu: kind %d, expected %d", i, t->kind, kind);
    ck_assert_msg(t->span.begin == begin, "token %zu: begins at %u, expected %u", i, t->span.begin,
                  begin);
    ck_assert_msg(t->span.end == end, "token %zu: ends at %u, expected %u", i, t->span.end, end);
}

static void check_token_pos(const struct lexed *lx, size_t i, uint32_t line, uint32_t column)
{
    struct line_col lc = source_line_col(lx->src, token_at(lx, i)->span.begin);

    ck_assert_msg(lc.line == line, "token %zu: line %u, expected %u", i, lc.line, line);
    ck_assert_msg(lc.column == column, "token %zu: column %u, expected %u", i, lc.column, column);
}

static const struct diag *find_diag(const struct lexed *lx, const char *text)
{
    for (size_t i = 0; i < lx->sink.len; i++) {
        if (strstr(lx->sink.items[i]->message, text))
            return lx->sink.items[i];
    }
    return NULL;
}

/* Checks that a diagnostic containing text exists and starts at line:column. */
static void check_diag_at(const struct lexed *lx, const char *text, uint32_t line, uint32_t column)
{
    const struct diag *d = find_diag(lx, text);
    struct line_col lc;

    ck_assert_msg(d != NULL, "no diagnostic contains \"%s\"", text);
    ck_assert_ptr_eq(d->loc.src, lx->src);
    lc = source_line_col(lx->src, d->loc.begin);
    ck_assert_msg(lc.line == line, "\"%s\": line %u, expected %u", text, lc.line, line);
    ck_assert_msg(lc.column == column, "\"%s\": column %u, expected %u", text, lc.column, column);
}

static const char *token_name(const struct lexed *lx, size_t i)
{
    return ast_name(&lx->ast, token_at(lx, i)->value.sym);
}

/* ---- keywords, names, numbers and punctuation ---- */

START_TEST(keywords_all)
{
    static const struct {
        const char *text;
        int kind;
    } keywords[] = {
        {"import", IMPORT},
        {"group", GROUP},
        {"permission", PERMISSION},
        {"escalates", ESCALATES},
        {"sensitive", SENSITIVE},
        {"role", ROLE},
        {"title", TITLE},
        {"grant", GRANT},
        {"revoke", REVOKE},
        {"member", MEMBER},
        {"members", MEMBERS},
        {"warn", WARN},
        {"error", ERROR_KW},
        {"requires", REQUIRES},
        {"excludes", EXCLUDES},
        {"at", AT},
        {"least", LEAST},
        {"most", MOST},
        {"with", WITH},
        {"assert", ASSERT},
        {"can", CAN},
        {"cannot", CANNOT},
        {"suppress", SUPPRESS},
        {"for", FOR},
        {"because", BECAUSE},
        {"until", UNTIL},
    };
    const size_t n = sizeof(keywords) / sizeof(keywords[0]);
    char text[512] = "";
    uint32_t begins[sizeof(keywords) / sizeof(keywords[0])];
    struct lexed lx;

    for (size_t i = 0; i < n; i++) {
        begins[i] = (uint32_t)strlen(text);
        strcat(text, keywords[i].text);
        strcat(text, " ");
    }
    lex_text(&lx, text);
    ck_assert_uint_eq(lx.ntokens, n);
    for (size_t i = 0; i < n; i++)
        check_token(&lx, i, keywords[i].kind, begins[i],
                    begins[i] + (uint32_t)strlen(keywords[i].text));
    ck_assert_uint_eq(lx.sink.len, 0);
    lexed_release(&lx);
}
END_TEST

START_TEST(keyword_prefix_is_identifier)
{
    struct lexed lx;

    lex_text(&lx, "roles Role grant_all");
    ck_assert_uint_eq(lx.ntokens, 3);
    check_token(&lx, 0, IDENT, 0, 5);
    check_token(&lx, 1, IDENT, 6, 10);
    check_token(&lx, 2, IDENT, 11, 20);
    ck_assert_str_eq(token_name(&lx, 0), "roles");
    ck_assert_str_eq(token_name(&lx, 1), "Role");
    ck_assert_str_eq(token_name(&lx, 2), "grant_all");
    lexed_release(&lx);
}
END_TEST

START_TEST(identifiers_interned)
{
    struct lexed lx;

    lex_text(&lx, "_x Team_2 z9 _x");
    ck_assert_uint_eq(lx.ntokens, 4);
    check_token(&lx, 0, IDENT, 0, 2);
    check_token(&lx, 1, IDENT, 3, 9);
    check_token(&lx, 2, IDENT, 10, 12);
    check_token(&lx, 3, IDENT, 13, 15);
    ck_assert_str_eq(token_name(&lx, 0), "_x");
    ck_assert_str_eq(token_name(&lx, 1), "Team_2");
    ck_assert_str_eq(token_name(&lx, 2), "z9");
    ck_assert_uint_eq(lx.tokens[0].value.sym, lx.tokens[3].value.sym);
    ck_assert_uint_eq(lx.sink.len, 0);
    lexed_release(&lx);
}
END_TEST

START_TEST(identifier_128_bytes_ok)
{
    char text[129];
    struct lexed lx;

    memset(text, 'a', 128);
    text[128] = '\0';
    lex_text(&lx, text);
    ck_assert_uint_eq(lx.ntokens, 1);
    check_token(&lx, 0, IDENT, 0, 128);
    ck_assert_uint_eq(lx.sink.errors, 0);
    lexed_release(&lx);
}
END_TEST

START_TEST(identifier_129_bytes_error)
{
    char text[135] = "role ";
    struct lexed lx;

    memset(text + 5, 'a', 129);
    text[134] = '\0';
    lex_text(&lx, text);
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "identifier is 129 bytes long; the limit is 128 bytes", 1, 6);
    lexed_release(&lx);
}
END_TEST

START_TEST(rule_names)
{
    struct lexed lx;

    lex_text(&lx, "unused-role expired-suppression a-b-c unused");
    ck_assert_uint_eq(lx.ntokens, 4);
    check_token(&lx, 0, RULE, 0, 11);
    check_token(&lx, 1, RULE, 12, 31);
    check_token(&lx, 2, RULE, 32, 37);
    check_token(&lx, 3, IDENT, 38, 44);
    ck_assert_str_eq(lx.tokens[0].value.text.data, "unused-role");
    ck_assert_uint_eq(lx.tokens[0].value.text.len, 11);
    ck_assert_str_eq(lx.tokens[1].value.text.data, "expired-suppression");
    ck_assert_uint_eq(lx.sink.len, 0);
    lexed_release(&lx);
}
END_TEST

START_TEST(date_leap_day)
{
    struct lexed lx;

    lex_text(&lx, "2028-02-29");
    ck_assert_uint_eq(lx.ntokens, 1);
    check_token(&lx, 0, DATE, 0, 10);
    ck_assert_uint_eq(lx.tokens[0].value.date.year, 2028);
    ck_assert_uint_eq(lx.tokens[0].value.date.month, 2);
    ck_assert_uint_eq(lx.tokens[0].value.date.day, 29);
    ck_assert(lx.tokens[0].value.date.valid);
    lexed_release(&lx);
}
END_TEST

START_TEST(date_not_calendar_date)
{
    struct lexed lx;

    /* The scanner still returns a DATE; the parser reports it where it is used. */
    lex_text(&lx, "2027-02-29");
    ck_assert_uint_eq(lx.ntokens, 1);
    check_token(&lx, 0, DATE, 0, 10);
    ck_assert_uint_eq(lx.tokens[0].value.date.year, 2027);
    ck_assert_uint_eq(lx.tokens[0].value.date.month, 2);
    ck_assert_uint_eq(lx.tokens[0].value.date.day, 29);
    ck_assert(!lx.tokens[0].value.date.valid);
    ck_assert_uint_eq(lx.sink.len, 0);
    lexed_release(&lx);
}
END_TEST

START_TEST(date_validity_table)
{
    static const struct {
        const char *text;
        bool valid;
    } dates[] = {
        {"2000-02-29", true},  {"1900-02-29", false}, {"2027-12-31", true},
        {"2027-04-31", false}, {"2027-13-01", false}, {"2027-00-10", false},
        {"2027-01-00", false}, {"0000-01-01", false}, {"9999-12-31", true},
    };

    for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
        struct lexed lx;

        lex_text(&lx, dates[i].text);
        ck_assert_msg(lx.ntokens == 1, "%s: %zu tokens", dates[i].text, lx.ntokens);
        ck_assert_msg(lx.tokens[0].kind == DATE, "%s: not a DATE", dates[i].text);
        ck_assert_msg(lx.tokens[0].value.date.valid == dates[i].valid, "%s: valid is %d",
                      dates[i].text, lx.tokens[0].value.date.valid);
        lexed_release(&lx);
    }
}
END_TEST

START_TEST(integers)
{
    struct lexed lx;

    lex_text(&lx, "0 42 4294967295 007");
    ck_assert_uint_eq(lx.ntokens, 4);
    check_token(&lx, 0, INT, 0, 1);
    check_token(&lx, 1, INT, 2, 4);
    check_token(&lx, 2, INT, 5, 15);
    check_token(&lx, 3, INT, 16, 19);
    ck_assert_uint_eq(lx.tokens[0].value.num, 0);
    ck_assert_uint_eq(lx.tokens[1].value.num, 42);
    ck_assert_uint_eq(lx.tokens[2].value.num, 4294967295u);
    ck_assert_uint_eq(lx.tokens[3].value.num, 7);
    ck_assert_uint_eq(lx.sink.len, 0);
    lexed_release(&lx);
}
END_TEST

START_TEST(integer_above_limit)
{
    struct lexed lx;

    lex_text(&lx, "at 4294967296");
    ck_assert_uint_eq(lx.ntokens, 2);
    check_token(&lx, 1, LEXERR, 3, 13);
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "number '4294967296' is too large; the limit is 4294967295", 1, 4);
    lexed_release(&lx);
}
END_TEST

START_TEST(integer_overflows_64_bits)
{
    struct lexed lx;

    lex_text(&lx, "99999999999999999999999");
    ck_assert_uint_eq(lx.ntokens, 1);
    check_token(&lx, 0, LEXERR, 0, 23);
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "number '99999999999999999999999' is too large", 1, 1);
    lexed_release(&lx);
}
END_TEST

START_TEST(punctuation)
{
    struct lexed lx;

    lex_text(&lx, "{ } ; : , . * a.*");
    ck_assert_uint_eq(lx.ntokens, 10);
    check_token(&lx, 0, '{', 0, 1);
    check_token(&lx, 1, '}', 2, 3);
    check_token(&lx, 2, ';', 4, 5);
    check_token(&lx, 3, ':', 6, 7);
    check_token(&lx, 4, ',', 8, 9);
    check_token(&lx, 5, '.', 10, 11);
    check_token(&lx, 6, '*', 12, 13);
    check_token(&lx, 7, IDENT, 14, 15);
    check_token(&lx, 8, '.', 15, 16);
    check_token(&lx, 9, '*', 16, 17);
    ck_assert_uint_eq(lx.sink.len, 0);
    lexed_release(&lx);
}
END_TEST

START_TEST(unexpected_ascii_character)
{
    struct lexed lx;

    lex_text(&lx, "role @x");
    ck_assert_uint_eq(lx.ntokens, 3);
    check_token(&lx, 1, LEXERR, 5, 6);
    check_token(&lx, 2, IDENT, 6, 7);
    check_diag_at(&lx, "unexpected character '@'", 1, 6);
    lexed_release(&lx);
}
END_TEST

START_TEST(non_ascii_outside_string)
{
    struct lexed lx;

    lex_text(&lx, "x \xC3\xA9");
    ck_assert_uint_eq(lx.ntokens, 2);
    check_token(&lx, 1, LEXERR, 2, 4);
    check_diag_at(&lx, "unexpected character '\xC3\xA9' (U+00E9)", 1, 3);
    lexed_release(&lx);
}
END_TEST

/* ---- strings ---- */

START_TEST(string_every_escape)
{
    const char text[] = "\"a\\\"b\\\\c\\nd\\te\"";
    struct lexed lx;

    lex_text(&lx, text);
    ck_assert_uint_eq(lx.ntokens, 1);
    check_token(&lx, 0, STRING, 0, (uint32_t)strlen(text));
    ck_assert_uint_eq(lx.tokens[0].value.str.len, 9);
    ck_assert_mem_eq(lx.tokens[0].value.str.data, "a\"b\\c\nd\te", 9);
    ck_assert_uint_eq(lx.sink.len, 0);
    lexed_release(&lx);
}
END_TEST

START_TEST(string_empty_and_quote_only)
{
    struct lexed lx;

    lex_text(&lx, "\"\" \"\\\"\"");
    ck_assert_uint_eq(lx.ntokens, 2);
    check_token(&lx, 0, STRING, 0, 2);
    check_token(&lx, 1, STRING, 3, 7);
    ck_assert_uint_eq(lx.tokens[0].value.str.len, 0);
    ck_assert_uint_eq(lx.tokens[1].value.str.len, 1);
    ck_assert_str_eq(lx.tokens[1].value.str.data, "\"");
    lexed_release(&lx);
}
END_TEST

START_TEST(string_keeps_utf8)
{
    struct lexed lx;

    lex_text(&lx, "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 # not a comment\"");
    ck_assert_uint_eq(lx.ntokens, 1);
    ck_assert_str_eq(lx.tokens[0].value.str.data,
                     "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 # not a comment");
    ck_assert_uint_eq(lx.sink.len, 0);
    lexed_release(&lx);
}
END_TEST

START_TEST(string_invalid_escape)
{
    struct lexed lx;

    lex_text(&lx, "\"a\\qb\" x");
    ck_assert_uint_eq(lx.ntokens, 2);
    check_token(&lx, 0, STRING, 0, 6);
    check_token(&lx, 1, IDENT, 7, 8);
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "invalid escape sequence '\\q'", 1, 3);
    ck_assert_str_eq(lx.tokens[0].value.str.data, "ab");
    lexed_release(&lx);
}
END_TEST

START_TEST(string_raw_tab)
{
    struct lexed lx;

    lex_text(&lx, "\"a\tb\"");
    ck_assert_uint_eq(lx.ntokens, 1);
    check_token(&lx, 0, STRING, 0, 5);
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "tab character in a string; write \\t instead", 1, 3);
    lexed_release(&lx);
}
END_TEST

START_TEST(string_control_character)
{
    struct lexed lx;

    lex_text(&lx, "\"a\x01"
                  "b\xC2\x85\"");
    ck_assert_uint_eq(lx.ntokens, 1);
    ck_assert_uint_eq(lx.tokens[0].kind, STRING);
    ck_assert_uint_eq(lx.sink.errors, 2);
    check_diag_at(&lx, "control character U+0001 in a string", 1, 3);
    check_diag_at(&lx, "control character U+0085 in a string", 1, 5);
    lexed_release(&lx);
}
END_TEST

START_TEST(string_unterminated_end_of_line)
{
    struct lexed lx;

    lex_text(&lx, "title \"abc\nrole x");
    ck_assert_uint_eq(lx.ntokens, 4);
    ck_assert_int_eq(lx.tokens[1].kind, LEXERR);
    check_token(&lx, 2, ROLE, 11, 15);
    check_token(&lx, 3, IDENT, 16, 17);
    check_token_pos(&lx, 2, 2, 1);
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "missing closing '\"' of a string; strings end on the line they start", 1,
                  7);
    lexed_release(&lx);
}
END_TEST

START_TEST(string_unterminated_crlf)
{
    struct lexed lx;

    lex_text(&lx, "\"abc\\\r\nx");
    ck_assert_uint_eq(lx.ntokens, 2);
    ck_assert_int_eq(lx.tokens[0].kind, LEXERR);
    check_token(&lx, 1, IDENT, 7, 8);
    check_token_pos(&lx, 1, 2, 1);
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "missing closing '\"' of a string", 1, 1);
    lexed_release(&lx);

    lex_text(&lx, "\"abc\r\nx");
    ck_assert_uint_eq(lx.ntokens, 2);
    ck_assert_int_eq(lx.tokens[0].kind, LEXERR);
    check_token(&lx, 1, IDENT, 6, 7);
    ck_assert_uint_eq(lx.sink.errors, 1);
    lexed_release(&lx);
}
END_TEST

START_TEST(string_lone_cr)
{
    struct lexed lx;

    /* A lone CR does not end the line, so the string goes on to its closing quote. */
    lex_text(&lx, "\"ab\rc\" x");
    ck_assert_uint_eq(lx.ntokens, 2);
    check_token(&lx, 0, STRING, 0, 6);
    check_token(&lx, 1, IDENT, 7, 8);
    ck_assert_str_eq(lx.tokens[0].value.str.data, "abc");
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "carriage return without a line feed", 1, 4);
    lexed_release(&lx);
}
END_TEST

/* Returns the malloc'ed text of a string token with n_plain letters and
 * n_escapes "\n" escapes, so that its decoded value has n_plain + n_escapes bytes. */
static char *string_of_decoded_len(size_t n_plain, size_t n_escapes)
{
    char *text = malloc(n_plain + 2 * n_escapes + 3);

    ck_assert_ptr_nonnull(text);
    text[0] = '"';
    memset(text + 1, 's', n_plain);
    for (size_t i = 0; i < n_escapes; i++)
        memcpy(text + 1 + n_plain + 2 * i, "\\n", 2);
    strcpy(text + 1 + n_plain + 2 * n_escapes, "\"");
    return text;
}

START_TEST(string_4096_bytes_ok)
{
    char *text = string_of_decoded_len(4094, 2);
    struct lexed lx;

    lex_text(&lx, text);
    ck_assert_uint_eq(lx.ntokens, 1);
    ck_assert_int_eq(lx.tokens[0].kind, STRING);
    ck_assert_uint_eq(lx.tokens[0].value.str.len, 4096);
    ck_assert_uint_eq(lx.sink.errors, 0);
    lexed_release(&lx);
    free(text);
}
END_TEST

START_TEST(string_4097_bytes_error)
{
    char *text = string_of_decoded_len(4095, 2);
    struct lexed lx;

    lex_text(&lx, text);
    ck_assert_uint_eq(lx.ntokens, 1);
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "string is longer than the limit of 4096 bytes", 1, 1);
    lexed_release(&lx);
    free(text);
}
END_TEST

START_TEST(string_unterminated_end_of_file)
{
    struct lexed lx;

    lex_text(&lx, "role \"abc");
    ck_assert_uint_eq(lx.ntokens, 2);
    check_token(&lx, 0, ROLE, 0, 4);
    ck_assert_int_eq(lx.tokens[1].kind, LEXERR);
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "missing closing '\"' of a string at the end of the file", 1, 6);
    lexed_release(&lx);
}
END_TEST

/* ---- positions ---- */

START_TEST(position_after_crlf)
{
    struct lexed lx;

    lex_text(&lx, "role\r\n  x\r\n\r\ny");
    ck_assert_uint_eq(lx.ntokens, 3);
    check_token(&lx, 1, IDENT, 8, 9);
    check_token_pos(&lx, 1, 2, 3);
    check_token(&lx, 2, IDENT, 13, 14);
    check_token_pos(&lx, 2, 4, 1);
    ck_assert_uint_eq(lx.sink.len, 0);
    lexed_release(&lx);
}
END_TEST

START_TEST(position_after_bom)
{
    struct lexed lx;

    lex_text(&lx, "\xEF\xBB\xBFrole x");
    ck_assert_uint_eq(lx.ntokens, 2);
    check_token(&lx, 0, ROLE, 3, 7);
    check_token_pos(&lx, 0, 1, 1);
    check_token_pos(&lx, 1, 1, 6);
    ck_assert_uint_eq(lx.sink.len, 0);
    lexed_release(&lx);
}
END_TEST

START_TEST(position_after_tabs)
{
    struct lexed lx;

    lex_text(&lx, "\t\trole\tx");
    ck_assert_uint_eq(lx.ntokens, 2);
    check_token_pos(&lx, 0, 1, 3);
    check_token_pos(&lx, 1, 1, 8);
    lexed_release(&lx);
}
END_TEST

START_TEST(position_after_utf8)
{
    struct lexed lx;

    /* The string contains U+00E9 (2 bytes) and U+1F600 (4 bytes). */
    lex_text(&lx, "\"\xC3\xA9\xF0\x9F\x98\x80\" x");
    ck_assert_uint_eq(lx.ntokens, 2);
    check_token(&lx, 0, STRING, 0, 8);
    check_token(&lx, 1, IDENT, 9, 10);
    check_token_pos(&lx, 1, 1, 6);
    lexed_release(&lx);
}
END_TEST

/* ---- NUL bytes ---- */

START_TEST(nul_in_comment)
{
    const char text[] = "# a\0b\nrole";
    struct lexed lx;

    lex_bytes(&lx, text, sizeof(text) - 1);
    ck_assert_uint_eq(lx.ntokens, 1);
    check_token(&lx, 0, ROLE, 6, 10);
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "NUL byte in a comment", 1, 4);
    lexed_release(&lx);
}
END_TEST

START_TEST(nul_in_string)
{
    const char text[] = "\"a\0b\" x";
    struct lexed lx;

    lex_bytes(&lx, text, sizeof(text) - 1);
    ck_assert_uint_eq(lx.ntokens, 2);
    check_token(&lx, 0, STRING, 0, 5);
    check_token(&lx, 1, IDENT, 6, 7);
    ck_assert_uint_eq(lx.tokens[0].value.str.len, 2);
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "NUL byte in a string", 1, 3);
    lexed_release(&lx);
}
END_TEST

START_TEST(nul_outside)
{
    const char text[] = "role\0x";
    struct lexed lx;

    lex_bytes(&lx, text, sizeof(text) - 1);
    ck_assert_uint_eq(lx.ntokens, 3);
    check_token(&lx, 0, ROLE, 0, 4);
    check_token(&lx, 1, LEXERR, 4, 5);
    check_token(&lx, 2, IDENT, 5, 6);
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "NUL byte in the file", 1, 5);
    lexed_release(&lx);
}
END_TEST

START_TEST(nul_at_end_of_file)
{
    const char text[] = "x\0";
    struct lexed lx;

    lex_bytes(&lx, text, sizeof(text) - 1);
    ck_assert_uint_eq(lx.ntokens, 2);
    check_token(&lx, 1, LEXERR, 1, 2);
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "NUL byte in the file", 1, 2);
    lexed_release(&lx);
}
END_TEST

/* ---- invalid UTF-8 ---- */

START_TEST(utf8_bad_byte)
{
    struct lexed lx;

    lex_text(&lx, "role a;\n  \x80\nb");
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "invalid UTF-8: byte 0x80; save the file as UTF-8", 2, 3);
    check_token(&lx, 3, LEXERR, 10, 11);
    check_token(&lx, 4, IDENT, 12, 13);
    check_token_pos(&lx, 4, 3, 1);
    lexed_release(&lx);
}
END_TEST

START_TEST(utf8_truncated_sequence)
{
    struct lexed lx;

    lex_text(&lx, "x \xC3 y");
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "invalid UTF-8: byte 0xC3", 1, 3);
    lexed_release(&lx);
}
END_TEST

START_TEST(utf8_overlong_two_bytes)
{
    struct lexed lx;

    lex_text(&lx, "x \xC0\xAF y");
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "invalid UTF-8 (an overlong encoding): byte 0xC0", 1, 3);
    lexed_release(&lx);
}
END_TEST

START_TEST(utf8_overlong_three_bytes)
{
    struct lexed lx;

    lex_text(&lx, "x\n \xE0\x80\x80 y");
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "invalid UTF-8 (an overlong encoding): byte 0xE0", 2, 2);
    lexed_release(&lx);
}
END_TEST

START_TEST(utf8_surrogate)
{
    struct lexed lx;

    lex_text(&lx, "x \xED\xA0\x80 y");
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "invalid UTF-8 (an encoded surrogate): byte 0xED", 1, 3);
    lexed_release(&lx);
}
END_TEST

START_TEST(utf8_beyond_max_code_point)
{
    struct lexed lx;

    lex_text(&lx, "x \xF4\x90\x80\x80 y");
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "invalid UTF-8 (beyond U+10FFFF): byte 0xF4", 1, 3);
    lexed_release(&lx);

    lex_text(&lx, "x\n\xF5\x80\x80\x80 y");
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "invalid UTF-8 (beyond U+10FFFF): byte 0xF5", 2, 1);
    lexed_release(&lx);
}
END_TEST

START_TEST(utf8_bad_run_reported_once)
{
    struct lexed lx;

    lex_text(&lx, "x \x80\x80\x80\x80 y\nz");
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "invalid UTF-8: byte 0x80", 1, 3);
    ck_assert_uint_eq(lx.ntokens, 4);
    check_token(&lx, 1, LEXERR, 2, 3);
    check_token(&lx, 2, IDENT, 7, 8);
    check_token(&lx, 3, IDENT, 9, 10);
    check_token_pos(&lx, 3, 2, 1);
    lexed_release(&lx);
}
END_TEST

START_TEST(utf8_bad_lead_bytes_reported_once)
{
    struct lexed lx;

    /* "Gr\xFC\xDF" is a Latin-1 word with two adjacent non-UTF-8 bytes. */
    lex_text(&lx, "x \xFF\xFE y # Gr\xFC\xDF\nz \"\xE9\xE8\"");
    ck_assert_uint_eq(lx.sink.errors, 3);
    check_diag_at(&lx, "byte 0xFF;", 1, 3);
    check_diag_at(&lx, "byte 0xFC in a comment", 1, 12);
    check_diag_at(&lx, "byte 0xE9 in a string", 2, 4);
    ck_assert_ptr_null(find_diag(&lx, "0xFE"));
    ck_assert_ptr_null(find_diag(&lx, "0xDF"));
    ck_assert_ptr_null(find_diag(&lx, "0xE8"));
    lexed_release(&lx);
}
END_TEST

START_TEST(utf8_bad_bytes_apart_reported_twice)
{
    struct lexed lx;

    lex_text(&lx, "x \xFF y \xFE");
    ck_assert_uint_eq(lx.sink.errors, 2);
    check_diag_at(&lx, "byte 0xFF", 1, 3);
    check_diag_at(&lx, "byte 0xFE", 1, 7);
    lexed_release(&lx);
}
END_TEST

START_TEST(utf8_bad_in_string)
{
    struct lexed lx;

    lex_text(&lx, "\"\xC3\xA9\xC0\xAF\" x");
    ck_assert_uint_eq(lx.ntokens, 2);
    check_token(&lx, 0, STRING, 0, 6);
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "invalid UTF-8 (an overlong encoding): byte 0xC0 in a string", 1, 3);
    lexed_release(&lx);
}
END_TEST

START_TEST(utf8_bad_in_comment)
{
    struct lexed lx;

    lex_text(&lx, "# caf\xE9 \xED\xBF\xBF\nrole");
    ck_assert_uint_eq(lx.ntokens, 1);
    check_token_pos(&lx, 0, 2, 1);
    ck_assert_uint_eq(lx.sink.errors, 2);
    check_diag_at(&lx, "invalid UTF-8: byte 0xE9 in a comment", 1, 6);
    check_diag_at(&lx, "invalid UTF-8 (an encoded surrogate): byte 0xED in a comment", 1, 8);
    lexed_release(&lx);
}
END_TEST

/* ---- line endings, byte-order marks and control characters ---- */

START_TEST(lone_cr)
{
    struct lexed lx;

    lex_text(&lx, "role\rx");
    ck_assert_uint_eq(lx.ntokens, 2);
    check_token(&lx, 0, ROLE, 0, 4);
    check_token(&lx, 1, IDENT, 5, 6);
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "carriage return without a line feed", 1, 5);
    lexed_release(&lx);
}
END_TEST

START_TEST(lone_cr_in_comment)
{
    struct lexed lx;

    lex_text(&lx, "# a\rb\nrole");
    ck_assert_uint_eq(lx.ntokens, 1);
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "carriage return without a line feed", 1, 4);
    lexed_release(&lx);
}
END_TEST

START_TEST(bom_in_middle)
{
    struct lexed lx;

    lex_text(&lx, "role \xEF\xBB\xBF x");
    ck_assert_uint_eq(lx.ntokens, 3);
    check_token(&lx, 1, LEXERR, 5, 8);
    ck_assert_uint_eq(lx.sink.errors, 1);
    check_diag_at(&lx, "byte-order mark in the middle of the file", 1, 6);
    check_token_pos(&lx, 2, 1, 8);
    lexed_release(&lx);
}
END_TEST

START_TEST(control_outside_comment)
{
    static const struct {
        const char *text;
        const char *message;
    } cases[] = {
        {"x \x01", "control character U+0001 outside a comment or string"},
        {"x \x7F", "control character U+007F outside a comment or string"},
        {"x \xC2\x85", "control character U+0085 outside a comment or string"},
        {"x \x0C", "control character U+000C outside a comment or string"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lexed lx;

        lex_text(&lx, cases[i].text);
        ck_assert_msg(lx.sink.errors == 1, "case %zu: %zu errors", i, lx.sink.errors);
        check_diag_at(&lx, cases[i].message, 1, 3);
        ck_assert_int_eq(token_at(&lx, 1)->kind, LEXERR);
        lexed_release(&lx);
    }
}
END_TEST

START_TEST(control_inside_comment)
{
    struct lexed lx;

    lex_text(&lx, "# a\x01 b\x7F c\xC2\x85 d\x0C\nrole");
    ck_assert_uint_eq(lx.ntokens, 1);
    check_token_pos(&lx, 0, 2, 1);
    ck_assert_uint_eq(lx.sink.len, 0);
    lexed_release(&lx);
}
END_TEST

START_TEST(comment_at_eof_no_newline)
{
    struct lexed lx;

    lex_text(&lx, "role # the end");
    ck_assert_uint_eq(lx.ntokens, 1);
    check_token(&lx, 0, ROLE, 0, 4);
    ck_assert_uint_eq(lx.sink.len, 0);
    lexed_release(&lx);

    lex_text(&lx, "#");
    ck_assert_uint_eq(lx.ntokens, 0);
    ck_assert_uint_eq(lx.sink.len, 0);
    lexed_release(&lx);
}
END_TEST

START_TEST(comment_ends_at_newline)
{
    struct lexed lx;

    lex_text(&lx, "a # b c ; role\nd");
    ck_assert_uint_eq(lx.ntokens, 2);
    check_token(&lx, 0, IDENT, 0, 1);
    check_token(&lx, 1, IDENT, 15, 16);
    lexed_release(&lx);
}
END_TEST

START_TEST(error_limit_stops_scanner)
{
    char text[2001];
    struct lexed lx;

    for (size_t i = 0; i < 1000; i++) {
        text[2 * i] = '@';
        text[2 * i + 1] = '\n';
    }
    text[2000] = '\0';
    lex_bytes_limit(&lx, text, 2000, 5);
    ck_assert(lx.sink.stopped);
    ck_assert_uint_eq(lx.sink.errors, 5);
    ck_assert_uint_eq(lx.sink.len, 5);
    ck_assert_uint_le(lx.ntokens, 5);
    ck_assert_uint_lt(lx.end_pos, 20);
    lexed_release(&lx);
}
END_TEST

Suite *suite_lexer(void)
{
    Suite *s = suite_create("lexer");
    TCase *tc = tcase_create("tokens");

    tcase_add_test(tc, keywords_all);
    tcase_add_test(tc, keyword_prefix_is_identifier);
    tcase_add_test(tc, identifiers_interned);
    tcase_add_test(tc, identifier_128_bytes_ok);
    tcase_add_test(tc, identifier_129_bytes_error);
    tcase_add_test(tc, rule_names);
    tcase_add_test(tc, date_leap_day);
    tcase_add_test(tc, date_not_calendar_date);
    tcase_add_test(tc, date_validity_table);
    tcase_add_test(tc, integers);
    tcase_add_test(tc, integer_above_limit);
    tcase_add_test(tc, integer_overflows_64_bits);
    tcase_add_test(tc, punctuation);
    tcase_add_test(tc, unexpected_ascii_character);
    tcase_add_test(tc, non_ascii_outside_string);
    suite_add_tcase(s, tc);

    tc = tcase_create("strings");
    tcase_add_test(tc, string_every_escape);
    tcase_add_test(tc, string_empty_and_quote_only);
    tcase_add_test(tc, string_keeps_utf8);
    tcase_add_test(tc, string_invalid_escape);
    tcase_add_test(tc, string_raw_tab);
    tcase_add_test(tc, string_control_character);
    tcase_add_test(tc, string_unterminated_end_of_line);
    tcase_add_test(tc, string_unterminated_crlf);
    tcase_add_test(tc, string_lone_cr);
    tcase_add_test(tc, string_4096_bytes_ok);
    tcase_add_test(tc, string_4097_bytes_error);
    tcase_add_test(tc, string_unterminated_end_of_file);
    suite_add_tcase(s, tc);

    tc = tcase_create("positions");
    tcase_add_test(tc, position_after_crlf);
    tcase_add_test(tc, position_after_bom);
    tcase_add_test(tc, position_after_tabs);
    tcase_add_test(tc, position_after_utf8);
    suite_add_tcase(s, tc);

    tc = tcase_create("bytes");
    tcase_add_test(tc, nul_in_comment);
    tcase_add_test(tc, nul_in_string);
    tcase_add_test(tc, nul_outside);
    tcase_add_test(tc, nul_at_end_of_file);
    tcase_add_test(tc, utf8_bad_byte);
    tcase_add_test(tc, utf8_truncated_sequence);
    tcase_add_test(tc, utf8_overlong_two_bytes);
    tcase_add_test(tc, utf8_overlong_three_bytes);
    tcase_add_test(tc, utf8_surrogate);
    tcase_add_test(tc, utf8_beyond_max_code_point);
    tcase_add_test(tc, utf8_bad_run_reported_once);
    tcase_add_test(tc, utf8_bad_lead_bytes_reported_once);
    tcase_add_test(tc, utf8_bad_bytes_apart_reported_twice);
    tcase_add_test(tc, utf8_bad_in_string);
    tcase_add_test(tc, utf8_bad_in_comment);
    tcase_add_test(tc, lone_cr);
    tcase_add_test(tc, lone_cr_in_comment);
    tcase_add_test(tc, bom_in_middle);
    tcase_add_test(tc, control_outside_comment);
    tcase_add_test(tc, control_inside_comment);
    tcase_add_test(tc, comment_at_eof_no_newline);
    tcase_add_test(tc, comment_ends_at_newline);
    tcase_add_test(tc, error_limit_stops_scanner);
    suite_add_tcase(s, tc);
    return s;
}
