/*
** lang_repair.c: prog_repair() rewrites ANY struct content, garbage bytes
** included, into a program that passes prog_validate(); the binary
** decoder relies on it to be total, the mutator to keep its edits simple.
**
** Rules:
**  - a value that is already valid is never changed, and every rewrite
**    produces a valid value, so repair is idempotent and keeps valid
**    programs unchanged (line/col are kept as they are);
**  - counts and cfg numbers are clamped (stack is also rounded to a
**    multiple of 8); ops, expression kinds, function kinds and slot types
**    out of range are reduced modulo their range; cfg enums out of range
**    get their default; unknown bug bits and flags are dropped;
**  - an expect id/text is cut at its first bad char (and trimmed); if
**    nothing is left, or the id is not in the invariant catalogue, the
**    expectation becomes EXPECT_NONE;
**  - statements by their op table row, operand by operand: the form (n
**    mod 2), then the target slot (a wrong slot becomes the (slot % n)-th
**    slot of the right type; any slot for LS_ANY: slot % nslots), the
**    callee (index mod nfuncs, then the nearest function of the right
**    kind, lower index on ties), then the arguments (a wrong expression
**    becomes its type's zero, EX_CONST 0 or EX_NIL; a callee's arguments
**    are cut or padded with zeros to its arity);
**  - a slot operand (LA_ISLOT, LA_PSLOT) becomes the (v % n)-th slot of
**    its type; a subtraction's constant 1 becomes 0 (`x = y - 1` is
**    spelled `x = y-1`, an assignment);
**  - a statement that cannot be made valid (no slot or callee of the
**    needed kind) becomes RETURN, except a form whose slot cannot be
**    found falls back to form 0 when form 0 takes no slot (`x = recover()`
**    without an int slot becomes `recover()`);
**  - an op not allowed in the function's kind becomes the row's go_alt /
**    c_alt (in Go: callback->call, seh->return; in C: cgo->call,
**    defer->callback, other Go-only ops->return);
**  - an op that sets its function's result (`return E`) in a function
**    without one, or reads a callee's result (`x = call f()`) where no
**    callee of the right kind has one, becomes the row's `plain` op
**    (return, call f());
**  - invalid or duplicate names get the default names (main/f<i>/c<i>,
**    p<i>/x<j>), with a "_<k>" suffix if a default is already taken.
** Gotcha: funcs[0] must be a parameterless Go function; if it is not,
** its parameters become locals (same slot indexes), so its statements
** keep their meaning as far as possible.
*/
#include "lang_internal.h"

#include <stdio.h>
#include <string.h>

static int nslots(const prog_func *f) { return prog_nslots(f); }

