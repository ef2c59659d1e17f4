/*
** mutator_selftest.c: a property test of the structure-aware mutator,
** run by ctest over the generated seed corpus.
**
**   fuzz_mutator_selftest [DIR|FILE...]   (no args: a built-in program)
**
** From every seed, chains of mutations and crossovers must give:
**  - outputs within max_size that decode to valid programs;
**  - canonical encodings (encode(decode(out)) == out), so the corpus
**    holds no two spellings of one program;
**  - the same output for the same (input, seed): determinism;
**  - a changed program most of the time (the mutator is not a no-op);
**  - each composite move (sf_mutate_move) builds its shape, checked on the
**    decoded output by a predicate below, from every input and seed where
**    it applies (it applies to every input that has room).
** Exit 0 and a summary line, or 1 naming the first failure.
*/
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mutator.h"
#include "prog.h"

enum { MAX_INPUTS = 256, CHAIN = 200 };

static uint8_t *inputs[MAX_INPUTS];
static size_t sizes[MAX_INPUTS];
static int ninputs;
static prog P;
static uint8_t a[PROG_BIN_MAX], b[PROG_BIN_MAX], c[PROG_BIN_MAX], prev[PROG_BIN_MAX];

static void add_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL || ninputs == MAX_INPUTS) {
		if (f)
			fclose(f);
		return;
	}
	uint8_t *buf = malloc(PROG_BIN_MAX);
	size_t n = buf ? fread(buf, 1, PROG_BIN_MAX, f) : 0;
	fclose(f);
	if (buf == NULL)
		return;
	inputs[ninputs] = buf;
	sizes[ninputs++] = n;
}

static void add_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		add_file(path);
		return;
	}
	DIR *d = opendir(path);
	if (d == NULL)
		return;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		char p[4096];
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "%s/%s", path, e->d_name);
		add_file(p);
	}
	closedir(d);
}

static int check_out(const uint8_t *out, size_t n, size_t max, const char *what, int i,
		     uint32_t seed)
{
	prog_error err;
	if (n > max || n == 0) {
		fprintf(stderr, "%s: input %d seed %u: size %zu (max %zu)\n", what, i, seed, n, max);
		return 1;
	}
	prog_bin_decode(out, n, &P);
	if (prog_validate(&P, &err) != 0) {
		fprintf(stderr, "%s: input %d seed %u: invalid: %s\n", what, i, seed, err.msg);
		return 1;
	}
	size_t m = prog_bin_encode(&P, c, sizeof c);
	if (m != n || memcmp(c, out, n) != 0) {
		fprintf(stderr, "%s: input %d seed %u: not canonical\n", what, i, seed);
		return 1;
	}
	return 0;
}

/* ---- the composite moves' shapes, on the decoded program ---- */

static int go_fn(const prog *p, uint32_t f) { return f < p->nfuncs && p->funcs[f].kind == FK_GO; }

/* `gc scan` then grow or panic, in a Go function that is called (or main). */
static int has_scan_chain(const prog *p)
{
	for (uint32_t f = 0; f < p->nfuncs; f++) {
		const prog_func *fn = &p->funcs[f];
		if (fn->kind != FK_GO)
			continue;
		for (uint32_t i = 0; i + 1 < fn->nstmts; i++)
			if (fn->stmts[i].op == ST_GC && fn->stmts[i].n == GC_SCAN &&
			    (fn->stmts[i + 1].op == ST_GROW || fn->stmts[i + 1].op == ST_PANIC))
				return 1;
	}
	return 0;
}

static int is_deferred(const prog *p, uint32_t f)
{
	for (uint32_t g = 0; g < p->nfuncs; g++)
		for (uint32_t i = 0; i < p->funcs[g].nstmts; i++)
			if (p->funcs[g].stmts[i].op == ST_DEFER && p->funcs[g].stmts[i].fn == f)
				return 1;
	return 0;
}

/* `gc shrink` right after a grow or a call, or inside a deferred function. */
static int has_shrink(const prog *p)
{
	for (uint32_t f = 0; f < p->nfuncs; f++) {
		const prog_func *fn = &p->funcs[f];
		if (fn->kind != FK_GO)
			continue;
		for (uint32_t i = 0; i < fn->nstmts; i++) {
			if (fn->stmts[i].op != ST_GC || fn->stmts[i].n != GC_SHRINK)
				continue;
			if (i > 0 && (fn->stmts[i - 1].op == ST_GROW || fn->stmts[i - 1].op == ST_CALL))
				return 1;
			if (is_deferred(p, f))
				return 1;
		}
	}
	return 0;
}

/* A Go function's `cgo c()` of a C function that calls back into Go. */
static int has_cgo_wrap(const prog *p)
{
	for (uint32_t f = 0; f < p->nfuncs; f++) {
		const prog_func *fn = &p->funcs[f];
		if (fn->kind != FK_GO)
			continue;
		for (uint32_t i = 0; i < fn->nstmts; i++) {
			const prog_stmt *s = &fn->stmts[i];
			if (s->op != ST_CGO || s->fn >= p->nfuncs)
				continue;
			const prog_func *c = &p->funcs[s->fn];
			for (uint32_t j = 0; j < c->nstmts; j++)
				if (c->stmts[j].op == ST_CALLBACK && go_fn(p, c->stmts[j].fn))
					return 1;
		}
	}
	return 0;
}

