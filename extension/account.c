// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * account.c: smaps accounting (fs/proc/task_mmu.c) as a walk sink.
 *
 * pte_entry and huge_entry only sort an entry, as smaps_pte_entry and
 * smaps_pmd_entry do; account_page is smaps_account and accumulate is
 * smaps_page_accumulate.  Kernel differences come from struct vms_model.
 */
#include <string.h>

#include "account.h"

void vms_stats_error(struct vms_stats *s, int status, int level, uint64_t addr, uint64_t where,
		     const char *what)
{
	if (!s->nerrors++)
		s->err = (struct vms_error){ status, level, addr, where, what };
}

void vms_stats_add(struct vms_stats *to, const struct vms_stats *from)
{
	/* Every field before nerrors is a counter. */
	uint64_t *t = (uint64_t *)to;
	const uint64_t *f = (const uint64_t *)from;
	for (size_t i = 0; i < offsetof(struct vms_stats, nerrors) / sizeof(uint64_t); i++)
		t[i] += f[i];
	if (from->nerrors && !to->nerrors)
		to->err = from->err;
	to->nerrors += from->nerrors;
}

uint64_t vms_aligned_windows(uint64_t start, uint64_t end)
{
	uint64_t first = (start + VMS_PMD_SIZE - 1) & ~(VMS_PMD_SIZE - 1);
	uint64_t last = end & ~(VMS_PMD_SIZE - 1);
	return last > first ? (last - first) / VMS_PMD_SIZE : 0;
}

static void lost(struct vms_sink *k, uint64_t addr, uint64_t size, int status, int level,
		 uint64_t where, const char *what)
{
	if (status == VMS_EXCLUDED)
		k->stats->excluded += size;
	else
		k->stats->unreadable += size;
	vms_stats_error(k->stats, status, level, addr, where, what);
}

/* The flags smaps_account() reads, as VMS_CP_* bits (the head's, but for young). */
static unsigned page_bits(const struct vms_pageinfo *pi)
{
	return (pi->anon ? VMS_CP_ANON : 0) | (pi->ksm ? VMS_CP_KSM : 0) |
	       (pi->swapbacked ? VMS_CP_SWAPBACKED : 0) | (pi->dirty ? VMS_CP_DIRTY : 0) |
	       (pi->referenced ? VMS_CP_REFERENCED : 0) | (pi->young ? VMS_CP_YOUNG : 0);
}

/* smaps_page_accumulate() */
static void accumulate(struct vms_sink *k, unsigned bits, uint64_t size, uint64_t pss, bool dirty,
		       bool private)
{
	struct vms_stats *s = k->stats;

	s->pss += pss;
	if (bits & VMS_CP_ANON)
		s->pss_anon += pss;
	else if (bits & VMS_CP_SWAPBACKED)
		s->pss_shmem += pss;
	else
		s->pss_file += pss;
	if (k->vma->locked)
		s->pss_locked += pss;
	if (dirty || (bits & VMS_CP_DIRTY)) {
		s->pss_dirty += pss;
		if (private)
			s->private_dirty += size;
		else
			s->shared_dirty += size;
	} else {
		if (private)
			s->private_clean += size;
		else
			s->shared_clean += size;
	}
}

/* The first half of smaps_account(): what depends only on size and flags. */
static void account_size(struct vms_sink *k, unsigned bits, uint64_t size, bool young, bool dirty)
{
	struct vms_stats *s = k->stats;

	if (bits & VMS_CP_ANON) {
		s->anonymous += size;
		if (!(bits & VMS_CP_SWAPBACKED) && !dirty && !(bits & VMS_CP_DIRTY))
			s->lazyfree += size;
	}
	if (bits & VMS_CP_KSM)
		s->ksm += size;
	s->resident += size;
	if (young || (bits & (VMS_CP_YOUNG | VMS_CP_REFERENCED)))
		s->referenced += size;
}

/* smaps_account() for one present small page: the common case. */
static void account_small(struct vms_sink *k, unsigned bits, int64_t refcount, int64_t mapcount,
			  bool young, bool dirty)
{
	account_size(k, bits, VMS_PAGE_SIZE, young, dirty);
	/* refcount == 1: mapped exactly once, so private and whole. */
	uint64_t pss = VMS_PAGE_SIZE << VMS_PSS_SHIFT;
	if (refcount == 1) {
		accumulate(k, bits, VMS_PAGE_SIZE, pss, dirty, true);
		return;
	}
	if (mapcount >= 2)
		pss /= (uint64_t)mapcount;
	accumulate(k, bits, VMS_PAGE_SIZE, pss, dirty, mapcount < 2);
}

