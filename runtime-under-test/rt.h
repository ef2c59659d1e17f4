/*
** rt.h: the reference runtime, a model of Go's (1.2-1.7 era) goroutine
** stacks on a simulated 64-bit, amd64-like machine.
**
** Layer: uses only libc; knows nothing of checkers, programs or the
** harness (DESIGN.md section 1).
**
** The machine: 8-byte words, stacks grow down, CALL pushes the return PC
** (the return-PC slot of a frame is the word just below its caller's
** SP). All memory (stacks, segments, defer records, the M's OS stack)
** lives in one simulated address space (machine/, mc.h) behind one
** checked accessor; freed regions stay as dead tombstones.
**
** Frame layout of a function f, for sp = f's SP:
**
**     higher addresses
**     +------------------+ <- fp + argsize  (== caller's sp)
**     | args (argsize)   |    pushed by the caller, popped by f's RET
**     +------------------+ <- fp = argp
**     | return PC        |    the "LR slot": sp + framesize
**     +------------------+
**     | locals+pad       |    framesize bytes; locals map covers words
**     +------------------+ <- sp            from sp up
**     lower addresses
**
** At f's entry PC the frame is not yet allocated (the prologue runs
** there: the stack check, morestack); the unwinder treats the frame size
** as 0 at the entry PC, as Go's pcsp table does.
**
** The text segment: function i has entry TEXT_BASE + i*RT_FUNC_SPAN.
** Site k of a function is at entry + 16*(k+1); the return point of a call
** made at site k is that site + 8. A program function's statement k runs
** at site k; its epilogue (deferreturn, then RET) is site nstmts.
**
** Layering: this library builds on machine/ (mc.h) and uses nothing
** else; it knows nothing of programs or checkers: the harness drives it
** through the calls below, and the checkers only read its state (and
** its step events, which carry what a checker needs to know about what
** a step did: a copy, a segment, a barrier hit).
*/
#ifndef STACKFUZZ_RT_H
#define STACKFUZZ_RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mc.h"

/* The runtime's names for the machine's address and word. */
typedef mc_addr rt_addr;
typedef mc_word rt_word;

enum {
	RT_WORD = 8,
	RT_PCQUANTUM = 8,
	RT_SITE = 16,		 /* bytes between sites in a function */
	RT_FUNC_SPAN = 0x1000,	 /* text bytes per function */
	RT_STACK_GUARD = 256,	 /* bytes kept free below the guard */
	RT_STACK_MIN = 2048,	 /* smallest stack / segment */
	RT_STKTOP_WORDS = 8,	 /* segment link record at a stack's top */
	RT_DEFER_HDR_WORDS = 8,	 /* defer record header, args follow */
	RT_PANIC_WORDS = 7,	 /* panic record, in gopanic's frame */
	RT_MAX_FUNCS = 128,
	RT_MAX_ARGS = 8,
};

/* Debug levels, as Go's StackDebug: constants tested with `if`. */
enum {
	RT_DEBUG_STACKS = 1, /* per-stack operations */
	RT_DEBUG_FRAMES = 2, /* per-frame operations */
	RT_DEBUG_WORDS = 3,  /* per-word updates */
	RT_DEBUG_READS = 4,  /* per-word reads */
};

/* Bug switches: restore pre-fix behaviour (same bits as prog.h BUG_*). */
enum {
	RT_BUG_7695 = 1 << 0,  /* skip the defer copyability check (seed 002) */
	RT_BUG_7470 = 1 << 1,  /* SEH head not restored on cgo panic (seed 003) */
	RT_BUG_12238 = 1 << 2, /* barrier over cgocallback_gofunc (seed 000) */
};

/* ------------------------------------------------------------------ */
/* The runtime's own loads and stores: through the checked accessor; a
** fault is recorded for MEM1 and the load yields 0. */
static inline rt_word rt_ld(mc_mem *m, rt_addr a)
{
	/* the page cache's region, live, the word aligned: exactly the
	** case where mc_load records nothing and reads the word; every
	** other case (a miss, a dead region, nil, misalignment) goes
	** through mc_load, which records the fault */
	const mc_region *l = m->pagecache[mc_page_slot(a)];
	if (l && a >= l->base && a < l->base + l->size && l->live && !(a & 7))
		return l->w[(a - l->base) / 8];
	rt_word v;
	mc_load(m, a, &v);
	return v;
}
static inline void rt_st(mc_mem *m, rt_addr a, rt_word v) { mc_store(m, a, v); }

/* ------------------------------------------------------------------ */
/* Text segment and function table (rt_text.c)                         */
/* ------------------------------------------------------------------ */

