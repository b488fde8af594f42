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
};

/* cap: the most pages held (memory: cap * 4 KiB). */
int vms_kcache_init(struct vms_kcache *kc, const struct vms_mem *mem,
		    struct vms_counters *counters, unsigned cap);
void vms_kcache_destroy(struct vms_kcache *kc);
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

/*
 * What smaps needs of one struct page, in 16 bytes instead of sizeof(struct
 * page): the memmap cache keeps these, so it covers four times the memory
 * (all of 2 GiB of RAM in 8 MiB) and a command rarely reads a vmemmap page
 * twice, however its tasks' pages interleave.
 */
struct vms_cpage {
	int32_t mapcount;		/* _mapcount as stored (or a 6.12 page_type) */
	int32_t count;			/* _refcount; in a first tail page: the compound
					 * (5.10, 6.1) or entire (6.12) mapcount, as stored */
	uint32_t head_off;		/* a tail: pfn - head pfn; else 0; VMS_CPAGE_BAD */
	uint8_t bits;			/* VMS_CP_* */
	uint8_t order;			/* a first tail page: the compound order */
	uint8_t dtor;			/* a first tail page: compound_dtor (5.10, 6.1) */
	uint8_t status;			/* enum vms_status of the read that filled it */
};

#define VMS_CPAGE_BAD 0xffffffffu
enum {
	VMS_CP_HEAD = 1, VMS_CP_REFERENCED = 2, VMS_CP_DIRTY = 4, VMS_CP_SWAPBACKED = 8,
	VMS_CP_YOUNG = 16, VMS_CP_ANON = 32, VMS_CP_KSM = 64, VMS_CP_DOUBLEMAP = 128,
};

#define VMS_MEMMAP_GROUP 64		/* pfns per cache entry: a vmemmap page of 64-byte struct pages */
#define VMS_MEMMAP_CHUNK 256		/* entries allocated at a time */

struct vms_memmap_slot {
	uint64_t group;			/* pfn / VMS_MEMMAP_GROUP; ~0: empty */
	bool used;			/* CLOCK's second chance */
	struct vms_cpage p[VMS_MEMMAP_GROUP];
};

struct vms_memmap {
	const struct vms_mem *mem;
	struct vms_counters *counters;
	const struct vms_page_layout *l;
	unsigned cap, nslots, hand;
	struct vms_memmap_slot **chunks;
	unsigned *hash, *next;		/* chained on group; slot index + 1, 0 nil */
	unsigned hash_size;
	struct vms_memmap_slot *last;	/* the last slot used: most lookups hit it */
	uint64_t *seen;			/* vmemmap pages read in this command, for rereads */
	uint64_t seen_pages;
	/* flag bit positions and presence (1, or 0 when the kernel lacks it) */
	unsigned s_head, s_referenced, s_dirty, s_swapbacked, s_young, s_double_map;
	uint64_t v_head, v_referenced, v_dirty, v_swapbacked, v_young, v_double_map;
	unsigned char *raw;		/* the vmemmap bytes of one group being decoded */
	uint64_t raw_vaddr[2];		/* the last two vmemmap pages read, kept: groups */
	int raw_status[2];		/* of struct pages that do not divide 4 KiB share them */
	unsigned char *raw_page[2];
	unsigned raw_next;
	/* vms_memmap_prefetch: whether it can (mem->read_kvirt_run, 64-byte
	 * struct pages) and the run of vmemmap pages it is decoding */
	bool prefetch;
	unsigned char *run;
	uint64_t run_vaddr;
	unsigned run_pages;
};

#define VMS_MEMMAP_RUN 16		/* vmemmap pages read at once, at most */

/* cap: the most groups held (memory: cap * ~1 KiB; 8192 cover 2 GiB of RAM). */
int vms_memmap_init(struct vms_memmap *m, const struct vms_mem *mem,
		    struct vms_counters *counters, const struct vms_page_layout *l, unsigned cap);
void vms_memmap_destroy(struct vms_memmap *m);

/* Decode the struct page of pfn (and its head) into pi. */
int vms_page_get(struct vms_memmap *m, uint64_t pfn, struct vms_pageinfo *pi);

/*
 * Read the groups (pfn / VMS_MEMMAP_GROUP) that are not cached yet, runs of
 * consecutive vmemmap pages in one read each, where mem->read_kvirt_run
 * can; the rest are left to be read one page at a time when looked up.
 * Reads nothing twice and nothing not asked for.  groups: any order,
 * repeats allowed; sorted in place.
 */
void vms_memmap_prefetch(struct vms_memmap *m, uint64_t *groups, unsigned n);

/* The slot of pfn's group, reading the group if needed (NULL if it cannot). */
struct vms_memmap_slot *vms_memmap_slot_of(struct vms_memmap *m, uint64_t pfn);

/*
 * The fast path's view: pfn's compact record if it is a small page (no
 * compound head or tail) that was read, else NULL (ask vms_page_get).
 * The pointer is good until the next call on m.  Inline: it runs per PTE.
 */
static inline const struct vms_cpage *vms_memmap_small(struct vms_memmap *m, uint64_t pfn)
{
	struct vms_memmap_slot *sl = m->last;
	if (!sl || sl->group != pfn / VMS_MEMMAP_GROUP) {
		sl = vms_memmap_slot_of(m, pfn);
		if (!sl)
			return NULL;
	}
	sl->used = true;
	const struct vms_cpage *c = &sl->p[pfn % VMS_MEMMAP_GROUP];
	return c->status || c->head_off || (c->bits & VMS_CP_HEAD) ? NULL : c;
}

#endif
