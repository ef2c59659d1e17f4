/*
** test_mc_log.c: unit tests of the machine's change log and its epoch
** API (machine/mc_log.c): what a checker is told changed since the last
** check, that the log never under-reports when it overflows, that
** generations survive the end of an epoch, and that only
** mc_epoch_done empties it.
*/
#include "testutil.h"

static void test_log_starts_with_everything(void **state)
{
	(void)state;
	mc_mem m;
	mc_init(&m, 0);
	const mc_log *l = mc_changes(&m);
	assert_int_equal(l->heap_lo, 0); /* "all": nothing verified yet */
	assert_int_equal(l->os_hi, MC_ADDR_MAX);
	assert_int_equal(l->ndone, 0);
	mc_epoch_done(&m);
	assert_int_equal(l->heap_lo, MC_ADDR_MAX);
	assert_int_equal(l->os_hi, 0);
	/* closed epochs are counted, and the count survives the next close
	** (SEH1 reuses its chain only while it moved by at most one) */
	assert_int_equal(l->ndone, 1);
	mc_epoch_done(&m);
	assert_int_equal(l->ndone, 2);
	mc_alloc(&m, RG_OSSTACK, 4096, "g0"); /* a new OS stack: all of it */
	assert_int_equal(l->os_hi, MC_ADDR_MAX);
	assert_int_equal(l->nw, 0);
	assert_int_equal(l->nrg, 0);
	assert_int_equal(mc_changes_stack_hi(l), 0);
	mc_free(&m);
}

static void test_log_words_bulk_and_epochs(void **state)
{
	(void)state;
	mc_mem m;
	mc_init(&m, 0);
	mc_region *s = mc_alloc(&m, RG_STACK, 4096, "stack");
	mc_region *h = mc_alloc(&m, RG_HEAP, 64, "defer");
	mc_region *o = mc_alloc(&m, RG_OSSTACK, 4096, "g0");
	mc_epoch_done(&m);
	const mc_log *l = mc_changes(&m);
	uint64_t gen = l->stackgen, osgen = l->osgen;

	mc_epoch_begin(&m);
	assert_int_equal(l->nsteps, 1);
	mc_store(&m, s->base + 64, 1);
	mc_store(&m, s->base + 8, 2);
	assert_int_equal(l->nw, 2);
	assert_int_equal(l->w[0], s->base + 64);
	assert_int_equal(l->w[1], s->base + 8);
	assert_int_equal(l->stack_hi, 0); /* single words are only logged */
	assert_int_equal(mc_changes_stack_hi(l), s->base + 64);
	mc_fill(&m, s->base + 128, 32, 0); /* bulk: a high-water mark */
	assert_int_equal(l->stack_hi, s->base + 128 + 24);
	assert_int_equal(l->nrg, 1);
	assert_int_equal(l->rg[0].lo, s->base);
	assert_int_equal(l->rg[0].end, s->base + s->size);
	assert_int_equal(l->rg[0].hi, s->base + 128 + 24);
	mc_store(&m, h->base + 16, 3);
	assert_int_equal(l->heap_lo, h->base + 16);
	mc_store(&m, o->base + 64, 4);
	mc_store(&m, o->base + 8, 4);
	assert_true(l->osgen > osgen);
	assert_int_equal(l->os_hi, o->base + 64); /* the highest one */
	mc_fill(&m, o->base + 128, 16, 0);
	assert_int_equal(l->os_hi, o->base + 128 + 8);
	assert_int_equal(l->stackgen, gen); /* writes are not relocations */
	/* a load, a peek and a faulting store change nothing */
	mc_word v;
	mc_load(&m, s->base, &v);
	mc_peek(&m, s->base, &v);
	mc_store(&m, s->base + s->size + 4096, 5);
	assert_int_equal(l->nw, 2);

	/* a second step before a check: the log accumulates */
	mc_epoch_begin(&m);
	assert_int_equal(l->nsteps, 2);
	assert_int_equal(l->nw, 2);

	/* the check is done: the log empties, the generations stay */
	uint64_t osgen2 = l->osgen;
	mc_epoch_done(&m);
	assert_int_equal(l->nw, 0);
	assert_int_equal(l->nrg, 0);
	assert_int_equal(l->stack_hi, 0);
	assert_int_equal(l->heap_lo, MC_ADDR_MAX);
	assert_int_equal(l->nsteps, 0);
	assert_int_equal(l->os_hi, 0);
	assert_int_equal(l->osgen, osgen2);
	assert_int_equal(l->stackgen, gen);
	mc_free(&m);
}

/* Past MC_LOGW single words, a store widens the high-water marks instead
** of being dropped; past MC_LOGRG regions, nrg says "more than that". */
static void test_log_overflow_widens(void **state)
{
	(void)state;
	mc_mem m;
	mc_init(&m, 0);
	mc_region *rg[MC_LOGRG + 1];
	for (int i = 0; i <= MC_LOGRG; i++)
		rg[i] = mc_alloc(&m, RG_STACK, 2048, "stack");
	mc_epoch_done(&m);
	const mc_log *l = mc_changes(&m);
	for (int i = 0; i < MC_LOGW; i++)
		mc_store(&m, rg[0]->base + 8ull * i, 1);
	assert_int_equal(l->nw, MC_LOGW);
	assert_int_equal(l->stack_hi, 0);
	mc_store(&m, rg[0]->base + 1024, 1);
	assert_int_equal(l->nw, MC_LOGW);
	assert_int_equal(l->stack_hi, rg[0]->base + 1024);
	assert_int_equal(l->nrg, 1);
	assert_int_equal(l->rg[0].hi, rg[0]->base + 1024);
	for (int i = 1; i <= MC_LOGRG; i++)
		mc_fill(&m, rg[i]->base, 8, 0);
	assert_int_equal(l->nrg, MC_LOGRG + 1);
	mc_fill(&m, rg[1]->base + 64, 8, 0); /* a known region still updates */
	assert_int_equal(l->rg[1].hi, rg[1]->base + 64);
	assert_int_equal(l->nrg, MC_LOGRG + 1);
	mc_free(&m);
}

