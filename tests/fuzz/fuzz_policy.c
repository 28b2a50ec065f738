/* Fuzz target: policy text through the whole compile pipeline.
 *
 * The input is one policy file, loaded as "policies/fuzz.kkp" so that its
 * imports of the shipped catalog and presets resolve when the fuzzer runs
 * from the repository root. The text is parsed, resolved, linted (every rule
 * on) and lowered, the diagnostics are rendered as text, JSON, SARIF and
 * GitHub annotations, and a table built from a policy without errors must
 * open with KKP_OPEN_VERIFY and answer for every member as the resolved sets
 * say. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ast.h"
#include "diag.h"
#include "diag_formats.h"
#include "emit.h"
#include "kkpol.h"
#include "lint.h"
#include "load.h"
#include "lower.h"
#include "resolve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *null_output(void)
{
    static FILE *out;

    if (!out)
        out = fopen("/dev/null", "w");
    return out;
}

/* Opens the table built from a clean policy and checks that it agrees with
 * the resolved member sets; any disagreement aborts, which the fuzzer reports. */
static void check_table(const struct policy *pol)
{
    struct table_image img;
    struct kkp_table *t;
    struct kkp_error err;
    const struct ast *ast = pol->ast;

    lower_policy(pol, NULL, &img);
    if (kkp_table_open_buffer(img.data, img.size, KKP_OPEN_VERIFY, &t, &err) != KKP_OK) {
        fprintf(stderr, "fuzz_policy: a compiled table does not open: %s\n", err.message);
        abort();
    }
    if (kkp_permission_count(t) != pol->nbits)
        abort();
    for (uint32_t m = 0; m < ast->nmembers; m++) {
        const struct ast_member *mem = &ast->members[m];

        if (pol->member_dup[m])
            continue;
        for (uint32_t b = 0; b < pol->nbits; b++) {
            struct kkp_bit bit = {b, kkp_catalog_fingerprint(t)};
            enum kkp_decision want =
                mask_has(policy_member_mask(pol, m), b) ? KKP_ALLOW : KKP_DENY;

            if (kkp_check_bit(t, mem->id, mem->id_len, bit) != want) {
                fprintf(stderr, "fuzz_policy: member %u bit %u differs from its source\n", m, b);
                abort();
            }
        }
    }
    kkp_table_close(t);
    free(img.data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ast ast;
    struct diag_sink sink;
    struct policy pol;
    bool resolved = false;
    FILE *out = null_output();

    ast_init(&ast);
    diag_sink_init(&sink, 50);
    load_policy_text(&ast, "policies/fuzz.kkp", (const char *)data, size, &sink);
    if (!diag_has_errors(&sink) && !sink.stopped) {
        resolved = true;
        if (resolve_policy(&ast, &sink, &pol)) {
            struct lint_config cfg;
            char err[128];

            lint_config_init(&cfg);
            lint_config_apply(&cfg, "escalation", err, sizeof(err));
            cfg.today = 20000; /* a fixed day, 2024-10-04, so runs repeat */
            lint_policy(&pol, &cfg, &sink);
            check_table(&pol);
            if (out)
                emit_json(&pol, out);
        }
    }
    diag_sort(&sink);
    if (out) {
        diag_print_text(&sink, out, size % 2 == 0);
        diag_print_json(&sink, out);
        diag_print_sarif(&sink, out, "fuzz");
        diag_print_github(&sink, out);
    }
    if (resolved)
        policy_release(&pol);
    diag_sink_release(&sink);
    ast_release(&ast);
    return 0;
}
