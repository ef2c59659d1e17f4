/*
** hs_explore.c: the bounded-exhaustive explorer.
**
** What it enumerates. A program is main plus up to XMAX_HELPERS helper
** functions f1..f3 whose bodies are enumerated too, breadth first by the
** number of enumerated statements in all (K), so the first violation
** found comes from a shortest program. A helper has a *shape*, fixed
** when it is first referenced: a plain Go frame, a 1 KiB Go frame (so
** barrier spacing and growth line up in few statements), a cgo wrapper
** (no locals map: its frame makes the segment uncopyable), a recursion
** 12 levels deep of 256-byte frames (past the 2 KiB first stack, two
** spaced barriers deep) with the body run before or after
** the recursive call (`deep` and its innermost frame in one statement),
** or a C function. Statements are letters over each function's own local
** `x`: fixed ones (defers of small library helpers with &x, grow, gc,
** panic, recover, Goexit, library cgo composites that carry the seed
** bugs in one statement) and references to helpers (Go: call / defer a Go
** helper, cgo a C one; C: callback a Go helper, gc). Library helpers keep
** `check`s safe: a check must hold in Go whatever ran before it, or the
** explorer would report its own vocabulary, so a check only comes right
** after the store it checks (setchk).
**
** Reductions (each keeps "first found is shortest"):
**  - symmetry: helpers are numbered in order of first reference, their
**    bodies are enumerated in that order (main's first), and a function
**    only references higher-numbered helpers. So each program equal up to
**    renaming of helpers is generated once, and the call graph is a DAG
**    (the only recursion is a recursive shape's own).
**  - a letter marked TERM (panic, Goexit, a cgo call that panics) ends
**    its function's body: nothing after it could run.
**  - dynamic, sentinels: a state (a program whose last statement went to
**    function c) is extended by appending to c, or by opening a later
**    helper j's body. Each is worth trying only if execution ever reaches
**    that point: unreached points take no extensions, since every such
**    extension runs exactly the same statements. After the program's own
**    run (main returning normally shows main's end reached), one more run
**    has a sentinel `check x == 32767` (no letter stores 32767) at each
**    point still in doubt: the end of c's body, the start of each later
**    Go helper's body. If it stops at none, none is reached; if it stops
**    at one, the others stay in doubt and are extended (one extra run per
**    state at most: measured, a run per point cost more than it pruned).
**    C bodies have no sentinel (C cannot check) and are always extended.
**    Every program of a depth runs before the sentinel runs that decide
**    the next depth's programs, so a depth is exhausted at one run per
**    program.
**  - twins: a recursive helper with an empty body is the same function
**    whichever side of the recursive call its body goes; only the
**    body-last one runs (the other is counted in stats.twins).
**
** The letters are the op table's (hs_explore_lib.c): at start each runs
** alone and is left out if the runtime or parser rejects it.
**
** Options fold into every program's config (bugs, target, barrier mode,
** stress), so a program written with -o or reported replays alone. With
** o->outdir every program run is written there as text with its config
** and its outcome as `# expect:` (`stackfuzz check DIR` replays them).
** With o->want the search stops as soon as it ran that program (tests
** use it to show a shape is in the enumeration).
*/
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hs_explore_int.h"
#include "hs_judge.h"

static const char *const shape_name[SH__N] = {"go", "go pad 1024", "cgowrapper",
					       "recursive (body first)",
					       "recursive (body last)", "C"};

/* The ops a letter code >= XREF references a helper with (HS_REF_*). */
static const uint8_t ref_op[RF__N] = {ST_CALL, ST_DEFER, ST_CGO, ST_CALLBACK};

/* ---- building programs ---- */

/* The x slot of function f (its only int local). */
static int xslot(const xstate *s, int f) { return f > 0 && shape_is_rec(s->shape[f]) ? 1 : 0; }

/* Template statements name x as slot 0; in a recursive shape it is 1. */
static void remap(prog_stmt *t, int xs_)
{
	if (!xs_)
		return;
	if (lang_stmt_uses_slot(t))
		t->slot = (uint8_t)(t->slot + xs_);
	for (int i = 0; i < t->nargs; i++)
		if (lang_expr_names_slot(&t->a[i]))
			t->a[i].v += xs_;
}

