/*
** inv.h: the invariant checkers.
**
** Layer: may use the runtime (rt.h), read-only; nothing above it.
**
** Checkers read the runtime's state and the harness's ground truth and
** report; they never change runtime state and never abort. The ground
** truth is what the harness knows and the runtime may not:
**  - per stack word, the machine's tags (mc_region cell/ptag): which
**    words truly point into a stack and at which slot identity;
**  - the frames the program truly has (inv_shadow), innermost last, each
**    named by the identity cell the harness gave its return-PC slot;
**  - what the program observed that must hold (a `check` that failed, a
**    recover() that answered other than Go would).
**
** inv_check runs every checker in catalogue order and returns the first
** violation (all of a step's violations are listed in its message).
**
** Layering: uses runtime-under-test/ (rt.h) and machine/ (mc.h), nothing
** above. Checkers see both through const views: inv_ctx holds a const rt,
** memory is read with mc_peek / mc_find, what changed since the last
** check with mc_changes, what a step did from its events (EV_COPY...).
** The one writer here is the truth recorder (inv_truth.c): it writes the
** machine's shadow truth tags, as the harness's agent, never runtime
** state. Closing an epoch (mc_epoch_done) is the harness's job.
*/
#ifndef STACKFUZZ_INV_H
#define STACKFUZZ_INV_H

#include "rt.h"

typedef struct inv_shadow_frame {
	int32_t fn;    /* runtime function index */
	uint32_t cell; /* identity of its return-PC slot */
} inv_shadow_frame;

/* The truth about one gopanic/goexit1 frame. */
typedef struct inv_tpanic {
	uint32_t cell;	/* identity of its return-PC slot */
	uint32_t depth; /* program frames outer to it */
	int recovered;
	int kind;
	int64_t val;
} inv_tpanic;

/* A fact of the current step: what the program or the runtime showed
** (got) beside what Go's semantics require (want). Recorded by the
** truth recorder, judged only by the checkers. */
typedef enum {
	IF_CHECK = 1, /* DEF4: `check` read got[0], the program wants want[0] */
	IF_RECOVER,   /* PAN1: {answered?, kind, value}, got and Go's */
	IF_CGORET,    /* SEH2: the SEH head after a cgo call / at its entry */
	IF_CBEND,     /* CGO1: {g0.sched.sp, curg.sched.pc} after / before */
	IF_GCSCAN,    /* GC1: a scan (normal = RT_SCAN_*) must visit want[]:
			 {first sp or 0 = unknown, last return-PC slot or 0 =
			 nothing at all, program frames} */
} inv_factkind;

typedef struct inv_fact {
	uint8_t kind;	/* inv_factkind */
	uint8_t normal; /* IF_CBEND: returned (1) or unwound by a panic (0) */
	uint8_t deref;	/* IF_CHECK: `check *p == N` */
	const char *fn, *slot; /* program names, for messages */
	rt_addr addr;	       /* IF_CHECK: the word read */
	uint64_t stepno;       /* IF_GCSCAN: r->stepno of the scan's step */
	uint32_t gidx;	       /* IF_GCSCAN: the G scanned (index in allg) */
	int64_t want[3], got[3];
} inv_fact;

