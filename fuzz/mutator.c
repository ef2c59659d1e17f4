/*
** mutator.c: structure-aware mutation of binary programs.
**
** Edits work on the decoded AST and may leave it invalid (a slot of the
** wrong type, a callee of the wrong kind, an arity mismatch);
** prog_repair() then rewrites it into the nearest valid program, so the
** edits stay simple and every output is valid and canonical.
**
** Edit menu (weights in pick_edit): insert a fresh statement, delete,
** duplicate, swap or move statements, change an argument (kind, slot,
** constant), the target slot, the callee or the op, tweak grow/gc sizes,
** change function attributes (pad, cgowrapper, params/locals, slot
** types, Go/C kind), add or remove a function, and splice from another
** input (crossover: a whole function, or a run of statements).
**
** Composite moves (issue 12: the fuzzer rarely lines up three conditions
** by single edits) build in one edit a shape that needs several:
**  - SCAN_CHAIN: `gc scan` in the innermost frame of a call chain (the
**    leaf reached by following calls from main, or a new 12-level
**    recursion), then `grow` or `panic` there: barriers on deep frames,
**    then a copy or a panic through them;
**  - SHRINK: `gc shrink` right after growth (a grow or a call), or inside
**    a deferred call (existing or new);
**  - CGO_WRAP: a Go call f(...) becomes `cgo c()` with a new C function
**    `callback f(...)`: the chain runs under cgocall + callback frames;
**  - DEFER_SEGMENT: `defer w(&x, 42)` of a cgo wrapper (no locals map, the
**    segment is no longer copyable) then `defer g()` of a function that
**    grows: the deferred call runs first and needs a new segment.
** They are edits like the others (one menu entry each), and
** sf_mutate_move() applies one by name for the self-test.
**
** Gotchas:
**  - call-like statements keep all four argument slots filled, so that
**    the arguments survive a callee change (repair cuts them to arity);
**  - removing function k renumbers callees above k (and points calls of
**    k elsewhere), or every later call would silently change target;
**  - outputs larger than max_size lose statements from the longest
**    function until they fit (libFuzzer's -max_len, AFL's MAX_FILE).
*/
#include "mutator.h"

#include <string.h>

#include "mutator_int.h"

/* ---- value generators ---- */

int32_t sf_gen_const(rng *r)
{
	static const int16_t interesting[] = {0, 1, -1, 2, 3, 5, 7, 10, 20, 40, 42, 100, 1000};
	if (chance(r, 8))
		return (int32_t)(int16_t)below(r, 65536);
	return interesting[below(r, sizeof interesting / sizeof interesting[0])];
}

static uint32_t gen_slot(rng *r, const prog_func *f)
{
	uint32_t n = nslots(f);
	return n ? below(r, n) : 0;
}

static prog_expr gen_expr(rng *r, const prog_func *f)
{
	prog_expr e;
	e.kind = (uint8_t)below(r, 5);
	e.v = e.kind == EX_CONST ? sf_gen_const(r) : e.kind == EX_NIL ? 0 : (int32_t)gen_slot(r, f);
	return e;
}

int32_t sf_gen_grow(rng *r)
{
	static const int32_t sizes[] = {64, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768};
	if (chance(r, 4))
		return (int32_t)(below(r, PROG_MAX_GROW / 8) + 1) * 8;
	return sizes[below(r, sizeof sizes / sizeof sizes[0])];
}

uint32_t sf_gen_pad(rng *r)
{
	static const uint32_t pads[] = {0, 8, 64, 128, 256, 512, 1024, 2048, 4096};
	if (chance(r, 4))
		return below(r, PROG_MAX_PAD / 8 + 1) * 8;
	return pads[below(r, sizeof pads / sizeof pads[0])];
}

/* A fresh op for a function of kind fk, drawn by the op table's mutator
** weights (lang_ops.c: statements that make stacks interesting weigh
** more; every op stays reachable). */
static uint8_t gen_op(rng *r, int fk)
{
	uint32_t total = 0;
	for (int op = 0; op < ST__COUNT; op++)
		total += fk == FK_C ? lang_ops[op].mut_c : lang_ops[op].mut_go;
	uint32_t x = below(r, total);
	for (int op = 0; op < ST__COUNT; op++) {
		uint32_t w = fk == FK_C ? lang_ops[op].mut_c : lang_ops[op].mut_go;
		if (x < w)
			return (uint8_t)op;
		x -= w;
	}
	return ST_RETURN;
}

