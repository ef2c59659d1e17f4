/*
** test_cli.c: the stackfuzz command line, run as a separate process
** ($STACKFUZZ_BIN, set by ctest) on files in a private temp directory:
** exit codes (0 ok, 1 violation / failed expectation, 2 usage or parse
** error), parse errors as file:line:col on stderr, run/check/encode/
** decode/show results on stdout.
**
** Each command's stdout and stderr go to files in the temp directory and
** are read back whole; stdin is /dev/null so no command can hang on it.
*/
#include <limits.h>
#include <regex.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

enum { OUTMAX = 1 << 20 };
static char tmpdir[256];
static char out[OUTMAX], err[OUTMAX];

static const char *bin(void)
{
	const char *b = getenv("STACKFUZZ_BIN");
	if (!b || !*b)
		print_error("STACKFUZZ_BIN is not set (ctest sets it)\n");
	assert_true(b && *b);
	return b;
}

static void slurp(const char *path, char *buf)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, OUTMAX - 1, f);
	buf[n] = 0;
	fclose(f);
}

/* Runs `stackfuzz ARGS` (ARGS is shell text) in directory cwd (NULL: the
** temp dir); returns the exit code; out/err hold its output. */
static int cli_in(const char *cwd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int cli_in(const char *cwd, const char *fmt, ...)
{
	char args[2048], cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >'%s/out' 2>'%s/err' </dev/null",
		 cwd ? cwd : tmpdir, bin(), args, tmpdir, tmpdir);
	int st = system(cmd);
	assert_true(st != -1 && WIFEXITED(st));
	char path[512];
	snprintf(path, sizeof path, "%s/out", tmpdir);
	slurp(path, out);
	snprintf(path, sizeof path, "%s/err", tmpdir);
	slurp(path, err);
	return WEXITSTATUS(st);
}

#define cli(...) cli_in(NULL, __VA_ARGS__)

