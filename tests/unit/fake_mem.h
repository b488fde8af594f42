/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fake_mem.h: a synthetic physical memory for the core's unit tests.
 *
 * A sparse map pfn -> 4 KiB page behind struct vms_mem, with helpers to
 * build x86_64 page tables entry by entry, to fail chosen pages (excluded
 * from the dump or unreadable), to count reads per page, and a "mutating"
 * mode that rewrites table entries between reads, as a live system would.
 *
 * Kernel-virtual addresses (read_kvirt) are mapped page by page onto fake
 * physical pages, so a fake vmemmap (or swap_map) can be failed and counted
 * like anything else.
 */
#ifndef FAKE_MEM_H
#define FAKE_MEM_H

#include "page.h"
#include "pte.h"

/* Where fake_mem puts things (pfns are its own; nothing else means anything). */
#define FM_TABLE_PFN0 0x1000ULL		/* page tables are allocated from here up */
#define FM_KVIRT_PFN0 0x100000ULL	/* backing of kernel-virtual pages */
#define FM_VMEMMAP 0xffffea0000000000ULL
#define FM_SWAPMAP 0xffffc90000000000ULL

/* Entry flags the tests use. */
#define FM_TABLE_FLAGS 0x67ULL		/* P RW US A D, as the kernel's _PAGE_TABLE */
#define FM_PTE_FLAGS 0x25ULL		/* P US A: a clean, read-only user page */
#define FM_PMD_FLAGS 0xa5ULL		/* P US A PSE */

struct fm_page {
	uint64_t pfn;
	int status;		/* what read_phys returns for it */
	unsigned reads;
	unsigned char *data;
};

struct fm_kmap {
	uint64_t vpage;		/* vaddr >> 12 */
	uint64_t pfn;
};

/* A scheduled change: when the read counter reaches at_read, set the entry. */
struct fm_mutation {
	uint64_t at_read;
	uint64_t pfn;
	unsigned idx;
	uint64_t val;
};

struct fake_mem {
	struct vms_mem mem;	/* ctx points back here */
	struct vms_arch arch;
	uint64_t root;		/* pfn of the top-level table */
	uint64_t total_reads, kvirt_reads;
	uint64_t next_table, next_kvirt;

	struct fm_page *pages;	/* open addressing on pfn; pfn ~0 empty */
	size_t npages, cap;
	struct fm_kmap *kmap;	/* open addressing on vpage; vpage ~0 empty */
	size_t nkmap, kcap;

	/* Table pages handed out, for the random mutator to pick from. */
	uint64_t *tables;
	size_t ntables, tcap;

	struct fm_mutation *muts;
	size_t nmuts, mcap;
	/* Random mutation: every read changes one entry of a random table with
	 * probability mutate_permille/1000 (0: off). */
	unsigned mutate_permille;
	uint64_t rng;
	/* fm_enable_runs: multi-page kernel-virtual reads, and how many */
	uint64_t kvirt_run_calls, kvirt_run_refused;
};

/* levels: 4 or 5.  The arch is x86_64 with a 6.12-like swap layout. */
void fm_init(struct fake_mem *fm, int levels);
void fm_destroy(struct fake_mem *fm);

/* The page at pfn, created zeroed (status VMS_OK) if new. */
unsigned char *fm_page(struct fake_mem *fm, uint64_t pfn);
bool fm_has(const struct fake_mem *fm, uint64_t pfn);
/* A new zeroed table page, remembered as a table. */
uint64_t fm_alloc_table(struct fake_mem *fm);
uint64_t *fm_table(struct fake_mem *fm, uint64_t pfn);

/* Make pfn fail with status (VMS_EXCLUDED, VMS_READ_ERROR) or read again (VMS_OK). */
void fm_set_status(struct fake_mem *fm, uint64_t pfn, int status);
unsigned fm_reads(const struct fake_mem *fm, uint64_t pfn);
void fm_reset_reads(struct fake_mem *fm);

/*
 * The table at level covering va (level < top), creating the tables above
 * it as needed with FM_TABLE_FLAGS; or 0 if create is false and a table on
 * the way is missing (or an entry on the way is not a table).
 */
uint64_t fm_table_at(struct fake_mem *fm, uint64_t va, int level, bool create);
/* Set / get the entry at level for va (tables above are created). */
void fm_set(struct fake_mem *fm, uint64_t va, int level, uint64_t raw);
uint64_t fm_get(struct fake_mem *fm, uint64_t va, int level);
/* A present 4 KiB PTE (flags added to pfn << 12). */
void fm_map4k(struct fake_mem *fm, uint64_t va, uint64_t pfn, uint64_t flags);

/* Kernel-virtual memory: the fake page backing vaddr's page (created). */
uint64_t fm_kvirt_pfn(struct fake_mem *fm, uint64_t vaddr);
/* Write len bytes at vaddr (may cross pages). */
void fm_kwrite(struct fake_mem *fm, uint64_t vaddr, const void *buf, size_t len);
void fm_kread(struct fake_mem *fm, uint64_t vaddr, void *buf, size_t len);

/*
 * Offer mem.read_kvirt_run, as an ELF dump does: one call for a run of
 * pages, refused (nothing read) if any of them is unmapped or fails.
 */
void fm_enable_runs(struct fake_mem *fm);

/* Mutating mode. */
void fm_mutate_at(struct fake_mem *fm, uint64_t at_read, uint64_t pfn, unsigned idx, uint64_t val);
void fm_mutate_random(struct fake_mem *fm, unsigned permille, uint64_t seed);
uint64_t fm_rand(struct fake_mem *fm);

/* ---- struct page in a fake vmemmap --------------------------------------- */

/* Layouts of 5.10 / 6.1 (compound_mapcount) and 6.12 (folio), 64-byte pages. */
void fm_layout_compound(struct vms_page_layout *l, uint64_t max_pfn);
void fm_layout_folio(struct vms_page_layout *l, uint64_t max_pfn);

/* Field setters on the struct page of pfn. */
void fm_sp_u64(struct fake_mem *fm, const struct vms_page_layout *l, uint64_t pfn, int off,
	       uint64_t v);
void fm_sp_s32(struct fake_mem *fm, const struct vms_page_layout *l, uint64_t pfn, int off,
	       int32_t v);
void fm_sp_u8(struct fake_mem *fm, const struct vms_page_layout *l, uint64_t pfn, int off,
	      uint8_t v);
void fm_sp_flag(struct fake_mem *fm, const struct vms_page_layout *l, uint64_t pfn, int bit);

#define FM_ANON_MAPPING 0xffff888012345001ULL	/* an anon_vma | PAGE_MAPPING_ANON */
#define FM_FILE_MAPPING 0xffff888023456000ULL	/* an address_space */
#define FM_KSM_MAPPING 0xffff888034567003ULL

/*
 * A small page: mapping, mapcount (as smaps counts it, so _mapcount + 1) and
 * refcount.  Flags are or-ed in by fm_sp_flag afterwards.
 */
void fm_small_page(struct fake_mem *fm, const struct vms_page_layout *l, uint64_t pfn,
		   uint64_t mapping, int mapcount, int refcount);
/*
 * A compound page / large folio of 1 << order pages at head: every tail
 * points at the head, each subpage has _mapcount = sub_mapcount - 1, and
 * entire (compound_mapcount or _entire_mapcount) = entire - 1.
 */
void fm_compound_page(struct fake_mem *fm, const struct vms_page_layout *l, uint64_t head,
		      unsigned order, uint64_t mapping, int sub_mapcount, int entire,
		      int refcount);

#endif
