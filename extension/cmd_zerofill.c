// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_zerofill.c: the zero-fill state of anonymous memory.
 *
 * Without -c it reads only page tables; with -c it also reads every
 * populated page once, stopping at its first non-zero word, and reads
 * filtered-out pages as "excluded", never as zeros (it clears crash's
 * zero_excluded setting for its own reads and restores it after).
 */
#include "glue.h"

char *help_zerofill[] = {
	"zerofill",
	"zero-fill state of anonymous memory",
	"[-c] [-j] [pid | taskp | command]...",
	"  For each anonymous VMA (private, with no file and no vm_ops: heap, stack,",
	"  malloc arenas, MAP_ANONYMOUS) of each target task, counts its 4 KiB pages",
	"  by state:",
	"    untouched    no page-table entry: the first touch faults in a zero page",
	"    zero         mapped to the shared 4 KiB zero page after a read fault",
	"    hugezero     mapped through the huge zero page (counted in 4 KiB pages)",
	"    populated    backed by a page of its own",
	"    swap         swapped out",
	"  Targets are crash's: a pid, a task address or a command name; the",
	"  current context when none is given.",
	"",
	"    -c  also read the content of populated pages:",
	"          zerofilled  populated, yet every byte is zero: memory paid for",
	"                      and never used",
	"          excluded    content not in the dump (e.g. filtered by makedumpfile);",
	"                      never counted as zero",
	"    -j  JSON Lines: one {\"type\":\"zerofill\"} object per VMA and one",
	"        {\"type\":\"zerofill_total\"} per task, counts in pages.",
	"\nEXAMPLES",
	"  Where pid 106's anonymous memory stands, in 4 KiB pages:\n",
	"    %s> zerofill 106",
	"    PID: 106    TASK: ffff88800542b000  COMMAND: \"vmscope-wl\"",
	"                 START               END PERMS     PAGES UNTOUCHED      ZERO  HUGEZERO POPULATED      SWAP NAME",
	"              22840000          22962000 rw-p        290        30         0         0       260         0 [heap]",
	"             100000000         100400000 rw-p       1024      1024         0         0         0         0 ",
	"             104000000         104100000 rw-p        256         0       256         0         0         0 ",
	"             108000000         108400000 rw-p       1024         0         0      1024         0         0 ",
	"             120000000         120200000 rw-p        512         0         0         0       256       256 ",
	"          ...",
	"",
	"  How much populated memory holds only zeros (reads every populated page):\n",
	"    %s> zerofill -c 106",
	"",
	"  For a script:\n",
	"    %s> zerofill -c -j vmscope-wl > /tmp/zerofill.json",
	NULL
};

static struct vms_ctx ctx;

static const char *const cols[] = { "PAGES", "UNTOUCHED", "ZERO", "HUGEZERO", "POPULATED", "SWAP",
				    "ZEROFILLED", "EXCLUDED" };
static const char *const keys[] = { "pages", "untouched_pages", "zero_pages", "huge_zero_pages",
				    "populated_pages", "swap_pages", "zero_content_pages",
				    "excluded_pages" };

/* The counts, in pages, in the order of cols[]. */
static void counts(const struct vms_stats *s, uint64_t size, uint64_t out[8])
{
	out[0] = size >> 12;
	out[1] = s->untouched >> 12;
	out[2] = s->zero_page >> 12;
	out[3] = s->huge_zero_page >> 12;
	out[4] = s->populated >> 12;
	out[5] = s->swap >> 12;
	out[6] = s->zero_content >> 12;
	out[7] = (s->excluded + s->unreadable) >> 12;
}

