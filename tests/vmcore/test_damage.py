# SPDX-License-Identifier: GPL-2.0-or-later
"""Damaged dumps: page tables, vm_area_structs, the VMA list or maple tree and
struct pages of the workload overwritten in a copy of the ELF dump.

For each kind of damage every command must end (or stop with one error line)
within a time bound, print only whole JSON objects, flag the VMAs it could
not trust, and give every other VMA exactly the kernel's own numbers
(truth.json, captured before the dump); crash must still answer afterwards.
"""
import functools
import json
import os
import re
import tempfile
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from dumpedit import (damaged_copy, parse_p, parse_vm, parse_vtop,  # noqa: E402
                      parse_vtop_kernel)
from vmstest import (PM_PRESENT, PM_SWAP, PFN_MASK, DumpTest,  # noqa: E402
                     pagemap_entries, run_crash, truth)

TIMEOUT = 120           # one damaged session: every command, then sys
GiB, MiB = 1 << 30, 1 << 20
PAST_PFN = 1 << 30      # 4 TiB: beyond the memory of any test guest
ENTRY_PFN = ((1 << 52) - 1) & ~0xfff


def kernel_escape(raw):
    return raw.replace(b"\n", b"\\012")


# ---- what to damage, found with crash on the intact dump --------------------

@functools.lru_cache(maxsize=None)
def survey(dump_dir):
    """Addresses of what the tests damage, from crash on the intact ELF dump."""
    t = truth(dump_dir)
    reg = t["regions"]
    main = reg["written"]["pid"]
    other = reg["nothp_aligned"]["pid"]
    pids = [p["pid"] for p in t["processes"]]
    pm = pagemap_entries(next(p for p in t["processes"] if p["pid"] == main))

    def present(region):
        r = reg[region]
        return next(a for a in range(r["start"] & ~0xfff, r["start"] + r["length"], 4096)
                    if pm.get(a, 0) & PM_PRESENT)

    probes = [(main, "written", present("written")),
              (main, "thp_aligned", reg["thp_aligned"]["start"]),
              (main, "swapped", reg["swapped"]["start"]),
              (main, "untouched", reg["untouched"]["start"]),
              (main, "heap_grown", present("heap_grown")),
              (other, "nothp_aligned", reg["nothp_aligned"]["start"])]
    consts = ["p/x page_offset_base", "p max_pfn", "p sizeof(struct page)",
              "p &((struct page *)0)->compound_head", "p &((struct page *)0)->_mapcount",
              "p sizeof(struct vm_area_struct)", "p &((struct vm_area_struct *)0)->vm_next",
              "p &((struct mm_struct *)0)->mm_mt", "p &((struct maple_tree *)0)->ma_root"]
    cmds = consts + [f"vm {pid}" for pid in pids] + [f"vtop -c {pid} {a:x}" for pid, _, a in probes]
    outs = run_crash(dump_dir, cmds, vmcore="vmcore.elf")
    vals = []
    for o in outs[:len(consts)]:
        try:
            vals.append(parse_p(o))
        except ValueError:
            vals.append(None)
    s = dict(zip(["page_offset", "max_pfn", "page_size", "off_compound_head", "off_mapcount",
                  "vma_size", "off_vm_next", "off_mm_mt", "off_ma_root"], vals))
    s["main"], s["other"] = main, other
    s["vm"] = {pid: parse_vm(o) for pid, o in zip(pids, outs[len(consts):len(consts) + len(pids)])}
    s["vtop"] = {name: parse_vtop(o) for (_, name, _), o in
                 zip(probes, outs[len(consts) + len(pids):])}
    # struct pages of the first present page of two anonymous regions
    s["struct_page"] = {}
    pages = {n: s["vtop"][n].get("PAGE") for n in ("written", "heap_grown")}
    kv = [(n, a) for n, a in pages.items() if a]
    if kv:
        phys = run_crash(dump_dir, [f"vtop {a:x}" for _, a in kv], vmcore="vmcore.elf")
        s["struct_page_vtop"] = {}
        for (n, a), o in zip(kv, phys):
            s["struct_page"][n] = parse_vtop_kernel(o)
            s["struct_page_vtop"][n] = (a, parse_vtop(o))
    return s


