/*
** inv_gc.c: GC1, what a GC stack scan visits.
**
** GC1  a scan in the mark phase visits every frame of the G, from sp
**      (syscallsp when the G is in C) to the outermost; a mark
**      termination rescan visits the frames from sp up to and including
**      the frame whose return slot holds the lowest barrier not yet hit,
**      or every frame when every barrier was hit or none was installed
**      (Go 1.6/1.7's scanstack); outside the mark phase it visits none.
**
** What it compares: the runtime's own report of its walk (g->scan, per
** G: GC scans, rescans every G, the suspended ones too;
** frames visited, program frames among them, the innermost one's sp
** and the outermost one's return slot) with the truth recorder's
** expectation (IF_GCSCAN, inv_truth_gc), worked out before the scan ran
** from the true frames' identity cells and the truth's own barrier
** record (installed by EV_BARRIER, hit by a return through it or by a
** recovery past it). A rescan that stops one frame early, a scan that
** skips the innermost frame or starts at a stale syscallsp, or a rescan
** that trusts a wrong stkbarPos all change one of these.
**
** Each fact names its G (gidx): a suspended G's scan is judged with the
** running G's facts, after the step, and its report says which G.
**
** Gotcha: addresses in the fact are taken before the scan; a scan never
** moves the stack, so they still hold when the checker runs.
*/
#include "inv.h"

int inv_gc1(inv_ctx *c, inv_violation *v)
{
	if (!c->t)
		return 0;
	static const rt_scanrep none;
	for (uint32_t i = 0; i < c->t->nfacts; i++) {
		const inv_fact *x = &c->t->facts[i];
		if (x->kind != IF_GCSCAN || x->stepno != c->r->stepno ||
		    (c->r->allg && x->gidx >= c->r->nallg))
			continue; /* (tests may keep facts past their step) */
		const rt_g *g = rt_gpc(c->r, x->gidx);
		const rt_scanrep *rep = g->scan.stepno == c->r->stepno ? &g->scan : &none;
		char what[64];
		int n = snprintf(what, sizeof what, "%s",
				 x->normal == RT_SCAN_MARKTERM ? "mark termination rescan"
							       : "scan");
		if (g != &c->r->g)
			snprintf(what + n, sizeof what - (size_t)n, " of g%u (suspended)",
				 x->gidx + 1);
		char a[64], b[64];
		if (c->r->status == RT_THROW)
			return 0; /* the scan threw: its verdict is the throw's */
		if (rep->kind != x->normal) {
			inv_fail(v, INV_GC1, "a %s ran but the runtime reports %s", what,
				 rep->kind == RT_SCAN_NONE ? "no scan" : "another kind of scan");
			return 1;
		}
		if (!x->want[1]) { /* outside the mark phase: nothing */
			if (rep->nframes) {
				inv_fail(v, INV_GC1, "mark termination outside the mark "
					 "phase visited %u frame(s)", rep->nframes);
				return 1;
			}
			continue;
		}
		if (x->normal == RT_SCAN_MARKTERM)
			c->reached |= 1u << INV_GC1; /* a real rescan was judged */
		if (!rep->nframes) {
			inv_fail(v, INV_GC1, "the %s visited no frame", what);
			return 1;
		}
		if (x->want[0] && rep->first_sp != (rt_addr)x->want[0]) {
			inv_fail(v, INV_GC1, "the %s started at the frame at %s; the "
				 "innermost frame is at %s", what,
				 inv_addr(c, rep->first_sp, a, sizeof a),
				 inv_addr(c, (rt_addr)x->want[0], b, sizeof b));
			return 1;
		}
		if (rep->last_lrptr != (rt_addr)x->want[1] ||
		    rep->nprog != (uint32_t)x->want[2]) {
			inv_fail(v, INV_GC1, "the %s ended at the frame with return slot "
				 "%s after %u program frame(s); it must end at %s after %lld "
				 "(%s)", what, inv_addr(c, rep->last_lrptr, a, sizeof a),
				 rep->nprog, inv_addr(c, (rt_addr)x->want[1], b, sizeof b),
				 (long long)x->want[2],
				 x->normal == RT_SCAN_MARKTERM && x->want[2] != c->t->nframes
					 ? "the frame under the lowest unhit barrier"
					 : "the outermost frame");
			return 1;
		}
	}
	return 0;
}
