/*
** hs_go.c: the Go emitter and the observables' normal form (hs_go.h).
**
** Every program becomes Go and C code in one module: Go function f of
** program k is pK_f, C function c is the C function pK_c (in progs.c),
** a Go function that C calls back is also exported as pK_cb_f (//export
** needs C types, so the wrapper takes long longs and calls pK_f). The
** binary's argument picks the entry. What each statement becomes is the
** README's "statement -> Go" table; the choices that matter:
**  - recover() goes through sfRecover, which prints what Go returned
**    (the model's hs_result.observed lines) and maps it to the int the
**    model stores (0 for nil, -1 for a runtime error);
**  - `check` prints the first failing check and exits 3: the model's
**    DEF4 that the judge calls a false belief (it fails on the reference
**    run too) is that same observable;
**  - `fault` stores to an unmapped address under debug.SetPanicOnFault,
**    which Go turns into a runtime-error panic, as the model does;
**  - gc is runtime.GC() (from C through an exported helper: the stack is
**    then scanned while the goroutine is in C, as in the model);
**  - grow N and pad N are byte arrays that a non-inlined helper touches,
**    so the frame really has them; seh is nothing on linux/amd64.
** Gotchas: Go rejects unused locals (each gets `_ = v`); C code that
** sits in a file with //export must be declarations only, so C bodies
** live in progs.c, which includes _cgo_export.h for the callbacks.
**
** The normal form: Go prints an unrecovered panic to stderr with the
** goroutine's trace, a "[signal ...]" line for faults and exit status 2;
** only the "panic: " chain is kept. The model's fault text carries a
** " (fault)" tag Go does not print: it is dropped (a model decision).
*/
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "hs_go.h"

/* ---- emitting one program ---- */

/* What each statement becomes (the README's statement -> Go table). A
** statement added to the op table without a row here fails the test
** that every op is translated (tests/test_go.c); the switches below hold
** the translations themselves. */
static const char *const go_form[ST__COUNT] = {
	[ST_ASSIGN] = "x = e",
	[ST_STORE] = "*p = e",
	[ST_CHECK] = "if x != K { sfCheckFail(...) }",
	[ST_CALL] = "f(args) (Go), f(args); (C)",
	[ST_DEFER] = "defer f(args)",
	[ST_PANIC] = "panic(e)",
	[ST_RECOVER] = "x = sfRecover(recover())",
	[ST_GOEXIT] = "runtime.Goexit()",
	[ST_GROW] = "sfGrowN(): a leaf with an N-byte array",
	[ST_GC] = "runtime.GC() (from C: an exported helper)",
	[ST_RETZ] = "if x == 0 { return }",
	[ST_RETURN] = "return",
	[ST_CGO] = "C.c(args)",
	[ST_CALLBACK] = "the exported Go wrapper pK_cb_f(args)",
	[ST_SEHPUSH] = "nothing on linux/amd64",
	[ST_SEHPOP] = "nothing on linux/amd64",
	[ST_LOCK] = "runtime.LockOSThread()",
	[ST_UNLOCK] = "runtime.UnlockOSThread()",
	[ST_FAULT] = "a store to an unmapped address (SetPanicOnFault)",
	[ST_ADD] = "x = y + e",
	[ST_SUB] = "x = y - e",
	[ST_RETEQ] = "if x == y { return }",
	[ST_RETLT] = "if x < e { return }",
	[ST_LOAD] = "x = *p",
	[ST_LOCKED] = "x = sfLocked(): runtime.lockedOSThread() (go:linkname)",
	[ST_DEFREC] = "defer recover()",
	[ST_DEFPANIC] = "defer panic(e)",
	[ST_RETVAL] = "return e (Go: named result; C: return e;)",
	[ST_CALLR] = "x = f(args)",
	[ST_CGOR] = "x = int(C.c(args))",
	[ST_CBR] = "x = the exported wrapper pK_cb_f(args), which returns f's result",
	[ST_GO] = "func(a...) { sfGo(func() { pK_f(a...) }) }(args)",
	[ST_GOSCHED] = "sfGosched(): hand the baton to the next goroutine",
	[ST_WAIT] = "sfWait(): until every other goroutine has ended",
	[ST_CTHREAD] = "C: pthread_create of a routine calling the exported pK_th_f(args), then pthread_join",
};

const char *hs_go_form(int op)
{
	return op >= 0 && op < ST__COUNT ? go_form[op] : NULL;
}

