# shellcheck shell=bash
# lib.sh: the one library of scripts/*.sh and bench/*.sh (bench/lib.sh
# adds the benchmarks' helpers on top). Sourced, not run; callers have
# `set -euo pipefail`. Every build any script needs goes through
# sf_build_preset (the CMake presets, as `make build` and `make asan`),
# and every number shared with the C side comes from sf_consts.sh, which
# the build generates from the headers (fuzz/fuzz_consts.c).
#
# Provides:
#   SF_ROOT                  repository root (absolute)
#   sf_say / sf_die          messages on stderr ("fuzz: ..."), die exits 1
#   sf_preset_dir PRESET     a preset's build directory (dev -> build, ...)
#   sf_build_preset PRESET [TARGET...]  configure once, build TARGETs (all
#                            by default) quietly; the log on failure
#   sf_build ENGINE          the dev CLI and the engine's fuzz targets
#                            (libfuzzer -> build-libfuzzer, afl -> build-afl)
#   sf_load_consts [DIR]     source DIR/fuzz/sf_consts.sh (default build/):
#                            SF_PROG_BIN_MAX, SF_FUZZ_BUDGET, SF_RUN_BUDGET,
#                            SF_BUGS, the binary layout...; sets SF_BUDGET
#                            and SF_MAXSTACK (environment or default)
#   sf_lf_options ENGINE TARGET  the libFuzzer options of fuzz_TARGET
#                            (<build>/fuzz/fuzz_TARGET.options, generated)
#                            into the array SF_LF_OPTS, one -key=value each,
#                            the dictionary's path made absolute
#   sf_dict ENGINE TARGET    the generated dictionary of fuzz_TARGET
#   sf_bug_target BUG        the target switch BUG needs: its regression
#                            program's (corpus/regressions/bug-BUG.prog)
#   sf_bin ENGINE TARGET     path of a fuzz binary (TARGET: prog, prog_bytes,
#                            text, empty)
#   sf_seed_dir ENGINE KIND  generated seed corpus (KIND: prog or text)
#   sf_classify ENGINE BIN FILE  prints the ID of what FILE triggers on BIN: an
#                            invariant ID (DEF2, STK1, ...), or ASAN-<kind>,
#                            UBSAN, LEAK, TIMEOUT, OOM, TEXT, or UNREPRODUCED
#   sf_finding FILE ID ENGINE BIN  decode + config header + op-level minimize
#                            into findings/<ID>-<n>.prog; prints its path,
#                            or "PATH (already found)" when findings/ has
#                            the same minimized program for ID already
#   sf_finding_raw FILE ID   copy a non-program crash to findings/<ID>-<n>.bin
#                            (deduplicated by content the same way)
#   sf_config_line           the `# config:` line of a finding
#   sf_config_env            the environment assignments for replaying a raw
#                            input on a fuzz binary
#   sf_filter_seeds SRC DST  copy the seeds in SRC that do not already fail
#                            with STACKFUZZ_BUGS/TARGET on (a full run) to
#                            DST; prints how many were left out
# Configuration in effect (read by the fuzz binaries themselves):
#   STACKFUZZ_BUGS, STACKFUZZ_TARGET, STACKFUZZ_BUDGET, STACKFUZZ_MAXSTACK
# This file is the one place the scripts know that configuration: the
# defaults (from sf_consts.sh), sf_config_line (findings), sf_config_desc
# (summaries), sf_config_env (replay commands).

SF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SF_CLI="$SF_ROOT/build/bin/stackfuzz"
# Sanitizer settings for every fuzz binary run by these scripts: UBSan
# findings are fatal (the presets also build with -fno-sanitize-recover).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

sf_say() { printf 'fuzz: %s\n' "$*" >&2; }
sf_die() { printf 'fuzz: error: %s\n' "$*" >&2; exit 1; }

sf_preset_dir() {
  case $1 in
    dev) echo "$SF_ROOT/build" ;;
    asan|release|libfuzzer|afl|coverage) echo "$SF_ROOT/build-$1" ;;
    *) sf_die "unknown preset '$1' (CMakePresets.json)" ;;
  esac
}

