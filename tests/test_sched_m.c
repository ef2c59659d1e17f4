/*
** test_sched_m.c: many Ms end to end (hs_run). A G in a callback or in C
** keeps its M while another G runs on another M; the per-M checks
** (CGO*, SEH*) judge every M a step touched, not only the loaded one.
** Each ID is made to fire on an M that is NOT the loaded one: the state
** of that M (allm[j], or its holder G) is broken by hand through the
** harness's poke seam at the step that switches away from it, and the
** report names the M; the same run without the break is clean. Also
** the per-G invariants on a G suspended inside a callback or in C
** (after a gc scan that scanned it), and the scheduler's M rules.
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

/* g2 yields inside a callback (C pushed its own SEH record first): it
** keeps m1, main runs on a new m2; then main yields, g2 comes back on
** m1 (m2 free again), returns, and main waits for it. */
static const char cb_prog[] =
	"# config: target=windows/386\n"
	"func main()\n"
	"  go worker()\n"
	"  gosched\n"
	"  gosched\n"
	"  wait\n"
	"end\n"
	"func worker()\n"
	"  cgo callc()\n"
	"end\n"
	"cfunc callc()\n"
	"  seh push\n"
	"  callback back()\n"
	"  seh pop\n"
	"end\n"
	"func back()\n"
	"  var y int\n"
	"  y = 3\n"
	"  defer keep(&y)\n"
	"  gosched\n"
	"end\n"
	"func keep(p *int)\n"
	"  check *p == 3\n"
	"end\n";

/* g2 is preempted in C (preempt=1: every C statement is a safe point) */
static const char c_prog[] =
	"# config: target=windows/386 preempt=1\n"
	"func main()\n"
	"  go worker()\n"
	"  gosched\n"
	"  gosched\n"
	"  gosched\n"
	"  wait\n"
	"end\n"
	"func worker()\n"
	"  cgo callc()\n"
	"end\n"
	"cfunc callc()\n"
	"  call cnop()\n"
	"  call cnop()\n"
	"end\n"
	"cfunc cnop()\n"
	"end\n";

enum { B_NONE, B_NCGO, B_LOCKEDINT, B_SEHHEAD, B_SEHSKIP, B_SEHGO, B_G0SP,
       B_SYSCALLSP };

typedef struct poke {
	int what;
	int free;   /* break the M being switched away from when it is free */
	int done;
	uint32_t m; /* which M was broken (index) */
} poke;

/* At a step that switched away from M j (EV_MSWITCH a=j): break M j if
** it is held (free: if it is free), the first time. */
static void breaker(rt *r, void *arg)
{
	poke *k = arg;
	if (k->done)
		return;
	for (uint32_t i = 0; i < r->nev; i++) {
		if (r->ev[i].kind != EV_MSWITCH)
			continue;
		uint32_t j = (uint32_t)r->ev[i].a;
		rt_mslot *s = &r->allm[j];
		if (j == r->curm || (s->holder < 0) != k->free)
			continue;
		k->done = 1;
		k->m = j;
		rt_m *m = &s->m;
		switch (k->what) {
		case B_NCGO:
			m->ncgo++;
			break;
		case B_LOCKEDINT:
			m->lockedint++;
			break;
		case B_SEHHEAD: /* below the live part of the OS stack */
			m->seh = s->g0.lo + 64;
			break;
		case B_SEHSKIP: /* the head skips callbackasm1's record */
			m->seh = rt_ld(&r->mem, m->seh);
			break;
		case B_SEHGO: { /* no record names Go's handler any more */
			rt_addr ch = r->funcs[RTF_CHANDLER].entry;
			for (rt_addr h = m->seh; h != RT_SEH_END; h = rt_ld(&r->mem, h))
				mc_store(&r->mem, h + 8, ch);
			break;
		}
		case B_G0SP:
			m->g0sp -= 64;
			break;
		case B_SYSCALLSP: { /* the holder's syscallsp one word off */
			assert_true(s->holder >= 0);
			rt_g *g = &r->allg[s->holder];
			assert_true(g->syscallsp != 0);
			g->syscallsp += 8;
			break;
		}
		default:
			break;
		}
		return;
	}
}

static hs_result run_broken(const char *text, int what, int free, poke *k)
{
	prog *p = parse(text);
	memset(k, 0, sizeof *k);
	k->what = what;
	k->free = free;
	hs_options o;
	memset(&o, 0, sizeof o);
	o.poke = breaker;
	o.poke_arg = k;
	hs_result r = {0};
	assert_int_equal(hs_run(p, &o, &r), 0);
	free(p);
	return r;
}

