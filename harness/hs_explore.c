/*
** hs_explore.c: the bounded-exhaustive explorer.
**
** Programs are enumerated breadth first by the length of main's body, so
** the first violation found comes from a shortest program. To keep the
** space finite and small, only main varies: its body is a sequence over a
** fixed alphabet of statements (entries below) written over two locals,
** `y int` and `q *int`, and a fixed library of helper functions. The
** vocabulary holds the ingredients of the seed bugs: pointers into the
** frame passed to deferred calls (plain and cgo-wrapper), stack growth
** (deep recursion, grow), shrink, panic / recover / Goexit, panics inside
** deferred calls, cgo calls and callbacks, SEH, GC scan/mark termination.
**
** A `check` must hold in Go whatever ran before it, or the explorer would
** report its own vocabulary: so checks only come inside helpers that set
** the value first (setchk), and a failing one means the runtime moved or
** lost the slot.
**
** Data-driven: a statement is one row of `entries` (its text and the
** helpers it needs), a helper one row of `helpers`. At start each entry
** runs alone; if the runtime answers "statement not supported" (a later
** issue's statement) or the parser rejects it, the entry is left out, so
** statements switch themselves on when the runtime learns them.
**
** Pruning (each keeps "first found is shortest"):
**  - an entry marked TERM (panic, Goexit, a call that panics) ends main's
**    body: nothing after it could run;
**  - dynamically: a prefix is extended only if main's body runs to its
**    end. The prefix runs once with a sentinel `check y == 32767` appended
**    (no entry stores 32767); if that check is not the step the run stops
**    at, the body never completed (a panic, an overflow, ...) and every
**    extension would run exactly the same statements, so none is tried.
**    The sentinel run also stands for the prefix's own run in that case:
**    both execute the same statements (only main's PC layout differs), so
**    a violation it shows is confirmed by running the prefix itself.
*/
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hs_judge.h"
#include "hs_minexp.h"

typedef struct xhelper {
	const char *name;
	const char *deps; /* helpers it calls, comma separated */
	const char *text;
} xhelper;

static const xhelper helpers[] = {
	{"set", "", "func set(p *int, v int)\n  *p = v\nend\n"},
	{"cset", "", "func cset(p *int, v int) cgowrapper\n  *p = v\nend\n"},
	/* checks must hold in Go whatever runs before them: set, then check */
	{"setchk", "", "func setchk(p *int)\n  *p = 7\n  check *p == 7\nend\n"},
	{"deep", "", "func deep(n int) pad 128\n  if n == 0 return\n"
		     "  call deep(n-1)\nend\n"},
	{"pnc", "", "func pnc()\n  panic 1\nend\n"},
	{"rec", "", "func rec()\n  recover()\nend\n"},
	{"grower", "", "func grower()\n  grow 4096\nend\n"},
	/* cgo and callbacks (the cgo/SEH issue) */
	{"gpanic", "", "func gpanic()\n  panic 2\nend\n"},
	{"cpanic", "gpanic", "cfunc cpanic()\n  callback gpanic()\nend\n"},
	{"cseh", "gpanic", "cfunc cseh()\n  seh push\n  callback gpanic()\n"
			   "  seh pop\nend\n"},
	/* GC scans inside a callback, under a 1 KiB frame so the first
	** barrier (1024 bytes up) can fall on cgocallback_gofunc's frame, and
	** at every depth of a recursion (the barriers issue) */
	{"gscan", "", "func gscan() pad 1024\n  gc scan\nend\n"},
	{"cscan", "gscan", "cfunc cscan()\n  callback gscan()\nend\n"},
	{"dscan", "cscan", "func dscan(n int) pad 64\n  if n == 0 return\n"
			   "  call dscan(n-1)\n  cgo cscan()\nend\n"},
};
enum { NHELPERS = sizeof helpers / sizeof helpers[0] };

enum {
	XF_TERM = 1,	/* nothing after it in main can run */
	XF_WINDOWS = 2, /* only for target windows/386 */
};

typedef struct xentry {
	const char *text; /* one statement of main */
	const char *uses; /* helpers, comma separated */
	int flags;
} xentry;

