// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_walk.c: libFuzzer target for the decoder, the walker, struct page
 * decoding and the smaps sink, over a physical memory built from the input.
 *
 *   clang -fsanitize=fuzzer,address,undefined -Iextension -Itests/unit \
 *     tests/fuzz/fuzz_walk.c tests/unit/fake_mem.c extension/{pte,walk,page,account,thp,fmt}.c
 * (tests/fuzz/run does this and runs it for a bounded time.)
 *
 * Input: a 32-byte header, then 12-byte records.
 *   header[0]  bit 0 5-level, 1 folio model, 2 nonpresent_shared, 3 pmd_protnone_skipped,
 *              4 hwpoison_has_page, 5 scan content, 6 mutate between reads, 7 no kcache
 *   header[1]  table pages: 2 + n % 7 (page 0 is the root)
 *   header[2]  pages excluded from the dump (bit i: table page i)
 *   header[3]  pages that cannot be read
 *   header[4]  kcache capacity 1 + n % 8
 *   header[5]  ranges to walk 1 + n % 4; header[6..7] the mutation seed
 *   header[8]  vmemmap pages excluded (bit i: vmemmap page 2 i); header[9] huge zero pfn
 *   header[10..15] range lengths; header[16..31] two range seeds
 *   record     op, a, b (u16), v (u64):
 *     op % 4 == 0  table page a, entry b: raw v
 *     op % 4 == 1  table page a, entry b: a pointer (v's low 16 bits) to a table page
 *                  (op & 0x10) or to a pfn of the fake memory map (PMD-aligned if
 *                  op & 0x20), with flags v >> 32 & 0xfff and v's top byte
 *     op % 4 == 2  struct page of pfn b, field a % 8 := v (a & 0x80: a compound_head)
 *     op % 4 == 3  a byte of the swap map (a & 1) or of a data page
 * Every 8 bytes of the input are also decoded as an entry at every level.
 *
 * Beyond crashes and sanitizer reports it checks what must hold whatever the
 * input: a walk accounts every byte of its range exactly once, and nothing
 * counts more than is resident.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "fake_mem.h"
#include "fmt.h"
#include "thp.h"

#define NPAGES_MAX 8
#define MEMMAP_PFNS 1024	/* pfns 0..1023 have struct pages */
#define DATA_PAGES 8		/* pfns 0..7 have content */

#define check(cond) \
	do { \
		if (!(cond)) \
			__builtin_trap(); \
	} while (0)

static uint64_t u64_at(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static void decode_words(const uint8_t *data, size_t size)
{
	struct vms_arch arch[3] = {
		{ .levels = 4, .phys_mask = (1ULL << 52) - 1, .max_pfn = (1ULL << 30) - 1,
		  .devmap_bit = 1ULL << 58 },
		{ .levels = 4, .phys_mask = ((1ULL << 52) - 1) & ~(1ULL << 47),
		  .max_pfn = 0, .devmap_bit = 1ULL << 58, .swp_pfn_bits = 34 },
		{ .levels = 5, .phys_mask = (1ULL << 52) - 1, .max_pfn = (1ULL << 24) - 1,
		  .devmap_bit = 1ULL << 57, .saved_dirty_bit = 1ULL << 58, .swp_pfn_bits = 40 },
	};
	vms_arch_swap_types(&arch[0], 27, 2, false, false);
	vms_arch_swap_types(&arch[1], 22, 3, true, true);
	vms_arch_swap_types(&arch[2], 23, 3, true, false);

	for (size_t off = 0; off + 8 <= size; off += 8) {
		uint64_t raw = u64_at(data + off);
		for (int a = 0; a < 3; a++)
			for (int l = VMS_PTE; l <= VMS_PGD5; l++) {
				struct vms_entry e;
				vms_decode(&arch[a], l, raw, &e);
				check(e.raw == raw);
				check((e.kind == VMS_E_NONE) == vms_raw_none(raw));
				check(vms_kind_name(e.kind)[0] != '?');
				if (e.kind == VMS_E_TABLE)
					check(l > VMS_PTE && (!arch[a].max_pfn ||
							      e.pfn <= arch[a].max_pfn));
				if (e.kind == VMS_E_LEAF)
					check(l <= VMS_PUD &&
					      !(e.pfn & ((vms_level_size(l) >> 12) - 1)));
			}
	}
}

/* THPeligible over fuzzed settings: any 0 comes with a reason. */
static void thp_words(const uint8_t *d, size_t size)
{
	if (size < 48)
		return;
	struct vms_thp_sys s = {
		.rule = (enum vms_thp_rule)(d[0] % 3), .flags = u64_at(d + 8) & 0x1ff,
		.shmem_huge = (int)(d[1] % 6) - 2, .anon_always = u64_at(d + 16),
		.anon_madvise = u64_at(d + 24), .anon_inherit = u64_at(d + 32),
		.shmem_always = u64_at(d + 16) >> 3, .shmem_madvise = u64_at(d + 24) >> 5,
		.shmem_inherit = u64_at(d + 32) >> 7, .shmem_within_size = u64_at(d + 40),
		.read_only_thp_for_fs = d[2] & 1,
	};
	struct vms_thp_vma v = {
		.start = u64_at(d + 8) & ~0xfffULL, .end = u64_at(d + 16) & ~0xfffULL,
		.flags = u64_at(d + 24), .pgoff = u64_at(d + 32) >> 12,
		.has_mm = d[3] & 1, .mm_thp_disabled = d[3] & 2, .anonymous = d[3] & 4,
		.has_anon_vma = d[3] & 8, .shmem = d[3] & 16, .anon_shmem = d[3] & 32,
		.file = d[3] & 64, .dax = d[3] & 128, .huge_fault = d[4] & 1, .regular = d[4] & 2,
		.open_for_write = d[4] & 4, .sb_huge = (int)(d[5] % 6) - 2,
		.i_size = (int64_t)u64_at(d + 40),
	};
	const char *reason = NULL;
	int r = vms_thp_eligible(&s, &v, &reason);
	check(reason && (r == 1) == (reason[0] == 0) && (r == 0 || r == 1));
}

/* JSON of arbitrary bytes: the record is one line. */
static void json_bytes(const uint8_t *d, size_t size)
{
	struct vms_buf b = { 0 };
	size_t n = size < 256 ? size : 256;
	vms_json_begin(&b, "f");
	vms_json_str(&b, "k", (const char *)d, n);
	vms_json_end(&b);
	check(!b.oom && b.len >= 2 && b.p[b.len - 1] == '\n' && !memchr(b.p, '\n', b.len - 1));
	vms_buf_free(&b);
}

struct world {
	struct fake_mem fm;
	struct vms_page_layout l;
	struct vms_model m;
	struct vms_swapdev swap[2];
	uint64_t pages[NPAGES_MAX];
	unsigned npages;
};

static void build_memmap(struct world *w, uint8_t seed)
{
	/* small pages 0..511 with varied counts, an order-9 THP at 512 */
	for (uint64_t pfn = 0; pfn < 512; pfn++)
		fm_small_page(&w->fm, &w->l, pfn, (pfn + seed) % 3 ? FM_ANON_MAPPING : FM_FILE_MAPPING,
			      (int)((pfn * 7 + seed) % 4), (int)((pfn * 5 + seed) % 3));
	fm_compound_page(&w->fm, &w->l, 512, 9, seed & 1 ? FM_ANON_MAPPING : FM_FILE_MAPPING,
			 seed % 3, 1 + (seed >> 4) % 2, 1 + seed % 4);
}

static void apply_record(struct world *w, const uint8_t *r)
{
	uint8_t op = r[0], a = r[1];
	uint16_t b = (uint16_t)(r[2] | r[3] << 8);
	uint64_t v = u64_at(r + 4);
	static const int fields[8] = { 0, 8, 24, 48, 52, 64 + 0, 64 + 17, 64 + 20 };

	switch (op % 4) {
	case 0:
		fm_table(&w->fm, w->pages[a % w->npages])[b % VMS_PTRS] = v;
		break;
	case 1: {
		uint64_t pfn;
		if (op & 0x10)
			pfn = w->pages[(v & 0xffff) % w->npages];
		else
			pfn = (op & 0x20) ? (v & 1) << 9 : (v & 0xffff) % (MEMMAP_PFNS + 16);
		uint64_t flags = (v >> 32) & 0xfff;
		fm_table(&w->fm, w->pages[a % w->npages])[b % VMS_PTRS] =
			(pfn << VMS_PAGE_SHIFT) | flags | ((v >> 56) << 56);
		break;
	}
	case 2: {
		uint64_t pfn = b % MEMMAP_PFNS;
		int off = fields[a % 8];
		if (a & 0x80) {
			v = FM_VMEMMAP + (v % MEMMAP_PFNS) * w->l.size + 1;
			off = w->l.off_compound_head;
		}
		/* fields of page[1] are written at pfn + 1's struct page */
		uint64_t addr = w->l.vmemmap + pfn * w->l.size + (unsigned)off;
		fm_kwrite(&w->fm, addr, &v, off == 64 + 17 ? 1 : off >= 48 ? 4 : 8);
		break;
	}
	default:
		if (a & 1)
			fm_kwrite(&w->fm, FM_SWAPMAP + b % 8192, &v, 1);
		else
			fm_page(&w->fm, b % DATA_PAGES)[v % VMS_PAGE_SIZE] = (uint8_t)(v >> 16);
		break;
	}
}

/* What every byte of a range became: each callback accounts its span once. */
static uint64_t spans(const struct vms_stats *s)
{
	return s->untouched + s->excluded + s->unreadable + s->special + s->populated +
	       s->zero_page + s->huge_zero_page + s->swap + s->nonswap;
}

static void check_stats(const struct vms_stats *s)
{
	check(s->shared_clean + s->shared_dirty + s->private_clean + s->private_dirty <=
	      s->resident);
	check(s->pss <= s->resident << VMS_PSS_SHIFT);
	check(s->pss_anon + s->pss_file + s->pss_shmem == s->pss);
	check(s->pss_dirty <= s->pss && s->pss_locked <= s->pss);
	check(s->anonymous <= s->resident && s->lazyfree <= s->anonymous);
	check(s->referenced <= s->resident);
	check(s->swap_pss <= s->swap << VMS_PSS_SHIFT);
	check(s->zero_content <= s->scanned);
	check(s->unaligned_thp <= s->pte_thp);
	check(!s->nerrors == !s->err.status);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 32)
		return 0;
	const uint8_t *h = data;
	struct world *w = calloc(1, sizeof(*w));
	if (!w)
		return 0;

	decode_words(data, size);
	thp_words(data, size);
	json_bytes(data, size);

	bool l5 = h[0] & 1, folio = h[0] & 2;
	fm_init(&w->fm, l5 ? 5 : 4);
	w->npages = 2 + h[1] % (NPAGES_MAX - 1);
	w->pages[0] = w->fm.root;
	for (unsigned i = 1; i < w->npages; i++)
		w->pages[i] = fm_alloc_table(&w->fm);
	if (folio)
		fm_layout_folio(&w->l, MEMMAP_PFNS - 1);
	else
		fm_layout_compound(&w->l, MEMMAP_PFNS - 1);
	build_memmap(w, h[6]);
	for (unsigned i = 0; i < DATA_PAGES; i++)
		fm_page(&w->fm, i);
	fm_kvirt_pfn(&w->fm, FM_SWAPMAP);
	fm_kvirt_pfn(&w->fm, FM_SWAPMAP + VMS_PAGE_SIZE);

	for (size_t off = 32; off + 12 <= size; off += 12)
		apply_record(w, data + off);

	for (unsigned i = 0; i < w->npages; i++) {
		if (h[2] & (1u << i))
			fm_set_status(&w->fm, w->pages[i], VMS_EXCLUDED);
		else if (h[3] & (1u << i))
			fm_set_status(&w->fm, w->pages[i], VMS_READ_ERROR);
	}
	for (unsigned i = 0; i < 8; i++)
		if (h[8] & (1u << i))
			fm_set_status(&w->fm, fm_kvirt_pfn(&w->fm, FM_VMEMMAP + 2 * i * VMS_PAGE_SIZE),
				      VMS_EXCLUDED);
	if (h[0] & 0x40)
		fm_mutate_random(&w->fm, 300, (uint64_t)h[6] | (uint64_t)h[7] << 8);
	if (h[9] & 0x40)
		fm_enable_runs(&w->fm);	/* struct pages in runs, as on an ELF dump */

	w->m = (struct vms_model){ .zero_pfn = 1, .huge_zero_pfn = 512ULL * (h[9] % 3),
				   .highest_memmap_pfn = MEMMAP_PFNS - 1,
				   .nonpresent_shared = h[0] & 4,
				   .pmd_protnone_skipped = h[0] & 8,
				   .hwpoison_has_page = h[0] & 16 };
	w->swap[0] = (struct vms_swapdev){ .used = true, .swap_map = FM_SWAPMAP, .max = 8192 };
	w->swap[1] = (struct vms_swapdev){ .used = h[9] & 0x80, .swap_map = FM_SWAPMAP + 4000,
					   .max = 1ULL << 40 };

	struct vms_counters cnt = { 0 };
	struct vms_kcache kc;
	if (vms_kcache_init(&kc, &w->fm.mem, &cnt, 1 + h[4] % 8)) {
		fm_destroy(&w->fm);
		free(w);
		return 0;
	}
	struct vms_memmap mm;
	if (vms_memmap_init(&mm, &w->fm.mem, &cnt, &w->l, 1 + h[4] % 8 * (h[9] & 0x40 ? 8 : 1))) {
		vms_kcache_destroy(&kc);
		fm_destroy(&w->fm);
		free(w);
		return 0;
	}
	unsigned char *buf = malloc(VMS_PAGE_SIZE);
	struct vms_acct acct = { .model = &w->m, .layout = &w->l,
				 .memmap = (h[0] & 0x80) ? NULL : &mm,
				 .kcache = (h[0] & 0x80) ? NULL : &kc, .swap = w->swap, .nswap = 2,
				 .mem = &w->fm.mem, .counters = &cnt, .scan_content = h[0] & 0x20 };
	/* the same walk without struct pages nor content: spans only */
	struct vms_acct bare = acct;
	bare.memmap = NULL;
	bare.kcache = NULL;
	bare.scan_content = false;

	struct vms_walker wk, wk_bare;
	vms_walker_init(&wk, &w->fm.arch, &w->fm.mem, &cnt);
	vms_walker_init(&wk_bare, &w->fm.arch, &w->fm.mem, NULL);
	uint64_t top = vms_user_top(&w->fm.arch);
	unsigned nranges = 1 + h[5] % 4;
	for (unsigned k = 0; k < nranges; k++) {
		uint64_t seed = u64_at(h + 16 + 8 * (k % 2)) ^ (uint64_t)(k / 2) * 0x9e3779b97f4a7c15ULL;
		/* mostly below twice the top of user space (half of it past the
		 * top), sometimes anywhere */
		uint64_t mask = (h[10 + k] & 0x80) ? ~0ULL : 2 * (top + VMS_PAGE_SIZE) - 1;
		uint64_t start = seed & mask & ~0xfffULL;
		uint64_t len = VMS_PAGE_SIZE << (h[10 + k] % 15);
		uint64_t end = start + len < start ? ~0xfffULL : start + len;
		struct vms_vma_acct vma = { .start = start, .end = end, .locked = h[14] & 1,
					    .pfnmap = h[14] & 2, .find_special_page = h[14] & 4,
					    .hugetlb = h[14] & 8,
					    .hugetlb_size = (h[14] & 16) ? VMS_PMD_SIZE : 0 };
		struct vms_stats st = { 0 }, st_bare = { 0 };
		struct vms_sink sink = { &acct, &vma, &st, buf };
		struct vms_sink sink_bare = { &bare, &vma, &st_bare, buf };

		check(vms_walk_range(&wk, w->fm.root << VMS_PAGE_SHIFT, start, end,
				     &vms_account_ops, &sink) == 0);
		check_stats(&st);
		/* the mutator changes what a second walk sees: spans hold anyway */
		vms_walker_forget(&wk_bare);
		check(vms_walk_range(&wk_bare, w->fm.root << VMS_PAGE_SHIFT, start, end,
				     &vms_account_ops, &sink_bare) == 0);
		check_stats(&st_bare);
		/* hugetlb VMAs account only their *_Hugetlb lines */
		if (!vma.hugetlb)
			check(spans(&st_bare) == end - start);

		struct vms_stats roll = { 0 };
		vms_stats_add(&roll, &st);
		vms_stats_add(&roll, &st_bare);
		check(roll.resident == st.resident + st_bare.resident);

		/* and print it: the smaps block is built without surprises */
		struct vms_buf b = { 0 };
		struct vms_smaps_format f = { .pss_dirty = true, .ksm = h[15] & 1,
					      .thp_width8 = h[15] & 2,
					      .vmflags = (enum vms_vmflags_table)(h[15] % 3) };
		struct vms_vma_info vi = { .start = start, .end = end, .flags = seed,
					   .kernel_page_size = 4096, .mmu_page_size = 4096 };
		vms_smaps_block(&b, &f, &st, &vi);
		check(!b.oom);
		vms_buf_free(&b);
	}

	/* struct pages straight, and kernel reads across page ends */
	for (size_t off = 32; off + 12 <= size && off < 32 + 12 * 16; off += 12) {
		struct vms_pageinfo pi;
		uint64_t pfn = u64_at(data + off + 4) % (MEMMAP_PFNS + 4);
		if (vms_page_get(&mm, pfn, &pi) == VMS_OK) {
			check(pi.mapcount >= 0 && pi.refcount >= 0);
			check(pi.head_pfn <= pfn && (!pi.compound || pfn - pi.head_pfn <
								     (1ULL << pi.order)));
		}
		unsigned char tmp[64];
		vms_kcache_read(&kc, FM_VMEMMAP + (pfn * 61) % (MEMMAP_PFNS * 64), tmp, sizeof(tmp));
	}
	check(cnt.memmap_rereads <= cnt.memmap_reads);

	free(buf);
	vms_kcache_destroy(&kc);
	vms_memmap_destroy(&mm);
	fm_destroy(&w->fm);
	free(w);
	return 0;
}
