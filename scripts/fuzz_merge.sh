#!/usr/bin/env bash
# fuzz_merge.sh: prune a fuzzing corpus to the inputs that add coverage
# (`make fuzz-merge`).
#
#   scripts/fuzz_merge.sh                  libFuzzer: out/libfuzzer/corpus
#   FUZZ_ENGINE=afl scripts/fuzz_merge.sh  AFL++: out/afl/corpus
#
# The shared corpus of `make fuzz` (the one that grows from run to run).
# libFuzzer: `fuzz_prog -merge=1 NEW OLD SEEDS`, then NEW replaces OLD.
# AFL++: afl-cmin over it into out/afl/cmin, which then replaces it. The
# binary reads its input from stdin there (afl-cmin without @@), see the
# toolchain notes. The old corpus is kept as <corpus>.before-merge.<time>
# (remove it yourself once the merged one has served you).
#   FUZZ_CORPUS    corpus to prune (default as above)
#   FUZZ_NO_BUILD  1: do not build first
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
engine=${FUZZ_ENGINE:-libfuzzer}
if [[ ${FUZZ_NO_BUILD:-0} == 1 ]]; then sf_load_consts; else sf_build "$engine"; fi
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
  sf_lf_options libfuzzer prog
  "$bin" -merge=1 "${SF_LF_OPTS[@]}" \
    -merge_control_file="$new.ctl" "$new" "$corpus" "$(sf_seed_dir libfuzzer prog)" \
    >"$new.log" 2>&1 || { tail -20 "$new.log" >&2; rm -rf "$new" "$new.ctl"; sf_die "merge failed (log: $new.log)"; }
  grep 'MERGE-OUTER: [0-9]* new files' "$new.log" | tail -1 >&2 || true
  old="$corpus.before-merge.$(date -u +%Y%m%dT%H%M%SZ)"
  mv "$corpus" "$old" && mv "$new" "$corpus" && rm -f "$new.ctl" "$new.log"
  sf_say "the corpus before the merge: ${old#"$SF_ROOT"/}"
  echo "fuzz-merge: $corpus: $before -> $(count "$corpus") inputs, $(size "$corpus")"
else
  corpus=${FUZZ_CORPUS:-$SF_ROOT/out/afl/corpus}
  [[ -d $corpus ]] || sf_die "no AFL++ corpus at $corpus (run FUZZ_ENGINE=afl make fuzz first)"
  dest="$corpus.cmin.$$"
  sf_say "afl-cmin over $corpus ($(count "$corpus") inputs)"
  env -u ASAN_OPTIONS AFL_ALLOW_TMP=1 AFL_SKIP_BIN_CHECK=0 afl-cmin -i "$corpus" -o "$dest" \
    -t 5000 -- "$bin" >"$dest.log" 2>&1 ||
    { tail -20 "$dest.log" >&2; sf_die "afl-cmin failed (log: $dest.log)"; }
  before=$(count "$corpus")
  old="$corpus.before-merge.$(date -u +%Y%m%dT%H%M%SZ)"
  mv "$corpus" "$old" && mv "$dest" "$corpus" && rm -f "$dest.log"
  sf_say "the corpus before the merge: ${old#"$SF_ROOT"/}"
  echo "fuzz-merge: $corpus: $before -> $(count "$corpus") inputs"
fi
