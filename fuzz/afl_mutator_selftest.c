/*
** afl_mutator_selftest.c: a property test of the AFL++ custom mutator
** library's entry points (afl_mutator.c), run by ctest over the seeds.
**
**   fuzz_afl_mutator_selftest DIR
**
** It checks what the AFL++ wiring adds to the mutator (mutator_selftest.c
** covers the edits themselves):
**  - afl_custom_fuzz_count is the same bounded number for every entry: a
**    count AFL++ would double, or one that grows with the entry, would
**    again keep AFL++ on one queue entry for a whole run (issue 13);
**  - every output fits max_size, also when max_size is smaller than the
**    entry, and is never empty;
**  - the byte-edit share is in effect but stays a share: some outputs are
**    not canonical encodings (the byte edits), most are (the AST edits);
**  - two instances with the same AFL++ seed give the same outputs.
** Exit 0 and a summary line, or 1 naming the first failure.
*/
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog.h"

void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
		       uint8_t *add_buf, size_t add_buf_size, size_t max_size);
uint32_t afl_custom_fuzz_count(void *data, const uint8_t *buf, size_t buf_size);
void afl_custom_deinit(void *data);

enum { MAX_INPUTS = 256, CHAIN = 100 };

static uint8_t *inputs[MAX_INPUTS];
static size_t sizes[MAX_INPUTS];
static int ninputs;
static prog P;
static uint8_t cur[PROG_BIN_MAX], canon[PROG_BIN_MAX];

static void load_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	while (d != NULL && (e = readdir(d)) != NULL && ninputs < MAX_INPUTS) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		if (f == NULL)
			continue;
		uint8_t *b = malloc(PROG_BIN_MAX);
		size_t n = b ? fread(b, 1, PROG_BIN_MAX, f) : 0;
		fclose(f);
		if (n == 0) {
			free(b);
			continue;
		}
		inputs[ninputs] = b;
		sizes[ninputs++] = n;
	}
	if (d != NULL)
		closedir(d);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fuzz_afl_mutator_selftest SEED_DIR\n");
		return 2;
	}
	load_dir(argv[1]);
	if (ninputs < 2) {
		fprintf(stderr, "afl mutator selftest: fewer than 2 seeds in %s\n", argv[1]);
		return 1;
	}
	void *m = afl_custom_init(NULL, 1), *m2 = afl_custom_init(NULL, 1);
	if (m == NULL || m2 == NULL)
		return 1;
	uint32_t count = afl_custom_fuzz_count(m, inputs[0], sizes[0]);
	if (count == 0 || count > 1024) {
		fprintf(stderr, "fuzz_count %u: not a small bounded number\n", count);
		return 1;
	}
	long outs = 0, noncanon = 0;
	for (int i = 0; i < ninputs; i++) {
		if (afl_custom_fuzz_count(m, inputs[i], sizes[i]) != count) {
			fprintf(stderr, "fuzz_count differs for input %d\n", i);
			return 1;
		}
		size_t n = sizes[i];
		memcpy(cur, inputs[i], n);
		for (int k = 0; k < CHAIN; k++) {
			size_t max = k % 9 == 0 ? 24 + (size_t)k : PROG_BIN_MAX;
			const uint8_t *add = inputs[(i + 1 + k) % ninputs];
			size_t addn = sizes[(i + 1 + k) % ninputs];
			uint8_t *out = NULL, *out2 = NULL;
			size_t o = afl_custom_fuzz(m, cur, n, &out, (uint8_t *)add, addn, max);
			size_t o2 = afl_custom_fuzz(m2, cur, n, &out2, (uint8_t *)add, addn, max);
			if (o != o2 || memcmp(out, out2, o) != 0) {
				fprintf(stderr, "input %d step %d: not deterministic\n", i, k);
				return 1;
			}
			if (o == 0 || o > max) {
				fprintf(stderr, "input %d step %d: size %zu (max %zu)\n", i, k, o, max);
				return 1;
			}
			prog_bin_decode(out, o, &P);
			size_t c = prog_bin_encode(&P, canon, sizeof canon);
			noncanon += c != o || memcmp(canon, out, o) != 0;
			outs++;
			memcpy(cur, out, o);
			n = o;
		}
	}
	afl_custom_deinit(m);
	afl_custom_deinit(m2);
	printf("afl mutator selftest: %d inputs, %ld outputs, %ld not canonical (byte edits), "
	       "fuzz_count %u: ",
	       ninputs, outs, noncanon, count);
	if (noncanon * 50 < outs || noncanon * 2 > outs) {
		printf("byte-edit share outside 2-50%%\n");
		return 1;
	}
	printf("ok\n");
	for (int i = 0; i < ninputs; i++)
		free(inputs[i]);
	return 0;
}
