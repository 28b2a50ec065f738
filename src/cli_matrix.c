/* kkpolc matrix: members (or roles) by permissions as Markdown, CSV or one
 * self-contained HTML page, from sources or from a compiled table. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kkp_limits.h"
#include "kkpol.h"

#define MATRIX_USAGE "usage: kkpolc matrix [--format md|csv|html] [--roles] FILE...|TABLE\n"

enum matrix_format {
    FORMAT_MD,
    FORMAT_CSV,
    FORMAT_HTML,
};

struct matrix_perm {
    const char *name;
    const char *description; /* "" when none */
    const char *group;       /* NULL outside any group */
    const char *group_title; /* "" when none */
    uint32_t flags;          /* KKP_PERM_ESCALATES, KKP_PERM_SENSITIVE */
};

/* One row: a member or a role, its roles (parents for a role) and its mask. */
struct matrix_row {
    char *name;
    char *roles; /* ", "-separated; NULL when the table has no provenance to tell */
    uint64_t *mask;
};

struct matrix {
    bool of_roles;
    uint32_t nbits, words;
    struct matrix_perm *perms;
    struct matrix_row *rows;
    size_t nrows;
    bool has_roles; /* every row's roles are known */
};

static void matrix_release(struct matrix *mx)
{
    for (size_t i = 0; i < mx->nrows; i++) {
        free(mx->rows[i].name);
        free(mx->rows[i].roles);
        free(mx->rows[i].mask);
    }
    free(mx->rows);
    free(mx->perms);
}

static bool has_bit(const uint64_t *mask, uint32_t bit)
{
    return (mask[bit / 64] >> (bit % 64)) & 1;
}

/* Appends name to a ", "-separated list held in *list. */
static void list_append(char **list, const char *name)
{
    size_t old = *list ? strlen(*list) : 0, len = strlen(name);
    char *grown = xrealloc(*list, old + len + 3);

    if (old) {
        memcpy(grown + old, ", ", 2);
        old += 2;
    }
    memcpy(grown + old, name, len + 1);
    *list = grown;
}

static char *copy_text(const char *s, size_t len)
{
    char *out = xmalloc(len + 1);

    memcpy(out, s, len);
    out[len] = '\0';
    return out;
}

static void matrix_from_policy(const struct policy *pol, bool of_roles, struct matrix *mx)
{
    const struct ast *ast = pol->ast;
    size_t n = of_roles ? ast->nroles : ast->nmembers;

    mx->nbits = pol->nbits;
    mx->words = pol->words;
    mx->perms = xcalloc(pol->nbits ? pol->nbits : 1, sizeof(struct matrix_perm));
    for (uint32_t bit = 0; bit < pol->nbits; bit++) {
        const struct ast_permission *p = &ast->perms[ast->bit_to_perm[bit]];
        struct matrix_perm *mp = &mx->perms[bit];

        mp->name = ast_name(ast, p->name);
        mp->description = p->description ? p->description : "";
        mp->group = p->group == AST_NONE ? NULL : ast_name(ast, ast->groups[p->group].name);
        mp->group_title = p->group != AST_NONE && ast->groups[p->group].title
                              ? ast->groups[p->group].title
                              : "";
        mp->flags = (p->flags & PERM_ESCALATES ? KKP_PERM_ESCALATES : 0) |
                    (p->flags & PERM_SENSITIVE ? KKP_PERM_SENSITIVE : 0);
    }
    mx->has_roles = true;
    mx->rows = xcalloc(n ? n : 1, sizeof(struct matrix_row));
    for (size_t i = 0; i < n; i++) {
        struct matrix_row *row = &mx->rows[mx->nrows++];
        struct range parents = of_roles ? ast->roles[i].parents : ast->members[i].parents;
        const uint64_t *mask = of_roles ? policy_role_mask(pol, (uint32_t)i)
                                        : policy_member_mask(pol, (uint32_t)i);

        row->name = of_roles ? copy_text(ast_name(ast, ast->roles[i].name),
                                         ast->name_lens[ast->roles[i].name])
                             : copy_text(ast->members[i].id, ast->members[i].id_len);
        row->roles = copy_text("", 0);
        for (uint32_t k = 0; k < parents.count; k++)
            list_append(&row->roles, ast_name(ast, ast->refs[parents.start + k].name));
        row->mask = xmalloc(pol->words * sizeof(uint64_t));
        memcpy(row->mask, mask, pol->words * sizeof(uint64_t));
    }
}

