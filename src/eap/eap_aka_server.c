/* Embedded EAP-AKA / EAP-AKA' server, see eap_aka_server.h. Clause numbers are RFC 4187 unless
 * marked otherwise. Like the peer, the server has no clock: its log rate limiter counts
 * received messages. */
#include "eap/eap_aka_server.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "core/err.h"
#include "core/util.h"
#include "crypto/milenage.h"
#include "eap/eap_aka_attr.h"
#include "eap/eap_aka_keys.h"
#include "eap/eap_msg.h"
#include "eap/eap_session.h"
#include "eap/nai.h"
#include "eap/usim.h"

#define MAX_RESYNCS 2   /* resynchronisations accepted in one session */

struct ds_eap_aka_server {
	ds_subdb *db;
	bool prime, bidding;
	char net_name[256];
	size_t net_len;
	bool always_identity;
	bool result_ind;
	int (*rng)(void *ctx, uint8_t *buf, size_t len);
	void *rng_ctx;
	ds_logger log;
	ds_ratelimit rl;
	ds_time msgs;
	ds_eap_aka_server_counters ctr;
};

enum sess_state { SS_IDENTITY, SS_CHALLENGE, SS_NOTIFY, SS_DONE };

typedef struct aka_session {
	ds_eap_session base;
	ds_eap_aka_server *srv;
	ds_eap_done_fn done;
	void *cb_ctx;
	enum sess_state st;
	uint8_t id;                    /* Identifier of the outstanding request */
	uint8_t type;                  /* 23 or 50 */
	int reason;                    /* ds_eap_fail_reason once failing */
	bool notify_mac;               /* the notification carried AT_MAC */
	bool notify_success;           /* it was the protected "Success" (cl. 6.2) */
	unsigned resyncs;
	char identity[DS_NAI_MAX + 1];
	char apn[DS_APN_MAX + 1];
	ds_subscriber sub;
	uint8_t rand[16], xres[8];
	ds_aka_keys keys;
	ds_aka_checkcode cc;
	size_t req_len;                /* last AKA-Identity request, for the checkcode */
	uint8_t req[DS_EAP_MAX_MSG];
} aka_session;

static int srv_random(ds_eap_aka_server *srv, uint8_t *buf, size_t len)
{
	if (srv->rng)
		return srv->rng(srv->rng_ctx, buf, len) == 0 ? DS_OK : DS_E_CRYPTO;
	return RAND_bytes(buf, (int)len) == 1 ? DS_OK : DS_E_CRYPTO;
}

#define SLOG(srv, lvl, ...) ds_logf_rl(&(srv)->log, &(srv)->rl, (srv)->msgs, (lvl), __VA_ARGS__)

static void finish(aka_session *s, int status, const uint8_t *pkt, size_t len, bool with_msk)
{
	s->st = SS_DONE;
	if (status == DS_EAP_SUCCESS)
		s->srv->ctr.successes++;
	else
		s->srv->ctr.failures++;
	s->done(s->cb_ctx, status, pkt, len, with_msk ? s->keys.msk : NULL,
		with_msk ? DS_EAP_MSK_LEN : 0);
	ds_aka_keys_wipe(&s->keys);
	OPENSSL_cleanse(&s->sub, sizeof s->sub);
	OPENSSL_cleanse(s->xres, sizeof s->xres);
}

/* EAP-Failure carries the Identifier of the response it answers (RFC 3748 cl. 4.2). */
static void send_failure(aka_session *s, int reason)
{
	uint8_t pkt[4];
	if (!s->reason)
		s->reason = reason;
	int n = ds_eap_build_result(pkt, sizeof pkt, DS_EAP_CODE_FAILURE, s->id);
	finish(s, DS_EAP_FAILURE, pkt, n > 0 ? (size_t)n : 0, false);
}

/* cl. 6.3.2: errors are reported with a failure notification, then EAP-Failure; cl. 6.2: a
 * "Success" notification precedes EAP-Success when result indications were agreed. Before
 * authentication the code has P = 1 and no AT_MAC; afterwards P = 0 and AT_MAC. */
