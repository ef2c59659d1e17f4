/*
** inv_bar.c: BAR1-BAR5, the GC stack barrier invariants.
**
** BAR1  barrier count: 0 <= pos <= len <= cap == gcMaxStackBarriers(size);
**       the words of the live stack holding the barrier PC number exactly
**       len - pos; each live entry's slot holds it; live entries ascend.
** BAR2  the barrier PC is never in the G's sched.pc, syscallpc, a live
**       entry's saved return PC, or cgocallback_gofunc's return slot.
** BAR3  placement, checked at each scan: the installed slots are exactly
**       the ones the offset rule gives (first frame past sp + 1024, then
**       doubling on each install; every frame but the innermost in
**       every-frame mode; never the innermost frame).
** BAR4  outside the mark phase no barrier is installed and no stack word
**       holds the barrier PC.
** BAR5  no live barrier lies below sched.sp (a recovery must mark the
**       barriers of the frames it discards as hit).
*/
#include <string.h>

#include "inv.h"

static rt_addr bar_entry(const rt *r, uint32_t i, int field)
{
	return rt_stkbar_base(r) + 8ull * (RT_STKBAR_WORDS * i + field);
}

static rt_word pk(const rt *r, rt_addr a)
{
	rt_word v = 0;
	mc_peek(&r->mem, a, &v);
	return v;
}

/* ---- the live entries between checks ----
** BAR1, BAR2, BAR5 and STK3 each read every live entry and its slot:
** O(entries) a step for as long as barriers are live, one per frame in
** every-frame mode. The runtime changes an entry, a slot, or the cell a
** slot's pointer names only by writes into the G's stack region (a scan
** installs, a return through a barrier hits, mark termination removes,
** a recovery marks hit: each a logged word; a copy: a new region and a
** new stack generation) or by moving pos and len. So after a check of
** the same G in which all four ran and passed, the entries are as they
** were if: one epoch closed since (the log covers every write), the same
** stack generation, stack bounds and len, pos the same or advanced (the
** live ones a tail of those verified), no logged write at or above the
** lowest live slot (the slots ascend from there to below hi, then
** Stktop and the array), and sched.sp still at or below that slot (no
** entry below sp). Each of the four then judges its entries as it
** did then and skips its loop over them; the rest of each runs as
** always. Gotcha: a check that reuses stores again (inv_bar_keep), so
** "verified" is carried from the last full loop, never assumed. */
int inv_bar_kept(inv_ctx *c)
{
	if (c->have_barkept)
		return c->barkept;
	c->have_barkept = 1;
	c->barkept = 0;
	const rt *r = c->r;
	const rt_g *g = &r->g;
	const mc_log *lg = mc_changes(&r->mem);
	if (!inv_cache_fresh(c, c->barvalid, c->bardone) || g->dead || !g->stack ||
	    !g->stack->live || lg->stackgen != c->bargen)
		return 0;
	/* pos may have advanced (returns through barriers): the entries
	** still live are a tail of the verified ones, the lowest slot is
	** then the new pos's (read from the array, which lies above every
	** slot: a write to it is caught below) */
	rt_addr key[4] = {g->stack->base, g->lo, g->hi, g->stkbarlen};
	if (memcmp(key, c->barkey, sizeof key) || g->stkbarpos < c->barpos ||
	    g->stkbarpos >= g->stkbarlen)
		return 0;
	rt_addr lo = g->stkbarpos == c->barpos ? c->barmin
					       : pk(r, bar_entry(r, g->stkbarpos, SB_LRPTR));
	if (g->sched.sp > lo)
		return 0;
	if (inv_written_hi(lg, g->stack) >= lo)
		return 0;
	c->nbarkept++;
	return c->barkept = 1;
}

