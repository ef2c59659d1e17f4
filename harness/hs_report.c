/*
** hs_report.c: traces, state dumps and violation reports.
**
** Everything printed here is deterministic: addresses are shown relative
** to their region ("stack#3+0x7f8"), regions are numbered in allocation
** order, and nothing depends on host pointers or time.
*/
#include <stdlib.h>
#include <string.h>

#include "hs_internal.h"

static void where(hs *h, char *buf, size_t len)
{
	const prog *p = h->p;
	if (h->cur_func >= 0 && h->cur_stmt >= 0) {
		const prog_func *pf = &p->funcs[h->cur_func];
		char st[160];
		prog_print_stmt(p, h->cur_func, &pf->stmts[h->cur_stmt], st, sizeof st);
		snprintf(buf, len, "%s:%-3d %s", pf->name, h->cur_stmt, st);
	} else if (h->cur_func >= 0) {
		snprintf(buf, len, "%s:end (epilogue)", p->funcs[h->cur_func].name);
	} else if (h->cur_rtfunc >= 0) {
		const rt_func *f = &h->rt.funcs[h->cur_rtfunc];
		snprintf(buf, len, "%s", f->name);
	} else {
		snprintf(buf, len, "?");
	}
}

static const char *fname(hs *h, int64_t i)
{
	return i >= 0 && (uint32_t)i < h->rt.nfuncs ? h->rt.funcs[i].name : "?";
}

