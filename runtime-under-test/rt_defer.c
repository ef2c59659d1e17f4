/*
** rt_defer.c: defer, panic, recover, Goexit (Go's panic.go, 1.19
** semantics on a 1.3-style record layout).
**
** What it models:
**  - deferproc copies the pushed arguments into a heap defer record
**    {fn, siz, sp, argp, pc, started, panic, link, args...} and links it
**    at the head of the G's chain (innermost first);
**  - the epilogue (deferreturn) runs the frame's deferred calls one by
**    one: each is called with the epilogue's return point as its return
**    PC, so its return re-enters the epilogue, as jmpdefer arranged;
**  - gopanic is a real frame holding the panic record; it calls each
**    deferred call from its site 1 with the record's argp set to the
**    call's argument pointer. recover() is non-nil only when its caller's
**    argp equals that argp (called directly by the deferred call), the
**    panic is not Goexit's and not yet recovered;
**  - a deferred call that was started by an earlier panic and is met
**    again by a newer one aborts the earlier panic;
**  - recovery: after the recovering deferred call returns, the frame
**    that deferred it resumes at its epilogue (runs its remaining
**    defers, returns normally); aborted panics are dropped; segments
**    above the frame are popped. If the panic below is an aborted Goexit,
**    control returns to Goexit's loop instead (Go 1.14+);
**  - Goexit (goexit1) runs the same loop with the goexit flag set.
**
** Gotchas: the panic records move with the stack (their link and argp
** are frame pointers, adjusted by gopanic's locals map); a defer record
** is freed when its call starts (deferreturn) or returns (panic), and a
** freed record is a tombstone.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

#define ld(r, a) rt_ld(&(r)->mem, (a))

#define st(r, a, v) rt_st(&(r)->mem, (a), (v))

static int funcindex(const rt *r, const rt_func *f) { return (int)(f - r->funcs); }

static const rt_func *curfunc(rt *r)
{
	return rt_findfunc(r, r->cur->sched.pc);
}

void rt_deferproc(rt *r, int fn, uint32_t site)
{
	rt_g *g = &r->g;
	const rt_func *f = &r->funcs[fn], *cf = curfunc(r);
	uint32_t siz = f->argsize;
	rt_addr args = g->sched.sp;
	rt_addr framesp = args + siz;
	mc_region *rg = mc_alloc(&r->mem, RG_HEAP,
				     8 * RT_DEFER_HDR_WORDS + siz, "defer");
	rt_addr d = rg->base;
	st(r, d + 8 * D_FN, f->entry);
	st(r, d + 8 * D_SIZ, siz);
	st(r, d + 8 * D_SP, framesp);
	st(r, d + 8 * D_ARGP, framesp + cf->framesize + RT_WORD);
	st(r, d + 8 * D_PC, rt_retpc(cf, site));
	st(r, d + 8 * D_STARTED, 0);
	st(r, d + 8 * D_PANIC, 0);
	st(r, d + 8 * D_LINK, g->defer);
	mc_copy(&r->mem, d + 8 * RT_DEFER_HDR_WORDS, args, siz);
	g->sched.sp = framesp;
	g->defer = d;
	rt_event_add(r, EV_DEFER, fn, 0);
}

static void freedefer(rt *r, rt_addr d)
{
	mc_region *rg = mc_find(&r->mem, d);
	if (r->mem.poison && rg && rg->live)
		mc_fill(&r->mem, rg->base, rg->size, MC_POISON_FREE);
	mc_release(&r->mem, rg);
}

/* Pushes a defer record's arguments and calls its function. */
static int calldeferred(rt *r, rt_addr d, rt_addr retpc)
{
	rt_g *g = &r->g;
	const rt_func *f = rt_findfunc(r, ld(r, d + 8 * D_FN));
	if (!f || f->entry != ld(r, d + 8 * D_FN)) {
		rt_throw(r, TH_DEFER_UNKNOWNFN, "can't call unknown deferred function");
		return -1;
	}
	uint32_t siz = f->argsize;
	g->sched.sp -= siz;
	mc_copy(&r->mem, g->sched.sp, d + 8 * RT_DEFER_HDR_WORDS, siz);
	rt_call(r, funcindex(r, f), retpc);
	return funcindex(r, f);
}

/* RET from the running frame of f: pop the frame and the arguments. */
void rt_ret(rt *r, const rt_func *f)
{
	rt_g *c = r->cur;
	rt_addr sp = c->sched.sp;
	rt_word lr = ld(r, sp + f->framesize);
	if (c == &r->g && lr == rt_barrier_pc(r)) /* RET into stackBarrier */
		lr = rt_barrier_hit(r, sp + f->framesize);
	c->sched.sp = sp + f->framesize + RT_WORD + f->argsize;
	c->sched.pc = lr;
	rt_event_add(r, EV_RETURN, funcindex(r, f), 0);
}