static const char *slotname(const prog_func *f, uint32_t i, char *buf, size_t len)
{
	if (f->slotname[i][0])
		snprintf(buf, len, "v_%s", f->slotname[i]);
	else
		snprintf(buf, len, "v_s%u", i);
	return buf;
}

/* An expression in Go (c_side = 0) or C (1). */
static void expr(rt_strbuf *s, const prog_func *f, const prog_expr *e, int c_side)
{
	char nb[PROG_MAX_NAME + 8];
	switch (e->kind) {
	case EX_CONST:
		rt_sb_printf(s, "%d", (int)e->v);
		break;
	case EX_NIL:
		rt_sb_printf(s, "%s", c_side ? "0" : "nil");
		break;
	case EX_ADDR:
		rt_sb_printf(s, "&%s", slotname(f, (uint32_t)e->v, nb, sizeof nb));
		break;
	case EX_SLOT:
		rt_sb_printf(s, "%s", slotname(f, (uint32_t)e->v, nb, sizeof nb));
		break;
	default: /* EX_DEC */
		rt_sb_printf(s, "(%s - 1)", slotname(f, (uint32_t)e->v, nb, sizeof nb));
	}
}

/* Arguments of a call. wrap: "C.longlong" for a cgo call, NULL else. */
static void args(rt_strbuf *s, const prog_func *f, const prog_stmt *st, int c_side,
		 const char *wrap)
{
	rt_sb_printf(s, "(");
	for (uint32_t i = 0; i < st->nargs; i++) {
		if (i)
			rt_sb_printf(s, ", ");
		if (wrap)
			rt_sb_printf(s, "%s(", wrap);
		expr(s, f, &st->a[i], c_side);
		if (wrap)
			rt_sb_printf(s, ")");
	}
	rt_sb_printf(s, ")");
}

