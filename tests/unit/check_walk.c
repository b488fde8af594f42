// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_walk.c: the walker (walk.c) over synthetic 4- and 5-level tables:
 * what it calls back, in which order, and how often it reads each table.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fake_mem.h"
#include "walk.h"

#define G (1ULL << 30)
#define M (1ULL << 20)
#define K (1ULL << 10)
#define P4D_SPAN (1ULL << 39)

enum ev_type { EV_PTE, EV_HUGE, EV_HOLE, EV_ERROR, EV_PTE_TABLE };

struct ev {
	enum ev_type type;
	uint64_t start, end;
	int level, status;
	uint64_t where;
	enum vms_kind kind;
	uint64_t pfn;
};

/* Records every callback; stop_after > 0 stops the walk at that event. */
struct rec {
	struct ev *ev;
	size_t n, cap;
	size_t stop_after;
	int stop_value;
	size_t limit;		/* events kept; more are counted only */
	size_t total;
};

static int add(struct vms_walk *w, struct ev e)
{
	struct rec *r = w->priv;
	r->total++;
	if (r->n < r->limit) {
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 64;
			r->ev = realloc(r->ev, r->cap * sizeof(*r->ev));
			ck_assert_ptr_nonnull(r->ev);
		}
		r->ev[r->n++] = e;
	}
	return r->stop_after && r->total == r->stop_after ? r->stop_value : 0;
}

static int rec_pte(struct vms_walk *w, uint64_t addr, const struct vms_entry *e)
{
	return add(w, (struct ev){ EV_PTE, addr, addr + VMS_PAGE_SIZE, VMS_PTE, 0, 0, e->kind,
				   e->pfn });
}

static int rec_huge(struct vms_walk *w, uint64_t start, uint64_t end, int level,
		    const struct vms_entry *e)
{
	return add(w, (struct ev){ EV_HUGE, start, end, level, 0, 0, e->kind, e->pfn });
}

static int rec_hole(struct vms_walk *w, uint64_t start, uint64_t end, int level)
{
	return add(w, (struct ev){ EV_HOLE, start, end, level, 0, 0, VMS_E_NONE, 0 });
}

static int rec_error(struct vms_walk *w, uint64_t start, uint64_t end, int level, int status,
		     uint64_t where)
{
	return add(w, (struct ev){ EV_ERROR, start, end, level, status, where, VMS_E_BAD, 0 });
}

static int rec_pte_table(struct vms_walk *w, uint64_t start, uint64_t end, const uint64_t *ent)
{
	(void)ent;
	return add(w, (struct ev){ EV_PTE_TABLE, start, end, VMS_PTE, 0, 0, VMS_E_NONE, 0 });
}

static const struct vms_walk_ops rec_ops = {
	.pte_entry = rec_pte,
	.huge_entry = rec_huge,
	.hole = rec_hole,
	.error = rec_error,
};

static const struct vms_walk_ops rec_ops_tables = {
	.pte_entry = rec_pte,
	.huge_entry = rec_huge,
	.hole = rec_hole,
	.error = rec_error,
	.pte_table = rec_pte_table,
};

struct env {
	struct fake_mem fm;
	struct vms_walker wk;
	struct vms_counters cnt;
	struct rec r;
};

static void env_init(struct env *v, int levels)
{
	memset(v, 0, sizeof(*v));
	fm_init(&v->fm, levels);
	vms_walker_init(&v->wk, &v->fm.arch, &v->fm.mem, &v->cnt);
	v->r.limit = 1 << 20;
}

static void env_fini(struct env *v)
{
	free(v->r.ev);
	fm_destroy(&v->fm);
}

static int walk(struct env *v, uint64_t start, uint64_t end)
{
	return vms_walk_range(&v->wk, v->fm.root << VMS_PAGE_SHIFT, start, end, &rec_ops, &v->r);
}

/* The events must tile [start, end) in order, without gaps or overlaps. */
static void check_tiling(const struct rec *r, size_t from, uint64_t start, uint64_t end)
{
	uint64_t at = start;
	for (size_t i = from; i < r->n; i++) {
		if (r->ev[i].type == EV_PTE_TABLE)
			continue;
		ck_assert_msg(r->ev[i].start == at, "event %zu starts at %#llx, expected %#llx", i,
			      (unsigned long long)r->ev[i].start, (unsigned long long)at);
		ck_assert_uint_gt(r->ev[i].end, r->ev[i].start);
		at = r->ev[i].end;
	}
	ck_assert_uint_eq(at, end);
}

