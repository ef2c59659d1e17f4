/*
** test_sched_g.c: the per-G invariants test_sched.c does not cover, each
** made to fire on a G that is NOT the running one (hs_run end to end):
** BAR3, BAR5, MEM1 and DEF3. As there, G 2 is suspended and its state is
** broken by hand through the harness's poke seam at a step whose events
** concern it (a `gc scan`, `gc shrink`), in the way a runtime mistake
** would leave it; the report must name the ID and "g2 (suspended)", and
** the same run without the break (the control) is clean and reaches the
** same poke point. DEF3 also from a real runtime bug (bug=7695, no hand
** break): a shrink of g2 that copies with a defer lacking maps.
**
** DEF4 cannot concern a suspended G: it judges the `check` facts of the
** step, and a `check` is a statement, which only the running G executes
** (a suspended G's events in a step are the runtime's, GC's and shrink's:
** hs_sched.c drops any facts from a suspended G's truth). A slot a
** suspended G's `check` will later read that is broken while it sleeps
** is STK3/DEF2 on that G at the step that touched it, or DEF4 on the
** running G when it runs again.
**
** MEM1 is the one checker that reads machine-wide state (the fault
** log), not the loaded G's: the fault of a load the runtime makes on
** g2's behalf (a shrink walking g2's defer chain) happens inside g2's
** EV_GSCOPE bracket, and the harness attributes it to g2
** (hs_sched.c), so the report names g2, not the running G; a fault of
** the running G's own, after g2's bracket in the same step, stays the
** running G's. (Before that attribution MEM1 fired in the running G's
** check and named no G: the gap this file found.)
**
** BAR3, BAR5 and MEM1 also fire on a G suspended inside a callback
** (cb_scan_prog, cb_defer_prog). On a G suspended in C (only preempt=N
** suspends one there) they are not tested: a shrink skips such a G,
** and its scan starts at syscallsp; test_sched_m.c covers that G for
** STK2, DEF1, DEF2, BAR1 and PAN1.
*/
#include "testutil.h"

#include "hs.h"
#include "prog.h"

static prog *parse(const char *text)
{
	prog *p = calloc(1, sizeof *p);
	char err[256];
	assert_non_null(p);
	if (prog_parse("t.prog", text, strlen(text), p, err, sizeof err) != 0)
		fail_msg("parse: %s", err);
	return p;
}

enum { BREAK_NONE, BREAK_INNERMOST, BREAK_OFFSET, BREAK_BELOWSP, BREAK_DEADLINK,
       BREAK_COPYNOMAP };

typedef struct poke {
	int what; /* BREAK_NONE: the control */
	int at;	  /* the break whose point the poke waits for */
	int done;
	int scanned; /* a `gc scan` ran (an earlier step) */
} poke;

static int step_has(const rt *r, int kind)
{
	for (uint32_t i = 0; i < r->nev; i++)
		if (r->ev[i].kind == kind)
			return 1;
	return 0;
}

/* Did this step's events concern G i (EV_GSCOPE i)? */
static int step_touched(const rt *r, uint32_t i)
{
	for (uint32_t k = 0; k < r->nev; k++)
		if (r->ev[k].kind == EV_GSCOPE && r->ev[k].a == i)
			return 1;
	return 0;
}

static rt_addr entry(const rt_g *g, uint32_t i)
{
	return g->stack->base + g->stksize + 8 * RT_STKTOP_WORDS +
	       8ull * RT_STKBAR_WORDS * i;
}

