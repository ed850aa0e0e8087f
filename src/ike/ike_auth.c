/* IKE_AUTH exchange (RFC 7296 cl. 1.2, 2.15, 2.16 EAP, 3.15 CP) as S2c uses it
 * (TS 24.303 cl. 5.1.2.2, TS 33.402, RFC 5026 cl. 4 and 5): the UE sends IDi = NAI and
 * IDr = APN without AUTH, the HA answers with its certificate AUTH and relays EAP to its
 * back end, both finish with AUTH from the MSK, and the HA returns the home network prefix
 * in CFG_REPLY together with the CHILD_SA protecting Mobility Header signalling. */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "ike/ike_int.h"

#define AUTH_OCTETS_MAX (IKE_MSG_MAX + IKE_NONCE_MAX + IKE_KEY_MAX)
#define SIG_MAX 1024

static void id_body(uint8_t type, const char *s, uint8_t *out, size_t *len)
{
	size_t n = strlen(s);
	out[0] = type;
	out[1] = out[2] = out[3] = 0;
	memcpy(out + 4, s, n);
	*len = 4 + n;
}

/* Printable identity text of an ID payload (RFC822 / FQDN / KEY_ID), NUL-terminated. */
static int id_text(const ike_typed *id, char *out)
{
	if (id->len > DS_IKE_ID_MAX)
		return DS_E_BADLEN;
	for (size_t i = 0; i < id->len; i++)
		if (id->data[i] < 0x21 || id->data[i] > 0x7e)
			return DS_E_RESERVED;
	memcpy(out, id->data, id->len);
	out[id->len] = 0;
	return DS_OK;
}

/* The octets `who` signs (cl. 2.15): initiator: msg1 | Nr | prf(SK_pi, IDi');
 * responder: msg2 | Ni | prf(SK_pr, IDr'). */
static size_t octets(const ds_ike_sa *sa, bool of_initiator, uint8_t *out, size_t cap)
{
	if (of_initiator)
		return ike_signed_octets(sa->suite.prf, sa->k.sk_pi, sa->k.prf_len, sa->msg1,
					 sa->msg1_len, sa->nr, sa->nr_len, sa->idi, sa->idi_len,
					 out, cap);
	return ike_signed_octets(sa->suite.prf, sa->k.sk_pr, sa->k.prf_len, sa->msg2, sa->msg2_len,
				 sa->ni, sa->ni_len, sa->idr, sa->idr_len, out, cap);
}

static int write_auth_octets(ds_ike_sa *sa, ike_wr *iw, bool use_msk, const uint8_t *oct,
			     size_t on);

/* Write our AUTH payload: MSK-based after EAP, else certificate signature or PSK. */
static int write_auth(ds_ike_sa *sa, ike_wr *iw, bool use_msk)
{
	uint8_t *oct = malloc(AUTH_OCTETS_MAX);
	if (!oct)
		return DS_E_NOMEM;
	size_t on = octets(sa, sa->initiator, oct, AUTH_OCTETS_MAX);
	int rc = on ? write_auth_octets(sa, iw, use_msk, oct, on) : DS_E_NOSPACE;
	free(oct);
	return rc;
}

static int write_auth_octets(ds_ike_sa *sa, ike_wr *iw, bool use_msk, const uint8_t *oct,
			     size_t on)
{
	ds_ike *ike = sa->ike;
	uint8_t mac[IKE_KEY_MAX];
	if (use_msk || !ike->cfg.signer) {
		/* cl. 2.16: with EAP the shared secret is the MSK; else the PSK (tests). */
		const uint8_t *key = use_msk ? sa->msk : ike->cfg.psk;
		size_t klen = use_msk ? sa->msk_len : ike->cfg.psk_len;
		if (!key || !klen)
			return DS_E_STATE;
		int rc = ike_auth_mac(sa->suite.prf, key, klen, oct, on, mac);
		if (rc)
			return rc;
		ike_wr_pl(iw, IKE_PL_AUTH, false);
		ds_wr_u8(&iw->w, IKE_AUTH_PSK);
		ds_wr_zero(&iw->w, 3);
		ds_wr_bytes(&iw->w, mac, sa->k.prf_len);
		ds_wipe(mac, sizeof(mac));
		return DS_OK;
	}
	const ds_ike_signer *sg = ike->cfg.signer;
	uint8_t sig[SIG_MAX];
	size_t slen = sizeof(sig);
	int rc = sg->sign(sg->ctx, oct, on, sig, &slen);
	if (rc)
		return rc;
	if (sg->cert_der && sg->cert_der_len) {
		ike_wr_pl(iw, IKE_PL_CERT, false);
		ike_cert_encode(&iw->w, IKE_CERT_X509_SIG, sg->cert_der, sg->cert_der_len);
	}
	ike_wr_pl(iw, IKE_PL_AUTH, false);
	ds_wr_u8(&iw->w, sg->auth_method);
	ds_wr_zero(&iw->w, 3);
	ds_wr_bytes(&iw->w, sig, slen);
	return DS_OK;
}

static int verify_auth_octets(ds_ike_sa *sa, const ike_chain *c, bool use_msk,
			      const ike_typed *ap, const uint8_t *oct, size_t on);

/* Check the peer's AUTH payload. use_msk: the final MSK-based AUTH of an EAP exchange. */
static int verify_auth(ds_ike_sa *sa, const ike_chain *c, bool use_msk)
{
	const ike_pl *pa = ike_chain_find(c, IKE_PL_AUTH);
	ike_typed a;
	if (!pa || ike_auth_decode(pa->body, pa->len, &a))
		return DS_E_AUTH;
	uint8_t *oct = malloc(AUTH_OCTETS_MAX);
	if (!oct)
		return DS_E_NOMEM;
	size_t on = octets(sa, !sa->initiator, oct, AUTH_OCTETS_MAX);
	int rc = on ? verify_auth_octets(sa, c, use_msk, &a, oct, on) : DS_E_NOSPACE;
	free(oct);
	return rc;
}