/* A value for the n field of op, by its kind. */
static int32_t gen_n(rng *r, int op)
{
	switch (lang_ops[op].n) {
	case LN_FORM:
		return (int32_t)below(r, 2);
	case LN_GROW:
		return sf_gen_grow(r);
	case LN_GC:
		return (int32_t)below(r, GC__COUNT);
	default:
		return 0;
	}
}

static void gen_stmt(rng *r, const prog *p, const prog_func *f, prog_stmt *s)
{
	memset(s, 0, sizeof *s);
	s->op = gen_op(r, f->kind);
	s->slot = (uint8_t)gen_slot(r, f);
	if (lang_is_call(s->op)) {
		s->fn = (uint8_t)below(r, p->nfuncs);
		s->nargs = PROG_MAX_PARAMS;
		for (int i = 0; i < PROG_MAX_PARAMS; i++)
			s->a[i] = gen_expr(r, f);
		/* recursion idiom: call self(n-1) */
		if (f->nparams > 0 && chance(r, 3)) {
			s->fn = (uint8_t)(f - p->funcs);
			s->a[0].kind = EX_DEC;
			s->a[0].v = 0;
		}
		return;
	}
	/* repair cuts what the op does not use */
	s->nargs = 2;
	s->a[0] = gen_expr(r, f);
	s->a[1] = gen_expr(r, f);
	s->n = gen_n(r, s->op);
}

/* ---- statement edits; each returns 0 if it could not apply ---- */

prog_func *sf_pick_func(rng *r, prog *p) { return &p->funcs[below(r, p->nfuncs)]; }

/* A function with at least one statement, or NULL. */
static prog_func *pick_nonempty(rng *r, prog *p)
{
	uint32_t start = below(r, p->nfuncs);
	for (uint32_t i = 0; i < p->nfuncs; i++) {
		prog_func *f = &p->funcs[(start + i) % p->nfuncs];
		if (f->nstmts > 0)
			return f;
	}
	return NULL;
}

static int ed_insert(rng *r, prog *p)
{
	prog_func *f = sf_pick_func(r, p);
	if (f->nstmts >= PROG_MAX_STMTS)
		return 0;
	uint32_t at = below(r, f->nstmts + 1);
	memmove(&f->stmts[at + 1], &f->stmts[at], (f->nstmts - at) * sizeof f->stmts[0]);
	f->nstmts++;
	gen_stmt(r, p, f, &f->stmts[at]);
	return 1;
}

static int ed_delete(rng *r, prog *p)
{
	prog_func *f = pick_nonempty(r, p);
	if (f == NULL)
		return 0;
	uint32_t at = below(r, f->nstmts);
	uint32_t n = 1 + (chance(r, 4) ? below(r, f->nstmts - at) : 0);
	memmove(&f->stmts[at], &f->stmts[at + n], (f->nstmts - at - n) * sizeof f->stmts[0]);
	f->nstmts -= n;
	return 1;
}

static int ed_duplicate(rng *r, prog *p)
{
	prog_func *f = pick_nonempty(r, p);
	if (f == NULL || f->nstmts >= PROG_MAX_STMTS)
		return 0;
	prog_stmt s = f->stmts[below(r, f->nstmts)];
	/* into this function or, sometimes, another one */
	prog_func *g = chance(r, 3) ? sf_pick_func(r, p) : f;
	if (g->nstmts >= PROG_MAX_STMTS)
		return 0;
	uint32_t at = below(r, g->nstmts + 1);
	memmove(&g->stmts[at + 1], &g->stmts[at], (g->nstmts - at) * sizeof g->stmts[0]);
	g->stmts[at] = s;
	g->nstmts++;
	return 1;
}

static int ed_swap(rng *r, prog *p)
{
	prog_func *f = pick_nonempty(r, p);
	if (f == NULL || f->nstmts < 2)
		return 0;
	uint32_t i = below(r, f->nstmts), j = below(r, f->nstmts);
	if (i == j)
		j = (i + 1) % f->nstmts;
	prog_stmt t = f->stmts[i];
	if (chance(r, 2)) { /* swap */
		f->stmts[i] = f->stmts[j];
		f->stmts[j] = t;
	} else if (i < j) { /* move i to j */
		memmove(&f->stmts[i], &f->stmts[i + 1], (j - i) * sizeof t);
		f->stmts[j] = t;
	} else { /* move i to j < i */
		memmove(&f->stmts[j + 1], &f->stmts[j], (i - j) * sizeof t);
		f->stmts[j] = t;
	}
	return 1;
}

