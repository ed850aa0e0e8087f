/* EAP-AKA / EAP-AKA' peer, see eap_aka_peer.h. Clause numbers refer to RFC 4187 unless marked
 * RFC 9048 or RFC 3748.
 *
 * The peer has no clock (ds_eap_peer_ops carries none): its log rate limiter counts received
 * messages instead of milliseconds. */
#include "eap/eap_aka_peer.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/err.h"
#include "core/util.h"
#include "eap/eap_aka_attr.h"
#include "eap/eap_aka_keys.h"
#include "eap/eap_msg.h"

enum peer_state {
	PS_START,       /* nothing from the method yet, or AKA-Identity rounds */
	PS_CHALLENGED,  /* a challenge was answered with RES: success may follow */
	PS_FAILING,     /* we rejected or reported an error: only EAP-Failure may follow */
	PS_SUCCESS,
	PS_FAILED,
};

enum { ID_NONE = 0, ID_PERMANENT = 1, ID_FULLAUTH = 2, ID_ANY = 3 };

struct ds_eap_peer {
	ds_usim usim;
	char *identity;
	size_t id_len;
	bool aka_prime, prefer_prime, strict_name, want_result_ind;
	bool result_ind;              /* both sides asked for result indications */
	bool success_notified;        /* the protected "Success" notification arrived */
	char *net_name;
	ds_logger log;
	ds_ratelimit rl;
	ds_time msgs;                 /* the rate limiter's "clock" */
	enum peer_state st;
	uint8_t method;               /* 23 or 50 once the method started */
	ds_aka_checkcode cc;
	unsigned id_rounds;
	int last_id_kind;
	bool pend;                    /* an AKA-Identity pair not yet in the checkcode */
	uint8_t pend_id;
	size_t pend_req_len, pend_resp_len;
	uint8_t pend_req[DS_EAP_MAX_MSG], pend_resp[DS_EAP_MAX_MSG];
	bool have_last;               /* for retransmitted requests (RFC 3748 cl. 4.1) */
	uint8_t last_id;
	size_t last_req_len, last_resp_len;
	uint8_t last_req[DS_EAP_MAX_MSG], last_resp[DS_EAP_MAX_MSG];
	uint16_t kdf_list[DS_AKA_MAX_KDF];
	uint8_t n_kdf;
	bool kdf_seen, kdf_asked;
	ds_aka_keys keys;
	bool keys_ok;
	int reason;
	int notification;
	ds_eap_aka_peer_counters ctr;
};

#define PLOG(p, lvl, ...) ds_logf_rl(&(p)->log, &(p)->rl, (p)->msgs, (lvl), __VA_ARGS__)

/* ---- responses ---- */

static int emit(ds_eap_peer *p, uint8_t id, const uint8_t *pkt, int len, uint8_t *out,
		size_t *out_len)
{
	if (len < 0)
		return len;
	memcpy(out, pkt, (size_t)len);
	*out_len = (size_t)len;
	p->have_last = true;
	p->last_id = id;
	memcpy(p->last_resp, pkt, (size_t)len);
	p->last_resp_len = (size_t)len;
	return DS_EAP_CONTINUE;
}

static int client_error(ds_eap_peer *p, uint8_t id, uint8_t *out, size_t *out_len)
{
	uint8_t buf[64];
	ds_aka_builder b;
	ds_aka_begin(&b, buf, sizeof buf, DS_EAP_CODE_RESPONSE, id, p->method,
		     DS_AKA_CLIENT_ERROR);
	ds_aka_put_u16(&b, DS_AT_CLIENT_ERROR_CODE, DS_AKA_CLIENT_ERR_UNABLE_TO_PROCESS);
	p->st = PS_FAILING;
	if (!p->reason)
		p->reason = DS_EAP_FAIL_PROTOCOL;
	p->ctr.client_errors++;
	return emit(p, id, buf, ds_aka_finish(&b), out, out_len);
}

static int auth_reject(ds_eap_peer *p, uint8_t id, uint8_t *out, size_t *out_len)
{
	uint8_t buf[16];
	ds_aka_builder b;
	ds_aka_begin(&b, buf, sizeof buf, DS_EAP_CODE_RESPONSE, id, p->method,
		     DS_AKA_AUTH_REJECT);
	p->st = PS_FAILING;
	p->reason = DS_EAP_FAIL_PEER_REJECT;
	p->ctr.auth_rejects++;
	return emit(p, id, buf, ds_aka_finish(&b), out, out_len);
}

