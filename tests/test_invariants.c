/*
** test_invariants.c: every checker fires on a state that breaks its
** invariant, and only then.
**
** Each test builds a healthy runtime state through the runtime API (see
** testutil.h: frames by real prologues, defers by deferproc, panics by
** gopanic), asserts inv_check is quiet, breaks exactly one thing, asserts
** inv_check names exactly that invariant, then repairs it and asserts
** quiet again (the control). The last tests check that a real stack copy
** leaves a deep state with pointer locals and defer arguments clean, and
** that bug switch 7695 makes a defer of a cgo wrapper copyable.
*/
#include "testutil.h"

static const rt_word nil_args[1] = {0};

/* main with y = 5 and q = &y; returns main's sp. */
static rt_addr main_with_ptr(tw *w)
{
	tw_start(w);
	mc_store(&w->r.mem, tw_local(w, 0), 5);
	tw_setptr(w, tw_local(w, 1), tw_local(w, 0));
	return rt_sp(&w->r);
}

/* main -> f(&y, 3): returns the address of main's y. */
static rt_addr main_calls_f(tw *w)
{
	rt_addr msp = main_with_ptr(w);
	rt_word a[2] = {msp, 3};
	uint32_t t[2] = {mc_cell_at(&w->r.mem, msp), 0};
	tw_call(w, w->ff, 2, a, t, 2);
	return msp;
}

/* ---- MEM1 ---- */

static void test_mem1_dead_region(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	main_with_ptr(w);
	mc_region *rg = mc_alloc(&w->r.mem, RG_HEAP, 64, "x");
	assert_int_equal(mc_store(&w->r.mem, rg->base + 8, 1), 0);
	assert_clean(w); /* control: a store to a live region */
	mc_release(&w->r.mem, rg);
	assert_int_equal(mc_store(&w->r.mem, rg->base + 8, 1), -1);
	assert_violation(w, INV_MEM1);
	assert_non_null(strstr(w->v.msg, "dead"));
	tw_free(w);
}

static void test_mem1_stale_stack_pointer(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt_addr oldy = main_with_ptr(w);
	rt_copystack(&w->r, 4096, EV_COPY);
	assert_clean(w); /* q was adjusted: no one touched the old stack */
	rt_word v;
	assert_int_equal(mc_load(&w->r.mem, oldy, &v), -1); /* a stale &y */
	assert_int_equal(v, 0);
	assert_violation(w, INV_MEM1);
	assert_non_null(strstr(w->v.msg, "load"));
	tw_free(w);
}

static void test_mem1_nil_is_not_a_violation(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	main_with_ptr(w);
	assert_int_equal(mc_store(&w->r.mem, 0, 1), -2);
	assert_int_equal(w->r.mem.nnil, 1);
	assert_clean(w); /* a nil dereference is a Go panic */
	assert_int_equal(mc_store(&w->r.mem, MC_HEAP_BASE - 8, 1), -1);
	assert_violation(w, INV_MEM1); /* unmapped is */
	assert_non_null(strstr(w->v.msg, "unmapped"));
	tw_free(w);
}

/* ---- STK1 ---- */

static void test_stk1_sp_outside(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	main_calls_f(w);
	assert_clean(w);
	rt_addr sp = w->r.g.sched.sp;
	w->r.g.sched.sp = w->r.g.lo - 64;
	assert_violation(w, INV_STK1);
	assert_non_null(strstr(w->v.msg, "outside"));
	w->r.g.sched.sp = w->r.g.hi + 8;
	assert_violation(w, INV_STK1);
	w->r.g.sched.sp = sp;
	assert_clean(w);
	tw_free(w);
}

static void test_stk1_bounds_and_guard(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	main_calls_f(w);
	rt_g *g = &w->r.g;
	g->guard += 8;
	assert_violation(w, INV_STK1);
	g->guard -= 8;
	assert_clean(w);
	g->stksize += 8;
	assert_violation(w, INV_STK1);
	g->stksize -= 8;
	g->lo += 8;
	assert_violation(w, INV_STK1); /* lo is not the region's base */
	g->lo -= 8;
	assert_clean(w);
	tw_free(w);
}

static void test_stk1_missing_shadow_frame(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	main_calls_f(w);
	assert_int_equal(w->t.nframes, 2);
	w->t.nframes = 1; /* the program "returned" from f; the stack did not */
	assert_violation(w, INV_STK1);
	assert_non_null(strstr(w->v.msg, "does not have"));
	w->t.nframes = 2;
	assert_clean(w);
	tw_free(w);
}

static void test_stk1_extra_shadow_frame(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	main_calls_f(w);
	inv_truth_push(&w->t, w->ff, 12345);
	assert_violation(w, INV_STK1);
	assert_non_null(strstr(w->v.msg, "program has 3"));
	w->t.nframes = 2;
	assert_clean(w);
	/* the right function with the wrong slot identity is a wrong frame */
	uint32_t cell = w->t.frames[1].cell;
	w->t.frames[1].cell = cell + 1000;
	assert_violation(w, INV_STK1);
	w->t.frames[1].cell = cell;
	w->t.frames[1].fn = w->fh;
	assert_violation(w, INV_STK1);
	w->t.frames[1].fn = w->ff;
	assert_clean(w);
	tw_free(w);
}