/* The control (same program, same poke point, nothing broken) is ok; the
** break fires id, in a report that names the broken M, which is not the
** loaded one. */
static void expect_on_m(const char *text, int what, int free, const char *id,
			const char *state)
{
	poke k;
	hs_result r = run_broken(text, B_NONE, free, &k);
	assert_int_equal(k.done, 1);
	assert_int_equal(r.kind, OUT_OK);
	hs_result_free(&r);
	r = run_broken(text, what, free, &k);
	assert_int_equal(k.done, 1);
	assert_int_equal(r.kind, OUT_VIOLATION);
	assert_string_equal(inv_catalogue[r.inv].id, id);
	char want[64];
	snprintf(want, sizeof want, "m%u (%s", k.m + 1, state);
	if (!strstr(r.text, want))
		fail_msg("%s: want \"%s\" in: %s", id, want, r.text);
	hs_result_free(&r);
}

static void test_cgo1_held_m(void **s)
{
	(void)s;
	expect_on_m(cb_prog, B_NCGO, 0, "CGO1", "held by suspended g2, in a callback");
}

static void test_cgo2_held_m(void **s)
{
	(void)s;
	expect_on_m(cb_prog, B_LOCKEDINT, 0, "CGO2", "held by suspended g2");
}

static void test_cgo3_held_m(void **s)
{
	(void)s;
	expect_on_m(c_prog, B_SYSCALLSP, 0, "CGO3", "held by suspended g2, in C");
}

static void test_seh1_held_m(void **s)
{
	(void)s;
	expect_on_m(cb_prog, B_SEHHEAD, 0, "SEH1", "held by suspended g2");
}

static void test_seh2_held_m(void **s)
{
	(void)s;
	expect_on_m(cb_prog, B_SEHSKIP, 0, "SEH2", "held by suspended g2");
}

static void test_seh3_held_m(void **s)
{
	(void)s;
	expect_on_m(cb_prog, B_SEHGO, 0, "SEH3", "held by suspended g2");
}

/* m2 is free once main leaves it (main holds nothing) */
static void test_cgo1_free_m(void **s)
{
	(void)s;
	expect_on_m(cb_prog, B_NCGO, 1, "CGO1", "free");
}

static void test_cgo1_free_m_g0sp(void **s)
{
	(void)s;
	expect_on_m(cb_prog, B_G0SP, 1, "CGO1", "free");
}

static void test_cgo2_free_m(void **s)
{
	(void)s;
	expect_on_m(cb_prog, B_LOCKEDINT, 1, "CGO2", "free");
}

static void test_seh1_free_m(void **s)
{
	(void)s;
	expect_on_m(cb_prog, B_SEHHEAD, 1, "SEH1", "free");
}

static void test_seh3_free_m(void **s)
{
	(void)s;
	expect_on_m(cb_prog, B_SEHGO, 1, "SEH3", "free");
}

/* ---- per-G invariants on a G suspended in a callback or in C ---- */

enum { G_NONE, G_DEFERSP, G_BARRIER, G_RETPC, G_PANIC, G_DEFERARG };

typedef struct gpoke {
	int what, done;
} gpoke;

/* After the step that scanned every G: break G 2 (suspended). */
static void gbreaker(rt *r, void *arg)
{
	gpoke *k = arg;
	int scanned = 0;
	for (uint32_t i = 0; i < r->nev; i++)
		scanned |= r->ev[i].kind == EV_GCSCAN;
	if (!scanned || k->done || r->nallg < 2 || r->curg == 1)
		return;
	k->done = 1;
	rt_g *g = &r->allg[1];
	switch (k->what) {
	case G_DEFERSP: /* the defer's frame: below every live frame */
		assert_true(g->defer != 0);
		mc_store(&r->mem, g->defer + 8 * D_SP, g->sched.sp - 256);
		break;
	case G_BARRIER: { /* the outermost barrier's PC lost from its slot
			  (an inner one would desynchronise the unwinder's
			  barrier substitution first: STK2) */
		assert_true(g->stkbarlen > g->stkbarpos);
		rt_addr e = g->stack->base + g->stksize + 8 * RT_STKTOP_WORDS +
			    8ull * RT_STKBAR_WORDS * (g->stkbarlen - 1);
		rt_addr slot = rt_ld(&r->mem, e + 8 * SB_LRPTR);
		mc_store(&r->mem, slot, rt_ld(&r->mem, e + 8 * SB_LRVAL));
		break;
	}
	case G_RETPC: { /* the innermost frame's return-PC slot */
		rt_addr sp = g->syscallsp ? g->syscallsp : g->sched.sp;
		rt_addr pc = g->syscallsp ? g->syscallpc : g->sched.pc;
		const rt_func *f = rt_findfunc(r, pc);
		assert_non_null(f);
		mc_store(&r->mem, sp + f->framesize, 0x1234);
		break;
	}
	case G_PANIC: /* the panic record's link to itself */
		assert_true(g->panic != 0);
		mc_store(&r->mem, g->panic + 8 * P_LINK, g->panic);
		break;
	case G_DEFERARG: { /* the outermost defer's &y: one word off, its
			     truth tag kept (a copy that forgot to adjust it) */
		rt_addr d = g->defer;
		assert_true(d != 0);
		while (rt_ld(&r->mem, d + 8 * D_LINK))
			d = rt_ld(&r->mem, d + 8 * D_LINK);
		rt_addr a = d + 8 * RT_DEFER_HDR_WORDS;
		uint32_t tag = mc_ptag_at(&r->mem, a);
		assert_true(tag != 0);
		mc_store(&r->mem, a, rt_ld(&r->mem, a) + 8);
		mc_ptag_set(&r->mem, a, tag);
		break;
	}
	default:
		break;
	}
}

