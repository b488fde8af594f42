// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crash_kernel.c: the kernel's types and symbols, looked up once.
 *
 * Differences between kernels are found by what the kernel has (a member,
 * a symbol), as drgn and crash-gcore do; the kernel version decides only
 * where nothing in DWARF tells (smaps' VmFlags mnemonics, the [heap] test).
 */
#include <elf.h>

#include "glue.h"

struct vms_kernel vms_k;

static long off(const char *s, const char *m)
{
	return MEMBER_OFFSET((char *)s, (char *)m);
}

ulong vms_sym(const char *name)
{
	return symbol_exists((char *)name) ? symbol_value((char *)name) : 0;
}

static int pageflag(const char *name)
{
	long v;
	return enumerator_value((char *)name, &v) ? (int)v : -1;
}

/*
 * The size of a symbol in the vmlinux's ELF symbol table.  gdb cannot always
 * tell an array's length: on 5.10 it finds swap_info's extern declaration
 * ("struct swap_info_struct *[]") before its definition.
 */
static unsigned long elf_symbol_size(const char *path, const char *name)
{
	unsigned long size = 0;
	int fd = open(path, O_RDONLY);
	Elf64_Ehdr eh;
	if (fd < 0)
		return 0;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(Elf64_Shdr) ||
	    eh.e_shnum == 0 || eh.e_shnum > 4096)
		goto out;
	Elf64_Shdr *sh = calloc(eh.e_shnum, sizeof(*sh));
	if (!sh)
		goto out;
	if (pread(fd, sh, eh.e_shnum * sizeof(*sh), (off_t)eh.e_shoff) !=
	    (ssize_t)(eh.e_shnum * sizeof(*sh)))
		goto free_sh;
	for (unsigned i = 0; i < eh.e_shnum && !size; i++) {
		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh.e_shnum ||
		    sh[i].sh_size > (1UL << 30))
			continue;
		const Elf64_Shdr *st = &sh[sh[i].sh_link];
		char *syms = malloc(sh[i].sh_size), *strs = malloc(st->sh_size + 1);
		if (syms && strs && st->sh_size < (1UL << 30) &&
		    pread(fd, syms, sh[i].sh_size, (off_t)sh[i].sh_offset) == (ssize_t)sh[i].sh_size &&
		    pread(fd, strs, st->sh_size, (off_t)st->sh_offset) == (ssize_t)st->sh_size) {
			strs[st->sh_size] = 0;
			for (size_t o = 0; o + sizeof(Elf64_Sym) <= sh[i].sh_size; o += sizeof(Elf64_Sym)) {
				const Elf64_Sym *sym = (const Elf64_Sym *)(syms + o);
				if (sym->st_name < st->sh_size && ELF64_ST_TYPE(sym->st_info) == STT_OBJECT &&
				    strcmp(strs + sym->st_name, name) == 0) {
					size = sym->st_size;
					break;
				}
			}
		}
		free(syms);
		free(strs);
	}
free_sh:
	free(sh);
out:
	close(fd);
	return size;
}

#define KV(a, b, c) (((a) << 16) | ((b) << 8) | (c))

static void page_layout(struct vms_kernel *k)
{
	struct vms_page_layout *l = &k->page;
	l->size = (unsigned)STRUCT_SIZE("page");
	l->off_flags = (int)off("page", "flags");
	l->off_mapping = (int)off("page", "mapping");
	l->off_compound_head = (int)off("page", "compound_head");
	l->off_mapcount = (int)off("page", "_mapcount");
	l->off_refcount = (int)off("page", "_refcount");
	l->off_compound_order = (int)off("page", "compound_order");
	l->off_compound_dtor = (int)off("page", "compound_dtor");
	l->off_compound_mapcount = (int)off("page", "compound_mapcount");
	long em = off("folio", "_entire_mapcount");
	l->off_entire_mapcount = em >= 0 ? (int)(em - l->size) : -1;
	long dtor;
	l->hugetlb_dtor = enumerator_value("HUGETLB_PAGE_DTOR", &dtor) ? (int)dtor : -1;
	l->pg_head = pageflag("PG_head");
	l->pg_referenced = pageflag("PG_referenced");
	l->pg_dirty = pageflag("PG_dirty");
	l->pg_swapbacked = pageflag("PG_swapbacked");
	l->pg_young = pageflag("PG_young");
	l->pg_double_map = pageflag("PG_double_map");
	/* 5.10-6.1 keep compound_mapcount in page[1]; 6.12 has the folio's
	 * _entire_mapcount and _large_mapcount (commit 05c5323b2a34, 6.11). */
	l->model = l->off_compound_mapcount >= 0 ? VMS_MAPCOUNT_COMPOUND : VMS_MAPCOUNT_FOLIO;
	/* page_is_young() tests the subpage before folios (5.16) */
	l->young_on_subpage = k->version < KV(5, 16, 0);
}