/* BAR3: the scan put g2's lowest barrier on the innermost frame's return
** slot instead of the next frame's (the rule skips the innermost), and
** its entry says so consistently: the right slot holds its return PC
** again, the entry names the innermost slot (tagged with its cell, as
** the truth tags an entry's savedLRPtr) and the PC saved from it. */
static void break_innermost(rt *r, rt_g *g)
{
	const rt_func *f = rt_findfunc(r, g->sched.pc);
	assert_non_null(f);
	assert_true(g->stkbarlen > g->stkbarpos && g->stkbarpos == 0);
	rt_addr e = entry(g, 0);
	rt_addr old = rt_ld(&r->mem, e + 8 * SB_LRPTR);
	rt_addr in = g->sched.sp + f->framesize; /* innermost return slot */
	assert_true(in < old);
	mc_store(&r->mem, old, rt_ld(&r->mem, e + 8 * SB_LRVAL));
	mc_store(&r->mem, e + 8 * SB_LRVAL, rt_ld(&r->mem, in));
	mc_store(&r->mem, e + 8 * SB_LRPTR, in);
	mc_ptag_set(&r->mem, e + 8 * SB_LRPTR, mc_cell_at(&r->mem, in));
	mc_store(&r->mem, in, rt_barrier_pc(r));
}

/* BAR3 at the wrong offset (barriers=spaced): g2's only barrier, which
** the rule puts on the first frame past sp + 1024 (mid's, padded), put
** one frame further out (child's), its entry consistent as above. */
static void break_offset(rt *r, uint32_t i)
{
	rt_g *g = &r->allg[i];
	assert_true(g->stkbarlen == 1 && g->stkbarpos == 0);
	frames fs;
	memset(&fs, 0, sizeof fs);
	rt_g save = r->g, *cur = r->cur;
	r->g = *g;
	r->cur = &r->g;
	assert_int_equal(rt_traceback(r, g->sched.pc, g->sched.sp, 0, collect, &fs,
				      NULL, 0), TB_OK);
	r->g = save;
	r->cur = cur;
	rt_addr e = entry(g, 0), old = rt_ld(&r->mem, e + 8 * SB_LRPTR);
	int k = 0;
	while (k < fs.n && k < 16 && fs.f[k].lrptr != old)
		k++;
	assert_true(k + 1 < fs.n && k + 1 < 16); /* a frame outer to it */
	assert_string_equal(fs.f[k].fn->name, "mid");
	rt_addr out = fs.f[k + 1].lrptr;
	mc_store(&r->mem, old, rt_ld(&r->mem, e + 8 * SB_LRVAL));
	mc_store(&r->mem, e + 8 * SB_LRVAL, rt_ld(&r->mem, out));
	mc_store(&r->mem, e + 8 * SB_LRPTR, out);
	mc_ptag_set(&r->mem, e + 8 * SB_LRPTR, mc_cell_at(&r->mem, out));
	mc_store(&r->mem, out, rt_barrier_pc(r));
}

/* BAR5: g2's lowest live barrier left below its sched.sp, as a recovery
** that discarded the frame without marking the barrier hit leaves it
** (gcUnwindBarriers forgotten): the entry names a slot of the dead part
** of the stack, which still holds the barrier PC; the frame that had it
** is gone (its slot holds its return PC). */
static void break_belowsp(rt *r, rt_g *g)
{
	assert_true(g->stkbarlen > g->stkbarpos);
	rt_addr e = entry(g, g->stkbarpos);
	rt_addr old = rt_ld(&r->mem, e + 8 * SB_LRPTR);
	rt_addr gone = g->sched.sp - 16;
	mc_store(&r->mem, old, rt_ld(&r->mem, e + 8 * SB_LRVAL));
	mc_store(&r->mem, e + 8 * SB_LRPTR, gone);
	mc_store(&r->mem, gone, rt_barrier_pc(r));
}

/* MEM1: g2's defer chain still links a record that was popped (freed:
** a tombstone), as a deferreturn that freed without unlinking leaves
** it. Nothing loads through it until the runtime walks g2's chain. */
static void break_deadlink(rt *r, rt_g *g)
{
	const struct mc_area *a = &r->mem.area[RG_HEAP];
	rt_addr dead = 0;
	for (uint32_t i = 0; i < a->n && !dead; i++)
		if (!a->r[i]->live)
			dead = a->r[i]->base;
	assert_true(dead != 0);
	assert_true(g->defer != 0 && rt_ld(&r->mem, g->defer + 8 * D_LINK) != 0);
	mc_store(&r->mem, g->defer + 8 * D_LINK, dead);
}