typedef struct inv_truth {
	inv_shadow_frame *frames; /* program frames, outermost first */
	uint32_t nframes, cap;
	uint32_t lowmod; /* lowest frame index changed since the last check */
	/* lowest cgo[] and cb[] index pushed, popped or given a cell since
	** the last check (CGO3 reuses only the entries below) */
	uint32_t cgomod, cbmod;
	uint32_t maxdepth;
	/* gopanic/goexit1 frames, oldest first, and the value of the panic
	** the program is starting (the interpreter says it) */
	inv_tpanic *panics;
	uint32_t npanics, cappanics;
	int pending_kind;
	int64_t pending_val;
	int64_t recover_for; /* panics[] index Go's recover() answers, or -1 */
	/* this step's facts (cleared by inv_truth_step_done) */
	inv_fact *facts;
	uint32_t nfacts, capfacts;
	/* CGO2: user LockOSThread count the program holds */
	uint32_t locks;
	/* what must hold again when they end: the SEH head at each active
	** cgo call's entry; g0.sched.sp and the G's sched.pc before each
	** active callback */
	struct inv_cgotruth {
		rt_addr seh;	 /* SEH head at the call's entry */
		uint32_t spcell; /* cgocall's sp word: where syscallsp must point */
		uint32_t cdepth; /* C frames of this call running (0: not in C) */
	} *cgo;
	uint32_t ncgo, capcgo;
	struct inv_cbtruth {
		rt_addr g0sp, gpc;
		uint32_t slotcell; /* saved-syscallsp word of its
				      cgocallback_gofunc frame (0: not built) */
	} *cb;
	uint32_t ncb, capcb;
	/* the G of an extra M (cthread): outside its callback it sits in C
	** at goexit, as Go's needm leaves it (syscallsp the stack's top,
	** syscallpc goexit's return point), and its outermost callback
	** (cb[0]) returns to that state, not to a cgo call: cb[i + 1]
	** returns to cgo[i] (for other Gs cb[i] returns to cgo[i]) */
	uint8_t extram;
	uint32_t xcell; /* extram: identity of the bottom callback frame's
			   return slot, the stack's outermost (GC1) */
	/* GC1: the mark phase as the program started it, and the barriers
	** the scans installed (identity cells of their return-PC slots) and
	** whether each was hit: a return through it, or a recovery past it */
	uint8_t gcmark;
	struct inv_bartruth { uint32_t cell; uint8_t hit; } *bars;
	uint32_t nbars, capbars;
} inv_truth;

/* Callbacks inside a cgo call of the G (all but an extra M's bottom one). */
static inline uint32_t inv_truth_cbin(const inv_truth *t)
{
	return t->ncb - (t->extram && t->ncb ? 1u : 0u);
}

/* The truth recorder (inv_truth.c), used by the interpreter and tests. */
void inv_truth_init(inv_truth *t);
void inv_truth_free(inv_truth *t);
/* The step's runtime events: cells, frames, panics, cgo/callback ends. */
void inv_truth_events(inv_truth *t, rt *r);
/* The checkers have seen this step: clear its facts and change marks. */
void inv_truth_step_done(inv_truth *t);
void inv_truth_push(inv_truth *t, int32_t fn, uint32_t cell);
void inv_truth_pop_to(inv_truth *t, uint32_t n); /* keep frames [0, n) */
/* The program is about to panic with this value (or Goexit: PV_NIL). */
void inv_truth_panic_value(inv_truth *t, int kind, int64_t val);
/* recover() in function f (the current frame): first what Go answers
** (before the runtime runs), then what the runtime answered. */
void inv_truth_recover_begin(inv_truth *t, const rt *r, const rt_func *f);
/* The same for a recover() answered as if called by function f whose
** frame is at sp, in the segment whose top is hi (a deferred recover()
** run at f's return); f NULL: Go answers nil (run by a panic or Goexit). */
void inv_truth_recover_begin_at(inv_truth *t, const rt *r, const rt_func *f,
				rt_addr sp, rt_addr hi);
void inv_truth_recover(inv_truth *t, const char *fn, int got, int kind,
		       int64_t val);
/* `check` in fn read got at addr; the program says it must be want. */
void inv_truth_check(inv_truth *t, const char *fn, const char *slot, int deref,
		     rt_addr addr, int64_t want, int64_t got);
/* A cgo call or callback starts (before the runtime runs it); its end
** comes as an event (EV_ENDCGO; EV_CBRETURN normal, EV_UNWINDM not). */
void inv_truth_cgo_call(inv_truth *t, const rt *r);
void inv_truth_cgo_return(inv_truth *t, const rt *r);
void inv_truth_callback(inv_truth *t, const rt *r);
/* The G is in C: a cgo call is open with no callback above it (an extra
** M's bottom callback has no cgo call below it: inv_truth_cbin), or the
** newest callback has not reached Go yet (its cgocallback_gofunc frame,
** where Go's exitsyscall happens, is not built: a G may be paused there
** since C statements are safe points with preempt=N). */
int inv_truth_in_c(const inv_truth *t);
void inv_truth_callback_end(inv_truth *t, const rt *r, int normal);
/* A `gc scan` (markterm 0) or `gc markterm` statement starts: what the
** scan of G gidx (its truth g; in C when fromc; paused in the prologue of
** a callee whose sp is entering, else 0) must visit, a fact of the step
** in t. Call it for every live G, then inv_truth_gc_done. */
void inv_truth_gc(inv_truth *t, const inv_truth *g, const rt *r, uint32_t gidx,
		  int markterm, int fromc, rt_addr entering);
