# SPDX-License-Identifier: GPL-2.0-or-later
"""smaps: every VMA of every workload process, compared with the kernel's own
/proc/PID/smaps and smaps_rollup captured in the guest."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vmstest import (PFN_MASK, PM_PRESENT, PM_SWAP, DumpTest, jsonl,  # noqa: E402
                     pagemap_entries, run_crash, zero_pfns)



def kernel_escape(raw):
    return raw.replace(b"\n", b"\\012")


def expected_extras(t, proc, vma):
    """ZeroPage, HugeZeroPage and Untouched of a VMA, from the pagemap."""
    zero, huge = zero_pfns(t)
    pm = pagemap_entries(proc)
    z = hz = none = 0
    for a in range(vma["start"], vma["end"], 4096):
        e = pm.get(a, 0)
        if not e & (PM_PRESENT | PM_SWAP):
            none += 1   # holes may still carry PM_SOFT_DIRTY from VM_SOFTDIRTY
        elif e & PM_PRESENT and (e & PFN_MASK) == zero:
            z += 1
        elif e & PM_PRESENT and huge <= (e & PFN_MASK) < huge + 512:
            hz += 1
    return {"ZeroPage": z * 4, "HugeZeroPage": hz * 4, "Untouched": none * 4}


class Smaps(DumpTest):
    def test_kernel_text_exact(self):
        """smaps -k and smaps -k -r equal the kernel's text byte for byte."""
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                cmds = []
                for p in t["processes"]:
                    cmds += [f"smaps -k {p['pid']}", f"smaps -k -r {p['pid']}"]
                outs = run_crash(d, cmds)
                for i, p in enumerate(t["processes"]):
                    self.assertEqual(outs[2 * i].decode("utf-8", "backslashreplace"),
                                     bytes.fromhex(p["smaps_hex"]).decode("utf-8", "backslashreplace"),
                                     f"smaps of pid {p['pid']}")
                    self.assertEqual(outs[2 * i + 1], bytes.fromhex(p["rollup_hex"]),
                                     f"smaps_rollup of pid {p['pid']}")

    def test_elf_struct_pages_in_runs(self):
        """On the ELF dump, where struct pages are read in runs of vmemmap
        pages (one back-end call each), smaps still equals the kernel's text,
        and the runs really happened, reading no page twice."""
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                cmds = [f"smaps -k {p['pid']}" for p in t["processes"]]
                outs = run_crash(d, cmds, vmcore="vmcore.elf")
                for p, out in zip(t["processes"], outs):
                    self.assertEqual(out.decode("utf-8", "backslashreplace"),
                                     bytes.fromhex(p["smaps_hex"]).decode("utf-8", "backslashreplace"),
                                     f"smaps of pid {p['pid']} (ELF)")
                os.environ["VMSCOPE_STATS"] = "1"
                try:
                    out = run_crash(d, ["smaps -a > /dev/null"], vmcore="vmcore.elf")[0]
                finally:
                    del os.environ["VMSCOPE_STATS"]
                st = dict(kv.split("=") for kv in re.search(
                    rb"vmscope-stats: smaps (.*)", out).group(1).decode().split())
                self.assertGreater(int(st["runs"]), 0, st)
                self.assertGreater(int(st["run_pages"]), int(st["runs"]), st)
                self.assertEqual(int(st["memmap_rereads"]), 0, st)

    def test_json_fields(self):
        """smaps -j: every field of every VMA equals the kernel's."""
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                outs = run_crash(d, [f"smaps -j {p['pid']}" for p in t["processes"]])
                for p, out in zip(t["processes"], outs):
                    objs = jsonl(out)
                    vmas = [o for o in objs if o["type"] == "vma"]
                    rollups = [o for o in objs if o["type"] == "rollup"]
                    self.assertEqual(len(vmas), len(p["vmas"]), f"pid {p['pid']}")
                    self.assertEqual(len(rollups), 1)
                    for got, want in zip(vmas, p["vmas"]):
                        where = f"pid {p['pid']} vma {want['start']:x}"
                        self.assertEqual(got["pid"], p["pid"])
                        self.assertEqual(int(got["start"], 16), want["start"], where)
                        self.assertEqual(int(got["end"], 16), want["end"], where)
                        self.assertEqual(got["perms"], want["perms"], where)
                        self.assertEqual(int(got["offset"], 16), want["offset"], where)
                        self.assertEqual(got["dev"], want["dev"], where)
                        self.assertEqual(got["inode"], want["inode"], where)
                        raw = bytes.fromhex(got["name_hex"]) if "name_hex" in got else got["name"].encode()
                        self.assertEqual(kernel_escape(raw), bytes.fromhex(want["name_hex"]), where)
                        for k, v in want["fields"].items():
                            self.assertEqual(got[k], v, f"{where} {k}")
                        self.assertEqual(got["THPeligible"], want["THPeligible"], where)
                        self.assertEqual(got["VmFlags"], want["VmFlags"], where)
                        if "ProtectionKey" in want:
                            self.assertEqual(got["ProtectionKey"], want["ProtectionKey"], where)
                        else:
                            self.assertNotIn("ProtectionKey", got)
                        # pagemap reports VM_PFNMAP VMAs as holes without looking
                        if want["name"] != "[vsyscall]" and "pf" not in want["VmFlags"].split():
                            for k, v in expected_extras(t, p, want).items():
                                self.assertEqual(got[k], v, f"{where} {k}")
                        self.assertEqual(got["Excluded"], 0, where)
                        self.assertNotIn("errors", got, where)
                    for k, v in p["rollup"]["fields"].items():
                        self.assertEqual(rollups[0][k], v, f"rollup of pid {p['pid']}: {k}")

    def test_targets(self):
        """pid, task address and command name all name the same address space."""
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                p = t["processes"][0]
                task = None
                out = run_crash(d, [f"ps {p['pid']}"])[0].decode()
                m = re.search(r"^\S*\s*%d\s+\d+\s+\d+\s+([0-9a-f]+)" % p["pid"], out, re.M)
                self.assertIsNotNone(m, out)
                task = m.group(1)
                outs = run_crash(d, [f"smaps -j -r {p['pid']}", f"smaps -j -r {task}",
                                     "smaps -j -r vmscope-wl", "smaps -j -r wl-child",
                                     f"smaps -j -r {p['pid']} {p['pid']}"])
                by_pid, by_task, by_name, child, twice = [jsonl(o) for o in outs]
                self.assertEqual(by_pid, by_task)
                self.assertEqual(by_pid, by_name)
                self.assertEqual(len(twice), 1, "one address space is shown once")
                self.assertEqual(child[0]["pid"], t["processes"][1]["pid"])
                self.assertEqual(child[0]["comm"], "wl-child")

    def test_table_and_all(self):
        """The table's total and smaps -a's line agree with smaps_rollup."""
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                pids = [p["pid"] for p in t["processes"]]
                outs = run_crash(d, [f"smaps {pid}" for pid in pids] + ["smaps -a", "smaps -a -j"])
                for p, out in zip(t["processes"], outs):
                    lines = out.decode("utf-8").splitlines()
                    self.assertTrue(lines[0].startswith(f"PID: {p['pid']} "), lines[0])
                    total = [l for l in lines if l.strip().startswith("TOTAL")][0].split()
                    self.assertEqual(int(total[2]), p["rollup"]["fields"]["Rss"])
                    self.assertEqual(int(total[3]), p["rollup"]["fields"]["Pss"])
                    self.assertEqual(len([l for l in lines if re.match(r"\s+[0-9a-f]+\s+[0-9a-f]+ [r-]", l)]),
                                     len(p["vmas"]))
                all_lines = outs[-2].decode().splitlines()
                rss = [int(l.split()[4]) for l in all_lines[1:] if l.strip()]
                self.assertEqual(rss, sorted(rss, reverse=True))
                rows = {int(l.split()[0]): l for l in all_lines[1:] if l.strip()}
                for p in t["processes"]:
                    self.assertEqual(int(rows[p["pid"]].split()[4]), p["rollup"]["fields"]["Rss"])
                objs = {o["pid"]: o for o in jsonl(outs[-1])}
                for p in t["processes"]:
                    self.assertEqual(objs[p["pid"]]["Rss"], p["rollup"]["fields"]["Rss"])
                    self.assertEqual(objs[p["pid"]]["Pss"], p["rollup"]["fields"]["Pss"])
                hostile = objs[t["processes"][2]["pid"]]["comm"]
                self.assertEqual(hostile.encode(), bytes.fromhex(t["processes"][2]["comm_hex"]))


if __name__ == "__main__":
    unittest.main()
