/*
** lang_internal.h: what the files of lang/ share and nobody else uses.
*/
#ifndef STACKFUZZ_LANG_INTERNAL_H
#define STACKFUZZ_LANG_INTERNAL_H

#include <stddef.h>

#include "prog.h"

/* Ranges of the config a program may state (validate, repair, parse). */
enum {
	LANG_MIN_STACK = 512,
	LANG_MAX_STACK = 1048576,
	LANG_MAX_MAXSTACK = 64 << 20,
	LANG_MAX_BUDGET = 100000000,
	LANG_MAX_PREEMPT = 1000000,
	LANG_EXPECT__COUNT = EXPECT_FATAL + 1,
	LANG_BUG_ALL = BUG_7695 | BUG_7470 | BUG_12238,
};

/* ---- lang_prog.c ---- */
int lang_is_alpha(int c);
int lang_is_digit(int c);
int lang_is_alnum(int c);
int lang_keyword(const char *s, size_t n);
/* a name stored in a char[cap] that may lack its NUL */
int lang_name_ok(const char *s, size_t cap);
int lang_id_known(const char *id); /* in the invariant catalogue */

/* ---- lang_lex.c: tokens of one line ---- */
enum { LT_EOL, LT_IDENT, LT_NUM, LT_PUNCT, LT_HOLE };
enum {
	LANG_MAX_TOKS = 48,	  /* a 4-argument call needs ~20 */
	LANG_BIG = 1000000000,	  /* numbers saturate here */
};

typedef struct lang_tok {
	int kind;
	const char *s; /* text, len bytes */
	int len;
	uint32_t col;  /* 1-based byte column */
	long long num; /* LT_NUM value, saturated at LANG_BIG */
} lang_tok;

typedef struct lang_line {
	lang_tok t[LANG_MAX_TOKS];
	int nt; /* tokens before the LT_EOL one */
} lang_line;

/* Tokenizes line[0..len) (identifiers, decimal numbers, and
** ( ) , = == * & - + <). holes != 0 also reads `%c` as an LT_HOLE token (the
** op table's templates). Returns 0, or -1 with the offending column in
** *errcol and the message in msg. */
int lang_lex(const char *line, size_t len, int holes, lang_line *out,
	     uint32_t *errcol, char *msg, size_t msglen);
int lang_tok_is(const lang_tok *t, const char *s);
int lang_is_blank(int c);

/* ---- a growing string (lang_print.c) ---- */
typedef struct lang_sbuf {
	char *s;
	size_t len, cap;
	int oom;
} lang_sbuf;
void lang_sb_printf(lang_sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- lang_header.c ---- */
/* The header lines' state while a file is parsed. */
typedef struct lang_hdr {
	prog *p;
	int have_expect;
	uint32_t line; /* the line being read */
	uint32_t stack_line, stack_col, maxstack_line, maxstack_col;
	uint32_t errcol; /* on error: where, on this line, and what */
	char msg[256];
} lang_hdr;
/* If line is a `# config:`/`# expect:` header, reads it (returns 1, or
** -1 with h->errcol/msg); else 0. */
int lang_header_line(lang_hdr *h, const char *line, size_t len);
/* Prints the `# config:` and `# expect:` lines (none if nothing to say). */
void lang_print_headers(lang_sbuf *b, const prog *p);

#endif