void rt_epilogue(rt *r, uint32_t site)
{
	rt_g *g = &r->g;
	const rt_func *f = curfunc(r);
	if (f->kind == RF_C) { /* C: no defers; its own SEH records go */
		rt_seh_cleanup(r, f);
		rt_ret(r, f);
		return;
	}
	rt_addr sp = g->sched.sp;
	rt_addr d = g->defer;
	if (d && ld(r, d + 8 * D_SP) == sp && !ld(r, d + 8 * D_STARTED)) {
		/* deferreturn: unlink, free, and call with our return point */
		g->defer = ld(r, d + 8 * D_LINK);
		rt_addr fnpc = ld(r, d + 8 * D_FN);
		const rt_func *df = rt_findfunc(r, fnpc);
		uint32_t siz = df ? df->argsize : 0;
		/* the record is freed after its args are on the stack */
		g->sched.sp -= siz;
		mc_copy(&r->mem, g->sched.sp, d + 8 * RT_DEFER_HDR_WORDS, siz);
		freedefer(r, d);
		if (!df || df->entry != fnpc) {
			rt_throw(r, TH_DEFER_UNKNOWNFN, "can't call unknown deferred function");
			return;
		}
		rt_call(r, funcindex(r, df), rt_retpc(f, site));
		rt_event_add(r, EV_DEFERCALL, funcindex(r, df), 0);
		return;
	}
	rt_ret(r, f);
}

/* Runtime code that runs a frame's own deferred call (deferreturn for
** runtime frames: cgocall's endcgo, cgocallback_gofunc's unwindm).
** Returns 0 if the head defer is not the frame's own. */
int rt_deferreturn_runtime(rt *r, const rt_func *f, uint32_t site)
{
	rt_g *g = &r->g;
	rt_addr d = g->defer;
	if (!d || ld(r, d + 8 * D_SP) != g->sched.sp || ld(r, d + 8 * D_STARTED))
		return 0;
	g->defer = ld(r, d + 8 * D_LINK);
	int fn = calldeferred(r, d, rt_retpc(f, site));
	freedefer(r, d);
	if (fn >= 0)
		rt_event_add(r, EV_DEFERCALL, fn, 0);
	return 1;
}

/* A defer record made by the runtime for its own frame (endcgo, unwindm). */
rt_addr rt_newdefer(rt *r, int fn, const rt_word *args, uint32_t site)
{
	rt_g *g = &r->g;
	const rt_func *f = &r->funcs[fn], *cf = curfunc(r);
	mc_region *rg = mc_alloc(&r->mem, RG_HEAP,
				     8 * RT_DEFER_HDR_WORDS + f->argsize, "defer");
	rt_addr d = rg->base;
	st(r, d + 8 * D_FN, f->entry);
	st(r, d + 8 * D_SIZ, f->argsize);
	st(r, d + 8 * D_SP, g->sched.sp);
	st(r, d + 8 * D_ARGP, g->sched.sp + cf->framesize + RT_WORD);
	st(r, d + 8 * D_PC, rt_site_pc(cf, site));
	st(r, d + 8 * D_STARTED, 0);
	st(r, d + 8 * D_PANIC, 0);
	st(r, d + 8 * D_LINK, g->defer);
	for (uint32_t i = 0; i < f->argsize / 8; i++)
		st(r, d + 8 * (RT_DEFER_HDR_WORDS + i), args[i]);
	g->defer = d;
	return d;
}

/* ---- panic ---- */

void rt_gopanic(rt *r, int kind, int64_t val, uint32_t site)
{
	rt_word args[2] = {(rt_word)kind, (rt_word)val};
	const rt_func *cf = curfunc(r);
	rt_addr a = rt_push_args(r, args, 2);
	(void)a;
	rt_call(r, RTF_GOPANIC, rt_retpc(cf, site));
}

void rt_goexit(rt *r, uint32_t site)
{
	rt_word args[2] = {0, 0};
	const rt_func *cf = curfunc(r);
	rt_push_args(r, args, 2);
	rt_call(r, RTF_GOEXIT1, rt_retpc(cf, site));
}

int rt_gorecover(rt *r, const rt_func *f, int *kind, int64_t *val)
{
	return rt_gorecover_argp(r, r->g.sched.sp + f->framesize + RT_WORD, kind, val);
}

int rt_gorecover_argp(rt *r, rt_addr argp, int *kind, int64_t *val)
{
	rt_g *g = &r->g;
	rt_addr p = g->panic;
	*kind = PV_NIL;
	*val = 0;
	if (p && !ld(r, p + 8 * P_GOEXIT) && !ld(r, p + 8 * P_RECOVERED) &&
	    argp == ld(r, p + 8 * P_ARGP)) {
		st(r, p + 8 * P_RECOVERED, 1);
		*kind = (int)ld(r, p + 8 * P_KIND);
		*val = (int64_t)ld(r, p + 8 * P_ARG);
		rt_event_add(r, EV_RECOVER, 1 + *kind, *val);
		return 1;
	}
	rt_event_add(r, EV_RECOVER, 0, 0);
	return 0;
}

