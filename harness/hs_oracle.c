/*
** hs_oracle.c: real Go 1.19 as the oracle, for batches of programs.
**
** A batch is one Go module (hs_go_emit), one `go build` and one run of the
** binary per entry, each with a timeout; both sides are normalised to the
** same observable text (hs_go.h), so comparing is comparing strings.
**
** Minimizing a disagreement (hs_oracle_minimize) reuses the op-level
** minimizer (hs_minimize_by) with the question "do the model and Go still
** disagree, the same way?". Asking Go one candidate at a time would cost a
** cgo build (a second or more) per candidate, so the question is answered
** from a cache, and the search runs in rounds:
**   - a candidate whose Go answer is not cached is recorded as pending and
**     answered "no" for now; the search goes on (so one round collects
**     every candidate the minimizer would try from the current program);
**   - the pending candidates go to Go as one batch; the search runs again,
**     from the last program it kept, and now sees their answers.
** The minimizer is deterministic, so a round repeats the previous one's
** choices and goes further. It ends when a round asks nothing new: its
** result was then judged entirely by real answers. Rounds are about the
** number of accepted reductions, so builds stay few.
**
** "The same way": the first line where the two observable texts differ
** has the same kind on each side as in the input (hs_oracle_diffkind: a
** recover() value, the outcome's kind, a panic line). A reduction that
** turns a wrong recover() value into, say, a Go timeout is another
** disagreement, not this one.
** Gotcha: candidates are keyed by their canonical text without the step
** budget (the minimizer caps candidates' budgets; Go has no budget).
*/
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hs_judge.h"
#include "hs_oracle.h"

enum {
	ORACLE_RUN_TIMEOUT_MS = 10000,
	ORACLE_MAX_ROUNDS = 400,
};

/* ---- running Go ---- */

static void setenv_default(const char *k, const char *v)
{
	const char *cur = getenv(k);
	if (!cur || !*cur)
		setenv(k, v, 1);
}

void hs_oracle_env(void)
{
	setenv_default("GOFLAGS", "-mod=mod");
	setenv_default("GOPROXY", "off");
	setenv_default("GOTOOLCHAIN", "local");
	setenv_default("GOCACHE", "/tmp/stackfuzz-gocache");
	setenv_default("CGO_ENABLED", "1");
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return strdup("");
	rt_strbuf s = {0};
	char buf[4096];
	size_t r;
	while ((r = fread(buf, 1, sizeof buf, f)) > 0)
		rt_sb_printf(&s, "%.*s", (int)r, buf);
	fclose(f);
	char *t = rt_sb_take(&s);
	return t ? t : strdup("");
}

