// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crash_vma.c: an address space's VMAs, their names and facts.
 *
 * VMAs come from the mm->mmap list (up to 6.0) or the mm->mm_mt maple tree
 * (6.1+), chosen by which member mm_struct has.  Both walks are our own,
 * not crash's, because crash's stop the command at the first bad pointer
 * and neither guards against loops: here every node and list step is
 * bounded and checked, and a bad one ends the list with a reason.
 */
#include "glue.h"

#define MAX_VMAS (1 << 20)		/* far above vm.max_map_count's default 65530 */
#define MT_NODE_SIZE 256
#define MT_MAX_HEIGHT 31

static struct vms_vma *grow_vmas(struct vms_space *s, int *cap)
{
	if (s->nvmas < *cap)
		return &s->vmas[s->nvmas];
	int ncap = *cap ? *cap * 2 : 64;
	struct vms_vma *n = (struct vms_vma *)GETBUF(ncap * sizeof(*n));
	if (s->vmas) {
		memcpy(n, s->vmas, s->nvmas * sizeof(*n));
		FREEBUF(s->vmas);
	}
	s->vmas = n;
	*cap = ncap;
	return &s->vmas[s->nvmas];
}

/* Read one vm_area_struct and check it belongs where it was found. */
static bool load_vma(struct vms_space *s, ulong addr, struct vms_vma *v, uint64_t prev_end)
{
	const struct vms_kernel *k = &vms_k;
	char *buf = GETBUF(k->vma_size);
	bool ok = vms_rd(addr, buf, k->vma_size);

	memset(v, 0, sizeof(*v));
	v->addr = addr;
	if (!ok) {
		v->bad = true;
		v->err = "vm_area_struct not readable";
		FREEBUF(buf);
		return false;
	}
	v->start = ULONG(buf + k->vma_start);
	v->end = ULONG(buf + k->vma_end);
	v->flags = ULONG(buf + k->vma_flags);
	v->pgoff = k->vma_pgoff >= 0 ? ULONG(buf + k->vma_pgoff) : 0;
	v->file = k->vma_file >= 0 ? ULONG(buf + k->vma_file) : 0;
	v->ops = k->vma_ops >= 0 ? ULONG(buf + k->vma_ops) : 0;
	v->anon_vma = k->vma_anon_vma >= 0 ? ULONG(buf + k->vma_anon_vma) : 0;
	v->private_data = k->vma_private_data >= 0 ? ULONG(buf + k->vma_private_data) : 0;
	v->anon_name = k->vma_anon_name >= 0 ? ULONG(buf + k->vma_anon_name) : 0;
	ulong mm = k->vma_mm >= 0 ? ULONG(buf + k->vma_mm) : s->mm;
	FREEBUF(buf);

	const char *why = NULL;
	if (mm != s->mm)
		why = "vm_area_struct of another mm";
	else if (v->start >= v->end || (v->start | v->end) & (PAGESIZE() - 1))
		why = "VMA bounds are not a page range";
	else if (v->start < prev_end)
		why = "VMA overlaps the one before it";
	else if (v->end > (machdep->flags & VM_5LEVEL ? 1ULL << 56 : 1ULL << 47))
		why = "VMA ends beyond user space";
	if (why) {
		v->bad = true;
		v->err = why;
		return false;
	}
	return true;
}

static void load_list(struct vms_space *s, int map_count, int *cap)
{
	const struct vms_kernel *k = &vms_k;
	ulong vma;
	uint64_t prev_end = 0;

	if (!vms_rd_ulong(s->mm + k->mm_mmap, &vma)) {
		s->err = "mm->mmap not readable";
		return;
	}
	while (vma) {
		if (s->nvmas >= MAX_VMAS || (map_count >= 0 && s->nvmas > map_count)) {
			s->err = "VMA list longer than mm->map_count: a loop?";
			return;
		}
		struct vms_vma *v = grow_vmas(s, cap);
		bool ok = load_vma(s, vma, v, prev_end);
		s->nvmas++;
		if (!ok) {
			/* nothing after a bad VMA can be trusted: vm_next is in it */
			s->err = v->err;
			return;
		}
		prev_end = v->end;
		if (!vms_rd_ulong(vma + k->vma_next, &vma)) {
			s->err = "vm_next not readable";
			return;
		}
	}
}

/* ---- maple tree (lib/maple_tree.c, include/linux/maple_tree.h) ---- */

