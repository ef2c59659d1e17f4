/*
** lang_bin.c: the binary form of programs, what fuzzers mutate.
**
** Decoding is total: every byte string (empty included) decodes, reading
** zeros past the end, and raw values are reduced into range and then
** handed to prog_repair(), which reinterprets whatever is still invalid
** (wrong slot types, callee kinds, ...). Of the config, the run's shape
** is stored (target, barrier mode, stress, preempt: so one fuzz campaign covers
** every configuration and a finding's header replays it); sizes, budget,
** bugs, expect and names are not: decode yields prog_init() defaults and
** the default names.
** Records have a fixed size, so a mutated opcode or operand stays local
** and never shifts the rest of the stream.
** New ops never change what existing bytes mean: a byte string decodes
** as it did before ops 19.. and results existed unless some function
** header byte has bit 2 or 3 set and bits 4-7 clear: bits every encoder
** wrote 0 and the first decoder ignored. Only raw byte mutation set
** them, and such inputs (1 in 16 of the random header bytes that set
** bit 2 or 3) decode differently now. The encoder sets bit 2 only for a
** function holding a new op and bit 3 only for one with a result, so
** programs without them encode byte for byte as before. The goroutine
** ops (31..) took bit 4 the same way: a header byte with bit 4 set and
** bits 5-7 clear, which decoded with bits 2-3 ignored, now reads bits 3
** and 4; the encoder sets bit 4 only for a function holding such an op.
** The thread op (34, cthread) took bit 5 likewise: a header byte with
** bit 5 set and bits 6-7 clear (which decoded with bits 2-4 ignored) now
** reads bit 3 (the result) and decodes op bytes as b % ST__COUNT.
**
** Layout (all multi-byte fields u16/int16 little-endian):
**
**   byte 0           bits 0-3: nfuncs - 1  (decode: b % 16 + 1)
**                    bits 4-5: barriers: 0 spaced (the default), 1 off,
**                              2 every frame, 3 spaced
**                    bit 6: stress; bit 7: target windows/386
**                    (a key is marked stated, has_*, only when it is not
**                    the default, so default programs print no header)
**   then per function, an 8-byte header followed by its statements:
**     h[0]           bit 0: kind (0 Go, 1 C); bit 1: FF_CGOWRAPPER;
**                    bit 2: the function uses the ops added after the
**                    first form (ST_ADD...): its op bytes decode as
**                    b % ST__COUNT, else as b % ST__COUNT_V1 (19);
**                    bit 3: the function has a result (slot nparams);
**                    bit 4: the function uses the goroutine ops (ST_GO,
**                    ST_GOSCHED, ST_WAIT): op bytes decode as
**                    b % ST__COUNT, bit 2 is ignored (encoded 0);
**                    bit 5: the function uses the thread op
**                    (ST_CTHREAD): op bytes decode as b % ST__COUNT,
**                    bits 2 and 4 are ignored (encoded 0); main's
**                    preempt as in the goroutine form;
**                    bits 6-7 encoded 0; if either is set, bits 2-5 are
**                    ignored too (read as 0)
**     h[1]           nparams               (decode: b % 5)
**     h[2]           nlocals               (decode: b % 9)
**     h[3..4]  u16   slot types, bit i = type of slot i (1 = *int);
**                    the result's bit and bits >= the slot count
**                    ignored (encoded 0)
**     h[5..6]  u16   pad / 8               (decode: w % 4096 * 8); in
**                    main's header in the goroutine form (bit 4), bits
**                    12-15 are the config's preempt (0-15; more is
**                    stored as 15; a preempt puts main in that form),
**                    else ignored (encoded 0)
**     h[7]           nstmts                (decode: b % 49)
**   each statement is a 16-byte record, its fields used as the op's row
**   in the op table (lang_op.h) says:
**     s[0]           op        (decode: b % 19, or b % 31 if h[0] bit 2,
**                               or b % 34 if h[0] bit 4, or
**                               b % ST__COUNT if h[0] bit 5)
**     s[1]           slot, if a form of the op has a target slot; else 0
**     s[2..3]  u16   w, by the row's callee and n kinds:
**                      a callee: its index (decode: w % nfuncs)
**                      LN_GROW: n/8 - 1    (decode: (w % 8191 + 1) * 8)
**                      LN_GC: kind         (decode: w % 3)
**                      LN_FORM: the form   (decode: w % 2)
**                      otherwise 0
**     s[4..15]       a[0..3], 3 bytes each: kind (decode: b % 5), then
**                    int16 v: the constant for EX_CONST, the slot index
**                    for EX_ADDR/EX_SLOT/EX_DEC (read as u16), 0 for
**                    EX_NIL. Used: the row's fixed arguments, or
**                    a[0..nparams(callee)-1] for ops with a callee; the
**                    rest encoded 0.
**
** Size: 1 + nfuncs * (8 + 16 * nstmts) <= 1 + 16 * (8 + 48 * 16)
** = PROG_BIN_MAX. For a valid program decode(encode(p)) == p (names and
** cfg/expect aside). Gotcha: the decoder gives call-like statements all
** four raw arguments (nargs = 4); repair then cuts them to the final
** callee's arity, so the arguments survive a callee remapping.
*/
#include "prog.h"

