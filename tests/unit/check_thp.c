// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_thp.c: THPeligible (thp.c) for the 5.10, 6.1 and 6.12 rules, rule by
 * rule, with a reason for every 0.
 */
#include <check.h>
#include <string.h>

#include "thp.h"

#define MB (1ULL << 20)
#define S 0x7f0000000000ULL		/* 2 MiB-aligned */
#define ALWAYS (1ULL << VMS_THP_ALWAYS)
#define MADVISE (1ULL << VMS_THP_MADVISE)
#define NEVER 0ULL

static const enum vms_thp_rule rules[] = { VMS_THP_5_10, VMS_THP_6_1, VMS_THP_6_12 };

static struct vms_thp_sys sys_of(enum vms_thp_rule rule, uint64_t enabled)
{
	/* Debian's defaults: defrag=madvise, use_zero_page; 6.12's mTHP
	 * defaults: only the PMD order, inherited */
	return (struct vms_thp_sys){
		.rule = rule,
		.flags = enabled | (1ULL << VMS_THP_DEFRAG_REQ_MADV) |
			 (1ULL << VMS_THP_DEFRAG_KHUGEPAGED) | (1ULL << VMS_THP_USE_ZERO_PAGE),
		.shmem_huge = VMS_SHMEM_NEVER,
		.anon_inherit = 0x200,
		.shmem_inherit = 0x200,
	};
}

static struct vms_thp_vma anon(uint64_t start, uint64_t size)
{
	return (struct vms_thp_vma){ .start = start, .end = start + size,
				     .flags = VMS_VM_READ | VMS_VM_WRITE, .has_mm = true,
				     .anonymous = true, .has_anon_vma = true };
}

static struct vms_thp_vma file(uint64_t start, uint64_t size, uint64_t pgoff)
{
	return (struct vms_thp_vma){ .start = start, .end = start + size, .pgoff = pgoff,
				     .flags = VMS_VM_READ | VMS_VM_EXEC, .has_mm = true,
				     .file = true, .regular = true, .i_size = (int64_t)size };
}

static struct vms_thp_vma shmem(uint64_t size, int sb_huge)
{
	struct vms_thp_vma v = file(S, size, 0);
	v.flags = VMS_VM_READ | VMS_VM_WRITE | VMS_VM_SHARED | VMS_VM_MAYSHARE;
	v.shmem = true;
	v.sb_huge = sb_huge;
	v.open_for_write = true;
	return v;
}

#define expect(sys, v, want) expect_at(__LINE__, sys, v, want)

static void expect_at(int line, const struct vms_thp_sys *sys, const struct vms_thp_vma *v,
		      int want)
{
	static const char *const names[] = { "5.10", "6.1", "6.12" };
	const char *reason = NULL;
	int got = vms_thp_eligible(sys, v, &reason);
	ck_assert_msg(got == want, "line %d, %s: THPeligible %d, expected %d (%s)", line,
		      names[sys->rule], got, want, reason ? reason : "(null)");
	ck_assert_ptr_nonnull(reason);
	if (got)
		ck_assert_str_eq(reason, "");
	else
		ck_assert_msg(reason[0], "line %d, %s: a 0 without a reason", line,
			      names[sys->rule]);
	/* the reason is optional */
	ck_assert_int_eq(vms_thp_eligible(sys, v, NULL), got);
}

static const char *why(const struct vms_thp_sys *sys, const struct vms_thp_vma *v)
{
	const char *reason = NULL;
	vms_thp_eligible(sys, v, &reason);
	return reason;
}

/* ---- Limits: VMAs too small or misaligned --------------------------------- */

START_TEST(test_window)
{
	for (unsigned r = 0; r < 3; r++) {
		struct vms_thp_sys s = sys_of(rules[r], ALWAYS);
		struct vms_thp_vma v = anon(S, 2 * MB);
		expect(&s, &v, 1);
		v = anon(S, 4 * MB);
		expect(&s, &v, 1);
		/* 4 KiB short of a window */
		v = anon(S, 2 * MB - 4096);
		expect(&s, &v, 0);
		ck_assert_ptr_nonnull(strstr(why(&s, &v), "2 MiB window"));
		/* 2 MiB, but straddling a boundary */
		v = anon(S + 4096, 2 * MB);
		expect(&s, &v, 0);
		/* misaligned but long enough to hold one */
		v = anon(S + 4096, 4 * MB);
		expect(&s, &v, 1);
		v = anon(S, 4096);
		expect(&s, &v, 0);
		/* below 2 MiB the kernel's unsigned arithmetic wraps and the
		 * window "fits" (mmap_min_addr keeps real VMAs out of there) */
		v = anon(0x10000, 4096);
		expect(&s, &v, 1);
	}
}
END_TEST

