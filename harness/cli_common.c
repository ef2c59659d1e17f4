/*
** cli_common.c: option handling shared by the stackfuzz subcommands
** (main.c, cli_minimize.c, cli_explore.c), so that each option means and
** reports the same thing everywhere.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int cli_parse_target(const char *cmd, const char *arg, uint32_t *target)
{
	if (!strcmp(arg, "linux/amd64")) {
		*target = TARGET_LINUX_AMD64;
		return 0;
	}
	if (!strcmp(arg, "windows/386")) {
		*target = TARGET_WINDOWS_386;
		return 0;
	}
	fprintf(stderr, "%s: --target: linux/amd64 or windows/386, not '%s'\n",
		cmd, arg);
	return -1;
}

int cli_check_readable(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	struct stat st;
	int e = fstat(fd, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
	close(fd);
	if (e) {
		fprintf(stderr, "%s: cannot read: %s\n", path, strerror(e));
		return -1;
	}
	return 0;
}

int cli_load(const char *path, prog *p)
{
	if (cli_check_readable(path) < 0)
		return CLI_LOAD_IO;
	char err[512];
	if (prog_parse_file(path, p, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return CLI_LOAD_PARSE;
	}
	return 0;
}