/* ---- checkcode bookkeeping (cl. 10.13) ---- */

static int cc_start(ds_eap_peer *p, uint8_t type)
{
	if (p->method)
		return DS_OK;
	p->method = type;
	return ds_aka_cc_init(&p->cc, type == DS_EAP_TYPE_AKA_PRIME);
}

/* The peer adds an AKA-Identity round to the checkcode only once a later request (a challenge
 * or another AKA-Identity with a different Identifier) shows the round was complete. */
static int cc_commit(ds_eap_peer *p)
{
	if (!p->pend)
		return DS_OK;
	p->pend = false;
	int rc = ds_aka_cc_add(&p->cc, p->pend_req, p->pend_req_len);
	if (!rc)
		rc = ds_aka_cc_add(&p->cc, p->pend_resp, p->pend_resp_len);
	return rc;
}

/* ---- AKA-Identity (cl. 4.1.5, 9.1, 9.2) ---- */

static int on_identity(ds_eap_peer *p, const ds_aka_msg *m, uint8_t *out, size_t *out_len)
{
	int kinds = ds_aka_has(m, DS_AT_PERMANENT_ID_REQ) + ds_aka_has(m, DS_AT_FULLAUTH_ID_REQ) +
		    ds_aka_has(m, DS_AT_ANY_ID_REQ);
	int kind = ds_aka_has(m, DS_AT_ANY_ID_REQ) ? ID_ANY
		   : ds_aka_has(m, DS_AT_FULLAUTH_ID_REQ) ? ID_FULLAUTH
		   : ds_aka_has(m, DS_AT_PERMANENT_ID_REQ) ? ID_PERMANENT : ID_NONE;
	if (p->st != PS_START || kinds > 1 || ds_aka_has(m, DS_AT_MAC)) {
		PLOG(p, DS_LOG_NOTICE, "eap-aka peer: invalid AKA-Identity request");
		return client_error(p, m->id, out, out_len);
	}
	/* cl. 4.1.5: requests may only tighten (any -> fullauth -> permanent); since this peer
	 * always answers with its permanent identity, a request after a permanent one, or more
	 * than three rounds, is a protocol error */
	if (p->id_rounds > 0 && (kind == ID_NONE || kind >= p->last_id_kind)) {
		PLOG(p, DS_LOG_NOTICE, "eap-aka peer: unexpected AKA-Identity sequence");
		return client_error(p, m->id, out, out_len);
	}
	if (m->id != p->pend_id && cc_commit(p))
		return DS_E_CRYPTO;
	p->id_rounds++;
	p->last_id_kind = kind;

	uint8_t buf[DS_EAP_MAX_MSG];
	ds_aka_builder b;
	ds_aka_begin(&b, buf, sizeof buf, DS_EAP_CODE_RESPONSE, m->id, p->method, DS_AKA_IDENTITY);
	if (kind != ID_NONE)
		ds_aka_put_lv(&b, DS_AT_IDENTITY, p->identity, p->id_len);
	int len = ds_aka_finish(&b);
	if (len < 0)
		return len;
	p->pend = true;
	p->pend_id = m->id;
	memcpy(p->pend_req, m->pkt, m->pkt_len);
	p->pend_req_len = m->pkt_len;
	memcpy(p->pend_resp, buf, (size_t)len);
	p->pend_resp_len = (size_t)len;
	return emit(p, m->id, buf, len, out, out_len);
}

/* ---- AKA'-Challenge key derivation function negotiation (RFC 9048 cl. 3.2) ---- */

enum { KDF_OK, KDF_ASK, KDF_REJECT, KDF_MAC_FAIL };

