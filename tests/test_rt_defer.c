/*
** test_rt_defer.c: unit tests of defers, panics and recovery
** (runtime-under-test/rt_defer.c): records, LIFO order, unrecovered and
** recovered panics, a stack copy while a panic runs (the records'
** d.panic adjusted), recover outside a panic, nested panics, Goexit.
**
** States are driven through the runtime API as the harness does it
** (testutil.h); the checkers are asserted quiet along the way, so a
** runtime change that breaks an invariant fails here too.
*/
#include "testutil.h"

static void test_defer_record(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	rt_addr y = start_with_ptr(w);
	rt_addr sp = rt_sp(r);
	const rt_func *M = &r->funcs[w->fm], *F = &r->funcs[w->ff];
	rt_word a[2] = {y, 42};
	uint32_t t[2] = {mc_cell_at(&r->mem, y), 0};
	rt_addr d = tw_defer(w, w->ff, 1, a, t, 2);
	assert_int_equal(rt_sp(r), sp); /* the args were popped */
	mc_region *rg = mc_find(&r->mem, d);
	assert_non_null(rg);
	assert_int_equal(rg->kind, RG_HEAP);
	assert_int_equal(rg->base, d);
	assert_int_equal(rg->size, 8 * RT_DEFER_HDR_WORDS + 16);
	assert_int_equal(tw_ld(w, d + 8 * D_FN), F->entry);
	assert_int_equal(tw_ld(w, d + 8 * D_SIZ), 16);
	assert_int_equal(tw_ld(w, d + 8 * D_SP), sp);
	assert_int_equal(tw_ld(w, d + 8 * D_ARGP), rt_frame_fp(r, M));
	assert_int_equal(tw_ld(w, d + 8 * D_PC), rt_retpc(M, 1));
	assert_int_equal(tw_ld(w, d + 8 * D_STARTED), 0);
	assert_int_equal(tw_ld(w, d + 8 * D_PANIC), 0);
	assert_int_equal(tw_ld(w, d + 8 * D_LINK), 0);
	assert_int_equal(tw_ld(w, d + 8 * RT_DEFER_HDR_WORDS), y);
	assert_int_equal(tw_ld(w, d + 8 * RT_DEFER_HDR_WORDS + 8), 42);
	assert_int_equal(mc_ptag_at(&r->mem, d + 8 * RT_DEFER_HDR_WORDS), t[0]);
	rt_addr d2 = tw_defer(w, w->fh, 2, NULL, NULL, 0);
	assert_int_equal(tw_ld(w, d2 + 8 * D_LINK), d);
	assert_int_equal(tw_ld(w, d2 + 8 * D_SIZ), 0);
	assert_int_equal(r->g.defer, d2);
	assert_clean(w);
	tw_free(w);
}

/* Resumes the running function at its epilogue site, as the harness does
** after a call made from the epilogue returns. */
static void at_epilogue(tw *w)
{
	const rt_func *f = tw_cur(w);
	assert_int_equal(rt_pc(&w->r), rt_retpc(f, f->nsites - 1));
	w->r.g.sched.pc = rt_site_pc(f, f->nsites - 1);
}

static void test_defer_lifo(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	rt_addr y = start_with_ptr(w);
	uint32_t yc = mc_cell_at(&r->mem, y);
	rt_word a1[2] = {y, 1}, a3[2] = {y, 3};
	uint32_t t[2] = {yc, 0};
	rt_addr d1 = tw_defer(w, w->ff, 0, a1, t, 2);
	rt_addr d2 = tw_defer(w, w->fh, 1, NULL, NULL, 0);
	rt_addr d3 = tw_defer(w, w->ff, 2, a3, t, 2);
	rt_addr recs[3] = {d3, d2, d1};
	int fns[3] = {w->ff, w->fh, w->ff};
	rt_word ns[3] = {3, 0, 1};
	r->g.sched.pc = rt_site_pc(&r->funcs[w->fm], 7);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(tw_epilogue(w), EV_DEFERCALL);
		assert_int_equal(r->ev[0].a, fns[i]);
		assert_int_equal(r->ev[0].b, 0);
		assert_false(mc_find(&r->mem, recs[i])->live); /* freed */
		assert_int_equal(rt_pc(r), r->funcs[fns[i]].entry);
		tw_enter(w);
		assert_clean(w);
		if (fns[i] == w->ff) {
			assert_int_equal(tw_ld(w, tw_arg(w, 1)), ns[i]);
			assert_int_equal(tw_ld(w, tw_arg(w, 0)), y);
			assert_int_equal(mc_ptag_at(&r->mem, tw_arg(w, 0)), yc);
		}
		assert_int_equal(tw_epilogue(w), EV_RETURN);
		at_epilogue(w);
		assert_clean(w);
	}
	assert_int_equal(r->g.defer, 0);
	assert_int_equal(tw_epilogue(w), EV_RETURN);
	assert_int_equal(rt_pc(r), rt_retpc(&r->funcs[RTF_GOEXIT], 0));
	assert_int_equal(w->t.nframes, 0);
	tw_internal(w);
	assert_int_equal(r->status, RT_EXITED);
	assert_true(r->g.dead);
	assert_clean(w);
	assert_int_equal(r->mem.nfaults, 0);
	tw_free(w);
}

