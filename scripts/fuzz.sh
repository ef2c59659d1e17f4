#!/usr/bin/env bash
# fuzz.sh: build and fuzz the reference runtime, then report (`make fuzz`).
#
#   scripts/fuzz.sh                       libFuzzer, 60 s, every bug off
#   FUZZ_ENGINE=afl scripts/fuzz.sh       the same with AFL++
#   STACKFUZZ_BUGS=7695 scripts/fuzz.sh   bug switch on: stop at the first
#                                         violation, report time to it
#
# Environment (all optional):
#   FUZZ_ENGINE      libfuzzer (default) or afl
#   FUZZ_SECONDS     time budget (default 60)
#   FUZZ_TARGET      prog (default), text (the parser target)
#   FUZZ_FIND        1: stop at the first crash (default when STACKFUZZ_BUGS
#                    is set), 0: keep fuzzing (libFuzzer restarts after
#                    each crash, AFL++ keeps going anyway)
#   FUZZ_MUTATOR     1 (default): structure-aware mutator on; 0: the
#                    engine's byte-level mutations only
#   FUZZ_AFL_TIMEOUT afl-fuzz -t in ms (default 1000; slower inputs are hangs)
#   FUZZ_SEED        engine seed (libFuzzer -seed, AFL++ -s), for repeatable runs
#   FUZZ_OUT         work directory (default out/<engine>); the libFuzzer
#                    corpus there persists between runs (rm -rf out/ to reset)
#   FUZZ_FRESH       1: start from the seed corpus only (always so in find mode)
#   FUZZ_AFL_INPUT   AFL++ input directory (default: the seeds; e.g. out/afl/cmin)
#   FUZZ_FAIL_ON_CRASH 1: exit 1 if anything crashed (CI)
#   FUZZ_NO_BUILD    1: do not build (the caller did)
#   FUZZ_QUIET       1: no live progress, just the summary
#   FUZZ_FINDINGS_PER_ID  crashes minimized per violation ID (default 1;
#                    0: classify crashes but write no findings, for benchmarks)
#   FUZZ_SEEDS       seed directory (default: the generated seed corpus)
#   FUZZ_DROP_FAILING_SEEDS  1: with STACKFUZZ_BUGS set, leave out the seeds
#                    that already fail with the switches on, so that the
#                    fuzzer must build the bug itself (what bench/fuzz_ttb.sh
#                    measures); by default they stay, and a crash that is
#                    a seed as it stands is named as such in the summary
#   FUZZ_SUMMARY_FILE  also write the summary as key=value lines there
#   STACKFUZZ_BUGS, STACKFUZZ_TARGET, STACKFUZZ_BUDGET, STACKFUZZ_MAXSTACK,
#   STACKFUZZ_SWITCHED_ONLY: what the fuzz binaries run (fuzz/fuzz_entry.h);
#                    with STACKFUZZ_BUGS set, STACKFUZZ_SWITCHED_ONLY defaults
#                    to 1: only violations the switches cause are crashes
# Output: progress while it runs, then a summary (executions, exec/s,
# coverage, corpus size, crashes by ID, time to first crash) and, per
# violation ID, a minimized program findings/<ID>-<n>.prog with the
# command that replays it. Exit 0, or 1 (FUZZ_FAIL_ON_CRASH), 2 on usage.
set -euo pipefail
# shellcheck source=fuzz_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/fuzz_common.sh"

engine=${FUZZ_ENGINE:-libfuzzer}
seconds=${FUZZ_SECONDS:-60}
target=${FUZZ_TARGET:-prog}
mutator=${FUZZ_MUTATOR:-1}
find=${FUZZ_FIND:-}
[[ -z $find ]] && { [[ -n ${STACKFUZZ_BUGS:-} && ${STACKFUZZ_BUGS:-} != none ]] && find=1 || find=0; }
out=${FUZZ_OUT:-$SF_ROOT/out/$engine}
# With bug switches on, report what they cause: a violation that also
# happens with every switch off is a runtime bug of its own, found by the
# default run (bugs off), and would otherwise end the search early.
if [[ -n ${STACKFUZZ_BUGS:-} && ${STACKFUZZ_BUGS:-} != none && -z ${STACKFUZZ_SWITCHED_ONLY:-} ]]; then
  export STACKFUZZ_SWITCHED_ONLY=1
fi
per_id=${FUZZ_FINDINGS_PER_ID:-1}
export FUZZ_ENGINE_NAME=$engine

[[ $engine == libfuzzer || $engine == afl ]] || { echo "fuzz: FUZZ_ENGINE must be libfuzzer or afl, not '$engine'" >&2; exit 2; }
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: FUZZ_SECONDS must be a positive number, not '$seconds'" >&2; exit 2; }
[[ $target == prog || $target == text ]] || { echo "fuzz: FUZZ_TARGET must be prog or text" >&2; exit 2; }

