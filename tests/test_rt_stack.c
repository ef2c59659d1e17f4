/*
** test_rt_stack.c: unit tests of stacks (runtime-under-test/rt_stack.c): copying
** with pointer adjustment, growth at the prologue, split-stack segments
** and lessstack, shrinking and its refusals, overflow, stress mode.
**
** States are driven through the runtime API as the harness does it
** (testutil.h); the checkers are asserted quiet along the way, so a
** runtime change that breaks an invariant fails here too.
*/
#include "testutil.h"

static void test_stack_copy_doubles_and_adjusts(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	rt_addr y = start_with_ptr(w);
	uint32_t ycell = mc_cell_at(&r->mem, y);
	mc_region *old = r->g.stack;
	rt_addr oldhi = r->g.hi, oldsp = rt_sp(r);
	rt_begin_step(r);
	uint64_t gen = mc_changes(&r->mem)->stackgen;
	rt_copystack(r, 2 * r->g.stksize, EV_COPY);
	assert_int_equal(r->g.stksize, 4096);
	assert_int_equal(r->g.hi - r->g.lo, 4096);
	assert_int_equal(r->g.stktotal, 4096);
	assert_int_equal(r->g.guard, r->g.lo + RT_STACK_GUARD);
	assert_ptr_not_equal(r->g.stack, old);
	assert_false(old->live);
	/* the machine's log saw a region made, one moved into, one freed */
	assert_true(mc_changes(&r->mem)->stackgen >= gen + 3);
	assert_int_equal(r->ncopies, 1);
	rt_addr delta = r->g.hi - oldhi;
	assert_int_equal(rt_sp(r), oldsp + delta);
	rt_addr ny = rt_sp(r);
	assert_int_equal(tw_ld(w, ny), 5);
	assert_int_equal(tw_ld(w, ny + 8), ny); /* q adjusted */
	assert_int_equal(mc_cell_addr(&r->mem, ycell), ny);
	assert_int_equal(tw_ld(w, r->g.hi - 8), rt_retpc(&r->funcs[RTF_GOEXIT], 0));
	assert_int_equal(mc_cell_addr(&r->mem, w->t.frames[0].cell), r->g.hi - 8);
	assert_clean(w);
	tw_free(w);
}

static void test_stack_growth_by_prologue(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	start_with_ptr(w);
	rt_word b[1] = {1};
	tw_push(w, b, NULL, 1);
	rt_call(r, w->fb, rt_retpc(&r->funcs[w->fm], 2));
	assert_int_equal(tw_prologue(w), EV_COPY);
	assert_int_equal(r->ev[0].a, 2048);
	assert_int_equal(r->ev[0].b, 8192); /* doubled until the frame fits */
	assert_int_equal(rt_pc(r), r->funcs[w->fb].entry); /* still at entry */
	assert_clean(w);
	assert_int_equal(tw_prologue(w), EV_ENTER);
	assert_int_equal(r->g.stksize, 8192);
	assert_true(rt_sp(r) >= r->g.guard);
	assert_int_equal(r->nsegments, 0);
	assert_clean(w);
	tw_free(w);
}

