/*
** inv_stack.c: MEM1, STK1, STK2, STK3.
**
** MEM1  no load or store touched a dead region (the address space
**       records every such access; nil dereferences are Go panics).
** STK1  lo <= sp <= hi, guard = lo + StackGuard, the region is live; the
**       traceback tiles each segment from sp to its top and ends at
**       goexit; its program frames are the frames the program truly has
**       (each return-PC slot carries the identity the harness gave it).
** STK2  every return-PC slot holds a return point (the unwinder rejects
**       anything else).
** STK3  every word of a live frame that truly points into a stack holds
**       the current address of the slot it was made to point at; so do
**       the runtime's own pointers outside frames: the live barrier
**       entries' savedLRPtr and the top segment's Stktop sp/argp (their
**       truth tags: inv_truth.c).
*/
#include <string.h>

#include "inv.h"

int inv_mem1(inv_ctx *c, inv_violation *v)
{
	const mc_mem *m = &c->r->mem;
	if (!m->nfaults)
		return 0;
	const mc_fault *f = &m->fault[0];
	char a[64];
	inv_fail(v, INV_MEM1, "%s of %s: %s (%llu bad accesses)",
		 f->write ? "store" : "load", inv_addr(c, f->addr, a, sizeof a),
		 f->region ? "region is dead (freed stack, segment or record)"
			   : "unmapped address",
		 (unsigned long long)m->nfaults);
	return 1;
}

static int tb_is_tiling(rt_tbresult t)
{
	return t == TB_OUTSIDE || t == TB_INCOMPLETE || t == TB_FAULT;
}

