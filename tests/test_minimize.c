/*
** test_minimize.c: the op-level minimizer and the bounded-exhaustive
** explorer (hs_minimize.c, hs_explore.c), and their subcommands.
**
** What is held: minimizing keeps the violation ID and never grows the
** program; a program padded with irrelevant statements and functions
** minimizes to the same size as the plain regression; the result is
** 1-minimal (deleting any one statement loses the violation); two runs
** give identical text; the explorer finds bug 7695 with a program no
** larger than the hand-written regression, and finds nothing with every
** bug switch off (the reference runtime is correct).
**
** Gotcha: with UNIT_TESTING, cmocka.h turns malloc/free in this file into
** its leak-checking versions; strings from prog_print come from the
** library's malloc, so they go back through lib_free, defined before
** cmocka.h is included.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void lib_free(void *p) { free(p); }

#include <cmocka.h>

#include "hs_minexp.h"

/* Relative to the source tree: ctest runs there; elsewhere set
** STACKFUZZ_SRC (CMake sets it for ctest too). */
static const char regression_rel[] = "corpus/regressions/bug-7695.prog";
static char regression[4096];

/* The regression with irrelevant locals, statements and functions. */
static const char padded[] =
	"# config: bug=7695\n"
	"func main()\n"
	"  var y int\n"
	"  var z int\n"
	"  var q *int\n"
	"  var w *int\n"
	"  q = &z\n"
	"  *q = 3\n"
	"  call noise(5, &z)\n"
	"  z = 9\n"
	"  defer noise(2, &z)\n"
	"  gc shrink\n"
	"  defer verify(&y, 42)\n"
	"  w = &y\n"
	"  call helper(w)\n"
	"  defer cset(&y, 42)\n"
	"  z = recover()\n"
	"  call noise(1, q)\n"
	"  call deep(20)\n"
	"  check z == 1\n"
	"end\n"
	"func noise(n int, p *int) pad 64\n"
	"  var a int\n"
	"  var b *int\n"
	"  a = n\n"
	"  b = p\n"
	"  *b = a\n"
	"  if n == 0 return\n"
	"  call noise(n-1, p)\n"
	"  *p = 1\n"
	"end\n"
	"func cset(p *int, v int) cgowrapper\n"
	"  *p = v\n"
	"end\n"
	"func verify(p *int, v int)\n"
	"  check *p == 42\n"
	"end\n"
	"func helper(p *int)\n"
	"  var k int\n"
	"  k = 4\n"
	"  *p = k\n"
	"  grow 64\n"
	"end\n"
	"func unused(a int, b int)\n"
	"  panic 3\n"
	"end\n"
	"func deep(n int) pad 128\n"
	"  if n == 0 return\n"
	"  call deep(n-1)\n"
	"end\n";

static prog *new_prog(void)
{
	prog *p = malloc(sizeof *p);
	assert_non_null(p);
	prog_init(p);
	return p;
}

static prog *load_file(const char *path)
{
	char err[512];
	prog *p = new_prog();
	if (prog_parse_file(path, p, err, sizeof err) < 0)
		fail_msg("%s", err);
	return p;
}

static prog *load_text(const char *text)
{
	char err[512];
	prog *p = new_prog();
	if (prog_parse("padded", text, strlen(text), p, err, sizeof err) < 0)
		fail_msg("%s", err);
	return p;
}

/* The violation p ends in, or -1. */
static int violation_of(const prog *p)
{
	hs_options o;
	memset(&o, 0, sizeof o);
	hs_result *r = calloc(1, sizeof *r);
	assert_non_null(r);
	hs_run(p, &o, r);
	int id = r->kind == OUT_VIOLATION ? r->inv : -1;
	hs_result_free(r);
	free(r);
	return id;
}

static prog *minimized(const prog *in, hs_minstats *st)
{
	hs_options o;
	memset(&o, 0, sizeof o);
	prog *out = new_prog();
	assert_int_equal(hs_minimize(in, &o, out, st), 0);
	assert_int_equal(prog_validate(out, NULL), 0);
	return out;
}

static void regression_keeps_id(void **state)
{
	(void)state;
	prog *in = load_file(regression);
	int id = violation_of(in);
	assert_int_equal(id, INV_DEF2);
	hs_minstats st;
	prog *out = minimized(in, &st);
	assert_int_equal(st.inv, id);
	assert_int_equal(violation_of(out), id);
	assert_true(hs_prog_nstmts(out) <= hs_prog_nstmts(in));
	assert_int_equal(st.stmts_before, hs_prog_nstmts(in));
	assert_int_equal(st.stmts_after, hs_prog_nstmts(out));
	/* the header is kept and the expectation written */
	assert_int_equal(out->cfg.bugs, BUG_7695);
	assert_int_equal(out->expect.kind, EXPECT_VIOLATION);
	assert_string_equal(out->expect.id, "DEF2");
	/* and the text reads back as the same program */
	char *t = prog_print(out);
	assert_non_null(t);
	prog *back = load_text(t);
	assert_true(prog_equal(out, back, 1));
	lib_free(t);
	free(back);
	free(out);
	free(in);
}

