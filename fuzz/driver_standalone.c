/*
** driver_standalone.c: replay inputs without a fuzzing engine.
**
**   fuzz_prog_replay [-v] [-n N] FILE|DIR...     (fuzz_text_replay likewise)
**
** Runs every file given, and every regular file directly inside each
** directory (sorted, so runs are repeatable), through the entry point.
** A violation aborts exactly as under a fuzzer; a SIGABRT handler first
** names the input that caused it. Exit 0 after "N inputs replayed", 2 on
** a usage or I/O error. This is what ctest runs over the generated seed
** corpus, and a way to replay a crash file in a debugger.
** -n N replays the whole list N times in one process and prints the peak
** RSS after the first pass, after a tenth of the passes and at the end:
** the memory of a persistent fuzzing process must stay flat (DESIGN.md 8).
** Gotcha: the allocator's pools settle over the first passes (about
** 128 KiB above pass 1 here), so flatness is judged from the tenth on, in
** the same process (another process starts from another baseline).
*/
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_entry.h"

static const char *current = "";

static void on_abort(int sig)
{
	/* async-signal-safe: write(2) only */
	static const char m[] = "\n==stackfuzz== replay: crash on input ";
	ssize_t w = write(2, m, sizeof m - 1);
	w = write(2, current, strlen(current));
	w = write(2, "\n", 1);
	(void)w;
	signal(sig, SIG_DFL);
	raise(sig);
}

static int run_file(const char *path, int verbose)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		return -1;
	}
	size_t cap = 4096, len = 0;
	unsigned char *buf = malloc(cap);
	for (size_t n; buf != NULL && (n = fread(buf + len, 1, cap - len, f)) > 0;) {
		len += n;
		if (len == cap) {
			unsigned char *nb = realloc(buf, cap *= 2);
			if (nb == NULL)
				free(buf);
			buf = nb;
		}
	}
	int err = ferror(f) || buf == NULL;
	fclose(f);
	if (err) {
		fprintf(stderr, "%s: read error\n", path);
		free(buf);
		return -1;
	}
	if (verbose)
		fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	current = path;
	/* a private copy of exactly len bytes, so ASan catches overreads */
	unsigned char *exact = malloc(len ? len : 1);
	if (exact == NULL) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, len);
	free(buf);
#ifdef SF_FUZZ_TEXT
	sf_fuzz_text_one(exact, len);
#else
	sf_fuzz_one(exact, len);
#endif
	free(exact);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, int verbose, long *count)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		perror(dir);
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
			if (nn == NULL) {
				rc = -1;
				break;
			}
			names = nn;
		}
		size_t l = strlen(dir) + strlen(e->d_name) + 2;
		if ((names[n] = malloc(l)) == NULL) {
			rc = -1;
			break;
		}
		snprintf(names[n++], l, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, cmp);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(names[i], verbose) < 0)
				rc = -1;
			else
				(*count)++;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static long peak_rss_kb(void)
{
	struct rusage ru;
	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

int main(int argc, char **argv)
{
	int verbose = 0, first = 1;
	long passes = 1;
	for (; first < argc && argv[first][0] == '-'; first++) {
		if (strcmp(argv[first], "-v") == 0) {
			verbose = 1;
		} else if (strcmp(argv[first], "-n") == 0 && first + 1 < argc &&
			   (passes = strtol(argv[first + 1], NULL, 10)) > 0) {
			first++;
		} else {
			first = argc;
			break;
		}
	}
	if (first >= argc) {
		fprintf(stderr, "usage: %s [-v] [-n PASSES] FILE|DIR...\n"
				"replay inputs through the fuzz entry; a violation aborts\n",
			argv[0]);
		return 2;
	}
	signal(SIGABRT, on_abort);
	sf_fuzz_init();
	long count = 0, rss1 = 0, rss10 = 0, tenth = passes / 10 > 1 ? passes / 10 : 1;
	for (long pass = 0; pass < passes; pass++) {
		for (int i = first; i < argc; i++) {
			struct stat st;
			if (stat(argv[i], &st) != 0) {
				perror(argv[i]);
				return 2;
			}
			int rc = S_ISDIR(st.st_mode) ? run_dir(argv[i], verbose && pass == 0, &count)
						     : (count++, run_file(argv[i], verbose && pass == 0));
			if (rc < 0)
				return 2;
		}
		if (pass == 0)
			rss1 = peak_rss_kb();
		if (pass + 1 == tenth)
			rss10 = peak_rss_kb();
	}
	printf("%ld inputs replayed, no violation (%s)\n", count, sf_fuzz_config_str());
	if (passes > 1)
		printf("peak RSS: %ld KiB after pass 1, %ld KiB after pass %ld, "
		       "%ld KiB after pass %ld\n",
		       rss1, rss10, tenth, peak_rss_kb(), passes);
	return 0;
}