START_TEST(test_gate_vma)
{
	/* [vsyscall]: no mm, 4 KiB, special vm_ops */
	for (unsigned r = 0; r < 3; r++) {
		struct vms_thp_sys s = sys_of(rules[r], ALWAYS);
		struct vms_thp_vma v = { .start = 0xffffffffff600000ULL,
					 .end = 0xffffffffff601000ULL, .flags = VMS_VM_EXEC };
		expect(&s, &v, 0);
		/* even a big gate VMA is refused where the kernel tests vm_mm */
		v.end = v.start + 0x9ff000;
		v.start = 0xffffffffff000000ULL;
		v.anonymous = true;
		expect(&s, &v, rules[r] == VMS_THP_5_10 ? 1 : 0);
		if (rules[r] != VMS_THP_5_10)
			ck_assert_str_eq(why(&s, &v), "no mm (gate VMA)");
	}
}
END_TEST

/* ---- Anonymous --------------------------------------------------------------- */

START_TEST(test_anon_sysfs)
{
	for (unsigned r = 0; r < 3; r++) {
		struct vms_thp_vma v = anon(S, 4 * MB);
		struct vms_thp_vma hv = v;
		hv.flags |= VMS_VM_HUGEPAGE;

		struct vms_thp_sys s = sys_of(rules[r], ALWAYS);
		expect(&s, &v, 1);
		expect(&s, &hv, 1);
		/* both bits set, as after boot with ALWAYS: always wins */
		s.flags |= MADVISE;
		expect(&s, &v, 1);

		s = sys_of(rules[r], MADVISE);
		expect(&s, &v, 0);
		ck_assert_ptr_nonnull(strstr(why(&s, &v), "madvise"));
		expect(&s, &hv, 1);

		s = sys_of(rules[r], NEVER);
		expect(&s, &v, 0);
		expect(&s, &hv, 0);
		ck_assert_ptr_nonnull(strstr(why(&s, &hv), "never"));
	}
}
END_TEST

START_TEST(test_anon_refusals)
{
	for (unsigned r = 0; r < 3; r++) {
		struct vms_thp_sys s = sys_of(rules[r], ALWAYS);
		struct vms_thp_vma v = anon(S, 4 * MB);

		v.flags |= VMS_VM_NOHUGEPAGE;
		expect(&s, &v, 0);
		ck_assert_str_eq(why(&s, &v), "VM_NOHUGEPAGE (madvise)");
		/* MADV_NOHUGEPAGE beats MADV_HUGEPAGE */
		v.flags |= VMS_VM_HUGEPAGE;
		expect(&s, &v, 0);

		v = anon(S, 4 * MB);
		v.mm_thp_disabled = true;
		expect(&s, &v, 0);
		ck_assert_str_eq(why(&s, &v), "MMF_DISABLE_THP (prctl)");

		/* a stack exec is still setting up */
		v = anon(S, 4 * MB);
		v.flags |= VMS_VM_GROWSDOWN | VMS_VM_SEQ_READ | VMS_VM_RAND_READ;
		expect(&s, &v, 0);
		ck_assert_str_eq(why(&s, &v), "temporary stack");
		v.flags &= ~VMS_VM_SEQ_READ;	/* the real stack */
		expect(&s, &v, 1);

		/* no PSE in the CPU */
		v = anon(S, 4 * MB);
		s.flags |= 1ULL << VMS_THP_UNSUPPORTED;
		expect(&s, &v, 0);
		ck_assert_str_eq(why(&s, &v), "THP unsupported by the hardware");

		/* a VMA no fault has touched yet: smaps still says 1 */
		s = sys_of(rules[r], ALWAYS);
		v.has_anon_vma = false;
		expect(&s, &v, 1);
	}
}
END_TEST

