/*
** test_inv_cgo.c: the cgo and SEH checkers (CGO1, CGO2, SEH1, SEH2,
** SEH3) fire on states that break their invariant, and only then.
**
** The runtime is driven as the interpreter drives it (testutil_cgo.h),
** through the program of corpus/regressions/bug-7470.prog: main calls
** part, which defers rec and calls C (callit), which pushes its own SEH
** record and calls back into Go (gocb); gocb returns, panics (rec
** recovers), or makes a nested cgo call; then main calls faulty, which
** takes a simulated hardware fault that rec2 recovers. Every step on the
** way must leave inv_check quiet (the control); then one thing is broken
** and inv_check must name exactly the invariant it breaks. Where a
** broken state necessarily breaks an earlier invariant too, the test
** says which one fires first with every checker on and isolates the
** later one with the context mask.
**
** The bug switch 7470 is run both ways, step by step and end to end
** through hs_run (the regression program; a fault after a recovered
** callback panic).
*/
#include "testutil_cgo.h"

#include "hs.h"
#include "hs_internal.h"
#include "prog.h"

typedef struct fns {
	int main, part, rec, callit, gocb, faulty, rec2, c2;
} fns;

/* The functions (statements by site; the test picks gocb's):
**   main()      call part(); call faulty()
**   part()      defer rec(); cgo callit(7)
**   rec()       r = recover()                 (local r @0)
**   callit(x)   C: seh push; callback gocb(x); seh pop
**   gocb(x)     two of: panic x | return | lock | cgo c2()
**   faulty()    defer rec2(); fault
**   rec2()      r = recover()
**   c2()        C, empty */
static cw *world(uint32_t windows, uint32_t bugs, fns *f)
{
	cw *w = cw_new(windows, 0, bugs);
	f->main = cw_gofn(w, "main", 2, 0, 0);
	f->part = cw_gofn(w, "part", 2, 0, 0);
	f->rec = cw_gofn(w, "rec", 1, 8, 0);
	f->callit = cw_cfn(w, "callit", 3, 1, 1);
	f->gocb = cw_gofn(w, "gocb", 2, 0, 1);
	f->faulty = cw_gofn(w, "faulty", 2, 0, 0);
	f->rec2 = cw_gofn(w, "rec2", 1, 8, 0);
	f->c2 = cw_cfn(w, "c2", 0, 0, 0);
	return w;
}

static int in(cw *w, int fn)
{
	return cw_cur(w) == &w->r.funcs[fn];
}

/* Up to callit's first statement, on the OS stack. */
static void to_c(cw *w, const fns *f)
{
	cw_start(w, f->main);
	cw_call(w, f->part, NULL, 0);
	cw_run(w);
	cw_defer(w, f->rec, NULL, 0);
	rt_word x = 7;
	cw_cgo(w, f->callit, &x, 1);
	cw_run(w);
	assert_true(in(w, f->callit));
	assert_ptr_equal(w->r.cur, &w->r.g0);
	assert_int_equal(w->r.m.ncgo, 1);
	assert_int_equal(w->r.m.lockedint, 1);
	assert_int_equal(w->r.g.syscallsp, w->r.g.sched.sp); /* in C */
}

/* Up to gocb's first statement: callit pushed its record and called
** back. The chain is callbackasm1's record -> callit's -> mstart's. */
static void to_callback(cw *w, const fns *f)
{
	to_c(w, f);
	cw_sehpush(w);
	rt_word x = cw_ld(w, cw_arg(w, 0));
	assert_int_equal(x, 7);
	cw_callback(w, f->gocb, &x, 1);
	cw_run(w);
	assert_true(in(w, f->gocb));
	assert_ptr_equal(w->r.cur, &w->r.g);
	assert_int_equal(w->r.g.syscallsp, 0);
	assert_int_equal(w->r.m.g0sp, w->r.g0.sched.sp); /* callbackasm1's */
	if (w->r.cfg.windows)
		assert_int_equal(w->r.m.seh,
				 w->r.g0.sched.sp + 8 * CB_SEH_PREV);
}

/* callbackasm1's frame on g0 while the Go side of a callback runs. */
static rt_addr cbframe(cw *w)
{
	assert_int_equal(w->r.g0.sched.pc,
			 rt_retpc(&w->r.funcs[RTF_CGOCALLBACK], 0));
	return w->r.g0.sched.sp;
}

/* From gocb's first statement: gocb returns, callit pops its record and
** returns, cgocall runs endcgo; the CPU is at part's epilogue. */
static void callback_returns(cw *w, const fns *f)
{
	cw_return(w);
	cw_leave(w);
	assert_true(in(w, f->callit));
	assert_int_equal(cw_site(w), 2);
	cw_sehpop(w);
	cw_leave(w);
	assert_true(in(w, f->part));
	assert_int_equal(cw_site(w), 2);
}

