/*
** testutil_cgo.h: a test world for the cgo, SEH and stack-barrier
** checkers (test_inv_cgo.c, test_inv_bar.c).
**
** A "cgo world" (cw) is a runtime with the windows/386 SEH chain and/or
** GC stack barriers switched on, the ground truth and a checker context.
** The test plays the program: each cw_<statement> helper is one step
** doing exactly what the interpreter's exec_stmt does for that statement
** (hs_interp.c); cw_step runs one step of what is not a statement
** (prologues, runtime continuations: gopanic, cgocall, callbackasm1,
** endcgo, unwindm...) and cw_run runs them until the CPU is at a
** statement site again. cw_events keeps the truth as the harness does:
** identity cells, the shadow frames of Go functions, the SEH head at
** each cgo call's entry and g0.sched.sp / curg.sched.pc before each
** callback (hs_interp.c's on_endcgo / on_callback_end).
**
** With w->check set (the default), every step must leave inv_check quiet
** and must not throw: the path to a broken state is itself a control.
** Tests that run a bug switch clear it and check by hand.
**
** Gotchas: the field names r, t, c, v match testutil.h's tw, so its
** assert_clean / assert_violation macros work on a cw too. The world
** never closes the machine's epoch (mc_epoch_done) nor resets the
** truth's change marks between checks (the harness does, after each
** check): if the checkers
** cache frames across checks, here they conservatively re-walk, so these
** tests exercise the checkers themselves, not the cache.
*/
#ifndef STACKFUZZ_TESTUTIL_CGO_H
#define STACKFUZZ_TESTUTIL_CGO_H

#include "testutil.h"

enum { CW_MAX_STEPS = 400 };

typedef struct cw {
	rt r;
	inv_truth t;
	inv_ctx c;
	inv_violation v;
	int check;	/* every step must leave inv_check quiet */
	int32_t nuser;	/* next program function id */
	uint64_t steps;
} cw;

static inline cw *cw_new(uint32_t windows, uint32_t barriers, uint32_t bugs)
{
	cw *w = calloc(1, sizeof *w);
	assert_non_null(w);
	rt_config cfg = {
		.stack_init = 2048,
		.stack_max = 1u << 20,
		.bugs = bugs,
		.poison = 1,
		.windows = windows,
		.barriers = barriers,
	};
	rt_init(&w->r, &cfg);
	inv_truth_init(&w->t);
	inv_ctx_init(&w->c, &w->r, &w->t);
	w->check = 1;
	return w;
}

static inline void cw_free(cw *w)
{
	inv_ctx_free(&w->c);
	inv_truth_free(&w->t);
	rt_destroy(&w->r);
	free(w);
}

/* A Go function of nstmts statements (sites 0..nstmts-1, the epilogue at
** site nstmts; every site may call), framesize bytes of int locals. */
static inline int cw_gofn(cw *w, const char *name, uint32_t nstmts,
			  uint32_t framesize, uint32_t nargs)
{
	rt_funcdesc d = {
		.name = name,
		.kind = RF_GO,
		.flags = RFF_ARGMAP | RFF_LOCALMAP,
		.nsites = nstmts + 1,
		.retsites = (1ull << (nstmts + 1)) - 1,
		.framesize = framesize,
		.argsize = 8 * nargs,
		.user = w->nuser++,
		.nlocals = framesize / 8 < 16 ? framesize / 8 : 16,
	};
	int i = rt_addfunc(&w->r, &d);
	assert_true(i >= RTF__COUNT);
	return i;
}

/* A C function: no maps; its frame holds the SEH record count and room
** for nseh records of its own (the harness's layout). */
static inline int cw_cfn(cw *w, const char *name, uint32_t nstmts,
			 uint32_t nargs, uint32_t nseh)
{
	rt_funcdesc d = {
		.name = name,
		.kind = RF_C,
		.nsites = nstmts + 1,
		.retsites = (1ull << (nstmts + 1)) - 1,
		.framesize = 8 * (RT_CFRAME_SEH0 + 2 * nseh),
		.argsize = 8 * nargs,
		.user = w->nuser++,
		.nseh = nseh,
	};
	int i = rt_addfunc(&w->r, &d);
	assert_true(i >= RTF__COUNT);
	return i;
}

static inline rt_word cw_ld(cw *w, rt_addr a)
{
	rt_word v = 0;
	assert_int_equal(mc_peek(&w->r.mem, a, &v), 0);
	return v;
}

static inline void cw_st(cw *w, rt_addr a, rt_word v)
{
	assert_int_equal(mc_store(&w->r.mem, a, v), 0);
}

