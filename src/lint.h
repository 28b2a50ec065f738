/* The linter: rule configuration, suppressions and the rule passes. */
#ifndef KKP_LINT_H
#define KKP_LINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "resolve.h"

enum lint_rule {
    RULE_UNUSED_ROLE,
    RULE_EMPTY_ROLE,
    RULE_REDUNDANT_GRANT,
    RULE_INEFFECTIVE_REVOKE,
    RULE_REPEATED_NAME,
    RULE_ID_CASE,
    RULE_DUPLICATE_ROLE,
    RULE_LOCKOUT,
    RULE_NO_PERMISSIONS,
    RULE_MANY_OVERRIDES,
    RULE_ESCALATION,
    RULE_UNUSED_SUPPRESSION,
    RULE_EXPIRED_SUPPRESSION,
    RULE_CONSTRAINT,
    RULE_COUNT,
};

#define LINT_OFF (-1)

/* Per-rule severities after -W options. The constraint rule's entry is only
 * on or off: each constraint carries its own severity. */
struct lint_config {
    int severity[RULE_COUNT]; /* LINT_OFF or an enum diag_severity */
    bool werror;              /* -Werror: warnings become errors */
    bool werror_rule[RULE_COUNT];
    size_t max_overrides;     /* many-overrides fires above this */
    int64_t today;            /* days since 1970-01-01, UTC */
};

struct lint_rule_info {
    const char *name;
    int default_severity;
    const char *summary; /* one line, for SARIF and --help */
    const char *help;    /* how to fix it */
};

extern const struct lint_rule_info lint_rules[RULE_COUNT];

/* Sets the defaults; today comes from SOURCE_DATE_EPOCH when it is set and valid. */
void lint_config_init(struct lint_config *cfg);
/* Applies one -W argument: RULE, no-RULE, error or error=RULE. Returns false
 * with a message in err for an unknown rule. */
bool lint_config_apply(struct lint_config *cfg, const char *arg, char *err, size_t errlen);
/* Returns the rule's index, or -1. */
int lint_rule_find(const char *name);
/* The severity a rule's diagnostic gets: its configured severity, promoted
 * by -Werror; LINT_OFF when it is off. */
int lint_effective_severity(const struct lint_config *cfg, enum lint_rule rule,
                            enum diag_severity declared);

/* Runs every rule over a resolved policy and reports to sink. */
void lint_policy(const struct policy *pol, const struct lint_config *cfg, struct diag_sink *sink);

/* Days since 1970-01-01 of a calendar date. */
int64_t lint_days_from_civil(int64_t year, unsigned month, unsigned day);

#endif
