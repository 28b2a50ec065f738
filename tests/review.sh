#!/bin/sh
# End-to-end tests of the review commands: explain gives the same answer from
# sources and from a --provenance table, test's closing line, exit statuses
# and JUnit XML, and matrix CSV against the table's decisions for every cell.
set -u
kkpolc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL review: $*"
}

example=$root/policies/example-org.kkp
cases=$root/tests/golden/explain/cases.kkp

# Explain: every member and role, text and JSON, from sources and from the table.
for policy in "$example" "$cases"; do
    table=$tmp/$(basename "$policy" .kkp).kkpt
    if "$kkpolc" compile --provenance -o "$table" "$policy" 2>"$tmp/err"; then ok; else fail "compile --provenance $policy"; cat "$tmp/err"; fi
    members=$("$kkpolc" matrix --format csv "$policy" | tail -n +2 | cut -d, -f1)
    roles=$("$kkpolc" matrix --format csv --roles "$policy" | tail -n +2 | cut -d, -f1)
    for format in text json; do
        for member in $members; do
            "$kkpolc" explain --format "$format" --member "$member" "$policy" >"$tmp/src" 2>&1
            "$kkpolc" explain --format "$format" --member "$member" "$table" >"$tmp/tab" 2>&1
            if cmp -s "$tmp/src" "$tmp/tab"; then ok; else fail "explain $format --member $member differs between sources and table"; diff "$tmp/src" "$tmp/tab" | head -5; fi
        done
        for role in $roles; do
            "$kkpolc" explain --format "$format" --role "$role" "$policy" >"$tmp/src" 2>&1
            "$kkpolc" explain --format "$format" --role "$role" "$table" >"$tmp/tab" 2>&1
            if cmp -s "$tmp/src" "$tmp/tab"; then ok; else fail "explain $format --role $role differs between sources and table"; fi
        done
    done
done

# Every member of the example gets an answer, and the JSON form parses.
for member in $("$kkpolc" matrix --format csv "$example" | tail -n +2 | cut -d, -f1); do
    "$kkpolc" explain --format json --member "$member" "$example" >"$tmp/x.json"
    if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["permissions"]) == d["permission_count"]' "$tmp/x.json"; then ok; else fail "explain JSON for $member"; fi
done

# The provenance section keeps the table deterministic: compiled from another
# folder, by a relative or an absolute path, it has the same bytes.
mkdir -p "$tmp/elsewhere"
cp -r "$root/policies" "$tmp/elsewhere/"
(cd "$tmp/elsewhere/policies" && "$kkpolc" compile --provenance -o "$tmp/moved.kkpt" example-org.kkp)
if cmp -s "$tmp/example-org.kkpt" "$tmp/moved.kkpt"; then ok; else fail "--provenance table differs when compiled from another folder"; fi
"$kkpolc" compile --provenance -o "$tmp/abs.kkpt" "$tmp/elsewhere/policies/example-org.kkp"
if cmp -s "$tmp/example-org.kkpt" "$tmp/abs.kkpt"; then ok; else fail "--provenance table differs when compiled by an absolute path"; fi

# A table without provenance cannot be explained, and the error names the fix.
"$kkpolc" compile -o "$tmp/plain.kkpt" "$example"
"$kkpolc" explain --member maria.lopez@acme.example "$tmp/plain.kkpt" >/dev/null 2>"$tmp/err"
status=$?
if [ "$status" = 2 ] && grep -q -- "--provenance" "$tmp/err"; then ok; else fail "explain of a table without provenance (exit $status)"; fi
"$kkpolc" explain --member nobody@acme.example "$tmp/example-org.kkpt" >/dev/null 2>"$tmp/err"
status=$?
if [ "$status" = 2 ] && grep -q 'unknown member' "$tmp/err"; then ok; else fail "unknown member in a table (exit $status)"; fi

# test: closing line, exit statuses, JUnit XML.
"$kkpolc" test "$example" >"$tmp/out" 2>"$tmp/err"
status=$?
if [ "$status" = 0 ] && [ "$(tail -n 1 "$tmp/out")" = "23 passed, 0 failed" ]; then ok; else fail "test of the example (exit $status)"; fi
asserts=$root/tests/golden/test/asserts.kkp
"$kkpolc" test --junit "$tmp/junit.xml" "$asserts" >"$tmp/out" 2>"$tmp/err"
status=$?
if [ "$status" = 1 ] && [ "$(tail -n 1 "$tmp/out")" = "8 passed, 7 failed" ]; then ok; else fail "test with failures (exit $status)"; fi
if [ "$(grep -c ': error: assertion failed' "$tmp/err")" = 7 ]; then ok; else fail "one diagnostic per failed assert"; fi
if python3 - "$tmp/junit.xml" <<'EOF'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
assert root.get("tests") == "15", root.attrib
assert root.get("failures") == "7", root.attrib
cases = root.findall("./testsuite/testcase")
assert len(cases) == 15, len(cases)
failures = [c for c in cases if c.find("failure") is not None]
assert len(failures) == 7, len(failures)
assert all("assertion failed" in c.find("failure").text for c in failures)
EOF
then ok; else fail "JUnit XML"; fi
"$kkpolc" test --junit "$tmp/no/such/folder/junit.xml" "$example" >/dev/null 2>&1
status=$?
if [ "$status" = 2 ]; then ok; else fail "unwritable JUnit file (exit $status)"; fi
printf 'member "a@x";\nassert member "b@x" can nothing;\n' >"$tmp/bad.kkp"
"$kkpolc" test "$tmp/bad.kkp" >/dev/null 2>&1
status=$?
if [ "$status" = 1 ]; then ok; else fail "test of a policy with errors (exit $status)"; fi

# matrix: the CSV, parsed back, against query --batch for every cell.
"$kkpolc" matrix --format csv "$example" >"$tmp/matrix.csv"
python3 - "$tmp/matrix.csv" >"$tmp/cells" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
header = rows[0]
assert header[0] == "member", header
for row in rows[1:]:
    assert len(row) == len(header), row
    for perm, cell in zip(header[1:], row[1:]):
        assert cell in ("1", ""), cell
        print(f"{row[0]}\t{perm}\t{'allow' if cell == '1' else 'deny'}")
EOF
cut -f1,2 "$tmp/cells" | "$kkpolc" query --batch "$tmp/plain.kkpt" >"$tmp/decisions"
cut -f3 "$tmp/cells" >"$tmp/want"
if [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/decisions"; then ok; else fail "matrix CSV against query decisions"; fi
if [ "$(wc -l <"$tmp/cells")" = $((12 * 18)) ]; then ok; else fail "matrix CSV has every cell"; fi
"$kkpolc" matrix --format csv "$tmp/plain.kkpt" >"$tmp/table.csv"
if cmp -s "$tmp/matrix.csv" "$tmp/table.csv"; then ok; else fail "matrix CSV from the table differs from the sources'"; fi

# The HTML page loads nothing from elsewhere and runs no script.
"$kkpolc" matrix --format html "$example" >"$tmp/m.html"
if grep -qi -e '<script' -e 'https\?:' -e '<link' -e '@import' "$tmp/m.html"; then fail "matrix HTML refers to something outside the page"; else ok; fi

echo "review: $passed passed, $failed failed"
[ "$failed" = 0 ]
