// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_account.c: the smaps accounting sink (account.c) walked over
 * synthetic tables and a fake vmemmap, against fs/proc/task_mmu.c's rules.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "fake_mem.h"
#include "fmt.h"

#define K4 4096ULL
#define PSS1 (K4 << VMS_PSS_SHIFT)	/* the Pss of a page mapped once */
#define MAXPFN 0xfffffULL
#define ZERO_PFN 0x10ULL
#define HUGE_ZERO_PFN 0x3fe00ULL
#define BASE 0x10000000ULL		/* 256 MiB: PMD-aligned */

struct env {
	struct fake_mem fm;
	struct vms_page_layout l;
	struct vms_model m;
	struct vms_kcache kc;
	struct vms_memmap mm;
	struct vms_counters cnt;
	struct vms_acct acct;
	struct vms_walker wk;
	struct vms_vma_acct vma;
	struct vms_swapdev swap[2];
	struct vms_stats st;
	bool no_kcache;
	unsigned mm_cap;		/* memmap groups; 0: 2 */
	unsigned char buf[VMS_PAGE_SIZE];
};

static void env_init(struct env *v, enum vms_mapcount_model model)
{
	memset(v, 0, sizeof(*v));
	fm_init(&v->fm, 4);
	if (model == VMS_MAPCOUNT_FOLIO)
		fm_layout_folio(&v->l, MAXPFN);
	else
		fm_layout_compound(&v->l, MAXPFN);
	v->m = (struct vms_model){ .zero_pfn = ZERO_PFN, .huge_zero_pfn = HUGE_ZERO_PFN,
				   .highest_memmap_pfn = MAXPFN,
				   .nonpresent_shared = model == VMS_MAPCOUNT_FOLIO,
				   .hwpoison_has_page = true };
	v->acct = (struct vms_acct){ .model = &v->m, .layout = &v->l, .kcache = &v->kc,
				     .mem = &v->fm.mem, .counters = &v->cnt };
	vms_walker_init(&v->wk, &v->fm.arch, &v->fm.mem, &v->cnt);
}

static void env_fini(struct env *v)
{
	fm_destroy(&v->fm);
}

/* Account [start, end) as one VMA, from empty caches (pages were just built). */
static const struct vms_stats *run(struct env *v, uint64_t start, uint64_t end)
{
	memset(&v->st, 0, sizeof(v->st));
	v->vma.start = start;
	v->vma.end = end;
	vms_walker_forget(&v->wk);
	ck_assert_int_eq(vms_kcache_init(&v->kc, &v->fm.mem, &v->cnt, 8), VMS_OK);
	/* a small memmap cache (2 groups), so that eviction is exercised */
	ck_assert_int_eq(vms_memmap_init(&v->mm, &v->fm.mem, &v->cnt, &v->l,
					 v->mm_cap ? v->mm_cap : 2), VMS_OK);
	v->acct.kcache = v->no_kcache ? NULL : &v->kc;
	v->acct.memmap = v->no_kcache ? NULL : &v->mm;
	struct vms_sink sink = { .acct = &v->acct, .vma = &v->vma, .stats = &v->st,
				 .page_buf = v->buf };
	int ret = vms_walk_range(&v->wk, v->fm.root << VMS_PAGE_SHIFT, start, end,
				 &vms_account_ops, &sink);
	ck_assert_int_eq(ret, 0);
	vms_kcache_destroy(&v->kc);
	vms_memmap_destroy(&v->mm);
	return &v->st;
}

static uint64_t swp(uint64_t type, uint64_t offset)
{
	return (type << 59) | ((~offset << 14) >> 5);
}

static void map_small(struct env *v, uint64_t va, uint64_t pfn, uint64_t mapping, int mapcount,
		      int refcount, uint64_t pte_flags)
{
	fm_small_page(&v->fm, &v->l, pfn, mapping, mapcount, refcount);
	fm_map4k(&v->fm, va, pfn, pte_flags);
}

/* kB as smaps prints a Pss-like counter */
static uint64_t pss_kb(uint64_t pss)
{
	return (pss >> VMS_PSS_SHIFT) >> 10;
}

/* ---- Rss, Pss, Shared, Private ------------------------------------------- */

START_TEST(test_mapcounts)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	map_small(&v, BASE, 0x20000, FM_FILE_MAPPING, 1, 2, FM_PTE_FLAGS);
	map_small(&v, BASE + K4, 0x20001, FM_FILE_MAPPING, 2, 2, FM_PTE_FLAGS);
	map_small(&v, BASE + 2 * K4, 0x20002, FM_FILE_MAPPING, 3, 3, FM_PTE_FLAGS);
	const struct vms_stats *s = run(&v, BASE, BASE + 3 * K4);
	ck_assert_uint_eq(s->resident, 3 * K4);
	ck_assert_uint_eq(s->populated, 3 * K4);
	ck_assert_uint_eq(s->pss, PSS1 + PSS1 / 2 + PSS1 / 3);
	ck_assert_uint_eq(s->pss, 16777216 + 8388608 + 5592405);
	ck_assert_uint_eq(s->pss_file, s->pss);
	ck_assert_uint_eq(s->pss_anon + s->pss_shmem, 0);
	ck_assert_uint_eq(s->private_clean, K4);
	ck_assert_uint_eq(s->shared_clean, 2 * K4);
	ck_assert_uint_eq(s->private_dirty + s->shared_dirty + s->pss_dirty, 0);
	ck_assert_uint_eq(s->referenced, 3 * K4);	/* FM_PTE_FLAGS has A */
	ck_assert_uint_eq(s->untouched, 0);
	ck_assert_uint_eq(s->nerrors, 0);
	env_fini(&v);
}
END_TEST