static void notify(aka_session *s, int reason, uint16_t code)
{
	if (s->st == SS_NOTIFY || s->st == SS_DONE) {
		send_failure(s, reason);
		return;
	}
	s->reason = reason;
	bool after = !(code & DS_AKA_NOTIF_P);
	uint8_t pkt[64];
	ds_aka_builder b;
	s->id++;
	ds_aka_begin(&b, pkt, sizeof pkt, DS_EAP_CODE_REQUEST, s->id, s->type,
		     DS_AKA_NOTIFICATION);
	ds_aka_put_u16(&b, DS_AT_NOTIFICATION, code);
	if (after)
		ds_aka_put_mac(&b);
	int n = ds_aka_finish(&b);
	if (n < 0 || (after && ds_aka_mac_sign(&s->keys, pkt, (size_t)n, b.mac_off))) {
		send_failure(s, DS_EAP_FAIL_BACKEND);
		return;
	}
	s->notify_mac = after;
	s->notify_success = code == DS_AKA_NOTIF_SUCCESS;
	s->st = SS_NOTIFY;
	s->done(s->cb_ctx, DS_EAP_CONTINUE, pkt, (size_t)n, NULL, 0);
}

static void fail_general(aka_session *s, int reason)
{
	notify(s, reason, DS_AKA_NOTIF_GENERAL_FAILURE);
}

/* ---- challenge (cl. 9.3, RFC 9048 cl. 3) ---- */

static void send_challenge(aka_session *s)
{
	ds_eap_aka_server *srv = s->srv;
	uint64_t sqn;
	uint8_t sqn_b[6], amf[2], autn[16], ck[16], ik[16];
	int rc = ds_subdb_next_sqn(srv->db, s->sub.imsi, &sqn);
	if (rc) {
		srv->ctr.db_errors++;
		SLOG(srv, DS_LOG_ERR, "eap-aka server: SQN update for %s failed: %s", s->sub.imsi,
		     ds_strerror(rc));
		fail_general(s, DS_EAP_FAIL_BACKEND);
		return;
	}
	ds_sqn_put(sqn_b, sqn);
	/* RFC 9048 cl. 3.3: EAP-AKA' vectors carry the AMF separation bit */
	uint16_t amf_v = s->sub.amf | (s->type == DS_EAP_TYPE_AKA_PRIME ? 0x8000 : 0);
	ds_put_u16(amf, amf_v);
	if (srv_random(srv, s->rand, sizeof s->rand) ||
	    ds_milenage_generate(s->sub.k, s->sub.opc, s->rand, sqn_b, amf, autn, s->xres, ck, ik)) {
		fail_general(s, DS_EAP_FAIL_BACKEND);
		return;
	}
	size_t id_len = strlen(s->identity);
	if (s->type == DS_EAP_TYPE_AKA_PRIME) {
		uint8_t ckp[16], ikp[16];
		rc = ds_aka_prime_ck_ik(ck, ik, srv->net_name, srv->net_len, autn, ckp, ikp);
		if (!rc)
			rc = ds_aka_prime_derive(&s->keys, s->identity, id_len, ikp, ckp);
		OPENSSL_cleanse(ckp, sizeof ckp);
		OPENSSL_cleanse(ikp, sizeof ikp);
	} else {
		rc = ds_aka_derive(&s->keys, s->identity, id_len, ik, ck);
	}
	OPENSSL_cleanse(ck, sizeof ck);
	OPENSSL_cleanse(ik, sizeof ik);
	uint8_t cc[32];
	size_t cc_len = 0;
	if (rc || ds_aka_cc_value(&s->cc, cc, &cc_len)) {
		fail_general(s, DS_EAP_FAIL_BACKEND);
		return;
	}
	uint8_t pkt[DS_EAP_MAX_MSG];
	ds_aka_builder b;
	s->id++;
	ds_aka_begin(&b, pkt, sizeof pkt, DS_EAP_CODE_REQUEST, s->id, s->type, DS_AKA_CHALLENGE);
	ds_aka_put_reserved(&b, DS_AT_RAND, s->rand, 16);
	ds_aka_put_reserved(&b, DS_AT_AUTN, autn, 16);
	if (s->type == DS_EAP_TYPE_AKA_PRIME) {
		ds_aka_put_lv(&b, DS_AT_KDF_INPUT, srv->net_name, srv->net_len);
		ds_aka_put_u16(&b, DS_AT_KDF, DS_AKA_KDF_PRIME);
	} else {
		ds_aka_put_u16(&b, DS_AT_BIDDING, srv->bidding ? DS_AKA_BIDDING_D : 0);
	}
	ds_aka_put_reserved(&b, DS_AT_CHECKCODE, cc, cc_len);
	if (srv->result_ind)
		ds_aka_put_u16(&b, DS_AT_RESULT_IND, 0);
	ds_aka_put_mac(&b);
	int n = ds_aka_finish(&b);
	if (n < 0 || ds_aka_mac_sign(&s->keys, pkt, (size_t)n, b.mac_off)) {
		fail_general(s, DS_EAP_FAIL_BACKEND);
		return;
	}
	s->st = SS_CHALLENGE;
	s->done(s->cb_ctx, DS_EAP_CONTINUE, pkt, (size_t)n, NULL, 0);
}

