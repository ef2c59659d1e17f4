/*
** inv_dchain.c: the defer chain as DEF1, DEF2 and CGO1/CGO2 see it,
** checked incrementally.
**
** DEF1, DEF2 and CGO1/CGO2 need every pending defer record. A Go -> C
** -> Go nest keeps one endcgo record per level, so walking the whole
** chain at every step costs O(depth) a step, like re-walking every frame. Instead the
** chain verified at the last check is cached (outermost first: records
** are bump-allocated, so it ascends by address), and a check walks from
** the head only until it meets a cached record whose whole outer part is
** provably unchanged; DEF1 and DEF2 stop there (inv_dchain.stop), and
** CGO1/CGO2 read the count of pending endcgo records off the cache.
**
** A cached record and all records outside it are reused only if:
**  - the frame walk of this check was incremental (see the last rule);
**  - no heap word at or below the record's end was written and no record
**    there released since the last check (the machine log's heap_lo,
**    mc_changes): records only
**    grow upward, so that covers every record of the outer part;
**  - every stack slot a pointer argument of the outer part targets lies
**    above every stack address given a new cell since the last check
**    (the log's cell_hi), or all new cells lie in one stack region (the
**    log's cell_rg) above every target's region, or in the highest
**    target region, below every target there (a segmented stack's
**    newest segment lies above the older ones): so no such cell was
**    retired or reassigned (a store of a value there changes nothing
**    DEF1/DEF2 read); and each target is on a G stack (moves bump
**    stackgen, after which no frame is reused);
**  - the frames those records' facts rest on (the deferring frame, and
**    for a record a panic is running the gopanic frame its _panic names)
**    are all among this check's reused frames.
** The cache is kept only after a check in which DEF1 and DEF2 ran and
** passed (inv_check), so the reused part is always a verified one.
** Gotcha: the log is emptied only when the harness closes the epoch
** after a check (mc_epoch_done); a caller that never closes one simply
** never reuses (heap_lo stays 0, "all").
*/
#include <stdlib.h>

#include "inv.h"

enum { CHAIN_MAX = 1 << 20 };

