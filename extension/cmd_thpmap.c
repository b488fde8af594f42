// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_thpmap.c: transparent huge pages per VMA: eligibility with its reason,
 * 2 MiB windows, PMD-mapped THPs and THP pages mapped by PTEs.
 */
#include "glue.h"

char *help_thpmap[] = {
	"thpmap",
	"transparent huge pages and 2 MiB alignment per VMA",
	"[-w] [-j] [pid | taskp | command]...",
	"  For each VMA of each target task:",
	"    ELIG       THPeligible, as smaps prints it; when 0, the reason (the first",
	"               test this kernel's THP code fails: VM_NOHUGEPAGE, sysfs mode,",
	"               MMF_DISABLE_THP, no 2 MiB window, file without",
	"               READ_ONLY_THP_FOR_FS, ...)",
	"    WINDOWS    2 MiB-aligned 2 MiB windows wholly inside the VMA",
	"    PMDTHP     windows mapped by a PMD leaf (a THP; not the huge zero page)",
	"    PTETHP     4 KiB pages of compound pages (large folios) mapped by PTEs,",
	"               e.g. a THP split by MADV_DONTNEED, mprotect or mremap",
	"    UNALIGNED  of those, pages whose virtual and physical addresses differ in",
	"               their low 21 bits (they can never be a PMD again in place)",
	"    ANONHUGE   AnonHugePages, kB",
	"  Targets are crash's: a pid, a task address or a command name; the current",
	"  context when none is given.",
	"",
	"    -w  also list each window: thp (PMD THP), huge_zero, pte_thp (holds",
	"        PTE-mapped THP pages), pte_full (all 512 pages mapped by PTEs),",
	"        partial (some pages populated), empty.",
	"    -j  JSON Lines: {\"type\":\"thp\"} per VMA, {\"type\":\"window\"} per window.",
	"\nEXAMPLES",
	"  Where pid 106 has huge pages, and why not elsewhere:\n",
	"    %s> thpmap 106",
	"    PID: 106    TASK: ffff88800542b000  COMMAND: \"vmscope-wl\"",
	"                 START               END PERMS      SIZE ELIG WINDOWS  PMDTHP  PTETHP UNALIGNED  ANONHUGE NAME / REASON",
	"              22840000          22962000 rw-p       1160    0       0       0       0         0         0 [heap] / too small or misaligned: no 2 MiB window",
	"             104000000         104100000 rw-p       1024    0       0       0       0         0         0 VM_NOHUGEPAGE (madvise)",
	"             114000000         114800000 rw-p       8192    1       4       4       0         0      8192 ",
	"             118000000         118200000 rw-p       2048    1       1       0     511         0         0 ",
	"          ...",
	"",
	"  Window by window:\n",
	"    %s> thpmap -w 106",
	"          ...",
	"             108000000         108400000 rw-p       4096    1       2       0       0         0         0 ",
	"             108000000   window huge_zero populated   0  pte_thp   0  zero   0  swap   0",
	"             108200000   window huge_zero populated   0  pte_thp   0  zero   0  swap   0",
	"          ...",
	"",
	"  As JSON:\n",
	"    %s> thpmap -w -j 106",
	NULL
};

static struct vms_ctx ctx;

static const char *window_state(const struct vms_stats *w)
{
	if (w->pmd_thp == VMS_PMD_SIZE)
		return "thp";
	if (w->huge_zero_page == VMS_PMD_SIZE)
		return "huge_zero";
	if (w->pte_thp)
		return "pte_thp";
	if (w->populated == VMS_PMD_SIZE)
		return "pte_full";
	if (w->populated || w->zero_page || w->swap || w->nonswap || w->special)
		return "partial";
	return "empty";
}

/*
 * Account a VMA window by window (and its unaligned edges), so that -w
 * costs no second walk: the window lines go to wb, the sum to total.
 */
static void by_windows(struct vms_space *s, const struct vms_vma *v, const struct vms_vma_acct *va,
		       const struct vms_acct *acct, bool as_json, struct vms_buf *wb,
		       struct vms_stats *total)
{
	uint64_t first = (v->start + VMS_PMD_SIZE - 1) & ~(VMS_PMD_SIZE - 1);
	uint64_t at = v->start;

	memset(total, 0, sizeof(*total));
	while (at < v->end) {
		struct vms_vma seg = *v;
		struct vms_stats st;
		bool window = at >= first && at + VMS_PMD_SIZE <= v->end;
		seg.start = at;
		seg.end = window ? at + VMS_PMD_SIZE : (at < first ? vms_min(first, v->end) : v->end);
		vms_account_vma(&ctx, s, &seg, va, acct, &st);
		vms_stats_add(total, &st);
		at = seg.end;
		if (!window)
			continue;
		const char *state = window_state(&st);
		if (as_json) {
			vms_json_begin(wb, "window");
			vms_json_task(wb, s);
			vms_json_hex(wb, "start", seg.start);
			vms_json_strz(wb, "state", state);
			vms_json_u64(wb, "populated_pages", st.populated >> 12);
			vms_json_u64(wb, "pte_thp_pages", st.pte_thp >> 12);
			vms_json_u64(wb, "zero_pages", st.zero_page >> 12);
			vms_json_u64(wb, "swap_pages", st.swap >> 12);
			vms_json_end(wb);
		} else {
			vms_buf_printf(wb, "%18llx   window %-9s populated %3llu  pte_thp %3llu  zero %3llu  swap %3llu\n",
				       (unsigned long long)seg.start, state,
				       (unsigned long long)(st.populated >> 12),
				       (unsigned long long)(st.pte_thp >> 12),
				       (unsigned long long)(st.zero_page >> 12),
				       (unsigned long long)(st.swap >> 12));
		}
	}
}

