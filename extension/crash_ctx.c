// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crash_ctx.c: one command's view of the dump.
 *
 * The readers here never FATAL.  Physical pages are read through crash's
 * back end directly (pc->readmem), because readmem() folds "the dump does
 * not hold this page" into plain failure; struct pages and other kernel
 * pages go through kvtop() and the same back end.
 */
#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include "glue.h"

#define KV(a, b, c) (((a) << 16) | ((b) << 8) | (c))
#define MEMMAP_GROUPS 8192	/* ~8 MiB of compact struct pages: 2 GiB of RAM */
#define KCACHE_PAGES 64		/* swap_map pages */

static unsigned long small_reads;	/* readmem()s of kernel structures, for VMSCOPE_STATS */

bool vms_rd(ulong addr, void *buf, long size)
{
	small_reads++;
	return addr && readmem(addr, KVADDR, buf, size, "vmscope", RETURN_ON_ERROR | QUIET);
}

bool vms_rd_ulong(ulong addr, ulong *v)
{
	return vms_rd(addr, v, sizeof(*v));
}

bool vms_rd_uint(ulong addr, uint *v)
{
	return vms_rd(addr, v, sizeof(*v));
}

bool vms_rd_int(ulong addr, int *v)
{
	return vms_rd(addr, v, sizeof(*v));
}

/* VMSCOPE_TRACE: the physical pages read, for the benchmark's floor. */
static void trace(struct vms_ctx *c, uint64_t paddr, unsigned npages)
{
	if (!c || !c->trace)
		return;
	for (unsigned i = 0; i < npages; i++) {
		uint64_t p = paddr + (uint64_t)i * PAGESIZE();
		fwrite(&p, sizeof(p), 1, c->trace);
	}
}

static int read_phys(void *ctx, uint64_t paddr, void *buf)
{
	trace(ctx, paddr, 1);
	int fd = ACTIVE() ? pc->mfd : pc->dfd;
	/* as readmem() does for PHYSADDR; the kcore back end looks at it */
	pc->curcmd_flags &= ~MEMTYPE_KVADDR;
	int r = pc->readmem(fd, buf, (int)PAGESIZE(), 0, (physaddr_t)paddr);
	if (r == (int)PAGESIZE())
		return VMS_OK;
	return r == PAGE_EXCLUDED ? VMS_EXCLUDED : VMS_READ_ERROR;
}

static int read_kvirt(void *ctx, uint64_t vaddr, void *buf)
{
	physaddr_t paddr;
	if (!kvtop(CURRENT_CONTEXT(), (ulong)vaddr, &paddr, 0))
		return VMS_READ_ERROR;
	return read_phys(ctx, paddr, buf);
}

/*
 * ELF dumps (read_kdump / read_netdump): within the file-backed part of one
 * PT_LOAD segment the back end reads any length with one lseek and read, so
 * consecutive pages cost one system call instead of one each.  The segments
 * are read from the dump's own program headers, once per dump file.
 */
static struct {
	char *file;		/* the dump they were read from */
	unsigned n;		/* 0: no multi-page reads on this dump */
	struct { uint64_t start, end; } *seg;
} elf;

static void elf_segments(void)
{
	if (elf.file && pc->dumpfile && !strcmp(elf.file, pc->dumpfile))
		return;
	free(elf.file);
	free(elf.seg);
	memset(&elf, 0, sizeof(elf));
	if (!pc->dumpfile || !(elf.file = strdup(pc->dumpfile)))
		return;
	/* only the plain ELF back ends: not kcore, Xen, or the flattened format */
	if (ACTIVE() || LIVE() || XEN_CORE_DUMPFILE() || FLAT_FORMAT() ||
	    (pc->readmem != read_kdump && pc->readmem != read_netdump))
		return;
	int fd = open(pc->dumpfile, O_RDONLY);
	if (fd < 0)
		return;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph = NULL;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    eh.e_phnum == 0 || eh.e_phnum == PN_XNUM)
		goto out;
	size_t len = (size_t)eh.e_phnum * sizeof(*ph);
	ph = malloc(len);
	elf.seg = calloc(eh.e_phnum, sizeof(*elf.seg));
	if (!ph || !elf.seg || pread(fd, ph, len, (off_t)eh.e_phoff) != (ssize_t)len)
		goto out;
	for (unsigned i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_filesz >= PAGESIZE())
			elf.seg[elf.n++] = (typeof(*elf.seg)){ ph[i].p_paddr,
							      ph[i].p_paddr + ph[i].p_filesz };