static size_t count(const struct rec *r, enum ev_type t)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += r->ev[i].type == t;
	return n;
}

/* Every table page handed out was read at most once. */
static void check_read_once(struct env *v)
{
	for (size_t i = 0; i < v->fm.ntables; i++)
		ck_assert_msg(fm_reads(&v->fm, v->fm.tables[i]) <= 1, "table %#llx read %u times",
			      (unsigned long long)v->fm.tables[i],
			      fm_reads(&v->fm, v->fm.tables[i]));
}

/* ---- Limits -------------------------------------------------------------- */

START_TEST(test_empty_range)
{
	struct env v;
	env_init(&v, 4);
	ck_assert_int_eq(walk(&v, 0x1000, 0x1000), 0);
	ck_assert_int_eq(walk(&v, 0x2000, 0x1000), 0);
	ck_assert_uint_eq(v.r.n, 0);
	ck_assert_uint_eq(v.fm.total_reads, 0);
	env_fini(&v);
}
END_TEST

START_TEST(test_above_user_top_rejected)
{
	for (int levels = 4; levels <= 5; levels++) {
		struct env v;
		env_init(&v, levels);
		uint64_t top = vms_user_top(&v.fm.arch);
		ck_assert_uint_eq(top, (levels == 5 ? 1ULL << 56 : 1ULL << 47) - VMS_PAGE_SIZE);
		/* the whole user half is fine */
		ck_assert_int_eq(walk(&v, 0, top), 0);
		ck_assert_uint_eq(v.r.n, 1);
		ck_assert_int_eq(v.r.ev[0].type, EV_HOLE);
		ck_assert_int_eq(v.r.ev[0].level, levels == 5 ? VMS_PGD5 : VMS_P4D);
		v.r.n = 0;
		/* beyond the canonical hole: one error, nothing read */
		v.fm.total_reads = 0;
		ck_assert_int_eq(walk(&v, top, 1ULL << 60), 0);
		ck_assert_uint_eq(v.r.n, 1);
		ck_assert_int_eq(v.r.ev[0].type, EV_ERROR);
		ck_assert_int_eq(v.r.ev[0].status, VMS_CORRUPT);
		ck_assert_uint_eq(v.fm.total_reads, 0);
		v.r.n = 0;
		ck_assert_int_eq(walk(&v, 0, ~0ULL & ~0xfffULL), 0);
		ck_assert_int_eq(v.r.ev[0].type, EV_ERROR);
		ck_assert_uint_eq(v.fm.total_reads, 0);
		env_fini(&v);
	}
}
END_TEST

START_TEST(test_unaligned_range)
{
	/* a byte range inside one page still reports that page, clipped */
	struct env v;
	env_init(&v, 4);
	fm_map4k(&v.fm, 0x400000, 0x777, FM_PTE_FLAGS);
	ck_assert_int_eq(walk(&v, 0x400010, 0x400020), 0);
	ck_assert_uint_eq(v.r.n, 1);
	ck_assert_int_eq(v.r.ev[0].type, EV_PTE);
	ck_assert_uint_eq(v.r.ev[0].start, 0x400010);
	env_fini(&v);
}
END_TEST

/* ---- Holes --------------------------------------------------------------- */

START_TEST(test_empty_root_one_hole)
{
	for (int levels = 4; levels <= 5; levels++) {
		struct env v;
		env_init(&v, levels);
		uint64_t top = vms_user_top(&v.fm.arch);
		ck_assert_int_eq(walk(&v, 0x1000, top), 0);
		ck_assert_uint_eq(v.r.n, 1);
		ck_assert_int_eq(v.r.ev[0].type, EV_HOLE);
		ck_assert_uint_eq(v.r.ev[0].start, 0x1000);
		ck_assert_uint_eq(v.r.ev[0].end, top);
		ck_assert_uint_eq(fm_reads(&v.fm, v.fm.root), 1);
		ck_assert_uint_eq(v.cnt.table_reads, 1);
		env_fini(&v);
	}
}
END_TEST

