/*
** inv.c: the checker driver and the catalogue.
**
** One traceback per check: the frames are collected once (through the
** runtime's unwinder, the one everybody uses) and shared by the
** checkers. A checker that needs the walk to have succeeded skips when
** it failed: STK1/STK2 report the walk's failure first.
*/
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "inv.h"

const inv_info inv_catalogue[INV__COUNT] = {
	[INV_MEM1] = {"MEM1", "no access to a dead or poisoned region"},
	[INV_STK1] = {"STK1", "stack bounds and traceback tiling"},
	[INV_STK2] = {"STK2", "every return-PC slot holds a valid return PC"},
	[INV_STK3] = {"STK3", "stack pointers point at their true slot"},
	[INV_DEF1] = {"DEF1", "defer records lie in live frames, innermost first"},
	[INV_DEF2] = {"DEF2", "defer argument pointers point at their true slot"},
	[INV_DEF3] = {"DEF3", "a stack is copied only if every frame and defer has both maps"},
	[INV_DEF4] = {"DEF4", "a deferred set/check sees the intended slot and value"},
	[INV_PAN1] = {"PAN1", "panic chain consistent; recover answers as Go does"},
	[INV_CGO1] = {"CGO1", "ncgo counts active cgo calls; g0/curg restored after callbacks"},
	[INV_CGO2] = {"CGO2", "thread-lock state after a cgo call equals its state before"},
	[INV_SEH1] = {"SEH1", "SEH head is a live OS-stack record; the chain ends at Go's"},
	[INV_SEH2] = {"SEH2", "callback records in the chain; head restored after cgo calls"},
	[INV_SEH3] = {"SEH3", "a simulated fault reaches Go's handler"},
	[INV_BAR1] = {"BAR1", "barrier count: pos <= len <= cap, slots hold the barrier PC"},
	[INV_BAR2] = {"BAR2", "the barrier PC never leaks into sched.pc or a saved PC"},
	[INV_BAR3] = {"BAR3", "barrier placement follows the offset rule"},
	[INV_BAR4] = {"BAR4", "no barriers outside the mark phase"},
	[INV_BAR5] = {"BAR5", "no live barrier below sched.sp after a recovery"},
	[INV_GC1] = {"GC1", "a scan visits every frame; a rescan up to the lowest unhit barrier"},
	[INV_CGO3] = {"CGO3", "syscallsp/pc (and their saved copies) name the true cgo call"},
};

int inv_lookup(const char *id)
{
	for (int i = 0; i < INV__COUNT; i++)
		if (!strcmp(inv_catalogue[i].id, id))
			return i;
	return -1;
}

void *inv_grow(void *p, uint32_t *cap, uint32_t need, size_t elt)
{
	if (need <= *cap)
		return p;
	uint32_t nc = *cap ? *cap : 64;
	while (nc < need)
		nc *= 2;
	void *np = realloc(p, (size_t)nc * elt);
	if (!np)
		abort();
	*cap = nc;
	return np;
}

void inv_fail(inv_violation *v, int id, const char *fmt, ...)
{
	v->id = id;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof v->msg, fmt, ap);
	va_end(ap);
}

const char *inv_addr(const inv_ctx *c, rt_addr a, char *buf, size_t len)
{
	mc_fmt_addr(&c->r->mem, a, buf, len);
	return buf;
}

void inv_ctx_init(inv_ctx *c, const rt *r, const inv_truth *t)
{
	memset(c, 0, sizeof *c);
	c->r = r;
	c->t = t;
	c->mask = (1u << INV__COUNT) - 1;
	c->fr.ws = &c->ws;
	c->fr0.ws = &c->ws0;
}

static void frames_free(inv_frames *fs)
{
	free(fs->f);
	free(fs->nprog);
	free(fs->nendcgo);
	free(fs->nbarw);
	free(fs->nnomap);
	free(fs->tagged);
	free(fs->ncback);
	free(fs->tmp);
	free(fs->bysp);
}

void inv_ctx_free(inv_ctx *c)
{
	for (uint32_t i = 0; i < c->ngc; i++) {
		frames_free(&c->gc[i].fr);
		free(c->gc[i].pc);
	}
	free(c->gc);
	frames_free(&c->fr);
	frames_free(&c->fr0);
	inv_dchain_free(&c->dc);
	free(c->pc);
	free(c->pctmp);
	free(c->sehrecs);
	free(c->seh1c);
	free(c->seh1tmp);
	free(c->cbpmin);
	memset(c, 0, sizeof *c);
}

static void frames_reserve(inv_frames *fs, uint32_t need)
{
	if (need <= fs->cap)
		return;
	uint32_t cap = fs->cap, c2 = fs->cap, c3 = fs->cap, c4 = fs->cap,
		 c5 = fs->cap, c6 = fs->cap, c7 = fs->cap;
	fs->f = inv_grow(fs->f, &cap, need, sizeof *fs->f);
	fs->nprog = inv_grow(fs->nprog, &c2, need, sizeof *fs->nprog);
	fs->nendcgo = inv_grow(fs->nendcgo, &c3, need, sizeof *fs->nendcgo);
	fs->nbarw = inv_grow(fs->nbarw, &c4, need, sizeof *fs->nbarw);
	fs->nnomap = inv_grow(fs->nnomap, &c5, need, sizeof *fs->nnomap);
	fs->tagged = inv_grow(fs->tagged, &c6, need, sizeof *fs->tagged);
	fs->ncback = inv_grow(fs->ncback, &c7, need, sizeof *fs->ncback);
	fs->cap = cap;
}

/* After an incremental walk spliced at stored frame fs->splice: the
** cached frames [0, splice] stay, the walk's fresh ones (tmp, innermost
** first) follow them, innermost last. Returns how many were kept. */
static uint32_t splice_fresh(inv_frames *fs)
{
	uint32_t keep = (uint32_t)fs->splice + 1, k = fs->ntmp;
	frames_reserve(fs, keep + k);
	for (uint32_t i = 0; i < k; i++)
		fs->f[keep + i] = fs->tmp[k - 1 - i];
	fs->n = keep + k;
	fs->fresh = k;
	return keep;
}

