#!/usr/bin/env bash
# soak.sh: the long run with every bug switch off (issue "verdicts"): a
# finding here is a bug of the runtime or of the truth, never expected.
#
#   bench/soak.sh [-t SECONDS] [-e "libfuzzer afl text"] [-s SEED] [-o RESULT.md]
#
#   -t  seconds per engine (default 1800)
#   -e  what to run (default all three, side by side: libFuzzer and AFL++
#       on the program target, libFuzzer on the text target; at most two
#       at a time on a 2-core machine: the text target runs after)
#   -s  engine seed (default: fresh, printed)
#   -o  result table to append to (default bench/results/soak.md)
#
# Every configuration is covered by one campaign: the fuzz input carries
# the target, barrier mode and stress (lang/lang_bin.c byte 0), so no
# STACKFUZZ_TARGET is set. Budget and maximum stack are the fuzz binaries'
# defaults (500 steps, 16 KB). Each run gets its own directory under
# out/soak/<UTC time>/ (corpus, crashes, log) and nothing is deleted. The
# result row names the command, the executions and what was found.
set -euo pipefail
# shellcheck source=../scripts/fuzz_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/fuzz_common.sh"
cmdline="bench/soak.sh$(printf ' %q' "$@")"
secs=1800 what="libfuzzer afl text" seed="" result="$SF_ROOT/bench/results/soak.md"
while getopts "t:e:s:o:h" opt; do
  case $opt in
    t) secs=$OPTARG ;;
    e) what=$OPTARG ;;
    s) seed=$OPTARG ;;
    o) result=$OPTARG ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
  esac
done
seed=${seed:-$(( (RANDOM << 15 | RANDOM) % 2000000000 + 2 ))}
export STACKFUZZ_BUGS='' STACKFUZZ_TARGET=''
stamp=$(date -u +%Y%m%dT%H%M%SZ)
top="$SF_ROOT/out/soak/$stamp"
mkdir -p "$top"
sf_say "soak: $what, $secs s each, engine seed $seed, in ${top#"$SF_ROOT"/}"

lf_run() { # target name: libFuzzer for secs, one process
  local t=$1 dir="$top/libfuzzer-$1" bin
  bin=$(sf_bin libfuzzer "$t")
  mkdir -p "$dir/corpus" "$dir/crashes"
  (cd "$dir" && timeout $((secs + 120)) "$bin" -seed="$seed" -max_total_time="$secs" \
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
    -s "$seed" -x "$SF_ROOT/fuzz/prog.dict" -t 1000 -- "$bin" >"$dir/log" 2>&1 || true
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

declare -A execs
pids=()
for e in $what; do
  case $e in
    libfuzzer) (lf_run prog >"$top/execs-libfuzzer") & pids+=($!) ;;
    afl) (afl_run >"$top/execs-afl") & pids+=($!) ;;
  esac
done
for p in "${pids[@]}"; do wait "$p" || true; done
[[ " $what " == *" text "* ]] && lf_run text >"$top/execs-text"

[[ -f $result ]] || printf '%s\n\n%s\n%s\n' "# Soak runs, every bug switch off (bench/soak.sh)" \
  "| date (UTC) | engine | seconds | engine seed | executions | found |" \
  "|---|---|---|---|---|---|" >"$result"
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
  printf '| %s | %s | %s | %s | %s | %s |\n' "$stamp" "$e" "$secs" "$seed" "$n" "$verdict" >>"$result"
done
printf '\ncommand: `%s` (%s)\n' "$cmdline" "$stamp" >>"$result"
exit $status
