/*
** rt_cgo.c: cgo calls and callbacks (Go 1.2-1.4's cgocall.c and the
** asm_*.s trampolines), on the M's OS stack (g0).
**
** What it models:
**  - Go calls C: cgocall counts the call, takes the runtime-internal
**    thread lock, registers its deferred cleanup endcgo (which therefore
**    runs on the normal path and on the panic path), and asmcgocall
**    switches to g0 at m.g0sp (Go's g0.sched.sp), saving the G's context
**    (sched, syscallsp) and calling the C function there.
**  - C calls Go: callbackasm1 (on g0) pushes Go's SEH record (windows),
**    saves m.g0sp in its frame and sets m.g0sp to its own SP, then
**    cgocallback_gofunc switches to the G: it stores the G's saved
**    sched.pc in the return-PC slot of its own G-stack frame (so a
**    traceback sees a return into the last Go frame), registers the
**    deferred unwindm(&restore), and calls the Go function. On return it
**    clears restore, runs unwindm (a no-op), restores sched.pc from that
**    slot, switches back to g0 and restores m.g0sp; callbackasm1 pops
**    its SEH record and returns to C.
**  - A panic in the inner Go that outer Go recovers runs unwindm with
**    restore set: m.g0sp goes back to its value before the callback,
**    abandoning the C frames; unwinding the OS stack unlinks the SEH
**    records that lived below it; then cgocall's endcgo restores the SEH
**    head to its value at the cgo call's entry (seed 003's fix).
**
** Invariants: ncgo = active Go->C transitions = pending endcgo records;
** lockedint likewise; m.g0sp and the G's sched are restored exactly
** after each callback return or unwind; the SEH head is back to its
** entry value when a cgo call returns to Go.
**
** Gotchas: the G is "in C" (syscallsp set) between asmcgocall and its
** return, and not during a callback: the callback's frame saves and
** restores syscallsp (a pointer into the G stack, so it is adjusted if
** the stack moves during the callback; EV_CBFRAME says where the frame
** is, so the harness can tag that word with the slot it must point at).
** Bug 7470 switches off both SEH
** restorations on the panic path, as Go before 1249d3a5 had neither.
*/
#include <string.h>

#include "rt.h"

#define ld(r, a) rt_ld(&(r)->mem, (a))

#define st(r, a, v) rt_st(&(r)->mem, (a), (v))

static int funcindex(const rt *r, const rt_func *f) { return (int)(f - r->funcs); }

rt_addr rt_g0_rest_pc(const rt *r, rt_addr sp)
{
	return sp == r->m.mstartsp ? rt_site_pc(&r->funcs[RTF_MSTART], 0)
				   : rt_retpc(&r->funcs[RTF_CGOCALLBACK], 0);
}

rt_addr rt_g0_live_sp(const rt *r)
{
	return r->cur == &r->g0 ? r->g0.sched.sp : r->m.g0sp;
}

void rt_mstart_on(rt *r, rt_m *m, rt_g *g0)
{
	mc_region *os = mc_alloc(&r->mem, RG_OSSTACK, r->cfg.osstack, "osstack");
	memset(m, 0, sizeof *m);
	memset(g0, 0, sizeof *g0);
	g0->id = 0;
	g0->isg0 = 1;
	rt_g_setstack(g0, os, os->base, r->cfg.osstack);
	g0->stktotal = r->cfg.osstack;
	g0->nsegs = 1;
	/* mstart's frame: Go's SEH record, and no caller (lr 0) */
	const rt_func *ms = &r->funcs[RTF_MSTART];
	rt_addr sp = g0->hi - RT_WORD - ms->framesize;
	st(r, sp + ms->framesize, 0);
	st(r, sp, RT_SEH_END);
	st(r, sp + 8, r->funcs[RTF_SIGTRAMP].entry);
	m->mstartsp = sp;
	m->mstartseh = sp;
	m->seh = r->cfg.windows ? sp : 0;
	m->g0sp = sp;
	g0->sched.sp = sp;
	g0->sched.pc = rt_site_pc(ms, 0);
}

void rt_mstart(rt *r)
{
	rt_mstart_on(r, &r->m, &r->g0);
}

/* The function named by a cgocall/callback argument block at fp, if it
** is of the right kind and takes that many arguments. */
static const rt_func *callee(rt *r, rt_addr fp, int kind, rt_word *nargs)
{
	rt_word pc = ld(r, fp + 8 * CGO_FN);
	const rt_func *f = rt_findfunc(r, pc);
	*nargs = ld(r, fp + 8 * CGO_NARGS);
	if (!f || f->entry != pc || f->kind != kind || *nargs * 8 != f->argsize ||
	    *nargs > CGO_ARGWORDS - CGO_ARG0)
		return NULL;
	return f;
}

