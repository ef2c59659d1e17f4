/*
** test_runtime.c: unit tests of the reference runtime, one group per
** subsystem: mc_mem (address space, tombstones, identity cells and
** provenance tags), rt_text (function table), rt_trace (the unwinder on
** hand-built stacks), rt_stack (copy, segments, shrink, overflow, stress)
** and rt_defer (records, LIFO order, panic, recover, Goexit).
**
** States are driven through the runtime API as the harness does it
** (testutil.h); the checkers are asserted quiet along the way, so a
** runtime change that breaks an invariant fails here too.
*/
#include "testutil.h"

/* ------------------------------------------------------------------ */
/* mc_mem                                                              */
/* ------------------------------------------------------------------ */

static void test_mem_deterministic_bases(void **state)
{
	(void)state;
	mc_mem a, b;
	mc_region *ra[4], *rb[4];
	mc_init(&a, 0);
	mc_init(&b, 0);
	mc_mem *ms[2] = {&a, &b};
	mc_region **rs[2] = {ra, rb};
	for (int k = 0; k < 2; k++) {
		rs[k][0] = mc_alloc(ms[k], RG_STACK, 2048 + 64, "stack");
		rs[k][1] = mc_alloc(ms[k], RG_STACK, 100, "stack");
		rs[k][2] = mc_alloc(ms[k], RG_HEAP, 64, "defer");
		rs[k][3] = mc_alloc(ms[k], RG_OSSTACK, 8192, "g0");
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(ra[i]->base, rb[i]->base);
		assert_int_equal(ra[i]->size, rb[i]->size);
		assert_string_equal(ra[i]->name, rb[i]->name);
		assert_int_equal(ra[i]->id, (uint32_t)i + 1);
	}
	assert_int_equal(ra[0]->base, MC_STACK_BASE);
	assert_int_equal(ra[2]->base, MC_HEAP_BASE);
	assert_int_equal(ra[3]->base, MC_OSSTACK_BASE);
	assert_int_equal(ra[1]->size, 104); /* rounded up to words */
	assert_string_equal(ra[1]->name, "stack#2");
	assert_string_equal(ra[2]->name, "defer#3");
	/* page aligned, with an unmapped guard page in between */
	assert_int_equal(ra[1]->base % 4096, 0);
	assert_true(ra[1]->base >= ra[0]->base + ra[0]->size + 4096);
	assert_null(mc_find(&a, ra[0]->base + ra[0]->size));
	assert_null(mc_find(&a, ra[1]->base - 8));
	assert_ptr_equal(mc_find(&a, ra[1]->base + 96), ra[1]);
	assert_ptr_equal(mc_find(&a, ra[0]->base), ra[0]);
	assert_null(mc_find(&a, MC_TEXT_BASE - 8));
	/* addresses are never reused, even after a release */
	mc_release(&a, ra[1]);
	mc_region *n = mc_alloc(&a, RG_STACK, 100, "stack");
	assert_true(n->base > ra[1]->base);
	mc_free(&a);
	mc_free(&b);
}