def phys_of(s, kvaddr):
    """A direct-map (slab) address's physical address."""
    return kvaddr - s["page_offset"]


# ---- checking a damaged session ---------------------------------------------

class Expect:
    """What a damaged dump may show.

    damaged: {pid: [(start, end)]}: VMAs meeting these ranges must be flagged.
    cut: {pid: index}: the VMA list or tree is broken after truth VMA index
    (inclusive); later VMAs may be missing or flagged, never wrong."""

    def __init__(self, damaged=None, cut=None, maybe=None, stopped=()):
        self.damaged = damaged or {}
        self.cut = cut or {}
        self.maybe = maybe or {}    # damage smaps itself would not notice
        self.stopped = set(stopped)  # tasks a crash error may cut short
        self.struct_pages = False   # the damage is in struct pages only

    def exempt(self, pid, vma):
        return any(a < vma["end"] and vma["start"] < b for a, b in self.maybe.get(pid, []))

    def hit(self, pid, vma):
        return any(a < vma["end"] and vma["start"] < b for a, b in self.damaged.get(pid, []))

    def touched(self, pid):
        return bool(self.damaged.get(pid)) or pid in self.cut or pid in self.stopped


def vma_index(p, addr):
    for i, v in enumerate(p["vmas"]):
        if v["start"] <= addr < v["end"]:
            return i
    raise AssertionError(f"no VMA of pid {p['pid']} holds {addr:x}")


def split_lines(test, out, cmd):
    """JSON objects and error lines of a -j command; nothing else may appear."""
    objs, errors = [], []
    for line in out.decode("utf-8").splitlines():
        if not line.strip():
            continue
        if line.startswith("{"):
            objs.append(parse_json(test, line, cmd))
        else:
            test.assertTrue(line.startswith(cmd + ": "), f"{cmd}: stray line {line!r}")
            errors.append(line)
    return objs, errors


def parse_json(test, line, cmd):
    try:
        o = json.loads(line)
    except ValueError as e:
        test.fail(f"{cmd}: a line that is not JSON: {line[:200]!r} ({e})")
    test.assertIsInstance(o, dict)
    return o


def smaps_blocks(text):
    """The kernel's smaps text split into one block per VMA, keyed by start."""
    blocks, cur = {}, None
    for line in text.splitlines(keepends=True):
        m = re.match(rb"([0-9a-f]+)-[0-9a-f]+ ", line)
        if m:
            cur = int(m.group(1), 16)
            blocks[cur] = b""
        elif line.startswith((b"  ! ", b"smaps: ")):
            cur = None      # vmscope's flag lines and error lines end a block
        if cur is not None:
            blocks[cur] += line
    return blocks


