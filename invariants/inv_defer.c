/*
** inv_defer.c: DEF1-DEF4 and PAN1.
**
** DEF1  every pending defer record is live; its sp/argp are those of a
**       live frame of the function that deferred it (findfunc(d.pc));
**       the chain is ordered innermost first.
** DEF2  every argument word of a pending defer that truly points into a
**       stack holds the current address of its slot (TestDeferPtrs).
** DEF3  in a step that copied a stack, every frame of the copied segment
**       has a locals map (and an args map if it has arguments), and every
**       defer on it names a function with both maps (seed 002).
** DEF4  a `check` saw the intended value through the intended slot.
** PAN1  each panic record is the record of a live gopanic/goexit1 frame,
**       in chain order, with 0/1 flags, recovered only at the head, argp
**       0 or the argument pointer of the deferred call it is running;
**       recover() answered as Go would (the harness's truth).
*/
#include <string.h>

#include "inv.h"

enum { CHAIN_MAX = 1 << 20 };

/* `guess`: the stored index the frame may have (UINT32_MAX: none). */
static int frame_at_sp(const inv_ctx *c, rt_addr sp, uint32_t from, uint32_t guess)
{
	int i = inv_frame_at_hint(c, sp, guess);
	if (i < (int)from || inv_fr(c, i)->pc == inv_fr(c, i)->fn->entry)
		return -1;
	return i;
}

static int is_panicfn(const inv_ctx *c, const rt_frame *fr);

static int panic_frame_at(const inv_ctx *c, rt_addr p, uint32_t guess)
{
	int i = inv_frame_at_hint(c, p, guess);
	return i >= 0 && is_panicfn(c, inv_fr(c, i));
}

static int record_live(const inv_ctx *c, rt_addr d)
{
	const mc_region *rg = mc_find(&c->r->mem, d);
	return rg && rg->live && rg->kind == RG_HEAP && rg->base == d;
}

/* The live record at d with its whole header, read in place (one region
** lookup for the record, not one per word), or NULL: then the caller
** reads through mc_peek as before. */
static const mc_region *record_hdr(const inv_ctx *c, rt_addr d)
{
	const mc_region *rg = mc_find(&c->r->mem, d);
	if (rg && rg->live && rg->kind == RG_HEAP && rg->base == d &&
	    rg->size >= 8 * RT_DEFER_HDR_WORDS)
		return rg;
	return NULL;
}

static rt_word hdr_word(const inv_ctx *c, const mc_region *rg, rt_addr d, int i)
{
	rt_word x;
	if (rg)
		return rg->w[i];
	mc_peek(&c->r->mem, d + 8ull * i, &x);
	return x;
}

/* DEF1's judgement of header word i of the record at d (inv_ptrword),
** from its region when in hand (record_hdr). */
static int hdr_ptrword(inv_ctx *c, inv_violation *v, const mc_region *rg,
		       rt_addr d, int i, const char *name, const char *post)
{
	rt_addr w = d + 8ull * i;
	return rg ? inv_ptrword_in(c, v, INV_DEF1, rg, w, "defer", name, post)
		  : inv_ptrword(c, v, INV_DEF1, w, "defer", name, post);
}

/* The i-th record from the head as this check's dchain walk described
** it (same frames), or NULL past what it walked. */
static const inv_drec *walked_rec(const inv_ctx *c, uint32_t i, rt_addr d)
{
	const inv_dchain *dc = &c->dc;
	return i < dc->ntmp && dc->tmp[i].d == d ? &dc->tmp[i] : NULL;
}

