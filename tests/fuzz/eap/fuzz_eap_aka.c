/* libFuzzer harness for the EAP-AKA / EAP-AKA' decoders and state machines: the attribute
 * parser, the peer (USIM emulation) and the embedded server, plus the RFC 2548 MPPE key
 * decryption of the RADIUS back end (attacker-controlled attribute values). The input is a
 * sequence of EAP packets, each preceded by a 2-octet length; the first octet picks the
 * variant (EAP-AKA or EAP-AKA', identity round or not). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "eap/eap_aka_attr.h"
#include "eap/eap_aka_peer.h"
#include "eap/eap_aka_server.h"
#include "eap/eap_method.h"
#include "eap/eap_radius.h"
#include "eap/subscriber_db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char nai[] = "0001010123456789@nai.epc.mnc001.mcc001.3gppnetwork.org";

static void on_done(void *ctx, int status, const uint8_t *eap, size_t len, const uint8_t *msk,
		    size_t msk_len)
{
	(void)ctx; (void)status; (void)msk_len;
	/* touch every octet handed out, so ASan checks the bounds of what the server reports */
	uint8_t x = 0;
	for (size_t i = 0; i < len; i++)
		x ^= eap[i];
	if (msk)
		x ^= msk[0];
	*(volatile uint8_t *)ctx = x;
}

/* One subscriber store for the whole run (opening SQLite per input would dominate). */
static ds_subdb *db_once(void)
{
	static ds_subdb *db;
	if (!db) {
		ds_subscriber s = { .imsi = "001010123456789", .amf = 0x8000, .sqn = 0x20 };
		const char *apn[] = { "internet" };
		if (ds_subdb_open(":memory:", &db))
			return NULL;
		ds_subdb_add(db, &s, apn, 1);
	}
	return db;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0] % 4;
	data++;
	size--;
	ds_aka_msg m;
	ds_aka_parse(data, size, &m);
	static const uint8_t req_auth[16];
	uint8_t key[64];
	ds_radius_mppe_decrypt(data, size, "secret", req_auth, key, sizeof key);

	ds_eap_aka_peer_cfg pc = { .identity = nai, .aka_prime = mode & 1, .prefer_aka_prime = 1,
				   .network_name = "WLAN", .sqn_age_limit = 32,
				   .result_ind = mode & 2 };
	ds_eap_peer *p = ds_eap_aka_peer_new(&pc);
	ds_subdb *db = db_once();
	ds_eap_aka_server_cfg sc = { .db = db, .aka_prime = mode & 1,
				     .always_request_identity = mode & 2, .result_ind = mode & 2 };
	ds_eap_aka_server *srv = db ? ds_eap_aka_server_new(&sc) : NULL;
	volatile uint8_t sink;
	ds_eap_session *sess = srv ? ds_eap_aka_server_ops.start(srv, nai, "internet", on_done,
								  (void *)&sink) : NULL;
	uint8_t out[DS_EAP_MAX_MSG];
	size_t out_len;
	while (size >= 2 && p) {
		size_t n = (size_t)(data[0] << 8 | data[1]);
		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		ds_eap_aka_peer_ops.input(p, data, n, out, &out_len);
		if (sess)
			ds_eap_aka_server_ops.input(sess, data, n);
		data += n;
		size -= n;
	}
	if (sess)
		ds_eap_aka_server_ops.free(sess);
	ds_eap_aka_server_free(srv);
	if (p)
		ds_eap_aka_peer_ops.free(p);
	return 0;
}
