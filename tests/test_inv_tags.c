/*
** test_inv_tags.c: truth tags of the stack pointers the runtime writes
** itself, each kind broken the way a runtime mistake breaks it.
**
** The truth recorder (inv_truth.c) tags, when they are written: a defer
** record's sp/argp and _panic (DEF1), unwindm's &restore argument (DEF2), a panic
** record's link (STK3, a gopanic frame word), a barrier entry's
** savedLRPtr and a segment's Stktop sp/argp (STK3, outside frames); the
** saved syscallsp in cgocallback_gofunc's frame is test_inv_cgo3.c's.
** g.sched.sp is a register, not memory: it has no tag; STK1 pins it (the
** walk from it must find the true innermost frame's identity cell at
** its return slot), tested here too. Each test runs the real mechanism
** quietly first (the control), then leaves one word stale as a copy
** that forgot it would: value unchanged, tag kept (mc_store_adjust).
*/
#include "testutil_cgo.h"

typedef struct fns {
	int main, f, g, big, c, gocb, d1;
} fns;

/* main()  call f() | cgo c() | defer d1(); panic 1
** f()     call f() | defer g() | call big()
** g(), d1()  panic 2 (d1)
** big()   a 4 KiB frame (the 2 KiB stack is copied)
** c()     C: callback gocb()
** gocb()  call big() */
static cw *world(uint32_t barriers, fns *f)
{
	cw *w = cw_new(0, barriers, 0);
	f->main = cw_gofn(w, "main", 3, 16, 0);
	f->f = cw_gofn(w, "f", 3, 16, 0);
	f->g = cw_gofn(w, "g", 1, 8, 0);
	f->big = cw_gofn(w, "big", 1, 4096, 0);
	f->c = cw_cfn(w, "c", 1, 0, 0);
	f->gocb = cw_gofn(w, "gocb", 1, 8, 0);
	f->d1 = cw_gofn(w, "d1", 1, 8, 0);
	return w;
}

static int in(cw *w, int fn)
{
	return cw_cur(w) == &w->r.funcs[fn];
}

static void expect(cw *w, int id, const char *part)
{
	assert_violation(w, id);
	if (!strstr(w->v.msg, part))
		print_error("message: %s\n", w->v.msg);
	assert_non_null(strstr(w->v.msg, part));
}

/* Leave word a holding v with its tag, as a forgotten adjustment does. */
static void stale(cw *w, rt_addr a, rt_word v)
{
	assert_true(mc_ptag_at(&w->r.mem, a) != 0);
	assert_int_equal(mc_store_adjust(&w->r.mem, a, v), 0);
}

/* ---- defer records: sp/argp (DEF1) ---- */

static void test_defer_record_sp_argp(void **state)
{
	(void)state;
	fns f;
	cw *w = world(0, &f);
	cw_start(w, f.main);
	cw_call(w, f.f, NULL, 0);
	cw_run(w);
	cw_call(w, f.f, NULL, 0); /* f calls f */
	cw_run(w);
	cw_next(w, 0);
	cw_defer(w, f.g, NULL, 0); /* the inner f defers g */
	assert_clean(w);
	const rt_frame *outer = NULL; /* the outer f, from the checkers' walk */
	for (uint32_t i = 0; i < w->c.fr.n; i++)
		if (w->c.fr.f[i].fn == &w->r.funcs[f.f]) {
			outer = &w->c.fr.f[i];
			break;
		}
	assert_non_null(outer);
	rt_addr outer_sp = outer->sp, outer_fp = outer->fp;
	rt_addr d = w->r.g.defer;
	rt_word sp = cw_ld(w, d + 8 * D_SP), argp = cw_ld(w, d + 8 * D_ARGP);
	assert_clean(w);
	/* the record aimed at the other f frame: a live frame of the
	** deferring function with that argp, so the frame rules hold; the
	** tags say it is not the frame that deferred */
	stale(w, d + 8 * D_SP, outer_sp);
	stale(w, d + 8 * D_ARGP, outer_fp);
	expect(w, INV_DEF1, "defer f sp word");
	w->c.mask = (1u << INV__COUNT) - 1 - (1u << INV_DEF1); /* nobody else sees it */
	assert_clean(w);
	w->c.mask = (1u << INV__COUNT) - 1;
	/* (one of the two alone breaks the frame rule: DEF1 already) */
	stale(w, d + 8 * D_SP, sp);
	stale(w, d + 8 * D_ARGP, argp);
	assert_clean(w);
	/* the stack is copied: adjusted, the tags' cells moved with it */
	cw_next(w, 1);
	cw_call(w, f.big, NULL, 0);
	cw_step_until(w, EV_COPY);
	assert_clean(w);
	rt_word nsp = cw_ld(w, d + 8 * D_SP);
	assert_true(nsp != sp);
	stale(w, d + 8 * D_SP, sp); /* as if adjustdefers forgot it */
	expect(w, INV_DEF1, "defer");
	cw_free(w);
}

