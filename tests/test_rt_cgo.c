/*
** test_rt_cgo.c: unit tests of cgo calls (runtime-under-test/rt_cgo.c)
** as the runtime's own bookkeeping: cgocall counts the call (ncgo, the
** internal lock) and endcgo uncounts it, and a count that is already 0
** at endcgo is an internal invariant failing (tier 1, mc_assert.h), not
** something to clamp: it reaches cmocka's mock_assert in a unit test and
** ends a run with the outcome `internal` everywhere else.
**
** The cgo checkers' tests are test_inv_cgo.c and test_inv_cgo3.c.
*/
#include "testutil_cgo.h"

typedef struct cfns {
	int main, c;
} cfns;

/* main at its first statement did `cgo c()`; the CPU is in c. */
static cw *in_c(cfns *f)
{
	cw *w = cw_new(0, 0, 0);
	f->main = cw_gofn(w, "main", 2, 0, 0);
	f->c = cw_cfn(w, "c", 1, 0, 0);
	cw_start(w, f->main);
	cw_cgo(w, f->c, NULL, 0);
	cw_run(w);
	assert_ptr_equal(cw_cur(w), &w->r.funcs[f->c]);
	assert_int_equal(w->r.m.ncgo, 1);
	assert_int_equal(w->r.m.lockedint, 1);
	return w;
}

/* c returns: asmcgocall, cgocall's deferreturn, endcgo. */
static void leave_c(cw *w)
{
	cw_return(w);
	cw_epilogue(w);
}

static void test_cgo_counts_balance(void **state)
{
	(void)state;
	cfns f;
	cw *w = in_c(&f);
	leave_c(w);
	cw_step_until(w, EV_ENDCGO);
	assert_int_equal(w->r.status, RT_RUNNING);
	assert_int_equal(w->r.m.ncgo, 0);
	assert_int_equal(w->r.m.lockedint, 0);
	assert_int_equal(w->r.m.ncgocall, 1); /* monotone */
	cw_free(w);
}

/* The cgo counter underflow: the assertion fires (cmocka sees it). */
static void test_cgo_ncgo_underflow_asserts(void **state)
{
	(void)state;
	cfns f;
	cw *w = in_c(&f);
	w->check = 0; /* the broken count is the point, not a violation */
	w->r.m.ncgo = 0;
	leave_c(w);
	expect_assert_failure(cw_step_until(w, EV_ENDCGO));
	cw_free(w);
}

/* Without the hook (the CLI, the fuzz targets): the run ends with the
** internal throw, which no checker files as a violation, and the counter
** was not clamped or wrapped. */
static void test_cgo_ncgo_underflow_is_internal(void **state)
{
	(void)state;
	cfns f;
	cw *w = in_c(&f);
	w->check = 0;
	w->r.m.ncgo = 0;
	leave_c(w);
	mc_assert_fn hook = mc_assert_hook;
	mc_assert_hook = NULL;
	for (int i = 0; i < CW_MAX_STEPS && cw_step(w); i++)
		;
	mc_assert_hook = hook;
	assert_int_equal(w->r.status, RT_THROW);
	assert_int_equal(w->r.throwcode, TH_INTERNAL_ASSERT);
	assert_int_equal(inv_throw_verdict(w->r.throwcode), -1);
	assert_string_equal(rt_throwcode_name(w->r.throwcode), "internal-assert");
	assert_string_equal(w->r.throwmsg, "internal: endcgo: ncgo underflow");
	assert_int_equal(w->r.m.ncgo, 0);
	assert_int_equal(w->r.m.lockedint, 1); /* nothing half-done */
	assert_int_equal(cw_event(w, EV_ENDCGO), -1);
	cw_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgo_counts_balance),
		cmocka_unit_test(test_cgo_ncgo_underflow_asserts),
		cmocka_unit_test(test_cgo_ncgo_underflow_is_internal),
	};
	mc_assert_hook = mock_assert; /* internal assertions reach cmocka */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
