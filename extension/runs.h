/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runs.h: a walk sink that compresses a range into runs of pages of one
 * kind with contiguous physical (or swap, or file) offsets: what crash's
 * "vm -p" prints a line per page for.  It reads no struct page.
 */
#ifndef VMS_RUNS_H
#define VMS_RUNS_H

#include "account.h"

enum vms_run_kind {
	VMS_RUN_NONE,		/* no entry, anonymous memory: zero-filled on first touch */
	VMS_RUN_FILE,		/* no entry in a file mapping: the page is not mapped */
	VMS_RUN_PRESENT,	/* 4 KiB pages with a struct page */
	VMS_RUN_ZERO,		/* the shared 4 KiB zero page */
	VMS_RUN_HUGE_ZERO,	/* the huge zero page, through a PMD */
	VMS_RUN_THP,		/* a PMD leaf mapping a 2 MiB page */
	VMS_RUN_SWAP,		/* swap entries */
	VMS_RUN_SPECIAL,	/* present, no struct page (VM_PFNMAP, devmap ...) */
	VMS_RUN_OTHER,		/* migration, device, hwpoison or marker entries */
	VMS_RUN_EXCLUDED,	/* the page tables are not in the dump */
	VMS_RUN_ERROR,		/* the page tables are unreadable or invalid */
};

const char *vms_run_kind_name(enum vms_run_kind k);

struct vms_run {
	uint64_t start, pages;
	enum vms_run_kind kind;
	uint64_t pfn;		/* first page's pfn (present, zero, thp, special, other) */
	unsigned swap_type;
	uint64_t swap_offset;	/* first page's swap offset */
	uint64_t file_pgoff;	/* first page's file page offset (file) */
	bool protnone;
};

struct vms_runs {
	const struct vms_model *model;
	bool file;			/* the VMA maps a file */
	uint64_t vma_start, vma_pgoff;
	int (*emit)(void *arg, const struct vms_run *run);
	void *arg;
	struct vms_run cur;
	bool have;
};

extern const struct vms_walk_ops vms_runs_ops;

/* Start a VMA (runs never span VMAs); flush emits the run in progress. */
int vms_runs_vma(struct vms_runs *r, uint64_t start, bool file, uint64_t pgoff);
int vms_runs_flush(struct vms_runs *r);

#endif
