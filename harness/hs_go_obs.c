/*
** hs_go_obs.c: what `stackfuzz diff` compares, on both sides (hs_go.h).
**
** A model run and a run of the emitted Go binary are each reduced to the
** same lines: one `recover: V` per recover() run, then `outcome: ...`
** (ok, goexit, overflow, deadlock, check failed: F#K, or the unrecovered
** panic's chain one line per panic). Which model runs are comparable at
** all is decided here too (hs_go_comparable).
** Gotchas: the model tags a fault's panic " (fault)", which Go does not
** print; Go's main-goroutine Goexit, stack overflow and deadlock are fatal errors,
** mapped to the model's outcome names.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "hs_go.h"

/* ---- the observables ---- */

int hs_go_comparable(const prog *p, const hs_result *r, const hs_verdict *v,
		     int allow_overflow, const char **why)
{
	const char *w = NULL;
	if (p->cfg.target != TARGET_LINUX_AMD64)
		w = "windows/386";
	else if (p->cfg.preempt)
		w = "preempt"; /* Go preempts when it likes, not at the Nth safe point */
	else if (r->kind == OUT_BUDGET)
		w = "budget";
	else if (r->kind == OUT_LIMIT)
		w = "limit";
	else if (r->kind == OUT_INTERNAL)
		w = "internal";
	else if (r->kind == OUT_OVERFLOW && !allow_overflow)
		w = "overflow";
	else if (r->kind == OUT_VIOLATION &&
		 !(v && v->kind == JV_FALSE_BELIEF && r->inv == INV_DEF4))
		w = "violation";
	if (why)
		*why = w;
	return w == NULL;
}

char *hs_go_model_obs(const prog *p, const hs_result *r, const hs_verdict *v)
{
	rt_strbuf s = {0};
	rt_sb_printf(&s, "%s", r->observed ? r->observed : "");
	switch (r->kind) {
	case OUT_OK:
		rt_sb_printf(&s, "outcome: ok\n");
		break;
	case OUT_GOEXIT:
		rt_sb_printf(&s, "outcome: goexit\n");
		break;
	case OUT_OVERFLOW:
		rt_sb_printf(&s, "outcome: overflow\n");
		break;
	case OUT_FATAL: /* Go's line as it prints it */
		rt_sb_printf(&s, "outcome: %s\n", r->text ? r->text : "fatal error");
		break;
	case OUT_PANIC: {
		rt_sb_printf(&s, "outcome:\n");
		/* one line per panic of the chain, tabs kept, " (fault)" dropped */
		const char *t = r->text ? r->text : "";
		while (*t) {
			const char *nl = strchr(t, '\n');
			size_t len = nl ? (size_t)(nl - t) : strlen(t);
			char *line = strndup(t, len);
			if (!line)
				abort();
			char *f;
			while ((f = strstr(line, " (fault)")))
				memmove(f, f + 8, strlen(f + 8) + 1);
			rt_sb_printf(&s, "%s\n", line);
			free(line);
			t += len + (nl != NULL);
		}
		break;
	}
	case OUT_VIOLATION:
		if (v && v->kind == JV_FALSE_BELIEF && r->func >= 0 &&
		    (uint32_t)r->func < p->nfuncs) {
			rt_sb_printf(&s, "outcome: check failed: %s#%d\n",
				   p->funcs[r->func].name, r->stmt + 1);
			break;
		}
		rt_sb_printf(&s, "outcome: violation %s\n", inv_catalogue[r->inv].id);
		break;
	default:
		rt_sb_printf(&s, "outcome: %s\n", hs_outcome_name(r->kind));
	}
	return rt_sb_take(&s);
}

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

char *hs_go_normalise(int status, const char *out, const char *err)
{
	rt_strbuf s = {0};
	char check[200] = "";
	int ok = 0;
	/* stdout: the recover lines, then at most one ending line */
	for (const char *t = out ? out : ""; *t;) {
		const char *nl = strchr(t, '\n');
		size_t len = nl ? (size_t)(nl - t) : strlen(t);
		if (starts(t, "recover: "))
			rt_sb_printf(&s, "%.*s\n", (int)len, t);
		else if (starts(t, "check failed: "))
			snprintf(check, sizeof check, "%.*s", (int)len, t);
		else if (starts(t, "outcome: ok"))
			ok = 1;
		t += len + (nl != NULL);
	}
	if (status == -1) {
		rt_sb_printf(&s, "outcome: timeout\n");
		return rt_sb_take(&s);
	}
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (code == 0 && ok) {
		rt_sb_printf(&s, "outcome: ok\n");
		return rt_sb_take(&s);
	}
	if (code == 3 && check[0]) {
		rt_sb_printf(&s, "outcome: %s\n", check);
		return rt_sb_take(&s);
	}
	/* stderr: the panic chain, or the fatal error */
	const char *e = err ? err : "";
	const char *fatal = NULL;
	int inpanic = 0, done = 0;
	for (const char *t = e; *t && !done;) {
		const char *nl = strchr(t, '\n');
		size_t len = nl ? (size_t)(nl - t) : strlen(t);
		if (starts(t, "panic: ") || (inpanic && starts(t, "\tpanic: "))) {
			if (!inpanic)
				rt_sb_printf(&s, "outcome:\n");
			inpanic = 1;
			rt_sb_printf(&s, "%.*s\n", (int)len, t);
		} else if (inpanic) {
			done = 1; /* "[signal ...", "goroutine 1 [running]:", "" */
		} else if (starts(t, "fatal error: ") && !fatal) {
			fatal = t;
		}
		t += len + (nl != NULL);
	}
	if (inpanic)
		return rt_sb_take(&s);
	if (fatal) {
		size_t len = strcspn(fatal, "\n");
		if (starts(fatal, "fatal error: no goroutines (main called runtime.Goexit)"))
			rt_sb_printf(&s, "outcome: goexit\n");
		else if (starts(fatal, "fatal error: stack overflow"))
			rt_sb_printf(&s, "outcome: overflow\n");
		else if (starts(fatal, "fatal error: all goroutines are asleep - deadlock!"))
			rt_sb_printf(&s, "outcome: deadlock\n");
		else
			rt_sb_printf(&s, "outcome: %.*s\n", (int)len, fatal);
		return rt_sb_take(&s);
	}
	rt_sb_printf(&s, "outcome: exit status %d\n", code);
	return rt_sb_take(&s);
}