static int kdf_check(ds_eap_peer *p, const ds_aka_msg *m)
{
	if (m->n_kdf == 0)
		return KDF_REJECT;  /* "AT_KDF is missing": as if AUTN were incorrect */
	if (p->kdf_asked) {
		/* exactly our choice prepended to the previous list */
		if (m->n_kdf != p->n_kdf + 1 || m->kdf[0] != DS_AKA_KDF_PRIME ||
		    memcmp(m->kdf + 1, p->kdf_list, p->n_kdf * sizeof(uint16_t)))
			return KDF_MAC_FAIL;
		p->kdf_asked = false;
	} else {
		if (p->kdf_seen && (m->n_kdf != p->n_kdf ||
				    memcmp(m->kdf, p->kdf_list, p->n_kdf * sizeof(uint16_t))))
			return KDF_MAC_FAIL;  /* changed without our request */
		for (unsigned i = 0; i < m->n_kdf; i++)
			for (unsigned j = i + 1; j < m->n_kdf; j++)
				if (m->kdf[i] == m->kdf[j])
					return KDF_REJECT;  /* duplicates */
	}
	memcpy(p->kdf_list, m->kdf, m->n_kdf * sizeof(uint16_t));
	p->n_kdf = m->n_kdf;
	p->kdf_seen = true;
	if (m->kdf[0] == DS_AKA_KDF_PRIME)
		return KDF_OK;
	for (unsigned i = 1; i < m->n_kdf; i++)
		if (m->kdf[i] == DS_AKA_KDF_PRIME)
			return KDF_ASK;
	return KDF_REJECT;
}

/* RFC 9048 cl. 3.1: compare colon-separated fields up to the shorter name. */
static bool net_name_match(const char *local, const uint8_t *rx, size_t rx_len)
{
	size_t ll = strlen(local), i = 0;
	for (; i < ll && i < rx_len; i++) {
		if ((uint8_t)local[i] != rx[i])
			return false;
	}
	if (i == ll && i == rx_len)
		return true;
	/* one name ended: it must end at a field boundary of the other */
	if (i == ll)
		return ll == 0 || rx[i] == ':';
	return local[i] == ':';
}

/* ---- AKA-Challenge (cl. 9.3, 9.4; RFC 9048 cl. 3) ---- */

