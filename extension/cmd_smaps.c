// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_smaps.c: the smaps command: /proc/PID/smaps reproduced from a dump.
 */
#include "glue.h"

char *help_smaps[] = {
	"smaps",
	"per-VMA memory accounting, as /proc/PID/smaps",
	"[-r] [-a] [-j] [-k] [pid | taskp | command]...",
	"  For each VMA of each target task, shows what the kernel's /proc/PID/smaps",
	"  would have shown at the moment of the dump: the same VMAs, names and",
	"  numbers (Rss, Pss, Shared/Private Clean/Dirty, Anonymous, AnonHugePages,",
	"  Swap, SwapPss, Locked, THPeligible, VmFlags ...), computed from the page",
	"  tables and struct pages in the dump.  Beyond smaps, each VMA also reports",
	"  ZeroPage and HugeZeroPage (kB mapped to the shared zero pages, which smaps",
	"  leaves out of Rss), Untouched (kB with no page-table entry at all) and",
	"  Excluded (kB whose page tables or struct pages the dump does not hold).",
	"",
	"  Targets are crash's: a pid, a task address or a command name (all tasks",
	"  of that name); the current context when none is given.  Threads sharing",
	"  an address space are shown once.",
	"",
	"    -r  one rollup per task, as /proc/PID/smaps_rollup.",
	"    -a  all user tasks, one line each, sorted by Rss (targets are ignored).",
	"    -j  JSON Lines: one {\"type\":\"vma\"} object per VMA with the smaps field",
	"        names as keys (kB), and one {\"type\":\"rollup\"} object per task.",
	"    -k  the kernel's own text: byte for byte what /proc/PID/smaps (with -r,",
	"        smaps_rollup) printed, for diff against a capture from the system.",
	"",
	"  Numbers are kB.  A VMA whose page tables or struct pages cannot be read",
	"  is flagged (a '!' line in the table, \"errors\" in JSON); the others are",
	"  unaffected.  Output works with crash's pipes and redirection.",
	"\nEXAMPLES",
	"  Summarise the memory of pid 106, one line per VMA (kB):\n",
	"    %s> smaps 106",
	"    PID: 106    TASK: ffff88800542b000  COMMAND: \"vmscope-wl\"",
	"                 START               END PERMS      SIZE       RSS       PSS      ANON  ANONHUGE      SWAP      ZERO UNTOUCHED NAME",
	"                400000            401000 r--p          4         4         2         0         0         0         0         0 /bin/workload",
	"              22840000          22962000 rw-p       1160      1040       528      1040         0         0         0       120 [heap]",
	"             104000000         104100000 rw-p       1024         0         0         0         0         0      1024         0 ",
	"             114000000         114800000 rw-p       8192      8192      4096      8192      8192         0         0         0 ",
	"             120000000         120200000 rw-p       2048      1024       512      1024         0      1024         0         0 ",
	"          ...",
	"                 TOTAL                             68652     50436     28143     35964     16384      1024     10236      6956 ",
	"",
	"  Exactly what /proc/106/smaps printed, for diff against a capture:\n",
	"    %s> smaps -k 106",
	"    00400000-00401000 r--p 00000000 00:02 287                                /bin/workload",
	"    Size:                  4 kB",
	"    KernelPageSize:        4 kB",
	"    ...",
	"",
	"  One smaps_rollup per task named vmscope-wl, as JSON, into a file:\n",
	"    %s> smaps -r -j vmscope-wl > /tmp/rollup.json",
	"",
	"  Which processes hold the most memory:\n",
	"    %s> smaps -a",
	"        PID COMMAND            VMAS       SIZE        RSS        PSS       ANON   ANONHUGE       SWAP       ZERO",
	"        106 vmscope-wl           33      68652      50436      28143      35964      16384       1024      10236",
	"        111 wl-child             33      68652      44492      22324      35960      16384       1024       9212",
	"    ...",
	"",
	"  A bad target is one line, and crash goes on:\n",
	"    %s> smaps 99999",
	"    smaps: invalid task or pid value: 99999",
	NULL
};

static struct vms_ctx ctx;

