/*
** test_harness.c: the harness end to end, through hs_run on parsed
** programs: determinism (byte-identical traces), the whole corpus replayed
** against each file's `# expect:` (normal, stress, and with every bug
** switch off), text -> binary -> text round trips of every corpus file,
** the bug-7695 regression with and without its switch, each outcome kind
** on small inline programs, and the expectation matcher.
**
** The corpus is found under $STACKFUZZ_SRC/corpus (ctest sets it), walked
** recursively for *.prog files in sorted order.
*/
#include <dirent.h>
#include <sys/stat.h>

#include "testutil.h"

#include "hs.h"
#include "hs_judge.h"
#include "prog.h"

/* ---- helpers ---- */

enum { MAX_FILES = 1024, PATHLEN = 1024 };
static char corpus[MAX_FILES][PATHLEN];
static int ncorpus = -1;

static int cmppath(const void *a, const void *b) { return strcmp(a, b); }

static void walk(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[PATHLEN];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(path, &st) != 0)
			continue;
		size_t l = strlen(e->d_name);
		if (S_ISDIR(st.st_mode))
			walk(path);
		else if (l > 5 && !strcmp(e->d_name + l - 5, ".prog") &&
			 ncorpus < MAX_FILES)
			snprintf(corpus[ncorpus++], PATHLEN, "%s", path);
	}
	closedir(d);
}

static int load_corpus(void)
{
	if (ncorpus < 0) {
		char root[PATHLEN];
		snprintf(root, sizeof root, "%s/corpus", src_root());
		ncorpus = 0;
		walk(root);
		qsort(corpus, (size_t)ncorpus, PATHLEN, cmppath);
	}
	if (ncorpus == 0)
		print_error("no .prog files under %s/corpus (set STACKFUZZ_SRC)\n",
			    src_root());
	assert_true(ncorpus > 0);
	return ncorpus;
}

static prog *parse_file(const char *path)
{
	prog *p = calloc(1, sizeof *p);
	assert_non_null(p);
	char err[512];
	int rc = prog_parse_file(path, p, err, sizeof err);
	if (rc != 0)
		print_error("%s\n", err);
	assert_int_equal(rc, 0);
	return p;
}

static prog *parse_str(const char *text)
{
	prog *p = calloc(1, sizeof *p);
	assert_non_null(p);
	char err[512];
	int rc = prog_parse("inline.prog", text, strlen(text), p, err, sizeof err);
	if (rc != 0)
		print_error("%s\n", err);
	assert_int_equal(rc, 0);
	return p;
}

typedef struct runopt {
	int stress, bugs_set;
	uint32_t bugs, mask;
	FILE *trace;
} runopt;

static hs_result *run(const prog *p, const char *file, runopt ro)
{
	hs_result *r = calloc(1, sizeof *r);
	assert_non_null(r);
	hs_options o;
	memset(&o, 0, sizeof o);
	o.stress = ro.stress;
	o.bugs_set = ro.bugs_set;
	o.bugs = ro.bugs;
	o.check_mask = ro.mask;
	o.trace = ro.trace;
	o.file = file;
	assert_int_equal(hs_run(p, &o, r), 0);
	return r;
}

static const char *outcome(const hs_result *r, char *buf, size_t len)
{
	hs_outcome_str(r, buf, len);
	return buf;
}

/* ---- determinism ---- */

static void traced_run(const prog *p, const char *file, int stress, char **buf,
		       size_t *len, hs_result **res)
{
	*buf = NULL;
	*len = 0;
	FILE *f = open_memstream(buf, len);
	assert_non_null(f);
	*res = run(p, file, (runopt){.stress = stress, .trace = f});
	assert_int_equal(fclose(f), 0);
}

static void test_determinism(void **state)
{
	(void)state;
	int n = load_corpus();
	for (int i = 0; i < n; i++) {
		prog *p = parse_file(corpus[i]);
		for (int stress = 0; stress < 2; stress++) {
			char *b1, *b2;
			size_t n1, n2;
			hs_result *r1, *r2;
			traced_run(p, corpus[i], stress, &b1, &n1, &r1);
			traced_run(p, corpus[i], stress, &b2, &n2, &r2);
			if (n1 != n2 || memcmp(b1, b2, n1) != 0)
				print_error("%s (stress %d): traces differ\n", corpus[i],
					    stress);
			assert_int_equal(n1, n2);
			assert_memory_equal(b1, b2, n1);
			/* one line per step, at least */
			size_t lines = 0;
			for (size_t k = 0; k < n1; k++)
				lines += b1[k] == '\n';
			assert_true(lines >= r1->steps);
			/* a run that ends at a harness limit takes no step */
			assert_true(r1->steps > 0 || r1->kind == OUT_LIMIT);
			assert_int_equal(r1->kind, r2->kind);
			assert_int_equal(r1->inv, r2->inv);
			assert_int_equal(r1->steps, r2->steps);
			assert_int_equal(r1->copies, r2->copies);
			assert_string_equal(r1->text, r2->text);
			assert_string_equal(r1->report, r2->report);
			lib_free(b1);
			lib_free(b2);
			hs_result_free(r1);
			hs_result_free(r2);
			free(r1);
			free(r2);
		}
		free(p);
	}
}

