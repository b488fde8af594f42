// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * thp.c: THPeligible, ported rule by rule from each kernel, with a reason
 * for every "no".  The order of the tests is the kernel's: where two
 * reasons hold, the one the kernel checks first is given.
 */
#include "thp.h"

#define PMD_ORDER 9
#define VM_NO_KHUGEPAGED \
	(VMS_VM_IO | VMS_VM_DONTEXPAND | VMS_VM_PFNMAP | VMS_VM_MIXEDMAP | VMS_VM_HUGETLB)
#define STACK_INCOMPLETE (VMS_VM_RAND_READ | VMS_VM_SEQ_READ)

static bool flag(const struct vms_thp_sys *s, int bit)
{
	return s->flags & (1ULL << bit);
}

static int no(const char **reason, const char *why)
{
	if (reason)
		*reason = why;
	return 0;
}

static int yes(const char **reason)
{
	if (reason)
		*reason = "";
	return 1;
}

/* vma_is_temporary_stack(): a stack still being set up by exec. */
static bool temporary_stack(const struct vms_thp_vma *v)
{
	return (v->flags & VMS_VM_GROWSDOWN) && (v->flags & STACK_INCOMPLETE) == STACK_INCOMPLETE;
}

/* Files must map their offset at a matching alignment (file THPs). */
static bool file_offset_aligned(const struct vms_thp_vma *v, unsigned order)
{
	return v->anonymous || (((v->start >> 12) - v->pgoff) & ((1ULL << order) - 1)) == 0;
}

/* transhuge_vma_suitable()/thp_vma_suitable_order() at addr; u64 arithmetic
 * wraps as the kernel's does for VMAs smaller than the window. */
static bool window_fits(const struct vms_thp_vma *v, uint64_t addr, unsigned order)
{
	uint64_t size = 1ULL << (12 + order);
	uint64_t haddr = addr & ~(size - 1);
	return !(haddr < v->start || haddr + size > v->end);
}

static const char *const R_NOMM = "no mm (gate VMA)";
static const char *const R_NOHUGE = "VM_NOHUGEPAGE (madvise)";
static const char *const R_MMF = "MMF_DISABLE_THP (prctl)";
static const char *const R_HW = "THP unsupported by the hardware";
static const char *const R_DAX = "DAX mapping";
static const char *const R_SPECIAL = "VM_IO, VM_PFNMAP, VM_MIXEDMAP, VM_DONTEXPAND or VM_HUGETLB";
static const char *const R_FIT = "too small or misaligned: no 2 MiB window";
static const char *const R_FILEOFF = "file offset not 2 MiB-aligned with the address";
static const char *const R_NEVER = "sysfs enabled=never";
static const char *const R_MADV = "sysfs enabled=madvise and no MADV_HUGEPAGE";
static const char *const R_FILE = "file mapping without READ_ONLY_THP_FOR_FS";
static const char *const R_STACK = "temporary stack";
static const char *const R_SHMEM = "shmem: huge pages not enabled (shmem_enabled / huge=)";
static const char *const R_NOTREG = "shmem: not a regular file";
static const char *const R_ORDERS = "sysfs: no THP size enabled for this mapping";

/* shmem_huge_enabled() (5.10), shmem_is_huge() (6.1) and
 * shmem_huge_global_enabled() (6.12) share this core. */
static bool shmem_huge_by_mount(const struct vms_thp_sys *s, const struct vms_thp_vma *v,
				bool plus_one)
{
	if (s->shmem_huge == VMS_SHMEM_DENY)
		return false;
	if (s->shmem_huge == VMS_SHMEM_FORCE)
		return true;
	uint64_t isize_pages = (uint64_t)((v->i_size > 0 ? v->i_size : 0) + 4095) >> 12;
	switch (v->sb_huge) {
	case VMS_SHMEM_ALWAYS:
		return true;
	case VMS_SHMEM_WITHIN_SIZE: {
		/* 5.10 rounds vm_pgoff up, 6.1+ vm_pgoff + 1, to the huge page */
		uint64_t idx = ((v->pgoff + (plus_one ? 1 : 0)) + 511) & ~511ULL;
		if ((plus_one || isize_pages >= 512) && isize_pages >= idx)
			return true;
	}
		/* fall through */
	case VMS_SHMEM_ADVISE:
		return v->flags & VMS_VM_HUGEPAGE;
	default:
		return false;
	}
}

