#include "rt/ha_host.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/util.h"
#include "ha/ha_ike.h"
#include "ipsec/esp_udp.h"
#include "rt/ha_host_int.h"
#include "rt/nft.h"
#include "rt/tun.h"

/* ---- datagrams between sockets / TUN and the engines ---- */

static void sync_timers(ds_ha_host *h)
{
	ds_rt_timer_sync(&h->ha_timer);
	ds_rt_timer_sync(&h->ike_timer);
}

static void send_cb(void *ctx, const ds_pkt *pkt)
{
	ds_ha_host *h = ctx;
	if (pkt->kind == DS_PKT_TUN) {
		if (ds_tun_write(h->tun_fd, pkt->data, pkt->len) != DS_OK)
			ds_logf_rl(&h->log.lg, &h->rl, ds_rt_now(), DS_LOG_WARN,
				   "TUN write failed: %s", strerror(errno));
		return;
	}
	ds_netio_send(h->net, pkt);
}

static void rx_cb(void *ctx, const ds_pkt *pkt)
{
	ds_ha_host *h = ctx;
	ds_time now = ds_rt_now();
	if (pkt->kind == DS_PKT_UDP && pkt->dst.port == DS_PORT_IKE) {
		ds_ike_input(h->ike, pkt, now);
	} else if (pkt->kind == DS_PKT_UDP && pkt->dst.port == DS_PORT_NATT) {
		if (ds_natt_udp4500_is_ike(pkt, &h->natt))
			ds_ike_input(h->ike, pkt, now);
	} else {
		ds_ha_input(h->ha, pkt, now);
	}
	sync_timers(h);
}

static void on_tun(evutil_socket_t fd, short what, void *arg)
{
	ds_ha_host *h = arg;
	for (int i = 0; i < 64; i++) {
		size_t len;
		if (ds_tun_read(h->tun_fd, h->tun_buf, sizeof h->tun_buf, &len) != DS_OK)
			break;
		ds_ha_tun_input(h->ha, h->tun_buf, len, ds_rt_now());
	}
	sync_timers(h);
}

static void on_radius(evutil_socket_t fd, short what, void *arg)
{
	ds_ha_host *h = arg;
	/* RADIUS answers resume the IKE_AUTH exchanges waiting for them */
	ds_eap_radius_dispatch(h->radius);
	sync_timers(h);
}

static ds_time ha_next(void *e) { return ds_ha_next_timeout(e); }
static void ha_fire(void *e, ds_time now) { ds_ha_on_timer(e, now); }
static ds_time ike_next(void *e) { return ds_ike_next_timeout(e); }
static void ike_fire(void *e, ds_time now) { ds_ike_on_timer(e, now); }

/* ---- IKEv2 responder events ---- */

static int sign_cb(void *ctx, const uint8_t *octets, size_t len, uint8_t *sig, size_t *sig_len)
{
	ds_ha_host *h = ctx;
	return ds_cert_auth_sign(h->cert, h->signer.auth_method, octets, len, sig, *sig_len, sig_len);
}

static int assign_prefix_cb(void *ctx, const char *nai, const char *apn, ds_ike_assignment *out)
{
	ds_ha_host *h = ctx;
	if (h->conf.n_apn) {
		bool ok = false;
		for (unsigned i = 0; i < h->conf.n_apn; i++)
			if (strcasecmp(h->conf.apns[i], apn) == 0)
				ok = true;
		if (!ok) {
			ds_logf(&h->log.lg, DS_LOG_NOTICE, "%s: APN %s is not served here", nai, apn);
			return DS_E_NOTFOUND; /* AUTHENTICATION_FAILED, R-18 */
		}
	}
	memset(out, 0, sizeof *out);
	int rc = ds_ha_assign_hnp(h->ha, nai, apn, &out->hnp, &out->lifetime_s);
	if (rc != DS_OK)
		return rc;
	/* INTERNAL_IP6_ADDRESS for clients that ask (a generic IKEv2 client gets a HoA too) */
	return ds_ha_cp_hoa6(nai, &out->hnp, &out->hoa6);
}

