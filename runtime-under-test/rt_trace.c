/*
** rt_trace.c: the one unwinder (Go's gentraceback).
**
** What it models: walking a G's frames from a PC/SP using only the
** function table and the return-PC slots in stack memory. Copying, GC,
** panics and the checkers all walk frames through here.
**
** Rules:
**  - at a function's entry PC the frame is not yet allocated (size 0);
**  - a frame's return-PC slot is at sp + framesize, its args start at
**    fp = slot + 8, and its caller's SP is fp + argsize;
**  - a return PC must be a return point: site + 8 of a calling site of
**    its function, goexit's (bottom), or lessstack's (segment top; the
**    walk continues in the previous segment from the Stktop record).
**
** It must consume exactly the frames that exist and stop at the top:
** anything else is reported (TB_*), as Go's "traceback did not unwind
** completely". It never writes memory and reads only through mc_peek.
*/
#include <string.h>

#include "rt.h"

const char *rt_tbresult_name(rt_tbresult t)
{
	switch (t) {
	case TB_OK:
		return "ok";
	case TB_BADPC:
		return "pc is not in any function";
	case TB_BADRET:
		return "return PC is not a return point";
	case TB_OUTSIDE:
		return "frame outside its stack segment";
	case TB_INCOMPLETE:
		return "traceback did not unwind completely";
	case TB_FAULT:
		return "return-PC slot unreadable";
	}
	return "?";
}

static int is_retpoint(const rt *r, rt_addr pc, int fn, uint32_t site)
{
	return pc == rt_retpc(&r->funcs[fn], site);
}

/* A return point of an ordinary calling site of some function. */
static int valid_return(const rt_func *f, rt_addr lr)
{
	if (!f || lr < f->entry + RT_SITE)
		return 0;
	rt_addr off = lr - f->entry;
	if (off % RT_SITE != RT_PCQUANTUM)
		return 0;
	uint64_t site = off / RT_SITE - 1;
	return site < f->nsites && site < 64 && ((f->retsites >> site) & 1);
}

/* A frame of f at (pc, sp) in the segment [lo, hi): at the entry PC
** the frame is not yet allocated. */
static void frame_init(rt_frame *fr, const rt_func *f, rt_addr pc, rt_addr sp,
		       rt_addr lo, rt_addr hi, uint32_t seg)
{
	/* one initializer, not memset and stores: this runs for every frame
	** every walk meets, and a sanitizer build pays a call for memset */
	uint32_t fs = pc == f->entry ? 0 : f->framesize;
	*fr = (rt_frame){.fn = f, .pc = pc, .sp = sp, .framesize = fs,
			 .lrptr = sp + fs, .fp = sp + fs + RT_WORD, .seg = seg,
			 .seglo = lo, .seghi = hi};
}

#define FAIL(code, ...)                                      \
	do {                                                 \
		if (why)                                     \
			snprintf(why, whylen, __VA_ARGS__);  \
		return code;                                 \
	} while (0)

