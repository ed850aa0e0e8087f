/* Runs the dsmip6 IKEv2 engine over real UDP sockets (ports 500 and 4500) for interop tests
 * against strongSwan: as the HA responder (embedded EAP-AKA server over an in-memory subscriber
 * store, PSK or certificate AUTH, prefix and addresses from the command line) or as the UE
 * initiator (EAP-AKA peer with the USIM key). Events are printed one per line on stdout:
 *   ESTABLISHED nai=... apn=... hnp=.../64 hoa6=... hoa4=... natl=0 natr=0
 *   CHILD in=... out=... mode=transport
 *   CLOSED reason=N
 *   REKEYED n=N spi_i=... spi_r=...        (the IKE SA was rekeyed, either side started it)
 * The key log (Wireshark ikev2_decryption_table lines) goes to --keylog FILE.
 *
 * usage: ike_peer ha|ue --local ADDR [--remote ADDR] --nai NAI --apn APN --k HEX --opc HEX
 *        [--psk TEXT | --cert PEM --key PEM] [--ca PEM] [--hnp PREFIX/LEN] [--hoa6 ADDR/LEN]
 *        [--hoa4 ADDR] [--keylog FILE] [--seconds N] [--exit-on-established] [--child]
 *        [--liveness] [--frag] [--frag-mtu N] [--rekey-after S] [--exit-on-closed] */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "eap/eap_aka_peer.h"
#include "eap/eap_aka_server.h"
#include "eap/subscriber_db.h"
#include "ike/ike.h"
#include "ike/ike_cert.h"

typedef struct peer {
	ds_ike *ike;
	int fd500, fd4500;
	ds_addr local;
	FILE *keylog;
	int established, closed;
	bool exit_on_established, exit_on_closed;
	bool want_child, liveness;
	int rekey_after;               /* UE: rekey the IKE SA this many seconds after set-up */
	ds_ike_sa *sa;
	const char *hnp, *hoa6, *hoa4;
} peer;

static ds_time now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ds_time)ts.tv_sec * 1000 + (ds_time)ts.tv_nsec / 1000000;
}

static int64_t wall(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);
}

static void to_sockaddr(const ds_addr *a, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == DS_AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(a->port);
		memcpy(&s4->sin_addr, a->ip, 4);
		*len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a->port);
		memcpy(&s6->sin6_addr, a->ip, 16);
		*len = sizeof(*s6);
	}
}

static ds_addr from_sockaddr(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		return ds_addr4((const uint8_t *)&s4->sin_addr, ntohs(s4->sin_port));
	}
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	return ds_addr6((const uint8_t *)&s6->sin6_addr, ntohs(s6->sin6_port));
}

