/*
** rt_sched.c: many goroutines on many Ms, and a deterministic scheduler.
**
** What it models: Go's newproc (a G with its own stack, whose first frame
** returns to goexit, as main's does), gosched, a G blocking until every
** other G has ended (what a WaitGroup that counts every `go` gives), and
** Go's program semantics: main returning ends the program (the others
** are discarded), an unrecovered panic in any G ends it, Goexit ends one
** G; Goexit in main lets the others run to their end, then the program
** ends as Go's "no goroutines (main called runtime.Goexit) - deadlock!".
**
** Ms: each M is an OS thread with its own OS stack (g0, mstart frame,
** Go's SEH record on windows/386), ncgo, lockedint, SEH head. As in Go,
** a G in C (between cgocall and its return), inside a callback (a cgo
** call is active on its M) or locked (LockOSThread, or the runtime's
** own lock) keeps its M while it is suspended; any other G gives its M
** back at the switch. The G switched to gets the M it holds, else the
** lowest free M, else a new M (rt_newm: a new OS-stack region, so its
** address follows from the run's history and is deterministic).
** The CPU runs one G on one M at a time: a G suspended in C (preempt=N
** counts C statements as safe points) or inside a callback while
** another G runs on another M is how the model shows Go's Ms running in
** parallel, in one deterministic interleaving.
**
** Scheduling is deterministic: a G runs until it yields (gosched), blocks
** (wait) or ends; the next G is the first runnable one after it in
** creation order (round robin). Real Go makes no such promise; programs
** whose outcome depends on the order are the emitter's concern (its
** goroutines are started in the same order and yield at the same
** statements, see harness/hs_go.c). Without preempt=N nothing here
** depends on the Ms: the order of Gs is the one-M order.
**
** Invariants: r->g is the loaded G and r->m/r->g0 the loaded M;
** allg[curg] and allm[curm] are stale while loaded (rt_gp, rt_mpc hide
** this); allm[i].holder is the G holding M i (-1: free), and that G's
** m field is i + 1; a switch happens only between steps. A G suspended
** in C is saved with the CPU on its M's g0 (allm[i].ong0), so loading it
** puts the CPU back there.
** Gotcha: a dead G keeps its stack region (never reused: addresses are
** never reused in the machine), so a late pointer into it still names a
** region that existed.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

void rt_grow_allg(rt *r)
{
	if (r->nallg < r->capallg)
		return;
	uint32_t cap = r->capallg ? 2 * r->capallg : 4;
	rt_g *a = realloc(r->allg, cap * sizeof *a);
	if (!a) {
		fprintf(stderr, "stackfuzz: out of memory\n");
		abort();
	}
	r->allg = a;
	r->capallg = cap;
}

static void grow_allm(rt *r)
{
	if (r->nallm < r->capallm)
		return;
	uint32_t cap = r->capallm ? 2 * r->capallm : 4;
	rt_mslot *a = realloc(r->allm, cap * sizeof *a);
	if (!a) {
		fprintf(stderr, "stackfuzz: out of memory\n");
		abort();
	}
	r->allm = a;
	r->capallm = cap;
}

void rt_sched_init(rt *r)
{
	rt_grow_allg(r);
	r->nallg = 1;
	r->curg = 0;
	memset(&r->allg[0], 0, sizeof r->allg[0]);
	/* the first M (rt_mstart built it into r->m, r->g0) is loaded and
	** held by main */
	grow_allm(r);
	r->nallm = 1;
	r->curm = 0;
	memset(&r->allm[0], 0, sizeof r->allm[0]);
	r->allm[0].holder = 0;
	r->g.m = 1;
}

void rt_sched_free(rt *r)
{
	free(r->allg);
	r->allg = NULL;
	r->nallg = r->capallg = 0;
	free(r->allm);
	r->allm = NULL;
	r->nallm = r->capallm = 0;
}

/* ---- Ms ---- */

uint32_t rt_newm(rt *r)
{
	grow_allm(r);
	uint32_t i = r->nallm++;
	rt_mslot *s = &r->allm[i];
	memset(s, 0, sizeof *s);
	rt_mstart_on(r, &s->m, &s->g0);
	s->holder = -1;
	rt_event_add(r, EV_NEWM, i, 0);
	rt_debugf(r, RT_DEBUG_STACKS, "newm: m%u\n", i + 1);
	return i;
}

