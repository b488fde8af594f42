// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_fmt.c: smaps text (byte for byte against blocks the 5.10, 6.1 and
 * 6.12 kernels printed), VmFlags tables, JSON Lines and its escapes, and
 * the growing buffer everything is built in (fmt.c).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "thp.h"

/* ---- smaps: real kernel output ----------------------------------------------- */

static const struct vms_smaps_format F_5_10 = { .vmflags = VMS_VMFLAGS_5_10 };
static const struct vms_smaps_format F_6_1 = { .pss_dirty = true, .vmflags = VMS_VMFLAGS_6_1 };
/* the 6.12 guest's CPU had PKU: ProtectionKey lines */
static const struct vms_smaps_format F_6_12 = { .pss_dirty = true, .ksm = true,
						.thp_width8 = true, .pkey = true,
						.vmflags = VMS_VMFLAGS_6_12 };

struct fixture {
	enum vms_vmflags_table table;
	bool rollup;
	const struct vms_smaps_format *f;
	struct vms_vma_info vi;
	struct vms_stats st;
	const char *text;
};

/*
 * Blocks of /proc/PID/smaps and smaps_rollup of the test workload, as the
 * kernels printed them (test-vmcores truth.json of 5.10.223, 6.1.176 and
 * 6.12.117).  The stats are the printed kB back in bytes (Pss-like ones in
 * fixed point), so printing them must give the same bytes.
 */
