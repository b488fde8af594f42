/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vms.h: what every part of vmscope's core shares.
 *
 * The core (pte, walk, page, account, thp, fmt) knows nothing of crash: it
 * reads the dump only through struct vms_mem, so it runs the same on a real
 * vmcore, on the synthetic page tables of the unit tests and under a fuzzer.
 */
#ifndef VMS_H
#define VMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMS_PAGE_SHIFT 12
#define VMS_PAGE_SIZE (1UL << VMS_PAGE_SHIFT)
#define VMS_PMD_SIZE (1UL << 21)
#define VMS_PUD_SIZE (1UL << 30)
#define VMS_PTRS 512

/* Results of reading and walking.  0 is success; callbacks may also stop a
 * walk with VMS_STOP, which the walker returns as is. */
enum vms_status {
	VMS_OK = 0,
	VMS_EXCLUDED,	/* the dump does not hold this page (filtered out) */
	VMS_READ_ERROR,	/* the page could not be read (damaged or not in the dump) */
	VMS_CORRUPT,	/* read, but its content cannot be right */
	VMS_NOMEM,
	VMS_STOP,	/* a callback asked the walk to stop */
};

const char *vms_status_name(int status);

/*
 * How the core reads the dump: one whole 4 KiB page per call, at a
 * page-aligned address.  On failure the buffer is undefined (never silently
 * zeroed) and the result says why.
 */
struct vms_mem {
	void *ctx;
	int (*read_phys)(void *ctx, uint64_t paddr, void *buf);
	int (*read_kvirt)(void *ctx, uint64_t vaddr, void *buf);
	/*
	 * Optional (NULL: never): npages consecutive kernel-virtual pages in
	 * one read, where the back end can do that (an ELF dump: one read()
	 * instead of npages).  VMS_OK: all of them were read; anything else:
	 * none is usable, and the caller reads them page by page.
	 */
	int (*read_kvirt_run)(void *ctx, uint64_t vaddr, unsigned npages, void *buf);
};

/* Pages read, by purpose: what the benchmarks hold against the floor. */
struct vms_counters {
	uint64_t table_reads;	/* page-table pages */
	uint64_t memmap_reads;	/* vmemmap pages (struct page) */
	uint64_t memmap_rereads; /* of those, pages read before in this command */
	uint64_t memmap_runs;	/* multi-page reads (read_kvirt_run) among them */
	uint64_t memmap_run_pages; /* the pages those covered */
	uint64_t kernel_reads;	/* other kernel pages (swap_map) */
	uint64_t content_reads;	/* user pages whose content was scanned */
};

/* The first thing that went wrong in a VMA, kept with its place. */
struct vms_error {
	int status;		/* enum vms_status; 0: none */
	int level;		/* page-table level (0 PTE .. 4 PGD), -1 not a table */
	uint64_t addr;		/* user address it concerns */
	uint64_t where;		/* physical or kernel address that failed */
	const char *what;	/* a static description */
};

static inline uint64_t vms_min(uint64_t a, uint64_t b) { return a < b ? a : b; }
static inline uint64_t vms_max(uint64_t a, uint64_t b) { return a > b ? a : b; }

#endif
