/*
** main.c: the stackfuzz CLI.
**
**   stackfuzz run PROG...            run with every check; -v traces
**   stackfuzz check PATH...          run corpora against their `expect`
**   stackfuzz encode IN -o OUT       text -> binary
**   stackfuzz decode IN [-o OUT]     binary -> canonical text
**   stackfuzz show PROG --step N     the state after step N
**   stackfuzz minimize IN -o OUT     op-level reduction (cli_minimize.c)
**   stackfuzz explore --depth K      bounded-exhaustive search (cli_explore.c)
**
** Exit codes: 0 ok, 1 violation or failed expectation, 2 usage or parse
** error. Results go to stdout, diagnostics to stderr.
*/
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hs.h"
#include "hs_go.h"
#include "hs_judge.h"
#include "hs_minexp.h"

static const char usage[] =
	"usage: stackfuzz <command> [options] [args]\n"
	"\n"
	"commands:\n"
	"  run PROG...          run each program with every invariant check after\n"
	"                       every step; print the outcome\n"
	"  check PATH...        run every .prog file under PATH and compare with its\n"
	"                       '# expect:' line; ends with 'N passed, N failed'\n"
	"  encode IN -o OUT     text program -> binary (the fuzzers' form)\n"
	"  decode IN [-o OUT]   binary -> canonical text (any bytes decode)\n"
	"  show PROG --step N   print the state (stacks, frames, defers, panics)\n"
	"                       after step N; --dot FILE also writes it as Graphviz\n"
	"                       (and FILE.svg when `dot` is installed)\n"
	"  minimize IN -o OUT   reduce a violating program to a 1-minimal one with\n"
	"                       the same violation (see 'minimize --help')\n"
	"  explore --depth K    enumerate programs breadth first up to K statements;\n"
	"                       print the first violating one (see 'explore --help')\n"
	"\n"
	"options:\n"
	"  -v, --verbose        print a trace of every step (run)\n"
	"  --bugs LIST          bug switches, overriding the program's config:\n"
	"                       comma-separated from 7695,7470,12238; '' = none\n"
	"  --stress             move the stack at every safe point\n"
	"  --expect-clean       check: pass iff no violation (ignore 'expect')\n"
	"  --json               machine-readable results (run, check)\n"
	"  --barriers MODE      GC stack barriers off|spaced|every, overriding config\n"
	"  --full-checks        walk every frame at every step (no incremental reuse)\n"
	"  --verify-incremental check each step both ways; abort if they differ\n"
	"  --step N             show: the step to stop after\n"
	"  -o FILE              output file (encode, decode)\n"
	"  -h, --help           this text\n"
	"\n"
	"exit status: 0 ok, 1 violation or failed expectation, 2 usage or parse error\n";

typedef struct cli {
	hs_options ho;
	int verbose, json, expect_clean;
	uint64_t step;
	const char *out;
	const char *dot;
} cli;

