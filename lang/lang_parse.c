/*
** lang_parse.c: the parser of the text form.
**
** The language is line based: one function header (`func f(p *int, n
** int) (r int) pad 64`, the named result optional), `var`, statement or
** `end` per line; '#' starts a comment anywhere; `# config:` and
** `# expect:` lines before the first function are headers
** (lang_header.c). Each line is tokenized (lang_lex.c) and read here.
**
** Statements are read by the op table: every op's text forms are
** templates (lang_op.h), lexed with the same lexer, and a statement line
** is matched against them token by token. The first form that matches
** the whole line is the statement; if none does, the error is the one of
** the form that got furthest (so `check x 5` says "expected '=='", not
** that it is no `check *p`). A form whose first token is a literal
** (`call`, `seh`, `*`) is legal or not in the function's kind before its
** operands are looked at, so a statement of the wrong kind is reported
** as such.
**
** The parser resolves names (slots at once: params come from the header
** and vars precede statements; callees after the last line, since they
** may be defined later) and checks syntax and function headers. It does
** not type statements: prog_validate() does, once (lang_check.c), and
** the parser reports its error at the column of the operand it names.
** So syntax errors anywhere win over typing errors. Every error stops the
** parse and is reported as "file:line:col: message" (1-based, byte
** columns).
*/
#include "lang_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_PENDING = PROG_MAX_FUNCS * PROG_MAX_STMTS };

/* A call whose callee is resolved after the whole file is read. */
typedef struct {
	uint16_t func, stmt;
	char name[PROG_MAX_NAME];
} pending;

/* Where each operand of a statement was written (for typing errors). */
typedef struct {
	uint32_t slot, fn, n, arg[PROG_MAX_PARAMS];
} opcols;

/* A form that did not match: at which token, and why ("" if the form
** simply is not this statement: its first token differs). */
typedef struct {
	int pos;
	char msg[160];
} miss;

typedef struct {
	const char *file;
	char *err;
	size_t errlen;
	prog *p;
	uint32_t line;
	lang_line L;
	int cur;	 /* function being parsed, -1 outside */
	uint32_t curcol; /* its header's column */
	int seen_func;	 /* a function header was seen: no more headers */
	lang_hdr hdr;
	int npending;
	pending pend[MAX_PENDING];
	opcols cols[PROG_MAX_FUNCS][PROG_MAX_STMTS];
	lang_line tmpl[ST__COUNT][2]; /* the op table's forms, lexed */
} parser;

