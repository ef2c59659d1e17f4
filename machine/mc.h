/*
** mc.h: the simulated machine, the lowest layer of stackfuzz.
**
** What it models: a 64-bit, amd64-like address space of 8-byte words
** in regions (text, G stacks and segments, heap records, OS stacks) with
** deterministic addresses; one checked accessor for every load and
** store; dead regions kept as tombstones; optional poison fills; beside
** every word, the shadow truth tags (cell identity and pointer
** provenance) that only the harness writes and only the checkers read;
** and the change log that tells an incremental checker what memory saw
** since the last check, behind an explicit epoch API:
**
**     mc_epoch_begin(m)      a step begins (the runtime's rt_begin_step)
**     mc_changes(m)          what changed since the last check (a view)
**     mc_epoch_done(m)       the check is done: the log starts afresh
**
** Layering: this layer uses only the C library. The runtime
** (runtime-under-test/) builds on it; the checkers (invariants/) read it
** through const views (mc_peek, mc_find on a const machine, mc_changes);
** the harness writes the truth tags and closes each epoch.
**
** Gotcha: the page cache behind mc_find is filled on a lookup, also on a
** const machine (a cache, not state: a hit and a miss give the same
** region); every other const function reads only.
*/
#ifndef STACKFUZZ_MC_H
#define STACKFUZZ_MC_H

#include <stddef.h>
#include <stdint.h>

#include "mc_assert.h"

typedef uint64_t mc_addr;
typedef uint64_t mc_word;
#define MC_ADDR_MAX (~(mc_addr)0)

/* Address-space areas: deterministic bases, so traces are stable. */
#define MC_TEXT_BASE 0x0000000000401000ull
#define MC_STACK_BASE 0x000000c000000000ull
#define MC_HEAP_BASE 0x000000c800000000ull
#define MC_OSSTACK_BASE 0x00007ff000000000ull
#define MC_NIL_LIMIT 0x1000ull /* loads/stores below fault as nil */

/* Poison bytes (Go's stack debug modes used 0xfd/0xfb/0xfc). */
enum { MC_POISON_NEW = 0xfd, MC_POISON_COPY = 0xfb, MC_POISON_FREE = 0xfc };

typedef enum {
	RG_TEXT = 0,
	RG_STACK,   /* a G's stack or split-stack segment */
	RG_HEAP,    /* defer records */
	RG_OSSTACK, /* an M's g0 stack */
	RG__KINDS
} mc_region_kind;

typedef struct mc_region {
	mc_addr base;
	uint32_t size; /* bytes, multiple of 8 */
	uint32_t id;   /* serial, per run */
	uint8_t kind;  /* mc_region_kind */
	uint8_t live;
	char name[24];	/* e.g. "stack#3" */
	mc_word *w;	/* size/8 words; NULL once dead */
	/* Ground-truth tags, written only by the harness (the machine keeps
	** them beside the words, as hardware keeps capability tags): cell is
	** the identity of the storage location, ptag the cell this word
	** truly points at. A relocating move carries both; a value copy
	** carries ptag only. The runtime never reads them. */
	uint32_t *cell;
	uint32_t *ptag;
	/* bumped by every logged write into the region (value, tag, cell,
	** bulk): a checker that cached what a region held knows, across
	** epochs it did not see, whether anything there changed since */
	uint64_t wgen;
} mc_region;

typedef struct mc_fault {
	mc_addr addr;
	uint32_t region; /* id of the dead region, 0 if unmapped */
	uint8_t write;
	uint8_t nil;
} mc_fault;

/* ---- the change log (mc_log.c) ---- */
enum { MC_LOGW = 64, MC_LOGRG = 8 };

