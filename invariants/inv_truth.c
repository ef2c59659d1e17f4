/*
** inv_truth.c: the one ground-truth recorder.
**
** What it models: what the harness knows and the runtime may not. It is
** fed the step's runtime events (inv_truth_events) and the program's
** intent (a panic's value, a `check`, a `recover()`), and keeps:
**  - identity cells: every frame's return-PC slot, parameters and locals
**    get a fresh cell when the frame is entered (the machine's tags);
**  - the frames the program truly has (innermost last) and the gopanic /
**    goexit1 frames with what each panic carries and whether it was
**    recovered;
**  - what must hold again when a cgo call or callback ends (the SEH head,
**    g0.sched.sp, curg.sched.pc at its start);
**  - per cgo call, the identity of cgocall's sp word (where syscallsp
**    must point, CGO3) and whether its C frames run (the G is in C); per
**    callback, the identity of the syscallsp copy its frame saved;
**  - the GC's mark phase and the barriers the scans installed, each hit
**    or not (GC1), and, at each `gc` statement, what the scan must visit;
**  - the truth tags of the stack pointers the runtime writes itself
**    (records, links, Stktops, barrier entries: see "truth tags" below);
**  - this step's facts (inv_fact): what the program saw next to what Go's
**    semantics say it must see. The recorder never judges a fact: DEF4,
**    PAN1, SEH2, CGO1 and GC1 compare them (inv_defer.c, inv_cgo.c,
**    inv_gc.c).
**
** The interpreter and the tests both record through here: there is no
** second copy of these rules.
**
** Gotchas:
**  - a deferred call's caller is read through stack barriers: a barrier
**    over its return slot (a scan ran inside the deferred call) does not
**    change who called it, as Go 1.5-1.7's gorecover compares argp only;
**  - a deferred call on a new segment has lessstack as its return PC: its
**    caller is in the segment's Stktop record;
**  - every table grows: no count of panics, frames or facts is a limit;
**  - a cell given to a word that had none (a tag's target, a barrier over
**    cgocallback_gofunc's slot) must be one nothing re-cells while the
**    pointer lives: the targets are words of frames outer to the writer.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inv.h"

void inv_truth_init(inv_truth *t)
{
	memset(t, 0, sizeof *t);
	t->lowmod = t->cgomod = t->cbmod = UINT32_MAX;
	t->recover_for = -1; /* no recover() under way */
}

void inv_truth_free(inv_truth *t)
{
	free(t->frames);
	free(t->cgo);
	free(t->cb);
	free(t->bars);
	free(t->panics);
	free(t->facts);
	memset(t, 0, sizeof *t);
}

static inv_fact *fact(inv_truth *t, int kind)
{
	t->facts = inv_grow(t->facts, &t->capfacts, t->nfacts + 1, sizeof *t->facts);
	inv_fact *f = &t->facts[t->nfacts++];
	memset(f, 0, sizeof *f);
	f->kind = (uint8_t)kind;
	return f;
}

static void mod(uint32_t *m, uint32_t i)
{
	if (i < *m)
		*m = i;
}

void inv_truth_step_done(inv_truth *t)
{
	t->lowmod = t->cgomod = t->cbmod = UINT32_MAX;
	t->nfacts = 0;
}

/* ---- frames ---- */

void inv_truth_push(inv_truth *t, int32_t fn, uint32_t cell)
{
	t->frames = inv_grow(t->frames, &t->cap, t->nframes + 1, sizeof *t->frames);
	t->frames[t->nframes].fn = fn;
	t->frames[t->nframes].cell = cell;
	mod(&t->lowmod, t->nframes++);
	if (t->nframes > t->maxdepth)
		t->maxdepth = t->nframes;
}

void inv_truth_pop_to(inv_truth *t, uint32_t n)
{
	if (n < t->nframes)
		t->nframes = n;
	mod(&t->lowmod, n);
}

/* gopanic/goexit1 frames entered from frame depth `depth` or deeper
** (or, with keep_equal, deeper only) are gone. */
static void truncate_panics(inv_truth *t, uint32_t depth, int keep_equal)
{
	while (t->npanics) {
		uint32_t d = t->panics[t->npanics - 1].depth;
		if (d > depth || (!keep_equal && d == depth))
			t->npanics--;
		else
			break;
	}
}

