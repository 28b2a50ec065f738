#!/bin/sh
# End-to-end tests of kkpolc diff: the golden cases again from compiled
# tables, policies that are the same but written differently, breaking
# catalog changes, and --git in a repository made here. Run with UPDATE=1
# to rewrite the table golden files after an intended change.
set -u
kkpolc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
fixtures=$root/tests/golden/diff
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
export NO_COLOR=1

ok() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL diff: $*"
}
# expect_status NAME WANT COMMAND...: runs COMMAND with output in $tmp/out
# and $tmp/err, and compares its exit status.
expect_status() {
    name=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" = "$want" ]; then ok; else fail "$name: exit $got, expected $want"; cat "$tmp/err"; fi
}
# expect_same NAME OLD... -- NEW...: exit 0, and no output at all.
expect_same() {
    name=$1
    shift
    expect_status "$name" 0 "$kkpolc" diff "$@"
    if [ -s "$tmp/out" ] || [ -s "$tmp/err" ]; then
        fail "$name: printed output for equivalent policies"
        cat "$tmp/out" "$tmp/err"
    else
        ok
    fi
}
# expect_line NAME TEXT: the last output has a line equal to TEXT.
expect_line() {
    if grep -qxF -- "$2" "$tmp/out"; then ok; else fail "$1: no line '$2'"; cat "$tmp/out"; fi
}

# ---- Golden cases from compiled tables ----
for case in catalog people; do
    for side in old new; do
        "$kkpolc" compile -o "$tmp/$case-$side.kkpt" "$fixtures/$case-$side.kkp" 2>"$tmp/err" ||
            { fail "compile $case-$side"; cat "$tmp/err"; }
    done
    for format in text json markdown; do
        expected=$fixtures/tables-$case-$format.expected
        "$kkpolc" diff --format "$format" "$tmp/$case-old.kkpt" -- "$tmp/$case-new.kkpt" \
            >"$tmp/actual" 2>&1
        echo "--- exit $?" >>"$tmp/actual"
        if [ "${UPDATE:-0}" = 1 ]; then cp "$tmp/actual" "$expected"; fi
        if diff -u "$expected" "$tmp/actual"; then ok; else fail "tables $case $format"; fi
    done
done

# A table on one side and sources on the other compare like two tables.
expect_status "table against sources" 1 "$kkpolc" diff "$tmp/people-old.kkpt" -- "$fixtures/people-new.kkp"
expect_line "table against sources" '  ~ billing_admin (2 members): - view_team'
expect_same "table against its own sources" "$tmp/people-old.kkpt" -- "$fixtures/people-old.kkp"
expect_status "table mixed with sources" 2 "$kkpolc" diff "$tmp/people-old.kkpt" "$fixtures/people-old.kkp" -- "$fixtures/people-new.kkp"
printf 'not a table, not a policy' >"$tmp/junk.kkp"
expect_status "side with a syntax error" 2 "$kkpolc" diff "$fixtures/people-old.kkp" -- "$tmp/junk.kkp"
expect_status "missing file" 2 "$kkpolc" diff "$fixtures/people-old.kkp" -- "$tmp/none.kkp"
expect_status "invalid format" 2 "$kkpolc" diff --format yaml "$fixtures/people-old.kkp" -- "$fixtures/people-new.kkp"

