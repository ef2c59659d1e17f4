/*
** hs_dot.c: the state at a step as a Graphviz picture (`show --dot`).
**
** Columns: the running G's stack (frames innermost at the top, with
** their slots), each suspended G's stack, and the M's OS stack (C and runtime frames, and on windows/386
** the SEH records). Edges: each pointer slot to the frame that holds its
** true target (red when the word no longer points there), each defer
** record to its frame, the panic chain, and the SEH chain from fs:0.
** Everything is region-relative, like the text dump, so pictures are
** stable from run to run.
*/
#include <string.h>

#include "hs_internal.h"

typedef struct dotctx {
	hs *h;
	FILE *out;
	const char *prefix; /* "g" or "m" */
	uint32_t n;
	/* frames of the G, to draw pointer edges: sp and extent */
	rt_addr lo[512], hi[512];
	uint32_t nfr;
} dotctx;

static void esc(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (strchr("{}<>|\"", *s))
			fputc('\\', out);
		fputc(*s, out);
	}
}

static int dotframe(const rt *r, const rt_frame *fr, void *arg)
{
	dotctx *d = arg;
	char sp[64];
	mc_fmt_addr(&r->mem, fr->sp, sp, sizeof sp);
	fprintf(d->out, "  %s%u [label=\"{", d->prefix, d->n);
	esc(d->out, fr->fn->name);
	fprintf(d->out, " | sp=");
	esc(d->out, sp);
	if (fr->fn->user >= 0 && fr->pc != fr->fn->entry) {
		const prog_func *pf = &d->h->p->funcs[fr->fn->user];
		for (uint32_t s = 0; s < (uint32_t)prog_nslots(pf); s++) {
			rt_addr a = s < (uint32_t)prog_nargw(pf) ? fr->fp + 8ull * s
						    : fr->sp + 8ull * (s - (uint32_t)prog_nargw(pf));
			rt_word v = 0;
			mc_peek(&r->mem, a, &v);
			fprintf(d->out, " | <s%u> %s = ", s, pf->slotname[s]);
			char vb[64];
			if (pf->type[s] == TY_PTR) {
				mc_fmt_addr(&r->mem, v, vb, sizeof vb);
				esc(d->out, vb);
			} else {
				fprintf(d->out, "%lld", (long long)(int64_t)v);
			}
		}
	}
	fprintf(d->out, "}\"];\n");
	if (d->nfr < 512 && d->prefix[0] == 'g') {
		d->lo[d->nfr] = fr->sp;
		d->hi[d->nfr++] = fr->fp + fr->fn->argsize;
	}
	if (d->n)
		fprintf(d->out, "  %s%u -> %s%u [style=invis];\n", d->prefix, d->n - 1,
			d->prefix, d->n);
	d->n++;
	return d->n < 512;
}

static int frame_holding(const dotctx *d, rt_addr a)
{
	for (uint32_t i = 0; i < d->nfr; i++)
		if (a >= d->lo[i] && a < d->hi[i])
			return (int)i;
	return -1;
}

/* Pointer edges: slot s of frame i to the frame truly holding its target. */
static int dotptrs(const rt *r, const rt_frame *fr, void *arg)
{
	dotctx *d = arg;
	uint32_t i = d->n++;
	if (fr->fn->user < 0 || fr->pc == fr->fn->entry)
		return d->n < 512;
	const prog_func *pf = &d->h->p->funcs[fr->fn->user];
	for (uint32_t s = 0; s < (uint32_t)prog_nslots(pf); s++) {
		rt_addr a = s < (uint32_t)prog_nargw(pf) ? fr->fp + 8ull * s
					    : fr->sp + 8ull * (s - (uint32_t)prog_nargw(pf));
		uint32_t tag = mc_ptag_at(&r->mem, a);
		if (!tag)
			continue;
		rt_word v = 0;
		mc_peek(&r->mem, a, &v);
		rt_addr want = mc_cell_addr(&r->mem, tag);
		int j = frame_holding(d, want);
		if (j >= 0)
			fprintf(d->out, "  g%u:s%u -> g%d [color=%s];\n", i, s, j,
				v == want ? "blue" : "red");
	}
	return d->n < 512;
}

