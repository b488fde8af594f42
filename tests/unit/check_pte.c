// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_pte.c: x86_64 entry decoding (pte.c), level by level and for the
 * swap-type layouts of 5.10, 6.1 and 6.12.
 */
#include <check.h>

#include "pte.h"

#define PFN_MASK_4K 0x000ffffffffff000ULL

/* Machines as the glue fills them for each kernel (4-level paging). */
static void arch_5_10(struct vms_arch *a)
{
	*a = (struct vms_arch){ .levels = 4, .phys_mask = (1ULL << 52) - 1,
				.max_pfn = (1ULL << 30) - 1, .devmap_bit = 1ULL << 58 };
	/* DEVICE_PRIVATE=y: device 2, migration 2, hwpoison 1 */
	vms_arch_swap_types(a, 27, 2, false, false);
}

static void arch_6_1(struct vms_arch *a)
{
	*a = (struct vms_arch){ .levels = 4, .phys_mask = (1ULL << 52) - 1,
				.max_pfn = (1ULL << 30) - 1, .devmap_bit = 1ULL << 58,
				.swp_pfn_bits = 34 };
	/* device 4, migration 3, hwpoison 1, marker 1, swapin_error 1 */
	vms_arch_swap_types(a, 22, 3, true, true);
}

static void arch_6_12(struct vms_arch *a)
{
	*a = (struct vms_arch){ .levels = 4, .phys_mask = (1ULL << 52) - 1,
				.max_pfn = (1ULL << 30) - 1, .devmap_bit = 1ULL << 57,
				.saved_dirty_bit = 1ULL << 58, .swp_pfn_bits = 34 };
	/* device 4, migration 3, hwpoison 1, marker 1 */
	vms_arch_swap_types(a, 23, 3, true, false);
}

/* __swp_entry(type, offset) of arch/x86/include/asm/pgtable_64.h */
static uint64_t swp(uint64_t type, uint64_t offset)
{
	return (type << 59) | ((~offset << 14) >> 5);
}

/* pfn_pte() with a PROT_NONE pgprot: the pfn is stored inverted (L1TF). */
static uint64_t protnone_pte(uint64_t pfn, uint64_t flags)
{
	return (((pfn << 12) ^ ~0ULL) & PFN_MASK_4K) | flags | VMS_P_PROTNONE;
}

static struct vms_entry dec(const struct vms_arch *a, int level, uint64_t raw)
{
	struct vms_entry e;
	vms_decode(a, level, raw, &e);
	ck_assert_uint_eq(e.raw, raw);
	return e;
}

/* ---- Limits: 0, ~0, the erratum bits ------------------------------------ */

START_TEST(test_zero_is_none_everywhere)
{
	struct vms_arch a;
	arch_6_12(&a);
	for (int l = VMS_PTE; l <= VMS_PGD5; l++) {
		struct vms_entry e = dec(&a, l, 0);
		ck_assert_int_eq(e.kind, VMS_E_NONE);
		ck_assert_uint_eq(e.pfn, 0);
	}
}
END_TEST

START_TEST(test_erratum_bits_alone_are_none)
{
	/* KNL erratum: the CPU may set A and D in an otherwise empty entry */
	struct vms_arch a;
	arch_6_12(&a);
	const uint64_t raws[] = { VMS_P_ACCESSED, VMS_P_DIRTY, VMS_P_ACCESSED | VMS_P_DIRTY };
	for (int l = VMS_PTE; l <= VMS_PGD5; l++)
		for (unsigned i = 0; i < 3; i++) {
			ck_assert(vms_raw_none(raws[i]));
			ck_assert_int_eq(dec(&a, l, raws[i]).kind, VMS_E_NONE);
		}
	/* one more bit and it is not none */
	ck_assert(!vms_raw_none(VMS_P_ACCESSED | VMS_P_DIRTY | VMS_P_PRESENT));
	ck_assert(!vms_raw_none(1ULL << 63));
}
END_TEST