/* Resolve the permanent identity to a subscriber, then challenge. */
static void use_identity(aka_session *s, const char *nai, size_t len)
{
	ds_eap_aka_server *srv = s->srv;
	ds_nai_id id;
	if (ds_nai_parse(nai, len, &id)) {
		srv->ctr.unknown_users++;
		SLOG(srv, DS_LOG_NOTICE, "eap-aka server: '%.*s' is not a permanent EPC NAI",
		     (int)DS_MIN(len, 64u), nai);
		fail_general(s, DS_EAP_FAIL_UNKNOWN_USER);
		return;
	}
	memcpy(s->identity, nai, len);
	s->identity[len] = '\0';
	int rc = ds_subdb_get(srv->db, id.imsi, &s->sub);
	if (rc) {
		if (rc == DS_E_NOTFOUND)
			srv->ctr.unknown_users++;
		else
			srv->ctr.db_errors++;
		SLOG(srv, DS_LOG_NOTICE, "eap-aka server: IMSI %s: %s", id.imsi, ds_strerror(rc));
		fail_general(s, rc == DS_E_NOTFOUND ? DS_EAP_FAIL_UNKNOWN_USER : DS_EAP_FAIL_BACKEND);
		return;
	}
	send_challenge(s);
}

static void request_identity(aka_session *s)
{
	ds_aka_builder b;
	s->id++;
	ds_aka_begin(&b, s->req, sizeof s->req, DS_EAP_CODE_REQUEST, s->id, s->type,
		     DS_AKA_IDENTITY);
	ds_aka_put_u16(&b, DS_AT_PERMANENT_ID_REQ, 0);
	int n = ds_aka_finish(&b);
	if (n < 0) {
		send_failure(s, DS_EAP_FAIL_BACKEND);
		return;
	}
	s->req_len = (size_t)n;
	s->st = SS_IDENTITY;
	s->done(s->cb_ctx, DS_EAP_CONTINUE, s->req, s->req_len, NULL, 0);
}

/* ---- responses ---- */

static void on_identity(aka_session *s, const ds_aka_msg *m)
{
	if (s->st != SS_IDENTITY || !m->identity || m->identity_len == 0 ||
	    m->identity_len > DS_NAI_MAX) {
		fail_general(s, DS_EAP_FAIL_PROTOCOL);
		return;
	}
	/* cl. 10.13: the round enters the checkcode once the response matched the request */
	if (ds_aka_cc_add(&s->cc, s->req, s->req_len) || ds_aka_cc_add(&s->cc, m->pkt, m->pkt_len)) {
		fail_general(s, DS_EAP_FAIL_BACKEND);
		return;
	}
	use_identity(s, (const char *)m->identity, m->identity_len);
}

static void send_success(aka_session *s)
{
	uint8_t pkt[4];
	int n = ds_eap_build_result(pkt, sizeof pkt, DS_EAP_CODE_SUCCESS, s->id);
	finish(s, DS_EAP_SUCCESS, pkt, (size_t)n, true);
}