void inv_bar_keep(inv_ctx *c, int bad)
{
	const uint32_t four = (1u << INV_BAR1) | (1u << INV_BAR2) |
			      (1u << INV_BAR5) | (1u << INV_STK3);
	const rt *r = c->r;
	const rt_g *g = &r->g;
	c->barvalid = 0;
	if (bad || (c->mask & four) != four || g->dead || !g->stack ||
	    !g->stack->live || g->stkbarpos >= g->stkbarlen)
		return;
	/* BAR1 and BAR5 passed: the live slots ascend, none below sp; all
	** must lie in the stack's usable part, so that a write to any of
	** them is a write to this region at or above the lowest */
	rt_addr lo = pk(r, bar_entry(r, g->stkbarpos, SB_LRPTR));
	rt_addr hi = pk(r, bar_entry(r, g->stkbarlen - 1, SB_LRPTR));
	if (lo < g->lo || hi >= g->hi || lo < g->sched.sp)
		return;
	const mc_log *lg = mc_changes(&r->mem);
	rt_addr key[4] = {g->stack->base, g->lo, g->hi, g->stkbarlen};
	memcpy(c->barkey, key, sizeof key);
	c->barpos = g->stkbarpos;
	c->barmin = lo;
	c->bargen = lg->stackgen;
	c->bardone = lg->ndone;
	c->barvalid = 1;
}

/* Words of the live stack that hold the barrier PC. The frames tile it;
** every stored frame's count was taken when it was fresh (inv_frames
** nbarw), and reused frames have not been written since but for the
** rechecked words: while no barrier is live the last check found none in
** them, so those holding the barrier PC now are added; while barriers
** are live the frames holding them were counted again (barcounted). */
static uint32_t scan_barrier_words(const inv_ctx *c, rt_addr *first)
{
	const rt *r = c->r;
	uint32_t n = 0;
	rt_addr bpc = rt_barrier_pc(r);
	*first = 0;
	if (c->fr.tb != TB_OK) {
		for (rt_addr w = r->g.sched.sp; w < r->g.hi; w += 8)
			if (pk(r, w) == bpc && !n++)
				*first = w;
		return n;
	}
	n = c->fr.n ? c->fr.nbarw[c->fr.n - 1] : 0;
	const rt_addr *rw; /* written words of reused frames */
	uint32_t nrw = c->fr.barcounted ? 0 : inv_rechecks(c, &rw);
	for (uint32_t i = 0; i < nrw; i++)
		if (rw[i] >= inv_fr(c, c->fr.fresh)->sp && pk(r, rw[i]) == bpc)
			n++;
	return n;
}

/* The first word holding the barrier PC, in the order the messages name
** it: fresh frames innermost first, the rechecked words, reused frames. */
static rt_addr barrier_first(const inv_ctx *c)
{
	const rt *r = c->r;
	rt_addr bpc = rt_barrier_pc(r);
	if (c->fr.tb != TB_OK)
		return c->nbar_first;
	for (uint32_t i = 0; i <= c->fr.n; i++) {
		if (i == c->fr.fresh) { /* between fresh and reused frames */
			const rt_addr *rw;
			uint32_t nrw = c->fr.barcounted ? 0 : inv_rechecks(c, &rw);
			for (uint32_t k = 0; k < nrw; k++)
				if (rw[k] >= inv_fr(c, c->fr.fresh)->sp &&
				    pk(r, rw[k]) == bpc)
					return rw[k];
		}
		if (i == c->fr.n)
			break;
		const rt_frame *fr = inv_fr(c, i);
		rt_addr end = fr->fp + fr->fn->argsize;
		for (rt_addr w = fr->sp; w < end; w += 8)
			if (pk(r, w) == bpc)
				return w;
	}
	return 0;
}

/* BAR1 and BAR4 share the count. */
static uint32_t count_barrier_words(inv_ctx *c)
{
	if (!c->have_nbar) {
		c->nbar = scan_barrier_words(c, &c->nbar_first);
		c->have_nbar = 1;
	}
	return c->nbar;
}

