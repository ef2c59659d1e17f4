/*
** mc_assert.h: the assertion tiers, shared by every layer.
**
** stackfuzz tells three kinds of "wrong" apart, as Lua (lua_assert,
** api_check) and SQLite (assert, ALWAYS/NEVER) do:
**
**  1. An internal invariant: something stackfuzz itself guarantees (the
**     runtime's own bookkeeping, the machine's spans) does not hold.
**     That is a bug of stackfuzz, its own outcome (`internal: WHAT`,
**     judge verdict JV_INTERNAL), never clamped away and never filed as
**     a violation of the runtime under test. Written with the macros
**     below; the runtime's soft form, RT_NEVER (rt.h), also ends the run
**     with an internal throw and lets the caller return.
**  2. An input error (a malformed program, a bad option): the function
**     returns an error; no assertion.
**  3. A broken invariant of the runtime under test: the checkers
**     (invariants/) report it as a violation.
**
** Every tier-1 failure goes first through mc_assert_hook: NULL in the
** CLI and fuzz targets; cmocka's mock_assert in unit tests (UNIT_TESTING:
** `mc_assert_hook = mock_assert;`), so a test proves an internal
** assertion fires with expect_assert_failure(). mock_assert then jumps
** back to the test (expected) or fails it (unexpected); it never
** returns for a failed condition.
**
** MC_NEVER(c) is 1 when c holds (the impossible happened) and MC_ALWAYS(c)
** is 1 when c holds (as it must): both report the failure and let the
** caller take a safe path. MC_ASSERT(c) reports and aborts: for the
** places with no safe path (a bulk move outside live memory).
*/
#ifndef STACKFUZZ_MC_ASSERT_H
#define STACKFUZZ_MC_ASSERT_H

/* cmocka's mock_assert has exactly this signature. */
typedef void (*mc_assert_fn)(const int result, const char *const expr,
			     const char *const file, const int line);
extern mc_assert_fn mc_assert_hook;

/* Reports a failed internal invariant: the hook, if any (and it may not
** return); then returns (soft) or prints and aborts (hard). */
void mc_assert_fail(const char *expr, const char *file, int line, int hard);

#define MC_ASSERT(c) \
	((c) ? (void)0 : mc_assert_fail(#c, __FILE__, __LINE__, 1))
#define MC_NEVER(c) \
	((c) ? (mc_assert_fail("!(" #c ")", __FILE__, __LINE__, 0), 1) : 0)
#define MC_ALWAYS(c) \
	((c) ? 1 : (mc_assert_fail(#c, __FILE__, __LINE__, 0), 0))

#endif
