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
** Each command has its own --help. run/check/encode/decode/show share one
** option parser; the table `commands` says which options each takes, and
** an option given to a command that does not take it is a usage error.
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
	"                       the same violation\n"
	"  explore --depth K    enumerate programs breadth first up to K statements;\n"
	"                       print the first violating one\n"
	"\n"
	"'stackfuzz COMMAND --help' lists the options of each command.\n"
	"\n"
	"exit status: 0 ok, 1 violation or failed expectation, 2 usage or parse error\n";

/* Option texts, one per flag; a command's help lists the ones it takes. */
enum {
	F_VERBOSE = 1u << 0,
	F_BUGS = 1u << 1,
	F_STRESS = 1u << 2,
	F_EXPECT_CLEAN = 1u << 3,
	F_JSON = 1u << 4,
	F_FULL_CHECKS = 1u << 5,
	F_BARRIERS = 1u << 6,
	F_DOT = 1u << 7,
	F_VERIFY = 1u << 8,
	F_STEP = 1u << 9,
	F_OUT = 1u << 10,
	F_TARGET = 1u << 11,
	F_STATS = 1u << 12,
	F_CHECKS = 1u << 13,
	F_BUDGET = 1u << 14,
};

static const struct {
	unsigned flag;
	const char *name; /* as the user writes it */
	const char *help;
} flag_help[] = {
	{F_VERBOSE, "-v", "  -v, --verbose        print a trace of every step\n"},
	{F_BUGS, "--bugs", "  --bugs LIST          bug switches, overriding the program's config:\n"
			   "                       comma-separated from 7695,7470,12238; '' = none\n"},
	{F_TARGET, "--target", "  --target T           linux/amd64 or windows/386 (SEH on), overriding\n"
			       "                       the program's config\n"},
	{F_BARRIERS, "--barriers", "  --barriers MODE      GC stack barriers off|spaced|every, overriding config\n"},
	{F_STRESS, "--stress", "  --stress             move the stack at every safe point\n"},
	{F_EXPECT_CLEAN, "--expect-clean", "  --expect-clean       pass iff no violation (ignore 'expect')\n"},
	{F_JSON, "--json", "  --json               print only JSON, one object per line\n"},
	{F_FULL_CHECKS, "--full-checks", "  --full-checks        walk every frame at every step (no incremental reuse)\n"},
	{F_VERIFY, "--verify-incremental", "  --verify-incremental check each step both ways; abort if they differ\n"},
	{F_STEP, "--step", "  --step N             the step to stop after (1 or more)\n"},
	{F_DOT, "--dot", "  --dot FILE           also write the state as Graphviz DOT (FILE.svg\n"
			 "                       too where `dot` is installed)\n"},
	{F_OUT, "-o", "  -o FILE              output file\n"},
	{F_CHECKS, "--checks", "  --checks all|none    every checker (default), or none: the runtime and\n"
			       "                       the truth recording only (to measure checking)\n"},
	{F_BUDGET, "--budget", "  --budget N           step budget, overriding each program's config\n"},
	{F_STATS, "--stats", "  --stats              then one line per invariant, 'ID reached N violated M'\n"
			     "                       (N, M: programs; README: reached counts)\n"},
};

typedef struct cli {
	hs_options ho;
	int verbose, json, expect_clean, stats;
	uint64_t step;
	const char *out;
	const char *dot;
} cli;

typedef struct command command;
struct command {
	const char *name;
	int (*fn)(const command *, cli *, int, char **);
	unsigned flags; /* F_*: the options this command takes */
	const char *synopsis, *what;
};

static void print_command_help(const command *k, FILE *f)
{
	fprintf(f, "usage: stackfuzz %s\n\n%s\noptions:\n", k->synopsis, k->what);
	for (size_t i = 0; i < sizeof flag_help / sizeof flag_help[0]; i++)
		if (k->flags & flag_help[i].flag)
			fputs(flag_help[i].help, f);
	fputs("  -h, --help           this text\n"
	      "\nexit status: 0 ok, 1 violation or failed expectation, 2 usage or "
	      "parse error\n", f);
}