/* Pushes a call's argument words from its argument block at fp. */
static void push_block(rt *r, rt_addr fp, rt_word nargs)
{
	rt_g *c = r->cur;
	c->sched.sp -= 8 * nargs;
	mc_copy(&r->mem, c->sched.sp, fp + 8 * CGO_ARG0, (uint32_t)(8 * nargs));
}

/* ---- Go calls C ---- */

/* Both directions enter the runtime the same way: push (target entry,
** nargs, args...) as the trampoline's fixed argument block and call it
** from the current function's call site. */
static void call_trampoline(rt *r, int tramp, int fn, const rt_word *args,
			    uint32_t nargs, uint32_t site)
{
	const rt_func *cf = rt_findfunc(r, r->cur->sched.pc);
	/* a function has at most 4 parameters (the validator's limit): more
	** would be cut off here, silently, so it is an internal error */
	if (RT_NEVER(r, nargs > CGO_ARGWORDS - CGO_ARG0,
		     "cgo: more arguments than the trampoline's block holds"))
		return;
	rt_word w[CGO_ARGWORDS] = {r->funcs[fn].entry, nargs};
	for (uint32_t i = 0; i < nargs; i++)
		w[CGO_ARG0 + i] = args[i];
	rt_push_args(r, w, CGO_ARGWORDS);
	rt_call(r, tramp, rt_retpc(cf, site));
}

void rt_cgocall(rt *r, int cfn, const rt_word *args, uint32_t nargs,
		uint32_t site)
{
	call_trampoline(r, RTF_CGOCALL, cfn, args, nargs, site);
}

/* cgocall's body (site 0): account, defer endcgo, asmcgocall. */
static void cgocall_body(rt *r, const rt_func *f)
{
	rt_g *g = &r->g, *g0 = &r->g0;
	rt_addr fp = g->sched.sp + f->framesize + RT_WORD;
	rt_word nargs;
	const rt_func *c = callee(r, fp, RF_C, &nargs);
	if (!c) {
		rt_throw(r, TH_INTERNAL_BADFUNC, "cgocall: not a C function");
		return;
	}
	r->m.ncgocall++;
	rt_word eargs[2] = {r->m.seh, r->m.lockedint};
	r->m.lockedint++; /* lockOSThread: callbacks must find this thread */
	rt_newdefer(r, RTF_ENDCGO, eargs, 0);
	r->m.ncgo++;
	rt_event_add(r, EV_CGOCALL, (int64_t)r->m.seh, funcindex(r, c));
	/* asmcgocall: save the G's context, switch to the OS stack */
	g->sched.pc = rt_retpc(f, 0);
	g->syscallsp = g->sched.sp;
	g->syscallpc = g->sched.pc;
	r->cur = g0;
	g0->sched.sp = r->m.g0sp;
	push_block(r, fp, nargs);
	rt_call(r, funcindex(r, c), rt_retpc(&r->funcs[RTF_ASMCGOCALL], 0));
}

/* The callee of the argument block at fp returned, leaving its argument
** words just below sp: a result goes back into the block, where the
** caller of the trampoline reads it. */
rt_addr rt_cgo_result_slot(rt *r, rt_addr fp)
{
	const rt_func *f = rt_findfunc(r, ld(r, fp + 8 * CGO_FN));
	rt_word nargs = ld(r, fp + 8 * CGO_NARGS);
	if (!f || !(f->flags & RFF_RESULT) || nargs < 1 ||
	    nargs > CGO_ARGWORDS - CGO_ARG0)
		return 0;
	return fp + 8 * (CGO_ARG0 + nargs - 1);
}

static void copy_result(rt *r, rt_addr fp, rt_addr sp)
{
	rt_addr slot = rt_cgo_result_slot(r, fp);
	if (slot)
		st(r, slot, ld(r, sp - 8));
}

/* The C function returned to asmcgocall: back to the G. */
static void asmcgocall_return(rt *r)
{
	rt_g *g0 = &r->g0;
	if (g0->sched.sp != r->m.g0sp) {
		rt_throw(r, TH_CGO_UNBALANCED, "asmcgocall: OS stack not balanced");
		return;
	}
	copy_result(r, r->g.syscallsp + r->funcs[RTF_CGOCALL].framesize + RT_WORD,
		    g0->sched.sp);
	g0->sched.pc = rt_g0_rest_pc(r, g0->sched.sp);
	r->cur = &r->g;
	r->g.syscallsp = r->g.syscallpc = 0;
	rt_event_add(r, EV_ASMRETURN, 0, 0);
}