START_TEST(test_pss_truncated_only_when_printed)
{
	/* three pages shared by three: 3 * (4096 << 12) / 3 falls one short of
	 * 4 kB in fixed point; the kernel prints 3, and the rollup of two such
	 * VMAs prints 7 (not 3 + 3) because it adds raw counters */
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	for (int i = 0; i < 6; i++)
		map_small(&v, BASE + i * K4, 0x20000 + i, FM_FILE_MAPPING, 3, 3, FM_PTE_FLAGS);
	struct vms_stats a = *run(&v, BASE, BASE + 3 * K4);
	struct vms_stats b = *run(&v, BASE + 3 * K4, BASE + 6 * K4);
	ck_assert_uint_eq(a.pss, 3 * (PSS1 / 3));
	ck_assert_uint_eq(pss_kb(a.pss), 3);
	struct vms_stats roll = { 0 };
	vms_stats_add(&roll, &a);
	vms_stats_add(&roll, &b);
	ck_assert_uint_eq(roll.pss, 6 * (PSS1 / 3));
	ck_assert_uint_eq(roll.resident, 6 * K4);

	struct vms_smaps_format f = { .pss_dirty = true };
	struct vms_field fs[VMS_MAX_FIELDS];
	struct vms_vma_info vi = { .start = BASE, .end = BASE + 3 * K4 };
	int n = vms_smaps_fields(&f, &a, &vi, false, fs);
	for (int i = 0; i < n; i++)
		if (!strcmp(fs[i].name, "Pss"))
			ck_assert_uint_eq(fs[i].kb, 3);
	n = vms_smaps_fields(&f, &roll, &vi, true, fs);
	for (int i = 0; i < n; i++)
		if (!strcmp(fs[i].name, "Pss") || !strcmp(fs[i].name, "Pss_File"))
			ck_assert_uint_eq(fs[i].kb, 7);
	env_fini(&v);
}
END_TEST

START_TEST(test_refcount_one_shortcut)
{
	/* page_count() == 1: private and whole, whatever _mapcount says */
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	map_small(&v, BASE, 0x20000, FM_ANON_MAPPING, 3, 1, FM_PTE_FLAGS);
	const struct vms_stats *s = run(&v, BASE, BASE + K4);
	ck_assert_uint_eq(s->pss, PSS1);
	ck_assert_uint_eq(s->private_clean, K4);
	ck_assert_uint_eq(s->shared_clean, 0);
	env_fini(&v);
}
END_TEST

START_TEST(test_dirty)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	/* dirty PTE; PageDirty under a clean PTE; shared and dirty */
	map_small(&v, BASE, 0x20000, FM_FILE_MAPPING, 1, 2, FM_PTE_FLAGS | VMS_P_DIRTY);
	map_small(&v, BASE + K4, 0x20001, FM_FILE_MAPPING, 1, 2, FM_PTE_FLAGS);
	fm_sp_flag(&v.fm, &v.l, 0x20001, v.l.pg_dirty);
	map_small(&v, BASE + 2 * K4, 0x20002, FM_FILE_MAPPING, 2, 2, FM_PTE_FLAGS | VMS_P_DIRTY);
	map_small(&v, BASE + 3 * K4, 0x20003, FM_FILE_MAPPING, 2, 2, FM_PTE_FLAGS);
	const struct vms_stats *s = run(&v, BASE, BASE + 4 * K4);
	ck_assert_uint_eq(s->private_dirty, 2 * K4);
	ck_assert_uint_eq(s->shared_dirty, K4);
	ck_assert_uint_eq(s->shared_clean, K4);
	ck_assert_uint_eq(s->private_clean, 0);
	ck_assert_uint_eq(s->pss_dirty, 2 * PSS1 + PSS1 / 2);
	/* 6.12's saved-dirty bit counts as dirty */
	env_fini(&v);
	env_init(&v, VMS_MAPCOUNT_FOLIO);
	map_small(&v, BASE, 0x20000, FM_FILE_MAPPING, 1, 2, FM_PTE_FLAGS | (1ULL << 58));
	s = run(&v, BASE, BASE + K4);
	ck_assert_uint_eq(s->private_dirty, K4);
	env_fini(&v);
}
END_TEST

START_TEST(test_anonymous_lazyfree)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	/* MADV_FREE'd: anon, not swap-backed, clean */
	map_small(&v, BASE, 0x20000, FM_ANON_MAPPING, 1, 1, FM_PTE_FLAGS);
	/* ordinary anon: swap-backed */
	map_small(&v, BASE + K4, 0x20001, FM_ANON_MAPPING, 1, 1, FM_PTE_FLAGS);
	fm_sp_flag(&v.fm, &v.l, 0x20001, v.l.pg_swapbacked);
	/* redirtied after MADV_FREE: not lazy any more */
	map_small(&v, BASE + 2 * K4, 0x20002, FM_ANON_MAPPING, 1, 1, FM_PTE_FLAGS | VMS_P_DIRTY);
	/* KSM is anonymous too */
	map_small(&v, BASE + 3 * K4, 0x20003, FM_KSM_MAPPING, 2, 2, FM_PTE_FLAGS);
	fm_sp_flag(&v.fm, &v.l, 0x20003, v.l.pg_swapbacked);
	/* shmem: swap-backed, not anon */
	map_small(&v, BASE + 4 * K4, 0x20004, FM_FILE_MAPPING, 1, 1, FM_PTE_FLAGS);
	fm_sp_flag(&v.fm, &v.l, 0x20004, v.l.pg_swapbacked);
	const struct vms_stats *s = run(&v, BASE, BASE + 5 * K4);
	ck_assert_uint_eq(s->anonymous, 4 * K4);
	ck_assert_uint_eq(s->lazyfree, K4);
	ck_assert_uint_eq(s->ksm, K4);
	ck_assert_uint_eq(s->pss_anon, 3 * PSS1 + PSS1 / 2);
	ck_assert_uint_eq(s->pss_shmem, PSS1);
	ck_assert_uint_eq(s->pss_file, 0);
	env_fini(&v);
}
END_TEST