int inv_stk1(inv_ctx *c, inv_violation *v)
{
	const rt *r = c->r;
	const rt_g *g = &r->g;
	if (g->dead)
		return 0;
	char a[64], b[64], d[64];
	rt_addr sp = g->sched.sp;
	if (!g->stack || !g->stack->live || g->lo != g->stack->base ||
	    g->hi + 8 * RT_STKTOP_WORDS > g->stack->base + g->stack->size) {
		inv_fail(v, INV_STK1, "G%u stack [%s, %s) is not its live region",
			 g->id, inv_addr(c, g->lo, a, sizeof a),
			 inv_addr(c, g->hi, b, sizeof b));
		return 1;
	}
	if (sp < g->lo || sp > g->hi) {
		inv_fail(v, INV_STK1, "G%u sp %s outside [lo, hi) = [%s, %s)", g->id,
			 inv_addr(c, sp, a, sizeof a), inv_addr(c, g->lo, b, sizeof b),
			 inv_addr(c, g->hi, d, sizeof d));
		return 1;
	}
	if (g->guard != g->lo + RT_STACK_GUARD || g->stksize != g->hi - g->lo) {
		inv_fail(v, INV_STK1, "G%u guard %#llx / size %u inconsistent with "
			 "[lo, hi) of %llu bytes", g->id,
			 (unsigned long long)g->guard, g->stksize,
			 (unsigned long long)(g->hi - g->lo));
		return 1;
	}
	if (tb_is_tiling(c->fr.tb)) {
		inv_fail(v, INV_STK1, "G%u traceback: %s: %s", g->id,
			 rt_tbresult_name(c->fr.tb), c->fr.why);
		return 1;
	}
	if (tb_is_tiling(c->fr0.tb)) {
		inv_fail(v, INV_STK1, "OS stack traceback: %s: %s",
			 rt_tbresult_name(c->fr0.tb), c->fr0.why);
		return 1;
	}
	if (c->fr.tb != TB_OK || !c->t)
		return 0;
	/* the program frames must be the true ones, outermost first; the
	** reused frames were matched before (their shadow entries are
	** unchanged: inv_frames), so only the fresh ones are compared */
	const inv_frames *fs = &c->fr;
	uint32_t k = inv_nprog_from(c, fs->fresh);
	const mc_region *rg = NULL; /* the last frame's: one lookup a segment */
	for (uint32_t i = fs->fresh; i-- > 0;) {
		const rt_frame *fr = inv_fr(c, i);
		if (fr->fn->user < 0 || fr->fn->kind != RF_GO ||
		    (fr->pc == fr->fn->entry && i == 0))
			continue; /* runtime frame, or a callee in its prologue */
		rt_addr lp = fr->lrptr; /* mc_cell_at, with rg kept */
		if (!rg || lp < rg->base || lp - rg->base >= rg->size)
			rg = mc_find(&r->mem, lp);
		uint32_t cell = rg && rg->live && !(lp & 7) ?
				rg->cell[(lp - rg->base) / 8] : 0;
		if (k >= c->t->nframes) {
			inv_fail(v, INV_STK1, "traceback has a frame of %s at %s that "
				 "the program does not have", fr->fn->name,
				 inv_addr(c, fr->sp, a, sizeof a));
			return 1;
		}
		const inv_shadow_frame *sf = &c->t->frames[k];
		if ((int32_t)(fr->fn - r->funcs) != sf->fn || cell != sf->cell) {
			inv_fail(v, INV_STK1, "frame %u from the top: traceback finds "
				 "%s at %s, the program is in %s", k, fr->fn->name,
				 inv_addr(c, fr->sp, a, sizeof a),
				 r->funcs[sf->fn].name);
			return 1;
		}
		k++;
	}
	/* reused frames whose return-PC slot was written (barriers): the
	** slot's cell is judged again against the frame's shadow entry */
	const uint32_t *sw;
	uint32_t nsw = inv_slot_frames(c, &sw);
	for (uint32_t j = 0; j < nsw; j++) {
		const rt_frame *fr = &fs->f[sw[j]];
		if (fr->fn->user < 0 || fr->fn->kind != RF_GO ||
		    (fr->pc == fr->fn->entry && sw[j] == fs->n - 1))
			continue;
		uint32_t ks = fs->nprog[sw[j]] - 1;
		if (ks < c->t->nframes &&
		    mc_cell_at(&r->mem, fr->lrptr) != c->t->frames[ks].cell) {
			inv_fail(v, INV_STK1, "frame %u from the top: traceback finds "
				 "%s at %s, the program is in %s", ks, fr->fn->name,
				 inv_addr(c, fr->sp, a, sizeof a),
				 r->funcs[c->t->frames[ks].fn].name);
			return 1;
		}
	}
	if (k != c->t->nframes) {
		inv_fail(v, INV_STK1, "traceback finds %u program frames, the "
			 "program has %u (innermost missing: %s)", k,
			 c->t->nframes, r->funcs[c->t->frames[k < c->t->nframes ? k : 0].fn].name);
		return 1;
	}
	return 0;
}

int inv_stk2(inv_ctx *c, inv_violation *v)
{
	if (c->r->g.dead)
		return 0;
	if (c->fr.tb == TB_BADPC || c->fr.tb == TB_BADRET) {
		inv_fail(v, INV_STK2, "G%u: %s: %s", c->r->g.id,
			 rt_tbresult_name(c->fr.tb), c->fr.why);
		return 1;
	}
	if (c->fr0.tb == TB_BADPC || c->fr0.tb == TB_BADRET) {
		inv_fail(v, INV_STK2, "OS stack: %s: %s",
			 rt_tbresult_name(c->fr0.tb), c->fr0.why);
		return 1;
	}
	return 0;
}

/* Name the frame holding address a, for messages. */
static const char *frame_of(const inv_ctx *c, rt_addr a)
{
	for (uint32_t i = 0; i < c->fr.n; i++) {
		const rt_frame *fr = inv_fr(c, i);
		if (a >= fr->sp && a < fr->fp + fr->fn->argsize)
			return fr->fn->name;
	}
	return "no live frame";
}