/* `defer w(&x, ..)` of a cgo wrapper, then `defer g()` of a function
** that grows (grow, or a call: a recursion). */
static int has_defer_segment(const prog *p)
{
	for (uint32_t f = 0; f < p->nfuncs; f++) {
		const prog_func *fn = &p->funcs[f];
		if (fn->kind != FK_GO)
			continue;
		for (uint32_t i = 0; i + 1 < fn->nstmts; i++) {
			const prog_stmt *a = &fn->stmts[i], *b = &fn->stmts[i + 1];
			if (a->op != ST_DEFER || b->op != ST_DEFER || !go_fn(p, a->fn) ||
			    !go_fn(p, b->fn) || !(p->funcs[a->fn].flags & FF_CGOWRAPPER) ||
			    a->nargs == 0 || a->a[0].kind != EX_ADDR)
				continue;
			const prog_func *g = &p->funcs[b->fn];
			for (uint32_t j = 0; j < g->nstmts; j++)
				if (g->stmts[j].op == ST_GROW || g->stmts[j].op == ST_CALL)
					return 1;
		}
	}
	return 0;
}

static int (*const shape_of[SF_MOVE__N])(const prog *) = {
	has_scan_chain, has_shrink, has_cgo_wrap, has_defer_segment};
static const char *const move_name[SF_MOVE__N] = {"scan-chain", "shrink", "cgo-wrap",
						   "defer-segment"};

/* Every move, from every input, 20 seeds each: applied -> shape. */
static int check_moves(void)
{
	for (int m = 0; m < SF_MOVE__N; m++) {
		long applied = 0, shaped = 0;
		for (int i = 0; i < ninputs; i++) {
			for (uint32_t k = 0; k < 20; k++) {
				size_t n = sizes[i] < sizeof a ? sizes[i] : sizeof a;
				memcpy(a, inputs[i], n);
				size_t out = sf_mutate_move(a, n, sizeof a, k * 7919u + (uint32_t)i, m);
				if (out == 0)
					continue;
				applied++;
				if (check_out(a, out, sizeof a, move_name[m], i, k))
					return 1;
				if (shape_of[m](&P)) {
					shaped++;
				} else {
					fprintf(stderr, "move %s: input %d seed %u: no shape\n",
						move_name[m], i, k);
					return 1;
				}
			}
		}
		printf("mutator selftest: move %s applied %ld times, shape built %ld times\n",
		       move_name[m], applied, shaped);
		if (applied * 2 < (long)ninputs * 20) {
			fprintf(stderr, "move %s applied to fewer than half\n", move_name[m]);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		add_path(argv[i]);
	if (ninputs == 0) { /* a built-in seed: main calling f(&x) */
		static const uint8_t seed0[] = {1, 0, 0, 1, 0, 0, 0, 0, 1, 3, 0, 0, 0, 2, 0, 0};
		inputs[0] = malloc(sizeof seed0);
		memcpy(inputs[0], seed0, sizeof seed0);
		sizes[0] = sizeof seed0;
		ninputs = 1;
	}
	long muts = 0, changed = 0, xovers = 0;
	for (int i = 0; i < ninputs; i++) {
		size_t n = sizes[i] < sizeof a ? sizes[i] : sizeof a;
		memcpy(a, inputs[i], n);
		for (uint32_t k = 0; k < CHAIN; k++) {
			uint32_t seed = k * 2654435761u + (uint32_t)i;
			size_t max = k % 7 == 0 ? 64 + k : sizeof a;
			if (n > max)
				n = max; /* like libFuzzer shrinking max_len */
			memcpy(b, a, n);
			memcpy(prev, a, n);
			size_t n1 = sf_mutate(a, n, max, seed);
			size_t n2 = sf_mutate(b, n, max, seed);
			if (n1 != n2 || memcmp(a, b, n1) != 0) {
				fprintf(stderr, "mutate: input %d seed %u: not deterministic\n", i, seed);
				return 1;
			}
			if (check_out(a, n1, max, "mutate", i, seed))
				return 1;
			muts++;
			changed += n1 != n || memcmp(a, prev, n) != 0;
			n = n1;
			const uint8_t *other = inputs[(i + 1 + (int)k) % ninputs];
			size_t on = sizes[(i + 1 + (int)k) % ninputs];
			size_t x1 = sf_crossover(a, n, other, on, b, sizeof b, seed);
			size_t x2 = sf_crossover(a, n, other, on, c, sizeof c, seed);
			if (x1 != x2 || memcmp(b, c, x1) != 0) {
				fprintf(stderr, "crossover: input %d seed %u: not deterministic\n", i, seed);
				return 1;
			}
			if (check_out(b, x1, sizeof b, "crossover", i, seed))
				return 1;
			xovers++;
			if (k % 5 == 4) { /* continue the chain from the crossover */
				memcpy(a, b, x1);
				n = x1;
			}
		}
	}
	if (check_moves())
		return 1;
	printf("mutator selftest: %d inputs, %ld mutations (%ld changed the input), %ld crossovers: ok\n",
	       ninputs, muts, changed, xovers);
	if (changed * 2 < muts) {
		fprintf(stderr, "mutator selftest: fewer than half the mutations changed anything\n");
		return 1;
	}
	for (int i = 0; i < ninputs; i++)
		free(inputs[i]);
	return 0;
}
