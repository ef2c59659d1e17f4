/*
** libfuzzer_mutator.c: the structure-aware mutator (mutator.c) wired into
** libFuzzer. Linked into fuzz_prog only; fuzz_prog_bytes leaves it out
** to measure what it buys.
**
** A share of the calls (STACKFUZZ_BYTE_MUTATIONS percent, default
** SF_BYTE_PERCENT) falls back to libFuzzer's own byte-level mutations
** (LLVMFuzzerMutate), which the total decoder turns into programs too:
** they reach encodings the AST edits never produce (odd raw values,
** truncation), use the dictionary, and make one-bit changes such as a
** function flag cheap (see bench/results/fuzz_ttb.md for the trade-off).
** Gotcha: defining LLVMFuzzerCustomMutator makes -len_control=0 the
** default; inputs are bounded by -max_len (PROG_BIN_MAX in the scripts).
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "mutator.h"

enum { SF_BYTE_PERCENT = 25 };

static unsigned byte_percent(void)
{
	static int p = -1;
	if (p < 0) {
		const char *s = getenv("STACKFUZZ_BYTE_MUTATIONS");
		p = s != NULL && *s != 0 ? atoi(s) : SF_BYTE_PERCENT;
		p = p < 0 ? 0 : p > 100 ? 100 : p;
	}
	return (unsigned)p;
}

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1, const uint8_t *d2,
				 size_t s2, uint8_t *out, size_t max_out,
				 unsigned int seed);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed)
{
	if (seed % 100 < byte_percent())
		return LLVMFuzzerMutate(data, size, max_size);
	return sf_mutate(data, size, max_size, seed / 100);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1, const uint8_t *d2,
				 size_t s2, uint8_t *out, size_t max_out,
				 unsigned int seed)
{
	return sf_crossover(d1, s1, d2, s2, out, max_out, seed);
}
