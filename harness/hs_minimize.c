/*
** hs_minimize.c: the op-level minimizer.
**
** Input: a program whose run ends in a violation. Output: a smaller
** program whose run ends in the SAME violation ID (any other outcome,
** another ID included, counts as losing it). Reductions, in the order
** each round tries them:
**   1. drop a whole function (and every statement calling it); inline a
**      function without slots into its only call site (`call f()` becomes
**      f's body: the statement count drops by one, so this terminates);
**   2. ddmin-style statement chunks per function: remove [i, i+n) for
**      n = all, half, quarter, ... 1 (the n = 1 sweep is the single
**      statement removal that makes the result 1-minimal);
**   3. trade a `call`/`grow` (ops flagged LO_FRAME) for frame size: drop the statement and give
**      its function the largest pad (pass 6 then shrinks the pad): a deep
**      recursion that only served to move the stack becomes one big frame;
**   4. drop unused params/locals (call sites and slot indexes follow);
**   5. simplify operands: toward 0 / nil, `n-1` -> `n`, `q` -> `&y`,
**      a result dropped (`y = recover()` -> `recover()`: an op whose form
**      0 has no target slot; `x = call f()` -> `call f()`: the row's plain
**      op);
**   6. shrink magnitudes (pad, grow, constants) by binary search for the
**      smallest value that keeps the violation without a longer run (a
**      smaller pad can mean many more frames, hence steps, before the
**      stack moves: not simpler to read or to replay);
**   7. drop cgowrapper flags.
** Which statements each reduction applies to, and each operand's type,
** come from the op table (lang_op.h), not from a switch here.
** Rounds repeat until one changes nothing, so the result is a fixpoint of
** every reduction, in particular 1-minimal in statements. Every accepted
** edit shrinks (statements, slots, operand kinds, magnitudes, flags)
** lexicographically, so the loop ends.
**
** Every candidate is an edit that keeps the program valid (checked with
** prog_validate anyway; an invalid candidate is simply rejected, never
** repaired, since repair could change what it means). Candidates run with
** a step budget capped near the input's step count (2x + 1000), so a
** reduction that turns the program into a long recursion fails fast (a
** step's checks cost grows with the stack depth); the output, which
** violates within that cap, behaves the same under its own budget.
** (So "1-minimal" is with respect to runs within the cap: a deletion that
** would keep the violation only after a much longer run counts as lost.)
** Gotcha: binary search assumes monotonicity; where it does not hold the
** result is still a fixpoint of the search, just not the global minimum.
*/
#include <stdlib.h>
#include <string.h>

#include "hs_judge.h"
#include "hs_minexp.h"

/* ---- AST edits ---- */

/* What a statement's operands are comes from the op table (lang_op.h). */
static int is_call(int op) { return lang_is_call(op); }

static int nslots(const prog_func *f) { return prog_nslots(f); }

static int slot_field_used(const prog_stmt *s) { return lang_stmt_uses_slot(s); }

static int expr_names_slot(const prog_expr *e) { return lang_expr_names_slot(e); }

uint32_t hs_prog_nstmts(const prog *p)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < p->nfuncs; i++)
		n += p->funcs[i].nstmts;
	return n;
}

int hs_prog_slot_used(const prog *p, int f, int slot)
{
	const prog_func *fn = &p->funcs[f];
	for (uint32_t i = 0; i < fn->nstmts; i++) {
		const prog_stmt *s = &fn->stmts[i];
		if (slot_field_used(s) && s->slot == slot)
			return 1;
		for (int k = 0; k < s->nargs; k++)
			if (expr_names_slot(&s->a[k]) && s->a[k].v == slot)
				return 1;
	}
	return 0;
}

static void del_stmts(prog_func *f, uint32_t at, uint32_t n)
{
	memmove(&f->stmts[at], &f->stmts[at + n],
		(f->nstmts - at - n) * sizeof f->stmts[0]);
	f->nstmts -= n;
	memset(&f->stmts[f->nstmts], 0, n * sizeof f->stmts[0]);
}