static void test_stk1_incomplete(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	main_calls_f(w);
	/* f's return-PC slot claims f is the bottom frame: the walk stops
	** at goexit short of the stack top */
	rt_addr slot = rt_sp(&w->r) + w->r.funcs[w->ff].framesize;
	rt_word lr = tw_ld(w, slot);
	mc_store_adjust(&w->r.mem, slot, rt_retpc(&w->r.funcs[RTF_GOEXIT], 0));
	assert_violation(w, INV_STK1);
	assert_non_null(strstr(w->v.msg, "did not unwind"));
	mc_store_adjust(&w->r.mem, slot, lr);
	assert_clean(w);
	tw_free(w);
}

/* ---- STK2 ---- */

static void test_stk2_bad_return_pc(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	main_calls_f(w);
	rt_addr slot = rt_sp(&w->r) + w->r.funcs[w->ff].framesize;
	rt_word lr = tw_ld(w, slot);
	assert_int_equal(lr, rt_retpc(&w->r.funcs[w->fm], 2));
	/* a site PC of main, not a return point */
	mc_store(&w->r.mem, slot, rt_site_pc(&w->r.funcs[w->fm], 2));
	assert_violation(w, INV_STK2);
	assert_non_null(strstr(w->v.msg, "not a return point"));
	/* the return point of a site of big that makes no call */
	mc_store(&w->r.mem, slot, rt_retpc(&w->r.funcs[w->fb], 1));
	assert_violation(w, INV_STK2);
	mc_store(&w->r.mem, slot, lr);
	assert_clean(w);
	tw_free(w);
}

static void test_stk2_bad_pc(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	main_calls_f(w);
	rt_addr pc = w->r.g.sched.pc;
	w->r.g.sched.pc = 0x20; /* no function */
	assert_violation(w, INV_STK2);
	w->r.g.sched.pc = w->r.funcs[RTF_STACKBARRIER].entry; /* frameless */
	assert_violation(w, INV_STK2);
	w->r.g.sched.pc = pc;
	assert_clean(w);
	tw_free(w);
}

/* ---- STK3 ---- */

static void test_stk3_local_pointer(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt_addr y = main_with_ptr(w);
	assert_clean(w);
	rt_addr q = tw_local(w, 1);
	/* a wrong value that keeps the provenance (a bad adjustment) */
	mc_store_adjust(&w->r.mem, q, y + 8);
	assert_violation(w, INV_STK3);
	assert_non_null(strstr(w->v.msg, "main"));
	mc_store_adjust(&w->r.mem, q, y);
	assert_clean(w);
	/* a plain store drops the provenance: an int, not a stale pointer */
	mc_store(&w->r.mem, q, y + 8);
	assert_clean(w);
	tw_free(w);
}

static void test_stk3_target_gone(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt_addr y = main_with_ptr(w);
	/* y's slot gets a new identity: q's target cell no longer exists */
	mc_cell_new(&w->r.mem, y);
	assert_violation(w, INV_STK3);
	assert_non_null(strstr(w->v.msg, "no longer exists"));
	tw_setptr(w, tw_local(w, 1), y);
	assert_clean(w);
	tw_free(w);
}

static void test_stk3_argument_word(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt_addr y = main_calls_f(w);
	assert_clean(w);
	rt_addr p = tw_arg(w, 0); /* f's p == &main.y */
	assert_int_equal(tw_ld(w, p), y);
	mc_store_adjust(&w->r.mem, p, y - 64);
	assert_violation(w, INV_STK3);
	assert_non_null(strstr(w->v.msg, "frame f"));
	mc_store_adjust(&w->r.mem, p, y);
	assert_clean(w);
	tw_free(w);
}

/* ---- DEF1 ---- */

static void test_def1_defer_sp(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt_addr y = main_with_ptr(w);
	rt_word a[2] = {y, 42};
	uint32_t t[2] = {mc_cell_at(&w->r.mem, y), 0};
	rt_addr d = tw_defer(w, w->ff, 1, a, t, 2);
	assert_int_equal(tw_ld(w, d + 8 * D_SP), rt_sp(&w->r));
	assert_clean(w);
	rt_word sp = tw_ld(w, d + 8 * D_SP);
	mc_store(&w->r.mem, d + 8 * D_SP, sp - 64);
	assert_violation(w, INV_DEF1);
	assert_non_null(strstr(w->v.msg, "no live frame"));
	mc_store(&w->r.mem, d + 8 * D_SP, sp);
	assert_clean(w);
	rt_word argp = tw_ld(w, d + 8 * D_ARGP);
	mc_store(&w->r.mem, d + 8 * D_ARGP, argp + 8);
	assert_violation(w, INV_DEF1);
	mc_store(&w->r.mem, d + 8 * D_ARGP, argp);
	assert_clean(w);
	/* deferred by f, says the record, but main's frame is at its sp */
	rt_word pc = tw_ld(w, d + 8 * D_PC);
	mc_store(&w->r.mem, d + 8 * D_PC, rt_retpc(&w->r.funcs[w->ff], 1));
	assert_violation(w, INV_DEF1);
	mc_store(&w->r.mem, d + 8 * D_PC, pc);
	assert_clean(w);
	tw_free(w);
}

