/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * walk.h: the one page-table walker every vmscope command uses.
 *
 * Shaped after the kernel's mm/pagewalk.c: a walk over [start, end) of one
 * address space calls back per entry, and the callbacks (the sinks) never
 * walk.  Like drgn's x86_64 iterator it keeps one table page per level, read
 * whole with one read_phys, so a table is read once however many VMAs share
 * it (VMAs are walked in address order), and an empty upper entry skips its
 * whole span at once.
 *
 * Callback return convention (as walk_page_range): 0 go on; anything else
 * stops the walk and is returned by vms_walk_range.
 */
#ifndef VMS_WALK_H
#define VMS_WALK_H

#include "pte.h"

struct vms_walk;

struct vms_walk_ops {
	/* A PTE that is not pte_none: a leaf, or a swap-format entry. */
	int (*pte_entry)(struct vms_walk *w, uint64_t addr, const struct vms_entry *e);
	/* A PMD or PUD that is not a table (a huge leaf or a swap-format entry),
	 * clipped to the walked range: [start, end). */
	int (*huge_entry)(struct vms_walk *w, uint64_t start, uint64_t end, int level,
			  const struct vms_entry *e);
	/* [start, end) has no entry; level is where the emptiness was found. */
	int (*hole)(struct vms_walk *w, uint64_t start, uint64_t end, int level);
	/* [start, end) is lost: the table at level could not be read (status
	 * from read_phys, where = its physical address), or the entry covering
	 * it cannot be valid (VMS_CORRUPT, where = the raw entry). */
	int (*error)(struct vms_walk *w, uint64_t start, uint64_t end, int level, int status,
		     uint64_t where);
	/* Optional: a PTE table is about to be visited over [start, end).  It
	 * may account the whole span itself (a sink's fast path) and return
	 * VMS_WALK_TABLE_DONE: the walker then calls nothing for its entries. */
	int (*pte_table)(struct vms_walk *w, uint64_t start, uint64_t end, const uint64_t *entries);
};

#define VMS_WALK_TABLE_DONE 0x7ffe	/* only from pte_table; not a stop */

/* One table page per level, kept for the life of a walker (one command). */
struct vms_table_cache {
	uint64_t paddr;
	int status;		/* of the read that filled it */
	bool valid;
	uint64_t ent[VMS_PTRS];
};

struct vms_walker {
	const struct vms_arch *arch;
	const struct vms_mem *mem;
	struct vms_counters *counters;	/* may be NULL */
	struct vms_table_cache cache[5];
};

struct vms_walk {
	struct vms_walker *walker;
	const struct vms_walk_ops *ops;
	void *priv;
};

void vms_walker_init(struct vms_walker *wk, const struct vms_arch *arch,
		     const struct vms_mem *mem, struct vms_counters *counters);

/* Forget cached tables (a new address space, or memory that may have moved). */
void vms_walker_forget(struct vms_walker *wk);

/*
 * Walk [start, end) (page-aligned, start < end, below the top of user space)
 * of the address space whose top-level table is at root_paddr.
 */
int vms_walk_range(struct vms_walker *wk, uint64_t root_paddr, uint64_t start, uint64_t end,
		   const struct vms_walk_ops *ops, void *priv);

/* The exclusive top of the user address space for the arch's paging depth. */
uint64_t vms_user_top(const struct vms_arch *a);

#endif
