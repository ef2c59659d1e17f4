/*
** prog_text.c: the text form of programs (parser and canonical printer).
**
** The language is line based: one function header, `var`, statement or
** `end` per line; '#' starts a comment anywhere. Lines of the form
** `# config: k=v ...` and `# expect: ...` before the first function are
** headers; anywhere else they are plain comments. See prog.h and the
** grammar in the printer below for the canonical spellings.
**
** Parsing is one pass over the lines with a small per-line tokenizer
** (identifiers, decimal numbers, and ( ) , = == * & -). Slots are resolved
** at once (params come from the header and vars precede statements);
** callees may be defined later, so call sites are kept in a pending list
** and resolved, arity- and type-checked in file order after the last
** line. Syntax errors therefore win over call errors further up. Every
** error stops the parse and is reported as "file:line:col: message" at
** the offending token (1-based, byte columns). prog_validate() runs last
** as a backstop; the parser's own checks mirror it, so that should not
** fire.
**
** Printing emits exactly what the parser reads back to an equal program
** (names included), so print(parse(print(parse(T)))) == print(parse(T)).
** The printer never crashes on invalid programs (bounded names, "?" for
** out-of-range indexes), but only valid ones round-trip.
**
** Gotchas: a config key is printed if the header stated it (has_*) OR
** its value differs from prog_init's, so a config set in code (by a
** fuzzer) survives into a printed reproducer; reading such a text back
** sets the has_* flags. Since '#' starts a comment even on header lines,
** a panic value cannot contain '#'. `# config:` after the first function
** is an ordinary comment.
*/
#include "prog.h"
#include "inv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	MAX_TOKS = 48, /* a 4-argument call needs ~20 */
	MAX_PENDING = PROG_MAX_FUNCS * PROG_MAX_STMTS,
	BIG = 1000000000, /* numbers saturate here */
};

/* ------------------------------------------------------------------ */
/* tokens */

enum { T_EOL, T_IDENT, T_NUM, T_PUNCT };

typedef struct {
	int kind;
	const char *s; /* text, len bytes */
	int len;
	uint32_t col;
	long long num; /* T_NUM value, saturated at BIG */
} tok;

/* A call whose callee is resolved after the whole file is read. */
typedef struct {
	uint16_t func, stmt;
	char name[PROG_MAX_NAME];
	uint32_t line, col;		 /* of the callee name */
	uint32_t argcol[PROG_MAX_PARAMS];
} pending;

typedef struct {
	const char *file;
	char *err;
	size_t errlen;
	prog *p;
	uint32_t line;
	tok t[MAX_TOKS];
	int nt, pos;
	int cur;	   /* function being parsed, -1 outside */
	uint32_t curcol;   /* its header's column */
	int seen_func;	   /* a function header was seen: no more headers */
	int have_expect;
	uint32_t maxstack_line, maxstack_col, stack_line, stack_col;
	int npending;
	pending pend[MAX_PENDING];
} parser;

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