/* Order matters only for which of several shortest programs comes first. */
static const xentry entries[] = {
	{"defer set(&y, 42)", "set", 0},
	{"defer cset(&y, 42)", "cset", 0},
	{"grow 4096", "", 0},
	{"call deep(40)", "deep", 0},
	{"call deep(3)", "deep", 0},
	{"defer setchk(&y)", "setchk", 0},
	{"defer rec()", "rec", 0},
	{"defer grower()", "grower", 0},
	{"defer pnc()", "pnc", 0},
	{"defer set(q, 7)", "set", 0},
	{"gc shrink", "", 0},
	{"q = &y", "", 0},
	{"*q = 5", "", 0},
	{"call setchk(&y)", "setchk", 0},
	{"y = recover()", "", 0},
	{"call cset(&y, 42)", "cset", 0},
	{"panic 1", "", XF_TERM},
	{"call pnc()", "pnc", XF_TERM},
	{"goexit", "", XF_TERM},
	/* later issues: kept out by the support probe until they exist */
	{"gc scan", "", 0},
	{"gc markterm", "", 0},
	{"lock", "", 0},
	{"unlock", "", 0},
	{"cgo cpanic()", "cpanic", XF_TERM},
	{"cgo cseh()", "cseh", XF_TERM | XF_WINDOWS},
	{"cgo cscan()", "cscan", 0},
	{"call dscan(8)", "dscan", 0},
	{"fault", "", XF_TERM},
};
enum { NENTRIES = sizeof entries / sizeof entries[0] };

static const char sentinel[] = "check y == 32767";

/* ---- building the vocabulary ---- */

typedef struct sbuf {
	char *s;
	size_t n, cap;
} sbuf;

static void sb_add(sbuf *b, const char *t)
{
	size_t l = strlen(t);
	if (b->n + l + 1 > b->cap) {
		size_t nc = (b->n + l + 1) * 2;
		char *ns = realloc(b->s, nc);
		if (!ns)
			abort();
		b->s = ns;
		b->cap = nc;
	}
	memcpy(b->s + b->n, t, l + 1);
	b->n += l;
}

static int helper_index(const char *name, size_t len)
{
	for (int i = 0; i < NHELPERS; i++)
		if (strlen(helpers[i].name) == len &&
		    !strncmp(helpers[i].name, name, len))
			return i;
	return -1;
}

/* Mark the helpers named in list (and what they call) in need[]. */
static void need_helpers(const char *list, uint8_t *need)
{
	while (*list) {
		const char *e = strchr(list, ',');
		size_t len = e ? (size_t)(e - list) : strlen(list);
		int h = helper_index(list, len);
		if (h >= 0 && !need[h]) {
			need[h] = 1;
			need_helpers(helpers[h].deps, need);
		}
		list += len + (e != NULL);
	}
}

/* Text of a program: main's body from `body`, then the needed helpers. */
static char *program_text(const char *const *body, int n, const uint8_t *need)
{
	sbuf b = {0};
	sb_add(&b, "func main()\n  var y int\n  var q *int\n");
	for (int i = 0; i < n; i++) {
		sb_add(&b, "  ");
		sb_add(&b, body[i]);
		sb_add(&b, "\n");
	}
	sb_add(&b, "end\n");
	for (int h = 0; h < NHELPERS; h++)
		if (need[h])
			sb_add(&b, helpers[h].text);
	return b.s;
}

static void set_config(prog *p, const hs_explore_opts *o)
{
	p->cfg.bugs = o->bugs;
	p->cfg.has_bugs = o->bugs != 0;
	p->cfg.target = (uint8_t)o->target;
	p->cfg.has_target = o->target != TARGET_LINUX_AMD64;
	if (o->stress)
		p->cfg.stress = p->cfg.has_stress = 1;
}

/* An entry the harness cannot run: its own error or one of its limits. */
static int unsupported(const hs_result *r)
{
	return r->kind == OUT_INTERNAL || r->kind == OUT_LIMIT;
}

typedef struct xs {
	const hs_explore_opts *o;
	hs_options ho;
	prog *tmpl;	   /* main's body = the alphabet + sentinel; helpers */
	prog *work;	   /* the program being run */
	hs_result *res;
	int alpha[NENTRIES]; /* entry index of each alphabet letter */
	int nalpha;
	hs_explore_stats *st;
	struct timespec t0, last;
} xs;

