# fuzz_oracle.sh: differential fuzzing, real Go as a second oracle
# (FUZZ_ORACLE=go make fuzz). Sourced by fuzz.sh, after lib.sh.
#
# While the engine fuzzes, the inputs it keeps (libFuzzer's corpus
# directory, AFL++'s queues) go in batches to `stackfuzz diff --binary`,
# which runs each on the model and, as one Go module built once, on real
# Go 1.19. At the end a last batch takes what is left, and each
# disagreement is reduced by `stackfuzz minimize --oracle go` into
# findings/GO-<n>.prog (both sides as comments, Go's outcome as the
# expect line; one already in findings/ is not written again).
#
#   FUZZ_ORACLE=go        turn it on (only with every bug switch off: with a
#                         switch on the model is wrong on purpose)
#   FUZZ_ORACLE_EVERY=20  seconds between batches during the run
#   FUZZ_ORACLE_BATCH=300 inputs per batch at most (the rest wait)
#
# Inputs already compared (by any run of this engine) are listed by hash
# in out/<engine>/oracle-compared.sha1 and not sent again. Per run:
#   out/<engine>/<time>/oracle/diff.log       every batch's diff output
#   out/<engine>/<time>/oracle/counts         agree/disagree/batches/errors
#   out/<engine>/<time>/oracle/disagreements/ the programs, before reduction

# sf_oracle_enabled: 0 when FUZZ_ORACLE=go applies to this run; dies on a
# bad value; says why when it does not apply.
sf_oracle_enabled() {
  local o=${FUZZ_ORACLE:-}
  [[ -z $o || $o == none ]] && return 1
  [[ $o == go ]] || sf_die "FUZZ_ORACLE must be go (or unset), not '$o'"
  if [[ -n ${STACKFUZZ_BUGS:-} && ${STACKFUZZ_BUGS:-} != none ]]; then
    sf_say "FUZZ_ORACLE=go: off, since bug switches are on (the model is wrong on purpose)"
    return 1
  fi
  [[ $target == prog ]] || { sf_say "FUZZ_ORACLE=go: off for the $target target"; return 1; }
  if ! command -v go >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]]; then
      sf_say "FUZZ_ORACLE=go: installing golang-go"
      { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y golang-go; } >/dev/null ||
        sf_die "could not install golang-go"
    else
      sf_die "FUZZ_ORACLE=go needs go: sudo apt-get install -y golang-go"
    fi
  fi
  export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local
  export GOCACHE=${GOCACHE:-/tmp/stackfuzz-gocache}
  return 0
}

# The inputs the engine keeps so far, one path per line.
sf_oracle_inputs() {
  if [[ $engine == afl ]]; then
    find "$run/afl" -path '*/queue/id:*' -type f 2>/dev/null || true
  else
    find "$corpus" -maxdepth 1 -type f 2>/dev/null || true
  fi
}

# One batch: inputs not compared yet (at most FUZZ_ORACLE_BATCH) -> diff.
sf_oracle_batch() {
  local dir="$run/oracle" list="$base/oracle-compared.sha1" max=${FUZZ_ORACLE_BATCH:-300}
  local batch="$dir/batch" rc=0 a=0 d=0
  mkdir -p "$dir/disagreements"
  touch "$list" "$dir/counts"
  rm -rf "$batch"; mkdir -p "$batch"
  # hash every input; keep the new ones (first of each content), at most max
  sf_oracle_inputs | tr '\n' '\0' | xargs -0 -r sha1sum 2>/dev/null |
    awk -v max="$max" 'FILENAME == ARGV[1] { seen[$1] = 1; next }
      !seen[$1]++ && n < max { n++; print $1 "\t" $2 }' "$list" - |
    while IFS=$'\t' read -r h f; do cp "$f" "$batch/$h" 2>/dev/null || true; done
  local n
  n=$(find "$batch" -type f | wc -l)
  [[ $n -gt 0 ]] || return 0
  {
    echo "== batch of $n inputs, $(date -u +%H:%M:%S)"
    "$SF_CLI" diff --binary "$batch" --budget "$SF_BUDGET" --save "$dir/disagreements" || rc=$?
  } >>"$dir/diff.log" 2>&1
  read -r a d < <(tail -n 1 "$dir/diff.log" | awk '/ agree, .* disagree$/ { print $1, $3; exit } { print 0, 0 }')
  (cd "$batch" && ls) >>"$list"
  # counts: agree disagree batches errors
  local ca cdis cb ce
  read -r ca cdis cb ce < <(cat "$dir/counts" 2>/dev/null; echo 0 0 0 0) || true
  [[ $rc -eq 2 ]] && ce=$((${ce:-0} + 1))
  echo "$(( ${ca:-0} + a )) $(( ${cdis:-0} + d )) $(( ${cb:-0} + 1 )) ${ce:-0}" >"$dir/counts"
  rm -rf "$batch"
}

# In the background during the run, until sf_oracle_stop: a batch every
# FUZZ_ORACLE_EVERY seconds (never cut short: a killed diff would leave
# its Go module behind).
sf_oracle_loop() {
  local t=0
  mkdir -p "$run/oracle"
  while [[ ! -e $run/oracle/stop ]]; do
    sleep 1
    t=$((t + 1))
    if [[ $t -ge ${FUZZ_ORACLE_EVERY:-20} ]]; then t=0; sf_oracle_batch || true; fi
  done
}
sf_oracle_stop() { touch "$run/oracle/stop"; wait "$1" 2>/dev/null || true; rm -f "$run/oracle/stop"; }

# After the run: the last batch, then each disagreement minimized into
# findings/GO-<n>.prog. Prints "GO|path|source" lines for the summary.
sf_oracle_finish() {
  sf_oracle_batch || true
  local dir="$run/oracle" f out n tmp same
  mkdir -p "$SF_ROOT/findings"
  for f in "$dir"/disagreements/*.prog; do
    [[ -f $f ]] || continue
    n=1
    while [[ -e $SF_ROOT/findings/GO-$n.prog ]]; do n=$((n + 1)); done
    out="$SF_ROOT/findings/GO-$n.prog"
    tmp=$(mktemp)
    if timeout 900 "$SF_CLI" minimize --oracle go "$f" -o "$tmp" 2>"$tmp.log"; then
      sf_say "GO: minimized: $(tail -1 "$tmp.log")" >&2
    else
      sf_say "GO: minimize --oracle go failed ($(tail -1 "$tmp.log")); keeping the program as found" >&2
      cp "$f" "$tmp"
    fi
    { echo "# Found by FUZZ_ORACLE=go ($engine) on $(date -u +%Y-%m-%dT%H:%MZ)"
      echo "# from ${f#"$SF_ROOT"/}"
      cat "$tmp"; } >"$out"
    rm -f "$tmp" "$tmp.log"
    if same=$(sf_finding_same "$out" GO); then
      rm -f "$out"
      echo "GO|$same (already found)|$f"
    else
      echo "GO|$out|$f"
    fi
  done
}

# "N inputs compared in B batches: A agree, D disagree" for the summary.
sf_oracle_summary() {
  local a d b e
  read -r a d b e < <(cat "$run/oracle/counts" 2>/dev/null; echo 0 0 0 0) || true
  echo "$((a + d)) inputs compared with Go in $b batches: $a agree, $d disagree$([[ ${e:-0} -gt 0 ]] && echo "; $e batches failed (see $(rel "$run/oracle/diff.log"))")"
}
