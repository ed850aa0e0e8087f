/* EAP-AKA / EAP-AKA' peer (UE) against the embedded server (HA back end) in one process:
 * success, wrong K, unknown IMSI, APN not allowed, SQN out of range with AUTS resynchronisation,
 * tampered AT_MAC in both directions, AKA-Identity round with AT_CHECKCODE, retransmission,
 * replay, bidding down, KDF negotiation and Nak. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/err.h"
#include "crypto/milenage.h"
#include "eap/eap_aka_attr.h"
#include "eap/eap_aka_keys.h"
#include "eap/eap_aka_peer.h"
#include "eap/eap_aka_server.h"
#include "eap/eap_msg.h"
#include "eap/subscriber_db.h"
#include "eap/usim.h"
#include "test_hex.h"

#define IMSI "001010123456789"
#define NAI "0001010123456789@nai.epc.mnc001.mcc001.3gppnetwork.org"
#define NAI_PRIME "6001010123456789@nai.epc.mnc001.mcc001.3gppnetwork.org"
#define APN "internet"

typedef struct world {
	ds_subdb *db;
	ds_eap_aka_server *srv;
	ds_eap_backend be;
	ds_eap_session *sess;
	ds_eap_peer *peer;
	/* last server output */
	int status, calls;
	uint8_t pkt[DS_EAP_MAX_MSG];
	size_t len;
	uint8_t msk[64];
	bool have_msk;
	/* peer side */
	int peer_status;
	uint8_t peer_msk[64];
	/* optional tampering of server -> peer or peer -> server messages */
	void (*tamper_down)(uint8_t *p, size_t len, int round);
	void (*tamper_up)(uint8_t *p, size_t len, int round);
} world;

static uint8_t K[16], OPC[16];

static void on_done(void *ctx, int status, const uint8_t *eap, size_t len, const uint8_t *msk,
		    size_t msk_len)
{
	world *w = ctx;
	w->status = status;
	w->calls++;
	assert_true(len <= sizeof w->pkt);
	memcpy(w->pkt, eap, len);
	w->len = len;
	w->have_msk = msk != NULL;
	if (msk) {
		assert_int_equal(msk_len, 64);
		memcpy(w->msk, msk, 64);
	}
}

static void world_init(world *w, bool prime, uint64_t server_sqn, const char *const *apns,
		       size_t n_apns)
{
	memset(w, 0, sizeof *w);
	assert_int_equal(ds_subdb_open(":memory:", &w->db), DS_OK);
	ds_subscriber s = { .imsi = IMSI, .amf = 0x8000, .sqn = server_sqn };
	memcpy(s.k, K, 16);
	memcpy(s.opc, OPC, 16);
	assert_int_equal(ds_subdb_add(w->db, &s, apns, n_apns), DS_OK);
	ds_eap_aka_server_cfg cfg = { .db = w->db, .aka_prime = prime, .network_name = "WLAN" };
	w->srv = ds_eap_aka_server_new(&cfg);
	assert_non_null(w->srv);
	w->be = ds_eap_aka_server_backend(w->srv);
}

static ds_eap_peer *make_peer(const char *nai, const uint8_t *k, uint64_t sqn_ms, bool prime,
			      bool prefer)
{
	/* age limit L = 32 SEQ steps: an AuC far behind the USIM gets resynchronised */
	ds_eap_aka_peer_cfg c = { .identity = nai, .sqn_ms = sqn_ms, .aka_prime = prime,
				  .sqn_age_limit = 32,
				  .prefer_aka_prime = prefer, .network_name = "WLAN",
				  .network_name_strict = true };
	memcpy(c.k, k, 16);
	memcpy(c.opc, OPC, 16);
	ds_eap_peer *p = ds_eap_aka_peer_new(&c);
	assert_non_null(p);
	return p;
}

