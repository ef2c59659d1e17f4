/*
** lang_prog.c: what every form of a program shares: the defaults, names
** and keywords, lookups, structural equality.
**
** The reserved words are the structural ones (func, var, pad, ...) and
** every word the op table's text forms spell (call, defer, seh, push,
** ...), so a statement added to the table reserves its words without a
** second list to keep in step.
*/
#include "lang_internal.h"

#include <string.h>

static const char *const structural[] = {
	"func", "cfunc", "end",	   "var",  "int",      "nil",
	"pad",	"cgowrapper", "shrink", "scan", "markterm",
};

static const char *const gc_names[GC__COUNT] = {"shrink", "scan", "markterm"};

int lang_is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

int lang_is_digit(int c) { return c >= '0' && c <= '9'; }

int lang_is_alnum(int c) { return lang_is_alpha(c) || lang_is_digit(c); }

/* The words of the op table's text forms (not holes like %s), gathered
** once: repair checks every name of every decoded program. */
enum { MAX_WORDS = 2 * ST__COUNT * 4 };
static struct {
	const char *s;
	size_t n;
} words[MAX_WORDS];
static int nwords = -1;

static void gather_words(void)
{
	nwords = 0;
	for (int op = 0; op < ST__COUNT; op++)
		for (int k = 0; k < 2; k++) {
			const char *t = lang_ops[op].form[k].text;
			for (size_t i = 0; t && t[i];) {
				if (!lang_is_alpha((unsigned char)t[i]) ||
				    (i > 0 && t[i - 1] == '%')) {
					i++;
					continue;
				}
				size_t j = i;
				while (lang_is_alnum((unsigned char)t[j]))
					j++;
				if (nwords < MAX_WORDS) {
					words[nwords].s = t + i;
					words[nwords++].n = j - i;
				}
				i = j;
			}
		}
}

int lang_keyword(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof structural / sizeof structural[0]; i++)
		if (strlen(structural[i]) == n && memcmp(structural[i], s, n) == 0)
			return 1;
	if (nwords < 0)
		gather_words();
	for (int i = 0; i < nwords; i++)
		if (words[i].n == n && memcmp(words[i].s, s, n) == 0)
			return 1;
	return 0;
}

int lang_name_ok(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	if (n == 0 || n >= cap || !lang_is_alpha((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!lang_is_alnum((unsigned char)s[i]))
			return 0;
	return !lang_keyword(s, n);
}

int prog_name_ok(const char *name)
{
	return name != NULL && lang_name_ok(name, PROG_MAX_NAME);
}

/* An expected violation must name an invariant of the catalogue
** (invariants/inv.c). lang/ sits below the checkers, so the reference is
** weak: where the checkers are not linked (the AFL++ mutator library,
** whose programs come from binary inputs and carry no expectation) it
** is null and any well-formed ID passes. */
extern int inv_lookup(const char *id) __attribute__((weak));
int lang_id_known(const char *id)
{
	return !inv_lookup || inv_lookup(id) >= 0;
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

const char *prog_gc_name(int kind)
{
	return kind >= 0 && kind < GC__COUNT ? gc_names[kind] : "?";
}

const char *prog_type_name(int ty) { return ty == TY_PTR ? "*int" : "int"; }

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

/* ---- equality ---- */

static int expr_eq(const prog_expr *a, const prog_expr *b)
{
	return a->kind == b->kind && a->v == b->v;
}

static int func_eq(const prog_func *a, const prog_func *b, int names)
{
	if (a->kind != b->kind || a->flags != b->flags ||
	    a->nparams != b->nparams || a->nlocals != b->nlocals ||
	    a->nresults != b->nresults ||
	    a->pad != b->pad || a->nstmts != b->nstmts)
		return 0;
	if (names && strncmp(a->name, b->name, PROG_MAX_NAME) != 0)
		return 0;
	int n = prog_nslots(a);
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