static void fmt_event(hs *h, const rt_event *e, char *b, size_t n)
{
	switch (e->kind) {
	case EV_ENTER:
		snprintf(b, n, "enter %s (frame %lld)", fname(h, e->a), (long long)e->b);
		break;
	case EV_RETURN:
		snprintf(b, n, "return from %s", fname(h, e->a));
		break;
	case EV_COPY:
		snprintf(b, n, "stack copied %lldB -> %lldB", (long long)e->a,
			 (long long)e->b);
		break;
	case EV_SEGMENT:
		snprintf(b, n, "new segment of %lldB (%lld segments)", (long long)e->a,
			 (long long)e->b);
		break;
	case EV_SEGMENT_POP:
		snprintf(b, n, "segment popped%s", e->b ? " (unwind)" : " (lessstack)");
		break;
	case EV_SHRINK:
		snprintf(b, n, "stack shrunk %lldB -> %lldB", (long long)e->a,
			 (long long)e->b);
		break;
	case EV_DEFER:
		snprintf(b, n, "defer record for %s", fname(h, e->a));
		break;
	case EV_DEFERCALL:
		snprintf(b, n, "deferred call %s starts%s", fname(h, e->a),
			 e->b ? " (panicking)" : "");
		break;
	case EV_DEFERDONE:
		snprintf(b, n, "deferred call %s returned", fname(h, e->a));
		break;
	case EV_PANIC:
		if (e->a == PV_NIL)
			snprintf(b, n, "panic nil");
		else if (e->a == PV_NILDEREF)
			snprintf(b, n, "panic: nil pointer dereference");
		else if (e->a == PV_FAULT)
			snprintf(b, n, "panic: fault");
		else
			snprintf(b, n, "panic %lld", (long long)e->b);
		break;
	case EV_ABORT:
		snprintf(b, n, "earlier panic aborted");
		break;
	case EV_RECOVER: /* a = 1 + value kind when it recovered */
		if (!e->a)
			snprintf(b, n, "recover -> nil");
		else if (e->a - 1 == PV_INT)
			snprintf(b, n, "recover -> %lld", (long long)e->b);
		else if (e->a - 1 == PV_NIL)
			snprintf(b, n, "recover -> nil (panic(nil) stopped)");
		else
			snprintf(b, n, "recover -> runtime error");
		break;
	case EV_RECOVERY:
		snprintf(b, n, "recovered: %s resumes", fname(h, e->a));
		break;
	case EV_GOEXIT:
		snprintf(b, n, "Goexit");
		break;
	case EV_FAULT:
		snprintf(b, n, e->a ? "fault -> Go's handler: panic" :
			 "fault: no handler reached");
		break;
	case EV_CGOCALL:
		snprintf(b, n, "cgocall %s: ncgo=%u, switch to the OS stack",
			 fname(h, e->b), h->rt.m.ncgo);
		break;
	case EV_ASMRETURN:
		snprintf(b, n, "C returned: back to the G stack");
		break;
	case EV_ENDCGO: {
		char a[64];
		mc_fmt_addr(&h->rt.mem, h->rt.m.seh, a, sizeof a);
		snprintf(b, n, "endcgo: ncgo=%u%s%s", h->rt.m.ncgo,
			 h->rt.cfg.windows ? ", SEH head " : "",
			 h->rt.cfg.windows ? a : "");
		break;
	}
	case EV_CALLBACK:
		snprintf(b, n, "callback into %s: switch to the G stack", fname(h, e->b));
		break;
	case EV_CBRETURN: {
		char a[64];
		mc_fmt_addr(&h->rt.mem, (rt_addr)e->a, a, sizeof a);
		snprintf(b, n, "callback returned: back to the OS stack, g0.sched.sp=%s", a);
		break;
	}
	case EV_UNWINDM: {
		char a[64];
		mc_fmt_addr(&h->rt.mem, (rt_addr)e->a, a, sizeof a);
		snprintf(b, n, "unwindm: C frames abandoned, g0.sched.sp=%s", a);
		break;
	}
	case EV_SEHPUSH: {
		char a[64];
		mc_fmt_addr(&h->rt.mem, (rt_addr)e->a, a, sizeof a);
		snprintf(b, n, "SEH push %s", a);
		break;
	}
	case EV_SEHPOP: {
		char a[64];
		mc_fmt_addr(&h->rt.mem, (rt_addr)e->a, a, sizeof a);
		snprintf(b, n, "SEH pop: head %s", a);
		break;
	}
	case EV_GCSCAN:
		snprintf(b, n, "GC scan: %lld barrier(s) installed, mark phase",
			 (long long)e->a);
		break;
	case EV_BARRIER: {
		char a[64];
		mc_fmt_addr(&h->rt.mem, (rt_addr)e->a, a, sizeof a);
		snprintf(b, n, "barrier at %s", a);
		break;
	}
	case EV_BARRIERHIT: {
		char a[64];
		mc_fmt_addr(&h->rt.mem, (rt_addr)e->a, a, sizeof a);
		snprintf(b, n, "returned through the barrier at %s", a);
		break;
	}
	case EV_MARKTERM:
		snprintf(b, n, "mark termination: %lld barrier(s) removed",
			 (long long)e->a);
		break;
	case EV_BARRIERUNWIND:
		snprintf(b, n, "recovery passed %lld barrier(s)", (long long)e->a);
		break;
	case EV_LOCK:
		snprintf(b, n, "LockOSThread count %lld", (long long)e->a);
		break;
	case EV_CBFRAME: {
		char a[64];
		mc_fmt_addr(&h->rt.mem, (rt_addr)e->a, a, sizeof a);
		snprintf(b, n, "cgocallback_gofunc frame at %s", a);
		break;
	}
	case EV_NEWPROC:
		snprintf(b, n, "new goroutine g%lld runs %s", (long long)e->a,
			 e->b >= 0 && e->b < (int64_t)h->rt.nfuncs ? h->rt.funcs[e->b].name
								 : "?");
		break;
	case EV_GOEND:
		snprintf(b, n, "g%lld ends%s", (long long)e->a, e->b ? " (Goexit)" : "");
		break;
	case EV_GSCOPE:
		snprintf(b, n, "[g%lld]", (long long)e->a + 1);
		break;
	case EV_GOSWITCH:
		snprintf(b, n, "switch g%lld -> g%lld", (long long)e->a, (long long)e->b);
		break;
	case EV_MSWITCH:
		snprintf(b, n, "M m%lld -> m%lld", (long long)e->a + 1, (long long)e->b + 1);
		break;
	case EV_NEWM:
		snprintf(b, n, "new M m%lld (its own OS stack)", (long long)e->a + 1);
		break;
	case EV_CTHREAD:
		snprintf(b, n, "C thread on extra M m%lld, its G g%lld", (long long)e->a + 1,
			 (long long)e->b);
		break;
	case EV_CTHREADEND:
		snprintf(b, n, "C thread on m%lld ends (g%lld parked), joined",
			 (long long)e->a + 1, (long long)e->b);
		break;
	default:
		snprintf(b, n, "event %d", e->kind);
	}
}

void hs_trace_step(hs *h, FILE *out)
{
	char w[200], sp[64];
	where(h, w, sizeof w);
	mc_fmt_addr(&h->rt.mem, rt_sp(&h->rt), sp, sizeof sp);
	fprintf(out, "%6llu  %-36s sp=%s", (unsigned long long)h->steps, w, sp);
	for (uint32_t i = 0; i < h->rt.nev; i++) {
		char e[128];
		fmt_event(h, &h->rt.ev[i], e, sizeof e);
		fprintf(out, "%s%s", i ? "; " : "  | ", e);
	}
	fputc('\n', out);
}

/* ---- state dump ---- */