#include <string.h>

enum { FUNC_HDR = 8, STMT_REC = 16, EXPR_REC = 3 };

/* A reader that yields zeros past the end. */
typedef struct {
	const uint8_t *d;
	size_t len, pos;
} reader;

static uint8_t rd8(reader *r)
{
	return r->pos < r->len ? r->d[r->pos++] : (r->pos++, 0);
}

static uint16_t rd16(reader *r)
{
	uint16_t lo = rd8(r);
	return (uint16_t)(lo | (uint16_t)rd8(r) << 8);
}

/* Does any form of op name a target slot? */
static int has_slot(const lang_opinfo *o)
{
	return o->form[0].slot != LS_NONE ||
	       (o->form[1].text != NULL && o->form[1].slot != LS_NONE);
}

static void decode_stmt(reader *r, const prog *p, prog_stmt *s, int ext)
{
	memset(s, 0, sizeof *s);
	s->op = (uint8_t)(rd8(r) % (ext == 3   ? ST__COUNT
				    : ext == 2 ? ST__COUNT_V3
				    : ext	? ST__COUNT_V2
						: ST__COUNT_V1));
	uint8_t slot = rd8(r);
	uint16_t w = rd16(r);
	for (int i = 0; i < PROG_MAX_PARAMS; i++) {
		uint8_t k = (uint8_t)(rd8(r) % 5);
		uint16_t v = rd16(r);
		s->a[i].kind = k;
		/* two's complement by hand: converting an out-of-range value
		** to a signed type is implementation-defined */
		s->a[i].v = k == EX_CONST ? (int32_t)v - (v >= 0x8000 ? 0x10000 : 0)
					  : (int32_t)v;
	}
	const lang_opinfo *o = &lang_ops[s->op];
	if (has_slot(o))
		s->slot = slot;
	switch (o->n) {
	case LN_FORM:
		s->n = w % 2;
		break;
	case LN_GROW:
		s->n = (w % 8191 + 1) * 8;
		break;
	case LN_GC:
		s->n = w % GC__COUNT;
		break;
	default:
		break;
	}
	if (o->callee != LC_NONE) {
		s->fn = (uint8_t)(w % p->nfuncs);
		s->nargs = PROG_MAX_PARAMS;
	} else {
		s->nargs = (uint8_t)lang_op_nargs(s->op);
	}
	/* repair zeroes what the op does not use */
}

