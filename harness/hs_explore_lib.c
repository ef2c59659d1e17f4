/*
** hs_explore_lib.c: the explorer's alphabet and library.
**
** The letters come from the op table (each row's explorer letters,
** lang_ops.c), ordered by their rank; a letter is one statement over the
** local `x`, and may call the small helpers of the library below. At
** start each letter runs alone; if the runtime or parser rejects it (a
** statement a later issue adds) it is left out, so letters switch
** themselves on when the runtime learns them.
*/
#include <stdlib.h>
#include <string.h>

#include "hs_explore_int.h"

lang_letter hs_x_go_letters[XMAX_LETTERS], hs_x_c_letters[XMAX_LETTERS];
int hs_x_ngo, hs_x_nc;

/* Library: small leaf helpers and the one-statement composites. Index 0
** is a dummy main; `cletters` (last) holds the C letters' templates. The
** Go letters' templates are main's body, followed by the sentinel. */
static const char lib_text[] =
	"func main()\n  var x int\n%s  check x == 32767\nend\n"
	"func set(p *int, v int)\n  *p = v\nend\n"
	"func cset(p *int, v int) cgowrapper\n  *p = v\nend\n"
	"func setchk(p *int)\n  *p = 7\n  check *p == 7\nend\n"
	"func rec()\n  recover()\nend\n"
	"func grower()\n  grow 4096\nend\n"
	"func pnc()\n  panic 1\nend\n"
	"func gpanic()\n  panic 2\nend\n"
	"cfunc cpanic()\n  callback gpanic()\nend\n"
	"cfunc cseh()\n  seh push\n  callback gpanic()\n  seh pop\nend\n"
	/* a scan in a callback under a 1 KiB frame: the first barrier
	** (1024 bytes up) can fall on cgocallback_gofunc's frame */
	"func gscan() pad 1024\n  gc scan\nend\n"
	"cfunc cscan()\n  callback gscan()\nend\n"
	"cfunc cletters()\n%send\n";

