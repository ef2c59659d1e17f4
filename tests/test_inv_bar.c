/*
** test_inv_bar.c: the GC stack barrier checkers (BAR1-BAR5) fire on
** states that break their invariant, and only then.
**
** The runtime is driven as the interpreter drives it (testutil_cgo.h):
** main defers h (which recovers) and calls a -> b -> c; c runs `gc scan`
** and then returns or panics. In every-frame mode (barriers=2) the scan
** puts a barrier on every frame's return slot but the innermost (b, a,
** main); in spaced mode (barriers=1) a 1 KiB frame in a puts the one
** barrier on a. A cgo world (main -> cgo c -> callback gocb, which scans)
** covers cgocallback_gofunc's frame and golang/go#12238. Every step on
** the way must leave inv_check quiet (the control); then one thing is
** broken and inv_check must name exactly that invariant. Where a broken
** state necessarily breaks an earlier invariant too, the test says which
** fires first with every checker on, and isolates the later one with the
** context mask.
**
** End to end: corpus/regressions/bug-12238.prog through hs_run with and
** without its switch.
*/
#include "testutil_cgo.h"

#include "hs.h"
#include "prog.h"

typedef struct fns {
	int main, a, b, c, h;
} fns;

/* main()  defer h(); call a(); gc markterm     (locals 16 bytes)
** a()     call b()                             (16 bytes, or 1 KiB)
** b()     call c()
** c()     gc scan; then return | panic 1
** h()     r = recover() */
static cw *world(uint32_t barriers, fns *f)
{
	cw *w = cw_new(0, barriers, 0);
	f->main = cw_gofn(w, "main", 3, 16, 0);
	f->a = cw_gofn(w, "a", 1, barriers == 1 ? 1024 : 16, 0);
	f->b = cw_gofn(w, "b", 1, 16, 0);
	f->c = cw_gofn(w, "c", 2, 16, 0);
	f->h = cw_gofn(w, "h", 1, 8, 0);
	return w;
}

static int in(cw *w, int fn)
{
	return cw_cur(w) == &w->r.funcs[fn];
}

static rt_addr barpc(cw *w)
{
	return rt_barrier_pc(&w->r);
}

/* Word `field` of barrier entry i. */
static rt_addr entry(cw *w, uint32_t i, int field)
{
	return rt_stkbar_base(&w->r) + 8ull * (RT_STKBAR_WORDS * i + field);
}

/* The return slot of fn's innermost frame (from the checkers' walk). */
static rt_addr slot_of(cw *w, int fn)
{
	assert_clean(w);
	for (uint32_t i = 0; i < w->c.fr.n; i++)
		if (w->c.fr.f[i].fn == &w->r.funcs[fn])
			return w->c.fr.f[i].lrptr;
	fail_msg("no frame of %s", w->r.funcs[fn].name);
	return 0;
}

/* Up to c's first statement, before any scan. */
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
	assert_int_equal(w->r.gcphase, GC_OFF);
}

/* Up to c's `gc scan`, run: the step's events (EV_GCSCAN) are still in
** r->ev, so BAR3 looks. */
static void to_scan(cw *w, const fns *f)
{
	to_c(w, f);
	cw_scan(w);
	assert_true(cw_event(w, EV_GCSCAN) >= 0);
	assert_int_equal(w->r.gcphase, GC_MARK);
}

/* Every-frame mode: the barriers are on b, a and main, in that order. */
static void assert_every_frame(cw *w, const fns *f)
{
	const rt_g *g = &w->r.g;
	int want[3] = {f->b, f->a, f->main};
	assert_int_equal(g->stkbarpos, 0);
	assert_int_equal(g->stkbarlen, 3);
	for (uint32_t i = 0; i < 3; i++) {
		rt_addr s = slot_of(w, want[i]);
		assert_int_equal(cw_ld(w, entry(w, i, SB_LRPTR)), s);
		assert_int_equal(cw_ld(w, s), barpc(w));
	}
	assert_int_equal(cw_ld(w, entry(w, 2, SB_LRVAL)),
			 rt_retpc(&w->r.funcs[RTF_GOEXIT], 0));
}

/* ---- control: a whole run through barriers, every step quiet ---- */

