/*
** test_inv_cgo3.c: CGO3 (syscallsp/syscallpc name the true cgo call) and
** the truth tags of stack pointers the runtime writes itself (STK3,
** DEF1), each broken the way a runtime mistake would break it.
**
** The world (testutil_cgo.h): main cgo-calls c; c calls back gocb; gocb
** either grows (a 4 KiB frame in big: the stack is copied during the
** callback) or cgo-calls c2, which calls back gocb2 (two callbacks, two
** saved syscallsp copies). The truth names cgocall's sp word of each cgo
** call by an identity cell when its frame is entered, and each
** cgocallback_gofunc frame's saved-syscallsp word by another, tagged as
** pointing at the first: CGO3 compares g.syscallsp/pc and the saved
** copies with them, STK3 sees the saved copy go stale.
*/
#include "testutil_cgo.h"

typedef struct fns {
	int main, c, gocb, big, c2, gocb2;
} fns;

/* main()   cgo c()
** c()      C: callback gocb()
** gocb()   call big() | cgo c2()
** big()    a 4 KiB frame
** c2()     C: callback gocb2()
** gocb2()  (nothing) */
static cw *world(fns *f)
{
	cw *w = cw_new(0, 0, 0);
	f->main = cw_gofn(w, "main", 1, 8, 0);
	f->c = cw_cfn(w, "c", 1, 0, 0);
	f->gocb = cw_gofn(w, "gocb", 2, 8, 0);
	f->big = cw_gofn(w, "big", 1, 4096, 0);
	f->c2 = cw_cfn(w, "c2", 1, 0, 0);
	f->gocb2 = cw_gofn(w, "gocb2", 1, 8, 0);
	return w;
}

static int in(cw *w, int fn)
{
	return cw_cur(w) == &w->r.funcs[fn];
}

static rt_addr wantpc(cw *w)
{
	return rt_retpc(&w->r.funcs[RTF_CGOCALL], 0);
}

static void to_c(cw *w, const fns *f)
{
	cw_start(w, f->main);
	cw_cgo(w, f->c, NULL, 0);
	cw_run(w);
	assert_true(in(w, f->c));
}

static void to_gocb(cw *w, const fns *f)
{
	to_c(w, f);
	cw_callback(w, f->gocb, NULL, 0);
	cw_run(w);
	assert_true(in(w, f->gocb));
}

/* The word holding callback i's saved syscallsp, by its identity. */
static rt_addr saved_slot(cw *w, uint32_t i)
{
	assert_true(i < w->t.ncb && w->t.cb[i].slotcell);
	rt_addr a = mc_cell_addr(&w->r.mem, w->t.cb[i].slotcell);
	assert_true(a != 0);
	return a;
}

static void expect(cw *w, int id, const char *part)
{
	assert_violation(w, id);
	if (!strstr(w->v.msg, part))
		print_error("message: %s\n", w->v.msg);
	assert_non_null(strstr(w->v.msg, part));
}

/* ---- the G in C ---- */