static void on_challenge(aka_session *s, const ds_aka_msg *m)
{
	ds_eap_aka_server *srv = s->srv;
	if (s->st != SS_CHALLENGE) {
		fail_general(s, DS_EAP_FAIL_PROTOCOL);
		return;
	}
	if (s->type == DS_EAP_TYPE_AKA_PRIME && m->n_kdf > 0) {
		/* RFC 9048 cl. 3.2: only KDF 1 was offered, and it was first: a peer asking for
		 * another one (or for the first) is treated as a wrong AT_MAC */
		srv->ctr.auth_failures++;
		fail_general(s, DS_EAP_FAIL_AUTH);
		return;
	}
	/* cl. 10.15: AT_MAC first */
	if (!m->mac || ds_aka_mac_verify(&s->keys, m->pkt, m->pkt_len, m->mac_off) != DS_OK) {
		srv->ctr.auth_failures++;
		SLOG(srv, DS_LOG_WARN, "eap-aka server: %s: bad AT_MAC in challenge response",
		     s->sub.imsi);
		fail_general(s, DS_EAP_FAIL_AUTH);
		return;
	}
	/* RES: same length and value, compared in constant time */
	if (!m->res || m->res_bits != 64 || CRYPTO_memcmp(m->res, s->xres, 8)) {
		srv->ctr.auth_failures++;
		SLOG(srv, DS_LOG_WARN, "eap-aka server: %s: RES does not match", s->sub.imsi);
		fail_general(s, DS_EAP_FAIL_AUTH);
		return;
	}
	if (ds_aka_has(m, DS_AT_CHECKCODE)) {
		uint8_t cc[32];
		size_t cc_len = 0;
		if (ds_aka_cc_value(&s->cc, cc, &cc_len) || m->checkcode_len != cc_len ||
		    CRYPTO_memcmp(cc, m->checkcode, cc_len)) {
			srv->ctr.auth_failures++;
			SLOG(srv, DS_LOG_WARN, "eap-aka server: %s: AT_CHECKCODE mismatch",
			     s->sub.imsi);
			fail_general(s, DS_EAP_FAIL_PROTOCOL);
			return;
		}
	}
	/* authenticated: now the authorisation for the PDN connection (APN from IDr) */
	int ok = ds_subdb_apn_allowed(srv->db, s->sub.imsi, s->apn);
	if (ok != 1) {
		if (ok < 0)
			srv->ctr.db_errors++;
		else
			srv->ctr.apn_rejects++;
		SLOG(srv, DS_LOG_NOTICE, "eap-aka server: %s not allowed to use APN '%s'",
		     s->sub.imsi, s->apn);
		notify(s, ok < 0 ? DS_EAP_FAIL_BACKEND : DS_EAP_FAIL_APN_NOT_ALLOWED,
			    ok < 0 ? DS_AKA_NOTIF_GENERAL_FAILURE_AFTER_AUTH
				   : DS_AKA_NOTIF_NOT_SUBSCRIBED);
		return;
	}
	if (srv->result_ind && ds_aka_has(m, DS_AT_RESULT_IND)) {
		/* cl. 6.2: both asked for result indications: protected "Success" first */
		notify(s, DS_EAP_FAIL_NONE, DS_AKA_NOTIF_SUCCESS);
		return;
	}
	send_success(s);
}

/* TS 33.102 cl. 6.3.5: recover SQN_MS from AUTS, check MAC-S, reset SQN_HE, new vector. */
static void on_sync_failure(aka_session *s, const ds_aka_msg *m)
{
	ds_eap_aka_server *srv = s->srv;
	static const uint8_t amf0[2] = { 0, 0 };
	if (s->st != SS_CHALLENGE || !m->auts || ++s->resyncs > MAX_RESYNCS) {
		srv->ctr.resync_failures++;
		fail_general(s, DS_EAP_FAIL_SYNC);
		return;
	}
	/* RFC 9048 cl. 3.2: the AT_KDF list must be the one of the challenge */
	if (s->type == DS_EAP_TYPE_AKA_PRIME && (m->n_kdf != 1 || m->kdf[0] != DS_AKA_KDF_PRIME)) {
		srv->ctr.resync_failures++;
		fail_general(s, DS_EAP_FAIL_AUTH);
		return;
	}
	uint8_t ak_s[6], sqn_ms[6], mac_s[8];
	int rc = ds_milenage_f2345(s->sub.k, s->sub.opc, s->rand, NULL, NULL, NULL, NULL, ak_s);
	for (int i = 0; i < 6; i++)
		sqn_ms[i] = m->auts[i] ^ ak_s[i];
	if (!rc)
		rc = ds_milenage_f1(s->sub.k, s->sub.opc, s->rand, sqn_ms, amf0, NULL, mac_s);
	if (rc || CRYPTO_memcmp(mac_s, m->auts + 6, 8)) {
		srv->ctr.resync_failures++;
		SLOG(srv, DS_LOG_WARN, "eap-aka server: %s: AUTS with a wrong MAC-S", s->sub.imsi);
		fail_general(s, DS_EAP_FAIL_SYNC);
		return;
	}
	rc = ds_subdb_set_sqn(srv->db, s->sub.imsi, ds_sqn_get(sqn_ms));
	if (rc) {
		srv->ctr.db_errors++;
		fail_general(s, DS_EAP_FAIL_BACKEND);
		return;
	}
	srv->ctr.resyncs++;
	SLOG(srv, DS_LOG_INFO, "eap-aka server: %s: SQN resynchronised to %012llx", s->sub.imsi,
	     (unsigned long long)ds_sqn_get(sqn_ms));
	ds_aka_keys_wipe(&s->keys);
	send_challenge(s);
}