START_TEST(test_locked)
{
	/* Locked is the Pss of a VM_LOCKED VMA, not its Rss */
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	map_small(&v, BASE, 0x20000, FM_FILE_MAPPING, 2, 2, FM_PTE_FLAGS);
	map_small(&v, BASE + K4, 0x20001, FM_FILE_MAPPING, 3, 3, FM_PTE_FLAGS);
	v.vma.locked = true;
	const struct vms_stats *s = run(&v, BASE, BASE + 2 * K4);
	ck_assert_uint_eq(s->pss_locked, s->pss);
	ck_assert_uint_eq(s->pss_locked, PSS1 / 2 + PSS1 / 3);
	v.vma.locked = false;
	ck_assert_uint_eq(run(&v, BASE, BASE + 2 * K4)->pss_locked, 0);
	env_fini(&v);
}
END_TEST

/* ---- Pages without a struct page in smaps -------------------------------- */

START_TEST(test_zero_page)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	fm_map4k(&v.fm, BASE, ZERO_PFN, FM_PTE_FLAGS | VMS_P_SPECIAL);
	fm_map4k(&v.fm, BASE + K4, ZERO_PFN, FM_PTE_FLAGS | VMS_P_SPECIAL);
	/* a special mapping of something else (a PFNMAP page) */
	fm_map4k(&v.fm, BASE + 2 * K4, 0x30000, FM_PTE_FLAGS | VMS_P_SPECIAL);
	const struct vms_stats *s = run(&v, BASE, BASE + 3 * K4);
	ck_assert_uint_eq(s->zero_page, 2 * K4);
	ck_assert_uint_eq(s->special, K4);
	ck_assert_uint_eq(s->resident, 0);
	ck_assert_uint_eq(s->pss, 0);
	ck_assert_uint_eq(s->populated, 0);
	ck_assert_uint_eq(s->nerrors, 0);
	/* in a PFNMAP VMA the zero pfn is just a pfn */
	v.vma.pfnmap = true;
	s = run(&v, BASE, BASE + 3 * K4);
	ck_assert_uint_eq(s->zero_page, 0);
	ck_assert_uint_eq(s->special, 3 * K4);
	env_fini(&v);
}
END_TEST

START_TEST(test_beyond_memmap)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	fm_map4k(&v.fm, BASE, MAXPFN + 1, FM_PTE_FLAGS);
	const struct vms_stats *s = run(&v, BASE, BASE + K4);
	ck_assert_uint_eq(s->special, K4);
	ck_assert_uint_eq(s->resident, 0);
	ck_assert_uint_eq(s->nerrors, 1);
	ck_assert_int_eq(s->err.status, VMS_CORRUPT);
	ck_assert_uint_eq(s->err.addr, BASE);
	env_fini(&v);
}
END_TEST

START_TEST(test_huge_zero_page)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	fm_set(&v.fm, BASE, VMS_PMD, (HUGE_ZERO_PFN << 12) | FM_PMD_FLAGS);
	const struct vms_stats *s = run(&v, BASE, BASE + VMS_PMD_SIZE);
	ck_assert_uint_eq(s->huge_zero_page, VMS_PMD_SIZE);
	ck_assert_uint_eq(s->resident, 0);
	ck_assert_uint_eq(s->anonymous_thp, 0);
	ck_assert_uint_eq(s->pmd_thp, 0);
	ck_assert_uint_eq(s->nerrors, 0);
	env_fini(&v);
}
END_TEST

START_TEST(test_struct_page_lost)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	map_small(&v, BASE, 0x20000, FM_ANON_MAPPING, 1, 1, FM_PTE_FLAGS);
	fm_set_status(&v.fm, fm_kvirt_pfn(&v.fm, FM_VMEMMAP + 0x20000 * 64), VMS_EXCLUDED);
	const struct vms_stats *s = run(&v, BASE, BASE + K4);
	ck_assert_uint_eq(s->excluded, K4);
	ck_assert_uint_eq(s->populated, K4);
	ck_assert_uint_eq(s->resident, 0);
	ck_assert_int_eq(s->err.status, VMS_EXCLUDED);
	env_fini(&v);
}
END_TEST

START_TEST(test_no_kcache)
{
	/* without struct pages only what the tables say is counted */
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	fm_map4k(&v.fm, BASE, 0x20000, FM_PTE_FLAGS);
	fm_set(&v.fm, BASE + VMS_PMD_SIZE, VMS_PMD, (0x40000ULL << 12) | FM_PMD_FLAGS);
	v.no_kcache = true;
	const struct vms_stats *s = run(&v, BASE, BASE + 2 * VMS_PMD_SIZE);
	ck_assert_uint_eq(s->populated, K4 + VMS_PMD_SIZE);
	ck_assert_uint_eq(s->pmd_thp, VMS_PMD_SIZE);
	ck_assert_uint_eq(s->resident, 0);
	ck_assert_uint_eq(s->untouched, VMS_PMD_SIZE - K4);
	ck_assert_uint_eq(s->nerrors, 0);
	env_fini(&v);
}
END_TEST

/* ---- THP --------------------------------------------------------------------- */