static bool page_layout_ok(const struct vms_page_layout *l)
{
	if (l->size == 0 || l->size > 256 || l->off_flags < 0 || l->off_mapping < 0 ||
	    l->off_compound_head < 0 || l->off_mapcount < 0 || l->off_refcount < 0 ||
	    l->pg_head < 0 || l->pg_referenced < 0 || l->pg_dirty < 0 || l->pg_swapbacked < 0)
		return false;
	if (l->model == VMS_MAPCOUNT_COMPOUND)
		return l->off_compound_order >= 0 && l->off_compound_dtor >= 0;
	return l->off_entire_mapcount >= 0;
}

bool vms_kernel_init(void)
{
	struct vms_kernel *k = &vms_k;

	if (k->ready)
		return true;
	memset(k, 0, sizeof(*k));
	k->version = KV(kt->kernel_version[0], kt->kernel_version[1], kt->kernel_version[2]);

	k->mm_pgd = off("mm_struct", "pgd");
	k->mm_mmap = off("mm_struct", "mmap");
	k->mm_mm_mt = off("mm_struct", "mm_mt");
	k->mm_map_count = off("mm_struct", "map_count");
	k->mm_start_brk = off("mm_struct", "start_brk");
	k->mm_brk = off("mm_struct", "brk");
	k->mm_start_stack = off("mm_struct", "start_stack");
	k->mm_flags = off("mm_struct", "flags");
	k->mm_context = off("mm_struct", "context");
	k->mm_context_flags = off("mm_context_t", "flags");
	k->mm_context_ia32 = off("mm_context_t", "ia32_compat");
	k->mt_root = off("maple_tree", "ma_root");
	k->mt_flags = off("maple_tree", "ma_flags");

	k->vma_size = STRUCT_SIZE("vm_area_struct");
	k->vma_start = off("vm_area_struct", "vm_start");
	k->vma_end = off("vm_area_struct", "vm_end");
	k->vma_next = off("vm_area_struct", "vm_next");
	k->vma_mm = off("vm_area_struct", "vm_mm");
	k->vma_flags = off("vm_area_struct", "vm_flags");
	k->vma_pgoff = off("vm_area_struct", "vm_pgoff");
	k->vma_file = off("vm_area_struct", "vm_file");
	k->vma_ops = off("vm_area_struct", "vm_ops");
	k->vma_anon_vma = off("vm_area_struct", "anon_vma");
	k->vma_private_data = off("vm_area_struct", "vm_private_data");
	k->vma_anon_name = off("vm_area_struct", "anon_name");
	k->ops_name = off("vm_operations_struct", "name");
	k->ops_huge_fault = off("vm_operations_struct", "huge_fault");
	k->ops_find_special_page = off("vm_operations_struct", "find_special_page");
	k->ops_pagesize = off("vm_operations_struct", "pagesize");
	k->special_name = off("vm_special_mapping", "name");

	k->file_path = off("file", "f_path");
	k->file_inode = off("file", "f_inode");
	k->file_mapping = off("file", "f_mapping");
	k->path_mnt = off("path", "mnt");
	k->path_dentry = off("path", "dentry");
	k->dentry_parent = off("dentry", "d_parent");
	k->dentry_name = off("dentry", "d_name");
	k->dentry_op = off("dentry", "d_op");
	long dh = off("dentry", "d_hash");
	long pp = off("hlist_bl_node", "pprev");
	k->dentry_hash_pprev = dh >= 0 && pp >= 0 ? dh + pp : -1;
	k->dops_d_dname = off("dentry_operations", "d_dname");
	k->qstr_len = off("qstr", "len");
	k->qstr_name = off("qstr", "name");
	k->inode_ino = off("inode", "i_ino");
	k->inode_sb = off("inode", "i_sb");
	k->inode_mode = off("inode", "i_mode");
	k->inode_size = off("inode", "i_size");
	k->inode_writecount = off("inode", "i_writecount");
	k->inode_flags = off("inode", "i_flags");
	k->sb_dev = off("super_block", "s_dev");
	k->sb_fs_info = off("super_block", "s_fs_info");
	k->mount_mnt = off("mount", "mnt");
	k->mount_parent = off("mount", "mnt_parent");
	k->mount_mountpoint = off("mount", "mnt_mountpoint");
	k->vfsmount_root = off("vfsmount", "mnt_root");
	k->mapping_a_ops = off("address_space", "a_ops");
	k->mapping_host = off("address_space", "host");
	k->shmem_sb_huge = off("shmem_sb_info", "huge");

	k->si_flags = off("swap_info_struct", "flags");
	k->si_swap_map = off("swap_info_struct", "swap_map");
	k->si_max = off("swap_info_struct", "max");
	k->si_pages = off("swap_info_struct", "pages");
	k->si_inuse = off("swap_info_struct", "inuse_pages");
	k->si_prio = off("swap_info_struct", "prio");
	k->si_swap_file = off("swap_info_struct", "swap_file");
	k->si_type = off("swap_info_struct", "type");
	k->task_tgid = off("task_struct", "tgid");
	k->task_flags = off("task_struct", "flags");
	k->task_exit_state = off("task_struct", "exit_state");
	k->percpu_count = off("percpu_counter", "count");
	k->percpu_counters = off("percpu_counter", "counters");

	k->sym_shmem_vm_ops = vms_sym("shmem_vm_ops");
	k->sym_shmem_anon_vm_ops = vms_sym("shmem_anon_vm_ops");
	k->sym_shmem_aops = vms_sym("shmem_aops");
	k->sym_special_mapping_vmops = vms_sym("special_mapping_vmops");
	k->sym_gate_vma = vms_sym("gate_vma");
	k->sym_vsyscall_mode = vms_sym("vsyscall_mode");
	k->sym_simple_dname = vms_sym("simple_dname");
	k->sym_anon_inodefs_dname = vms_sym("anon_inodefs_dname");
	k->sym_zero_pfn = vms_sym("zero_pfn");
	k->sym_huge_zero_pfn = vms_sym("huge_zero_pfn");
	k->sym_huge_zero_page = vms_sym("huge_zero_page");
	k->sym_huge_zero_folio = vms_sym("huge_zero_folio");
	k->sym_highest_memmap_pfn = vms_sym("highest_memmap_pfn");
	k->sym_thp_flags = vms_sym("transparent_hugepage_flags");
	k->sym_shmem_huge = vms_sym("shmem_huge");
	k->sym_swap_info = vms_sym("swap_info");
	k->sym_nr_swapfiles = vms_sym("nr_swapfiles");
	k->sym_anon_always = vms_sym("huge_anon_orders_always");
	k->sym_anon_madvise = vms_sym("huge_anon_orders_madvise");
	k->sym_anon_inherit = vms_sym("huge_anon_orders_inherit");
	k->sym_shmem_always = vms_sym("huge_shmem_orders_always");
	k->sym_shmem_madvise = vms_sym("huge_shmem_orders_madvise");
	k->sym_shmem_inherit = vms_sym("huge_shmem_orders_inherit");
	k->sym_shmem_within = vms_sym("huge_shmem_orders_within_size");
	k->sym_physical_mask = vms_sym("physical_mask");
	k->sym_sme_me_mask = vms_sym("sme_me_mask");
	k->sym_boot_cpu_data = vms_sym("boot_cpu_data");
	k->cpuinfo_capability = off("cpuinfo_x86", "x86_capability");

	/* MAX_SWAPFILES is the length of swap_info[] in this kernel's config. */
	unsigned long si_size = k->sym_swap_info ? elf_symbol_size(pc->namelist, "swap_info") : 0;
	k->max_swapfiles = si_size / sizeof(ulong) <= 32 ? (unsigned)(si_size / sizeof(ulong)) : 0;

	/* THPeligible: whichever rule this kernel's smaps calls. */
	if (symbol_exists("__thp_vma_allowable_orders"))
		k->thp_rule = VMS_THP_6_12;
	else if (symbol_exists("hugepage_vma_check"))
		k->thp_rule = VMS_THP_6_1;
	else
		k->thp_rule = VMS_THP_5_10;

	/* smaps lines: struct mem_size_stats has a member for each optional one */
	k->fmt.pss_dirty = MEMBER_EXISTS("mem_size_stats", "pss_dirty");
	k->fmt.ksm = MEMBER_EXISTS("mem_size_stats", "ksm");
	k->fmt.thp_width8 = k->thp_rule == VMS_THP_6_12;
	/* show_smap_vma_flags(): VM_DENYWRITE went in 5.15, "lf"/"ss"/"sl" came by 6.10 */
	k->vmflags = k->version < KV(5, 15, 0) ? VMS_VMFLAGS_5_10 :
		     k->version < KV(6, 10, 0) ? VMS_VMFLAGS_6_1 : VMS_VMFLAGS_6_12;
	k->fmt.vmflags = k->vmflags;

	page_layout(k);

	const char *missing = NULL;
	if (k->mm_pgd < 0 || k->vma_start < 0 || k->vma_end < 0 || k->vma_flags < 0 ||
	    k->vma_size <= 0)
		missing = "mm_struct/vm_area_struct";
	else if (k->mm_mmap < 0 && (k->mm_mm_mt < 0 || k->mt_root < 0))
		missing = "a VMA list (mm_struct.mmap) or maple tree (mm_struct.mm_mt)";
	else if (!page_layout_ok(&k->page))
		missing = "struct page members";
	else if (!(machdep->flags & VMEMMAP))
		missing = "a vmemmap (SPARSEMEM_VMEMMAP)";
	if (missing) {
		VMS_REPORT("vmscope: this kernel lacks %s; vmscope cannot read it\n", missing);
		return false;
	}
	k->ready = true;
	return true;
}