static int on_challenge(ds_eap_peer *p, const ds_aka_msg *m, uint8_t *out, size_t *out_len)
{
	bool prime = m->type == DS_EAP_TYPE_AKA_PRIME;
	uint8_t buf[DS_EAP_MAX_MSG];
	ds_aka_builder b;
	p->ctr.challenges++;
	if (p->st != PS_START)
		return client_error(p, m->id, out, out_len);
	if (!m->rand || !m->autn || !m->mac)
		return client_error(p, m->id, out, out_len);  /* mandatory attribute missing */
	if (cc_commit(p))
		return DS_E_CRYPTO;
	if (prime) {
		int k = kdf_check(p, m);
		if (k == KDF_MAC_FAIL) {
			PLOG(p, DS_LOG_WARN, "eap-aka' peer: AT_KDF list changed unexpectedly");
			return client_error(p, m->id, out, out_len);
		}
		if (k == KDF_REJECT) {
			PLOG(p, DS_LOG_WARN, "eap-aka' peer: no acceptable key derivation function");
			return auth_reject(p, m->id, out, out_len);
		}
		if (k == KDF_ASK) {
			/* answer with only AT_KDF = the alternative we pick */
			ds_aka_begin(&b, buf, sizeof buf, DS_EAP_CODE_RESPONSE, m->id, p->method,
				     DS_AKA_CHALLENGE);
			ds_aka_put_u16(&b, DS_AT_KDF, DS_AKA_KDF_PRIME);
			p->kdf_asked = true;
			return emit(p, m->id, buf, ds_aka_finish(&b), out, out_len);
		}
		if (!m->kdf_input || m->kdf_input_len == 0) {
			PLOG(p, DS_LOG_WARN, "eap-aka' peer: empty AT_KDF_INPUT");
			return auth_reject(p, m->id, out, out_len);
		}
		if (p->net_name && !net_name_match(p->net_name, m->kdf_input, m->kdf_input_len)) {
			PLOG(p, p->strict_name ? DS_LOG_WARN : DS_LOG_NOTICE,
			     "eap-aka' peer: network name '%.*s' differs from '%s'%s",
			     (int)m->kdf_input_len, (const char *)m->kdf_input, p->net_name,
			     p->strict_name ? "" : " (continuing)");
			if (p->strict_name)
				return auth_reject(p, m->id, out, out_len);
		}
		/* RFC 9048 cl. 3.3: the AMF separation bit must be 1 */
		if (!(m->autn[6] & 0x80)) {
			PLOG(p, DS_LOG_WARN, "eap-aka' peer: AMF separation bit not set");
			return auth_reject(p, m->id, out, out_len);
		}
	}

	uint8_t res[8], ck[16], ik[16], auts[DS_AKA_AUTS_LEN];
	int rc = ds_usim_authenticate(&p->usim, m->rand, m->autn, res, ck, ik, auts);
	if (rc == DS_E_AUTH) {
		PLOG(p, DS_LOG_WARN, "eap-aka peer: AUTN not authentic (MAC-A), rejecting network");
		return auth_reject(p, m->id, out, out_len);
	}
	if (rc == DS_E_REPLAY) {
		/* cl. 9.6 / RFC 9048 cl. 3.2: AT_AUTS, plus the AT_KDF list for EAP-AKA' */
		PLOG(p, DS_LOG_NOTICE, "eap-aka peer: SQN out of range, resynchronising");
		p->ctr.sync_failures++;
		ds_aka_begin(&b, buf, sizeof buf, DS_EAP_CODE_RESPONSE, m->id, p->method,
			     DS_AKA_SYNC_FAILURE);
		ds_aka_put_auts(&b, auts);
		for (unsigned i = 0; prime && i < m->n_kdf; i++)
			ds_aka_put_u16(&b, DS_AT_KDF, m->kdf[i]);
		return emit(p, m->id, buf, ds_aka_finish(&b), out, out_len);
	}
	if (rc)
		return rc;

	if (prime) {
		uint8_t ckp[16], ikp[16];
		rc = ds_aka_prime_ck_ik(ck, ik, m->kdf_input, m->kdf_input_len, m->autn, ckp, ikp);
		if (!rc)
			rc = ds_aka_prime_derive(&p->keys, p->identity, p->id_len, ikp, ckp);
		OPENSSL_cleanse(ckp, sizeof ckp);
		OPENSSL_cleanse(ikp, sizeof ikp);
	} else {
		rc = ds_aka_derive(&p->keys, p->identity, p->id_len, ik, ck);
	}
	OPENSSL_cleanse(ck, sizeof ck);
	OPENSSL_cleanse(ik, sizeof ik);
	if (rc) {
		OPENSSL_cleanse(res, sizeof res);
		return rc;
	}
	/* cl. 9.3: AT_MAC is checked once the keys exist */
	if (ds_aka_mac_verify(&p->keys, m->pkt, m->pkt_len, m->mac_off) != DS_OK) {
		PLOG(p, DS_LOG_WARN, "eap-aka peer: AT_MAC of the challenge is wrong");
		p->ctr.mac_failures++;
		ds_aka_keys_wipe(&p->keys);
		OPENSSL_cleanse(res, sizeof res);
		return client_error(p, m->id, out, out_len);
	}
	/* RFC 9048 cl. 4: both sides preferring AKA' but running AKA is a bidding-down attack */
	if (!prime && p->aka_prime && p->prefer_prime && ds_aka_has(m, DS_AT_BIDDING) &&
	    (m->bidding & DS_AKA_BIDDING_D)) {
		PLOG(p, DS_LOG_WARN, "eap-aka peer: AT_BIDDING shows EAP-AKA' was possible");
		ds_aka_keys_wipe(&p->keys);
		OPENSSL_cleanse(res, sizeof res);
		return auth_reject(p, m->id, out, out_len);
	}
	uint8_t cc[32];
	size_t cc_len = 0;
	if (ds_aka_cc_value(&p->cc, cc, &cc_len))
		return DS_E_CRYPTO;
	if (ds_aka_has(m, DS_AT_CHECKCODE) &&
	    (m->checkcode_len != cc_len || CRYPTO_memcmp(m->checkcode, cc, cc_len))) {
		PLOG(p, DS_LOG_WARN, "eap-aka peer: AT_CHECKCODE mismatch");
		ds_aka_keys_wipe(&p->keys);
		OPENSSL_cleanse(res, sizeof res);
		return client_error(p, m->id, out, out_len);
	}

	ds_aka_begin(&b, buf, sizeof buf, DS_EAP_CODE_RESPONSE, m->id, p->method, DS_AKA_CHALLENGE);
	ds_aka_put_res(&b, res, 64);
	if (ds_aka_has(m, DS_AT_CHECKCODE))
		ds_aka_put_reserved(&b, DS_AT_CHECKCODE, cc, cc_len);
	/* cl. 6.2: only in answer to the server's AT_RESULT_IND */
	p->result_ind = p->want_result_ind && ds_aka_has(m, DS_AT_RESULT_IND);
	if (p->result_ind)
		ds_aka_put_u16(&b, DS_AT_RESULT_IND, 0);
	ds_aka_put_mac(&b);
	OPENSSL_cleanse(res, sizeof res);
	int len = ds_aka_finish(&b);
	if (len < 0)
		return len;
	rc = ds_aka_mac_sign(&p->keys, buf, (size_t)len, b.mac_off);
	if (rc)
		return rc;
	p->keys_ok = true;
	p->st = PS_CHALLENGED;
	return emit(p, m->id, buf, len, out, out_len);
}

