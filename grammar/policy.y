/* The grammar of .kkp policies. Actions only build AST entries; names,
 * duplicates and meaning are checked later by resolve.c.
 *
 * Lists (permission lists, parent lists, block statements) are appended to
 * the AST's shared refs and clauses arrays as they are parsed, so each list
 * is a contiguous range of one array; a rule's value is that range.
 *
 * Recovery: a bad statement is skipped up to its ';' or, for a block, its
 * '}'. The scanner counts braces so that a ';' inside a skipped block does
 * not end the recovery early. Fix conflicts by restructuring rules or by
 * precedence: %expect 0 makes any conflict fail the build. */

%define api.pure full
%define api.prefix {kp}
%define api.location.type {struct span}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%lex-param {void *scanner}
%parse-param {void *scanner} {struct parser *p}

%code requires {
#include "ast.h"
#include "parse.h"
}

%code provides {
int kplex(KPSTYPE *lval, KPLTYPE *lloc, void *scanner);
}

%code {
#include <string.h>

#include "kkp_limits.h"

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                                                \
    do {                                                                                           \
        if (N) {                                                                                   \
            (Cur).begin = YYRHSLOC(Rhs, 1).begin;                                                  \
            (Cur).end = YYRHSLOC(Rhs, N).end;                                                      \
        } else {                                                                                   \
            (Cur).begin = (Cur).end = YYRHSLOC(Rhs, 0).end;                                        \
        }                                                                                          \
    } while (0)

static struct range add_ref(struct parser *p, enum ref_kind kind, uint32_t name, struct span span);
static struct range add_clause(struct parser *p, enum clause_kind kind, struct range refs,
                               const char *title, struct span span, struct span target);
static void add_permission(struct parser *p, uint32_t name, const char *description,
                           uint32_t flags, struct span span, uint32_t group);
static bool check_member_id(struct parser *p, struct lex_string id, struct span span);
static void kperror(const struct span *loc, void *scanner, struct parser *p, const char *msg);
}

%union {
    uint32_t sym;
    uint64_t num;
    uint32_t flags;
    bool flag;
    struct lex_string str;
    struct lex_string text;
    struct lex_date date;
    struct range range;
    struct ast_subject subject;
}

%token END 0 "end of file"
%token IMPORT "import" GROUP "group" PERMISSION "permission" ESCALATES "escalates"
%token SENSITIVE "sensitive" ROLE "role" TITLE "title" GRANT "grant" REVOKE "revoke"
%token MEMBER "member" MEMBERS "members" WARN "warn" ERROR_KW "error" REQUIRES "requires"
%token EXCLUDES "excludes" AT "at" LEAST "least" MOST "most" WITH "with" ASSERT "assert"
%token CAN "can" CANNOT "cannot" SUPPRESS "suppress" FOR "for" BECAUSE "because"
%token UNTIL "until"
%token <sym> IDENT "identifier"
%token <str> STRING "string"
%token <num> INT "number"
%token <date> DATE "date"
%token <text> RULE "rule name"
%token LEXERR "invalid token"

%type <str> opt_string
%type <flags> marks
%type <range> perms perm idents opt_parents role_body member_body
%type <flag> severity can_cannot
%type <subject> subject opt_for
%type <text> rule_name
%type <sym> group_head

%%

policy
    : %empty
    | policy item
    ;

item
    : import
    | group
    | permission
    | role
    | member
    | constraint
    | assertion
    | suppression
    | error ';'         { if (p->depth == 0) yyerrok; }
    | error '}'         { if (p->depth == 0) yyerrok; }
    ;

import
    : IMPORT STRING ';' {
          struct ast_import *im = VEC_PUSH(p->ast->imports, p->ast->nimports, p->ast->imports_cap);
          im->path = $2.data;
          im->file = p->file;
          im->target = AST_NONE;
          im->span = @2;
          if ($2.len == 0 || memchr($2.data, '\0', $2.len))
              parse_error(p, @2.begin, @2.end, "import path is empty");
          else
              ast_add_item(p->ast, p->file, ITEM_IMPORT, (uint32_t)(p->ast->nimports - 1));
      }
    ;

