#!/bin/sh
# Golden-file tests: each tests/golden/NAME.cmd holds kkpolc arguments, run
# from tests/golden; stdout, stderr and the exit status must equal
# NAME.expected. Run with UPDATE=1 to rewrite the expected files after an
# intended change, then review the diff.
set -u
kkpolc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/golden" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
for cmd in *.cmd; do
    name=${cmd%.cmd}
    args=$(cat "$cmd")
    # Output files go to a scratch folder named $OUT in the arguments.
    args=$(printf '%s' "$args" | sed "s|\\\$OUT|$tmp|g")
    # shellcheck disable=SC2086
    NO_COLOR=1 SOURCE_DATE_EPOCH=1790000000 "$kkpolc" $args >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    {
        cat "$tmp/out"
        echo "--- stderr"
        cat "$tmp/err"
        echo "--- exit $status"
    } >"$tmp/actual"
    if [ "${UPDATE:-0}" = 1 ]; then
        cp "$tmp/actual" "$name.expected"
    fi
    if diff -u "$name.expected" "$tmp/actual" >"$tmp/diff" 2>&1; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL golden $name"
        cat "$tmp/diff"
    fi
done
echo "golden: $passed passed, $failed failed"
[ "$failed" = 0 ]
