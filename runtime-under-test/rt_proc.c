/*
** rt_proc.c: the runtime's state, goroutine creation, CALL, and the
** per-step event log.
**
** What it models: the first M running main's G (newproc + gogo;
** more Gs and Ms: rt_sched.c). The G's
** first stack is set up as Go's newproc does: the entry function's
** return PC is goexit's return point, so returning from it ends the
** goroutine and every traceback ends at goexit.
**
** The step event log is the runtime's account of what one step did
** (frames entered, stacks copied, deferred calls started...). Traces
** print it; checkers that depend on what happened in a step (DEF3 after
** a copy) read it. Nothing in the runtime reads it back.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"

void rt_init(rt *r, const rt_config *cfg)
{
	memset(r, 0, sizeof *r);
	r->cfg = *cfg;
	if (r->cfg.stack_init < RT_STACK_MIN)
		r->cfg.stack_init = RT_STACK_MIN;
	r->cfg.stack_init = (r->cfg.stack_init + 7u) & ~7u;
	if (r->cfg.stack_max < r->cfg.stack_init)
		r->cfg.stack_max = r->cfg.stack_init;
	if (!r->cfg.osstack)
		r->cfg.osstack = 64 * 1024;
	mc_init(&r->mem, (int)cfg->poison);
	rt_text_init(r);
	r->cur = &r->g;
}

void rt_destroy(rt *r)
{
	mc_free(&r->mem);
	rt_sched_free(r);
	free(r->ev);
	free(r->cpf);
	free(r->panicmsg);
	memset(r, 0, sizeof *r);
}

void rt_begin_step(rt *r)
{
	r->nev = 0;
	mc_epoch_begin(&r->mem);
	r->stepno++;
}

void rt_event_add(rt *r, int kind, int64_t a, int64_t b)
{
	if (r->nev == r->capev) {
		uint32_t cap = r->capev ? 2 * r->capev : 16;
		rt_event *ev = realloc(r->ev, cap * sizeof *ev);
		if (!ev) {
			fprintf(stderr, "stackfuzz: out of memory\n");
			abort();
		}
		r->ev = ev;
		r->capev = cap;
	}
	r->ev[r->nev].kind = (uint8_t)kind;
	r->ev[r->nev].a = a;
	r->ev[r->nev].b = b;
	r->nev++;
}

void rt_sb_vprintf(rt_strbuf *sb, const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if (sb->n + (size_t)n + 1 > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 64;
		while (cap < sb->n + (size_t)n + 1)
			cap *= 2;
		char *b = realloc(sb->b, cap);
		if (!b) {
			fprintf(stderr, "stackfuzz: out of memory\n");
			abort();
		}
		sb->b = b;
		sb->cap = cap;
	}
	vsnprintf(sb->b + sb->n, (size_t)n + 1, fmt, ap);
	sb->n += (size_t)n;
}

void rt_sb_printf(rt_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	rt_sb_vprintf(sb, fmt, ap);
	va_end(ap);
}

char *rt_sb_take(rt_strbuf *sb)
{
	if (!sb->b)
		rt_sb_printf(sb, "%s", "");
	char *b = sb->b;
	sb->b = NULL;
	sb->n = sb->cap = 0;
	return b;
}

void rt_throw(rt *r, rt_throwcode code, const char *msg)
{
	if (r->status != RT_RUNNING)
		return;
	r->throwcode = code;
	snprintf(r->throwmsg, sizeof r->throwmsg, "%s", msg);
	r->status = RT_THROW;
}

int rt_internal(rt *r, const char *expr, const char *file, int line,
		const char *what)
{
	mc_assert_fail(expr, file, line, 0);
	char msg[200];
	snprintf(msg, sizeof msg, "internal: %s", what);
	rt_throw(r, TH_INTERNAL_ASSERT, msg);
	return 1;
}

void rt_throw_tb(rt *r, int t, const char *what, const char *why)
{
	static const rt_throwcode code[] = {
		[TB_BADPC] = TH_TB_BADPC,	    [TB_BADRET] = TH_TB_BADRET,
		[TB_OUTSIDE] = TH_TB_OUTSIDE,	    [TB_INCOMPLETE] = TH_TB_INCOMPLETE,
		[TB_FAULT] = TH_TB_FAULT,
	};
	char msg[200];
	snprintf(msg, sizeof msg, "%s: %s: %s", what, rt_tbresult_name((rt_tbresult)t),
		 why);
	rt_throw(r, t > TB_OK && t <= TB_FAULT ? code[t] : TH_TB_INCOMPLETE, msg);
}

const char *rt_throwcode_name(rt_throwcode c)
{
	static const char *const n[TH__COUNT] = {
		"none", "internal-badfunc", "internal-badstmt", "internal-assert",
		"cgo-unbalanced",
		"cgo-notincgo", "defer-badentry", "defer-unknownfn",
		"recovery-noepilogue", "badretpc", "badpc", "lessstack",
		"seh-unhandled", "tb-badpc", "tb-badret", "tb-outside",
		"tb-incomplete", "tb-fault", "stkbar-lost", "stkbar-none",
		"stkbar-missed",
	};
	return c >= 0 && c < TH__COUNT ? n[c] : "?";
}

void rt_debugf_out(const rt *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(r->log, fmt, ap);
	va_end(ap);
}

int rt_start(rt *r, int entry)
{
	rt_g *g = &r->g;
	mc_region *stk;
	if (entry < 0 || (uint32_t)entry >= r->nfuncs)
		return -1;
	rt_stack_alloc(r, r->cfg.stack_init, &stk);
	g->id = 1;
	rt_g_setstack(g, stk, stk->base, r->cfg.stack_init);
	g->stktotal = r->cfg.stack_init;
	g->nsegs = 1;
	g->sched.sp = g->hi;
	rt_mstart(r);
	rt_sched_init(r);
	r->cur = g;
	/* newproc: the entry function returns to goexit */
	rt_call(r, entry, rt_retpc(&r->funcs[RTF_GOEXIT], 0));
	return 0;
}

rt_addr rt_frame_fp(const rt *r, const rt_func *f)
{
	rt_addr pc = r->cur->sched.pc;
	return r->cur->sched.sp + (pc == f->entry ? 0 : f->framesize) + RT_WORD;
}

rt_addr rt_push_args(rt *r, const rt_word *v, uint32_t n)
{
	rt_g *g = r->cur;
	g->sched.sp -= 8ull * n;
	for (uint32_t i = 0; i < n; i++)
		mc_store(&r->mem, g->sched.sp + 8ull * i, v[i]);
	return g->sched.sp;
}

void rt_call(rt *r, int fn, rt_addr retpc)
{
	rt_g *g = r->cur;
	g->sched.sp -= RT_WORD;
	mc_store(&r->mem, g->sched.sp, retpc);
	g->sched.pc = r->funcs[fn].entry;
}
