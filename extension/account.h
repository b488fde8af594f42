/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * account.h: per-VMA accounting, the sink of the walk.
 *
 * struct vms_stats mirrors the kernel's struct mem_size_stats
 * (fs/proc/task_mmu.c), plus what vmscope adds: zero pages, untouched and
 * excluded ranges, content and THP layout.  Counters are bytes; Pss-like
 * counters are bytes << VMS_PSS_SHIFT, as the kernel keeps them, so that
 * rounding matches to the kilobyte.  Printing (fmt) turns them into kB.
 */
#ifndef VMS_ACCOUNT_H
#define VMS_ACCOUNT_H

#include "page.h"
#include "walk.h"

#define VMS_PSS_SHIFT 12

struct vms_stats {
	/* smaps */
	uint64_t resident, shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t referenced, anonymous, ksm, lazyfree;
	uint64_t anonymous_thp, shmem_thp, file_thp;
	uint64_t swap, shared_hugetlb, private_hugetlb;
	uint64_t pss, pss_anon, pss_file, pss_shmem, pss_dirty, pss_locked, swap_pss;
	/* vmscope */
	uint64_t zero_page;	/* mapped to the shared 4 KiB zero page */
	uint64_t huge_zero_page; /* mapped through the huge zero page */
	uint64_t untouched;	/* no entry at all */
	uint64_t excluded;	/* page struct or content not in the dump */
	uint64_t unreadable;	/* page tables or struct pages that could not be read */
	uint64_t populated;	/* present pages that have a struct page */
	uint64_t special;	/* present, no struct page (PFNMAP, devmap ...) */
	uint64_t nonswap;	/* migration, device, hwpoison and marker entries */
	uint64_t zero_content;	/* populated, every byte zero (content scan) */
	uint64_t scanned;	/* populated and read by the content scan */
	uint64_t pmd_thp;	/* PMD leaves of THPs (not the huge zero page) */
	uint64_t pte_thp;	/* pages of compound pages mapped by PTEs */
	uint64_t unaligned_thp;	/* of those, virtual and physical low 21 bits differ */
	unsigned nerrors;
	struct vms_error err;	/* the first error */
};

/* Which kernel's smaps rules to follow; filled by the glue. */
struct vms_model {
	uint64_t zero_pfn;
	uint64_t huge_zero_pfn;		/* ~0: not allocated */
	uint64_t highest_memmap_pfn;
	bool nonpresent_shared;		/* 6.12: non-present entries count as shared */
	bool pmd_protnone_skipped;	/* 6.1: follow_trans_huge_pmd() skips NUMA-hint THPs */
	bool hwpoison_has_page;		/* 6.1+: hwpoison entries are accounted by their page */
};

/* A swap device as smaps needs it (swp_swapcount()). */
struct vms_swapdev {
	bool used;		/* SWP_USED */
	uint64_t swap_map;	/* kernel address of the byte-per-slot count map */
	uint64_t max;		/* slots */
};

/* What the sink knows of the VMA it is accounting. */
struct vms_vma_acct {
	uint64_t start, end, flags;
	bool locked;		/* VM_LOCKED */
	bool pfnmap;		/* VM_PFNMAP or VM_MIXEDMAP */
	bool find_special_page;	/* vm_ops->find_special_page (Xen grants) */
	bool hugetlb;
	uint64_t hugetlb_size;
};

/* What one accounting pass reads and how; lives for one command. */
struct vms_acct {
	const struct vms_model *model;
	const struct vms_page_layout *layout;
	struct vms_memmap *memmap;	/* struct pages; NULL: read none */
	struct vms_kcache *kcache;	/* other kernel pages (swap_map); NULL: none */
	const struct vms_swapdev *swap;	/* indexed by type; NULL: no swap counts */
	unsigned nswap;
	const struct vms_mem *mem;	/* for the content scan */
	struct vms_counters *counters;
	bool scan_content;		/* zerofill -c */
};

/* The sink: accounts one VMA into stats. */
struct vms_sink {
	const struct vms_acct *acct;
	const struct vms_vma_acct *vma;
	struct vms_stats *stats;
	unsigned char *page_buf;	/* content scan buffer (4 KiB) */
};

extern const struct vms_walk_ops vms_account_ops;

/* Record an error against a VMA's stats (the first one is kept). */
void vms_stats_error(struct vms_stats *s, int status, int level, uint64_t addr, uint64_t where,
		     const char *what);

/* Add one VMA's stats into a rollup (raw counters, as smaps_rollup). */
void vms_stats_add(struct vms_stats *to, const struct vms_stats *from);

/* 2 MiB-aligned 2 MiB windows wholly inside [start, end). */
uint64_t vms_aligned_windows(uint64_t start, uint64_t end);

#endif
