/* Policy diff renderers: text for terminals, JSON for tools, Markdown for
 * pull-request comments. */
#include <jansson.h>
#include <string.h>

#include "diff.h"

#define COLOR_GREEN "\033[32m"
#define COLOR_RED "\033[31m"
#define COLOR_RESET "\033[0m"

#define FLAGGED (PERM_SENSITIVE | PERM_ESCALATES)

static const char *const status_names[] = {"added", "removed", "changed"};
static const char *const cause_names[] = {NULL, "role", "override", "catalog"};
static const char *const cause_titles[] = {NULL, "through roles", "own override",
                                           "catalog change"};
static const char *const catalog_kind_names[] = {
    "added", "removed", "renamed", "renumbered", "description", "marks", "group",
};

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* "escalates, sensitive", "sensitive", or "" for no marks. */
static const char *marks_text(uint32_t flags)
{
    switch (flags & FLAGGED) {
    case PERM_ESCALATES | PERM_SENSITIVE:
        return "escalates, sensitive";
    case PERM_ESCALATES:
        return "escalates";
    case PERM_SENSITIVE:
        return "sensitive";
    }
    return "";
}

static bool is_flagged(const struct diff_perm_change *c)
{
    return c->gained && (c->flags & FLAGGED);
}

static size_t changed_count(const size_t by_status[3])
{
    return by_status[DIFF_ADDED] + by_status[DIFF_REMOVED] + by_status[DIFF_CHANGED];
}

/* "3 changed (1 added, 1 removed)", or "3 changed" when none were added or removed. */
static void print_count(FILE *out, const size_t by_status[3])
{
    fprintf(out, "%zu changed", changed_count(by_status));
    if (by_status[DIFF_ADDED] || by_status[DIFF_REMOVED])
        fprintf(out, " (%zu added, %zu removed)", by_status[DIFF_ADDED],
                by_status[DIFF_REMOVED]);
}

/* ---- text ---- */

/* A member id in double quotes with the policy language's escapes. */
static void print_quoted(FILE *out, const char *s, size_t len)
{
    putc('"', out);
    for (size_t i = 0; i < len; i++) {
        switch (s[i]) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        default:
            putc(s[i], out);
        }
    }
    putc('"', out);
}

static void print_sign(FILE *out, bool color, bool gained, const char *name)
{
    if (color)
        fputs(gained ? COLOR_GREEN : COLOR_RED, out);
    fprintf(out, "%c %s", gained ? '+' : '-', name);
    if (color)
        fputs(COLOR_RESET, out);
}

/* The changes of one entry with the given cause (any cause when all), gains first. */
static void print_changes(FILE *out, bool color, const struct diff_result *res,
                          const struct diff_entry *e, bool all, enum diff_cause cause)
{
    bool first = true;

    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < e->changes.count; i++) {
            const struct diff_perm_change *c = &res->changes[e->changes.start + i];

            if (c->gained != (pass == 0) || (!all && c->cause != cause))
                continue;
            fputs(first ? "" : ", ", out);
            print_sign(out, color, c->gained, c->perm);
            if (is_flagged(c))
                fprintf(out, " [%s]", marks_text(c->flags));
            first = false;
        }
    }
}

static bool has_cause(const struct diff_result *res, const struct diff_entry *e,
                      enum diff_cause cause)
{
    for (uint32_t i = 0; i < e->changes.count; i++) {
        if (res->changes[e->changes.start + i].cause == cause)
            return true;
    }
    return false;
}

static void print_names(FILE *out, bool color, const struct diff_result *res, struct range r,
                        bool added, bool first)
{
    for (uint32_t i = 0; i < r.count; i++) {
        fputs(first && i == 0 ? "" : ", ", out);
        print_sign(out, color, added, res->names[r.start + i]);
    }
}