static void established_cb(void *ctx, ds_ike_sa *sa, const ds_ike_info *info)
{
	ds_ha_host *h = ctx;
	char peer[DS_ADDR_STRLEN];
	ds_logf(&h->log.lg, DS_LOG_INFO, "IKE SA up: %s APN %s from %s", info->nai, info->apn,
		ds_addr_fmt(&info->remote, peer, sizeof peer));
	/* HA reallocation by operator rule (RFC 5685 cl. 5, after authentication) */
	const ds_ha_redirect_rule *r = ds_ha_redirect_match(&h->conf, info->nai, info->apn);
	if (r) {
		const ds_addr *to = (info->remote.family == DS_AF_INET && r->to4.family) ? &r->to4
				  : r->to6.family ? &r->to6 : &r->to4;
		char t[DS_ADDR_STRLEN];
		int rc = ds_ike_redirect(sa, to, ds_rt_now());
		ds_logf(&h->log.lg, DS_LOG_NOTICE, "redirecting %s (APN %s) to %s: %s", info->nai,
			info->apn, ds_addr_fmt(to, t, sizeof t), ds_strerror(rc));
	}
}

static void child_up_cb(void *ctx, ds_ike_sa *sa, const ds_ike_child *child)
{
	ds_ha_host *h = ctx;
	ds_keylog_files_child(&h->keylog, child);
	int err = 0;
	ds_esp_sa *in = ds_esp_sa_new(&child->in, &err);
	ds_esp_sa *out = in ? ds_esp_sa_new(&child->out, &err) : NULL;
	if (!in || !out) {
		ds_logf(&h->log.lg, DS_LOG_ERR, "cannot create ESP SAs: %s", ds_strerror(err));
		ds_esp_sa_free(in);
		ds_ike_delete(sa, ds_rt_now());
		return;
	}
	ds_ike_info info;
	ds_ike_sa_info(sa, &info);
	int rc = ds_ha_ike_up(h->ha, info.nai, info.apn, sa, out, in, &info.remote, ds_rt_now());
	if (rc != DS_OK) /* the engine owns (and has freed) the pair either way */
		ds_logf(&h->log.lg, DS_LOG_WARN, "%s APN %s: MH SA refused: %s", info.nai, info.apn,
			ds_strerror(rc));
}

static void closed_cb(void *ctx, ds_ike_sa *sa, int reason, const ds_ike_info *info)
{
	ds_ha_host *h = ctx;
	ds_logf(&h->log.lg, DS_LOG_INFO, "IKE SA closed: %s APN %s (reason %d)", info->nai,
		info->apn, reason);
	/* a daemon stop closes every IKE SA (DS_IKE_CLOSE_SHUTDOWN): that is not a detach, the
	 * UE's allocation and binding stay for the next start */
	if (h->stopping)
		return;
	h->closing = sa;
	/* no CHILD_SA ever came up (generic client, failure before CREATE_CHILD_SA): the HNP given
	 * in IKE_AUTH is released too */
	if (ds_ha_ike_down(h->ha, sa, ds_rt_now()) == DS_E_NOTFOUND && info->nai[0])
		ds_ha_release_unbound(h->ha, info->nai, info->apn, ds_rt_now());
	h->closing = NULL;
}

static void keylog_cb(void *ctx, const char *line)
{
	ds_ha_host *h = ctx;
	ds_keylog_files_ike(&h->keylog, line);
}

/* ---- HA engine events ---- */

static void binding_cb(void *ctx, const ds_ha_ue *u, enum ds_ha_binding_reason why,
		       const ds_ha_alloc *a)
{
	ds_ha_host *h = ctx;
	static const char *const what[] = { "?", "added", "updated", "deregistered (home)",
					    "detached", "expired", "revoked" };
	char hoa[DS_ADDR_STRLEN], coa[DS_ADDR_STRLEN];
	ds_logf(&h->log.lg, DS_LOG_INFO, "binding %s: %s APN %s HoA %s CoA %s",
		(size_t)why < DS_ARRAY_LEN(what) ? what[why] : "?", a->nai, a->apn,
		ds_addr_fmt(&a->hoa, hoa, sizeof hoa), ds_addr_fmt(&a->coa, coa, sizeof coa));
	/* the HNP and IPv4 pools are routed into the TUN device as a whole at start: no per-UE
	 * route is needed, the engine tunnels by binding-cache lookup */
}

