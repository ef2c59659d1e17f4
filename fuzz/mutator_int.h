/*
** mutator_int.h: what the mutator's files share (mutator.c: the edit
** menu and the driver; mutator_moves.c: the composite moves).
*/
#ifndef STACKFUZZ_MUTATOR_INT_H
#define STACKFUZZ_MUTATOR_INT_H

#include <stdint.h>

#include "prog.h"

/* A small deterministic PRNG (splitmix64). */
typedef struct {
	uint64_t s;
} rng;

static inline uint64_t next64(rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. */
static inline uint32_t below(rng *r, uint32_t n) { return (uint32_t)(next64(r) % n); }

static inline int chance(rng *r, uint32_t one_in) { return below(r, one_in) == 0; }

static inline uint32_t nslots(const prog_func *f) { return (uint32_t)prog_nslots(f); }

/* value generators (mutator.c) */
int32_t sf_gen_const(rng *r);
int32_t sf_gen_grow(rng *r);
uint32_t sf_gen_pad(rng *r);
prog_func *sf_pick_func(rng *r, prog *p);

/* composite moves (mutator_moves.c); each returns 0 if it could not apply */
int sf_mv_scan_chain(rng *r, prog *p);
int sf_mv_shrink(rng *r, prog *p);
int sf_mv_cgo_wrap(rng *r, prog *p);
int sf_mv_defer_segment(rng *r, prog *p);

#endif
