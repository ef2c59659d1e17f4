/*
** cli_go.c: `stackfuzz go` (programs -> one Go module) and `stackfuzz
** diff` (each program on the model and on real Go, compared).
**
**   stackfuzz go PROG... -o DIR
**   stackfuzz diff [PATH...] [--random N] [--seed S] [--keep DIR]
**
** diff runs every program on the model (judged, as `run` does), keeps
** the comparable ones (hs_go_comparable: no budget, limit, violation or
** windows/386; overflow only for named files, by kind), emits them all
** into ONE module (a cgo build costs a second or more, so builds are
** batched), builds it once, runs the binary once per entry, normalises
** both sides (hs_go.h) and compares the strings. It prints every
** disagreement with the program and both sides, and ends with the line
** `N agree, M disagree`. Exit status: 0 all agree, 1 a disagreement,
** 2 usage, parse or build error.
**
** Random programs are decoded from random bytes (prog_bin_decode is
** total), so they cover every construct the binary form has (half their
** function headers are put in the form whose bits 2-3 count, so values
** and results are common, not 1 function in 32); when PATHs
** are given, every other one is a mutant of one of them instead (its
** binary form with 1-4 bytes changed), which keeps cgo, defers and
** recovers that random bytes seldom line up. The PRNG is seeded by
** --seed, so a run is reproducible.
**
** Go runs offline: GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local and a
** GOCACHE under /tmp unless the environment says otherwise.
*/
#include <errno.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "hs_go.h"
#include "hs_judge.h"
#include "hs_minexp.h"
#include "hs_oracle.h"

typedef struct gprog {
	prog *p;
	char *label;
	hs_result res;
	hs_verdict v;
	char *model; /* observables */
} gprog;

typedef struct gset {
	gprog *v;
	size_t n, cap;
} gset;

static gprog *gset_add(gset *s)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		gprog *nv = realloc(s->v, cap * sizeof *nv);
		if (!nv)
			abort();
		s->v = nv;
		s->cap = cap;
	}
	gprog *g = &s->v[s->n++];
	memset(g, 0, sizeof *g);
	g->p = calloc(1, sizeof *g->p);
	if (!g->p)
		abort();
	return g;
}

static void gset_free(gset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].p);
		free(s->v[i].label);
		free(s->v[i].model);
		hs_result_free(&s->v[i].res);
	}
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* Random programs get at most this many steps on the model (--budget):
** mutants of the deep seeds would otherwise cost seconds each; one that
** needs more is skipped as budget. */
static uint32_t random_budget = 20000;

static void model_run(gprog *g, int is_random)
{
	hs_options o;
	memset(&o, 0, sizeof o);
	o.file = g->label;
	if (is_random && g->p->cfg.budget > random_budget) {
		o.budget = random_budget;
	}
	hs_run_judged(g->p, &o, &g->res, NULL, &g->v);
	g->model = hs_go_model_obs(g->p, &g->res, &g->v);
}

static int load_binary_input(gset *s, const char *path);

