/*
** hs_exec.c: the interpreter's statements: one handler per op of the op
** table (lang_op.h), the deferred builtins' frames, and the results a
** call leaves. hs_interp.c sets the program up and runs the loop that
** calls these.
**
** A handler runs statement k of the current frame and says where the G
** goes next: the next site, the epilogue, or nowhere (0) when the
** runtime moved the G itself (a call, a panic). Ground truth is recorded
** as each statement runs: pointer tags follow values (&y, copies), a
** panic's value, what recover() must answer, the cgo/callback entries.
** Gotcha: a value statement stores an int: it clears the slot's pointer
** tag, so a slot that held a pointer before no longer claims to.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hs.h"
#include "hs_internal.h"

static rt_word ld(hs *h, rt_addr a)
{
	rt_word v;
	mc_load(&h->rt.mem, a, &v);
	return v;
}

static void eval(hs *h, const prog_func *pf, const prog_expr *e, rt_word *v,
		 uint32_t *tag)
{
	*tag = 0;
	switch (e->kind) {
	case EX_CONST:
		*v = (rt_word)(int64_t)e->v;
		break;
	case EX_NIL:
		*v = 0;
		break;
	case EX_ADDR: {
		rt_addr a = hs_slot_addr(h, pf, (uint32_t)e->v);
		*v = a;
		*tag = mc_cell_at(&h->rt.mem, a);
		break;
	}
	case EX_SLOT: {
		rt_addr a = hs_slot_addr(h, pf, (uint32_t)e->v);
		*v = ld(h, a);
		*tag = mc_ptag_at(&h->rt.mem, a);
		break;
	}
	default: /* EX_DEC */
		*v = ld(h, hs_slot_addr(h, pf, (uint32_t)e->v)) - 1;
		break;
	}
}

/* The callee's argument words: the arguments, evaluated now, then its
** result (zero, as Go zeroes results on entry). Returns how many. */
static uint32_t arg_words(hs *h, const prog_func *pf, const prog_stmt *s,
			  rt_word *v, uint32_t *tag)
{
	uint32_t n = s->nargs;
	for (uint32_t i = 0; i < n; i++)
		eval(h, pf, &s->a[i], &v[i], &tag[i]);
	if (lang_is_call(s->op) && h->p->funcs[s->fn].nresults)
		v[n] = 0, tag[n++] = 0;
	return n;
}

static void push_args(hs *h, const prog_func *pf, const prog_stmt *s)
{
	rt_word v[PROG_MAX_PARAMS + 1];
	uint32_t tag[PROG_MAX_PARAMS + 1];
	uint32_t n = arg_words(h, pf, s, v, tag);
	rt_addr a = rt_push_args(&h->rt, v, n);
	for (uint32_t i = 0; i < n; i++)
		mc_ptag_set(&h->rt.mem, a + 8ull * i, tag[i]);
}

static int64_t recovered_int(int kind, int64_t v)
{
	return kind == PV_INT ? v : kind == PV_NIL ? 0 : -1; /* runtime errors */
}