START_TEST(test_empty_top_entry_skips_span)
{
	/* entries 0 and 2+ of the P4D are empty: each run is one callback */
	struct env v;
	env_init(&v, 4);
	fm_map4k(&v.fm, P4D_SPAN + 0x5000, 0x42, FM_PTE_FLAGS);
	ck_assert_int_eq(walk(&v, 0, 4 * P4D_SPAN), 0);
	check_tiling(&v.r, 0, 0, 4 * P4D_SPAN);
	ck_assert_int_eq(v.r.ev[0].type, EV_HOLE);
	ck_assert_int_eq(v.r.ev[0].level, VMS_P4D);
	ck_assert_uint_eq(v.r.ev[0].end, P4D_SPAN);
	struct ev *last = &v.r.ev[v.r.n - 1];
	ck_assert_int_eq(last->type, EV_HOLE);
	ck_assert_int_eq(last->level, VMS_P4D);
	ck_assert_uint_eq(last->start, 2 * P4D_SPAN);
	/* one PTE; holes: P4D, PTE before, PTE after, PMD, PUD after, P4D after */
	ck_assert_uint_eq(count(&v.r, EV_PTE), 1);
	ck_assert_uint_eq(count(&v.r, EV_HOLE), 6);
	ck_assert_uint_eq(v.cnt.table_reads, 4);
	env_fini(&v);
}
END_TEST

START_TEST(test_hole_runs_merged)
{
	/* PTEs at pages 0, 1, 5 and 511 of a table: holes 2-4 and 6-510 */
	struct env v;
	env_init(&v, 4);
	uint64_t base = 0x7f0000000000ULL;
	fm_map4k(&v.fm, base, 1, FM_PTE_FLAGS);
	fm_map4k(&v.fm, base + 0x1000, 2, FM_PTE_FLAGS);
	fm_map4k(&v.fm, base + 0x5000, 3, FM_PTE_FLAGS);
	fm_map4k(&v.fm, base + 511 * 0x1000, 4, FM_PTE_FLAGS);
	/* the erratum bits alone are still holes */
	fm_set(&v.fm, base + 0x3000, VMS_PTE, VMS_P_ACCESSED | VMS_P_DIRTY);
	ck_assert_int_eq(walk(&v, base, base + VMS_PMD_SIZE), 0);
	check_tiling(&v.r, 0, base, base + VMS_PMD_SIZE);
	ck_assert_uint_eq(v.r.n, 6);
	ck_assert_int_eq(v.r.ev[2].type, EV_HOLE);
	ck_assert_uint_eq(v.r.ev[2].start, base + 0x2000);
	ck_assert_uint_eq(v.r.ev[2].end, base + 0x5000);
	ck_assert_int_eq(v.r.ev[2].level, VMS_PTE);
	ck_assert_int_eq(v.r.ev[4].type, EV_HOLE);
	ck_assert_uint_eq(v.r.ev[4].end, base + 511 * 0x1000);
	ck_assert_uint_eq(v.r.ev[5].pfn, 4);
	/* a range ending inside a run clips the hole */
	v.r.n = 0;
	ck_assert_int_eq(walk(&v, base + 0x6000, base + 0x9000), 0);
	ck_assert_uint_eq(v.r.n, 1);
	ck_assert_uint_eq(v.r.ev[0].start, base + 0x6000);
	ck_assert_uint_eq(v.r.ev[0].end, base + 0x9000);
	env_fini(&v);
}
END_TEST

START_TEST(test_five_level)
{
	struct env v;
	env_init(&v, 5);
	uint64_t va = (3ULL << 48) + (5ULL << 39) + (7ULL << 30) + (9ULL << 21) + 0x3000;
	fm_map4k(&v.fm, va, 0x1234, FM_PTE_FLAGS);
	uint64_t top = vms_user_top(&v.fm.arch);
	ck_assert_int_eq(walk(&v, 0, top), 0);
	check_tiling(&v.r, 0, 0, top);
	ck_assert_uint_eq(count(&v.r, EV_PTE), 1);
	ck_assert_int_eq(v.r.ev[0].type, EV_HOLE);
	ck_assert_int_eq(v.r.ev[0].level, VMS_PGD5);
	ck_assert_uint_eq(v.r.ev[0].end, 3ULL << 48);
	for (size_t i = 0; i < v.r.n; i++)
		if (v.r.ev[i].type == EV_PTE) {
			ck_assert_uint_eq(v.r.ev[i].start, va);
			ck_assert_uint_eq(v.r.ev[i].pfn, 0x1234);
		}
	ck_assert_uint_eq(v.cnt.table_reads, 5);
	check_read_once(&v);
	env_fini(&v);
}
END_TEST

