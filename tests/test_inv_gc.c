/*
** test_inv_gc.c: GC1, what a GC stack scan visits.
**
** The world (testutil_cgo.h, every-frame barriers): main defers h and
** calls a -> b -> c; c runs `gc scan` (barriers on b's, a's and main's
** return slots). The runtime's report of its walk (g->scan) is then
** compared by GC1 with what the truth worked out before the scan: every
** frame on a scan; on mark termination up to and including the frame
** under the lowest unhit barrier, all of them when every barrier was hit
** or none was installed; nothing outside the mark phase. Each test first
** runs the real thing (quiet: the control), then breaks one thing GC1
** inspects: the kind of scan, its first frame, its last frame, its
** program-frame count, the stop rule's barrier (one frame early, one
** late, a wrong stkbarPos), the start from C (syscallsp), and the
** truth's own barrier record (hit by returns, by a recovery).
*/
#include "testutil_cgo.h"

typedef struct fns {
	int main, a, b, c, h;
} fns;

/* main()  defer h(); call a(); gc markterm
** a()     call b(); gc markterm
** b()     call c(); gc markterm
** c()     gc scan; gc markterm; gc markterm; panic | return
** h()     recover() */
static cw *world(uint32_t barriers, fns *f)
{
	cw *w = cw_new(0, barriers, 0);
	f->main = cw_gofn(w, "main", 3, 16, 0);
	f->a = cw_gofn(w, "a", 2, 16, 0);
	f->b = cw_gofn(w, "b", 2, 16, 0);
	f->c = cw_gofn(w, "c", 4, 16, 0);
	f->h = cw_gofn(w, "h", 1, 8, 0);
	return w;
}

static int in(cw *w, int fn)
{
	return cw_cur(w) == &w->r.funcs[fn];
}

/* The checkers' walk: fn's innermost frame. */
static const rt_frame *frame_of(cw *w, int fn)
{
	assert_clean(w);
	for (uint32_t i = w->c.fr.n; i-- > 0;)
		if (w->c.fr.f[i].fn == &w->r.funcs[fn])
			return &w->c.fr.f[i];
	fail_msg("no frame of %s", w->r.funcs[fn].name);
	return NULL;
}

static void to_c(cw *w, const fns *f)
{
	cw_start(w, f->main);
	cw_defer(w, f->h, NULL, 0);
	cw_call(w, f->a, NULL, 0);
	cw_run(w);
	cw_call(w, f->b, NULL, 0);
	cw_run(w);
	cw_call(w, f->c, NULL, 0);
	cw_run(w);
	assert_true(in(w, f->c));
}

/* Re-runs GC1 alone on the last step (the report and the fact are the
** step's) and expects it named with this message part. */
static void expect_gc1(cw *w, const char *part)
{
	assert_violation(w, INV_GC1);
	if (!strstr(w->v.msg, part))
		print_error("message: %s\n", w->v.msg);
	assert_non_null(strstr(w->v.msg, part));
}

/* ---- scans ---- */

static void test_scan_visits_every_frame(void **state)
{
	(void)state;
	for (uint32_t mode = 0; mode <= 2; mode++) {
		fns f;
		cw *w = world(mode, &f);
		to_c(w, &f);
		cw_scan(w); /* quiet: the control */
		const rt_scanrep *rep = &w->r.g.scan;
		assert_int_equal(rep->kind, RT_SCAN_MARK);
		assert_int_equal(rep->nprog, 4);
		assert_int_equal(rep->first_sp, frame_of(w, f.c)->sp);
		assert_int_equal(rep->last_lrptr, frame_of(w, f.main)->lrptr);
		assert_true(w->c.reached & (1u << INV_GC1) ? 0 : 1); /* not a rescan */
		rt_scanrep good = *rep;

		/* the runtime says it did not scan */
		w->r.g.scan.kind = RT_SCAN_NONE;
		expect_gc1(w, "the runtime reports no scan");
		w->r.g.scan.kind = RT_SCAN_MARKTERM;
		expect_gc1(w, "another kind of scan");
		w->r.g.scan = good;
		assert_clean(w);

		/* it skipped the innermost frame */
		w->r.g.scan.first_sp = frame_of(w, f.b)->sp;
		w->r.g.scan.nprog--;
		expect_gc1(w, "the scan started at the frame at");
		w->r.g.scan = good;

		/* it stopped before main, or visited nothing */
		w->r.g.scan.last_lrptr = frame_of(w, f.a)->lrptr;
		w->r.g.scan.nprog--;
		expect_gc1(w, "it must end at");
		assert_non_null(strstr(w->v.msg, "the outermost frame"));
		w->r.g.scan = good;
		w->r.g.scan.nprog++; /* the right frames, a wrong count */
		expect_gc1(w, "after 5 program frame(s)");
		w->r.g.scan = good;
		w->r.g.scan.nframes = 0;
		expect_gc1(w, "visited no frame");
		w->r.g.scan = good;
		assert_clean(w);
		cw_free(w);
	}
}

