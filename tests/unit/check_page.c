// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_page.c: struct page decoding (both mapcount models) and the
 * kernel-page CLOCK cache (page.c) over a fake vmemmap.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fake_mem.h"

#define MAXPFN 0xfffffULL

struct env {
	struct fake_mem fm;
	struct vms_page_layout l;
	struct vms_kcache kc;
	struct vms_memmap mm;
	struct vms_counters cnt;
};

static void env_init(struct env *v, enum vms_mapcount_model model, unsigned cap)
{
	memset(v, 0, sizeof(*v));
	fm_init(&v->fm, 4);
	if (model == VMS_MAPCOUNT_FOLIO)
		fm_layout_folio(&v->l, MAXPFN);
	else
		fm_layout_compound(&v->l, MAXPFN);
	ck_assert_int_eq(vms_kcache_init(&v->kc, &v->fm.mem, &v->cnt, cap), VMS_OK);
	ck_assert_int_eq(vms_memmap_init(&v->mm, &v->fm.mem, &v->cnt, &v->l, cap), VMS_OK);
}

static void env_fini(struct env *v)
{
	vms_kcache_destroy(&v->kc);
	vms_memmap_destroy(&v->mm);
	fm_destroy(&v->fm);
}

/* The tests rewrite struct pages between reads: start each read with an
 * empty cache, as a new command would. */
static void fresh(struct env *v)
{
	unsigned cap = v->kc.cap;
	vms_kcache_destroy(&v->kc);
	ck_assert_int_eq(vms_kcache_init(&v->kc, &v->fm.mem, &v->cnt, cap), VMS_OK);
	vms_memmap_destroy(&v->mm);
	ck_assert_int_eq(vms_memmap_init(&v->mm, &v->fm.mem, &v->cnt, &v->l, cap), VMS_OK);
}

static struct vms_pageinfo get_ok(struct env *v, uint64_t pfn)
{
	struct vms_pageinfo pi;
	fresh(v);
	int st = vms_page_get(&v->mm, pfn, &pi);
	ck_assert_msg(st == VMS_OK, "pfn %#llx: %s", (unsigned long long)pfn, vms_status_name(st));
	ck_assert_uint_eq(pi.pfn, pfn);
	return pi;
}

static int get_st(struct env *v, uint64_t pfn)
{
	struct vms_pageinfo pi;
	fresh(v);
	return vms_page_get(&v->mm, pfn, &pi);
}

/* ---- Small pages (both models) ------------------------------------------- */

static void small_pages(enum vms_mapcount_model model)
{
	struct env v;
	env_init(&v, model, 16);
	fm_small_page(&v.fm, &v.l, 100, FM_ANON_MAPPING, 1, 1);
	fm_small_page(&v.fm, &v.l, 101, FM_FILE_MAPPING, 3, 4);
	fm_small_page(&v.fm, &v.l, 102, FM_KSM_MAPPING, 2, 2);
	fm_small_page(&v.fm, &v.l, 103, FM_FILE_MAPPING, 0, 1);
	fm_sp_flag(&v.fm, &v.l, 101, v.l.pg_dirty);
	fm_sp_flag(&v.fm, &v.l, 101, v.l.pg_referenced);
	fm_sp_flag(&v.fm, &v.l, 103, v.l.pg_swapbacked);
	fm_sp_flag(&v.fm, &v.l, 103, v.l.pg_young);

	struct vms_pageinfo pi = get_ok(&v, 100);
	ck_assert(pi.anon && !pi.ksm && !pi.compound && !pi.dirty);
	ck_assert_int_eq(pi.mapcount, 1);
	ck_assert_int_eq(pi.refcount, 1);
	ck_assert_uint_eq(pi.order, 0);
	ck_assert_uint_eq(pi.head_pfn, 100);

	pi = get_ok(&v, 101);
	ck_assert(!pi.anon && pi.dirty && pi.referenced && !pi.swapbacked);
	ck_assert_int_eq(pi.mapcount, 3);
	ck_assert_int_eq(pi.refcount, 4);

	pi = get_ok(&v, 102);
	ck_assert(pi.anon && pi.ksm);

	pi = get_ok(&v, 103);
	ck_assert(pi.swapbacked && pi.young);
	ck_assert_int_eq(pi.mapcount, 0);
	env_fini(&v);
}