void rt_loadm(rt *r, uint32_t i)
{
	if (i == r->curm || !r->allm)
		return;
	rt_mslot *from = &r->allm[r->curm], *to = &r->allm[i];
	from->m = r->m;
	from->g0 = r->g0;
	r->m = to->m;
	r->g0 = to->g0;
	rt_event_add(r, EV_MSWITCH, r->curm, i);
	rt_debugf(r, RT_DEBUG_STACKS, "loadm: m%u -> m%u\n", r->curm + 1, i + 1);
	r->curm = i;
}

int rt_g_holds_m(const rt *r)
{
	/* an extra M's G is its thread's until the thread ends (needm) */
	return r->cur == &r->g0 || r->m.ncgo || r->m.lockedint || r->g.lockedext ||
	       (r->g.extra && !r->g.dead);
}

/* The M for G i (not loaded yet): the one it holds, else the lowest
** free one, else a new one. */
static uint32_t m_for(rt *r, uint32_t i)
{
	const rt_g *g = &r->allg[i];
	if (g->m)
		return g->m - 1;
	for (uint32_t j = 0; j < r->nallm; j++)
		if (r->allm[j].holder < 0 && !r->allm[j].extra)
			return j; /* extra Ms are C threads' only */
	return rt_newm(r);
}

int rt_newproc(rt *r, int fn, const rt_word *args, uint32_t nargs)
{
	if (fn < 0 || (uint32_t)fn >= r->nfuncs || !r->allg)
		return -1;
	mc_region *stk;
	rt_stack_alloc(r, r->cfg.stack_init, &stk);
	rt_grow_allg(r);
	rt_g *g = &r->allg[r->nallg];
	memset(g, 0, sizeof *g);
	g->id = r->nallg + 1;
	rt_g_setstack(g, stk, stk->base, r->cfg.stack_init);
	g->stktotal = r->cfg.stack_init;
	g->nsegs = 1;
	/* the arguments, then the return PC: the entry function returns to
	** goexit, so the G ends there and every traceback stops there */
	g->sched.sp = g->hi - 8ull * nargs;
	for (uint32_t i = 0; i < nargs; i++)
		mc_store(&r->mem, g->sched.sp + 8ull * i, args[i]);
	g->sched.sp -= RT_WORD;
	mc_store(&r->mem, g->sched.sp, rt_retpc(&r->funcs[RTF_GOEXIT], 0));
	g->sched.pc = r->funcs[fn].entry;
	r->nallg++;
	rt_event_add(r, EV_NEWPROC, g->id, fn);
	rt_debugf(r, RT_DEBUG_STACKS, "newproc: g%u runs %s\n", g->id,
		  r->funcs[fn].name);
	return (int)g->id - 1;
}

uint32_t rt_others_live(const rt *r)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < r->nallg; i++)
		n += i != r->curg && !rt_gpc(r, i)->dead;
	return n;
}

void rt_gosched(rt *r)
{
	r->resched = 1;
}

int rt_wait(rt *r)
{
	if (!rt_others_live(r))
		return 1;
	r->g.waiting = 1;
	r->resched = 1;
	return 0;
}

void rt_goend(rt *r, int goexit)
{
	r->g.dead = 1;
	rt_event_add(r, EV_GOEND, r->g.id, goexit);
	if (goexit && r->g.extra) {
		/* Go 1.19: an extra M is made with lockedInt 1 (oneNewExtraM)
		** and cgocallbackg's own lock is undone by its deferred
		** unlockOSThread, so goexit0 finds lockedInt 1 on the G of a
		** C thread and throws; the program dies there (a plain
		** callback's Goexit leaves lockedInt 0 and goes on) */
		r->status = RT_FATAL;
		r->fatalmsg = "internal lockOSThread error";
		return;
	}
	if (r->curg == 0 && !goexit) { /* main returned */
		r->status = RT_EXITED;
		return;
	}
	if (r->curg == 0)
		r->maingoexit = 1;
	if (!rt_others_live(r)) {
		/* only main Goexit leaves nothing to run: Go's "no goroutines" */
		r->status = r->maingoexit ? RT_GOEXITED : RT_EXITED;
		return;
	}
	r->resched = 1;
}

