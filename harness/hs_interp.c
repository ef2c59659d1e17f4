/*
** hs_interp.c: the interpreter. It runs a program's statements on the
** reference runtime, keeps the ground truth, and runs the checkers after
** every step. The statements themselves are hs_exec.c's handlers, one
** per op of the op table.
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
				  "budget",    "violation", "limit", "internal",
				  "deadlock",  "fatal"};
	return kind >= 0 && kind <= OUT_FATAL ? n[kind] : "?";
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
	case OUT_FATAL: /* "fatal error: ..." as Go prints it */
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

int hs_leaf_for(hs *h, uint32_t n)
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
					.nsites = 1, .user = HS_USER_RECOVER};
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
			if (pf->type[prog_nargw(pf) + s] == TY_PTR)
				localmap |= 1ull << s;
		int wrapper = (pf->flags & FF_CGOWRAPPER) != 0;
		/* the result (an int: no map bit) is the last argument word */
		uint8_t res = pf->nresults ? RFF_RESULT : 0;
		uint32_t nseh = 0;
		for (uint32_t k = 0; k < pf->nstmts; k++)
			nseh += pf->stmts[k].op == ST_SEHPUSH;
		rt_funcdesc d = {
			.name = pf->name,
			.kind = pf->kind == FK_C ? RF_C : RF_GO,
			/* a cgo wrapper: an args map that lies, no locals map */
			.flags = (uint8_t)((wrapper ? RFF_ARGMAP : RFF_ARGMAP | RFF_LOCALMAP) | res),
			.nsites = pf->nstmts + 1,
			.retsites = callsites(pf),
			.framesize = 8 * pf->nlocals + pf->pad,
			.argsize = 8 * (uint32_t)prog_nargw(pf),
			.argmap = wrapper ? 0 : argmap,
			.localmap = localmap,
			.user = (int32_t)i,
			.nseh = nseh,
			.nlocals = pf->nlocals,
		};
		if (pf->kind == FK_C) { /* no maps: never on a G stack */
			d.flags = res;
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
			    hs_leaf_for(h, (uint32_t)p->funcs[i].stmts[k].n) < 0)
				return -1;
	return setup_builtins(h);
}

/* ---- slots and expressions ---- */

rt_addr hs_slot_addr(hs *h, const prog_func *pf, uint32_t slot)
{
	const rt_func *f = &h->rt.funcs[h->rtidx[pf - h->p->funcs]];
	if (slot < (uint32_t)prog_nargw(pf)) /* parameters, the result */
		return rt_frame_fp(&h->rt, f) + 8ull * slot;
	return rt_sp(&h->rt) + 8ull * (slot - (uint32_t)prog_nargw(pf));
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
	case RT_DEADLOCK:
		res->kind = OUT_DEADLOCK;
		break;
	case RT_FATAL:
		res->kind = OUT_FATAL;
		set_text(res, "fatal error: %s", r->fatalmsg ? r->fatalmsg : "?");
		break;
	default:
		break;
	}
}

/* A safe point where preempt=N may make the G yield (with several Gs). */
static void safepoint(hs *h)
{
	rt *r = &h->rt;
	if (h->p->cfg.preempt && r->nallg > 1 && r->status == RT_RUNNING &&
	    ++h->safepoints % h->p->cfg.preempt == 0)
		rt_gosched(r);
}

static void show(hs *h, const hs_options *o)
{
	hs_dump(h, o->show);
	if (o->dot)
		hs_dump_dot(h, o->dot);
}

/* The interpreter's state (about 40 KiB) is kept for the next run: a
** fuzzing process runs thousands a second, and under ASan a fresh calloc
** of that size went through the quarantine to cold pages each time. It
** is zeroed on every take, as calloc did, so nothing of a run survives
** into the next. One slot: a run started inside a run (none does today)
** simply allocates its own. Not inlined: the fuzz builds leave these two
** out of coverage by name (fuzz/afl_denylist.txt, coverage_ignorelist.txt),
** since whether the spare is there depends on the earlier runs. */
static hs *spare_hs;

__attribute__((noinline)) static hs *hs_take(void)
{
	hs *h = spare_hs;
	spare_hs = NULL;
	if (!h)
		return calloc(1, sizeof *h);
	memset(h, 0, sizeof *h);
	return h;
}

__attribute__((noinline)) static void hs_give_back(hs *h)
{
	if (spare_hs)
		free(h);
	else
		spare_hs = h;
}

