/*
** prog_valid.c: the typing rules of programs, stated once.
**
** prog_validate() checks every rule of prog.h (counts, names, slot types,
** callee kinds, per-statement operands) and also that every field a
** statement does not use is zero, so that equal programs have equal
** encodings. It also checks the cfg and expect fields against the same
** ranges repair enforces (stack 512..1 MiB in 8s, maxstack stack..64 MiB,
** budget 1..1e8, ...). prog_repair() rewrites ANY struct content, garbage bytes
** included, into a program that passes prog_validate(); the binary
** decoder relies on it to be total.
**
** Repair rules:
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
**  - a wrong slot becomes the (slot % n)-th slot of the right type; a
**    wrong expression becomes its type's zero (EX_CONST 0 or EX_NIL);
**  - a callee index is taken modulo nfuncs, then a wrong callee kind
**    becomes the nearest function of the right kind (lower index on
**    ties); arguments are cut or padded (with zeros) to its arity;
**  - a statement that cannot be made valid (no slot or callee of the
**    needed kind) becomes RETURN, except `x = recover()` without an int
**    slot, which becomes `recover()`;
**  - an op not allowed in the function's kind is reinterpreted: in Go,
**    CALLBACK->CALL, SEHPUSH/SEHPOP->RETURN; in C, CGO->CALL,
**    DEFER->CALLBACK, any other Go-only op->RETURN;
**  - invalid or duplicate names get the default names (main/f<i>/c<i>,
**    p<i>/x<j>), with a "_<k>" suffix if a default is already taken.
** Gotcha: funcs[0] must be a parameterless Go function; if it is not,
** its parameters become locals (same slot indexes), so its statements
** keep their meaning as far as possible.
*/
#include "prog.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const keywords[] = {
	"func",	  "cfunc",  "end",    "var",	  "int",	"nil",
	"call",	  "defer",  "cgo",    "callback", "panic",	"recover",
	"goexit", "grow",   "gc",     "check",	  "if",		"return",
	"seh",	  "lock",   "unlock", "fault",	  "pad",	"cgowrapper",
	"shrink", "scan",   "markterm", "push",	  "pop",
};

static const char *const op_names[ST__COUNT] = {
	"assign", "store",  "check",	"call",	    "defer",  "panic", "recover",
	"goexit", "grow",   "gc",	"retz",	    "return", "cgo",   "callback",
	"sehpush", "sehpop", "lock",	"unlock",   "fault",
};

static const char *const gc_names[GC__COUNT] = {"shrink", "scan", "markterm"};

enum {
	MAX_STACK = 1048576,
	MIN_STACK = 512,
	MAX_MAXSTACK = 64 << 20,
	MAX_BUDGET = 100000000,
	EXPECT__COUNT = EXPECT_LIMIT + 1,
	BUG_ALL = BUG_7695 | BUG_7470 | BUG_12238,
};

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_alnum(int c) { return is_alpha(c) || (c >= '0' && c <= '9'); }