/* Stack regions made, released or relocated into bump stackgen: every
** frame a checker cached there may have moved. */
static void test_log_stack_generations(void **state)
{
	(void)state;
	mc_mem m;
	mc_init(&m, 0);
	const mc_log *l = mc_changes(&m);
	uint64_t g0 = l->stackgen;
	mc_region *a = mc_alloc(&m, RG_STACK, 2048, "stack");
	assert_int_equal(l->stackgen, g0 + 1);
	mc_region *b = mc_alloc(&m, RG_STACK, 4096, "stack");
	mc_region *h = mc_alloc(&m, RG_HEAP, 64, "defer");
	assert_int_equal(l->stackgen, g0 + 2); /* a heap record is not a stack */
	mc_epoch_done(&m);
	mc_move(&m, b->base + 2048, a->base, 2048);
	assert_int_equal(l->stackgen, g0 + 3);
	mc_copy(&m, b->base, a->base, 64); /* a value copy relocates nothing */
	assert_int_equal(l->stackgen, g0 + 3);
	mc_release(&m, a);
	assert_int_equal(l->stackgen, g0 + 4);
	mc_epoch_done(&m);
	mc_release(&m, h);
	assert_int_equal(l->heap_lo, h->base); /* a released record */
	assert_int_equal(l->stackgen, g0 + 4);
	mc_free(&m);
}

/* A region's write generation (mc_region.wgen) counts every logged
** write into it, across epochs: a cache of what a region held, kept
** while the log was emptied by other checks, knows whether it is still
** exact. Cell identities (mc_cell_new) count; writes elsewhere do not. */
static void test_log_region_wgen(void **state)
{
	(void)state;
	mc_mem m;
	mc_init(&m, 0);
	mc_region *a = mc_alloc(&m, RG_STACK, 2048, "stack");
	mc_region *b = mc_alloc(&m, RG_STACK, 2048, "stack");
	mc_epoch_done(&m);
	uint64_t ga = a->wgen, gb = b->wgen;
	mc_store(&m, b->base, 7);
	mc_epoch_done(&m);
	assert_int_equal(a->wgen, ga); /* another region's write */
	assert_true(b->wgen > gb);
	mc_word v;
	mc_load(&m, a->base, &v); /* a read is not a write */
	assert_int_equal(a->wgen, ga);
	mc_cell_new(&m, a->base + 8);
	assert_true(a->wgen > ga);
	assert_int_equal(m.log.cell_hi, a->base + 8);
	ga = a->wgen;
	mc_fill(&m, a->base, 16, 0);
	assert_true(a->wgen > ga);
	mc_epoch_done(&m);
	assert_int_equal(m.log.cell_hi, 0);
	mc_free(&m);
}

/* Where cell identities changed (cell_hi, cell_rg): the defer chain's
** cache reuses a record whose argument targets lie above cell_hi, or in
** regions other than the one region cell_rg names. New cells and a
** stack region's release (which retires its cells) both count; a store
** does not; two regions make cell_rg "several". */
static void test_log_cell_regions(void **state)
{
	(void)state;
	mc_mem m;
	mc_init(&m, 0);
	mc_region *a = mc_alloc(&m, RG_STACK, 2048, "stack");
	mc_region *b = mc_alloc(&m, RG_STACK, 2048, "stack");
	mc_region *h = mc_alloc(&m, RG_HEAP, 64, "heap");
	mc_epoch_done(&m);
	assert_int_equal(m.log.cell_rg, 0);
	mc_store(&m, a->base + 64, 1); /* a value, not an identity */
	mc_cell_new(&m, h->base);      /* heap cells do not count */
	assert_int_equal(m.log.cell_hi, 0);
	assert_int_equal(m.log.cell_rg, 0);
	mc_cell_new(&m, b->base + 16);
	mc_cell_new(&m, b->base + 8);
	assert_int_equal(m.log.cell_hi, b->base + 16);
	assert_int_equal(m.log.cell_rg, b->base);
	mc_cell_new(&m, a->base + 8); /* a second region */
	assert_int_equal(m.log.cell_hi, b->base + 16);
	assert_int_equal(m.log.cell_rg, MC_ADDR_MAX);
	mc_epoch_done(&m);
	assert_int_equal(m.log.cell_rg, 0);
	mc_release(&m, b); /* its cells retire: its top word counts */
	assert_int_equal(m.log.cell_hi, b->base + 2048 - 8);
	assert_int_equal(m.log.cell_rg, b->base);
	mc_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_starts_with_everything),
		cmocka_unit_test(test_log_words_bulk_and_epochs),
		cmocka_unit_test(test_log_overflow_widens),
		cmocka_unit_test(test_log_stack_generations),
		cmocka_unit_test(test_log_region_wgen),
		cmocka_unit_test(test_log_cell_regions),
	};
	mc_assert_hook = mock_assert; /* internal assertions reach cmocka */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
