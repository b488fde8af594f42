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
	memset(kc, 0, sizeof(*kc));
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
	if (kc->counters)
		kc->counters->kernel_reads++;
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

/* ---- struct page: the memmap cache ------------------------------------- */

static uint64_t u64_at(const unsigned char *p, int off)
{
	uint64_t v;
	memcpy(&v, p + off, sizeof(v));
	return v;
}

static int32_t s32_at(const unsigned char *p, int off)
{
	int32_t v;
	memcpy(&v, p + off, sizeof(v));
	return v;
}

static bool test_flag(uint64_t flags, int bit)
{
	return bit >= 0 && bit < 64 && (flags & (1ULL << bit));
}

int vms_memmap_init(struct vms_memmap *m, const struct vms_mem *mem,
		    struct vms_counters *counters, const struct vms_page_layout *l, unsigned cap)
{
	memset(m, 0, sizeof(*m));
	m->mem = mem;
	m->counters = counters;
	m->l = l;
	m->cap = cap ? cap : 1;
	m->hash_size = m->cap * 2 + 1;
	m->chunks = calloc((m->cap + VMS_MEMMAP_CHUNK - 1) / VMS_MEMMAP_CHUNK, sizeof(*m->chunks));
	m->hash = calloc(m->hash_size, sizeof(unsigned));
	m->next = calloc(m->cap, sizeof(unsigned));
	m->raw = malloc((size_t)VMS_MEMMAP_GROUP * 256 + VMS_PAGE_SIZE);
	m->raw_page[0] = malloc(VMS_PAGE_SIZE);
	m->raw_page[1] = malloc(VMS_PAGE_SIZE);
	m->raw_vaddr[0] = m->raw_vaddr[1] = EMPTY;
	m->prefetch = mem->read_kvirt_run && l->size * VMS_MEMMAP_GROUP == VMS_PAGE_SIZE &&
		      !(l->vmemmap & (VMS_PAGE_SIZE - 1));
	if (m->prefetch)
		m->run = malloc(VMS_MEMMAP_RUN * VMS_PAGE_SIZE);
#define FLAG(f) (m->s_##f = test_flag(~0ULL, l->pg_##f) ? (unsigned)l->pg_##f : 0, \
		 m->v_##f = test_flag(~0ULL, l->pg_##f))
	FLAG(head);
	FLAG(referenced);
	FLAG(dirty);
	FLAG(swapbacked);
	FLAG(young);
	FLAG(double_map);
#undef FLAG
	uint64_t pages = l->size ? (l->max_pfn + 1) * l->size / VMS_PAGE_SIZE + 2 : 1;
	m->seen_pages = pages;
	m->seen = calloc((size_t)(pages + 63) / 64, sizeof(uint64_t));
	if (!m->chunks || !m->hash || !m->next || !m->raw || !m->raw_page[0] || !m->raw_page[1] ||
	    !m->seen || (m->prefetch && !m->run)) {
		vms_memmap_destroy(m);
		return VMS_NOMEM;
	}
	return VMS_OK;
}

void vms_memmap_destroy(struct vms_memmap *m)
{
	if (m->chunks)
		for (unsigned i = 0; i < (m->cap + VMS_MEMMAP_CHUNK - 1) / VMS_MEMMAP_CHUNK; i++)
			free(m->chunks[i]);
	free(m->chunks);
	free(m->hash);
	free(m->next);
	free(m->raw);
	free(m->raw_page[0]);
	free(m->raw_page[1]);
	free(m->seen);
	free(m->run);
	memset(m, 0, sizeof(*m));
}

static struct vms_memmap_slot *slot_at(struct vms_memmap *m, unsigned i)
{
	return &m->chunks[i / VMS_MEMMAP_CHUNK][i % VMS_MEMMAP_CHUNK];
}

static unsigned group_hash(const struct vms_memmap *m, uint64_t group)
{
	return (unsigned)((group * 0x9e3779b97f4a7c15ULL) >> 40) % m->hash_size;
}

