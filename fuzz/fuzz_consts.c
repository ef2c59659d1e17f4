/*
** fuzz_consts.c: the numbers the shell and the OSS-Fuzz build need,
** generated from the C side at build time instead of copied into scripts.
**
**   fuzz_consts sh              shell assignments (sourced by scripts/lib.sh)
**   fuzz_consts options prog    libFuzzer .options for fuzz_prog
**   fuzz_consts options text    ... for fuzz_text
**
** What it prints comes from the headers (PROG_BIN_MAX, the fuzz binaries'
** budget and maximum stack, the bug switches), from prog_init() (the
** runtime's default budget and maximum stack, which no header names) and,
** for the binary form's record layout, from the encoder itself: the sizes
** of encoded programs give the function header and statement record sizes,
** and flipping one argument at a time gives where each argument's
** 3-byte triple sits. prog_bin.c keeps that layout private, so measuring
** is the way not to copy it; every measurement is cross-checked (against
** PROG_BIN_MAX and the record size), and a mismatch fails the build
** rather than handing scripts a wrong offset.
**
** Gotcha: the dictionary script (fuzz/gen_prog_dict.sh) cuts tokens at
** these offsets, so a layout change regenerates the dictionary with the
** next build; nothing else needs touching.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_entry.h"
#include "prog.h"

/* libFuzzer -timeout: the checkers make some inputs slow (seconds under
** ASan), and a slow input is not a finding. */
enum { SF_FUZZ_TIMEOUT = 60 };
/* libFuzzer -mutate_depth for the program target (default 5): a
** structure-aware move is already a whole statement or function, so five
** in a row mostly undo the combination the parent just reached. Measured
** (bench/fuzz_ttb.sh, executions to the find, medians of 21 runs, switch
** 12238): depth 5: 726, 2: 378, 1: 521; 7470 (11 runs): 332 -> 263; 7695
** unchanged within noise; coverage after 30 s the same. */
enum { SF_FUZZ_MUTATE_DEPTH = 2 };

static uint8_t buf[PROG_BIN_MAX];
static prog P;

static void die(const char *what)
{
	fprintf(stderr, "fuzz_consts: %s: the binary layout changed; "
			"see fuzz/fuzz_consts.c\n",
		what);
	exit(1);
}

/* A program of nfuncs Go functions without parameters, main with nstmts
** `return` statements. */
static void shape(int nfuncs, int nstmts)
{
	prog_init(&P);
	P.nfuncs = (uint32_t)nfuncs;
	for (int f = 0; f < nfuncs; f++) {
		prog_func *fn = &P.funcs[f];
		snprintf(fn->name, sizeof fn->name, f == 0 ? "main" : "f%d", f);
		fn->kind = FK_GO;
	}
	for (int s = 0; s < nstmts; s++)
		P.funcs[0].stmts[s].op = ST_RETURN;
	P.funcs[0].nstmts = (uint32_t)nstmts;
}

static size_t enc(void)
{
	size_t n = prog_bin_encode(&P, buf, sizeof buf);
	if (n > sizeof buf)
		die("encoding larger than PROG_BIN_MAX");
	return n;
}

/* main's one statement: call f1(args) with PROG_MAX_PARAMS int
** parameters, every argument the constant 0, except argument k (k >= 0)
** of kind `kind` and value v. Returns the statement record's bytes. */
static const uint8_t *call_rec(int k, int kind, int v, size_t first, size_t rec)
{
	shape(2, 1);
	prog_func *f1 = &P.funcs[1];
	f1->nparams = PROG_MAX_PARAMS;
	for (int i = 0; i < PROG_MAX_PARAMS; i++) {
		f1->type[i] = TY_INT;
		snprintf(f1->slotname[i], sizeof f1->slotname[i], "p%d", i);
	}
	P.funcs[0].nlocals = 1;
	P.funcs[0].type[0] = TY_INT;
	snprintf(P.funcs[0].slotname[0], sizeof P.funcs[0].slotname[0], "x0");
	prog_stmt *s = &P.funcs[0].stmts[0];
	memset(s, 0, sizeof *s);
	s->op = ST_CALL;
	s->fn = 1;
	s->nargs = PROG_MAX_PARAMS;
	for (int i = 0; i < PROG_MAX_PARAMS; i++)
		s->a[i] = (prog_expr){.kind = EX_CONST, .v = 0};
	if (k >= 0)
		s->a[k] = (prog_expr){.kind = (uint8_t)kind, .v = v};
	prog_error e;
	if (prog_validate(&P, &e) != 0)
		die(e.msg);
	if (enc() < first + rec)
		die("call record shorter than a statement record");
	return buf + first;
}

/* Offsets where a and b differ, at most max; returns how many. */
static int diff(const uint8_t *a, const uint8_t *b, size_t n, size_t *at, int max)
{
	int k = 0;
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i] && k < max)
			at[k++] = i;
		else if (a[i] != b[i])
			return max + 1;
	return k;
}

typedef struct {
	size_t head, func_hdr, stmt_rec, arg_off, arg_rec;
} layout;