struct task_total {
	struct task_context *tc;
	struct vms_space space;
	struct vms_stats total;
	uint64_t size;
	const char *err;
};

static void json_fields(struct vms_buf *b, const struct vms_field *fs, int n)
{
	for (int i = 0; i < n; i++)
		vms_json_u64(b, fs[i].name, fs[i].kb);
}

static void table_header(struct vms_buf *b, const struct vms_space *s)
{
	vms_task_line(b, s);
	vms_buf_printf(b, "%18s %17s %-5s %9s %9s %9s %9s %9s %9s %9s %9s %s\n", "START", "END",
		       "PERMS", "SIZE", "RSS", "PSS", "ANON", "ANONHUGE", "SWAP", "ZERO", "UNTOUCHED",
		       "NAME");
}

static void table_line(struct vms_buf *b, const char *start_label, uint64_t start, uint64_t end,
		       const char *perms, uint64_t size, const struct vms_stats *s, const char *name,
		       size_t name_len)
{
	if (start_label)
		vms_buf_printf(b, "%18s %17s %-5s", start_label, "", "");
	else
		vms_buf_printf(b, "%18llx %17llx %-5s", (unsigned long long)start,
			       (unsigned long long)end, perms);
	vms_buf_printf(b, " %9llu %9llu %9llu %9llu %9llu %9llu %9llu %9llu ",
		       (unsigned long long)(size >> 10), (unsigned long long)(s->resident >> 10),
		       (unsigned long long)((s->pss >> VMS_PSS_SHIFT) >> 10),
		       (unsigned long long)(s->anonymous >> 10),
		       (unsigned long long)(s->anonymous_thp >> 10),
		       (unsigned long long)(s->swap >> 10),
		       (unsigned long long)((s->zero_page + s->huge_zero_page) >> 10),
		       (unsigned long long)(s->untouched >> 10));
	vms_buf_escape_safe(b, name, name_len);
	vms_buf_puts(b, "\n");
}

enum mode { M_TABLE, M_ROLLUP, M_KERNEL, M_KERNEL_ROLLUP, M_JSON, M_JSON_ROLLUP, M_QUIET };