static void padded_reaches_same_size(void **state)
{
	(void)state;
	prog *reg = load_file(regression);
	prog *pad = load_text(padded);
	assert_int_equal(violation_of(pad), INV_DEF2);
	hs_minstats s1, s2;
	prog *a = minimized(reg, &s1);
	prog *b = minimized(pad, &s2);
	assert_int_equal(s2.inv, INV_DEF2);
	assert_true(s2.stmts_before > s1.stmts_before);
	assert_int_equal(hs_prog_nstmts(b), hs_prog_nstmts(a));
	free(a);
	free(b);
	free(reg);
	free(pad);
}

/* Deleting any single statement of out loses its violation. */
static void assert_one_minimal(const prog *out, int id)
{
	prog *c = new_prog();
	for (uint32_t f = 0; f < out->nfuncs; f++)
		for (uint32_t i = 0; i < out->funcs[f].nstmts; i++) {
			*c = *out;
			prog_func *fn = &c->funcs[f];
			memmove(&fn->stmts[i], &fn->stmts[i + 1],
				(fn->nstmts - i - 1) * sizeof fn->stmts[0]);
			fn->nstmts--;
			memset(&fn->stmts[fn->nstmts], 0, sizeof fn->stmts[0]);
			assert_int_equal(prog_validate(c, NULL), 0);
			if (violation_of(c) == id)
				fail_msg("deleting statement %u of %s keeps %s", i,
					 fn->name, inv_catalogue[id].id);
		}
	free(c);
}

static void one_minimal(void **state)
{
	(void)state;
	prog *in = load_text(padded);
	hs_minstats st;
	prog *out = minimized(in, &st);
	assert_true(hs_prog_nstmts(out) >= 1);
	assert_one_minimal(out, st.inv);
	free(out);
	free(in);
}

static void deterministic(void **state)
{
	(void)state;
	prog *in = load_text(padded);
	hs_minstats s1, s2;
	prog *a = minimized(in, &s1);
	prog *b = minimized(in, &s2);
	char *ta = prog_print(a), *tb = prog_print(b);
	assert_non_null(ta);
	assert_non_null(tb);
	assert_string_equal(ta, tb);
	assert_int_equal(s1.runs, s2.runs);
	assert_int_equal(s1.steps_after, s2.steps_after);
	lib_free(ta);
	lib_free(tb);
	free(a);
	free(b);
	free(in);
}

/* --bugs and --stress on the command line end up in the output config. */
static void options_folded_into_config(void **state)
{
	(void)state;
	prog *in = load_file(regression);
	in->cfg.bugs = 0;
	in->cfg.has_bugs = 0;
	assert_int_equal(violation_of(in), -1);
	hs_options o;
	memset(&o, 0, sizeof o);
	prog *out = new_prog();
	hs_minstats st;
	assert_int_equal(hs_minimize(in, &o, out, &st), -1);
	assert_int_equal(st.inv, -1);
	o.bugs_set = 1;
	o.bugs = BUG_7695;
	assert_int_equal(hs_minimize(in, &o, out, &st), 0);
	assert_int_equal(out->cfg.bugs, BUG_7695);
	assert_int_equal(out->cfg.has_bugs, 1);
	assert_int_equal(violation_of(out), INV_DEF2);
	free(out);
	free(in);
}

/* ---- the AST edits ---- */

static void drop_param_fixes_call_sites(void **state)
{
	(void)state;
	prog *p = load_text("func main()\n  var y int\n  call f(1, &y, 2)\n"
			    "  defer f(3, &y, y)\nend\n"
			    "func f(a int, p *int, b int)\n  *p = b\nend\n");
	assert_int_equal(hs_prog_drop_slot(p, 1, 1), -1); /* p is used */
	assert_int_equal(hs_prog_drop_slot(p, 1, 0), 0);
	assert_int_equal(prog_validate(p, NULL), 0);
	assert_int_equal(p->funcs[1].nparams, 2);
	const prog_stmt *s = &p->funcs[0].stmts[1];
	assert_int_equal(s->nargs, 2);
	assert_int_equal(s->a[0].kind, EX_ADDR);
	assert_int_equal(s->a[1].kind, EX_SLOT);
	/* the body now names p and b as slots 0 and 1 */
	assert_int_equal(p->funcs[1].stmts[0].slot, 0);
	assert_int_equal(p->funcs[1].stmts[0].a[0].v, 1);
	free(p);
}

