#!/usr/bin/env bash
# Interpreter throughput with every check on, over the whole corpus, with
# GC stack barriers forced off, spaced (Go's 1024-byte rule) and on every
# frame: the three modes run side by side, alternating, RUNS times each;
# medians are reported. Writes bench/results/barrier_cost.md.
#
#   bench/barrier_cost.sh [RUNS]      (default 5; builds build-release/)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
BIN=build-release/bin/stackfuzz
if [ ! -x "$BIN" ]; then
	cmake --preset release >/dev/null
	cmake --build build-release -j2 --target stackfuzz >/dev/null
fi
mkdir -p bench/results
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# steps/s of one `check` over corpus/ in mode $1
one() {
	local t0 t1 steps
	t0=$(date +%s.%N)
	"$BIN" check --json --barriers "$1" corpus >"$tmp/out.json" || true
	t1=$(date +%s.%N)
	steps=$(grep -o '"steps":[0-9]*' "$tmp/out.json" | cut -d: -f2 | awk '{s+=$1} END {print s}')
	echo "$steps $(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

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
	echo "\`bench/barrier_cost.sh $RUNS\` on $(nproc) cores, $(date -u +%Y-%m-%d); release build;"
	echo "$RUNS alternating runs per mode, medians. Barriers are installed only by"
	echo "\`gc scan\` statements, so most programs run identically in every mode."
	echo
	echo "| barriers | steps per run | median time (s) | median steps/s |"
	echo "|---|---|---|---|"
	for mode in off spaced every; do
		steps=$(head -1 "$tmp/$mode" | cut -d' ' -f1)
		t=$(cut -d' ' -f2 "$tmp/$mode" | median)
		rate=$(awk '{print $1/$2}' "$tmp/$mode" | median)
		printf '| %s | %s | %.3f | %.0f |\n' "$mode" "$steps" "$t" "$rate"
	done
} | tee bench/results/barrier_cost.md
