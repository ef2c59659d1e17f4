/*
** test_rt_trace.c: unit tests of the unwinder (runtime-under-test/rt_trace.c) on
** hand-built stacks: a three-frame walk, and every way a walk fails.
**
** States are driven through the runtime API as the harness does it
** (testutil.h); the checkers are asserted quiet along the way, so a
** runtime change that breaks an invariant fails here too.
*/
#include "testutil.h"

/* main -> f -> f written word by word (no prologue): returns the sps. */
static void hand_stack(tw *w, rt_addr sp[3])
{
	rt *r = &w->r;
	const rt_func *M = &r->funcs[w->fm], *F = &r->funcs[w->ff];
	assert_int_equal(rt_start(r, w->fm), 0);
	rt_addr hi = r->g.hi;
	assert_int_equal(tw_ld(w, hi - 8), rt_retpc(&r->funcs[RTF_GOEXIT], 0));
	sp[0] = hi - 8 - M->framesize;
	rt_addr args = sp[0] - F->argsize;
	mc_store(&r->mem, args, sp[0]);
	mc_store(&r->mem, args + 8, 2);
	mc_store(&r->mem, args - 8, rt_retpc(M, 2));
	sp[1] = args - 8 - F->framesize;
	args = sp[1] - F->argsize;
	mc_store(&r->mem, args, sp[0]);
	mc_store(&r->mem, args + 8, 1);
	mc_store(&r->mem, args - 8, rt_retpc(F, 3));
	sp[2] = args - 8 - F->framesize;
	r->g.sched.sp = sp[2];
	r->g.sched.pc = rt_site_pc(F, 1);
}

static void test_trace_three_frames(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	rt_addr sp[3];
	hand_stack(w, sp);
	const rt_func *M = &r->funcs[w->fm], *F = &r->funcs[w->ff];
	frames fs = {.n = 0};
	char why[200];
	assert_int_equal(rt_traceback(r, rt_pc(r), rt_sp(r), 0, collect, &fs, why,
				      sizeof why),
			 TB_OK);
	assert_int_equal(fs.n, 3);
	const rt_func *fn[3] = {F, F, M};
	rt_addr pc[3] = {rt_site_pc(F, 1), rt_retpc(F, 3), rt_retpc(M, 2)};
	rt_addr lr[3] = {rt_retpc(F, 3), rt_retpc(M, 2),
			 rt_retpc(&r->funcs[RTF_GOEXIT], 0)};
	for (int i = 0; i < 3; i++) {
		const rt_frame *f = &fs.f[i];
		assert_ptr_equal(f->fn, fn[i]);
		assert_int_equal(f->sp, sp[2 - i]);
		assert_int_equal(f->pc, pc[i]);
		assert_int_equal(f->framesize, 16);
		assert_int_equal(f->lrptr, sp[2 - i] + 16);
		assert_int_equal(f->fp, sp[2 - i] + 24);
		assert_int_equal(f->lr, lr[i]);
		assert_int_equal(f->seg, 0);
		assert_int_equal(f->seglo, r->g.lo);
		assert_int_equal(f->seghi, r->g.hi);
		assert_int_equal(f->segtop, 0);
	}
	assert_int_equal(fs.f[2].fp + M->argsize, r->g.hi);
	/* the callback stops the walk */
	frames one = {.n = 0, .stopat = 1};
	assert_int_equal(rt_traceback(r, rt_pc(r), rt_sp(r), 0, collect, &one,
				      NULL, 0),
			 TB_OK);
	assert_int_equal(one.n, 1);
	/* at the entry PC the frame has no size yet */
	frames e = {.n = 0};
	assert_int_equal(rt_traceback(r, F->entry, sp[1] - F->argsize - 8, 0,
				      collect, &e, NULL, 0),
			 TB_OK);
	assert_int_equal(e.n, 3);
	assert_int_equal(e.f[0].framesize, 0);
	assert_int_equal(e.f[0].lrptr, sp[1] - F->argsize - 8);
	tw_free(w);
}

static void test_trace_errors(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	rt_addr sp[3];
	hand_stack(w, sp);
	const rt_func *F = &r->funcs[w->ff];
	char why[200];
	frames fs = {.n = 0};
	/* a corrupted LR: f's outer frame returns to a site PC of main */
	rt_addr slot = sp[1] + F->framesize;
	rt_word lr = tw_ld(w, slot);
	mc_store(&r->mem, slot, rt_site_pc(&r->funcs[w->fm], 2));
	assert_int_equal(rt_traceback(r, rt_pc(r), rt_sp(r), 0, collect, &fs, why,
				      sizeof why),
			 TB_BADRET);
	assert_true(strlen(why) > 0);
	assert_true(fs.n < 3);
	mc_store(&r->mem, slot, 0x77); /* no function at all */
	assert_int_equal(rt_traceback(r, rt_pc(r), rt_sp(r), 0, NULL, NULL, why,
				      sizeof why),
			 TB_BADRET);
	mc_store(&r->mem, slot, lr);
	assert_int_equal(rt_traceback(r, rt_pc(r), rt_sp(r), 0, NULL, NULL, NULL, 0),
			 TB_OK);
	/* frames outside the segment, below and above */
	assert_int_equal(rt_traceback(r, rt_pc(r), r->g.lo - 64, 0, NULL, NULL, why,
				      sizeof why),
			 TB_OUTSIDE);
	assert_int_equal(rt_traceback(r, rt_pc(r), r->g.hi - 16, 0, NULL, NULL, why,
				      sizeof why),
			 TB_OUTSIDE);
	/* a PC in no function, and in a frameless trampoline */
	assert_int_equal(rt_traceback(r, 0x500, rt_sp(r), 0, NULL, NULL, why,
				      sizeof why),
			 TB_BADPC);
	assert_int_equal(rt_traceback(r, r->funcs[RTF_STACKBARRIER].entry, rt_sp(r),
				      0, NULL, NULL, why, sizeof why),
			 TB_BADPC);
	/* at goexit's return point before the stack top */
	assert_int_equal(rt_traceback(r, rt_retpc(&r->funcs[RTF_GOEXIT], 0),
				      r->g.hi - 8, 0, NULL, NULL, why, sizeof why),
			 TB_INCOMPLETE);
	assert_int_equal(rt_traceback(r, rt_retpc(&r->funcs[RTF_GOEXIT], 0),
				      r->g.hi, 0, NULL, NULL, why, sizeof why),
			 TB_OK);
	/* lessstack in the first segment */
	assert_int_equal(rt_traceback(r, rt_retpc(&r->funcs[RTF_LESSSTACK], 0),
				      r->g.hi, 0, NULL, NULL, why, sizeof why),
			 TB_INCOMPLETE);
	/* every result has a name */
	for (int t = TB_OK; t <= TB_FAULT; t++)
		assert_string_not_equal(rt_tbresult_name((rt_tbresult)t), "?");
	tw_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_three_frames),
		cmocka_unit_test(test_trace_errors),
	};
	mc_assert_hook = mock_assert; /* internal assertions reach cmocka */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
