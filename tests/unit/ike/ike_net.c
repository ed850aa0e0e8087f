/* In-process IKEv2 test bed (see ike_net.h). */
#include "ike_net.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "core/err.h"

static const uint8_t PSK[] = "dsmip6 unit-test pre-shared key";
static const uint8_t K[16] = { 0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f,
			       0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc };
static const uint8_t OPC[16] = { 0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e,
				 0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf };

static void enqueue(net *n, int to, const ds_pkt *p)
{
	assert_true(n->nq < NET_QMAX);
	assert_int_equal(p->kind, DS_PKT_UDP);
	assert_true(p->len <= DS_PKT_MAX);
	net_pkt *q = &n->q[n->nq++];
	q->to = to;
	q->pkt = *p;
	memcpy(q->data, p->data, p->len);
	q->pkt.data = q->data;
	n->s[to ? 0 : 1].sent++;
	if (p->len > n->s[to ? 0 : 1].max_dgram)
		n->s[to ? 0 : 1].max_dgram = p->len;
	if (n->nat) {
		/* A NAT between the UE and the HA: the UE's private address:port <-> public. */
		if (to == 1 && ds_addr_ip_eq(&q->pkt.src, &n->nat_priv)) {
			uint16_t port = q->pkt.src.port;
			q->pkt.src = n->nat_pub;
			q->pkt.src.port = (uint16_t)(port + 10000);
		} else if (to == 0 && ds_addr_ip_eq(&q->pkt.dst, &n->nat_pub)) {
			uint16_t port = q->pkt.dst.port;
			q->pkt.dst = n->nat_priv;
			q->pkt.dst.port = (uint16_t)(port - 10000);
		}
	}
}

static void send_from_i(void *ctx, const ds_pkt *p) { enqueue(ctx, 1, p); }
static void send_from_r(void *ctx, const ds_pkt *p) { enqueue(ctx, 0, p); }

static side *side_of(net *n, ds_ike_sa *sa, void *ctx_side)
{
	(void)n;
	side *s = ctx_side;
	s->sa = sa;
	return s;
}

static void ev_established(void *ctx, ds_ike_sa *sa, const ds_ike_info *info)
{
	side *s = side_of(NULL, sa, ctx);
	s->established++;
	s->info = *info;
}

static void ev_child_up(void *ctx, ds_ike_sa *sa, const ds_ike_child *c)
{
	side *s = side_of(NULL, sa, ctx);
	s->child_up++;
	s->child = *c;
	size_t el = c->in.encr == 20 ? (c->in.encr_key_bits / 8 + 4) : c->in.encr_key_bits / 8;
	memcpy(s->child_in_key, c->in.encr_key, el);
	memcpy(s->child_out_key, c->out.encr_key, el);
	if (c->in.integ_key) {
		memcpy(s->child_in_ikey, c->in.integ_key, 32);
		memcpy(s->child_out_ikey, c->out.integ_key, 32);
	}
	s->child.in.encr_key = s->child.out.encr_key = NULL;
	s->child.in.integ_key = s->child.out.integ_key = NULL;
	assert_ptr_equal(c->in.owner, sa);
}

static void ev_child_down(void *ctx, ds_ike_sa *sa, uint32_t in, uint32_t out)
{
	side *s = side_of(NULL, sa, ctx);
	s->child_down++;
	s->down_in = in;
	s->down_out = out;
}

static void ev_closed(void *ctx, ds_ike_sa *sa, int reason, const ds_ike_info *info)
{
	side *s = ctx;
	s->close_notify = info->last_notify;
	if (s->sa == sa)
		s->sa = NULL;
	s->closed++;
	s->close_reason = reason;
}

static void ev_redirected(void *ctx, ds_ike_sa *sa, const ds_addr *gw, const char *fqdn)
{
	side *s = side_of(NULL, sa, ctx);
	(void)fqdn;
	s->redirected++;
	s->redirect_to = *gw;
}