/* The leading mark of an entry: '+' added, '-' removed, '~' changed. */
static void print_mark(FILE *out, bool color, enum diff_status status)
{
    static const char marks[] = {'+', '-', '~'};

    if (color && status != DIFF_CHANGED)
        fprintf(out, "%s%c%s", status == DIFF_ADDED ? COLOR_GREEN : COLOR_RED, marks[status],
                COLOR_RESET);
    else
        putc(marks[status], out);
}

static void text_catalog(FILE *out, bool color, const struct diff_result *res)
{
    fprintf(out, "catalog: %zu %s, %zu breaking\n", res->ncatalog,
            plural(res->ncatalog, "change", "changes"), res->breaking);
    for (size_t i = 0; i < res->ncatalog; i++) {
        const struct diff_catalog_change *c = &res->catalog[i];

        switch (c->kind) {
        case DIFF_PERM_ADDED:
            fputs("  ", out);
            print_mark(out, color, DIFF_ADDED);
            fprintf(out, " %s (bit %u%s%s)", c->name, c->new_bit,
                    c->new_flags & FLAGGED ? ", " : "", marks_text(c->new_flags));
            break;
        case DIFF_PERM_REMOVED:
            fputs("  ", out);
            print_mark(out, color, DIFF_REMOVED);
            fprintf(out, " %s (bit %u)", c->name, c->old_bit);
            break;
        case DIFF_PERM_RENAMED:
            fprintf(out, "  ~ %s renamed to %s (likely: same description and bit %u)", c->name,
                    c->new_name, c->new_bit);
            break;
        case DIFF_PERM_RENUMBERED:
            fprintf(out, "  ~ %s moved from bit %u to bit %u", c->name, c->old_bit, c->new_bit);
            break;
        case DIFF_PERM_DESCRIPTION:
            fprintf(out, "  ~ %s description: \"%s\" -> \"%s\"", c->name, c->old_text,
                    c->new_text);
            break;
        case DIFF_PERM_MARKS:
            fprintf(out, "  ~ %s marks: %s -> %s", c->name,
                    c->old_flags & FLAGGED ? marks_text(c->old_flags) : "(none)",
                    c->new_flags & FLAGGED ? marks_text(c->new_flags) : "(none)");
            break;
        case DIFF_PERM_GROUP:
            fprintf(out, "  ~ %s group: %s -> %s", c->name, c->old_text ? c->old_text : "(none)",
                    c->new_text ? c->new_text : "(none)");
            break;
        }
        fputs(c->breaking ? " [breaking]\n" : "\n", out);
    }
}

static void text_roles(FILE *out, bool color, const struct diff_result *res)
{
    fprintf(out, "roles: %zu added, %zu removed, %zu changed\n",
            res->roles_by_status[DIFF_ADDED], res->roles_by_status[DIFF_REMOVED],
            res->roles_by_status[DIFF_CHANGED]);
    for (size_t i = 0; i < res->nroles; i++) {
        const struct diff_entry *e = &res->roles[i];

        fputs("  ", out);
        print_mark(out, color, e->status);
        fprintf(out, " %s", e->name);
        if (e->holders >= 0)
            fprintf(out, " (%lld %s)", (long long)e->holders,
                    plural((size_t)e->holders, "member", "members"));
        if (e->changes.count) {
            fputs(": ", out);
            print_changes(out, color, res, e, true, DIFF_CAUSE_UNKNOWN);
        }
        putc('\n', out);
    }
}