static int rule_5_10(const struct vms_thp_sys *s, const struct vms_thp_vma *v, const char **r)
{
	uint64_t addr = (v->end & ~(VMS_PMD_SIZE - 1)) - VMS_PMD_SIZE;

	if (!file_offset_aligned(v, PMD_ORDER))
		return no(r, R_FILEOFF);
	if (!window_fits(v, addr, PMD_ORDER))
		return no(r, R_FIT);
	if (v->anonymous) {
		if (flag(s, VMS_THP_UNSUPPORTED))
			return no(r, R_HW);
		if (v->flags & VMS_VM_NOHUGEPAGE)
			return no(r, R_NOHUGE);
		if (v->mm_thp_disabled)
			return no(r, R_MMF);
		if (temporary_stack(v))
			return no(r, R_STACK);
		if (flag(s, VMS_THP_ALWAYS))
			return yes(r);
		if (flag(s, VMS_THP_MADVISE))
			return v->flags & VMS_VM_HUGEPAGE ? yes(r) : no(r, R_MADV);
		return no(r, R_NEVER);
	}
	if (v->shmem) {
		if (v->flags & VMS_VM_NOHUGEPAGE)
			return no(r, R_NOHUGE);
		if (v->mm_thp_disabled)
			return no(r, R_MMF);
		return shmem_huge_by_mount(s, v, false) ? yes(r) : no(r, R_SHMEM);
	}
	if (s->read_only_thp_for_fs && v->file && !(v->flags & VMS_VM_NOHUGEPAGE) &&
	    !v->mm_thp_disabled && !v->open_for_write && (v->flags & VMS_VM_EXEC))
		return yes(r);
	return no(r, R_FILE);
}

static int rule_6_1(const struct vms_thp_sys *s, const struct vms_thp_vma *v, const char **r)
{
	if (!v->has_mm)
		return no(r, R_NOMM);
	if (v->flags & VMS_VM_NOHUGEPAGE)
		return no(r, R_NOHUGE);
	if (v->mm_thp_disabled)
		return no(r, R_MMF);
	if (flag(s, VMS_THP_UNSUPPORTED))
		return no(r, R_HW);
	if (v->dax)
		return no(r, R_DAX);
	if (v->flags & VM_NO_KHUGEPAGED)
		return no(r, R_SPECIAL);
	if (!file_offset_aligned(v, PMD_ORDER))
		return no(r, R_FILEOFF);
	if (!window_fits(v, v->end - VMS_PMD_SIZE, PMD_ORDER))
		return no(r, R_FIT);
	if (v->shmem) {
		if (!v->regular)
			return no(r, R_NOTREG);
		return shmem_huge_by_mount(s, v, true) ? yes(r) : no(r, R_SHMEM);
	}
	if (!flag(s, VMS_THP_ALWAYS) && !flag(s, VMS_THP_MADVISE))
		return no(r, R_NEVER);
	if (!(v->flags & VMS_VM_HUGEPAGE) && !flag(s, VMS_THP_ALWAYS))
		return no(r, R_MADV);
	if (s->read_only_thp_for_fs && v->file && (v->flags & VMS_VM_EXEC) && !v->open_for_write &&
	    v->regular)
		return yes(r);
	if (!v->anonymous)
		return no(r, R_FILE);
	if (temporary_stack(v))
		return no(r, R_STACK);
	return yes(r);
}

static int highest_order(uint64_t orders)
{
	return orders ? 63 - __builtin_clzll(orders) : -1;
}

static uint64_t shmem_orders_6_12(const struct vms_thp_sys *s, const struct vms_thp_vma *v)
{
	if (flag(s, VMS_THP_UNSUPPORTED) || (v->flags & VMS_VM_NOHUGEPAGE) || v->mm_thp_disabled)
		return 0;
	uint64_t global = v->regular && shmem_huge_by_mount(s, v, true) ? 1ULL << PMD_ORDER : 0;
	if (!v->anon_shmem)
		return global;
	if (s->shmem_huge == VMS_SHMEM_DENY)
		return 0;
	if (s->shmem_huge == VMS_SHMEM_FORCE)
		return s->shmem_inherit;
	uint64_t mask = s->shmem_always, within = s->shmem_within_size;
	uint64_t isize_pages = (uint64_t)((v->i_size > 0 ? v->i_size : 0) + 4095) >> 12;
	for (int order = highest_order(within); within; order = highest_order(within)) {
		uint64_t step = 1ULL << order;
		if (isize_pages >= ((v->pgoff + 1 + step - 1) & ~(step - 1))) {
			mask |= s->shmem_within_size;
			break;
		}
		within &= ~(1ULL << order);
	}
	if (v->flags & VMS_VM_HUGEPAGE)
		mask |= s->shmem_madvise;
	if (global)
		mask |= s->shmem_inherit;
	return mask & 0x3feULL;	/* THP_ORDERS_ALL_FILE_DEFAULT */
}