/* ---- unwindm's &restore (DEF2) and its record (DEF1) ---- */

static void test_unwindm_record(void **state)
{
	(void)state;
	for (int broken = 0; broken < 2; broken++) {
		fns f;
		cw *w = world(0, &f);
		cw_start(w, f.main);
		cw_next(w, 0);
		cw_cgo(w, f.c, NULL, 0);
		cw_run(w);
		cw_callback(w, f.gocb, NULL, 0);
		cw_run(w);
		assert_true(in(w, f.gocb));
		rt_addr d = w->r.g.defer; /* unwindm's */
		assert_int_equal(cw_ld(w, d + 8 * D_FN), w->r.funcs[RTF_UNWINDM].entry);
		assert_true(mc_ptag_at(&w->r.mem, d + 8 * RT_DEFER_HDR_WORDS) != 0);
		if (broken) /* an args map that does not call &restore a pointer */
			w->r.funcs[RTF_UNWINDM].argmap = 0;
		cw_call(w, f.big, NULL, 0);
		if (!broken) {
			cw_run(w); /* the copy adjusts it: quiet */
			assert_true(in(w, f.big));
			cw_free(w);
			continue;
		}
		cw_step_until(w, EV_COPY);
		expect(w, INV_DEF2, "unwindm");
		cw_free(w);
	}
}

/* ---- a panic record's link (STK3) ---- */

static void test_panic_link(void **state)
{
	(void)state;
	fns f;
	cw *w = world(0, &f);
	cw_start(w, f.main);
	cw_next(w, 1);
	cw_defer(w, f.d1, NULL, 0);
	cw_panic(w, 1);
	cw_run(w);
	assert_true(in(w, f.d1));
	cw_panic(w, 2); /* a second gopanic frame, linked to the first */
	cw_step_until(w, EV_PANIC);
	assert_clean(w);
	rt_addr rec = w->r.g.panic;
	rt_word link = cw_ld(w, rec + 8 * P_LINK);
	assert_true(link != 0);
	stale(w, rec + 8 * P_LINK, link + 8);
	w->c.mask = 1u << INV_STK3;
	expect(w, INV_STK3, "frame gopanic: word");
	w->c.mask = (1u << INV__COUNT) - 1;
	stale(w, rec + 8 * P_LINK, link);
	assert_clean(w);
	/* d1's record, started by the first panic: its _panic names the
	** first gopanic's record. Aimed at the second one (a live gopanic
	** record too, so DEF1's frame rule holds), its tag says otherwise */
	rt_addr d = w->r.g.defer;
	assert_int_equal(cw_ld(w, d + 8 * D_PANIC), link);
	stale(w, d + 8 * D_PANIC, rec);
	expect(w, INV_DEF1, "defer main _panic word");
	w->c.mask = (1u << INV__COUNT) - 1 - (1u << INV_DEF1);
	assert_clean(w); /* nobody else sees it */
	cw_free(w);
}

/* ---- barrier entries' savedLRPtr (STK3) ---- */