START_TEST(test_small_compound_model)
{
	small_pages(VMS_MAPCOUNT_COMPOUND);
}
END_TEST

START_TEST(test_small_folio_model)
{
	small_pages(VMS_MAPCOUNT_FOLIO);
}
END_TEST

START_TEST(test_limits)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND, 4);
	fm_small_page(&v.fm, &v.l, 0, FM_ANON_MAPPING, 1, 1);
	fm_small_page(&v.fm, &v.l, MAXPFN, FM_ANON_MAPPING, 1, 1);
	/* pfn 0 and max_pfn are pages; one beyond is not */
	get_ok(&v, 0);
	get_ok(&v, MAXPFN);
	ck_assert_int_eq(get_st(&v, MAXPFN + 1), VMS_CORRUPT);
	ck_assert_int_eq(get_st(&v, ~0ULL), VMS_CORRUPT);
	/* no struct page in the dump (never written: not mapped) */
	ck_assert_int_eq(get_st(&v, 5000), VMS_READ_ERROR);
	/* excluded vmemmap page */
	fm_small_page(&v.fm, &v.l, 200, FM_ANON_MAPPING, 1, 1);
	fm_set_status(&v.fm, fm_kvirt_pfn(&v.fm, FM_VMEMMAP + 200 * 64), VMS_EXCLUDED);
	ck_assert_int_eq(get_st(&v, 200), VMS_EXCLUDED);
	/* negative refcount, absurd mapcount */
	fm_small_page(&v.fm, &v.l, 300, FM_ANON_MAPPING, 1, -1);
	ck_assert_int_eq(get_st(&v, 300), VMS_CORRUPT);
	fm_small_page(&v.fm, &v.l, 301, FM_ANON_MAPPING, (1 << 24) + 1, 1);
	ck_assert_int_eq(get_st(&v, 301), VMS_CORRUPT);
	fm_small_page(&v.fm, &v.l, 302, FM_ANON_MAPPING, -5, 1);
	ck_assert_int_eq(get_st(&v, 302), VMS_CORRUPT);
	/* a layout larger than the decoder's buffer is refused, not overrun */
	v.l.size = 300;
	ck_assert_int_eq(get_st(&v, 0), VMS_CORRUPT);
	env_fini(&v);
}
END_TEST

/* ---- VMS_MAPCOUNT_COMPOUND (5.10, 6.1) ------------------------------------- */

START_TEST(test_compound_anon_thp)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND, 16);
	/* PMD-mapped once: compound_mapcount 1, subpages 0 */
	fm_compound_page(&v.fm, &v.l, 0x400, 9, FM_ANON_MAPPING, 0, 1, 1);
	struct vms_pageinfo pi = get_ok(&v, 0x400);
	ck_assert(pi.compound && pi.anon && !pi.hugetlb);
	ck_assert_uint_eq(pi.order, 9);
	ck_assert_int_eq(pi.mapcount, 1);
	pi = get_ok(&v, 0x400 + 77);
	ck_assert_uint_eq(pi.head_pfn, 0x400);
	ck_assert(pi.compound);
	ck_assert_int_eq(pi.mapcount, 1);
	ck_assert_uint_eq(pi.order, 9);
	/* flags come from the head */
	fm_sp_flag(&v.fm, &v.l, 0x400, v.l.pg_dirty);
	pi = get_ok(&v, 0x400 + 511);
	ck_assert(pi.dirty);
	env_fini(&v);
}
END_TEST

START_TEST(test_compound_double_map)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND, 16);
	/* PMD-mapped by one process, subpage 3 also PTE-mapped by another:
	 * DoubleMap set, every subpage _mapcount carries +1 */
	fm_compound_page(&v.fm, &v.l, 0x800, 9, FM_ANON_MAPPING, 1, 1, 3);
	fm_sp_s32(&v.fm, &v.l, 0x803, v.l.off_mapcount, 1);	/* 2 - 1 */
	fm_sp_flag(&v.fm, &v.l, 0x801, v.l.pg_double_map);
	ck_assert_int_eq(get_ok(&v, 0x802).mapcount, 1);
	ck_assert_int_eq(get_ok(&v, 0x803).mapcount, 2);
	/* without DoubleMap the same counts add up */
	fm_sp_u64(&v.fm, &v.l, 0x801, v.l.off_flags, 0);
	ck_assert_int_eq(get_ok(&v, 0x802).mapcount, 2);
	env_fini(&v);
}
END_TEST