/* ---- Reads --------------------------------------------------------------- */

START_TEST(test_each_table_read_once)
{
	struct env v;
	env_init(&v, 4);
	/* 3 PMDs of PTEs in one PUD, and a second PUD */
	for (uint64_t a = 0x10000000; a < 0x10000000 + 3 * VMS_PMD_SIZE; a += 0x3000)
		fm_map4k(&v.fm, a, a >> 12, FM_PTE_FLAGS);
	fm_map4k(&v.fm, 5 * G, 99, FM_PTE_FLAGS);
	ck_assert_int_eq(walk(&v, 0, 8 * G), 0);
	check_tiling(&v.r, 0, 0, 8 * G);
	check_read_once(&v);
	ck_assert_uint_eq(v.cnt.table_reads, v.fm.ntables);
	ck_assert_uint_eq(v.fm.total_reads, v.fm.ntables);
	env_fini(&v);
}
END_TEST

START_TEST(test_adjacent_ranges_share_tables)
{
	/* VMAs walked in address order read every shared table once */
	struct env v;
	env_init(&v, 4);
	uint64_t base = 0x555555554000ULL;
	for (uint64_t a = base; a < base + 4 * VMS_PMD_SIZE; a += 0x1000)
		fm_map4k(&v.fm, a, 0x100000 + ((a - base) >> 12), FM_PTE_FLAGS);
	uint64_t cut[] = { base, base + 0x3000, base + 0x5000, base + VMS_PMD_SIZE + 0x1000,
			   base + 3 * VMS_PMD_SIZE, base + 4 * VMS_PMD_SIZE };
	for (unsigned i = 0; i + 1 < sizeof(cut) / sizeof(cut[0]); i++) {
		size_t from = v.r.n;
		ck_assert_int_eq(walk(&v, cut[i], cut[i + 1]), 0);
		check_tiling(&v.r, from, cut[i], cut[i + 1]);
	}
	ck_assert_uint_eq(count(&v.r, EV_PTE), 4 * 512);
	check_read_once(&v);
	ck_assert_uint_eq(v.cnt.table_reads, v.fm.ntables);
	/* a new address space (or a forgotten cache) reads again */
	vms_walker_forget(&v.wk);
	ck_assert_int_eq(walk(&v, base, base + 0x1000), 0);
	ck_assert_uint_eq(fm_reads(&v.fm, v.fm.root), 2);
	env_fini(&v);
}
END_TEST

/* ---- Errors -------------------------------------------------------------- */

static void unreadable_pte_table(int status)
{
	struct env v;
	env_init(&v, 4);
	uint64_t base = 0x40000000;
	for (int i = 0; i < 3; i++)
		fm_map4k(&v.fm, base + i * VMS_PMD_SIZE + 0x1000, 10 + i, FM_PTE_FLAGS);
	uint64_t bad = fm_table_at(&v.fm, base + VMS_PMD_SIZE, VMS_PTE, false);
	fm_set_status(&v.fm, bad, status);
	uint64_t start = base + 0x1000, end = base + 3 * VMS_PMD_SIZE - 0x1000;
	ck_assert_int_eq(walk(&v, start, end), 0);
	check_tiling(&v.r, 0, start, end);
	ck_assert_uint_eq(count(&v.r, EV_ERROR), 1);
	ck_assert_uint_eq(count(&v.r, EV_PTE), 2);
	for (size_t i = 0; i < v.r.n; i++)
		if (v.r.ev[i].type == EV_ERROR) {
			ck_assert_int_eq(v.r.ev[i].status, status);
			ck_assert_int_eq(v.r.ev[i].level, VMS_PTE);
			ck_assert_uint_eq(v.r.ev[i].start, base + VMS_PMD_SIZE);
			ck_assert_uint_eq(v.r.ev[i].end, base + 2 * VMS_PMD_SIZE);
			ck_assert_uint_eq(v.r.ev[i].where, bad << VMS_PAGE_SHIFT);
		}
	ck_assert_uint_eq(fm_reads(&v.fm, bad), 1);

	/* two VMAs meeting inside the bad table: one error each, one read */
	vms_walker_forget(&v.wk);
	fm_reset_reads(&v.fm);
	v.r.n = 0;
	uint64_t cut = base + VMS_PMD_SIZE + 0x5000;
	ck_assert_int_eq(walk(&v, start, cut), 0);
	ck_assert_int_eq(walk(&v, cut, end), 0);
	ck_assert_uint_eq(count(&v.r, EV_ERROR), 2);
	ck_assert_uint_eq(fm_reads(&v.fm, bad), 1);
	env_fini(&v);
}