/* DEF3: the shrink copied g2 although a frame (a cgo wrapper's: no
** locals map) makes its stack not copyable, as a shrink that skipped
** copyabletopsegment would: the runtime's own copy, run on g2 loaded and
** bracketed as every GC operation on a suspended G is (rt_sched.c). */
static void break_copynomap(rt *r, uint32_t i)
{
	const rt_g *g = &r->allg[i];
	assert_true(g->nsegs == 1 && !g->syscallsp && g->stkbarlen == 0);
	uint32_t size = g->stksize / 2;
	assert_true(size >= RT_STACK_MIN && g->hi - g->sched.sp < size);
	rt_g save = r->g, *cur = r->cur;
	r->g = r->allg[i];
	r->cur = &r->g;
	rt_event_add(r, EV_GSCOPE, i, (int64_t)r->mem.nfaults);
	rt_copystack(r, size, EV_SHRINK);
	r->allg[i] = r->g;
	r->g = save;
	r->cur = cur;
	rt_event_add(r, EV_GSCOPE, r->curg, (int64_t)r->mem.nfaults);
}

/* Is this step the point where break `at` goes? */
static int at_point(rt *r, const poke *k, int at)
{
	const rt_g *g = &r->allg[1];
	int scan = step_has(r, EV_GCSCAN);
	switch (at) {
	case BREAK_INNERMOST: /* the scan: BAR3 judges placement there */
		return scan && g->stkbarlen > g->stkbarpos;
	case BREAK_OFFSET:
		return scan && g->stkbarlen == 1;
	case BREAK_BELOWSP: /* the `gc shrink` after the scan: it touches g2,
			    which keeps its live barriers (no shrink) */
		return !scan && k->scanned && step_touched(r, 1) &&
		       g->stkbarlen > g->stkbarpos;
	case BREAK_DEADLINK: /* any step before the shrink: both defers made */
		return g->defer && rt_ld(&r->mem, g->defer + 8 * D_LINK) != 0;
	case BREAK_COPYNOMAP: /* the `gc shrink`, which left g2 alone */
		return step_touched(r, 1) && !step_has(r, EV_SHRINK);
	default:
		return 0;
	}
}

/* After each step: at the point of break k->at, break g2 (suspended)
** unless this is the control. */
static void breaker(rt *r, void *arg)
{
	poke *k = arg;
	int scan = step_has(r, EV_GCSCAN);
	if (!k->done && r->nallg >= 2 && r->curg != 1 && !r->allg[1].dead &&
	    at_point(r, k, k->at)) {
		k->done = 1;
		rt_g *g = &r->allg[1];
		switch (k->what) {
		case BREAK_INNERMOST:
			break_innermost(r, g);
			break;
		case BREAK_OFFSET:
			break_offset(r, 1);
			break;
		case BREAK_BELOWSP:
			break_belowsp(r, g);
			break;
		case BREAK_DEADLINK:
			break_deadlink(r, g);
			break;
		case BREAK_COPYNOMAP:
			break_copynomap(r, 1);
			break;
		default: /* the control: the same point, nothing broken */
			break;
		}
	}
	k->scanned |= scan;
}

/* g2 yields in mid, two frames deep, both frames with barriers room */
static const char scan_prog[] =
	"func main()\n"
	"  go child(3)\n"
	"  gosched\n"
	"  gc scan\n"
	"  gc shrink\n"
	"  gc markterm\n"
	"  wait\n"
	"end\n"
	"func child(n int)\n"
	"  var y int\n"
	"  y = n\n"
	"  call mid(&y)\n"
	"  check y == 3\n"
	"end\n"
	"func mid(p *int)\n"
	"  call inner(p)\n"
	"end\n"
	"func inner(p *int)\n"
	"  gosched\n"
	"  check *p == 3\n"
	"end\n";