static void letter_stmt(const xs *x, const xstate *s, int f, int code, prog_stmt *t)
{
	if (code < XREF) {
		*t = is_go_fn(s, f) ? x->go_tmpl[code] : x->c_tmpl[code];
		remap(t, xslot(s, f));
		return;
	}
	int op = (code - XREF) / 4, tg = (code - XREF) % 4;
	memset(t, 0, sizeof *t);
	t->op = ref_op[op];
	t->fn = (uint8_t)helper_fi(x, tg);
	if (shape_is_rec(s->shape[tg])) {
		t->nargs = 1;
		t->a[0].kind = EX_CONST;
		t->a[0].v = XREC_DEPTH;
	}
}

static void set_header(const xs *x, const xstate *s, int j, prog_func *f)
{
	memset(f, 0, offsetof(prog_func, stmts));
	f->nstmts = 0;
	f->line = 0;
	if (j == 0) {
		snprintf(f->name, sizeof f->name, "main");
	} else {
		snprintf(f->name, sizeof f->name, "f%d", j);
		switch (s->shape[j]) {
		case SH_BIG:
			f->pad = 1024;
			break;
		case SH_WRAP:
			f->flags = FF_CGOWRAPPER;
			break;
		case SH_RPRE:
		case SH_RPOST:
			f->pad = 256;
			f->nparams = 1;
			f->type[0] = TY_INT;
			snprintf(f->slotname[0], sizeof f->slotname[0], "n");
			break;
		case SH_C:
			f->kind = FK_C;
			return;
		default:
			break;
		}
	}
	int sl = f->nparams;
	f->nlocals = 1;
	f->type[sl] = TY_INT;
	snprintf(f->slotname[sl], sizeof f->slotname[sl], "x");
	(void)x;
}

static void add_stmt(prog_func *f, const prog_stmt *t)
{
	f->stmts[f->nstmts++] = *t;
}

static void rec_part(const xs *x, int j, prog_func *f)
{
	prog_stmt t;
	memset(&t, 0, sizeof t);
	t.op = ST_RETZ;
	t.slot = 0;
	add_stmt(f, &t);
	memset(&t, 0, sizeof t);
	t.op = ST_CALL;
	t.fn = (uint8_t)helper_fi(x, j);
	t.nargs = 1;
	t.a[0].kind = EX_DEC;
	t.a[0].v = 0;
	add_stmt(f, &t);
}

/* Build s into p. sent: bit f set = a sentinel after f's user body. */
static void build(xs *x, const xstate *s, unsigned sent, prog *p)
{
	p->nfuncs = (uint32_t)(1 + x->nlib + s->nh);
	for (int j = 0; j <= s->nh; j++) {
		prog_func *f = &p->funcs[helper_fi(x, j)];
		set_header(x, s, j, f);
		int rec = j > 0 && s->shape[j] == SH_RPOST;
		if (rec)
			rec_part(x, j, f);
		for (int i = 0; i < s->n; i++)
			if (s->fn[i] == j) {
				prog_stmt t;
				letter_stmt(x, s, j, s->code[i], &t);
				add_stmt(f, &t);
			}
		x->sent_at[j] = -1;
		if (sent & (1u << j)) {
			prog_stmt t = x->sentinel;
			remap(&t, xslot(s, j));
			x->sent_at[j] = (int)f->nstmts;
			add_stmt(f, &t);
		}
		if (j > 0 && s->shape[j] == SH_RPRE)
			rec_part(x, j, f);
	}
}

/* ---- the search ---- */

