/*
** test_rt_seh.c: unit tests of C code's own SEH records
** (runtime-under-test/rt_seh.c): push and pop on the windows/386 chain,
** a pop with nothing pushed (a no-op of the language), and the internal
** invariants (tier 1, mc_assert.h) that no program can break: a push
** outside a C frame, a push with no slot left in the frame.
**
** The SEH checkers' tests are in test_inv_cgo.c.
*/
#include "testutil_cgo.h"

typedef struct sfns {
	int main, c;
} sfns;

/* main at its first statement did `cgo c()`; c has one SEH slot. */
static cw *in_c(sfns *f)
{
	cw *w = cw_new(1, 0, 0);
	f->main = cw_gofn(w, "main", 2, 0, 0);
	f->c = cw_cfn(w, "c", 3, 0, 1);
	cw_start(w, f->main);
	cw_cgo(w, f->c, NULL, 0);
	cw_run(w);
	assert_ptr_equal(cw_cur(w), &w->r.funcs[f->c]);
	return w;
}

static void test_seh_push_pop(void **state)
{
	(void)state;
	sfns f;
	cw *w = in_c(&f);
	rt_addr head = w->r.m.seh, sp = rt_sp(&w->r);
	rt_sehpush(&w->r);
	rt_addr rec = sp + 8 * RT_CFRAME_SEH0;
	assert_int_equal(w->r.m.seh, rec);
	assert_int_equal(cw_ld(w, rec), head);
	assert_int_equal(cw_ld(w, sp + 8 * RT_CFRAME_SEHCOUNT), 1);
	rt_sehpop(&w->r);
	assert_int_equal(w->r.m.seh, head);
	assert_int_equal(cw_ld(w, sp + 8 * RT_CFRAME_SEHCOUNT), 0);
	/* a pop with nothing pushed: the language allows it, a no-op */
	rt_sehpop(&w->r);
	assert_int_equal(w->r.m.seh, head);
	assert_int_equal(w->r.status, RT_RUNNING);
	cw_free(w);
}

static void test_seh_push_outside_c_asserts(void **state)
{
	(void)state;
	cw *w = cw_new(1, 0, 0);
	int m = cw_gofn(w, "main", 2, 0, 0);
	cw_start(w, m); /* a Go frame */
	expect_assert_failure(rt_sehpush(&w->r));
	expect_assert_failure(rt_sehpop(&w->r));
	cw_free(w);
}

static void test_seh_push_without_slot_asserts(void **state)
{
	(void)state;
	sfns f;
	cw *w = in_c(&f);
	rt_sehpush(&w->r); /* the frame's one slot */
	rt_addr head = w->r.m.seh;
	expect_assert_failure(rt_sehpush(&w->r));
	assert_int_equal(w->r.m.seh, head); /* nothing written past the frame */
	cw_free(w);
}

/* Without the hook: the run ends `internal`, never a violation. */
static void test_seh_internal_outcome(void **state)
{
	(void)state;
	sfns f;
	cw *w = in_c(&f);
	rt_sehpush(&w->r);
	mc_assert_fn hook = mc_assert_hook;
	mc_assert_hook = NULL;
	rt_sehpush(&w->r);
	mc_assert_hook = hook;
	assert_int_equal(w->r.status, RT_THROW);
	assert_int_equal(w->r.throwcode, TH_INTERNAL_ASSERT);
	assert_int_equal(inv_throw_verdict(w->r.throwcode), -1);
	assert_string_equal(w->r.throwmsg,
			    "internal: seh push: no slot left in the C frame");
	cw_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seh_push_pop),
		cmocka_unit_test(test_seh_push_outside_c_asserts),
		cmocka_unit_test(test_seh_push_without_slot_asserts),
		cmocka_unit_test(test_seh_internal_outcome),
	};
	mc_assert_hook = mock_assert; /* internal assertions reach cmocka */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