/* Runs the conversation to its end; returns the number of server requests. */
static int run(world *w, const char *nai, const char *apn)
{
	int rounds = 0;
	w->sess = w->be.ops->start(w->be.backend, nai, apn, on_done, w);
	assert_non_null(w->sess);
	for (;;) {
		assert_true(w->calls > 0);
		uint8_t down[DS_EAP_MAX_MSG], up[DS_EAP_MAX_MSG];
		size_t dlen = w->len, ulen = 0;
		memcpy(down, w->pkt, dlen);
		if (w->tamper_down)
			w->tamper_down(down, dlen, rounds);
		int st = w->status;
		w->peer_status = ds_eap_aka_peer_ops.input(w->peer, down, dlen, up, &ulen);
		if (st != DS_EAP_CONTINUE)
			break;
		assert_int_equal(w->peer_status, DS_EAP_CONTINUE);
		assert_true(ulen > 0);
		if (w->tamper_up)
			w->tamper_up(up, ulen, rounds);
		int calls = w->calls;
		assert_int_equal(w->be.ops->input(w->sess, up, ulen), DS_OK);
		assert_int_equal(w->calls, calls + 1);  /* synchronous answer */
		rounds++;
		assert_true(rounds < 10);
	}
	if (w->peer_status == DS_EAP_SUCCESS)
		assert_int_equal(ds_eap_aka_peer_ops.msk(w->peer, w->peer_msk), DS_OK);
	else
		assert_int_equal(ds_eap_aka_peer_ops.msk(w->peer, w->peer_msk), DS_E_STATE);
	return rounds;
}

static void world_free(world *w)
{
	if (w->sess)
		w->be.ops->free(w->sess);
	ds_eap_aka_peer_ops.free(w->peer);
	ds_eap_aka_server_free(w->srv);
	ds_subdb_close(w->db);
}

static const char *apn_list[] = { APN };

static int setup(void **s)
{
	(void)s;
	HEX(K, "465b5ce8b199b49faa5f0a2ee238a6bc");
	HEX(OPC, "cd63cb71954a9f4e48a5994e37a02baf");
	return 0;
}

static void check_success(world *w)
{
	assert_int_equal(w->status, DS_EAP_SUCCESS);
	assert_int_equal(w->peer_status, DS_EAP_SUCCESS);
	assert_true(w->have_msk);
	assert_memory_equal(w->msk, w->peer_msk, 64);
	assert_int_equal(w->be.ops->reason(w->sess), DS_EAP_FAIL_NONE);
	assert_int_equal(ds_eap_aka_server_counters_get(w->srv)->successes, 1);
}

static void aka_success(void **s)
{
	(void)s;
	world w;
	world_init(&w, false, 0x20, apn_list, 1);
	w.peer = make_peer(NAI, K, 0, false, false);
	assert_int_equal(run(&w, NAI, APN), 1);  /* one challenge round */
	check_success(&w);
	/* the USIM accepted the SQN the AuC handed out */
	ds_subscriber sub;
	assert_int_equal(ds_subdb_get(w.db, IMSI, &sub), DS_OK);
	assert_int_equal(ds_usim_sqn_ms(ds_eap_aka_peer_usim(w.peer)), sub.sqn);
	world_free(&w);
}

static void aka_prime_success(void **s)
{
	(void)s;
	world w;
	world_init(&w, true, 0x20, apn_list, 1);
	w.peer = make_peer(NAI_PRIME, K, 0, true, true);
	assert_int_equal(run(&w, NAI_PRIME, APN), 1);
	check_success(&w);
	world_free(&w);
}

static void wrong_k_is_rejected(void **s)
{
	(void)s;
	world w;
	uint8_t k2[16];
	memcpy(k2, K, 16);
	k2[0] ^= 0x01;
	world_init(&w, false, 0x20, apn_list, 1);
	w.peer = make_peer(NAI, k2, 0, false, false);
	run(&w, NAI, APN);
	assert_int_equal(w.status, DS_EAP_FAILURE);
	assert_int_equal(w.peer_status, DS_EAP_FAILURE);
	assert_false(w.have_msk);
	/* the USIM finds MAC-A wrong: AKA-Authentication-Reject, then EAP-Failure */
	assert_int_equal(w.be.ops->reason(w.sess), DS_EAP_FAIL_PEER_REJECT);
	assert_int_equal(ds_eap_aka_peer_reason(w.peer), DS_EAP_FAIL_PEER_REJECT);
	assert_int_equal(ds_eap_aka_peer_counters_get(w.peer)->auth_rejects, 1);
	assert_int_equal(w.pkt[0], DS_EAP_CODE_FAILURE);
	world_free(&w);
}

static void unknown_imsi_fails(void **s)
{
	(void)s;
	world w;
	const char *other = "0001010000000001@nai.epc.mnc001.mcc001.3gppnetwork.org";
	world_init(&w, false, 0x20, apn_list, 1);
	w.peer = make_peer(other, K, 0, false, false);
	assert_int_equal(run(&w, other, APN), 1);  /* notification round, then failure */
	assert_int_equal(w.status, DS_EAP_FAILURE);
	assert_int_equal(w.peer_status, DS_EAP_FAILURE);
	assert_int_equal(w.be.ops->reason(w.sess), DS_EAP_FAIL_UNKNOWN_USER);
	assert_int_equal(ds_eap_aka_peer_notification(w.peer), DS_AKA_NOTIF_GENERAL_FAILURE);
	assert_int_equal(ds_eap_aka_server_counters_get(w.srv)->unknown_users, 1);
	world_free(&w);
}

