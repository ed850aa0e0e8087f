#include "rt/netio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "rt/loop.h"
#include "rt/sock.h"

#define MAX_SOCKS 32
#define RX_BATCH 64   /* packets per readiness event: fairness between sockets */

enum sock_kind { SK_UDP, SK_RAW };

typedef struct nsock {
	ds_netio *n;
	int fd;
	uint8_t kind;
	uint8_t family;
	uint8_t proto;     /* raw */
	uint16_t port;     /* udp */
	struct event *ev;
} nsock;

struct ds_netio {
	ds_netio_cfg cfg;
	nsock s[MAX_SOCKS];
	unsigned ns;
	int tx6, tx4;
	ds_netio_counters c;
	ds_ratelimit rl_tx, rl_rx;
	uint8_t buf[DS_PKT_MAX + 64];
};

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	nsock *s = arg;
	ds_netio *n = s->n;
	for (int i = 0; i < RX_BATCH; i++) {
		ds_pkt pkt;
		int rc = s->kind == SK_UDP
				 ? ds_udp_recv(s->fd, s->port, n->buf, sizeof n->buf, &pkt)
				 : ds_raw_recv(s->fd, s->family, s->proto, n->buf, sizeof n->buf, &pkt);
		if (rc == DS_E_IO && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (rc == DS_E_TRUNCATED) {
			n->c.rx_truncated++;
			continue;
		}
		if (rc != DS_OK) {
			n->c.rx_errors++;
			ds_logf_rl(n->cfg.log, &n->rl_rx, ds_rt_now(), DS_LOG_WARN,
				   "receive error on %s socket: %s", s->kind == SK_UDP ? "UDP" : "raw",
				   strerror(errno));
			return;
		}
		if (s->kind == SK_UDP)
			n->c.rx_udp++;
		else
			n->c.rx_raw++;
		n->cfg.rx(n->cfg.ctx, &pkt);
	}
}

static int add_sock(ds_netio *n, int fd, uint8_t kind, uint8_t family, uint8_t proto,
		    uint16_t port, const char *what)
{
	if (fd < 0) {
		ds_logf(n->cfg.log, DS_LOG_ERR, "cannot open %s: %s", what, strerror(errno));
		return DS_E_IO;
	}
	if (n->ns >= MAX_SOCKS) {
		close(fd);
		return DS_E_EXHAUSTED;
	}
	nsock *s = &n->s[n->ns];
	s->n = n;
	s->fd = fd;
	s->kind = kind;
	s->family = family;
	s->proto = proto;
	s->port = port;
	s->ev = event_new(n->cfg.base, fd, EV_READ | EV_PERSIST, on_readable, s);
	if (!s->ev || event_add(s->ev, NULL) != 0) {
		close(fd);
		return DS_E_NOMEM;
	}
	n->ns++;
	return DS_OK;
}

static int open_udp(ds_netio *n, const ds_addr *local, uint16_t port)
{
	char what[64];
	snprintf(what, sizeof what, "UDP port %u (IPv%d)", port, local->family);
	return add_sock(n, ds_udp_open(local, port), SK_UDP, local->family, 0, port, what);
}

