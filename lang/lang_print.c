/*
** lang_print.c: the canonical printer of the text form.
**
** A statement is printed by filling the holes of its op's template (the
** op table's form, lang_op.h), the same template the parser matches, so
** print(parse(print(parse(T)))) == print(parse(T)), names included. The
** printer never crashes on invalid programs (bounded names, "?" for
** out-of-range indexes), but only valid ones round-trip.
*/
#include "lang_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lang_sb_printf(lang_sbuf *b, const char *fmt, ...)
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

void prog_expr_str(const prog_func *f, const prog_expr *e, char *buf, size_t len)
{
	int n = f ? prog_nslots(f) : 0;
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
	const lang_opinfo *o = s != NULL ? lang_op(s->op) : NULL;
	if (s != NULL && o == NULL) {
		snprintf(buf, len, "?op%d", s->op);
		return;
	}
	if (s == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	if (fn != NULL && s->slot < prog_nslots(fn) &&
	    s->slot < PROG_MAX_SLOTS) {
		sn = fn->slotname[s->slot];
		snl = (int)strnlen(sn, PROG_MAX_NAME);
	}
	if (callee != NULL) {
		cn = callee->name;
		cnl = (int)strnlen(cn, PROG_MAX_NAME);
	}
	for (int i = 0; i < PROG_MAX_PARAMS; i++)
		prog_expr_str(fn, &s->a[i], a[i], sizeof a[i]);
	args[0] = 0;
	for (int i = 0, o2 = 0; i < s->nargs && i < PROG_MAX_PARAMS; i++) {
		int n = snprintf(args + o2, sizeof args - (size_t)o2, "%s%s",
				 i ? ", " : "", a[i]);
		if (n > 0)
			o2 += n;
	}
	/* an invalid form number prints as the second form */
	const char *t = o->form[o->n == LN_FORM && s->n != 0].text;
	size_t w = 0;
	buf[0] = 0;
	for (; *t && w + 1 < len; t++) {
		int n = 0;
		if (*t != '%') {
			buf[w++] = *t;
			buf[w] = 0;
			continue;
		}
		switch (*++t) {
		case 's':
			n = snprintf(buf + w, len - w, "%.*s", snl, sn);
			break;
		case 'a':
			n = snprintf(buf + w, len - w, "%s", a[0]);
			break;
		case 'b':
			n = snprintf(buf + w, len - w, "%s", a[1]);
			break;
		case 'f':
			n = snprintf(buf + w, len - w, "%.*s", cnl, cn);
			break;
		case 'A':
			n = snprintf(buf + w, len - w, "%s", args);
			break;
		case 'n':
			n = snprintf(buf + w, len - w, "%d", (int)s->n);
			break;
		case 'g':
			n = snprintf(buf + w, len - w, "%s", prog_gc_name(s->n));
			break;
		default:
			t--; /* a template typo: print it, never read past NUL */
			buf[w++] = '%';
			buf[w] = 0;
			break;
		}
		if (n > 0)
			w = w + (size_t)n < len ? w + (size_t)n : len - 1;
	}
}

static void print_func(lang_sbuf *b, const prog *p, int fi)
{
	const prog_func *f = &p->funcs[fi];
	int np = f->nparams > PROG_MAX_PARAMS ? PROG_MAX_PARAMS : f->nparams;
	int na = np + (f->nresults ? 1 : 0);
	int ns = na + f->nlocals > PROG_MAX_SLOTS ? PROG_MAX_SLOTS
						  : na + f->nlocals;
	char line[256];
	lang_sb_printf(b, "%s %.*s(", f->kind == FK_C ? "cfunc" : "func",
		       (int)strnlen(f->name, PROG_MAX_NAME), f->name);
	for (int i = 0; i < np; i++) {
		lang_sb_printf(b, "%s%.*s", i ? ", " : "",
			       (int)strnlen(f->slotname[i], PROG_MAX_NAME),
			       f->slotname[i]);
		if (f->kind != FK_C)
			lang_sb_printf(b, " %s", prog_type_name(f->type[i]));
	}
	lang_sb_printf(b, ")");
	if (na > np) /* the result, named: `(r int)`, in C `(r)` */
		lang_sb_printf(b, " (%.*s%s)", (int)strnlen(f->slotname[np], PROG_MAX_NAME),
			       f->slotname[np], f->kind != FK_C ? " int" : "");
	if (f->pad)
		lang_sb_printf(b, " pad %u", f->pad);
	if (f->flags & FF_CGOWRAPPER)
		lang_sb_printf(b, " cgowrapper");
	lang_sb_printf(b, "\n");
	for (int i = na; i < ns; i++)
		lang_sb_printf(b, "  var %.*s %s\n",
			       (int)strnlen(f->slotname[i], PROG_MAX_NAME),
			       f->slotname[i], prog_type_name(f->type[i]));
	uint32_t nst = f->nstmts > PROG_MAX_STMTS ? PROG_MAX_STMTS : f->nstmts;
	for (uint32_t i = 0; i < nst; i++) {
		prog_print_stmt(p, fi, &f->stmts[i], line, sizeof line);
		lang_sb_printf(b, "  %s\n", line);
	}
	lang_sb_printf(b, "end\n");
}

char *prog_print(const prog *p)
{
	lang_sbuf b = {malloc(256), 0, 256, 0};
	if (b.s == NULL)
		return NULL;
	b.s[0] = 0;
	if (p == NULL)
		return b.s;
	size_t before = b.len;
	lang_print_headers(&b, p);
	if (b.len != before)
		lang_sb_printf(&b, "\n");
	uint32_t nf = p->nfuncs > PROG_MAX_FUNCS ? PROG_MAX_FUNCS : p->nfuncs;
	for (uint32_t i = 0; i < nf; i++) {
		if (i > 0)
			lang_sb_printf(&b, "\n");
		print_func(&b, p, (int)i);
	}
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
