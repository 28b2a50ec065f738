#!/bin/sh
# Validates check --format json against docs/diagnostics.schema.json and
# check --format sarif against the official SARIF 2.1.0 schema (shipped in
# the npm package @microsoft/sarif-multitool-linux), with Ajv, and runs
# Microsoft's SARIF Multitool validator. The npm packages are installed
# into build/npm; where npm or the registry is missing the test says it
# skipped.
# usage: schemas.sh KKPOLC NPM_DIR
set -u
kkpolc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
npm_dir=$2
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "schemas: skipped: node or npm is not installed"
    exit 0
fi
if [ ! -d "$npm_dir/node_modules/ajv" ] || [ ! -d "$npm_dir/node_modules/@microsoft/sarif-multitool-linux" ]; then
    mkdir -p "$npm_dir"
    if ! (cd "$npm_dir" && npm install --no-audit --no-fund --silent ajv@8 ajv-formats@3 \
            @microsoft/sarif-multitool-linux@5 >/dev/null 2>"$tmp/npm.err"); then
        echo "schemas: skipped: npm could not install the validators:"
        tail -3 "$tmp/npm.err"
        exit 0
    fi
fi
sarif_schema=$npm_dir/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json
multitool=$npm_dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
cp "$root/tests/schema/validate.mjs" "$npm_dir/validate.mjs"

# Outputs with every kind of record: errors, warnings, notes, suppressed
# results, notes without a place, syntax errors without a rule, a file
# that cannot be read.
cd "$root/tests/golden" || exit 2
n=0
for args in "lint/constraints.kkp" "lint/suppressions.kkp" "lint/no-permissions.kkp" \
            "syntax-errors.kkp" "unknown-names.kkp" "duplicates.kkp" "no-such-file.kkp" \
            "../../policies/example-org.kkp"; do
    n=$((n + 1))
    # shellcheck disable=SC2086
    "$kkpolc" check --format json $args >"$tmp/d$n.json" 2>/dev/null
    # shellcheck disable=SC2086
    "$kkpolc" check --format sarif $args >"$tmp/d$n.sarif" 2>/dev/null
done

passed=0
failed=0
if node "$npm_dir/validate.mjs" "$root/docs/diagnostics.schema.json" "$tmp"/d*.json; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
fi
if node "$npm_dir/validate.mjs" "$sarif_schema" "$tmp"/d*.sarif; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
fi
chmod +x "$multitool" 2>/dev/null
for f in "$tmp"/d*.sarif; do
    rm -f "$tmp/report.sarif"
    if "$multitool" validate "$f" -o "$tmp/report.sarif" >"$tmp/mt.out" 2>&1 &&
        ! grep -q ": error " "$tmp/mt.out"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL schemas: SARIF Multitool rejects $f"
        cat "$tmp/mt.out"
    fi
done
echo "schemas: $passed passed, $failed failed"
[ "$failed" = 0 ]
