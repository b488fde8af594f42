// SPDX-License-Identifier: GPL-2.0-or-later
#include "glue.h"
char *help_zerofill[] = { "zerofill", "not yet", " ", "  not yet", NULL };
void cmd_zerofill(void) { error(INFO, "not yet\n"); }