static void test_def1_chain(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt_addr y = main_calls_f(w);
	rt_word a[2] = {y, 1};
	uint32_t t[2] = {mc_cell_at(&w->r.mem, y), 0};
	/* f defers twice; the chain must be innermost first */
	rt_addr d1 = tw_defer(w, w->ff, 1, a, t, 2);
	rt_addr d2 = tw_defer(w, w->ff, 2, a, t, 2);
	assert_int_equal(w->r.g.defer, d2);
	assert_int_equal(tw_ld(w, d2 + 8 * D_LINK), d1);
	assert_clean(w);
	/* a dead record in the chain */
	mc_region *dead = mc_alloc(&w->r.mem, RG_HEAP, 128, "defer");
	mc_release(&w->r.mem, dead);
	mc_store(&w->r.mem, d1 + 8 * D_LINK, dead->base);
	assert_violation(w, INV_DEF1);
	assert_non_null(strstr(w->v.msg, "not a live defer record"));
	mc_store(&w->r.mem, d1 + 8 * D_LINK, 0);
	assert_clean(w);
	tw_free(w);
}

static void test_def1_order(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt_addr y = main_with_ptr(w);
	rt_word a[2] = {y, 1};
	uint32_t t[2] = {mc_cell_at(&w->r.mem, y), 0};
	rt_addr dm = tw_defer(w, w->ff, 1, a, t, 2); /* main's */
	rt_word b[2] = {y, 3};
	tw_call(w, w->ff, 2, b, t, 2);
	rt_addr df = tw_defer(w, w->ff, 1, a, t, 2); /* f's */
	assert_int_equal(tw_ld(w, df + 8 * D_LINK), dm);
	assert_clean(w);
	/* outermost first: main's record ahead of f's */
	w->r.g.defer = dm;
	mc_store(&w->r.mem, dm + 8 * D_LINK, df);
	mc_store(&w->r.mem, df + 8 * D_LINK, 0);
	assert_violation(w, INV_DEF1);
	assert_non_null(strstr(w->v.msg, "out of order"));
	w->r.g.defer = df;
	mc_store(&w->r.mem, df + 8 * D_LINK, dm);
	mc_store(&w->r.mem, dm + 8 * D_LINK, 0);
	assert_clean(w);
	tw_free(w);
}

/* inv_check as the harness runs it: the change log is consumed. */
static int check_step(tw *w)
{
	int bad = inv_check(&w->c, &w->v);
	mc_epoch_done(&w->r.mem);
	w->t.lowmod = UINT32_MAX;
	return bad;
}

/* The defer chain is checked incrementally (inv_dchain.c): a step walks
** only the records it may have changed, yet a change to an outer record
** is still seen. */
static void test_def_incremental_chain(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt_addr y = main_with_ptr(w);
	rt_word a[2] = {y, 1};
	uint32_t t[2] = {mc_cell_at(&w->r.mem, y), 0};
	rt_addr d0 = tw_defer(w, w->ff, 1, a, t, 2); /* main's */
	for (int i = 0; i < 4; i++) {
		tw_call(w, w->ff, 2, a, t, 2);
		tw_defer(w, w->ff, 1, a, t, 2);
	}
	assert_int_equal(check_step(w), 0);
	assert_int_equal(w->c.dc.n, 5);
	/* one level deeper: only the new record, and the one of the frame
	** that made the call (its pc moved on, so its frame is walked again),
	** are walked; the outer four are reused */
	tw_call(w, w->ff, 2, a, t, 2);
	tw_defer(w, w->ff, 1, a, t, 2);
	uint64_t before = w->c.dc.nwalked;
	assert_int_equal(check_step(w), 0);
	assert_true(w->c.dc.stop != 0);
	assert_int_equal(w->c.dc.nwalked - before, 2);
	assert_int_equal(w->c.dc.n, 6);
	/* the outermost record changes: DEF1 still names it */
	rt_word argp = tw_ld(w, d0 + 8 * D_ARGP);
	mc_store(&w->r.mem, d0 + 8 * D_ARGP, argp + 8);
	assert_int_equal(check_step(w), 1);
	assert_int_equal(w->v.id, INV_DEF1);
	mc_store(&w->r.mem, d0 + 8 * D_ARGP, argp);
	assert_int_equal(check_step(w), 0);
	assert_int_equal(check_step(w), 0); /* reused again */
	assert_true(w->c.dc.stop != 0);
	/* its pointer argument goes stale (tag kept, value moved): DEF2 */
	rt_addr arg0 = d0 + 8 * RT_DEFER_HDR_WORDS;
	assert_int_equal(mc_store_adjust(&w->r.mem, arg0, y + 8), 0);
	assert_int_equal(check_step(w), 1);
	assert_int_equal(w->v.id, INV_DEF2);
	tw_free(w);
}