/* A usage error of command k (NULL: none yet): the message, then the
** command's synopsis (or the general usage), on stderr; exit status 2. */
static int usage_error(const command *k, const char *msg)
{
	if (msg)
		fprintf(stderr, "stackfuzz%s%s: %s\n", k ? " " : "", k ? k->name : "", msg);
	if (k)
		fprintf(stderr, "usage: stackfuzz %s\n('stackfuzz %s --help' lists "
			"the options)\n", k->synopsis, k->name);
	else
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

static int run_one(cli *c, const char *path, int *violated)
{
	static prog p;
	static hs_result r;
	if (cli_load(path, &p) < 0)
		return 2;
	hs_options o = c->ho;
	o.file = path;
	/* with --json the trace becomes a field, so stdout stays JSON */
	char *trace = NULL;
	size_t tracelen = 0;
	FILE *tf = NULL;
	if (c->verbose && c->json) {
		tf = open_memstream(&trace, &tracelen);
		if (!tf) {
			perror("stackfuzz run");
			return 2;
		}
	}
	o.trace = c->verbose ? (tf ? tf : stdout) : NULL;
	hs_verdict v;
	hs_run_judged(&p, &o, &r, NULL, &v);
	if (tf)
		fclose(tf);
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
			printf(",\"line\":%u,\"report\":", r.line);
			json_str(stdout, r.report);
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
		printf(",\"copies\":%llu,\"segments\":%llu",
		       (unsigned long long)r.copies, (unsigned long long)r.segments);
		if (trace) {
			printf(",\"trace\":");
			json_str(stdout, trace);
		}
		printf("}\n");
	} else {
		/* a panic's message is Go's whole chain: printed as it is */
		printf("%s: %s (%llu steps, %llu copies, %llu segments)\n", path,
		       r.kind == OUT_PANIC ? r.text : out,
		       (unsigned long long)r.steps, (unsigned long long)r.copies,
		       (unsigned long long)r.segments);
		if (v.kind == JV_FALSE_BELIEF || v.from_ref)
			printf("  judged: %s\n", v.note);
		if (r.kind == OUT_VIOLATION)
			fputs(r.report, stdout);
	}
	free(trace);
	if (hs_is_finding(&v))
		*violated = 1;
	return 0;
}

static int cmd_run(const command *k, cli *c, int argc, char **argv)
{
	if (argc < 1)
		return usage_error(k, "no program given");
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

static void *grow(void *v, size_t *cap, size_t n, size_t elt)
{
	if (n < *cap)
		return v;
	*cap = *cap ? 2 * *cap : 64;
	v = realloc(v, *cap * elt);
	if (!v)
		abort();
	return v;
}

static void fl_add(filelist *l, const char *s)
{
	l->v = grow(l->v, &l->cap, l->n, sizeof *l->v);
	l->v[l->n++] = strdup(s);
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files and directories already seen, by device and inode: a directory
** reached again (a symlink loop, `ln -s . x`) is not entered again, and a
** file reached through two names is run once. */
typedef struct seen {
	struct {
		dev_t dev;
		ino_t ino;
	} *v;
	size_t n, cap;
} seen;

static int seen_add(seen *s, const struct stat *st)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].dev == st->st_dev && s->v[i].ino == st->st_ino)
			return 0;
	s->v = grow(s->v, &s->cap, s->n, sizeof *s->v);
	s->v[s->n].dev = st->st_dev;
	s->v[s->n].ino = st->st_ino;
	s->n++;
	return 1;
}

static int is_prog_name(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && !strcmp(name + n - 5, ".prog");
}

static int collect(filelist *l, seen *sn, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		/* a dangling link or unreadable entry: still a file to report */
		if (lstat(path, &st) == 0) {
			fl_add(l, path);
			return 0;
		}
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!seen_add(sn, &st))
		return 0;
	if (!S_ISDIR(st.st_mode)) {
		fl_add(l, path);
		return 0;
	}
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "%s: cannot open directory: %s\n", path, strerror(errno));
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
		if (is_prog_name(e->d_name) ||
		    (stat(buf, &s2) == 0 && S_ISDIR(s2.st_mode)))
			fl_add(&sub, buf);
	}
	closedir(d);
	if (sub.n)
		qsort(sub.v, sub.n, sizeof *sub.v, cmpstr);
	int rc = 0;
	for (size_t i = 0; i < sub.n; i++) {
		if (collect(l, sn, sub.v[i]) < 0)
			rc = -1;
		free(sub.v[i]);
	}
	free(sub.v);
	return rc;
}