static int open_udp(const ds_addr *local, uint16_t port)
{
	ds_addr a = *local;
	a.port = port;
	struct sockaddr_storage ss;
	socklen_t len;
	to_sockaddr(&a, &ss, &len);
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void send_cb(void *ctx, const ds_pkt *p)
{
	peer *pr = ctx;
	struct sockaddr_storage ss;
	socklen_t len;
	to_sockaddr(&p->dst, &ss, &len);
	int fd = p->src.port == 4500 ? pr->fd4500 : pr->fd500;
	if (sendto(fd, p->data, p->len, 0, (struct sockaddr *)&ss, len) < 0)
		fprintf(stderr, "sendto: %s\n", strerror(errno));
}

static void ev_established(void *ctx, ds_ike_sa *sa, const ds_ike_info *i)
{
	peer *pr = ctx;
	char h[DS_ADDR_STRLEN] = "-", a6[DS_ADDR_STRLEN] = "-", a4[DS_ADDR_STRLEN] = "-";
	if (i->has_hnp)
		ds_addr_fmt(&i->hnp, h, sizeof(h));
	if (i->has_hoa6)
		ds_addr_fmt(&i->hoa6, a6, sizeof(a6));
	if (i->has_hoa4)
		ds_addr_fmt(&i->hoa4, a4, sizeof(a4));
	printf("ESTABLISHED nai=%s apn=%s hnp=%s hnp_lifetime=%u hoa6=%s hoa4=%s natl=%d natr=%d "
	       "spi_i=%016llx spi_r=%016llx\n", i->nai, i->apn, h, i->hnp_lifetime_s, a6, a4,
	       i->nat_local, i->nat_remote, (unsigned long long)i->spi_i,
	       (unsigned long long)i->spi_r);
	fflush(stdout);
	pr->established++;
	pr->sa = sa;
}

static void ev_child_up(void *ctx, ds_ike_sa *sa, const ds_ike_child *c)
{
	(void)ctx;
	(void)sa;
	printf("CHILD in=%08x out=%08x mode=%s proto=%u\n", c->in.spi, c->out.spi,
	       c->in.mode == 1 ? "transport" : "tunnel", c->in.sel.proto);
	fflush(stdout);
}

static void ev_closed(void *ctx, ds_ike_sa *sa, int reason, const ds_ike_info *info)
{
	peer *pr = ctx;
	(void)sa;
	printf("CLOSED reason=%d notify=%u\n", reason, info->last_notify);
	fflush(stdout);
	pr->closed++;
	if (pr->sa == sa)
		pr->sa = NULL;
}

static void ev_keylog(void *ctx, const char *line)
{
	peer *pr = ctx;
	if (pr->keylog) {
		fprintf(pr->keylog, "%s\n", line);
		fflush(pr->keylog);
	}
}

static int ev_assign(void *ctx, const char *nai, const char *apn, ds_ike_assignment *out)
{
	peer *pr = ctx;
	(void)nai;
	(void)apn;
	if (pr->hnp && ds_addr_parse(pr->hnp, &out->hnp))
		return DS_E_CONFIG;
	out->lifetime_s = 86400;
	if (pr->hoa6 && ds_addr_parse(pr->hoa6, &out->hoa6))
		return DS_E_CONFIG;
	if (pr->hoa4 && ds_addr_parse(pr->hoa4, &out->hoa4))
		return DS_E_CONFIG;
	return DS_OK;
}

static void log_cb(void *ctx, int level, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "<%d> %s\n", level, msg);
}

static int hex(const char *s, uint8_t *out, size_t n)
{
	if (!s || strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static void pump(peer *pr, int fd)
{
	uint8_t buf[DS_PKT_MAX];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	if (n <= 0)
		return;
	ds_pkt p = { .kind = DS_PKT_UDP, .src = from_sockaddr(&from), .dst = pr->local,
		     .data = buf, .len = (size_t)n };
	p.dst.port = fd == pr->fd4500 ? 4500 : 500;
	if (fd == pr->fd4500 && n == 1 && buf[0] == 0xff)
		return;   /* NAT keepalive (RFC 3948 cl. 2.3) */
	if (fd == pr->fd4500 && n >= 4 && (buf[0] | buf[1] | buf[2] | buf[3]) != 0)
		return;   /* ESP: not for this program */
	ds_ike_input(pr->ike, &p, now_ms());
}

int main(int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "ha") && strcmp(argv[1], "ue"))) {
		fprintf(stderr, "usage: ike_peer ha|ue options (see source)\n");
		return 2;
	}
	bool ha = !strcmp(argv[1], "ha");
	const char *local = NULL, *remote = NULL, *nai = NULL, *apn = NULL, *k = NULL, *opc = NULL,
		   *psk = NULL, *cert = NULL, *key = NULL, *ca = NULL, *keylog = NULL;
	int seconds = 30, frag_mtu = 0;
	bool frag = false;
	peer pr;
	memset(&pr, 0, sizeof(pr));
	for (int i = 2; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name, var) if (!strcmp(argv[i], name) && v) { var = v; i++; continue; }
		OPT("--local", local) OPT("--remote", remote) OPT("--nai", nai) OPT("--apn", apn)
		OPT("--k", k) OPT("--opc", opc) OPT("--psk", psk) OPT("--cert", cert)
		OPT("--key", key) OPT("--ca", ca) OPT("--keylog", keylog) OPT("--hnp", pr.hnp)
		OPT("--hoa6", pr.hoa6) OPT("--hoa4", pr.hoa4)
