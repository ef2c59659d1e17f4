/*
** test_reach.c: reached counts (invariants/inv_reach.c, harness/hs_stats.c).
**
** A run reaches an invariant when its checker judged non-trivial state;
** a program that never scans reaches no barrier invariant and not GC1,
** one that scans, returns through a barrier and rescans reaches BAR1-4
** and GC1; a violation counts as reached; a masked-off checker does not.
** The table prints one line per catalogue ID.
*/
#include "testutil.h"

#include "hs.h"
#include "prog.h"

static void run(const char *text, hs_result *r, const hs_options *o)
{
	prog *p = calloc(1, sizeof *p);
	assert_non_null(p);
	char err[512];
	if (prog_parse("t.prog", text, strlen(text), p, err, sizeof err))
		fail_msg("%s", err);
	assert_int_equal(hs_run(p, o, r), 0);
	free(p);
}

static int reached(const hs_result *r, int id)
{
	return (r->reached >> id) & 1;
}

static const char *plain = "func main()\n"
			   "  var y int\n"
			   "  y = 1\n"
			   "end\n";

static const char *barriers = "# config: barriers=every\n"
			      "func main()\n"
			      "  call a(2)\n"
			      "  gc markterm\n"
			      "end\n"
			      "func a(n int)\n"
			      "  if n == 0 return\n"
			      "  call b()\n"
			      "  gc markterm\n"
			      "end\n"
			      "func b()\n"
			      "  call c()\n"
			      "end\n"
			      "func c()\n"
			      "  gc scan\n"
			      "end\n";

static void test_plain_reaches_little(void **state)
{
	(void)state;
	hs_result *r = calloc(1, sizeof *r);
	assert_non_null(r);
	run(plain, r, NULL);
	assert_int_equal(r->kind, OUT_OK);
	for (int id = INV_BAR1; id < INV__COUNT; id++)
		assert_false(reached(r, id));
	assert_false(reached(r, INV_DEF2));
	hs_result_free(r);
	free(r);
}

static void test_barriers_reach_bar_and_gc1(void **state)
{
	(void)state;
	hs_result *r = calloc(1, sizeof *r);
	assert_non_null(r);
	run(barriers, r, NULL);
	if (r->kind != OUT_OK)
		print_error("%s\n", r->text);
	assert_int_equal(r->kind, OUT_OK);
	int want[] = {INV_BAR1, INV_BAR2, INV_BAR3, INV_BAR4, INV_GC1, INV_STK2};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		if (!reached(r, want[i]))
			print_error("%s not reached\n", inv_catalogue[want[i]].id);
		assert_true(reached(r, want[i]));
	}
	assert_false(reached(r, INV_CGO3));
	/* a checker masked off is never counted */
	hs_options o;
	memset(&o, 0, sizeof o);
	o.check_mask = ((1u << INV__COUNT) - 1) & ~(1u << INV_GC1);
	run(barriers, r, &o);
	assert_false(reached(r, INV_GC1));
	assert_true(reached(r, INV_BAR1));
	hs_result_free(r);
	free(r);
}

static void test_stats_table(void **state)
{
	(void)state;
	hs_stats st;
	memset(&st, 0, sizeof st);
	hs_result r;
	memset(&r, 0, sizeof r);
	r.kind = OUT_VIOLATION;
	r.inv = INV_GC1;
	r.reached = 1u << INV_GC1 | 1u << INV_MEM1;
	hs_stats_add(&st, &r);
	r.kind = OUT_OK;
	r.reached = 1u << INV_GC1;
	hs_stats_add(&st, &r);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	hs_stats_print(f, &st);
	fclose(f);
	int lines = 0;
	for (char *p = buf; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, INV__COUNT);
	assert_non_null(strstr(buf, "GC1  reached 2 violated 1\n"));
	assert_non_null(strstr(buf, "MEM1 reached 1 violated 0\n"));
	assert_non_null(strstr(buf, "CGO3 reached 0 violated 0\n"));
	lib_free(buf);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	hs_stats_print_json(f, &st);
	fclose(f);
	assert_non_null(strstr(buf, "{\"stats\":{\"runs\":2,\"MEM1\":{\"reached\":1,"));
	assert_non_null(strstr(buf, "\"GC1\":{\"reached\":2,\"violated\":1}"));
	lib_free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_reaches_little),
		cmocka_unit_test(test_barriers_reach_bar_and_gc1),
		cmocka_unit_test(test_stats_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