static void go_stmt(rt_strbuf *s, const prog *p, int k, int fi, uint32_t si)
{
	const prog_func *f = &p->funcs[fi];
	const prog_stmt *st = &f->stmts[si];
	char nb[PROG_MAX_NAME + 8];
	rt_sb_printf(s, "\t");
	switch (st->op) {
	case ST_ASSIGN:
		rt_sb_printf(s, "%s = ", slotname(f, st->slot, nb, sizeof nb));
		expr(s, f, &st->a[0], 0);
		break;
	case ST_STORE:
		rt_sb_printf(s, "*%s = ", slotname(f, st->slot, nb, sizeof nb));
		expr(s, f, &st->a[0], 0);
		break;
	case ST_CHECK:
		rt_sb_printf(s, "if %s%s != %d { sfCheckFail(\"%s#%u\") }",
			   st->n ? "*" : "", slotname(f, st->slot, nb, sizeof nb),
			   (int)st->a[0].v, f->name, si + 1);
		break;
	case ST_CALL:
		rt_sb_printf(s, "p%d_%s", k, p->funcs[st->fn].name);
		args(s, f, st, 0, NULL);
		break;
	case ST_DEFER:
		rt_sb_printf(s, "defer p%d_%s", k, p->funcs[st->fn].name);
		args(s, f, st, 0, NULL);
		break;
	case ST_PANIC:
		rt_sb_printf(s, "panic(");
		expr(s, f, &st->a[0], 0);
		rt_sb_printf(s, ")");
		break;
	case ST_RECOVER:
		if (st->n)
			rt_sb_printf(s, "%s = ", slotname(f, st->slot, nb, sizeof nb));
		rt_sb_printf(s, "sfRecover(recover())");
		break;
	case ST_GOEXIT:
		rt_sb_printf(s, "runtime.Goexit()");
		break;
	case ST_GROW:
		rt_sb_printf(s, "sfGrow%d()", (int)st->n);
		break;
	case ST_GC:
		rt_sb_printf(s, "runtime.GC() // gc %s", prog_gc_name((int)st->n));
		break;
	case ST_RETZ:
		rt_sb_printf(s, "if %s == 0 { return }", slotname(f, st->slot, nb, sizeof nb));
		break;
	case ST_RETURN:
		rt_sb_printf(s, "return");
		break;
	case ST_CGO:
		rt_sb_printf(s, "C.p%d_%s", k, p->funcs[st->fn].name);
		args(s, f, st, 0, "C.longlong");
		break;
	case ST_LOCK:
		rt_sb_printf(s, "runtime.LockOSThread()");
		break;
	case ST_UNLOCK:
		rt_sb_printf(s, "runtime.UnlockOSThread()");
		break;
	case ST_FAULT:
		rt_sb_printf(s, "sfFault()");
		break;
	case ST_ADD:
	case ST_SUB:
		rt_sb_printf(s, "%s = ", slotname(f, st->slot, nb, sizeof nb));
		expr(s, f, &st->a[0], 0);
		rt_sb_printf(s, " %c ", st->op == ST_ADD ? '+' : '-');
		expr(s, f, &st->a[1], 0);
		break;
	case ST_RETEQ:
	case ST_RETLT:
		rt_sb_printf(s, "if %s %s ", slotname(f, st->slot, nb, sizeof nb),
			     st->op == ST_RETEQ ? "==" : "<");
		expr(s, f, &st->a[0], 0);
		rt_sb_printf(s, " { return }");
		break;
	case ST_LOAD:
		rt_sb_printf(s, "%s = *", slotname(f, st->slot, nb, sizeof nb));
		expr(s, f, &st->a[0], 0);
		break;
	case ST_LOCKED:
		rt_sb_printf(s, "%s = sfLocked()", slotname(f, st->slot, nb, sizeof nb));
		break;
	case ST_DEFREC:
		rt_sb_printf(s, "defer recover()");
		break;
	case ST_DEFPANIC:
		rt_sb_printf(s, "defer panic(");
		expr(s, f, &st->a[0], 0);
		rt_sb_printf(s, ")");
		break;
	case ST_RETVAL:
		rt_sb_printf(s, "return ");
		expr(s, f, &st->a[0], 0);
		break;
	case ST_CALLR:
		rt_sb_printf(s, "%s = p%d_%s", slotname(f, st->slot, nb, sizeof nb), k,
			     p->funcs[st->fn].name);
		args(s, f, st, 0, NULL);
		break;
	case ST_CGOR:
		rt_sb_printf(s, "%s = int(C.p%d_%s", slotname(f, st->slot, nb, sizeof nb), k,
			     p->funcs[st->fn].name);
		args(s, f, st, 0, "C.longlong");
		rt_sb_printf(s, ")");
		break;
	case ST_GO: {
		/* the arguments are evaluated at the go statement, as Go's */
		const prog_func *g = &p->funcs[st->fn];
		rt_sb_printf(s, "func(");
		for (uint32_t i = 0; i < st->nargs; i++)
			rt_sb_printf(s, "%sa%u %s", i ? ", " : "", i,
				     g->type[i] == TY_PTR ? "*int" : "int");
		rt_sb_printf(s, ") { sfGo(func() { p%d_%s(", k, g->name);
		for (uint32_t i = 0; i < st->nargs; i++)
			rt_sb_printf(s, "%sa%u", i ? ", " : "", i);
		rt_sb_printf(s, ") }) }");
		args(s, f, st, 0, NULL);
		break;
	}
	case ST_GOSCHED:
		rt_sb_printf(s, "sfGosched()");
		break;
	case ST_WAIT:
		rt_sb_printf(s, "sfWait()");
		break;
	default: /* seh push/pop, and C-only statements, never valid here */
		rt_sb_printf(s, "// %s: nothing on linux/amd64", prog_op_name(st->op));
	}
	rt_sb_printf(s, "\n");
}

/* A C function's return: its result slot is a local, returned. */
static const char *c_return(const prog_func *f)
{
	static char buf[PROG_MAX_NAME + 24];
	char nb[PROG_MAX_NAME + 8];
	if (!f->nresults)
		return "return;";
	snprintf(buf, sizeof buf, "return %s;",
		 slotname(f, (uint32_t)prog_result_slot(f), nb, sizeof nb));
	return buf;
}