rt_tbresult rt_traceback(const rt *r, rt_addr pc, rt_addr sp, int toponly,
			 rt_frame_cb cb, void *arg, char *why, size_t whylen)
{
	rt_addr seglo = r->g.lo, seghi = r->g.hi;
	uint32_t seg = 0;
	uint32_t bar = r->g.stkbarpos; /* next live barrier to meet */
	rt_addr barpc = r->funcs[RTF_STACKBARRIER].entry;
	/* live entries below the walk's start belong to frames that no
	** longer exist (a recovery that did not unwind them): the walk
	** cannot meet them, and BAR5 reports them */
	for (rt_word p; bar < r->g.stkbarlen; bar++) {
		if (mc_peek(&r->mem, rt_stkbar_base(r) + 8ull * RT_STKBAR_WORDS * bar, &p) ||
		    p >= sp)
			break;
	}
	if (why && whylen)
		why[0] = 0;
	/* No depth limit: within a segment every frame ends above the one
	** before (sp strictly ascends to the segment's top), and a walk
	** meets each segment once, so a segment chain longer than the
	** regions the machine ever made is a loop in corrupted Stktops. */
	for (uint32_t depth = 0;; depth++) {
		if (seg > r->mem.nregions)
			FAIL(TB_INCOMPLETE, "segment chain loops (%u segments)", seg);
		/* between a RET and the trampoline it returned to */
		if (is_retpoint(r, pc, RTF_GOEXIT, 0) ||
		    is_retpoint(r, pc, RTF_LESSSTACK, 0)) {
			if (sp != seghi)
				FAIL(TB_INCOMPLETE, "at %s with sp %#llx, segment top is %#llx",
				     is_retpoint(r, pc, RTF_GOEXIT, 0) ? "goexit" : "lessstack",
				     (unsigned long long)sp, (unsigned long long)seghi);
			rt_word plo, phi, ppc, psp;
			if (mc_peek(&r->mem, seghi + 8 * STKTOP_PREV_LO, &plo) ||
			    mc_peek(&r->mem, seghi + 8 * STKTOP_PREV_HI, &phi) ||
			    mc_peek(&r->mem, seghi + 8 * STKTOP_PC, &ppc) ||
			    mc_peek(&r->mem, seghi + 8 * STKTOP_SP, &psp))
				FAIL(TB_FAULT, "Stktop of segment %u unreadable", seg);
			if (is_retpoint(r, pc, RTF_GOEXIT, 0)) {
				if (phi)
					FAIL(TB_INCOMPLETE, "goexit reached in segment %u, "
					     "which has a previous segment", seg);
				return TB_OK;
			}
			if (!phi)
				FAIL(TB_INCOMPLETE, "lessstack in the first segment");
			if (toponly)
				return TB_OK;
			seglo = plo;
			seghi = phi;
			seg++;
			pc = ppc;
			sp = psp;
			continue;
		}
		const rt_func *f = rt_findfunc(r, pc);
		if (!f || (f->flags & RFF_NOFRAME))
			FAIL(TB_BADPC, "frame %u: pc %#llx is %s", depth,
			     (unsigned long long)pc,
			     f ? "in a frameless trampoline" : "in no function");
		rt_frame fr;
		frame_init(&fr, f, pc, sp, seglo, seghi, seg);
		if (sp < seglo || fr.fp + f->argsize > seghi)
			FAIL(TB_OUTSIDE,
			     "frame %u (%s): [%#llx, %#llx) outside segment "
			     "[%#llx, %#llx)",
			     depth, f->name, (unsigned long long)sp,
			     (unsigned long long)(fr.fp + f->argsize),
			     (unsigned long long)seglo,
			     (unsigned long long)seghi);
		rt_word lr;
		if (mc_peek(&r->mem, fr.lrptr, &lr) != 0)
			FAIL(TB_FAULT, "frame %u (%s): return-PC slot %#llx unreadable",
			     depth, f->name, (unsigned long long)fr.lrptr);
		if (lr == barpc) { /* substitute the saved return PC */
			rt_word bp = 0, bv = 0;
			rt_addr e = rt_stkbar_base(r) + 8ull * RT_STKBAR_WORDS * bar;
			if (bar >= r->g.stkbarlen || mc_peek(&r->mem, e, &bp) ||
			    bp != fr.lrptr)
				FAIL(TB_BADRET, "frame %u (%s): missed stack barrier at "
				     "slot %#llx", depth, f->name,
				     (unsigned long long)fr.lrptr);
			mc_peek(&r->mem, e + 8, &bv);
			lr = bv;
			bar++;
		}
		fr.lr = lr;
		rt_addr end = fr.fp + f->argsize;
		if (is_retpoint(r, lr, RTF_GOEXIT, 0)) {
			if (end != seghi)
				FAIL(TB_INCOMPLETE,
				     "bottom frame %s ends at %#llx, stack top is %#llx",
				     f->name, (unsigned long long)end,
				     (unsigned long long)seghi);
			rt_word prev;
			mc_peek(&r->mem, seghi + 8 * STKTOP_PREV_HI, &prev);
			if (prev != 0)
				FAIL(TB_INCOMPLETE,
				     "goexit reached in segment %u, which has a "
				     "previous segment", seg);
			if (cb && !cb(r, &fr, arg))
				return TB_OK;
			return TB_OK;
		}
		if (is_retpoint(r, lr, RTF_LESSSTACK, 0)) {
			if (end != seghi)
				FAIL(TB_INCOMPLETE,
				     "segment top frame %s ends at %#llx, segment "
				     "top is %#llx",
				     f->name, (unsigned long long)end,
				     (unsigned long long)seghi);
			fr.segtop = 1;
			if (cb && !cb(r, &fr, arg))
				return TB_OK;
			if (toponly)
				return TB_OK;
			rt_word plo, phi, ppc, psp;
			if (mc_peek(&r->mem, seghi + 8 * STKTOP_PREV_LO, &plo) ||
			    mc_peek(&r->mem, seghi + 8 * STKTOP_PREV_HI, &phi) ||
			    mc_peek(&r->mem, seghi + 8 * STKTOP_PC, &ppc) ||
			    mc_peek(&r->mem, seghi + 8 * STKTOP_SP, &psp))
				FAIL(TB_FAULT, "Stktop of segment %u unreadable", seg);
			if (phi == 0)
				FAIL(TB_INCOMPLETE,
				     "lessstack return in the first segment");
			seglo = plo;
			seghi = phi;
			seg++;
			pc = ppc;
			sp = psp;
			continue;
		}
		if (!valid_return(rt_findfunc(r, lr), lr))
			FAIL(TB_BADRET,
			     "frame %u (%s): return PC %#llx at slot %#llx is not "
			     "a return point",
			     depth, f->name, (unsigned long long)lr,
			     (unsigned long long)fr.lrptr);
		if (cb && !cb(r, &fr, arg))
			return TB_OK;
		pc = lr;
		sp = end;
	}
}