/* Account every VMA of one address space; print per VMA as the mode asks. */
static void do_space(struct task_context *tc, enum mode mode, struct task_total *tt)
{
	struct vms_buf *b = &ctx.out;
	struct vms_space *s = &tt->space;
	struct vms_acct acct;
	struct vms_name *name = (struct vms_name *)GETBUF(sizeof(*name));
	const char *err;

	memset(tt, 0, sizeof(*tt));
	tt->tc = tc;
	if (!vms_space_load(s, tc, &err)) {
		if (mode != M_QUIET)
			VMS_REPORT("PID %lu (%s): %s\n", tc->pid, tc->comm, err);
		tt->err = err;
		return;
	}
	vms_acct_setup(&ctx, &acct, true, false);
	if (mode == M_TABLE)
		table_header(b, s);
	uint64_t first = 0, last = 0;
	for (int i = 0; i < s->nvmas; i++) {
		const struct vms_vma *v = &s->vmas[i];
		struct vms_stats st;
		struct vms_vma_info info;
		struct vms_vma_acct va;
		struct vms_thp_vma tv;

		vms_vma_acct_info(s, v, &va, &tv);
		vms_account_vma(&ctx, s, v, &va, &acct, &st);
		if (!v->gate) {
			vms_stats_add(&tt->total, &st);
			tt->size += v->end - v->start;
			if (!first)
				first = v->start;
			last = v->end;
		}
		if (mode == M_ROLLUP || mode == M_KERNEL_ROLLUP || mode == M_JSON_ROLLUP || mode == M_QUIET)
			continue;
		vms_vma_name(s, v, name);
		vms_vma_info_fill(&ctx, v, &va, &tv, name, &info);
		if (name->err)
			vms_note(VMS_OUT_REPORTED);
		if (name->err)
			vms_stats_error(&st, VMS_CORRUPT, -1, v->start, v->file, name->err);
		if (mode == M_KERNEL) {
			vms_smaps_block(b, &vms_k.fmt, &st, &info);
			vms_error_line(b, &st);
		} else if (mode == M_TABLE) {
			char perms[5];
			vms_perms(perms, v->flags);
			table_line(b, NULL, v->start, v->end, perms, v->end - v->start, &st,
				   name->buf, name->len);
			vms_error_line(b, &st);
		} else {
			struct vms_field fs[VMS_MAX_FIELDS];
			char perms[5], dev[16];
			vms_perms(perms, v->flags);
			snprintf(dev, sizeof(dev), "%02x:%02x", info.dev_major, info.dev_minor);
			vms_json_begin(b, "vma");
			vms_json_task(b, s);
			vms_json_hex(b, "start", v->start);
			vms_json_hex(b, "end", v->end);
			vms_json_strz(b, "perms", perms);
			vms_json_hex(b, "offset", info.offset);
			vms_json_strz(b, "dev", dev);
			vms_json_u64(b, "inode", info.inode);
			vms_json_str(b, "name", name->buf, name->len);
			json_fields(b, fs, vms_smaps_fields(&vms_k.fmt, &st, &info, false, fs));
			vms_json_u64(b, "THPeligible", (uint64_t)info.thp_eligible);
			if (vms_k.fmt.pkey)
				vms_json_u64(b, "ProtectionKey", info.pkey);
			struct vms_buf flags = { 0 };
			vms_vmflags(&flags, vms_k.vmflags, v->flags);
			if (flags.len)
				flags.p[--flags.len] = 0;	/* the kernel's trailing space */
			vms_json_str(b, "VmFlags", flags.p ? flags.p : "", flags.len);
			vms_buf_free(&flags);
			json_fields(b, fs, vms_extra_fields(&st, fs));
			vms_json_errors(b, &st, NULL);
			vms_json_end(b);
		}
		vms_buf_flush(b, fp);
	}
	if (mode != M_QUIET)
		vms_space_warn(s);
	tt->err = s->err;

	if (mode == M_TABLE) {
		table_line(b, "TOTAL", 0, 0, "", tt->size, &tt->total, "", 0);
		vms_buf_puts(b, "\n");
	} else if (mode == M_ROLLUP) {
		table_header(b, s);
		table_line(b, NULL, first, last, "---p", tt->size, &tt->total, "[rollup]", 8);
		vms_error_line(b, &tt->total);
		vms_buf_puts(b, "\n");
	} else if (mode == M_KERNEL_ROLLUP) {
		vms_rollup_block(b, &vms_k.fmt, &tt->total, first, last);
	}
	if (mode == M_JSON || mode == M_JSON_ROLLUP) {
		struct vms_field fs[VMS_MAX_FIELDS];
		struct vms_vma_info none = { 0 };
		vms_json_begin(b, "rollup");
		vms_json_task(b, s);
		vms_json_hex(b, "start", first);
		vms_json_hex(b, "end", last);
		vms_json_u64(b, "vmas", (uint64_t)s->nvmas);
		vms_json_u64(b, "Size", tt->size >> 10);
		json_fields(b, fs, vms_smaps_fields(&vms_k.fmt, &tt->total, &none, true, fs));
		json_fields(b, fs, vms_extra_fields(&tt->total, fs));
		vms_json_errors(b, &tt->total, s->err);
		vms_json_end(b);
	}
	vms_buf_flush(b, fp);
	FREEBUF(name);
}

struct space_job {
	struct task_context *tc;
	enum mode mode;
	struct task_total *tt;
};

static void space_job(void *arg)
{
	struct space_job *j = arg;
	do_space(j->tc, j->mode, j->tt);
}

/* do_space, with a FATAL inside it confined to this task (vms_catch). */
static void do_space_caught(struct task_context *tc, enum mode mode, struct task_total *tt)
{
	struct space_job j = { tc, mode, tt };
	if (!vms_catch(&ctx, space_job, &j)) {
		tt->tc = tc;
		tt->err = "stopped by an error reading the dump";
	}
}

static int by_rss(const void *a, const void *b)
{
	const struct task_total *x = a, *y = b;
	if (x->total.resident != y->total.resident)
		return x->total.resident < y->total.resident ? 1 : -1;
	return x->space.pid < y->space.pid ? -1 : x->space.pid > y->space.pid;
}

