/*
** step_cost_fuzz.c: the cost of a step on fuzz-shaped programs, with
** every check and with none (DESIGN.md 8: "ns/step at budget 50 000 /
** at budget 500 <= 1.3" and "every check / --checks none <= 2").
**
** The programs are the .prog files under bench/corpus: inputs the libFuzzer target made
** with every bug switch off, decoded with their configuration headers
** (targets, barrier modes, stress). Each is parsed once; then, for every
** round, every budget and both modes (every check; no checks, i.e. the
** runtime and the truth recording only, `--checks none`), every program
** runs under hs_run with that budget (overriding its own, like
** `--budget N`). A cell's value is total CPU time / total steps of one
** pass over the corpus; the table shows the median over the rounds. The
** budgets and modes alternate inside each round, so a slow spell of the
** shared machine hits them all alike. Parsing is outside the timing.
**
**   step_cost_fuzz [--runs N] [--budgets 500,5000,50000] [--corpus DIR]
**                  [-o FILE]
**
** Writes a markdown table to FILE (default stdout); exits 1 if a program
** shows a violation with every check on (the corpus must run clean).
*/
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "hs.h"

enum { MAXB = 8 };

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

typedef struct plist {
	prog **v;
	char **name;
	int n, cap;
} plist;

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect(plist *l, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		perror(dir);
		return;
	}
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
	qsort(names, (size_t)nn, sizeof *names, cmpstr);
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
					l->name = realloc(l->name, (size_t)l->cap * sizeof *l->name);
					if (!l->v || !l->name)
						abort();
				}
				l->name[l->n] = strdup(path);
				l->v[l->n++] = p;
			} else {
				fprintf(stderr, "step_cost_fuzz: skipping %s: %s\n", path, err);
				free(p);
			}
		}
		free(names[i]);
	}
	free(names);
}

/* One pass over the corpus; returns CPU seconds, stores the steps. */
static double pass(const plist *l, uint64_t budget, int none, hs_result *r,
		   uint64_t *steps, int *bad)
{
	hs_options o;
	memset(&o, 0, sizeof o);
	o.budget = (uint32_t)budget; /* nonzero: overrides each program's */
	o.no_checks = none;
	uint64_t s = 0;
	double t0 = cpu_now();
	for (int k = 0; k < l->n; k++) {
		hs_run(l->v[k], &o, r);
		s += r->steps;
		if (r->kind == OUT_VIOLATION && !none) {
			fprintf(stderr, "step_cost_fuzz: %s: violation %s at budget %llu\n",
				l->name[k], inv_catalogue[r->inv].id,
				(unsigned long long)budget);
			*bad = 1;
		}
	}
	double dt = cpu_now() - t0;
	*steps = s;
	return dt;
}

int main(int argc, char **argv)
{
	int runs = 5;
	const char *budgets = "500,5000,50000", *corpus = "bench/corpus", *out = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--budgets") && i + 1 < argc)
			budgets = argv[++i];
		else if (!strcmp(argv[i], "--corpus") && i + 1 < argc)
			corpus = argv[++i];
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else {
			fprintf(stderr, "usage: step_cost_fuzz [--runs N] [--budgets LIST] "
				"[--corpus DIR] [-o FILE]\n");
			return 2;
		}
	}
	if (runs < 1 || runs > 101)
		runs = 5;
	uint64_t b[MAXB];
	int nb = 0;
	for (const char *s = budgets; *s && nb < MAXB;) {
		char *end;
		unsigned long long v = strtoull(s, &end, 10);
		if (end == s || !v) {
			fprintf(stderr, "step_cost_fuzz: bad --budgets '%s'\n", budgets);
			return 2;
		}
		b[nb++] = v;
		s = *end == ',' ? end + 1 : end;
	}
	plist l = {0};
	collect(&l, corpus);
	if (!l.n) {
		fprintf(stderr, "step_cost_fuzz: no programs under %s\n", corpus);
		return 1;
	}
	hs_result *r = calloc(1, sizeof *r); /* hs_run frees its strings first */
	double *ns = calloc((size_t)(runs * nb * 2), sizeof *ns);
	uint64_t steps[MAXB][2] = {{0}};
	if (!r || !ns)
		return 1;
	int bad = 0;
	for (int i = 0; i < runs; i++)
		for (int k = 0; k < nb; k++)
			for (int m = 0; m < 2; m++) {
				uint64_t s;
				double dt = pass(&l, b[k], m, r, &s, &bad);
				steps[k][m] = s;
				ns[(k * 2 + m) * runs + i] = s ? 1e9 * dt / (double)s : 0;
				fprintf(stderr, "round %d budget %llu %s: %.0f ns/step "
					"(%llu steps, %.2f s)\n", i + 1,
					(unsigned long long)b[k], m ? "--checks none" : "every check",
					ns[(k * 2 + m) * runs + i], (unsigned long long)s, dt);
			}
	double med[MAXB][2];
	for (int k = 0; k < nb; k++)
		for (int m = 0; m < 2; m++)
			med[k][m] = median(&ns[(k * 2 + m) * runs], runs);
	FILE *f = out ? fopen(out, "w") : stdout;
	if (!f) {
		perror(out);
		return 1;
	}
	fprintf(f, "# Step cost on the fuzz-shaped bench corpus\n\n"
		"Driver `bench/step_cost_fuzz.c`, release build, CPU time; corpus `%s` "
		"(%d programs); median of %d rounds, budgets and modes alternating in "
		"each round. \"Every check\" is the default; \"none\" is `--checks none` "
		"(the runtime and the truth recording only). Each program runs with the "
		"row's budget in place of its own (`--budget N`).\n\n"
		"| budget | steps per pass | ns/step, every check | ns/step, none "
		"| every check / none | every check, / first row | none, / first row |\n"
		"|---:|---:|---:|---:|---:|---:|---:|\n", corpus, l.n, runs);
	double worst_ratio = 0;
	for (int k = 0; k < nb; k++) {
		double ratio = med[k][1] > 0 ? med[k][0] / med[k][1] : 0;
		if (ratio > worst_ratio)
			worst_ratio = ratio;
		fprintf(f, "| %llu | %llu | %.0f | %.0f | %.2f | %.2f | %.2f |\n",
			(unsigned long long)b[k], (unsigned long long)steps[k][0],
			med[k][0], med[k][1], ratio,
			med[0][0] > 0 ? med[k][0] / med[0][0] : 0,
			med[0][1] > 0 ? med[k][1] / med[0][1] : 0);
	}
	double growth = med[0][0] > 0 ? med[nb - 1][0] / med[0][0] : 0;
	fprintf(f, "\nTargets (DESIGN.md 8): ns/step at budget %llu / at budget %llu, "
		"every check: %.2f (target <= 1.3: %s); every check / none: at most "
		"%.2f over the budgets (target <= 2: %s).\n",
		(unsigned long long)b[nb - 1], (unsigned long long)b[0], growth,
		growth <= 1.3 ? "met" : "missed", worst_ratio,
		worst_ratio <= 2 ? "met" : "missed");
	if (out)
		fclose(f);
	for (int k = 0; k < l.n; k++) {
		free(l.v[k]);
		free(l.name[k]);
	}
	free(l.v);
	free(l.name);
	hs_result_free(r);
	free(r);
	free(ns);
	return bad;
}
