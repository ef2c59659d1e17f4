#!/usr/bin/env bash
# mutants.sh: realistic runtime mistakes, each injected into a copy of the
# tree, must be caught by the checkers, and caught the same way by the
# incremental checks as by full ones (`make mutants`).
#
# Each mutant is one textual edit of runtime-under-test/ (a barrier saved
# with the wrong return PC, mark termination that does not restore the
# slots, a copy that forgets to move the barrier entries or a defer's
# argp, lessstack that drops the result or resumes one word off, ...),
# or of what stands for compiled code in harness/ (a deferred recover()
# evaluated with the wrong argp).
# The copy is built (release flags) and `stackfuzz check corpus
# bench/corpus --verify-incremental` runs with barriers spaced and every,
# with and without --stress. A mutant passes when some program fails
# (the mistake is seen) and no step's incremental check diverged from a
# full one ("incremental checking diverged": the checkers' caches hid or
# changed a verdict). Prints one line per mutant and configuration;
# exits 1 if a mutant went unseen or a check diverged.
#
#   scripts/mutants.sh [NAME...]      (default: every mutant)
#   scripts/mutants.sh --sites        only check that every mutant's site
#                                     is still in the tree (a ctest: a
#                                     refactor must not orphan a mutant)
#   MUTANTS_OUT   where the copies are built (default out/mutants)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${MUTANTS_OUT:-$root/out/mutants}
mkdir -p "$out"

# name | file | old text | new text   (\n in the texts is a newline)
mutants=(
"barrier-saves-wrong-pc|runtime-under-test/rt_stkbar.c|st(r, e + 8 * SB_LRVAL, fr->lr);|st(r, e + 8 * SB_LRVAL, fr->lr + 8);"
"barrier-pc-not-written|runtime-under-test/rt_stkbar.c|\tst(r, fr->lrptr, rt_barrier_pc(r));\n\tg->stkbarlen++;|\tg->stkbarlen++;"
"markterm-slot-not-restored|runtime-under-test/rt_stkbar.c|\t\tst(r, slot, ld(r, e + 8 * SB_LRVAL));\n\t\tn++;|\t\tn++;"
"copy-forgets-barrier-slots|runtime-under-test/rt_stack.c|\t\t\tmc_store_adjust(&r->mem, ne + 8 * SB_LRPTR, p + (rt_word)a->delta);|\t\t\t(void)0;"
"copy-forgets-defer-argp|runtime-under-test/rt_stack.c|\t\tadjustpointer(r, a, d + 8 * D_SP);\n\t\tadjustpointer(r, a, d + 8 * D_ARGP);|\t\tadjustpointer(r, a, d + 8 * D_SP);"
"lessstack-drops-result|runtime-under-test/rt_stack.c|\tif (res)\n\t\tst(r, argp + roff - 1, rv);|\t(void)rv;"
"lessstack-sp-one-word-off|runtime-under-test/rt_stack.c|\tg->sched.sp = sp;\n\trt_event_add(r, EV_SEGMENT_POP|\tg->sched.sp = sp + 8;\n\trt_event_add(r, EV_SEGMENT_POP"
"defer-recover-wrong-argp|harness/hs_exec.c|got = rt_gorecover_argp(r, caller->fp, &kind, &val);|got = rt_gorecover_argp(r, caller->fp + 8, &kind, &val);"
)

sites_only=0
[[ ${1:-} == --sites ]] && { sites_only=1; shift; }
want=("$@")
status=0
cd "$root"
if ((sites_only)); then
  for m in "${mutants[@]}"; do
    IFS='|' read -r name file old new <<<"$m"
    if python3 - "$file" "$old" <<'PY'
import sys
p, old = sys.argv[1:3]
sys.exit(0 if old.replace('\\n', '\n').replace('\\t', '\t') in open(p).read() else 1)
PY
    then echo "site found: $name ($file)"
    else echo "site GONE: $name ($file): update scripts/mutants.sh"; status=1; fi
  done
  exit $status
fi
for m in "${mutants[@]}"; do
  IFS='|' read -r name file old new <<<"$m"
  if ((${#want[@]})) && [[ " ${want[*]} " != *" $name "* ]]; then continue; fi
  d="$out/$name"
  rm -rf "$d"
  mkdir -p "$d"
  git ls-files -z | tar --null -T - -c | tar -x -C "$d"
  if ! python3 - "$d/$file" "$old" "$new" <<'PY'
import sys
p, old, new = sys.argv[1:4]
old, new = old.replace('\\n', '\n').replace('\\t', '\t'), new.replace('\\n', '\n').replace('\\t', '\t')
s = open(p).read()
if old not in s:
    sys.exit("mutant site not found in " + p)
open(p, 'w').write(s.replace(old, new, 1))
PY
  then echo "$name: the mutant's site is gone (update scripts/mutants.sh)"; status=1; continue; fi
  if ! { cmake -S "$d" -B "$d/build" -DCMAKE_BUILD_TYPE=Release \
           -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" -DCMAKE_C_FLAGS="-Wno-unused-variable -Wno-unused-but-set-variable -Wno-unused-function" &&
         cmake --build "$d/build" -j2 --target stackfuzz; } >"$d/build.log" 2>&1; then
    echo "$name: build failed ($d/build.log)"; status=1; continue
  fi
  for stress in "" --stress; do
    for bar in spaced every; do
      res=$("$d/build/bin/stackfuzz" check corpus bench/corpus --barriers "$bar" $stress \
            --verify-incremental 2>&1)
      ndiv=$(grep -c "diverged" <<<"$res")
      # violations on programs that pass without the mutant
      nseen=$(grep -c "got violation" <<<"$res")
      ids=$(grep -o "got violation [A-Z0-9]*" <<<"$res" | awk '{print $3}' | sort | uniq -c |
            sort -rn | head -3 | awk '{printf "%s %s  ", $2, $1}')
      verdict=ok
      # (unmutated, every program passes or, expecting a violation the
      # barrier mode does not give, "got ok": no "got violation" line)
      if ((ndiv > 0)); then verdict="DIVERGED"; status=1
      elif ((nseen == 0)); then verdict="UNSEEN"; status=1; fi
      printf '%-28s %-8s %-6s %s: %s\n' "$name" "${stress:-plain}" "$bar" "$verdict" "${ids:-none}"
    done
  done
done
exit $status