/* A digest of the whole simulated memory: every region's place and state,
** and a live region's words, cells and ptags. Taken every 4th step (a poke
** that changes nothing): stale bytes in a fresh region would show there,
** even where no trace line prints them. */
typedef struct memdigest {
	uint64_t h;
	uint64_t n;
} memdigest;

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9E3779B97F4A7C15ull;
	return h ^ (h >> 29);
}

static void digest_mem(rt *r, void *arg)
{
	memdigest *d = arg;
	if (d->n++ % 4)
		return;
	for (int k = 0; k < RG__KINDS; k++)
		for (uint32_t i = 0; i < r->mem.area[k].n; i++) {
			const mc_region *g = r->mem.area[k].r[i];
			d->h = mix(d->h, g->base ^ ((uint64_t)g->size << 40) ^
						 ((uint64_t)g->live << 63));
			if (!g->live)
				continue;
			for (uint32_t w = 0; w < g->size / 8; w++)
				d->h = mix(d->h, g->w[w] ^ ((uint64_t)g->cell[w] << 32 |
							    g->ptag[w]) * 3);
		}
}

static hs_result *digest_run(const prog *p, const char *file, int stress,
			     uint64_t *digest)
{
	hs_result *r = calloc(1, sizeof *r);
	assert_non_null(r);
	memdigest d = {0xcbf29ce484222325ull, 0};
	hs_options o;
	memset(&o, 0, sizeof o);
	o.stress = stress;
	o.file = file;
	o.poke = digest_mem;
	o.poke_arg = &d;
	assert_int_equal(hs_run(p, &o, r), 0);
	*digest = d.h;
	return r;
}

/* A run is the same byte for byte whatever ran before it in the process:
** the region storage pool (machine/mc_pool.c) and the interpreter's spare
** state hand back memory that a previous run dirtied (poison fills, moved
** stacks, tags), and every byte of it must be rewritten. A (from an empty
** pool: fresh blocks), then B under stress, then A again: both A runs
** must agree on the trace, the memory digest, the outcome, the report
** and the observables. */
static void test_determinism_reuse(void **state)
{
	(void)state;
	int n = load_corpus();
	for (int i = 0; i < n; i++) {
		const char *fa = corpus[i], *fb = corpus[(i + n - 1) % n];
		prog *a = parse_file(fa);
		prog *b = parse_file(fb);
		char *b1, *b2, *bb;
		size_t n1, n2, nb;
		hs_result *r1, *r2, *rb, *d1, *d2, *db;
		uint64_t h1, h2, hb;
		mc_pool_drain();
		traced_run(a, fa, 0, &b1, &n1, &r1);
		d1 = digest_run(a, fa, 0, &h1);
		traced_run(b, fb, 1, &bb, &nb, &rb);
		db = digest_run(b, fb, 1, &hb);
		d2 = digest_run(a, fa, 0, &h2);
		traced_run(a, fa, 0, &b2, &n2, &r2);
		if (n1 != n2 || memcmp(b1, b2, n1) != 0 || h1 != h2)
			print_error("%s after %s: %s differ\n", fa, fb,
				    h1 != h2 ? "memory digests" : "traces");
		assert_int_equal(h1, h2);
		assert_int_equal(n1, n2);
		assert_memory_equal(b1, b2, n1);
		assert_int_equal(r1->kind, r2->kind);
		assert_int_equal(r1->inv, r2->inv);
		assert_int_equal(r1->steps, r2->steps);
		assert_string_equal(r1->text, r2->text);
		assert_string_equal(r1->report, r2->report);
		assert_string_equal(r1->observed, r2->observed);
		lib_free(b1);
		lib_free(b2);
		lib_free(bb);
		hs_result *rs[] = {r1, r2, rb, d1, d2, db};
		for (int k = 0; k < 6; k++) {
			hs_result_free(rs[k]);
			free(rs[k]);
		}
		free(a);
		free(b);
	}
}

/* ---- incremental checking across segments ---- */

