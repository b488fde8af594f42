// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * walk.c: the page-table walk.
 *
 * One function per level would repeat itself five times; the levels differ
 * only in what a leaf means, so one loop serves them all and recursion goes
 * down exactly one level per call (so damage can never make it loop).
 */
#include <string.h>

#include "walk.h"

void vms_walker_init(struct vms_walker *wk, const struct vms_arch *arch,
		     const struct vms_mem *mem, struct vms_counters *counters)
{
	memset(wk, 0, sizeof(*wk));
	wk->arch = arch;
	wk->mem = mem;
	wk->counters = counters;
}

void vms_walker_forget(struct vms_walker *wk)
{
	for (int i = 0; i < 5; i++)
		wk->cache[i].valid = false;
}

uint64_t vms_user_top(const struct vms_arch *a)
{
	/* TASK_SIZE_MAX: one page below the canonical hole. */
	return (a->levels == 5 ? 1ULL << 56 : 1ULL << 47) - VMS_PAGE_SIZE;
}

/* The table at paddr for this level: from the cache, or one read. */
static int table_get(struct vms_walker *wk, int level, uint64_t paddr, const uint64_t **ent_ret)
{
	struct vms_table_cache *c = &wk->cache[level];

	if (!c->valid || c->paddr != paddr) {
		c->paddr = paddr;
		c->valid = true;
		c->status = wk->mem->read_phys(wk->mem->ctx, paddr, c->ent);
		if (wk->counters)
			wk->counters->table_reads++;
	}
	*ent_ret = c->ent;
	return c->status;
}

static int walk_level(struct vms_walk *w, int level, uint64_t table, uint64_t start, uint64_t end)
{
	const struct vms_walk_ops *ops = w->ops;
	const struct vms_arch *a = w->walker->arch;
	const unsigned shift = vms_level_shift(level);
	const uint64_t span = 1ULL << shift;
	const uint64_t *ent;
	int ret;

	int st = table_get(w->walker, level, table, &ent);
	if (st)
		return ops->error ? ops->error(w, start, end, level, st, table) : 0;
	if (level == VMS_PTE && ops->pte_table) {
		ret = ops->pte_table(w, start, end, ent);
		if (ret == VMS_WALK_TABLE_DONE)
			return 0;
		if (ret)
			return ret;
	}

	for (uint64_t addr = start; addr < end;) {
		unsigned idx = (unsigned)(addr >> shift) & (VMS_PTRS - 1);
		uint64_t next = vms_min((addr & ~(span - 1)) + span, end);
		struct vms_entry e;

		vms_decode(a, level, ent[idx], &e);
		if (e.kind == VMS_E_NONE) {
			/* Gather the run of empty entries into one hole. */
			while (next < end && idx + 1 < VMS_PTRS && vms_raw_none(ent[idx + 1])) {
				idx++;
				next = vms_min(next + span, end);
			}
			ret = ops->hole ? ops->hole(w, addr, next, level) : 0;
		} else if (e.kind == VMS_E_BAD) {
			ret = ops->error ? ops->error(w, addr, next, level, VMS_CORRUPT, e.raw) : 0;
		} else if (e.kind == VMS_E_TABLE) {
			ret = level > VMS_PTE ? walk_level(w, level - 1, e.pfn << VMS_PAGE_SHIFT, addr, next)
					      : 0;
		} else if (level == VMS_PTE) {
			ret = ops->pte_entry ? ops->pte_entry(w, addr, &e) : 0;
		} else if (level <= VMS_PUD) {
			ret = ops->huge_entry ? ops->huge_entry(w, addr, next, level, &e) : 0;
		} else {
			ret = ops->error ? ops->error(w, addr, next, level, VMS_CORRUPT, e.raw) : 0;
		}
		if (ret)
			return ret;
		addr = next;
	}
	return 0;
}

int vms_walk_range(struct vms_walker *wk, uint64_t root_paddr, uint64_t start, uint64_t end,
		   const struct vms_walk_ops *ops, void *priv)
{
	struct vms_walk w = { .walker = wk, .ops = ops, .priv = priv };
	int top = wk->arch->levels == 5 ? VMS_PGD5 : VMS_P4D;

	if (start >= end)
		return 0;
	if (end > vms_user_top(wk->arch) + VMS_PAGE_SIZE)
		return ops->error ? ops->error(&w, start, end, top, VMS_CORRUPT, end) : 0;
	return walk_level(&w, top, root_paddr & ~(VMS_PAGE_SIZE - 1), start, end);
}
