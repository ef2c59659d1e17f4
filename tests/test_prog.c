/*
** test_prog.c: tests of the language layer (lang/): canonical printing,
** the print fixpoint, text <-> binary equality, decoder totality on
** pseudo-random bytes, decoding equal to the decoder before the op table
** (golden hashes), every op table row parsed, printed and encoded, exact
** parse error positions, bug lists, and repair idempotence on garbage
** structs.
** Random inputs come from a fixed-seed xorshift PRNG, so runs are
** reproducible. prog structs are ~40 KB: they live on the heap.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Strings from prog_print() come from the library's malloc. The build
** defines UNIT_TESTING, which makes cmocka.h redirect malloc/free in this
** file to its leak-checking versions, so those strings are freed here,
** above the include, with the real free. */
static void lib_free(void *p) { free(p); }

#include <cmocka.h>

#include "decode_golden.h"
#include "prog.h"

/* Every statement and expression form, in non-canonical spacing. */
static const char messy[] =
	"# leading comment\n"
	"#config:   debug=2 target=windows/386 stack=4096 maxstack=65536 "
	"budget=1000 barriers=every bug=12238,7695,7470 stress=1\n"
	"# expect:   violation   DEF2   \n"
	"\n"
	"func main()   # the entry\n"
	"\tvar y int\n"
	"  var q   *  int\n"
	"  y=5\n"
	"  y = - 5\n"
	"  q = nil\n"
	"  q = & y\n"
	"  y = y - 1\n"
	"  y = y\n"
	"  *q = 7\n"
	"  * q = y\n"
	"  *q = y-1\n"
	"  check y == 5\n"
	"  check *q == -3\n"
	"  call f(&y, 42)\n"
	"  call f(q,y-1)\n"
	"  call g( )\n"
	"  defer f(nil, y)\n"
	"  cgo c(1, y)\n"
	"  panic 5\n"
	"  panic nil\n"
	"  panic y\n"
	"  y = recover()\n"
	"  recover ( )\n"
	"  goexit\n"
	"  grow 4096\n"
	"  gc shrink\n"
	"  gc scan\n"
	"  gc markterm\n"
	"  if y == 0 return\n"
	"  lock\n"
	"  unlock\n"
	"  fault\n"
	"  return\n"
	"end\n"
	"# config: stack=1 (a plain comment here)\n"
	"func f(p *int, n int) cgowrapper pad 64\n"
	"  var z int\n"
	"  if n == 0 return\n"
	"  call f(p, n-1)\n"
	"  z = n\n"
	"  *p = z\n"
	"end\n"
	"func g()\n"
	"end\n"
	"cfunc c(a, b) pad 16\n"
	"  call d(a)\n"
	"  callback f(nil, b-1)\n"
	"  callback g()\n"
	"  seh push\n"
	"  seh pop\n"
	"  gc scan\n"
	"  if a == 0 return\n"
	"  return\n"
	"end\n"
	"cfunc d(x)\r\n"
	"  call d(-32768)\r\n"
	"end";

static const char canonical[] =
	"# config: target=windows/386 stack=4096 maxstack=65536 budget=1000 "
	"barriers=every bug=7470,7695,12238 stress=1 debug=2\n"
	"# expect: violation DEF2\n"
	"\n"
	"func main()\n"
	"  var y int\n"
	"  var q *int\n"
	"  y = 5\n"
	"  y = -5\n"
	"  q = nil\n"
	"  q = &y\n"
	"  y = y-1\n"
	"  y = y\n"
	"  *q = 7\n"
	"  *q = y\n"
	"  *q = y-1\n"
	"  check y == 5\n"
	"  check *q == -3\n"
	"  call f(&y, 42)\n"
	"  call f(q, y-1)\n"
	"  call g()\n"
	"  defer f(nil, y)\n"
	"  cgo c(1, y)\n"
	"  panic 5\n"
	"  panic nil\n"
	"  panic y\n"
	"  y = recover()\n"
	"  recover()\n"
	"  goexit\n"
	"  grow 4096\n"
	"  gc shrink\n"
	"  gc scan\n"
	"  gc markterm\n"
	"  if y == 0 return\n"
	"  lock\n"
	"  unlock\n"
	"  fault\n"
	"  return\n"
	"end\n"
	"\n"
	"func f(p *int, n int) pad 64 cgowrapper\n"
	"  var z int\n"
	"  if n == 0 return\n"
	"  call f(p, n-1)\n"
	"  z = n\n"
	"  *p = z\n"
	"end\n"
	"\n"
	"func g()\n"
	"end\n"
	"\n"
	"cfunc c(a, b) pad 16\n"
	"  call d(a)\n"
	"  callback f(nil, b-1)\n"
	"  callback g()\n"
	"  seh push\n"
	"  seh pop\n"
	"  gc scan\n"
	"  if a == 0 return\n"
	"  return\n"
	"end\n"
	"\n"
	"cfunc d(x)\n"
	"  call d(-32768)\n"
	"end\n";

