/*
** lang_ops.c: the op table (see lang_op.h) and the queries every tool
** asks of it.
**
** Gotchas: a row's index is its opcode, which is also its byte in the
** binary form, so rows are never reordered (new ops go at the end). The
** explorer letters carry their rank in the alphabet (`order`), so the
** alphabet keeps its order whatever rows they sit in. The mutator
** weights: statements that make stacks interesting (calls, defers,
** growth, panics) weigh more; every op stays reachable; in C functions
** only what C may do (drawing Go statements there would mostly yield
** RETURN after repair).
*/
#include "prog.h"

static const lang_letter defer_letters[] = {
	{"defer set(&x, 42)", 0, 0},  {"defer cset(&x, 42)", 0, 1},
	{"defer setchk(&x)", 0, 3},   {"defer rec()", 0, 4},
	{"defer grower()", 0, 5},     {"defer pnc()", 0, 6},
	{0, 0, 0},
};
static const lang_letter grow_letters[] = {{"grow 4096", 0, 2}, {0, 0, 0}};
static const lang_letter gc_letters[] = {
	{"gc shrink", 0, 7}, {"gc scan", 0, 8}, {"gc markterm", 0, 9}, {0, 0, 0},
};
static const lang_letter call_letters[] = {
	{"call setchk(&x)", 0, 10}, {"call cset(&x, 42)", 0, 12}, {0, 0, 0},
};
static const lang_letter recover_letters[] = {{"x = recover()", 0, 11}, {0, 0, 0}};
static const lang_letter panic_letters[] = {{"panic 1", LL_TERM, 13}, {0, 0, 0}};
static const lang_letter goexit_letters[] = {{"goexit", LL_TERM, 14}, {0, 0, 0}};
static const lang_letter cgo_letters[] = {
	{"cgo cpanic()", LL_TERM | LL_MAIN, 15},
	{"cgo cseh()", LL_TERM | LL_WINDOWS | LL_MAIN, 16},
	{"cgo cscan()", LL_MAIN, 17},
	{0, 0, 0},
};
static const lang_letter fault_letters[] = {{"fault", LL_TERM, 18}, {0, 0, 0}};
/* after the first alphabet (ranks 19..): deferred builtins */
static const lang_letter defrec_letters[] = {{"defer recover()", 0, 19}, {0, 0, 0}};
static const lang_letter defpanic_letters[] = {{"defer panic(3)", 0, 20}, {0, 0, 0}};
/* values (ranks 21..): they move no stack, but change what a later
** check, recursion bound or recover sees; results need library helpers
** with a result, and the library already fills the program's functions */
static const lang_letter add_letters[] = {{"x = x + 7", 0, 21}, {0, 0, 0}};
static const lang_letter sub_letters[] = {{"x = x - 2", 0, 22}, {0, 0, 0}};
static const lang_letter retlt_letters[] = {{"if x < 0 return", 0, 23}, {0, 0, 0}};
static const lang_letter locked_letters[] = {{"x = locked()", 0, 24}, {0, 0, 0}};
/* goroutines (ranks 25..): a child that grows or panics, a yield, a wait */
static const lang_letter go_letters[] = {
	{"go grower()", 0, 25}, {"go pnc()", 0, 26}, {0, 0, 0},
};
static const lang_letter gosched_letters[] = {{"gosched", 0, 27}, {0, 0, 0}};
static const lang_letter wait_letters[] = {{"wait", 0, 28}, {0, 0, 0}};
static const lang_letter gc_c_letters[] = {
	{"gc scan", 0, 0}, {"gc markterm", 0, 1}, {"gc shrink", 0, 2}, {0, 0, 0},
};
/* a C thread calling back a helper that grows (rank after the C gc letters) */
static const lang_letter cthread_letters[] = {{"cthread grower()", 0, 3}, {0, 0, 0}};

#define F1(t, sl) {{t, sl}, {0, LS_NONE}}