static void c_stmt(rt_strbuf *s, const prog *p, int k, int fi, uint32_t si)
{
	const prog_func *f = &p->funcs[fi];
	const prog_stmt *st = &f->stmts[si];
	char nb[PROG_MAX_NAME + 8];
	rt_sb_printf(s, "\t");
	switch (st->op) {
	case ST_CALL:
		rt_sb_printf(s, "p%d_%s", k, p->funcs[st->fn].name);
		args(s, f, st, 1, "(long long)");
		rt_sb_printf(s, ";");
		break;
	case ST_CALLBACK:
		rt_sb_printf(s, "p%d_cb_%s", k, p->funcs[st->fn].name);
		args(s, f, st, 1, "(long long)");
		rt_sb_printf(s, ";");
		break;
	case ST_CALLR:
	case ST_CBR:
		rt_sb_printf(s, "%s = p%d_%s%s", slotname(f, st->slot, nb, sizeof nb), k,
			     st->op == ST_CBR ? "cb_" : "", p->funcs[st->fn].name);
		args(s, f, st, 1, "(long long)");
		rt_sb_printf(s, ";");
		break;
	case ST_RETVAL:
		rt_sb_printf(s, "return ");
		expr(s, f, &st->a[0], 1);
		rt_sb_printf(s, ";");
		break;
	case ST_CTHREAD: /* a thread of C's calls f back; joined here */
		rt_sb_printf(s, "{ long long sfA[%u] = {", st->nargs + 1);
		for (uint32_t i = 0; i < st->nargs; i++) {
			expr(s, f, &st->a[i], 1);
			rt_sb_printf(s, ", ");
		}
		rt_sb_printf(s, "0}; pthread_t sfT; "
			     "if (pthread_create(&sfT, 0, p%d_thr_%s, sfA) == 0) "
			     "pthread_join(sfT, 0); }", k, p->funcs[st->fn].name);
		break;
	case ST_GC:
		rt_sb_printf(s, "sfGC(); /* gc %s */", prog_gc_name((int)st->n));
		break;
	case ST_RETZ:
		rt_sb_printf(s, "if (%s == 0) %s", slotname(f, st->slot, nb, sizeof nb),
			     c_return(f));
		break;
	case ST_RETEQ:
	case ST_RETLT:
		rt_sb_printf(s, "if (%s %s ", slotname(f, st->slot, nb, sizeof nb),
			     st->op == ST_RETEQ ? "==" : "<");
		expr(s, f, &st->a[0], 1);
		rt_sb_printf(s, ") %s", c_return(f));
		break;
	case ST_RETURN:
		rt_sb_printf(s, "%s", c_return(f));
		break;
	default: /* seh push/pop */
		rt_sb_printf(s, "/* seh %s: nothing on linux/amd64 */",
			   st->op == ST_SEHPUSH ? "push" : "pop");
	}
	rt_sb_printf(s, "\n");
}

static void c_proto(rt_strbuf *s, const prog_func *f, int k)
{
	char nb[PROG_MAX_NAME + 8];
	rt_sb_printf(s, "%s p%d_%s(", f->nresults ? "long long" : "void", k, f->name);
	for (uint32_t i = 0; i < f->nparams; i++)
		rt_sb_printf(s, "%slong long %s", i ? ", " : "",
			   slotname(f, i, nb, sizeof nb));
	if (!f->nparams)
		rt_sb_printf(s, "void");
	rt_sb_printf(s, ")");
}

/* Is Go function fi of p the target of a cthread? */
static int thread_target(const prog *p, uint32_t fi)
{
	for (uint32_t i = 0; i < p->nfuncs; i++)
		for (uint32_t k = 0; k < p->funcs[i].nstmts; k++)
			if (p->funcs[i].stmts[k].op == ST_CTHREAD &&
			    p->funcs[i].stmts[k].fn == fi)
				return 1;
	return 0;
}

/* Is Go function fi of p the target of a callback? */
static int called_back(const prog *p, uint32_t fi)
{
	for (uint32_t i = 0; i < p->nfuncs; i++)
		for (uint32_t k = 0; k < p->funcs[i].nstmts; k++)
			if ((p->funcs[i].stmts[k].op == ST_CALLBACK ||
			     p->funcs[i].stmts[k].op == ST_CBR) &&
			    p->funcs[i].stmts[k].fn == fi)
				return 1;
	return 0;
}