/* ---- truth tags of stack pointers the runtime writes ----
**
** The runtime's own pointers into the G stack (defer record sp/argp,
** panic links, Stktop links, barrier slots, the saved syscallsp) get the
** truth tag of the word they point at when they are written, as the
** interpreter tags the program's `&y`: then a copy that forgets one
** leaves a tag whose cell moved and a value that did not, and STK3
** (frame words, Stktops, barrier entries) or DEF1/DEF2 (records) name
** it at that step. The target is the truth's own where the truth knows
** it (the deferring frame, cgocall's sp word), else the value written:
** a wrong value at the write is then for the other checkers, a value
** that goes stale afterwards is caught here. */

/* The identity of the G-stack word at a (one is given if it has none). */
static uint32_t cell_of(rt *r, rt_addr a)
{
	const mc_region *rg = mc_find(&r->mem, a);
	if (!rg || !rg->live || rg->kind != RG_STACK || (a & 7))
		return 0;
	uint32_t c = mc_cell_at(&r->mem, a);
	return c ? c : mc_cell_new(&r->mem, a);
}

/* Word w (a runtime-written pointer) truly points at the word at a. */
static void tag(rt *r, rt_addr w, rt_addr a)
{
	uint32_t c = a ? cell_of(r, a) : 0;
	if (c)
		mc_ptag_set(&r->mem, w, c);
}

/* A defer record's sp and argp name the frame that deferred it. */
static void tag_record(rt *r, rt_addr d, rt_addr sp, rt_addr argp)
{
	tag(r, d + 8 * D_SP, sp);
	tag(r, d + 8 * D_ARGP, argp);
}

/* A program defer: the record (the chain's head) belongs to the true
** innermost frame, wherever the runtime put its sp. */
static void on_defer(inv_truth *t, rt *r)
{
	if (!t->nframes || !r->g.defer)
		return;
	const inv_shadow_frame *in = &t->frames[t->nframes - 1];
	rt_addr lr = mc_cell_addr(&r->mem, in->cell);
	if (lr)
		tag_record(r, r->g.defer, lr - r->funcs[in->fn].framesize, lr + RT_WORD);
}

/* cgocall registered endcgo for its own frame (the chain's head). */
static void on_cgocall(inv_truth *t, rt *r)
{
	rt_addr sp = inv_truth_syscallsp(t, r, t->ncgo ? t->ncgo - 1 : 0);
	if (sp && r->g.defer)
		tag_record(r, r->g.defer, sp,
			   sp + r->funcs[RTF_CGOCALL].framesize + RT_WORD);
}

/* gopanic started the record at the chain's head: its _panic names the
** record of the running (newest true) gopanic/goexit1 frame. */
static void on_panic_defercall(inv_truth *t, rt *r)
{
	rt_addr d = r->g.defer;
	if (!d || !t->npanics)
		return;
	rt_addr lr = mc_cell_addr(&r->mem, t->panics[t->npanics - 1].cell);
	if (lr)
		tag(r, d + 8 * D_PANIC, lr - r->funcs[RTF_GOPANIC].framesize);
}

/* A panic record's link to the older record (value written). */
static void on_panic(rt *r)
{
	rt_addr rec = r->g.panic;
	rt_word link;
	if (rec && !mc_peek(&r->mem, rec + 8 * P_LINK, &link) && link)
		tag(r, rec + 8 * P_LINK, link);
}

/* A new segment's Stktop: where lessstack returns in the old one. */
static void on_segment(rt *r)
{
	rt_addr hi = r->g.hi;
	rt_word sp, argp;
	if (!mc_peek(&r->mem, hi + 8 * STKTOP_SP, &sp))
		tag(r, hi + 8 * STKTOP_SP, sp);
	if (!mc_peek(&r->mem, hi + 8 * STKTOP_ARGP, &argp))
		tag(r, hi + 8 * STKTOP_ARGP, argp);
}

/* The barrier entry saving the slot at lrptr: its savedLRPtr. Installs
** append, so it is entry `guess` (the truth's own count before this
** one) unless the runtime's array says otherwise: then it is looked up
** (O(1) a barrier normally; scans install hundreds). */
static void tag_barrier(rt *r, rt_addr lrptr, uint32_t guess)
{
	rt_word v;
	rt_addr base = rt_stkbar_base(r);
	for (uint32_t k = 0; k <= r->g.stkbarlen; k++) {
		uint32_t i = k ? k - 1 : guess;
		if (i < r->g.stkbarpos || i >= r->g.stkbarlen || (k && i == guess))
			continue;
		rt_addr e = base + 8ull * RT_STKBAR_WORDS * i + 8 * SB_LRPTR;
		if (!mc_peek(&r->mem, e, &v) && v == lrptr) {
			tag(r, e, lrptr);
			return;
		}
	}
}

