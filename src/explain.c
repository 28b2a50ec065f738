/* Explanations: built from a resolved policy (through provenance.c) or from
 * a table's PROVENANCE section, printed as text or JSON. */
#include "explain.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "provenance.h"

static void explain_init(struct explanation *x)
{
    memset(x, 0, sizeof(*x));
    arena_init(&x->arena);
}

void explain_release(struct explanation *x)
{
    arena_release(&x->arena);
    memset(x, 0, sizeof(*x));
}

static void *alloc_array(struct explanation *x, size_t n, size_t size)
{
    return arena_alloc(&x->arena, (n ? n : 1) * size);
}

/* From sources. */

struct policy_builder {
    const struct policy *pol;
    struct explanation *x;
    const char **files; /* relative path of each loaded file */
    bool is_role;
    uint32_t index;
};

static void convert_reason(struct policy_builder *b, const struct prov_reason *in,
                           struct xp_reason *out)
{
    const struct ast *ast = b->pol->ast;
    const struct ast_ref *ref = &ast->refs[in->ref];
    uint32_t file = prov_reason_file(b->pol, b->is_role, b->index, in);
    struct line_col lc = source_line_col(ast->files[file].src, ref->span.begin);

    out->revoke = in->revoke;
    out->entry = prov_entry_text(&b->x->arena, ast, ref);
    out->file = b->files[file];
    out->line = lc.line;
    out->column = lc.column;
    out->nchain = in->nchain;
    out->chain = alloc_array(b->x, in->nchain, sizeof(uint32_t));
    if (in->nchain)
        memcpy(out->chain, in->chain, in->nchain * sizeof(uint32_t));
    out->noverrides = in->noverrides;
    out->overrides = alloc_array(b->x, in->noverrides, sizeof(struct xp_reason));
    for (uint32_t i = 0; i < in->noverrides; i++)
        convert_reason(b, &in->overrides[i], &out->overrides[i]);
}

void explain_from_policy(const struct policy *pol, bool is_role, uint32_t index,
                         struct explanation *x)
{
    const struct ast *ast = pol->ast;
    struct policy_builder b = {pol, x, NULL, is_role, index};
    struct range parents = prov_subject_parents(pol, is_role, index);
    uint32_t file = prov_subject_file(pol, is_role, index);
    struct span span = is_role ? ast->roles[index].span : ast->members[index].span;
    struct line_col lc = source_line_col(ast->files[file].src, span.begin);
    struct prov pv;

    explain_init(x);
    b.files = alloc_array(x, ast->nfiles, sizeof(char *));
    for (uint32_t f = 0; f < ast->nfiles; f++) {
        char *rel = prov_relative_path(ast, f);

        b.files[f] = arena_strndup(&x->arena, rel, strlen(rel));
        free(rel);
    }

    x->nbits = pol->nbits;
    x->words = pol->words;
    x->perms = alloc_array(x, pol->nbits, sizeof(struct xp_perm));
    for (uint32_t bit = 0; bit < pol->nbits; bit++) {
        const struct ast_permission *p = &ast->perms[ast->bit_to_perm[bit]];

        x->perms[bit].name = ast_name(ast, p->name);
        x->perms[bit].description = p->description ? p->description : "";
        x->perms[bit].group = p->group == AST_NONE ? NULL : ast_name(ast, ast->groups[p->group].name);
        x->perms[bit].flags = (p->flags & PERM_ESCALATES ? KKP_PERM_ESCALATES : 0) |
                              (p->flags & PERM_SENSITIVE ? KKP_PERM_SENSITIVE : 0);
    }

