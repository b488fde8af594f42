// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_runs.c: the page-runs sink (pageruns, vmwhere) on synthetic tables.
 */
#include <check.h>
#include <string.h>

#include "fake_mem.h"
#include "runs.h"

#define VA 0x7f0000000000ULL
#define MAXRUNS 1024

struct collected {
	struct vms_run r[MAXRUNS];
	int n;
};

static int collect(void *arg, const struct vms_run *run)
{
	struct collected *c = arg;
	ck_assert_int_lt(c->n, MAXRUNS);
	c->r[c->n++] = *run;
	return 0;
}

static struct fake_mem fm;
static struct vms_model model;
static struct collected got;

static void setup(void)
{
	fm_init(&fm, 4);
	memset(&model, 0, sizeof(model));
	model.zero_pfn = 0x777;
	model.huge_zero_pfn = 0x8000;
	model.highest_memmap_pfn = 0xfffff;
	memset(&got, 0, sizeof(got));
}

static void teardown(void)
{
	fm_destroy(&fm);
}

static void walk(uint64_t start, uint64_t end, bool file, uint64_t pgoff)
{
	struct vms_walker wk;
	struct vms_runs runs = { .model = &model, .emit = collect, .arg = &got };
	vms_walker_init(&wk, &fm.arch, &fm.mem, NULL);
	vms_runs_vma(&runs, start, file, pgoff);
	ck_assert_int_eq(vms_walk_range(&wk, fm.root << 12, start, end, &vms_runs_ops, &runs), 0);
	vms_runs_flush(&runs);
}

/* The walk with the sink's table fast path, or entry by entry without it. */
static void walk_ops(uint64_t start, uint64_t end, bool file, const struct vms_walk_ops *ops,
		     struct collected *out)
{
	struct vms_walker wk;
	struct vms_runs runs = { .model = &model, .emit = collect, .arg = out };
	vms_walker_init(&wk, &fm.arch, &fm.mem, NULL);
	vms_runs_vma(&runs, start, file, 7);
	ck_assert_int_eq(vms_walk_range(&wk, fm.root << 12, start, end, ops, &runs), 0);
	vms_runs_flush(&runs);
}

START_TEST(empty_range_is_one_none_run)
{
	walk(VA, VA + 64 * VMS_PMD_SIZE, false, 0);
	ck_assert_int_eq(got.n, 1);
	ck_assert_int_eq(got.r[0].kind, VMS_RUN_NONE);
	ck_assert_uint_eq(got.r[0].pages, 64 * 512);
}
END_TEST

START_TEST(holes_in_a_file_carry_the_file_offset)
{
	fm_map4k(&fm, VA + 2 * 4096, 0x5000, FM_PTE_FLAGS);
	walk(VA, VA + 4 * 4096, true, 100);
	ck_assert_int_eq(got.n, 3);
	ck_assert_int_eq(got.r[0].kind, VMS_RUN_FILE);
	ck_assert_uint_eq(got.r[0].file_pgoff, 100);
	ck_assert_uint_eq(got.r[0].pages, 2);
	ck_assert_int_eq(got.r[1].kind, VMS_RUN_PRESENT);
	ck_assert_int_eq(got.r[2].kind, VMS_RUN_FILE);
	ck_assert_uint_eq(got.r[2].file_pgoff, 103);
}
END_TEST

START_TEST(contiguous_pfns_make_one_run_and_a_jump_breaks_it)
{
	for (int i = 0; i < 8; i++)
		fm_map4k(&fm, VA + i * 4096ULL, 0x5000 + i, FM_PTE_FLAGS);
	fm_map4k(&fm, VA + 8 * 4096ULL, 0x9000, FM_PTE_FLAGS);
	walk(VA, VA + 9 * 4096, false, 0);
	ck_assert_int_eq(got.n, 2);
	ck_assert_uint_eq(got.r[0].pages, 8);
	ck_assert_uint_eq(got.r[0].pfn, 0x5000);
	ck_assert_uint_eq(got.r[1].pfn, 0x9000);
}
END_TEST

START_TEST(zero_pages_join_whatever_their_pfn)
{
	/* special PTEs of the zero page: one run however many */
	for (int i = 0; i < 5; i++)
		fm_map4k(&fm, VA + i * 4096ULL, model.zero_pfn, FM_PTE_FLAGS | VMS_P_SPECIAL);
	walk(VA, VA + 5 * 4096, false, 0);
	ck_assert_int_eq(got.n, 1);
	ck_assert_int_eq(got.r[0].kind, VMS_RUN_ZERO);
	ck_assert_uint_eq(got.r[0].pages, 5);
}
END_TEST

