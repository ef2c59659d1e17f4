#!/usr/bin/env bash
# Interpreter throughput with every check on, over the whole corpus, with
# GC stack barriers forced off, spaced (Go's 1024-byte rule) and on every
# frame: the three modes run side by side, alternating, RUNS times each;
# medians are reported. Writes bench/results/barrier_cost.md.
#
#   bench/barrier_cost.sh [RUNS]      (default 5, quick mode 1; release preset)
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_cmd "$@"
RUNS=${1:-$(bench_quick && echo 1 || echo 5)}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "usage: bench/barrier_cost.sh [RUNS]" >&2; exit 2; }
cd "$SF_ROOT"
bench_build stackfuzz
BIN=build-release/bin/stackfuzz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# steps/s of one `check` over corpus/ in mode $1
one() {
	local t0 secs steps
	t0=$(bench_now)
	"$BIN" check --json --barriers "$1" corpus >"$tmp/out.json" || true
	secs=$(bench_secs "$t0")
	steps=$(grep -o '"steps":[0-9]*' "$tmp/out.json" | cut -d: -f2 | awk '{s+=$1} END {print s}')
	echo "$steps $secs"
}

for mode in off spaced every; do : >"$tmp/$mode"; done
modes=(off spaced every)
for i in $(seq "$RUNS"); do
	# rotate the order each round, so no mode always runs cold
	for k in 0 1 2; do
		mode=${modes[$(((i + k) % 3))]}
		read -r steps secs < <(one "$mode")
		echo "$steps $secs" >>"$tmp/$mode"
		printf 'run %d %-6s %8d steps %7.3fs\n' "$i" "$mode" "$steps" "$secs" >&2
	done
done

{
	echo "# Steps per second over the whole corpus, every check on"
	echo
	echo "\`$BENCH_CMD\`: release build; $RUNS alternating runs per mode, medians."
	echo "Barriers are installed only by \`gc scan\` statements, so most programs run"
	echo "identically in every mode."
	echo
	bench_head barriers "steps per run" "median time (s)" "median steps/s"
	for mode in off spaced every; do
		steps=$(head -1 "$tmp/$mode" | cut -d' ' -f1)
		t=$(cut -d' ' -f2 "$tmp/$mode" | bench_median)
		rate=$(awk '{print $1/$2}' "$tmp/$mode" | bench_median)
		bench_row "$mode" "$steps" "$(printf '%.3f' "$t")" "$(printf '%.0f' "$rate")"
	done
	echo
	echo "Machine: $(bench_machine)."
} | bench_write "$(bench_result barrier_cost.md)"