static void on_enter(inv_truth *t, rt *r, int fi)
{
	const rt_func *f = &r->funcs[fi];
	rt_addr sp = rt_sp(r);
	uint32_t cell = mc_cell_new(&r->mem, sp + f->framesize);
	if (fi == RTF_CGOCALL && t->ncgo && !t->cgo[t->ncgo - 1].spcell) {
		/* the call's frame: syscallsp must name its sp word */
		t->cgo[t->ncgo - 1].spcell =
			f->framesize ? mc_cell_new(&r->mem, sp) : cell;
		mod(&t->cgomod, t->ncgo - 1);
	}
	if (f->user >= 0) {
		if (f->kind == RF_C && t->ncgo > inv_truth_cbin(t))
			t->cgo[t->ncgo - 1].cdepth++; /* the G is in C */
		if (f->kind == RF_GO)
			inv_truth_push(t, fi, cell);
		rt_addr fp = sp + f->framesize + RT_WORD;
		for (uint32_t s = 0; s < f->argsize / 8; s++)
			mc_cell_new(&r->mem, fp + 8ull * s);
		for (uint32_t s = 0; s < f->nlocals; s++)
			mc_cell_new(&r->mem, sp + 8ull * s);
	} else if (fi == RTF_GOPANIC || fi == RTF_GOEXIT1) {
		t->panics = inv_grow(t->panics, &t->cappanics, t->npanics + 1,
				     sizeof *t->panics);
		inv_tpanic *tp = &t->panics[t->npanics++];
		tp->cell = cell;
		tp->depth = t->nframes;
		tp->recovered = 0;
		tp->kind = t->pending_kind;
		tp->val = t->pending_val;
	}
}

static void on_return(inv_truth *t, const rt *r, int fi)
{
	if (r->funcs[fi].user >= 0 && r->funcs[fi].kind == RF_GO && t->nframes)
		inv_truth_pop_to(t, t->nframes - 1);
	if (r->funcs[fi].user >= 0 && r->funcs[fi].kind == RF_C &&
	    t->ncgo > inv_truth_cbin(t) &&
	    t->cgo[t->ncgo - 1].cdepth)
		t->cgo[t->ncgo - 1].cdepth--;
}

/* ---- GC stack barriers, as the truth sees them ---- */

/* A barrier went over the return-PC slot at lrptr: name it by the
** slot's identity (cgocallback_gofunc's slot has none until now). */
static void on_barrier(inv_truth *t, rt *r, rt_addr lrptr)
{
	uint32_t cell = mc_cell_at(&r->mem, lrptr);
	if (!cell)
		cell = mc_cell_new(&r->mem, lrptr);
	t->bars = inv_grow(t->bars, &t->capbars, t->nbars + 1, sizeof *t->bars);
	t->bars[t->nbars].cell = cell;
	t->bars[t->nbars++].hit = 0;
}

/* A frame returned through the barrier over its slot at lrptr. */
static void on_barrier_hit(inv_truth *t, const rt *r, rt_addr lrptr)
{
	uint32_t cell = lrptr ? mc_cell_at(&r->mem, lrptr) : 0;
	for (uint32_t i = 0; cell && i < t->nbars; i++)
		if (t->bars[i].cell == cell)
			t->bars[i].hit = 1;
}

/* A recovery resumed the frame whose return slot has identity `cell`:
** every frame below it is gone, and so are the barriers over them. */
static void bars_unwound(inv_truth *t, const rt *r, uint32_t cell)
{
	rt_addr top = mc_cell_addr(&r->mem, cell);
	for (uint32_t i = 0; top && i < t->nbars; i++) {
		rt_addr a = mc_cell_addr(&r->mem, t->bars[i].cell);
		if (a && a < top)
			t->bars[i].hit = 1;
	}
}

/* Recovery resumed frame fi: drop the true frames inner to it. */
static void on_recovery(inv_truth *t, const rt *r, int fi)
{
	const rt_func *f = &r->funcs[fi];
	uint32_t cell = mc_cell_at(&r->mem, rt_sp(r) + f->framesize);
	bars_unwound(t, r, cell);
	if (f->user < 0) { /* back into Goexit's loop */
		for (uint32_t i = t->npanics; i-- > 0;)
			if (t->panics[i].cell == cell) {
				inv_truth_pop_to(t, t->panics[i].depth);
				truncate_panics(t, t->nframes, 1);
				/* and every panic newer than this Goexit: one
				** started by a frame the shadow does not hold
				** (a deferred builtin panic) has this depth too */
				if (t->npanics > i + 1)
					t->npanics = i + 1;
				return;
			}
		return;
	}
	uint32_t n = t->nframes;
	while (n && t->frames[n - 1].cell != cell)
		n--;
	inv_truth_pop_to(t, n);
	/* gopanic frames called from the resumed frame or deeper are gone */
	truncate_panics(t, t->nframes, 0);
}

