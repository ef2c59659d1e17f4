/*
** lang_check.c: the typing rules of programs, stated once.
**
** prog_validate() checks every rule of prog.h: counts, names, the config
** and expect fields against the ranges repair enforces (stack 512..1 MiB
** in 8s, maxstack stack..64 MiB, budget 1..1e8, ...), and each statement
** against its op table row: legal in its function's kind, its form's
** target slot type, its n field's range, its callee's kind and arity (and
** result, for `x = call f()`), each argument's kind and type, a result to
** set for `return E`; and that every field the row does not use is zero,
** so that equal programs have equal encodings. Functions: parameters and
** result fit the 4-word argument area, the result is an int, the entry
** has neither.
**
** This is the only place statements are type-checked: the parser reads
** syntax and names and then calls prog_validate, which says which
** operand is wrong (prog_error.where) so the parser can point at its
** column; the messages are written for people reading text.
*/
#include "lang_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int nslots(const prog_func *f) { return prog_nslots(f); }

static int slot_is(const prog_func *f, int32_t v, int ty)
{
	return v >= 0 && v < nslots(f) && f->type[v] == ty;
}

static int const_ok(int32_t v)
{
	return v >= PROG_CONST_MIN && v <= PROG_CONST_MAX;
}

static int int_expr_ok(const prog_func *f, const prog_expr *e)
{
	switch (e->kind) {
	case EX_CONST:
		return const_ok(e->v);
	case EX_SLOT:
	case EX_DEC:
		return slot_is(f, e->v, TY_INT);
	default:
		return 0;
	}
}

/* In a C function the only pointer expression is nil. */
static int ptr_expr_ok(const prog_func *f, const prog_expr *e)
{
	if (e->kind == EX_NIL)
		return e->v == 0;
	if (f->kind == FK_C)
		return 0;
	if (e->kind == EX_ADDR)
		return slot_is(f, e->v, TY_INT);
	if (e->kind == EX_SLOT)
		return slot_is(f, e->v, TY_PTR);
	return 0;
}

static int expr_ok(const prog_func *f, const prog_expr *e, int ty)
{
	return ty == TY_PTR ? ptr_expr_ok(f, e) : int_expr_ok(f, e);
}

static int expr_zero(const prog_expr *e) { return e->kind == 0 && e->v == 0; }

