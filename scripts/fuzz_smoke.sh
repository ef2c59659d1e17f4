#!/usr/bin/env bash
# fuzz_smoke.sh: the CI smoke fuzz (`make fuzz-smoke`, called by .ci/run).
#
# Every bug switch off; every target, barrier mode and stress setting (the
# fuzz input carries them). libFuzzer on the program target, libFuzzer on
# the text target, AFL++ on the program target, each from the seed corpus
# in a fresh directory with a fixed engine seed (so a regression repeats);
# then libFuzzer and AFL++ again with a fresh engine seed, printed, so that
# every CI run also searches somewhere new. Fails (exit 1) on any
# violation, sanitizer report, leak or timeout; the findings are written to
# findings/ with the command that replays them.
#   FUZZ_SMOKE_SECONDS   per engine run (default 60; the text target gets a
#                        third, each fresh-seed run a half)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
secs=${FUZZ_SMOKE_SECONDS:-60}
export STACKFUZZ_BUGS='' STACKFUZZ_TARGET=''
export FUZZ_FIND=1 FUZZ_FRESH=1 FUZZ_FAIL_ON_CRASH=1 FUZZ_QUIET=${FUZZ_QUIET:-1}
unset FUZZ_MUTATOR FUZZ_TARGET
# a fixed engine seed: CI's smoke run repeats (FUZZ_SEED overrides it)
export FUZZ_SEED=${FUZZ_SEED:-1}

status=0
run() { # name, then environment assignments for fuzz.sh
  local name=$1; shift
  echo "--- fuzz smoke: $name"
  if env "$@" "$root/scripts/fuzz.sh"; then echo "--- fuzz smoke: $name: ok"
  else echo "--- fuzz smoke: $name: FAILED" >&2; status=1; fi
}
run "libFuzzer, programs, $secs s" FUZZ_ENGINE=libfuzzer FUZZ_TARGET=prog \
  FUZZ_SECONDS="$secs" FUZZ_OUT="$root/out/smoke-libfuzzer"
run "libFuzzer, text parser, $((secs / 3 + 1)) s" FUZZ_ENGINE=libfuzzer FUZZ_TARGET=text \
  FUZZ_SECONDS=$((secs / 3 + 1)) FUZZ_OUT="$root/out/smoke-libfuzzer-text" FUZZ_NO_BUILD=1
run "AFL++, programs, $secs s" FUZZ_ENGINE=afl FUZZ_TARGET=prog \
  FUZZ_SECONDS="$secs" FUZZ_OUT="$root/out/smoke-afl"
# somewhere new each run: a fresh engine seed, printed so the run repeats
fresh=${FUZZ_FRESH_SEED:-$(( (RANDOM << 15 | RANDOM) % 2000000000 + 2 ))}
echo "--- fuzz smoke: fresh engine seed $fresh (repeat with FUZZ_SEED=$fresh)"
run "libFuzzer, programs, fresh seed $fresh, $((secs / 2 + 1)) s" FUZZ_ENGINE=libfuzzer \
  FUZZ_TARGET=prog FUZZ_SEED="$fresh" FUZZ_SECONDS=$((secs / 2 + 1)) \
  FUZZ_OUT="$root/out/smoke-libfuzzer-fresh" FUZZ_NO_BUILD=1
run "AFL++, programs, fresh seed $fresh, $((secs / 2 + 1)) s" FUZZ_ENGINE=afl \
  FUZZ_TARGET=prog FUZZ_SEED="$fresh" FUZZ_SECONDS=$((secs / 2 + 1)) \
  FUZZ_OUT="$root/out/smoke-afl-fresh" FUZZ_NO_BUILD=1
if [[ $status == 0 ]]; then echo "fuzz smoke: ok (no violation, no sanitizer report)"
else echo "fuzz smoke: FAILED" >&2; fi
exit $status