/* ---- mark termination ---- */

/* c's rescan with no barrier hit: c, and b (under the lowest unhit
** barrier, on b's slot): Go scans that frame and stops. */
static void test_rescan_stops_at_lowest_unhit(void **state)
{
	(void)state;
	fns f;
	cw *w = world(2, &f);
	to_c(w, &f);
	cw_scan(w);
	assert_int_equal(w->r.g.stkbarlen, 3);
	rt_addr bslot = frame_of(w, f.b)->lrptr;
	rt_addr cslot = frame_of(w, f.c)->lrptr;
	rt_addr aslot = frame_of(w, f.a)->lrptr;
	cw_markterm(w); /* the control */
	assert_true(w->c.reached & (1u << INV_GC1));
	rt_scanrep good = w->r.g.scan;
	assert_int_equal(good.kind, RT_SCAN_MARKTERM);
	assert_int_equal(good.nprog, 2);
	assert_int_equal(good.last_lrptr, bslot);

	/* one frame too early: c only */
	w->r.g.scan.last_lrptr = cslot;
	w->r.g.scan.nprog = 1;
	w->r.g.scan.nframes--;
	expect_gc1(w, "the frame under the lowest unhit barrier");
	/* one frame too far: on to a */
	w->r.g.scan = good;
	w->r.g.scan.last_lrptr = aslot;
	w->r.g.scan.nprog = 3;
	expect_gc1(w, "after 3 program frame(s)");
	w->r.g.scan = good;
	assert_clean(w);

	/* outside the mark phase a mark termination visits nothing */
	cw_markterm(w);
	assert_int_equal(w->r.g.scan.nframes, 0);
	w->r.g.scan.nframes = 2;
	expect_gc1(w, "outside the mark phase visited 2 frame(s)");
	cw_free(w);
}

/* The runtime's own bookkeeping is not the truth: a runtime that takes
** b's barrier down as if b had returned through it (stkbarPos advanced,
** b's slot restored: a consistent state, BAR1 is quiet) while b never
** returned makes the real rescan go on to a's frame; the truth, which
** saw no return through b's barrier, still stops at b's. */
static void test_rescan_trusts_wrong_stkbarpos(void **state)
{
	(void)state;
	fns f;
	cw *w = world(2, &f);
	to_c(w, &f);
	cw_scan(w);
	rt_addr bslot = frame_of(w, f.b)->lrptr;
	rt_addr aslot = frame_of(w, f.a)->lrptr;
	rt_addr e0 = rt_stkbar_base(&w->r);
	assert_int_equal(cw_ld(w, e0 + 8 * SB_LRPTR), bslot);
	cw_st(w, bslot, cw_ld(w, e0 + 8 * SB_LRVAL));
	w->r.g.stkbarpos = 1;
	assert_clean(w);
	w->check = 0;
	cw_markterm(w);
	assert_int_equal(w->r.status, RT_RUNNING);
	expect_gc1(w, "the frame under the lowest unhit barrier");
	assert_int_equal(w->r.g.scan.last_lrptr, aslot);
	cw_free(w);
}

