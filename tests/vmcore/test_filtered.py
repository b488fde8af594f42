# SPDX-License-Identifier: GPL-2.0-or-later
"""Production-style dumps: a real kdump (crashkernel=, kexec -p, sysrq c) in
the guest, filtered by makedumpfile -d 31 and -d 1.  Page tables and struct
pages are kept at both levels, so smaps must equal the kernel's own; content
filtered out must be reported as excluded, never as zero."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vmstest import DumpTest, content, is_anonymous, jsonl, page_states, run_crash  # noqa: E402


class Filtered(DumpTest):
    variant = "kdump"

    def test_smaps_exact(self):
        for name, d, t in self.each_dump():
            for level in ("d31", "d1"):
                with self.subTest(kernel=name, level=level):
                    cmds = []
                    for p in t["processes"]:
                        cmds += [f"smaps -k {p['pid']}", f"smaps -k -r {p['pid']}"]
                    outs = run_crash(d, ["sys"] + cmds, vmcore=f"vmcore-{level}")
                    self.assertIn("PARTIAL DUMP", outs[0].decode())
                    self.assertIn("sysrq", outs[0].decode())
                    for i, p in enumerate(t["processes"]):
                        self.assertEqual(outs[1 + 2 * i], bytes.fromhex(p["smaps_hex"]),
                                         f"smaps of pid {p['pid']}")
                        self.assertEqual(outs[2 + 2 * i], bytes.fromhex(p["rollup_hex"]),
                                         f"smaps_rollup of pid {p['pid']}")

    def test_zerofill_content(self):
        """-d 31 drops every user page: all excluded, none zero.  -d 1 drops only
        all-zero pages, which read back as zeros: the kernel's count."""
        for name, d, t in self.each_dump():
            p = t["processes"][0]
            for level in ("d31", "d1"):
                with self.subTest(kernel=name, level=level):
                    outs = run_crash(d, ["set zero_excluded on", f"zerofill -c -j {p['pid']}",
                                         "set zero_excluded", "set zero_excluded off",
                                         f"zerofill -c -j {p['pid']}"], vmcore=f"vmcore-{level}")
                    self.assertIn("on", outs[2].decode(), "zerofill changed the user's setting")
                    cont = content(p)
                    anon = [v for v in p["vmas"] if is_anonymous(v)]
                    for out in (outs[1], outs[4]):
                        objs = [o for o in jsonl(out) if o["type"] == "zerofill"]
                        self.assertEqual(len(objs), len(anon))
                        for o, v in zip(objs, anon):
                            st = page_states(t, p, v)
                            populated = [a for a, (k, _) in st.items() if k == "present"]
                            where = f"{v['start']:x}"
                            self.assertEqual(o["populated_pages"], len(populated), where)
                            if level == "d31":
                                self.assertEqual(o["zero_content_pages"], 0, where)
                                self.assertEqual(o["excluded_pages"], len(populated), where)
                            else:
                                want = sum(1 for a in populated if cont.get(a) == 1)
                                self.assertEqual(o["zero_content_pages"], want, where)
                                self.assertEqual(o["excluded_pages"], 0, where)


if __name__ == "__main__":
    unittest.main()
