# SPDX-License-Identifier: GPL-2.0-or-later
"""Bad and hostile input: bad targets, malformed addresses and options, the
current context after set, and names and comms made to break output.

Each bad input gets one crash-style error line (the command's name first;
usage errors may print crash's usage text), no JSON object or part of one,
and crash answers the next command.  Hostile names keep one line per VMA in
tables, stay recoverable in JSON and come out of smaps -k as the kernel
printed them."""
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vmstest import DumpTest, jsonl, run_crash  # noqa: E402

HOSTILE = b'evil\nname "q" \\ \xff\xfe.bin'
HOSTILE_COMM = b'wl"no\\thp'


def usage_or_error(text, cmd):
    """The error lines of a command that failed: one "cmd: ..." line, or
    crash's usage text (optionally after getopt's one line)."""
    lines = [l for l in text.splitlines() if l.strip()]
    if lines and lines[-1].startswith(f'Enter "help {cmd}"'):
        head = lines[:-3]
        return head, lines[-3] == "Usage:"
    return lines, False


class Input(DumpTest):

    def sessions(self, cmds):
        """Run cmds, each followed by sys, on every dump: [(name, t, [(out, sys)])]."""
        res = []
        for name, d, t in self.each_dump():
            seq = []
            for c in cmds(t):
                seq += [c, "sys"]
            outs = run_crash(d, seq, timeout=300)
            res.append((name, t, list(zip(outs[0::2], outs[1::2]))))
        return res

    def assert_one_error(self, out, sysout, cmd, what, usage_ok=False, pattern=None):
        text = out.decode("utf-8", "replace")
        self.assertNotIn("{", text, f"{what}: no JSON")
        errors, usage = usage_or_error(text, cmd)
        if usage:
            self.assertTrue(usage_ok, f"{what}: usage text not expected:\n{text}")
            self.assertLessEqual(len(errors), 1, f"{what}: {text}")
        else:
            self.assertEqual(len(errors), 1, f"{what}: exactly one error line:\n{text}")
        for e in errors:
            self.assertTrue(e.startswith(cmd + ": "), f"{what}: {e!r}")
            if pattern:
                self.assertRegex(e, pattern, what)
        self.assertIn("RELEASE:", sysout.decode("utf-8", "replace"), f"{what}: crash answers")

    def test_bad_targets(self):
        """Unknown pids, kernel threads, addresses that are not tasks."""
        nopid = r"invalid task or pid value: 99999$"
        kthread = r"PID 2 \(kthreadd\) is a kernel thread$"
        cases = [("smaps 99999", nopid), ("smaps -j 99999", nopid),
                 ("zerofill -j 99999", nopid), ("thpmap 99999", nopid),
                 ("pageruns -j 99999", nopid), ("vmwhere -j 99999 400000", nopid),
                 ("smaps 2", kthread), ("smaps -j 2", kthread), ("zerofill -c -j 2", kthread),
                 ("thpmap -j 2", kthread), ("pageruns 2", kthread),
                 ("vmwhere 2 400000", kthread),
                 # a kernel address (kernel text) and a user address: not tasks
                 ("smaps -j ffffffff81000000", r"invalid task or pid value: ffffffff81000000$"),
                 ("smaps -j 400000", r"invalid task or pid value: 400000$"),
                 ("smaps -j 0", r"PID 0 \(swapper/0\) is a kernel thread$"),
                 ("smaps -j nosuchcommand", r'no task named "nosuchcommand"'),
                 ("thpmap -j \\2", r'no task named "2"')]
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                seq = []
                for c, _ in cases:
                    seq += [c, "sys"]
                outs = run_crash(d, seq, timeout=300)
                for (c, pat), out, sysout in zip(cases, outs[0::2], outs[1::2]):
                    self.assert_one_error(out, sysout, c.split()[0], f"{name}: {c}", pattern=pat)

    def test_exited_task(self):
        """A zombie's mm is gone: one line saying so (the workload leaves an
        exited child unreaped: truth.json "zombie")."""
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                zombie = t["zombie"]
                ps = run_crash(d, [f"ps {zombie}"])[0].decode()
                self.assertRegex(ps, r"\b%d\b.*\bZO\b.*wl-zombie" % zombie)
                out, sysout = run_crash(d, [f"smaps -j {zombie}", "sys"])
                self.assert_one_error(out, sysout, "smaps", f"zombie {zombie}",
                                      pattern="has exited")

    def test_bad_addresses_and_options(self):
        """Malformed addresses, unknown and conflicting options, missing operands."""
        def cmds(t):
            pid = t["processes"][0]["pid"]
            huge = "1" + "f" * 20
            return [(f"vmwhere -j {pid} xyz", "vmwhere", False, "invalid address: xyz"),
                    (f"vmwhere -j {pid} -1", "vmwhere", True, None),
                    (f"vmwhere -j {pid} 0x", "vmwhere", False, "invalid address: 0x"),
                    (f"vmwhere -j {pid} {huge}", "vmwhere", False, f"invalid address: {huge}"),
                    (f"vmwhere -j {pid} ffffffffff600000000", "vmwhere", False, "invalid address"),
                    (f"vmwhere -j {pid} ffff888000000000", "vmwhere", False,
                     "is not a user address"),
                    (f"pageruns -j {pid} xyz", "pageruns", False, "invalid start address: xyz"),
                    (f"pageruns -j {pid} -1", "pageruns", True, None),
                    (f"pageruns -j {pid} 0x", "pageruns", False, "invalid start address: 0x"),
                    (f"pageruns -j {pid} {huge}", "pageruns", False, "invalid start address"),
                    (f"pageruns -j {pid} 1000 0x", "pageruns", False, "invalid end address: 0x"),
                    (f"pageruns -j {pid} 2000 1000", "pageruns", False, "is not below end"),
                    ("smaps -z", "smaps", True, None),
                    ("zerofill -z", "zerofill", True, None),
                    ("thpmap -q 1", "thpmap", True, None),
                    ("smaps -j -k", "smaps", False, "-j and -k cannot be used together"),
                    ("smaps -a 1", "smaps", False, "-a takes no targets"),
                    ("smaps -a -k", "smaps", False, "-a and -k cannot be used together"),
                    ("vmwhere", "vmwhere", True, None),
                    (f"vmwhere -j {pid}", "vmwhere", True, None),
                    (f"pageruns {pid} 1 2 3", "pageruns", True, None)]
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                cases = cmds(t)
                seq = []
                for c in cases:
                    seq += [c[0], "sys"]
                outs = run_crash(d, seq, timeout=300)
                for (c, cmd, usage, pat), out, sysout in zip(cases, outs[0::2], outs[1::2]):
                    self.assert_one_error(out, sysout, cmd, f"{name}: {c}", usage_ok=usage,
                                          pattern=re.escape(pat) if pat else None)

    def test_vmwhere_keeps_going(self):
        """One bad address among good ones: one error line, the others answered."""
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                p = t["processes"][0]
                good = [v["start"] for v in p["vmas"][:3]]
                cmd = f"vmwhere -j {p['pid']} {good[0]:x} xyz {good[1]:x} 0x {good[2]:x}"
                out, sysout = run_crash(d, [cmd, "sys"])
                lines = out.decode().splitlines()
                objs = [json.loads(l) for l in lines if l.startswith("{")]
                errs = [l for l in lines if not l.startswith("{") and l.strip()]
                self.assertEqual([int(o["addr"], 16) for o in objs], good)
                self.assertEqual(errs, ["vmwhere: invalid address: xyz",
                                        "vmwhere: invalid address: 0x"])
                self.assertIn("RELEASE:", sysout.decode())

    def test_current_context(self):
        """With no target, commands use crash's current context, as set changes it."""
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                pid = t["processes"][0]["pid"]
                child = t["processes"][1]["pid"]
                views = ["smaps -j", "smaps -r -j", "zerofill -j", "thpmap -j", "pageruns -j"]
                seq = ["set"] + [v for v in views]
                seq += [f"set {pid}"] + views + [f"{v} {pid}" for v in views]
                seq += [f"set {child}"] + views + [f"{v} {child}" for v in views]
                seq += ["set -p", "set"] + views + ["sys"]
                outs = run_crash(d, seq)
                n = len(views)
                first = outs[0].decode()
                m = re.search(r"PID: (\d+)", first)
                self.assertIsNotNone(m, first)
                for o in outs[1:1 + n]:
                    text = o.decode()
                    if m.group(1) == "0":
                        self.assertRegex(text, r"^\w+: PID 0 \(.*\) is a kernel thread\n$")
                at = 1 + n
                for who in (pid, child):
                    self.assertIn(f"PID: {who}", outs[at].decode())
                    implicit = outs[at + 1:at + 1 + n]
                    explicit = outs[at + 1 + n:at + 1 + 2 * n]
                    for v, a, b in zip(views, implicit, explicit):
                        self.assertEqual(a, b, f"{v} after set {who}")
                        self.assertTrue(jsonl(a), v)
                    at += 1 + 2 * n
                # set -p: back to the panic task, or (a dump taken over QMP has
                # none) an error and the context unchanged
                back = outs[at + 1].decode()
                cur = re.search(r"PID: (\d+)", back).group(1)
                for v, o in zip(views, outs[at + 2:at + 2 + n]):
                    text = o.decode()
                    if cur == str(child):
                        self.assertEqual(o, outs[1 + n + 1 + 2 * n + 1 + n + views.index(v)],
                                         f"{v} after set -p")
                    else:
                        self.assertRegex(text, r"^(\{.*\}\n)+$|^\w+: PID \d+ .*\n$")
                self.assertIn("RELEASE:", outs[-1].decode())

    def test_hostile_names(self):
        """A file name with a newline, quotes, a backslash and invalid UTF-8, and
        a comm with a quote and a backslash."""
        for name, d, t in self.each_dump():
            with self.subTest(kernel=name):
                r = t["regions"]["file_hostile"]
                pid = r["pid"]
                p = next(q for q in t["processes"] if q["pid"] == pid)
                evil = next(q for q in t["processes"] if bytes.fromhex(q["comm_hex"]) == HOSTILE_COMM)
                vma = next(v for v in p["vmas"] if v["start"] == r["start"])
                cmds = [f"smaps {pid}", f"smaps -j {pid}", f"smaps -k {pid}", f"thpmap {pid}",
                        f"thpmap -j {pid}", f"pageruns {pid}", f"pageruns -j {pid}",
                        f"vmwhere {pid} {r['start']:x}", f"vmwhere -j {pid} {r['start']:x}",
                        f"smaps {evil['pid']}", f"smaps -j -r {evil['pid']}", "smaps -a",
                        f"zerofill {evil['pid']}", "sys"]
                outs = dict(zip(cmds, run_crash(d, cmds)))
                raw_name = b"/data/" + HOSTILE
                shown = b'/data/evil\\012name "q" \\134 \\377\\376.bin'
                # tables: one line per VMA, the name escaped
                table = outs[f"smaps {pid}"]
                self.assertNotIn(b"evil\nname", table)
                self.assertNotIn(b"\xff", table)
                rows = [l for l in table.splitlines()
                        if re.match(rb"\s+[0-9a-f]+\s+[0-9a-f]+ [r-][w-][x-][ps] ", l)]
                self.assertEqual(len(rows), len(p["vmas"]))
                self.assertTrue(any(l.endswith(shown) for l in rows), rows)
                for c in (f"thpmap {pid}", f"pageruns {pid}", f"vmwhere {pid} {r['start']:x}"):
                    self.assertNotIn(b"evil\nname", outs[c], c)
                    self.assertIn(shown, outs[c], c)
                self.assertEqual(len([l for l in outs[f"thpmap {pid}"].splitlines()
                                      if re.match(rb"\s+[0-9a-f]+\s+[0-9a-f]+ [r-]", l)]),
                                 len(p["vmas"]))
                # JSON: valid, and the raw bytes recoverable
                for c in (f"smaps -j {pid}", f"thpmap -j {pid}", f"pageruns -j {pid}",
                          f"vmwhere -j {pid} {r['start']:x}"):
                    objs = jsonl(outs[c])
                    key = "file" if c.startswith("pageruns") else "name"
                    hits = [o for o in objs if o.get(key, "").startswith("/data/evil")]
                    self.assertTrue(hits, c)
                    for o in hits:
                        self.assertEqual(bytes.fromhex(o[key + "_hex"]), raw_name, c)
                        self.assertEqual(o[key].encode("utf-8", "surrogateescape")[:10],
                                         b"/data/evil")
                        self.assertIn("\n", o[key], "the newline is the string's own")
                # smaps -k: the header as the kernel printed it (\012 only)
                k = outs[f"smaps -k {pid}"]
                header = bytes.fromhex(vma["header_hex"])
                self.assertIn(header + b"\n", k)
                self.assertTrue(header.endswith(b'/data/evil\\012name "q" \\ \xff\xfe.bin'))
                # the hostile comm
                first = outs[f"smaps {evil['pid']}"].splitlines()[0]
                self.assertEqual(first, f"PID: {evil['pid']:<6} TASK: ".encode()
                                 + first.split(b"TASK: ")[1].split(b"  COMMAND")[0]
                                 + b'  COMMAND: "wl"no\\134thp"')
                rollup = jsonl(outs[f"smaps -j -r {evil['pid']}"])[0]
                self.assertEqual(rollup["comm"].encode(), HOSTILE_COMM)
                all_rows = [l for l in outs["smaps -a"].splitlines()[1:] if l.strip()]
                row = [l for l in all_rows if l.split()[0] == str(evil["pid"]).encode()]
                self.assertEqual(len(row), 1)
                self.assertIn(b'wl"no\\134thp', row[0])
                self.assertIn(b'COMMAND: "wl"no\\134thp"', outs[f"zerofill {evil['pid']}"])
                self.assertIn(b"RELEASE:", outs["sys"])


if __name__ == "__main__":
    unittest.main()
