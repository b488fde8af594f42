// SPDX-License-Identifier: GPL-2.0-or-later
#include "glue.h"
char *help_thpmap[] = { "thpmap", "not yet", " ", "  not yet", NULL };
void cmd_thpmap(void) { error(INFO, "not yet\n"); }