/* Probe every entry alone; build the template from the supported ones. */
static int build_vocabulary(xs *x)
{
	uint8_t need[NHELPERS] = {0};
	const char *body[NENTRIES + 1];
	char err[512];
	int rc = -1;
	for (int e = 0; e < NENTRIES; e++) {
		if ((entries[e].flags & XF_WINDOWS) && x->o->target != TARGET_WINDOWS_386)
			continue;
		uint8_t own[NHELPERS] = {0};
		need_helpers(entries[e].uses, own);
		char *t = program_text(&entries[e].text, 1, own);
		int ok = prog_parse("explore", t, strlen(t), x->work, err, sizeof err) == 0;
		free(t);
		if (ok) {
			hs_explore_opts plain = *x->o;
			plain.bugs = 0; /* support is a property of the runtime */
			set_config(x->work, &plain);
			hs_run(x->work, &x->ho, x->res);
			ok = !unsupported(x->res);
		}
		if (!ok) {
			x->st->unsupported++;
			if (x->o->progress)
				fprintf(x->o->progress, "explore: left out (not supported): %s\n",
					entries[e].text);
			continue;
		}
		for (int h = 0; h < NHELPERS; h++)
			need[h] |= own[h];
		body[x->nalpha] = entries[e].text;
		x->alpha[x->nalpha++] = e;
	}
	if (x->nalpha + 1 > PROG_MAX_STMTS)
		return -1;
	body[x->nalpha] = sentinel;
	char *t = program_text(body, x->nalpha + 1, need);
	if (prog_parse("explore", t, strlen(t), x->tmpl, err, sizeof err) == 0)
		rc = 0;
	else if (x->o->progress)
		fprintf(x->o->progress, "explore: vocabulary does not parse: %s\n", err);
	free(t);
	set_config(x->tmpl, x->o);
	x->st->alphabet = x->nalpha;
	return rc;
}

/* ---- the search ---- */