typedef enum {
	RF_GO = 0,	/* program Go function (frame on a G stack) */
	RF_C = 1,	/* program C function (frame on the OS stack) */
	RF_RUNTIME = 2, /* runtime-internal */
	RF_LEAF = 3,	/* `grow N` leaf: a frame of N bytes, returns */
} rt_func_kind;

enum {
	RFF_ARGMAP = 1 << 0,   /* has an args pointer map */
	RFF_LOCALMAP = 1 << 1, /* has a locals pointer map (Go-compiled) */
	RFF_NOFRAME = 1 << 2,  /* no prologue, no frame (trampolines) */
	RFF_RESULT = 1 << 3,   /* the last argument word is a result: a
				  segment return (lessstack) and a return
				  from C or from a callback copy it back
				  into the caller's argument area, as Go's
				  did with its results */
};

typedef struct rt_func {
	char name[24];
	uint8_t kind; /* rt_func_kind */
	uint8_t flags;
	uint32_t nsites;
	uint64_t retsites; /* bit k: site k makes calls; site k + 8 is a
			      valid return PC */
	uint32_t framesize, argsize; /* bytes */
	uint64_t argmap, localmap;   /* bit i: word i is a pointer */
	int32_t user;		     /* harness's id, -1 for runtime */
	uint32_t nseh;		     /* C: room for own SEH records */
	uint32_t nlocals;	     /* words of named locals at sp (the
					locals map's length, as Go's stackmap) */
	rt_addr entry, end;
} rt_func;

/* Indices of the runtime-internal functions (registered first). */
enum {
	RTF_GOEXIT = 0,	   /* bottom of every G stack; site 0 returns here */
	RTF_GOPANIC,	   /* runs deferred calls for a panic; site 0 */
	RTF_GOEXIT1,	   /* runtime.Goexit, same loop as gopanic       */
	RTF_LESSSTACK,	   /* segment return trampoline; site 0          */
	RTF_STACKBARRIER,  /* GC stack barrier trampoline                */
	RTF_MSTART,	   /* bottom of the M's OS stack                 */
	RTF_CGOCALL,	   /* Go -> C                                    */
	RTF_ASMCGOCALL,	   /* switch to the OS stack                     */
	RTF_CGOCALLBACK,   /* C -> Go, on the OS stack (callbackasm1)    */
	RTF_CGOCB_GOFUNC,  /* cgocallback_gofunc's G-stack frame         */
	RTF_DEFERRETURN,   /* name only: deferred calls at return        */
	RTF_ENDCGO,	   /* cgocall's deferred cleanup                 */
	RTF_UNWINDM,	   /* cgocallbackg1's deferred unwind of g0      */
	RTF_SIGTRAMP,	   /* Go's SEH handler (windows/386)             */
	RTF_CHANDLER,	   /* a C function's own SEH handler             */
	RTF__COUNT
};

/* Inline: the unwinder and the checkers ask for nearly every frame. */
static inline rt_addr rt_site_pc(const rt_func *f, uint32_t site)
{
	return f->entry + (rt_addr)RT_SITE * (site + 1);
}
static inline rt_addr rt_retpc(const rt_func *f, uint32_t site) /* site pc + 8 */
{
	return rt_site_pc(f, site) + RT_PCQUANTUM;
}

/* ------------------------------------------------------------------ */
/* G, M and the runtime state (rt_proc.c)                              */
/* ------------------------------------------------------------------ */

typedef struct rt_gobuf {
	rt_addr pc, sp;
} rt_gobuf;

/* What the step's stack scan visited (GC1 compares it with what Go's
** rule says it must visit): the frames its walk handed to scanframe,
** innermost first. Real data of the walk, not a flag: a scan that skips
** the innermost frame shows another first_sp, a rescan that stops one
** frame early another last_lrptr and nprog. Each G keeps the report of
** its last scan (g->scan; GC over every G scans suspended ones too),
** stamped with the step that made it: GC1 judges this step's only. */
enum { RT_SCAN_NONE = 0, RT_SCAN_MARK = 1, RT_SCAN_MARKTERM = 2 };
typedef struct rt_scanrep {
	uint64_t stepno;      /* the step that scanned (r->stepno) */
	uint8_t kind;	      /* RT_SCAN_* */
	uint32_t nframes;     /* frames visited */
	uint32_t nprog;	      /* program (Go) frames among them */
	rt_addr first_sp;     /* sp of the innermost visited frame */
	rt_addr last_lrptr;   /* return-PC slot of the outermost one */
} rt_scanrep;