static void persist_cb(void *ctx, const ds_ha_alloc *a, bool gone)
{
	ds_ha_host *h = ctx;
	int rc;
	if (h->stopping)
		return;
	if (gone) {
		rc = ds_ha_store_del_binding(h->store, a->nai, a->apn);
		int rc2 = ds_ha_store_del_alloc(h->store, a->nai, a->apn);
		rc = (rc == DS_OK || rc == DS_E_NOTFOUND) && (rc2 == DS_OK || rc2 == DS_E_NOTFOUND)
			     ? DS_OK : DS_E_IO;
	} else {
		ds_ha_alloc_rec ar;
		memset(&ar, 0, sizeof ar);
		snprintf(ar.nai, sizeof ar.nai, "%s", a->nai);
		snprintf(ar.apn, sizeof ar.apn, "%s", a->apn);
		ar.hnp = a->hnp;
		ar.ipv4 = a->hoa4;
		rc = ds_ha_store_put_alloc(h->store, &ar);
		if (rc == DS_OK && a->bound) {
			ds_ha_binding_rec br;
			memset(&br, 0, sizeof br);
			snprintf(br.nai, sizeof br.nai, "%s", a->nai);
			snprintf(br.apn, sizeof br.apn, "%s", a->apn);
			br.hoa = a->hoa;
			br.coa = a->coa;
			br.seq = a->last_seq;
			br.tunnel = a->tunnel;
			/* engine time is monotonic: persist the expiry as wall-clock time */
			ds_time now = ds_rt_now();
			br.expires = ds_rt_wall() + (a->expires > now ? (a->expires - now) / 1000 : 0);
			rc = ds_ha_store_put_binding(h->store, &br);
		} else if (rc == DS_OK) {
			rc = ds_ha_store_del_binding(h->store, a->nai, a->apn);
			if (rc == DS_E_NOTFOUND)
				rc = DS_OK;
		}
	}
	if (rc != DS_OK) {
		h->persist_errors++;
		ds_logf_rl(&h->log.lg, &h->rl, ds_rt_now(), DS_LOG_ERR,
			   "cannot persist %s APN %s: %s", a->nai, a->apn, ds_strerror(rc));
	}
}

static void ha_ike_cb(void *ctx, void *ike, enum ds_ha_ike_action action, const ds_addr *addr)
{
	ds_ha_host *h = ctx;
	ds_ike_sa *sa = ike;
	if (!sa || sa == h->closing)
		return; /* the IKE SA is already going away */
	ds_time now = ds_rt_now();
	switch (action) {
	case DS_HA_IKE_MOVE: {
		/* the IKE SA runs from the HA address of the CoA's family (RFC 5555 cl. 5.1) */
		const ds_addr *local = addr->family == DS_AF_INET ? &h->conf.addr4 : &h->conf.addr6;
		int rc = ds_ike_update_peer(sa, local->family ? local : NULL, addr, now);
		if (rc != DS_OK)
			ds_logf(&h->log.lg, DS_LOG_WARN, "cannot move the IKE SA: %s", ds_strerror(rc));
		break;
	}
	case DS_HA_IKE_DELETE:
		ds_ike_delete(sa, now);
		break;
	case DS_HA_IKE_REDIRECT:
		ds_ike_redirect(sa, addr, now);
		break;
	}
}

/* ---- restore after a restart ---- */

typedef struct restore_ctx {
	ds_ha_host *h;
	unsigned allocs, bindings, failed;
} restore_ctx;

static int restore_binding(void *ctx, const ds_ha_binding_rec *b)
{
	ds_ha_alloc *a = ctx;
	if (strcmp(a->nai, b->nai) != 0 || strcmp(a->apn, b->apn) != 0)
		return 0;
	a->bound = true;
	a->hoa = b->hoa;
	a->coa = b->coa;
	a->last_seq = b->seq;
	a->tunnel = (uint8_t)b->tunnel;
	uint64_t wall = ds_rt_wall();
	a->expires = ds_rt_now() + (b->expires > wall ? (b->expires - wall) * 1000 : 0);
	return 1;
}