static void test_control_barriers_hit_and_removed(void **state)
{
	(void)state;
	for (uint32_t mode = 1; mode <= 2; mode++) {
		fns f;
		cw *w = world(mode, &f);
		to_scan(w, &f);
		if (mode == 2)
			assert_every_frame(w, &f);
		else
			assert_int_equal(cw_ld(w, entry(w, 0, SB_LRPTR)),
					 slot_of(w, f.a));
		cw_return(w); /* c returns; b and a through their barriers */
		cw_leave(w);
		assert_true(in(w, f.b));
		cw_leave(w);
		if (mode == 2)
			assert_true(cw_event(w, EV_BARRIERHIT) >= 0);
		assert_true(in(w, f.a));
		cw_leave(w);
		assert_true(in(w, f.main));
		assert_int_equal(cw_site(w), 2);
		assert_int_equal(w->r.g.stkbarpos, mode == 2 ? 2 : 1);
		cw_markterm(w); /* removes main's (every-frame mode) */
		assert_int_equal(w->r.gcphase, GC_OFF);
		assert_int_equal(w->r.g.stkbarlen, 0);
		assert_int_equal(w->r.g.stkbarpos, 0);
		cw_leave(w); /* h runs, finds no panic */
		assert_true(in(w, f.h));
		assert_int_equal(cw_recover(w, 0), 0);
		cw_leave(w);
		cw_leave(w);
		assert_int_equal(w->r.status, RT_EXITED);
		cw_free(w);
	}
}

/* ---- BAR1 ---- */

static void test_bar1_lost_barrier(void **state)
{
	(void)state;
	fns f;
	cw *w = world(2, &f);
	to_scan(w, &f);
	assert_every_frame(w, &f);
	assert_clean(w);
	/* the outermost (main's): the walk meets no barrier after it, so
	** it still unwinds (an inner one would be a missed barrier, STK2) */
	rt_addr s = cw_ld(w, entry(w, 2, SB_LRPTR));
	cw_st(w, s, cw_ld(w, entry(w, 2, SB_LRVAL)));
	assert_violation(w, INV_BAR1);
	assert_non_null(strstr(w->v.msg, "live barrier 2"));
	assert_non_null(strstr(w->v.msg, "stack barrier lost"));
	cw_st(w, s, barpc(w));
	assert_clean(w);
	cw_free(w);
}

/* As the harness checks: the change log and the truth's change marks
** are consumed after each check, so the checkers' caches are reused. */
static void done_step(cw *w)
{
	mc_epoch_done(&w->r.mem);
	w->t.lowmod = UINT32_MAX;
}

/* While barriers are live, a data word written in a frame the
** incremental walk reuses has that frame's barrier words counted again
** (inv_frames.barcounted): the walk stays incremental, and a barrier PC
** stored there is counted (BAR1), and no longer once it is gone. */
static void test_bar1_written_word_in_reused_frame(void **state)
{
	(void)state;
	fns f;
	cw *w = world(2, &f);
	to_scan(w, &f);
	assert_every_frame(w, &f);
	rt_addr s = slot_of(w, f.main) - 8; /* a local of main */
	done_step(w);
	assert_clean(w);
	done_step(w);
	uint64_t full = w->c.nfull, incr = w->c.nincr;
	cw_st(w, s, barpc(w));
	assert_violation(w, INV_BAR1);
	assert_int_equal(w->c.nfull, full);
	assert_int_equal(w->c.nincr, incr + 1);
	done_step(w);
	cw_st(w, s, 0);
	assert_clean(w);
	assert_int_equal(w->c.nfull, full);
	assert_int_equal(w->c.nincr, incr + 2);
	cw_free(w);
}

/* A GC scan writes the return-PC slots and barrier entries of frames
** the incremental walk reuses: the walk stays incremental, proving each
** reused slot against the entry the unwinder would take (slots_agree);
** an entry that saved another PC makes it walk in full (which then
** fails where that PC leads), and a reused frame whose slot
** was given another cell identity is still judged by STK1. */
static void test_scan_step_stays_incremental(void **state)
{
	(void)state;
	for (int k = 0; k < 3; k++) {
		fns f;
		cw *w = world(2, &f);
		w->check = 0; /* checked here, after the log is closed */
		to_c(w, &f);
		assert_clean(w);
		done_step(w);
		assert_clean(w);
		done_step(w);
		uint64_t full = w->c.nfull, incr = w->c.nincr;
		rt_addr mslot = slot_of(w, f.main), aslot = slot_of(w, f.a);
		done_step(w);
		full = w->c.nfull;
		incr = w->c.nincr;
		cw_scan(w);
		if (k == 1) /* a's entry (1) saved main's return PC instead */
			cw_st(w, entry(w, 1, SB_LRVAL), cw_ld(w, entry(w, 2, SB_LRVAL)));
		if (k == 2) /* main's slot: another cell (the value stays) */
			mc_cell_new(&w->r.mem, mslot);
		if (k == 0) {
			assert_clean(w);
			assert_int_equal(w->c.nfull, full);
			assert_int_equal(w->c.nincr, incr + 1);
			assert_int_equal(cw_ld(w, aslot), barpc(w));
			assert_every_frame(w, &f);
		} else if (k == 1) {
			/* main's PC taken for a's: a ends the walk short */
			assert_violation(w, INV_STK1);
			assert_non_null(strstr(w->v.msg, "did not unwind completely"));
			assert_int_equal(w->c.nfull, full + 1);
		} else {
			assert_violation(w, INV_STK1);
			assert_non_null(strstr(w->v.msg, "the program is in main"));
			assert_int_equal(w->c.nfull, full);
		}
		cw_free(w);
	}
}