/* Runs argv in dir with stdout/stderr into files; the wait status, or -1
** on a timeout (the child is killed), -2 if it could not start. */
static int spawn(const char *dir, char *const argv[], const char *out,
		 const char *err, int timeout_ms)
{
	pid_t pid = fork();
	if (pid < 0)
		return -2;
	if (pid == 0) {
		if (chdir(dir) < 0)
			_exit(127);
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		int fi = open("/dev/null", O_RDONLY);
		if (fo < 0 || fe < 0 || fi < 0)
			_exit(127);
		dup2(fi, 0);
		dup2(fo, 1);
		dup2(fe, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	int status;
	for (int waited = 0;; waited += 2) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			return status;
		if (w < 0)
			return -2;
		if (timeout_ms && waited >= timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		struct timespec ts = {0, 2000000};
		nanosleep(&ts, NULL);
	}
}

static int build(const char *dir, char *err, size_t errlen)
{
	hs_oracle_env();
	char *argv[] = {"go", "build", "-o", "stackfuzzgo", ".", NULL};
	char out[4200], log[4200];
	snprintf(out, sizeof out, "%s/build.out", dir);
	snprintf(log, sizeof log, "%s/build.log", dir);
	int st = spawn(dir, argv, out, log, 0);
	if (st == -2 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		char *l = slurp(log);
		snprintf(err, errlen, "go build in %s failed%s:\n%.3000s", dir,
			 st == -2 ? " (is go installed?)" : "", l);
		free(l);
		return -1;
	}
	return 0;
}

static const char *const module_files[] = {
	"go.mod", "main.go", "progs.c", "stackfuzzgo",
	"build.out", "build.log", "run.out", "run.err",
};

int hs_oracle_go(const hs_go_entry *e, size_t n, const char *keepdir, char **obs,
		 char *err, size_t errlen)
{
	char dir[4096];
	if (keepdir) {
		snprintf(dir, sizeof dir, "%s", keepdir);
	} else {
		const char *tmp = getenv("TMPDIR");
		snprintf(dir, sizeof dir, "%s/stackfuzz-go.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			snprintf(err, errlen, "mkdtemp: %s", strerror(errno));
			return -1;
		}
	}
	int rc = -1;
	if (hs_go_emit(dir, e, n, err, errlen) < 0 || build(dir, err, errlen) < 0)
		goto out;
	char outp[4200], errp[4200];
	snprintf(outp, sizeof outp, "%s/run.out", dir);
	snprintf(errp, sizeof errp, "%s/run.err", dir);
	for (size_t i = 0; i < n; i++) {
		char k[32];
		snprintf(k, sizeof k, "%zu", i);
		char *argv[] = {"./stackfuzzgo", k, NULL};
		int st = spawn(dir, argv, outp, errp, ORACLE_RUN_TIMEOUT_MS);
		char *o = slurp(outp), *er = slurp(errp);
		obs[i] = hs_go_normalise(st, o, er);
		free(o);
		free(er);
	}
	rc = 0;
out:
	if (!keepdir) {
		/* the module is small and ours: leave nothing behind */
		for (size_t i = 0; i < sizeof module_files / sizeof *module_files; i++) {
			char f[4200];
			snprintf(f, sizeof f, "%s/%s", dir, module_files[i]);
			unlink(f);
		}
		rmdir(dir);
	}
	return rc;
}

/* ---- comparing ---- */

/* The kind of one observable line (see hs_oracle.h). */
static void line_kind(const char *t, size_t len, char *k, size_t klen)
{
	if (!t) {
		snprintf(k, klen, "(end)");
		return;
	}
	if (len >= 8 && !strncmp(t, "outcome:", 8)) {
		/* "outcome: ok" -> "outcome:ok"; "outcome:" (a panic chain follows) */
		size_t w = 8;
		while (w < len && t[w] == ' ')
			w++;
		size_t e = w;
		while (e < len && t[e] != ' ' && t[e] != ':')
			e++;
		snprintf(k, klen, "outcome:%.*s", (int)(e - w), t + w);
		return;
	}
	const char *c = memchr(t, ':', len);
	size_t n = c ? (size_t)(c - t) : len;
	while (n && (t[0] == '\t' || t[0] == ' ')) { /* "\tpanic: ..." */
		t++;
		n--;
	}
	snprintf(k, klen, "%.*s", (int)n, t);
}

int hs_oracle_diffkind(const char *model, const char *go, char *mk, size_t mklen,
		       char *gk, size_t gklen)
{
	const char *a = model ? model : "", *b = go ? go : "";
	for (;;) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
		if (!*a && !*b)
			return 0;
		if (la != lb || strncmp(a, b, la) || !*a || !*b) {
			line_kind(*a ? a : NULL, la, mk, mklen);
			line_kind(*b ? b : NULL, lb, gk, gklen);
			return 1;
		}
		a += la + (a[la] == '\n');
		b += lb + (b[lb] == '\n');
	}
}

/* ---- minimizing a disagreement ---- */

typedef struct ocand {
	char *key; /* canonical text, budget left out */
	char *go;  /* Go's observables, NULL while pending */
	prog *p;   /* the program, while pending */
	uint32_t maxstack;
} ocand;

typedef struct octx {
	int allow_overflow;
	int have_kinds;
	char mk[48], gk[48]; /* the input's first differing kinds */
	ocand *v;
	size_t n, cap;
	size_t npending;
	uint64_t go_runs;
	uint32_t builds;
	char *last_model, *last_go; /* the last candidate kept */
} octx;

static char *cand_key(const prog *p)
{
	prog *q = malloc(sizeof *q);
	if (!q)
		abort();
	*q = *p;
	q->cfg.budget = 0;
	q->cfg.has_budget = 0;
	memset(&q->expect, 0, sizeof q->expect);
	char *t = prog_print(q);
	free(q);
	if (!t)
		abort();
	return t;
}

static ocand *lookup(octx *c, const char *key)
{
	/* a linear search: a minimization asks a few thousand questions */
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].key, key))
			return &c->v[i];
	return NULL;
}