# SF_CMAKE_ARGS (an array, optional): extra arguments for the first
# configure only (e.g. -DCMAKE_C_COMPILER=... for coverage.sh).
sf_build_preset() {
  local preset=$1 dir log
  shift
  dir=$(sf_preset_dir "$preset")
  if [[ ! -f $dir/CMakeCache.txt ]]; then
    sf_say "configuring the $preset preset -> ${dir#"$SF_ROOT"/}"
    (cd "$SF_ROOT" && cmake --preset "$preset" ${SF_CMAKE_ARGS[@]+"${SF_CMAKE_ARGS[@]}"} >/dev/null) ||
      sf_die "cmake --preset $preset failed"
  fi
  local targets=()
  (($#)) && targets=(--target "$@")
  log="$dir/sf-build.log"
  : >"$log"
  # A CMakeLists.txt changed since the last configure may add a target:
  # make reads the old Makefile before regenerating it, so regenerate
  # first (the Makefile generator's own check, cheap when nothing changed).
  if [[ -f $dir/Makefile ]]; then
    make -C "$dir" --no-print-directory cmake_check_build_system >>"$log" 2>&1 ||
      { tail -30 "$log" >&2; sf_die "re-configuring ${dir#"$SF_ROOT"/} failed"; }
  fi
  cmake --build "$dir" -j"${JOBS:-2}" ${targets[@]+"${targets[@]}"} >>"$log" 2>&1 || {
    tail -30 "$log" >&2
    sf_die "building ${*:-everything} in ${dir#"$SF_ROOT"/} failed (full log: ${dir#"$SF_ROOT"/}/sf-build.log)"
  }
}

sf_build_dir() {
  case $1 in
    libfuzzer|afl) sf_preset_dir "$1" ;;
    *) sf_die "unknown engine '$1' (want libfuzzer or afl)" ;;
  esac
}

sf_build() {
  local engine=$1
  case $engine in
    libfuzzer) command -v clang-14 >/dev/null || sf_die "clang-14 missing (make deps)" ;;
    afl) command -v afl-clang-fast >/dev/null && command -v afl-fuzz >/dev/null ||
           sf_die "AFL++ missing (make deps-fuzz FUZZ_ENGINE=afl)" ;;
    *) sf_build_dir "$engine" >/dev/null ;;
  esac
  # the dev CLI (findings, decode, minimize), the dev replayer, the
  # generated constants
  sf_build_preset dev stackfuzz fuzz_prog_replay fuzz_statsd_sink fuzz_files
  local targets=(fuzz_seeds fuzz_files fuzz_prog_replay stackfuzz)
  case $engine in
    libfuzzer) targets+=(fuzz_prog fuzz_prog_bytes fuzz_text fuzz_empty) ;;
    afl) targets+=(fuzz_prog_afl fuzz_text_afl sfmutator) ;;
  esac
  sf_say "building the $engine fuzz targets ($(basename "$(sf_build_dir "$engine")"))"
  sf_build_preset "$engine" "${targets[@]}"
  sf_load_consts
}

sf_load_consts() {
  local f="${1:-$SF_ROOT/build}/fuzz/sf_consts.sh"
  [[ -f $f ]] || sf_die "${f#"$SF_ROOT"/} missing: build first (make build, or run without FUZZ_NO_BUILD)"
  # shellcheck source=/dev/null
  source "$f"
  # the fuzz binaries' configuration (fuzz/fuzz_entry.h)
  SF_BUDGET=${STACKFUZZ_BUDGET:-$SF_FUZZ_BUDGET}
  SF_MAXSTACK=${STACKFUZZ_MAXSTACK:-$SF_FUZZ_MAXSTACK}
}
# Loaded whenever a build made it; scripts that build call sf_build first.
if [[ -f $SF_ROOT/build/fuzz/sf_consts.sh ]]; then sf_load_consts; fi