START_TEST(test_all_ones)
{
	struct vms_arch a;
	arch_6_12(&a);
	/* present, PSE: a 4 KiB leaf at PTE level (PSE is PAT there) */
	struct vms_entry e = dec(&a, VMS_PTE, ~0ULL);
	ck_assert_int_eq(e.kind, VMS_E_LEAF);
	ck_assert_uint_eq(e.pfn, (1ULL << 40) - 1);
	ck_assert(e.dirty && e.young && e.write && e.special && e.devmap && e.soft_dirty &&
		  e.uffd_wp);
	ck_assert(!e.protnone);
	e = dec(&a, VMS_PMD, ~0ULL);
	ck_assert_int_eq(e.kind, VMS_E_LEAF);
	ck_assert_uint_eq(e.pfn, ((1ULL << 40) - 1) & ~0x1ffULL);
	e = dec(&a, VMS_PUD, ~0ULL);
	ck_assert_int_eq(e.kind, VMS_E_LEAF);
	ck_assert_uint_eq(e.pfn, ((1ULL << 40) - 1) & ~0x3ffffULL);
	/* PSE cannot be at P4D or PGD */
	ck_assert_int_eq(dec(&a, VMS_P4D, ~0ULL).kind, VMS_E_BAD);
	ck_assert_int_eq(dec(&a, VMS_PGD5, ~0ULL).kind, VMS_E_BAD);
}
END_TEST

/* ---- Present entries ----------------------------------------------------- */

START_TEST(test_present_pte)
{
	struct vms_arch a;
	arch_6_1(&a);
	uint64_t raw = (0x12345ULL << 12) | VMS_P_PRESENT | VMS_P_USER | VMS_P_ACCESSED | VMS_P_NX;
	struct vms_entry e = dec(&a, VMS_PTE, raw);
	ck_assert_int_eq(e.kind, VMS_E_LEAF);
	ck_assert_uint_eq(e.pfn, 0x12345);
	ck_assert(e.young);
	ck_assert(!e.dirty && !e.write && !e.special && !e.protnone && !e.devmap);

	e = dec(&a, VMS_PTE, raw | VMS_P_DIRTY | VMS_P_RW | VMS_P_SPECIAL);
	ck_assert(e.dirty && e.write && e.special);
	/* bit 12 is part of a 4 KiB pfn */
	ck_assert_uint_eq(dec(&a, VMS_PTE, (0x1001ULL << 12) | 1).pfn, 0x1001);
}
END_TEST

START_TEST(test_protnone_pte_inverted)
{
	struct vms_arch a;
	arch_6_12(&a);
	const uint64_t pfns[] = { 0, 1, 0x12345, (1ULL << 40) - 1 };
	for (unsigned i = 0; i < 4; i++) {
		struct vms_entry e = dec(&a, VMS_PTE, protnone_pte(pfns[i], VMS_P_ACCESSED));
		ck_assert_int_eq(e.kind, VMS_E_LEAF);
		ck_assert(e.protnone);
		ck_assert_uint_eq(e.pfn, pfns[i]);
		ck_assert(e.young);
	}
	/* a present entry that happens to have bit 8 (global) is not inverted */
	struct vms_entry e = dec(&a, VMS_PTE, (0x42ULL << 12) | VMS_P_PRESENT | VMS_P_PROTNONE);
	ck_assert(!e.protnone);
	ck_assert_uint_eq(e.pfn, 0x42);
}
END_TEST

START_TEST(test_phys_mask_strips_high_bits)
{
	/* an SME C-bit (47) or pkey bits are not address bits */
	struct vms_arch a;
	arch_6_12(&a);
	a.phys_mask = ((1ULL << 52) - 1) & ~(1ULL << 47);
	uint64_t raw = (1ULL << 47) | (0x777ULL << 12) | (0xfULL << 59) | 0x67;
	ck_assert_uint_eq(dec(&a, VMS_PTE, raw).pfn, 0x777);
	ck_assert_uint_eq(dec(&a, VMS_PMD, raw & ~VMS_P_PSE).pfn, 0x777);
	ck_assert_int_eq(dec(&a, VMS_PMD, raw & ~VMS_P_PSE).kind, VMS_E_TABLE);
}
END_TEST

