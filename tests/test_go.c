/*
** test_go.c: the Go oracle's pieces that need no Go (hs_go.c): the
** model's observables, the normal form of a Go run's output, and what
** the emitter writes. tests/diff_go.sh runs real Go (skipped without it).
*/
#include "testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include "hs_go.h"
#include "hs_judge.h"

static char *model_obs(const char *text)
{
	prog *p = calloc(1, sizeof *p);
	char err[256];
	assert_int_equal(prog_parse("t.prog", text, strlen(text), p, err, sizeof err), 0);
	hs_result r = {0};
	hs_verdict v;
	hs_options o = {0};
	hs_run_judged(p, &o, &r, NULL, &v);
	char *obs = hs_go_model_obs(p, &r, &v);
	hs_result_free(&r);
	free(p);
	return obs;
}

static void expect_obs(const char *text, const char *want)
{
	char *obs = model_obs(text);
	assert_string_equal(obs, want);
	lib_free(obs);
}

static void test_model_observables(void **state)
{
	(void)state;
	/* every recover() value in order: an int, nil (not panicking) */
	expect_obs("func main()\n  call f()\n  recover()\nend\n"
		   "func f()\n  defer rec()\n  panic 7\nend\n"
		   "func rec()\n  var r int\n  r = recover()\nend\n",
		   "recover: 7\nrecover: nil\noutcome: ok\n");
	/* Go's nested chain, one line each */
	expect_obs("func main()\n  defer again()\n  panic 1\nend\n"
		   "func again()\n  var r int\n  r = recover()\n  panic 2\nend\n",
		   "recover: 1\noutcome:\npanic: 1 [recovered]\n\tpanic: 2\n");
	/* the model's " (fault)" tag is not Go's */
	expect_obs("func main()\n  fault\nend\n",
		   "outcome:\npanic: runtime error: invalid memory address or nil "
		   "pointer dereference\n");
	/* a failing check that is a false belief is an observable */
	expect_obs("func main()\n  var y int\n  y = 3\n  check y == 4\nend\n",
		   "outcome: check failed: main#2\n");
	expect_obs("func main()\n  defer rec()\n  goexit\nend\n"
		   "func rec()\n  recover()\nend\n",
		   "recover: nil\noutcome: goexit\n");
}

static void expect_norm(int status, const char *out, const char *err,
			const char *want)
{
	char *n = hs_go_normalise(status, out, err);
	assert_string_equal(n, want);
	lib_free(n);
}