static const struct fixture fixtures[] = {
	{ VMS_VMFLAGS_5_10, false, &F_5_10,
	  { .start = 0x01187000, .end = 0x012a9000, .flags = 0x8100073ULL, .offset = 0x00000000,
	    .dev_major = 0x00, .dev_minor = 0x00, .inode = 0, .name = "[heap]", .name_len = 6,
	    .name_is_path = false, .kernel_page_size = 4096, .mmu_page_size = 4096, .thp_eligible = 0 },
	  { .resident = 1040ULL << 10, .pss = 528ULL << 22, .shared_dirty = 1024ULL << 10, .private_dirty = 16ULL << 10, .referenced = 1040ULL << 10, .anonymous = 1040ULL << 10 },
	  "01187000-012a9000 rw-p 00000000 00:00 0                                  [heap]\n"
		"Size:               1160 kB\n"
		"KernelPageSize:        4 kB\n"
		"MMUPageSize:           4 kB\n"
		"Rss:                1040 kB\n"
		"Pss:                 528 kB\n"
		"Shared_Clean:          0 kB\n"
		"Shared_Dirty:       1024 kB\n"
		"Private_Clean:         0 kB\n"
		"Private_Dirty:        16 kB\n"
		"Referenced:         1040 kB\n"
		"Anonymous:          1040 kB\n"
		"LazyFree:              0 kB\n"
		"AnonHugePages:         0 kB\n"
		"ShmemPmdMapped:        0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:        0 kB\n"
		"Private_Hugetlb:       0 kB\n"
		"Swap:                  0 kB\n"
		"SwapPss:               0 kB\n"
		"Locked:                0 kB\n"
		"THPeligible:    0\n"
		"VmFlags: rd wr mr mw me ac sd \n" },
	{ VMS_VMFLAGS_5_10, false, &F_5_10,
	  { .start = 0x114000000, .end = 0x114800000, .flags = 0x8100073ULL, .offset = 0x00000000,
	    .dev_major = 0x00, .dev_minor = 0x00, .inode = 0, .name = NULL, .name_len = 0,
	    .name_is_path = false, .kernel_page_size = 4096, .mmu_page_size = 4096, .thp_eligible = 1 },
	  { .resident = 8192ULL << 10, .pss = 4096ULL << 22, .shared_dirty = 8192ULL << 10, .referenced = 8192ULL << 10, .anonymous = 8192ULL << 10, .anonymous_thp = 8192ULL << 10 },
	  "114000000-114800000 rw-p 00000000 00:00 0 \n"
		"Size:               8192 kB\n"
		"KernelPageSize:        4 kB\n"
		"MMUPageSize:           4 kB\n"
		"Rss:                8192 kB\n"
		"Pss:                4096 kB\n"
		"Shared_Clean:          0 kB\n"
		"Shared_Dirty:       8192 kB\n"
		"Private_Clean:         0 kB\n"
		"Private_Dirty:         0 kB\n"
		"Referenced:         8192 kB\n"
		"Anonymous:          8192 kB\n"
		"LazyFree:              0 kB\n"
		"AnonHugePages:      8192 kB\n"
		"ShmemPmdMapped:        0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:        0 kB\n"
		"Private_Hugetlb:       0 kB\n"
		"Swap:                  0 kB\n"
		"SwapPss:               0 kB\n"
		"Locked:                0 kB\n"
		"THPeligible:    1\n"
		"VmFlags: rd wr mr mw me ac sd \n" },
	{ VMS_VMFLAGS_5_10, false, &F_5_10,
	  { .start = 0x134000000, .end = 0x134400000, .flags = 0x80000fbULL, .offset = 0x00100000,
	    .dev_major = 0xfd, .dev_minor = 0x00, .inode = 14, .name = "/data/shared.bin", .name_len = 16,
	    .name_is_path = true, .kernel_page_size = 4096, .mmu_page_size = 4096, .thp_eligible = 0 },
	  { .resident = 4096ULL << 10, .pss = 4096ULL << 22, .private_clean = 3968ULL << 10, .private_dirty = 128ULL << 10, .referenced = 4096ULL << 10 },
	  "134000000-134400000 rw-s 00100000 fd:00 14                               /data/shared.bin\n"
		"Size:               4096 kB\n"
		"KernelPageSize:        4 kB\n"
		"MMUPageSize:           4 kB\n"
		"Rss:                4096 kB\n"
		"Pss:                4096 kB\n"
		"Shared_Clean:          0 kB\n"
		"Shared_Dirty:          0 kB\n"
		"Private_Clean:      3968 kB\n"
		"Private_Dirty:       128 kB\n"
		"Referenced:         4096 kB\n"
		"Anonymous:             0 kB\n"
		"LazyFree:              0 kB\n"
		"AnonHugePages:         0 kB\n"
		"ShmemPmdMapped:        0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:        0 kB\n"
		"Private_Hugetlb:       0 kB\n"
		"Swap:                  0 kB\n"
		"SwapPss:               0 kB\n"
		"Locked:                0 kB\n"
		"THPeligible:    0\n"
		"VmFlags: rd wr sh mr mw me ms sd \n" },
	{ VMS_VMFLAGS_5_10, false, &F_5_10,
	  { .start = 0x138000000, .end = 0x138010000, .flags = 0x8000071ULL, .offset = 0x00000000,
	    .dev_major = 0xfd, .dev_minor = 0x00, .inode = 13, .name = "/data/evil\n"
		"name \"q\" \\ \xff""\xfe"".bin", .name_len = 28,
	    .name_is_path = true, .kernel_page_size = 4096, .mmu_page_size = 4096, .thp_eligible = 0 },
	  { .resident = 60ULL << 10, .pss = 60ULL << 22, .private_clean = 60ULL << 10, .referenced = 60ULL << 10 },
	  "138000000-138010000 r--p 00000000 fd:00 13                               /data/evil\\012name \"q\" \\ \xff""\xfe"".bin\n"
		"Size:                 64 kB\n"
		"KernelPageSize:        4 kB\n"
		"MMUPageSize:           4 kB\n"
		"Rss:                  60 kB\n"
		"Pss:                  60 kB\n"
		"Shared_Clean:          0 kB\n"
		"Shared_Dirty:          0 kB\n"
		"Private_Clean:        60 kB\n"
		"Private_Dirty:         0 kB\n"
		"Referenced:           60 kB\n"
		"Anonymous:             0 kB\n"
		"LazyFree:              0 kB\n"
		"AnonHugePages:         0 kB\n"
		"ShmemPmdMapped:        0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:        0 kB\n"
		"Private_Hugetlb:       0 kB\n"
		"Swap:                  0 kB\n"
		"SwapPss:               0 kB\n"
		"Locked:                0 kB\n"
		"THPeligible:    0\n"
		"VmFlags: rd mr mw me sd \n" },
	{ VMS_VMFLAGS_5_10, false, &F_5_10,
	  { .start = 0xffffffffff600000, .end = 0xffffffffff601000, .flags = 0x4ULL, .offset = 0x00000000,
	    .dev_major = 0x00, .dev_minor = 0x00, .inode = 0, .name = "[vsyscall]", .name_len = 10,
	    .name_is_path = false, .kernel_page_size = 4096, .mmu_page_size = 4096, .thp_eligible = 0 },
	  {  },
	  "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n"
		"Size:                  4 kB\n"
		"KernelPageSize:        4 kB\n"
		"MMUPageSize:           4 kB\n"
		"Rss:                   0 kB\n"
		"Pss:                   0 kB\n"
		"Shared_Clean:          0 kB\n"
		"Shared_Dirty:          0 kB\n"
		"Private_Clean:         0 kB\n"
		"Private_Dirty:         0 kB\n"
		"Referenced:            0 kB\n"
		"Anonymous:             0 kB\n"
		"LazyFree:              0 kB\n"
		"AnonHugePages:         0 kB\n"
		"ShmemPmdMapped:        0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:        0 kB\n"
		"Private_Hugetlb:       0 kB\n"
		"Swap:                  0 kB\n"
		"SwapPss:               0 kB\n"
		"Locked:                0 kB\n"
		"THPeligible:    0\n"
		"VmFlags: ex \n" },
	{ VMS_VMFLAGS_5_10, true, &F_5_10,
	  { .start = 0x00400000, .end = 0x7fff094c0000 },
	  { .resident = 50436ULL << 10, .pss = 28142ULL << 22, .pss_anon = 18130ULL << 22, .pss_file = 8221ULL << 22, .pss_shmem = 1791ULL << 22, .shared_clean = 8132ULL << 10, .shared_dirty = 36316ULL << 10, .private_clean = 4540ULL << 10, .private_dirty = 1448ULL << 10, .referenced = 50436ULL << 10, .anonymous = 35964ULL << 10, .anonymous_thp = 16384ULL << 10, .swap = 1024ULL << 10, .swap_pss = 512ULL << 22, .pss_locked = 512ULL << 22 },
	  "00400000-7fff094c0000 ---p 00000000 00:00 0                              [rollup]\n"
		"Rss:               50436 kB\n"
		"Pss:               28142 kB\n"
		"Pss_Anon:          18130 kB\n"
		"Pss_File:           8221 kB\n"
		"Pss_Shmem:          1791 kB\n"
		"Shared_Clean:       8132 kB\n"
		"Shared_Dirty:      36316 kB\n"
		"Private_Clean:      4540 kB\n"
		"Private_Dirty:      1448 kB\n"
		"Referenced:        50436 kB\n"
		"Anonymous:         35964 kB\n"
		"LazyFree:              0 kB\n"
		"AnonHugePages:     16384 kB\n"
		"ShmemPmdMapped:        0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:        0 kB\n"
		"Private_Hugetlb:       0 kB\n"
		"Swap:               1024 kB\n"
		"SwapPss:             512 kB\n"
		"Locked:              512 kB\n" },
	{ VMS_VMFLAGS_6_1, false, &F_6_1,
	  { .start = 0x33eec000, .end = 0x3400e000, .flags = 0x8100073ULL, .offset = 0x00000000,
	    .dev_major = 0x00, .dev_minor = 0x00, .inode = 0, .name = "[heap]", .name_len = 6,
	    .name_is_path = false, .kernel_page_size = 4096, .mmu_page_size = 4096, .thp_eligible = 0 },
	  { .resident = 1040ULL << 10, .pss = 528ULL << 22, .pss_dirty = 528ULL << 22, .shared_dirty = 1024ULL << 10, .private_dirty = 16ULL << 10, .referenced = 1040ULL << 10, .anonymous = 1040ULL << 10 },
	  "33eec000-3400e000 rw-p 00000000 00:00 0                                  [heap]\n"
		"Size:               1160 kB\n"
		"KernelPageSize:        4 kB\n"
		"MMUPageSize:           4 kB\n"
		"Rss:                1040 kB\n"
		"Pss:                 528 kB\n"
		"Pss_Dirty:           528 kB\n"
		"Shared_Clean:          0 kB\n"
		"Shared_Dirty:       1024 kB\n"
		"Private_Clean:         0 kB\n"
		"Private_Dirty:        16 kB\n"
		"Referenced:         1040 kB\n"
		"Anonymous:          1040 kB\n"
		"LazyFree:              0 kB\n"
		"AnonHugePages:         0 kB\n"
		"ShmemPmdMapped:        0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:        0 kB\n"
		"Private_Hugetlb:       0 kB\n"
		"Swap:                  0 kB\n"
		"SwapPss:               0 kB\n"
		"Locked:                0 kB\n"
		"THPeligible:    0\n"
		"VmFlags: rd wr mr mw me ac sd \n" },
	{ VMS_VMFLAGS_6_1, false, &F_6_1,
	  { .start = 0x114000000, .end = 0x114800000, .flags = 0x8100073ULL, .offset = 0x00000000,
	    .dev_major = 0x00, .dev_minor = 0x00, .inode = 0, .name = NULL, .name_len = 0,
	    .name_is_path = false, .kernel_page_size = 4096, .mmu_page_size = 4096, .thp_eligible = 1 },
	  { .resident = 8192ULL << 10, .pss = 4096ULL << 22, .pss_dirty = 4096ULL << 22, .shared_dirty = 8192ULL << 10, .referenced = 8192ULL << 10, .anonymous = 8192ULL << 10, .anonymous_thp = 8192ULL << 10 },
	  "114000000-114800000 rw-p 00000000 00:00 0 \n"
		"Size:               8192 kB\n"
		"KernelPageSize:        4 kB\n"
		"MMUPageSize:           4 kB\n"
		"Rss:                8192 kB\n"
		"Pss:                4096 kB\n"
		"Pss_Dirty:          4096 kB\n"
		"Shared_Clean:          0 kB\n"
		"Shared_Dirty:       8192 kB\n"
		"Private_Clean:         0 kB\n"
		"Private_Dirty:         0 kB\n"
		"Referenced:         8192 kB\n"
		"Anonymous:          8192 kB\n"
		"LazyFree:              0 kB\n"
		"AnonHugePages:      8192 kB\n"
		"ShmemPmdMapped:        0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:        0 kB\n"
		"Private_Hugetlb:       0 kB\n"
		"Swap:                  0 kB\n"
		"SwapPss:               0 kB\n"
		"Locked:                0 kB\n"
		"THPeligible:    1\n"
		"VmFlags: rd wr mr mw me ac sd \n" },
	{ VMS_VMFLAGS_6_1, false, &F_6_1,
	  { .start = 0x134000000, .end = 0x134400000, .flags = 0x80000fbULL, .offset = 0x00100000,
	    .dev_major = 0xfd, .dev_minor = 0x00, .inode = 14, .name = "/data/shared.bin", .name_len = 16,
	    .name_is_path = true, .kernel_page_size = 4096, .mmu_page_size = 4096, .thp_eligible = 0 },
	  { .resident = 4096ULL << 10, .pss = 4096ULL << 22, .pss_dirty = 128ULL << 22, .private_clean = 3968ULL << 10, .private_dirty = 128ULL << 10, .referenced = 4096ULL << 10 },
	  "134000000-134400000 rw-s 00100000 fd:00 14                               /data/shared.bin\n"
		"Size:               4096 kB\n"
		"KernelPageSize:        4 kB\n"
		"MMUPageSize:           4 kB\n"
		"Rss:                4096 kB\n"
		"Pss:                4096 kB\n"
		"Pss_Dirty:           128 kB\n"
		"Shared_Clean:          0 kB\n"
		"Shared_Dirty:          0 kB\n"
		"Private_Clean:      3968 kB\n"
		"Private_Dirty:       128 kB\n"
		"Referenced:         4096 kB\n"
		"Anonymous:             0 kB\n"
		"LazyFree:              0 kB\n"
		"AnonHugePages:         0 kB\n"
		"ShmemPmdMapped:        0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:        0 kB\n"
		"Private_Hugetlb:       0 kB\n"
		"Swap:                  0 kB\n"
		"SwapPss:               0 kB\n"
		"Locked:                0 kB\n"
		"THPeligible:    0\n"
		"VmFlags: rd wr sh mr mw me ms sd \n" },
	{ VMS_VMFLAGS_6_1, false, &F_6_1,
	  { .start = 0x138000000, .end = 0x138010000, .flags = 0x8000071ULL, .offset = 0x00000000,
	    .dev_major = 0xfd, .dev_minor = 0x00, .inode = 13, .name = "/data/evil\n"
		"name \"q\" \\ \xff""\xfe"".bin", .name_len = 28,
	    .name_is_path = true, .kernel_page_size = 4096, .mmu_page_size = 4096, .thp_eligible = 0 },
	  { .resident = 60ULL << 10, .pss = 60ULL << 22, .private_clean = 60ULL << 10, .referenced = 60ULL << 10 },
	  "138000000-138010000 r--p 00000000 fd:00 13                               /data/evil\\012name \"q\" \\ \xff""\xfe"".bin\n"
		"Size:                 64 kB\n"
		"KernelPageSize:        4 kB\n"
		"MMUPageSize:           4 kB\n"
		"Rss:                  60 kB\n"
		"Pss:                  60 kB\n"
		"Pss_Dirty:             0 kB\n"
		"Shared_Clean:          0 kB\n"
		"Shared_Dirty:          0 kB\n"
		"Private_Clean:        60 kB\n"
		"Private_Dirty:         0 kB\n"
		"Referenced:           60 kB\n"
		"Anonymous:             0 kB\n"
		"LazyFree:              0 kB\n"
		"AnonHugePages:         0 kB\n"
		"ShmemPmdMapped:        0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:        0 kB\n"
		"Private_Hugetlb:       0 kB\n"
		"Swap:                  0 kB\n"
		"SwapPss:               0 kB\n"
		"Locked:                0 kB\n"
		"THPeligible:    0\n"
		"VmFlags: rd mr mw me sd \n" },
	{ VMS_VMFLAGS_6_1, true, &F_6_1,
	  { .start = 0x00400000, .end = 0x7fffbf1fd000 },
	  { .resident = 50436ULL << 10, .pss = 28140ULL << 22, .pss_dirty = 19535ULL << 22, .pss_anon = 18128ULL << 22, .pss_file = 8221ULL << 22, .pss_shmem = 1791ULL << 22, .shared_clean = 8132ULL << 10, .shared_dirty = 36320ULL << 10, .private_clean = 4540ULL << 10, .private_dirty = 1444ULL << 10, .referenced = 50436ULL << 10, .anonymous = 35964ULL << 10, .anonymous_thp = 16384ULL << 10, .swap = 1024ULL << 10, .swap_pss = 512ULL << 22, .pss_locked = 512ULL << 22 },
	  "00400000-7fffbf1fd000 ---p 00000000 00:00 0                              [rollup]\n"
		"Rss:               50436 kB\n"
		"Pss:               28140 kB\n"
		"Pss_Dirty:         19535 kB\n"
		"Pss_Anon:          18128 kB\n"
		"Pss_File:           8221 kB\n"
		"Pss_Shmem:          1791 kB\n"
		"Shared_Clean:       8132 kB\n"
		"Shared_Dirty:      36320 kB\n"
		"Private_Clean:      4540 kB\n"
		"Private_Dirty:      1444 kB\n"
		"Referenced:        50436 kB\n"
		"Anonymous:         35964 kB\n"
		"LazyFree:              0 kB\n"
		"AnonHugePages:     16384 kB\n"
		"ShmemPmdMapped:        0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:        0 kB\n"
		"Private_Hugetlb:       0 kB\n"
		"Swap:               1024 kB\n"
		"SwapPss:             512 kB\n"
		"Locked:              512 kB\n" },
	{ VMS_VMFLAGS_6_12, false, &F_6_12,
	  { .start = 0x0d8db000, .end = 0x0d9fd000, .flags = 0x8100073ULL, .offset = 0x00000000,
	    .dev_major = 0x00, .dev_minor = 0x00, .inode = 0, .name = "[heap]", .name_len = 6,
	    .name_is_path = false, .kernel_page_size = 4096, .mmu_page_size = 4096, .thp_eligible = 0 },
	  { .resident = 1040ULL << 10, .pss = 528ULL << 22, .pss_dirty = 528ULL << 22, .shared_dirty = 1024ULL << 10, .private_dirty = 16ULL << 10, .referenced = 1040ULL << 10, .anonymous = 1040ULL << 10 },
	  "0d8db000-0d9fd000 rw-p 00000000 00:00 0                                  [heap]\n"
		"Size:               1160 kB\n"
		"KernelPageSize:        4 kB\n"
		"MMUPageSize:           4 kB\n"
		"Rss:                1040 kB\n"
		"Pss:                 528 kB\n"
		"Pss_Dirty:           528 kB\n"
		"Shared_Clean:          0 kB\n"
		"Shared_Dirty:       1024 kB\n"
		"Private_Clean:         0 kB\n"
		"Private_Dirty:        16 kB\n"
		"Referenced:         1040 kB\n"
		"Anonymous:          1040 kB\n"
		"KSM:                   0 kB\n"
		"LazyFree:              0 kB\n"
		"AnonHugePages:         0 kB\n"
		"ShmemPmdMapped:        0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:        0 kB\n"
		"Private_Hugetlb:       0 kB\n"
		"Swap:                  0 kB\n"
		"SwapPss:               0 kB\n"
		"Locked:                0 kB\n"
		"THPeligible:           0\n"
		"ProtectionKey:         0\n"
		"VmFlags: rd wr mr mw me ac sd \n" },
	{ VMS_VMFLAGS_6_12, false, &F_6_12,
	  { .start = 0x114000000, .end = 0x114800000, .flags = 0x8100073ULL, .offset = 0x00000000,
	    .dev_major = 0x00, .dev_minor = 0x00, .inode = 0, .name = NULL, .name_len = 0,
	    .name_is_path = false, .kernel_page_size = 4096, .mmu_page_size = 4096, .thp_eligible = 1 },
	  { .resident = 8192ULL << 10, .pss = 4096ULL << 22, .pss_dirty = 4096ULL << 22, .shared_dirty = 8192ULL << 10, .referenced = 8192ULL << 10, .anonymous = 8192ULL << 10, .anonymous_thp = 8192ULL << 10 },
	  "114000000-114800000 rw-p 00000000 00:00 0 \n"
		"Size:               8192 kB\n"
		"KernelPageSize:        4 kB\n"
		"MMUPageSize:           4 kB\n"
		"Rss:                8192 kB\n"
		"Pss:                4096 kB\n"
		"Pss_Dirty:          4096 kB\n"
		"Shared_Clean:          0 kB\n"
		"Shared_Dirty:       8192 kB\n"
		"Private_Clean:         0 kB\n"
		"Private_Dirty:         0 kB\n"
		"Referenced:         8192 kB\n"
		"Anonymous:          8192 kB\n"
		"KSM:                   0 kB\n"
		"LazyFree:              0 kB\n"
		"AnonHugePages:      8192 kB\n"
		"ShmemPmdMapped:        0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:        0 kB\n"
		"Private_Hugetlb:       0 kB\n"
		"Swap:                  0 kB\n"
		"SwapPss:               0 kB\n"
		"Locked:                0 kB\n"
		"THPeligible:           1\n"
		"ProtectionKey:         0\n"
		"VmFlags: rd wr mr mw me ac sd \n" },
	{ VMS_VMFLAGS_6_12, false, &F_6_12,
	  { .start = 0x134000000, .end = 0x134400000, .flags = 0x80000fbULL, .offset = 0x00100000,
	    .dev_major = 0xfd, .dev_minor = 0x00, .inode = 14, .name = "/data/shared.bin", .name_len = 16,
	    .name_is_path = true, .kernel_page_size = 4096, .mmu_page_size = 4096, .thp_eligible = 0 },
	  { .resident = 4096ULL << 10, .pss = 4096ULL << 22, .pss_dirty = 128ULL << 22, .private_clean = 3968ULL << 10, .private_dirty = 128ULL << 10, .referenced = 4096ULL << 10 },
	  "134000000-134400000 rw-s 00100000 fd:00 14                               /data/shared.bin\n"
		"Size:               4096 kB\n"
		"KernelPageSize:        4 kB\n"
		"MMUPageSize:           4 kB\n"
		"Rss:                4096 kB\n"
		"Pss:                4096 kB\n"
		"Pss_Dirty:           128 kB\n"
		"Shared_Clean:          0 kB\n"
		"Shared_Dirty:          0 kB\n"
		"Private_Clean:      3968 kB\n"
		"Private_Dirty:       128 kB\n"
		"Referenced:         4096 kB\n"
		"Anonymous:             0 kB\n"
		"KSM:                   0 kB\n"
		"LazyFree:              0 kB\n"
		"AnonHugePages:         0 kB\n"
		"ShmemPmdMapped:        0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:        0 kB\n"
		"Private_Hugetlb:       0 kB\n"
		"Swap:                  0 kB\n"
		"SwapPss:               0 kB\n"
		"Locked:                0 kB\n"
		"THPeligible:           0\n"
		"ProtectionKey:         0\n"
		"VmFlags: rd wr sh mr mw me ms sd \n" },
	{ VMS_VMFLAGS_6_12, false, &F_6_12,
	  { .start = 0x138000000, .end = 0x138010000, .flags = 0x8000071ULL, .offset = 0x00000000,
	    .dev_major = 0xfd, .dev_minor = 0x00, .inode = 13, .name = "/data/evil\n"
		"name \"q\" \\ \xff""\xfe"".bin", .name_len = 28,
	    .name_is_path = true, .kernel_page_size = 4096, .mmu_page_size = 4096, .thp_eligible = 0 },
	  { .resident = 60ULL << 10, .pss = 60ULL << 22, .private_clean = 60ULL << 10, .referenced = 60ULL << 10 },
	  "138000000-138010000 r--p 00000000 fd:00 13                               /data/evil\\012name \"q\" \\ \xff""\xfe"".bin\n"
		"Size:                 64 kB\n"
		"KernelPageSize:        4 kB\n"
		"MMUPageSize:           4 kB\n"
		"Rss:                  60 kB\n"
		"Pss:                  60 kB\n"
		"Pss_Dirty:             0 kB\n"
		"Shared_Clean:          0 kB\n"
		"Shared_Dirty:          0 kB\n"
		"Private_Clean:        60 kB\n"
		"Private_Dirty:         0 kB\n"
		"Referenced:           60 kB\n"
		"Anonymous:             0 kB\n"
		"KSM:                   0 kB\n"
		"LazyFree:              0 kB\n"
		"AnonHugePages:         0 kB\n"
		"ShmemPmdMapped:        0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:        0 kB\n"
		"Private_Hugetlb:       0 kB\n"
		"Swap:                  0 kB\n"
		"SwapPss:               0 kB\n"
		"Locked:                0 kB\n"
		"THPeligible:           0\n"
		"ProtectionKey:         0\n"
		"VmFlags: rd mr mw me sd \n" },
	{ VMS_VMFLAGS_6_12, false, &F_6_12,
	  { .start = 0xffffffffff600000, .end = 0xffffffffff601000, .flags = 0x4ULL, .offset = 0x00000000,
	    .dev_major = 0x00, .dev_minor = 0x00, .inode = 0, .name = "[vsyscall]", .name_len = 10,
	    .name_is_path = false, .kernel_page_size = 4096, .mmu_page_size = 4096, .thp_eligible = 0 },
	  {  },
	  "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n"
		"Size:                  4 kB\n"
		"KernelPageSize:        4 kB\n"
		"MMUPageSize:           4 kB\n"
		"Rss:                   0 kB\n"
		"Pss:                   0 kB\n"
		"Pss_Dirty:             0 kB\n"
		"Shared_Clean:          0 kB\n"
		"Shared_Dirty:          0 kB\n"
		"Private_Clean:         0 kB\n"
		"Private_Dirty:         0 kB\n"
		"Referenced:            0 kB\n"
		"Anonymous:             0 kB\n"
		"KSM:                   0 kB\n"
		"LazyFree:              0 kB\n"
		"AnonHugePages:         0 kB\n"
		"ShmemPmdMapped:        0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:        0 kB\n"
		"Private_Hugetlb:       0 kB\n"
		"Swap:                  0 kB\n"
		"SwapPss:               0 kB\n"
		"Locked:                0 kB\n"
		"THPeligible:           0\n"
		"ProtectionKey:         0\n"
		"VmFlags: ex \n" },
	{ VMS_VMFLAGS_6_12, true, &F_6_12,
	  { .start = 0x00400000, .end = 0x7ffcde047000 },
	  { .resident = 50436ULL << 10, .pss = 28140ULL << 22, .pss_dirty = 19535ULL << 22, .pss_anon = 18128ULL << 22, .pss_file = 8221ULL << 22, .pss_shmem = 1791ULL << 22, .shared_clean = 8132ULL << 10, .shared_dirty = 36320ULL << 10, .private_clean = 4540ULL << 10, .private_dirty = 1444ULL << 10, .referenced = 50436ULL << 10, .anonymous = 35964ULL << 10, .anonymous_thp = 16384ULL << 10, .swap = 1024ULL << 10, .swap_pss = 512ULL << 22, .pss_locked = 512ULL << 22 },
	  "00400000-7ffcde047000 ---p 00000000 00:00 0                              [rollup]\n"
		"Rss:               50436 kB\n"
		"Pss:               28140 kB\n"
		"Pss_Dirty:         19535 kB\n"
		"Pss_Anon:          18128 kB\n"
		"Pss_File:           8221 kB\n"
		"Pss_Shmem:          1791 kB\n"
		"Shared_Clean:       8132 kB\n"
		"Shared_Dirty:      36320 kB\n"
		"Private_Clean:      4540 kB\n"
		"Private_Dirty:      1444 kB\n"
		"Referenced:        50436 kB\n"
		"Anonymous:         35964 kB\n"
		"KSM:                   0 kB\n"
		"LazyFree:              0 kB\n"
		"AnonHugePages:     16384 kB\n"
		"ShmemPmdMapped:        0 kB\n"
		"FilePmdMapped:         0 kB\n"
		"Shared_Hugetlb:        0 kB\n"
		"Private_Hugetlb:       0 kB\n"
		"Swap:               1024 kB\n"
		"SwapPss:             512 kB\n"
		"Locked:              512 kB\n" },
};