static int verify_auth_octets(ds_ike_sa *sa, const ike_chain *c, bool use_msk,
			      const ike_typed *ap, const uint8_t *oct, size_t on)
{
	ds_ike *ike = sa->ike;
	ike_typed a = *ap;
	if (a.type == IKE_AUTH_PSK) {
		const uint8_t *key = use_msk ? sa->msk : ike->cfg.psk;
		size_t klen = use_msk ? sa->msk_len : ike->cfg.psk_len;
		/* Without EAP, accept a PSK AUTH only where a PSK is configured (tests), and
		 * never instead of the certificate the UE was told to check. */
		if (!key || !klen || (!use_msk && sa->initiator && ike->cfg.verifier))
			return DS_E_AUTH;
		uint8_t mac[IKE_KEY_MAX];
		if (ike_auth_mac(sa->suite.prf, key, klen, oct, on, mac))
			return DS_E_CRYPTO;
		bool ok = a.len == sa->k.prf_len && ds_ct_equal(mac, a.data, a.len);
		ds_wipe(mac, sizeof(mac));
		return ok ? DS_OK : DS_E_AUTH;
	}
	if (use_msk || !ike->cfg.verifier)
		return DS_E_AUTH;
	const uint8_t *certs[IKE_MAX_CERTS];
	size_t lens[IKE_MAX_CERTS], n = 0;
	for (size_t i = 0; i < c->n && n < IKE_MAX_CERTS; i++) {
		ike_typed ct;
		if (c->pl[i].type != IKE_PL_CERT || ike_cert_decode(c->pl[i].body, c->pl[i].len, &ct))
			continue;
		if (ct.type != IKE_CERT_X509_SIG)
			continue;
		certs[n] = ct.data;
		lens[n++] = ct.len;
	}
	if (!n)
		return DS_E_AUTH;
	const ds_ike_verifier *v = ike->cfg.verifier;
	return v->verify(v->ctx, certs, lens, n, a.type, oct, on, a.data, a.len) == DS_OK
		       ? DS_OK
		       : DS_E_AUTH;
}

static void wr_ts(ike_wr *iw, uint8_t type, const ike_ts *ts)
{
	ike_wr_pl(iw, type, false);
	ike_ts_encode(&iw->w, ts, 1);
}

/* ---- initiator ---- */