/* The unwinder consumes live entries from pos as it meets barrier PCs,
** so bookkeeping that does not match the barrier words makes the walk
** report a missed barrier (STK2) before BAR1 looks. BAR1 is first where
** the walk meets no barrier it cannot match. */
static void test_bar1_bookkeeping(void **state)
{
	(void)state;
	fns f;
	cw *w = world(2, &f);
	to_c(w, &f); /* no barrier yet */
	rt_g *g = &w->r.g;
	uint32_t cap = rt_max_barriers(&w->r, g->stksize);
	assert_int_equal(cap, 2048 / 2 / 16);
	assert_clean(w);
	g->stkbarpos = 1; /* pos > len */
	assert_violation(w, INV_BAR1);
	assert_non_null(strstr(w->v.msg, "bookkeeping pos=1 len=0"));
	g->stkbarpos = g->stkbarlen = cap + 1; /* len > cap (#11080) */
	assert_violation(w, INV_BAR1);
	assert_non_null(strstr(w->v.msg, "bookkeeping"));
	g->stkbarpos = g->stkbarlen = 0;
	assert_clean(w);

	cw_scan(w);
	assert_every_frame(w, &f);
	g->stkbarlen++; /* an entry never filled in: its slot (0) is below sp */
	assert_violation(w, INV_BAR3); /* in the scan's step, placement first */
	assert_non_null(strstr(w->v.msg, "installed 4 barriers"));
	w->c.mask = 1u << INV_BAR5;
	assert_violation(w, INV_BAR5);
	assert_non_null(strstr(w->v.msg, "live barrier 3"));
	w->c.mask = (1u << INV__COUNT) - 1;
	g->stkbarlen--;
	assert_clean(w);

	/* one more word holding the barrier PC than there are live entries */
	rt_addr l = cw_local(w, 0);
	cw_st(w, l, barpc(w));
	assert_violation(w, INV_BAR1);
	assert_non_null(strstr(w->v.msg, "4 stack words hold the barrier PC"));
	cw_st(w, l, 0);
	assert_clean(w);

	/* one fewer: pos advanced without a hit. The walk meets b's barrier
	** expecting a's: STK2 first */
	g->stkbarpos = 1;
	assert_violation(w, INV_STK2);
	assert_non_null(strstr(w->v.msg, "missed stack barrier"));
	w->c.mask = 1u << INV_BAR1;
	assert_violation(w, INV_BAR1);
	assert_non_null(strstr(w->v.msg, "len - pos = 3 - 1 = 2"));
	g->stkbarpos = 0;
	w->c.mask = (1u << INV__COUNT) - 1;
	assert_clean(w);
	cw_free(w);
}

/* Live entries must ascend. Swapped, the walk meets b's barrier where it
** expects a's: the unwinder reports a missed barrier (STK2) first. */
static void test_bar1_out_of_order(void **state)
{
	(void)state;
	fns f;
	cw *w = world(2, &f);
	to_scan(w, &f);
	rt_word e0[2] = {cw_ld(w, entry(w, 0, 0)), cw_ld(w, entry(w, 0, 1))};
	rt_word e1[2] = {cw_ld(w, entry(w, 1, 0)), cw_ld(w, entry(w, 1, 1))};
	for (int k = 0; k < 2; k++) {
		cw_st(w, entry(w, 0, k), e1[k]);
		cw_st(w, entry(w, 1, k), e0[k]);
	}
	assert_violation(w, INV_STK2);
	assert_non_null(strstr(w->v.msg, "missed stack barrier"));
	w->c.mask = 1u << INV_BAR1;
	assert_violation(w, INV_BAR1);
	assert_non_null(strstr(w->v.msg, "out of order at entry 1"));
	cw_free(w);
}

/* ---- BAR2 ---- */

typedef struct cgofns {
	int main, c, gocb;
} cgofns;

/* main()   cgo c()
** c()      C: callback gocb()
** gocb()   gc scan */
static cw *cgo_world(uint32_t bugs, cgofns *f)
{
	cw *w = cw_new(0, 2, bugs);
	f->main = cw_gofn(w, "main", 1, 8, 0);
	f->c = cw_cfn(w, "c", 1, 0, 0);
	f->gocb = cw_gofn(w, "gocb", 1, 8, 0);
	return w;
}