/* From part's epilogue: rec runs (recover() answers want), part returns. */
static void part_returns(cw *w, const fns *f, int64_t want)
{
	cw_leave(w);
	assert_true(in(w, f->rec));
	assert_int_equal(cw_recover(w, 0), want);
	cw_leave(w);
	assert_true(in(w, f->part));
	cw_leave(w);
	assert_true(in(w, f->main));
	assert_int_equal(cw_site(w), 1);
}

/* From gocb's first statement: gocb panics, unwindm and endcgo run, rec
** recovers 7; the CPU is back in main, after `call part()`. */
static void callback_panics(cw *w, const fns *f)
{
	cw_panic(w, 7);
	cw_run(w);
	assert_true(in(w, f->rec));
	assert_ptr_equal(w->r.cur, &w->r.g);
	assert_int_equal(cw_recover(w, 0), 7);
	cw_leave(w);
	assert_true(in(w, f->part)); /* resumed at its epilogue */
	cw_leave(w);
	assert_true(in(w, f->main));
	assert_int_equal(cw_site(w), 1);
}

/* From main's second statement: faulty faults, rec2 recovers the
** runtime error, main returns. Returns the fault step's EV_FAULT a. */
static int64_t fault_and_exit(cw *w, const fns *f)
{
	cw_call(w, f->faulty, NULL, 0);
	cw_run(w);
	cw_defer(w, f->rec2, NULL, 0);
	cw_fault(w);
	int e = cw_event(w, EV_FAULT);
	assert_true(e >= 0);
	int64_t handled = w->r.ev[e].a;
	if (w->r.status != RT_RUNNING)
		return handled;
	cw_run(w);
	assert_true(in(w, f->rec2));
	assert_int_equal(cw_recover(w, 0), -1); /* a runtime error */
	cw_leave(w);
	assert_true(in(w, f->faulty));
	cw_leave(w);
	assert_true(in(w, f->main));
	cw_leave(w);
	assert_int_equal(w->r.status, RT_EXITED);
	return handled;
}

/* Does the truth hold a fact of this kind that the runtime broke? */
static int fact_broken(const cw *w, int kind)
{
	for (uint32_t i = 0; i < w->t.nfacts; i++) {
		const inv_fact *x = &w->t.facts[i];
		if (x->kind == kind && (x->got[0] != x->want[0] ||
					(kind == IF_CBEND && x->normal &&
					 x->got[1] != x->want[1])))
			return 1;
	}
	return 0;
}

/* Nothing of the cgo calls is left over. */
static void assert_cgo_done(cw *w)
{
	assert_int_equal(w->r.m.ncgo, 0);
	assert_int_equal(w->r.m.lockedint, 0);
	assert_int_equal(w->r.m.ncgocall, 1);
	assert_int_equal(w->r.m.g0sp, w->r.m.mstartsp);
	assert_int_equal(w->r.m.seh, w->r.cfg.windows ? w->r.m.mstartseh : 0);
	assert_int_equal(fact_broken(w, IF_CBEND), 0);
	assert_int_equal(fact_broken(w, IF_CGORET), 0);
}

/* ---- controls: whole runs, every step quiet ---- */

static void test_control_callback_returns(void **state)
{
	(void)state;
	for (uint32_t windows = 0; windows < 2; windows++) {
		fns f;
		cw *w = world(windows, 0, &f);
		to_callback(w, &f);
		assert_clean(w);
		callback_returns(w, &f);
		part_returns(w, &f, 0);
		assert_cgo_done(w);
		assert_int_equal(fault_and_exit(w, &f), 1);
		assert_cgo_done(w);
		cw_free(w);
	}
}

static void test_control_callback_panics(void **state)
{
	(void)state;
	for (uint32_t windows = 0; windows < 2; windows++) {
		fns f;
		cw *w = world(windows, 0, &f);
		to_callback(w, &f);
		callback_panics(w, &f);
		assert_cgo_done(w);
		assert_int_equal(fault_and_exit(w, &f), 1);
		cw_free(w);
	}
}

/* ---- CGO1 ---- */

