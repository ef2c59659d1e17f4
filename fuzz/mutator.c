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

#include "prog.h"

/* ---- a small deterministic PRNG (splitmix64) ---- */

typedef struct {
	uint64_t s;
} rng;

static uint64_t next64(rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. */
static uint32_t below(rng *r, uint32_t n) { return (uint32_t)(next64(r) % n); }

static int chance(rng *r, uint32_t one_in) { return below(r, one_in) == 0; }

/* ---- value generators ---- */

static int32_t gen_const(rng *r)
{
	static const int16_t interesting[] = {0, 1, -1, 2, 3, 5, 7, 10, 20, 40, 42, 100, 1000};
	if (chance(r, 8))
		return (int32_t)(int16_t)below(r, 65536);
	return interesting[below(r, sizeof interesting / sizeof interesting[0])];
}

static uint32_t nslots(const prog_func *f) { return f->nparams + f->nlocals; }

static uint32_t gen_slot(rng *r, const prog_func *f)
{
	uint32_t n = nslots(f);
	return n ? below(r, n) : 0;
}

static prog_expr gen_expr(rng *r, const prog_func *f)
{
	prog_expr e;
	e.kind = (uint8_t)below(r, 5);
	e.v = e.kind == EX_CONST ? gen_const(r) : e.kind == EX_NIL ? 0 : (int32_t)gen_slot(r, f);
	return e;
}

static int32_t gen_grow(rng *r)
{
	static const int32_t sizes[] = {64, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768};
	if (chance(r, 4))
		return (int32_t)(below(r, PROG_MAX_GROW / 8) + 1) * 8;
	return sizes[below(r, sizeof sizes / sizeof sizes[0])];
}

static uint32_t gen_pad(rng *r)
{
	static const uint32_t pads[] = {0, 8, 64, 128, 256, 512, 1024, 2048, 4096};
	if (chance(r, 4))
		return below(r, PROG_MAX_PAD / 8 + 1) * 8;
	return pads[below(r, sizeof pads / sizeof pads[0])];
}

static int is_call(int op)
{
	return op == ST_CALL || op == ST_DEFER || op == ST_CGO || op == ST_CALLBACK;
}

/* Ops weighted towards what makes stacks interesting (calls, defers,
** growth, panics); every op stays reachable. */
static uint8_t gen_op(rng *r)
{
	static const uint8_t ops[] = {
		ST_CALL,   ST_CALL,   ST_CALL,	  ST_DEFER,  ST_DEFER,	ST_DEFER,
		ST_ASSIGN, ST_ASSIGN, ST_STORE,	  ST_CHECK,  ST_CHECK,	ST_PANIC,
		ST_PANIC,  ST_RECOVER, ST_RECOVER, ST_GOEXIT, ST_GROW,	ST_GROW,
		ST_GC,	   ST_GC,     ST_RETZ,	  ST_RETZ,   ST_RETURN, ST_CGO,
		ST_CGO,	   ST_CALLBACK, ST_CALLBACK, ST_SEHPUSH, ST_SEHPOP, ST_LOCK,
		ST_UNLOCK, ST_FAULT,
	};
	return ops[below(r, sizeof ops / sizeof ops[0])];
}

/* C functions only call, call back into Go and push/pop SEH records;
** drawing from gen_op would make most of their statements RETURN. */
static uint8_t gen_c_op(rng *r)
{
	static const uint8_t ops[] = {
		ST_CALL, ST_CALLBACK, ST_CALLBACK, ST_CALLBACK, ST_SEHPUSH,
		ST_SEHPUSH, ST_SEHPOP, ST_SEHPOP, ST_RETURN,
	};
	return ops[below(r, sizeof ops / sizeof ops[0])];
}

static void gen_stmt(rng *r, const prog *p, const prog_func *f, prog_stmt *s)
{
	memset(s, 0, sizeof *s);
	s->op = f->kind == FK_C ? gen_c_op(r) : gen_op(r);
	s->slot = (uint8_t)gen_slot(r, f);
	if (is_call(s->op)) {
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
	s->nargs = 1;
	s->a[0] = gen_expr(r, f);
	switch (s->op) {
	case ST_CHECK:
	case ST_RECOVER:
		s->n = (int32_t)below(r, 2);
		break;
	case ST_GROW:
		s->n = gen_grow(r);
		break;
	case ST_GC:
		s->n = (int32_t)below(r, GC__COUNT);
		break;
	default:
		break;
	}
}

/* ---- statement edits; each returns 0 if it could not apply ---- */

static prog_func *pick_func(rng *r, prog *p) { return &p->funcs[below(r, p->nfuncs)]; }

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
	prog_func *f = pick_func(r, p);
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
	prog_func *g = chance(r, 3) ? pick_func(r, p) : f;
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
	case 1: /* the n field: grow size, gc kind, check/recover form */
		if (s->op == ST_GROW)
			s->n = chance(r, 2) ? gen_grow(r) : s->n * 2;
		else if (s->op == ST_GC)
			s->n = (s->n + 1 + (int32_t)below(r, 2)) % GC__COUNT;
		else
			s->n = !s->n;
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
		e->v = gen_const(r);
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
	if (!is_call(s->op)) {
		/* make it a call of something */
		s->op = (uint8_t)(chance(r, 2) ? ST_CALL : chance(r, 2) ? ST_DEFER : ST_CGO);
		for (int i = 0; i < PROG_MAX_PARAMS; i++)
			s->a[i] = gen_expr(r, f);
	} else if (chance(r, 3)) {
		/* same callee, another way of calling it */
		static const uint8_t calls[] = {ST_CALL, ST_DEFER, ST_CGO, ST_CALLBACK};
		s->op = calls[below(r, 4)];
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
	uint8_t op = f->kind == FK_C ? gen_c_op(r) : gen_op(r);
	if (is_call(op) && !is_call(s->op)) {
		s->fn = (uint8_t)below(r, p->nfuncs);
		for (int i = s->nargs; i < PROG_MAX_PARAMS; i++)
			s->a[i] = gen_expr(r, f);
		s->nargs = PROG_MAX_PARAMS;
	} else if (!is_call(op) && s->nargs == 0) {
		s->nargs = 1;
		s->a[0] = gen_expr(r, f);
	}
	if (op == ST_GROW && s->n < 8)
		s->n = gen_grow(r);
	s->op = op;
	return 1;
}

/* ---- function edits ---- */

static int ed_attr(rng *r, prog *p)
{
	prog_func *f = pick_func(r, p);
	int fi = (int)(f - p->funcs);
	switch (below(r, 6)) {
	case 0:
		f->pad = gen_pad(r);
		break;
	case 1:
		f->flags ^= FF_CGOWRAPPER;
		break;
	case 2: /* one parameter more or less */
		if (fi == 0)
			return 0;
		if (f->nparams < PROG_MAX_PARAMS && (f->nparams == 0 || chance(r, 2))) {
			/* slots shift: parameter i is slot i, locals follow */
			memmove(&f->type[f->nparams + 1], &f->type[f->nparams],
				f->nlocals * sizeof f->type[0]);
			f->type[f->nparams] = (uint8_t)below(r, 2);
			f->nparams++;
		} else if (f->nparams > 0) {
			f->nparams--;
			memmove(&f->type[f->nparams], &f->type[f->nparams + 1],
				f->nlocals * sizeof f->type[0]);
		}
		break;
	case 3: /* one local more or less */
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
		f->pad = gen_pad(r);
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
	prog_func *g = pick_func(r, p);
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
			if (!is_call(s->op))
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
	prog_func *f = pick_func(r, p);
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

/* ---- composite moves ---- */

/* Insert s at position at of f; 0 if f is full. */
static int ins_at(prog_func *f, uint32_t at, const prog_stmt *s)
{
	if (f->nstmts >= PROG_MAX_STMTS)
		return 0;
	if (at > f->nstmts)
		at = f->nstmts;
	memmove(&f->stmts[at + 1], &f->stmts[at], (f->nstmts - at) * sizeof f->stmts[0]);
	f->stmts[at] = *s;
	f->nstmts++;
	return 1;
}

static prog_stmt mk(uint8_t op, int32_t n)
{
	prog_stmt s;
	memset(&s, 0, sizeof s);
	s.op = op;
	s.n = n;
	s.nargs = 1;
	s.a[0].kind = EX_CONST;
	s.a[0].v = n;
	return s;
}

static prog_stmt mk_call(uint8_t op, uint32_t fn)
{
	prog_stmt s;
	memset(&s, 0, sizeof s);
	s.op = op;
	s.fn = (uint8_t)fn;
	s.nargs = PROG_MAX_PARAMS;
	for (int i = 0; i < PROG_MAX_PARAMS; i++) {
		s.a[i].kind = EX_CONST;
		s.a[i].v = 12; /* a recursion depth, if the callee recurses */
	}
	return s;
}

/* A new Go function at the end of p, or -1 if p is full. */
static int new_func(prog *p, uint32_t pad)
{
	if (p->nfuncs >= PROG_MAX_FUNCS)
		return -1;
	prog_func *f = &p->funcs[p->nfuncs];
	memset(f, 0, sizeof *f);
	f->pad = pad;
	return (int)p->nfuncs++;
}

/* Does f call itself (a recursion: its frames repeat down the chain)? */
static int self_call_at(const prog *p, int fi)
{
	const prog_func *f = &p->funcs[fi];
	for (uint32_t i = 0; i < f->nstmts; i++)
		if (f->stmts[i].op == ST_CALL && f->stmts[i].fn == fi)
			return (int)i;
	return -1;
}

/* Follow Go calls from main, randomly, up to 8 hops: the innermost frame
** of a call chain. Returns a function index (0 if main calls nothing). */
static int chain_leaf(rng *r, const prog *p)
{
	int fi = 0;
	uint8_t seen[PROG_MAX_FUNCS] = {1};
	for (int hop = 0; hop < 8; hop++) {
		const prog_func *f = &p->funcs[fi];
		int cand[PROG_MAX_STMTS], nc = 0;
		for (uint32_t i = 0; i < f->nstmts; i++) {
			const prog_stmt *s = &f->stmts[i];
			if (s->op == ST_CALL && s->fn < p->nfuncs && !seen[s->fn] &&
			    p->funcs[s->fn].kind == FK_GO)
				cand[nc++] = s->fn;
		}
		if (nc == 0)
			break;
		fi = cand[below(r, (uint32_t)nc)];
		seen[fi] = 1;
	}
	return fi;
}

/* A new recursion `fN(n int) pad 256: if n == 0 return; call fN(n-1)`,
** called with 12 from function `from` at a random point; -1 if full. */
static int new_recursion(rng *r, prog *p, int from)
{
	int k = new_func(p, 256);
	if (k < 0)
		return -1;
	prog_func *f = &p->funcs[k];
	f->nparams = 1;
	f->type[0] = TY_INT;
	prog_stmt s = mk(ST_RETZ, 0);
	s.slot = 0;
	ins_at(f, f->nstmts, &s);
	s = mk_call(ST_CALL, (uint32_t)k);
	s.a[0].kind = EX_DEC;
	s.a[0].v = 0;
	ins_at(f, f->nstmts, &s);
	prog_func *g = &p->funcs[from];
	s = mk_call(ST_CALL, (uint32_t)k);
	if (!ins_at(g, below(r, g->nstmts + 1), &s)) {
		p->nfuncs--;
		return -1;
	}
	return k;
}

static int mv_scan_chain(rng *r, prog *p)
{
	int fi = chain_leaf(r, p);
	if (fi == 0 || chance(r, 3)) {
		int k = new_recursion(r, p, fi);
		if (k >= 0)
			fi = k;
	}
	prog_func *f = &p->funcs[fi];
	if (f->nstmts + 2 > PROG_MAX_STMTS)
		return 0;
	/* in a recursion, after the recursive call: the innermost frames
	** scan first, with every frame of the chain above them */
	int sc = self_call_at(p, fi);
	uint32_t at = sc >= 0 ? (uint32_t)sc + 1 : below(r, f->nstmts + 1);
	prog_stmt s = mk(ST_GC, GC_SCAN);
	ins_at(f, at, &s);
	s = chance(r, 2) ? mk(ST_GROW, gen_grow(r)) : mk(ST_PANIC, gen_const(r));
	ins_at(f, at + 1, &s);
	return 1;
}

static int mv_shrink(rng *r, prog *p)
{
	prog_stmt gs = mk(ST_GC, GC_SHRINK);
	if (chance(r, 2)) { /* inside a deferred call */
		int cand[PROG_MAX_FUNCS * PROG_MAX_STMTS], nc = 0;
		for (uint32_t i = 0; i < p->nfuncs; i++)
			for (uint32_t j = 0; j < p->funcs[i].nstmts; j++) {
				const prog_stmt *s = &p->funcs[i].stmts[j];
				if (s->op == ST_DEFER && s->fn > 0 && s->fn < p->nfuncs &&
				    p->funcs[s->fn].kind == FK_GO)
					cand[nc++] = s->fn;
			}
		int fi;
		if (nc > 0 && chance(r, 2)) {
			fi = cand[below(r, (uint32_t)nc)];
		} else {
			fi = new_func(p, gen_pad(r));
			if (fi < 0)
				return 0;
			/* deferred from a Go function, often with growth first */
			prog_func *g = &p->funcs[0];
			for (int t = 0; t < 4; t++) {
				prog_func *h = pick_func(r, p);
				if (h->kind == FK_GO && h != &p->funcs[fi]) {
					g = h;
					break;
				}
			}
			prog_stmt d = mk_call(ST_DEFER, (uint32_t)fi);
			if (!ins_at(g, below(r, g->nstmts + 1), &d)) {
				p->nfuncs--;
				return 0;
			}
			if (chance(r, 2)) {
				prog_stmt gr = mk(ST_GROW, gen_grow(r));
				ins_at(&p->funcs[fi], 0, &gr);
			}
		}
		prog_func *f = &p->funcs[fi];
		return ins_at(f, below(r, f->nstmts + 1), &gs);
	}
	/* right after growth: a grow, or a call (its frames grew the stack
	** and are gone: the stack is now mostly empty) */
	prog_func *f = pick_func(r, p);
	if (f->kind != FK_GO)
		f = &p->funcs[0];
	int at[PROG_MAX_STMTS], na = 0;
	for (uint32_t i = 0; i < f->nstmts; i++)
		if (f->stmts[i].op == ST_GROW || f->stmts[i].op == ST_CALL)
			at[na++] = (int)i;
	if (na == 0) {
		prog_stmt gr = mk(ST_GROW, gen_grow(r));
		uint32_t w = below(r, f->nstmts + 1);
		if (!ins_at(f, w, &gr))
			return 0;
		return ins_at(f, w + 1, &gs);
	}
	return ins_at(f, (uint32_t)at[below(r, (uint32_t)na)] + 1, &gs);
}

static int mv_cgo_wrap(rng *r, prog *p)
{
	/* a Go call of a Go function */
	int cf[PROG_MAX_FUNCS * PROG_MAX_STMTS], cs[PROG_MAX_FUNCS * PROG_MAX_STMTS], nc = 0;
	for (uint32_t i = 0; i < p->nfuncs; i++) {
		if (p->funcs[i].kind != FK_GO)
			continue;
		for (uint32_t j = 0; j < p->funcs[i].nstmts; j++) {
			const prog_stmt *s = &p->funcs[i].stmts[j];
			if (s->op == ST_CALL && s->fn > 0 && s->fn < p->nfuncs &&
			    p->funcs[s->fn].kind == FK_GO) {
				cf[nc] = (int)i;
				cs[nc++] = (int)j;
			}
		}
	}
	int k = new_func(p, 0);
	if (k < 0)
		return 0;
	prog_func *c = &p->funcs[k];
	c->kind = FK_C;
	prog_stmt cb;
	int fi, si;
	if (nc == 0) { /* no chain yet: wrap a new recursion */
		int rk = new_recursion(r, p, k);
		if (rk < 0) {
			p->nfuncs--;
			return 0;
		}
		/* new_recursion put `call` in c: a callback from C */
		c = &p->funcs[k];
		c->stmts[0].op = ST_CALLBACK;
		prog_func *m = &p->funcs[0];
		prog_stmt g = mk_call(ST_CGO, (uint32_t)k);
		return ins_at(m, below(r, m->nstmts + 1), &g);
	}
	uint32_t w = below(r, (uint32_t)nc);
	fi = cf[w];
	si = cs[w];
	prog_stmt *s = &p->funcs[fi].stmts[si];
	cb = *s;
	cb.op = ST_CALLBACK;
	/* C has no pointers: the callback passes constants where the call
	** passed slots (repair fits them to the callee's types) */
	for (int i = 0; i < cb.nargs; i++)
		if (cb.a[i].kind != EX_CONST) {
			cb.a[i].kind = EX_CONST;
			cb.a[i].v = 12;
		}
	ins_at(c, 0, &cb);
	if (chance(r, 2)) { /* sometimes C works around the callback too */
		prog_stmt g = mk(ST_GC, (int32_t)below(r, GC__COUNT));
		ins_at(c, chance(r, 2) ? 0 : 1, &g);
	}
	*s = mk_call(ST_CGO, (uint32_t)k);
	return 1;
}

static int mv_defer_segment(rng *r, prog *p)
{
	prog_func *f = pick_func(r, p);
	if (f->kind != FK_GO)
		f = &p->funcs[0];
	int fi = (int)(f - p->funcs);
	if (f->nstmts + 2 > PROG_MAX_STMTS || p->nfuncs + 2 > PROG_MAX_FUNCS)
		return 0;
	/* an int local for &x */
	int x = -1;
	for (uint32_t i = 0; i < nslots(f); i++)
		if (f->type[i] == TY_INT && i >= f->nparams)
			x = (int)i;
	if (x < 0) {
		if (f->nlocals >= PROG_MAX_LOCALS)
			return 0;
		x = (int)nslots(f);
		f->type[x] = TY_INT;
		f->nlocals++;
	}
	/* w(p *int, v int) cgowrapper: *p = v */
	int w = new_func(p, 0);
	prog_func *wf = &p->funcs[w];
	wf->flags = FF_CGOWRAPPER;
	wf->nparams = 2;
	wf->type[0] = TY_PTR;
	wf->type[1] = TY_INT;
	prog_stmt st = mk(ST_STORE, 0);
	st.slot = 0;
	st.a[0].kind = EX_SLOT;
	st.a[0].v = 1;
	ins_at(wf, 0, &st);
	/* g: grows (a recursion or a big grow) */
	int g;
	if (chance(r, 2)) {
		g = new_func(p, gen_pad(r));
		prog_stmt gr = mk(ST_GROW, chance(r, 2) ? 8192 : gen_grow(r));
		ins_at(&p->funcs[g], 0, &gr);
	} else {
		g = new_func(p, 0);
		if (new_recursion(r, p, g) < 0)
			return 0;
	}
	f = &p->funcs[fi];
	prog_stmt d1 = mk_call(ST_DEFER, (uint32_t)w);
	d1.a[0].kind = EX_ADDR;
	d1.a[0].v = x;
	d1.a[1].kind = EX_CONST;
	d1.a[1].v = 42;
	prog_stmt d2 = mk_call(ST_DEFER, (uint32_t)g);
	uint32_t at = below(r, f->nstmts + 1);
	ins_at(f, at, &d1);
	ins_at(f, at + 1, &d2);
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
		{mv_scan_chain, 1}, {mv_shrink, 1}, {mv_cgo_wrap, 1}, {mv_defer_segment, 1},
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
	static const edit_fn moves[SF_MOVE__N] = {mv_scan_chain, mv_shrink, mv_cgo_wrap,
						  mv_defer_segment};
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