START_TEST(test_vm_special)
{
	/* VM_IO and friends: only 6.1 looks at VM_NO_KHUGEPAGED for smaps */
	const uint64_t special[] = { VMS_VM_IO, VMS_VM_DONTEXPAND, VMS_VM_PFNMAP,
				     VMS_VM_MIXEDMAP, VMS_VM_HUGETLB };
	for (unsigned r = 0; r < 3; r++)
		for (unsigned i = 0; i < 5; i++) {
			struct vms_thp_sys s = sys_of(rules[r], ALWAYS);
			struct vms_thp_vma v = anon(S, 4 * MB);
			v.flags |= special[i];
			expect(&s, &v, rules[r] == VMS_THP_6_1 ? 0 : 1);
		}
}
END_TEST

/* ---- Files ---------------------------------------------------------------------- */

START_TEST(test_file_without_ro_thp)
{
	for (unsigned r = 0; r < 3; r++) {
		struct vms_thp_sys s = sys_of(rules[r], ALWAYS);
		struct vms_thp_vma v = file(S, 4 * MB, 0);
		expect(&s, &v, 0);
		ck_assert_str_eq(why(&s, &v), "file mapping without READ_ONLY_THP_FOR_FS");
		/* DAX: 6.1 and 6.12 say so (5.10 has no such test) */
		v.dax = true;
		expect(&s, &v, 0);
		if (rules[r] != VMS_THP_5_10)
			ck_assert_str_eq(why(&s, &v), "DAX mapping");
	}
}
END_TEST

START_TEST(test_file_with_ro_thp)
{
	for (unsigned r = 0; r < 3; r++) {
		struct vms_thp_sys s = sys_of(rules[r], ALWAYS);
		s.read_only_thp_for_fs = true;
		struct vms_thp_vma v = file(S, 4 * MB, 0);
		expect(&s, &v, 1);
		/* open for write: no */
		v.open_for_write = true;
		expect(&s, &v, 0);
		v.open_for_write = false;
		/* VM_EXEC is needed up to 6.1, not in 6.12 */
		v.flags &= ~VMS_VM_EXEC;
		expect(&s, &v, rules[r] == VMS_THP_6_12 ? 1 : 0);
		v.flags |= VMS_VM_EXEC;
		/* 6.1 and 6.12 want sysfs to allow it; 5.10 does not ask */
		s = sys_of(rules[r], NEVER);
		s.read_only_thp_for_fs = true;
		expect(&s, &v, rules[r] == VMS_THP_5_10 ? 1 : 0);
		/* the file offset must match the address modulo 2 MiB */
		s = sys_of(rules[r], ALWAYS);
		s.read_only_thp_for_fs = true;
		v = file(S, 4 * MB, 1);
		expect(&s, &v, 0);
		ck_assert_str_eq(why(&s, &v), "file offset not 2 MiB-aligned with the address");
		v = file(S, 4 * MB, 512);
		expect(&s, &v, 1);
	}
}
END_TEST

START_TEST(test_huge_fault_6_12)
{
	/* 6.12 smaps: a driver with ->huge_fault is eligible once sysfs allows
	 * it, and a VM_PFNMAP one even without sysfs */
	struct vms_thp_sys s = sys_of(VMS_THP_6_12, ALWAYS);
	struct vms_thp_vma v = file(S, 4 * MB, 0);
	v.huge_fault = true;
	expect(&s, &v, 1);
	s = sys_of(VMS_THP_6_12, NEVER);
	expect(&s, &v, 0);
	v.flags |= VMS_VM_PFNMAP;
	expect(&s, &v, 1);
}
END_TEST

/* ---- shmem ------------------------------------------------------------------------ */