typedef struct dumpctx {
	hs *h;
	FILE *out;
	uint32_t n;
} dumpctx;

static void slotline(hs *h, FILE *out, const char *name, rt_addr a)
{
	char ab[64], vb[64];
	rt_word v;
	mc_peek(&h->rt.mem, a, &v);
	mc_fmt_addr(&h->rt.mem, a, ab, sizeof ab);
	uint32_t tag = mc_ptag_at(&h->rt.mem, a);
	if (tag || (v >= MC_STACK_BASE && v < MC_OSSTACK_BASE + (1ull << 36))) {
		mc_fmt_addr(&h->rt.mem, v, vb, sizeof vb);
		fprintf(out, "        %-10s %-22s = %s", name, ab, vb);
		if (tag) {
			char tb[64];
			mc_fmt_addr(&h->rt.mem, mc_cell_addr(&h->rt.mem, tag), tb, sizeof tb);
			fprintf(out, "   (truly -> %s)", tb);
		}
		fputc('\n', out);
	} else {
		fprintf(out, "        %-10s %-22s = %lld\n", name, ab, (long long)(int64_t)v);
	}
}

static int dumpframe(const rt *r, const rt_frame *fr, void *arg)
{
	dumpctx *d = arg;
	hs *h = d->h;
	char sp[64], lr[64];
	mc_fmt_addr(&r->mem, fr->sp, sp, sizeof sp);
	const rt_func *lf = rt_findfunc(r, fr->lr);
	if (lf)
		snprintf(lr, sizeof lr, "%s+%#llx", lf->name,
			 (unsigned long long)(fr->lr - lf->entry));
	else
		snprintf(lr, sizeof lr, "%#llx", (unsigned long long)fr->lr);
	fprintf(d->out, "    #%-3u %-14s sp=%-22s frame=%-5u ret=%s%s%s\n", d->n++,
		fr->fn->name, sp, fr->framesize, lr, fr->seg ? " [older segment]" : "",
		fr->pc == fr->fn->entry ? " [in prologue]" : "");
	if (fr->fn->user >= 0 && fr->pc != fr->fn->entry) {
		const prog_func *pf = &h->p->funcs[fr->fn->user];
		/* parameters and the result (the argument area), locals */
		for (uint32_t s = 0; s < (uint32_t)prog_nargw(pf); s++)
			slotline(h, d->out, pf->slotname[s], fr->fp + 8ull * s);
		for (uint32_t s = 0; s < pf->nlocals; s++) /* C has none */
			slotline(h, d->out, pf->slotname[prog_nargw(pf) + s], fr->sp + 8ull * s);
	}
	return d->n < 200;
}

/* The M: its OS stack's frames and the SEH chain (windows/386). */
static void hs_dump_m(hs *h, FILE *out)
{
	rt *r = &h->rt;
	char a[64], b[64];
	mc_fmt_addr(&r->mem, rt_g0_live_sp(r), a, sizeof a);
	mc_fmt_addr(&r->mem, r->m.g0sp, b, sizeof b);
	char on[32];
	snprintf(on, sizeof on, "G%u", r->g.id ? r->g.id : 1u);
	fprintf(out, "  M m%u: ncgo=%u ncgocall=%llu locked(int=%u ext=%u) running on %s\n",
		r->curm + 1, r->m.ncgo, (unsigned long long)r->m.ncgocall,
		r->m.lockedint, r->g.lockedext,
		r->cur == &r->g0 ? "the OS stack (C)" : on);
	fprintf(out, "  OS stack: sp=%s g0.sched.sp=%s; frames (innermost first):\n",
		a, b);
	dumpctx d = {h, out, 0};
	char why[200];
	rt_tbresult t = rt_traceback_g0(r, r->g0.sched.pc, r->g0.sched.sp,
					dumpframe, &d, why, sizeof why);
	if (t != TB_OK)
		fprintf(out, "    !! traceback: %s: %s\n", rt_tbresult_name(t), why);
	if (!r->cfg.windows)
		return;
	mc_fmt_addr(&r->mem, r->m.seh, a, sizeof a);
	fprintf(out, "  SEH chain (fs:0 = %s):\n", a);
	rt_addr lo = rt_g0_live_sp(r), hsh = r->m.seh;
	for (int n = 0; n < 32 && hsh && hsh != RT_SEH_END; n++) {
		rt_word prev = 0, handler = 0;
		int bad = mc_peek(&r->mem, hsh, &prev) || mc_peek(&r->mem, hsh + 8, &handler);
		const rt_func *hf = rt_findfunc(r, handler);
		mc_fmt_addr(&r->mem, hsh, a, sizeof a);
		fprintf(out, "    %s handler=%s%s%s\n", a, hf ? hf->name : "?",
			hsh < lo ? "   <- below the live OS stack: dangling" : "",
			bad ? " (unreadable)" : "");
		if (bad || (prev != RT_SEH_END && prev <= hsh))
			break;
		hsh = prev;
	}
}