START_TEST(pmd_leaves_thp_and_huge_zero)
{
	fm_set(&fm, VA, VMS_PMD, (0x20000ULL << 12) | FM_PMD_FLAGS);
	fm_set(&fm, VA + VMS_PMD_SIZE, VMS_PMD, (0x20200ULL << 12) | FM_PMD_FLAGS);
	fm_set(&fm, VA + 2 * VMS_PMD_SIZE, VMS_PMD, (model.huge_zero_pfn << 12) | FM_PMD_FLAGS);
	fm_set(&fm, VA + 3 * VMS_PMD_SIZE, VMS_PMD, (model.huge_zero_pfn << 12) | FM_PMD_FLAGS);
	walk(VA, VA + 4 * VMS_PMD_SIZE, false, 0);
	ck_assert_int_eq(got.n, 2);
	ck_assert_int_eq(got.r[0].kind, VMS_RUN_THP);	/* two physically contiguous THPs */
	ck_assert_uint_eq(got.r[0].pages, 1024);
	ck_assert_int_eq(got.r[1].kind, VMS_RUN_HUGE_ZERO);
	ck_assert_uint_eq(got.r[1].pages, 1024);
}
END_TEST

START_TEST(a_clipped_pmd_starts_at_the_right_pfn)
{
	fm_set(&fm, VA, VMS_PMD, (0x20000ULL << 12) | FM_PMD_FLAGS);
	walk(VA + 5 * 4096, VA + 7 * 4096, false, 0);
	ck_assert_int_eq(got.n, 1);
	ck_assert_uint_eq(got.r[0].pfn, 0x20005);
	ck_assert_uint_eq(got.r[0].pages, 2);
}
END_TEST

START_TEST(swap_runs_follow_offsets_on_one_device)
{
	/* __swp_entry(type, off) = (~off << 14 >> 5) | type << 59 */
	for (uint64_t i = 0; i < 3; i++)
		fm_set(&fm, VA + i * 4096, VMS_PTE, ((~(0x200 + i)) << 14 >> 5) | (1ULL << 59));
	fm_set(&fm, VA + 3 * 4096, VMS_PTE, ((~0x203ULL) << 14 >> 5) | (2ULL << 59));
	walk(VA, VA + 4 * 4096, false, 0);
	ck_assert_int_eq(got.n, 2);
	ck_assert_int_eq(got.r[0].kind, VMS_RUN_SWAP);
	ck_assert_uint_eq(got.r[0].swap_type, 1);
	ck_assert_uint_eq(got.r[0].swap_offset, 0x200);
	ck_assert_uint_eq(got.r[0].pages, 3);
	ck_assert_uint_eq(got.r[1].swap_type, 2);
}
END_TEST

START_TEST(unreadable_and_excluded_tables)
{
	fm_map4k(&fm, VA, 0x5000, FM_PTE_FLAGS);
	fm_map4k(&fm, VA + VMS_PMD_SIZE, 0x6000, FM_PTE_FLAGS);
	fm_set_status(&fm, fm_table_at(&fm, VA, VMS_PTE, false), VMS_EXCLUDED);
	fm_set_status(&fm, fm_table_at(&fm, VA + VMS_PMD_SIZE, VMS_PTE, false), VMS_READ_ERROR);
	walk(VA, VA + 2 * VMS_PMD_SIZE, false, 0);
	ck_assert_int_eq(got.n, 2);
	ck_assert_int_eq(got.r[0].kind, VMS_RUN_EXCLUDED);
	ck_assert_int_eq(got.r[1].kind, VMS_RUN_ERROR);
	ck_assert_uint_eq(got.r[1].pages, 512);
}
END_TEST

START_TEST(protnone_pages_are_marked_and_uninverted)
{
	/* PROT_NONE: P clear, PROTNONE set, pfn inverted (L1TF) */
	uint64_t raw = (~(0x5000ULL << 12) & fm.arch.phys_mask & ~0xfffULL) | VMS_P_PROTNONE |
		       VMS_P_ACCESSED | VMS_P_USER;
	fm_set(&fm, VA, VMS_PTE, raw);
	walk(VA, VA + 4096, false, 0);
	ck_assert_int_eq(got.n, 1);
	ck_assert_int_eq(got.r[0].kind, VMS_RUN_PRESENT);
	ck_assert(got.r[0].protnone);
	ck_assert_uint_eq(got.r[0].pfn, 0x5000);
}
END_TEST