static int ed_arg(rng *r, prog *p)
{
	prog_func *f = pick_nonempty(r, p);
	if (f == NULL)
		return 0;
	prog_stmt *s = &f->stmts[below(r, f->nstmts)];
	switch (below(r, 4)) {
	case 0: /* the target slot */
		s->slot = (uint8_t)gen_slot(r, f);
		return 1;
	case 1: /* the n field, by its kind: grow size, gc kind, form */
		switch (lang_ops[s->op % ST__COUNT].n) {
		case LN_GROW:
			s->n = chance(r, 2) ? sf_gen_grow(r) : s->n * 2;
			break;
		case LN_GC:
			s->n = (s->n + 1 + (int32_t)below(r, 2)) % GC__COUNT;
			break;
		default:
			s->n = !s->n;
			break;
		}
		return 1;
	default:
		break;
	}
	if (s->nargs == 0)
		return 0;
	prog_expr *e = &s->a[below(r, s->nargs)];
	switch (below(r, 4)) {
	case 0:
		*e = gen_expr(r, f);
		break;
	case 1:
		e->kind = (uint8_t)below(r, 5);
		break;
	case 2: /* nudge a constant or pick another slot */
		if (e->kind == EX_CONST)
			e->v += chance(r, 2) ? 1 : -1;
		else
			e->v = (int32_t)gen_slot(r, f);
		break;
	default:
		e->kind = EX_CONST;
		e->v = sf_gen_const(r);
		break;
	}
	return 1;
}

static int ed_callee(rng *r, prog *p)
{
	prog_func *f = pick_nonempty(r, p);
	if (f == NULL)
		return 0;
	prog_stmt *s = &f->stmts[below(r, f->nstmts)];
	if (!lang_is_call(s->op)) {
		/* make it a call of something */
		s->op = (uint8_t)(chance(r, 2) ? ST_CALL : chance(r, 2) ? ST_DEFER : ST_CGO);
		for (int i = 0; i < PROG_MAX_PARAMS; i++)
			s->a[i] = gen_expr(r, f);
	} else if (chance(r, 3)) {
		/* same callee, another way of calling it: any op with a callee */
		uint8_t calls[ST__COUNT];
		uint32_t nc = 0;
		for (int op = 0; op < ST__COUNT; op++)
			if (lang_is_call(op))
				calls[nc++] = (uint8_t)op;
		s->op = calls[below(r, nc)];
	}
	for (int i = s->nargs; i < PROG_MAX_PARAMS; i++)
		s->a[i] = gen_expr(r, f);
	s->nargs = PROG_MAX_PARAMS;
	s->fn = (uint8_t)below(r, p->nfuncs);
	return 1;
}

static int ed_op(rng *r, prog *p)
{
	prog_func *f = pick_nonempty(r, p);
	if (f == NULL)
		return 0;
	prog_stmt *s = &f->stmts[below(r, f->nstmts)];
	uint8_t op = gen_op(r, f->kind);
	if (lang_is_call(op) && !lang_is_call(s->op)) {
		s->fn = (uint8_t)below(r, p->nfuncs);
		for (int i = s->nargs; i < PROG_MAX_PARAMS; i++)
			s->a[i] = gen_expr(r, f);
		s->nargs = PROG_MAX_PARAMS;
	} else if (!lang_is_call(op) && s->nargs < 2) {
		for (int i = s->nargs; i < 2; i++)
			s->a[i] = gen_expr(r, f);
		s->nargs = 2;
	}
	if (lang_ops[op].n != lang_ops[s->op % ST__COUNT].n)
		s->n = gen_n(r, op);
	s->op = op;
	return 1;
}

/* ---- function edits ---- */

static int ed_attr(rng *r, prog *p)
{
	prog_func *f = sf_pick_func(r, p);
	int fi = (int)(f - p->funcs);
	switch (below(r, 6)) {
	case 0:
		f->pad = sf_gen_pad(r);
		break;
	case 1:
		f->flags ^= FF_CGOWRAPPER;
		break;
	case 2: /* one parameter more or less */
		if (fi == 0)
			return 0;
		if (prog_nargw(f) < PROG_MAX_PARAMS && (f->nparams == 0 || chance(r, 2))) {
			/* slots shift: parameter i is slot i, the result and
			** locals follow (repair drops a result that no longer
			** fits the argument area) */
			memmove(&f->type[f->nparams + 1], &f->type[f->nparams],
				(f->nresults + f->nlocals) * sizeof f->type[0]);
			f->type[f->nparams] = (uint8_t)below(r, 2);
			f->nparams++;
		} else if (f->nparams > 0) {
			f->nparams--;
			memmove(&f->type[f->nparams], &f->type[f->nparams + 1],
				(f->nresults + f->nlocals) * sizeof f->type[0]);
		}
		break;
	case 3: /* one local more or less, or the result toggled */
		if (fi != 0 && chance(r, 4)) {
			int at = f->nparams;
			if (f->nresults)
				memmove(&f->type[at], &f->type[at + 1],
					f->nlocals * sizeof f->type[0]);
			else if (prog_nargw(f) < PROG_MAX_PARAMS)
				memmove(&f->type[at + 1], &f->type[at],
					f->nlocals * sizeof f->type[0]);
			else
				return 0;
			f->nresults = !f->nresults;
			if (f->nresults)
				f->type[at] = TY_INT;
			break;
		}
		if (f->nlocals < PROG_MAX_LOCALS && (f->nlocals == 0 || chance(r, 2))) {
			f->type[nslots(f)] = (uint8_t)below(r, 2);
			f->nlocals++;
		} else if (f->nlocals > 0) {
			f->nlocals--;
		}
		break;
	case 4:
		if (nslots(f) == 0)
			return 0;
		f->type[gen_slot(r, f)] ^= 1;
		break;
	default:
		if (fi == 0)
			return 0;
		f->kind ^= 1;
		break;
	}
	return 1;
}