void inv_truth_gc_done(inv_truth *t, int markterm); /* the mark phase */
/* GC1/CGO3 helpers: the current sp of the innermost true frame (0 if
** none), and where g.syscallsp must point for cgo call i (0: unknown). */
rt_addr inv_truth_syscallsp(const inv_truth *t, const rt *r, uint32_t i);

typedef enum {
	INV_MEM1 = 0,
	INV_STK1,
	INV_STK2,
	INV_STK3,
	INV_DEF1,
	INV_DEF2,
	INV_DEF3,
	INV_DEF4,
	INV_PAN1,
	INV_CGO1,
	INV_CGO2,
	INV_SEH1,
	INV_SEH2,
	INV_SEH3,
	INV_BAR1,
	INV_BAR2,
	INV_BAR3,
	INV_BAR4,
	INV_BAR5,
	INV_GC1,
	INV_CGO3,
	INV__COUNT
} inv_id;

typedef struct inv_info {
	const char *id;
	const char *name;
} inv_info;
extern const inv_info inv_catalogue[INV__COUNT];
int inv_lookup(const char *id); /* index or -1 */
/* The invariant a runtime throw (rt_throwcode) reveals, or -1 for the
** harness's own internal errors (inv_throw.c). */
int inv_throw_verdict(int code);

typedef struct inv_violation {
	int id; /* inv_id */
	char msg[1024];
} inv_violation;

/* What one walk of the G's frames found written, and its per-segment
** write limits: read by the checkers of the same check, never by a later
** one. Kept apart from inv_frames (the cache), so that parking a G's
** frames (inv_ctx_switch) copies a few hundred bytes, not kilobytes. */
typedef struct inv_walkscratch {
	/* data words written in reused frames: rechecked one by one */
	rt_addr rechk[64];
	uint32_t nrechk;
	/* stored indices of reused frames whose return-PC slot was written
	** (barriers installed or removed): proved by the walk, and each
	** judged again by the checkers that read a frame's slot (STK1's
	** cell, BAR2) */
	uint32_t slotw[64];
	uint32_t nslotw;
	struct inv_seglim { rt_addr lo, end, hi; } seglim[MC_LOGRG + 64];
	uint32_t nseglim;
} inv_walkscratch;

/* Frames as the checkers see them: the unwinder's view. Checkers index
** them innermost first through inv_fr(); they are stored outermost
** first, so that reusing the outer part is a truncate-and-append.
** Checking is incremental: frames [0, fresh) (innermost first) were
** walked in this check; frames [fresh, n) are the previous check's,
** already verified and provably unchanged: nothing wrote at or above
** their sp but logged data words (rechecked one by one) and return-PC
** slots or barrier entries (a GC step: each reused slot proved as the
** unwinder reads it, and its frame judged again by STK1 and BAR2), per
** segment on a segmented stack (a segment pushed or popped leaves the
** older ones' frames in place). After a move of the whole stack every
** frame is fresh (walk_moved). Per-frame work covers only the fresh
** frames; prefix counts summarise the rest. */
typedef struct inv_frames {
	rt_frame *f;	   /* stored outermost first */
	uint32_t *nprog;   /* program frames in stored [0, s] */
	uint32_t *nendcgo; /* endcgo frames in stored [0, s] */
	uint32_t *nbarw;   /* words holding the barrier PC in stored [0, s] */
	uint32_t *nnomap;  /* frames lacking a map DEF3 needs in stored [0, s] */
	/* stored frame s may hold a word with a provenance tag (0: its words
	** were all read untagged by the same pass that counted nbarw, so
	** STK3 has nothing to compare there) */
	uint8_t *tagged;
	/* the OS stack's walk only: cgocallback frames at their return
	** point in stored [0, s] (SEH2 visits just those) */
	uint32_t *ncback;
	uint32_t n, cap, fresh;
	int sorted; /* one segment: sp ascends with the index */
	rt_tbresult tb;
	char why[200];
	/* cache validity */
	int valid;
	uint64_t gen;
	uint32_t stkbarpos, stkbarlen;
	/* scratch for the walk */
	rt_frame *tmp;
	uint32_t ntmp, captmp;
	int32_t splice;
	int32_t segdelta; /* walk_segs: the splice frame's segment index now
			  ** minus cached (a segment pushed or popped) */
	rt_addr limit; /* frames at or below it are walked again */
	/* several segments: sp does not follow the index, so frame lookup
	** by sp goes through this index (built by every full walk) */
	struct inv_bysp { rt_addr sp; uint32_t s; } *bysp;
	uint32_t capbysp;
	inv_walkscratch *ws; /* this walk's findings (the owning inv_ctx's) */
	/* nbarw was counted again over every reused frame holding a
	** rechecked word (live barriers): the count is exact as it stands */
	int barcounted;
	/* several segments: stored order is (segment address ascending, sp
	** descending) (newer segments lie higher: addresses are never
	** reused), so frames are found by sp with segordered set; the walk
	** reuses frames per segment, under each region's write limit */
	int segordered;
	int multiseg; /* this walk: the per-segment rules apply */
} inv_frames;