static void apn_not_allowed(void **s)
{
	(void)s;
	world w;
	world_init(&w, false, 0x20, apn_list, 1);
	w.peer = make_peer(NAI, K, 0, false, false);
	assert_int_equal(run(&w, NAI, "corporate.example"), 2);  /* challenge, notification */
	assert_int_equal(w.status, DS_EAP_FAILURE);
	assert_int_equal(w.peer_status, DS_EAP_FAILURE);
	assert_false(w.have_msk);
	assert_int_equal(w.be.ops->reason(w.sess), DS_EAP_FAIL_APN_NOT_ALLOWED);
	/* the peer learnt why, from a MAC-protected notification (P = 0) */
	assert_int_equal(ds_eap_aka_peer_notification(w.peer), DS_AKA_NOTIF_NOT_SUBSCRIBED);
	assert_int_equal(ds_eap_aka_peer_reason(w.peer), DS_EAP_FAIL_APN_NOT_ALLOWED);
	assert_int_equal(ds_eap_aka_server_counters_get(w.srv)->apn_rejects, 1);
	world_free(&w);
}

/* The USIM has seen a higher SQN than the AuC now uses: AUTS, resynchronisation, success. */
static void sqn_resync_then_success(void **s)
{
	(void)s;
	world w;
	world_init(&w, false, 0x20, apn_list, 1);
	uint64_t usim_sqn = (5000ull << 5) | 3;
	w.peer = make_peer(NAI, K, usim_sqn, false, false);
	assert_int_equal(run(&w, NAI, APN), 2);  /* sync failure, then the new challenge */
	check_success(&w);
	assert_int_equal(ds_eap_aka_server_counters_get(w.srv)->resyncs, 1);
	assert_int_equal(ds_eap_aka_peer_counters_get(w.peer)->sync_failures, 1);
	ds_subscriber sub;
	assert_int_equal(ds_subdb_get(w.db, IMSI, &sub), DS_OK);
	assert_int_equal(sub.sqn >> 5, 5001);  /* SQN_MS + 1 */
	world_free(&w);
}

/* The AuC is more than Delta ahead (TS 33.102 C.2.2): the USIM refuses, the AuC goes back. */
static void sqn_beyond_delta_resyncs(void **s)
{
	(void)s;
	world w;
	world_init(&w, true, ((1ull << 29) << 5), apn_list, 1);
	w.peer = make_peer(NAI_PRIME, K, 0x40, true, true);
	assert_int_equal(run(&w, NAI_PRIME, APN), 2);
	check_success(&w);
	world_free(&w);
}

static void flip_mac_down(uint8_t *p, size_t len, int round)
{
	ds_aka_msg m;
	if (round == 0 && ds_aka_parse(p, len, &m) == DS_OK && m.mac)
		p[m.mac_off + 3] ^= 0x40;
}

static void tampered_mac_to_peer(void **s)
{
	(void)s;
	world w;
	world_init(&w, false, 0x20, apn_list, 1);
	w.peer = make_peer(NAI, K, 0, false, false);
	w.tamper_down = flip_mac_down;
	run(&w, NAI, APN);
	assert_int_equal(w.status, DS_EAP_FAILURE);
	assert_int_equal(w.peer_status, DS_EAP_FAILURE);
	assert_int_equal(ds_eap_aka_peer_counters_get(w.peer)->mac_failures, 1);
	assert_int_equal(ds_eap_aka_peer_counters_get(w.peer)->client_errors, 1);
	assert_int_equal(w.be.ops->reason(w.sess), DS_EAP_FAIL_PROTOCOL);
	world_free(&w);
}

static void flip_mac_up(uint8_t *p, size_t len, int round)
{
	ds_aka_msg m;
	if (round == 0 && ds_aka_parse(p, len, &m) == DS_OK && m.mac)
		p[m.mac_off] ^= 0x01;
}

static void tampered_mac_to_server(void **s)
{
	(void)s;
	world w;
	world_init(&w, false, 0x20, apn_list, 1);
	w.peer = make_peer(NAI, K, 0, false, false);
	w.tamper_up = flip_mac_up;
	run(&w, NAI, APN);
	assert_int_equal(w.status, DS_EAP_FAILURE);
	assert_int_equal(w.peer_status, DS_EAP_FAILURE);
	assert_int_equal(w.be.ops->reason(w.sess), DS_EAP_FAIL_AUTH);
	assert_int_equal(ds_eap_aka_server_counters_get(w.srv)->auth_failures, 1);
	world_free(&w);
}