/* Count a vmemmap page read, and whether it was read before. */
static void count_read(struct vms_memmap *m, uint64_t vaddr)
{
	if (!m->counters)
		return;
	uint64_t n = (vaddr - (m->l->vmemmap & ~(VMS_PAGE_SIZE - 1))) >> VMS_PAGE_SHIFT;
	m->counters->memmap_reads++;
	if (n < m->seen_pages) {
		if (m->seen[n / 64] & (1ULL << (n % 64)))
			m->counters->memmap_rereads++;
		m->seen[n / 64] |= 1ULL << (n % 64);
	}
}

/* One vmemmap page: from the run being prefetched, or through the two-page
 * buffer, counted once per read. */
static int raw_page(struct vms_memmap *m, uint64_t vaddr, const unsigned char **data)
{
	if (vaddr - m->run_vaddr < (uint64_t)m->run_pages * VMS_PAGE_SIZE) {
		*data = m->run + (vaddr - m->run_vaddr);
		return VMS_OK;
	}
	for (int i = 0; i < 2; i++)
		if (m->raw_vaddr[i] == vaddr) {
			*data = m->raw_page[i];
			return m->raw_status[i];
		}
	unsigned i = m->raw_next;
	m->raw_next ^= 1;
	m->raw_vaddr[i] = EMPTY;	/* until the read completes (it may not return) */
	int st = m->mem->read_kvirt(m->mem->ctx, vaddr, m->raw_page[i]);
	m->raw_vaddr[i] = vaddr;
	m->raw_status[i] = st;
	count_read(m, vaddr);
	*data = m->raw_page[i];
	return st;
}