/* Per-G caches (inv_ctx_switch): a G switched out and back in keeps its
** frame cache while its stack region was not written since its last
** check (its first check after the switch is incremental), and loses it
** after any write there (the check walks it in full). */
static void test_switch_keeps_unwritten_caches(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt_addr y = main_calls_f(w);
	rt_word a[2] = {y, 3};
	uint32_t t[2] = {mc_cell_at(&w->r.mem, y), 0};
	tw_call(w, w->ff, 2, a, t, 2);
	assert_int_equal(check_step(w), 0);
	assert_int_equal(check_step(w), 0);
	uint64_t full = w->c.nfull, incr = w->c.nincr;
	assert_int_equal(inv_ctx_switch(&w->c, 0, 0), 1);
	assert_int_equal(check_step(w), 0);
	assert_int_equal(w->c.nfull, full);
	assert_int_equal(w->c.nincr, incr + 1);
	/* a value stored in main's frame while "suspended": not exact */
	mc_store(&w->r.mem, y, 5);
	mc_epoch_done(&w->r.mem); /* another G's check consumed the log */
	assert_int_equal(inv_ctx_switch(&w->c, 0, 0), 0);
	assert_int_equal(check_step(w), 0);
	assert_int_equal(w->c.nfull, full + 1);
	/* a G never checked has nothing to keep */
	assert_int_equal(inv_ctx_switch(&w->c, 0, 1), 0);
	tw_free(w);
}

/* ---- DEF2 ---- */

static void test_def2_arg_pointer(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt_addr y = main_with_ptr(w);
	rt_word a[2] = {y, 42};
	uint32_t t[2] = {mc_cell_at(&w->r.mem, y), 0};
	rt_addr d = tw_defer(w, w->ff, 1, a, t, 2);
	rt_addr arg0 = d + 8 * RT_DEFER_HDR_WORDS;
	assert_int_equal(tw_ld(w, arg0), y);
	assert_int_equal(mc_ptag_at(&w->r.mem, arg0), t[0]);
	assert_clean(w);
	mc_store_adjust(&w->r.mem, arg0, y + 8);
	assert_violation(w, INV_DEF2);
	assert_non_null(strstr(w->v.msg, "defer f argument"));
	mc_store_adjust(&w->r.mem, arg0, y);
	assert_clean(w);
	/* the int argument carries no provenance: any value is fine */
	mc_store(&w->r.mem, arg0 + 8, y + 8);
	assert_clean(w);
	tw_free(w);
}

/* ---- DEF3 ---- */

/* DEF3 looks at a step whose events include a stack copy. */
static void as_if_copied(tw *w)
{
	rt_event_add(&w->r, EV_COPY, w->r.g.stksize, w->r.g.stksize);
}

static void test_def3_frame_without_locals_map(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt_addr y = main_with_ptr(w);
	rt_word a[2] = {y, 42};
	uint32_t t[2] = {mc_cell_at(&w->r.mem, y), 0};
	tw_call(w, w->fw, 3, a, t, 2); /* cset's frame is on the stack */
	assert_clean(w);
	as_if_copied(w); /* as if this step copied the stack */
	assert_violation(w, INV_DEF3);
	assert_non_null(strstr(w->v.msg, "cset"));
	assert_non_null(strstr(w->v.msg, "locals"));
	rt_begin_step(&w->r); /* a step that copied nothing */
	assert_clean(w);
	tw_free(w);
}

static void test_def3_frame_without_args_map(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	int fa = tw_func(w, "noargs", RFF_LOCALMAP, 2, 0x3, 8, 8, 0, 0, 5);
	main_with_ptr(w);
	rt_word a[1] = {9};
	tw_call(w, fa, 3, a, NULL, 1);
	as_if_copied(w);
	assert_violation(w, INV_DEF3);
	assert_non_null(strstr(w->v.msg, "args"));
	rt_begin_step(&w->r); /* a step that copied nothing */
	assert_clean(w);
	tw_free(w);
}

static void test_def3_defer_of_wrapper(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt_addr y = main_with_ptr(w);
	rt_word a[2] = {y, 42};
	uint32_t t[2] = {mc_cell_at(&w->r.mem, y), 0};
	tw_defer(w, w->ff, 1, a, t, 2);
	as_if_copied(w);
	assert_clean(w); /* control: a defer of f has both maps */
	rt_begin_step(&w->r); /* a step that copied nothing */
	tw_defer(w, w->fw, 2, a, t, 2);
	assert_clean(w);
	as_if_copied(w);
	assert_violation(w, INV_DEF3);
	assert_non_null(strstr(w->v.msg, "pending defer of cset"));
	rt_begin_step(&w->r); /* a step that copied nothing */
	assert_clean(w);
	tw_free(w);
}

/* ---- DEF4 ---- */

static void test_def4_checkfail(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	main_calls_f(w);
	assert_clean(w);
	rt_addr y = rt_sp(&w->r);
	/* the recorder states the fact; only the checker judges it */
	inv_truth_check(&w->t, "f", "p", 1, y, 42, 42);
	assert_clean(w);
	inv_truth_check(&w->t, "f", "p", 1, y, 42, 0);
	assert_violation(w, INV_DEF4);
	assert_non_null(strstr(w->v.msg, "check *p == 42 in f read 0 from stack#"));
	inv_truth_step_done(&w->t); /* the next step has no such fact */
	assert_clean(w);
	/* either side off by one, and a plain slot */
	inv_truth_check(&w->t, "f", "y", 0, y, 7, 8);
	assert_violation(w, INV_DEF4);
	assert_non_null(strstr(w->v.msg, "check y == 7 in f read 8"));
	inv_truth_step_done(&w->t);
	inv_truth_check(&w->t, "f", "y", 0, y, 8, 7);
	assert_violation(w, INV_DEF4);
	inv_truth_step_done(&w->t);
	assert_clean(w);
	tw_free(w);
}