/* What memory saw since the last check. G-stack writes: single-word
** stores are logged one by one (so a write into an outer frame's data
** does not make a checker re-walk every frame above it); bulk writes,
** and single ones past the log, raise a high-water mark, overall and
** per stack region (segmented stacks). Generations never reset: a
** checker caches the one it saw. */
typedef struct mc_log {
	mc_addr stack_hi;     /* highest G-stack address bulk-written */
	mc_addr w[MC_LOGW];   /* single-word G-stack writes */
	uint32_t nw;
	/* per G-stack region: [lo, end) and the highest address written in
	** it (bulk, or single past the log); nrg > MC_LOGRG means "more
	** regions than that" */
	struct mc_logrg { mc_addr lo, end, hi; } rg[MC_LOGRG];
	uint32_t nrg;
	/* lowest heap address written, or region released; MC_ADDR_MAX for
	** none, 0 ("all") until the first epoch is done */
	mc_addr heap_lo;
	/* highest OS-stack address written (value or tag); 0 for none,
	** MC_ADDR_MAX ("all") until the first epoch is done and after an
	** OS stack is created */
	mc_addr os_hi;
	/* highest G-stack address given a new cell identity (mc_cell_new)
	** or whose cell a release retired, 0 for none: a cell moves or is
	** retired only there. Unlike stack_hi, a program store does not
	** raise it: it changes a value, not where a cell lives */
	mc_addr cell_hi;
	/* base of the one G-stack region those new cells are in: 0 none,
	** MC_ADDR_MAX several (a segmented stack's newest segment lies
	** above the older ones, so cell_hi alone says nothing of them) */
	mc_addr cell_rg;
	uint32_t nsteps; /* epochs begun since the last check */
	/* bumped when a stack region is created, released or relocated
	** into */
	uint64_t stackgen;
	uint64_t osgen; /* bumped by every write to an OS stack */
	/* epochs closed (mc_epoch_done), never reset: a checker that cached
	** something at a check knows whether the log's marks (os_hi, ...)
	** cover every write since (this count moved by at most one) */
	uint64_t ndone;
} mc_log;

enum { MC_PAGECACHE_BITS = 11, MC_PAGECACHE = 1 << MC_PAGECACHE_BITS };

typedef struct mc_mem {
	struct mc_area {
		mc_region **r; /* sorted by base (bump allocation) */
		uint32_t n, cap;
		mc_addr next;
		/* page table: page p of the area (from its base) -> index + 1
		** of the region on it, 0 if none (every region starts on a page
		** of its own); covers pages [0, ptlim), the rest is searched */
		uint32_t *pt;
		uint32_t npt, cappt, ptlim;
	} area[RG__KINDS];
	uint32_t nregions;
	/* Lookup cache by page: regions are never unmapped within a run
	** (a dead one stays as a tombstone), so an entry never goes stale;
	** misses are not cached. */
	mc_region *pagecache[MC_PAGECACHE];
	/* cell identity index: where each live cell is now (0 = gone) */
	mc_addr *cell_addr;
	uint32_t ncells, cellcap;
	/* faults seen (MEM1 reads them); the first few are kept */
	uint64_t nfaults;
	mc_fault fault[4];
	uint64_t nnil; /* nil dereferences (they become Go panics) */
	mc_log log;    /* behind the epoch API only */
	uint8_t poison; /* fill new/copied/freed memory with MC_POISON_* */
} mc_mem;

void mc_init(mc_mem *m, int poison);
void mc_free(mc_mem *m);
mc_region *mc_alloc(mc_mem *m, mc_region_kind kind, uint32_t size,
		    const char *name);