START_TEST(test_unreadable_table)
{
	unreadable_pte_table(VMS_READ_ERROR);
}
END_TEST

START_TEST(test_excluded_table)
{
	unreadable_pte_table(VMS_EXCLUDED);
}
END_TEST

START_TEST(test_unreadable_root)
{
	struct env v;
	env_init(&v, 4);
	fm_set_status(&v.fm, v.fm.root, VMS_READ_ERROR);
	ck_assert_int_eq(walk(&v, 0x1000, 0x100000), 0);
	ck_assert_uint_eq(v.r.n, 1);
	ck_assert_int_eq(v.r.ev[0].type, EV_ERROR);
	ck_assert_int_eq(v.r.ev[0].level, VMS_P4D);
	ck_assert_uint_eq(v.r.ev[0].start, 0x1000);
	ck_assert_uint_eq(v.r.ev[0].end, 0x100000);
	/* a root that is not in memory at all */
	v.r.n = 0;
	ck_assert_int_eq(vms_walk_range(&v.wk, 0x7fff000ULL << 12, 0, 0x1000, &rec_ops, &v.r), 0);
	ck_assert_int_eq(v.r.ev[0].status, VMS_READ_ERROR);
	env_fini(&v);
}
END_TEST

START_TEST(test_bad_entries_confined)
{
	struct env v;
	env_init(&v, 4);
	uint64_t base = 2 * G;
	fm_map4k(&v.fm, base, 1, FM_PTE_FLAGS);
	/* a PMD pointing beyond memory, a PROTNONE PMD without PSE */
	fm_set(&v.fm, base + VMS_PMD_SIZE, VMS_PMD, ((v.fm.arch.max_pfn + 1) << 12) | 0x67);
	fm_set(&v.fm, base + 2 * VMS_PMD_SIZE, VMS_PMD, (5ULL << 12) | VMS_P_PROTNONE);
	fm_map4k(&v.fm, base + 3 * VMS_PMD_SIZE, 2, FM_PTE_FLAGS);
	/* a PUD with only PSE (not present) */
	fm_set(&v.fm, 4 * G, VMS_PUD, (1ULL << 30) | VMS_P_PSE);
	ck_assert_int_eq(walk(&v, base, 5 * G), 0);
	check_tiling(&v.r, 0, base, 5 * G);
	ck_assert_uint_eq(count(&v.r, EV_ERROR), 3);
	ck_assert_uint_eq(count(&v.r, EV_PTE), 2);
	for (size_t i = 0; i < v.r.n; i++) {
		struct ev *e = &v.r.ev[i];
		if (e->type != EV_ERROR)
			continue;
		ck_assert_int_eq(e->status, VMS_CORRUPT);
		ck_assert_uint_eq(e->end - e->start, vms_level_size(e->level));
	}
	/* corrupt swap-like upper entry */
	fm_set(&v.fm, 6ULL << 39, VMS_P4D, 0x7fffffffffffe00ULL);
	vms_walker_forget(&v.wk);
	v.r.n = 0;
	ck_assert_int_eq(walk(&v, 6ULL << 39, 7ULL << 39), 0);
	ck_assert_uint_eq(v.r.n, 1);
	ck_assert_int_eq(v.r.ev[0].type, EV_ERROR);
	ck_assert_int_eq(v.r.ev[0].level, VMS_P4D);
	ck_assert_uint_eq(v.r.ev[0].where, 0x7fffffffffffe00ULL);
	env_fini(&v);
}
END_TEST

