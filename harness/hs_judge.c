/*
** hs_judge.c: the judge. The interpreter records what happened and the
** checkers say which invariant broke; the judge decides what of it is a
** finding. Its rules, in order:
**
**  1. Legal outcomes (ok, panic, goexit, overflow, budget, limit) are no
**     finding. An internal error is always one (a bug of stackfuzz).
**  2. DEF4 (a `check` saw another value) states the program author's
**     belief; a fuzzed program's constant is arbitrary. So DEF4 counts
**     only if the same program passes its checks on a reference run:
**     every switch off, no stress, initial stack = maximum stack (nothing
**     grows, so nothing is copied or segmented). Values never depend on
**     addresses (the type rules keep pointers out of ints), so a check
**     that fails there fails for the program's own reasons: a false
**     belief, no finding. If the reference run itself breaks an
**     invariant, that violation is the finding, under its own ID and its
**     own configuration (minimizing it then shrinks the right thing).
**  3. With bug switches on, a caller may ask whether the finding is the
**     switches' doing: the run is repeated with every switch off, and a
**     violation there marks the finding `unswitched` (a runtime bug).
**
** Gotcha: the reference run is judged by the same rules, except rule 2
** (a DEF4 there is the false belief itself), so judging terminates.
*/
#include <stdlib.h>
#include <string.h>

#include "hs_judge.h"

enum { REF_STACK_MAX = 1u << 20 }; /* the parser's largest initial stack */

void hs_effective_config(const prog *p, const hs_options *o, prog_config *cfg)
{
	*cfg = p->cfg;
	if (!o)
		return;
	if (o->bugs_set) {
		cfg->bugs = o->bugs;
		cfg->has_bugs = o->bugs != 0;
	}
	if (o->stress) {
		cfg->stress = 1;
		cfg->has_stress = 1;
	}
	if (o->barriers_set) {
		cfg->barriers = (uint8_t)o->barriers;
		cfg->has_barriers = 1;
	}
	if (o->target_set) {
		cfg->target = (uint8_t)o->target;
		cfg->has_target = 1;
	}
	if (o->budget) {
		cfg->budget = o->budget;
		cfg->has_budget = 1;
	}
}

typedef int (*runner)(const prog *, const hs_options *, hs_result *);

/* The judge's own run: p in configuration cfg, no option overriding it
** (how to run, not what: file name and checker mask are kept). Returns a
** result the caller frees with drop(). */
static hs_result *run_with(const prog *p, const prog_config *cfg,
			   const hs_options *o, runner run)
{
	prog *q = malloc(sizeof *q);
	hs_result *r = calloc(1, sizeof *r);
	if (!q || !r) {
		fprintf(stderr, "stackfuzz: out of memory\n");
		abort();
	}
	*q = *p;
	q->cfg = *cfg;
	hs_options b;
	memset(&b, 0, sizeof b);
	if (o) {
		b.file = o->file;
		b.check_mask = o->check_mask;
		b.full_checks = o->full_checks;
	}
	run(q, &b, r);
	free(q);
	return r;
}

static void drop(hs_result *r)
{
	hs_result_free(r);
	free(r);
}

static void note_violation(hs_verdict *v, const hs_result *r)
{
	v->kind = JV_VIOLATION;
	v->inv = r->inv;
	snprintf(v->note, sizeof v->note, "violation %s", inv_catalogue[r->inv].id);
}

int hs_judge(const prog *p, const hs_options *o, hs_result *res,
	     const hs_judge_opts *jo, hs_verdict *v)
{
	memset(v, 0, sizeof *v);
	hs_effective_config(p, o, &v->cfg);
	runner run = jo && jo->run ? jo->run : hs_run;
	if (res->kind == OUT_INTERNAL) {
		v->kind = JV_INTERNAL;
		snprintf(v->note, sizeof v->note, "internal error: %.160s", res->text);
		return v->kind;
	}
	if (res->kind != OUT_VIOLATION)
		return v->kind;
	if (res->inv == INV_DEF4) {
		prog_config rc = v->cfg;
		rc.bugs = 0;
		rc.has_bugs = 0;
		rc.stress = 0;
		rc.has_stress = 0;
		rc.stack = rc.maxstack < REF_STACK_MAX ? rc.maxstack : REF_STACK_MAX;
		rc.stack = (rc.stack + 7u) & ~7u;
		rc.has_stack = 1;
		hs_result *ref = run_with(p, &rc, o, run);
		if (ref->kind == OUT_VIOLATION && ref->inv == INV_DEF4) {
			v->kind = JV_FALSE_BELIEF;
			snprintf(v->note, sizeof v->note, "false belief: the check fails "
				 "on the reference run too (no finding)");
		} else if (ref->kind == OUT_VIOLATION || ref->kind == OUT_INTERNAL) {
			/* the reference run's own violation is the finding */
			hs_result_free(res);
			*res = *ref;
			v->cfg = rc;
			v->from_ref = 1;
			if (ref->kind == OUT_INTERNAL) {
				v->kind = JV_INTERNAL;
				snprintf(v->note, sizeof v->note, "internal error (reference run)");
			} else {
				note_violation(v, ref);
				snprintf(v->note + strlen(v->note),
					 sizeof v->note - strlen(v->note),
					 " on the DEF4 reference run (no growth, "
					 "every switch off)");
			}
			free(ref); /* its strings now belong to res */
			return v->kind;
		} else {
			note_violation(v, res);
		}
		drop(ref);
		if (v->kind != JV_VIOLATION)
			return v->kind;
	} else {
		note_violation(v, res);
	}
	if (jo && jo->switched && v->cfg.bugs) {
		prog_config uc = v->cfg;
		uc.bugs = 0;
		uc.has_bugs = 0;
		hs_result *u = run_with(p, &uc, o, run);
		/* judged as the program in that configuration */
		prog *q = malloc(sizeof *q);
		if (!q)
			abort();
		*q = *p;
		q->cfg = uc;
		hs_verdict uv;
		hs_judge_opts ujo = {.run = run};
		hs_judge(q, NULL, u, &ujo, &uv);
		v->unswitched = hs_is_finding(&uv);
		free(q);
		drop(u);
	}
	return v->kind;
}

int hs_run_judged(const prog *p, const hs_options *o, hs_result *res,
		  const hs_judge_opts *jo, hs_verdict *v)
{
	if (hs_run(p, o, res) < 0)
		return -1;
	return hs_judge(p, o, res, jo, v);
}

int hs_expect_judged(const prog *p, const hs_result *r, const hs_verdict *v,
		     char *why, size_t len)
{
	const prog_expect *e = &p->expect;
	int ok;
	if (e->kind == EXPECT_VIOLATION)
		ok = v->kind == JV_VIOLATION && !strcmp(inv_catalogue[v->inv].id, e->id);
	else if (e->kind == EXPECT_NONE)
		ok = !hs_is_finding(v);
	else
		return hs_expect_met(p, r, why, len);
	if (!ok && why) {
		if (v->kind == JV_NONE) {
			char got[256];
			hs_outcome_str(r, got, sizeof got);
			snprintf(why, len, "got %s", got);
		} else {
			snprintf(why, len, "got %s", v->note);
		}
	}
	return ok;
}