static ocand *add(octx *c, char *key, const prog *p, const hs_result *r)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 256;
		ocand *nv = realloc(c->v, cap * sizeof *nv);
		if (!nv)
			abort();
		c->v = nv;
		c->cap = cap;
	}
	ocand *o = &c->v[c->n++];
	memset(o, 0, sizeof *o);
	o->key = key;
	o->p = malloc(sizeof *o->p);
	if (!o->p)
		abort();
	*o->p = *p;
	/* overflow: Go's limit at the model's, so Go overflows soon too */
	o->maxstack = r->kind == OUT_OVERFLOW ? p->cfg.maxstack : 0;
	c->npending++;
	return o;
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = strdup(s);
	if (!*dst)
		abort();
}

static int okeep(void *ctx, const prog *cand, const hs_result *res,
		 const struct hs_verdict *v)
{
	octx *c = ctx;
	if (!hs_go_comparable(cand, res, v, c->allow_overflow, NULL))
		return 0;
	char *key = cand_key(cand);
	ocand *o = lookup(c, key);
	if (!o) {
		add(c, key, cand, res); /* answered in the next batch */
		return 0;
	}
	free(key);
	if (!o->go)
		return 0; /* pending already */
	char *model = hs_go_model_obs(cand, res, v);
	char mk[48], gk[48];
	int keep = 0;
	if (hs_oracle_diffkind(model, o->go, mk, sizeof mk, gk, sizeof gk)) {
		if (!c->have_kinds) {
			c->have_kinds = 1;
			snprintf(c->mk, sizeof c->mk, "%s", mk);
			snprintf(c->gk, sizeof c->gk, "%s", gk);
		}
		keep = !strcmp(mk, c->mk) && !strcmp(gk, c->gk);
	}
	if (keep || !c->last_model) {
		/* the first answer (the input's) is kept for the caller too */
		set_str(&c->last_model, model);
		set_str(&c->last_go, o->go);
	}
	free(model);
	return keep;
}

/* Sends every pending candidate to Go as one batch. */
static int flush(octx *c, char *err, size_t errlen)
{
	hs_go_entry *e = calloc(c->npending, sizeof *e);
	size_t *idx = calloc(c->npending, sizeof *idx);
	char **obs = calloc(c->npending, sizeof *obs);
	if (!e || !idx || !obs)
		abort();
	size_t k = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (c->v[i].go)
			continue;
		e[k].p = c->v[i].p;
		e[k].label = "candidate";
		e[k].maxstack = c->v[i].maxstack;
		idx[k++] = i;
	}
	int rc = hs_oracle_go(e, k, NULL, obs, err, errlen);
	if (rc == 0) {
		c->builds++;
		c->go_runs += k;
		for (size_t j = 0; j < k; j++) {
			ocand *o = &c->v[idx[j]];
			o->go = obs[j];
			free(o->p);
			o->p = NULL;
		}
		c->npending = 0;
	}
	free(e);
	free(idx);
	free(obs);
	return rc;
}

void hs_oracle_expect(const char *go, prog_expect *x)
{
	memset(x, 0, sizeof *x);
	const char *o = strstr(go, "outcome:");
	if (!o)
		return;
	if (!strncmp(o, "outcome: ok\n", 12)) {
		x->kind = EXPECT_OK;
	} else if (!strncmp(o, "outcome: goexit\n", 16)) {
		x->kind = EXPECT_GOEXIT;
	} else if (!strncmp(o, "outcome: overflow\n", 18)) {
		x->kind = EXPECT_OVERFLOW;
	} else if (!strncmp(o, "outcome:\npanic: ", 16)) {
		const char *t = o + 16;
		size_t len = strcspn(t, "\n");
		const char *rec = strstr(t, " [recovered]");
		if (rec && (size_t)(rec - t) < len)
			len = (size_t)(rec - t);
		if (len >= sizeof x->text)
			return; /* longer than an expect line holds: say nothing */
		x->kind = EXPECT_PANIC;
		memcpy(x->text, t, len);
	}
}