static void on_cbframe(inv_truth *t, rt *r, rt_addr sp);

void inv_truth_events(inv_truth *t, rt *r)
{
	for (uint32_t i = 0; i < r->nev; i++) {
		const rt_event *e = &r->ev[i];
		switch (e->kind) {
		case EV_ENTER:
			on_enter(t, r, (int)e->a);
			break;
		case EV_RETURN:
			on_return(t, r, (int)e->a);
			break;
		case EV_RECOVERY:
			on_recovery(t, r, (int)e->a);
			break;
		case EV_ENDCGO:
			inv_truth_cgo_return(t, r);
			break;
		case EV_CBRETURN:
		case EV_UNWINDM:
			inv_truth_callback_end(t, r, e->kind == EV_CBRETURN);
			break;
		case EV_CBFRAME:
			on_cbframe(t, r, (rt_addr)e->a);
			break;
		case EV_BARRIER:
			tag_barrier(r, (rt_addr)e->a, t->nbars);
			on_barrier(t, r, (rt_addr)e->a);
			break;
		case EV_DEFER:
			on_defer(t, r);
			break;
		case EV_DEFERCALL:
			if (e->b) /* run by a panic */
				on_panic_defercall(t, r);
			break;
		case EV_CGOCALL:
			on_cgocall(t, r);
			break;
		case EV_PANIC:
		case EV_GOEXIT:
			on_panic(r);
			break;
		case EV_SEGMENT:
			on_segment(r);
			break;
		case EV_BARRIERHIT:
			on_barrier_hit(t, r, (rt_addr)e->a);
			break;
		case EV_MARKTERM: /* every barrier removed */
			t->nbars = 0;
			break;
		default:
			break;
		}
	}
}

/* ---- panics and recover ---- */


void inv_truth_panic_value(inv_truth *t, int kind, int64_t val)
{
	t->pending_kind = kind;
	t->pending_val = val;
}

/* The return PC in the slot at lrptr as the code will see it: a live
** barrier's saved PC stands in for the barrier PC (as traceback does). */
static int return_pc(const rt *r, rt_addr lrptr, rt_word *lr)
{
	if (mc_peek(&r->mem, lrptr, lr))
		return -1;
	if (*lr == rt_barrier_pc(r))
		*lr = rt_barrier_saved_lr(r, lrptr); /* 0 for a stray barrier PC */
	return 0;
}

/* The panic whose recover() Go answers from function f's frame at sp
** (in the segment whose top is hi): f must be a deferred call made
** directly by gopanic, for a panic not yet recovered. */
static inv_tpanic *recover_truth(inv_truth *t, const rt *r, const rt_func *f,
				 rt_addr sp, rt_addr hi)
{
	rt_word lr;
	if (return_pc(r, sp + f->framesize, &lr))
		return NULL;
	rt_addr gsp = sp + f->framesize + RT_WORD + f->argsize;
	if (lr == rt_retpc(&r->funcs[RTF_LESSSTACK], 0)) {
		/* called on a new segment: the caller is in the Stktop */
		if (mc_peek(&r->mem, hi + 8 * STKTOP_PC, &lr) ||
		    mc_peek(&r->mem, hi + 8 * STKTOP_SP, &gsp))
			return NULL;
	}
	if (lr != rt_retpc(&r->funcs[RTF_GOPANIC], 1))
		return NULL;
	uint32_t cell = mc_cell_at(&r->mem, gsp + r->funcs[RTF_GOPANIC].framesize);
	for (uint32_t i = t->npanics; i-- > 0;)
		if (t->panics[i].cell == cell)
			return t->panics[i].recovered ? NULL : &t->panics[i];
	return NULL;
}

void inv_truth_recover_begin(inv_truth *t, const rt *r, const rt_func *f)
{
	inv_truth_recover_begin_at(t, r, f, rt_sp(r), r->g.hi);
}

