# SPDX-License-Identifier: GPL-2.0-or-later
"""The test dumps themselves: they open in crash, are the kernels they claim,
and their ground truth is complete and agrees with crash's own view."""
import re
import sys
import os
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vmstest import DumpTest, run_crash  # noqa: E402


class Substrate(DumpTest):
    def test_release(self):
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                out = run_crash(d, ["sys"])[0].decode()
                m = re.search(r"RELEASE: (\S+)", out)
                self.assertIsNotNone(m, out)
                self.assertEqual(m.group(1), t["kernel"]["release"])
                self.assertTrue(t["kernel"]["release"].startswith(name + "."))

    def test_truth_complete(self):
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                self.assertEqual(sorted(t["ready"]), sorted(p["pid"] for p in t["processes"]))
                self.assertEqual(len(t["ready"]), 3)
                for p in t["processes"]:
                    self.assertTrue(p["stable"], f"pid {p['pid']} moved during the capture")
                    self.assertGreater(len(p["vmas"]), 5)
                    self.assertGreater(len(p["pagemap"]), 0)
                    self.assertIsNotNone(p["rollup"])
                for f in ("/proc/meminfo", "/proc/swaps", "/proc/sys/vm/overcommit_ratio",
                          "/sys/kernel/mm/transparent_hugepage/enabled"):
                    self.assertIn(f, t["sys"])
                self.assertIn("/dev/zram0", t["sys"]["/proc/swaps"], "no swap in the guest")

    def test_crash_vm_agrees(self):
        """crash's own vm lists each workload process's VMAs where smaps put them."""
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                pids = [p["pid"] for p in t["processes"]]
                outs = run_crash(d, [f"vm {pid}" for pid in pids])
                for p, out in zip(t["processes"], outs):
                    got = set()
                    for line in out.decode("utf-8", "replace").splitlines():
                        m = re.match(r"\s*[0-9a-f]{16}\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s", line)
                        if m:
                            got.add((int(m.group(1), 16), int(m.group(2), 16)))
                    want = {(v["start"], v["end"]) for v in p["vmas"] if v["name"] != "[vsyscall]"}
                    self.assertEqual(got, want, f"pid {p['pid']}")


if __name__ == "__main__":
    unittest.main()
