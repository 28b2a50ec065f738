/* Machine-readable diagnostics: JSON (docs/diagnostics.md), SARIF 2.1.0 and
 * GitHub workflow annotations. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "diag_formats.h"
#include "lint.h"

/* Line and column of both ends of a location; the end column is exclusive. */
struct region {
    uint32_t line, column, end_line, end_column;
};

static struct region region_of(const struct loc *loc)
{
    struct source *src = (struct source *)loc->src;
    struct line_col b = source_line_col(src, loc->begin);
    struct line_col e = source_line_col(src, loc->end > loc->begin ? loc->end : loc->begin + 1);
    struct region r = {b.line, b.column, e.line, e.column};

    return r;
}

static json_t *json_location(const struct loc *loc)
{
    struct region r;

    if (!loc->src)
        return json_null();
    r = region_of(loc);
    return json_pack("{s:s, s:i, s:i, s:i, s:i}", "file", loc->src->path, "line",
                     (json_int_t)r.line, "column", (json_int_t)r.column, "end_line",
                     (json_int_t)r.end_line, "end_column", (json_int_t)r.end_column);
}

static int dump(json_t *doc, FILE *out)
{
    int rc = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

    fputc('\n', out);
    json_decref(doc);
    return rc;
}

int diag_print_json(struct diag_sink *sink, FILE *out)
{
    json_t *list = json_array();

    for (size_t i = 0; i < sink->len; i++) {
        const struct diag *d = sink->items[i];
        json_t *notes = json_array();
        json_t *item;

        for (size_t k = 0; k < d->nnotes; k++)
            json_array_append_new(notes, json_pack("{s:o, s:s}", "location",
                                                   json_location(&d->notes[k].loc), "message",
                                                   d->notes[k].message));
        item = json_pack(
            "{s:s, s:o, s:s, s:o, s:o, s:b}", "severity", diag_severity_name(d->severity), "rule",
            d->rule ? json_string(d->rule) : json_null(), "message", d->message, "location",
            json_location(&d->loc), "notes", notes, "suppressed", d->suppressed);
        if (d->suppressed)
            json_object_set_new(item, "justification", json_string(d->justification));
        json_array_append_new(list, item);
    }
    return dump(json_pack("{s:i, s:o, s:{s:i, s:i, s:i, s:i}}", "version", 1, "diagnostics", list,
                          "summary", "errors", (json_int_t)sink->errors, "warnings",
                          (json_int_t)sink->warnings, "notes", (json_int_t)sink->notes,
                          "suppressed", (json_int_t)sink->suppressed),
                out);
}

#define SARIF_POLICY_ERROR "policy-error"

static json_t *sarif_physical(const struct loc *loc)
{
    struct region r = region_of(loc);

    return json_pack("{s:{s:s}, s:{s:i, s:i, s:i, s:i}}", "artifactLocation", "uri", loc->src->path,
                     "region", "startLine", (json_int_t)r.line, "startColumn", (json_int_t)r.column,
                     "endLine", (json_int_t)r.end_line, "endColumn", (json_int_t)r.end_column);
}

static json_t *sarif_rules(void)
{
    json_t *rules = json_array();

    for (int i = 0; i < RULE_COUNT; i++) {
        const struct lint_rule_info *info = &lint_rules[i];
        int sev = info->default_severity;
        json_t *rule = json_pack(
            "{s:s, s:{s:s}, s:{s:s}, s:{s:s, s:b}}", "id", info->name, "shortDescription", "text",
            info->summary, "help", "text", info->help, "defaultConfiguration", "level",
            sev == LINT_OFF ? "warning" : diag_severity_name((enum diag_severity)sev), "enabled",
            sev != LINT_OFF);

        json_array_append_new(rules, rule);
    }
    /* SARIF wants a rule on every result, so syntax and semantic errors,
     * which have none in the text form, get this one. */
    json_array_append_new(rules,
                          json_pack("{s:s, s:{s:s}, s:{s:s}, s:{s:s}}", "id", SARIF_POLICY_ERROR,
                                    "shortDescription", "text",
                                    "A syntax or semantic error in the policy.", "help", "text",
                                    "Fix the error; no command acts on a policy "
                                    "that has one.",
                                    "defaultConfiguration", "level", "error"));
    return rules;
}

