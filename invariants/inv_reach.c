/*
** inv_reach.c: when a checker judged non-trivial state ("reached", as
** Magma counts a bug's trigger condition apart from its detection).
**
** A checker that runs on an empty defer chain or a stack without
** barriers passes trivially; a corpus or a fuzz campaign that only ever
** does that exercises nothing. One meaningful condition per ID, each the
** state the checker's hardest comparison needs (README catalogue):
**   MEM1 a stack region was released (a copy, shrink or segment)
**   STK1 the walk crossed segments or followed a copy this step
**   STK2 a special return point was in play (lessstack, a live barrier,
**        a callback frame's saved pc)
**   STK3 a tagged word was compared (inv_ptrword, inv_stack.c)
**   DEF1 defer records while a panic runs deferred calls
**   DEF2 a pending defer's argument that truly points into a stack
**        (inv_ptrword)
**   DEF3 a copy with a non-empty defer chain
**   DEF4 a `check` fact
**   PAN1 a recover() while a panic is live
**   CGO1 a callback ended (its g0/sched.pc fact)
**   CGO2 a cgo call ended while the user held a lock or a panic ran
**   SEH1 (windows) a record other than Go's own in the chain
**   SEH2 (windows) inside a callback
**   SEH3 a simulated fault this step
**   BAR1 live barriers
**   BAR2 a return through a barrier this step
**   BAR3 barriers installed this step
**   BAR4 mark termination removed barriers this step
**   BAR5 a recovery with barriers installed
**   GC1  a mark-termination rescan judged (inv_gc.c)
**   CGO3 the G in C, or a saved syscallsp copy compared (inv_cgo.c)
** Conditions set inside a checker are marked there; the rest are read
** here after the checkers ran. Only checkers that ran count: the mask,
** and none past the first violation (inv_check stops there).
*/
#include "inv.h"

static int has_fact(const inv_truth *t, int kind)
{
	for (uint32_t i = 0; t && i < t->nfacts; i++)
		if (t->facts[i].kind == kind)
			return 1;
	return 0;
}

void inv_reach(inv_ctx *c, int upto)
{
	const rt *r = c->r;
	const rt_g *g = &r->g;
	const inv_truth *t = c->t;
	uint32_t b = 0;
	int live = g->stkbarpos < g->stkbarlen;
	uint32_t ncb = t ? t->ncb : 0;
	/* the step's event kinds, one pass (a mark termination counts only
	** if it removed a barrier) */
	uint64_t ev = 0;
	for (uint32_t i = 0; i < r->nev; i++)
		if (r->ev[i].kind < 64 && (r->ev[i].kind != EV_MARKTERM || r->ev[i].a >= 1))
			ev |= 1ull << r->ev[i].kind;
#define EV(kind) ((ev >> (kind)) & 1)
	int copied = EV(EV_COPY) || EV(EV_SHRINK); /* inv_step_copied */
#define REACH(id, cond) \
	if (cond)       \
		b |= 1u << (id)
	REACH(INV_MEM1, r->ncopies || r->nshrinks || r->nsegments);
	REACH(INV_STK1, c->fr.tb == TB_OK && !g->dead && (g->nsegs > 1 || copied));
	REACH(INV_STK2, !g->dead && (g->nsegs > 1 || live || ncb));
	REACH(INV_DEF1, g->defer && g->panic);
	REACH(INV_DEF3, g->defer && copied);
	REACH(INV_DEF4, has_fact(t, IF_CHECK));
	REACH(INV_PAN1, has_fact(t, IF_RECOVER) && t->npanics);
	REACH(INV_CGO1, has_fact(t, IF_CBEND));
	REACH(INV_CGO2, has_fact(t, IF_CGORET) && (t->locks || g->panic));
	REACH(INV_SEH1, r->cfg.windows && r->m.seh != r->m.mstartseh);
	REACH(INV_SEH2, r->cfg.windows && ncb);
	REACH(INV_SEH3, EV(EV_FAULT));
	REACH(INV_BAR1, live);
	REACH(INV_BAR2, EV(EV_BARRIERHIT));
	REACH(INV_BAR3, EV(EV_BARRIER));
	REACH(INV_BAR4, EV(EV_MARKTERM));
	REACH(INV_BAR5, EV(EV_RECOVERY) && g->stkbarlen);
#undef REACH
#undef EV
	if (upto < INV__COUNT - 1) /* checkers past the first violation did not run */
		b &= (2u << upto) - 1;
	c->reached |= b & c->mask;
}