/* main defers h, panics v at site 2; stops with gopanic at site 1. */
static rt_addr start_panic(tw *w, int64_t v)
{
	start_with_ptr(w);
	tw_defer(w, w->fh, 1, NULL, NULL, 0);
	rt_begin_step(&w->r);
	rt_gopanic(&w->r, PV_INT, v, 2);
	tw_enter(w);
	tw_internal(w);
	assert_true(tw_event(w, EV_PANIC) >= 0);
	assert_int_equal(w->r.ev[tw_event(w, EV_PANIC)].b, v);
	assert_clean(w);
	return w->r.g.panic;
}

static void test_panic_unrecovered(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	start_panic(w, 42);
	tw_internal(w); /* runs h */
	assert_int_equal(r->ev[0].kind, EV_DEFERCALL);
	assert_int_equal(r->ev[0].b, 1);
	tw_enter(w);
	assert_clean(w);
	assert_int_equal(tw_epilogue(w), EV_RETURN);
	assert_int_equal(rt_pc(r), rt_retpc(&r->funcs[RTF_GOPANIC], 1));
	assert_clean(w);
	tw_internal(w); /* h returned, not recovered */
	assert_true(tw_event(w, EV_DEFERDONE) >= 0);
	assert_int_equal(r->g.defer, 0);
	tw_internal(w); /* no defers left */
	assert_int_equal(r->status, RT_PANICKED);
	assert_string_equal(r->panicmsg, "panic: 42");
	tw_free(w);
}

static void test_panic_recover_resumes(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	const rt_func *M = &r->funcs[w->fm], *F = &r->funcs[w->ff];
	rt_addr p = start_panic(w, 42);
	rt_addr msp = r->g.hi - 8 - M->framesize; /* main's frame */
	tw_internal(w);
	tw_enter(w); /* h */
	const rt_func *H = tw_cur(w);
	/* h calls f: recover() in f is not called by the deferred call */
	rt_word a[2] = {0, 0};
	tw_call(w, w->ff, 1, a, NULL, 2);
	int kind;
	int64_t val;
	assert_int_equal(rt_gorecover(r, F, &kind, &val), 0);
	assert_int_equal(kind, PV_NIL);
	assert_int_equal(tw_ld(w, p + 8 * P_RECOVERED), 0);
	assert_int_equal(tw_epilogue(w), EV_RETURN);
	assert_clean(w);
	/* h's own recover() gets the value, once */
	assert_int_equal(rt_gorecover(r, H, &kind, &val), 1);
	assert_int_equal(kind, PV_INT);
	assert_int_equal(val, 42);
	assert_int_equal(rt_gorecover(r, H, &kind, &val), 0);
	assert_clean(w);
	r->g.sched.pc = rt_site_pc(H, H->nsites - 1);
	assert_int_equal(tw_epilogue(w), EV_RETURN);
	tw_internal(w); /* recovery: main resumes at its epilogue */
	int e = tw_event(w, EV_RECOVERY);
	assert_true(e >= 0);
	assert_int_equal(r->ev[e].a, w->fm);
	assert_int_equal(rt_pc(r), rt_site_pc(M, M->nsites - 1));
	assert_int_equal(rt_sp(r), msp);
	assert_int_equal(r->g.panic, 0);
	assert_int_equal(r->g.defer, 0);
	assert_int_equal(w->t.nframes, 1);
	assert_clean(w);
	assert_int_equal(tw_epilogue(w), EV_RETURN);
	tw_internal(w);
	assert_int_equal(r->status, RT_EXITED);
	tw_free(w);
}

/* A stack copy while a panic runs a deferred call must adjust the
** record's d.panic (Go 1.4 adjustdefers: adjustpointer(&d._panic)).
** Regression test: adjustdefers once skipped D_PANIC, so panic_return saw
** a stale pointer and threw "bad defer entry in panic" (reported as DEF1)
** and the abort path of nested panics stored into the freed stack (MEM1);
** stress mode hit it in every program whose deferred call ran on a panic. */
static void test_copy_during_panic_adjusts_defer_panic(void **state)
{
	(void)state;
	tw *w = tw_std(0, 1); /* stress: h's prologue moves the stack */
	rt *r = &w->r;
	start_panic(w, 42);
	tw_internal(w); /* gopanic calls h; d.panic = the record */
	uint64_t copies = r->ncopies;
	tw_enter(w);
	assert_true(r->ncopies > copies);
	assert_int_equal(tw_ld(w, r->g.defer + 8 * D_PANIC), r->g.panic);
	assert_int_equal(tw_epilogue(w), EV_RETURN);
	tw_internal(w); /* h returned to gopanic */
	assert_int_equal(r->status, RT_RUNNING);
	assert_true(tw_event(w, EV_DEFERDONE) >= 0);
	tw_internal(w);
	assert_int_equal(r->status, RT_PANICKED);
	assert_string_equal(r->panicmsg, "panic: 42");
	assert_int_equal(r->mem.nfaults, 0);
	tw_free(w);
}