void hs_prog_drop_func(prog *p, int f)
{
	if (f <= 0 || f >= (int)p->nfuncs)
		return;
	for (uint32_t g = 0; g < p->nfuncs; g++) {
		prog_func *fn = &p->funcs[g];
		for (uint32_t i = 0; i < fn->nstmts;) {
			prog_stmt *s = &fn->stmts[i];
			if (is_call(s->op) && s->fn == f) {
				del_stmts(fn, i, 1);
				continue;
			}
			if (is_call(s->op) && s->fn > f)
				s->fn--;
			i++;
		}
	}
	memmove(&p->funcs[f], &p->funcs[f + 1],
		(p->nfuncs - (uint32_t)f - 1) * sizeof p->funcs[0]);
	p->nfuncs--;
	memset(&p->funcs[p->nfuncs], 0, sizeof p->funcs[0]);
}

int hs_prog_drop_slot(prog *p, int f, int slot)
{
	prog_func *fn = &p->funcs[f];
	if (slot < 0 || slot >= nslots(fn) || slot == prog_result_slot(fn) ||
	    hs_prog_slot_used(p, f, slot))
		return -1; /* the result stays: callers may take it */
	int last = nslots(fn) - 1;
	for (int i = slot; i < last; i++) {
		fn->type[i] = fn->type[i + 1];
		memcpy(fn->slotname[i], fn->slotname[i + 1], PROG_MAX_NAME);
	}
	fn->type[last] = 0;
	memset(fn->slotname[last], 0, PROG_MAX_NAME);
	int param = slot < fn->nparams;
	if (param)
		fn->nparams--;
	else
		fn->nlocals--;
	for (uint32_t i = 0; i < fn->nstmts; i++) {
		prog_stmt *s = &fn->stmts[i];
		if (slot_field_used(s) && s->slot > slot)
			s->slot--;
		for (int k = 0; k < s->nargs; k++)
			if (expr_names_slot(&s->a[k]) && s->a[k].v > slot)
				s->a[k].v--;
	}
	if (!param)
		return 0;
	for (uint32_t g = 0; g < p->nfuncs; g++) {
		prog_func *gf = &p->funcs[g];
		for (uint32_t i = 0; i < gf->nstmts; i++) {
			prog_stmt *s = &gf->stmts[i];
			if (!is_call(s->op) || s->fn != f)
				continue;
			memmove(&s->a[slot], &s->a[slot + 1],
				(PROG_MAX_PARAMS - (size_t)slot - 1) * sizeof s->a[0]);
			memset(&s->a[PROG_MAX_PARAMS - 1], 0, sizeof s->a[0]);
			s->nargs--;
		}
	}
	return 0;
}

void hs_prog_tidy(prog *p)
{
	uint8_t seen[PROG_MAX_FUNCS] = {1};
	int stack[PROG_MAX_FUNCS] = {0}, sp = 1;
	while (sp > 0) {
		const prog_func *fn = &p->funcs[stack[--sp]];
		for (uint32_t i = 0; i < fn->nstmts; i++) {
			const prog_stmt *s = &fn->stmts[i];
			if (is_call(s->op) && s->fn < p->nfuncs && !seen[s->fn]) {
				seen[s->fn] = 1;
				stack[sp++] = s->fn;
			}
		}
	}
	for (int f = (int)p->nfuncs - 1; f > 0; f--)
		if (!seen[f])
			hs_prog_drop_func(p, f);
	for (uint32_t f = 0; f < p->nfuncs; f++) {
		prog_func *fn = &p->funcs[f];
		for (int s = nslots(fn) - 1; s >= prog_nargw(fn); s--)
			hs_prog_drop_slot(p, (int)f, s);
	}
}

/* ---- the search ---- */

