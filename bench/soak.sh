#!/usr/bin/env bash
# soak.sh: the long run with every bug switch off (issue "verdicts"): a
# finding here is a bug of the runtime or of the truth, never expected.
#
#   bench/soak.sh [-t SECONDS] [-e "libfuzzer afl text"] [-s SEED] [-o RESULT.md]
#
#   -t  seconds per engine (default 1800, quick mode 20)
#   -e  what to run, space- or comma-separated (default all three, side by side: libFuzzer and AFL++
#       on the program target, libFuzzer on the text target; at most two
#       at a time on a 2-core machine: the text target runs after)
#   -s  engine seed (default: fresh, printed)
#   -o  result table to append to (default bench/results/soak.md; see
#       bench/lib.sh)
#
# Every configuration is covered by one campaign: the fuzz input carries
# the target, barrier mode and stress (lang/lang_bin.c byte 0), so no
# STACKFUZZ_TARGET is set. Budget and maximum stack are the fuzz binaries'
# defaults (fuzz/fuzz_entry.h), the options and dictionaries those of
# `make fuzz` (the build's generated .options and .dict). Each run gets its own directory under
# out/soak/<UTC time>/ (corpus, crashes, log) and nothing is deleted. The
# result row names the command, the executions and what was found.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_cmd "$@"
secs=$(bench_quick && echo 20 || echo 1800) what="libfuzzer afl text" seed="" result=""
while getopts "t:e:s:o:h" opt; do
  case $opt in
    t) secs=$OPTARG ;;
    e) what=${OPTARG//,/ } ;;
    s) seed=$OPTARG ;;
    o) result=$OPTARG ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
  esac
done
seed=${seed:-$(( (RANDOM << 15 | RANDOM) % 2000000000 + 2 ))}
result=${result:-$(bench_result soak.md)}
export STACKFUZZ_BUGS='' STACKFUZZ_TARGET=''
stamp=$(date -u +%Y%m%dT%H%M%SZ)
top="$SF_ROOT/out/soak/$stamp"
mkdir -p "$top"
sf_say "soak: $what, $secs s each, engine seed $seed, in ${top#"$SF_ROOT"/}"

lf_run() { # target name: libFuzzer for secs, one process
  local t=$1 dir="$top/libfuzzer-$1" bin
  bin=$(sf_bin libfuzzer "$t")
  sf_lf_options libfuzzer "$t"
  mkdir -p "$dir/corpus" "$dir/crashes"
  (cd "$dir" && timeout $((secs + 120)) "$bin" "${SF_LF_OPTS[@]}" -seed="$seed" -max_total_time="$secs" \
     -print_final_stats=1 -artifact_prefix="$dir/crashes/" "$dir/corpus" \
     "$(sf_seed_dir libfuzzer "$([[ $t == text ]] && echo text || echo prog)")" \
     >"$dir/log" 2>&1) || true
  local n; n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
  echo "${n:-0}"
}

afl_run() {
  local dir="$top/afl" bin lib
  bin=$(sf_bin afl prog)
  lib="$(sf_build_dir afl)/fuzz/libsfmutator.so"
  mkdir -p "$dir"
  env -u ASAN_OPTIONS -u UBSAN_OPTIONS AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 \
    AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_FAST_CAL=1 AFL_CUSTOM_MUTATOR_LIBRARY="$lib" \
    timeout $((secs + 300)) afl-fuzz -i "$(sf_seed_dir afl prog)" -o "$dir/out" -V "$secs" \
    -s "$seed" -x "$(sf_dict afl prog)" -t 1000 -- "$bin" >"$dir/log" 2>&1 || true
  awk '$1 == "execs_done" { print $3 }' "$dir/out/default/fuzzer_stats" 2>/dev/null || echo 0
}

found() { # crash files of a run
  find "$1" -path '*crashes*' -type f ! -name README.txt 2>/dev/null | sort
}

for e in $what; do
  case $e in
    libfuzzer) sf_build libfuzzer ;;
    afl) sf_build afl ;;
    text) sf_build libfuzzer ;;
    *) sf_die "unknown engine '$e'" ;;
  esac
done

pids=()
for e in $what; do
  case $e in
    libfuzzer) (lf_run prog >"$top/execs-libfuzzer") & pids+=($!) ;;
    afl) (afl_run >"$top/execs-afl") & pids+=($!) ;;
  esac
done
for p in "${pids[@]}"; do wait "$p" || true; done
[[ " $what " == *" text "* ]] && lf_run text >"$top/execs-text"

commit=$(git -C "$SF_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
mkdir -p "$(dirname "$result")"
cols=("date (UTC)" commit engine seconds "engine seed" executions found)
if [[ ! -f $result ]]; then
  { echo "# Soak runs, every bug switch off (bench/soak.sh)"; echo; bench_head "${cols[@]}"; } >"$result"
elif [[ $(grep -v '^[[:space:]]*$' "$result" | tail -1) != '|'* ]]; then
  # the file ends in prose (a command line): a new table for these rows
  { echo; bench_head "${cols[@]}"; } >>"$result"
fi
status=0
for e in $what; do
  dir="$top/$([[ $e == afl ]] && echo afl || echo "libfuzzer-$([[ $e == text ]] && echo text || echo prog)")"
  n=$(cat "$top/execs-$e" 2>/dev/null || echo 0)
  mapfile -t cr < <(found "$dir")
  verdict="nothing"
  if ((${#cr[@]})); then
    status=1
    ids=""
    for c in "${cr[@]}"; do
      if [[ $e == text ]]; then ids+=" TEXT"; else ids+=" $(sf_classify "$([[ $e == afl ]] && echo afl || echo libfuzzer)" "$(sf_bin "$([[ $e == afl ]] && echo afl || echo libfuzzer)" prog)" "$c")"; fi
    done
    verdict="${#cr[@]} crash(es):$ids (${dir#"$SF_ROOT"/})"
  fi
  sf_say "soak $e: $n executions in $secs s: $verdict"
  case $e in
    libfuzzer) ename="libfuzzer (programs)" ;;
    afl) ename="afl (programs)" ;;
    text) ename="libfuzzer (text target)" ;;
  esac
  bench_row "$stamp" "$commit" "$ename" "$secs" "$seed" "$n" "$verdict" >>"$result"
done
printf '\ncommand: `%s` (%s)\n' "$BENCH_CMD" "$stamp" >>"$result"
sf_say "appended to ${result#"$SF_ROOT"/}"
exit $status