static void test_cgo1_ncgo_count(void **state)
{
	(void)state;
	fns f;
	cw *w = world(1, 0, &f);
	to_c(w, &f);
	assert_clean(w);
	w->r.m.ncgo++;
	assert_violation(w, INV_CGO1);
	assert_non_null(strstr(w->v.msg, "ncgo is 2, but 1 cgo calls"));
	w->r.m.ncgo--;
	assert_clean(w);

	cw_sehpush(w);
	rt_word x = 7;
	cw_callback(w, f.gocb, &x, 1);
	cw_run(w);
	/* the callback's Go side: still one active cgo call */
	assert_clean(w);
	w->r.m.ncgo = 0;
	assert_violation(w, INV_CGO1);
	assert_non_null(strstr(w->v.msg, "ncgo is 0, but 1"));
	w->r.m.ncgo = 1;
	assert_clean(w);
	/* the count comes from the pending endcgo records: a runtime whose
	** record no longer names endcgo (the cleanup would not run) shows */
	rt_addr d = w->r.g.defer; /* unwindm's */
	rt_addr e = cw_ld(w, d + 8 * D_LINK);
	assert_int_equal(cw_ld(w, e + 8 * D_FN), w->r.funcs[RTF_ENDCGO].entry);
	cw_st(w, e + 8 * D_FN, w->r.funcs[f.rec].entry);
	assert_violation(w, INV_CGO1);
	assert_non_null(strstr(w->v.msg, "but 0 cgo calls"));
	cw_free(w);
}

/* The callback's return restores m.g0sp from callbackasm1's frame; a
** runtime that saved the wrong value leaves g0.sched.sp at the callback's
** frame. Only the harness's truth can see it (the OS stack still walks). */
static void cgo1_g0sp(int corrupt)
{
	fns f;
	cw *w = world(1, 0, &f);
	to_callback(w, &f);
	rt_addr fsp = cbframe(w);
	assert_int_equal(cw_ld(w, fsp + 8 * CB_SAVED_G0SP), w->r.m.mstartsp);
	if (corrupt)
		cw_st(w, fsp + 8 * CB_SAVED_G0SP, fsp);
	assert_clean(w); /* nothing is wrong yet */
	cw_return(w);
	cw_epilogue(w);
	cw_step_until(w, EV_CBRETURN);
	if (!corrupt) {
		assert_clean(w);
		assert_int_equal(w->r.m.g0sp, w->r.m.mstartsp);
	} else {
		assert_violation(w, INV_CGO1);
		assert_non_null(strstr(w->v.msg, "g0.sched.sp"));
		assert_non_null(strstr(w->v.msg, "returned"));
	}
	cw_free(w);
}

static void test_cgo1_g0sp_not_restored(void **state)
{
	(void)state;
	cgo1_g0sp(0);
	cgo1_g0sp(1);
}

/* cgocallback_gofunc keeps the G's sched.pc in its return slot and puts
** it back on return. Another valid return PC of cgocall there walks fine
** (no STK2) but sends the G past endcgo: CGO1 by the harness's truth. */
static void test_cgo1_sched_pc_not_restored(void **state)
{
	(void)state;
	for (int corrupt = 0; corrupt < 2; corrupt++) {
		fns f;
		cw *w = world(0, 0, &f);
		to_callback(w, &f);
		const rt_func *cb = &w->r.funcs[RTF_CGOCB_GOFUNC];
		rt_addr cbsp = rt_frame_fp(&w->r, cw_cur(w)) + 8; /* gocb's 1 arg */
		rt_addr slot = cbsp + cb->framesize;
		const rt_func *cg = &w->r.funcs[RTF_CGOCALL];
		assert_int_equal(cw_ld(w, slot), rt_retpc(cg, 0));
		if (corrupt)
			cw_st(w, slot, rt_retpc(cg, 1));
		assert_clean(w);
		cw_return(w);
		cw_epilogue(w);
		cw_step_until(w, EV_CBRETURN);
		if (corrupt) {
			assert_violation(w, INV_CGO1);
			assert_non_null(strstr(w->v.msg, "curg.sched.pc"));
		} else {
			assert_clean(w);
			assert_int_equal(w->r.g.sched.pc, rt_retpc(cg, 0));
		}
		cw_free(w);
	}
}

/* ---- CGO2 ---- */

static void test_cgo2_internal_lock(void **state)
{
	(void)state;
	fns f;
	cw *w = world(0, 0, &f);
	to_c(w, &f);
	assert_clean(w);
	w->r.m.lockedint++;
	assert_violation(w, INV_CGO2);
	assert_non_null(strstr(w->v.msg, "held 2 times with 1 cgo calls"));
	w->r.m.lockedint = 0;
	assert_violation(w, INV_CGO2);
	w->r.m.lockedint = 1;
	assert_clean(w);
	cw_free(w);
}