START_TEST(test_pmd_leaf)
{
	struct vms_arch a;
	arch_6_12(&a);
	/* the PAT bit of a huge entry is bit 12: not part of the pfn */
	uint64_t raw = (0x40000ULL << 12) | (1ULL << 12) | VMS_P_PSE | VMS_P_PRESENT | VMS_P_DIRTY;
	struct vms_entry e = dec(&a, VMS_PMD, raw);
	ck_assert_int_eq(e.kind, VMS_E_LEAF);
	ck_assert_uint_eq(e.pfn, 0x40000);
	ck_assert(e.dirty);
	/* low pfn bits under 2 MiB are masked */
	ck_assert_uint_eq(dec(&a, VMS_PMD, (0x401ffULL << 12) | 0x81).pfn, 0x40000);
	/* PSE alone (pmdp_invalidate during a split): still a leaf, pfn inverted */
	e = dec(&a, VMS_PMD, (((0x40000ULL << 12) ^ ~0ULL) & PFN_MASK_4K) | VMS_P_PSE);
	ck_assert_int_eq(e.kind, VMS_E_LEAF);
	ck_assert_uint_eq(e.pfn, 0x40000);
	ck_assert(!e.protnone);
	/* a NUMA-hint THP: PSE | PROTNONE, inverted */
	e = dec(&a, VMS_PMD, (((0x40200ULL << 12) ^ ~0ULL) & PFN_MASK_4K) | VMS_P_PSE |
				     VMS_P_PROTNONE);
	ck_assert(e.protnone);
	ck_assert_uint_eq(e.pfn, 0x40200);
	/* PROTNONE without PSE is no PMD the kernel makes */
	ck_assert_int_eq(dec(&a, VMS_PMD, (0x1000ULL << 12) | VMS_P_PROTNONE).kind, VMS_E_BAD);
}
END_TEST

START_TEST(test_pud_leaf)
{
	struct vms_arch a;
	arch_6_12(&a);
	uint64_t raw = (0x80000ULL << 12) | (1ULL << 12) | VMS_P_PSE | VMS_P_PRESENT;
	struct vms_entry e = dec(&a, VMS_PUD, raw);
	ck_assert_int_eq(e.kind, VMS_E_LEAF);
	ck_assert_uint_eq(e.pfn, 0x80000);
	ck_assert_uint_eq(dec(&a, VMS_PUD, (0xbffffULL << 12) | 0x81).pfn, 0x80000);
	/* pud_present is P alone: anything else non-empty is damage */
	ck_assert_int_eq(dec(&a, VMS_PUD, (0x80000ULL << 12) | VMS_P_PSE).kind, VMS_E_BAD);
	ck_assert_int_eq(dec(&a, VMS_PUD, swp(3, 100)).kind, VMS_E_BAD);
}
END_TEST

START_TEST(test_table_pointers)
{
	struct vms_arch a;
	arch_6_12(&a);
	for (int l = VMS_PMD; l <= VMS_PGD5; l++) {
		struct vms_entry e = dec(&a, l, (0x1234ULL << 12) | 0x67 | VMS_P_NX);
		ck_assert_int_eq(e.kind, VMS_E_TABLE);
		ck_assert_uint_eq(e.pfn, 0x1234);
		/* max_pfn itself is fine, one more is beyond memory */
		ck_assert_int_eq(dec(&a, l, (a.max_pfn << 12) | 0x67).kind, VMS_E_TABLE);
		ck_assert_int_eq(dec(&a, l, ((a.max_pfn + 1) << 12) | 0x67).kind, VMS_E_BAD);
	}
	/* max_pfn 0: unknown, nothing is beyond it */
	a.max_pfn = 0;
	ck_assert_int_eq(dec(&a, VMS_PMD, ((1ULL << 39) << 12) | 0x67).kind, VMS_E_TABLE);
	/* a non-present upper entry is never a swap entry */
	arch_6_12(&a);
	ck_assert_int_eq(dec(&a, VMS_P4D, (0x1234ULL << 12) | 0x66).kind, VMS_E_BAD);
	ck_assert_int_eq(dec(&a, VMS_PGD5, swp(1, 1)).kind, VMS_E_BAD);
}
END_TEST