out:
	free(ph);
	close(fd);
}

/* Whether [paddr, paddr + len) lies in the file-backed part of the segment
 * read_netdump() would pick for paddr (the first one holding it). */
static bool elf_one_read(uint64_t paddr, uint64_t len)
{
	for (unsigned i = 0; i < elf.n; i++)
		if (paddr >= elf.seg[i].start && paddr < elf.seg[i].end)
			return paddr + len <= elf.seg[i].end;
	return false;
}

static int read_kvirt_run(void *ctx, uint64_t vaddr, unsigned npages, void *buf)
{
	struct vms_ctx *c = ctx;
	physaddr_t first, paddr;
	uint64_t len = (uint64_t)npages * PAGESIZE();

	/* every page where the first one's offset says (vmemmap is mapped by
	 * 2 MiB pages, so it mostly is), away from the low 1 MiB that
	 * read_kdump() may redirect to a kdump backup region */
	if (!elf.n || !npages || !kvtop(CURRENT_CONTEXT(), (ulong)vaddr, &first, 0) ||
	    first < 0x100000 || !elf_one_read(first, len))
		return VMS_READ_ERROR;
	for (unsigned i = 1; i < npages; i++)
		if (!kvtop(CURRENT_CONTEXT(), (ulong)(vaddr + i * PAGESIZE()), &paddr, 0) ||
		    paddr != first + i * PAGESIZE())
			return VMS_READ_ERROR;
	pc->curcmd_flags &= ~MEMTYPE_KVADDR;
	if (pc->readmem(pc->dfd, buf, (int)len, 0, first) != (int)len)
		return VMS_READ_ERROR;
	trace(c, first, npages);
	return VMS_OK;
}

/* Restore what the command changed in crash; runs however it ends. */
static void ctx_cleanup(void *arg)
{
	struct vms_ctx *c = arg;
	if (c->stats) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		double ms = (now.tv_sec - c->started.tv_sec) * 1e3 +
			    (now.tv_nsec - c->started.tv_nsec) / 1e6;
		fprintf(stderr,
			"vmscope-stats: %s tables=%llu memmap=%llu memmap_rereads=%llu runs=%llu run_pages=%llu content=%llu kernel=%llu structs=%lu ms=%.3f\n",
			pc->curcmd, (unsigned long long)c->counters.table_reads,
			(unsigned long long)c->counters.memmap_reads,
			(unsigned long long)c->counters.memmap_rereads,
			(unsigned long long)c->counters.memmap_runs,
			(unsigned long long)c->counters.memmap_run_pages,
			(unsigned long long)c->counters.content_reads,
			(unsigned long long)c->counters.kernel_reads, small_reads, ms);
		c->stats = false;
	}
	if (c->trace) {
		fclose(c->trace);
		c->trace = NULL;
	}
	if (c->zero_excluded_cleared) {
		*diskdump_flags |= c->zero_excluded_saved;
		c->zero_excluded_cleared = false;
	}
	if (c->pages_ready) {
		vms_memmap_destroy(&c->memmap);
		vms_kcache_destroy(&c->kcache);
	}
	c->pages_ready = false;
	vms_buf_free(&c->out);
	pc->cmd_cleanup = NULL;	/* crash never clears it */
	pc->cmd_cleanup_arg = NULL;
}