group
    : group_head '{' group_body '}'
    | group_head '{' group_body error '}' { yyerrok; }
    ;

group_head
    : GROUP IDENT opt_string {
          struct ast_group *g = VEC_PUSH(p->ast->groups, p->ast->ngroups, p->ast->groups_cap);
          g->name = $2;
          g->file = p->file;
          g->title = $3.data;
          g->span = @2;
          $$ = (uint32_t)(p->ast->ngroups - 1);
      }
    ;

group_body
    : %empty
    | group_body PERMISSION IDENT opt_string marks ';' {
          add_permission(p, $3, $4.data, $5, @3, (uint32_t)(p->ast->ngroups - 1));
      }
    | group_body error ';' { yyerrok; }
    ;

permission
    : PERMISSION IDENT opt_string marks ';' { add_permission(p, $2, $3.data, $4, @2, AST_NONE); }
    ;

opt_string
    : %empty        { $$.data = NULL; $$.len = 0; }
    | STRING        { $$ = $1; }
    ;

marks
    : %empty            { $$ = 0; }
    | marks ESCALATES   { $$ = $1 | PERM_ESCALATES; }
    | marks SENSITIVE   { $$ = $1 | PERM_SENSITIVE; }
    ;

role
    : ROLE IDENT opt_parents ';'                  { parse_add_role(p, $2, $3, (struct range){0, 0}, @2, @1); }
    | ROLE IDENT opt_parents '{' role_body '}'    { parse_add_role(p, $2, $3, $5, @2, @1); }
    | ROLE IDENT opt_parents '{' role_body error '}' {
          yyerrok;
          parse_add_role(p, $2, $3, $5, @2, @1);
      }
    ;

opt_parents
    : %empty        { $$.start = (uint32_t)p->ast->nrefs; $$.count = 0; }
    | ':' idents    { $$ = $2; }
    ;

idents
    : IDENT                 { $$ = add_ref(p, REF_NAME, $1, @1); }
    | idents ',' IDENT      { $$ = $1; add_ref(p, REF_NAME, $3, @3); $$.count++; }
    ;

role_body
    : %empty                    { $$.start = (uint32_t)p->ast->nclauses; $$.count = 0; }
    | role_body TITLE STRING ';' {
          $$ = $1;
          add_clause(p, CLAUSE_TITLE, (struct range){0, 0}, $3.data, @$, @3);
          $$.count++;
      }
    | role_body GRANT perms ';'  { $$ = $1; add_clause(p, CLAUSE_GRANT, $3, NULL, @2, @2); $$.count++; }
    | role_body REVOKE perms ';' { $$ = $1; add_clause(p, CLAUSE_REVOKE, $3, NULL, @2, @2); $$.count++; }
    | role_body error ';'        { $$ = $1; yyerrok; }
    ;

member
    : MEMBER STRING opt_parents ';' {
          if (check_member_id(p, $2, @2))
              parse_add_member(p, $2.data, $2.len, $3, (struct range){0, 0}, @2);
      }
    | MEMBER STRING opt_parents '{' member_body '}' {
          if (check_member_id(p, $2, @2))
              parse_add_member(p, $2.data, $2.len, $3, $5, @2);
      }
    | MEMBER STRING opt_parents '{' member_body error '}' {
          yyerrok;
          if (check_member_id(p, $2, @2))
              parse_add_member(p, $2.data, $2.len, $3, $5, @2);
      }
    ;

member_body
    : %empty                        { $$.start = (uint32_t)p->ast->nclauses; $$.count = 0; }
    | member_body GRANT perms ';'    { $$ = $1; add_clause(p, CLAUSE_GRANT, $3, NULL, @2, @2); $$.count++; }
    | member_body REVOKE perms ';'   { $$ = $1; add_clause(p, CLAUSE_REVOKE, $3, NULL, @2, @2); $$.count++; }
    | member_body error ';'          { $$ = $1; yyerrok; }
    ;

perms
    : perm              { $$ = $1; }
    | perms ',' perm    { $$ = $1; $$.count++; }
    ;

