/*
** rt_stkbar.c: GC stack barriers (Go 1.5-1.7's mstkbar.go, mgcmark.go).
**
** What it models: during the scan phase the GC scans a G's stack and
** overwrites the return-PC slots of exponentially spaced frames with the
** address of the stackBarrier trampoline, saving {slot, original PC} in
** the G's barrier array (carved above the stack, after the Stktop). A
** frame returning through a barrier lands in the trampoline, which takes
** the saved PC and advances stkbarPos. At mark termination only the part
** of the stack below the lowest unhit barrier needs rescanning; then
** every barrier is removed, each removal checking that its slot still
** holds the barrier PC ("stack barrier lost" otherwise).
**
** Book-keeping: [0, pos) hit, [pos, len) live, len <= cap =
** gcMaxStackBarriers(stack size). Live entries ascend in address. A copy
** adjusts the live entries' slots (adjuststkbar); hit entries keep their
** stale old addresses, as Go's did. A recovery marks every live barrier
** below the new SP as hit (gcUnwindBarriers): those frames are gone.
**
** Placement: from sp (syscallsp if the G is in C), the first barrier goes
** on the first frame whose fp exceeds sp + firstStackBarrierOffset, then
** at sp + 2*offset, 4*offset... The innermost frame is skipped (on LR
** machines its LR is not on the stack), and so is cgocallback_gofunc's
** frame: its "return PC" slot holds the saved sched.pc and its return
** path moves it into g.sched.pc (seed 000). The offset doubles only when
** a barrier was installed (the fix of golang/go#12238).
**
** What a scan visited is reported (g->scan: frames, program frames,
** the first frame's sp and the last one's return slot), for GC1: as in
** Go's scanstack the frame is scanned before the barrier rule is
** applied, so a rescan includes the frame whose return slot holds the
** lowest unhit barrier and stops after it.
**
** Gotchas: barriers only on a contiguous stack (a documented model
** decision: Go never had both segments and barriers); with bug 12238 the
** cgocallback_gofunc frame is not skipped and the offset always doubles.
*/
#include <string.h>

#include "rt.h"

#define ld(r, a) rt_ld(&(r)->mem, (a))

#define st(r, a, v) rt_st(&(r)->mem, (a), (v))

uint32_t rt_first_barrier_offset(const rt *r)
{
	return r->cfg.barriers == 2 ? 0 : 1024;
}

uint32_t rt_max_barriers(const rt *r, uint32_t stacksize)
{
	if (rt_first_barrier_offset(r) == 0)
		return stacksize / 2 / (8 * RT_STKBAR_WORDS);
	uint32_t n = 0;
	for (uint64_t off = 1024; off < stacksize; off *= 2)
		n++;
	return n + 1;
}

rt_addr rt_stkbar_base(const rt *r)
{
	return r->g.hi + 8 * RT_STKTOP_WORDS;
}

rt_addr rt_barrier_pc(const rt *r)
{
	return r->funcs[RTF_STACKBARRIER].entry;
}

static rt_addr entry(const rt *r, uint32_t i)
{
	return rt_stkbar_base(r) + 8ull * RT_STKBAR_WORDS * i;
}

/* ---- install (scanstack during the scan phase) ---- */

typedef struct scanstate {
	rt *r; /* writable: the walk hands scanframe a read-only one */
	rt_addr sp, next;
	uint64_t offset;
	uint32_t n, installed;
	int marktermstop; /* mark termination: stop past this slot */
	rt_addr stopat;
} scanstate;

static int install(rt *r, const rt_frame *fr)
{
	rt_g *g = &r->g;
	if (fr->lr == 0)
		return 0; /* no return-PC slot */
	if (fr->fn == &r->funcs[RTF_CGOCB_GOFUNC] && !(r->cfg.bugs & RT_BUG_12238))
		return 0; /* its return path puts the LR in g.sched.pc */
	if (g->stkbarlen >= rt_max_barriers(r, g->stksize))
		return 0; /* no room (Go overran the slice: #11080) */
	rt_addr e = entry(r, g->stkbarlen);
	st(r, e + 8 * SB_LRPTR, fr->lrptr);
	st(r, e + 8 * SB_LRVAL, fr->lr);
	st(r, fr->lrptr, rt_barrier_pc(r));
	g->stkbarlen++;
	rt_event_add(r, EV_BARRIER, (int64_t)fr->lrptr, 0);
	return 1;
}

/* Scanning a frame: the model's GC has no heap, so the walk is the work,
** and what it visited is reported (g->scan, for GC1). As Go's
** scanframe, the frame is scanned first and the barrier rule applied
** after: at mark termination the frame whose return slot holds the
** lowest unhit barrier is rescanned, and the walk stops there. */
static void visit(rt *r, const rt_frame *fr)
{
	rt_scanrep *rep = &r->g.scan;
	if (rep->nframes++ == 0)
		rep->first_sp = fr->sp;
	rep->last_lrptr = fr->lrptr;
	if (fr->fn->user >= 0 && fr->fn->kind == RF_GO)
		rep->nprog++;
}

static int scanframe(const rt *cr, const rt_frame *fr, void *arg)
{
	(void)cr;
	scanstate *s = arg;
	rt *r = s->r;
	visit(r, fr);
	if (fr->fp > s->next) {
		if (s->marktermstop) {
			return 0; /* this frame never returned: stop rescanning */
		} else if (s->n != 0) {
			int ok = install(r, fr);
			if (ok)
				s->installed++;
			if (ok || (r->cfg.bugs & RT_BUG_12238)) {
				s->offset *= 2;
				s->next = s->sp + s->offset;
			}
		}
	}
	s->n++;
	return 1;
}

