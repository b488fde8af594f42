// SPDX-License-Identifier: GPL-2.0-or-later
#include "glue.h"
char *help_vmsys[] = { "vmsys", "not yet", " ", "  not yet", NULL };
void cmd_vmsys(void) { error(INFO, "not yet\n"); }