/* ---- helpers ---- */

/* xorshift64; the state is the caller's */
static uint64_t xorshift(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

static prog *new_prog(void)
{
	prog *p = malloc(sizeof *p);
	assert_non_null(p);
	prog_init(p);
	return p;
}

static prog *parse_ok(const char *text)
{
	char err[256];
	prog *p = new_prog();
	int r = prog_parse("t.prog", text, strlen(text), p, err, sizeof err);
	if (r != 0)
		print_error("unexpected parse error: %s\n", err);
	assert_int_equal(r, 0);
	assert_int_equal(prog_validate(p, NULL), 0);
	return p;
}

static void check_valid(const prog *p)
{
	prog_error e;
	int r = prog_validate(p, &e);
	if (r != 0)
		print_error("invalid: func %d stmt %d: %s\n", e.func, e.stmt, e.msg);
	assert_int_equal(r, 0);
}

/* print(p) parses back to a program equal to p (names included), and
** printing that gives the same text again. A non-default cfg value is
** printed even if its has_* is 0, so it reads back as stated. */
static void check_text_roundtrip(const prog *p0)
{
	char err[256];
	prog *p = new_prog();
	prog_config *c = &p->cfg, d = p->cfg;
	*p = *p0;
	c->has_target |= c->target != d.target;
	c->has_stack |= c->stack != d.stack;
	c->has_maxstack |= c->maxstack != d.maxstack;
	c->has_budget |= c->budget != d.budget;
	c->has_barriers |= c->barriers != d.barriers;
	c->has_bugs |= c->bugs != d.bugs;
	c->has_stress |= c->stress != d.stress;
	c->has_debug |= c->debug != d.debug;
	char *t1 = prog_print(p0);
	assert_non_null(t1);
	prog *q = new_prog();
	int r = prog_parse("rt.prog", t1, strlen(t1), q, err, sizeof err);
	if (r != 0)
		print_error("reparse failed: %s\n--\n%s--\n", err, t1);
	assert_int_equal(r, 0);
	assert_true(prog_equal(p, q, 1));
	char *t2 = prog_print(q);
	assert_non_null(t2);
	assert_string_equal(t1, t2);
	lib_free(t1);
	lib_free(t2);
	free(q);
	free(p);
}

/* encode(p) decodes to p with names and cfg/expect aside. */
static void check_bin_roundtrip(const prog *p)
{
	uint8_t buf[PROG_BIN_MAX];
	size_t n = prog_bin_encode(p, buf, sizeof buf);
	assert_true(n <= PROG_BIN_MAX);
	assert_int_equal(prog_bin_encode(p, NULL, 0), n);
	prog *q = new_prog(), *want = new_prog();
	prog_bin_decode(buf, n, q);
	check_valid(q);
	prog_config cfg = want->cfg;
	prog_expect ex = want->expect;
	*want = *p;
	want->cfg = cfg;
	prog_bin_config(&p->cfg, &want->cfg);
	want->expect = ex;
	assert_true(prog_equal(want, q, 0));
	free(want);
	free(q);
}

/* ---- tests ---- */

static void test_print_canonical(void **state)
{
	(void)state;
	prog *p = parse_ok(messy);
	char *t = prog_print(p);
	assert_non_null(t);
	assert_string_equal(t, canonical);
	lib_free(t);
	/* line/col of the first token, header line */
	assert_int_equal(p->funcs[0].line, 5);
	assert_int_equal(p->funcs[0].stmts[0].line, 8);
	assert_int_equal(p->funcs[0].stmts[0].col, 3);
	assert_int_equal(p->funcs[1].line, 41);
	assert_int_equal(p->nfuncs, 5);
	assert_int_equal(prog_find_func(p, "c"), 3);
	assert_int_equal(prog_find_func(p, "nope"), -1);
	free(p);
}

static void test_print_fixpoint(void **state)
{
	(void)state;
	prog *p = parse_ok(messy);
	check_text_roundtrip(p);
	prog *q = parse_ok(canonical);
	assert_true(prog_equal(p, q, 1));
	free(p);
	free(q);
	/* expectations of every kind, and a file without headers */
	static const char *const texts[] = {
		"# expect: ok\nfunc main()\nend\n",
		"# expect: panic runtime error: x  y\nfunc main()\nend\n",
		"# expect: panic nil\nfunc main()\n  panic nil\nend\n",
		"# expect: goexit\nfunc main()\n  goexit\nend\n",
		"# expect: overflow\n# config: bug=none\nfunc main()\nend\n",
		"# expect: budget\nfunc main()\nend\n",
		"func main()\nend\n",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		p = parse_ok(texts[i]);
		check_text_roundtrip(p);
		free(p);
	}
	p = parse_ok("func main()\nend\n");
	char *t = prog_print(p);
	assert_string_equal(t, "func main()\nend\n");
	lib_free(t);
	/* a cfg value set in code is printed even though no header said it */
	p->cfg.stress = 1;
	t = prog_print(p);
	assert_string_equal(t, "# config: stress=1\n\nfunc main()\nend\n");
	lib_free(t);
	free(p);
	p = parse_ok("# expect: panic  a b \n# config: bug=\nfunc main()\nend");
	t = prog_print(p);
	assert_string_equal(t, "# config: bug=none\n# expect: panic a b\n\n"
			       "func main()\nend\n");
	lib_free(t);
	free(p);
}

static void test_text_to_binary(void **state)
{
	(void)state;
	prog *p = parse_ok(messy);
	check_bin_roundtrip(p);
	/* after the round trip the default names come back */
	uint8_t buf[PROG_BIN_MAX];
	size_t n = prog_bin_encode(p, buf, sizeof buf);
	assert_int_equal(n, 1 + 5 * 8 + 16 * (31 + 4 + 0 + 8 + 1));
	assert_int_equal(prog_bin_encode(p, buf, n - 1), n); /* too small */
	prog *q = new_prog();
	prog_bin_decode(buf, n, q);
	char *t = prog_print(q);
	assert_non_null(strstr(t, "func f1(p0 *int, p1 int) pad 64 cgowrapper\n"
				  "  var x0 int\n  if p1 == 0 return\n"));
	assert_non_null(strstr(t, "cfunc c3(p0, p1) pad 16\n  call c4(p0)\n"));
	lib_free(t);
	free(q);
	free(p);
}

/* The largest program: 16 functions of 48 four-argument calls. */
static void test_binary_max(void **state)
{
	(void)state;
	prog *p = new_prog();
	p->nfuncs = PROG_MAX_FUNCS;
	for (int i = 0; i < PROG_MAX_FUNCS; i++) {
		prog_func *f = &p->funcs[i];
		snprintf(f->name, sizeof f->name, i ? "f%d" : "main", i);
		f->nparams = i ? 4 : 0;
		f->nlocals = 8;
		for (int k = 0; k < f->nparams + f->nlocals; k++) {
			f->type[k] = (uint8_t)(k & 1);
			snprintf(f->slotname[k], PROG_MAX_NAME, "s%d", k);
		}
		f->pad = PROG_MAX_PAD;
		f->nstmts = PROG_MAX_STMTS;
		for (int k = 0; k < PROG_MAX_STMTS; k++) {
			prog_stmt *s = &f->stmts[k];
			s->op = ST_CALL;
			s->fn = 15;
			s->nargs = 4;
			s->a[0] = (prog_expr){EX_CONST, PROG_CONST_MIN + k};
			s->a[1] = (prog_expr){EX_SLOT, 1};
			s->a[2] = (prog_expr){EX_DEC, 2};
			s->a[3] = (prog_expr){EX_ADDR, 0};
		}
		f->stmts[0] = (prog_stmt){.op = ST_GROW, .n = PROG_MAX_GROW};
		f->stmts[1] = (prog_stmt){.op = ST_GROW, .n = 8};
		f->stmts[2] = (prog_stmt){.op = ST_GC, .n = GC_MARKTERM};
		f->stmts[3] = (prog_stmt){.op = ST_CHECK, .slot = 1, .n = 1,
					  .nargs = 1,
					  .a[0] = {EX_CONST, PROG_CONST_MAX}};
		f->stmts[4] = (prog_stmt){.op = ST_RECOVER, .slot = 2, .n = 1};
	}
	check_valid(p);
	uint8_t buf[PROG_BIN_MAX];
	assert_int_equal(prog_bin_encode(p, buf, sizeof buf), PROG_BIN_MAX);
	check_bin_roundtrip(p);
	check_text_roundtrip(p);
	free(p);
}

static void test_binary_empty(void **state)
{
	(void)state;
	prog *p = new_prog();
	prog_bin_decode(NULL, 0, p);
	check_valid(p);
	assert_int_equal(p->nfuncs, 1);
	assert_int_equal(p->funcs[0].kind, FK_GO);
	assert_int_equal(p->funcs[0].nstmts, 0);
	assert_int_equal(p->cfg.stack, 2048);
	assert_int_equal(p->expect.kind, EXPECT_NONE);
	char *t = prog_print(p);
	assert_string_equal(t, "func main()\nend\n");
	lib_free(t);
	uint8_t buf[16];
	assert_int_equal(prog_bin_encode(p, buf, sizeof buf), 9);
	free(p);
}

static void test_binary_totality(void **state)
{
	(void)state;
	uint8_t in[600], out[PROG_BIN_MAX];
	prog *p = new_prog(), *q = new_prog();
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = (size_t)(xorshift(&rng) % (sizeof in + 1));
		for (size_t i = 0; i < len; i++)
			in[i] = (uint8_t)xorshift(&rng);
		/* small counts now and then, so more records are in range */
		if (len > 0 && iter % 3 == 0)
			in[0] %= 4;
		prog_bin_decode(in, len, p);
		check_valid(p);
		size_t n = prog_bin_encode(p, out, sizeof out);
		assert_true(n <= PROG_BIN_MAX);
		prog_bin_decode(out, n, q);
		assert_true(prog_equal(p, q, 1));
		if (iter % 4 == 0)
			check_text_roundtrip(p);
	}
	free(p);
	free(q);
}

