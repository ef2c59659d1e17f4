/*
** rt_stack.c: goroutine stacks: growth by copying, the split-stack
** fallback, shrinking (Go 1.3/1.4's stack.c).
**
** What it models:
**  - A stack is a region: usable words [lo, hi), then a Stktop record at
**    hi linking to the previous segment (all zero for the first one).
**  - The prologue at a function's entry PC checks sp - framesize against
**    the guard. If the frame does not fit, morestack either copies the top
**    segment to a stack twice the size, or, when the segment is not
**    copyable, pushes a new segment (Go 1.2's split stacks): the callee's
**    arguments are copied into it and its return PC becomes lessstack,
**    which pops the segment when the callee returns.
**  - Copying moves the used words and adjusts every pointer into the old
**    range: frames by their pointer maps (adjustframe), defer records and
**    their argument blocks (adjustdefers), the panic chain head
**    (adjustpanics; the records themselves live in gopanic frames and are
**    adjusted as frame locals), and the registers (adjustsched).
**
** Invariants:
**  - copyable(top segment) <=> every frame has a locals map and, if it
**    has arguments, an args map; and every defer whose argp is on the
**    segment names a function with both maps (seed 002: a missing locals
**    map means the maps came from C, and cgo's args maps lie);
**  - only the top segment is ever copied: pointers only point outwards, so
**    nothing in an older segment points into the top one;
**  - the old stack becomes a tombstone: a pointer left behind faults.
**
** Gotchas: the copy adjusts the frames the copyability walk just found,
** moved by the copy's delta (one walk per copy); rt_copystack alone
** walks the new stack, so the G's bounds are switched before
** adjustframes runs; hit frames at their entry PC have no locals yet
** (framesize 0) but do have their arguments.
*/
#include <stdlib.h>
#include <string.h>

#include "rt.h"

typedef struct adjinfo {
	rt_addr oldlo, oldhi;
	int64_t delta;
} adjinfo;

static uint32_t stktop_bytes(void) { return 8 * RT_STKTOP_WORDS; }

void rt_g_setstack(rt_g *g, mc_region *rg, rt_addr lo, uint32_t size)
{
	g->stack = rg;
	g->lo = lo;
	g->hi = lo + size;
	g->guard = lo + RT_STACK_GUARD;
	g->stksize = size;
}

/* A stack region: usable bytes, the Stktop, then the barrier array
** (gcMaxStackBarriers(size) entries), as Go's stackalloc carved it. */
uint64_t rt_stack_region_bytes(const rt *r, uint32_t size)
{
	return (uint64_t)size + stktop_bytes() +
	       8ull * RT_STKBAR_WORDS * rt_max_barriers(r, size);
}

int rt_stack_alloc(rt *r, uint32_t size, mc_region **out)
{
	uint32_t bytes = (uint32_t)rt_stack_region_bytes(r, size);
	*out = mc_alloc(&r->mem, RG_STACK, bytes, "stack");
	mc_fill(&r->mem, (*out)->base + size, bytes - size, 0);
	return 0;
}

#define ld(r, a) rt_ld(&(r)->mem, (a))
#define st(r, a, v) rt_st(&(r)->mem, (a), (v))

/* ---- copyability (copyabletopsegment) ---- */

/* The copyability walk keeps the frames it visits (r->cpf) when asked:
** a copy that follows at once adjusts exactly these frames, moved by
** its delta (the copy moves every word of the segment and changes no
** return PC, so a walk of the new stack would find the same frames). */
typedef struct copywalk {
	rt *r; /* writable: the walk hands its callback a read-only one */
	int ok, keep;
} copywalk;

static int checkframecopy(const rt *cr, const rt_frame *fr, void *arg)
{
	copywalk *cw = arg;
	const rt_func *f = fr->fn;
	if (!(f->flags & RFF_LOCALMAP) ||
	    (f->argsize && !(f->flags & RFF_ARGMAP))) {
		cw->ok = 0;
		rt_debugf(cr, RT_DEBUG_FRAMES, "copystack: frame %s not copyable\n",
			  f->name);
		return 0;
	}
	if (cw->keep) {
		rt *r = cw->r;
		if (r->ncpf == r->capcpf) {
			uint32_t cap = r->capcpf ? 2 * r->capcpf : 64;
			rt_frame *n = realloc(r->cpf, cap * sizeof *n);
			if (!n) {
				fprintf(stderr, "stackfuzz: out of memory\n");
				abort();
			}
			r->cpf = n;
			r->capcpf = cap;
		}
		r->cpf[r->ncpf++] = *fr;
	}
	return 1;
}