static void emit_prog(rt_strbuf *g, rt_strbuf *c, rt_strbuf *pre, const hs_go_entry *e, int k)
{
	const prog *p = e->p;
	char nb[PROG_MAX_NAME + 8];
	rt_sb_printf(g, "\n// ---- entry %d: %s ----\n", k, e->label ? e->label : "");
	rt_sb_printf(c, "\n/* ---- entry %d: %s ---- */\n", k, e->label ? e->label : "");
	/* the start routines of C's threads (cthread): each calls its Go
	** function back through the exported pK_th_f */
	for (uint32_t fi = 0; fi < p->nfuncs; fi++) {
		const prog_func *f = &p->funcs[fi];
		if (f->kind == FK_C || !thread_target(p, fi))
			continue;
		rt_sb_printf(c, "static void *p%d_thr_%s(void *a)\n{\n\tlong long *v = a;\n"
			     "\t(void)v;\n\tp%d_th_%s(", k, f->name, k, f->name);
		for (uint32_t i = 0; i < f->nparams; i++)
			rt_sb_printf(c, "%sv[%u]", i ? ", " : "", i);
		rt_sb_printf(c, ");\n\treturn 0;\n}\n");
	}
	for (uint32_t fi = 0; fi < p->nfuncs; fi++) {
		const prog_func *f = &p->funcs[fi];
		if (f->kind == FK_C) {
			c_proto(pre, f, k);
			rt_sb_printf(pre, ";\n");
			c_proto(c, f, k);
			rt_sb_printf(c, "\n{\n");
			if (f->nresults)
				rt_sb_printf(c, "\tlong long %s = 0;\n",
					     slotname(f, (uint32_t)prog_result_slot(f), nb, sizeof nb));
			for (uint32_t si = 0; si < f->nstmts; si++)
				c_stmt(c, p, k, (int)fi, si);
			if (f->nresults)
				rt_sb_printf(c, "\t%s\n", c_return(f));
			rt_sb_printf(c, "}\n");
			continue;
		}
		rt_sb_printf(g, "\nfunc p%d_%s(", k, f->name);
		for (uint32_t i = 0; i < f->nparams; i++)
			rt_sb_printf(g, "%s%s %s", i ? ", " : "", slotname(f, i, nb, sizeof nb),
				   f->type[i] == TY_PTR ? "*int" : "int");
		rt_sb_printf(g, ")");
		if (f->nresults) /* a named result, as the language's */
			rt_sb_printf(g, " (%s int)",
				     slotname(f, (uint32_t)prog_result_slot(f), nb, sizeof nb));
		rt_sb_printf(g, " {%s\n", f->flags & FF_CGOWRAPPER ?
			   " // cgowrapper: an ordinary Go function" : "");
		for (uint32_t i = (uint32_t)prog_nargw(f); i < (uint32_t)prog_nslots(f); i++) {
			slotname(f, i, nb, sizeof nb);
			rt_sb_printf(g, "\tvar %s %s\n\t_ = %s\n", nb,
				   f->type[i] == TY_PTR ? "*int" : "int", nb);
		}
		if (f->pad)
			rt_sb_printf(g, "\tvar sfPad [%u]byte\n\tsfUse(sfPad[:])\n", f->pad);
		for (uint32_t si = 0; si < f->nstmts; si++)
			go_stmt(g, p, k, (int)fi, si);
		if (f->nresults)
			rt_sb_printf(g, "\treturn\n");
		rt_sb_printf(g, "}\n");
		if (thread_target(p, fi)) {
			/* on the extra M's G: the model's extra G holds the baton
			** while the thread runs (sfCthreadBegin/End) */
			rt_sb_printf(g, "\n//export p%d_th_%s\nfunc p%d_th_%s(", k, f->name,
				     k, f->name);
			for (uint32_t i = 0; i < f->nparams; i++)
				rt_sb_printf(g, "%sa%u C.longlong", i ? ", " : "", i);
			rt_sb_printf(g, ") {\n\tme := sfCthreadBegin()\n\tp%d_%s(", k, f->name);
			for (uint32_t i = 0; i < f->nparams; i++) {
				if (f->type[i] == TY_PTR)
					rt_sb_printf(g, "%snil", i ? ", " : "");
				else
					rt_sb_printf(g, "%sint(a%u)", i ? ", " : "", i);
			}
			rt_sb_printf(g, ")\n\tsfCthreadEnd(me)\n}\n");
		}
		if (called_back(p, fi)) {
			/* C passes ints; a *int parameter can only get nil */
			rt_sb_printf(g, "\n//export p%d_cb_%s\nfunc p%d_cb_%s(", k, f->name,
				   k, f->name);
			for (uint32_t i = 0; i < f->nparams; i++)
				rt_sb_printf(g, "%sa%u C.longlong", i ? ", " : "", i);
			if (f->nresults)
				rt_sb_printf(g, ") C.longlong {\n"
					     "\treturn C.longlong(p%d_%s(", k, f->name);
			else
				rt_sb_printf(g, ") {\n\tp%d_%s(", k, f->name);
			for (uint32_t i = 0; i < f->nparams; i++) {
				if (f->type[i] == TY_PTR)
					rt_sb_printf(g, "%snil", i ? ", " : "");
				else
					rt_sb_printf(g, "%sint(a%u)", i ? ", " : "", i);
			}
			rt_sb_printf(g, "%s\n}\n", f->nresults ? "))" : ")");
		}
	}
}

