/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * glue.h: what vmscope's crash glue shares between its files.
 *
 * Only the glue (crash_*.c, cmd_*.c, module.c) includes crash's defs.h.
 * Kernel facts come in two lifetimes:
 *   - struct vms_kernel: types, offsets and symbol addresses, looked up once
 *     per session on first use (they cannot change);
 *   - struct vms_ctx: values read from memory, read again by every command
 *     (on a live system the zero pfns, THP settings and swap devices move).
 */
#ifndef VMS_GLUE_H
#define VMS_GLUE_H

#include "defs.h"

#include "account.h"
#include "fmt.h"
#include "thp.h"

/* Offsets and sizes from DWARF; -1 when the kernel has no such member. */
struct vms_kernel {
	bool ready;
	unsigned version;		/* major << 16 | minor << 8 | patch, from the release */
	/* mm_struct */
	long mm_pgd, mm_mmap, mm_mm_mt, mm_map_count, mm_start_brk, mm_brk, mm_start_stack;
	long mm_flags, mm_context, mm_context_flags, mm_context_ia32;
	/* maple tree */
	long mt_root, mt_flags;
	/* vm_area_struct */
	long vma_size, vma_start, vma_end, vma_next, vma_mm, vma_flags, vma_pgoff, vma_file;
	long vma_ops, vma_anon_vma, vma_private_data, vma_anon_name;
	/* vm_operations_struct, vm_special_mapping */
	long ops_name, ops_huge_fault, ops_find_special_page, ops_pagesize, special_name;
	/* file, path, dentry, qstr, inode, super_block, mount */
	long file_path, file_inode, file_mapping, path_mnt, path_dentry;
	long dentry_parent, dentry_name, dentry_op, dentry_hash_pprev, dops_d_dname;
	long qstr_len, qstr_name;
	long inode_ino, inode_sb, inode_mode, inode_size, inode_writecount, inode_flags;
	long sb_dev, sb_fs_info, sb_magic;
	long mount_mnt, mount_parent, mount_mountpoint, vfsmount_root;
	long mapping_a_ops, mapping_host;
	long shmem_sb_huge;
	/* swap_info_struct */
	long si_flags, si_swap_map, si_max, si_pages, si_inuse, si_prio, si_swap_file, si_type;
	unsigned max_swapfiles;
	/* task_struct */
	long task_tgid, task_flags, task_exit_state;
	long percpu_count, percpu_counters;
	struct vms_page_layout page;	/* vmemmap filled per command */
	/* symbol addresses (0: absent) */
	ulong sym_shmem_vm_ops, sym_shmem_anon_vm_ops, sym_shmem_aops, sym_special_mapping_vmops;
	ulong sym_gate_vma, sym_vsyscall_mode, sym_simple_dname, sym_anon_inodefs_dname;
	ulong sym_zero_pfn, sym_huge_zero_pfn, sym_huge_zero_page, sym_huge_zero_folio;
	ulong sym_highest_memmap_pfn, sym_thp_flags, sym_shmem_huge, sym_swap_info, sym_nr_swapfiles;
	ulong sym_anon_always, sym_anon_madvise, sym_anon_inherit;
	ulong sym_shmem_always, sym_shmem_madvise, sym_shmem_inherit, sym_shmem_within;
	ulong sym_physical_mask, sym_sme_me_mask, sym_boot_cpu_data;
	long cpuinfo_capability;	/* offsetof(struct cpuinfo_x86, x86_capability) */
	enum vms_thp_rule thp_rule;
	enum vms_vmflags_table vmflags;
	struct vms_smaps_format fmt;	/* pkey filled per command */
};

extern struct vms_kernel vms_k;

/* Look the kernel's types and symbols up once; false (with a message) if
 * this kernel lacks something vmscope cannot do without. */
bool vms_kernel_init(void);

/* Everything one command reads from memory before it walks. */
struct vms_ctx {
	struct vms_arch arch;
	struct vms_model model;
	struct vms_thp_sys thp;
	struct vms_swapdev *swap;	/* GETBUF, per command */
	unsigned nswap;
	struct vms_mem mem;
	struct vms_counters counters;
	struct vms_memmap memmap;	/* struct pages; malloc'd, freed by the cleanup */
	struct vms_kcache kcache;	/* swap_map pages; likewise */
	bool pages_ready;
	struct vms_walker walker;
	struct vms_buf out;		/* malloc'd: freed by the command's cleanup */
	ulong zero_excluded_saved;	/* restore *diskdump_flags' ZERO_EXCLUDED */
	bool zero_excluded_cleared;
	FILE *trace;			/* VMSCOPE_TRACE: physical pages read */
	struct timespec started;	/* VMSCOPE_STATS */
	bool stats;
};

/* Set a command up: read the per-command values and register the cleanup
 * that frees what it allocates, even if the command ends in FATAL.
 * need_pages: the command reads struct pages (allocate the cache). */
void vms_ctx_begin(struct vms_ctx *c, bool need_pages);
void vms_ctx_end(struct vms_ctx *c);
/* Make filtered-out pages read as "excluded", not as zeros, for this command. */
void vms_ctx_strict_excluded(struct vms_ctx *c);
/*
 * Run fn(arg) for one task so that a FATAL raised inside it by crash's own
 * code (kvtop's FAULT_ON_ERROR reads of kernel page tables, on damaged
 * data) ends only that task: crash has printed its one error line, the
 * task's unfinished record is dropped, and the command goes on with the
 * next task.  False if fn was cut short.
 */
bool vms_catch(struct vms_ctx *c, void (*fn)(void *), void *arg);
/* fn(tc, opts) for every address space args[optind..] names (vms_targets),
 * each under vms_catch. */