static void on_notification(aka_session *s, const ds_aka_msg *m)
{
	if (s->st != SS_NOTIFY) {
		fail_general(s, DS_EAP_FAIL_PROTOCOL);
		return;
	}
	/* cl. 9.11: a response to a P = 0 notification must carry a valid AT_MAC; either way the
	 * exchange ends in failure, so a bad MAC is only logged */
	if (s->notify_mac && (!m->mac || ds_aka_mac_verify(&s->keys, m->pkt, m->pkt_len,
							   m->mac_off) != DS_OK))
		SLOG(s->srv, DS_LOG_NOTICE, "eap-aka server: notification response without valid MAC");
	send_failure(s, s->reason);
}

static int sess_input(ds_eap_session *base, const uint8_t *eap, size_t len)
{
	aka_session *s = DS_CONTAINER_OF(base, aka_session, base);
	ds_eap_aka_server *srv = s->srv;
	ds_eap_pkt e;
	srv->msgs++;
	int rc = ds_eap_parse(eap, len, &e);
	if (rc || e.code != DS_EAP_CODE_RESPONSE || s->st == SS_DONE || e.id != s->id) {
		/* RFC 3748 cl. 4.1: responses that do not match the outstanding request are
		 * silently discarded */
		srv->ctr.rx_dropped++;
		SLOG(srv, DS_LOG_NOTICE, "eap-aka server: response discarded (%s)",
		     rc ? ds_strerror(rc) : s->st == SS_DONE ? "session ended" : "unexpected");
		return rc ? rc : DS_E_STATE;
	}
	len = e.len;
	if (s->st == SS_NOTIFY && s->notify_success) {
		/* cl. 6.2: whatever the response to "Success", EAP-Success is next */
		send_success(s);
		return DS_OK;
	}
	if (e.type == DS_EAP_TYPE_NAK) {
		/* the peer refuses this method and we offer no other (RFC 3748 cl. 5.3.1) */
		SLOG(srv, DS_LOG_NOTICE, "eap-aka server: peer refused EAP type %u", s->type);
		send_failure(s, DS_EAP_FAIL_PROTOCOL);
		return DS_OK;
	}
	if (e.type != s->type) {
		srv->ctr.rx_malformed++;
		fail_general(s, DS_EAP_FAIL_PROTOCOL);
		return DS_OK;
	}
	ds_aka_msg m;
	rc = ds_aka_parse(eap, len, &m);
	if (rc) {
		srv->ctr.rx_malformed++;
		SLOG(srv, DS_LOG_NOTICE, "eap-aka server: malformed response (%s)", ds_strerror(rc));
		fail_general(s, DS_EAP_FAIL_PROTOCOL);
		return DS_OK;
	}
	switch (m.subtype) {
	case DS_AKA_IDENTITY:
		on_identity(s, &m);
		break;
	case DS_AKA_CHALLENGE:
		on_challenge(s, &m);
		break;
	case DS_AKA_SYNC_FAILURE:
		on_sync_failure(s, &m);
		break;
	case DS_AKA_AUTH_REJECT:
		/* cl. 6.3.3 case 2 */
		srv->ctr.peer_rejects++;
		SLOG(srv, DS_LOG_WARN, "eap-aka server: peer %s rejected the network",
		     s->identity[0] ? s->identity : "?");
		send_failure(s, DS_EAP_FAIL_PEER_REJECT);
		break;
	case DS_AKA_CLIENT_ERROR:
		/* cl. 6.3.3 case 1 */
		srv->ctr.client_errors++;
		SLOG(srv, DS_LOG_NOTICE, "eap-aka server: client error %u", m.client_error);
		send_failure(s, DS_EAP_FAIL_PROTOCOL);
		break;
	case DS_AKA_NOTIFICATION:
		on_notification(s, &m);
		break;
	default:
		srv->ctr.rx_malformed++;
		fail_general(s, DS_EAP_FAIL_PROTOCOL);
		break;
	}
	return DS_OK;
}

