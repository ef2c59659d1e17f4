/*
** hs_sched.c: the interpreter's side of a G switch.
**
** The runtime switches Gs (rt_sched.c); the harness keeps what it knows
** per G beside it: the ground truth of each G (its true frames, panics,
** cgo calls and callbacks, barriers, LockOSThread count) lives in
** h->gtruth[i] while G i is suspended and in h->truth while it runs.
** The step's facts, the deepest depth seen and the GC phase are the
** program's, not a G's: they stay in h->truth across a switch.
**
** The checkers keep their caches per G (inv_ctx_switch): a switch parks
** the outgoing G's frames and panic chain and takes the incoming G's if
** its stack region was not written since its last check, so a switch
** costs nothing for an untouched G; else (and always for the defer
** chain) its first check walks it in full.
** A step's events may concern a suspended G (GC scans, rescans and
** shrinks every G): the runtime brackets them with EV_GSCOPE, and each
** run of events goes to the truth of its G, with that G loaded as the
** truth recorder expects (it reads the G it records for).
** MEM1 reads the machine's fault log, which is not a G's: a fault the
** runtime took on a suspended G's behalf (a shrink walking its defer
** chain) is laid to the G whose EV_GSCOPE it happened in (the events
** carry the fault count), and judged on that G alone.
** Gotcha: gtruth[i] of the loaded G is empty (its contents moved into
** h->truth), so freeing every entry frees each buffer once.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs.h"
#include "hs_internal.h"

static void room(hs *h, uint32_t n)
{
	while (h->ngtruth < n) {
		h->gtruth = inv_grow(h->gtruth, &h->capgtruth, h->ngtruth + 1,
				     sizeof *h->gtruth);
		inv_truth_init(&h->gtruth[h->ngtruth++]);
	}
}

void hs_sched_step(hs *h)
{
	rt *r = &h->rt;
	uint32_t from = r->curg;
	if (!rt_schedule(r))
		return;
	room(h, r->nallg);
	inv_truth *t = &h->truth, keep = *t;
	h->gtruth[from] = keep;
	h->gtruth[from].facts = NULL;
	h->gtruth[from].nfacts = h->gtruth[from].capfacts = 0;
	*t = h->gtruth[r->curg];
	memset(&h->gtruth[r->curg], 0, sizeof h->gtruth[r->curg]);
	t->facts = keep.facts;
	t->nfacts = keep.nfacts;
	t->capfacts = keep.capfacts;
	t->maxdepth = keep.maxdepth;
	t->gcmark = keep.gcmark;
	/* per-G checker caches: the incoming G's are kept if still exact,
	** and then so is what its truth says changed since its last check */
	if (!inv_ctx_switch(&h->ctx, from, r->curg))
		t->lowmod = 0; /* every frame is new to the checkers */
}

void hs_sched_load_g(hs *h, uint32_t i, hs_gswap *sw)
{
	rt *r = &h->rt;
	room(h, r->nallg);
	sw->i = i;
	sw->g = r->g;
	sw->cur = r->cur;
	sw->t = h->truth;
	r->g = r->allg[i];
	r->cur = &r->g;
	h->truth = h->gtruth[i];
}

void hs_sched_unload_g(hs *h, const hs_gswap *sw)
{
	rt *r = &h->rt;
	h->truth.nfacts = 0; /* the checkers judge the running G's facts */
	h->gtruth[sw->i] = h->truth;
	h->truth = sw->t;
	r->allg[sw->i] = r->g;
	r->g = sw->g;
	r->cur = sw->cur;
}