static uint32_t clamp_u32(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void repair_cfg(prog_config *c)
{
	c->has_target = c->has_target != 0;
	c->has_stack = c->has_stack != 0;
	c->has_maxstack = c->has_maxstack != 0;
	c->has_budget = c->has_budget != 0;
	c->has_barriers = c->has_barriers != 0;
	c->has_bugs = c->has_bugs != 0;
	c->has_stress = c->has_stress != 0;
	c->has_debug = c->has_debug != 0;
	c->has_preempt = c->has_preempt != 0;
	c->preempt = clamp_u32(c->preempt, 0, LANG_MAX_PREEMPT);
	if (c->target > TARGET_WINDOWS_386)
		c->target = TARGET_LINUX_AMD64;
	if (c->barriers > BARRIERS_EVERY)
		c->barriers = BARRIERS_SPACED;
	c->stress = c->stress != 0;
	if (c->debug > 4)
		c->debug = 4;
	c->bugs &= LANG_BUG_ALL;
	/* The bounds are multiples of 8, so rounding after clamping stays in
	** range. */
	c->stack = (clamp_u32(c->stack, LANG_MIN_STACK, LANG_MAX_STACK) + 4) & ~7u;
	c->maxstack = clamp_u32(c->maxstack, c->stack, LANG_MAX_MAXSTACK);
	c->budget = clamp_u32(c->budget, 1, LANG_MAX_BUDGET);
}

/* Cuts s at its first invalid char; returns the kept length. */
static size_t cut_string(char *s, size_t cap, int (*ok)(int c))
{
	size_t n = 0;
	while (n < cap - 1 && s[n] != 0 && ok((unsigned char)s[n]))
		n++;
	memset(s + n, 0, cap - n);
	return n;
}

static int text_char(int c) { return c >= 0x20 && c <= 0x7e && c != '#'; }

static void repair_expect(prog_expect *x)
{
	if (x->kind >= LANG_EXPECT__COUNT)
		x->kind = EXPECT_NONE;
	if (x->kind == EXPECT_VIOLATION) {
		if (cut_string(x->id, sizeof x->id, lang_is_alnum) == 0 ||
		    !lang_id_known(x->id))
			x->kind = EXPECT_NONE;
	}
	if (x->kind != EXPECT_VIOLATION)
		memset(x->id, 0, sizeof x->id);
	if (x->kind == EXPECT_PANIC) {
		size_t n = cut_string(x->text, sizeof x->text, text_char);
		size_t lead = 0;
		while (n > 0 && x->text[n - 1] == ' ')
			x->text[--n] = 0;
		while (lead < n && x->text[lead] == ' ')
			lead++;
		memmove(x->text, x->text + lead, n - lead + 1);
		memset(x->text + n - lead, 0, sizeof x->text - (n - lead));
		if (n == lead)
			x->kind = EXPECT_NONE;
	} else {
		memset(x->text, 0, sizeof x->text);
	}
}

/* Gives invalid or duplicate names in names[0..n) their defaults,
** keeping every valid first occurrence. defname(i) is the default for
** entry i; a taken default gets a "_<k>" suffix. */
typedef void (*defname_fn)(const prog_func *f, int i, char *buf, size_t len);

static int name_taken(char (*names)[PROG_MAX_NAME], const int *keep, int n,
		      const char *cand)
{
	for (int j = 0; j < n; j++)
		if (keep[j] && strcmp(names[j], cand) == 0)
			return 1;
	return 0;
}

static void fix_names(char (*names)[PROG_MAX_NAME], int n, const prog_func *f,
		      defname_fn defname)
{
	int keep[PROG_MAX_FUNCS > PROG_MAX_SLOTS ? PROG_MAX_FUNCS
						 : PROG_MAX_SLOTS];
	for (int i = 0; i < n; i++) {
		keep[i] = lang_name_ok(names[i], PROG_MAX_NAME);
		if (keep[i]) {
			/* zero the tail so equal names have equal bytes */
			size_t len = strlen(names[i]);
			memset(names[i] + len, 0, PROG_MAX_NAME - len);
			for (int j = 0; j < i; j++)
				if (keep[j] && strcmp(names[j], names[i]) == 0)
					keep[i] = 0;
		}
	}
	for (int i = 0; i < n; i++) {
		if (keep[i])
			continue;
		/* bases are at most 4 chars and k <= n, so cand stays short */
		char base[8], cand[32];
		defname(f, i, base, sizeof base);
		snprintf(cand, sizeof cand, "%s", base);
		for (int k = 1; name_taken(names, keep, n, cand); k++)
			snprintf(cand, sizeof cand, "%s_%d", base, k);
		memset(names[i], 0, PROG_MAX_NAME);
		memcpy(names[i], cand, strnlen(cand, PROG_MAX_NAME - 1));
		keep[i] = 1;
	}
}

static void def_func_name(const prog_func *f, int i, char *buf, size_t len)
{
	/* f is funcs[] here, so f[i] is function i */
	if (i == 0)
		snprintf(buf, len, "main");
	else
		snprintf(buf, len, "%c%d", f[i].kind == FK_C ? 'c' : 'f', i);
}

static void def_slot_name(const prog_func *f, int i, char *buf, size_t len)
{
	if (i < f->nparams)
		snprintf(buf, len, "p%d", i);
	else if (i == prog_result_slot(f))
		snprintf(buf, len, "r");
	else
		snprintf(buf, len, "x%d", i - prog_nargw(f));
}

static void repair_header(prog_func *f, int fi)
{
	f->kind &= 1;
	f->nparams = (uint8_t)clamp_u32(f->nparams, 0, PROG_MAX_PARAMS);
	f->nlocals = (uint8_t)clamp_u32(f->nlocals, 0, PROG_MAX_LOCALS);
	f->nresults = (uint8_t)clamp_u32(f->nresults, 0, PROG_MAX_RESULTS);
	if (f->nparams + f->nresults > PROG_MAX_PARAMS)
		f->nresults = 0; /* the argument area holds 4 words */
	if (f->kind == FK_C)
		f->nlocals = 0;
	if (fi == 0) {
		/* The entry takes no parameters and has no result: they
		** become locals with the same slot indexes. */
		f->kind = FK_GO;
		f->nlocals = (uint8_t)clamp_u32(f->nparams + f->nresults + f->nlocals,
						0, PROG_MAX_LOCALS);
		f->nparams = 0;
		f->nresults = 0;
		f->flags = 0;
	}
	f->flags &= f->kind == FK_C ? 0 : FF_CGOWRAPPER;
	int n = nslots(f);
	for (int i = 0; i < PROG_MAX_SLOTS; i++) {
		if (i >= n) {
			f->type[i] = 0;
			memset(f->slotname[i], 0, PROG_MAX_NAME);
		} else {
			f->type[i] = f->kind == FK_C || i == prog_result_slot(f)
					     ? TY_INT
					     : f->type[i] & 1;
		}
	}
	fix_names(f->slotname, n, f, def_slot_name);
	f->pad = clamp_u32(f->pad, 0, PROG_MAX_PAD) & ~7u;
	f->nstmts = clamp_u32(f->nstmts, 0, PROG_MAX_STMTS);
	memset(&f->stmts[f->nstmts], 0,
	       (PROG_MAX_STMTS - f->nstmts) * sizeof f->stmts[0]);
}

/* The slot to use for raw index v when a slot of type ty is needed: v
** itself if it fits, else the (v % count)-th slot of that type; -1 if
** there is none. */
static int pick_slot(const prog_func *f, uint32_t v, int ty)
{
	int list[PROG_MAX_SLOTS], cnt = 0;
	if (v < (uint32_t)nslots(f) && f->type[v] == ty)
		return (int)v;
	for (int i = 0; i < nslots(f); i++)
		if (f->type[i] == ty)
			list[cnt++] = i;
	return cnt ? list[v % (uint32_t)cnt] : -1;
}

static prog_expr mk(int kind, int32_t v)
{
	prog_expr e;
	memset(&e, 0, sizeof e);
	e.kind = (uint8_t)kind;
	e.v = v;
	return e;
}

static prog_expr zero_of(int ty) { return ty == TY_PTR ? mk(EX_NIL, 0) : mk(EX_CONST, 0); }

static int32_t clamp_const(int32_t v)
{
	return v < PROG_CONST_MIN ? PROG_CONST_MIN
	       : v > PROG_CONST_MAX ? PROG_CONST_MAX
				    : v;
}

static prog_expr fix_int(const prog_func *f, prog_expr e)
{
	int s;
	switch (e.kind % 5) {
	case EX_CONST:
		return mk(EX_CONST, clamp_const(e.v));
	case EX_SLOT:
	case EX_DEC:
		s = pick_slot(f, (uint32_t)e.v, TY_INT);
		return s < 0 ? zero_of(TY_INT) : mk(e.kind % 5, s);
	default:
		return zero_of(TY_INT);
	}
}

static prog_expr fix_ptr(const prog_func *f, prog_expr e)
{
	int s = -1;
	if (f->kind == FK_C)
		return zero_of(TY_PTR);
	if (e.kind % 5 == EX_ADDR)
		s = pick_slot(f, (uint32_t)e.v, TY_INT);
	else if (e.kind % 5 == EX_SLOT)
		s = pick_slot(f, (uint32_t)e.v, TY_PTR);
	return s < 0 ? zero_of(TY_PTR) : mk(e.kind % 5, s);
}

static prog_expr fix_expr(const prog_func *f, prog_expr e, int ty)
{
	return ty == TY_PTR ? fix_ptr(f, e) : fix_int(f, e);
}

/* A panic value: a constant, nil, or an int slot (n-1 becomes n). */
static prog_expr fix_panic(const prog_func *f, prog_expr e)
{
	int s;
	switch (e.kind % 5) {
	case EX_CONST:
		return mk(EX_CONST, clamp_const(e.v));
	case EX_SLOT:
	case EX_DEC:
		s = pick_slot(f, (uint32_t)e.v, TY_INT);
		return s < 0 ? zero_of(TY_INT) : mk(EX_SLOT, s);
	default:
		return zero_of(TY_PTR);
	}
}

/* Argument e of kind ak (ty: the type LA_LIKE_SLOT needs); *ok = 0 if
** no expression of that kind exists in f (a slot operand without a slot
** of its type). */
static prog_expr fix_arg(const prog_func *f, prog_expr e, int ak, int ty, int *ok)
{
	int s;
	switch (ak) {
	case LA_INT:
		return fix_int(f, e);
	case LA_INT_NOT1: /* x = y - 1 is the assignment of y-1 */
		e = fix_int(f, e);
		return e.kind == EX_CONST && e.v == 1 ? mk(EX_CONST, 0) : e;
	case LA_ISLOT:
	case LA_PSLOT:
		s = pick_slot(f, (uint32_t)e.v, ak == LA_PSLOT ? TY_PTR : TY_INT);
		*ok = s >= 0;
		return mk(EX_SLOT, s < 0 ? 0 : s);
	case LA_CONST:
		return e.kind == EX_CONST ? mk(EX_CONST, clamp_const(e.v))
					  : mk(EX_CONST, 0);
	case LA_PANIC:
		return fix_panic(f, e);
	default: /* LA_LIKE_SLOT, LA_CALLEE: of the type the slot/param has */
		return fix_expr(f, e, ty);
	}
}

static int callee_ok(const prog *p, int fn, int k, int res)
{
	return p->funcs[fn].kind == k && (!res || p->funcs[fn].nresults);
}

/* Nearest function of kind k (with a result if res) to index fn (lower
** index on ties); -1. */
static int nearest_func(const prog *p, int fn, int k, int res)
{
	int n = (int)p->nfuncs;
	for (int d = 0; d < n; d++) {
		if (fn - d >= 0 && callee_ok(p, fn - d, k, res))
			return fn - d;
		if (fn + d < n && callee_ok(p, fn + d, k, res))
			return fn + d;
	}
	return -1;
}

/* The target slot of kind sk for raw index v; -1 if there is none. */
static int fix_slot(const prog_func *f, uint32_t v, int sk)
{
	switch (sk) {
	case LS_NONE:
		return 0;
	case LS_ANY:
		return nslots(f) ? (int)(v % (uint32_t)nslots(f)) : -1;
	default:
		return pick_slot(f, v, sk == LS_PTR ? TY_PTR : TY_INT);
	}
}

static int32_t fix_n(int32_t n, int nk)
{
	switch (nk) {
	case LN_FORM:
		return (int32_t)((uint32_t)n % 2);
	case LN_GROW:
		return (int32_t)(clamp_u32((uint32_t)n, 8, PROG_MAX_GROW) & ~7u);
	case LN_GC:
		return (int32_t)((uint32_t)n % GC__COUNT);
	default:
		return 0;
	}
}

/* Builds the repaired statement from scratch so unused fields are zero;
** returns -1 if it cannot be made valid. */
static int build_stmt(const prog *p, const prog_func *f, const prog_stmt *s,
		      prog_stmt *t)
{
	const lang_opinfo *o = &lang_ops[t->op];
	t->n = fix_n(s->n, o->n);
	int slot = fix_slot(f, s->slot, lang_stmt_slotkind(t));
	if (slot < 0 && o->n == LN_FORM && t->n == 1 && o->form[0].slot == LS_NONE) {
		t->n = 0; /* the form without a target slot */
		slot = 0;
	}
	if (slot < 0)
		return -1;
	t->slot = (uint8_t)slot;
	int nargs = lang_op_nargs(t->op);
	const prog_func *g = NULL;
	if (o->callee != LC_NONE) {
		int fn = nearest_func(p, (int)(s->fn % p->nfuncs),
				      lang_callee_kind(f->kind, t->op),
				      (o->flags & LO_RESULT) != 0);
		if (fn < 0)
			return -1;
		t->fn = (uint8_t)fn;
		g = &p->funcs[fn];
	}
	if (nargs < 0) { /* the callee's parameters */
		int have = s->nargs < PROG_MAX_PARAMS ? s->nargs : PROG_MAX_PARAMS;
		t->nargs = g->nparams;
		for (int i = 0; i < t->nargs; i++)
			t->a[i] = i < have ? fix_expr(f, s->a[i], g->type[i])
					  : zero_of(g->type[i]);
		if (o->flags & LO_NOPTRARG) /* `go`: no pointer into this stack */
			for (int i = 0; i < t->nargs; i++)
				if (g->type[i] == TY_PTR)
					t->a[i] = mk(EX_NIL, 0);
		return 0;
	}
	t->nargs = (uint8_t)nargs;
	int ok = 1;
	for (int i = 0; i < nargs; i++) {
		int ak = o->arg[i];
		int ty = ak == LA_LIKE_SLOT ? f->type[t->slot] : TY_INT;
		t->a[i] = fix_arg(f, s->a[i], ak, ty, &ok);
	}
	return ok ? 0 : -1;
}

static void repair_stmt(const prog *p, const prog_func *f, prog_stmt *s)
{
	prog_stmt t;
	memset(&t, 0, sizeof t);
	t.line = s->line;
	t.col = s->col;
	t.op = (uint8_t)lang_op_alt(f->kind, s->op % ST__COUNT);
	const lang_opinfo *o = &lang_ops[t.op];
	/* no result to set, or no callee with one: the op without it */
	if ((o->flags & LO_NEEDRES) && !f->nresults)
		t.op = o->plain;
	if ((o->flags & LO_RESULT) &&
	    nearest_func(p, 0, lang_callee_kind(f->kind, t.op), 1) < 0)
		t.op = o->plain;
	if (build_stmt(p, f, s, &t) < 0) {
		memset(&t, 0, sizeof t);
		t.op = ST_RETURN;
		t.line = s->line;
		t.col = s->col;
	}
	*s = t;
}

void prog_repair(prog *p)
{
	char names[PROG_MAX_FUNCS][PROG_MAX_NAME];
	if (p == NULL)
		return;
	repair_cfg(&p->cfg);
	repair_expect(&p->expect);
	p->nfuncs = clamp_u32(p->nfuncs, 1, PROG_MAX_FUNCS);
	memset(&p->funcs[p->nfuncs], 0,
	       (PROG_MAX_FUNCS - p->nfuncs) * sizeof p->funcs[0]);
	for (int i = 0; i < (int)p->nfuncs; i++)
		repair_header(&p->funcs[i], i);
	/* names live inside the funcs; gather them to fix uniqueness */
	for (int i = 0; i < (int)p->nfuncs; i++)
		memcpy(names[i], p->funcs[i].name, PROG_MAX_NAME);
	fix_names(names, (int)p->nfuncs, p->funcs, def_func_name);
	for (int i = 0; i < (int)p->nfuncs; i++)
		memcpy(p->funcs[i].name, names[i], PROG_MAX_NAME);
	for (int i = 0; i < (int)p->nfuncs; i++) {
		prog_func *f = &p->funcs[i];
		for (uint32_t j = 0; j < f->nstmts; j++)
			repair_stmt(p, f, &f->stmts[j]);
	}
}
