// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * truth: print the kernel's own account of some processes, and of the
 * system's memory settings, on the console, for the host to keep as the
 * ground truth of a test vmcore.
 *
 *   truth PID...
 *
 * Everything is read from /proc and /sys, never computed here.  Files are
 * sent as hex (file names in smaps may hold any byte), in lines of
 *   VMS HEX <tag> <hex>...            (many)
 *   VMS END <tag> <nbytes> <sum>      (the byte count and a simple checksum)
 * so that a kernel message landing on the console mid-way is detected.
 *
 * Pagemap is sent as runs: "VMS PM <pid> <vaddr> <count> <first> <delta>",
 * entries first, first + delta, ... for count pages (absent runs are zero).
 * It is read twice, before and after everything else, and the two must
 * agree ("VMS STABLE <pid> 1"): the dump is taken only of a still picture.
 *
 * Content: each present page is read through /proc/PID/mem and reported as
 * all-zero or not ("VMS ZERO <pid> <vaddr> <count> <0|1|2>", 2: unreadable).
 * Reading precedes smaps, so that whatever it does to Referenced is in the
 * smaps the host keeps.  The kernel's page flags of present pages come from
 * /proc/kpageflags ("VMS KPF <pid> <vaddr> <count> <flags>").
 *
 * /proc/meminfo is read last, with nothing allocated or freed after it, and
 * then (unless a /stage.sh follows) truth stays alive: the dump is taken
 * with the same processes, so Committed_AS has not moved.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE 4096UL
#define USER_TOP 0x800000000000UL
#define PM_PRESENT (1ULL << 63)
#define PM_SWAP (1ULL << 62)

struct vma {
	uint64_t start, end;
	uint64_t *pm;	/* pagemap entries, one per page */
	uint64_t *kpf;	/* kpageflags of present pages, else 0 */
	uint8_t *zero;	/* per page: 0 not zero, 1 all zero, 2 unreadable, 3 not read */
};

static void *xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (!p) {
		fprintf(stderr, "truth: out of memory\n");
		exit(1);
	}
	return p;
}

/* Read a whole /proc or /sys file; returns its length, -1 on error. */
static long slurp(const char *path, char **buf_ret)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t cap = 65536, len = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				exit(1);
		}
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	*buf_ret = buf;
	return (long)len;
}

static void send_hex(const char *tag, const char *buf, long len)
{
	static const char hx[] = "0123456789abcdef";
	unsigned long sum = 0;
	for (long i = 0; i < len; i += 1024) {
		long n = len - i < 1024 ? len - i : 1024;
		char line[2 * 1024 + 1];
		for (long j = 0; j < n; j++) {
			unsigned char c = (unsigned char)buf[i + j];
			line[2 * j] = hx[c >> 4];
			line[2 * j + 1] = hx[c & 15];
			sum = (sum * 31 + c) & 0xffffffffUL;
		}
		line[2 * n] = 0;
		printf("VMS HEX %s %s\n", tag, line);
	}
	printf("VMS END %s %ld %lu\n", tag, len, sum);
	fflush(stdout);
}

static void send_file(const char *tag, const char *path)
{
	char *buf = NULL;
	long len = slurp(path, &buf);
	if (len < 0) {
		printf("VMS MISSING %s %s\n", tag, path);
		return;
	}
	send_hex(tag, buf, len);
	free(buf);
}

