/*
** mc_pool.c: storage for regions' words and tags, reused across runs
** (machine/, mc.h: mc_pool_get, mc_pool_put).
**
** What it is: a per-process free list of the host memory blocks behind
** regions (each block holds a region's words, then its cell tags, then
** its ptags). A fuzzing process runs thousands of programs a second, each
** allocating an OS stack and G stacks and releasing them; under ASan every
** calloc/free of that size went through the sanitizer's allocator and its
** quarantine, so each run touched fresh pages (page faults, zeroing by
** the kernel, then by calloc, then the poison fill): most of what a short
** run cost. Blocks parked here are reused hot.
**
** Invariants:
**  - a block handed out has unspecified contents: mc_alloc writes every
**    byte of it (poison or zero, tags zero) before use, so what ran before
**    never shows (a run is the same byte for byte whatever ran before it;
**    tests/test_harness.c runs A, B, then A again and compares);
**  - addresses inside the simulated machine do not depend on blocks (the
**    areas bump their own bases), so reuse changes no trace;
**  - bounded: at most MC_POOL_BYTES parked; past that, blocks are freed,
**    so a persistent process's memory stays flat.
**
** Gotcha: a parked block is poisoned for ASan (manual poisoning), so a
** stale pointer to a released region's words is still reported as it was
** when they were freed (as use-after-poison, not use-after-free); only
** the bytes a region uses are unpoisoned when the block is handed out,
** so an overrun past them inside the block is reported too.
*/
#include <stdio.h>
#include <stdlib.h>

#include "mc.h"

#if defined(__SANITIZE_ADDRESS__)
#define MC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MC_ASAN 1
#endif
#endif
#ifdef MC_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Size classes: block capacity 2^c bytes, c in [MIN_SHIFT, MAX_SHIFT];
** larger blocks are not pooled (a run that big is rare and slow anyway). */
enum {
	MIN_SHIFT = 6,
	MAX_SHIFT = 24,
	NCLASS = MAX_SHIFT - MIN_SHIFT + 1,
	MC_POOL_BYTES = 32u << 20,
};

struct pool_class {
	void **v; /* parked blocks of this class */
	uint32_t n, cap;
};
static struct pool_class cls[NCLASS];
static size_t parked; /* bytes in every class's list */

static int class_of(size_t bytes)
{
	int c = MIN_SHIFT;
	while (((size_t)1 << c) < bytes)
		c++;
	return c;
}

void *mc_pool_get(size_t bytes)
{
	if (bytes == 0)
		bytes = 1;
	int c = class_of(bytes);
	void *p = NULL;
	if (c <= MAX_SHIFT && cls[c - MIN_SHIFT].n) {
		p = cls[c - MIN_SHIFT].v[--cls[c - MIN_SHIFT].n];
		parked -= (size_t)1 << c;
	} else {
		p = malloc(c <= MAX_SHIFT ? (size_t)1 << c : bytes);
		if (!p) {
			fprintf(stderr, "stackfuzz: out of memory\n");
			abort();
		}
		if (c <= MAX_SHIFT) /* only what the region uses is addressable */
			POISON(p, (size_t)1 << c);
	}
	UNPOISON(p, bytes);
	return p;
}

void mc_pool_put(void *p, size_t bytes)
{
	if (!p)
		return;
	if (bytes == 0)
		bytes = 1;
	int c = class_of(bytes);
	size_t cap = (size_t)1 << c;
	if (c > MAX_SHIFT || parked + cap > MC_POOL_BYTES) {
		UNPOISON(p, c > MAX_SHIFT ? bytes : cap);
		free(p);
		return;
	}
	struct pool_class *l = &cls[c - MIN_SHIFT];
	if (l->n == l->cap) {
		uint32_t nc = l->cap ? 2 * l->cap : 16;
		void **nv = realloc(l->v, nc * sizeof *nv);
		if (!nv) { /* not parked: no harm */
			UNPOISON(p, cap);
			free(p);
			return;
		}
		l->v = nv;
		l->cap = nc;
	}
	POISON(p, cap);
	l->v[l->n++] = p;
	parked += cap;
}

void mc_pool_drain(void)
{
	for (int c = 0; c < NCLASS; c++) {
		while (cls[c].n) {
			void *p = cls[c].v[--cls[c].n];
			UNPOISON(p, (size_t)1 << (c + MIN_SHIFT));
			free(p);
		}
		free(cls[c].v);
		cls[c].v = NULL;
		cls[c].cap = 0;
	}
	parked = 0;
}