/* The M's OS stack: C frames, callbackasm1 frames, mstart at the bottom.
** A C frame called by asmcgocall returns into the runtime; below it g0
** rests either in mstart or in an outer callbackasm1. */
rt_tbresult rt_traceback_g0(const rt *r, rt_addr pc, rt_addr sp, rt_frame_cb cb,
			    void *arg, char *why, size_t whylen)
{
	rt_addr lo = r->g0.lo, hi = r->g0.hi;
	rt_addr asmret = rt_retpc(&r->funcs[RTF_ASMCGOCALL], 0);
	if (why && whylen)
		why[0] = 0;
	/* No depth limit: every frame ends above the one before. */
	for (uint32_t depth = 0;; depth++) {
		if (pc == asmret) { /* a C call just returned */
			pc = rt_g0_rest_pc(r, sp);
			if (pc == asmret)
				FAIL(TB_BADRET, "OS stack frame %u: asmcgocall returns "
				     "into itself", depth);
		}
		const rt_func *f = rt_findfunc(r, pc);
		if (!f || (f->flags & RFF_NOFRAME))
			FAIL(TB_BADPC, "OS stack frame %u: pc %#llx is %s", depth,
			     (unsigned long long)pc,
			     f ? "in a frameless trampoline" : "in no function");
		rt_frame fr;
		frame_init(&fr, f, pc, sp, lo, hi, 0);
		rt_addr end = fr.fp + f->argsize;
		if (sp < lo || end > hi)
			FAIL(TB_OUTSIDE, "OS stack frame %u (%s) outside [%#llx, %#llx)",
			     depth, f->name, (unsigned long long)lo,
			     (unsigned long long)hi);
		rt_word lr;
		if (mc_peek(&r->mem, fr.lrptr, &lr) != 0)
			FAIL(TB_FAULT, "OS stack frame %u (%s): return-PC slot unreadable",
			     depth, f->name);
		fr.lr = lr;
		if (f == &r->funcs[RTF_MSTART]) {
			if (lr != 0 || end != hi)
				FAIL(TB_INCOMPLETE, "mstart's frame is not at the top of "
				     "the OS stack");
			if (cb)
				cb(r, &fr, arg);
			return TB_OK;
		}
		if (lr != asmret && !valid_return(rt_findfunc(r, lr), lr))
			FAIL(TB_BADRET, "OS stack frame %u (%s): return PC %#llx is not a "
			     "return point", depth, f->name, (unsigned long long)lr);
		if (cb && !cb(r, &fr, arg))
			return TB_OK;
		pc = lr;
		sp = end;
	}
}