static void init_func(rng *r, prog_func *f)
{
	memset(f, 0, sizeof *f);
	f->kind = chance(r, 4) ? FK_C : FK_GO;
	f->nparams = (uint8_t)below(r, 3);
	f->nlocals = (uint8_t)below(r, 3);
	for (uint32_t i = 0; i < nslots(f); i++)
		f->type[i] = (uint8_t)(chance(r, 3) ? TY_PTR : TY_INT);
	if (chance(r, 4))
		f->flags = FF_CGOWRAPPER;
	if (chance(r, 3))
		f->pad = sf_gen_pad(r);
}

static int ed_addfunc(rng *r, prog *p)
{
	if (p->nfuncs >= PROG_MAX_FUNCS)
		return 0;
	prog_func *f = &p->funcs[p->nfuncs++];
	if (chance(r, 2)) {
		*f = p->funcs[below(r, p->nfuncs - 1)];
		f->kind = FK_GO; /* a copy of main would otherwise be main-like */
	} else {
		init_func(r, f);
		uint32_t n = 1 + below(r, 4);
		for (uint32_t i = 0; i < n; i++)
			gen_stmt(r, p, f, &f->stmts[f->nstmts++]);
	}
	/* and call it from somewhere */
	prog_func *g = sf_pick_func(r, p);
	if (g->nstmts < PROG_MAX_STMTS) {
		uint32_t at = below(r, g->nstmts + 1);
		memmove(&g->stmts[at + 1], &g->stmts[at], (g->nstmts - at) * sizeof g->stmts[0]);
		g->nstmts++;
		gen_stmt(r, p, g, &g->stmts[at]);
		/* the call form the two kinds allow: Go->Go call/defer, Go->C
		** cgo, C->Go callback, C->C call */
		if (f->kind == FK_C)
			g->stmts[at].op = g->kind == FK_C ? ST_CALL : ST_CGO;
		else if (g->kind == FK_C)
			g->stmts[at].op = ST_CALLBACK;
		else if (g->stmts[at].op != ST_DEFER)
			g->stmts[at].op = ST_CALL;
		g->stmts[at].fn = (uint8_t)(p->nfuncs - 1);
		for (int i = 0; i < PROG_MAX_PARAMS; i++)
			g->stmts[at].a[i] = gen_expr(r, g);
		g->stmts[at].nargs = PROG_MAX_PARAMS;
	}
	return 1;
}

static int ed_delfunc(rng *r, prog *p)
{
	if (p->nfuncs < 2)
		return 0;
	uint32_t k = 1 + below(r, p->nfuncs - 1);
	memmove(&p->funcs[k], &p->funcs[k + 1], (p->nfuncs - k - 1) * sizeof p->funcs[0]);
	p->nfuncs--;
	memset(&p->funcs[p->nfuncs], 0, sizeof p->funcs[0]);
	for (uint32_t i = 0; i < p->nfuncs; i++) {
		prog_func *f = &p->funcs[i];
		for (uint32_t j = 0; j < f->nstmts; j++) {
			prog_stmt *s = &f->stmts[j];
			if (!lang_is_call(s->op))
				continue;
			if (s->fn > k)
				s->fn--;
			else if (s->fn == k)
				s->fn = (uint8_t)below(r, p->nfuncs);
		}
	}
	return 1;
}

/* ---- crossover ---- */