static int restore_alloc(void *ctx, const ds_ha_alloc_rec *r)
{
	restore_ctx *rc = ctx;
	ds_ha_alloc a;
	memset(&a, 0, sizeof a);
	snprintf(a.nai, sizeof a.nai, "%s", r->nai);
	snprintf(a.apn, sizeof a.apn, "%s", r->apn);
	a.hnp = r->hnp;
	a.hoa4 = r->ipv4;
	/* bindings are few per allocation; a keyed lookup would need a second statement */
	ds_ha_store_each_binding(rc->h->store, ds_rt_wall(), restore_binding, &a);
	if (ds_ha_restore(rc->h->ha, &a, ds_rt_now()) == DS_OK) {
		rc->allocs++;
		rc->bindings += a.bound;
	} else {
		rc->failed++;
	}
	return 0;
}

/* ---- signals ---- */

static void on_stop(evutil_socket_t sig, short what, void *arg)
{
	ds_ha_host *h = arg;
	/* The HA keeps every allocation and binding in its database: a stop is not a detach, the
	 * next start restores them and UEs keep their addresses (no revocation is sent). */
	ds_logf(&h->log.lg, DS_LOG_NOTICE, "signal %d: stopping, state kept in %s", (int)sig,
		h->conf.db_path);
	event_base_loopbreak(h->base);
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
	ds_ha_host *h = arg;
	char msg[512];
	ds_ha_host_reload(h, msg, sizeof msg);
	ds_logf(&h->log.lg, DS_LOG_NOTICE, "SIGHUP: %s", msg);
}

int ds_ha_host_reload(ds_ha_host *h, char *msg, size_t len)
{
	ds_ha_conf nc;
	char err[2048];
	if (ds_ha_conf_load(h->conf_path, &nc, err, sizeof err) != DS_OK) {
		snprintf(msg, len, "configuration not reloaded: %s", err);
		return DS_E_CONFIG;
	}
	bool restart = !ds_addr_eq(&nc.addr6, &h->conf.addr6) || !ds_addr_eq(&nc.addr4, &h->conf.addr4) ||
		       !ds_addr_eq(&nc.hnp_pool, &h->conf.hnp_pool) ||
		       !ds_addr_eq(&nc.ipv4_pool, &h->conf.ipv4_pool) ||
		       strcmp(nc.tun_name, h->conf.tun_name) != 0 || strcmp(nc.cert, h->conf.cert) != 0 ||
		       strcmp(nc.key, h->conf.key) != 0 || strcmp(nc.db_path, h->conf.db_path) != 0 ||
		       strcmp(nc.ctl_socket, h->conf.ctl_socket) != 0 || nc.aaa_mode != h->conf.aaa_mode ||
		       nc.max_lifetime != h->conf.max_lifetime;
	/* what can change at run time: log level, redirect rules, served APNs; subscribers live
	 * in the database and are read on every authentication */
	ds_log_sink_set_level(&h->log, nc.log.level);
	memcpy(h->conf.redirect, nc.redirect, sizeof nc.redirect);
	h->conf.n_redirect = nc.n_redirect;
	memcpy(h->conf.apns, nc.apns, sizeof nc.apns);
	h->conf.n_apn = nc.n_apn;
	h->conf.log.level = nc.log.level;
	snprintf(msg, len, "log level %s, %u redirect rules, %u APNs applied%s",
		 ds_log_level_name(nc.log.level), nc.n_redirect, nc.n_apn,
		 restart ? "; addresses, pools, TUN, certificate, database, AAA, lifetime or control "
			   "socket changes need a restart" : "");
	return DS_OK;
}

/* ---- start-up and shutdown ---- */