START_TEST(test_shmem_mount)
{
	for (unsigned r = 0; r < 3; r++) {
		/* sysfs "enabled" does not matter for shmem: huge= does */
		struct vms_thp_sys s = sys_of(rules[r], NEVER);
		struct vms_thp_vma v = shmem(4 * MB, VMS_SHMEM_ALWAYS);
		expect(&s, &v, 1);
		v.sb_huge = VMS_SHMEM_NEVER;
		expect(&s, &v, 0);
		ck_assert_ptr_nonnull(strstr(why(&s, &v), "shmem"));
		v.sb_huge = VMS_SHMEM_ADVISE;
		expect(&s, &v, 0);
		v.flags |= VMS_VM_HUGEPAGE;
		expect(&s, &v, 1);
		/* the global override: deny, force */
		v = shmem(4 * MB, VMS_SHMEM_ALWAYS);
		s.shmem_huge = VMS_SHMEM_DENY;
		expect(&s, &v, 0);
		v.sb_huge = VMS_SHMEM_NEVER;
		s.shmem_huge = VMS_SHMEM_FORCE;
		expect(&s, &v, 1);
		/* VM_NOHUGEPAGE and the prctl apply to shmem too */
		s.shmem_huge = VMS_SHMEM_NEVER;
		v.sb_huge = VMS_SHMEM_ALWAYS;
		v.flags |= VMS_VM_NOHUGEPAGE;
		expect(&s, &v, 0);
		v.flags &= ~VMS_VM_NOHUGEPAGE;
		v.mm_thp_disabled = true;
		expect(&s, &v, 0);
	}
}
END_TEST

START_TEST(test_shmem_within_size)
{
	for (unsigned r = 0; r < 3; r++) {
		struct vms_thp_sys s = sys_of(rules[r], NEVER);
		struct vms_thp_vma v = shmem(4 * MB, VMS_SHMEM_WITHIN_SIZE);
		v.i_size = 4 * MB;
		expect(&s, &v, 1);
		/* a file smaller than a huge page */
		v.i_size = MB;
		expect(&s, &v, 0);
		/* ... unless madvised (within_size falls through to advise) */
		v.flags |= VMS_VM_HUGEPAGE;
		expect(&s, &v, 1);
		v.flags &= ~VMS_VM_HUGEPAGE;
		/* exactly 2 MiB: 5.10 rounds vm_pgoff up (0), 6.1+ vm_pgoff + 1 */
		v.i_size = 2 * MB;
		expect(&s, &v, 1);
		v.i_size = 2 * MB - 1;	/* rounds up to 2 MiB in pages */
		expect(&s, &v, 1);
		v.i_size = 2 * MB - 4096;
		expect(&s, &v, 0);
	}
}
END_TEST

START_TEST(test_shmem_not_regular)
{
	/* 6.1+ ask S_ISREG (SysV shm is regular; a device mapped through shmem
	 * is not); 5.10 does not */
	for (unsigned r = 0; r < 3; r++) {
		struct vms_thp_sys s = sys_of(rules[r], ALWAYS);
		struct vms_thp_vma v = shmem(4 * MB, VMS_SHMEM_ALWAYS);
		v.regular = false;
		expect(&s, &v, rules[r] == VMS_THP_5_10 ? 1 : 0);
		if (rules[r] != VMS_THP_5_10)
			ck_assert_str_eq(why(&s, &v), "shmem: not a regular file");
	}
}
END_TEST

START_TEST(test_anon_shmem_6_12)
{
	/* MAP_SHARED|MAP_ANONYMOUS in 6.12: the huge_shmem_orders_* masks */
	struct vms_thp_sys s = sys_of(VMS_THP_6_12, NEVER);
	struct vms_thp_vma v = shmem(4 * MB, VMS_SHMEM_NEVER);
	v.anon_shmem = true;
	expect(&s, &v, 0);
	s.shmem_always = 1ULL << 4;
	expect(&s, &v, 1);
	s.shmem_always = 0;
	s.shmem_madvise = 1ULL << 9;
	expect(&s, &v, 0);
	v.flags |= VMS_VM_HUGEPAGE;
	expect(&s, &v, 1);
	/* inherit follows the global setting (shm_mnt's huge=) */
	v.flags &= ~VMS_VM_HUGEPAGE;
	v.sb_huge = VMS_SHMEM_ALWAYS;
	expect(&s, &v, 1);
	s.shmem_inherit = 0;
	expect(&s, &v, 0);
	/* deny beats everything; force gives the inherited orders */
	s.shmem_always = 1ULL << 9;
	s.shmem_huge = VMS_SHMEM_DENY;
	expect(&s, &v, 0);
	s.shmem_huge = VMS_SHMEM_FORCE;
	s.shmem_inherit = 1ULL << 9;
	expect(&s, &v, 1);
	/* within_size, per order */
	s = sys_of(VMS_THP_6_12, NEVER);
	s.shmem_inherit = 0;
	s.shmem_within_size = (1ULL << 9) | (1ULL << 2);
	v = shmem(4 * MB, VMS_SHMEM_NEVER);
	v.anon_shmem = true;
	v.i_size = 16384;	/* order 2 fits, 9 does not */
	expect(&s, &v, 1);
	v.i_size = 8192;
	expect(&s, &v, 0);
}
END_TEST