static int perr(parser *ps, uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int perr(parser *ps, uint32_t line, uint32_t col, const char *fmt, ...)
{
	if (ps->err != NULL && ps->errlen > 0) {
		char msg[256];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		snprintf(ps->err, ps->errlen, "%s:%u:%u: %s", ps->file, line, col,
			 msg);
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* tokens of the current line */

typedef struct {
	parser *ps;
	int pos;
} cursor;

static lang_tok *peek(cursor *c) { return &c->ps->L.t[c->pos]; }

static lang_tok *next(cursor *c)
{
	lang_tok *t = peek(c);
	if (t->kind != LT_EOL)
		c->pos++;
	return t;
}

static int accept(cursor *c, const char *s)
{
	if (lang_tok_is(peek(c), s)) {
		next(c);
		return 1;
	}
	return 0;
}

/* Error at token t of the current line. */
static int terr(parser *ps, const lang_tok *t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int terr(parser *ps, const lang_tok *t, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return perr(ps, ps->line, t->col, "%s", msg);
}

static int expect_tok(cursor *c, const char *s)
{
	if (accept(c, s))
		return 0;
	return terr(c->ps, peek(c), "expected '%s'", s);
}

static int expect_eol(cursor *c)
{
	lang_tok *t = peek(c);
	if (t->kind == LT_EOL)
		return 0;
	return terr(c->ps, t, "unexpected '%.*s'", t->len, t->s);
}

/* Reads a name token into buf (checked: identifier, length, keyword). */
static int take_name(cursor *c, char *buf, const char *what)
{
	lang_tok *t = peek(c);
	if (t->kind != LT_IDENT)
		return terr(c->ps, t, "expected %s", what);
	if (t->len >= PROG_MAX_NAME)
		return terr(c->ps, t, "name '%.*s' is too long (max %d chars)",
			    t->len, t->s, PROG_MAX_NAME - 1);
	memcpy(buf, t->s, (size_t)t->len);
	buf[t->len] = 0;
	if (!prog_name_ok(buf))
		return terr(c->ps, t, "'%s' is a reserved word", buf);
	next(c);
	return 0;
}

/* ------------------------------------------------------------------ */
/* matching a statement against the op table's forms */

static prog_func *curf(parser *ps) { return &ps->p->funcs[ps->cur]; }

static int find_slot(const prog_func *f, const lang_tok *t)
{
	int n = prog_nslots(f);
	for (int i = 0; i < n && i < PROG_MAX_SLOTS; i++)
		if ((size_t)t->len == strnlen(f->slotname[i], PROG_MAX_NAME) &&
		    memcmp(f->slotname[i], t->s, (size_t)t->len) == 0)
			return i;
	return -1;
}

static int missed(miss *m, const cursor *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int missed(miss *m, const cursor *c, const char *fmt, ...)
{
	va_list ap;
	m->pos = c->pos;
	va_start(ap, fmt);
	vsnprintf(m->msg, sizeof m->msg, fmt, ap);
	va_end(ap);
	return -1;
}

static int slot_hole(cursor *c, int *slot, miss *m)
{
	lang_tok *t = peek(c);
	if (t->kind != LT_IDENT)
		return missed(m, c, "expected a slot name");
	*slot = find_slot(curf(c->ps), t);
	if (*slot < 0)
		return missed(m, c, "unknown name '%.*s'", t->len, t->s);
	next(c);
	return 0;
}

/* An expression; its type is the validator's business. */
static int expr_hole(cursor *c, prog_expr *e, uint32_t *col, miss *m)
{
	lang_tok *t = peek(c);
	int slot;
	memset(e, 0, sizeof *e);
	*col = t->col;
	if (t->kind == LT_NUM || lang_tok_is(t, "-")) {
		int neg = accept(c, "-");
		lang_tok *n = peek(c);
		if (n->kind != LT_NUM)
			return missed(m, c, "expected a number");
		next(c);
		e->kind = EX_CONST;
		e->v = (int32_t)(neg ? -n->num : n->num); /* saturated: fits */
		return 0;
	}
	if (accept(c, "nil")) {
		e->kind = EX_NIL;
		return 0;
	}
	if (accept(c, "&")) {
		if (slot_hole(c, &slot, m))
			return -1;
		e->kind = EX_ADDR;
		e->v = slot;
		return 0;
	}
	if (t->kind == LT_IDENT) {
		if (slot_hole(c, &slot, m))
			return -1;
		e->kind = EX_SLOT;
		e->v = slot;
		if (accept(c, "-")) {
			lang_tok *n = peek(c);
			if (n->kind != LT_NUM || n->num != 1)
				return missed(m, c, "only '%.*s-1' is supported", t->len,
					      t->s);
			next(c);
			e->kind = EX_DEC;
		}
		return 0;
	}
	return missed(m, c, "expected an expression");
}

static int callee_hole(cursor *c, pending *pd, uint32_t *col, miss *m)
{
	lang_tok *n = peek(c);
	if (n->kind != LT_IDENT || lang_keyword(n->s, (size_t)n->len))
		return missed(m, c, "expected a function name");
	if (n->len >= PROG_MAX_NAME)
		return missed(m, c, "unknown function '%.*s'", n->len, n->s);
	memset(pd->name, 0, sizeof pd->name);
	memcpy(pd->name, n->s, (size_t)n->len);
	*col = n->col;
	next(c);
	return 0;
}

/* The arguments between the template's ( and ). */
static int args_hole(cursor *c, prog_stmt *s, opcols *oc, miss *m)
{
	if (lang_tok_is(peek(c), ")"))
		return 0;
	for (;;) {
		if (s->nargs == PROG_MAX_PARAMS)
			return missed(m, c, "too many arguments (max %d)",
				      PROG_MAX_PARAMS);
		if (expr_hole(c, &s->a[s->nargs], &oc->arg[s->nargs], m))
			return -1;
		s->nargs++;
		if (lang_tok_is(peek(c), ")"))
			return 0;
		if (!accept(c, ","))
			return missed(m, c, "expected ')'");
	}
}

static int number_hole(cursor *c, int32_t *n, uint32_t *col, miss *m)
{
	lang_tok *t = peek(c);
	if (t->kind != LT_NUM)
		return missed(m, c, "expected a number");
	*n = (int32_t)t->num;
	*col = t->col;
	next(c);
	return 0;
}

static int gc_hole(cursor *c, int32_t *n, uint32_t *col, miss *m)
{
	lang_tok *t = peek(c);
	for (int k = 0; k < GC__COUNT; k++)
		if (lang_tok_is(t, prog_gc_name(k))) {
			*n = k;
			*col = t->col;
			next(c);
			return 0;
		}
	return missed(m, c, "expected shrink, scan or markterm");
}

/* Matches the current line against form `form` of op; fills s, the
** operand columns and the callee name. */
static int match_form(parser *ps, int op, int form, prog_stmt *s, opcols *oc,
		      pending *pd, miss *m)
{
	const lang_line *T = &ps->tmpl[op][form];
	cursor c = {ps, 0};
	m->msg[0] = 0;
	m->pos = 0;
	memset(oc, 0, sizeof *oc);
	s->op = (uint8_t)op;
	s->n = lang_ops[op].n == LN_FORM ? form : 0;
	for (int i = 0; i < T->nt; i++) {
		const lang_tok *tt = &T->t[i];
		int slot, r = 0;
		if (tt->kind != LT_HOLE) {
			if (peek(&c)->len == tt->len &&
			    memcmp(peek(&c)->s, tt->s, (size_t)tt->len) == 0 &&
			    peek(&c)->kind != LT_EOL) {
				next(&c);
				continue;
			}
			if (i == 0)
				return -1; /* not this statement */
			return missed(m, &c, "expected '%.*s'", tt->len, tt->s);
		}
		switch (tt->s[1]) {
		case 's':
			/* a line starting `name =` assigns; any other first
			** word is not this statement */
			if (i == 0 && (peek(&c)->kind != LT_IDENT ||
				       !lang_tok_is(&ps->L.t[1], "=")))
				return -1;
			oc->slot = peek(&c)->col;
			r = slot_hole(&c, &slot, m);
			s->slot = (uint8_t)(r ? 0 : slot);
			break;
		case 'a':
		case 'b': {
			int k = tt->s[1] - 'a', ak = lang_arg_kind(op, k);
			if (ak == LA_ISLOT || ak == LA_PSLOT) { /* a name, no more */
				oc->arg[k] = peek(&c)->col;
				s->a[k].kind = EX_SLOT;
				r = slot_hole(&c, &slot, m);
				s->a[k].v = r ? 0 : slot;
			} else {
				r = expr_hole(&c, &s->a[k], &oc->arg[k], m);
			}
			if (s->nargs < k + 1)
				s->nargs = (uint8_t)(k + 1);
			break;
		}
		case 'f':
			r = callee_hole(&c, pd, &oc->fn, m);
			break;
		case 'A':
			r = args_hole(&c, s, oc, m);
			break;
		case 'n':
			r = number_hole(&c, &s->n, &oc->n, m);
			break;
		default: /* 'g' */
			r = gc_hole(&c, &s->n, &oc->n, m);
			break;
		}
		if (r)
			return -1;
	}
	if (peek(&c)->kind != LT_EOL)
		return missed(m, &c, "unexpected '%.*s'", peek(&c)->len, peek(&c)->s);
	return 0;
}

/* Is the line's first token what form `form` of op starts with? */
static int starts_form(parser *ps, int op, int form)
{
	const lang_tok *tt = &ps->tmpl[op][form].t[0];
	const lang_tok *t = &ps->L.t[0];
	if (tt->kind == LT_HOLE)
		return tt->s[1] == 's' && t->kind == LT_IDENT &&
		       lang_tok_is(&ps->L.t[1], "=");
	return t->kind != LT_EOL && t->len == tt->len &&
	       memcmp(t->s, tt->s, (size_t)t->len) == 0;
}

static int not_allowed(parser *ps, int op, int form)
{
	const lang_tok *t = &ps->L.t[0];
	const lang_tok *tt = &ps->tmpl[op][form].t[0];
	const char *kn = curf(ps)->kind == FK_C ? "C" : "Go";
	if (tt->kind == LT_HOLE)
		return terr(ps, t, "assignments are not allowed in a %s function", kn);
	if (lang_tok_is(t, "*"))
		return terr(ps, t, "stores are not allowed in a %s function", kn);
	return terr(ps, t, "'%.*s' is not allowed in a %s function", t->len, t->s,
		    kn);
}

static int stmt_line(parser *ps)
{
	prog_func *f = curf(ps);
	lang_tok *first = &ps->L.t[0];
	if (f->nstmts == PROG_MAX_STMTS)
		return terr(ps, first, "too many statements in '%s' (max %d)", f->name,
			    PROG_MAX_STMTS);
	prog_stmt *s = &f->stmts[f->nstmts];
	opcols *oc = &ps->cols[ps->cur][f->nstmts];
	/* a statement of the wrong kind is reported as such first */
	int cand = -1, cform = 0, legal = 0;
	for (int op = 0; op < ST__COUNT; op++)
		for (int k = 0; k < lang_nforms(op); k++)
			if (starts_form(ps, op, k)) {
				if (cand < 0)
					cand = op, cform = k;
				legal |= lang_op_legal(f->kind, op);
			}
	if (cand >= 0 && !legal)
		return not_allowed(ps, cand, cform);
	miss best = {-1, ""}, m;
	pending pd;
	for (int op = 0; op < ST__COUNT; op++)
		for (int k = 0; k < lang_nforms(op); k++) {
			memset(s, 0, sizeof *s);
			memset(&pd, 0, sizeof pd);
			if (match_form(ps, op, k, s, oc, &pd, &m) == 0) {
				if (!lang_op_legal(f->kind, op))
					return not_allowed(ps, op, k);
				s->line = ps->line;
				s->col = first->col;
				if (lang_is_call(op)) {
					pd.func = (uint16_t)ps->cur;
					pd.stmt = (uint16_t)f->nstmts;
					ps->pend[ps->npending++] = pd;
				}
				f->nstmts++;
				return 0;
			}
			if (m.msg[0] && m.pos > best.pos)
				best = m;
		}
	if (best.pos >= 0)
		return terr(ps, &ps->L.t[best.pos], "%s", best.msg);
	if (first->kind == LT_IDENT)
		return terr(ps, first, "unknown statement '%.*s'", first->len, first->s);
	return terr(ps, first, "expected a statement");
}

/* ------------------------------------------------------------------ */
/* functions and locals */

static int parse_type(cursor *c, uint8_t *ty)
{
	lang_tok *t = peek(c);
	int ptr = accept(c, "*");
	if (!accept(c, "int"))
		return terr(c->ps, ptr ? peek(c) : t, "expected type int or *int");
	*ty = ptr ? TY_PTR : TY_INT;
	return 0;
}

static int slot_dup(const prog_func *f, const char *name, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(f->slotname[i], name) == 0)
			return 1;
	return 0;
}

static int var_line(parser *ps)
{
	cursor c = {ps, 0};
	prog_func *f = curf(ps);
	lang_tok *v = next(&c);
	lang_tok *nt = peek(&c);
	char name[PROG_MAX_NAME];
	if (f->kind == FK_C)
		return terr(ps, v, "C functions have no locals");
	if (f->nstmts > 0)
		return terr(ps, v, "'var' must come before the first statement");
	if (f->nlocals == PROG_MAX_LOCALS)
		return terr(ps, v, "too many locals (max %d)", PROG_MAX_LOCALS);
	if (take_name(&c, name, "a local name"))
		return -1;
	int i = prog_nslots(f);
	if (slot_dup(f, name, i))
		return terr(ps, nt, "duplicate name '%s'", name);
	if (parse_type(&c, &f->type[i]) || expect_eol(&c))
		return -1;
	memcpy(f->slotname[i], name, sizeof name);
	f->nlocals++;
	return 0;
}

static int params(cursor *c, prog_func *f, int fi, int kind)
{
	if (expect_tok(c, "("))
		return -1;
	if (accept(c, ")"))
		return 0;
	for (;;) {
		lang_tok *pt = peek(c);
		char name[PROG_MAX_NAME];
		if (fi == 0)
			return terr(c->ps, pt, "the entry function takes no parameters");
		if (f->nparams == PROG_MAX_PARAMS)
			return terr(c->ps, pt, "too many parameters (max %d)",
				    PROG_MAX_PARAMS);
		if (take_name(c, name, "a parameter name"))
			return -1;
		if (slot_dup(f, name, f->nparams))
			return terr(c->ps, pt, "duplicate name '%s'", name);
		if (kind == FK_GO && parse_type(c, &f->type[f->nparams]))
			return -1;
		memcpy(f->slotname[f->nparams], name, sizeof name);
		f->nparams++;
		if (accept(c, ")"))
			return 0;
		if (!accept(c, ","))
			return terr(c->ps, peek(c), "expected ')'");
	}
}

/* The named result, `(r int)` (in C `(r)`), if any: slot nparams. */
static int result(cursor *c, prog_func *f, int fi, int kind)
{
	lang_tok *open = peek(c);
	char name[PROG_MAX_NAME];
	if (!accept(c, "("))
		return 0;
	if (fi == 0)
		return terr(c->ps, open, "the entry function has no result");
	if (f->nparams == PROG_MAX_PARAMS)
		return terr(c->ps, open, "a function with a result takes at most %d "
			    "parameters", PROG_MAX_PARAMS - 1);
	lang_tok *nt = peek(c);
	if (take_name(c, name, "a result name"))
		return -1;
	if (slot_dup(f, name, f->nparams))
		return terr(c->ps, nt, "duplicate name '%s'", name);
	if (kind == FK_GO && !accept(c, "int"))
		return terr(c->ps, peek(c), "expected int (results are ints)");
	if (expect_tok(c, ")"))
		return -1;
	f->type[f->nparams] = TY_INT;
	memcpy(f->slotname[f->nparams], name, sizeof name);
	f->nresults = 1;
	return 0;
}

static int func_header(parser *ps, int kind)
{
	cursor c = {ps, 0};
	prog *p = ps->p;
	lang_tok *kw = next(&c);
	if (p->nfuncs == PROG_MAX_FUNCS)
		return terr(ps, kw, "too many functions (max %d)", PROG_MAX_FUNCS);
	int fi = (int)p->nfuncs;
	prog_func *f = &p->funcs[fi];
	memset(f, 0, sizeof *f);
	f->kind = (uint8_t)kind;
	f->line = ps->line;
	lang_tok *nt = peek(&c);
	if (take_name(&c, f->name, "a function name"))
		return -1;
	for (int j = 0; j < fi; j++)
		if (strcmp(p->funcs[j].name, f->name) == 0)
			return terr(ps, nt, "duplicate function '%s'", f->name);
	if (fi == 0 && kind != FK_GO)
		return terr(ps, kw, "the first function (the entry) must be a Go function");
	if (params(&c, f, fi, kind) || result(&c, f, fi, kind))
		return -1;
	int seen_pad = 0;
	while (peek(&c)->kind != LT_EOL) {
		lang_tok *o = next(&c);
		if (lang_tok_is(o, "pad") && !seen_pad) {
			lang_tok *n = next(&c);
			seen_pad = 1;
			if (n->kind != LT_NUM)
				return terr(ps, n, "expected a number");
			if (n->num > PROG_MAX_PAD || n->num % 8)
				return terr(ps, n, "pad must be a multiple of 8 in 0..%d",
					    PROG_MAX_PAD);
			f->pad = (uint32_t)n->num;
		} else if (lang_tok_is(o, "cgowrapper") && !f->flags) {
			if (kind != FK_GO)
				return terr(ps, o, "only Go functions can be cgowrappers");
			if (fi == 0)
				return terr(ps, o, "the entry function cannot be a cgowrapper");
			f->flags = FF_CGOWRAPPER;
		} else {
			return terr(ps, o, "unexpected '%.*s'", o->len, o->s);
		}
	}
	p->nfuncs++;
	ps->cur = fi;
	ps->curcol = kw->col;
	ps->seen_func = 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* file level */

static int do_line(parser *ps, const char *line, size_t len)
{
	if (!ps->seen_func) {
		ps->hdr.line = ps->line;
		int h = lang_header_line(&ps->hdr, line, len);
		if (h < 0)
			return perr(ps, ps->line, ps->hdr.errcol, "%s", ps->hdr.msg);
		if (h > 0)
			return 0;
	}
	const char *hash = memchr(line, '#', len);
	if (hash != NULL)
		len = (size_t)(hash - line);
	uint32_t ecol;
	char emsg[128];
	if (lang_lex(line, len, 0, &ps->L, &ecol, emsg, sizeof emsg))
		return perr(ps, ps->line, ecol, "%s", emsg);
	cursor c = {ps, 0};
	lang_tok *t = peek(&c);
	if (t->kind == LT_EOL)
		return 0;
	if (ps->cur < 0) {
		if (lang_tok_is(t, "func"))
			return func_header(ps, FK_GO);
		if (lang_tok_is(t, "cfunc"))
			return func_header(ps, FK_C);
		if (lang_tok_is(t, "end"))
			return terr(ps, t, "'end' outside function");
		return terr(ps, t, "statement outside function");
	}
	if (lang_tok_is(t, "end")) {
		next(&c);
		if (expect_eol(&c))
			return -1;
		ps->cur = -1;
		return 0;
	}
	if (lang_tok_is(t, "func") || lang_tok_is(t, "cfunc"))
		return terr(ps, t, "missing 'end' of function '%s' before '%.*s'",
			    curf(ps)->name, t->len, t->s);
	if (lang_tok_is(t, "var"))
		return var_line(ps);
	return stmt_line(ps);
}

/* Names the pending callees, in file order. */
static int resolve_calls(parser *ps)
{
	for (int i = 0; i < ps->npending; i++) {
		pending *pd = &ps->pend[i];
		prog_stmt *s = &ps->p->funcs[pd->func].stmts[pd->stmt];
		int fn = prog_find_func(ps->p, pd->name);
		if (fn < 0)
			return perr(ps, s->line, ps->cols[pd->func][pd->stmt].fn,
				    "unknown function '%s'", pd->name);
		s->fn = (uint8_t)fn;
	}
	return 0;
}

/* The typing rules, with the error at the operand's column. */
static int typecheck(parser *ps)
{
	prog_error ve;
	const prog *p = ps->p;
	if (prog_validate(p, &ve) == 0)
		return 0;
	uint32_t line = 1, col = 1;
	if (ve.func >= 0 && ve.func < (int)p->nfuncs) {
		const prog_func *f = &p->funcs[ve.func];
		line = f->line;
		if (ve.stmt >= 0 && ve.stmt < (int)f->nstmts) {
			const prog_stmt *s = &f->stmts[ve.stmt];
			const opcols *oc = &ps->cols[ve.func][ve.stmt];
			line = s->line;
			col = ve.where == PE_SLOT ? oc->slot
			      : ve.where == PE_FN ? oc->fn
			      : ve.where == PE_N  ? oc->n
			      : ve.where >= PE_ARG0 && ve.where < PE_ARG0 + PROG_MAX_PARAMS
				      ? oc->arg[ve.where - PE_ARG0]
				      : 0;
			if (col == 0)
				col = s->col;
		}
	}
	return perr(ps, line, col, "%s", ve.msg);
}

static int parse_all(parser *ps, const char *text, size_t len)
{
	prog *out = ps->p;
	for (int op = 0; op < ST__COUNT; op++)
		for (int k = 0; k < lang_nforms(op); k++) {
			const char *t = lang_ops[op].form[k].text;
			uint32_t ecol;
			char emsg[64];
			if (lang_lex(t, strlen(t), 1, &ps->tmpl[op][k], &ecol, emsg,
				     sizeof emsg))
				return perr(ps, 0, ecol, "op table: %s: %s", t, emsg);
		}
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - text) : len;
		ps->line++;
		if (do_line(ps, text + i, e - i))
			return -1;
		i = e + 1;
	}
	if (ps->cur >= 0)
		return perr(ps, curf(ps)->line, ps->curcol,
			    "missing 'end' of function '%s'", curf(ps)->name);
	if (out->nfuncs == 0)
		return perr(ps, ps->line + 1, 1, "no functions");
	if (out->cfg.maxstack < out->cfg.stack) {
		if (out->cfg.has_maxstack)
			return perr(ps, ps->hdr.maxstack_line, ps->hdr.maxstack_col,
				    "maxstack %u is below stack %u", out->cfg.maxstack,
				    out->cfg.stack);
		return perr(ps, ps->hdr.stack_line, ps->hdr.stack_col,
			    "stack %u is above maxstack %u", out->cfg.stack,
			    out->cfg.maxstack);
	}
	if (resolve_calls(ps))
		return -1;
	return typecheck(ps);
}

int prog_parse(const char *file, const char *text, size_t len, prog *out,
	       char *errbuf, size_t errlen)
{
	if (file == NULL)
		file = "<input>";
	if (errbuf != NULL && errlen > 0)
		errbuf[0] = 0;
	if (out == NULL)
		return -1;
	prog_init(out);
	parser *ps = calloc(1, sizeof *ps);
	if (ps == NULL) {
		if (errbuf != NULL && errlen > 0)
			snprintf(errbuf, errlen, "%s: out of memory", file);
		return -1;
	}
	ps->file = file;
	ps->err = errbuf;
	ps->errlen = errlen;
	ps->p = out;
	ps->hdr.p = out;
	ps->cur = -1;
	int r = parse_all(ps, text, text == NULL ? 0 : len);
	free(ps);
	return r;
}

int prog_parse_file(const char *path, prog *out, char *errbuf, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int r;
	if (fp == NULL) {
		if (errbuf != NULL && errlen > 0)
			snprintf(errbuf, errlen, "%s: cannot open: %s", path,
				 strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			char *nb = realloc(buf, ncap);
			if (nb == NULL) {
				free(buf);
				fclose(fp);
				if (errbuf != NULL && errlen > 0)
					snprintf(errbuf, errlen, "%s: out of memory",
						 path);
				return -1;
			}
			buf = nb;
			cap = ncap;
		}
		size_t n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		int e = errno;
		free(buf);
		fclose(fp);
		if (errbuf != NULL && errlen > 0)
			snprintf(errbuf, errlen, "%s: cannot read: %s", path,
				 strerror(e));
		return -1;
	}
	fclose(fp);
	r = prog_parse(path, buf, len, out, errbuf, errlen);
	free(buf);
	return r;
}