typedef struct mz {
	hs_options ro; /* run options: bugs/stress already in the program */
	int inv;
	uint32_t cap;  /* step budget of candidate runs */
	uint64_t steps; /* cur's run length */
	int no_longer; /* accept only candidates whose run is no longer */
	prog *cur;     /* smallest program known to keep the violation */
	prog *cand;    /* the candidate being built from cur */
	prog *run;     /* cand with the capped budget */
	hs_result *res;
	uint64_t runs;
	hs_min_keep keep; /* NULL: the same violation ID */
	void *kctx;
} mz;

static int keeps(mz *m, const prog *p, uint32_t budget)
{
	if (prog_validate(p, NULL) != 0)
		return 0;
	*m->run = *p;
	if (m->run->cfg.budget > budget)
		m->run->cfg.budget = budget;
	m->runs++;
	hs_verdict v;
	/* the judge's finding, not the raw outcome: a candidate whose DEF4
	** became a false belief is not the same finding */
	if (hs_run_judged(m->run, &m->ro, m->res, NULL, &v) < 0)
		return 0;
	if (m->keep)
		return m->keep(m->kctx, m->run, m->res, &v);
	return v.kind == JV_VIOLATION && !v.from_ref && v.inv == m->inv;
}

/* Start a candidate from cur. */
static prog *fresh(mz *m)
{
	*m->cand = *m->cur;
	return m->cand;
}

/* Test the candidate; on success it becomes cur. */
static int try_cand(mz *m)
{
	if (!keeps(m, m->cand, m->cap) ||
	    (m->no_longer && m->res->steps > m->steps))
		return 0;
	m->steps = m->res->steps;
	prog *t = m->cur;
	m->cur = m->cand;
	m->cand = t;
	return 1;
}

static int pass_funcs(mz *m)
{
	int changed = 0;
	for (int f = (int)m->cur->nfuncs - 1; f > 0; f--) {
		hs_prog_drop_func(fresh(m), f);
		changed |= try_cand(m);
	}
	return changed;
}

static int ncalls_to(const prog *p, uint32_t g)
{
	int n = 0;
	for (uint32_t f = 0; f < p->nfuncs; f++)
		for (uint32_t i = 0; i < p->funcs[f].nstmts; i++)
			n += is_call(p->funcs[f].stmts[i].op) && p->funcs[f].stmts[i].fn == g;
	return n;
}

static int pass_inline(mz *m)
{
	int changed = 0;
	for (uint32_t fi = 0; fi < m->cur->nfuncs; fi++) {
		for (uint32_t si = 0; si < m->cur->funcs[fi].nstmts; si++) {
			const prog_func *f = &m->cur->funcs[fi];
			const prog_stmt *s = &f->stmts[si];
			if (!(lang_ops[s->op].flags & LO_INLINE) || s->fn == fi)
				continue;
			uint32_t g = s->fn;
			const prog_func *gf = &m->cur->funcs[g];
			if (nslots(gf) != 0 || ncalls_to(m->cur, g) != 1 ||
			    f->nstmts - 1 + gf->nstmts > PROG_MAX_STMTS)
				continue;
			prog *c = fresh(m);
			prog_func *cf = &c->funcs[fi];
			uint32_t gn = gf->nstmts;
			memmove(&cf->stmts[si + gn], &cf->stmts[si + 1],
				(cf->nstmts - si - 1) * sizeof cf->stmts[0]);
			memcpy(&cf->stmts[si], gf->stmts, gn * sizeof cf->stmts[0]);
			cf->nstmts = cf->nstmts - 1 + gn;
			if (cf->nstmts < PROG_MAX_STMTS)
				memset(&cf->stmts[cf->nstmts], 0,
				       (PROG_MAX_STMTS - cf->nstmts) * sizeof cf->stmts[0]);
			hs_prog_drop_func(c, (int)g);
			if (try_cand(m)) {
				changed = 1;
				if (g < fi)
					fi--; /* the caller moved down one index */
				si = (uint32_t)-1; /* rescan: its body is new */
			}
		}
	}
	return changed;
}

