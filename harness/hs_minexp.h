/*
** hs_minexp.h: the op-level minimizer (hs_minimize.c) and the
** bounded-exhaustive explorer (hs_explore.c), plus the CLI subcommands
** built on them (cli_minimize.c, cli_explore.c).
**
** Both work on the program AST and judge candidates only through hs_run,
** so they are deterministic: same input, same options, same output.
*/
#ifndef STACKFUZZ_HS_MINEXP_H
#define STACKFUZZ_HS_MINEXP_H

#include <stdint.h>
#include <stdio.h>

#include "hs.h"
#include "prog.h"

/* ---- minimizer ---- */

typedef struct hs_minstats {
	int inv;		     /* the violation kept (inv_id) */
	uint64_t steps_before, steps_after;
	uint32_t stmts_before, stmts_after;
	uint32_t funcs_before, funcs_after;
	uint64_t runs;		     /* candidate programs run */
	uint32_t rounds;	     /* passes over all reductions */
} hs_minstats;

/* Reduce `in` while it still ends in the same violation ID. The options'
** bug override and stress flag are folded into out's config, so `out`
** reproduces on its own; out->expect becomes `violation ID`. Returns 0,
** or -1 if `in` is invalid or does not end in a violation (st->inv is then
** -1 and st->steps_before still says how far it ran). */
int hs_minimize(const prog *in, const hs_options *o, prog *out,
		hs_minstats *st);

/* The same reductions with another question than "the same violation
** ID": keep(ctx, cand, res, v) says whether the candidate `cand` (whose
** run is res, judged v) is still interesting (the Go oracle asks "do the
** model and Go still disagree?"). The input must be interesting. out's
** expect is left as the input's; st->inv is v.inv of the input's run, or
** -1. The search is deterministic, so a keep that answers from a cache can
** run it again and see the same candidates (hs_oracle.c does). */
struct hs_verdict;
typedef int (*hs_min_keep)(void *ctx, const prog *cand, const hs_result *res,
			   const struct hs_verdict *v);
int hs_minimize_by(const prog *in, const hs_options *o, hs_min_keep keep,
		   void *ctx, prog *out, hs_minstats *st);

/* AST edits shared by the minimizer and the explorer; each keeps a valid
** program valid. */
uint32_t hs_prog_nstmts(const prog *p); /* statements in all functions */
/* 1 if slot is named by any statement of function f. */
int hs_prog_slot_used(const prog *p, int f, int slot);
/* Delete function f (> 0) and every statement that calls or defers it;
** later function indexes move down. */
void hs_prog_drop_func(prog *p, int f);
/* Delete an unused slot of function f; for a parameter, the matching
** argument of every call site goes too. Returns -1 if the slot is used. */
int hs_prog_drop_slot(prog *p, int f, int slot);
/* Drop functions no statement reaches from main, then unused locals. */
void hs_prog_tidy(prog *p);

/* ---- explorer ---- */

/* Helper shapes (hs_explore.c); hs_explore_opts.shapes takes 1u << shape. */
enum {
	HS_SH_GO,    /* func fN()                 var x int */
	HS_SH_BIG,   /* func fN() pad 1024        var x int */
	HS_SH_WRAP,  /* func fN() cgowrapper      var x int */
	HS_SH_RPRE,  /* func fN(n int) pad 256: body; if n == 0 return; call fN(n-1) */
	HS_SH_RPOST, /* func fN(n int) pad 256: if n == 0 return; call fN(n-1); body */
	HS_SH_C,     /* cfunc fN() */
	HS_SH__N
};
/* Helper references (hs_explore_opts.refs takes 1u << ref). */
enum { HS_REF_CALL, HS_REF_DEFER, HS_REF_CGO, HS_REF_CALLBACK };

typedef struct hs_explore_opts {
	int depth;	    /* longest body of main tried */
	uint32_t bugs;	    /* BUG_* for every program */
	int target;	    /* prog_target */
	int stress;
	int barriers_set;   /* 1: barriers (prog_barriers) for every program */
	int barriers;
	double max_seconds; /* 0: no limit */
	FILE *progress;	    /* progress lines, or NULL */
	const char *outdir; /* write every program run here, or NULL */
	const prog *want;   /* stop (return 2) once this program has run */
	/* focus (tests): only these fixed letters (NULL-terminated texts as
	** in hs_explore.c), only these helper shapes (bit per shape; 0: all) */
	const char *const *only;
	unsigned shapes;
	unsigned refs; /* bit per helper reference: HS_REF_*; 0: all */
} hs_explore_opts;

typedef struct hs_explore_stats {
	uint64_t programs;  /* programs run (probes excluded) */
	uint64_t runs;	    /* runs, sentinel runs included */
	uint64_t steps;	    /* their steps */
	uint64_t pruned;    /* states not extended (no point reached) */
	uint64_t written;   /* programs written to outdir */
	uint64_t twins;	    /* programs not run: the twin of one that is */
	int alphabet;	    /* statements in use */
	int unsupported;    /* statements the runtime does not support */
	int depth_done;	    /* every program up to this depth was tried */
	double seconds;
	int timed_out;
} hs_explore_stats;

/* Breadth-first over programs of 1..depth enumerated statements (main
** and up to 3 helpers, see hs_explore.c). Returns 1 with the first
** (hence shortest) violating program in *found (tidied, with its config
** and `# expect: violation ID`) and its result in *res; 0 if none; 2 if
** o->want ran; -1 on an internal error. found/res may be large: pass
** heap objects. */
int hs_explore(const hs_explore_opts *o, prog *found, hs_result *res,
	       hs_explore_stats *st);

/* ---- CLI (argv[0] is the subcommand name); exit codes as stackfuzz ---- */
int cli_minimize(int argc, char **argv);
int cli_explore(int argc, char **argv);
/* --bugs LIST for every subcommand: 0, or -1 after naming the bad switch
** on stderr (the caller exits 2). cmd prefixes the message. */
int cli_parse_bugs(const char *cmd, const char *arg, uint32_t *bugs);
/* --target linux/amd64|windows/386 (TARGET_*): 0, or -1 after a message. */
int cli_parse_target(const char *cmd, const char *arg, uint32_t *target);
/* 0 if path opens for reading and is not a directory; else -1 after
** naming the I/O error on stderr ("PATH: cannot open: Permission denied"). */
int cli_check_readable(const char *path);
/* Read and parse a text program: 0, or CLI_LOAD_IO / CLI_LOAD_PARSE after
** the error (I/O errors named as such; parse errors as file:line:col). */
enum { CLI_LOAD_IO = -2, CLI_LOAD_PARSE = -1 };
int cli_load(const char *path, prog *p);

#endif