void mc_release(mc_mem *m, mc_region *r); /* becomes a tombstone */
/* Bytes of address space left for new regions of kind k (addresses are
** never reused, so a long run of moves uses its area up): a caller that
** may allocate checks first, and ends the run as a harness limit. */
mc_addr mc_area_left(const mc_mem *m, mc_region_kind k);
mc_region *mc_find_slow(const mc_mem *m, mc_addr a);
/* The region holding a, live or dead, or NULL. Inline: the checkers and
** the interpreter look up a region for nearly every word they touch,
** and nearly every lookup hits the page cache. */
static inline uint32_t mc_page_slot(mc_addr a)
{
	/* multiplicative: heap records sit two pages apart, so the low page
	** bits alone would leave half the slots unused */
	return (uint32_t)(((a >> 12) ^ (a >> 32)) * 0x9E3779B1u) >> (32 - MC_PAGECACHE_BITS);
}
static inline mc_region *mc_find(const mc_mem *m, mc_addr a)
{
	mc_region *l = m->pagecache[mc_page_slot(a)];
	if (l && a >= l->base && a < l->base + l->size)
		return l;
	return mc_find_slow(m, a);
}
/* The one checked accessor. A load/store outside live memory records a
** fault and returns -1 (the load yields 0); below MC_NIL_LIMIT it is a nil
** dereference (returns -2, also recorded). */
int mc_load(mc_mem *m, mc_addr a, mc_word *v);
int mc_store(mc_mem *m, mc_addr a, mc_word v); /* clears the word's ptag */
/* Store that keeps the provenance tag: pointer adjustment. */
int mc_store_adjust(mc_mem *m, mc_addr a, mc_word v);
/* Read without recording a fault (checkers, dumps): 0 ok, -1 not live. */
static inline int mc_peek(const mc_mem *m, mc_addr a, mc_word *v)
{
	const mc_region *r = mc_find(m, a);
	if (!r || !r->live || (a & 7)) {
		*v = 0;
		return -1;
	}
	*v = r->w[(a - r->base) / 8];
	return 0;
}
/* Bulk moves; both regions must be live. `move` relocates (identity
** cells follow the words), `copy` copies values (and their ptags). */
void mc_move(mc_mem *m, mc_addr dst, mc_addr src, uint32_t bytes);
void mc_copy(mc_mem *m, mc_addr dst, mc_addr src, uint32_t bytes);
void mc_fill(mc_mem *m, mc_addr dst, uint32_t bytes, uint8_t byte);
/* Ground-truth tags (harness side). */
uint32_t mc_cell_new(mc_mem *m, mc_addr a); /* give word a a fresh cell */
uint32_t mc_cell_at(const mc_mem *m, mc_addr a);
uint32_t mc_ptag_at(const mc_mem *m, mc_addr a);
void mc_ptag_set(mc_mem *m, mc_addr a, uint32_t cell);
mc_addr mc_cell_addr(const mc_mem *m, uint32_t cell); /* 0 if gone */
/* "stack#2+0x1f8": addresses relative to their region, for traces. */
void mc_fmt_addr(const mc_mem *m, mc_addr a, char *buf, size_t len);

/* ---- host storage of regions, reused across runs (mc_pool.c) ---- */
/* A block of at least `bytes`, contents unspecified (the caller writes
** every byte); mc_pool_put parks it for the next mc_pool_get (the same
** `bytes` as it was got with). */
void *mc_pool_get(size_t bytes);
void mc_pool_put(void *p, size_t bytes);
/* Frees every parked block (tests: the next run starts from fresh ones). */
void mc_pool_drain(void);

/* ---- the epoch API (mc_log.c) ---- */
void mc_epoch_begin(mc_mem *m);			/* a step begins */
const mc_log *mc_changes(const mc_mem *m);	/* since the last check */
void mc_epoch_done(mc_mem *m);			/* the check is done */
/* The highest G-stack address written since the last check, single or
** bulk (0 if none). */
mc_addr mc_changes_stack_hi(const mc_log *l);
/* Recording, for mc_mem.c: a bulk write to [.., hi] of region r, a
** single-word write at a, a region created or released, a relocation. */
void mc_log_bulk(mc_mem *m, mc_region *r, mc_addr hi);
void mc_log_word(mc_mem *m, mc_region *r, mc_addr a);
void mc_log_region(mc_mem *m, const mc_region *r, int released);
void mc_log_relocated(mc_mem *m, const mc_region *r);

#endif