int inv_bar1(inv_ctx *c, inv_violation *v)
{
	const rt *r = c->r;
	const rt_g *g = &r->g;
	if (g->dead)
		return 0;
	char a[64];
	uint32_t cap = rt_max_barriers(r, g->stksize);
	if (g->stkbarpos > g->stkbarlen || g->stkbarlen > cap) {
		inv_fail(v, INV_BAR1, "barrier bookkeeping pos=%u len=%u cap=%u "
			 "(gcMaxStackBarriers(%u) = %u)", g->stkbarpos, g->stkbarlen,
			 cap, g->stksize, cap);
		return 1;
	}
	rt_addr prev = 0;
	uint32_t below = 0; /* live entries below sp: BAR5's to report */
	uint32_t from = inv_bar_kept(c) ? g->stkbarlen : g->stkbarpos;
	for (uint32_t i = from; i < g->stkbarlen; i++) {
		rt_addr slot = pk(r, bar_entry(r, i, SB_LRPTR));
		if (slot < g->sched.sp) {
			below++;
			continue;
		}
		if (pk(r, slot) != rt_barrier_pc(r)) {
			inv_fail(v, INV_BAR1, "live barrier %u: slot %s does not hold "
				 "the barrier PC (stack barrier lost)", i,
				 inv_addr(c, slot, a, sizeof a));
			return 1;
		}
		if (slot <= prev) {
			inv_fail(v, INV_BAR1, "live barriers out of order at entry %u",
				 i);
			return 1;
		}
		prev = slot;
	}
	uint32_t n = count_barrier_words(c);
	if (n != g->stkbarlen - g->stkbarpos - below) {
		rt_addr first = barrier_first(c);
		inv_fail(v, INV_BAR1, "%u stack words hold the barrier PC (first %s), "
			 "but len - pos = %u - %u = %u (%u below sp)", n,
			 first ? inv_addr(c, first, a, sizeof a) : "-", g->stkbarlen,
			 g->stkbarpos, g->stkbarlen - g->stkbarpos, below);
		return 1;
	}
	return 0;
}

int inv_bar2(inv_ctx *c, inv_violation *v)
{
	const rt *r = c->r;
	const rt_g *g = &r->g;
	rt_addr bpc = rt_barrier_pc(r);
	if (g->dead)
		return 0;
	if (g->sched.pc == bpc || g->syscallpc == bpc) {
		inv_fail(v, INV_BAR2, "the stack barrier PC is in the G's %s",
			 g->sched.pc == bpc ? "sched.pc" : "syscallpc");
		return 1;
	}
	for (uint32_t i = inv_bar_kept(c) ? g->stkbarlen : g->stkbarpos;
	     i < g->stkbarlen; i++)
		if (pk(r, bar_entry(r, i, SB_LRVAL)) == bpc) {
			inv_fail(v, INV_BAR2, "barrier %u saved the barrier PC as its "
				 "return PC", i);
			return 1;
		}
	/* the fresh frames, and the reused ones whose slot was written */
	const uint32_t *sw;
	uint32_t nsw = inv_slot_frames(c, &sw);
	for (uint32_t i = 0; i < c->fr.fresh + nsw; i++) {
		const rt_frame *fr = i < c->fr.fresh ? inv_fr(c, i)
						      : &c->fr.f[sw[i - c->fr.fresh]];
		if (fr->fn == &r->funcs[RTF_CGOCB_GOFUNC] && pk(r, fr->lrptr) == bpc) {
			char a[64];
			inv_fail(v, INV_BAR2, "a stack barrier is installed over "
				 "cgocallback_gofunc's return slot %s (it holds the saved "
				 "sched.pc; golang/go#12238)",
				 inv_addr(c, fr->lrptr, a, sizeof a));
			return 1;
		}
	}
	return 0;
}

