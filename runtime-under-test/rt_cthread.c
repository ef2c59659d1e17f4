/*
** rt_cthread.c: a thread created by C that calls back into Go, on an
** extra M (Go's needm/dropm and cgocallback from a foreign thread).
**
** What it models: C code (the G that runs it stays in C on its own M)
** creates a thread and joins it. The thread is not Go's: Go gives it an
** extra M, which has its own OS stack (the thread's: here a region with
** an mstart frame standing for the thread's start routine, and on
** windows/386 Go's SEH record in that frame, so the thread's chain
** starts with Go's record) and its own G (Go's oneNewExtraM makes one
** per extra M, parked "in a syscall" at goexit: syscallsp the top of
** its stack, syscallpc goexit's return point). The thread calls Go
** function fn through cgocallback (callbackasm1, cgocallback_gofunc on
** that G's stack, whose return slot therefore holds goexit's return
** point); when fn returns the thread ends (dropm: the G is parked again,
** dead to the scheduler, the M free) and the caller goes on after the
** statement. The extra M and its G are reused by the next cthread (Go
** keeps extra Ms on a list: case 38), never by an ordinary G.
**
** Scheduling: the statement blocks the caller (join) and asks the next
** switch for the thread's G; the thread's end asks it for the caller.
** In between the thread's G is an ordinary G: it may yield (gosched in
** fn), wait, start goroutines, be scanned. An unrecovered panic in fn
** ends the program with that panic (go-semantics case 39: C's code after
** the callback never runs, main's deferred calls do not run).
**
** Invariants: an extra M is held by its G exactly while its thread runs;
** its g0 rests at the mstart frame before and after; the caller's C
** frame resumes at the statement's return point.
** Gotcha: the callback is pushed on the extra M's OS stack while the
** caller's M is loaded (rt_loadm there and back), so the step's events
** show both Ms, and the per-M checks judge the extra M in that state.
*/
#include <stdlib.h>
#include <string.h>

#include "rt.h"

/* The lowest free extra M, else a new one, with its G. (A Goexit in a
** callback, which would leave its M's thread never returned to C, ends
** the program: Go 1.19's "internal lockOSThread error", rt_goend.) */
static uint32_t needm(rt *r)
{
	for (uint32_t j = 0; j < r->nallm; j++)
		if (r->allm[j].extra && r->allm[j].holder < 0 && r->allm[j].xg)
			return j;
	uint32_t j = rt_newm(r);
	r->allm[j].extra = 1;
	/* its G (oneNewExtraM): a stack of its own, never freed */
	mc_region *stk;
	rt_stack_alloc(r, r->cfg.stack_init, &stk);
	uint32_t x = r->nallg;
	rt_grow_allg(r); /* room for one more G, as rt_newproc makes */
	rt_g *g = &r->allg[x];
	memset(g, 0, sizeof *g);
	g->id = x + 1;
	g->extra = 1;
	g->dead = 1;
	rt_g_setstack(g, stk, stk->base, r->cfg.stack_init);
	g->stktotal = r->cfg.stack_init;
	g->nsegs = 1;
	r->nallg++;
	r->allm[j].xg = x + 1;
	return j;
}

int rt_cthread(rt *r, int fn, const rt_word *args, uint32_t nargs,
	       uint32_t site)
{
	const rt_func *cf = rt_findfunc(r, r->g0.sched.pc);
	if (RT_NEVER(r, r->cur != &r->g0 || !cf || cf->kind != RF_C || !r->allm,
		     "cthread outside a C frame"))
		return -1;
	uint32_t from = r->curm, j = needm(r);
	rt_mslot *s = &r->allm[j];
	uint32_t x = s->xg - 1;
	rt_g *g = &r->allg[x];
	/* needm: the G parked in C at goexit, now live, holding the M */
	g->dead = 0;
	g->waiting = 0;
	g->sched.sp = g->hi;
	g->sched.pc = rt_retpc(&r->funcs[RTF_GOEXIT], 0);
	g->syscallsp = g->sched.sp;
	g->syscallpc = g->sched.pc;
	g->joiner = r->curg + 1;
	g->m = j + 1;
	s->holder = (int32_t)x;
	s->ong0 = 1;
	rt_event_add(r, EV_CTHREAD, j, g->id);
	/* the caller stays in C, blocked until the join, and resumes after
	** the statement */
	r->g0.sched.pc = rt_retpc(cf, site);
	r->g.join = 1;
	/* the thread's start routine calls fn through cgocallback, from the
	** bottom frame of its OS stack */
	rt_loadm(r, j);
	rt_callback(r, fn, args, nargs, 0);
	rt_loadm(r, from);
	r->nextg = x + 1;
	r->resched = 1;
	return (int)x;
}

void rt_cthread_end(rt *r)
{
	rt_g *g = &r->g;
	if (RT_NEVER(r, !g->extra || !g->joiner || r->cur != &r->g0 ||
			     r->g0.sched.sp != r->m.mstartsp,
		     "a thread ended that no cthread started"))
		return;
	uint32_t caller = g->joiner - 1;
	/* dropm: the G is parked until the next cthread, the M is free */
	g->joiner = 0;
	g->dead = 1;
	r->g0.sched.pc = rt_site_pc(&r->funcs[RTF_MSTART], 0);
	rt_gp(r, caller)->join = 0;
	rt_event_add(r, EV_CTHREADEND, r->curm, g->id);
	r->nextg = caller + 1;
	r->resched = 1;
}