/*
 * smaps_account().  present is false for migration (and, from 6.12, every
 * non-present) entries; pi is the mapped page (the head for a PMD).
 */
static void account_page(struct vms_sink *k, uint64_t addr, const struct vms_pageinfo *pi,
			 bool compound, bool young, bool dirty, bool present)
{
	const struct vms_acct *a = k->acct;
	unsigned bits = page_bits(pi);
	uint64_t nr = compound ? 1ULL << pi->order : 1;
	uint64_t size = nr * VMS_PAGE_SIZE;

	if (!compound && present) {
		account_small(k, bits, pi->refcount, pi->mapcount, young, dirty);
		return;
	}
	account_size(k, bits, size, young, dirty);
	/* refcount == 1: mapped exactly once, so private and whole. */
	if (pi->refcount == 1 || !present) {
		accumulate(k, bits, size, size << VMS_PSS_SHIFT, dirty,
			   a->model->nonpresent_shared ? present : true);
		return;
	}
	for (uint64_t i = 0; i < nr; i++) {
		struct vms_pageinfo sub = *pi;
		if (compound) {
			int st = vms_page_get(a->memmap, pi->pfn + i, &sub);
			if (st) {
				lost(k, addr + i * VMS_PAGE_SIZE, VMS_PAGE_SIZE, st, -1,
				     pi->pfn + i, "struct page of a subpage");
				continue;
			}
		}
		uint64_t pss = VMS_PAGE_SIZE << VMS_PSS_SHIFT;
		if (sub.mapcount >= 2)
			pss /= (uint64_t)sub.mapcount;
		accumulate(k, bits, VMS_PAGE_SIZE, pss, dirty, sub.mapcount < 2);
	}
}

static const unsigned char zero_page[VMS_PAGE_SIZE];

/* Read populated pages and count those that hold only zeros. */
static void scan_content(struct vms_sink *k, uint64_t addr, uint64_t pfn, uint64_t npages)
{
	const struct vms_acct *a = k->acct;
	for (uint64_t i = 0; i < npages; i++) {
		int st = a->mem->read_phys(a->mem->ctx, (pfn + i) << VMS_PAGE_SHIFT, k->page_buf);
		if (a->counters)
			a->counters->content_reads++;
		if (st) {
			lost(k, addr + i * VMS_PAGE_SIZE, VMS_PAGE_SIZE, st, -1,
			     (pfn + i) << VMS_PAGE_SHIFT, "page content");
			continue;
		}
		k->stats->scanned += VMS_PAGE_SIZE;
		/* memcmp, not a cast to uint64_t *: page_buf need not be aligned */
		if (!memcmp(k->page_buf, zero_page, VMS_PAGE_SIZE))
			k->stats->zero_content += VMS_PAGE_SIZE;
	}
}

/* The struct page behind an entry's pfn, or false (already recorded). */
static bool get_page(struct vms_sink *k, uint64_t addr, uint64_t pfn, uint64_t size,
		     struct vms_pageinfo *pi)
{
	int st = vms_page_get(k->acct->memmap, pfn, pi);
	if (st) {
		lost(k, addr, size, st, -1, pfn, "struct page");
		return false;
	}
	return true;
}

/* swp_swapcount(): the map count of a swap slot, SWAP_HAS_CACHE masked. */
static unsigned swap_count(struct vms_sink *k, const struct vms_entry *e, bool *ok)
{
	const struct vms_acct *a = k->acct;
	*ok = true;
	if (!a->swap || e->swap_type >= a->nswap)
		return 0;
	const struct vms_swapdev *d = &a->swap[e->swap_type];
	if (!d->used || e->swap_offset >= d->max || !a->kcache)
		return 0;
	unsigned char c;
	if (vms_kcache_read(a->kcache, d->swap_map + e->swap_offset, &c, 1)) {
		*ok = false;
		return 0;
	}
	/* COUNT_CONTINUED (more than 62 sharers) lives in extra pages not followed here. */
	if (c & 0x80)
		*ok = false;
	return c & 0x3f;
}

static void account_swap(struct vms_sink *k, uint64_t addr, const struct vms_entry *e)
{
	struct vms_stats *s = k->stats;
	bool ok;
	unsigned count = swap_count(k, e, &ok);

	s->swap += VMS_PAGE_SIZE;
	if (count >= 2)
		s->swap_pss += (VMS_PAGE_SIZE << VMS_PSS_SHIFT) / count;
	else
		s->swap_pss += VMS_PAGE_SIZE << VMS_PSS_SHIFT;
	if (!ok)
		vms_stats_error(s, VMS_CORRUPT, VMS_PTE, addr, e->raw, "swap count not read");
}

