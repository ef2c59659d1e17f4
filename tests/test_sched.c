/*
** test_sched.c: goroutines and the scheduler end to end (hs_run): the
** program semantics (main's return, a child's panic, Goexit in main or a
** child, deadlock), and the per-G checks: a state broken by hand on a
** suspended G (the harness's poke seam, after a `gc scan` that scanned
** it) is reported on that G, and the same run without the break is
** clean (and corpus/regressions/bug-7695-suspended.prog: DEF2 on a
** suspended G from a real runtime bug).
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

typedef struct poke {
	int what; /* 0: nothing (the control) */
	int done;
	int trigger; /* the event of the step to break after */
} poke;

enum { BREAK_NONE, BREAK_RETPC, BREAK_DEFERSP, BREAK_BARRIER, BREAK_PTRARG,
       BREAK_SP, BREAK_PANIC, BREAK_DEFERARG, BREAK_LEFTOVER,
       BREAK_SCANFIRST, BREAK_SCANSTALE, BREAK_RESCANCOUNT };

/* A pointer word aimed one word off; its truth tag (which slot it truly
** names) stays, as a runtime that forgot to adjust it would leave it. */
static void off_by_one_word(rt *r, rt_addr a)
{
	uint32_t tag = mc_ptag_at(&r->mem, a);
	assert_true(tag != 0);
	mc_store(&r->mem, a, rt_ld(&r->mem, a) + 8);
	mc_ptag_set(&r->mem, a, tag);
}

/* After the step that scanned every G: break G 2 (suspended). */
static void breaker(rt *r, void *arg)
{
	poke *k = arg;
	int scanned = 0;
	for (uint32_t i = 0; i < r->nev; i++)
		scanned |= r->ev[i].kind == k->trigger;
	if (!scanned || k->done || r->nallg < 2 || r->curg == 1)
		return;
	k->done = 1;
	rt_g *g = &r->allg[1];
	const rt_func *f = rt_findfunc(r, g->sched.pc);
	assert_non_null(f);
	switch (k->what) {
	case BREAK_RETPC: /* the innermost frame's return-PC slot */
		mc_store(&r->mem, g->sched.sp + f->framesize, 0x1234);
		break;
	case BREAK_DEFERSP: /* the defer's frame: below every live frame */
		assert_true(g->defer != 0);
		mc_store(&r->mem, g->defer + 8 * D_SP, g->sched.sp - 256);
		break;
	case BREAK_BARRIER: { /* the barrier PC lost from its slot */
		assert_true(g->stkbarlen > g->stkbarpos);
		rt_addr e = g->stack->base + g->stksize + 8 * RT_STKTOP_WORDS;
		rt_addr slot = rt_ld(&r->mem, e + 8 * SB_LRPTR);
		mc_store(&r->mem, slot, rt_ld(&r->mem, e + 8 * SB_LRVAL));
		break;
	}
	case BREAK_PTRARG: /* mid's p (its first argument): one word off */
		off_by_one_word(r, g->sched.sp + f->framesize + 8);
		break;
	case BREAK_DEFERARG: /* the defer record's &y: one word off */
		assert_true(g->defer != 0);
		off_by_one_word(r, g->defer + 8 * RT_DEFER_HDR_WORDS);
		break;
	case BREAK_SP: /* the saved sp above the stack's top */
		g->sched.sp = g->hi + 64;
		break;
	case BREAK_LEFTOVER: { /* mark termination left g2's barrier */
		rt_addr e = g->stack->base + g->stksize + 8 * RT_STKTOP_WORDS;
		rt_addr slot = rt_ld(&r->mem, e + 8 * SB_LRPTR);
		assert_true(slot != 0 && g->stkbarlen == 0);
		mc_store(&r->mem, slot, rt_barrier_pc(r));
		g->stkbarlen = 1;
		break;
	}
	/* GC1: the runtime's report of g2's scan (each G keeps its own) */
	case BREAK_SCANFIRST: /* the scan skipped g2's innermost frame */
		assert_true(g->scan.kind == RT_SCAN_MARK && g->scan.nframes > 1);
		g->scan.first_sp += f->framesize + RT_WORD;
		g->scan.nframes--;
		break;
	case BREAK_SCANSTALE: /* g2 was not scanned at this step */
		assert_true(g->scan.stepno == r->stepno);
		g->scan.stepno--;
		break;
	case BREAK_RESCANCOUNT: /* the rescan miscounted g2's frames */
		assert_true(g->scan.kind == RT_SCAN_MARKTERM && g->scan.nprog > 0);
		g->scan.nprog++;
		break;
	case BREAK_PANIC: /* the panic record's link to itself */
		assert_true(g->panic != 0);
		mc_store(&r->mem, g->panic + 8 * P_LINK, g->panic);
		break;
	default:
		break;
	}
}