/* GC1's facts for a `gc scan` / `gc markterm`: what the scan of every
** live G must visit, worked out from each G's own truth before the
** runtime scans (rt_sched.c scans the suspended Gs, then the running
** one). A suspended G is in C by its truth (inv_truth_in_c), not by
** the runtime's syscallsp; the running G
** is in C when the statement runs in a C function. A suspended G may
** also be paused at a callee's entry, which the scan visits first. */
void hs_sched_gc_truth(hs *h, int markterm, int fromc)
{
	rt *r = &h->rt;
	room(h, r->nallg);
	for (uint32_t i = 0; r->allg && i < r->nallg; i++) {
		const inv_truth *g = &h->gtruth[i];
		const rt_g *rg = &r->allg[i];
		if (i == r->curg || rg->dead)
			continue;
		int inc = inv_truth_in_c(g);
		/* where the interpreter will resume it: a program Go function's
		** entry means its prologue has not run (a G that never ran) */
		const rt_func *f = rt_findfunc(r, rg->sched.pc);
		rt_addr entering = !inc && f && f->user >= 0 && f->kind == RF_GO &&
					   rg->sched.pc == f->entry
				   ? rg->sched.sp : 0;
		inv_truth_gc(&h->truth, g, r, i, markterm, inc, entering);
	}
	inv_truth_gc(&h->truth, &h->truth, r, r->curg, markterm, fromc, 0);
	inv_truth_gc_done(&h->truth, markterm);
}

void hs_sched_free(hs *h)
{
	for (uint32_t i = 0; i < h->ngtruth; i++)
		inv_truth_free(&h->gtruth[i]);
	free(h->gtruth);
	h->gtruth = NULL;
	free(h->allev);
	h->allev = NULL;
	if (h->ctx2_ready)
		inv_ctx_free(&h->ctx2);
	h->ctx2_ready = 0;
	if (h->ctx3_ready)
		inv_ctx_free(&h->ctx3);
	h->ctx3_ready = 0;
	h->ngtruth = h->capgtruth = 0;
}

/* Events [from, to) of this step, about suspended G i. */
static void events_of(hs *h, uint32_t i, uint32_t from, uint32_t to)
{
	rt *r = &h->rt;
	room(h, r->nallg);
	rt_event *ev = r->ev;
	uint32_t nev = r->nev;
	hs_gswap sw;
	hs_sched_load_g(h, i, &sw);
	r->ev = ev + from;
	r->nev = to - from;
	inv_truth_events(&h->truth, r);
	hs_sched_unload_g(h, &sw);
	r->ev = ev;
	r->nev = nev;
}

void hs_sched_events(hs *h)
{
	rt *r = &h->rt;
	uint32_t k = 0;
	while (k < r->nev && r->ev[k].kind != EV_GSCOPE)
		k++;
	if (k == r->nev) { /* the common case: all about the running G */
		inv_truth_events(&h->truth, r);
		return;
	}
	/* runs: [start, k) belongs to scope g */
	rt_event *ev = r->ev;
	uint32_t nev = r->nev, start = 0, g = r->curg;
	for (k = 0; k <= nev; k++) {
		if (k < nev && ev[k].kind != EV_GSCOPE)
			continue;
		if (k > start) {
			if (g == r->curg) {
				r->ev = ev + start;
				r->nev = k - start;
				inv_truth_events(&h->truth, r);
				r->ev = ev;
				r->nev = nev;
			} else {
				events_of(h, g, start, k);
			}
		}
		if (k < nev)
			g = (uint32_t)ev[k].a;
		start = k + 1;
	}
}

/* The G in whose scope the step's first recorded fault (the one MEM1
** names) happened: a scope event that found the count above 0 closes
** the scope it happened in. With MEM1 on, a step starts with no fault
** (one ends the run), so fault[0] is this step's. */
static uint32_t fault_scope(const rt *r)
{
	uint32_t g = r->curg;
	for (uint32_t k = 0; k < r->nev; k++) {
		if (r->ev[k].kind != EV_GSCOPE)
			continue;
		if (r->ev[k].b > 0)
			return g;
		g = (uint32_t)r->ev[k].a;
	}
	return g;
}

void hs_sched_own_events(hs *h)
{
	rt *r = &h->rt;
	uint32_t n = 0, g = r->curg;
	h->nallev = 0;
	h->faultg = -1;
	for (uint32_t k = 0; k < r->nev && !n; k++)
		n = r->ev[k].kind == EV_GSCOPE;
	if (!n)
		return; /* the common case: nothing about another G */
	if (r->mem.nfaults && fault_scope(r) != r->curg)
		h->faultg = (int32_t)fault_scope(r);
	h->allev = inv_grow(h->allev, &h->capallev, r->nev, sizeof *h->allev);
	memcpy(h->allev, r->ev, r->nev * sizeof *r->ev);
	h->nallev = r->nev;
	n = 0;
	for (uint32_t k = 0; k < r->nev; k++) {
		if (r->ev[k].kind == EV_GSCOPE)
			g = (uint32_t)r->ev[k].a;
		else if (g == r->curg)
			r->ev[n++] = r->ev[k];
	}
	r->nev = n;
}

