#!/usr/bin/env bash
# fuzz.sh: build and fuzz the reference runtime, then report (`make fuzz`).
#
#   scripts/fuzz.sh                       libFuzzer, 60 s, every bug off
#   FUZZ_ENGINE=afl scripts/fuzz.sh       the same with AFL++
#   FUZZ_JOBS=2 scripts/fuzz.sh           two cores (libFuzzer -jobs/-workers=2;
#                                         AFL++ one -M and one -S)
#   STACKFUZZ_BUGS=7695 scripts/fuzz.sh   bug switch on: stop at the first
#                                         violation, report time to it
#
# Results are never deleted. Each run gets its own directory
#   out/<engine>/<UTC time>/      (FUZZ_OUT replaces out/<engine>)
#     fuzz.log                    the engine's output (no escape codes)
#     progress.tsv                one sample every few seconds: elapsed,
#                                 executions, exec/s, coverage, corpus,
#                                 violations
#     plot.svg                    coverage, exec/s and corpus over time
#                                 (gnuplot; `make fuzz-report` redraws it)
#     crashes/                    every crashing input of this run
#     summary.txt, summary.env    the summary as printed / as key=value
#     afl/                        AFL++'s output directory (-M main, -S s1..)
#   out/<engine>/latest           -> the newest run directory
#   out/<engine>/corpus/          the corpus, growing from run to run
#   findings/<ID>-<n>.prog        minimized findings, accumulating across
#                                 runs; one already there is not written again
#
# Environment (all optional):
#   FUZZ_ENGINE      libfuzzer (default) or afl
#   FUZZ_SECONDS     time budget (default 60)
#   FUZZ_JOBS        fuzzing processes (default 1). libFuzzer: -workers=N
#                    (N processes sharing the one corpus directory, a
#                    new job replacing one that crashed); AFL++: one -M
#                    main and N-1 -S instances syncing through one output
#                    directory. The summary counts all of them.
#   FUZZ_TARGET      prog (default), text (the parser target)
#   FUZZ_FIND        1: stop at the first crash (default when STACKFUZZ_BUGS
#                    is set), 0: keep fuzzing (libFuzzer restarts after
#                    each crash, or -ignore_crashes with FUZZ_JOBS > 1;
#                    AFL++ keeps going anyway)
#   FUZZ_FRESH       1: start from the seed corpus only, in a corpus of this
#                    run's own (run/corpus); the shared corpus is neither
#                    used nor changed. Always so in find mode, which
#                    measures time to bug from the seeds.
#   FUZZ_MUTATOR     1 (default): structure-aware mutator on; 0: the
#                    engine's byte-level mutations only
#   FUZZ_PROGRESS_SECONDS  seconds between progress lines (default 5)
#   FUZZ_AFL_HAVOC   1: AFL++'s byte havoc after the structure-aware mutator
#                    (default 0: AFL_CUSTOM_MUTATOR_ONLY=1, see run_afl)
#   FUZZ_AFL_TIMEOUT afl-fuzz -t in ms (default 1000; slower inputs are hangs)
#   FUZZ_SEED        engine seed (libFuzzer -seed, AFL++ -s), for repeatable runs
#   FUZZ_LIBFUZZER_FLAGS  extra libFuzzer flags, space-separated, after the
#                    generated fuzz_TARGET.options (e.g. -len_control=100)
#   FUZZ_OUT         base directory (default out/<engine>), see above
#   FUZZ_AFL_INPUT   AFL++ input directory (default: the shared corpus,
#                    or the seeds; e.g. out/afl/cmin)
#   FUZZ_FAIL_ON_CRASH 1: exit 1 if anything crashed (CI)
#   FUZZ_NO_BUILD    1: do not build (the caller did)
#   FUZZ_QUIET       1: no live progress, just the summary
#   FUZZ_VERBOSE     1: also copy the engine's own output to stderr
#   FUZZ_FINDINGS_PER_ID  crashes minimized per violation ID (default 1;
#                    0: classify crashes but write no findings, for benchmarks)
#   FUZZ_SEEDS       seed directory (default: the generated seed corpus)
#   FUZZ_DROP_FAILING_SEEDS  1: with STACKFUZZ_BUGS set, leave out the seeds
#                    that already fail with the switches on, so that the
#                    fuzzer must build the bug itself (what bench/fuzz_ttb.sh
#                    measures); by default they stay, and a crash that is
#                    a seed as it stands is named as such in the summary
#   FUZZ_SUMMARY_FILE  also write the summary as key=value lines there
#   FUZZ_REACHED     0: leave out the reached counts over the corpus
#   FUZZ_ORACLE      go: real Go as a second oracle; the kept inputs go to Go
#                    in batches (FUZZ_ORACLE_EVERY, FUZZ_ORACLE_BATCH) and a
#                    disagreement is a finding, findings/GO-<n>.prog
#                    (scripts/fuzz_oracle.sh)
#   STACKFUZZ_BUGS, STACKFUZZ_TARGET, STACKFUZZ_BUDGET, STACKFUZZ_MAXSTACK,
#   STACKFUZZ_SWITCHED_ONLY: what the fuzz binaries run (fuzz/fuzz_entry.h;
#                    scripts/lib.sh keeps this configuration in one
#                    place); with STACKFUZZ_BUGS set, STACKFUZZ_SWITCHED_ONLY
#                    defaults to 1: only violations the switches cause are
#                    crashes
# Output: a progress line every few seconds, then a summary (executions,
# exec/s, coverage, corpus size, crashes by ID, time to first crash, the
# run directory and its plot) and, per violation ID, a minimized program
# findings/<ID>-<n>.prog whose `# config:` line replays it with a bare
# `stackfuzz run`. Exit 0; 1 when anything is found with every switch off
# (a runtime or truth bug) or, with FUZZ_FAIL_ON_CRASH=1, at all; 2 on usage.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=fuzz_oracle.sh
source "$(dirname "${BASH_SOURCE[0]}")/fuzz_oracle.sh"

