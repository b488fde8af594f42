/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pte.h: x86_64 page-table entries, decoded as the kernel reads them
 * (arch/x86/include/asm/pgtable*.h, include/linux/swapops.h).
 *
 * Levels are numbered as the kernel's pte_hole depth reversed: 0 is the PTE,
 * 1 the PMD, 2 the PUD, 3 the P4D (the top with 4-level paging), 4 the PGD of
 * 5-level paging.  An entry at level L spans 1 << (12 + 9 L) bytes.
 */
#ifndef VMS_PTE_H
#define VMS_PTE_H

#include "vms.h"

enum vms_level { VMS_PTE = 0, VMS_PMD = 1, VMS_PUD = 2, VMS_P4D = 3, VMS_PGD5 = 4 };

static inline unsigned vms_level_shift(int level) { return VMS_PAGE_SHIFT + 9 * (unsigned)level; }
static inline uint64_t vms_level_size(int level) { return 1ULL << vms_level_shift(level); }

/* Entry bits (pgtable_types.h). */
#define VMS_P_PRESENT (1ULL << 0)
#define VMS_P_RW (1ULL << 1)
#define VMS_P_USER (1ULL << 2)
#define VMS_P_ACCESSED (1ULL << 5)
#define VMS_P_DIRTY (1ULL << 6)
#define VMS_P_PSE (1ULL << 7)
#define VMS_P_PROTNONE (1ULL << 8)	/* = _PAGE_GLOBAL, meaningful only when not present */
#define VMS_P_SPECIAL (1ULL << 9)
#define VMS_P_UFFD_WP (1ULL << 10)
#define VMS_P_SOFT_DIRTY (1ULL << 11)
#define VMS_P_NX (1ULL << 63)

/*
 * What differs between kernels and machines; filled once per command by
 * the glue (from symbols and DWARF), or by hand in the tests.
 */
struct vms_arch {
	int levels;			/* 4 or 5 */
	uint64_t phys_mask;		/* physical_mask: address bits of an entry (no SME C-bit) */
	uint64_t max_pfn;		/* highest pfn a page table may live at */
	uint64_t devmap_bit;		/* _PAGE_DEVMAP: bit 58 up to 6.11, 57 from 6.12 */
	uint64_t saved_dirty_bit;	/* _PAGE_SAVED_DIRTY (6.12, bit 58) counts as dirty; 0 before */
	unsigned max_swapfiles;		/* types at or above it are not swap devices */
	unsigned swp_pfn_bits;		/* pfn bits in a pfn-carrying entry's offset; 0: all (5.10) */
	/* Types of the non-swap entries (0xff: none in this kernel). */
	unsigned swp_hwpoison;
	unsigned swp_migration_first, swp_migration_last;
	unsigned swp_device_first, swp_device_last;
	unsigned swp_marker, swp_swapin_error;
};

/* Fill the entry-type layout from MAX_SWAPFILES, as <linux/swap.h> stacks
 * the special types above it.  mig: 2 (5.10) or 3 (6.1+); marker and
 * swapin_error: whether the kernel has those types. */
void vms_arch_swap_types(struct vms_arch *a, unsigned max_swapfiles, unsigned mig,
			 bool marker, bool swapin_error);

enum vms_kind {
	VMS_E_NONE,		/* no entry */
	VMS_E_TABLE,		/* points to the next level's table */
	VMS_E_LEAF,		/* maps a page (4 KiB, or 2 MiB / 1 GiB at PMD / PUD) */
	VMS_E_SWAP,		/* a swap entry: type and offset on a swap device */
	VMS_E_MIGRATION,	/* the page at pfn is being migrated */
	VMS_E_DEVICE,		/* device-private / exclusive page at pfn */
	VMS_E_HWPOISON,		/* a poisoned page at pfn */
	VMS_E_MARKER,		/* a PTE marker (uffd-wp, poison, swapin error) */
	VMS_E_BAD,		/* cannot be a valid entry at this level */
};

struct vms_entry {
	uint64_t raw;
	enum vms_kind kind;
	uint64_t pfn;		/* TABLE, LEAF and the pfn-carrying kinds */
	unsigned swap_type;	/* every swap-format kind */
	uint64_t swap_offset;
	bool protnone;		/* LEAF with PROT_NONE / NUMA-hint protection */
	bool young, dirty, write, special, devmap, soft_dirty, uffd_wp;
};

/* Decode one entry found at a level.  Never fails: nonsense is VMS_E_BAD. */
void vms_decode(const struct vms_arch *a, int level, uint64_t raw, struct vms_entry *e);

/* The kernel's pte_none / pmd_none: the KNL erratum bits (A, D) alone are none. */
static inline bool vms_raw_none(uint64_t raw) { return (raw & ~(VMS_P_ACCESSED | VMS_P_DIRTY)) == 0; }

const char *vms_kind_name(enum vms_kind k);

#endif
