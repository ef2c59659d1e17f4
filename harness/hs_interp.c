/*
** hs_interp.c: the interpreter. It runs a program's statements on the
** reference runtime, keeps the ground truth, and runs the checkers after
** every step.
**
** Control flow is the machine's: the PC says where the G is. A program
** function's statement k runs at its site k; a call pushes arguments and
** a return PC (the site's return point); returning loads the return PC
** from the frame's slot and jumps there; resuming at a return point
** simply moves on to the next site (not a step). Runtime code (gopanic,
** lessstack, goexit, grow leaves) runs in rt_run_internal.
**
** A step is one statement, one prologue (frame allocation or stack
** growth), one epilogue action (a deferred call started, or the RET), or
** one runtime continuation (a deferred call run by a panic returning,
** a segment popped, ...). The checkers run after each.
**
** Ground truth kept here (see inv.h): identity cells for every frame's
** return-PC slot, parameters and locals, given when the frame is entered;
** the provenance tag of every pointer the program creates (&y, passed
** on, copied); the frames the program truly has; what recover() must
** answer (a direct deferred call of a panic that is not yet recovered).
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs.h"
#include "hs_internal.h"

const char *hs_outcome_name(int kind)
{
	static const char *n[] = {"ok",	       "panic", "goexit",  "overflow",
				  "budget",    "violation", "limit", "internal"};
	return kind >= 0 && kind <= OUT_INTERNAL ? n[kind] : "?";
}

void hs_result_free(hs_result *res)
{
	free(res->text);
	free(res->report);
	free(res->observed);
	res->text = res->report = res->observed = NULL;
}

static void set_text(hs_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_text(hs_result *res, const char *fmt, ...)
{
	rt_strbuf sb = {0};
	va_list ap;
	va_start(ap, fmt);
	rt_sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	free(res->text);
	res->text = rt_sb_take(&sb);
}

void hs_outcome_str(const hs_result *r, char *buf, size_t len)
{
	switch (r->kind) {
	case OUT_VIOLATION:
		snprintf(buf, len, "violation %s", inv_catalogue[r->inv].id);
		break;
	case OUT_PANIC: /* a prefix is enough for a one-line outcome */
		snprintf(buf, len, "%s", r->text ? r->text : "");
		break;
	case OUT_LIMIT:
	case OUT_INTERNAL:
		snprintf(buf, len, "%s: %s", hs_outcome_name(r->kind),
			 r->text ? r->text : "");
		break;
	default:
		snprintf(buf, len, "%s", hs_outcome_name(r->kind));
	}
}

/* ---- setup: the program's functions in the runtime's table ---- */

/* The sites that are return points: statements the op table flags as
** calling (a callee, a grow leaf, gopanic on a nil dereference). */
static uint64_t callsites(const prog_func *pf)
{
	uint64_t m = 0;
	for (uint32_t k = 0; k < pf->nstmts; k++)
		if (lang_ops[pf->stmts[k].op].flags & LO_CALLSITE)
			m |= 1ull << k;
	return m | (1ull << pf->nstmts); /* the epilogue calls deferred fns */
}

static int leaf_for(hs *h, uint32_t n)
{
	for (uint32_t i = 0; i < h->nleaves; i++)
		if (h->leafsize[i] == n)
			return h->leafidx[i];
	if (h->nleaves >= HS_MAX_LEAVES)
		return -1;
	char name[24];
	snprintf(name, sizeof name, "grow%u", n);
	rt_funcdesc d = {.name = name, .kind = RF_LEAF,
			 .flags = RFF_ARGMAP | RFF_LOCALMAP, .nsites = 1,
			 .framesize = n, .user = -1};
	int idx = rt_addfunc(&h->rt, &d);
	h->leafsize[h->nleaves] = n;
	h->leafidx[h->nleaves++] = idx;
	return idx;
}