/* golang/go#12238: the scan inside a callback must skip
** cgocallback_gofunc's frame, whose return slot holds the G's saved
** sched.pc; its return path would move a barrier PC into sched.pc. */
static void test_bar2_bug12238(void **state)
{
	(void)state;
	for (int bug = 0; bug < 2; bug++) {
		cgofns f;
		cw *w = cgo_world(bug ? RT_BUG_12238 : 0, &f);
		cw_start(w, f.main);
		cw_cgo(w, f.c, NULL, 0);
		cw_run(w);
		cw_callback(w, f.gocb, NULL, 0);
		cw_run(w);
		assert_true(in(w, f.gocb));
		const rt_func *cb = &w->r.funcs[RTF_CGOCB_GOFUNC];
		rt_addr cbslot = rt_sp(&w->r) + w->r.funcs[f.gocb].framesize +
				 8 + cb->framesize;
		assert_int_equal(cw_ld(w, cbslot),
				 rt_retpc(&w->r.funcs[RTF_CGOCALL], 0));
		if (!bug) {
			cw_scan(w); /* quiet: cgocall's and main's slots */
			assert_int_equal(w->r.g.stkbarlen, 2);
			assert_int_equal(cw_ld(w, entry(w, 0, SB_LRPTR)), cbslot + 8);
			assert_int_equal(cw_ld(w, cbslot),
					 rt_retpc(&w->r.funcs[RTF_CGOCALL], 0));
			cw_return(w); /* the callback returns, C returns, */
			cw_leave(w); /* cgocall returns through its barrier */
			assert_true(in(w, f.c));
			cw_leave(w);
			assert_true(in(w, f.main));
			assert_int_equal(w->r.g.stkbarpos, 1);
			cw_leave(w);
			assert_int_equal(w->r.status, RT_EXITED);
			cw_free(w);
			continue;
		}
		w->check = 0;
		cw_scan(w);
		assert_int_equal(w->r.g.stkbarlen, 3);
		assert_int_equal(cw_ld(w, entry(w, 0, SB_LRPTR)), cbslot);
		assert_violation(w, INV_BAR2);
		assert_non_null(strstr(w->v.msg, "cgocallback_gofunc's return slot"));
		/* the placement is off the rule as well */
		w->c.mask &= ~(1u << INV_BAR2);
		assert_violation(w, INV_BAR3);
		w->c.mask = (1u << INV__COUNT) - 1;
		/* what it does: the callback's return puts the barrier PC in
		** the G's sched.pc. The G's walk now starts in a frameless
		** trampoline (STK2 first); BAR2 names the leak. */
		cw_return(w);
		cw_epilogue(w);
		cw_step_until(w, EV_CBRETURN);
		assert_int_equal(w->r.g.sched.pc, barpc(w));
		assert_violation(w, INV_STK2);
		w->c.mask = 1u << INV_BAR2;
		assert_violation(w, INV_BAR2);
		assert_non_null(strstr(w->v.msg, "in the G's sched.pc"));
		cw_free(w);
	}
}

/* The G in C, scanned by the GC from its syscall context (one barrier,
** on main's slot: cgocall's frame is the innermost). */
static cw *scanned_in_c(cgofns *f)
{
	cw *w = cgo_world(0, f);
	cw_start(w, f->main);
	cw_cgo(w, f->c, NULL, 0);
	cw_run(w);
	assert_true(in(w, f->c));
	assert_true(w->r.g.syscallsp != 0);
	cw_begin(w);
	rt_gc_scan(&w->r);
	cw_end(w);
	assert_int_equal(w->r.ev[w->r.nev - 1].kind, EV_GCSCAN);
	assert_int_equal(w->r.ev[w->r.nev - 1].b, w->r.g.syscallsp); /* its sp */
	assert_int_equal(w->r.g.stkbarlen, 1);
	return w;
}

static void test_bar2_syscallpc_and_sched_pc(void **state)
{
	(void)state;
	cgofns f;
	cw *w = scanned_in_c(&f);
	rt_g *g = &w->r.g;
	rt_addr pc = g->syscallpc;
	assert_int_equal(g->sched.pc, pc);
	g->syscallpc = barpc(w);
	assert_violation(w, INV_BAR2);
	assert_non_null(strstr(w->v.msg, "in the G's syscallpc"));
	g->syscallpc = pc;
	assert_clean(w);
	/* sched.pc is where the G's walk starts: the unwinder rejects a
	** frameless trampoline first (STK2) */
	g->sched.pc = barpc(w);
	assert_violation(w, INV_STK2);
	w->c.mask = 1u << INV_BAR2;
	assert_violation(w, INV_BAR2);
	assert_non_null(strstr(w->v.msg, "in the G's sched.pc"));
	g->sched.pc = pc;
	assert_clean(w);
	cw_free(w);
}

