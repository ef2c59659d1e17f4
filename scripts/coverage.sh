#!/usr/bin/env bash
# coverage.sh: source coverage of the reference runtime over the corpus
# (`make coverage`).
#
# Builds the coverage preset (build-coverage/: clang-14
# -fprofile-instr-generate -fcoverage-mapping, STACKFUZZ_COVERAGE=ON), replays `stackfuzz check
# corpus/` (seeds and regressions, each under its own config) and, when
# present, the fuzzing corpus out/libfuzzer/corpus through the standalone
# replayer, then writes an llvm-cov HTML report of runtime-under-test/ and machine/ to
# build-coverage/html/index.html and prints the summary line.
#   COVERAGE_FUZZ_CORPUS=0   leave the fuzzing corpus out
#   COVERAGE_CC=cc           another clang (the first configure only)
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root=$SF_ROOT
b=$(sf_preset_dir coverage)
cc=${COVERAGE_CC:-clang-14}
profdata=${LLVM_PROFDATA:-llvm-profdata-14}
cov=${LLVM_COV:-llvm-cov-14}
for t in "$cc" "$profdata" "$cov"; do
  command -v "$t" >/dev/null || { echo "coverage: $t not found (make coverage installs llvm-14)" >&2; exit 1; }
done
say() { echo "coverage: $*" >&2; }

say "building"
SF_CMAKE_ARGS=(-DCMAKE_C_COMPILER="$cc")
sf_build_preset coverage stackfuzz fuzz_prog_replay

prof="$b/prof"
rm -rf "$prof"; mkdir -p "$prof"
export LLVM_PROFILE_FILE="$prof/%p-%m.profraw"
say "replaying corpus/ (stackfuzz check)"
# a failing expectation is reported by `make test`; coverage is still useful
"$b/bin/stackfuzz" check "$root/corpus" | tail -1 || say "(some corpus files failed their expectation)"
objs=("$b/bin/stackfuzz")
fc="$root/out/libfuzzer/corpus"
if [[ ${COVERAGE_FUZZ_CORPUS:-1} == 1 && -d $fc ]] && [[ -n $(ls -A "$fc") ]]; then
  say "replaying the fuzzing corpus $fc ($(ls "$fc" | wc -l) inputs, every bug off)"
  STACKFUZZ_BUGS='' "$b/fuzz/fuzz_prog_replay" "$fc" || say "(the replay stopped at a crash)"
  objs+=(-object "$b/fuzz/fuzz_prog_replay")
fi
"$profdata" merge -sparse "$prof"/*.profraw -o "$b/coverage.profdata"
rm -rf "$b/html"
"$cov" show "${objs[@]}" -instr-profile="$b/coverage.profdata" -format=html \
  -show-line-counts-or-regions -output-dir="$b/html" "$root/runtime-under-test" "$root/machine" >/dev/null
"$cov" report "${objs[@]}" -instr-profile="$b/coverage.profdata" "$root/runtime-under-test" "$root/machine" >"$b/report.txt"
echo "coverage of runtime-under-test/ and machine/:"
sed -n 1p "$b/report.txt" | sed 's/^Filename/        /; s/^/  /'
grep '^TOTAL' "$b/report.txt" | sed 's/^/  /'
echo "report: ${b#"$root"/}/html/index.html (per file: ${b#"$root"/}/report.txt)"