void inv_truth_recover_begin_at(inv_truth *t, const rt *r, const rt_func *f,
				rt_addr sp, rt_addr hi)
{
	inv_tpanic *tp = f ? recover_truth(t, r, f, sp, hi) : NULL;
	t->recover_for = tp ? (int64_t)(tp - t->panics) : -1;
}

void inv_truth_recover(inv_truth *t, const char *fn, int got, int kind,
		       int64_t val)
{
	inv_tpanic *tp = t->recover_for >= 0 ? &t->panics[t->recover_for] : NULL;
	t->recover_for = -1;
	inv_fact *x = fact(t, IF_RECOVER);
	x->fn = fn;
	x->want[0] = tp != NULL;
	x->want[1] = tp ? tp->kind : 0;
	x->want[2] = tp ? tp->val : 0;
	x->got[0] = got != 0;
	x->got[1] = got ? kind : 0;
	x->got[2] = got ? val : 0;
	if (tp)
		tp->recovered = 1;
}

void inv_truth_check(inv_truth *t, const char *fn, const char *slot, int deref,
		     rt_addr addr, int64_t want, int64_t got)
{
	inv_fact *x = fact(t, IF_CHECK);
	x->fn = fn;
	x->slot = slot;
	x->deref = (uint8_t)(deref != 0);
	x->addr = addr;
	x->want[0] = want;
	x->got[0] = got;
}

/* ---- cgo calls and callbacks ---- */

void inv_truth_cgo_call(inv_truth *t, const rt *r)
{
	t->cgo = inv_grow(t->cgo, &t->capcgo, t->ncgo + 1, sizeof *t->cgo);
	t->cgo[t->ncgo].seh = r->m.seh;
	t->cgo[t->ncgo].spcell = 0; /* its frame is entered next (on_enter) */
	t->cgo[t->ncgo].cdepth = 0;
	mod(&t->cgomod, t->ncgo++);
}

void inv_truth_cgo_return(inv_truth *t, const rt *r)
{
	if (!t->ncgo)
		return;
	inv_fact *x = fact(t, IF_CGORET);
	x->want[0] = (int64_t)t->cgo[--t->ncgo].seh;
	x->got[0] = (int64_t)r->m.seh;
	mod(&t->cgomod, t->ncgo);
}

rt_addr inv_truth_syscallsp(const inv_truth *t, const rt *r, uint32_t i)
{
	if (i >= t->ncgo || !t->cgo[i].spcell)
		return 0;
	return mc_cell_addr(&r->mem, t->cgo[i].spcell);
}

int inv_truth_in_c(const inv_truth *t)
{
	if (t->extram && !t->ncb)
		return 1; /* an extra M's G between threads: parked in C */
	return t->ncgo > inv_truth_cbin(t) || (t->ncb && !t->cb[t->ncb - 1].slotcell);
}

void inv_truth_callback(inv_truth *t, const rt *r)
{
	t->cb = inv_grow(t->cb, &t->capcb, t->ncb + 1, sizeof *t->cb);
	t->cb[t->ncb].g0sp = r->m.g0sp;
	t->cb[t->ncb].slotcell = 0;
	t->cb[t->ncb].gpc = r->g.sched.pc;
	mod(&t->cbmod, t->ncb++);
}

/* cgocallback_gofunc's frame is built at sp: its saved-syscallsp word
** is a runtime-written stack pointer. It gets an identity (CGO3 finds it
** by it, wherever copies move it) and the truth tag of the slot it must
** point at, cgocall's sp word of the cgo call this callback returns to
** (the truth's own, not the value the runtime wrote), so STK3 sees it
** go stale the step a copy forgets it. */
static void on_cbframe(inv_truth *t, rt *r, rt_addr sp)
{
	if (!t->ncb)
		return;
	struct inv_cbtruth *cb = &t->cb[t->ncb - 1];
	rt_addr slot = sp + 8 * CBG_SYSCALLSP;
	cb->slotcell = mc_cell_new(&r->mem, slot);
	mod(&t->cbmod, t->ncb - 1);
	/* the cgo call it returns to (an extra M's bottom callback returns
	** to none: its saved copy is the needm state, no slot's pointer) */
	uint32_t i = inv_truth_cbin(t) - 1;
	if (t->extram && t->ncb == 1) /* the extra M's G: its outermost frame */
		t->xcell = mc_cell_new(&r->mem, sp + r->funcs[RTF_CGOCB_GOFUNC].framesize);
	if (inv_truth_cbin(t) && i < t->ncgo && t->cgo[i].spcell)
		mc_ptag_set(&r->mem, slot, t->cgo[i].spcell);
	/* unwindm's record (the chain's head) for this frame, and its
	** argument &restore */
	rt_addr d = r->g.defer;
	if (d) {
		const rt_func *cb = &r->funcs[RTF_CGOCB_GOFUNC];
		tag_record(r, d, sp, sp + cb->framesize + RT_WORD);
		tag(r, d + 8 * RT_DEFER_HDR_WORDS, sp + 8 * CBG_RESTORE);
	}
}