static void test_in_c(void **state)
{
	(void)state;
	fns f;
	cw *w = world(&f);
	to_c(w, &f);
	assert_clean(w); /* the control */
	assert_true(w->c.reached & (1u << INV_CGO3));
	rt_g *g = &w->r.g;
	rt_addr sp = g->syscallsp, pc = g->syscallpc;
	assert_int_equal(sp, inv_truth_syscallsp(&w->t, &w->r, 0));
	assert_int_equal(pc, wantpc(w));
	g->syscallsp = sp + 8; /* one word off */
	expect(w, INV_CGO3, "in C: syscallsp");
	g->syscallsp = sp;
	g->syscallpc = rt_retpc(cw_cur(w), 0); /* a return point, not cgocall's */
	expect(w, INV_CGO3, "in C: syscallsp");
	g->syscallpc = pc;
	g->syscallsp = g->syscallpc = 0; /* in C, but the G says it is not */
	expect(w, INV_CGO3, "in C: syscallsp");
	g->syscallsp = sp;
	g->syscallpc = pc;
	assert_clean(w);
	/* the G's saved context (a register, no truth tag): one word off,
	** the walk from it fails first; CGO3 names it */
	assert_int_equal(g->sched.sp, sp);
	g->sched.sp = sp + 8;
	assert_true(inv_check(&w->c, &w->v));
	w->c.mask = 1u << INV_CGO3;
	expect(w, INV_CGO3, "the G's saved sched.sp");
	g->sched.sp = sp;
	g->sched.pc = rt_retpc(&w->r.funcs[RTF_CGOCALL], 1);
	expect(w, INV_CGO3, "the G's saved sched.sp");
	g->sched.pc = pc;
	w->c.mask = (1u << INV__COUNT) - 1;
	assert_clean(w);
	/* and after the call returns, nothing is set */
	cw_return(w);
	cw_leave(w);
	assert_true(in(w, f.main));
	assert_int_equal(g->syscallsp, 0);
	g->syscallsp = sp; /* left behind */
	g->syscallpc = pc;
	expect(w, INV_CGO3, "made no cgo call");
	cw_free(w);
}

/* While the cgo call is under way but C is not running (before asmcgocall
** switches), a set syscallsp must still be this call's. */
static void test_syscallsp_outside_c(void **state)
{
	(void)state;
	fns f;
	cw *w = world(&f);
	cw_start(w, f.main);
	cw_cgo(w, f.c, NULL, 0);
	cw_step(w); /* cgocall's prologue: its frame, the truth's cell */
	assert_int_equal(w->r.g.syscallsp, 0);
	assert_true(w->t.cgo[0].spcell != 0);
	w->r.g.syscallsp = rt_sp(&w->r) + 16;
	w->r.g.syscallpc = wantpc(w);
	expect(w, INV_CGO3, "in a cgo call: syscallsp");
	cw_free(w);
}

/* ---- inside callbacks: the saved copies ---- */

static void test_callback_saved_copy(void **state)
{
	(void)state;
	fns f;
	cw *w = world(&f);
	to_gocb(w, &f);
	assert_int_equal(w->r.g.syscallsp, 0); /* exitsyscall */
	rt_addr s = saved_slot(w, 0);
	rt_word sp = cw_ld(w, s), pc = cw_ld(w, s + 8);
	assert_int_equal(sp, inv_truth_syscallsp(&w->t, &w->r, 0));
	assert_int_equal(pc, wantpc(w));
	assert_true(mc_ptag_at(&w->r.mem, s) == w->t.cgo[0].spcell);
	/* a wrong saved sp: the word's truth tag says where it must point
	** (STK3 first); CGO3 names it too */
	assert_int_equal(mc_store_adjust(&w->r.mem, s, sp + 8), 0);
	expect(w, INV_STK3, "frame cgocallback_gofunc: word");
	w->c.mask = 1u << INV_CGO3;
	expect(w, INV_CGO3, "callback 1: cgocallback_gofunc saved syscallsp");
	w->c.mask = (1u << INV__COUNT) - 1;
	assert_int_equal(mc_store_adjust(&w->r.mem, s, sp), 0);
	assert_clean(w);
	/* a wrong saved pc: CGO3 alone (not a pointer) */
	cw_st(w, s + 8, pc + 16);
	expect(w, INV_CGO3, "syscallpc");
	cw_st(w, s + 8, pc);
	assert_clean(w);
	/* the callback returns: syscallsp comes back from the copy */
	cw_return(w);
	cw_leave(w);
	assert_true(in(w, f.c));
	assert_int_equal(w->r.g.syscallsp, sp);
	assert_clean(w);
	cw_free(w);
}