/* A hot split (Go 1.3's split stacks): f1 has no pointer maps, so f2's
** frame takes a new segment each time, and returning pops it. A push or
** pop leaves the older segment's frames where they were, so the
** checkers' walk reuses them (walk_segs) instead of walking every frame
** again; the defer chain's record, whose argument targets main's local in
** the older segment, is reused too. --verify-incremental (full_checks 2)
** proves each reuse against a full walk. */
static void test_segments_pushpop_incremental(void **state)
{
	(void)state;
	prog *p = parse_str("func main()\n  call a()\nend\n"
			    "func a()\n  var x int\n  defer g(&x)\n"
			    "  call f1()\n  call f1()\n  call f1()\n  call f1()\nend\n"
			    "func f1() cgowrapper\n  call f2()\nend\n"
			    "func f2() pad 4096\nend\n"
			    "func g(p *int)\nend\n");
	for (int verify = 0; verify < 2; verify++) {
		hs_result *r = calloc(1, sizeof *r);
		assert_non_null(r);
		hs_options o;
		memset(&o, 0, sizeof o);
		o.full_checks = verify ? 2 : 0;
		assert_int_equal(hs_run(p, &o, r), 0);
		assert_int_equal(r->kind, OUT_OK);
		assert_int_equal(r->segments, 4);
		/* three full walks (the first check, and two when the walk
		** from sched meets no cached frame: a new outermost frame, or
		** main's pc moved to its return point); none for the eight
		** pushes and pops (11 without the reuse) */
		if (!verify) { /* (verifying walks in full at every step) */
			assert_true(r->walks_full <= 3);
			assert_true(r->walks_incr + r->walks_full >= r->steps - 1);
		}
		hs_result_free(r);
		free(r);
	}
	free(p);
}

/* ---- corpus replay ---- */

static void test_corpus_expectations(void **state)
{
	(void)state;
	int n = load_corpus(), bad = 0;
	for (int i = 0; i < n; i++) {
		prog *p = parse_file(corpus[i]);
		hs_result *r = run(p, corpus[i], (runopt){0});
		char why[1400];
		if (!hs_expect_met(p, r, why, sizeof why)) {
			print_error("FAIL %s: %s\n%s", corpus[i], why, r->report);
			bad++;
		}
		hs_result_free(r);
		free(r);
		free(p);
	}
	assert_int_equal(bad, 0);
}

static void test_corpus_stress(void **state)
{
	(void)state;
	int n = load_corpus(), bad = 0;
	char got[600];
	for (int i = 0; i < n; i++) {
		prog *p = parse_file(corpus[i]);
		hs_result *r = run(p, corpus[i], (runopt){.stress = 1});
		if (p->expect.kind == EXPECT_VIOLATION) {
			/* a regression: stress finds the same invariant broken */
			if (r->kind != OUT_VIOLATION ||
			    strcmp(inv_catalogue[r->inv].id, p->expect.id) != 0) {
				print_error("FAIL %s (stress): want violation %s, got %s\n",
					    corpus[i], p->expect.id,
					    outcome(r, got, sizeof got));
				bad++;
			}
		} else if (r->kind == OUT_VIOLATION) {
			print_error("FAIL %s (stress): %s\n%s", corpus[i],
				    outcome(r, got, sizeof got), r->report);
			bad++;
		}
		hs_result_free(r);
		free(r);
		free(p);
	}
	assert_int_equal(bad, 0);
}

/* With every bug switch off the reference runtime violates nothing. */
static void test_corpus_no_bugs_clean(void **state)
{
	(void)state;
	int n = load_corpus(), bad = 0;
	char got[600];
	for (int i = 0; i < n; i++) {
		prog *p = parse_file(corpus[i]);
		for (int stress = 0; stress < 2; stress++) {
			hs_result *r = run(p, corpus[i],
					   (runopt){.stress = stress, .bugs_set = 1});
			if (r->kind == OUT_VIOLATION) {
				print_error("FAIL %s (no bugs, stress %d): %s\n%s",
					    corpus[i], stress,
					    outcome(r, got, sizeof got), r->report);
				bad++;
			}
			hs_result_free(r);
			free(r);
		}
		free(p);
	}
	assert_int_equal(bad, 0);
}

/* ---- round trips ---- */

