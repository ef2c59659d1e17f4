/*
** mc_mem.c: the simulated address space (machine/, mc.h).
**
** What it models: one 64-bit address space made of regions (text, G
** stacks and segments, heap records, OS stacks). Every load and store of
** the runtime and of programs goes through mc_load/mc_store, which know
** which regions are live. Every write is told to the change log
** (mc_log.c), which the checkers read through the epoch API.
**
** Invariants kept:
**  - addresses are deterministic: each area hands out bases by bumping a
**    pointer, page aligned, with an unmapped guard page between regions,
**    and never reuses an address within a run;
**  - a released region stays as a dead tombstone for the rest of the run
**    (its words are freed, its metadata kept): touching it records a
**    fault, in every build, not only under ASan (MEM1);
**  - ground-truth tags (cell, ptag) are written only by the harness; a
**    relocating move carries cells and ptags, a value copy carries ptags,
**    a plain store clears the ptag of the word it overwrites.
**
** Gotchas: a cell lives at one address at a time. Giving a word a new
** cell, or releasing a region, retires the cells it held, unless the
** cell has already moved elsewhere (a copied stack is released after the
** move, and its cells must stay valid in the new stack).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc.h"

static const mc_addr area_base[RG__KINDS] = {
	MC_TEXT_BASE,
	MC_STACK_BASE,
	MC_HEAP_BASE,
	MC_OSSTACK_BASE,
};

enum { PAGE = 4096, PAGE_SHIFT = 12 };
/* Page-table entries per area at most (16 MiB of table): past that, a
** run that has allocated more than 16 GiB of one kind of memory falls
** back to the binary search. */
enum { PT_MAX = 1u << 22 };

/* Grows an array from `n` to `nn` elements of `sz` bytes through the
** storage pool (mc_pool.c): the machine's tables are rebuilt every run,
** and under ASan a realloc per table per run was a good part of a short
** run's cost. The new tail is zeroed: callers rely on it (page table). */
static void *grow(void *p, size_t n, size_t nn, size_t sz)
{
	char *np = mc_pool_get(nn * sz);
	if (n)
		memcpy(np, p, n * sz);
	memset(np + n * sz, 0, (nn - n) * sz);
	if (p)
		mc_pool_put(p, n * sz);
	return np;
}

/* A region's storage block: its words, then a cell and a ptag per word. */
static size_t store_bytes(uint32_t size) { return (size_t)size * 2; }

void mc_init(mc_mem *m, int poison)
{
	memset(m, 0, sizeof *m);
	for (int k = 0; k < RG__KINDS; k++) {
		m->area[k].next = area_base[k];
		m->area[k].ptlim = PT_MAX;
	}
	m->poison = (uint8_t)(poison != 0);
	m->ncells = 1; /* cell 0 means "none" */
	/* heap_lo 0, os_hi max: until the first epoch is done, everything
	** changed */
	m->log.os_hi = MC_ADDR_MAX;
}

void mc_free(mc_mem *m)
{
	for (int k = 0; k < RG__KINDS; k++) {
		for (uint32_t i = 0; i < m->area[k].n; i++) {
			mc_region *r = m->area[k].r[i];
			mc_pool_put(r->w, store_bytes(r->size));
			mc_pool_put(r, sizeof *r);
		}
		mc_pool_put(m->area[k].r, m->area[k].cap * sizeof *m->area[k].r);
		mc_pool_put(m->area[k].pt, m->area[k].cappt * sizeof *m->area[k].pt);
	}
	mc_pool_put(m->cell_addr, m->cellcap * sizeof *m->cell_addr);
	memset(m, 0, sizeof *m);
}