/* copyabletopsegment; with keep, r->cpf holds the segment's frames
** (innermost first) when it answers 1. */
static int copyable(rt *r, int keep)
{
	rt_g *g = &r->g;
	copywalk cw = {r, 1, keep};
	r->ncpf = 0;
	if (rt_traceback(r, g->sched.pc, g->sched.sp, 1, checkframecopy, &cw,
			 NULL, 0) != TB_OK)
		return 0;
	int ok = cw.ok;
	if (!ok)
		return 0;
	if (r->cfg.bugs & RT_BUG_7695)
		return 1; /* pre-fix: defers were not looked at */
	for (rt_addr d = g->defer; d; d = ld(r, d + 8 * D_LINK)) {
		rt_addr argp = ld(r, d + 8 * D_ARGP);
		if (argp < g->lo || argp > g->hi)
			break; /* a defer for an older segment */
		const rt_func *f = rt_findfunc(r, ld(r, d + 8 * D_FN));
		if (!f)
			return 0;
		if (!(f->flags & RFF_ARGMAP) || !(f->flags & RFF_LOCALMAP)) {
			rt_debugf(r, RT_DEBUG_STACKS,
				  "copystack: defer of %s not copyable\n", f->name);
			return 0;
		}
	}
	return 1;
}

int rt_copyable(rt *r) { return copyable(r, 0); }

/* ---- pointer adjustment, one function per kind of root ---- */

static void adjustpointer(rt *r, const adjinfo *a, rt_addr slot)
{
	rt_word p = ld(r, slot);
	if (p >= a->oldlo && p < a->oldhi) {
		rt_debugf(r, RT_DEBUG_WORDS, "adjust ptr %#llx -> %#llx\n",
			  (unsigned long long)p,
			  (unsigned long long)(p + (rt_word)a->delta));
		mc_store_adjust(&r->mem, slot, p + (rt_word)a->delta);
	}
}

static void adjustpointers(rt *r, const adjinfo *a, rt_addr base,
			   uint64_t map, uint32_t nwords)
{
	for (uint32_t i = 0; i < nwords && i < 64; i++)
		if ((map >> i) & 1)
			adjustpointer(r, a, base + 8ull * i);
}

/* The walk hands its callbacks a read-only runtime (rt_traceback);
** adjustment writes, so the writable one travels in the argument. */
typedef struct adjwalk {
	rt *r;
	const adjinfo *a;
} adjwalk;

static int adjustframe(const rt *cr, const rt_frame *fr, void *arg)
{
	(void)cr;
	rt *r = ((const adjwalk *)arg)->r;
	const adjinfo *a = ((const adjwalk *)arg)->a;
	const rt_func *f = fr->fn;
	rt_debugf(r, RT_DEBUG_FRAMES, "  adjusting %s frame [%#llx,%#llx)\n",
		  f->name, (unsigned long long)fr->sp,
		  (unsigned long long)(fr->fp + f->argsize));
	if (f->flags & RFF_LOCALMAP)
		adjustpointers(r, a, fr->sp, f->localmap, fr->framesize / 8);
	if (f->flags & RFF_ARGMAP)
		adjustpointers(r, a, fr->fp, f->argmap, f->argsize / 8);
	return 1;
}

/* walked: the frames of the copyability walk (r->cpf, on the old
** stack), or 0 to walk the new stack here. */
static void adjustframes(rt *r, const adjinfo *a, int walked)
{
	char why[160];
	adjwalk aw = {r, a};
	if (walked) {
		for (uint32_t i = 0; i < r->ncpf; i++) {
			rt_frame fr = r->cpf[i];
			fr.sp += (rt_addr)a->delta;
			fr.fp += (rt_addr)a->delta;
			fr.lrptr += (rt_addr)a->delta;
			adjustframe(r, &fr, &aw);
		}
		return;
	}
	if (rt_traceback(r, r->g.sched.pc, r->g.sched.sp, 1, adjustframe,
			 &aw, why, sizeof why) != TB_OK)
		rt_debugf(r, RT_DEBUG_STACKS, "copystack: traceback: %s\n", why);
}

