/*
** lang_header.c: the header lines of the text form, `# config: k=v ...`
** and `# expect: ...`, read and printed; and bug lists ("7695,12238").
**
** Headers are comments to anything else: only lines before the first
** function are read as headers, and a further '#' on a header line
** starts a comment as everywhere (so a panic value cannot contain '#').
** Gotcha: a config key is printed if the header stated it (has_*) OR its
** value differs from prog_init's, so a config set in code (by a fuzzer)
** survives into a printed reproducer; reading such a text back sets the
** has_* flags.
*/
#include "lang_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const target_names[] = {"linux/amd64", "windows/386"};
static const char *const barrier_names[] = {"off", "spaced", "every"};

static int herr(lang_hdr *h, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int herr(lang_hdr *h, uint32_t col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->msg, sizeof h->msg, fmt, ap);
	va_end(ap);
	h->errcol = col;
	return -1;
}

/* A word of a header line: [s, s+len) at column col. */
typedef struct {
	const char *s;
	size_t len;
	uint32_t col;
} word;

static int split_words(const char *s, size_t len, uint32_t col0, word *w,
		       int max)
{
	int n = 0;
	size_t i = 0;
	while (n < max) {
		while (i < len && lang_is_blank((unsigned char)s[i]))
			i++;
		if (i == len)
			break;
		w[n].s = s + i;
		w[n].col = col0 + (uint32_t)i;
		while (i < len && !lang_is_blank((unsigned char)s[i]))
			i++;
		w[n].len = (size_t)((s + i) - w[n].s);
		n++;
	}
	return n;
}

static int word_is(const char *s, size_t len, const char *lit)
{
	return len == strlen(lit) && memcmp(s, lit, len) == 0;
}