/* Reads the row's parent roles from the table's provenance; NULL without it. */
static char *table_roles(const struct kkp_table *t, bool of_roles, uint64_t index)
{
    struct kkp_subject s;
    char *list = copy_text("", 0);

    if (kkp_subject_at(t, of_roles ? KKP_SUBJECT_ROLE : KKP_SUBJECT_MEMBER, index, &s) != KKP_OK) {
        free(list);
        return NULL;
    }
    for (uint32_t i = 0; i < s.parent_count; i++) {
        uint32_t role;
        const char *name;

        if (kkp_subject_parent(t, &s, i, &role) != KKP_OK ||
            kkp_role_at(t, role, &name, NULL, NULL, 0) != KKP_OK) {
            free(list);
            return NULL;
        }
        list_append(&list, name);
    }
    return list;
}

static int matrix_from_table(const struct kkp_table *t, bool of_roles, struct matrix *mx)
{
    uint64_t n = of_roles ? kkp_role_count(t) : kkp_member_count(t);

    mx->nbits = kkp_permission_count(t);
    mx->words = (uint32_t)kkp_mask_words(t);
    mx->perms = xcalloc(mx->nbits ? mx->nbits : 1, sizeof(struct matrix_perm));
    for (uint32_t bit = 0; bit < mx->nbits; bit++) {
        struct kkp_permission_info info;
        int rc = kkp_permission_info(t, bit, &info);

        if (rc != KKP_OK)
            return rc;
        mx->perms[bit].name = info.name;
        mx->perms[bit].description = info.description;
        mx->perms[bit].group = info.group;
        mx->perms[bit].group_title = info.group_title;
        mx->perms[bit].flags = info.flags;
    }
    mx->has_roles = kkp_has_provenance(t);
    mx->rows = xcalloc(n ? n : 1, sizeof(struct matrix_row));
    for (uint64_t i = 0; i < n; i++) {
        struct matrix_row *row = &mx->rows[mx->nrows++];
        const char *name;
        size_t len;
        int rc;

        row->mask = xcalloc(mx->words, sizeof(uint64_t));
        if (of_roles) {
            rc = kkp_role_at(t, (uint32_t)i, &name, NULL, row->mask, mx->words);
            len = rc == KKP_OK ? strlen(name) : 0;
        } else {
            rc = kkp_member_at(t, i, &name, &len, row->mask, mx->words);
        }
        if (rc != KKP_OK)
            return rc;
        row->name = copy_text(name, len);
        if (mx->has_roles) {
            row->roles = table_roles(t, of_roles, i);
            if (!row->roles)
                return KKP_ECORRUPT;
        }
    }
    return KKP_OK;
}

/* Markdown. */

static void md_cell(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '\\' || *s == '*' || *s == '`' || *s == '<')
            fputc('\\', out);
        fputc(*s, out);
    }
}