static ds_eap_session *sess_start(void *backend, const char *nai, const char *apn,
				  ds_eap_done_fn done, void *cb_ctx)
{
	ds_eap_aka_server *srv = backend;
	aka_session *s = OPENSSL_zalloc(sizeof *s);
	if (!s)
		return NULL;
	s->base.ops = &ds_eap_aka_server_ops;
	s->srv = srv;
	s->done = done;
	s->cb_ctx = cb_ctx;
	s->type = srv->prime ? DS_EAP_TYPE_AKA_PRIME : DS_EAP_TYPE_AKA;
	if (ds_aka_cc_init(&s->cc, srv->prime) || srv_random(srv, &s->id, 1)) {
		ds_aka_cc_free(&s->cc);
		OPENSSL_free(s);
		return NULL;
	}
	if (apn && strlen(apn) <= DS_APN_MAX)
		strcpy(s->apn, apn);
	srv->ctr.sessions++;
	size_t len = nai ? strlen(nai) : 0;
	ds_nai_id id;
	if (!srv->always_identity && len && ds_nai_parse(nai, len, &id) == DS_OK)
		use_identity(s, nai, len);
	else
		request_identity(s);  /* cl. 4.1.4: pseudonym or unknown format */
	return &s->base;
}

static void sess_free(ds_eap_session *base)
{
	if (!base)
		return;
	aka_session *s = DS_CONTAINER_OF(base, aka_session, base);
	ds_aka_cc_free(&s->cc);
	OPENSSL_clear_free(s, sizeof *s);
}

static int sess_reason(ds_eap_session *base)
{
	return DS_CONTAINER_OF(base, aka_session, base)->reason;
}

const ds_eap_backend_ops ds_eap_aka_server_ops = {
	.start = sess_start,
	.input = sess_input,
	.free = sess_free,
	.reason = sess_reason,
};

ds_eap_aka_server *ds_eap_aka_server_new(const ds_eap_aka_server_cfg *cfg)
{
	const char *net = cfg->network_name ? cfg->network_name : "WLAN";
	if (!cfg->db || strlen(net) == 0 || strlen(net) >= sizeof(((ds_eap_aka_server *)0)->net_name))
		return NULL;
	ds_eap_aka_server *srv = calloc(1, sizeof *srv);
	if (!srv)
		return NULL;
	srv->db = cfg->db;
	srv->prime = cfg->aka_prime;
	srv->bidding = cfg->bidding_prime;
	srv->net_len = strlen(net);
	memcpy(srv->net_name, net, srv->net_len);
	srv->always_identity = cfg->always_request_identity;
	srv->result_ind = cfg->result_ind;
	srv->rng = cfg->rng;
	srv->rng_ctx = cfg->rng_ctx;
	srv->log = cfg->log;
	srv->rl = (ds_ratelimit)DS_RATELIMIT_INIT(1000, 20);  /* 20 lines per 1000 messages */
	return srv;
}

void ds_eap_aka_server_free(ds_eap_aka_server *srv)
{
	free(srv);
}

ds_eap_backend ds_eap_aka_server_backend(ds_eap_aka_server *srv)
{
	ds_eap_backend b = { &ds_eap_aka_server_ops, srv };
	return b;
}

const ds_eap_aka_server_counters *ds_eap_aka_server_counters_get(const ds_eap_aka_server *srv)
{
	return &srv->ctr;
}