/* ---- Huge leaves ----------------------------------------------------------- */

START_TEST(test_huge_leaves_clipped)
{
	struct env v;
	env_init(&v, 4);
	uint64_t pmd_va = 0x600000000ULL;	/* 24 GiB: PMD leaf at [24G, 24G + 2M) */
	fm_set(&v.fm, pmd_va, VMS_PMD, (0x40000ULL << 12) | FM_PMD_FLAGS);
	fm_set(&v.fm, 30 * G, VMS_PUD, (0x80000ULL << 12) | FM_PMD_FLAGS);
	/* a PMD migration entry */
	uint64_t mig = ((uint64_t)v.fm.arch.swp_migration_first << 59) |
		       ((~0x40200ULL << 14) >> 5);
	fm_set(&v.fm, pmd_va + VMS_PMD_SIZE, VMS_PMD, mig);

	ck_assert_int_eq(walk(&v, pmd_va + 0x1000, pmd_va + VMS_PMD_SIZE - 0x3000), 0);
	ck_assert_uint_eq(v.r.n, 1);
	ck_assert_int_eq(v.r.ev[0].type, EV_HUGE);
	ck_assert_int_eq(v.r.ev[0].level, VMS_PMD);
	ck_assert_uint_eq(v.r.ev[0].start, pmd_va + 0x1000);
	ck_assert_uint_eq(v.r.ev[0].end, pmd_va + VMS_PMD_SIZE - 0x3000);
	ck_assert_uint_eq(v.r.ev[0].pfn, 0x40000);

	v.r.n = 0;
	ck_assert_int_eq(walk(&v, pmd_va, pmd_va + 2 * VMS_PMD_SIZE), 0);
	ck_assert_uint_eq(v.r.n, 2);
	ck_assert_int_eq(v.r.ev[1].type, EV_HUGE);
	ck_assert_int_eq(v.r.ev[1].kind, VMS_E_MIGRATION);
	ck_assert_uint_eq(v.r.ev[1].pfn, 0x40200);

	v.r.n = 0;
	ck_assert_int_eq(walk(&v, 30 * G + 5 * M, 31 * G - 4 * K), 0);
	ck_assert_uint_eq(v.r.n, 1);
	ck_assert_int_eq(v.r.ev[0].level, VMS_PUD);
	ck_assert_uint_eq(v.r.ev[0].start, 30 * G + 5 * M);
	ck_assert_uint_eq(v.r.ev[0].end, 31 * G - 4 * K);
	ck_assert_uint_eq(v.r.ev[0].pfn, 0x80000);
	env_fini(&v);
}
END_TEST

/* ---- Stopping ------------------------------------------------------------- */

START_TEST(test_callback_stops_walk)
{
	struct env v;
	env_init(&v, 4);
	for (int i = 0; i < 10; i++)
		fm_map4k(&v.fm, 0x200000 + i * 0x2000, 100 + i, FM_PTE_FLAGS);
	/* stop on the 5th event (a PTE), with a positive and a negative value */
	const int values[] = { VMS_STOP, 7, -5 };
	for (unsigned k = 0; k < 3; k++) {
		v.r.n = v.r.total = 0;
		v.r.stop_after = 5;
		v.r.stop_value = values[k];
		ck_assert_int_eq(walk(&v, 0x200000, 0x400000), values[k]);
		ck_assert_uint_eq(v.r.total, 5);
	}
	/* stop on a hole high up: nothing below is visited */
	v.r.n = v.r.total = 0;
	v.r.stop_after = 1;
	ck_assert_int_eq(walk(&v, 0, 0x400000), values[2]);
	ck_assert_uint_eq(v.r.total, 1);
	/* stop on an error */
	fm_set_status(&v.fm, fm_table_at(&v.fm, 0x200000, VMS_PTE, false), VMS_EXCLUDED);
	vms_walker_forget(&v.wk);
	v.r.n = v.r.total = 0;
	v.r.stop_value = VMS_STOP;
	ck_assert_int_eq(walk(&v, 0x200000, 0x800000), VMS_STOP);
	ck_assert_uint_eq(v.r.total, 1);
	ck_assert_int_eq(v.r.ev[0].type, EV_ERROR);
	env_fini(&v);
}
END_TEST