/* Checks one word's truth; shared with DEF2 through inv_ptrword. */
int inv_ptrword(inv_ctx *c, inv_violation *v, int id, rt_addr w,
		const char *what, const char *name, const char *post)
{
	const mc_mem *m = &c->r->mem;
	uint32_t tag = mc_ptag_at(m, w);
	if (!tag)
		return 0;
	if (id == INV_STK3 || id == INV_DEF2) /* their reached condition */
		c->reached |= 1u << id;
	rt_word val;
	mc_peek(m, w, &val);
	rt_addr want = mc_cell_addr(m, tag);
	if (val == want && want)
		return 0;
	char a[64], b[64], d[64], holder[80];
	snprintf(holder, sizeof holder, "%s%s%s%s", what, name ? " " : "",
		 name ? name : "", post);
	if (!want)
		inv_fail(v, id, "%s word %s holds %s, but the slot it pointed at "
			 "(cell %u) no longer exists", holder,
			 inv_addr(c, w, a, sizeof a), inv_addr(c, val, b, sizeof b),
			 tag);
	else
		inv_fail(v, id, "%s word %s holds %s, but its slot (cell %u, in "
			 "%s) is now at %s", holder, inv_addr(c, w, a, sizeof a),
			 inv_addr(c, val, b, sizeof b), tag, frame_of(c, want),
			 inv_addr(c, want, d, sizeof d));
	return 1;
}

int inv_stk3(inv_ctx *c, inv_violation *v)
{
	const rt *r = c->r;
	if (r->g.dead)
		return 0;
	/* runtime-written stack pointers outside frames: the live barrier
	** entries' saved slots, and the Stktop links */
	const rt_g *g = &r->g;
	for (uint32_t i = inv_bar_kept(c) ? g->stkbarlen : g->stkbarpos;
	     i < g->stkbarlen; i++)
		if (inv_ptrword(c, v, INV_STK3, rt_stkbar_base(r) +
				8ull * (RT_STKBAR_WORDS * i + SB_LRPTR),
				"barrier entry", NULL, ""))
			return 1;
	/* only the top segment's Stktop can move (only the top segment is
	** copied); an older one was checked while it was on top and is
	** never written again: O(1) a step however many segments */
	if (g->nsegs > 1 &&
	    (inv_ptrword(c, v, INV_STK3, g->hi + 8 * STKTOP_SP, "Stktop", NULL, " sp") ||
	     inv_ptrword(c, v, INV_STK3, g->hi + 8 * STKTOP_ARGP, "Stktop", NULL, " argp")))
		return 1;
	if (c->fr.tb != TB_OK) { /* fall back to the top segment's used part */
		for (rt_addr w = r->g.sched.sp; w < r->g.hi; w += 8)
			if (inv_ptrword(c, v, INV_STK3, w, "stack", NULL, ""))
				return 1;
		return 0;
	}
	const rt_addr *rw;
	uint32_t nrw = inv_rechecks(c, &rw);
	for (uint32_t i = 0; i < nrw; i++) /* written words of reused frames */
		if (rw[i] >= inv_fr(c, c->fr.fresh)->sp &&
		    inv_ptrword(c, v, INV_STK3, rw[i], "stack", NULL, ""))
			return 1;
	for (uint32_t i = 0; i < c->fr.fresh; i++) { /* reused frames: unchanged */
		if (!c->fr.tagged[c->fr.n - 1 - i])
			continue; /* the walk read every word untagged */
		const rt_frame *fr = inv_fr(c, i);
		rt_addr end = fr->fp + fr->fn->argsize;
		const mc_region *rg = inv_span(c, fr->sp, end);
		if (!rg) {
			for (rt_addr w = fr->sp; w < end; w += 8)
				if (inv_ptrword(c, v, INV_STK3, w, "frame", fr->fn->name, ":"))
					return 1;
			continue;
		}
		for (rt_addr w = fr->sp; w < end; w += 8)
			if (inv_ptrword_in(c, v, INV_STK3, rg, w, "frame", fr->fn->name, ":"))
				return 1;
	}
	return 0;
}
