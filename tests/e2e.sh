#!/bin/sh
# End-to-end tests of the built kkpolc on the shipped policies: decisions,
# exit statuses, batch queries, atomic and deterministic output.
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
    echo "FAIL e2e: $*"
}
# expect_status NAME WANT COMMAND...: runs COMMAND, compares its exit status.
expect_status() {
    name=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" = "$want" ]; then ok; else fail "$name: exit $got, expected $want"; cat "$tmp/err"; fi
}

table=$tmp/example-org.kkpt
expect_status "compile example" 0 "$kkpolc" compile -o "$table" "$root/policies/example-org.kkp"

# Every member and permission of the example against the matrix written by hand.
while IFS="$(printf '\t')" read -r member perm want; do
    got=$("$kkpolc" query "$table" "$member" "$perm" 2>/dev/null)
    if [ "$got" = "$want" ]; then ok; else fail "query $member $perm: $got, expected $want"; fi
done <"$root/tests/e2e/example-org.expected"

# The same decisions through --batch, in one run.
cut -f1,2 "$root/tests/e2e/example-org.expected" >"$tmp/batch.in"
"$kkpolc" query --batch "$table" <"$tmp/batch.in" >"$tmp/batch.out" 2>"$tmp/batch.err"
status=$?
cut -f3 "$root/tests/e2e/example-org.expected" >"$tmp/batch.want"
if [ "$status" = 0 ] && cmp -s "$tmp/batch.want" "$tmp/batch.out"; then ok; else fail "batch of the example (exit $status)"; fi

# Exit statuses.
expect_status "allow" 0 "$kkpolc" query "$table" maria.lopez@acme.example billing
expect_status "deny" 1 "$kkpolc" query "$table" sofia.rossi@acme.example billing
expect_status "unknown member" 1 "$kkpolc" query "$table" nobody@acme.example chats
if grep -q "deny" "$tmp/out" && grep -q "not in the table" "$tmp/err"; then ok; else fail "unknown member prints deny and a reason"; fi
expect_status "unknown permission" 2 "$kkpolc" query "$table" maria.lopez@acme.example bilin
expect_status "missing table" 2 "$kkpolc" query "$tmp/none.kkpt" a b
expect_status "usage" 2 "$kkpolc" query "$table" only-two-args

# A corrupt table: one byte flipped past the header fails the checksum.
cp "$table" "$tmp/corrupt.kkpt"
printf '\377' | dd of="$tmp/corrupt.kkpt" bs=1 seek=200 conv=notrunc 2>/dev/null
expect_status "corrupt table" 2 "$kkpolc" query "$tmp/corrupt.kkpt" maria.lopez@acme.example billing
if grep -q "checksum" "$tmp/err"; then ok; else fail "corrupt table names the checksum"; fi
head -c 100 "$table" >"$tmp/short.kkpt"
expect_status "truncated table" 2 "$kkpolc" query "$tmp/short.kkpt" maria.lopez@acme.example billing
if grep -q "truncated" "$tmp/err"; then ok; else fail "truncated table says so"; fi
expect_status "source as table" 2 "$kkpolc" query "$root/policies/example-org.kkp" a b
if grep -q "not a kkpol table" "$tmp/err"; then ok; else fail "a source file is not a table"; fi

# Batch edge cases: no tab, two tabs, empty fields, CR LF, unknown permission,
# unknown member, a last line without a newline.
printf 'maria.lopez@acme.example\tbilling\r\nno tab here\na\tb\tc\n\tchats\nmaria.lopez@acme.example\t\nmaria.lopez@acme.example\tnope\nghost@acme.example\tchats\nsofia.rossi@acme.example\tchats' >"$tmp/edge.in"
"$kkpolc" query --batch "$table" <"$tmp/edge.in" >"$tmp/edge.out" 2>"$tmp/edge.err"
status=$?
printf 'allow\nerror\nerror\nerror\nerror\nerror\ndeny\nallow\n' >"$tmp/edge.want"
if [ "$status" = 2 ] && cmp -s "$tmp/edge.want" "$tmp/edge.out"; then ok; else fail "batch edge cases (exit $status)"; diff "$tmp/edge.want" "$tmp/edge.out"; fi
if grep -q "line 2:" "$tmp/edge.err" && grep -q "line 6: unknown permission 'nope'" "$tmp/edge.err"; then ok; else fail "batch errors name the line"; cat "$tmp/edge.err"; fi
printf '' | "$kkpolc" query --batch "$table" >"$tmp/empty.out"
if [ $? = 0 ] && [ ! -s "$tmp/empty.out" ]; then ok; else fail "empty batch"; fi

# Deterministic output: the same sources give the same bytes, wherever the
# checkout lives and whatever the current folder.
mkdir -p "$tmp/copy"
cp -r "$root/policies" "$tmp/copy/"
(cd "$tmp/copy/policies" && "$kkpolc" compile -o "$tmp/copy.kkpt" example-org.kkp)
if cmp -s "$table" "$tmp/copy.kkpt"; then ok; else fail "table differs when compiled from another folder"; fi

# Default output name: FILE.kkp becomes FILE.kkpt beside it.
(cd "$tmp/copy/policies" && "$kkpolc" compile example-org.kkp)
if [ -f "$tmp/copy/policies/example-org.kkpt" ]; then ok; else fail "default output name"; fi

# A failed compile leaves the previous table byte for byte and no temporary file.
cp "$table" "$tmp/keep.kkpt"
printf 'import "example-org.kkp";\nrole broken { grant no_such_permission; }\n' >"$tmp/copy/policies/broken.kkp"
expect_status "failed compile" 1 "$kkpolc" compile -o "$tmp/keep.kkpt" "$tmp/copy/policies/broken.kkp"
if cmp -s "$table" "$tmp/keep.kkpt"; then ok; else fail "failed compile changed the old table"; fi
if ls "$tmp" | grep -q '\.tmp\.'; then fail "temporary file left behind"; else ok; fi

# An output folder that does not exist is an I/O error with the path.
expect_status "unwritable output" 2 "$kkpolc" compile -o "$tmp/no/such/dir/x.kkpt" "$root/policies/example-org.kkp"
if grep -q "$tmp/no/such/dir/x.kkpt" "$tmp/err"; then ok; else fail "output error names the path"; fi

# A revision string is stored and shown by dump.
expect_status "revision" 0 "$kkpolc" compile --revision "abc123 main" -o "$tmp/rev.kkpt" "$root/policies/example-org.kkp"
if "$kkpolc" dump "$tmp/rev.kkpt" | grep -q "^revision: abc123 main$"; then ok; else fail "dump shows the revision"; fi

# A directory and a FIFO named as policies are rejected without hanging.
expect_status "directory as policy" 2 "$kkpolc" compile -o "$tmp/d.kkpt" "$tmp"
mkfifo "$tmp/fifo.kkp"
expect_status "fifo as policy" 2 "$kkpolc" compile -o "$tmp/f.kkpt" "$tmp/fifo.kkp"

echo "e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