/* IDi is not a permanent NAI: the server asks with AT_PERMANENT_ID_REQ; the identity round is
 * then covered by AT_CHECKCODE in both directions. */
static void identity_round_with_checkcode(void **s)
{
	(void)s;
	world w;
	world_init(&w, false, 0x20, apn_list, 1);
	w.peer = make_peer(NAI, K, 0, false, false);
	assert_int_equal(run(&w, "pseudonym@example.net", APN), 2);
	check_success(&w);
	world_free(&w);
}

static void corrupt_identity_response(uint8_t *p, size_t len, int round)
{
	/* change one padding-free octet of AT_IDENTITY in the AKA-Identity response, keeping
	 * the NAI valid by swapping the case of a realm letter */
	(void)len;
	if (round == 0)
		for (size_t i = 0; i < len; i++)
			if (p[i] == 'n' && i + 2 < len && p[i + 1] == 'a' && p[i + 2] == 'i') {
				p[i] = 'N';
				break;
			}
}

static void checkcode_detects_changed_identity_round(void **s)
{
	(void)s;
	world w;
	world_init(&w, false, 0x20, apn_list, 1);
	w.peer = make_peer(NAI, K, 0, false, false);
	w.tamper_up = corrupt_identity_response;
	run(&w, "pseudonym@example.net", APN);
	/* the server hashed what it received, the peer what it sent: AT_CHECKCODE differs and
	 * the peer refuses the challenge */
	assert_int_equal(w.status, DS_EAP_FAILURE);
	assert_int_equal(w.peer_status, DS_EAP_FAILURE);
	assert_int_equal(ds_eap_aka_peer_reason(w.peer), DS_EAP_FAIL_PROTOCOL);
	world_free(&w);
}

/* A retransmitted challenge gets the cached response; the USIM runs once. */
static void retransmission_and_replay(void **s)
{
	(void)s;
	world w;
	world_init(&w, false, 0x20, apn_list, 1);
	w.peer = make_peer(NAI, K, 0, false, false);
	w.sess = w.be.ops->start(w.be.backend, NAI, APN, on_done, &w);
	uint8_t chal[DS_EAP_MAX_MSG], r1[DS_EAP_MAX_MSG], r2[DS_EAP_MAX_MSG];
	size_t clen = w.len, l1, l2;
	memcpy(chal, w.pkt, clen);
	assert_int_equal(ds_eap_aka_peer_ops.input(w.peer, chal, clen, r1, &l1), DS_EAP_CONTINUE);
	assert_int_equal(ds_eap_aka_peer_ops.input(w.peer, chal, clen, r2, &l2), DS_EAP_CONTINUE);
	assert_int_equal(l1, l2);
	assert_memory_equal(r1, r2, l1);
	assert_int_equal(ds_eap_aka_peer_usim(w.peer)->accepted, 1);
	assert_int_equal(ds_eap_aka_peer_counters_get(w.peer)->retransmits, 1);
	/* a response with a stale Identifier is discarded by the server without an answer */
	uint8_t stale[DS_EAP_MAX_MSG];
	memcpy(stale, r1, l1);
	stale[1] ^= 0xff;
	int calls = w.calls;
	assert_int_equal(w.be.ops->input(w.sess, stale, l1), DS_E_STATE);
	assert_int_equal(w.calls, calls);
	assert_int_equal(w.be.ops->input(w.sess, r1, l1), DS_OK);
	assert_int_equal(w.status, DS_EAP_SUCCESS);
	/* the same challenge replayed to a fresh run of the same USIM: SQN not fresh */
	ds_eap_aka_peer_reset(w.peer);
	chal[1] ^= 0x55;  /* a new Identifier, so it is not taken as a retransmission */
	assert_int_equal(ds_eap_aka_peer_ops.input(w.peer, chal, clen, r1, &l1), DS_EAP_CONTINUE);
	ds_aka_msg m;
	assert_int_equal(ds_aka_parse(r1, l1, &m), DS_OK);
	assert_int_equal(m.subtype, DS_AKA_SYNC_FAILURE);
	assert_non_null(m.auts);
	world_free(&w);
}