/* A G may run: it is alive, not joining a C thread, and if it waits,
** every other G has ended. */
static int runnable(const rt *r, uint32_t i)
{
	const rt_g *g = rt_gpc(r, i);
	if (g->dead || g->join)
		return 0;
	if (!g->waiting)
		return 1;
	for (uint32_t j = 0; j < r->nallg; j++)
		if (j != i && !rt_gpc(r, j)->dead)
			return 0;
	return 1;
}

int rt_schedule(rt *r)
{
	if (!r->resched || r->status != RT_RUNNING || !r->allg)
		return 0;
	r->resched = 0;
	uint32_t n = r->nallg, next = r->nextg;
	r->nextg = 0;
	for (uint32_t k = 1; k <= n; k++) {
		uint32_t i = (r->curg + k) % n;
		if (next && next - 1 < n && runnable(r, next - 1))
			i = next - 1, k = n; /* a cthread's start or join */
		if (!runnable(r, i))
			continue;
		int switched = i != r->curg;
		if (switched) {
			uint32_t from = r->g.id;
			/* the G going off keeps its M if it needs it (in C, in
			** a callback, locked), and the CPU stays where it is
			** on that M; else the M is free again */
			int keep = !r->g.dead && rt_g_holds_m(r);
			r->allm[r->curm].holder = keep ? (int32_t)r->curg : -1;
			r->allm[r->curm].ong0 = keep && r->cur == &r->g0;
			r->g.m = keep ? r->curm + 1 : 0;
			r->allg[r->curg] = r->g;
			r->g = r->allg[i];
			r->curg = i;
			rt_event_add(r, EV_GOSWITCH, from, r->g.id);
			rt_debugf(r, RT_DEBUG_STACKS, "schedule: g%u -> g%u\n", from,
				  r->g.id);
			uint32_t mi = m_for(r, i);
			rt_loadm(r, mi);
			r->cur = r->allm[mi].ong0 ? &r->g0 : &r->g;
			r->allm[mi].ong0 = 0;
			r->allm[mi].holder = (int32_t)i;
			r->g.m = mi + 1;
		}
		r->g.waiting = 0;
		return switched;
	}
	/* nothing can run: every live G waits */
	r->status = r->maingoexit ? RT_GOEXITED : RT_DEADLOCK;
	return 0;
}

/* ---- GC over every G ---- */

/* Runs op on suspended G i as if it ran: loaded into r->g, the CPU on
** its stack. A G suspended in C is not on it, but the GC's operations
** look at syscallsp (scan from there, no shrink), not at the CPU; they
** never touch the G's M. */
static void on_suspended(rt *r, uint32_t i, void (*op)(rt *))
{
	rt_g save = r->g, *cur = r->cur;
	r->g = r->allg[i];
	r->cur = &r->g;
	rt_event_add(r, EV_GSCOPE, i, (int64_t)r->mem.nfaults);
	op(r);
	r->allg[i] = r->g;
	r->g = save;
	r->cur = cur;
	rt_event_add(r, EV_GSCOPE, r->curg, (int64_t)r->mem.nfaults);
}

static void all_gs(rt *r, void (*op)(rt *), int keepphase)
{
	uint8_t phase = r->gcphase;
	for (uint32_t i = 0; r->allg && i < r->nallg; i++) {
		if (i == r->curg || r->allg[i].dead || r->status != RT_RUNNING)
			continue;
		on_suspended(r, i, op);
		if (keepphase) /* the cycle ends with the running G's rescan */
			r->gcphase = phase;
	}
	if (r->status == RT_RUNNING)
		op(r);
}

void rt_gc_scan_all(rt *r) { all_gs(r, rt_gc_scan, 0); }
void rt_gc_markterm_all(rt *r) { all_gs(r, rt_gc_markterm, 1); }
void rt_shrink_all(rt *r) { all_gs(r, rt_shrink, 0); }