static int fmtval(char *b, size_t n, int kind, int64_t v)
{
	switch (kind) {
	case PV_NIL:
		return snprintf(b, n, "nil");
	case PV_NILDEREF:
		return snprintf(b, n, "runtime error: invalid memory address or "
				      "nil pointer dereference");
	case PV_FAULT: /* SetPanicOnFault: a runtime.Error, as a nil deref */
		return snprintf(b, n, "runtime error: invalid memory address or "
				      "nil pointer dereference (fault)");
	default:
		return snprintf(b, n, "%lld", (long long)v);
	}
}

static void sb_val(rt_strbuf *sb, int kind, int64_t v)
{
	char b[120];
	fmtval(b, sizeof b, kind, v);
	rt_sb_printf(sb, "%s", b);
}

/* printpanics, as Go's: oldest first, each later one tab-indented
** unless the one before it is a Goexit. Iterative: a chain may hold
** any number of panics, and the host stack must not grow with it. */
static void printpanics(rt *r, rt_addr newest, rt_strbuf *sb)
{
	size_t n = 0, cap = 0;
	rt_addr *chain = NULL;
	for (rt_addr p = newest; p; p = ld(r, p + 8 * P_LINK)) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			rt_addr *nc = realloc(chain, cap * sizeof *nc);
			if (!nc) {
				fprintf(stderr, "stackfuzz: out of memory\n");
				abort();
			}
			chain = nc;
		}
		chain[n++] = p;
	}
	for (size_t i = n; i-- > 0;) {
		rt_addr p = chain[i];
		if (i + 1 < n && !ld(r, chain[i + 1] + 8 * P_GOEXIT))
			rt_sb_printf(sb, "\t");
		if (ld(r, p + 8 * P_GOEXIT))
			continue;
		rt_sb_printf(sb, "panic: ");
		sb_val(sb, (int)ld(r, p + 8 * P_KIND), (int64_t)ld(r, p + 8 * P_ARG));
		if (ld(r, p + 8 * P_RECOVERED))
			rt_sb_printf(sb, " [recovered]");
		rt_sb_printf(sb, "\n");
	}
	free(chain);
}

/* Site 0 of gopanic/goexit1: fill the record and link it. */
static void panic_start(rt *r, const rt_func *f)
{
	rt_g *g = &r->g;
	rt_addr rec = g->sched.sp;
	rt_addr fp = rec + f->framesize + RT_WORD;
	int goexit = funcindex(r, f) == RTF_GOEXIT1;
	st(r, rec + 8 * P_KIND, ld(r, fp));
	st(r, rec + 8 * P_ARG, ld(r, fp + 8));
	st(r, rec + 8 * P_LINK, g->panic);
	st(r, rec + 8 * P_ARGP, 0);
	st(r, rec + 8 * P_RECOVERED, 0);
	st(r, rec + 8 * P_ABORTED, 0);
	st(r, rec + 8 * P_GOEXIT, (rt_word)goexit);
	g->panic = rec;
	g->sched.pc = rt_site_pc(f, 1);
	if (goexit)
		rt_event_add(r, EV_GOEXIT, 0, 0);
	else
		rt_event_add(r, EV_PANIC, (int64_t)ld(r, fp), (int64_t)ld(r, fp + 8));
}

/* Site 1: run the next deferred call, or end the goroutine. */
static void panic_loop(rt *r, const rt_func *f)
{
	rt_g *g = &r->g;
	rt_addr rec = g->sched.sp;
	rt_addr d = g->defer;
	if (!d) {
		if (ld(r, rec + 8 * P_GOEXIT)) {
			rt_goend(r, 1);
			return;
		}
		rt_strbuf sb = {0};
		printpanics(r, g->panic, &sb);
		if (sb.n && sb.b[sb.n - 1] == '\n')
			sb.b[--sb.n] = 0;
		free(r->panicmsg);
		r->panicmsg = rt_sb_take(&sb);
		r->status = RT_PANICKED;
		return;
	}
	if (ld(r, d + 8 * D_STARTED)) {
		/* an earlier panic's deferred call panicked: abort that panic */
		rt_addr dp = ld(r, d + 8 * D_PANIC);
		if (dp)
			st(r, dp + 8 * P_ABORTED, 1);
		g->defer = ld(r, d + 8 * D_LINK);
		freedefer(r, d);
		rt_event_add(r, EV_ABORT, 0, 0);
		return;
	}
	st(r, d + 8 * D_STARTED, 1);
	st(r, d + 8 * D_PANIC, rec);
	rt_addr fnpc = ld(r, d + 8 * D_FN);
	const rt_func *df = rt_findfunc(r, fnpc);
	st(r, rec + 8 * P_ARGP, g->sched.sp - (df ? df->argsize : 0));
	int fn = calldeferred(r, d, rt_retpc(f, 1));
	if (fn >= 0)
		rt_event_add(r, EV_DEFERCALL, fn, 1);
}

