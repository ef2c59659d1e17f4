/*
** cli_minimize.c: `stackfuzz minimize IN [-o OUT] [--bugs LIST] [--target T]
** [--stress] [--binary]`, the command-line face of hs_minimize (hs_minimize.c).
**
** IN is a text program, or with --binary any byte string (decoded the way
** the fuzzers decode it). It must end in a violation; the output is the
** canonical text of the reduced program with its config (bug switches
** target and stress from the command line folded in) and `# expect:
** violation ID`, so it replays with a plain `stackfuzz run`. Exit: 0
** reduced; 2 nothing to minimize (the input does not end in a
** violation), usage, I/O or parse error.
*/
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "hs_minexp.h"
#include "hs_oracle.h"

static const char usage[] =
	"usage: stackfuzz minimize IN [-o OUT] [--bugs LIST] [--target T] [--stress]\n"
	"                          [--binary] [--oracle go]\n"
	"\n"
	"Reduce a program that ends in a violation to a 1-minimal program that\n"
	"ends in the same violation ID (drop functions, statement chunks,\n"
	"statements, unused slots; simplify operands; shrink pad/grow/constants;\n"
	"drop cgowrapper flags). Writes canonical text to OUT (default stdout)\n"
	"and 'steps A -> B, statements C -> D' to stderr.\n"
	"\n"
	"  -o FILE        output file\n"
	"  --bugs LIST    bug switches, overriding the program's config\n"
	"  --target T     linux/amd64 or windows/386, overriding the program's config\n"
	"  --stress       move the stack at every safe point\n"
	"  --binary       IN is a binary (fuzzer) input: decode it first\n"
	"  --oracle go    reduce a disagreement with real Go instead: keep the\n"
	"                 programs on which the model and Go 1.19 still disagree\n"
	"                 the same way (see `stackfuzz diff`); Go's outcome becomes\n"
	"                 the output's expect, both sides its comments\n"
	"  -h, --help     this text\n"
	"\n"
	"exit status: 0 reduced, 2 nothing to minimize (the run does not end in a\n"
	"violation; with --oracle go, the model and Go agree), usage, I/O, parse or\n"
	"Go build error\n";

/* Prints each line of t as a comment "# TAG LINE". */
static void comment_lines(FILE *f, const char *tag, const char *t)
{
	while (t && *t) {
		size_t len = strcspn(t, "\n");
		fprintf(f, "# %s %.*s\n", tag, (int)len, t);
		t += len + (t[len] == '\n');
	}
}

/* Writes the header comment (head: its text, then for a Go disagreement
** both sides as comments) and out's canonical text to outpath (stdout if
** NULL). 0, or -1 after the message. */
static int write_result(const char *outpath, const prog *out, const char *head,
			const char *model, const char *go)
{
	char *text = prog_print(out);
	if (!text)
		return -1;
	FILE *f = outpath ? fopen(outpath, "w") : stdout;
	if (!f) {
		fprintf(stderr, "%s: %s\n", outpath, strerror(errno));
		free(text);
		return -1;
	}
	fputs(head, f);
	if (model || go) {
		fprintf(f, "# the model and Go 1.19 disagree (the expect line is Go's outcome)\n");
		comment_lines(f, "model:", model);
		comment_lines(f, "go:   ", go);
	}
	fputs(text, f);
	free(text);
	if (outpath && fclose(f) != 0) {
		fprintf(stderr, "%s: %s\n", outpath, strerror(errno));
		return -1;
	}
	return 0;
}