/* A LockOSThread made in a callback survives the panic through the cgo
** call (the user count is the G's), the internal lock does not leak. */
static void test_cgo2_user_lock_survives_panic(void **state)
{
	(void)state;
	fns f;
	cw *w = world(1, 0, &f);
	to_callback(w, &f);
	cw_lock(w);
	assert_int_equal(w->r.g.lockedext, 1);
	assert_int_equal(w->t.locks, 1);
	assert_clean(w);
	callback_panics(w, &f);
	assert_int_equal(w->r.g.lockedext, 1);
	assert_int_equal(w->r.m.lockedint, 0);
	assert_clean(w);
	w->r.g.lockedext = 0; /* a runtime that dropped it on the panic path */
	assert_violation(w, INV_CGO2);
	assert_non_null(strstr(w->v.msg, "LockOSThread count is 0, the "
					 "program's calls make it 1"));
	w->r.g.lockedext = 1;
	assert_clean(w);
	cw_free(w);
}

/* ---- SEH1 ---- */

static void test_seh1_chain_shape(void **state)
{
	(void)state;
	fns f;
	cw *w = world(1, 0, &f);
	to_c(w, &f);
	cw_sehpush(w);
	rt_addr sp = w->r.g0.sched.sp;
	rt_addr rec = sp + 8 * RT_CFRAME_SEH0;
	assert_int_equal(w->r.m.seh, rec);
	assert_int_equal(cw_ld(w, rec), w->r.m.mstartseh);
	assert_clean(w);

	w->r.m.seh = sp - 16; /* below the live part of the OS stack */
	assert_violation(w, INV_SEH1);
	assert_non_null(strstr(w->v.msg, "SEH head"));
	assert_non_null(strstr(w->v.msg, "outside the live OS stack"));
	w->r.m.seh = rec;
	assert_clean(w);

	cw_st(w, rec, rec); /* links to itself */
	assert_violation(w, INV_SEH1);
	assert_non_null(strstr(w->v.msg, "links down"));
	cw_st(w, rec, RT_SEH_END); /* ends before Go's record */
	assert_violation(w, INV_SEH1);
	assert_non_null(strstr(w->v.msg, "not at Go's mstart record"));
	cw_st(w, rec, w->r.m.mstartseh);
	assert_clean(w);

	cw_st(w, rec + 8, 0x1234); /* no handler's address */
	assert_violation(w, INV_SEH1);
	assert_non_null(strstr(w->v.msg, "no handler's"));
	cw_st(w, rec + 8, w->r.funcs[RTF_CHANDLER].entry);
	assert_clean(w);
	cw_free(w);
}

/* Bug 7470: unwindm abandons the C frames but the head still points at
** callbackasm1's record below them. The violation is in that very step. */
static void seh1_unwindm(uint32_t bugs)
{
	fns f;
	cw *w = world(1, bugs, &f);
	to_callback(w, &f);
	rt_addr cbrec = w->r.m.seh;
	cw_panic(w, 7);
	cw_step_until(w, EV_UNWINDM);
	assert_int_equal(w->r.m.g0sp, w->r.m.mstartsp);
	if (bugs) {
		assert_int_equal(w->r.m.seh, cbrec);
		assert_violation(w, INV_SEH1);
		assert_non_null(strstr(w->v.msg, "outside the live OS stack"));
	} else {
		assert_int_equal(w->r.m.seh, w->r.m.mstartseh);
		assert_clean(w);
	}
	cw_free(w);
}

static void test_seh1_bug7470_unwindm(void **state)
{
	(void)state;
	seh1_unwindm(0);
	seh1_unwindm(RT_BUG_7470);
}

/* linux/amd64 has no chain: the SEH checkers do not look. */
static void test_seh_linux_not_checked(void **state)
{
	(void)state;
	fns f;
	cw *w = world(0, 0, &f);
	to_callback(w, &f);
	assert_int_equal(w->r.m.seh, 0);
	w->r.m.seh = 0x1234;
	assert_clean(w);
	cw_free(w);
}

/* ---- SEH2 ---- */

/* While the Go side of a callback runs, callbackasm1's record must be in
** the chain. Unlinking it leaves a well-formed chain: SEH1 is quiet. */
static void test_seh2_callback_record_unlinked(void **state)
{
	(void)state;
	fns f;
	cw *w = world(1, 0, &f);
	to_callback(w, &f);
	rt_addr rec = cbframe(w) + 8 * CB_SEH_PREV;
	assert_int_equal(w->r.m.seh, rec);
	assert_clean(w);
	w->r.m.seh = cw_ld(w, rec); /* callit's record */
	assert_violation(w, INV_SEH2);
	assert_non_null(strstr(w->v.msg, "callbackasm1 frame's SEH record"));
	assert_non_null(strstr(w->v.msg, "not in the chain"));
	w->r.m.seh = w->r.m.mstartseh; /* skip both: still only SEH2 */
	assert_violation(w, INV_SEH2);
	w->r.m.seh = rec;
	assert_clean(w);
	cw_free(w);
}