static int setup_crypto(ds_ha_host *h)
{
	int err = 0;
	h->cert = ds_cert_load(h->conf.cert, h->conf.key, &err);
	if (!h->cert || !ds_cert_has_private_key(h->cert)) {
		ds_logf(&h->log.lg, DS_LOG_ERR, "cannot load certificate %s with key %s: %s",
			h->conf.cert, h->conf.key, ds_strerror(err));
		return DS_E_CONFIG;
	}
	size_t dl = 0;
	ds_cert_der(h->cert, NULL, 0, &dl);
	h->cert_der = malloc(dl ? dl : 1);
	if (!h->cert_der || ds_cert_der(h->cert, h->cert_der, dl, &dl) != DS_OK)
		return DS_E_NOMEM;
	h->signer.ctx = h;
	/* RFC 7427 Digital Signature works for RSA and every EC curve */
	h->signer.auth_method = DS_AUTH_DIGITAL_SIGNATURE;
	h->signer.cert_der = h->cert_der;
	h->signer.cert_der_len = dl;
	h->signer.sign = sign_cb;
	return DS_OK;
}

static int setup_tun(ds_ha_host *h)
{
	h->tun_fd = ds_tun_open(h->conf.tun_name, h->tun_name, &h->tun_ifindex);
	if (h->tun_fd < 0) {
		ds_logf(&h->log.lg, DS_LOG_ERR, "cannot create TUN %s: %s", h->conf.tun_name,
			strerror(errno));
		return DS_E_IO;
	}
	if (ds_tun_quiet(h->tun_name) != DS_OK)
		ds_logf(&h->log.lg, DS_LOG_WARN, "cannot silence IPv6 autoconfiguration on %s",
			h->tun_name);
	h->nl = ds_nl_open();
	if (!h->nl || ds_nl_link_up(h->nl, h->tun_ifindex, h->conf.tun_mtu) != DS_OK) {
		ds_logf(&h->log.lg, DS_LOG_ERR, "cannot bring %s up: %s", h->tun_name, strerror(errno));
		return DS_E_IO;
	}
	/* the PDN reaches every UE through the TUN: route the pools into it */
	if (ds_nl_route(h->nl, true, h->tun_ifindex, &h->conf.hnp_pool, NULL, 0, 0) != DS_OK ||
	    (h->conf.ipv4_pool.family &&
	     ds_nl_route(h->nl, true, h->tun_ifindex, &h->conf.ipv4_pool, NULL, 0, 0) != DS_OK)) {
		ds_logf(&h->log.lg, DS_LOG_ERR, "cannot route the pools into %s: %s", h->tun_name,
			strerror(errno));
		return DS_E_IO;
	}
	h->tun_ev = event_new(h->base, h->tun_fd, EV_READ | EV_PERSIST, on_tun, h);
	return h->tun_ev && event_add(h->tun_ev, NULL) == 0 ? DS_OK : DS_E_NOMEM;
}