static void test_corpus_roundtrip(void **state)
{
	(void)state;
	int n = load_corpus();
	static uint8_t buf[PROG_BIN_MAX], buf2[PROG_BIN_MAX];
	char err[512];
	for (int i = 0; i < n; i++) {
		prog *p = parse_file(corpus[i]);
		/* text -> text keeps everything, names and headers included */
		char *t0 = prog_print(p);
		assert_non_null(t0);
		prog *p2 = parse_str(t0);
		if (!prog_equal(p, p2, 1))
			print_error("%s: print/parse differs:\n%s", corpus[i], t0);
		assert_true(prog_equal(p, p2, 1));
		lib_free(t0);
		free(p2);

		/* text -> binary: everything but names and cfg/expect */
		size_t len = prog_bin_encode(p, buf, sizeof buf);
		assert_true(len > 0 && len <= sizeof buf);
		prog *q = calloc(1, sizeof *q), *want = calloc(1, sizeof *want);
		assert_non_null(q);
		assert_non_null(want);
		prog_bin_decode(buf, len, q);
		assert_int_equal(prog_validate(q, NULL), 0);
		prog_init(want);
		prog_config cfg = want->cfg;
		prog_expect ex = want->expect;
		*want = *p;
		want->cfg = cfg;
		prog_bin_config(&p->cfg, &want->cfg);
		want->expect = ex;
		if (!prog_equal(want, q, 0))
			print_error("%s: binary round trip differs\n", corpus[i]);
		assert_true(prog_equal(want, q, 0));
		/* the encoding is canonical */
		assert_int_equal(prog_bin_encode(q, buf2, sizeof buf2), len);
		assert_memory_equal(buf, buf2, len);

		/* binary -> text -> binary */
		char *t1 = prog_print(q);
		assert_non_null(t1);
		prog *q2 = calloc(1, sizeof *q2);
		assert_non_null(q2);
		int rc = prog_parse(corpus[i], t1, strlen(t1), q2, err, sizeof err);
		if (rc != 0)
			print_error("%s: decoded text does not parse: %s\n%s",
				    corpus[i], err, t1);
		assert_int_equal(rc, 0);
		assert_true(prog_equal(q, q2, 1));
		char *t2 = prog_print(q2);
		assert_string_equal(t1, t2);
		assert_int_equal(prog_bin_encode(q2, buf2, sizeof buf2), len);
		assert_memory_equal(buf, buf2, len);
		lib_free(t1);
		lib_free(t2);
		free(q2);
		free(q);
		free(want);
		free(p);
	}
}

/* ---- the bug-7695 regression ---- */

static const char bug7695[] =
	"# config: bug=7695\n"
	"# expect: violation DEF2\n"
	"func main()\n"
	"  var y int\n"
	"  defer verify(&y, 42)\n"
	"  defer cset(&y, 42)\n"
	"  call deep(20)\n"
	"end\n"
	"func cset(p *int, v int) cgowrapper\n"
	"  *p = v\n"
	"end\n"
	"func verify(p *int, v int)\n"
	"  check *p == 42\n"
	"end\n"
	"func deep(n int) pad 128\n"
	"  if n == 0 return\n"
	"  call deep(n-1)\n"
	"end\n";

static void check_7695(const prog *p, const char *file)
{
	char why[1400];
	assert_int_equal(p->cfg.bugs, BUG_7695);
	hs_result *r = run(p, file, (runopt){0});
	assert_int_equal(r->kind, OUT_VIOLATION);
	assert_int_equal(r->inv, INV_DEF2);
	assert_true(r->copies > 0); /* it copied where it must not */
	assert_int_equal(hs_expect_met(p, r, why, sizeof why), 1);
	assert_non_null(strstr(r->report, "violation DEF2"));
	assert_non_null(strstr(r->report, "cset"));
	hs_result_free(r);
	free(r);
	r = run(p, file, (runopt){.stress = 1});
	assert_int_equal(r->kind, OUT_VIOLATION);
	assert_int_equal(r->inv, INV_DEF2);
	hs_result_free(r);
	free(r);
	/* fixed: the runtime takes a new segment, and the program is fine */
	for (int stress = 0; stress < 2; stress++) {
		r = run(p, file, (runopt){.stress = stress, .bugs_set = 1, .bugs = 0});
		if (r->kind != OUT_OK)
			print_error("fixed runtime: %s\n", r->report);
		assert_int_equal(r->kind, OUT_OK);
		assert_true(r->segments > 0);
		assert_int_equal(hs_expect_met(p, r, why, sizeof why), 0);
		assert_string_equal(why, "got ok");
		hs_result_free(r);
		free(r);
	}
	/* the other switches do not bring the bug back */
	r = run(p, file, (runopt){.bugs_set = 1, .bugs = BUG_7470 | BUG_12238});
	assert_true(r->kind != OUT_VIOLATION || r->inv != INV_DEF2);
	hs_result_free(r);
	free(r);
}