void inv_truth_callback_end(inv_truth *t, const rt *r, int normal)
{
	if (!t->ncb)
		return;
	const struct inv_cbtruth *want = &t->cb[--t->ncb];
	mod(&t->cbmod, t->ncb);
	/* unwound by a panic: its cgo call's C frames are abandoned */
	if (!normal && inv_truth_cbin(t) < t->ncgo && (t->ncb || !t->extram))
		t->cgo[inv_truth_cbin(t)].cdepth = 0;
	inv_fact *x = fact(t, IF_CBEND);
	x->normal = (uint8_t)(normal != 0);
	x->want[0] = (int64_t)want->g0sp;
	x->got[0] = (int64_t)r->m.g0sp;
	x->want[1] = (int64_t)want->gpc;
	x->got[1] = (int64_t)r->g.sched.pc;
}

/* ---- GC scans ---- */

/* Go's rule (1.6/1.7 scanstack): a scan in the mark phase visits every
** frame of the G, from sp (syscallsp when the G is in C) to the
** outermost; mark termination rescans from sp up to and including the
** frame whose return slot holds the lowest barrier not yet hit, or the
** whole stack when every barrier was hit or none was installed;
** outside the mark phase it visits nothing. Worked out here from the
** true frames (their slots' identities) and the truth's own barrier
** record, before the runtime runs: GC1 compares the G's scan report. */
void inv_truth_gc(inv_truth *t, const inv_truth *g, const rt *r, uint32_t gidx,
		  int markterm, int fromc, rt_addr entering)
{
	if (!g->nframes && !entering)
		return; /* the G is gone: there is nothing to scan */
	int visit = !markterm || t->gcmark; /* the program's phase */
	inv_fact *x = fact(t, IF_GCSCAN);
	x->gidx = gidx;
	x->normal = markterm ? RT_SCAN_MARKTERM : RT_SCAN_MARK;
	x->stepno = r->stepno; /* the report it is judged against is this step's */
	if (!visit)
		return; /* want: nothing visited */
	/* a G paused at a function's entry, its prologue not yet run (today
	** a G that never ran: preempt=N yields only once a frame is
	** entered): that frame is the innermost one the scan visits (as Go
	** traces a G stopped at an entry), with no identity cell yet (STK1's
	** rule: not a program frame of the truth until entered); its return
	** slot is at its sp, and it is below every barrier */
	x->want[2] = entering != 0;
	if (!g->nframes) { /* a G that never ran: its first callee only */
		x->want[0] = x->want[1] = (int64_t)entering;
		return;
	}
	const inv_shadow_frame *in = &g->frames[g->nframes - 1];
	rt_addr lr = mc_cell_addr(&r->mem, in->cell);
	if (fromc)
		x->want[0] = (int64_t)inv_truth_syscallsp(g, r, g->ncgo ? g->ncgo - 1 : 0);
	else if (entering)
		x->want[0] = (int64_t)entering;
	else if (lr)
		x->want[0] = (int64_t)(lr - r->funcs[in->fn].framesize);
	rt_addr stop = 0;
	for (uint32_t i = 0; markterm && i < g->nbars; i++) {
		rt_addr a = mc_cell_addr(&r->mem, g->bars[i].cell);
		if (!g->bars[i].hit && a && (!stop || a < stop))
			stop = a;
	}
	if (!stop) { /* the whole stack: up to main's frame (an extra M's G:
		      ** its bottom callback frame, below its first Go frame) */
		x->want[1] = (int64_t)mc_cell_addr(&r->mem, g->extram && g->xcell
								   ? g->xcell
								   : g->frames[0].cell);
		x->want[2] += g->nframes;
		return;
	}
	x->want[1] = (int64_t)stop;
	for (uint32_t i = 0; i < g->nframes; i++) {
		rt_addr a = mc_cell_addr(&r->mem, g->frames[i].cell);
		x->want[2] += a && a <= stop;
	}
}

void inv_truth_gc_done(inv_truth *t, int markterm)
{
	t->gcmark = !markterm;
}
