// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * walker-bench.c: how fast the walker and the smaps sink go, on page tables
 * built in memory (no dump, no crash): the core's own cost, without readmem.
 *
 * Usage: bench/walker-bench [GiB]    (builds build/bench/walker-bench and runs it)
 *   or:  gcc -O2 -Iextension -o walker-bench bench/walker-bench.c \
 *          extension/{pte,walk,page,account,thp,fmt}.c && ./walker-bench [GiB]
 *
 * It maps GiB (default 4) of address space: mostly 4 KiB pages (every 16th
 * PTE empty, every 4th page shared by two), every 32nd PMD a THP and every
 * 64th PMD a hole.  It times vms_walk_range with vms_account_ops without
 * struct pages (memmap NULL) and with a fake vmemmap behind the memmap cache, and
 * prints entries per second and ns per entry, best of 5.  An entry is a PTE
 * of a visited PTE table, or a PMD that is a leaf or empty.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"

#define VA_BASE 0x7f0000000000ULL	/* 512 GiB-aligned */
#define TABLE_PFN0 0x100ULL
#define DATA_PFN0 0x100000ULL
#define VMEMMAP 0xffffea0000000000ULL
#define SP_SIZE 64

struct bench_mem {
	uint64_t *tables;	/* page tables, pfn TABLE_PFN0 + i */
	uint64_t ntables, cap;
	unsigned char *memmap;	/* struct pages of pfns DATA_PFN0 .. */
	uint64_t memmap_pfns;
};

static int read_phys(void *ctx, uint64_t paddr, void *buf)
{
	struct bench_mem *m = ctx;
	uint64_t i = (paddr >> 12) - TABLE_PFN0;
	if ((paddr >> 12) < TABLE_PFN0 || i >= m->ntables)
		return VMS_READ_ERROR;
	memcpy(buf, m->tables + i * VMS_PTRS, VMS_PAGE_SIZE);
	return VMS_OK;
}

static int read_kvirt(void *ctx, uint64_t vaddr, void *buf)
{
	struct bench_mem *m = ctx;
	uint64_t first = VMEMMAP + DATA_PFN0 * SP_SIZE;
	if (vaddr < first || vaddr + VMS_PAGE_SIZE > first + m->memmap_pfns * SP_SIZE)
		return VMS_READ_ERROR;
	memcpy(buf, m->memmap + (vaddr - first), VMS_PAGE_SIZE);
	return VMS_OK;
}

static uint64_t alloc_table(struct bench_mem *m)
{
	if (m->ntables == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 1024;
		m->tables = realloc(m->tables, m->cap * VMS_PAGE_SIZE);
		if (!m->tables) {
			perror("walker-bench");
			exit(1);
		}
	}
	memset(m->tables + m->ntables * VMS_PTRS, 0, VMS_PAGE_SIZE);
	return TABLE_PFN0 + m->ntables++;
}

static uint64_t *table(struct bench_mem *m, uint64_t pfn)
{
	return m->tables + (pfn - TABLE_PFN0) * VMS_PTRS;
}

static void put_u64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }
static void put_s32(unsigned char *p, int32_t v) { memcpy(p, &v, 4); }

static unsigned char *sp(struct bench_mem *m, uint64_t pfn)
{
	return m->memmap + (pfn - DATA_PFN0) * SP_SIZE;
}

/* struct page of 5.10/6.1 (see tests/unit/fake_mem.c for the offsets) */
static void small_page(struct bench_mem *m, uint64_t pfn, int mapcount)
{
	unsigned char *p = sp(m, pfn);
	put_u64(p + 8, 0xffff888000100100ULL);
	put_u64(p + 24, 0xffff888012345001ULL);	/* anon */
	put_s32(p + 48, mapcount - 1);
	put_s32(p + 52, mapcount);
	put_u64(p, 1ULL << 19);			/* PG_swapbacked */
}

static void thp(struct bench_mem *m, uint64_t head)
{
	small_page(m, head, 1);
	put_u64(sp(m, head), (1ULL << 16) | (1ULL << 19));	/* PG_head */
	put_s32(sp(m, head) + 52, 2);				/* refcount 2: per subpage */
	for (uint64_t i = 1; i < 512; i++) {
		put_u64(sp(m, head + i) + 8, VMEMMAP + head * SP_SIZE + 1);
		put_s32(sp(m, head + i) + 48, -1);
	}
	sp(m, head + 1)[17] = 9;		/* compound_order */
	put_s32(sp(m, head + 1) + 20, 0);	/* compound_mapcount: once */
}

struct layout_stats {
	uint64_t entries, ptes, thps, holes;
};