static void test_stack_newsegment_lessstack(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	rt_addr y = start_with_ptr(w);
	rt_word a[2] = {y, 42};
	uint32_t t[2] = {mc_cell_at(&r->mem, y), 0};
	tw_call(w, w->fw, 3, a, t, 2); /* cset: no locals map */
	assert_int_equal(rt_copyable(r), 0);
	rt_addr csp = rt_sp(r), oldlo = r->g.lo, oldhi = r->g.hi;
	uint32_t oldid = r->g.stack->id;
	rt_word b[1] = {7};
	tw_push(w, b, NULL, 1);
	rt_call(r, w->fb, rt_retpc(&r->funcs[w->fw], 0));
	assert_int_equal(tw_prologue(w), EV_SEGMENT);
	assert_int_equal(r->ev[0].a, 8192);
	assert_int_equal(r->ev[0].b, 2);
	assert_int_equal(r->g.nsegs, 2);
	assert_int_equal(r->g.stksize, 8192);
	assert_int_equal(r->g.stktotal, 2048 + 8192);
	assert_int_equal(r->nsegments, 1);
	assert_int_equal(r->ncopies, 0);
	rt_addr hi = r->g.hi;
	assert_int_equal(tw_ld(w, hi + 8 * STKTOP_PREV_LO), oldlo);
	assert_int_equal(tw_ld(w, hi + 8 * STKTOP_PREV_HI), oldhi);
	assert_int_equal(tw_ld(w, hi + 8 * STKTOP_PC), rt_retpc(&r->funcs[w->fw], 0));
	assert_int_equal(tw_ld(w, hi + 8 * STKTOP_SP), csp);
	assert_int_equal(tw_ld(w, hi + 8 * STKTOP_ARGP), csp - 8);
	assert_int_equal(tw_ld(w, hi + 8 * STKTOP_ARGSIZE), 8);
	assert_int_equal(tw_ld(w, hi + 8 * STKTOP_PREV_REGION), oldid);
	assert_int_equal(tw_ld(w, hi - 8), 7); /* the argument, copied */
	assert_int_equal(tw_ld(w, hi - 16), rt_retpc(&r->funcs[RTF_LESSSTACK], 0));
	assert_int_equal(rt_sp(r), hi - 16);
	assert_clean(w);
	/* shrinking is refused while a segment chain exists */
	rt_shrink(r);
	assert_int_equal(r->g.stksize, 8192);
	assert_int_equal(r->nshrinks, 0);
	assert_int_equal(tw_prologue(w), EV_ENTER);
	assert_clean(w);
	/* the full walk crosses into the older segment */
	frames fs = {.n = 0};
	assert_int_equal(rt_traceback(r, rt_pc(r), rt_sp(r), 0, collect, &fs, NULL, 0),
			 TB_OK);
	assert_int_equal(fs.n, 3);
	assert_int_equal(fs.f[0].segtop, 1);
	assert_int_equal(fs.f[0].seg, 0);
	assert_int_equal(fs.f[1].seg, 1);
	assert_ptr_equal(fs.f[1].fn, &r->funcs[w->fw]);
	assert_int_equal(fs.f[1].seghi, oldhi);
	assert_int_equal(fs.f[2].seg, 1);
	/* the top-only walk stops at the boundary */
	fs.n = 0;
	assert_int_equal(rt_traceback(r, rt_pc(r), rt_sp(r), 1, collect, &fs, NULL, 0),
			 TB_OK);
	assert_int_equal(fs.n, 1);
	/* big returns to lessstack, which pops the segment */
	mc_region *seg = r->g.stack;
	assert_int_equal(tw_epilogue(w), EV_RETURN);
	assert_int_equal(rt_pc(r), rt_retpc(&r->funcs[RTF_LESSSTACK], 0));
	assert_int_equal(rt_sp(r), hi);
	assert_clean(w);
	tw_internal(w);
	assert_true(tw_event(w, EV_SEGMENT_POP) >= 0);
	assert_int_equal(r->g.nsegs, 1);
	assert_false(seg->live);
	assert_int_equal(r->g.lo, oldlo);
	assert_int_equal(r->g.hi, oldhi);
	assert_int_equal(r->g.stksize, 2048);
	assert_int_equal(r->g.stktotal, 2048);
	assert_int_equal(rt_pc(r), rt_retpc(&r->funcs[w->fw], 0));
	assert_int_equal(rt_sp(r), csp);
	assert_clean(w);
	assert_int_equal(r->mem.nfaults, 0);
	tw_free(w);
}

static void test_stack_shrink(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	start_with_ptr(w);
	rt_copystack(r, 16384, EV_COPY);
	uint32_t want[] = {8192, 4096, 2048, 2048};
	for (int i = 0; i < 4; i++) {
		uint32_t before = r->g.stksize;
		rt_begin_step(r);
		rt_shrink(r);
		assert_int_equal(r->g.stksize, want[i]);
		if (before != want[i]) {
			assert_true(tw_event(w, EV_SHRINK) >= 0);
			assert_int_equal(r->ev[tw_event(w, EV_SHRINK)].a, before);
			assert_int_equal(r->ev[tw_event(w, EV_SHRINK)].b, want[i]);
		} else {
			assert_int_equal(r->nev, 0); /* never below RT_STACK_MIN */
		}
		assert_clean(w); /* q followed y */
	}
	assert_int_equal(r->nshrinks, 3);
	tw_free(w);
}