START_TEST(test_leaf_bits)
{
	struct vms_arch a510, a612;
	arch_5_10(&a510);
	arch_6_12(&a612);
	uint64_t base = (0x99ULL << 12) | VMS_P_PRESENT;

	ck_assert(dec(&a612, VMS_PTE, base | VMS_P_SOFT_DIRTY).soft_dirty);
	ck_assert(dec(&a612, VMS_PTE, base | VMS_P_UFFD_WP).uffd_wp);
	ck_assert(!dec(&a612, VMS_PTE, base).soft_dirty);
	/* devmap: bit 58 before 6.6, 57 after, where 58 is the saved dirty bit */
	ck_assert(dec(&a510, VMS_PTE, base | (1ULL << 58)).devmap);
	ck_assert(!dec(&a510, VMS_PTE, base | (1ULL << 58)).dirty);
	ck_assert(!dec(&a510, VMS_PTE, base | (1ULL << 57)).devmap);
	ck_assert(dec(&a612, VMS_PTE, base | (1ULL << 57)).devmap);
	ck_assert(!dec(&a612, VMS_PTE, base | (1ULL << 58)).devmap);
	ck_assert(dec(&a612, VMS_PTE, base | (1ULL << 58)).dirty);
	ck_assert(dec(&a612, VMS_PMD, base | VMS_P_PSE | (1ULL << 58)).dirty);
	ck_assert_uint_eq(dec(&a612, VMS_PTE, base | (3ULL << 57)).pfn, 0x99);
}
END_TEST

/* ---- Swap-format entries -------------------------------------------------- */

START_TEST(test_swap_encoding)
{
	struct vms_arch a;
	arch_6_12(&a);
	/* type = raw >> 59, offset = (~raw << 5) >> 14 */
	const uint64_t offs[] = { 0, 1, 0x1234, (1ULL << 50) - 1 };
	for (unsigned t = 0; t < a.max_swapfiles; t++)
		for (unsigned i = 0; i < 4; i++) {
			if (t == 0 && i == 3)
				continue;	/* that is raw 0: see below */
			uint64_t raw = swp(t, offs[i]);
			struct vms_entry e = dec(&a, VMS_PTE, raw);
			ck_assert_int_eq(e.kind, VMS_E_SWAP);
			ck_assert_uint_eq(e.swap_type, t);
			ck_assert_uint_eq(e.swap_offset, offs[i]);
			ck_assert_uint_eq(e.swap_type, raw >> 59);
			ck_assert_uint_eq(e.swap_offset, (~raw << 5) >> 14);
		}
	/* type 0, offset 0 is not none: its offset bits are all ones */
	ck_assert_uint_eq(swp(0, 0), 0x07fffffffffffe00ULL);
	/* the largest offset of type 1 leaves only the type bits; of type 0,
	 * nothing: the kernel never uses that slot (it would be pte_none) */
	ck_assert_uint_eq(swp(1, (1ULL << 50) - 1), 1ULL << 59);
	ck_assert_int_eq(dec(&a, VMS_PTE, swp(0, (1ULL << 50) - 1)).kind, VMS_E_NONE);
}
END_TEST

START_TEST(test_swap_flag_bits)
{
	struct vms_arch a;
	arch_6_12(&a);
	struct vms_entry e = dec(&a, VMS_PTE, swp(2, 77) | (1ULL << 1));
	ck_assert(e.soft_dirty && !e.uffd_wp);
	e = dec(&a, VMS_PTE, swp(2, 77) | (1ULL << 2));
	ck_assert(e.uffd_wp && !e.soft_dirty);
	/* the exclusive bit (3) and the low flags change neither type nor offset */
	e = dec(&a, VMS_PTE, swp(2, 77) | 0xe);
	ck_assert_int_eq(e.kind, VMS_E_SWAP);
	ck_assert_uint_eq(e.swap_type, 2);
	ck_assert_uint_eq(e.swap_offset, 77);
}
END_TEST

struct type_case {
	unsigned type;
	enum vms_kind kind;
};

