// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_pageruns.c: "vm -p", compressed into runs.  Reads page tables only.
 */
#include "glue.h"
#include "runs.h"

char *help_pageruns[] = {
	"pageruns",
	"a task's pages as runs of one kind",
	"[-j] [pid | taskp | command [start [end]]]",
	"  What \"vm -p\" shows one line per page, compressed: one line per run of",
	"  pages of the same kind whose physical (or swap, or file) offsets are",
	"  contiguous.  Kinds:",
	"    present    4 KiB pages (PHYSICAL is the first page's address)",
	"    thp        PMD leaves: transparent huge pages",
	"    zero       the shared 4 KiB zero page",
	"    huge_zero  the huge zero page",
	"    swap       swapped out (device and offset in pages)",
	"    file       not resident in a file mapping (path and file offset)",
	"    none       no entry in anonymous memory (zero-filled on first touch)",
	"    special    present without a struct page (VM_PFNMAP, device memory)",
	"    other      migration, device, hwpoison or marker entries",
	"    excluded   page tables the dump does not hold; error: unreadable ones",
	"  A run never spans two VMAs.  The target is crash's: a pid, a task address",
	"  or a command name (the current context when none is given).  start and",
	"  end (hexadecimal user addresses) limit the output to [start, end); start",
	"  alone runs to the end of the address space.",
	"",
	"    -j  JSON Lines: {\"type\":\"run\",\"pid\":N,\"start\":\"hex\",\"pages\":N,",
	"        \"kind\":\"...\",\"phys\":\"hex\"...}, with \"swap_type\",\"swap_offset\",",
	"        \"swap_device\" for swap and \"file\",\"file_offset\" for file runs.",
	"\nEXAMPLES",
	"  pid 106's memory in runs:\n",
	"    %s> pageruns 106",
	"    PID: 106    TASK: ffff88800542b000  COMMAND: \"vmscope-wl\"",
	"                     START      PAGES KIND               PHYSICAL DETAIL",
	"                    400000          1 present             39b3000 /bin/workload",
	"                    401000        123 present             39b4000 /bin/workload",
	"                    4a0000          4 file                        /bin/workload offset 0xa0000",
	"                 104000000        256 zero                32ac000 ",
	"                 108000000       1024 huge_zero           5800000 ",
	"          ...",
	"",
	"  Only one region, as JSON:\n",
	"    %s> pageruns -j 106 120000000 120200000",
	NULL
};

static struct vms_ctx ctx;

struct emit_state {
	struct vms_space *s;
	const struct vms_vma *v;
	struct vms_name *vname;		/* the VMA's name (for file runs) */
	struct vms_name *swapname;
	unsigned swapname_type;
	bool as_json;
	uint64_t lo, hi;
};

static int emit(void *arg, const struct vms_run *r)
{
	struct emit_state *e = arg;
	struct vms_buf *b = &ctx.out;
	bool phys = r->kind == VMS_RUN_PRESENT || r->kind == VMS_RUN_THP ||
		    r->kind == VMS_RUN_ZERO || r->kind == VMS_RUN_HUGE_ZERO ||
		    r->kind == VMS_RUN_SPECIAL || r->kind == VMS_RUN_OTHER;

	if (r->kind == VMS_RUN_ERROR)
		vms_note(VMS_OUT_REPORTED);
	if (r->kind == VMS_RUN_SWAP && e->swapname_type != r->swap_type) {
		vms_swap_name(r->swap_type, e->swapname);
		e->swapname_type = r->swap_type;
	}
	if (e->as_json) {
		vms_json_begin(b, "run");
		vms_json_task(b, e->s);
		vms_json_hex(b, "start", r->start);
		vms_json_hex(b, "end", r->start + r->pages * PAGESIZE());
		vms_json_u64(b, "pages", r->pages);
		vms_json_strz(b, "kind", vms_run_kind_name(r->kind));
		if (phys)
			vms_json_hex(b, "phys", r->pfn << 12);
		else
			vms_json_null(b, "phys");
		if (r->protnone)
			vms_json_bool(b, "protnone", true);
		if (r->kind == VMS_RUN_SWAP) {
			vms_json_u64(b, "swap_type", r->swap_type);
			vms_json_hex(b, "swap_offset", r->swap_offset);
			vms_json_str(b, "swap_device", e->swapname->buf, e->swapname->len);
		}
		if (r->kind == VMS_RUN_FILE) {
			vms_json_str(b, "file", e->vname->buf, e->vname->len);
			vms_json_hex(b, "file_offset", r->file_pgoff << 12);
		}
		vms_json_hex(b, "vma_start", e->v->start);
		vms_json_end(b);
	} else {
		vms_buf_printf(b, "%22llx %10llu %-10s ", (unsigned long long)r->start,
			       (unsigned long long)r->pages, vms_run_kind_name(r->kind));
		if (phys)
			vms_buf_printf(b, "%16llx ", (unsigned long long)(r->pfn << 12));
		else
			vms_buf_printf(b, "%16s ", "");
		if (r->kind == VMS_RUN_SWAP) {
			vms_buf_escape_safe(b, e->swapname->buf, e->swapname->len);
			vms_buf_printf(b, " offset 0x%llx", (unsigned long long)r->swap_offset);
		} else if (r->kind == VMS_RUN_FILE) {
			vms_buf_escape_safe(b, e->vname->buf, e->vname->len);
			vms_buf_printf(b, " offset 0x%llx", (unsigned long long)(r->file_pgoff << 12));
		} else if (r->kind == VMS_RUN_PRESENT && e->vname->len) {
			vms_buf_escape_safe(b, e->vname->buf, e->vname->len);
		}
		if (r->protnone)
			vms_buf_puts(b, " (PROT_NONE)");
		vms_buf_puts(b, "\n");
	}
	return vms_buf_flush(b, fp);
}