static void print_md(const struct matrix *mx, FILE *out)
{
    bool any_sensitive = false;

    fprintf(out, "| %s |", mx->of_roles ? "role" : "member");
    if (mx->has_roles)
        fputs(mx->of_roles ? " parent roles |" : " roles |", out);
    for (uint32_t bit = 0; bit < mx->nbits; bit++) {
        fputc(' ', out);
        md_cell(out, mx->perms[bit].name);
        if (mx->perms[bit].flags & KKP_PERM_SENSITIVE) {
            fputs(" (s)", out);
            any_sensitive = true;
        }
        fputs(" |", out);
    }
    fputs("\n| --- |", out);
    if (mx->has_roles)
        fputs(" --- |", out);
    for (uint32_t bit = 0; bit < mx->nbits; bit++)
        fputs(" :-: |", out);
    fputc('\n', out);
    for (size_t i = 0; i < mx->nrows; i++) {
        const struct matrix_row *row = &mx->rows[i];

        fputs("| ", out);
        md_cell(out, row->name);
        fputs(" |", out);
        if (mx->has_roles) {
            fputc(' ', out);
            md_cell(out, row->roles);
            fputs(" |", out);
        }
        for (uint32_t bit = 0; bit < mx->nbits; bit++)
            fputs(has_bit(row->mask, bit) ? " ✓ |" : "  |", out);
        fputc('\n', out);
    }
    if (any_sensitive)
        fputs("\n(s): sensitive permission\n", out);
}

/* CSV (RFC 4180 quoting, LF line ends). */

static void csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && (!s[0] || s[strlen(s) - 1] != ' ')) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void print_csv(const struct matrix *mx, FILE *out)
{
    fputs(mx->of_roles ? "role" : "member", out);
    for (uint32_t bit = 0; bit < mx->nbits; bit++) {
        fputc(',', out);
        csv_field(out, mx->perms[bit].name);
    }
    fputc('\n', out);
    for (size_t i = 0; i < mx->nrows; i++) {
        csv_field(out, mx->rows[i].name);
        for (uint32_t bit = 0; bit < mx->nbits; bit++)
            fputs(has_bit(mx->rows[i].mask, bit) ? ",1" : ",", out);
        fputc('\n', out);
    }
}

/* HTML. */

/* No scripts and nothing loaded from elsewhere: the page must open offline
 * and from a CI artifact. Sticky headers need the page itself to scroll, so
 * the table is not wrapped in a scrolling box. */
static const char html_style[] =
    "  :root { --head1: 2.2em; --line: #d0d4da; --sens: #fff1e0; --sens-head: #ffd9a8; }\n"
    "  body { font: 13px/1.35 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;\n"
    "         margin: 16px; color: #1b1f24; background: #fff; }\n"
    "  h1 { font-size: 18px; margin: 0 0 4px; }\n"
    "  p.meta { margin: 0 0 12px; color: #4a5260; }\n"
    "  .swatch { display: inline-block; width: 0.9em; height: 0.9em; vertical-align: -0.1em;\n"
    "            border: 1px solid #c98a3a; background: var(--sens-head); margin: 0 0.3em 0 0.8em; }\n"
    "  table { border-collapse: separate; border-spacing: 0; }\n"
    "  th, td { border-right: 1px solid var(--line); border-bottom: 1px solid var(--line);\n"
    "           padding: 2px 6px; background: #fff; }\n"
    "  thead th { position: sticky; z-index: 2; background: #eef1f5; }\n"
    "  tr.groups th { top: 0; height: var(--head1); box-sizing: border-box; font-weight: 600;\n"
    "                 white-space: nowrap; text-align: center; border-top: 1px solid var(--line); }\n"
    "  tr.perms th { top: var(--head1); font-weight: 500; vertical-align: bottom; padding: 6px 2px; }\n"
    "  tr.perms th span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }\n"
    "  th.corner { top: 0; z-index: 4; vertical-align: bottom; text-align: left;\n"
    "              border-top: 1px solid var(--line); }\n"
    "  th.corner.first, tbody th, tfoot th { position: sticky; left: 0; z-index: 3;\n"
    "                                         border-left: 1px solid var(--line); }\n"
    "  th.corner.first { z-index: 5; }\n"
    "  tbody th { text-align: left; font-weight: 500; white-space: nowrap; }\n"
    "  td.roles { color: #4a5260; white-space: nowrap; }\n"
    "  td.cell { text-align: center; min-width: 1.6em; padding: 2px 0; }\n"
    "  td.yes { font-weight: 700; color: #0b6b2f; }\n"
    "  td.sensitive { background: var(--sens); }\n"
    "  td.sensitive.yes { color: #a34700; }\n"
    "  thead th.sensitive { background: var(--sens-head); }\n"
    "  tbody tr:nth-child(even) td, tbody tr:nth-child(even) th { background-color: #f7f8fa; }\n"
    "  tbody tr:nth-child(even) td.sensitive { background-color: #fbe8d2; }\n"
    "  tbody tr:hover td, tbody tr:hover th { background-color: #e3edff; }\n"
    "  tfoot th, tfoot td { background: #eef1f5; font-weight: 600; text-align: center; }\n"
    "  tfoot th { text-align: left; }\n"
    "  @media print {\n"
    "    @page { size: landscape; margin: 10mm; }\n"
    "    body { margin: 0; font-size: 9px; }\n"
    "    * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
    "    thead th, tbody th, tfoot th, th.corner { position: static; }\n"
    "    thead { display: table-header-group; }\n"
    "    tr { break-inside: avoid; }\n"
    "    tbody tr:hover td, tbody tr:hover th { background-color: inherit; }\n"
    "  }\n";