enum { MT_DENSE, MT_LEAF64, MT_RANGE64, MT_ARANGE64 };

struct mt_walk {
	struct vms_space *s;
	int *cap;
	int nodes, max_nodes;
	uint64_t prev_end;
	const char *err;
};

/* The root slot holds mte_mk_root(enode): an encoded node with bit 1 set. */
static bool mt_root_is_node(ulong v)
{
	return (v & 3) == 2 && v > 4096;	/* xa_is_node() */
}

/* A child slot of an internal node holds mt_mk_node(): node | type << 3 | 4. */
static bool mt_child_is_node(ulong v)
{
	return (v & 7) == 4 && v > 4096;
}

static void mt_entry(struct mt_walk *w, ulong entry, uint64_t first, uint64_t last)
{
	struct vms_space *s = w->s;
	if (!entry || (entry & 3) == 2)
		return;	/* a gap, or an internal entry such as XA_ZERO_ENTRY */
	if (s->nvmas >= MAX_VMAS) {
		w->err = "more VMAs than any kernel allows";
		return;
	}
	struct vms_vma *v = grow_vmas(s, w->cap);
	s->nvmas++;
	if (load_vma(s, entry, v, w->prev_end)) {
		if (v->start != first || v->end - 1 != last) {
			v->bad = true;
			v->err = "VMA bounds disagree with the maple tree";
		}
		w->prev_end = v->end;
	} else if (last != ~0UL) {
		/* The struct is bad but the tree, checked node by node, still
		 * says which range it held: show the VMA there, flagged. */
		v->start = first;
		v->end = last + 1;
		v->flags = 0;
		w->prev_end = v->end;
	}
}

static void mt_node(struct mt_walk *w, ulong enode, ulong parent, uint64_t min, uint64_t max,
		    int depth)
{
	unsigned char buf[MT_NODE_SIZE];
	ulong node = enode & ~0xffUL;
	unsigned type = (enode >> 3) & 0xf;

	if (w->err)
		return;
	if (depth > MT_MAX_HEIGHT || ++w->nodes > w->max_nodes) {
		w->err = "maple tree deeper or larger than possible: a loop?";
		return;
	}
	if (type != MT_LEAF64 && type != MT_RANGE64 && type != MT_ARANGE64) {
		w->err = "maple node of an unknown type";
		return;
	}
	if (!vms_rd(node, buf, sizeof(buf))) {
		w->err = "maple node not readable";
		return;
	}
	ulong node_parent = *(ulong *)buf;
	if ((node_parent & ~0xffUL) == node) {
		w->err = "dead maple node (tree changed under the walk)";
		return;
	}
	if (parent && (node_parent & ~0xffUL) != parent) {
		w->err = "maple node's parent pointer disagrees";
		return;
	}
	bool arange = type == MT_ARANGE64;
	unsigned npivots = arange ? 9 : 15;
	const ulong *pivot = (const ulong *)(buf + 8);
	const ulong *slot = (const ulong *)(buf + (arange ? 80 : 128));
	unsigned char meta_end = buf[arange ? 240 : 248];
	/* ma_data_end() */
	unsigned end;
	if (arange || !pivot[npivots - 1])
		end = meta_end;
	else if (pivot[npivots - 1] == max)
		end = npivots - 1;
	else
		end = npivots;
	if (end > npivots) {
		w->err = "maple node's data end out of range";
		return;
	}
	uint64_t first = min;
	for (unsigned i = 0; i <= end && !w->err; i++) {
		uint64_t last = i < npivots ? pivot[i] : max;
		if (i == end && i < npivots && (!last && i))
			last = max;
		if (last < first || last > max) {
			w->err = "maple pivots out of order";
			return;
		}
		if (type == MT_LEAF64)
			mt_entry(w, slot[i], first, last);
		else if (slot[i] && mt_child_is_node(slot[i]))
			mt_node(w, slot[i], node, first, last, depth + 1);
		else if (slot[i]) {
			w->err = "maple slot holds no node";
			return;
		}
		if (last == max)
			break;
		first = last + 1;
	}
}