/* The defer chain's incremental view (inv_dchain.c). */
typedef struct inv_drec {
	rt_addr d, end;	  /* the record's region */
	rt_addr amin;	  /* lowest stack slot a pointer argument in [0, i] targets */
	rt_addr argtop;	  /* base of the highest stack region one lies in (0 none) */
	rt_addr amintop;  /* lowest of them in that region */
	uint32_t ko;	  /* highest stored frame index [0, i] rests on */
	uint32_t nendcgo; /* unstarted endcgo records in [0, i] */
	uint8_t endcgo;	  /* this one is an unstarted endcgo record */
	uint8_t stable;	  /* [0, i] may be reused (see inv_dchain.c) */
	uint8_t nomaps;	  /* its function lacks a map (or is unknown): DEF3 */
	/* this check's frame indices (innermost first, -1: none) of its sp
	** and of its _panic (= k when 0): DEF1 reads them instead of
	** searching again (valid in tmp[] only, for this check's frames) */
	int32_t k, kp;
	/* the same as stored indices (outermost first, UINT32_MAX: none):
	** a move or a deeper stack keeps them, so the next check's search
	** for this record's frames tries them first (inv_frame_guess) */
	uint32_t sk, skp;
	const mc_region *rg; /* the record's live region (tmp[] only) */
	uint8_t argtags;     /* an argument word carries a truth tag */
} inv_drec;

typedef struct inv_dchain {
	inv_drec *c; /* the verified chain, outermost first */
	uint32_t n, cap;
	int valid;
	inv_drec *tmp; /* this check's walked records, innermost first */
	uint32_t ntmp, captmp;
	/* the first record (from the head) of the reused part, 0 if none:
	** DEF1 checks it and stops, DEF2 stops before it */
	rt_addr stop;
	uint32_t stop_endcgo; /* unstarted endcgo records from stop outward */
	uint32_t stop_sk, stop_skp; /* its cached entry's sk, skp (guesses) */
	/* tmp[] holds every record from the head to stop (or to the end):
	** the walk was not cut short by a record describe() rejects; and how
	** many of them lack a map (DEF3 skips its walk when none does) */
	int walked_all;
	uint32_t nomaps;
	uint64_t nwalked;     /* records walked, for benchmarks */
} inv_dchain;

