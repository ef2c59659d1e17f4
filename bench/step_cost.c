/*
** step_cost.c: the cost of one step's checks as the stack gets deeper
** (DESIGN.md 8: "cost of one step's checks at stack depth 10 000 vs
** depth 10 <= 2x").
**
** For each depth D the program is main -> deep(D), `deep(n)` being
** `if n == 0 return; call deep(n-1)` with no pad (4 steps per level, so
** a step's mean depth is about D/2). It runs under hs_run in three modes:
** every checker, incremental (the default); every checker with full
** checking (full_checks = 1: each step re-walks the whole stack); and only
** MEM1 (check_mask 1) as the near-baseline (the checker driver walks the
** stack whatever the mask, so the baseline is the interpreter plus the
** walk, not the bare interpreter). The modes run side by side in one
** process, alternating, 5 times each (--runs); the median steps/s is
** reported. Time is the process's CPU time (the machine may be shared),
** so it measures work, not waiting.
** Six more shapes, each with about 2 100 steps run at the bottom
** (assignments in a short recursion), without full walks (quadratic;
** the plain table shows them) and against `--checks none` (MEM1 alone
** would leave the other checkers' caches unkept): every-frame stack barriers live
** (barriers=every: at depth D, `gc scan` puts a barrier on each of the
** D frames, which then return through them), and a Go -> C -> Go nest
** D callbacks deep, on linux/amd64 and on windows/386 (each level a
** cgo call, C frames on the OS stack, an SEH record on windows; depths
** above 300 are cut to 300: the 64 KiB OS stack overflows near 600). A
** check that re-read every live entry, callback or OS-stack frame would
** cost O(D) a step there. Then a defer chain D records long, D nested
** panics (each deferred call panicking again), and a stack of D/7
** segments (split stacks: a frame without a locals map cannot be
** copied), the other shapes whose unchanged state a check must not
** re-read. Their tables also give the checks' own cost a step, every
** check's time less none's.
** Then the whole corpus: every .prog under the corpus directory, total
** steps / total CPU time per pass, median over the passes.
**
**   step_cost [--runs N] [--depths 10,100,...] [--corpus DIR] [-o FILE]
**             [--dump DIR]
**
** --dump DIR also writes each shape's program as DIR/SHAPE-D.prog, so a
** single one can be run or profiled by itself (`stackfuzz check`).
**
** Writes a markdown table to FILE (default stdout).
*/
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "hs.h"

static double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Runs p once; returns steps/s and stores the steps. */
/* mask ~0u: no checker at all (`--checks none`) */
static double rate(const prog *p, uint32_t mask, int full, hs_result *r,
		   uint64_t *steps)
{
	hs_options o;
	memset(&o, 0, sizeof o);
	o.check_mask = mask == ~0u ? 0 : mask;
	o.no_checks = mask == ~0u;
	o.full_checks = full;
	double t0 = cpu_now();
	hs_run(p, &o, r);
	double dt = cpu_now() - t0;
	*steps = r->steps;
	return dt > 0 ? (double)r->steps / dt : 0;
}

/* ---- the corpus ---- */

typedef struct plist {
	prog **v;
	int n, cap;
} plist;

static void collect(plist *l, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	char **names = NULL;
	int nn = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (size_t)(nn + 1) * sizeof *names);
		if (!names)
			abort();
		names[nn++] = strdup(e->d_name);
	}
	closedir(d);
	for (int i = 0; i < nn; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		struct stat st;
		size_t len = strlen(names[i]);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			collect(l, path);
		} else if (len > 5 && !strcmp(names[i] + len - 5, ".prog")) {
			prog *p = malloc(sizeof *p);
			char err[512];
			if (p && prog_parse_file(path, p, err, sizeof err) == 0) {
				if (l->n == l->cap) {
					l->cap = l->cap ? 2 * l->cap : 64;
					l->v = realloc(l->v, (size_t)l->cap * sizeof *l->v);
					if (!l->v)
						abort();
				}
				l->v[l->n++] = p;
			} else {
				fprintf(stderr, "step_cost: skipping %s\n", path);
				free(p);
			}
		}
		free(names[i]);
	}
	free(names);
}

enum {
	SHAPE_PLAIN,
	SHAPE_BARRIERS,
	SHAPE_CGO,
	SHAPE_CGO_WINDOWS,
	SHAPE_DEFERS,
	SHAPE_PANICS,
	SHAPE_SEGMENTS,
	SHAPE__COUNT
};
static const char *const shape_file[] = {"plain",  "barriers", "cgo-linux",
					 "cgo-windows", "defers", "panics",
					 "segments"};
static const char *dump_dir; /* --dump */
enum { CGO_DEPTH_MAX = 300 };