static void load_maple(struct vms_space *s, int map_count, int *cap)
{
	const struct vms_kernel *k = &vms_k;
	ulong mt = s->mm + k->mm_mm_mt, root;

	if (!vms_rd_ulong(mt + k->mt_root, &root)) {
		s->err = "mm->mm_mt not readable";
		return;
	}
	if (!mt_root_is_node(root))
		return;	/* empty, or a single entry at index 0 (never a VMA) */
	struct mt_walk w = { .s = s, .cap = cap,
			     .max_nodes = (map_count > 0 ? map_count : 1) * 2 + 64 };
	/* the root's parent is the tree itself, tagged MA_ROOT_PARENT */
	unsigned char buf[8];
	if (vms_rd(root & ~0xffUL, buf, 8) && *(ulong *)buf != (mt | 1)) {
		s->err = "maple root's parent is not its tree";
		return;
	}
	mt_node(&w, root, 0, 0, ~0UL, 0);
	s->err = w.err;
}

/* The [vsyscall] page: smaps shows it last when the mm may use it. */
static void add_gate(struct vms_space *s, int *cap)
{
	const struct vms_kernel *k = &vms_k;
	int mode;
	if (!k->sym_gate_vma || !k->sym_vsyscall_mode || !vms_rd_int(k->sym_vsyscall_mode, &mode))
		return;
	if (mode == 2)	/* NONE */
		return;
	if (k->mm_context >= 0 && k->mm_context_flags >= 0) {
		ulong flags;	/* MM_CONTEXT_HAS_VSYSCALL, bit 1 */
		if (!vms_rd_ulong(s->mm + k->mm_context + k->mm_context_flags, &flags) ||
		    !(flags & 2))
			return;
	} else if (k->mm_context >= 0 && k->mm_context_ia32 >= 0) {
		unsigned short ia32;
		if (!vms_rd(s->mm + k->mm_context + k->mm_context_ia32, &ia32, sizeof(ia32)) || ia32)
			return;
	}
	struct vms_vma *v = grow_vmas(s, cap);
	s->nvmas++;
	struct vms_space gate_owner = *s;
	gate_owner.mm = 0;	/* the gate VMA has no mm */
	load_vma(&gate_owner, k->sym_gate_vma, v, 0);
	v->gate = true;
	if (v->bad && v->err && strcmp(v->err, "VMA ends beyond user space") == 0) {
		v->bad = false;
		v->err = NULL;
	}
}

bool vms_space_load(struct vms_space *s, struct task_context *tc, const char **err)
{
	const struct vms_kernel *k = &vms_k;
	int map_count = -1, cap = 0;
	ulong pgd;

	memset(s, 0, sizeof(*s));
	s->mm = tc->mm_struct;
	s->task = tc->task;
	s->pid = tc->pid;
	memcpy(s->comm, tc->comm, sizeof(s->comm));
	if (!s->mm) {
		*err = "no address space (kernel thread or exited task)";
		return false;
	}
	physaddr_t paddr;
	if (!vms_rd_ulong(s->mm + k->mm_pgd, &pgd) || !kvtop(tc, pgd, &paddr, 0)) {
		*err = "mm_struct not readable";
		return false;
	}
	s->pgd_paddr = paddr;
	vms_rd_ulong(s->mm + k->mm_start_brk, &s->start_brk);
	vms_rd_ulong(s->mm + k->mm_brk, &s->brk);
	vms_rd_ulong(s->mm + k->mm_start_stack, &s->start_stack);
	vms_rd_ulong(s->mm + k->mm_flags, &s->mm_flags);
	if (k->mm_map_count >= 0)
		vms_rd_int(s->mm + k->mm_map_count, &map_count);
	if (map_count > MAX_VMAS)
		map_count = -1;

	if (k->mm_mm_mt >= 0)
		load_maple(s, map_count, &cap);
	else
		load_list(s, map_count, &cap);
	if (!s->err && map_count >= 0 && s->nvmas != map_count)
		s->err = "VMA count differs from mm->map_count";
	add_gate(s, &cap);
	*err = NULL;
	return true;
}

/* ---- names ---- */

static bool rd_qstr(ulong dentry, char *out, size_t cap, size_t *len)
{
	const struct vms_kernel *k = &vms_k;
	uint l;
	ulong name;
	if (!vms_rd_uint(dentry + k->dentry_name + k->qstr_len, &l) ||
	    !vms_rd_ulong(dentry + k->dentry_name + k->qstr_name, &name) || l >= cap)
		return false;
	if (l && !vms_rd(name, out, l))
		return false;
	*len = l;
	return true;
}