static void text_members(FILE *out, bool color, const struct diff_result *res)
{
    static const enum diff_cause causes[] = {DIFF_CAUSE_ROLE, DIFF_CAUSE_OVERRIDE,
                                             DIFF_CAUSE_CATALOG};

    fprintf(out, "members: %zu added, %zu removed, %zu changed\n",
            res->members_by_status[DIFF_ADDED], res->members_by_status[DIFF_REMOVED],
            res->members_by_status[DIFF_CHANGED]);
    for (size_t i = 0; i < res->nmembers; i++) {
        const struct diff_entry *e = &res->members[i];

        fputs("  ", out);
        print_mark(out, color, e->status);
        putc(' ', out);
        print_quoted(out, e->name, e->name_len);
        if (e->status != DIFF_CHANGED || !res->causes_known) {
            if (e->changes.count) {
                fputs(": ", out);
                print_changes(out, color, res, e, true, DIFF_CAUSE_UNKNOWN);
            }
            putc('\n', out);
            continue;
        }
        putc('\n', out);
        if (e->roles_added.count || e->roles_removed.count) {
            fputs("      roles: ", out);
            print_names(out, color, res, e->roles_added, true, true);
            print_names(out, color, res, e->roles_removed, false, e->roles_added.count == 0);
            putc('\n', out);
        }
        for (size_t k = 0; k < sizeof(causes) / sizeof(causes[0]); k++) {
            if (!has_cause(res, e, causes[k]))
                continue;
            fprintf(out, "      %s: ", cause_titles[causes[k]]);
            print_changes(out, color, res, e, false, causes[k]);
            putc('\n', out);
        }
    }
}

void diff_render_text(const struct diff_result *res, FILE *out, bool color)
{
    bool any = false;

    if (res->ncatalog) {
        text_catalog(out, color, res);
        any = true;
    }
    if (res->nroles) {
        fputs(any ? "\n" : "", out);
        text_roles(out, color, res);
        any = true;
    }
    if (res->nmembers) {
        fputs(any ? "\n" : "", out);
        text_members(out, color, res);
        any = true;
    }
    if (!any)
        return;
    fputs("\nsummary: members ", out);
    print_count(out, res->members_by_status);
    fputs(", roles ", out);
    print_count(out, res->roles_by_status);
    fprintf(out, ", %zu breaking catalog %s, %zu sensitive or escalates %s\n",
            res->breaking, plural(res->breaking, "change", "changes"), res->sensitive_gains,
            plural(res->sensitive_gains, "gain", "gains"));
}

/* ---- JSON ---- */

static json_t *marks_json(uint32_t flags)
{
    json_t *list = json_array();

    if (flags & PERM_ESCALATES)
        json_array_append_new(list, json_string("escalates"));
    if (flags & PERM_SENSITIVE)
        json_array_append_new(list, json_string("sensitive"));
    return list;
}

static json_t *bit_json(uint32_t bit)
{
    return bit == UINT32_MAX ? json_null() : json_integer(bit);
}

static json_t *text_json(const char *text)
{
    return text ? json_string(text) : json_null();
}

static json_t *catalog_json(const struct diff_result *res)
{
    json_t *list = json_array();

    for (size_t i = 0; i < res->ncatalog; i++) {
        const struct diff_catalog_change *c = &res->catalog[i];
        json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:b}", "change",
                              catalog_kind_names[c->kind], "permission", c->name, "old_bit",
                              bit_json(c->old_bit), "new_bit", bit_json(c->new_bit), "breaking",
                              c->breaking);

        switch (c->kind) {
        case DIFF_PERM_ADDED:
            json_object_set_new(o, "marks", marks_json(c->new_flags));
            break;
        case DIFF_PERM_REMOVED:
            json_object_set_new(o, "marks", marks_json(c->old_flags));
            break;
        case DIFF_PERM_RENAMED:
            json_object_set_new(o, "new_name", json_string(c->new_name));
            break;
        case DIFF_PERM_DESCRIPTION:
        case DIFF_PERM_GROUP:
            json_object_set_new(o, "old", text_json(c->old_text));
            json_object_set_new(o, "new", text_json(c->new_text));
            break;
        case DIFF_PERM_MARKS:
            json_object_set_new(o, "old", marks_json(c->old_flags));
            json_object_set_new(o, "new", marks_json(c->new_flags));
            break;
        }
        json_array_append_new(list, o);
    }
    return list;
}