static void expect_text(const struct vms_buf *b, const char *want)
{
	ck_assert_ptr_nonnull(b->p);
	if (b->len != strlen(want) || memcmp(b->p, want, b->len)) {
		size_t i = 0;
		while (i < b->len && want[i] && b->p[i] == want[i])
			i++;
		ck_abort_msg("text differs at byte %zu:\n--- got ---\n%s--- want ---\n%s", i, b->p,
			     want);
	}
}

START_TEST(test_real_smaps_blocks)
{
	const struct fixture *fx = &fixtures[_i];
	struct vms_buf b = { 0 };
	struct vms_vma_info vi = fx->vi;
	if (fx->rollup)
		vms_rollup_block(&b, fx->f, &fx->st, vi.start, vi.end);
	else
		vms_smaps_block(&b, fx->f, &fx->st, &vi);
	ck_assert(!b.oom);
	expect_text(&b, fx->text);
	vms_buf_free(&b);
}
END_TEST

/* ---- smaps: layout rules --------------------------------------------------- */

START_TEST(test_label_widths)
{
	struct vms_stats s = { 0 };
	/* values of every width, and one too wide for its column (never cut) */
	s.resident = 1ULL << 10;
	s.pss = 123456789ULL << 22;
	s.private_hugetlb = 9999999ULL << 10;
	s.shared_hugetlb = 12345678ULL << 10;
	s.swap = 123456789012ULL << 10;
	struct vms_vma_info vi = { .start = 0x1000, .end = 0x2000, .kernel_page_size = 4096,
				   .mmu_page_size = 4096 };
	struct vms_buf b = { 0 };
	struct vms_smaps_format f = F_6_12;
	f.pkey = false;
	vms_smaps_block(&b, &f, &s, &vi);
	char *save = NULL, *text = strdup(b.p);
	int lines = 0;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		lines++;
		if (lines == 1 || !strncmp(l, "VmFlags", 7) || !strncmp(l, "THPeligible", 11))
			continue;
		size_t n = strlen(l);
		ck_assert_msg(n >= 27 && !strcmp(l + n - 3, " kB"), "line '%s'", l);
		const char *colon = strchr(l, ':');
		size_t label = (size_t)(colon - l) + 1;
		if (!strncmp(l, "Private_Hugetlb:", 16)) {
			ck_assert_uint_eq(label, 16);
			ck_assert(l[16] == ' ');	/* the 17-column label */
		} else {
			ck_assert_uint_le(label, 16);
		}
		/* values end at column 23, or push further when wider than 8 */
		if (!strncmp(l, "Pss:", 4))
			ck_assert_str_eq(l, "Pss:            123456789 kB");
		else if (!strncmp(l, "Swap:", 5))
			ck_assert_str_eq(l, "Swap:           123456789012 kB");
		else if (!strncmp(l, "Private_Hugetlb:", 16))
			ck_assert_str_eq(l, "Private_Hugetlb: 9999999 kB");
		else if (!strncmp(l, "Shared_Hugetlb:", 15))
			ck_assert_str_eq(l, "Shared_Hugetlb: 12345678 kB");
		else
			ck_assert_uint_eq(n, 27);
	}
	ck_assert_int_eq(lines, 25);
	free(text);
	vms_buf_free(&b);
}
END_TEST