/* ---- AKA-Notification (cl. 6, 9.10, 9.11) ---- */

static int on_notification(ds_eap_peer *p, const ds_aka_msg *m, uint8_t *out, size_t *out_len)
{
	p->ctr.notifications++;
	if (!ds_aka_has(m, DS_AT_NOTIFICATION))
		return client_error(p, m->id, out, out_len);
	uint16_t code = m->notification;
	bool before_auth = code & DS_AKA_NOTIF_P, success = code & DS_AKA_NOTIF_S;
	if (before_auth) {
		/* P = 1: sent before the challenge round, carries no AT_MAC; "success" is only
		 * possible after authentication (cl. 6.1) */
		if (ds_aka_has(m, DS_AT_MAC) || success)
			return client_error(p, m->id, out, out_len);
	} else {
		if (!p->keys_ok || !m->mac ||
		    ds_aka_mac_verify(&p->keys, m->pkt, m->pkt_len, m->mac_off) != DS_OK) {
			p->ctr.mac_failures++;
			PLOG(p, DS_LOG_WARN, "eap-aka peer: notification %u without valid AT_MAC",
			     code);
			return client_error(p, m->id, out, out_len);
		}
	}
	/* cl. 6.2: "Success" only when both sides asked for result indications */
	if (success && !p->result_ind) {
		PLOG(p, DS_LOG_NOTICE, "eap-aka peer: success notification without AT_RESULT_IND");
		return client_error(p, m->id, out, out_len);
	}
	p->notification = code;
	if (success)
		p->success_notified = true;
	if (!success) {
		PLOG(p, DS_LOG_NOTICE, "eap-aka peer: server reports failure, notification %u",
		     code);
		p->st = PS_FAILING;
		p->reason = code == DS_AKA_NOTIF_NOT_SUBSCRIBED ? DS_EAP_FAIL_APN_NOT_ALLOWED
							       : DS_EAP_FAIL_AUTH;
	}
	uint8_t buf[64];
	ds_aka_builder b;
	ds_aka_begin(&b, buf, sizeof buf, DS_EAP_CODE_RESPONSE, m->id, p->method,
		     DS_AKA_NOTIFICATION);
	if (!before_auth)
		ds_aka_put_mac(&b);
	int len = ds_aka_finish(&b);
	if (len < 0)
		return len;
	if (!before_auth) {
		int rc = ds_aka_mac_sign(&p->keys, buf, (size_t)len, b.mac_off);
		if (rc)
			return rc;
	}
	return emit(p, m->id, buf, len, out, out_len);
}

/* ---- dispatch ---- */

static int nak(ds_eap_peer *p, uint8_t id, uint8_t *out, size_t *out_len)
{
	uint8_t types[2], n = 0, buf[16];
	if (p->aka_prime && p->prefer_prime)
		types[n++] = DS_EAP_TYPE_AKA_PRIME;
	types[n++] = DS_EAP_TYPE_AKA;
	if (p->aka_prime && !p->prefer_prime)
		types[n++] = DS_EAP_TYPE_AKA_PRIME;
	p->ctr.naks++;
	return emit(p, id, buf, ds_eap_build_nak(buf, sizeof buf, id, types, n), out, out_len);
}