static void test_barrier_savedlrptr(void **state)
{
	(void)state;
	fns f;
	cw *w = world(2, &f);
	cw_start(w, f.main);
	cw_call(w, f.f, NULL, 0);
	cw_run(w);
	cw_call(w, f.f, NULL, 0);
	cw_run(w);
	cw_scan(w); /* barriers on the outer f's and main's slots */
	assert_int_equal(w->r.g.stkbarlen, 2);
	rt_addr e = rt_stkbar_base(&w->r) + 8 * SB_LRPTR;
	rt_word old = cw_ld(w, e);
	assert_true(mc_ptag_at(&w->r.mem, e) != 0);
	cw_call(w, f.big, NULL, 0);
	cw_step_until(w, EV_COPY); /* adjuststkbar moves them */
	assert_clean(w);
	e = rt_stkbar_base(&w->r) + 8 * SB_LRPTR;
	assert_true(cw_ld(w, e) != old);
	stale(w, e, old); /* a copy that left the entry behind */
	assert_violation(w, INV_STK2); /* the walk misses the barrier first */
	w->c.mask = 1u << INV_STK3;
	expect(w, INV_STK3, "barrier entry word");
	cw_free(w);
}

/* ---- a segment's Stktop links (STK3) ---- */

/* A cgo wrapper's frame (no locals map) cannot be copied: growth under
** it pushes a new segment, whose Stktop links back into the old one. */
static void test_stktop_links(void **state)
{
	(void)state;
	fns f;
	cw *w = world(0, &f);
	rt_funcdesc d = {
		.name = "wrapper",
		.kind = RF_GO,
		.flags = RFF_ARGMAP,
		.nsites = 2,
		.retsites = 3,
		.framesize = 16,
		.user = w->nuser++,
	};
	int wr = rt_addfunc(&w->r, &d);
	assert_true(wr >= RTF__COUNT);
	cw_start(w, f.main);
	cw_call(w, wr, NULL, 0);
	cw_run(w);
	cw_call(w, f.big, NULL, 0);
	cw_step_until(w, EV_SEGMENT);
	assert_clean(w);
	assert_int_equal(w->r.g.nsegs, 2);
	rt_addr hi = w->r.g.hi;
	for (int k = 0; k < 2; k++) {
		rt_addr a = hi + 8 * (k ? STKTOP_ARGP : STKTOP_SP);
		rt_word old = cw_ld(w, a);
		stale(w, a, old + 8);
		w->c.mask = 1u << INV_STK3;
		expect(w, INV_STK3, k ? "Stktop argp word" : "Stktop sp word");
		w->c.mask = (1u << INV__COUNT) - 1;
		stale(w, a, old);
		assert_clean(w);
	}
	cw_free(w);
}

/* ---- g.sched.sp (a register: STK1) ---- */

static void test_sched_sp(void **state)
{
	(void)state;
	fns f;
	cw *w = world(0, &f);
	cw_start(w, f.main);
	cw_call(w, f.f, NULL, 0);
	cw_run(w);
	rt_addr old = rt_sp(&w->r);
	cw_next(w, 1);
	cw_call(w, f.big, NULL, 0);
	cw_step_until(w, EV_COPY);
	assert_clean(w);
	rt_addr sp = w->r.g.sched.sp;
	w->r.g.sched.sp = old; /* adjustsched forgot it: outside [lo, hi) */
	w->c.mask = 1u << INV_STK1;
	expect(w, INV_STK1, "outside [lo, hi)");
	/* one word off inside the new stack: the walk from it finds no
	** return point (STK2 first), or not the true frame (STK1) */
	w->r.g.sched.sp = sp + 8;
	w->c.mask = (1u << INV__COUNT) - 1;
	assert_violation(w, INV_STK2);
	w->c.mask = (1u << INV__COUNT) - 1;
	w->r.g.sched.sp = sp;
	assert_clean(w);
	cw_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defer_record_sp_argp),
		cmocka_unit_test(test_unwindm_record),
		cmocka_unit_test(test_panic_link),
		cmocka_unit_test(test_barrier_savedlrptr),
		cmocka_unit_test(test_stktop_links),
		cmocka_unit_test(test_sched_sp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