[[ ${FUZZ_NO_BUILD:-0} == 1 ]] || sf_build "$engine"

# What runs, with which seeds and dictionary.
if [[ $target == prog ]]; then
  kind=prog
  dict="$SF_ROOT/fuzz/prog.dict"
  bin=$(sf_bin "$engine" prog)
  [[ $engine == libfuzzer && $mutator == 0 ]] && bin=$(sf_bin libfuzzer prog_bytes)
else
  kind=text
  dict="$SF_ROOT/fuzz/text.dict"
  bin=$(sf_bin "$engine" text)
fi
seeds=${FUZZ_SEEDS:-$(sf_seed_dir "$engine" "$kind")}
[[ -x $bin ]] || sf_die "$bin not built"
[[ -d $seeds ]] || sf_die "no seed corpus at $seeds"
seeds_all=$seeds
if [[ ${FUZZ_DROP_FAILING_SEEDS:-0} == 1 && $target == prog && -n ${STACKFUZZ_BUGS:-} && ${STACKFUZZ_BUGS:-} != none ]]; then
  mkdir -p "$out"
  left=$(sf_filter_seeds "$seeds" "$out/seeds-kept")
  seeds="$out/seeds-kept"
  sf_say "left out $left seeds that already fail with bugs=$STACKFUZZ_BUGS; fuzzing from the other $(ls "$seeds" | wc -l)"
fi
config=$(sf_config_desc)
mkdir -p "$out"
crashes="$out/crashes"
rm -rf "$crashes" "$out/logs"
mkdir -p "$crashes" "$out/logs"

now() { date +%s.%N; }
# crash artifacts so far (slow-unit-* files are libFuzzer's notes, not crashes)
ncrashes() { find "$crashes" -maxdepth 1 -type f ! -name 'slow-unit-*' ! -name '*.log' | wc -l; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Progress filter: libFuzzer prints a line per new input; show those only
# when the execution count has doubled (plus every other line), unless
# FUZZ_QUIET (nothing) or FUZZ_VERBOSE (everything).
progress() {
  if [[ ${FUZZ_QUIET:-0} == 1 ]]; then cat >/dev/null
  elif [[ ${FUZZ_VERBOSE:-0} == 1 ]]; then cat >&2
  else awk '/^#[0-9]+\t(NEW|REDUCE)/ { n = substr($1, 2) + 0; if (n < 2 * last) next; last = n }
            { print; fflush() }' >&2
  fi
}

sf_say "engine=$engine target=$target seconds=$seconds mode=$([[ $find == 1 ]] && echo find-first-crash || echo explore) mutator=$([[ $mutator == 1 ]] && echo structure-aware || echo bytes) $config"

start=$(now)
ttfc=""            # time to first crash (s)
execs=0 cov="-" ft="-" corpus_n=0 eps="-" extra=""

run_libfuzzer() {
  local corpus="$out/corpus" k=0 rc remaining log seen
  if [[ $find == 1 || ${FUZZ_FRESH:-0} == 1 ]]; then rm -rf "$corpus"; fi
  mkdir -p "$corpus"
  local args=(-max_len="$SF_MAX_LEN" -dict="$dict" -timeout=60 -rss_limit_mb=2048
              -print_final_stats=1 -artifact_prefix="$crashes/")
  [[ -n ${FUZZ_SEED:-} ]] && args+=(-seed="$FUZZ_SEED")
  while :; do
    remaining=$(awk -v s="$seconds" -v e="$(elapsed "$start")" 'BEGIN { r = int(s - e + 0.5); print (r > 0 ? r : 0) }')
    [[ $remaining -gt 0 ]] || break
    k=$((k + 1))
    log="$out/logs/libfuzzer-$k.log"
    seen=$(ncrashes)
    set +e
    "$bin" "${args[@]}" -max_total_time="$remaining" "$corpus" "$seeds" 2>&1 | tee "$log" | progress
    rc=${PIPESTATUS[0]}
    set -e
    local e n
    e=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log" | tail -1)
    execs=$((execs + ${e:-0}))
    n=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1) || true
    [[ -n $n ]] && { cov=$(awk '{print $2}' <<<"$n"); ft=$(awk '{print $4}' <<<"$n"); }
    [[ $rc -eq 0 ]] && break
    [[ -z $ttfc ]] && ttfc=$(elapsed "$start")
    if [[ $(ncrashes) -le $seen ]]; then
      # no new artifact: a crash at start-up (it would repeat forever), or
      # libFuzzer refused to run
      grep -q 'ERROR: libFuzzer\|==stackfuzz==\|Sanitizer' "$log" ||
        sf_die "libFuzzer exited with status $rc (log: $log)"
      sf_say "libFuzzer crashed at start-up without a crash file; stopping (log: $log)"
      cp "$log" "$crashes/startup-crash.log"
      break
    fi
    [[ $find == 1 ]] && break
    sf_say "crash saved; restarting libFuzzer for the remaining time"
  done
  corpus_n=$(ls "$corpus" | wc -l)
  local total
  total=$(elapsed "$start")
  eps=$(awk -v x="$execs" -v t="$total" 'BEGIN { printf "%d", (t > 0 ? x / t : 0) }')
}

