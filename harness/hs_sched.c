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
** The checkers' caches (frames, defer chain) describe the G they last
** walked; a switch invalidates them, so the first check of the G that
** now runs walks it in full.
** Gotcha: gtruth[i] of the loaded G is empty (its contents moved into
** h->truth), so freeing every entry frees each buffer once.
*/
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
	t->lowmod = 0; /* every frame is new to the checkers */
	h->ctx.fr.valid = 0;
	h->ctx.dc.valid = 0;
}

void hs_sched_free(hs *h)
{
	for (uint32_t i = 0; i < h->ngtruth; i++)
		inv_truth_free(&h->gtruth[i]);
	free(h->gtruth);
	h->gtruth = NULL;
	h->ngtruth = h->capgtruth = 0;
}