    /* Duplicate definitions are errors, so role indices match the table's. */
    x->nroles = (uint32_t)ast->nroles;
    x->roles = alloc_array(x, ast->nroles, sizeof(struct xp_role));
    x->role_masks = alloc_array(x, (size_t)ast->nroles * pol->words, sizeof(uint64_t));
    for (uint32_t r = 0; r < ast->nroles; r++) {
        const struct ast_role *role = &ast->roles[r];

        x->roles[r].name = ast_name(ast, role->name);
        x->roles[r].file = b.files[role->file];
        x->roles[r].line = source_line_col(ast->files[role->file].src, role->span.begin).line;
        memcpy(x->role_masks + (size_t)r * pol->words, policy_role_mask(pol, r),
               pol->words * sizeof(uint64_t));
    }

    x->is_role = is_role;
    x->subject = is_role ? ast_name(ast, ast->roles[index].name) : ast->members[index].id;
    x->file = b.files[file];
    x->line = lc.line;
    x->column = lc.column;
    x->nparents = parents.count;
    x->parents = alloc_array(x, parents.count, sizeof(uint32_t));
    for (uint32_t i = 0; i < parents.count; i++)
        x->parents[i] = ast->refs[parents.start + i].target;
    x->mask = alloc_array(x, pol->words, sizeof(uint64_t));
    memcpy(x->mask, is_role ? policy_role_mask(pol, index) : policy_member_mask(pol, index),
           pol->words * sizeof(uint64_t));

    x->answers = alloc_array(x, pol->nbits, sizeof(struct xp_answer));
    prov_init(&pv, pol);
    for (uint32_t bit = 0; bit < pol->nbits; bit++) {
        struct prov_answer ans;
        struct xp_answer *out = &x->answers[bit];

        prov_explain(&pv, is_role, index, bit, &ans);
        out->kind = (int)ans.kind;
        out->nreasons = ans.nreasons;
        out->reasons = alloc_array(x, ans.nreasons, sizeof(struct xp_reason));
        for (uint32_t i = 0; i < ans.nreasons; i++)
            convert_reason(&b, &ans.reasons[i], &out->reasons[i]);
        prov_reset(&pv);
    }
    prov_release(&pv);
}

/* From a table. */

static int read_table_reason(const struct kkp_table *t, struct explanation *x,
                             const struct kkp_reason *in, struct xp_reason *out)
{
    int rc;

    out->revoke = in->revoke != 0;
    out->entry = in->entry;
    out->file = in->at.file;
    out->line = in->at.line;
    out->column = in->at.column;
    out->nchain = in->chain_length;
    out->chain = alloc_array(x, in->chain_length, sizeof(uint32_t));
    for (uint32_t i = 0; i < in->chain_length; i++) {
        rc = kkp_reason_chain(t, in, i, &out->chain[i]);
        if (rc != KKP_OK)
            return rc;
    }
    out->noverrides = in->override_count;
    out->overrides = alloc_array(x, in->override_count, sizeof(struct xp_reason));
    for (uint32_t i = 0; i < in->override_count; i++) {
        struct kkp_reason inner;

        rc = kkp_reason_override(t, in, i, &inner);
        if (rc == KKP_OK)
            rc = read_table_reason(t, x, &inner, &out->overrides[i]);
        if (rc != KKP_OK)
            return rc;
    }
    return KKP_OK;
}

static int read_table_catalog(const struct kkp_table *t, struct explanation *x)
{
    int rc;

    x->nbits = kkp_permission_count(t);
    x->words = (uint32_t)kkp_mask_words(t);
    x->perms = alloc_array(x, x->nbits, sizeof(struct xp_perm));
    for (uint32_t bit = 0; bit < x->nbits; bit++) {
        struct kkp_permission_info info;

        rc = kkp_permission_info(t, bit, &info);
        if (rc != KKP_OK)
            return rc;
        x->perms[bit].name = info.name;
        x->perms[bit].description = info.description;
        x->perms[bit].group = info.group;
        x->perms[bit].flags = info.flags;
    }
    x->nroles = kkp_role_count(t);
    x->roles = alloc_array(x, x->nroles, sizeof(struct xp_role));
    x->role_masks = alloc_array(x, (size_t)x->nroles * x->words, sizeof(uint64_t));
    for (uint32_t r = 0; r < x->nroles; r++) {
        struct kkp_subject s;

        rc = kkp_role_at(t, r, &x->roles[r].name, NULL, x->role_masks + (size_t)r * x->words,
                         x->words);
        if (rc == KKP_OK)
            rc = kkp_subject_at(t, KKP_SUBJECT_ROLE, r, &s);
        if (rc != KKP_OK)
            return rc;
        x->roles[r].file = s.at.file;
        x->roles[r].line = s.at.line;
    }
    return KKP_OK;
}

