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
};

int inv_lookup(const char *id)
{
	for (int i = 0; i < INV__COUNT; i++)
		if (!strcmp(inv_catalogue[i].id, id))
			return i;
	return -1;
}

void inv_truth_init(inv_truth *t) { memset(t, 0, sizeof *t); }

void inv_truth_free(inv_truth *t)
{
	free(t->frames);
	memset(t, 0, sizeof *t);
}

void inv_truth_push(inv_truth *t, int32_t fn, uint32_t cell)
{
	if (t->nframes == t->cap) {
		uint32_t nc = t->cap ? 2 * t->cap : 64;
		inv_shadow_frame *nf = realloc(t->frames, nc * sizeof *nf);
		if (!nf)
			abort();
		t->frames = nf;
		t->cap = nc;
	}
	t->frames[t->nframes].fn = fn;
	t->frames[t->nframes].cell = cell;
	t->nframes++;
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
	rt_fmt_addr(&c->r->mem, a, buf, len);
	return buf;
}

void inv_ctx_init(inv_ctx *c, rt *r, const inv_truth *t)
{
	memset(c, 0, sizeof *c);
	c->r = r;
	c->t = t;
	c->mask = (1u << INV__COUNT) - 1;
}

void inv_ctx_free(inv_ctx *c)
{
	free(c->fr.f);
	free(c->fr0.f);
	memset(c, 0, sizeof *c);
}

static int collect(rt *r, const rt_frame *fr, void *arg)
{
	(void)r;
	inv_frames *fs = arg;
	if (fs->n == fs->cap) {
		uint32_t nc = fs->cap ? 2 * fs->cap : 64;
		rt_frame *nf = realloc(fs->f, nc * sizeof *nf);
		if (!nf)
			abort();
		fs->f = nf;
		fs->cap = nc;
	}
	fs->f[fs->n++] = *fr;
	return 1;
}

typedef int (*checker)(inv_ctx *, inv_violation *);
static const checker checkers[INV__COUNT] = {
	inv_mem1, inv_stk1, inv_stk2, inv_stk3, inv_def1, inv_def2, inv_def3,
	inv_def4, inv_pan1, inv_cgo1, inv_cgo2, inv_seh1, inv_seh2, inv_seh3,
	inv_bar1, inv_bar2, inv_bar3, inv_bar4, inv_bar5,
};

int inv_check(inv_ctx *c, inv_violation *v)
{
	rt *r = c->r;
	c->fr.n = 0;
	c->fr.tb = TB_OK;
	c->fr.why[0] = 0;
	if (!r->g.dead)
		c->fr.tb = rt_traceback(r, r->g.sched.pc, r->g.sched.sp, 0, collect,
					&c->fr, c->fr.why, sizeof c->fr.why);
	c->fr0.n = 0;
	c->fr0.why[0] = 0;
	c->fr0.tb = rt_traceback_g0(r, r->g0.sched.pc, r->g0.sched.sp, collect,
				    &c->fr0, c->fr0.why, sizeof c->fr0.why);
	for (int i = 0; i < INV__COUNT; i++)
		if (((c->mask >> i) & 1) && checkers[i](c, v))
			return 1;
	return 0;
}
