// SPDX-License-Identifier: GPL-2.0-or-later
#include "glue.h"
char *help_vmwhere[] = { "vmwhere", "not yet", " ", "  not yet", NULL };
void cmd_vmwhere(void) { error(INFO, "not yet\n"); }