int prog_bin_headers(const uint8_t *data, size_t len, size_t *off, int max)
{
	if (data == NULL || len == 0)
		return 0;
	int nf = data[0] % PROG_MAX_FUNCS + 1, n = 0;
	size_t pos = 1;
	for (int f = 0; f < nf && n < max && pos < len; f++) {
		off[n++] = pos;
		size_t ns = pos + 7 < len ? data[pos + 7] % (PROG_MAX_STMTS + 1u) : 0;
		pos += 8 + 16 * ns;
	}
	return n;
}

void prog_bin_config(const prog_config *from, prog_config *to)
{
	to->preempt = from->preempt;
	to->has_preempt = to->preempt != 0;
	to->barriers = from->barriers;
	to->has_barriers = to->barriers != BARRIERS_SPACED;
	to->stress = from->stress != 0;
	to->has_stress = to->stress;
	to->target = from->target;
	to->has_target = to->target != TARGET_LINUX_AMD64;
}

void prog_bin_decode(const uint8_t *data, size_t len, prog *out)
{
	reader r = {data, data ? len : 0, 0};
	prog_init(out);
	uint8_t b0 = rd8(&r);
	out->nfuncs = b0 % PROG_MAX_FUNCS + 1u;
	static const uint8_t barriers[4] = {BARRIERS_SPACED, BARRIERS_OFF,
					     BARRIERS_EVERY, BARRIERS_SPACED};
	out->cfg.barriers = barriers[(b0 >> 4) & 3];
	out->cfg.has_barriers = out->cfg.barriers != BARRIERS_SPACED;
	out->cfg.stress = (b0 >> 6) & 1;
	out->cfg.has_stress = out->cfg.stress;
	out->cfg.target = b0 >> 7 ? TARGET_WINDOWS_386 : TARGET_LINUX_AMD64;
	out->cfg.has_target = out->cfg.target != TARGET_LINUX_AMD64;
	for (uint32_t fi = 0; fi < out->nfuncs; fi++) {
		prog_func *f = &out->funcs[fi];
		uint8_t h0 = rd8(&r);
		/* bits 2-3 count only with bits 5-7 clear, and bit 4 (the
		** goroutine ops) too, as every encoder writes them: a
		** byte-level mutant's header byte decodes as the first decoder
		** read it far more often */
		uint8_t hx = h0 & 0xc0 ? 0 : h0 & 0x20 ? h0 & 0x29 : h0;
		int ext = hx & 0x20 ? 3 : hx & 0x10 ? 2 : (hx >> 2) & 1;
		f->nresults = (hx >> 3) & 1;
		f->kind = h0 & 1;
		f->flags = (h0 >> 1) & FF_CGOWRAPPER;
		f->nparams = rd8(&r) % (PROG_MAX_PARAMS + 1);
		f->nlocals = rd8(&r) % (PROG_MAX_LOCALS + 1);
		if (f->nparams + f->nresults > PROG_MAX_PARAMS)
			f->nresults = 0; /* as repair does: 4 argument words */
		uint16_t types = rd16(&r);
		for (int i = 0; i < prog_nslots(f); i++)
			f->type[i] = i == prog_result_slot(f) ? TY_INT : (types >> i) & 1;
		uint16_t pad = rd16(&r);
		f->pad = pad % (PROG_MAX_PAD / 8 + 1) * 8u;
		if (fi == 0 && ext >= 2) { /* main in the goroutine form */
			out->cfg.preempt = pad >> 12;
			out->cfg.has_preempt = out->cfg.preempt != 0;
		}
		f->nstmts = rd8(&r) % (PROG_MAX_STMTS + 1u);
		for (uint32_t si = 0; si < f->nstmts; si++)
			decode_stmt(&r, out, &f->stmts[si], ext);
	}
	prog_repair(out);
}

/* ---- encoding ---- */

typedef struct {
	uint8_t *d;
	size_t cap, pos;
} writer;

static void wr8(writer *w, unsigned v)
{
	if (w->pos < w->cap)
		w->d[w->pos] = (uint8_t)v;
	w->pos++;
}

static void wr16(writer *w, unsigned v)
{
	wr8(w, v & 0xff);
	wr8(w, (v >> 8) & 0xff);
}

