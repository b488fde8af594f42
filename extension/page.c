// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * page.c: the kernel-page cache and struct page decoding.
 *
 * The mapcount rules are those of fs/proc/task_mmu.c:smaps_account():
 * 5.10 and 6.1 call page_mapcount() (mm/util.c:__page_mapcount), 6.12 calls
 * folio_precise_page_mapcount() (fs/proc/internal.h).
 */
#include <stdlib.h>
#include <string.h>

#include "page.h"

#define EMPTY (~0ULL)
#define NIL 0u

static unsigned hash_of(const struct vms_kcache *kc, uint64_t vaddr)
{
	return (unsigned)(((vaddr >> VMS_PAGE_SHIFT) * 0x9e3779b97f4a7c15ULL) >> 40) %
	       kc->hash_size;
}

int vms_kcache_init(struct vms_kcache *kc, const struct vms_mem *mem,
		    struct vms_counters *counters, unsigned cap)
{
	memset(kc, 0, sizeof(*kc));
	kc->mem = mem;
	kc->counters = counters;
	kc->cap = cap ? cap : 1;
	kc->hash_size = kc->cap * 2 + 1;
	kc->slots = calloc(kc->cap, sizeof(*kc->slots));
	/* hash[] holds bucket heads, then one "next" link per slot; index + 1, 0 is nil */
	kc->hash = calloc(kc->hash_size + kc->cap, sizeof(unsigned));
	if (!kc->slots || !kc->hash) {
		vms_kcache_destroy(kc);
		return VMS_NOMEM;
	}
	return VMS_OK;
}

void vms_kcache_destroy(struct vms_kcache *kc)
{
	if (kc->slots)
		for (unsigned i = 0; i < kc->nslots; i++)
			free(kc->slots[i].data);
	free(kc->slots);
	free(kc->hash);
	free(kc->seen);
	memset(kc, 0, sizeof(*kc));
}

int vms_kcache_track(struct vms_kcache *kc, uint64_t base, uint64_t pages)
{
	free(kc->seen);
	kc->seen = calloc((size_t)(pages + 63) / 64, sizeof(uint64_t));
	if (!kc->seen)
		return VMS_NOMEM;
	kc->seen_base = base;
	kc->seen_pages = pages;
	return VMS_OK;
}

static unsigned *next_link(struct vms_kcache *kc, unsigned slot)
{
	return &kc->hash[kc->hash_size + slot];
}

static void unhash(struct vms_kcache *kc, unsigned slot)
{
	unsigned *p = &kc->hash[hash_of(kc, kc->slots[slot].vaddr)];
	while (*p != NIL) {
		if (*p - 1 == slot) {
			*p = *next_link(kc, slot);
			return;
		}
		p = next_link(kc, *p - 1);
	}
}

static void count_read(struct vms_kcache *kc, uint64_t vaddr)
{
	if (!kc->counters)
		return;
	if (kc->seen && vaddr >= kc->seen_base) {
		uint64_t i = (vaddr - kc->seen_base) >> VMS_PAGE_SHIFT;
		if (i < kc->seen_pages) {
			kc->counters->memmap_reads++;
			if (kc->seen[i / 64] & (1ULL << (i % 64)))
				kc->counters->memmap_rereads++;
			kc->seen[i / 64] |= 1ULL << (i % 64);
			return;
		}
	}
	kc->counters->memmap_reads++;
}

/* The slot holding the page at vaddr (page-aligned), reading it if needed. */
static struct vms_kcache_slot *lookup(struct vms_kcache *kc, uint64_t vaddr)
{
	unsigned h = hash_of(kc, vaddr);
	for (unsigned i = kc->hash[h]; i != NIL; i = *next_link(kc, i - 1)) {
		struct vms_kcache_slot *s = &kc->slots[i - 1];
		if (s->vaddr == vaddr) {
			s->used = true;
			return s;
		}
	}

	unsigned slot;
	if (kc->nslots < kc->cap) {
		slot = kc->nslots;
		kc->slots[slot].data = malloc(VMS_PAGE_SIZE);
		if (!kc->slots[slot].data)
			return NULL;
		kc->nslots++;
	} else {
		/* CLOCK: the first slot not used since the hand last passed. */
		for (;;) {
			struct vms_kcache_slot *s = &kc->slots[kc->hand];
			if (!s->used)
				break;
			s->used = false;
			kc->hand = (kc->hand + 1) % kc->cap;
		}
		slot = kc->hand;
		kc->hand = (kc->hand + 1) % kc->cap;
		unhash(kc, slot);
	}
	struct vms_kcache_slot *s = &kc->slots[slot];
	s->vaddr = vaddr;
	s->used = true;
	s->status = kc->mem->read_kvirt(kc->mem->ctx, vaddr, s->data);
	count_read(kc, vaddr);
	*next_link(kc, slot) = kc->hash[h];
	kc->hash[h] = slot + 1;
	return s;
}

int vms_kcache_read(struct vms_kcache *kc, uint64_t vaddr, void *buf, size_t len)
{
	unsigned char *out = buf;
	while (len) {
		uint64_t page = vaddr & ~(VMS_PAGE_SIZE - 1);
		size_t off = (size_t)(vaddr - page);
		size_t n = vms_min(len, VMS_PAGE_SIZE - off);
		struct vms_kcache_slot *s = lookup(kc, page);
		if (!s)
			return VMS_NOMEM;
		if (s->status)
			return s->status;
		memcpy(out, s->data + off, n);
		out += n;
		vaddr += n;
		len -= n;
	}
	return VMS_OK;
}