int explain_from_table(const struct kkp_table *t, bool is_role, uint64_t index,
                       struct explanation *x)
{
    struct kkp_subject s;
    int rc;

    explain_init(x);
    rc = read_table_catalog(t, x);
    if (rc == KKP_OK)
        rc = kkp_subject_at(t, is_role ? KKP_SUBJECT_ROLE : KKP_SUBJECT_MEMBER, index, &s);
    if (rc != KKP_OK)
        return rc;

    x->is_role = is_role;
    x->file = s.at.file;
    x->line = s.at.line;
    x->column = s.at.column;
    x->mask = alloc_array(x, x->words, sizeof(uint64_t));
    if (is_role) {
        x->subject = x->roles[index].name;
        memcpy(x->mask, x->role_masks + (size_t)index * x->words, x->words * sizeof(uint64_t));
    } else {
        const char *id;
        size_t len;

        rc = kkp_member_at(t, index, &id, &len, x->mask, x->words);
        if (rc != KKP_OK)
            return rc;
        x->subject = arena_strndup(&x->arena, id, len);
    }
    x->nparents = s.parent_count;
    x->parents = alloc_array(x, s.parent_count, sizeof(uint32_t));
    for (uint32_t i = 0; i < s.parent_count; i++) {
        rc = kkp_subject_parent(t, &s, i, &x->parents[i]);
        if (rc != KKP_OK)
            return rc;
    }

    x->answers = alloc_array(x, x->nbits, sizeof(struct xp_answer));
    for (uint32_t bit = 0; bit < x->nbits; bit++) {
        struct kkp_provenance p;
        struct xp_answer *out = &x->answers[bit];

        rc = kkp_provenance(t, &s, bit, &p);
        if (rc != KKP_OK)
            return rc;
        out->kind = p.kind;
        out->nreasons = p.reason_count;
        out->reasons = alloc_array(x, p.reason_count, sizeof(struct xp_reason));
        for (uint32_t i = 0; i < p.reason_count; i++) {
            struct kkp_reason r;

            rc = kkp_provenance_reason(t, &p, i, &r);
            if (rc == KKP_OK)
                rc = read_table_reason(t, x, &r, &out->reasons[i]);
            if (rc != KKP_OK)
                return rc;
        }
    }
    return KKP_OK;
}

/* Text. */

static bool has_bit(const uint64_t *mask, uint32_t bit)
{
    return (mask[bit / 64] >> (bit % 64)) & 1;
}

static void print_subject(const struct explanation *x, FILE *out)
{
    if (x->is_role)
        fprintf(out, "role %s (%s:%u)", x->subject, x->file, x->line);
    else
        fprintf(out, "member \"%s\" (%s:%u)", x->subject, x->file, x->line);
}

void explain_print_chain(const struct explanation *x, const struct xp_reason *r, FILE *out)
{
    print_subject(x, out);
    for (uint32_t i = 0; i < r->nchain; i++) {
        const struct xp_role *role = &x->roles[r->chain[i]];
        fprintf(out, " -> role %s (%s:%u)", role->name, role->file, role->line);
    }
    fprintf(out, " -> %s %s (%s:%u)", r->revoke ? "revoke" : "grant", r->entry, r->file, r->line);
}

