# shellcheck shell=bash
# bench/lib.sh: what every bench/*.sh shares, on top of scripts/lib.sh
# (the one build path, the generated constants, the fuzz helpers).
# Sourced, not run; callers have `set -euo pipefail`.
#
#   bench_cmd "$@"           remember the command line as run (BENCH_CMD),
#                            for the result file
#   bench_quick              true in quick mode (BENCH_QUICK=1: each script
#                            runs a small version of its measurement, for a
#                            CI-size machine; `make bench BENCH_QUICK=1`)
#   bench_result NAME        the path of result file NAME: bench/results/NAME,
#                            or in quick mode $BENCH_RESULTS (default
#                            out/bench/quick-<UTC time>/), so a quick run
#                            never replaces the committed figures.
#                            BENCH_RESULTS=DIR sends every result there.
#   bench_write FILE         stdin -> FILE (whole or not at all), then
#                            print it and "written: FILE"
#   bench_build TARGET...    build TARGETs in the release preset
#                            (build-release/, gcc -O2), as every benchmark
#                            that is not a fuzz run does
#   bench_median             the median of the numbers on stdin, one a line
#                            (mean of the middle two for an even count);
#                            "inf" counts as larger than any number (a run
#                            that found nothing); "-" for no input
#   bench_now / bench_secs T0 [T1]  wall clock, and seconds since T0
#   bench_machine            "2 cores, CPU, gcc; date; commit" for the
#                            result file's footer
#   bench_row CELL...        one Markdown table row: | a | b | c |
#   bench_head COL...        a table's header row and separator row
# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

BENCH_QUICK=${BENCH_QUICK:-0}
[[ $BENCH_QUICK == 0 || $BENCH_QUICK == 1 ]] || sf_die "BENCH_QUICK must be 0 or 1, not '$BENCH_QUICK'"
if [[ -z ${BENCH_RESULTS:-} ]]; then
  if [[ $BENCH_QUICK == 1 ]]; then BENCH_RESULTS="$SF_ROOT/out/bench/quick-$(date -u +%Y%m%dT%H%M%SZ)"
  else BENCH_RESULTS="$SF_ROOT/bench/results"; fi
fi
export BENCH_QUICK BENCH_RESULTS

bench_cmd() {
  BENCH_CMD="bench/$(basename "$0")"
  (($#)) && BENCH_CMD+=$(printf ' %q' "$@")
  bench_quick && BENCH_CMD="BENCH_QUICK=1 $BENCH_CMD"
  return 0
}
bench_quick() { [[ $BENCH_QUICK == 1 ]]; }

bench_result() { mkdir -p "$BENCH_RESULTS"; echo "$BENCH_RESULTS/$1"; }

bench_write() {
  local f=$1
  mkdir -p "$(dirname "$f")"
  cat >"$f.tmp" && mv "$f.tmp" "$f"
  echo
  cat "$f"
  echo
  echo "written: ${f#"$SF_ROOT"/}"
}

bench_build() { sf_build_preset release "$@"; }

bench_median() {
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "-"; exit }
    a = v[int((NR + 1) / 2)]; b = v[int(NR / 2) + 1]
    if (a == "inf" || b == "inf") print "inf"
    else printf "%.10g\n", (NR % 2 ? a : (a + b) / 2) }'
}

bench_now() { date +%s.%N; }
bench_secs() { awk -v a="$1" -v b="${2:-$(bench_now)}" 'BEGIN { printf "%.3f\n", b - a }'; }

bench_machine() {
  printf '%s cores, %s, %s; %s; commit %s%s\n' "$(nproc)" \
    "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)" \
    "$(gcc --version | head -1)" "$(date -u +%Y-%m-%d)" \
    "$(git -C "$SF_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "$(bench_quick && echo ' (BENCH_QUICK=1: a quick, low-precision run)' || true)"
}

bench_row() { local c s="|"; for c in "$@"; do s+=" $c |"; done; echo "$s"; }
bench_head() {
  bench_row "$@"
  local c s="|"
  for c in "$@"; do s+="---|"; done
  echo "$s"
}