typedef struct inv_ctx {
	const rt *r; /* read only: checkers never change runtime state */
	const inv_truth *t;
	inv_frames fr;	/* the G's frames, collected once per check */
	inv_frames fr0; /* the M's OS stack frames, stored outermost first too */
	inv_walkscratch ws, ws0; /* fr.ws and fr0.ws point here */
	inv_dchain dc;	/* the G's defer chain */
	uint32_t mask; /* bit i: run checker i (default all) */
	int full;      /* 1: never reuse frames (a self-check of the cache) */
	uint64_t nfull, nincr, nmoved; /* walks of each kind, for benchmarks */
	uint64_t nswitchkept; /* G switches that kept the incoming G's caches */
	/* a count BAR1 and BAR4 share, computed once per check (inv_check
	** clears have_nbar) */
	int have_nbar;
	uint32_t nbar;
	rt_addr nbar_first;
	/* bit i: checker i judged non-trivial state at least once since
	** inv_ctx_init (one meaningful condition per ID, see README's
	** catalogue; "reached" in Magma's sense). Accumulates over steps. */
	uint32_t reached;
	/* fr0 is reused whole while nothing it was walked from changed: no
	** write to an OS stack (the machine log's osgen), same g0 sched and
	** bounds, mstartsp; with the same bounds and mstartsp, a walk from
	** the new g0 sched reuses the frames outer to the highest OS-stack
	** write (the log's os_hi), as the G's walk does */
	int fr0valid;
	uint64_t fr0gen;
	rt_addr fr0key[5];
	/* PAN1's verified panic chain (stored outermost first, so the head
	** is last: on one segment addresses descend with the index) with
	** each record's gopanic frame as a stored index; the
	** part from a record outward is reused while that frame and the one
	** inner to it are reused frames and no rechecked word lies at or
	** above the record (inv_pan1) */
	struct inv_pcache { rt_addr p; uint32_t s; } *pc, *pctmp;
	uint32_t npc, cappc, cappctmp;
	int pcvalid; /* 1: reusable; 2: made on several segments, so the
		     ** frame indices are lookup hints only; 0: neither */
	rt_addr *sehrecs; /* SEH2 scratch: the chain's records */
	/* per-G caches (inv_ctx_switch): the running G's frame and panic
	** chain caches are parked here, by G index, while it is suspended;
	** with the G's stack region and its write generation at its last
	** check (chk_*), which prove them still exact when it runs again */
	struct inv_gcache {
		inv_frames fr;
		struct inv_pcache *pc;
		uint32_t npc, cappc;
		int pcvalid, valid;
		const mc_region *stack;
		uint64_t wgen;
	} *gc;
	uint32_t ngc;
	int chk_valid;
	uint32_t chk_g;
	const mc_region *chk_stack;
	uint64_t chk_wgen;
	uint32_t capsehrecs;
	/* SEH1's verified chain (records ascending, head first) as of the
	** check before this one, if SEH1 ran there and passed: the walk from
	** the head stops at a cached record above the highest OS-stack word
	** written since (the log's os_hi; none at all if osgen is the same),
	** with the same g0.hi and mstart record; every record outward of it
	** was read, and found good, then, and nothing it holds changed */
	rt_addr *seh1c, *seh1tmp;
	uint32_t nseh1, capseh1, capseh1tmp;
	int seh1valid;
	uint64_t seh1check, seh1gen, seh1done;
	rt_addr seh1key[4];
	/* The live barrier entries as of the check before this one, if
	** BAR1, BAR2, BAR5 and STK3 all ran there and the check passed
	** (inv_bar_keep): the G's stack (base, lo, hi) and len (key), pos,
	** the lowest live slot, the stack generation and the epochs closed
	** then. inv_bar_kept says, once per check (have_barkept), whether
	** the entries and their slots are provably as they were */
	int barvalid, have_barkept, barkept;
	rt_addr barkey[4], barmin;
	uint32_t barpos;
	uint64_t bargen, bardone;
	uint64_t nbarkept; /* checks that reused them, for tests */
	/* CGO3's callbacks as its last passing check verified them: for
	** callbacks [0, i], the lowest address of a saved-syscallsp word
	** then (cbpmin[i]), for the same G stack (key: base, hi, extram),
	** stack generation and epoch (inv_cgo.c) */
	rt_addr *cbpmin;
	uint32_t ncbc, capcbc;
	int cbcvalid;
	uint64_t cbcgen, cbcdone;
	rt_addr cbckey[3];
	uint64_t ncbkept; /* callbacks whose check was reused, for tests */
	/* SEH2's callback records as its last passing check found them all
	** in the chain: kept while no OS-stack word was written (osgen) and
	** the head and g0's walk key are the same (inv_cgo.c) */
	int seh2valid;
	uint64_t seh2gen, seh2done, nseh2kept;
	rt_addr seh2key[6];
	uint64_t ncheck;  /* inv_check calls */
	int verifying;    /* verify_incremental's full pass: reuse nothing */
} inv_ctx;

