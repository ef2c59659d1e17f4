/*
** hs_judge.h: what a run's finding is. One set of rules for the fuzz
** entry, `run`, `check`, `minimize`, `explore` and make fuzz's triage, so
** that each names the same finding for the same run.
*/
#ifndef STACKFUZZ_HS_JUDGE_H
#define STACKFUZZ_HS_JUDGE_H

#include "hs.h"

typedef enum {
	JV_NONE = 0,	 /* nothing to report: a legal outcome */
	JV_VIOLATION,	 /* an invariant broken (res->inv) */
	JV_INTERNAL,	 /* the harness's own error */
	JV_FALSE_BELIEF, /* DEF4 whose `check` fails on the reference run too */
} hs_verdict_kind;

typedef struct hs_verdict {
	int kind;	/* hs_verdict_kind */
	int inv;	/* JV_VIOLATION: the invariant */
	int from_ref;	/* the violation is the DEF4 reference run's */
	int unswitched; /* asked for: it persists with every switch off */
	/* the configuration that reproduces the finding with a bare
	** `stackfuzz run` (the program's, with the options folded in; the
	** reference configuration when from_ref) */
	prog_config cfg;
	char note[200]; /* one line for people, "" when kind is JV_NONE */
} hs_verdict;

typedef struct hs_judge_opts {
	/* with bug switches on: also run with them off and set unswitched */
	int switched;
	/* runs the judge's own runs (reference, switches off); NULL: hs_run.
	** Tests put a runtime fault into a reference run through it. */
	int (*run)(const prog *p, const hs_options *o, hs_result *res);
} hs_judge_opts;

/* The options folded into p's configuration (what hs_run runs). */
void hs_effective_config(const prog *p, const hs_options *o, prog_config *cfg);

/* Judges res, the result of hs_run(p, o, res). When the finding is the
** reference run's, *res is replaced by that run's result (report and
** ID are then its own). jo may be NULL. Returns v->kind. */
int hs_judge(const prog *p, const hs_options *o, hs_result *res,
	     const hs_judge_opts *jo, hs_verdict *v);

/* hs_run then hs_judge. */
int hs_run_judged(const prog *p, const hs_options *o, hs_result *res,
		  const hs_judge_opts *jo, hs_verdict *v);

/* Is v a finding (something to report, fail on, minimize)? */
static inline int hs_is_finding(const hs_verdict *v)
{
	return v->kind == JV_VIOLATION || v->kind == JV_INTERNAL;
}

/* Does the judged run meet the program's `# expect:`? No expect = no
** finding. Returns 1 if met, else 0 with a reason in why. */
int hs_expect_judged(const prog *p, const hs_result *r, const hs_verdict *v,
		     char *why, size_t len);

#endif