static inline const rt_func *cw_cur(cw *w)
{
	const rt_func *f = rt_findfunc(&w->r, rt_pc(&w->r));
	assert_non_null(f);
	return f;
}

/* Argument word i / local word i of the running frame. */
static inline rt_addr cw_arg(cw *w, uint32_t i)
{
	return rt_frame_fp(&w->r, cw_cur(w)) + 8ull * i;
}

static inline rt_addr cw_local(cw *w, uint32_t i)
{
	return rt_sp(&w->r) + 8ull * i;
}

/* Index of the last step's first event of this kind, or -1. */
static inline int cw_event(const cw *w, int kind)
{
	for (uint32_t i = 0; i < w->r.nev; i++)
		if (w->r.ev[i].kind == kind)
			return (int)i;
	return -1;
}

/* ---- the truth: the one recorder the harness uses ---- */

static inline void cw_events(cw *w)
{
	inv_truth_events(&w->t, &w->r);
}

/* ---- steps ---- */

static inline void cw_begin(cw *w) { rt_begin_step(&w->r); }

/* After a step: the truth, then (w->check) no throw and no violation. */
static inline void cw_end(cw *w)
{
	w->steps++;
	cw_events(w);
	if (!w->check)
		return;
	if (w->r.status == RT_THROW)
		fail_msg("step %llu threw: %s", (unsigned long long)w->steps,
			 w->r.throwmsg);
	assert_clean(w);
}

/* One step of what is not a statement: a prologue or a runtime
** continuation. Resuming at a return point is not a step (the
** interpreter moves on to the next site). Returns 0, taking no step,
** when the CPU is at a statement site or the run has ended. */
static inline int cw_step(cw *w)
{
	rt *r = &w->r;
	for (;;) {
		if (r->status != RT_RUNNING)
			return 0;
		rt_addr pc = rt_pc(r);
		const rt_func *f = rt_findfunc(r, pc);
		assert_non_null(f);
		if (pc == f->entry && !(f->flags & RFF_NOFRAME)) {
			cw_begin(w);
			rt_prologue(r);
		} else if (f->user >= 0) {
			rt_addr off = pc - f->entry;
			if (off % RT_SITE != RT_PCQUANTUM)
				return 0;
			uint32_t site = (uint32_t)(off / RT_SITE) - 1;
			r->cur->sched.pc =
				rt_site_pc(f, site + 1 < f->nsites ? site + 1 : site);
			continue;
		} else {
			cw_begin(w);
			rt_run_internal(r);
		}
		cw_end(w);
		return 1;
	}
}

static inline void cw_run(cw *w)
{
	for (int i = 0; cw_step(w); i++)
		assert_true(i < CW_MAX_STEPS);
}

/* Runs non-statement steps up to and including the first one with an
** event of this kind. With w->check set every earlier step must be
** quiet; the last one is left to the caller to check (the violation
** belongs to that step). */
static inline void cw_step_until(cw *w, int kind)
{
	int check = w->check;
	w->check = 0;
	for (int i = 0; i < CW_MAX_STEPS; i++) {
		assert_true(cw_step(w));
		if (cw_event(w, kind) >= 0) {
			w->check = check;
			return;
		}
		if (!check)
			continue;
		if (w->r.status == RT_THROW)
			fail_msg("step %llu threw: %s", (unsigned long long)w->steps,
				 w->r.throwmsg);
		assert_clean(w);
	}
	fail_msg("no step had event %d", kind);
}

static inline void cw_start(cw *w, int entry)
{
	assert_int_equal(rt_start(&w->r, entry), 0);
	cw_run(w);
}

/* The statement site the CPU is at. */
static inline uint32_t cw_site(cw *w)
{
	const rt_func *f = cw_cur(w);
	rt_addr off = rt_pc(&w->r) - f->entry;
	assert_true(f->user >= 0);
	assert_int_equal(off % RT_SITE, 0);
	return (uint32_t)(off / RT_SITE) - 1;
}

static inline void cw_next(cw *w, uint32_t site)
{
	w->r.cur->sched.pc = rt_site_pc(cw_cur(w), site + 1);
}

/* ---- statements (hs_interp.c exec_stmt), one step each ---- */

static inline void cw_call(cw *w, int fn, const rt_word *args, uint32_t n)
{
	uint32_t site = cw_site(w);
	const rt_func *f = cw_cur(w);
	cw_begin(w);
	rt_push_args(&w->r, args, n);
	rt_call(&w->r, fn, rt_retpc(f, site));
	cw_end(w);
}

