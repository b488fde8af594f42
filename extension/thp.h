/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * thp.h: smaps' THPeligible, and why not, for the three rule sets:
 *   5.10  transparent_hugepage_active()            (mm/huge_memory.c)
 *   6.1   hugepage_vma_check(smaps=1, in_pf=0, enforce_sysfs=1)
 *   6.12  thp_vma_allowable_orders(TVA_SMAPS | TVA_ENFORCE_SYSFS, THP_ORDERS_ALL)
 * The glue picks the rule by which of those functions the kernel has.
 */
#ifndef VMS_THP_H
#define VMS_THP_H

#include "vms.h"

enum vms_thp_rule { VMS_THP_5_10, VMS_THP_6_1, VMS_THP_6_12 };

/* transparent_hugepage_flags bits (enum transparent_hugepage_flag). */
#define VMS_THP_UNSUPPORTED 0
#define VMS_THP_ALWAYS 1
#define VMS_THP_MADVISE 2
#define VMS_THP_DEFRAG_DIRECT 3
#define VMS_THP_DEFRAG_KSWAPD 4
#define VMS_THP_DEFRAG_KSWAPD_OR_MADV 5
#define VMS_THP_DEFRAG_REQ_MADV 6
#define VMS_THP_DEFRAG_KHUGEPAGED 7
#define VMS_THP_USE_ZERO_PAGE 8

/* VM_* flags these rules read (include/linux/mm.h, x86_64, 5.10-6.12). */
#define VMS_VM_READ 0x1ULL
#define VMS_VM_WRITE 0x2ULL
#define VMS_VM_EXEC 0x4ULL
#define VMS_VM_SHARED 0x8ULL
#define VMS_VM_MAYSHARE 0x80ULL
#define VMS_VM_GROWSDOWN 0x100ULL
#define VMS_VM_PFNMAP 0x400ULL
#define VMS_VM_LOCKED 0x2000ULL
#define VMS_VM_IO 0x4000ULL
#define VMS_VM_SEQ_READ 0x8000ULL
#define VMS_VM_RAND_READ 0x10000ULL
#define VMS_VM_DONTEXPAND 0x40000ULL
#define VMS_VM_HUGETLB 0x400000ULL
#define VMS_VM_MIXEDMAP 0x10000000ULL
#define VMS_VM_HUGEPAGE 0x20000000ULL
#define VMS_VM_NOHUGEPAGE 0x40000000ULL

/* shmem_huge values (mm/shmem.c). */
enum { VMS_SHMEM_NEVER = 0, VMS_SHMEM_ALWAYS = 1, VMS_SHMEM_WITHIN_SIZE = 2,
       VMS_SHMEM_ADVISE = 3, VMS_SHMEM_DENY = -1, VMS_SHMEM_FORCE = -2 };

struct vms_thp_sys {
	enum vms_thp_rule rule;
	uint64_t flags;			/* transparent_hugepage_flags */
	int shmem_huge;			/* the global shmem_huge */
	uint64_t anon_always, anon_madvise, anon_inherit;	/* 6.12 huge_anon_orders_* */
	uint64_t shmem_always, shmem_madvise, shmem_inherit, shmem_within_size; /* 6.12 */
	bool read_only_thp_for_fs;	/* CONFIG_READ_ONLY_THP_FOR_FS (off in Debian) */
};

struct vms_thp_vma {
	uint64_t start, end, flags, pgoff;
	bool has_mm;			/* false for the gate VMA */
	bool mm_thp_disabled;		/* MMF_DISABLE_THP: prctl(PR_SET_THP_DISABLE) */
	bool anonymous;			/* vm_ops == NULL */
	bool has_anon_vma;
	bool shmem;			/* 5.10: vm_ops == &shmem_vm_ops; later shmem_file() */
	bool anon_shmem;		/* 6.12: vm_ops == &shmem_anon_vm_ops */
	bool file, dax, huge_fault;	/* vm_file, S_DAX, vm_ops->huge_fault */
	bool regular;			/* S_ISREG of the file's inode */
	bool open_for_write;		/* i_writecount > 0 */
	int sb_huge;			/* SHMEM_SB(sb)->huge */
	int64_t i_size;
};

/* 1 if smaps would print THPeligible 1; else 0 and *reason says why. */
int vms_thp_eligible(const struct vms_thp_sys *sys, const struct vms_thp_vma *v,
		     const char **reason);

/* The text of /sys/kernel/mm/transparent_hugepage/{enabled,defrag}. */
const char *vms_thp_enabled_text(uint64_t flags);
const char *vms_thp_defrag_text(uint64_t flags);

#endif