static void check_err(const char *text, const char *want)
{
	char err[256];
	prog *p = new_prog();
	assert_int_equal(prog_parse("corpus/x.prog", text, strlen(text), p, err,
				    sizeof err),
			 -1);
	assert_string_equal(err, want);
	free(p);
}

static void test_parse_errors(void **state)
{
	(void)state;
	check_err("func main()\n  var n int\n  call foo(1)\nend\n",
		  "corpus/x.prog:3:8: unknown function 'foo'");
	check_err("func main()\n  var n int\n  n = &n\nend\n",
		  "corpus/x.prog:3:7: cannot assign &n to int slot 'n'");
	check_err("func main()\n  var n bool\nend\n",
		  "corpus/x.prog:2:9: expected type int or *int");
	check_err("func main()\n  call f(1, 2)\nend\nfunc f(a int)\nend\n",
		  "corpus/x.prog:2:8: 'f' takes 1 argument, got 2");
	check_err("func main()\n  var y int\n  call f(y)\nend\n"
		  "func f(a *int)\nend\n",
		  "corpus/x.prog:3:10: cannot use y as *int in argument 1 of 'f'");
	check_err("# c\nfunc main()\n  return\n",
		  "corpus/x.prog:2:1: missing 'end' of function 'main'");
	check_err("func main()\n  return\nfunc f()\nend\n",
		  "corpus/x.prog:3:1: missing 'end' of function 'main' before 'func'");
	check_err("func main()\nend\n  return\n",
		  "corpus/x.prog:3:3: statement outside function");
	check_err("func main()\n  jump x\nend\n",
		  "corpus/x.prog:2:3: unknown statement 'jump'");
	check_err("# config: stack=4096 heap=1\nfunc main()\nend\n",
		  "corpus/x.prog:1:22: unknown config key 'heap'");
	check_err("# config: stack=4097\nfunc main()\nend\n",
		  "corpus/x.prog:1:17: bad value '4097' for config key 'stack'");
	check_err("func main()\n  var n int\n  n = -32769\nend\n",
		  "corpus/x.prog:3:7: constant -32769 out of range (-32768..32767)");
	check_err("func main()\n  var n int\n  n = 1\n  var m int\nend\n",
		  "corpus/x.prog:4:3: 'var' must come before the first statement");
	check_err("func main()\n  call main(\nend\n",
		  "corpus/x.prog:2:13: expected an expression");
	check_err("func main()\n  var n int\n  call f(n\nend\nfunc f(a int)\nend\n",
		  "corpus/x.prog:3:11: expected ')'");
	check_err("func main()\n  seh push\nend\n",
		  "corpus/x.prog:2:3: 'seh' is not allowed in a Go function");
	check_err("func main()\nend\ncfunc c()\n  check x == 1\nend\n",
		  "corpus/x.prog:4:3: 'check' is not allowed in a C function");
	check_err("func main()\n  cgo main()\nend\n",
		  "corpus/x.prog:2:7: cgo: 'main' is not a C function");
	check_err("cfunc c()\nend\n",
		  "corpus/x.prog:1:1: the first function (the entry) must be a Go function");
	check_err("func main()\nend\nfunc main()\nend\n",
		  "corpus/x.prog:3:6: duplicate function 'main'");
	check_err("func main()\n  grow 7\nend\n",
		  "corpus/x.prog:2:8: grow size must be a multiple of 8 in 8..65528");
	check_err("func main()\n  var call int\nend\n",
		  "corpus/x.prog:2:7: 'call' is a reserved word");
	check_err("", "corpus/x.prog:1:1: no functions");
	check_err("# expect: maybe\nfunc main()\nend\n",
		  "corpus/x.prog:1:11: unknown expectation 'maybe'");
	check_err("func main()\n  gc now\nend\n",
		  "corpus/x.prog:2:6: expected shrink, scan or markterm");
	check_err("func main() $\nend\n",
		  "corpus/x.prog:1:13: unexpected character '$'");
	/* values and results (issue 14) */
	check_err("func main()\n  var x int\n  x = call f()\nend\nfunc f()\nend\n",
		  "corpus/x.prog:3:12: 'f' has no result");
	check_err("func main()\n  return 3\nend\n",
		  "corpus/x.prog:2:3: 'main' has no result to return");
	check_err("func main() (r int)\nend\n",
		  "corpus/x.prog:1:13: the entry function has no result");
	check_err("func main()\nend\nfunc f(a int, b int, c int, d int) (r int)\nend\n",
		  "corpus/x.prog:3:36: a function with a result takes at most 3 parameters");
	check_err("func main()\n  var x int\n  x = *x\nend\n",
		  "corpus/x.prog:3:8: x is not a *int slot");
	check_err("func main()\n  var x int\n  x = cgo f()\nend\nfunc f() (r int)\nend\n",
		  "corpus/x.prog:3:11: cgo: 'f' is not a C function");
	check_err("func main()\nend\ncfunc c()\n  defer panic(1)\nend\n",
		  "corpus/x.prog:4:3: 'defer' is not allowed in a C function");
	check_err("func main()\n  var x int\n  x = x - 1\n  x = x + y\nend\n",
		  "corpus/x.prog:4:11: unknown name 'y'");
	check_err("# config: stack=8192 maxstack=4096\nfunc main()\nend\n",
		  "corpus/x.prog:1:22: maxstack 4096 is below stack 8192");

	/* files */
	char err[256];
	prog *p = new_prog();
	assert_int_equal(prog_parse_file("/nonexistent/x.prog", p, err, sizeof err),
			 -1);
	assert_string_equal(err, "/nonexistent/x.prog: cannot open: "
				 "No such file or directory");
	char path[] = "/tmp/test_prog_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(messy, fp);
	fclose(fp);
	assert_int_equal(prog_parse_file(path, p, err, sizeof err), 0);
	char *t = prog_print(p);
	assert_string_equal(t, canonical);
	lib_free(t);
	remove(path);
	free(p);
}