/* Two callbacks nested (Go -> C -> Go -> C -> Go): each callbackasm1
** frame's record must be in the chain. SEH2 finds those frames through
** the OS-stack walk's prefix counts (fr0.ncback), innermost first, also
** on a check that reused the outer frames from the last one. The chain:
** inner callback's record, the inner callit's, the outer callback's,
** the outer callit's, mstart's. */
static void test_seh2_nested_callbacks(void **state)
{
	(void)state;
	fns f;
	cw *w = world(1, 0, &f);
	to_callback(w, &f);
	rt_addr outer = cbframe(w) + 8 * CB_SEH_PREV;
	rt_word x = 7;
	cw_cgo(w, f.callit, &x, 1);
	cw_run(w);
	assert_true(in(w, f.callit));
	cw_sehpush(w);
	cw_callback(w, f.gocb, &x, 1);
	cw_run(w);
	assert_true(in(w, f.gocb));
	rt_addr inner = cbframe(w) + 8 * CB_SEH_PREV;
	rt_addr innerc = cw_ld(w, inner); /* the inner callit's record */
	assert_int_equal(w->r.m.seh, inner);
	assert_int_equal(cw_ld(w, innerc), outer);
	char a[64], msg[128];
	for (int k = 0; k < 4; k++) {
		mc_epoch_done(&w->r.mem); /* as the harness does: caches kept */
		w->t.lowmod = UINT32_MAX;
		assert_clean(w);
		const inv_frames *f0 = &w->c.fr0;
		assert_int_equal(f0->ncback[f0->n - 1], 2);
		/* nothing on the OS side changed: SEH2's last verdict stands */
		uint64_t kept = w->c.nseh2kept;
		mc_epoch_done(&w->r.mem);
		assert_clean(w);
		assert_int_equal(w->c.nseh2kept, kept + 1);
		if (k == 3) { /* two epochs: the log no longer covers them */
			mc_epoch_done(&w->r.mem);
			mc_epoch_done(&w->r.mem);
			assert_clean(w);
			assert_int_equal(w->c.nseh2kept, kept + 1);
		}
		mc_epoch_done(&w->r.mem);
		w->t.lowmod = UINT32_MAX;
		rt_addr gone = k < 2 ? outer : inner;
		if (k < 2) /* the inner callit's link skips the outer record */
			cw_st(w, innerc, cw_ld(w, outer));
		else if (k == 2) /* the head skips the inner one */
			w->r.m.seh = innerc;
		else /* both: the innermost is named */
			w->r.m.seh = cw_ld(w, outer);
		if (k == 1) /* and the outer frames are walked afresh */
			w->c.fr0valid = 0;
		assert_violation(w, INV_SEH2);
		snprintf(msg, sizeof msg, "SEH record %s is not",
			 inv_addr(&w->c, gone, a, sizeof a));
		assert_non_null(strstr(w->v.msg, msg));
		/* put back, and checked in the same epoch (the log must see
		** the write: the harness closes an epoch only after a check) */
		cw_st(w, innerc, outer);
		w->r.m.seh = inner;
		assert_clean(w);
	}
	cw_free(w);
}

/* A deeper nest: SEH2 finds each callback frame's record by a search that
** goes on from the last frame's (galloping through the chain and the
** frames' prefix counts), so a record missing anywhere in the middle,
** its neighbours present, must be named, and none else. */
static void test_seh2_deep_nest(void **state)
{
	(void)state;
	enum { N = 6 };
	fns f;
	cw *w = world(1, 0, &f);
	to_callback(w, &f);
	rt_addr cb[N], cit[N]; /* callback and callit records, outermost first */
	cb[0] = cbframe(w) + 8 * CB_SEH_PREV;
	cit[0] = 0;
	rt_word x = 7;
	for (int i = 1; i < N; i++) {
		cw_cgo(w, f.callit, &x, 1);
		cw_run(w);
		assert_true(in(w, f.callit));
		cw_sehpush(w);
		cw_callback(w, f.gocb, &x, 1);
		cw_run(w);
		assert_true(in(w, f.gocb));
		cb[i] = cbframe(w) + 8 * CB_SEH_PREV;
		cit[i] = cw_ld(w, cb[i]);
		assert_int_equal(cw_ld(w, cit[i]), cb[i - 1]);
	}
	assert_int_equal(w->c.fr0.ncback[w->c.fr0.n - 1], N);
	char a[64], msg[128];
	for (int i = 0; i < N; i++) {
		mc_epoch_done(&w->r.mem);
		w->t.lowmod = UINT32_MAX;
		assert_clean(w);
		mc_epoch_done(&w->r.mem);
		w->t.lowmod = UINT32_MAX;
		/* skip cb[i]: the record inside it links past it (the head,
		** for the innermost) */
		if (i == N - 1)
			w->r.m.seh = cit[i];
		else
			cw_st(w, cit[i + 1], cw_ld(w, cb[i]));
		assert_violation(w, INV_SEH2);
		snprintf(msg, sizeof msg, "SEH record %s is not",
			 inv_addr(&w->c, cb[i], a, sizeof a));
		assert_non_null(strstr(w->v.msg, msg));
		if (i == N - 1)
			w->r.m.seh = cb[i];
		else
			cw_st(w, cit[i + 1], cb[i]);
		assert_clean(w);
	}
	cw_free(w);
}

