// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_vmwhere.c: what a user address is: the VMA holding it and its
 * translation, or the gap it falls in and its neighbours.
 */
#include "glue.h"
#include "runs.h"

char *help_vmwhere[] = {
	"vmwhere",
	"the VMA and translation of user addresses, or the gap they fall in",
	"[-j] pid | taskp | command address...",
	"  For each user address (hexadecimal) in the target task's address space:",
	"    mapped  the VMA that holds it (range, permissions, name, offset into the",
	"            VMA and into its file) and its translation: the kind of page",
	"            (present, thp, zero, huge_zero, swap, file, none, ...) and the",
	"            physical address or swap slot",
	"    gap     the VMAs below and above it with their distances: what a",
	"            segfault triage needs.  Notes name the usual causes: a NULL",
	"            pointer (below mmap_min_addr), the stack guard gap, a small",
	"            overrun past the end of a VMA.",
	"  Each bad address gets one error line; the others are still answered.",
	"",
	"    -j  JSON Lines: {\"type\":\"where\",\"pid\":N,\"addr\":\"hex\",",
	"        \"kind\":\"mapped|gap\",\"vma_start\":\"hex\"|null,...}.",
	"\nEXAMPLES",
	"  Four addresses in pid 106: a NULL pointer, the huge zero page, a",
	"  swapped-out page and an address below the stack:\n",
	"    %s> vmwhere 106 10 10c000123 120001000 7ffd8f3b9ff0",
	"    PID: 106    TASK: ffff88800542b000  COMMAND: \"vmscope-wl\"",
	"                  10  gap     no VMA below",
	"                              0x3ffff0 below 400000-401000 /bin/workload",
	"                              note: below mmap_min_addr: a NULL (or near-NULL) pointer",
	"           10c000123  mapped  10c000000-10c400000 rw-p +0x123 ",
	"                              huge_zero phys 5800123",
	"           120001000  mapped  120000000-120200000 rw-p +0x1000 ",
	"                              swap (type 0, offset 0x201)",
	"        7ffd8f3b9ff0  gap     0x74ff0 above 7ffd8f324000-7ffd8f345000 [stack]",
	"                              0xb010 below 7ffd8f3c5000-7ffd8f3c9000 [vvar]",
	"",
	"  As JSON:\n",
	"    %s> vmwhere -j 106 10c000123",
	NULL
};

static struct vms_ctx ctx;

struct one_run {
	struct vms_run run;
	bool have;
};

static int take(void *arg, const struct vms_run *r)
{
	struct one_run *o = arg;
	o->run = *r;
	o->have = true;
	return 0;
}

/*
 * The VMA holding addr: a sound one first, then one whose vm_area_struct
 * failed its checks (its bounds may be garbage).  A linear search: damage
 * can leave the list unsorted, and one address costs nothing next to a walk.
 */
static int find_vma(const struct vms_space *s, uint64_t addr)
{
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < s->nvmas; i++) {
			const struct vms_vma *v = &s->vmas[i];
			if (v->bad == (pass == 1) && addr >= v->start && addr < v->end)
				return i;
		}
	return -1;
}

static void json_neighbour(struct vms_buf *b, const char *which, const struct vms_vma *v,
			   const struct vms_name *n, uint64_t distance)
{
	char key[32];
	if (!v) {
		snprintf(key, sizeof(key), "%s_start", which);
		vms_json_null(b, key);
		return;
	}
	snprintf(key, sizeof(key), "%s_start", which);
	vms_json_hex(b, key, v->start);
	snprintf(key, sizeof(key), "%s_end", which);
	vms_json_hex(b, key, v->end);
	snprintf(key, sizeof(key), "%s_name", which);
	vms_json_str(b, key, n->buf, n->len);
	snprintf(key, sizeof(key), "distance_%s", which);
	vms_json_u64(b, key, distance);
}

static void where(struct vms_space *s, uint64_t addr, bool as_json, struct vms_name *n,
		  struct vms_name *n2)
{
	struct vms_buf *b = &ctx.out;
	int i = find_vma(s, addr);