static bool parse_addr(const char *s, uint64_t *out)
{
	char *end;
	if (!*s)
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 16);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

struct opts {
	bool as_json;
	uint64_t lo, hi;
	struct vms_name *vname, *swapname;
};

/* One address space's runs over [lo, hi). */
static void do_space(struct task_context *tc, void *arg)
{
	const struct opts *j = arg;
	struct vms_space s;
	const char *err;
	bool as_json = j->as_json;
	uint64_t lo = j->lo, hi = j->hi;

	if (!vms_space_load(&s, tc, &err)) {
		VMS_REPORT("PID %lu (%s): %s\n", tc->pid, tc->comm, err);
		return;
	}
	if (!as_json) {
		vms_task_line(&ctx.out, &s);
		vms_buf_printf(&ctx.out, "%22s %10s %-10s %16s %s\n", "START", "PAGES", "KIND",
			       "PHYSICAL", "DETAIL");
		vms_buf_flush(&ctx.out, fp);
	}
	struct emit_state es = { .s = &s, .vname = j->vname, .swapname = j->swapname,
				 .swapname_type = ~0u, .as_json = as_json };
	struct vms_runs runs = { .model = &ctx.model, .emit = emit, .arg = &es };
	for (int i = 0; i < s.nvmas; i++) {
		const struct vms_vma *v = &s.vmas[i];
		uint64_t a = vms_max(v->start, lo), z = vms_min(v->end, hi);
		if (v->gate || a >= z)
			continue;
		es.v = v;
		vms_vma_name(&s, v, j->vname);
		vms_runs_vma(&runs, v->start, v->file, v->pgoff);
		if (v->bad) {
			struct vms_run r = { .start = a, .pages = (z - a) >> 12,
					     .kind = VMS_RUN_ERROR };
			emit(&es, &r);
			continue;
		}
		vms_walk_range(&ctx.walker, s.pgd_paddr, a, z, &vms_runs_ops, &runs);
		vms_runs_flush(&runs);
	}
	vms_space_warn(&s);
	if (!as_json) {
		vms_buf_puts(&ctx.out, "\n");
		vms_buf_flush(&ctx.out, fp);
	}
}

void cmd_pageruns(void)
{
	bool as_json = false;
	int c;
	uint64_t lo = 0, hi = ~0ULL;

	while ((c = getopt(argcnt, args, "j")) != EOF) {
		switch (c) {
		case 'j': as_json = true; break;
		default: argerrs++; break;
		}
	}
	if (argerrs)
		VMS_USAGE();
	/* [target [start [end]]] */
	int nargs = 0;
	while (args[optind + nargs])
		nargs++;
	if (nargs > 3)
		VMS_USAGE();
	char *target = nargs ? args[optind] : NULL;
	if (nargs > 1 && !parse_addr(args[optind + 1], &lo))
		VMS_ARG_FATAL("invalid start address: %s\n", args[optind + 1]);
	if (nargs > 2 && !parse_addr(args[optind + 2], &hi))
		VMS_ARG_FATAL("invalid end address: %s\n", args[optind + 2]);
	if (lo >= hi)
		VMS_ARG_FATAL("start %llx is not below end %llx\n", (unsigned long long)lo,
		      (unsigned long long)hi);
	lo &= ~(uint64_t)(PAGESIZE() - 1);
	if (!vms_kernel_init())
		return;

	vms_ctx_begin(&ctx, false);
	char *targs[2] = { target, NULL };
	struct opts o = { as_json, lo, hi, (struct vms_name *)GETBUF(sizeof(struct vms_name)),
			  (struct vms_name *)GETBUF(sizeof(struct vms_name)) };
	vms_each_target(&ctx, targs, 0, do_space, &o);
	vms_ctx_end(&ctx);
}
