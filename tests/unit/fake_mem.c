// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fake_mem.c: synthetic physical memory, page tables and vmemmap.
 *
 * Failures abort(): a test helper that cannot allocate has nothing better
 * to do, and Check reports the crashed test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_mem.h"

#define EMPTY (~0ULL)

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (!p) {
		fprintf(stderr, "fake_mem: out of memory\n");
		abort();
	}
	return p;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* ---- the sparse page map ------------------------------------------------- */

static struct fm_page *slot_of(struct fm_page *pages, size_t cap, uint64_t pfn)
{
	size_t i = mix(pfn) & (cap - 1);
	while (pages[i].pfn != EMPTY && pages[i].pfn != pfn)
		i = (i + 1) & (cap - 1);
	return &pages[i];
}

static void pages_grow(struct fake_mem *fm)
{
	size_t cap = fm->cap ? fm->cap * 2 : 256;
	struct fm_page *np = xcalloc(cap, sizeof(*np));
	for (size_t i = 0; i < cap; i++)
		np[i].pfn = EMPTY;
	for (size_t i = 0; i < fm->cap; i++)
		if (fm->pages[i].pfn != EMPTY)
			*slot_of(np, cap, fm->pages[i].pfn) = fm->pages[i];
	free(fm->pages);
	fm->pages = np;
	fm->cap = cap;
}

static struct fm_page *find(const struct fake_mem *fm, uint64_t pfn)
{
	if (!fm->cap)
		return NULL;
	struct fm_page *p = slot_of(fm->pages, fm->cap, pfn);
	return p->pfn == pfn ? p : NULL;
}

static struct fm_page *get(struct fake_mem *fm, uint64_t pfn)
{
	struct fm_page *p = find(fm, pfn);
	if (p)
		return p;
	if ((fm->npages + 1) * 2 > fm->cap)
		pages_grow(fm);
	p = slot_of(fm->pages, fm->cap, pfn);
	p->pfn = pfn;
	p->status = VMS_OK;
	p->reads = 0;
	p->data = xcalloc(1, VMS_PAGE_SIZE);
	fm->npages++;
	return p;
}

unsigned char *fm_page(struct fake_mem *fm, uint64_t pfn)
{
	return get(fm, pfn)->data;
}

bool fm_has(const struct fake_mem *fm, uint64_t pfn)
{
	return find(fm, pfn) != NULL;
}

uint64_t *fm_table(struct fake_mem *fm, uint64_t pfn)
{
	return (uint64_t *)fm_page(fm, pfn);
}

uint64_t fm_alloc_table(struct fake_mem *fm)
{
	uint64_t pfn = fm->next_table++;
	fm_page(fm, pfn);
	if (fm->ntables == fm->tcap) {
		fm->tcap = fm->tcap ? fm->tcap * 2 : 64;
		uint64_t *t = realloc(fm->tables, fm->tcap * sizeof(*t));
		if (!t)
			abort();
		fm->tables = t;
	}
	fm->tables[fm->ntables++] = pfn;
	return pfn;
}

void fm_set_status(struct fake_mem *fm, uint64_t pfn, int status)
{
	get(fm, pfn)->status = status;
}

unsigned fm_reads(const struct fake_mem *fm, uint64_t pfn)
{
	const struct fm_page *p = find(fm, pfn);
	return p ? p->reads : 0;
}

void fm_reset_reads(struct fake_mem *fm)
{
	for (size_t i = 0; i < fm->cap; i++)
		fm->pages[i].reads = 0;
	fm->total_reads = fm->kvirt_reads = 0;
}

/* ---- mutation ------------------------------------------------------------ */