/* Appends one observable line (see hs_result.observed). */
static void observe(hs *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void observe(hs *h, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	rt_sb_vprintf(&h->obs, fmt, ap);
	va_end(ap);
}

/* ---- statements ---- */

static void nilpanic(hs *h, uint32_t k)
{
	inv_truth_panic_value(&h->truth, PV_NILDEREF, 0);
	rt_gopanic(&h->rt, PV_NILDEREF, 0, k);
}

/* One handler per op (the op table's rows, lang_op.h). A handler runs
** statement k and returns where the G goes next: the next site, the
** epilogue, or 0 when the runtime moved the G itself (a call, a panic). */
typedef struct {
	hs *h;
	rt *r;
	const prog_func *pf;
	const prog_stmt *s;
	const rt_func *f;
	uint32_t k;
} xctx;
typedef rt_addr (*exec_fn)(const xctx *x);

static rt_addr next_site(const xctx *x) { return rt_site_pc(x->f, x->k + 1); }
static rt_addr epilogue(const xctx *x) { return rt_site_pc(x->f, x->pf->nstmts); }

static rt_addr ex_assign(const xctx *x)
{
	rt_word v;
	uint32_t tag;
	rt_addr a = hs_slot_addr(x->h, x->pf, x->s->slot);
	eval(x->h, x->pf, &x->s->a[0], &v, &tag);
	mc_store(&x->r->mem, a, v);
	mc_ptag_set(&x->r->mem, a, tag);
	return next_site(x);
}

static rt_addr ex_store(const xctx *x)
{
	rt_word v;
	uint32_t tag;
	rt_word p = ld(x->h, hs_slot_addr(x->h, x->pf, x->s->slot));
	eval(x->h, x->pf, &x->s->a[0], &v, &tag);
	if (p < MC_NIL_LIMIT) {
		nilpanic(x->h, x->k);
		return 0;
	}
	mc_store(&x->r->mem, p, v);
	return next_site(x);
}

static rt_addr ex_check(const xctx *x)
{
	const prog_stmt *s = x->s;
	rt_addr a = hs_slot_addr(x->h, x->pf, s->slot);
	rt_word got = ld(x->h, a);
	if (s->n) {
		if (got < MC_NIL_LIMIT) {
			nilpanic(x->h, x->k);
			return 0;
		}
		a = got;
		got = ld(x->h, a);
	}
	inv_truth_check(&x->h->truth, x->pf->name, x->pf->slotname[s->slot],
			s->n != 0, a, s->a[0].v, (int64_t)got);
	return next_site(x);
}

static rt_addr ex_call(const xctx *x)
{
	push_args(x->h, x->pf, x->s);
	rt_call(x->r, x->h->rtidx[x->s->fn], rt_retpc(x->f, x->k));
	return 0;
}

static rt_addr ex_defer(const xctx *x)
{
	push_args(x->h, x->pf, x->s);
	rt_deferproc(x->r, x->h->rtidx[x->s->fn], x->k);
	return next_site(x);
}

static rt_addr ex_panic(const xctx *x)
{
	rt_word v;
	uint32_t tag;
	int kind = PV_INT;
	eval(x->h, x->pf, &x->s->a[0], &v, &tag);
	if (x->s->a[0].kind == EX_NIL)
		kind = PV_NIL;
	inv_truth_panic_value(&x->h->truth, kind, (int64_t)v);
	rt_gopanic(x->r, kind, (int64_t)v, x->k);
	return 0;
}

static rt_addr ex_recover(const xctx *x)
{
	hs *h = x->h;
	int kind;
	int64_t val;
	/* what Go answers is read before the runtime answers: a recover
	** marks its panic recovered */
	inv_truth_recover_begin(&h->truth, x->r, x->f);
	int got = rt_gorecover(x->r, x->f, &kind, &val);
	inv_truth_recover(&h->truth, x->pf->name, got, kind, val);
	/* the value as Go's recover() returns it (a fact, not a check) */
	if (!got || kind == PV_NIL)
		observe(h, "recover: nil\n");
	else if (kind == PV_INT)
		observe(h, "recover: %lld\n", (long long)val);
	else
		observe(h, "recover: runtime error\n");
	if (x->s->n) {
		rt_addr a = hs_slot_addr(h, x->pf, x->s->slot);
		mc_store(&x->r->mem, a, (rt_word)(got ? recovered_int(kind, val) : 0));
	}
	return next_site(x);
}

static rt_addr ex_goexit(const xctx *x)
{
	inv_truth_panic_value(&x->h->truth, PV_NIL, 0);
	rt_goexit(x->r, x->k);
	return 0;
}

static rt_addr ex_grow(const xctx *x)
{
	rt_call(x->r, hs_leaf_for(x->h, (uint32_t)x->s->n), rt_retpc(x->f, x->k));
	return 0;
}

static rt_addr ex_gc(const xctx *x)
{
	int n = (int)x->s->n;
	if (n != GC_SHRINK) /* what each G's scan must visit: GC1 */
		hs_sched_gc_truth(x->h, n != GC_SCAN, x->pf->kind == FK_C);
	/* every G: suspended ones too (rt_sched.c) */
	if (n == GC_SHRINK)
		rt_shrink_all(x->r);
	else if (n == GC_SCAN)
		rt_gc_scan_all(x->r);
	else
		rt_gc_markterm_all(x->r);
	return next_site(x);
}

static rt_addr ex_retz(const xctx *x)
{
	if (ld(x->h, hs_slot_addr(x->h, x->pf, x->s->slot)) == 0)
		return epilogue(x);
	return next_site(x);
}

static rt_addr ex_return(const xctx *x) { return epilogue(x); }

static rt_addr ex_cgo(const xctx *x)
{
	rt_word a[PROG_MAX_PARAMS + 1];
	uint32_t tag[PROG_MAX_PARAMS + 1];
	uint32_t n = arg_words(x->h, x->pf, x->s, a, tag);
	inv_truth_cgo_call(&x->h->truth, x->r);
	rt_cgocall(x->r, x->h->rtidx[x->s->fn], a, n, x->k);
	return 0;
}

static rt_addr ex_callback(const xctx *x)
{
	rt_word a[PROG_MAX_PARAMS + 1];
	uint32_t tag[PROG_MAX_PARAMS + 1];
	uint32_t n = arg_words(x->h, x->pf, x->s, a, tag);
	inv_truth_callback(&x->h->truth, x->r);
	rt_callback(x->r, x->h->rtidx[x->s->fn], a, n, x->k);
	return 0;
}

static rt_addr ex_sehpush(const xctx *x)
{
	rt_sehpush(x->r);
	return next_site(x);
}

static rt_addr ex_sehpop(const xctx *x)
{
	rt_sehpop(x->r);
	return next_site(x);
}

static rt_addr ex_lock(const xctx *x)
{
	x->h->truth.locks++;
	rt_lockosthread(x->r);
	return next_site(x);
}

static rt_addr ex_unlock(const xctx *x)
{
	if (x->h->truth.locks)
		x->h->truth.locks--;
	rt_unlockosthread(x->r);
	return next_site(x);
}

static rt_addr ex_fault(const xctx *x)
{
	inv_truth_panic_value(&x->h->truth, PV_FAULT, 0);
	rt_fault(x->r, x->k);
	return 0;
}

static rt_addr ex_add(const xctx *x)
{
	rt_word a, b;
	uint32_t tag;
	eval(x->h, x->pf, &x->s->a[0], &a, &tag);
	eval(x->h, x->pf, &x->s->a[1], &b, &tag);
	rt_addr d = hs_slot_addr(x->h, x->pf, x->s->slot);
	/* Go's int wraps: unsigned arithmetic on the 64-bit word */
	mc_store(&x->r->mem, d, x->s->op == ST_SUB ? a - b : a + b);
	mc_ptag_set(&x->r->mem, d, 0);
	return next_site(x);
}

static rt_addr ex_retcmp(const xctx *x)
{
	rt_word a, b;
	uint32_t tag;
	a = ld(x->h, hs_slot_addr(x->h, x->pf, x->s->slot));
	eval(x->h, x->pf, &x->s->a[0], &b, &tag);
	int yes = x->s->op == ST_RETEQ ? a == b : (int64_t)a < (int64_t)b;
	return yes ? epilogue(x) : next_site(x);
}

static rt_addr ex_load(const xctx *x)
{
	rt_word p = ld(x->h, hs_slot_addr(x->h, x->pf, (uint32_t)x->s->a[0].v));
	if (p < MC_NIL_LIMIT) {
		nilpanic(x->h, x->k);
		return 0;
	}
	rt_addr d = hs_slot_addr(x->h, x->pf, x->s->slot);
	mc_store(&x->r->mem, d, ld(x->h, p));
	mc_ptag_set(&x->r->mem, d, 0);
	return next_site(x);
}

/* Go's runtime.lockedOSThread(): the user's LockOSThread count, or the
** runtime's own lock (a cgo call, a callback) */
static rt_addr ex_locked(const xctx *x)
{
	rt_addr d = hs_slot_addr(x->h, x->pf, x->s->slot);
	mc_store(&x->r->mem, d, x->r->g.lockedext || x->r->m.lockedint);
	mc_ptag_set(&x->r->mem, d, 0);
	return next_site(x);
}

/* return E: E into the result slot (the argument area), then return;
** deferred calls run after and may change it through &r. */
static rt_addr ex_retval(const xctx *x)
{
	rt_word v;
	uint32_t tag;
	eval(x->h, x->pf, &x->s->a[0], &v, &tag);
	rt_addr d = hs_slot_addr(x->h, x->pf, (uint32_t)prog_result_slot(x->pf));
	mc_store(&x->r->mem, d, v);
	mc_ptag_set(&x->r->mem, d, 0);
	return epilogue(x);
}

static rt_addr ex_defrec(const xctx *x)
{
	rt_deferproc(x->r, x->h->defrec_idx, x->k);
	return next_site(x);
}

static rt_addr ex_defpanic(const xctx *x)
{
	if (x->s->a[0].kind == EX_NIL) {
		rt_deferproc(x->r, x->h->defpanicnil_idx, x->k);
		return next_site(x);
	}
	push_args(x->h, x->pf, x->s); /* the value, evaluated now */
	rt_deferproc(x->r, x->h->defpanic_idx, x->k);
	return next_site(x);
}

/* A new G's argument words into a (n of them); 0 when the run reaches
** its goroutine limit (an outcome `limit`, set here). Its arguments are
** values (repair made pointer arguments nil), so no tag follows them. */
static int new_g_args(const xctx *x, rt_word *a, uint32_t *n)
{
	uint32_t tag[PROG_MAX_PARAMS + 1];
	*n = arg_words(x->h, x->pf, x->s, a, tag);
	if (x->r->nallg < HS_MAX_GS)
		return 1;
	x->h->limit = "goroutines: more than " HS_MAX_GS_STR
		      " started (each has its own stack)";
	return 0;
}

/* go f(args): a new G (rt_sched.c). */
static rt_addr ex_go(const xctx *x)
{
	rt_word a[PROG_MAX_PARAMS + 1];
	uint32_t n;
	if (!new_g_args(x, a, &n))
		return 0;
	if (rt_newproc(x->r, x->h->rtidx[x->s->fn], a, n) < 0)
		rt_throw(x->r, TH_INTERNAL_BADFUNC, "newproc: bad function");
	return next_site(x);
}

/* gosched anywhere, in C and inside a callback too: a G in C or in a
** callback keeps its M (rt_sched.c), and another G runs on another M. */
static rt_addr ex_gosched(const xctx *x)
{
	rt_gosched(x->r);
	return next_site(x);
}

/* wait: on when every other G has ended; else block (in C too: the G
** keeps its M while it waits), and run this statement again when the
** scheduler picks the G (no step moves it). */
static rt_addr ex_wait(const xctx *x)
{
	if (!rt_others_live(x->r))
		return next_site(x);
	rt_wait(x->r);
	return 0;
}

/* cthread f(args) in C: C makes a thread that calls f back on an extra
** M (rt_cthread.c); the caller resumes after the statement once the
** thread has ended. The thread's G gets its truth: it starts inside
** that callback, with no cgo call below it (inv_truth.extram). */
static rt_addr ex_cthread(const xctx *x)
{
	rt_word a[PROG_MAX_PARAMS + 1];
	uint32_t n;
	if (!new_g_args(x, a, &n))
		return 0;
	int g = rt_cthread(x->r, x->h->rtidx[x->s->fn], a, n, x->k);
	if (g >= 0)
		hs_sched_cthread_truth(x->h, (uint32_t)g);
	return 0;
}

static const exec_fn exec_op[ST__COUNT] = {
	[ST_ASSIGN] = ex_assign,     [ST_STORE] = ex_store,
	[ST_CHECK] = ex_check,	     [ST_CALL] = ex_call,
	[ST_DEFER] = ex_defer,	     [ST_PANIC] = ex_panic,
	[ST_RECOVER] = ex_recover,   [ST_GOEXIT] = ex_goexit,
	[ST_GROW] = ex_grow,	     [ST_GC] = ex_gc,
	[ST_RETZ] = ex_retz,	     [ST_RETURN] = ex_return,
	[ST_CGO] = ex_cgo,	     [ST_CALLBACK] = ex_callback,
	[ST_SEHPUSH] = ex_sehpush,   [ST_SEHPOP] = ex_sehpop,
	[ST_LOCK] = ex_lock,	     [ST_UNLOCK] = ex_unlock,
	[ST_FAULT] = ex_fault,	     [ST_ADD] = ex_add,
	[ST_SUB] = ex_add,	     [ST_RETEQ] = ex_retcmp,
	[ST_RETLT] = ex_retcmp,	     [ST_LOAD] = ex_load,
	[ST_LOCKED] = ex_locked,     [ST_DEFREC] = ex_defrec,
	[ST_DEFPANIC] = ex_defpanic, [ST_RETVAL] = ex_retval,
	[ST_CALLR] = ex_call,	     [ST_CGOR] = ex_cgo,
	[ST_CBR] = ex_callback,	     [ST_GO] = ex_go,
	[ST_GOSCHED] = ex_gosched,   [ST_WAIT] = ex_wait,
	[ST_CTHREAD] = ex_cthread,
};

/* x = call/cgo/callback f(...) resumed: the callee returned and popped
** its argument area, the result its last word (a cgo call's or a
** callback's trampoline block holds it, copied back by the runtime). */
void hs_take_result(hs *h, const prog_func *pf, const prog_stmt *s)
{
	rt *r = &h->rt;
	const prog_func *g = &h->p->funcs[s->fn];
	rt_addr sp = rt_sp(r), at = sp - 8;
	if (s->op != ST_CALLR)
		at = sp - 8ull * CGO_ARGWORDS + 8ull * (CGO_ARG0 + (uint32_t)prog_nargw(g) - 1);
	rt_addr d = hs_slot_addr(h, pf, s->slot);
	mc_store(&r->mem, d, ld(h, at));
	mc_ptag_set(&r->mem, d, 0);
}

/* The first two frames of the running G's walk (the unwinder's: a
** barrier or a segment boundary between them is taken as it takes it). */
struct two_frames {
	rt_frame f[2];
	uint32_t n;
};

static int first_two(const rt *r, const rt_frame *fr, void *arg)
{
	(void)r;
	struct two_frames *t = arg;
	t->f[t->n++] = *fr;
	return t->n < 2;
}

/* `defer recover()`, its leaf's body. Go 1.18+ compiles the deferred
** builtin with the deferring function's argp (ORECOVERFP): run at that
** function's return (deferreturn: the leaf's caller is the function) it
** answers as a recover() the function itself calls, so it recovers when
** the function is the deferred call a panic runs; run by a panic or
** Goexit (the caller is gopanic or goexit1) it never does, since that
** argp is never the running deferred call's. Go prints nothing for it.
** Both checked on Go 1.19 (seeds go-defer-recover-*). */
static void exec_defrecover(hs *h, const rt_func *f)
{
	rt *r = &h->rt;
	struct two_frames t = {.n = 0};
	rt_traceback(r, r->g.sched.pc, r->g.sched.sp, 0, first_two, &t, NULL, 0);
	const rt_frame *caller = t.n == 2 ? &t.f[1] : NULL;
	int kind;
	int64_t val;
	int got;
	if (caller && caller->fn->user >= 0 && caller->fn->kind == RF_GO) {
		inv_truth_recover_begin_at(&h->truth, r, caller->fn, caller->sp,
					   caller->seghi);
		got = rt_gorecover_argp(r, caller->fp, &kind, &val);
	} else { /* the running record's deferring frame */
		rt_addr d = r->g.defer;
		inv_truth_recover_begin_at(&h->truth, r, NULL, 0, 0);
		got = rt_gorecover_argp(r, d ? ld(h, d + 8 * D_ARGP) : 0, &kind, &val);
	}
	inv_truth_recover(&h->truth, caller ? caller->fn->name : "recover", got, kind,
			  val);
	rt_ret(r, f);
}

/* The deferred builtin panic's frame (setup_builtins): site 0 panics with
** its argument, site 1 is its epilogue (reached only if nothing ran). */
void hs_exec_builtin(hs *h, const rt_func *f, rt_addr pc)
{
	rt *r = &h->rt;
	rt_addr off = pc - f->entry;
	if (f->user == HS_USER_RECOVER) {
		if (off == RT_SITE)
			exec_defrecover(h, f);
		else
			rt_throw(r, TH_BADPC, "pc inside no statement of a deferred builtin");
		return;
	}
	if (off == RT_SITE) {
		int kind = f->user == HS_USER_PANICNIL ? PV_NIL : PV_INT;
		rt_word v = kind == PV_NIL ? 0 : ld(h, rt_frame_fp(r, f));
		inv_truth_panic_value(&h->truth, kind, (int64_t)v);
		rt_gopanic(r, kind, (int64_t)v, 0);
	} else if (off == 2 * RT_SITE) {
		rt_epilogue(r, 1);
	} else {
		rt_throw(r, TH_BADPC, "pc inside no statement of a deferred builtin");
	}
}

int hs_interp_handles(int op)
{
	return op >= 0 && op < ST__COUNT && exec_op[op] != NULL;
}

void hs_exec_stmt(hs *h, const prog_func *pf, uint32_t k)
{
	rt *r = &h->rt;
	const prog_stmt *s = &pf->stmts[k];
	xctx x = {h, r, pf, s, &r->funcs[h->rtidx[pf - h->p->funcs]], k};
	if (!hs_interp_handles(s->op)) {
		rt_throw(r, TH_INTERNAL_BADSTMT, "unknown statement");
		return;
	}
	rt_addr next = exec_op[s->op](&x);
	if (next != 0)
		r->cur->sched.pc = next;
}