static void test_bug7695_regression(void **state)
{
	(void)state;
	prog *p = parse_str(bug7695);
	check_7695(p, "inline.prog");
	free(p);
	char path[PATHLEN];
	snprintf(path, sizeof path, "%s/corpus/regressions/bug-7695.prog",
		 src_root());
	p = parse_file(path);
	assert_int_equal(p->expect.kind, EXPECT_VIOLATION);
	assert_string_equal(p->expect.id, "DEF2");
	check_7695(p, path);
	free(p);
}

static void test_check_mask(void **state)
{
	(void)state;
	prog *p = parse_str(bug7695);
	uint32_t all = (1u << INV__COUNT) - 1;
	/* without DEF2 the same step's copy is still caught, by DEF3 */
	hs_result *r = run(p, "inline.prog", (runopt){.mask = all & ~(1u << INV_DEF2)});
	assert_int_equal(r->kind, OUT_VIOLATION);
	assert_int_equal(r->inv, INV_DEF3);
	hs_result_free(r);
	free(r);
	r = run(p, "inline.prog", (runopt){.mask = 1u << INV_DEF2});
	assert_int_equal(r->kind, OUT_VIOLATION);
	assert_int_equal(r->inv, INV_DEF2);
	hs_result_free(r);
	free(r);
	free(p);
}

/* ---- outcomes of small programs ---- */

typedef struct outcase {
	const char *text;
	int kind;
	const char *outcome; /* hs_outcome_str */
} outcase;

static const outcase outcases[] = {
	{"# expect: ok\n"
	 "func main()\n  var y int\n  var q *int\n  q = &y\n"
	 "  defer set(&y, 42)\n  call deep(30)\n  *q = 5\n  check *q == 5\n"
	 "  check y == 5\nend\n"
	 "func set(p *int, v int)\n  *p = v\nend\n"
	 "func deep(n int) pad 64\n  if n == 0 return\n  call deep(n-1)\nend\n",
	 OUT_OK, "ok"},
	{"# expect: panic 42\n"
	 "func main()\n  var y int\n  defer set(&y, 1)\n  panic 42\nend\n"
	 "func set(p *int, v int)\n  *p = v\nend\n",
	 OUT_PANIC, "panic: 42"},
	{"# expect: ok\n"
	 "func main()\n  var y int\n  call f(&y)\n  check y == 7\nend\n"
	 "func f(p *int)\n  defer r(p)\n  panic 7\nend\n"
	 "func r(p *int)\n  var v int\n  v = recover()\n  *p = v\nend\n",
	 OUT_OK, "ok"},
	{"# expect: panic 1\n"
	 "func main()\n  defer g()\n  panic 1\nend\n"
	 "func g()\n  panic 2\nend\n",
	 OUT_PANIC, "panic: 1\n\tpanic: 2"},
	{"# expect: goexit\n"
	 "func main()\n  defer g()\n  goexit\nend\nfunc g()\nend\n",
	 OUT_GOEXIT, "goexit"},
	{"# config: maxstack=16384\n# expect: overflow\n"
	 "func main()\n  call f(1)\nend\n"
	 "func f(n int) pad 256\n  call f(n)\nend\n",
	 OUT_OVERFLOW, "overflow"},
	{"# config: budget=100\n# expect: budget\n"
	 "func main()\n  call f(1)\nend\n"
	 "func f(n int)\n  if n == 0 return\n  call f(n)\nend\n",
	 OUT_BUDGET, "budget"},
	{"# expect: violation DEF4\n"
	 "func main()\n  var y int\n  y = 5\n  check y == 6\nend\n",
	 OUT_VIOLATION, "violation DEF4"},
	{"func main()\n  var q *int\n  *q = 1\nend\n",
	 OUT_PANIC,
	 "panic: runtime error: invalid memory address or nil pointer dereference"},
	{"# expect: ok\n"
	 "func main()\n  var y int\n  var q *int\n  q = &y\n  grow 8192\n"
	 "  gc shrink\n  *q = 3\n  check y == 3\nend\n",
	 OUT_OK, "ok"},
};

static void test_outcomes(void **state)
{
	(void)state;
	char got[600], why[1400];
	int bad = 0;
	for (size_t i = 0; i < sizeof outcases / sizeof outcases[0]; i++) {
		const outcase *c = &outcases[i];
		prog *p = parse_str(c->text);
		for (int stress = 0; stress < 2; stress++) {
			hs_result *r = run(p, "inline.prog", (runopt){.stress = stress});
			outcome(r, got, sizeof got);
			/* every case is checked and reported; the test fails after */
			if (strcmp(got, c->outcome) != 0 || r->kind != c->kind ||
			    !hs_expect_met(p, r, why, sizeof why) ||
			    (stress && r->copies == 0)) {
				print_error("case %zu (stress %d): got %s, want %s\n%s", i,
					    stress, got, c->outcome, r->report);
				bad++;
			}
			if (c->kind == OUT_VIOLATION && r->kind == OUT_VIOLATION) {
				assert_int_equal(r->func, 0);
				assert_int_equal(r->stmt, 1);
				assert_int_equal(r->line, 5);
				assert_non_null(strstr(r->report, "inline.prog:5"));
			}
			hs_result_free(r);
			free(r);
		}
		free(p);
	}
	assert_int_equal(bad, 0);
}

