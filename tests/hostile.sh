#!/bin/sh
# Hostile input: each file must give a clear diagnostic and exit 1 (policy
# error) or 2 (I/O or usage error) within a time limit, never crash or hang.
# usage: hostile.sh KKPOLC
set -u
kkpolc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
skipped=0

ok() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL hostile: $*"
}

# expect NAME STATUS TEXT ARGS...: runs kkpolc ARGS with a time limit; the
# exit status must be STATUS and stderr must contain TEXT.
expect() {
    name=$1 want=$2 text=$3
    shift 3
    NO_COLOR=1 timeout "${HOSTILE_TIMEOUT:-60}" "$kkpolc" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    got=$?
    if [ "$got" = 124 ]; then
        fail "$name: timed out"
    elif [ "$got" != "$want" ]; then
        fail "$name: exit $got, expected $want"
        head -c 2000 "$tmp/err"
    elif ! grep -q -- "$text" "$tmp/err"; then
        fail "$name: stderr lacks '$text'"
        head -c 2000 "$tmp/err"
    else
        ok
    fi
}

out=$tmp/out.kkpt

# Bytes the lexer must reject, each in code and most in a comment or string.
printf 'permission a;\000\npermission b;\n' >"$tmp/nul.kkp"
expect "NUL byte" 1 "NUL byte in the file" compile -o "$out" "$tmp/nul.kkp"
printf 'permission a "x\000y";\n' >"$tmp/nul-string.kkp"
expect "NUL byte in a string" 1 "NUL byte in a string" compile -o "$out" "$tmp/nul-string.kkp"
printf 'permission a; # \000\n' >"$tmp/nul-comment.kkp"
expect "NUL byte in a comment" 1 "NUL byte in a comment" compile -o "$out" "$tmp/nul-comment.kkp"
printf 'permission a\377;\n' >"$tmp/bad-utf8.kkp"
expect "invalid UTF-8" 1 "invalid UTF-8.*: byte 0xFF" compile -o "$out" "$tmp/bad-utf8.kkp"
printf 'permission a "\200";\n' >"$tmp/bad-utf8-string.kkp"
expect "invalid UTF-8 in a string" 1 "invalid UTF-8: byte 0x80 in a string" compile -o "$out" "$tmp/bad-utf8-string.kkp"
printf 'permission a; # \300\257\n' >"$tmp/overlong.kkp"
expect "overlong encoding" 1 "overlong encoding" compile -o "$out" "$tmp/overlong.kkp"
printf 'permission a "\340\200\257";\n' >"$tmp/overlong3.kkp"
expect "overlong 3-byte encoding" 1 "overlong encoding" compile -o "$out" "$tmp/overlong3.kkp"
printf 'permission a; # \355\240\200\n' >"$tmp/surrogate.kkp"
expect "encoded surrogate" 1 "encoded surrogate" compile -o "$out" "$tmp/surrogate.kkp"
printf 'permission a "\364\220\200\200";\n' >"$tmp/beyond.kkp"
expect "beyond U+10FFFF" 1 "beyond U+10FFFF" compile -o "$out" "$tmp/beyond.kkp"
printf '\357\273\277permission a;\n\357\273\277permission b;\n' >"$tmp/bom.kkp"
expect "BOM mid-file" 1 "byte-order mark in the middle of the file" compile -o "$out" "$tmp/bom.kkp"
printf 'permission a;\rpermission b;\n' >"$tmp/cr.kkp"
expect "CR without LF" 1 "carriage return without a line feed" compile -o "$out" "$tmp/cr.kkp"
printf 'permission a; # note\rpermission b;\n' >"$tmp/cr-comment.kkp"
expect "CR without LF in a comment" 1 "carriage return without a line feed" compile -o "$out" "$tmp/cr-comment.kkp"
printf 'permission a "\033[31m";\n' >"$tmp/control.kkp"
expect "control character in a string" 1 "control character U+001B in a string" compile -o "$out" "$tmp/control.kkp"

# Files that are not regular files, or cannot be read.
mkdir "$tmp/dir.kkp"
expect "directory as policy" 2 "is not a regular file" compile -o "$out" "$tmp/dir.kkp"
mkfifo "$tmp/fifo.kkp"
expect "FIFO as policy" 2 "is not a regular file" compile -o "$out" "$tmp/fifo.kkp"
printf 'import "fifo.kkp";\n' >"$tmp/import-fifo.kkp"
expect "import of a FIFO" 1 "is not a regular file" compile -o "$out" "$tmp/import-fifo.kkp"
expect "missing file" 2 "No such file or directory" compile -o "$out" "$tmp/none.kkp"