/* the same with mid's frame past 1024 bytes: one barrier when spaced */
static const char padded_prog[] =
	"func main()\n"
	"  go child(3)\n"
	"  gosched\n"
	"  gc scan\n"
	"  gc markterm\n"
	"  wait\n"
	"end\n"
	"func child(n int)\n"
	"  var y int\n"
	"  y = n\n"
	"  call mid(&y)\n"
	"  check y == 3\n"
	"end\n"
	"func mid(p *int) pad 1200\n"
	"  call inner(p)\n"
	"end\n"
	"func inner(p *int)\n"
	"  gosched\n"
	"  check *p == 3\n"
	"end\n";

/* g2 grew (a copy), popped a record, defers two, yields: main's shrink
** walks its chain (copyabletopsegment) and shrinks it */
static const char defer_prog[] =
	"func main()\n"
	"  go child()\n"
	"  gosched\n"
	"  gc shrink\n"
	"  wait\n"
	"end\n"
	"func child()\n"
	"  call popper()\n"
	"  grow 8192\n"
	"  defer note(1)\n"
	"  defer note(2)\n"
	"  gosched\n"
	"end\n"
	"func popper()\n"
	"  defer note(0)\n"
	"end\n"
	"func note(x int)\n"
	"end\n";

/* g2 grew, then yields inside a cgo wrapper (no locals map): not
** copyable, so main's shrink leaves it */
static const char wrapper_prog[] =
	"func main()\n"
	"  go child()\n"
	"  gosched\n"
	"  gc shrink\n"
	"  wait\n"
	"end\n"
	"func child()\n"
	"  grow 8192\n"
	"  call w(5)\n"
	"end\n"
	"func w(v int) cgowrapper\n"
	"  gosched\n"
	"end\n";

/* bug 7695 (copyabletopsegment ignores defers): g2 defers a cgo wrapper
** with no pointer argument (so nothing dangles: DEF2 has nothing to
** say) and yields; main's shrink copies it */
static const char bug7695_prog[] =
	"func main()\n"
	"  go child()\n"
	"  gosched\n"
	"  gc shrink\n"
	"  wait\n"
	"end\n"
	"func child()\n"
	"  grow 8192\n"
	"  defer w(5)\n"
	"  gosched\n"
	"end\n"
	"func w(v int) cgowrapper\n"
	"end\n";

/* The same shapes with g2 suspended inside a callback: child -> cgo c
** -> callback mid, which yields two Go frames above cgocallback_gofunc
** (whose frame the barrier rule skips; g2 keeps its M meanwhile). Its
** only gosched is there, so at every poke point g2 is inside the
** callback. */
static const char cb_scan_prog[] =
	"func main()\n"
	"  go child(3)\n"
	"  gosched\n"
	"  gc scan\n"
	"  gc shrink\n"
	"  gc markterm\n"
	"  wait\n"
	"end\n"
	"func child(n int)\n"
	"  var y int\n"
	"  y = n\n"
	"  cgo c()\n"
	"  check y == 3\n"
	"end\n"
	"cfunc c()\n"
	"  callback mid()\n"
	"end\n"
	"func mid()\n"
	"  var z int\n"
	"  z = 3\n"
	"  call inner(&z)\n"
	"end\n"
	"func inner(p *int)\n"
	"  gosched\n"
	"  check *p == 3\n"
	"end\n";

