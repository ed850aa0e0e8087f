/* Fuzz ESP decapsulation (RFC 4303) with fixed SAs. The first input octet picks a mode:
 *   0: the rest is a received ESP packet, opened by GCM, CBC+HMAC, NULL+HMAC and ESN SAs and
 *      by compact SAs found in a SAD (exercises the length, SPI, replay and ICV checks);
 *   1: the rest is the clear body of an integrity-only packet whose ICV the harness computes,
 *      so the padding and next-header checks behind the ICV are reached;
 *   2: the rest is a payload sealed then opened, which must give it back unchanged;
 *   3: the rest is a list of 32-bit sequence numbers fed to an ESN anti-replay window, which
 *      must never accept the same 64-bit number twice;
 *   4: the rest is a UDP 4500 payload to classify (RFC 3948).
 * The replay windows are reset for every input so that runs are reproducible. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "crypto/crypto.h"
#include "ipsec/esp.h"
#include "ipsec/esp_impl.h"
#include "ipsec/esp_udp.h"
#include "ipsec/replay.h"
#include "ipsec/sad.h"

static const uint8_t EKEY[36] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
				  19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34 };
static const uint8_t IKEY[64] = { 0x55, 0x66, 0x77 };

enum { N_SA = 4 };
static ds_esp_sa *in_sa[N_SA], *out_sa[N_SA];
/* compact SAs (shared, re-keyed contexts) in a SAD: a GCM one with the same keys as in_sa[0]
 * and a GCM one with other keys, so the shared context is re-keyed between packets */
static ds_sad *sad;
static ds_esp_sa *compact_gcm, *compact_other;

static ds_esp_sa *mk_full(uint32_t spi, uint8_t dir, uint16_t encr, uint16_t bits, uint16_t integ,
			  bool esn, bool compact, const uint8_t *ekey)
{
	ds_esp_sa_params p = { .spi = spi, .dir = dir, .mode = DS_ESP_TRANSPORT,
			       .encr = encr, .encr_key_bits = bits, .integ = integ,
			       .encr_key = ekey, .integ_key = IKEY, .esn = esn, .replay_window = 128,
			       .compact = compact };
	ds_esp_sa *sa = ds_esp_sa_new(&p, NULL);
	if (!sa)
		abort();
	return sa;
}

static ds_esp_sa *mk(uint8_t dir, uint16_t encr, uint16_t bits, uint16_t integ, bool esn)
{
	return mk_full(0x01020304, dir, encr, bits, integ, esn, false, EKEY);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static const struct { uint16_t encr, bits, integ; bool esn; } s[N_SA] = {
		{ DS_ENCR_AES_GCM_16, 128, DS_INTEG_NONE, false },
		{ DS_ENCR_AES_CBC, 128, DS_INTEG_HMAC_SHA2_256_128, false },
		{ DS_ENCR_NULL, 0, DS_INTEG_HMAC_SHA2_256_128, false },
		{ DS_ENCR_AES_GCM_16, 256, DS_INTEG_NONE, true },
	};
	for (int i = 0; i < N_SA; i++) {
		in_sa[i] = mk(DS_ESP_IN, s[i].encr, s[i].bits, s[i].integ, s[i].esn);
		out_sa[i] = mk(DS_ESP_OUT, s[i].encr, s[i].bits, s[i].integ, s[i].esn);
	}
	static const uint8_t other[36] = { 0xee };
	sad = ds_sad_new();
	compact_gcm = mk_full(0x01020304, DS_ESP_IN, DS_ENCR_AES_GCM_16, 128, DS_INTEG_NONE, false,
			      true, EKEY);
	compact_other = mk_full(0x01020305, DS_ESP_IN, DS_ENCR_AES_GCM_16, 128, DS_INTEG_NONE, false,
			      true, other);
	if (!sad || ds_sad_add(sad, compact_gcm, 0) != DS_OK || ds_sad_add(sad, compact_other, 0) != DS_OK)
		abort();
	return 0;
}