static void ev_keylog(void *ctx, const char *line)
{
	side *s = ctx;
	s->keylog_lines++;
	snprintf(s->keylog, sizeof(s->keylog), "%s", line);
}

static net *g_net;   /* the prefix / redirect hooks of the responder side */

static int ev_assign(void *ctx, const char *nai, const char *apn, ds_ike_assignment *out)
{
	net *n = g_net;
	(void)ctx;
	if (n->deny_apn || (strcmp(apn, NET_APN) != 0 && strcmp(apn, "ims") != 0))
		return DS_E_NOTFOUND;
	/* stable per (nai, apn): derived from the NAI length for the test */
	uint8_t p[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x10, 0x00, 0, (uint8_t)strlen(nai) };
	out->hnp = ds_addr6(p, 0);
	out->hnp.plen = 64;
	out->lifetime_s = 3600;
	p[15] = 1;
	out->hoa6 = ds_addr6(p, 0);
	out->hoa6.plen = 64;
	uint8_t v4[4] = { 10, 45, 0, 7 };
	out->hoa4 = ds_addr4(v4, 0);
	return DS_OK;
}

static bool ev_redirect_init(void *ctx, const ds_addr *peer, ds_addr *gw)
{
	net *n = g_net;
	(void)ctx;
	(void)peer;
	if (n->redirect_init <= 0)
		return false;
	n->redirect_init--;
	*gw = n->redirect_gw;
	return true;
}

static bool ev_redirect_auth(void *ctx, const char *nai, const char *apn, const ds_addr *peer,
			     ds_addr *gw)
{
	net *n = g_net;
	(void)ctx;
	(void)peer;
	if (n->redirect_auth <= 0)
		return false;
	assert_string_equal(nai, NET_NAI);   /* the authenticated identity and the APN */
	assert_string_equal(apn, NET_APN);
	n->redirect_auth--;
	*gw = n->redirect_gw;
	return true;
}

static bool ev_redirect_identity(void *ctx, const char *nai, const char *apn,
				 const ds_addr *peer, ds_addr *gw)
{
	net *n = g_net;
	(void)ctx;
	(void)peer;
	(void)nai;
	(void)apn;
	if (n->redirect_identity <= 0)
		return false;
	n->redirect_identity--;
	*gw = n->redirect_gw;
	return true;
}

/* ---- asynchronous EAP back end: wraps the embedded server and holds every answer ---- */

typedef struct async_sess {
	net *n;
	ds_eap_session *inner;
	ds_eap_done_fn done;
	void *ctx;
} async_sess;

static void async_hold(void *cb_ctx, int status, const uint8_t *eap, size_t len,
		       const uint8_t *msk, size_t msk_len)
{
	async_sess *a = cb_ctx;
	net *n = a->n;
	n->held.done = a->done;
	n->held.ctx = a->ctx;
	n->held.status = status;
	memcpy(n->held.eap, eap, len);
	n->held.len = len;
	n->held.has_msk = msk != NULL;
	if (msk)
		memcpy(n->held.msk, msk, msk_len);
	n->held.pending = true;
}

static ds_eap_session *async_start(void *backend, const char *nai, const char *apn,
				   ds_eap_done_fn done, void *cb_ctx)
{
	net *n = backend;
	async_sess *a = test_calloc(1, sizeof(*a));
	a->n = n;
	a->done = done;
	a->ctx = cb_ctx;
	a->inner = n->be.ops->start(n->be.backend, nai, apn, async_hold, a);
	if (!a->inner) {
		test_free(a);
		return NULL;
	}
	return (ds_eap_session *)a;
}

static int async_input(ds_eap_session *s, const uint8_t *eap, size_t len)
{
	async_sess *a = (async_sess *)s;
	return a->n->be.ops->input(a->inner, eap, len);
}

static void async_free(ds_eap_session *s)
{
	async_sess *a = (async_sess *)s;
	a->n->be.ops->free(a->inner);
	if (a->n->held.ctx == a->ctx)
		a->n->held.pending = false;
	test_free(a);
}

