/*
** hs_oracle.h: real Go as an oracle for batches of programs, and the
** minimizer driven by it.
**
** hs_oracle_go emits a batch as one Go module (hs_go.c), builds it once
** and runs the binary once per entry, returning each run's normalised
** observables (hs_go.h). hs_oracle_minimize reduces a program on which
** the model and Go disagree, keeping "they still disagree, the same way"
** (see hs_oracle.c for how candidates are batched: a cgo build costs a
** second or more, so asking Go one candidate at a time would not do).
*/
#ifndef STACKFUZZ_HS_ORACLE_H
#define STACKFUZZ_HS_ORACLE_H

#include <stddef.h>
#include <stdint.h>

#include "hs_go.h"
#include "hs_minexp.h"

/* Go offline: GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local and a cache
** under /tmp, where the environment does not say otherwise. */
void hs_oracle_env(void);

/* Runs n entries on Go. keepdir: the module's directory (kept), or NULL
** for a temporary one (removed). obs[i] receives entry i's observables
** (heap). Returns 0, or -1 with a message in err (emit or build error:
** then no obs[] is set). */
int hs_oracle_go(const hs_go_entry *e, size_t n, const char *keepdir, char **obs,
		 char *err, size_t errlen);

/* The first line where two observable texts differ, as "KIND" where KIND
** is what precedes ':' on that line ("recover", "outcome", a panic line's
** "panic"), for the model side and the Go side; "" for a missing line.
** Returns 0 if the texts are equal. */
int hs_oracle_diffkind(const char *model, const char *go, char *mk, size_t mklen,
		       char *gk, size_t gklen);

/* Go's outcome (observables go) as a `# expect:` where the language can
** state it (ok, goexit, overflow, panic V); EXPECT_NONE otherwise. */
void hs_oracle_expect(const char *go, prog_expect *x);
/* 1 if a program's `# expect:` agrees with Go's observables (an expect the
** Go side cannot show, such as none, violation, budget or limit, agrees);
** else 0 and why says "expect X, Go Y". */
int hs_oracle_expect_ok(const prog_expect *x, const char *go, char *why, size_t len);

typedef struct hs_oracle_minstats {
	uint32_t stmts_before, stmts_after;
	uint32_t funcs_before, funcs_after;
	uint32_t builds;   /* Go builds (batches) */
	uint64_t go_runs;  /* programs run on Go */
	uint64_t runs;	   /* model runs */
	char *model, *go;  /* the result's observables on each side (heap) */
} hs_oracle_minstats;

/* Reduce `in`, on which the model and Go disagree, to a 1-minimal program
** on which they still disagree with the same first differing kinds (the
** model's and Go's). The model side must stay comparable (hs_go_comparable).
** out's `# expect:` becomes Go's outcome where the language can state it.
** Returns 0; 1 if `in` does not disagree (st->model/go still say what
** each side did); -1 on an error (message in err). Free st->model/go. */
int hs_oracle_minimize(const prog *in, const hs_options *o, prog *out,
		       hs_oracle_minstats *st, char *err, size_t errlen);

#endif