perm
    : IDENT             { $$ = add_ref(p, REF_NAME, $1, @1); }
    | IDENT '.' '*'     { $$ = add_ref(p, REF_GROUP_ALL, $1, @$); }
    | '*'               { $$ = add_ref(p, REF_ALL, AST_NONE, @1); }
    ;

constraint
    : severity perms REQUIRES perms ';' {
          parse_add_constraint(p, CONSTRAINT_REQUIRES, $1, $2, $4, 0, @$);
      }
    | severity perms EXCLUDES perms ';' {
          parse_add_constraint(p, CONSTRAINT_EXCLUDES, $1, $2, $4, 0, @$);
      }
    | severity AT LEAST INT member_word WITH perms ';' {
          parse_add_constraint(p, CONSTRAINT_AT_LEAST, $1, $7, (struct range){0, 0}, $4, @$);
      }
    | severity AT MOST INT member_word WITH perms ';' {
          parse_add_constraint(p, CONSTRAINT_AT_MOST, $1, $7, (struct range){0, 0}, $4, @$);
      }
    ;

severity
    : WARN          { $$ = false; }
    | ERROR_KW      { $$ = true; }
    ;

member_word
    : MEMBER
    | MEMBERS
    ;

assertion
    : ASSERT subject can_cannot perms ';' {
          struct ast_assert *a = VEC_PUSH(p->ast->asserts, p->ast->nasserts, p->ast->asserts_cap);
          a->file = p->file;
          a->can = $3;
          a->subject = $2;
          a->perms = $4;
          a->span = @$;
      }
    ;

can_cannot
    : CAN       { $$ = true; }
    | CANNOT    { $$ = false; }
    ;

subject
    : MEMBER STRING {
          memset(&$$, 0, sizeof($$));
          $$.kind = SUBJECT_MEMBER;
          $$.id = $2.data;
          $$.id_len = $2.len;
          $$.target = AST_NONE;
          $$.span = @2;
          check_member_id(p, $2, @2);
      }
    | ROLE IDENT {
          memset(&$$, 0, sizeof($$));
          $$.kind = SUBJECT_ROLE;
          $$.name = $2;
          $$.target = AST_NONE;
          $$.span = @2;
      }
    ;

suppression
    : SUPPRESS rule_name opt_for BECAUSE STRING ';'            { parse_add_suppress(p, $2, @2, $3, $5, NULL, @$, @$); }
    | SUPPRESS rule_name opt_for BECAUSE STRING UNTIL DATE ';' { parse_add_suppress(p, $2, @2, $3, $5, &$7, @7, @$); }
    ;

rule_name
    : RULE      { $$ = $1; }
    | IDENT     {
          $$.data = ast_name(p->ast, $1);
          $$.len = (uint32_t)strlen($$.data);
      }
    ;

opt_for
    : %empty        { memset(&$$, 0, sizeof($$)); $$.kind = SUBJECT_NONE; $$.target = AST_NONE; }
    | FOR subject   { $$ = $2; }
    ;

%%

static struct range add_ref(struct parser *p, enum ref_kind kind, uint32_t name, struct span span)
{
    struct ast_ref *r = VEC_PUSH(p->ast->refs, p->ast->nrefs, p->ast->refs_cap);
    struct range rg;

    r->kind = (uint8_t)kind;
    r->name = name;
    r->target = AST_NONE;
    r->span = span;
    rg.start = (uint32_t)(p->ast->nrefs - 1);
    rg.count = 1;
    return rg;
}

static struct range add_clause(struct parser *p, enum clause_kind kind, struct range refs,
                               const char *title, struct span span, struct span target)
{
    struct ast_clause *c = VEC_PUSH(p->ast->clauses, p->ast->nclauses, p->ast->clauses_cap);
    struct range rg;

    c->kind = (uint8_t)kind;
    c->refs = refs;
    c->title = title;
    c->span = span;
    c->target = target;
    rg.start = (uint32_t)(p->ast->nclauses - 1);
    rg.count = 1;
    return rg;
}