START_TEST(test_header_padding)
{
	struct vms_buf b = { 0 };
	struct vms_vma_info vi = { .start = 0x7ffd1000, .end = 0x7ffd3000,
				   .flags = VMS_VM_READ | VMS_VM_WRITE, .name = "[stack]",
				   .name_len = 7 };
	vms_smaps_header(&b, &vi);
	ck_assert_str_eq(b.p, "7ffd1000-7ffd3000 rw-p 00000000 00:00 0                "
			      "                  [stack]\n");
	ck_assert_int_eq(strchr(b.p, '[') - b.p, 73);

	/* no name: no padding, the prefix's own space ends the line */
	vms_buf_reset(&b);
	vi.name = NULL;
	vms_smaps_header(&b, &vi);
	ck_assert_str_eq(b.p, "7ffd1000-7ffd3000 rw-p 00000000 00:00 0 \n");
	vms_buf_reset(&b);
	vi.name = "ignored";
	vi.name_len = 0;
	vms_smaps_header(&b, &vi);
	ck_assert_str_eq(b.p, "7ffd1000-7ffd3000 rw-p 00000000 00:00 0 \n");

	/* a prefix already past column 72: no padding, but seq_pad's own
	 * space still follows the prefix's */
	vms_buf_reset(&b);
	vi = (struct vms_vma_info){ .start = 0x7f0000000000ULL, .end = 0x7fffffffffffULL,
				    .flags = VMS_VM_READ | VMS_VM_EXEC | VMS_VM_MAYSHARE,
				    .offset = 0x123456789abcULL, .dev_major = 0x103,
				    .dev_minor = 0xfffff, .inode = UINT64_MAX,
				    .name = "/x", .name_len = 2, .name_is_path = true };
	vms_smaps_header(&b, &vi);
	ck_assert_str_eq(b.p, "7f0000000000-7fffffffffff r-xs 123456789abc 103:fffff "
			      "18446744073709551615  /x\n");

	/* exactly 72 before the name: just the one space */
	vms_buf_reset(&b);
	vi = (struct vms_vma_info){ .start = 0x7f0000000000ULL, .end = 0x7f0000001000ULL,
				    .flags = VMS_VM_READ | VMS_VM_EXEC | VMS_VM_MAYSHARE,
				    .offset = 0x123456789abcdef0ULL, .dev_major = 0x103,
				    .dev_minor = 0xfffff, .inode = 1234567890123ULL, .name = "n",
				    .name_len = 1 };
	vms_smaps_header(&b, &vi);
	ck_assert_str_eq(b.p, "7f0000000000-7f0000001000 r-xs 123456789abcdef0 103:fffff "
			      "1234567890123  n\n");
	ck_assert_int_eq(strchr(b.p, 'n') - b.p, 73);
	vms_buf_free(&b);
}
END_TEST

