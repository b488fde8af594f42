/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * page.h: struct page, read from the dump as smaps needs it.
 *
 * Struct pages (the vmemmap) and other kernel pages (swap_map) are read
 * through a small cache that lives for one command: a vmemmap page holds 64
 * struct pages, and a command visits them in table order, so each is read
 * once while it is in use and shared libraries' pages are read once for all
 * tasks of "smaps -a".  Its size is fixed, so memory does not grow with the
 * pages a task maps.
 */
#ifndef VMS_PAGE_H
#define VMS_PAGE_H

#include "vms.h"

/* A cache of kernel-virtual 4 KiB pages, read through vms_mem.read_kvirt. */
struct vms_kcache_slot {
	uint64_t vaddr;		/* page-aligned; ~0: empty */
	int status;
	bool used;		/* CLOCK's second chance */
	unsigned char *data;
};

struct vms_kcache {
	const struct vms_mem *mem;
	struct vms_counters *counters;
	unsigned nslots, cap, hand;
	struct vms_kcache_slot *slots;
	unsigned *hash;		/* open addressing: slot index + 1; 0 empty */
	unsigned hash_size;
	/* Which vmemmap pages were read before, to count rereads: one bit per page. */
	uint64_t seen_base, seen_pages;
	uint64_t *seen;
};

/* cap: the most pages held (memory: cap * 4 KiB). */
int vms_kcache_init(struct vms_kcache *kc, const struct vms_mem *mem,
		    struct vms_counters *counters, unsigned cap);
void vms_kcache_destroy(struct vms_kcache *kc);
/* Count rereads of kernel pages in [base, base + pages * 4 KiB). */
int vms_kcache_track(struct vms_kcache *kc, uint64_t base, uint64_t pages);
/* Copy len bytes at kernel address vaddr (may cross pages). */
int vms_kcache_read(struct vms_kcache *kc, uint64_t vaddr, void *buf, size_t len);

enum vms_mapcount_model {
	VMS_MAPCOUNT_COMPOUND,	/* 5.10-6.1: page_mapcount() with compound_mapcount, DoubleMap */
	VMS_MAPCOUNT_FOLIO,	/* 6.12: folio_precise_page_mapcount(), _entire_mapcount */
};

/* Where things are in struct page, from DWARF (-1: absent in this kernel). */
struct vms_page_layout {
	uint64_t vmemmap;		/* address of pfn 0's struct page */
	uint64_t max_pfn;		/* the highest pfn with a struct page */
	unsigned size;			/* sizeof(struct page) */
	int off_flags, off_mapping, off_compound_head, off_mapcount, off_refcount;
	/* In the first tail page (page[1]): */
	int off_compound_order;		/* u8 compound_order (5.10, 6.1) */
	int off_compound_dtor;		/* u8 compound_dtor (5.10, 6.1) */
	int off_compound_mapcount;	/* atomic_t compound_mapcount (5.10, 6.1) */
	int off_entire_mapcount;	/* atomic_t _entire_mapcount (6.12) */
	int hugetlb_dtor;		/* HUGETLB_PAGE_DTOR (5.10, 6.1) */
	int pg_head, pg_referenced, pg_dirty, pg_swapbacked, pg_young, pg_double_map;
	enum vms_mapcount_model model;
	bool young_on_subpage;		/* 5.10 tests PG_young on the subpage itself */
};

struct vms_pageinfo {
	uint64_t pfn, head_pfn;
	unsigned order;			/* 0 for a small page */
	bool compound;			/* part of a compound page / large folio */
	bool anon, ksm, swapbacked, dirty, referenced, young, hugetlb;
	int64_t refcount;		/* page_count(): the head's _refcount */
	int64_t mapcount;		/* this subpage's mapcount, as smaps computes it */
};

/* Decode the struct page of pfn (and its head) into pi. */
int vms_page_get(struct vms_kcache *kc, const struct vms_page_layout *l, uint64_t pfn,
		 struct vms_pageinfo *pi);

#endif