static void do_all(bool json)
{
	struct task_context **tcs;
	int n = vms_all_spaces(&tcs);
	struct task_total *tt = (struct task_total *)GETBUF((n ? n : 1) * sizeof(*tt));
	struct vms_buf *b = &ctx.out;

	for (int i = 0; i < n; i++) {
		do_space_caught(tcs[i], M_QUIET, &tt[i]);
	}
	qsort(tt, (size_t)n, sizeof(*tt), by_rss);
	if (!json)
		vms_buf_printf(b, "%7s %-16s %6s %10s %10s %10s %10s %10s %10s %10s\n", "PID", "COMMAND",
			       "VMAS", "SIZE", "RSS", "PSS", "ANON", "ANONHUGE", "SWAP", "ZERO");
	for (int i = 0; i < n; i++) {
		const struct vms_stats *s = &tt[i].total;
		if (tt[i].err && !tt[i].space.nvmas)
			continue;
		if (json) {
			struct vms_field fs[VMS_MAX_FIELDS];
			struct vms_vma_info none = { 0 };
			vms_json_begin(b, "rollup");
			vms_json_task(b, &tt[i].space);
			vms_json_u64(b, "vmas", (uint64_t)tt[i].space.nvmas);
			vms_json_u64(b, "Size", tt[i].size >> 10);
			json_fields(b, fs, vms_smaps_fields(&vms_k.fmt, s, &none, true, fs));
			json_fields(b, fs, vms_extra_fields(s, fs));
			vms_json_errors(b, s, tt[i].err);
			vms_json_end(b);
		} else {
			vms_buf_printf(b, "%7lu ", tt[i].space.pid);
			size_t at = b->len;
			vms_buf_escape_safe(b, tt[i].space.comm, strnlen(tt[i].space.comm, TASK_COMM_LEN));
			for (size_t w = b->len - at; w < 16; w++)
				vms_buf_puts(b, " ");
			vms_buf_printf(b, " %6d %10llu %10llu %10llu %10llu %10llu %10llu %10llu%s\n",
				       tt[i].space.nvmas, (unsigned long long)(tt[i].size >> 10),
				       (unsigned long long)(s->resident >> 10),
				       (unsigned long long)((s->pss >> VMS_PSS_SHIFT) >> 10),
				       (unsigned long long)(s->anonymous >> 10),
				       (unsigned long long)(s->anonymous_thp >> 10),
				       (unsigned long long)(s->swap >> 10),
				       (unsigned long long)((s->zero_page + s->huge_zero_page) >> 10),
				       s->nerrors || tt[i].err ? "  !" : "");
		}
		vms_buf_flush(b, fp);
	}
}

void cmd_smaps(void)
{
	bool rollup = false, all = false, json = false, kernel = false;
	int c;

	while ((c = getopt(argcnt, args, "rajk")) != EOF) {
		switch (c) {
		case 'r': rollup = true; break;
		case 'a': all = true; break;
		case 'j': json = true; break;
		case 'k': kernel = true; break;
		default: argerrs++; break;
		}
	}
	if (argerrs)
		VMS_USAGE();
	if (json && kernel)
		VMS_ARG_FATAL("-j and -k cannot be used together\n");
	if (all && args[optind])
		VMS_ARG_FATAL("-a takes no targets\n");
	if (all && kernel)
		VMS_ARG_FATAL("-a and -k cannot be used together\n");
	if (!vms_kernel_init())
		return;

	vms_ctx_begin(&ctx, true);
	if (all) {
		do_all(json);
	} else {
		struct task_context **tcs;
		int n = vms_targets(args, optind, &tcs);
		enum mode mode = json ? (rollup ? M_JSON_ROLLUP : M_JSON)
				      : kernel ? (rollup ? M_KERNEL_ROLLUP : M_KERNEL)
					       : (rollup ? M_ROLLUP : M_TABLE);
		for (int i = 0; i < n; i++) {
			struct task_total tt;
			do_space_caught(tcs[i], mode, &tt);
		}
	}
	vms_ctx_end(&ctx);
}