struct opts {
	bool list_windows, as_json;
};

static void do_space(struct task_context *tc, void *arg)
{
	const struct opts *o = arg;
	bool list_windows = o->list_windows, as_json = o->as_json;
	struct vms_buf *b = &ctx.out;
	struct vms_space s;
	struct vms_acct acct;
	struct vms_name *n = (struct vms_name *)GETBUF(sizeof(*n));
	struct vms_buf wb = { 0 };
	const char *err;

	if (!vms_space_load(&s, tc, &err)) {
		VMS_REPORT("PID %lu (%s): %s\n", tc->pid, tc->comm, err);
		return;
	}
	vms_acct_setup(&ctx, &acct, true, false);
	if (!as_json) {
		vms_task_line(b, &s);
		vms_buf_printf(b, "%18s %17s %-5s %9s %4s %7s %7s %7s %9s %9s %s\n", "START", "END",
			       "PERMS", "SIZE", "ELIG", "WINDOWS", "PMDTHP", "PTETHP", "UNALIGNED",
			       "ANONHUGE", "NAME / REASON");
	}
	for (int i = 0; i < s.nvmas; i++) {
		const struct vms_vma *v = &s.vmas[i];
		struct vms_stats st;
		struct vms_vma_info info;

		struct vms_vma_acct va;
		struct vms_thp_vma tv;
		vms_vma_acct_info(&s, v, &va, &tv);
		if (list_windows && !v->gate && !v->bad)
			by_windows(&s, v, &va, &acct, as_json, &wb, &st);
		else
			vms_account_vma(&ctx, &s, v, &va, &acct, &st);
		vms_vma_name(&s, v, n);
		vms_vma_info_fill(&ctx, v, &va, &tv, n, &info);
		uint64_t aligned = v->gate ? 0 : vms_aligned_windows(v->start, v->end);
		if (as_json) {
			vms_json_begin(b, "thp");
			vms_json_task(b, &s);
			vms_json_vma(b, v, n);
			vms_json_u64(b, "THPeligible", (uint64_t)info.thp_eligible);
			if (!info.thp_eligible)
				vms_json_strz(b, "reason", info.thp_reason);
			vms_json_u64(b, "aligned_windows", aligned);
			vms_json_u64(b, "pmd_thp", st.pmd_thp / VMS_PMD_SIZE);
			vms_json_u64(b, "pte_thp_pages", st.pte_thp >> 12);
			vms_json_u64(b, "unaligned_thp_pages", st.unaligned_thp >> 12);
			vms_json_u64(b, "AnonHugePages", st.anonymous_thp >> 10);
			vms_json_u64(b, "huge_zero_windows", st.huge_zero_page / VMS_PMD_SIZE);
			vms_json_errors(b, &st, NULL);
			vms_json_end(b);
		} else {
			char perms[5];
			vms_perms(perms, v->flags);
			vms_buf_printf(b, "%18llx %17llx %-5s %9llu %4d %7llu %7llu %7llu %9llu %9llu ",
				       (unsigned long long)v->start, (unsigned long long)v->end, perms,
				       (unsigned long long)((v->end - v->start) >> 10), info.thp_eligible,
				       (unsigned long long)aligned,
				       (unsigned long long)(st.pmd_thp / VMS_PMD_SIZE),
				       (unsigned long long)(st.pte_thp >> 12),
				       (unsigned long long)(st.unaligned_thp >> 12),
				       (unsigned long long)(st.anonymous_thp >> 10));
			vms_buf_escape_safe(b, n->buf, n->len);
			if (!info.thp_eligible)
				vms_buf_printf(b, "%s%s", n->len ? " / " : "", info.thp_reason);
			vms_buf_puts(b, "\n");
			vms_error_line(b, &st);
		}
		vms_buf_flush(b, fp);
		vms_buf_flush(&wb, fp);
	}
	vms_space_warn(&s);
	if (!as_json)
		vms_buf_puts(b, "\n");
	vms_buf_flush(b, fp);
	vms_buf_free(&wb);
	FREEBUF(n);
}

void cmd_thpmap(void)
{
	struct opts o = { 0 };
	int c;

	while ((c = getopt(argcnt, args, "wj")) != EOF) {
		switch (c) {
		case 'w': o.list_windows = true; break;
		case 'j': o.as_json = true; break;
		default: argerrs++; break;
		}
	}
	if (argerrs)
		VMS_USAGE();
	if (!vms_kernel_init())
		return;
	vms_ctx_begin(&ctx, true);
	vms_each_target(&ctx, args, optind, do_space, &o);
	vms_ctx_end(&ctx);
}