/* A cgo call made inside a callback must give the head back as it found
** it (callbackasm1's record). An endcgo that restores an older head
** (mstart's) leaves a chain SEH1 accepts; the harness's truth says SEH2. */
static void seh2_nested_run(int corrupt)
{
	fns f;
	cw *w = world(1, 0, &f);
	to_callback(w, &f);
	rt_addr cbrec = w->r.m.seh;
	cw_cgo(w, f.c2, NULL, 0);
	cw_run(w);
	assert_true(in(w, f.c2));
	assert_int_equal(w->r.m.ncgo, 2);
	assert_int_equal(w->r.m.lockedint, 2);
	rt_addr d = w->r.g.defer; /* the inner cgocall's endcgo */
	rt_addr saved = d + 8 * (RT_DEFER_HDR_WORDS + ENDCGO_SEH);
	assert_int_equal(cw_ld(w, d + 8 * D_FN), w->r.funcs[RTF_ENDCGO].entry);
	assert_int_equal(cw_ld(w, saved), cbrec);
	if (corrupt)
		cw_st(w, saved, w->r.m.mstartseh);
	assert_clean(w);
	/* c2 returns; asmcgocall, cgocall's deferreturn, endcgo */
	cw_epilogue(w);
	cw_step_until(w, EV_ENDCGO);
	if (corrupt) {
		assert_int_equal(w->r.m.seh, w->r.m.mstartseh);
		assert_violation(w, INV_SEH2);
		assert_non_null(strstr(w->v.msg, "at the call's entry it was"));
		/* the frames show it too, without the truth */
		w->t.nfacts = 0;
		assert_violation(w, INV_SEH2);
		assert_non_null(strstr(w->v.msg, "not in the chain"));
	} else {
		assert_int_equal(w->r.m.seh, cbrec);
		assert_clean(w);
		assert_int_equal(w->r.m.ncgo, 1);
	}
	cw_free(w);
}

static void test_seh2_head_not_restored(void **state)
{
	(void)state;
	seh2_nested_run(0);
	seh2_nested_run(1);
}

/* ---- SEH3 ---- */

/* Go's mstart record with a C handler: a chain SEH1 accepts (every
** record a handler's, ending at mstart's) that never reaches Go's. */
static void test_seh3_no_go_handler(void **state)
{
	(void)state;
	for (int corrupt = 0; corrupt < 2; corrupt++) {
		fns f;
		cw *w = world(1, 0, &f);
		cw_start(w, f.main);
		cw_call(w, f.faulty, NULL, 0);
		cw_run(w);
		cw_defer(w, f.rec2, NULL, 0);
		if (corrupt)
			cw_st(w, w->r.m.mstartseh + 8,
			      w->r.funcs[RTF_CHANDLER].entry);
		assert_clean(w);
		w->check = 0;
		cw_fault(w);
		int e = cw_event(w, EV_FAULT);
		assert_true(e >= 0);
		if (corrupt) {
			assert_int_equal(w->r.ev[e].a, 0);
			assert_int_equal(w->r.status, RT_THROW);
			assert_non_null(strstr(w->r.throwmsg, "fault not handled: SEH "
						   "chain: the chain ended without "
						   "Go's handler"));
			assert_int_equal(inv_throw_verdict(w->r.throwcode), INV_SEH3);
			assert_violation(w, INV_SEH3);
			assert_non_null(strstr(w->v.msg, "did not reach Go's handler"));
			/* a later step has no fault: quiet again */
			rt_begin_step(&w->r);
			assert_clean(w);
		} else {
			assert_int_equal(w->r.ev[e].a, 1);
			assert_int_equal(w->r.status, RT_RUNNING);
			assert_clean(w);
			w->check = 1;
			cw_run(w);
			assert_int_equal(cw_recover(w, 0), -1);
		}
		cw_free(w);
	}
}

