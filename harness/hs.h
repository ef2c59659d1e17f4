/*
** hs.h: the harness: runs a program on the reference runtime with every
** checker after every step, and reports the outcome.
**
** Layer: may use lang/ (prog.h), the checkers (inv.h), the runtime (rt.h)
** and the machine (mc.h) below it; never fuzz/, which builds on it. It
** owns the step loop: the runtime opens each step's epoch (rt_begin_step),
** the checkers read it, the harness closes it (mc_epoch_done) and writes
** the truth tags through the recorder.
*/
#ifndef STACKFUZZ_HS_H
#define STACKFUZZ_HS_H

#include <stdio.h>

#include "inv.h"
#include "prog.h"

typedef enum {
	OUT_OK = 0,
	OUT_PANIC,
	OUT_GOEXIT,
	OUT_OVERFLOW,
	OUT_BUDGET,
	OUT_VIOLATION,
	OUT_LIMIT,    /* a limit of the harness was reached: not a verdict */
	OUT_INTERNAL, /* the harness's own error (a bug of stackfuzz) */
	OUT_DEADLOCK, /* every live goroutine waits (Go: "all goroutines are
			 asleep - deadlock!") */
	OUT_FATAL,    /* a fatal error Go throws on what the program did (text:
			 its message, e.g. "internal lockOSThread error") */
} hs_outkind;

typedef struct hs_options {
	int bugs_set;	 /* override the program's bug switches */
	uint32_t bugs;
	int stress;	 /* 1: force the stress mode on */
	FILE *trace;	 /* step-by-step trace, or NULL */
	uint64_t show_step; /* dump the state after this step (0: none) */
	FILE *show;
	FILE *dot;	 /* with show_step: the state as Graphviz DOT */
	const char *file; /* for locations in reports */
	uint32_t check_mask; /* 0 = every checker */
	int full_checks;     /* 1: no incremental reuse; 2: verify it */
	int barriers_set;    /* override the program's barrier mode */
	uint32_t barriers;
	int target_set;	     /* override the program's target */
	uint32_t target;     /* prog_target */
	uint32_t budget;     /* nonzero: overrides the program's step budget */
	int no_checks;	     /* 1: run no checker (--checks none): the runtime
				and the truth recording only */
	/* tests only: after step poke_step (0: every step) ran and the truth
	** saw it,
	** before the checkers, poke(r, poke_arg) breaks the state by hand */
	void (*poke)(rt *r, void *arg);
	void *poke_arg;
	uint64_t poke_step;
} hs_options;

typedef struct hs_result {
	int kind;     /* hs_outkind */
	int inv;      /* inv_id when kind == OUT_VIOLATION */
	uint64_t steps;
	int throwcode;	   /* rt_throwcode when the runtime threw, else 0 */
	/* heap strings, never NULL after hs_run: the panic message (Go's
	** whole chain), violation message or limit; and the report */
	char *text;
	int func, stmt;	   /* program location of the last step (-1: runtime) */
	uint32_t line;
	char *report;	   /* violation report: location, message, state */
	/* observables Go would show (hs_go.c compares them with real Go):
	** one "recover: V" line per recover() run, in order; V is nil (no
	** panic to recover, or panic(nil)), the int, or "runtime error" */
	char *observed;
	uint64_t copies, segments, shrinks, maxdepth;
	/* the running G's frame walks by the checkers: full ones, and
	** incremental ones (a cache reused), for tests and benchmarks */
	uint64_t walks_full, walks_incr;
	/* bit i: invariant i was reached in this run (inv_reach.c: its
	** checker judged non-trivial state), or violated */
	uint32_t reached;
} hs_result;

/* res must be zeroed before its first use (static, calloc, = {0}); a
** result may be passed again and again: its strings are reused. */
int hs_run(const prog *p, const hs_options *o, hs_result *res);
/* Does the interpreter have a handler for op (hs_interp.c)? Every row of
** the op table needs one; a test checks it. */
int hs_interp_handles(int op);
/* Frees a result's strings (it may be used again). */
void hs_result_free(hs_result *res);
const char *hs_outcome_name(int kind);
/* One line: "ok", "violation DEF2", "panic 42", ... */
void hs_outcome_str(const hs_result *r, char *buf, size_t len);
/* Does the result meet the program's `# expect:`? No expect = no
** violation. Returns 1 if met, else 0 with a reason. */
int hs_expect_met(const prog *p, const hs_result *r, char *why, size_t len);

/* Reached/violated counts over many runs (hs_stats.c): the corpus check
** (`check --stats`) and fuzz summaries print the same table. */
typedef struct hs_stats {
	uint64_t runs;
	uint64_t reached[INV__COUNT];  /* runs that reached invariant i */
	uint64_t violated[INV__COUNT]; /* runs whose outcome was violation i */
} hs_stats;
void hs_stats_add(hs_stats *s, const hs_result *r);
/* One line per ID, "ID reached N violated M", catalogue order. */
void hs_stats_print(FILE *out, const hs_stats *s);
/* The same as one JSON line: {"stats":{"runs":N,"MEM1":{"reached":N,
** "violated":M},...}}. */
void hs_stats_print_json(FILE *out, const hs_stats *s);

#endif