static void pmd_thp(enum vms_mapcount_model model)
{
	struct env v;
	env_init(&v, model);
	/* anon, file and shmem THPs, each PMD-mapped once; refcount 2 forces
	 * the per-subpage path */
	fm_compound_page(&v.fm, &v.l, 0x40000, 9, FM_ANON_MAPPING, 0, 1, 2);
	fm_compound_page(&v.fm, &v.l, 0x40200, 9, FM_FILE_MAPPING,
			 model == VMS_MAPCOUNT_FOLIO ? 0 : 1, 1, 2);
	fm_compound_page(&v.fm, &v.l, 0x40400, 9, FM_FILE_MAPPING,
			 model == VMS_MAPCOUNT_FOLIO ? 0 : 1, 1, 2);
	fm_sp_flag(&v.fm, &v.l, 0x40400, v.l.pg_swapbacked);
	fm_set(&v.fm, BASE, VMS_PMD, (0x40000ULL << 12) | FM_PMD_FLAGS | VMS_P_DIRTY);
	fm_set(&v.fm, BASE + VMS_PMD_SIZE, VMS_PMD, (0x40200ULL << 12) | FM_PMD_FLAGS);
	fm_set(&v.fm, BASE + 2 * VMS_PMD_SIZE, VMS_PMD, (0x40400ULL << 12) | FM_PMD_FLAGS);
	const struct vms_stats *s = run(&v, BASE, BASE + 3 * VMS_PMD_SIZE);
	ck_assert_uint_eq(s->nerrors, 0);
	ck_assert_uint_eq(s->resident, 3 * VMS_PMD_SIZE);
	ck_assert_uint_eq(s->pmd_thp, 3 * VMS_PMD_SIZE);
	ck_assert_uint_eq(s->anonymous_thp, VMS_PMD_SIZE);
	ck_assert_uint_eq(s->file_thp, VMS_PMD_SIZE);
	ck_assert_uint_eq(s->shmem_thp, VMS_PMD_SIZE);
	ck_assert_uint_eq(s->anonymous, VMS_PMD_SIZE);
	ck_assert_uint_eq(s->private_dirty, VMS_PMD_SIZE);
	ck_assert_uint_eq(s->private_clean, 2 * VMS_PMD_SIZE);
	ck_assert_uint_eq(s->pss, 3 * (VMS_PMD_SIZE << VMS_PSS_SHIFT));
	ck_assert_uint_eq(s->pss_anon, VMS_PMD_SIZE << VMS_PSS_SHIFT);
	ck_assert_uint_eq(s->pss_shmem, VMS_PMD_SIZE << VMS_PSS_SHIFT);
	ck_assert_uint_eq(s->pte_thp, 0);
	env_fini(&v);
}

START_TEST(test_pmd_thp_compound)
{
	pmd_thp(VMS_MAPCOUNT_COMPOUND);
}
END_TEST

START_TEST(test_pmd_thp_folio)
{
	pmd_thp(VMS_MAPCOUNT_FOLIO);
}
END_TEST

START_TEST(test_pmd_thp_shared_subpages)
{
	/* PMD-mapped by two processes: every subpage has mapcount 2 */
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	fm_compound_page(&v.fm, &v.l, 0x40000, 9, FM_ANON_MAPPING, 0, 2, 3);
	fm_set(&v.fm, BASE, VMS_PMD, (0x40000ULL << 12) | FM_PMD_FLAGS);
	const struct vms_stats *s = run(&v, BASE, BASE + VMS_PMD_SIZE);
	ck_assert_uint_eq(s->shared_clean, VMS_PMD_SIZE);
	ck_assert_uint_eq(s->pss, 512 * (PSS1 / 2));
	env_fini(&v);
}
END_TEST

START_TEST(test_pmd_not_a_thp)
{
	/* a PMD leaf whose struct page is no order-9 head */
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	fm_small_page(&v.fm, &v.l, 0x40000, FM_ANON_MAPPING, 1, 1);
	fm_set(&v.fm, BASE, VMS_PMD, (0x40000ULL << 12) | FM_PMD_FLAGS);
	/* and a devmap PMD: no page in smaps */
	fm_set(&v.fm, BASE + VMS_PMD_SIZE, VMS_PMD,
	       (0x40200ULL << 12) | FM_PMD_FLAGS | v.fm.arch.devmap_bit);
	const struct vms_stats *s = run(&v, BASE, BASE + 2 * VMS_PMD_SIZE);
	ck_assert_uint_eq(s->resident, 0);
	ck_assert_uint_eq(s->unreadable, VMS_PMD_SIZE);
	ck_assert_uint_eq(s->special, VMS_PMD_SIZE);
	ck_assert_int_eq(s->err.status, VMS_CORRUPT);
	ck_assert_uint_eq(s->err.addr, BASE);
	env_fini(&v);
}
END_TEST

START_TEST(test_pmd_clipped)
{
	/* a VMA ending inside a PMD leaf: smaps cannot see that, so it is damage */
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	fm_compound_page(&v.fm, &v.l, 0x40000, 9, FM_ANON_MAPPING, 0, 1, 1);
	fm_set(&v.fm, BASE, VMS_PMD, (0x40000ULL << 12) | FM_PMD_FLAGS);
	const struct vms_stats *s = run(&v, BASE, BASE + VMS_PMD_SIZE / 2);
	ck_assert_uint_eq(s->resident, 0);
	ck_assert_uint_eq(s->special, VMS_PMD_SIZE / 2);
	ck_assert_uint_eq(s->nerrors, 1);
	env_fini(&v);
}
END_TEST

