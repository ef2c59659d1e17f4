/*
** cli_common.c: option handling shared by the stackfuzz subcommands
** (main.c, cli_minimize.c, cli_explore.c), so that each option means and
** reports the same thing everywhere.
*/
#include <stdio.h>

#include "hs_minexp.h"
#include "prog.h"

int cli_parse_bugs(const char *cmd, const char *arg, uint32_t *bugs)
{
	if (prog_parse_bugs(arg, bugs) == 0)
		return 0;
	fprintf(stderr, "%s: --bugs: unknown switch in '%s' (known: "
		"7695,7470,12238)\n", cmd, arg);
	return -1;
}