const lang_opinfo lang_ops[ST__COUNT] = {
	[ST_ASSIGN] = {"assign", F1("%s = %a", LS_ANY), LN_NONE, LC_NONE,
		       {LA_LIKE_SLOT, LA_NONE}, LO_GO, 0, ST_RETURN, 2, 0, 0, 0, 0},
	[ST_STORE] = {"store", F1("*%s = %a", LS_PTR), LN_NONE, LC_NONE,
		      {LA_INT, LA_NONE}, LO_GO | LO_CALLSITE, 0, ST_RETURN, 1, 0,
		      0, 0, 0},
	[ST_CHECK] = {"check",
		      {{"check %s == %a", LS_INT}, {"check *%s == %a", LS_PTR}},
		      LN_FORM, LC_NONE, {LA_CONST, LA_NONE}, LO_GO | LO_CALLSITE,
		      0, ST_RETURN, 2, 0, 0, 0, 0},
	[ST_CALL] = {"call", F1("call %f(%A)", LS_NONE), LN_NONE, LC_SAME,
		     {LA_CALLEE, LA_NONE},
		     LO_GO | LO_C | LO_CALLSITE | LO_FRAME | LO_INLINE, 0, 0, 3, 1,
		     call_letters, 0, 0},
	[ST_DEFER] = {"defer", F1("defer %f(%A)", LS_NONE), LN_NONE, LC_GO,
		      {LA_CALLEE, LA_NONE}, LO_GO, 0, ST_CALLBACK, 3, 0,
		      defer_letters, 0, 0},
	[ST_PANIC] = {"panic", F1("panic %a", LS_NONE), LN_NONE, LC_NONE,
		      {LA_PANIC, LA_NONE}, LO_GO | LO_CALLSITE, 0, ST_RETURN, 2, 0,
		      panic_letters, 0, 0},
	[ST_RECOVER] = {"recover",
			{{"recover()", LS_NONE}, {"%s = recover()", LS_INT}},
			LN_FORM, LC_NONE, {LA_NONE, LA_NONE}, LO_GO, 0, ST_RETURN,
			2, 0, recover_letters, 0, 0},
	[ST_GOEXIT] = {"goexit", F1("goexit", LS_NONE), LN_NONE, LC_NONE,
		       {LA_NONE, LA_NONE}, LO_GO | LO_CALLSITE, 0, ST_RETURN, 1, 0,
		       goexit_letters, 0, 0},
	[ST_GROW] = {"grow", F1("grow %n", LS_NONE), LN_GROW, LC_NONE,
		     {LA_NONE, LA_NONE}, LO_GO | LO_CALLSITE | LO_FRAME, 0,
		     ST_RETURN, 2, 0, grow_letters, 0, 0},
	[ST_GC] = {"gc", F1("gc %g", LS_NONE), LN_GC, LC_NONE, {LA_NONE, LA_NONE},
		   LO_GO | LO_C, 0, 0, 2, 0, gc_letters, gc_c_letters, 0},
	[ST_RETZ] = {"retz", F1("if %s == 0 return", LS_INT), LN_NONE, LC_NONE,
		     {LA_NONE, LA_NONE}, LO_GO | LO_C, 0, 0, 2, 0, 0, 0, 0},
	[ST_RETURN] = {"return", F1("return", LS_NONE), LN_NONE, LC_NONE,
		       {LA_NONE, LA_NONE}, LO_GO | LO_C, 0, 0, 1, 1, 0, 0, 0},
	[ST_CGO] = {"cgo", F1("cgo %f(%A)", LS_NONE), LN_NONE, LC_C,
		    {LA_CALLEE, LA_NONE}, LO_GO | LO_CALLSITE, 0, ST_CALL, 2, 0,
		    cgo_letters, 0, 0},
	[ST_CALLBACK] = {"callback", F1("callback %f(%A)", LS_NONE), LN_NONE,
			 LC_GO, {LA_CALLEE, LA_NONE}, LO_C | LO_CALLSITE, ST_CALL,
			 0, 2, 3, 0, 0, 0},
	[ST_SEHPUSH] = {"sehpush", F1("seh push", LS_NONE), LN_NONE, LC_NONE,
			{LA_NONE, LA_NONE}, LO_C, ST_RETURN, 0, 1, 2, 0, 0, 0},
	[ST_SEHPOP] = {"sehpop", F1("seh pop", LS_NONE), LN_NONE, LC_NONE,
		       {LA_NONE, LA_NONE}, LO_C, ST_RETURN, 0, 1, 2, 0, 0, 0},
	[ST_LOCK] = {"lock", F1("lock", LS_NONE), LN_NONE, LC_NONE,
		     {LA_NONE, LA_NONE}, LO_GO, 0, ST_RETURN, 1, 0, 0, 0, 0},
	[ST_UNLOCK] = {"unlock", F1("unlock", LS_NONE), LN_NONE, LC_NONE,
		       {LA_NONE, LA_NONE}, LO_GO, 0, ST_RETURN, 1, 0, 0, 0, 0},
	[ST_FAULT] = {"fault", F1("fault", LS_NONE), LN_NONE, LC_NONE,
		      {LA_NONE, LA_NONE}, LO_GO | LO_CALLSITE, 0, ST_RETURN, 1, 0,
		      fault_letters, 0, 0},
	[ST_ADD] = {"add", F1("%s = %a + %b", LS_INT), LN_NONE, LC_NONE,
		    {LA_ISLOT, LA_INT}, LO_GO, 0, ST_RETURN, 1, 0, add_letters, 0, 0},
	[ST_SUB] = {"sub", F1("%s = %a - %b", LS_INT), LN_NONE, LC_NONE,
		    {LA_ISLOT, LA_INT_NOT1}, LO_GO, 0, ST_RETURN, 1, 0, sub_letters,
		    0, 0},
	[ST_RETEQ] = {"reteq", F1("if %s == %a return", LS_INT), LN_NONE, LC_NONE,
		      {LA_ISLOT, LA_NONE}, LO_GO | LO_C, 0, 0, 1, 1, 0, 0, 0},
	[ST_RETLT] = {"retlt", F1("if %s < %a return", LS_INT), LN_NONE, LC_NONE,
		      {LA_INT, LA_NONE}, LO_GO | LO_C, 0, 0, 1, 1, retlt_letters, 0,
		      0},
	[ST_LOAD] = {"load", F1("%s = *%a", LS_INT), LN_NONE, LC_NONE,
		     {LA_PSLOT, LA_NONE}, LO_GO | LO_CALLSITE, 0, ST_RETURN, 1, 0,
		     0, 0, 0},
	[ST_LOCKED] = {"locked", F1("%s = locked()", LS_INT), LN_NONE, LC_NONE,
		       {LA_NONE, LA_NONE}, LO_GO, 0, ST_RETURN, 1, 0, locked_letters,
		       0, 0},
	[ST_DEFREC] = {"defrecover", F1("defer recover()", LS_NONE), LN_NONE,
		       LC_NONE, {LA_NONE, LA_NONE}, LO_GO, 0, ST_RETURN, 1, 0,
		       defrec_letters, 0, 0},
	[ST_DEFPANIC] = {"defpanic", F1("defer panic(%a)", LS_NONE), LN_NONE,
			 LC_NONE, {LA_PANIC, LA_NONE}, LO_GO, 0, ST_RETURN, 1, 0,
			 defpanic_letters, 0, 0},
	[ST_RETVAL] = {"retval", F1("return %a", LS_NONE), LN_NONE, LC_NONE,
		       {LA_INT, LA_NONE}, LO_GO | LO_C | LO_NEEDRES, 0, 0, 1, 1, 0,
		       0, ST_RETURN},
	[ST_CALLR] = {"callr", F1("%s = call %f(%A)", LS_INT), LN_NONE, LC_SAME,
		      {LA_CALLEE, LA_NONE},
		      LO_GO | LO_C | LO_CALLSITE | LO_FRAME | LO_RESULT, 0, 0, 2, 1,
		      0, 0, ST_CALL},
	[ST_CGOR] = {"cgor", F1("%s = cgo %f(%A)", LS_INT), LN_NONE, LC_C,
		     {LA_CALLEE, LA_NONE}, LO_GO | LO_CALLSITE | LO_RESULT, 0,
		     ST_CALLR, 1, 0, 0, 0, ST_CGO},
	[ST_CBR] = {"cbr", F1("%s = callback %f(%A)", LS_INT), LN_NONE, LC_GO,
		    {LA_CALLEE, LA_NONE}, LO_C | LO_CALLSITE | LO_RESULT, ST_CALLR,
		    0, 0, 2, 0, 0, ST_CALLBACK},
	[ST_GO] = {"go", F1("go %f(%A)", LS_NONE), LN_NONE, LC_GO,
		   {LA_CALLEE, LA_NONE}, LO_GO | LO_NOPTRARG, 0, ST_CALLBACK, 2, 0,
		   go_letters, 0, 0},
	[ST_GOSCHED] = {"gosched", F1("gosched", LS_NONE), LN_NONE, LC_NONE,
			{LA_NONE, LA_NONE}, LO_GO, 0, ST_RETURN, 1, 0, gosched_letters,
			0, 0},
	[ST_WAIT] = {"wait", F1("wait", LS_NONE), LN_NONE, LC_NONE,
		     {LA_NONE, LA_NONE}, LO_GO, 0, ST_RETURN, 1, 0, wait_letters, 0,
		     0},
	/* a C thread's start routine calls back into Go: its site is the
	** return point the joined thread resumes the C frame at; in Go it
	** becomes `go` (Go's way to run f elsewhere) */
	[ST_CTHREAD] = {"cthread", F1("cthread %f(%A)", LS_NONE), LN_NONE, LC_GO,
			{LA_CALLEE, LA_NONE}, LO_C | LO_CALLSITE | LO_NOPTRARG, ST_GO,
			0, 0, 1, 0, cthread_letters, 0},
};

