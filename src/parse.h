/* The parser driver: runs the scanner and parser of grammar/ over one file. */
#ifndef KKP_PARSE_H
#define KKP_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"

/* A decoded string token; data lives in the AST's arena. */
struct lex_string {
    const char *data;
    uint32_t len;
};

struct lex_date {
    uint16_t year;
    uint8_t month;
    uint8_t day;
    bool valid; /* a real calendar date */
};

/* State shared by the scanner and the parser of one file. */
struct parser {
    struct ast *ast;
    struct diag_sink *sink;
    uint32_t file;
    struct source *src;
    uint32_t pos;   /* byte offset of the next token */
    size_t read_pos; /* bytes handed to the scanner so far */
    uint32_t depth; /* unclosed '{' so far, for error recovery */
    /* The string being scanned. */
    char *buf;
    size_t buf_len, buf_cap;
    uint32_t str_begin;
    bool str_too_long;
    uint32_t bad_end; /* end of the last invalid UTF-8 byte, to report a run once */
};

/* Parses file number file of ast, appending its statements to the AST and
 * its syntax errors to sink. */
void parse_file(struct ast *ast, uint32_t file, struct diag_sink *sink);

void parse_add_role(struct parser *p, uint32_t name, struct range parents, struct range clauses,
                    struct span span, struct span keyword);
void parse_add_member(struct parser *p, const char *id, uint32_t id_len, struct range parents,
                      struct range clauses, struct span span);
void parse_add_constraint(struct parser *p, enum constraint_kind kind, bool is_error,
                          struct range left, struct range right, uint64_t count, struct span span);
void parse_add_suppress(struct parser *p, struct lex_string rule, struct span rule_span,
                        struct ast_subject subject, struct lex_string reason,
                        const struct lex_date *until, struct span until_span, struct span span);

/* Reports an error at a byte range of the file being parsed. */
struct diag *parse_error(struct parser *p, uint32_t begin, uint32_t end, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