/* Error at token t of the current line. */
static int terr(parser *ps, const tok *t, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return perr(ps, ps->line, t->col, "%s", msg);
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_blank(int c) { return c == ' ' || c == '\t' || c == '\r'; }

/* Tokenizes line[0..len) (comment already cut). */
static int tokenize(parser *ps, const char *line, size_t len)
{
	size_t i = 0;
	ps->nt = ps->pos = 0;
	for (;;) {
		while (i < len && is_blank((unsigned char)line[i]))
			i++;
		if (ps->nt == MAX_TOKS)
			return perr(ps, ps->line, (uint32_t)i + 1,
				    "too many tokens on one line");
		tok *t = &ps->t[ps->nt];
		memset(t, 0, sizeof *t);
		t->col = (uint32_t)i + 1;
		t->s = line + i;
		if (i == len) {
			t->kind = T_EOL;
			return 0;
		}
		unsigned char c = (unsigned char)line[i];
		size_t j = i + 1;
		if (is_alpha(c)) {
			while (j < len && (is_alpha((unsigned char)line[j]) ||
					   is_digit((unsigned char)line[j])))
				j++;
			t->kind = T_IDENT;
		} else if (is_digit(c)) {
			t->num = c - '0';
			while (j < len && is_digit((unsigned char)line[j])) {
				t->num = t->num * 10 + (line[j] - '0');
				if (t->num > BIG)
					t->num = BIG;
				j++;
			}
			t->kind = T_NUM;
		} else if (c == '=' && j < len && line[j] == '=') {
			j++;
			t->kind = T_PUNCT;
		} else if (strchr("(),=*&-", c) != NULL && c != 0) {
			t->kind = T_PUNCT;
		} else if (c > 0x20 && c < 0x7f) {
			return perr(ps, ps->line, t->col, "unexpected character '%c'",
				    c);
		} else {
			return perr(ps, ps->line, t->col,
				    "unexpected byte 0x%02x", c);
		}
		t->len = (int)(j - i);
		i = j;
		ps->nt++;
	}
}

static tok *peek(parser *ps) { return &ps->t[ps->pos]; }

static tok *next(parser *ps)
{
	tok *t = &ps->t[ps->pos];
	if (t->kind != T_EOL)
		ps->pos++;
	return t;
}

static int tok_is(const tok *t, const char *s)
{
	return t->kind != T_EOL && (size_t)t->len == strlen(s) &&
	       memcmp(t->s, s, (size_t)t->len) == 0;
}

static int accept(parser *ps, const char *s)
{
	if (tok_is(peek(ps), s)) {
		next(ps);
		return 1;
	}
	return 0;
}

static int expect_tok(parser *ps, const char *s)
{
	if (accept(ps, s))
		return 0;
	return terr(ps, peek(ps), "expected '%s'", s);
}

static int expect_eol(parser *ps)
{
	tok *t = peek(ps);
	if (t->kind == T_EOL)
		return 0;
	return terr(ps, t, "unexpected '%.*s'", t->len, t->s);
}

/* Reads a name token into buf (checked: identifier, length, keyword). */
static int take_name(parser *ps, char *buf, const char *what)
{
	tok *t = peek(ps);
	if (t->kind != T_IDENT)
		return terr(ps, t, "expected %s", what);
	if (t->len >= PROG_MAX_NAME)
		return terr(ps, t, "name '%.*s' is too long (max %d chars)",
			    t->len, t->s, PROG_MAX_NAME - 1);
	memcpy(buf, t->s, (size_t)t->len);
	buf[t->len] = 0;
	if (!prog_name_ok(buf))
		return terr(ps, t, "'%s' is a reserved word", buf);
	next(ps);
	return 0;
}

/* ------------------------------------------------------------------ */
/* expressions */

static prog_func *curf(parser *ps) { return &ps->p->funcs[ps->cur]; }

static int find_slot(const prog_func *f, const tok *t)
{
	int n = f->nparams + f->nlocals;
	for (int i = 0; i < n && i < PROG_MAX_SLOTS; i++)
		if ((size_t)t->len == strnlen(f->slotname[i], PROG_MAX_NAME) &&
		    memcmp(f->slotname[i], t->s, (size_t)t->len) == 0)
			return i;
	return -1;
}

static int slot_tok(parser *ps, const tok *t, int *slot)
{
	if (t->kind != T_IDENT)
		return terr(ps, t, "expected a slot name");
	*slot = find_slot(curf(ps), t);
	if (*slot < 0)
		return terr(ps, t, "unknown name '%.*s'", t->len, t->s);
	return 0;
}

/* An optionally negative constant. */
static int parse_const(parser *ps, int32_t *v)
{
	tok *t = peek(ps);
	int neg = accept(ps, "-");
	tok *n = peek(ps);
	if (n->kind != T_NUM)
		return terr(ps, neg ? n : t, "expected a number");
	next(ps);
	long long x = neg ? -n->num : n->num;
	if (x < PROG_CONST_MIN || x > PROG_CONST_MAX)
		return terr(ps, t, "constant %s%.*s out of range (%d..%d)",
			    neg ? "-" : "", n->len, n->s, PROG_CONST_MIN,
			    PROG_CONST_MAX);
	*v = (int32_t)x;
	return 0;
}

/* Parses an untyped expression; the caller checks its type. */
static int parse_expr(parser *ps, prog_expr *e, uint32_t *col)
{
	tok *t = peek(ps);
	int slot;
	memset(e, 0, sizeof *e);
	*col = t->col;
	if (t->kind == T_NUM || tok_is(t, "-")) {
		e->kind = EX_CONST;
		return parse_const(ps, &e->v);
	}
	if (tok_is(t, "nil")) {
		next(ps);
		e->kind = EX_NIL;
		return 0;
	}
	if (tok_is(t, "&")) {
		next(ps);
		tok *n = next(ps);
		if (slot_tok(ps, n, &slot))
			return -1;
		if (curf(ps)->type[slot] != TY_INT)
			return terr(ps, n, "cannot take the address of *int slot '%.*s'",
				    n->len, n->s);
		e->kind = EX_ADDR;
		e->v = slot;
		return 0;
	}
	if (t->kind == T_IDENT) {
		next(ps);
		if (slot_tok(ps, t, &slot))
			return -1;
		e->kind = EX_SLOT;
		e->v = slot;
		if (accept(ps, "-")) {
			tok *n = next(ps);
			if (n->kind != T_NUM || n->num != 1)
				return terr(ps, n, "only '%.*s-1' is supported",
					    t->len, t->s);
			if (curf(ps)->type[slot] != TY_INT)
				return terr(ps, t, "cannot decrement *int slot '%.*s'",
					    t->len, t->s);
			e->kind = EX_DEC;
		}
		return 0;
	}
	return terr(ps, t, "expected an expression");
}

static int type_ok(const prog_func *f, const prog_expr *e, int ty)
{
	if (ty == TY_INT)
		return e->kind == EX_CONST || e->kind == EX_DEC ||
		       (e->kind == EX_SLOT && f->type[e->v] == TY_INT);
	if (e->kind == EX_NIL)
		return 1;
	return f->kind == FK_GO &&
	       (e->kind == EX_ADDR ||
		(e->kind == EX_SLOT && f->type[e->v] == TY_PTR));
}

static const char *type_name(int ty) { return ty == TY_PTR ? "*int" : "int"; }

/* Canonical text of an expression of function f. */
static void expr_str(const prog_func *f, const prog_expr *e, char *buf,
		     size_t len)
{
	int n = f ? f->nparams + f->nlocals : 0;
	const char *name = "?";
	int nl = 1;
	if (e->kind != EX_CONST && e->kind != EX_NIL && f != NULL &&
	    e->v >= 0 && e->v < n && e->v < PROG_MAX_SLOTS) {
		name = f->slotname[e->v];
		nl = (int)strnlen(name, PROG_MAX_NAME);
	}
	switch (e->kind) {
	case EX_CONST:
		snprintf(buf, len, "%d", (int)e->v);
		break;
	case EX_NIL:
		snprintf(buf, len, "nil");
		break;
	case EX_ADDR:
		snprintf(buf, len, "&%.*s", nl, name);
		break;
	case EX_SLOT:
		snprintf(buf, len, "%.*s", nl, name);
		break;
	case EX_DEC:
		snprintf(buf, len, "%.*s-1", nl, name);
		break;
	default:
		snprintf(buf, len, "?");
		break;
	}
}

/* Parses the value of `slot = e` (store == 0) or `*slot = e` (store ==
** 1); the value must have type ty. */
static int typed_expr(parser *ps, prog_expr *e, int ty, int store,
		      const char *slotname)
{
	uint32_t col;
	char buf[32];
	if (parse_expr(ps, e, &col))
		return -1;
	if (type_ok(curf(ps), e, ty))
		return 0;
	expr_str(curf(ps), e, buf, sizeof buf);
	if (store)
		return perr(ps, ps->line, col,
			    "cannot store %s through '*%s' (need an int)", buf,
			    slotname);
	return perr(ps, ps->line, col, "cannot assign %s to %s slot '%s'", buf,
		    type_name(ty), slotname);
}

/* ------------------------------------------------------------------ */
/* statements */

static const struct {
	const char *word;
	int op;
} simple_ops[] = {
	{"goexit", ST_GOEXIT}, {"return", ST_RETURN}, {"lock", ST_LOCK},
	{"unlock", ST_UNLOCK}, {"fault", ST_FAULT},
};

static const char *const call_words[] = {"call", "defer", "cgo", "callback"};
static const int call_ops[] = {ST_CALL, ST_DEFER, ST_CGO, ST_CALLBACK};

static int parse_call(parser *ps, prog_stmt *s)
{
	pending *pd = &ps->pend[ps->npending];
	memset(pd, 0, sizeof *pd);
	tok *n = peek(ps);
	if (n->kind != T_IDENT)
		return terr(ps, n, "expected a function name");
	if (n->len >= PROG_MAX_NAME)
		return terr(ps, n, "unknown function '%.*s'", n->len, n->s);
	memcpy(pd->name, n->s, (size_t)n->len);
	pd->line = ps->line;
	pd->col = n->col;
	next(ps);
	if (expect_tok(ps, "("))
		return -1;
	if (!accept(ps, ")")) {
		for (;;) {
			if (s->nargs == PROG_MAX_PARAMS)
				return terr(ps, peek(ps),
					    "too many arguments (max %d)",
					    PROG_MAX_PARAMS);
			if (parse_expr(ps, &s->a[s->nargs], &pd->argcol[s->nargs]))
				return -1;
			s->nargs++;
			if (accept(ps, ")"))
				break;
			if (!accept(ps, ","))
				return terr(ps, peek(ps), "expected ')'");
		}
	}
	pd->func = (uint16_t)ps->cur;
	pd->stmt = (uint16_t)curf(ps)->nstmts;
	ps->npending++;
	return 0;
}

static int parse_stmt(parser *ps, prog_stmt *s)
{
	prog_func *f = curf(ps);
	tok *t = peek(ps);
	int slot;
	char sn[PROG_MAX_NAME];

	for (size_t i = 0; i < sizeof simple_ops / sizeof simple_ops[0]; i++)
		if (tok_is(t, simple_ops[i].word)) {
			next(ps);
			s->op = (uint8_t)simple_ops[i].op;
			return 0;
		}
	for (int i = 0; i < 4; i++)
		if (tok_is(t, call_words[i])) {
			next(ps);
			s->op = (uint8_t)call_ops[i];
			return parse_call(ps, s);
		}
	if (accept(ps, "check")) {
		s->op = ST_CHECK;
		s->n = accept(ps, "*");
		tok *n = next(ps);
		if (slot_tok(ps, n, &slot))
			return -1;
		if (s->n && f->type[slot] != TY_PTR)
			return terr(ps, n, "'%.*s' is not a *int slot", n->len,
				    n->s);
		if (!s->n && f->type[slot] != TY_INT)
			return terr(ps, n, "'%.*s' is a *int slot (use check *%.*s)",
				    n->len, n->s, n->len, n->s);
		s->slot = (uint8_t)slot;
		if (expect_tok(ps, "=="))
			return -1;
		s->nargs = 1;
		s->a[0].kind = EX_CONST;
		return parse_const(ps, &s->a[0].v);
	}
	if (accept(ps, "panic")) {
		uint32_t col;
		char buf[32];
		s->op = ST_PANIC;
		s->nargs = 1;
		if (parse_expr(ps, &s->a[0], &col))
			return -1;
		if (s->a[0].kind == EX_NIL || s->a[0].kind == EX_CONST ||
		    (s->a[0].kind == EX_SLOT && f->type[s->a[0].v] == TY_INT))
			return 0;
		expr_str(f, &s->a[0], buf, sizeof buf);
		return perr(ps, ps->line, col,
			    "cannot panic with %s (need a constant, nil or an int slot)",
			    buf);
	}
	if (accept(ps, "recover")) {
		s->op = ST_RECOVER;
		if (expect_tok(ps, "(") || expect_tok(ps, ")"))
			return -1;
		return 0;
	}
	if (accept(ps, "grow")) {
		tok *n = next(ps);
		s->op = ST_GROW;
		if (n->kind != T_NUM)
			return terr(ps, n, "expected a number");
		if (n->num < 8 || n->num > PROG_MAX_GROW || n->num % 8)
			return terr(ps, n, "grow size must be a multiple of 8 in 8..%d",
				    PROG_MAX_GROW);
		s->n = (int32_t)n->num;
		return 0;
	}
	if (accept(ps, "gc")) {
		tok *n = next(ps);
		s->op = ST_GC;
		for (int k = 0; k < GC__COUNT; k++)
			if (tok_is(n, prog_gc_name(k))) {
				s->n = k;
				return 0;
			}
		return terr(ps, n, "expected shrink, scan or markterm");
	}
	if (accept(ps, "seh")) {
		tok *n = next(ps);
		if (tok_is(n, "push"))
			s->op = ST_SEHPUSH;
		else if (tok_is(n, "pop"))
			s->op = ST_SEHPOP;
		else
			return terr(ps, n, "expected push or pop");
		return 0;
	}
	if (accept(ps, "if")) {
		tok *n = next(ps);
		s->op = ST_RETZ;
		if (slot_tok(ps, n, &slot))
			return -1;
		if (f->type[slot] != TY_INT)
			return terr(ps, n, "'%.*s' is not an int slot", n->len,
				    n->s);
		s->slot = (uint8_t)slot;
		if (expect_tok(ps, "==") || expect_tok(ps, "0") ||
		    expect_tok(ps, "return"))
			return -1;
		return 0;
	}
	if (accept(ps, "*")) {
		tok *n = next(ps);
		s->op = ST_STORE;
		if (slot_tok(ps, n, &slot))
			return -1;
		if (f->type[slot] != TY_PTR)
			return terr(ps, n, "cannot store through int slot '%.*s'",
				    n->len, n->s);
		s->slot = (uint8_t)slot;
		s->nargs = 1;
		if (expect_tok(ps, "="))
			return -1;
		snprintf(sn, sizeof sn, "%s", f->slotname[slot]);
		return typed_expr(ps, &s->a[0], TY_INT, 1, sn);
	}
	if (t->kind == T_IDENT && ps->pos + 1 < ps->nt &&
	    tok_is(&ps->t[ps->pos + 1], "=")) {
		next(ps);
		if (slot_tok(ps, t, &slot))
			return -1;
		next(ps); /* = */
		s->slot = (uint8_t)slot;
		if (tok_is(peek(ps), "recover")) {
			next(ps);
			s->op = ST_RECOVER;
			s->n = 1;
			if (f->type[slot] != TY_INT)
				return terr(ps, t, "recover() needs an int slot, '%.*s' is *int",
					    t->len, t->s);
			return expect_tok(ps, "(") || expect_tok(ps, ")") ? -1 : 0;
		}
		s->op = ST_ASSIGN;
		s->nargs = 1;
		snprintf(sn, sizeof sn, "%s", f->slotname[slot]);
		return typed_expr(ps, &s->a[0], f->type[slot], 0, sn);
	}
	if (t->kind == T_IDENT)
		return terr(ps, t, "unknown statement '%.*s'", t->len, t->s);
	return terr(ps, t, "expected a statement");
}

/* The op a statement line starts, judged from its first tokens only, so
** that a statement of the wrong function kind is reported as such before
** its operands are looked at; -1 if unknown. */
static int guess_op(parser *ps)
{
	static const struct {
		const char *w;
		int op;
	} words[] = {
		{"goexit", ST_GOEXIT}, {"return", ST_RETURN}, {"lock", ST_LOCK},
		{"unlock", ST_UNLOCK}, {"fault", ST_FAULT},   {"call", ST_CALL},
		{"defer", ST_DEFER},   {"cgo", ST_CGO},	      {"callback", ST_CALLBACK},
		{"check", ST_CHECK},   {"panic", ST_PANIC},   {"recover", ST_RECOVER},
		{"grow", ST_GROW},     {"gc", ST_GC},	      {"seh", ST_SEHPUSH},
		{"if", ST_RETZ},       {"*", ST_STORE},
	};
	const tok *t = peek(ps);
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (tok_is(t, words[i].w))
			return words[i].op;
	if (t->kind == T_IDENT && tok_is(&ps->t[ps->pos + 1], "="))
		return ST_ASSIGN;
	return -1;
}

/* Which statements each function kind may hold (mirrors prog_valid.c). */
static int op_allowed(int kind, int op)
{
	if (kind == FK_C)
		return op == ST_CALL || op == ST_CALLBACK || op == ST_SEHPUSH ||
		       op == ST_SEHPOP || op == ST_GC || op == ST_RETZ ||
		       op == ST_RETURN;
	return op != ST_CALLBACK && op != ST_SEHPUSH && op != ST_SEHPOP;
}

static int stmt_line(parser *ps)
{
	prog_func *f = curf(ps);
	tok *first = peek(ps);
	if (f->nstmts == PROG_MAX_STMTS)
		return terr(ps, first, "too many statements in '%s' (max %d)",
			    f->name, PROG_MAX_STMTS);
	if (ps->npending == MAX_PENDING) /* cannot happen: one per stmt */
		return terr(ps, first, "too many calls");
	prog_stmt *s = &f->stmts[f->nstmts];
	memset(s, 0, sizeof *s);
	s->line = ps->line;
	s->col = first->col;
	int op = guess_op(ps);
	if (op >= 0 && !op_allowed(f->kind, op)) {
		const char *kn = f->kind == FK_C ? "C" : "Go";
		if (op == ST_ASSIGN || op == ST_STORE)
			return terr(ps, first, "%s are not allowed in a %s function",
				    op == ST_ASSIGN ? "assignments" : "stores", kn);
		return terr(ps, first, "'%.*s' is not allowed in a %s function",
			    first->len, first->s, kn);
	}
	if (parse_stmt(ps, s) || expect_eol(ps))
		return -1;
	f->nstmts++;
	return 0;
}

static int parse_type(parser *ps, uint8_t *ty)
{
	tok *t = peek(ps);
	int ptr = accept(ps, "*");
	if (!accept(ps, "int"))
		return terr(ps, ptr ? peek(ps) : t, "expected type int or *int");
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
	prog_func *f = curf(ps);
	tok *v = next(ps);
	tok *nt = peek(ps);
	char name[PROG_MAX_NAME];
	if (f->kind == FK_C)
		return terr(ps, v, "C functions have no locals");
	if (f->nstmts > 0)
		return terr(ps, v, "'var' must come before the first statement");
	if (f->nlocals == PROG_MAX_LOCALS)
		return terr(ps, v, "too many locals (max %d)", PROG_MAX_LOCALS);
	if (take_name(ps, name, "a local name"))
		return -1;
	int i = f->nparams + f->nlocals;
	if (slot_dup(f, name, i))
		return terr(ps, nt, "duplicate name '%s'", name);
	if (parse_type(ps, &f->type[i]) || expect_eol(ps))
		return -1;
	memcpy(f->slotname[i], name, sizeof name);
	f->nlocals++;
	return 0;
}

static int func_header(parser *ps, int kind)
{
	prog *p = ps->p;
	tok *kw = next(ps);
	if (p->nfuncs == PROG_MAX_FUNCS)
		return terr(ps, kw, "too many functions (max %d)", PROG_MAX_FUNCS);
	int fi = (int)p->nfuncs;
	prog_func *f = &p->funcs[fi];
	memset(f, 0, sizeof *f);
	f->kind = (uint8_t)kind;
	f->line = ps->line;
	tok *nt = peek(ps);
	if (take_name(ps, f->name, "a function name"))
		return -1;
	for (int j = 0; j < fi; j++)
		if (strcmp(p->funcs[j].name, f->name) == 0)
			return terr(ps, nt, "duplicate function '%s'", f->name);
	if (fi == 0 && kind != FK_GO)
		return terr(ps, kw, "the first function (the entry) must be a Go function");
	if (expect_tok(ps, "("))
		return -1;
	if (!accept(ps, ")")) {
		for (;;) {
			tok *pt = peek(ps);
			char name[PROG_MAX_NAME];
			if (fi == 0)
				return terr(ps, pt, "the entry function takes no parameters");
			if (f->nparams == PROG_MAX_PARAMS)
				return terr(ps, pt, "too many parameters (max %d)",
					    PROG_MAX_PARAMS);
			if (take_name(ps, name, "a parameter name"))
				return -1;
			if (slot_dup(f, name, f->nparams))
				return terr(ps, pt, "duplicate name '%s'", name);
			if (kind == FK_GO && parse_type(ps, &f->type[f->nparams]))
				return -1;
			memcpy(f->slotname[f->nparams], name, sizeof name);
			f->nparams++;
			if (accept(ps, ")"))
				break;
			if (!accept(ps, ","))
				return terr(ps, peek(ps), "expected ')'");
		}
	}
	int seen_pad = 0;
	while (peek(ps)->kind != T_EOL) {
		tok *o = next(ps);
		if (tok_is(o, "pad") && !seen_pad) {
			tok *n = next(ps);
			seen_pad = 1;
			if (n->kind != T_NUM)
				return terr(ps, n, "expected a number");
			if (n->num > PROG_MAX_PAD || n->num % 8)
				return terr(ps, n, "pad must be a multiple of 8 in 0..%d",
					    PROG_MAX_PAD);
			f->pad = (uint32_t)n->num;
		} else if (tok_is(o, "cgowrapper") && !f->flags) {
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
/* headers */

static const char *const target_names[] = {"linux/amd64", "windows/386"};
static const char *const barrier_names[] = {"off", "spaced", "every"};

/* A word of a header line: [s, s+len) at column col. */
typedef struct {
	const char *s;
	size_t len;
	uint32_t col;
} word;

static int split_words(const char *s, size_t len, uint32_t col0, word *w,
		       int max)
{
	int n = 0;
	size_t i = 0;
	while (n < max) {
		while (i < len && is_blank((unsigned char)s[i]))
			i++;
		if (i == len)
			break;
		w[n].s = s + i;
		w[n].col = col0 + (uint32_t)i;
		while (i < len && !is_blank((unsigned char)s[i]))
			i++;
		w[n].len = (size_t)((s + i) - w[n].s);
		n++;
	}
	return n;
}

static int word_is(const char *s, size_t len, const char *lit)
{
	return len == strlen(lit) && memcmp(s, lit, len) == 0;
}

/* Decimal number in [lo, hi]; -1 if not one. */
static int parse_num(const char *s, size_t len, uint32_t lo, uint32_t hi,
		     uint32_t *out)
{
	unsigned long long v = 0;
	if (len == 0 || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int enum_val(const char *s, size_t len, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (word_is(s, len, names[i]))
			return i;
	return -1;
}

static int config_line(parser *ps, const char *s, size_t len, uint32_t col0)
{
	prog_config *c = &ps->p->cfg;
	word w[32];
	int nw = split_words(s, len, col0, w, 32);
	if (nw == 32)
		return perr(ps, ps->line, w[31].col, "too many config keys");
	for (int i = 0; i < nw; i++) {
		const char *eq = memchr(w[i].s, '=', w[i].len);
		if (eq == NULL)
			return perr(ps, ps->line, w[i].col, "expected key=value");
		size_t kl = (size_t)(eq - w[i].s);
		const char *v = eq + 1;
		size_t vl = w[i].len - kl - 1;
		const char *k = w[i].s;
		uint8_t *has;
		uint32_t u;
		int e = -1;
		if (word_is(k, kl, "target"))
			has = &c->has_target;
		else if (word_is(k, kl, "stack"))
			has = &c->has_stack;
		else if (word_is(k, kl, "maxstack"))
			has = &c->has_maxstack;
		else if (word_is(k, kl, "budget"))
			has = &c->has_budget;
		else if (word_is(k, kl, "barriers"))
			has = &c->has_barriers;
		else if (word_is(k, kl, "bug"))
			has = &c->has_bugs;
		else if (word_is(k, kl, "stress"))
			has = &c->has_stress;
		else if (word_is(k, kl, "debug"))
			has = &c->has_debug;
		else
			return perr(ps, ps->line, w[i].col,
				    "unknown config key '%.*s'", (int)kl, k);
		if (*has)
			return perr(ps, ps->line, w[i].col,
				    "duplicate config key '%.*s'", (int)kl, k);
		*has = 1;
		if (has == &c->has_target) {
			e = enum_val(v, vl, target_names, 2);
			if (e >= 0)
				c->target = (uint8_t)e;
		} else if (has == &c->has_barriers) {
			e = enum_val(v, vl, barrier_names, 3);
			if (e >= 0)
				c->barriers = (uint8_t)e;
		} else if (has == &c->has_stack) {
			e = parse_num(v, vl, 512, 1048576, &u);
			if (e == 0 && u % 8)
				e = -1;
			if (e == 0)
				c->stack = u;
			ps->stack_line = ps->line;
			ps->stack_col = w[i].col;
		} else if (has == &c->has_maxstack) {
			e = parse_num(v, vl, 1, 64u << 20, &u);
			if (e == 0)
				c->maxstack = u;
			ps->maxstack_line = ps->line;
			ps->maxstack_col = w[i].col;
		} else if (has == &c->has_budget) {
			e = parse_num(v, vl, 1, 100000000, &u);
			if (e == 0)
				c->budget = u;
		} else if (has == &c->has_bugs) {
			char buf[64];
			if (vl < sizeof buf) {
				memcpy(buf, v, vl);
				buf[vl] = 0;
				e = prog_parse_bugs(buf, &c->bugs);
			}
		} else if (has == &c->has_stress) {
			e = parse_num(v, vl, 0, 1, &u);
			if (e == 0)
				c->stress = (uint8_t)u;
		} else {
			e = parse_num(v, vl, 0, 4, &u);
			if (e == 0)
				c->debug = (uint8_t)u;
		}
		if (e < 0)
			return perr(ps, ps->line, w[i].col + (uint32_t)kl + 1,
				    "bad value '%.*s' for config key '%.*s'",
				    (int)vl, v, (int)kl, k);
	}
	return 0;
}

static int id_char(int c) { return is_alpha(c) || is_digit(c); }

static int expect_line(parser *ps, const char *s, size_t len, uint32_t col0)
{
	prog_expect *x = &ps->p->expect;
	word w[3];
	int nw = split_words(s, len, col0, w, 3);
	if (ps->have_expect)
		return perr(ps, ps->line, col0 - 7, "duplicate expect line");
	ps->have_expect = 1;
	if (nw == 0)
		return perr(ps, ps->line, col0, "expected an expectation");
	static const struct {
		const char *w;
		int kind;
		int arg;
	} kinds[] = {
		{"ok", EXPECT_OK, 0},	      {"violation", EXPECT_VIOLATION, 1},
		{"panic", EXPECT_PANIC, 2},   {"goexit", EXPECT_GOEXIT, 0},
		{"overflow", EXPECT_OVERFLOW, 0}, {"budget", EXPECT_BUDGET, 0},
		{"limit", EXPECT_LIMIT, 0},
	};
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		if (!word_is(w[0].s, w[0].len, kinds[k].w))
			continue;
		x->kind = (uint8_t)kinds[k].kind;
		if (kinds[k].arg == 0) {
			if (nw > 1)
				return perr(ps, ps->line, w[1].col,
					    "unexpected '%.*s'", (int)w[1].len,
					    w[1].s);
			return 0;
		}
		if (nw < 2)
			return perr(ps, ps->line, w[0].col + (uint32_t)w[0].len,
				    kinds[k].arg == 1 ? "expected an invariant id"
						      : "expected a panic value");
		if (kinds[k].arg == 1) {
			int ok = w[1].len > 0 && w[1].len < sizeof x->id;
			for (size_t i = 0; ok && i < w[1].len; i++)
				ok = id_char((unsigned char)w[1].s[i]);
			if (!ok)
				return perr(ps, ps->line, w[1].col,
					    "bad invariant id '%.*s'",
					    (int)w[1].len, w[1].s);
			if (nw > 2)
				return perr(ps, ps->line, w[2].col,
					    "unexpected '%.*s'", (int)w[2].len,
					    w[2].s);
			memcpy(x->id, w[1].s, w[1].len);
			x->id[w[1].len] = 0;
			if (inv_lookup(x->id) < 0)
				return perr(ps, ps->line, w[1].col,
					    "unknown invariant id '%.*s'",
					    (int)w[1].len, w[1].s);
			return 0;
		}
		/* panic: the rest of the line, trimmed */
		size_t end = len;
		while (end > 0 && is_blank((unsigned char)s[end - 1]))
			end--;
		size_t start = (size_t)(w[1].s - s), n = end - start;
		if (n >= sizeof x->text)
			return perr(ps, ps->line, w[1].col,
				    "panic value too long (max %d chars)",
				    (int)sizeof x->text - 1);
		for (size_t i = start; i < end; i++)
			if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
				return perr(ps, ps->line, col0 + (uint32_t)i,
					    "bad character in panic value");
		memcpy(x->text, s + start, n);
		return 0;
	}
	return perr(ps, ps->line, w[0].col, "unknown expectation '%.*s'",
		    (int)w[0].len, w[0].s);
}

/* If line is a `# config:`/`# expect:` header, handles it (returns 1 or
** -1); else 0. */
static int header_line(parser *ps, const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && is_blank((unsigned char)line[i]))
		i++;
	if (i == len || line[i] != '#')
		return 0;
	i++;
	while (i < len && is_blank((unsigned char)line[i]))
		i++;
	int cfg = len - i >= 7 && memcmp(line + i, "config:", 7) == 0;
	int exp = len - i >= 7 && memcmp(line + i, "expect:", 7) == 0;
	if (!cfg && !exp)
		return 0;
	i += 7;
	/* a further '#' starts a comment, as everywhere */
	const char *hash = memchr(line + i, '#', len - i);
	size_t end = hash ? (size_t)(hash - line) : len;
	int r = cfg ? config_line(ps, line + i, end - i, (uint32_t)i + 1)
		    : expect_line(ps, line + i, end - i, (uint32_t)i + 1);
	return r < 0 ? -1 : 1;
}

/* ------------------------------------------------------------------ */
/* file level */

static int do_line(parser *ps, const char *line, size_t len)
{
	if (!ps->seen_func) {
		int h = header_line(ps, line, len);
		if (h != 0)
			return h < 0 ? -1 : 0;
	}
	const char *hash = memchr(line, '#', len);
	if (hash != NULL)
		len = (size_t)(hash - line);
	if (tokenize(ps, line, len))
		return -1;
	tok *t = peek(ps);
	if (t->kind == T_EOL)
		return 0;
	if (ps->cur < 0) {
		if (tok_is(t, "func"))
			return func_header(ps, FK_GO);
		if (tok_is(t, "cfunc"))
			return func_header(ps, FK_C);
		if (tok_is(t, "end"))
			return terr(ps, t, "'end' outside function");
		return terr(ps, t, "statement outside function");
	}
	if (tok_is(t, "end")) {
		next(ps);
		if (expect_eol(ps))
			return -1;
		ps->cur = -1;
		return 0;
	}
	if (tok_is(t, "func") || tok_is(t, "cfunc"))
		return terr(ps, t, "missing 'end' of function '%s' before '%.*s'",
			    curf(ps)->name, t->len, t->s);
	if (tok_is(t, "var"))
		return var_line(ps);
	return stmt_line(ps);
}

/* Resolves, arity- and type-checks the pending calls in file order. */
static int resolve_calls(parser *ps)
{
	prog *p = ps->p;
	for (int i = 0; i < ps->npending; i++) {
		pending *pd = &ps->pend[i];
		prog_func *f = &p->funcs[pd->func];
		prog_stmt *s = &f->stmts[pd->stmt];
		int fn = prog_find_func(p, pd->name);
		if (fn < 0)
			return perr(ps, pd->line, pd->col, "unknown function '%s'",
				    pd->name);
		const prog_func *g = &p->funcs[fn];
		int need = s->op == ST_CALL ? f->kind
			   : s->op == ST_CGO ? FK_C
					     : FK_GO;
		if (g->kind != need) {
			const char *why =
				s->op == ST_CALL
					? (need == FK_GO ? "is a C function (use cgo)"
							 : "is a Go function (use callback)")
				: need == FK_C ? "is not a C function"
					       : "is not a Go function";
			return perr(ps, pd->line, pd->col, "%s: '%s' %s",
				    prog_op_name(s->op), pd->name, why);
		}
		if (s->nargs != g->nparams)
			return perr(ps, pd->line, pd->col,
				    "'%s' takes %d argument%s, got %d", pd->name,
				    g->nparams, g->nparams == 1 ? "" : "s",
				    s->nargs);
		for (int k = 0; k < s->nargs; k++) {
			if (type_ok(f, &s->a[k], g->type[k]))
				continue;
			char buf[32];
			expr_str(f, &s->a[k], buf, sizeof buf);
			return perr(ps, pd->line, pd->argcol[k],
				    "cannot use %s as %s in argument %d of '%s'",
				    buf, type_name(g->type[k]), k + 1, pd->name);
		}
		s->fn = (uint8_t)fn;
	}
	return 0;
}

int prog_parse(const char *file, const char *text, size_t len, prog *out,
	       char *errbuf, size_t errlen)
{
	parser *ps;
	int r = -1;
	if (file == NULL)
		file = "<input>";
	if (errbuf != NULL && errlen > 0)
		errbuf[0] = 0;
	if (out == NULL)
		return -1;
	prog_init(out);
	ps = calloc(1, sizeof *ps);
	if (ps == NULL) {
		if (errbuf != NULL && errlen > 0)
			snprintf(errbuf, errlen, "%s: out of memory", file);
		return -1;
	}
	ps->file = file;
	ps->err = errbuf;
	ps->errlen = errlen;
	ps->p = out;
	ps->cur = -1;
	if (text == NULL)
		len = 0;
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - text) : len;
		ps->line++;
		if (do_line(ps, text + i, e - i))
			goto out;
		i = e + 1;
	}
	if (ps->cur >= 0) {
		perr(ps, curf(ps)->line, ps->curcol,
		     "missing 'end' of function '%s'", curf(ps)->name);
		goto out;
	}
	if (out->nfuncs == 0) {
		perr(ps, ps->line + 1, 1, "no functions");
		goto out;
	}
	if (out->cfg.maxstack < out->cfg.stack) {
		if (out->cfg.has_maxstack)
			perr(ps, ps->maxstack_line, ps->maxstack_col,
			     "maxstack %u is below stack %u", out->cfg.maxstack,
			     out->cfg.stack);
		else
			perr(ps, ps->stack_line, ps->stack_col,
			     "stack %u is above maxstack %u", out->cfg.stack,
			     out->cfg.maxstack);
		goto out;
	}
	if (resolve_calls(ps))
		goto out;
	prog_error ve;
	if (prog_validate(out, &ve)) {
		uint32_t line = 1, col = 1;
		if (ve.func >= 0 && ve.func < (int)out->nfuncs) {
			const prog_func *f = &out->funcs[ve.func];
			line = f->line, col = 1;
			if (ve.stmt >= 0 && ve.stmt < (int)f->nstmts)
				line = f->stmts[ve.stmt].line,
				col = f->stmts[ve.stmt].col;
		}
		perr(ps, line, col, "%s", ve.msg);
		goto out;
	}
	r = 0;
out:
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

/* ------------------------------------------------------------------ */
/* bug lists */

static const struct {
	uint32_t bit;
	const char *name;
} bug_names[] = { /* ascending by number */
	{BUG_7470, "7470"},
	{BUG_7695, "7695"},
	{BUG_12238, "12238"},
};

int prog_parse_bugs(const char *list, uint32_t *bugs)
{
	uint32_t m = 0;
	const char *s = list;
	if (list == NULL || bugs == NULL)
		return -1;
	while (is_blank((unsigned char)*s))
		s++;
	if (*s == 0 || strcmp(s, "none") == 0) {
		*bugs = 0;
		return 0;
	}
	for (;;) {
		while (is_blank((unsigned char)*s))
			s++;
		size_t n = 0;
		while (is_digit((unsigned char)s[n]))
			n++;
		size_t k;
		for (k = 0; k < sizeof bug_names / sizeof bug_names[0]; k++)
			if (word_is(s, n, bug_names[k].name))
				break;
		if (k == sizeof bug_names / sizeof bug_names[0])
			return -1;
		m |= bug_names[k].bit;
		s += n;
		while (is_blank((unsigned char)*s))
			s++;
		if (*s == 0)
			break;
		if (*s != ',')
			return -1;
		s++;
	}
	*bugs = m;
	return 0;
}

void prog_format_bugs(uint32_t bugs, char *buf, size_t len)
{
	size_t o = 0;
	if (buf == NULL || len == 0)
		return;
	buf[0] = 0;
	for (size_t k = 0; k < sizeof bug_names / sizeof bug_names[0]; k++) {
		if (!(bugs & bug_names[k].bit))
			continue;
		int n = snprintf(buf + o, len - o, "%s%s", o ? "," : "",
				 bug_names[k].name);
		if (n < 0 || (size_t)n >= len - o)
			return; /* truncated, still NUL-terminated */
		o += (size_t)n;
	}
	if (o == 0)
		snprintf(buf, len, "none");
}

/* ------------------------------------------------------------------ */
/* printing */

typedef struct {
	char *s;
	size_t len, cap;
	int oom;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		size_t ncap = (b->cap + (size_t)n + 1) * 2;
		char *ns = realloc(b->s, ncap);
		if (ns == NULL) {
			b->oom = 1;
			return;
		}
		b->s = ns;
		b->cap = ncap;
	}
}

static const prog_func *func_at(const prog *p, int f)
{
	if (p == NULL || f < 0 || f >= PROG_MAX_FUNCS || (uint32_t)f >= p->nfuncs)
		return NULL;
	return &p->funcs[f];
}

void prog_print_stmt(const prog *p, int f, const prog_stmt *s, char *buf,
		     size_t len)
{
	const prog_func *fn = func_at(p, f);
	const prog_func *callee = s != NULL ? func_at(p, s->fn) : NULL;
	const char *sn = "?", *cn = "?";
	int snl = 1, cnl = 1;
	char a[PROG_MAX_PARAMS][32], args[160];
	if (buf == NULL || len == 0)
		return;
	if (s == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	if (fn != NULL && s->slot < fn->nparams + fn->nlocals &&
	    s->slot < PROG_MAX_SLOTS) {
		sn = fn->slotname[s->slot];
		snl = (int)strnlen(sn, PROG_MAX_NAME);
	}
	if (callee != NULL) {
		cn = callee->name;
		cnl = (int)strnlen(cn, PROG_MAX_NAME);
	}
	for (int i = 0; i < PROG_MAX_PARAMS; i++)
		expr_str(fn, &s->a[i], a[i], sizeof a[i]);
	args[0] = 0;
	for (int i = 0, o = 0; i < s->nargs && i < PROG_MAX_PARAMS; i++) {
		int n = snprintf(args + o, sizeof args - (size_t)o, "%s%s",
				 i ? ", " : "", a[i]);
		if (n > 0)
			o += n;
	}
	switch (s->op) {
	case ST_ASSIGN:
		snprintf(buf, len, "%.*s = %s", snl, sn, a[0]);
		break;
	case ST_STORE:
		snprintf(buf, len, "*%.*s = %s", snl, sn, a[0]);
		break;
	case ST_CHECK:
		snprintf(buf, len, "check %s%.*s == %s", s->n ? "*" : "", snl,
			 sn, a[0]);
		break;
	case ST_CALL:
	case ST_DEFER:
	case ST_CGO:
	case ST_CALLBACK:
		snprintf(buf, len, "%s %.*s(%s)",
			 s->op == ST_CALL    ? "call"
			 : s->op == ST_DEFER ? "defer"
			 : s->op == ST_CGO   ? "cgo"
					     : "callback",
			 cnl, cn, args);
		break;
	case ST_PANIC:
		snprintf(buf, len, "panic %s", a[0]);
		break;
	case ST_RECOVER:
		if (s->n)
			snprintf(buf, len, "%.*s = recover()", snl, sn);
		else
			snprintf(buf, len, "recover()");
		break;
	case ST_GROW:
		snprintf(buf, len, "grow %d", (int)s->n);
		break;
	case ST_GC:
		snprintf(buf, len, "gc %s", prog_gc_name(s->n));
		break;
	case ST_RETZ:
		snprintf(buf, len, "if %.*s == 0 return", snl, sn);
		break;
	case ST_SEHPUSH:
		snprintf(buf, len, "seh push");
		break;
	case ST_SEHPOP:
		snprintf(buf, len, "seh pop");
		break;
	case ST_GOEXIT:
	case ST_RETURN:
	case ST_LOCK:
	case ST_UNLOCK:
	case ST_FAULT:
		snprintf(buf, len, "%s", prog_op_name(s->op));
		break;
	default:
		snprintf(buf, len, "?op%d", s->op);
		break;
	}
}

/* A key is printed if the header stated it or its value is not the
** default: parsed programs print exactly their stated keys, and a
** program whose cfg was set in code (a fuzzer's) keeps its config when
** printed as a reproducer. */
static void print_config(sbuf *b, const prog_config *c)
{
	/* prog_init's values (a whole prog is too big for the stack here) */
	static const prog_config defaults = {
		.target = TARGET_LINUX_AMD64, .barriers = BARRIERS_SPACED,
		.stack = 2048, .maxstack = 1048576, .budget = 200000,
	};
	const prog_config *d = &defaults;
	char bugs[64];
	int t = c->has_target || c->target != d->target;
	int st = c->has_stack || c->stack != d->stack;
	int ms = c->has_maxstack || c->maxstack != d->maxstack;
	int bu = c->has_budget || c->budget != d->budget;
	int ba = c->has_barriers || c->barriers != d->barriers;
	int bg = c->has_bugs || c->bugs != d->bugs;
	int sr = c->has_stress || c->stress != d->stress;
	int db = c->has_debug || c->debug != d->debug;
	if (!(t | st | ms | bu | ba | bg | sr | db))
		return;
	sb_printf(b, "# config:");
	if (t)
		sb_printf(b, " target=%s",
			  c->target < 2 ? target_names[c->target] : "?");
	if (st)
		sb_printf(b, " stack=%u", c->stack);
	if (ms)
		sb_printf(b, " maxstack=%u", c->maxstack);
	if (bu)
		sb_printf(b, " budget=%u", c->budget);
	if (ba)
		sb_printf(b, " barriers=%s",
			  c->barriers < 3 ? barrier_names[c->barriers] : "?");
	if (bg) {
		prog_format_bugs(c->bugs, bugs, sizeof bugs);
		sb_printf(b, " bug=%s", bugs);
	}
	if (sr)
		sb_printf(b, " stress=%u", c->stress);
	if (db)
		sb_printf(b, " debug=%u", c->debug);
	sb_printf(b, "\n");
}

static void print_expect(sbuf *b, const prog_expect *x)
{
	static const char *const words[] = {
		"", "ok", "violation", "panic", "goexit", "overflow", "budget", "limit",
	};
	if (x->kind == EXPECT_NONE)
		return;
	if (x->kind >= sizeof words / sizeof words[0]) {
		sb_printf(b, "# expect: ?\n");
		return;
	}
	sb_printf(b, "# expect: %s", words[x->kind]);
	if (x->kind == EXPECT_VIOLATION)
		sb_printf(b, " %.*s", (int)strnlen(x->id, sizeof x->id), x->id);
	else if (x->kind == EXPECT_PANIC)
		sb_printf(b, " %.*s", (int)strnlen(x->text, sizeof x->text),
			  x->text);
	sb_printf(b, "\n");
}

static void print_func(sbuf *b, const prog *p, int fi)
{
	const prog_func *f = &p->funcs[fi];
	int np = f->nparams > PROG_MAX_PARAMS ? PROG_MAX_PARAMS : f->nparams;
	int ns = np + f->nlocals > PROG_MAX_SLOTS ? PROG_MAX_SLOTS
						  : np + f->nlocals;
	char line[256];
	sb_printf(b, "%s %.*s(", f->kind == FK_C ? "cfunc" : "func",
		  (int)strnlen(f->name, PROG_MAX_NAME), f->name);
	for (int i = 0; i < np; i++) {
		sb_printf(b, "%s%.*s", i ? ", " : "",
			  (int)strnlen(f->slotname[i], PROG_MAX_NAME),
			  f->slotname[i]);
		if (f->kind != FK_C)
			sb_printf(b, " %s", type_name(f->type[i]));
	}
	sb_printf(b, ")");
	if (f->pad)
		sb_printf(b, " pad %u", f->pad);
	if (f->flags & FF_CGOWRAPPER)
		sb_printf(b, " cgowrapper");
	sb_printf(b, "\n");
	for (int i = np; i < ns; i++)
		sb_printf(b, "  var %.*s %s\n",
			  (int)strnlen(f->slotname[i], PROG_MAX_NAME),
			  f->slotname[i], type_name(f->type[i]));
	uint32_t nst = f->nstmts > PROG_MAX_STMTS ? PROG_MAX_STMTS : f->nstmts;
	for (uint32_t i = 0; i < nst; i++) {
		prog_print_stmt(p, fi, &f->stmts[i], line, sizeof line);
		sb_printf(b, "  %s\n", line);
	}
	sb_printf(b, "end\n");
}

char *prog_print(const prog *p)
{
	sbuf b = {malloc(256), 0, 256, 0};
	if (b.s == NULL)
		return NULL;
	b.s[0] = 0;
	if (p == NULL)
		return b.s;
	size_t before = b.len;
	print_config(&b, &p->cfg);
	print_expect(&b, &p->expect);
	if (b.len != before)
		sb_printf(&b, "\n");
	uint32_t nf = p->nfuncs > PROG_MAX_FUNCS ? PROG_MAX_FUNCS : p->nfuncs;
	for (uint32_t i = 0; i < nf; i++) {
		if (i > 0)
			sb_printf(&b, "\n");
		print_func(&b, p, (int)i);
	}
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
