/*
** afl_mutator.c: the structure-aware mutator (mutator.c) as an AFL++
** custom mutator library (AFL_CUSTOM_MUTATOR_LIBRARY=libsfmutator.so).
**
** afl_custom_fuzz edits the queue entry; when AFL++ hands over a second
** entry (add_buf, for splicing) one call in three is a crossover.
** Seeds come from AFL++'s own seed (afl_custom_init) through a private
** generator, so a campaign with a fixed -s is repeatable.
** A quarter of the calls (SF_AFL_BYTE_PERCENT, libFuzzer's share) make a
** few byte edits of the encoding instead, since AFL++'s own havoc is off:
** without them AFL++ reached fewer edges (the decoder's) in a minute.
** afl_custom_fuzz_count: a fixed SF_AFL_FUZZ_COUNT edits each time an
** entry is picked (AFL++'s own custom stage at perf score 100). Without
** it AFL++ doubles the stage whenever the queue grew during it, and almost
** every structural edit adds an entry: the first queue entry alone took
** 170 000 executions (a whole minute; with AFL++'s havoc stage after it,
** which doubles the same way: scripts/fuzz.sh turns that off with
** AFL_CUSTOM_MUTATOR_ONLY) and the seeds a switch needs were never
** reached (issue 13: AFL++ 12238 at 27 s). With it, a pass over the ~100
** seeds takes about 27 000 executions.
** Gotcha: this library is loaded into afl-fuzz itself, so it must be
** built with a plain compiler (no AFL instrumentation, no sanitizer
** runtime); fuzz/CMakeLists.txt does that with a custom command.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mutator.h"
#include "prog.h"

/* Edits per queue entry and visit (see the header: why a fixed number). */
#define SF_AFL_FUZZ_COUNT 256
/* Share of calls that make byte edits (percent), as in libfuzzer_mutator.c. */
#define SF_AFL_BYTE_PERCENT 25

typedef struct {
	uint64_t rng;
	uint8_t *buf;
	size_t cap;
} sf_afl_state;

void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
		       uint8_t *add_buf, size_t add_buf_size, size_t max_size);
void afl_custom_deinit(void *data);
uint32_t afl_custom_fuzz_count(void *data, const uint8_t *buf, size_t buf_size);

static uint32_t next32(sf_afl_state *s)
{
	/* xorshift64* */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (uint32_t)((s->rng * 0x2545f4914f6cdd1dull) >> 32);
}

/* A few byte-level edits of the encoding, as libFuzzer's share does
** (libfuzzer_mutator.c): odd raw values, truncation, one-bit flag flips,
** encodings the AST edits never produce; the total decoder reads them. */
static size_t byte_edits(sf_afl_state *s, uint8_t *b, size_t n, size_t max)
{
	static const uint8_t interesting[] = {0, 1, 2, 4, 8, 16, 32, 64, 0x7f, 0x80, 0xff};
	uint32_t k = 1 + next32(s) % 4;
	for (uint32_t i = 0; i < k; i++) {
		uint32_t x = next32(s);
		if (n == 0) {
			if (max == 0)
				return 0;
			b[n++] = (uint8_t)x;
			continue;
		}
		size_t at = (x >> 8) % n;
		uint8_t step = (uint8_t)(1 + (x >> 28) % 8);
		switch (x % 6) {
		case 0:
			b[at] ^= (uint8_t)(1u << ((x >> 4) % 8));
			break;
		case 1:
			b[at] = (uint8_t)next32(s);
			break;
		case 2:
			b[at] = interesting[next32(s) % sizeof interesting];
			break;
		case 3:
			b[at] = (uint8_t)((x >> 3) & 1 ? b[at] + step : b[at] - step);
			break;
		case 4: /* truncate */
			n = at + 1;
			break;
		default: { /* copy a short run elsewhere */
			size_t to = next32(s) % n, len = 1 + next32(s) % 8;
			if (at + len > n)
				len = n - at;
			if (to + len > n)
				len = n - to;
			memmove(b + to, b + at, len);
			break;
		}
		}
	}
	return n;
}

void *afl_custom_init(void *afl, unsigned int seed)
{
	(void)afl;
	sf_afl_state *s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->rng = (uint64_t)seed * 0x9e3779b97f4a7c15ull + 1;
	s->cap = PROG_BIN_MAX;
	s->buf = malloc(s->cap);
	if (s->buf == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
		       uint8_t *add_buf, size_t add_buf_size, size_t max_size)
{
	sf_afl_state *s = data;
	size_t max = max_size < s->cap ? max_size : s->cap;
	uint32_t seed = next32(s);
	size_t n;
	if (seed % 100 < SF_AFL_BYTE_PERCENT) {
		size_t in = buf_size < max ? buf_size : max;
		memcpy(s->buf, buf, in);
		n = byte_edits(s, s->buf, in, max);
	} else if (add_buf != NULL && add_buf_size > 0 && seed % 3 == 0) {
		n = sf_crossover(buf, buf_size, add_buf, add_buf_size, s->buf, max, seed / 3);
	} else {
		/* sf_mutate works in place; the input may be larger than our
		** buffer when it is not a canonical encoding */
		size_t in = buf_size < max ? buf_size : max;
		memcpy(s->buf, buf, in);
		n = sf_mutate(s->buf, in, max, seed);
	}
	*out_buf = s->buf;
	return n;
}

uint32_t afl_custom_fuzz_count(void *data, const uint8_t *buf, size_t buf_size)
{
	(void)data;
	(void)buf;
	(void)buf_size;
	return SF_AFL_FUZZ_COUNT;
}

void afl_custom_deinit(void *data)
{
	sf_afl_state *s = data;
	if (s != NULL)
		free(s->buf);
	free(s);
}
