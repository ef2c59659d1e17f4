/*
** rt_seh.c: the windows/386 SEH chain (Go <= 1.3, before VEH).
**
** What it models: the thread's fs:0 (m.seh) heads a linked list of
** exception-registration records {prev, handler} that live in OS-stack
** frames: Go's record in mstart's bottom frame (prev = RT_SEH_END), one
** per active callbackasm1 frame, and C code's own records in its frames.
** A hardware fault walks the list from the head; Go's handler (sigtramp)
** turns it into a panic (SetPanicOnFault), C handlers continue the
** search.
**
** Invariants: the head is a record in the live part of the OS stack,
** the chain ascends and ends at Go's mstart record; C code pops what it
** pushed before it returns (the C epilogue enforces it, as a compiler's
** __finally would), so a C function never leaves a record behind.
**
** Gotchas: on linux/amd64 there is no chain (m.seh = 0): `seh push/pop`
** are no-ops and a fault goes straight to the signal handler.
*/
#include <string.h>

#include "rt.h"

#define ld(r, a) rt_ld(&(r)->mem, (a))

#define st(r, a, v) rt_st(&(r)->mem, (a), (v))

static const rt_func *cfunc(rt *r)
{
	const rt_func *f = rt_findfunc(r, r->cur->sched.pc);
	return f && f->kind == RF_C && r->cur == &r->g0 ? f : NULL;
}

void rt_sehpush(rt *r)
{
	const rt_func *f = cfunc(r);
	/* the validator allows `seh` only in C; the interpreter runs C
	** statements only in a C frame on g0 */
	if (RT_NEVER(r, !f, "seh push outside a C frame") || !r->cfg.windows)
		return;
	rt_addr sp = r->cur->sched.sp;
	rt_word n = ld(r, sp + 8 * RT_CFRAME_SEHCOUNT);
	/* the frame has a slot for each `seh push` of the function, and a C
	** body runs each statement at most once */
	if (RT_NEVER(r, n >= f->nseh, "seh push: no slot left in the C frame"))
		return;
	/* newer records at lower addresses, as on a real stack: the chain
	** ascends from the head */
	rt_addr rec = sp + 8 * (RT_CFRAME_SEH0 + 2 * (f->nseh - 1 - n));
	st(r, rec, r->m.seh);
	st(r, rec + 8, r->funcs[RTF_CHANDLER].entry);
	r->m.seh = rec;
	st(r, sp + 8 * RT_CFRAME_SEHCOUNT, n + 1);
	rt_event_add(r, EV_SEHPUSH, (int64_t)rec, 0);
}

void rt_sehpop(rt *r)
{
	const rt_func *f = cfunc(r);
	if (RT_NEVER(r, !f, "seh pop outside a C frame") || !r->cfg.windows)
		return;
	rt_addr sp = r->cur->sched.sp;
	rt_word n = ld(r, sp + 8 * RT_CFRAME_SEHCOUNT);
	if (!n)
		return; /* not a clamp: a pop with nothing pushed is a no-op of
			** the language (the validator allows it) */
	rt_addr rec = sp + 8 * (RT_CFRAME_SEH0 + 2 * (f->nseh - n));
	r->m.seh = ld(r, rec);
	st(r, sp + 8 * RT_CFRAME_SEHCOUNT, n - 1);
	rt_event_add(r, EV_SEHPOP, (int64_t)r->m.seh, 0);
}

void rt_seh_cleanup(rt *r, const rt_func *f)
{
	if (!r->cfg.windows || f->kind != RF_C)
		return;
	while (ld(r, r->cur->sched.sp + 8 * RT_CFRAME_SEHCOUNT))
		rt_sehpop(r);
}

int rt_seh_walk(const rt *r, char *why, size_t len)
{
	rt_addr h = r->m.seh, lo = rt_g0_live_sp(r), hi = r->g0.hi;
	rt_addr go = r->funcs[RTF_SIGTRAMP].entry;
	for (int n = 0; n < 4096; n++) {
		if (h == RT_SEH_END || h == 0) {
			snprintf(why, len, "the chain ended without Go's handler");
			return 0;
		}
		if (h < lo || h + 16 > hi) {
			snprintf(why, len, "record %#llx lies outside the live OS stack "
				 "[%#llx, %#llx)", (unsigned long long)h,
				 (unsigned long long)lo, (unsigned long long)hi);
			return 0;
		}
		rt_word prev, handler;
		mc_peek(&r->mem, h, &prev);
		mc_peek(&r->mem, h + 8, &handler);
		if (handler == go)
			return 1;
		if (prev != RT_SEH_END && prev <= h) {
			snprintf(why, len, "record %#llx links down to %#llx",
				 (unsigned long long)h, (unsigned long long)prev);
			return 0;
		}
		h = prev;
	}
	snprintf(why, len, "the chain does not end");
	return 0;
}

void rt_fault(rt *r, uint32_t site)
{
	r->m.nfaults++;
	if (r->cfg.windows) {
		char why[160];
		if (!rt_seh_walk(r, why, sizeof why)) {
			rt_event_add(r, EV_FAULT, 0, 0);
			char msg[200];
			snprintf(msg, sizeof msg, "fault not handled: SEH chain: %s", why);
			rt_throw(r, TH_SEH_UNHANDLED, msg);
			return;
		}
	}
	rt_event_add(r, EV_FAULT, 1, 0);
	rt_gopanic(r, PV_FAULT, 0, site);
}