/* g2 yields inside a deferred call its panic runs, inside a callback */
static const char cbpanic_prog[] =
	"func main()\n"
	"  go worker()\n"
	"  gosched\n"
	"  gc scan\n"
	"  gc markterm\n"
	"  wait\n"
	"end\n"
	"func worker()\n"
	"  cgo callc()\n"
	"end\n"
	"cfunc callc()\n"
	"  callback back()\n"
	"end\n"
	"func back()\n"
	"  defer rec()\n"
	"  panic 5\n"
	"end\n"
	"func rec()\n"
	"  var r int\n"
	"  gosched\n"
	"  r = recover()\n"
	"  check r == 5\n"
	"end\n";

static const char cbscan_prog[] =
	"func main()\n"
	"  go worker()\n"
	"  gosched\n"
	"  gc scan\n"
	"  gc markterm\n"
	"  wait\n"
	"end\n"
	"func worker()\n"
	"  cgo callc()\n"
	"end\n"
	"cfunc callc()\n"
	"  callback back()\n"
	"end\n"
	"func back()\n"
	"  var y int\n"
	"  y = 3\n"
	"  defer keep(&y)\n"
	"  call mid()\n"
	"end\n"
	"func mid()\n"
	"  gosched\n"
	"end\n"
	"func keep(p *int)\n"
	"  check *p == 3\n"
	"end\n";

static const char cscan_prog[] =
	"# config: preempt=1\n"
	"func main()\n"
	"  go worker()\n"
	"  gosched\n"
	"  gosched\n"
	"  gc scan\n"
	"  gc markterm\n"
	"  wait\n"
	"end\n"
	"func worker()\n"
	"  var y int\n"
	"  y = 3\n"
	"  defer keep(&y)\n"
	"  call mid()\n"
	"end\n"
	"func keep(p *int)\n"
	"  check *p == 3\n"
	"end\n"
	"func mid()\n"
	"  cgo callc()\n"
	"end\n"
	"cfunc callc()\n"
	"  call cnop()\n"
	"  call cnop()\n"
	"end\n"
	"cfunc cnop()\n"
	"end\n";

static void expect_on_g2(const char *text, int what, uint32_t barriers,
			 const char *id)
{
	for (int pass = 0; pass < 2; pass++) {
		prog *p = parse(text);
		gpoke k = {pass ? what : G_NONE, 0};
		hs_options o;
		memset(&o, 0, sizeof o);
		o.barriers_set = 1;
		o.barriers = barriers;
		o.poke = gbreaker;
		o.poke_arg = &k;
		hs_result r = {0};
		assert_int_equal(hs_run(p, &o, &r), 0);
		assert_int_equal(k.done, 1);
		if (!pass) {
			assert_int_equal(r.kind, OUT_OK);
		} else {
			assert_int_equal(r.kind, OUT_VIOLATION);
			if (strcmp(inv_catalogue[r.inv].id, id) ||
			    !strstr(r.text, "g2 (suspended)"))
				fail_msg("want %s on g2, got: %s", id, r.text);
		}
		hs_result_free(&r);
		free(p);
	}
}

static void test_def1_in_callback(void **s)
{
	(void)s;
	expect_on_g2(cbscan_prog, G_DEFERSP, BARRIERS_OFF, "DEF1");
}