START_TEST(test_compound_file_thp)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND, 16);
	/* file THP: each subpage _mapcount holds all its mappings;
	 * compound_mapcount is not added */
	fm_compound_page(&v.fm, &v.l, 0xa00, 9, FM_FILE_MAPPING, 2, 2, 5);
	fm_sp_s32(&v.fm, &v.l, 0xa07, v.l.off_mapcount, 4);
	ck_assert_int_eq(get_ok(&v, 0xa00).mapcount, 2);
	ck_assert_int_eq(get_ok(&v, 0xa07).mapcount, 5);
	ck_assert(!get_ok(&v, 0xa07).anon);
	env_fini(&v);
}
END_TEST

START_TEST(test_compound_hugetlb)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND, 16);
	fm_compound_page(&v.fm, &v.l, 0xc00, 9, FM_FILE_MAPPING, 0, 2, 3);
	fm_sp_u8(&v.fm, &v.l, 0xc01, v.l.off_compound_dtor, (uint8_t)v.l.hugetlb_dtor);
	struct vms_pageinfo pi = get_ok(&v, 0xc00);
	ck_assert(pi.hugetlb);
	/* PageHuge: compound_mapcount counts even though not anon */
	ck_assert_int_eq(pi.mapcount, 2);
	env_fini(&v);
}
END_TEST

START_TEST(test_young_on_subpage)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND, 16);
	fm_compound_page(&v.fm, &v.l, 0x400, 4, FM_ANON_MAPPING, 1, 0, 2);
	fm_sp_flag(&v.fm, &v.l, 0x405, v.l.pg_young);
	/* 5.10 tests PG_young on the subpage itself */
	ck_assert(get_ok(&v, 0x405).young);
	ck_assert(!get_ok(&v, 0x406).young);
	/* later kernels test the head (the folio) */
	v.l.young_on_subpage = false;
	ck_assert(!get_ok(&v, 0x405).young);
	fm_sp_flag(&v.fm, &v.l, 0x400, v.l.pg_young);
	ck_assert(get_ok(&v, 0x406).young);
	env_fini(&v);
}
END_TEST

START_TEST(test_corrupt_compound_head)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND, 16);
	fm_compound_page(&v.fm, &v.l, 0x400, 9, FM_ANON_MAPPING, 0, 1, 1);
	uint64_t head = FM_VMEMMAP + 0x400 * 64;

	/* not on a struct page boundary */
	fm_sp_u64(&v.fm, &v.l, 0x410, v.l.off_compound_head, head + 8 + 1);
	ck_assert_int_eq(get_st(&v, 0x410), VMS_CORRUPT);
	/* below the vmemmap */
	fm_sp_u64(&v.fm, &v.l, 0x410, v.l.off_compound_head, 0xffff888000000000ULL + 1);
	ck_assert_int_eq(get_st(&v, 0x410), VMS_CORRUPT);
	/* a head after the tail */
	fm_sp_u64(&v.fm, &v.l, 0x410, v.l.off_compound_head, head + 0x20 * 64 + 1);
	ck_assert_int_eq(get_st(&v, 0x410), VMS_CORRUPT);
	/* a head further than any compound page reaches */
	fm_small_page(&v.fm, &v.l, 0x50000, 0, 1, 0);
	fm_sp_u64(&v.fm, &v.l, 0x50000, v.l.off_compound_head, FM_VMEMMAP + 1);
	ck_assert_int_eq(get_st(&v, 0x50000), VMS_CORRUPT);
	/* a head whose PG_head is clear */
	fm_small_page(&v.fm, &v.l, 0x900, FM_ANON_MAPPING, 1, 1);
	fm_sp_u64(&v.fm, &v.l, 0x410, v.l.off_compound_head, FM_VMEMMAP + 0x900 * 64 + 1);
	ck_assert_int_eq(get_st(&v, 0x410), VMS_CORRUPT);
	/* a tail beyond the head's order */
	fm_sp_u64(&v.fm, &v.l, 0x410, v.l.off_compound_head, head + 1);
	fm_sp_u8(&v.fm, &v.l, 0x401, v.l.off_compound_order, 4);
	ck_assert_int_eq(get_st(&v, 0x410), VMS_CORRUPT);
	ck_assert_int_eq(get_st(&v, 0x40f), VMS_OK);
	/* order 0 or absurd */
	fm_sp_u8(&v.fm, &v.l, 0x401, v.l.off_compound_order, 0);
	ck_assert_int_eq(get_st(&v, 0x400), VMS_CORRUPT);
	fm_sp_u8(&v.fm, &v.l, 0x401, v.l.off_compound_order, 19);
	ck_assert_int_eq(get_st(&v, 0x400), VMS_CORRUPT);
	fm_sp_u8(&v.fm, &v.l, 0x401, v.l.off_compound_order, 9);
	ck_assert_int_eq(get_st(&v, 0x400), VMS_OK);
	/* the first tail's struct page is in another vmemmap page, excluded
	 * (a head at pfn 63: the last struct page of vmemmap page 0) */
	fm_compound_page(&v.fm, &v.l, 63, 1, FM_ANON_MAPPING, 1, 0, 2);
	ck_assert_int_eq(get_st(&v, 63), VMS_OK);
	fm_set_status(&v.fm, fm_kvirt_pfn(&v.fm, FM_VMEMMAP + 64 * 64), VMS_EXCLUDED);
	ck_assert_int_eq(get_st(&v, 63), VMS_EXCLUDED);
	env_fini(&v);
}
END_TEST

