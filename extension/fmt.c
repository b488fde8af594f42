// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fmt.c: smaps text (byte for byte as fs/proc/task_mmu.c prints it), JSON
 * Lines and the escapes both need.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "thp.h"

void vms_buf_reset(struct vms_buf *b)
{
	b->len = 0;
	b->oom = false;
	if (b->p)
		b->p[0] = 0;
}

void vms_buf_free(struct vms_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static bool grow(struct vms_buf *b, size_t more)
{
	if (b->oom)
		return false;
	/* Beyond this the doubling below would overflow and never end. */
	if (more > SIZE_MAX / 4 - b->len) {
		b->oom = true;
		return false;
	}
	if (b->len + more + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void vms_buf_put(struct vms_buf *b, const char *s, size_t n)
{
	if (!grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

void vms_buf_puts(struct vms_buf *b, const char *s)
{
	vms_buf_put(b, s, strlen(s));
}

void vms_buf_printf(struct vms_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char small[256];
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		vms_buf_put(b, small, (size_t)n);
		return;
	}
	if (!grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

int vms_buf_flush(struct vms_buf *b, FILE *f)
{
	int st = b->oom ? VMS_NOMEM : VMS_OK;
	if (!b->oom && b->len)
		fwrite(b->p, 1, b->len, f);
	vms_buf_reset(b);
	return st;
}

static void octal(struct vms_buf *b, unsigned char c)
{
	char o[4] = { '\\', (char)('0' + ((c >> 6) & 3)), (char)('0' + ((c >> 3) & 7)),
		      (char)('0' + (c & 7)) };
	vms_buf_put(b, o, 4);
}

void vms_buf_escape_kernel(struct vms_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			octal(b, '\n');
		else
			vms_buf_put(b, s + i, 1);
	}
}

/* Length of the valid UTF-8 sequence at s, or 0 (RFC 3629: no overlongs,
 * no surrogates, nothing above U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

void vms_buf_escape_safe(struct vms_buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_len(u + i, n - i);
		if (l == 0 || u[i] < 0x20 || u[i] == 0x7f || u[i] == '\\') {
			octal(b, u[i]);
			i++;
		} else {
			vms_buf_put(b, s + i, l);
			i += l;
		}
	}
}

bool vms_buf_escape_json(struct vms_buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	bool invalid = false;
	for (size_t i = 0; i < n;) {
		unsigned char c = u[i];
		size_t l = utf8_len(u + i, n - i);
		if (l == 0) {
			vms_buf_printf(b, "\\\\x%02x", c);
			invalid = true;
			i++;
			continue;
		}
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			vms_buf_put(b, e, 2);
		} else if (c == '\n') {
			vms_buf_puts(b, "\\n");
		} else if (c == '\t') {
			vms_buf_puts(b, "\\t");
		} else if (c == '\r') {
			vms_buf_puts(b, "\\r");
		} else if (c < 0x20 || c == 0x7f) {
			vms_buf_printf(b, "\\u%04x", c);
		} else {
			vms_buf_put(b, s + i, l);
		}
		i += l;
	}
	return invalid;
}

/* ---- JSON Lines ----------------------------------------------------------- */

void vms_json_begin(struct vms_buf *b, const char *type)
{
	vms_buf_printf(b, "{\"type\":\"%s\"", type);
}

void vms_json_key(struct vms_buf *b, const char *key)
{
	vms_buf_puts(b, ",\"");
	vms_buf_escape_json(b, key, strlen(key));
	vms_buf_puts(b, "\":");
}

void vms_json_u64(struct vms_buf *b, const char *key, uint64_t v)
{
	vms_json_key(b, key);
	vms_buf_printf(b, "%llu", (unsigned long long)v);
}

void vms_json_i64(struct vms_buf *b, const char *key, int64_t v)
{
	vms_json_key(b, key);
	vms_buf_printf(b, "%lld", (long long)v);
}

void vms_json_hex(struct vms_buf *b, const char *key, uint64_t v)
{
	vms_json_key(b, key);
	vms_buf_printf(b, "\"%llx\"", (unsigned long long)v);
}

void vms_json_bool(struct vms_buf *b, const char *key, bool v)
{
	vms_json_key(b, key);
	vms_buf_puts(b, v ? "true" : "false");
}

void vms_json_null(struct vms_buf *b, const char *key)
{
	vms_json_key(b, key);
	vms_buf_puts(b, "null");
}

void vms_json_str(struct vms_buf *b, const char *key, const char *s, size_t n)
{
	vms_json_key(b, key);
	vms_buf_puts(b, "\"");
	bool invalid = vms_buf_escape_json(b, s, n);
	vms_buf_puts(b, "\"");
	if (invalid) {
		char hk[64];
		snprintf(hk, sizeof(hk), "%s_hex", key);
		vms_json_key(b, hk);
		vms_buf_puts(b, "\"");
		for (size_t i = 0; i < n; i++)
			vms_buf_printf(b, "%02x", (unsigned char)s[i]);
		vms_buf_puts(b, "\"");
	}
}

void vms_json_strz(struct vms_buf *b, const char *key, const char *s)
{
	vms_json_str(b, key, s ? s : "", s ? strlen(s) : 0);
}

void vms_json_end(struct vms_buf *b)
{
	vms_buf_puts(b, "}\n");
}

/* ---- errors ---------------------------------------------------------------- */

static void error_text(struct vms_buf *b, const struct vms_stats *s)
{
	vms_buf_printf(b, "%s: %s at %llx", s->err.what ? s->err.what : "error",
		       vms_status_name(s->err.status), (unsigned long long)s->err.addr);
	if (s->nerrors > 1)
		vms_buf_printf(b, " (%u in all)", s->nerrors);
}

void vms_json_errors(struct vms_buf *b, const struct vms_stats *s, const char *extra)
{
	bool have = s && s->nerrors;
	if (!have && !extra)
		return;
	vms_json_key(b, "errors");
	vms_buf_puts(b, "[");
	if (have) {
		struct vms_buf t = { 0 };
		error_text(&t, s);
		vms_buf_puts(b, "\"");
		if (t.p)
			vms_buf_escape_json(b, t.p, t.len);
		vms_buf_puts(b, "\"");
		vms_buf_free(&t);
	}
	if (extra) {
		vms_buf_puts(b, have ? ",\"" : "\"");
		vms_buf_escape_json(b, extra, strlen(extra));
		vms_buf_puts(b, "\"");
	}
	vms_buf_puts(b, "]");
}

void vms_error_line(struct vms_buf *b, const struct vms_stats *s)
{
	if (!s->nerrors)
		return;
	vms_buf_puts(b, "  ! ");
	error_text(b, s);
	vms_buf_puts(b, "\n");
}

/* ---- smaps ---------------------------------------------------------------- */

static uint64_t kb(uint64_t bytes)
{
	return bytes >> 10;
}

static uint64_t kb_pss(uint64_t pss)
{
	return (pss >> VMS_PSS_SHIFT) >> 10;
}

int vms_smaps_fields(const struct vms_smaps_format *f, const struct vms_stats *s,
		     const struct vms_vma_info *v, bool rollup, struct vms_field out[VMS_MAX_FIELDS])
{
	int n = 0;
#define F(name, val) (out[n++] = (struct vms_field){ name, val })
	if (!rollup) {
		F("Size", kb(v->end - v->start));
		F("KernelPageSize", kb(v->kernel_page_size));
		F("MMUPageSize", kb(v->mmu_page_size));
	}
	F("Rss", kb(s->resident));
	F("Pss", kb_pss(s->pss));
	if (f->pss_dirty)
		F("Pss_Dirty", kb_pss(s->pss_dirty));
	if (rollup) {
		F("Pss_Anon", kb_pss(s->pss_anon));
		F("Pss_File", kb_pss(s->pss_file));
		F("Pss_Shmem", kb_pss(s->pss_shmem));
	}
	F("Shared_Clean", kb(s->shared_clean));
	F("Shared_Dirty", kb(s->shared_dirty));
	F("Private_Clean", kb(s->private_clean));
	F("Private_Dirty", kb(s->private_dirty));
	F("Referenced", kb(s->referenced));
	F("Anonymous", kb(s->anonymous));
	if (f->ksm)
		F("KSM", kb(s->ksm));
	F("LazyFree", kb(s->lazyfree));
	F("AnonHugePages", kb(s->anonymous_thp));
	F("ShmemPmdMapped", kb(s->shmem_thp));
	F("FilePmdMapped", kb(s->file_thp));
	F("Shared_Hugetlb", kb(s->shared_hugetlb));
	F("Private_Hugetlb", kb(s->private_hugetlb));
	F("Swap", kb(s->swap));
	F("SwapPss", kb_pss(s->swap_pss));
	F("Locked", kb_pss(s->pss_locked));
#undef F
	return n;
}

int vms_extra_fields(const struct vms_stats *s, struct vms_field out[VMS_MAX_FIELDS])
{
	int n = 0;
	out[n++] = (struct vms_field){ "ZeroPage", kb(s->zero_page) };
	out[n++] = (struct vms_field){ "HugeZeroPage", kb(s->huge_zero_page) };
	out[n++] = (struct vms_field){ "Untouched", kb(s->untouched) };
	out[n++] = (struct vms_field){ "Excluded", kb(s->excluded + s->unreadable) };
	return n;
}

/*
 * show_smap_vma_flags(): mnemonics by bit, per kernel.  Bits 32-35 are the
 * protection key and never printed; a set bit with no mnemonic prints "??".
 */
static const char *const vmflags_common[64] = {
	[0] = "rd", [1] = "wr", [2] = "ex", [3] = "sh", [4] = "mr", [5] = "mw", [6] = "me",
	[7] = "ms", [8] = "gd", [9] = "um", [10] = "pf", [12] = "uw", [13] = "lo",
	[14] = "io", [15] = "sr", [16] = "rr", [17] = "dc", [18] = "de", [20] = "ac",
	[21] = "nr", [22] = "ht", [23] = "sf", [24] = "ar", [25] = "wf", [26] = "dd",
	[27] = "sd", [28] = "mm", [29] = "hg", [30] = "nh", [31] = "mg",
	[32] = "", [33] = "", [34] = "", [35] = "",
};

static const char *vmflag_name(enum vms_vmflags_table t, unsigned bit)
{
	switch (t) {
	case VMS_VMFLAGS_5_10:	/* VM_DENYWRITE still exists */
		if (bit == 11)
			return "dw";
		break;
	case VMS_VMFLAGS_6_1:	/* VM_UFFD_MINOR is VM_HIGH_ARCH_5 */
		if (bit == 37)
			return "ui";
		break;
	case VMS_VMFLAGS_6_12:
		switch (bit) {
		case 19: return "lf";	/* VM_LOCKONFAULT */
		case 37: return "ss";	/* VM_SHADOW_STACK */
		case 38: return "ui";	/* VM_UFFD_MINOR */
		case 40: return "dp";	/* VM_DROPPABLE */
		case 63: return "sl";	/* VM_SEALED */
		}
		break;
	}
	return vmflags_common[bit] ? vmflags_common[bit] : "??";
}

void vms_vmflags(struct vms_buf *b, enum vms_vmflags_table t, uint64_t flags)
{
	for (unsigned i = 0; i < 64; i++) {
		if (!(flags & (1ULL << i)))
			continue;
		const char *m = vmflag_name(t, i);
		if (!*m)
			continue;
		vms_buf_puts(b, m);
		vms_buf_puts(b, " ");
	}
}

void vms_perms(char out[5], uint64_t flags)
{
	out[0] = flags & VMS_VM_READ ? 'r' : '-';
	out[1] = flags & VMS_VM_WRITE ? 'w' : '-';
	out[2] = flags & VMS_VM_EXEC ? 'x' : '-';
	out[3] = flags & VMS_VM_MAYSHARE ? 's' : 'p';
	out[4] = 0;
}

void vms_smaps_header(struct vms_buf *b, const struct vms_vma_info *v)
{
	char perms[5];
	size_t start = b->len;

	vms_perms(perms, v->flags);
	vms_buf_printf(b, "%08llx-%08llx %s %08llx %02x:%02x %llu ",
		       (unsigned long long)v->start, (unsigned long long)v->end, perms,
		       (unsigned long long)v->offset, v->dev_major, v->dev_minor,
		       (unsigned long long)v->inode);
	if (v->name && v->name_len) {
		/* seq_pad(): spaces to column 72, then one more */
		size_t width = b->len - start;
		for (; width < 72; width++)
			vms_buf_puts(b, " ");
		vms_buf_puts(b, " ");
		if (v->name_is_path)
			vms_buf_escape_kernel(b, v->name, v->name_len);
		else
			vms_buf_put(b, v->name, v->name_len);
	}
	vms_buf_puts(b, "\n");
}

static void put_fields(struct vms_buf *b, const struct vms_field *fs, int n)
{
	for (int i = 0; i < n; i++) {
		/* SEQ_PUT_DEC: a 16-column label and %8 (Private_Hugetlb: 17 and %7) */
		char label[32];
		snprintf(label, sizeof(label), "%s:", fs[i].name);
		if (strcmp(fs[i].name, "Private_Hugetlb") == 0)
			vms_buf_printf(b, "%-17s%7llu kB\n", label, (unsigned long long)fs[i].kb);
		else
			vms_buf_printf(b, "%-16s%8llu kB\n", label, (unsigned long long)fs[i].kb);
	}
}

void vms_smaps_block(struct vms_buf *b, const struct vms_smaps_format *f,
		     const struct vms_stats *s, const struct vms_vma_info *v)
{
	struct vms_field fs[VMS_MAX_FIELDS];
	int n = vms_smaps_fields(f, s, v, false, fs);

	vms_smaps_header(b, v);
	put_fields(b, fs, n);
	if (f->thp_width8)
		vms_buf_printf(b, "THPeligible:    %8u\n", (unsigned)v->thp_eligible);
	else
		vms_buf_printf(b, "THPeligible:    %d\n", v->thp_eligible);
	if (f->pkey)
		vms_buf_printf(b, "ProtectionKey:  %8u\n", v->pkey);
	vms_buf_puts(b, "VmFlags: ");
	vms_vmflags(b, f->vmflags, v->flags);
	vms_buf_puts(b, "\n");
}

void vms_rollup_block(struct vms_buf *b, const struct vms_smaps_format *f,
		      const struct vms_stats *s, uint64_t start, uint64_t end)
{
	struct vms_field fs[VMS_MAX_FIELDS];
	struct vms_vma_info v = { .start = start, .end = end, .name = "[rollup]", .name_len = 8 };
	int n = vms_smaps_fields(f, s, &v, true, fs);

	vms_smaps_header(b, &v);
	put_fields(b, fs, n);
}