int inv_def1(inv_ctx *c, inv_violation *v)
{
	const rt *r = c->r;
	if (r->g.dead || c->fr.tb != TB_OK)
		return 0;
	char a[64];
	uint32_t lastk = 0, n = 0;
	for (rt_addr d = r->g.defer; d; n++) {
		/* a record the dchain walk described is live, with its header */
		const inv_drec *wr = walked_rec(c, n, d);
		if (n > CHAIN_MAX || !(wr || record_live(c, d))) {
			inv_fail(v, INV_DEF1, "defer chain reaches %s, not a live "
				 "defer record", inv_addr(c, d, a, sizeof a));
			return 1;
		}
		const mc_region *rg = wr ? wr->rg : record_hdr(c, d);
		rt_word sp = hdr_word(c, rg, d, D_SP), argp = hdr_word(c, rg, d, D_ARGP),
			pc = hdr_word(c, rg, d, D_PC), link = hdr_word(c, rg, d, D_LINK);
		const rt_func *df = rt_findfunc(r, pc);
		int k;
		if (wr) { /* frame_at_sp with the walk's search result */
			k = wr->k;
			if (k < (int)lastk || inv_fr(c, k)->pc == inv_fr(c, k)->fn->entry)
				k = -1;
		} else { /* the reused part's first record: its cached frames */
			k = frame_at_sp(c, sp, lastk, d == c->dc.stop ? c->dc.stop_sk : UINT32_MAX);
		}
		if (k < 0) {
			int any = frame_at_sp(c, sp, 0, UINT32_MAX);
			char b[64];
			inv_fail(v, INV_DEF1, "defer %s (deferred by %s) has sp %s: %s",
				 inv_addr(c, d, a, sizeof a), df ? df->name : "?",
				 inv_addr(c, sp, b, sizeof b),
				 any >= 0 ? "out of order (not innermost first)"
					  : "no live frame there");
			return 1;
		}
		const rt_frame *fr = inv_fr(c, k);
		if (fr->fn != df || fr->fp != argp) {
			inv_fail(v, INV_DEF1, "defer %s: frame at its sp is %s (argp "
				 "%#llx), but the defer was made by %s (argp %#llx)",
				 inv_addr(c, d, a, sizeof a), fr->fn->name,
				 (unsigned long long)fr->fp, df ? df->name : "?",
				 (unsigned long long)argp);
			return 1;
		}
		rt_word started = hdr_word(c, rg, d, D_STARTED),
			dpanic = hdr_word(c, rg, d, D_PANIC);
		int pk = 1;
		if (dpanic && started == 1) /* panic_frame_at, searched once */
			pk = wr ? wr->kp >= 0 && is_panicfn(c, inv_fr(c, wr->kp))
				: panic_frame_at(c, dpanic,
						 d == c->dc.stop ? c->dc.stop_skp : UINT32_MAX);
		if (started > 1 || (dpanic && !started) || !pk) {
			char b[64];
			inv_fail(v, INV_DEF1, "defer %s (of %s): started=%llu, _panic=%s "
				 "is not the record of a live gopanic frame",
				 inv_addr(c, d, a, sizeof a), df ? df->name : "?",
				 (unsigned long long)started,
				 inv_addr(c, dpanic, b, sizeof b));
			return 1;
		}
		/* its sp/argp words carry the truth tag of the frame that
		** deferred it (inv_truth.c): the same frame, not another
		** instance of the same function; _panic that of the gopanic
		** record that started it */
		const char *dn = df ? df->name : "?";
		if (hdr_ptrword(c, v, rg, d, D_SP, dn, " sp") ||
		    hdr_ptrword(c, v, rg, d, D_ARGP, dn, " argp") ||
		    hdr_ptrword(c, v, rg, d, D_PANIC, dn, " _panic"))
			return 1;
		lastk = (uint32_t)k;
		if (d == c->dc.stop) /* the outer part is verified, unchanged */
			break;
		d = link;
	}
	return 0;
}