static void test_bugs(void **state)
{
	(void)state;
	char buf[64];
	uint32_t b = 99;
	prog_format_bugs(0, buf, sizeof buf);
	assert_string_equal(buf, "none");
	prog_format_bugs(BUG_12238 | BUG_7695, buf, sizeof buf);
	assert_string_equal(buf, "7695,12238");
	prog_format_bugs(BUG_12238 | BUG_7695 | BUG_7470, buf, sizeof buf);
	assert_string_equal(buf, "7470,7695,12238");
	assert_int_equal(prog_parse_bugs("12238,7470", &b), 0);
	assert_int_equal(b, BUG_12238 | BUG_7470);
	assert_int_equal(prog_parse_bugs("none", &b), 0);
	assert_int_equal(b, 0);
	b = 5;
	assert_int_equal(prog_parse_bugs("", &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(prog_parse_bugs("7695", &b), 0);
	assert_int_equal(b, BUG_7695);
	assert_int_equal(prog_parse_bugs("7696", &b), -1);
	assert_int_equal(prog_parse_bugs("7695,", &b), -1);
	assert_int_equal(prog_parse_bugs("7695;7470", &b), -1);
	for (uint32_t m = 0; m < 8; m++) {
		prog_format_bugs(m, buf, sizeof buf);
		assert_int_equal(prog_parse_bugs(buf, &b), 0);
		assert_int_equal(b, m);
	}
}

static void test_repair(void **state)
{
	(void)state;
	prog *p = new_prog(), *q = new_prog();
	/* valid programs are left alone, positions included */
	prog *v = parse_ok(messy);
	*p = *v;
	prog_repair(p);
	assert_true(prog_equal(p, v, 1));
	for (uint32_t f = 0; f < v->nfuncs; f++) {
		assert_int_equal(p->funcs[f].line, v->funcs[f].line);
		for (uint32_t k = 0; k < v->funcs[f].nstmts; k++) {
			assert_int_equal(p->funcs[f].stmts[k].line,
					 v->funcs[f].stmts[k].line);
			assert_int_equal(p->funcs[f].stmts[k].col,
					 v->funcs[f].stmts[k].col);
		}
	}
	free(v);

	uint64_t rng = 12345;
	for (int iter = 0; iter < 3000; iter++) {
		uint8_t *b = (uint8_t *)p;
		for (size_t i = 0; i < sizeof *p; i++)
			b[i] = (uint8_t)xorshift(&rng);
		if (iter % 2 == 0) {
			/* mostly-in-range counts reach the keep-as-is paths */
			p->nfuncs = (uint32_t)(xorshift(&rng) % 18);
			for (int f = 0; f < PROG_MAX_FUNCS; f++) {
				prog_func *fn = &p->funcs[f];
				fn->kind = (uint8_t)(xorshift(&rng) % 3);
				fn->nparams = (uint8_t)(xorshift(&rng) % 6);
				fn->nlocals = (uint8_t)(xorshift(&rng) % 10);
				fn->nstmts = (uint32_t)(xorshift(&rng) % 50);
				fn->pad = (uint32_t)(xorshift(&rng) % 40000);
				if (xorshift(&rng) % 2)
					snprintf(fn->name, sizeof fn->name, "%s",
						 xorshift(&rng) % 2 ? "main" : "f1");
				for (int k = 0; k < PROG_MAX_SLOTS; k++)
					if (xorshift(&rng) % 2)
						snprintf(fn->slotname[k], PROG_MAX_NAME,
							 "x%d", (int)(xorshift(&rng) % 4));
				for (int s = 0; s < PROG_MAX_STMTS; s++) {
					prog_stmt *st = &fn->stmts[s];
					st->op = (uint8_t)(xorshift(&rng) % 21);
					st->slot = (uint8_t)(xorshift(&rng) % 14);
					st->fn = (uint8_t)(xorshift(&rng) % 18);
					st->nargs = (uint8_t)(xorshift(&rng) % 6);
					st->n = (int32_t)(xorshift(&rng) % 5) - 1;
					for (int a = 0; a < 4; a++) {
						st->a[a].kind = (uint8_t)(xorshift(&rng) % 6);
						st->a[a].v = (int32_t)(xorshift(&rng) % 14);
					}
				}
			}
			p->expect.kind = (uint8_t)(xorshift(&rng) % 8);
			p->cfg.stack = (uint32_t)(xorshift(&rng) % 2000000);
		}
		if (iter % 2 == 1) {
			/* garbage must not crash the other entry points */
			uint8_t buf[PROG_BIN_MAX];
			char line[128];
			prog_error e;
			(void)prog_validate(p, &e);
			(void)prog_equal(p, p, 1);
			(void)prog_find_func(p, "main");
			lib_free(prog_print(p));
			prog_print_stmt(p, (int)(xorshift(&rng) % 20) - 2,
					&p->funcs[0].stmts[0], line, sizeof line);
			size_t n = prog_bin_encode(p, buf, sizeof buf);
			assert_true(n <= PROG_BIN_MAX);
			prog_bin_decode(buf, n, q);
			check_valid(q);
		}
		prog_repair(p);
		check_valid(p);
		*q = *p;
		prog_repair(q);
		assert_true(prog_equal(p, q, 1));
		if (iter % 8 == 0) {
			check_text_roundtrip(p);
			check_bin_roundtrip(p);
		}
	}
	free(p);
	free(q);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(prog_op_name(ST_CALLBACK), "callback");
	assert_string_equal(prog_op_name(ST__COUNT), "?");
	assert_string_equal(prog_op_name(-1), "?");
	assert_string_equal(prog_gc_name(GC_MARKTERM), "markterm");
	assert_string_equal(prog_gc_name(7), "?");
	assert_true(prog_name_ok("x_1"));
	assert_false(prog_name_ok("1x"));
	assert_false(prog_name_ok("markterm"));
	assert_false(prog_name_ok("abcdefghijklmnop"));
	assert_true(prog_name_ok("abcdefghijklmno"));
	/* default names avoid valid names already taken */
	prog *p = new_prog();
	p->nfuncs = 3;
	strcpy(p->funcs[0].name, "f2");
	strcpy(p->funcs[1].name, "nil");
	strcpy(p->funcs[2].name, "1bad");
	prog_repair(p);
	check_valid(p);
	assert_string_equal(p->funcs[0].name, "f2");
	assert_string_equal(p->funcs[1].name, "f1");
	assert_string_equal(p->funcs[2].name, "f2_1");
	/* the entry's parameters become locals */
	prog_init(p);
	p->nfuncs = 1;
	p->funcs[0].kind = FK_C;
	p->funcs[0].nparams = 2;
	strcpy(p->funcs[0].name, "main");
	strcpy(p->funcs[0].slotname[0], "a");
	p->funcs[0].nstmts = 1;
	p->funcs[0].stmts[0] = (prog_stmt){.op = ST_RETZ, .slot = 1};
	prog_repair(p);
	check_valid(p);
	assert_int_equal(p->funcs[0].nlocals, 2);
	assert_string_equal(p->funcs[0].slotname[0], "a");
	assert_string_equal(p->funcs[0].slotname[1], "x1");
	assert_int_equal(p->funcs[0].stmts[0].slot, 1);
	free(p);
}

/* Every byte string keeps decoding to the program it decoded to before
** the op table (commit e349f87): tests/data/decode_golden.txt. */
static void test_decode_golden(void **state)
{
	(void)state;
	char path[4096];
	const char *src = getenv("STACKFUZZ_SRC");
	snprintf(path, sizeof path, "%s/tests/data/decode_golden.txt", src ? src : ".");
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	static uint8_t buf[GOLDEN_MAXLEN];
	prog *p = new_prog();
	golden_xs = 88172645463325252ull;
	for (int i = 0; i < GOLDEN_N; i++) {
		unsigned long long want;
		assert_int_equal(fscanf(f, "%llx", &want), 1);
		size_t len = golden_input(i, buf);
		prog_bin_decode(buf, len, p);
		char *t = prog_print(p);
		if (golden_hash(t) != want)
			print_error("input %d decodes differently:\n%s", i, t);
		assert_true(golden_hash(t) == want);
		lib_free(t);
	}
	fclose(f);
	free(p);
}

/* Every row of the op table, in each kind of function that may hold it:
** repair keeps it, it validates, prints, reparses to the same program and
** round-trips through the binary form. */
static void test_op_table(void **state)
{
	(void)state;
	static const char base[] =
		"func main()\n  var x int\n  var q *int\nend\n"
		"func f(a int, p *int) (r int)\n  var y int\nend\n"
		"cfunc c(n) (r)\nend\n";
	prog *p = new_prog(), *q = new_prog();
	char err[256];
	uint8_t *bin = malloc(PROG_BIN_MAX);
	for (int op = 0; op < ST__COUNT; op++) {
		const lang_opinfo *o = lang_op(op);
		assert_non_null(o);
		assert_non_null(o->name);
		assert_non_null(o->form[0].text);
		assert_true(o->flags & (LO_GO | LO_C));
		assert_true(o->mut_go + o->mut_c > 0); /* reachable by the mutator */
		for (int fk = FK_GO; fk <= FK_C; fk++) {
			if (!lang_op_legal(fk, op))
				continue;
			for (int form = 0; form < lang_nforms(op); form++) {
				assert_int_equal(prog_parse("t", base, strlen(base), p, err,
							    sizeof err), 0);
				prog_func *f = &p->funcs[fk == FK_C ? 2 : 1];
				prog_stmt *s = &f->stmts[f->nstmts++];
				memset(s, 0, sizeof *s);
				s->op = (uint8_t)op;
				s->n = o->n == LN_GROW ? 64 : o->n == LN_GC ? 1 : form;
				s->fn = (uint8_t)(lang_callee_kind(fk, op) == FK_C ? 2 : 1);
				s->nargs = PROG_MAX_PARAMS;
				for (int k = 0; k < PROG_MAX_PARAMS; k++) {
					s->a[k].kind = EX_CONST;
					s->a[k].v = 3;
				}
				prog_repair(p);
				assert_int_equal(s->op, op);
				assert_int_equal(s->n, o->n == LN_FORM ? form : s->n);
				assert_int_equal(prog_validate(p, NULL), 0);
				char *t = prog_print(p);
				if (prog_parse("t", t, strlen(t), q, err, sizeof err) != 0)
					print_error("%s: %s\n%s", o->name, err, t);
				assert_int_equal(prog_parse("t", t, strlen(t), q, err,
							    sizeof err), 0);
				assert_true(prog_equal(p, q, 1));
				size_t n = prog_bin_encode(p, bin, PROG_BIN_MAX);
				prog_bin_decode(bin, n, q);
				assert_true(prog_equal(p, q, 0));
				lib_free(t);
			}
		}
	}
	free(bin);
	free(p);
	free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_print_canonical),
		cmocka_unit_test(test_print_fixpoint),
		cmocka_unit_test(test_text_to_binary),
		cmocka_unit_test(test_binary_max),
		cmocka_unit_test(test_binary_empty),
		cmocka_unit_test(test_binary_totality),
		cmocka_unit_test(test_decode_golden),
		cmocka_unit_test(test_op_table),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_bugs),
		cmocka_unit_test(test_repair),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
