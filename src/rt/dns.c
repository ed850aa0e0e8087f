#include "rt/dns.h"

#include <arpa/nameser.h>
#include <ares.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"

#define MAX_FDS 16

typedef struct lookup {
	ds_dns *d;
	ds_dns_cb cb;
	void *ctx;
	int pending;
	bool cancelled;
	ds_addr a6[DS_DNS_MAX_ADDRS], a4[DS_DNS_MAX_ADDRS];
	size_t n6, n4;
} lookup;

struct ds_dns {
	struct event_base *base;
	ares_channel ch;
	struct event *timer;
	struct {
		int fd;
		struct event *ev;
	} fds[MAX_FDS];
	bool destroying;
};

static void sync_timer(ds_dns *d)
{
	struct timeval tv, *t = ares_timeout(d->ch, NULL, &tv);
	if (t)
		evtimer_add(d->timer, t);
	else
		evtimer_del(d->timer);
}

static void on_fd(evutil_socket_t fd, short what, void *arg)
{
	ds_dns *d = arg;
	ares_process_fd(d->ch, (what & EV_READ) ? fd : ARES_SOCKET_BAD,
			(what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
	sync_timer(d);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
	ds_dns *d = arg;
	ares_process_fd(d->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	sync_timer(d);
}

/* c-ares tells which sockets it wants watched; mirror that in libevent */
static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	ds_dns *d = data;
	int slot = -1, free_slot = -1;
	for (int i = 0; i < MAX_FDS; i++) {
		if (d->fds[i].ev && d->fds[i].fd == fd)
			slot = i;
		else if (!d->fds[i].ev && free_slot < 0)
			free_slot = i;
	}
	if (slot >= 0) {
		event_free(d->fds[slot].ev);
		d->fds[slot].ev = NULL;
	}
	if (!readable && !writable)
		return;
	if (slot < 0)
		slot = free_slot;
	if (slot < 0)
		return; /* more than MAX_FDS servers: the query times out on that one */
	short what = (short)(EV_PERSIST | (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0));
	d->fds[slot].fd = fd;
	d->fds[slot].ev = event_new(d->base, fd, what, on_fd, d);
	if (d->fds[slot].ev)
		event_add(d->fds[slot].ev, NULL);
}

ds_dns *ds_dns_new(struct event_base *base, const ds_addr *servers, size_t n_servers, char *err,
		   size_t errlen)
{
	static int lib_ready;
	if (!lib_ready) {
		if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
			snprintf(err, errlen, "c-ares initialisation failed");
			return NULL;
		}
		lib_ready = 1;
	}
	ds_dns *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->base = base;
	struct ares_options o;
	memset(&o, 0, sizeof o);
	o.sock_state_cb = sock_state;
	o.sock_state_cb_data = d;
	o.timeout = 2000;  /* ms per try */
	o.tries = 3;
	int rc = ares_init_options(&d->ch, &o, ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS |
					       ARES_OPT_TRIES);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		free(d);
		return NULL;
	}
	if (n_servers) {
		struct ares_addr_port_node nodes[8];
		memset(nodes, 0, sizeof nodes);
		size_t n = n_servers < 8 ? n_servers : 8;
		for (size_t i = 0; i < n; i++) {
			nodes[i].next = i + 1 < n ? &nodes[i + 1] : NULL;
			nodes[i].family = servers[i].family == DS_AF_INET ? AF_INET : AF_INET6;
			memcpy(&nodes[i].addr, servers[i].ip, ds_addr_iplen(&servers[i]));
			nodes[i].udp_port = servers[i].port;
			nodes[i].tcp_port = servers[i].port;
		}
		rc = ares_set_servers_ports(d->ch, nodes);
		if (rc != ARES_SUCCESS) {
			snprintf(err, errlen, "c-ares servers: %s", ares_strerror(rc));
			ares_destroy(d->ch);
			free(d);
			return NULL;
		}
	}
	d->timer = evtimer_new(base, on_timeout, d);
	if (!d->timer) {
		ares_destroy(d->ch);
		free(d);
		return NULL;
	}
	return d;
}

static void finish(lookup *l)
{
	if (--l->pending > 0)
		return;
	if (!l->cancelled)
		l->cb(l->ctx, l->a6, l->n6, l->a4, l->n4);
	free(l);
}

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen, int v6)
{
	lookup *l = arg;
	if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED)
		l->cancelled = true;
	if (status == ARES_SUCCESS) {
		struct ares_addrttl t4[DS_DNS_MAX_ADDRS];
		struct ares_addr6ttl t6[DS_DNS_MAX_ADDRS];
		int n = DS_DNS_MAX_ADDRS;
		/* c-ares parses the answer section (the DNS wire format is not parsed here) */
		if (v6 && ares_parse_aaaa_reply(abuf, alen, NULL, t6, &n) == ARES_SUCCESS) {
			for (int i = 0; i < n && l->n6 < DS_DNS_MAX_ADDRS; i++)
				l->a6[l->n6++] = ds_addr6(t6[i].ip6addr._S6_un._S6_u8, 0);
		} else if (!v6 && ares_parse_a_reply(abuf, alen, NULL, t4, &n) == ARES_SUCCESS) {
			for (int i = 0; i < n && l->n4 < DS_DNS_MAX_ADDRS; i++)
				l->a4[l->n4++] = ds_addr4((const uint8_t *)&t4[i].ipaddr, 0);
		}
	}
	finish(l);
}

static void on_aaaa(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	on_answer(arg, status, timeouts, abuf, alen, 1);
}

static void on_a(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	on_answer(arg, status, timeouts, abuf, alen, 0);
}

int ds_dns_resolve(ds_dns *d, const char *name, ds_dns_cb cb, void *ctx)
{
	lookup *l = calloc(1, sizeof *l);
	if (!l)
		return DS_E_NOMEM;
	l->d = d;
	l->cb = cb;
	l->ctx = ctx;
	l->pending = 2;
	ares_query(d->ch, name, ns_c_in, ns_t_aaaa, on_aaaa, l);
	ares_query(d->ch, name, ns_c_in, ns_t_a, on_a, l);
	sync_timer(d);
	return DS_OK;
}

void ds_dns_free(ds_dns *d)
{
	if (!d)
		return;
	ares_destroy(d->ch); /* outstanding lookups end with ARES_EDESTRUCTION: no user callback */
	for (int i = 0; i < MAX_FDS; i++)
		if (d->fds[i].ev)
			event_free(d->fds[i].ev);
	event_free(d->timer);
	free(d);
}
