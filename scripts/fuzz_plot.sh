#!/usr/bin/env bash
# fuzz_plot.sh: draw a fuzz run's progress as RUN/plot.svg: coverage,
# exec/s and corpus size over time, from RUN/progress.tsv (written by
# scripts/fuzz.sh every few seconds). Called at the end of every run;
# `make fuzz-report [RUN=dir]` calls it again for any past run.
#
#   scripts/fuzz_plot.sh RUN        prints the path of the SVG
#
# Needs gnuplot (Debian package gnuplot-nox; `make fuzz` and
# `make fuzz-report` install it when missing). Exit 1 without it or
# without data, with the reason on stderr.
set -euo pipefail
[[ $# -eq 1 && -d $1 ]] || { echo "usage: scripts/fuzz_plot.sh RUN_DIR" >&2; exit 2; }
run=$(cd "$1" && pwd)
data="$run/progress.tsv"
[[ -f $data ]] || { echo "no progress.tsv in $run" >&2; exit 1; }
command -v gnuplot >/dev/null || { echo "gnuplot missing (apt-get install gnuplot-nox, or make fuzz-report)" >&2; exit 1; }
[[ $(grep -vc '^#' "$data") -ge 1 ]] || { echo "no samples in $data" >&2; exit 1; }
title="$(basename "$(dirname "$run")") $(basename "$run")"
jobs=$(awk -F '\t' '!/^#/ && $7 != "" { j = $7 } END { print j }' "$data")
[[ -n $jobs ]] && title+=" ($jobs job$([[ $jobs != 1 ]] && echo s || true))"
out="$run/plot.svg"
gnuplot <<GP
set terminal svg size 900,800 dynamic enhanced font 'sans,11' background rgb 'white'
set output '$out'
set datafile separator '\t'
set datafile commentschars '#'
set multiplot layout 3,1 title "stackfuzz: $title" noenhanced
set grid
set key off
set lmargin 12
set xlabel 'elapsed (s)'
set xrange [0:*]
set yrange [0:*]
set ylabel 'coverage (edges)'
set yrange [*:*]
plot '$data' using 1:4 with linespoints lw 2 pt 7 ps 0.4 lc rgb '#1f77b4'
set ylabel 'exec/s'
set yrange [0:*]
plot '$data' using 1:3 with linespoints lw 2 pt 7 ps 0.4 lc rgb '#d62728'
set ylabel 'corpus (inputs)'
plot '$data' using 1:5 with linespoints lw 2 pt 7 ps 0.4 lc rgb '#2ca02c'
unset multiplot
GP
echo "$out"