static void test_stack_shrink_refusals(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	start_with_ptr(w);
	/* a quarter or more used */
	rt_word b[1] = {1};
	tw_call(w, w->fb, 2, b, NULL, 1);
	assert_int_equal(r->g.stksize, 8192);
	assert_true(r->g.hi - rt_sp(r) >= 8192 / 4);
	rt_shrink(r);
	assert_int_equal(r->g.stksize, 8192);
	tw_free(w);

	/* a frame without a locals map on the stack */
	w = tw_std(0, 0);
	r = &w->r;
	rt_addr y = start_with_ptr(w);
	rt_copystack(r, 16384, EV_COPY);
	y = tw_local(w, 0);
	rt_word a[2] = {y, 42};
	uint32_t t[2] = {mc_cell_at(&r->mem, y), 0};
	tw_call(w, w->fw, 3, a, t, 2);
	assert_true(r->g.hi - rt_sp(r) < 16384 / 4);
	rt_shrink(r);
	assert_int_equal(r->g.stksize, 16384);
	assert_int_equal(r->nshrinks, 0);
	assert_clean(w);
	tw_free(w);

	/* hit barrier entries that a smaller stack's array cannot hold (4 fit
	** 8K's array, not 4K's 3): they move with the stack until mark
	** termination empties the array */
	w = tw_std(0, 0);
	r = &w->r;
	start_with_ptr(w);
	rt_copystack(r, 16384, EV_COPY);
	r->g.stkbarpos = r->g.stkbarlen = 4;
	rt_shrink(r);
	assert_int_equal(r->g.stksize, 8192);
	rt_shrink(r);
	assert_int_equal(r->g.stksize, 8192);
	r->g.stkbarpos = r->g.stkbarlen = 0;
	rt_shrink(r);
	assert_int_equal(r->g.stksize, 4096);
	assert_clean(w);
	tw_free(w);
}

static void test_stack_overflow(void **state)
{
	(void)state;
	tw *w = tw_new(2048, 4096, 0, 0);
	w->fm = tw_func(w, "main", BOTH, 8, 0xff, 16, 0, 0, 0x2, 0);
	w->fb = tw_func(w, "big", BOTH, 4, 0x8, 4096, 8, 0, 0, 3);
	tw_start(w);
	rt_word b[1] = {1};
	tw_push(w, b, NULL, 1);
	rt_call(&w->r, w->fb, rt_retpc(&w->r.funcs[w->fm], 2));
	tw_prologue(w);
	assert_int_equal(w->r.status, RT_OVERFLOW);
	assert_int_equal(w->r.ncopies, 0);
	tw_free(w);

	/* the segment path overflows too */
	w = tw_new(2048, 8192, 0, 0);
	w->fm = tw_func(w, "main", BOTH, 8, 0xff, 16, 0, 0, 0x2, 0);
	w->fw = tw_func(w, "cset", RFF_ARGMAP, 2, 0x3, 0, 16, 0, 0, 2);
	w->fb = tw_func(w, "big", BOTH, 4, 0x8, 4096, 8, 0, 0, 3);
	tw_start(w);
	rt_word a[2] = {0, 1};
	tw_call(w, w->fw, 3, a, NULL, 2);
	tw_push(w, b, NULL, 1);
	rt_call(&w->r, w->fb, rt_retpc(&w->r.funcs[w->fw], 0));
	tw_prologue(w);
	assert_int_equal(w->r.status, RT_OVERFLOW); /* 2048 + 8192 > 8192 */
	assert_int_equal(w->r.nsegments, 0);
	tw_free(w);
}

static void test_stack_stress_mode(void **state)
{
	(void)state;
	tw *w = tw_std(0, 1);
	rt *r = &w->r;
	assert_int_equal(rt_start(r, w->fm), 0);
	rt_addr sp0 = rt_sp(r);
	assert_int_equal(tw_prologue(w), EV_COPY);
	assert_int_equal(r->ev[0].a, 2048);
	assert_int_equal(r->ev[0].b, 2048); /* moved, same size */
	assert_true(rt_sp(r) != sp0);
	assert_int_equal(tw_prologue(w), EV_ENTER);
	assert_int_equal(r->ncopies, 1);
	mc_store(&r->mem, tw_local(w, 0), 5);
	tw_setptr(w, tw_local(w, 1), tw_local(w, 0));
	rt_addr y = tw_local(w, 0);
	rt_word a[2] = {y, 1};
	uint32_t t[2] = {mc_cell_at(&r->mem, y), 0};
	tw_call(w, w->ff, 2, a, t, 2);
	assert_int_equal(r->ncopies, 2);
	assert_clean(w);
	/* no stress copy while a frame without maps is on the stack */
	a[0] = tw_ld(w, tw_arg(w, 0)); /* f's p: &y where y is now */
	tw_call(w, w->fw, 3, a, t, 2);
	assert_int_equal(r->ncopies, 2);
	assert_clean(w);
	tw_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stack_copy_doubles_and_adjusts),
		cmocka_unit_test(test_stack_growth_by_prologue),
		cmocka_unit_test(test_stack_newsegment_lessstack),
		cmocka_unit_test(test_stack_shrink),
		cmocka_unit_test(test_stack_shrink_refusals),
		cmocka_unit_test(test_stack_overflow),
		cmocka_unit_test(test_stack_stress_mode),
	};
	mc_assert_hook = mock_assert; /* internal assertions reach cmocka */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
