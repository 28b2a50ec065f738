/* Import expansion, file identity, import cycles and bit numbering. */
#include "load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kkp_limits.h"
#include "parse.h"

/* A file being expanded, with the index of its next item. */
struct frame {
    uint32_t file;
    size_t next;
    uint32_t import; /* the import statement that reached this file, AST_NONE for a root */
};

struct loader {
    struct ast *ast;
    struct diag_sink *sink;
    struct frame *stack;
    size_t depth, cap;
    bool *expanded; /* per file: its items were walked or are being walked */
    size_t expanded_cap;
    uint32_t next_bit;
    bool too_many_bits;
    const struct load_reader *reader; /* NULL for the file system */
};

static enum source_status read_source(const struct loader *ld, const char *open_path,
                                      const char *display_path, struct source **out, int *err_no)
{
    if (ld->reader)
        return ld->reader->open(ld->reader->ctx, open_path, display_path, out, err_no);
    return source_open(open_path, display_path, out, err_no);
}

static void number_bit(struct loader *ld, uint32_t perm);

/* KKP_MAX_FILE_SIZE for messages: "2 GiB", or bytes in a build that lowers it. */
static const char *file_limit_text(void)
{
    static char text[32];

    if (KKP_MAX_FILE_SIZE % ((size_t)1 << 30) == 0)
        snprintf(text, sizeof(text), "%zu GiB", (size_t)KKP_MAX_FILE_SIZE >> 30);
    else
        snprintf(text, sizeof(text), "%zu bytes", (size_t)KKP_MAX_FILE_SIZE);
    return text;
}

static uint32_t find_loaded(const struct ast *ast, const struct source *src)
{
    for (size_t i = 0; i < ast->nfiles; i++) {
        const struct source *f = ast->files[i].src;

        if (src->ino != 0 && f->dev == src->dev && f->ino == src->ino)
            return (uint32_t)i;
    }
    return AST_NONE;
}

static bool on_stack(const struct loader *ld, uint32_t file)
{
    for (size_t i = 0; i < ld->depth; i++) {
        if (ld->stack[i].file == file)
            return true;
    }
    return false;
}

static void report_cycle(struct loader *ld, uint32_t file, const struct ast_import *im)
{
    struct ast *ast = ld->ast;
    size_t first = 0, used = 0, cap = 256;
    char *chain = xmalloc(cap);
    struct diag *d;

    while (ld->stack[first].file != file)
        first++;
    chain[0] = '\0';
    for (size_t i = first; i <= ld->depth; i++) {
        const char *path = ast->files[i < ld->depth ? ld->stack[i].file : file].src->path;
        size_t need = used + strlen(path) + 8;

        xgrow((void **)&chain, &cap, need, 1);
        used += (size_t)sprintf(chain + used, "%s'%s'", i == first ? "" : " -> ", path);
    }
    d = diag_error(ld->sink, ast_loc(ast, im->file, im->span), "import cycle: %s; each file is "
                   "loaded once, so move what both need into a third file", chain);
    for (size_t i = first + 1; i < ld->depth; i++) {
        const struct ast_import *via = &ast->imports[ld->stack[i].import];

        diag_note(ld->sink, d, ast_loc(ast, via->file, via->span), "'%s' imports '%s' here",
                  ast->files[via->file].src->path, ast->files[ld->stack[i].file].src->path);
    }
    free(chain);
}

/* Adds a new file to the AST and parses it. */
static uint32_t add_file(struct loader *ld, struct source *src)
{
    uint32_t file = ast_add_file(ld->ast, src);

    xgrow((void **)&ld->expanded, &ld->expanded_cap, file + 1, sizeof(bool));
    ld->expanded[file] = false;
    parse_file(ld->ast, file, ld->sink);
    return file;
}

/* Opens the file an import statement names and returns its index, or AST_NONE. */
static uint32_t open_import(struct loader *ld, struct ast_import *im)
{
    struct ast *ast = ld->ast;
    const struct source *from = ast->files[im->file].src;
    struct loc at = ast_loc(ast, im->file, im->span);
    char *display = source_join_path(from->path, im->path);
    char *open_path;
    struct source *src = NULL;
    int err_no = 0;
    enum source_status st;
    uint32_t found;

    if (im->path[0] == '/') {
        open_path = strdup(im->path);
    } else {
        /* Open through the importer's own path so symlinked folders behave as the OS says. */
        const char *slash = strrchr(from->open_path, '/');
        size_t dirlen = slash ? (size_t)(slash - from->open_path) + 1 : 0;

        open_path = xmalloc(dirlen + strlen(im->path) + 1);
        memcpy(open_path, from->open_path, dirlen);
        strcpy(open_path + dirlen, im->path);
    }

    st = read_source(ld, open_path, display, &src, &err_no);
    switch (st) {
    case SOURCE_OK:
        break;
    case SOURCE_ERRNO:
        if (err_no == ENOENT)
            diag_error(ld->sink, at, "imported file '%s' not found", display);
        else if (err_no == ELOOP)
            diag_error(ld->sink, at, "cannot open imported file '%s': too many levels of "
                       "symbolic links", display);
        else
            diag_error(ld->sink, at, "cannot read imported file '%s': %s", display,
                       strerror(err_no));
        break;
    case SOURCE_NOT_REGULAR:
        diag_error(ld->sink, at, "imported path '%s' is not a regular file", display);
        break;
    case SOURCE_TOO_LARGE:
        diag_error(ld->sink, at, "imported file '%s' is larger than the limit of %s", display,
                   file_limit_text());
        break;
    }
    free(display);
    free(open_path);
    if (!src)
        return AST_NONE;

    found = find_loaded(ast, src);
    if (found != AST_NONE) {
        source_free(src);
        return found;
    }
    if (ast->nfiles >= KKP_MAX_FILES) {
        diag_error(ld->sink, at, "too many files; the limit is %d", KKP_MAX_FILES);
        source_free(src);
        return AST_NONE;
    }
    found = add_file(ld, src);
    return found;
}