void vms_ctx_strict_excluded(struct vms_ctx *c)
{
	if (DISKDUMP_DUMPFILE() && (*diskdump_flags & ZERO_EXCLUDED)) {
		c->zero_excluded_saved = ZERO_EXCLUDED;
		c->zero_excluded_cleared = true;
		*diskdump_flags &= ~ZERO_EXCLUDED;
	}
}

static ulong rd_ulong_or(ulong addr, ulong dflt)
{
	ulong v;
	return addr && vms_rd_ulong(addr, &v) ? v : dflt;
}

static void read_arch(struct vms_ctx *c)
{
	const struct vms_kernel *k = &vms_k;
	struct vms_arch *a = &c->arch;
	bool l5 = machdep->flags & VM_5LEVEL;

	a->levels = l5 ? 5 : 4;
	/* __PHYSICAL_MASK is the variable physical_mask when SME/TDX may shrink it */
	ulong mask = (1UL << 52) - 1;
	if (k->sym_physical_mask)
		mask = rd_ulong_or(k->sym_physical_mask, mask);
	else if (k->sym_sme_me_mask)
		mask &= ~rd_ulong_or(k->sym_sme_me_mask, 0);
	a->phys_mask = mask;
	ulong max_pfn = rd_ulong_or(vms_sym("max_pfn"), 0);
	ulong highest = rd_ulong_or(k->sym_highest_memmap_pfn, 0);
	a->max_pfn = max_pfn > highest ? max_pfn : highest;
	/* _PAGE_DEVMAP moved to bit 57 when bit 58 became _PAGE_SAVED_DIRTY (6.6) */
	bool saved_dirty = k->version >= KV(6, 6, 0);
	a->devmap_bit = 1ULL << (saved_dirty ? 57 : 58);
	a->saved_dirty_bit = saved_dirty ? 1ULL << 58 : 0;
	/* include/linux/swap.h: READ_EXCLUSIVE migration entries (5.19), PTE
	 * markers (5.19), SWP_SWAPIN_ERROR (6.1 to 6.4) */
	unsigned mig = k->version >= KV(5, 19, 0) ? 3 : 2;
	bool marker = k->version >= KV(5, 19, 0);
	bool swapin_error = k->version >= KV(6, 1, 0) && k->version < KV(6, 5, 0);
	vms_arch_swap_types(a, k->max_swapfiles ? k->max_swapfiles : 32 - 1 - mig, mig, marker,
			    swapin_error);
	/* pfn swap entries keep young/dirty bits above the pfn since 6.1 */
	a->swp_pfn_bits = k->version >= KV(6, 1, 0) ? (l5 ? 52 : 46) - 12 : 0;
}

static void read_model(struct vms_ctx *c)
{
	const struct vms_kernel *k = &vms_k;
	struct vms_model *m = &c->model;

	m->zero_pfn = rd_ulong_or(k->sym_zero_pfn, ~0UL);
	m->huge_zero_pfn = ~0ULL;
	if (k->sym_huge_zero_pfn) {
		m->huge_zero_pfn = rd_ulong_or(k->sym_huge_zero_pfn, ~0UL);
	} else {
		/* older kernels keep only the page (or folio) pointer */
		ulong page = rd_ulong_or(k->sym_huge_zero_page ? k->sym_huge_zero_page
							       : k->sym_huge_zero_folio, 0);
		ulong base = machdep->machspec->vmemmap_vaddr;
		if (page >= base && k->page.size)
			m->huge_zero_pfn = (page - base) / k->page.size;
	}
	m->highest_memmap_pfn = rd_ulong_or(k->sym_highest_memmap_pfn, c->arch.max_pfn);
	m->nonpresent_shared = k->page.model == VMS_MAPCOUNT_FOLIO;
	m->pmd_protnone_skipped = k->thp_rule == VMS_THP_6_1;
	m->hwpoison_has_page = k->version >= KV(6, 1, 0);
}