/* A barrier whose saved return PC is the barrier PC (installed twice):
** the walk substitutes it and finds no return point (STK2 first). */
static void test_bar2_saved_pc_is_barrier(void **state)
{
	(void)state;
	fns f;
	cw *w = world(2, &f);
	to_scan(w, &f);
	rt_addr e = entry(w, 1, SB_LRVAL);
	rt_word saved = cw_ld(w, e);
	cw_st(w, e, barpc(w));
	assert_violation(w, INV_STK2);
	w->c.mask = 1u << INV_BAR2;
	assert_violation(w, INV_BAR2);
	assert_non_null(strstr(w->v.msg, "barrier 1 saved the barrier PC"));
	cw_st(w, e, saved);
	w->c.mask = (1u << INV__COUNT) - 1;
	assert_clean(w);
	cw_free(w);
}

/* ---- the live entries between checks (inv_bar_kept) ----
** After a check that passed with live barriers, the next one skips the
** per-entry loops of BAR1, BAR2, BAR5 and STK3 only while nothing they
** read can have changed. Each way an entry, a slot, a slot's cell or sp
** can change is made here after a reusing check, and must be judged as
** a full check judges it; writes below the lowest slot, and an unwritten
** step, must be reused (nbarkept counts it). */
static void kept_step(cw *w, uint64_t *kept, int reused)
{
	done_step(w);
	assert_clean(w);
	assert_int_equal(w->c.nbarkept, *kept + (uint64_t)reused);
	*kept = w->c.nbarkept;
}

static void test_live_entries_kept(void **state)
{
	(void)state;
	const uint32_t all = (1u << INV__COUNT) - 1;
	for (int k = 0; k < 8; k++) {
		fns f;
		cw *w = world(2, &f);
		to_scan(w, &f);
		assert_every_frame(w, &f);
		/* (slot_of checks too: these come before the counting) */
		rt_addr local = cw_local(w, 0); /* c's: below every slot */
		rt_addr mslot = slot_of(w, f.main), bslot = slot_of(w, f.b);
		assert_clean(w); /* verified, kept */
		uint64_t kept = w->c.nbarkept;
		kept_step(w, &kept, 1); /* nothing written */
		done_step(w);
		cw_st(w, local, 7);
		assert_clean(w);
		assert_int_equal(w->c.nbarkept, ++kept);
		done_step(w);
		switch (k) {
		case 0: /* main's barrier lost: a word at the highest slot */
			cw_st(w, mslot, cw_ld(w, entry(w, 2, SB_LRVAL)));
			assert_violation(w, INV_BAR1);
			assert_non_null(strstr(w->v.msg, "live barrier 2"));
			break;
		case 1: /* the same by a bulk write (the log's region mark) */
			mc_copy(&w->r.mem, mslot, entry(w, 2, SB_LRVAL), 8);
			assert_violation(w, INV_BAR1);
			assert_non_null(strstr(w->v.msg, "live barrier 2"));
			break;
		case 2: /* an entry saved the barrier PC (in the array) */
			cw_st(w, entry(w, 1, SB_LRVAL), barpc(w));
			w->c.mask = 1u << INV_BAR2;
			assert_violation(w, INV_BAR2);
			assert_non_null(strstr(w->v.msg, "barrier 1 saved the barrier PC"));
			break;
		case 3: /* an entry's slot pointer names another cell */
			mc_ptag_set(&w->r.mem, entry(w, 1, SB_LRPTR),
				    mc_cell_new(&w->r.mem, local));
			assert_violation(w, INV_STK3);
			assert_non_null(strstr(w->v.msg, "barrier entry"));
			break;
		case 4: /* sp above the lowest slot (no write at all) */
			w->r.g.sched.sp = bslot + 8;
			w->c.mask = 1u << INV_BAR5;
			assert_violation(w, INV_BAR5);
			assert_non_null(strstr(w->v.msg, "live barrier 0"));
			break;
		case 5: /* pos advanced without a hit: the tail is reused, and
			** BAR1's count still sees b's barrier word */
			w->r.g.stkbarpos = 1;
			w->c.mask = 1u << INV_BAR1;
			assert_violation(w, INV_BAR1);
			assert_non_null(strstr(w->v.msg, "len - pos = 3 - 1 = 2"));
			kept++;
			break;
		case 6: /* two epochs closed: the log no longer covers them */
			done_step(w);
			assert_clean(w);
			assert_int_equal(w->c.nbarkept, kept);
			kept_step(w, &kept, 1);
			break;
		case 7: /* a return through b's barrier advances pos: reused;
			** b called again from the same place; then pos taken
			** back: entry 0 was not live at the last check */
			w->check = 0;
			cw_return(w);
			cw_leave(w);
			assert_true(in(w, f.b));
			assert_clean(w);
			kept = w->c.nbarkept;
			done_step(w);
			cw_leave(w);
			assert_true(in(w, f.a));
			assert_int_equal(w->r.g.stkbarpos, 1);
			assert_clean(w);
			assert_int_equal(w->c.nbarkept, ++kept);
			done_step(w);
			cw_call(w, f.b, NULL, 0);
			cw_run(w);
			assert_true(in(w, f.b));
			assert_clean(w);
			assert_int_equal(w->c.nbarkept, ++kept);
			done_step(w);
			w->r.g.stkbarpos = 0;
			w->c.mask = 1u << INV_BAR1;
			assert_violation(w, INV_BAR1);
			assert_non_null(strstr(w->v.msg, "live barrier 0"));
			break;
		}
		assert_int_equal(w->c.nbarkept, kept);
		w->c.mask = all;
		cw_free(w);
	}
}