	if (i >= 0) {
		const struct vms_vma *v = &s->vmas[i];
		struct one_run o = { 0 };
		struct vms_runs runs = { .model = &ctx.model, .emit = take, .arg = &o };
		uint64_t page = addr & ~(uint64_t)(PAGESIZE() - 1);
		vms_vma_name(s, v, n);
		if (!v->gate && !v->bad) {
			vms_runs_vma(&runs, v->start, v->file, v->pgoff);
			vms_walk_range(&ctx.walker, s->pgd_paddr, page, page + PAGESIZE(), &vms_runs_ops,
				       &runs);
			vms_runs_flush(&runs);
		}
		const char *kind = o.have ? vms_run_kind_name(o.run.kind) : "unknown";
		bool phys = o.have && (o.run.kind == VMS_RUN_PRESENT || o.run.kind == VMS_RUN_THP ||
				       o.run.kind == VMS_RUN_ZERO || o.run.kind == VMS_RUN_HUGE_ZERO ||
				       o.run.kind == VMS_RUN_SPECIAL);
		uint64_t paddr = (o.run.pfn << 12) | (addr & (PAGESIZE() - 1));
		char perms[5];
		vms_perms(perms, v->flags);
		if (as_json) {
			vms_json_begin(b, "where");
			vms_json_task(b, s);
			vms_json_hex(b, "addr", addr);
			vms_json_strz(b, "kind", "mapped");
			vms_json_hex(b, "vma_start", v->start);
			vms_json_hex(b, "vma_end", v->end);
			vms_json_strz(b, "perms", perms);
			vms_json_str(b, "name", n->buf, n->len);
			vms_json_hex(b, "vma_offset", addr - v->start);
			if (v->file)
				vms_json_hex(b, "file_offset", (v->pgoff << 12) + (addr - v->start));
			vms_json_strz(b, "entry", kind);
			if (phys)
				vms_json_hex(b, "phys", paddr);
			else
				vms_json_null(b, "phys");
			if (o.have && o.run.kind == VMS_RUN_SWAP) {
				vms_json_u64(b, "swap_type", o.run.swap_type);
				vms_json_hex(b, "swap_offset", o.run.swap_offset);
			}
			if (v->bad) {
				vms_note(VMS_OUT_REPORTED);
				vms_json_errors(b, NULL, v->err);
			}
			vms_json_end(b);
		} else {
			vms_buf_printf(b, "%16llx  mapped  %llx-%llx %s +0x%llx ",
				       (unsigned long long)addr, (unsigned long long)v->start,
				       (unsigned long long)v->end, perms,
				       (unsigned long long)(addr - v->start));
			vms_buf_escape_safe(b, n->buf, n->len);
			if (v->file)
				vms_buf_printf(b, " (file offset 0x%llx)",
					       (unsigned long long)((v->pgoff << 12) + (addr - v->start)));
			vms_buf_printf(b, "\n%16s          %s", "", kind);
			if (phys)
				vms_buf_printf(b, " phys %llx", (unsigned long long)paddr);
			if (o.have && o.run.kind == VMS_RUN_SWAP)
				vms_buf_printf(b, " (type %u, offset 0x%llx)", o.run.swap_type,
					       (unsigned long long)o.run.swap_offset);
			vms_buf_puts(b, "\n");
			if (v->bad) {
				vms_note(VMS_OUT_REPORTED);
				vms_buf_printf(b, "  ! %s\n", v->err);
			}
		}
		vms_buf_flush(b, fp);
		return;
	}