static void test_normalise(void **state)
{
	(void)state;
	expect_norm(0, "recover: 7\noutcome: ok\n", "", "recover: 7\noutcome: ok\n");
	/* exit 2: the chain up to the goroutine trace */
	expect_norm(2 << 8, "recover: 1\n",
		    "panic: 1 [recovered]\n\tpanic: 2\n\ngoroutine 1 [running]:\n"
		    "main.p0_again()\n\t/tmp/x/main.go:12 +0x45\nexit status 2\n",
		    "recover: 1\noutcome:\npanic: 1 [recovered]\n\tpanic: 2\n");
	/* a fault: the [signal ...] line is not part of the chain */
	expect_norm(2 << 8, "",
		    "panic: runtime error: invalid memory address or nil pointer "
		    "dereference\n[signal SIGSEGV: segmentation violation code=0x1 "
		    "addr=0x10008 pc=0x4a1b2c]\n\ngoroutine 1 [running]:\n",
		    "outcome:\npanic: runtime error: invalid memory address or nil "
		    "pointer dereference\n");
	expect_norm(2 << 8, "recover: nil\n",
		    "fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n",
		    "recover: nil\noutcome: goexit\n");
	expect_norm(2 << 8, "",
		    "runtime: goroutine stack exceeds 32768-byte limit\n"
		    "runtime: sp=0xc0200e0390 stack=[0xc0200e0000, 0xc0200e8000]\n"
		    "fatal error: stack overflow\n\nruntime stack:\n",
		    "outcome: overflow\n");
	expect_norm(3 << 8, "check failed: main#2\n", "", "outcome: check failed: main#2\n");
	expect_norm(-1, "recover: 3\n", "", "recover: 3\noutcome: timeout\n");
	expect_norm(1 << 8, "", "something else\n", "outcome: exit status 1\n");
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void test_emit(void **state)
{
	(void)state;
	static const char text[] =
		"func main()\n  var y int\n  defer rec(&y)\n  cgo callit(7)\n  grow 4096\nend\n"
		"func rec(p *int) pad 64\n  var r int\n  r = recover()\n  *p = r\n"
		"  check *p == 7\nend\n"
		"cfunc callit(x)\n  seh push\n  callback gocb(x)\n  gc scan\n  seh pop\nend\n"
		"func gocb(x int)\n  if x == 0 return\n  lock\n  unlock\n  panic x\nend\n";
	prog *p = calloc(1, sizeof *p);
	char err[256];
	assert_int_equal(prog_parse("t.prog", text, strlen(text), p, err, sizeof err), 0);
	char dir[] = "/tmp/stackfuzz-test-go.XXXXXX";
	assert_non_null(mkdtemp(dir));
	hs_go_entry e = {.p = p, .label = "t.prog"};
	unsetenv("STACKFUZZ_GO_INJECT");
	assert_int_equal(hs_go_emit(dir, &e, 1, err, sizeof err), 0);
	char path[128];
	snprintf(path, sizeof path, "%s/main.go", dir);
	const char *m = read_all(path);
	assert_non_null(strstr(m, "void p0_callit(long long v_x);")); /* preamble */
	assert_non_null(strstr(m, "defer p0_rec(&v_y)"));
	assert_non_null(strstr(m, "C.p0_callit(C.longlong(7))"));
	assert_non_null(strstr(m, "v_r = sfRecover(recover())"));
	assert_non_null(strstr(m, "if *v_p != 7 { sfCheckFail(\"rec#3\") }"));
	assert_non_null(strstr(m, "//export p0_cb_gocb"));
	assert_non_null(strstr(m, "runtime.LockOSThread()"));
	assert_non_null(strstr(m, "var sfPad [64]byte"));
	assert_non_null(strstr(m, "func sfGrow4096()"));
	assert_non_null(strstr(m, "const sfInject = 0"));
	snprintf(path, sizeof path, "%s/progs.c", dir);
	const char *c = read_all(path);
	assert_non_null(strstr(c, "p0_cb_gocb((long long)(v_x));"));
	assert_non_null(strstr(c, "sfGC(); /* gc scan */"));
	assert_non_null(strstr(c, "/* seh push: nothing on linux/amd64 */"));
	/* the test hook: a deliberate semantic change of the Go side */
	setenv("STACKFUZZ_GO_INJECT", "recover+1", 1);
	assert_int_equal(hs_go_emit(dir, &e, 1, err, sizeof err), 0);
	unsetenv("STACKFUZZ_GO_INJECT");
	snprintf(path, sizeof path, "%s/main.go", dir);
	assert_non_null(strstr(read_all(path), "const sfInject = 1"));
	const char *files[] = {"go.mod", "main.go", "progs.c"};
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	free(p);
}

/* Adding a statement to the op table means a handler in the interpreter
** and a translation in the Go emitter: every op has both. */
static void test_every_op_handled(void **state)
{
	(void)state;
	for (int op = 0; op < ST__COUNT; op++) {
		if (!hs_interp_handles(op) || hs_go_form(op) == NULL)
			print_error("op %s: interpreter %d, Go %p\n", prog_op_name(op),
				    hs_interp_handles(op), (const void *)hs_go_form(op));
		assert_true(hs_interp_handles(op));
		assert_non_null(hs_go_form(op));
	}
	assert_false(hs_interp_handles(ST__COUNT));
	assert_null(hs_go_form(ST__COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_observables),
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_emit),
		cmocka_unit_test(test_every_op_handled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