/* ---- BAR3 ---- */

/* Re-point barrier i at another return slot, keeping BAR1 true. */
static void move_barrier(cw *w, uint32_t i, rt_addr to)
{
	rt_addr from = cw_ld(w, entry(w, i, SB_LRPTR));
	cw_st(w, from, cw_ld(w, entry(w, i, SB_LRVAL)));
	cw_st(w, entry(w, i, SB_LRPTR), to);
	cw_st(w, entry(w, i, SB_LRVAL), cw_ld(w, to));
	cw_st(w, to, barpc(w));
}

static void test_bar3_spaced_moved(void **state)
{
	(void)state;
	fns f;
	cw *w = world(1, &f);
	to_scan(w, &f);
	/* the first frame past sp + 1024 is a's; main's is not past 2048 */
	assert_int_equal(w->r.g.stkbarlen, 1);
	rt_addr aslot = slot_of(w, f.a), mslot = slot_of(w, f.main);
	assert_int_equal(cw_ld(w, entry(w, 0, SB_LRPTR)), aslot);
	move_barrier(w, 0, mslot);
	assert_violation(w, INV_BAR3);
	assert_non_null(strstr(w->v.msg, "barrier 0 should be on a's return slot"));
	assert_non_null(strstr(w->v.msg, "elsewhere"));
	/* placement is checked in the scan's step only: later it is a
	** sound (if misplaced) barrier */
	rt_begin_step(&w->r);
	assert_clean(w);
	cw_free(w);

	/* one more than the rule gives, on main's slot */
	w = world(1, &f);
	to_scan(w, &f);
	mslot = slot_of(w, f.main);
	cw_st(w, entry(w, 1, SB_LRPTR), mslot);
	cw_st(w, entry(w, 1, SB_LRVAL), cw_ld(w, mslot));
	cw_st(w, mslot, barpc(w));
	w->r.g.stkbarlen = 2;
	assert_violation(w, INV_BAR3);
	assert_non_null(strstr(w->v.msg, "installed 2 barriers, the offset rule "
					 "gives 1"));
	cw_free(w);
}

static void test_bar3_every_frame(void **state)
{
	(void)state;
	fns f;
	cw *w = world(2, &f);
	to_scan(w, &f);
	assert_every_frame(w, &f);
	/* onto the innermost frame's slot: never */
	move_barrier(w, 0, slot_of(w, f.c));
	assert_violation(w, INV_BAR3);
	assert_non_null(strstr(w->v.msg, "barrier 0 should be on b's"));
	cw_free(w);

	/* main's missing */
	w = world(2, &f);
	to_scan(w, &f);
	rt_addr s = cw_ld(w, entry(w, 2, SB_LRPTR));
	cw_st(w, s, cw_ld(w, entry(w, 2, SB_LRVAL)));
	w->r.g.stkbarlen = 2;
	assert_violation(w, INV_BAR3);
	assert_non_null(strstr(w->v.msg, "barrier 2 should be on main's"));
	assert_non_null(strstr(w->v.msg, "missing"));
	cw_free(w);
}

/* ---- BAR4 ---- */