static void check_types(const struct vms_arch *a, const struct type_case *c, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct vms_entry e = dec(a, VMS_PTE, swp(c[i].type, 0x4321));
		ck_assert_msg(e.kind == c[i].kind, "type %u: %s, not %s", c[i].type,
			      vms_kind_name(e.kind), vms_kind_name(c[i].kind));
		ck_assert_uint_eq(e.swap_type, c[i].type);
		if (c[i].kind != VMS_E_SWAP && c[i].kind != VMS_E_MARKER)
			ck_assert_uint_eq(e.pfn, 0x4321);
		/* a THP migration entry in a PMD decodes the same way */
		ck_assert_int_eq(dec(a, VMS_PMD, swp(c[i].type, 0x4321)).kind, c[i].kind);
	}
}

START_TEST(test_types_5_10)
{
	struct vms_arch a;
	arch_5_10(&a);
	const struct type_case c[] = {
		{ 0, VMS_E_SWAP }, { 26, VMS_E_SWAP }, { 27, VMS_E_HWPOISON },
		{ 28, VMS_E_MIGRATION }, { 29, VMS_E_MIGRATION }, { 30, VMS_E_DEVICE },
		{ 31, VMS_E_DEVICE },
	};
	check_types(&a, c, sizeof(c) / sizeof(c[0]));
	/* Debian's 5.10 without DEVICE_PRIVATE: 29 swap files, no device types */
	vms_arch_swap_types(&a, 29, 2, false, false);
	const struct type_case d[] = {
		{ 28, VMS_E_SWAP }, { 29, VMS_E_HWPOISON }, { 30, VMS_E_MIGRATION },
		{ 31, VMS_E_MIGRATION },
	};
	check_types(&a, d, sizeof(d) / sizeof(d[0]));
}
END_TEST

START_TEST(test_types_6_1)
{
	struct vms_arch a;
	arch_6_1(&a);
	const struct type_case c[] = {
		{ 21, VMS_E_SWAP }, { 22, VMS_E_HWPOISON }, { 23, VMS_E_MIGRATION },
		{ 24, VMS_E_MIGRATION }, { 25, VMS_E_MIGRATION }, { 26, VMS_E_DEVICE },
		{ 29, VMS_E_DEVICE }, { 30, VMS_E_MARKER }, { 31, VMS_E_MARKER },
	};
	check_types(&a, c, sizeof(c) / sizeof(c[0]));
	ck_assert_uint_eq(a.swp_marker, 30);
	ck_assert_uint_eq(a.swp_swapin_error, 31);
}
END_TEST

START_TEST(test_types_6_12)
{
	struct vms_arch a;
	arch_6_12(&a);
	const struct type_case c[] = {
		{ 22, VMS_E_SWAP }, { 23, VMS_E_HWPOISON }, { 24, VMS_E_MIGRATION },
		{ 26, VMS_E_MIGRATION }, { 27, VMS_E_DEVICE }, { 30, VMS_E_DEVICE },
		{ 31, VMS_E_MARKER },
	};
	check_types(&a, c, sizeof(c) / sizeof(c[0]));
	ck_assert_uint_eq(a.swp_swapin_error, 0xff);
	/* Debian's 6.12 without DEVICE_PRIVATE */
	vms_arch_swap_types(&a, 27, 3, true, false);
	const struct type_case d[] = {
		{ 26, VMS_E_SWAP }, { 27, VMS_E_HWPOISON }, { 28, VMS_E_MIGRATION },
		{ 30, VMS_E_MIGRATION }, { 31, VMS_E_MARKER },
	};
	check_types(&a, d, sizeof(d) / sizeof(d[0]));
}
END_TEST