int inv_def2(inv_ctx *c, inv_violation *v)
{
	const rt *r = c->r;
	if (r->g.dead)
		return 0;
	uint32_t n = 0;
	for (rt_addr d = r->g.defer; d && d != c->dc.stop && n < CHAIN_MAX; n++) {
		/* a record the dchain walk described: its region, and whether
		** any argument word is tagged (untagged words always pass) */
		const inv_drec *wr = walked_rec(c, n, d);
		const mc_region *rg = wr ? wr->rg : mc_find(&r->mem, d);
		if (!wr && !(rg && rg->live && rg->kind == RG_HEAP && rg->base == d))
			break;
		const mc_region *hr = rg->size >= 8 * RT_DEFER_HDR_WORDS ? rg : NULL;
		rt_word link = hdr_word(c, hr, d, D_LINK);
		if (wr && !wr->argtags) {
			d = link;
			continue;
		}
		rt_word fnpc = hdr_word(c, hr, d, D_FN), siz = hdr_word(c, hr, d, D_SIZ);
		for (rt_word i = 0; i < siz / 8; i++) {
			rt_addr w = d + 8 * (RT_DEFER_HDR_WORDS + i);
			if (w >= rg->base + rg->size)
				break;
			if (inv_ptrword_fine(c, INV_DEF2, rg, w))
				continue; /* untagged, or its cell's address */
			const rt_func *f = rt_findfunc(r, fnpc);
			if (inv_ptrword(c, v, INV_DEF2, w, "defer", f ? f->name : "?",
					" argument"))
				return 1;
		}
		d = link;
	}
	return 0;
}

static int has_both(const rt_func *f)
{
	return (f->flags & RFF_LOCALMAP) && (f->flags & RFF_ARGMAP);
}

int inv_def3(inv_ctx *c, inv_violation *v)
{
	const rt *r = c->r;
	if (r->g.dead || !inv_step_copied(r) || c->fr.tb != TB_OK)
		return 0;
	/* no frame lacks a map (the walk's prefix count): nothing to find */
	for (uint32_t i = 0; c->fr.n && c->fr.nnomap[c->fr.n - 1] &&
			     i < c->fr.n && inv_fr(c, i)->seg == 0; i++) {
		const rt_func *f = inv_fr(c, i)->fn;
		if (!(f->flags & RFF_LOCALMAP) ||
		    (f->argsize && !(f->flags & RFF_ARGMAP))) {
			inv_fail(v, INV_DEF3, "stack copied with a frame of %s, which "
				 "has no %s map", f->name,
				 (f->flags & RFF_LOCALMAP) ? "args" : "locals");
			return 1;
		}
	}
	if (c->dc.walked_all && !c->dc.nomaps)
		return 0; /* every record up to stop has both maps */
	uint32_t n = 0;
	for (rt_addr d = r->g.defer; d && d != c->dc.stop && n < CHAIN_MAX &&
				     record_live(c, d); n++) {
		rt_word fnpc, argp, link;
		mc_peek(&r->mem, d + 8 * D_FN, &fnpc);
		mc_peek(&r->mem, d + 8 * D_ARGP, &argp);
		mc_peek(&r->mem, d + 8 * D_LINK, &link);
		if (argp < r->g.lo || argp > r->g.hi)
			break;
		const rt_func *f = rt_findfunc(r, fnpc);
		if (!f || !has_both(f)) {
			inv_fail(v, INV_DEF3, "stack copied with a pending defer of "
				 "%s, which has no %s map (its maps came from C "
				 "and may lie)", f ? f->name : "?",
				 f && (f->flags & RFF_LOCALMAP) ? "args" : "locals");
			return 1;
		}
		d = link;
	}
	return 0;
}

int inv_def4(inv_ctx *c, inv_violation *v)
{
	if (!c->t)
		return 0;
	for (uint32_t i = 0; i < c->t->nfacts; i++) {
		const inv_fact *x = &c->t->facts[i];
		if (x->kind != IF_CHECK || x->got[0] == x->want[0])
			continue;
		char a[64];
		inv_fail(v, INV_DEF4, "check %s%s == %lld in %s read %lld from %s",
			 x->deref ? "*" : "", x->slot, (long long)x->want[0], x->fn,
			 (long long)x->got[0], inv_addr(c, x->addr, a, sizeof a));
		return 1;
	}
	return 0;
}