/* ---- VMS_MAPCOUNT_FOLIO (6.12) -------------------------------------------- */

START_TEST(test_folio_mapcounts)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_FOLIO, 16);
	/* mTHP of order 4, PTE-mapped: entire 0, each page its own */
	fm_compound_page(&v.fm, &v.l, 0x1000, 4, FM_ANON_MAPPING, 1, 0, 2);
	struct vms_pageinfo pi = get_ok(&v, 0x1003);
	ck_assert(pi.compound);
	ck_assert_uint_eq(pi.order, 4);
	ck_assert_uint_eq(pi.head_pfn, 0x1000);
	ck_assert_int_eq(pi.mapcount, 1);
	/* PMD-mapped folio, plus one page PTE-mapped elsewhere */
	fm_compound_page(&v.fm, &v.l, 0x1200, 9, FM_ANON_MAPPING, 0, 1, 3);
	fm_sp_s32(&v.fm, &v.l, 0x1205, v.l.off_mapcount, 0);
	ck_assert_int_eq(get_ok(&v, 0x1204).mapcount, 1);
	ck_assert_int_eq(get_ok(&v, 0x1205).mapcount, 2);
	/* file folios add the entire mapcount too (no special case in 6.12) */
	fm_compound_page(&v.fm, &v.l, 0x1400, 9, FM_FILE_MAPPING, 1, 1, 3);
	ck_assert_int_eq(get_ok(&v, 0x1400 + 9).mapcount, 2);
	/* order comes from _flags_1's low byte */
	fm_sp_u64(&v.fm, &v.l, 0x1401, v.l.off_flags, 0xff00 | 9);
	ck_assert_uint_eq(get_ok(&v, 0x1400).order, 9);
	env_fini(&v);
}
END_TEST

START_TEST(test_folio_page_type)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_FOLIO, 16);
	/* a page type (PGTY_table 0xf2) in _mapcount counts as 0 */
	fm_small_page(&v.fm, &v.l, 0x2000, 0, 1, 1);
	fm_sp_s32(&v.fm, &v.l, 0x2000, v.l.off_mapcount, (int32_t)0xf2000000);
	ck_assert_int_eq(get_ok(&v, 0x2000).mapcount, 0);
	/* the boundary: 0xff000000 is PGTY_mapcount_underflow, a count */
	fm_sp_s32(&v.fm, &v.l, 0x2000, v.l.off_mapcount, (int32_t)0xfeffffff);
	ck_assert_int_eq(get_ok(&v, 0x2000).mapcount, 0);
	fm_sp_s32(&v.fm, &v.l, 0x2000, v.l.off_mapcount, (int32_t)0xff000000);
	ck_assert_int_eq(get_st(&v, 0x2000), VMS_CORRUPT);	/* a huge negative count */
	/* hugetlb: PGTY_hugetlb in the head's page_type */
	fm_compound_page(&v.fm, &v.l, 0x2200, 9, FM_FILE_MAPPING, 0, 2, 2);
	fm_sp_s32(&v.fm, &v.l, 0x2200, v.l.off_mapcount, (int32_t)0xf4000000);
	struct vms_pageinfo pi = get_ok(&v, 0x2200);
	ck_assert(pi.hugetlb);
	ck_assert_int_eq(pi.mapcount, 2);
	env_fini(&v);
}
END_TEST

