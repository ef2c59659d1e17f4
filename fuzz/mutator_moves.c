/*
** mutator_moves.c: the mutator's composite moves (issue 12: the fuzzer
** rarely lines up three conditions by single edits), each building in
** one edit a shape that needs several; see mutator.c for the list. They
** are specific program shapes, so they name their ops directly.
*/
#include <string.h>

#include "mutator_int.h"

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

int sf_mv_scan_chain(rng *r, prog *p)
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
	s = chance(r, 2) ? mk(ST_GROW, sf_gen_grow(r)) : mk(ST_PANIC, sf_gen_const(r));
	ins_at(f, at + 1, &s);
	return 1;
}

int sf_mv_shrink(rng *r, prog *p)
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
			fi = new_func(p, sf_gen_pad(r));
			if (fi < 0)
				return 0;
			/* deferred from a Go function, often with growth first */
			prog_func *g = &p->funcs[0];
			for (int t = 0; t < 4; t++) {
				prog_func *h = sf_pick_func(r, p);
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
				prog_stmt gr = mk(ST_GROW, sf_gen_grow(r));
				ins_at(&p->funcs[fi], 0, &gr);
			}
		}
		prog_func *f = &p->funcs[fi];
		return ins_at(f, below(r, f->nstmts + 1), &gs);
	}
	/* right after growth: a grow, or a call (its frames grew the stack
	** and are gone: the stack is now mostly empty) */
	prog_func *f = sf_pick_func(r, p);
	if (f->kind != FK_GO)
		f = &p->funcs[0];
	int at[PROG_MAX_STMTS], na = 0;
	for (uint32_t i = 0; i < f->nstmts; i++)
		if (f->stmts[i].op == ST_GROW || f->stmts[i].op == ST_CALL)
			at[na++] = (int)i;
	if (na == 0) {
		prog_stmt gr = mk(ST_GROW, sf_gen_grow(r));
		uint32_t w = below(r, f->nstmts + 1);
		if (!ins_at(f, w, &gr))
			return 0;
		return ins_at(f, w + 1, &gs);
	}
	return ins_at(f, (uint32_t)at[below(r, (uint32_t)na)] + 1, &gs);
}

int sf_mv_cgo_wrap(rng *r, prog *p)
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

int sf_mv_defer_segment(rng *r, prog *p)
{
	prog_func *f = sf_pick_func(r, p);
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
		g = new_func(p, sf_gen_pad(r));
		prog_stmt gr = mk(ST_GROW, chance(r, 2) ? 8192 : sf_gen_grow(r));
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