/* smaps_pmd_entry(): which *PmdMapped line a PMD-mapped page adds to. */
static void count_pmd_mapped(struct vms_stats *s, const struct vms_pageinfo *pi, uint64_t size)
{
	if (pi->anon)
		s->anonymous_thp += size;
	else if (pi->swapbacked)
		s->shmem_thp += size;
	else
		s->file_thp += size;
}

/* Entries that carry a pfn instead of a swap slot (smaps: is_pfn_swap_entry). */
static void account_pfn_entry(struct vms_sink *k, uint64_t addr, uint64_t size, bool compound,
			      const struct vms_entry *e)
{
	const struct vms_model *m = k->acct->model;
	struct vms_pageinfo pi;
	bool present;

	k->stats->nonswap += size;
	if (e->kind == VMS_E_MARKER)
		return;
	if (e->kind == VMS_E_HWPOISON && !m->hwpoison_has_page)
		return;
	/* 6.12 counts only device-private pages as present; earlier kernels
	 * treat every pfn entry but a migration entry as mapped. */
	if (m->nonpresent_shared)
		present = e->kind == VMS_E_DEVICE;
	else
		present = e->kind != VMS_E_MIGRATION;
	if (!k->acct->memmap || !get_page(k, addr, e->pfn, size, &pi))
		return;
	/* a THP under migration still counts as AnonHugePages (or the like) */
	if (compound)
		count_pmd_mapped(k->stats, &pi, size);
	account_page(k, addr, &pi, compound, false, false, present);
}

static int pte_entry(struct vms_walk *w, uint64_t addr, const struct vms_entry *e)
{
	struct vms_sink *k = w->priv;
	const struct vms_model *m = k->acct->model;
	struct vms_stats *s = k->stats;

	if (e->kind == VMS_E_SWAP) {
		account_swap(k, addr, e);
		return 0;
	}
	if (e->kind != VMS_E_LEAF) {
		account_pfn_entry(k, addr, VMS_PAGE_SIZE, false, e);
		return 0;
	}
	/* vm_normal_page() */
	if (e->special) {
		if (e->pfn == m->zero_pfn && !k->vma->pfnmap)
			s->zero_page += VMS_PAGE_SIZE;
		else
			s->special += VMS_PAGE_SIZE;
		if (k->vma->find_special_page)
			vms_stats_error(s, VMS_CORRUPT, VMS_PTE, addr, e->raw,
					"special page of a driver (find_special_page) not counted");
		return 0;
	}
	if (e->pfn > m->highest_memmap_pfn) {
		s->special += VMS_PAGE_SIZE;
		if (!k->vma->pfnmap)
			vms_stats_error(s, VMS_CORRUPT, VMS_PTE, addr, e->raw,
					"pfn beyond the memory map");
		return 0;
	}
	s->populated += VMS_PAGE_SIZE;
	if (k->acct->scan_content)
		scan_content(k, addr, e->pfn, 1);
	if (!k->acct->memmap)
		return 0;
	struct vms_pageinfo pi;
	if (!get_page(k, addr, e->pfn, VMS_PAGE_SIZE, &pi))
		return 0;
	if (pi.compound && !pi.hugetlb) {
		s->pte_thp += VMS_PAGE_SIZE;
		if ((addr ^ (e->pfn << VMS_PAGE_SHIFT)) & (VMS_PMD_SIZE - 1))
			s->unaligned_thp += VMS_PAGE_SIZE;
	}
	account_page(k, addr, &pi, false, e->young, e->dirty, true);
	return 0;
}

/* smaps_hugetlb_range(): hugetlb pages count only as *_Hugetlb. */
static void hugetlb_entry(struct vms_sink *k, uint64_t start, uint64_t end,
			  const struct vms_entry *e)
{
	struct vms_pageinfo pi;
	uint64_t size = k->vma->hugetlb_size ? k->vma->hugetlb_size : end - start;

	if (e->kind != VMS_E_LEAF && e->kind != VMS_E_MIGRATION)
		return;
	if (!k->acct->memmap || !get_page(k, start, e->pfn, end - start, &pi))
		return;
	if (e->kind == VMS_E_MIGRATION && k->acct->model->nonpresent_shared)
		pi.mapcount = 2;
	if (pi.mapcount >= 2)
		k->stats->shared_hugetlb += size;
	else
		k->stats->private_hugetlb += size;
}