START_TEST(test_folio_corrupt)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_FOLIO, 16);
	fm_compound_page(&v.fm, &v.l, 0x1000, 2, FM_ANON_MAPPING, 1, 0, 2);
	fm_sp_u64(&v.fm, &v.l, 0x1001, v.l.off_flags, 0);	/* order 0 */
	ck_assert_int_eq(get_st(&v, 0x1002), VMS_CORRUPT);
	fm_sp_u64(&v.fm, &v.l, 0x1001, v.l.off_flags, 1);	/* page 2 beyond order 1 */
	ck_assert_int_eq(get_st(&v, 0x1002), VMS_CORRUPT);
	ck_assert_int_eq(get_st(&v, 0x1001), VMS_OK);
	env_fini(&v);
}
END_TEST

/* ---- kcache ---------------------------------------------------------------- */

#define KV(i) (FM_SWAPMAP + (uint64_t)(i) * VMS_PAGE_SIZE)

/* Pages whose first word says which page they are. */
static void ident_pages(struct env *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t w = 0xabc00000ULL + i;
		fm_kwrite(&v->fm, KV(i), &w, sizeof(w));
		fm_kwrite(&v->fm, KV(i) + VMS_PAGE_SIZE - 8, &w, sizeof(w));
	}
}

static unsigned kreads(struct env *v, unsigned i)
{
	return fm_reads(&v->fm, fm_kvirt_pfn(&v->fm, KV(i)));
}

static uint64_t kget(struct env *v, unsigned i)
{
	uint64_t w = 0;
	ck_assert_int_eq(vms_kcache_read(&v->kc, KV(i), &w, sizeof(w)), VMS_OK);
	ck_assert_uint_eq(w, 0xabc00000ULL + i);
	return w;
}

START_TEST(test_kcache_hits)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND, 4);
	ident_pages(&v, 4);
	for (int r = 0; r < 3; r++)
		for (unsigned i = 0; i < 4; i++)
			kget(&v, i);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_uint_eq(kreads(&v, i), 1);
	ck_assert_uint_eq(v.cnt.kernel_reads, 4);
	/* zero length reads nothing */
	ck_assert_int_eq(vms_kcache_read(&v.kc, KV(9), NULL, 0), VMS_OK);
	ck_assert_uint_eq(v.fm.kvirt_reads, 4);
	env_fini(&v);
}
END_TEST

START_TEST(test_kcache_clock)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND, 2);
	ident_pages(&v, 4);
	kget(&v, 0);
	kget(&v, 1);
	kget(&v, 2);		/* both used: the hand clears both and takes 0 */
	ck_assert_uint_eq(kreads(&v, 0), 1);
	kget(&v, 2);		/* 2 gets its second chance, 1 has none */
	kget(&v, 3);		/* evicts 1 */
	kget(&v, 2);
	ck_assert_uint_eq(kreads(&v, 2), 1);
	kget(&v, 1);
	ck_assert_uint_eq(kreads(&v, 1), 2);
	kget(&v, 0);
	ck_assert_uint_eq(kreads(&v, 0), 2);
	env_fini(&v);
}
END_TEST

START_TEST(test_kcache_capacity_one)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND, 0);	/* 0 means 1 */
	ident_pages(&v, 2);
	kget(&v, 0);
	kget(&v, 0);
	kget(&v, 1);
	kget(&v, 0);
	ck_assert_uint_eq(kreads(&v, 0), 2);
	ck_assert_uint_eq(kreads(&v, 1), 1);
	env_fini(&v);
}
END_TEST