static void test_grow_and_shrink_counts(void **state)
{
	(void)state;
	prog *p = parse_str(outcases[9].text);
	hs_result *r = run(p, "inline.prog", (runopt){0});
	assert_int_equal(r->kind, OUT_OK);
	assert_true(r->copies >= 1);  /* grow 8192 */
	assert_int_equal(r->shrinks, 1); /* gc shrink after it returned */
	assert_int_equal(r->maxdepth, 1);
	hs_result_free(r);
	free(r);
	free(p);
}

static void test_trace_and_show(void **state)
{
	(void)state;
	prog *p = parse_str(outcases[9].text);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	hs_result *r = run(p, "inline.prog", (runopt){.trace = f});
	fclose(f);
	assert_non_null(strstr(buf, "enter main"));
	assert_non_null(strstr(buf, "stack copied 2048B -> "));
	assert_non_null(strstr(buf, "stack shrunk"));
	assert_null(strstr(buf, "0x7f")); /* relative addresses only */
	lib_free(buf);
	hs_result_free(r);
	free(r);

	/* show: the state dump after a step */
	buf = NULL;
	f = open_memstream(&buf, &len);
	hs_options o;
	memset(&o, 0, sizeof o);
	o.show = f;
	o.show_step = 3;
	r = calloc(1, sizeof *r);
	hs_run(p, &o, r);
	fclose(f);
	assert_non_null(strstr(buf, "state after step 3:"));
	assert_non_null(strstr(buf, "frames (innermost first):"));
	assert_non_null(strstr(buf, "main"));
	lib_free(buf);
	hs_result_free(r);
	free(r);
	free(p);
}

/* ---- the judge ---- */

/* A reference run (every switch off, stack = maxstack) that breaks STK3:
** a stand-in for a runtime fault that only shows without growth. */
static int faulty_reference(const prog *p, const hs_options *o, hs_result *r)
{
	int rc = hs_run(p, o, r);
	if (p->cfg.bugs == 0 && p->cfg.stack == p->cfg.maxstack) {
		r->kind = OUT_VIOLATION;
		r->inv = INV_STK3;
	}
	return rc;
}

/* Every run with the switches off breaks STK3: a runtime bug that the
** switches did not cause. */
static int faulty_unswitched(const prog *p, const hs_options *o, hs_result *r)
{
	int rc = hs_run(p, o, r);
	if (p->cfg.bugs == 0) {
		r->kind = OUT_VIOLATION;
		r->inv = INV_STK3;
	}
	return rc;
}

static void test_judge(void **state)
{
	(void)state;
	static const char belief[] =
		"# config: maxstack=65536\n"
		"func main()\n  var y int\n  y = 5\n  check y == 6\nend\n";
	prog *p = parse_str(belief);
	hs_result *r = calloc(1, sizeof *r);
	hs_options o;
	memset(&o, 0, sizeof o);
	hs_verdict v;
	/* a false belief: DEF4 on the run and on the reference run */
	assert_int_equal(hs_run_judged(p, &o, r, NULL, &v), JV_FALSE_BELIEF);
	assert_int_equal(r->kind, OUT_VIOLATION);
	assert_int_equal(r->inv, INV_DEF4);
	assert_false(hs_is_finding(&v));
	/* the reference run breaks an invariant: that is the finding, under
	** its own ID and configuration */
	hs_judge_opts jo = {.run = faulty_reference};
	assert_int_equal(hs_run_judged(p, &o, r, &jo, &v), JV_VIOLATION);
	assert_int_equal(v.inv, INV_STK3);
	assert_int_equal(r->inv, INV_STK3);
	assert_true(v.from_ref);
	assert_int_equal(v.cfg.stack, 65536);
	assert_int_equal(v.cfg.bugs, 0);
	assert_true(hs_is_finding(&v));
	/* `check` meets the expectation only for the judged finding */
	p->expect.kind = EXPECT_VIOLATION;
	snprintf(p->expect.id, sizeof p->expect.id, "DEF4");
	hs_run_judged(p, &o, r, NULL, &v);
	char why[256];
	assert_int_equal(hs_expect_judged(p, r, &v, why, sizeof why), 0);
	assert_non_null(strstr(why, "false belief"));
	/* a limit is an outcome, never a finding */
	r->kind = OUT_LIMIT;
	assert_int_equal(hs_judge(p, &o, r, NULL, &v), JV_NONE);
	/* an internal error is always one */
	r->kind = OUT_INTERNAL;
	assert_int_equal(hs_judge(p, &o, r, NULL, &v), JV_INTERNAL);
	/* rule 3: the switch's own bug goes away with every switch off; a
	** violation that stays there is marked unswitched (a runtime bug) */
	prog *b = calloc(1, sizeof *b);
	char err[512];
	assert_int_equal(prog_parse_file("corpus/regressions/bug-7695.prog", b, err,
					 sizeof err), 0);
	hs_judge_opts sw = {.switched = 1};
	assert_int_equal(hs_run_judged(b, &o, r, &sw, &v), JV_VIOLATION);
	assert_false(v.unswitched);
	hs_judge_opts swf = {.switched = 1, .run = faulty_unswitched};
	assert_int_equal(hs_run_judged(b, &o, r, &swf, &v), JV_VIOLATION);
	assert_true(v.unswitched);
	free(b);
	hs_result_free(r);
	free(r);
	free(p);
}