static void print_flags(uint32_t flags, FILE *out)
{
    if (flags & KKP_PERM_ESCALATES && flags & KKP_PERM_SENSITIVE)
        fputs(" [escalates, sensitive]", out);
    else if (flags & KKP_PERM_ESCALATES)
        fputs(" [escalates]", out);
    else if (flags & KKP_PERM_SENSITIVE)
        fputs(" [sensitive]", out);
}

/* Lists the roles whose effective set holds bit, or says there are none. */
static void print_granting_roles(const struct explanation *x, uint32_t bit, FILE *out)
{
    bool any = false;

    for (uint32_t r = 0; r < x->nroles; r++) {
        if (!has_bit(x->role_masks + (size_t)r * x->words, bit))
            continue;
        fprintf(out, "%s%s (%s:%u)", any ? ", " : "    roles that grant it: ", x->roles[r].name,
                x->roles[r].file, x->roles[r].line);
        any = true;
    }
    fputs(any ? "\n" : "    no role grants it\n", out);
}

static void print_answer(const struct explanation *x, uint32_t bit, FILE *out)
{
    const struct xp_perm *p = &x->perms[bit];
    const struct xp_answer *a = &x->answers[bit];
    const char *who = x->is_role ? "role" : "member";

    fprintf(out, "  %s", p->name);
    print_flags(p->flags, out);
    fprintf(out, "%s%s\n", p->description[0] ? ": " : "", p->description);
    if (a->kind == KKP_PROV_NOT_GRANTED) {
        fprintf(out, "    not granted: no grant reaches this %s\n", who);
        print_granting_roles(x, bit, out);
        return;
    }
    for (uint32_t i = 0; i < a->nreasons; i++) {
        const struct xp_reason *r = &a->reasons[i];

        fputs(r->revoke ? "    revoked: " : "    granted: ", out);
        explain_print_chain(x, r, out);
        fputc('\n', out);
        for (uint32_t k = 0; k < r->noverrides; k++) {
            fputs("      overrides: ", out);
            explain_print_chain(x, &r->overrides[k], out);
            fputc('\n', out);
        }
        if (r->revoke && r->noverrides == 0)
            fprintf(out, "      overrides nothing: no grant reaches this %s\n", who);
    }
    if (a->kind == KKP_PROV_REVOKED && a->nreasons && a->reasons[0].noverrides == 0)
        print_granting_roles(x, bit, out);
}

void explain_print_text(const struct explanation *x, FILE *out, uint32_t only)
{
    uint32_t held = 0;
    bool any;

    for (uint32_t bit = 0; bit < x->nbits; bit++)
        held += has_bit(x->mask, bit);
    print_subject(x, out);
    fputc('\n', out);
    fputs(x->is_role ? "parent roles: " : "roles: ", out);
    for (uint32_t i = 0; i < x->nparents; i++)
        fprintf(out, "%s%s", i ? ", " : "", x->roles[x->parents[i]].name);
    fputs(x->nparents ? "\n" : "(none)\n", out);
    fprintf(out, "holds %u of %u permissions\n", held, x->nbits);

    for (int pass = 0; pass < 2; pass++) {
        bool want_held = pass == 0;

        any = false;
        for (uint32_t bit = 0; bit < x->nbits; bit++) {
            if (has_bit(x->mask, bit) != want_held || (only < x->nbits && bit != only))
                continue;
            if (!any)
                fputs(want_held ? "\nheld:\n" : "\nnot held:\n", out);
            any = true;
            print_answer(x, bit, out);
        }
    }
}

/* JSON. */

static json_t *json_text(const char *s)
{
    json_t *v = json_string(s);

    return v ? v : json_null(); /* a crafted table may hold invalid UTF-8 */
}