static int collect(const rt *r, const rt_frame *fr, void *arg)
{
	(void)r;
	inv_frames *fs = arg;
	frames_reserve(fs, fs->n + 1);
	fs->f[fs->n++] = *fr;
	return 1;
}

/* First stored index whose sp <= a (stored outermost first: sp
** descends; n if none), searched in [0, hi] given f[hi].sp <= a (or hi
** == n). What a step touches lies near the innermost frames, so the
** search gallops from that end: O(log distance). */
static uint32_t sp_lower_bound_from(const inv_frames *fs, rt_addr a, uint32_t hi)
{
	uint32_t lo = 0, step = 1;
	while (hi > 0) { /* invariant: f[hi].sp <= a (or hi == n) */
		uint32_t probe = hi > step ? hi - step : 0;
		if (fs->f[probe].sp > a) {
			lo = probe + 1;
			break;
		}
		hi = probe;
		step *= 2;
	}
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (fs->f[mid].sp > a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint32_t sp_lower_bound(const inv_frames *fs, rt_addr a)
{
	return sp_lower_bound_from(fs, a, fs->n);
}

/* Stored index of the cached frame with this sp, or -1. */
static int stored_at(const inv_frames *fs, rt_addr sp)
{
	uint32_t lo = sp_lower_bound(fs, sp);
	return lo < fs->n && fs->f[lo].sp == sp ? (int)lo : -1;
}

/* Several segments (fs->segordered): stored frames are ordered by
** (segment address ascending, sp descending). <0 if stored frame f comes
** before address a's place in that order, 0 if it is at a, >0 after. */
static int seg_cmp(const rt_frame *f, rt_addr a)
{
	if (a < f->seglo)
		return 1;
	if (a > f->seghi)
		return -1;
	return f->sp > a ? -1 : f->sp < a;
}

/* First stored index s with seg_cmp(f[s], a) >= 0. */
static uint32_t seg_lower_bound(const inv_frames *fs, rt_addr a)
{
	uint32_t lo = 0, hi = fs->n;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (seg_cmp(&fs->f[mid], a) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Do stored frames [from, n) keep that order (with their predecessor)? */
static int seg_ordered(const inv_frames *fs, uint32_t from)
{
	for (uint32_t s = from ? from : 1; s < fs->n; s++) {
		const rt_frame *p = &fs->f[s - 1], *q = &fs->f[s];
		if (q->seglo == p->seglo && q->seghi == p->seghi) {
			if (q->sp >= p->sp)
				return 0;
		} else if (q->seglo <= p->seghi) {
			return 0;
		}
	}
	return 1;
}

/* The write limit of the region holding sp (0: nothing written there). */
static rt_addr seg_limit(const inv_frames *fs, rt_addr sp)
{
	for (uint32_t i = 0; i < fs->ws->nseglim; i++)
		if (sp >= fs->ws->seglim[i].lo && sp < fs->ws->seglim[i].end)
			return fs->ws->seglim[i].hi;
	return 0;
}

static void seg_limit_add(inv_frames *fs, rt_addr lo, rt_addr end, rt_addr hi)
{
	for (uint32_t i = 0; i < fs->ws->nseglim; i++)
		if (fs->ws->seglim[i].lo == lo) {
			if (hi > fs->ws->seglim[i].hi)
				fs->ws->seglim[i].hi = hi;
			return;
		}
	if (fs->ws->nseglim < sizeof fs->ws->seglim / sizeof fs->ws->seglim[0]) {
		fs->ws->seglim[fs->ws->nseglim].lo = lo;
		fs->ws->seglim[fs->ws->nseglim].end = end;
		fs->ws->seglim[fs->ws->nseglim++].hi = hi;
	}
}

/* The incremental walk on several segments: as collect_fresh, with each
** frame's limit the writes to its own segment's region. */
static int collect_fresh_seg(const rt *r, const rt_frame *fr, void *arg)
{
	(void)r;
	inv_frames *fs = arg;
	if (fr->sp > seg_limit(fs, fr->sp)) {
		uint32_t s = seg_lower_bound(fs, fr->sp);
		if (s < fs->n && seg_cmp(&fs->f[s], fr->sp) == 0 &&
		    fs->f[s].pc == fr->pc && fs->f[s].seglo == fr->seglo &&
		    fs->f[s].seghi == fr->seghi) {
			fs->splice = (int32_t)s;
			fs->segdelta = (int32_t)(fr->seg - fs->f[s].seg);
			return 0;
		}
	}
	fs->tmp = inv_grow(fs->tmp, &fs->captmp, fs->ntmp + 1, sizeof *fs->tmp);
	fs->tmp[fs->ntmp++] = *fr;
	return 1;
}

/* The incremental walk: collect fresh frames into tmp until one is
** provably the same as a cached frame (same pc and sp, nothing written
** at or above its sp since the last check but logged data words). */
/* Either stored frame s is fr (same pc; the caller matched the sp):
** splice there and stop; or keep fr as fresh and go on. */
static int splice_or_keep(inv_frames *fs, const rt_frame *fr, int s)
{
	if (s >= 0 && fs->f[s].pc == fr->pc) {
		fs->splice = s;
		return 0;
	}
	fs->tmp = inv_grow(fs->tmp, &fs->captmp, fs->ntmp + 1, sizeof *fs->tmp);
	fs->tmp[fs->ntmp++] = *fr;
	return 1;
}

static int collect_fresh(const rt *r, const rt_frame *fr, void *arg)
{
	(void)r;
	inv_frames *fs = arg;
	return splice_or_keep(fs, fr, fr->sp > fs->limit ? stored_at(fs, fr->sp) : -1);
}

/* A full walk collects innermost first; frames are stored outermost
** first (a deeper stack appends). */
static void frames_outermost_first(inv_frames *fs)
{
	for (uint32_t i = 0, j = fs->n ? fs->n - 1 : 0; i < j; i++, j--) {
		rt_frame t = fs->f[i];
		fs->f[i] = fs->f[j];
		fs->f[j] = t;
	}
}

/* The OS stack's walk, incremental: fr0 is stored outermost first, as
** the G's frames are (a deeper C nest appends; nothing stored moves). A
** frame is reused, with every frame outer to it, when it is provably a
** cached one: same pc and sp, and nothing on the OS stack written at or
** above its sp since the last check (the walk from a frame outward
** reads only return-PC slots at or above its sp, plus the g0 bounds and
** mstartsp, which the cache's key holds): collect_fresh's rule, with
** the highest OS-stack write as the limit. Gives exactly a full walk's
** frames, result and message: the walk is the same up to the splice,
** and the frames from there out are the cached ones. Returns the first
** stored index not reused. */
static uint32_t walk0_incremental(const rt *r, inv_frames *fs, rt_addr limit)
{
	fs->ntmp = 0;
	fs->splice = -1;
	fs->limit = limit;
	char why[sizeof fs->why];
	rt_tbresult tb = rt_traceback_g0(r, r->g0.sched.pc, r->g0.sched.sp,
					 collect_fresh, fs, why, sizeof why);
	uint32_t keep = splice_fresh(fs); /* a splice stops the walk: TB_OK */
	fs->tb = tb;
	memcpy(fs->why, why, sizeof why);
	return keep;
}

/* The OS stack's walk in full, stored outermost first. */
static void walk0_full(const rt *r, inv_frames *fs)
{
	fs->n = 0;
	fs->why[0] = 0;
	fs->tb = rt_traceback_g0(r, r->g0.sched.pc, r->g0.sched.sp, collect, fs,
				 fs->why, sizeof fs->why);
	frames_outermost_first(fs);
}

/* fr0's prefix counts of cgocallback frames at their return point (the
** frames whose SEH record SEH2 looks for), for stored [from, n). */
static void count_callbacks0(const rt *r, inv_frames *fs, uint32_t from)
{
	const rt_func *cb = &r->funcs[RTF_CGOCALLBACK];
	rt_addr pc = rt_retpc(cb, 0);
	for (uint32_t s = from; s < fs->n; s++)
		fs->ncback[s] = (s ? fs->ncback[s - 1] : 0) +
				(fs->f[s].fn == cb && fs->f[s].pc == pc);
}

/* Words in [lo, end) of live region rg's words holding the barrier PC
** bpc, and (*tags) the OR of their provenance tags: one pass for BAR1's
** count and STK3's "nothing tagged here". Four counters so the compiler
** keeps independent adds (this runs over every word of every frame
** after a move). */
static uint32_t count_words(const rt_word *w, const uint32_t *pt, size_t n,
			    rt_addr bpc, uint32_t *tags)
{
	uint32_t a = 0, b = 0, c = 0, d = 0, t = 0;
	size_t i = 0;
	for (; i + 4 <= n; i += 4) {
		a += w[i] == bpc;
		b += w[i + 1] == bpc;
		c += w[i + 2] == bpc;
		d += w[i + 3] == bpc;
		t |= pt[i] | pt[i + 1] | pt[i + 2] | pt[i + 3];
	}
	for (; i < n; i++) {
		a += w[i] == bpc;
		t |= pt[i];
	}
	*tags = t;
	return a + b + c + d;
}

/* Words of frame f, [sp, fp + argsize), holding the barrier PC bpc; *rgp
** is the region the last frame lay in (frames of one segment share it,
** so the lookup is made once a segment, not once a frame). *tagged: 0 if
** no word of the frame carries a provenance tag, 1 if one may. */
static uint32_t frame_barrier_words(const rt *r, const rt_frame *f, rt_addr bpc,
				    const mc_region **rgp, uint8_t *tagged)
{
	uint32_t n = 0;
	rt_addr end = f->fp + f->fn->argsize;
	const mc_region *rg = *rgp;
	if (!rg || f->sp < rg->base || f->sp >= rg->base + rg->size)
		*rgp = rg = mc_find(&r->mem, f->sp);
	if (rg && rg->live && !(f->sp & 7) && end >= f->sp &&
	    end <= rg->base + rg->size) {
		uint32_t i = (uint32_t)((f->sp - rg->base) / 8), tags;
		n = count_words(rg->w + i, rg->ptag + i, (end - f->sp + 7) / 8,
				bpc, &tags);
		*tagged = tags != 0;
	} else {
		for (rt_addr w = f->sp; w < end; w += 8) {
			rt_word v;
			mc_peek(&r->mem, w, &v);
			n += v == bpc;
		}
		*tagged = 1; /* not read here: STK3 looks word by word */
	}
	return n;
}

/* Prefix counts for stored frames [from, n). from_kept: frame `from` is
** a reused frame none of whose words was written since its last summary
** (the incremental walk's splice frame, usually): its own barrier-word
** count and tag flag stand, only its prefix counts are taken again (its
** program-frame count depends on whether it is innermost). */
static void summarise(const rt *r, inv_frames *fs, uint32_t from, int from_kept)
{
	rt_addr bpc = rt_barrier_pc(r);
	const mc_region *rg = NULL;
	for (uint32_t s = from; s < fs->n; s++) {
		const rt_frame *f = &fs->f[s];
		uint32_t np = s ? fs->nprog[s - 1] : 0;
		fs->nprog[s] = np + (f->fn->user >= 0 && f->fn->kind == RF_GO &&
				     !(f->pc == f->fn->entry && s == fs->n - 1));
		if (s == from && from_kept)
			continue; /* its own part of the rest stands, as do the outer frames' */
		uint32_t ne = s ? fs->nendcgo[s - 1] : 0;
		uint32_t nb = s ? fs->nbarw[s - 1] : 0;
		uint32_t nm = s ? fs->nnomap[s - 1] : 0;
		fs->nendcgo[s] = ne + (f->fn == &r->funcs[RTF_ENDCGO]);
		fs->nbarw[s] = nb + frame_barrier_words(r, f, bpc, &rg, &fs->tagged[s]);
		fs->nnomap[s] = nm + (!(f->fn->flags & RFF_LOCALMAP) ||
				      (f->fn->argsize && !(f->fn->flags & RFF_ARGMAP)));
	}
}

static int bysp_cmp(const void *a, const void *b)
{
	const struct inv_bysp *x = a, *y = b;
	if (x->sp != y->sp)
		return x->sp < y->sp ? -1 : 1;
	return x->s < y->s ? -1 : x->s > y->s;
}

static void index_by_sp(inv_frames *fs)
{
	fs->bysp = inv_grow(fs->bysp, &fs->capbysp, fs->n, sizeof *fs->bysp);
	for (uint32_t i = 0; i < fs->n; i++) {
		fs->bysp[i].sp = fs->f[i].sp;
		fs->bysp[i].s = i;
	}
	if (fs->n > 1)
		qsort(fs->bysp, fs->n, sizeof *fs->bysp, bysp_cmp);
}

static void walk_full(inv_ctx *c)
{
	const rt *r = c->r;
	inv_frames *fs = &c->fr;
	if (r->g.dead) { /* an ended G has no frames (its end is a step) */
		fs->n = fs->fresh = 0;
		fs->tb = TB_OK;
		fs->valid = 0;
		return;
	}
	fs->n = 0;
	fs->ws->nrechk = 0;
	fs->tb = rt_traceback(r, r->g.sched.pc, r->g.sched.sp, 0, collect, fs,
			      fs->why, sizeof fs->why);
	frames_outermost_first(fs);
	fs->fresh = fs->n;
	summarise(r, fs, 0, 0);
	fs->segordered = 0;
	if (!fs->sorted && !(fs->segordered = seg_ordered(fs, 0)))
		index_by_sp(fs);
	c->nfull++;
}

static int cache_usable(const inv_ctx *c)
{
	const rt *r = c->r;
	const inv_frames *fs = &c->fr;
	const mc_log *ch = mc_changes(&r->mem);
	return c->full != 1 && fs->valid && fs->tb == TB_OK && fs->gen == ch->stackgen &&
	       (r->g.nsegs == 1 ||
		(fs->segordered && ch->nrg <= MC_LOGRG)) &&
	       ((r->g.stkbarlen == 0 && fs->stkbarlen == 0) || r->g.nsegs == 1);
}

/* The barrier entry the unwinder meets first walking from sp (live
** entries whose slot lies below sp belong to frames gone). */
static uint32_t first_barrier(const rt *r, rt_addr sp)
{
	rt_addr base = rt_stkbar_base(r);
	uint32_t bar = r->g.stkbarpos;
	for (rt_word p; bar < r->g.stkbarlen; bar++)
		if (mc_peek(&r->mem, base + 8ull * RT_STKBAR_WORDS * bar, &p) || p >= sp)
			break;
	return bar;
}

/* Reused frames [0, splice] after return-PC slots or barrier entries
** were written (a GC scan installing or removing barriers, mark
** termination), or after the stack moved (walk_moved): each frame is the
** cached one if what the unwinder reads says so, read in walk order from
** the barrier entry the fresh frames left it at: its slot holds the
** cached return PC, or the barrier PC and the next live entry names this
** slot and saved that PC. One word per frame. 1 if all hold. */
static int slots_agree(const inv_ctx *c, uint32_t bar)
{
	const rt *r = c->r;
	const inv_frames *fs = &c->fr;
	rt_addr bpc = rt_barrier_pc(r), base = rt_stkbar_base(r);
	for (uint32_t i = 0; i < fs->ntmp && r->g.stkbarlen; i++) {
		rt_word x;
		if (!mc_peek(&r->mem, fs->tmp[i].lrptr, &x) && x == bpc)
			bar++;
	}
	for (uint32_t s = (uint32_t)fs->splice + 1; s-- > 0;) { /* walk order */
		const rt_frame *f = &fs->f[s];
		rt_word x, bp, bv;
		if (mc_peek(&r->mem, f->lrptr, &x))
			return 0;
		if (x == bpc) {
			rt_addr e = base + 8ull * RT_STKBAR_WORDS * bar;
			if (bar >= r->g.stkbarlen || mc_peek(&r->mem, e, &bp) ||
			    bp != f->lrptr || mc_peek(&r->mem, e + 8, &bv) || bv != f->lr)
				return 0;
			bar++;
		} else if (x != f->lr) {
			return 0;
		}
	}
	return 1;
}

/* A segment pushed or popped since the last check (stackgen moved, the
** stack is or was segmented, no barriers: Go never had both): the frames
** in the older segments did not move (addresses are never reused, and a
** new segment takes the callee's frame and arguments, writing nothing
** below), so walk_segs may splice there. A copy of the whole stack also
** moves stackgen: its frames lie in a new region, meet no cached frame
** (same seglo and seghi) and the walk is a full one. */
static int cache_usable_pushpop(inv_ctx *c)
{
	const rt *r = c->r;
	inv_frames *fs = &c->fr;
	const mc_log *ch = mc_changes(&r->mem);
	if (c->full == 1 || !fs->valid || fs->tb != TB_OK || fs->gen == ch->stackgen ||
	    fs->n == 0 || ch->nrg > MC_LOGRG || r->g.stkbarlen || fs->stkbarlen ||
	    (r->g.nsegs == 1 && fs->f[0].seg == 0))
		return 0;
	if (!fs->segordered) /* a one-segment cache is ordered by sp */
		fs->segordered = seg_ordered(fs, 0);
	return fs->segordered;
}

/* The incremental walk on several segments (the cache is usable and
** ordered); 1 if it spliced, 0 if a full walk is needed. */
static int walk_segs(inv_ctx *c)
{
	const rt *r = c->r;
	inv_frames *fs = &c->fr;
	fs->ntmp = 0;
	fs->splice = -1;
	fs->segdelta = 0;
	fs->ws->nrechk = 0;
	fs->ws->nseglim = 0;
	const mc_log *ch = mc_changes(&r->mem);
	for (uint32_t i = 0; i < ch->nrg; i++)
		seg_limit_add(fs, ch->rg[i].lo, ch->rg[i].end, ch->rg[i].hi);
	for (uint32_t i = 0; i < ch->nw; i++) {
		rt_addr w = ch->w[i];
		uint32_t s = seg_lower_bound(fs, w);
		const rt_frame *k = s < fs->n ? &fs->f[s] : NULL;
		if (k && w >= k->seglo && w <= k->seghi &&
		    w < k->fp + k->fn->argsize && w != k->lrptr && fs->ws->nrechk < 64) {
			fs->ws->rechk[fs->ws->nrechk++] = w;
		} else {
			const mc_region *rg = mc_find(&r->mem, w);
			if (!rg || rg->kind != RG_STACK)
				return 0;
			seg_limit_add(fs, rg->base, rg->base + rg->size, w);
		}
	}
	if (fs->ws->nseglim >= sizeof fs->ws->seglim / sizeof fs->ws->seglim[0])
		return 0;
	fs->tb = rt_traceback(r, r->g.sched.pc, r->g.sched.sp, 0,
			      collect_fresh_seg, fs, fs->why, sizeof fs->why);
	if (fs->tb != TB_OK || fs->splice < 0 ||
	    (c->t && c->t->lowmod < fs->nprog[fs->splice]))
		return 0;
	/* the reused part spans the splice frame's segment from its sp out,
	** and every older segment: none of those may have been written
	** (but the rechecked words, in the splice frame's segment or in a
	** newer one: newer segments lie higher, and their frames, inner to
	** the splice, are all fresh, walked and summarised again) */
	const rt_frame *sf = &fs->f[fs->splice];
	for (uint32_t i = 0; i < fs->ws->nseglim; i++)
		if (fs->ws->seglim[i].end <= sf->seglo)
			return 0;
	for (uint32_t i = 0; i < fs->ws->nrechk; i++)
		if (fs->ws->rechk[i] < sf->seglo)
			return 0;
	uint32_t keep = splice_fresh(fs);
	if (fs->segdelta) /* segment indices count from the innermost */
		for (uint32_t i = 0; i < keep; i++)
			fs->f[i].seg += (uint32_t)fs->segdelta;
	if (!seg_ordered(fs, keep)) {
		fs->fresh = fs->n; /* cannot happen: unwinding keeps the order */
		return 0;
	}
	summarise(r, fs, keep - 1, 0);
	c->nincr++;
	return 1;
}

/* After the incremental walk spliced: are the reused frames' written
** return-PC slots (slotw, cut here to the frames still reused) what
** the unwinder would read? Without barriers, each holds its frame's
** return PC; with barriers installed or removed (bars), or a reused
** slot written while barriers are live, every reused slot is proved in
** walk order (slots_agree: O(frames), on GC steps). */
static int slots_reused_agree(inv_ctx *c, int bars)
{
	const rt *r = c->r;
	inv_frames *fs = &c->fr;
	uint32_t keep = (uint32_t)fs->splice + 1, m = 0;
	for (uint32_t i = 0; i < fs->ws->nslotw; i++)
		if (fs->ws->slotw[i] < keep)
			fs->ws->slotw[m++] = fs->ws->slotw[i];
	fs->ws->nslotw = m;
	if (bars || (m && r->g.stkbarlen))
		return slots_agree(c, first_barrier(r, r->g.sched.sp));
	for (uint32_t i = 0; i < m; i++) {
		const rt_frame *f = &fs->f[fs->ws->slotw[i]];
		rt_word x;
		if (mc_peek(&r->mem, f->lrptr, &x) || x != f->lr)
			return 0;
	}
	return 1;
}

/* The walk after the stack moved (a copy for growth or stress, a
** shrink), one segment, as many barriers before as after: a move keeps
** every frame at its distance from hi and changes no return PC (only
** words pointing into the old stack are adjusted), so the cache moved by
** the delta of hi is the new stack's frame list, if the words the
** unwinder reads say so. The walk runs from sched until it meets a
** cached frame (same pc and sp, moved); from there outward each cached
** frame is proved by re-reading what the unwinder would read: its
** return-PC slot (the same value: the same next frame; or the barrier
** PC, and the live entry the unwinder takes there names this slot and
** saved the same value), its bounds in
** the new segment, and at the bottom the Stktop's link. One word per
** frame instead of a traceback; the result is the full walk's. Every
** frame counts as fresh: each word moved, so per-frame checks (STK1,
** STK3) cover them all. 1 if done, 0 if a full walk is needed. */
static int walk_moved(inv_ctx *c)
{
	const rt *r = c->r;
	inv_frames *fs = &c->fr;
	if (c->full == 1 || !fs->valid || fs->tb != TB_OK || fs->n == 0 ||
	    r->g.nsegs != 1 || fs->f[0].seg != 0 ||
	    fs->stkbarlen != r->g.stkbarlen || fs->f[0].seghi == r->g.hi)
		return 0;
	rt_addr delta = r->g.hi - fs->f[0].seghi; /* modulo 2^64 */
	for (uint32_t s = 0; s < fs->n; s++) {
		rt_frame *f = &fs->f[s];
		f->sp += delta;
		f->fp += delta;
		f->lrptr += delta;
		f->seglo = r->g.lo;
		f->seghi = r->g.hi;
	}
	fs->ntmp = 0;
	fs->splice = -1;
	fs->ws->nrechk = 0;
	fs->limit = 0;
	fs->tb = rt_traceback(r, r->g.sched.pc, r->g.sched.sp, 0, collect_fresh,
			      fs, fs->why, sizeof fs->why);
	if (fs->tb != TB_OK || fs->splice < 0)
		return 0;
	const mc_region *rg = inv_span(c, r->g.lo, r->g.hi + 8 * RT_STKTOP_WORDS);
	if (!rg)
		return 0;
	/* each moved frame inside the new stack, and its return-PC slot
	** what the unwinder would read (with live barriers, the entry it
	** takes there, counted from where it started) */
	for (uint32_t s = 0; s <= (uint32_t)fs->splice; s++) {
		const rt_frame *f = &fs->f[s];
		if (f->sp < r->g.lo || f->fp + f->fn->argsize > r->g.hi ||
		    (f->lrptr & 7))
			return 0;
	}
	if (!slots_agree(c, first_barrier(r, r->g.sched.sp)))
		return 0;
	if (rg->w[inv_span_word(rg, r->g.hi + 8 * STKTOP_PREV_HI)] != 0)
		return 0; /* the bottom frame's goexit needs no previous segment */
	splice_fresh(fs);
	fs->fresh = fs->n; /* every word moved */
	summarise(r, fs, 0, 0);
	fs->segordered = 0;
	c->nmoved++;
	return 1;
}

/* A word of stored frame f, [sp, fp + argsize), is among this walk's
** rechecked (written) words. */
static int rechecked_in(const inv_frames *fs, const rt_frame *f)
{
	for (uint32_t i = 0; i < fs->ws->nrechk; i++)
		if (fs->ws->rechk[i] >= f->sp && fs->ws->rechk[i] < f->fp + f->fn->argsize)
			return 1;
	return 0;
}

static void walk(inv_ctx *c)
{
	const rt *r = c->r;
	inv_frames *fs = &c->fr;
	fs->why[0] = 0;
	fs->barcounted = 0;
	fs->ws->nslotw = 0;
	fs->sorted = r->g.nsegs == 1;
	if (r->g.dead) {
		fs->n = fs->fresh = 0;
		fs->tb = TB_OK;
		fs->valid = 0;
		return;
	}
	if ((cache_usable(c) && r->g.nsegs != 1) || cache_usable_pushpop(c)) {
		if (walk_segs(c))
			goto done;
	} else if (cache_usable(c)) {
		fs->ntmp = 0;
		fs->splice = -1;
		fs->ws->nrechk = 0;
		/* a logged write limits reuse only if it hit no cached frame
		** (or Stktop words); other words are rechecked singly, and a
		** written return-PC slot is also proved (slots_reused_agree) */
		const mc_log *ch = mc_changes(&r->mem);
		fs->limit = ch->stack_hi;
		uint32_t smin = UINT32_MAX; /* lowest stored frame rechecked */
		/* barriers installed or removed (a scan, mark termination):
		** written return-PC slots and barrier entries do not end the
		** reuse; the reused frames' slots are proved instead */
		rt_addr bbase = 0, bend = 0;
		int bars = r->g.stkbarlen != fs->stkbarlen;
		for (uint32_t i = 0; i < ch->nw; i++) {
			rt_addr w = ch->w[i];
			if (w >= r->g.hi && !bend) { /* above the frames */
				bbase = rt_stkbar_base(r);
				bend = bbase + 8ull * RT_STKBAR_WORDS *
					       rt_max_barriers(r, r->g.stksize);
			}
			if (w >= r->g.hi && w >= bbase && w < bend) {
				bars = 1; /* an entry: read by slots_agree */
				continue;
			}
			uint32_t lo = sp_lower_bound(fs, w); /* sp <= w */
			const rt_frame *k = lo < fs->n ? &fs->f[lo] : NULL;
			if (k && w < k->fp + k->fn->argsize && fs->ws->nrechk < 64) {
				/* a data word, or the return-PC slot (proved by
				** slots_agree, its word rechecked as data, its
				** frame judged again where a checker reads it) */
				fs->ws->rechk[fs->ws->nrechk++] = w;
				if (lo < smin)
					smin = lo;
				if (w == k->lrptr)
					fs->ws->slotw[fs->ws->nslotw++] = lo;
			} else if (w > fs->limit) {
				fs->limit = w;
			}
		}
		fs->tb = rt_traceback(r, r->g.sched.pc, r->g.sched.sp, 0,
				      collect_fresh, fs, fs->why, sizeof fs->why);
		/* the program frames of the reused part must still be the
		** true ones: no shadow frame among them may have changed */
		if (fs->tb == TB_OK && fs->splice >= 0 &&
		    (!c->t || c->t->lowmod >= fs->nprog[fs->splice]) &&
		    slots_reused_agree(c, bars)) {
			uint32_t keep = splice_fresh(fs);
			/* live barriers: a reused frame with a written word has
			** its barrier words counted again (nbarw), and BAR1/BAR4
			** then take the count as it is (barcounted) */
			uint32_t from = keep - 1;
			if ((r->g.stkbarlen || bars || fs->ws->nslotw) && fs->ws->nrechk) {
				if (smin < from)
					from = smin;
				fs->barcounted = 1;
			}
			summarise(r, fs, from, from == keep - 1 &&
				  !rechecked_in(fs, &fs->f[keep - 1]));
			c->nincr++;
			goto done;
		}
	} else if (walk_moved(c)) {
		goto done;
	}
	walk_full(c);
done:
	fs->valid = fs->tb == TB_OK;
	fs->gen = mc_changes(&r->mem)->stackgen;
	fs->stkbarpos = r->g.stkbarpos;
	fs->stkbarlen = r->g.stkbarlen;
}

int inv_ctx_switch(inv_ctx *c, uint32_t from, uint32_t to)
{
	const rt *r = c->r;
	uint32_t need = (from > to ? from : to) + 1;
	if (need > c->ngc) {
		struct inv_gcache *n = realloc(c->gc, need * sizeof *n);
		if (!n)
			abort();
		memset(n + c->ngc, 0, (need - c->ngc) * sizeof *n);
		c->gc = n;
		c->ngc = need;
	}
	/* park the outgoing G's caches: they describe it as of its last
	** check only if that check was of it, and passed */
	struct inv_gcache *o = &c->gc[from], *in = &c->gc[to], t;
	t = *o;
	o->fr = c->fr;
	o->pc = c->pc;
	o->npc = c->npc;
	o->cappc = c->cappc;
	o->pcvalid = c->pcvalid;
	o->valid = c->chk_valid && c->chk_g == from && c->fr.valid &&
		   c->chk_stack && c->fr.n && c->fr.f[0].seg == 0;
	o->stack = c->chk_stack;
	o->wgen = c->chk_wgen;
	c->fr = t.fr; /* the slot's old buffers, reused below or as scratch */
	c->fr.ws = &c->ws; /* (a parked G's frames carry no walk scratch) */
	c->ws.nrechk = c->ws.nslotw = 0;
	c->pc = t.pc;
	c->npc = 0;
	c->cappc = t.cappc;
	c->fr.valid = 0;
	c->pcvalid = 0;
	c->dc.valid = 0;
	c->chk_valid = 0;
	/* take the incoming G's: exact while its one stack region is the
	** same, live and unwritten since its last check (no write, tag or
	** cell change, move or barrier there); the log covers this step */
	int ok = in->valid && in->stack == r->g.stack && r->g.stack &&
		 r->g.stack->live && r->g.stack->wgen == in->wgen &&
		 r->g.nsegs == 1 && !r->g.dead;
	if (!ok)
		return 0;
	t.fr = c->fr;
	t.pc = c->pc;
	t.cappc = c->cappc;
	c->fr = in->fr;
	c->fr.ws = &c->ws;
	c->pc = in->pc;
	c->npc = in->npc;
	c->cappc = in->cappc;
	c->pcvalid = in->pcvalid;
	in->fr = t.fr;
	in->pc = t.pc;
	in->cappc = t.cappc;
	in->npc = 0;
	in->valid = in->pcvalid = 0;
	/* as if checked now: a move later in this step bumps stackgen */
	c->fr.gen = mc_changes(&r->mem)->stackgen;
	c->fr.fresh = 0;
	c->fr.ws->nrechk = 0;
	c->nswitchkept++;
	return 1;
}

int inv_step_copied(const rt *r)
{
	for (uint32_t i = 0; i < r->nev; i++)
		if (r->ev[i].kind == EV_COPY || r->ev[i].kind == EV_SHRINK)
			return 1;
	return 0;
}

uint32_t inv_rechecks(const inv_ctx *c, const rt_addr **w)
{
	const inv_frames *fs = &c->fr;
	*w = fs->ws->rechk;
	if (fs->fresh >= fs->n)
		return 0;
	return fs->ws->nrechk;
}

uint32_t inv_slot_frames(const inv_ctx *c, const uint32_t **s)
{
	*s = c->fr.ws->slotw;
	return c->fr.fresh < c->fr.n ? c->fr.ws->nslotw : 0; /* (a full walk: none) */
}

int inv_frame_at_from(const inv_ctx *c, rt_addr sp, int below)
{
	const inv_frames *fs = &c->fr;
	uint32_t hs = below >= 0 ? fs->n - 1 - (uint32_t)below : fs->n;
	if (fs->sorted && hs < fs->n && fs->f[hs].sp <= sp) {
		uint32_t lo = sp_lower_bound_from(fs, sp, hs);
		return lo < fs->n && fs->f[lo].sp == sp ? (int)(fs->n - 1 - lo) : -1;
	}
	return inv_frame_at(c, sp);
}

int inv_frame_at(const inv_ctx *c, rt_addr sp)
{
	const inv_frames *fs = &c->fr;
	int s = -1;
	if (!fs->sorted && fs->segordered) {
		uint32_t lo = seg_lower_bound(fs, sp);
		if (lo < fs->n && seg_cmp(&fs->f[lo], sp) == 0)
			s = (int)lo;
	} else if (!fs->sorted) { /* the innermost frame with this sp */
		uint32_t lo = 0, hi = fs->n;
		while (lo < hi) { /* first entry past sp */
			uint32_t mid = (lo + hi) / 2;
			if (fs->bysp[mid].sp <= sp)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo > 0 && fs->bysp[lo - 1].sp == sp)
			s = (int)fs->bysp[lo - 1].s;
	} else {
		s = stored_at(fs, sp);
	}
	return s < 0 ? -1 : (int)(fs->n - 1) - s; /* innermost first */
}

int inv_frame_guess(const inv_ctx *c, rt_addr sp, uint32_t stored)
{
	const inv_frames *fs = &c->fr;
	/* the guess is what the search finds when it is where the search's
	** order puts sp: on one segment, it holds sp and the frame outer to
	** it lies above (sp descends with the stored index); on ordered
	** segments, it holds sp in its segment (one frame at most does) */
	if (stored < fs->n &&
	    (fs->sorted ? fs->f[stored].sp == sp &&
				  (stored == 0 || fs->f[stored - 1].sp > sp)
			: fs->segordered && seg_cmp(&fs->f[stored], sp) == 0))
		return (int)(fs->n - 1 - stored);
	return -1;
}

int inv_frame_at_hint(const inv_ctx *c, rt_addr sp, uint32_t stored)
{
	int k = inv_frame_guess(c, sp, stored);
	return k >= 0 ? k : inv_frame_at(c, sp);
}

rt_addr inv_written_hi(const mc_log *lg, const mc_region *rg)
{
	rt_addr end = rg->base + rg->size, hi = 0;
	for (uint32_t i = 0; i < lg->nw; i++)
		if (lg->w[i] >= rg->base && lg->w[i] < end && lg->w[i] > hi)
			hi = lg->w[i];
	if (lg->nrg > MC_LOGRG)
		return lg->stack_hi > hi ? lg->stack_hi : hi;
	for (uint32_t i = 0; i < lg->nrg; i++)
		if (lg->rg[i].lo == rg->base && lg->rg[i].hi > hi)
			hi = lg->rg[i].hi;
	return hi;
}

uint32_t inv_endcgo_frames(const inv_ctx *c)
{
	return c->fr.n ? c->fr.nendcgo[c->fr.n - 1] : 0;
}

typedef int (*checker)(inv_ctx *, inv_violation *);
static const checker checkers[INV__COUNT] = {
	inv_mem1, inv_stk1, inv_stk2, inv_stk3, inv_def1, inv_def2, inv_def3,
	inv_def4, inv_pan1, inv_cgo1, inv_cgo2, inv_seh1, inv_seh2, inv_seh3,
	inv_bar1, inv_bar2, inv_bar3, inv_bar4, inv_bar5, inv_gc1, inv_cgo3,
};

static int run_checkers(inv_ctx *c, inv_violation *v)
{
	c->have_nbar = 0;
	c->have_barkept = 0;
	for (int i = 0; i < INV__COUNT; i++)
		if (((c->mask >> i) & 1) && checkers[i](c, v))
			return 1;
	return 0;
}

/* The defer-chain cache is reusable next time only if DEF1 and DEF2 ran
** on this chain and passed. */
static void dchain_keep(inv_ctx *c, int bad)
{
	uint32_t both = (1u << INV_DEF1) | (1u << INV_DEF2);
	if (bad || (c->mask & both) != both)
		c->dc.valid = 0;
	if (bad || !((c->mask >> INV_PAN1) & 1)) /* the same for PAN1's */
		c->pcvalid = 0;
}

static int frame_same(const rt_frame *a, const rt_frame *b)
{
	return a->sp == b->sp && a->pc == b->pc && a->fn == b->fn &&
	       a->lr == b->lr && a->fp == b->fp && a->lrptr == b->lrptr &&
	       a->framesize == b->framesize && a->seg == b->seg &&
	       a->seglo == b->seglo && a->seghi == b->seghi &&
	       a->segtop == b->segtop;
}

/* fr0 (and its callback counts) equal a full walk's. */
static int fr0_same_as_full(const inv_ctx *c)
{
	inv_frames t; /* a full walk needs no scratch (t.ws) */
	memset(&t, 0, sizeof t);
	walk0_full(c->r, &t);
	count_callbacks0(c->r, &t, 0);
	int same = t.tb == c->fr0.tb && t.n == c->fr0.n &&
		   (t.tb == TB_OK || !strcmp(t.why, c->fr0.why));
	for (uint32_t i = 0; same && i < t.n; i++)
		same = frame_same(&t.f[i], &c->fr0.f[i]) &&
		       t.ncback[i] == c->fr0.ncback[i];
	frames_free(&t);
	return same;
}

/* Self-check of incremental checking (c->full == 2): the reused frames
** and the verdict must equal a full walk's. Divergence is an internal
** error of the checker, not a violation of the runtime. */
static int verify_incremental(inv_ctx *c, inv_violation *v, int bad)
{
	inv_frames *fs = &c->fr;
	uint32_t n = fs->n;
	rt_frame *copy = malloc((n ? n : 1) * sizeof *copy);
	if (!copy)
		abort();
	if (n) /* a dead G's walk (a parked cthread G) may have no buffer */
		memcpy(copy, fs->f, n * sizeof *copy);
	/* the defer chain as the incremental check assembled it */
	uint32_t nd = c->dc.n, ncgo = inv_dchain_endcgo(&c->dc);
	int dvalid = c->dc.valid;
	rt_addr *dcopy = malloc((nd ? nd : 1) * sizeof *dcopy);
	if (!dcopy)
		abort();
	for (uint32_t i = 0; i < nd; i++)
		dcopy[i] = c->dc.c[i].d;
	/* PAN1's verified chain as the incremental check left it */
	uint32_t np = c->pcvalid ? c->npc : 0;
	int pvalid = c->pcvalid;
	struct inv_pcache *pcopy = malloc((np ? np : 1) * sizeof *pcopy);
	if (!pcopy)
		abort();
	if (np)
		memcpy(pcopy, c->pc, np * sizeof *pcopy);
	/* the OS stack's frames as the incremental walk kept them */
	int same0 = fr0_same_as_full(c);
	inv_violation v2;
	walk_full(c);
	inv_dchain_collect(c, 1);
	c->verifying = 1;
	int bad2 = run_checkers(c, &v2);
	c->verifying = 0;
	dchain_keep(c, bad2);
	int same = same0 && n == fs->n && bad == bad2 && (!bad || v->id == v2.id);
	for (uint32_t i = 0; same && i < n; i++)
		same = frame_same(&copy[i], &fs->f[i]);
	if (same && dvalid && c->dc.valid) {
		same = nd == c->dc.n && ncgo == inv_dchain_endcgo(&c->dc);
		for (uint32_t i = 0; same && i < nd; i++)
			same = dcopy[i] == c->dc.c[i].d;
	}
	if (same && pvalid && c->pcvalid) {
		same = np == c->npc;
		for (uint32_t i = 0; same && i < np; i++)
			same = pcopy[i].p == c->pc[i].p && pcopy[i].s == c->pc[i].s;
	}
	free(copy);
	free(dcopy);
	free(pcopy);
	if (!same) {
		fprintf(stderr, "stackfuzz: internal error: incremental checking "
			"diverged from a full check (%u vs %u frames, %u vs %u "
			"defers, %u vs %u panics, verdict %d/%d)\n", n, fs->n, nd,
			c->dc.n, np, c->npc, bad, bad2);
		abort();
	}
	return bad;
}

int inv_check(inv_ctx *c, inv_violation *v)
{
	const rt *r = c->r;
	c->ncheck++;
	walk(c);
	rt_addr key[5] = {r->g0.sched.pc, r->g0.sched.sp, r->g0.lo, r->g0.hi,
			  r->m.mstartsp};
	const mc_log *ch = mc_changes(&r->mem);
	if (!c->full && c->fr0valid && c->fr0.tb == TB_OK &&
	    memcmp(key + 2, c->fr0key + 2, 3 * sizeof *key) == 0 &&
	    (c->fr0gen != ch->osgen || memcmp(key, c->fr0key, 2 * sizeof *key))) {
		count_callbacks0(r, &c->fr0, walk0_incremental(r, &c->fr0, ch->os_hi));
		c->fr0.fresh = c->fr0.n;
		c->fr0gen = ch->osgen;
		memcpy(c->fr0key, key, sizeof key);
	} else if (c->full || !c->fr0valid || c->fr0gen != ch->osgen ||
		   memcmp(key, c->fr0key, sizeof key) != 0) {
		walk0_full(r, &c->fr0);
		count_callbacks0(r, &c->fr0, 0);
		c->fr0.fresh = c->fr0.n;
		c->fr0valid = 1;
		c->fr0gen = ch->osgen;
		memcpy(c->fr0key, key, sizeof key);
	}
	inv_dchain_collect(c, 0);
	int bad = run_checkers(c, v);
	dchain_keep(c, bad);
	inv_bar_keep(c, bad);
	inv_reach(c, bad ? v->id : INV__COUNT - 1);
	if (c->full == 2)
		bad = verify_incremental(c, v, bad);
	/* what this check saw of the running G's stack, for inv_ctx_switch */
	c->chk_valid = !bad && !r->g.dead && r->g.stack && r->g.stack->live &&
		       r->g.nsegs == 1;
	c->chk_g = r->curg;
	c->chk_stack = r->g.stack;
	c->chk_wgen = r->g.stack ? r->g.stack->wgen : 0;
	return bad;
}