static void reset_in(ds_esp_sa *sa)
{
	sa->win.top = 0;
	memset(sa->bitmap, 0, sa->win.size / 8);
}

static void reset(void)
{
	for (int i = 0; i < N_SA; i++) {
		reset_in(in_sa[i]);
		out_sa[i]->seq = 0;
	}
	reset_in(compact_gcm);
	reset_in(compact_other);
}

static void open_all(const uint8_t *d, size_t n)
{
	uint8_t out[9216];
	for (int i = 0; i < N_SA; i++) {
		size_t ol = 0;
		uint8_t nh = 0;
		int rc = ds_esp_open(in_sa[i], d, n, out, sizeof out, &ol, &nh);
		if (rc == DS_OK && ol > n)
			abort();
	}
	/* through the SAD, as a host does: whichever compact SA the SPI names */
	uint32_t spi;
	if (ds_esp_peek_spi(d, n, &spi) == DS_OK) {
		ds_esp_sa *sa = ds_sad_find_in(sad, spi);
		size_t ol = 0;
		uint8_t nh = 0;
		if (sa && ds_esp_open(sa, d, n, out, sizeof out, &ol, &nh) == DS_OK && ol > n)
			abort();
	}
}

/* Mode 1: SPI | seq | body | HMAC-SHA2-256-128 over all of it, opened by the NULL SA. */
static void open_integrity_only(const uint8_t *d, size_t n)
{
	uint8_t pkt[1100], mac[32], out[1100];
	if (n > 1024 || n < 4)
		return;
	ds_put_u32(pkt, 0x01020304);
	memcpy(pkt + 4, d, n); /* the input supplies the sequence number and the body */
	if (ds_prf(DS_PRF_HMAC_SHA2_256, IKEY, 32, pkt, 4 + n, mac) != DS_OK)
		abort();
	memcpy(pkt + 4 + n, mac, 16);
	size_t ol = 0;
	uint8_t nh = 0;
	int rc = ds_esp_open(in_sa[2], pkt, 4 + n + 16, out, sizeof out, &ol, &nh);
	if (rc == DS_E_AUTH)
		abort(); /* the ICV is right by construction */
	if (rc == DS_OK && ol + 2 > n - 4)
		abort();
}

static void round_trip(const uint8_t *d, size_t n)
{
	uint8_t pkt[2048], out[2048];
	if (n > 1500)
		return;
	for (int i = 0; i < N_SA; i++) {
		size_t pl = 0, ol = 0;
		uint8_t nh = 0;
		if (ds_esp_seal(out_sa[i], 135, d, n, pkt, sizeof pkt, &pl) != DS_OK)
			abort();
		if (ds_esp_open(in_sa[i], pkt, pl, out, sizeof out, &ol, &nh) != DS_OK || nh != 135 ||
		    ol != n || (n && memcmp(out, d, n) != 0))
			abort();
	}
}

static void replay_sequence(const uint8_t *d, size_t n)
{
	ds_replay *w = &in_sa[3]->win;
	uint64_t seen[256];
	size_t ns = 0;
	for (size_t off = 0; off + 4 <= n && ns < 256; off += 4) {
		uint64_t seq = ds_replay_infer_esn(w, ds_get_u32(d + off));
		if (!ds_replay_check(w, seq))
			continue;
		for (size_t j = 0; j < ns; j++)
			if (seen[j] == seq)
				abort(); /* accepted twice */
		ds_replay_update(w, seq);
		if (w->top < seq)
			abort();
		seen[ns++] = seq;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	reset();
	const uint8_t *d = data + 1;
	size_t n = size - 1;
	size_t off;
	uint32_t spi;
	switch (data[0] % 5) {
	case 0: open_all(d, n); break;
	case 1: open_integrity_only(d, n); break;
	case 2: round_trip(d, n); break;
	case 3: replay_sequence(d, n); break;
	default:
		(void)ds_udp4500_classify(d, n, &off);
		(void)ds_esp_peek_spi(d, n, &spi);
		break;
	}
	return 0;
}