static void read_thp(struct vms_ctx *c)
{
	const struct vms_kernel *k = &vms_k;
	struct vms_thp_sys *t = &c->thp;
	int v;

	t->rule = k->thp_rule;
	t->flags = rd_ulong_or(k->sym_thp_flags, 0);
	t->shmem_huge = k->sym_shmem_huge && vms_rd_int(k->sym_shmem_huge, &v) ? v : 0;
	t->anon_always = rd_ulong_or(k->sym_anon_always, 0);
	t->anon_madvise = rd_ulong_or(k->sym_anon_madvise, 0);
	/* before per-size THP, "always"/"madvise" meant the PMD size */
	t->anon_inherit = rd_ulong_or(k->sym_anon_inherit, 1UL << 9);
	t->shmem_always = rd_ulong_or(k->sym_shmem_always, 0);
	t->shmem_madvise = rd_ulong_or(k->sym_shmem_madvise, 0);
	t->shmem_inherit = rd_ulong_or(k->sym_shmem_inherit, 1UL << 9);
	t->shmem_within_size = rd_ulong_or(k->sym_shmem_within, 0);
	t->read_only_thp_for_fs = false;	/* Debian's kernels: off */
}

static void read_swap(struct vms_ctx *c)
{
	const struct vms_kernel *k = &vms_k;
	uint n = 0;

	c->nswap = 0;
	c->swap = NULL;
	if (!k->sym_swap_info || !k->max_swapfiles || k->si_swap_map < 0 || k->si_max < 0)
		return;
	if (!k->sym_nr_swapfiles || !vms_rd_uint(k->sym_nr_swapfiles, &n) || n > k->max_swapfiles)
		n = k->max_swapfiles;
	if (!n)
		return;
	c->swap = (struct vms_swapdev *)GETBUF(n * sizeof(*c->swap));
	c->nswap = n;
	for (uint i = 0; i < n; i++) {
		ulong si, flags = 0, map = 0;
		uint max = 0;
		if (!vms_rd_ulong(k->sym_swap_info + i * sizeof(ulong), &si) || !si)
			continue;
		if (!vms_rd_ulong(si + k->si_flags, &flags) || !vms_rd_ulong(si + k->si_swap_map, &map) ||
		    !vms_rd_uint(si + k->si_max, &max))
			continue;
		c->swap[i] = (struct vms_swapdev){ .used = flags & 1, .swap_map = map, .max = max };
	}
}

static bool read_pkey(void)
{
	const struct vms_kernel *k = &vms_k;
	uint cap16;
	/* arch_pkeys_enabled(): X86_FEATURE_OSPKE = word 16, bit 4 */
	if (!k->sym_boot_cpu_data || k->cpuinfo_capability < 0)
		return false;
	if (!vms_rd_uint(k->sym_boot_cpu_data + k->cpuinfo_capability + 16 * 4, &cap16))
		return false;
	return cap16 & (1u << 4);
}

void vms_ctx_begin(struct vms_ctx *c, bool need_pages)
{
	memset(c, 0, sizeof(*c));
	pc->cmd_cleanup = ctx_cleanup;
	pc->cmd_cleanup_arg = c;
	/* For the benchmarks: what a command read, and how long it took. */
	c->stats = getenv("VMSCOPE_STATS") != NULL;
	if (c->stats)
		clock_gettime(CLOCK_MONOTONIC, &c->started);
	small_reads = 0;
	const char *trace = getenv("VMSCOPE_TRACE");
	if (trace && *trace)
		c->trace = fopen(trace, "a");

	read_arch(c);
	read_model(c);
	read_thp(c);
	read_swap(c);
	vms_k.fmt.pkey = read_pkey();
	vms_k.page.vmemmap = machdep->machspec->vmemmap_vaddr;
	vms_k.page.max_pfn = c->arch.max_pfn;
	elf_segments();
	c->mem = (struct vms_mem){ .ctx = c, .read_phys = read_phys, .read_kvirt = read_kvirt,
				   /* VMSCOPE_NO_RUNS: one page per read, to compare */
				   .read_kvirt_run = elf.n && !getenv("VMSCOPE_NO_RUNS") ? read_kvirt_run
										 : NULL };
	vms_walker_init(&c->walker, &c->arch, &c->mem, &c->counters);
	if (need_pages) {
		if (vms_memmap_init(&c->memmap, &c->mem, &c->counters, &vms_k.page, MEMMAP_GROUPS))
			error(FATAL, "out of memory\n");
		if (vms_kcache_init(&c->kcache, &c->mem, &c->counters, KCACHE_PAGES)) {
			vms_memmap_destroy(&c->memmap);
			error(FATAL, "out of memory\n");
		}
		c->pages_ready = true;
	}
}