/* Fill a slot with the compact records of one group of struct pages. */
static void decode_group(struct vms_memmap *m, struct vms_memmap_slot *sl, uint64_t group)
{
	const struct vms_page_layout *l = m->l;
	uint64_t pfn0 = group * VMS_MEMMAP_GROUP;
	unsigned n = VMS_MEMMAP_GROUP;
	int status[VMS_MEMMAP_GROUP];

	if (pfn0 > l->max_pfn)
		n = 0;
	else if (l->max_pfn - pfn0 + 1 < n)
		n = (unsigned)(l->max_pfn - pfn0 + 1);
	/* the struct pages' bytes, page by page (a struct page may straddle two:
	 * a failed read marks every struct page it touches); with 64-byte struct
	 * pages a group is exactly one vmemmap page, decoded where it lies */
	uint64_t start = l->vmemmap + pfn0 * l->size, end = start + (uint64_t)n * l->size;
	const unsigned char *bytes = m->raw;
	memset(status, 0, sizeof(status));
	if (n && (start & ~(VMS_PAGE_SIZE - 1)) == ((end - 1) & ~(VMS_PAGE_SIZE - 1))) {
		const unsigned char *data;
		int st = raw_page(m, start & ~(VMS_PAGE_SIZE - 1), &data);
		bytes = data + (start & (VMS_PAGE_SIZE - 1));
		for (unsigned i = 0; st && i < n; i++)
			status[i] = st;
	} else {
		for (uint64_t page = start & ~(VMS_PAGE_SIZE - 1); page < end; page += VMS_PAGE_SIZE) {
			const unsigned char *data;
			int st = raw_page(m, page, &data);
			uint64_t a = vms_max(page, start), z = vms_min(page + VMS_PAGE_SIZE, end);
			memcpy(m->raw + (a - start), data + (a - page), (size_t)(z - a));
			if (!st)
				continue;
			for (unsigned i = (unsigned)((a - start) / l->size);
			     i < n && start + (uint64_t)i * l->size < z; i++)
				if (!status[i])
					status[i] = st;
		}
	}
	/* in locals, so that the stores below cannot make the compiler reload them */
	const unsigned s_head = m->s_head, s_ref = m->s_referenced, s_dirty = m->s_dirty,
		       s_sb = m->s_swapbacked, s_young = m->s_young;
	const uint64_t v_head = m->v_head, v_ref = m->v_referenced, v_dirty = m->v_dirty,
		       v_sb = m->v_swapbacked, v_young = m->v_young;
	const int off_flags = l->off_flags, off_mapping = l->off_mapping,
		  off_ch = l->off_compound_head, off_mapcount = l->off_mapcount,
		  off_refcount = l->off_refcount;
	const size_t size = l->size;
	bool whole = n == VMS_MEMMAP_GROUP;
	for (unsigned i = 0; whole && i < n; i++)
		whole = !status[i];
	for (unsigned i = 0; i < VMS_MEMMAP_GROUP; i++) {
		struct vms_cpage *c = &sl->p[i];
		if (!whole && (i >= n || status[i])) {
			/* beyond the memory map, or not read */
			*c = (struct vms_cpage){ .status = (uint8_t)(i >= n ? VMS_CORRUPT : status[i]) };
			continue;
		}
		const unsigned char *sp = bytes + i * size;
		uint64_t pfn = pfn0 + i;
		uint64_t flags = u64_at(sp, off_flags);
		uint64_t mapping = u64_at(sp, off_mapping);
		uint64_t ch = u64_at(sp, off_ch);
		/* one store of the whole record; shifts, not branches: this runs
		 * for every struct page */
		*c = (struct vms_cpage){
			.mapcount = s32_at(sp, off_mapcount),
			.count = s32_at(sp, off_refcount),
			.bits = (uint8_t)((((flags >> s_head) & v_head) << 0) |
					  (((flags >> s_ref) & v_ref) << 1) |
					  (((flags >> s_dirty) & v_dirty) << 2) |
					  (((flags >> s_sb) & v_sb) << 3) |
					  (((flags >> s_young) & v_young) << 4) |
					  ((mapping & 1) << 5) |	/* PAGE_MAPPING_ANON */
					  (((mapping & 3) == 3) << 6)),	/* PAGE_MAPPING_KSM */
		};
		if (!(ch & 1))
			continue;
		/* A tail page: compound_head points at the head's struct page. */
		uint64_t haddr = ch - 1;
		if (haddr < l->vmemmap || (haddr - l->vmemmap) % l->size) {
			c->head_off = VMS_CPAGE_BAD;
			continue;
		}
		uint64_t hpfn = (haddr - l->vmemmap) / l->size;
		if (hpfn >= pfn || pfn - hpfn >= (1ULL << 18)) {
			c->head_off = VMS_CPAGE_BAD;
			continue;
		}
		c->head_off = (uint32_t)(pfn - hpfn);
		if (c->head_off != 1)
			continue;
		/* The first tail page holds the compound page's own fields. */
		if (l->model == VMS_MAPCOUNT_FOLIO) {
			c->order = (uint8_t)(flags & 0xff);	/* folio->_flags_1 */
			c->count = s32_at(sp, l->off_entire_mapcount);
		} else {
			c->order = sp[l->off_compound_order];
			c->dtor = sp[l->off_compound_dtor];
			c->count = s32_at(sp, l->off_compound_mapcount);
			if ((flags >> m->s_double_map) & m->v_double_map)
				c->bits |= VMS_CP_DOUBLEMAP;
		}
	}
}

/* The slot holding group, if it is cached. */
static struct vms_memmap_slot *find(struct vms_memmap *m, uint64_t group, unsigned h)
{
	for (unsigned i = m->hash[h]; i; i = m->next[i - 1])
		if (slot_at(m, i - 1)->group == group)
			return slot_at(m, i - 1);
	return NULL;
}