static int huge_entry(struct vms_walk *w, uint64_t start, uint64_t end, int level,
		      const struct vms_entry *e)
{
	struct vms_sink *k = w->priv;
	const struct vms_model *m = k->acct->model;
	struct vms_stats *s = k->stats;
	uint64_t size = end - start;

	if (k->vma->hugetlb) {
		hugetlb_entry(k, start, end, e);
		return 0;
	}
	if (level != VMS_PMD || size != VMS_PMD_SIZE) {
		/* smaps walks no PUD leaves outside hugetlb, nor partial PMDs */
		s->special += size;
		vms_stats_error(s, VMS_CORRUPT, level, start, e->raw, "huge entry not accounted");
		return 0;
	}
	if (e->kind == VMS_E_SWAP) {
		vms_stats_error(s, VMS_CORRUPT, level, start, e->raw, "swap entry in a PMD");
		s->unreadable += size;
		return 0;
	}
	if (e->kind != VMS_E_LEAF) {
		account_pfn_entry(k, start, size, true, e);
		return 0;
	}
	if (e->pfn == m->huge_zero_pfn) {
		s->huge_zero_page += size;
		return 0;
	}
	/* vm_normal_page_pmd() and follow_trans_huge_pmd() */
	if (e->devmap || e->special || e->pfn > m->highest_memmap_pfn) {
		s->special += size;
		/* as for a PTE: outside a PFNMAP VMA this is the kernel's bad_pte */
		if (!e->devmap && !e->special && !k->vma->pfnmap)
			vms_stats_error(s, VMS_CORRUPT, level, start, e->raw,
					"pfn beyond the memory map");
		return 0;
	}
	if (e->protnone && m->pmd_protnone_skipped) {
		s->populated += size;
		return 0;
	}
	s->populated += size;
	if (k->acct->scan_content)
		scan_content(k, start, e->pfn, size / VMS_PAGE_SIZE);
	if (!k->acct->memmap) {
		s->pmd_thp += size;
		return 0;
	}
	struct vms_pageinfo pi;
	if (!get_page(k, start, e->pfn, size, &pi))
		return 0;
	if (!pi.compound || pi.pfn != pi.head_pfn || pi.order != 9) {
		vms_stats_error(s, VMS_CORRUPT, level, start, e->raw, "PMD maps no 2 MiB page");
		s->unreadable += size;
		return 0;
	}
	s->pmd_thp += size;
	count_pmd_mapped(s, &pi, size);
	account_page(k, start, &pi, true, e->young, e->dirty, true);
	return 0;
}

static int hole(struct vms_walk *w, uint64_t start, uint64_t end, int level)
{
	struct vms_sink *k = w->priv;
	(void)level;
	k->stats->untouched += end - start;
	return 0;
}

static int error(struct vms_walk *w, uint64_t start, uint64_t end, int level, int status,
		 uint64_t where)
{
	struct vms_sink *k = w->priv;
	lost(k, start, end - start, status, level, where,
	     status == VMS_CORRUPT ? "invalid page-table entry" : "page table not readable");
	return 0;
}

/*
 * The common case a table at a time: empty entries and present, non-special
 * PTEs of small pages with a struct page (anonymous memory, page cache) are
 * accounted here, without decoding each entry in full; any other entry goes
 * to pte_entry or error exactly as the walker would have sent it.  This is
 * where smaps spends its time on a big process (issue: CPU per PTE on ELF
 * dumps, where reads are cheap).
 */