static void test_mem_tombstone_faults(void **state)
{
	(void)state;
	mc_mem m;
	mc_init(&m, 1);
	mc_region *r = mc_alloc(&m, RG_HEAP, 64, "defer");
	rt_word v;
	assert_int_equal(mc_load(&m, r->base, &v), 0);
	assert_int_equal(v, 0xfdfdfdfdfdfdfdfdull); /* MC_POISON_NEW */
	assert_int_equal(mc_store(&m, r->base + 8, 7), 0);
	assert_int_equal(mc_load(&m, r->base + 8, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(m.nfaults, 0);

	mc_release(&m, r);
	assert_false(r->live);
	assert_null(r->w);
	assert_ptr_equal(mc_find(&m, r->base + 8), r); /* the tombstone */
	v = 99;
	assert_int_equal(mc_load(&m, r->base + 8, &v), -1);
	assert_int_equal(v, 0);
	assert_int_equal(m.nfaults, 1);
	assert_int_equal(m.fault[0].addr, r->base + 8);
	assert_int_equal(m.fault[0].region, r->id);
	assert_int_equal(m.fault[0].write, 0);
	assert_int_equal(m.fault[0].nil, 0);
	assert_int_equal(mc_store(&m, r->base, 1), -1);
	assert_int_equal(m.nfaults, 2);
	assert_int_equal(m.fault[1].write, 1);
	/* peeking records nothing */
	assert_int_equal(mc_peek(&m, r->base, &v), -1);
	assert_int_equal(m.nfaults, 2);
	/* unmapped: region 0; misaligned on a live region: a fault too */
	assert_int_equal(mc_load(&m, MC_HEAP_BASE + (1ull << 30), &v), -1);
	assert_int_equal(m.fault[2].region, 0);
	mc_region *l = mc_alloc(&m, RG_HEAP, 64, "defer");
	assert_int_equal(mc_store(&m, l->base + 4, 1), -1);
	assert_int_equal(m.nfaults, 4);
	/* the count goes on past the kept records */
	mc_load(&m, r->base, &v);
	assert_int_equal(m.nfaults, 5);
	assert_int_equal(m.fault[3].addr, l->base + 4);
	assert_int_equal(m.nnil, 0);
	/* a second release is a no-op */
	mc_release(&m, r);
	assert_false(r->live);
	mc_free(&m);
}

static void test_mem_nil_counted_apart(void **state)
{
	(void)state;
	mc_mem m;
	mc_init(&m, 0);
	rt_word v = 5;
	assert_int_equal(mc_load(&m, 0, &v), -2);
	assert_int_equal(v, 0);
	assert_int_equal(mc_store(&m, MC_NIL_LIMIT - 8, 1), -2);
	assert_int_equal(mc_store_adjust(&m, 8, 1), -2);
	assert_int_equal(m.nnil, 3);
	assert_int_equal(m.nfaults, 0);
	/* just above the nil limit: an ordinary unmapped fault */
	assert_int_equal(mc_load(&m, MC_NIL_LIMIT, &v), -1);
	assert_int_equal(m.nnil, 3);
	assert_int_equal(m.nfaults, 1);
	mc_free(&m);
}

static void test_mem_move_carries_cells(void **state)
{
	(void)state;
	mc_mem m;
	mc_init(&m, 1);
	mc_region *A = mc_alloc(&m, RG_STACK, 64, "stack");
	mc_region *B = mc_alloc(&m, RG_STACK, 64, "stack");
	uint32_t c = mc_cell_new(&m, A->base + 8);
	assert_true(c != 0);
	assert_int_equal(mc_cell_addr(&m, c), A->base + 8);
	assert_int_equal(mc_cell_at(&m, A->base + 8), c);
	mc_store(&m, A->base + 16, A->base + 8);
	mc_ptag_set(&m, A->base + 16, c);
	mc_store(&m, A->base + 8, 42);
	mc_move(&m, B->base, A->base, 64);
	assert_int_equal(mc_cell_addr(&m, c), B->base + 8);
	assert_int_equal(mc_cell_at(&m, B->base + 8), c);
	assert_int_equal(mc_ptag_at(&m, B->base + 16), c);
	rt_word v;
	mc_load(&m, B->base + 16, &v);
	assert_int_equal(v, A->base + 8); /* values move verbatim */
	mc_load(&m, B->base + 8, &v);
	assert_int_equal(v, 42);
	mc_load(&m, A->base + 8, &v);
	assert_int_equal(v, 0xfbfbfbfbfbfbfbfbull); /* MC_POISON_COPY */
	/* releasing the source keeps the moved cell; releasing its home
	** retires it */
	mc_release(&m, A);
	assert_int_equal(mc_cell_addr(&m, c), B->base + 8);
	mc_release(&m, B);
	assert_int_equal(mc_cell_addr(&m, c), 0);
	assert_int_equal(mc_cell_at(&m, B->base + 8), 0);
	assert_int_equal(mc_ptag_at(&m, B->base + 16), 0);
	mc_free(&m);
}

static void test_mem_copy_carries_ptags(void **state)
{
	(void)state;
	mc_mem m;
	mc_init(&m, 0);
	mc_region *A = mc_alloc(&m, RG_STACK, 64, "stack");
	mc_region *B = mc_alloc(&m, RG_HEAP, 64, "defer");
	uint32_t c = mc_cell_new(&m, A->base);
	mc_store(&m, A->base + 16, A->base);
	mc_ptag_set(&m, A->base + 16, c);
	mc_copy(&m, B->base, A->base, 32);
	assert_int_equal(mc_ptag_at(&m, B->base + 16), c);
	assert_int_equal(mc_cell_at(&m, B->base), 0); /* identity stays */
	assert_int_equal(mc_cell_addr(&m, c), A->base);
	rt_word v;
	mc_load(&m, B->base + 16, &v);
	assert_int_equal(v, A->base);
	/* adjust keeps the tag, a plain store clears it */
	mc_store_adjust(&m, B->base + 16, 5);
	assert_int_equal(mc_ptag_at(&m, B->base + 16), c);
	mc_store(&m, B->base + 16, 5);
	assert_int_equal(mc_ptag_at(&m, B->base + 16), 0);
	/* fill clears tags */
	mc_fill(&m, A->base, 64, 0);
	assert_int_equal(mc_ptag_at(&m, A->base + 16), 0);
	assert_int_equal(mc_cell_addr(&m, c), A->base);
	/* a new cell on the same word retires the old one */
	uint32_t c2 = mc_cell_new(&m, A->base);
	assert_true(c2 != c);
	assert_int_equal(mc_cell_addr(&m, c), 0);
	assert_int_equal(mc_cell_addr(&m, c2), A->base);
	assert_int_equal(mc_cell_new(&m, A->base + 4), 0); /* misaligned */
	mc_release(&m, B);
	assert_int_equal(mc_cell_new(&m, B->base), 0); /* dead */
	assert_int_equal(mc_cell_addr(&m, 0), 0);
	assert_int_equal(mc_cell_addr(&m, 1u << 30), 0);
	mc_free(&m);
}

static void test_mem_fmt_addr(void **state)
{
	(void)state;
	mc_mem m;
	mc_init(&m, 0);
	mc_region *A = mc_alloc(&m, RG_STACK, 64, "stack");
	char buf[64];
	mc_fmt_addr(&m, 0, buf, sizeof buf);
	assert_string_equal(buf, "nil");
	mc_fmt_addr(&m, A->base + 0x18, buf, sizeof buf);
	assert_string_equal(buf, "stack#1+0x18");
	mc_release(&m, A);
	mc_fmt_addr(&m, A->base + 8, buf, sizeof buf);
	assert_string_equal(buf, "stack#1(dead)+0x8");
	mc_fmt_addr(&m, 0x1234, buf, sizeof buf);
	assert_string_equal(buf, "0x1234");
	mc_free(&m);
}

/* ------------------------------------------------------------------ */
/* rt_text                                                             */
/* ------------------------------------------------------------------ */

static void test_text_runtime_functions(void **state)
{
	(void)state;
	tw *w = tw_new(2048, 1u << 20, 0, 0);
	assert_true(w->r.nfuncs >= RTF__COUNT);
	assert_string_equal(w->r.funcs[RTF_GOEXIT].name, "goexit");
	assert_string_equal(w->r.funcs[RTF_GOPANIC].name, "gopanic");
	assert_string_equal(w->r.funcs[RTF_GOEXIT1].name, "goexit1");
	assert_string_equal(w->r.funcs[RTF_LESSSTACK].name, "lessstack");
	for (int i = 0; i < RTF__COUNT; i++) {
		const rt_func *f = &w->r.funcs[i];
		assert_int_equal(f->entry, MC_TEXT_BASE + (rt_addr)i * RT_FUNC_SPAN);
		assert_int_equal(f->user, -1);
		assert_int_equal(f->kind, RF_RUNTIME);
		assert_ptr_equal(rt_findfunc(&w->r, f->entry), f);
	}
	/* gopanic's record: link and argp are pointers its locals map names */
	const rt_func *gp = &w->r.funcs[RTF_GOPANIC];
	assert_int_equal(gp->framesize, 8 * RT_PANIC_WORDS);
	assert_true(gp->flags & RFF_LOCALMAP);
	assert_int_equal(gp->localmap, (1u << P_LINK) | (1u << P_ARGP));
	tw_free(w);
}

static void test_text_findfunc_and_sites(void **state)
{
	(void)state;
	tw *w = tw_new(2048, 1u << 20, 0, 0);
	uint32_t n0 = w->r.nfuncs;
	int i = tw_func(w, "f", BOTH, 3, 0x5, 16, 8, 1, 2, 0);
	assert_int_equal(i, (int)n0);
	const rt_func *f = &w->r.funcs[i];
	assert_int_equal(f->entry, MC_TEXT_BASE + (rt_addr)i * RT_FUNC_SPAN);
	assert_int_equal(f->end, f->entry + 16 * 4 + 16);
	assert_int_equal(rt_site_pc(f, 0), f->entry + 16);
	assert_int_equal(rt_site_pc(f, 2), f->entry + 48);
	assert_int_equal(rt_retpc(f, 2), f->entry + 56);
	assert_ptr_equal(rt_findfunc(&w->r, f->entry), f);
	assert_ptr_equal(rt_findfunc(&w->r, rt_retpc(f, 2)), f);
	assert_ptr_equal(rt_findfunc(&w->r, f->end - 1), f);
	assert_null(rt_findfunc(&w->r, f->end));
	assert_null(rt_findfunc(&w->r, f->entry + RT_FUNC_SPAN)); /* no next */
	assert_null(rt_findfunc(&w->r, MC_TEXT_BASE - 8));
	assert_null(rt_findfunc(&w->r, 0));
	/* the description is kept */
	assert_string_equal(f->name, "f");
	assert_int_equal(f->retsites, 0x5);
	assert_int_equal(f->framesize, 16);
	assert_int_equal(f->argsize, 8);
	/* long names are cut, too many sites refused */
	int j = tw_func(w, "a_very_long_function_name_indeed", BOTH, 1, 1, 0,
			0, 0, 0, 1);
	assert_int_equal(strlen(w->r.funcs[j].name), sizeof w->r.funcs[j].name - 1);
	rt_funcdesc d = {.name = "x", .nsites = 61};
	assert_int_equal(rt_addfunc(&w->r, &d), -1);
	d.nsites = 60;
	/* fill the table: then it refuses */
	while (w->r.nfuncs < RT_MAX_FUNCS)
		assert_true(rt_addfunc(&w->r, &d) >= 0);
	assert_int_equal(rt_addfunc(&w->r, &d), -1);
	assert_int_equal(w->r.nfuncs, RT_MAX_FUNCS);
	tw_free(w);
}

/* ------------------------------------------------------------------ */
/* rt_trace                                                            */
/* ------------------------------------------------------------------ */

typedef struct frames {
	rt_frame f[16];
	int n, stopat;
} frames;

static int collect(const rt *r, const rt_frame *fr, void *arg)
{
	(void)r;
	frames *fs = arg;
	if (fs->n < 16)
		fs->f[fs->n] = *fr;
	fs->n++;
	return fs->stopat == 0 || fs->n < fs->stopat;
}

/* main -> f -> f written word by word (no prologue): returns the sps. */
static void hand_stack(tw *w, rt_addr sp[3])
{
	rt *r = &w->r;
	const rt_func *M = &r->funcs[w->fm], *F = &r->funcs[w->ff];
	assert_int_equal(rt_start(r, w->fm), 0);
	rt_addr hi = r->g.hi;
	assert_int_equal(tw_ld(w, hi - 8), rt_retpc(&r->funcs[RTF_GOEXIT], 0));
	sp[0] = hi - 8 - M->framesize;
	rt_addr args = sp[0] - F->argsize;
	mc_store(&r->mem, args, sp[0]);
	mc_store(&r->mem, args + 8, 2);
	mc_store(&r->mem, args - 8, rt_retpc(M, 2));
	sp[1] = args - 8 - F->framesize;
	args = sp[1] - F->argsize;
	mc_store(&r->mem, args, sp[0]);
	mc_store(&r->mem, args + 8, 1);
	mc_store(&r->mem, args - 8, rt_retpc(F, 3));
	sp[2] = args - 8 - F->framesize;
	r->g.sched.sp = sp[2];
	r->g.sched.pc = rt_site_pc(F, 1);
}

static void test_trace_three_frames(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	rt_addr sp[3];
	hand_stack(w, sp);
	const rt_func *M = &r->funcs[w->fm], *F = &r->funcs[w->ff];
	frames fs = {.n = 0};
	char why[200];
	assert_int_equal(rt_traceback(r, rt_pc(r), rt_sp(r), 0, collect, &fs, why,
				      sizeof why),
			 TB_OK);
	assert_int_equal(fs.n, 3);
	const rt_func *fn[3] = {F, F, M};
	rt_addr pc[3] = {rt_site_pc(F, 1), rt_retpc(F, 3), rt_retpc(M, 2)};
	rt_addr lr[3] = {rt_retpc(F, 3), rt_retpc(M, 2),
			 rt_retpc(&r->funcs[RTF_GOEXIT], 0)};
	for (int i = 0; i < 3; i++) {
		const rt_frame *f = &fs.f[i];
		assert_ptr_equal(f->fn, fn[i]);
		assert_int_equal(f->sp, sp[2 - i]);
		assert_int_equal(f->pc, pc[i]);
		assert_int_equal(f->framesize, 16);
		assert_int_equal(f->lrptr, sp[2 - i] + 16);
		assert_int_equal(f->fp, sp[2 - i] + 24);
		assert_int_equal(f->lr, lr[i]);
		assert_int_equal(f->seg, 0);
		assert_int_equal(f->seglo, r->g.lo);
		assert_int_equal(f->seghi, r->g.hi);
		assert_int_equal(f->segtop, 0);
	}
	assert_int_equal(fs.f[2].fp + M->argsize, r->g.hi);
	/* the callback stops the walk */
	frames one = {.n = 0, .stopat = 1};
	assert_int_equal(rt_traceback(r, rt_pc(r), rt_sp(r), 0, collect, &one,
				      NULL, 0),
			 TB_OK);
	assert_int_equal(one.n, 1);
	/* at the entry PC the frame has no size yet */
	frames e = {.n = 0};
	assert_int_equal(rt_traceback(r, F->entry, sp[1] - F->argsize - 8, 0,
				      collect, &e, NULL, 0),
			 TB_OK);
	assert_int_equal(e.n, 3);
	assert_int_equal(e.f[0].framesize, 0);
	assert_int_equal(e.f[0].lrptr, sp[1] - F->argsize - 8);
	tw_free(w);
}

static void test_trace_errors(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	rt_addr sp[3];
	hand_stack(w, sp);
	const rt_func *F = &r->funcs[w->ff];
	char why[200];
	frames fs = {.n = 0};
	/* a corrupted LR: f's outer frame returns to a site PC of main */
	rt_addr slot = sp[1] + F->framesize;
	rt_word lr = tw_ld(w, slot);
	mc_store(&r->mem, slot, rt_site_pc(&r->funcs[w->fm], 2));
	assert_int_equal(rt_traceback(r, rt_pc(r), rt_sp(r), 0, collect, &fs, why,
				      sizeof why),
			 TB_BADRET);
	assert_true(strlen(why) > 0);
	assert_true(fs.n < 3);
	mc_store(&r->mem, slot, 0x77); /* no function at all */
	assert_int_equal(rt_traceback(r, rt_pc(r), rt_sp(r), 0, NULL, NULL, why,
				      sizeof why),
			 TB_BADRET);
	mc_store(&r->mem, slot, lr);
	assert_int_equal(rt_traceback(r, rt_pc(r), rt_sp(r), 0, NULL, NULL, NULL, 0),
			 TB_OK);
	/* frames outside the segment, below and above */
	assert_int_equal(rt_traceback(r, rt_pc(r), r->g.lo - 64, 0, NULL, NULL, why,
				      sizeof why),
			 TB_OUTSIDE);
	assert_int_equal(rt_traceback(r, rt_pc(r), r->g.hi - 16, 0, NULL, NULL, why,
				      sizeof why),
			 TB_OUTSIDE);
	/* a PC in no function, and in a frameless trampoline */
	assert_int_equal(rt_traceback(r, 0x500, rt_sp(r), 0, NULL, NULL, why,
				      sizeof why),
			 TB_BADPC);
	assert_int_equal(rt_traceback(r, r->funcs[RTF_STACKBARRIER].entry, rt_sp(r),
				      0, NULL, NULL, why, sizeof why),
			 TB_BADPC);
	/* at goexit's return point before the stack top */
	assert_int_equal(rt_traceback(r, rt_retpc(&r->funcs[RTF_GOEXIT], 0),
				      r->g.hi - 8, 0, NULL, NULL, why, sizeof why),
			 TB_INCOMPLETE);
	assert_int_equal(rt_traceback(r, rt_retpc(&r->funcs[RTF_GOEXIT], 0),
				      r->g.hi, 0, NULL, NULL, why, sizeof why),
			 TB_OK);
	/* lessstack in the first segment */
	assert_int_equal(rt_traceback(r, rt_retpc(&r->funcs[RTF_LESSSTACK], 0),
				      r->g.hi, 0, NULL, NULL, why, sizeof why),
			 TB_INCOMPLETE);
	/* every result has a name */
	for (int t = TB_OK; t <= TB_FAULT; t++)
		assert_string_not_equal(rt_tbresult_name((rt_tbresult)t), "?");
	tw_free(w);
}

/* ------------------------------------------------------------------ */
/* rt_stack                                                            */
/* ------------------------------------------------------------------ */

static rt_addr start_with_ptr(tw *w)
{
	tw_start(w);
	mc_store(&w->r.mem, tw_local(w, 0), 5);
	tw_setptr(w, tw_local(w, 1), tw_local(w, 0));
	assert_clean(w);
	return tw_local(w, 0);
}

static void test_stack_copy_doubles_and_adjusts(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	rt_addr y = start_with_ptr(w);
	uint32_t ycell = mc_cell_at(&r->mem, y);
	mc_region *old = r->g.stack;
	rt_addr oldhi = r->g.hi, oldsp = rt_sp(r);
	rt_begin_step(r);
	uint64_t gen = mc_changes(&r->mem)->stackgen;
	rt_copystack(r, 2 * r->g.stksize, EV_COPY);
	assert_int_equal(r->g.stksize, 4096);
	assert_int_equal(r->g.hi - r->g.lo, 4096);
	assert_int_equal(r->g.stktotal, 4096);
	assert_int_equal(r->g.guard, r->g.lo + RT_STACK_GUARD);
	assert_ptr_not_equal(r->g.stack, old);
	assert_false(old->live);
	/* the machine's log saw a region made, one moved into, one freed */
	assert_true(mc_changes(&r->mem)->stackgen >= gen + 3);
	assert_int_equal(r->ncopies, 1);
	rt_addr delta = r->g.hi - oldhi;
	assert_int_equal(rt_sp(r), oldsp + delta);
	rt_addr ny = rt_sp(r);
	assert_int_equal(tw_ld(w, ny), 5);
	assert_int_equal(tw_ld(w, ny + 8), ny); /* q adjusted */
	assert_int_equal(mc_cell_addr(&r->mem, ycell), ny);
	assert_int_equal(tw_ld(w, r->g.hi - 8), rt_retpc(&r->funcs[RTF_GOEXIT], 0));
	assert_int_equal(mc_cell_addr(&r->mem, w->t.frames[0].cell), r->g.hi - 8);
	assert_clean(w);
	tw_free(w);
}

static void test_stack_growth_by_prologue(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	start_with_ptr(w);
	rt_word b[1] = {1};
	tw_push(w, b, NULL, 1);
	rt_call(r, w->fb, rt_retpc(&r->funcs[w->fm], 2));
	assert_int_equal(tw_prologue(w), EV_COPY);
	assert_int_equal(r->ev[0].a, 2048);
	assert_int_equal(r->ev[0].b, 8192); /* doubled until the frame fits */
	assert_int_equal(rt_pc(r), r->funcs[w->fb].entry); /* still at entry */
	assert_clean(w);
	assert_int_equal(tw_prologue(w), EV_ENTER);
	assert_int_equal(r->g.stksize, 8192);
	assert_true(rt_sp(r) >= r->g.guard);
	assert_int_equal(r->nsegments, 0);
	assert_clean(w);
	tw_free(w);
}

static void test_stack_newsegment_lessstack(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	rt_addr y = start_with_ptr(w);
	rt_word a[2] = {y, 42};
	uint32_t t[2] = {mc_cell_at(&r->mem, y), 0};
	tw_call(w, w->fw, 3, a, t, 2); /* cset: no locals map */
	assert_int_equal(rt_copyable(r), 0);
	rt_addr csp = rt_sp(r), oldlo = r->g.lo, oldhi = r->g.hi;
	uint32_t oldid = r->g.stack->id;
	rt_word b[1] = {7};
	tw_push(w, b, NULL, 1);
	rt_call(r, w->fb, rt_retpc(&r->funcs[w->fw], 0));
	assert_int_equal(tw_prologue(w), EV_SEGMENT);
	assert_int_equal(r->ev[0].a, 8192);
	assert_int_equal(r->ev[0].b, 2);
	assert_int_equal(r->g.nsegs, 2);
	assert_int_equal(r->g.stksize, 8192);
	assert_int_equal(r->g.stktotal, 2048 + 8192);
	assert_int_equal(r->nsegments, 1);
	assert_int_equal(r->ncopies, 0);
	rt_addr hi = r->g.hi;
	assert_int_equal(tw_ld(w, hi + 8 * STKTOP_PREV_LO), oldlo);
	assert_int_equal(tw_ld(w, hi + 8 * STKTOP_PREV_HI), oldhi);
	assert_int_equal(tw_ld(w, hi + 8 * STKTOP_PC), rt_retpc(&r->funcs[w->fw], 0));
	assert_int_equal(tw_ld(w, hi + 8 * STKTOP_SP), csp);
	assert_int_equal(tw_ld(w, hi + 8 * STKTOP_ARGP), csp - 8);
	assert_int_equal(tw_ld(w, hi + 8 * STKTOP_ARGSIZE), 8);
	assert_int_equal(tw_ld(w, hi + 8 * STKTOP_PREV_REGION), oldid);
	assert_int_equal(tw_ld(w, hi - 8), 7); /* the argument, copied */
	assert_int_equal(tw_ld(w, hi - 16), rt_retpc(&r->funcs[RTF_LESSSTACK], 0));
	assert_int_equal(rt_sp(r), hi - 16);
	assert_clean(w);
	/* shrinking is refused while a segment chain exists */
	rt_shrink(r);
	assert_int_equal(r->g.stksize, 8192);
	assert_int_equal(r->nshrinks, 0);
	assert_int_equal(tw_prologue(w), EV_ENTER);
	assert_clean(w);
	/* the full walk crosses into the older segment */
	frames fs = {.n = 0};
	assert_int_equal(rt_traceback(r, rt_pc(r), rt_sp(r), 0, collect, &fs, NULL, 0),
			 TB_OK);
	assert_int_equal(fs.n, 3);
	assert_int_equal(fs.f[0].segtop, 1);
	assert_int_equal(fs.f[0].seg, 0);
	assert_int_equal(fs.f[1].seg, 1);
	assert_ptr_equal(fs.f[1].fn, &r->funcs[w->fw]);
	assert_int_equal(fs.f[1].seghi, oldhi);
	assert_int_equal(fs.f[2].seg, 1);
	/* the top-only walk stops at the boundary */
	fs.n = 0;
	assert_int_equal(rt_traceback(r, rt_pc(r), rt_sp(r), 1, collect, &fs, NULL, 0),
			 TB_OK);
	assert_int_equal(fs.n, 1);
	/* big returns to lessstack, which pops the segment */
	mc_region *seg = r->g.stack;
	assert_int_equal(tw_epilogue(w), EV_RETURN);
	assert_int_equal(rt_pc(r), rt_retpc(&r->funcs[RTF_LESSSTACK], 0));
	assert_int_equal(rt_sp(r), hi);
	assert_clean(w);
	tw_internal(w);
	assert_true(tw_event(w, EV_SEGMENT_POP) >= 0);
	assert_int_equal(r->g.nsegs, 1);
	assert_false(seg->live);
	assert_int_equal(r->g.lo, oldlo);
	assert_int_equal(r->g.hi, oldhi);
	assert_int_equal(r->g.stksize, 2048);
	assert_int_equal(r->g.stktotal, 2048);
	assert_int_equal(rt_pc(r), rt_retpc(&r->funcs[w->fw], 0));
	assert_int_equal(rt_sp(r), csp);
	assert_clean(w);
	assert_int_equal(r->mem.nfaults, 0);
	tw_free(w);
}

static void test_stack_shrink(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	start_with_ptr(w);
	rt_copystack(r, 16384, EV_COPY);
	uint32_t want[] = {8192, 4096, 2048, 2048};
	for (int i = 0; i < 4; i++) {
		uint32_t before = r->g.stksize;
		rt_begin_step(r);
		rt_shrink(r);
		assert_int_equal(r->g.stksize, want[i]);
		if (before != want[i]) {
			assert_true(tw_event(w, EV_SHRINK) >= 0);
			assert_int_equal(r->ev[tw_event(w, EV_SHRINK)].a, before);
			assert_int_equal(r->ev[tw_event(w, EV_SHRINK)].b, want[i]);
		} else {
			assert_int_equal(r->nev, 0); /* never below RT_STACK_MIN */
		}
		assert_clean(w); /* q followed y */
	}
	assert_int_equal(r->nshrinks, 3);
	tw_free(w);
}

static void test_stack_shrink_refusals(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	start_with_ptr(w);
	/* a quarter or more used */
	rt_word b[1] = {1};
	tw_call(w, w->fb, 2, b, NULL, 1);
	assert_int_equal(r->g.stksize, 8192);
	assert_true(r->g.hi - rt_sp(r) >= 8192 / 4);
	rt_shrink(r);
	assert_int_equal(r->g.stksize, 8192);
	tw_free(w);

	/* a frame without a locals map on the stack */
	w = tw_std(0, 0);
	r = &w->r;
	rt_addr y = start_with_ptr(w);
	rt_copystack(r, 16384, EV_COPY);
	y = tw_local(w, 0);
	rt_word a[2] = {y, 42};
	uint32_t t[2] = {mc_cell_at(&r->mem, y), 0};
	tw_call(w, w->fw, 3, a, t, 2);
	assert_true(r->g.hi - rt_sp(r) < 16384 / 4);
	rt_shrink(r);
	assert_int_equal(r->g.stksize, 16384);
	assert_int_equal(r->nshrinks, 0);
	assert_clean(w);
	tw_free(w);

	/* hit barrier entries that a smaller stack's array cannot hold (4 fit
	** 8K's array, not 4K's 3): they move with the stack until mark
	** termination empties the array */
	w = tw_std(0, 0);
	r = &w->r;
	start_with_ptr(w);
	rt_copystack(r, 16384, EV_COPY);
	r->g.stkbarpos = r->g.stkbarlen = 4;
	rt_shrink(r);
	assert_int_equal(r->g.stksize, 8192);
	rt_shrink(r);
	assert_int_equal(r->g.stksize, 8192);
	r->g.stkbarpos = r->g.stkbarlen = 0;
	rt_shrink(r);
	assert_int_equal(r->g.stksize, 4096);
	assert_clean(w);
	tw_free(w);
}

static void test_stack_overflow(void **state)
{
	(void)state;
	tw *w = tw_new(2048, 4096, 0, 0);
	w->fm = tw_func(w, "main", BOTH, 8, 0xff, 16, 0, 0, 0x2, 0);
	w->fb = tw_func(w, "big", BOTH, 4, 0x8, 4096, 8, 0, 0, 3);
	tw_start(w);
	rt_word b[1] = {1};
	tw_push(w, b, NULL, 1);
	rt_call(&w->r, w->fb, rt_retpc(&w->r.funcs[w->fm], 2));
	tw_prologue(w);
	assert_int_equal(w->r.status, RT_OVERFLOW);
	assert_int_equal(w->r.ncopies, 0);
	tw_free(w);

	/* the segment path overflows too */
	w = tw_new(2048, 8192, 0, 0);
	w->fm = tw_func(w, "main", BOTH, 8, 0xff, 16, 0, 0, 0x2, 0);
	w->fw = tw_func(w, "cset", RFF_ARGMAP, 2, 0x3, 0, 16, 0, 0, 2);
	w->fb = tw_func(w, "big", BOTH, 4, 0x8, 4096, 8, 0, 0, 3);
	tw_start(w);
	rt_word a[2] = {0, 1};
	tw_call(w, w->fw, 3, a, NULL, 2);
	tw_push(w, b, NULL, 1);
	rt_call(&w->r, w->fb, rt_retpc(&w->r.funcs[w->fw], 0));
	tw_prologue(w);
	assert_int_equal(w->r.status, RT_OVERFLOW); /* 2048 + 8192 > 8192 */
	assert_int_equal(w->r.nsegments, 0);
	tw_free(w);
}

static void test_stack_stress_mode(void **state)
{
	(void)state;
	tw *w = tw_std(0, 1);
	rt *r = &w->r;
	assert_int_equal(rt_start(r, w->fm), 0);
	rt_addr sp0 = rt_sp(r);
	assert_int_equal(tw_prologue(w), EV_COPY);
	assert_int_equal(r->ev[0].a, 2048);
	assert_int_equal(r->ev[0].b, 2048); /* moved, same size */
	assert_true(rt_sp(r) != sp0);
	assert_int_equal(tw_prologue(w), EV_ENTER);
	assert_int_equal(r->ncopies, 1);
	mc_store(&r->mem, tw_local(w, 0), 5);
	tw_setptr(w, tw_local(w, 1), tw_local(w, 0));
	rt_addr y = tw_local(w, 0);
	rt_word a[2] = {y, 1};
	uint32_t t[2] = {mc_cell_at(&r->mem, y), 0};
	tw_call(w, w->ff, 2, a, t, 2);
	assert_int_equal(r->ncopies, 2);
	assert_clean(w);
	/* no stress copy while a frame without maps is on the stack */
	a[0] = tw_ld(w, tw_arg(w, 0)); /* f's p: &y where y is now */
	tw_call(w, w->fw, 3, a, t, 2);
	assert_int_equal(r->ncopies, 2);
	assert_clean(w);
	tw_free(w);
}

/* ------------------------------------------------------------------ */
/* rt_defer                                                            */
/* ------------------------------------------------------------------ */

static void test_defer_record(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	rt_addr y = start_with_ptr(w);
	rt_addr sp = rt_sp(r);
	const rt_func *M = &r->funcs[w->fm], *F = &r->funcs[w->ff];
	rt_word a[2] = {y, 42};
	uint32_t t[2] = {mc_cell_at(&r->mem, y), 0};
	rt_addr d = tw_defer(w, w->ff, 1, a, t, 2);
	assert_int_equal(rt_sp(r), sp); /* the args were popped */
	mc_region *rg = mc_find(&r->mem, d);
	assert_non_null(rg);
	assert_int_equal(rg->kind, RG_HEAP);
	assert_int_equal(rg->base, d);
	assert_int_equal(rg->size, 8 * RT_DEFER_HDR_WORDS + 16);
	assert_int_equal(tw_ld(w, d + 8 * D_FN), F->entry);
	assert_int_equal(tw_ld(w, d + 8 * D_SIZ), 16);
	assert_int_equal(tw_ld(w, d + 8 * D_SP), sp);
	assert_int_equal(tw_ld(w, d + 8 * D_ARGP), rt_frame_fp(r, M));
	assert_int_equal(tw_ld(w, d + 8 * D_PC), rt_retpc(M, 1));
	assert_int_equal(tw_ld(w, d + 8 * D_STARTED), 0);
	assert_int_equal(tw_ld(w, d + 8 * D_PANIC), 0);
	assert_int_equal(tw_ld(w, d + 8 * D_LINK), 0);
	assert_int_equal(tw_ld(w, d + 8 * RT_DEFER_HDR_WORDS), y);
	assert_int_equal(tw_ld(w, d + 8 * RT_DEFER_HDR_WORDS + 8), 42);
	assert_int_equal(mc_ptag_at(&r->mem, d + 8 * RT_DEFER_HDR_WORDS), t[0]);
	rt_addr d2 = tw_defer(w, w->fh, 2, NULL, NULL, 0);
	assert_int_equal(tw_ld(w, d2 + 8 * D_LINK), d);
	assert_int_equal(tw_ld(w, d2 + 8 * D_SIZ), 0);
	assert_int_equal(r->g.defer, d2);
	assert_clean(w);
	tw_free(w);
}

/* Resumes the running function at its epilogue site, as the harness does
** after a call made from the epilogue returns. */
static void at_epilogue(tw *w)
{
	const rt_func *f = tw_cur(w);
	assert_int_equal(rt_pc(&w->r), rt_retpc(f, f->nsites - 1));
	w->r.g.sched.pc = rt_site_pc(f, f->nsites - 1);
}

static void test_defer_lifo(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	rt_addr y = start_with_ptr(w);
	uint32_t yc = mc_cell_at(&r->mem, y);
	rt_word a1[2] = {y, 1}, a3[2] = {y, 3};
	uint32_t t[2] = {yc, 0};
	rt_addr d1 = tw_defer(w, w->ff, 0, a1, t, 2);
	rt_addr d2 = tw_defer(w, w->fh, 1, NULL, NULL, 0);
	rt_addr d3 = tw_defer(w, w->ff, 2, a3, t, 2);
	rt_addr recs[3] = {d3, d2, d1};
	int fns[3] = {w->ff, w->fh, w->ff};
	rt_word ns[3] = {3, 0, 1};
	r->g.sched.pc = rt_site_pc(&r->funcs[w->fm], 7);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(tw_epilogue(w), EV_DEFERCALL);
		assert_int_equal(r->ev[0].a, fns[i]);
		assert_int_equal(r->ev[0].b, 0);
		assert_false(mc_find(&r->mem, recs[i])->live); /* freed */
		assert_int_equal(rt_pc(r), r->funcs[fns[i]].entry);
		tw_enter(w);
		assert_clean(w);
		if (fns[i] == w->ff) {
			assert_int_equal(tw_ld(w, tw_arg(w, 1)), ns[i]);
			assert_int_equal(tw_ld(w, tw_arg(w, 0)), y);
			assert_int_equal(mc_ptag_at(&r->mem, tw_arg(w, 0)), yc);
		}
		assert_int_equal(tw_epilogue(w), EV_RETURN);
		at_epilogue(w);
		assert_clean(w);
	}
	assert_int_equal(r->g.defer, 0);
	assert_int_equal(tw_epilogue(w), EV_RETURN);
	assert_int_equal(rt_pc(r), rt_retpc(&r->funcs[RTF_GOEXIT], 0));
	assert_int_equal(w->t.nframes, 0);
	tw_internal(w);
	assert_int_equal(r->status, RT_EXITED);
	assert_true(r->g.dead);
	assert_clean(w);
	assert_int_equal(r->mem.nfaults, 0);
	tw_free(w);
}

/* main defers h, panics v at site 2; stops with gopanic at site 1. */
static rt_addr start_panic(tw *w, int64_t v)
{
	start_with_ptr(w);
	tw_defer(w, w->fh, 1, NULL, NULL, 0);
	rt_begin_step(&w->r);
	rt_gopanic(&w->r, PV_INT, v, 2);
	tw_enter(w);
	tw_internal(w);
	assert_true(tw_event(w, EV_PANIC) >= 0);
	assert_int_equal(w->r.ev[tw_event(w, EV_PANIC)].b, v);
	assert_clean(w);
	return w->r.g.panic;
}

static void test_panic_unrecovered(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	start_panic(w, 42);
	tw_internal(w); /* runs h */
	assert_int_equal(r->ev[0].kind, EV_DEFERCALL);
	assert_int_equal(r->ev[0].b, 1);
	tw_enter(w);
	assert_clean(w);
	assert_int_equal(tw_epilogue(w), EV_RETURN);
	assert_int_equal(rt_pc(r), rt_retpc(&r->funcs[RTF_GOPANIC], 1));
	assert_clean(w);
	tw_internal(w); /* h returned, not recovered */
	assert_true(tw_event(w, EV_DEFERDONE) >= 0);
	assert_int_equal(r->g.defer, 0);
	tw_internal(w); /* no defers left */
	assert_int_equal(r->status, RT_PANICKED);
	assert_string_equal(r->panicmsg, "panic: 42");
	tw_free(w);
}

static void test_panic_recover_resumes(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	const rt_func *M = &r->funcs[w->fm], *F = &r->funcs[w->ff];
	rt_addr p = start_panic(w, 42);
	rt_addr msp = r->g.hi - 8 - M->framesize; /* main's frame */
	tw_internal(w);
	tw_enter(w); /* h */
	const rt_func *H = tw_cur(w);
	/* h calls f: recover() in f is not called by the deferred call */
	rt_word a[2] = {0, 0};
	tw_call(w, w->ff, 1, a, NULL, 2);
	int kind;
	int64_t val;
	assert_int_equal(rt_gorecover(r, F, &kind, &val), 0);
	assert_int_equal(kind, PV_NIL);
	assert_int_equal(tw_ld(w, p + 8 * P_RECOVERED), 0);
	assert_int_equal(tw_epilogue(w), EV_RETURN);
	assert_clean(w);
	/* h's own recover() gets the value, once */
	assert_int_equal(rt_gorecover(r, H, &kind, &val), 1);
	assert_int_equal(kind, PV_INT);
	assert_int_equal(val, 42);
	assert_int_equal(rt_gorecover(r, H, &kind, &val), 0);
	assert_clean(w);
	r->g.sched.pc = rt_site_pc(H, H->nsites - 1);
	assert_int_equal(tw_epilogue(w), EV_RETURN);
	tw_internal(w); /* recovery: main resumes at its epilogue */
	int e = tw_event(w, EV_RECOVERY);
	assert_true(e >= 0);
	assert_int_equal(r->ev[e].a, w->fm);
	assert_int_equal(rt_pc(r), rt_site_pc(M, M->nsites - 1));
	assert_int_equal(rt_sp(r), msp);
	assert_int_equal(r->g.panic, 0);
	assert_int_equal(r->g.defer, 0);
	assert_int_equal(w->t.nframes, 1);
	assert_clean(w);
	assert_int_equal(tw_epilogue(w), EV_RETURN);
	tw_internal(w);
	assert_int_equal(r->status, RT_EXITED);
	tw_free(w);
}

/* A stack copy while a panic runs a deferred call must adjust the
** record's d.panic (Go 1.4 adjustdefers: adjustpointer(&d._panic)).
** Regression test: adjustdefers once skipped D_PANIC, so panic_return saw
** a stale pointer and threw "bad defer entry in panic" (reported as DEF1)
** and the abort path of nested panics stored into the freed stack (MEM1);
** stress mode hit it in every program whose deferred call ran on a panic. */
static void test_copy_during_panic_adjusts_defer_panic(void **state)
{
	(void)state;
	tw *w = tw_std(0, 1); /* stress: h's prologue moves the stack */
	rt *r = &w->r;
	start_panic(w, 42);
	tw_internal(w); /* gopanic calls h; d.panic = the record */
	uint64_t copies = r->ncopies;
	tw_enter(w);
	assert_true(r->ncopies > copies);
	assert_int_equal(tw_ld(w, r->g.defer + 8 * D_PANIC), r->g.panic);
	assert_int_equal(tw_epilogue(w), EV_RETURN);
	tw_internal(w); /* h returned to gopanic */
	assert_int_equal(r->status, RT_RUNNING);
	assert_true(tw_event(w, EV_DEFERDONE) >= 0);
	tw_internal(w);
	assert_int_equal(r->status, RT_PANICKED);
	assert_string_equal(r->panicmsg, "panic: 42");
	assert_int_equal(r->mem.nfaults, 0);
	tw_free(w);
}

/* The same across segments: the deferred call was deferred by a frame of
** an older segment (so adjustdefers stops before its record), but its
** d.panic names the record in the copied top segment. Same regression:
** every record's D_PANIC needs adjusting, not only the top segment's. */
static void test_copy_top_segment_adjusts_older_defer_panic(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	rt_addr y = start_with_ptr(w);
	tw_defer(w, w->fh, 1, NULL, NULL, 0); /* main's, first segment */
	rt_word a[2] = {y, 42};
	uint32_t t[2] = {mc_cell_at(&r->mem, y), 0};
	tw_call(w, w->fw, 3, a, t, 2); /* cset: not copyable */
	rt_word b[1] = {7};
	tw_call(w, w->fb, 0, b, NULL, 1); /* big: a new segment */
	assert_int_equal(r->g.nsegs, 2);
	rt_begin_step(r);
	rt_gopanic(r, PV_INT, 1, 3);
	tw_enter(w);
	tw_internal(w); /* the record, in the top segment */
	tw_internal(w); /* runs main's h */
	tw_enter(w);
	assert_int_equal(tw_ld(w, r->g.defer + 8 * D_PANIC), r->g.panic);
	rt_begin_step(r);
	rt_copystack(r, 2 * r->g.stksize, EV_COPY); /* the top segment moves */
	assert_clean(w);
	assert_int_equal(tw_ld(w, r->g.defer + 8 * D_PANIC), r->g.panic);
	assert_int_equal(tw_epilogue(w), EV_RETURN);
	tw_internal(w);
	assert_int_equal(r->status, RT_RUNNING);
	tw_internal(w);
	assert_int_equal(r->status, RT_PANICKED);
	assert_string_equal(r->panicmsg, "panic: 1");
	assert_int_equal(r->mem.nfaults, 0);
	tw_free(w);
}

static void test_recover_outside_panic(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	start_with_ptr(w);
	int kind = -1;
	int64_t val = -1;
	assert_int_equal(rt_gorecover(&w->r, tw_cur(w), &kind, &val), 0);
	assert_int_equal(kind, PV_NIL);
	assert_int_equal(val, 0);
	assert_int_equal(w->r.ev[tw_event(w, EV_RECOVER)].a, 0);
	tw_free(w);
}

static void test_nested_panic_aborts(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	rt_addr p1 = start_panic(w, 1);
	tw_internal(w);
	tw_enter(w); /* h, run by panic 1, panics 2 */
	rt_begin_step(r);
	rt_gopanic(r, PV_INT, 2, 1);
	tw_enter(w);
	tw_internal(w);
	rt_addr p2 = r->g.panic;
	assert_true(p2 != p1);
	assert_int_equal(tw_ld(w, p2 + 8 * P_LINK), p1);
	assert_clean(w); /* two gopanic frames, chain in order */
	tw_internal(w); /* h's record was started by panic 1: abort it */
	assert_true(tw_event(w, EV_ABORT) >= 0);
	assert_int_equal(tw_ld(w, p1 + 8 * P_ABORTED), 1);
	assert_clean(w);
	tw_internal(w);
	assert_int_equal(r->status, RT_PANICKED);
	assert_string_equal(r->panicmsg, "panic: 1\n\tpanic: 2");
	tw_free(w);
}

static void test_goexit_runs_defers(void **state)
{
	(void)state;
	tw *w = tw_std(0, 0);
	rt *r = &w->r;
	start_with_ptr(w);
	tw_defer(w, w->fh, 1, NULL, NULL, 0);
	rt_begin_step(r);
	rt_goexit(r, 2);
	tw_enter(w);
	tw_internal(w);
	assert_true(tw_event(w, EV_GOEXIT) >= 0);
	rt_addr p = r->g.panic;
	assert_int_equal(tw_ld(w, p + 8 * P_GOEXIT), 1);
	assert_clean(w);
	tw_internal(w);
	assert_true(tw_event(w, EV_DEFERCALL) >= 0);
	tw_enter(w);
	int kind;
	int64_t val;
	/* Goexit is not a panic: recover() answers nil */
	assert_int_equal(rt_gorecover(r, tw_cur(w), &kind, &val), 0);
	assert_int_equal(tw_epilogue(w), EV_RETURN);
	tw_internal(w);
	tw_internal(w);
	assert_int_equal(r->status, RT_GOEXITED);
	tw_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_deterministic_bases),
		cmocka_unit_test(test_mem_tombstone_faults),
		cmocka_unit_test(test_mem_nil_counted_apart),
		cmocka_unit_test(test_mem_move_carries_cells),
		cmocka_unit_test(test_mem_copy_carries_ptags),
		cmocka_unit_test(test_mem_fmt_addr),
		cmocka_unit_test(test_text_runtime_functions),
		cmocka_unit_test(test_text_findfunc_and_sites),
		cmocka_unit_test(test_trace_three_frames),
		cmocka_unit_test(test_trace_errors),
		cmocka_unit_test(test_stack_copy_doubles_and_adjusts),
		cmocka_unit_test(test_stack_growth_by_prologue),
		cmocka_unit_test(test_stack_newsegment_lessstack),
		cmocka_unit_test(test_stack_shrink),
		cmocka_unit_test(test_stack_shrink_refusals),
		cmocka_unit_test(test_stack_overflow),
		cmocka_unit_test(test_stack_stress_mode),
		cmocka_unit_test(test_defer_record),
		cmocka_unit_test(test_defer_lifo),
		cmocka_unit_test(test_panic_unrecovered),
		cmocka_unit_test(test_panic_recover_resumes),
		cmocka_unit_test(test_copy_during_panic_adjusts_defer_panic),
		cmocka_unit_test(test_copy_top_segment_adjusts_older_defer_panic),
		cmocka_unit_test(test_recover_outside_panic),
		cmocka_unit_test(test_nested_panic_aborts),
		cmocka_unit_test(test_goexit_runs_defers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