START_TEST(test_pte_table_callback)
{
	struct env v;
	env_init(&v, 4);
	fm_map4k(&v.fm, 0x200000, 1, FM_PTE_FLAGS);
	fm_map4k(&v.fm, 0x600000, 2, FM_PTE_FLAGS);
	ck_assert_int_eq(vms_walk_range(&v.wk, v.fm.root << 12, 0x201000, 0x601000, &rec_ops_tables,
					&v.r), 0);
	ck_assert_uint_eq(count(&v.r, EV_PTE_TABLE), 2);
	ck_assert_uint_eq(v.r.ev[0].start, 0x201000);
	ck_assert_uint_eq(v.r.ev[0].end, 0x400000);
	check_tiling(&v.r, 0, 0x201000, 0x601000);
	/* and it can stop the walk */
	v.r.n = v.r.total = 0;
	v.r.stop_after = 1;
	v.r.stop_value = 3;
	ck_assert_int_eq(vms_walk_range(&v.wk, v.fm.root << 12, 0x200000, 0x601000,
					&rec_ops_tables, &v.r), 3);
	env_fini(&v);
}
END_TEST

START_TEST(test_null_ops)
{
	/* a walk with no callbacks at all just reads */
	static const struct vms_walk_ops none = { 0 };
	struct env v;
	env_init(&v, 4);
	fm_map4k(&v.fm, 0x200000, 1, FM_PTE_FLAGS);
	fm_set(&v.fm, 0x400000, VMS_PMD, (0x40000ULL << 12) | FM_PMD_FLAGS);
	fm_set(&v.fm, 0x600000, VMS_PMD, ((v.fm.arch.max_pfn + 1) << 12) | 0x67);
	ck_assert_int_eq(vms_walk_range(&v.wk, v.fm.root << 12, 0, 1ULL << 40, &none, NULL), 0);
	ck_assert_int_eq(vms_walk_range(&v.wk, v.fm.root << 12, 0, 1ULL << 50, &none, NULL), 0);
	env_fini(&v);
}
END_TEST

/* ---- Damage ---------------------------------------------------------------- */

START_TEST(test_self_loop_terminates)
{
	/* every table's entries point at the root: recursion must still end */
	for (int levels = 4; levels <= 5; levels++) {
		struct env v;
		env_init(&v, levels);
		uint64_t *root = fm_table(&v.fm, v.fm.root);
		for (int i = 0; i < VMS_PTRS; i++)
			root[i] = (v.fm.root << VMS_PAGE_SHIFT) | FM_TABLE_FLAGS;
		v.r.limit = 0;	/* count only */
		uint64_t end = 64 * M;
		ck_assert_int_eq(walk(&v, 0, end), 0);
		/* the PTE level sees the root's entries as 4 KiB leaves */
		ck_assert_uint_eq(v.r.total, end / VMS_PAGE_SIZE);
		ck_assert_uint_le(v.fm.total_reads, (uint64_t)levels);
		env_fini(&v);
	}
}
END_TEST

START_TEST(test_upward_loop_terminates)
{
	/* a PMD entry pointing back to the PUD table that holds it */
	struct env v;
	env_init(&v, 4);
	fm_map4k(&v.fm, 0x200000, 1, FM_PTE_FLAGS);
	uint64_t pud = fm_table_at(&v.fm, 0, VMS_PUD, false);
	uint64_t p4d = v.fm.root;
	fm_set(&v.fm, 0x400000, VMS_PMD, (pud << 12) | FM_TABLE_FLAGS);
	fm_set(&v.fm, 0x600000, VMS_PMD, (p4d << 12) | FM_TABLE_FLAGS);
	v.r.limit = 0;
	ck_assert_int_eq(walk(&v, 0, 1 * G), 0);
	ck_assert_uint_le(v.fm.total_reads, 8);
	env_fini(&v);
}
END_TEST

