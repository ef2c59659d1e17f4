/*
** statsd_sink.c: the receiving end of AFL++'s StatsD metrics, so that
** scripts/fuzz.sh can show live progress of AFL++ runs.
**
**   fuzz_statsd_sink OUT
**
** Binds a UDP socket on 127.0.0.1 at a port the kernel picks, prints that
** port on stdout (one line, then stdout is closed), and from then on turns
** every datagram into OUT: one "key value" line per metric
** (`fuzzing.execs_done:1234|g` -> `execs_done 1234`), written to OUT.tmp
** and renamed, so readers always see a whole set. Ends on SIGTERM/SIGINT.
**
** Why: afl-fuzz 4.04c with AFL_NO_UI=1 writes fuzzer_stats and plot_data
** only once a minute or at the end; with AFL_STATSD=1 and
** AFL_STATSD_PORT=<port> it sends the same numbers about once a second.
*/
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fuzz_statsd_sink OUT\n");
		return 2;
	}
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0) {
		perror("fuzz_statsd_sink");
		return 1;
	}
	printf("%u\n", (unsigned)ntohs(a.sin_port));
	fclose(stdout);
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
	static char buf[65536];
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = 0;
		FILE *f = fopen(tmp, "w");
		if (!f)
			continue;
		for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
			char *colon = strchr(line, ':'), *bar = strchr(line, '|');
			if (!colon || !bar || bar < colon)
				continue;
			char *key = strrchr(line, '.');
			key = key && key < colon ? key + 1 : line;
			fprintf(f, "%.*s %.*s\n", (int)(colon - key), key,
				(int)(bar - colon - 1), colon + 1);
		}
		if (fclose(f) == 0)
			rename(tmp, argv[1]);
	}
}