typedef struct rt_g {
	uint32_t id;
	uint8_t isg0;	   /* the M's OS stack (g0) */
	/* the top segment: usable [lo, hi); the Stktop record sits at hi */
	rt_addr lo, hi;
	rt_addr guard;	   /* lo + RT_STACK_GUARD */
	mc_region *stack;  /* region of the top segment */
	uint32_t stksize;  /* hi - lo of the top segment */
	uint32_t nsegs;	   /* segments in the chain (1 = contiguous) */
	uint64_t stktotal; /* bytes of all segments */
	rt_gobuf sched;	   /* live registers while running */
	rt_addr defer;	   /* head of the defer chain (heap record) */
	rt_addr panic;	   /* head of the panic chain (in gopanic frames) */
	rt_addr syscallsp, syscallpc; /* set while the G is in C */
	uint32_t lockedext; /* user LockOSThread count */
	/* GC stack barriers: entries {savedLRPtr, savedLRVal} in the array
	** carved above the Stktop; [0,pos) hit, [pos,len) live */
	uint32_t stkbarpos, stkbarlen;
	uint8_t dead;
	uint8_t waiting; /* blocked in `wait` until every other G has ended */
	rt_scanrep scan; /* its last GC stack scan (GC1) */
	/* 1 + the allm index of the M this G holds (the running G: the
	** loaded M); 0 when it holds none (suspended with nothing that
	** wires it to a thread: rt_sched.c) */
	uint32_t m;
	uint8_t join;	/* blocked in `cthread` until its thread ends */
	uint8_t extra;	/* the G of an extra M (Go's needm curg) */
	uint32_t joiner; /* extra G: 1 + the G whose cthread runs it */
} rt_g;

/* The M: one OS thread. Its OS stack is g0's stack (one region, no
** growth); C frames and the runtime's system frames live there. */
typedef struct rt_m {
	uint64_t ncgocall; /* cgo calls made (monotone) */
	uint32_t ncgo;	   /* active Go -> C transitions */
	uint32_t lockedint; /* runtime-internal LockOSThread count */
	rt_addr seh;	   /* windows/386: the thread's fs:0, SEH chain head */
	rt_addr mstartsp;  /* sp of the bottom (mstart) frame */
	rt_addr mstartseh; /* Go's per-thread record, in mstart's frame */
	rt_addr g0sp;	   /* Go's g0.sched.sp: where asmcgocall switches to */
	uint64_t nfaults;  /* simulated faults taken */
} rt_m;

/* An M as the scheduler keeps it while it is not loaded (rt_sched.c):
** its fields, its g0 (the OS stack), and who holds it. */
typedef struct rt_mslot {
	rt_m m;
	rt_g g0;
	int32_t holder; /* allg index of the G holding it, -1: free */
	uint8_t ong0;	/* the holder was suspended in C (CPU on g0) */
	uint8_t extra;	/* an extra M (needm: a thread C created) */
	uint32_t xg;	/* extra M: 1 + allg index of its G, 0 until made */
} rt_mslot;

enum { RT_SEH_END = 0xffffffffull }; /* prev of the last record */

typedef enum {
	RT_RUNNING = 0,
	RT_EXITED,	/* main returned */
	RT_GOEXITED,	/* Goexit ran every deferred call */
	RT_PANICKED,	/* unrecovered panic; see panicmsg */
	RT_OVERFLOW,	/* stack exceeds the maximum */
	RT_THROW,	/* fatal runtime error; see throwcode, throwmsg */
	RT_DEADLOCK,	/* every live G waits (Go: all goroutines are asleep) */
	RT_FATAL,	/* a fatal error Go throws on what the program did, not a
			   runtime bug: fatalmsg (Goexit on an extra M) */
} rt_status;

/* Why the runtime threw. Each code has one short message at its throw
** site; invariants/inv_throw.c maps each code to the invariant whose
** breach it reveals (no message text is ever matched). TH_INTERNAL_*
** are errors of stackfuzz itself (a program the validator should have
** refused, a broken internal invariant of the runtime: RT_NEVER),
** reported as the outcome `internal`, never as a violation. */
typedef enum rt_throwcode {
	TH_NONE = 0,
	TH_INTERNAL_BADFUNC,	/* cgocall/callback target of the wrong kind */
	TH_INTERNAL_BADSTMT,	/* a statement the interpreter does not know */
	TH_INTERNAL_ASSERT,	/* an internal invariant failed (RT_NEVER) */
	TH_CGO_UNBALANCED,	/* asmcgocall: OS stack sp not restored */
	TH_CGO_NOTINCGO,	/* cgocallback on a G that is not in C */
	TH_DEFER_BADENTRY,	/* a defer record in the wrong place */
	TH_DEFER_UNKNOWNFN,	/* a defer record naming no function */
	TH_RECOVERY_NOEPILOGUE, /* recovery into a frame with no deferreturn */
	TH_BADRETPC,		/* a return went to no return point */
	TH_BADPC,		/* the PC is in no function / no statement */
	TH_LESSSTACK,		/* a segment return with a bad Stktop */
	TH_SEH_UNHANDLED,	/* a fault the SEH chain did not take to Go */
	TH_TB_BADPC,		/* a runtime traceback met TB_BADPC ... */
	TH_TB_BADRET,
	TH_TB_OUTSIDE,
	TH_TB_INCOMPLETE,
	TH_TB_FAULT,		/* ... TB_FAULT */
	TH_STKBAR_LOST,		/* a barrier slot no longer holds the barrier PC */
	TH_STKBAR_NONE,		/* stackBarrier ran with no live barrier */
	TH_STKBAR_MISSED,	/* stackBarrier ran for another slot */
	TH__COUNT
} rt_throwcode;

