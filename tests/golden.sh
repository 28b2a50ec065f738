#!/bin/sh
# Golden-file tests: each line of tests/golden/NAME.cmd holds the arguments
# of one kkpolc run from tests/golden; the runs' stdout, stderr and exit
# statuses must equal NAME.expected. Run with UPDATE=1 to rewrite the expected files after an
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
    : >"$tmp/actual"
    # Each line of NAME.cmd is one kkpolc run; $OUT names a scratch folder.
    while IFS= read -r line; do
        args=$(printf '%s' "$line" | sed "s|\\\$OUT|$tmp|g")
        # shellcheck disable=SC2086
        NO_COLOR=1 SOURCE_DATE_EPOCH=1790000000 "$kkpolc" $args >"$tmp/out" 2>"$tmp/err" </dev/null
        status=$?
        {
            cat "$tmp/out"
            echo "--- stderr"
            cat "$tmp/err"
            echo "--- exit $status"
        } >>"$tmp/actual"
    done <"$cmd"
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