static void adjustdefers(rt *r, const adjinfo *a)
{
	int older = 0;
	for (rt_addr d = r->g.defer; d; d = ld(r, d + 8 * D_LINK)) {
		/* d._panic points at a gopanic frame's record: that frame may
		** be on this segment even when d's own frame is not */
		adjustpointer(r, a, d + 8 * D_PANIC);
		rt_addr argp = ld(r, d + 8 * D_ARGP);
		if (older || argp < a->oldlo || argp > a->oldhi) {
			older = 1; /* defers for older segments from here on */
			continue;
		}
		const rt_func *f = rt_findfunc(r, ld(r, d + 8 * D_FN));
		if (f && (f->flags & RFF_ARGMAP))
			adjustpointers(r, a, d + 8 * RT_DEFER_HDR_WORDS, f->argmap,
				       f->argsize / 8);
		adjustpointer(r, a, d + 8 * D_SP);
		adjustpointer(r, a, d + 8 * D_ARGP);
	}
}

static void adjustpanics(rt *r, const adjinfo *a)
{
	/* records are frame locals of gopanic, adjusted with their frames;
	** but a record on an older segment can point into the copied one
	** (the argp of a deferred call that got a new segment), so every
	** record's pointers are range-checked here too (a second pass over
	** a moved word is a no-op: its new value is outside the old range) */
	if (r->g.panic >= a->oldlo && r->g.panic < a->oldhi)
		r->g.panic += (rt_addr)a->delta;
	for (rt_addr p = r->g.panic; p; p = ld(r, p + 8 * P_LINK)) {
		adjustpointer(r, a, p + 8 * P_ARGP);
		adjustpointer(r, a, p + 8 * P_LINK);
	}
}

/* adjuststkbar: live entries' slots move; hit ones keep stale addresses
** (as Go's did). The entries go to the new stack's array. */
static void adjuststkbar(rt *r, const adjinfo *a, rt_addr oldbar)
{
	rt_g *g = &r->g;
	rt_addr nb = rt_stkbar_base(r);
	for (uint32_t i = 0; i < g->stkbarlen; i++) {
		rt_addr oe = oldbar + 8ull * RT_STKBAR_WORDS * i;
		rt_addr ne = nb + 8ull * RT_STKBAR_WORDS * i;
		/* a value copy (the words keep what they are), then the
		** adjustment of a live slot pointer */
		mc_copy(&r->mem, ne, oe, 8 * RT_STKBAR_WORDS);
		rt_word p = ld(r, oe + 8 * SB_LRPTR);
		if (i >= g->stkbarpos && p >= a->oldlo && p < a->oldhi)
			mc_store_adjust(&r->mem, ne + 8 * SB_LRPTR, p + (rt_word)a->delta);
	}
}

static void adjustsched(rt *r, const adjinfo *a)
{
	r->g.sched.sp += (rt_addr)a->delta;
	if (r->g.syscallsp)
		r->g.syscallsp += (rt_addr)a->delta;
}

/* Moves the top segment to a fresh region of newsize usable bytes; the
** step's event (EV_COPY or EV_SHRINK: old size, new size) is what tells
** a checker that this step moved the stack. */
static void copystack(rt *r, uint32_t newsize, int ev, int walked)
{
	rt_g *g = &r->g;
	uint32_t oldsize = g->stksize;
	mc_region *old = g->stack, *nw;
	rt_stack_alloc(r, newsize, &nw);
	rt_addr oldtop = g->hi + stktop_bytes();
	rt_addr newhi = nw->base + newsize;
	/* the moved range includes the Stktop: an argp of the top frame is
	** one past hi and must move too (Go 1.3: stackbase + sizeof(Stktop)) */
	adjinfo a = {g->lo, oldtop, (int64_t)(newhi - g->hi)};
	uint32_t used = (uint32_t)(oldtop - g->sched.sp);
	rt_addr oldbar = rt_stkbar_base(r);
	rt_debugf(r, RT_DEBUG_STACKS, "copystack %u -> %u, used %u\n",
		  g->stksize, newsize, used);
	mc_move(&r->mem, g->sched.sp + (rt_addr)a.delta, g->sched.sp, used);

	g->stktotal += newsize;
	g->stktotal -= g->stksize;
	rt_g_setstack(g, nw, nw->base, newsize);
	adjustsched(r, &a);
	adjuststkbar(r, &a, oldbar);
	adjustframes(r, &a, walked);
	adjustdefers(r, &a);
	adjustpanics(r, &a);

	if (r->mem.poison)
		mc_fill(&r->mem, old->base, old->size, MC_POISON_FREE);
	mc_release(&r->mem, old);
	r->ncopies++;
	rt_event_add(r, ev, oldsize, newsize);
}

void rt_copystack(rt *r, uint32_t newsize, int ev)
{
	copystack(r, newsize, ev, 0);
}

/* ---- morestack: the prologue's slow path ---- */

