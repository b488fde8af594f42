// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * module.c: vmscope's entry into crash.
 *
 * An extension is compiled against one crash's defs.h; the structures it
 * shares with crash change between releases, so loaded into another crash
 * it would misread them silently.  The constructor compares the loading
 * crash's version (pc->program_version, at the same place in every
 * release) with the one built against, and refuses with one line.
 */
#include "glue.h"

#ifndef VMSCOPE_CRASH_VERSION
#error "build with -DVMSCOPE_CRASH_VERSION=\"x.y.z\" (the crash whose defs.h is used)"
#endif
#ifndef VMSCOPE_VERSION
#define VMSCOPE_VERSION "0.1"
#endif

/*
 * vmscope_mark: print its arguments in the stream of crash's own output,
 * flushed before and after.  crash runs "echo" and "!cmd" as child
 * processes whose output overtakes crash's buffered output; scripts and
 * tests that cut a batch session's output per command use this instead.
 */
static char *help_vmscope_mark[] = {
	"vmscope_mark",
	"print a marker line in order with crash's output (for scripts)",
	"TEXT...",
	"  Flushes crash's output, prints TEXT and a newline, flushes again.",
	NULL
};

static void cmd_vmscope_mark(void)
{
	fflush(fp);
	for (int i = 1; i < argcnt; i++)
		fprintf(fp, "%s%s", i > 1 ? " " : "", args[i]);
	fputc('\n', fp);
	fflush(fp);
}

/* ---- the session's outcome (glue.h: enum vms_outcome) ---- */

static enum vms_outcome outcome;

void vms_note(enum vms_outcome o)
{
	/* a wrong argument outranks an error found in the dump */
	if (outcome != VMS_OUT_ARG)
		outcome = o == VMS_OUT_OK ? outcome : o;
}

/* VMSCOPE_STATUS_FILE (set by scripts/vmscope): "loaded" once crash has
 * opened the dump and loaded vmscope, "exit N" when vmscope_exit ends the
 * session, so the wrapper tells "crash could not open the dump" from both. */
static void status_file(const char *line)
{
	const char *path = getenv("VMSCOPE_STATUS_FILE");
	FILE *f = path && *path ? fopen(path, "a") : NULL;
	if (f) {
		fprintf(f, "%s\n", line);
		fclose(f);
	}
}

static char *help_vmscope_exit[] = {
	"vmscope_exit",
	"end the session with the vmscope commands' outcome as exit status",
	" ",
	"  Exits crash with 0 when every vmscope command ran without an error, 2",
	"  when one was given a wrong option, target or address, 4 when one",
	"  reported an error in the dump (a damaged VMA, an unreadable task).",
	"  scripts/vmscope ends every batch (-c) session with it.",
	NULL
};

static void cmd_vmscope_exit(void)
{
	char line[32];
	snprintf(line, sizeof(line), "exit %d", (int)outcome);
	status_file(line);
	fflush(fp);
	clean_exit((int)outcome);
}

static struct command_table_entry command_table[] = {
	{ "smaps", cmd_smaps, help_smaps, 0 },
	{ "zerofill", cmd_zerofill, help_zerofill, 0 },
	{ "thpmap", cmd_thpmap, help_thpmap, 0 },
	{ "pageruns", cmd_pageruns, help_pageruns, 0 },
	{ "vmwhere", cmd_vmwhere, help_vmwhere, 0 },
	{ "vmsys", cmd_vmsys, help_vmsys, 0 },
	{ "vmscope_readcost", cmd_vmscope_readcost, help_vmscope_readcost, HIDDEN_COMMAND },
	{ "vmscope_mark", cmd_vmscope_mark, help_vmscope_mark, HIDDEN_COMMAND },
	{ "vmscope_exit", cmd_vmscope_exit, help_vmscope_exit, HIDDEN_COMMAND },
	{ NULL },
};

__attribute__((constructor)) static void vmscope_init(void)
{
	const char *loading = pc && pc->program_version ? pc->program_version : "?";
	if (strcmp(loading, VMSCOPE_CRASH_VERSION) != 0) {
		fprintf(stderr,
			"vmscope: built for crash %s, not crash %s: rebuild it (make CRASH=...); not loaded\n",
			VMSCOPE_CRASH_VERSION, loading);
		return;
	}
	register_extension(command_table);
	status_file("loaded");
}

__attribute__((destructor)) static void vmscope_fini(void)
{
}
