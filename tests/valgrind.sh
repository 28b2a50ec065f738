#!/bin/sh
# Runs the end-to-end, golden and hostile-input tests with every kkpolc run
# under valgrind's memcheck (leaks definite and indirect count as errors).
# Any valgrind report fails the run, whatever the test scripts concluded.
# usage: valgrind.sh KKPOLC
set -u
real=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
command -v valgrind >/dev/null 2>&1 || { echo "valgrind.sh: valgrind is not installed (apt-get install valgrind)"; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin" "$tmp/logs"
cat >"$tmp/bin/kkpolc" <<WRAPPER
#!/bin/sh
exec valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \\
    --error-exitcode=99 --log-file="$tmp/logs/vg.%p.log" "$real" "\$@"
WRAPPER
chmod +x "$tmp/bin/kkpolc"

status=0
sh "$root/tests/e2e.sh" "$tmp/bin/kkpolc" || status=1
sh "$root/tests/golden.sh" "$tmp/bin/kkpolc" || status=1
HOSTILE_TIMEOUT=600 sh "$root/tests/hostile.sh" "$tmp/bin/kkpolc" || status=1

runs=$(ls "$tmp/logs" | wc -l)
reports=0
for log in "$tmp/logs"/*; do
    [ -s "$log" ] || continue
    reports=$((reports + 1))
    echo "FAIL valgrind: $log"
    cat "$log"
done
echo "valgrind: $runs kkpolc runs, $reports with reports"
[ "$status" = 0 ] && [ "$reports" = 0 ]