/* Adds PATH: a .prog file, or a directory searched for them (sorted,
** hidden entries skipped). With binary, PATH holds fuzzer inputs instead:
** every regular file is one, whatever its name. */
static int add_path(gset *s, const char *path, int binary)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		fprintf(stderr, "stackfuzz: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		struct dirent **ents;
		int n = scandir(path, &ents, NULL, alphasort);
		if (n < 0) {
			fprintf(stderr, "stackfuzz: %s: %s\n", path, strerror(errno));
			return -1;
		}
		int rc = 0;
		for (int i = 0; i < n; i++) {
			const char *nm = ents[i]->d_name;
			size_t l = strlen(nm);
			char sub[4096];
			snprintf(sub, sizeof sub, "%s/%s", path, nm);
			struct stat ss;
			int take = nm[0] != '.' && stat(sub, &ss) == 0 &&
				   (S_ISDIR(ss.st_mode) ||
				    (binary ? S_ISREG(ss.st_mode)
					    : l > 5 && !strcmp(nm + l - 5, ".prog")));
			if (take && add_path(s, sub, binary) < 0)
				rc = -1;
			free(ents[i]);
		}
		free(ents);
		return rc;
	}
	if (binary)
		return load_binary_input(s, path);
	gprog *g = gset_add(s);
	char err[512];
	g->label = strdup(path);
	if (prog_parse_file(path, g->p, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		s->n--;
		free(g->p);
		free(g->label);
		return -1;
	}
	return 0;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static void entries_of(gset *s, hs_go_entry *e)
{
	for (size_t i = 0; i < s->n; i++) {
		e[i].p = s->v[i].p;
		e[i].label = s->v[i].label;
		/* overflow: Go's limit at the model's, so Go overflows soon too */
		e[i].maxstack = s->v[i].res.kind == OUT_OVERFLOW ? s->v[i].p->cfg.maxstack : 0;
	}
}

static void print_indented(const char *t)
{
	while (*t) {
		size_t len = strcspn(t, "\n");
		printf("    %.*s\n", (int)len, t);
		t += len + (t[len] == '\n');
	}
}

/* ---- stackfuzz go ---- */

static int usage_go(void)
{
	fputs("usage: stackfuzz go PROG... -o DIR\n"
	      "  writes one Go module (Go + cgo) to DIR: go.mod, main.go, progs.c;\n"
	      "  build it with `go build -o stackfuzzgo .` and run `./stackfuzzgo K`\n"
	      "  for the K-th program (0-based, in argument order); it prints what\n"
	      "  `stackfuzz diff` compares (see README, \"Real Go as the oracle\")\n",
	      stderr);
	return 2;
}

int cli_go(int argc, char **argv)
{
	const char *dir = NULL;
	gset s = {0};
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage_go();
		else if (argv[i][0] == '-')
			return usage_go();
		else if (add_path(&s, argv[i], 0) < 0)
			rc = 2;
	}
	if (!dir || !s.n || rc) {
		gset_free(&s);
		return rc ? rc : usage_go();
	}
	for (size_t i = 0; i < s.n; i++)
		model_run(&s.v[i], 0);
	hs_go_entry *e = calloc(s.n, sizeof *e);
	if (!e)
		abort();
	entries_of(&s, e);
	char err[512];
	if (hs_go_emit(dir, e, s.n, err, sizeof err) < 0) {
		fprintf(stderr, "stackfuzz: %s\n", err);
		rc = 2;
	} else {
		for (size_t i = 0; i < s.n; i++)
			printf("%zu %s\n", i, s.v[i].label);
	}
	free(e);
	gset_free(&s);
	return rc;
}

/* ---- stackfuzz diff ---- */

static const char usage_diff_text[] =
	"usage: stackfuzz diff [PATH...] [--binary] [--random N] [--seed S]\n"
	"                      [--budget B] [--keep DIR] [--save DIR]\n"
	"  runs each program (PATH: .prog files or directories) on the model\n"
	"  and on real Go, compares the outcome and every recover() value, and a\n"
	"  named file's `# expect:` with Go's outcome.\n"
	"  --binary     PATHs are fuzzer inputs (files, or directories of them),\n"
	"               decoded as the fuzz target decodes them\n"
	"  --random N   add N comparable programs decoded from random bytes (seed S,\n"
	"               default 1)\n"
	"  --budget B   at most B model steps for random programs and fuzzer inputs\n"
	"               (default 20000; more is `budget`, not compared); both also\n"
	"               skip overflow\n"
	"  --keep DIR   keep the Go module in DIR\n"
	"  --save DIR   write each disagreement to DIR/disagree-HASH.prog (the\n"
	"               program, both sides as comments, Go's outcome as its expect),\n"
	"               ready for `stackfuzz minimize --oracle go`\n"
	"  Ends with 'N agree, M disagree'. Exit: 0 all agree, 1 a disagreement,\n"
	"  2 usage, parse or build error.\n";