static layout measure(void)
{
	layout l;
	shape(1, 0);
	size_t one = enc();
	shape(2, 0);
	l.func_hdr = enc() - one;
	l.head = one - l.func_hdr;
	shape(1, 1);
	l.stmt_rec = enc() - one;
	if (l.head + PROG_MAX_FUNCS * (l.func_hdr + PROG_MAX_STMTS * l.stmt_rec) != PROG_BIN_MAX)
		die("header and record sizes do not add up to PROG_BIN_MAX");

	/* Each argument: its kind byte, then its int16 value little-endian. */
	size_t first = l.head + l.func_hdr;
	uint8_t base[64];
	if (l.stmt_rec > sizeof base)
		die("statement record larger than expected");
	memcpy(base, call_rec(-1, 0, 0, first, l.stmt_rec), l.stmt_rec);
	size_t kind_at[PROG_MAX_PARAMS];
	for (int k = 0; k < PROG_MAX_PARAMS; k++) {
		size_t at[3];
		/* x0 instead of 0: only the kind byte changes */
		const uint8_t *r = call_rec(k, EX_SLOT, 0, first, l.stmt_rec);
		if (diff(base, r, l.stmt_rec, at, 2) != 1 || r[at[0]] != EX_SLOT)
			die("an argument's kind is not one byte");
		kind_at[k] = at[0];
		r = call_rec(k, EX_CONST, 0x0102, first, l.stmt_rec);
		if (diff(base, r, l.stmt_rec, at, 3) != 2 || at[0] != kind_at[k] + 1 ||
		    at[1] != kind_at[k] + 2 || r[at[0]] != 0x02 || r[at[1]] != 0x01)
			die("an argument's value is not the int16 after its kind");
	}
	l.arg_off = kind_at[0];
	l.arg_rec = PROG_MAX_PARAMS > 1 ? kind_at[1] - kind_at[0] : 3;
	for (int k = 0; k < PROG_MAX_PARAMS; k++)
		if (kind_at[k] != l.arg_off + (size_t)k * l.arg_rec)
			die("arguments are not evenly spaced");
	if (l.arg_off + PROG_MAX_PARAMS * l.arg_rec != l.stmt_rec)
		die("arguments do not end the statement record");
	return l;
}

static void print_sh(void)
{
	layout l = measure();
	prog_init(&P);
	/* every switch prog_parse_bugs knows, in bit order (7695 first) */
	char bugs[128] = "", one[32];
	for (int b = 0; b < 32; b++) {
		prog_format_bugs(1u << b, one, sizeof one);
		if (strcmp(one, "none") != 0)
			snprintf(bugs + strlen(bugs), sizeof bugs - strlen(bugs), "%s%s",
				 bugs[0] ? " " : "", one);
	}
	printf("# sf_consts.sh: generated at build time by fuzz_consts (fuzz/fuzz_consts.c)\n"
	       "# from prog.h, fuzz_entry.h and the encoder; do not edit.\n");
	printf("SF_PROG_BIN_MAX=%d      # largest binary program: fuzz_prog's max_len\n",
	       (int)PROG_BIN_MAX);
	printf("SF_TEXT_MAX_LEN=%d      # fuzz_text's max_len\n", (int)SF_FUZZ_TEXT_MAX_LEN);
	printf("SF_FUZZ_TIMEOUT=%d        # libFuzzer -timeout (s)\n", (int)SF_FUZZ_TIMEOUT);
	printf("SF_FUZZ_BUDGET=%d        # the fuzz binaries' default step budget\n",
	       (int)SF_FUZZ_BUDGET);
	printf("SF_FUZZ_MAXSTACK=%d    # ... and maximum stack\n", (int)SF_FUZZ_MAXSTACK);
	printf("SF_RUN_BUDGET=%u      # a program's defaults (prog_init)\n", P.cfg.budget);
	printf("SF_RUN_MAXSTACK=%u\n", P.cfg.maxstack);
	printf("SF_BUGS='%s'   # every bug switch\n", bugs);
	printf("SF_BIN_HEAD=%zu             # binary form: bytes before the first function\n",
	       l.head);
	printf("SF_BIN_FUNC_HDR=%zu         # a function header\n", l.func_hdr);
	printf("SF_BIN_STMT_REC=%zu        # a statement record\n", l.stmt_rec);
	printf("SF_BIN_ARG_OFF=%zu          # argument 0 within a statement record\n", l.arg_off);
	printf("SF_BIN_ARG_REC=%zu          # one argument (kind, int16 value)\n", l.arg_rec);
}

static int print_options(const char *target)
{
	int text = strcmp(target, "text") == 0;
	if (!text && strcmp(target, "prog") != 0)
		return 2;
	/* the ClusterFuzz .options format; scripts/lib.sh turns each
	** `key = value` into -key=value, the dictionary's path resolved */
	/* rss_limit_mb: libFuzzer's default, stated so every run is alike */
	printf("[libfuzzer]\nmax_len = %d\ntimeout = %d\nrss_limit_mb = 2048\ndict = fuzz_%s.dict\n",
	       text ? (int)SF_FUZZ_TEXT_MAX_LEN : (int)PROG_BIN_MAX, (int)SF_FUZZ_TIMEOUT,
	       text ? "text" : "prog");
	if (!text)
		printf("mutate_depth = %d\n", (int)SF_FUZZ_MUTATE_DEPTH);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "sh") == 0) {
		print_sh();
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "options") == 0 && print_options(argv[2]) == 0)
		return 0;
	fprintf(stderr, "usage: fuzz_consts sh | fuzz_consts options prog|text\n");
	return 2;
}