/* G i's events of this step (from h->allev) into r->ev; how many. */
static uint32_t events_for(hs *h, uint32_t i)
{
	rt *r = &h->rt;
	uint32_t n = 0, g = r->curg;
	for (uint32_t k = 0; k < h->nallev; k++) {
		if (h->allev[k].kind == EV_GSCOPE)
			g = (uint32_t)h->allev[k].a;
		else if (g == i)
			r->ev[n++] = h->allev[k];
	}
	return n;
}

/* Puts "PREFIX: " in front of v's message. */
static void prefix(inv_violation *v, const char *pre)
{
	char m[sizeof v->msg + 64];
	int n = snprintf(m, sizeof m, "%s: ", pre);
	size_t len = strlen(v->msg);
	if ((size_t)n + len >= sizeof v->msg)
		len = sizeof v->msg - 1 - (size_t)n;
	memcpy(m + n, v->msg, len);
	m[(size_t)n + len] = 0;
	memcpy(v->msg, m, (size_t)n + len + 1);
}

int hs_sched_check_running(hs *h, inv_violation *v)
{
	uint32_t mask = h->ctx.mask;
	if (h->faultg >= 0) /* the fault is a suspended G's: its check names it */
		h->ctx.mask &= ~(1u << INV_MEM1);
	int bad = inv_check(&h->ctx, v);
	h->ctx.mask = mask;
	return bad;
}

int hs_sched_check_others(hs *h, inv_violation *v)
{
	rt *r = &h->rt;
	if (!h->nallev)
		return 0;
	if (!h->ctx2_ready) {
		inv_ctx_init(&h->ctx2, r, &h->truth);
		h->ctx2_ready = 1;
	}
	/* the per-G invariants: the M (CGO*, SEH*) is the running G's; GC1
	** judges the running G's scan report; MEM1 only on the G the
	** step's fault is laid to */
	uint32_t perg = 0;
	for (int id = INV_MEM1; id <= INV_PAN1; id++)
		perg |= 1u << id;
	for (int id = INV_BAR1; id <= INV_BAR5; id++)
		perg |= 1u << id;
	perg &= h->ctx.mask;
	/* r->ev has room for every event of the step: each G's are fewer */
	uint32_t nown = r->nev;
	rt_event *own = malloc((nown ? nown : 1) * sizeof *own);
	if (!own)
		abort();
	memcpy(own, r->ev, nown * sizeof *own);
	int bad = 0;
	for (uint32_t i = 0; i < r->nallg && !bad; i++) {
		int touched = 0;
		for (uint32_t k = 0; k < h->nallev && !touched; k++)
			touched = h->allev[k].kind == EV_GSCOPE && h->allev[k].a == i;
		if (i == r->curg || !touched || r->allg[i].dead)
			continue;
		r->nev = events_for(h, i);
		hs_gswap sw;
		hs_sched_load_g(h, i, &sw);
		/* a suspended G is walked in full: its last check is long gone */
		h->ctx2.fr.valid = 0;
		h->ctx2.dc.valid = 0;
		h->ctx2.fr0valid = 0;
		h->ctx2.mask = perg & ~(1u << INV_MEM1);
		if ((int32_t)i == h->faultg)
			h->ctx2.mask |= perg & (1u << INV_MEM1);
		bad = inv_check(&h->ctx2, v);
		hs_sched_unload_g(h, &sw);
		if (bad) {
			char who[32];
			snprintf(who, sizeof who, "g%u (suspended)", i + 1);
			prefix(v, who);
		}
	}
	h->ctx.reached |= h->ctx2.reached;
	memcpy(r->ev, own, nown * sizeof *own);
	r->nev = nown;
	free(own);
	return bad;
}

/* ---- per-M checks ---- */