static uint64_t build(struct bench_mem *m, uint64_t bytes, struct layout_stats *ls)
{
	uint64_t root = alloc_table(m);
	uint64_t pud = alloc_table(m);
	uint64_t pmd = 0, pfn = DATA_PFN0;
	uint64_t npmds = bytes / VMS_PMD_SIZE;

	/* every PMD's worth of pfns, plus what aligning each THP may skip */
	m->memmap_pfns = (npmds + npmds / 32 + 2) * 512;
	m->memmap = calloc(m->memmap_pfns, SP_SIZE);
	if (!m->memmap) {
		perror("walker-bench");
		exit(1);
	}
	table(m, root)[(VA_BASE >> 39) & 511] = (pud << 12) | 0x67;
	for (uint64_t i = 0; i < npmds; i++) {
		uint64_t va = VA_BASE + i * VMS_PMD_SIZE;
		if ((i & 511) == 0) {
			pmd = alloc_table(m);
			table(m, pud)[(va >> 30) & 511] = (pmd << 12) | 0x67;
		}
		uint64_t *e = &table(m, pmd)[(va >> 21) & 511];
		if (i % 64 == 63) {
			ls->holes++;
			ls->entries++;
			continue;
		}
		if (i % 32 == 5) {
			pfn = (pfn + 511) & ~511ULL;
			*e = (pfn << 12) | 0xe7;	/* P RW US A D PSE */
			thp(m, pfn);
			pfn += 512;
			ls->thps++;
			ls->entries++;
			continue;
		}
		uint64_t pte = alloc_table(m);
		/* alloc_table may move the tables: find the entry again */
		table(m, pmd)[(va >> 21) & 511] = (pte << 12) | 0x67;
		for (unsigned j = 0; j < VMS_PTRS; j++) {
			ls->entries++;
			if (j % 16 == 15)
				continue;
			table(m, pte)[j] = (pfn << 12) | 0x8000000000000067ULL;
			small_page(m, pfn, j % 4 == 0 ? 2 : 1);
			pfn++;
			ls->ptes++;
		}
	}
	return root;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double run(const char *what, struct bench_mem *bm, const struct vms_mem *mem,
		  const struct vms_arch *arch, uint64_t root, uint64_t bytes,
		  const struct layout_stats *ls, bool with_pages)
{
	struct vms_page_layout l = {
		.vmemmap = VMEMMAP, .max_pfn = DATA_PFN0 + bm->memmap_pfns - 1, .size = SP_SIZE,
		.off_flags = 0, .off_compound_head = 8, .off_mapping = 24, .off_mapcount = 48,
		.off_refcount = 52, .off_compound_dtor = 16, .off_compound_order = 17,
		.off_compound_mapcount = 20, .off_entire_mapcount = -1, .hugetlb_dtor = 2,
		.pg_referenced = 1, .pg_dirty = 3, .pg_double_map = 6, .pg_head = 16,
		.pg_swapbacked = 19, .pg_young = 24, .model = VMS_MAPCOUNT_COMPOUND,
	};
	struct vms_model model = { .zero_pfn = 1, .huge_zero_pfn = ~0ULL,
				   .highest_memmap_pfn = l.max_pfn };
	double best = 1e30;
	struct vms_stats st;
	struct vms_counters cnt;

	for (int rep = 0; rep < 5; rep++) {
		struct vms_memmap mm;
		struct vms_walker wk;
		memset(&cnt, 0, sizeof(cnt));
		if (vms_memmap_init(&mm, mem, &cnt, &l, 8192)) {
			fprintf(stderr, "walker-bench: out of memory\n");
			exit(1);
		}
		struct vms_acct acct = { .model = &model, .layout = &l,
					 .memmap = with_pages ? &mm : NULL, .mem = mem,
					 .counters = &cnt };
		struct vms_vma_acct vma = { .start = VA_BASE, .end = VA_BASE + bytes };
		unsigned char buf[VMS_PAGE_SIZE];
		struct vms_sink sink = { &acct, &vma, &st, buf };
		memset(&st, 0, sizeof(st));
		vms_walker_init(&wk, arch, mem, &cnt);
		double t0 = now();
		int ret = vms_walk_range(&wk, root << 12, VA_BASE, VA_BASE + bytes, &vms_account_ops,
					 &sink);
		double t = now() - t0;
		vms_memmap_destroy(&mm);
		if (ret) {
			fprintf(stderr, "walker-bench: walk failed: %d\n", ret);
			exit(1);
		}
		if (t < best)
			best = t;
	}
	printf("%-22s %8.3f ms  %7.1f M entries/s  %6.2f ns/entry  (Rss %llu kB, "
	       "%llu table + %llu memmap reads, %u errors)\n",
	       what, best * 1e3, ls->entries / best / 1e6, best * 1e9 / ls->entries,
	       (unsigned long long)(st.resident >> 10), (unsigned long long)cnt.table_reads,
	       (unsigned long long)cnt.memmap_reads, st.nerrors);
	return best;
}

int main(int argc, char **argv)
{
	uint64_t gib = argc > 1 ? strtoull(argv[1], NULL, 0) : 4;
	if (gib == 0 || gib > 256) {
		fprintf(stderr, "usage: %s [GiB, 1-256]\n", argv[0]);
		return 2;
	}
	uint64_t bytes = gib << 30;
	struct bench_mem bm = { 0 };
	struct layout_stats ls = { 0 };
	uint64_t root = build(&bm, bytes, &ls);
	struct vms_mem mem = { .ctx = &bm, .read_phys = read_phys, .read_kvirt = read_kvirt };
	struct vms_arch arch = { .levels = 4, .phys_mask = (1ULL << 52) - 1,
				 .max_pfn = DATA_PFN0 + bm.memmap_pfns, .devmap_bit = 1ULL << 58 };
	vms_arch_swap_types(&arch, 27, 2, false, false);

	printf("walker-bench: %llu GiB, %llu entries: %llu PTEs, %llu THP PMDs, %llu empty PMDs, "
	       "%llu table pages\n",
	       (unsigned long long)gib, (unsigned long long)ls.entries,
	       (unsigned long long)ls.ptes, (unsigned long long)ls.thps,
	       (unsigned long long)ls.holes, (unsigned long long)bm.ntables);
	run("tables only", &bm, &mem, &arch, root, bytes, &ls, false);
	run("with struct pages", &bm, &mem, &arch, root, bytes, &ls, true);
	free(bm.tables);
	free(bm.memmap);
	return 0;
}