/* g2, inside a callback, popped a record, defers two, yields: main's
** shrink walks its chain (copyabletopsegment) */
static const char cb_defer_prog[] =
	"func main()\n"
	"  go child()\n"
	"  gosched\n"
	"  gc shrink\n"
	"  wait\n"
	"end\n"
	"func child()\n"
	"  cgo c()\n"
	"end\n"
	"cfunc c()\n"
	"  callback cb()\n"
	"end\n"
	"func cb()\n"
	"  call popper()\n"
	"  grow 8192\n"
	"  defer note(1)\n"
	"  defer note(2)\n"
	"  gosched\n"
	"end\n"
	"func popper()\n"
	"  defer note(0)\n"
	"end\n"
	"func note(x int)\n"
	"end\n";

static uint32_t run_mask; /* 0: every checker */

static hs_result run(const char *text, int what, int at, uint32_t barriers,
		     uint32_t bugs, int *done)
{
	prog *p = parse(text);
	poke k = {what, at, 0, 0};
	hs_options o;
	memset(&o, 0, sizeof o);
	o.barriers_set = 1;
	o.barriers = barriers;
	o.bugs_set = 1;
	o.bugs = bugs;
	o.poke = breaker;
	o.poke_arg = &k;
	o.check_mask = run_mask;
	hs_result r = {0};
	assert_int_equal(hs_run(p, &o, &r), 0);
	*done = k.done;
	free(p);
	return r;
}

static void expect_on_g2(const char *text, int what, uint32_t barriers,
			 const char *id, const char *why)
{
	int done;
	hs_result r = run(text, BREAK_NONE, what, barriers, 0, &done);
	assert_int_equal(done, 1); /* the control reached the same point */
	if (r.kind != OUT_OK)
		fail_msg("control of %s: %s", id, r.text);
	hs_result_free(&r);
	r = run(text, what, what, barriers, 0, &done);
	assert_int_equal(done, 1);
	assert_int_equal(r.kind, OUT_VIOLATION);
	if (strcmp(inv_catalogue[r.inv].id, id) || !strstr(r.text, "g2 (suspended)") ||
	    !strstr(r.text, why))
		fail_msg("want %s on g2, got %s: %s", id, inv_catalogue[r.inv].id,
			 r.text);
	hs_result_free(&r);
}

static void test_bar3_on_suspended(void **s)
{
	(void)s;
	expect_on_g2(scan_prog, BREAK_INNERMOST, BARRIERS_EVERY, "BAR3",
		     "should be on mid's return slot");
}

static void test_bar3_offset_on_suspended(void **s)
{
	(void)s;
	expect_on_g2(padded_prog, BREAK_OFFSET, BARRIERS_SPACED, "BAR3",
		     "should be on mid's return slot");
}

static void test_bar5_on_suspended(void **s)
{
	(void)s;
	expect_on_g2(scan_prog, BREAK_BELOWSP, BARRIERS_EVERY, "BAR5", "below sched.sp");
}

static void test_mem1_on_suspended(void **s)
{
	(void)s;
	expect_on_g2(defer_prog, BREAK_DEADLINK, BARRIERS_OFF, "MEM1",
		     "load of defer#4(dead)");
}

/* The other way round: the fault is the running G's (its own shrink, in
** the same step as g2's bracket, after it): MEM1 on main, no G named.
** Only MEM1 runs: DEF1 would see the running G's broken chain at once,
** before the shrink loads through it. */
static void mainbreaker(rt *r, void *arg)
{
	int *st = arg; /* done, break */
	if (st[0] || r->curg != 0 || !step_has(r, EV_GOSWITCH) || !r->g.defer ||
	    !rt_ld(&r->mem, r->g.defer + 8 * D_LINK))
		return;
	st[0] = 1;
	if (st[1])
		break_deadlink(r, &r->g);
}

/* The same three on a G suspended inside a callback. */
static void test_bar3_on_suspended_in_callback(void **s)
{
	(void)s;
	expect_on_g2(cb_scan_prog, BREAK_INNERMOST, BARRIERS_EVERY, "BAR3",
		     "should be on mid's return slot");
}

static void test_bar5_on_suspended_in_callback(void **s)
{
	(void)s;
	expect_on_g2(cb_scan_prog, BREAK_BELOWSP, BARRIERS_EVERY, "BAR5",
		     "below sched.sp");
}

