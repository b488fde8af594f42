# SPDX-License-Identifier: GPL-2.0-or-later
"""Live sessions: crash 9.0.2 with vmscope inside the guest, on its own
/proc/kcore (tests/live-commands), with the workload stopped after its ground
truth was captured.  The output must equal the kernel's own account."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vmstest import DumpTest, is_anonymous, page_states  # noqa: E402


MARK = b"@@vmscope-live@@"


def outputs(d):
    """{command: its output, as bytes} from live.out, cut at the markers."""
    with open(os.path.join(d, "live.json")) as f:
        j = json.load(f)
    assert j["complete"], "the live session did not reach the end of its commands"
    cmds = {c["n"]: c["command"] for c in j["commands"]}
    with open(os.path.join(d, "live.out"), "rb") as f:
        raw = f.read()
    out, cur = {}, None
    for line in raw.splitlines(keepends=True):
        w = line.split()
        if len(w) == 2 and w[0] == MARK:
            cur = cmds.get(int(w[1])) if w[1].isdigit() else None
            if cur:
                out[cur] = b""
        elif cur:
            out[cur] += line
    return out, j


class Live(DumpTest):
    variant = "live"

    def test_session(self):
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                out, j = outputs(d)
                self.assertIn(b"DUMPFILE: /proc/kcore", out["sys"])
                self.assertEqual(j["pids"], [p["pid"] for p in t["processes"]])
                for p in t["processes"]:
                    self.assertEqual(out[f"smaps -k {p['pid']}"], bytes.fromhex(p["smaps_hex"]),
                                     f"pid {p['pid']}")
                p = t["processes"][0]
                self.assertEqual(out[f"smaps -k -r {p['pid']}"], bytes.fromhex(p["rollup_hex"]))

    def test_views(self):
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                out, _ = outputs(d)
                p = t["processes"][0]
                objs = [json.loads(l) for l in out[f"zerofill -c -j {p['pid']}"].splitlines()]
                objs = [o for o in objs if o["type"] == "zerofill"]
                anon = [v for v in p["vmas"] if is_anonymous(v)]
                self.assertEqual(len(objs), len(anon))
                for o, v in zip(objs, anon):
                    kinds = [k for k, _ in page_states(t, p, v).values()]
                    self.assertEqual(o["untouched_pages"], kinds.count("none"))
                    self.assertEqual(o["zero_pages"], kinds.count("zero"))
                    self.assertEqual(o["huge_zero_pages"], kinds.count("huge_zero"))
                    self.assertEqual(o["populated_pages"], kinds.count("present"))
                    self.assertEqual(o["excluded_pages"], 0)
                sysv = json.loads(out["vmsys -j"])
                self.assertEqual(sysv["overcommit_ratio"], int(t["sys"]["/proc/sys/vm/overcommit_ratio"]))
                self.assertEqual(sysv["thp_enabled"],
                                 t["sys"]["/sys/kernel/mm/transparent_hugepage/enabled"].strip())

    def test_errors_leave_crash_usable(self):
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                out, _ = outputs(d)
                self.assertEqual(out["smaps 99999"].strip(), b"smaps: invalid task or pid value: 99999")
                pid = t["processes"][0]["pid"]
                # the same command before and after the error gives the same answer
                lines = [l for l in out[f"smaps -j {pid}"].splitlines() if l]
                self.assertTrue(all(json.loads(l) for l in lines))


if __name__ == "__main__":
    unittest.main()
