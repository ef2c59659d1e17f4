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
	h->ngtruth = h->capgtruth = 0;
}

/* Events [from, to) of this step, about suspended G i. */
static void events_of(hs *h, uint32_t i, uint32_t from, uint32_t to)
{
	rt *r = &h->rt;
	room(h, r->nallg);
	rt_event *ev = r->ev;
	uint32_t nev = r->nev;
	rt_g save = r->g, *cur = r->cur;
	inv_truth t = h->truth;
	r->g = r->allg[i];
	r->cur = &r->g;
	h->truth = h->gtruth[i];
	r->ev = ev + from;
	r->nev = to - from;
	inv_truth_events(&h->truth, r);
	h->truth.nfacts = 0; /* the checkers judge the running G's facts */
	h->gtruth[i] = h->truth;
	h->truth = t;
	r->allg[i] = r->g;
	r->g = save;
	r->cur = cur;
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

void hs_sched_own_events(hs *h)
{
	rt *r = &h->rt;
	uint32_t n = 0, g = r->curg;
	h->nallev = 0;
	for (uint32_t k = 0; k < r->nev && !n; k++)
		n = r->ev[k].kind == EV_GSCOPE;
	if (!n)
		return; /* the common case: nothing about another G */
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

int hs_sched_check_others(hs *h, inv_violation *v)
{
	rt *r = &h->rt;
	if (!h->nallev)
		return 0;
	if (!h->ctx2_ready) {
		inv_ctx_init(&h->ctx2, r, &h->truth);
		/* the per-G invariants: the M (CGO*, SEH*) is the running
		** G's; GC1 judges the running G's scan report */
		uint32_t perg = 0;
		for (int id = INV_MEM1; id <= INV_PAN1; id++)
			perg |= 1u << id;
		for (int id = INV_BAR1; id <= INV_BAR5; id++)
			perg |= 1u << id;
		h->ctx2.mask = h->ctx.mask & perg;
		h->ctx2_ready = 1;
	}
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
		room(h, r->nallg);
		r->nev = events_for(h, i);
		rt_g save = r->g, *cur = r->cur;
		inv_truth t = h->truth;
		r->g = r->allg[i];
		r->cur = &r->g;
		h->truth = h->gtruth[i];
		/* a suspended G is walked in full: its last check is long gone */
		h->ctx2.fr.valid = 0;
		h->ctx2.dc.valid = 0;
		h->ctx2.fr0valid = 0;
		bad = inv_check(&h->ctx2, v);
		h->truth.nfacts = 0;
		h->gtruth[i] = h->truth;
		h->truth = t;
		r->allg[i] = r->g;
		r->g = save;
		r->cur = cur;
		if (bad) {
			char m[sizeof v->msg + 32];
			int n = snprintf(m, sizeof m, "g%u (suspended): ", i + 1);
			size_t len = strlen(v->msg);
			if ((size_t)n + len >= sizeof v->msg)
				len = sizeof v->msg - 1 - (size_t)n;
			memcpy(m + n, v->msg, len);
			m[(size_t)n + len] = 0;
			memcpy(v->msg, m, (size_t)n + len + 1);
		}
	}
	h->ctx.reached |= h->ctx2.reached;
	memcpy(r->ev, own, nown * sizeof *own);
	r->nev = nown;
	free(own);
	return bad;
}