static double since(const struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void progress(xs *x, int depth, size_t frontier, int force)
{
	if (!x->o->progress || (!force && since(&x->last) < 1.0))
		return;
	clock_gettime(CLOCK_MONOTONIC, &x->last);
	double s = since(&x->t0);
	if (s <= 0)
		s = 1e-9;
	fprintf(x->o->progress,
		"explore: depth %d%s: %llu programs (%llu states pruned), %.0f programs/s, "
		"%.0f runs/s, %.0f steps/s, %zu states left at this depth, %.1fs\n",
		depth, force ? " done" : "", (unsigned long long)x->st->programs,
		(unsigned long long)x->st->pruned, (double)x->st->programs / s,
		(double)x->st->runs / s, (double)x->st->steps / s, frontier, s);
}

static void run(xs *x, const prog *p)
{
	hs_run(p, &x->ho, x->res);
	x->st->runs++;
	x->st->steps += x->res->steps;
}

/* Tidied copy of the program of s, with its config (no sentinels). */
static void tidy_copy(xs *x, const xstate *s, prog *out)
{
	build(x, s, 0, x->work);
	*out = *x->work;
	for (uint32_t f = out->nfuncs; f < PROG_MAX_FUNCS; f++)
		memset(&out->funcs[f], 0, sizeof out->funcs[f]);
	for (uint32_t f = 0; f < out->nfuncs; f++)
		memset(&out->funcs[f].stmts[out->funcs[f].nstmts], 0,
		       (PROG_MAX_STMTS - out->funcs[f].nstmts) * sizeof out->funcs[f].stmts[0]);
	hs_prog_tidy(out);
}

static void write_program(xs *x, const xstate *s, const hs_result *r)
{
	prog *p = x->scratch;
	tidy_copy(x, s, p);
	memset(&p->expect, 0, sizeof p->expect);
	switch (r->kind) {
	case OUT_OK:
		p->expect.kind = EXPECT_OK;
		break;
	case OUT_GOEXIT:
		p->expect.kind = EXPECT_GOEXIT;
		break;
	case OUT_OVERFLOW:
		p->expect.kind = EXPECT_OVERFLOW;
		break;
	case OUT_FATAL:
		p->expect.kind = EXPECT_FATAL;
		break;
	case OUT_BUDGET:
		p->expect.kind = EXPECT_BUDGET;
		break;
	case OUT_PANIC: {
		/* "panic: V ..." -> V */
		const char *v = r->text + (strncmp(r->text, "panic: ", 7) ? 0 : 7);
		size_t l = strcspn(v, " \n");
		if (l >= sizeof p->expect.text)
			l = sizeof p->expect.text - 1;
		p->expect.kind = EXPECT_PANIC;
		memcpy(p->expect.text, v, l);
		p->expect.text[l] = 0;
		break;
	}
	case OUT_VIOLATION:
		p->expect.kind = EXPECT_VIOLATION;
		snprintf(p->expect.id, sizeof p->expect.id, "%s", inv_catalogue[r->inv].id);
		break;
	default:
		break;
	}
	char *t = prog_print(p);
	if (!t)
		return;
	char path[4096];
	snprintf(path, sizeof path, "%s/k%d-%08llu.prog", x->o->outdir, s->n,
		 (unsigned long long)x->written++);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(t, f);
		fclose(f);
		x->st->written++;
	}
	free(t);
}

/* The program of s was run (x->res): count it, write it, and say whether
** it is the wanted program. */
static int ran_program(xs *x, const xstate *s)
{
	x->st->programs++;
	if (x->o->outdir)
		write_program(x, s, x->res);
	if (x->o->want) {
		prog *p = x->scratch;
		tidy_copy(x, s, p);
		if (prog_equal(p, x->o->want, 0))
			return 1;
	}
	return 0;
}

/* Run the program of s itself; 1 if it is a finding. */
static int violates(xs *x, const xstate *s)
{
	build(x, s, 0, x->work);
	run(x, x->work);
	hs_verdict v;
	if (hs_judge(x->work, &x->ho, x->res, NULL, &v) != JV_VIOLATION)
		return 0;
	/* the search ends here: this program counts (and is written) too */
	x->st->programs++;
	if (x->o->outdir) {
		x->res->inv = v.inv;
		write_program(x, s, x->res);
	}
	return 1;
}

/* s violates: build the reported program in *found. */
static void report(xs *x, const xstate *s, prog *found, hs_result *res)
{
	tidy_copy(x, s, found);
	hs_verdict v;
	int inv = -1;
	if (hs_run_judged(found, &x->ho, res, NULL, &v) == JV_VIOLATION)
		inv = v.inv;
	else { /* tidying moved PCs and lost it: report the untidied one */
		build(x, s, 0, x->work);
		*found = *x->work;
		hs_run_judged(found, &x->ho, res, NULL, &v);
		inv = v.inv;
	}
	found->expect.kind = EXPECT_VIOLATION;
	snprintf(found->expect.id, sizeof found->expect.id, "%s",
		 inv_catalogue[inv >= 0 ? inv : res->inv].id);
}