static json_t *names_json(const struct diff_result *res, struct range r)
{
    json_t *list = json_array();

    for (uint32_t i = 0; i < r.count; i++)
        json_array_append_new(list, json_string(res->names[r.start + i]));
    return list;
}

/* The entry as an object, or NULL when its name is not valid UTF-8. */
static json_t *entry_json(const struct diff_result *res, const struct diff_entry *e, bool member)
{
    json_t *name = json_stringn(e->name, e->name_len);
    json_t *gained = json_array(), *lost = json_array(), *o;

    if (!name) {
        json_decref(gained);
        json_decref(lost);
        return NULL;
    }
    for (uint32_t i = 0; i < e->changes.count; i++) {
        const struct diff_perm_change *c = &res->changes[e->changes.start + i];
        json_t *item = json_pack("{s:s, s:o, s:b}", "permission", c->perm, "marks",
                                 marks_json(c->flags), "flagged", is_flagged(c));

        if (member)
            json_object_set_new(item, "cause",
                                c->cause ? json_string(cause_names[c->cause]) : json_null());
        json_array_append_new(c->gained ? gained : lost, item);
    }
    o = json_pack("{s:o, s:s}", member ? "member" : "role", name, "change",
                  status_names[e->status]);
    if (member) {
        json_object_set_new(o, "roles_added", names_json(res, e->roles_added));
        json_object_set_new(o, "roles_removed", names_json(res, e->roles_removed));
    } else {
        json_object_set_new(o, "members", e->holders >= 0 ? json_integer(e->holders)
                                                          : json_null());
    }
    json_object_set_new(o, "gained", gained);
    json_object_set_new(o, "lost", lost);
    return o;
}

static json_t *counts_json(const size_t by_status[3])
{
    return json_pack("{s:I, s:I, s:I}", "added", (json_int_t)by_status[DIFF_ADDED], "removed",
                     (json_int_t)by_status[DIFF_REMOVED], "changed",
                     (json_int_t)by_status[DIFF_CHANGED]);
}

bool diff_render_json(const struct diff_result *res, FILE *out)
{
    json_t *roles = json_array(), *members = json_array(), *doc;
    bool ok = true;

    for (size_t i = 0; i < res->nroles && ok; i++) {
        json_t *o = entry_json(res, &res->roles[i], false);

        ok = o != NULL;
        json_array_append_new(roles, o);
    }
    for (size_t i = 0; i < res->nmembers && ok; i++) {
        json_t *o = entry_json(res, &res->members[i], true);

        ok = o != NULL;
        json_array_append_new(members, o);
    }
    doc = json_pack("{s:i, s:b, s:{s:I, s:I, s:o, s:o, s:I}, s:o, s:o, s:o}", "version", 1,
                    "causes_known", res->causes_known, "summary", "catalog_changes",
                    (json_int_t)res->ncatalog, "breaking", (json_int_t)res->breaking, "roles",
                    counts_json(res->roles_by_status), "members",
                    counts_json(res->members_by_status), "sensitive_gains",
                    (json_int_t)res->sensitive_gains, "catalog", catalog_json(res), "roles",
                    roles, "members", members);
    if (!ok || !doc || json_dumpf(doc, out, JSON_INDENT(2)) != 0) {
        json_decref(doc);
        return false;
    }
    fputc('\n', out);
    json_decref(doc);
    return true;
}

/* ---- Markdown ---- */

/* Writes text for a Markdown table cell: HTML-special characters as
 * entities, Markdown punctuation escaped with a backslash, line breaks and
 * tabs as spaces. */
static void md_text(FILE *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];

        if (ch == '<')
            fputs("&lt;", out);
        else if (ch == '>')
            fputs("&gt;", out);
        else if (ch == '&')
            fputs("&amp;", out);
        else if (ch == '\n' || ch == '\t' || ch == '\r')
            putc(' ', out);
        else if (strchr("\\`*_[]|#~", ch) && ch)
            fprintf(out, "\\%c", ch);
        else
            putc(ch, out);
    }
}