static int usage_diff(int help)
{
	fputs(usage_diff_text, help ? stdout : stderr);
	return help ? 0 : 2;
}

/* One fuzzer input, decoded as the fuzz target decodes it (total, so
** never an error once read). */
static int load_binary_input(gset *s, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "stackfuzz: %s: %s\n", path, strerror(errno));
		return -1;
	}
	static uint8_t buf[PROG_BIN_MAX];
	size_t len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	gprog *g = gset_add(s);
	g->label = strdup(path);
	prog_bin_decode(buf, len, g->p);
	return 0;
}

/* DIR/disagree-HASH.prog: the program with both sides as comments and
** Go's outcome as its expect (so `check` fails on it until the model
** agrees). HASH is of the program's text: the same program, one file. */
static int save_disagreement(const char *dir, const gprog *g, const char *go)
{
	prog *q = malloc(sizeof *q);
	if (!q)
		abort();
	*q = *g->p;
	hs_oracle_expect(go, &q->expect);
	char *text = prog_print(q);
	free(q);
	if (!text)
		return -1;
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (const char *t = text; *t; t++)
		h = (h ^ (uint8_t)*t) * 1099511628211ull;
	char path[4200];
	mkdir(dir, 0777);
	snprintf(path, sizeof path, "%s/disagree-%016llx.prog", dir, (unsigned long long)h);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "stackfuzz: %s: %s\n", path, strerror(errno));
		free(text);
		return -1;
	}
	fprintf(f, "# the model and Go 1.19 disagree on %s\n", g->label);
	for (int side = 0; side < 2; side++) {
		const char *t = side ? go : g->model;
		while (*t) {
			size_t len = strcspn(t, "\n");
			fprintf(f, "# %s %.*s\n", side ? "go:   " : "model:", (int)len, t);
			t += len + (t[len] == '\n');
		}
	}
	fputs(text, f);
	free(text);
	if (fclose(f) != 0)
		return -1;
	printf("--- saved: %s\n", path);
	return 0;
}