/*
 * As crash's foreach and crash-gcore's do_gcore: error(FATAL) and
 * FAULT_ON_ERROR longjmp to pc->foreach_loop_env while IN_FOREACH is set.
 * The caller's jmp_buf and flag are saved and put back on both paths (an
 * input file run with -i has set them itself).  What a cut-short fn leaves:
 * GETBUF memory, freed with the command; a kernel-page cache slot never
 * hashed (read_kvirt had not returned), so never found; the walker's table
 * cache, whose reads never FATAL.  Cleared: the record being built.
 */
bool vms_catch(struct vms_ctx *c, void (*fn)(void *), void *arg)
{
	jmp_buf saved;
	ulonglong saved_flag = pc->flags & IN_FOREACH;
	volatile bool ok = true;

	memcpy(saved, pc->foreach_loop_env, sizeof(saved));
	if (setjmp(pc->foreach_loop_env)) {
		ok = false;
		vms_note(VMS_OUT_REPORTED);
		vms_buf_reset(&c->out);
	} else {
		pc->flags |= IN_FOREACH;
		fn(arg);
	}
	pc->flags = (pc->flags & ~IN_FOREACH) | saved_flag;
	memcpy(pc->foreach_loop_env, saved, sizeof(saved));
	return ok;
}

struct target_job {
	void (*fn)(struct task_context *, void *);
	struct task_context *tc;
	void *opts;
};

static void target_job(void *arg)
{
	struct target_job *j = arg;
	j->fn(j->tc, j->opts);
}

void vms_each_target(struct vms_ctx *c, char **targets, int optind,
		     void (*fn)(struct task_context *tc, void *opts), void *opts)
{
	struct task_context **tcs;
	int n = vms_targets(targets, optind, &tcs);
	for (int i = 0; i < n; i++) {
		struct target_job j = { fn, tcs[i], opts };
		vms_catch(c, target_job, &j);
	}
}

void vms_ctx_end(struct vms_ctx *c)
{
	ctx_cleanup(c);
}

void vms_acct_setup(struct vms_ctx *c, struct vms_acct *a, bool pages, bool content)
{
	*a = (struct vms_acct){
		.model = &c->model,
		.layout = &vms_k.page,
		.memmap = pages && c->pages_ready ? &c->memmap : NULL,
		.kcache = pages && c->pages_ready ? &c->kcache : NULL,
		.swap = c->swap,
		.nswap = c->nswap,
		.mem = &c->mem,
		.counters = &c->counters,
		.scan_content = content,
	};
}

int vms_account_vma(struct vms_ctx *c, const struct vms_space *s, const struct vms_vma *v,
		    const struct vms_vma_acct *va, const struct vms_acct *acct,
		    struct vms_stats *stats)
{
	static unsigned char page_buf[4096] __attribute__((aligned(64)));
	struct vms_sink sink = { .acct = acct, .vma = va, .stats = stats, .page_buf = page_buf };