static int on_method(ds_eap_peer *p, const uint8_t *eap, size_t len, uint8_t type,
		     uint8_t *out, size_t *out_len)
{
	ds_aka_msg m;
	if (p->method && p->method != type) {
		/* the method cannot change once started (RFC 3748 cl. 2.1) */
		p->ctr.rx_malformed++;
		return client_error(p, eap[1], out, out_len);
	}
	if (cc_start(p, type))
		return DS_E_CRYPTO;
	int rc = ds_aka_parse(eap, len, &m);
	if (rc) {
		/* cl. 8.1 / 6.3.1: unknown non-skippable or malformed attributes */
		p->ctr.rx_malformed++;
		PLOG(p, DS_LOG_NOTICE, "eap-aka peer: bad request (%s, attribute %u)",
		     ds_strerror(rc), m.bad_attr);
		return client_error(p, eap[1], out, out_len);
	}
	if (p->st == PS_FAILING) {
		/* after our reject or error only EAP-Failure may come (cl. 6.3.3) */
		p->ctr.rx_dropped++;
		return DS_E_STATE;
	}
	switch (m.subtype) {
	case DS_AKA_IDENTITY:
		return on_identity(p, &m, out, out_len);
	case DS_AKA_CHALLENGE:
		return on_challenge(p, &m, out, out_len);
	case DS_AKA_NOTIFICATION:
		return on_notification(p, &m, out, out_len);
	default:
		/* re-authentication is not offered by this peer (no fast re-auth identity), other
		 * subtypes are not requests */
		return client_error(p, m.id, out, out_len);
	}
}

static int peer_input(ds_eap_peer *p, const uint8_t *eap, size_t len, uint8_t *out,
		      size_t *out_len)
{
	ds_eap_pkt e;
	*out_len = 0;
	p->msgs++;
	p->ctr.rx++;
	int rc = ds_eap_parse(eap, len, &e);
	if (rc) {
		p->ctr.rx_malformed++;
		PLOG(p, DS_LOG_NOTICE, "eap peer: malformed EAP packet (%s)", ds_strerror(rc));
		return rc;
	}
	len = e.len;  /* octets beyond Length are link padding (RFC 3748 cl. 4.1) */
	switch (e.code) {
	case DS_EAP_CODE_SUCCESS:
		/* with result indications the protected notification must come first (cl. 6.2) */
		if (p->st == PS_CHALLENGED && p->keys_ok &&
		    (!p->result_ind || p->success_notified)) {
			p->st = PS_SUCCESS;
			p->ctr.successes++;
			return DS_EAP_SUCCESS;
		}
		/* cl. 6.3.4: never accept success before a valid challenge round */
		PLOG(p, DS_LOG_WARN, "eap peer: EAP-Success before authentication");
		p->st = PS_FAILED;
		p->reason = DS_EAP_FAIL_PROTOCOL;
		p->ctr.failures++;
		return DS_EAP_FAILURE;
	case DS_EAP_CODE_FAILURE:
		if (p->st != PS_FAILING)
			PLOG(p, DS_LOG_NOTICE, "eap peer: EAP-Failure");
		if (!p->reason)
			p->reason = DS_EAP_FAIL_AUTH;
		p->st = PS_FAILED;
		p->ctr.failures++;
		return DS_EAP_FAILURE;
	case DS_EAP_CODE_REQUEST:
		break;
	default:
		p->ctr.rx_dropped++;
		return DS_E_UNKNOWN_TYPE;
	}
	if (p->st == PS_SUCCESS || p->st == PS_FAILED) {
		p->ctr.rx_dropped++;
		return DS_E_STATE;
	}
	/* RFC 3748 cl. 4.1: a request with the Identifier of the previous one is a retransmission
	 * and gets the same response */
	if (p->have_last && e.id == p->last_id && len == p->last_req_len &&
	    !memcmp(eap, p->last_req, len)) {
		p->ctr.retransmits++;
		memcpy(out, p->last_resp, p->last_resp_len);
		*out_len = p->last_resp_len;
		return DS_EAP_CONTINUE;
	}
	if (len > sizeof p->last_req) {
		p->ctr.rx_dropped++;
		return DS_E_BADLEN;
	}
	memcpy(p->last_req, eap, len);
	p->last_req_len = len;
	switch (e.type) {
	case DS_EAP_TYPE_IDENTITY: {
		uint8_t buf[DS_EAP_MAX_MSG];
		return emit(p, e.id, buf, ds_eap_build_identity(buf, sizeof buf, e.id, p->identity),
			    out, out_len);
	}
	case DS_EAP_TYPE_NOTIFICATION: {
		/* RFC 3748 cl. 5.2: acknowledge with an empty Response/Notification */
		uint8_t buf[5] = { DS_EAP_CODE_RESPONSE, e.id, 0, 5, DS_EAP_TYPE_NOTIFICATION };
		return emit(p, e.id, buf, 5, out, out_len);
	}
	case DS_EAP_TYPE_AKA:
		return on_method(p, eap, len, e.type, out, out_len);
	case DS_EAP_TYPE_AKA_PRIME:
		if (p->aka_prime)
			return on_method(p, eap, len, e.type, out, out_len);
		return nak(p, e.id, out, out_len);
	case DS_EAP_TYPE_NAK:
		p->ctr.rx_dropped++;
		return DS_E_UNKNOWN_TYPE;  /* Nak is a response only */
	default:
		if (p->method) {
			p->ctr.rx_dropped++;
			return DS_E_STATE;  /* no method change after AKA started */
		}
		return nak(p, e.id, out, out_len);
	}
}