static int cmd_check(const command *k, cli *c, int argc, char **argv)
{
	if (argc < 1)
		return usage_error(k, "no path given");
	filelist l = {0};
	seen sn = {0};
	int rc = 0;
	for (int i = 0; i < argc; i++)
		if (collect(&l, &sn, argv[i]) < 0)
			rc = 2;
	free(sn.v);
	if (l.n == 0) {
		fprintf(stderr, "stackfuzz check: no .prog files under");
		for (int i = 0; i < argc; i++)
			fprintf(stderr, " %s", argv[i]);
		fputc('\n', stderr);
		return 2;
	}
	static prog p;
	static hs_result r;
	static hs_stats st;
	unsigned passed = 0, failed = 0;
	for (size_t i = 0; i < l.n; i++) {
		const char *path = l.v[i];
		char why[1400] = "";
		int ok, lr;
		hs_result_free(&r); /* the last file's strings */
		memset(&r, 0, sizeof r);
		if ((lr = cli_load(path, &p)) < 0) {
			ok = 0;
			snprintf(why, sizeof why, "%s", lr == CLI_LOAD_IO ? "I/O error" : "parse error");
			rc = 2;
		} else {
			hs_options o = c->ho;
			o.file = path;
			hs_verdict v;
			hs_run_judged(&p, &o, &r, NULL, &v);
			hs_stats_add(&st, &r);
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
	if (c->stats && c->json)
		hs_stats_print_json(stdout, &st);
	else if (c->stats)
		hs_stats_print(stdout, &st);
	if (c->json)
		printf("{\"passed\":%u,\"failed\":%u}\n", passed, failed);
	else
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
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		return 2;
	}
	fwrite(buf, 1, n, f);
	if (path && fclose(f) != 0) {
		fprintf(stderr, "%s: cannot write: %s\n", path, strerror(errno));
		return 2;
	}
	return 0;
}

static int cmd_encode(const command *k, cli *c, int argc, char **argv)
{
	if (argc != 1)
		return usage_error(k, "one input file");
	static prog p;
	if (cli_load(argv[0], &p) < 0)
		return 2;
	static uint8_t buf[PROG_BIN_MAX];
	size_t n = prog_bin_encode(&p, buf, sizeof buf);
	if (n > sizeof buf) {
		fprintf(stderr, "%s: program too large to encode\n", argv[0]);
		return 2;
	}
	if (!c->out) {
		fprintf(stderr, "stackfuzz encode: -o OUT is required (binary output)\n");
		return 2;
	}
	return write_out(c->out, buf, n);
}

static int cmd_decode(const command *k, cli *c, int argc, char **argv)
{
	if (argc != 1)
		return usage_error(k, "one input file");
	if (cli_check_readable(argv[0]) < 0)
		return 2;
	FILE *f = fopen(argv[0], "rb");
	if (!f) {
		fprintf(stderr, "%s: cannot open: %s\n", argv[0], strerror(errno));
		return 2;
	}
	static uint8_t buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf, f);
	int e = ferror(f) ? errno : 0;
	fclose(f);
	if (e) {
		fprintf(stderr, "%s: cannot read: %s\n", argv[0], strerror(e));
		return 2;
	}
	static prog p;
	prog_bin_decode(buf, n, &p);
	char *t = prog_print(&p);
	int rc = write_out(c->out, t, strlen(t));
	free(t);
	return rc;
}