static const char child_prog[] =
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
	"  defer keep(&y)\n"
	"  call mid(&y)\n"
	"end\n"
	"func mid(p *int)\n"
	"  gosched\n"
	"  check *p == 3\n"
	"end\n"
	"func keep(p *int)\n"
	"  check *p == 3\n"
	"end\n";

/* the child yields inside a deferred call its panic runs */
static const char panic_prog[] =
	"func main()\n"
	"  go child()\n"
	"  gosched\n"
	"  gc scan\n"
	"  gc markterm\n"
	"  wait\n"
	"end\n"
	"func child()\n"
	"  defer rec()\n"
	"  panic 5\n"
	"end\n"
	"func rec()\n"
	"  var r int\n"
	"  gosched\n"
	"  r = recover()\n"
	"  check r == 5\n"
	"end\n";

static hs_result run_broken(int what, uint32_t barriers, int *poked)
{
	prog *p = parse(what == BREAK_PANIC ? panic_prog : child_prog);
	poke k = {what, 0,
		  what == BREAK_LEFTOVER || what == BREAK_RESCANCOUNT ? EV_MARKTERM
								       : EV_GCSCAN};
	hs_options o;
	memset(&o, 0, sizeof o);
	o.barriers_set = 1;
	o.barriers = barriers;
	o.poke = breaker;
	o.poke_arg = &k;
	hs_result r = {0};
	assert_int_equal(hs_run(p, &o, &r), 0);
	*poked = k.done;
	free(p);
	return r;
}

static void expect_on_g2(int what, uint32_t barriers, const char *id)
{
	int poked;
	hs_result r = run_broken(BREAK_NONE, barriers, &poked);
	assert_int_equal(poked, 1); /* the control reached the same point */
	assert_int_equal(r.kind, OUT_OK);
	hs_result_free(&r);
	r = run_broken(what, barriers, &poked);
	assert_int_equal(poked, 1);
	assert_int_equal(r.kind, OUT_VIOLATION);
	assert_string_equal(inv_catalogue[r.inv].id, id);
	assert_non_null(strstr(r.text, "g2 (suspended)"));
	hs_result_free(&r);
}

static void test_stk2_on_suspended(void **s)
{
	(void)s;
	expect_on_g2(BREAK_RETPC, BARRIERS_OFF, "STK2");
}

static void test_def1_on_suspended(void **s)
{
	(void)s;
	expect_on_g2(BREAK_DEFERSP, BARRIERS_OFF, "DEF1");
}

static void test_stk3_on_suspended(void **s)
{
	(void)s;
	expect_on_g2(BREAK_PTRARG, BARRIERS_OFF, "STK3");
}

static void test_def2_on_suspended(void **s)
{
	(void)s;
	expect_on_g2(BREAK_DEFERARG, BARRIERS_OFF, "DEF2");
}

static void test_bar4_on_suspended(void **s)
{
	(void)s;
	expect_on_g2(BREAK_LEFTOVER, BARRIERS_EVERY, "BAR4");
}

static void test_stk1_on_suspended(void **s)
{
	(void)s;
	expect_on_g2(BREAK_SP, BARRIERS_OFF, "STK1");
}

static void test_pan1_on_suspended(void **s)
{
	(void)s;
	expect_on_g2(BREAK_PANIC, BARRIERS_OFF, "PAN1");
}

static void test_bar1_on_suspended(void **s)
{
	(void)s;
	expect_on_g2(BREAK_BARRIER, BARRIERS_EVERY, "BAR1");
}

/* GC1 judges every G's scan, the running G's facts naming each G */
static void test_gc1_on_suspended(void **s)
{
	(void)s;
	expect_on_g2(BREAK_SCANFIRST, BARRIERS_OFF, "GC1");
	expect_on_g2(BREAK_SCANSTALE, BARRIERS_SPACED, "GC1");
	expect_on_g2(BREAK_RESCANCOUNT, BARRIERS_EVERY, "GC1");
}

/* ---- program semantics ---- */

