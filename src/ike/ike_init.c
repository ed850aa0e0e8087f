/* IKE_SA_INIT exchange (RFC 7296 cl. 1.2, 2.6 cookies, 2.7 proposals, 2.10 nonces,
 * 2.23 NAT traversal; RFC 5685 redirect during IKE_SA_INIT). */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "ike/ike_int.h"
#include "ike/ike_natd.h"

#define IKE_MAX_COOKIE_ROUNDS 3
#define IKE_MAX_KE_ROUNDS 3

static bool group_offered(const ds_ike *ike, uint16_t group)
{
	for (size_t i = 0; i < ike->cfg.n_ike_suites; i++)
		if (ike->ike_suites[i].dh == group)
			return true;
	return false;
}

static void wr_natd(ike_wr *iw, uint16_t type, uint64_t spi_i, uint64_t spi_r, const ds_addr *a)
{
	uint8_t hash[IKE_NATD_LEN];
	if (ike_natd_hash(spi_i, spi_r, a, hash) == DS_OK)
		ike_wr_notify(iw, type, hash, sizeof(hash));
}

/* ---- initiator ---- */

int ike_init_start(ds_ike_sa *sa, ds_time now)
{
	ds_ike *ike = sa->ike;
	if (!sa->dh || ds_dh_public_len(sa->dh_group) == 0) {
		ds_dh_free(sa->dh);
		sa->dh = ds_dh_new(sa->dh_group);
		if (!sa->dh)
			return DS_E_CRYPTO;
	}
	if (!sa->ni_len) {
		sa->ni_len = IKE_NONCE_LEN;
		if (ds_random(sa->ni, sa->ni_len))
			return DS_E_CRYPTO;
	}
	uint8_t buf[4096];
	ike_hdr h = { .spi_i = sa->spi_i, .exchange = IKE_SA_INIT, .flags = IKE_FLAG_I };
	ike_wr iw;
	ike_wr_begin(&iw, buf, sizeof(buf), &h);
	/* cl. 2.6: the cookie goes first when retrying. */
	if (sa->cookie_len) {
		ike_wr_pl(&iw, IKE_PL_N, false);
		ike_notify_encode(&iw.w, 0, NULL, 0, IKE_N_COOKIE, sa->cookie, sa->cookie_len);
	}
	ike_proposal props[IKE_MAX_SUITES];
	size_t np = ike_build_ike_props(ike, NULL, 0, props, IKE_MAX_SUITES);
	ike_wr_pl(&iw, IKE_PL_SA, false);
	ike_sa_encode(&iw.w, props, np);
	uint8_t pub[512];
	size_t publen = ds_dh_public_len(sa->dh_group);
	if (publen > sizeof(pub) || ds_dh_public(sa->dh, pub, publen))
		return DS_E_CRYPTO;
	ike_wr_pl(&iw, IKE_PL_KE, false);
	ike_ke_encode(&iw.w, sa->dh_group, pub, publen);
	ike_wr_pl(&iw, IKE_PL_NONCE, false);
	ds_wr_bytes(&iw.w, sa->ni, sa->ni_len);
	/* cl. 2.23: NAT detection hashes with SPIr = 0. */
	wr_natd(&iw, IKE_N_NAT_DETECTION_SOURCE_IP, sa->spi_i, 0, &sa->local);
	wr_natd(&iw, IKE_N_NAT_DETECTION_DESTINATION_IP, sa->spi_i, 0, &sa->remote);
	if (sa->redirected_from_set) {
		/* RFC 5685 cl. 3: REDIRECTED_FROM names the gateway that redirected us; it also
		 * says we support redirects. */
		uint8_t gid[18];
		size_t glen;
		if (ike_gw_identity(&sa->redirected_from, gid, sizeof(gid), &glen) == DS_OK)
			ike_wr_notify(&iw, IKE_N_REDIRECTED_FROM, gid, glen);
	} else {
		ike_wr_notify(&iw, IKE_N_REDIRECT_SUPPORTED, NULL, 0);
	}
	/* RFC 6023 cl. 3: we can run an IKE SA without a CHILD_SA in IKE_AUTH (the MH SA then
	 * comes with CREATE_CHILD_SA once the HoA is known, RFC 5026 cl. 5). */
	ike_wr_notify(&iw, IKE_N_CHILDLESS_IKEV2_SUPPORTED, NULL, 0);
	/* RFC 7383 cl. 2.3: we can send and reassemble IKE fragments. */
	if (ike->cfg.fragmentation)
		ike_wr_notify(&iw, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	size_t n = ike_wr_finish(&iw, NULL);
	if (!n)
		return DS_E_NOSPACE;
	uint8_t *m = malloc(n), *m2 = malloc(n);
	if (!m || !m2) {
		free(m);
		free(m2);
		return DS_E_NOMEM;
	}
	memcpy(m, buf, n);
	memcpy(m2, buf, n);
	free(sa->msg1);
	sa->msg1 = m;
	sa->msg1_len = n;
	free(sa->req);
	sa->req = m2;
	sa->req_len = n;
	sa->req_exch = IKE_SA_INIT;
	sa->req_mid = 0;
	sa->req_out = true;
	sa->req_tries = 0;
	sa->req_at = now + ike->cfg.retransmit_base;
	sa->state = DS_IKE_ST_INIT_SENT;
	ike_send_raw(ike, &sa->local, &sa->remote, false, m, n);
	ike_sa_arm(sa);
	return DS_OK;
}

static int derive(ds_ike_sa *sa, const ike_ke *ke)
{
	uint8_t gir[512];
	size_t gir_len = sizeof(gir);
	if (ke->len != ds_dh_public_len(sa->dh_group))
		return DS_E_BADLEN;
	int rc = ds_dh_derive(sa->dh, ke->data, ke->len, gir, &gir_len);
	if (rc)
		return rc;
	rc = ike_keys_derive(&sa->suite, 0, NULL, 0, sa->ni, sa->ni_len, sa->nr, sa->nr_len, gir,
			     gir_len, sa->spi_i, sa->spi_r, &sa->k);
	ds_wipe(gir, sizeof(gir));
	if (rc)
		return rc;
	ike_set_ciphers(sa);
	if (!sa->c_in || !sa->c_out)
		return DS_E_CRYPTO;
	sa->have_keys = true;
	/* The private value is not needed any more (forward secrecy). */
	ds_dh_free(sa->dh);
	sa->dh = NULL;
	ike_emit_keylog(sa);
	return DS_OK;
}

/* cl. 2.23: compare the peer's NAT_DETECTION_*_IP hashes with what we see. */
static void nat_detect(ds_ike_sa *sa, const ike_chain *c, const ds_addr *src_seen,
		       const ds_addr *dst_seen, bool *natd_present)
{
	uint8_t h_src[IKE_NATD_LEN], h_dst[IKE_NATD_LEN];
	uint64_t spi_r = sa->initiator ? sa->spi_r : 0;
	bool src_match = false, dst_match = false, have_src = false, have_dst = false;
	if (ike_natd_hash(sa->spi_i, spi_r, src_seen, h_src) ||
	    ike_natd_hash(sa->spi_i, spi_r, dst_seen, h_dst))
		return;
	for (size_t i = 0; i < c->n; i++) {
		ike_notify n;
		if (c->pl[i].type != IKE_PL_N || ike_notify_decode(c->pl[i].body, c->pl[i].len, &n))
			continue;
		if (n.type == IKE_N_NAT_DETECTION_SOURCE_IP) {
			have_src = true;
			/* Several source hashes may come from a multi-homed peer: any match. */
			if (n.data_len == IKE_NATD_LEN && !memcmp(n.data, h_src, IKE_NATD_LEN))
				src_match = true;
		} else if (n.type == IKE_N_NAT_DETECTION_DESTINATION_IP) {
			have_dst = true;
			if (n.data_len == IKE_NATD_LEN && !memcmp(n.data, h_dst, IKE_NATD_LEN))
				dst_match = true;
		}
	}
	*natd_present = have_src && have_dst;
	if (!*natd_present)
		return;
	sa->nat_remote = !src_match;
	sa->nat_local = !dst_match;
}

static void init_fail(ds_ike_sa *sa, int reason, uint16_t notify)
{
	sa->last_notify = notify;
	ike_sa_close(sa, reason);
}

void ike_init_response(ds_ike_sa *sa, const uint8_t *msg, size_t len, const ike_hdr *h,
		       ds_time now)
{
	ds_ike *ike = sa->ike;
	ike_chain c;
	int rc = ike_chain_decode(h->np, msg + IKE_HDR_LEN, len - IKE_HDR_LEN, IKE_HDR_LEN, &c);
	if (rc) {
		/* Unauthenticated junk must not kill the attempt: keep waiting (cl. 2.4). */
		ike->ctr.rx_malformed++;
		return;
	}
	ike_notify n;
	if (ike_find_notify(&c, IKE_N_COOKIE, &n) == DS_OK) {
		if (n.data_len < 1 || n.data_len > IKE_COOKIE_MAX) {
			ike->ctr.rx_malformed++;
			return;
		}
		/* cl. 2.6: retry with the same nonce and KE, the cookie first. */
		if (++sa->cookie_rounds > IKE_MAX_COOKIE_ROUNDS) {
			init_fail(sa, DS_IKE_CLOSE_PROTOCOL, IKE_N_COOKIE);
			return;
		}
		memcpy(sa->cookie, n.data, n.data_len);
		sa->cookie_len = n.data_len;
		if (ike_init_start(sa, now))
			init_fail(sa, DS_IKE_CLOSE_PROTOCOL, 0);
		return;
	}
	if (ike_find_notify(&c, IKE_N_INVALID_KE_PAYLOAD, &n) == DS_OK) {
		ike->ctr.invalid_ke_received++;
		uint16_t g = n.data_len == 2 ? ds_get_u16(n.data) : 0;
		/* cl. 1.2: retry with the group the responder wants if we offered it. */
		if (!g || g == sa->dh_group || !group_offered(ike, g) ||
		    ++sa->ke_rounds > IKE_MAX_KE_ROUNDS) {
			init_fail(sa, DS_IKE_CLOSE_NO_PROPOSAL, IKE_N_INVALID_KE_PAYLOAD);
			return;
		}
		sa->dh_group = g;
		ds_dh_free(sa->dh);
		sa->dh = NULL;
		if (ike_init_start(sa, now))
			init_fail(sa, DS_IKE_CLOSE_PROTOCOL, 0);
		return;
	}
	if (ike_find_notify(&c, IKE_N_REDIRECT, &n) == DS_OK) {
		ds_addr gw;
		char fqdn[DS_IKE_ID_MAX + 1];
		const uint8_t *rest;
		size_t rest_len;
		/* RFC 5685 cl. 3: the nonce data must echo our Ni, else discard and keep waiting. */
		if (ike_gw_parse(n.data, n.data_len, &gw, fqdn, sizeof(fqdn), &rest, &rest_len) ||
		    rest_len != sa->ni_len || memcmp(rest, sa->ni, sa->ni_len)) {
			ike->ctr.rx_malformed++;
			return;
		}
		ike->ctr.redirects_received++;
		if (ike->cfg.ev.redirected)
			ike->cfg.ev.redirected(ike->cfg.ev.ctx, sa, &gw, fqdn[0] ? fqdn : NULL);
		ike_sa_close(sa, DS_IKE_CLOSE_REDIRECTED);
		return;
	}
	uint16_t err = ike_error_notify(&c);
	if (err) {
		/* Unauthenticated error: RFC 7296 cl. 2.21.1 suggests waiting for a valid answer
		 * for a while; with window 1 we take it as final after recording it. */
		if (err == IKE_N_NO_PROPOSAL_CHOSEN)
			ike->ctr.no_proposal++;
		init_fail(sa, err == IKE_N_NO_PROPOSAL_CHOSEN ? DS_IKE_CLOSE_NO_PROPOSAL
							     : DS_IKE_CLOSE_PEER_ERROR, err);
		return;
	}
	const ike_pl *psa = ike_chain_find(&c, IKE_PL_SA), *pke = ike_chain_find(&c, IKE_PL_KE),
		     *pnr = ike_chain_find(&c, IKE_PL_NONCE);
	ike_sa_pl sap;
	ike_ke ke;
	if (!psa || !pke || !pnr || h->spi_r == 0 || ike_sa_decode(psa->body, psa->len, &sap) ||
	    ike_ke_decode(pke->body, pke->len, &ke) || ike_nonce_check(pnr->len)) {
		ike->ctr.rx_malformed++;
		return;
	}
	if (ike_accept_ike(ike, &sap, &sa->suite) || sa->suite.dh != sa->dh_group ||
	    ke.group != sa->dh_group) {
		init_fail(sa, DS_IKE_CLOSE_NO_PROPOSAL, 0);
		return;
	}
	sa->spi_r = h->spi_r;
	memcpy(sa->nr, pnr->body, pnr->len);
	sa->nr_len = pnr->len;
	if ((rc = derive(sa, &ke)) != DS_OK) {
		ds_logf(&ike->cfg.log, DS_LOG_WARN, "ike %016llx: key derivation failed: %s",
			(unsigned long long)sa->spi_local, ds_strerror(rc));
		init_fail(sa, DS_IKE_CLOSE_PROTOCOL, 0);
		return;
	}
	free(sa->msg2);
	sa->msg2 = malloc(len);
	if (!sa->msg2) {
		init_fail(sa, DS_IKE_CLOSE_PROTOCOL, 0);
		return;
	}
	memcpy(sa->msg2, msg, len);
	sa->msg2_len = len;
	bool natd = false;
	nat_detect(sa, &c, &sa->remote, &sa->local, &natd);
	if (natd && (sa->nat_local || sa->nat_remote || ike->cfg.force_natt)) {
		/* cl. 2.23: float to 4500 for IKE_AUTH and everything after. */
		sa->natt = true;
		sa->local.port = DS_IKE_NATT_PORT;
		sa->remote.port = DS_IKE_NATT_PORT;
	}
	sa->peer_frag_ok = ike_find_notify(&c, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, &n) == DS_OK;
	sa->frag_ok = sa->peer_frag_ok && ike->cfg.fragmentation;
	ike_req_done(sa);
	sa->expire_at = 0;
	rc = ike_auth_start(sa);
	if (rc) {
		ds_logf(&ike->cfg.log, DS_LOG_WARN, "ike %016llx: IKE_AUTH not sent: %s",
			(unsigned long long)sa->spi_local, ds_strerror(rc));
		init_fail(sa, DS_IKE_CLOSE_PROTOCOL, 0);
	}
}

ds_ike_sa *ds_ike_connect(ds_ike *ike, const ds_ike_connect_params *p, ds_time now, int *err)
{
	int e = DS_E_PARAM;
	ds_ike_sa *sa = NULL;
	ike->now = now;
	if (ike->cfg.role != DS_IKE_INITIATOR || !p || !p->nai || !p->apn ||
	    strlen(p->nai) > DS_IKE_ID_MAX || strlen(p->apn) > DS_IKE_ID_MAX || !p->nai[0] ||
	    !p->apn[0] || ds_addr_iplen(&p->local) == 0 ||
	    p->local.family != p->remote.family || (p->eap && !p->eap_ops) ||
	    (!p->eap && !ike->cfg.psk))
		goto fail;
	e = DS_E_EXHAUSTED;
	sa = ike_sa_new(ike, true, now);
	if (!sa)
		goto fail;
	sa->local = p->local;
	sa->remote = p->remote;
	if (!sa->local.port)
		sa->local.port = DS_IKE_PORT;
	if (!sa->remote.port)
		sa->remote.port = DS_IKE_PORT;
	sa->local.plen = sa->remote.plen = 0;
	memcpy(sa->nai, p->nai, strlen(p->nai) + 1);
	memcpy(sa->apn, p->apn, strlen(p->apn) + 1);
	sa->eap_peer = p->eap;
	sa->eap_ops = p->eap_ops;
	sa->eap_mode = p->eap != NULL;
	sa->cp = p->cp;
	sa->want_child = !p->no_child;
	sa->auth_child.local = ds_addr_iplen(&p->child_local) ? p->child_local : sa->local;
	sa->auth_child.remote = ds_addr_iplen(&p->child_remote) ? p->child_remote : sa->remote;
	sa->auth_child.proto = 135;
	sa->auth_child.mode = DS_ESP_TRANSPORT;
	if (p->redirected_from && ds_addr_iplen(p->redirected_from)) {
		sa->redirected_from_set = true;
		sa->redirected_from = *p->redirected_from;
	}
	sa->user = p->user;
	sa->dh_group = ike->ike_suites[0].dh;
	e = ike_init_start(sa, now);
	if (e) {
		/* Nothing was reported yet: drop silently, the caller sees the error. */
		sa->eap_peer = NULL;   /* the caller keeps ownership on failure */
		sa->state = DS_IKE_ST_CLOSED;
		ike_sa_close(sa, DS_IKE_CLOSE_PROTOCOL);
		sa = NULL;
		goto fail;
	}
	if (err)
		*err = DS_OK;
	return sa;
fail:
	if (err)
		*err = e;
	return NULL;
}

/* ---- responder ---- */

static void plain_notify(ds_ike *ike, const ds_pkt *pkt, const ike_hdr *rh, bool natt,
			 uint16_t type, const uint8_t *data, size_t len)
{
	uint8_t buf[512];
	ike_hdr h = { .spi_i = rh->spi_i, .exchange = IKE_SA_INIT, .flags = IKE_FLAG_R };
	ike_wr iw;
	ike_wr_begin(&iw, buf, sizeof(buf), &h);
	ike_wr_notify(&iw, type, data, len);
	size_t n = ike_wr_finish(&iw, NULL);
	if (n)
		ike_send_raw(ike, &pkt->dst, &pkt->src, natt, buf, n);
}

/* cl. 2.6: Cookie = <VersionIDofSecret> | Hash(Ni | IPi | SPIi | <secret>), here an HMAC keyed
 * with the secret of that version (slot ver & 1). */
static int make_cookie(const ds_ike *ike, uint8_t ver, const ike_pl *ni, const ds_addr *src,
		       uint64_t spi_i, uint8_t out[33])
{
	uint8_t in[IKE_NONCE_MAX + 16 + 2 + 8];
	size_t n = 0;
	memcpy(in, ni->body, ni->len);
	n += ni->len;
	memcpy(in + n, src->ip, ds_addr_iplen(src));
	n += ds_addr_iplen(src);
	ds_put_u16(in + n, src->port);
	n += 2;
	for (int i = 0; i < 8; i++)
		in[n++] = (uint8_t)(spi_i >> (56 - 8 * i));
	out[0] = ver;
	return ds_prf(DS_PRF_HMAC_SHA2_256, ike->cookie_secret[ver & 1],
		      sizeof(ike->cookie_secret[0]), in, n, out + 1);
}

/* cl. 2.6: "the responder should change the value of <secret> frequently"; the previous
 * secret keeps working for one period. Done lazily when cookies are in use. */
static void rotate_cookie_secret(ds_ike *ike, ds_time now)
{
	if (now < ike->cookie_rotated_at + ike->cfg.cookie_rotate)
		return;
	/* Two periods or more without cookies: the previous secret is stale as well. */
	bool both = now >= ike->cookie_rotated_at + 2 * ike->cfg.cookie_rotate;
	uint8_t next = (uint8_t)(ike->cookie_ver + 1);
	if (ds_random(ike->cookie_secret[next & 1], sizeof(ike->cookie_secret[0])))
		return;
	if (both && ds_random(ike->cookie_secret[ike->cookie_ver & 1],
			      sizeof(ike->cookie_secret[0])))
		return;
	ike->cookie_ver = next;
	ike->cookie_rotated_at = now;
}

static ike_init_key init_key(uint64_t spi_i, const ds_addr *src)
{
	ike_init_key k;
	memset(&k, 0, sizeof(k));
	k.spi_i = spi_i;
	memcpy(k.ip, src->ip, sizeof(k.ip));
	k.port = src->port;
	k.family = src->family;
	return k;
}

void ike_init_request(ds_ike *ike, const ds_pkt *pkt, const uint8_t *msg, size_t len,
		      const ike_hdr *h, bool natt, ds_time now)
{
	ike_init_key key = init_key(h->spi_i, &pkt->src);
	ds_ike_sa *old;
	HASH_FIND(hh_init, ike->by_init, &key, sizeof(key), old);
	if (old) {
		/* cl. 2.1: a retransmitted IKE_SA_INIT gets the same response. */
		if (old->msg1 && old->msg1_len == len && !memcmp(old->msg1, msg, len) && old->msg2) {
			ike->ctr.rx_duplicates++;
			ike_send_raw(ike, &old->local, &old->remote, old->natt, old->msg2,
				     old->msg2_len);
			/* The initiator never got our answer and is still at it: give it the full
			 * half-open time from this answer on, or its IKE_AUTH could meet an SA that
			 * expired just after the resent response (half-open limit still applies). */
			if (old->state == DS_IKE_ST_INIT_DONE) {
				old->expire_at = now + ike->cfg.half_open_timeout;
				ike_sa_arm(old);
			}
		} else {
			ike->ctr.rx_out_of_window++;
		}
		return;
	}
	ike_chain c;
	int rc = ike_chain_decode(h->np, msg + IKE_HDR_LEN, len - IKE_HDR_LEN, IKE_HDR_LEN, &c);
	if (rc) {
		bad_init:
		ike->ctr.rx_malformed++;
		ds_logf_rl(&ike->cfg.log, &ike->rl_bad, now, DS_LOG_INFO,
			   "ike: malformed IKE_SA_INIT dropped");
		return;
	}
	if (c.unsupported_critical) {
		ike->ctr.unsupported_critical++;
		uint8_t t = c.unsupported_critical;
		plain_notify(ike, pkt, h, natt, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, &t, 1);
		return;
	}
	const ike_pl *psa = ike_chain_find(&c, IKE_PL_SA), *pke = ike_chain_find(&c, IKE_PL_KE),
		     *pni = ike_chain_find(&c, IKE_PL_NONCE);
	ike_sa_pl sap;
	ike_ke ke;
	if (!psa || !pke || !pni || ike_sa_decode(psa->body, psa->len, &sap) ||
	    ike_ke_decode(pke->body, pke->len, &ke) || ike_nonce_check(pni->len))
		goto bad_init;

	if (ike->ctr.half_open_current >= ike->cfg.half_open_max) {
		ike->ctr.half_open_dropped++;
		return;
	}
	if (ike->ctr.half_open_current >= ike->cfg.cookie_threshold) {
		/* cl. 2.6: under half-open load, answer statelessly with a cookie until the
		 * initiator proves it can receive at its address. */
		rotate_cookie_secret(ike, now);
		uint8_t want[33];
		if (make_cookie(ike, ike->cookie_ver, pni, &pkt->src, h->spi_i, want))
			return;
		ike_notify n = { 0 };
		bool ok = false;
		if (c.n && c.pl[0].type == IKE_PL_N &&
		    ike_notify_decode(c.pl[0].body, c.pl[0].len, &n) == DS_OK &&
		    n.type == IKE_N_COOKIE && n.data_len == sizeof(want)) {
			/* the current secret, or the previous one (version one lower) */
			uint8_t prev[33];
			ok = ds_ct_equal(n.data, want, sizeof(want));
			if (!ok && n.data[0] == (uint8_t)(ike->cookie_ver - 1) &&
			    make_cookie(ike, n.data[0], pni, &pkt->src, h->spi_i, prev) == DS_OK)
				ok = ds_ct_equal(n.data, prev, sizeof(prev));
		}
		if (!ok) {
			if (c.n && c.pl[0].type == IKE_PL_N && n.type == IKE_N_COOKIE)
				ike->ctr.cookie_rejects++;
			ike->ctr.cookies_sent++;
			plain_notify(ike, pkt, h, natt, IKE_N_COOKIE, want, sizeof(want));
			return;
		}
	}
	ike_notify n;
	bool redirect_ok = ike_find_notify(&c, IKE_N_REDIRECT_SUPPORTED, &n) == DS_OK ||
			   ike_find_notify(&c, IKE_N_REDIRECTED_FROM, &n) == DS_OK;
	ds_addr new_gw;
	if (redirect_ok && ike->cfg.ev.redirect_at_init &&
	    ike->cfg.ev.redirect_at_init(ike->cfg.ev.ctx, &pkt->src, &new_gw)) {
		/* RFC 5685 cl. 3: REDIRECT with the new gateway and the Ni data, no state. */
		uint8_t data[18 + IKE_NONCE_MAX];
		size_t glen;
		if (ike_gw_identity(&new_gw, data, sizeof(data), &glen) == DS_OK) {
			memcpy(data + glen, pni->body, pni->len);
			ike->ctr.redirects_sent++;
			plain_notify(ike, pkt, h, natt, IKE_N_REDIRECT, data, glen + pni->len);
		}
		return;
	}

	/* cl. 2.7 / 1.2: prefer a suite using the group of the KE the initiator sent. */
	ds_ike_suite suite;
	int sel = ike_select_ike(ike, &sap, ke.group, 0, &suite);
	if (sel < 0) {
		int any = ike_select_ike(ike, &sap, 0, 0, &suite);
		if (any < 0) {
			ike->ctr.no_proposal++;
			plain_notify(ike, pkt, h, natt, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
			return;
		}
		/* cl. 1.2: INVALID_KE_PAYLOAD names the group we want. */
		uint8_t g[2];
		ds_put_u16(g, suite.dh);
		ike->ctr.invalid_ke_sent++;
		plain_notify(ike, pkt, h, natt, IKE_N_INVALID_KE_PAYLOAD, g, 2);
		return;
	}
	ds_ike_sa *sa = ike_sa_new(ike, false, now);
	if (!sa) {
		ike->ctr.half_open_dropped++;
		return;
	}
	sa->spi_i = h->spi_i;
	sa->remote = pkt->src;
	sa->local = pkt->dst;
	sa->natt = natt;
	sa->suite = suite;
	sa->dh_group = suite.dh;
	sa->state = DS_IKE_ST_INIT_DONE;
	sa->peer_redirect_ok = redirect_ok;
	sa->peer_mid = 1;
	sa->req_mid = 0;
	sa->expire_at = now + ike->cfg.half_open_timeout;
	sa->init_key = key;
	HASH_ADD(hh_init, ike->by_init, init_key, sizeof(sa->init_key), sa);
	sa->in_init_hash = true;
	ike->ctr.half_open_current++;
	memcpy(sa->ni, pni->body, pni->len);
	sa->ni_len = pni->len;
	sa->nr_len = IKE_NONCE_LEN;
	sa->dh = ds_dh_new(suite.dh);
	if (!sa->dh || ds_random(sa->nr, sa->nr_len)) {
		ike_sa_close(sa, DS_IKE_CLOSE_PROTOCOL);
		return;
	}
	uint8_t pub[512];
	size_t publen = ds_dh_public_len(suite.dh);
	if (publen > sizeof(pub) || ds_dh_public(sa->dh, pub, publen)) {
		ike_sa_close(sa, DS_IKE_CLOSE_PROTOCOL);
		return;
	}
	bool natd = false;
	nat_detect(sa, &c, &pkt->src, &pkt->dst, &natd);
	rc = derive(sa, &ke);
	if (rc) {
		/* A KE that is not a valid point / share (RFC 7296 cl. 2.21, RFC 5903). */
		ike->ctr.rx_malformed++;
		plain_notify(ike, pkt, h, natt, IKE_N_INVALID_SYNTAX, NULL, 0);
		ike_sa_close(sa, DS_IKE_CLOSE_PROTOCOL);
		return;
	}
	sa->msg1 = malloc(len);
	if (!sa->msg1) {
		ike_sa_close(sa, DS_IKE_CLOSE_PROTOCOL);
		return;
	}
	memcpy(sa->msg1, msg, len);
	sa->msg1_len = len;

	uint8_t buf[2048];
	ike_hdr rh = { .spi_i = sa->spi_i, .spi_r = sa->spi_r, .exchange = IKE_SA_INIT,
		       .flags = IKE_FLAG_R };
	ike_wr iw;
	ike_wr_begin(&iw, buf, sizeof(buf), &rh);
	ike_proposal prop;
	ike_suite_proposal(&suite, IKE_PROTO_IKE, NULL, 0, sap.prop[sel].num, &prop);
	ike_wr_pl(&iw, IKE_PL_SA, false);
	ike_sa_encode(&iw.w, &prop, 1);
	ike_wr_pl(&iw, IKE_PL_KE, false);
	ike_ke_encode(&iw.w, suite.dh, pub, publen);
	ike_wr_pl(&iw, IKE_PL_NONCE, false);
	ds_wr_bytes(&iw.w, sa->nr, sa->nr_len);
	if (natd) {
		wr_natd(&iw, IKE_N_NAT_DETECTION_SOURCE_IP, sa->spi_i, sa->spi_r, &pkt->dst);
		wr_natd(&iw, IKE_N_NAT_DETECTION_DESTINATION_IP, sa->spi_i, sa->spi_r, &pkt->src);
	}
	if (ike_find_notify(&c, IKE_N_CHILDLESS_IKEV2_SUPPORTED, &n) == DS_OK)
		ike_wr_notify(&iw, IKE_N_CHILDLESS_IKEV2_SUPPORTED, NULL, 0);
	/* RFC 7383 cl. 2.3: answer the offer; from IKE_AUTH on both may fragment. */
	sa->peer_frag_ok = ike_find_notify(&c, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, &n) == DS_OK;
	if (sa->peer_frag_ok && ike->cfg.fragmentation) {
		ike_wr_notify(&iw, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
		sa->frag_ok = true;
	}
	size_t rn = ike_wr_finish(&iw, NULL);
	sa->msg2 = rn ? malloc(rn) : NULL;
	if (!sa->msg2) {
		ike_sa_close(sa, DS_IKE_CLOSE_PROTOCOL);
		return;
	}
	memcpy(sa->msg2, buf, rn);
	sa->msg2_len = rn;
	if (natd && (sa->nat_remote || sa->nat_local)) {
		/* cl. 2.23: the initiator floats to 4500; we answer wherever it talks from. */
		ds_logf(&ike->cfg.log, DS_LOG_INFO, "ike %016llx: NAT detected (%s)",
			(unsigned long long)sa->spi_local, sa->nat_remote ? "peer" : "local");
	}
	ike_send_raw(ike, &sa->local, &sa->remote, sa->natt, buf, rn);
	ike_sa_arm(sa);
}