/* Decimal number in [lo, hi]; -1 if not one. */
static int parse_num(const char *s, size_t len, uint32_t lo, uint32_t hi,
		     uint32_t *out)
{
	unsigned long long v = 0;
	if (len == 0 || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!lang_is_digit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int enum_val(const char *s, size_t len, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (word_is(s, len, names[i]))
			return i;
	return -1;
}

/* One key=value: sets the value; returns -1 if the value is bad. */
static int config_value(lang_hdr *h, uint8_t *has, const char *v, size_t vl,
			uint32_t col)
{
	prog_config *c = &h->p->cfg;
	uint32_t u;
	int e = -1;
	if (has == &c->has_target) {
		e = enum_val(v, vl, target_names, 2);
		if (e >= 0)
			c->target = (uint8_t)e;
	} else if (has == &c->has_barriers) {
		e = enum_val(v, vl, barrier_names, 3);
		if (e >= 0)
			c->barriers = (uint8_t)e;
	} else if (has == &c->has_stack) {
		e = parse_num(v, vl, LANG_MIN_STACK, LANG_MAX_STACK, &u);
		if (e == 0 && u % 8)
			e = -1;
		if (e == 0)
			c->stack = u;
		h->stack_line = h->line;
		h->stack_col = col;
	} else if (has == &c->has_maxstack) {
		e = parse_num(v, vl, 1, LANG_MAX_MAXSTACK, &u);
		if (e == 0)
			c->maxstack = u;
		h->maxstack_line = h->line;
		h->maxstack_col = col;
	} else if (has == &c->has_budget) {
		e = parse_num(v, vl, 1, LANG_MAX_BUDGET, &u);
		if (e == 0)
			c->budget = u;
	} else if (has == &c->has_bugs) {
		char buf[64];
		if (vl < sizeof buf) {
			memcpy(buf, v, vl);
			buf[vl] = 0;
			e = prog_parse_bugs(buf, &c->bugs);
		}
	} else if (has == &c->has_preempt) {
		e = parse_num(v, vl, 0, LANG_MAX_PREEMPT, &u);
		if (e == 0)
			c->preempt = u;
	} else if (has == &c->has_stress) {
		e = parse_num(v, vl, 0, 1, &u);
		if (e == 0)
			c->stress = (uint8_t)u;
	} else {
		e = parse_num(v, vl, 0, 4, &u);
		if (e == 0)
			c->debug = (uint8_t)u;
	}
	return e;
}

static int config_line(lang_hdr *h, const char *s, size_t len, uint32_t col0)
{
	prog_config *c = &h->p->cfg;
	const struct {
		const char *key;
		uint8_t *has;
	} keys[] = {
		{"target", &c->has_target},	{"stack", &c->has_stack},
		{"maxstack", &c->has_maxstack}, {"budget", &c->has_budget},
		{"barriers", &c->has_barriers}, {"bug", &c->has_bugs},
		{"stress", &c->has_stress},	{"debug", &c->has_debug},
		{"preempt", &c->has_preempt},
	};
	word w[32];
	int nw = split_words(s, len, col0, w, 32);
	if (nw == 32)
		return herr(h, w[31].col, "too many config keys");
	for (int i = 0; i < nw; i++) {
		const char *eq = memchr(w[i].s, '=', w[i].len);
		if (eq == NULL)
			return herr(h, w[i].col, "expected key=value");
		size_t kl = (size_t)(eq - w[i].s);
		const char *v = eq + 1;
		size_t vl = w[i].len - kl - 1;
		const char *k = w[i].s;
		uint8_t *has = NULL;
		for (size_t j = 0; j < sizeof keys / sizeof keys[0]; j++)
			if (word_is(k, kl, keys[j].key))
				has = keys[j].has;
		if (has == NULL)
			return herr(h, w[i].col, "unknown config key '%.*s'",
				    (int)kl, k);
		if (*has)
			return herr(h, w[i].col, "duplicate config key '%.*s'",
				    (int)kl, k);
		*has = 1;
		if (config_value(h, has, v, vl, w[i].col) < 0)
			return herr(h, w[i].col + (uint32_t)kl + 1,
				    "bad value '%.*s' for config key '%.*s'",
				    (int)vl, v, (int)kl, k);
	}
	return 0;
}

static int expect_id(lang_hdr *h, const word *w, int nw)
{
	prog_expect *x = &h->p->expect;
	int ok = w[1].len > 0 && w[1].len < sizeof x->id;
	for (size_t i = 0; ok && i < w[1].len; i++)
		ok = lang_is_alnum((unsigned char)w[1].s[i]);
	if (!ok)
		return herr(h, w[1].col, "bad invariant id '%.*s'", (int)w[1].len,
			    w[1].s);
	if (nw > 2)
		return herr(h, w[2].col, "unexpected '%.*s'", (int)w[2].len,
			    w[2].s);
	memcpy(x->id, w[1].s, w[1].len);
	x->id[w[1].len] = 0;
	if (!lang_id_known(x->id))
		return herr(h, w[1].col, "unknown invariant id '%.*s'",
			    (int)w[1].len, w[1].s);
	return 0;
}

static int expect_line(lang_hdr *h, const char *s, size_t len, uint32_t col0)
{
	prog_expect *x = &h->p->expect;
	word w[3];
	int nw = split_words(s, len, col0, w, 3);
	if (h->have_expect)
		return herr(h, col0 - 7, "duplicate expect line");
	h->have_expect = 1;
	if (nw == 0)
		return herr(h, col0, "expected an expectation");
	static const struct {
		const char *w;
		int kind;
		int arg;
	} kinds[] = {
		{"ok", EXPECT_OK, 0},	      {"violation", EXPECT_VIOLATION, 1},
		{"panic", EXPECT_PANIC, 2},   {"goexit", EXPECT_GOEXIT, 0},
		{"overflow", EXPECT_OVERFLOW, 0}, {"budget", EXPECT_BUDGET, 0},
		{"limit", EXPECT_LIMIT, 0},   {"deadlock", EXPECT_DEADLOCK, 0},
		{"fatal", EXPECT_FATAL, 0},
	};
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		if (!word_is(w[0].s, w[0].len, kinds[k].w))
			continue;
		x->kind = (uint8_t)kinds[k].kind;
		if (kinds[k].arg == 0) {
			if (nw > 1)
				return herr(h, w[1].col, "unexpected '%.*s'",
					    (int)w[1].len, w[1].s);
			return 0;
		}
		if (nw < 2)
			return herr(h, w[0].col + (uint32_t)w[0].len, "%s",
				    kinds[k].arg == 1 ? "expected an invariant id"
						      : "expected a panic value");
		if (kinds[k].arg == 1)
			return expect_id(h, w, nw);
		/* panic: the rest of the line, trimmed */
		size_t end = len;
		while (end > 0 && lang_is_blank((unsigned char)s[end - 1]))
			end--;
		size_t start = (size_t)(w[1].s - s), n = end - start;
		if (n >= sizeof x->text)
			return herr(h, w[1].col, "panic value too long (max %d chars)",
				    (int)sizeof x->text - 1);
		for (size_t i = start; i < end; i++)
			if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
				return herr(h, col0 + (uint32_t)i,
					    "bad character in panic value");
		memcpy(x->text, s + start, n);
		return 0;
	}
	return herr(h, w[0].col, "unknown expectation '%.*s'", (int)w[0].len,
		    w[0].s);
}

int lang_header_line(lang_hdr *h, const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && lang_is_blank((unsigned char)line[i]))
		i++;
	if (i == len || line[i] != '#')
		return 0;
	i++;
	while (i < len && lang_is_blank((unsigned char)line[i]))
		i++;
	int cfg = len - i >= 7 && memcmp(line + i, "config:", 7) == 0;
	int exp = len - i >= 7 && memcmp(line + i, "expect:", 7) == 0;
	if (!cfg && !exp)
		return 0;
	i += 7;
	/* a further '#' starts a comment, as everywhere */
	const char *hash = memchr(line + i, '#', len - i);
	size_t end = hash ? (size_t)(hash - line) : len;
	int r = cfg ? config_line(h, line + i, end - i, (uint32_t)i + 1)
		    : expect_line(h, line + i, end - i, (uint32_t)i + 1);
	return r < 0 ? -1 : 1;
}

/* ---- printing ---- */

