// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c: one Check runner over every suite of the core's unit tests.
 *
 * The exit status is what make (and CI) read: non-zero if any test failed.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *pte_suite(void);
Suite *walk_suite(void);
Suite *page_suite(void);
Suite *account_suite(void);
Suite *thp_suite(void);
Suite *fmt_suite(void);
Suite *runs_suite(void);

/* A debugger cannot follow Check's forked children: run in-process then. */
static bool under_debugger(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	bool traced = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "TracerPid:", 10) == 0) {
			traced = atoi(line + 10) != 0;
			break;
		}
	fclose(f);
	return traced;
}

int main(void)
{
	SRunner *sr = srunner_create(pte_suite());
	srunner_add_suite(sr, walk_suite());
	srunner_add_suite(sr, page_suite());
	srunner_add_suite(sr, account_suite());
	srunner_add_suite(sr, thp_suite());
	srunner_add_suite(sr, fmt_suite());
	srunner_add_suite(sr, runs_suite());
	if (under_debugger())
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
