/*
** fuzz_entry.h: the engine-neutral fuzz entry points.
**
** Layer: the top; may use the harness (hs.h) and lang/ (prog.h).
**
** Every driver (libFuzzer, AFL++ persistent mode, standalone replay, the
** ClusterFuzzLite build) calls these and nothing else (fuzz/ is the top
** layer: it uses the harness, hs.h, and through it the layers below), so
** the engines agree on what a crash is: a violation prints its report to
** stderr and calls abort(). Configuration comes from the environment and is read
** once, by sf_fuzz_init() (the entries call it themselves if needed):
**
**   STACKFUZZ_BUGS     bug switches, e.g. "7695,12238" ("" or unset: none)
**   STACKFUZZ_TARGET   linux/amd64 (default) or windows/386
**   STACKFUZZ_BUDGET   step budget per input (default 500, see below)
**   STACKFUZZ_MAXSTACK maximum stack bytes (default 16384, see below)
**   STACKFUZZ_CRASH_ONLY  an invariant ID: only that violation aborts (the
**                      byte-level minimizers then keep the same ID; NONE:
**                      no violation aborts, for speed benchmarks)
**   STACKFUZZ_SWITCHED_ONLY  1: with bug switches on, a violation that also
**                      happens with every switch off is not a crash (time
**                      to bug is then measured despite unrelated bugs)
**
** A bad value is a usage error: message on stderr, exit(2).
**
** Why not the runtime defaults (budget 200000, maxstack 1 MiB): every
** step runs every checker, whose cost grows with the stack, so a mutated
** program that recurses forever costs seconds under ASan and throughput
** collapses. Every seeded bug shows within 50 steps, and frames with pad
** or `grow` reach deep stacks in a few steps. Measured (libFuzzer, 5
** runs, median time to find; bench/fuzz_ttb.sh): 7695: budget 2000 ->
** 9.8 s, 500 -> 3.8 s, 250 -> 2.4 s; 12238: 2000 -> 33 s, 500 -> 8.4 s,
** 250 -> 3.8 s; maxstack 8192 instead of 16384 was slower. 500 keeps
** most seed programs running to their end (coverage of exit paths).
*/
#ifndef STACKFUZZ_FUZZ_ENTRY_H
#define STACKFUZZ_FUZZ_ENTRY_H

#include <stddef.h>
#include <stdint.h>

enum { SF_FUZZ_BUDGET = 500, SF_FUZZ_MAXSTACK = 16384 };
/* The text target's -max_len (the binary target's is PROG_BIN_MAX): the
** corpus's programs are at most a few KiB, so 64 KiB leaves room for
** programs near prog.h's limits without letting inputs grow unbounded. */
enum { SF_FUZZ_TEXT_MAX_LEN = 65536 };

/* Reads the environment (first call only). */
void sf_fuzz_init(void);
/* Binary program target: decode, run with every check; abort on a
** violation. Returns 0. */
int sf_fuzz_one(const uint8_t *data, size_t len);
/* Text parser target: parse; a parsed program must print and reparse to
** an equal program (names included) and survive a binary round trip.
** The same bytes decoded as binary must print and reparse too (that is
** how findings become text). Aborts on any mismatch. Returns 0. */
int sf_fuzz_text_one(const uint8_t *data, size_t len);
/* One line describing the configuration in effect, e.g.
** "bugs=7695 target=linux/amd64 budget=500 maxstack=16384". */
const char *sf_fuzz_config_str(void);

#endif