/* A key is printed if the header stated it or its value is not the
** default: parsed programs print exactly their stated keys, and a
** program whose cfg was set in code (a fuzzer's) keeps its config when
** printed as a reproducer. */
static void print_config(lang_sbuf *b, const prog_config *c)
{
	/* prog_init's values (a whole prog is too big for the stack here) */
	static const prog_config defaults = {
		.target = TARGET_LINUX_AMD64, .barriers = BARRIERS_SPACED,
		.stack = 2048, .maxstack = 1048576, .budget = 200000,
	};
	const prog_config *d = &defaults;
	char bugs[64];
	int t = c->has_target || c->target != d->target;
	int st = c->has_stack || c->stack != d->stack;
	int ms = c->has_maxstack || c->maxstack != d->maxstack;
	int bu = c->has_budget || c->budget != d->budget;
	int ba = c->has_barriers || c->barriers != d->barriers;
	int bg = c->has_bugs || c->bugs != d->bugs;
	int sr = c->has_stress || c->stress != d->stress;
	int db = c->has_debug || c->debug != d->debug;
	int pr = c->has_preempt || c->preempt != d->preempt;
	if (!(t | st | ms | bu | ba | bg | sr | db | pr))
		return;
	lang_sb_printf(b, "# config:");
	if (t)
		lang_sb_printf(b, " target=%s",
			       c->target < 2 ? target_names[c->target] : "?");
	if (st)
		lang_sb_printf(b, " stack=%u", c->stack);
	if (ms)
		lang_sb_printf(b, " maxstack=%u", c->maxstack);
	if (bu)
		lang_sb_printf(b, " budget=%u", c->budget);
	if (ba)
		lang_sb_printf(b, " barriers=%s",
			       c->barriers < 3 ? barrier_names[c->barriers] : "?");
	if (bg) {
		prog_format_bugs(c->bugs, bugs, sizeof bugs);
		lang_sb_printf(b, " bug=%s", bugs);
	}
	if (sr)
		lang_sb_printf(b, " stress=%u", c->stress);
	if (db)
		lang_sb_printf(b, " debug=%u", c->debug);
	if (pr)
		lang_sb_printf(b, " preempt=%u", c->preempt);
	lang_sb_printf(b, "\n");
}

static void print_expect(lang_sbuf *b, const prog_expect *x)
{
	static const char *const words[] = {
		"", "ok", "violation", "panic", "goexit", "overflow", "budget", "limit",
		"deadlock", "fatal",
	};
	if (x->kind == EXPECT_NONE)
		return;
	if (x->kind >= sizeof words / sizeof words[0]) {
		lang_sb_printf(b, "# expect: ?\n");
		return;
	}
	lang_sb_printf(b, "# expect: %s", words[x->kind]);
	if (x->kind == EXPECT_VIOLATION)
		lang_sb_printf(b, " %.*s", (int)strnlen(x->id, sizeof x->id), x->id);
	else if (x->kind == EXPECT_PANIC)
		lang_sb_printf(b, " %.*s", (int)strnlen(x->text, sizeof x->text),
			       x->text);
	lang_sb_printf(b, "\n");
}

void lang_print_headers(lang_sbuf *b, const prog *p)
{
	print_config(b, &p->cfg);
	print_expect(b, &p->expect);
}

/* ---- bug lists ---- */

static const struct {
	uint32_t bit;
	const char *name;
} bug_names[] = { /* ascending by number */
	{BUG_7470, "7470"},
	{BUG_7695, "7695"},
	{BUG_12238, "12238"},
};

int prog_parse_bugs(const char *list, uint32_t *bugs)
{
	uint32_t m = 0;
	const char *s = list;
	if (list == NULL || bugs == NULL)
		return -1;
	while (lang_is_blank((unsigned char)*s))
		s++;
	if (*s == 0 || strcmp(s, "none") == 0) {
		*bugs = 0;
		return 0;
	}
	for (;;) {
		while (lang_is_blank((unsigned char)*s))
			s++;
		size_t n = 0;
		while (lang_is_digit((unsigned char)s[n]))
			n++;
		size_t k;
		for (k = 0; k < sizeof bug_names / sizeof bug_names[0]; k++)
			if (word_is(s, n, bug_names[k].name))
				break;
		if (k == sizeof bug_names / sizeof bug_names[0])
			return -1;
		m |= bug_names[k].bit;
		s += n;
		while (lang_is_blank((unsigned char)*s))
			s++;
		if (*s == 0)
			break;
		if (*s != ',')
			return -1;
		s++;
	}
	*bugs = m;
	return 0;
}

void prog_format_bugs(uint32_t bugs, char *buf, size_t len)
{
	size_t o = 0;
	if (buf == NULL || len == 0)
		return;
	buf[0] = 0;
	for (size_t k = 0; k < sizeof bug_names / sizeof bug_names[0]; k++) {
		if (!(bugs & bug_names[k].bit))
			continue;
		int n = snprintf(buf + o, len - o, "%s%s", o ? "," : "",
				 bug_names[k].name);
		if (n < 0 || (size_t)n >= len - o)
			return; /* truncated, still NUL-terminated */
		o += (size_t)n;
	}
	if (o == 0)
		snprintf(buf, len, "none");
}