static int rule_6_12(const struct vms_thp_sys *s, const struct vms_thp_vma *v, const char **r)
{
	uint64_t orders = 0x403feULL;	/* THP_ORDERS_ALL */
	bool always = flag(s, VMS_THP_ALWAYS);
	bool enabled = always || flag(s, VMS_THP_MADVISE);

	/* The inline pre-filter of thp_vma_allowable_orders() (anonymous only). */
	if (v->anonymous) {
		uint64_t mask = s->anon_always;
		if (v->flags & VMS_VM_HUGEPAGE)
			mask |= s->anon_madvise;
		if (always || ((v->flags & VMS_VM_HUGEPAGE) && enabled))
			mask |= s->anon_inherit;
		orders &= mask;
		/* with MADV_HUGEPAGE given, madvise is not what is missing */
		if (!orders)
			return no(r, !enabled ? R_NEVER
					      : (always || (v->flags & VMS_VM_HUGEPAGE)) ? R_ORDERS
											 : R_MADV);
	}
	if (v->anonymous)
		orders &= 0x3fcULL;		/* THP_ORDERS_ALL_ANON */
	else if (v->dax || (v->file && (v->flags & (VMS_VM_PFNMAP | VMS_VM_MIXEDMAP))))
		orders &= 0x40200ULL;		/* THP_ORDERS_ALL_SPECIAL */
	else
		orders &= 0x3feULL;		/* THP_ORDERS_ALL_FILE_DEFAULT */
	if (!orders)
		return no(r, R_ORDERS);
	if (!v->has_mm)
		return no(r, R_NOMM);
	if (flag(s, VMS_THP_UNSUPPORTED))
		return no(r, R_HW);
	if (v->flags & VMS_VM_NOHUGEPAGE)
		return no(r, R_NOHUGE);
	if (v->mm_thp_disabled)
		return no(r, R_MMF);
	if (v->dax)
		return no(r, R_DAX);
	/* smaps skips the VM_NO_KHUGEPAGED test here. */
	bool offset_bad = false;
	while (orders) {
		int order = highest_order(orders);
		if (file_offset_aligned(v, (unsigned)order) &&
		    window_fits(v, v->end - (VMS_PAGE_SIZE << order), (unsigned)order))
			break;
		if (!file_offset_aligned(v, (unsigned)order))
			offset_bad = true;
		orders &= ~(1ULL << order);
	}
	if (!orders)
		return no(r, offset_bad ? R_FILEOFF : R_FIT);
	if (v->shmem) {
		if (shmem_orders_6_12(s, v))
			return yes(r);
		return no(r, v->regular ? R_SHMEM : R_NOTREG);
	}
	if (!v->anonymous) {
		bool bypass = (v->flags & VMS_VM_PFNMAP) && v->huge_fault;
		if (!bypass && !always && !(enabled && (v->flags & VMS_VM_HUGEPAGE)))
			return no(r, !enabled ? R_NEVER : R_MADV);
		if (v->huge_fault)
			return yes(r);
		if (s->read_only_thp_for_fs && v->file && !v->open_for_write && v->regular)
			return yes(r);
		return no(r, R_FILE);
	}
	if (temporary_stack(v))
		return no(r, R_STACK);
	return yes(r);
}

int vms_thp_eligible(const struct vms_thp_sys *sys, const struct vms_thp_vma *v,
		     const char **reason)
{
	switch (sys->rule) {
	case VMS_THP_5_10:
		return rule_5_10(sys, v, reason);
	case VMS_THP_6_1:
		return rule_6_1(sys, v, reason);
	default:
		return rule_6_12(sys, v, reason);
	}
}

const char *vms_thp_enabled_text(uint64_t f)
{
	if (f & (1ULL << VMS_THP_ALWAYS))
		return "[always] madvise never";
	if (f & (1ULL << VMS_THP_MADVISE))
		return "always [madvise] never";
	return "always madvise [never]";
}

const char *vms_thp_defrag_text(uint64_t f)
{
	if (f & (1ULL << VMS_THP_DEFRAG_DIRECT))
		return "[always] defer defer+madvise madvise never";
	if (f & (1ULL << VMS_THP_DEFRAG_KSWAPD))
		return "always [defer] defer+madvise madvise never";
	if (f & (1ULL << VMS_THP_DEFRAG_KSWAPD_OR_MADV))
		return "always defer [defer+madvise] madvise never";
	if (f & (1ULL << VMS_THP_DEFRAG_REQ_MADV))
		return "always defer defer+madvise [madvise] never";
	return "always defer defer+madvise madvise [never]";
}
