#include "rt/ctl_server.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#define MAX_CLIENTS 64

struct ds_ctl_server {
	struct event_base *base;
	struct evconnlistener *lst;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const ds_ctl_cmd *cmds;
	void *ctx;
	const ds_logger *lg;
	unsigned clients;
	struct bufferevent *client[MAX_CLIENTS];
};

static void client_close(ds_ctl_server *s, struct bufferevent *bev)
{
	for (unsigned i = 0; i < s->clients; i++)
		if (s->client[i] == bev) {
			s->client[i] = s->client[--s->clients];
			break;
		}
	bufferevent_free(bev);
}

static void on_read(struct bufferevent *bev, void *arg)
{
	ds_ctl_server *s = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	for (;;) {
		size_t n;
		char *line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF);
		if (!line)
			break;
		char *resp = ds_ctl_dispatch(s->cmds, s->ctx, line, n);
		free(line);
		if (!resp) {
			client_close(s, bev);
			return;
		}
		bufferevent_write(bev, resp, strlen(resp));
		bufferevent_write(bev, "\n", 1);
		free(resp);
	}
	if (evbuffer_get_length(in) > DS_CTL_MAX_LINE) {
		ds_logf(s->lg, DS_LOG_WARN, "control: request longer than %d bytes, closing",
			DS_CTL_MAX_LINE);
		client_close(s, bev);
	}
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		client_close(arg, bev);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
		      void *arg)
{
	ds_ctl_server *s = arg;
	if (s->clients >= MAX_CLIENTS) {
		ds_logf(s->lg, DS_LOG_WARN, "control: too many clients, refusing one");
		close(fd);
		return;
	}
	struct bufferevent *bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!bev) {
		close(fd);
		return;
	}
	s->client[s->clients++] = bev;
	bufferevent_setcb(bev, on_read, NULL, on_event, s);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

static int mkdir_parent(const char *path)
{
	char tmp[sizeof(((struct sockaddr_un *)0)->sun_path)];
	snprintf(tmp, sizeof tmp, "%s", path);
	char *dir = dirname(tmp);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

ds_ctl_server *ds_ctl_server_new(struct event_base *base, const char *path, const ds_ctl_cmd *cmds,
				 void *ctx, const ds_logger *lg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sun.sun_path) {
		ds_logf(lg, DS_LOG_ERR, "control: socket path too long: %s", path);
		return NULL;
	}
	ds_ctl_server *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base = base;
	s->cmds = cmds;
	s->ctx = ctx;
	s->lg = lg;
	snprintf(s->path, sizeof s->path, "%s", path);
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	mkdir_parent(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	/* a socket file left by a crashed daemon: replace it only if nobody answers on it */
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0) {
		ds_logf(lg, DS_LOG_ERR, "control: %s is in use by a running daemon", path);
		close(fd);
		free(s);
		return NULL;
	}
	close(fd);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	mode_t old = umask(0117);
	int rc = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (rc != 0 || listen(fd, 16) != 0) {
		close(fd);
		goto fail;
	}
	s->lst = evconnlistener_new(base, on_accept, s, LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (!s->lst) {
		close(fd);
		goto fail;
	}
	return s;
fail:
	ds_logf(lg, DS_LOG_ERR, "control: cannot listen on %s: %s", path, strerror(errno));
	free(s);
	return NULL;
}

void ds_ctl_server_free(ds_ctl_server *s)
{
	if (!s)
		return;
	while (s->clients)
		client_close(s, s->client[0]);
	evconnlistener_free(s->lst);
	unlink(s->path);
	free(s);
}