# An unreadable file: root reads through chmod 000, so as root the case runs
# as the unprivileged user nobody through setpriv.
printf 'permission a;\n' >"$tmp/secret.kkp"
chmod 000 "$tmp/secret.kkp"
if [ "$(id -u)" != 0 ]; then
    expect "unreadable file" 2 "Permission denied" compile -o "$out" "$tmp/secret.kkp"
elif command -v setpriv >/dev/null 2>&1 && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
    chmod 755 "$tmp"
    NO_COLOR=1 setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$kkpolc" compile -o "$tmp/never.kkpt" "$tmp/secret.kkp" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" = 2 ] && grep -q "Permission denied" "$tmp/err"; then ok; else fail "unreadable file: exit $got"; cat "$tmp/err"; fi
    chmod 700 "$tmp"
else
    echo "SKIP hostile: unreadable file (running as root without setpriv)"
    skipped=$((skipped + 1))
fi

# Imports: a missing file, a symlink loop, a folder symlink that leads back
# to the importing file.
printf 'import "nope.kkp";\npermission a;\n' >"$tmp/import-missing.kkp"
expect "import of a missing file" 1 "imported file '$tmp/nope.kkp' not found" compile -o "$out" "$tmp/import-missing.kkp"
ln -s loop-b.kkp "$tmp/loop-a.kkp"
ln -s loop-a.kkp "$tmp/loop-b.kkp"
printf 'import "loop-a.kkp";\n' >"$tmp/import-loop.kkp"
expect "import through a symlink loop" 1 "too many levels of symbolic links" compile -o "$out" "$tmp/import-loop.kkp"
mkdir "$tmp/lib"
ln -s .. "$tmp/lib/up"
printf 'import "lib/up/lib/up/escape.kkp";\npermission a;\n' >"$tmp/escape.kkp"
expect "import back through a folder symlink" 1 "import cycle" compile -o "$out" "$tmp/escape.kkp"

# 100,000 syntax errors stop at the error limit, quickly.
awk 'BEGIN { for (i = 0; i < 100000; i++) print "role ;" }' >"$tmp/errors.kkp"
start=$(date +%s)
expect "100,000 syntax errors" 1 "too many errors, stopped after 50" compile -o "$out" "$tmp/errors.kkp"
if [ "$(grep -c "^$tmp/errors.kkp:.*: error: " "$tmp/err")" = 50 ]; then ok; else fail "100,000 syntax errors: not exactly 50 errors printed"; fi
if [ $(($(date +%s) - start)) -le 10 ]; then ok; else fail "100,000 syntax errors took over 10 s"; fi
expect "--max-errors 7" 1 "too many errors, stopped after 7" compile --max-errors 7 -o "$out" "$tmp/errors.kkp"
if [ "$(grep -c "^$tmp/errors.kkp:.*: error: " "$tmp/err")" = 7 ]; then ok; else fail "--max-errors 7: not exactly 7 errors printed"; fi
expect "check --max-errors 3" 1 "too many errors, stopped after 3" check --max-errors 3 "$tmp/errors.kkp"

# 100 MB on one line: a long identifier, a long string. The quoted source line
# is cut to a window around the error, so stderr stays small.
# many_bytes CHAR: 100 MiB of CHAR on stdout.
many_bytes() { head -c 104857600 /dev/zero | tr '\000' "$1"; }
{ printf 'permission '; many_bytes a; printf ';'; } >"$tmp/long-ident.kkp"
expect "100 MB identifier" 1 "identifier is 104857600 bytes long; the limit is 128 bytes" compile -o "$out" "$tmp/long-ident.kkp"
if [ "$(wc -c <"$tmp/err")" -lt 100000 ]; then ok; else fail "100 MB identifier: stderr is $(wc -c <"$tmp/err") bytes"; fi
{ printf 'permission a "'; many_bytes x; printf '"; permission a;'; } >"$tmp/long-string.kkp"
expect "100 MB string" 1 "string is longer than the limit of 4096 bytes" compile -o "$out" "$tmp/long-string.kkp"
if [ "$(wc -c <"$tmp/err")" -lt 100000 ]; then ok; else fail "100 MB string: stderr is $(wc -c <"$tmp/err") bytes"; fi

# A policy file over the 2 GiB limit, simulated with a sparse file.
truncate -s 2147483649 "$tmp/huge.kkp"
expect "file over 2 GiB" 2 "is larger than the limit of 2 GiB" compile -o "$out" "$tmp/huge.kkp"
printf 'import "huge.kkp";\n' >"$tmp/import-huge.kkp"
expect "import over 2 GiB" 1 "is larger than the limit of 2 GiB" compile -o "$out" "$tmp/import-huge.kkp"

echo "hostile: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