static void test_bar1_in_callback(void **s)
{
	(void)s;
	expect_on_g2(cbscan_prog, G_BARRIER, BARRIERS_EVERY, "BAR1");
}

static void test_stk2_in_c(void **s)
{
	(void)s;
	expect_on_g2(cscan_prog, G_RETPC, BARRIERS_OFF, "STK2");
}

static void test_pan1_in_callback(void **s)
{
	(void)s;
	expect_on_g2(cbpanic_prog, G_PANIC, BARRIERS_OFF, "PAN1");
}

static void test_def2_in_c(void **s)
{
	(void)s;
	expect_on_g2(cscan_prog, G_DEFERARG, BARRIERS_OFF, "DEF2");
}

static void test_bar1_in_c(void **s)
{
	(void)s;
	expect_on_g2(cscan_prog, G_BARRIER, BARRIERS_EVERY, "BAR1");
}

/* ---- the scheduler's M rules ---- */

static void test_m_rules(void **s)
{
	(void)s;
	/* a G in a callback keeps m1; main gets a new M (m2), whose OS stack
	** is its own; back on m1 the callback returns normally */
	prog *p = parse(cb_prog);
	char *trace = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&trace, &len);
	hs_options o;
	memset(&o, 0, sizeof o);
	o.trace = f;
	hs_result r = {0};
	assert_int_equal(hs_run(p, &o, &r), 0);
	fclose(f);
	assert_int_equal(r.kind, OUT_OK);
	assert_non_null(strstr(trace, "switch g2 -> g1; new M m2 (its own OS stack); M m1 -> m2"));
	assert_non_null(strstr(trace, "switch g1 -> g2; M m2 -> m1"));
	/* only two Ms: the second switch to main reuses the free m2 */
	assert_null(strstr(trace, "new M m3"));
	lib_free(trace);
	hs_result_free(&r);
	free(p);
	/* locked: `lock` wires main to m1, so a child gets m2 */
	p = parse("func main()\n  lock\n  go c()\n  wait\n  unlock\nend\n"
		  "func c()\n  panic 1\nend\n");
	trace = NULL;
	f = open_memstream(&trace, &len);
	o.trace = f;
	assert_int_equal(hs_run(p, &o, &r), 0);
	fclose(f);
	assert_int_equal(r.kind, OUT_PANIC);
	assert_non_null(strstr(trace, "new M m2"));
	lib_free(trace);
	hs_result_free(&r);
	free(p);
	/* unlocked, the child reuses m1: no second M */
	p = parse("func main()\n  go c()\n  wait\nend\n"
		  "func c()\n  panic 1\nend\n");
	trace = NULL;
	f = open_memstream(&trace, &len);
	o.trace = f;
	assert_int_equal(hs_run(p, &o, &r), 0);
	fclose(f);
	assert_null(strstr(trace, "new M"));
	lib_free(trace);
	hs_result_free(&r);
	free(p);
}

/* ---- bug switches on a suspended G, cthread ---- */

/* corpus/regressions/bug-12238-suspended.prog: with its switch, BAR2 on
** the G suspended inside a callback (not the running one); every switch
** off, ok. */
static void test_e2e_bug12238_suspended(void **s)
{
	(void)s;
	char path[1024], err[512], got[256];
	snprintf(path, sizeof path, "%s/corpus/regressions/bug-12238-suspended.prog",
		 src_root());
	prog *p = calloc(1, sizeof *p);
	assert_non_null(p);
	int rc = prog_parse_file(path, p, err, sizeof err);
	if (rc)
		print_error("%s (set STACKFUZZ_SRC)\n", err);
	assert_int_equal(rc, 0);
	assert_int_equal(p->cfg.bugs, BUG_12238);
	hs_result r = {0};
	hs_options o;
	memset(&o, 0, sizeof o);
	assert_int_equal(hs_run(p, &o, &r), 0);
	hs_outcome_str(&r, got, sizeof got);
	assert_string_equal(got, "violation BAR2");
	assert_non_null(strstr(r.text, "g2 (suspended)"));
	assert_non_null(strstr(r.text, "cgocallback_gofunc"));
	assert_true(hs_expect_met(p, &r, err, sizeof err));
	o.bugs_set = 1;
	o.bugs = 0;
	assert_int_equal(hs_run(p, &o, &r), 0);
	hs_outcome_str(&r, got, sizeof got);
	assert_string_equal(got, "ok");
	hs_result_free(&r);
	free(p);
}