uint64_t fm_rand(struct fake_mem *fm)
{
	/* splitmix64: deterministic for a seed */
	uint64_t z = (fm->rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void fm_mutate_at(struct fake_mem *fm, uint64_t at_read, uint64_t pfn, unsigned idx, uint64_t val)
{
	if (fm->nmuts == fm->mcap) {
		fm->mcap = fm->mcap ? fm->mcap * 2 : 16;
		struct fm_mutation *m = realloc(fm->muts, fm->mcap * sizeof(*m));
		if (!m)
			abort();
		fm->muts = m;
	}
	fm->muts[fm->nmuts++] = (struct fm_mutation){ at_read, pfn, idx & (VMS_PTRS - 1), val };
}

void fm_mutate_random(struct fake_mem *fm, unsigned permille, uint64_t seed)
{
	fm->mutate_permille = permille;
	fm->rng = seed;
}

/* What a live system might leave in an entry: nothing, a flag change, a
 * pointer to another table (also upwards: a loop), garbage. */
static uint64_t random_entry(struct fake_mem *fm, uint64_t old)
{
	uint64_t r = fm_rand(fm);
	switch (r % 6) {
	case 0:
		return 0;
	case 1:
		return old ^ (1ULL << (fm_rand(fm) % 64));
	case 2:
		return (fm->tables[fm_rand(fm) % fm->ntables] << VMS_PAGE_SHIFT) | FM_TABLE_FLAGS;
	case 3:
		return (fm->tables[fm_rand(fm) % fm->ntables] << VMS_PAGE_SHIFT) | FM_PMD_FLAGS;
	case 4:
		return fm_rand(fm);
	default:
		return fm_rand(fm) & ~1ULL;	/* non-present: swap-like */
	}
}

static void mutate(struct fake_mem *fm)
{
	for (size_t i = 0; i < fm->nmuts; i++) {
		struct fm_mutation *m = &fm->muts[i];
		if (m->at_read == fm->total_reads)
			fm_table(fm, m->pfn)[m->idx] = m->val;
	}
	if (fm->mutate_permille && fm->ntables && fm_rand(fm) % 1000 < fm->mutate_permille) {
		uint64_t *t = fm_table(fm, fm->tables[fm_rand(fm) % fm->ntables]);
		unsigned idx = (unsigned)(fm_rand(fm) % VMS_PTRS);
		t[idx] = random_entry(fm, t[idx]);
	}
}

/* ---- vms_mem ------------------------------------------------------------- */

static int fm_read_phys(void *ctx, uint64_t paddr, void *buf)
{
	struct fake_mem *fm = ctx;

	if (paddr & (VMS_PAGE_SIZE - 1))
		abort();	/* the core promised page-aligned reads */
	fm->total_reads++;
	mutate(fm);
	struct fm_page *p = find(fm, paddr >> VMS_PAGE_SHIFT);
	if (!p)
		return VMS_READ_ERROR;
	p->reads++;
	if (p->status) {
		/* the contract: on failure the buffer is undefined, never zeroed */
		memset(buf, 0xa5, VMS_PAGE_SIZE);
		return p->status;
	}
	memcpy(buf, p->data, VMS_PAGE_SIZE);
	return VMS_OK;
}

static struct fm_kmap *kslot(struct fm_kmap *m, size_t cap, uint64_t vpage)
{
	size_t i = mix(vpage) & (cap - 1);
	while (m[i].vpage != EMPTY && m[i].vpage != vpage)
		i = (i + 1) & (cap - 1);
	return &m[i];
}

static struct fm_kmap *kfind(const struct fake_mem *fm, uint64_t vaddr)
{
	if (!fm->kcap)
		return NULL;
	struct fm_kmap *k = kslot(fm->kmap, fm->kcap, vaddr >> VMS_PAGE_SHIFT);
	return k->vpage == vaddr >> VMS_PAGE_SHIFT ? k : NULL;
}

uint64_t fm_kvirt_pfn(struct fake_mem *fm, uint64_t vaddr)
{
	struct fm_kmap *k = kfind(fm, vaddr);
	if (k)
		return k->pfn;
	if ((fm->nkmap + 1) * 2 > fm->kcap) {
		size_t cap = fm->kcap ? fm->kcap * 2 : 256;
		struct fm_kmap *nm = xcalloc(cap, sizeof(*nm));
		for (size_t i = 0; i < cap; i++)
			nm[i].vpage = EMPTY;
		for (size_t i = 0; i < fm->kcap; i++)
			if (fm->kmap[i].vpage != EMPTY)
				*kslot(nm, cap, fm->kmap[i].vpage) = fm->kmap[i];
		free(fm->kmap);
		fm->kmap = nm;
		fm->kcap = cap;
	}
	k = kslot(fm->kmap, fm->kcap, vaddr >> VMS_PAGE_SHIFT);
	k->vpage = vaddr >> VMS_PAGE_SHIFT;
	k->pfn = fm->next_kvirt++;
	fm->nkmap++;
	fm_page(fm, k->pfn);
	return k->pfn;
}

static int fm_read_kvirt(void *ctx, uint64_t vaddr, void *buf)
{
	struct fake_mem *fm = ctx;
	struct fm_kmap *k = kfind(fm, vaddr);

	if (vaddr & (VMS_PAGE_SIZE - 1))
		abort();
	fm->kvirt_reads++;
	if (!k)
		return VMS_READ_ERROR;
	struct fm_page *p = find(fm, k->pfn);
	p->reads++;
	if (p->status) {
		memset(buf, 0x5a, VMS_PAGE_SIZE);
		return p->status;
	}
	memcpy(buf, p->data, VMS_PAGE_SIZE);
	return VMS_OK;
}

static int fm_read_kvirt_run(void *ctx, uint64_t vaddr, unsigned npages, void *buf)
{
	struct fake_mem *fm = ctx;

	if (vaddr & (VMS_PAGE_SIZE - 1))
		abort();
	fm->kvirt_run_calls++;
	for (unsigned i = 0; i < npages; i++) {
		struct fm_kmap *k = kfind(fm, vaddr + (uint64_t)i * VMS_PAGE_SIZE);
		if (!k || find(fm, k->pfn)->status) {
			fm->kvirt_run_refused++;
			return VMS_READ_ERROR;
		}
	}
	for (unsigned i = 0; i < npages; i++) {
		struct fm_page *p = find(fm, kfind(fm, vaddr + (uint64_t)i * VMS_PAGE_SIZE)->pfn);
		p->reads++;
		fm->kvirt_reads++;
		memcpy((unsigned char *)buf + (size_t)i * VMS_PAGE_SIZE, p->data, VMS_PAGE_SIZE);
	}
	return VMS_OK;
}

void fm_enable_runs(struct fake_mem *fm)
{
	fm->mem.read_kvirt_run = fm_read_kvirt_run;
}

void fm_kwrite(struct fake_mem *fm, uint64_t vaddr, const void *buf, size_t len)
{
	const unsigned char *in = buf;
	while (len) {
		size_t off = vaddr & (VMS_PAGE_SIZE - 1);
		size_t n = vms_min(len, VMS_PAGE_SIZE - off);
		memcpy(fm_page(fm, fm_kvirt_pfn(fm, vaddr)) + off, in, n);
		in += n;
		vaddr += n;
		len -= n;
	}
}

void fm_kread(struct fake_mem *fm, uint64_t vaddr, void *buf, size_t len)
{
	unsigned char *out = buf;
	while (len) {
		size_t off = vaddr & (VMS_PAGE_SIZE - 1);
		size_t n = vms_min(len, VMS_PAGE_SIZE - off);
		memcpy(out, fm_page(fm, fm_kvirt_pfn(fm, vaddr)) + off, n);
		out += n;
		vaddr += n;
		len -= n;
	}
}

/* ---- setup --------------------------------------------------------------- */

void fm_init(struct fake_mem *fm, int levels)
{
	memset(fm, 0, sizeof(*fm));
	fm->mem = (struct vms_mem){ .ctx = fm, .read_phys = fm_read_phys,
				    .read_kvirt = fm_read_kvirt };
	fm->arch.levels = levels;
	fm->arch.phys_mask = (1ULL << 52) - 1;
	fm->arch.max_pfn = (1ULL << 24) - 1;
	fm->arch.devmap_bit = 1ULL << 57;
	fm->arch.saved_dirty_bit = 1ULL << 58;
	vms_arch_swap_types(&fm->arch, 23, 3, true, false);
	fm->arch.swp_pfn_bits = (levels == 5 ? 52 : 46) - 12;
	fm->next_table = FM_TABLE_PFN0;
	fm->next_kvirt = FM_KVIRT_PFN0;
	fm->root = fm_alloc_table(fm);
}

void fm_destroy(struct fake_mem *fm)
{
	for (size_t i = 0; i < fm->cap; i++)
		if (fm->pages[i].pfn != EMPTY)
			free(fm->pages[i].data);
	free(fm->pages);
	free(fm->kmap);
	free(fm->tables);
	free(fm->muts);
	memset(fm, 0, sizeof(*fm));
}

static unsigned idx_of(uint64_t va, int level)
{
	return (unsigned)(va >> vms_level_shift(level)) & (VMS_PTRS - 1);
}

uint64_t fm_table_at(struct fake_mem *fm, uint64_t va, int level, bool create)
{
	int top = fm->arch.levels == 5 ? VMS_PGD5 : VMS_P4D;
	uint64_t t = fm->root;

	for (int l = top; l > level; l--) {
		uint64_t *ent = fm_table(fm, t);
		uint64_t *e = &ent[idx_of(va, l)];
		if (!*e) {
			if (!create)
				return 0;
			*e = (fm_alloc_table(fm) << VMS_PAGE_SHIFT) | FM_TABLE_FLAGS;
		} else if (!(*e & VMS_P_PRESENT) || (*e & VMS_P_PSE)) {
			if (!create)
				return 0;
			abort();	/* a test asked to build under a leaf */
		}
		t = (*e & fm->arch.phys_mask) >> VMS_PAGE_SHIFT;
	}
	return t;
}

void fm_set(struct fake_mem *fm, uint64_t va, int level, uint64_t raw)
{
	fm_table(fm, fm_table_at(fm, va, level, true))[idx_of(va, level)] = raw;
}

uint64_t fm_get(struct fake_mem *fm, uint64_t va, int level)
{
	uint64_t t = fm_table_at(fm, va, level, false);
	return t ? fm_table(fm, t)[idx_of(va, level)] : 0;
}

void fm_map4k(struct fake_mem *fm, uint64_t va, uint64_t pfn, uint64_t flags)
{
	fm_set(fm, va, VMS_PTE, (pfn << VMS_PAGE_SHIFT) | flags);
}

/* ---- struct page --------------------------------------------------------- */

static void layout_common(struct vms_page_layout *l, uint64_t max_pfn)
{
	memset(l, 0, sizeof(*l));
	l->vmemmap = FM_VMEMMAP;
	l->max_pfn = max_pfn;
	l->size = 64;
	l->off_flags = 0;
	l->off_compound_head = 8;
	l->off_mapping = 24;
	l->off_mapcount = 48;
	l->off_refcount = 52;
	l->off_compound_order = -1;
	l->off_compound_dtor = -1;
	l->off_compound_mapcount = -1;
	l->off_entire_mapcount = -1;
	l->hugetlb_dtor = -1;
	l->pg_double_map = -1;
}

void fm_layout_compound(struct vms_page_layout *l, uint64_t max_pfn)
{
	/* struct page of 5.10 / 6.1 and enum pageflags of 5.10 (x86_64, PAT) */
	layout_common(l, max_pfn);
	l->off_compound_dtor = 16;
	l->off_compound_order = 17;
	l->off_compound_mapcount = 20;
	l->hugetlb_dtor = 2;
	l->pg_referenced = 1;
	l->pg_dirty = 3;
	l->pg_double_map = 6;	/* = PG_workingset */
	l->pg_head = 16;
	l->pg_swapbacked = 19;
	l->pg_young = 24;
	l->model = VMS_MAPCOUNT_COMPOUND;
	l->young_on_subpage = true;
}

void fm_layout_folio(struct vms_page_layout *l, uint64_t max_pfn)
{
	/* struct page / folio of 6.12 and its enum pageflags */
	layout_common(l, max_pfn);
	l->off_entire_mapcount = 20;
	l->pg_referenced = 2;
	l->pg_dirty = 4;
	l->pg_head = 6;
	l->pg_swapbacked = 17;
	l->pg_young = 21;
	l->model = VMS_MAPCOUNT_FOLIO;
}

static uint64_t sp_addr(const struct vms_page_layout *l, uint64_t pfn, int off)
{
	if (off < 0)
		abort();	/* the layout has no such field */
	return l->vmemmap + pfn * l->size + (unsigned)off;
}

void fm_sp_u64(struct fake_mem *fm, const struct vms_page_layout *l, uint64_t pfn, int off,
	       uint64_t v)
{
	fm_kwrite(fm, sp_addr(l, pfn, off), &v, sizeof(v));
}

void fm_sp_s32(struct fake_mem *fm, const struct vms_page_layout *l, uint64_t pfn, int off,
	       int32_t v)
{
	fm_kwrite(fm, sp_addr(l, pfn, off), &v, sizeof(v));
}

void fm_sp_u8(struct fake_mem *fm, const struct vms_page_layout *l, uint64_t pfn, int off,
	      uint8_t v)
{
	fm_kwrite(fm, sp_addr(l, pfn, off), &v, sizeof(v));
}

void fm_sp_flag(struct fake_mem *fm, const struct vms_page_layout *l, uint64_t pfn, int bit)
{
	uint64_t v;
	fm_kread(fm, sp_addr(l, pfn, l->off_flags), &v, sizeof(v));
	v |= 1ULL << bit;
	fm_sp_u64(fm, l, pfn, l->off_flags, v);
}

void fm_small_page(struct fake_mem *fm, const struct vms_page_layout *l, uint64_t pfn,
		   uint64_t mapping, int mapcount, int refcount)
{
	unsigned char zero[256] = { 0 };
	fm_kwrite(fm, sp_addr(l, pfn, 0), zero, l->size);
	/* lru.next: any even pointer, so not a tail */
	fm_sp_u64(fm, l, pfn, l->off_compound_head, 0xffff888000100100ULL);
	fm_sp_u64(fm, l, pfn, l->off_mapping, mapping);
	fm_sp_s32(fm, l, pfn, l->off_mapcount, mapcount - 1);
	fm_sp_s32(fm, l, pfn, l->off_refcount, refcount);
}

void fm_compound_page(struct fake_mem *fm, const struct vms_page_layout *l, uint64_t head,
		      unsigned order, uint64_t mapping, int sub_mapcount, int entire,
		      int refcount)
{
	uint64_t n = 1ULL << order;
	uint64_t head_addr = l->vmemmap + head * l->size;

	fm_small_page(fm, l, head, mapping, sub_mapcount, refcount);
	fm_sp_flag(fm, l, head, l->pg_head);
	for (uint64_t i = 1; i < n; i++) {
		fm_small_page(fm, l, head + i, 0, sub_mapcount, 0);
		fm_sp_u64(fm, l, head + i, l->off_compound_head, head_addr + 1);
	}
	if (l->model == VMS_MAPCOUNT_FOLIO) {
		fm_sp_u64(fm, l, head + 1, l->off_flags, order);	/* _flags_1 */
		fm_sp_s32(fm, l, head + 1, l->off_entire_mapcount, entire - 1);
	} else {
		fm_sp_u8(fm, l, head + 1, l->off_compound_order, (uint8_t)order);
		fm_sp_u8(fm, l, head + 1, l->off_compound_dtor, 3);	/* TRANSHUGE_PAGE_DTOR */
		fm_sp_s32(fm, l, head + 1, l->off_compound_mapcount, entire - 1);
	}
}