static int cmd_show(const command *k, cli *c, int argc, char **argv)
{
	if (argc != 1)
		return usage_error(k, "one program");
	if (!c->step)
		return usage_error(k, "--step N is required (N >= 1)");
	static prog p;
	static hs_result r;
	if (cli_load(argv[0], &p) < 0)
		return 2;
	hs_options o = c->ho;
	o.file = argv[0];
	o.show = stdout;
	o.show_step = c->step;
	FILE *dot = NULL;
	if (c->dot && !(dot = fopen(c->dot, "w"))) {
		fprintf(stderr, "%s: cannot open: %s\n", c->dot, strerror(errno));
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
	printf("outcome: %s after %llu steps\n", r.kind == OUT_PANIC ? r.text : out,
	       (unsigned long long)r.steps);
	if (r.kind == OUT_VIOLATION)
		printf("  %s\n", r.text);
	return 0;
}

#define RUN_FLAGS (F_BUGS | F_TARGET | F_BARRIERS | F_STRESS | F_FULL_CHECKS | F_VERIFY)

static const command commands[] = {
	{"run", cmd_run, F_VERBOSE | F_JSON | F_CHECKS | F_BUDGET | RUN_FLAGS, "run PROG... [options]",
	 "Run each program with every invariant check after every step; print its\n"
	 "outcome, and the report of a violation.\n"},
	{"check", cmd_check, F_EXPECT_CLEAN | F_JSON | F_STATS | F_CHECKS | F_BUDGET | RUN_FLAGS, "check PATH... [options]",
	 "Run every .prog file under each PATH (directories recursively, symlinks\n"
	 "followed, each file once) and compare its outcome with its '# expect:'\n"
	 "line (no line: expect no violation). Ends with 'N passed, N failed';\n"
	 "no .prog file at all is an error.\n"},
	{"encode", cmd_encode, F_OUT, "encode IN -o OUT",
	 "Text program IN -> its binary form (what the fuzzers mutate) in OUT.\n"},
	{"decode", cmd_decode, F_OUT, "decode IN [-o OUT]",
	 "Any byte string IN -> the program it decodes to, as canonical text\n"
	 "(stdout, or OUT).\n"},
	{"show", cmd_show, F_STEP | F_DOT | RUN_FLAGS, "show PROG --step N [--dot FILE] [options]",
	 "Run PROG and print the state after step N: the G's stack, frames and\n"
	 "slots, defers, panics, the M's OS stack and its SEH chain; then the\n"
	 "outcome.\n"},
};

/* Parses the options of command k into c; returns -1 to go on, else an
** exit status (help printed, or a usage error). */
static int parse_options(const command *k, cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"verbose", no_argument, 0, 'v'},
		{"bugs", required_argument, 0, 'b'},
		{"target", required_argument, 0, 't'},
		{"stress", no_argument, 0, 's'},
		{"expect-clean", no_argument, 0, 'e'},
		{"json", no_argument, 0, 'j'},
		{"stats", no_argument, 0, 'S'},
		{"checks", required_argument, 0, 'C'},
		{"budget", required_argument, 0, 'U'},
		{"full-checks", no_argument, 0, 'F'},
		{"barriers", required_argument, 0, 'B'},
		{"dot", required_argument, 0, 'D'},
		{"verify-incremental", no_argument, 0, 'V'},
		{"step", required_argument, 0, 'n'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	char prefix[64];
	snprintf(prefix, sizeof prefix, "stackfuzz %s", k->name);
	unsigned given = 0;
	int ch;
	optind = 2;
	while ((ch = getopt_long(argc, argv, "vo:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'v':
			given |= F_VERBOSE;
			c->verbose = 1;
			break;
		case 'o':
			given |= F_OUT;
			c->out = optarg;
			break;
		case 'b':
			given |= F_BUGS;
			c->ho.bugs_set = 1;
			if (cli_parse_bugs(prefix, optarg, &c->ho.bugs) < 0)
				return 2;
			break;
		case 't':
			given |= F_TARGET;
			c->ho.target_set = 1;
			if (cli_parse_target(prefix, optarg, &c->ho.target) < 0)
				return 2;
			break;
		case 's':
			given |= F_STRESS;
			c->ho.stress = 1;
			break;
		case 'e':
			given |= F_EXPECT_CLEAN;
			c->expect_clean = 1;
			break;
		case 'j':
			given |= F_JSON;
			c->json = 1;
			break;
		case 'S':
			given |= F_STATS;
			c->stats = 1;
			break;
		case 'C':
			given |= F_CHECKS;
			if (!strcmp(optarg, "all"))
				c->ho.no_checks = 0;
			else if (!strcmp(optarg, "none"))
				c->ho.no_checks = 1;
			else
				return usage_error(k, "--checks wants all or none");
			break;
		case 'U': {
			char *end;
			errno = 0;
			unsigned long long b = strtoull(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' || *end || errno == ERANGE ||
			    !b || b > 100000000ull)
				return usage_error(k, "--budget wants a number from 1 to 100000000");
			given |= F_BUDGET;
			c->ho.budget = (uint32_t)b;
			break;
		}
		case 'F':
			given |= F_FULL_CHECKS;
			c->ho.full_checks = 1;
			break;
		case 'D':
			given |= F_DOT;
			c->dot = optarg;
			break;
		case 'B':
			given |= F_BARRIERS;
			c->ho.barriers_set = 1;
			if (!strcmp(optarg, "off"))
				c->ho.barriers = BARRIERS_OFF;
			else if (!strcmp(optarg, "spaced"))
				c->ho.barriers = BARRIERS_SPACED;
			else if (!strcmp(optarg, "every"))
				c->ho.barriers = BARRIERS_EVERY;
			else
				return usage_error(k, "--barriers wants off, spaced or every");
			break;
		case 'V':
			given |= F_VERIFY;
			c->ho.full_checks = 2;
			break;
		case 'n': {
			/* digits only: strtoull would take "-1" and wrap it */
			char *end;
			errno = 0;
			c->step = strtoull(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' || *end || errno == ERANGE ||
			    !c->step)
				return usage_error(k, "--step wants a number from 1 to "
						   "18446744073709551615");
			given |= F_STEP;
			break;
		}
		case 'h':
			print_command_help(k, stdout);
			return 0;
		default:
			return usage_error(k, NULL);
		}
	}
	for (size_t i = 0; i < sizeof flag_help / sizeof flag_help[0]; i++)
		if (given & ~k->flags & flag_help[i].flag) {
			char msg[128];
			snprintf(msg, sizeof msg, "%s does not apply to %s",
				 flag_help[i].name, k->name);
			return usage_error(k, msg);
		}
	return -1;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error(NULL, NULL);
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
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		const command *k = &commands[i];
		if (strcmp(cmd, k->name))
			continue;
		cli c;
		memset(&c, 0, sizeof c);
		int rc = parse_options(k, &c, argc, argv);
		if (rc >= 0)
			return rc;
		return k->fn(k, &c, argc - optind, argv + optind);
	}
	fprintf(stderr, "stackfuzz: unknown command '%s'\n", cmd);
	return usage_error(NULL, NULL);
}