static inline void cw_defer(cw *w, int fn, const rt_word *args, uint32_t n)
{
	uint32_t site = cw_site(w);
	cw_begin(w);
	rt_push_args(&w->r, args, n);
	rt_deferproc(&w->r, fn, site);
	cw_next(w, site);
	cw_end(w);
}

static inline void cw_cgo(cw *w, int cfn, const rt_word *args, uint32_t n)
{
	uint32_t site = cw_site(w);
	cw_begin(w);
	inv_truth_cgo_call(&w->t, &w->r);
	rt_cgocall(&w->r, cfn, args, n, site);
	cw_end(w);
}

static inline void cw_callback(cw *w, int gofn, const rt_word *args,
			       uint32_t n)
{
	uint32_t site = cw_site(w);
	cw_begin(w);
	inv_truth_callback(&w->t, &w->r);
	rt_callback(&w->r, gofn, args, n, site);
	cw_end(w);
}

static inline void cw_panic(cw *w, int64_t val)
{
	uint32_t site = cw_site(w);
	cw_begin(w);
	rt_gopanic(&w->r, PV_INT, val, site);
	cw_end(w);
}

/* `slot = recover()`: returns what recover() returned as the program
** sees it (0 for nil, -1 for a runtime error) and stores it in local
** word `slot` if slot >= 0. */
static inline int64_t cw_recover(cw *w, int slot)
{
	uint32_t site = cw_site(w);
	const rt_func *f = cw_cur(w);
	int kind;
	int64_t val;
	cw_begin(w);
	int got = rt_gorecover(&w->r, f, &kind, &val);
	int64_t res = !got ? 0 : kind == PV_INT ? val : kind == PV_NIL ? 0 : -1;
	if (slot >= 0)
		mc_store(&w->r.mem, cw_local(w, (uint32_t)slot), (rt_word)res);
	cw_next(w, site);
	cw_end(w);
	return res;
}

/* A statement done by a plain runtime call at the site, then the next. */
#define CW_SIMPLE(name, call)                       \
	static inline void name(cw *w)              \
	{                                           \
		uint32_t site = cw_site(w);         \
		cw_begin(w);                        \
		call;                               \
		cw_next(w, site);                   \
		cw_end(w);                          \
	}
CW_SIMPLE(cw_sehpush, rt_sehpush(&w->r))
CW_SIMPLE(cw_sehpop, rt_sehpop(&w->r))
/* `gc scan` / `gc markterm`: the truth first records what the scan must
** visit (GC1), as exec_stmt does */
CW_SIMPLE(cw_scan, (inv_truth_gc(&w->t, &w->t, &w->r, 0, 0, cw_cur(w)->kind == RF_C, 0),
		    inv_truth_gc_done(&w->t, 0), rt_gc_scan(&w->r)))
CW_SIMPLE(cw_markterm, (inv_truth_gc(&w->t, &w->t, &w->r, 0, 1, cw_cur(w)->kind == RF_C, 0),
			inv_truth_gc_done(&w->t, 1), rt_gc_markterm(&w->r)))
CW_SIMPLE(cw_lock, (w->t.locks++, rt_lockosthread(&w->r)))
CW_SIMPLE(cw_unlock, (w->t.locks -= w->t.locks != 0, rt_unlockosthread(&w->r)))
#undef CW_SIMPLE

static inline void cw_fault(cw *w)
{
	uint32_t site = cw_site(w);
	cw_begin(w);
	rt_fault(&w->r, site);
	cw_end(w);
}

/* `return`: on to the epilogue site. */
static inline void cw_return(cw *w)
{
	cw_site(w);
	cw_begin(w);
	w->r.cur->sched.pc = rt_site_pc(cw_cur(w), cw_cur(w)->nsites - 1);
	cw_end(w);
}

/* The epilogue site: the next deferred call, or RET (C: SEH cleanup). */
static inline void cw_epilogue(cw *w)
{
	uint32_t site = cw_site(w);
	assert_int_equal(site, cw_cur(w)->nsites - 1);
	cw_begin(w);
	rt_epilogue(&w->r, site);
	cw_end(w);
}

/* Epilogue steps and everything they run until the CPU is at a statement
** site of a frame other than this one, or the run ended. */
static inline void cw_leave(cw *w)
{
	rt_addr sp = rt_sp(&w->r);
	const rt_func *f = cw_cur(w);
	for (int i = 0; i < CW_MAX_STEPS; i++) {
		cw_epilogue(w);
		cw_run(w);
		if (w->r.status != RT_RUNNING || rt_sp(&w->r) != sp ||
		    rt_findfunc(&w->r, rt_pc(&w->r)) != f ||
		    cw_site(w) != f->nsites - 1)
			return;
	}
	fail_msg("the epilogue never returned");
}

#endif
