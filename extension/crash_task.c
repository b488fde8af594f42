// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crash_task.c: targets in crash's forms (pid | taskp | command), reduced
 * to one task per address space.
 *
 * str_to_context() takes pids and task addresses; command names are
 * matched against every task's comm, as crash's ps does (a leading '\'
 * forces a name that looks like a number).
 */
#include "glue.h"

#define PF_KTHREAD 0x00200000

static bool is_leader(struct task_context *tc)
{
	int tgid;
	if (vms_k.task_tgid < 0 || !vms_rd_int(tc->task + vms_k.task_tgid, &tgid))
		return false;
	return (ulong)tgid == tc->pid;
}

/* Keep one task per mm: the thread-group leader when it is among them. */
static int dedupe(struct task_context **tcs, int n)
{
	int out = 0;
	for (int i = 0; i < n; i++) {
		int j;
		for (j = 0; j < out; j++)
			if (tcs[j]->mm_struct == tcs[i]->mm_struct)
				break;
		if (j == out)
			tcs[out++] = tcs[i];
		else if (!is_leader(tcs[j]) && is_leader(tcs[i]))
			tcs[j] = tcs[i];
	}
	return out;
}

static const char *why_no_mm(struct task_context *tc)
{
	uint flags = 0;
	long exit_state = 0;
	if (vms_k.task_flags >= 0 && vms_rd_uint(tc->task + vms_k.task_flags, &flags) &&
	    (flags & PF_KTHREAD))
		return "is a kernel thread";
	if (vms_k.task_exit_state >= 0 && vms_rd(tc->task + vms_k.task_exit_state, &exit_state, 4) &&
	    (int)exit_state)
		return "has exited";
	return "has no address space";
}

static void add(struct task_context ***tcs, int *n, int *cap, struct task_context *tc)
{
	if (*n == *cap) {
		int ncap = *cap ? *cap * 2 : 16;
		struct task_context **a = (struct task_context **)GETBUF(ncap * sizeof(*a));
		if (*tcs) {
			memcpy(a, *tcs, *n * sizeof(*a));
			FREEBUF(*tcs);
		}
		*tcs = a;
		*cap = ncap;
	}
	(*tcs)[(*n)++] = tc;
}

static void add_with_mm(struct task_context ***tcs, int *n, int *cap, struct task_context *tc)
{
	if (!tc->mm_struct) {
		vms_note(VMS_OUT_ARG);
		error(INFO, "PID %lu (%s) %s\n", tc->pid, tc->comm, why_no_mm(tc));
		return;
	}
	add(tcs, n, cap, tc);
}

int vms_targets(char **args, int optind, struct task_context ***tcs_ret)
{
	struct task_context **tcs = NULL, *tc;
	int n = 0, cap = 0;

	if (!args[optind]) {
		add_with_mm(&tcs, &n, &cap, CURRENT_CONTEXT());
		*tcs_ret = tcs;
		return dedupe(tcs, n);
	}
	for (int i = optind; args[i]; i++) {
		char *arg = args[i];
		ulong value;
		if (IS_A_NUMBER(arg)) {
			switch (str_to_context(arg, &value, &tc)) {
			case STR_PID:
				for (tc = pid_to_context(value); tc; tc = tc->tc_next)
					add_with_mm(&tcs, &n, &cap, tc);
				continue;
			case STR_TASK:
				add_with_mm(&tcs, &n, &cap, tc);
				continue;
			default:
				(vms_note(VMS_OUT_ARG), error(INFO, "invalid task or pid value: %s\n", arg));
				continue;
			}
		}
		const char *name = arg[0] == '\\' ? arg + 1 : arg;
		int found = 0;
		tc = FIRST_CONTEXT();
		for (ulong t = 0; t < RUNNING_TASKS(); t++, tc++) {
			if (strncmp(tc->comm, name, TASK_COMM_LEN) == 0) {
				found++;
				if (tc->mm_struct)
					add(&tcs, &n, &cap, tc);
			}
		}
		if (!found || !n)
			vms_note(VMS_OUT_ARG);
		if (!found)
			error(INFO, "no task named \"%s\" (a pid, task address or command name is expected)\n",
			      name);
		else if (!n)
			error(INFO, "no task named \"%s\" has an address space\n", name);
	}
	*tcs_ret = tcs;
	return dedupe(tcs, n);
}

int vms_all_spaces(struct task_context ***tcs_ret)
{
	struct task_context **tcs = NULL, *tc = FIRST_CONTEXT();
	int n = 0, cap = 0;
	for (ulong t = 0; t < RUNNING_TASKS(); t++, tc++)
		if (tc->mm_struct)
			add(&tcs, &n, &cap, tc);
	*tcs_ret = tcs;
	return dedupe(tcs, n);
}
