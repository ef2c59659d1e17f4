/*
** fuzz_entry.c: bytes -> program -> run with every check -> abort on a
** violation. Engine-neutral; the drivers are a few lines each.
**
** Invariants:
**  - no state survives an input: hs_run builds the whole machine per run
**    (its host storage comes back from machine/mc_pool.c and the
**    interpreter's spare state, every byte rewritten: tests/test_harness.c
**    test_determinism_reuse runs A, B, then A and compares), and the
**    program/result buffers below are fully rewritten (prog_bin_decode
**    starts from prog_init, hs_run memsets the result). That is what keeps
**    AFL++ stability at 100% and the memory of a persistent process flat
**    (the pool is bounded).
**  - configuration is read from the environment once; changing it in
**    the middle of a campaign would make crashes irreproducible.
**  - a crash is exactly a violation (DEF4 only as below; STACKFUZZ_CRASH_ONLY
**    narrows it to one ID, STACKFUZZ_SWITCHED_ONLY to violations that go
**    away with the bug switches off, STACKFUZZ_CRASH_SUSPENDED=1 to those
**    on a G or M that is not the running one) or, for the text target, a broken round
**    trip: the report goes to stderr first, then abort(), which
**    both engines record as a crash (libFuzzer -handle_abrt, AFL++ by
**    the signal).
** What counts is the judge's (harness/hs_judge.c), as for every CLI
** command: a DEF4 whose check is a false belief is no finding, and a
** violation of the DEF4 reference run is reported under its own ID.
*/
#include "fuzz_entry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs.h"
#include "hs_judge.h"
#include "prog.h"

static struct {
	int ready;
	uint32_t bugs;
	int target_set; /* STACKFUZZ_TARGET forces one; else the input says */
	uint8_t target;
	uint32_t budget;
	uint32_t maxstack;
	char only[8]; /* STACKFUZZ_CRASH_ONLY: the one ID that crashes, or "" */
	int switched_only; /* STACKFUZZ_SWITCHED_ONLY=1 */
	int verify;	   /* STACKFUZZ_VERIFY_INCREMENTAL=1: full_checks 2 */
	int suspended_only; /* STACKFUZZ_CRASH_SUSPENDED=1 */
	int no_checks;	    /* STACKFUZZ_CHECKS=none: --checks none */
	char desc[128];
} cfg;

/* Large: keep them out of the (libFuzzer) stack. */
static prog P, Q;
static hs_result R;

static void bad_env(const char *var, const char *val, const char *want)
{
	fprintf(stderr, "stackfuzz fuzz: bad %s='%s' (want %s)\n", var, val, want);
	exit(2);
}

static uint32_t env_num(const char *var, uint32_t def, uint32_t lo, uint32_t hi)
{
	const char *s = getenv(var);
	if (s == NULL || *s == 0)
		return def;
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*end != 0 || v < lo || v > hi) {
		char want[64];
		snprintf(want, sizeof want, "a number in %u..%u", lo, hi);
		bad_env(var, s, want);
	}
	return (uint32_t)v;
}

void sf_fuzz_init(void)
{
	if (cfg.ready)
		return;
	const char *s = getenv("STACKFUZZ_BUGS");
	if (s != NULL && prog_parse_bugs(s, &cfg.bugs) < 0)
		bad_env("STACKFUZZ_BUGS", s, "a comma-separated list of 7695,7470,12238");
	cfg.target = TARGET_LINUX_AMD64;
	s = getenv("STACKFUZZ_TARGET");
	if (s != NULL && *s != 0) {
		cfg.target_set = 1;
		if (strcmp(s, "windows/386") == 0)
			cfg.target = TARGET_WINDOWS_386;
		else if (strcmp(s, "linux/amd64") != 0)
			bad_env("STACKFUZZ_TARGET", s, "linux/amd64 or windows/386");
	}
	cfg.budget = env_num("STACKFUZZ_BUDGET", SF_FUZZ_BUDGET, 1, 100000000);
	cfg.maxstack = env_num("STACKFUZZ_MAXSTACK", SF_FUZZ_MAXSTACK, 4096, 64u << 20);
	s = getenv("STACKFUZZ_CRASH_ONLY");
	if (s != NULL && *s != 0) {
		if (strlen(s) >= sizeof cfg.only)
			bad_env("STACKFUZZ_CRASH_ONLY", s, "an invariant ID such as DEF2");
		strcpy(cfg.only, s);
	}
	/* every step checked both ways, incremental and full; a divergence
	** aborts ("incremental checking diverged"): a campaign proving the
	** checkers' caches on inputs the corpus does not have */
	s = getenv("STACKFUZZ_VERIFY_INCREMENTAL");
	cfg.verify = s != NULL && strcmp(s, "1") == 0;
	/* no checker runs (the runtime and the truth only, as --checks none):
	** the ceiling of a fuzz execution's speed, for bench/fuzz_execs.sh;
	** such a campaign finds nothing but crashes of the harness */
	s = getenv("STACKFUZZ_CHECKS");
	if (s != NULL && *s != 0) {
		if (strcmp(s, "none") == 0)
			cfg.no_checks = 1;
		else if (strcmp(s, "all") != 0)
			bad_env("STACKFUZZ_CHECKS", s, "all or none");
	}
	s = getenv("STACKFUZZ_SWITCHED_ONLY");
	cfg.switched_only = s != NULL && strcmp(s, "1") == 0;
	/* only a violation on a G or M that is not the running one: the
	** measure of "finds 12238 on a suspended G" (README) */
	s = getenv("STACKFUZZ_CRASH_SUSPENDED");
	cfg.suspended_only = s != NULL && strcmp(s, "1") == 0;
	char bugs[64];
	prog_format_bugs(cfg.bugs, bugs, sizeof bugs);
	snprintf(cfg.desc, sizeof cfg.desc, "bugs=%s target=%s budget=%u maxstack=%u%s",
		 cfg.bugs ? bugs : "none",
		 !cfg.target_set			? "per input"
		 : cfg.target == TARGET_WINDOWS_386 ? "windows/386"
						    : "linux/amd64",
		 cfg.budget, cfg.maxstack, cfg.no_checks ? " checks=none" : "");
	cfg.ready = 1;
}