/* ---- struct page ------------------------------------------------------- */

struct rawpage {
	unsigned char b[256];
};

static uint64_t u64_at(const struct rawpage *p, int off)
{
	uint64_t v;
	memcpy(&v, p->b + off, sizeof(v));
	return v;
}

static int32_t s32_at(const struct rawpage *p, int off)
{
	int32_t v;
	memcpy(&v, p->b + off, sizeof(v));
	return v;
}

static int read_struct_page(struct vms_kcache *kc, const struct vms_page_layout *l, uint64_t pfn,
			    struct rawpage *p)
{
	if (pfn > l->max_pfn || l->size > sizeof(p->b))
		return VMS_CORRUPT;
	return vms_kcache_read(kc, l->vmemmap + pfn * l->size, p->b, l->size);
}

static bool test_flag(uint64_t flags, int bit)
{
	return bit >= 0 && bit < 64 && (flags & (1ULL << bit));
}

int vms_page_get(struct vms_kcache *kc, const struct vms_page_layout *l, uint64_t pfn,
		 struct vms_pageinfo *pi)
{
	struct rawpage page, head, tail1;
	int st;

	memset(pi, 0, sizeof(*pi));
	pi->pfn = pi->head_pfn = pfn;
	if ((st = read_struct_page(kc, l, pfn, &page)))
		return st;

	const struct rawpage *h = &page;
	uint64_t ch = u64_at(&page, l->off_compound_head);
	if (ch & 1) {
		/* A tail page: compound_head points at the head's struct page. */
		uint64_t haddr = ch - 1;
		if (haddr < l->vmemmap || (haddr - l->vmemmap) % l->size)
			return VMS_CORRUPT;
		uint64_t hpfn = (haddr - l->vmemmap) / l->size;
		if (hpfn > pfn || pfn - hpfn >= (1ULL << 18))
			return VMS_CORRUPT;
		if ((st = read_struct_page(kc, l, hpfn, &head)))
			return st;
		pi->head_pfn = hpfn;
		h = &head;
	}
	uint64_t hflags = u64_at(h, l->off_flags);
	pi->compound = (ch & 1) || test_flag(hflags, l->pg_head);
	if (pi->compound && !test_flag(hflags, l->pg_head))
		return VMS_CORRUPT;	/* a tail whose head is not a head */

	uint64_t mapping = u64_at(h, l->off_mapping);
	pi->anon = mapping & 1;				/* PAGE_MAPPING_ANON */
	pi->ksm = (mapping & 3) == 3;			/* PAGE_MAPPING_KSM */
	pi->swapbacked = test_flag(hflags, l->pg_swapbacked);
	pi->dirty = test_flag(hflags, l->pg_dirty);
	pi->referenced = test_flag(hflags, l->pg_referenced);
	pi->young = test_flag(l->young_on_subpage ? u64_at(&page, l->off_flags) : hflags, l->pg_young);
	pi->refcount = s32_at(h, l->off_refcount);

	int64_t own = (int64_t)s32_at(&page, l->off_mapcount) + 1;
	bool doublemap = false;
	int64_t compound_mapcount = 0;
	if (pi->compound) {
		if ((st = read_struct_page(kc, l, pi->head_pfn + 1, &tail1)))
			return st;
		if (l->model == VMS_MAPCOUNT_FOLIO) {
			pi->order = (unsigned)(u64_at(&tail1, l->off_flags) & 0xff);	/* _flags_1 */
			/* folio_test_hugetlb(): PGTY_hugetlb in the head's page_type */
			pi->hugetlb = ((uint32_t)s32_at(h, l->off_mapcount) >> 24) == 0xf4;
			compound_mapcount = (int64_t)s32_at(&tail1, l->off_entire_mapcount) + 1;
		} else {
			pi->order = tail1.b[l->off_compound_order];
			pi->hugetlb = l->hugetlb_dtor >= 0 &&
				      tail1.b[l->off_compound_dtor] == (unsigned char)l->hugetlb_dtor;
			compound_mapcount = (int64_t)s32_at(&tail1, l->off_compound_mapcount) + 1;
			doublemap = test_flag(u64_at(&tail1, l->off_flags), l->pg_double_map);
		}
		if (pi->order == 0 || pi->order > 18 || pfn - pi->head_pfn >= (1ULL << pi->order))
			return VMS_CORRUPT;
	}

	if (l->model == VMS_MAPCOUNT_FOLIO) {
		/* page_mapcount_is_type(): a page type, not a count, lives here */
		if (s32_at(&page, l->off_mapcount) < (int32_t)0xff000000)
			own = 0;
		pi->mapcount = own + (pi->compound ? compound_mapcount : 0);
	} else if (!pi->compound || (!pi->anon && !pi->hugetlb)) {
		/* file THPs keep every mapping in the subpage's own _mapcount */
		pi->mapcount = own;
	} else {
		pi->mapcount = own + compound_mapcount - (doublemap ? 1 : 0);
	}
	if (pi->refcount < 0 || pi->mapcount < 0 || pi->mapcount > (1 << 24))
		return VMS_CORRUPT;
	return VMS_OK;
}