static int read_maps(int pid, struct vma **vmas_ret)
{
	char path[64], *buf = NULL;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	long len = slurp(path, &buf);
	if (len < 0)
		return -1;
	int n = 0, cap = 64;
	struct vma *v = xmalloc(sizeof(*v) * cap);
	for (char *line = buf; line < buf + len;) {
		char *nl = memchr(line, '\n', (size_t)(buf + len - line));
		unsigned long s, e;
		if (sscanf(line, "%lx-%lx", &s, &e) == 2 && e <= USER_TOP) {
			if (n == cap)
				v = realloc(v, sizeof(*v) * (cap *= 2));
			v[n].start = s;
			v[n].end = e;
			v[n].pm = xmalloc((e - s) / PAGE * 8);
			v[n].kpf = xmalloc((e - s) / PAGE * 8);
			v[n].zero = xmalloc((e - s) / PAGE);
			n++;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	free(buf);
	*vmas_ret = v;
	return n;
}

static int read_pagemap(int fd, struct vma *v, uint64_t *out)
{
	size_t want = (v->end - v->start) / PAGE * 8;
	off_t off = (off_t)(v->start / PAGE * 8);
	size_t got = 0;
	while (got < want) {
		ssize_t r = pread(fd, (char *)out + got, want - got, off + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static void scan_content(int memfd, struct vma *v)
{
	static char page[PAGE];
	size_t n = (v->end - v->start) / PAGE;
	for (size_t i = 0; i < n; i++) {
		if (!(v->pm[i] & PM_PRESENT)) {
			v->zero[i] = 3;
			continue;
		}
		ssize_t r = pread(memfd, page, PAGE, (off_t)(v->start + i * PAGE));
		if (r != (ssize_t)PAGE) {
			v->zero[i] = 2;
			continue;
		}
		int z = 1;
		for (size_t j = 0; j < PAGE / 8; j++)
			if (((uint64_t *)page)[j]) {
				z = 0;
				break;
			}
		v->zero[i] = (uint8_t)z;
	}
}

static void read_kpageflags(int fd, struct vma *v)
{
	size_t n = (v->end - v->start) / PAGE;
	for (size_t i = 0; i < n; i++) {
		uint64_t e = v->pm[i];
		if (!(e & PM_PRESENT) || fd < 0)
			continue;
		uint64_t pfn = e & ((1ULL << 55) - 1);
		if (pread(fd, &v->kpf[i], 8, (off_t)(pfn * 8)) != 8)
			v->kpf[i] = 0;
	}
}

static void send_runs(int pid, struct vma *v)
{
	size_t n = (v->end - v->start) / PAGE;
	for (size_t i = 0; i < n;) {
		uint64_t first = v->pm[i];
		size_t j = i + 1;
		uint64_t delta = 0;
		if (j < n && v->pm[j] != 0 && first != 0)
			delta = v->pm[j] - first;
		if (delta != 0 && delta != 1 && delta != 32)
			delta = 0;
		while (j < n && v->pm[j] == first + delta * (j - i))
			j++;
		if (first != 0)
			printf("VMS PM %d 0x%" PRIx64 " %zu 0x%" PRIx64 " %" PRIu64 "\n",
			       pid, v->start + i * PAGE, j - i, first, delta);
		i = j;
	}
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && v->zero[j] == v->zero[i])
			j++;
		if (v->zero[i] != 3)
			printf("VMS ZERO %d 0x%" PRIx64 " %zu %d\n", pid,
			       v->start + i * PAGE, j - i, v->zero[i]);
		i = j;
	}
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && v->kpf[j] == v->kpf[i])
			j++;
		if (v->kpf[i])
			printf("VMS KPF %d 0x%" PRIx64 " %zu 0x%" PRIx64 "\n", pid,
			       v->start + i * PAGE, j - i, v->kpf[i]);
		i = j;
	}
	fflush(stdout);
}

static void truth_of(int pid)
{
	char path[64], tag[64];
	struct vma *v;
	int n = read_maps(pid, &v);
	if (n < 0) {
		printf("VMS GONE %d\n", pid);
		return;
	}
	printf("VMS PROC %d\n", pid);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	int pmfd = open(path, O_RDONLY);
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	int memfd = open(path, O_RDONLY);
	if (pmfd < 0 || memfd < 0) {
		printf("VMS GONE %d\n", pid);
		return;
	}
	for (int i = 0; i < n; i++)
		if (read_pagemap(pmfd, &v[i], v[i].pm))
			printf("VMS PMERR %d 0x%" PRIx64 "\n", pid, v[i].start);
	for (int i = 0; i < n; i++)
		scan_content(memfd, &v[i]);
	int kpffd = open("/proc/kpageflags", O_RDONLY);
	for (int i = 0; i < n; i++)
		read_kpageflags(kpffd, &v[i]);
	if (kpffd >= 0)
		close(kpffd);

	snprintf(tag, sizeof(tag), "comm.%d", pid);
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	send_file(tag, path);
	snprintf(tag, sizeof(tag), "smaps.%d", pid);
	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	send_file(tag, path);
	snprintf(tag, sizeof(tag), "rollup.%d", pid);
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	send_file(tag, path);
	snprintf(tag, sizeof(tag), "status.%d", pid);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	send_file(tag, path);

	/* The second read: the picture must not have moved. */
	int stable = 1;
	for (int i = 0; i < n; i++) {
		uint64_t *again = xmalloc((v[i].end - v[i].start) / PAGE * 8);
		if (read_pagemap(pmfd, &v[i], again) ||
		    memcmp(again, v[i].pm, (v[i].end - v[i].start) / PAGE * 8))
			stable = 0;
		free(again);
	}
	for (int i = 0; i < n; i++)
		send_runs(pid, &v[i]);
	printf("VMS STABLE %d %d\n", pid, stable);
	fflush(stdout);
	close(pmfd);
	close(memfd);
}

static const char *const sys_files[] = {
	"/proc/version",
	"/proc/swaps",
	"/proc/sys/vm/overcommit_memory",
	"/proc/sys/vm/overcommit_ratio",
	"/proc/sys/vm/overcommit_kbytes",
	"/sys/kernel/mm/transparent_hugepage/enabled",
	"/sys/kernel/mm/transparent_hugepage/defrag",
	"/sys/kernel/mm/transparent_hugepage/use_zero_page",
	"/sys/kernel/mm/transparent_hugepage/shmem_enabled",
	"/sys/kernel/mm/transparent_hugepage/hpage_pmd_size",
	"/sys/kernel/mm/transparent_hugepage/khugepaged/defrag",
	"/sys/kernel/mm/transparent_hugepage/khugepaged/pages_to_scan",
	"/sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs",
	"/sys/kernel/mm/transparent_hugepage/khugepaged/alloc_sleep_millisecs",
	"/sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_none",
	"/sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_swap",
	"/sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_shared",
	NULL,
};

int main(int argc, char **argv)
{
	static char meminfo[16384];

	for (int i = 1; i < argc; i++)
		truth_of(atoi(argv[i]));
	for (int i = 0; sys_files[i]; i++) {
		char tag[160];
		snprintf(tag, sizeof(tag), "sys:%s", sys_files[i]);
		send_file(tag, sys_files[i]);
	}
	/* Last, into a static buffer: no allocation may move Committed_AS now. */
	int fd = open("/proc/meminfo", O_RDONLY);
	ssize_t len = fd >= 0 ? read(fd, meminfo, sizeof(meminfo)) : -1;
	if (len > 0)
		send_hex("sys:/proc/meminfo", meminfo, len);
	printf("VMS TRUTH-DONE\n");
	fflush(stdout);
	if (access("/stage.sh", X_OK) == 0)
		return 0;
	for (;;)
		pause();
}