START_TEST(test_mutating_memory)
{
	/* a live system: entries change between reads; the walk must end safely */
	for (uint64_t seed = 1; seed <= 24; seed++) {
		struct env v;
		env_init(&v, seed % 2 ? 4 : 5);
		for (uint64_t a = 0x10000000; a < 0x10000000 + 6 * VMS_PMD_SIZE; a += 0x11000)
			fm_map4k(&v.fm, a, a >> 12, FM_PTE_FLAGS);
		fm_set(&v.fm, 0x20000000, VMS_PMD, (0x40000ULL << 12) | FM_PMD_FLAGS);
		fm_map4k(&v.fm, 3 * G + 0x1000, 5, FM_PTE_FLAGS);
		fm_mutate_random(&v.fm, 1000, seed);
		v.r.limit = 0;
		for (int pass = 0; pass < 4; pass++) {
			vms_walker_forget(&v.wk);
			v.r.total = 0;
			ck_assert_int_eq(walk(&v, 0, 4 * G), 0);
			/* bounded: at most one event per page */
			ck_assert_uint_le(v.r.total, 4 * G / VMS_PAGE_SIZE);
		}
		env_fini(&v);
	}
}
END_TEST

START_TEST(test_cleared_between_reads)
{
	/* the PMD table is read, then its entry for a PTE table is cleared */
	struct env v;
	env_init(&v, 4);
	fm_map4k(&v.fm, 0x200000, 1, FM_PTE_FLAGS);
	fm_map4k(&v.fm, 0x400000, 2, FM_PTE_FLAGS);
	uint64_t pmd = fm_table_at(&v.fm, 0x200000, VMS_PMD, false);
	uint64_t pte2 = fm_table_at(&v.fm, 0x400000, VMS_PTE, false);
	fm_mutate_at(&v.fm, 4, pmd, 2, 0);		/* after reading the first PTE table */
	fm_mutate_at(&v.fm, 4, pte2, 0, ~0ULL);		/* and garbage in the second */
	ck_assert_int_eq(walk(&v, 0x200000, 0x600000), 0);
	/* the cached PMD table still points at the second PTE table */
	ck_assert_uint_eq(count(&v.r, EV_PTE), 2);
	check_tiling(&v.r, 0, 0x200000, 0x600000);
	/* a fresh walk sees the cleared entry */
	vms_walker_forget(&v.wk);
	v.r.n = 0;
	ck_assert_int_eq(walk(&v, 0x200000, 0x600000), 0);
	ck_assert_uint_eq(count(&v.r, EV_PTE), 1);
	env_fini(&v);
}
END_TEST

Suite *walk_suite(void);
Suite *walk_suite(void)
{
	Suite *s = suite_create("walk");
	TCase *tc = tcase_create("Limits");
	tcase_add_test(tc, test_empty_range);
	tcase_add_test(tc, test_above_user_top_rejected);
	tcase_add_test(tc, test_unaligned_range);
	suite_add_tcase(s, tc);

	tc = tcase_create("Holes");
	tcase_add_test(tc, test_empty_root_one_hole);
	tcase_add_test(tc, test_empty_top_entry_skips_span);
	tcase_add_test(tc, test_hole_runs_merged);
	tcase_add_test(tc, test_five_level);
	suite_add_tcase(s, tc);

	tc = tcase_create("Reads");
	tcase_add_test(tc, test_each_table_read_once);
	tcase_add_test(tc, test_adjacent_ranges_share_tables);
	suite_add_tcase(s, tc);

	tc = tcase_create("Errors");
	tcase_add_test(tc, test_unreadable_table);
	tcase_add_test(tc, test_excluded_table);
	tcase_add_test(tc, test_unreadable_root);
	tcase_add_test(tc, test_bad_entries_confined);
	suite_add_tcase(s, tc);

	tc = tcase_create("Leaves and callbacks");
	tcase_add_test(tc, test_huge_leaves_clipped);
	tcase_add_test(tc, test_callback_stops_walk);
	tcase_add_test(tc, test_pte_table_callback);
	tcase_add_test(tc, test_null_ops);
	suite_add_tcase(s, tc);

	tc = tcase_create("Damage");
	tcase_add_test(tc, test_self_loop_terminates);
	tcase_add_test(tc, test_upward_loop_terminates);
	tcase_add_test(tc, test_mutating_memory);
	tcase_add_test(tc, test_cleared_between_reads);
	suite_add_tcase(s, tc);
	return s;
}
