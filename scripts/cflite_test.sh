#!/usr/bin/env bash
# cflite_test.sh: run .clusterfuzzlite/build.sh locally the way OSS-Fuzz
# does, then run each produced target briefly on its seed corpus
# (`make cflite-test`).
#
#   scripts/cflite_test.sh [SECONDS]     (default 10 per target)
#
# Environment as OSS-Fuzz's libFuzzer+ASan build sets it, with clang-14
# (each may be overridden, e.g. CFLAGS with ,undefined added):
#   CC=clang-14 CFLAGS="-fsanitize=address,fuzzer-no-link"
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/cfl-out SRC=<parent of repo>
# (CXX unset: build.sh links with $CC, which clang-14 allows for libFuzzer.)
# Fails if the build fails, an expected file is missing from $OUT, or a
# target crashes (every bug switch is off).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
secs=${1:-10}
export CC=${CC:-clang-14}
export CFLAGS=${CFLAGS:-"-fsanitize=address,fuzzer-no-link"}
export LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE:--fsanitize=fuzzer}
export OUT=${OUT:-/tmp/cfl-out}
export WORK=${WORK:-/tmp/cfl-work}
export SRC=${SRC:-$(dirname "$root")}
export STACKFUZZ_SRC=$root          # the checkout (OSS-Fuzz: $SRC/stackfuzz)
command -v "$CC" >/dev/null || { echo "cflite-test: $CC not found (make deps)" >&2; exit 1; }
command -v zip >/dev/null || { echo "cflite-test: zip not found (apt-get install zip)" >&2; exit 1; }
rm -rf "$OUT" "$WORK"
mkdir -p "$OUT" "$WORK"
echo "cflite-test: CC=$CC CFLAGS=$CFLAGS LIB_FUZZING_ENGINE=$LIB_FUZZING_ENGINE OUT=$OUT"
bash -eu "$root/.clusterfuzzlite/build.sh"

fail=0
for t in fuzz_prog fuzz_text; do
  for f in "$t" "${t}_seed_corpus.zip" "$t.dict" "$t.options"; do
    [[ -e $OUT/$f ]] || { echo "cflite-test: missing \$OUT/$f" >&2; fail=1; }
  done
done
[[ $fail == 0 ]] || exit 1

for t in fuzz_prog fuzz_text; do
  dir="$WORK/run-$t"
  rm -rf "$dir"; mkdir -p "$dir/corpus" "$dir/seeds"
  (cd "$dir/seeds" && unzip -q "$OUT/${t}_seed_corpus.zip")
  # the options file as ClusterFuzz applies it: key = value -> -key=value
  mapfile -t opts < <(sed -n 's/^\([a-z_]*\) *= *\(.*\)$/-\1=\2/p' "$OUT/$t.options")
  opts=("${opts[@]/#-dict=/-dict=$OUT/}")
  echo "cflite-test: running $t for $secs s (${opts[*]})"
  if ! (cd "$dir" && "$OUT/$t" "${opts[@]}" -max_total_time="$secs" -print_final_stats=1 \
        -artifact_prefix="$dir/" corpus seeds >"$dir/log" 2>&1); then
    echo "cflite-test: $t CRASHED; log: $dir/log" >&2
    grep -m5 '==stackfuzz==\|ERROR:\|SUMMARY' "$dir/log" >&2 || true
    fail=1
    continue
  fi
  echo "cflite-test: $t ok: $(grep -m1 'stat::number_of_executed_units' "$dir/log" | awk '{print $2}') runs," \
       "$(grep 'DONE' "$dir/log" | grep -o 'cov: [0-9]* ft: [0-9]*' | tail -1)"
done
[[ $fail == 0 ]] && echo "cflite-test: ok" || { echo "cflite-test: FAILED" >&2; exit 1; }