static int find_cached(const inv_dchain *dc, rt_addr d)
{
	uint32_t lo = 0, hi = dc->n;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (dc->c[mid].d < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < dc->n && dc->c[lo].d == d ? (int)lo : -1;
}

/* The last frame search of this walk: consecutive records are mostly
** deferred by the same frame, so the same sp is searched again. */
struct frame_memo {
	rt_addr sp;
	int k, ok;
};

static int frame_at(const inv_ctx *c, struct frame_memo *fm, rt_addr sp,
		    uint32_t guess)
{
	if (!fm->ok || fm->sp != sp) {
		/* the frame the record's cached entry names, if still there;
		** else records from the head outward rest on ever outer
		** frames: the last one found bounds the search */
		int g = inv_frame_guess(c, sp, guess); /* UINT32_MAX: -1 */
		fm->k = g >= 0 ? g
			       : inv_frame_at_from(c, sp, fm->ok && fm->k >= 0 && fm->sp < sp ? fm->k : -1);
		fm->sp = sp;
		fm->ok = 1;
	}
	return fm->k;
}

/* Adds the summary of targets (top region base, lowest target there)
** (btop, bmin) to e's. */
static void merge_top(inv_drec *e, rt_addr btop, rt_addr bmin)
{
	if (btop > e->argtop) {
		e->argtop = btop;
		e->amintop = bmin;
	} else if (btop == e->argtop && bmin < e->amintop) {
		e->amintop = bmin;
	}
}

/* One record's facts, as the next check will need them; `old` is its
** entry in the last cache, or NULL (its frames' stored indices guide
** the searches). */
static int describe(const inv_ctx *c, rt_addr d, inv_drec *e, rt_addr *link,
		    struct frame_memo *fm, const inv_drec *old)
{
	const rt *r = c->r;
	const mc_mem *m = &r->mem;
	const mc_region *rg = mc_find(m, d);
	if (!rg || !rg->live || rg->kind != RG_HEAP || rg->base != d)
		return -1; /* DEF1 names it */
	const rt_word *w = rg->w;
	uint32_t nw = rg->size / 8;
	if (nw < RT_DEFER_HDR_WORDS)
		return -1;
	*link = w[D_LINK];
	/* each record is a region of its own: start fetching the next one's
	** descriptor while this one is described (a hint only; the lookup
	** below is the real one) */
	const mc_region *nx = m->pagecache[mc_page_slot(*link)];
	if (nx)
		__builtin_prefetch(nx);
	e->d = d;
	e->end = d + rg->size;
	e->endcgo = w[D_FN] == r->funcs[RTF_ENDCGO].entry && !w[D_STARTED];
	e->nendcgo = e->endcgo;
	/* the frames DEF1's facts rest on: the deferring frame and, for a
	** record a panic runs, that panic's gopanic frame (an inner one) */
	int k = frame_at(c, fm, w[D_SP], old ? old->sk : UINT32_MAX);
	int kp = w[D_PANIC] ? frame_at(c, fm, w[D_PANIC], old ? old->skp : UINT32_MAX) : k;
	e->k = k;
	e->kp = kp;
	e->sk = k >= 0 ? c->fr.n - 1 - (uint32_t)k : UINT32_MAX;
	e->skp = kp >= 0 ? c->fr.n - 1 - (uint32_t)kp : UINT32_MAX;
	const rt_func *f = rt_findfunc(r, w[D_FN]);
	e->nomaps = !f || !(f->flags & RFF_ARGMAP) || !(f->flags & RFF_LOCALMAP);
	e->stable = k >= 0 && kp >= 0;
	e->ko = e->stable ? c->fr.n - 1 - (uint32_t)(k < kp ? k : kp) : 0;
	e->amin = ~(rt_addr)0;
	e->argtop = 0;
	e->amintop = ~(rt_addr)0;
	e->rg = rg;
	e->argtags = 0;
	for (uint64_t i = 0; i < w[D_SIZ] / 8 && RT_DEFER_HDR_WORDS + i < nw; i++) {
		uint32_t tag = rg->ptag[RT_DEFER_HDR_WORDS + i];
		if (!tag)
			continue;
		e->argtags = 1;
		rt_addr a = mc_cell_addr(m, tag);
		const mc_region *t = a ? mc_find(m, a) : NULL;
		if (!t || !t->live || t->kind != RG_STACK)
			e->stable = 0;
		else {
			if (a < e->amin)
				e->amin = a;
			merge_top(e, t->base, a);
		}
	}
	return 0;
}

/* The cell rule above for an outer part [0, i] summarised by e. */
static int targets_kept(const inv_drec *e, const mc_log *ch)
{
	if (e->amin > ch->cell_hi)
		return 1;
	if (ch->cell_rg == MC_ADDR_MAX)
		return 0;
	return ch->cell_rg > e->argtop ||
	       (ch->cell_rg == e->argtop && e->amintop > ch->cell_hi);
}

void inv_dchain_collect(inv_ctx *c, int full)
{
	const rt *r = c->r;
	inv_dchain *dc = &c->dc;
	dc->stop = 0;
	dc->stop_endcgo = 0;
	dc->ntmp = 0;
	dc->walked_all = 0;
	dc->nomaps = 0;
	if (r->g.dead || c->fr.tb != TB_OK) {
		dc->valid = 0;
		dc->n = 0;
		return;
	}
	uint32_t keep = c->fr.n - c->fr.fresh; /* reused frames, stored first */
	int reuse = !full && c->full != 1 && dc->valid && keep > 0;
	const mc_log *ch = mc_changes(&r->mem);
	rt_addr wlo = ch->heap_lo;
	uint32_t suffix = 0;
	int broken = 0;
	rt_addr d = r->g.defer;
	struct frame_memo fm = {0, -1, 0};
	int j = -1;
	for (uint32_t k = 0; d; k++) {
		/* the record's entry in the last cache, reusable or not (its
		** stored frame indices are only guesses): records from the head
		** outward descend, so usually the entry below the last one */
		j = j > 0 && dc->c[j - 1].d == d ? j - 1 : find_cached(dc, d);
		const inv_drec *old = j >= 0 ? &dc->c[j] : NULL;
		if (reuse) {
			if (j >= 0) {
				const inv_drec *e = old;
				if (e->stable && e->end <= wlo && e->ko < keep &&
				    targets_kept(e, ch)) {
					dc->stop = d;
					dc->stop_endcgo = e->nendcgo;
					dc->stop_sk = e->sk;
					dc->stop_skp = e->skp;
					suffix = (uint32_t)j + 1;
					break;
				}
			}
		}
		rt_addr link;
		inv_drec e;
		if (k >= CHAIN_MAX || describe(c, d, &e, &link, &fm, old) < 0) {
			broken = 1;
			break;
		}
		dc->tmp = inv_grow(dc->tmp, &dc->captmp, dc->ntmp + 1, sizeof *dc->tmp);
		dc->tmp[dc->ntmp++] = e;
		dc->nomaps += e.nomaps;
		d = link;
	}
	dc->walked_all = !broken;
	dc->nwalked += dc->ntmp;
	/* the new cache: the reused outer part, then the walked records */
	uint32_t n = suffix + dc->ntmp;
	dc->c = inv_grow(dc->c, &dc->cap, n, sizeof *dc->c);
	dc->n = suffix;
	for (uint32_t i = dc->ntmp; i-- > 0;) {
		inv_drec e = dc->tmp[i];
		const inv_drec *p = dc->n ? &dc->c[dc->n - 1] : NULL;
		if (p) { /* cumulative over [0, i]; ascending addresses only */
			e.nendcgo += p->nendcgo;
			e.stable = e.stable && p->stable && e.d > p->d;
			if (p->amin < e.amin)
				e.amin = p->amin;
			merge_top(&e, p->argtop, p->amintop);
			if (p->ko > e.ko)
				e.ko = p->ko;
		}
		dc->c[dc->n++] = e;
	}
	dc->valid = !broken;
}

void inv_dchain_free(inv_dchain *dc)
{
	free(dc->c);
	free(dc->tmp);
}