/* The Ms that are not loaded: who holds each, and its OS stack. */
static void hs_dump_other_ms(hs *h, FILE *out)
{
	rt *r = &h->rt;
	for (uint32_t j = 0; j < r->nallm; j++) {
		if (j == r->curm)
			continue;
		rt_mslot *s = &r->allm[j];
		if (s->holder < 0)
			fprintf(out, "  M m%u%s: free\n", j + 1, s->extra ? " (extra)" : "");
		else
			fprintf(out, "  M m%u%s: held by suspended G%u%s, ncgo=%u\n", j + 1,
				s->extra ? " (extra)" : "", (uint32_t)s->holder + 1,
				s->ong0 ? " (in C)" : "", s->m.ncgo);
		/* its OS stack, walked with it loaded for the walk alone */
		rt_m m = r->m;
		rt_g g0 = r->g0;
		r->m = s->m;
		r->g0 = s->g0;
		dumpctx d = {h, out, 0};
		char why[200];
		rt_tbresult t = rt_traceback_g0(r, r->g0.sched.pc, r->g0.sched.sp,
						dumpframe, &d, why, sizeof why);
		if (t != TB_OK)
			fprintf(out, "    !! traceback: %s: %s\n", rt_tbresult_name(t), why);
		r->m = m;
		r->g0 = g0;
	}
}

/* The loaded G: its stack, frames (with their slots) and defers. */
static void dump_g(hs *h, FILE *out)
{
	rt *r = &h->rt;
	rt_g *g = &r->g;
	char a[64], b[64], c[64];
	mc_fmt_addr(&r->mem, g->lo, a, sizeof a);
	mc_fmt_addr(&r->mem, g->hi, b, sizeof b);
	mc_fmt_addr(&r->mem, g->sched.sp, c, sizeof c);
	fprintf(out, "  G%u stack [%s, %s) %uB, %u segment(s), sp=%s\n", g->id, a, b,
		g->stksize, g->nsegs, c);
	const rt_func *pf = rt_findfunc(r, g->sched.pc);
	fprintf(out, "  pc=%s+%#llx\n", pf ? pf->name : "?",
		(unsigned long long)(pf ? g->sched.pc - pf->entry : g->sched.pc));
	fprintf(out, "  frames (innermost first):\n");
	dumpctx d = {h, out, 0};
	char why[200];
	rt_tbresult t = rt_traceback(r, g->sched.pc, g->sched.sp, 0, dumpframe, &d,
				     why, sizeof why);
	if (t != TB_OK)
		fprintf(out, "    !! traceback: %s: %s\n", rt_tbresult_name(t), why);
	fprintf(out, "  defers (innermost first):\n");
	uint32_t n = 0;
	for (rt_addr dp = g->defer; dp && n < 64; n++) {
		rt_word fn, sp, siz, started, link;
		if (mc_peek(&r->mem, dp, &fn)) {
			mc_fmt_addr(&r->mem, dp, a, sizeof a);
			fprintf(out, "    !! %s is not readable\n", a);
			break;
		}
		mc_peek(&r->mem, dp + 8 * D_SP, &sp);
		mc_peek(&r->mem, dp + 8 * D_SIZ, &siz);
		mc_peek(&r->mem, dp + 8 * D_STARTED, &started);
		mc_peek(&r->mem, dp + 8 * D_LINK, &link);
		const rt_func *df = rt_findfunc(r, fn);
		mc_fmt_addr(&r->mem, dp, a, sizeof a);
		mc_fmt_addr(&r->mem, sp, b, sizeof b);
		fprintf(out, "    %s %s sp=%s%s\n", a, df ? df->name : "?", b,
			started ? " (started)" : "");
		for (rt_word i = 0; i < siz / 8 && i < 8; i++) {
			char nm[16];
			snprintf(nm, sizeof nm, "arg%llu", (unsigned long long)i);
			slotline(h, out, nm, dp + 8 * (RT_DEFER_HDR_WORDS + i));
		}
		dp = link;
	}
	if (!n)
		fprintf(out, "    (none)\n");
}