void inv_ctx_init(inv_ctx *c, const rt *r, const inv_truth *t);
/* Walks the defer chain's changed part into c->dc (full: all of it). */
void inv_dchain_collect(inv_ctx *c, int full);
void inv_dchain_free(inv_dchain *dc);
/* Unstarted endcgo records in the collected chain. */
static inline uint32_t inv_dchain_endcgo(const inv_dchain *dc)
{
	return dc->n ? dc->c[dc->n - 1].nendcgo : 0;
}
void inv_ctx_free(inv_ctx *c);
/* The scheduler switched from G index `from` to G index `to` (r->g is
** now `to`): parks the caches of `from` and takes those of `to` if they
** are still exact (its stack region unwritten since its last check:
** the region's write generation); 1 if taken, 0 if its first check
** must walk it in full. The defer-chain cache is never kept (records
** are heap regions of their own). */
int inv_ctx_switch(inv_ctx *c, uint32_t from, uint32_t to);
/* Runs the checkers; returns 1 and fills *v on a violation. */
int inv_check(inv_ctx *c, inv_violation *v);
/* Marks in c->reached the checkers [0, upto] whose non-trivial
** condition holds after this check (inv_reach.c). */
void inv_reach(inv_ctx *c, int upto);

/* The checkers, one per file group; each returns 1 on a violation. */
int inv_mem1(inv_ctx *c, inv_violation *v);
int inv_stk1(inv_ctx *c, inv_violation *v);
int inv_stk2(inv_ctx *c, inv_violation *v);
int inv_stk3(inv_ctx *c, inv_violation *v);
int inv_def1(inv_ctx *c, inv_violation *v);
int inv_def2(inv_ctx *c, inv_violation *v);
int inv_def3(inv_ctx *c, inv_violation *v);
int inv_def4(inv_ctx *c, inv_violation *v);
int inv_pan1(inv_ctx *c, inv_violation *v);
int inv_cgo1(inv_ctx *c, inv_violation *v);
int inv_cgo2(inv_ctx *c, inv_violation *v);
int inv_seh1(inv_ctx *c, inv_violation *v);
int inv_seh2(inv_ctx *c, inv_violation *v);
int inv_seh3(inv_ctx *c, inv_violation *v);
int inv_bar1(inv_ctx *c, inv_violation *v);
int inv_bar2(inv_ctx *c, inv_violation *v);
int inv_bar3(inv_ctx *c, inv_violation *v);
int inv_bar4(inv_ctx *c, inv_violation *v);
int inv_bar5(inv_ctx *c, inv_violation *v);
int inv_gc1(inv_ctx *c, inv_violation *v);
int inv_cgo3(inv_ctx *c, inv_violation *v);

/* An M that is not the loaded one, loaded for its check (inv_m.c): a
** free M is at rest (CGO1, CGO2, SEH1); on windows/386 a fault on any
** touched M's thread would reach Go's handler (SEH3). */
int inv_m_rest(const inv_ctx *c, inv_violation *v);
int inv_m_walk(const inv_ctx *c, inv_violation *v);

/* The i-th frame of the G, innermost first. */
static inline const rt_frame *inv_fr(const inv_ctx *c, uint32_t i)
{
	return &c->fr.f[c->fr.n - 1 - i];
}
/* Program frames from the i-th (innermost first) to the outermost. */
static inline uint32_t inv_nprog_from(const inv_ctx *c, uint32_t i)
{
	return i < c->fr.n ? c->fr.nprog[c->fr.n - 1 - i] : 0;
}

/* helpers shared by the checkers */

/* p with room for need elements of elt bytes (*cap grows by doubling). */
void *inv_grow(void *p, uint32_t *cap, uint32_t need, size_t elt);