static int pass_chunks(mz *m)
{
	int changed = 0;
	for (uint32_t fi = 0; fi < m->cur->nfuncs; fi++) {
		for (uint32_t n = m->cur->funcs[fi].nstmts; n >= 1; n /= 2) {
			uint32_t i = 0;
			while (i < m->cur->funcs[fi].nstmts) {
				uint32_t ns = m->cur->funcs[fi].nstmts;
				prog *c = fresh(m);
				del_stmts(&c->funcs[fi], i, i + n > ns ? ns - i : n);
				if (try_cand(m))
					changed = 1;
				else
					i += n;
			}
			if (n == 1)
				break;
		}
	}
	return changed;
}

static int pass_frames(mz *m)
{
	int changed = 0;
	for (uint32_t fi = 0; fi < m->cur->nfuncs; fi++) {
		if (m->cur->funcs[fi].kind != FK_GO)
			continue;
		for (uint32_t si = 0; si < m->cur->funcs[fi].nstmts; si++) {
			int op = m->cur->funcs[fi].stmts[si].op;
			if (!(lang_ops[op].flags & LO_FRAME))
				continue;
			prog *c = fresh(m);
			del_stmts(&c->funcs[fi], si, 1);
			c->funcs[fi].pad = PROG_MAX_PAD;
			if (try_cand(m)) {
				changed = 1;
				si--; /* the next statement moved here */
			}
		}
	}
	return changed;
}

static int pass_slots(mz *m)
{
	int changed = 0;
	for (uint32_t fi = 0; fi < m->cur->nfuncs; fi++)
		for (int s = nslots(&m->cur->funcs[fi]) - 1; s >= 0; s--) {
			if (hs_prog_slot_used(m->cur, (int)fi, s))
				continue;
			/* a slot that cannot go (a result) leaves the candidate
			** as it was: trying it would "keep" it, and the loop of
			** passes would never end */
			if (hs_prog_drop_slot(fresh(m), (int)fi, s) < 0)
				continue;
			changed |= try_cand(m);
		}
	return changed;
}

/* Try replacing operand k of statement si of function fi by e. */
static int try_expr(mz *m, uint32_t fi, uint32_t si, int k, int kind, int32_t v)
{
	prog *c = fresh(m);
	c->funcs[fi].stmts[si].a[k].kind = (uint8_t)kind;
	c->funcs[fi].stmts[si].a[k].v = v;
	return try_cand(m);
}

static int simplify_operand(mz *m, uint32_t fi, uint32_t si, int k)
{
	const prog_func *fn = &m->cur->funcs[fi];
	const prog_stmt *s = &fn->stmts[si];
	prog_expr e = s->a[k];
	int ty = lang_arg_type(m->cur, fn, s, k);
	if (ty == TY_INT) {
		if (e.kind == EX_CONST && e.v == 0)
			return 0;
		if (try_expr(m, fi, si, k, EX_CONST, 0))
			return 1;
		if (e.kind == EX_DEC)
			return try_expr(m, fi, si, k, EX_SLOT, e.v);
		return 0;
	}
	if (ty == TY_PTR) {
		if (e.kind == EX_NIL)
			return 0;
		if (try_expr(m, fi, si, k, EX_NIL, 0))
			return 1;
		if (e.kind != EX_SLOT)
			return 0;
		/* one indirection fewer: the address of an int slot itself */
		for (int j = 0; j < nslots(fn); j++)
			if (fn->type[j] == TY_INT &&
			    try_expr(m, fi, si, k, EX_ADDR, j))
				return 1;
	}
	return 0;
}