# ---- Equivalent policies written differently ----
mkdir -p "$tmp/same/lib"
cat >"$tmp/same/base.kkp" <<'EOF'
permission a "A.";
permission b "B." sensitive;
permission c "C.";
permission d "D.";
role r1 { grant a, b; }
role r2 { grant c; }
role lead { grant a, b, c, d; }
member "m1@example.com" : lead;
member "m2@example.com" : r1 { grant d; }
member "m3@example.com" : r2, r1 { revoke b; }
EOF
# Statements reordered; permissions keep their order.
cat >"$tmp/same/reordered.kkp" <<'EOF'
member "m3@example.com" : r1, r2 { revoke b; }
role lead { grant d, c, b, a; }
permission a "A.";
member "m1@example.com" : lead;
role r2 { grant c; }
permission b "B." sensitive;
permission c "C.";
member "m2@example.com" : r1 { grant d; }
permission d "D.";
role r1 { grant b, a; }
EOF
# The lead role split into two parents that give the same permissions.
cat >"$tmp/same/split.kkp" <<'EOF'
permission a "A.";
permission b "B." sensitive;
permission c "C.";
permission d "D.";
role r1 { grant a, b; }
role r2 { grant c; }
role lead : r1, r2 { grant d; }
member "m1@example.com" : lead;
member "m2@example.com" : r1 { grant d; }
member "m3@example.com" : r2, r1 { revoke b; }
EOF
# Another file layout: the catalog and the roles in imported files, the
# members in two files named on the command line.
cat >"$tmp/same/lib/catalog.kkp" <<'EOF'
permission a "A.";
permission b "B." sensitive;
EOF
cat >"$tmp/same/lib/more.kkp" <<'EOF'
import "catalog.kkp";
permission c "C.";
permission d "D.";
EOF
cat >"$tmp/same/roles.kkp" <<'EOF'
import "lib/more.kkp";
import "lib/catalog.kkp";
role r1 { grant a, b; }
role r2 { grant c; }
role lead { grant *; }
member "m1@example.com" : lead;
EOF
cat >"$tmp/same/members.kkp" <<'EOF'
member "m3@example.com" : r2, r1 { revoke b; }
member "m2@example.com" : r1 { grant d; }
EOF
expect_same "identical file" "$tmp/same/base.kkp" -- "$tmp/same/base.kkp"
expect_same "reordered statements" "$tmp/same/base.kkp" -- "$tmp/same/reordered.kkp"
expect_same "role split into two parents" "$tmp/same/base.kkp" -- "$tmp/same/split.kkp"
expect_same "another file layout" "$tmp/same/base.kkp" -- "$tmp/same/roles.kkp" "$tmp/same/members.kkp"
expect_status "equivalent policies in JSON" 0 "$kkpolc" diff --format json "$tmp/same/base.kkp" -- "$tmp/same/split.kkp"
if grep -q '"catalog": \[\]' "$tmp/out" && grep -q '"members": \[\]' "$tmp/out"; then ok; else fail "JSON of equivalent policies lists changes"; fi
expect_status "equivalent policies in Markdown" 0 "$kkpolc" diff --format markdown "$tmp/same/base.kkp" -- "$tmp/same/split.kkp"
if grep -q '^No change' "$tmp/out" && ! grep -q '^|' "$tmp/out"; then ok; else fail "Markdown of equivalent policies lists changes"; fi

# ---- Breaking catalog changes ----
sed 's/^permission c "C.";$//; s/^permission a "A.";$/permission a "A.";\npermission c "C.";/' \
    "$tmp/same/base.kkp" >"$tmp/renumbered.kkp"
expect_status "renumbering" 1 "$kkpolc" diff "$tmp/same/base.kkp" -- "$tmp/renumbered.kkp"
expect_line "renumbering" '  ~ c moved from bit 2 to bit 1 [breaking]'
expect_line "renumbering" '  ~ b moved from bit 1 to bit 2 [breaking]'
grep -v '^permission d\|grant d' "$tmp/same/base.kkp" | sed 's/grant a, b, c, d/grant a, b, c/' >"$tmp/removed.kkp"
expect_status "removal" 1 "$kkpolc" diff "$tmp/same/base.kkp" -- "$tmp/removed.kkp"
expect_line "removal" '  - d (bit 3) [breaking]'
expect_line "removal" '      catalog change: - d'
"$kkpolc" diff --format json "$tmp/same/base.kkp" -- "$tmp/removed.kkp" >"$tmp/out"
if grep -q '"breaking": 1,' "$tmp/out" && grep -q '"breaking": true' "$tmp/out"; then ok; else fail "removal is breaking in JSON"; fi
# An addition at the end breaks nothing.
printf 'permission e "E.";\n' | cat "$tmp/same/base.kkp" - >"$tmp/added.kkp"
expect_status "addition" 1 "$kkpolc" diff "$tmp/same/base.kkp" -- "$tmp/added.kkp"
expect_line "addition" 'catalog: 1 change, 0 breaking'