START_TEST(test_kcache_stress)
{
	/* many pages through a small cache: hash chains stay right under eviction */
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND, 7);
	ident_pages(&v, 300);
	uint64_t x = 12345;
	for (int r = 0; r < 20000; r++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		/* mostly a small working set, sometimes anything */
		unsigned i = (x >> 33) % 8 == 0 ? (unsigned)((x >> 40) % 300) : (unsigned)((x >> 40) % 6);
		kget(&v, i);
	}
	/* the working set of 6 fits: it was not read much more than once */
	for (unsigned i = 0; i < 6; i++)
		ck_assert_uint_lt(kreads(&v, i), 2500);
	env_fini(&v);
}
END_TEST

/* The memmap cache counts vmemmap pages read again in one command. */
START_TEST(test_memmap_rereads)
{
	struct env v;
	struct vms_pageinfo pi;
	env_init(&v, VMS_MAPCOUNT_COMPOUND, 2);	/* two groups of 64 struct pages */
	for (uint64_t pfn = 0; pfn <= 128; pfn += 64)
		fm_small_page(&v.fm, &v.l, pfn, FM_ANON_MAPPING, 1, 1);
	ck_assert_int_eq(vms_page_get(&v.mm, 0, &pi), VMS_OK);
	ck_assert_int_eq(vms_page_get(&v.mm, 64, &pi), VMS_OK);
	ck_assert_int_eq(vms_page_get(&v.mm, 1, &pi), VMS_OK);	/* same group: no read */
	ck_assert_uint_eq(v.cnt.memmap_reads, 2);
	ck_assert_int_eq(vms_page_get(&v.mm, 128, &pi), VMS_OK);	/* evicts group 0 */
	ck_assert_int_eq(vms_page_get(&v.mm, 0, &pi), VMS_OK);	/* read again */
	ck_assert_uint_eq(v.cnt.memmap_reads, 4);
	ck_assert_uint_eq(v.cnt.memmap_rereads, 1);
	env_fini(&v);

	/* room for all three groups: each vmemmap page read once */
	env_init(&v, VMS_MAPCOUNT_COMPOUND, 4);
	for (uint64_t pfn = 0; pfn <= 128; pfn += 64)
		fm_small_page(&v.fm, &v.l, pfn, FM_ANON_MAPPING, 1, 1);
	for (int round = 0; round < 2; round++)
		for (uint64_t pfn = 0; pfn <= 128; pfn += 64)
			ck_assert_int_eq(vms_page_get(&v.mm, pfn, &pi), VMS_OK);
	ck_assert_uint_eq(v.cnt.memmap_reads, 3);
	ck_assert_uint_eq(v.cnt.memmap_rereads, 0);
	env_fini(&v);
}
END_TEST

/* As env_init, with the back end offering multi-page reads (an ELF dump). */
static void env_init_runs(struct env *v, unsigned cap)
{
	env_init(v, VMS_MAPCOUNT_COMPOUND, cap);
	fm_enable_runs(&v->fm);
	vms_memmap_destroy(&v->mm);	/* again, now that runs are offered */
	ck_assert_int_eq(vms_memmap_init(&v->mm, &v->fm.mem, &v->cnt, &v->l, cap), VMS_OK);
	ck_assert(v->mm.prefetch);
}

/* Prefetch: consecutive uncached groups in one read each, nothing twice,
 * nothing not asked for, and the same records as page-by-page reads. */