static int setup_engines(ds_ha_host *h)
{
	ds_ha_config hc;
	memset(&hc, 0, sizeof hc);
	hc.send = send_cb;
	hc.send_ctx = h;
	hc.ev.ctx = h;
	hc.ev.binding = binding_cb;
	hc.ev.persist = persist_cb;
	hc.ev.ike = ha_ike_cb;
	hc.log = h->log.lg;
	hc.ha6 = h->conf.addr6;
	hc.ha4 = h->conf.addr4;
	hc.hnp_pool = h->conf.hnp_pool;
	hc.ipv4_pool = h->conf.ipv4_pool;
	hc.max_lifetime_s = h->conf.max_lifetime;
	h->ha = ds_ha_new(&hc);
	if (!h->ha) {
		ds_logf(&h->log.lg, DS_LOG_ERR, "HA engine refused the configuration");
		return DS_E_CONFIG;
	}
	ds_ike_config ic;
	memset(&ic, 0, sizeof ic);
	ic.role = DS_IKE_RESPONDER;
	ic.send = send_cb;
	ic.send_ctx = h;
	ic.ev.ctx = h;
	ic.ev.established = established_cb;
	ic.ev.child_up = child_up_cb;
	ic.ev.closed = closed_cb;
	ic.ev.assign_prefix = assign_prefix_cb;
	ic.ev.keylog = keylog_cb;
	ic.log = h->log.lg;
	ic.signer = &h->signer;
	ic.keylog = h->keylog.ike != NULL;
	ds_conf_ike_tuning_apply(&h->conf.ike, &ic);
	if (h->conf.aaa_mode == DS_AAA_RADIUS) {
		/* EAP relayed to an external AAA (RFC 3579); answers come back on the loop */
		char server[DS_ADDR_STRLEN];
		ds_eap_radius_cfg rc;
		memset(&rc, 0, sizeof rc);
		rc.server = ds_addr_fmt(&h->conf.radius.server, server, sizeof server);
		rc.secret = h->conf.radius.secret;
		rc.timeout_s = h->conf.radius.timeout_s;
		rc.retries = h->conf.radius.retries;
		rc.log = h->log.lg;
		h->radius = ds_eap_radius_new(&rc);
		if (!h->radius) {
			ds_logf(&h->log.lg, DS_LOG_ERR, "RADIUS back end towards %s failed to start",
				server);
			return DS_E_CONFIG;
		}
		h->radius_ev = event_new(h->base, ds_eap_radius_fd(h->radius), EV_READ | EV_PERSIST,
					 on_radius, h);
		if (!h->radius_ev || event_add(h->radius_ev, NULL) != 0)
			return DS_E_NOMEM;
		ic.eap = ds_eap_radius_backend(h->radius);
	} else {
		ds_eap_aka_server_cfg ec;
		memset(&ec, 0, sizeof ec);
		ec.db = h->subdb;
		ec.log = h->log.lg;
		h->eap = ds_eap_aka_server_new(&ec);
		if (!h->eap)
			return DS_E_NOMEM;
		ic.eap = ds_eap_aka_server_backend(h->eap);
	}
	int err = 0;
	h->ike = ds_ike_new(&ic, &err);
	if (!h->ike) {
		ds_logf(&h->log.lg, DS_LOG_ERR, "IKE engine: %s", ds_strerror(err));
		return err ? err : DS_E_CONFIG;
	}
	if (ds_rt_timer_init(&h->ha_timer, h->base, ha_next, ha_fire, h->ha) != DS_OK ||
	    ds_rt_timer_init(&h->ike_timer, h->base, ike_next, ike_fire, h->ike) != DS_OK)
		return DS_E_NOMEM;
	return DS_OK;
}

static int setup(ds_ha_host *h)
{
	char err[512];
	h->base = event_base_new();
	if (!h->base)
		return DS_E_NOMEM;
	if (ds_ha_store_open(&h->store, h->conf.db_path, err, sizeof err) != DS_OK) {
		ds_logf(&h->log.lg, DS_LOG_ERR, "state database: %s", err);
		return DS_E_IO;
	}
	if (ds_subdb_open(h->conf.db_path, &h->subdb) != DS_OK) {
		ds_logf(&h->log.lg, DS_LOG_ERR, "subscriber store %s cannot be opened", h->conf.db_path);
		return DS_E_IO;
	}
	if (h->conf.keylog_dir[0] && ds_keylog_files_open(&h->keylog, h->conf.keylog_dir) != DS_OK)
		ds_logf(&h->log.lg, DS_LOG_WARN, "key log in %s: %s", h->conf.keylog_dir,
			strerror(errno));
	int rc = setup_crypto(h);
	if (rc == DS_OK)
		rc = setup_engines(h);
	if (rc != DS_OK)
		return rc;
	restore_ctx rcx = { .h = h };
	ds_ha_store_each_alloc(h->store, restore_alloc, &rcx);
	ds_logf(&h->log.lg, DS_LOG_INFO, "restored %u allocations and %u bindings%s", rcx.allocs,
		rcx.bindings, rcx.failed ? " (some records were refused by the engine)" : "");

	if (ds_nft_install(DS_HA_NFT_TABLE, err, sizeof err) == DS_OK)
		h->nft_installed = true;
	else /* not fatal: only ICMPv6 errors towards UEs leak */
		ds_logf(&h->log.lg, DS_LOG_WARN, "nftables table not installed: %s", err);
	if ((rc = setup_tun(h)) != DS_OK)
		return rc;
	static const uint8_t raw6[] = { 60, 43, 50, 135, 41, 4 };
	static const uint8_t raw4[] = { 50, 41, 4 };
	ds_netio_cfg nc = {
		.base = h->base, .log = &h->log.lg, .ike = true, .dsmip_udp = true,
		.raw6 = raw6, .n_raw6 = sizeof raw6, .raw4 = raw4, .n_raw4 = sizeof raw4,
		.rx = rx_cb, .ctx = h,
	};
	nc.bind6.family = DS_AF_INET6;
	nc.bind4.family = h->conf.addr4.family ? DS_AF_INET : DS_AF_NONE;
	h->net = ds_netio_new(&nc);
	if (!h->net)
		return DS_E_IO;
	h->ctl = ds_ctl_server_new(h->base, h->conf.ctl_socket, ds_ha_ctl_cmds, h, &h->log.lg);
	if (!h->ctl)
		return DS_E_IO;
	h->sig_term = evsignal_new(h->base, SIGTERM, on_stop, h);
	h->sig_int = evsignal_new(h->base, SIGINT, on_stop, h);
	h->sig_hup = evsignal_new(h->base, SIGHUP, on_hup, h);
	if (!h->sig_term || !h->sig_int || !h->sig_hup || event_add(h->sig_term, NULL) ||
	    event_add(h->sig_int, NULL) || event_add(h->sig_hup, NULL))
		return DS_E_NOMEM;
	signal(SIGPIPE, SIG_IGN);
	sync_timers(h);
	return DS_OK;
}