START_TEST(test_path_escape)
{
	static const char name[] = "/a\nb\tc\\d \"e\"\n";
	struct vms_buf b = { 0 };
	struct vms_vma_info vi = { .start = 0x1000, .end = 0x2000, .name = name,
				   .name_len = sizeof(name) - 1, .name_is_path = true };
	vms_smaps_header(&b, &vi);
	const char *n = b.p + 73;
	ck_assert_str_eq(n, "/a\\012b\tc\\d \"e\"\\012\n");
	/* not a path ([anon:...] names cannot hold a newline anyway): as is */
	vms_buf_reset(&b);
	vi.name_is_path = false;
	vms_smaps_header(&b, &vi);
	ck_assert_str_eq(b.p + 73, "/a\nb\tc\\d \"e\"\n\n");
	/* a NUL inside a name is a byte like any other */
	vms_buf_reset(&b);
	vi.name = "/a\0b";
	vi.name_len = 4;
	vi.name_is_path = true;
	vms_smaps_header(&b, &vi);
	ck_assert_uint_eq(b.len, 73 + 4 + 1);
	ck_assert(!memcmp(b.p + 73, "/a\0b\n", 5));
	vms_buf_free(&b);
}
END_TEST

static const char *vmflags(enum vms_vmflags_table t, uint64_t flags)
{
	static char out[512];
	struct vms_buf b = { 0 };
	vms_vmflags(&b, t, flags);
	snprintf(out, sizeof(out), "%s", b.p ? b.p : "");
	vms_buf_free(&b);
	return out;
}

