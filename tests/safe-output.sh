#!/bin/sh
# Safe output: a failed, interrupted (SIGINT, SIGTERM) or out-of-space
# compile leaves the previous table byte for byte and no temporary file.
# usage: safe-output.sh KKPOLC
set -u
kkpolc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
mounted=
cleanup() {
    [ -n "$mounted" ] && umount "$mounted" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
passed=0
failed=0
skipped=0

ok() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL safe-output: $*"
}

# intact NAME DIR TABLE: TABLE equals the saved old table and DIR holds no
# temporary file.
intact() {
    if cmp -s "$tmp/old.kkpt" "$2/$3"; then ok; else fail "$1: the previous table changed"; fi
    if ls -a "$2" | grep -q '\.tmp\.'; then fail "$1: a temporary file is left in $2"; ls -la "$2"; else ok; fi
}

"$kkpolc" compile -o "$tmp/old.kkpt" "$root/policies/example-org.kkp" || { echo "FAIL safe-output: cannot compile the example"; exit 1; }
mkdir "$tmp/out"

# A compile that fails on a policy error writes nothing.
cp "$tmp/old.kkpt" "$tmp/out/team.kkpt"
printf 'permission a;\nrole r { grant b; }\n' >"$tmp/broken.kkp"
"$kkpolc" compile -o "$tmp/out/team.kkpt" "$tmp/broken.kkp" 2>/dev/null
if [ $? = 1 ]; then ok; else fail "policy error: exit status"; fi
intact "policy error" "$tmp/out" team.kkpt

# A big policy: 4,096 permissions and 200,000 members give a table of about
# 280 MB, so writing and flushing it takes long enough to be interrupted.
awk 'BEGIN {
    for (i = 0; i < 4096; i++) printf "permission p%d;\n", i
    print "role all { grant *; }"
    for (i = 0; i < 200000; i++) printf "member \"user%d@example.com\" : all;\n", i
}' >"$tmp/big.kkp"

# interrupt SIGNAL STATUS: starts compiling the big policy over the old
# table, sends SIGNAL as soon as the temporary file exists, and expects the
# compile to die of it (exit STATUS) with the old table intact. When the
# compile finished before the signal landed (exit 0), the table must be the
# complete new one, and the case is tried again.
"$kkpolc" compile -o "$tmp/big-ref.kkpt" "$tmp/big.kkp" || fail "cannot compile the big policy"
interrupt() {
    sig=$1 want=$2
    for attempt in 1 2 3 4 5 6 7 8; do
        cp "$tmp/old.kkpt" "$tmp/out/team.kkpt"
        "$kkpolc" compile -o "$tmp/out/team.kkpt" "$tmp/big.kkp" 2>/dev/null &
        pid=$!
        seen=0
        while kill -0 "$pid" 2>/dev/null; do
            if ls -a "$tmp/out" | grep -q '\.tmp\.'; then
                kill -"$sig" "$pid" 2>/dev/null
                seen=1
                break
            fi
        done
        wait "$pid" 2>/dev/null
        got=$?
        if [ "$seen" = 1 ] && [ "$got" = 0 ]; then
            if cmp -s "$tmp/big-ref.kkpt" "$tmp/out/team.kkpt"; then ok; else fail "SIG$sig too late: the new table is incomplete"; fi
            continue
        fi
        if [ "$seen" = 1 ]; then
            if [ "$got" = "$want" ]; then ok; else fail "SIG$sig while writing: exit $got, expected $want"; fi
            intact "SIG$sig while writing" "$tmp/out" team.kkpt
            return
        fi
    done
    fail "SIG$sig: no attempt of 8 caught the compile while it wrote its temporary file"
}
interrupt INT 130
interrupt TERM 143

# Out of space: a small tmpfs holds the old table but not the big one. Where
# mounting is not allowed, the file-size limit (ulimit -f) makes the same
# write fail with EFBIG instead of ENOSPC.
mkdir "$tmp/small"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=8m tmpfs "$tmp/small" 2>/dev/null; then
    mounted=$tmp/small
    cp "$tmp/old.kkpt" "$tmp/small/team.kkpt"
    "$kkpolc" compile -o "$tmp/small/team.kkpt" "$tmp/big.kkp" 2>"$tmp/err"
    got=$?
    if [ "$got" = 2 ] && grep -q "No space left on device" "$tmp/err"; then ok; else fail "full tmpfs: exit $got"; cat "$tmp/err"; fi
    intact "full tmpfs" "$tmp/small" team.kkpt
    umount "$tmp/small" && mounted=
else
    echo "NOTE safe-output: cannot mount a tmpfs here; testing a full disk through ulimit -f"
    skipped=$((skipped + 1))
fi
cp "$tmp/old.kkpt" "$tmp/out/team.kkpt"
(trap '' XFSZ; ulimit -f 1024; exec "$kkpolc" compile -o "$tmp/out/team.kkpt" "$tmp/big.kkp") 2>"$tmp/err"
got=$?
if [ "$got" = 2 ] && grep -q "File too large" "$tmp/err"; then ok; else fail "file-size limit: exit $got"; cat "$tmp/err"; fi
intact "file-size limit" "$tmp/out" team.kkpt

# A device or FIFO as the output is written in place, never replaced by a
# regular file; /dev/full reports the full device.
"$kkpolc" compile -o /dev/full "$root/policies/example-org.kkp" 2>"$tmp/err"
got=$?
if [ "$got" = 2 ] && grep -q "cannot write '/dev/full': No space left on device" "$tmp/err"; then ok; else fail "/dev/full: exit $got"; cat "$tmp/err"; fi
if [ -c /dev/full ]; then ok; else fail "/dev/full is no longer a character device"; fi
if ls -a /dev | grep -q '^full\.tmp\.'; then fail "a temporary file is left in /dev"; else ok; fi
"$kkpolc" compile -o "$tmp/out" "$root/policies/example-org.kkp" 2>"$tmp/err"
if [ $? = 2 ] && grep -q "is a directory" "$tmp/err"; then ok; else fail "a directory as the output"; cat "$tmp/err"; fi

echo "safe-output: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