	const struct vms_vma *prev = NULL, *next = NULL;
	for (int k = 0; k < s->nvmas; k++) {
		const struct vms_vma *v = &s->vmas[k];
		if (v->gate || v->bad)
			continue;
		if (v->end <= addr)
			prev = v;
		else if (v->start > addr && !next)
			next = v;
	}
	if (prev)
		vms_vma_name(s, prev, n);
	if (next)
		vms_vma_name(s, next, n2);
	uint64_t dprev = prev ? addr - prev->end : 0, dnext = next ? next->start - addr : 0;
	const char *note = NULL;
	ulong guard = 256 * PAGESIZE(), min_addr = 65536;
	ulong sym = vms_sym("stack_guard_gap");
	if (sym)
		vms_rd_ulong(sym, &guard);
	sym = vms_sym("mmap_min_addr");
	if (sym)
		vms_rd_ulong(sym, &min_addr);
	if (addr < min_addr)
		note = "below mmap_min_addr: a NULL (or near-NULL) pointer";
	else if (next && (next->flags & VMS_VM_GROWSDOWN) && dnext <= guard)
		note = "in the stack guard gap below a stack: a stack overflow";
	else if (prev && dprev < PAGESIZE())
		note = "just past the end of the VMA below: an overrun";
	else if (next && dnext <= PAGESIZE())
		note = "just before the start of the VMA above: an underrun";
	if (as_json) {
		vms_json_begin(b, "where");
		vms_json_task(b, s);
		vms_json_hex(b, "addr", addr);
		vms_json_strz(b, "kind", "gap");
		vms_json_null(b, "vma_start");
		json_neighbour(b, "prev", prev, n, dprev);
		json_neighbour(b, "next", next, n2, dnext);
		if (note)
			vms_json_strz(b, "note", note);
		vms_json_end(b);
	} else {
		vms_buf_printf(b, "%16llx  gap     ", (unsigned long long)addr);
		if (prev) {
			vms_buf_printf(b, "0x%llx above %llx-%llx ", (unsigned long long)dprev,
				       (unsigned long long)prev->start, (unsigned long long)prev->end);
			vms_buf_escape_safe(b, n->buf, n->len);
		} else {
			vms_buf_puts(b, "no VMA below");
		}
		vms_buf_printf(b, "\n%16s          ", "");
		if (next) {
			vms_buf_printf(b, "0x%llx below %llx-%llx ", (unsigned long long)dnext,
				       (unsigned long long)next->start, (unsigned long long)next->end);
			vms_buf_escape_safe(b, n2->buf, n2->len);
		} else {
			vms_buf_puts(b, "no VMA above");
		}
		if (note)
			vms_buf_printf(b, "\n%16s          note: %s", "", note);
		vms_buf_puts(b, "\n");
	}
	vms_buf_flush(b, fp);
}

struct opts {
	bool as_json;
	int first_addr;		/* args[first_addr..]: the addresses */
	struct vms_name *n1, *n2;
};

static void do_space(struct task_context *tc, void *arg)
{
	const struct opts *j = arg;
	struct vms_space s;
	const char *err;

	if (!vms_space_load(&s, tc, &err)) {
		VMS_REPORT("PID %lu (%s): %s\n", tc->pid, tc->comm, err);
		return;
	}
	if (!j->as_json) {
		vms_task_line(&ctx.out, &s);
		vms_buf_flush(&ctx.out, fp);
	}
	for (int a = j->first_addr; args[a]; a++) {
		char *end;
		const char *txt = args[a];
		errno = 0;
		unsigned long long addr = strtoull(txt, &end, 16);
		if (!*txt || *end || errno) {
			vms_note(VMS_OUT_ARG);
			error(INFO, "invalid address: %s\n", txt);
			continue;
		}
		if (addr >= vms_user_top(&ctx.arch) + PAGESIZE() && find_vma(&s, addr) < 0) {
			vms_note(VMS_OUT_ARG);
			error(INFO, "%s is not a user address\n", txt);
			continue;
		}
		where(&s, addr, j->as_json, j->n1, j->n2);
	}
	vms_space_warn(&s);
	if (!j->as_json) {
		vms_buf_puts(&ctx.out, "\n");
		vms_buf_flush(&ctx.out, fp);
	}
}

void cmd_vmwhere(void)
{
	bool as_json = false;
	int c;

	while ((c = getopt(argcnt, args, "j")) != EOF) {
		switch (c) {
		case 'j': as_json = true; break;
		default: argerrs++; break;
		}
	}
	if (argerrs || !args[optind] || !args[optind + 1])
		VMS_USAGE();
	if (!vms_kernel_init())
		return;
	vms_ctx_begin(&ctx, false);
	char *targs[2] = { args[optind], NULL };
	struct opts o = { as_json, optind + 1, (struct vms_name *)GETBUF(sizeof(struct vms_name)),
			  (struct vms_name *)GETBUF(sizeof(struct vms_name)) };
	vms_each_target(&ctx, targs, 0, do_space, &o);
	vms_ctx_end(&ctx);
}