/* Was M j touched by this step: switched away from or to, created? */
static int m_touched(const rt *r, uint32_t j)
{
	for (uint32_t k = 0; k < r->nev; k++) {
		const rt_event *e = &r->ev[k];
		if ((e->kind == EV_MSWITCH && (e->a == j || e->b == j)) ||
		    (e->kind == EV_NEWM && e->a == j))
			return 1;
	}
	return 0;
}

/* M j (not loaded), with its holder G and that G's truth if it has one. */
static int check_m(hs *h, uint32_t j, inv_violation *v)
{
	rt *r = &h->rt;
	rt_mslot *s = &r->allm[j];
	rt_m m = r->m;
	rt_g g0 = r->g0, g = r->g, *cur = r->cur;
	uint32_t nev = r->nev;
	inv_truth t = h->truth;
	inv_ctx *c = &h->ctx3;
	char pre[64];
	int bad;
	r->m = s->m;
	r->g0 = s->g0;
	r->nev = 0; /* the step's events are the running G's */
	c->fr.valid = 0;
	c->dc.valid = 0;
	c->fr0valid = 0;
	if (s->holder < 0) {
		r->cur = &r->g0;
		snprintf(pre, sizeof pre, "m%u (free)", j + 1);
		bad = inv_m_rest(c, v) || inv_m_walk(c, v);
	} else {
		uint32_t i = (uint32_t)s->holder;
		room(h, r->nallg);
		r->g = r->allg[i];
		h->truth = h->gtruth[i];
		r->cur = s->ong0 ? &r->g0 : &r->g;
		snprintf(pre, sizeof pre, "m%u (held by suspended g%u%s)", j + 1, i + 1,
			 s->ong0 ? ", in C" : r->m.ncgo ? ", in a callback" : "");
		bad = inv_check(c, v) || inv_m_walk(c, v);
		h->truth.nfacts = 0;
		h->gtruth[i] = h->truth;
		r->allg[i] = r->g;
	}
	s->m = r->m;
	s->g0 = r->g0;
	r->m = m;
	r->g0 = g0;
	r->g = g;
	r->cur = cur;
	r->nev = nev;
	h->truth = t;
	if (bad)
		prefix(v, pre);
	return bad;
}

int hs_sched_check_ms(hs *h, inv_violation *v)
{
	rt *r = &h->rt;
	if (r->nallm < 2)
		return 0;
	int any = 0;
	for (uint32_t j = 0; j < r->nallm && !any; j++)
		any = j != r->curm && m_touched(r, j);
	if (!any)
		return 0;
	if (!h->ctx3_ready) {
		inv_ctx_init(&h->ctx3, r, &h->truth);
		uint32_t perm = 1u << INV_CGO1 | 1u << INV_CGO2 | 1u << INV_CGO3 |
				1u << INV_SEH1 | 1u << INV_SEH2;
		h->ctx3.mask = h->ctx.mask & perm;
		h->ctx3_ready = 1;
	}
	int bad = 0;
	for (uint32_t j = 0; j < r->nallm && !bad; j++)
		if (j != r->curm && m_touched(r, j))
			bad = check_m(h, j, v);
	h->ctx.reached |= h->ctx3.reached & h->ctx3.mask;
	return bad;
}

void hs_sched_cthread_truth(hs *h, uint32_t i)
{
	rt *r = &h->rt;
	room(h, r->nallg);
	inv_truth *t = &h->gtruth[i];
	/* a G reused by the next cthread starts afresh (its frames and
	** callbacks ended with the last thread), but a LockOSThread its last
	** callback left stays: Go's dropm does not clear the M's lockedExt,
	** and the next thread gets the same extra M and G */
	uint32_t locks = t->locks;
	inv_truth_free(t);
	inv_truth_init(t);
	t->extram = 1;
	t->locks = locks;
	/* what must hold again when the callback returns: the extra M's
	** g0.sched.sp and the G's sched.pc (goexit) as they are now */
	rt_mslot *s = &r->allm[r->allg[i].m - 1];
	rt_m m = r->m;
	rt_g g = r->g;
	r->m = s->m;
	r->g = r->allg[i];
	inv_truth_callback(t, r);
	r->m = m;
	r->g = g;
}