static void test_bar4_outside_mark_phase(void **state)
{
	(void)state;
	fns f;
	cw *w = world(2, &f);
	to_scan(w, &f);
	rt_begin_step(&w->r);
	assert_clean(w);
	w->r.gcphase = GC_OFF; /* mark termination that removed nothing */
	assert_violation(w, INV_BAR4);
	assert_non_null(strstr(w->v.msg, "3 live barrier entries (pos 0, len 3), 3 stack words"));
	w->r.gcphase = GC_MARK;
	assert_clean(w);

	/* the real mark termination, from c: every barrier goes */
	cw_markterm(w);
	assert_int_equal(w->r.gcphase, GC_OFF);
	assert_int_equal(w->r.g.stkbarlen, 0);
	assert_int_equal(cw_ld(w, slot_of(w, f.main)),
			 rt_retpc(&w->r.funcs[RTF_GOEXIT], 0));
	/* a stray barrier PC now: BAR1 counts it first (len - pos = 0) */
	rt_addr l = cw_local(w, 1);
	cw_st(w, l, barpc(w));
	assert_violation(w, INV_BAR1);
	w->c.mask = 1u << INV_BAR4;
	assert_violation(w, INV_BAR4);
	assert_non_null(strstr(w->v.msg, "0 live barrier entries (pos 0, len 0), 1 stack words"));
	cw_free(w);
}

/* Hit entries are not installed barriers: an extra G that dropm parked
** keeps them through a mark termination that does not scan it (Go 1.7's
** scang skips a _Gdead G), and is reused outside the mark phase with
** pos == len. One entry still live (its slot already restored, so no
** word holds the barrier PC) is an installed barrier all the same. */
static void test_bar4_hit_entries_are_not_installed(void **state)
{
	(void)state;
	fns f;
	cw *w = world(2, &f);
	to_scan(w, &f);
	rt_begin_step(&w->r);
	assert_int_equal(w->r.g.stkbarlen, 3);
	w->c.mask = 1u << INV_BAR4;
	w->r.gcphase = GC_OFF;
	/* every frame returned through its barrier: slots hold their PCs */
	for (uint32_t i = 0; i < 3; i++)
		cw_st(w, cw_ld(w, entry(w, i, SB_LRPTR)), cw_ld(w, entry(w, i, SB_LRVAL)));
	w->r.g.stkbarpos = 3;
	assert_clean(w);
	/* the outermost entry live again: len - pos = 1, no barrier word */
	w->r.g.stkbarpos = 2;
	assert_violation(w, INV_BAR4);
	assert_non_null(strstr(w->v.msg, "1 live barrier entries (pos 2, len 3), 0 stack words"));
	/* pos past len counts no live entry (BAR1 names that bookkeeping) */
	w->r.g.stkbarpos = 4;
	assert_clean(w);
	w->r.g.stkbarpos = 3;
	w->r.g.stkbarlen = 4;
	assert_violation(w, INV_BAR4);
	assert_non_null(strstr(w->v.msg, "1 live barrier entries (pos 3, len 4)"));
	cw_free(w);
}

/* ---- BAR5 ---- */

/* c panics after the scan; h (deferred by main) recovers; the recovery
** discards c, b and a, whose barriers (b's and a's) must be marked hit. */
static void recovered(cw *w, const fns *f)
{
	to_scan(w, f);
	assert_every_frame(w, f);
	cw_panic(w, 1);
	cw_run(w);
	assert_true(in(w, f->h));
	assert_int_equal(cw_recover(w, 0), 1);
	cw_epilogue(w); /* h returns into gopanic */
	cw_step_until(w, EV_RECOVERY);
	assert_true(cw_event(w, EV_BARRIERUNWIND) >= 0);
	assert_true(in(w, f->main));
	assert_int_equal(w->r.g.stkbarpos, 2);
	assert_int_equal(w->r.g.stkbarlen, 3);
}

/* A live barrier below sched.sp (a recovery that forgot
** gcUnwindBarriers) is BAR5's: the unwinder and BAR1 leave entries below
** the walk's start to it, so it is the first violation reported. */
static void test_bar5_recovery_unwinds_barriers(void **state)
{
	(void)state;
	fns f;
	cw *w = world(2, &f);
	recovered(w, &f);
	assert_clean(w);
	const uint32_t all = (1u << INV__COUNT) - 1;
	/* a recovery that forgot gcUnwindBarriers: b's and a's barriers stay
	** live below sched.sp (their slots still hold the barrier PC) */
	w->r.g.stkbarpos = 0;
	assert_violation(w, INV_BAR5);
	w->c.mask = 1u << INV_BAR5;
	assert_violation(w, INV_BAR5);
	assert_non_null(strstr(w->v.msg, "live barrier 0"));
	assert_non_null(strstr(w->v.msg, "below sched.sp"));
	w->r.g.stkbarpos = 1; /* a's only */
	assert_violation(w, INV_BAR5);
	assert_non_null(strstr(w->v.msg, "live barrier 1"));

	/* without main's barrier nothing above sp: still BAR5 first */
	rt_addr mslot = cw_ld(w, entry(w, 2, SB_LRPTR));
	rt_word mpc = cw_ld(w, entry(w, 2, SB_LRVAL));
	cw_st(w, mslot, mpc);
	w->r.g.stkbarpos = 0;
	w->r.g.stkbarlen = 2;
	w->c.mask = all;
	assert_violation(w, INV_BAR5);
	w->c.mask = 1u << INV_BAR5;
	assert_violation(w, INV_BAR5);
	cw_st(w, mslot, barpc(w));
	w->r.g.stkbarlen = 3;

	w->r.g.stkbarpos = 2;
	w->c.mask = all;
	assert_clean(w);
	/* and the run ends through main's barrier */
	cw_leave(w);
	assert_int_equal(w->r.status, RT_EXITED);
	cw_free(w);
}