/* A slot for group (a free one, or CLOCK's victim), filled and hashed. */
static struct vms_memmap_slot *fill(struct vms_memmap *m, uint64_t group, unsigned h)
{
	unsigned idx;
	if (m->nslots < m->cap) {
		idx = m->nslots;
		if (!m->chunks[idx / VMS_MEMMAP_CHUNK]) {
			m->chunks[idx / VMS_MEMMAP_CHUNK] =
				malloc(VMS_MEMMAP_CHUNK * sizeof(struct vms_memmap_slot));
			if (!m->chunks[idx / VMS_MEMMAP_CHUNK])
				return NULL;
		}
		m->nslots++;
	} else {
		/* CLOCK: the first slot not used since the hand last passed */
		for (;; m->hand = (m->hand + 1) % m->cap) {
			struct vms_memmap_slot *s = slot_at(m, m->hand);
			if (!s->used)
				break;
			s->used = false;
		}
		idx = m->hand;
		m->hand = (m->hand + 1) % m->cap;
		struct vms_memmap_slot *old = slot_at(m, idx);
		for (unsigned *p = &m->hash[group_hash(m, old->group)]; *p; p = &m->next[*p - 1])
			if (*p - 1 == idx) {
				*p = m->next[idx];
				break;
			}
	}
	struct vms_memmap_slot *sl = slot_at(m, idx);
	/* unhashed until filled: a read that never returns (crash's FATAL)
	 * leaves nothing half-made to be found */
	sl->group = EMPTY;
	if (m->last == sl)
		m->last = NULL;
	decode_group(m, sl, group);
	sl->group = group;
	sl->used = true;
	m->next[idx] = m->hash[h];
	m->hash[h] = idx + 1;
	return sl;
}

struct vms_memmap_slot *vms_memmap_slot_of(struct vms_memmap *m, uint64_t pfn)
{
	if (pfn > m->l->max_pfn || m->l->size == 0 || m->l->size > 256)
		return NULL;
	uint64_t group = pfn / VMS_MEMMAP_GROUP;
	struct vms_memmap_slot *sl = m->last;
	if (!sl || sl->group != group) {
		unsigned h = group_hash(m, group);
		sl = find(m, group, h);
		if (!sl && !(sl = fill(m, group, h)))
			return NULL;
		m->last = sl;
	}
	sl->used = true;
	return sl;
}

void vms_memmap_prefetch(struct vms_memmap *m, uint64_t *groups, unsigned n)
{
	if (!m->prefetch)
		return;
	/* insertion sort: a table's pfns mostly come in order */
	for (unsigned i = 1; i < n; i++) {
		uint64_t g = groups[i];
		unsigned j = i;
		for (; j && groups[j - 1] > g; j--)
			groups[j] = groups[j - 1];
		groups[j] = g;
	}
	/* keep each group once, if it has a struct page and is not cached; at
	 * most half the cache, so that none evicts another before its use */
	unsigned k = 0;
	uint64_t prev = EMPTY;
	for (unsigned i = 0; i < n && k < m->cap / 2; i++) {
		uint64_t g = groups[i];
		if (g == prev)
			continue;
		prev = g;
		if (g * VMS_MEMMAP_GROUP <= m->l->max_pfn && !find(m, g, group_hash(m, g)))
			groups[k++] = g;
	}
	for (unsigned i = 0, j; i < k; i = j) {
		for (j = i + 1; j < k && groups[j] == groups[j - 1] + 1 && j - i < VMS_MEMMAP_RUN; j++)
			;
		if (j - i < 2)
			continue;	/* one page: read when looked up */
		uint64_t vaddr = m->l->vmemmap + groups[i] * VMS_PAGE_SIZE;
		if (m->mem->read_kvirt_run(m->mem->ctx, vaddr, j - i, m->run) != VMS_OK)
			continue;	/* page by page, when looked up */
		m->run_vaddr = vaddr;
		m->run_pages = j - i;
		if (m->counters) {
			m->counters->memmap_runs++;
			m->counters->memmap_run_pages += j - i;
		}
		for (unsigned g = i; g < j; g++) {
			count_read(m, vaddr + (uint64_t)(g - i) * VMS_PAGE_SIZE);
			if (!fill(m, groups[g], group_hash(m, groups[g])))
				break;
		}
		m->run_pages = 0;
	}
}

/* The compact record of pfn, by value (a later lookup may evict its slot). */
static int record(struct vms_memmap *m, uint64_t pfn, struct vms_cpage *out)
{
	if (pfn > m->l->max_pfn || m->l->size == 0 || m->l->size > 256)
		return VMS_CORRUPT;
	struct vms_memmap_slot *sl = vms_memmap_slot_of(m, pfn);
	if (!sl)
		return VMS_NOMEM;
	*out = sl->p[pfn % VMS_MEMMAP_GROUP];
	return out->status;
}