/* RFC 9048 cl. 4: the server could do AKA' (D bit), so a peer preferring AKA' aborts AKA. */
static void bidding_down_detected(void **s)
{
	(void)s;
	world w;
	memset(&w, 0, sizeof w);
	assert_int_equal(ds_subdb_open(":memory:", &w.db), DS_OK);
	ds_subscriber sub = { .imsi = IMSI, .amf = 0x8000, .sqn = 0x20 };
	memcpy(sub.k, K, 16);
	memcpy(sub.opc, OPC, 16);
	assert_int_equal(ds_subdb_add(w.db, &sub, apn_list, 1), DS_OK);
	ds_eap_aka_server_cfg cfg = { .db = w.db, .bidding_prime = true };
	w.srv = ds_eap_aka_server_new(&cfg);
	w.be = ds_eap_aka_server_backend(w.srv);
	w.peer = make_peer(NAI, K, 0, true, true);
	run(&w, NAI, APN);
	assert_int_equal(w.status, DS_EAP_FAILURE);
	assert_int_equal(ds_eap_aka_peer_reason(w.peer), DS_EAP_FAIL_PEER_REJECT);
	world_free(&w);
	/* the same server with a peer that does not prefer AKA' succeeds */
	memset(&w, 0, sizeof w);
	assert_int_equal(ds_subdb_open(":memory:", &w.db), DS_OK);
	assert_int_equal(ds_subdb_add(w.db, &sub, apn_list, 1), DS_OK);
	cfg.db = w.db;
	w.srv = ds_eap_aka_server_new(&cfg);
	w.be = ds_eap_aka_server_backend(w.srv);
	w.peer = make_peer(NAI, K, 0, true, false);
	run(&w, NAI, APN);
	check_success(&w);
	world_free(&w);
}

/* An EAP-AKA' server and a peer without AKA': the peer Naks, the server fails. */
static void nak_when_method_unsupported(void **s)
{
	(void)s;
	world w;
	world_init(&w, true, 0x20, apn_list, 1);
	w.peer = make_peer(NAI_PRIME, K, 0, false, false);
	run(&w, NAI_PRIME, APN);
	assert_int_equal(w.status, DS_EAP_FAILURE);
	assert_int_equal(w.be.ops->reason(w.sess), DS_EAP_FAIL_PROTOCOL);
	assert_int_equal(ds_eap_aka_peer_counters_get(w.peer)->naks, 1);
	/* and an unknown method (MD5-Challenge, type 4) is Naked with AKA */
	ds_eap_peer *p = make_peer(NAI, K, 0, false, false);
	uint8_t md5[] = { 1, 9, 0, 6, 4, 0 }, out[DS_EAP_MAX_MSG];
	size_t n;
	assert_int_equal(ds_eap_aka_peer_ops.input(p, md5, sizeof md5, out, &n), DS_EAP_CONTINUE);
	assert_int_equal(n, 6);
	assert_memory_equal(out, ((uint8_t[]){ 2, 9, 0, 6, 3, 23 }), 6);
	/* EAP-Success before any challenge is refused (RFC 4187 cl. 6.3.4) */
	uint8_t succ[] = { 3, 9, 0, 4 };
	assert_int_equal(ds_eap_aka_peer_ops.input(p, succ, sizeof succ, out, &n), DS_EAP_FAILURE);
	ds_eap_aka_peer_ops.free(p);
	world_free(&w);
}

/* RFC 9048 cl. 3.2: a challenge offering KDF 2 first is answered with AT_KDF = 1 only; a
 * follow-up whose list is not exactly "1, then the old list" is refused. */