START_TEST(test_pfn_bits_masking)
{
	/* 6.1+: migration entries keep young (34) and dirty (35) above the pfn */
	struct vms_arch a;
	arch_6_1(&a);
	uint64_t off = 0x4321 | (1ULL << 34) | (1ULL << 35);
	struct vms_entry e = dec(&a, VMS_PTE, swp(a.swp_migration_first, off));
	ck_assert_int_eq(e.kind, VMS_E_MIGRATION);
	ck_assert_uint_eq(e.pfn, 0x4321);
	ck_assert_uint_eq(e.swap_offset, off);
	/* 5.10 has no such bits: the offset is the pfn, here beyond memory */
	arch_5_10(&a);
	e = dec(&a, VMS_PTE, swp(a.swp_migration_first, off));
	ck_assert_int_eq(e.kind, VMS_E_BAD);
	a.max_pfn = 0;
	e = dec(&a, VMS_PTE, swp(a.swp_migration_first, off));
	ck_assert_int_eq(e.kind, VMS_E_MIGRATION);
	ck_assert_uint_eq(e.pfn, off);
}
END_TEST

START_TEST(test_pfn_entry_beyond_memory)
{
	struct vms_arch a;
	arch_6_12(&a);
	uint64_t big = a.max_pfn + 1;
	ck_assert_int_eq(dec(&a, VMS_PTE, swp(a.swp_migration_first, big)).kind, VMS_E_BAD);
	ck_assert_int_eq(dec(&a, VMS_PTE, swp(a.swp_hwpoison, big)).kind, VMS_E_BAD);
	ck_assert_int_eq(dec(&a, VMS_PTE, swp(a.swp_device_first, big)).kind, VMS_E_BAD);
	ck_assert_int_eq(dec(&a, VMS_PTE, swp(a.swp_migration_first, a.max_pfn)).kind,
			 VMS_E_MIGRATION);
	/* a marker carries bits, not a pfn */
	ck_assert_int_eq(dec(&a, VMS_PTE, swp(a.swp_marker, (1ULL << 33) | 1)).kind,
			 VMS_E_MARKER);
	/* real swap offsets are not pfns either */
	ck_assert_int_eq(dec(&a, VMS_PTE, swp(0, big)).kind, VMS_E_SWAP);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(vms_kind_name(VMS_E_NONE), "none");
	ck_assert_str_eq(vms_kind_name(VMS_E_BAD), "bad");
	ck_assert_str_eq(vms_kind_name(VMS_E_MIGRATION), "migration");
	ck_assert_str_eq(vms_kind_name((enum vms_kind)99), "?");
	ck_assert_str_eq(vms_status_name(VMS_OK), "ok");
	ck_assert_str_eq(vms_status_name(VMS_EXCLUDED), "excluded from the dump");
	ck_assert_str_eq(vms_status_name(-1), "unknown error");
	ck_assert_uint_eq(vms_level_size(VMS_PTE), 4096);
	ck_assert_uint_eq(vms_level_size(VMS_PMD), VMS_PMD_SIZE);
	ck_assert_uint_eq(vms_level_size(VMS_PUD), VMS_PUD_SIZE);
	ck_assert_uint_eq(vms_level_size(VMS_PGD5), 1ULL << 48);
}
END_TEST

Suite *pte_suite(void);
Suite *pte_suite(void)
{
	Suite *s = suite_create("pte");
	TCase *tc = tcase_create("Limits");
	tcase_add_test(tc, test_zero_is_none_everywhere);
	tcase_add_test(tc, test_erratum_bits_alone_are_none);
	tcase_add_test(tc, test_all_ones);
	suite_add_tcase(s, tc);

	tc = tcase_create("Present");
	tcase_add_test(tc, test_present_pte);
	tcase_add_test(tc, test_protnone_pte_inverted);
	tcase_add_test(tc, test_phys_mask_strips_high_bits);
	tcase_add_test(tc, test_pmd_leaf);
	tcase_add_test(tc, test_pud_leaf);
	tcase_add_test(tc, test_table_pointers);
	tcase_add_test(tc, test_leaf_bits);
	suite_add_tcase(s, tc);

	tc = tcase_create("Swap");
	tcase_add_test(tc, test_swap_encoding);
	tcase_add_test(tc, test_swap_flag_bits);
	tcase_add_test(tc, test_types_5_10);
	tcase_add_test(tc, test_types_6_1);
	tcase_add_test(tc, test_types_6_12);
	tcase_add_test(tc, test_pfn_bits_masking);
	tcase_add_test(tc, test_pfn_entry_beyond_memory);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}
