/*
** hs_internal.h: the interpreter's state, shared by the harness files.
*/
#ifndef STACKFUZZ_HS_INTERNAL_H
#define STACKFUZZ_HS_INTERNAL_H

#include "hs.h"
#include "rt.h"

enum {
	HS_MAX_LEAVES = 64,
	/* rt_func.user of the deferred builtin panic (its arg: the value)
	** and of panic(nil) (no arg); program functions have user >= 0 */
	HS_USER_PANIC = -2,
	HS_USER_PANICNIL = -3,
	/* the deferred builtin recover() (a leaf; hs_exec_builtin) */
	HS_USER_RECOVER = -4,
	HS_MAX_GS = 256, /* goroutines a run may start (a limit, not Go's) */
};
#define HS_MAX_GS_STR "256"


typedef struct hs {
	const prog *p;
	const hs_options *o;
	rt rt;
	inv_truth truth;
	inv_ctx ctx;
	int rtidx[PROG_MAX_FUNCS];
	/* the deferred builtins' functions (-1 until a program needs them):
	** `defer recover()`, `defer panic(v)`, `defer panic(nil)` */
	int defrec_idx, defpanic_idx, defpanicnil_idx;
	uint32_t nleaves;
	uint32_t leafsize[HS_MAX_LEAVES];
	int leafidx[HS_MAX_LEAVES];
	uint64_t steps;
	uint64_t safepoints; /* Go prologues run with several Gs (preempt=N) */
	/* where the current step is */
	int cur_func, cur_stmt, cur_rtfunc, cur_site;
	/* res->observed while it grows (heap, length, capacity) */
	rt_strbuf obs; /* observables (hs_result.observed) */
	/* the truth of each suspended G (hs_sched.c) */
	inv_truth *gtruth;
	uint32_t ngtruth, capgtruth;
	/* this step's events before hs_sched_own_events kept the running
	** G's: the suspended Gs' checks judge theirs (hs_sched.c) */
	rt_event *allev;
	uint32_t nallev, capallev;
	/* the G in whose EV_GSCOPE the step's first fault happened, if
	** not the running G (-1): MEM1 is judged on that G alone */
	int32_t faultg;
	int ctx2_ready;
	inv_ctx ctx2; /* the checkers' context for a suspended G (no reuse) */
	int ctx3_ready;
	inv_ctx ctx3; /* ... for an M that is not loaded (CGO*, SEH*) */
	/* a limit of the model a statement met (NULL: none): the run ends
	** with the outcome `limit` */
	const char *limit;
} hs;

rt_addr hs_slot_addr(hs *h, const prog_func *pf, uint32_t slot);
int hs_leaf_for(hs *h, uint32_t n); /* the `grow n` leaf's function */
/* hs_exec.c: statement k of pf; the result of the call at statement s,
** resumed; the deferred builtin panic's frame at pc */
void hs_exec_stmt(hs *h, const prog_func *pf, uint32_t k);
void hs_take_result(hs *h, const prog_func *pf, const prog_stmt *s);
void hs_exec_builtin(hs *h, const rt_func *f, rt_addr pc);
void hs_trace_step(hs *h, FILE *out);
void hs_dump(hs *h, FILE *out);
void hs_dump_dot(hs *h, FILE *out); /* Graphviz picture of the state */
void hs_report(hs *h, hs_result *res);
/* hs_sched.c: the G switch the runtime asked for, with the truth per G */
void hs_sched_step(hs *h);
void hs_sched_free(hs *h);
/* Suspended G i loaded as if it ran, with its truth: for its events,
** its checks, or a walk of its stack (the unwinder reads the loaded G's
** segments and barriers); unload puts both back where they belong. */
typedef struct hs_gswap {
	uint32_t i;
	rt_g g, *cur;	/* the G that was loaded, where the CPU was */
	inv_truth t;	/* its truth */
} hs_gswap;
void hs_sched_load_g(hs *h, uint32_t i, hs_gswap *sw);
void hs_sched_unload_g(hs *h, const hs_gswap *sw);
/* GC1's facts for a scan or rescan of every live G (hs_sched.c). */
void hs_sched_gc_truth(hs *h, int markterm, int fromc);
/* The step's events into the truth of the G each concerns (EV_GSCOPE). */
void hs_sched_events(hs *h);
/* Then keeps only the running G's events: what the checkers judge. */
void hs_sched_own_events(hs *h);
/* Runs the checkers on the running G: 1 and *v on a violation (MEM1
** not when the step's fault was made on a suspended G's behalf). */
int hs_sched_check_running(hs *h, inv_violation *v);
/* Runs the checkers on every suspended G this step changed (GC over
** every G): 1 and *v (naming the G) on a violation. */
int hs_sched_check_others(hs *h, inv_violation *v);
/* Runs the per-M checkers (CGO*, SEH*) on every M this step touched but
** the loaded one (switched from or to, created): a free M must be at
** rest, a held one is checked with its G; 1 and *v (naming the M). */
int hs_sched_check_ms(hs *h, inv_violation *v);
/* G i is an extra M's G a cthread just started: a fresh truth, inside
** the thread's callback (recorded before the runtime runs it). */
void hs_sched_cthread_truth(hs *h, uint32_t i);

#endif