void hs_dump_dot(hs *h, FILE *out)
{
	rt *r = &h->rt;
	dotctx d = {.h = h, .out = out, .prefix = "g"};
	fprintf(out, "digraph stackfuzz {\n  rankdir=LR;\n  node [shape=record, "
		     "fontname=\"monospace\", fontsize=10];\n");
	fprintf(out, "  subgraph cluster_g { label=\"G%u stack (innermost first, left), "
		     "step %llu%s\";\n", r->g.id ? r->g.id : 1u,
		(unsigned long long)h->steps,
		r->nallg > 1 ? ", the running goroutine" : "");
	if (!r->g.dead)
		rt_traceback(r, r->g.sched.pc, r->g.sched.sp, 0, dotframe, &d, NULL, 0);
	fprintf(out, "  }\n");
	d.n = 0;
	if (!r->g.dead)
		rt_traceback(r, r->g.sched.pc, r->g.sched.sp, 0, dotptrs, &d, NULL, 0);
	/* defers, panics */
	uint32_t k = 0;
	for (rt_addr dp = r->g.defer; dp && k < 64; k++) {
		rt_word fn, sp, link;
		if (mc_peek(&r->mem, dp, &fn))
			break;
		mc_peek(&r->mem, dp + 8 * D_SP, &sp);
		mc_peek(&r->mem, dp + 8 * D_LINK, &link);
		const rt_func *df = rt_findfunc(r, fn);
		fprintf(out, "  d%u [shape=note, label=\"defer %s\"];\n", k,
			df ? df->name : "?");
		int j = frame_holding(&d, sp);
		if (j >= 0)
			fprintf(out, "  d%u -> g%d [style=dashed];\n", k, j);
		dp = link;
	}
	/* every other live G: its frames as they wait */
	for (uint32_t i = 0; r->nallg > 1 && i < r->nallg; i++) {
		if (i == r->curg || r->allg[i].dead)
			continue;
		hs_gswap sw;
		hs_sched_load_g(h, i, &sw);
		char pre[16];
		snprintf(pre, sizeof pre, "s%u_", r->g.id);
		dotctx o = {.h = h, .out = out, .prefix = pre};
		fprintf(out, "  subgraph cluster_g%u { label=\"G%u stack, %s\";\n", r->g.id,
			r->g.id, r->g.waiting ? "waiting" : "suspended");
		rt_traceback(r, r->g.sched.pc, r->g.sched.sp, 0, dotframe, &o, NULL, 0);
		fprintf(out, "  }\n");
		hs_sched_unload_g(h, &sw);
	}
	/* the M */
	dotctx m = {.h = h, .out = out, .prefix = "m"};
	fprintf(out, "  subgraph cluster_m { label=\"m%u's OS stack%s\";\n", r->curm + 1,
		r->nallm > 1 ? " (the loaded M)" : "");
	rt_traceback_g0(r, r->g0.sched.pc, r->g0.sched.sp, dotframe, &m, NULL, 0);
	if (r->cfg.windows) {
		rt_addr lo = rt_g0_live_sp(r), hsh = r->m.seh;
		fprintf(out, "    fs0 [shape=plaintext, label=\"fs:0\"];\n");
		for (uint32_t n = 0; n < 32 && hsh && hsh != RT_SEH_END; n++) {
			char a[64];
			mc_fmt_addr(&r->mem, hsh, a, sizeof a);
			fprintf(out, "    seh%u [shape=box, color=%s, label=\"SEH ", n,
				hsh < lo ? "red" : "black");
			esc(out, a);
			fprintf(out, "%s\"];\n", hsh < lo ? " (dangling)" : "");
			if (n)
				fprintf(out, "    seh%u -> seh%u;\n", n - 1, n);
			else
				fprintf(out, "    fs0 -> seh0;\n");
			rt_word prev = 0;
			if (mc_peek(&r->mem, hsh, &prev) || (prev != RT_SEH_END && prev <= hsh))
				break;
			hsh = prev;
		}
	}
	fprintf(out, "  }\n}\n");
}
