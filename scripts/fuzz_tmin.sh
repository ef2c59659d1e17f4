#!/usr/bin/env bash
# fuzz_tmin.sh: byte-level minimization of a crash input, checked to keep
# the same violation ID. The op-level minimizer (`stackfuzz minimize`,
# used by make fuzz) is the first choice; this is for inputs it cannot
# handle (sanitizer crashes, text-target crashes) or to shrink the bytes.
#
#   scripts/fuzz_tmin.sh CRASH [OUT]                  libFuzzer -minimize_crash
#   FUZZ_ENGINE=afl scripts/fuzz_tmin.sh CRASH [OUT]  afl-tmin
#
# OUT defaults to CRASH.min. FUZZ_TMIN_SECONDS bounds the whole job
# (default 120); FUZZ_TMIN_RUNS bounds each libFuzzer step (default 500). The bug switches in effect (STACKFUZZ_BUGS/_TARGET)
# must be those the crash was found with. Prints the ID before and after
# and, for program inputs, the result as text.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ $# -ge 1 && -f $1 ]] || { echo "usage: scripts/fuzz_tmin.sh CRASH [OUT]" >&2; exit 2; }
engine=${FUZZ_ENGINE:-libfuzzer}
in=$1 out=${2:-$1.min}
if [[ ${FUZZ_NO_BUILD:-0} == 1 ]]; then sf_load_consts; else sf_build "$engine"; fi
# byte-level only: the structure-aware mutator would re-encode canonically
if [[ $engine == libfuzzer ]]; then bin=$(sf_bin libfuzzer prog_bytes); else bin=$(sf_bin afl prog); fi
id=$(sf_classify "$engine" "$bin" "$in")
[[ $id != UNREPRODUCED ]] || sf_die "$in does not crash $(basename "$bin") with $(sf_config_desc)"
sf_say "$in: $id, $(wc -c <"$in") bytes; minimizing with $engine"
# only this violation counts as the crash, so neither minimizer drifts to
# another ID (byte-level minimizers accept any crash)
[[ $id =~ ^[A-Z]+[0-9]+$ ]] && export STACKFUZZ_CRASH_ONLY=$id
log="$out.log"
if [[ $engine == libfuzzer ]]; then
  # libFuzzer writes each improvement to OUT, so a time-out keeps the best
  timeout "${FUZZ_TMIN_SECONDS:-120}" "$bin" -minimize_crash=1 -runs="${FUZZ_TMIN_RUNS:-500}" \
    -max_total_time="${FUZZ_TMIN_SECONDS:-120}" -timeout="$SF_FUZZ_TIMEOUT" -max_len="$SF_PROG_BIN_MAX" \
    -exact_artifact_path="$out" "$in" >"$log" 2>&1 || true
else
  env -u ASAN_OPTIONS AFL_SKIP_CPUFREQ=1 timeout "${FUZZ_TMIN_SECONDS:-120}" \
    afl-tmin -i "$in" -o "$out" -t 5000 -- "$bin" >"$log" 2>&1 ||
    { tail -20 "$log" >&2; sf_die "afl-tmin failed (log: $log)"; }
fi
[[ -s $out ]] || { tail -20 "$log" >&2; sf_die "no minimized output (log: $log)"; }
unset STACKFUZZ_CRASH_ONLY
after=$(sf_classify "$engine" "$bin" "$out")
if [[ $after != "$id" ]]; then
  sf_die "the minimized input gives $after, not $id; keeping $in (minimizer output: $out)"
fi
rm -f "$log"
echo "fuzz-tmin: $id kept: $(wc -c <"$in") -> $(wc -c <"$out") bytes: $out"
if [[ $(basename "$bin") == fuzz_prog* ]]; then
  echo "--- as text (build/bin/stackfuzz decode $out):"
  "$SF_CLI" decode "$out"
fi