/* `bottom(n)`: at n == 0, the work below (every level calls it first). */
static const char bottom_text[] =
	"func bottom(n int)\n  var x int\n  x = n\n  x = x - n\n"
	"  x = x - n\n  if x < 0 return\n  call work(50)\nend\n";

/* The bottom of the non-plain shapes: about 2 100 steps of assignments
** in a 50-deep recursion (a body has at most 48 statements). */
static size_t work_text(char *text, size_t cap, size_t n)
{
	n += (size_t)snprintf(text + n, cap - n,
		"func work(k int)\n  var x int\n  if k == 0 return\n");
	for (int i = 1; i <= 40; i++)
		n += (size_t)snprintf(text + n, cap - n, "  x = %d\n", i);
	n += (size_t)snprintf(text + n, cap - n, "  call work(k-1)\nend\n");
	return n;
}

/* The depth table of one shape (all but the plain one without full
** walks) into table; -1 on an error. */
static int depth_table(char *table, size_t cap, const char *depths, int runs,
		       int shape, prog *p, hs_result *r, double *all,
		       double *full, double *mem1)
{
	int vsnone = shape != SHAPE_PLAIN; /* against --checks none */
	size_t tl = 0;
	if (!vsnone)
		tl += (size_t)snprintf(table + tl, cap - tl,
			"| depth D | steps/run | steps/s, every check (incremental) "
			"| steps/s, every check, full walks | steps/s, MEM1 only "
			"| step cost, every check / MEM1 only "
			"| step cost, every check / first row "
			"| step cost, full walks / first row |\n"
			"|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	else /* MEM1 alone would leave the other checkers' caches unkept */
		tl += (size_t)snprintf(table + tl, cap - tl,
			"| depth D | steps/run | steps/s, every check (incremental) "
			"| steps/s, `--checks none` "
			"| step cost, every check / none "
			"| step cost, every check / first row "
			"| ns/step of the checks (every check - none) "
			"| the checks' cost / first row |\n"
			"|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	double cfirst = 0;
	long last = -1;
	double first = 0, ffirst = 0;
	const char *s = depths;
	while (*s) {
		long d = strtol(s, (char **)&s, 10);
		if (*s == ',')
			s++;
		if ((shape == SHAPE_CGO || shape == SHAPE_CGO_WINDOWS) && d > CGO_DEPTH_MAX)
			d = CGO_DEPTH_MAX;
		if (d == last)
			continue; /* cut to the same depth as the row before */
		last = d;
		char text[4096], err[512];
		size_t n;
		/* stack 2048, growing by copying up to 64 MB */
		if (shape == SHAPE_CGO || shape == SHAPE_CGO_WINDOWS) {
			n = (size_t)snprintf(text, sizeof text,
				"# config: maxstack=67108864 budget=100000000 target=%s\n"
				"func main()\n  call nest(%ld)\nend\n"
				"func nest(n int)\n  call bottom(n)\n  if n == 0 return\n"
				"  cgo c(n)\nend\n"
				"cfunc c(n)\n  callback nest(n-1)\nend\n%s",
				shape == SHAPE_CGO ? "linux/amd64" : "windows/386", d,
				bottom_text);
			n = work_text(text, sizeof text, n);
		} else if (!vsnone) {
			n = (size_t)snprintf(text, sizeof text,
				"# config: maxstack=67108864 budget=100000000\n"
				"func main()\n  call deep(%ld)\nend\n"
				"func deep(n int)\n  if n == 0 return\n  call deep(n-1)\nend\n",
				d);
		} else if (shape == SHAPE_DEFERS) { /* D pending defers */
			n = (size_t)snprintf(text, sizeof text,
				"# config: maxstack=67108864 budget=100000000\n"
				"func main()\n  call deep(%ld)\nend\n"
				"func deep(n int)\n  defer nop(n)\n  call bottom(n)\n"
				"  if n == 0 return\n  call deep(n-1)\nend\n"
				"func nop(n int)\n  var x int\n  x = n\nend\n%s",
				d, bottom_text);
			n = work_text(text, sizeof text, n);
		} else if (shape == SHAPE_PANICS) {
			/* deep(0)'s deferred h(0) panics; that panic runs h(1),
			** which panics again, and so on: D panics nest (each
			** deferred call on a gopanic frame) and h(D) works there
			** before main's deferred call recovers the last one */
			n = (size_t)snprintf(text, sizeof text,
				"# config: maxstack=67108864 budget=100000000\n"
				"func main()\n  defer rec()\n  call deep(%ld)\nend\n"
				"func rec()\n  recover()\nend\n"
				"func deep(n int)\n  defer h(n)\n  if n == 0 return\n"
				"  call deep(n-1)\nend\n"
				"func h(n int)\n  call hw(n)\n  panic 1\nend\n"
				"func hw(n int)\n  if n < %ld return\n  call work(50)\nend\n",
				d, d);
			n = work_text(text, sizeof text, n);
		} else if (shape == SHAPE_SEGMENTS) {
			/* deep has no locals map (cgowrapper): its stack cannot
			** be copied, so it grows by segments (split stacks), one
			** per 7 levels of a 2 KiB stack */
			n = (size_t)snprintf(text, sizeof text,
				"# config: stack=2048 maxstack=67108864 budget=100000000\n"
				"func main()\n  call deep(%ld)\nend\n"
				"func deep(n int) pad 256 cgowrapper\n  call bottom(n)\n"
				"  if n == 0 return\n  call deep(n-1)\nend\n%s",
				d, bottom_text);
			n = work_text(text, sizeof text, n);
		} else {
			n = (size_t)snprintf(text, sizeof text,
				"# config: maxstack=67108864 budget=100000000 barriers=every\n"
				"func main()\n  call deep(%ld)\nend\n"
				"func deep(n int)\n  call bottom(n)\n  if n == 0 return\n"
				"  call deep(n-1)\nend\n"
				"func bottom(n int)\n  var x int\n  x = n\n  x = x - n\n"
				"  x = x - n\n  if x < 0 return\n  gc scan\n  call work(50)\nend\n",
				d);
			n = work_text(text, sizeof text, n);
		}
		if (dump_dir) {
			char path[4096];
			snprintf(path, sizeof path, "%s/%s-%ld.prog", dump_dir,
				 shape_file[shape], d);
			FILE *df = fopen(path, "w");
			if (!df || fwrite(text, 1, n, df) != n || fclose(df)) {
				perror(path);
				return -1;
			}
		}
		if (prog_parse("step_cost", text, n, p, err, sizeof err) < 0) {
			fprintf(stderr, "%s\n", err);
			return -1;
		}
		uint64_t steps = 0;
		for (int i = 0; i < runs; i++) {
			all[i] = rate(p, 0, 0, r, &steps);
			if (r->kind != OUT_OK) {
				fprintf(stderr, "step_cost: depth %ld: outcome %s\n", d,
					hs_outcome_name(r->kind));
				return -1;
			}
			full[i] = vsnone ? 0 : rate(p, 0, 1, r, &steps);
			mem1[i] = rate(p, vsnone ? ~0u : 1, 0, r, &steps);
		}
		double ma = median(all, runs), mf = median(full, runs),
		       mm = median(mem1, runs);
		if (first == 0) {
			first = ma;
			ffirst = mf;
		}
		static const char *const names[] = {"", "barriers, ", "cgo nest, ",
						    "cgo nest (windows/386), ",
						    "defers, ", "panics, ", "segments, "};
		fprintf(stderr, "step_cost: %sdepth %ld: %.0f steps/s all checks, "
			"%.0f full walks, %.0f %s\n", names[shape], d, ma, mf, mm,
			vsnone ? "no checks" : "MEM1 only");
		/* the checks alone: every check's time a step less none's */
		double cns = (ma > 0 ? 1e9 / ma : 0) - (mm > 0 ? 1e9 / mm : 0);
		if (cfirst == 0)
			cfirst = cns;
		if (vsnone)
			tl += (size_t)snprintf(table + tl, cap - tl,
				"| %ld | %llu | %.0f | %.0f | %.1fx | %.1fx | %.0f | %.1fx |\n",
				d, (unsigned long long)steps, ma, mm, mm / ma, first / ma,
				cns, cfirst > 0 ? cns / cfirst : 0);
		else
			tl += (size_t)snprintf(table + tl, cap - tl,
				"| %ld | %llu | %.0f | %.0f | %.0f | %.1fx | %.1fx | %.1fx |\n",
				d, (unsigned long long)steps, ma, mf, mm, mm / ma, first / ma,
				ffirst / mf);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int runs = 5;
	const char *depths = "10,100,1000,10000", *corpus = "corpus", *out = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--depths") && i + 1 < argc)
			depths = argv[++i];
		else if (!strcmp(argv[i], "--corpus") && i + 1 < argc)
			corpus = argv[++i];
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
			dump_dir = argv[++i];
		else {
			fprintf(stderr, "usage: step_cost [--runs N] [--depths LIST] "
				"[--corpus DIR] [-o FILE] [--dump DIR]\n");
			return 2;
		}
	}
	if (runs < 1 || runs > 101)
		runs = 5;
	prog *p = malloc(sizeof *p);
	hs_result *r = calloc(1, sizeof *r);
	double *all = calloc((size_t)runs, sizeof *all);
	double *mem1 = calloc((size_t)runs, sizeof *mem1);
	double *full = calloc((size_t)runs, sizeof *full);
	if (!p || !r || !all || !mem1 || !full)
		return 1;
	static char tables[SHAPE__COUNT][8192];
	for (int sh = 0; sh < SHAPE__COUNT; sh++)
		if (depth_table(tables[sh], sizeof tables[sh], depths, runs, sh, p, r,
				all, full, mem1) < 0)
			return 1;
	/* the corpus */
	plist l = {0};
	collect(&l, corpus);
	uint64_t csteps = 0;
	for (int i = 0; i < runs; i++) {
		double t0 = cpu_now();
		csteps = 0;
		for (int k = 0; k < l.n; k++) {
			hs_options o;
			memset(&o, 0, sizeof o);
			hs_run(l.v[k], &o, r);
			csteps += r->steps;
		}
		double dt = cpu_now() - t0;
		all[i] = dt > 0 ? (double)csteps / dt : 0;
	}
	double cr = l.n ? median(all, runs) : 0;
	FILE *f = out ? fopen(out, "w") : stdout;
	if (!f) {
		perror(out);
		return 1;
	}
	fprintf(f, "# Step cost vs stack depth\n\n"
		"`bench/step_cost.sh` (driver `bench/step_cost.c`), release build, "
		"CPU time, median of %d runs per cell, the three modes alternating in "
		"one process.\nProgram: `main -> deep(D)`, `deep(n)` = `if n == 0 "
		"return; call deep(n-1)`, no pad: about 4 steps per level, so a "
		"step's mean depth is about D/2. \"Every check\" is the default "
		"(incremental checking); \"full walks\" is `full_checks = 1` (every "
		"step re-walks and re-checks the whole stack); \"MEM1 only\" is "
		"`check_mask = 1`, whose per-step stack walk still runs.\n\n%s\n",
		runs, tables[SHAPE_PLAIN]);
	fprintf(f, "With live barriers (barriers=every): `deep(n)` first calls "
		"`bottom(n)`, which at n == 0 runs `gc scan` (a barrier on each of "
		"the D frames above it) and then about 2 100 steps below them; the "
		"D frames then return through their barriers. Full walks are not "
		"run here.\n\n%s\n", tables[SHAPE_BARRIERS]);
	fprintf(f, "A Go -> C -> Go nest D callbacks deep (`nest(n)` first calls "
		"`bottom(n)`, as above without the scan, then `cgo c(n)`, whose C "
		"body calls back `nest(n-1)`), linux/amd64; depths above %d are cut "
		"to %d (the OS stack overflows near 600):\n\n%s\n"
		"The same on windows/386 (each callback also pushes an SEH record):"
		"\n\n%s\n", CGO_DEPTH_MAX, CGO_DEPTH_MAX, tables[SHAPE_CGO],
		tables[SHAPE_CGO_WINDOWS]);
	fprintf(f, "A defer chain D records long (`deep(n)` defers a call, then "
		"calls `bottom(n)` as above; the D deferred calls run as the "
		"levels return):\n\n%s\n", tables[SHAPE_DEFERS]);
	fprintf(f, "D nested panics (`deep(n)` defers `h(n)`; `deep(0)` returns, "
		"its `h(0)` panics, that panic runs `h(1)`, which panics again, and "
		"so on: D panics and D gopanic frames on the stack, each deferred "
		"call started; `h(D)` runs the work, and main's deferred call "
		"recovers the last panic):\n\n%s\n", tables[SHAPE_PANICS]);
	fprintf(f, "A segmented stack (`deep` is a `cgowrapper` with `pad 256`: "
		"no locals map, so its stack cannot be copied and grows by a new "
		"segment, one per 7 levels of the 2 KiB stack; `bottom(n)` as "
		"above):\n\n%s\n", tables[SHAPE_SEGMENTS]);
	fprintf(f, "Whole corpus (`%s`, %d programs, every check): %llu steps per "
		"pass, median %.0f steps/s.\n", corpus, l.n,
		(unsigned long long)csteps, cr);
	fprintf(f, "\nDESIGN.md section 8 target: cost of one step at depth 10000 "
		"<= 2x the cost at depth 10 (every table; the nests at depth %d).\n",
		CGO_DEPTH_MAX);
	if (out)
		fclose(f);
	for (int k = 0; k < l.n; k++)
		free(l.v[k]);
	free(l.v);
	free(p);
	hs_result_free(r);
	free(r);
	free(all);
	free(mem1);
	free(full);
	return 0;
}
