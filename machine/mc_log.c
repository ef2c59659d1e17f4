/*
** mc_log.c: the machine's change log and its epoch API.
**
** What it models: the "what did this step touch" half of a write
** barrier. An incremental checker walks again only what memory saw since
** it last looked; the log tells it: single-word G-stack stores one by
** one, bulk writes (and stores past the log) as high-water marks overall
** and per stack region, the lowest heap address written or released, and
** generations for stack regions (created, released, relocated into) and
** OS stacks (any write), with the highest OS-stack address written.
**
** The epoch API is the only way in or out: the runtime opens an epoch at
** each step (mc_epoch_begin, from rt_begin_step); a checker reads the log
** through mc_changes (const); whoever ran the check closes it
** (mc_epoch_done), which empties the log but keeps the generations, so a
** checker that cached a generation sees whether it is still current.
**
** Invariants kept: the log never under-reports. An entry that does not
** fit (more than MC_LOGW single words, more than MC_LOGRG regions) widens
** to a coarser one (the high-water mark, nrg > MC_LOGRG) instead of being
** dropped. Until the first epoch is done, heap_lo is 0 and os_hi
** MC_ADDR_MAX: everything changed.
**
** Gotcha: nothing here knows what a frame or a defer record is; the
** checkers decide what a logged address means.
*/
#include "mc.h"

void mc_epoch_begin(mc_mem *m) { m->log.nsteps++; }

const mc_log *mc_changes(const mc_mem *m) { return &m->log; }

void mc_epoch_done(mc_mem *m)
{
	mc_log *l = &m->log;
	l->stack_hi = 0;
	l->nw = 0;
	l->nrg = 0;
	l->heap_lo = MC_ADDR_MAX;
	l->os_hi = 0;
	l->cell_hi = 0;
	l->cell_rg = 0;
	l->nsteps = 0;
	l->ndone++;
}

mc_addr mc_changes_stack_hi(const mc_log *l)
{
	mc_addr lim = l->stack_hi;
	for (uint32_t i = 0; i < l->nw; i++)
		if (l->w[i] > lim)
			lim = l->w[i];
	return lim;
}

/* The per-region high-water mark of writes to G stack r. */
static void log_rg(mc_log *l, const mc_region *r, mc_addr hi)
{
	for (uint32_t i = 0; i < l->nrg && i < MC_LOGRG; i++)
		if (l->rg[i].lo == r->base) {
			if (hi > l->rg[i].hi)
				l->rg[i].hi = hi;
			return;
		}
	if (l->nrg < MC_LOGRG) {
		l->rg[l->nrg].lo = r->base;
		l->rg[l->nrg].end = r->base + r->size;
		l->rg[l->nrg].hi = hi;
	}
	if (l->nrg <= MC_LOGRG)
		l->nrg++;
}

void mc_log_bulk(mc_mem *m, mc_region *r, mc_addr hi)
{
	mc_log *l = &m->log;
	r->wgen++;
	if (r->kind == RG_OSSTACK) {
		l->osgen++;
		if (hi > l->os_hi)
			l->os_hi = hi;
	}
	if (r->kind == RG_STACK && hi > l->stack_hi)
		l->stack_hi = hi;
	if (r->kind == RG_STACK)
		log_rg(l, r, hi);
	if (r->kind == RG_HEAP && r->base < l->heap_lo)
		l->heap_lo = r->base;
}

void mc_log_word(mc_mem *m, mc_region *r, mc_addr a)
{
	mc_log *l = &m->log;
	r->wgen++;
	if (r->kind == RG_OSSTACK) {
		l->osgen++;
		if (a > l->os_hi)
			l->os_hi = a;
	}
	if (r->kind == RG_HEAP && a < l->heap_lo)
		l->heap_lo = a;
	if (r->kind != RG_STACK)
		return;
	if (l->nw < MC_LOGW) {
		l->w[l->nw++] = a;
		return;
	}
	if (a > l->stack_hi)
		l->stack_hi = a;
	log_rg(l, r, a);
}

void mc_log_region(mc_mem *m, const mc_region *r, int released)
{
	mc_log *l = &m->log;
	if (r->kind == RG_STACK)
		l->stackgen++;
	if (r->kind == RG_OSSTACK && !released) {
		l->osgen++;
		l->os_hi = MC_ADDR_MAX;
	}
	if (r->kind == RG_HEAP && released && r->base < l->heap_lo)
		l->heap_lo = r->base;
}

void mc_log_relocated(mc_mem *m, const mc_region *r)
{
	if (r->kind == RG_STACK)
		m->log.stackgen++; /* every cached frame moved */
}