START_TEST(test_memmap_prefetch)
{
	struct env v, w;
	struct vms_pageinfo pi, pj;
	env_init_runs(&v, 64);
	env_init(&w, VMS_MAPCOUNT_COMPOUND, 64);
	ck_assert(!w.mm.prefetch);
	for (uint64_t pfn = 0; pfn < 64 * 48; pfn += 7) {
		fm_small_page(&v.fm, &v.l, pfn, FM_ANON_MAPPING, (int)(pfn % 3), (int)(pfn % 5));
		fm_small_page(&w.fm, &w.l, pfn, FM_ANON_MAPPING, (int)(pfn % 3), (int)(pfn % 5));
		if (pfn % 2) {
			fm_sp_flag(&v.fm, &v.l, pfn, v.l.pg_dirty);
			fm_sp_flag(&w.fm, &w.l, pfn, w.l.pg_dirty);
		}
	}
	ck_assert_int_eq(vms_page_get(&v.mm, 64 * 4, &pi), VMS_OK);	/* group 4 cached */
	uint64_t groups[] = { 5, 3, 4, 4, 10, 11, 12, 20, 3 };
	vms_memmap_prefetch(&v.mm, groups, 9);
	/* runs 3 (4 was cached) and 5; 10-12 in one read; 20 alone is left */
	ck_assert_uint_eq(v.fm.kvirt_run_calls, 1);
	ck_assert_uint_eq(v.cnt.memmap_reads, 1 + 3);
	fm_reset_reads(&v.fm);
	for (uint64_t g = 3; g <= 12; g++)
		if (g < 6 || g >= 10)
			ck_assert_uint_eq(fm_reads(&v.fm, fm_kvirt_pfn(&v.fm, FM_VMEMMAP + g * 4096)), 0);
	/* every record as a page-by-page read makes it */
	for (uint64_t pfn = 0; pfn < 64 * 48; pfn++) {
		int a = vms_page_get(&v.mm, pfn, &pi), b = vms_page_get(&w.mm, pfn, &pj);
		ck_assert_int_eq(a, b);
		ck_assert_msg(!memcmp(&pi, &pj, sizeof(pi)), "pfn %llu", (unsigned long long)pfn);
	}
	/* 48 groups, each read once (3 and 5 were single runs: not prefetched) */
	ck_assert_uint_eq(v.cnt.memmap_reads, 48);
	ck_assert_uint_eq(v.cnt.memmap_rereads, 0);
	env_fini(&v);
	env_fini(&w);
}
END_TEST

/* Runs stop at VMS_MEMMAP_RUN pages, and a run the back end refuses is read
 * page by page when looked up, with each page's own status. */
START_TEST(test_memmap_prefetch_runs)
{
	struct env v;
	struct vms_pageinfo pi;
	uint64_t groups[40];
	env_init_runs(&v, 128);
	for (uint64_t g = 0; g < 40; g++) {
		fm_small_page(&v.fm, &v.l, g * 64, FM_FILE_MAPPING, 1, 1);
		groups[g] = 39 - g;
	}
	fm_set_status(&v.fm, fm_kvirt_pfn(&v.fm, FM_VMEMMAP + 36 * 4096), VMS_EXCLUDED);
	vms_memmap_prefetch(&v.mm, groups, 40);
	/* 0-15 and 16-31 read; 32-39 refused for page 36 */
	ck_assert_uint_eq(v.fm.kvirt_run_calls, 3);
	ck_assert_uint_eq(v.fm.kvirt_run_refused, 1);
	ck_assert_uint_eq(v.cnt.memmap_reads, 32);
	for (uint64_t g = 0; g < 40; g++)
		ck_assert_int_eq(vms_page_get(&v.mm, g * 64, &pi), g == 36 ? VMS_EXCLUDED : VMS_OK);
	ck_assert_uint_eq(v.cnt.memmap_reads, 40);
	ck_assert_uint_eq(v.cnt.memmap_rereads, 0);
	/* a tiny cache prefetches at most half of itself */
	env_fini(&v);
	env_init_runs(&v, 4);
	for (uint64_t g = 0; g < 40; g++) {
		fm_small_page(&v.fm, &v.l, g * 64, FM_FILE_MAPPING, 1, 1);
		groups[g] = g;
	}
	vms_memmap_prefetch(&v.mm, groups, 40);
	ck_assert_uint_eq(v.cnt.memmap_reads, 2);
	env_fini(&v);
}
END_TEST

