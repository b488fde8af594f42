# SPDX-License-Identifier: GPL-2.0-or-later
"""zerofill, thpmap, pageruns, vmwhere and vmsys against the kernel's own
pagemap, kpageflags, smaps, /proc and /sys captured in the guest."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vmstest import (KPF_COMPOUND_HEAD, KPF_COMPOUND_TAIL, KPF_HUGE, DumpTest,  # noqa: E402
                     content, is_anonymous, jsonl, kpageflags, page_states, run_crash,
                     zero_pfns)


def vma_at(proc, start):
    return [v for v in proc["vmas"] if v["start"] == start][0]


class Zerofill(DumpTest):
    def test_counts(self):
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                outs = run_crash(d, [f"zerofill -c -j {p['pid']}" for p in t["processes"]])
                for p, out in zip(t["processes"], outs):
                    objs = [o for o in jsonl(out) if o["type"] == "zerofill"]
                    anon = [v for v in p["vmas"] if is_anonymous(v)]
                    self.assertEqual([int(o["start"], 16) for o in objs], [v["start"] for v in anon])
                    cont = content(p)
                    for o, v in zip(objs, anon):
                        st = page_states(t, p, v)
                        kinds = [k for k, _ in st.values()]
                        want = {
                            "pages": len(st),
                            "untouched_pages": kinds.count("none"),
                            "zero_pages": kinds.count("zero"),
                            "huge_zero_pages": kinds.count("huge_zero"),
                            "populated_pages": kinds.count("present"),
                            "swap_pages": kinds.count("swap"),
                            "zero_content_pages": sum(1 for a, (k, _) in st.items()
                                                      if k == "present" and cont.get(a) == 1),
                            "excluded_pages": 0,
                        }
                        for k, w in want.items():
                            self.assertEqual(o[k], w, f"pid {p['pid']} {v['start']:x} {k}")
                    total = [o for o in jsonl(out) if o["type"] == "zerofill_total"][0]
                    self.assertEqual(total["zero_content_pages"], sum(o["zero_content_pages"] for o in objs))

    def test_workload_regions(self):
        """What the workload did, seen through zerofill (from the kernel's pagemap)."""
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                r = t["regions"]
                pid = r["written"]["pid"]
                objs = {int(o["start"], 16): o for o in jsonl(run_crash(d, [f"zerofill -c -j {pid}"])[0])
                        if o["type"] == "zerofill"}
                self.assertEqual(objs[r["untouched"]["start"]]["untouched_pages"], 1024)
                self.assertEqual(objs[r["read_nothp"]["start"]]["zero_pages"], 256)
                self.assertEqual(objs[r["read_thp"]["start"]]["huge_zero_pages"], 1024)
                # every fourth page of "written" was written with zeros
                self.assertEqual(objs[r["written"]["start"]]["zero_content_pages"], 256)
                self.assertEqual(objs[r["swapped"]["start"]]["swap_pages"], 256)


class Thpmap(DumpTest):
    def test_per_vma(self):
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                outs = run_crash(d, [f"thpmap -j {p['pid']}" for p in t["processes"]])
                for p, out in zip(t["processes"], outs):
                    objs = jsonl(out)
                    self.assertEqual(len(objs), len(p["vmas"]))
                    kpf = kpageflags(p)
                    pm_states = {}
                    for o, v in zip(objs, p["vmas"]):
                        where = f"pid {p['pid']} {v['start']:x}"
                        self.assertEqual(int(o["start"], 16), v["start"])
                        self.assertEqual(o["THPeligible"], v["THPeligible"], where)
                        if not o["THPeligible"]:
                            self.assertTrue(o["reason"], where)
                        first = (v["start"] + 0x1fffff) & ~0x1fffff
                        last = v["end"] & ~0x1fffff
                        self.assertEqual(o["aligned_windows"], max(0, (last - first) >> 21), where)
                        f = v["fields"]
                        pmd = (f["AnonHugePages"] + f["ShmemPmdMapped"] + f["FilePmdMapped"]) // 2048
                        self.assertEqual(o["pmd_thp"], pmd, where)
                        self.assertEqual(o["AnonHugePages"], f["AnonHugePages"], where)
                        if v["name"] == "[vsyscall]" or "pf" in v["VmFlags"].split():
                            continue
                        st = page_states(t, p, v)
                        compound = [a for a, (k, pfn) in st.items() if k == "present" and
                                    kpf.get(a, 0) & (KPF_COMPOUND_HEAD | KPF_COMPOUND_TAIL) and
                                    not kpf.get(a, 0) & KPF_HUGE]
                        self.assertEqual(o["pte_thp_pages"], len(compound) - pmd * 512, where)
                        unaligned = [a for a in compound if (a ^ (st[a][1] << 12)) & 0x1fffff]
                        self.assertEqual(o["unaligned_thp_pages"], len(unaligned), where)

    def test_regions(self):
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                r = t["regions"]
                pid = r["thp_split"]["pid"]
                objs = {int(o["start"], 16): o for o in jsonl(run_crash(d, [f"thpmap -j {pid}"])[0])}
                self.assertEqual(objs[r["thp_split"]["start"]]["pte_thp_pages"], 511)
                moved = objs[r["thp_mremapped"]["start"]]
                self.assertEqual(moved["pte_thp_pages"], 512)
                self.assertEqual(moved["unaligned_thp_pages"], 512)
                self.assertEqual(objs[r["thp_aligned"]["start"]]["pmd_thp"], 4)
                self.assertEqual(objs[r["read_nothp"]["start"]]["reason"], "VM_NOHUGEPAGE (madvise)")
                nothp = t["regions"]["nothp_aligned"]
                o = jsonl(run_crash(d, [f"thpmap -j {nothp['pid']}"])[0])
                o = [x for x in o if int(x["start"], 16) == nothp["start"]][0]
                self.assertEqual(o["reason"], "MMF_DISABLE_THP (prctl)")

    def test_windows(self):
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                p = t["processes"][0]
                objs = jsonl(run_crash(d, [f"thpmap -w -j {p['pid']}"])[0])
                vmas = [o for o in objs if o["type"] == "thp"]
                wins = [o for o in objs if o["type"] == "window"]
                self.assertEqual(len(wins), sum(o["aligned_windows"] for o in vmas if o["name"] != "[vsyscall]"))
                self.assertEqual(sum(1 for w in wins if w["state"] == "thp"), sum(o["pmd_thp"] for o in vmas))
                st = {}
                for v in p["vmas"]:
                    if v["name"] != "[vsyscall]" and "pf" not in v["VmFlags"].split():
                        st.update(page_states(t, p, v))
                for w in wins:
                    a = int(w["start"], 16)
                    kinds = [st[a + i * 4096][0] for i in range(512)]
                    self.assertEqual(w["populated_pages"], kinds.count("present"), w)
                    self.assertEqual(w["zero_pages"], kinds.count("zero"), w)
                    self.assertEqual(w["swap_pages"], kinds.count("swap"), w)
                    if kinds.count("huge_zero") == 512:
                        self.assertEqual(w["state"], "huge_zero")
                    if kinds.count("none") == 512:
                        self.assertEqual(w["state"], "empty")


class Pageruns(DumpTest):
    def test_every_page(self):
        """Expanded, the runs give every page of every VMA the kernel's translation."""
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                swaps = t["sys"]["/proc/swaps"].splitlines()[1].split()[0]
                outs = run_crash(d, [f"pageruns -j {p['pid']}" for p in t["processes"]])
                zero, huge = zero_pfns(t)
                for p, out in zip(t["processes"], outs):
                    got = {}
                    for r in jsonl(out):
                        start = int(r["start"], 16)
                        for i in range(r["pages"]):
                            a = start + i * 4096
                            self.assertNotIn(a, got, "a page in two runs")
                            got[a] = (r, i)
                    for v in p["vmas"]:
                        if v["name"] == "[vsyscall]" or "pf" in v["VmFlags"].split():
                            continue
                        for a, (kind, x) in page_states(t, p, v).items():
                            r, i = got[a]
                            where = f"pid {p['pid']} page {a:x}"
                            if kind in ("present", "zero", "huge_zero"):
                                self.assertIn(r["kind"], (kind, "thp") if kind == "present" else (kind,), where)
                                phys = int(r["phys"], 16) >> 12
                                if kind == "present":
                                    self.assertEqual(phys + i, x, where)
                                elif kind == "zero":
                                    self.assertEqual(phys, zero, where)
                                else:
                                    self.assertEqual(phys & ~511, huge, where)
                            elif kind == "swap":
                                self.assertEqual(r["kind"], "swap", where)
                                self.assertEqual(r["swap_type"], x[0], where)
                                self.assertEqual(int(r["swap_offset"], 16) + i, x[1], where)
                                self.assertEqual(r["swap_device"], swaps, where)
                            else:
                                self.assertIn(r["kind"], ("none", "file"), where)
                                self.assertEqual(r["kind"] == "file", v["inode"] != 0, where)


class Vmwhere(DumpTest):
    def test_addresses(self):
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                p = t["processes"][0]
                vmas = [v for v in p["vmas"] if v["name"] != "[vsyscall]"]
                addrs = [v["start"] + 0x123 for v in vmas if "pf" not in v["VmFlags"].split()]
                gaps = [vmas[i]["end"] + 0x10 for i in range(len(vmas) - 1)
                        if vmas[i + 1]["start"] > vmas[i]["end"] + 0x10]
                stack = [v for v in vmas if v["name"] == "[stack]"][0]
                cmd = "vmwhere -j %d %s" % (p["pid"], " ".join("%x" % a for a in addrs + gaps + [0x10, stack["start"] - 0x10]))
                outs = run_crash(d, [cmd, f"vmwhere {p['pid']} zz12 ffffffff81000000 10"])
                objs = jsonl(outs[0])
                self.assertEqual(len(objs), len(addrs) + len(gaps) + 2)
                states = {}
                for v in vmas:
                    if "pf" not in v["VmFlags"].split():
                        states.update(page_states(t, p, v))
                for o, a in zip(objs, addrs):
                    v = [x for x in vmas if x["start"] <= a < x["end"]][0]
                    self.assertEqual(o["kind"], "mapped")
                    self.assertEqual(int(o["vma_start"], 16), v["start"])
                    kind, x = states[a & ~0xfff]
                    if kind == "present":
                        self.assertEqual(int(o["phys"], 16), (x << 12) | 0x123)
                    elif kind == "none":
                        self.assertIn(o["entry"], ("none", "file"))
                    else:
                        self.assertEqual(o["entry"], kind)
                for o, a in zip(objs[len(addrs):], gaps):
                    prev = [v for v in vmas if v["end"] <= a][-1]
                    nxt = [v for v in vmas if v["start"] > a][0]
                    self.assertEqual(o["kind"], "gap")
                    self.assertIsNone(o["vma_start"])
                    self.assertEqual(int(o["prev_end"], 16), prev["end"])
                    self.assertEqual(int(o["next_start"], 16), nxt["start"])
                    self.assertEqual(o["distance_prev"], 0x10)
                self.assertIn("NULL", objs[-2]["note"])
                self.assertIn("stack guard gap", objs[-1]["note"])
                text = outs[1].decode()
                self.assertIn("vmwhere: invalid address: zz12", text)
                self.assertIn("vmwhere: ffffffff81000000 is not a user address", text)
                self.assertIn("NULL", text)


class Vmsys(DumpTest):
    def test_equals_proc_and_sys(self):
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                o = jsonl(run_crash(d, ["vmsys -j"])[0])[0]
                s = t["sys"]
                num = lambda path: int(s[path].strip())  # noqa: E731
                thp = "/sys/kernel/mm/transparent_hugepage/"
                self.assertEqual(o["overcommit_memory"], num("/proc/sys/vm/overcommit_memory"))
                self.assertEqual(o["overcommit_ratio"], num("/proc/sys/vm/overcommit_ratio"))
                self.assertEqual(o["overcommit_kbytes"], num("/proc/sys/vm/overcommit_kbytes"))
                meminfo = {k: int(v.split()[0]) for k, v in
                           (l.split(":", 1) for l in s["/proc/meminfo"].splitlines())}
                self.assertEqual(o["commit_limit_kb"], meminfo["CommitLimit"])
                self.assertEqual(o["committed_as_kb"], meminfo["Committed_AS"])
                self.assertEqual(o["swap_total_kb"], meminfo["SwapTotal"])
                self.assertEqual(o["swap_free_kb"], meminfo["SwapFree"])
                self.assertEqual(o["thp_enabled"], s[thp + "enabled"].strip())
                self.assertEqual(o["thp_defrag"], s[thp + "defrag"].strip())
                self.assertEqual(o["shmem_enabled"], s[thp + "shmem_enabled"].strip())
                self.assertEqual(o["thp_use_zero_page"], num(thp + "use_zero_page"))
                for k in ("defrag", "pages_to_scan", "scan_sleep_millisecs", "alloc_sleep_millisecs",
                          "max_ptes_none", "max_ptes_swap", "max_ptes_shared"):
                    self.assertEqual(o["khugepaged_" + k], num(thp + "khugepaged/" + k), k)
                zero, huge = zero_pfns(t)
                self.assertEqual(o["zero_pfn"], zero)
                self.assertEqual(o["huge_zero_pfn"], huge)
                swaps = [l.split() for l in s["/proc/swaps"].splitlines()[1:]]
                self.assertEqual([(x["name"], x["type"], x["size_kb"], x["used_kb"], x["priority"])
                                  for x in o["swap_devices"]],
                                 [(w[0], w[1], int(w[2]), int(w[3]), int(w[4])) for w in swaps])


if __name__ == "__main__":
    unittest.main()