static void endcgo_body(rt *r, const rt_func *f)
{
	rt_g *g = &r->g;
	rt_addr fp = g->sched.sp + f->framesize + RT_WORD;
	rt_word seh = ld(r, fp + 8 * ENDCGO_SEH);
	/* cgocall counted both before it pushed this record, and a record
	** runs once: a count already 0 is the runtime's own bookkeeping
	** broken, not something to clamp */
	if (RT_NEVER(r, r->m.lockedint == 0, "endcgo: lockedint underflow") ||
	    RT_NEVER(r, r->m.ncgo == 0, "endcgo: ncgo underflow"))
		return;
	r->m.lockedint--;
	r->m.ncgo--;
	if (r->cfg.windows && !(r->cfg.bugs & RT_BUG_7470))
		r->m.seh = seh; /* seed 003: restore the chain at cgo exit */
	rt_event_add(r, EV_ENDCGO, (int64_t)seh, 0);
	rt_ret(r, f);
}

void rt_lockosthread(rt *r)
{
	r->g.lockedext++;
	rt_event_add(r, EV_LOCK, r->g.lockedext, 0);
}

void rt_unlockosthread(rt *r)
{
	/* not a clamp: Go's UnlockOSThread without a LockOSThread is a no-op
	** (a program's input, not the runtime's bookkeeping) */
	if (r->g.lockedext)
		r->g.lockedext--;
	rt_event_add(r, EV_LOCK, r->g.lockedext, 0);
}

/* ---- C calls Go ---- */

void rt_callback(rt *r, int gofn, const rt_word *args, uint32_t nargs,
		 uint32_t site)
{
	call_trampoline(r, RTF_CGOCALLBACK, gofn, args, nargs, site);
}

/* callbackasm1 + cgocallback + cgocallback_gofunc, up to the call. */
static void callback_body(rt *r, const rt_func *f)
{
	rt_g *g = &r->g, *g0 = &r->g0;
	rt_addr fsp = g0->sched.sp, fp = fsp + f->framesize + RT_WORD;
	rt_word nargs;
	const rt_func *gf = callee(r, fp, RF_GO, &nargs);
	if (!gf) {
		rt_throw(r, TH_INTERNAL_BADFUNC, "cgocallback: not a Go function");
		return;
	}
	if (!g->syscallsp) {
		rt_throw(r, TH_CGO_NOTINCGO, "cgocallback: the G is not in a cgo call");
		return;
	}
	st(r, fsp + 8 * CB_SAVED_G0SP, r->m.g0sp);
	st(r, fsp + 8 * CB_SAVED_G0PC, rt_g0_rest_pc(r, r->m.g0sp));
	if (r->cfg.windows) { /* "set up SEH frame again" */
		rt_addr rec = fsp + 8 * CB_SEH_PREV;
		st(r, rec, r->m.seh);
		st(r, rec + 8, r->funcs[RTF_SIGTRAMP].entry);
		r->m.seh = rec;
		rt_event_add(r, EV_SEHPUSH, (int64_t)rec, 0);
	}
	rt_event_add(r, EV_CALLBACK, (int64_t)r->m.g0sp, funcindex(r, gf));
	r->m.g0sp = fsp;
	g0->sched.pc = rt_retpc(f, 0);
	/* cgocallback_gofunc, on the G stack: its LR slot keeps sched.pc */
	r->cur = g;
	const rt_func *cb = &r->funcs[RTF_CGOCB_GOFUNC];
	rt_addr sp = g->sched.sp - RT_WORD;
	st(r, sp, g->sched.pc);
	sp -= cb->framesize;
	mc_fill(&r->mem, sp, cb->framesize, 0);
	st(r, sp + 8 * CBG_RESTORE, 1);
	st(r, sp + 8 * CBG_SYSCALLSP, g->syscallsp);
	st(r, sp + 8 * CBG_SYSCALLPC, g->syscallpc);
	/* the frame holds a stack pointer the runtime wrote: say where, so
	** the harness can give it its truth tag */
	rt_event_add(r, EV_CBFRAME, (int64_t)sp, 0);
	g->syscallsp = g->syscallpc = 0; /* exitsyscall */
	g->sched.sp = sp;
	g->sched.pc = rt_site_pc(cb, 0);
	rt_word restorep = sp + 8 * CBG_RESTORE;
	rt_newdefer(r, RTF_UNWINDM, &restorep, 0);
	push_block(r, fp, nargs);
	rt_call(r, funcindex(r, gf), rt_retpc(cb, 0));
}

