/*
** hs_explore_int.h: the explorer's state, shared by its files
** (hs_explore.c: building and searching programs; hs_explore_lib.c: the
** library and the alphabet of letters).
*/
#ifndef STACKFUZZ_HS_EXPLORE_INT_H
#define STACKFUZZ_HS_EXPLORE_INT_H

#include <time.h>

#include "hs_minexp.h"

enum {
	XMAX_HELPERS = 3,
	XMAX_K = 16,	  /* statements in all, enumerated */
	XREC_DEPTH = 12,  /* levels of a recursive shape (256-byte frames) */
	XSENTINEL = 32767,
	XREF = 64,	  /* letter codes >= XREF reference a helper */
	XMAX_LETTERS = 32, /* letters of one kind (Go, C) in the op table */
};

/* The op table's explorer letters (lang_op.h), in alphabet order. */
extern lang_letter hs_x_go_letters[XMAX_LETTERS], hs_x_c_letters[XMAX_LETTERS];
extern int hs_x_ngo, hs_x_nc;
#define go_letters hs_x_go_letters
#define c_letters hs_x_c_letters

/* ---- helper shapes ---- */

enum {
	SH_GO = HS_SH_GO,
	SH_BIG = HS_SH_BIG,
	SH_WRAP = HS_SH_WRAP,
	SH_RPRE = HS_SH_RPRE,
	SH_RPOST = HS_SH_RPOST,
	SH_C = HS_SH_C,
	SH__N = HS_SH__N
};

static inline int shape_is_rec(int sh) { return sh == SH_RPRE || sh == SH_RPOST; }

/* Reference ops, in letter codes: XREF + op * 4 + target (1..3). */
enum {
	RF_CALL = HS_REF_CALL,
	RF_DEFER = HS_REF_DEFER,
	RF_CGO = HS_REF_CGO,
	RF_CALLBACK = HS_REF_CALLBACK,
	RF__N
};

/* ---- states ---- */

typedef struct xstate {
	uint8_t n;		       /* statements enumerated */
	uint8_t nh;		       /* helpers referenced */
	uint8_t cur;		       /* function the last statement went to */
	uint8_t shape[XMAX_HELPERS + 1]; /* [1..nh] */
	uint8_t fn[XMAX_K];	       /* function of each statement (ascending) */
	uint8_t code[XMAX_K];	       /* letter code */
} xstate;

typedef struct xs {
	const hs_explore_opts *o;
	hs_options ho;
	prog *lib;    /* parsed library + letter templates */
	prog *work;   /* the program being run */
	prog *scratch;
	hs_result *res;
	int go_alpha[XMAX_LETTERS], ngo; /* supported Go letters (index into go_letters) */
	int c_alpha[XMAX_LETTERS], nc;
	int nlib;		/* library functions copied: indexes 1..nlib */
	prog_stmt go_tmpl[XMAX_LETTERS], c_tmpl[XMAX_LETTERS], sentinel;
	hs_explore_stats *st;
	struct timespec t0, last;
	unsigned long long written;
	/* where each function's user body starts and its sentinel sits, in
	** the last built program (-1: none) */
	int sent_at[XMAX_HELPERS + 1];
} xs;

static inline int helper_fi(const xs *x, int j) { return j == 0 ? 0 : x->nlib + j; }

static inline int is_go_fn(const xstate *s, int f) { return f == 0 || s->shape[f] != SH_C; }

static inline int code_is_term(const xs *x, const xstate *s, int i)
{
	int c = s->code[i];
	if (c >= XREF || !is_go_fn(s, s->fn[i]))
		return 0;
	return (go_letters[x->go_alpha[c]].flags & LL_TERM) != 0;
}

/* hs_explore_lib.c */
void hs_x_fold_config(const xs *x, prog *p);
int hs_x_unsupported(const hs_result *r);
int hs_x_build_vocabulary(xs *x);

#endif