typedef struct rt_config {
	uint32_t stack_init, stack_max;
	uint32_t debug; /* 0-4 */
	uint32_t stress; /* move the stack at every safe point */
	uint32_t bugs;	 /* RT_BUG_* */
	uint32_t poison;
	uint32_t windows; /* windows/386: the SEH chain is live */
	uint32_t barriers; /* 0 off, 1 spaced (1024), 2 every frame */
	uint32_t osstack; /* bytes of the M's OS stack */
} rt_config;

/* Step events, for traces and for checkers that look at what a step did. */
typedef enum {
	EV_NONE = 0,
	EV_ENTER,	  /* a = func index: frame allocated        */
	EV_RETURN,	  /* a = func index                         */
	EV_COPY,	  /* a = old size, b = new size: stack copied */
	EV_SEGMENT,	  /* a = segment size: new segment pushed    */
	EV_SEGMENT_POP,	  /* lessstack                               */
	EV_SHRINK,	  /* a = old size, b = new size              */
	EV_DEFER,	  /* a = func: defer record created          */
	EV_DEFERCALL,	  /* a = func, b = 1 by panic / 0 at return  */
	EV_DEFERDONE,	  /* a = func: deferred call returned (panic) */
	EV_PANIC,	  /* a = value kind, b = value              */
	EV_ABORT,	  /* an earlier panic was aborted            */
	EV_RECOVER,	  /* a = 1 if it recovered                   */
	EV_RECOVERY,	  /* a = func resumed                        */
	EV_GOEXIT,
	EV_FAULT,	  /* a = 1 if Go's handler took it            */
	EV_CGOCALL,	  /* a = SEH head at entry, b = C function    */
	EV_ASMRETURN,	  /* the C function returned to asmcgocall    */
	EV_ENDCGO,	  /* a = SEH head saved at entry              */
	EV_CALLBACK,	  /* a = g0 sp before, b = Go function         */
	EV_CBRETURN,	  /* a = g0 sp restored                        */
	EV_UNWINDM,	  /* a = g0 sp restored (panic unwinds a callback) */
	EV_SEHPUSH,	  /* a = record                                */
	EV_SEHPOP,
	EV_LOCK,	  /* a = lockedext after                       */
	EV_GCSCAN,	  /* a = barriers installed, b = sp it started at */
	EV_BARRIER,	  /* a = slot: barrier installed                */
	EV_BARRIERHIT,	  /* a = slot, b = saved return PC             */
	EV_MARKTERM,	  /* a = barriers removed                       */
	EV_BARRIERUNWIND, /* a = barriers passed by a recovery          */
	EV_CBFRAME,	  /* a = sp of cgocallback_gofunc's frame (built) */
	EV_NEWPROC,	  /* a = new G's id, b = func: `go` (rt_sched.c)  */
	EV_GOEND,	  /* a = id of the G that ended                  */
	EV_GOSWITCH,	  /* a = G switched from, b = G switched to      */
	EV_GSCOPE,	  /* a = index of the G the next events concern
			     (GC over a suspended G; back to curg after),
			     b = the machine's fault count then (so a
			     fault is laid to the G in whose scope it
			     happened: MEM1 names that G) */
	EV_MSWITCH,	  /* a = M index switched from, b = M loaded now */
	EV_NEWM,	  /* a = index of a new M (its own OS stack) */
	EV_CTHREAD,	  /* a = extra M index, b = id of its G: C made a
			     thread (rt_cthread.c) */
	EV_CTHREADEND,	  /* a = extra M index: its callback returned, the
			     thread ended and is joined */
} rt_evkind;

typedef enum { GC_OFF = 0, GC_MARK = 1 } rt_gcphase;


typedef struct rt_event {
	uint8_t kind;
	int64_t a, b;
} rt_event;

/* Panic value kinds. */
enum { PV_INT = 0, PV_NIL = 1, PV_NILDEREF = 2, PV_FAULT = 3 };