START_TEST(test_vmflags_tables)
{
	ck_assert_str_eq(vmflags(VMS_VMFLAGS_6_1, 0), "");
	/* the common part */
	ck_assert_str_eq(vmflags(VMS_VMFLAGS_6_12, 0xffffffffULL & ~(1ULL << 11) & ~(1ULL << 19)),
			 "rd wr ex sh mr mw me ms gd um pf uw lo io sr rr dc de ac nr ht sf "
			 "ar wf dd sd mm hg nh mg ");
	/* bit 11: VM_DENYWRITE only in 5.10 */
	ck_assert_str_eq(vmflags(VMS_VMFLAGS_5_10, 1ULL << 11), "dw ");
	ck_assert_str_eq(vmflags(VMS_VMFLAGS_6_1, 1ULL << 11), "?? ");
	ck_assert_str_eq(vmflags(VMS_VMFLAGS_6_12, 1ULL << 11), "?? ");
	/* bit 19: VM_LOCKONFAULT has a mnemonic from 6.12 */
	ck_assert_str_eq(vmflags(VMS_VMFLAGS_5_10, 1ULL << 19), "?? ");
	ck_assert_str_eq(vmflags(VMS_VMFLAGS_6_1, 1ULL << 19), "?? ");
	ck_assert_str_eq(vmflags(VMS_VMFLAGS_6_12, 1ULL << 19), "lf ");
	/* pkey bits 32-35 never show (ProtectionKey: does) */
	for (int t = VMS_VMFLAGS_5_10; t <= VMS_VMFLAGS_6_12; t++)
		ck_assert_str_eq(vmflags(t, 0xfULL << 32), "");
	/* high bits */
	ck_assert_str_eq(vmflags(VMS_VMFLAGS_5_10, 0xffULL << 36), "?? ?? ?? ?? ?? ?? ?? ?? ");
	ck_assert_str_eq(vmflags(VMS_VMFLAGS_6_1, 0x1fULL << 36), "?? ui ?? ?? ?? ");
	ck_assert_str_eq(vmflags(VMS_VMFLAGS_6_12, 0x1fULL << 36), "?? ss ui ?? dp ");
	ck_assert_str_eq(vmflags(VMS_VMFLAGS_6_12, 1ULL << 63), "sl ");
	ck_assert_str_eq(vmflags(VMS_VMFLAGS_6_1, 1ULL << 63), "?? ");
	/* everything: 64 - 4 hidden mnemonics */
	const char *all = vmflags(VMS_VMFLAGS_6_12, ~0ULL);
	ck_assert_uint_eq(strlen(all), 60 * 3);
}
END_TEST

START_TEST(test_perms)
{
	char p[5];
	vms_perms(p, 0);
	ck_assert_str_eq(p, "---p");
	vms_perms(p, VMS_VM_READ | VMS_VM_WRITE | VMS_VM_EXEC | VMS_VM_MAYSHARE);
	ck_assert_str_eq(p, "rwxs");
	/* VM_SHARED without VM_MAYSHARE cannot happen; 's' follows MAYSHARE */
	vms_perms(p, VMS_VM_SHARED);
	ck_assert_str_eq(p, "---p");
}
END_TEST

static const char *names(const struct vms_smaps_format *f, bool rollup)
{
	static char out[1024];
	struct vms_stats s = { 0 };
	struct vms_vma_info vi = { 0 };
	struct vms_field fs[VMS_MAX_FIELDS];
	int n = vms_smaps_fields(f, &s, &vi, rollup, fs);
	out[0] = 0;
	for (int i = 0; i < n; i++) {
		strcat(out, fs[i].name);
		strcat(out, " ");
	}
	return out;
}

START_TEST(test_field_order)
{
	ck_assert_str_eq(names(&F_5_10, true),
			 "Rss Pss Pss_Anon Pss_File Pss_Shmem Shared_Clean Shared_Dirty "
			 "Private_Clean Private_Dirty Referenced Anonymous LazyFree AnonHugePages "
			 "ShmemPmdMapped FilePmdMapped Shared_Hugetlb Private_Hugetlb Swap SwapPss "
			 "Locked ");
	ck_assert_str_eq(names(&F_6_12, true),
			 "Rss Pss Pss_Dirty Pss_Anon Pss_File Pss_Shmem Shared_Clean Shared_Dirty "
			 "Private_Clean Private_Dirty Referenced Anonymous KSM LazyFree "
			 "AnonHugePages ShmemPmdMapped FilePmdMapped Shared_Hugetlb Private_Hugetlb "
			 "Swap SwapPss Locked ");
	ck_assert_str_eq(names(&F_6_1, false),
			 "Size KernelPageSize MMUPageSize Rss Pss Pss_Dirty Shared_Clean "
			 "Shared_Dirty Private_Clean Private_Dirty Referenced Anonymous LazyFree "
			 "AnonHugePages ShmemPmdMapped FilePmdMapped Shared_Hugetlb Private_Hugetlb "
			 "Swap SwapPss Locked ");
}
END_TEST

START_TEST(test_rollup_header)
{
	struct vms_buf b = { 0 };
	struct vms_stats s = { 0 };
	vms_rollup_block(&b, &F_6_1, &s, 0, 0);
	ck_assert(!strncmp(b.p, "00000000-00000000 ---p 00000000 00:00 0 ", 40));
	ck_assert(!strncmp(b.p + 73, "[rollup]\nRss:", 13));
	vms_buf_free(&b);
}
END_TEST

START_TEST(test_thp_and_pkey_lines)
{
	struct vms_buf b = { 0 };
	struct vms_stats s = { 0 };
	struct vms_vma_info vi = { .start = 0x1000, .end = 0x2000, .thp_eligible = 1, .pkey = 15,
				   .flags = VMS_VM_READ | (0xfULL << 32) };
	struct vms_smaps_format f = F_6_12;
	f.pkey = true;
	vms_smaps_block(&b, &f, &s, &vi);
	ck_assert_ptr_nonnull(strstr(b.p, "\nTHPeligible:           1\nProtectionKey:        15\n"
					  "VmFlags: rd \n"));
	vms_buf_reset(&b);
	f = F_5_10;
	f.pkey = true;
	vms_smaps_block(&b, &f, &s, &vi);
	ck_assert_ptr_nonnull(strstr(b.p, "\nTHPeligible:    1\nProtectionKey:        15\n"));
	vms_buf_free(&b);
}
END_TEST