/* Where the first frame of a new segment keeps a result that lessstack
** must copy back: 1 + its byte offset in the argument area, or 0. A Go
** or C function with a result keeps it in its last argument word; the
** cgocall trampoline keeps the C function's result in its argument block,
** after the arguments it was given (rt_cgo.c's copy_result writes it
** there, in the segment the trampoline runs on). */
static rt_word result_slot(rt *r, const rt_func *f, rt_addr argp)
{
	if (f->flags & RFF_RESULT)
		return 1 + (rt_word)f->argsize - RT_WORD;
	if (f != &r->funcs[RTF_CGOCALL])
		return 0;
	rt_addr slot = rt_cgo_result_slot(r, argp);
	return slot ? 1 + (slot - argp) : 0;
}

/* Pushes a new segment for the callee at the entry PC (newstack, 1.2). */
static void newsegment(rt *r, const rt_func *f, uint32_t size)
{
	rt_g *g = &r->g;
	/* barriers live only on a contiguous stack (Go never had both):
	** drop them; mark termination then rescans the whole stack */
	if (g->stkbarlen)
		rt_remove_barriers(r);
	rt_addr sp = g->sched.sp; /* the return-PC slot the CALL pushed */
	rt_word retpc = ld(r, sp);
	rt_addr argp = sp + RT_WORD;
	mc_region *seg;
	rt_stack_alloc(r, size, &seg);
	rt_addr hi = seg->base + size;
	mc_store(&r->mem, hi + 8 * STKTOP_PREV_LO, g->lo);
	mc_store(&r->mem, hi + 8 * STKTOP_PREV_HI, g->hi);
	mc_store(&r->mem, hi + 8 * STKTOP_PC, retpc);
	mc_store(&r->mem, hi + 8 * STKTOP_SP, argp + f->argsize);
	mc_store(&r->mem, hi + 8 * STKTOP_ARGP, argp);
	mc_store(&r->mem, hi + 8 * STKTOP_ARGSIZE, f->argsize);
	mc_store(&r->mem, hi + 8 * STKTOP_PREV_REGION, g->stack->id);
	rt_word roff = result_slot(r, f, argp);
	if (roff) /* else left as allocated: as before */
		mc_store(&r->mem, hi + 8 * STKTOP_RESULT, roff);
	rt_addr nsp = hi - f->argsize;
	mc_copy(&r->mem, nsp, argp, f->argsize);
	/* a deferred call run by a panic: its arguments now live here, and
	** recover() compares against them (Go 1.2 used the segment's argp) */
	for (rt_addr p = g->panic; p; p = ld(r, p + 8 * P_LINK))
		if (ld(r, p + 8 * P_ARGP) == argp)
			st(r, p + 8 * P_ARGP, nsp);
	nsp -= RT_WORD;
	mc_store(&r->mem, nsp, rt_retpc(&r->funcs[RTF_LESSSTACK], 0));
	rt_g_setstack(g, seg, seg->base, size);
	g->stktotal += size;
	g->nsegs++;
	g->sched.sp = nsp;
	r->nsegments++;
	rt_debugf(r, RT_DEBUG_STACKS, "newstack: segment of %u for %s\n", size,
		  f->name);
	rt_event_add(r, EV_SEGMENT, size, g->nsegs);
}

static uint32_t pow2_at_least(uint64_t n)
{
	uint64_t p = RT_STACK_MIN;
	while (p < n)
		p *= 2;
	return p > 0x80000000ull ? 0x80000000u : (uint32_t)p;
}

static void morestack(rt *r, const rt_func *f)
{
	rt_g *g = &r->g;
	uint64_t need = (uint64_t)f->framesize + RT_STACK_GUARD;
	if (copyable(r, 1)) {
		uint64_t used = g->hi - g->sched.sp;
		uint64_t newsize = 2ull * g->stksize;
		while (newsize - used < need + RT_STACK_GUARD)
			newsize *= 2;
		if (g->stktotal - g->stksize + newsize > r->cfg.stack_max) {
			r->status = RT_OVERFLOW;
			return;
		}
		copystack(r, (uint32_t)newsize, EV_COPY, 1);
		return;
	}
	uint32_t size = pow2_at_least(need + f->argsize + RT_WORD + RT_STACK_GUARD);
	if (g->stktotal + size > r->cfg.stack_max) {
		r->status = RT_OVERFLOW;
		return;
	}
	newsegment(r, f, size);
}