static double since(const struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void progress(xs *x, int depth, int force)
{
	if (!x->o->progress || (!force && since(&x->last) < 1.0))
		return;
	clock_gettime(CLOCK_MONOTONIC, &x->last);
	double s = since(&x->t0);
	if (s <= 0)
		s = 1e-9;
	fprintf(x->o->progress,
		"explore: depth %d: %llu programs (%llu prefixes pruned), "
		"%.0f programs/s, %.0f steps/s, %.1fs\n",
		depth, (unsigned long long)x->st->programs,
		(unsigned long long)x->st->pruned, (double)x->st->programs / s,
		(double)x->st->steps / s, s);
}

/* Run main's body seq[0..n) (plus the sentinel if with_sentinel). */
static void run_seq(xs *x, const uint8_t *seq, int n, int with_sentinel)
{
	prog_func *m = &x->work->funcs[0];
	const prog_func *t = &x->tmpl->funcs[0];
	for (int i = 0; i < n; i++)
		m->stmts[i] = t->stmts[seq[i]];
	if (with_sentinel)
		m->stmts[n] = t->stmts[x->nalpha];
	m->nstmts = (uint32_t)(n + with_sentinel);
	hs_run(x->work, &x->ho, x->res);
	x->st->programs++;
	x->st->steps += x->res->steps;
}

/* The last run (of x->work) is a finding, by the judge's rules. */
static int violates(xs *x)
{
	hs_verdict v;
	return hs_judge(x->work, &x->ho, x->res, NULL, &v) == JV_VIOLATION;
}

/* The sentinel is the step the run stopped at: the body ran to its end. */
static int reached_sentinel(const xs *x, int n)
{
	return x->res->kind == OUT_VIOLATION && x->res->inv == INV_DEF4 &&
	       x->res->func == 0 && x->res->stmt == n;
}

/* seq violates: build the reported program in *found. */
static void report(xs *x, const uint8_t *seq, int n, prog *found,
		   hs_result *res)
{
	run_seq(x, seq, n, 0);
	*found = *x->work;
	/* no leftovers of longer runs past main's end; no text positions */
	memset(&found->funcs[0].stmts[n], 0,
	       (PROG_MAX_STMTS - (size_t)n) * sizeof found->funcs[0].stmts[0]);
	for (uint32_t f = 0; f < found->nfuncs; f++) {
		found->funcs[f].line = 0;
		for (uint32_t i = 0; i < found->funcs[f].nstmts; i++)
			found->funcs[f].stmts[i].line = found->funcs[f].stmts[i].col = 0;
	}
	hs_verdict v;
	hs_judge(x->work, &x->ho, x->res, NULL, &v);
	int inv = v.inv;
	found->expect.kind = EXPECT_VIOLATION;
	snprintf(found->expect.id, sizeof found->expect.id, "%s", inv_catalogue[inv].id);
	/* drop the helpers and locals it does not use, if that changes
	** nothing (function indexes, hence PCs, move) */
	*x->work = *found;
	hs_prog_tidy(x->work);
	if (hs_run_judged(x->work, &x->ho, res, NULL, &v) == JV_VIOLATION &&
	    v.inv == inv)
		*found = *x->work;
	else
		hs_run_judged(found, &x->ho, res, NULL, &v);
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
	x.tmpl = malloc(sizeof *x.tmpl);
	x.work = malloc(sizeof *x.work);
	x.res = calloc(1, sizeof *x.res);
	uint8_t *cur = NULL, *next = NULL;
	int rc = -1;
	if (!x.tmpl || !x.work || !x.res || o->depth < 0 ||
	    o->depth >= PROG_MAX_STMTS)
		goto out;
	if (build_vocabulary(&x) < 0)
		goto out;
	*x.work = *x.tmpl;
	if (o->progress)
		fprintf(o->progress, "explore: alphabet of %d statements (%d left out), "
			"depth %d\n", x.nalpha, st->unsupported, o->depth);
	/* frontier: the prefixes of length d-1 worth extending */
	size_t ncur = 1, nnext = 0, capnext = 0;
	cur = calloc(1, 1);
	if (!cur)
		goto out;
	rc = 0;
	for (int d = 1; d <= o->depth && ncur > 0; d++) {
		int last = d == o->depth;
		uint8_t seq[PROG_MAX_STMTS];
		nnext = 0;
		for (size_t f = 0; f < ncur; f++) {
			memcpy(seq, cur + f * (size_t)(d - 1), (size_t)(d - 1));
			for (int a = 0; a < x.nalpha; a++) {
				if (o->max_seconds > 0 && since(&x.t0) > o->max_seconds) {
					st->timed_out = 1;
					goto done;
				}
				seq[d - 1] = (uint8_t)a;
				progress(&x, d, 0);
				int term = (entries[x.alpha[a]].flags & XF_TERM) != 0;
				if (last || term) {
					run_seq(&x, seq, d, 0);
					if (violates(&x)) {
						report(&x, seq, d, found, res);
						rc = 1;
						goto done;
					}
					continue;
				}
				run_seq(&x, seq, d, 1);
				if (!reached_sentinel(&x, d)) {
					st->pruned++;
					if (x.res->kind != OUT_VIOLATION)
						continue;
					run_seq(&x, seq, d, 0); /* confirm */
					if (violates(&x)) {
						report(&x, seq, d, found, res);
						rc = 1;
						goto done;
					}
					continue;
				}
				run_seq(&x, seq, d, 0);
				if (violates(&x)) {
					report(&x, seq, d, found, res);
					rc = 1;
					goto done;
				}
				if (nnext == capnext) {
					capnext = capnext ? 2 * capnext : 256;
					uint8_t *nn = realloc(next, capnext * (size_t)d);
					if (!nn) {
						rc = -1;
						goto done;
					}
					next = nn;
				}
				memcpy(next + nnext * (size_t)d, seq, (size_t)d);
				nnext++;
			}
		}
		st->depth_done = d;
		progress(&x, d, 1);
		uint8_t *t = cur;
		cur = next;
		next = t;
		ncur = nnext;
		capnext = 0;
		free(next);
		next = NULL;
	}
done:
	st->seconds = since(&x.t0);
out:
	free(cur);
	free(next);
	free(x.tmpl);
	free(x.work);
	hs_result_free(x.res);
	free(x.res);
	return rc;
}
