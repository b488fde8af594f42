// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_vmsys.c: the dumped system's memory policy, from the kernel's own
 * variables, computed as /proc/meminfo, /proc/sys/vm and the THP sysfs
 * files compute them (mm/util.c, mm/huge_memory.c, mm/khugepaged.c,
 * mm/swapfile.c).
 */
#include "glue.h"

char *help_vmsys[] = {
	"vmsys",
	"memory policy of the dumped system: overcommit, THP, swap",
	"[-j]",
	"  Shows what the system's /proc/sys/vm, /proc/meminfo and",
	"  /sys/kernel/mm/transparent_hugepage would have said at the moment of the",
	"  dump:",
	"    overcommit_memory, overcommit_ratio, overcommit_kbytes",
	"    commit_limit_kb, committed_as_kb (CommitLimit and Committed_AS)",
	"    thp_enabled, thp_defrag, thp_use_zero_page, shmem_enabled",
	"    khugepaged: defrag, pages_to_scan, scan_sleep_millisecs,",
	"      alloc_sleep_millisecs, max_ptes_none, max_ptes_swap, max_ptes_shared",
	"    zero_pfn, huge_zero_pfn (none until the huge zero page is allocated)",
	"    swap devices (as /proc/swaps) and swap_total_kb, swap_free_kb",
	"",
	"    -j  one JSON object: {\"type\":\"sys\",...}.",
	"\nEXAMPLES",
	"  Was the system allowed to overcommit, and how far had it gone?\n",
	"    %s> vmsys",
	"    overcommit_memory                  0 (heuristic)",
	"    overcommit_ratio                   61",
	"    overcommit_kbytes                  0",
	"    commit_limit_kb                    673464",
	"    committed_as_kb                    135328",
	"    thp_enabled                        [always] madvise never",
	"    thp_defrag                         always defer defer+madvise [madvise] never",
	"    ...",
	"    zero_pfn                           0x32ac",
	"    huge_zero_pfn                      0x5800",
	"    swap_total_kb                      65532",
	"    swap_free_kb                       64508",
	"    swap devices:",
	"      /dev/zram0  partition  size 65532 kB  used 1024 kB  priority -2",
	NULL
};

static struct vms_ctx ctx;

static long rd_long_sym(const char *name, int size, bool *ok)
{
	ulong addr = vms_sym(name);
	long v = 0;
	*ok = false;
	if (!addr)
		return 0;
	if (size == 4) {
		int i;
		if ((*ok = vms_rd_int(addr, &i)))
			v = i;
	} else {
		*ok = vms_rd(addr, &v, sizeof(v));
	}
	return v;
}

/* percpu_counter_sum_positive(): count plus every CPU's delta. */
static long percpu_counter_sum(ulong fbc, bool *ok)
{
	const struct vms_kernel *k = &vms_k;
	long long count;
	ulong counters;
	*ok = false;
	if (!fbc || k->percpu_count < 0 || k->percpu_counters < 0 ||
	    !vms_rd(fbc + k->percpu_count, &count, sizeof(count)) ||
	    !vms_rd_ulong(fbc + k->percpu_counters, &counters))
		return 0;
	for (int cpu = 0; cpu < kt->cpus; cpu++) {
		int delta;
		if ((kt->flags & PER_CPU_OFF) &&
		    vms_rd_int(counters + kt->__per_cpu_offset[cpu], &delta))
			count += delta;
	}
	*ok = true;
	return count < 0 ? 0 : (long)count;
}

static ulong hugetlb_total_pages(void)
{
	ulong hstates = vms_sym("hstates"), total = 0;
	int max;
	long size = STRUCT_SIZE("hstate");
	long nr = MEMBER_OFFSET("hstate", "nr_huge_pages");
	long order = MEMBER_OFFSET("hstate", "order");
	if (!hstates || size <= 0 || nr < 0 || order < 0 ||
	    !vms_rd_int(vms_sym("hugetlb_max_hstate"), &max) || max < 0 || max > 16)
		return 0;
	for (int i = 0; i < max; i++) {
		ulong n;
		uint o;
		if (vms_rd_ulong(hstates + i * size + nr, &n) && vms_rd_uint(hstates + i * size + order, &o) &&
		    o < 30)
			total += n << o;
	}
	return total;
}

