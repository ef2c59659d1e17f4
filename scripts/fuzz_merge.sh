#!/usr/bin/env bash
# fuzz_merge.sh: prune a fuzzing corpus to the inputs that add coverage
# (`make fuzz-merge`).
#
#   scripts/fuzz_merge.sh                  libFuzzer: out/libfuzzer/corpus
#   FUZZ_ENGINE=afl scripts/fuzz_merge.sh  AFL++: out/afl/afl-out/default/queue
#
# libFuzzer: `fuzz_prog -merge=1 NEW OLD SEEDS`, then NEW replaces OLD.
# AFL++: afl-cmin over the queue into out/afl/cmin (a seed directory for
# the next campaign: FUZZ_AFL_INPUT=out/afl/cmin). The binary reads its
# input from stdin there (afl-cmin without @@), see the toolchain notes.
#   FUZZ_CORPUS    corpus to prune (default as above)
#   FUZZ_NO_BUILD  1: do not build first
set -euo pipefail
# shellcheck source=fuzz_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/fuzz_common.sh"
engine=${FUZZ_ENGINE:-libfuzzer}
[[ ${FUZZ_NO_BUILD:-0} == 1 ]] || sf_build "$engine"
bin=$(sf_bin "$engine" prog)
count() { find "$1" -maxdepth 1 -type f ! -name '.*' | wc -l; }
size() { du -sk "$1" | awk '{print $1 " KiB"}'; }

if [[ $engine == libfuzzer ]]; then
  corpus=${FUZZ_CORPUS:-$SF_ROOT/out/libfuzzer/corpus}
  [[ -d $corpus ]] || sf_die "no corpus at $corpus (run make fuzz first)"
  new="$corpus.merge.$$"
  rm -rf "$new"; mkdir -p "$new"
  before="$(count "$corpus") inputs, $(size "$corpus")"
  sf_say "merging $corpus ($before) and the seeds"
  "$bin" -merge=1 -max_len="$SF_MAX_LEN" -timeout=60 -rss_limit_mb=2048 \
    -merge_control_file="$new.ctl" "$new" "$corpus" "$(sf_seed_dir libfuzzer prog)" \
    >"$new.log" 2>&1 || { tail -20 "$new.log" >&2; rm -rf "$new" "$new.ctl"; sf_die "merge failed (log: $new.log)"; }
  grep 'MERGE-OUTER: [0-9]* new files' "$new.log" | tail -1 >&2 || true
  rm -rf "$corpus.old"
  mv "$corpus" "$corpus.old" && mv "$new" "$corpus" && rm -rf "$corpus.old" "$new.ctl" "$new.log"
  echo "fuzz-merge: $corpus: $before -> $(count "$corpus") inputs, $(size "$corpus")"
else
  queue=${FUZZ_CORPUS:-$SF_ROOT/out/afl/afl-out/default/queue}
  [[ -d $queue ]] || sf_die "no AFL++ queue at $queue (run FUZZ_ENGINE=afl make fuzz first)"
  dest="$SF_ROOT/out/afl/cmin"
  rm -rf "$dest"
  sf_say "afl-cmin over $queue ($(count "$queue") inputs)"
  env -u ASAN_OPTIONS AFL_ALLOW_TMP=1 AFL_SKIP_BIN_CHECK=0 afl-cmin -i "$queue" -o "$dest" \
    -t 5000 -- "$bin" >"$SF_ROOT/out/afl/cmin.log" 2>&1 ||
    { tail -20 "$SF_ROOT/out/afl/cmin.log" >&2; sf_die "afl-cmin failed"; }
  echo "fuzz-merge: $queue: $(count "$queue") -> $dest: $(count "$dest") inputs"
fi