/* The region holding all of [lo, hi) if it is one live region, else
** NULL: per-frame loops look the region up once, not per word. */
static inline const mc_region *inv_span(const inv_ctx *c, rt_addr lo,
					rt_addr hi)
{
	const mc_region *rg = mc_find(&c->r->mem, lo);
	if (!rg || !rg->live || (lo & 7) || hi > rg->base + rg->size)
		return NULL;
	return rg;
}
static inline uint32_t inv_span_word(const mc_region *rg, rt_addr a)
{
	return (uint32_t)((a - rg->base) / 8);
}
int inv_frame_at(const inv_ctx *c, rt_addr sp); /* index or -1 */
/* The same, given a frame index `below` (innermost first) whose sp is
** at most sp: one segment's search starts there (a chain walked from
** the head outward meets ever outer frames); -1: none known. */
int inv_frame_at_from(const inv_ctx *c, rt_addr sp, int below);
/* The same, given the stored index (outermost first) the frame had at
** the last check: O(1) when it still holds that sp, else the search
** (UINT32_MAX, no guess: the search). */
int inv_frame_at_hint(const inv_ctx *c, rt_addr sp, uint32_t stored);
/* The guess alone: the index inv_frame_at gives when stored frame
** `stored` is where the search would find sp, else -1 (then search). */
int inv_frame_guess(const inv_ctx *c, rt_addr sp, uint32_t stored);
/* This step moved the G's stack (a copy for growth or stress, or a
** shrink): its EV_COPY / EV_SHRINK event, not a field kept for DEF3. */
int inv_step_copied(const rt *r);
/* Written words of reused frames (see inv_frames), for per-word checks. */
uint32_t inv_rechecks(const inv_ctx *c, const rt_addr **w);
/* The reused frames whose return-PC slot was written since the last
** check (stored indices, outermost first = 0; inv_fr wants innermost
** first: n - 1 - s). */
uint32_t inv_slot_frames(const inv_ctx *c, const uint32_t **s);
uint32_t inv_endcgo_frames(const inv_ctx *c);
/* What every cache reused across checks needs first: it is valid (made
** at a check that passed), this is neither a full nor a verifying check,
** and at most one epoch closed since it was made (at `done`), so the
** machine log covers every write since. */
static inline int inv_cache_fresh(const inv_ctx *c, int valid, uint64_t done)
{
	return valid && c->full != 1 && !c->verifying &&
	       mc_changes(&c->r->mem)->ndone - done <= 1;
}
/* 1 if the live barrier entries and their slots are provably those the
** last check verified (inv_bar.c): BAR1, BAR2, BAR5 and STK3 then skip
** their per-entry loops. inv_bar_keep records them after a check. */
int inv_bar_kept(inv_ctx *c);
void inv_bar_keep(inv_ctx *c, int bad);
/* The highest address of G-stack region rg written since the machine
** log was last emptied (its single words, its bulk mark; with more
** regions than the log holds, the overall mark), 0 if none. */
rt_addr inv_written_hi(const mc_log *lg, const mc_region *rg);
void inv_fail(inv_violation *v, int id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *inv_addr(const inv_ctx *c, rt_addr a, char *buf, size_t len);
/* STK3/DEF2: word w's provenance tag and value agree (1 = violation).
** The holder is named in the message as "<what> <name><post>" ("frame
** f:", "defer g argument"; name may be NULL): formatted only on failure,
** because this runs for every word a step may have changed. */
int inv_ptrword(inv_ctx *c, inv_violation *v, int id, rt_addr w,
		const char *what, const char *name, const char *post);
/* The same for a word of live region rg (w in it, aligned): an untagged
** word, the common case, is settled without looking the region up, and
** so is a tagged one that holds its cell's address (inv_ptrword's pass:
** the same reads, from rg; inv_ptrword_fine says 1 for both); only a
** mismatch goes the long way, to be named. */
static inline int inv_ptrword_fine(inv_ctx *c, int id, const mc_region *rg,
				   rt_addr w)
{
	uint32_t i = inv_span_word(rg, w), tag = rg->ptag[i];
	if (!tag)
		return 1;
	const mc_mem *m = &c->r->mem;
	rt_addr want = tag < m->ncells ? m->cell_addr[tag] : 0;
	if (want && rg->w[i] == want) {
		if (id == INV_STK3 || id == INV_DEF2) /* their reached condition */
			c->reached |= 1u << id;
		return 1;
	}
	return 0;
}
static inline int inv_ptrword_in(inv_ctx *c, inv_violation *v, int id,
				 const mc_region *rg, rt_addr w, const char *what,
				 const char *name, const char *post)
{
	if (inv_ptrword_fine(c, id, rg, w))
		return 0;
	return inv_ptrword(c, v, id, w, what, name, post);
}

#endif