static void html_group_row(const struct matrix *mx, FILE *out)
{
    uint32_t bit = 0;

    while (bit < mx->nbits) {
        const char *group = mx->perms[bit].group;
        uint32_t end = bit + 1;

        while (end < mx->nbits &&
               (group ? mx->perms[end].group && strcmp(mx->perms[end].group, group) == 0
                      : !mx->perms[end].group))
            end++;
        fprintf(out, "<th colspan=\"%u\" scope=\"colgroup\">", end - bit);
        if (!group)
            fputs("Other", out);
        else
            cli_markup_escape(out, mx->perms[bit].group_title[0] ? mx->perms[bit].group_title : group);
        fputs("</th>", out);
        bit = end;
    }
}

static void print_html(const struct matrix *mx, FILE *out)
{
    const char *row_kind = mx->of_roles ? "Role" : "Member";
    uint32_t nsensitive = 0;

    for (uint32_t bit = 0; bit < mx->nbits; bit++)
        nsensitive += (mx->perms[bit].flags & KKP_PERM_SENSITIVE) != 0;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
          out);
    fprintf(out, "<title>Permission matrix: %ss and permissions</title>\n<style>\n%s</style>\n",
            mx->of_roles ? "role" : "member", html_style);
    fputs("</head>\n<body>\n", out);
    fprintf(out, "<h1>Permission matrix: %ss and permissions</h1>\n",
            mx->of_roles ? "role" : "member");
    fprintf(out, "<p class=\"meta\">%zu %ss, %u permissions.", mx->nrows,
            mx->of_roles ? "role" : "member", mx->nbits);
    if (nsensitive)
        fputs("<span class=\"swatch\"></span>sensitive permission (its grant deserves a second "
              "look)", out);
    fputs("</p>\n<table>\n<thead>\n<tr class=\"groups\">", out);
    fprintf(out, "<th class=\"corner first\" rowspan=\"2\" scope=\"col\">%s</th>", row_kind);
    if (mx->has_roles)
        fprintf(out, "<th class=\"corner\" rowspan=\"2\" scope=\"col\">%s</th>",
                mx->of_roles ? "Parent roles" : "Roles");
    html_group_row(mx, out);
    fputs("</tr>\n<tr class=\"perms\">", out);
    for (uint32_t bit = 0; bit < mx->nbits; bit++) {
        const struct matrix_perm *p = &mx->perms[bit];

        fprintf(out, "<th scope=\"col\"%s title=\"",
                p->flags & KKP_PERM_SENSITIVE ? " class=\"sensitive\"" : "");
        cli_markup_escape(out, p->description);
        if (p->flags & KKP_PERM_SENSITIVE)
            fputs(" (sensitive)", out);
        if (p->flags & KKP_PERM_ESCALATES)
            fputs(" (escalates: its holder sets permissions)", out);
        fputs("\"><span>", out);
        cli_markup_escape(out, p->name);
        fputs("</span></th>", out);
    }
    fputs("</tr>\n</thead>\n<tbody>\n", out);
    for (size_t i = 0; i < mx->nrows; i++) {
        const struct matrix_row *row = &mx->rows[i];

        fputs("<tr><th scope=\"row\">", out);
        cli_markup_escape(out, row->name);
        fputs("</th>", out);
        if (mx->has_roles) {
            fputs("<td class=\"roles\">", out);
            cli_markup_escape(out, row->roles);
            fputs("</td>", out);
        }
        for (uint32_t bit = 0; bit < mx->nbits; bit++) {
            bool yes = has_bit(row->mask, bit);
            bool sensitive = mx->perms[bit].flags & KKP_PERM_SENSITIVE;

            fprintf(out, "<td class=\"cell%s%s\">%s</td>", yes ? " yes" : "",
                    sensitive ? " sensitive" : "", yes ? "✓" : "");
        }
        fputs("</tr>\n", out);
    }
    fprintf(out, "</tbody>\n<tfoot>\n<tr><th scope=\"row\">Holders</th>");
    if (mx->has_roles)
        fputs("<td></td>", out);
    for (uint32_t bit = 0; bit < mx->nbits; bit++) {
        size_t holders = 0;

        for (size_t i = 0; i < mx->nrows; i++)
            holders += has_bit(mx->rows[i].mask, bit);
        fprintf(out, "<td>%zu</td>", holders);
    }
    fputs("</tr>\n</tfoot>\n</table>\n</body>\n</html>\n", out);
}