static void push(struct loader *ld, uint32_t file, uint32_t import)
{
    struct frame *f = VEC_PUSH(ld->stack, ld->depth, ld->cap);

    f->file = file;
    f->next = 0;
    f->import = import;
}

/* Walks the files depth-first from root in expansion order, loading imports
 * as they are met and numbering permission bits. Iterative, so deep import
 * chains use no C stack. */
static void expand(struct loader *ld, uint32_t root)
{
    struct ast *ast = ld->ast;

    if (ld->expanded[root])
        return;
    ld->expanded[root] = true;
    push(ld, root, AST_NONE);
    while (ld->depth) {
        struct frame *top = &ld->stack[ld->depth - 1];
        struct ast_file *f = &ast->files[top->file];
        struct ast_item it;

        if (top->next >= f->nitems) {
            ld->depth--;
            continue;
        }
        it = f->items[top->next++];
        if (it.kind == ITEM_PERMISSION) {
            number_bit(ld, it.index);
            continue;
        }

        uint32_t target = open_import(ld, &ast->imports[it.index]);
        /* Parsing the imported file appends to ast->imports, which may move it. */
        struct ast_import *im = &ast->imports[it.index];

        im->target = target;
        if (target == AST_NONE)
            continue;
        if (on_stack(ld, target)) {
            report_cycle(ld, target, im);
            continue;
        }
        if (ld->expanded[target])
            continue; /* loaded once already, through another path */
        ld->expanded[target] = true;
        push(ld, target, it.index);
    }
}

static void number_bit(struct loader *ld, uint32_t perm)
{
    struct ast *ast = ld->ast;
    struct ast_permission *p = &ast->perms[perm];

    if (ld->next_bit >= KKP_MAX_PERMISSIONS) {
        if (!ld->too_many_bits)
            diag_error(ld->sink, ast_loc(ast, p->file, p->span),
                       "too many permissions; the limit is %d", KKP_MAX_PERMISSIONS);
        ld->too_many_bits = true;
        return;
    }
    p->bit = ld->next_bit++;
}

static void loader_init(struct loader *ld, struct ast *ast, struct diag_sink *sink)
{
    memset(ld, 0, sizeof(*ld));
    ld->ast = ast;
    ld->sink = sink;
}

static void loader_finish(struct loader *ld)
{
    struct ast *ast = ld->ast;

    free(ld->stack);
    free(ld->expanded);
    free(ast->bit_to_perm);
    ast->bit_to_perm = xcalloc(ld->next_bit ? ld->next_bit : 1, sizeof(uint32_t));
    ast->nbits = ld->next_bit;
    for (size_t i = 0; i < ast->nperms; i++) {
        if (ast->perms[i].bit != AST_NONE)
            ast->bit_to_perm[ast->perms[i].bit] = (uint32_t)i;
    }
}

/* Adds a parsed root file and expands it unless it was loaded before. */
static void add_root(struct loader *ld, struct source *src)
{
    struct ast *ast = ld->ast;
    uint32_t found = find_loaded(ast, src);

    if (found != AST_NONE) {
        source_free(src);
        ast->files[found].root = true;
        expand(ld, found);
        return;
    }
    found = add_file(ld, src);
    ast->files[found].root = true;
    expand(ld, found);
}

bool load_policy(struct ast *ast, const char *const *paths, size_t npaths,
                 struct diag_sink *sink)
{
    return load_policy_from(ast, paths, npaths, NULL, sink);
}

bool load_policy_from(struct ast *ast, const char *const *paths, size_t npaths,
                      const struct load_reader *reader, struct diag_sink *sink)
{
    struct loader ld;
    bool ok = true;

    loader_init(&ld, ast, sink);
    ld.reader = reader;
    for (size_t i = 0; i < npaths; i++) {
        struct source *src = NULL;
        int err_no = 0;
        struct loc none = {0};

        switch (read_source(&ld, paths[i], paths[i], &src, &err_no)) {
        case SOURCE_OK:
            break;
        case SOURCE_ERRNO:
            diag_error(sink, none, "cannot read '%s': %s", paths[i], strerror(err_no));
            break;
        case SOURCE_NOT_REGULAR:
            diag_error(sink, none, "'%s' is not a regular file", paths[i]);
            break;
        case SOURCE_TOO_LARGE:
            diag_error(sink, none, "'%s' is larger than the limit of %s", paths[i],
                       file_limit_text());
            break;
        }
        if (!src) {
            ok = false;
            continue;
        }
        add_root(&ld, src);
    }
    loader_finish(&ld);
    return ok;
}

void load_policy_text(struct ast *ast, const char *display_path, const char *text, size_t len,
                      struct diag_sink *sink)
{
    struct loader ld;

    loader_init(&ld, ast, sink);
    add_root(&ld, source_from_bytes(display_path, text, len));
    loader_finish(&ld);
}