static int outcome_of(const char *text, hs_result *r)
{
	prog *p = parse(text);
	hs_options o;
	memset(&o, 0, sizeof o);
	memset(r, 0, sizeof *r);
	assert_int_equal(hs_run(p, &o, r), 0);
	free(p);
	return r->kind;
}

static void test_semantics(void **s)
{
	(void)s;
	hs_result r;
	/* main returning discards a runnable child (its panic never runs) */
	assert_int_equal(outcome_of("func main()\n  go c()\nend\n"
				    "func c()\n  panic 1\nend\n", &r), OUT_OK);
	hs_result_free(&r);
	/* a child's unrecovered panic ends the program */
	assert_int_equal(outcome_of("func main()\n  go c()\n  wait\nend\n"
				    "func c()\n  panic 1\nend\n", &r), OUT_PANIC);
	assert_string_equal(r.text, "panic: 1");
	hs_result_free(&r);
	/* Goexit in a child ends it alone; main goes on */
	assert_int_equal(outcome_of("func main()\n  go c()\n  wait\nend\n"
				    "func c()\n  goexit\nend\n", &r), OUT_OK);
	hs_result_free(&r);
	/* Goexit in main: the child still runs (its panic), so panic */
	assert_int_equal(outcome_of("func main()\n  go c()\n  goexit\nend\n"
				    "func c()\n  panic 2\nend\n", &r), OUT_PANIC);
	hs_result_free(&r);
	/* ... and when every other G ends: goexit */
	assert_int_equal(outcome_of("func main()\n  go c()\n  goexit\nend\n"
				    "func c()\n  gosched\nend\n", &r), OUT_GOEXIT);
	hs_result_free(&r);
	/* every live G waits */
	assert_int_equal(outcome_of("func main()\n  go c()\n  wait\nend\n"
				    "func c()\n  wait\nend\n", &r), OUT_DEADLOCK);
	hs_result_free(&r);
	/* Goexit in a C thread's callback (an extra M's G, locked since it
	** was made): Go 1.19's goexit0 throws, the program dies there, even
	** with another G runnable; a goroutine's Goexit in a plain callback
	** just ends it (cgocallbackg's lock was undone on the way out) */
	assert_int_equal(outcome_of("func main()\n  go other()\n  cgo c()\n  panic 1\nend\n"
				    "cfunc c()\n  cthread f()\nend\n"
				    "func f()\n  goexit\nend\n"
				    "func other()\nend\n", &r), OUT_FATAL);
	assert_string_equal(r.text, "fatal error: internal lockOSThread error");
	hs_result_free(&r);
	assert_int_equal(outcome_of("func main()\n  go g()\n  wait\nend\n"
				    "func g()\n  cgo c()\nend\n"
				    "cfunc c()\n  callback f()\nend\n"
				    "func f()\n  goexit\nend\n", &r), OUT_OK);
	hs_result_free(&r);
	/* round robin in creation order: g2 runs before g3 after main yields */
	assert_int_equal(outcome_of("func main()\n  go a()\n  go b()\n  gosched\n"
				    "  panic 9\nend\n"
				    "func a()\n  panic 2\nend\n"
				    "func b()\n  panic 3\nend\n", &r), OUT_PANIC);
	assert_string_equal(r.text, "panic: 2");
	hs_result_free(&r);
	/* preempt=N: the running G yields at every Nth program Go prologue
	** (with 2: at f's second; then a runs and panics first) */
	static const char pre[] = "func main()\n  go a()\n  call f()\n  call f()\n"
				  "  panic 9\nend\n"
				  "func f()\nend\n"
				  "func a()\n  panic 2\nend\n";
	assert_int_equal(outcome_of(pre, &r), OUT_PANIC);
	assert_string_equal(r.text, "panic: 9");
	hs_result_free(&r);
	char buf[256];
	snprintf(buf, sizeof buf, "# config: preempt=2\n%s", pre);
	assert_int_equal(outcome_of(buf, &r), OUT_PANIC);
	assert_string_equal(r.text, "panic: 2");
	hs_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stk2_on_suspended),
		cmocka_unit_test(test_def1_on_suspended),
		cmocka_unit_test(test_bar1_on_suspended),
		cmocka_unit_test(test_stk3_on_suspended),
		cmocka_unit_test(test_stk1_on_suspended),
		cmocka_unit_test(test_bar4_on_suspended),
		cmocka_unit_test(test_def2_on_suspended),
		cmocka_unit_test(test_pan1_on_suspended),
		cmocka_unit_test(test_gc1_on_suspended),
		cmocka_unit_test(test_semantics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