static void write_file(const char *name, const void *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static const char *last_line(const char *s, char *buf, size_t len)
{
	size_t n = strlen(s);
	while (n && s[n - 1] == '\n')
		n--;
	size_t b = n;
	while (b && s[b - 1] != '\n')
		b--;
	snprintf(buf, len, "%.*s", (int)(n - b), s + b);
	return buf;
}

static int count(const char *s, const char *sub)
{
	int n = 0;
	for (const char *p = strstr(s, sub); p; p = strstr(p + 1, sub))
		n++;
	return n;
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/sfcli-XXXXXX");
	/* the tests' own files (mkdir, symlink) are made in the temp dir too,
	** so the source root must be absolute */
	static char root[PATH_MAX];
	if (!realpath(src_root(), root) || setenv("STACKFUZZ_SRC", root, 1))
		return -1;
	return mkdtemp(tmpdir) && chdir(tmpdir) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- parse errors ---- */

typedef struct errcase {
	const char *text;
	const char *where; /* "line:col: message" */
} errcase;

static const errcase errcases[] = {
	/* unknown function: at the callee's name */
	{"func main()\n  var n int\n  call foo(1)\nend\n",
	 "3:8: unknown function 'foo'"},
	/* type errors: at the offending expression */
	{"func main()\n  var n int\n  n = &n\nend\n",
	 "3:7: cannot assign &n to int slot 'n'"},
	{"func main()\n  var y int\n  call f(y)\nend\nfunc f(a *int)\nend\n",
	 "3:10: cannot use y as *int in argument 1 of 'f'"},
	/* missing end: at the unterminated function's header */
	{"# c\nfunc main()\n  return\n", "2:1: missing 'end' of function 'main'"},
	/* bad config key and value: at the key / the value */
	{"# config: stack=4096 heap=1\nfunc main()\nend\n",
	 "1:22: unknown config key 'heap'"},
	{"# config: stack=4097\nfunc main()\nend\n",
	 "1:17: bad value '4097' for config key 'stack'"},
	/* unknown statement: at its first word */
	{"func main()\n  jump x\nend\n", "2:3: unknown statement 'jump'"},
	/* an ID the catalogue does not have: at the ID */
	{"# expect: violation FOO9\nfunc main()\nend\n",
	 "1:21: unknown invariant id 'FOO9'"},
};

static void test_parse_errors(void **state)
{
	(void)state;
	char want[1024], name[64], path[512];
	for (size_t i = 0; i < sizeof errcases / sizeof errcases[0]; i++) {
		snprintf(name, sizeof name, "bad%zu.prog", i);
		snprintf(path, sizeof path, "%s/%s", tmpdir, name);
		write_file(name, errcases[i].text, strlen(errcases[i].text));
		snprintf(want, sizeof want, "%s:%s\n", path, errcases[i].where);
		/* run: exit 2, the error alone on stderr, nothing on stdout */
		assert_int_equal(cli("run '%s'", path), 2);
		assert_string_equal(err, want);
		assert_string_equal(out, "");
		/* the name is the one given on the command line */
		snprintf(want, sizeof want, "%s:%s\n", name, errcases[i].where);
		assert_int_equal(cli("run %s", name), 2);
		assert_string_equal(err, want);
		/* check: also 2, and the file counts as failed */
		assert_int_equal(cli("check %s", name), 2);
		assert_string_equal(err, want);
		assert_non_null(strstr(out, "FAIL bad"));
		assert_non_null(strstr(out, "parse error"));
		char ll[256];
		assert_string_equal(last_line(out, ll, sizeof ll), "0 passed, 1 failed");
		/* encode and show refuse it the same way */
		assert_int_equal(cli("encode %s -o x.bin", name), 2);
		assert_string_equal(err, want);
		assert_int_equal(cli("show %s --step 1", name), 2);
		assert_string_equal(err, want);
	}
	assert_int_equal(cli("run /nonexistent/x.prog"), 2);
	assert_non_null(strstr(err, "/nonexistent/x.prog"));
	assert_non_null(strstr(err, "cannot open"));
}

/* ---- run ---- */

/* The bug-7695 regression, as an absolute path (commands run in tmpdir). */
static void regression(char *path, size_t len)
{
	char rel[PATH_MAX];
	snprintf(rel, sizeof rel, "%s/corpus/regressions/bug-7695.prog", src_root());
	static char abs[PATH_MAX];
	if (!realpath(rel, abs))
		print_error("%s: not found (set STACKFUZZ_SRC)\n", rel);
	assert_non_null(realpath(rel, abs));
	assert_true(strlen(abs) < len);
	memcpy(path, abs, strlen(abs) + 1);
}

static void test_run_regression(void **state)
{
	(void)state;
	char path[512], want[600];
	regression(path, sizeof path);
	assert_int_equal(cli("run '%s'", path), 1);
	snprintf(want, sizeof want, "%s: violation DEF2 (", path);
	assert_memory_equal(out, want, strlen(want)); /* the first line */
	assert_non_null(strstr(out, "violation DEF2: "));
	assert_non_null(strstr(out, "frames (innermost first):"));
	assert_string_equal(err, "");
	/* fixed runtime: no violation, exit 0 */
	assert_int_equal(cli("run --bugs '' '%s'", path), 0);
	snprintf(want, sizeof want, "%s: ok (", path);
	assert_memory_equal(out, want, strlen(want));
	assert_null(strstr(out, "violation"));
	assert_int_equal(cli("run --bugs= '%s'", path), 0);
	assert_int_equal(cli("run --bugs none '%s'", path), 0);
	/* stress finds it too; an unknown switch is a usage error */
	assert_int_equal(cli("run --stress '%s'", path), 1);
	assert_non_null(strstr(out, "violation DEF2"));
	assert_int_equal(cli("run --bugs 1234 '%s'", path), 2);
	assert_non_null(strstr(err, "1234"));
	/* json */
	assert_int_equal(cli("run --json '%s'", path), 1);
	assert_non_null(strstr(out, "\"outcome\":\"violation\""));
	assert_non_null(strstr(out, "\"id\":\"DEF2\""));
	assert_int_equal(count(out, "\n"), 1);
	/* several programs: the worst code wins */
	write_file("ok.prog", "func main()\nend\n", 16);
	assert_int_equal(cli("run ok.prog"), 0);
	assert_memory_equal(out, "ok.prog: ok (", 13);
	assert_int_equal(count(out, "\n"), 1);
	assert_int_equal(cli("run ok.prog '%s'", path), 1);
	write_file("bad.prog", "func main(\n", 11);
	assert_int_equal(cli("run ok.prog bad.prog '%s'", path), 2);
	/* -v traces every step */
	assert_int_equal(cli("run -v ok.prog"), 0);
	assert_non_null(strstr(out, "enter main"));
}

/* ---- check ---- */

static void test_check_corpus(void **state)
{
	(void)state;
	char ll[256];
	assert_int_equal(cli_in(src_root(), "check corpus/"), 0);
	last_line(out, ll, sizeof ll);
	regex_t re;
	assert_int_equal(regcomp(&re, "^[0-9]+ passed, 0 failed$", REG_EXTENDED), 0);
	int m = regexec(&re, ll, 0, NULL, 0);
	regfree(&re);
	if (m != 0)
		print_error("last line: '%s'\n%s", ll, out);
	assert_int_equal(m, 0);
	int passed = atoi(ll);
	assert_true(passed > 0);
	assert_int_equal(count(out, "PASS corpus/"), passed);
	assert_int_equal(count(out, "FAIL "), 0);
	assert_non_null(strstr(out, "regressions/bug-7695.prog\n"));
	/* a failed expectation is exit 1 */
	write_file("wrong.prog", "# expect: panic 3\nfunc main()\nend\n", 34);
	assert_int_equal(cli("check wrong.prog"), 1);
	assert_non_null(strstr(out, "FAIL wrong.prog: got ok"));
	assert_string_equal(last_line(out, ll, sizeof ll), "0 passed, 1 failed");
	/* --expect-clean: pass iff no violation */
	assert_int_equal(cli("check --expect-clean wrong.prog"), 0);
	char path[512];
	regression(path, sizeof path);
	assert_int_equal(cli("check --expect-clean '%s'", path), 1);
	assert_int_equal(cli("check --expect-clean --bugs= '%s'", path), 0);
	assert_int_equal(cli("check /nonexistent"), 2);
}

/* ---- usage ---- */

static void test_usage(void **state)
{
	(void)state;
	assert_int_equal(cli("frobnicate"), 2);
	assert_non_null(strstr(err, "unknown command 'frobnicate'"));
	assert_non_null(strstr(err, "usage: stackfuzz"));
	assert_string_equal(out, "");
	assert_int_equal(cli("%s", ""), 2);
	assert_non_null(strstr(err, "usage: stackfuzz"));
	assert_int_equal(cli("run"), 2);
	assert_int_equal(cli("check"), 2);
	assert_int_equal(cli("run --no-such-option x.prog"), 2);
	assert_int_equal(cli("show x.prog"), 2); /* --step is required */
	const char *help[] = {"--help", "-h", "help"};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(cli("%s", help[i]), 0);
		assert_memory_equal(out, "usage: stackfuzz", 16);
		assert_non_null(strstr(out, "exit status: 0 ok, 1 violation"));
		assert_string_equal(err, "");
	}
}

/* ---- encode / decode / show ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_decode_random(void **state)
{
	(void)state;
	static uint8_t bytes[4096];
	static char first[OUTMAX];
	char ll[256];
	for (int i = 0; i < 12; i++) {
		size_t len = i == 0 ? 0 : (size_t)(next() % sizeof bytes);
		for (size_t k = 0; k < len; k++)
			bytes[k] = (uint8_t)next();
		write_file("r.bin", bytes, len);
		assert_int_equal(cli("decode r.bin"), 0);
		assert_string_equal(err, "");
		assert_non_null(strstr(out, "func "));
		snprintf(first, sizeof first, "%s", out);
		/* deterministic, and -o writes the same text */
		assert_int_equal(cli("decode r.bin -o r.prog"), 0);
		assert_string_equal(out, "");
		char path[512];
		snprintf(path, sizeof path, "%s/r.prog", tmpdir);
		slurp(path, out);
		assert_string_equal(out, first);
		/* the text parses: check runs it (0 or 1, never 2) */
		int rc = cli("check r.prog");
		if (rc == 2)
			print_error("decoded program does not parse: %s\n%s", err, first);
		assert_true(rc == 0 || rc == 1);
		assert_string_equal(err, "");
		assert_null(strstr(out, "parse error"));
		last_line(out, ll, sizeof ll);
		assert_true(!strcmp(ll, "1 passed, 0 failed") ||
			    !strcmp(ll, "0 passed, 1 failed"));
		/* and it encodes back to a program that prints the same */
		assert_int_equal(cli("encode r.prog -o r2.bin"), 0);
		assert_int_equal(cli("decode r2.bin"), 0);
		assert_string_equal(out, first);
	}
	assert_int_equal(cli("decode /nonexistent.bin"), 2);
	assert_int_equal(cli("decode"), 2);
}

