/*
** mutator.h: the structure-aware mutator, written once and wired into
** libFuzzer (libfuzzer_mutator.c) and AFL++ (afl_mutator.c).
**
** Inputs are binary programs (lang/lang_bin.c). A mutation decodes the bytes,
** edits the program (statements, arguments, callees, function
** attributes, functions spliced from another input), repairs it with
** prog_repair() and encodes it canonically. Every result is therefore a
** valid program, and the edit is one a human would make to the text.
** Deterministic: the same (input, seed) gives the same output.
** Not thread-safe (static scratch programs); the engines call it from
** one thread.
*/
#ifndef STACKFUZZ_MUTATOR_H
#define STACKFUZZ_MUTATOR_H

#include <stddef.h>
#include <stdint.h>

/* Mutates data[0..size) in place into at most max_size bytes; returns
** the new size. Applies one to three edits chosen by seed. */
size_t sf_mutate(uint8_t *data, size_t size, size_t max_size, uint32_t seed);

/* The composite moves (mutator.c), one by name: the self-test shows each
** builds its shape. Returns the new size, or 0 if the move could not
** apply (data is then unspecified). */
enum { SF_MOVE_SCAN_CHAIN, SF_MOVE_SHRINK, SF_MOVE_CGO_WRAP, SF_MOVE_DEFER_SEGMENT,
       SF_MOVE__N };
size_t sf_mutate_move(uint8_t *data, size_t size, size_t max_size, uint32_t seed,
		      int move);

/* Crossover: a program built from d1 with a function or a run of
** statements spliced in from d2; written to out (at most max_out bytes).
** Returns the size written. */
size_t sf_crossover(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2,
		    uint8_t *out, size_t max_out, uint32_t seed);

#endif
