/*
** inv_m.c: the per-M side of CGO1, CGO2, SEH1 and SEH3 for an M that is
** not the loaded one (the harness checks every M a step touched: the M
** switched away from, the one switched to, an extra M a cthread used).
**
** A free M (no G holds it: rt_sched.c) is at rest, as Go's idle M in
** its scheduler loop: no cgo call active (ncgo 0: CGO1), the runtime's
** thread lock not held (lockedint 0: CGO2), g0 back at its mstart frame
** (m.g0sp and g0.sched.sp both at mstartsp: CGO1, as after the last
** callback's return), and on windows/386 the SEH head at Go's record in
** mstart's frame (SEH1).
** A held M is checked by the ordinary checkers with its G and that G's
** truth loaded (harness/hs_sched.c); what they cannot see on an M that
** is not running is SEH3, whose ordinary check looks at a fault the step
** took: here it is the walk a fault on that thread would make now, from
** the head through live records to Go's handler (rt_seh_walk). SEH1
** allows a C handler anywhere in the chain, so a chain whose last record
** lost Go's handler passes SEH1 and fails this.
*/
#include <stdio.h>

#include "inv.h"

int inv_m_rest(const inv_ctx *c, inv_violation *v)
{
	const rt *r = c->r;
	const rt_m *m = &r->m;
	char a[64], b[64];
	if (m->ncgo) {
		inv_fail(v, INV_CGO1, "free M: ncgo is %u, but no G is in a cgo call "
			 "on it", m->ncgo);
		return 1;
	}
	if (m->lockedint) {
		inv_fail(v, INV_CGO2, "free M: the internal thread lock is held %u "
			 "times with no cgo call active", m->lockedint);
		return 1;
	}
	if (m->g0sp != m->mstartsp || r->g0.sched.sp != m->mstartsp) {
		inv_fail(v, INV_CGO1, "free M: g0.sched.sp is %s (saved %s), not at "
			 "its mstart frame", inv_addr(c, r->g0.sched.sp, a, sizeof a),
			 inv_addr(c, m->g0sp, b, sizeof b));
		return 1;
	}
	if (r->cfg.windows && m->seh != m->mstartseh) {
		inv_fail(v, INV_SEH1, "free M: SEH head %s is not Go's mstart record "
			 "%s", inv_addr(c, m->seh, a, sizeof a),
			 inv_addr(c, m->mstartseh, b, sizeof b));
		return 1;
	}
	return 0;
}

int inv_m_walk(const inv_ctx *c, inv_violation *v)
{
	char why[160];
	if (!c->r->cfg.windows || rt_seh_walk(c->r, why, sizeof why))
		return 0;
	inv_fail(v, INV_SEH3, "a fault on this thread would not reach Go's "
		 "handler: %s", why);
	return 1;
}
