/*
** decode_golden.h: the inputs of the decode-equivalence test
** (tests/test_prog.c, test_decode_golden) and the hash of what each
** decodes to.
**
** tests/data/decode_golden.txt holds, per input, the FNV-1a hash of
** prog_print(prog_bin_decode(input)) as the decoder of commit e349f87
** (before the op table) printed it: fuzz corpora and findings must keep
** decoding to the same programs whatever the language layer becomes.
** Inputs are pseudo-random (xorshift, fixed seed), biased to small byte
** values as fuzzers' inputs are; bits 2-7 of each function header byte,
** which that decoder ignored, are cleared (later decoders may give them
** a meaning; see lang/lang_bin.c).
*/
#ifndef STACKFUZZ_DECODE_GOLDEN_H
#define STACKFUZZ_DECODE_GOLDEN_H

#include <stddef.h>
#include <stdint.h>

enum { GOLDEN_N = 2000, GOLDEN_MAXLEN = 1200 };

static uint64_t golden_xs = 88172645463325252ull;

static uint64_t golden_next(void)
{
	golden_xs ^= golden_xs << 13;
	golden_xs ^= golden_xs >> 7;
	golden_xs ^= golden_xs << 17;
	return golden_xs;
}

/* Input i (call for i = 0, 1, ... in order); returns its length. */
static size_t golden_input(int i, uint8_t *buf)
{
	size_t len = golden_next() % (i % 10 == 0 ? GOLDEN_MAXLEN : 400);
	for (size_t k = 0; k < len; k++) {
		uint64_t r = golden_next();
		buf[k] = (uint8_t)((r >> 8) % 4 == 0 ? (r & 7) : r);
	}
	/* walk the layout (lang_bin.c) to clear the header bits */
	size_t pos = 1;
	int nf = len ? buf[0] % 16 + 1 : 1;
	for (int f = 0; f < nf && pos < len; f++) {
		buf[pos] &= 3;
		size_t ns = pos + 7 < len ? buf[pos + 7] % 49u : 0;
		pos += 8 + 16 * ns;
	}
	return len;
}

static uint64_t golden_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h;
}

#endif