int inv_bar3(inv_ctx *c, inv_violation *v)
{
	const rt *r = c->r;
	const rt_g *g = &r->g;
	int scanned = 0;
	rt_addr sp = 0; /* where the step's (last) scan started: its event */
	for (uint32_t i = 0; i < r->nev; i++)
		if (r->ev[i].kind == EV_GCSCAN) {
			scanned = 1;
			sp = (rt_addr)r->ev[i].b;
		}
	if (!scanned || g->dead || c->fr.tb != TB_OK || !r->cfg.barriers ||
	    g->nsegs != 1)
		return 0;
	/* the rule, applied to the frames as they are now (the scan step
	** changes no frame), from where the scan started */
	uint64_t off = rt_first_barrier_offset(r);
	rt_addr next = sp + off;
	uint32_t cap = rt_max_barriers(r, g->stksize), want = 0;
	uint32_t k = 0, started = 0;
	char a[64];
	for (uint32_t i = 0; i < c->fr.n; i++) {
		const rt_frame *fr = inv_fr(c, i);
		if (!started) {
			if (fr->sp != sp)
				continue; /* frames below the scan's sp (none) */
			started = 1;
		}
		int n = k++;
		if (fr->fp <= next || n == 0)
			continue;
		if (fr->fn == &r->funcs[RTF_CGOCB_GOFUNC] || want >= cap)
			continue;
		rt_addr slot = pk(r, bar_entry(r, want, SB_LRPTR));
		if (want >= g->stkbarlen || slot != fr->lrptr) {
			inv_fail(v, INV_BAR3, "barrier %u should be on %s's return slot "
				 "%s by the offset rule, but is %s", want, fr->fn->name,
				 inv_addr(c, fr->lrptr, a, sizeof a),
				 want >= g->stkbarlen ? "missing" : "elsewhere");
			return 1;
		}
		want++;
		off *= 2;
		next = sp + off;
	}
	if (want != g->stkbarlen) {
		inv_fail(v, INV_BAR3, "the scan installed %u barriers, the offset "
			 "rule gives %u", g->stkbarlen, want);
		return 1;
	}
	return 0;
}

int inv_bar4(inv_ctx *c, inv_violation *v)
{
	const rt *r = c->r;
	if (r->gcphase == GC_MARK || r->g.dead)
		return 0;
	/* Installed means live, [pos, len): hit entries name dead slots and
	** nothing reads them. Go clears the array at mark termination only
	** on Gs with a stack to scan; an extra G parked by dropm (_Gdead)
	** keeps its hit entries until its next scan, as Go 1.7's did. */
	const rt_g *g = &r->g;
	uint32_t live = g->stkbarlen > g->stkbarpos ? g->stkbarlen - g->stkbarpos : 0;
	uint32_t n = count_barrier_words(c);
	if (live || n) {
		char a[64];
		rt_addr first = barrier_first(c);
		inv_fail(v, INV_BAR4, "outside the mark phase: %u live barrier entries "
			 "(pos %u, len %u), %u stack words hold the barrier PC (first %s)",
			 live, g->stkbarpos, g->stkbarlen, n,
			 first ? inv_addr(c, first, a, sizeof a) : "-");
		return 1;
	}
	return 0;
}

int inv_bar5(inv_ctx *c, inv_violation *v)
{
	const rt *r = c->r;
	const rt_g *g = &r->g;
	if (g->dead)
		return 0;
	rt_addr sp = g->sched.sp;
	for (uint32_t i = inv_bar_kept(c) ? g->stkbarlen : g->stkbarpos;
	     i < g->stkbarlen; i++) {
		rt_addr slot = pk(r, bar_entry(r, i, SB_LRPTR));
		if (slot < sp) {
			char a[64], b[64];
			inv_fail(v, INV_BAR5, "live barrier %u at %s lies below sched.sp "
				 "%s", i, inv_addr(c, slot, a, sizeof a),
				 inv_addr(c, sp, b, sizeof b));
			return 1;
		}
	}
	return 0;
}