/* The stack is copied during the callback: the saved syscallsp moves
** with cgocallback_gofunc's locals map (control); a runtime whose map
** misses it leaves it aimed at the freed stack, and STK3 names the
** word at the copy's step, not later when the callback returns. */
static void test_callback_copy(void **state)
{
	(void)state;
	for (int broken = 0; broken < 2; broken++) {
		fns f;
		cw *w = world(&f);
		to_gocb(w, &f);
		if (broken)
			w->r.funcs[RTF_CGOCB_GOFUNC].localmap = 0;
		uint64_t copies = w->r.ncopies;
		cw_call(w, f.big, NULL, 0);
		if (!broken) {
			cw_run(w); /* every step quiet */
			assert_true(w->r.ncopies > copies);
			assert_true(in(w, f.big));
			assert_int_equal(cw_ld(w, saved_slot(w, 0)),
					 inv_truth_syscallsp(&w->t, &w->r, 0));
			cw_free(w);
			continue;
		}
		cw_step_until(w, EV_COPY);
		expect(w, INV_STK3, "frame cgocallback_gofunc: word");
		assert_non_null(strstr(w->v.msg, "(dead)"));
		w->c.mask = 1u << INV_CGO3;
		expect(w, INV_CGO3, "callback 1");
		cw_free(w);
	}
}

/* Two callbacks: the inner frame's copy is the inner cgo call's, and
** syscallsp in the inner C is the inner call's, not the outer's. */
static void test_nested(void **state)
{
	(void)state;
	fns f;
	cw *w = world(&f);
	to_gocb(w, &f);
	cw_next(w, 0); /* gocb's second statement: cgo c2 */
	cw_cgo(w, f.c2, NULL, 0);
	cw_run(w);
	assert_true(in(w, f.c2));
	rt_addr outer = inv_truth_syscallsp(&w->t, &w->r, 0);
	rt_addr inner = inv_truth_syscallsp(&w->t, &w->r, 1);
	assert_true(outer != inner && inner != 0);
	assert_int_equal(w->r.g.syscallsp, inner);
	w->r.g.syscallsp = outer;
	expect(w, INV_CGO3, "in C");
	w->r.g.syscallsp = inner;
	cw_callback(w, f.gocb2, NULL, 0);
	cw_run(w);
	assert_true(in(w, f.gocb2));
	assert_int_equal(cw_ld(w, saved_slot(w, 0)), outer);
	assert_int_equal(cw_ld(w, saved_slot(w, 1)), inner);
	assert_int_equal(mc_store_adjust(&w->r.mem, saved_slot(w, 1), outer), 0);
	w->c.mask = 1u << INV_CGO3;
	expect(w, INV_CGO3, "callback 2");
	w->c.mask = (1u << INV__COUNT) - 1;
	expect(w, INV_STK3, "cgocallback_gofunc");
	cw_free(w);
}

/* ---- the callbacks between checks (cgo3_kept) ----
** After a passing check, a callback whose cells and words are provably
** unchanged is not read again (ncbkept counts it); each way one can
** change after such a check must be judged as a full check judges it.
** Two callbacks, gocb (outer, callback 1) and gocb2 (inner). */
static void done_step(cw *w)
{
	mc_epoch_done(&w->r.mem);
	inv_truth_step_done(&w->t);
}

