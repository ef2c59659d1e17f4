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
**
** SEH1 is incremental: the chain it verified at the previous check is
** kept (inv_ctx.seh1c), and the walk from the head stops at a cached
** record that lies above every OS-stack word written since; the records
** outward of it are unchanged and were good. --verify-incremental runs
** SEH1 again without the cache and compares the verdict.
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

/* CGO1's fact half: after a callback, g0.sched.sp (and, when it
** returned normally, curg.sched.pc) are what they were before it. */
static int callback_facts(inv_ctx *c, inv_violation *v)
{
	if (!c->t)
		return 0;
	for (uint32_t i = 0; i < c->t->nfacts; i++) {
		const inv_fact *x = &c->t->facts[i];
		char a[64], b[64];
		if (x->kind != IF_CBEND)
			continue;
		if (x->got[0] != x->want[0]) {
			inv_fail(v, INV_CGO1, "after a callback %s g0.sched.sp is %s, "
				 "before it was %s", x->normal ? "returned" : "was unwound",
				 inv_addr(c, (rt_addr)x->got[0], a, sizeof a),
				 inv_addr(c, (rt_addr)x->want[0], b, sizeof b));
			return 1;
		}
		if (x->normal && x->got[1] != x->want[1]) {
			inv_fail(v, INV_CGO1, "after a callback returned curg.sched.pc "
				 "is %#llx, before it was %#llx",
				 (unsigned long long)x->got[1],
				 (unsigned long long)x->want[1]);
			return 1;
		}
	}
	return 0;
}

