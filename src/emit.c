/* The resolved policy as JSON or as a C header of permission bits. */
#include "emit.h"

#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "lower.h"

uint64_t emit_fingerprint(const struct policy *pol)
{
    const struct ast *ast = pol->ast;
    XXH3_state_t *st = XXH3_createState();
    uint64_t h;

    if (!st)
        abort();
    XXH3_64bits_reset(st);
    for (uint32_t b = 0; b < pol->nbits; b++) {
        uint32_t name = ast->perms[ast->bit_to_perm[b]].name;
        XXH3_64bits_update(st, ast_name(ast, name), (size_t)ast->name_lens[name] + 1);
    }
    h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return h;
}

static json_t *mask_names(const struct policy *pol, const uint64_t *mask)
{
    json_t *list = json_array();

    for (uint32_t b = 0; b < pol->nbits; b++) {
        if (mask_has(mask, b))
            json_array_append_new(
                list, json_string(ast_name(pol->ast, pol->ast->perms[pol->ast->bit_to_perm[b]].name)));
    }
    return list;
}

static json_t *parent_names(const struct ast *ast, struct range parents)
{
    json_t *list = json_array();

    for (uint32_t i = 0; i < parents.count; i++)
        json_array_append_new(list, json_string(ast_name(ast, ast->refs[parents.start + i].name)));
    return list;
}

static json_t *nullable(const char *s)
{
    return s ? json_string(s) : json_null();
}

int emit_json(const struct policy *pol, FILE *out)
{
    const struct ast *ast = pol->ast;
    json_t *catalog = json_array(), *groups = json_array(), *roles = json_array();
    json_t *members = json_array(), *doc;
    uint64_t digest[2];
    char fp[17], dg[33];
    int rc;

    for (uint32_t b = 0; b < pol->nbits; b++) {
        const struct ast_permission *p = &ast->perms[ast->bit_to_perm[b]];

        json_array_append_new(
            catalog, json_pack("{s:i, s:s, s:o, s:o, s:b, s:b}", "bit", (json_int_t)b, "name",
                               ast_name(ast, p->name), "description", nullable(p->description),
                               "group",
                               p->group == AST_NONE
                                   ? json_null()
                                   : json_string(ast_name(ast, ast->groups[p->group].name)),
                               "escalates", (p->flags & PERM_ESCALATES) != 0, "sensitive",
                               (p->flags & PERM_SENSITIVE) != 0));
    }
    for (uint32_t g = 0; g < ast->ngroups; g++) {
        if (pol->group_of_name[ast->groups[g].name] != g)
            continue;
        json_array_append_new(groups, json_pack("{s:s, s:o}", "name",
                                                ast_name(ast, ast->groups[g].name), "title",
                                                nullable(ast->groups[g].title)));
    }
    for (uint32_t r = 0; r < ast->nroles; r++) {
        const struct ast_role *ro = &ast->roles[r];

        if (pol->role_dup[r])
            continue;
        json_array_append_new(
            roles, json_pack("{s:s, s:o, s:o, s:o}", "name", ast_name(ast, ro->name), "title",
                             nullable(ro->title), "parents", parent_names(ast, ro->parents),
                             "permissions", mask_names(pol, policy_role_mask(pol, r))));
    }
    for (uint32_t m = 0; m < ast->nmembers; m++) {
        const struct ast_member *me = &ast->members[m];

        if (pol->member_dup[m])
            continue;
        json_array_append_new(
            members, json_pack("{s:s%, s:o, s:o}", "id", me->id, (size_t)me->id_len, "roles",
                               parent_names(ast, me->parents), "permissions",
                               mask_names(pol, policy_member_mask(pol, m))));
    }
    lower_source_digest(ast, digest);
    snprintf(fp, sizeof(fp), "%016" PRIx64, emit_fingerprint(pol));
    snprintf(dg, sizeof(dg), "%016" PRIx64 "%016" PRIx64, digest[1], digest[0]);
    doc = json_pack("{s:i, s:s, s:s, s:o, s:o, s:o, s:o}", "version", 1, "catalog_fingerprint", fp,
                    "source_digest", dg, "catalog", catalog, "groups", groups, "roles", roles,
                    "members", members);
    rc = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(doc);
    return rc;
}

int emit_c_header(const struct policy *pol, FILE *out, char *errbuf, size_t errlen)
{
    const struct ast *ast = pol->ast;
    char **upper = calloc(pol->nbits + 1, sizeof(char *));
    int rc = 0;

    if (!upper) {
        snprintf(errbuf, errlen, "out of memory");
        return -1;
    }
    for (uint32_t b = 0; b < pol->nbits && rc == 0; b++) {
        const char *name = ast_name(ast, ast->perms[ast->bit_to_perm[b]].name);

        upper[b] = strdup(name);
        if (!upper[b]) {
            snprintf(errbuf, errlen, "out of memory");
            rc = -1;
            break;
        }
        for (char *c = upper[b]; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        for (uint32_t k = 0; k < b; k++) {
            if (strcmp(upper[k], upper[b]) == 0) {
                snprintf(errbuf, errlen,
                         "permissions '%s' and '%s' both become KKP_PERM_%s in a C header; "
                         "rename one of them",
                         ast_name(ast, ast->perms[ast->bit_to_perm[k]].name), name, upper[b]);
                rc = -1;
                break;
            }
        }
    }
    if (rc == 0) {
        fputs("/* Permission bits of a kkpol catalog, written by kkpolc compile --emit c-header.\n"
              " * Do not edit: recompile the policy instead. A bit is valid only for a table\n"
              " * whose kkp_catalog_fingerprint() equals KKP_CATALOG_FINGERPRINT. */\n"
              "#ifndef KKPOL_CATALOG_H\n#define KKPOL_CATALOG_H\n\n#include <stdint.h>\n\n",
              out);
        fprintf(out, "#define KKP_CATALOG_FINGERPRINT UINT64_C(0x%016" PRIx64 ")\n",
                emit_fingerprint(pol));
        fprintf(out, "#define KKP_PERMISSION_COUNT %" PRIu32 "\n\n", pol->nbits);
        for (uint32_t b = 0; b < pol->nbits; b++)
            fprintf(out, "#define KKP_PERM_%s %" PRIu32 "\n", upper[b], b);
        fputs("\n#endif\n", out);
    }
    for (uint32_t b = 0; b < pol->nbits; b++)
        free(upper[b]);
    free(upper);
    return rc;
}