static int pass_operands(mz *m)
{
	int changed = 0;
	for (uint32_t fi = 0; fi < m->cur->nfuncs; fi++)
		for (uint32_t si = 0; si < m->cur->funcs[fi].nstmts; si++) {
			const prog_stmt *s = &m->cur->funcs[fi].stmts[si];
			const lang_opinfo *o = &lang_ops[s->op];
			/* drop a result: the op that ignores its callee's result
			** (`x = call f()` -> `call f()`) */
			if (o->flags & LO_RESULT) {
				prog *c = fresh(m);
				c->funcs[fi].stmts[si].op = o->plain;
				c->funcs[fi].stmts[si].slot = 0;
				changed |= try_cand(m);
				s = &m->cur->funcs[fi].stmts[si];
				o = &lang_ops[s->op];
			}
			/* drop a result: the form without a target slot */
			if (o->n == LN_FORM && s->n == 1 && o->form[0].slot == LS_NONE) {
				prog *c = fresh(m);
				c->funcs[fi].stmts[si].n = 0;
				c->funcs[fi].stmts[si].slot = 0;
				changed |= try_cand(m);
			}
			for (int k = 0; k < m->cur->funcs[fi].stmts[si].nargs; k++)
				changed |= simplify_operand(m, fi, si, k);
		}
	return changed;
}

/* A number in the program the magnitude pass shrinks. */
enum { L_PAD, L_GROW, L_CONST };
typedef struct loc {
	int what;
	uint32_t fi, si;
	int k;
} loc;

static int64_t loc_get(const prog *p, const loc *l)
{
	const prog_func *fn = &p->funcs[l->fi];
	switch (l->what) {
	case L_PAD:
		return fn->pad;
	case L_GROW:
		return fn->stmts[l->si].n;
	default:
		return fn->stmts[l->si].a[l->k].v;
	}
}

static void loc_set(prog *p, const loc *l, int64_t v)
{
	prog_func *fn = &p->funcs[l->fi];
	switch (l->what) {
	case L_PAD:
		fn->pad = (uint32_t)v;
		break;
	case L_GROW:
		fn->stmts[l->si].n = (int32_t)v;
		break;
	default:
		fn->stmts[l->si].a[l->k].v = (int32_t)v;
		break;
	}
}

/* Binary search for the smallest magnitude in [lo, |v|] (multiples of
** step) that keeps the violation; the sign is kept. */
static int shrink(mz *m, const loc *l, int64_t lo, int64_t step)
{
	int64_t v = loc_get(m->cur, l);
	int64_t sign = v < 0 ? -1 : 1, hi = v < 0 ? -v : v;
	int changed = 0;
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / step / 2 * step;
		loc_set(fresh(m), l, sign * mid);
		if (try_cand(m)) {
			hi = mid;
			changed = 1;
		} else {
			lo = mid + step;
		}
	}
	return changed;
}

static int pass_magnitudes(mz *m)
{
	int changed = 0;
	for (uint32_t fi = 0; fi < m->cur->nfuncs; fi++) {
		loc l = {L_PAD, fi, 0, 0};
		changed |= shrink(m, &l, 0, 8);
		for (uint32_t si = 0; si < m->cur->funcs[fi].nstmts; si++) {
			/* re-read through m->cur: a success swaps the buffers */
			if (lang_ops[m->cur->funcs[fi].stmts[si].op].n == LN_GROW) {
				loc g = {L_GROW, fi, si, 0};
				changed |= shrink(m, &g, 8, 8);
			}
			for (int k = 0; k < m->cur->funcs[fi].stmts[si].nargs; k++) {
				if (m->cur->funcs[fi].stmts[si].a[k].kind != EX_CONST)
					continue;
				loc c = {L_CONST, fi, si, k};
				changed |= shrink(m, &c, 0, 1);
			}
		}
	}
	return changed;
}

static int pass_flags(mz *m)
{
	int changed = 0;
	for (uint32_t fi = 0; fi < m->cur->nfuncs; fi++) {
		if (!(m->cur->funcs[fi].flags & FF_CGOWRAPPER))
			continue;
		fresh(m)->funcs[fi].flags &= (uint8_t)~FF_CGOWRAPPER;
		changed |= try_cand(m);
	}
	return changed;
}

