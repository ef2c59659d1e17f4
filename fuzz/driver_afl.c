/*
** driver_afl.c: AFL++ driver, persistent mode with shared-memory input.
**
** Built with afl-clang-fast, __AFL_FUZZ_INIT and friends come from the
** compiler: the fork server starts after sf_fuzz_init() (deferred
** init), and each child runs up to 10000 inputs from shared memory
** before AFL++ forks a fresh one. Built with any other compiler, the
** compat macros below read one input from stdin and run it once, so the
** file still compiles and the binary replays a crash file:
** `fuzz_prog_afl < crash`.
** SF_FUZZ_TEXT selects the text parser target, as in the libFuzzer
** driver. State needs no reset here: sf_fuzz_one() keeps none.
*/
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "fuzz_entry.h"

#ifndef __AFL_FUZZ_TESTCASE_LEN
enum { SF_COMPAT_MAX = 1 << 20 };
static unsigned char sf_compat_buf[SF_COMPAT_MAX];
static ssize_t sf_compat_len;
static int sf_compat_runs = 1;
#define __AFL_FUZZ_INIT() enum { sf_compat_unused }
#define __AFL_INIT() (sf_compat_len = read(0, sf_compat_buf, SF_COMPAT_MAX))
#define __AFL_FUZZ_TESTCASE_BUF sf_compat_buf
#define __AFL_FUZZ_TESTCASE_LEN (sf_compat_len < 0 ? 0 : sf_compat_len)
#define __AFL_LOOP(n) (sf_compat_runs-- > 0)
#endif

__AFL_FUZZ_INIT();

/* main itself is left uninstrumented (fuzz/afl_denylist.txt): the
** persistent loop's exit edge fires once per fork-server child (every
** 10000 inputs), in whichever input ran last, and AFL++ would count it as
** an unstable edge (stability 99.9% instead of 100%). */
int main(void)
{
	sf_fuzz_init();
	__AFL_INIT();
	unsigned char *buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(10000)) {
		size_t len = (size_t)__AFL_FUZZ_TESTCASE_LEN;
#ifdef SF_FUZZ_TEXT
		sf_fuzz_text_one(buf, len);
#else
		sf_fuzz_one(buf, len);
#endif
	}
	return 0;
}
