/*
** mutator_selftest.c: a property test of the structure-aware mutator,
** run by ctest over the generated seed corpus.
**
**   fuzz_mutator_selftest [DIR|FILE...]   (no args: a built-in program)
**
** From every seed, chains of mutations and crossovers must give:
**  - outputs within max_size that decode to valid programs;
**  - canonical encodings (encode(decode(out)) == out), so the corpus
**    holds no two spellings of one program;
**  - the same output for the same (input, seed): determinism;
**  - a changed program most of the time (the mutator is not a no-op).
** Exit 0 and a summary line, or 1 naming the first failure.
*/
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mutator.h"
#include "prog.h"

enum { MAX_INPUTS = 256, CHAIN = 200 };

static uint8_t *inputs[MAX_INPUTS];
static size_t sizes[MAX_INPUTS];
static int ninputs;
static prog P;
static uint8_t a[PROG_BIN_MAX], b[PROG_BIN_MAX], c[PROG_BIN_MAX], prev[PROG_BIN_MAX];

static void add_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL || ninputs == MAX_INPUTS) {
		if (f)
			fclose(f);
		return;
	}
	uint8_t *buf = malloc(PROG_BIN_MAX);
	size_t n = buf ? fread(buf, 1, PROG_BIN_MAX, f) : 0;
	fclose(f);
	if (buf == NULL)
		return;
	inputs[ninputs] = buf;
	sizes[ninputs++] = n;
}

static void add_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		add_file(path);
		return;
	}
	DIR *d = opendir(path);
	if (d == NULL)
		return;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		char p[4096];
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "%s/%s", path, e->d_name);
		add_file(p);
	}
	closedir(d);
}

static int check_out(const uint8_t *out, size_t n, size_t max, const char *what, int i,
		     uint32_t seed)
{
	prog_error err;
	if (n > max || n == 0) {
		fprintf(stderr, "%s: input %d seed %u: size %zu (max %zu)\n", what, i, seed, n, max);
		return 1;
	}
	prog_bin_decode(out, n, &P);
	if (prog_validate(&P, &err) != 0) {
		fprintf(stderr, "%s: input %d seed %u: invalid: %s\n", what, i, seed, err.msg);
		return 1;
	}
	size_t m = prog_bin_encode(&P, c, sizeof c);
	if (m != n || memcmp(c, out, n) != 0) {
		fprintf(stderr, "%s: input %d seed %u: not canonical\n", what, i, seed);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		add_path(argv[i]);
	if (ninputs == 0) { /* a built-in seed: main calling f(&x) */
		static const uint8_t seed0[] = {1, 0, 0, 1, 0, 0, 0, 0, 1, 3, 0, 0, 0, 2, 0, 0};
		inputs[0] = malloc(sizeof seed0);
		memcpy(inputs[0], seed0, sizeof seed0);
		sizes[0] = sizeof seed0;
		ninputs = 1;
	}
	long muts = 0, changed = 0, xovers = 0;
	for (int i = 0; i < ninputs; i++) {
		size_t n = sizes[i] < sizeof a ? sizes[i] : sizeof a;
		memcpy(a, inputs[i], n);
		for (uint32_t k = 0; k < CHAIN; k++) {
			uint32_t seed = k * 2654435761u + (uint32_t)i;
			size_t max = k % 7 == 0 ? 64 + k : sizeof a;
			if (n > max)
				n = max; /* like libFuzzer shrinking max_len */
			memcpy(b, a, n);
			memcpy(prev, a, n);
			size_t n1 = sf_mutate(a, n, max, seed);
			size_t n2 = sf_mutate(b, n, max, seed);
			if (n1 != n2 || memcmp(a, b, n1) != 0) {
				fprintf(stderr, "mutate: input %d seed %u: not deterministic\n", i, seed);
				return 1;
			}
			if (check_out(a, n1, max, "mutate", i, seed))
				return 1;
			muts++;
			changed += n1 != n || memcmp(a, prev, n) != 0;
			n = n1;
			const uint8_t *other = inputs[(i + 1 + (int)k) % ninputs];
			size_t on = sizes[(i + 1 + (int)k) % ninputs];
			size_t x1 = sf_crossover(a, n, other, on, b, sizeof b, seed);
			size_t x2 = sf_crossover(a, n, other, on, c, sizeof c, seed);
			if (x1 != x2 || memcmp(b, c, x1) != 0) {
				fprintf(stderr, "crossover: input %d seed %u: not deterministic\n", i, seed);
				return 1;
			}
			if (check_out(b, x1, sizeof b, "crossover", i, seed))
				return 1;
			xovers++;
			if (k % 5 == 4) { /* continue the chain from the crossover */
				memcpy(a, b, x1);
				n = x1;
			}
		}
	}
	printf("mutator selftest: %d inputs, %ld mutations (%ld changed the input), %ld crossovers: ok\n",
	       ninputs, muts, changed, xovers);
	if (changed * 2 < muts) {
		fprintf(stderr, "mutator selftest: fewer than half the mutations changed anything\n");
		return 1;
	}
	for (int i = 0; i < ninputs; i++)
		free(inputs[i]);
	return 0;
}