/* ---- PAN1 ---- */

/* A recover fact as the recorder states it, judged by PAN1. */
static void recover_fact(tw *w, int64_t w0, int64_t w1, int64_t w2, int64_t g0,
			 int64_t g1, int64_t g2)
{
	inv_truth_step_done(&w->t);
	w->t.recover_for = -1;
	inv_truth_recover(&w->t, "f", (int)g0, (int)g1, g2);
	inv_fact *x = &w->t.facts[w->t.nfacts - 1];
	assert_int_equal(x->kind, IF_RECOVER);
	x->want[0] = w0;
	x->want[1] = w1;
	x->want[2] = w2;
}

static void test_pan1_recoverbad(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	main_calls_f(w);
	/* not panicking: recover() is nil, and the recorder knows it */
	w->t.recover_for = -1;
	inv_truth_recover(&w->t, "f", 0, 0, 0);
	assert_clean(w);
	w->t.recover_for = -1;
	inv_truth_recover(&w->t, "f", 1, PV_INT, 42);
	assert_violation(w, INV_PAN1);
	assert_string_equal(w->v.msg,
			    "recover() in f returned a panic value, Go returns nil here");
	/* Go answers 42: each word of the answer is compared */
	recover_fact(w, 1, PV_INT, 42, 1, PV_INT, 42);
	assert_clean(w);
	recover_fact(w, 1, PV_INT, 42, 0, 0, 0);
	assert_violation(w, INV_PAN1);
	assert_string_equal(w->v.msg,
			    "recover() in f returned nil, Go returns the panic value");
	recover_fact(w, 1, PV_INT, 42, 1, PV_NIL, 42);
	assert_violation(w, INV_PAN1);
	recover_fact(w, 1, PV_INT, 42, 1, PV_INT, 41);
	assert_violation(w, INV_PAN1);
	assert_non_null(strstr(w->v.msg, "returned value kind 0 41"));
	recover_fact(w, 1, PV_INT, 42, 1, PV_INT, 43);
	assert_violation(w, INV_PAN1);
	inv_truth_step_done(&w->t);
	assert_clean(w);
	tw_free(w);
}

/* main defers h, then panics 42; returns the panic record (gopanic's sp)
** with gopanic at its site 1 (the record linked). */
static rt_addr main_panics(tw *w)
{
	main_with_ptr(w);
	tw_defer(w, w->fh, 1, nil_args, NULL, 0);
	rt_begin_step(&w->r);
	rt_gopanic(&w->r, PV_INT, 42, 2);
	tw_enter(w); /* gopanic's frame */
	assert_int_equal(rt_pc(&w->r), rt_site_pc(&w->r.funcs[RTF_GOPANIC], 0));
	assert_clean(w);
	tw_internal(w); /* site 0: the record */
	assert_true(tw_event(w, EV_PANIC) >= 0);
	assert_int_equal(w->r.g.panic, rt_sp(&w->r));
	return w->r.g.panic;
}

static void test_pan1_flags(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt_addr p = main_panics(w);
	assert_clean(w);
	mc_store(&w->r.mem, p + 8 * P_RECOVERED, 2);
	assert_violation(w, INV_PAN1);
	assert_non_null(strstr(w->v.msg, "recovered=2"));
	mc_store(&w->r.mem, p + 8 * P_RECOVERED, 0);
	assert_clean(w);
	mc_store(&w->r.mem, p + 8 * P_ABORTED, 7);
	assert_violation(w, INV_PAN1);
	mc_store(&w->r.mem, p + 8 * P_ABORTED, 0);
	/* recovered and Goexit's at once */
	mc_store(&w->r.mem, p + 8 * P_RECOVERED, 1);
	mc_store(&w->r.mem, p + 8 * P_GOEXIT, 1);
	assert_violation(w, INV_PAN1);
	mc_store(&w->r.mem, p + 8 * P_RECOVERED, 0);
	mc_store(&w->r.mem, p + 8 * P_GOEXIT, 0);
	assert_clean(w);
	tw_free(w);
}

static void test_pan1_chain_head(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt_addr p = main_panics(w);
	w->r.g.panic = p + 8; /* not a gopanic frame's record */
	assert_violation(w, INV_PAN1);
	assert_non_null(strstr(w->v.msg, "not the record of a live gopanic"));
	w->r.g.panic = p;
	assert_clean(w);
	/* a chain that loops back to its head: no second gopanic frame */
	mc_store(&w->r.mem, p + 8 * P_LINK, p);
	assert_violation(w, INV_PAN1);
	mc_store(&w->r.mem, p + 8 * P_LINK, 0);
	assert_clean(w);
	tw_free(w);
}

