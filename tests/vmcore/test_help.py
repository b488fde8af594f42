# SPDX-License-Identifier: GPL-2.0-or-later
"""help pages: crash-style NAME, SYNOPSIS, DESCRIPTION and EXAMPLES for every
command, and crash's usage message on bad options."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from vmstest import dumps, run_crash  # noqa: E402

COMMANDS = ["smaps", "zerofill", "thpmap", "pageruns", "vmwhere", "vmsys"]


class Help(unittest.TestCase):
    def test_pages(self):
        d = dumps("full")["6.1"]
        outs = run_crash(d, [f"help {c}" for c in COMMANDS] + ["help", "smaps -z"])
        for c, out in zip(COMMANDS, outs):
            text = out.decode()
            with self.subTest(command=c):
                heads = [l for l in text.splitlines() if l and not l.startswith(" ")]
                self.assertEqual(heads, ["NAME", "SYNOPSIS", "DESCRIPTION", "EXAMPLES"], text)
                self.assertIn(f"  {c} - ", text)
                self.assertIn(f"crash> {c}", text, "examples are crash transcripts")
        # the commands are listed by crash's own help
        listing = outs[len(COMMANDS)].decode()
        for c in COMMANDS:
            self.assertIn(c, listing.split())
        self.assertNotIn("vmscope_readcost", listing.split(), "the bench tool stays hidden")
        usage = outs[-1].decode()
        self.assertIn("Usage:", usage)
        self.assertIn("smaps [-r] [-a] [-j] [-k]", usage)


if __name__ == "__main__":
    unittest.main()