/* Prepend "/" + component to the path being built backwards in n->buf. */
static bool prepend(char *buf, size_t *pos, const char *s, size_t len)
{
	if (len + 1 > *pos)
		return false;
	*pos -= len;
	memcpy(buf + *pos, s, len);
	buf[--*pos] = '/';
	return true;
}

/*
 * d_path() for the initial root: d_dname for pseudo files, else the walk up
 * d_parent and across mounts (prepend_path), with " (deleted)" for unlinked
 * dentries.  Every step is a checked read; the depth is bounded.
 */
void vms_file_path(ulong file, struct vms_name *n)
{
	const struct vms_kernel *k = &vms_k;
	ulong dentry, mnt, dop = 0, dname = 0, parent, pprev = 1;
	char comp[256];
	size_t clen, pos = BUFSIZE;
	char *buf = n->buf;

	n->is_path = true;
	n->len = 0;
	n->err = NULL;
	if (!vms_rd_ulong(file + k->file_path + k->path_dentry, &dentry) ||
	    !vms_rd_ulong(file + k->file_path + k->path_mnt, &mnt)) {
		n->err = "struct file not readable";
		return;
	}
	if (k->dentry_op >= 0 && vms_rd_ulong(dentry + k->dentry_op, &dop) && dop &&
	    k->dops_d_dname >= 0)
		vms_rd_ulong(dop + k->dops_d_dname, &dname);
	vms_rd_ulong(dentry + k->dentry_parent, &parent);
	ulong mnt_root = 0;
	vms_rd_ulong(mnt + k->vfsmount_root, &mnt_root);
	if (dname && (parent != dentry || dentry != mnt_root)) {
		if (!rd_qstr(dentry, comp, sizeof(comp), &clen)) {
			n->err = "dentry name not readable";
			return;
		}
		if (dname == k->sym_simple_dname)
			n->len = (size_t)snprintf(buf, BUFSIZE, "/%.*s (deleted)", (int)clen, comp);
		else if (dname == k->sym_anon_inodefs_dname)
			n->len = (size_t)snprintf(buf, BUFSIZE, "anon_inode:%.*s", (int)clen, comp);
		else {
			n->len = (size_t)snprintf(buf, BUFSIZE, "%.*s", (int)clen, comp);
			n->err = "name made by an unknown d_dname()";
		}
		return;
	}
	bool deleted = false;
	if (k->dentry_hash_pprev >= 0 && vms_rd_ulong(dentry + k->dentry_hash_pprev, &pprev))
		deleted = !pprev && parent != dentry;	/* d_unlinked() */

	char *tmp = GETBUF(BUFSIZE + 1);
	ulong mount = mnt - k->mount_mnt;
	for (int steps = 0; steps < 1024; steps++) {
		vms_rd_ulong(mnt + k->vfsmount_root, &mnt_root);
		if (!vms_rd_ulong(dentry + k->dentry_parent, &parent)) {
			n->err = "dentry not readable";
			break;
		}
		if (dentry == mnt_root || dentry == parent) {
			ulong mparent, mpoint;
			if (!vms_rd_ulong(mount + k->mount_parent, &mparent) ||
			    !vms_rd_ulong(mount + k->mount_mountpoint, &mpoint)) {
				n->err = "mount not readable";
				break;
			}
			if (mparent == mount || dentry != mnt_root)
				break;	/* the global root */
			dentry = mpoint;
			mount = mparent;
			mnt = mount + k->mount_mnt;
			continue;
		}
		if (!rd_qstr(dentry, comp, sizeof(comp), &clen) || !prepend(tmp, &pos, comp, clen)) {
			n->err = "path not readable";
			break;
		}
		dentry = parent;
	}
	if (pos == BUFSIZE)
		prepend(tmp, &pos, "", 0);
	n->len = BUFSIZE - pos;
	memcpy(buf, tmp + pos, n->len);
	if (deleted && n->len + 10 < sizeof(n->buf)) {
		memcpy(buf + n->len, " (deleted)", 10);
		n->len += 10;
	}
	FREEBUF(tmp);
}

static void set_name(struct vms_name *n, const char *s)
{
	n->len = strlen(s);
	memcpy(n->buf, s, n->len);
}