/* PAN1's frame lookup from last check's index (inv_frame_at_hint) must
** answer exactly as the search does, for every guess, right or stale:
** one segment (including equal sps, which a search resolves to the
** outermost), and ordered segments (the same sp in two segments). */
static void hint_agrees(inv_ctx *c)
{
	for (uint32_t i = 0; i < c->fr.n; i++)
		for (int d = -8; d <= 8; d += 8) {
			rt_addr sp = c->fr.f[i].sp + (rt_addr)d;
			int want = inv_frame_at(c, sp);
			for (uint32_t s = 0; s <= c->fr.n + 1; s++) {
				assert_int_equal(inv_frame_at_hint(c, sp, s), want);
				int g = inv_frame_guess(c, sp, s); /* right or none */
				assert_true(g == -1 || g == want);
			}
		}
}

static void test_pan1_frame_hint(void **state)
{
	(void)state;
	rt_frame f[6];
	memset(f, 0, sizeof f);
	inv_ctx c;
	memset(&c, 0, sizeof c);
	c.fr.f = f;
	/* one segment, stored outermost first: sp descends */
	rt_addr one[6] = {0x9000, 0x8f00, 0x8e00, 0x8e00, 0x8d00, 0x8c00};
	for (int i = 0; i < 6; i++) {
		f[i].sp = one[i];
		f[i].seglo = 0x8000;
		f[i].seghi = 0xa000;
	}
	c.fr.n = 6;
	c.fr.sorted = 1;
	hint_agrees(&c);
	assert_int_equal(inv_frame_at_hint(&c, 0x8e00, 3), 6 - 1 - 2);
	assert_int_equal(inv_frame_at_hint(&c, 0x8d00, 4), 6 - 1 - 4);
	assert_int_equal(inv_frame_guess(&c, 0x8d00, 4), 6 - 1 - 4);
	assert_int_equal(inv_frame_guess(&c, 0x8d00, 3), -1);
	assert_int_equal(inv_frame_guess(&c, 0x8e00, 3), -1); /* not the first */
	/* two segments, the newer above: (segment ascending, sp descending) */
	rt_addr two[6] = {0x9000, 0x8f00, 0x8e00, 0x11000, 0x10f00, 0x10e00};
	for (int i = 0; i < 6; i++) {
		f[i].sp = two[i];
		f[i].seglo = i < 3 ? 0x8000 : 0x10000;
		f[i].seghi = i < 3 ? 0xa000 : 0x12000;
	}
	c.fr.sorted = 0;
	c.fr.segordered = 1;
	hint_agrees(&c);
	assert_int_equal(inv_frame_at_hint(&c, 0x10f00, 4), 6 - 1 - 4);
	assert_int_equal(inv_frame_at_hint(&c, 0x10f00, 1), 6 - 1 - 4);
	assert_int_equal(inv_frame_guess(&c, 0x10f00, 4), 6 - 1 - 4);
	assert_int_equal(inv_frame_guess(&c, 0x8f00, 4), -1); /* another segment */
	/* unordered segments (a broken state): the search goes by the sp
	** index, which settles a shared sp its own way; a guess never does */
	struct inv_bysp by[6];
	for (int i = 0; i < 6; i++) {
		f[i].sp = one[i % 3];
		f[i].seglo = 0x8000;
		f[i].seghi = 0xa000;
	}
	for (int i = 0; i < 6; i++) /* ascending sp, then stored index */
		by[i] = (struct inv_bysp){one[2 - i / 2], (uint32_t)(2 - i / 2 + 3 * (i % 2))};
	c.fr.segordered = 0;
	c.fr.bysp = by;
	hint_agrees(&c);
	assert_int_equal(inv_frame_at_hint(&c, 0x8f00, 1), 6 - 1 - 4);
	assert_int_equal(inv_frame_guess(&c, 0x8f00, 4), -1);
}

/* DEF1 also covers a started defer's _panic: the record of a live
** gopanic frame (a stale one is what a missed adjustment leaves). */
static void test_def1_defer_panic_field(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt_addr p = main_panics(w);
	tw_internal(w); /* site 1: calls h, d.started = 1, d.panic = p */
	tw_enter(w);
	rt_addr d = w->r.g.defer;
	assert_int_equal(tw_ld(w, d + 8 * D_PANIC), p);
	assert_int_equal(tw_ld(w, d + 8 * D_STARTED), 1);
	assert_clean(w);
	mc_store(&w->r.mem, d + 8 * D_PANIC, p + 8);
	assert_violation(w, INV_DEF1);
	assert_non_null(strstr(w->v.msg, "_panic"));
	mc_store(&w->r.mem, d + 8 * D_PANIC, p);
	mc_store(&w->r.mem, d + 8 * D_STARTED, 0); /* a panic but not started */
	assert_violation(w, INV_DEF1);
	mc_store(&w->r.mem, d + 8 * D_STARTED, 2);
	assert_violation(w, INV_DEF1);
	mc_store(&w->r.mem, d + 8 * D_STARTED, 1);
	assert_clean(w);
	tw_free(w);
}