static uint32_t cap_u32(uint32_t v, uint32_t hi) { return v > hi ? hi : v; }

static void encode_stmt(writer *w, const prog_stmt *s)
{
	unsigned wv = 0;
	const lang_opinfo *o = lang_op(s->op);
	wr8(w, s->op);
	wr8(w, s->slot);
	if (o != NULL && o->callee != LC_NONE)
		wv = s->fn;
	else if (o != NULL && o->n == LN_GROW)
		wv = s->n >= 8 ? (unsigned)(s->n / 8 - 1) : 0;
	else if (o != NULL && o->n != LN_NONE)
		wv = (unsigned)s->n;
	wr16(w, wv & 0xffff);
	for (int i = 0; i < PROG_MAX_PARAMS; i++) {
		wr8(w, s->a[i].kind);
		wr16(w, (unsigned)s->a[i].v & 0xffff);
	}
}

size_t prog_bin_encode(const prog *p, uint8_t *buf, size_t cap)
{
	/* Invalid input is encoded field by field with counts clamped, so
	** this never reads out of bounds; its decode is just some valid
	** program. */
	if (p == NULL)
		return 0;
	uint32_t nf = p->nfuncs < 1 ? 1 : cap_u32(p->nfuncs, PROG_MAX_FUNCS);
	size_t need = 1;
	for (uint32_t i = 0; i < nf; i++)
		need += FUNC_HDR +
			STMT_REC * (size_t)cap_u32(p->funcs[i].nstmts, PROG_MAX_STMTS);
	if (need > cap || buf == NULL)
		return need;
	writer w = {buf, cap, 0};
	unsigned bar = p->cfg.barriers == BARRIERS_OFF	   ? 1u
		       : p->cfg.barriers == BARRIERS_EVERY ? 2u
							   : 0u;
	wr8(&w, (nf - 1) | bar << 4 | (p->cfg.stress ? 1u << 6 : 0u) |
			(p->cfg.target == TARGET_WINDOWS_386 ? 1u << 7 : 0u));
	for (uint32_t i = 0; i < nf; i++) {
		const prog_func *f = &p->funcs[i];
		int ns = f->nparams + (f->nresults ? 1 : 0) + f->nlocals;
		unsigned types = 0;
		for (int k = 0; k < ns && k < PROG_MAX_SLOTS; k++)
			if (k != prog_result_slot(f))
				types |= (unsigned)(f->type[k] & 1) << k;
		uint32_t nst = cap_u32(f->nstmts, PROG_MAX_STMTS);
		unsigned ext = 0;
		for (uint32_t k = 0; k < nst; k++) {
			unsigned e = f->stmts[k].op >= ST__COUNT_V3   ? 3u
				     : f->stmts[k].op >= ST__COUNT_V2 ? 2u
				     : f->stmts[k].op >= ST__COUNT_V1 ? 1u
								      : 0u;
			if (e > ext)
				ext = e;
		}
		if (i == 0 && p->cfg.preempt && ext < 2) /* preempt lives here */
			ext = 2u;
		wr8(&w, (f->kind & 1u) | (f->flags & FF_CGOWRAPPER ? 2u : 0u) |
				(ext == 3u ? 0x20u : ext == 2u ? 0x10u : ext ? 4u : 0u) |
				(f->nresults ? 8u : 0u));
		wr8(&w, f->nparams);
		wr8(&w, f->nlocals);
		wr16(&w, types);
		/* main in the goroutine form: preempt (0-15) in the pad word's
		** top bits, which the pad never uses */
		wr16(&w, cap_u32(f->pad, PROG_MAX_PAD) / 8 |
				 (i == 0 && ext >= 2u ? cap_u32(p->cfg.preempt, 15) << 12 : 0));
		wr8(&w, nst);
		for (uint32_t k = 0; k < nst; k++)
			encode_stmt(&w, &f->stmts[k]);
	}
	return w.pos;
}