static void test_callbacks_kept(void **state)
{
	(void)state;
	for (int k = 0; k < 8; k++) {
		fns f;
		cw *w = world(&f);
		to_gocb(w, &f);
		cw_next(w, 0);
		cw_cgo(w, f.c2, NULL, 0);
		cw_run(w);
		cw_callback(w, f.gocb2, NULL, 0);
		cw_run(w);
		assert_true(in(w, f.gocb2));
		rt_addr s0 = saved_slot(w, 0), s1 = saved_slot(w, 1);
		rt_word sp0 = cw_ld(w, s0);
		done_step(w);
		assert_clean(w);
		done_step(w);
		uint64_t kept = w->c.ncbkept;
		assert_clean(w); /* nothing written: both reused */
		assert_int_equal(w->c.ncbkept, kept + 2);
		done_step(w);
		kept = w->c.ncbkept;
		w->c.mask = 1u << INV_CGO3;
		switch (k) {
		case 0: /* the outer saved syscallsp, a word; and the same state
			** checked again after the epoch closed: still named */
			cw_st(w, s0, sp0 + 8);
			expect(w, INV_CGO3, "callback 1");
			done_step(w);
			expect(w, INV_CGO3, "callback 1");
			break;
		case 1: /* the outer saved syscallpc, by a bulk write */
			mc_copy(&w->r.mem, s0 + 8, s1, 8);
			expect(w, INV_CGO3, "callback 1");
			break;
		case 2: /* the inner one's word (the outer stays reused) */
			cw_st(w, s1 + 8, 0);
			expect(w, INV_CGO3, "callback 2");
			assert_int_equal(w->c.ncbkept, kept + 1);
			break;
		case 3: /* the outer slot given a new cell: its identity is gone */
			mc_cell_new(&w->r.mem, s0);
			expect(w, INV_CGO3, "callback 1: the syscallsp saved");
			break;
		case 4: /* two epochs closed: nothing reused, still clean */
			done_step(w);
			assert_clean(w);
			assert_int_equal(w->c.ncbkept, kept);
			break;
		case 5: /* a write below both saved copies: both reused */
			cw_st(w, cw_local(w, 0), 7);
			assert_clean(w);
			assert_int_equal(w->c.ncbkept, kept + 2);
			break;
		case 6: /* the truth's inner callback entry ended and began
			** again (no write): only the outer one is reused */
			inv_truth_callback_end(&w->t, &w->r, 1);
			inv_truth_callback(&w->t, &w->r);
			assert_clean(w);
			assert_int_equal(w->c.ncbkept, kept + 1);
			break;
		case 7: /* the same for the inner cgo call's entry */
			inv_truth_cgo_return(&w->t, &w->r);
			inv_truth_cgo_call(&w->t, &w->r);
			assert_clean(w);
			assert_int_equal(w->c.ncbkept, kept + 1);
			break;
		}
		cw_free(w);
	}
}

/* The truth's marks of what changed in its cgo and callback entries
** since the last check (cgomod, cbmod): each change sets the mark to
** the index it touched, in its own step; step_done clears them. */
static void test_truth_marks(void **state)
{
	(void)state;
	fns f;
	cw *w = world(&f);
	to_gocb(w, &f); /* cgo[0], cb[0] */
	w->check = 0;
	cw_next(w, 0);
	done_step(w);
	assert_int_equal(w->t.cgomod, UINT32_MAX);
	assert_int_equal(w->t.cbmod, UINT32_MAX);
	cw_cgo(w, f.c2, NULL, 0); /* a push: cgo[1] */
	assert_int_equal(w->t.cgomod, 1);
	done_step(w);
	while (!w->t.cgo[1].spcell) { /* its frame entered: a new cell */
		assert_int_equal(w->t.cgomod, UINT32_MAX);
		assert_true(cw_step(w));
	}
	assert_int_equal(w->t.cgomod, 1);
	cw_run(w);
	done_step(w);
	cw_callback(w, f.gocb2, NULL, 0); /* a push: cb[1] */
	assert_int_equal(w->t.cbmod, 1);
	assert_int_equal(w->t.cgomod, UINT32_MAX);
	done_step(w);
	while (!w->t.cb[1].slotcell) { /* its frame built: a new cell */
		assert_int_equal(w->t.cbmod, UINT32_MAX);
		assert_true(cw_step(w));
	}
	assert_int_equal(w->t.cbmod, 1);
	cw_run(w);
	done_step(w);
	inv_truth_callback_end(&w->t, &w->r, 1); /* a pop: cb[1] */
	assert_int_equal(w->t.cbmod, 1);
	done_step(w);
	inv_truth_cgo_return(&w->t, &w->r); /* a pop: cgo[1] */
	assert_int_equal(w->t.cgomod, 1);
	assert_int_equal(w->t.cbmod, UINT32_MAX);
	cw_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_c),
		cmocka_unit_test(test_syscallsp_outside_c),
		cmocka_unit_test(test_callback_saved_copy),
		cmocka_unit_test(test_callback_copy),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_callbacks_kept),
		cmocka_unit_test(test_truth_marks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