START_TEST(test_pmd_protnone_6_1)
{
	/* 6.1's follow_trans_huge_pmd() skips NUMA-hint THPs; 5.10 counts them */
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	fm_compound_page(&v.fm, &v.l, 0x40000, 9, FM_ANON_MAPPING, 0, 1, 1);
	uint64_t raw = (((0x40000ULL << 12) ^ ~0ULL) & 0x000ffffffffff000ULL) | VMS_P_PSE |
		       VMS_P_PROTNONE | VMS_P_USER | VMS_P_ACCESSED;
	fm_set(&v.fm, BASE, VMS_PMD, raw);
	ck_assert_uint_eq(run(&v, BASE, BASE + VMS_PMD_SIZE)->resident, VMS_PMD_SIZE);
	v.m.pmd_protnone_skipped = true;
	const struct vms_stats *s = run(&v, BASE, BASE + VMS_PMD_SIZE);
	ck_assert_uint_eq(s->resident, 0);
	ck_assert_uint_eq(s->populated, VMS_PMD_SIZE);
	env_fini(&v);
}
END_TEST

START_TEST(test_pte_mapped_thp)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	fm_compound_page(&v.fm, &v.l, 0x40000, 9, FM_ANON_MAPPING, 1, 0, 40);
	/* 16 pages where virtual and physical 2 MiB offsets differ (mremap) */
	for (int i = 0; i < 16; i++)
		fm_map4k(&v.fm, BASE + K4 + i * K4, 0x40000 + i, FM_PTE_FLAGS);
	/* 16 where they agree */
	for (int i = 16; i < 32; i++)
		fm_map4k(&v.fm, BASE + VMS_PMD_SIZE + i * K4, 0x40000 + i, FM_PTE_FLAGS);
	const struct vms_stats *s = run(&v, BASE, BASE + 2 * VMS_PMD_SIZE);
	ck_assert_uint_eq(s->pte_thp, 32 * K4);
	ck_assert_uint_eq(s->unaligned_thp, 16 * K4);
	ck_assert_uint_eq(s->pmd_thp, 0);
	ck_assert_uint_eq(s->anonymous_thp, 0);
	ck_assert_uint_eq(s->resident, 32 * K4);
	ck_assert_uint_eq(s->private_clean, 32 * K4);
	ck_assert_uint_eq(s->nerrors, 0);
	env_fini(&v);
}
END_TEST

/* ---- Non-present entries ------------------------------------------------------ */

START_TEST(test_swap_counts)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	unsigned char map[16] = { 0 };
	map[10] = 1;
	map[11] = 2;
	map[12] = 0x40 | 1;	/* SWAP_HAS_CACHE is not a sharer */
	map[13] = 0;		/* a free slot still counts whole */
	fm_kwrite(&v.fm, FM_SWAPMAP, map, sizeof(map));
	v.swap[1] = (struct vms_swapdev){ .used = true, .swap_map = FM_SWAPMAP, .max = 16 };
	v.acct.swap = v.swap;
	v.acct.nswap = 2;
	for (int i = 0; i < 4; i++)
		fm_set(&v.fm, BASE + i * K4, VMS_PTE, swp(1, 10 + i));
	/* beyond the device's slots; an unused type; a device we know nothing of */
	fm_set(&v.fm, BASE + 4 * K4, VMS_PTE, swp(1, 99));
	fm_set(&v.fm, BASE + 5 * K4, VMS_PTE, swp(0, 11));
	fm_set(&v.fm, BASE + 6 * K4, VMS_PTE, swp(7, 11));
	const struct vms_stats *s = run(&v, BASE, BASE + 7 * K4);
	ck_assert_uint_eq(s->swap, 7 * K4);
	ck_assert_uint_eq(s->swap_pss, 6 * PSS1 + PSS1 / 2);
	ck_assert_uint_eq(s->resident, 0);
	ck_assert_uint_eq(s->nerrors, 0);
	ck_assert_uint_eq(pss_kb(s->swap_pss), 26);
	env_fini(&v);
}
END_TEST

START_TEST(test_swap_count_continued)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	unsigned char c = 0x80 | 0x3e;
	fm_kwrite(&v.fm, FM_SWAPMAP + 5, &c, 1);
	v.swap[0] = (struct vms_swapdev){ .used = true, .swap_map = FM_SWAPMAP, .max = 100 };
	v.acct.swap = v.swap;
	v.acct.nswap = 1;
	fm_set(&v.fm, BASE, VMS_PTE, swp(0, 5));
	/* and a swap_map page that is not in the dump */
	fm_set_status(&v.fm, fm_kvirt_pfn(&v.fm, FM_SWAPMAP + VMS_PAGE_SIZE), VMS_EXCLUDED);
	fm_set(&v.fm, BASE + K4, VMS_PTE, swp(0, 4096 + 5));
	v.swap[0].max = 8192;
	const struct vms_stats *s = run(&v, BASE, BASE + 2 * K4);
	ck_assert_uint_eq(s->swap, 2 * K4);
	ck_assert_uint_eq(s->nerrors, 2);
	ck_assert_int_eq(s->err.status, VMS_CORRUPT);
	ck_assert_uint_eq(s->err.addr, BASE);
	env_fini(&v);
}
END_TEST

static void migration_entry(enum vms_mapcount_model model)
{
	struct env v;
	env_init(&v, model);
	fm_small_page(&v.fm, &v.l, 0x20000, FM_ANON_MAPPING, 1, 2);
	fm_small_page(&v.fm, &v.l, 0x20001, FM_ANON_MAPPING, 1, 2);
	fm_set(&v.fm, BASE, VMS_PTE, swp(v.fm.arch.swp_migration_first, 0x20000));
	/* a device-private entry is "present" in both */
	fm_set(&v.fm, BASE + K4, VMS_PTE, swp(v.fm.arch.swp_device_first, 0x20001));
	const struct vms_stats *s = run(&v, BASE, BASE + 2 * K4);
	ck_assert_uint_eq(s->resident, 2 * K4);
	ck_assert_uint_eq(s->nonswap, 2 * K4);
	ck_assert_uint_eq(s->pss, 2 * PSS1);
	ck_assert_uint_eq(s->swap, 0);
	if (model == VMS_MAPCOUNT_FOLIO) {
		/* 6.12: non-present pages count as shared */
		ck_assert_uint_eq(s->shared_clean, K4);
		ck_assert_uint_eq(s->private_clean, K4);
	} else {
		ck_assert_uint_eq(s->private_clean, 2 * K4);
		ck_assert_uint_eq(s->shared_clean, 0);
	}
	env_fini(&v);
}

