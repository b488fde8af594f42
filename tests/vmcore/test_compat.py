# SPDX-License-Identifier: GPL-2.0-or-later
"""Between crash versions: built against Debian 12's crash 8.0.2 (its
/usr/include/crash/defs.h), vmscope gives the kernel's own smaps on the 5.10
dump (8.0.2 cannot read 6.1+: no maple tree); loaded into a crash other than
the one it was built for, it refuses with one line."""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vmstest import TOP, dumps, jsonl, run_crash, run_crash_raw, truth  # noqa: E402

SYSTEM_CRASH = "/usr/bin/crash"


def crash_version(path):
    out = subprocess.run([path, "--version"], stdout=subprocess.PIPE, text=True).stdout
    return [l.split()[1] for l in out.splitlines() if l.startswith("crash ")][0]


@unittest.skipUnless(os.path.exists(SYSTEM_CRASH), "no system crash")
class Compat(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.old = crash_version(SYSTEM_CRASH)
        cls.old_module = os.path.join(TOP, "build", f"crash-{cls.old}", "vmscope.so")
        subprocess.run(["make", "-s", "-C", TOP, f"CRASH={SYSTEM_CRASH}",
                        f"build/crash-{cls.old}/vmscope.so"], check=True)
        cls.new_module = os.path.join(TOP, "build", "crash-9.0.2", "vmscope.so")

    def test_old_crash_exact(self):
        d = dumps("full")["5.10"]
        t = truth(d)
        cmds = []
        for p in t["processes"]:
            cmds += [f"smaps -k {p['pid']}", f"smaps -k -r {p['pid']}"]
        cmds += [f"zerofill -j {t['processes'][0]['pid']}", "vmsys -j"]
        outs = run_crash(d, cmds, crash=SYSTEM_CRASH, module=self.old_module)
        for i, p in enumerate(t["processes"]):
            self.assertEqual(outs[2 * i], bytes.fromhex(p["smaps_hex"]), f"pid {p['pid']}")
            self.assertEqual(outs[2 * i + 1], bytes.fromhex(p["rollup_hex"]), f"pid {p['pid']}")
        self.assertTrue(jsonl(outs[-2]))
        sysv = jsonl(outs[-1])[0]
        self.assertEqual(sysv["overcommit_ratio"], int(t["sys"]["/proc/sys/vm/overcommit_ratio"]))

    def test_refuses_other_crash(self):
        d = dumps("full")["5.10"]
        for crash, module, built, loading in (
                (SYSTEM_CRASH, self.new_module, "9.0.2", self.old),
                (None, self.old_module, self.old, "9.0.2")):
            with self.subTest(crash=loading):
                out = run_crash_raw(d, ["smaps", "sys"], crash=crash, module=module).decode()
                self.assertIn(f"vmscope: built for crash {built}, not crash {loading}", out)
                self.assertIn("command not found: smaps", out)
                self.assertIn("RELEASE: 5.10", out, "crash stays usable")


if __name__ == "__main__":
    unittest.main()