static void drop_func_and_tidy(void **state)
{
	(void)state;
	prog *p = load_text("func main()\n  var y int\n  var q *int\n  call a()\n"
			    "  call c()\nend\n"
			    "func a()\n  call c()\nend\n"
			    "func b()\n  call c()\nend\n"
			    "func c()\n  grow 64\nend\n");
	hs_prog_drop_func(p, 1);
	assert_int_equal(prog_validate(p, NULL), 0);
	assert_int_equal(p->nfuncs, 3);
	assert_int_equal(p->funcs[0].nstmts, 1);
	assert_int_equal(p->funcs[0].stmts[0].fn, 2); /* c moved down */
	hs_prog_tidy(p); /* b is unreachable; y and q are unused */
	assert_int_equal(prog_validate(p, NULL), 0);
	assert_int_equal(p->nfuncs, 2);
	assert_string_equal(p->funcs[1].name, "c");
	assert_int_equal(p->funcs[0].nlocals, 0);
	free(p);
}

/* ---- the explorer ---- */

static void explore_finds_7695(void **state)
{
	(void)state;
	hs_explore_opts o;
	memset(&o, 0, sizeof o);
	o.depth = 3;
	o.bugs = BUG_7695;
	prog *found = new_prog();
	hs_result *res = calloc(1, sizeof *res);
	assert_non_null(res);
	hs_explore_stats st;
	assert_int_equal(hs_explore(&o, found, res, &st), 1);
	assert_true(res->kind == OUT_VIOLATION);
	assert_true(res->inv == INV_DEF2 || res->inv == INV_DEF3);
	assert_int_equal(prog_validate(found, NULL), 0);
	assert_int_equal(violation_of(found), res->inv);
	assert_int_equal(found->expect.kind, EXPECT_VIOLATION);
	assert_string_equal(found->expect.id, inv_catalogue[res->inv].id);
	prog *reg = load_file(regression);
	assert_true(hs_prog_nstmts(found) <= hs_prog_nstmts(reg));
	assert_true(st.alphabet > 10);
	free(reg);
	hs_result_free(res);
	free(res);
	free(found);
}