START_TEST(test_migration_5_10)
{
	migration_entry(VMS_MAPCOUNT_COMPOUND);
}
END_TEST

START_TEST(test_migration_6_12_nonpresent_shared)
{
	migration_entry(VMS_MAPCOUNT_FOLIO);
}
END_TEST

START_TEST(test_hwpoison_and_markers)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	fm_small_page(&v.fm, &v.l, 0x20000, FM_ANON_MAPPING, 1, 1);
	fm_set(&v.fm, BASE, VMS_PTE, swp(v.fm.arch.swp_hwpoison, 0x20000));
	fm_set(&v.fm, BASE + K4, VMS_PTE, swp(v.fm.arch.swp_marker, 1));
	const struct vms_stats *s = run(&v, BASE, BASE + 2 * K4);
	ck_assert_uint_eq(s->nonswap, 2 * K4);
	ck_assert_uint_eq(s->resident, K4);	/* 6.1+: the poisoned page is accounted */
	v.m.hwpoison_has_page = false;		/* 5.10 ignores it */
	s = run(&v, BASE, BASE + 2 * K4);
	ck_assert_uint_eq(s->resident, 0);
	ck_assert_uint_eq(s->nonswap, 2 * K4);
	env_fini(&v);
}
END_TEST

static void pmd_migration(enum vms_mapcount_model model)
{
	/* a THP under migration: smaps_pmd_entry() still counts AnonHugePages */
	struct env v;
	env_init(&v, model);
	fm_compound_page(&v.fm, &v.l, 0x40000, 9, FM_ANON_MAPPING, 0, 1, 2);
	fm_set(&v.fm, BASE, VMS_PMD, swp(v.fm.arch.swp_migration_first + 2, 0x40000));
	const struct vms_stats *s = run(&v, BASE, BASE + VMS_PMD_SIZE);
	ck_assert_uint_eq(s->nerrors, 0);
	ck_assert_uint_eq(s->resident, VMS_PMD_SIZE);
	ck_assert_uint_eq(s->anonymous, VMS_PMD_SIZE);
	ck_assert_uint_eq(s->anonymous_thp, VMS_PMD_SIZE);
	ck_assert_uint_eq(s->nonswap, VMS_PMD_SIZE);
	ck_assert_uint_eq(s->pss, VMS_PMD_SIZE << VMS_PSS_SHIFT);
	if (model == VMS_MAPCOUNT_FOLIO)
		ck_assert_uint_eq(s->shared_clean, VMS_PMD_SIZE);
	else
		ck_assert_uint_eq(s->private_clean, VMS_PMD_SIZE);
	env_fini(&v);
}

START_TEST(test_pmd_migration_compound)
{
	pmd_migration(VMS_MAPCOUNT_COMPOUND);
}
END_TEST

START_TEST(test_pmd_migration_folio)
{
	pmd_migration(VMS_MAPCOUNT_FOLIO);
}
END_TEST

START_TEST(test_pmd_swap_entry_is_damage)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	fm_set(&v.fm, BASE, VMS_PMD, swp(0, 1234));
	const struct vms_stats *s = run(&v, BASE, BASE + VMS_PMD_SIZE);
	ck_assert_uint_eq(s->unreadable, VMS_PMD_SIZE);
	ck_assert_uint_eq(s->swap, 0);
	ck_assert_uint_eq(s->nerrors, 1);
	env_fini(&v);
}
END_TEST

/* ---- Hugetlb --------------------------------------------------------------- */

START_TEST(test_hugetlb)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	fm_compound_page(&v.fm, &v.l, 0x40000, 9, FM_FILE_MAPPING, 0, 1, 1);
	fm_sp_u8(&v.fm, &v.l, 0x40001, v.l.off_compound_dtor, (uint8_t)v.l.hugetlb_dtor);
	fm_compound_page(&v.fm, &v.l, 0x40200, 9, FM_FILE_MAPPING, 0, 2, 2);
	fm_sp_u8(&v.fm, &v.l, 0x40201, v.l.off_compound_dtor, (uint8_t)v.l.hugetlb_dtor);
	fm_set(&v.fm, BASE, VMS_PMD, (0x40000ULL << 12) | FM_PMD_FLAGS);
	fm_set(&v.fm, BASE + VMS_PMD_SIZE, VMS_PMD, (0x40200ULL << 12) | FM_PMD_FLAGS);
	v.vma.hugetlb = true;
	v.vma.hugetlb_size = VMS_PMD_SIZE;
	const struct vms_stats *s = run(&v, BASE, BASE + 3 * VMS_PMD_SIZE);
	ck_assert_uint_eq(s->private_hugetlb, VMS_PMD_SIZE);
	ck_assert_uint_eq(s->shared_hugetlb, VMS_PMD_SIZE);
	ck_assert_uint_eq(s->resident, 0);
	ck_assert_uint_eq(s->pss, 0);
	ck_assert_uint_eq(s->untouched, VMS_PMD_SIZE);
	env_fini(&v);
}
END_TEST

/* ---- Holes, errors, content ---------------------------------------------------- */