int ike_auth_start(ds_ike_sa *sa)
{
	ds_ike *ike = sa->ike;
	/* IDi = NAI as ID_RFC822_ADDR, IDr = APN as ID_FQDN. */
	id_body(IKE_ID_RFC822, sa->nai, sa->idi, &sa->idi_len);
	id_body(IKE_ID_FQDN, sa->apn, sa->idr, &sa->idr_len);
	uint8_t plain[4096];
	ike_wr iw;
	ike_wr_begin_inner(&iw, plain, sizeof(plain));
	ike_wr_pl(&iw, IKE_PL_IDI, false);
	ds_wr_bytes(&iw.w, sa->idi, sa->idi_len);
	if (ike->cfg.verifier) {
		/* cl. 3.7: an empty X.509 CERTREQ asks for the certificate (trust anchors are
		 * the verifier's business). */
		ike_wr_pl(&iw, IKE_PL_CERTREQ, false);
		ds_wr_u8(&iw.w, IKE_CERT_X509_SIG);
	}
	ike_wr_pl(&iw, IKE_PL_IDR, false);
	ds_wr_bytes(&iw.w, sa->idr, sa->idr_len);
	if (!sa->eap_mode) {
		int rc = write_auth(sa, &iw, false);
		if (rc)
			return rc;
	}
	if (sa->cp.hnp || sa->cp.ip6 || sa->cp.ip4) {
		/* RFC 5026 cl. 4.2.1: MIP6_HOME_PREFIX with length 0 in CFG_REQUEST. */
		ike_wr_pl(&iw, IKE_PL_CP, false);
		ike_cp_begin(&iw.w, IKE_CFG_REQUEST);
		if (sa->cp.hnp)
			ike_cp_attr_encode(&iw.w, IKE_CP_MIP6_HOME_PREFIX, NULL, 0);
		if (sa->cp.ip6)
			ike_cp_attr_encode(&iw.w, IKE_CP_INTERNAL_IP6_ADDRESS, NULL, 0);
		if (sa->cp.ip4)
			ike_cp_attr_encode(&iw.w, IKE_CP_INTERNAL_IP4_ADDRESS, NULL, 0);
	}
	if (sa->want_child) {
		int rc = ike_alloc_esp_spi(ike, &sa->neg.spi_in);
		if (rc)
			return rc;
		sa->neg.active = true;
		sa->neg.rekey_spi = 0;
		sa->neg.mode = sa->auth_child.mode;
		ike_child_ts(&sa->auth_child, &sa->local, &sa->remote, true, &sa->neg.tsi,
			     &sa->neg.tsr);
		if (sa->neg.mode == DS_ESP_TRANSPORT)
			ike_wr_notify(&iw, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
		ike_proposal props[IKE_MAX_SUITES];
		size_t np = ike_build_esp_props(ike, sa->neg.spi_in, props, IKE_MAX_SUITES);
		ike_wr_pl(&iw, IKE_PL_SA, false);
		ike_sa_encode(&iw.w, props, np);
		wr_ts(&iw, IKE_PL_TSI, &sa->neg.tsi);
		wr_ts(&iw, IKE_PL_TSR, &sa->neg.tsr);
	}
	uint8_t first;
	size_t n = ike_wr_finish(&iw, &first);
	if (!n)
		return DS_E_NOSPACE;
	sa->state = DS_IKE_ST_AUTH;
	return ike_send_request(sa, IKE_AUTH, first, plain, n);
}

static void auth_fail(ds_ike_sa *sa, uint16_t notify)
{
	sa->ike->ctr.auth_failures++;
	sa->last_notify = notify;
	ike_sa_close(sa, DS_IKE_CLOSE_AUTH_FAILED);
}

/* Initiator: the HA refused IKE_AUTH with `notify` (0: our own check failed). The close
 * reason sorts the cause; info.last_notify keeps the exact type (TS 24.302 cl. 8.1.2.2). */
static void refused(ds_ike_sa *sa, uint16_t notify)
{
	switch (notify) {
	case 0:
	case DS_IKE_N_AUTHENTICATION_FAILED:
	case DS_IKE_N_USER_UNKNOWN:
	case DS_IKE_N_ILLEGAL_ME:
	case DS_IKE_N_NON_3GPP_ACCESS_TO_EPC_NOT_ALLOWED:
		auth_fail(sa, notify);
		return;
	case DS_IKE_N_NO_APN_SUBSCRIPTION:
	case DS_IKE_N_AUTHORIZATION_REJECTED:
	case DS_IKE_N_PDN_CONNECTION_REJECTION:
		sa->ike->ctr.auth_failures++;
		sa->last_notify = notify;
		ike_sa_close(sa, DS_IKE_CLOSE_NOT_AUTHORIZED);
		return;
	case DS_IKE_N_NO_PROPOSAL_CHOSEN:
		sa->last_notify = notify;
		ike_sa_close(sa, DS_IKE_CLOSE_NO_PROPOSAL);
		return;
	default:
		sa->last_notify = notify;
		ike_sa_close(sa, DS_IKE_CLOSE_PEER_ERROR);
		return;
	}
}

/* Responder: the notify for a refused IKE_AUTH (R-18; TS 24.302 cl. 8.1.2.2 types only with
 * cfg.notify_3gpp) from the EAP back end's reason (eap/eap_method.h). */
static uint16_t refusal_notify(const ds_ike *ike, int why)
{
	if (!ike->cfg.notify_3gpp)
		return IKE_N_AUTHENTICATION_FAILED;
	switch (why) {
	case DS_EAP_FAIL_UNKNOWN_USER: return DS_IKE_N_USER_UNKNOWN;
	case DS_EAP_FAIL_APN_NOT_ALLOWED: return DS_IKE_N_NO_APN_SUBSCRIPTION;
	case DS_EAP_FAIL_BACKEND: return DS_IKE_N_NETWORK_FAILURE;
	default: return IKE_N_AUTHENTICATION_FAILED;
	}
}

static int send_eap(ds_ike_sa *sa, const uint8_t *eap, size_t len, bool with_auth)
{
	uint8_t plain[4096];
	ike_wr iw;
	ike_wr_begin_inner(&iw, plain, sizeof(plain));
	if (with_auth) {
		int rc = write_auth(sa, &iw, true);
		if (rc)
			return rc;
	} else {
		ike_wr_pl(&iw, IKE_PL_EAP, false);
		ds_wr_bytes(&iw.w, eap, len);
	}
	uint8_t first;
	size_t n = ike_wr_finish(&iw, &first);
	if (!n)
		return DS_E_NOSPACE;
	return ike_send_request(sa, IKE_AUTH, first, plain, n);
}

/* CFG_REPLY (cl. 3.15.1, RFC 5026 cl. 4.2.1). */
static void take_cp(ds_ike_sa *sa, const ike_chain *c)
{
	const ike_pl *p = ike_chain_find(c, IKE_PL_CP);
	ike_cp cp;
	if (!p || ike_cp_decode(p->body, p->len, &cp) || cp.cfg_type != IKE_CFG_REPLY)
		return;
	for (size_t i = 0; i < cp.n; i++) {
		const ike_cp_attr *a = &cp.attr[i];
		if (a->type == IKE_CP_MIP6_HOME_PREFIX && a->len == IKE_CP_HNP_LEN &&
		    a->data[20] <= 128 && !sa->has_hnp) {
			sa->has_hnp = true;
			sa->asg.lifetime_s = ds_get_u32(a->data);
			sa->asg.hnp = ds_addr6(a->data + 4, 0);
			sa->asg.hnp.plen = a->data[20];
		} else if (a->type == IKE_CP_INTERNAL_IP6_ADDRESS && a->len == 17 &&
			   a->data[16] <= 128 && !sa->has_hoa6) {
			sa->has_hoa6 = true;
			sa->asg.hoa6 = ds_addr6(a->data, 0);
			sa->asg.hoa6.plen = a->data[16];
		} else if (a->type == IKE_CP_INTERNAL_IP4_ADDRESS && a->len == 4 && !sa->has_hoa4) {
			sa->has_hoa4 = true;
			sa->asg.hoa4 = ds_addr4(a->data, 0);
		}
	}
}

static void established(ds_ike_sa *sa)
{
	ds_ike *ike = sa->ike;
	sa->state = DS_IKE_ST_ESTABLISHED;
	sa->established_at = ike->now;
	sa->ike_created = ike->now;
	sa->expire_at = 0;
	if (sa->in_init_hash) {
		HASH_DELETE(hh_init, ike->by_init, sa);
		sa->in_init_hash = false;
	}
	if (!sa->initiator && ike->ctr.half_open_current)
		ike->ctr.half_open_current--;
	ike->ctr.sa_established++;
	ike_sa_arm(sa);
	ds_logf(&ike->cfg.log, DS_LOG_INFO, "ike %016llx: established %s apn %s",
		(unsigned long long)sa->spi_local, sa->nai, sa->apn);
	if (ike->cfg.ev.established) {
		ds_ike_info info;
		ike_fill_info(sa, &info);
		ike->cfg.ev.established(ike->cfg.ev.ctx, sa, &info);
	}
}

/* Initiator: the child answer in the last IKE_AUTH response (cl. 1.2, 2.9, RFC 4877). */
static void take_child(ds_ike_sa *sa, const ike_chain *c)
{
	ds_ike *ike = sa->ike;
	if (!sa->neg.active)
		return;
	sa->neg.active = false;
	const ike_pl *psa = ike_chain_find(c, IKE_PL_SA), *pti = ike_chain_find(c, IKE_PL_TSI),
		     *ptr = ike_chain_find(c, IKE_PL_TSR);
	ike_sa_pl sap;
	ike_ts_pl tsi, tsr;
	ds_ike_suite s;
	uint32_t spi_out;
	if (!psa || !pti || !ptr || ike_sa_decode(psa->body, psa->len, &sap) || sap.n != 1 ||
	    ike_ts_decode(pti->body, pti->len, &tsi) || ike_ts_decode(ptr->body, ptr->len, &tsr) ||
	    ike_select_esp(ike, &sap, &s, &spi_out) != 0) {
		uint16_t e = ike_error_notify(c);
		ds_logf(&ike->cfg.log, DS_LOG_NOTICE, "ike %016llx: no CHILD_SA in IKE_AUTH (%u)",
			(unsigned long long)sa->spi_local, e);
		return;
	}
	ike_notify n;
	uint8_t mode = ike_find_notify(c, IKE_N_USE_TRANSPORT_MODE, &n) == DS_OK ? DS_ESP_TRANSPORT
										 : DS_ESP_TUNNEL;
	ike_child_install(sa, true, &s, sa->neg.spi_in, spi_out, mode, &tsi.ts[0], &tsr.ts[0],
			  sa->ni, sa->ni_len, sa->nr, sa->nr_len, 0);
}

/* RFC 5685 cl. 6, EAP case: a REDIRECT in the first IKE_AUTH response, acted on only after the
 * gateway's AUTH was verified. No IKE SA exists then, so there is nothing to delete. */
static bool redirected_at_identity(ds_ike_sa *sa, const ike_chain *c)
{
	ds_ike *ike = sa->ike;
	ike_notify n;
	ds_addr gw;
	char fqdn[DS_IKE_ID_MAX + 1];
	const uint8_t *rest;
	size_t rest_len;
	if (ike_find_notify(c, IKE_N_REDIRECT, &n) != DS_OK)
		return false;
	if (ike_gw_parse(n.data, n.data_len, &gw, fqdn, sizeof(fqdn), &rest, &rest_len)) {
		ike->ctr.rx_malformed++;
		return false;
	}
	ike->ctr.redirects_received++;
	if (ike->cfg.ev.redirected)
		ike->cfg.ev.redirected(ike->cfg.ev.ctx, sa, &gw, fqdn[0] ? fqdn : NULL);
	ike_sa_close(sa, DS_IKE_CLOSE_REDIRECTED);
	return true;
}

static void finish_initiator(ds_ike_sa *sa, const ike_chain *c)
{
	ds_ike *ike = sa->ike;
	take_cp(sa, c);
	ike_notify n;
	bool redirect = ike_find_notify(c, IKE_N_REDIRECT, &n) == DS_OK;
	ds_addr gw;
	char fqdn[DS_IKE_ID_MAX + 1];
	const uint8_t *rest;
	size_t rest_len;
	if (redirect) {
		/* RFC 5685 cl. 6: a redirect in the last IKE_AUTH response, after authentication:
		 * no nonce data, and no CHILD_SA is set up. */
		if (ike_gw_parse(n.data, n.data_len, &gw, fqdn, sizeof(fqdn), &rest, &rest_len)) {
			ike->ctr.rx_malformed++;
			redirect = false;
		}
	}
	if (redirect) {
		ike->ctr.redirects_received++;
		sa->state = DS_IKE_ST_ESTABLISHED;
		sa->neg.active = false;
		if (ike->cfg.ev.redirected)
			ike->cfg.ev.redirected(ike->cfg.ev.ctx, sa, &gw, fqdn[0] ? fqdn : NULL);
		/* The old SA is of no use: delete it (cl. 1.4.1). */
		ds_ike_delete(sa, ike->now);
		return;
	}
	established(sa);
	take_child(sa, c);
	ike_run_ops(sa);
}

void ike_auth_response(ds_ike_sa *sa, const ike_hdr *h, const ike_chain *c)
{
	ds_ike *ike = sa->ike;
	ike_req_done(sa);
	if (sa->state != DS_IKE_ST_AUTH)
		return;
	const ike_pl *pa = ike_chain_find(c, IKE_PL_AUTH);
	const ike_pl *pe = ike_chain_find(c, IKE_PL_EAP);
	uint16_t err = ike_error_notify(c);
	if (!sa->auth_peer_ok) {
		/* First response: the HA's identity and AUTH (certificate, R-13). */
		const ike_pl *pid = ike_chain_find(c, IKE_PL_IDR);
		ike_typed id;
		if (!pa || !pid || ike_id_decode(pid->body, pid->len, &id) ||
		    pid->len > sizeof(sa->idr)) {
			refused(sa, err);
			return;
		}
		memcpy(sa->idr, pid->body, pid->len);
		sa->idr_len = pid->len;
		if (verify_auth(sa, c, false)) {
			ds_logf(&ike->cfg.log, DS_LOG_WARN, "ike %016llx: responder AUTH invalid",
				(unsigned long long)sa->spi_local);
			auth_fail(sa, 0);
			return;
		}
		sa->auth_peer_ok = true;
		if (!sa->eap_mode) {
			finish_initiator(sa, c);
			return;
		}
		if (redirected_at_identity(sa, c))
			return;
		pa = NULL;   /* consumed */
	} else if (sa->eap_success) {
		/* Final response: AUTH from the MSK (cl. 2.16), CP, child. */
		if (!pa || verify_auth(sa, c, true)) {
			refused(sa, err);
			return;
		}
		finish_initiator(sa, c);
		return;
	}
	/* EAP round (cl. 2.16). */
	if (!pe || ike_eap_check(pe->body, pe->len)) {
		refused(sa, err);
		return;
	}
	ike->ctr.eap_rounds++;
	uint8_t out[DS_EAP_MAX_MSG];
	size_t out_len = 0;
	int st = sa->eap_ops->input(sa->eap_peer, pe->body, pe->len, out, &out_len);
	int rc;
	if (st == DS_EAP_CONTINUE) {
		rc = send_eap(sa, out, out_len, false);
	} else if (st == DS_EAP_SUCCESS) {
		if (sa->eap_ops->msk(sa->eap_peer, sa->msk)) {
			auth_fail(sa, 0);
			return;
		}
		sa->msk_len = DS_EAP_MSK_LEN;
		sa->eap_success = true;
		rc = send_eap(sa, NULL, 0, true);
	} else {
		ds_logf(&ike->cfg.log, DS_LOG_NOTICE, "ike %016llx: EAP failed",
			(unsigned long long)sa->spi_local);
		refused(sa, err ? err : IKE_N_AUTHENTICATION_FAILED);
		return;
	}
	if (rc)
		auth_fail(sa, 0);
	(void)h;
}

/* ---- responder ---- */

static void respond(ds_ike_sa *sa, uint32_t mid, ike_wr *iw)
{
	uint8_t first;
	size_t n = ike_wr_finish(iw, &first);
	if (!n || ike_send_response(sa, IKE_AUTH, mid, first, iw->w.p, n))
		sa->close_pending = DS_IKE_CLOSE_PROTOCOL;
}

static void respond_fail(ds_ike_sa *sa, uint32_t mid, uint16_t notify, int reason)
{
	ike_respond_notify(sa, IKE_AUTH, mid, notify);
	sa->ike->ctr.auth_failures++;
	sa->last_notify = notify;
	sa->close_pending = reason;
	ike_sa_arm(sa);
}

/* Responder view of the IKE_AUTH child request: choose now, answer in the last response. */
static void note_child(ds_ike_sa *sa, const ike_chain *c)
{
	const ike_pl *psa = ike_chain_find(c, IKE_PL_SA), *pti = ike_chain_find(c, IKE_PL_TSI),
		     *ptr = ike_chain_find(c, IKE_PL_TSR);
	sa->rchild = psa != NULL;
	if (!psa)
		return;
	ike_sa_pl sap;
	ike_ts_pl tsi, tsr;
	if (!pti || !ptr || ike_sa_decode(psa->body, psa->len, &sap) ||
	    ike_ts_decode(pti->body, pti->len, &tsi) || ike_ts_decode(ptr->body, ptr->len, &tsr)) {
		sa->rchild_err = IKE_N_INVALID_SYNTAX;
		return;
	}
	int sel = ike_select_esp(sa->ike, &sap, &sa->rchild_suite, &sa->rchild_spi_out);
	if (sel < 0) {
		sa->rchild_err = IKE_N_NO_PROPOSAL_CHOSEN;
		return;
	}
	sa->rchild_prop = sap.prop[sel];
	if (ike_child_narrow(&tsi, &tsr, &sa->rchild_tsi, &sa->rchild_tsr)) {
		sa->rchild_err = IKE_N_TS_UNACCEPTABLE;
		return;
	}
	/* Narrow a wide initiator selector to the IKE peer and us (transport mode, cl. 2.9). */
	if (!ds_addr_ip_eq(&sa->rchild_tsi.lo, &sa->rchild_tsi.hi) &&
	    ike_ts_covers(&sa->rchild_tsi, &sa->remote, 0))
		ike_ts_from_addr(&sa->rchild_tsi, &sa->remote, sa->rchild_tsi.proto);
	if (!ds_addr_ip_eq(&sa->rchild_tsr.lo, &sa->rchild_tsr.hi) &&
	    ike_ts_covers(&sa->rchild_tsr, &sa->local, 0))
		ike_ts_from_addr(&sa->rchild_tsr, &sa->local, sa->rchild_tsr.proto);
	ike_notify n;
	sa->rchild_mode = ike_find_notify(c, IKE_N_USE_TRANSPORT_MODE, &n) == DS_OK
				  ? DS_ESP_TRANSPORT
				  : DS_ESP_TUNNEL;
}

static void note_cp(ds_ike_sa *sa, const ike_chain *c)
{
	const ike_pl *p = ike_chain_find(c, IKE_PL_CP);
	ike_cp cp;
	if (!p || ike_cp_decode(p->body, p->len, &cp) || cp.cfg_type != IKE_CFG_REQUEST)
		return;
	for (size_t i = 0; i < cp.n; i++) {
		switch (cp.attr[i].type) {
		case IKE_CP_MIP6_HOME_PREFIX: sa->cp.hnp = true; break;
		case IKE_CP_INTERNAL_IP6_ADDRESS: sa->cp.ip6 = true; break;
		case IKE_CP_INTERNAL_IP4_ADDRESS: sa->cp.ip4 = true; break;
		default: break;   /* cl. 3.15.1: unknown attributes are ignored */
		}
	}
}

/* RFC 5685 cl. 6: the client is authenticated; the host may send it elsewhere. The last
 * response then carries [IDr] AUTH N(REDIRECT, New_GW_ID) and nothing else (no CHILD_SA, no
 * configuration); the SA waits for the client's Delete. Returns true when redirected. */
static bool redirect_after_auth(ds_ike_sa *sa, uint32_t mid, bool use_msk)
{
	ds_ike *ike = sa->ike;
	ds_addr gw;
	memset(&gw, 0, sizeof(gw));
	if (!sa->peer_redirect_ok || !ike->cfg.ev.redirect_at_auth ||
	    !ike->cfg.ev.redirect_at_auth(ike->cfg.ev.ctx, sa->nai, sa->apn, &sa->remote, &gw))
		return false;
	uint8_t gid[18];
	size_t glen;
	if (ike_gw_identity(&gw, gid, sizeof(gid), &glen))
		return false;   /* no usable gateway: serve the client here */
	uint8_t plain[2048];
	ike_wr iw;
	ike_wr_begin_inner(&iw, plain, sizeof(plain));
	if (!use_msk) {
		ike_wr_pl(&iw, IKE_PL_IDR, false);
		ds_wr_bytes(&iw.w, sa->idr, sa->idr_len);
	}
	uint8_t first = IKE_PL_NONE;
	size_t n = 0;
	int rc = write_auth(sa, &iw, use_msk);
	if (rc == DS_OK) {
		ike_wr_notify(&iw, IKE_N_REDIRECT, gid, glen);
		n = ike_wr_finish(&iw, &first);
		rc = n ? ike_send_response(sa, IKE_AUTH, mid, first, plain, n) : DS_E_NOSPACE;
	}
	if (rc) {
		respond_fail(sa, mid, IKE_N_AUTHENTICATION_FAILED, DS_IKE_CLOSE_PROTOCOL);
		return true;
	}
	ike->ctr.redirects_sent++;
	ds_logf(&ike->cfg.log, DS_LOG_INFO, "ike %016llx: %s redirected after IKE_AUTH",
		(unsigned long long)sa->spi_local, sa->nai);
	/* The SA is valid (both AUTHs checked) so that the client can delete it; it is not
	 * reported as established and goes after the Delete or the half-open timeout. */
	if (sa->in_init_hash) {
		HASH_DELETE(hh_init, ike->by_init, sa);
		sa->in_init_hash = false;
	}
	if (ike->ctr.half_open_current)
		ike->ctr.half_open_current--;
	sa->state = DS_IKE_ST_ESTABLISHED;
	sa->redirect_sent = true;
	sa->expire_at = ike->now + ike->cfg.half_open_timeout;
	ike_sa_arm(sa);
	return true;
}

/* RFC 5685 cl. 6, EAP case: redirect on the identity the client presented, before EAP: the
 * first response carries IDr [CERT] AUTH N(REDIRECT). No IKE SA is created; the state stays
 * (answering retransmissions) until half_open_timeout, then ends as REDIRECTED. */
static bool redirect_at_identity(ds_ike_sa *sa, uint32_t mid)
{
	ds_ike *ike = sa->ike;
	ds_addr gw;
	memset(&gw, 0, sizeof(gw));
	if (!sa->peer_redirect_ok || !ike->cfg.ev.redirect_at_identity ||
	    !ike->cfg.ev.redirect_at_identity(ike->cfg.ev.ctx, sa->nai, sa->apn, &sa->remote, &gw))
		return false;
	uint8_t gid[18];
	size_t glen;
	if (ike_gw_identity(&gw, gid, sizeof(gid), &glen))
		return false;
	uint8_t plain[4096];
	ike_wr iw;
	ike_wr_begin_inner(&iw, plain, sizeof(plain));
	ike_wr_pl(&iw, IKE_PL_IDR, false);
	ds_wr_bytes(&iw.w, sa->idr, sa->idr_len);
	uint8_t first = IKE_PL_NONE;
	size_t n = 0;
	int rc = write_auth(sa, &iw, false);
	if (rc == DS_OK) {
		ike_wr_notify(&iw, IKE_N_REDIRECT, gid, glen);
		n = ike_wr_finish(&iw, &first);
		rc = n ? ike_send_response(sa, IKE_AUTH, mid, first, plain, n) : DS_E_NOSPACE;
	}
	if (rc) {
		respond_fail(sa, mid, IKE_N_AUTHENTICATION_FAILED, DS_IKE_CLOSE_PROTOCOL);
		return true;
	}
	ike->ctr.redirects_sent++;
	ds_logf(&ike->cfg.log, DS_LOG_INFO, "ike %016llx: %s redirected at IKE_AUTH",
		(unsigned long long)sa->spi_local, sa->nai);
	sa->redirect_sent = true;
	sa->state = DS_IKE_ST_AUTH;   /* anything but a retransmission is refused now */
	sa->expire_at = ike->now + ike->cfg.half_open_timeout;
	ike_sa_arm(sa);
	return true;
}

/* The last response: AUTH, CP(CFG_REPLY), child (RFC 5026 cl. 4.2.1 / 5). */
static void finish_responder(ds_ike_sa *sa, uint32_t mid, bool use_msk)
{
	ds_ike *ike = sa->ike;
	if (redirect_after_auth(sa, mid, use_msk))
		return;
	memset(&sa->asg, 0, sizeof(sa->asg));
	int rc = ike->cfg.ev.assign_prefix
			 ? ike->cfg.ev.assign_prefix(ike->cfg.ev.ctx, sa->nai, sa->apn, &sa->asg)
			 : DS_E_NOTFOUND;
	if (rc) {
		/* unknown user / APN not allowed / no prefix: AUTHENTICATION_FAILED. */
		ds_logf(&ike->cfg.log, DS_LOG_NOTICE, "ike %016llx: %s on %s not authorised: %s",
			(unsigned long long)sa->spi_local, sa->nai, sa->apn, ds_strerror(rc));
		bool apn = rc != DS_E_EXHAUSTED;
		respond_fail(sa, mid,
			     apn ? refusal_notify(ike, DS_EAP_FAIL_APN_NOT_ALLOWED)
				 : IKE_N_AUTHENTICATION_FAILED,
			     apn ? DS_IKE_CLOSE_NOT_AUTHORIZED : DS_IKE_CLOSE_PROTOCOL);
		return;
	}
	uint8_t plain[4096];
	ike_wr iw;
	ike_wr_begin_inner(&iw, plain, sizeof(plain));
	if (!use_msk) {
		ike_wr_pl(&iw, IKE_PL_IDR, false);
		ds_wr_bytes(&iw.w, sa->idr, sa->idr_len);
	}
	if (write_auth(sa, &iw, use_msk)) {
		respond_fail(sa, mid, IKE_N_AUTHENTICATION_FAILED, DS_IKE_CLOSE_PROTOCOL);
		return;
	}
	if (sa->cp.hnp || sa->cp.ip6 || sa->cp.ip4) {
		ike_wr_pl(&iw, IKE_PL_CP, false);
		ike_cp_begin(&iw.w, IKE_CFG_REPLY);
		if (sa->cp.hnp && sa->asg.hnp.family == DS_AF_INET6) {
			uint8_t v[IKE_CP_HNP_LEN];
			ds_put_u32(v, sa->asg.lifetime_s);
			memcpy(v + 4, sa->asg.hnp.ip, 16);
			v[20] = sa->asg.hnp.plen;
			ike_cp_attr_encode(&iw.w, IKE_CP_MIP6_HOME_PREFIX, v, sizeof(v));
			sa->has_hnp = true;
		}
		if (sa->cp.ip6 && sa->asg.hoa6.family == DS_AF_INET6) {
			uint8_t v[17];
			memcpy(v, sa->asg.hoa6.ip, 16);
			v[16] = sa->asg.hoa6.plen ? sa->asg.hoa6.plen : 64;
			ike_cp_attr_encode(&iw.w, IKE_CP_INTERNAL_IP6_ADDRESS, v, sizeof(v));
			sa->has_hoa6 = true;
		}
		if (sa->cp.ip4 && sa->asg.hoa4.family == DS_AF_INET) {
			ike_cp_attr_encode(&iw.w, IKE_CP_INTERNAL_IP4_ADDRESS, sa->asg.hoa4.ip, 4);
			sa->has_hoa4 = true;
		}
	}
	uint32_t spi_in = 0;
	bool child_ok = false;
	if (sa->rchild && !sa->rchild_err) {
		if (ike_alloc_esp_spi(ike, &spi_in)) {
			sa->rchild_err = IKE_N_NO_ADDITIONAL_SAS;
		} else {
			child_ok = true;
			if (sa->rchild_mode == DS_ESP_TRANSPORT)
				ike_wr_notify(&iw, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
			ike_proposal p;
			uint8_t s[4];
			ds_put_u32(s, spi_in);
			ike_suite_proposal(&sa->rchild_suite, IKE_PROTO_ESP, s, 4,
					   sa->rchild_prop.num, &p);
			ike_wr_pl(&iw, IKE_PL_SA, false);
			ike_sa_encode(&iw.w, &p, 1);
			wr_ts(&iw, IKE_PL_TSI, &sa->rchild_tsi);
			wr_ts(&iw, IKE_PL_TSR, &sa->rchild_tsr);
		}
	}
	if (sa->rchild && sa->rchild_err)
		/* cl. 1.2: the IKE SA is still created; the child failure is a notify. */
		ike_wr_notify(&iw, sa->rchild_err, NULL, 0);
	uint8_t first;
	size_t n = ike_wr_finish(&iw, &first);
	if (!n || ike_send_response(sa, IKE_AUTH, mid, first, plain, n)) {
		sa->close_pending = DS_IKE_CLOSE_PROTOCOL;
		ike_sa_arm(sa);
		return;
	}
	established(sa);
	if (child_ok)
		ike_child_install(sa, false, &sa->rchild_suite, spi_in, sa->rchild_spi_out,
				  sa->rchild_mode, &sa->rchild_tsr, &sa->rchild_tsi, sa->ni,
				  sa->ni_len, sa->nr, sa->nr_len, 0);
}

/* EAP back end answer (eap/eap_method.h): synchronous or later. Never frees the SA here:
 * failures close it from the timer, so the caller's stack stays valid. */
static void eap_done(void *cb_ctx, int status, const uint8_t *eap_out, size_t eap_len,
		     const uint8_t *msk, size_t msk_len)
{
	ds_ike_sa *sa = cb_ctx;
	ds_ike *ike = sa->ike;
	if (!sa->eap_wait || sa->close_pending)
		return;
	sa->eap_wait = false;
	uint32_t mid = sa->peer_mid - 1;
	uint8_t plain[4096];
	ike_wr iw;
	ike_wr_begin_inner(&iw, plain, sizeof(plain));
	if (!sa->sent_auth) {
		/* First IKE_AUTH response: IDr, CERT, AUTH, then the first EAP request. */
		ike_wr_pl(&iw, IKE_PL_IDR, false);
		ds_wr_bytes(&iw.w, sa->idr, sa->idr_len);
		if (write_auth(sa, &iw, false)) {
			respond_fail(sa, mid, IKE_N_AUTHENTICATION_FAILED, DS_IKE_CLOSE_PROTOCOL);
			return;
		}
		sa->sent_auth = true;
	}
	if (eap_out && eap_len) {
		if (ike_eap_check(eap_out, eap_len)) {
			respond_fail(sa, mid, IKE_N_AUTHENTICATION_FAILED, DS_IKE_CLOSE_PROTOCOL);
			return;
		}
		ike_wr_pl(&iw, IKE_PL_EAP, false);
		ds_wr_bytes(&iw.w, eap_out, eap_len);
	}
	if (status == DS_EAP_SUCCESS) {
		if (!msk || msk_len < 16 || msk_len > sizeof(sa->msk)) {
			respond_fail(sa, mid, IKE_N_AUTHENTICATION_FAILED, DS_IKE_CLOSE_PROTOCOL);
			return;
		}
		memcpy(sa->msk, msk, msk_len);
		sa->msk_len = msk_len;
		sa->eap_success = true;
	} else if (status != DS_EAP_CONTINUE) {
		/* EAP-Failure to the UE with the refusal notify, then the SA goes
		 * (cl. 2.16). The back end says why, when it can. */
		int why = sa->eap_sess && ike->cfg.eap.ops->reason
				  ? ike->cfg.eap.ops->reason(sa->eap_sess)
				  : DS_EAP_FAIL_NONE;
		uint16_t nt = refusal_notify(ike, why);
		ike_wr_notify(&iw, nt, NULL, 0);
		respond(sa, mid, &iw);
		ike->ctr.auth_failures++;
		sa->last_notify = nt;
		sa->close_pending = why == DS_EAP_FAIL_APN_NOT_ALLOWED ? DS_IKE_CLOSE_NOT_AUTHORIZED
								       : DS_IKE_CLOSE_AUTH_FAILED;
		ike_sa_arm(sa);
		return;
	}
	respond(sa, mid, &iw);
	ike_sa_arm(sa);
}

void ike_auth_request(ds_ike_sa *sa, const ike_hdr *h, const ike_chain *c)
{
	ds_ike *ike = sa->ike;
	uint32_t mid = h->msg_id;
	if (sa->state == DS_IKE_ST_INIT_DONE) {
		const ike_pl *pi = ike_chain_find(c, IKE_PL_IDI), *pr = ike_chain_find(c, IKE_PL_IDR);
		ike_typed idi, idr;
		if (!pi || ike_id_decode(pi->body, pi->len, &idi) || id_text(&idi, sa->nai) ||
		    pi->len > sizeof(sa->idi)) {
			respond_fail(sa, mid, IKE_N_AUTHENTICATION_FAILED, DS_IKE_CLOSE_PROTOCOL);
			return;
		}
		memcpy(sa->idi, pi->body, pi->len);
		sa->idi_len = pi->len;
		/* IDr carries the APN; the HA answers with the same identity. */
		if (!pr || ike_id_decode(pr->body, pr->len, &idr) || idr.type != IKE_ID_FQDN ||
		    id_text(&idr, sa->apn)) {
			respond_fail(sa, mid, IKE_N_AUTHENTICATION_FAILED,
				     DS_IKE_CLOSE_NOT_AUTHORIZED);
			return;
		}
		id_body(IKE_ID_FQDN, sa->apn, sa->idr, &sa->idr_len);
		note_cp(sa, c);
		note_child(sa, c);
		sa->state = DS_IKE_ST_AUTH;
		if (ike_chain_find(c, IKE_PL_AUTH)) {
			/* Initiator authenticates with a PSK (tests only). */
			if (verify_auth(sa, c, false)) {
				respond_fail(sa, mid, IKE_N_AUTHENTICATION_FAILED,
					     DS_IKE_CLOSE_AUTH_FAILED);
				return;
			}
			finish_responder(sa, mid, false);
			return;
		}
		/* No AUTH: EAP (cl. 2.16, TS 33.402). */
		if (redirect_at_identity(sa, mid))
			return;
		if (!ike->cfg.eap.ops) {
			respond_fail(sa, mid, IKE_N_AUTHENTICATION_FAILED, DS_IKE_CLOSE_AUTH_FAILED);
			return;
		}
		sa->eap_mode = true;
		sa->eap_wait = true;
		ike->ctr.eap_rounds++;
		ds_eap_session *s = ike->cfg.eap.ops->start(ike->cfg.eap.backend, sa->nai, sa->apn,
							    eap_done, sa);
		if (!s) {
			sa->eap_wait = false;
			if (!sa->close_pending)
				respond_fail(sa, mid, IKE_N_TEMPORARY_FAILURE,
					     DS_IKE_CLOSE_PROTOCOL);
			return;
		}
		sa->eap_sess = s;
		return;
	}
	if (sa->state != DS_IKE_ST_AUTH || !sa->eap_mode) {
		ike_respond_notify(sa, IKE_AUTH, mid, IKE_N_INVALID_SYNTAX);
		return;
	}
	if (sa->eap_success) {
		/* Final request: the UE's AUTH from the MSK. */
		if (verify_auth(sa, c, true)) {
			ds_logf(&ike->cfg.log, DS_LOG_NOTICE, "ike %016llx: MSK AUTH invalid",
				(unsigned long long)sa->spi_local);
			respond_fail(sa, mid, IKE_N_AUTHENTICATION_FAILED, DS_IKE_CLOSE_AUTH_FAILED);
			return;
		}
		finish_responder(sa, mid, true);
		return;
	}
	const ike_pl *pe = ike_chain_find(c, IKE_PL_EAP);
	if (!pe || ike_eap_check(pe->body, pe->len) || !sa->eap_sess) {
		respond_fail(sa, mid, IKE_N_AUTHENTICATION_FAILED, DS_IKE_CLOSE_AUTH_FAILED);
		return;
	}
	ike->ctr.eap_rounds++;
	sa->eap_wait = true;
	int rc = ike->cfg.eap.ops->input(sa->eap_sess, pe->body, pe->len);
	if (rc < 0 && sa->eap_wait) {
		sa->eap_wait = false;
		respond_fail(sa, mid, IKE_N_AUTHENTICATION_FAILED, DS_IKE_CLOSE_AUTH_FAILED);
	}
}
