/*
** testutil.h: helpers shared by the unit tests.
**
** A "test world" (tw) is a runtime plus the ground truth and a checker
** context, driven directly through the runtime API the way the harness
** interpreter drives it (hs_interp.c), but without a program: the test
** decides every call, defer and prologue, and then breaks the state by
** hand. tw_on_events mirrors the harness's truth keeping (identity cells
** for return-PC slots, params and locals; the shadow frame list).
**
** Gotcha: cmocka.h (with UNIT_TESTING) redefines malloc/free to its
** leak-checking versions in the test files. Memory a library allocated
** with the real malloc (prog_print, open_memstream) must be freed with
** lib_free, defined here before cmocka.h is included.
*/
#ifndef STACKFUZZ_TESTUTIL_H
#define STACKFUZZ_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void lib_free(void *p) { free(p); }

#include <cmocka.h>

#include "inv.h"
#include "rt.h"

/* ---- the test world ---- */

typedef struct tw {
	rt r;
	inv_truth t;
	inv_ctx c;
	inv_violation v;
	/* the standard functions (tw_std) */
	int fm, ff, fw, fb, fh;
} tw;

static inline tw *tw_new(uint32_t stack_init, uint32_t stack_max,
			 uint32_t bugs, uint32_t stress)
{
	tw *w = calloc(1, sizeof *w);
	assert_non_null(w);
	rt_config cfg = {
		.stack_init = stack_init,
		.stack_max = stack_max,
		.bugs = bugs,
		.stress = stress,
		.poison = 1,
	};
	rt_init(&w->r, &cfg);
	inv_truth_init(&w->t);
	inv_ctx_init(&w->c, &w->r, &w->t);
	return w;
}

static inline void tw_free(tw *w)
{
	inv_ctx_free(&w->c);
	inv_truth_free(&w->t);
	rt_destroy(&w->r);
	free(w);
}

static inline int tw_func(tw *w, const char *name, uint8_t flags,
			  uint32_t nsites, uint64_t retsites,
			  uint32_t framesize, uint32_t argsize, uint64_t argmap,
			  uint64_t localmap, int32_t user)
{
	rt_funcdesc d = {
		.name = name,
		.kind = RF_GO,
		.flags = flags,
		.nsites = nsites,
		.retsites = retsites,
		.framesize = framesize,
		.argsize = argsize,
		.argmap = argmap,
		.localmap = localmap,
		.user = user,
		/* named locals: the first 16 words get identity cells */
		.nlocals = framesize / 8 < 16 ? framesize / 8 : 16,
	};
	int i = rt_addfunc(&w->r, &d);
	assert_true(i >= RTF__COUNT);
	return i;
}

enum { BOTH = RFF_ARGMAP | RFF_LOCALMAP };

/* The standard functions (8 sites each unless said; the last site is the
** epilogue; every site may call unless said):
**   main()              locals y int @0, q *int @8
**   f(p *int, n int)    locals z int @0, r *int @8
**   cset(p *int, v int) cgo wrapper: args map that lies, no locals map
**   big(n int)          a 4096-byte frame, no pointers; calls only at
**                       its epilogue (site 3)
**   h()                 local x int @0 (a deferred call that recovers) */
static inline tw *tw_std(uint32_t bugs, uint32_t stress)
{
	tw *w = tw_new(2048, 1u << 20, bugs, stress);
	w->fm = tw_func(w, "main", BOTH, 8, 0xff, 16, 0, 0, 0x2, 0);
	w->ff = tw_func(w, "f", BOTH, 8, 0xff, 16, 16, 0x1, 0x2, 1);
	w->fw = tw_func(w, "cset", RFF_ARGMAP, 2, 0x3, 0, 16, 0, 0, 2);
	w->fb = tw_func(w, "big", BOTH, 4, 0x8, 4096, 8, 0, 0, 3);
	w->fh = tw_func(w, "h", BOTH, 4, 0xf, 8, 0, 0, 0, 4);
	return w;
}

static inline const rt_func *tw_cur(tw *w)
{
	const rt_func *f = rt_findfunc(&w->r, rt_pc(&w->r));
	assert_non_null(f);
	return f;
}

/* Address of local word i / argument word i of the running frame. */
static inline rt_addr tw_local(tw *w, uint32_t i)
{
	return rt_sp(&w->r) + 8ull * i;
}

static inline rt_addr tw_arg(tw *w, uint32_t i)
{
	return rt_frame_fp(&w->r, tw_cur(w)) + 8ull * i;
}

static inline rt_word tw_ld(tw *w, rt_addr a)
{
	rt_word v = 0;
	assert_int_equal(mc_peek(&w->r.mem, a, &v), 0);
	return v;
}

/* Word `at` = &target, with its true provenance (the harness's `q = &y`). */
static inline void tw_setptr(tw *w, rt_addr at, rt_addr target)
{
	assert_int_equal(mc_store(&w->r.mem, at, target), 0);
	mc_ptag_set(&w->r.mem, at, mc_cell_at(&w->r.mem, target));
	assert_true(mc_ptag_at(&w->r.mem, at) != 0);
}

/* The truth for the step's events: the one recorder the harness uses. */
static inline void tw_on_events(tw *w)
{
	inv_truth_events(&w->t, &w->r);
}