static void md_str(FILE *out, const char *s)
{
    md_text(out, s, strlen(s));
}

/* A permission or role name as a code span; identifiers hold no backquote or '|'. */
static void md_name(FILE *out, const char *name)
{
    fprintf(out, "`%s`", name);
}

/* The gains or the losses of one entry with the given cause, flagged gains in bold. */
static void md_changes(FILE *out, const struct diff_result *res, const struct diff_entry *e,
                       bool gained, bool all, enum diff_cause cause)
{
    bool first = true;

    for (uint32_t i = 0; i < e->changes.count; i++) {
        const struct diff_perm_change *c = &res->changes[e->changes.start + i];

        if (c->gained != gained || (!all && c->cause != cause))
            continue;
        fputs(first ? "" : ", ", out);
        if (is_flagged(c)) {
            fputs("**", out);
            md_name(out, c->perm);
            fprintf(out, "** (%s)", marks_text(c->flags));
        } else {
            md_name(out, c->perm);
        }
        first = false;
    }
}

static void md_catalog(FILE *out, const struct diff_result *res)
{
    fprintf(out, "<details>\n<summary>Catalog: %zu %s, %zu breaking</summary>\n\n",
            res->ncatalog, plural(res->ncatalog, "change", "changes"), res->breaking);
    for (size_t i = 0; i < res->ncatalog; i++) {
        const struct diff_catalog_change *c = &res->catalog[i];

        fputs(c->breaking ? "- **breaking:** " : "- ", out);
        switch (c->kind) {
        case DIFF_PERM_ADDED:
            fputs("added ", out);
            md_name(out, c->name);
            fprintf(out, " (bit %u%s%s)", c->new_bit, c->new_flags & FLAGGED ? ", " : "",
                    marks_text(c->new_flags));
            break;
        case DIFF_PERM_REMOVED:
            fputs("removed ", out);
            md_name(out, c->name);
            fprintf(out, " (bit %u)", c->old_bit);
            break;
        case DIFF_PERM_RENAMED:
            md_name(out, c->name);
            fputs(" renamed to ", out);
            md_name(out, c->new_name);
            fprintf(out, " (likely: same description and bit %u)", c->new_bit);
            break;
        case DIFF_PERM_RENUMBERED:
            md_name(out, c->name);
            fprintf(out, " moved from bit %u to bit %u", c->old_bit, c->new_bit);
            break;
        case DIFF_PERM_DESCRIPTION:
            md_name(out, c->name);
            fputs(" description: \"", out);
            md_str(out, c->old_text);
            fputs("\" to \"", out);
            md_str(out, c->new_text);
            fputs("\"", out);
            break;
        case DIFF_PERM_MARKS:
            md_name(out, c->name);
            fprintf(out, " marks: %s to %s",
                    c->old_flags & FLAGGED ? marks_text(c->old_flags) : "none",
                    c->new_flags & FLAGGED ? marks_text(c->new_flags) : "none");
            break;
        case DIFF_PERM_GROUP:
            md_name(out, c->name);
            fputs(" group: ", out);
            if (c->old_text)
                md_name(out, c->old_text);
            else
                fputs("none", out);
            fputs(" to ", out);
            if (c->new_text)
                md_name(out, c->new_text);
            else
                fputs("none", out);
            break;
        }
        putc('\n', out);
    }
    fputs("\n</details>\n\n", out);
}