const char *sf_fuzz_config_str(void)
{
	sf_fuzz_init();
	return cfg.desc;
}

int sf_fuzz_one(const uint8_t *data, size_t len)
{
	sf_fuzz_init();
	prog_bin_decode(data, len, &P);
	P.cfg.budget = cfg.budget;
	P.cfg.maxstack = cfg.maxstack;
	P.cfg.has_budget = P.cfg.has_maxstack = 1;
	if (cfg.target_set) {
		P.cfg.target = cfg.target;
		P.cfg.has_target = cfg.target != TARGET_LINUX_AMD64;
	}
	P.cfg.bugs = cfg.bugs;
	P.cfg.has_bugs = cfg.bugs != 0;
	hs_options o;
	memset(&o, 0, sizeof o);
	o.bugs_set = 1;
	o.bugs = cfg.bugs;
	o.file = "<fuzz input>";
	o.full_checks = cfg.verify ? 2 : 0;
	o.no_checks = cfg.no_checks;
	hs_judge_opts jo = {.switched = cfg.switched_only};
	hs_verdict v;
	hs_run_judged(&P, &o, &R, &jo, &v);
	if (!hs_is_finding(&v))
		return 0;
	if (v.kind == JV_INTERNAL) {
		fprintf(stderr, "\n==stackfuzz== internal error (%s)\n%s\n", cfg.desc,
			R.text);
		fflush(stderr);
		abort();
	}
	if (cfg.only[0] != 0 && strcmp(cfg.only, inv_catalogue[v.inv].id) != 0)
		return 0;
	if (cfg.switched_only && v.unswitched)
		return 0;
	if (cfg.suspended_only && !strstr(R.text, "(suspended)") &&
	    !strstr(R.text, " (held by suspended ") && !strstr(R.text, " (free)"))
		return 0;
	fprintf(stderr, "\n==stackfuzz== violation %s (%s%s)\n", inv_catalogue[v.inv].id,
		cfg.desc, v.from_ref ? "; on the DEF4 reference run" : "");
	/* the exact configuration, as a header `stackfuzz run` replays */
	prog_init(&Q); /* a program of no function: only its header prints */
	Q.cfg = v.cfg;
	Q.nfuncs = 0;
	char *t = prog_print(&Q);
	if (t != NULL) {
		char *nl = strchr(t, '\n');
		if (strncmp(t, "# config:", 9) == 0 && nl != NULL)
			fprintf(stderr, "%.*s\n", (int)(nl - t), t);
		free(t);
	}
	fputs(R.report, stderr);
	fflush(stderr);
	abort();
}

static void fail(const char *what, const char *a, const char *b)
{
	fprintf(stderr, "\n==stackfuzz== text target: %s\n", what);
	if (a != NULL)
		fprintf(stderr, "--- first ---\n%s", a);
	if (b != NULL)
		fprintf(stderr, "--- second ---\n%s", b);
	fflush(stderr);
	abort();
}

/* print(p) must parse back to p (names included) and print identically. */
static void text_roundtrip(const prog *p, const char *what)
{
	char err[512];
	char *t1 = prog_print(p);
	if (t1 == NULL)
		return; /* out of memory: not a finding */
	if (prog_parse("<printed>", t1, strlen(t1), &Q, err, sizeof err) < 0)
		fail(what, t1, err);
	if (!prog_equal(p, &Q, 1))
		fail(what, t1, "(reparsed program differs)\n");
	char *t2 = prog_print(&Q);
	if (t2 != NULL && strcmp(t1, t2) != 0)
		fail(what, t1, t2);
	free(t2);
	free(t1);
}

int sf_fuzz_text_one(const uint8_t *data, size_t len)
{
	static uint8_t bin[PROG_BIN_MAX];
	char err[512];
	sf_fuzz_init();
	/* 1. the bytes as binary: decoding yields a valid program that
	** survives print -> parse (how findings become text) */
	prog_bin_decode(data, len, &P);
	prog_error pe;
	if (prog_validate(&P, &pe) != 0)
		fail("decoded program is invalid", pe.msg, NULL);
	text_roundtrip(&P, "decoded program does not round-trip through text");
	/* 2. the bytes as text: never crashes; what parses round-trips */
	if (prog_parse("<fuzz input>", (const char *)data, len, &P, err, sizeof err) < 0)
		return 0;
	if (prog_validate(&P, &pe) != 0)
		fail("parsed program is invalid", pe.msg, NULL);
	text_roundtrip(&P, "parsed program does not round-trip through text");
	/* binary round trip keeps the structure (names and cfg aside) */
	size_t n = prog_bin_encode(&P, bin, sizeof bin);
	if (n > sizeof bin)
		fail("encoding too large", NULL, NULL);
	prog_bin_decode(bin, n, &Q);
	Q.cfg = P.cfg;
	Q.expect = P.expect;
	if (!prog_equal(&P, &Q, 0))
		fail("parsed program does not round-trip through binary", NULL, NULL);
	return 0;
}