# (the .options format as ClusterFuzz applies it: key = value -> -key=value)
sf_lf_options() {
  local dir f
  dir="$(sf_build_dir "$1")/fuzz"
  f="$dir/fuzz_$2.options"
  [[ -f $f ]] || sf_die "${f#"$SF_ROOT"/} missing (build the $1 preset)"
  mapfile -t SF_LF_OPTS < <(sed -n 's/^\([a-z_]*\) *= *\(.*\)$/-\1=\2/p' "$f" | sed "s|^-dict=|-dict=$dir/|")
  ((${#SF_LF_OPTS[@]})) || sf_die "${f#"$SF_ROOT"/} holds no option"
}

sf_dict() { echo "$(sf_build_dir "$1")/fuzz/fuzz_$2.dict"; }

sf_bug_target() {
  local f="$SF_ROOT/corpus/regressions/bug-$1.prog" t=""
  [[ -f $f ]] && t=$(sed -n 's/^# config:.* target=\([^ ]*\).*/\1/p' "$f" | head -1)
  echo "${t:-linux/amd64}"
}

sf_bin() {
  local dir
  dir=$(sf_build_dir "$1")
  case $1 in
    libfuzzer) echo "$dir/fuzz/fuzz_$2" ;;
    afl) echo "$dir/fuzz/fuzz_$2_afl" ;;
  esac
}

sf_seed_dir() { echo "$(sf_build_dir "$1")/fuzz/seeds/$2"; }

# Replays FILE on the engine's binary and names what it triggers.
sf_classify() {
  local engine=$1 bin=$2 file=$3 out
  if [[ $engine == libfuzzer ]]; then
    out=$(timeout 300 "$bin" -timeout=120 "$file" 2>&1) || true
  else
    out=$(timeout 300 "$bin" <"$file" 2>&1) || true
  fi
  local id
  id=$(grep -o -m1 '==stackfuzz== violation [A-Z]*[0-9]*' <<<"$out" | awk '{print $3}') || true
  if [[ -n $id ]]; then echo "$id"; return; fi
  id=$(grep -o -m1 'ERROR: AddressSanitizer: [a-z-]*' <<<"$out" | awk '{print $3}') || true
  if [[ -n $id ]]; then echo "ASAN-$id"; return; fi
  if grep -q 'ERROR: LeakSanitizer' <<<"$out"; then echo LEAK; return; fi
  if grep -q 'runtime error:' <<<"$out"; then echo UBSAN; return; fi
  if grep -q 'ERROR: libFuzzer: timeout' <<<"$out"; then echo TIMEOUT; return; fi
  if grep -q 'out-of-memory' <<<"$out"; then echo OOM; return; fi
  if grep -q '==stackfuzz== text target' <<<"$out"; then echo TEXT; return; fi
  echo UNREPRODUCED
}

# The `# config:` line that makes `stackfuzz run` replay exactly what the
# fuzz binary ran (see fuzz/fuzz_entry.h for the defaults): every setting
# the fuzz binary takes from its environment, stated, so that a bare
# `stackfuzz run FINDING` needs no flags.
sf_config_line() {
  # the input itself carries target, barriers and stress (lang/lang_bin.c byte
  # 0; `decode` prints them); STACKFUZZ_TARGET, when set, overrides it
  local bugs=${STACKFUZZ_BUGS:-} target=${STACKFUZZ_TARGET:-}
  local line="# config: maxstack=$SF_MAXSTACK budget=$SF_BUDGET"
  [[ -n $target ]] && line+=" target=$target"
  [[ -n $bugs && $bugs != none ]] && line+=" bug=$bugs"
  echo "$line"
}

# Reached counts (README: reached counts) over a directory of binary
# inputs: each decoded with its one `# config:` line and run once by the
# CLI with every check; prints `ID N` pairs on one line, then the IDs
# no input reached. The campaign's corpus is what it explored, so this is
# what the campaign exercised, as Magma counts bugs reached.
sf_reached() {
  local dir=$1 tmp f n=0
  [[ -d $dir && -x $SF_CLI ]] || return 0
  tmp=$(mktemp -d)
  for f in "$dir"/*; do
    [[ -f $f ]] || continue
    local dec
    dec=$("$SF_CLI" decode "$f" 2>/dev/null) || continue
    { sf_merge_config "$dec"; grep -v '^# config:' <<<"$dec"; } >"$tmp/$n.prog"
    n=$((n + 1))
  done
  if ((n)); then
    "$SF_CLI" check "$tmp" --expect-clean --stats 2>/dev/null |
      awk '$2 == "reached" { line = line $1 " " $3 "  "; if ($3 == 0) cold = cold " " $1 }
           END { print line; print (cold == "" ? "every invariant reached" : "not reached:" cold) }'
  fi
  rm -rf "$tmp"
}

# The decoded input DECODED (text) with one `# config:` line: the fuzz
# binary's (sf_config_line) merged with the input's own keys.
sf_merge_config() {
  local dec=$1 own
  own=$(grep -m1 '^# config:' <<<"$dec" | sed 's/^# config://') || true
  [[ -n ${STACKFUZZ_TARGET:-} ]] && own=$(sed 's/ target=[^ ]*//' <<<"$own")
  echo "$(sf_config_line)$own"
}

# Environment assignments that make a fuzz binary run what it ran here.
sf_config_env() {
  local e=""
  [[ -n ${STACKFUZZ_BUGS:-} && ${STACKFUZZ_BUGS:-} != none ]] && e+="STACKFUZZ_BUGS=$STACKFUZZ_BUGS "
  [[ -n ${STACKFUZZ_TARGET:-} && ${STACKFUZZ_TARGET:-} != linux/amd64 ]] && e+="STACKFUZZ_TARGET=$STACKFUZZ_TARGET "
  [[ -n ${STACKFUZZ_BUDGET:-} ]] && e+="STACKFUZZ_BUDGET=$STACKFUZZ_BUDGET "
  [[ -n ${STACKFUZZ_MAXSTACK:-} ]] && e+="STACKFUZZ_MAXSTACK=$STACKFUZZ_MAXSTACK "
  echo "$e"
}

# One line for summaries: what the fuzz binaries run.
sf_config_desc() {
  local bugs=${STACKFUZZ_BUGS:-}
  [[ -z $bugs ]] && bugs=none
  local only=""
  [[ $bugs != none && ${STACKFUZZ_SWITCHED_ONLY:-0} == 1 ]] && only=" (only violations the switches cause)"
  echo "bugs=$bugs target=${STACKFUZZ_TARGET:-per input} budget=$SF_BUDGET maxstack=$SF_MAXSTACK$only"
}

# What identifies a finding: the program with its config and expect lines,
# without the other comments (provenance, the minimizer's note).
sf_finding_key() { grep -v '^#' "$1" | grep -v '^[[:space:]]*$'; grep '^# \(config\|expect\):' "$1"; }

# An existing findings/<ID>-*.prog (other than NEW) with the same key, if any.
sf_finding_same() {
  local new=$1 id=$2 f
  for f in "$SF_ROOT/findings/$id"-*.prog; do
    [[ -f $f && $f != "$new" ]] || continue
    if cmp -s <(sf_finding_key "$f") <(sf_finding_key "$new"); then echo "$f"; return 0; fi
  done
  return 1
}

# Decode, add the config header, minimize (op level, same ID) into
# findings/<ID>-<n>.prog. Prints the path. Falls back to the decoded
# program when `stackfuzz minimize` is missing or fails, or when its
# result no longer crashes the fuzz binary BIN (the fuzz entry is
# stricter than `stackfuzz run`: a DEF4 must not be the program's own
# false `check`, see fuzz/fuzz_entry.c). findings/ only grows: when an
# earlier run found the same minimized program, nothing is written and
# the earlier file is printed as "PATH (already found)".
sf_finding() {
  local file=$1 id=$2 engine=$3 bin=$4 dir="$SF_ROOT/findings" n=1 tmp out
  mkdir -p "$dir"
  while [[ -e $dir/$id-$n.prog ]]; do n=$((n + 1)); done
  out="$dir/$id-$n.prog"
  tmp=$(mktemp)
  {
    echo "# Found by $(basename "$0") (${FUZZ_ENGINE_NAME:-fuzz}) on $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "# from ${file#"$SF_ROOT"/}"
    local dec
    dec=$("$SF_CLI" decode "$file") || exit 1
    sf_merge_config "$dec"
    echo "# expect: violation $id"
    grep -v '^# config:' <<<"$dec"
  } >"$tmp" || { rm -f "$tmp"; sf_say "cannot decode $file"; return 1; }
  local bugopt=()
  [[ -n ${STACKFUZZ_BUGS:-} ]] && bugopt=(--bugs "$STACKFUZZ_BUGS")
  if "$SF_CLI" minimize --help >/dev/null 2>&1 &&
     timeout 600 "$SF_CLI" minimize "$tmp" -o "$out.tmp" "${bugopt[@]}" 2>"$tmp.log"; then
    sf_say "minimized: $(tail -1 "$tmp.log")"
    # keep the provenance comment lines the minimizer does not print
    { head -2 "$tmp"; grep -v '^# Found by\|^# from ' "$out.tmp"; } >"$out"
    rm -f "$out.tmp"
    if "$SF_CLI" encode "$out" -o "$tmp.bin" 2>/dev/null &&
       [[ $(sf_classify "$engine" "$bin" "$tmp.bin") != "$id" ]]; then
      sf_say "the minimized program no longer crashes $(basename "$bin"); keeping the decoded one"
      cp "$tmp" "$out"
    fi
    rm -f "$tmp.bin"
  else
    [[ -s $tmp.log ]] && sf_say "minimize failed: $(tail -1 "$tmp.log"); keeping the decoded program"
    cp "$tmp" "$out"
  fi
  rm -f "$tmp" "$tmp.log" "$out.tmp"
  local same
  if same=$(sf_finding_same "$out" "$id"); then
    rm -f "$out"
    sf_say "$id: the same minimized program as ${same#"$SF_ROOT"/}; not written again"
    echo "$same (already found)"
    return 0
  fi
  echo "$out"
}

# A crash that is not a program violation (sanitizer, text target...):
# the raw input as findings/<ID>-<n>.bin, unless the same bytes are there.
sf_finding_raw() {
  local file=$1 id=$2 dir="$SF_ROOT/findings" n=1 f
  mkdir -p "$dir"
  for f in "$dir/$id"-*.bin; do
    [[ -f $f ]] && cmp -s "$f" "$file" && { echo "$f (already found)"; return 0; }
  done
  while [[ -e $dir/$id-$n.bin ]]; do n=$((n + 1)); done
  cp "$file" "$dir/$id-$n.bin"
  echo "$dir/$id-$n.bin"
}

# Seeds that do not already fail with the switches on -> DST (the same
# bytes serve both engines). "Fail" is judged by a full run, the runtime's
# own budget and maximum stack rather than the fuzzing limits, so a seed
# that shows the bug only after the fuzzing budget is left out too.
sf_filter_seeds() {
  local src=$1 dst=$2 s n=0
  local replay="$SF_ROOT/build/fuzz/fuzz_prog_replay"   # dev preset, built by sf_build
  [[ -x $replay ]] || sf_die "$replay missing (build first)"
  rm -rf "$dst"; mkdir -p "$dst"
  for s in "$src"/*; do
    if ! STACKFUZZ_BUDGET=$SF_RUN_BUDGET STACKFUZZ_MAXSTACK=$SF_RUN_MAXSTACK timeout 300 "$replay" "$s" >/dev/null 2>&1; then
      n=$((n + 1)); continue
    fi
    cp "$s" "$dst/"
  done
  echo "$n"
}
