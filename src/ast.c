/* AST storage: identifier interning and file bookkeeping. */
#include "ast.h"

#include <stdlib.h>
#include <string.h>

void ast_init(struct ast *ast)
{
    memset(ast, 0, sizeof(*ast));
    arena_init(&ast->arena);
    strmap_init(&ast->idents);
}

void ast_release(struct ast *ast)
{
    for (size_t i = 0; i < ast->nfiles; i++) {
        source_free(ast->files[i].src);
        free(ast->files[i].items);
    }
    free(ast->names);
    free(ast->name_lens);
    free(ast->files);
    free(ast->perms);
    free(ast->groups);
    free(ast->roles);
    free(ast->members);
    free(ast->imports);
    free(ast->constraints);
    free(ast->asserts);
    free(ast->suppressions);
    free(ast->refs);
    free(ast->clauses);
    free(ast->bit_to_perm);
    strmap_release(&ast->idents);
    arena_release(&ast->arena);
    memset(ast, 0, sizeof(*ast));
}

uint32_t ast_intern(struct ast *ast, const char *text, size_t len)
{
    uint32_t sym = strmap_get(&ast->idents, text, len);
    char *copy;

    if (sym != STRMAP_MISSING)
        return sym;
    copy = arena_strndup(&ast->arena, text, len);
    sym = (uint32_t)ast->nnames;
    *VEC_PUSH(ast->names, ast->nnames, ast->names_cap) = copy;
    *VEC_PUSH(ast->name_lens, ast->nname_lens, ast->name_lens_cap) = (uint32_t)len;
    strmap_put(&ast->idents, copy, len, sym);
    return sym;
}

uint32_t ast_add_file(struct ast *ast, struct source *src)
{
    struct ast_file *f = VEC_PUSH(ast->files, ast->nfiles, ast->files_cap);

    memset(f, 0, sizeof(*f));
    f->src = src;
    src->index = (uint32_t)(ast->nfiles - 1);
    return src->index;
}

void ast_add_item(struct ast *ast, uint32_t file, enum item_kind kind, uint32_t index)
{
    struct ast_file *f = &ast->files[file];
    struct ast_item *it = VEC_PUSH(f->items, f->nitems, f->items_cap);

    it->kind = (uint8_t)kind;
    it->index = index;
}