typedef struct rt {
	rt_config cfg;
	mc_mem mem;
	rt_func funcs[RT_MAX_FUNCS];
	uint32_t nfuncs;
	rt_g g;		/* the running user G (allg[curg] while loaded) */
	rt_g g0;	/* the loaded M's OS stack */
	rt_g *cur;	/* where the CPU runs: &g or &g0 */
	rt_m m;		/* the loaded M (allm[curm] while loaded) */
	/* every M in creation order (rt_sched.c); allm[curm] is stale while
	** loaded in m/g0: read an M through rt_mp */
	rt_mslot *allm;
	uint32_t nallm, capallm, curm;
	/* every user G in creation order (rt_sched.c); allg[curg] is stale
	** while loaded in g: read a G through rt_gp */
	rt_g *allg;
	uint32_t nallg, capallg, curg;
	uint8_t resched;    /* switch G before the next step */
	uint32_t nextg;	    /* 1 + the G that switch goes to (a cthread's
			       start and join), 0: round robin */
	uint8_t maingoexit; /* main called Goexit: the program waits for
			       the others, then ends with RT_GOEXITED */
	rt_status status;
	uint8_t gcphase;   /* rt_gcphase */
	uint64_t stepno;    /* rt_begin_step calls: names "this step" */
	rt_throwcode throwcode;
	char throwmsg[200];
	const char *fatalmsg; /* RT_FATAL: Go's message, after "fatal error: " */
	/* an unrecovered panic's message, Go's whole nested chain (heap) */
	char *panicmsg;
	/* events of the current step (heap, grows: a step may install or
	** pass any number of barriers) */
	rt_event *ev;
	uint32_t nev, capev;
	/* the runtime's own scratch: the top segment's frames as the
	** copyability walk found them, handed to the copy that follows it
	** (rt_stack.c), so a copy walks the stack once, not twice */
	struct rt_frame *cpf;
	uint32_t ncpf, capcpf;
	uint64_t ncopies, nsegments, nshrinks;
	uint8_t stress_done; /* the stress copy ran at this prologue */
	FILE *log; /* debug output (cfg.debug > 0), may be NULL */
} rt;

/* Function descriptions the harness registers before rt_start. */
typedef struct rt_funcdesc {
	const char *name;
	uint8_t kind; /* RF_GO / RF_C / RF_LEAF */
	uint8_t flags;
	uint32_t nsites;
	uint64_t retsites;
	uint32_t framesize, argsize;
	uint64_t argmap, localmap;
	int32_t user;
	uint32_t nseh;
	uint32_t nlocals;
} rt_funcdesc;