/* The functions a deferred builtin calls: `defer recover()` defers a
** leaf that does nothing (Go's recover() returns nil unless a deferred
** function calls it; the deferred builtin is that function, called by
** the runtime, so it never recovers); `defer panic(v)` defers a Go frame
** whose one statement panics with its argument, evaluated at the defer
** like every deferred call's. */
static int setup_builtins(hs *h)
{
	static const rt_funcdesc rec = {.name = "recover", .kind = RF_LEAF,
					.flags = RFF_ARGMAP | RFF_LOCALMAP,
					.nsites = 1, .user = -1};
	rt_funcdesc pan = {.name = "panic", .kind = RF_GO,
			   .flags = RFF_ARGMAP | RFF_LOCALMAP, .nsites = 2,
			   .retsites = 3, .argsize = 8, .user = HS_USER_PANIC};
	h->defrec_idx = h->defpanic_idx = h->defpanicnil_idx = -1;
	int need = 0;
	for (uint32_t i = 0; i < h->p->nfuncs; i++)
		for (uint32_t k = 0; k < h->p->funcs[i].nstmts; k++)
			need |= h->p->funcs[i].stmts[k].op == ST_DEFREC ||
				h->p->funcs[i].stmts[k].op == ST_DEFPANIC;
	if (!need)
		return 0;
	h->defrec_idx = rt_addfunc(&h->rt, &rec);
	h->defpanic_idx = rt_addfunc(&h->rt, &pan);
	pan.name = "panicnil";
	pan.argsize = 0;
	pan.user = HS_USER_PANICNIL;
	h->defpanicnil_idx = rt_addfunc(&h->rt, &pan);
	return h->defrec_idx < 0 || h->defpanic_idx < 0 || h->defpanicnil_idx < 0 ? -1 : 0;
}

static int setup(hs *h)
{
	const prog *p = h->p;
	for (uint32_t i = 0; i < p->nfuncs; i++) {
		const prog_func *pf = &p->funcs[i];
		uint64_t argmap = 0, localmap = 0;
		for (uint32_t s = 0; s < pf->nparams; s++)
			if (pf->type[s] == TY_PTR)
				argmap |= 1ull << s;
		for (uint32_t s = 0; s < pf->nlocals; s++)
			if (pf->type[pf->nparams + s] == TY_PTR)
				localmap |= 1ull << s;
		int wrapper = (pf->flags & FF_CGOWRAPPER) != 0;
		uint32_t nseh = 0;
		for (uint32_t k = 0; k < pf->nstmts; k++)
			nseh += pf->stmts[k].op == ST_SEHPUSH;
		rt_funcdesc d = {
			.name = pf->name,
			.kind = pf->kind == FK_C ? RF_C : RF_GO,
			/* a cgo wrapper: an args map that lies, no locals map */
			.flags = wrapper ? RFF_ARGMAP : RFF_ARGMAP | RFF_LOCALMAP,
			.nsites = pf->nstmts + 1,
			.retsites = callsites(pf),
			.framesize = 8 * pf->nlocals + pf->pad,
			.argsize = 8 * pf->nparams,
			.argmap = wrapper ? 0 : argmap,
			.localmap = localmap,
			.user = (int32_t)i,
			.nseh = nseh,
			.nlocals = pf->nlocals,
		};
		if (pf->kind == FK_C) { /* no maps: never on a G stack */
			d.flags = 0;
			d.argmap = d.localmap = 0;
			/* SEH record count, the records, then pad */
			d.framesize = 8 * (RT_CFRAME_SEH0 + 2 * nseh) + pf->pad;
		}
		h->rtidx[i] = rt_addfunc(&h->rt, &d);
		if (h->rtidx[i] < 0)
			return -1;
	}
	for (uint32_t i = 0; i < p->nfuncs; i++)
		for (uint32_t k = 0; k < p->funcs[i].nstmts; k++)
			if (p->funcs[i].stmts[k].op == ST_GROW &&
			    leaf_for(h, (uint32_t)p->funcs[i].stmts[k].n) < 0)
				return -1;
	return setup_builtins(h);
}

/* ---- slots and expressions ---- */

rt_addr hs_slot_addr(hs *h, const prog_func *pf, uint32_t slot)
{
	const rt_func *f = &h->rt.funcs[h->rtidx[pf - h->p->funcs]];
	if (slot < pf->nparams)
		return rt_frame_fp(&h->rt, f) + 8ull * slot;
	return rt_sp(&h->rt) + 8ull * (slot - pf->nparams);
}

static rt_word ld(hs *h, rt_addr a)
{
	rt_word v;
	rt_load(&h->rt.mem, a, &v);
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
		*tag = rt_cell_at(&h->rt.mem, a);
		break;
	}
	case EX_SLOT: {
		rt_addr a = hs_slot_addr(h, pf, (uint32_t)e->v);
		*v = ld(h, a);
		*tag = rt_ptag_at(&h->rt.mem, a);
		break;
	}
	default: /* EX_DEC */
		*v = ld(h, hs_slot_addr(h, pf, (uint32_t)e->v)) - 1;
		break;
	}
}