ds_netio *ds_netio_new(const ds_netio_cfg *cfg)
{
	ds_netio *n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	n->cfg = *cfg;
	n->tx6 = n->tx4 = -1;
	n->rl_tx = (ds_ratelimit)DS_RATELIMIT_INIT(1000, 5);
	n->rl_rx = (ds_ratelimit)DS_RATELIMIT_INIT(1000, 5);
	const ds_addr *fams[2] = { &cfg->bind6, &cfg->bind4 };
	int rc = DS_OK;
	for (int f = 0; f < 2 && rc == DS_OK; f++) {
		const ds_addr *a = fams[f];
		if (a->family == DS_AF_NONE)
			continue;
		if (cfg->ike) {
			rc = open_udp(n, a, DS_PORT_IKE);
			if (rc == DS_OK)
				rc = open_udp(n, a, DS_PORT_NATT);
		}
		if (rc == DS_OK && cfg->dsmip_udp)
			rc = open_udp(n, a, DS_PORT_DSMIP);
	}
	for (size_t i = 0; i < cfg->n_raw6 && rc == DS_OK; i++) {
		char what[48];
		snprintf(what, sizeof what, "raw IPv6 socket for next header %u", cfg->raw6[i]);
		rc = add_sock(n, ds_raw_open_rx(DS_AF_INET6, cfg->raw6[i]), SK_RAW, DS_AF_INET6,
			      cfg->raw6[i], 0, what);
	}
	for (size_t i = 0; i < cfg->n_raw4 && rc == DS_OK && cfg->bind4.family; i++) {
		char what[48];
		snprintf(what, sizeof what, "raw IPv4 socket for protocol %u", cfg->raw4[i]);
		rc = add_sock(n, ds_raw_open_rx(DS_AF_INET, cfg->raw4[i]), SK_RAW, DS_AF_INET,
			      cfg->raw4[i], 0, what);
	}
	if (rc == DS_OK) {
		n->tx6 = ds_raw_open_tx(DS_AF_INET6);
		n->tx4 = ds_raw_open_tx(DS_AF_INET);
		if (n->tx6 < 0 || n->tx4 < 0) {
			ds_logf(cfg->log, DS_LOG_ERR, "cannot open raw send sockets: %s",
				strerror(errno));
			rc = DS_E_IO;
		}
	}
	if (rc != DS_OK) {
		ds_netio_free(n);
		return NULL;
	}
	return n;
}

void ds_netio_free(ds_netio *n)
{
	if (!n)
		return;
	for (unsigned i = 0; i < n->ns; i++) {
		if (n->s[i].ev)
			event_free(n->s[i].ev);
		close(n->s[i].fd);
	}
	if (n->tx6 >= 0)
		close(n->tx6);
	if (n->tx4 >= 0)
		close(n->tx4);
	free(n);
}

static nsock *udp_for(ds_netio *n, const ds_pkt *pkt)
{
	uint16_t port = pkt->src.port;
	if (!port)
		port = pkt->dst.port == DS_PORT_NATT ? DS_PORT_NATT
		     : pkt->dst.port == DS_PORT_DSMIP ? DS_PORT_DSMIP : DS_PORT_IKE;
	for (unsigned i = 0; i < n->ns; i++)
		if (n->s[i].kind == SK_UDP && n->s[i].family == pkt->dst.family &&
		    n->s[i].port == port)
			return &n->s[i];
	return NULL;
}

int ds_netio_send(ds_netio *n, const ds_pkt *pkt)
{
	int rc;
	if (pkt->kind == DS_PKT_UDP) {
		nsock *s = udp_for(n, pkt);
		rc = s ? ds_udp_send(s->fd, pkt) : DS_E_NOTFOUND;
	} else if (pkt->kind == DS_PKT_IP && pkt->len > 0) {
		rc = ds_raw_send((pkt->data[0] >> 4) == 4 ? n->tx4 : n->tx6, pkt);
	} else {
		rc = DS_E_PARAM;
	}
	if (rc == DS_OK) {
		n->c.tx++;
	} else {
		n->c.tx_errors++;
		char dst[DS_ADDR_STRLEN];
		ds_logf_rl(n->cfg.log, &n->rl_tx, ds_rt_now(), DS_LOG_WARN, "send to %s failed: %s%s%s",
			   ds_addr_fmt(&pkt->dst, dst, sizeof dst), ds_strerror(rc),
			   rc == DS_E_IO ? ": " : "", rc == DS_E_IO ? strerror(errno) : "");
	}
	return rc;
}

const ds_netio_counters *ds_netio_counters_get(const ds_netio *n)
{
	return &n->c;
}