int inv_cgo1(inv_ctx *c, inv_violation *v)
{
	if (callback_facts(c, v))
		return 1;
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
	const rt *r = c->r;
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

/* The new SEH1 cache: the n records walked (c->seh1tmp), then the
** `tail` cached ones from index j on. */
static void seh1_keep(inv_ctx *c, uint32_t n, uint32_t j, uint32_t tail,
		      const rt_addr key[4])
{
	c->seh1tmp = inv_grow(c->seh1tmp, &c->capseh1tmp, n + tail, sizeof *c->seh1tmp);
	if (tail)
		memcpy(c->seh1tmp + n, c->seh1c + j, tail * sizeof *c->seh1tmp);
	rt_addr *t = c->seh1c;
	uint32_t cap = c->capseh1;
	c->seh1c = c->seh1tmp;
	c->capseh1 = c->capseh1tmp;
	c->seh1tmp = t;
	c->capseh1tmp = cap;
	c->nseh1 = n + tail;
	c->seh1valid = 1;
	c->seh1check = c->ncheck;
	c->seh1gen = mc_changes(&c->r->mem)->osgen;
	c->seh1done = mc_changes(&c->r->mem)->ndone;
	memcpy(c->seh1key, key, sizeof c->seh1key);
}

int inv_seh1(inv_ctx *c, inv_violation *v)
{
	const rt *r = c->r;
	if (!r->cfg.windows)
		return 0;
	char a[64], b[64];
	rt_addr lo = rt_g0_live_sp(r), hi = r->g0.hi;
	rt_addr sig = r->funcs[RTF_SIGTRAMP].entry, ch = r->funcs[RTF_CHANDLER].entry;
	rt_addr key[4] = {hi, r->m.mstartseh, sig, ch};
	const mc_log *lg = mc_changes(&r->mem);
	/* reuse only while the log's marks cover every write since the
	** cache was made (at most one epoch closed since: a check made only
	** on some steps, as of another M, sees more closed), same key */
	int reuse = inv_cache_fresh(c, c->seh1valid, c->seh1done) &&
		    !memcmp(key, c->seh1key, sizeof key);
	rt_addr limit = c->seh1gen == lg->osgen ? 0 : lg->os_hi;
	uint32_t j = 0; /* first cached record >= h (both ascend) */
	c->seh1valid = 0; /* until this check passes (seh1_keep) */
	rt_addr h = r->m.seh;
	for (uint32_t n = 0; n < CHAIN_MAX; n++) {
		if (h < lo || h + 16 > hi) {
			inv_fail(v, INV_SEH1, "SEH %s %s lies outside the live OS stack "
				 "[%s, top)", n ? "record" : "head",
				 inv_addr(c, h, a, sizeof a), inv_addr(c, lo, b, sizeof b));
			return 1;
		}
		if (reuse) {
			while (j < c->nseh1 && c->seh1c[j] < h)
				j++;
			/* h and every record outward were good and are unwritten
			** (each >= h >= lo, the same hi and end record) */
			const mc_region *rg;
			if (j < c->nseh1 && c->seh1c[j] == h && h > limit &&
			    n + (c->nseh1 - j) <= CHAIN_MAX &&
			    (rg = mc_find(&r->mem, h)) && rg->live &&
			    hi <= rg->base + rg->size) {
				seh1_keep(c, n, j, c->nseh1 - j, key);
				return 0;
			}
		}
		c->seh1tmp = inv_grow(c->seh1tmp, &c->capseh1tmp, n + 1,
				      sizeof *c->seh1tmp);
		c->seh1tmp[n] = h;
		rt_word prev, handler;
		mc_peek(&r->mem, h, &prev);
		mc_peek(&r->mem, h + 8, &handler);
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
			seh1_keep(c, n + 1, 0, 0, key); /* all walked */
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

/* First index i in [from, n) with v[i] >= x, v ascending and every v[i]
** below from less than x: galloping up from `from`, O(log distance). */
static uint32_t lower_bound_up(const rt_addr *v, uint32_t n, uint32_t from, rt_addr x)
{
	uint32_t lo = from, hi = n;
	for (uint32_t step = 1; lo < n; step *= 2) {
		uint32_t probe = n - lo > step ? lo + step - 1 : n - 1;
		if (v[probe] >= x) {
			hi = probe;
			break;
		}
		lo = probe + 1;
	}
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* First index in [0, top] whose prefix count (nondecreasing) reaches
** want, given that cnt[top] does: galloping down from top. */
static uint32_t first_count_down(const uint32_t *cnt, uint32_t top, uint32_t want)
{
	uint32_t at = 0, hi = top;
	for (uint32_t step = 1; hi > 0; step *= 2) {
		uint32_t probe = hi > step ? hi - step : 0;
		if (cnt[probe] < want) {
			at = probe + 1;
			break;
		}
		hi = probe;
	}
	while (at < hi) {
		uint32_t mid = at + (hi - at) / 2;
		if (cnt[mid] < want)
			at = mid + 1;
		else
			hi = mid;
	}
	return at;
}

int inv_seh2(inv_ctx *c, inv_violation *v)
{
	const rt *r = c->r;
	if (!r->cfg.windows)
		return 0;
	for (uint32_t i = 0; c->t && i < c->t->nfacts; i++) {
		const inv_fact *x = &c->t->facts[i];
		char a[64], b[64];
		if (x->kind == IF_CGORET && x->got[0] != x->want[0]) {
			inv_fail(v, INV_SEH2, "after a cgo call returned to Go the SEH "
				 "head is %s, at the call's entry it was %s",
				 inv_addr(c, (rt_addr)x->got[0], a, sizeof a),
				 inv_addr(c, (rt_addr)x->want[0], b, sizeof b));
			return 1;
		}
	}
	if (c->fr0.tb != TB_OK)
		return 0;
	/* nothing on the OS side changed since a passing check: the same
	** chain (its head, no OS-stack word written) and the same OS-stack
	** frames (fr0 is a function of g0's sched and bounds, mstartsp and
	** those words): every callback record is still in the chain */
	const mc_log *lg = mc_changes(&r->mem);
	rt_addr key[6] = {r->m.seh, r->g0.sched.pc, r->g0.sched.sp, r->g0.lo,
			  r->g0.hi, r->m.mstartsp};
	if (inv_cache_fresh(c, c->seh2valid, c->seh2done) && lg->osgen == c->seh2gen &&
	    !memcmp(key, c->seh2key, sizeof key)) {
		c->seh2done = lg->ndone;
		c->nseh2kept++;
		return 0;
	}
	/* the chain's records from the head while each link lies above its
	** record (so they ascend), walked once: a callback frame's record is
	** in the chain iff a search finds it (not one walk per frame); the
	** frames go outward, so their records ascend too and each search
	** gallops on from where the last one ended (the nest's records
	** interleave with the frames': O(1) a frame, not O(log n)) */
	uint32_t nrecs = 0, lo = 0;
	const rt_addr *recs = NULL;
	int walked = 0;
	/* the callback frames at their return point (the record exists once
	** the body ran: g0 rests there while the Go side of the callback
	** runs), innermost first, found through fr0's prefix counts: the
	** innermost one at or outside stored s - 1 is the first index whose
	** count reaches ncback[s - 1] (a search galloping down from s - 1,
	** not a scan of every OS-stack frame) */
	const inv_frames *f0 = &c->fr0;
	for (uint32_t s = f0->n; s > 0 && f0->ncback[s - 1];) {
		uint32_t at = first_count_down(f0->ncback, s - 1, f0->ncback[s - 1]);
		s = at;
		const rt_frame *fr = &f0->f[at];
		if (!walked && c->seh1valid && c->seh1check == c->ncheck) {
			/* SEH1 passed in this check: the chain ascends from the
			** head to the end record, and its records are what the
			** walk below would collect */
			recs = c->seh1c;
			nrecs = c->nseh1;
			walked = 1;
		}
		if (!walked) {
			rt_addr h = r->m.seh;
			for (uint32_t n = 0; n < CHAIN_MAX && h && h != RT_SEH_END; n++) {
				c->sehrecs = inv_grow(c->sehrecs, &c->capsehrecs,
						      nrecs + 1, sizeof *c->sehrecs);
				c->sehrecs[nrecs++] = h;
				recs = c->sehrecs;
				rt_word prev;
				if (mc_peek(&r->mem, h, &prev) || prev <= h)
					break;
				h = prev;
			}
			walked = 1;
		}
		/* above the last frame's record, which was recs[lo] (the g0
		** walk's sp ascends strictly outward): the search goes on */
		rt_addr rec = fr->sp + 8 * CB_SEH_PREV;
		lo = lower_bound_up(recs, nrecs, lo, rec);
		if (!(lo < nrecs && recs[lo] == rec)) {
			char a[64];
			inv_fail(v, INV_SEH2, "callbackasm1 frame's SEH record %s is not "
				 "in the chain", inv_addr(c, rec, a, sizeof a));
			return 1;
		}
	}
	memcpy(c->seh2key, key, sizeof key);
	c->seh2gen = lg->osgen;
	c->seh2done = lg->ndone;
	c->seh2valid = 1;
	return 0;
}

int inv_seh3(inv_ctx *c, inv_violation *v)
{
	const rt *r = c->r;
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

/*
** CGO3  while the G is in C (a C frame of its innermost cgo call is
**       running and no callback is above it), g.syscallsp and syscallpc
**       are the sp of that call's cgocall frame and cgocall's return
**       point into asmcgocall, and so are the G's saved sched.sp/pc;
**       whenever syscallsp is set at all it names
**       the innermost cgo call; inside each active callback, the copies
**       cgocallback_gofunc saved are those of the cgo call the callback
**       returns to. The truth (inv_truth.c) names cgocall's sp word by an
**       identity cell when the call's frame is entered, and the saved
**       copy's word by one when the callback frame is built, so copies
**       and shrinks carry both.
*/
/* ---- CGO3's callbacks between checks ----
** CGO3 reads, for every active callback, two saved words in its
** cgocallback_gofunc frame and the address of the cgocall sp word they
** must name: O(cgo nest depth) lookups a step, and a Go -> C -> Go nest
** grows one callback per level. A callback's verdict depends only on
** its two cells (the truth's: which words), the saved words, and the
** addresses of the cells. So after a passing check of the same G stack
** (base, hi, extram: the bottom callback of an extra M names hi), with
** one epoch closed since and the same stack generation (no move: a
** cell moves only with its stack, and a release is a new generation),
** callbacks [0, j) are as verified if the truth touched none of their
** entries since (its cbmod and cgomod marks: pushes, pops, new cells)
** and their saved words all lie above every word of this stack written
** since (a new cell at an address logs a write there; a callback frame
** lies on its G's stack, one segment, the same region since). The
** address a cgo call's cell names needs no such bound: only a new cell
** there changes it, and that retires the truth's, which leaves nothing
** to compare. Callbacks are a stack (what changes is the innermost):
** the lowest saved word of [0, i] only falls with i, so the longest
** such prefix is found by a binary search, O(log depth) a step. */
static uint32_t cgo3_kept(inv_ctx *c, rt_addr xsp)
{
	const rt *r = c->r;
	const rt_g *g = &r->g;
	const inv_truth *t = c->t;
	const mc_log *lg = mc_changes(&r->mem);
	if (!inv_cache_fresh(c, c->cbcvalid, c->cbcdone) || !g->stack ||
	    !g->stack->live || g->nsegs != 1 || lg->stackgen != c->cbcgen)
		return 0;
	rt_addr key[3] = {g->stack->base, xsp, t->extram};
	if (memcmp(key, c->cbckey, sizeof key))
		return 0;
	rt_addr words = inv_written_hi(lg, g->stack);
	/* entries the truth has not touched since: cb[i], and cgo[i -
	** extram] it names (and only those the cache holds: a push since
	** marks cbmod anyway) */
	uint32_t n = c->ncbc < t->ncb ? c->ncbc : t->ncb;
	if (t->cbmod < n)
		n = t->cbmod;
	if (t->cgomod < n && t->cgomod + t->extram < n)
		n = t->cgomod + t->extram;
	/* the longest prefix whose lowest saved word lies above every
	** write (pmin does not increase with i: a binary search) */
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;
		if (c->cbpmin[mid - 1] > words)
			lo = mid;
		else
			hi = mid - 1;
	}
	c->ncbkept += lo;
	return lo;
}

static void cgo3_keep(inv_ctx *c, rt_addr xsp)
{
	const rt *r = c->r;
	const mc_log *lg = mc_changes(&r->mem);
	if (!r->g.stack || !r->g.stack->live)
		return;
	rt_addr key[3] = {r->g.stack->base, xsp, c->t->extram};
	memcpy(c->cbckey, key, sizeof key);
	c->ncbc = c->t->ncb;
	c->cbcgen = lg->stackgen;
	c->cbcdone = lg->ndone;
	c->cbcvalid = 1;
}

int inv_cgo3(inv_ctx *c, inv_violation *v)
{
	const inv_truth *t = c->t;
	const rt *r = c->r;
	const rt_g *g = &r->g;
	if (!t || g->dead)
		return 0;
	char a[64], b[64], d[64];
	rt_addr wantpc = rt_retpc(&r->funcs[RTF_CGOCALL], 0);
	/* an extra M's G parked in C at goexit (needm): the top of its
	** stack (unknown once it segmented) and goexit's return point */
	rt_addr xpc = rt_retpc(&r->funcs[RTF_GOEXIT], 0);
	rt_addr xsp = g->nsegs == 1 ? g->hi : 0;
	int inc = t->ncgo && inv_truth_cbin(t) < t->ncgo && t->cgo[t->ncgo - 1].cdepth;
	if (!t->ncgo && t->extram && (g->syscallsp || g->syscallpc)) {
		if (g->syscallpc != xpc || (xsp && g->syscallsp != xsp)) {
			inv_fail(v, INV_CGO3, "extra M's G: syscallsp %s, syscallpc "
				 "%#llx; needm leaves them at %s, %#llx",
				 inv_addr(c, g->syscallsp, a, sizeof a),
				 (unsigned long long)g->syscallpc,
				 inv_addr(c, xsp, b, sizeof b), (unsigned long long)xpc);
			return 1;
		}
	} else if (g->syscallsp || g->syscallpc || inc) {
		if (!t->ncgo) {
			inv_fail(v, INV_CGO3, "syscallsp %s / syscallpc %#llx set, but "
				 "the G made no cgo call", inv_addr(c, g->syscallsp, a, sizeof a),
				 (unsigned long long)g->syscallpc);
			return 1;
		}
		rt_addr want = inv_truth_syscallsp(t, r, t->ncgo - 1);
		if (want && (g->syscallsp != want || g->syscallpc != wantpc)) {
			inv_fail(v, INV_CGO3, "%s: syscallsp %s, syscallpc %#llx; its cgo "
				 "call's frame is at %s, return point %#llx",
				 inc ? "in C" : "in a cgo call",
				 inv_addr(c, g->syscallsp, a, sizeof a),
				 (unsigned long long)g->syscallpc,
				 inv_addr(c, want, b, sizeof b), (unsigned long long)wantpc);
			return 1;
		}
		/* in C the G's saved context is the call's too: sched.sp is a
		** register, not memory, so it has no truth tag; this is where a
		** saved one is held to the truth (a copy during a callback
		** moves it, and the callback's return restores it) */
		if (inc && want && (g->sched.sp != want || g->sched.pc != wantpc)) {
			inv_fail(v, INV_CGO3, "in C: the G's saved sched.sp %s, sched.pc "
				 "%#llx; its cgo call's frame is at %s, return point %#llx",
				 inv_addr(c, g->sched.sp, a, sizeof a),
				 (unsigned long long)g->sched.pc,
				 inv_addr(c, want, b, sizeof b), (unsigned long long)wantpc);
			return 1;
		}
		if (inc)
			c->reached |= 1u << INV_CGO3;
	}
	if (!t->ncb) {
		c->cbcvalid = 0; /* no callback: nothing to keep */
		return 0;
	}
	uint32_t kept = cgo3_kept(c, xsp);
	c->cbcvalid = 0; /* until this check passes */
	c->cbpmin = inv_grow(c->cbpmin, &c->capcbc, t->ncb, sizeof *c->cbpmin);
	for (uint32_t i = kept; i < t->ncb; i++) {
		rt_addr *pmin = &c->cbpmin[i];
		*pmin = i ? c->cbpmin[i - 1] : MC_ADDR_MAX;
		if (!t->cb[i].slotcell)
			continue; /* its frame is not built yet */
		rt_addr slot = mc_cell_addr(&r->mem, t->cb[i].slotcell);
		if (slot < *pmin)
			*pmin = slot;
		rt_word sp = 0, pc = 0;
		/* callback i returns to cgo call i, or on an extra M's G to
		** cgo call i - 1, its bottom one to the needm state */
		int bottom = t->extram && i == 0;
		rt_addr want = bottom ? xsp : inv_truth_syscallsp(t, r, i - t->extram);
		rt_addr wpc = bottom ? xpc : wantpc;
		if (!slot || mc_peek(&r->mem, slot, &sp) ||
		    mc_peek(&r->mem, slot + 8 * (CBG_SYSCALLPC - CBG_SYSCALLSP), &pc)) {
			inv_fail(v, INV_CGO3, "callback %u: the syscallsp saved in its "
				 "cgocallback_gofunc frame is gone", i + 1);
			return 1;
		}
		if ((want && sp != want) || pc != wpc) {
			inv_fail(v, INV_CGO3, "callback %u: cgocallback_gofunc saved "
				 "syscallsp %s, syscallpc %#llx at %s; the cgo call it returns "
				 "to has its frame at %s, return point %#llx", i + 1,
				 inv_addr(c, sp, a, sizeof a), (unsigned long long)pc,
				 inv_addr(c, slot, b, sizeof b),
				 inv_addr(c, want, d, sizeof d), (unsigned long long)wpc);
			return 1;
		}
		c->reached |= 1u << INV_CGO3;
	}
	cgo3_keep(c, xsp);
	return 0;
}