# ---- Colour: never with NO_COLOR or off a terminal ----
"$kkpolc" diff "$fixtures/people-old.kkp" -- "$fixtures/people-new.kkp" >"$tmp/out" 2>&1
if grep -q "$(printf '\033')" "$tmp/out"; then fail "colour off a terminal"; else ok; fi

# ---- --git ----
if command -v git >/dev/null 2>&1; then
    repo=$tmp/repo
    mkdir -p "$repo/policies"
    git_() { git -C "$repo" -c user.name=test -c user.email=test@example.com -c commit.gpgsign=false "$@"; }
    git_ init -q
    cat >"$repo/policies/catalog.kkp" <<'EOF'
permission chats "Chats.";
permission billing "Billing." sensitive;
EOF
    cat >"$repo/policies/org.kkp" <<'EOF'
import "catalog.kkp";
role agent { grant chats; }
member "ann@example.com" : agent;
member "bob@example.com" : agent;
EOF
    git_ add policies
    git_ commit -q -m "first"
    # The second revision inlines the catalog and drops catalog.kkp, so the
    # import exists only in the old revision.
    cat >"$repo/policies/org.kkp" <<'EOF'
permission chats "Chats.";
permission billing "Billing." sensitive;
role agent { grant chats; }
member "ann@example.com" : agent { grant billing; }
member "bob@example.com" : agent;
EOF
    git_ rm -q policies/catalog.kkp
    git_ commit -q -a -m "second"

    (cd "$repo" && "$kkpolc" diff --git HEAD~1 policies/org.kkp) >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$status" = 1 ]; then ok; else fail "--git HEAD~1: exit $status"; cat "$tmp/err"; fi
    expect_line "--git HEAD~1" '      own override: + billing [sensitive]'
    (cd "$repo/policies" && "$kkpolc" diff --git HEAD~1 org.kkp) >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$status" = 1 ]; then ok; else fail "--git from a subfolder: exit $status"; cat "$tmp/err"; fi
    (cd "$repo" && "$kkpolc" diff --git HEAD policies/org.kkp) >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$status" = 0 ] && [ ! -s "$tmp/out" ]; then ok; else fail "--git HEAD on a clean tree: exit $status"; fi

    # A change in the work tree only.
    sed 's/member "bob@example.com" : agent;/member "bob@example.com";/' "$repo/policies/org.kkp" >"$tmp/org.kkp"
    cp "$tmp/org.kkp" "$repo/policies/org.kkp"
    (cd "$repo" && "$kkpolc" diff --git HEAD policies/org.kkp) >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$status" = 1 ]; then ok; else fail "--git work tree change: exit $status"; fi
    expect_line "--git work tree change" '      through roles: - chats'

    # Errors: an unknown revision, a file missing from the revision, outside a repository.
    (cd "$repo" && "$kkpolc" diff --git no-such-branch policies/org.kkp) >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$status" = 2 ] && grep -q "no-such-branch" "$tmp/err"; then ok; else fail "--git unknown revision: exit $status"; fi
    printf 'permission x "X.";\n' >"$repo/policies/new.kkp"
    (cd "$repo" && "$kkpolc" diff --git HEAD policies/new.kkp) >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$status" = 2 ] && grep -q "HEAD" "$tmp/err"; then ok; else fail "--git file new in the work tree: exit $status"; cat "$tmp/err"; fi
    mkdir -p "$tmp/norepo"
    (cd "$tmp/norepo" && GIT_CEILING_DIRECTORIES=$tmp "$kkpolc" diff --git HEAD x.kkp) >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$status" = 2 ]; then ok; else fail "--git outside a repository: exit $status"; fi
else
    echo "diff: git not installed; the --git tests were skipped"
fi

echo "diff: $passed passed, $failed failed"
[ "$failed" = 0 ]