static void kdf_negotiation(void **s)
{
	(void)s;
	ds_eap_peer *p = make_peer(NAI_PRIME, K, 0, true, true);
	uint8_t pkt[256], out[DS_EAP_MAX_MSG], rand[16] = { 9 }, autn[16], xres[8], ck[16], ik[16];
	uint8_t sqn[6], amf[2] = { 0x80, 0 };
	ds_sqn_put(sqn, 0x21);
	assert_int_equal(ds_milenage_generate(K, OPC, rand, sqn, amf, autn, xres, ck, ik), DS_OK);
	ds_aka_builder b;
	ds_aka_begin(&b, pkt, sizeof pkt, DS_EAP_CODE_REQUEST, 1, DS_EAP_TYPE_AKA_PRIME,
		     DS_AKA_CHALLENGE);
	ds_aka_put_reserved(&b, DS_AT_RAND, rand, 16);
	ds_aka_put_reserved(&b, DS_AT_AUTN, autn, 16);
	ds_aka_put_lv(&b, DS_AT_KDF_INPUT, "WLAN", 4);
	ds_aka_put_u16(&b, DS_AT_KDF, 2);
	ds_aka_put_u16(&b, DS_AT_KDF, 1);
	ds_aka_put_mac(&b);
	int n = ds_aka_finish(&b);
	size_t olen;
	assert_int_equal(ds_eap_aka_peer_ops.input(p, pkt, (size_t)n, out, &olen), DS_EAP_CONTINUE);
	ds_aka_msg m;
	assert_int_equal(ds_aka_parse(out, olen, &m), DS_OK);
	assert_int_equal(m.subtype, DS_AKA_CHALLENGE);
	assert_int_equal(m.n_kdf, 1);
	assert_int_equal(m.kdf[0], 1);
	assert_null(m.mac);
	assert_null(m.res);
	assert_int_equal(ds_eap_aka_peer_usim(p)->accepted, 0);  /* nothing else processed */
	/* follow-up with the list 1, 1 (the "2" dropped): not the requested change */
	ds_aka_begin(&b, pkt, sizeof pkt, DS_EAP_CODE_REQUEST, 2, DS_EAP_TYPE_AKA_PRIME,
		     DS_AKA_CHALLENGE);
	ds_aka_put_reserved(&b, DS_AT_RAND, rand, 16);
	ds_aka_put_reserved(&b, DS_AT_AUTN, autn, 16);
	ds_aka_put_lv(&b, DS_AT_KDF_INPUT, "WLAN", 4);
	ds_aka_put_u16(&b, DS_AT_KDF, 1);
	ds_aka_put_u16(&b, DS_AT_KDF, 1);
	ds_aka_put_mac(&b);
	n = ds_aka_finish(&b);
	assert_int_equal(ds_eap_aka_peer_ops.input(p, pkt, (size_t)n, out, &olen), DS_EAP_CONTINUE);
	assert_int_equal(ds_aka_parse(out, olen, &m), DS_OK);
	assert_int_equal(m.subtype, DS_AKA_CLIENT_ERROR);
	ds_eap_aka_peer_ops.free(p);

	/* the proper follow-up "1, 2, 1" with a valid MAC completes */
	p = make_peer(NAI_PRIME, K, 0, true, true);
	ds_aka_begin(&b, pkt, sizeof pkt, DS_EAP_CODE_REQUEST, 1, DS_EAP_TYPE_AKA_PRIME,
		     DS_AKA_CHALLENGE);
	ds_aka_put_reserved(&b, DS_AT_RAND, rand, 16);
	ds_aka_put_reserved(&b, DS_AT_AUTN, autn, 16);
	ds_aka_put_lv(&b, DS_AT_KDF_INPUT, "WLAN", 4);
	ds_aka_put_u16(&b, DS_AT_KDF, 2);
	ds_aka_put_u16(&b, DS_AT_KDF, 1);
	ds_aka_put_mac(&b);
	n = ds_aka_finish(&b);
	assert_int_equal(ds_eap_aka_peer_ops.input(p, pkt, (size_t)n, out, &olen), DS_EAP_CONTINUE);
	uint8_t ckp[16], ikp[16];
	ds_aka_keys keys;
	assert_int_equal(ds_aka_prime_ck_ik(ck, ik, "WLAN", 4, autn, ckp, ikp), DS_OK);
	assert_int_equal(ds_aka_prime_derive(&keys, NAI_PRIME, strlen(NAI_PRIME), ikp, ckp), DS_OK);
	ds_aka_begin(&b, pkt, sizeof pkt, DS_EAP_CODE_REQUEST, 2, DS_EAP_TYPE_AKA_PRIME,
		     DS_AKA_CHALLENGE);
	ds_aka_put_reserved(&b, DS_AT_RAND, rand, 16);
	ds_aka_put_reserved(&b, DS_AT_AUTN, autn, 16);
	ds_aka_put_lv(&b, DS_AT_KDF_INPUT, "WLAN", 4);
	ds_aka_put_u16(&b, DS_AT_KDF, 1);
	ds_aka_put_u16(&b, DS_AT_KDF, 2);
	ds_aka_put_u16(&b, DS_AT_KDF, 1);
	ds_aka_put_mac(&b);
	n = ds_aka_finish(&b);
	assert_int_equal(ds_aka_mac_sign(&keys, pkt, (size_t)n, b.mac_off), DS_OK);
	assert_int_equal(ds_eap_aka_peer_ops.input(p, pkt, (size_t)n, out, &olen), DS_EAP_CONTINUE);
	assert_int_equal(ds_aka_parse(out, olen, &m), DS_OK);
	assert_int_equal(m.subtype, DS_AKA_CHALLENGE);
	assert_int_equal(m.res_bits, 64);
	assert_memory_equal(m.res, xres, 8);
	assert_int_equal(ds_aka_mac_verify(&keys, out, olen, m.mac_off), DS_OK);
	uint8_t succ[] = { 3, 2, 0, 4 }, msk[64];
	assert_int_equal(ds_eap_aka_peer_ops.input(p, succ, 4, out, &olen), DS_EAP_SUCCESS);
	assert_int_equal(ds_eap_aka_peer_ops.msk(p, msk), DS_OK);
	assert_memory_equal(msk, keys.msk, 64);
	ds_eap_aka_peer_ops.free(p);
}