class Damage(DumpTest):

    def dumps_with_elf(self):
        out = []
        for name, d, t in self.each_dump():
            if os.path.exists(os.path.join(d, "vmcore.elf")):
                out.append((name, d, t))
        if not out:
            self.skipTest("no ELF test dumps")
        return out

    def run_damaged(self, dump, d, t, expect):
        """Every command on the damaged copy, in one session, then sys."""
        pids = [p["pid"] for p in t["processes"]]
        cmds = [f"smaps -j {pid}" for pid in pids]
        per_pid = sorted(set(expect.damaged) | set(expect.cut) | expect.stopped)
        for pid in per_pid:
            p = next(q for q in t["processes"] if q["pid"] == pid)
            addrs = " ".join(f"{v['start']:x}" for v in p["vmas"] if v["name"] != "[vsyscall]")
            cmds += [f"smaps -k {pid}", f"zerofill -c -j {pid}", f"thpmap -j {pid}",
                     f"pageruns -j {pid}", f"vmwhere -j {pid} {addrs}"]
        cmds += ["smaps -a -j", "sys"]
        outs = run_crash(d, cmds, vmcore=dump.path, vmlinux=os.path.join(d, "vmlinux"),
                         timeout=TIMEOUT)
        self.assertIn("RELEASE:", outs[-1].decode("utf-8", "replace"), "crash answers sys")
        self.assertIn(t["kernel"]["release"], outs[-1].decode("utf-8", "replace"))
        procs = {p["pid"]: p for p in t["processes"]}
        for pid, out in zip(pids, outs):
            self.check_smaps_json(procs[pid], out, expect)
        i = len(pids)
        for pid in per_pid:
            if pid in expect.stopped:
                for j, c in enumerate(["smaps", "zerofill", "thpmap", "pageruns", "vmwhere"]):
                    if c != "smaps":
                        split_lines(self, outs[i + j], c)
                i += 5
                continue
            self.check_smaps_kernel(procs[pid], outs[i], expect)
            self.check_zerofill(procs[pid], outs[i + 1], expect)
            self.check_thpmap(procs[pid], outs[i + 2], expect)
            split_lines(self, outs[i + 3], "pageruns")
            self.check_vmwhere(procs[pid], outs[i + 4], expect)
            i += 5
        self.check_all(t, outs[i], expect)
        return outs

    def check_smaps_json(self, p, out, expect):
        pid = p["pid"]
        objs, errors = split_lines(self, out, "smaps")
        if pid in expect.stopped:
            self.assertTrue(errors, f"pid {pid}: the error is shown")
            return
        vmas = [o for o in objs if o["type"] == "vma"]
        rollups = [o for o in objs if o["type"] == "rollup"]
        self.assertEqual(len(rollups), 1, f"pid {pid}: one rollup")
        got = {}
        for o in vmas:      # a list loop may show a VMA twice: once sound, once flagged
            a = int(o["start"], 16)
            if a not in got or "errors" in got[a]:
                got[a] = o
        cut = expect.cut.get(pid)
        if cut is not None:
            self.assertTrue(any("VMA list incomplete" in e for e in errors),
                            f"pid {pid}: the broken list is reported: {errors}")
            self.assertIn("errors", rollups[0], f"pid {pid}: rollup")
        else:
            self.assertEqual(len(vmas), len(p["vmas"]), f"pid {pid}: every VMA listed")
        flagged = 0
        for i, want in enumerate(p["vmas"]):
            where = f"pid {pid} vma {want['start']:x} {want['name']!r}"
            o = got.get(want["start"])
            if expect.hit(pid, want):
                if o is not None and int(o["end"], 16) == want["end"]:
                    self.assertIn("errors", o, f"{where}: damage flagged")
                    flagged += 1
                elif cut is None or i <= cut:
                    # its own struct is damaged: listed at its place, flagged
                    bad = [v for v in vmas if "errors" in v]
                    self.assertTrue(bad, f"{where}: damaged VMA flagged")
                continue
            if cut is not None and i > cut:
                if o is None or "errors" in o:
                    continue
            if expect.exempt(pid, want):
                continue
            self.assertIsNotNone(o, f"{where}: listed")
            self.assertNotIn("errors", o, where)
            self.assertEqual(int(o["end"], 16), want["end"], where)
            self.assertEqual(o["perms"], want["perms"], where)
            raw = bytes.fromhex(o["name_hex"]) if "name_hex" in o else o["name"].encode()
            self.assertEqual(kernel_escape(raw), bytes.fromhex(want["name_hex"]), where)
            for k, v in want["fields"].items():
                self.assertEqual(o[k], v, f"{where} {k}")
            self.assertEqual(o["THPeligible"], want["THPeligible"], where)
            self.assertEqual(o["VmFlags"], want["VmFlags"], where)
        starts = {v["start"] for v in p["vmas"]}
        for o in vmas:
            if int(o["start"], 16) not in starts:
                self.assertIn("errors", o, f"pid {pid}: a VMA not in the kernel's list: {o}")
        if not expect.touched(pid) and pid not in expect.maybe:
            for k, v in p["rollup"]["fields"].items():
                self.assertEqual(rollups[0][k], v, f"rollup of pid {pid}: {k}")
            self.assertNotIn("errors", rollups[0])
        else:
            self.assertIn("errors", rollups[0], f"rollup of pid {pid}")

    def check_smaps_kernel(self, p, out, expect):
        """smaps -k: undamaged VMAs' blocks are the kernel's, byte for byte."""
        want = smaps_blocks(bytes.fromhex(p["smaps_hex"]))
        got = smaps_blocks(out)
        lines = out.splitlines()
        if p["pid"] in expect.cut:
            self.assertIn(b"VMA list incomplete", out, f"pid {p['pid']}: smaps -k")
        else:
            self.assertTrue(any(line.startswith(b"  ! ") for line in lines),
                            f"pid {p['pid']}: smaps -k flags the damage")
        for i, v in enumerate(p["vmas"]):
            if expect.hit(p["pid"], v) or expect.exempt(p["pid"], v):
                continue
            if p["pid"] in expect.cut and i > expect.cut[p["pid"]]:
                continue
            block = got.get(v["start"], b"")
            self.assertEqual(block, want[v["start"]], f"smaps -k pid {p['pid']} {v['start']:x}")

    def check_zerofill(self, p, out, expect):
        objs, _ = split_lines(self, out, "zerofill")
        for o in objs:
            if o["type"] != "zerofill":
                continue
            start = int(o["start"], 16)
            v = next((v for v in p["vmas"] if v["start"] == start), None)
            # zerofill reads no struct page: their damage is not its to see
            if v and expect.hit(p["pid"], v) and int(o["end"], 16) == v["end"] \
                    and not expect.struct_pages:
                self.assertIn("errors", o, f"zerofill pid {p['pid']} {start:x}")

    def check_thpmap(self, p, out, expect):
        objs, _ = split_lines(self, out, "thpmap")
        for o in objs:
            start = int(o["start"], 16)
            v = next((v for v in p["vmas"] if v["start"] == start), None)
            if v is None or int(o["end"], 16) != v["end"]:
                continue
            if expect.hit(p["pid"], v):
                self.assertIn("errors", o, f"thpmap pid {p['pid']} {start:x}")
            elif "errors" not in o and not expect.exempt(p["pid"], v):
                self.assertEqual(o["THPeligible"], v["THPeligible"], f"thpmap {start:x}")
                self.assertEqual(o["AnonHugePages"], v["fields"]["AnonHugePages"],
                                 f"thpmap {start:x}")

    def check_vmwhere(self, p, out, expect):
        objs, errors = split_lines(self, out, "vmwhere")
        cut = expect.cut.get(p["pid"])
        by_addr = {int(o["addr"], 16): o for o in objs if o["type"] == "where"}
        for i, v in enumerate(p["vmas"]):
            if v["name"] == "[vsyscall]" or expect.hit(p["pid"], v) or (cut is not None and i > cut):
                continue
            o = by_addr.get(v["start"])
            self.assertIsNotNone(o, f"vmwhere {v['start']:x}: answered ({errors})")
            self.assertEqual(o["kind"], "mapped", f"vmwhere {v['start']:x}")
            self.assertEqual(int(o["vma_start"], 16), v["start"])
            self.assertEqual(int(o["vma_end"], 16), v["end"])

    def check_all(self, t, out, expect):
        objs, _ = split_lines(self, out, "smaps")
        by_pid = {o["pid"]: o for o in objs}
        for p in t["processes"]:
            o = by_pid.get(p["pid"])
            if expect.touched(p["pid"]):
                if o is not None:
                    self.assertIn("errors", o, f"smaps -a: pid {p['pid']}")
                continue
            if p["pid"] in expect.maybe:
                continue
            self.assertIsNotNone(o, f"smaps -a: pid {p['pid']}")
            for k in ("Rss", "Pss", "Anonymous", "Swap"):
                self.assertEqual(o[k], p["rollup"]["fields"][k], f"smaps -a pid {p['pid']} {k}")

    # ---- the cases ----------------------------------------------------------

    def test_pte_table_random(self):
        """A PTE table page of one VMA overwritten with random bytes."""
        for name, d, t in self.dumps_with_elf():
            with self.subTest(kernel=name):
                s = survey(d)
                r = t["regions"]["written"]
                table = s["vtop"]["written"]["PTE"][0] & ~0xfff
                lo = r["start"] & ~(2 * MiB - 1)
                with damaged_copy(os.path.join(d, "vmcore.elf")) as dump:
                    dump.scribble(table, 4096, seed=1)
                    self.run_damaged(dump, d, t, Expect({s["main"]: [(lo, lo + 2 * MiB)]}))

    def test_pmd_table_past_end(self):
        """A PMD entry pointing to a PTE table past the end of memory."""
        for name, d, t in self.dumps_with_elf():
            with self.subTest(kernel=name):
                s = survey(d)
                r = t["regions"]["written"]
                at, val = s["vtop"]["written"]["PMD"]
                lo = r["start"] & ~(2 * MiB - 1)
                with damaged_copy(os.path.join(d, "vmcore.elf")) as dump:
                    dump.put_u64(at, (val & ~ENTRY_PFN) | (PAST_PFN << 12))
                    self.run_damaged(dump, d, t, Expect({s["main"]: [(lo, lo + 2 * MiB)]}))

    def test_upper_garbage(self):
        """A PUD entry of one task and the top-level (P4D or PGD) entry of
        another made garbage."""
        for name, d, t in self.dumps_with_elf():
            with self.subTest(kernel=name):
                s = survey(d)
                pud_at, _ = s["vtop"]["untouched"]["PUD"]
                vt = s["vtop"]["nothp_aligned"]
                top = "P4D" if "P4D" in vt else "PGD"
                top_at, _ = vt[top]
                lo = t["regions"]["untouched"]["start"] & ~(GiB - 1)
                lo2 = t["regions"]["nothp_aligned"]["start"] & ~((1 << 39) - 1)
                with damaged_copy(os.path.join(d, "vmcore.elf")) as dump:
                    dump.put_u64(pud_at, 0x5a17_c0de_dead_beef)
                    dump.put_u64(top_at, 0x0bad_f00d_0bad_f00d)
                    self.run_damaged(dump, d, t, Expect({s["main"]: [(lo, lo + GiB)],
                                                         s["other"]: [(lo2, lo2 + (1 << 39))]}))

    def test_vma_random(self):
        """A vm_area_struct overwritten with random bytes: on 5.10 it also holds
        the list's next pointer, so the list ends there."""
        for name, d, t in self.dumps_with_elf():
            with self.subTest(kernel=name):
                s = survey(d)
                r = t["regions"]["written"]
                p = next(q for q in t["processes"] if q["pid"] == s["main"])
                vma = next(a for a, st, en in s["vm"][s["main"]][2] if st == r["start"])
                i = vma_index(p, r["start"])
                cut = {s["main"]: i} if s["off_mm_mt"] is None else {}
                with damaged_copy(os.path.join(d, "vmcore.elf")) as dump:
                    dump.scribble(phys_of(s, vma), s["vma_size"], seed=2)
                    self.run_damaged(dump, d, t, Expect(
                        {s["main"]: [(r["start"], r["start"] + r["length"])]}, cut))

    def test_vma_list_loop(self):
        """5.10: a vm_next pointing back to an earlier VMA."""
        for name, d, t in self.dumps_with_elf():
            s = survey(d)
            if s["off_mm_mt"] is not None:
                continue
            with self.subTest(kernel=name):
                r = t["regions"]["written"]
                p = next(q for q in t["processes"] if q["pid"] == s["main"])
                vmas = s["vm"][s["main"]][2]
                k = next(j for j, (a, st, en) in enumerate(vmas) if st == r["start"])
                with damaged_copy(os.path.join(d, "vmcore.elf")) as dump:
                    dump.put_u64(phys_of(s, vmas[k][0]) + s["off_vm_next"], vmas[k - 3][0])
                    self.run_damaged(dump, d, t, Expect(cut={s["main"]: vma_index(p, r["start"])}))

    def maple_root(self, s, dump):
        mm = s["vm"][s["main"]][0]
        root = dump.u64(phys_of(s, mm + s["off_mm_mt"] + s["off_ma_root"]))
        self.assertEqual(root & 3, 2, "the mm's maple tree has a root node")
        node = root & ~0xff
        self.assertEqual((root >> 3) & 0xf, 3, "the root is a maple_arange_64")
        return node

    def maple_cut(self, s, t, dump, node):
        """The truth index of the last VMA under the root's first slot."""
        pivot0 = dump.u64(phys_of(s, node) + 8)
        p = next(q for q in t["processes"] if q["pid"] == s["main"])
        return max(i for i, v in enumerate(p["vmas"]) if v["end"] - 1 <= pivot0)

    def test_maple_loop(self):
        """6.1+: the maple root's second slot points back to the root."""
        for name, d, t in self.dumps_with_elf():
            s = survey(d)
            if s["off_mm_mt"] is None:
                continue
            with self.subTest(kernel=name):
                with damaged_copy(os.path.join(d, "vmcore.elf")) as dump:
                    node = self.maple_root(s, dump)
                    cut = self.maple_cut(s, t, dump, node)
                    # maple_arange_64: slots at 80; a child is node | type << 3 | 4
                    dump.put_u64(phys_of(s, node) + 80 + 8, node | (3 << 3) | 4)
                    self.run_damaged(dump, d, t, Expect(cut={s["main"]: cut}))

    def test_maple_node_garbage(self):
        """6.1+: the node under the maple root's second slot overwritten."""
        for name, d, t in self.dumps_with_elf():
            s = survey(d)
            if s["off_mm_mt"] is None:
                continue
            with self.subTest(kernel=name):
                with damaged_copy(os.path.join(d, "vmcore.elf")) as dump:
                    node = self.maple_root(s, dump)
                    cut = self.maple_cut(s, t, dump, node)
                    child = dump.u64(phys_of(s, node) + 80 + 8) & ~0xff
                    self.assertTrue(child, "the root has a second child")
                    dump.scribble(phys_of(s, child), 256, seed=3)
                    self.run_damaged(dump, d, t, Expect(cut={s["main"]: cut}))

    def test_struct_page_garbage(self):
        """Struct pages of mapped pages: a bad compound_head, a huge mapcount."""
        for name, d, t in self.dumps_with_elf():
            with self.subTest(kernel=name):
                s = survey(d)
                sp = s["struct_page"]
                self.assertEqual(set(sp), {"written", "heap_grown"}, "both pages mapped")
                pfns = {n: s["vtop"][n]["PTE"][1] & ENTRY_PFN for n in sp}
                pfns = {n: v >> 12 for n, v in pfns.items()}
                # every VMA of every process that maps either page is damaged
                damaged = {}
                for p in t["processes"]:
                    pm = pagemap_entries(p)
                    for v in p["vmas"]:
                        for a in range(v["start"], v["end"], 4096):
                            e = pm.get(a, 0)
                            if e & PM_PRESENT and (e & PFN_MASK) in pfns.values():
                                damaged.setdefault(p["pid"], []).append((v["start"], v["end"]))
                                break
                self.assertIn(s["main"], damaged)
                with damaged_copy(os.path.join(d, "vmcore.elf")) as dump:
                    dump.put_u64(sp["written"] + s["off_compound_head"], 0xdead_4000_0000_0001)
                    dump.put_u32(sp["heap_grown"] + s["off_mapcount"], 0x7fff_fff0)
                    expect = Expect(damaged)
                    expect.struct_pages = True
                    self.run_damaged(dump, d, t, expect)

    def test_elf_segment_boundaries(self):
        """Struct pages are read in runs of vmemmap pages on ELF dumps; a run
        must not cross the end of a PT_LOAD segment.  The second page of a
        run that smaps of a workload process reads on the intact dump (three
        consecutive pages in its trace) gets a segment of its own elsewhere
        in the file, and garbage where it was: nothing may change."""
        for name, d, t in self.dumps_with_elf():
            with self.subTest(kernel=name), tempfile.TemporaryDirectory() as tmp:
                page = None
                for p in t["processes"]:
                    trace = os.path.join(tmp, f"trace.{p['pid']}")
                    os.environ["VMSCOPE_TRACE"] = trace
                    try:
                        run_crash(d, [f"smaps {p['pid']} > /dev/null"], vmcore="vmcore.elf")
                    finally:
                        del os.environ["VMSCOPE_TRACE"]
                    with open(trace, "rb") as f:
                        pages = [int.from_bytes(b, "little") for b in iter(lambda: f.read(8), b"")]
                    page = next((b for a, b, c in zip(pages, pages[1:], pages[2:])
                                 if b == a + 4096 and c == b + 4096), None)
                    if page:
                        break
                self.assertIsNotNone(page, "a workload process's smaps reads a run")
                with damaged_copy(os.path.join(d, "vmcore.elf")) as dump:
                    dump.isolate(page, 4096, seed=11)
                    self.assertEqual(dump.offset(page, 4096), os.path.getsize(dump.path) - 4096)
                    self.run_damaged(dump, d, t, Expect({}))
                    os.environ["VMSCOPE_STATS"] = "1"
                    try:
                        out = run_crash(d, ["smaps -a > /dev/null"], vmcore=dump.path,
                                        vmlinux=os.path.join(d, "vmlinux"), timeout=TIMEOUT)[0]
                    finally:
                        del os.environ["VMSCOPE_STATS"]
                    self.assertRegex(out, rb"vmscope-stats: smaps .* runs=[1-9]")

    def test_entries_past_end(self):
        """A PTE and a PMD leaf mapping pages past the end of memory (flagged),
        and swap entries past their device's end or for no device: smaps
        counts those as swap like any other, and so does vmscope (unflagged,
        as tests/unit/check_account.c:test_swap_counts asks), so they need
        only leave everything else alone."""
        for name, d, t in self.dumps_with_elf():
            with self.subTest(kernel=name):
                s = survey(d)
                reg = t["regions"]
                p = next(q for q in t["processes"] if q["pid"] == s["main"])
                pm = pagemap_entries(p)
                pte_at, pte = s["vtop"]["written"]["PTE"]
                pmd_at, pmd = s["vtop"]["thp_aligned"]["PMD"]
                self.assertTrue(pmd & 0x80, "thp_aligned starts with a PMD leaf")
                sw = reg["swapped"]
                swapped = [a for a in range(sw["start"], sw["start"] + sw["length"], 4096)
                           if pm.get(a, 0) & PM_SWAP]
                self.assertGreaterEqual(len(swapped), 2, "two swapped pages")
                table = s["vtop"]["swapped"]["PTE"][0] & ~0xfff
                damaged = [(reg[n]["start"], reg[n]["start"] + reg[n]["length"])
                           for n in ("written", "thp_aligned")]
                maybe = [(sw["start"], sw["start"] + sw["length"])]
                with damaged_copy(os.path.join(d, "vmcore.elf")) as dump:
                    dump.put_u64(pte_at, (pte & ~ENTRY_PFN) | (PAST_PFN << 12))
                    dump.put_u64(pmd_at, (pmd & ~ENTRY_PFN) | (PAST_PFN << 12))
                    for a, (typ, off) in zip(swapped[:2], [(0, 1 << 40), (20, 1)]):
                        at = table + ((a >> 12) & 511) * 8
                        old = dump.u64(at)
                        # x86_64 swap entry: type in 59-63, offset inverted from bit 9
                        new = (typ << 59) | ((~off & ((1 << 50) - 1)) << 9) | (old & 0x1fe)
                        dump.put_u64(at, new)
                    self.run_damaged(dump, d, t, Expect({s["main"]: damaged},
                                                        maybe={s["main"]: maybe}))


    def test_kernel_vmemmap_table(self):
        """The kernel's own page table for part of the vmemmap points past the
        end of memory: crash's kvtop raises FATAL for those struct pages.  Each
        task that needs one stops with crash's one error line; the command goes
        on with the next task, and every other task is exact."""
        for name, d, t in self.dumps_with_elf():
            with self.subTest(kernel=name):
                s = survey(d)
                va, vt = s["struct_page_vtop"]["written"]
                at, val = vt["PMD"]
                pfn = (s["vtop"]["written"]["PTE"][1] & ENTRY_PFN) >> 12
                base = va - pfn * s["page_size"]        # vmemmap_base
                lo = ((va & ~(2 * MiB - 1)) - base) // s["page_size"]
                hi = lo + 2 * MiB // s["page_size"]
                stopped = set()
                for p in t["processes"]:
                    if any(e & PM_PRESENT and lo <= (e & PFN_MASK) < hi
                           for e in pagemap_entries(p).values()):
                        stopped.add(p["pid"])
                self.assertIn(s["main"], stopped)
                with damaged_copy(os.path.join(d, "vmcore.elf")) as dump:
                    dump.put_u64(at, (PAST_PFN << 12) | 0x63)
                    self.run_damaged(dump, d, t, Expect(stopped=stopped))


if __name__ == "__main__":
    unittest.main()