/* The return point of site 1: a deferred call run by the panic returned. */
static void panic_return(rt *r, const rt_func *f)
{
	rt_g *g = &r->g;
	rt_addr rec = g->sched.sp;
	rt_addr d = g->defer;
	if (!d || ld(r, d + 8 * D_PANIC) != rec || !ld(r, d + 8 * D_STARTED)) {
		rt_throw(r, TH_DEFER_BADENTRY, "bad defer entry in panic");
		return;
	}
	const rt_func *df = rt_findfunc(r, ld(r, d + 8 * D_FN));
	rt_addr dsp = ld(r, d + 8 * D_SP);
	rt_addr dpc = ld(r, d + 8 * D_PC);
	g->defer = ld(r, d + 8 * D_LINK);
	freedefer(r, d);
	st(r, rec + 8 * P_ARGP, 0);
	rt_event_add(r, EV_DEFERDONE, df ? funcindex(r, df) : -1, 0);
	if (!ld(r, rec + 8 * P_RECOVERED)) {
		g->sched.pc = rt_site_pc(f, 1);
		return;
	}
	/* recovery */
	g->panic = ld(r, rec + 8 * P_LINK);
	if (g->panic && ld(r, g->panic + 8 * P_GOEXIT) &&
	    ld(r, g->panic + 8 * P_ABORTED)) {
		/* return to Goexit's loop rather than abort it */
		rt_addr q = g->panic;
		st(r, q + 8 * P_ABORTED, 0);
		rt_unwind_barriers(r, q);
		rt_unwindstack(r, q);
		g->sched.sp = q;
		g->sched.pc = rt_site_pc(&r->funcs[RTF_GOEXIT1], 1);
		rt_event_add(r, EV_RECOVERY, RTF_GOEXIT1, 0);
		return;
	}
	while (g->panic && ld(r, g->panic + 8 * P_ABORTED))
		g->panic = ld(r, g->panic + 8 * P_LINK);
	const rt_func *rf = rt_findfunc(r, dpc);
	if (!rf || !rf->nsites) {
		rt_throw(r, TH_RECOVERY_NOEPILOGUE, "recovery: deferring frame has no epilogue");
		return;
	}
	rt_unwind_barriers(r, dsp);
	rt_unwindstack(r, dsp);
	g->sched.sp = dsp;
	g->sched.pc = rt_site_pc(rf, rf->nsites - 1); /* its epilogue */
	rt_event_add(r, EV_RECOVERY, funcindex(r, rf), 0);
}

/* The continuation of the runtime function at pc. */
void rt_run_internal(rt *r)
{
	rt_g *g = r->cur;
	rt_addr pc = g->sched.pc;
	const rt_func *f = rt_findfunc(r, pc);
	if (!f) {
		rt_throw(r, TH_BADRETPC, "unexpected return pc");
		return;
	}
	int fi = funcindex(r, f);
	if (fi == RTF_GOEXIT && pc == rt_retpc(f, 0)) {
		rt_goend(r, 0);
		return;
	}
	if (fi == RTF_MSTART && pc == rt_retpc(f, 0)) {
		rt_cthread_end(r); /* a C thread's callback returned */
		return;
	}
	if (fi == RTF_LESSSTACK && pc == rt_retpc(f, 0)) {
		rt_lessstack(r);
		return;
	}
	if (fi == RTF_GOPANIC || fi == RTF_GOEXIT1) {
		if (pc == rt_site_pc(f, 0))
			panic_start(r, f);
		else if (pc == rt_site_pc(f, 1))
			panic_loop(r, f);
		else if (pc == rt_retpc(f, 1))
			panic_return(r, f);
		else
			rt_throw(r, TH_BADPC, "unexpected pc in gopanic");
		return;
	}
	if (f->kind == RF_LEAF && pc == rt_site_pc(f, 0)) {
		rt_ret(r, f);
		return;
	}
	if (rt_run_cgo(r, f, pc))
		return;
	if (fi == RTF_STACKBARRIER && pc == f->entry) {
		/* reached without a RET (a barrier PC restored into sched.pc) */
		rt_addr to = rt_barrier_hit(r, 0);
		if (r->status == RT_RUNNING)
			g->sched.pc = to;
		return;
	}
	rt_throw(r, TH_BADPC, "unexpected pc in runtime code");
}