int cli_diff(int argc, char **argv)
{
	const char *keep = NULL, *save = NULL;
	long nrandom = 0;
	uint64_t seed = 1;
	gset all = {0};
	int rc = 0, binary = 0;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--binary"))
			binary = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--binary"))
			continue;
		if (!strcmp(argv[i], "--keep") && i + 1 < argc)
			keep = argv[++i];
		else if (!strcmp(argv[i], "--save") && i + 1 < argc)
			save = argv[++i];
		else if (!strcmp(argv[i], "--random") && i + 1 < argc)
			nrandom = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--budget") && i + 1 < argc)
			random_budget = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			gset_free(&all);
			return usage_diff(1);
		} else if (argv[i][0] == '-') {
			gset_free(&all);
			return usage_diff(0);
		} else if (add_path(&all, argv[i], binary) < 0)
			rc = 2;
	}
	if (rc || (!all.n && nrandom <= 0)) {
		gset_free(&all);
		return rc ? rc : usage_diff(0);
	}
	/* the model side; files keep overflow (compared by kind) */
	gset s = {0};
	size_t skipped = 0;
	char skipwhy[256] = "";
	for (size_t i = 0; i < all.n; i++) {
		gprog *g = &all.v[i];
		model_run(g, binary); /* fuzz inputs: the random programs' budget */
		const char *why;
		/* fuzz inputs skip overflow as random programs do: the model's
		** maximum stack is not Go's, and a C recursion that overflows the
		** OS stack is a SIGSEGV in real cgo, an `overflow` in the model */
		if (!hs_go_comparable(g->p, &g->res, &g->v, !binary, &why)) {
			printf("skip %s: %s\n", g->label, why);
			skipped++;
			continue;
		}
		gprog *d = gset_add(&s);
		free(d->p);
		*d = *g;
		memset(g, 0, sizeof *g);
	}
	gset_free(&all);
	uint64_t rs = seed * 0x9E3779B97F4A7C15ull + 1;
	size_t nr = 0, tries = 0, why_n[6] = {0};
	static const char *why_name[6] = {"windows/386", "budget", "limit",
					  "violation", "overflow", "internal"};
	/* the named programs are also the pool mutants are made from */
	size_t npool = s.n;
	const prog **pool = calloc(npool ? npool : 1, sizeof *pool);
	if (!pool)
		abort();
	for (size_t i = 0; i < npool; i++)
		pool[i] = s.v[i].p;
	static uint8_t buf[PROG_BIN_MAX];
	while ((long)nr < nrandom && tries < (size_t)nrandom * 50) {
		tries++;
		size_t len;
		char lab[160];
		if (npool && (tries & 1)) {
			/* a mutant: a named program's binary form, 1-4 bytes set at
			** random (the decoder repairs whatever they break) */
			size_t from = xorshift(&rs) % npool;
			len = prog_bin_encode(pool[from], buf, sizeof buf);
			int nflip = 1 + (int)(xorshift(&rs) % 4);
			for (int j = 0; j < nflip && len; j++)
				buf[xorshift(&rs) % len] = (uint8_t)(xorshift(&rs) >> 32);
			snprintf(lab, sizeof lab, "random %zu: mutant of %s (seed %llu, try %zu)",
				 nr, s.v[from].label, (unsigned long long)seed, tries);
		} else {
			len = 16 + xorshift(&rs) % (640 - 16);
			for (size_t j = 0; j < len; j++)
				buf[j] = (uint8_t)(xorshift(&rs) >> 32);
			/* half the functions in the encoders' header form, whose
			** bits 2-3 count (values and results, lang_bin.c): random
			** header bytes seldom have bits 4-7 clear; half of those
			** (a quarter of all) with bit 4, the goroutine ops */
			size_t hoff[PROG_MAX_FUNCS];
			int nh = prog_bin_headers(buf, len, hoff, PROG_MAX_FUNCS);
			for (int j = 0; j < nh; j++) {
				uint64_t x = xorshift(&rs);
				if (x & 1)
					buf[hoff[j]] = (uint8_t)((buf[hoff[j]] & 0x0f) |
								 (x & 2 ? 0x10 : 0));
			}
			/* no preempt=N (main's pad word, top bits): Go preempts
			** when it likes, so such programs are not comparable */
			if (nh > 0 && hoff[0] + 6 < len)
				buf[hoff[0] + 6] &= 0x0f;
			snprintf(lab, sizeof lab, "random %zu: decoded bytes (seed %llu, try %zu)",
				 nr, (unsigned long long)seed, tries);
		}
		gprog *g = gset_add(&s);
		prog_bin_decode(buf, len, g->p);
		g->label = strdup(lab);
		const char *why = NULL;
		if (g->p->cfg.target == TARGET_LINUX_AMD64)
			model_run(g, 1);
		if (g->p->cfg.target != TARGET_LINUX_AMD64 ||
		    !hs_go_comparable(g->p, &g->res, &g->v, 0, &why)) {
			if (!why)
				why = "windows/386";
			if (!strcmp(why, "violation") || !strcmp(why, "internal")) {
				/* not Go's business, but a finding of the model: show it */
				char *text = prog_print(g->p);
				char o[300];
				hs_outcome_str(&g->res, o, sizeof o);
				printf("=== model finding (not compared): %s: %s\n", g->label, o);
				print_indented(text ? text : "");
				free(text);
			}
			for (int w = 0; w < 6; w++)
				if (!strcmp(why, why_name[w]))
					why_n[w]++;
			skipped++;
			free(g->p);
			free(g->label);
			free(g->model);
			hs_result_free(&g->res);
			s.n--;
			continue;
		}
		nr++;
	}
	free(pool);
	if (tries) {
		size_t o = 0;
		for (int w = 0; w < 6; w++)
			if (why_n[w])
				o += (size_t)snprintf(skipwhy + o, sizeof skipwhy - o, "%s%s %zu",
						      o ? ", " : "", why_name[w], why_n[w]);
		printf("random: %zu programs compared out of %zu decoded (skipped: %s)\n",
		       nr, tries, o ? skipwhy : "none");
	}
	if (!s.n) {
		printf("0 agree, 0 disagree\n");
		gset_free(&s);
		return 0;
	}
	/* the Go side: one module, one build, a run per entry */
	hs_go_entry *e = calloc(s.n, sizeof *e);
	char **gobs = calloc(s.n, sizeof *gobs);
	if (!e || !gobs)
		abort();
	entries_of(&s, e);
	char err[4096];
	if (hs_oracle_go(e, s.n, keep, gobs, err, sizeof err) < 0) {
		fprintf(stderr, "stackfuzz: %s\n", err);
		free(e);
		free(gobs);
		gset_free(&s);
		return 2;
	}
	free(e);
	/* what was compared: the model's outcome kinds and recover() count */
	size_t kinds[OUT_FATAL + 2] = {0}, nrec = 0;
	for (size_t i = 0; i < s.n; i++) {
		const hs_result *r = &s.v[i].res;
		kinds[r->kind == OUT_VIOLATION ? OUT_FATAL + 1 : r->kind]++;
		for (const char *t = r->observed; t && (t = strstr(t, "recover: ")); t++)
			nrec++;
	}
	printf("compared: ok %zu, panic %zu, goexit %zu, overflow %zu, deadlock %zu, "
	       "fatal %zu, check failed %zu; %zu recover() values\n", kinds[OUT_OK],
	       kinds[OUT_PANIC], kinds[OUT_GOEXIT], kinds[OUT_OVERFLOW], kinds[OUT_DEADLOCK],
	       kinds[OUT_FATAL], kinds[OUT_FATAL + 1], nrec);
	/* every statement should be in some compared program: say how often */
	size_t ops[ST__COUNT] = {0};
	for (size_t i = 0; i < s.n; i++)
		for (uint32_t f = 0; f < s.v[i].p->nfuncs; f++)
			for (uint32_t k = 0; k < s.v[i].p->funcs[f].nstmts; k++)
				ops[s.v[i].p->funcs[f].stmts[k].op]++;
	printf("statements compared:");
	for (int op = 0; op < ST__COUNT; op++)
		printf("%s %s %zu", op ? "," : "", prog_op_name(op), ops[op]);
	printf("\n");
	size_t agree = 0, disagree = 0;
	for (size_t i = 0; i < s.n; i++) {
		gprog *g = &s.v[i];
		char *gn = gobs[i];
		/* a named file's `# expect:` is Go's outcome too */
		char why[256] = "";
		int same = !strcmp(gn, g->model) &&
			   hs_oracle_expect_ok(&g->p->expect, gn, why, sizeof why);
		if (same) {
			agree++;
		} else {
			disagree++;
			char *text = prog_print(g->p);
			printf("=== disagreement: %s (entry %zu)\n", g->label, i);
			if (why[0])
				printf("--- expect: %s\n", why);
			printf("--- program\n");
			print_indented(text ? text : "");
			printf("--- model\n");
			print_indented(g->model);
			printf("--- go\n");
			print_indented(gn);
			free(text);
			if (save && save_disagreement(save, g, gn) < 0)
				rc = 2;
		}
		free(gn);
	}
	free(gobs);
	if (skipped)
		printf("skipped %zu (not comparable)\n", skipped);
	printf("%zu agree, %zu disagree\n", agree, disagree);
	gset_free(&s);
	return rc ? rc : disagree ? 1 : 0;
}