static void test_pan1_argp(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt_addr p = main_panics(w);
	tw_internal(w); /* site 1: calls h */
	assert_true(tw_event(w, EV_DEFERCALL) >= 0);
	tw_enter(w);	/* h's frame */
	assert_int_equal(tw_cur(w) - w->r.funcs, w->fh);
	rt_word argp = tw_ld(w, p + 8 * P_ARGP);
	assert_int_equal(argp, rt_frame_fp(&w->r, tw_cur(w)));
	assert_clean(w);
	mc_store_adjust(&w->r.mem, p + 8 * P_ARGP, argp + 8);
	assert_violation(w, INV_PAN1);
	assert_non_null(strstr(w->v.msg, "argp"));
	mc_store_adjust(&w->r.mem, p + 8 * P_ARGP, argp);
	assert_clean(w);
	/* recover from h: the panic is recovered; the state stays clean */
	int kind;
	int64_t val;
	assert_int_equal(rt_gorecover(&w->r, tw_cur(w), &kind, &val), 1);
	assert_int_equal(kind, PV_INT);
	assert_int_equal(val, 42);
	assert_int_equal(tw_ld(w, p + 8 * P_RECOVERED), 1);
	assert_clean(w);
	tw_free(w);
}

/* ---- healthy deep state through a real copy ---- */

typedef struct ptrword {
	rt_addr at; /* which word (in a stack frame or a defer record) */
	uint32_t tag;
	int indefer;
} ptrword;

static void test_copy_deep_state_clean(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt_addr y = main_with_ptr(w);
	uint32_t ycell = mc_cell_at(&w->r.mem, y);
	ptrword pw[32];
	uint32_t npw = 0;
	pw[npw++] = (ptrword){tw_local(w, 1), ycell, 0};
	rt_word a[2] = {y, 4};
	uint32_t t[2] = {ycell, 0};
	/* main -> f -> f -> f -> f, each f: r = &z, defer f(&z, 0) */
	tw_call(w, w->ff, 2, a, t, 2);
	for (int depth = 0; depth < 4; depth++) {
		rt_addr z = tw_local(w, 0);
		uint32_t zc = mc_cell_at(&w->r.mem, z);
		pw[npw++] = (ptrword){tw_arg(w, 0), ycell, 0};
		tw_setptr(w, tw_local(w, 1), z);
		pw[npw++] = (ptrword){tw_local(w, 1), zc, 0};
		rt_word da[2] = {z, 0};
		uint32_t dt[2] = {zc, 0};
		rt_addr d = tw_defer(w, w->ff, 1, da, dt, 2);
		pw[npw++] = (ptrword){d + 8 * RT_DEFER_HDR_WORDS, zc, 1};
		if (depth < 3) {
			rt_word na[2] = {y, (rt_word)(3 - depth)};
			tw_call(w, w->ff, 2, na, t, 2);
		}
	}
	assert_int_equal(w->t.nframes, 5);
	assert_clean(w);

	mc_region *old = w->r.g.stack;
	rt_addr oldhi = w->r.g.hi, oldsp = rt_sp(&w->r);
	rt_begin_step(&w->r);
	rt_copystack(&w->r, 2 * w->r.g.stksize, EV_COPY);
	assert_ptr_not_equal(old, w->r.g.stack);
	assert_false(old->live);
	assert_int_equal(w->r.g.stksize, 4096);
	int64_t delta = (int64_t)(w->r.g.hi - oldhi);
	assert_true(delta != 0);
	assert_int_equal(rt_sp(&w->r), oldsp + (rt_addr)delta);
	assert_clean(w); /* DEF3 looks (EV_COPY): every map exists */
	/* every pointer was adjusted to its slot's new home */
	for (uint32_t i = 0; i < npw; i++) {
		rt_addr at = pw[i].indefer ? pw[i].at : pw[i].at + (rt_addr)delta;
		rt_word v = tw_ld(w, at);
		assert_int_equal(mc_ptag_at(&w->r.mem, at), pw[i].tag);
		assert_int_equal(v, mc_cell_addr(&w->r.mem, pw[i].tag));
		assert_true(v >= w->r.g.lo && v < w->r.g.hi);
	}
	assert_int_equal(inv_stk3(&w->c, &w->v), 0);
	assert_int_equal(inv_def2(&w->c, &w->v), 0);
	/* growth through the prologue keeps it clean too */
	rt_word b[1] = {1};
	tw_call(w, w->fb, 3, b, NULL, 1);
	assert_true(w->r.ncopies >= 2);
	assert_clean(w);
	tw_free(w);
}

/* ---- bug 7695: a deferred cgo wrapper ---- */

static void defer_wrapper(tw *w, rt_addr *y)
{
	*y = main_with_ptr(w);
	rt_word a[2] = {*y, 42};
	uint32_t t[2] = {mc_cell_at(&w->r.mem, *y), 0};
	tw_defer(w, w->fw, 1, a, t, 2);
}

