#!/bin/sh
# Runs libFuzzer targets one after another.
# usage: run.sh BUILD KKPOLC SECONDS TARGET...
# BUILD holds fuzz/fuzz_TARGET binaries; each target keeps its growing corpus
# in BUILD/corpus/TARGET and writes crashes to BUILD/findings/. Seeds come
# from policies/, tests/golden/, tables compiled from them and the saved
# regressions. A finding stops the run with a non-zero status; minimise it
# with `BUILD/fuzz/fuzz_TARGET -minimize_crash=1 FILE` and keep the result in
# tests/fuzz/regressions/TARGET/.
set -eu
build=$1 kkpolc=$2 seconds=$3
shift 3
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
mkdir -p "$build/findings" "$build/seeds/table"

# Table seeds: the shipped policies compiled, with and without a revision
# and provenance.
"$kkpolc" compile -o "$build/seeds/table/example-org.kkpt" policies/example-org.kkp
"$kkpolc" compile --revision "seed revision" -o "$build/seeds/table/presets.kkpt" policies/presets.kkp
"$kkpolc" compile -o "$build/seeds/table/knockknock.kkpt" policies/knockknock.kkp
"$kkpolc" compile --provenance -o "$build/seeds/table/provenance.kkpt" policies/example-org.kkp

for target in "$@"; do
    corpus=$build/corpus/$target
    mkdir -p "$corpus"
    case $target in
    policy) seeds="policies tests/golden"; extra="-dict=tests/fuzz/policy.dict -max_len=16384" ;;
    table) seeds="$build/seeds/table"; extra="-max_len=65536" ;;
    *) seeds="policies"; extra="-max_len=4096" ;;
    esac
    echo "fuzz: $target for $seconds s"
    # shellcheck disable=SC2086
    "$build/fuzz/fuzz_$target" "$corpus" tests/fuzz/regressions/"$target" $seeds $extra \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix="$build/findings/$target-"
done