/* Only MEM1 runs: the cut chain also hides the callback's endcgo
** record, and CGO1 on g2's M (m1, held) names that first, before the
** shrink loads through the dead link. */
static void test_mem1_on_suspended_in_callback(void **s)
{
	(void)s;
	run_mask = 1u << INV_MEM1;
	expect_on_g2(cb_defer_prog, BREAK_DEADLINK, BARRIERS_OFF, "MEM1",
		     "load of defer#");
	run_mask = 0;
}

static void test_mem1_on_running(void **s)
{
	(void)s;
	static const char text[] =
		"func main()\n"
		"  go child()\n"
		"  call popper()\n"
		"  grow 8192\n"
		"  defer note(1)\n"
		"  defer note(2)\n"
		"  gosched\n"
		"  gc shrink\n"
		"  wait\n"
		"end\n"
		"func child()\n"
		"  gosched\n"
		"end\n"
		"func popper()\n"
		"  defer note(0)\n"
		"end\n"
		"func note(x int)\n"
		"end\n";
	for (int brk = 0; brk < 2; brk++) {
		prog *p = parse(text);
		int st[2] = {0, brk};
		hs_options o;
		memset(&o, 0, sizeof o);
		o.check_mask = 1u << INV_MEM1;
		o.poke = mainbreaker;
		o.poke_arg = st;
		hs_result r = {0};
		assert_int_equal(hs_run(p, &o, &r), 0);
		assert_int_equal(st[0], 1);
		if (!brk) {
			assert_int_equal(r.kind, OUT_OK);
			assert_true(r.shrinks >= 1); /* main's stack was shrunk */
		} else {
			assert_int_equal(r.kind, OUT_VIOLATION);
			assert_string_equal(inv_catalogue[r.inv].id, "MEM1");
			assert_non_null(strstr(r.text, "load of defer"));
			assert_null(strstr(r.text, "(suspended)"));
		}
		hs_result_free(&r);
		free(p);
	}
}

static void test_def3_on_suspended(void **s)
{
	(void)s;
	expect_on_g2(wrapper_prog, BREAK_COPYNOMAP, BARRIERS_OFF, "DEF3",
		     "a frame of w, which has no locals map");
}

/* No hand break: with bug 7695 the shrink copies g2 over a defer of a
** function without maps; without it, the same run is clean. */
static void test_def3_bug7695_on_suspended(void **s)
{
	(void)s;
	int done;
	hs_result r = run(bug7695_prog, BREAK_NONE, 0, BARRIERS_OFF, 0, &done);
	assert_int_equal(r.kind, OUT_OK);
	assert_int_equal(r.shrinks, 0); /* not copyable: left alone */
	hs_result_free(&r);
	r = run(bug7695_prog, BREAK_NONE, 0, BARRIERS_OFF, RT_BUG_7695, &done);
	assert_int_equal(r.kind, OUT_VIOLATION);
	if (strcmp(inv_catalogue[r.inv].id, "DEF3") || !strstr(r.text, "g2 (suspended)") ||
	    !strstr(r.text, "pending defer of w"))
		fail_msg("want DEF3 on g2, got %s: %s", inv_catalogue[r.inv].id, r.text);
	hs_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bar3_on_suspended),
		cmocka_unit_test(test_bar3_offset_on_suspended),
		cmocka_unit_test(test_bar5_on_suspended),
		cmocka_unit_test(test_mem1_on_suspended),
		cmocka_unit_test(test_bar3_on_suspended_in_callback),
		cmocka_unit_test(test_bar5_on_suspended_in_callback),
		cmocka_unit_test(test_mem1_on_suspended_in_callback),
		cmocka_unit_test(test_mem1_on_running),
		cmocka_unit_test(test_def3_on_suspended),
		cmocka_unit_test(test_def3_bug7695_on_suspended),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