run_afl() {
  local afl_out="$out/afl-out" log="$out/logs/afl.log" rc
  rm -rf "$afl_out"
  # AFL_SKIP_CRASHES: with a bug switch on some seeds may crash already;
  # afl-fuzz would refuse to start (libFuzzer just reports them)
  local env=(AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
             AFL_NO_AFFINITY=1 AFL_FAST_CAL=1 AFL_SKIP_CRASHES=1)
  # the text target keeps AFL++'s own mutators; the mutator is for programs
  if [[ $target == prog && $mutator == 1 ]]; then
    local lib
    lib="$(sf_build_dir afl)/fuzz/libsfmutator.so"
    [[ -f $lib ]] || sf_die "$lib not built"
    env+=(AFL_CUSTOM_MUTATOR_LIBRARY="$lib")
  fi
  [[ $find == 1 ]] && env+=(AFL_BENCH_UNTIL_CRASH=1)
  local args=(-i "${FUZZ_AFL_INPUT:-$seeds}" -o "$afl_out" -V "$seconds" -x "$dict" -t "${FUZZ_AFL_TIMEOUT:-1000}")
  [[ -n ${FUZZ_SEED:-} ]] && args+=(-s "$FUZZ_SEED")
  set +e
  # afl-fuzz sets its own sanitizer options (it insists on abort_on_error=1)
  env -u ASAN_OPTIONS -u UBSAN_OPTIONS "${env[@]}" afl-fuzz "${args[@]}" -- "$bin" 2>&1 | tee "$log" | progress
  rc=${PIPESTATUS[0]}
  set -e
  local stats="$afl_out/default/fuzzer_stats"
  [[ -f $stats ]] || sf_die "afl-fuzz failed (status $rc), no fuzzer_stats; see $log"
  afl_stat() { awk -v k="$1" '$1 == k { print $3 }' "$stats"; }
  execs=$(afl_stat execs_done)
  eps=$(afl_stat execs_per_sec)
  cov=$(afl_stat edges_found)
  ft="-"
  corpus_n=$(afl_stat corpus_count)
  extra="stability $(afl_stat stability), $(afl_stat saved_hangs) hangs"
  # afl-fuzz exits 0 even with crashes: the crashes directory is the truth
  local c
  for c in "$afl_out"/default/crashes/id:*; do
    [[ -e $c ]] || continue
    cp "$c" "$crashes/$(basename "$c" | tr ':,' '__')"
  done
  # time to first crash: in find mode afl-fuzz stops at it, so the wall
  # clock (start-up and calibration included, as for libFuzzer); else
  # AFL++'s own time stamp in the crash file name
  local first
  first=$(ls "$afl_out"/default/crashes/ 2>/dev/null | grep -o 'time:[0-9]*' | sort -t: -k2 -n | head -1) || true
  if [[ -n $first && $find == 1 ]]; then ttfc=$(elapsed "$start")
  elif [[ -n $first ]]; then ttfc=$(awk -v ms="${first#time:}" 'BEGIN { printf "%.1f", ms / 1000 }'); fi
  return 0
}

"run_$engine"
total=$(elapsed "$start")

# ---- crashes by ID, findings ----
declare -A count=() done_id=()
findings=()
mapfile -t files < <(ls -S -r "$crashes" 2>/dev/null | grep -v '^slow-unit-\|\.log$' || true)
for f in "${files[@]}"; do
  path="$crashes/$f"
  id=$(sf_classify "$engine" "$bin" "$path")
  count[$id]=$(( ${count[$id]:-0} + 1 ))
  if [[ ${done_id[$id]:-0} -lt $per_id ]]; then
    done_id[$id]=$(( ${done_id[$id]:-0} + 1 ))
    if [[ $target == prog && $id =~ ^[A-Z]+[0-9]+$ ]]; then
      sf_say "crash $f -> violation $id: minimizing"
      p=$(sf_finding "$path" "$id" "$engine" "$bin") && findings+=("$id|$p|$path")
    else
      mkdir -p "$SF_ROOT/findings"
      n=1; while [[ -e $SF_ROOT/findings/$id-$n.bin ]]; do n=$((n + 1)); done
      cp "$path" "$SF_ROOT/findings/$id-$n.bin"
      findings+=("$id|$SF_ROOT/findings/$id-$n.bin|$path")
    fi
  fi
