/* The policy AST: flat arrays of statements, filled by the parser in parse order. */
#ifndef KKP_AST_H
#define KKP_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "source.h"
#include "strmap.h"

#define AST_NONE UINT32_MAX

/* A byte range of the file that holds the statement it belongs to. */
struct span {
    uint32_t begin;
    uint32_t end;
};

/* A run of consecutive entries of one of the AST's arrays. */
struct range {
    uint32_t start;
    uint32_t count;
};

enum ref_kind {
    REF_NAME,      /* name */
    REF_GROUP_ALL, /* group.* */
    REF_ALL,       /* * */
};

/* One entry of a permission list, parent list or constraint side. */
struct ast_ref {
    uint8_t kind;    /* enum ref_kind */
    uint32_t name;   /* interned identifier; AST_NONE for '*' */
    uint32_t target; /* index of the permission, group or role, set by resolution */
    struct span span;
};

enum clause_kind {
    CLAUSE_GRANT,
    CLAUSE_REVOKE,
    CLAUSE_TITLE,
};

/* A statement inside a role or member block. */
struct ast_clause {
    uint8_t kind;       /* enum clause_kind */
    struct range refs;  /* grant and revoke: entries of ast.refs */
    const char *title;  /* title: the decoded string */
    struct span span;   /* the whole statement */
    struct span target; /* grant, revoke: the keyword; title: the string */
};

#define PERM_ESCALATES 1u
#define PERM_SENSITIVE 2u

struct ast_permission {
    uint32_t name;
    uint32_t file;
    uint32_t group; /* AST_NONE outside a group */
    uint32_t bit;   /* set by loading, in expansion order */
    uint32_t flags; /* PERM_ESCALATES, PERM_SENSITIVE */
    const char *description; /* NULL when none */
    struct span span;        /* the name */
};

struct ast_group {
    uint32_t name;
    uint32_t file;
    const char *title; /* NULL when none */
    struct span span;  /* the name */
};

struct ast_role {
    uint32_t name;
    uint32_t file;
    struct range parents; /* entries of ast.refs */
    struct range clauses; /* entries of ast.clauses */
    const char *title;    /* set by resolution from the title clause */
    struct span span;     /* the name */
    struct span keyword;  /* the 'role' keyword */
};

struct ast_member {
    const char *id; /* decoded; may hold NUL bytes only through \ escapes, which do not exist */
    uint32_t id_len;
    uint32_t file;
    struct range parents;
    struct range clauses;
    struct span span; /* the id string */
};

struct ast_import {
    const char *path; /* decoded import string */
    uint32_t file;
    uint32_t target; /* index of the loaded file, AST_NONE when it failed */
    struct span span; /* the string */
};

enum constraint_kind {
    CONSTRAINT_REQUIRES,
    CONSTRAINT_EXCLUDES,
    CONSTRAINT_AT_LEAST,
    CONSTRAINT_AT_MOST,
};

struct ast_constraint {
    uint8_t kind;  /* enum constraint_kind */
    bool is_error; /* 'error' rather than 'warn' */
    uint32_t file;
    struct range left;  /* requires, excludes: left side; counts: the permissions */
    struct range right; /* requires, excludes: right side */
    uint64_t count;
    struct span span;
};

enum subject_kind {
    SUBJECT_NONE,
    SUBJECT_MEMBER,
    SUBJECT_ROLE,
};

struct ast_subject {
    uint8_t kind;      /* enum subject_kind */
    uint32_t name;     /* role: interned identifier */
    const char *id;    /* member: decoded id */
    uint32_t id_len;
    uint32_t target;   /* role or member index, set by resolution */
    struct span span;
};

struct ast_assert {
    uint32_t file;
    bool can;
    struct ast_subject subject;
    struct range perms;
    struct span span;
};

struct ast_suppress {
    uint32_t file;
    const char *rule;
    struct span rule_span;
    struct ast_subject subject;
    const char *reason;
    bool has_until;
    uint16_t year;
    uint8_t month;
    uint8_t day;
    struct span until_span;
    struct span span;
};

enum item_kind {
    ITEM_PERMISSION,
    ITEM_IMPORT,
};

/* The permission and import statements of one file in order: enough to
 * expand imports where they stand and number the bits. */
struct ast_item {
    uint8_t kind; /* enum item_kind */
    uint32_t index;
};

struct ast_file {
    struct source *src;
    bool root; /* named on the command line rather than only imported */
    struct ast_item *items;
    size_t nitems, items_cap;
};

#define AST_VEC(type, name)                                                                        \
    type *name;                                                                                    \
    size_t n##name, name##_cap

struct ast {
    struct arena arena;
    struct strmap idents; /* identifier text to interned index */
    AST_VEC(const char *, names); /* interned identifiers, NUL-terminated */
    AST_VEC(uint32_t, name_lens);
    AST_VEC(struct ast_file, files);
    AST_VEC(struct ast_permission, perms);
    AST_VEC(struct ast_group, groups);
    AST_VEC(struct ast_role, roles);
    AST_VEC(struct ast_member, members);
    AST_VEC(struct ast_import, imports);
    AST_VEC(struct ast_constraint, constraints);
    AST_VEC(struct ast_assert, asserts);
    AST_VEC(struct ast_suppress, suppressions);
    AST_VEC(struct ast_ref, refs);
    AST_VEC(struct ast_clause, clauses);
    uint32_t *bit_to_perm; /* set by loading: permission index of each bit */
    uint32_t nbits;        /* permissions that got a bit */
};

void ast_init(struct ast *ast);
/* Frees the AST and every source it owns. */
void ast_release(struct ast *ast);

/* Returns the interned index of an identifier, adding it when new. */
uint32_t ast_intern(struct ast *ast, const char *text, size_t len);
static inline const char *ast_name(const struct ast *ast, uint32_t sym)
{
    return ast->names[sym];
}

/* Adds a loaded file and returns its index (its load order). */
uint32_t ast_add_file(struct ast *ast, struct source *src);
void ast_add_item(struct ast *ast, uint32_t file, enum item_kind kind, uint32_t index);

static inline struct loc ast_loc(const struct ast *ast, uint32_t file, struct span span)
{
    struct loc l = {ast->files[file].src, span.begin, span.end};
    return l;
}

#endif