/* The PTE-table fast path makes the runs entry-by-entry decoding makes. */
START_TEST(table_fast_path_makes_the_same_runs)
{
	static struct collected slow, fast;
	struct vms_walk_ops plain = vms_runs_ops;
	plain.pte_table = NULL;
	uint64_t x = 99, pfn = 0x4000;
	for (unsigned i = 0; i < 3 * 512; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		unsigned what = (unsigned)(x >> 58);
		uint64_t va = VA + (uint64_t)i * 4096;
		if (what < 40)
			fm_map4k(&fm, va, pfn++, FM_PTE_FLAGS);		/* continues */
		else if (what < 44)
			fm_map4k(&fm, va, pfn += 9, FM_PTE_FLAGS);	/* a jump */
		else if (what < 46)
			fm_map4k(&fm, va, 0x777, FM_PTE_FLAGS | VMS_P_SPECIAL);	/* zero page */
		else if (what < 48)
			fm_map4k(&fm, va, 0x123456, FM_PTE_FLAGS);	/* beyond the memmap */
		else if (what < 50)
			fm_set(&fm, va, VMS_PTE, (~(pfn << 12) & ~0xfffULL & ((1ULL << 52) - 1)) |
				VMS_P_PROTNONE | VMS_P_USER);		/* PROT_NONE */
		else if (what < 52)
			fm_set(&fm, va, VMS_PTE, (1ULL << 59) | ((~(uint64_t)i << 14) >> 5));
		/* else: empty */
	}
	for (int file = 0; file < 2; file++) {
		memset(&slow, 0, sizeof(slow));
		memset(&fast, 0, sizeof(fast));
		walk_ops(VA + 4096 * 3, VA + 3 * 512 * 4096 - 4096 * 5, file, &plain, &slow);
		walk_ops(VA + 4096 * 3, VA + 3 * 512 * 4096 - 4096 * 5, file, &vms_runs_ops, &fast);
		ck_assert_int_gt(slow.n, 20);
		ck_assert_int_eq(slow.n, fast.n);
		for (int i = 0; i < slow.n; i++) {
			const struct vms_run *p = &slow.r[i], *q = &fast.r[i];
			ck_assert_msg(p->start == q->start && p->pages == q->pages &&
				      p->kind == q->kind && p->pfn == q->pfn &&
				      p->swap_type == q->swap_type &&
				      p->swap_offset == q->swap_offset &&
				      p->file_pgoff == q->file_pgoff && p->protnone == q->protnone,
				      "run %d", i);
		}
	}
}
END_TEST

START_TEST(runs_never_span_vmas)
{
	struct vms_walker wk;
	struct vms_runs runs = { .model = &model, .emit = collect, .arg = &got };
	vms_walker_init(&wk, &fm.arch, &fm.mem, NULL);
	vms_runs_vma(&runs, VA, false, 0);
	vms_walk_range(&wk, fm.root << 12, VA, VA + 4096, &vms_runs_ops, &runs);
	vms_runs_vma(&runs, VA + 4096, false, 0);
	vms_walk_range(&wk, fm.root << 12, VA + 4096, VA + 8192, &vms_runs_ops, &runs);
	vms_runs_flush(&runs);
	ck_assert_int_eq(got.n, 2);
}
END_TEST

Suite *runs_suite(void)
{
	Suite *s = suite_create("runs");
	TCase *t = tcase_create("Core");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, empty_range_is_one_none_run);
	tcase_add_test(t, holes_in_a_file_carry_the_file_offset);
	tcase_add_test(t, contiguous_pfns_make_one_run_and_a_jump_breaks_it);
	tcase_add_test(t, zero_pages_join_whatever_their_pfn);
	tcase_add_test(t, pmd_leaves_thp_and_huge_zero);
	tcase_add_test(t, a_clipped_pmd_starts_at_the_right_pfn);
	tcase_add_test(t, swap_runs_follow_offsets_on_one_device);
	tcase_add_test(t, unreadable_and_excluded_tables);
	tcase_add_test(t, protnone_pages_are_marked_and_uninverted);
	tcase_add_test(t, table_fast_path_makes_the_same_runs);
	tcase_add_test(t, runs_never_span_vmas);
	suite_add_tcase(s, t);
	return s;
}