static void test_encode_regression(void **state)
{
	(void)state;
	char path[512];
	regression(path, sizeof path);
	assert_int_equal(cli("encode '%s'", path), 2); /* -o is required */
	assert_non_null(strstr(err, "-o"));
	assert_int_equal(cli("encode '%s' -o b.bin", path), 0);
	assert_int_equal(cli("decode b.bin -o b.prog"), 0);
	/* binary carries no config: the bug switch comes from the command */
	assert_int_equal(cli("run --bugs 7695 b.prog"), 1);
	assert_non_null(strstr(out, "violation DEF2"));
	assert_int_equal(cli("run b.prog"), 0);
}

static void test_show(void **state)
{
	(void)state;
	char path[512];
	regression(path, sizeof path);
	assert_int_equal(cli("show '%s' --step 3", path), 0);
	assert_non_null(strstr(out, "state after step 3:"));
	assert_non_null(strstr(out, "frames (innermost first):"));
	assert_non_null(strstr(out, "outcome: violation DEF2 after "));
	assert_int_equal(cli("show '%s' --step 0", path), 2);
	assert_int_equal(cli("show '%s' --step x", path), 2);

	/* a suspended goroutine: its frames, slots and defers are shown too,
	** in the text and in the picture */
	static const char two[] = "func main()\n  go child(3)\n  gosched\n"
				  "  gc scan\n  wait\nend\n"
				  "func child(n int)\n  var y int\n  y = n\n"
				  "  defer keep(&y)\n  call mid(&y)\nend\n"
				  "func mid(p *int)\n  gosched\n  check *p == 3\nend\n"
				  "func keep(p *int)\n  check *p == 3\nend\n";
	write_file("two.prog", two, sizeof two - 1);
	assert_int_equal(cli("show two.prog --step 12 --dot two.dot"), 0);
	assert_non_null(strstr(out, "goroutine G2: suspended (below) at mid+"));
	const char *g2 = strstr(out, "goroutine G2 (suspended):");
	assert_non_null(g2);
	assert_non_null(strstr(g2, "#0   mid "));
	assert_non_null(strstr(g2, "#1   child "));
	assert_non_null(strstr(g2, " keep sp=stack#3+"));
	assert_non_null(strstr(out, "running on G1"));
	char dot[OUTMAX];
	slurp("two.dot", dot);
	assert_non_null(strstr(dot, "cluster_g2 { label=\"G2 stack, suspended\""));
	assert_non_null(strstr(dot, "s2_1 [label=\"{child"));
}