static const char go_runtime_part[] =
	"\nvar sfIdx int // never changes: array indexes the compiler cannot fold\n"
	"\n//go:noinline\n"
	"func sfUse(b []byte) { b[sfIdx%len(b)]++ }\n"
	"\nfunc sfOut(s string) { os.Stdout.WriteString(s) }\n"
	"\n// What recover() returned, printed as the model's observable, and the\n"
	"// int the model stores: 0 for nil, -1 for a runtime error.\n"
	"func sfRecover(r interface{}) int {\n"
	"\tswitch v := r.(type) {\n"
	"\tcase nil:\n"
	"\t\tsfOut(\"recover: nil\\n\")\n"
	"\t\treturn 0\n"
	"\tcase int:\n"
	"\t\tv += sfInject\n"
	"\t\tsfOut(\"recover: \" + strconv.Itoa(v) + \"\\n\")\n"
	"\t\treturn v\n"
	"\tcase runtime.Error:\n"
	"\t\tsfOut(\"recover: runtime error\\n\")\n"
	"\t\treturn -1\n"
	"\t}\n"
	"\tsfOut(\"recover: other\\n\")\n"
	"\treturn -2\n"
	"}\n"
	"\nfunc sfCheckFail(where string) {\n"
	"\tsfOut(\"check failed: \" + where + \"\\n\")\n"
	"\tos.Exit(3)\n"
	"}\n"
	"\n// An address nothing maps: with SetPanicOnFault the fault is a panic.\n"
	"var sfFaultAddr uintptr = 0x10008\n"
	"\n//go:noinline\n"
	"func sfFault() { *(*int)(unsafe.Pointer(sfFaultAddr)) = 1 }\n"
	"\n//go:linkname sfLockedOSThread runtime.lockedOSThread\n"
	"func sfLockedOSThread() bool\n"
	"\n// x = locked(): the runtime's own answer (a cgo callback locks too)\n"
	"func sfLocked() int {\n"
	"\tif sfLockedOSThread() {\n"
	"\t\treturn 1\n"
	"\t}\n"
	"\treturn 0\n"
	"}\n"
	"\n//export sfGC\n"
	"func sfGC() { runtime.GC() }\n"
	"\n// Deferred by main: runs when the entry returns, panics or Goexits. A\n"
	"// Goexit of the main goroutine would end in Go's \"no goroutines (main\n"
	"// called runtime.Goexit) - deadlock!\", but a cgo binary never detects\n"
	"// the deadlock (it hangs): say goexit when runtime.Goexit, not gopanic, is\n"
	"// the nearest unwinder running this call. The other goroutines run to\n"
	"// their end first, as Go's would.\n"
	"func sfAtEnd() {\n"
	"\tif sfUnwinder() == \"goexit\" {\n"
	"\t\tsfMainGoexit = true\n"
	"\t\tsfGs[0].dead = true\n"
	"\t\tsfSchedule()\n"
	"\t\tselect {}\n"
	"\t}\n"
	"}\n"
	"\n// \"panic\" or \"goexit\": the nearest unwinder running the caller.\n"
	"func sfUnwinder() string {\n"
	"\tpcs := make([]uintptr, 256)\n"
	"\tfr := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])\n"
	"\tfor {\n"
	"\t\tf, more := fr.Next()\n"
	"\t\tif f.Function == \"runtime.gopanic\" {\n"
	"\t\t\treturn \"panic\"\n"
	"\t\t}\n"
	"\t\tif f.Function == \"runtime.Goexit\" {\n"
	"\t\t\treturn \"goexit\"\n"
	"\t\t}\n"
	"\t\tif !more {\n"
	"\t\t\treturn \"\"\n"
	"\t\t}\n"
	"\t}\n"
	"}\n"
	"\n// The model's scheduler (runtime-under-test/rt_sched.c): one goroutine\n"
	"// holds the baton and runs; it passes it on at sfGosched, sfWait and its\n"
	"// end, to the next runnable goroutine in creation order. G 0 is main.\n"
	"type sfG struct {\n"
	"\tch            chan struct{}\n"
	"\tdead, waiting bool\n"
	"\textra, join    bool // an extra M's G (cthread); a caller joining one\n"
	"}\n"
	"\nvar sfGs = []*sfG{{ch: make(chan struct{}, 1)}}\n"
	"var sfCur int\n"
	"var sfMainGoexit bool\n"
	"\nfunc sfGo(f func()) {\n"
	"\tg := &sfG{ch: make(chan struct{}, 1)}\n"
	"\tsfGs = append(sfGs, g)\n"
	"\tgo func() {\n"
	"\t\t<-g.ch\n"
	"\t\t// per goroutine in Go; the model's `fault` panics in every G\n"
	"\t\tdebug.SetPanicOnFault(true)\n"
	"\t\tdefer sfGoEnd()\n"
	"\t\tf()\n"
	"\t}()\n"
	"}\n"
	"\n// A goroutine ends (returned or Goexit); an unrecovered panic instead\n"
	"// ends the program, so the baton stays.\n"
	"func sfGoEnd() {\n"
	"\tif sfUnwinder() == \"panic\" {\n"
	"\t\treturn\n"
	"\t}\n"
	"\tsfGs[sfCur].dead = true\n"
	"\tsfSchedule()\n"
	"}\n"
	"\nfunc sfOthersLive() bool {\n"
	"\tfor i, g := range sfGs {\n"
	"\t\tif i != sfCur && !g.dead {\n"
	"\t\t\treturn true\n"
	"\t\t}\n"
	"\t}\n"
	"\treturn false\n"
	"}\n"
	"\n// A thread C created (cthread) runs its callback on an extra M, whose G\n"
	"// is the model's extra G (rt_cthread.c): made by the first cthread that\n"
	"// finds none free, reused after. It holds the baton while the thread\n"
	"// runs; the caller, blocked in pthread_join, is not runnable till then.\n"
	"func sfCthreadBegin() int {\n"
	"\tdebug.SetPanicOnFault(true)\n"
	"\tme, x := sfCur, -1\n"
	"\tfor i, g := range sfGs {\n"
	"\t\tif g.extra && g.dead {\n"
	"\t\t\tx = i\n"
	"\t\t\tbreak\n"
	"\t\t}\n"
	"\t}\n"
	"\tif x < 0 {\n"
	"\t\tsfGs = append(sfGs, &sfG{ch: make(chan struct{}, 1), extra: true})\n"
	"\t\tx = len(sfGs) - 1\n"
	"\t}\n"
	"\tsfGs[x].dead = false\n"
	"\tsfGs[me].join = true\n"
	"\tsfCur = x\n"
	"\treturn me\n"
	"}\n"
	"\nfunc sfCthreadEnd(me int) {\n"
	"\tsfGs[sfCur].dead = true\n"
	"\tsfGs[me].join = false\n"
	"\tsfCur = me\n"
	"}\n"
	"\nfunc sfRunnable(i int) bool {\n"
	"\tif sfGs[i].dead || sfGs[i].join {\n"
	"\t\treturn false\n"
	"\t}\n"
	"\tif !sfGs[i].waiting {\n"
	"\t\treturn true\n"
	"\t}\n"
	"\tfor j, g := range sfGs {\n"
	"\t\tif j != i && !g.dead {\n"
	"\t\t\treturn false\n"
	"\t\t}\n"
	"\t}\n"
	"\treturn true\n"
	"}\n"
	"\nfunc sfSchedule() {\n"
	"\tme, n := sfCur, len(sfGs)\n"
	"\tif !sfOthersLive() && sfGs[me].dead {\n"
	"\t\tif sfMainGoexit {\n"
	"\t\t\tos.Stderr.WriteString(\"fatal error: no goroutines (main called runtime.Goexit) - deadlock!\\n\")\n"
	"\t\t\tos.Exit(2)\n"
	"\t\t}\n"
	"\t\tos.Exit(0) // cannot happen: main's end ends the program\n"
	"\t}\n"
	"\tfor k := 1; k <= n; k++ {\n"
	"\t\ti := (me + k) % n\n"
	"\t\tif !sfRunnable(i) {\n"
	"\t\t\tcontinue\n"
	"\t\t}\n"
	"\t\tsfGs[i].waiting = false\n"
	"\t\tif i == me {\n"
	"\t\t\treturn\n"
	"\t\t}\n"
	"\t\tsfCur = i\n"
	"\t\tsfGs[i].ch <- struct{}{}\n"
	"\t\tif !sfGs[me].dead {\n"
	"\t\t\t<-sfGs[me].ch\n"
	"\t\t}\n"
	"\t\treturn\n"
	"\t}\n"
	"\tif sfMainGoexit {\n"
	"\t\tos.Stderr.WriteString(\"fatal error: no goroutines (main called runtime.Goexit) - deadlock!\\n\")\n"
	"\t} else {\n"
	"\t\tos.Stderr.WriteString(\"fatal error: all goroutines are asleep - deadlock!\\n\")\n"
	"\t}\n"
	"\tos.Exit(2)\n"
	"}\n"
	"\n// Inside a callback too: the goroutine keeps its thread (cgo locks it)\n"
	"// while it waits for the baton, and the others run on other threads,\n"
	"// as the model's G keeps its M.\n"
	"func sfGosched() {\n"
	"\tsfSchedule()\n"
	"}\n"
	"\nfunc sfWait() {\n"
	"\tfor sfOthersLive() {\n"
	"\t\tsfGs[sfCur].waiting = true\n"
	"\t\tsfSchedule()\n"
	"\t}\n"
	"}\n";