/* Does the last step have an event of this kind? Returns its index or -1. */
static inline int tw_event(const tw *w, int kind)
{
	for (uint32_t i = 0; i < w->r.nev; i++)
		if (w->r.ev[i].kind == kind)
			return (int)i;
	return -1;
}

/* One prologue step; returns the kind of its first event. */
static inline int tw_prologue(tw *w)
{
	rt_begin_step(&w->r);
	rt_prologue(&w->r);
	tw_on_events(w);
	return w->r.nev ? w->r.ev[0].kind : EV_NONE;
}

/* Prologue steps until the frame is allocated (growth steps first). */
static inline void tw_enter(tw *w)
{
	for (int i = 0; i < 8; i++) {
		int k = tw_prologue(w);
		assert_int_equal(w->r.status, RT_RUNNING);
		if (k == EV_ENTER)
			return;
		assert_true(k == EV_COPY || k == EV_SEGMENT);
	}
	fail_msg("prologue never allocated the frame");
}

/* Starts main (w->fm) and allocates its frame. */
static inline void tw_start(tw *w)
{
	assert_int_equal(rt_start(&w->r, w->fm), 0);
	tw_enter(w);
}

/* Pushes n args with their provenance tags (tags may be NULL). */
static inline rt_addr tw_push(tw *w, const rt_word *args,
			      const uint32_t *tags, uint32_t n)
{
	rt_addr a = rt_push_args(&w->r, args, n);
	for (uint32_t i = 0; tags && i < n; i++)
		mc_ptag_set(&w->r.mem, a + 8ull * i, tags[i]);
	return a;
}

/* `call fn(args)` at site of the running function, through the prologue. */
static inline void tw_call(tw *w, int fn, uint32_t site, const rt_word *args,
			   const uint32_t *tags, uint32_t n)
{
	const rt_func *cur = tw_cur(w);
	tw_push(w, args, tags, n);
	rt_begin_step(&w->r);
	rt_call(&w->r, fn, rt_retpc(cur, site));
	tw_enter(w);
}

/* `defer fn(args)` at site; returns the defer record's address. */
static inline rt_addr tw_defer(tw *w, int fn, uint32_t site,
			       const rt_word *args, const uint32_t *tags,
			       uint32_t n)
{
	tw_push(w, args, tags, n);
	rt_begin_step(&w->r);
	rt_deferproc(&w->r, fn, site);
	tw_on_events(w);
	assert_true(tw_event(w, EV_DEFER) >= 0);
	return w->r.g.defer;
}

/* One epilogue step of the running frame; returns its first event kind. */
static inline int tw_epilogue(tw *w)
{
	const rt_func *f = tw_cur(w);
	rt_begin_step(&w->r);
	rt_epilogue(&w->r, f->nsites - 1);
	tw_on_events(w);
	return w->r.nev ? w->r.ev[0].kind : EV_NONE;
}

/* One runtime continuation step (gopanic, lessstack, goexit). */
static inline void tw_internal(tw *w)
{
	rt_begin_step(&w->r);
	rt_run_internal(&w->r);
	tw_on_events(w);
}

/* ---- checker assertions ---- */

#define assert_clean(w)                                                    \
	do {                                                               \
		if (inv_check(&(w)->c, &(w)->v)) {                         \
			print_error("unexpected violation %s: %s\n",       \
				    inv_catalogue[(w)->v.id].id, (w)->v.msg); \
			fail();                                            \
		}                                                          \
	} while (0)

#define assert_violation(w, ID)                                             \
	do {                                                                \
		if (!inv_check(&(w)->c, &(w)->v)) {                         \
			print_error("expected violation %s, got none\n",    \
				    inv_catalogue[ID].id);                  \
			fail();                                             \
		}                                                           \
		if ((w)->v.id != (int)(ID))                                 \
			print_error("expected %s, got %s: %s\n",            \
				    inv_catalogue[ID].id,                   \
				    inv_catalogue[(w)->v.id].id, (w)->v.msg); \
		assert_int_equal((w)->v.id, (ID));                          \
		assert_true((w)->v.msg[0] != 0);                            \
	} while (0)

/* ---- files ---- */

/* $STACKFUZZ_SRC, or "." when run by hand from the repository root. */
static inline const char *src_root(void)
{
	const char *s = getenv("STACKFUZZ_SRC");
	return s && *s ? s : ".";
}

/* ---- shared by the runtime's tests (test_rt_*.c) ---- */

/* The frames a traceback visits (the first 16), stopping after stopat. */
typedef struct frames {
	rt_frame f[16];
	int n, stopat;
} frames;

static inline int collect(const rt *r, const rt_frame *fr, void *arg)
{
	(void)r;
	frames *fs = arg;
	if (fs->n < 16)
		fs->f[fs->n] = *fr;
	fs->n++;
	return fs->stopat == 0 || fs->n < fs->stopat;
}

/* Starts main with local 0 = 5 and local 1 = &local 0; returns &local 0. */
static inline rt_addr start_with_ptr(tw *w)
{
	tw_start(w);
	mc_store(&w->r.mem, tw_local(w, 0), 5);
	tw_setptr(w, tw_local(w, 1), tw_local(w, 0));
	assert_clean(w);
	return tw_local(w, 0);
}

#endif