START_TEST(test_extra_fields)
{
	struct vms_stats s = { .zero_page = 8192, .huge_zero_page = 2 << 20, .untouched = 4096,
			       .excluded = 4096, .unreadable = 8192 };
	struct vms_field fs[VMS_MAX_FIELDS];
	int n = vms_extra_fields(&s, fs);
	ck_assert_int_eq(n, 4);
	ck_assert_str_eq(fs[0].name, "ZeroPage");
	ck_assert_uint_eq(fs[0].kb, 8);
	ck_assert_uint_eq(fs[1].kb, 2048);
	ck_assert_uint_eq(fs[2].kb, 4);
	ck_assert_str_eq(fs[3].name, "Excluded");
	ck_assert_uint_eq(fs[3].kb, 12);
}
END_TEST

/* ---- JSON --------------------------------------------------------------------- */

/* A small strict JSON validator (RFC 8259), enough to check what we write. */
struct jp {
	const unsigned char *s, *end;
};

static void ws(struct jp *p)
{
	while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
		p->s++;
}

static bool lit(struct jp *p, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(p->end - p->s) < n || memcmp(p->s, w, n))
		return false;
	p->s += n;
	return true;
}

static bool jstring(struct jp *p)
{
	if (p->s >= p->end || *p->s != '"')
		return false;
	p->s++;
	while (p->s < p->end && *p->s != '"') {
		unsigned c = *p->s;
		if (c < 0x20)
			return false;
		if (c == '\\') {
			p->s++;
			if (p->s >= p->end)
				return false;
			if (*p->s == 'u') {
				for (int i = 1; i <= 4; i++)
					if (p->s + i >= p->end || !strchr("0123456789abcdefABCDEF",
									  p->s[i]) || !p->s[i])
						return false;
				p->s += 5;
			} else if (strchr("\"\\/bfnrt", *p->s) && *p->s) {
				p->s++;
			} else {
				return false;
			}
			continue;
		}
		size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
		if (!len || (size_t)(p->end - p->s) < len)
			return false;
		for (size_t i = 1; i < len; i++)
			if ((p->s[i] & 0xc0) != 0x80)
				return false;
		p->s += len;
	}
	if (p->s >= p->end)
		return false;
	p->s++;
	return true;
}

static bool jnumber(struct jp *p)
{
	const unsigned char *st = p->s;
	if (p->s < p->end && *p->s == '-')
		p->s++;
	if (p->s < p->end && *p->s == '0')
		p->s++;
	else
		while (p->s < p->end && *p->s >= '0' && *p->s <= '9')
			p->s++;
	return p->s > st && p->s[-1] != '-';
}

static bool jvalue(struct jp *p, int depth);

static bool jobject(struct jp *p, int depth)
{
	p->s++;
	ws(p);
	if (p->s < p->end && *p->s == '}') {
		p->s++;
		return true;
	}
	for (;;) {
		ws(p);
		if (!jstring(p))
			return false;
		ws(p);
		if (!lit(p, ":") || !jvalue(p, depth + 1))
			return false;
		ws(p);
		if (lit(p, "}"))
			return true;
		if (!lit(p, ","))
			return false;
	}
}

static bool jarray(struct jp *p, int depth)
{
	p->s++;
	ws(p);
	if (lit(p, "]"))
		return true;
	for (;;) {
		if (!jvalue(p, depth + 1))
			return false;
		ws(p);
		if (lit(p, "]"))
			return true;
		if (!lit(p, ","))
			return false;
	}
}

static bool jvalue(struct jp *p, int depth)
{
	ws(p);
	if (depth > 64 || p->s >= p->end)
		return false;
	switch (*p->s) {
	case '{': return jobject(p, depth);
	case '[': return jarray(p, depth);
	case '"': return jstring(p);
	case 't': return lit(p, "true");
	case 'f': return lit(p, "false");
	case 'n': return lit(p, "null");
	default: return jnumber(p);
	}
}

/* One JSON Lines record: a single object, then exactly one newline. */
static bool json_line_ok(const char *s, size_t n)
{
	struct jp p = { (const unsigned char *)s, (const unsigned char *)s + n };
	if (n < 3 || s[n - 1] != '\n' || memchr(s, '\n', n - 1) || *s != '{')
		return false;
	if (!jvalue(&p, 0))
		return false;
	return p.s == p.end - 1;
}

START_TEST(test_json_validator)
{
	/* the validator itself must say no */
	ck_assert(json_line_ok("{}\n", 3));
	ck_assert(json_line_ok("{\"a\":[1,-2,true,null,{\"b\":\"\\u00e9\"}]}\n", 38));
	ck_assert(!json_line_ok("{\"a\":1}", 7));
	ck_assert(!json_line_ok("{\"a\":1,}\n", 9));
	ck_assert(!json_line_ok("{\"a\":\"\\x41\"}\n", 13));
	ck_assert(!json_line_ok("{\"a\":\"\x01\"}\n", 10));
	ck_assert(!json_line_ok("{\"a\":\"\xff\"}\n", 10));
	ck_assert(!json_line_ok("{\"a\":1}\n{}\n", 11));
}
END_TEST

static const char *json_of(struct vms_buf *b, const char *s, size_t n)
{
	vms_buf_reset(b);
	vms_json_begin(b, "t");
	vms_json_str(b, "k", s, n);
	vms_json_end(b);
	ck_assert_msg(json_line_ok(b->p, b->len), "not JSON: %s", b->p);
	return b->p;
}