/* Bug 7470 end to end, step by step: the recovered callback panic leaves
** the head dangling (SEH1 from the unwindm step on), endcgo does not put
** it back (SEH2 by the truth), and the later fault cannot reach Go's
** handler (SEH3): catalogue order names SEH1 first. */
static void test_seh3_bug7470_fault(void **state)
{
	(void)state;
	fns f;
	cw *w = world(1, RT_BUG_7470, &f);
	to_callback(w, &f);
	w->check = 0;
	callback_panics(w, &f);
	assert_int_equal(fact_broken(w, IF_CGORET), 1);
	assert_true(w->r.m.seh < w->r.m.mstartsp); /* dangling */
	assert_int_equal(fault_and_exit(w, &f), 0);
	assert_int_equal(w->r.status, RT_THROW);
	assert_non_null(strstr(w->r.throwmsg, "fault not handled: SEH chain"));
	assert_non_null(strstr(w->r.throwmsg, "outside the live OS stack"));
	assert_int_equal(inv_throw_verdict(w->r.throwcode), INV_SEH3);
	assert_violation(w, INV_SEH1);
	w->c.mask &= ~(1u << INV_SEH1);
	assert_violation(w, INV_SEH2);
	assert_non_null(strstr(w->v.msg, "at the call's entry"));
	w->c.mask &= ~(1u << INV_SEH2);
	assert_violation(w, INV_SEH3);
	assert_non_null(strstr(w->v.msg, "outside the live OS stack"));
	cw_free(w);
}

/* The same on linux/amd64: no chain, the fault goes to the handler. */
static void test_seh3_linux_bug7470_handled(void **state)
{
	(void)state;
	fns f;
	cw *w = world(0, RT_BUG_7470, &f);
	to_callback(w, &f);
	callback_panics(w, &f);
	assert_int_equal(fault_and_exit(w, &f), 1);
	assert_cgo_done(w);
	cw_free(w);
}

/* ---- end to end through hs_run ---- */

static prog *parse_text(const char *text)
{
	prog *p = calloc(1, sizeof *p);
	assert_non_null(p);
	char err[512];
	int rc = prog_parse("inline.prog", text, strlen(text), p, err, sizeof err);
	if (rc)
		print_error("%s\n", err);
	assert_int_equal(rc, 0);
	return p;
}

static prog *parse_corpus(const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/corpus/regressions/%s", src_root(), name);
	prog *p = calloc(1, sizeof *p);
	assert_non_null(p);
	char err[512];
	int rc = prog_parse_file(path, p, err, sizeof err);
	if (rc)
		print_error("%s (set STACKFUZZ_SRC)\n", err);
	assert_int_equal(rc, 0);
	return p;
}

/* bugs < 0: the program's own switches. */
static hs_result *run(const prog *p, int64_t bugs, uint32_t mask)
{
	hs_result *r = calloc(1, sizeof *r);
	assert_non_null(r);
	hs_options o;
	memset(&o, 0, sizeof o);
	o.bugs_set = bugs >= 0;
	o.bugs = bugs >= 0 ? (uint32_t)bugs : 0;
	o.check_mask = mask;
	assert_int_equal(hs_run(p, &o, r), 0);
	return r;
}

static void assert_outcome(const hs_result *r, const char *want)
{
	char got[256];
	hs_outcome_str(r, got, sizeof got);
	if (strcmp(got, want))
		print_error("want %s, got %s: %s\n", want, got, r->text);
	assert_string_equal(got, want);
}

/* The OS stack's walk is cached across checks and walked again only
** below the highest OS-stack write since the last check (the machine
** log's os_hi): a write to an outer frame's return-PC slot is seen even
** when the innermost frames are unchanged and could be spliced. */
static void test_stk2_os_stack_outer_write_seen(void **state)
{
	(void)state;
	fns f;
	cw *w = world(0, 0, &f);
	to_callback(w, &f);
	cw_cgo(w, f.c2, NULL, 0); /* g0: c2, callbackasm1, callit, mstart */
	cw_run(w);
	assert_true(in(w, f.c2));
	assert_clean(w);
	mc_epoch_done(&w->r.mem); /* as the harness does after a check */
	assert_clean(w);	  /* nothing changed: the cache, whole */
	mc_epoch_done(&w->r.mem);
	rt_addr slot = 0;
	for (uint32_t i = 0; i < w->c.fr0.n; i++)
		if (w->c.fr0.f[i].fn == &w->r.funcs[f.callit])
			slot = w->c.fr0.f[i].lrptr;
	assert_true(slot > rt_sp(&w->r));
	rt_word good = cw_ld(w, slot);
	cw_st(w, slot, rt_site_pc(&w->r.funcs[f.c2], 0)); /* not a return point */
	assert_violation(w, INV_STK2);
	assert_non_null(strstr(w->v.msg, "OS stack"));
	assert_non_null(strstr(w->v.msg, "callit"));
	cw_st(w, slot, good);
	assert_clean(w);
	cw_free(w);
}