START_TEST(test_kcache_cross_page)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND, 1);
	ident_pages(&v, 3);
	/* 16 bytes: the last 8 of page 0 and the first 8 of page 1 */
	uint64_t w[2];
	ck_assert_int_eq(vms_kcache_read(&v.kc, KV(1) - 8, w, sizeof(w)), VMS_OK);
	ck_assert_uint_eq(w[0], 0xabc00000ULL);
	ck_assert_uint_eq(w[1], 0xabc00001ULL);
	/* a whole page and more, unaligned */
	unsigned char big[VMS_PAGE_SIZE + 16];
	ck_assert_int_eq(vms_kcache_read(&v.kc, KV(0) + VMS_PAGE_SIZE - 8, big, sizeof(big)),
			 VMS_OK);
	memcpy(w, big, 8);
	ck_assert_uint_eq(w[0], 0xabc00000ULL);
	memcpy(w, big + 8, 8);
	ck_assert_uint_eq(w[0], 0xabc00001ULL);
	memcpy(w, big + VMS_PAGE_SIZE, 8);
	ck_assert_uint_eq(w[0], 0xabc00001ULL);
	memcpy(w, big + VMS_PAGE_SIZE + 8, 8);
	ck_assert_uint_eq(w[0], 0xabc00002ULL);
	/* crossing into an unreadable page fails with its status */
	fm_set_status(&v.fm, fm_kvirt_pfn(&v.fm, KV(2)), VMS_EXCLUDED);
	ck_assert_int_eq(vms_kcache_read(&v.kc, KV(2) - 4, w, 8), VMS_EXCLUDED);
	/* a struct page straddling two vmemmap pages (sizeof 72 does not divide 4096) */
	struct vms_page_layout l = v.l;
	l.size = 72;
	uint64_t pfn = 227;	/* 227 * 72 = 3 * 4096 + 4056: _mapcount is in the next page */
	fm_small_page(&v.fm, &l, pfn, FM_ANON_MAPPING, 2, 2);
	struct vms_pageinfo pi;
	struct vms_memmap mm72;
	ck_assert_int_eq(vms_memmap_init(&mm72, &v.fm.mem, &v.cnt, &l, 4), VMS_OK);
	ck_assert_int_eq(vms_page_get(&mm72, pfn, &pi), VMS_OK);
	vms_memmap_destroy(&mm72);
	ck_assert(pi.anon);
	ck_assert_int_eq(pi.mapcount, 2);
	ck_assert_int_eq(pi.refcount, 2);
	env_fini(&v);
}
END_TEST

START_TEST(test_kcache_failed_read_cached)
{
	struct env v;
	env_init(&v, VMS_MAPCOUNT_COMPOUND, 4);
	uint64_t w;
	/* never mapped: a read error, read once */
	ck_assert_int_eq(vms_kcache_read(&v.kc, KV(40), &w, 8), VMS_READ_ERROR);
	ck_assert_int_eq(vms_kcache_read(&v.kc, KV(40) + 8, &w, 8), VMS_READ_ERROR);
	ck_assert_uint_eq(v.fm.kvirt_reads, 1);
	env_fini(&v);
}
END_TEST

Suite *page_suite(void);
Suite *page_suite(void)
{
	Suite *s = suite_create("page");
	TCase *tc = tcase_create("Limits");
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_small_compound_model);
	tcase_add_test(tc, test_small_folio_model);
	suite_add_tcase(s, tc);

	tc = tcase_create("Compound mapcount (5.10, 6.1)");
	tcase_add_test(tc, test_compound_anon_thp);
	tcase_add_test(tc, test_compound_double_map);
	tcase_add_test(tc, test_compound_file_thp);
	tcase_add_test(tc, test_compound_hugetlb);
	tcase_add_test(tc, test_young_on_subpage);
	tcase_add_test(tc, test_corrupt_compound_head);
	suite_add_tcase(s, tc);

	tc = tcase_create("Folio mapcount (6.12)");
	tcase_add_test(tc, test_folio_mapcounts);
	tcase_add_test(tc, test_folio_page_type);
	tcase_add_test(tc, test_folio_corrupt);
	suite_add_tcase(s, tc);

	tc = tcase_create("Kernel page cache");
	tcase_add_test(tc, test_kcache_hits);
	tcase_add_test(tc, test_kcache_clock);
	tcase_add_test(tc, test_kcache_capacity_one);
	tcase_add_test(tc, test_kcache_stress);
	tcase_add_test(tc, test_memmap_rereads);
	tcase_add_test(tc, test_memmap_prefetch);
	tcase_add_test(tc, test_memmap_prefetch_runs);
	tcase_add_test(tc, test_kcache_cross_page);
	tcase_add_test(tc, test_kcache_failed_read_cached);
	suite_add_tcase(s, tc);
	return s;
}