static int peer_msk(ds_eap_peer *p, uint8_t msk[DS_EAP_MSK_LEN])
{
	if (p->st != PS_SUCCESS)
		return DS_E_STATE;
	memcpy(msk, p->keys.msk, DS_EAP_MSK_LEN);
	return DS_OK;
}

static void peer_free(ds_eap_peer *p)
{
	if (!p)
		return;
	ds_aka_cc_free(&p->cc);
	if (p->identity)
		OPENSSL_clear_free(p->identity, p->id_len + 1);
	free(p->net_name);
	OPENSSL_clear_free(p, sizeof *p);
}

const ds_eap_peer_ops ds_eap_aka_peer_ops = {
	.input = peer_input,
	.msk = peer_msk,
	.free = peer_free,
};

ds_eap_peer *ds_eap_aka_peer_new(const ds_eap_aka_peer_cfg *cfg)
{
	if (!cfg->identity || !*cfg->identity || strlen(cfg->identity) > 253)
		return NULL;
	ds_eap_peer *p = OPENSSL_zalloc(sizeof *p);
	if (!p)
		return NULL;
	p->id_len = strlen(cfg->identity);
	p->identity = OPENSSL_malloc(p->id_len + 1);
	if (!p->identity) {
		peer_free(p);
		return NULL;
	}
	memcpy(p->identity, cfg->identity, p->id_len + 1);
	if (cfg->network_name && !(p->net_name = strdup(cfg->network_name))) {
		peer_free(p);
		return NULL;
	}
	if (cfg->usim_state)
		p->usim = *cfg->usim_state;
	else
		ds_usim_init(&p->usim, cfg->k, cfg->opc, cfg->sqn_ms);
	if (cfg->sqn_age_limit)
		p->usim.age_limit = cfg->sqn_age_limit;
	p->aka_prime = cfg->aka_prime;
	p->prefer_prime = cfg->aka_prime && cfg->prefer_aka_prime;
	p->strict_name = cfg->network_name_strict;
	p->want_result_ind = cfg->result_ind;
	p->log = cfg->log;
	p->rl = (ds_ratelimit)DS_RATELIMIT_INIT(100, 10);  /* 10 lines per 100 messages */
	return p;
}

void ds_eap_aka_peer_reset(ds_eap_peer *p)
{
	ds_aka_cc_free(&p->cc);
	ds_aka_keys_wipe(&p->keys);
	p->st = PS_START;
	p->method = 0;
	p->id_rounds = 0;
	p->last_id_kind = 0;
	p->pend = p->have_last = p->kdf_seen = p->kdf_asked = p->keys_ok = false;
	p->result_ind = p->success_notified = false;
	p->n_kdf = 0;
	p->reason = 0;
	p->notification = 0;
}

const ds_usim *ds_eap_aka_peer_usim(const ds_eap_peer *p) { return &p->usim; }
const ds_eap_aka_peer_counters *ds_eap_aka_peer_counters_get(const ds_eap_peer *p)
{
	return &p->ctr;
}
int ds_eap_aka_peer_reason(const ds_eap_peer *p) { return p->reason; }
int ds_eap_aka_peer_notification(const ds_eap_peer *p) { return p->notification; }