static int async_reason(ds_eap_session *s)
{
	async_sess *a = (async_sess *)s;
	return a->n->be.ops->reason ? a->n->be.ops->reason(a->inner) : 0;
}

static const ds_eap_backend_ops async_ops = { async_start, async_input, async_free,
					      async_reason };

void net_release_eap(net *n)
{
	if (!n->held.pending)
		return;
	n->held.pending = false;
	n->held.done(n->held.ctx, n->held.status, n->held.eap, n->held.len,
		     n->held.has_msk ? n->held.msk : NULL, n->held.has_msk ? 64 : 0);
}

/* ---- set-up ---- */

static int64_t wall_clock(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);   /* the host's wall clock, as a runtime would pass it */
}

void net_init(net *n, const net_opts *o)
{
	memset(n, 0, sizeof(*n));
	g_net = n;
	n->now = 1000;
	if (o->ipv4) {
		uint8_t a[4] = { 192, 0, 2, 10 }, b[4] = { 198, 51, 100, 1 };
		n->ue = ds_addr4(a, 500);
		n->ha = ds_addr4(b, 500);
	} else {
		uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xa, [15] = 0x10 };
		uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xb, [15] = 0x01 };
		n->ue = ds_addr6(a, 500);
		n->ha = ds_addr6(b, 500);
	}
	assert_int_equal(ds_subdb_open(":memory:", &n->db), DS_OK);
	ds_subscriber sub = { .imsi = NET_IMSI, .amf = 0x8000, .sqn = 0 };
	memcpy(sub.k, K, 16);
	memcpy(sub.opc, OPC, 16);
	const char *apns[] = { NET_APN, "ims" };
	assert_int_equal(ds_subdb_add(n->db, &sub, apns, 2), DS_OK);
	ds_eap_aka_server_cfg sc = { .db = n->db };
	n->srv = ds_eap_aka_server_new(&sc);
	assert_non_null(n->srv);
	n->be = ds_eap_aka_server_backend(n->srv);
	n->async = o->async;
	n->no_child = o->no_child;
	n->async_be.ops = &async_ops;
	n->async_be.backend = n;

	if (o->pki_dir) {
		char c[512], k[512];
		int err;
		snprintf(c, sizeof c, "%s/%s.pem", o->pki_dir, o->ha_cert);
		snprintf(k, sizeof k, "%s/%s.key", o->pki_dir, o->ha_cert);
		n->ha_cert = ds_cert_load(c, k, &err);
		assert_non_null(n->ha_cert);
		assert_int_equal(ds_ike_cert_signer(&n->ha_auth, n->ha_cert, 0), DS_OK);
		snprintf(c, sizeof c, "%s/%s.pem", o->pki_dir, o->ue_ca);
		n->ca = ds_ca_load(c, &err);
		assert_non_null(n->ca);
		ds_ike_cert_verifier(&n->ue_auth, n->ca, wall_clock, NULL);
	}
	ds_ike_config ic = { .role = DS_IKE_INITIATOR, .send = send_from_i, .send_ctx = n,
			     .psk = PSK, .psk_len = sizeof(PSK) - 1, .keylog = o->keylog,
			     .dpd_interval = o->dpd, .child_lifetime = o->child_lifetime,
			     .ike_lifetime = o->ike_lifetime, .fragmentation = o->frag_i,
			     .frag_mtu = o->frag_mtu };
	if (o->pki_dir)
		ic.verifier = &n->ue_auth.verifier;
	ic.ike_suites = o->i_suites;
	ic.n_ike_suites = o->n_i_suites;
	ic.ev = (ds_ike_events){ .ctx = &n->s[0], .established = ev_established,
				 .child_up = ev_child_up, .child_down = ev_child_down,
				 .closed = ev_closed, .redirected = ev_redirected,
				 .keylog = ev_keylog };
	int err;
	n->s[0].ike = ds_ike_new(&ic, &err);
	assert_non_null(n->s[0].ike);

	ds_ike_config rc = { .role = DS_IKE_RESPONDER, .send = send_from_r, .send_ctx = n,
			     .psk = PSK, .psk_len = sizeof(PSK) - 1,
			     .eap = o->async ? n->async_be : n->be,
			     .cookie_threshold = o->cookie_threshold, .keylog = o->keylog,
			     .cookie_rotate = o->cookie_rotate,
			     .fragmentation = o->frag_r, .frag_mtu = o->frag_mtu,
			     .notify_3gpp = o->notify_3gpp };
	if (o->pki_dir) {
		rc.signer = &n->ha_auth.signer;
		rc.psk = NULL;
		rc.psk_len = 0;
	}
	rc.ike_suites = o->r_suites;
	rc.n_ike_suites = o->n_r_suites;
	rc.ev = (ds_ike_events){ .ctx = &n->s[1], .established = ev_established,
				 .child_up = ev_child_up, .child_down = ev_child_down,
				 .closed = ev_closed, .assign_prefix = ev_assign,
				 .redirect_at_init = ev_redirect_init, .keylog = ev_keylog,
				 .redirect_at_auth = ev_redirect_auth,
				 .redirect_at_identity = ev_redirect_identity };
	n->s[1].ike = ds_ike_new(&rc, &err);
	assert_non_null(n->s[1].ike);
}