int diag_print_sarif(struct diag_sink *sink, FILE *out, const char *version)
{
    json_t *results = json_array(), *notifications = json_array();
    bool ran = true; /* false when a named file could not be read */

    for (size_t i = 0; i < sink->len; i++) {
        const struct diag *d = sink->items[i];
        json_t *result;

        if (!d->loc.src) {
            /* A problem with no place in a file, such as an unreadable file
             * named on the command line. */
            ran = ran && d->severity != DIAG_ERROR;
            json_array_append_new(notifications, json_pack("{s:s, s:{s:s}}", "level",
                                                           diag_severity_name(d->severity),
                                                           "message", "text", d->message));
            continue;
        }
        result = json_pack("{s:s, s:{s:s}, s:[{s:o}]}", "level", diag_severity_name(d->severity),
                           "message", "text", d->message, "locations", "physicalLocation",
                           sarif_physical(&d->loc));
        if (d->rule) {
            int rule = lint_rule_find(d->rule);

            json_object_set_new(result, "ruleId", json_string(d->rule));
            if (rule >= 0)
                json_object_set_new(result, "ruleIndex", json_integer(rule));
        } else {
            json_object_set_new(result, "ruleId", json_string(SARIF_POLICY_ERROR));
            json_object_set_new(result, "ruleIndex", json_integer(RULE_COUNT));
        }
        if (d->nnotes) {
            json_t *related = json_array();

            for (size_t k = 0; k < d->nnotes; k++) {
                json_t *rel = json_pack("{s:i, s:{s:s}}", "id", (json_int_t)k, "message", "text",
                                        d->notes[k].message);

                if (d->notes[k].loc.src)
                    json_object_set_new(rel, "physicalLocation", sarif_physical(&d->notes[k].loc));
                json_array_append_new(related, rel);
            }
            json_object_set_new(result, "relatedLocations", related);
        }
        if (d->suppressed)
            json_object_set_new(result, "suppressions",
                                json_pack("[{s:s, s:s}]", "kind", "inSource", "justification",
                                          d->justification ? d->justification : ""));
        json_array_append_new(results, result);
    }

    return dump(json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:o}}, s:s, s:o, s:[{s:b, s:o}]}]}",
                          "$schema", "https://json.schemastore.org/sarif-2.1.0.json", "version",
                          "2.1.0", "runs", "tool", "driver", "name", "kkpolc", "version", version,
                          "rules", sarif_rules(), "columnKind", "unicodeCodePoints", "results",
                          results, "invocations", "executionSuccessful", ran,
                          "toolExecutionNotifications", notifications),
                out);
}

/* Escapes a value for a workflow command: % CR LF always, and : , in properties. */
static void gh_escape(FILE *out, const char *s, bool property)
{
    for (; *s; s++) {
        if (*s == '%')
            fputs("%25", out);
        else if (*s == '\r')
            fputs("%0D", out);
        else if (*s == '\n')
            fputs("%0A", out);
        else if (property && *s == ':')
            fputs("%3A", out);
        else if (property && *s == ',')
            fputs("%2C", out);
        else
            fputc(*s, out);
    }
}

int diag_print_github(struct diag_sink *sink, FILE *out)
{
    for (size_t i = 0; i < sink->len; i++) {
        const struct diag *d = sink->items[i];
        const char *kind = d->severity == DIAG_ERROR     ? "error"
                           : d->severity == DIAG_WARNING ? "warning"
                                                         : "notice";

        if (d->suppressed)
            continue;
        fprintf(out, "::%s ", kind);
        if (d->loc.src) {
            struct region r = region_of(&d->loc);

            fputs("file=", out);
            gh_escape(out, d->loc.src->path, true);
            fprintf(out, ",line=%u,col=%u,endLine=%u,endColumn=%u,", r.line, r.column, r.end_line,
                    r.end_column);
        }
        fputs("title=", out);
        gh_escape(out, d->rule ? d->rule : "kkpolc", true);
        fputs("::", out);
        gh_escape(out, d->message, false);
        for (size_t k = 0; k < d->nnotes; k++) {
            fputs("%0A", out);
            if (d->notes[k].loc.src) {
                struct line_col lc =
                    source_line_col((struct source *)d->notes[k].loc.src, d->notes[k].loc.begin);
                gh_escape(out, d->notes[k].loc.src->path, false);
                fprintf(out, "%%3A%u%%3A%u: ", lc.line, lc.column);
            }
            fputs("note: ", out);
            gh_escape(out, d->notes[k].message, false);
        }
        fputc('\n', out);
    }
    return 0;
}