static int id_ok(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	if (n == 0 || n >= cap)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!lang_is_alnum((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Panic text: printable ASCII, no '#' (it would start a comment in the
** text form), no leading/trailing blanks. */
static int text_ok(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	if (n == 0 || n >= cap || s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '#')
			return 0;
	return 1;
}

/* ---- validation ---- */

static int fail(prog_error *err, int f, int s, int where, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int fail(prog_error *err, int f, int s, int where, const char *fmt, ...)
{
	if (err != NULL) {
		va_list ap;
		err->func = f;
		err->stmt = s;
		err->where = where;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int validate_cfg(const prog *p, prog_error *err)
{
	const prog_config *c = &p->cfg;
	if (c->has_target > 1 || c->has_stack > 1 || c->has_maxstack > 1 ||
	    c->has_budget > 1 || c->has_barriers > 1 || c->has_bugs > 1 ||
	    c->has_stress > 1 || c->has_debug > 1 || c->has_preempt > 1)
		return fail(err, -1, -1, 0, "config has_* flags must be 0 or 1");
	if (c->target > TARGET_WINDOWS_386)
		return fail(err, -1, -1, 0, "bad target %u", c->target);
	if (c->barriers > BARRIERS_EVERY)
		return fail(err, -1, -1, 0, "bad barriers %u", c->barriers);
	if (c->stress > 1)
		return fail(err, -1, -1, 0, "stress must be 0 or 1");
	if (c->debug > 4)
		return fail(err, -1, -1, 0, "debug must be in 0..4");
	if (c->preempt > LANG_MAX_PREEMPT)
		return fail(err, -1, -1, 0, "preempt must be in 0..%d", LANG_MAX_PREEMPT);
	if (c->bugs & ~(uint32_t)LANG_BUG_ALL)
		return fail(err, -1, -1, 0, "unknown bug bits 0x%x", c->bugs);
	if (c->stack < LANG_MIN_STACK || c->stack > LANG_MAX_STACK || c->stack % 8)
		return fail(err, -1, -1, 0, "stack must be a multiple of 8 in %d..%d",
			    LANG_MIN_STACK, LANG_MAX_STACK);
	if (c->maxstack < c->stack || c->maxstack > LANG_MAX_MAXSTACK)
		return fail(err, -1, -1, 0, "maxstack must be in stack..%d",
			    LANG_MAX_MAXSTACK);
	if (c->budget < 1 || c->budget > LANG_MAX_BUDGET)
		return fail(err, -1, -1, 0, "budget must be in 1..%d", LANG_MAX_BUDGET);
	return 0;
}

static int validate_expect(const prog *p, prog_error *err)
{
	const prog_expect *x = &p->expect;
	if (x->kind >= LANG_EXPECT__COUNT)
		return fail(err, -1, -1, 0, "bad expect kind %u", x->kind);
	if (x->kind == EXPECT_VIOLATION ? !id_ok(x->id, sizeof x->id) ||
						  !lang_id_known(x->id)
					: x->id[0] != 0)
		return fail(err, -1, -1, 0, "bad expect violation id");
	if (x->kind == EXPECT_PANIC ? !text_ok(x->text, sizeof x->text)
				    : x->text[0] != 0)
		return fail(err, -1, -1, 0, "bad expect panic text");
	return 0;
}

static int validate_header(const prog *p, int fi, prog_error *err)
{
	const prog_func *f = &p->funcs[fi];
	if (f->kind > FK_C)
		return fail(err, fi, -1, 0, "bad function kind %u", f->kind);
	if (!lang_name_ok(f->name, sizeof f->name))
		return fail(err, fi, -1, 0, "bad function name");
	for (int j = 0; j < fi; j++)
		if (strcmp(p->funcs[j].name, f->name) == 0)
			return fail(err, fi, -1, 0, "duplicate function '%s'", f->name);
	if (f->kind == FK_C ? f->flags != 0
			    : (f->flags & ~(unsigned)FF_CGOWRAPPER) != 0)
		return fail(err, fi, -1, 0, "bad flags 0x%x for '%s'", f->flags,
			    f->name);
	if (f->nparams > PROG_MAX_PARAMS)
		return fail(err, fi, -1, 0, "too many parameters");
	if (f->nlocals > PROG_MAX_LOCALS)
		return fail(err, fi, -1, 0, "too many locals");
	if (f->nresults > PROG_MAX_RESULTS)
		return fail(err, fi, -1, 0, "too many results");
	if (f->nparams + f->nresults > PROG_MAX_PARAMS)
		return fail(err, fi, -1, 0,
			    "a function with a result takes at most %d parameters",
			    PROG_MAX_PARAMS - 1);
	if (f->nresults && f->type[prog_result_slot(f)] != TY_INT)
		return fail(err, fi, -1, 0, "the result of '%s' is not an int", f->name);
	if (f->kind == FK_C && f->nlocals != 0)
		return fail(err, fi, -1, 0, "C function '%s' has locals", f->name);
	for (int i = 0; i < nslots(f); i++) {
		if (f->type[i] > TY_PTR || (f->kind == FK_C && f->type[i] != TY_INT))
			return fail(err, fi, -1, 0, "bad type for slot %d", i);
		if (!lang_name_ok(f->slotname[i], PROG_MAX_NAME))
			return fail(err, fi, -1, 0, "bad name for slot %d", i);
		for (int j = 0; j < i; j++)
			if (strcmp(f->slotname[j], f->slotname[i]) == 0)
				return fail(err, fi, -1, 0, "duplicate name '%s'",
					    f->slotname[i]);
	}
	if (f->pad % 8 || f->pad > PROG_MAX_PAD)
		return fail(err, fi, -1, 0, "pad must be a multiple of 8 in 0..%d",
			    PROG_MAX_PAD);
	if (f->nstmts > PROG_MAX_STMTS)
		return fail(err, fi, -1, 0, "too many statements");
	return 0;
}

/* A statement's problem: where (PE_*) and why; why[0] == 0 if none. */
typedef struct {
	int where;
	char why[128];
} problem;

static int bad(problem *pr, int where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(problem *pr, int where, const char *fmt, ...)
{
	va_list ap;
	pr->where = where;
	va_start(ap, fmt);
	vsnprintf(pr->why, sizeof pr->why, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *slot_name(const prog_func *f, int slot)
{
	return slot < nslots(f) ? f->slotname[slot] : "?";
}

static int check_slot(const prog_func *f, const prog_stmt *s, int kind,
		      problem *pr)
{
	switch (kind) {
	case LS_NONE:
		return s->slot ? bad(pr, PE_SLOT, "unused operand is not zero") : 0;
	case LS_ANY:
		return s->slot >= nslots(f) ? bad(pr, PE_SLOT, "bad slot") : 0;
	default: {
		int ty = kind == LS_PTR ? TY_PTR : TY_INT;
		if (s->slot >= nslots(f))
			return bad(pr, PE_SLOT, "bad slot");
		if (f->type[s->slot] != ty)
			return bad(pr, PE_SLOT, "'%s' is not %s slot",
				   slot_name(f, s->slot),
				   ty == TY_PTR ? "a *int" : "an int");
		return 0;
	}
	}
}

static int check_n(const prog_stmt *s, int kind, problem *pr)
{
	switch (kind) {
	case LN_FORM:
		return s->n != 0 && s->n != 1 ? bad(pr, PE_N, "bad form %d", (int)s->n)
					      : 0;
	case LN_GROW:
		if (s->n < 8 || s->n > PROG_MAX_GROW || s->n % 8)
			return bad(pr, PE_N, "grow size must be a multiple of 8 in 8..%d",
				   PROG_MAX_GROW);
		return 0;
	case LN_GC:
		return s->n < 0 || s->n >= GC__COUNT ? bad(pr, PE_N, "bad gc kind") : 0;
	default:
		return s->n ? bad(pr, PE_N, "unused operand is not zero") : 0;
	}
}

/* The keyword that names a call-like statement in its text form (`cgo`
** in `%s = cgo %f(%A)`), into buf. */
static const char *op_word(int op, char *buf, size_t len)
{
	const char *t = lang_ops[op].form[0].text;
	for (size_t i = 0; t[i]; i++) {
		if (!lang_is_alpha((unsigned char)t[i]) || (i > 0 && t[i - 1] == '%'))
			continue;
		size_t j = i;
		while (lang_is_alnum((unsigned char)t[j]))
			j++;
		snprintf(buf, len, "%.*s", (int)(j - i), t + i);
		return buf;
	}
	return prog_op_name(op);
}

/* The callee's kind; on a mismatch, what to say. */
static int check_callee(const prog *p, const prog_func *f, const prog_stmt *s,
			problem *pr)
{
	char wb[16];
	const char *on = op_word(s->op, wb, sizeof wb);
	int need = lang_callee_kind(f->kind, s->op);
	if (need < 0)
		return s->fn ? bad(pr, PE_FN, "unused operand is not zero") : 0;
	if (s->fn >= p->nfuncs)
		return bad(pr, PE_FN, "bad callee");
	const prog_func *g = &p->funcs[s->fn];
	if (g->kind == need)
		return 0;
	if (lang_ops[s->op].callee == LC_SAME)
		return bad(pr, PE_FN, "%s: '%s' %s", on, g->name,
			   need == FK_GO ? "is a C function (use cgo)"
					 : "is a Go function (use callback)");
	return bad(pr, PE_FN, "%s: '%s' %s", on, g->name,
		   need == FK_C ? "is not a C function" : "is not a Go function");
}

/* Argument k of kind ak; ty is the type LA_LIKE_SLOT/LA_CALLEE need. */
static int check_arg(const prog *p, const prog_func *f, const prog_stmt *s,
		     int k, int ak, problem *pr)
{
	const prog_expr *e = &s->a[k];
	char buf[32];
	int where = PE_ARG0 + k;
	if (ak == LA_NONE)
		return expr_zero(e) ? 0 : bad(pr, where, "unused argument is not zero");
	if (e->kind == EX_CONST && !const_ok(e->v))
		return bad(pr, where, "constant %d out of range (%d..%d)", (int)e->v,
			   PROG_CONST_MIN, PROG_CONST_MAX);
	prog_expr_str(f, e, buf, sizeof buf);
	switch (ak) {
	case LA_LIKE_SLOT: {
		int ty = f->type[s->slot];
		if (!expr_ok(f, e, ty))
			return bad(pr, where, "cannot assign %s to %s slot '%s'", buf,
				   prog_type_name(ty), slot_name(f, s->slot));
		return 0;
	}
	case LA_INT:
		if (!int_expr_ok(f, e))
			return bad(pr, where, "cannot use %s as int", buf);
		return 0;
	case LA_CONST:
		if (e->kind != EX_CONST)
			return bad(pr, where, "%s is not a constant", buf);
		return 0;
	case LA_ISLOT:
	case LA_PSLOT: {
		int ty = ak == LA_PSLOT ? TY_PTR : TY_INT;
		if (e->kind != EX_SLOT || !slot_is(f, e->v, ty))
			return bad(pr, where, "%s is not %s slot", buf,
				   ty == TY_PTR ? "a *int" : "an int");
		return 0;
	}
	case LA_INT_NOT1:
		if (!int_expr_ok(f, e))
			return bad(pr, where, "cannot use %s as int", buf);
		if (e->kind == EX_CONST && e->v == 1)
			return bad(pr, where, "subtracting 1 is written %s-1",
				   slot_name(f, s->a[0].kind == EX_SLOT ? s->a[0].v : 0));
		return 0;
	case LA_PANIC:
		if (!(e->kind == EX_CONST) && !(e->kind == EX_NIL && e->v == 0) &&
		    !(e->kind == EX_SLOT && slot_is(f, e->v, TY_INT)))
			return bad(pr, where,
				   "cannot panic with %s (need a constant, nil or an int slot)",
				   buf);
		return 0;
	default: { /* LA_CALLEE */
		const prog_func *g = &p->funcs[s->fn];
		if (!expr_ok(f, e, g->type[k]))
			return bad(pr, where, "cannot use %s as %s in argument %d of '%s'",
				   buf, prog_type_name(g->type[k]), k + 1, g->name);
		if ((lang_ops[s->op].flags & LO_NOPTRARG) && g->type[k] == TY_PTR &&
		    e->kind != EX_NIL)
			return bad(pr, where, "%s: argument %d of '%s' must be nil (Go "
				   "would move a pointed-to local to the heap)",
				   lang_ops[s->op].name, k + 1, g->name);
		return 0;
	}
	}
}

static int stmt_problem(const prog *p, const prog_func *f, const prog_stmt *s,
			problem *pr)
{
	const lang_opinfo *o = lang_op(s->op);
	if (o == NULL)
		return bad(pr, PE_STMT, "bad op");
	if (!lang_op_legal(f->kind, s->op))
		return bad(pr, PE_STMT, "'%s' is not allowed in a %s function", o->name,
			   f->kind == FK_C ? "C" : "Go");
	if (check_n(s, o->n, pr))
		return -1;
	if ((o->flags & LO_NEEDRES) && !f->nresults)
		return bad(pr, PE_STMT, "'%s' has no result to return", f->name);
	if ((o->flags & LO_RESULT) && s->fn < p->nfuncs && !p->funcs[s->fn].nresults)
		return bad(pr, PE_FN, "'%s' has no result", p->funcs[s->fn].name);
	if (check_slot(f, s, lang_stmt_slotkind(s), pr) || check_callee(p, f, s, pr))
		return -1;
	int nargs = lang_op_nargs(s->op);
	if (nargs < 0) {
		nargs = p->funcs[s->fn].nparams;
		if (s->nargs != nargs)
			return bad(pr, PE_FN, "'%s' takes %d argument%s, got %d",
				   p->funcs[s->fn].name, nargs, nargs == 1 ? "" : "s",
				   s->nargs);
	} else if (s->nargs != nargs) {
		return bad(pr, PE_STMT, "wrong number of arguments");
	}
	for (int k = 0; k < PROG_MAX_PARAMS; k++)
		if (check_arg(p, f, s, k, k < nargs ? lang_arg_kind(s->op, k) : LA_NONE,
			      pr))
			return -1;
	return 0;
}

int prog_validate(const prog *p, prog_error *err)
{
	if (p == NULL)
		return fail(err, -1, -1, 0, "no program");
	if (validate_cfg(p, err) || validate_expect(p, err))
		return -1;
	if (p->nfuncs < 1 || p->nfuncs > PROG_MAX_FUNCS)
		return fail(err, -1, -1, 0, "need 1..%d functions", PROG_MAX_FUNCS);
	for (int fi = 0; fi < (int)p->nfuncs; fi++)
		if (validate_header(p, fi, err))
			return -1;
	const prog_func *f0 = &p->funcs[0];
	if (f0->kind != FK_GO || f0->nparams != 0 || f0->nresults != 0 ||
	    f0->flags != 0)
		return fail(err, 0, -1, 0,
			    "the entry must be a plain Go function without "
			    "parameters or result");
	for (int fi = 0; fi < (int)p->nfuncs; fi++) {
		const prog_func *f = &p->funcs[fi];
		for (int si = 0; si < (int)f->nstmts; si++) {
			problem pr;
			if (stmt_problem(p, f, &f->stmts[si], &pr))
				return fail(err, fi, si, pr.where, "%s", pr.why);
		}
	}
	return 0;
}