static void push_args(hs *h, const prog_func *pf, const prog_stmt *s)
{
	rt_word v[PROG_MAX_PARAMS];
	uint32_t tag[PROG_MAX_PARAMS];
	for (uint32_t i = 0; i < s->nargs; i++)
		eval(h, pf, &s->a[i], &v[i], &tag[i]);
	rt_addr a = rt_push_args(&h->rt, v, s->nargs);
	for (uint32_t i = 0; i < s->nargs; i++)
		rt_ptag_set(&h->rt.mem, a + 8ull * i, tag[i]);
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
	rt_store(&x->r->mem, a, v);
	rt_ptag_set(&x->r->mem, a, tag);
	return next_site(x);
}

static rt_addr ex_store(const xctx *x)
{
	rt_word v;
	uint32_t tag;
	rt_word p = ld(x->h, hs_slot_addr(x->h, x->pf, x->s->slot));
	eval(x->h, x->pf, &x->s->a[0], &v, &tag);
	if (p < RT_NIL_LIMIT) {
		nilpanic(x->h, x->k);
		return 0;
	}
	rt_store(&x->r->mem, p, v);
	return next_site(x);
}

static rt_addr ex_check(const xctx *x)
{
	const prog_stmt *s = x->s;
	rt_addr a = hs_slot_addr(x->h, x->pf, s->slot);
	rt_word got = ld(x->h, a);
	if (s->n) {
		if (got < RT_NIL_LIMIT) {
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
		rt_store(&x->r->mem, a, (rt_word)(got ? recovered_int(kind, val) : 0));
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
	rt_call(x->r, leaf_for(x->h, (uint32_t)x->s->n), rt_retpc(x->f, x->k));
	return 0;
}

static rt_addr ex_gc(const xctx *x)
{
	int n = (int)x->s->n;
	if (n != GC_SHRINK) /* what the scan must visit: GC1 */
		inv_truth_gc(&x->h->truth, x->r, n != GC_SCAN, x->pf->kind == FK_C);
	if (n == GC_SHRINK)
		rt_shrink(x->r);
	else if (n == GC_SCAN)
		rt_gc_scan(x->r);
	else
		rt_gc_markterm(x->r);
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
	rt_word a[PROG_MAX_PARAMS];
	uint32_t tag;
	for (uint32_t i = 0; i < x->s->nargs; i++)
		eval(x->h, x->pf, &x->s->a[i], &a[i], &tag);
	inv_truth_cgo_call(&x->h->truth, x->r);
	rt_cgocall(x->r, x->h->rtidx[x->s->fn], a, x->s->nargs, x->k);
	return 0;
}

static rt_addr ex_callback(const xctx *x)
{
	rt_word a[PROG_MAX_PARAMS];
	uint32_t tag;
	for (uint32_t i = 0; i < x->s->nargs; i++)
		eval(x->h, x->pf, &x->s->a[i], &a[i], &tag);
	inv_truth_callback(&x->h->truth, x->r);
	rt_callback(x->r, x->h->rtidx[x->s->fn], a, x->s->nargs, x->k);
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
	rt_store(&x->r->mem, d, x->s->op == ST_SUB ? a - b : a + b);
	rt_ptag_set(&x->r->mem, d, 0);
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
	if (p < RT_NIL_LIMIT) {
		nilpanic(x->h, x->k);
		return 0;
	}
	rt_addr d = hs_slot_addr(x->h, x->pf, x->s->slot);
	rt_store(&x->r->mem, d, ld(x->h, p));
	rt_ptag_set(&x->r->mem, d, 0);
	return next_site(x);
}

/* Go's runtime.lockedOSThread(): the user's LockOSThread count, or the
** runtime's own lock (a cgo call, a callback) */
static rt_addr ex_locked(const xctx *x)
{
	rt_addr d = hs_slot_addr(x->h, x->pf, x->s->slot);
	rt_store(&x->r->mem, d, x->r->g.lockedext || x->r->m.lockedint);
	rt_ptag_set(&x->r->mem, d, 0);
	return next_site(x);
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
	[ST_DEFPANIC] = ex_defpanic,
};

/* The deferred builtin panic's frame (setup_builtins): site 0 panics with
** its argument, site 1 is its epilogue (reached only if nothing ran). */
static void exec_builtin(hs *h, const rt_func *f, rt_addr pc)
{
	rt *r = &h->rt;
	rt_addr off = pc - f->entry;
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

static void exec_stmt(hs *h, const prog_func *pf, uint32_t k)
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

/* ---- the loop ---- */

static void finish(hs *h, hs_result *res)
{
	rt *r = &h->rt;
	switch (r->status) {
	case RT_EXITED:
		res->kind = OUT_OK;
		break;
	case RT_GOEXITED:
		res->kind = OUT_GOEXIT;
		break;
	case RT_PANICKED:
		res->kind = OUT_PANIC;
		set_text(res, "%s", r->panicmsg ? r->panicmsg : "panic");
		break;
	case RT_OVERFLOW:
		res->kind = OUT_OVERFLOW;
		break;
	default:
		break;
	}
}

static void show(hs *h, const hs_options *o)
{
	hs_dump(h, o->show);
	if (o->dot)
		hs_dump_dot(h, o->dot);
}

int hs_run(const prog *p, const hs_options *o, hs_result *res)
{
	hs *h = calloc(1, sizeof *h);
	if (!h)
		return -1;
	hs_result_free(res);
	memset(res, 0, sizeof *res);
	res->func = res->stmt = -1;
	h->p = p;
	h->o = o;
	rt_config cfg = {
		.stack_init = p->cfg.stack,
		.stack_max = p->cfg.maxstack,
		.debug = p->cfg.debug,
		.stress = p->cfg.stress || (o && o->stress),
		.bugs = o && o->bugs_set ? o->bugs : p->cfg.bugs,
		.poison = 1,
		.windows = (o && o->target_set ? o->target : p->cfg.target) ==
			   TARGET_WINDOWS_386,
		.barriers = o && o->barriers_set ? o->barriers : p->cfg.barriers,
	};
	rt_init(&h->rt, &cfg);
	/* StackDebug-style logging (debug=1..4): into the trace, or stderr */
	h->rt.log = o && o->trace ? o->trace : p->cfg.debug ? stderr : NULL;
	inv_truth_init(&h->truth);
	inv_ctx_init(&h->ctx, &h->rt, &h->truth);
	if (o && o->check_mask)
		h->ctx.mask = o->check_mask;
	if (o)
		h->ctx.full = o->full_checks;
	if (setup(h) < 0 || rt_start(&h->rt, h->rtidx[0]) < 0) {
		/* more functions or grow sizes than the runtime's text has
		** room for: a limit of the harness, not of the program */
		res->kind = OUT_LIMIT;
		if (h->nleaves >= HS_MAX_LEAVES)
			set_text(res, "grow sizes: more than %u distinct `grow N` "
				 "sizes (each is a leaf function)", HS_MAX_LEAVES);
		else
			set_text(res, "function table: the program does not fit the "
				 "runtime's text (%u functions at most)", RT_MAX_FUNCS);
		goto out;
	}
	uint64_t budget = o && o->budget ? o->budget : p->cfg.budget;
	if (!budget)
		budget = 200000;
	int checking = !(o && o->no_checks);
	rt *r = &h->rt;
	for (;;) {
		if (r->status != RT_RUNNING) {
			finish(h, res);
			break;
		}
		if (h->steps >= budget) {
			res->kind = OUT_BUDGET;
			break;
		}
		rt_begin_step(r);
		rt_addr pc = rt_pc(r);
		const rt_func *f = rt_findfunc(r, pc);
		h->cur_func = -1;
		h->cur_stmt = -1;
		h->cur_rtfunc = f ? (int)(f - r->funcs) : -1;
		h->cur_site = f ? (int)((pc - f->entry) / RT_SITE) - 1 : -1;
		if (!f) {
			rt_throw(r, TH_BADRETPC, "unexpected return pc");
		} else if (pc == f->entry && !(f->flags & RFF_NOFRAME)) {
			rt_prologue(r);
		} else if (f->user >= 0) {
			const prog_func *pf = &p->funcs[f->user];
			rt_addr off = pc - f->entry;
			uint32_t site = (uint32_t)(off / RT_SITE) - 1;
			h->cur_func = f->user;
			if (off % RT_SITE == RT_PCQUANTUM) {
				/* resumed after a call: on to the next site */
				r->cur->sched.pc = rt_site_pc(f, site < pf->nstmts ? site + 1 : site);
				continue;
			}
			if (off % RT_SITE != 0 || site > pf->nstmts) {
				rt_throw(r, TH_BADPC, "pc inside no statement");
			} else if (site < pf->nstmts) {
				h->cur_stmt = (int)site;
				exec_stmt(h, pf, site);
			} else {
				rt_epilogue(r, site);
			}
		} else if (f->user == HS_USER_PANIC || f->user == HS_USER_PANICNIL) {
			exec_builtin(h, f, pc);
		} else {
			rt_run_internal(r);
		}
		h->steps++;
		inv_truth_events(&h->truth, r);
		if (o && o->trace)
			hs_trace_step(h, o->trace);
		if (r->status == RT_THROW) {
			/* a throw's code says which invariant it reveals */
			int id = inv_throw_verdict(r->throwcode);
			res->throwcode = r->throwcode;
			res->kind = id >= 0 ? OUT_VIOLATION : OUT_INTERNAL;
			res->inv = id >= 0 ? id : 0;
			set_text(res, "fatal error: %s", r->throwmsg);
			if (id >= 0)
				hs_report(h, res);
			break;
		}
		inv_violation v;
		int bad = checking && inv_check(&h->ctx, &v);
		/* the checkers have seen this step's changes */
		r->mem.dirty_hi = 0;
		r->mem.ndirtyw = 0;
		r->mem.ndirtyrg = 0;
		r->mem.heap_wlo = RT_ADDR_MAX;
		inv_truth_step_done(&h->truth);
		if (bad) {
			res->kind = OUT_VIOLATION;
			res->inv = v.id;
			set_text(res, "%s", v.msg);
			hs_report(h, res);
			break;
		}
		if (o && o->show && o->show_step == h->steps)
			show(h, o);
	}
	if (o && o->show && o->show_step > h->steps) {
		fprintf(o->show, "(the run ended at step %llu)\n",
			(unsigned long long)h->steps);
		show(h, o);
	} else if (o && o->show && res->kind == OUT_VIOLATION &&
		   o->show_step == h->steps) {
		show(h, o);
	}
out:
	res->steps = h->steps;
	res->func = h->cur_func;
	res->stmt = h->cur_stmt;
	if (h->cur_func >= 0 && h->cur_stmt >= 0)
		res->line = p->funcs[h->cur_func].stmts[h->cur_stmt].line;
	res->copies = h->rt.ncopies;
	res->segments = h->rt.nsegments;
	res->shrinks = h->rt.nshrinks;
	res->maxdepth = h->truth.maxdepth;
	res->reached = h->ctx.reached;
	if (res->kind == OUT_VIOLATION)
		res->reached |= 1u << res->inv;
	if (!res->text)
		set_text(res, "%s", "");
	/* the observables move into the result (never NULL) */
	res->observed = rt_sb_take(&h->obs);
	if (!res->report) {
		rt_strbuf none = {0};
		res->report = rt_sb_take(&none);
	}
	inv_ctx_free(&h->ctx);
	inv_truth_free(&h->truth);
	rt_destroy(&h->rt);
	free(h);
	return 0;
}

int hs_expect_met(const prog *p, const hs_result *r, char *why, size_t len)
{
	char got[256];
	hs_outcome_str(r, got, sizeof got);
	const prog_expect *e = &p->expect;
	int ok;
	switch (e->kind) {
	case EXPECT_NONE:
		ok = r->kind != OUT_VIOLATION;
		break;
	case EXPECT_OK:
		ok = r->kind == OUT_OK;
		break;
	case EXPECT_VIOLATION:
		ok = r->kind == OUT_VIOLATION && !strcmp(inv_catalogue[r->inv].id, e->id);
		break;
	case EXPECT_PANIC: {
		char want[sizeof e->text + 8];
		snprintf(want, sizeof want, "panic: %s", e->text);
		ok = r->kind == OUT_PANIC && !strncmp(r->text, want, strlen(want)) &&
		     (r->text[strlen(want)] == 0 || r->text[strlen(want)] == '\n' ||
		      r->text[strlen(want)] == ' ');
		break;
	}
	case EXPECT_GOEXIT:
		ok = r->kind == OUT_GOEXIT;
		break;
	case EXPECT_OVERFLOW:
		ok = r->kind == OUT_OVERFLOW;
		break;
	case EXPECT_BUDGET:
		ok = r->kind == OUT_BUDGET;
		break;
	case EXPECT_LIMIT:
		ok = r->kind == OUT_LIMIT;
		break;
	default:
		ok = 0;
	}
	if (!ok && why)
		snprintf(why, len, "got %s", got);
	return ok;
}