int hs_run(const prog *p, const hs_options *o, hs_result *res)
{
	hs *h = hs_take();
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
	/* the machine never reuses an address, so a long run of stack moves
	** (stress mode copies at every call) uses the stack area up: before
	** a step, room for eight stack regions of the largest size, each
	** with its page rounding and guard page (8 KiB; a step allocates one
	** or two), else the run ends as a harness limit */
	uint64_t stack_room = 8 * (rt_stack_region_bytes(r, r->cfg.stack_max) + 8192);
	for (;;) {
		if (r->status != RT_RUNNING) {
			finish(h, res);
			break;
		}
		if (h->steps >= budget) {
			res->kind = OUT_BUDGET;
			break;
		}
		if (mc_area_left(&r->mem, RG_STACK) < stack_room) {
			res->kind = OUT_LIMIT;
			set_text(res, "machine: the stack area's address space is used up "
				 "after %u regions (addresses are never reused)",
				 r->mem.nregions);
			break;
		}
		rt_begin_step(r);
		if (r->resched) /* a G yielded, blocked or ended: a step */
			hs_sched_step(h);
		rt_addr pc = rt_pc(r);
		const rt_func *f = rt_findfunc(r, pc);
		h->cur_func = -1;
		h->cur_stmt = -1;
		h->cur_rtfunc = f ? (int)(f - r->funcs) : -1;
		h->cur_site = f ? (int)((pc - f->entry) / RT_SITE) - 1 : -1;
		if (r->nev && r->ev[0].kind == EV_GOSWITCH) {
			/* the switch was this step */
		} else if (r->status != RT_RUNNING) {
			/* the scheduler ended the run (nothing can run) */
		} else if (!f) {
			rt_throw(r, TH_BADRETPC, "unexpected return pc");
		} else if (pc == f->entry && !(f->flags & RFF_NOFRAME)) {
			rt_prologue(r);
			/* preempt=N: a program Go function's prologue is a safe
			** point (not the runtime's, nor a deferred builtin's: the
			** `panic` of `defer panic(v)` is a Go frame the program
			** did not write); the G yields at every Nth, inside a
			** callback too (it keeps its M: rt_sched.c). Counted once
			** per call, when the frame is entered: a prologue that
			** grew or moved the stack runs again, and counting that
			** would make the schedule, hence what the program does,
			** depend on stack sizes and on --stress (the judge's
			** reference run has other sizes) */
			if (f->kind == RF_GO && f->user >= 0 && rt_pc(r) != f->entry)
				safepoint(h);
		} else if (f->user >= 0) {
			const prog_func *pf = &p->funcs[f->user];
			rt_addr off = pc - f->entry;
			uint32_t site = (uint32_t)(off / RT_SITE) - 1;
			h->cur_func = f->user;
			if (off % RT_SITE == RT_PCQUANTUM) {
				/* resumed after a call: its result, if it is taken,
				** then on to the next site */
				if (site < pf->nstmts &&
				    (lang_ops[pf->stmts[site].op].flags & LO_RESULT))
					hs_take_result(h, pf, &pf->stmts[site]);
				r->cur->sched.pc = rt_site_pc(f, site < pf->nstmts ? site + 1 : site);
				continue;
			}
			if (off % RT_SITE != 0 || site > pf->nstmts) {
				rt_throw(r, TH_BADPC, "pc inside no statement");
			} else if (site < pf->nstmts) {
				h->cur_stmt = (int)site;
				hs_exec_stmt(h, pf, site);
				/* and each C statement: a G in C keeps its M while
				** another G runs on another M, which is how the
				** model shows Go's Ms running in parallel (one at a
				** time, in a deterministic order) */
				if (f->kind == RF_C)
					safepoint(h);
			} else {
				rt_epilogue(r, site);
			}
		} else if (f->user == HS_USER_PANIC || f->user == HS_USER_PANICNIL ||
			   f->user == HS_USER_RECOVER) {
			hs_exec_builtin(h, f, pc);
		} else {
			rt_run_internal(r);
		}
		h->steps++;
		hs_sched_events(h);
		if (h->limit) {
			res->kind = OUT_LIMIT;
			set_text(res, "%s", h->limit);
			break;
		}
		if (o && o->trace)
			hs_trace_step(h, o->trace);
		if (o && o->poke && (!o->poke_step || o->poke_step == h->steps))
			o->poke(r, o->poke_arg);
		hs_sched_own_events(h);
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
		int bad = checking && (hs_sched_check_running(h, &v) ||
				       hs_sched_check_others(h, &v) ||
				       hs_sched_check_ms(h, &v));
		/* the checkers have seen this step's changes */
		mc_epoch_done(&r->mem);
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
	res->walks_full = h->ctx.nfull;
	res->walks_incr = h->ctx.nincr;
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
	hs_sched_free(h);
	rt_destroy(&h->rt);
	hs_give_back(h);
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
	case EXPECT_DEADLOCK:
		ok = r->kind == OUT_DEADLOCK;
		break;
	case EXPECT_FATAL:
		ok = r->kind == OUT_FATAL;
		break;
	default:
		ok = 0;
	}
	if (!ok && why)
		snprintf(why, len, "got %s", got);
	return ok;
}