int hs_oracle_expect_ok(const prog_expect *x, const char *go, char *why, size_t len)
{
	const char *o = strstr(go, "outcome:");
	o = o ? o : "outcome: (none)";
	int ok;
	switch (x->kind) {
	case EXPECT_OK:
		ok = !strncmp(o, "outcome: ok\n", 12);
		break;
	case EXPECT_GOEXIT:
		ok = !strncmp(o, "outcome: goexit\n", 16);
		break;
	case EXPECT_OVERFLOW:
		ok = !strncmp(o, "outcome: overflow\n", 18);
		break;
	case EXPECT_PANIC: {
		/* as hs_expect reads it: the first panic line starts with the
		** text, which ends there or at a space */
		size_t n = strlen(x->text);
		const char *t = o + 16;
		ok = !strncmp(o, "outcome:\npanic: ", 16) && !strncmp(t, x->text, n) &&
		     (t[n] == '\n' || t[n] == ' ' || t[n] == 0);
		break;
	}
	default:
		return 1;
	}
	if (!ok)
		snprintf(why, len, "the program expects %s%s%s, Go's %.*s",
			 x->kind == EXPECT_OK ? "ok" : x->kind == EXPECT_GOEXIT ? "goexit"
			 : x->kind == EXPECT_OVERFLOW ? "overflow" : "panic",
			 x->kind == EXPECT_PANIC ? " " : "", x->kind == EXPECT_PANIC ? x->text : "",
			 (int)strcspn(o, "\n"), o);
	return ok;
}

int hs_oracle_minimize(const prog *in, const hs_options *o, prog *out,
		       hs_oracle_minstats *st, char *err, size_t errlen)
{
	memset(st, 0, sizeof *st);
	octx c;
	memset(&c, 0, sizeof c);
	prog *cur = malloc(sizeof *cur);
	hs_result *r = calloc(1, sizeof *r);
	if (!cur || !r)
		abort();
	*cur = *in;
	hs_verdict v;
	hs_run_judged(cur, o, r, NULL, &v);
	/* overflow is compared by its kind; allow it only if the input has it */
	c.allow_overflow = r->kind == OUT_OVERFLOW;
	hs_result_free(r);
	free(r);
	int rc = -1;
	snprintf(err, errlen, "no result after %d rounds", ORACLE_MAX_ROUNDS);
	for (int round = 0; round < ORACLE_MAX_ROUNDS; round++) {
		hs_minstats ms;
		int mr = hs_minimize_by(cur, o, okeep, &c, out, &ms);
		if (round == 0) {
			st->stmts_before = ms.stmts_before;
			st->funcs_before = ms.funcs_before;
		}
		st->runs += ms.runs;
		if (!c.npending) {
			/* every answer of this round was Go's: the result stands */
			if (mr == 0) {
				hs_oracle_expect(c.last_go, &out->expect);
				st->stmts_after = ms.stmts_after;
				st->funcs_after = ms.funcs_after;
				rc = 0;
			} else {
				rc = 1; /* the input does not disagree (or is not comparable) */
			}
			break;
		}
		if (flush(&c, err, errlen) < 0)
			break;
		if (mr == 0)
			*cur = *out; /* kept by real answers: go on from there */
	}
	st->builds = c.builds;
	st->go_runs = c.go_runs;
	st->model = c.last_model;
	st->go = c.last_go;
	for (size_t i = 0; i < c.n; i++) {
		free(c.v[i].key);
		free(c.v[i].go);
		free(c.v[i].p);
	}
	free(c.v);
	free(cur);
	return rc;
}