static void gc_traceback_fail(rt *r, rt_tbresult t, const char *why)
{
	rt_throw_tb(r, t, "scanstack", why);
}

void rt_remove_barriers(rt *r)
{
	rt_g *g = &r->g;
	uint32_t n = 0;
	for (uint32_t i = g->stkbarpos; i < g->stkbarlen; i++) {
		rt_addr e = entry(r, i);
		rt_addr slot = ld(r, e + 8 * SB_LRPTR);
		if (ld(r, slot) != rt_barrier_pc(r)) {
			rt_throw(r, TH_STKBAR_LOST, "stack barrier lost");
			return;
		}
		st(r, slot, ld(r, e + 8 * SB_LRVAL));
		n++;
	}
	g->stkbarpos = g->stkbarlen = 0;
	rt_event_add(r, EV_MARKTERM, n, 0);
}

void rt_gc_scan(rt *r)
{
	rt_g *g = &r->g;
	if (g->dead)
		return;
	/* 1.7: a second scan in the same cycle removes the old barriers */
	if (g->stkbarlen)
		rt_remove_barriers(r);
	if (r->status != RT_RUNNING)
		return;
	r->gcphase = GC_MARK;
	rt_addr sp = g->syscallsp ? g->syscallsp : g->sched.sp;
	rt_addr pc = g->syscallsp ? g->syscallpc : g->sched.pc;
	memset(&g->scan, 0, sizeof g->scan);
	g->scan.kind = RT_SCAN_MARK;
	g->scan.stepno = r->stepno;
	scanstate s = {.r = r, .sp = sp, .offset = rt_first_barrier_offset(r)};
	s.next = sp + s.offset;
	if (r->cfg.barriers == 0 || g->nsegs != 1)
		s.next = ~(rt_addr)0; /* gcstackbarrieroff, or a segmented stack */
	char why[160];
	rt_tbresult t = rt_traceback(r, pc, sp, 0, scanframe, &s, why, sizeof why);
	if (t != TB_OK) {
		gc_traceback_fail(r, t, why);
		return;
	}
	rt_event_add(r, EV_GCSCAN, s.installed, (int64_t)sp);
}

void rt_gc_markterm(rt *r)
{
	rt_g *g = &r->g;
	memset(&g->scan, 0, sizeof g->scan);
	g->scan.kind = RT_SCAN_MARKTERM; /* nothing visited outside the mark phase */
	g->scan.stepno = r->stepno;
	if (g->dead || r->gcphase != GC_MARK) {
		r->gcphase = GC_OFF;
		return;
	}
	rt_addr sp = g->syscallsp ? g->syscallsp : g->sched.sp;
	rt_addr pc = g->syscallsp ? g->syscallpc : g->sched.pc;
	scanstate s = {.r = r, .sp = sp, .next = ~(rt_addr)0, .marktermstop = 1};
	if (g->stkbarpos < g->stkbarlen) /* rescan only below the lowest unhit */
		s.next = ld(r, entry(r, g->stkbarpos) + 8 * SB_LRPTR);
	char why[160];
	rt_tbresult t = rt_traceback(r, pc, sp, 0, scanframe, &s, why, sizeof why);
	if (t != TB_OK) {
		gc_traceback_fail(r, t, why);
		return;
	}
	rt_remove_barriers(r);
	r->gcphase = GC_OFF;
}

/* ---- the trampoline and unwinding ---- */

rt_addr rt_barrier_hit(rt *r, rt_addr lrptr)
{
	rt_g *g = &r->g;
	if (g->stkbarpos >= g->stkbarlen) {
		rt_throw(r, TH_STKBAR_NONE, "stackBarrier: no live stack barrier");
		return 0;
	}
	rt_addr e = entry(r, g->stkbarpos);
	if (lrptr && ld(r, e + 8 * SB_LRPTR) != lrptr) {
		rt_throw(r, TH_STKBAR_MISSED, "missed stack barrier");
		return 0;
	}
	rt_addr pc = ld(r, e + 8 * SB_LRVAL);
	g->stkbarpos++;
	rt_event_add(r, EV_BARRIERHIT, (int64_t)lrptr, (int64_t)pc);
	return pc;
}

rt_addr rt_barrier_saved_lr(const rt *r, rt_addr slot)
{
	for (uint32_t i = r->g.stkbarpos; i < r->g.stkbarlen; i++) {
		rt_word p, v;
		if (mc_peek(&r->mem, entry(r, i) + 8 * SB_LRPTR, &p) ||
		    mc_peek(&r->mem, entry(r, i) + 8 * SB_LRVAL, &v))
			return 0;
		if (p == slot)
			return v;
	}
	return 0;
}

void rt_unwind_barriers(rt *r, rt_addr sp)
{
	rt_g *g = &r->g;
	uint32_t before = g->stkbarpos;
	while (g->stkbarpos < g->stkbarlen &&
	       ld(r, entry(r, g->stkbarpos) + 8 * SB_LRPTR) < sp)
		g->stkbarpos++;
	if (g->stkbarpos != before)
		rt_event_add(r, EV_BARRIERUNWIND, g->stkbarpos - before, 0);
}
