/*
** test_rt_text.c: unit tests of the text segment and function table
** (runtime-under-test/rt_text.c): the runtime's own functions, findfunc,
** sites and return points.
**
** States are driven through the runtime API as the harness does it
** (testutil.h); the checkers are asserted quiet along the way, so a
** runtime change that breaks an invariant fails here too.
*/
#include "testutil.h"

static void test_text_runtime_functions(void **state)
{
	(void)state;
	tw *w = tw_new(2048, 1u << 20, 0, 0);
	assert_true(w->r.nfuncs >= RTF__COUNT);
	assert_string_equal(w->r.funcs[RTF_GOEXIT].name, "goexit");
	assert_string_equal(w->r.funcs[RTF_GOPANIC].name, "gopanic");
	assert_string_equal(w->r.funcs[RTF_GOEXIT1].name, "goexit1");
	assert_string_equal(w->r.funcs[RTF_LESSSTACK].name, "lessstack");
	for (int i = 0; i < RTF__COUNT; i++) {
		const rt_func *f = &w->r.funcs[i];
		assert_int_equal(f->entry, MC_TEXT_BASE + (rt_addr)i * RT_FUNC_SPAN);
		assert_int_equal(f->user, -1);
		assert_int_equal(f->kind, RF_RUNTIME);
		assert_ptr_equal(rt_findfunc(&w->r, f->entry), f);
	}
	/* gopanic's record: link and argp are pointers its locals map names */
	const rt_func *gp = &w->r.funcs[RTF_GOPANIC];
	assert_int_equal(gp->framesize, 8 * RT_PANIC_WORDS);
	assert_true(gp->flags & RFF_LOCALMAP);
	assert_int_equal(gp->localmap, (1u << P_LINK) | (1u << P_ARGP));
	tw_free(w);
}

static void test_text_findfunc_and_sites(void **state)
{
	(void)state;
	tw *w = tw_new(2048, 1u << 20, 0, 0);
	uint32_t n0 = w->r.nfuncs;
	int i = tw_func(w, "f", BOTH, 3, 0x5, 16, 8, 1, 2, 0);
	assert_int_equal(i, (int)n0);
	const rt_func *f = &w->r.funcs[i];
	assert_int_equal(f->entry, MC_TEXT_BASE + (rt_addr)i * RT_FUNC_SPAN);
	assert_int_equal(f->end, f->entry + 16 * 4 + 16);
	assert_int_equal(rt_site_pc(f, 0), f->entry + 16);
	assert_int_equal(rt_site_pc(f, 2), f->entry + 48);
	assert_int_equal(rt_retpc(f, 2), f->entry + 56);
	assert_ptr_equal(rt_findfunc(&w->r, f->entry), f);
	assert_ptr_equal(rt_findfunc(&w->r, rt_retpc(f, 2)), f);
	assert_ptr_equal(rt_findfunc(&w->r, f->end - 1), f);
	assert_null(rt_findfunc(&w->r, f->end));
	assert_null(rt_findfunc(&w->r, f->entry + RT_FUNC_SPAN)); /* no next */
	assert_null(rt_findfunc(&w->r, MC_TEXT_BASE - 8));
	assert_null(rt_findfunc(&w->r, 0));
	/* the description is kept */
	assert_string_equal(f->name, "f");
	assert_int_equal(f->retsites, 0x5);
	assert_int_equal(f->framesize, 16);
	assert_int_equal(f->argsize, 8);
	/* long names are cut, too many sites refused */
	int j = tw_func(w, "a_very_long_function_name_indeed", BOTH, 1, 1, 0,
			0, 0, 0, 1);
	assert_int_equal(strlen(w->r.funcs[j].name), sizeof w->r.funcs[j].name - 1);
	rt_funcdesc d = {.name = "x", .nsites = 61};
	assert_int_equal(rt_addfunc(&w->r, &d), -1);
	d.nsites = 60;
	/* fill the table: then it refuses */
	while (w->r.nfuncs < RT_MAX_FUNCS)
		assert_true(rt_addfunc(&w->r, &d) >= 0);
	assert_int_equal(rt_addfunc(&w->r, &d), -1);
	assert_int_equal(w->r.nfuncs, RT_MAX_FUNCS);
	tw_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_runtime_functions),
		cmocka_unit_test(test_text_findfunc_and_sites),
	};
	mc_assert_hook = mock_assert; /* internal assertions reach cmocka */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
