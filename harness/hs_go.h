/*
** hs_go.h: real Go as the oracle. The emitter (hs_go.c) turns programs
** into one Go module (Go + cgo, one binary, one entry per program); the
** observables of a run of that binary and of a model run are normalised
** to the same text, so `stackfuzz diff` (cli_go.c) compares strings.
**
** Observables (both sides, in this order):
**   recover: V          one line per recover() run; V is nil, an int, or
**                       "runtime error"
**   outcome: O          ok | goexit | overflow | check failed: F#K |
**                       panic: V ... (Go's nested chain, one line each)
*/
#ifndef STACKFUZZ_HS_GO_H
#define STACKFUZZ_HS_GO_H

#include <stddef.h>
#include <stdint.h>

#include "hs.h"
#include "hs_judge.h"
#include "prog.h"

typedef struct hs_go_entry {
	const prog *p;
	const char *label; /* a comment in the emitted code (file name) */
	/* debug.SetMaxStack for this entry, 0 = Go's default (1 GB). The
	** model's stack sizes are not Go's, so only the outcome's kind is
	** compared for overflow: cli_go.c sets the model's maximum when the
	** model overflowed, so Go overflows in a bounded time too. */
	uint32_t maxstack;
} hs_go_entry;

/* Writes DIR/go.mod, DIR/main.go and DIR/progs.c; entry k is run by
** `BINARY k`. Returns 0, or -1 with a message in err.
** The environment variable STACKFUZZ_GO_INJECT=recover+1 makes the
** emitted recover() helper report int values plus one: a deliberate
** semantic change, so tests can show that a disagreement is found. */
int hs_go_emit(const char *dir, const hs_go_entry *e, size_t n, char *err,
	       size_t errlen);

/* Is a model run comparable with Go? Returns 1, or 0 with the reason
** (budget, limit, violation, internal, windows/386). Overflow is
** comparable (by kind) only if allow_overflow. */
int hs_go_comparable(const prog *p, const hs_result *r, const hs_verdict *v,
		     int allow_overflow, const char **why);

/* The model's observables (heap string). */
char *hs_go_model_obs(const prog *p, const hs_result *r, const hs_verdict *v);

/* The Go run's observables from its exit status (as from waitpid; -1 =
** timed out), stdout and stderr (heap string). */
char *hs_go_normalise(int status, const char *out, const char *err);

/* What statement op becomes in Go, or NULL if the emitter has no
** translation for it (a test checks every op of the table has one). */
const char *hs_go_form(int op);

/* ---- CLI (cli_go.c; argv[0] is the subcommand name) ---- */
int cli_go(int argc, char **argv);   /* stackfuzz go PROG... -o DIR */
int cli_diff(int argc, char **argv); /* stackfuzz diff PATH... */

#endif