static json_t *json_reason(const struct explanation *x, const struct xp_reason *r)
{
    json_t *o = json_object(), *chain = json_array();

    json_object_set_new(o, "statement", json_string(r->revoke ? "revoke" : "grant"));
    json_object_set_new(o, "entry", json_text(r->entry));
    json_object_set_new(o, "file", json_text(r->file));
    json_object_set_new(o, "line", json_integer(r->line));
    json_object_set_new(o, "column", json_integer(r->column));
    for (uint32_t i = 0; i < r->nchain; i++) {
        const struct xp_role *role = &x->roles[r->chain[i]];
        json_t *step = json_object();

        json_object_set_new(step, "role", json_text(role->name));
        json_object_set_new(step, "file", json_text(role->file));
        json_object_set_new(step, "line", json_integer(role->line));
        json_array_append_new(chain, step);
    }
    json_object_set_new(o, "chain", chain);
    if (r->noverrides || r->revoke) {
        json_t *overrides = json_array();

        for (uint32_t i = 0; i < r->noverrides; i++)
            json_array_append_new(overrides, json_reason(x, &r->overrides[i]));
        json_object_set_new(o, "overrides", overrides);
    }
    return o;
}

static json_t *json_permission(const struct explanation *x, uint32_t bit)
{
    static const char *const kinds[] = {"not-granted", "granted", "revoked"};
    const struct xp_perm *p = &x->perms[bit];
    const struct xp_answer *a = &x->answers[bit];
    json_t *o = json_object(), *reasons = json_array();

    json_object_set_new(o, "name", json_text(p->name));
    json_object_set_new(o, "bit", json_integer(bit));
    json_object_set_new(o, "description", json_text(p->description));
    json_object_set_new(o, "group", p->group ? json_text(p->group) : json_null());
    json_object_set_new(o, "sensitive", json_boolean(p->flags & KKP_PERM_SENSITIVE));
    json_object_set_new(o, "escalates", json_boolean(p->flags & KKP_PERM_ESCALATES));
    json_object_set_new(o, "held", json_boolean(has_bit(x->mask, bit)));
    json_object_set_new(o, "decision", json_string(kinds[a->kind]));
    for (uint32_t i = 0; i < a->nreasons; i++)
        json_array_append_new(reasons, json_reason(x, &a->reasons[i]));
    json_object_set_new(o, "reasons", reasons);
    if (!has_bit(x->mask, bit)) {
        json_t *roles = json_array();

        for (uint32_t r = 0; r < x->nroles; r++) {
            if (has_bit(x->role_masks + (size_t)r * x->words, bit))
                json_array_append_new(roles, json_text(x->roles[r].name));
        }
        json_object_set_new(o, "granting_roles", roles);
    }
    return o;
}

void explain_print_json(const struct explanation *x, FILE *out, uint32_t only)
{
    json_t *root = json_object(), *subject = json_object(), *parents = json_array();
    json_t *perms = json_array();
    uint32_t held = 0;

    json_object_set_new(subject, "kind", json_string(x->is_role ? "role" : "member"));
    json_object_set_new(subject, "name", json_text(x->subject));
    json_object_set_new(subject, "file", json_text(x->file));
    json_object_set_new(subject, "line", json_integer(x->line));
    json_object_set_new(subject, "column", json_integer(x->column));
    for (uint32_t i = 0; i < x->nparents; i++)
        json_array_append_new(parents, json_text(x->roles[x->parents[i]].name));
    json_object_set_new(subject, "roles", parents);
    json_object_set_new(root, "subject", subject);
    for (uint32_t bit = 0; bit < x->nbits; bit++) {
        held += has_bit(x->mask, bit);
        if (only >= x->nbits || bit == only)
            json_array_append_new(perms, json_permission(x, bit));
    }
    json_object_set_new(root, "held_count", json_integer(held));
    json_object_set_new(root, "permission_count", json_integer(x->nbits));
    json_object_set_new(root, "permissions", perms);
    json_dumpf(root, out, JSON_INDENT(2));
    fputc('\n', out);
    json_decref(root);
}