/* cthread: the extra M (m2) and its G (g2) are made once and reused;
** the caller keeps m1 in C meanwhile; with bug 12238 the scan inside the
** thread's callback puts a barrier over its cgocallback_gofunc frame,
** which returns to goexit (the parked state), and BAR2 names it. */
static void test_cthread(void **s)
{
	(void)s;
	static const char text[] =
		"# config: barriers=every\n"
		"func main()\n  cgo run()\n  cgo run()\nend\n"
		"cfunc run()\n  cthread cb(7)\n  call cnop()\nend\n"
		"cfunc cnop()\nend\n"
		"func cb(x int)\n  var y int\n  y = x\n  call deep()\n  check y == 7\nend\n"
		"func deep()\n  gc scan\n  gc markterm\nend\n";
	prog *p = parse(text);
	char *trace = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&trace, &len);
	hs_options o;
	memset(&o, 0, sizeof o);
	o.trace = f;
	hs_result r = {0};
	assert_int_equal(hs_run(p, &o, &r), 0);
	fclose(f);
	assert_int_equal(r.kind, OUT_OK);
	const char *first = strstr(trace, "C thread on extra M m2, its G g2");
	assert_non_null(first);
	assert_non_null(strstr(first + 1, "C thread on extra M m2, its G g2"));
	assert_null(strstr(trace, "new M m3"));
	assert_non_null(strstr(trace, "C thread on m2 ends (g2 parked), joined"));
	assert_non_null(strstr(trace, "switch g2 -> g1; M m2 -> m1"));
	lib_free(trace);
	o.trace = NULL;
	o.bugs_set = 1;
	o.bugs = RT_BUG_12238;
	assert_int_equal(hs_run(p, &o, &r), 0);
	assert_int_equal(r.kind, OUT_VIOLATION);
	assert_string_equal(inv_catalogue[r.inv].id, "BAR2");
	hs_result_free(&r);
	free(p);
}

/* The extra M a cthread made, broken at that step (it is not loaded:
** the caller's M is): its check names it, held by the thread's G. */
static void xbreaker(rt *r, void *arg)
{
	int *done = arg;
	for (uint32_t i = 0; i < r->nev && !*done; i++) {
		if (r->ev[i].kind != EV_CTHREAD)
			continue;
		uint32_t j = (uint32_t)r->ev[i].a;
		assert_true(j != r->curm && r->allm[j].extra);
		if (done[1])
			r->allm[j].m.lockedint++;
		*done = 1;
	}
}

static void test_cgo2_on_cthread_m(void **s)
{
	(void)s;
	static const char text[] =
		"func main()\n  cgo run()\nend\n"
		"cfunc run()\n  cthread cb()\nend\n"
		"func cb()\nend\n";
	for (int brk = 0; brk < 2; brk++) {
		prog *p = parse(text);
		int st[2] = {0, brk};
		hs_options o;
		memset(&o, 0, sizeof o);
		o.poke = xbreaker;
		o.poke_arg = st;
		hs_result r = {0};
		assert_int_equal(hs_run(p, &o, &r), 0);
		assert_int_equal(st[0], 1);
		if (!brk) {
			assert_int_equal(r.kind, OUT_OK);
		} else {
			assert_int_equal(r.kind, OUT_VIOLATION);
			assert_string_equal(inv_catalogue[r.inv].id, "CGO2");
			assert_non_null(strstr(r.text, "m2 (held by suspended g2, in C)"));
		}
		hs_result_free(&r);
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgo1_held_m),
		cmocka_unit_test(test_cgo2_held_m),
		cmocka_unit_test(test_cgo3_held_m),
		cmocka_unit_test(test_seh1_held_m),
		cmocka_unit_test(test_seh2_held_m),
		cmocka_unit_test(test_seh3_held_m),
		cmocka_unit_test(test_cgo1_free_m),
		cmocka_unit_test(test_cgo1_free_m_g0sp),
		cmocka_unit_test(test_cgo2_free_m),
		cmocka_unit_test(test_seh1_free_m),
		cmocka_unit_test(test_seh3_free_m),
		cmocka_unit_test(test_def1_in_callback),
		cmocka_unit_test(test_bar1_in_callback),
		cmocka_unit_test(test_stk2_in_c),
		cmocka_unit_test(test_bar1_in_c),
		cmocka_unit_test(test_pan1_in_callback),
		cmocka_unit_test(test_def2_in_c),
		cmocka_unit_test(test_m_rules),
		cmocka_unit_test(test_e2e_bug12238_suspended),
		cmocka_unit_test(test_cthread),
		cmocka_unit_test(test_cgo2_on_cthread_m),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
