/*
** inv_cgo.c: CGO1, CGO2, SEH1, SEH2, SEH3.
**
** CGO1  m.ncgo equals the active Go->C transitions, counted from the
**       stack: cgocall frames whose endcgo has not run yet (its record
**       still pending, or its frame not past the entry); after each
**       callback return or unwind, g0.sched.sp (m.g0sp) and curg.sched.pc
**       are exactly what they were before it (harness truth).
** CGO2  the runtime-internal thread lock is held once per active cgo
**       call, and the user lock count is what the program's
**       LockOSThread/UnlockOSThread calls make it (so a user lock survives
**       a panic through cgo, and the internal one does not leak).
** SEH1  (windows/386) fs:0 points to a record in the live part of the OS
**       stack [sp, hi); the chain ascends and ends at Go's mstart record.
** SEH2  every active callbackasm1 frame's record is in the chain; when a
**       cgo call returns to Go, normally or by unwinding, the head is its
**       value at the call's entry (harness truth).
** SEH3  a simulated fault walked the chain to Go's handler.
*/
#include <string.h>

#include "inv.h"

enum { CHAIN_MAX = 1 << 20 };

/* Active cgo calls, from memory: pending endcgo records (counted as the
** defer chain was collected, inv_dchain.c), plus endcgo calls under way
** (their record is started or already freed): endcgo's body returns in
** the step it runs, so a frame on the stack has not run it yet. */
static uint32_t active_cgo(const inv_ctx *c)
{
	return inv_dchain_endcgo(&c->dc) + inv_endcgo_frames(c);
}

int inv_cgo1(inv_ctx *c, inv_violation *v)
{
	if (c->t && c->t->cgobad) {
		inv_fail(v, INV_CGO1, "%s", c->t->cgomsg);
		return 1;
	}
	if (c->r->g.dead || c->fr.tb != TB_OK)
		return 0;
	uint32_t want = active_cgo(c);
	if (c->r->m.ncgo != want) {
		inv_fail(v, INV_CGO1, "ncgo is %u, but %u cgo calls are active on "
			 "the stack", c->r->m.ncgo, want);
		return 1;
	}
	return 0;
}

int inv_cgo2(inv_ctx *c, inv_violation *v)
{
	rt *r = c->r;
	if (r->g.dead || c->fr.tb != TB_OK)
		return 0;
	uint32_t want = active_cgo(c);
	if (r->m.lockedint != want) {
		inv_fail(v, INV_CGO2, "the internal thread lock is held %u times "
			 "with %u cgo calls active", r->m.lockedint, want);
		return 1;
	}
	if (c->t && r->g.lockedext != c->t->locks) {
		inv_fail(v, INV_CGO2, "LockOSThread count is %u, the program's "
			 "calls make it %u", r->g.lockedext, c->t->locks);
		return 1;
	}
	return 0;
}

int inv_seh1(inv_ctx *c, inv_violation *v)
{
	rt *r = c->r;
	if (!r->cfg.windows)
		return 0;
	char a[64], b[64];
	rt_addr lo = rt_g0_live_sp(r), hi = r->g0.hi;
	rt_addr sig = r->funcs[RTF_SIGTRAMP].entry, ch = r->funcs[RTF_CHANDLER].entry;
	rt_addr h = r->m.seh;
	for (uint32_t n = 0; n < CHAIN_MAX; n++) {
		if (h < lo || h + 16 > hi) {
			inv_fail(v, INV_SEH1, "SEH %s %s lies outside the live OS stack "
				 "[%s, top)", n ? "record" : "head",
				 inv_addr(c, h, a, sizeof a), inv_addr(c, lo, b, sizeof b));
			return 1;
		}
		rt_word prev, handler;
		rt_peek(&r->mem, h, &prev);
		rt_peek(&r->mem, h + 8, &handler);
		if (handler != sig && handler != ch) {
			inv_fail(v, INV_SEH1, "SEH record %s has handler %#llx, no "
				 "handler's", inv_addr(c, h, a, sizeof a),
				 (unsigned long long)handler);
			return 1;
		}
		if (prev == RT_SEH_END) {
			if (h != r->m.mstartseh) {
				inv_fail(v, INV_SEH1, "SEH chain ends at %s, not at Go's "
					 "mstart record", inv_addr(c, h, a, sizeof a));
				return 1;
			}
			return 0;
		}
		if (prev <= h) {
			inv_fail(v, INV_SEH1, "SEH record %s links down to %s",
				 inv_addr(c, h, a, sizeof a),
				 inv_addr(c, prev, b, sizeof b));
			return 1;
		}
		h = prev;
	}
	inv_fail(v, INV_SEH1, "SEH chain does not end");
	return 1;
}

int inv_seh2(inv_ctx *c, inv_violation *v)
{
	rt *r = c->r;
	if (!r->cfg.windows)
		return 0;
	if (c->t && c->t->sehbad) {
		inv_fail(v, INV_SEH2, "%s", c->t->sehmsg);
		return 1;
	}
	if (c->fr0.tb != TB_OK)
		return 0;
	/* the chain's records from the head while each link lies above its
	** record (so they ascend), walked once: a callback frame's record is
	** in the chain iff a binary search finds it (not one walk per frame) */
	uint32_t nrecs = 0;
	int walked = 0;
	for (uint32_t i = 0; i < c->fr0.n; i++) {
		const rt_frame *fr = &c->fr0.f[i];
		/* the record exists once the body ran: g0 rests at its return
		** point while the Go side of the callback runs */
		if (fr->fn != &r->funcs[RTF_CGOCALLBACK] ||
		    fr->pc != rt_retpc(fr->fn, 0))
			continue;
		if (!walked) {
			rt_addr h = r->m.seh;
			for (uint32_t n = 0; n < CHAIN_MAX && h && h != RT_SEH_END; n++) {
				c->sehrecs = inv_grow(c->sehrecs, &c->capsehrecs,
						      nrecs + 1, sizeof *c->sehrecs);
				c->sehrecs[nrecs++] = h;
				rt_word prev;
				if (rt_peek(&r->mem, h, &prev) || prev <= h)
					break;
				h = prev;
			}
			walked = 1;
		}
		rt_addr rec = fr->sp + 8 * CB_SEH_PREV;
		uint32_t lo = 0, hi = nrecs;
		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;
			if (c->sehrecs[mid] < rec)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!(lo < nrecs && c->sehrecs[lo] == rec)) {
			char a[64];
			inv_fail(v, INV_SEH2, "callbackasm1 frame's SEH record %s is not "
				 "in the chain", inv_addr(c, rec, a, sizeof a));
			return 1;
		}
	}
	return 0;
}

int inv_seh3(inv_ctx *c, inv_violation *v)
{
	rt *r = c->r;
	for (uint32_t i = 0; i < r->nev; i++)
		if (r->ev[i].kind == EV_FAULT && !r->ev[i].a) {
			char why[160];
			rt_seh_walk(r, why, sizeof why);
			inv_fail(v, INV_SEH3, "a fault did not reach Go's handler: %s",
				 why);
			return 1;
		}
	return 0;
}