/* Splice from q into p: a whole function (replacing one, or appended), or
** a run of statements into one of p's functions. q's callee indexes are
** kept: repair maps them onto p's functions. */
static int splice(rng *r, prog *p, const prog *q)
{
	const prog_func *g = &q->funcs[below(r, q->nfuncs)];
	if (chance(r, 2)) {
		uint32_t k;
		if (p->nfuncs < PROG_MAX_FUNCS && chance(r, 2))
			k = p->nfuncs++;
		else
			k = below(r, p->nfuncs);
		p->funcs[k] = *g;
		return 1;
	}
	if (g->nstmts == 0)
		return 0;
	prog_func *f = sf_pick_func(r, p);
	uint32_t from = below(r, g->nstmts);
	uint32_t n = 1 + below(r, g->nstmts - from);
	if (n > PROG_MAX_STMTS - f->nstmts)
		n = PROG_MAX_STMTS - f->nstmts;
	if (n == 0)
		return 0;
	uint32_t at = below(r, f->nstmts + 1);
	memmove(&f->stmts[at + n], &f->stmts[at], (f->nstmts - at) * sizeof f->stmts[0]);
	memcpy(&f->stmts[at], &g->stmts[from], n * sizeof f->stmts[0]);
	f->nstmts += n;
	return 1;
}

/* ---- driver ---- */

typedef int (*edit_fn)(rng *, prog *);

static int pick_edit(rng *r, prog *p)
{
	static const struct {
		edit_fn fn;
		uint32_t weight;
	} menu[] = {
		{ed_insert, 6},	 {ed_delete, 4}, {ed_duplicate, 3}, {ed_swap, 3},
		{ed_arg, 6},	 {ed_callee, 3}, {ed_op, 2},	    {ed_attr, 4},
		{ed_addfunc, 1}, {ed_delfunc, 1},
		{sf_mv_scan_chain, 1}, {sf_mv_shrink, 1}, {sf_mv_cgo_wrap, 1}, {sf_mv_defer_segment, 1},
	};
	uint32_t total = 0;
	for (size_t i = 0; i < sizeof menu / sizeof menu[0]; i++)
		total += menu[i].weight;
	uint32_t x = below(r, total);
	for (size_t i = 0; i < sizeof menu / sizeof menu[0]; i++) {
		if (x < menu[i].weight)
			return menu[i].fn(r, p);
		x -= menu[i].weight;
	}
	return 0;
}

static prog A, B; /* scratch: ~40 KB each, kept off the stack */

/* Repair, then encode into out, dropping statements until it fits.
** Returns 0 if even an empty program does not fit. */
static size_t finish(prog *p, uint8_t *out, size_t max)
{
	prog_repair(p);
	for (;;) {
		size_t n = prog_bin_encode(p, out, max);
		if (n <= max)
			return n;
		prog_func *big = &p->funcs[0];
		for (uint32_t i = 1; i < p->nfuncs; i++)
			if (p->funcs[i].nstmts > big->nstmts)
				big = &p->funcs[i];
		if (big->nstmts > 0)
			big->nstmts--;
		else if (p->nfuncs > 1)
			p->nfuncs--;
		else
			return 0;
		prog_repair(p);
	}
}

size_t sf_mutate(uint8_t *data, size_t size, size_t max_size, uint32_t seed)
{
	rng r = {(uint64_t)seed * 0x2545f4914f6cdd1dull + 1};
	prog_bin_decode(data, size, &A);
	int n = 1 + (chance(&r, 3) ? (int)below(&r, 3) : 0);
	for (int i = 0, tries = 0; i < n && tries < 16; tries++)
		i += pick_edit(&r, &A);
	size_t out = finish(&A, data, max_size);
	return out ? out : (size < max_size ? size : max_size);
}

size_t sf_mutate_move(uint8_t *data, size_t size, size_t max_size, uint32_t seed,
		      int move)
{
	static const edit_fn moves[SF_MOVE__N] = {sf_mv_scan_chain, sf_mv_shrink, sf_mv_cgo_wrap,
						  sf_mv_defer_segment};
	rng r = {(uint64_t)seed * 0x2545f4914f6cdd1dull + 3};
	if (move < 0 || move >= SF_MOVE__N)
		return 0;
	prog_bin_decode(data, size, &A);
	if (!moves[move](&r, &A))
		return 0;
	return finish(&A, data, max_size);
}

size_t sf_crossover(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2,
		    uint8_t *out, size_t max_out, uint32_t seed)
{
	rng r = {(uint64_t)seed * 0x2545f4914f6cdd1dull + 7};
	prog_bin_decode(d1, s1, &A);
	prog_bin_decode(d2, s2, &B);
	for (int tries = 0; tries < 8 && !splice(&r, &A, &B); tries++)
		;
	return finish(&A, out, max_out);
}