/* PAN1's fact half: recover() answered as Go does (answer, kind, value). */
static int recover_facts(inv_ctx *c, inv_violation *v)
{
	if (!c->t)
		return 0;
	for (uint32_t i = 0; i < c->t->nfacts; i++) {
		const inv_fact *x = &c->t->facts[i];
		if (x->kind != IF_RECOVER || (x->got[0] == x->want[0] &&
					      x->got[1] == x->want[1] &&
					      x->got[2] == x->want[2]))
			continue;
		if (x->got[0] != x->want[0])
			inv_fail(v, INV_PAN1, "recover() in %s returned %s, Go returns %s",
				 x->fn, x->got[0] ? "a panic value" : "nil",
				 x->want[0] ? "the panic value" : "nil here");
		else
			inv_fail(v, INV_PAN1, "recover() in %s returned value kind %lld "
				 "%lld, Go returns kind %lld %lld", x->fn,
				 (long long)x->got[1], (long long)x->got[2],
				 (long long)x->want[1], (long long)x->want[2]);
		return 1;
	}
	return 0;
}

static int is_panicfn(const inv_ctx *c, const rt_frame *fr)
{
	const rt_func *f = c->r->funcs;
	if ((fr->fn == &f[RTF_GOPANIC] || fr->fn == &f[RTF_GOEXIT1]) &&
	    fr->fn->user < 0) /* the usual answer, without comparing names */
		return fr->pc != fr->fn->entry;
	return fr->fn->user < 0 && fr->pc != fr->fn->entry &&
	       (!strcmp(fr->fn->name, "gopanic") || !strcmp(fr->fn->name, "goexit1"));
}

/* PAN1's cached chain is stored outermost first (the reused outer part
** stays in place as the head changes); record i from the head: */
static const struct inv_pcache *pc_at(const inv_ctx *c, uint32_t i)
{
	return &c->pc[c->npc - 1 - i];
}