/* Enter region number idx (index + 1) for the pages of [off, off+size)
** of area ar, off from the area's base (page aligned). */
static void pt_add(struct mc_area *ar, mc_addr off, uint32_t size, uint32_t idx)
{
	mc_addr first = off >> PAGE_SHIFT;
	mc_addr last = (off + (size ? size : 1) - 1) >> PAGE_SHIFT;
	if (last >= ar->ptlim) {
		if (first < ar->ptlim)
			ar->ptlim = (uint32_t)first;
		return;
	}
	if (last >= ar->cappt) {
		uint32_t nc = ar->cappt ? ar->cappt : 1024;
		while (nc <= last)
			nc *= 2;
		ar->pt = grow(ar->pt, ar->cappt, nc, sizeof *ar->pt);
		ar->cappt = nc;
	}
	for (mc_addr p = first; p <= last; p++)
		ar->pt[p] = idx;
	if (last + 1 > ar->npt)
		ar->npt = (uint32_t)(last + 1);
}

mc_region *mc_alloc(mc_mem *m, mc_region_kind kind, uint32_t size,
			const char *name)
{
	size = (size + 7u) & ~7u;
	mc_region *r = mc_pool_get(sizeof *r);
	memset(r, 0, sizeof *r);
	r->base = m->area[kind].next;
	r->size = size;
	r->kind = (uint8_t)kind;
	r->live = 1;
	r->id = ++m->nregions;
	snprintf(r->name, sizeof r->name, "%s#%u", name, r->id);
	/* one block: the words, then the cells, then the ptags; every byte
	** written here, whatever the block held before (mc_pool.c) */
	r->w = mc_pool_get(store_bytes(size));
	r->cell = (uint32_t *)(r->w + size / 8);
	r->ptag = r->cell + size / 8;
	memset(r->w, m->poison ? MC_POISON_NEW : 0, size);
	memset(r->cell, 0, size);
	/* next base: past this region, page aligned, plus one guard page */
	m->area[kind].next = (r->base + size + 2 * PAGE - 1) & ~(mc_addr)(PAGE - 1);
	if (m->area[kind].n == m->area[kind].cap) {
		uint32_t nc = m->area[kind].cap ? 2 * m->area[kind].cap : 16;
		m->area[kind].r = grow(m->area[kind].r, m->area[kind].cap, nc,
				       sizeof *m->area[kind].r);
		m->area[kind].cap = nc;
	}
	m->area[kind].r[m->area[kind].n++] = r;
	pt_add(&m->area[kind], r->base - area_base[kind], size, m->area[kind].n);
	mc_log_region(m, r, 0);
	return r;
}

mc_addr mc_area_left(const mc_mem *m, mc_region_kind k)
{
	mc_addr end = (int)k + 1 < RG__KINDS ? area_base[k + 1] : MC_ADDR_MAX;
	return m->area[k].next < end ? end - m->area[k].next : 0;
}

/* A cell identity at or below a in stack region r changed (new or
** retired): the log's cell_hi and cell_rg. */
static void log_cells(mc_mem *m, const mc_region *r, mc_addr a)
{
	if (a > m->log.cell_hi)
		m->log.cell_hi = a;
	if (!m->log.cell_rg)
		m->log.cell_rg = r->base;
	else if (m->log.cell_rg != r->base)
		m->log.cell_rg = MC_ADDR_MAX;
}

static void cell_retire(mc_mem *m, uint32_t c, mc_addr where)
{
	if (c && c < m->ncells && m->cell_addr[c] == where)
		m->cell_addr[c] = 0;
}

void mc_release(mc_mem *m, mc_region *r)
{
	/* the runtime frees each of its regions once: a second release (or
	** of nothing) is its bookkeeping broken, not a no-op */
	MC_ASSERT(r && r->live);
	if (!r || !r->live)
		return;
	for (uint32_t i = 0; i < r->size / 8; i++)
		cell_retire(m, r->cell[i], r->base + 8ull * i);
	if (r->kind == RG_STACK && r->size) /* its cells are retired */
		log_cells(m, r, r->base + r->size - 8);
	mc_pool_put(r->w, store_bytes(r->size));
	r->w = NULL;
	r->cell = r->ptag = NULL;
	r->live = 0;
	mc_log_region(m, r, 1);
}