/* The loaded G's panic records. */
static void dump_panics(hs *h, FILE *out)
{
	rt *r = &h->rt;
	char a[64];
	fprintf(out, "  panics (newest first):\n");
	uint32_t n = 0;
	for (rt_addr p = r->g.panic; p && n < 64; n++) {
		rt_word kind, val, rec, ab, ge, link;
		mc_peek(&r->mem, p + 8 * P_KIND, &kind);
		mc_peek(&r->mem, p + 8 * P_ARG, &val);
		mc_peek(&r->mem, p + 8 * P_RECOVERED, &rec);
		mc_peek(&r->mem, p + 8 * P_ABORTED, &ab);
		mc_peek(&r->mem, p + 8 * P_GOEXIT, &ge);
		mc_peek(&r->mem, p + 8 * P_LINK, &link);
		mc_fmt_addr(&r->mem, p, a, sizeof a);
		fprintf(out, "    %s %s", a, ge ? "goexit" : "panic");
		if (!ge)
			fprintf(out, kind == PV_NIL ? " nil" : kind == PV_NILDEREF ?
				" nil-deref" : kind == PV_FAULT ? " fault" : " %lld",
				(long long)(int64_t)val);
		fprintf(out, "%s%s\n", rec ? " recovered" : "", ab ? " aborted" : "");
		p = link;
	}
	if (!n)
		fprintf(out, "    (none)\n");
}

void hs_dump(hs *h, FILE *out)
{
	rt *r = &h->rt;
	rt_g *g = &r->g;
	char c[64];
	fprintf(out, "state after step %llu:\n", (unsigned long long)h->steps);
	for (uint32_t i = 0; r->nallg > 1 && i < r->nallg; i++) {
		const rt_g *o = rt_gpc(r, i);
		const rt_func *of = rt_findfunc(r, o->sched.pc);
		mc_fmt_addr(&r->mem, o->sched.sp, c, sizeof c);
		fprintf(out, "  goroutine G%u: %s", o->id,
			o->dead ? "ended" : i == r->curg ? "running (below)"
			: o->waiting ? "waiting" : "suspended (below)");
		if (!o->dead && i != r->curg)
			fprintf(out, " at %s+%#llx sp=%s", of ? of->name : "?",
				(unsigned long long)(of ? o->sched.pc - of->entry
							: o->sched.pc), c);
		if (!o->dead && i != r->curg && o->m)
			fprintf(out, ", holding m%u", o->m);
		fprintf(out, "\n");
	}
	if (g->dead) {
		fprintf(out, "  G%u has exited\n", g->id);
	} else {
		dump_g(h, out);
		hs_dump_m(h, out);
		hs_dump_other_ms(h, out);
		dump_panics(h, out);
	}
	/* every other live G: its frames, defers and panics as they wait */
	for (uint32_t i = 0; r->nallg > 1 && i < r->nallg; i++) {
		if (i == r->curg || r->allg[i].dead)
			continue;
		hs_gswap sw;
		hs_sched_load_g(h, i, &sw);
		fprintf(out, "goroutine G%u (%s):\n", r->g.id,
			r->g.waiting ? "waiting" : "suspended");
		dump_g(h, out);
		dump_panics(h, out);
		hs_sched_unload_g(h, &sw);
	}
}

void hs_report(hs *h, hs_result *res)
{
	char w[200];
	where(h, w, sizeof w);
	/* a memory stream: the report is as long as the state it shows */
	size_t len = 0;
	free(res->report);
	res->report = NULL;
	FILE *f = open_memstream(&res->report, &len);
	if (!f) {
		fprintf(stderr, "stackfuzz: out of memory\n");
		abort();
	}
	const char *file = h->o && h->o->file ? h->o->file : "<program>";
	uint32_t line = 0;
	if (h->cur_func >= 0 && h->cur_stmt >= 0)
		line = h->p->funcs[h->cur_func].stmts[h->cur_stmt].line;
	fprintf(f, "violation %s: %s\n", inv_catalogue[res->inv].id,
		inv_catalogue[res->inv].name);
	fprintf(f, "  at step %llu, %s", (unsigned long long)h->steps, w);
	if (line)
		fprintf(f, " (%s:%u)", file, line);
	fprintf(f, "\n  %s\n", res->text);
	if (res->throwcode)
		fprintf(f, "  runtime throw %s: %s by the throw table "
			"(invariants/inv_throw.c)\n", rt_throwcode_name(res->throwcode),
			inv_catalogue[res->inv].id);
	if (h->rt.nev) {
		fprintf(f, "  this step:");
		for (uint32_t i = 0; i < h->rt.nev; i++) {
			char e[128];
			fmt_event(h, &h->rt.ev[i], e, sizeof e);
			fprintf(f, "%s%s", i ? "; " : " ", e);
		}
		fputc('\n', f);
	}
	hs_dump(h, f);
	fclose(f);
}