/* minimize --oracle go */
static int minimize_oracle(const prog *p, const hs_options *o, const char *in,
			   const char *outpath)
{
	prog *out = malloc(sizeof *out);
	if (!out)
		return 2;
	hs_oracle_minstats st;
	char err[4096];
	int rc = 2;
	int r = hs_oracle_minimize(p, o, out, &st, err, sizeof err);
	if (r < 0) {
		fprintf(stderr, "%s: minimizing with Go failed: %s\n", in, err);
		goto done;
	}
	if (r == 1) {
		if (st.model && st.go)
			fprintf(stderr, "%s: nothing to minimize: the model and Go agree\n", in);
		else
			fprintf(stderr, "%s: nothing to minimize: the model's run is not "
				"comparable with Go (budget, limit, violation, windows/386)\n", in);
		goto done;
	}
	char head[128];
	snprintf(head, sizeof head,
		 "# minimized by stackfuzz minimize --oracle go: %u -> %u statements\n",
		 st.stmts_before, st.stmts_after);
	if (write_result(outpath, out, head, st.model, st.go) < 0)
		goto done;
	fprintf(stderr, "minimize: disagreement kept; statements %u -> %u, functions "
		"%u -> %u (%llu model runs, %llu Go runs in %u builds)\n",
		st.stmts_before, st.stmts_after, st.funcs_before, st.funcs_after,
		(unsigned long long)st.runs, (unsigned long long)st.go_runs, st.builds);
	rc = 0;
done:
	free(st.model);
	free(st.go);
	free(out);
	return rc;
}

static int load_binary(const char *path, prog *p)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	uint8_t *buf = malloc(PROG_BIN_MAX);
	if (!buf) {
		fclose(f);
		return -1;
	}
	size_t n = fread(buf, 1, PROG_BIN_MAX, f);
	fclose(f);
	prog_bin_decode(buf, n, p);
	free(buf);
	return 0;
}

int cli_minimize(int argc, char **argv)
{
	static const struct option opts[] = {
		{"bugs", required_argument, 0, 'b'},
		{"target", required_argument, 0, 't'},
		{"stress", no_argument, 0, 's'},
		{"binary", no_argument, 0, 'B'},
		{"oracle", required_argument, 0, 'O'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	hs_options o;
	memset(&o, 0, sizeof o);
	const char *outpath = NULL;
	int binary = 0, target_set = 0, oracle = 0, ch;
	uint32_t target = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			outpath = optarg;
			break;
		case 'b':
			o.bugs_set = 1;
			if (cli_parse_bugs("stackfuzz minimize", optarg, &o.bugs) < 0)
				return 2;
			break;
		case 't':
			target_set = 1;
			if (cli_parse_target("stackfuzz minimize", optarg, &target) < 0)
				return 2;
			break;
		case 's':
			o.stress = 1;
			break;
		case 'B':
			binary = 1;
			break;
		case 'O':
			if (strcmp(optarg, "go")) {
				fprintf(stderr, "stackfuzz minimize: --oracle: only 'go' "
					"is known, not '%s'\n", optarg);
				return 2;
			}
			oracle = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "stackfuzz minimize: one input program\n");
		fputs(usage, stderr);
		return 2;
	}
	const char *in = argv[optind];
	o.file = in;
	prog *p = malloc(sizeof *p), *out = malloc(sizeof *out);
	int rc = 2;
	if (!p || !out)
		goto done;
	if (binary) {
		if (cli_check_readable(in) < 0 || load_binary(in, p) < 0)
			goto done;
	} else if (cli_load(in, p) < 0) {
		goto done;
	}
	/* folded into the program, so the output replays on its own */
	if (target_set) {
		p->cfg.target = (uint8_t)target;
		p->cfg.has_target = 1;
	}
	if (oracle) {
		rc = minimize_oracle(p, &o, in, outpath);
		goto done;
	}
	hs_minstats st;
	if (hs_minimize(p, &o, out, &st) < 0) {
		if (st.inv < 0)
			fprintf(stderr, "%s: nothing to minimize: the run does not "
				"end in a violation (%llu steps)\n", in,
				(unsigned long long)st.steps_before);
		else
			fprintf(stderr, "%s: minimizing failed\n", in);
		rc = 2;
		goto done;
	}
	char head[128];
	snprintf(head, sizeof head, "# minimized by stackfuzz minimize: %u -> %u statements\n",
		 st.stmts_before, st.stmts_after);
	if (write_result(outpath, out, head, NULL, NULL) < 0)
		goto done;
	fprintf(stderr, "minimize: violation %s kept; steps %llu -> %llu, "
		"statements %u -> %u, functions %u -> %u (%llu runs, %u rounds)\n",
		inv_catalogue[st.inv].id, (unsigned long long)st.steps_before,
		(unsigned long long)st.steps_after, st.stmts_before, st.stmts_after,
		st.funcs_before, st.funcs_after, (unsigned long long)st.runs,
		st.rounds);
	rc = 0;
done:
	free(p);
	free(out);
	return rc;
}