static void test_e2e_bug7470_prog(void **state)
{
	(void)state;
	prog *p = parse_corpus("bug-7470.prog");
	assert_int_equal(p->cfg.target, TARGET_WINDOWS_386);
	assert_int_equal(p->cfg.bugs, BUG_7470);
	hs_result *r = run(p, -1, 0);
	assert_outcome(r, "violation SEH1");
	char why[256];
	assert_true(hs_expect_met(p, r, why, sizeof why));
	assert_non_null(strstr(r->text, "outside the live OS stack"));
	hs_result_free(r);
	free(r);
	/* fixed: the recovered callback panic leaves the chain sound, and
	** the later fault reaches Go's handler (rec2 checks r == -1) */
	r = run(p, 0, 0);
	assert_outcome(r, "ok");
	hs_result_free(r);
	free(r);
	/* the fault itself, with the earlier reports masked: SEH3, from the
	** runtime's throw ("fault not handled") */
	uint32_t all = (1u << INV__COUNT) - 1;
	r = run(p, -1, all & ~(1u << INV_SEH1 | 1u << INV_SEH2));
	assert_outcome(r, "violation SEH3");
	assert_non_null(strstr(r->text, "fault not handled"));
	hs_result_free(r);
	free(r);
	free(p);
}

static const char fault_after_callback_panic[] =
	"# config: target=windows/386\n"
	"func main()\n"
	"  call part()\n"
	"  fault\n"
	"end\n"
	"func part()\n"
	"  defer rec()\n"
	"  cgo callit(7)\n"
	"end\n"
	"func rec()\n"
	"  var r int\n"
	"  r = recover()\n"
	"  check r == 7\n"
	"end\n"
	"cfunc callit(x)\n"
	"  seh push\n"
	"  callback gocb(x)\n"
	"  seh pop\n"
	"end\n"
	"func gocb(x int)\n"
	"  panic x\n"
	"end\n";

/* An unrecovered fault after a recovered callback panic: Go's handler
** turns it into a runtime-error panic; with bug 7470 the chain dangles.
** On linux/amd64 the bug is harmless (no chain). */
static void test_e2e_fault_after_callback_panic(void **state)
{
	(void)state;
	prog *p = parse_text(fault_after_callback_panic);
	hs_result *r = run(p, -1, 0);
	assert_int_equal(r->kind, OUT_PANIC);
	assert_string_equal(r->text, "panic: runtime error: invalid memory "
			    "address or nil pointer dereference (fault)");
	hs_result_free(r);
	free(r);
	r = run(p, BUG_7470, 0);
	assert_outcome(r, "violation SEH1");
	hs_result_free(r);
	free(r);
	p->cfg.target = TARGET_LINUX_AMD64;
	r = run(p, BUG_7470, 0);
	assert_int_equal(r->kind, OUT_PANIC);
	assert_non_null(strstr(r->text, "nil pointer dereference (fault)"));
	hs_result_free(r);
	free(r);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control_callback_returns),
		cmocka_unit_test(test_control_callback_panics),
		cmocka_unit_test(test_cgo1_ncgo_count),
		cmocka_unit_test(test_cgo1_g0sp_not_restored),
		cmocka_unit_test(test_cgo1_sched_pc_not_restored),
		cmocka_unit_test(test_cgo2_internal_lock),
		cmocka_unit_test(test_cgo2_user_lock_survives_panic),
		cmocka_unit_test(test_seh1_chain_shape),
		cmocka_unit_test(test_seh1_bug7470_unwindm),
		cmocka_unit_test(test_seh_linux_not_checked),
		cmocka_unit_test(test_seh2_callback_record_unlinked),
		cmocka_unit_test(test_seh2_nested_callbacks),
		cmocka_unit_test(test_seh2_deep_nest),
		cmocka_unit_test(test_seh2_head_not_restored),
		cmocka_unit_test(test_seh3_no_go_handler),
		cmocka_unit_test(test_seh3_bug7470_fault),
		cmocka_unit_test(test_stk2_os_stack_outer_write_seen),
		cmocka_unit_test(test_seh3_linux_bug7470_handled),
		cmocka_unit_test(test_e2e_bug7470_prog),
		cmocka_unit_test(test_e2e_fault_after_callback_panic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