/* Barriers hit by returns move the stop outward, one frame at a time;
** when all are hit the rescan covers the whole stack. */
static void test_rescan_after_returns(void **state)
{
	(void)state;
	fns f;
	cw *w = world(2, &f);
	to_c(w, &f);
	cw_scan(w);
	rt_addr aslot = frame_of(w, f.a)->lrptr;
	rt_addr mslot = frame_of(w, f.main)->lrptr;
	cw_return(w);
	cw_leave(w); /* c returns into b */
	cw_return(w);
	cw_leave(w); /* b returns through its barrier into a */
	assert_true(in(w, f.a));
	assert_int_equal(w->r.g.stkbarpos, 1);
	cw_markterm(w); /* from a: a's own frame is under the lowest unhit */
	assert_int_equal(w->r.g.scan.nprog, 1);
	assert_int_equal(w->r.g.scan.last_lrptr, aslot);
	/* had the runtime ignored a's barrier and rescanned on to main: */
	w->r.g.scan.nprog = 2;
	w->r.g.scan.last_lrptr = mslot;
	expect_gc1(w, "must end at");
	cw_free(w);

	/* every barrier hit: the whole stack (spaced mode: one barrier, a's) */
	w = world(1, &f);
	cw_start(w, f.main);
	cw_defer(w, f.h, NULL, 0);
	cw_call(w, f.a, NULL, 0);
	cw_run(w);
	cw_scan(w); /* from a: no barrier (the only frame past sp+1024 is none) */
	cw_markterm(w);
	assert_int_equal(w->r.g.scan.nprog, 2);
	assert_int_equal(w->r.g.scan.last_lrptr, frame_of(w, f.main)->lrptr);
	aslot = frame_of(w, f.a)->lrptr;
	w->r.g.scan.nprog = 1;
	w->r.g.scan.last_lrptr = aslot;
	expect_gc1(w, "the outermost frame");
	cw_free(w);
}

/* A recovery past barriers marks them hit in the truth too: after c
** panics and h recovers into main, main's rescan covers main's frame
** only, which is the whole stack. */
static void test_rescan_after_recovery(void **state)
{
	(void)state;
	fns f;
	cw *w = world(2, &f);
	to_c(w, &f);
	cw_scan(w);
	cw_panic(w, 1);
	cw_run(w);
	assert_true(in(w, f.h));
	assert_int_equal(cw_recover(w, 0), 1);
	cw_epilogue(w);
	cw_step_until(w, EV_RECOVERY);
	assert_clean(w);
	assert_true(in(w, f.main));
	assert_int_equal(w->t.nbars, 3);
	assert_int_equal(w->t.bars[0].hit + w->t.bars[1].hit + w->t.bars[2].hit, 2);
	/* main continues at its epilogue: the rescan runs from a statement
	** site, so step main back to site 2 (its `gc markterm`) */
	w->r.g.sched.pc = rt_site_pc(cw_cur(w), 2);
	cw_markterm(w);
	assert_int_equal(w->r.g.scan.nprog, 1);
	assert_int_equal(w->r.g.scan.last_lrptr, frame_of(w, f.main)->lrptr);
	w->r.g.scan.nframes = 0;
	expect_gc1(w, "visited no frame");
	cw_free(w);
}

/* ---- from C: the scan starts at syscallsp ---- */

typedef struct cgofns {
	int main, c;
} cgofns;

static void test_scan_from_c(void **state)
{
	(void)state;
	cgofns f;
	cw *w = cw_new(0, 2, 0);
	f.main = cw_gofn(w, "main", 1, 8, 0);
	f.c = cw_cfn(w, "c", 3, 0, 0); /* gc scan; gc markterm */
	cw_start(w, f.main);
	cw_cgo(w, f.c, NULL, 0);
	cw_run(w);
	assert_true(in(w, f.c));
	rt_addr sysp = w->r.g.syscallsp;
	cw_scan(w); /* the control */
	assert_int_equal(w->r.g.scan.first_sp, sysp);
	assert_int_equal(w->r.g.scan.nprog, 1);
	rt_scanrep good = w->r.g.scan;
	w->r.g.scan.first_sp = sysp + 8;
	expect_gc1(w, "the scan started at the frame at");
	w->r.g.scan = good;
	assert_clean(w);
	cw_free(w);

}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_visits_every_frame),
		cmocka_unit_test(test_rescan_stops_at_lowest_unhit),
		cmocka_unit_test(test_rescan_trusts_wrong_stkbarpos),
		cmocka_unit_test(test_rescan_after_returns),
		cmocka_unit_test(test_rescan_after_recovery),
		cmocka_unit_test(test_scan_from_c),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