/* The Go function returned into cgocallback_gofunc. */
static void callback_gofunc_ret(rt *r, const rt_func *cb)
{
	rt_g *g = &r->g;
	copy_result(r, r->g0.sched.sp + r->funcs[RTF_CGOCALLBACK].framesize + RT_WORD,
		    g->sched.sp);
	st(r, g->sched.sp + 8 * CBG_RESTORE, 0);
	if (!rt_deferreturn_runtime(r, cb, 1))
		rt_throw(r, TH_DEFER_BADENTRY, "bad defer entry in cgocallback");
}

/* unwindm ran: restore sched.pc from the LR slot, back to the OS stack. */
static void callback_gofunc_exit(rt *r, const rt_func *cb)
{
	rt_g *g = &r->g, *g0 = &r->g0;
	rt_addr sp = g->sched.sp;
	g->syscallsp = ld(r, sp + 8 * CBG_SYSCALLSP); /* reentersyscall */
	g->syscallpc = ld(r, sp + 8 * CBG_SYSCALLPC);
	g->sched.pc = ld(r, sp + cb->framesize);
	g->sched.sp = sp + cb->framesize + RT_WORD;
	r->cur = g0;
	r->m.g0sp = ld(r, g0->sched.sp + 8 * CB_SAVED_G0SP);
	rt_event_add(r, EV_CBRETURN, (int64_t)r->m.g0sp, 0);
}

/* Back in callbackasm1 on g0: pop Go's SEH record, return to C. */
static void callbackasm1_exit(rt *r, const rt_func *f)
{
	rt_g *g0 = &r->g0;
	if (r->cfg.windows) {
		r->m.seh = ld(r, g0->sched.sp + 8 * CB_SEH_PREV);
		rt_event_add(r, EV_SEHPOP, (int64_t)r->m.seh, 0);
	}
	rt_ret(r, f);
}

/* unwindm(&restore): a panic is unwinding the callback's frames. */
static void unwindm_body(rt *r, const rt_func *f)
{
	rt_g *g = &r->g, *g0 = &r->g0;
	rt_addr fp = g->sched.sp + f->framesize + RT_WORD;
	rt_addr restorep = ld(r, fp);
	if (ld(r, restorep)) {
		rt_addr cbsp = r->m.g0sp;
		rt_addr oldsp = ld(r, cbsp + 8 * CB_SAVED_G0SP);
		r->m.g0sp = oldsp;
		g0->sched.sp = oldsp;
		g0->sched.pc = rt_g0_rest_pc(r, oldsp);
		/* unwinding the OS stack unlinks the SEH records below it */
		if (r->cfg.windows && !(r->cfg.bugs & RT_BUG_7470)) {
			int n = 0;
			while (r->m.seh != RT_SEH_END && r->m.seh < oldsp && n++ < 4096)
				r->m.seh = ld(r, r->m.seh);
		}
		rt_event_add(r, EV_UNWINDM, (int64_t)oldsp, 0);
	}
	rt_ret(r, f);
}

int rt_run_cgo(rt *r, const rt_func *f, rt_addr pc)
{
	switch (funcindex(r, f)) {
	case RTF_CGOCALL:
		if (pc == rt_site_pc(f, 0))
			cgocall_body(r, f);
		else if (pc == rt_retpc(f, 0)) {
			if (!rt_deferreturn_runtime(r, f, 1))
				rt_throw(r, TH_DEFER_BADENTRY, "bad defer entry in cgocall");
		} else if (pc == rt_retpc(f, 1))
			rt_ret(r, f);
		else
			return 0;
		return 1;
	case RTF_ASMCGOCALL:
		if (pc != rt_retpc(f, 0))
			return 0;
		asmcgocall_return(r);
		return 1;
	case RTF_ENDCGO:
		if (pc != rt_site_pc(f, 0))
			return 0;
		endcgo_body(r, f);
		return 1;
	case RTF_UNWINDM:
		if (pc != rt_site_pc(f, 0))
			return 0;
		unwindm_body(r, f);
		return 1;
	case RTF_CGOCALLBACK:
		if (pc == rt_site_pc(f, 0))
			callback_body(r, f);
		else if (pc == rt_retpc(f, 0))
			callbackasm1_exit(r, f);
		else
			return 0;
		return 1;
	case RTF_CGOCB_GOFUNC:
		if (pc == rt_retpc(f, 0))
			callback_gofunc_ret(r, f);
		else if (pc == rt_retpc(f, 1))
			callback_gofunc_exit(r, f);
		else
			return 0;
		return 1;
	default:
		return 0;
	}
}