START_TEST(test_json_escapes)
{
	struct vms_buf b = { 0 };
	ck_assert_str_eq(json_of(&b, "", 0), "{\"type\":\"t\",\"k\":\"\"}\n");
	ck_assert_str_eq(json_of(&b, "a\"b\\c/", 6), "{\"type\":\"t\",\"k\":\"a\\\"b\\\\c/\"}\n");
	ck_assert_str_eq(json_of(&b, "\n\t\r\x01\x1f\x7f", 6),
			 "{\"type\":\"t\",\"k\":\"\\n\\t\\r\\u0001\\u001f\\u007f\"}\n");
	/* a NUL is a control byte too */
	ck_assert_str_eq(json_of(&b, "a\0b", 3), "{\"type\":\"t\",\"k\":\"a\\u0000b\"}\n");
	/* valid UTF-8 passes: 2, 3 and 4 bytes, the largest code point */
	ck_assert_str_eq(json_of(&b, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf", 13),
			 "{\"type\":\"t\",\"k\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
			 "\xf4\x8f\xbf\xbf\"}\n");
	vms_buf_free(&b);
}
END_TEST

START_TEST(test_json_invalid_utf8)
{
	struct vms_buf b = { 0 };
	/* a stray byte: the text \xff, and the raw bytes in k_hex */
	ck_assert_str_eq(json_of(&b, "a\xff", 2),
			 "{\"type\":\"t\",\"k\":\"a\\\\xff\",\"k_hex\":\"61ff\"}\n");
	/* overlong, surrogate, above U+10FFFF, truncated, lone continuation */
	static const struct {
		const char *s;
		size_t n;
	} bad[] = {
		{ "\xc0\x80", 2 }, { "\xe0\x80\x80", 3 }, { "\xed\xa0\x80", 3 },
		{ "\xf4\x90\x80\x80", 4 }, { "\xf5\x80\x80\x80", 4 }, { "\xe2\x82", 2 },
		{ "\x80", 1 }, { "\xc3", 1 }, { "\xf0\x9f\x98", 3 },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *j = json_of(&b, bad[i].s, bad[i].n);
		ck_assert_ptr_nonnull(strstr(j, "\"k_hex\":\""));
		char hx[3];
		snprintf(hx, sizeof(hx), "%02x", (unsigned char)bad[i].s[0]);
		char pat[8];
		snprintf(pat, sizeof(pat), "\\\\x%s", hx);
		ck_assert_msg(strstr(j, pat) != NULL, "%s lacks %s", j, pat);
	}
	/* the Debian workload's file name */
	static const char evil[] = "/data/evil\nname \"q\" \\ \xff\xfe.bin";
	ck_assert_str_eq(json_of(&b, evil, sizeof(evil) - 1),
			 "{\"type\":\"t\",\"k\":\"/data/evil\\nname \\\"q\\\" \\\\ \\\\xff\\\\xfe.bin\","
			 "\"k_hex\":\"2f646174612f6576696c0a6e616d6520227122205c20fffe2e62696e\"}\n");
	vms_buf_free(&b);
}
END_TEST

START_TEST(test_json_members)
{
	struct vms_buf b = { 0 };
	vms_json_begin(&b, "vma");
	vms_json_u64(&b, "u", UINT64_MAX);
	vms_json_i64(&b, "i", INT64_MIN);
	vms_json_hex(&b, "h", 0xdeadbeefULL);
	vms_json_bool(&b, "t", true);
	vms_json_bool(&b, "f", false);
	vms_json_null(&b, "n");
	vms_json_strz(&b, "z", NULL);
	vms_json_strz(&b, "s", "x");
	vms_json_u64(&b, "we\"ird\nkey", 0);
	vms_json_end(&b);
	ck_assert_str_eq(b.p, "{\"type\":\"vma\",\"u\":18446744073709551615,"
			      "\"i\":-9223372036854775808,\"h\":\"deadbeef\",\"t\":true,"
			      "\"f\":false,\"n\":null,\"z\":\"\",\"s\":\"x\","
			      "\"we\\\"ird\\nkey\":0}\n");
	ck_assert(json_line_ok(b.p, b.len));
	vms_buf_free(&b);
}
END_TEST

START_TEST(test_json_every_byte)
{
	/* every byte value, alone and in pairs, gives valid JSON */
	struct vms_buf b = { 0 };
	char s[2];
	for (int i = 0; i < 256; i++) {
		s[0] = (char)i;
		json_of(&b, s, 1);
		for (int j = 0; j < 256; j += 7) {
			s[1] = (char)j;
			json_of(&b, s, 2);
		}
	}
	vms_buf_free(&b);
}
END_TEST

/* ---- the buffer ---------------------------------------------------------------- */

START_TEST(test_buf_growth)
{
	struct vms_buf b = { 0 };
	vms_buf_puts(&b, "");
	ck_assert_uint_eq(b.len, 0);
	for (int i = 0; i < 10000; i++)
		vms_buf_printf(&b, "%d,", i % 10);
	ck_assert_uint_eq(b.len, 20000);
	ck_assert_uint_ge(b.cap, b.len + 1);
	ck_assert_uint_eq(strlen(b.p), 20000);
	/* one printf longer than its on-stack attempt */
	char big[1000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	vms_buf_reset(&b);
	vms_buf_printf(&b, "<%s>", big);
	ck_assert_uint_eq(b.len, 1001);
	ck_assert_int_eq(b.p[1000], '>');
	ck_assert_int_eq(b.p[1001], 0);
	vms_buf_free(&b);
	ck_assert_ptr_null(b.p);
	ck_assert_uint_eq(b.cap, 0);
}
END_TEST

START_TEST(test_buf_oom)
{
	struct vms_buf b = { 0 };
	vms_buf_puts(&b, "kept?");
	/* a request no allocator can meet: the buffer says so and stays usable */
	vms_buf_put(&b, "x", SIZE_MAX / 2);
	ck_assert(b.oom);
	vms_buf_puts(&b, "more");
	ck_assert_uint_eq(b.len, 5);
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	ck_assert_ptr_nonnull(f);
	/* a record built without memory is not written at all */
	ck_assert_int_eq(vms_buf_flush(&b, f), VMS_NOMEM);
	ck_assert(!b.oom);
	ck_assert_uint_eq(b.len, 0);
	vms_buf_puts(&b, "next\n");
	ck_assert_int_eq(vms_buf_flush(&b, f), VMS_OK);
	fclose(f);
	ck_assert_str_eq(out, "next\n");
	free(out);
	vms_buf_free(&b);
}
END_TEST

START_TEST(test_escape_safe)
{
	struct vms_buf b = { 0 };
	vms_buf_escape_safe(&b, "a\tb\\c\x7f\xff\xc3\xa9\n", 10);
	ck_assert_str_eq(b.p, "a\\011b\\134c\\177\\377\xc3\xa9\\012");
	vms_buf_reset(&b);
	vms_buf_escape_kernel(&b, "a\tb\\\n", 5);
	ck_assert_str_eq(b.p, "a\tb\\\\012");
	vms_buf_free(&b);
}
END_TEST

START_TEST(test_thp_texts)
{
	ck_assert_str_eq(vms_thp_enabled_text(0x1c2), "[always] madvise never");
	ck_assert_str_eq(vms_thp_enabled_text(1 << 2), "always [madvise] never");
	ck_assert_str_eq(vms_thp_enabled_text(0), "always madvise [never]");
	ck_assert_str_eq(vms_thp_defrag_text(0x1c2), "always defer defer+madvise [madvise] never");
	ck_assert_str_eq(vms_thp_defrag_text(1 << 3), "[always] defer defer+madvise madvise never");
	ck_assert_str_eq(vms_thp_defrag_text(0), "always defer defer+madvise madvise [never]");
}
END_TEST

Suite *fmt_suite(void);
Suite *fmt_suite(void)
{
	Suite *s = suite_create("fmt");
	TCase *tc = tcase_create("smaps as the kernels print it");
	tcase_add_loop_test(tc, test_real_smaps_blocks, 0,
			    (int)(sizeof(fixtures) / sizeof(fixtures[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("smaps layout");
	tcase_add_test(tc, test_label_widths);
	tcase_add_test(tc, test_header_padding);
	tcase_add_test(tc, test_path_escape);
	tcase_add_test(tc, test_vmflags_tables);
	tcase_add_test(tc, test_perms);
	tcase_add_test(tc, test_field_order);
	tcase_add_test(tc, test_rollup_header);
	tcase_add_test(tc, test_thp_and_pkey_lines);
	tcase_add_test(tc, test_extra_fields);
	tcase_add_test(tc, test_thp_texts);
	suite_add_tcase(s, tc);

	tc = tcase_create("JSON");
	tcase_add_test(tc, test_json_validator);
	tcase_add_test(tc, test_json_escapes);
	tcase_add_test(tc, test_json_invalid_utf8);
	tcase_add_test(tc, test_json_members);
	tcase_add_test(tc, test_json_every_byte);
	suite_add_tcase(s, tc);

	tc = tcase_create("Buffer");
	tcase_add_test(tc, test_buf_growth);
	tcase_add_test(tc, test_buf_oom);
	tcase_add_test(tc, test_escape_safe);
	suite_add_tcase(s, tc);
	return s;
}