static const char *shmem_enabled_text(int huge, char *buf, size_t len)
{
	static const struct { int v; const char *name; } vals[] = {
		{ VMS_SHMEM_ALWAYS, "always" }, { VMS_SHMEM_WITHIN_SIZE, "within_size" },
		{ VMS_SHMEM_ADVISE, "advise" }, { VMS_SHMEM_NEVER, "never" },
		{ VMS_SHMEM_DENY, "deny" }, { VMS_SHMEM_FORCE, "force" },
	};
	size_t at = 0;
	buf[0] = 0;
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]) && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, huge == vals[i].v ? "%s[%s]" : "%s%s",
				       i ? " " : "", vals[i].name);
	return buf;
}

struct kv {
	const char *key;
	bool text;
	long value;
	const char *str;
	bool ok;
};

void cmd_vmsys(void)
{
	bool as_json = false, ok;
	int c;

	while ((c = getopt(argcnt, args, "j")) != EOF) {
		switch (c) {
		case 'j': as_json = true; break;
		default: argerrs++; break;
		}
	}
	if (argerrs || args[optind])
		VMS_USAGE();
	if (!vms_kernel_init())
		return;
	vms_ctx_begin(&ctx, false);
	const struct vms_kernel *k = &vms_k;
	struct vms_buf *b = &ctx.out;

	struct kv kvs[32];
	int n = 0;
#define NUM(key_, expr_)                                                 \
	do {                                                                  \
		long v_ = (expr_);                                                \
		kvs[n++] = (struct kv){ .key = key_, .value = v_, .ok = ok };     \
	} while (0)
#define TXT(key_, s_) (kvs[n++] = (struct kv){ .key = key_, .text = true, .str = s_, .ok = true })

	long om = rd_long_sym("sysctl_overcommit_memory", 4, &ok);
	NUM("overcommit_memory", om);
	long ratio = rd_long_sym("sysctl_overcommit_ratio", 4, &ok);
	NUM("overcommit_ratio", ratio);
	bool ok_ratio = ok;
	long kbytes = rd_long_sym("sysctl_overcommit_kbytes", 8, &ok);
	NUM("overcommit_kbytes", kbytes);
	bool ok_kbytes = ok;
	long totalram = rd_long_sym("_totalram_pages", 8, &ok);
	bool ok_ram = ok;
	long total_swap = rd_long_sym("total_swap_pages", 8, &ok);
	bool ok_swap = ok;
	/* vm_commit_limit(), in pages */
	ulong allowed = kbytes ? (ulong)kbytes >> 2
			       : ((ulong)totalram - hugetlb_total_pages()) * (ulong)ratio / 100;
	allowed += (ulong)total_swap;
	ok = ok_ratio && ok_kbytes && ok_ram && ok_swap;
	NUM("commit_limit_kb", (long)(allowed << 2));
	long committed = percpu_counter_sum(vms_sym("vm_committed_as"), &ok);
	NUM("committed_as_kb", committed << 2);

	uint64_t f = ctx.thp.flags;
	ok = k->sym_thp_flags;
	TXT("thp_enabled", vms_thp_enabled_text(f));
	TXT("thp_defrag", vms_thp_defrag_text(f));
	NUM("thp_use_zero_page", !!(f & (1ULL << VMS_THP_USE_ZERO_PAGE)));
	NUM("khugepaged_defrag", !!(f & (1ULL << VMS_THP_DEFRAG_KHUGEPAGED)));
	char shmem[96];
	TXT("shmem_enabled", k->sym_shmem_huge ? shmem_enabled_text(ctx.thp.shmem_huge, shmem, sizeof(shmem)) : "");
	NUM("khugepaged_pages_to_scan", rd_long_sym("khugepaged_pages_to_scan", 4, &ok));
	NUM("khugepaged_scan_sleep_millisecs", rd_long_sym("khugepaged_scan_sleep_millisecs", 4, &ok));
	NUM("khugepaged_alloc_sleep_millisecs", rd_long_sym("khugepaged_alloc_sleep_millisecs", 4, &ok));
	NUM("khugepaged_max_ptes_none", rd_long_sym("khugepaged_max_ptes_none", 4, &ok));
	NUM("khugepaged_max_ptes_swap", rd_long_sym("khugepaged_max_ptes_swap", 4, &ok));
	NUM("khugepaged_max_ptes_shared", rd_long_sym("khugepaged_max_ptes_shared", 4, &ok));
	ok = ctx.model.zero_pfn != ~0ULL;
	NUM("zero_pfn", (long)ctx.model.zero_pfn);
	ok = ctx.model.huge_zero_pfn != ~0ULL;
	NUM("huge_zero_pfn", (long)ctx.model.huge_zero_pfn);

	/* swap devices, as /proc/swaps (swap_show) and si_swapinfo() */
	long nr_swap_free = rd_long_sym("nr_swap_pages", 8, &ok);
	struct vms_name *name = (struct vms_name *)GETBUF(sizeof(*name));
	struct vms_buf devs = { 0 };
	long to_be_unused = 0;
	for (unsigned t = 0; t < ctx.nswap; t++) {
		ulong si, file, inode;
		ulong flags;
		uint pages = 0, inuse = 0;
		short prio = 0;
		unsigned short mode = 0;
		if (!vms_rd_ulong(k->sym_swap_info + t * sizeof(ulong), &si) || !si ||
		    !vms_rd_ulong(si + k->si_flags, &flags))
			continue;
		vms_rd_uint(si + k->si_pages, &pages);
		vms_rd_uint(si + k->si_inuse, &inuse);
		vms_rd(si + k->si_prio, &prio, sizeof(prio));
		if ((flags & 1) && !(flags & 2))	/* SWP_USED, not SWP_WRITEOK: swapoff */
			to_be_unused += inuse;
		if (!(flags & 1) || !ctx.swap[t].swap_map)
			continue;
		vms_swap_name(t, name);
		if (vms_rd_ulong(si + k->si_swap_file, &file) && file &&
		    vms_rd_ulong(file + k->file_inode, &inode) && inode)
			vms_rd(inode + k->inode_mode, &mode, sizeof(mode));
		const char *type = (mode & 0170000) == 0060000 ? "partition" : "file";
		if (as_json) {
			vms_buf_puts(&devs, devs.len ? ",{" : "{");
			vms_buf_puts(&devs, "\"name\":\"");
			vms_buf_escape_json(&devs, name->buf, name->len);
			vms_buf_printf(&devs, "\",\"type\":\"%s\",\"size_kb\":%u,\"used_kb\":%u,\"priority\":%d}",
				       type, pages << 2, inuse << 2, prio);
		} else {
			vms_buf_puts(&devs, "  ");
			vms_buf_escape_safe(&devs, name->buf, name->len);
			vms_buf_printf(&devs, "  %s  size %u kB  used %u kB  priority %d\n", type,
				       pages << 2, inuse << 2, prio);
		}
	}
	ok = ok_swap;
	NUM("swap_total_kb", (total_swap + to_be_unused) << 2);
	NUM("swap_free_kb", (nr_swap_free + to_be_unused) << 2);

	if (as_json) {
		vms_json_begin(b, "sys");
		for (int i = 0; i < n; i++) {
			if (!kvs[i].ok)
				vms_json_null(b, kvs[i].key);
			else if (kvs[i].text)
				vms_json_strz(b, kvs[i].key, kvs[i].str);
			else
				vms_json_i64(b, kvs[i].key, kvs[i].value);
		}
		vms_json_key(b, "swap_devices");
		vms_buf_puts(b, "[");
		if (devs.len)
			vms_buf_put(b, devs.p, devs.len);
		vms_buf_puts(b, "]");
		vms_json_end(b);
	} else {
		static const char *const om_names[] = { "heuristic", "always", "never" };
		for (int i = 0; i < n; i++) {
			vms_buf_printf(b, "%-34s ", kvs[i].key);
			if (!kvs[i].ok)
				vms_buf_puts(b, "(unknown)");
			else if (kvs[i].text)
				vms_buf_puts(b, kvs[i].str);
			else if (strstr(kvs[i].key, "pfn"))
				vms_buf_printf(b, "0x%lx", kvs[i].value);
			else
				vms_buf_printf(b, "%ld", kvs[i].value);
			if (i == 0 && kvs[i].ok && kvs[i].value >= 0 && kvs[i].value <= 2)
				vms_buf_printf(b, " (%s)", om_names[kvs[i].value]);
			vms_buf_puts(b, "\n");
		}
		vms_buf_puts(b, "swap devices:\n");
		if (devs.len)
			vms_buf_put(b, devs.p, devs.len);
		else
			vms_buf_puts(b, "  (none)\n");
	}
	vms_buf_free(&devs);
	vms_buf_flush(b, fp);
	vms_ctx_end(&ctx);
}