/* The same across segments: the deferred call was deferred by a frame of
** an older segment (so adjustdefers stops before its record), but its
** d.panic names the record in the copied top segment. Same regression:
** every record's D_PANIC needs adjusting, not only the top segment's. */
static void test_copy_top_segment_adjusts_older_defer_panic(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	rt_addr y = start_with_ptr(w);
	tw_defer(w, w->fh, 1, NULL, NULL, 0); /* main's, first segment */
	rt_word a[2] = {y, 42};
	uint32_t t[2] = {mc_cell_at(&r->mem, y), 0};
	tw_call(w, w->fw, 3, a, t, 2); /* cset: not copyable */
	rt_word b[1] = {7};
	tw_call(w, w->fb, 0, b, NULL, 1); /* big: a new segment */
	assert_int_equal(r->g.nsegs, 2);
	rt_begin_step(r);
	rt_gopanic(r, PV_INT, 1, 3);
	tw_enter(w);
	tw_internal(w); /* the record, in the top segment */
	tw_internal(w); /* runs main's h */
	tw_enter(w);
	assert_int_equal(tw_ld(w, r->g.defer + 8 * D_PANIC), r->g.panic);
	rt_begin_step(r);
	rt_copystack(r, 2 * r->g.stksize, EV_COPY); /* the top segment moves */
	assert_clean(w);
	assert_int_equal(tw_ld(w, r->g.defer + 8 * D_PANIC), r->g.panic);
	assert_int_equal(tw_epilogue(w), EV_RETURN);
	tw_internal(w);
	assert_int_equal(r->status, RT_RUNNING);
	tw_internal(w);
	assert_int_equal(r->status, RT_PANICKED);
	assert_string_equal(r->panicmsg, "panic: 1");
	assert_int_equal(r->mem.nfaults, 0);
	tw_free(w);
}

static void test_recover_outside_panic(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	start_with_ptr(w);
	int kind = -1;
	int64_t val = -1;
	assert_int_equal(rt_gorecover(&w->r, tw_cur(w), &kind, &val), 0);
	assert_int_equal(kind, PV_NIL);
	assert_int_equal(val, 0);
	assert_int_equal(w->r.ev[tw_event(w, EV_RECOVER)].a, 0);
	tw_free(w);
}

static void test_nested_panic_aborts(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	rt_addr p1 = start_panic(w, 1);
	tw_internal(w);
	tw_enter(w); /* h, run by panic 1, panics 2 */
	rt_begin_step(r);
	rt_gopanic(r, PV_INT, 2, 1);
	tw_enter(w);
	tw_internal(w);
	rt_addr p2 = r->g.panic;
	assert_true(p2 != p1);
	assert_int_equal(tw_ld(w, p2 + 8 * P_LINK), p1);
	assert_clean(w); /* two gopanic frames, chain in order */
	tw_internal(w); /* h's record was started by panic 1: abort it */
	assert_true(tw_event(w, EV_ABORT) >= 0);
	assert_int_equal(tw_ld(w, p1 + 8 * P_ABORTED), 1);
	assert_clean(w);
	tw_internal(w);
	assert_int_equal(r->status, RT_PANICKED);
	assert_string_equal(r->panicmsg, "panic: 1\n\tpanic: 2");
	tw_free(w);
}

static void test_goexit_runs_defers(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	start_with_ptr(w);
	tw_defer(w, w->fh, 1, NULL, NULL, 0);
	rt_begin_step(r);
	rt_goexit(r, 2);
	tw_enter(w);
	tw_internal(w);
	assert_true(tw_event(w, EV_GOEXIT) >= 0);
	rt_addr p = r->g.panic;
	assert_int_equal(tw_ld(w, p + 8 * P_GOEXIT), 1);
	assert_clean(w);
	tw_internal(w);
	assert_true(tw_event(w, EV_DEFERCALL) >= 0);
	tw_enter(w);
	int kind;
	int64_t val;
	/* Goexit is not a panic: recover() answers nil */
	assert_int_equal(rt_gorecover(r, tw_cur(w), &kind, &val), 0);
	assert_int_equal(tw_epilogue(w), EV_RETURN);
	tw_internal(w);
	tw_internal(w);
	assert_int_equal(r->status, RT_GOEXITED);
	tw_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defer_record),
		cmocka_unit_test(test_defer_lifo),
		cmocka_unit_test(test_panic_unrecovered),
		cmocka_unit_test(test_panic_recover_resumes),
		cmocka_unit_test(test_copy_during_panic_adjusts_defer_panic),
		cmocka_unit_test(test_copy_top_segment_adjusts_older_defer_panic),
		cmocka_unit_test(test_recover_outside_panic),
		cmocka_unit_test(test_nested_panic_aborts),
		cmocka_unit_test(test_goexit_runs_defers),
	};
	mc_assert_hook = mock_assert; /* internal assertions reach cmocka */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
