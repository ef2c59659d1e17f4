/*
** mc_assert.c: where a failed internal invariant goes (mc_assert.h).
**
** One hook, so that unit tests route every internal assertion of every
** layer to cmocka's mock_assert without building the libraries twice;
** NULL everywhere else. Gotcha: the hook is process-global; a test that
** sets it sets it for the whole test executable (which is what cmocka's
** expect_assert_failure needs anyway).
*/
#include <stdio.h>
#include <stdlib.h>

#include "mc_assert.h"

mc_assert_fn mc_assert_hook;

void mc_assert_fail(const char *expr, const char *file, int line, int hard)
{
	if (mc_assert_hook)
		mc_assert_hook(0, expr, file, line);
	if (hard) {
		fprintf(stderr, "stackfuzz: internal error: %s:%d: %s\n", file,
			line, expr);
		abort();
	}
}
