// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pte.c: decode x86_64 page-table entries.
 *
 * Follows arch/x86/include/asm/pgtable.h and pgtable_64.h of 5.10 to 6.12.
 * Two kernel habits matter most: L1TF inversion (any non-zero entry without
 * _PAGE_PRESENT stores its pfn, or its swap offset, bit-inverted) and the
 * stacking of special swap types above MAX_SWAPFILES.
 */
#include "pte.h"

#define NO_TYPE 0xffu

void vms_arch_swap_types(struct vms_arch *a, unsigned max_swapfiles, unsigned mig,
			 bool marker, bool swapin_error)
{
	unsigned used = 1 + mig + (marker ? 1 : 0) + (swapin_error ? 1 : 0);
	unsigned dev = max_swapfiles + used <= 32 ? 32 - max_swapfiles - used : 0;
	unsigned t = max_swapfiles;

	a->max_swapfiles = max_swapfiles;
	a->swp_hwpoison = t++;
	a->swp_migration_first = t;
	t += mig;
	a->swp_migration_last = t - 1;
	a->swp_device_first = dev ? t : NO_TYPE;
	a->swp_device_last = dev ? t + dev - 1 : NO_TYPE;
	t += dev;
	a->swp_marker = marker ? t++ : NO_TYPE;
	a->swp_swapin_error = swapin_error ? t++ : NO_TYPE;
}

/* __pte_needs_invert(): non-zero and not present. */
static uint64_t invert_mask(uint64_t raw)
{
	return (raw && !(raw & VMS_P_PRESENT)) ? ~0ULL : 0;
}

static void decode_swap(const struct vms_arch *a, uint64_t raw, struct vms_entry *e)
{
	unsigned type = (unsigned)(raw >> 59);
	uint64_t offset = (~raw << 5) >> 14;
	uint64_t pfn = a->swp_pfn_bits ? offset & ((1ULL << a->swp_pfn_bits) - 1) : offset;

	e->swap_type = type;
	e->swap_offset = offset;
	e->soft_dirty = raw & (1ULL << 1);	/* _PAGE_SWP_SOFT_DIRTY */
	e->uffd_wp = raw & (1ULL << 2);		/* _PAGE_SWP_UFFD_WP */
	if (type < a->max_swapfiles) {
		e->kind = VMS_E_SWAP;
		return;
	}
	e->pfn = pfn;
	if (type == a->swp_hwpoison)
		e->kind = VMS_E_HWPOISON;
	else if (type >= a->swp_migration_first && type <= a->swp_migration_last)
		e->kind = VMS_E_MIGRATION;
	else if (a->swp_device_first != NO_TYPE && type >= a->swp_device_first &&
		 type <= a->swp_device_last)
		e->kind = VMS_E_DEVICE;
	else if (type == a->swp_marker || type == a->swp_swapin_error)
		e->kind = VMS_E_MARKER;
	else
		e->kind = VMS_E_BAD;
	if (e->kind != VMS_E_MARKER && e->kind != VMS_E_BAD && a->max_pfn && pfn > a->max_pfn)
		e->kind = VMS_E_BAD;
}

static void leaf_bits(const struct vms_arch *a, uint64_t raw, struct vms_entry *e)
{
	e->young = raw & VMS_P_ACCESSED;
	e->dirty = (raw & VMS_P_DIRTY) || (a->saved_dirty_bit && (raw & a->saved_dirty_bit));
	e->write = raw & VMS_P_RW;
	e->special = raw & VMS_P_SPECIAL;
	e->devmap = a->devmap_bit && (raw & a->devmap_bit);
	e->soft_dirty = raw & VMS_P_SOFT_DIRTY;
	e->uffd_wp = raw & VMS_P_UFFD_WP;
	e->protnone = (raw & (VMS_P_PRESENT | VMS_P_PROTNONE)) == VMS_P_PROTNONE;
}

static void decode_leaf(const struct vms_arch *a, int level, uint64_t raw, struct vms_entry *e)
{
	uint64_t size_mask = vms_level_size(level) - 1;

	e->kind = VMS_E_LEAF;
	e->pfn = (((raw ^ invert_mask(raw)) & a->phys_mask) & ~size_mask) >> VMS_PAGE_SHIFT;
	leaf_bits(a, raw, e);
}

static void decode_table(const struct vms_arch *a, uint64_t raw, struct vms_entry *e)
{
	e->kind = VMS_E_TABLE;
	e->pfn = (raw & a->phys_mask & ~(VMS_PAGE_SIZE - 1)) >> VMS_PAGE_SHIFT;
	/* A table beyond memory is damage, not something to read. */
	if (a->max_pfn && e->pfn > a->max_pfn)
		e->kind = VMS_E_BAD;
}

void vms_decode(const struct vms_arch *a, int level, uint64_t raw, struct vms_entry *e)
{
	*e = (struct vms_entry){ .raw = raw, .kind = VMS_E_NONE };
	if (vms_raw_none(raw))
		return;
	switch (level) {
	case VMS_PTE:
		/* pte_present(): PRESENT or PROTNONE */
		if (raw & (VMS_P_PRESENT | VMS_P_PROTNONE))
			decode_leaf(a, level, raw, e);
		else
			decode_swap(a, raw, e);
		return;
	case VMS_PMD:
		/* pmd_present() also holds PSE alone: a THP between invalidate and set */
		if (raw & VMS_P_PSE)
			decode_leaf(a, level, raw, e);
		else if (raw & VMS_P_PRESENT)
			decode_table(a, raw, e);
		else if (raw & VMS_P_PROTNONE)
			e->kind = VMS_E_BAD;
		else
			decode_swap(a, raw, e);	/* a THP migration entry */
		return;
	case VMS_PUD:
		if (!(raw & VMS_P_PRESENT))
			e->kind = VMS_E_BAD;
		else if (raw & VMS_P_PSE)
			decode_leaf(a, level, raw, e);
		else
			decode_table(a, raw, e);
		return;
	default:
		if ((raw & VMS_P_PRESENT) && !(raw & VMS_P_PSE))
			decode_table(a, raw, e);
		else
			e->kind = VMS_E_BAD;
		return;
	}
}

const char *vms_kind_name(enum vms_kind k)
{
	static const char *const names[] = {
		[VMS_E_NONE] = "none", [VMS_E_TABLE] = "table", [VMS_E_LEAF] = "leaf",
		[VMS_E_SWAP] = "swap", [VMS_E_MIGRATION] = "migration",
		[VMS_E_DEVICE] = "device", [VMS_E_HWPOISON] = "hwpoison",
		[VMS_E_MARKER] = "marker", [VMS_E_BAD] = "bad",
	};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

const char *vms_status_name(int status)
{
	switch (status) {
	case VMS_OK: return "ok";
	case VMS_EXCLUDED: return "excluded from the dump";
	case VMS_READ_ERROR: return "read error";
	case VMS_CORRUPT: return "corrupt";
	case VMS_NOMEM: return "out of memory";
	case VMS_STOP: return "stopped";
	default: return "unknown error";
	}
}