engine=${FUZZ_ENGINE:-libfuzzer}
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
target=${FUZZ_TARGET:-prog}
mutator=${FUZZ_MUTATOR:-1}
every=${FUZZ_PROGRESS_SECONDS:-5}
find=${FUZZ_FIND:-}
[[ -z $find ]] && { [[ -n ${STACKFUZZ_BUGS:-} && ${STACKFUZZ_BUGS:-} != none ]] && find=1 || find=0; }
base=${FUZZ_OUT:-$SF_ROOT/out/$engine}
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
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: FUZZ_JOBS must be a positive number, not '$jobs'" >&2; exit 2; }
[[ $every =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: FUZZ_PROGRESS_SECONDS must be a positive number" >&2; exit 2; }
[[ $target == prog || $target == text ]] || { echo "fuzz: FUZZ_TARGET must be prog or text" >&2; exit 2; }

if [[ ${FUZZ_NO_BUILD:-0} == 1 ]]; then sf_load_consts; else sf_build "$engine"; fi

# What runs, with which seeds and dictionary.
if [[ $target == prog ]]; then
  kind=prog
  bin=$(sf_bin "$engine" prog)
  [[ $engine == libfuzzer && $mutator == 0 ]] && bin=$(sf_bin libfuzzer prog_bytes)
else
  kind=text
  bin=$(sf_bin "$engine" text)
fi
# the dictionary and libFuzzer options: generated by the build, the same
# files the OSS-Fuzz build ships (fuzz/gen_fuzz_files.sh)
dict=$(sf_dict "$engine" "$kind")
seeds=${FUZZ_SEEDS:-$(sf_seed_dir "$engine" "$kind")}
[[ -x $bin ]] || sf_die "$bin not built"
[[ -d $seeds ]] || sf_die "no seed corpus at $seeds"

# ---- this run's directory (never reused, never deleted) ----
stamp=$(date -u +%Y%m%dT%H%M%SZ)
run="$base/$stamp"
n=1
while [[ -e $run ]]; do run="$base/$stamp-$n"; n=$((n + 1)); done
crashes="$run/crashes"
mkdir -p "$crashes"
ln -sfn "$(basename "$run")" "$base/latest"
progress_tsv="$run/progress.tsv"
printf '# elapsed_s\texecs\texec_per_s\tcoverage\tcorpus\tviolations\tjobs\tprocesses\tcores_busy\n' >"$progress_tsv"

seeds_all=$seeds
if [[ ${FUZZ_DROP_FAILING_SEEDS:-0} == 1 && $target == prog && -n ${STACKFUZZ_BUGS:-} && ${STACKFUZZ_BUGS:-} != none ]]; then
  left=$(sf_filter_seeds "$seeds" "$run/seeds-kept")
  seeds="$run/seeds-kept"
  sf_say "left out $left seeds that already fail with bugs=$STACKFUZZ_BUGS; fuzzing from the other $(ls "$seeds" | wc -l)"
fi
# The corpus: shared by the runs of this engine and target, growing from
# run to run; a fresh (or find-mode) run has one of its own.
fresh=0
[[ $find == 1 || ${FUZZ_FRESH:-0} == 1 ]] && fresh=1
if [[ $fresh == 1 ]]; then corpus="$run/corpus"
elif [[ $target == prog ]]; then corpus="$base/corpus"
else corpus="$base/corpus-text"; fi
mkdir -p "$corpus"
config=$(sf_config_desc)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
rel() { echo "${1#"$SF_ROOT"/}"; }
# crash artifacts so far (slow-unit-* files are libFuzzer's notes, not crashes)
ncrashes() { find "$crashes" -maxdepth 1 -type f ! -name 'slow-unit-*' ! -name '*.log' | wc -l; }
# The fuzzing processes at work: every process running $bin (libFuzzer's
# process, or its -jobs parent and workers; AFL++'s fork servers and
# persistent targets), one "pid ppid all" line each: CPU clock ticks of
# the process and its finished children (utime + stime + cutime + cstime,
# /proc/PID/stat fields 14-17), where the time of libFuzzer's finished
# jobs and of AFL++'s restarted targets lands.
bin_procs() {
  local p
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/exe" 2>/dev/null) == "$bin" ]] || continue
    awk -v pid="${p#/proc/}" '{ sub(/^.*\) /, ""); print pid, $2, $12 + $13 + $14 + $15 }' "$p/stat" 2>/dev/null || true
  done
}
hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
# Engine output -> log file: escape sequences and carriage returns removed.
clean_log() { sed -u -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[()][A-Z0-9]//g' -e 's/\r//g'; }
tee_log() {
  if [[ ${FUZZ_VERBOSE:-0} == 1 ]]; then clean_log | tee -a "$1" >&2; else clean_log >>"$1"; fi
}

sf_say "engine=$engine target=$target seconds=$seconds jobs=$jobs mode=$([[ $find == 1 ]] && echo find-first-crash || echo explore) mutator=$([[ $mutator == 1 ]] && echo structure-aware || echo bytes) $config"
sf_say "run directory: $(rel "$run")"

start=$(now)
ttfc=""            # time to first crash (s)
execs=0 cov="-" ft="-" corpus_n=0 eps="-" extra=""
afl_out="$run/afl"

# ---- progress: one sample every $every seconds, for both engines ----
# sample prints "execs coverage corpus violations" as of now.
sample_libfuzzer() {
  local l e=0 c="-" x
  # one process: libfuzzer-<attempt>.log; FUZZ_JOBS > 1: one fuzz-<job>.log
  # per job (libFuzzer -jobs writes them), each a process of its own
  for l in "$run"/libfuzzer-*.log "$run"/fuzz-*.log; do
    [[ -f $l ]] || continue
    # executions: the last status line, or the final stats of a finished
    # process, whichever is larger
    x=$(awk '/^#[0-9]+\t/ { n = substr($1, 2) + 0 }
             / cov: [0-9]+/ { for (i = 1; i < NF; i++) if ($i == "cov:") c = $(i + 1) }
             /stat::number_of_executed_units/ { if ($2 + 0 > n) n = $2 + 0 }
             END { print n + 0, (c == "" ? "-" : c) }' "$l")
    e=$((e + ${x%% *}))
    [[ ${x#* } != - && ( $c == - || ${x#* } -gt $c ) ]] && c=${x#* }
  done
  echo "$e $c $(find "$corpus" -maxdepth 1 -type f | wc -l) $(ncrashes)"
}
# AFL++: the StatsD metrics each instance sends about once a second
# (fuzz_statsd_sink), else its fuzzer_stats; crashes counted as files.
sample_afl() {
  local d e=0 c=0 q=0 v=0 f x
  for d in "$afl_out"/*/; do
    [[ -d $d ]] || continue
    f="$run/stats/$(basename "$d").live"
    [[ -s $f ]] || f="$d/fuzzer_stats"
    [[ -f $f ]] || continue
    x=$(awk '$1 == "execs_done" { print ($2 == ":" ? $3 : $2) }' "$f"); e=$((e + ${x:-0}))
    x=$(awk '$1 == "edges_found" { print ($2 == ":" ? $3 : $2) }' "$f"); [[ ${x:-0} -gt $c ]] && c=${x:-0}
    x=$(find "$d/queue" -maxdepth 1 -type f -name 'id:*' 2>/dev/null | wc -l); [[ $x -gt $q ]] && q=$x
    x=$(find "$d/crashes" -maxdepth 1 -type f -name 'id:*' 2>/dev/null | wc -l); v=$((v + x))
  done
  echo "$e $c $q $v"
}
monitor() {
  local t pe=0 pt=0 e c q v rate np cores pid ppid tot all pall=0
  local -A prev=()
  while :; do
    sleep "$every"
    t=$(elapsed "$start")
    read -r e c q v <<<"$("sample_$engine")"
    rate=$(awk -v e="$e" -v pe="$pe" -v t="$t" -v pt="$pt" 'BEGIN { printf "%d", (t > pt ? (e - pe) / (t - pt) : 0) }')
    # fuzzing processes now: those whose parent is not one of them (AFL++'s
    # fork servers, libFuzzer's processes) and which, with their children,
    # used CPU since the last sample; and the cores all of them kept busy
    np=0 all=0
    local -A cur=() par=()
    while read -r pid ppid tot; do
      [[ -n $pid ]] || continue
      cur[$pid]=$tot par[$pid]=$ppid
      all=$((all + tot))
    done < <(bin_procs)
    # each process's CPU since the last sample goes to its root (an AFL++
    # target to its fork server, a libFuzzer job to itself)
    local -A acc=()
    local r
    for pid in "${!cur[@]}"; do
      r=$pid
      while [[ -n ${cur[${par[$r]}]:-} ]]; do r=${par[$r]}; done
      acc[$r]=$(( ${acc[$r]:-0} + cur[$pid] - ${prev[$pid]:-0} ))
    done
    for r in "${!acc[@]}"; do
      awk -v d="${acc[$r]}" -v hz="$hz" -v t="$t" -v pt="$pt" \
        'BEGIN { exit !(t > pt && d / hz / (t - pt) >= 0.05) }' && np=$((np + 1))
    done
    prev=()
    for pid in "${!cur[@]}"; do prev[$pid]=${cur[$pid]}; done
    unset cur par acc
    cores=$(awk -v k="$((all - pall))" -v hz="$hz" -v t="$t" -v pt="$pt" 'BEGIN { if (k < 0) k = 0; printf "%.2f", (t > pt ? k / hz / (t - pt) : 0) }')
    pall=$all
    pe=$e pt=$t
    # (no numbers yet, e.g. AFL++ still loading its input: no sample)
    [[ $e -gt 0 ]] &&
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$e" "$rate" "$c" "$q" "$v" "$jobs" "$np" "$cores" >>"$progress_tsv"
    [[ ${FUZZ_QUIET:-0} == 1 ]] ||
      printf 'fuzz: [%6ss] execs %s (%s/s)  coverage %s  corpus %s  violations %s  processes %s (%s cores busy)\n' \
        "$t" "$e" "$rate" "$c" "$q" "$v" "$np" "$cores" >&2
    # find mode with several AFL++ instances: the first crash ends them all
    if [[ $engine == afl && $find == 1 && $v -gt 0 && -f $run/afl.pids ]]; then
      kill -INT $(cat "$run/afl.pids") 2>/dev/null || true
    fi
  done
}

run_libfuzzer() {
  local k=0 rc remaining log seen
  sf_lf_options libfuzzer "$kind"
  local args=("${SF_LF_OPTS[@]}" -print_final_stats=1 -artifact_prefix="$crashes/")
  [[ -n ${FUZZ_SEED:-} ]] && args+=(-seed="$FUZZ_SEED")
  # extra libFuzzer flags, after the generated options (so they override)
  local extra_flags=()
  read -r -a extra_flags <<<"${FUZZ_LIBFUZZER_FLAGS:-}"
  args+=(${extra_flags[@]+"${extra_flags[@]}"})
  if [[ $jobs -gt 1 ]]; then run_libfuzzer_jobs; return; fi
  while :; do
    remaining=$(awk -v s="$seconds" -v e="$(elapsed "$start")" 'BEGIN { r = int(s - e + 0.5); print (r > 0 ? r : 0) }')
    [[ $remaining -gt 0 ]] || break
    k=$((k + 1))
    log="$run/libfuzzer-$k.log"
    seen=$(ncrashes)
    set +e
    "$bin" "${args[@]}" -max_total_time="$remaining" "$corpus" "$seeds" 2>&1 | tee_log "$log"
    rc=${PIPESTATUS[0]}
    set -e
    [[ $rc -eq 0 ]] && break
    [[ -z $ttfc ]] && ttfc=$(elapsed "$start")
    if [[ $(ncrashes) -le $seen ]]; then
      # no new artifact: a crash at start-up (it would repeat forever), or
      # libFuzzer refused to run
      grep -q 'ERROR: libFuzzer\|==stackfuzz==\|Sanitizer' "$log" ||
        sf_die "libFuzzer exited with status $rc (log: $(rel "$log"))"
      sf_say "libFuzzer crashed at start-up without a crash file; stopping (log: $(rel "$log"))"
      cp "$log" "$crashes/startup-crash.log"
      break
    fi
    [[ $find == 1 ]] && break
    sf_say "crash saved; restarting libFuzzer for the remaining time"
  done
  libfuzzer_totals
}

# FUZZ_JOBS > 1: libFuzzer -jobs/-workers, N processes fuzzing the one
# corpus directory (each reloads what the others add every second), each
# with its own log fuzz-<job>.log in the run directory (the parent's is
# jobs.log). A job ends at a
# crash and the next one takes its place; the whole group is stopped at
# the time limit, or at the first crash in find mode. (Measured here
# against -fork=N: more executions in short runs, because fork mode merges
# the corpus in one process first and restarts its workers every few
# seconds; see README "Fuzzing".)
run_libfuzzer_jobs() {
  local pid t
  (cd "$run" && exec setsid "$bin" "${args[@]}" -jobs=$((jobs * 1000)) -workers="$jobs" \
     -max_total_time=$((seconds + 600)) "$corpus" "$seeds") > >(tee_log "$run/jobs.log") 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 0.5
    t=$(elapsed "$start")
    if [[ -z $ttfc && $(ncrashes) -gt 0 ]]; then
      ttfc=$t
      [[ $find == 1 ]] && break
    fi
    awk -v t="$t" -v s="$seconds" 'BEGIN { exit !(t >= s) }' && break
  done
  # the parent first (it would start new jobs), then the workers: its
  # process group (setsid made it); SIGINT lets them print final stats
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  kill -INT -- -"$pid" 2>/dev/null || true
  for t in 1 2 3 4 5 6 7 8 9 10; do pgrep -g "$pid" >/dev/null || break; sleep 0.5; done
  kill -KILL -- -"$pid" 2>/dev/null || true
  sleep 0.5   # the log filter drains
  libfuzzer_totals
}

libfuzzer_totals() {
  local x total
  read -r execs cov corpus_n _ <<<"$(sample_libfuzzer)"
  x=$( { cat "$run"/libfuzzer-*.log "$run"/fuzz-*.log 2>/dev/null || true; } | { grep -ao 'ft: [0-9]*' || true; } | awk '{ if ($2 > m) m = $2 } END { print m + 0 }')
  ft=$x
  total=$(elapsed "$start")
  eps=$(awk -v x="$execs" -v t="$total" 'BEGIN { printf "%d", (t > 0 ? x / t : 0) }')
}

run_afl() {
  local log="$run/fuzz.log" rc=0
  local sink="$SF_ROOT/build/fuzz/fuzz_statsd_sink"
  mkdir -p "$run/stats"
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
    # The custom mutator only (it makes byte edits of its own, a quarter;
    # FUZZ_AFL_HAVOC=1 keeps AFL++'s havoc after it). Havoc doubles its stage whenever the queue grew
    # during it, and byte edits of a program encoding nearly always reach
    # a new edge in the decoder or the repair: with the ~100 seeds, havoc
    # on the first queue entry alone ran for the whole minute and the
    # seeds a switch needs were never fuzzed (issue 13; fuzz/afl_mutator.c
    # bounds the custom stage the same way).
    [[ ${FUZZ_AFL_HAVOC:-0} == 1 ]] || env+=(AFL_CUSTOM_MUTATOR_ONLY=1)
  fi
  [[ $find == 1 ]] && env+=(AFL_BENCH_UNTIL_CRASH=1)
  # input: the shared corpus (seeded with the seeds), or the seeds alone
  local input=${FUZZ_AFL_INPUT:-}
  if [[ -z $input && $fresh == 0 ]]; then
    cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true
    input=$corpus
  fi
  [[ -n $input ]] || input=$seeds
  local args=(-i "$input" -o "$afl_out" -V "$seconds" -x "$dict" -t "${FUZZ_AFL_TIMEOUT:-1000}")
  local i name port pids=() sinks=()
  for ((i = 0; i < jobs; i++)); do
    if [[ $i == 0 ]]; then name=main; else name=s$i; fi
    local role=(-M "$name")
    [[ $i == 0 ]] || role=(-S "$name")
    local seed=()
    [[ -n ${FUZZ_SEED:-} ]] && seed=(-s "$((FUZZ_SEED + i))")
    # live numbers: AFL++ sends StatsD metrics to a sink of its own
    local statsd=()
    if [[ -x $sink ]]; then
      "$sink" "$run/stats/$name.live" >"$run/stats/$name.port" &
      sinks+=($!) bg_pids+=($!)
      local w
      for w in 1 2 3 4 5 6 7 8 9 10; do [[ -s $run/stats/$name.port ]] && break; sleep 0.1; done
      port=$(cat "$run/stats/$name.port" 2>/dev/null) || port=""
      [[ -n $port ]] && statsd=(AFL_STATSD=1 AFL_STATSD_PORT="$port")
    fi
    # afl-fuzz sets its own sanitizer options (it insists on abort_on_error=1);
    # $! is afl-fuzz itself (env execs it), its output goes through tee_log
    env -u ASAN_OPTIONS -u UBSAN_OPTIONS "${env[@]}" "${statsd[@]}" \
      afl-fuzz "${args[@]}" "${role[@]}" "${seed[@]}" -- "$bin" \
      > >(tee_log "$run/afl-$name.log") 2>&1 &
    pids+=($!)
  done
  # find mode: the monitor stops every instance at the first crash
  echo "${pids[@]}" >"$run/afl.pids"
  for i in "${pids[@]}"; do wait "$i" || rc=1; done
  rm -f "$run/afl.pids"
  if [[ ${#sinks[@]} -gt 0 ]]; then
    kill "${sinks[@]}" 2>/dev/null || true
    wait "${sinks[@]}" 2>/dev/null || true
  fi
  sleep 0.5   # the log filters drain
  for name in "$run"/afl-*.log; do
    { echo "=== $(basename "$name" .log)"; cat "$name"; } >>"$log"
  done
  [[ -f $afl_out/main/fuzzer_stats ]] || sf_die "afl-fuzz failed (status $rc), no fuzzer_stats; see $(rel "$log")"
  # totals over every instance
  local st e=0 c=0 q=0 stab="" hangs=0
  for st in "$afl_out"/*/fuzzer_stats; do
    afl_stat() { awk -v k="$1" '$1 == k { print $3 }' "$st"; }
    e=$((e + $(afl_stat execs_done)))
    [[ $(afl_stat edges_found) -gt $c ]] && c=$(afl_stat edges_found)
    [[ $(afl_stat corpus_count) -gt $q ]] && q=$(afl_stat corpus_count)
    hangs=$((hangs + $(afl_stat saved_hangs)))
    stab+="$(basename "$(dirname "$st")") $(afl_stat stability), "
  done
  execs=$e cov=$c corpus_n=$q ft="-"
  eps=$(awk -v x="$execs" -v t="$(elapsed "$start")" 'BEGIN { printf "%d", (t > 0 ? x / t : 0) }')
  extra="stability ${stab%, }; $hangs hangs"
  # afl-fuzz exits 0 even with crashes: the crashes directories are the truth
  local cf first="" t
  for cf in "$afl_out"/*/crashes/id:*; do
    [[ -e $cf ]] || continue
    name=$(basename "$(dirname "$(dirname "$cf")")")
    cp "$cf" "$crashes/$name-$(basename "$cf" | tr ':,' '__')"
    t=$(grep -o 'time:[0-9]*' <<<"$cf" | cut -d: -f2) || true
    [[ -n $t ]] && { [[ -z $first || $t -lt $first ]] && first=$t; }
  done
  # the shared corpus grows by what every instance queued (content-named)
  if [[ $fresh == 0 && -z ${FUZZ_AFL_INPUT:-} ]]; then
    local qf h
    while read -r h qf; do
      [[ -e $corpus/$h ]] || cp "$qf" "$corpus/$h"
    done < <(find "$afl_out" -path '*/queue/id:*' -type f -print0 | xargs -0 -r sha1sum)
  fi
  # time to first crash: in find mode afl-fuzz stops at it, so the wall
  # clock (start-up and calibration included, as for libFuzzer); else
  # AFL++'s own time stamp in the crash file name
  if [[ -n $first && $find == 1 ]]; then ttfc=$(elapsed "$start")
  elif [[ -n $first ]]; then ttfc=$(awk -v ms="$first" 'BEGIN { printf "%.1f", ms / 1000 }'); fi
  return 0
}

monitor &
monitor_pid=$!
# however this script ends, the monitor ends with it
bg_pids=()   # AFL++'s StatsD sinks
oracle_pid=""
if sf_oracle_enabled; then
  sf_say "FUZZ_ORACLE=go: kept inputs go to real Go every ${FUZZ_ORACLE_EVERY:-20} s"
  sf_oracle_loop &
  oracle_pid=$!
  bg_pids+=("$oracle_pid")
fi
trap 'kill "$monitor_pid" "${bg_pids[@]}" 2>/dev/null || true' EXIT
"run_$engine"
total=$(elapsed "$start")
kill "$monitor_pid" 2>/dev/null || true
wait "$monitor_pid" 2>/dev/null || true
# busy fuzzing processes and cores: the mean over the samples that had any
read -r procs cpu < <(awk -F '\t' '!/^#/ && $8 > 0 { n++; p += $8; c += $9 } END { printf "%.1f %.2f\n", (n ? p / n : 0), (n ? c / n : 0) }' "$progress_tsv")
# the last sample: the engine's own final numbers
nviol=$(ncrashes)
# (exec/s since the last sample, as in the others)
last_rate=$(awk -F '\t' -v e="$execs" -v t="$total" '!/^#/ { le = $2; lt = $1 } END { printf "%d", (t > lt ? (e - le) / (t - lt) : 0) }' "$progress_tsv")
[[ $last_rate -lt 0 ]] && last_rate=0
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t0\t0\n' "$total" "$execs" "$last_rate" "${cov/-/0}" "$corpus_n" "$nviol" "$jobs" >>"$progress_tsv"

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
      p=$(sf_finding_raw "$path" "$id") && findings+=("$id|$p|$path")
    fi
  fi
done
[[ -f $crashes/startup-crash.log ]] && count[STARTUP]=1
ofindings=()
if [[ -n $oracle_pid ]]; then
  sf_oracle_stop "$oracle_pid"
  sf_say "FUZZ_ORACLE=go: the last batch, then minimizing disagreements"
  mapfile -t ofindings < <(sf_oracle_finish)
fi

plot="$run/plot.svg"
plotmsg=$(rel "$plot")
"$SF_ROOT/scripts/fuzz_plot.sh" "$run" >/dev/null 2>"$run/plot.err" || plotmsg="none ($(head -1 "$run/plot.err"))"
[[ $plotmsg == none* ]] || rm -f "$run/plot.err"

{
echo
echo "== stackfuzz fuzz summary =="
printf '%-22s %s\n' "engine:" "$engine ($target target, $([[ $mutator == 1 && $target == prog ]] && echo structure-aware mutator || echo byte-level mutations))"
printf '%-22s %s\n' "configuration:" "$config"
if [[ $engine == libfuzzer ]]; then
  jdesc=$([[ $jobs -gt 1 ]] && echo "libFuzzer -jobs -workers=$jobs: $jobs worker processes" || echo "1 process")
else
  jdesc="$jobs afl-fuzz instance$([[ $jobs -gt 1 ]] && echo "s: main (-M) and $((jobs - 1)) secondary (-S)" || true)"
fi
printf '%-22s %s\n' "jobs:" "$jdesc; on average $procs fuzzing processes, $cpu cores busy"
printf '%-22s %s\n' "time:" "${total} s of $seconds s"
printf '%-22s %s\n' "executions:" "$execs ($eps exec/s$([[ $jobs -gt 1 ]] && echo ", all $jobs processes"))"
if [[ $engine == libfuzzer ]]; then
  printf '%-22s %s\n' "coverage:" "cov $cov edges, ft $ft features"
else
  printf '%-22s %s\n' "coverage:" "$cov edges ($extra)"
fi
printf '%-22s %s\n' "corpus:" "$corpus_n inputs ($(rel "$corpus")$([[ $fresh == 1 ]] && echo ", this run's own"))"
if [[ $target == prog && ${FUZZ_REACHED:-1} == 1 ]]; then
  mapfile -t reached < <(sf_reached "$corpus")
  if ((${#reached[@]} == 2)); then
    printf '%-22s %s\n' "reached (corpus):" "${reached[0]}"
    printf '%-22s %s\n' "" "${reached[1]}"
  fi
fi
if [[ ${#count[@]} -eq 0 ]]; then
  printf '%-22s %s\n' "violations:" "none"
else
  line=""
  for id in $(printf '%s\n' "${!count[@]}" | sort); do line+="$id x${count[$id]}  "; done
  printf '%-22s %s\n' "violations:" "$line"
  printf '%-22s %s\n' "time to first crash:" "${ttfc:-?} s"
  printf '%-22s %s\n' "crash files:" "$(rel "$crashes")/"
fi
[[ -n $oracle_pid ]] && printf '%-22s %s\n' "oracle (go):" "$(sf_oracle_summary)"
printf '%-22s %s\n' "run directory:" "$(rel "$run")/ (log, progress.tsv, crashes/)"
printf '%-22s %s\n' "plot:" "$plotmsg"
# statements of a text program (indented lines other than `var`)
nstmts() { local n; n=$(grep -c '^  [^ ]' "$1") || true; echo "${n:-0}"; }
nvars() { local n; n=$(grep -c '^  var ' "$1") || true; echo "${n:-0}"; }
for e in "${findings[@]}"; do
  IFS='|' read -r id p src <<<"$e"
  echo
  dup=""
  [[ $p == *' (already found)' ]] && { p=${p% (already found)}; dup=1; }
  if [[ $p == *.prog ]]; then
    nst=$(( $(nstmts "$p") - $(nvars "$p") ))
    if [[ -n $dup ]]; then
      echo "finding $id: $(rel "$p") again ($nst statements; the same minimized program, from $(rel "$src"))"
    else
      echo "finding $id: $(rel "$p") ($nst statements, from $(rel "$src"))"
    fi
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
    echo "finding $id: $(rel "$p")$([[ -n $dup ]] && echo " again") (raw input, from $(rel "$src"))"
    if [[ $engine == libfuzzer ]]; then echo "  replay:  $(sf_config_env)$(rel "$bin") $(rel "$p")"
    else echo "  replay:  $(sf_config_env)$(rel "$bin") < $(rel "$p")"; fi
  fi
done
for e in "${ofindings[@]}"; do
  IFS='|' read -r id p src <<<"$e"
  echo
  if [[ $p == *' (already found)' ]]; then
    echo "finding GO (model vs Go): $(rel "${p% (already found)}") again (from $(rel "$src"))"
  else
    echo "finding GO (model vs Go): $(rel "$p") ($(( $(nstmts "$p") - $(nvars "$p") )) statements, from $(rel "$src"))"
  fi
  echo "  compare: build/bin/stackfuzz diff $(rel "${p% (already found)}")"
done
} | tee "$run/summary.txt"

ids=""
for id in $(printf '%s\n' "${!count[@]}" | sort); do ids+="$id:${count[$id]},"; done
printf 'engine=%s\ntarget=%s\nmutator=%s\njobs=%s\nprocesses=%s\ncpu_cores=%s\nseconds=%s\nexecs=%s\nexec_per_sec=%s\ncov=%s\nft=%s\ncorpus=%s\nviolations=%s\nttfc=%s\nrun=%s\nplot=%s\n' \
  "$engine" "$target" "$mutator" "$jobs" "$procs" "$cpu" "$total" "$execs" "$eps" "$cov" "$ft" "$corpus_n" "${ids%,}" "$ttfc" "$run" "$plot" >"$run/summary.env"
[[ -n ${FUZZ_SUMMARY_FILE:-} ]] && cp "$run/summary.env" "$FUZZ_SUMMARY_FILE"
if [[ ${FUZZ_FAIL_ON_CRASH:-0} == 1 && ${#count[@]} -gt 0 ]]; then
  echo; echo "fuzz: FAILED: the run crashed (see above)" >&2
  exit 1
fi
# with every switch off the runtime must be correct: anything found is a
# bug of the runtime or of the truth, and the run says so by its status
if [[ ${#ofindings[@]} -gt 0 ]]; then
  echo; echo "fuzz: the model and real Go disagree: a model bug, or a documented model decision (exit 1)" >&2
  exit 1
fi
if [[ -z ${STACKFUZZ_BUGS:-} || ${STACKFUZZ_BUGS:-} == none ]] && [[ ${#count[@]} -gt 0 ]]; then
  echo; echo "fuzz: found with every bug switch off: a runtime or truth bug (exit 1)" >&2
  exit 1
fi
exit 0
