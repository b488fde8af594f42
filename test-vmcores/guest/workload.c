// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * workload: the guest program whose memory the test vmcores capture.
 *
 * It builds a known zoo of mappings at fixed addresses (so that alignment is
 * chosen here, not by the kernel), announces each one on stdout as
 *   VMS REGION <pid> <name> <start> <length>
 * forks its helpers, writes the pids of every process to /tmp/ready and then
 * sleeps for ever.  Nothing here is ground truth: the truth comes from the
 * kernel's own smaps and pagemap, read by ./truth.c.  What the workload
 * announces only names the regions so tests can ask about them by role.
 *
 * Built statically (gcc -static) so that no shared library adds mappings.
 *
 * Bench mode (bench/run, never the test dumps): when the kernel command line
 * holds vmscope.bench=MIB, one more process, "vmscope-bench", maps MIB MiB of
 * anonymous memory (MADV_NOHUGEPAGE), writes every 4 KiB page (every 8th with
 * zeros) and announces it as region "bench".  It is not in /tmp/ready, so
 * truth leaves it alone; the zoo is made as always.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define KiB 1024UL
#define MiB (1024 * KiB)
#define PAGE 4096UL

/* Regions sit in 64 MiB slots from 4 GiB up: far apart, so no two merge. */
#define SLOT(n) ((uintptr_t)0x100000000UL + (uintptr_t)(n) * 64 * MiB)

static const char *data_dir = "/data";

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	fflush(stderr);
	exit(1);
}

static void announce(const char *name, void *start, size_t len)
{
	printf("VMS REGION %d %s 0x%lx 0x%lx\n", (int)getpid(), name,
	       (unsigned long)(uintptr_t)start, (unsigned long)len);
	fflush(stdout);
}

static void *map_at(uintptr_t addr, size_t len, int prot, int flags, int fd,
		    off_t off)
{
	void *p = mmap((void *)addr, len, prot, flags | MAP_FIXED_NOREPLACE, fd,
		       off);
	if (p == MAP_FAILED)
		die("mmap");
	if ((uintptr_t)p != addr) {
		errno = EEXIST;
		die("mmap at a fixed address");
	}
	return p;
}

