// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * runs.c: page runs.  Each entry extends the run in progress when it is of
 * the same kind, follows it in the address space and continues its offset
 * (pfn, swap slot or file page); zero and huge-zero pages continue any
 * adjacent run of their kind, since they are all the same page.
 */
#include "runs.h"

const char *vms_run_kind_name(enum vms_run_kind k)
{
	static const char *const names[] = {
		[VMS_RUN_NONE] = "none", [VMS_RUN_FILE] = "file",
		[VMS_RUN_PRESENT] = "present", [VMS_RUN_ZERO] = "zero",
		[VMS_RUN_HUGE_ZERO] = "huge_zero", [VMS_RUN_THP] = "thp",
		[VMS_RUN_SWAP] = "swap", [VMS_RUN_SPECIAL] = "special",
		[VMS_RUN_OTHER] = "other", [VMS_RUN_EXCLUDED] = "excluded",
		[VMS_RUN_ERROR] = "error",
	};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

int vms_runs_flush(struct vms_runs *r)
{
	int ret = 0;
	if (r->have && r->emit)
		ret = r->emit(r->arg, &r->cur);
	r->have = false;
	return ret;
}

int vms_runs_vma(struct vms_runs *r, uint64_t start, bool file, uint64_t pgoff)
{
	int ret = vms_runs_flush(r);
	r->vma_start = start;
	r->file = file;
	r->vma_pgoff = pgoff;
	return ret;
}

static bool continues(const struct vms_run *c, const struct vms_run *n)
{
	if (c->kind != n->kind || c->start + c->pages * VMS_PAGE_SIZE != n->start ||
	    c->protnone != n->protnone)
		return false;
	switch (n->kind) {
	case VMS_RUN_PRESENT:
	case VMS_RUN_THP:
	case VMS_RUN_SPECIAL:
	case VMS_RUN_OTHER:
		return n->pfn == c->pfn + c->pages;
	case VMS_RUN_SWAP:
		return n->swap_type == c->swap_type && n->swap_offset == c->swap_offset + c->pages;
	case VMS_RUN_FILE:
		return n->file_pgoff == c->file_pgoff + c->pages;
	default:
		return true;
	}
}

static int add(struct vms_runs *r, const struct vms_run *n)
{
	if (r->have && continues(&r->cur, n)) {
		r->cur.pages += n->pages;
		return 0;
	}
	int ret = vms_runs_flush(r);
	r->cur = *n;
	r->have = true;
	return ret;
}

static int pte_entry(struct vms_walk *w, uint64_t addr, const struct vms_entry *e)
{
	struct vms_runs *r = w->priv;
	const struct vms_model *m = r->model;
	struct vms_run n = { .start = addr, .pages = 1, .pfn = e->pfn };

	switch (e->kind) {
	case VMS_E_LEAF:
		n.protnone = e->protnone;
		if (e->special && e->pfn == m->zero_pfn)
			n.kind = VMS_RUN_ZERO;
		else if (e->special || e->pfn > m->highest_memmap_pfn)
			n.kind = VMS_RUN_SPECIAL;
		else
			n.kind = VMS_RUN_PRESENT;
		break;
	case VMS_E_SWAP:
		n.kind = VMS_RUN_SWAP;
		n.swap_type = e->swap_type;
		n.swap_offset = e->swap_offset;
		n.pfn = 0;
		break;
	default:
		n.kind = VMS_RUN_OTHER;
		break;
	}
	return add(r, &n);
}

static int huge_entry(struct vms_walk *w, uint64_t start, uint64_t end, int level,
		      const struct vms_entry *e)
{
	struct vms_runs *r = w->priv;
	uint64_t size = vms_level_size(level);
	/* the clipped range may start inside the leaf */
	uint64_t pfn = e->pfn + ((start & (size - 1)) >> VMS_PAGE_SHIFT);
	struct vms_run n = { .start = start, .pages = (end - start) >> VMS_PAGE_SHIFT, .pfn = pfn };

	if (e->kind != VMS_E_LEAF)
		n.kind = e->kind == VMS_E_SWAP ? VMS_RUN_ERROR : VMS_RUN_OTHER;
	else if (e->pfn == r->model->huge_zero_pfn)
		n.kind = VMS_RUN_HUGE_ZERO;
	else if (e->devmap || e->special || e->pfn > r->model->highest_memmap_pfn)
		n.kind = VMS_RUN_SPECIAL;
	else
		n.kind = VMS_RUN_THP;
	n.protnone = e->protnone;
	return add(r, &n);
}

static int hole(struct vms_walk *w, uint64_t start, uint64_t end, int level)
{
	struct vms_runs *r = w->priv;
	struct vms_run n = { .start = start, .pages = (end - start) >> VMS_PAGE_SHIFT };
	(void)level;
	if (r->file) {
		n.kind = VMS_RUN_FILE;
		n.file_pgoff = r->vma_pgoff + ((start - r->vma_start) >> VMS_PAGE_SHIFT);
	} else {
		n.kind = VMS_RUN_NONE;
	}
	return add(r, &n);
}

static int error(struct vms_walk *w, uint64_t start, uint64_t end, int level, int status,
		 uint64_t where)
{
	struct vms_runs *r = w->priv;
	struct vms_run n = { .start = start, .pages = (end - start) >> VMS_PAGE_SHIFT,
			     .kind = status == VMS_EXCLUDED ? VMS_RUN_EXCLUDED : VMS_RUN_ERROR };
	(void)level;
	(void)where;
	return add(r, &n);
}

/*
 * A table at a time: a present 4 KiB page that continues the run of present
 * pages in progress only lengthens it, so it needs no full decode; every
 * other entry goes where the walker would have sent it (empty entries one
 * by one: adjacent holes merge into one run all the same).
 */
static int pte_table(struct vms_walk *w, uint64_t start, uint64_t end, const uint64_t *ent)
{
	struct vms_runs *r = w->priv;
	const struct vms_arch *a = w->walker->arch;
	const uint64_t pfn_mask = a->phys_mask & ~(VMS_PAGE_SIZE - 1);
	const uint64_t highest = r->model->highest_memmap_pfn;
	unsigned first = (unsigned)(start >> VMS_PAGE_SHIFT) & (VMS_PTRS - 1);
	unsigned n = (unsigned)((end - start) >> VMS_PAGE_SHIFT);

	for (unsigned i = 0; i < n; i++) {
		uint64_t raw = ent[first + i], addr = start + ((uint64_t)i << VMS_PAGE_SHIFT);
		struct vms_run *c = &r->cur;
		if ((raw & (VMS_P_PRESENT | VMS_P_SPECIAL)) == VMS_P_PRESENT && r->have &&
		    c->kind == VMS_RUN_PRESENT && !c->protnone) {
			uint64_t pfn = (raw & pfn_mask) >> VMS_PAGE_SHIFT;
			if (pfn <= highest && pfn == c->pfn + c->pages &&
			    c->start + (c->pages << VMS_PAGE_SHIFT) == addr) {
				c->pages++;
				continue;
			}
		}
		struct vms_entry e;
		int ret;
		vms_decode(a, VMS_PTE, raw, &e);
		if (e.kind == VMS_E_NONE)
			ret = hole(w, addr, addr + VMS_PAGE_SIZE, VMS_PTE);
		else if (e.kind == VMS_E_BAD)
			ret = error(w, addr, addr + VMS_PAGE_SIZE, VMS_PTE, VMS_CORRUPT, raw);
		else
			ret = pte_entry(w, addr, &e);
		if (ret)
			return ret;
	}
	return VMS_WALK_TABLE_DONE;
}

const struct vms_walk_ops vms_runs_ops = {
	.pte_entry = pte_entry,
	.huge_entry = huge_entry,
	.hole = hole,
	.error = error,
	.pte_table = pte_table,
};