	memset(stats, 0, sizeof(*stats));
	if (v->bad) {
		vms_note(VMS_OUT_REPORTED);
		vms_stats_error(stats, VMS_CORRUPT, -1, v->start, v->addr, v->err);
		return 0;
	}
	/* The gate VMA has no page tables of its own.  VM_PFNMAP VMAs are
	 * walked although smaps before 6.12 skips them: their entries are all
	 * special, so they add to no smaps field, only to vmscope's own. */
	if (v->gate)
		return 0;
	int ret = vms_walk_range(&c->walker, s->pgd_paddr, v->start, v->end, &vms_account_ops, &sink);
	/* pages a filtered dump leaves out are expected, not an error */
	if (stats->nerrors && stats->err.status != VMS_EXCLUDED)
		vms_note(VMS_OUT_REPORTED);
	return ret;
}

void vms_swap_name(unsigned type, struct vms_name *n)
{
	const struct vms_kernel *k = &vms_k;
	ulong si, file;
	n->len = 0;
	n->buf[0] = 0;
	if (!k->sym_swap_info || type >= k->max_swapfiles || k->si_swap_file < 0 ||
	    !vms_rd_ulong(k->sym_swap_info + type * sizeof(ulong), &si) || !si ||
	    !vms_rd_ulong(si + k->si_swap_file, &file) || !file)
		return;
	vms_file_path(file, n);
}

/* ---- vmscope_readcost: the floor's unit, for the benchmarks ---- */

char *help_vmscope_readcost[] = {
	"vmscope_readcost",
	"time crash's read of each page in a list (for vmscope's benchmarks)",
	"[-b] FILE [ROUNDS]",
	"  FILE holds physical addresses as native 64-bit words (what VMSCOPE_TRACE",
	"  records).  Each distinct page is read ROUNDS times (default 1) with",
	"  crash's readmem(PHYSADDR), the unit of the floor; -b: through the dump",
	"  back end directly, as vmscope reads them.  Prints the page count and the",
	"  mean microseconds per read.  Hidden: a tool for bench/run.",
	NULL
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void cmd_vmscope_readcost(void)
{
	bool backend = args[1] && strcmp(args[1], "-b") == 0;
	char *file = args[1 + backend], *nrounds = file ? args[2 + backend] : NULL;
	if (!file)
		VMS_USAGE();
	int rounds = nrounds ? atoi(nrounds) : 1;
	FILE *f = fopen(file, "r");
	if (!f)
		error(FATAL, "cannot open %s\n", file);
	size_t n = 0, cap = 1 << 16;
	uint64_t *pages = malloc(cap * sizeof(*pages));
	while (pages && fread(&pages[n], sizeof(*pages), 1, f) == 1) {
		pages[n] &= ~(uint64_t)(PAGESIZE() - 1);
		if (++n == cap) {
			uint64_t *p = realloc(pages, (cap *= 2) * sizeof(*pages));
			if (!p) {
				free(pages);
				pages = NULL;
			}
			pages = p;
		}
	}
	fclose(f);
	if (!pages)
		error(FATAL, "out of memory\n");
	qsort(pages, n, sizeof(*pages), cmp_u64);
	size_t d = 0;
	for (size_t i = 0; i < n; i++)
		if (!d || pages[d - 1] != pages[i])
			pages[d++] = pages[i];
	/* a random order, as the walk's reads are: no help from sequential I/O */
	for (size_t i = d; i > 1; i--) {
		size_t j = (size_t)random() % i;
		uint64_t t = pages[i - 1];
		pages[i - 1] = pages[j];
		pages[j] = t;
	}
	char *buf = GETBUF(PAGESIZE());
	struct timespec a, b;
	size_t bad = 0;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < d; i++)
			if (backend ? read_phys(NULL, pages[i], buf) != VMS_OK
				    : !readmem(pages[i], PHYSADDR, buf, PAGESIZE(), "readcost",
					       RETURN_ON_ERROR | QUIET))
				bad++;
	clock_gettime(CLOCK_MONOTONIC, &b);
	double us = ((b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3);
	fprintf(fp, "pages %zu reads %zu failed %zu us_per_read %.3f\n", d, d * (size_t)rounds, bad,
		d ? us / (double)(d * (size_t)rounds) : 0.0);
	free(pages);
}