#undef OPT
		if (!strcmp(argv[i], "--exit-on-closed")) {
			pr.exit_on_closed = true;
			continue;
		}
		if (!strcmp(argv[i], "--frag")) {
			frag = true;
			continue;
		}
		if (!strcmp(argv[i], "--frag-mtu") && v) {
			frag_mtu = atoi(v);
			i++;
			continue;
		}
		if (!strcmp(argv[i], "--rekey-after") && v) {
			pr.rekey_after = atoi(v);
			i++;
			continue;
		}
		if (!strcmp(argv[i], "--seconds") && v) {
			seconds = atoi(v);
			i++;
			continue;
		}
		if (!strcmp(argv[i], "--exit-on-established")) {
			pr.exit_on_established = true;
			continue;
		}
		if (!strcmp(argv[i], "--child")) {
			pr.want_child = true;
			continue;
		}
		if (!strcmp(argv[i], "--liveness")) {
			pr.liveness = true;
			continue;
		}
		fprintf(stderr, "bad option %s\n", argv[i]);
		return 2;
	}
	uint8_t kb[16], ob[16];
	if (!local || !nai || !apn || hex(k, kb, 16) || hex(opc, ob, 16) ||
	    ds_addr_parse(local, &pr.local) || (!ha && !remote)) {
		fprintf(stderr, "missing or bad options\n");
		return 2;
	}
	pr.fd500 = open_udp(&pr.local, 500);
	pr.fd4500 = open_udp(&pr.local, 4500);
	if (pr.fd500 < 0 || pr.fd4500 < 0) {
		perror("bind");
		return 1;
	}
	if (keylog)
		pr.keylog = fopen(keylog, "a");

	ds_subdb *db = NULL;
	ds_eap_aka_server *srv = NULL;
	ds_cert *c = NULL;
	ds_ca_store *cas = NULL;
	static ds_ike_cert_auth ca_auth;
	ds_ike_config cfg = { .role = ha ? DS_IKE_RESPONDER : DS_IKE_INITIATOR, .send = send_cb,
			      .send_ctx = &pr, .keylog = keylog != NULL, .fragmentation = frag,
			      .frag_mtu = (uint16_t)frag_mtu };
	cfg.ev = (ds_ike_events){ .ctx = &pr, .established = ev_established,
				  .child_up = ev_child_up, .closed = ev_closed,
				  .keylog = ev_keylog, .assign_prefix = ev_assign };
	cfg.log = (ds_logger){ .fn = log_cb, .level = DS_LOG_DEBUG };
	if (psk) {
		cfg.psk = (const uint8_t *)psk;
		cfg.psk_len = strlen(psk);
	}
	int err = 0;
	if (cert) {
		c = ds_cert_load(cert, key, &err);
		if (!c || ds_ike_cert_signer(&ca_auth, c, 0)) {
			fprintf(stderr, "certificate: %s\n", ds_strerror(err));
			return 1;
		}
		cfg.signer = &ca_auth.signer;
	}
	if (ca) {
		cas = ds_ca_load(ca, &err);
		if (!cas) {
			fprintf(stderr, "CA: %s\n", ds_strerror(err));
			return 1;
		}
		ds_ike_cert_verifier(&ca_auth, cas, wall, NULL);
		cfg.verifier = &ca_auth.verifier;
	}
	if (ha) {
		if (ds_subdb_open(":memory:", &db))
			return 1;
		ds_subscriber s = { .amf = 0x8000 };
		/* the IMSI is the NAI's user part without the leading method digit (TS 23.003) */
		snprintf(s.imsi, sizeof(s.imsi), "%.*s", (int)(strcspn(nai + 1, "@")), nai + 1);
		memcpy(s.k, kb, 16);
		memcpy(s.opc, ob, 16);
		const char *apns[] = { apn };
		if (ds_subdb_add(db, &s, apns, 1)) {
			fprintf(stderr, "subscriber %s refused\n", s.imsi);
			return 1;
		}
		ds_eap_aka_server_cfg sc = { .db = db };
		srv = ds_eap_aka_server_new(&sc);
		cfg.eap = ds_eap_aka_server_backend(srv);
	}
	pr.ike = ds_ike_new(&cfg, &err);
	if (!pr.ike) {
		fprintf(stderr, "ds_ike_new: %s\n", ds_strerror(err));
		return 1;
	}
	if (!ha) {
		ds_eap_aka_peer_cfg pc = { .identity = nai };
		memcpy(pc.k, kb, 16);
		memcpy(pc.opc, ob, 16);
		ds_eap_peer *ep = ds_eap_aka_peer_new(&pc);
		ds_ike_connect_params p = { .nai = nai, .apn = apn, .eap = ep,
					    .eap_ops = &ds_eap_aka_peer_ops,
					    .cp = { .hnp = true, .ip6 = true, .ip4 = true },
					    .no_child = !pr.want_child };
		p.local = pr.local;
		if (ds_addr_parse(remote, &p.remote)) {
			fprintf(stderr, "bad --remote\n");
			return 2;
		}
		if (!ds_ike_connect(pr.ike, &p, now_ms(), &err)) {
			fprintf(stderr, "connect: %s\n", ds_strerror(err));
			return 1;
		}
	}
	ds_time end = now_ms() + (ds_time)seconds * 1000, est_at = 0;
	bool pinged = false, rekey_asked = false;
	uint64_t rekeys = 0;
	while (now_ms() < end) {
		const ds_ike_counters *cn = ds_ike_get_counters(pr.ike);
		if (cn->rekeys_ike != rekeys && pr.sa) {
			ds_ike_info in;
			ds_ike_sa_info(pr.sa, &in);
			rekeys = cn->rekeys_ike;
			printf("REKEYED n=%llu spi_i=%016llx spi_r=%016llx\n", (unsigned long long)rekeys,
			       (unsigned long long)in.spi_i, (unsigned long long)in.spi_r);
			fflush(stdout);
		}
		bool rekey_done = !pr.rekey_after || rekeys > 0;
		if (pr.exit_on_established && pr.established && rekey_done &&
		    (!pr.liveness || pinged))
			break;
		if ((!ha || pr.exit_on_closed) && pr.closed)
			break;
		if (pr.established && !est_at)
			est_at = now_ms();
		if (pr.rekey_after && pr.sa && !rekey_asked &&
		    now_ms() >= est_at + (ds_time)pr.rekey_after * 1000) {
			int rc = ds_ike_rekey(pr.sa, now_ms());
			printf("REKEY requested: %s\n", ds_strerror(rc));
			fflush(stdout);
			rekey_asked = true;
		}
		if (pr.liveness && pr.sa && !pinged && rekey_done) {
			ds_ike_liveness(pr.sa, now_ms());
			pinged = true;
		}
		ds_time t = ds_ike_next_timeout(pr.ike), n = now_ms();
		int wait = 200;
		if (t != DS_TIME_NEVER)
			wait = t <= n ? 0 : (int)(t - n < 200 ? t - n : 200);
		struct pollfd fds[2] = { { pr.fd500, POLLIN, 0 }, { pr.fd4500, POLLIN, 0 } };
		if (poll(fds, 2, wait) > 0) {
			if (fds[0].revents & POLLIN)
				pump(&pr, pr.fd500);
			if (fds[1].revents & POLLIN)
				pump(&pr, pr.fd4500);
		}
		ds_ike_on_timer(pr.ike, now_ms());
	}
	if (pr.liveness && pinged)
		usleep(500000);   /* let the liveness answer arrive */
	int rc = pr.established ? 0 : 1;
	const ds_ike_counters *ctr = ds_ike_get_counters(pr.ike);
	printf("COUNTERS rx=%llu tx=%llu retransmits=%llu malformed=%llu auth_failures=%llu "
	       "established=%llu unknown_spi=%llu sk_failures=%llu out_of_window=%llu "
	       "fragments_tx=%llu fragments_rx=%llu reassembled=%llu rekeys_ike=%llu\n",
	       (unsigned long long)ctr->rx, (unsigned long long)ctr->tx,
	       (unsigned long long)ctr->retransmits, (unsigned long long)ctr->rx_malformed,
	       (unsigned long long)ctr->auth_failures, (unsigned long long)ctr->sa_established,
	       (unsigned long long)ctr->rx_unknown_spi, (unsigned long long)ctr->rx_auth_failed,
	       (unsigned long long)ctr->rx_out_of_window, (unsigned long long)ctr->fragments_tx,
	       (unsigned long long)ctr->fragments_rx, (unsigned long long)ctr->reassembled,
	       (unsigned long long)ctr->rekeys_ike);
	ds_ike_free(pr.ike);
	if (srv)
		ds_eap_aka_server_free(srv);
	ds_subdb_close(db);
	ds_cert_free(c);
	ds_ca_free(cas);
	if (pr.keylog)
		fclose(pr.keylog);
	close(pr.fd500);
	close(pr.fd4500);
	return rc;
}