/* The other way to get a live barrier below sp: sp itself moved up past
** b's slot. The walk from c's pc at that sp no longer finds the
** program's frames (STK1 first); BAR5 under the mask. */
static void test_bar5_sp_above_barrier(void **state)
{
	(void)state;
	fns f;
	cw *w = world(2, &f);
	to_scan(w, &f);
	rt_addr bslot = slot_of(w, f.b);
	w->r.g.sched.sp = bslot + 8;
	assert_violation(w, INV_STK1);
	w->c.mask = 1u << INV_BAR5;
	assert_violation(w, INV_BAR5);
	assert_non_null(strstr(w->v.msg, "live barrier 0"));
	cw_free(w);
}

/* ---- end to end ---- */

static void test_e2e_bug12238_prog(void **state)
{
	(void)state;
	char path[1024];
	snprintf(path, sizeof path, "%s/corpus/regressions/bug-12238.prog",
		 src_root());
	prog *p = calloc(1, sizeof *p);
	assert_non_null(p);
	char err[512];
	int rc = prog_parse_file(path, p, err, sizeof err);
	if (rc)
		print_error("%s (set STACKFUZZ_SRC)\n", err);
	assert_int_equal(rc, 0);
	assert_int_equal(p->cfg.bugs, BUG_12238);
	assert_int_equal(p->cfg.barriers, BARRIERS_SPACED);
	hs_result *r = calloc(1, sizeof *r);
	assert_non_null(r);
	hs_options o;
	memset(&o, 0, sizeof o);
	assert_int_equal(hs_run(p, &o, r), 0);
	char got[256];
	hs_outcome_str(r, got, sizeof got);
	assert_string_equal(got, "violation BAR2");
	assert_non_null(strstr(r->text, "cgocallback_gofunc"));
	assert_true(hs_expect_met(p, r, err, sizeof err));
	o.bugs_set = 1;
	o.bugs = 0;
	assert_int_equal(hs_run(p, &o, r), 0);
	hs_outcome_str(r, got, sizeof got);
	if (strcmp(got, "ok"))
		print_error("%s\n", r->text);
	assert_string_equal(got, "ok");
	/* every-frame mode: the same bug, the same report */
	p->cfg.barriers = BARRIERS_EVERY;
	o.bugs_set = 0;
	assert_int_equal(hs_run(p, &o, r), 0);
	hs_outcome_str(r, got, sizeof got);
	assert_string_equal(got, "violation BAR2");
	o.bugs_set = 1;
	assert_int_equal(hs_run(p, &o, r), 0);
	hs_outcome_str(r, got, sizeof got);
	assert_string_equal(got, "ok");
	hs_result_free(r);
	free(r);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control_barriers_hit_and_removed),
		cmocka_unit_test(test_bar1_lost_barrier),
		cmocka_unit_test(test_bar1_written_word_in_reused_frame),
		cmocka_unit_test(test_bar1_bookkeeping),
		cmocka_unit_test(test_bar1_out_of_order),
		cmocka_unit_test(test_bar2_bug12238),
		cmocka_unit_test(test_bar2_syscallpc_and_sched_pc),
		cmocka_unit_test(test_bar2_saved_pc_is_barrier),
		cmocka_unit_test(test_live_entries_kept),
		cmocka_unit_test(test_bar3_spaced_moved),
		cmocka_unit_test(test_bar3_every_frame),
		cmocka_unit_test(test_scan_step_stays_incremental),
		cmocka_unit_test(test_bar4_outside_mark_phase),
		cmocka_unit_test(test_bar4_hit_entries_are_not_installed),
		cmocka_unit_test(test_bar5_recovery_unwinds_barriers),
		cmocka_unit_test(test_bar5_sp_above_barrier),
		cmocka_unit_test(test_e2e_bug12238_prog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