/* Fill pi from the record of a small page. */
static int pageinfo_small(const struct vms_page_layout *l, uint64_t pfn, const struct vms_cpage *c,
		       struct vms_pageinfo *pi)
{
	pi->pfn = pi->head_pfn = pfn;
	pi->order = 0;
	pi->compound = false;
	pi->hugetlb = false;
	pi->anon = c->bits & VMS_CP_ANON;
	pi->ksm = c->bits & VMS_CP_KSM;
	pi->swapbacked = c->bits & VMS_CP_SWAPBACKED;
	pi->dirty = c->bits & VMS_CP_DIRTY;
	pi->referenced = c->bits & VMS_CP_REFERENCED;
	pi->young = c->bits & VMS_CP_YOUNG;
	pi->refcount = c->count;
	pi->mapcount = (int64_t)c->mapcount + 1;
	/* page_mapcount_is_type() (6.12): a page type, not a count */
	if (l->model == VMS_MAPCOUNT_FOLIO && c->mapcount < (int32_t)0xff000000)
		pi->mapcount = 0;
	if (pi->refcount < 0 || pi->mapcount < 0 || pi->mapcount > (1 << 24))
		return VMS_CORRUPT;
	return VMS_OK;
}

int vms_page_get(struct vms_memmap *m, uint64_t pfn, struct vms_pageinfo *pi)
{
	const struct vms_page_layout *l = m->l;
	struct vms_cpage c, h, t1;
	int st;

	memset(pi, 0, sizeof(*pi));
	pi->pfn = pi->head_pfn = pfn;
	if ((st = record(m, pfn, &c)))
		return st;
	if (c.head_off == VMS_CPAGE_BAD)
		return VMS_CORRUPT;
	if (!c.head_off && !(c.bits & VMS_CP_HEAD))
		return pageinfo_small(l, pfn, &c, pi);
	h = c;
	if (c.head_off) {
		pi->head_pfn = pfn - c.head_off;
		if ((st = record(m, pi->head_pfn, &h)))
			return st;
		if (!(h.bits & VMS_CP_HEAD))
			return VMS_CORRUPT;	/* a tail whose head is not a head */
	}
	pi->compound = c.head_off || (h.bits & VMS_CP_HEAD);
	pi->anon = h.bits & VMS_CP_ANON;
	pi->ksm = h.bits & VMS_CP_KSM;
	pi->swapbacked = h.bits & VMS_CP_SWAPBACKED;
	pi->dirty = h.bits & VMS_CP_DIRTY;
	pi->referenced = h.bits & VMS_CP_REFERENCED;
	pi->young = (l->young_on_subpage ? c.bits : h.bits) & VMS_CP_YOUNG;
	pi->refcount = h.count;

	int64_t own = (int64_t)c.mapcount + 1;
	int64_t compound_mapcount = 0;
	bool doublemap = false;
	if (pi->compound) {
		if ((st = record(m, pi->head_pfn + 1, &t1)))
			return st;
		if (t1.head_off != 1)
			return VMS_CORRUPT;
		pi->order = t1.order;
		compound_mapcount = (int64_t)t1.count + 1;
		if (l->model == VMS_MAPCOUNT_FOLIO) {
			/* folio_test_hugetlb(): PGTY_hugetlb in the head's page_type */
			pi->hugetlb = ((uint32_t)h.mapcount >> 24) == 0xf4;
		} else {
			pi->hugetlb = l->hugetlb_dtor >= 0 && t1.dtor == (unsigned char)l->hugetlb_dtor;
			doublemap = t1.bits & VMS_CP_DOUBLEMAP;
		}
		if (pi->order == 0 || pi->order > 18 || pfn - pi->head_pfn >= (1ULL << pi->order))
			return VMS_CORRUPT;
	}

	if (l->model == VMS_MAPCOUNT_FOLIO) {
		/* page_mapcount_is_type(): a page type, not a count, lives here */
		if (c.mapcount < (int32_t)0xff000000)
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
