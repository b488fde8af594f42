/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fmt.h: everything vmscope prints, built in memory and written whole.
 *
 * A record (a smaps block, a table line, a JSON object) is put together in a
 * struct vms_buf and only then written to the FILE *, so an error half-way
 * never leaves half a JSON object behind.
 */
#ifndef VMS_FMT_H
#define VMS_FMT_H

#include <stdio.h>

#include "account.h"

struct vms_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

void vms_buf_reset(struct vms_buf *b);
void vms_buf_free(struct vms_buf *b);
void vms_buf_put(struct vms_buf *b, const char *s, size_t n);
void vms_buf_puts(struct vms_buf *b, const char *s);
void vms_buf_printf(struct vms_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Write the buffer to f and empty it; VMS_NOMEM if it could not be built. */
int vms_buf_flush(struct vms_buf *b, FILE *f);

/* Text escapes.  kernel: only '\n' as "\012", as smaps' seq_file_path does.
 * safe: every control byte, backslash and byte of invalid UTF-8 as \ooo,
 * so a table line stays one line on any terminal. */
void vms_buf_escape_kernel(struct vms_buf *b, const char *s, size_t n);
void vms_buf_escape_safe(struct vms_buf *b, const char *s, size_t n);
/* JSON string contents (no quotes): valid UTF-8 passes, control bytes are
 * \n \t \uXXXX, and a byte of invalid UTF-8 becomes the text \xHH.
 * Returns true if any invalid byte was met. */
bool vms_buf_escape_json(struct vms_buf *b, const char *s, size_t n);

/* JSON Lines objects: begin, members, end (which adds the newline). */
void vms_json_begin(struct vms_buf *b, const char *type);
void vms_json_key(struct vms_buf *b, const char *key);
void vms_json_u64(struct vms_buf *b, const char *key, uint64_t v);
void vms_json_i64(struct vms_buf *b, const char *key, int64_t v);
void vms_json_hex(struct vms_buf *b, const char *key, uint64_t v);
void vms_json_bool(struct vms_buf *b, const char *key, bool v);
void vms_json_null(struct vms_buf *b, const char *key);
/* A string member; invalid UTF-8 also adds "<key>_hex" with the raw bytes. */
void vms_json_str(struct vms_buf *b, const char *key, const char *s, size_t n);
void vms_json_strz(struct vms_buf *b, const char *key, const char *s);
void vms_json_end(struct vms_buf *b);

/* Which smaps lines this kernel prints, and how (fs/proc/task_mmu.c). */
enum vms_vmflags_table { VMS_VMFLAGS_5_10, VMS_VMFLAGS_6_1, VMS_VMFLAGS_6_12 };

struct vms_smaps_format {
	bool pss_dirty;		/* "Pss_Dirty:" (6.0+) */
	bool ksm;		/* "KSM:" (6.12) */
	bool thp_width8;	/* "THPeligible:    %8u" (6.12) */
	bool pkey;		/* "ProtectionKey:" (CPU with OSPKE) */
	enum vms_vmflags_table vmflags;
};

/* What a VMA looks like in smaps' header line and per-VMA fields. */
struct vms_vma_info {
	uint64_t start, end, flags;
	uint64_t offset;		/* vm_pgoff << 12 for files, else 0 */
	unsigned dev_major, dev_minor;
	uint64_t inode;
	const char *name;		/* raw bytes, not escaped; NULL or "" for none */
	size_t name_len;
	bool name_is_path;		/* a file path: smaps escapes its newlines */
	uint64_t kernel_page_size, mmu_page_size;
	int thp_eligible;
	const char *thp_reason;
	unsigned pkey;
};

/* One smaps line: label (without colon) and value in kB. */
struct vms_field {
	const char *name;
	uint64_t kb;
};

#define VMS_MAX_FIELDS 32

/* The numeric smaps lines, in the kernel's order: per VMA (rollup false,
 * from Size) or as smaps_rollup (from Rss, with Pss_Anon/File/Shmem). */
int vms_smaps_fields(const struct vms_smaps_format *f, const struct vms_stats *s,
		     const struct vms_vma_info *v, bool rollup, struct vms_field out[VMS_MAX_FIELDS]);

/* vmscope's own per-VMA lines beyond smaps. */
int vms_extra_fields(const struct vms_stats *s, struct vms_field out[VMS_MAX_FIELDS]);

/* "rd wr mr ..." with the kernel's mnemonics (each followed by a space). */
void vms_vmflags(struct vms_buf *b, enum vms_vmflags_table t, uint64_t flags);

/* perms as smaps prints them: "rw-p". */
void vms_perms(char out[5], uint64_t flags);

/* A VMA's errors: '"errors":[...]' with the first error of s (if any; s may
 * be NULL) and extra (if not NULL), or nothing; and the table's line for it,
 * "  ! what: status at addr (N in all)". */
void vms_json_errors(struct vms_buf *b, const struct vms_stats *s, const char *extra);
void vms_error_line(struct vms_buf *b, const struct vms_stats *s);

/* Byte-exact /proc/PID/smaps block, and smaps_rollup. */
void vms_smaps_block(struct vms_buf *b, const struct vms_smaps_format *f,
		     const struct vms_stats *s, const struct vms_vma_info *v);
void vms_rollup_block(struct vms_buf *b, const struct vms_smaps_format *f,
		      const struct vms_stats *s, uint64_t start, uint64_t end);

/* Just the header line (with its newline). */
void vms_smaps_header(struct vms_buf *b, const struct vms_vma_info *v);

#endif