done
[[ -f $crashes/startup-crash.log ]] && count[STARTUP]=1

rel() { echo "${1#"$SF_ROOT"/}"; }
echo
echo "== stackfuzz fuzz summary =="
printf '%-22s %s\n' "engine:" "$engine ($target target, $([[ $mutator == 1 && $target == prog ]] && echo structure-aware mutator || echo byte-level mutations))"
printf '%-22s %s\n' "configuration:" "$config"
printf '%-22s %s\n' "time:" "${total} s of $seconds s"
printf '%-22s %s\n' "executions:" "$execs ($eps exec/s)"
if [[ $engine == libfuzzer ]]; then
  printf '%-22s %s\n' "coverage:" "cov $cov edges, ft $ft features"
else
  printf '%-22s %s\n' "coverage:" "$cov edges ($extra)"
fi
printf '%-22s %s\n' "corpus:" "$corpus_n inputs ($(rel "$out"))"
if [[ ${#count[@]} -eq 0 ]]; then
  printf '%-22s %s\n' "violations:" "none"
else
  line=""
  for id in $(printf '%s\n' "${!count[@]}" | sort); do line+="$id x${count[$id]}  "; done
  printf '%-22s %s\n' "violations:" "$line"
  printf '%-22s %s\n' "time to first crash:" "${ttfc:-?} s"
  printf '%-22s %s\n' "crash files:" "$(rel "$crashes")/"
fi
# statements of a text program (indented lines other than `var`)
nstmts() { local n; n=$(grep -c '^  [^ ]' "$1") || true; echo "${n:-0}"; }
nvars() { local n; n=$(grep -c '^  var ' "$1") || true; echo "${n:-0}"; }
# what the fuzz binary needs besides the file (the .prog files say it themselves)
envs=""
[[ -n ${STACKFUZZ_BUGS:-} ]] && envs+="STACKFUZZ_BUGS=$STACKFUZZ_BUGS "
[[ -n ${STACKFUZZ_TARGET:-} && ${STACKFUZZ_TARGET:-} != linux/amd64 ]] && envs+="STACKFUZZ_TARGET=$STACKFUZZ_TARGET "
for e in "${findings[@]}"; do
  IFS='|' read -r id p src <<<"$e"
  echo
  if [[ $p == *.prog ]]; then
    nst=$(( $(nstmts "$p") - $(nvars "$p") ))
    echo "finding $id: $(rel "$p") ($nst statements, from $(rel "$src"))"
    for s in "$seeds_all"/*; do # a seed as it stands: say so
      if cmp -s "$s" "$src"; then
        echo "  the crashing input is the seed $(basename "$s") unchanged: the corpus already shows it"
        echo "  (FUZZ_DROP_FAILING_SEEDS=1 leaves such seeds out, so the fuzzer must build the bug)"
        break
      fi
    done
    reg="$SF_ROOT/corpus/regressions/bug-${STACKFUZZ_BUGS:-none}.prog"
    if [[ -f $reg ]]; then
      echo "  the hand-written regression $(rel "$reg") has $(( $(nstmts "$reg") - $(nvars "$reg") )) statements"
    fi
    echo "  replay:  build/bin/stackfuzz run $(rel "$p")"
  else
    echo "finding $id: $(rel "$p") (raw input, from $(rel "$src"))"
    if [[ $engine == libfuzzer ]]; then echo "  replay:  $envs$(rel "$bin") $(rel "$p")"
    else echo "  replay:  $envs$(rel "$bin") < $(rel "$p")"; fi
  fi
done
if [[ -n ${FUZZ_SUMMARY_FILE:-} ]]; then
  ids=""
  for id in $(printf '%s\n' "${!count[@]}" | sort); do ids+="$id:${count[$id]},"; done
  printf 'engine=%s\ntarget=%s\nmutator=%s\nseconds=%s\nexecs=%s\nexec_per_sec=%s\ncov=%s\nft=%s\ncorpus=%s\nviolations=%s\nttfc=%s\n' \
    "$engine" "$target" "$mutator" "$total" "$execs" "$eps" "$cov" "$ft" "$corpus_n" "${ids%,}" "$ttfc" >"$FUZZ_SUMMARY_FILE"
fi
if [[ ${FUZZ_FAIL_ON_CRASH:-0} == 1 && ${#count[@]} -gt 0 ]]; then
  echo; echo "fuzz: FAILED: the run crashed (see above)" >&2
  exit 1
fi
exit 0