/* The miss path of mc_find (rt.h): binary search in the area. */
mc_region *mc_find_slow(const mc_mem *cm, mc_addr a)
{
	/* the page cache is filled also for a const machine: a cache, not
	** state (mc.h) */
	mc_mem *m = (mc_mem *)cm;
	int k;
	for (k = RG__KINDS - 1; k >= 0; k--)
		if (a >= area_base[k])
			break;
	if (k < 0)
		return NULL;
	mc_region **v = m->area[k].r;
	mc_addr pg = (a - area_base[k]) >> PAGE_SHIFT;
	if (pg < m->area[k].ptlim) { /* O(1): the page table */
		uint32_t i = pg < m->area[k].npt ? m->area[k].pt[pg] : 0;
		mc_region *r = i ? v[i - 1] : NULL;
		if (!r || a >= r->base + r->size)
			return NULL;
		m->pagecache[mc_page_slot(a)] = r;
		return r;
	}
	uint32_t lo = 0, hi = m->area[k].n;
	while (lo < hi) { /* first region with base > a */
		uint32_t mid = (lo + hi) / 2;
		if (v[mid]->base <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	mc_region *r = v[lo - 1];
	if (a >= r->base + r->size)
		return NULL;
	m->pagecache[mc_page_slot(a)] = r;
	return r;
}

static void record_fault(mc_mem *m, mc_addr a, const mc_region *r, int write,
			 int nil)
{
	if (nil) { /* a nil dereference is a Go panic, not a violation */
		m->nnil++;
		return;
	}
	if (m->nfaults < sizeof m->fault / sizeof m->fault[0]) {
		mc_fault *f = &m->fault[m->nfaults];
		f->addr = a;
		f->region = r ? r->id : 0;
		f->write = (uint8_t)write;
		f->nil = (uint8_t)nil;
	}
	m->nfaults++;
}

/* Returns the word index or -1 (fault recorded), -2 for nil. */
static long locate(mc_mem *m, mc_addr a, int write, mc_region **out)
{
	if (a < MC_NIL_LIMIT) {
		record_fault(m, a, NULL, write, 1);
		return -2;
	}
	mc_region *r = mc_find(m, a);
	if (!r || !r->live || (a & 7)) {
		record_fault(m, a, r, write, 0);
		return -1;
	}
	*out = r;
	return (long)((a - r->base) / 8);
}

int mc_load(mc_mem *m, mc_addr a, mc_word *v)
{
	mc_region *r;
	long i = locate(m, a, 0, &r);
	if (i < 0) {
		*v = 0;
		return (int)i;
	}
	*v = r->w[i];
	return 0;
}

int mc_store(mc_mem *m, mc_addr a, mc_word v)
{
	mc_region *r;
	long i = locate(m, a, 1, &r);
	if (i < 0)
		return (int)i;
	r->w[i] = v;
	r->ptag[i] = 0;
	mc_log_word(m, r, a);
	return 0;
}

int mc_store_adjust(mc_mem *m, mc_addr a, mc_word v)
{
	mc_region *r;
	long i = locate(m, a, 1, &r);
	if (i < 0)
		return (int)i;
	r->w[i] = v;
	mc_log_word(m, r, a);
	return 0;
}

/* Both ranges must lie inside live regions; the runtime only moves its
** own stacks and records, so a failure here is an internal error. */
static mc_region *span(mc_mem *m, mc_addr a, uint32_t bytes)
{
	mc_region *r = mc_find(m, a);
	if (!r || !r->live || (a & 7) || a + bytes > r->base + r->size) {
		fprintf(stderr, "stackfuzz: internal: bad span %#llx+%u\n",
			(unsigned long long)a, bytes);
		mc_assert_fail("span in one live region", __FILE__, __LINE__, 1);
	}
	return r;
}

void mc_move(mc_mem *m, mc_addr dst, mc_addr src, uint32_t bytes)
{
	if (!bytes)
		return;
	mc_region *d = span(m, dst, bytes), *s = span(m, src, bytes);
	size_t di = (dst - d->base) / 8, si = (src - s->base) / 8, n = bytes / 8;
	memmove(&d->w[di], &s->w[si], bytes);
	memmove(&d->ptag[di], &s->ptag[si], n * sizeof(uint32_t));
	mc_log_bulk(m, d, dst + bytes - 8);
	mc_log_relocated(m, d);
	for (size_t i = 0; i < n; i++) {
		uint32_t c = s->cell[si + i];
		cell_retire(m, d->cell[di + i], dst + 8 * i);
		d->cell[di + i] = c;
		if (c && c < m->ncells)
			m->cell_addr[c] = dst + 8 * i;
	}
	if (m->poison && d != s)
		memset(&s->w[si], MC_POISON_COPY, bytes);
}

void mc_copy(mc_mem *m, mc_addr dst, mc_addr src, uint32_t bytes)
{
	if (!bytes)
		return;
	mc_region *d = span(m, dst, bytes), *s = span(m, src, bytes);
	size_t di = (dst - d->base) / 8, si = (src - s->base) / 8;
	memmove(&d->w[di], &s->w[si], bytes);
	memmove(&d->ptag[di], &s->ptag[si], (bytes / 8) * sizeof(uint32_t));
	mc_log_bulk(m, d, dst + bytes - 8);
}

void mc_fill(mc_mem *m, mc_addr dst, uint32_t bytes, uint8_t byte)
{
	if (!bytes)
		return;
	mc_region *d = span(m, dst, bytes);
	size_t di = (dst - d->base) / 8;
	memset(&d->w[di], byte, bytes);
	memset(&d->ptag[di], 0, (bytes / 8) * sizeof(uint32_t));
	mc_log_bulk(m, d, dst + bytes - 8);
}

uint32_t mc_cell_new(mc_mem *m, mc_addr a)
{
	mc_region *r = mc_find(m, a);
	if (!r || !r->live || (a & 7))
		return 0;
	size_t i = (a - r->base) / 8;
	cell_retire(m, r->cell[i], a);
	if (m->ncells >= m->cellcap) {
		uint32_t nc = m->cellcap ? 2 * m->cellcap : 256;
		m->cell_addr = grow(m->cell_addr, m->cellcap, nc, sizeof *m->cell_addr);
		m->cellcap = nc;
	}
	uint32_t c = m->ncells++;
	m->cell_addr[c] = a;
	r->cell[i] = c;
	mc_log_word(m, r, a);
	if (r->kind == RG_STACK)
		log_cells(m, r, a);
	return c;
}

uint32_t mc_cell_at(const mc_mem *m, mc_addr a)
{
	const mc_region *r = mc_find(m, a);
	if (!r || !r->live || (a & 7))
		return 0;
	return r->cell[(a - r->base) / 8];
}

uint32_t mc_ptag_at(const mc_mem *m, mc_addr a)
{
	const mc_region *r = mc_find(m, a);
	if (!r || !r->live || (a & 7))
		return 0;
	return r->ptag[(a - r->base) / 8];
}

void mc_ptag_set(mc_mem *m, mc_addr a, uint32_t cell)
{
	mc_region *r = mc_find(m, a);
	if (!r || !r->live || (a & 7))
		return;
	r->ptag[(a - r->base) / 8] = cell;
	mc_log_word(m, r, a);
}

mc_addr mc_cell_addr(const mc_mem *m, uint32_t cell)
{
	if (!cell || cell >= m->ncells)
		return 0;
	return m->cell_addr[cell];
}

void mc_fmt_addr(const mc_mem *m, mc_addr a, char *buf, size_t len)
{
	if (a == 0) {
		snprintf(buf, len, "nil");
		return;
	}
	const mc_region *r = mc_find(m, a);
	if (!r)
		snprintf(buf, len, "%#llx", (unsigned long long)a);
	else
		snprintf(buf, len, "%s%s+%#llx", r->name, r->live ? "" : "(dead)",
			 (unsigned long long)(a - r->base));
}