/* Which of s's extension points are reached: reach bit f (see the top).
** s itself has run already (breadth first: every program of a depth
** runs before any sentinel run for the next); main_ok says it ended with
** main returning normally, which means (but for a recovered panic: then
** extending is merely wasted) that main's end was reached. The other
** points need one sentinel run. A run that stops at a sentinel proves
** that point reached and says nothing of the others, so they are kept
** (conservative); a run that stops at none proves none reached. */
static unsigned reach_after(xs *x, const xstate *s, int main_ok)
{
	unsigned cand = 0, reach = 0;
	int cterm = s->n > 0 && code_is_term(x, s, s->n - 1);
	for (int f = s->cur; f <= s->nh; f++) {
		if (f == s->cur && cterm)
			continue;
		if (is_go_fn(s, f))
			cand |= 1u << f;
		else
			reach |= 1u << f; /* C: no sentinel, always extended */
	}
	if ((cand & 1u) && main_ok) {
		reach |= 1u;
		cand &= ~1u;
	}
	if (cand == 0)
		return reach;
	build(x, s, cand, x->work);
	run(x, x->work);
	const hs_result *r = x->res;
	if (r->kind == OUT_VIOLATION && r->inv == INV_DEF4)
		for (int f = 0; f <= s->nh; f++)
			if ((cand & (1u << f)) && r->func == helper_fi(x, f) &&
			    r->stmt == x->sent_at[f])
				reach |= cand;
	return reach;
}

/* A recursive helper with an empty body is the same function in both
** shapes (body first or last): the body-first one is a twin. Returns 0
** (not a twin), 1 (a twin: do not run it, but a later statement may
** still fill that body) or 2 (a twin for good: the body is closed). */
static int twin(const xstate *s)
{
	int r = 0;
	for (int j = 1; j <= s->nh; j++) {
		if (s->shape[j] != SH_RPRE)
			continue;
		int empty = 1;
		for (int i = 0; i < s->n && empty; i++)
			empty = s->fn[i] != j;
		if (!empty)
			continue;
		if (j < s->cur)
			return 2;
		r = 1;
	}
	return r;
}