static void test_bug7695_copyable(void **state)
{
	(void)state;
	rt_addr y;
	tw *w = tw_std(0, 0);
	defer_wrapper(w, &y);
	assert_int_equal(rt_copyable(&w->r), 0); /* fixed */
	assert_clean(w);
	tw_free(w);

	w = tw_std(RT_BUG_7695, 0);
	defer_wrapper(w, &y);
	assert_int_equal(rt_copyable(&w->r), 1); /* the bug */
	assert_clean(w);
	rt_begin_step(&w->r);
	rt_copystack(&w->r, 4096, EV_COPY);
	/* the wrapper's lying args map left &y aimed at the freed stack */
	assert_int_equal(tw_ld(w, w->r.g.defer + 8 * RT_DEFER_HDR_WORDS), y);
	assert_violation(w, INV_DEF2);
	w->c.mask &= ~(1u << INV_DEF2);
	assert_violation(w, INV_DEF3);
	tw_free(w);
}

static void test_bug7695_prologue_takes_segment(void **state)
{
	(void)state;
	rt_addr y;
	tw *w = tw_std(0, 0);
	defer_wrapper(w, &y);
	rt_word b[1] = {1};
	tw_push(w, b, NULL, 1);
	rt_call(&w->r, w->fb, rt_retpc(&w->r.funcs[w->fm], 2));
	assert_int_equal(tw_prologue(w), EV_SEGMENT); /* not copyable */
	assert_clean(w);
	assert_int_equal(tw_prologue(w), EV_ENTER);
	assert_clean(w);
	assert_int_equal(w->r.ncopies, 0);
	tw_free(w);

	w = tw_std(RT_BUG_7695, 0);
	defer_wrapper(w, &y);
	tw_push(w, b, NULL, 1);
	rt_call(&w->r, w->fb, rt_retpc(&w->r.funcs[w->fm], 2));
	assert_int_equal(tw_prologue(w), EV_COPY);
	assert_violation(w, INV_DEF2);
	tw_free(w);
}

static void test_catalogue(void **state)
{
	(void)state;
	static const char *ids[] = {"MEM1", "STK1", "STK2", "STK3", "DEF1",
				    "DEF2", "DEF3", "DEF4", "PAN1"};
	assert_true(INV__COUNT >= 9);
	for (int i = 0; i < 9; i++)
		assert_string_equal(inv_catalogue[i].id, ids[i]);
	for (int i = 0; i < INV__COUNT; i++) {
		assert_non_null(inv_catalogue[i].id);
		assert_non_null(inv_catalogue[i].name);
		assert_int_equal(inv_lookup(inv_catalogue[i].id), i);
		assert_true(strlen(inv_catalogue[i].name) > 0);
	}
	assert_int_equal(inv_lookup("XYZ1"), -1);
}

static void test_first_violation_wins(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	main_calls_f(w);
	inv_truth_check(&w->t, "f", "y", 0, rt_sp(&w->r), 1, 0); /* DEF4 */
	w->t.recover_for = -1;
	inv_truth_recover(&w->t, "f", 1, PV_INT, 3); /* PAN1 */
	assert_violation(w, INV_DEF4);
	assert_non_null(strstr(w->v.msg, "check y == 1 in f read 0"));
	w->c.mask = 1u << INV_PAN1;
	assert_violation(w, INV_PAN1);
	assert_string_equal(w->v.msg,
			    "recover() in f returned a panic value, Go returns nil here");
	w->c.mask = 0;
	assert_clean(w); /* no checker runs */
	tw_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem1_dead_region),
		cmocka_unit_test(test_mem1_stale_stack_pointer),
		cmocka_unit_test(test_mem1_nil_is_not_a_violation),
		cmocka_unit_test(test_stk1_sp_outside),
		cmocka_unit_test(test_stk1_bounds_and_guard),
		cmocka_unit_test(test_stk1_missing_shadow_frame),
		cmocka_unit_test(test_stk1_extra_shadow_frame),
		cmocka_unit_test(test_stk1_incomplete),
		cmocka_unit_test(test_stk2_bad_return_pc),
		cmocka_unit_test(test_stk2_bad_pc),
		cmocka_unit_test(test_stk3_local_pointer),
		cmocka_unit_test(test_stk3_target_gone),
		cmocka_unit_test(test_stk3_argument_word),
		cmocka_unit_test(test_def1_defer_sp),
		cmocka_unit_test(test_def1_chain),
		cmocka_unit_test(test_def1_order),
		cmocka_unit_test(test_def_incremental_chain),
		cmocka_unit_test(test_def2_arg_pointer),
		cmocka_unit_test(test_def3_frame_without_locals_map),
		cmocka_unit_test(test_def3_frame_without_args_map),
		cmocka_unit_test(test_def3_defer_of_wrapper),
		cmocka_unit_test(test_def4_checkfail),
		cmocka_unit_test(test_pan1_recoverbad),
		cmocka_unit_test(test_pan1_flags),
		cmocka_unit_test(test_pan1_chain_head),
		cmocka_unit_test(test_pan1_argp),
		cmocka_unit_test(test_pan1_frame_hint),
		cmocka_unit_test(test_def1_defer_panic_field),
		cmocka_unit_test(test_copy_deep_state_clean),
		cmocka_unit_test(test_bug7695_copyable),
		cmocka_unit_test(test_bug7695_prologue_takes_segment),
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_switch_keeps_unwritten_caches),
		cmocka_unit_test(test_first_violation_wins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
