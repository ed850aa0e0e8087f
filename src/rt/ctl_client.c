#include "rt/ctl_client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/err.h"
#include "rt/ctl_proto.h"

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int ds_ctl_call(const char *path, const char *cmd, const cJSON *args, int timeout_ms,
		cJSON **resp, char *err, size_t errlen)
{
	*resp = NULL;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sun.sun_path) {
		snprintf(err, errlen, "socket path too long");
		return DS_E_PARAM;
	}
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		snprintf(err, errlen, "cannot connect to %s: %s (is the daemon running?)", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return DS_E_IO;
	}
	char *req = ds_ctl_request(cmd, args);
	int rc = DS_E_IO;
	char *buf = NULL;
	if (!req || write_all(fd, req, strlen(req)) != 0 || write_all(fd, "\n", 1) != 0) {
		snprintf(err, errlen, "cannot send the request: %s", strerror(errno));
		goto out;
	}
	buf = malloc(DS_CTL_MAX_LINE + 1);
	if (!buf) {
		rc = DS_E_NOMEM;
		goto out;
	}
	size_t have = 0;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int pr = poll(&pfd, 1, timeout_ms);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0) {
			snprintf(err, errlen, "no answer within %d ms", timeout_ms);
			rc = DS_E_TIMEOUT;
			goto out;
		}
		ssize_t r = recv(fd, buf + have, DS_CTL_MAX_LINE - have, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "daemon closed the connection");
			goto out;
		}
		char *nl = memchr(buf + have, '\n', (size_t)r);
		have += (size_t)r;
		if (nl) {
			*resp = cJSON_ParseWithLength(buf, (size_t)(nl - buf));
			if (!*resp || !cJSON_IsObject(*resp)) {
				cJSON_Delete(*resp);
				*resp = NULL;
				snprintf(err, errlen, "malformed answer");
				rc = DS_E_BADLEN;
			} else {
				rc = DS_OK;
			}
			goto out;
		}
		if (have >= DS_CTL_MAX_LINE) {
			snprintf(err, errlen, "answer too long");
			rc = DS_E_BADLEN;
			goto out;
		}
	}
out:
	free(buf);
	free(req);
	close(fd);
	return rc;
}