const lang_opinfo *lang_op(int op)
{
	return op >= 0 && op < ST__COUNT ? &lang_ops[op] : NULL;
}

const char *prog_op_name(int op)
{
	const lang_opinfo *o = lang_op(op);
	return o ? o->name : "?";
}

int lang_op_legal(int fkind, int op)
{
	const lang_opinfo *o = lang_op(op);
	return o && (o->flags & (fkind == FK_C ? LO_C : LO_GO));
}

int lang_op_alt(int fkind, int op)
{
	if (lang_op_legal(fkind, op))
		return op;
	return fkind == FK_C ? lang_ops[op].c_alt : lang_ops[op].go_alt;
}

int lang_is_call(int op)
{
	const lang_opinfo *o = lang_op(op);
	return o && o->callee != LC_NONE;
}

int lang_callee_kind(int fkind, int op)
{
	const lang_opinfo *o = lang_op(op);
	switch (o ? o->callee : LC_NONE) {
	case LC_SAME:
		return fkind;
	case LC_GO:
		return FK_GO;
	case LC_C:
		return FK_C;
	default:
		return -1;
	}
}

int lang_nforms(int op)
{
	const lang_opinfo *o = lang_op(op);
	return o == NULL ? 0 : o->form[1].text ? 2 : 1;
}