void vms_vma_name(const struct vms_space *s, const struct vms_vma *v, struct vms_name *n)
{
	const struct vms_kernel *k = &vms_k;
	n->buf[0] = 0;
	n->len = 0;
	n->is_path = false;
	n->dev_major = n->dev_minor = 0;
	n->inode = 0;
	n->err = NULL;
	if (v->bad)
		return;	/* its pointers are not to be followed; v->err says why */

	if (v->file) {
		vms_file_path(v->file, n);
		ulong inode = 0, sb = 0;
		uint dev = 0;
		if (k->file_inode >= 0 && vms_rd_ulong(v->file + k->file_inode, &inode) && inode &&
		    vms_rd_ulong(inode + k->inode_ino, &n->inode) &&
		    vms_rd_ulong(inode + k->inode_sb, &sb) && vms_rd_uint(sb + k->sb_dev, &dev)) {
			n->dev_major = dev >> 20;
			n->dev_minor = dev & 0xfffff;
		} else if (!n->err) {
			n->err = "inode not readable";
		}
		return;
	}
	if (v->gate) {
		set_name(n, "[vsyscall]");
		return;
	}
	if (v->ops && k->sym_special_mapping_vmops && v->ops == k->sym_special_mapping_vmops) {
		ulong name;
		if (v->private_data && vms_rd_ulong(v->private_data + k->special_name, &name) &&
		    read_string(name, n->buf, 64)) {
			n->len = strnlen(n->buf, 64);
			return;
		}
		n->err = "special mapping name not readable";
		return;
	}
	ulong opname = 0;
	if (v->ops && k->ops_name >= 0 && vms_rd_ulong(v->ops + k->ops_name, &opname) && opname) {
		n->err = "name from an unknown vm_ops->name()";
		return;
	}
	/* [heap]: 6.6 made the test strict (vma_is_initial_heap) */
	bool heap = vms_k.version >= ((6 << 16) | (6 << 8))
			    ? v->start < s->brk && v->end > s->start_brk
			    : v->start <= s->brk && v->end >= s->start_brk;
	if (heap) {
		set_name(n, "[heap]");
		return;
	}
	if (v->start <= s->start_stack && v->end >= s->start_stack) {
		set_name(n, "[stack]");
		return;
	}
	if (v->anon_name) {
		char nm[80];
		long off = MEMBER_OFFSET("anon_vma_name", "name");
		if (off >= 0 && read_string(v->anon_name + off, nm, sizeof(nm) - 1))
			n->len = (size_t)snprintf(n->buf, sizeof(n->buf), "[anon:%s]", nm);
	}
}

/* ---- facts for accounting and THPeligible ---- */

void vms_vma_acct_info(const struct vms_space *s, const struct vms_vma *v,
		       struct vms_vma_acct *a, struct vms_thp_vma *t)
{
	const struct vms_kernel *k = &vms_k;
	ulong fsp = 0, huge_fault = 0;

	memset(a, 0, sizeof(*a));
	memset(t, 0, sizeof(*t));
	a->start = v->start;
	a->end = v->end;
	a->flags = v->flags;
	a->locked = v->flags & VMS_VM_LOCKED;
	a->pfnmap = v->flags & (VMS_VM_PFNMAP | VMS_VM_MIXEDMAP);
	a->hugetlb = v->flags & VMS_VM_HUGETLB;
	if (v->ops && k->ops_find_special_page >= 0)
		vms_rd_ulong(v->ops + k->ops_find_special_page, &fsp);
	a->find_special_page = fsp;
	if (v->ops && k->ops_huge_fault >= 0)
		vms_rd_ulong(v->ops + k->ops_huge_fault, &huge_fault);