/* Checks a name stored in a char[cap] that may lack its NUL. */
static int name_ok(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	if (n == 0 || n >= cap || !is_alpha((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!is_alnum((unsigned char)s[i]))
			return 0;
	for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
		if (strcmp(s, keywords[i]) == 0)
			return 0;
	return 1;
}

int prog_name_ok(const char *name)
{
	return name != NULL && name_ok(name, PROG_MAX_NAME);
}

int prog_find_func(const prog *p, const char *name)
{
	if (p == NULL || name == NULL)
		return -1;
	uint32_t n = p->nfuncs > PROG_MAX_FUNCS ? PROG_MAX_FUNCS : p->nfuncs;
	for (uint32_t i = 0; i < n; i++)
		if (strncmp(p->funcs[i].name, name, PROG_MAX_NAME) == 0 &&
		    strnlen(name, PROG_MAX_NAME) < PROG_MAX_NAME)
			return (int)i;
	return -1;
}

const char *prog_op_name(int op)
{
	return op >= 0 && op < ST__COUNT ? op_names[op] : "?";
}

const char *prog_gc_name(int kind)
{
	return kind >= 0 && kind < GC__COUNT ? gc_names[kind] : "?";
}

void prog_init(prog *p)
{
	memset(p, 0, sizeof *p);
	p->cfg.stack = 2048;
	p->cfg.maxstack = 1048576;
	p->cfg.budget = 200000;
	p->cfg.barriers = BARRIERS_SPACED;
	p->cfg.target = TARGET_LINUX_AMD64;
	p->expect.kind = EXPECT_NONE;
}

/* ---- shared predicates ---- */

static int nslots(const prog_func *f) { return f->nparams + f->nlocals; }

/* Which ops a function of each kind may contain. */
static int op_allowed(int kind, int op)
{
	if (kind == FK_C)
		return op == ST_CALL || op == ST_CALLBACK || op == ST_SEHPUSH ||
		       op == ST_SEHPOP || op == ST_GC || op == ST_RETZ ||
		       op == ST_RETURN;
	return op != ST_CALLBACK && op != ST_SEHPUSH && op != ST_SEHPOP;
}

/* The callee kind a call-like op needs (in a caller of kind `kind`), or
** -1 if op takes no callee. */
static int callee_kind(int kind, int op)
{
	switch (op) {
	case ST_CALL:
		return kind;
	case ST_DEFER:
	case ST_CALLBACK:
		return FK_GO;
	case ST_CGO:
		return FK_C;
	default:
		return -1;
	}
}

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
		if (!is_alnum((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Panic text: printable ASCII, no '#' (it would start a comment in the
** text form), no leading/trailing blanks, 1..63 chars. */
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

static int fail(prog_error *err, int f, int s, const char *fmt, ...)
{
	if (err != NULL) {
		va_list ap;
		err->func = f;
		err->stmt = s;
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
	    c->has_stress > 1 || c->has_debug > 1)
		return fail(err, -1, -1, "config has_* flags must be 0 or 1");
	if (c->target > TARGET_WINDOWS_386)
		return fail(err, -1, -1, "bad target %u", c->target);
	if (c->barriers > BARRIERS_EVERY)
		return fail(err, -1, -1, "bad barriers %u", c->barriers);
	if (c->stress > 1)
		return fail(err, -1, -1, "stress must be 0 or 1");
	if (c->debug > 4)
		return fail(err, -1, -1, "debug must be in 0..4");
	if (c->bugs & ~(uint32_t)BUG_ALL)
		return fail(err, -1, -1, "unknown bug bits 0x%x", c->bugs);
	if (c->stack < MIN_STACK || c->stack > MAX_STACK || c->stack % 8)
		return fail(err, -1, -1,
			    "stack must be a multiple of 8 in %d..%d", MIN_STACK,
			    MAX_STACK);
	if (c->maxstack < c->stack || c->maxstack > MAX_MAXSTACK)
		return fail(err, -1, -1, "maxstack must be in stack..%d",
			    MAX_MAXSTACK);
	if (c->budget < 1 || c->budget > MAX_BUDGET)
		return fail(err, -1, -1, "budget must be in 1..%d", MAX_BUDGET);
	return 0;
}

/* An expected violation must name an invariant of the catalogue
** (invariants/inv.c), as the parser requires. The AFL++ mutator library
** is built from this file without the checkers (its programs come from
** binary inputs, which carry no expectation): there the reference is weak
** and null, and any well-formed ID passes. */
extern int inv_lookup(const char *id) __attribute__((weak));
static int id_known(const char *id)
{
	return !inv_lookup || inv_lookup(id) >= 0;
}

static int validate_expect(const prog *p, prog_error *err)
{
	const prog_expect *x = &p->expect;
	if (x->kind >= EXPECT__COUNT)
		return fail(err, -1, -1, "bad expect kind %u", x->kind);
	if (x->kind == EXPECT_VIOLATION ? !id_ok(x->id, sizeof x->id) ||
						  !id_known(x->id)
					: x->id[0] != 0)
		return fail(err, -1, -1, "bad expect violation id");
	if (x->kind == EXPECT_PANIC ? !text_ok(x->text, sizeof x->text)
				    : x->text[0] != 0)
		return fail(err, -1, -1, "bad expect panic text");
	return 0;
}

static int validate_header(const prog *p, int fi, prog_error *err)
{
	const prog_func *f = &p->funcs[fi];
	if (f->kind > FK_C)
		return fail(err, fi, -1, "bad function kind %u", f->kind);
	if (!name_ok(f->name, sizeof f->name))
		return fail(err, fi, -1, "bad function name");
	for (int j = 0; j < fi; j++)
		if (strcmp(p->funcs[j].name, f->name) == 0)
			return fail(err, fi, -1, "duplicate function '%s'",
				    f->name);
	if (f->kind == FK_C ? f->flags != 0
			    : (f->flags & ~(unsigned)FF_CGOWRAPPER) != 0)
		return fail(err, fi, -1, "bad flags 0x%x for '%s'", f->flags,
			    f->name);
	if (f->nparams > PROG_MAX_PARAMS)
		return fail(err, fi, -1, "too many parameters");
	if (f->nlocals > PROG_MAX_LOCALS)
		return fail(err, fi, -1, "too many locals");
	if (f->kind == FK_C && f->nlocals != 0)
		return fail(err, fi, -1, "C function '%s' has locals", f->name);
	for (int i = 0; i < nslots(f); i++) {
		if (f->type[i] > TY_PTR || (f->kind == FK_C && f->type[i] != TY_INT))
			return fail(err, fi, -1, "bad type for slot %d", i);
		if (!name_ok(f->slotname[i], PROG_MAX_NAME))
			return fail(err, fi, -1, "bad name for slot %d", i);
		for (int j = 0; j < i; j++)
			if (strcmp(f->slotname[j], f->slotname[i]) == 0)
				return fail(err, fi, -1, "duplicate name '%s'",
					    f->slotname[i]);
	}
	if (f->pad % 8 || f->pad > PROG_MAX_PAD)
		return fail(err, fi, -1, "pad must be a multiple of 8 in 0..%d",
			    PROG_MAX_PAD);
	if (f->nstmts > PROG_MAX_STMTS)
		return fail(err, fi, -1, "too many statements");
	return 0;
}

/* Returns NULL if statement s of function f (in p) is valid, else why. */
static const char *stmt_problem(const prog *p, const prog_func *f,
				const prog_stmt *s)
{
	/* Which operand fields the op uses; the rest must be zero. */
	int use_slot = 0, use_fn = 0, use_n = 0, nargs = 0;
	if (s->op >= ST__COUNT)
		return "bad op";
	if (!op_allowed(f->kind, s->op))
		return f->kind == FK_C ? "statement not allowed in a C function"
				       : "statement not allowed in a Go function";
	switch (s->op) {
	case ST_ASSIGN:
		use_slot = 1, nargs = 1;
		if (s->slot >= nslots(f))
			return "bad slot";
		if (!expr_ok(f, &s->a[0], f->type[s->slot]))
			return "assigned value has the wrong type";
		break;
	case ST_STORE:
		use_slot = 1, nargs = 1;
		if (!slot_is(f, s->slot, TY_PTR))
			return "store through a non-pointer slot";
		if (!int_expr_ok(f, &s->a[0]))
			return "stored value must be an int";
		break;
	case ST_CHECK:
		use_slot = 1, use_n = 1, nargs = 1;
		if (s->n != 0 && s->n != 1)
			return "bad check mode";
		if (!slot_is(f, s->slot, s->n ? TY_PTR : TY_INT))
			return "checked slot has the wrong type";
		if (s->a[0].kind != EX_CONST || !const_ok(s->a[0].v))
			return "check needs a constant";
		break;
	case ST_CALL:
	case ST_DEFER:
	case ST_CGO:
	case ST_CALLBACK: {
		use_fn = 1;
		if (s->fn >= p->nfuncs)
			return "bad callee";
		const prog_func *g = &p->funcs[s->fn];
		if (g->kind != callee_kind(f->kind, s->op))
			return "callee has the wrong kind";
		nargs = g->nparams;
		for (int i = 0; i < nargs; i++)
			if (!expr_ok(f, &s->a[i], g->type[i]))
				return "argument has the wrong type";
		break;
	}
	case ST_PANIC:
		nargs = 1;
		if (!(s->a[0].kind == EX_CONST && const_ok(s->a[0].v)) &&
		    !(s->a[0].kind == EX_NIL && s->a[0].v == 0) &&
		    !(s->a[0].kind == EX_SLOT && slot_is(f, s->a[0].v, TY_INT)))
			return "panic value must be a constant, nil or an int slot";
		break;
	case ST_RECOVER:
		use_n = 1, use_slot = s->n == 1;
		if (s->n != 0 && s->n != 1)
			return "bad recover mode";
		if (s->n == 1 && !slot_is(f, s->slot, TY_INT))
			return "recover result needs an int slot";
		break;
	case ST_GROW:
		use_n = 1;
		if (s->n < 8 || s->n > PROG_MAX_GROW || s->n % 8)
			return "grow size must be a multiple of 8 in 8..65528";
		break;
	case ST_GC:
		use_n = 1;
		if (s->n < 0 || s->n >= GC__COUNT)
			return "bad gc kind";
		break;
	case ST_RETZ:
		use_slot = 1;
		if (!slot_is(f, s->slot, TY_INT))
			return "'if' needs an int slot";
		break;
	default:
		break;
	}
	if ((!use_slot && s->slot) || (!use_fn && s->fn) || (!use_n && s->n))
		return "unused operand is not zero";
	if (s->nargs != nargs)
		return "wrong number of arguments";
	for (int i = nargs; i < PROG_MAX_PARAMS; i++)
		if (!expr_zero(&s->a[i]))
			return "unused argument is not zero";
	return NULL;
}

int prog_validate(const prog *p, prog_error *err)
{
	if (p == NULL)
		return fail(err, -1, -1, "no program");
	if (validate_cfg(p, err) || validate_expect(p, err))
		return -1;
	if (p->nfuncs < 1 || p->nfuncs > PROG_MAX_FUNCS)
		return fail(err, -1, -1, "need 1..%d functions", PROG_MAX_FUNCS);
	for (int fi = 0; fi < (int)p->nfuncs; fi++)
		if (validate_header(p, fi, err))
			return -1;
	const prog_func *f0 = &p->funcs[0];
	if (f0->kind != FK_GO || f0->nparams != 0 || f0->flags != 0)
		return fail(err, 0, -1,
			    "the entry must be a plain Go function without "
			    "parameters");
	for (int fi = 0; fi < (int)p->nfuncs; fi++) {
		const prog_func *f = &p->funcs[fi];
		for (int si = 0; si < (int)f->nstmts; si++) {
			const char *why = stmt_problem(p, f, &f->stmts[si]);
			if (why != NULL)
				return fail(err, fi, si, "%s", why);
		}
	}
	return 0;
}

/* ---- repair ---- */

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
	if (c->target > TARGET_WINDOWS_386)
		c->target = TARGET_LINUX_AMD64;
	if (c->barriers > BARRIERS_EVERY)
		c->barriers = BARRIERS_SPACED;
	c->stress = c->stress != 0;
	if (c->debug > 4)
		c->debug = 4;
	c->bugs &= BUG_ALL;
	/* The bounds are multiples of 8, so rounding after clamping stays in
	** range. */
	c->stack = (clamp_u32(c->stack, MIN_STACK, MAX_STACK) + 4) & ~7u;
	c->maxstack = clamp_u32(c->maxstack, c->stack, MAX_MAXSTACK);
	c->budget = clamp_u32(c->budget, 1, MAX_BUDGET);
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

static int id_char(int c) { return is_alnum(c); }
static int text_char(int c) { return c >= 0x20 && c <= 0x7e && c != '#'; }

static void repair_expect(prog_expect *x)
{
	if (x->kind >= EXPECT__COUNT)
		x->kind = EXPECT_NONE;
	if (x->kind == EXPECT_VIOLATION) {
		if (cut_string(x->id, sizeof x->id, id_char) == 0 ||
		    !id_known(x->id))
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
		keep[i] = name_ok(names[i], PROG_MAX_NAME);
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
	else
		snprintf(buf, len, "x%d", i - f->nparams);
}

static void repair_header(prog_func *f, int fi)
{
	f->kind &= 1;
	f->nparams = (uint8_t)clamp_u32(f->nparams, 0, PROG_MAX_PARAMS);
	f->nlocals = (uint8_t)clamp_u32(f->nlocals, 0, PROG_MAX_LOCALS);
	if (f->kind == FK_C)
		f->nlocals = 0;
	if (fi == 0) {
		/* The entry takes no parameters: they become locals with the
		** same slot indexes. */
		f->kind = FK_GO;
		f->nlocals = (uint8_t)clamp_u32(f->nparams + f->nlocals, 0,
						PROG_MAX_LOCALS);
		f->nparams = 0;
		f->flags = 0;
	}
	f->flags &= f->kind == FK_C ? 0 : FF_CGOWRAPPER;
	int n = nslots(f);
	for (int i = 0; i < PROG_MAX_SLOTS; i++) {
		if (i >= n) {
			f->type[i] = 0;
			memset(f->slotname[i], 0, PROG_MAX_NAME);
		} else {
			f->type[i] = f->kind == FK_C ? TY_INT : f->type[i] & 1;
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

/* Nearest function of kind k to index fn (lower index on ties); -1. */
static int nearest_func(const prog *p, int fn, int k)
{
	int n = (int)p->nfuncs;
	for (int d = 0; d < n; d++) {
		if (fn - d >= 0 && p->funcs[fn - d].kind == k)
			return fn - d;
		if (fn + d < n && p->funcs[fn + d].kind == k)
			return fn + d;
	}
	return -1;
}

static int reinterpret_op(int kind, int op)
{
	op %= ST__COUNT;
	if (op_allowed(kind, op))
		return op;
	if (kind == FK_GO)
		return op == ST_CALLBACK ? ST_CALL : ST_RETURN;
	return op == ST_CGO ? ST_CALL : op == ST_DEFER ? ST_CALLBACK : ST_RETURN;
}

/* Builds the repaired statement from scratch so unused fields are zero. */
static void repair_stmt(const prog *p, const prog_func *f, prog_stmt *s)
{
	prog_stmt t;
	int slot;
	memset(&t, 0, sizeof t);
	t.line = s->line;
	t.col = s->col;
	t.op = (uint8_t)reinterpret_op(f->kind, s->op);
	switch (t.op) {
	case ST_ASSIGN:
		if (nslots(f) == 0)
			goto ret;
		t.slot = (uint8_t)(s->slot % nslots(f));
		t.nargs = 1;
		t.a[0] = fix_expr(f, s->a[0], f->type[t.slot]);
		break;
	case ST_STORE:
		if ((slot = pick_slot(f, s->slot, TY_PTR)) < 0)
			goto ret;
		t.slot = (uint8_t)slot;
		t.nargs = 1;
		t.a[0] = fix_int(f, s->a[0]);
		break;
	case ST_CHECK:
		t.n = (int32_t)((uint32_t)s->n % 2);
		if ((slot = pick_slot(f, s->slot, t.n ? TY_PTR : TY_INT)) < 0)
			goto ret;
		t.slot = (uint8_t)slot;
		t.nargs = 1;
		t.a[0] = s->a[0].kind == EX_CONST ? mk(EX_CONST, clamp_const(s->a[0].v))
						  : mk(EX_CONST, 0);
		break;
	case ST_CALL:
	case ST_DEFER:
	case ST_CGO:
	case ST_CALLBACK: {
		int fn = nearest_func(p, s->fn % p->nfuncs,
				      callee_kind(f->kind, t.op));
		if (fn < 0)
			goto ret;
		const prog_func *g = &p->funcs[fn];
		int have = s->nargs < PROG_MAX_PARAMS ? s->nargs : PROG_MAX_PARAMS;
		t.fn = (uint8_t)fn;
		t.nargs = g->nparams;
		for (int i = 0; i < t.nargs; i++)
			t.a[i] = i < have ? fix_expr(f, s->a[i], g->type[i])
					  : zero_of(g->type[i]);
		break;
	}
	case ST_PANIC:
		t.nargs = 1;
		switch (s->a[0].kind % 5) {
		case EX_CONST:
			t.a[0] = mk(EX_CONST, clamp_const(s->a[0].v));
			break;
		case EX_SLOT:
		case EX_DEC:
			slot = pick_slot(f, (uint32_t)s->a[0].v, TY_INT);
			t.a[0] = slot < 0 ? zero_of(TY_INT) : mk(EX_SLOT, slot);
			break;
		default:
			t.a[0] = zero_of(TY_PTR);
			break;
		}
		break;
	case ST_RECOVER:
		t.n = (int32_t)((uint32_t)s->n % 2);
		if (t.n == 1) {
			if ((slot = pick_slot(f, s->slot, TY_INT)) < 0)
				t.n = 0;
			else
				t.slot = (uint8_t)slot;
		}
		break;
	case ST_GROW:
		t.n = (int32_t)(clamp_u32((uint32_t)s->n, 8, PROG_MAX_GROW) & ~7u);
		break;
	case ST_GC:
		t.n = (int32_t)((uint32_t)s->n % GC__COUNT);
		break;
	case ST_RETZ:
		if ((slot = pick_slot(f, s->slot, TY_INT)) < 0)
			goto ret;
		t.slot = (uint8_t)slot;
		break;
	default:
		break;
	}
	*s = t;
	return;
ret:
	memset(&t, 0, sizeof t);
	t.op = ST_RETURN;
	t.line = s->line;
	t.col = s->col;
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

/* ---- equality ---- */

static int expr_eq(const prog_expr *a, const prog_expr *b)
{
	return a->kind == b->kind && a->v == b->v;
}

static int func_eq(const prog_func *a, const prog_func *b, int names)
{
	if (a->kind != b->kind || a->flags != b->flags ||
	    a->nparams != b->nparams || a->nlocals != b->nlocals ||
	    a->pad != b->pad || a->nstmts != b->nstmts)
		return 0;
	if (names && strncmp(a->name, b->name, PROG_MAX_NAME) != 0)
		return 0;
	int n = a->nparams + a->nlocals;
	if (n > PROG_MAX_SLOTS)
		n = PROG_MAX_SLOTS;
	for (int i = 0; i < n; i++) {
		if (a->type[i] != b->type[i])
			return 0;
		if (names && strncmp(a->slotname[i], b->slotname[i],
				     PROG_MAX_NAME) != 0)
			return 0;
	}
	uint32_t ns = a->nstmts > PROG_MAX_STMTS ? PROG_MAX_STMTS : a->nstmts;
	for (uint32_t i = 0; i < ns; i++) {
		const prog_stmt *s = &a->stmts[i], *t = &b->stmts[i];
		if (s->op != t->op || s->slot != t->slot || s->fn != t->fn ||
		    s->nargs != t->nargs || s->n != t->n)
			return 0;
		for (int k = 0; k < PROG_MAX_PARAMS; k++)
			if (!expr_eq(&s->a[k], &t->a[k]))
				return 0;
	}
	return 1;
}

int prog_equal(const prog *a, const prog *b, int names)
{
	const prog_config *c = &a->cfg, *d = &b->cfg;
	if (c->has_target != d->has_target || c->has_stack != d->has_stack ||
	    c->has_maxstack != d->has_maxstack ||
	    c->has_budget != d->has_budget ||
	    c->has_barriers != d->has_barriers || c->has_bugs != d->has_bugs ||
	    c->has_stress != d->has_stress || c->has_debug != d->has_debug ||
	    c->target != d->target || c->barriers != d->barriers ||
	    c->stress != d->stress || c->debug != d->debug ||
	    c->bugs != d->bugs || c->stack != d->stack ||
	    c->maxstack != d->maxstack || c->budget != d->budget)
		return 0;
	if (a->expect.kind != b->expect.kind ||
	    strncmp(a->expect.id, b->expect.id, sizeof a->expect.id) != 0 ||
	    strncmp(a->expect.text, b->expect.text, sizeof a->expect.text) != 0)
		return 0;
	if (a->nfuncs != b->nfuncs)
		return 0;
	uint32_t n = a->nfuncs > PROG_MAX_FUNCS ? PROG_MAX_FUNCS : a->nfuncs;
	for (uint32_t i = 0; i < n; i++)
		if (!func_eq(&a->funcs[i], &b->funcs[i], names))
			return 0;
	return 1;
}