/* ---- 6.12 mTHP ---------------------------------------------------------------------- */

START_TEST(test_mthp_orders_6_12)
{
	/* defaults: anon_inherit 0x200, nothing else */
	struct vms_thp_sys s = sys_of(VMS_THP_6_12, ALWAYS);
	struct vms_thp_vma small = anon(S, 64 * 1024);
	expect(&s, &small, 0);
	ck_assert_ptr_nonnull(strstr(why(&s, &small), "2 MiB window"));
	/* 64 KiB mTHP always: a 64 KiB VMA is eligible */
	s.anon_always = 1ULL << 4;
	expect(&s, &small, 1);
	/* but not a misaligned one */
	small = anon(S + 4096, 64 * 1024);
	expect(&s, &small, 0);
	/* orders 0 and 1 are no anon THP sizes */
	s.anon_always = 0x3;
	s.anon_inherit = 0;
	small = anon(S, 64 * 1024);
	expect(&s, &small, 0);
	ck_assert_str_eq(why(&s, &small), "sysfs: no THP size enabled for this mapping");
	/* per-size always works under a global never */
	s = sys_of(VMS_THP_6_12, NEVER);
	s.anon_always = 1ULL << 9;
	struct vms_thp_vma v = anon(S, 4 * MB);
	expect(&s, &v, 1);
	/* per-size madvise needs MADV_HUGEPAGE, inherit needs the global too */
	s = sys_of(VMS_THP_6_12, NEVER);
	s.anon_madvise = 1ULL << 2;
	s.anon_inherit = 0;
	expect(&s, &v, 0);
	v.flags |= VMS_VM_HUGEPAGE;
	expect(&s, &v, 1);
	s = sys_of(VMS_THP_6_12, MADVISE);
	expect(&s, &v, 1);	/* inherit 0x200 with madvise + VM_HUGEPAGE */
	s.anon_inherit = 0;
	expect(&s, &v, 0);
	ck_assert_ptr_nonnull(strstr(why(&s, &v), "no THP size"));
	/* a PUD order alone is no anon size either */
	s = sys_of(VMS_THP_6_12, ALWAYS);
	s.anon_inherit = 1ULL << 18;
	v = anon(0, 1ULL << 31);
	expect(&s, &v, 0);
}
END_TEST

Suite *thp_suite(void);
Suite *thp_suite(void)
{
	Suite *s = suite_create("thp");
	TCase *tc = tcase_create("Limits");
	tcase_add_test(tc, test_window);
	tcase_add_test(tc, test_gate_vma);
	suite_add_tcase(s, tc);

	tc = tcase_create("Anonymous");
	tcase_add_test(tc, test_anon_sysfs);
	tcase_add_test(tc, test_anon_refusals);
	tcase_add_test(tc, test_vm_special);
	suite_add_tcase(s, tc);

	tc = tcase_create("Files");
	tcase_add_test(tc, test_file_without_ro_thp);
	tcase_add_test(tc, test_file_with_ro_thp);
	tcase_add_test(tc, test_huge_fault_6_12);
	suite_add_tcase(s, tc);

	tc = tcase_create("shmem");
	tcase_add_test(tc, test_shmem_mount);
	tcase_add_test(tc, test_shmem_within_size);
	tcase_add_test(tc, test_shmem_not_regular);
	tcase_add_test(tc, test_anon_shmem_6_12);
	suite_add_tcase(s, tc);

	tc = tcase_create("6.12 orders");
	tcase_add_test(tc, test_mthp_orders_6_12);
	suite_add_tcase(s, tc);
	return s;
}