START_TEST(test_untouched)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	map_small(&v, BASE + 0x5000, 0x20000, FM_ANON_MAPPING, 1, 1, FM_PTE_FLAGS);
	const struct vms_stats *s = run(&v, BASE, BASE + (1 << 20));
	ck_assert_uint_eq(s->untouched, (1 << 20) - K4);
	ck_assert_uint_eq(s->resident, K4);
	/* a VMA in an empty part of the address space */
	s = run(&v, 1ULL << 40, (1ULL << 40) + (64 << 20));
	ck_assert_uint_eq(s->untouched, 64 << 20);
	env_fini(&v);
}
END_TEST

static void lost_table(int status)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	map_small(&v, BASE, 0x20000, FM_ANON_MAPPING, 1, 1, FM_PTE_FLAGS);
	map_small(&v, BASE + VMS_PMD_SIZE, 0x20001, FM_ANON_MAPPING, 1, 1, FM_PTE_FLAGS);
	uint64_t t = fm_table_at(&v.fm, BASE, VMS_PTE, false);
	fm_set_status(&v.fm, t, status);
	const struct vms_stats *s = run(&v, BASE + 0x3000, BASE + VMS_PMD_SIZE + K4);
	uint64_t lost = VMS_PMD_SIZE - 0x3000;
	ck_assert_uint_eq(status == VMS_EXCLUDED ? s->excluded : s->unreadable, lost);
	ck_assert_uint_eq(status == VMS_EXCLUDED ? s->unreadable : s->excluded, 0);
	ck_assert_uint_eq(s->resident, K4);
	ck_assert_uint_eq(s->nerrors, 1);
	ck_assert_int_eq(s->err.status, status);
	ck_assert_int_eq(s->err.level, VMS_PTE);
	ck_assert_uint_eq(s->err.addr, BASE + 0x3000);
	ck_assert_uint_eq(s->err.where, t << VMS_PAGE_SHIFT);
	ck_assert_ptr_nonnull(s->err.what);
	env_fini(&v);
}

START_TEST(test_unreadable_table)
{
	lost_table(VMS_READ_ERROR);
}
END_TEST

START_TEST(test_excluded_table)
{
	lost_table(VMS_EXCLUDED);
}
END_TEST

START_TEST(test_content_scan)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND);
	map_small(&v, BASE, 0x20000, FM_ANON_MAPPING, 1, 1, FM_PTE_FLAGS);
	map_small(&v, BASE + K4, 0x20001, FM_ANON_MAPPING, 1, 1, FM_PTE_FLAGS);
	map_small(&v, BASE + 2 * K4, 0x20002, FM_ANON_MAPPING, 1, 1, FM_PTE_FLAGS);
	fm_page(&v.fm, 0x20000);			/* all zero */
	fm_page(&v.fm, 0x20001)[4095] = 1;		/* one byte at the very end */
	fm_set_status(&v.fm, 0x20002, VMS_EXCLUDED);	/* not in the dump */
	/* a zero THP too */
	fm_compound_page(&v.fm, &v.l, 0x40000, 9, FM_ANON_MAPPING, 0, 1, 1);
	for (int i = 0; i < 512; i++)
		fm_page(&v.fm, 0x40000 + i);
	fm_set(&v.fm, BASE + VMS_PMD_SIZE, VMS_PMD, (0x40000ULL << 12) | FM_PMD_FLAGS);
	v.acct.scan_content = true;
	const struct vms_stats *s = run(&v, BASE, BASE + 2 * VMS_PMD_SIZE);
	ck_assert_uint_eq(s->scanned, 2 * K4 + VMS_PMD_SIZE);
	ck_assert_uint_eq(s->zero_content, K4 + VMS_PMD_SIZE);
	ck_assert_uint_eq(s->excluded, K4);
	ck_assert_int_eq(s->err.status, VMS_EXCLUDED);
	ck_assert_uint_eq(s->err.addr, BASE + 2 * K4);
	ck_assert_uint_eq(v.cnt.content_reads, 3 + 512);
	/* the excluded page is still resident: its struct page was read */
	ck_assert_uint_eq(s->resident, 3 * K4 + VMS_PMD_SIZE);
	env_fini(&v);
}
END_TEST

/* ---- Helpers ------------------------------------------------------------------ */

/* Struct pages read in runs (an ELF dump) account exactly as page by page:
 * pfns in order, reversed and scattered, shared, compound, lost. */
static void runs_env(struct env *v, bool runs)
{
	env_init(v, VMS_MAPCOUNT_COMPOUND);
	if (runs)
		fm_enable_runs(&v->fm);
	v->mm_cap = 256;
	uint64_t x = 12345;
	for (unsigned i = 0; i < 3 * 512; i++) {
		uint64_t va = BASE + (uint64_t)i * K4, pfn;
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		if (i < 512)
			pfn = 0x4000 + i;			/* in order */
		else if (i < 1024)
			pfn = 0x8000 + (1023 - i);		/* reversed */
		else
			pfn = 0x10000 + (x >> 33) % 0x4000;	/* scattered (may repeat) */
		if (i % 97 == 5)
			continue;				/* untouched */
		int mc = (x >> 20) % 4 == 0 ? 2 : 1;
		map_small(v, va, pfn, (x >> 24) % 3 ? FM_ANON_MAPPING : FM_FILE_MAPPING, mc, mc,
			  FM_PTE_FLAGS | ((x >> 28) % 2 ? VMS_P_DIRTY : 0));
	}
	fm_compound_page(&v->fm, &v->l, 0x20000, 4, FM_ANON_MAPPING, 1, 0, 1);
	for (unsigned i = 0; i < 16; i++)
		fm_map4k(&v->fm, BASE + (3 * 512 + i) * K4, 0x20000 + i, FM_PTE_FLAGS);
	/* one vmemmap page lost in the middle of a run */
	fm_set_status(&v->fm, fm_kvirt_pfn(&v->fm, FM_VMEMMAP + (0x4000 / 64 + 3) * K4),
		      VMS_READ_ERROR);
}

