#include "rt/nft.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"

extern char **environ;

int ds_nft_ruleset(const char *table, char *buf, size_t len)
{
	/* "add table" + "delete table" + full definition: replaces any leftover atomically */
	int n = snprintf(buf, len,
			 "add table inet %s\n"
			 "delete table inet %s\n"
			 "table inet %s {\n"
			 "  chain out {\n"
			 "    type filter hook output priority 0; policy accept;\n"
			 "    icmpv6 type parameter-problem icmpv6 code { 0, 2 } counter drop\n"
			 "  }\n"
			 "}\n",
			 table, table, table);
	return (n < 0 || (size_t)n >= len) ? DS_E_NOSPACE : DS_OK;
}

/* Run nft -f - with `script` on stdin; its stderr is captured into err. */
static int run_nft(const char *script, char *err, size_t errlen)
{
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) != 0)
		return DS_E_IO;
	if (pipe2(out, O_CLOEXEC) != 0) {
		close(in[0]);
		close(in[1]);
		return DS_E_IO;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, out[1], 2);
	char *argv[] = { "nft", "-f", "-", NULL };
	pid_t pid;
	int rc = posix_spawnp(&pid, "nft", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	if (rc != 0) {
		if (err && errlen)
			snprintf(err, errlen, "cannot run nft: %s", strerror(rc));
		close(in[1]);
		close(out[0]);
		return DS_E_IO;
	}
	size_t n = strlen(script);
	const char *p = script;
	while (n) {
		ssize_t w = write(in[1], p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		p += w;
		n -= (size_t)w;
	}
	close(in[1]);
	size_t have = 0;
	char tmp[512];
	for (;;) {
		ssize_t r = read(out[0], tmp, sizeof tmp);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r && err && have + 1 < errlen; i++)
			err[have++] = tmp[i] == '\n' ? ' ' : tmp[i];
	}
	if (err && errlen)
		err[have < errlen ? have : errlen - 1] = '\0';
	close(out[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return (WIFEXITED(st) && WEXITSTATUS(st) == 0) ? DS_OK : DS_E_IO;
}

int ds_nft_install(const char *table, char *err, size_t errlen)
{
	char script[1024];
	int rc = ds_nft_ruleset(table, script, sizeof script);
	if (rc != DS_OK)
		return rc;
	return run_nft(script, err, errlen);
}

int ds_nft_remove(const char *table)
{
	char script[128];
	snprintf(script, sizeof script, "delete table inet %s\n", table);
	char err[256];
	return run_nft(script, err, sizeof err);
}