void rt_init(rt *r, const rt_config *cfg);
void rt_destroy(rt *r);
int rt_addfunc(rt *r, const rt_funcdesc *d); /* index, -1 if full */
/* The function whose text holds pc, or NULL: O(1), each function has
** RT_FUNC_SPAN bytes of text. Inline: called for nearly every frame and
** record the unwinder and the checkers meet. */
static inline const rt_func *rt_findfunc(const rt *r, rt_addr pc)
{
	if (pc < MC_TEXT_BASE)
		return NULL;
	rt_addr i = (pc - MC_TEXT_BASE) / RT_FUNC_SPAN;
	if (i >= r->nfuncs)
		return NULL;
	const rt_func *f = &r->funcs[i];
	return pc < f->end ? f : NULL;
}
/* Creates the G with its first stack and calls funcs[entry] from goexit. */
int rt_start(rt *r, int entry);
void rt_begin_step(rt *r); /* clears the step's events */
void rt_event_add(rt *r, int kind, int64_t a, int64_t b);
/* A growing string (Go's whole panic chain; the harness's observables
** and messages use it too): never truncates, aborts on out of memory. */
typedef struct rt_strbuf {
	char *b;
	size_t n, cap;
} rt_strbuf;
void rt_sb_printf(rt_strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void rt_sb_vprintf(rt_strbuf *sb, const char *fmt, va_list ap);
/* The string (never NULL, "" when empty); sb is empty again. */
char *rt_sb_take(rt_strbuf *sb);

void rt_throw(rt *r, rt_throwcode code, const char *msg);
/* Internal invariants of the runtime (tier 1 of mc_assert.h): its own
** bookkeeping, which no program and no bug switch can break. When c
** holds, the impossible happened: the failure goes to the assertion hook
** (cmocka's mock_assert in unit tests), the run ends with the throw
** TH_INTERNAL_ASSERT (outcome `internal: ...what`, never a violation and
** never clamped away), and RT_NEVER is 1 so the caller returns. what is
** a short fixed text (no path: outcomes must not depend on the build). */
#define RT_NEVER(r, c, what) \
	((c) ? rt_internal((r), "!(" #c ")", __FILE__, __LINE__, (what)) : 0)
int rt_internal(rt *r, const char *expr, const char *file, int line,
		const char *what); /* returns 1 */
/* A runtime traceback failed: throw the code matching t. */
void rt_throw_tb(rt *r, int t, const char *what, const char *why);
const char *rt_throwcode_name(rt_throwcode c);

/* ---- what program code does (called by the harness interpreter) ---- */
/* Each G's sched is its live registers while the CPU runs it (r->cur),
** and its saved context otherwise. */
static inline rt_addr rt_pc(const rt *r) { return r->cur->sched.pc; }
static inline rt_addr rt_sp(const rt *r) { return r->cur->sched.sp; }
/* fp (argp) of the running frame of f; valid after its prologue. */
rt_addr rt_frame_fp(const rt *r, const rt_func *f);
/* Push n argument words (CALL's caller side); returns their address. */
rt_addr rt_push_args(rt *r, const rt_word *v, uint32_t n);
/* CALL: push the return PC and jump to funcs[fn]'s entry. */
void rt_call(rt *r, int fn, rt_addr retpc);
/* The prologue at the entry PC: stack check (growth by copying, or a new
** segment), then frame allocation. One step each. */
void rt_prologue(rt *r);
/* deferproc: the callee's args were pushed at sp; copies them into a new
** defer record and pops them. site = the defer statement's site. */
void rt_deferproc(rt *r, int fn, uint32_t site);
/* The epilogue of the running frame: run its next deferred call, or RET. */
void rt_epilogue(rt *r, uint32_t site);
/* panic / Goexit from the running frame at site. */
void rt_gopanic(rt *r, int kind, int64_t val, uint32_t site);
void rt_goexit(rt *r, uint32_t site);
/* recover(): returns 1 and the value if this call recovers. */
int rt_gorecover(rt *r, const rt_func *f, int *kind, int64_t *val);
/* The same for the caller whose argument pointer is argp (a deferred
** recover(): Go 1.18+ passes the deferring function's, ORECOVERFP). */
int rt_gorecover_argp(rt *r, rt_addr argp, int *kind, int64_t *val);
/* GC: shrink the stack if it is less than a quarter used. */
void rt_shrink(rt *r);
/* Runtime code at pc: the continuation of a runtime function. */
void rt_run_internal(rt *r);

/* ---- goroutines and the scheduler (rt_sched.c) ---- */
void rt_sched_init(rt *r); /* main is G 1 (rt_start) */
void rt_sched_free(rt *r);
void rt_grow_allg(rt *r); /* room in allg for one more G */
/* G i (creation order; 0 is main), loaded or suspended. */
static inline rt_g *rt_gp(rt *r, uint32_t i)
{
	return i == r->curg || !r->allg ? &r->g : &r->allg[i];
}
static inline const rt_g *rt_gpc(const rt *r, uint32_t i)
{
	return i == r->curg || !r->allg ? &r->g : &r->allg[i];
}
/* `go fn(args)`: a new G with its own stack whose first frame returns
** to goexit; runs when the scheduler picks it. -1 if out of room. */
int rt_newproc(rt *r, int fn, const rt_word *args, uint32_t nargs);
void rt_gosched(rt *r); /* the G yields */
/* `wait`: 1 if every other G has ended (go on), else the G blocks. */
int rt_wait(rt *r);
uint32_t rt_others_live(const rt *r); /* live Gs but the running one */
/* The current G ended (returned to goexit, or Goexit finished). */
void rt_goend(rt *r, int goexit);
/* The switch a yield, a block or an end asked for: round robin in
** creation order from the running G. Returns 1 if another G is loaded
** now (event EV_GOSWITCH); may end the run (RT_GOEXITED, RT_DEADLOCK). */
int rt_schedule(rt *r);
/* GC over every G: the suspended live ones first, in creation order,
** each loaded in turn (events after EV_GSCOPE i concern G i), then the
** running one, so the step's scan report (GC1) is the running G's. */
void rt_gc_scan_all(rt *r);
void rt_gc_markterm_all(rt *r);
void rt_shrink_all(rt *r);
/* Does the running G keep its M when it is suspended? In C, inside a
** callback (a cgo call active on its M), locked to the thread, or the G
** of an extra M while its C thread runs. */
int rt_g_holds_m(const rt *r);
/* M i (creation order; 0 is the first): its fields and its g0, loaded
** or not. */
static inline const rt_m *rt_mpc(const rt *r, uint32_t i)
{
	return i == r->curm || !r->allm ? &r->m : &r->allm[i].m;
}
static inline const rt_g *rt_m_g0(const rt *r, uint32_t i)
{
	return i == r->curm || !r->allm ? &r->g0 : &r->allm[i].g0;
}
/* `cthread fn(args)` from the running C frame at site (rt_cthread.c):
** the caller stays in C on its M, blocked; fn runs as a callback on an
** extra M's G, which the next switch loads. Returns that G's index, -1
** if the running frame is not C's. */
int rt_cthread(rt *r, int fn, const rt_word *args, uint32_t nargs,
	       uint32_t site);
/* The thread's callback returned to its bottom frame: the thread ends,
** the caller is joined (the next switch). */
void rt_cthread_end(rt *r);
/* A new M with its own OS stack (mstart frame, Go's SEH record), not
** loaded; its index. */
uint32_t rt_newm(rt *r);
/* Loads M i (the loaded one goes back to allm); the CPU stays where it
** is (the caller sets r->cur). */
void rt_loadm(rt *r, uint32_t i);

/* ---- stacks (rt_stack.c) ---- */
void rt_text_init(rt *r);
/* Point g at the usable part [lo, lo+size) of region rg. */
void rt_g_setstack(rt_g *g, mc_region *rg, rt_addr lo, uint32_t size);
void rt_lessstack(rt *r);
void rt_unwindstack(rt *r, rt_addr sp);
int rt_stack_alloc(rt *r, uint32_t size, mc_region **out);
/* The bytes of the region rt_stack_alloc makes for a stack of size bytes
** (the stack, its Stktop, its barrier array). */
uint64_t rt_stack_region_bytes(const rt *r, uint32_t size);
/* contiguous copy; adds the step event ev (EV_COPY or EV_SHRINK) */
void rt_copystack(rt *r, uint32_t newsize, int ev);
int rt_copyable(rt *r); /* every frame and defer on the top segment */
/* Stktop record fields (words at hi). */
enum {
	STKTOP_PREV_LO = 0,
	STKTOP_PREV_HI = 1,
	STKTOP_PC = 2, /* caller's gobuf: where lessstack returns */
	STKTOP_SP = 3,
	STKTOP_ARGP = 4,
	STKTOP_ARGSIZE = 5,
	STKTOP_PREV_REGION = 6, /* region id of the previous segment */
	STKTOP_RESULT = 7, /* 1 + the offset in the argument area of the first
			   frame's result to copy back; 0: none */
};
/* Defer record fields. */
enum {
	D_FN = 0, /* entry PC of the deferred function */
	D_SIZ = 1,
	D_SP = 2,
	D_ARGP = 3,
	D_PC = 4, /* return point of the defer statement's site */
	D_STARTED = 5,
	D_PANIC = 6,
	D_LINK = 7,
};
/* Panic record fields (words at the gopanic frame's sp). */
enum {
	P_KIND = 0,
	P_ARG = 1,
	P_LINK = 2,
	P_ARGP = 3,
	P_RECOVERED = 4,
	P_ABORTED = 5,
	P_GOEXIT = 6,
};

/* ---- GC stack barriers (rt_stkbar.c) ---- */
enum { RT_STKBAR_WORDS = 2, SB_LRPTR = 0, SB_LRVAL = 1 };
uint32_t rt_first_barrier_offset(const rt *r); /* 1024, or 0 every frame */
uint32_t rt_max_barriers(const rt *r, uint32_t stacksize); /* gcMaxStackBarriers */
rt_addr rt_stkbar_base(const rt *r); /* the G's barrier array */
rt_addr rt_barrier_pc(const rt *r);
void rt_gc_scan(rt *r);	    /* start of the mark phase: scanstack */
void rt_gc_markterm(rt *r); /* rescan to the lowest unhit barrier, remove */
/* A RET found the barrier PC: take the saved return PC, advance. */
rt_addr rt_barrier_hit(rt *r, rt_addr lrptr);
void rt_unwind_barriers(rt *r, rt_addr sp); /* gcUnwindBarriers */
void rt_remove_barriers(rt *r); /* restore every live slot; pos = len = 0 */
/* The return PC a live barrier at slot hides (what traceback substitutes);
** 0 when no live entry covers slot. Reads only, never faults. */
rt_addr rt_barrier_saved_lr(const rt *r, rt_addr slot);

/* ---- cgo and SEH (rt_cgo.c, rt_seh.c) ---- */
/* The word of the cgo argument block at fp that receives the C function's
** result (after its arguments), or 0 if that function has none. */
rt_addr rt_cgo_result_slot(rt *r, rt_addr fp);
/* `cgo c(args)` from the running Go frame at site. */
void rt_cgocall(rt *r, int cfn, const rt_word *args, uint32_t nargs,
		uint32_t site);
/* `callback f(args)` from the running C frame at site. */
void rt_callback(rt *r, int gofn, const rt_word *args, uint32_t nargs,
		 uint32_t site);
void rt_lockosthread(rt *r);
void rt_unlockosthread(rt *r);
/* C code's own SEH records (slot n of the running C frame). */
void rt_sehpush(rt *r);
void rt_sehpop(rt *r);
void rt_seh_cleanup(rt *r, const rt_func *f); /* C epilogue */
/* A simulated hardware fault in the running Go frame at site. */
void rt_fault(rt *r, uint32_t site);
/* Walks the SEH chain as the OS would; returns 1 if it reaches Go's
** handler through live records, else 0 and why. */
int rt_seh_walk(const rt *r, char *why, size_t len);
rt_addr rt_g0_live_sp(const rt *r); /* sp of g0: live or saved */
/* C frame layout: word 0 = number of own SEH records pushed, then the
** records (2 words each), then pad. */
enum { RT_CFRAME_SEHCOUNT = 0, RT_CFRAME_SEH0 = 1 };
/* callbackasm1's frame on g0. */
enum { CB_SAVED_G0SP = 0, CB_SAVED_G0PC = 1, CB_SEH_PREV = 2, CB_SEH_HANDLER = 3 };
/* cgocallback_gofunc's frame on the G stack. */
enum { CBG_RESTORE = 0, CBG_SYSCALLSP = 1, CBG_SYSCALLPC = 2 };
/* cgocall's arguments: the C function's entry, nargs, the args. */
enum { CGO_FN = 0, CGO_NARGS = 1, CGO_ARG0 = 2, CGO_ARGWORDS = 6 };
/* endcgo's arguments. */
enum { ENDCGO_SEH = 0, ENDCGO_LOCKED = 1 };

void rt_mstart(rt *r); /* the first M: its OS stack, mstart frame, Go's record */
/* Builds an M's OS stack into m and g0 (mstart frame, Go's record). */
void rt_mstart_on(rt *r, rt_m *m, rt_g *g0);
void rt_ret(rt *r, const rt_func *f);
int rt_deferreturn_runtime(rt *r, const rt_func *f, uint32_t site);
rt_addr rt_newdefer(rt *r, int fn, const rt_word *args, uint32_t site);
int rt_run_cgo(rt *r, const rt_func *f, rt_addr pc); /* 1 if handled */

/* ---- the unwinder (rt_trace.c) ---- */
typedef struct rt_frame {
	const rt_func *fn;
	rt_addr pc, sp, fp; /* fp = argp = sp + framesize + 8 */
	rt_addr lrptr;	    /* address of the return-PC slot */
	rt_addr lr;	    /* value in it (barrier-substituted) */
	uint32_t framesize; /* 0 at the entry PC */
	uint32_t seg;	    /* segment index, 0 = top */
	rt_addr seglo, seghi; /* bounds of the frame's segment */
	uint8_t segtop;	    /* this frame returns to lessstack */
} rt_frame;

typedef enum {
	TB_OK = 0,
	TB_BADPC,      /* a PC that is no function's */
	TB_BADRET,     /* a return PC that is not a valid return point */
	TB_OUTSIDE,    /* a frame outside its segment */
	TB_INCOMPLETE, /* did not unwind to the top of the stack */
	TB_FAULT,      /* a slot could not be read */
} rt_tbresult;

/* Walks frames innermost first from (pc, sp). The callback returns 0 to
** stop. `toponly` stops at the top segment's boundary. */
typedef int (*rt_frame_cb)(const rt *r, const rt_frame *fr, void *arg);
rt_tbresult rt_traceback(const rt *r, rt_addr pc, rt_addr sp, int toponly,
			 rt_frame_cb cb, void *arg, char *why, size_t whylen);
/* The same on the M's OS stack (g0): C frames, callbackasm1, mstart. */
rt_tbresult rt_traceback_g0(const rt *r, rt_addr pc, rt_addr sp, rt_frame_cb cb,
			    void *arg, char *why, size_t whylen);
/* Where g0 rests when the CPU is not on it, given its saved sp. */
rt_addr rt_g0_rest_pc(const rt *r, rt_addr sp);
const char *rt_tbresult_name(rt_tbresult t);

/* Debug output (cfg.debug >= level). The level test is inline: the
** copy and the adjusters ask once per frame and per word, and nearly
** every run has debug=0. */
void rt_debugf_out(const rt *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define rt_debugf(r, level, ...)                                  \
	do {                                                      \
		if ((int)(r)->cfg.debug >= (level) && (r)->log)   \
			rt_debugf_out((r), __VA_ARGS__);          \
	} while (0)

#endif