/* Gathers the op table's letters of one kind, in rank order. */
static int gather(lang_letter *out, int c_side)
{
	int n = 0;
	for (int op = 0; op < ST__COUNT; op++) {
		const lang_letter *l = c_side ? lang_ops[op].xc : lang_ops[op].xgo;
		for (; l && l->text && n < XMAX_LETTERS; l++)
			out[n++] = *l;
	}
	for (int i = 1; i < n; i++) /* insertion sort by rank */
		for (int j = i; j > 0 && out[j - 1].order > out[j].order; j--) {
			lang_letter t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

static void collect_letters(void)
{
	hs_x_ngo = gather(hs_x_go_letters, 0);
	hs_x_nc = gather(hs_x_c_letters, 1);
}

void hs_x_fold_config(const xs *x, prog *p)
{
	const hs_explore_opts *o = x->o;
	p->cfg.bugs = o->bugs;
	p->cfg.has_bugs = o->bugs != 0;
	p->cfg.target = (uint8_t)o->target;
	p->cfg.has_target = o->target != TARGET_LINUX_AMD64;
	if (o->barriers_set) {
		p->cfg.barriers = (uint8_t)o->barriers;
		p->cfg.has_barriers = o->barriers != BARRIERS_SPACED;
	}
	if (o->stress)
		p->cfg.stress = p->cfg.has_stress = 1;
}

/* An entry the harness cannot run: its own error or one of its limits. */
int hs_x_unsupported(const hs_result *r)
{
	return r->kind == OUT_INTERNAL || r->kind == OUT_LIMIT;
}

static char *go_body(const int *idx, int n)
{
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(go_letters[idx[i]].text) + 4;
	char *b = calloc(1, len);
	if (!b)
		abort();
	for (int i = 0; i < n; i++) {
		strcat(b, "  ");
		strcat(b, go_letters[idx[i]].text);
		strcat(b, "\n");
	}
	return b;
}

static char *c_body(const int *idx, int n)
{
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(c_letters[idx[i]].text) + 4;
	char *b = calloc(1, len);
	if (!b)
		abort();
	for (int i = 0; i < n; i++) {
		strcat(b, "  ");
		strcat(b, c_letters[idx[i]].text);
		strcat(b, "\n");
	}
	return b;
}

static int parse_lib(xs *x, const int *gi, int ng, const int *ci, int nc, prog *out)
{
	char *gb = go_body(gi, ng), *cb = c_body(ci, nc);
	size_t len = sizeof lib_text + strlen(gb) + strlen(cb);
	char *t = malloc(len);
	char err[512];
	if (!t)
		abort();
	snprintf(t, len, lib_text, gb, cb);
	int rc = prog_parse("explore", t, strlen(t), out, err, sizeof err);
	if (rc != 0 && x->o->progress)
		fprintf(x->o->progress, "explore: %s\n", err);
	free(t);
	free(gb);
	free(cb);
	return rc;
}

/* Does this one-letter library program run (the runtime supports it)? */
static int probe(xs *x, const int *gi, int ng, const int *ci, int nc)
{
	if (parse_lib(x, gi, ng, ci, nc, x->scratch) != 0)
		return 0;
	prog *p = x->scratch;
	/* main runs its letter; the sentinel after it must not count */
	p->funcs[0].nstmts--;
	if (nc) { /* run the C letter: main calls cletters */
		prog_func *m = &p->funcs[0];
		memset(&m->stmts[0], 0, sizeof m->stmts[0]);
		m->stmts[0].op = ST_CGO;
		m->stmts[0].fn = (uint8_t)(p->nfuncs - 1);
		m->nstmts = 1;
	}
	hs_explore_opts plain = *x->o;
	plain.bugs = 0; /* support is a property of the runtime */
	const hs_explore_opts *save = x->o;
	x->o = &plain;
	hs_x_fold_config(x, p);
	x->o = save;
	hs_run(p, &x->ho, x->res);
	return !hs_x_unsupported(x->res);
}

static int in_focus(const xs *x, const char *text)
{
	if (!x->o->only)
		return 1;
	for (const char *const *l = x->o->only; *l; l++)
		if (!strcmp(*l, text))
			return 1;
	return 0;
}

int hs_x_build_vocabulary(xs *x)
{
	int gi[XMAX_LETTERS], ci[XMAX_LETTERS];
	collect_letters();
	for (int e = 0; e < hs_x_ngo; e++) {
		if ((go_letters[e].flags & LL_WINDOWS) && x->o->target != TARGET_WINDOWS_386)
			continue;
		if (!in_focus(x, go_letters[e].text))
			continue;
		if (!probe(x, &e, 1, NULL, 0)) {
			x->st->unsupported++;
			if (x->o->progress)
				fprintf(x->o->progress, "explore: left out (not supported): %s\n",
					go_letters[e].text);
			continue;
		}
		gi[x->ngo] = e;
		x->go_alpha[x->ngo++] = e;
	}
	for (int e = 0; e < hs_x_nc; e++) {
		if (!in_focus(x, c_letters[e].text))
			continue;
		if (!probe(x, NULL, 0, &e, 1)) {
			x->st->unsupported++;
			if (x->o->progress)
				fprintf(x->o->progress, "explore: left out (not supported): C %s\n",
					c_letters[e].text);
			continue;
		}
		ci[x->nc] = e;
		x->c_alpha[x->nc++] = e;
	}
	if (parse_lib(x, gi, x->ngo, ci, x->nc, x->lib) != 0)
		return -1;
	const prog *l = x->lib;
	for (int i = 0; i < x->ngo; i++)
		x->go_tmpl[i] = l->funcs[0].stmts[i];
	x->sentinel = l->funcs[0].stmts[x->ngo];
	for (int i = 0; i < x->nc; i++)
		x->c_tmpl[i] = l->funcs[l->nfuncs - 1].stmts[i];
	for (int i = 0; i < x->ngo; i++)
		x->go_tmpl[i].line = x->go_tmpl[i].col = 0;
	for (int i = 0; i < x->nc; i++)
		x->c_tmpl[i].line = x->c_tmpl[i].col = 0;
	x->sentinel.line = x->sentinel.col = 0;
	x->nlib = (int)l->nfuncs - 2;
	/* the work program: config, library functions at 1..nlib */
	prog_init(x->work);
	x->work->nfuncs = 0;
	for (int f = 1; f <= x->nlib; f++) {
		x->work->funcs[f] = l->funcs[f];
		x->work->funcs[f].line = 0;
		for (uint32_t i = 0; i < x->work->funcs[f].nstmts; i++)
			x->work->funcs[f].stmts[i].line = x->work->funcs[f].stmts[i].col = 0;
	}
	hs_x_fold_config(x, x->work);
	x->st->alphabet = x->ngo + x->nc;
	return 0;
}