	t->start = v->start;
	t->end = v->end;
	t->flags = v->flags;
	t->pgoff = v->pgoff;
	t->has_mm = !v->gate;
	t->mm_thp_disabled = s->mm_flags & (1UL << 24);	/* MMF_DISABLE_THP */
	t->anonymous = !v->ops;
	t->has_anon_vma = v->anon_vma;
	t->huge_fault = huge_fault;
	t->anon_shmem = v->ops && v->ops == k->sym_shmem_anon_vm_ops;
	t->file = v->file;
	if (!v->file) {
		t->shmem = k->thp_rule == VMS_THP_5_10 && v->ops && v->ops == k->sym_shmem_vm_ops;
		return;
	}
	ulong inode = 0, mapping = 0, aops = 0, sb = 0;
	vms_rd_ulong(v->file + k->file_inode, &inode);
	if (k->file_mapping >= 0 && vms_rd_ulong(v->file + k->file_mapping, &mapping) && mapping)
		vms_rd_ulong(mapping + k->mapping_a_ops, &aops);
	if (k->thp_rule == VMS_THP_5_10)
		t->shmem = v->ops && v->ops == k->sym_shmem_vm_ops;
	else
		t->shmem = aops && aops == k->sym_shmem_aops;	/* shmem_file() */
	if (inode) {
		unsigned short mode = 0;
		uint iflags = 0;
		int wc = 0;
		long long size = 0;
		vms_rd(inode + k->inode_mode, &mode, sizeof(mode));
		vms_rd_uint(inode + k->inode_flags, &iflags);
		vms_rd_int(inode + k->inode_writecount, &wc);
		vms_rd(inode + k->inode_size, &size, sizeof(size));
		t->regular = (mode & 0170000) == 0100000;
		t->dax = iflags & (1u << 13);	/* S_DAX */
		t->open_for_write = wc > 0;
		t->i_size = size;
		if (t->shmem && vms_rd_ulong(inode + k->inode_sb, &sb) && k->shmem_sb_huge >= 0) {
			ulong info;
			unsigned char huge;
			if (vms_rd_ulong(sb + k->sb_fs_info, &info) && info &&
			    vms_rd(info + k->shmem_sb_huge, &huge, 1))
				t->sb_huge = (signed char)huge;
		}
	}
	if (a->hugetlb) {
		/* hugetlbfs_sb_info.hstate->order */
		ulong info, hstate;
		uint order;
		long hs = MEMBER_OFFSET("hugetlbfs_sb_info", "hstate");
		long ho = MEMBER_OFFSET("hstate", "order");
		if (inode && hs >= 0 && ho >= 0 && vms_rd_ulong(inode + k->inode_sb, &sb) &&
		    vms_rd_ulong(sb + k->sb_fs_info, &info) && vms_rd_ulong(info + hs, &hstate) &&
		    vms_rd_uint(hstate + ho, &order) && order < 30)
			a->hugetlb_size = PAGESIZE() << order;
	}
}

void vms_vma_info_fill(struct vms_ctx *c, const struct vms_vma *v, const struct vms_vma_acct *va,
		       const struct vms_thp_vma *tv, const struct vms_name *n,
		       struct vms_vma_info *info)
{
	memset(info, 0, sizeof(*info));
	info->start = v->start;
	info->end = v->end;
	info->flags = v->flags;
	info->offset = v->file ? v->pgoff << 12 : 0;
	info->dev_major = n->dev_major;
	info->dev_minor = n->dev_minor;
	info->inode = n->inode;
	info->name = n->buf;
	info->name_len = n->len;
	info->name_is_path = n->is_path;
	info->kernel_page_size = va->hugetlb && va->hugetlb_size ? va->hugetlb_size : PAGESIZE();
	info->mmu_page_size = info->kernel_page_size;
	info->thp_eligible = vms_thp_eligible(&c->thp, tv, &info->thp_reason);
	info->pkey = (unsigned)((v->flags >> 32) & 0xf);	/* VM_PKEY_BIT0..3 */
}

void vms_json_task(struct vms_buf *b, const struct vms_space *s)
{
	vms_json_u64(b, "pid", s->pid);
	vms_json_strz(b, "comm", s->comm);
	vms_json_hex(b, "task", s->task);
}

void vms_json_vma(struct vms_buf *b, const struct vms_vma *v, const struct vms_name *n)
{
	char perms[5];
	vms_perms(perms, v->flags);
	vms_json_hex(b, "start", v->start);
	vms_json_hex(b, "end", v->end);
	vms_json_strz(b, "perms", perms);
	vms_json_str(b, "name", n->buf, n->len);
}

void vms_task_line(struct vms_buf *b, const struct vms_space *s)
{
	vms_buf_printf(b, "PID: %-6lu TASK: %lx  COMMAND: \"", s->pid, s->task);
	vms_buf_escape_safe(b, s->comm, strnlen(s->comm, TASK_COMM_LEN));
	vms_buf_puts(b, "\"\n");
}

void vms_space_warn(const struct vms_space *s)
{
	if (s->err)
		VMS_REPORT("PID %lu (%s): VMA list incomplete: %s\n", s->pid, s->comm, s->err);
}
