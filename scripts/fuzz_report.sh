#!/usr/bin/env bash
# fuzz_report.sh: the report of a past fuzz run (`make fuzz-report`):
# redraws RUN/plot.svg from RUN/progress.tsv and prints RUN/summary.txt.
#
#   scripts/fuzz_report.sh [RUN]   RUN: a run directory, default the
#                                  newest of FUZZ_ENGINE (out/<engine>/latest)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
run=${1:-${RUN:-}}
if [[ -z $run ]]; then
  run="$root/out/${FUZZ_ENGINE:-libfuzzer}/latest"
  [[ -e $run ]] || { echo "fuzz-report: no run under out/${FUZZ_ENGINE:-libfuzzer}/ (make fuzz first, or RUN=dir)" >&2; exit 2; }
fi
[[ -d $run ]] || { echo "fuzz-report: $run: not a run directory" >&2; exit 2; }
run=$(cd "$run" && pwd -P)
[[ -f $run/progress.tsv ]] || { echo "fuzz-report: $run has no progress.tsv (not a fuzz run directory)" >&2; exit 2; }
[[ -f $run/summary.txt ]] && cat "$run/summary.txt"
svg=$("$root/scripts/fuzz_plot.sh" "$run") || exit 1
echo
echo "plot (redrawn): ${svg#"$root"/}"