static void explore_clean_without_bugs(void **state)
{
	(void)state;
	hs_explore_opts o;
	memset(&o, 0, sizeof o);
	o.depth = 2;
	prog *found = new_prog();
	hs_result *res = calloc(1, sizeof *res);
	assert_non_null(res);
	hs_explore_stats st;
	int rc = hs_explore(&o, found, res, &st);
	if (rc == 1) {
		char *t = prog_print(found);
		fprintf(stderr, "%s%s\n", t, res->text);
		lib_free(t);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(st.depth_done, 2);
	assert_true(st.programs > (uint64_t)st.alphabet);
	hs_result_free(res);
	free(res);
	free(found);
}

/* The wider explorer builds the composite shapes issue 12 names: each is
** run (o.want) within its depth. A focus (o.only, o.shapes) keeps the
** debug-build search short; it drops letters, shapes and kinds of
** reference, never the programs built from those kept. */
static void explore_builds(const char *text, int depth, const char *const *only,
			   unsigned shapes, unsigned refs)
{
	prog *want = new_prog();
	char err[256];
	assert_int_equal(prog_parse("want", text, strlen(text), want, err, sizeof err), 0);
	hs_prog_tidy(want);
	hs_explore_opts o;
	memset(&o, 0, sizeof o);
	o.depth = depth;
	o.want = want;
	o.only = only;
	o.shapes = shapes;
	o.refs = refs;
	prog *found = new_prog();
	hs_result *res = calloc(1, sizeof *res);
	assert_non_null(res);
	hs_explore_stats st;
	int rc = hs_explore(&o, found, res, &st);
	if (rc != 2)
		fprintf(stderr, "not built (rc %d, %llu programs):\n%s", rc,
			(unsigned long long)st.programs, text);
	assert_int_equal(rc, 2);
	hs_result_free(res);
	free(res);
	free(found);
	free(want);
}

static void explore_deep_scan_then_grow(void **state)
{
	(void)state;
	static const char *const only[] = {"gc scan", "grow 4096", NULL};
	explore_builds("func main()\n  call f1(12)\nend\n"
		       "func f1(n int) pad 256\n  if n == 0 return\n  call f1(n-1)\n"
		       "  gc scan\n  grow 4096\nend\n",
		       3, only, 1u << HS_SH_RPOST, 1u << HS_REF_CALL);
}

static void explore_gc_in_c_after_callback(void **state)
{
	(void)state;
	static const char *const only[] = {"gc scan", NULL};
	explore_builds("func main()\n  cgo f1()\nend\n"
		       "cfunc f1()\n  callback f2()\n  gc scan\nend\n"
		       "func f2()\nend\n",
		       3, only, 1u << HS_SH_GO | 1u << HS_SH_C,
		       1u << HS_REF_CGO | 1u << HS_REF_CALLBACK);
}

static void explore_defer_needs_segment(void **state)
{
	(void)state;
	static const char *const only[] = {"defer cset(&x, 42)", "grow 4096", NULL};
	explore_builds("func main()\n  var x int\n  defer cset(&x, 42)\n  defer f1()\nend\n"
		       "func cset(p *int, v int) cgowrapper\n  *p = v\nend\n"
		       "func f1()\n  grow 4096\nend\n",
		       3, only, 1u << HS_SH_GO, 1u << HS_REF_DEFER);
}

static void explore_panic_through_barriers(void **state)
{
	(void)state;
	static const char *const only[] = {"defer rec()", "gc scan", "panic 1", NULL};
	explore_builds("func main()\n  call f1()\nend\n"
		       "func rec()\n  recover()\nend\n"
		       "func f1()\n  defer rec()\n  call f2(12)\nend\n"
		       "func f2(n int) pad 256\n  if n == 0 return\n  call f2(n-1)\n"
		       "  gc scan\n  panic 1\nend\n",
		       5, only, 1u << HS_SH_GO | 1u << HS_SH_RPOST, 1u << HS_REF_CALL);
}

/* ---- the subcommands ---- */

static int sh(const char *fmt, const char *bin)
{
	char cmd[16384];
	snprintf(cmd, sizeof cmd, fmt, bin, bin);
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void cli(void **state)
{
	(void)state;
	const char *bin = getenv("STACKFUZZ_BIN");
	if (!bin)
		skip();
	char tmp[] = "/tmp/test_minimize_XXXXXX";
	int fd = mkstemp(tmp);
	assert_true(fd >= 0);
	char fmt[8192];
	snprintf(fmt, sizeof fmt, "%%s minimize %s -o %s 2>/dev/null%%.0s",
		 regression, tmp);
	assert_int_equal(sh(fmt, bin), 0);
	snprintf(fmt, sizeof fmt, "%%s run %s >/dev/null%%.0s", tmp);
	assert_int_equal(sh(fmt, bin), 1); /* the output still violates */
	snprintf(fmt, sizeof fmt, "%%s minimize --bugs '' %s 2>/dev/null%%.0s",
		 regression);
	assert_int_equal(sh(fmt, bin), 2); /* nothing to minimize */
	assert_int_equal(sh("%s minimize 2>/dev/null%.0s", bin), 2);
	assert_int_equal(sh("%s explore --depth 2 --bugs 7695 -q >/dev/null 2>&1%.0s", bin), 1);
	assert_int_equal(sh("%s explore 2>/dev/null%.0s", bin), 2);
	assert_int_equal(sh("%s explore --depth 1 --barriers sometimes 2>/dev/null%.0s", bin), 2);
	/* -o: every program run is written, and each replays to its expect */
	char dir[] = "/tmp/test_explore_o_XXXXXX";
	assert_non_null(mkdtemp(dir));
	snprintf(fmt, sizeof fmt, "%%s explore --depth 1 --barriers every -q -o %s 2>/dev/null%%.0s",
		 dir);
	assert_int_equal(sh(fmt, bin), 0);
	snprintf(fmt, sizeof fmt, "%%s check %s >/dev/null%%.0s", dir);
	assert_int_equal(sh(fmt, bin), 0);
	snprintf(fmt, sizeof fmt, "test $(ls %s | wc -l) -gt 10 && grep -q barriers=every %s/*%%.0s%%.0s",
		 dir, dir);
	assert_int_equal(sh(fmt, bin), 0);
	snprintf(fmt, sizeof fmt, "rm -rf %s%%.0s%%.0s", dir);
	sh(fmt, bin);
	close(fd);
	unlink(tmp);
}

int main(void)
{
	const char *src = getenv("STACKFUZZ_SRC");
	snprintf(regression, sizeof regression, "%s%s%s", src ? src : "",
		 src ? "/" : "", regression_rel);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(regression_keeps_id),
		cmocka_unit_test(padded_reaches_same_size),
		cmocka_unit_test(one_minimal),
		cmocka_unit_test(deterministic),
		cmocka_unit_test(options_folded_into_config),
		cmocka_unit_test(drop_param_fixes_call_sites),
		cmocka_unit_test(drop_func_and_tidy),
		cmocka_unit_test(explore_finds_7695),
		cmocka_unit_test(explore_clean_without_bugs),
		cmocka_unit_test(explore_deep_scan_then_grow),
		cmocka_unit_test(explore_gc_in_c_after_callback),
		cmocka_unit_test(explore_defer_needs_segment),
		cmocka_unit_test(explore_panic_through_barriers),
		cmocka_unit_test(cli),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
