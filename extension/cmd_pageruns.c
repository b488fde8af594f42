// SPDX-License-Identifier: GPL-2.0-or-later
#include "glue.h"
char *help_pageruns[] = { "pageruns", "not yet", " ", "  not yet", NULL };
void cmd_pageruns(void) { error(INFO, "not yet\n"); }