/* EAP-AKA': a network name different from the peer's fails under the strict policy; a name
 * that only adds fields (prefix match of RFC 9048 cl. 3.1) is accepted. */
static void network_name_policy(void **s)
{
	(void)s;
	world w;
	memset(&w, 0, sizeof w);
	assert_int_equal(ds_subdb_open(":memory:", &w.db), DS_OK);
	ds_subscriber sub = { .imsi = IMSI, .amf = 0, .sqn = 0x20 };
	memcpy(sub.k, K, 16);
	memcpy(sub.opc, OPC, 16);
	assert_int_equal(ds_subdb_add(w.db, &sub, apn_list, 1), DS_OK);
	ds_eap_aka_server_cfg cfg = { .db = w.db, .aka_prime = true, .network_name = "WLAN:op" };
	w.srv = ds_eap_aka_server_new(&cfg);
	w.be = ds_eap_aka_server_backend(w.srv);
	w.peer = make_peer(NAI_PRIME, K, 0, true, true);  /* local name "WLAN" */
	run(&w, NAI_PRIME, APN);
	check_success(&w);  /* also: the server set the AMF separation bit itself (AMF 0 here) */
	world_free(&w);
	memset(&w, 0, sizeof w);
	assert_int_equal(ds_subdb_open(":memory:", &w.db), DS_OK);
	assert_int_equal(ds_subdb_add(w.db, &sub, apn_list, 1), DS_OK);
	cfg.db = w.db;
	cfg.network_name = "HRPD";
	w.srv = ds_eap_aka_server_new(&cfg);
	w.be = ds_eap_aka_server_backend(w.srv);
	w.peer = make_peer(NAI_PRIME, K, 0, true, true);
	run(&w, NAI_PRIME, APN);
	assert_int_equal(w.status, DS_EAP_FAILURE);
	assert_int_equal(ds_eap_aka_peer_reason(w.peer), DS_EAP_FAIL_PEER_REJECT);
	world_free(&w);
}

/* RFC 4187 cl. 6.2: with AT_RESULT_IND on both sides, a MAC-protected "Success" notification
 * precedes EAP-Success, and the peer refuses an EAP-Success that skips it. */
static void result_indications(void **s)
{
	(void)s;
	for (int peer_wants = 0; peer_wants < 2; peer_wants++) {
		world w;
		memset(&w, 0, sizeof w);
		assert_int_equal(ds_subdb_open(":memory:", &w.db), DS_OK);
		ds_subscriber sub = { .imsi = IMSI, .amf = 0x8000, .sqn = 0x20 };
		memcpy(sub.k, K, 16);
		memcpy(sub.opc, OPC, 16);
		assert_int_equal(ds_subdb_add(w.db, &sub, apn_list, 1), DS_OK);
		ds_eap_aka_server_cfg cfg = { .db = w.db, .result_ind = true };
		w.srv = ds_eap_aka_server_new(&cfg);
		w.be = ds_eap_aka_server_backend(w.srv);
		ds_eap_aka_peer_cfg pc = { .identity = NAI, .result_ind = peer_wants };
		memcpy(pc.k, K, 16);
		memcpy(pc.opc, OPC, 16);
		w.peer = ds_eap_aka_peer_new(&pc);
		/* with result indications: challenge + success notification rounds */
		assert_int_equal(run(&w, NAI, APN), peer_wants ? 2 : 1);
		check_success(&w);
		if (peer_wants)
			assert_int_equal(ds_eap_aka_peer_notification(w.peer), DS_AKA_NOTIF_SUCCESS);
		world_free(&w);
	}
	/* EAP-Success in place of the agreed "Success" notification is refused */
	world w;
	memset(&w, 0, sizeof w);
	assert_int_equal(ds_subdb_open(":memory:", &w.db), DS_OK);
	ds_subscriber sub = { .imsi = IMSI, .amf = 0x8000, .sqn = 0x20 };
	memcpy(sub.k, K, 16);
	memcpy(sub.opc, OPC, 16);
	assert_int_equal(ds_subdb_add(w.db, &sub, apn_list, 1), DS_OK);
	ds_eap_aka_server_cfg cfg = { .db = w.db, .result_ind = true };
	w.srv = ds_eap_aka_server_new(&cfg);
	w.be = ds_eap_aka_server_backend(w.srv);
	ds_eap_aka_peer_cfg pc = { .identity = NAI, .result_ind = true };
	memcpy(pc.k, K, 16);
	memcpy(pc.opc, OPC, 16);
	w.peer = ds_eap_aka_peer_new(&pc);
	w.sess = w.be.ops->start(w.be.backend, NAI, APN, on_done, &w);
	uint8_t up[DS_EAP_MAX_MSG];
	size_t ulen;
	assert_int_equal(ds_eap_aka_peer_ops.input(w.peer, w.pkt, w.len, up, &ulen),
			 DS_EAP_CONTINUE);
	assert_int_equal(w.be.ops->input(w.sess, up, ulen), DS_OK);
	ds_aka_msg m;
	assert_int_equal(ds_aka_parse(w.pkt, w.len, &m), DS_OK);
	assert_int_equal(m.subtype, DS_AKA_NOTIFICATION);
	assert_int_equal(m.notification, DS_AKA_NOTIF_SUCCESS);
	assert_non_null(m.mac);
	uint8_t early[4] = { DS_EAP_CODE_SUCCESS, m.id, 0, 4 };
	assert_int_equal(ds_eap_aka_peer_ops.input(w.peer, early, 4, up, &ulen), DS_EAP_FAILURE);
	world_free(&w);
}