static void clear_positions(prog *p)
{
	for (uint32_t f = 0; f < p->nfuncs; f++) {
		p->funcs[f].line = 0;
		for (uint32_t i = 0; i < p->funcs[f].nstmts; i++)
			p->funcs[f].stmts[i].line = p->funcs[f].stmts[i].col = 0;
	}
}

int hs_minimize(const prog *in, const hs_options *o, prog *out,
		hs_minstats *st)
{
	return hs_minimize_by(in, o, NULL, NULL, out, st);
}

int hs_minimize_by(const prog *in, const hs_options *o, hs_min_keep keep,
		   void *ctx, prog *out, hs_minstats *st)
{
	memset(st, 0, sizeof *st);
	st->inv = -1;
	mz m;
	memset(&m, 0, sizeof m);
	m.keep = keep;
	m.kctx = ctx;
	if (o)
		m.ro = *o;
	m.ro.bugs_set = 0;
	m.ro.stress = 0;
	m.ro.barriers_set = 0;
	m.ro.target_set = 0;
	m.ro.budget = 0;
	m.ro.trace = NULL;
	m.ro.show = NULL;
	m.ro.show_step = 0;
	prog *bufs = malloc(3 * sizeof *bufs);
	m.res = calloc(1, sizeof *m.res);
	int rc = -1;
	if (!bufs || !m.res || prog_validate(in, NULL) != 0)
		goto out;
	m.cur = &bufs[0];
	m.cand = &bufs[1];
	m.run = &bufs[2];
	*m.cur = *in;
	/* fold the command line's options into the program's config, so
	** the result replays with a bare `stackfuzz run` */
	hs_effective_config(in, o, &m.cur->cfg);
	hs_verdict v;
	hs_run_judged(m.cur, &m.ro, m.res, NULL, &v);
	m.runs = 1;
	if (v.from_ref) /* the finding is the reference run's: shrink that */
		m.cur->cfg = v.cfg;
	st->steps_before = m.res->steps;
	st->stmts_before = hs_prog_nstmts(m.cur);
	st->funcs_before = m.cur->nfuncs;
	if (keep) {
		st->inv = v.kind == JV_VIOLATION ? v.inv : -1;
		if (!keep(ctx, m.cur, m.res, &v))
			goto out;
	} else if (v.kind != JV_VIOLATION) {
		goto out;
	}
	m.inv = v.inv;
	if (!keep)
		st->inv = v.inv;
	m.steps = m.res->steps;
	uint64_t cap = 2 * m.res->steps + 1000;
	m.cap = cap < m.cur->cfg.budget ? (uint32_t)cap : m.cur->cfg.budget;
	int changed;
	do {
		st->rounds++;
		changed = pass_funcs(&m);
		changed |= pass_inline(&m);
		changed |= pass_chunks(&m);
		changed |= pass_frames(&m);
		changed |= pass_slots(&m);
		changed |= pass_operands(&m);
		m.no_longer = 1;
		changed |= pass_magnitudes(&m);
		m.no_longer = 0;
		changed |= pass_flags(&m);
	} while (changed);
	clear_positions(m.cur);
	if (!keep) {
		m.cur->expect.kind = EXPECT_VIOLATION;
		memset(m.cur->expect.id, 0, sizeof m.cur->expect.id);
		memset(m.cur->expect.text, 0, sizeof m.cur->expect.text);
		snprintf(m.cur->expect.id, sizeof m.cur->expect.id, "%s",
			 inv_catalogue[m.inv].id);
	}
	/* the result under its own budget, for the stats (and as a check) */
	if (!keeps(&m, m.cur, m.cur->cfg.budget))
		goto out;
	st->steps_after = m.res->steps;
	st->stmts_after = hs_prog_nstmts(m.cur);
	st->funcs_after = m.cur->nfuncs;
	*out = *m.cur;
	rc = 0;
out:
	st->runs = m.runs;
	free(bufs);
	hs_result_free(m.res);
	free(m.res);
	return rc;
}