static int push(xstate **v, size_t *n, size_t *cap, const xstate *s)
{
	if (*n == *cap) {
		size_t nc = *cap ? 2 * *cap : 1024;
		xstate *nv = realloc(*v, nc * sizeof **v);
		if (!nv)
			return -1;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = *s;
	return 0;
}

/* Children of s with one statement appended to function f. */
static int children(const xs *x, const xstate *s, int f, xstate **v, size_t *n,
		    size_t *cap)
{
	xstate c = *s;
	c.n = (uint8_t)(s->n + 1);
	c.cur = (uint8_t)f;
	c.fn[s->n] = (uint8_t)f;
	int go = is_go_fn(s, f);
	int nplain = go ? x->ngo : x->nc;
	for (int l = 0; l < nplain; l++) {
		if (go && f > 0 && (go_letters[x->go_alpha[l]].flags & LL_MAIN))
			continue;
		c.code[s->n] = (uint8_t)l;
		if (push(v, n, cap, &c) < 0)
			return -1;
	}
	/* references: to existing helpers above f, then to a new one */
	for (int t = f + 1; t <= s->nh + 1 && t <= XMAX_HELPERS; t++) {
		int isnew = t == s->nh + 1;
		for (int op = 0; op < RF__N; op++) {
			if (go ? op == RF_CALLBACK : op != RF_CALLBACK)
				continue;
			if (x->o->refs && !(x->o->refs & (1u << op)))
				continue;
			int wantc = op == RF_CGO;
			for (int sh = 0; sh < SH__N; sh++) {
				if ((sh == SH_C) != wantc)
					continue;
				if (x->o->shapes && !(x->o->shapes & (1u << sh)))
					continue;
				if (!isnew && sh != s->shape[t])
					continue;
				c.nh = (uint8_t)(isnew ? t : s->nh);
				c.shape[t] = (uint8_t)sh;
				c.code[s->n] = (uint8_t)(XREF + op * 4 + t);
				if (push(v, n, cap, &c) < 0)
					return -1;
			}
		}
		c.nh = s->nh;
		if (isnew)
			c.shape[t] = 0;
	}
	return 0;
}

int hs_explore(const hs_explore_opts *o, prog *found, hs_result *res,
	       hs_explore_stats *st)
{
	memset(st, 0, sizeof *st);
	xs x;
	memset(&x, 0, sizeof x);
	x.o = o;
	x.st = st;
	clock_gettime(CLOCK_MONOTONIC, &x.t0);
	x.last = x.t0;
	x.lib = malloc(sizeof *x.lib);
	x.work = malloc(sizeof *x.work);
	x.scratch = malloc(sizeof *x.scratch);
	x.res = calloc(1, sizeof *x.res);
	xstate *cur = NULL, *next = NULL;
	uint8_t *okv = NULL; /* per state: its run ended with main returning */
	size_t ncur = 0, capcur = 0, nnext = 0, capnext = 0;
	int rc = -1;
	if (!x.lib || !x.work || !x.scratch || !x.res || o->depth < 0 || o->depth > XMAX_K)
		goto out;
	if (o->outdir && mkdir(o->outdir, 0777) != 0 && errno != EEXIST) {
		if (o->progress)
			fprintf(o->progress, "explore: cannot create %s: %s\n", o->outdir,
				strerror(errno));
		goto out;
	}
	if (hs_x_build_vocabulary(&x) < 0)
		goto out;
	if (o->progress)
		fprintf(o->progress, "explore: %d Go and %d C letters (%d left out), up to "
			"%d helpers (shapes: %s, %s, %s, %s, %s, %s), depth %d\n",
			x.ngo, x.nc, st->unsupported, XMAX_HELPERS, shape_name[0],
			shape_name[1], shape_name[2], shape_name[3], shape_name[4],
			shape_name[5], o->depth);
	xstate root;
	memset(&root, 0, sizeof root);
	if (push(&cur, &ncur, &capcur, &root) < 0)
		goto out;
	rc = 0;
	for (int d = 1; d <= o->depth && ncur > 0; d++) {
		int last = d == o->depth;
		/* phase A: run every program of length d-1 (the root: none) */
		free(okv);
		okv = calloc(ncur, 1);
		if (!okv) {
			rc = -1;
			goto done;
		}
		for (size_t i = 0; d > 1 && i < ncur; i++) {
			if (o->max_seconds > 0 && since(&x.t0) > o->max_seconds) {
				st->timed_out = 1;
				goto done;
			}
			progress(&x, d - 1, ncur - i, 0);
			if (twin(&cur[i])) {
				st->twins++;
				continue;
			}
			if (violates(&x, &cur[i])) {
				report(&x, &cur[i], found, res);
				rc = 1;
				goto done;
			}
			okv[i] = x.res->kind == OUT_OK;
			if (ran_program(&x, &cur[i])) {
				rc = 2;
				goto done;
			}
		}
		st->depth_done = d - 1;
		if (d > 1)
			progress(&x, d - 1, 0, 1);
		/* phase B: the points worth extending, then the children: the
		** next level's states, or at the last level the leaves, made
		** state by state and run at once (never all in memory) */
		nnext = 0;
		for (size_t i = 0; i < ncur; i++) {
			const xstate *s = &cur[i];
			if (o->max_seconds > 0 && since(&x.t0) > o->max_seconds) {
				st->timed_out = 1;
				goto done;
			}
			if (d > 1 && twin(s) == 2)
				continue;
			unsigned reach = d == 1 ? 1u : reach_after(&x, s, okv[i]);
			if (reach == 0)
				st->pruned++;
			if (last)
				nnext = 0;
			for (int f = s->cur; f <= s->nh; f++)
				if ((reach & (1u << f)) &&
				    children(&x, s, f, &next, &nnext, &capnext) < 0) {
					rc = -1;
					goto done;
				}
			for (size_t j = 0; last && j < nnext; j++) {
				if (o->max_seconds > 0 && since(&x.t0) > o->max_seconds) {
					st->timed_out = 1;
					goto done;
				}
				progress(&x, d, ncur - i, 0);
				if (twin(&next[j])) {
					st->twins++;
					continue;
				}
				if (violates(&x, &next[j])) {
					report(&x, &next[j], found, res);
					rc = 1;
					goto done;
				}
				if (ran_program(&x, &next[j])) {
					rc = 2;
					goto done;
				}
			}
		}
		if (last) {
			st->depth_done = d;
			progress(&x, d, 0, 1);
			ncur = 0;
			break;
		}
		xstate *t = cur;
		cur = next;
		next = t;
		size_t tc = capcur;
		capcur = capnext;
		capnext = tc;
		ncur = nnext;
	}
	/* depth reached with interior states only (depth 0 or ncur empty) */
	if (rc == 0 && st->depth_done < o->depth && ncur == 0)
		st->depth_done = o->depth;
done:
	st->seconds = since(&x.t0);
out:
	free(cur);
	free(next);
	free(okv);
	free(x.lib);
	free(x.work);
	free(x.scratch);
	hs_result_free(x.res);
	free(x.res);
	return rc;
}