static int print_matrix(const struct matrix *mx, enum matrix_format format)
{
    if (format == FORMAT_CSV)
        print_csv(mx, stdout);
    else if (format == FORMAT_HTML)
        print_html(mx, stdout);
    else
        print_md(mx, stdout);
    if (fflush(stdout) != 0) {
        cli_error("cannot write to standard output");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int cmd_matrix(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"roles", no_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    enum matrix_format format = FORMAT_MD;
    struct matrix mx = {0};
    int opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'f':
            if (strcmp(optarg, "md") == 0) {
                format = FORMAT_MD;
            } else if (strcmp(optarg, "csv") == 0) {
                format = FORMAT_CSV;
            } else if (strcmp(optarg, "html") == 0) {
                format = FORMAT_HTML;
            } else {
                cli_error("invalid --format '%s'; expected md, csv or html", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'r':
            mx.of_roles = true;
            break;
        case 'h':
            fputs(MATRIX_USAGE, stdout);
            return EXIT_OK;
        default:
            fputs(MATRIX_USAGE, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        cli_error("matrix needs policy files or one compiled table");
        return EXIT_USAGE;
    }

    if (cli_is_table(argv[optind])) {
        struct kkp_table *t;
        struct kkp_error err;

        if (argc - optind != 1) {
            cli_error("matrix reads one compiled table, or policy source files, not both");
            return EXIT_USAGE;
        }
        if (kkp_table_open(argv[optind], KKP_OPEN_VERIFY, &t, &err) != KKP_OK) {
            cli_error("%s", err.message);
            return EXIT_USAGE;
        }
        rc = matrix_from_table(t, mx.of_roles, &mx);
        if (rc != KKP_OK) {
            cli_error("%s: %s", argv[optind], kkp_strerror(rc));
            rc = EXIT_USAGE;
        } else {
            if (!mx.has_roles && format != FORMAT_CSV)
                fputs("kkpolc: note: the table has no provenance, so the roles column is left "
                      "out; compile it with --provenance to include it\n",
                      stderr);
            rc = print_matrix(&mx, format);
        }
        matrix_release(&mx);
        kkp_table_close(t);
        return rc;
    }

    struct cli_policy cp;

    rc = cli_policy_load(&cp, argv + optind, (size_t)(argc - optind), KKP_DEFAULT_MAX_ERRORS);
    if (rc == EXIT_OK) {
        matrix_from_policy(&cp.pol, mx.of_roles, &mx);
        rc = print_matrix(&mx, format);
        matrix_release(&mx);
    }
    cli_policy_release(&cp);
    return rc;
}