static void md_roles(FILE *out, const struct diff_result *res)
{
    fputs("<details>\n<summary>Roles: ", out);
    print_count(out, res->roles_by_status);
    fputs("</summary>\n\n| role | change | members | gained | lost |\n"
          "| --- | --- | ---: | --- | --- |\n",
          out);
    for (size_t i = 0; i < res->nroles; i++) {
        const struct diff_entry *e = &res->roles[i];

        fputs("| ", out);
        md_name(out, e->name);
        fprintf(out, " | %s | ", status_names[e->status]);
        if (e->holders >= 0)
            fprintf(out, "%lld", (long long)e->holders);
        fputs(" | ", out);
        md_changes(out, res, e, true, true, DIFF_CAUSE_UNKNOWN);
        fputs(" | ", out);
        md_changes(out, res, e, false, true, DIFF_CAUSE_UNKNOWN);
        fputs(" |\n", out);
    }
    fputs("\n</details>\n\n", out);
}

static void md_member_row(FILE *out, const struct diff_result *res, const struct diff_entry *e,
                          bool first_row, const char *change, bool all, enum diff_cause cause)
{
    fputs("| ", out);
    if (first_row)
        md_text(out, e->name, e->name_len);
    fprintf(out, " | %s | ", change);
    md_changes(out, res, e, true, all, cause);
    fputs(" | ", out);
    md_changes(out, res, e, false, all, cause);
    fputs(" |\n", out);
}

static void md_members(FILE *out, const struct diff_result *res)
{
    static const enum diff_cause causes[] = {DIFF_CAUSE_ROLE, DIFF_CAUSE_OVERRIDE,
                                             DIFF_CAUSE_CATALOG};

    fputs("<details>\n<summary>Members: ", out);
    print_count(out, res->members_by_status);
    fputs("</summary>\n\n| member | change | gained | lost |\n"
          "| --- | --- | --- | --- |\n",
          out);
    for (size_t i = 0; i < res->nmembers; i++) {
        const struct diff_entry *e = &res->members[i];
        bool first_row = true;

        if (e->status != DIFF_CHANGED || !res->causes_known) {
            md_member_row(out, res, e, true, status_names[e->status], true, DIFF_CAUSE_UNKNOWN);
            continue;
        }
        /* One row per cause; the role row names the roles the member got or lost. */
        for (size_t k = 0; k < sizeof(causes) / sizeof(causes[0]); k++) {
            if (!has_cause(res, e, causes[k]))
                continue;
            if (causes[k] != DIFF_CAUSE_ROLE ||
                (e->roles_added.count == 0 && e->roles_removed.count == 0)) {
                md_member_row(out, res, e, first_row, cause_titles[causes[k]], false, causes[k]);
                first_row = false;
                continue;
            }
            fputs("| ", out);
            md_text(out, e->name, e->name_len);
            fputs(" | through roles (", out);
            for (uint32_t r = 0; r < e->roles_added.count; r++) {
                fputs(r ? ", +" : "+", out);
                md_name(out, res->names[e->roles_added.start + r]);
            }
            for (uint32_t r = 0; r < e->roles_removed.count; r++) {
                fputs(r || e->roles_added.count ? ", -" : "-", out);
                md_name(out, res->names[e->roles_removed.start + r]);
            }
            fputs(") | ", out);
            md_changes(out, res, e, true, false, causes[k]);
            fputs(" | ", out);
            md_changes(out, res, e, false, false, causes[k]);
            fputs(" |\n", out);
            first_row = false;
        }
    }
    fputs("\n</details>\n", out);
}

void diff_render_markdown(const struct diff_result *res, FILE *out)
{
    fputs("### Policy diff\n\n", out);
    if (diff_result_empty(res)) {
        fputs("No change to the catalog, the roles or the members.\n", out);
        return;
    }
    fputs("| summary | count |\n| --- | --- |\n| members | ", out);
    print_count(out, res->members_by_status);
    fputs(" |\n| roles | ", out);
    print_count(out, res->roles_by_status);
    fprintf(out, " |\n| breaking catalog changes | %zu |\n", res->breaking);
    fprintf(out, "| sensitive or escalates gains | %zu |\n\n", res->sensitive_gains);
    if (res->ncatalog)
        md_catalog(out, res);
    if (res->nroles)
        md_roles(out, res);
    if (res->nmembers)
        md_members(out, res);
}
