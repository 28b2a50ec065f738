/* Parser driver and the AST constructors that grammar actions call. */
#include "parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.tab.h"

#define YYSTYPE KPSTYPE
#define YYLTYPE KPLTYPE
#include "policy.lex.h"

int kpparse(void *scanner, struct parser *p);

struct diag *parse_error(struct parser *p, uint32_t begin, uint32_t end, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    struct loc loc = {p->src, begin, end};

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return diag_error(p->sink, loc, "%s", buf);
}

void parse_file(struct ast *ast, uint32_t file, struct diag_sink *sink)
{
    struct parser p;
    yyscan_t scanner;

    memset(&p, 0, sizeof(p));
    p.ast = ast;
    p.sink = sink;
    p.file = file;
    p.src = ast->files[file].src;
    p.pos = p.src->start;
    p.read_pos = p.src->start;

    if (kplex_init_extra(&p, &scanner) != 0) {
        fprintf(stderr, "kkpolc: error: cannot start the scanner\n");
        exit(2);
    }
    kpparse(scanner, &p);
    kplex_destroy(scanner);
    free(p.buf);
}

void parse_add_role(struct parser *p, uint32_t name, struct range parents, struct range clauses,
                    struct span span, struct span keyword)
{
    struct ast_role *r = VEC_PUSH(p->ast->roles, p->ast->nroles, p->ast->roles_cap);

    memset(r, 0, sizeof(*r));
    r->name = name;
    r->file = p->file;
    r->parents = parents;
    r->clauses = clauses;
    r->span = span;
    r->keyword = keyword;
}

void parse_add_member(struct parser *p, const char *id, uint32_t id_len, struct range parents,
                      struct range clauses, struct span span)
{
    struct ast_member *m = VEC_PUSH(p->ast->members, p->ast->nmembers, p->ast->members_cap);

    m->id = id;
    m->id_len = id_len;
    m->file = p->file;
    m->parents = parents;
    m->clauses = clauses;
    m->span = span;
}

void parse_add_constraint(struct parser *p, enum constraint_kind kind, bool is_error,
                          struct range left, struct range right, uint64_t count, struct span span)
{
    struct ast_constraint *c =
        VEC_PUSH(p->ast->constraints, p->ast->nconstraints, p->ast->constraints_cap);

    c->kind = (uint8_t)kind;
    c->is_error = is_error;
    c->file = p->file;
    c->left = left;
    c->right = right;
    c->count = count;
    c->span = span;
}

void parse_add_suppress(struct parser *p, struct lex_string rule, struct span rule_span,
                        struct ast_subject subject, struct lex_string reason,
                        const struct lex_date *until, struct span until_span, struct span span)
{
    struct ast_suppress *s;

    if (until && !until->valid) {
        parse_error(p, until_span.begin, until_span.end,
                    "'%04u-%02u-%02u' is not a calendar date", until->year, until->month,
                    until->day);
        return;
    }
    if (reason.len == 0) {
        parse_error(p, span.begin, span.end, "suppression has an empty reason; say why the "
                                             "rule does not apply");
        return;
    }
    s = VEC_PUSH(p->ast->suppressions, p->ast->nsuppressions, p->ast->suppressions_cap);
    memset(s, 0, sizeof(*s));
    s->file = p->file;
    s->rule = rule.data;
    s->rule_span = rule_span;
    s->subject = subject;
    s->reason = reason.data;
    if (until) {
        s->has_until = true;
        s->year = until->year;
        s->month = until->month;
        s->day = until->day;
        s->until_span = until_span;
    }
    s->span = span;
}