static void *anon_at(uintptr_t addr, size_t len)
{
	return map_at(addr, len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void madv(void *p, size_t len, int advice)
{
	if (madvise(p, len, advice))
		die("madvise");
}

/* A byte that is never zero, so a written page is never all-zero by chance. */
static unsigned char pattern(size_t page)
{
	return (unsigned char)(page % 251 + 1);
}

static void write_page(volatile unsigned char *p, size_t page, int zero)
{
	unsigned char b = zero ? 0 : pattern(page);
	for (size_t i = 0; i < PAGE; i += 64)
		p[i] = b;
}

static unsigned long read_pages(volatile unsigned char *p, size_t len)
{
	unsigned long sum = 0;
	for (size_t off = 0; off < len; off += PAGE)
		sum += p[off];
	return sum;
}

static int open_data(const char *name, int flags)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	int fd = open(path, flags);
	if (fd < 0)
		die(path);
	return fd;
}

static unsigned long sink;

static void build_zoo(void)
{
	unsigned char *p;

	/* Anonymous memory that is never touched: a VMA with no entries. */
	p = anon_at(SLOT(0), 4 * MiB);
	announce("untouched", p, 4 * MiB);

	/* Read faults without THP: every page maps the shared 4 KiB zero page. */
	p = anon_at(SLOT(1), 1 * MiB);
	madv(p, 1 * MiB, MADV_NOHUGEPAGE);
	sink += read_pages(p, 1 * MiB);
	announce("read_nothp", p, 1 * MiB);

	/* Read faults on aligned, THP-eligible windows: the huge zero page. */
	p = anon_at(SLOT(2), 4 * MiB);
	sink += read_pages(p, 4 * MiB);
	announce("read_thp", p, 4 * MiB);

	/*
	 * Huge zero page, then one write into the second window: the PMD is
	 * split into zero-page PTEs and one page is copied.
	 */
	p = anon_at(SLOT(3), 4 * MiB);
	sink += read_pages(p, 4 * MiB);
	write_page(p + 2 * MiB + 5 * PAGE, 5, 0);
	announce("thp_zero_split", p, 4 * MiB);

	/* Written 4 KiB pages, every fourth one written with zeros. */
	p = anon_at(SLOT(4), 4 * MiB);
	madv(p, 4 * MiB, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < 4 * MiB / PAGE; i++)
		write_page(p + i * PAGE, i, i % 4 == 3);
	announce("written", p, 4 * MiB);

	/* Aligned and written: PMD-mapped THPs (the first byte of each only). */
	p = anon_at(SLOT(5), 8 * MiB);
	for (size_t w = 0; w < 4; w++)
		write_page(p + w * 2 * MiB, w, 0);
	announce("thp_aligned", p, 8 * MiB);

	/* A THP split by MADV_DONTNEED of one page: 511 PTE-mapped subpages. */
	p = anon_at(SLOT(6), 2 * MiB);
	for (size_t i = 0; i < 2 * MiB / PAGE; i++)
		write_page(p + i * PAGE, i, 0);
	madv(p + 100 * PAGE, PAGE, MADV_DONTNEED);
	announce("thp_split", p, 2 * MiB);

	/* Misaligned to 2 MiB: starts 1 MiB into a window, holds no window. */
	p = anon_at(SLOT(7) + 1 * MiB, 2 * MiB);
	for (size_t i = 0; i < 2 * MiB / PAGE; i += 2)
		write_page(p + i * PAGE, i, 0);
	sink += read_pages(p + PAGE, 2 * MiB - PAGE);
	announce("misaligned", p, 2 * MiB);

	/* Swapped to zram with MADV_PAGEOUT (before the fork: pageout skips shared pages). */
	p = anon_at(SLOT(8), 2 * MiB);
	madv(p, 2 * MiB, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < 2 * MiB / PAGE; i++)
		write_page(p + i * PAGE, i, 0);
	madv(p, 1 * MiB, MADV_PAGEOUT);
	announce("swapped", p, 2 * MiB);

	/* One VMA split in four by mprotect; a PROT_NONE part keeps its pages. */
	p = anon_at(SLOT(9), 4 * MiB);
	madv(p, 4 * MiB, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < 4 * MiB / PAGE; i++)
		write_page(p + i * PAGE, i, 0);
	if (mprotect(p + 1 * MiB, 1 * MiB, PROT_READ))
		die("mprotect");
	if (mprotect(p + 3 * MiB, 64 * KiB, PROT_NONE))
		die("mprotect");
	announce("mprotect_split", p, 4 * MiB);

	/* mlock: Locked and the "lo" VmFlag. */
	p = anon_at(SLOT(10), 1 * MiB);
	if (mlock(p, 1 * MiB))
		die("mlock");
	for (size_t i = 0; i < 1 * MiB / PAGE; i += 3)
		write_page(p + i * PAGE, i, 0);
	announce("mlocked", p, 1 * MiB);

	/* Shared anonymous memory (shmem): written, then read-faulted pages. */
	p = map_at(SLOT(11), 2 * MiB, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	for (size_t i = 0; i < 256; i++)
		write_page(p + i * PAGE, i, 0);
	sink += read_pages(p + 256 * PAGE, 128 * PAGE);
	announce("shared_anon", p, 2 * MiB);

	/* A private file mapping: half its pages read, the first 16 COW-written. */
	int fd = open_data("data.bin", O_RDONLY);
	p = map_at(SLOT(12), 8 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	for (size_t i = 0; i < 8 * MiB / PAGE; i += 2)
		sink += p[i * PAGE];
	for (size_t i = 0; i < 16; i++)
		write_page(p + i * PAGE, i + 7, 0);
	close(fd);
	announce("file_private", p, 8 * MiB);

	/* A shared file mapping at a file offset: all read, the first 32 written. */
	fd = open_data("shared.bin", O_RDWR);
	p = map_at(SLOT(13), 4 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   1 * MiB);
	sink += read_pages(p, 4 * MiB);
	for (size_t i = 0; i < 32; i++)
		write_page(p + i * PAGE, i + 3, 0);
	close(fd);
	announce("file_shared", p, 4 * MiB);

	/* A read-only mapping of a file whose name is hostile to parsers. */
	fd = open_data("evil\nname \"q\" \\ \xff\xfe.bin", O_RDONLY);
	p = map_at(SLOT(14), 64 * KiB, PROT_READ, MAP_PRIVATE, fd, 0);
	sink += p[0];
	close(fd);
	announce("file_hostile", p, 64 * KiB);

	/* Aligned with MADV_HUGEPAGE (eligible in "madvise" mode too). */
	p = anon_at(SLOT(15), 4 * MiB);
	madv(p, 4 * MiB, MADV_HUGEPAGE);
	write_page(p, 0, 0);
	announce("madv_hugepage", p, 4 * MiB);

	/*
	 * A THP moved by mremap to an address that is not 2 MiB-aligned: the
	 * PMD is split and the compound page stays, mapped by 512 PTEs whose
	 * virtual and physical addresses differ in their low 21 bits.
	 */
	p = anon_at(SLOT(17), 2 * MiB);
	for (size_t i = 0; i < 2 * MiB / PAGE; i++)
		write_page(p + i * PAGE, i, 0);
	void *moved = mremap(p, 2 * MiB, 2 * MiB, MREMAP_MAYMOVE | MREMAP_FIXED,
			     (void *)(SLOT(18) + 64 * KiB));
	if (moved == MAP_FAILED)
		die("mremap");
	announce("thp_mremapped", moved, 2 * MiB);

	/* COW pages the forked child will share, and partly write itself. */
	p = anon_at(SLOT(16), 1 * MiB);
	madv(p, 1 * MiB, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < 1 * MiB / PAGE; i++)
		write_page(p + i * PAGE, i, 0);
	announce("cow_shared", p, 1 * MiB);

	/*
	 * A large malloc: the kernel picks the address (2 MiB-aligned on
	 * kernels that align anonymous mmaps, not on older ones).
	 */
	size_t big = 8 * MiB;
	p = malloc(big);
	if (!p)
		die("malloc");
	for (size_t i = 0; i < big / PAGE; i++)
		write_page(p + i * PAGE, i, 0);
	announce("malloc_big", p, big);

	/* A populated [heap]: grow the break by 1 MiB and write it. */
	p = sbrk(1 * MiB);
	if (p == (void *)-1)
		die("sbrk");
	for (size_t i = 0; i < 1 * MiB / PAGE; i++)
		write_page(p + i * PAGE, i, i % 2);
	announce("heap_grown", p, 1 * MiB);
}

static void sleep_forever(void)
{
	for (;;)
		pause();
}

/* Tell the parent this process is set up. */
static void report_ready(int fd)
{
	char c = 'r';
	if (write(fd, &c, 1) != 1)
		die("write");
	close(fd);
}

/* The forked child: shares every private page COW; writes a few of them. */
static void child_main(int ready_fd)
{
	prctl(PR_SET_NAME, "wl-child");
	unsigned char *p = (unsigned char *)SLOT(16);
	for (size_t i = 0; i < 64; i++)
		write_page(p + i * PAGE, i + 11, 0);
	announce("cow_child_written", p, 64 * PAGE);
	report_ready(ready_fd);
	sleep_forever();
}

/*
 * A process with THP disabled by prctl (MMF_DISABLE_THP) and a comm that
 * needs escaping in JSON.  It execs itself first so its address space holds
 * only its own mappings.
 */
static void nothp_main(void)
{
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		die("PR_SET_THP_DISABLE");
	prctl(PR_SET_NAME, "wl\"no\\thp");
	unsigned char *p = anon_at(SLOT(20), 4 * MiB);
	for (size_t i = 0; i < 4 * MiB / PAGE; i += 8)
		write_page(p + i * PAGE, i, 0);
	announce("nothp_aligned", p, 4 * MiB);
	report_ready(3);
	sleep_forever();
}

/* Bench mode: a process with MIB MiB resident in 4 KiB pages (see the top). */
static void bench_main(const char *arg)
{
	size_t len = strtoul(arg, NULL, 10) * MiB;
	prctl(PR_SET_NAME, "vmscope-bench");
	unsigned char *p = anon_at(SLOT(64), len);
	madv(p, len, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < len / PAGE; i++)
		write_page(p + i * PAGE, i, i % 8 == 7);
	announce("bench", p, len);
	report_ready(3);
	sleep_forever();
}

/*
 * The N of vmscope.bench=N on the kernel command line, as text in buf, or
 * NULL.  No malloc and a small frame: the zoo's heap and stack stay as they
 * are without it.
 */
static __attribute__((noinline)) const char *bench_arg(char *buf, size_t size)
{
	static const char key[] = "vmscope.bench=";
	char line[1024];
	int fd = open("/proc/cmdline", O_RDONLY);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	line[n] = 0;
	for (char *w = strtok(line, " \n"); w; w = strtok(NULL, " \n")) {
		if (strncmp(w, key, sizeof(key) - 1) == 0 && w[sizeof(key) - 1] &&
		    strlen(w + sizeof(key) - 1) < size) {
			strcpy(buf, w + sizeof(key) - 1);
			return buf;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--nothp") == 0) {
		nothp_main();
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "--bench") == 0) {
		bench_main(argv[2]);
		return 0;
	}
	static char bench_mib[32];
	const char *bench = bench_arg(bench_mib, sizeof(bench_mib));
	if (argc > 1)
		data_dir = argv[1];
	prctl(PR_SET_NAME, "vmscope-wl");
	build_zoo();

	/* Both children report through this pipe once they are set up. */
	int ready[2];
	if (pipe(ready))
		die("pipe");
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		close(ready[0]);
		child_main(ready[1]);
	}
	pid_t nothp = fork();
	if (nothp < 0)
		die("fork");
	if (nothp == 0) {
		/* stdout stays the console; the pipe end tells the parent it is set up. */
		dup2(ready[1], 3);
		char *args[] = { argv[0], "--nothp", NULL };
		execv("/proc/self/exe", args);
		die("execv");
	}
	int nready = 2;
	if (bench) {
		pid_t b = fork();
		if (b < 0)
			die("fork");
		if (b == 0) {
			dup2(ready[1], 3);
			char *args[] = { argv[0], "--bench", (char *)bench, NULL };
			execv("/proc/self/exe", args);
			die("execv");
		}
		nready = 3;
	}
	close(ready[1]);
	char c;
	for (int n = 0; n < nready;) {
		ssize_t r = read(ready[0], &c, 1);
		if (r == 1)
			n++;
		else if (r == 0 || errno != EINTR)
			die("waiting for the children");
	}
	/* A child that has exited and is never reaped: a zombie, without mm. */
	pid_t zombie = fork();
	if (zombie < 0)
		die("fork");
	if (zombie == 0) {
		prctl(PR_SET_NAME, "wl-zombie");
		_exit(0);
	}
	siginfo_t info;
	if (waitid(P_PID, (id_t)zombie, &info, WEXITED | WNOWAIT))
		die("waitid");
	printf("VMS ZOMBIE %d\n", (int)zombie);
	FILE *f = fopen("/tmp/ready.tmp", "w");
	if (!f)
		die("/tmp/ready.tmp");
	fprintf(f, "%d %d %d\n", (int)getpid(), (int)child, (int)nothp);
	fclose(f);
	rename("/tmp/ready.tmp", "/tmp/ready");
	printf("VMS READY %d %d %d\n", (int)getpid(), (int)child, (int)nothp);
	fflush(stdout);
	(void)sink;
	sleep_forever();
}