/* A valid deep recursion is no fault: the copy from 32 MB to 64 MB walks
** 1.4 million frames, past the 1 << 20 the unwinder once stopped at (the
** copy then fell back to a segment and the checkers reported STK1). */
static void test_deep_recursion_no_limit(void **state)
{
	(void)state;
	prog *p = parse_str("# config: maxstack=67108864 budget=3000000\n"
			    "func main()\n  call f(1, 2)\nend\n"
			    "func f(a int, b int)\n  call f(a, b)\nend\n");
	hs_result *r = run(p, "deep.prog", (runopt){0});
	assert_int_equal(r->kind, OUT_BUDGET);
	assert_true(r->maxdepth > (1u << 20));
	assert_int_equal(r->copies, 15); /* 2 KB doubled to 64 MB */
	assert_int_equal(r->segments, 0);
	hs_result_free(r);
	free(r);
	free(p);
}

/* Addresses are never reused, so a long enough run of stack moves uses
** the machine's 32 GiB stack area up (a stress-mode recursion in a
** callback did, after 43 000 copies of a 1 MiB stack, and the next
** allocation crossed into the heap area: an internal error). The run
** ends before that as a harness limit. Here the area is made nearly
** full at step 3, so the next moves use it up. */
static void nearly_full_stack_area(rt *r, void *arg)
{
	(void)arg;
	r->mem.area[RG_STACK].next = MC_HEAP_BASE -
		8 * (rt_stack_region_bytes(r, r->cfg.stack_max) + 8192) - 64 * 1024;
}

static void test_stack_area_used_up(void **state)
{
	(void)state;
	prog *p = parse_str("# config: maxstack=16384 budget=2000 stress=1\n"
			    "func main()\n  call f(1)\nend\n"
			    "func f(a int)\n  call f(a)\nend\n");
	hs_result *r = run(p, "area.prog", (runopt){0});
	assert_int_equal(r->kind, OUT_BUDGET); /* untouched */
	hs_result_free(r);
	memset(r, 0, sizeof *r);
	hs_options o;
	memset(&o, 0, sizeof o);
	o.file = "area.prog";
	o.poke = nearly_full_stack_area;
	o.poke_step = 3;
	assert_int_equal(hs_run(p, &o, r), 0);
	assert_int_equal(r->kind, OUT_LIMIT);
	assert_non_null(strstr(r->text, "stack area's address space is used up"));
	assert_true(r->copies > 0 && r->copies < 64);
	hs_result_free(r);
	free(r);
	free(p);
}

/* Go prints the whole chain of nested panics, oldest first: no count
** or length of it is cut (the model once kept 64 records, 511 bytes). */
static void test_long_panic_chain(void **state)
{
	(void)state;
	char *text = malloc(1 << 16);
	assert_non_null(text);
	size_t n = (size_t)snprintf(text, 1 << 16, "func main()\n");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(text + n, (1 << 16) - n, "  defer g(nil)\n");
	n += (size_t)snprintf(text + n, (1 << 16) - n, "  panic 1\nend\n"
			      "func g(p *int)\n  *p = 1\nend\n");
	prog *p = parse_str(text);
	hs_result *r = run(p, "chain.prog", (runopt){0});
	assert_int_equal(r->kind, OUT_PANIC);
	/* panic 1, then 40 nil dereferences, each on its own line */
	static const char head[] = "panic: 1\n\tpanic: runtime error";
	assert_true(strncmp(r->text, head, sizeof head - 1) == 0);
	size_t lines = 1;
	for (const char *c = r->text; *c; c++)
		lines += *c == '\n';
	assert_int_equal(lines, 41);
	assert_true(strlen(r->text) > 511);
	hs_result_free(r);
	free(r);
	free(p);
	free(text);
}

