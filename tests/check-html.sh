#!/bin/sh
# Renders 'kkpolc matrix --format html' in headless Chromium: the example
# policy and a generated 500-member team, each to a PNG screenshot and a
# printed PDF under OUT. Fails when Chromium logs any console message (the
# page has no scripts, so any message is an error) or writes no image.
# Skips, with exit status 0, when Chromium is not installed.
# Usage: check-html.sh KKPOLC OUT
set -u
kkpolc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
out=$2
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
    echo "check-html: skipped: Chromium is not installed (Debian package 'chromium')"
    exit 0
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
failed=0

# A team of 500 members over the shipped presets.
{
    echo 'import "presets.kkp";'
    i=0
    for role in sales_representative sales_manager support_agent administrator; do
        n=0
        while [ "$n" -lt 125 ]; do
            printf 'member "member%03d@example.com" : %s;\n' "$i" "$role"
            i=$((i + 1))
            n=$((n + 1))
        done
    done
} >"$out/team-500.kkp"
cp "$root/policies/presets.kkp" "$root/policies/knockknock.kkp" "$out/"

# render NAME POLICY WIDTH HEIGHT: screenshot and PDF of the matrix page.
render() {
    name=$1 policy=$2
    if ! "$kkpolc" matrix --format html "$policy" >"$out/$name.html"; then
        echo "FAIL check-html: matrix --format html $policy"
        failed=1
        return
    fi
    for mode in "--screenshot=$out/$name.png --window-size=$3,$4" "--print-to-pdf=$out/$name.pdf"; do
        profile=$(mktemp -d)
        # shellcheck disable=SC2086
        timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
            --disable-background-networking --disable-component-update --disable-sync \
            --no-first-run --user-data-dir="$profile" --enable-logging=stderr --v=0 \
            $mode "file://$out/$name.html" >"$out/$name.log" 2>&1
        status=$?
        rm -rf "$profile"
        if [ "$status" != 0 ]; then
            echo "FAIL check-html: Chromium exited with $status for $name ($mode)"
            failed=1
        fi
        if grep -q ':CONSOLE' "$out/$name.log"; then
            echo "FAIL check-html: console messages for $name:"
            grep ':CONSOLE' "$out/$name.log"
            failed=1
        fi
    done
    for file in "$out/$name.png" "$out/$name.pdf"; do
        if [ ! -s "$file" ]; then
            echo "FAIL check-html: $file was not written"
            failed=1
        fi
    done
}

render example-org "$root/policies/example-org.kkp" 1400 900
render team-500 "$out/team-500.kkp" 1400 900
if [ "$failed" = 0 ]; then
    echo "check-html: passed; screenshots and PDFs in $out"
fi
exit "$failed"