void net_free(net *n)
{
	ds_ike_free(n->s[0].ike);
	ds_ike_free(n->s[1].ike);
	ds_eap_aka_server_free(n->srv);
	ds_cert_free(n->ha_cert);
	ds_ca_free(n->ca);
	ds_subdb_close(n->db);
	g_net = NULL;
}

ds_ike_sa *net_connect(net *n, const char *nai, const char *apn, ds_eap_peer **peer_out,
		       const uint8_t *k)
{
	ds_eap_peer *peer = NULL;
	if (peer_out) {
		ds_eap_aka_peer_cfg pc = { .identity = nai };
		memcpy(pc.k, k ? k : K, 16);
		memcpy(pc.opc, OPC, 16);
		peer = ds_eap_aka_peer_new(&pc);
		assert_non_null(peer);
		*peer_out = peer;
	}
	ds_ike_connect_params p = { .local = n->ue, .remote = n->ha, .nai = nai, .apn = apn,
				    .eap = peer, .eap_ops = peer ? &ds_eap_aka_peer_ops : NULL,
				    .cp = { .hnp = true, .ip6 = true, .ip4 = true },
				    .no_child = n->no_child };
	int err = 0;
	ds_ike_sa *sa = ds_ike_connect(n->s[0].ike, &p, n->now, &err);
	if (!sa && peer)
		ds_eap_aka_peer_ops.free(peer);
	return sa;
}

void net_run(net *n, ds_time until)
{
	for (int guard = 0; guard < 100000; guard++) {
		if (n->nq) {
			net_pkt p = n->q[0];
			memmove(n->q, n->q + 1, (n->nq - 1) * sizeof(n->q[0]));
			n->nq--;
			p.pkt.data = p.data;
			int f = n->fault ? n->fault(n, &p, n->idx) : 0;
			n->idx++;
			if (f == 1)
				continue;
			ds_ike *dst = n->s[p.to].ike;
			n->delivered++;
			ds_ike_input(dst, &p.pkt, n->now);
			if (f == 2)
				ds_ike_input(dst, &p.pkt, n->now);
			continue;
		}
		if (n->held.pending) {
			net_release_eap(n);
			continue;
		}
		ds_time t0 = ds_ike_next_timeout(n->s[0].ike), t1 = ds_ike_next_timeout(n->s[1].ike);
		ds_time t = t0 < t1 ? t0 : t1;
		if (t == DS_TIME_NEVER || t > until)
			return;
		if (t > n->now)
			n->now = t;
		ds_ike_on_timer(n->s[0].ike, n->now);
		ds_ike_on_timer(n->s[1].ike, n->now);
	}
	fail_msg("net_run did not settle");
}