static void add_permission(struct parser *p, uint32_t name, const char *description,
                           uint32_t flags, struct span span, uint32_t group)
{
    struct ast_permission *perm = VEC_PUSH(p->ast->perms, p->ast->nperms, p->ast->perms_cap);

    perm->name = name;
    perm->file = p->file;
    perm->group = group;
    perm->bit = AST_NONE;
    perm->flags = flags;
    perm->description = description;
    perm->span = span;
    ast_add_item(p->ast, p->file, ITEM_PERMISSION, (uint32_t)(p->ast->nperms - 1));
}

static bool check_member_id(struct parser *p, struct lex_string id, struct span span)
{
    if (id.len == 0) {
        parse_error(p, span.begin, span.end, "member id is empty");
        return false;
    }
    if (id.len > KKP_MAX_MEMBER_ID) {
        parse_error(p, span.begin, span.end,
                    "member id is %u bytes long; the limit is %d bytes", id.len,
                    KKP_MAX_MEMBER_ID);
        return false;
    }
    return true;
}

/* Names a token for a syntax error: keywords and punctuation in quotes,
 * token classes ("identifier", "end of file") as they are. */
static const char *token_display(yysymbol_kind_t kind, char *buf, size_t size)
{
    static const char *const classes[] = {"end of file", "identifier", "string", "number",
                                          "date", "rule name", "invalid token"};
    const char *name = yysymbol_name(kind);
    size_t len = strlen(name);

    if (len >= 2 && name[0] == '"' && name[len - 1] == '"') {
        name++;
        len -= 2;
    }
    if (name[0] == '\'') {
        snprintf(buf, size, "%.*s", (int)len, name);
        return buf;
    }
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
        if (len == strlen(classes[i]) && memcmp(name, classes[i], len) == 0)
            return classes[i];
    }
    snprintf(buf, size, "'%.*s'", (int)len, name);
    return buf;
}

static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, struct parser *p)
{
    yysymbol_kind_t expected[12];
    yysymbol_kind_t got = yypcontext_token(ctx);
    const struct span *at = yypcontext_location(ctx);
    int n = yypcontext_expected_tokens(ctx, expected, 12);
    char got_buf[80], msg[600], tok_buf[40];
    size_t used;
    bool expects_ident = false;

    (void)scanner;
    if (got == YYSYMBOL_LEXERR)
        return 0; /* the scanner reported it */

    if (got == YYSYMBOL_IDENT && at->end - at->begin <= 40)
        snprintf(got_buf, sizeof(got_buf), "identifier '%.*s'", (int)(at->end - at->begin),
                 p->src->data + at->begin);
    else
        snprintf(got_buf, sizeof(got_buf), "%s", token_display(got, tok_buf, sizeof(tok_buf)));
    used = (size_t)snprintf(msg, sizeof(msg), "unexpected %s", got_buf);

    if (n == 0 || n > 8) {
        /* Many choices: the start of a statement. */
        if (n != 0)
            snprintf(msg + used, sizeof(msg) - used,
                     ", expected a statement: import, group, permission, role, member, warn, "
                     "error, assert or suppress");
    } else {
        for (int i = 0; i < n && used < sizeof(msg); i++) {
            const char *sep = i == 0 ? ", expected " : i == n - 1 ? " or " : ", ";

            if (expected[i] == YYSYMBOL_IDENT)
                expects_ident = true;
            used += (size_t)snprintf(msg + used, sizeof(msg) - used, "%s%s", sep,
                                     token_display(expected[i], tok_buf, sizeof(tok_buf)));
        }
    }
    if (used < sizeof(msg) && expects_ident && got_buf[0] == '\'' && got > YYSYMBOL_YYUNDEF &&
        got < YYSYMBOL_IDENT)
        snprintf(msg + used, sizeof(msg) - used, " (%s is a reserved word)", got_buf);
    parse_error(p, at->begin, at->end, "%s", msg);
    return 0;
}

/* Called by bison only when its stack is exhausted; syntax errors go
 * through yyreport_syntax_error. */
static void kperror(const struct span *loc, void *scanner, struct parser *p, const char *msg)
{
    (void)scanner;
    parse_error(p, loc->begin, loc->end, "%s; the statement nests too deeply", msg);
}
