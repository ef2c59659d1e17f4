/*
** lang_op.h: the op table, one row per statement kind (lang_ops.c).
**
** What Lua's luaP_opmodes is to its tools, this table is to ours: the
** parser, the validator and repair, the binary codec, the printer, the
** minimizer, the mutator, the explorer and the interpreter read a
** statement's shape here instead of each keeping a switch over the ops.
** A row says:
**  - its text forms: the canonical spelling with holes (`%s` the target
**    slot, `%a`/`%b` arguments 0 and 1, `%f(%A)` a callee and its argument
**    list, `%n` a number, `%g` a gc kind). The printer fills the holes;
**    the parser matches the same template token by token, so printing
**    and parsing cannot drift apart. An op with two forms is told apart
**    by its n field (n = the form's index: `check *p` vs `check x`,
**    `x = recover()` vs `recover()`);
**  - its operands: the target slot's type (per form), the n field's
**    range, the callee's kind, each argument's kind. Validation, repair
**    and the binary record layout follow from these alone (lang_check.c,
**    lang_repair.c, lang_bin.c);
**  - where it is legal (Go, C) and what repair makes of it elsewhere;
**  - flags for the interpreter (its site is a call's return point) and
**    the minimizer (trade it for frame size; inline the callee);
**  - the mutator's weights in Go and C functions, and the explorer's
**    letters.
** Adding a statement means one row here, its interpreter handler
** (harness/hs_interp.c) and its Go translation (harness/hs_go.c); tests
** check that both cover every op.
*/
#ifndef STACKFUZZ_LANG_OP_H
#define STACKFUZZ_LANG_OP_H

#include <stdint.h>

/* The target slot (prog_stmt.slot), per form. */
typedef enum {
	LS_NONE = 0, /* unused (0) */
	LS_ANY,	     /* any slot; its type is the type of LA_LIKE_SLOT args */
	LS_INT,	     /* an int slot */
	LS_PTR,	     /* a *int slot */
} lang_slotkind;

/* The n field. */
typedef enum {
	LN_NONE = 0, /* unused (0) */
	LN_FORM,     /* which of the two forms (0 or 1) */
	LN_GROW,     /* bytes: a multiple of 8 in 8..PROG_MAX_GROW */
	LN_GC,	     /* prog_gckind */
} lang_nkind;

/* The callee (prog_stmt.fn). */
typedef enum {
	LC_NONE = 0, /* unused (0) */
	LC_SAME,     /* a function of the caller's kind */
	LC_GO,	     /* a Go function */
	LC_C,	     /* a C function */
} lang_calleekind;

/* An argument (prog_stmt.a[i]). */
typedef enum {
	LA_NONE = 0,  /* unused (zero) */
	LA_LIKE_SLOT, /* an expression of the target slot's type */
	LA_INT,	      /* an int expression: constant, int slot, n-1 */
	LA_CONST,     /* a constant */
	LA_PANIC,     /* a constant, nil or an int slot (a panic value) */
	LA_CALLEE,    /* a[0..nparams): the callee's parameters */
	LA_ISLOT,     /* an int slot (EX_SLOT)                         */
	LA_PSLOT,     /* a *int slot (EX_SLOT)                         */
	LA_INT_NOT1,  /* an int expression but not the constant 1: `x =
			 y - 1` is the assignment of y-1, so a subtraction
			 of 1 has one spelling */
} lang_argkind;

enum {
	LO_GO = 1 << 0,	      /* legal in a Go function */
	LO_C = 1 << 1,	      /* legal in a C function */
	LO_CALLSITE = 1 << 2, /* the statement may call (a callee, a leaf,
				 gopanic): its site is a return point */
	LO_FRAME = 1 << 3,    /* minimizer: may be traded for frame size */
	LO_INLINE = 1 << 4,   /* minimizer: the callee may be inlined */
	LO_RESULT = 1 << 5,   /* reads its callee's result: the callee must
				 have one */
	LO_NEEDRES = 1 << 6,  /* sets its function's result: the function
				 must have one */
	LO_NOPTRARG = 1 << 7, /* its callee's pointer arguments are nil: the
				 callee runs on another G, and Go would have
				 moved a &local argument to the heap */
};

/* An explorer letter: one statement over the local `x` (and the
** explorer's library helpers, harness/hs_explore.c). */
enum {
	LL_TERM = 1,	/* nothing after it in its function can run */
	LL_WINDOWS = 2, /* only for target windows/386 */
	LL_MAIN = 4,	/* main only: a library composite */
};
typedef struct lang_letter {
	const char *text; /* NULL ends a list */
	uint8_t flags;	  /* LL_* */
	uint8_t order;	  /* rank in the alphabet (which shortest program
			     of several comes first) */
} lang_letter;

typedef struct lang_form {
	const char *text; /* template; NULL: no such form */
	uint8_t slot;	  /* lang_slotkind */
} lang_form;

typedef struct lang_opinfo {
	const char *name;     /* prog_op_name() */
	lang_form form[2];    /* form[1].text != NULL: n picks the form */
	uint8_t n;	      /* lang_nkind */
	uint8_t callee;	      /* lang_calleekind */
	uint8_t arg[2];	      /* lang_argkind of a[0], a[1] (LA_CALLEE: all) */
	uint8_t flags;	      /* LO_* */
	uint8_t go_alt, c_alt; /* repair: the op it becomes where illegal */
	uint8_t mut_go, mut_c; /* mutator: weight of a fresh statement */
	const lang_letter *xgo, *xc; /* explorer letters (NULL: none) */
	uint8_t plain; /* LO_RESULT/LO_NEEDRES: the op without the result,
			  what repair makes of it where no result exists */
} lang_opinfo;

#endif