void vms_each_target(struct vms_ctx *c, char **targets, int optind,
		     void (*fn)(struct task_context *tc, void *opts), void *opts);

/* Read helpers that never FATAL: false on any failure. */
bool vms_rd(ulong addr, void *buf, long size);
bool vms_rd_ulong(ulong addr, ulong *v);
bool vms_rd_uint(ulong addr, uint *v);
bool vms_rd_int(ulong addr, int *v);
ulong vms_sym(const char *name);	/* 0 if absent */

/* ---- address spaces and VMAs ---- */

/* One VMA as read from the dump: enough for every command. */
struct vms_vma {
	ulong addr;			/* the vm_area_struct */
	uint64_t start, end, flags, pgoff;
	ulong file, ops, anon_vma, private_data, anon_name;
	bool gate;			/* the [vsyscall] gate VMA (no mm) */
	bool bad;			/* failed a sanity check: see err */
	const char *err;
};

/* An address space: one mm_struct, its tasks and its VMAs. */
struct vms_space {
	ulong mm, pgd_paddr;
	ulong task;			/* the thread-group leader (or first task) */
	ulong pid;
	char comm[TASK_COMM_LEN + 1];
	ulong start_brk, brk, start_stack, mm_flags;
	struct vms_vma *vmas;		/* GETBUF */
	int nvmas;
	const char *err;		/* why the VMA list is incomplete, or NULL */
};

/* Gather the VMAs of mm (sorted, bounded, never looping). */
bool vms_space_load(struct vms_space *s, struct task_context *tc, const char **err);

/* A VMA's name as smaps prints it (raw bytes, not escaped). */
struct vms_name {
	char buf[BUFSIZE + 32];
	size_t len;
	bool is_path;
	unsigned dev_major, dev_minor;
	uint64_t inode;
	const char *err;
};
void vms_vma_name(const struct vms_space *s, const struct vms_vma *v, struct vms_name *n);
/* d_path() of a struct file, as the kernel prints it for the initial root. */
void vms_file_path(ulong file, struct vms_name *n);
/* The path of swap device type (its swap_file), "" if unknown. */
void vms_swap_name(unsigned type, struct vms_name *n);

/* The per-VMA facts the sink and THPeligible need. */
void vms_vma_acct_info(const struct vms_space *s, const struct vms_vma *v,
		       struct vms_vma_acct *a, struct vms_thp_vma *t);

/* Walk one VMA (or part of one: v's bounds) into stats with the accounting
 * sink (the one walker); va: its facts from vms_vma_acct_info. */
int vms_account_vma(struct vms_ctx *c, const struct vms_space *s, const struct vms_vma *v,
		    const struct vms_vma_acct *va, const struct vms_acct *acct,
		    struct vms_stats *stats);
/* The accounting options for a command. */
void vms_acct_setup(struct vms_ctx *c, struct vms_acct *a, bool pages, bool content);

/* ---- targets ---- */

/* The address spaces named by args[optind..] (pid | taskp | command),
 * or the current context's when there are none.  Bad targets print one
 * error line and are skipped.  Returns the count; *spaces_ret is GETBUF. */
int vms_targets(char **args, int optind, struct task_context ***tcs_ret);
/* Every user address space (one task per mm). */
int vms_all_spaces(struct task_context ***tcs_ret);

/* Fill the vms_vma_info for the smaps header and fields (va, tv: the VMA's
 * facts from vms_vma_acct_info, read once per VMA). */
void vms_vma_info_fill(struct vms_ctx *c, const struct vms_vma *v, const struct vms_vma_acct *va,
		       const struct vms_thp_vma *tv, const struct vms_name *n,
		       struct vms_vma_info *info);

/* Common JSON members: "pid","comm","task". */
void vms_json_task(struct vms_buf *b, const struct vms_space *s);
/* ... and a VMA's "start","end","perms","name". */
void vms_json_vma(struct vms_buf *b, const struct vms_vma *v, const struct vms_name *n);
/* "PID: 1  TASK: ...  COMMAND: "..."" (with its newline). */
void vms_task_line(struct vms_buf *b, const struct vms_space *s);
/* Report an incomplete VMA list once per address space. */
void vms_space_warn(const struct vms_space *s);

/*
 * The session's outcome, for scripts and batch runs: the worst thing any
 * vmscope command met, handed to crash's exit status by the hidden
 * vmscope_exit command (scripts/vmscope ends every batch with it).
 */
enum vms_outcome {
	VMS_OUT_OK = 0,
	VMS_OUT_ARG = 2,	/* a wrong option, target or address */
	VMS_OUT_REPORTED = 4,	/* a command reported an error in the dump */
};
void vms_note(enum vms_outcome o);
/* crash's usage text (and FATAL), or a one-line FATAL, for a wrong argument. */
#define VMS_USAGE() (vms_note(VMS_OUT_ARG), cmd_usage(pc->curcmd, SYNOPSIS))
#define VMS_ARG_FATAL(...) (vms_note(VMS_OUT_ARG), error(FATAL, __VA_ARGS__))
/* error(INFO) for a problem found in the dump. */
#define VMS_REPORT(...) (vms_note(VMS_OUT_REPORTED), error(INFO, __VA_ARGS__))

/* Commands */
void cmd_smaps(void);
void cmd_zerofill(void);
void cmd_thpmap(void);
void cmd_pageruns(void);
void cmd_vmwhere(void);
void cmd_vmsys(void);
void cmd_vmscope_readcost(void);
extern char *help_smaps[], *help_zerofill[], *help_thpmap[], *help_pageruns[];
extern char *help_vmwhere[], *help_vmsys[], *help_vmscope_readcost[];

#endif