static int write_file(const char *dir, const char *name, const char *text,
		      char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int hs_go_emit(const char *dir, const hs_go_entry *e, size_t n, char *err,
	       size_t errlen)
{
	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	const char *inj = getenv("STACKFUZZ_GO_INJECT");
	int inject = inj && !strcmp(inj, "recover+1");
	rt_strbuf g = {0}, c = {0}, pre = {0};
	rt_sb_printf(&c, "/* Code generated by stackfuzz go; DO NOT EDIT. */\n"
		       "#include <pthread.h>\n#include \"_cgo_export.h\"\n");
	/* every grow size used, once */
	uint8_t growseen[PROG_MAX_GROW / 8 + 1];
	memset(growseen, 0, sizeof growseen);
	for (size_t k = 0; k < n; k++) {
		emit_prog(&g, &c, &pre, &e[k], (int)k);
		const prog *p = e[k].p;
		for (uint32_t fi = 0; fi < p->nfuncs; fi++)
			for (uint32_t si = 0; si < p->funcs[fi].nstmts; si++)
				if (p->funcs[fi].stmts[si].op == ST_GROW)
					growseen[p->funcs[fi].stmts[si].n / 8] = 1;
	}
	rt_strbuf m = {0};
	rt_sb_printf(&m, "// Code generated by stackfuzz go; DO NOT EDIT.\n"
		       "// Run: ./stackfuzzgo K (K = entry index, listed in sfEntries).\n"
		       "package main\n\n/*\n#cgo LDFLAGS: -lpthread\n%s*/\nimport \"C\"\n\n"
		       "import (\n\t\"os\"\n\t\"runtime\"\n\t\"runtime/debug\"\n"
		       "\t\"strconv\"\n\t\"unsafe\"\n)\n",
		   pre.b ? pre.b : "");
	rt_sb_printf(&m, "\nconst sfInject = %d // STACKFUZZ_GO_INJECT=recover+1\n",
		   inject);
	rt_sb_printf(&m, "%s", go_runtime_part);
	for (uint32_t i = 1; i <= PROG_MAX_GROW / 8; i++)
		if (growseen[i])
			rt_sb_printf(&m, "\n//go:noinline\nfunc sfGrow%u() {\n\tvar b [%u]byte\n"
				       "\tsfUse(b[:])\n}\n", 8 * i, 8 * i);
	rt_sb_printf(&m, "\nvar sfEntries = []func(){");
	for (size_t k = 0; k < n; k++)
		rt_sb_printf(&m, "%sp%zu_%s", k ? ", " : "", k, e[k].p->funcs[0].name);
	rt_sb_printf(&m, "}\n\nvar sfMaxStack = []int{");
	for (size_t k = 0; k < n; k++)
		rt_sb_printf(&m, "%s%u", k ? ", " : "", e[k].maxstack);
	rt_sb_printf(&m, "}\n\nfunc main() {\n"
		       "\tk, err := strconv.Atoi(os.Args[1])\n"
		       "\tif err != nil || k < 0 || k >= len(sfEntries) {\n"
		       "\t\tos.Stderr.WriteString(\"usage: stackfuzzgo ENTRY\\n\")\n"
		       "\t\tos.Exit(64)\n\t}\n"
		       "\tdebug.SetPanicOnFault(true)\n"
		       "\tif sfMaxStack[k] > 0 {\n\t\tdebug.SetMaxStack(sfMaxStack[k])\n\t}\n"
		       "\tdefer sfAtEnd()\n"
		       "\tsfEntries[k]()\n"
		       "\tsfOut(\"outcome: ok\\n\")\n}\n");
	rt_sb_printf(&m, "%s", g.b ? g.b : "");
	int rc = write_file(dir, "go.mod", "module stackfuzzgo\n\ngo 1.19\n", err, errlen);
	if (!rc)
		rc = write_file(dir, "main.go", m.b, err, errlen);
	if (!rc)
		rc = write_file(dir, "progs.c", c.b, err, errlen);
	free(g.b);
	free(c.b);
	free(pre.b);
	free(m.b);
	return rc;
}