static void teardown(ds_ha_host *h)
{
	if (h->ctl)
		ds_ctl_server_free(h->ctl);
	if (h->sig_term)
		event_free(h->sig_term);
	if (h->sig_int)
		event_free(h->sig_int);
	if (h->sig_hup)
		event_free(h->sig_hup);
	ds_netio_free(h->net);
	if (h->ike_timer.ev)
		ds_rt_timer_free(&h->ike_timer);
	if (h->ha_timer.ev)
		ds_rt_timer_free(&h->ha_timer);
	/* IKE first: its close events (ignored while stopping) must find the HA engine alive;
	 * nothing persisted is removed by a shutdown */
	h->stopping = true;
	ds_ike_free(h->ike);
	ds_ha_free(h->ha);
	if (h->radius_ev)
		event_free(h->radius_ev);
	ds_eap_radius_free(h->radius);
	ds_eap_aka_server_free(h->eap);
	if (h->tun_ev)
		event_free(h->tun_ev);
	if (h->tun_fd > 0)
		close(h->tun_fd);
	ds_nl_close(h->nl);
	if (h->nft_installed)
		ds_nft_remove(DS_HA_NFT_TABLE);
	ds_subdb_close(h->subdb);
	ds_ha_store_close(h->store);
	ds_cert_free(h->cert);
	free(h->cert_der);
	ds_keylog_files_close(&h->keylog);
	if (h->base)
		event_base_free(h->base);
}

int ds_ha_host_main(const ds_ha_host_opts *o)
{
	ds_ha_host *h = calloc(1, sizeof *h);
	if (!h)
		return 2;
	h->conf_path = o->conf_path;
	h->tun_fd = -1;
	h->rl = (ds_ratelimit)DS_RATELIMIT_INIT(1000, 10);
	char err[4096];
	if (ds_ha_conf_load(o->conf_path, &h->conf, err, sizeof err) != DS_OK) {
		fprintf(stderr, "%s\n", err);
		free(h);
		return 1;
	}
	if (o->foreground_log)
		h->conf.log.syslog = false;
	if (o->log_level > 0)
		h->conf.log.level = o->log_level;
	ds_log_sink_open(&h->log, "dsmip6-ha", &h->conf.log);
	int rc = setup(h);
	if (rc == DS_OK) {
		char a[DS_ADDR_STRLEN];
		ds_logf(&h->log.lg, DS_LOG_NOTICE, "dsmip6-ha running: HA %s, TUN %s, control %s",
			ds_addr_fmt(&h->conf.addr6, a, sizeof a), h->tun_name, h->conf.ctl_socket);
		event_base_dispatch(h->base);
	} else {
		ds_logf(&h->log.lg, DS_LOG_ERR, "start-up failed: %s", ds_strerror(rc));
	}
	/* closing IKE SAs at shutdown must not delete the persisted state */
	teardown(h);
	ds_log_sink_close(&h->log);
	free(h);
	return rc == DS_OK ? 0 : 2;
}