static int pte_table(struct vms_walk *w, uint64_t start, uint64_t end, const uint64_t *ent)
{
	struct vms_sink *k = w->priv;
	const struct vms_acct *a = k->acct;
	const struct vms_arch *arch = w->walker->arch;
	struct vms_stats *s = k->stats;

	if (!a->memmap || a->scan_content)
		return 0;
	const uint64_t pfn_mask = arch->phys_mask & ~(VMS_PAGE_SIZE - 1);
	const uint64_t odd = VMS_P_SPECIAL | arch->devmap_bit;
	const uint64_t highest = a->model->highest_memmap_pfn;
	const bool folio = a->layout->model == VMS_MAPCOUNT_FOLIO;
	/* Private small pages by class: flags ANON, SWAPBACKED, KSM (their own
	 * bits) plus dirty and referenced, from the entry or the page.  Adding
	 * n pages of a class at once is what adding them one by one would do. */
	enum { CLASS_DIRTY = VMS_CP_DIRTY, CLASS_REF = VMS_CP_REFERENCED };
	_Static_assert(((VMS_CP_ANON | VMS_CP_SWAPBACKED | VMS_CP_KSM) &
			(VMS_CP_DIRTY | VMS_CP_REFERENCED)) == 0, "class bits overlap");
	uint32_t classes[128] = { 0 };
	uint64_t populated = 0;
	unsigned first = (unsigned)(start >> VMS_PAGE_SHIFT) & (VMS_PTRS - 1);
	unsigned n = (unsigned)((end - start) >> VMS_PAGE_SHIFT);

	if (a->memmap->prefetch) {
		/* the struct pages this table needs, consecutive vmemmap pages
		 * in one read (ELF dumps: one system call instead of several) */
		uint64_t groups[VMS_PTRS], last = ~0ULL;
		unsigned ng = 0;
		for (unsigned i = 0; i < n; i++) {
			uint64_t raw = ent[first + i];
			if ((raw & (VMS_P_PRESENT | odd)) != VMS_P_PRESENT)
				continue;
			uint64_t pfn = (raw & pfn_mask) >> VMS_PAGE_SHIFT;
			if (pfn <= highest && pfn / VMS_MEMMAP_GROUP != last)
				groups[ng++] = last = pfn / VMS_MEMMAP_GROUP;
		}
		if (ng > 1)
			vms_memmap_prefetch(a->memmap, groups, ng);
	}
	for (unsigned i = 0; i < n; i++) {
		uint64_t raw = ent[first + i], addr = start + ((uint64_t)i << VMS_PAGE_SHIFT);
		if (vms_raw_none(raw)) {
			s->untouched += VMS_PAGE_SIZE;
			continue;
		}
		if ((raw & VMS_P_PRESENT) && !(raw & odd)) {
			uint64_t pfn = (raw & pfn_mask) >> VMS_PAGE_SHIFT;
			const struct vms_cpage *c = pfn <= highest ? vms_memmap_small(a->memmap, pfn) : NULL;
			/* the mapcount as vms_page_get() makes it: a 6.12 page
			 * type reads as 0, and nonsense goes to the slow path */
			int64_t mapcount = c ? (int64_t)c->mapcount + 1 : -1;
			if (c && folio && c->mapcount < (int32_t)0xff000000)
				mapcount = 0;
			if (c && c->count >= 0 && mapcount >= 0 && mapcount <= (1 << 24)) {
				bool dirty = (raw & VMS_P_DIRTY) ||
					     (arch->saved_dirty_bit && (raw & arch->saved_dirty_bit));
				bool young = raw & VMS_P_ACCESSED;
				populated++;
				if (c->count != 1 && mapcount >= 2) {
					account_small(k, c->bits, c->count, mapcount, young, dirty);
					continue;
				}
				/* mapped once: only its class matters, counted, added below */
				unsigned b = c->bits;
				classes[(b & (VMS_CP_ANON | VMS_CP_SWAPBACKED | VMS_CP_KSM)) |
					(dirty || (b & VMS_CP_DIRTY) ? CLASS_DIRTY : 0) |
					(young || (b & (VMS_CP_YOUNG | VMS_CP_REFERENCED)) ? CLASS_REF : 0)]++;
				continue;
			}
		}
		struct vms_entry e;
		vms_decode(arch, VMS_PTE, raw, &e);
		if (e.kind == VMS_E_BAD)
			error(w, addr, addr + VMS_PAGE_SIZE, VMS_PTE, VMS_CORRUPT, raw);
		else
			pte_entry(w, addr, &e);
	}
	s->populated += populated << VMS_PAGE_SHIFT;
	for (unsigned cls = 0; cls < 128; cls++) {
		if (!classes[cls])
			continue;
		uint64_t size = (uint64_t)classes[cls] << VMS_PAGE_SHIFT;
		bool dirty = cls & CLASS_DIRTY;
		account_size(k, cls & ~(unsigned)CLASS_REF, size, cls & CLASS_REF, dirty);
		accumulate(k, cls, size, size << VMS_PSS_SHIFT, dirty, true);
	}
	return VMS_WALK_TABLE_DONE;
}

const struct vms_walk_ops vms_account_ops = {
	.pte_entry = pte_entry,
	.huge_entry = huge_entry,
	.hole = hole,
	.error = error,
	.pte_table = pte_table,
};