static int die_usage(const char *msg)
{
	if (msg)
		fprintf(stderr, "stackfuzz: %s\n", msg);
	fputs(usage, stderr);
	return 2;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\t')
			fputs("\\t", f);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static int load(const char *path, prog *p)
{
	char err[512];
	if (prog_parse_file(path, p, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int run_one(cli *c, const char *path, int *violated)
{
	static prog p;
	static hs_result r;
	if (load(path, &p) < 0)
		return 2;
	hs_options o = c->ho;
	o.file = path;
	o.trace = c->verbose ? stdout : NULL;
	hs_verdict v;
	hs_run_judged(&p, &o, &r, NULL, &v);
	char out[600];
	hs_outcome_str(&r, out, sizeof out);
	if (c->json) {
		printf("{\"file\":");
		json_str(stdout, path);
		printf(",\"outcome\":\"%s\",\"steps\":%llu", hs_outcome_name(r.kind),
		       (unsigned long long)r.steps);
		if (r.kind == OUT_VIOLATION) {
			printf(",\"id\":\"%s\",\"message\":", inv_catalogue[r.inv].id);
			json_str(stdout, r.text);
			printf(",\"line\":%u", r.line);
		}
		printf(",\"finding\":%s", hs_is_finding(&v) ? "true" : "false");
		if (v.kind != JV_NONE) {
			printf(",\"verdict\":");
			json_str(stdout, v.note);
		}
		if (r.kind == OUT_PANIC) {
			printf(",\"panic\":");
			json_str(stdout, r.text);
		}
		printf(",\"copies\":%llu,\"segments\":%llu}\n",
		       (unsigned long long)r.copies, (unsigned long long)r.segments);
	} else {
		printf("%s: %s (%llu steps, %llu copies, %llu segments)\n", path, out,
		       (unsigned long long)r.steps, (unsigned long long)r.copies,
		       (unsigned long long)r.segments);
		if (v.kind == JV_FALSE_BELIEF || v.from_ref)
			printf("  judged: %s\n", v.note);
		if (r.kind == OUT_VIOLATION)
			fputs(r.report, stdout);
	}
	if (hs_is_finding(&v))
		*violated = 1;
	return 0;
}

static int cmd_run(cli *c, int argc, char **argv)
{
	if (argc < 1)
		return die_usage("run: no program given");
	int violated = 0, rc = 0;
	for (int i = 0; i < argc; i++)
		if (run_one(c, argv[i], &violated) == 2)
			rc = 2;
	return rc ? rc : violated;
}

/* ---- check ---- */

typedef struct filelist {
	char **v;
	size_t n, cap;
} filelist;

static void fl_add(filelist *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = realloc(l->v, l->cap * sizeof *l->v);
		if (!l->v)
			abort();
	}
	l->v[l->n++] = strdup(s);
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int collect(filelist *l, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fl_add(l, path);
		return 0;
	}
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	filelist sub = {0};
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char buf[4096];
		snprintf(buf, sizeof buf, "%s/%s", path, e->d_name);
		struct stat s2;
		if (stat(buf, &s2) == 0 &&
		    (S_ISDIR(s2.st_mode) ||
		     (strlen(e->d_name) > 5 &&
		      !strcmp(e->d_name + strlen(e->d_name) - 5, ".prog"))))
			fl_add(&sub, buf);
	}
	closedir(d);
	qsort(sub.v, sub.n, sizeof *sub.v, cmpstr);
	int rc = 0;
	for (size_t i = 0; i < sub.n; i++) {
		if (collect(l, sub.v[i]) < 0)
			rc = -1;
		free(sub.v[i]);
	}
	free(sub.v);
	return rc;
}

static int cmd_check(cli *c, int argc, char **argv)
{
	if (argc < 1)
		return die_usage("check: no path given");
	filelist l = {0};
	int rc = 0;
	for (int i = 0; i < argc; i++)
		if (collect(&l, argv[i]) < 0)
			rc = 2;
	static prog p;
	static hs_result r;
	unsigned passed = 0, failed = 0;
	for (size_t i = 0; i < l.n; i++) {
		const char *path = l.v[i];
		char why[1400] = "";
		int ok;
		if (load(path, &p) < 0) {
			ok = 0;
			snprintf(why, sizeof why, "parse error");
			rc = 2;
		} else {
			hs_options o = c->ho;
			o.file = path;
			hs_verdict v;
			hs_run_judged(&p, &o, &r, NULL, &v);
			if (c->expect_clean) {
				ok = !hs_is_finding(&v);
				if (!ok)
					snprintf(why, sizeof why, "%s: %.1000s", v.note, r.text);
			} else {
				ok = hs_expect_judged(&p, &r, &v, why, sizeof why);
			}
		}
		if (c->json) {
			printf("{\"file\":");
			json_str(stdout, path);
			printf(",\"pass\":%s,\"steps\":%llu", ok ? "true" : "false",
			       (unsigned long long)r.steps);
			if (!ok) {
				printf(",\"why\":");
				json_str(stdout, why);
			}
			printf("}\n");
		} else if (ok) {
			printf("PASS %s\n", path);
		} else {
			printf("FAIL %s: %s\n", path, why);
		}
		if (ok)
			passed++;
		else
			failed++;
		free(l.v[i]);
	}
	free(l.v);
	printf("%u passed, %u failed\n", passed, failed);
	if (rc)
		return rc;
	return failed ? 1 : 0;
}

/* ---- encode / decode ---- */

static int write_out(const char *path, const void *buf, size_t n)
{
	FILE *f = path ? fopen(path, "wb") : stdout;
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 2;
	}
	fwrite(buf, 1, n, f);
	if (path)
		fclose(f);
	return 0;
}

static int cmd_encode(cli *c, int argc, char **argv)
{
	if (argc != 1)
		return die_usage("encode: one input file");
	static prog p;
	if (load(argv[0], &p) < 0)
		return 2;
	static uint8_t buf[PROG_BIN_MAX];
	size_t n = prog_bin_encode(&p, buf, sizeof buf);
	if (n > sizeof buf) {
		fprintf(stderr, "%s: program too large to encode\n", argv[0]);
		return 2;
	}
	if (!c->out) {
		fprintf(stderr, "encode: -o OUT is required (binary output)\n");
		return 2;
	}
	return write_out(c->out, buf, n);
}

static int cmd_decode(cli *c, int argc, char **argv)
{
	if (argc != 1)
		return die_usage("decode: one input file");
	FILE *f = fopen(argv[0], "rb");
	if (!f) {
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		return 2;
	}
	static uint8_t buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	static prog p;
	prog_bin_decode(buf, n, &p);
	char *t = prog_print(&p);
	int rc = write_out(c->out, t, strlen(t));
	free(t);
	return rc;
}

static int cmd_show(cli *c, int argc, char **argv)
{
	if (argc != 1)
		return die_usage("show: one program");
	if (!c->step)
		return die_usage("show: --step N is required (N >= 1)");
	static prog p;
	static hs_result r;
	if (load(argv[0], &p) < 0)
		return 2;
	hs_options o = c->ho;
	o.file = argv[0];
	o.show = stdout;
	o.show_step = c->step;
	FILE *dot = NULL;
	if (c->dot && !(dot = fopen(c->dot, "w"))) {
		fprintf(stderr, "%s: %s\n", c->dot, strerror(errno));
		return 2;
	}
	o.dot = dot;
	hs_run(&p, &o, &r);
	if (dot) {
		fclose(dot);
		/* render where Graphviz is installed; the DOT file stands alone */
		char cmd[4200];
		snprintf(cmd, sizeof cmd,
			 "command -v dot >/dev/null 2>&1 && dot -Tsvg '%s' -o '%s.svg'",
			 c->dot, c->dot);
		if (!strchr(c->dot, '\'') && system(cmd) == 0)
			printf("picture: %s.svg\n", c->dot);
		else
			printf("picture: %s (Graphviz DOT)\n", c->dot);
	}
	char out[600];
	hs_outcome_str(&r, out, sizeof out);
	printf("outcome: %s after %llu steps\n", out, (unsigned long long)r.steps);
	if (r.kind == OUT_VIOLATION)
		printf("  %s\n", r.text);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return die_usage(NULL);
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		fputs(usage, stdout);
		return 0;
	}
	/* these two parse their own options (cli_minimize.c, cli_explore.c) */
	if (!strcmp(cmd, "minimize"))
		return cli_minimize(argc - 1, argv + 1);
	if (!strcmp(cmd, "explore"))
		return cli_explore(argc - 1, argv + 1);
	if (!strcmp(cmd, "go")) /* cli_go.c */
		return cli_go(argc - 1, argv + 1);
	if (!strcmp(cmd, "diff"))
		return cli_diff(argc - 1, argv + 1);
	cli c;
	memset(&c, 0, sizeof c);
	static const struct option opts[] = {
		{"verbose", no_argument, 0, 'v'},
		{"bugs", required_argument, 0, 'b'},
		{"stress", no_argument, 0, 's'},
		{"expect-clean", no_argument, 0, 'e'},
		{"json", no_argument, 0, 'j'},
		{"full-checks", no_argument, 0, 'F'},
		{"barriers", required_argument, 0, 'B'},
		{"dot", required_argument, 0, 'D'},
		{"verify-incremental", no_argument, 0, 'V'},
		{"step", required_argument, 0, 'n'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	optind = 2;
	int ch;
	while ((ch = getopt_long(argc, argv, "vo:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'v':
			c.verbose = 1;
			break;
		case 'o':
			c.out = optarg;
			break;
		case 'b':
			c.ho.bugs_set = 1;
			if (cli_parse_bugs("stackfuzz", optarg, &c.ho.bugs) < 0)
				return 2;
			break;
		case 's':
			c.ho.stress = 1;
			break;
		case 'e':
			c.expect_clean = 1;
			break;
		case 'j':
			c.json = 1;
			break;
		case 'F':
			c.ho.full_checks = 1;
			break;
		case 'D':
			c.dot = optarg;
			break;
		case 'B':
			c.ho.barriers_set = 1;
			if (!strcmp(optarg, "off"))
				c.ho.barriers = BARRIERS_OFF;
			else if (!strcmp(optarg, "spaced"))
				c.ho.barriers = BARRIERS_SPACED;
			else if (!strcmp(optarg, "every"))
				c.ho.barriers = BARRIERS_EVERY;
			else
				return die_usage("--barriers wants off, spaced or every");
			break;
		case 'V':
			c.ho.full_checks = 2;
			break;
		case 'n': {
			char *end;
			c.step = strtoull(optarg, &end, 10);
			if (*end || !c.step)
				return die_usage("--step wants a positive number");
			break;
		}
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return die_usage(NULL);
		}
	}
	argc -= optind;
	argv += optind;
	if (!strcmp(cmd, "run"))
		return cmd_run(&c, argc, argv);
	if (!strcmp(cmd, "check"))
		return cmd_check(&c, argc, argv);
	if (!strcmp(cmd, "encode"))
		return cmd_encode(&c, argc, argv);
	if (!strcmp(cmd, "decode"))
		return cmd_decode(&c, argc, argv);
	if (!strcmp(cmd, "show"))
		return cmd_show(&c, argc, argv);
	fprintf(stderr, "stackfuzz: unknown command '%s'\n", cmd);
	return die_usage(NULL);
}
