/*
** lang_lex.c: the lexer of the text form, one line at a time.
**
** Tokens: identifiers, decimal numbers (saturating at LANG_BIG, so an
** out-of-range constant is reported by value, not as garbage), and the
** punctuation ( ) , = == * & - + <. The same lexer reads the op table's
** templates (with `%c` holes), so a template and the text it describes
** split into tokens the same way. The caller has cut the comment.
*/
#include "lang_internal.h"

#include <stdio.h>
#include <string.h>

int lang_is_blank(int c) { return c == ' ' || c == '\t' || c == '\r'; }

int lang_tok_is(const lang_tok *t, const char *s)
{
	return t->kind != LT_EOL && t->kind != LT_HOLE &&
	       (size_t)t->len == strlen(s) && memcmp(t->s, s, (size_t)t->len) == 0;
}

int lang_lex(const char *line, size_t len, int holes, lang_line *out,
	     uint32_t *errcol, char *msg, size_t msglen)
{
	size_t i = 0;
	out->nt = 0;
	for (;;) {
		while (i < len && lang_is_blank((unsigned char)line[i]))
			i++;
		if (out->nt == LANG_MAX_TOKS) {
			*errcol = (uint32_t)i + 1;
			snprintf(msg, msglen, "too many tokens on one line");
			return -1;
		}
		lang_tok *t = &out->t[out->nt];
		memset(t, 0, sizeof *t);
		t->col = (uint32_t)i + 1;
		t->s = line + i;
		if (i == len) {
			t->kind = LT_EOL;
			return 0;
		}
		unsigned char c = (unsigned char)line[i];
		size_t j = i + 1;
		if (lang_is_alpha(c)) {
			while (j < len && lang_is_alnum((unsigned char)line[j]))
				j++;
			t->kind = LT_IDENT;
		} else if (lang_is_digit(c)) {
			t->num = c - '0';
			while (j < len && lang_is_digit((unsigned char)line[j])) {
				t->num = t->num * 10 + (line[j] - '0');
				if (t->num > LANG_BIG)
					t->num = LANG_BIG;
				j++;
			}
			t->kind = LT_NUM;
		} else if (c == '=' && j < len && line[j] == '=') {
			j++;
			t->kind = LT_PUNCT;
		} else if (strchr("(),=*&-+<", c) != NULL && c != 0) {
			t->kind = LT_PUNCT;
		} else if (holes && c == '%' && j < len) {
			j++;
			t->kind = LT_HOLE;
		} else {
			*errcol = t->col;
			if (c > 0x20 && c < 0x7f)
				snprintf(msg, msglen, "unexpected character '%c'", c);
			else
				snprintf(msg, msglen, "unexpected byte 0x%02x", c);
			return -1;
		}
		t->len = (int)(j - i);
		i = j;
		out->nt++;
	}
}