/* ---- per-command help, options that do not apply ---- */

static void test_command_help(void **state)
{
	(void)state;
	const char *cmds[] = {"run", "check", "encode", "decode", "show",
			      "minimize", "explore"};
	char want[64];
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		snprintf(want, sizeof want, "usage: stackfuzz %s ", cmds[i]);
		assert_int_equal(cli("%s --help", cmds[i]), 0);
		if (strncmp(out, want, strlen(want)))
			print_error("%s --help: %s\n", cmds[i], out);
		assert_memory_equal(out, want, strlen(want));
		assert_string_equal(err, "");
		assert_int_equal(cli("%s -h", cmds[i]), 0);
		assert_memory_equal(out, want, strlen(want));
	}
	/* each help lists its own options only */
	assert_int_equal(cli("run --help"), 0);
	assert_non_null(strstr(out, "--target T"));
	assert_null(strstr(out, "--dot"));
	assert_int_equal(cli("show --help"), 0);
	assert_non_null(strstr(out, "--step N"));
	assert_null(strstr(out, "--json"));
}

static void test_flag_not_applying(void **state)
{
	(void)state;
	char path[512];
	regression(path, sizeof path);
	static const struct {
		const char *args, *msg;
	} cases[] = {
		{"run --dot x.dot", "--dot does not apply to run"},
		{"run --step 3", "--step does not apply to run"},
		{"run -o x", "-o does not apply to run"},
		{"check -v", "-v does not apply to check"},
		{"check --dot x.dot", "--dot does not apply to check"},
		{"show --step 2 --json", "--json does not apply to show"},
		{"show --step 2 --expect-clean", "--expect-clean does not apply to show"},
		{"encode -o x.bin --bugs 7695", "--bugs does not apply to encode"},
		{"decode --target windows/386", "--target does not apply to decode"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(cli("%s '%s'", cases[i].args, path), 2);
		if (!strstr(err, cases[i].msg))
			print_error("%s: %s", cases[i].args, err);
		assert_non_null(strstr(err, cases[i].msg));
		assert_non_null(strstr(err, "--help' lists the options"));
		assert_string_equal(out, "");
	}
	assert_false(access("x.dot", F_OK) == 0);
}

/* ---- --json: only JSON on stdout ---- */

/* Every line of s is one JSON object (a rough check: {...} per line,
** balanced quotes); returns the number of lines. */
static int json_lines(const char *s)
{
	int n = 0;
	while (*s) {
		const char *e = strchr(s, '\n');
		assert_non_null(e);
		if (s[0] != '{' || e[-1] != '}')
			print_error("not a JSON line: %.*s\n", (int)(e - s), s);
		assert_true(s[0] == '{' && e[-1] == '}');
		int q = 0;
		for (const char *p = s; p < e; p++) {
			if (*p == '\\') {
				p++;
				continue;
			}
			assert_true((unsigned char)*p >= 0x20);
			q ^= *p == '"';
		}
		assert_int_equal(q, 0);
		n++;
		s = e + 1;
	}
	return n;
}

static void test_json_only(void **state)
{
	(void)state;
	char path[512];
	regression(path, sizeof path);
	/* run -v: the trace is a field, not text around the JSON */
	assert_int_equal(cli("run --json -v '%s'", path), 1);
	assert_int_equal(json_lines(out), 1);
	assert_non_null(strstr(out, "\"trace\":\""));
	assert_non_null(strstr(out, "enter main"));
	assert_non_null(strstr(out, "\"report\":\""));
	assert_int_equal(cli("run -v --json '%s' '%s'", path, path), 1);
	assert_int_equal(json_lines(out), 2);
	/* check: the closing count is JSON too */
	assert_int_equal(mkdir("j", 0700), 0);
	write_file("j/ok.prog", "func main()\nend\n", 16);
	write_file("j/bad.prog", "# expect: panic 1\nfunc main()\nend\n", 34);
	assert_int_equal(cli("check --json j"), 1);
	assert_int_equal(json_lines(out), 3);
	assert_non_null(strstr(out, "{\"passed\":1,\"failed\":1}\n"));
	assert_null(strstr(out, "passed,"));
	/* a parse error stays on stderr; stdout is still JSON */
	write_file("j/broken.prog", "func main(\n", 11);
	assert_int_equal(cli("check --json j"), 2);
	assert_int_equal(json_lines(out), 4);
	assert_non_null(strstr(err, "broken.prog:"));
	assert_int_equal(system("rm -rf j"), 0);
}

/* ---- show --step ---- */

static void test_step_validated(void **state)
{
	(void)state;
	char path[512];
	regression(path, sizeof path);
	const char *bad[] = {"-1", "0", "x", "1x", "' 3'", "+3", "''",
			     "99999999999999999999", "18446744073709551616"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(cli("show '%s' --step %s", path, bad[i]), 2);
		assert_non_null(strstr(err, "--step wants a number"));
		assert_string_equal(out, "");
	}
	/* the largest step is valid: the run ends first */
	assert_int_equal(cli("show '%s' --step 18446744073709551615", path), 0);
	assert_non_null(strstr(out, "outcome: violation DEF2"));
}

/* ---- check: symlink loops, files once, empty trees ---- */

static void test_check_tree(void **state)
{
	(void)state;
	char ll[256];
	assert_int_equal(mkdir("t", 0700), 0);
	assert_int_equal(mkdir("t/a", 0700), 0);
	/* loops: a link to the directory itself and to its parent */
	assert_int_equal(symlink(".", "t/self"), 0);
	assert_int_equal(symlink("..", "t/a/up"), 0);
	/* an empty tree (and one with loops only) is an error */
	assert_int_equal(cli("check t"), 2);
	assert_non_null(strstr(err, "no .prog files under t"));
	assert_string_equal(out, "");
	write_file("t/a/x.prog", "func main()\nend\n", 16);
	/* one file, reached as t/a/x.prog, t/self/a/x.prog, t/y.prog, t/a/up/a/x.prog */
	assert_int_equal(symlink("a/x.prog", "t/y.prog"), 0);
	assert_int_equal(cli("check t"), 0);
	assert_string_equal(last_line(out, ll, sizeof ll), "1 passed, 0 failed");
	assert_int_equal(count(out, "PASS "), 1);
	/* named twice on the command line: still once */
	assert_int_equal(cli("check t t/a/x.prog t/self"), 0);
	assert_string_equal(last_line(out, ll, sizeof ll), "1 passed, 0 failed");
	/* a directory of non-.prog files */
	assert_int_equal(mkdir("e", 0700), 0);
	write_file("e/readme.txt", "x\n", 2);
	assert_int_equal(cli("check e"), 2);
	assert_non_null(strstr(err, "no .prog files under e"));
	assert_int_equal(system("rm -rf t e"), 0);
}

/* ---- I/O errors are named, not parse errors ---- */

static void test_io_errors(void **state)
{
	(void)state;
	char ll[256];
	assert_int_equal(mkdir("io", 0700), 0);
	/* decode, run, encode, minimize of a directory */
	assert_int_equal(cli("decode io"), 2);
	assert_string_equal(err, "io: cannot read: Is a directory\n");
	assert_string_equal(out, "");
	assert_int_equal(cli("run io"), 2);
	assert_string_equal(err, "io: cannot read: Is a directory\n");
	assert_int_equal(cli("encode io -o x.bin"), 2);
	assert_string_equal(err, "io: cannot read: Is a directory\n");
	assert_int_equal(cli("minimize io"), 2);
	assert_string_equal(err, "io: cannot read: Is a directory\n");
	assert_int_equal(cli("minimize --binary io"), 2);
	assert_string_equal(err, "io: cannot read: Is a directory\n");
	/* a missing file */
	assert_int_equal(cli("run io/none.prog"), 2);
	assert_string_equal(err, "io/none.prog: cannot open: No such file or directory\n");
	/* check: a .prog that cannot be read is an I/O error, not a parse error */
	assert_int_equal(symlink("nowhere", "io/dangling.prog"), 0);
	write_file("io/ok.prog", "func main()\nend\n", 16);
	assert_int_equal(cli("check io"), 2);
	assert_non_null(strstr(out, "FAIL io/dangling.prog: I/O error\n"));
	assert_null(strstr(out, "parse error"));
	assert_non_null(strstr(err, "io/dangling.prog: cannot open: No such file"));
	assert_string_equal(last_line(out, ll, sizeof ll), "1 passed, 1 failed");
	/* permission denied (root reads anything: then as nobody, if setpriv works) */
	write_file("io/secret.prog", "func main()\nend\n", 16);
	assert_int_equal(chmod("io/secret.prog", 0), 0);
	if (geteuid() != 0) {
		assert_int_equal(cli("run io/secret.prog"), 2);
		assert_string_equal(err, "io/secret.prog: cannot open: Permission denied\n");
		assert_int_equal(cli("check io/secret.prog"), 2);
		assert_non_null(strstr(out, "FAIL io/secret.prog: I/O error\n"));
	} else {
		/* as root: run it as nobody where setpriv can */
		char cmd[2048], p2[600];
		snprintf(cmd, sizeof cmd,
			 "chmod 755 '%s' io && command -v setpriv >/dev/null && setpriv "
			 "--reuid=65534 --regid=65534 --clear-groups test -x '%s'",
			 tmpdir, bin());
		if (system(cmd) == 0) {
			snprintf(cmd, sizeof cmd,
				 "cd '%s' && setpriv --reuid=65534 --regid=65534 "
				 "--clear-groups '%s' check io/secret.prog >'%s/out' "
				 "2>'%s/err' </dev/null", tmpdir, bin(), tmpdir, tmpdir);
			int st = system(cmd);
			assert_true(WIFEXITED(st));
			assert_int_equal(WEXITSTATUS(st), 2);
			snprintf(p2, sizeof p2, "%s/out", tmpdir);
			slurp(p2, out);
			snprintf(p2, sizeof p2, "%s/err", tmpdir);
			slurp(p2, err);
			assert_non_null(strstr(out, "FAIL io/secret.prog: I/O error\n"));
			assert_non_null(strstr(err, "io/secret.prog: cannot open: Permission denied\n"));
		} else {
			print_message("permission test skipped (root, no setpriv)\n");
		}
	}
	assert_int_equal(system("rm -rf io"), 0);
}

/* ---- minimize: nothing to minimize ---- */

static void test_minimize_nothing(void **state)
{
	(void)state;
	write_file("fine.prog", "func main()\nend\n", 16);
	assert_int_equal(cli("minimize fine.prog -o m.prog"), 2);
	assert_non_null(strstr(err, "fine.prog: nothing to minimize: the run does not end in a violation"));
	assert_string_equal(out, "");
	assert_false(access("m.prog", F_OK) == 0);
	char path[512];
	regression(path, sizeof path);
	assert_int_equal(cli("minimize --bugs '' '%s'", path), 2);
	assert_non_null(strstr(err, "nothing to minimize"));
	/* a violation: 0 and the result */
	assert_int_equal(cli("minimize '%s' -o m.prog", path), 0);
	assert_int_equal(cli("run m.prog"), 1);
}

/* ---- --target overrides the program's config ---- */

static void test_target(void **state)
{
	(void)state;
	char rel[PATH_MAX], path[PATH_MAX], cmd[PATH_MAX + 600];
	snprintf(rel, sizeof rel, "%s/corpus/regressions/bug-7470.prog", src_root());
	assert_non_null(realpath(rel, path));
	/* the same program stated for linux/amd64 */
	snprintf(cmd, sizeof cmd, "sed 's,target=windows/386,target=linux/amd64,' '%s' >'%s/lin.prog'",
		 path, tmpdir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(cli("run '%s'", path), 1);
	assert_non_null(strstr(out, "violation SEH1"));
	assert_int_equal(cli("run --target linux/amd64 '%s'", path), 0);
	assert_int_equal(cli("run lin.prog"), 0);
	assert_int_equal(cli("run --target windows/386 lin.prog"), 1);
	assert_non_null(strstr(out, "violation SEH1"));
	/* check: the expectation is met only on the target it was written for */
	assert_int_equal(cli("check lin.prog"), 1);
	assert_int_equal(cli("check --target windows/386 lin.prog"), 0);
	/* show */
	assert_int_equal(cli("show --target windows/386 lin.prog --step 2"), 0);
	assert_non_null(strstr(out, "outcome: violation SEH1"));
	assert_int_equal(cli("show lin.prog --step 2"), 0);
	assert_null(strstr(out, "violation"));
	/* minimize: folded into the output's config */
	assert_int_equal(cli("minimize lin.prog"), 2);
	assert_int_equal(cli("minimize --target windows/386 lin.prog -o m.prog"), 0);
	assert_int_equal(cli("run m.prog"), 1);
	assert_non_null(strstr(out, "violation SEH1"));
	/* a bad target */
	assert_int_equal(cli("run --target windows/amd64 lin.prog"), 2);
	assert_non_null(strstr(err, "--target: linux/amd64 or windows/386, not 'windows/amd64'"));
	assert_int_equal(cli("minimize --target x lin.prog"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_run_regression),
		cmocka_unit_test(test_check_corpus),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_decode_random),
		cmocka_unit_test(test_encode_regression),
		cmocka_unit_test(test_show),
		cmocka_unit_test(test_command_help),
		cmocka_unit_test(test_flag_not_applying),
		cmocka_unit_test(test_json_only),
		cmocka_unit_test(test_step_validated),
		cmocka_unit_test(test_check_tree),
		cmocka_unit_test(test_io_errors),
		cmocka_unit_test(test_minimize_nothing),
		cmocka_unit_test(test_target),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