const lang_form *lang_stmt_form(const prog_stmt *s)
{
	const lang_opinfo *o = lang_op(s->op);
	if (o == NULL)
		return NULL;
	if (o->n == LN_FORM)
		return s->n == 1 ? &o->form[1] : s->n == 0 ? &o->form[0] : NULL;
	return &o->form[0];
}

int lang_stmt_slotkind(const prog_stmt *s)
{
	const lang_form *fm = lang_stmt_form(s);
	return fm ? fm->slot : LS_NONE;
}

int lang_op_nargs(int op)
{
	const lang_opinfo *o = lang_op(op);
	if (o == NULL || o->arg[0] == LA_CALLEE)
		return -1;
	return (o->arg[0] != LA_NONE) + (o->arg[1] != LA_NONE);
}

int lang_arg_kind(int op, int k)
{
	const lang_opinfo *o = lang_op(op);
	if (o == NULL || k < 0 || k >= PROG_MAX_PARAMS)
		return LA_NONE;
	if (o->arg[0] == LA_CALLEE)
		return LA_CALLEE;
	return k < 2 ? o->arg[k] : LA_NONE;
}

int lang_arg_type(const prog *p, const prog_func *f, const prog_stmt *s, int k)
{
	switch (lang_arg_kind(s->op, k)) {
	case LA_LIKE_SLOT:
		return s->slot < prog_nslots(f) ? f->type[s->slot] : -1;
	case LA_INT:
	case LA_INT_NOT1:
	case LA_PANIC:
		return TY_INT;
	case LA_CALLEE:
		return s->fn < p->nfuncs && k < p->funcs[s->fn].nparams
			       ? p->funcs[s->fn].type[k]
			       : -1;
	default:
		return -1;
	}
}

int lang_stmt_uses_slot(const prog_stmt *s)
{
	return lang_stmt_slotkind(s) != LS_NONE;
}

int lang_expr_names_slot(const prog_expr *e)
{
	return e->kind == EX_ADDR || e->kind == EX_SLOT || e->kind == EX_DEC;
}