/* ---- the expectation matcher ---- */

static void res_text(hs_result *r, const char *t)
{
	lib_free(r->text);
	r->text = strdup(t);
	assert_non_null(r->text);
}

static void test_expect_met(void **state)
{
	(void)state;
	prog *p = calloc(1, sizeof *p);
	hs_result *r = calloc(1, sizeof *r);
	char why[256], buf[600];
	prog_init(p);
	/* no expectation: anything but a violation */
	r->kind = OUT_OK;
	assert_int_equal(hs_expect_met(p, r, why, sizeof why), 1);
	r->kind = OUT_PANIC;
	res_text(r, "panic: 3");
	assert_int_equal(hs_expect_met(p, r, why, sizeof why), 1);
	r->kind = OUT_VIOLATION;
	r->inv = INV_STK2;
	assert_int_equal(hs_expect_met(p, r, why, sizeof why), 0);
	assert_string_equal(why, "got violation STK2");
	assert_string_equal(outcome(r, buf, sizeof buf), "violation STK2");
	/* violations match by id */
	p->expect.kind = EXPECT_VIOLATION;
	snprintf(p->expect.id, sizeof p->expect.id, "DEF2");
	r->inv = INV_DEF2;
	assert_int_equal(hs_expect_met(p, r, why, sizeof why), 1);
	r->inv = INV_DEF3;
	assert_int_equal(hs_expect_met(p, r, why, sizeof why), 0);
	assert_string_equal(why, "got violation DEF3");
	r->kind = OUT_OK;
	assert_int_equal(hs_expect_met(p, r, why, sizeof why), 0);
	/* panics match the first line's value exactly */
	p->expect.kind = EXPECT_PANIC;
	snprintf(p->expect.text, sizeof p->expect.text, "42");
	r->kind = OUT_PANIC;
	const char *yes[] = {"panic: 42", "panic: 42\n\tpanic: 7",
			     "panic: 42 [recovered]\n\tpanic: 1"};
	const char *no[] = {"panic: 421", "panic: 4", "panic: nil", "x panic: 42"};
	for (size_t i = 0; i < 3; i++) {
		res_text(r, yes[i]);
		assert_int_equal(hs_expect_met(p, r, why, sizeof why), 1);
	}
	for (size_t i = 0; i < 4; i++) {
		res_text(r, no[i]);
		assert_int_equal(hs_expect_met(p, r, why, sizeof why), 0);
	}
	/* the rest by kind */
	int kinds[] = {EXPECT_OK, EXPECT_GOEXIT, EXPECT_OVERFLOW, EXPECT_BUDGET};
	int outs[] = {OUT_OK, OUT_GOEXIT, OUT_OVERFLOW, OUT_BUDGET};
	for (int i = 0; i < 4; i++) {
		p->expect.kind = (uint8_t)kinds[i];
		for (int j = 0; j < 4; j++) {
			r->kind = outs[j];
			assert_int_equal(hs_expect_met(p, r, why, sizeof why), i == j);
		}
		r->kind = outs[i];
		assert_string_equal(outcome(r, buf, sizeof buf),
				    hs_outcome_name(outs[i]));
	}
	assert_string_equal(hs_outcome_name(OUT_OK), "ok");
	assert_string_equal(hs_outcome_name(OUT_VIOLATION), "violation");
	assert_string_equal(hs_outcome_name(99), "?");
	hs_result_free(r);
	free(r);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_determinism_reuse),
		cmocka_unit_test(test_segments_pushpop_incremental),
		cmocka_unit_test(test_corpus_expectations),
		cmocka_unit_test(test_corpus_stress),
		cmocka_unit_test(test_corpus_no_bugs_clean),
		cmocka_unit_test(test_corpus_roundtrip),
		cmocka_unit_test(test_bug7695_regression),
		cmocka_unit_test(test_check_mask),
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_grow_and_shrink_counts),
		cmocka_unit_test(test_trace_and_show),
		cmocka_unit_test(test_expect_met),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_deep_recursion_no_limit),
		cmocka_unit_test(test_stack_area_used_up),
		cmocka_unit_test(test_long_panic_chain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