int inv_pan1(inv_ctx *c, inv_violation *v)
{
	const rt *r = c->r;
	if (recover_facts(c, v))
		return 1;
	int valid = c->pcvalid;
	c->pcvalid = 0;
	if (r->g.dead || c->fr.tb != TB_OK)
		return 0;
	/* the verified chain's outer part is reusable from a record whose
	** gopanic frame (stored s) and the frame inner to it (s + 1, whose
	** fp argp is compared with) are reused, unchanged frames, with no
	** rechecked word at or above it: on one segment the records outward
	** lie above it, in reused frames, so none of their words changed */
	uint32_t keep = c->fr.n - c->fr.fresh;
	const rt_addr *rw;
	uint32_t nrw = inv_rechecks(c, &rw);
	rt_addr wmax = 0;
	for (uint32_t i = 0; i < nrw; i++)
		if (rw[i] > wmax)
			wmax = rw[i];
	int reuse = valid == 1 && c->full != 1 && c->fr.sorted && keep > 0;
	uint32_t suffix = 0;
	c->npc = valid ? c->npc : 0;
	char a[64];
	uint32_t lastk = 0, n = 0, nt = 0, j = 0;
	for (rt_addr p = r->g.panic; p; n++) {
		if (reuse && p > wmax) {
			uint32_t lo = 0, hi = c->npc;
			while (lo < hi) { /* the cached record at p */
				uint32_t mid = (lo + hi) / 2;
				if (pc_at(c, mid)->p < p)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < c->npc && pc_at(c, lo)->p == p && pc_at(c, lo)->s + 1 < keep &&
			    c->fr.n - 1 - pc_at(c, lo)->s >= lastk &&
			    n + (c->npc - lo) <= CHAIN_MAX + 1) {
				suffix = c->npc - lo;
				break;
			}
		}
		/* the record's frame at the last check, found at the same
		** place in the chain give or take a panic begun or ended at
		** the head, or (the stack moved, the record with it) the frame
		** the record at this place had: a guess confirmed in O(1) */
		int k;
		if (j < c->npc && pc_at(c, j)->p == p)
			k = inv_frame_at_hint(c, p, pc_at(c, j++)->s);
		else if (j + 1 < c->npc && pc_at(c, j + 1)->p == p)
			k = inv_frame_at_hint(c, p, pc_at(c, (j += 2) - 1)->s);
		else if (j < c->npc && (k = inv_frame_guess(c, p, pc_at(c, j)->s)) >= 0)
			j++;
		else
			k = inv_frame_at(c, p);
		if (k < (int)lastk || !is_panicfn(c, inv_fr(c, k)))
			k = -1;
		if (n > CHAIN_MAX || k < 0) {
			inv_fail(v, INV_PAN1, "panic chain reaches %s, which is not "
				 "the record of a live gopanic frame (in order)",
				 inv_addr(c, p, a, sizeof a));
			return 1;
		}
		rt_word rec, ab, ge, argp, link;
		const mc_region *rg = inv_span(c, p, p + 8 * RT_PANIC_WORDS);
		if (rg) { /* the whole record in one region: one lookup */
			const rt_word *w = &rg->w[inv_span_word(rg, p)];
			rec = w[P_RECOVERED];
			ab = w[P_ABORTED];
			ge = w[P_GOEXIT];
			argp = w[P_ARGP];
			link = w[P_LINK];
		} else {
			mc_peek(&r->mem, p + 8 * P_RECOVERED, &rec);
			mc_peek(&r->mem, p + 8 * P_ABORTED, &ab);
			mc_peek(&r->mem, p + 8 * P_GOEXIT, &ge);
			mc_peek(&r->mem, p + 8 * P_ARGP, &argp);
			mc_peek(&r->mem, p + 8 * P_LINK, &link);
		}
		/* a recovered panic may sit below the head: its deferred call
		** recovered and then panicked again ("[recovered]") */
		if (rec > 1 || ab > 1 || ge > 1 || (rec && ge)) {
			inv_fail(v, INV_PAN1, "panic %s has flags recovered=%llu "
				 "aborted=%llu goexit=%llu at chain position %u",
				 inv_addr(c, p, a, sizeof a), (unsigned long long)rec,
				 (unsigned long long)ab, (unsigned long long)ge, n);
			return 1;
		}
		/* while its deferred call runs, argp is that call's argp; once
		** the call has returned (gopanic innermost) it is stale, as in Go */
		if (argp && k > 0 && inv_fr(c, k - 1)->fp != argp) {
			char b[64];
			inv_fail(v, INV_PAN1, "panic %s argp %s is not the argument "
				 "pointer of the deferred call it runs",
				 inv_addr(c, p, a, sizeof a),
				 inv_addr(c, argp, b, sizeof b));
			return 1;
		}
		lastk = (uint32_t)k + 1;
		c->pctmp = inv_grow(c->pctmp, &c->cappctmp, nt + 1, sizeof *c->pctmp);
		c->pctmp[nt].p = p;
		c->pctmp[nt++].s = c->fr.n - 1 - (uint32_t)k;
		p = link;
	}
	/* the new verified chain: the reused records stay where they are
	** (stored outermost first), the walked ones go on after them; on
	** several segments (no reuse) it only guides the next lookups */
	c->npc = suffix;
	c->pc = inv_grow(c->pc, &c->cappc, suffix + nt, sizeof *c->pc);
	for (uint32_t i = nt; i-- > 0;)
		c->pc[c->npc++] = c->pctmp[i];
	c->pcvalid = c->fr.sorted ? 1 : 2;
	return 0;
}