void rt_prologue(rt *r)
{
	rt_g *g = r->cur;
	const rt_func *f = rt_findfunc(r, g->sched.pc);
	if (!f) {
		rt_throw(r, TH_BADPC, "prologue at an unknown pc");
		return;
	}
	if (g->isg0) { /* the OS stack does not grow: C overflows it */
		if (g->sched.sp - f->framesize < g->guard ||
		    g->sched.sp < g->lo + f->framesize) {
			r->status = RT_OVERFLOW;
			return;
		}
	} else if (g->sched.sp - f->framesize < g->guard ||
	    g->sched.sp < g->lo + f->framesize) {
		morestack(r, f);
		return;
	}
	if (!g->isg0 && r->cfg.stress && !r->stress_done && copyable(r, 1)) {
		/* HARDSTACKTESTS: move the stack at every safe point */
		copystack(r, g->stksize, EV_COPY, 1);
		r->stress_done = 1;
		return;
	}
	r->stress_done = 0;
	g->sched.sp -= f->framesize;
	/* Go zeroes a frame's pointer slots; the model zeroes all locals */
	mc_fill(&r->mem, g->sched.sp, f->framesize, 0);
	g->sched.pc = rt_site_pc(f, 0);
	rt_event_add(r, EV_ENTER, f - r->funcs, f->framesize);
}

/* Pops the top segment: back to the previous one, which its Stktop
** names. Returns 0 if there is none. */
static int popsegment(rt *r)
{
	rt_g *g = &r->g;
	rt_word plo = ld(r, g->hi + 8 * STKTOP_PREV_LO);
	rt_word phi = ld(r, g->hi + 8 * STKTOP_PREV_HI);
	mc_region *prev = mc_find(&r->mem, plo);
	if (!phi || !prev || !prev->live)
		return 0;
	mc_region *old = g->stack;
	g->stktotal -= g->stksize;
	rt_g_setstack(g, prev, plo, (uint32_t)(phi - plo));
	g->nsegs--;
	mc_release(&r->mem, old);
	return 1;
}

/* lessstack: the callee of a segment's first frame returned. */
void rt_lessstack(rt *r)
{
	rt_g *g = &r->g;
	if (g->sched.sp != g->hi) {
		rt_throw(r, TH_LESSSTACK, "lessstack: sp is not at the segment top");
		return;
	}
	rt_word pc = ld(r, g->hi + 8 * STKTOP_PC);
	rt_word sp = ld(r, g->hi + 8 * STKTOP_SP);
	/* the result the first frame left in its argument area, copied back
	** to the caller's (Go 1.2's lessstack copied the results back) */
	rt_word roff = ld(r, g->hi + 8 * STKTOP_RESULT);
	rt_word argsize = ld(r, g->hi + 8 * STKTOP_ARGSIZE);
	rt_word argp = ld(r, g->hi + 8 * STKTOP_ARGP);
	int res = roff >= 1 && roff - 1 + RT_WORD <= argsize;
	rt_word rv = res ? ld(r, g->hi - argsize + roff - 1) : 0;
	if (!popsegment(r)) {
		rt_throw(r, TH_LESSSTACK, "lessstack: no previous segment");
		return;
	}
	if (res)
		st(r, argp + roff - 1, rv);
	g->sched.pc = pc;
	g->sched.sp = sp;
	rt_event_add(r, EV_SEGMENT_POP, g->nsegs, 0);
}

/* Pops segments until sp lies in the top one (recovery across them). */
void rt_unwindstack(rt *r, rt_addr sp)
{
	rt_g *g = &r->g;
	while (g->nsegs > 1 && !(sp >= g->lo && sp <= g->hi) && popsegment(r))
		rt_event_add(r, EV_SEGMENT_POP, g->nsegs, 1);
}

void rt_shrink(rt *r)
{
	rt_g *g = &r->g;
	uint32_t newsize = g->stksize / 2;
	/* not while the G is in C (running, or suspended there on its M):
	** Go's isShrinkStackSafe, syscallsp set */
	if (g->nsegs != 1 || newsize < RT_STACK_MIN || r->cur != g || g->syscallsp)
		return;
	if (g->stkbarlen > g->stkbarpos)
		return; /* not while live barriers are installed */
	/* hit entries stay in the array until mark termination and move
	** with it; a smaller stack's array may not hold them (Go's copystack
	** would overrun newstkbar: Go only shrank before a scan installed) */
	if (g->stkbarlen > rt_max_barriers(r, newsize))
		return;
	if (g->hi - g->sched.sp >= g->stksize / 4)
		return;
	if (!copyable(r, 1))
		return;
	r->nshrinks++;
	copystack(r, newsize, EV_SHRINK, 1);
}