START_TEST(test_memmap_runs_same_stats)
{
	struct env a, b;
	runs_env(&a, false);
	runs_env(&b, true);
	const struct vms_stats *sa = run(&a, BASE, BASE + 4 * 512 * K4);
	const struct vms_stats *sb = run(&b, BASE, BASE + 4 * 512 * K4);
	ck_assert(!memcmp(sa, sb, offsetof(struct vms_stats, nerrors)));
	ck_assert_uint_eq(sa->nerrors, sb->nerrors);
	ck_assert_uint_gt(sa->nerrors, 0);
	ck_assert_uint_gt(sa->resident, 1400 * K4);
	ck_assert_uint_gt(b.fm.kvirt_run_calls, 0);
	/* the same pages read, each once, and fewer calls */
	ck_assert_uint_eq(a.cnt.memmap_reads, b.cnt.memmap_reads);
	ck_assert_uint_eq(b.cnt.memmap_rereads, 0);
	ck_assert_uint_lt(b.fm.kvirt_reads - b.cnt.memmap_reads + b.fm.kvirt_run_calls,
			  a.fm.kvirt_reads);
	env_fini(&a);
	env_fini(&b);
}
END_TEST

START_TEST(test_stats_add_and_error)
{
	struct vms_stats a = { 0 }, b = { 0 }, r = { 0 };
	a.resident = 1;
	a.unaligned_thp = 5;
	b.resident = 2;
	b.pss = 7;
	vms_stats_error(&b, VMS_EXCLUDED, 1, 0x1000, 0x2000, "first");
	vms_stats_error(&b, VMS_READ_ERROR, 0, 0x3000, 0x4000, "second");
	ck_assert_uint_eq(b.nerrors, 2);
	ck_assert_str_eq(b.err.what, "first");
	vms_stats_add(&r, &a);
	vms_stats_add(&r, &b);
	vms_stats_add(&r, &b);
	ck_assert_uint_eq(r.resident, 5);
	ck_assert_uint_eq(r.pss, 14);
	ck_assert_uint_eq(r.unaligned_thp, 5);
	ck_assert_uint_eq(r.nerrors, 4);
	ck_assert_int_eq(r.err.status, VMS_EXCLUDED);
	ck_assert_uint_eq(r.err.addr, 0x1000);
}
END_TEST

START_TEST(test_aligned_windows)
{
	ck_assert_uint_eq(vms_aligned_windows(0, 0), 0);
	ck_assert_uint_eq(vms_aligned_windows(0, VMS_PMD_SIZE), 1);
	ck_assert_uint_eq(vms_aligned_windows(K4, VMS_PMD_SIZE), 0);
	ck_assert_uint_eq(vms_aligned_windows(K4, 2 * VMS_PMD_SIZE), 1);
	ck_assert_uint_eq(vms_aligned_windows(K4, 3 * VMS_PMD_SIZE - K4), 1);
	ck_assert_uint_eq(vms_aligned_windows(VMS_PMD_SIZE, VMS_PMD_SIZE), 0);
	ck_assert_uint_eq(vms_aligned_windows(1ULL << 40, (1ULL << 40) + (1ULL << 30)), 512);
}
END_TEST

Suite *account_suite(void);
Suite *account_suite(void)
{
	Suite *s = suite_create("account");
	TCase *tc = tcase_create("Pss and sharing");
	tcase_add_test(tc, test_mapcounts);
	tcase_add_test(tc, test_pss_truncated_only_when_printed);
	tcase_add_test(tc, test_refcount_one_shortcut);
	tcase_add_test(tc, test_dirty);
	tcase_add_test(tc, test_anonymous_lazyfree);
	tcase_add_test(tc, test_locked);
	suite_add_tcase(s, tc);

	tc = tcase_create("No struct page");
	tcase_add_test(tc, test_zero_page);
	tcase_add_test(tc, test_beyond_memmap);
	tcase_add_test(tc, test_huge_zero_page);
	tcase_add_test(tc, test_struct_page_lost);
	tcase_add_test(tc, test_no_kcache);
	suite_add_tcase(s, tc);

	tc = tcase_create("THP");
	tcase_add_test(tc, test_pmd_thp_compound);
	tcase_add_test(tc, test_pmd_thp_folio);
	tcase_add_test(tc, test_pmd_thp_shared_subpages);
	tcase_add_test(tc, test_pmd_not_a_thp);
	tcase_add_test(tc, test_pmd_clipped);
	tcase_add_test(tc, test_pmd_protnone_6_1);
	tcase_add_test(tc, test_pte_mapped_thp);
	suite_add_tcase(s, tc);

	tc = tcase_create("Non-present");
	tcase_add_test(tc, test_swap_counts);
	tcase_add_test(tc, test_swap_count_continued);
	tcase_add_test(tc, test_migration_5_10);
	tcase_add_test(tc, test_migration_6_12_nonpresent_shared);
	tcase_add_test(tc, test_hwpoison_and_markers);
	tcase_add_test(tc, test_pmd_migration_compound);
	tcase_add_test(tc, test_pmd_migration_folio);
	tcase_add_test(tc, test_pmd_swap_entry_is_damage);
	tcase_add_test(tc, test_hugetlb);
	suite_add_tcase(s, tc);

	tc = tcase_create("Holes, errors, content");
	tcase_add_test(tc, test_untouched);
	tcase_add_test(tc, test_unreadable_table);
	tcase_add_test(tc, test_excluded_table);
	tcase_add_test(tc, test_content_scan);
	tcase_add_test(tc, test_memmap_runs_same_stats);
	tcase_add_test(tc, test_stats_add_and_error);
	tcase_add_test(tc, test_aligned_windows);
	suite_add_tcase(s, tc);
	return s;
}