static void line(struct vms_buf *b, const char *label, const struct vms_vma *v,
		 const struct vms_name *n, const struct vms_stats *s, uint64_t size, bool content)
{
	uint64_t c[8];
	counts(s, size, c);
	if (label) {
		vms_buf_printf(b, "%18s %17s %-5s", label, "", "");
	} else {
		char perms[5];
		vms_perms(perms, v->flags);
		vms_buf_printf(b, "%18llx %17llx %-5s", (unsigned long long)v->start,
			       (unsigned long long)v->end, perms);
	}
	for (int i = 0; i < (content ? 8 : 6); i++)
		vms_buf_printf(b, " %9llu", (unsigned long long)c[i]);
	vms_buf_puts(b, " ");
	if (n)
		vms_buf_escape_safe(b, n->buf, n->len);
	vms_buf_puts(b, "\n");
	vms_error_line(b, s);
}

static void json(struct vms_buf *b, const char *type, const struct vms_space *sp,
		 const struct vms_vma *v, const struct vms_name *n, const struct vms_stats *s,
		 uint64_t size, bool content)
{
	uint64_t c[8];
	counts(s, size, c);
	vms_json_begin(b, type);
	vms_json_task(b, sp);
	if (v)
		vms_json_vma(b, v, n);
	for (int i = 0; i < (content ? 8 : 6); i++)
		vms_json_u64(b, keys[i], c[i]);
	vms_json_errors(b, s, NULL);
	vms_json_end(b);
}

struct opts {
	bool content, as_json;
};

static void do_space(struct task_context *tc, void *arg)
{
	const struct opts *o = arg;
	bool content = o->content, as_json = o->as_json;
	struct vms_buf *b = &ctx.out;
	struct vms_space s;
	struct vms_acct acct;
	struct vms_stats total = { 0 };
	struct vms_name *n = (struct vms_name *)GETBUF(sizeof(*n));
	uint64_t size = 0;
	const char *err;

	if (!vms_space_load(&s, tc, &err)) {
		VMS_REPORT("PID %lu (%s): %s\n", tc->pid, tc->comm, err);
		return;
	}
	vms_acct_setup(&ctx, &acct, false, content);
	if (!as_json) {
		vms_task_line(b, &s);
		vms_buf_printf(b, "%18s %17s %-5s", "START", "END", "PERMS");
		for (int i = 0; i < (content ? 8 : 6); i++)
			vms_buf_printf(b, " %9s", cols[i]);
		vms_buf_puts(b, " NAME\n");
	}
	for (int i = 0; i < s.nvmas; i++) {
		const struct vms_vma *v = &s.vmas[i];
		struct vms_stats st;
		/* vma_is_anonymous(): no vm_ops; shmem and file mappings are not */
		if (v->ops || v->file || v->gate)
			continue;
		struct vms_vma_acct va;
		struct vms_thp_vma tv;
		vms_vma_acct_info(&s, v, &va, &tv);
		vms_account_vma(&ctx, &s, v, &va, &acct, &st);
		vms_vma_name(&s, v, n);
		vms_stats_add(&total, &st);
		size += v->end - v->start;
		if (as_json)
			json(b, "zerofill", &s, v, n, &st, v->end - v->start, content);
		else
			line(b, NULL, v, n, &st, v->end - v->start, content);
		vms_buf_flush(b, fp);
	}
	vms_space_warn(&s);
	if (as_json)
		json(b, "zerofill_total", &s, NULL, NULL, &total, size, content);
	else {
		line(b, "TOTAL", NULL, NULL, &total, size, content);
		vms_buf_puts(b, "\n");
	}
	vms_buf_flush(b, fp);
	FREEBUF(n);
}

void cmd_zerofill(void)
{
	struct opts o = { 0 };
	int c;

	while ((c = getopt(argcnt, args, "cj")) != EOF) {
		switch (c) {
		case 'c': o.content = true; break;
		case 'j': o.as_json = true; break;
		default: argerrs++; break;
		}
	}
	if (argerrs)
		VMS_USAGE();
	if (!vms_kernel_init())
		return;
	vms_ctx_begin(&ctx, false);
	if (o.content)
		vms_ctx_strict_excluded(&ctx);
	vms_each_target(&ctx, args, optind, do_space, &o);
	vms_ctx_end(&ctx);
}
