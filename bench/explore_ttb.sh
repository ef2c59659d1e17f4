#!/usr/bin/env bash
# explore_ttb.sh: time for `stackfuzz explore` to find each seed bug switch
# at its shortest program (DESIGN.md 8: < 1 s), median over $RUNS runs
# (default 5), wall time; then one sweep with every switch off,
# `explore --depth 6 --max-seconds $SWEEP_SECONDS` (default 60): programs/s,
# runs/s (sentinel runs included) and the depth it exhausts. Builds the
# release preset (build-release/) and writes bench/results/explore_ttb.md.
#
#   bench/explore_ttb.sh            RUNS=5 DEPTH=4 MAX_SECONDS=60 SWEEP_SECONDS=60
#                                   (quick mode: RUNS=1 SWEEP_SECONDS=5)
#
# A switch whose ingredients the runtime does not support yet (the
# explorer leaves such statements out) is reported as not found.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_cmd "$@"
cd "$SF_ROOT"
RUNS=${RUNS:-$(bench_quick && echo 1 || echo 5)}
DEPTH=${DEPTH:-4}
MAX_SECONDS=${MAX_SECONDS:-60}
SWEEP_SECONDS=${SWEEP_SECONDS:-$(bench_quick && echo 5 || echo 60)}
bench_build stackfuzz fuzz_files
sf_load_consts build-release
SF=build-release/bin/stackfuzz
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
OUT="$TMP/result.md"

{
  echo "# Explorer: time to find each seed bug switch"
  echo
  echo "\`$BENCH_CMD\`: \`stackfuzz explore --depth $DEPTH --bugs B\` (breadth first, so the"
  echo "program found is a shortest one over the explorer's vocabulary), release build, wall time,"
  echo "median of $RUNS runs. Target (DESIGN.md 8): < 1 s each."
  echo
  echo "| bug | target | found | main's statements | statements in all | programs run | median time (s) |"
  echo "|---|---|---|---:|---:|---:|---:|"
} > "$OUT"

for bug in $SF_BUGS; do
  target=$(sf_bug_target "$bug")
  : > "$TMP/times"
  found="none" mainn="-" alln="-" progs="-"
  for ((i = 0; i < RUNS; i++)); do
    t0=$(bench_now)
    rc=0
    "$SF" explore --depth "$DEPTH" --bugs "$bug" --target "$target" \
      --max-seconds "$MAX_SECONDS" >"$TMP/prog" 2>"$TMP/err" || rc=$?
    bench_secs "$t0" >> "$TMP/times"
    if [ "$rc" = 1 ]; then
      found=$(sed -n 's/^# expect: violation //p' "$TMP/prog")
      mainn=$(sed -n 's/.*main has \([0-9]*\) statements, \([0-9]*\) in all.*/\1/p' "$TMP/err")
      alln=$(sed -n 's/.*main has \([0-9]*\) statements, \([0-9]*\) in all.*/\2/p' "$TMP/err")
      progs=$(sed -n 's/.*after \([0-9]*\) programs.*/\1/p' "$TMP/err")
      cp "$TMP/prog" "$TMP/found-$bug.prog"
    fi
  done
  med=$(bench_median < "$TMP/times")
  printf '| %s | %s | %s | %s | %s | %s | %.3f |\n' "$bug" "$target" "$found" "$mainn" \
    "$alln" "$progs" "$med" >> "$OUT"
done

# the sweep: every switch off, how deep in SWEEP_SECONDS
"$SF" explore --depth 6 --max-seconds "$SWEEP_SECONDS" >/dev/null 2>"$TMP/sweep" || true
last=$(grep '^explore: no violation' "$TMP/sweep" || grep '^explore: violation' "$TMP/sweep" || true)
sdepth=$(sed -n 's/.*every program up to depth \([0-9]*\) run.*/\1/p' <<<"$last")
sprogs=$(sed -n 's/.* \([0-9]*\) programs (\([0-9]*\) runs.*/\1/p' <<<"$last")
sps=$(sed -n 's/.*(\([0-9]*\) programs\/s, \([0-9]*\) runs\/s.*/\1/p' <<<"$last")
srs=$(sed -n 's/.*(\([0-9]*\) programs\/s, \([0-9]*\) runs\/s.*/\2/p' <<<"$last")
{
  echo
  echo "Sweep with every switch off: \`stackfuzz explore --depth 6 --max-seconds $SWEEP_SECONDS\`:"
  echo "depth exhausted ${sdepth:-?}, ${sprogs:-?} programs, ${sps:-?} programs/s, ${srs:-?} runs/s"
  echo "(runs include the sentinel runs that decide which prefixes to extend)."
  echo
  echo '```'
  echo "$last"
  echo '```'
  echo
  for f in "$TMP"/found-*.prog; do
    [ -e "$f" ] || continue
    b=${f##*/found-}; b=${b%.prog}
    echo "Program found for $b:"
    echo
    echo '```'
    cat "$f"
    echo '```'
    echo
  done
  echo "Machine: $(bench_machine). Command: \`$BENCH_CMD\`"
  echo "(RUNS=$RUNS DEPTH=$DEPTH MAX_SECONDS=$MAX_SECONDS SWEEP_SECONDS=$SWEEP_SECONDS), load average"
  echo "at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: wall times are upper bounds)."
} >> "$OUT"
bench_write "$(bench_result explore_ttb.md)" <"$OUT"
