/*
** cli_explore.c: `stackfuzz explore --depth K [--bugs LIST] [--target T]
** [--barriers off|spaced|every] [--stress] [--max-seconds S] [-o DIR]`,
** the command-line face of hs_explore (hs_explore.c). Its flags live
** here, not in main.c, so the explorer's options change in one place.
**
** Progress (depth, programs tried, programs/s, runs/s, steps/s, the
** frontier left) goes to stderr; -o DIR writes every program run there
** (text, config header, its outcome as `# expect:`), so `stackfuzz check
** DIR` replays them. On the
** first violation the program (canonical text with its config and expect
** headers, ready for `stackfuzz run`) goes to stdout and the exit status
** is 1; 0 means no violation up to depth K (or up to where --max-seconds
** stopped it, which stderr says); 2 is a usage error.
*/
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "hs_minexp.h"

static const char usage[] =
	"usage: stackfuzz explore --depth K [--bugs LIST] [--target T] [--stress]\n"
	"                         [--barriers MODE] [--max-seconds S] [-o DIR] [-q]\n"
	"\n"
	"Enumerate programs breadth first (main and up to 3 helper functions, Go\n"
	"or C, 1..K statements in all); print the first violating program, a\n"
	"shortest one, and exit 1; exit 0 if none.\n"
	"\n"
	"  --depth K        statements in all (1..16)\n"
	"  --bugs LIST      bug switches for every program (7695,7470,12238)\n"
	"  --target T       linux/amd64 (default) or windows/386\n"
	"  --stress         move the stack at every safe point\n"
	"  --barriers MODE  GC stack barriers off|spaced|every (default: spaced)\n"
	"  --max-seconds S  stop after S seconds\n"
	"  -o DIR           write every program run to DIR (replay: check DIR)\n"
	"  -q, --quiet      no progress on stderr\n"
	"  -h, --help       this text\n";

int cli_explore(int argc, char **argv)
{
	static const struct option opts[] = {
		{"depth", required_argument, 0, 'd'},
		{"bugs", required_argument, 0, 'b'},
		{"target", required_argument, 0, 't'},
		{"stress", no_argument, 0, 's'},
		{"max-seconds", required_argument, 0, 'm'},
		{"barriers", required_argument, 0, 'B'},
		{"output", required_argument, 0, 'o'},
		{"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	hs_explore_opts o;
	memset(&o, 0, sizeof o);
	o.depth = -1;
	o.progress = stderr;
	int ch;
	char *end;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "qho:", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': {
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 16) {
				fprintf(stderr, "stackfuzz explore: --depth wants 1..16\n");
				return 2;
			}
			o.depth = (int)v;
			break;
		}
		case 'b':
			if (cli_parse_bugs("stackfuzz explore", optarg, &o.bugs) < 0)
				return 2;
			break;
		case 't': {
			uint32_t t;
			if (cli_parse_target("stackfuzz explore", optarg, &t) < 0)
				return 2;
			o.target = (int)t;
			break;
		}
		case 's':
			o.stress = 1;
			break;
		case 'B':
			o.barriers_set = 1;
			if (!strcmp(optarg, "off")) {
				o.barriers = BARRIERS_OFF;
			} else if (!strcmp(optarg, "spaced")) {
				o.barriers = BARRIERS_SPACED;
			} else if (!strcmp(optarg, "every")) {
				o.barriers = BARRIERS_EVERY;
			} else {
				fprintf(stderr, "stackfuzz explore: --barriers: off, spaced or "
					"every, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'o':
			o.outdir = optarg;
			break;
		case 'm':
			o.max_seconds = strtod(optarg, &end);
			if (*end || !(o.max_seconds > 0)) {
				fprintf(stderr, "stackfuzz explore: --max-seconds wants a "
					"positive number\n");
				return 2;
			}
			break;
		case 'q':
			o.progress = NULL;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc || o.depth < 0) {
		fprintf(stderr, "stackfuzz explore: --depth K is required; no "
			"other arguments\n");
		fputs(usage, stderr);
		return 2;
	}
	prog *found = malloc(sizeof *found);
	hs_result *res = calloc(1, sizeof *res);
	int rc = 2;
	hs_explore_stats st;
	if (!found || !res)
		goto out;
	int r = hs_explore(&o, found, res, &st);
	if (r < 0) {
		fprintf(stderr, "stackfuzz explore: internal error\n");
		goto out;
	}
	double s = st.seconds > 0 ? st.seconds : 1e-9;
	if (r == 1) {
		char *t = prog_print(found);
		if (t) {
			fputs(t, stdout);
			free(t);
		}
		fprintf(stderr, "explore: violation %s after %llu programs in %.3fs "
			"(%.0f programs/s): main has %u statements, %u in all\n",
			inv_catalogue[res->inv].id, (unsigned long long)st.programs,
			st.seconds, (double)st.programs / s, found->funcs[0].nstmts,
			hs_prog_nstmts(found));
		fprintf(stderr, "  %s\n", res->text);
		rc = 1;
	} else {
		fprintf(stderr, "explore: no violation; every program up to depth %d "
			"run%s: %llu programs (%llu runs, %llu twins skipped), %llu states pruned, %.3fs "
			"(%.0f programs/s, %.0f runs/s, %.0f steps/s)\n",
			st.depth_done, st.timed_out ? " (stopped by --max-seconds)" : "",
			(unsigned long long)st.programs, (unsigned long long)st.runs,
			(unsigned long long)st.twins, (unsigned long long)st.pruned, st.seconds, (double)st.programs / s,
			(double)st.runs / s, (double)st.steps / s);
		rc = 0;
	}
out:
	free(found);
	hs_result_free(res);
	free(res);
	return rc;
}