static int counter_rng(void *ctx, uint8_t *buf, size_t len)
{
	uint8_t *seed = ctx;
	for (size_t i = 0; i < len; i++)
		buf[i] = (*seed)++;
	return 0;
}

/* A seeded random source makes the server's challenges repeatable (simulator runs). */
static void injected_rng_is_used(void **s)
{
	(void)s;
	uint8_t first[DS_EAP_MAX_MSG];
	size_t first_len = 0;
	for (int run_no = 0; run_no < 2; run_no++) {
		world w;
		memset(&w, 0, sizeof w);
		assert_int_equal(ds_subdb_open(":memory:", &w.db), DS_OK);
		ds_subscriber sub = { .imsi = IMSI, .amf = 0x8000, .sqn = 0x20 };
		memcpy(sub.k, K, 16);
		memcpy(sub.opc, OPC, 16);
		assert_int_equal(ds_subdb_add(w.db, &sub, apn_list, 1), DS_OK);
		uint8_t seed = 7;
		ds_eap_aka_server_cfg cfg = { .db = w.db, .rng = counter_rng, .rng_ctx = &seed };
		w.srv = ds_eap_aka_server_new(&cfg);
		w.be = ds_eap_aka_server_backend(w.srv);
		w.peer = make_peer(NAI, K, 0, false, false);
		w.sess = w.be.ops->start(w.be.backend, NAI, APN, on_done, &w);
		ds_aka_msg m;
		assert_int_equal(ds_aka_parse(w.pkt, w.len, &m), DS_OK);
		assert_int_equal(m.id, 8);            /* first octet 7, incremented once */
		assert_int_equal(m.rand[0], 8);       /* the next 16 octets */
		if (run_no == 0) {
			memcpy(first, w.pkt, w.len);
			first_len = w.len;
		} else {
			assert_int_equal(w.len, first_len);
			assert_memory_equal(w.pkt, first, first_len);
		}
		world_free(&w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(aka_success),
		cmocka_unit_test(aka_prime_success),
		cmocka_unit_test(wrong_k_is_rejected),
		cmocka_unit_test(unknown_imsi_fails),
		cmocka_unit_test(apn_not_allowed),
		cmocka_unit_test(sqn_resync_then_success),
		cmocka_unit_test(sqn_beyond_delta_resyncs),
		cmocka_unit_test(tampered_mac_to_peer),
		cmocka_unit_test(tampered_mac_to_server),
		cmocka_unit_test(identity_round_with_checkcode),
		cmocka_unit_test(checkcode_detects_changed_identity_round),
		cmocka_unit_test(retransmission_and_replay),
		cmocka_unit_test(bidding_down_detected),
		cmocka_unit_test(nak_when_method_unsupported),
		cmocka_unit_test(kdf_negotiation),
		cmocka_unit_test(network_name_policy),
		cmocka_unit_test(result_indications),
		cmocka_unit_test(injected_rng_is_used),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
