/* Unit tests for src/ipsec: ESP against the RFC 3602 cl. 4 ESP packets (cases 5 and 7), GCM
 * and CBC round trips in transport and tunnel mode, tampering, padding and next-header checks,
 * anti-replay edge cases (RFC 4303 cl. 3.4.3), ESN (Appendix A2.2), SAD, UDP 4500. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/util.h"
#include "crypto/crypto.h"
#include "ipsec/esp.h"
#include "ipsec/esp_impl.h"
#include "ipsec/esp_kat.h"
#include "ipsec/esp_udp.h"
#include "ipsec/sad.h"
#include "../crypto/testhex.h"

#define HEX(s, buf) unhex((s), (buf), sizeof(buf))

static const uint8_t IKEY[64] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 9, 10, 11 };

static ds_esp_sa *mk(uint32_t spi, uint8_t dir, uint8_t mode, uint16_t encr, uint16_t bits,
		     uint16_t integ, const uint8_t *ekey, bool esn, uint32_t win)
{
	ds_esp_sa_params p = { 0 };
	p.spi = spi;
	p.dir = dir;
	p.mode = mode;
	p.encr = encr;
	p.encr_key_bits = bits;
	p.integ = integ;
	p.encr_key = ekey;
	p.integ_key = IKEY;
	p.esn = esn;
	p.replay_window = win;
	int err = 1;
	ds_esp_sa *sa = ds_esp_sa_new(&p, &err);
	assert_non_null(sa);
	assert_int_equal(err, DS_OK);
	return sa;
}

/* RFC 3602 cl. 4 case #5: transport-mode ICMP echo, SPI 0x4321, seq 1. RFC 3602 ESP has no
 * ICV; here HMAC-SHA2-256-128 is added, so the octets up to the end of the ciphertext must be
 * exactly the RFC's and the packet must open back to the ICMP message with next header 1. */
static void rfc3602_case5_transport(void **state)
{
	(void)state;
	uint8_t key[16], iv[16], data[64], enc[80], out[256], back[256];
	HEX("90d382b410eeba7ad938c46cec1a82bf", key);
	HEX("e96e8c08ab465763fd098d45dd3ff893", iv);
	HEX("08000ebda70a00008e9c083db95b070008090a0b0c0d0e0f1011121314151617"
	    "18191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637", data);
	HEX("f663c25d325c18c6a9453e194e120849a4870b66cc6b9965330013b4898dc856"
	    "a4699e523a55db080b59ec3a8e4b7e52775b07d1db34ed9c538ab50c551b874a"
	    "a269add047ad2d5913ac19b7cfbad4a6", enc);
	ds_esp_sa *o = mk(0x4321, DS_ESP_OUT, DS_ESP_TRANSPORT, DS_ENCR_AES_CBC, 128,
			  DS_INTEG_HMAC_SHA2_256_128, key, false, 0);
	ds_esp_sa *in = mk(0x4321, DS_ESP_IN, DS_ESP_TRANSPORT, DS_ENCR_AES_CBC, 128,
			   DS_INTEG_HMAC_SHA2_256_128, key, false, 0);
	size_t n = 0;
	assert_int_equal(ds_esp_seal_iv(o, 1, data, sizeof data, iv, out, sizeof out, &n), DS_OK);
	assert_int_equal(n, 8 + 16 + 80 + 16);
	assert_int_equal(n, ds_esp_sealed_len(o, sizeof data));
	const uint8_t hdr[8] = { 0, 0, 0x43, 0x21, 0, 0, 0, 1 };
	assert_memory_equal(out, hdr, 8);
	assert_memory_equal(out + 8, iv, 16);
	assert_memory_equal(out + 24, enc, 80);
	size_t bl = 0;
	uint8_t nh = 0;
	assert_int_equal(ds_esp_open(in, out, n, back, sizeof back, &bl, &nh), DS_OK);
	assert_int_equal(nh, 1);
	assert_int_equal(bl, sizeof data);
	assert_memory_equal(back, data, sizeof data);
	assert_int_equal(ds_esp_sa_counters(in)->packets, 1);
	assert_int_equal(ds_esp_sa_counters(in)->bytes, 64);
	assert_int_equal(ds_esp_sa_seq(in), 1);
	/* the same packet again is a replay */
	assert_int_equal(ds_esp_open(in, out, n, back, sizeof back, &bl, &nh), DS_E_REPLAY);
	assert_int_equal(ds_esp_sa_counters(in)->replays, 1);
	ds_esp_sa_free(o);
	ds_esp_sa_free(in);
}

/* RFC 3602 cl. 4 case #7: tunnel-mode IPv4 packet, SPI 0x8765, seq 2, next header 4. */
static void rfc3602_case7_tunnel(void **state)
{
	(void)state;
	uint8_t key[16], iv[16], inner[84], enc[96], out[256], back[256];
	HEX("0123456789abcdef0123456789abcdef", key);
	HEX("f4e765244f6407adf13dc1380f673f37", iv);
	HEX("450000540904000040 01f988c0a87b03c0a87bc8"
	    "08009f76a90a0100b49c083d02a2040008090a0b0c0d0e0f1011121314151617"
	    "18191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637", inner);
	HEX("773b5241a4c449225e4f3ce5ed611b0c237ca96cf74a93013c1b0ea1a0cf70f8"
	    "e4ecaec78ac53aad7a0f022b859243c647752e94a859352b8a4d4d2decd136e5"
	    "c177f132ad3fbfb2201ac9904c74ee0a109e0ca1e4dfe9d5a100b842f1c22f0d", enc);
	ds_esp_sa *o = mk(0x8765, DS_ESP_OUT, DS_ESP_TUNNEL, DS_ENCR_AES_CBC, 128,
			  DS_INTEG_HMAC_SHA2_512_256, key, false, 0);
	ds_esp_sa *in = mk(0x8765, DS_ESP_IN, DS_ESP_TUNNEL, DS_ENCR_AES_CBC, 128,
			   DS_INTEG_HMAC_SHA2_512_256, key, false, 0);
	size_t n = 0, bl = 0;
	uint8_t nh = 0;
	/* sequence number 1 goes to a dummy packet (next header 59, RFC 4303 cl. 2.6) */
	assert_int_equal(ds_esp_seal(o, DS_IPPROTO_NONE, NULL, 0, out, sizeof out, &n), DS_OK);
	assert_int_equal(ds_esp_open(in, out, n, back, sizeof back, &bl, &nh), DS_OK);
	assert_int_equal(nh, 59);
	assert_int_equal(bl, 0);
	assert_int_equal(ds_esp_sa_counters(in)->dummies, 1);
	assert_int_equal(ds_esp_seal_iv(o, 4, inner, sizeof inner, iv, out, sizeof out, &n), DS_OK);
	assert_int_equal(ds_get_u32(out), 0x8765);
	assert_int_equal(ds_get_u32(out + 4), 2);
	assert_memory_equal(out + 24, enc, 96);
	assert_int_equal(n, 8 + 16 + 96 + 32);
	/* open in place */
	assert_int_equal(ds_esp_open(in, out, n, out, n, &bl, &nh), DS_OK);
	assert_int_equal(nh, 4);
	assert_int_equal(bl, sizeof inner);
	assert_memory_equal(out, inner, sizeof inner);
	ds_esp_sa_free(o);
	ds_esp_sa_free(in);
}

/* draft-mcgrew-gcm-test-01 test case 1 (AES-128-GCM ESP with an Extended Sequence Number: AAD
 * = SPI 0x4321 | ESN 0x87654321 00000000, RFC 4106 cl. 5; the same vector is in the Linux
 * kernel's rfc4106(gcm(aes)) self-test). The plaintext ends with the default padding 01 02, pad
 * length 2 and next header 1, so sealing its 68-octet payload with the same IV must give the
 * published ciphertext and ICV, and opening must give it back. */
static void gcm_esp_draft_mcgrew_case1(void **state)
{
	(void)state;
	uint8_t key[20], iv[8], plain[72], ct[88], pkt[128], back[128];
	HEX("4c80cdefbb5d10da906ac73c3613a634" "2e443b68", key);
	HEX("4956ed7e3b244cfe", iv);
	HEX("45000048699a000080114db7c0a80102c0a801010a9bf15638d3010000010000"
	    "00000000045f736970045f756470037369700963796265726369747902646b00"
	    "0021000101020201", plain);
	HEX("fecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34"
	    "cfa2436f14a3f3cf65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce"
	    "61bc17d768fd9732459018148f6cbe722fd04796562dfdb4", ct);
	ds_esp_sa *o = mk(0x4321, DS_ESP_OUT, DS_ESP_TRANSPORT, DS_ENCR_AES_GCM_16, 128,
			  DS_INTEG_NONE, key, true, 0);
	ds_esp_sa *in = mk(0x4321, DS_ESP_IN, DS_ESP_TRANSPORT, DS_ENCR_AES_GCM_16, 128,
			   DS_INTEG_NONE, key, true, 0);
	o->seq = 0x8765432100000000ull - 1;
	in->win.top = 0x8765432100000000ull - 5; /* receiver just below the subspace boundary */
	size_t n = 0, bl = 0;
	uint8_t nh = 0;
	assert_int_equal(ds_esp_seal_iv(o, 1, plain, 68, iv, pkt, sizeof pkt, &n), DS_OK);
	assert_int_equal(n, 8 + 8 + 88);
	assert_int_equal(ds_get_u32(pkt + 4), 0); /* only the low 32 bits travel */
	assert_memory_equal(pkt + 8, iv, 8);
	assert_memory_equal(pkt + 16, ct, 88);
	assert_int_equal(ds_esp_open(in, pkt, n, back, sizeof back, &bl, &nh), DS_OK);
	assert_int_equal(nh, 1);
	assert_int_equal(bl, 68);
	assert_memory_equal(back, plain, 68);
	assert_int_equal(ds_esp_sa_seq(in), 0x8765432100000000ull);
	ds_esp_sa_free(o);
	ds_esp_sa_free(in);
}

struct suite {
	uint16_t encr, bits, integ;
	bool esn;
};

static const struct suite suites[] = {
	{ DS_ENCR_AES_GCM_16, 128, DS_INTEG_NONE, false },
	{ DS_ENCR_AES_GCM_16, 256, DS_INTEG_NONE, true },
	{ DS_ENCR_AES_CBC, 128, DS_INTEG_HMAC_SHA2_256_128, false },
	{ DS_ENCR_AES_CBC, 256, DS_INTEG_HMAC_SHA2_384_192, true },
	{ DS_ENCR_NULL, 0, DS_INTEG_HMAC_SHA2_256_128, false },
	{ DS_ENCR_NULL, 0, DS_INTEG_HMAC_SHA2_512_256, true },
};

static const uint8_t EKEY[36] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9,
				  0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3,
				  0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd,
				  0xbe, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3 };

/* Every suite, transport and tunnel, payload lengths 0..130 (all padding cases), in place and
 * not; the encrypted part differs from the clear payload unless ENCR_NULL. */
static void round_trips(void **state)
{
	(void)state;
	for (size_t s = 0; s < DS_ARRAY_LEN(suites); s++) {
		const struct suite *su = &suites[s];
		for (uint8_t mode = DS_ESP_TRANSPORT; mode <= DS_ESP_TUNNEL; mode++) {
			ds_esp_sa *o = mk(0x1000 + (uint32_t)s, DS_ESP_OUT, mode, su->encr, su->bits,
					  su->integ, EKEY, su->esn, 0);
			ds_esp_sa *in = mk(0x1000 + (uint32_t)s, DS_ESP_IN, mode, su->encr, su->bits,
					   su->integ, EKEY, su->esn, 0);
			for (size_t len = mode == DS_ESP_TUNNEL ? 40 : 0; len <= 130; len++) {
				uint8_t pl[200], pkt[400], back[400];
				for (size_t i = 0; i < len; i++)
					pl[i] = (uint8_t)(i * 7 + 3);
				if (mode == DS_ESP_TUNNEL)
					pl[0] = 0x60; /* IPv6 inner packet */
				uint8_t nh = mode == DS_ESP_TUNNEL ? 41 : 135, gotnh = 0;
				size_t n = 0, bl = 0;
				assert_int_equal(ds_esp_seal(o, nh, pl, len, pkt, sizeof pkt, &n), DS_OK);
				assert_int_equal(n, ds_esp_sealed_len(o, len));
				size_t ivl = su->encr == DS_ENCR_NULL ? 0 : su->encr == DS_ENCR_AES_CBC ? 16 : 8;
				size_t ctl = n - 8 - ivl - ds_cipher_icv_len(o->cipher);
				assert_int_equal(ctl % (su->encr == DS_ENCR_AES_CBC ? 16 : 4), 0);
				if (su->encr == DS_ENCR_AES_GCM_16) /* IV = 64-bit sequence number */
					assert_int_equal(ds_get_u32(pkt + 12), ds_get_u32(pkt + 4));
				if (len >= 16 && su->encr != DS_ENCR_NULL)
					assert_memory_not_equal(pkt + 8 + ivl, pl, 16);
				if (len % 2) {
					memcpy(back, pkt, n);
					assert_int_equal(ds_esp_open(in, back, n, back, n, &bl, &gotnh), DS_OK);
				} else {
					assert_int_equal(ds_esp_open(in, pkt, n, back, sizeof back, &bl, &gotnh),
							 DS_OK);
				}
				assert_int_equal(gotnh, nh);
				assert_int_equal(bl, len);
				assert_memory_equal(back, pl, len);
			}
			assert_int_equal(ds_esp_sa_counters(in)->packets, ds_esp_sa_counters(o)->packets);
			assert_int_equal(ds_esp_sa_counters(in)->auth_failures, 0);
			ds_esp_sa_free(o);
			ds_esp_sa_free(in);
		}
	}
}

/* Any flipped bit from the sequence number to the ICV fails integrity, for every suite; the
 * failure does not advance the replay window; a flipped SPI is not this SA's. */
static void tampering_detected(void **state)
{
	(void)state;
	for (size_t s = 0; s < DS_ARRAY_LEN(suites); s++) {
		const struct suite *su = &suites[s];
		ds_esp_sa *o = mk(0x2000, DS_ESP_OUT, DS_ESP_TRANSPORT, su->encr, su->bits, su->integ,
				  EKEY, su->esn, 0);
		ds_esp_sa *in = mk(0x2000, DS_ESP_IN, DS_ESP_TRANSPORT, su->encr, su->bits, su->integ,
				   EKEY, su->esn, 0);
		uint8_t pl[40] = { 1, 2, 3 }, pkt[200], back[200], nh;
		size_t n, bl;
		assert_int_equal(ds_esp_seal(o, 135, pl, sizeof pl, pkt, sizeof pkt, &n), DS_OK);
		for (size_t i = 4; i < n; i++) {
			pkt[i] ^= 0x01;
			int rc = ds_esp_open(in, pkt, n, back, sizeof back, &bl, &nh);
			/* a changed sequence number may instead be seen as 0 (never valid) */
			if (i < 8 && rc == DS_E_REPLAY)
				;
			else
				assert_int_equal(rc, DS_E_AUTH);
			pkt[i] ^= 0x01;
		}
		assert_int_equal(ds_esp_sa_seq(in), 0);
		pkt[0] ^= 0x80;
		assert_int_equal(ds_esp_open(in, pkt, n, back, sizeof back, &bl, &nh), DS_E_NOTFOUND);
		pkt[0] ^= 0x80;
		assert_int_equal(ds_esp_open(in, pkt, n, back, sizeof back, &bl, &nh), DS_OK);
		assert_true(ds_esp_sa_counters(in)->auth_failures >= n - 8 - 1);
		/* truncation */
		for (size_t cut = 0; cut < n; cut++) {
			int rc = ds_esp_open(in, pkt, cut, back, sizeof back, &bl, &nh);
			assert_int_not_equal(rc, DS_OK);
		}
		ds_esp_sa_free(o);
		ds_esp_sa_free(in);
	}
}

static size_t seal_seq(ds_esp_sa *o, uint64_t seq, uint8_t *pkt, size_t cap)
{
	o->seq = seq - 1; /* jump the sender's counter */
	uint8_t pl[8] = { (uint8_t)seq };
	size_t n = 0;
	assert_int_equal(ds_esp_seal(o, 135, pl, sizeof pl, pkt, cap, &n), DS_OK);
	return n;
}

static int open_seq(ds_esp_sa *o, ds_esp_sa *in, uint64_t seq)
{
	uint8_t pkt[128], back[128], nh;
	size_t n = seal_seq(o, seq, pkt, sizeof pkt), bl;
	return ds_esp_open(in, pkt, n, back, sizeof back, &bl, &nh);
}

/* RFC 4303 cl. 3.4.3 with a 64-packet window: new numbers slide the window, numbers inside it
 * are accepted once, the left edge is inclusive, anything left of it is dropped. */
static void replay_window_edges(void **state)
{
	(void)state;
	ds_esp_sa *o = mk(0x3000, DS_ESP_OUT, DS_ESP_TRANSPORT, DS_ENCR_AES_GCM_16, 128,
			  DS_INTEG_NONE, EKEY, false, 64);
	ds_esp_sa *in = mk(0x3000, DS_ESP_IN, DS_ESP_TRANSPORT, DS_ENCR_AES_GCM_16, 128,
			   DS_INTEG_NONE, EKEY, false, 64);
	assert_int_equal(in->win.size, 64);
	assert_int_equal(open_seq(o, in, 1), DS_OK);
	assert_int_equal(open_seq(o, in, 1), DS_E_REPLAY);
	assert_int_equal(open_seq(o, in, 100), DS_OK);   /* jump ahead: window now 37..100 */
	assert_int_equal(open_seq(o, in, 36), DS_E_REPLAY);  /* just left of the window */
	assert_int_equal(open_seq(o, in, 37), DS_OK);    /* left edge, inclusive */
	assert_int_equal(open_seq(o, in, 37), DS_E_REPLAY);
	assert_int_equal(open_seq(o, in, 99), DS_OK);    /* out of order inside the window */
	assert_int_equal(open_seq(o, in, 50), DS_OK);
	assert_int_equal(open_seq(o, in, 99), DS_E_REPLAY);
	assert_int_equal(open_seq(o, in, 100), DS_E_REPLAY);
	assert_int_equal(open_seq(o, in, 101), DS_OK);   /* slide by one: 37 falls out */
	assert_int_equal(open_seq(o, in, 37), DS_E_REPLAY);
	assert_int_equal(open_seq(o, in, 38), DS_OK);
	/* a slide by exactly the window size forgets everything old */
	assert_int_equal(open_seq(o, in, 165), DS_OK);
	assert_int_equal(open_seq(o, in, 101), DS_E_REPLAY);
	assert_int_equal(open_seq(o, in, 102), DS_OK);   /* 165 - 63 = 102: fresh bit */
	/* slots reused after a slide are clear: 166 maps to the slot of 102 */
	assert_int_equal(open_seq(o, in, 166), DS_OK);
	assert_int_equal(open_seq(o, in, 130), DS_OK);
	assert_int_equal(ds_esp_sa_counters(in)->replays, 7);
	assert_int_equal(ds_esp_sa_seq(in), 166);
	/* sequence number 0 is never valid (the first packet carries 1) */
	uint8_t pkt[128], back[128], nh;
	size_t n = seal_seq(o, 200, pkt, sizeof pkt), bl;
	memset(pkt + 4, 0, 4);
	assert_int_equal(ds_esp_open(in, pkt, n, back, sizeof back, &bl, &nh), DS_E_REPLAY);
	ds_esp_sa_free(o);
	ds_esp_sa_free(in);
}

/* A 1024-packet window (the default): every number of a shuffled run of 1024 is accepted once. */
static void replay_window_1024(void **state)
{
	(void)state;
	ds_esp_sa *o = mk(0x3001, DS_ESP_OUT, DS_ESP_TRANSPORT, DS_ENCR_AES_GCM_16, 128,
			  DS_INTEG_NONE, EKEY, false, 0);
	ds_esp_sa *in = mk(0x3001, DS_ESP_IN, DS_ESP_TRANSPORT, DS_ENCR_AES_GCM_16, 128,
			   DS_INTEG_NONE, EKEY, false, 0);
	assert_int_equal(in->win.size, 1024);
	assert_int_equal(open_seq(o, in, 2000), DS_OK);
	for (uint64_t k = 0; k < 1023; k++) {
		uint64_t seq = 977 + (k * 389) % 1023; /* 977..1999 in a scrambled order */
		assert_int_equal(open_seq(o, in, seq), DS_OK);
	}
	for (uint64_t seq = 977; seq <= 2000; seq++)
		assert_int_equal(open_seq(o, in, seq), DS_E_REPLAY);
	assert_int_equal(open_seq(o, in, 976), DS_E_REPLAY);
	ds_esp_sa_free(o);
	ds_esp_sa_free(in);
}

/* A slide shorter than the window forgets exactly the slots of the numbers skipped over (the
 * bitmap is cleared word by word where it can): with a 128-packet window full up to 128, a jump
 * to 250 keeps 123..128 as seen and frees 129..249, whose slots held 1..121. */
static void replay_partial_slide(void **state)
{
	(void)state;
	ds_esp_sa *o = mk(0x3002, DS_ESP_OUT, DS_ESP_TRANSPORT, DS_ENCR_AES_GCM_16, 128,
			  DS_INTEG_NONE, EKEY, false, 128);
	ds_esp_sa *in = mk(0x3002, DS_ESP_IN, DS_ESP_TRANSPORT, DS_ENCR_AES_GCM_16, 128,
			   DS_INTEG_NONE, EKEY, false, 128);
	for (uint64_t q = 1; q <= 128; q++)
		assert_int_equal(open_seq(o, in, q), DS_OK);
	assert_int_equal(open_seq(o, in, 250), DS_OK);
	assert_int_equal(open_seq(o, in, 122), DS_E_REPLAY);     /* left of 123 */
	for (uint64_t q = 123; q <= 128; q++)
		assert_int_equal(open_seq(o, in, q), DS_E_REPLAY);
	for (uint64_t q = 129; q < 250; q++)
		assert_int_equal(open_seq(o, in, q), DS_OK);
	assert_int_equal(open_seq(o, in, 250), DS_E_REPLAY);
	ds_esp_sa_free(o);
	ds_esp_sa_free(in);
}

/* ESN (RFC 4303 cl. 2.2.1, Appendix A2.2): the receiver infers the high-order bits across the
 * 2^32 boundary, in both window cases; the outbound counter refuses to cycle without ESN. */
static void esn_and_exhaustion(void **state)
{
	(void)state;
	for (size_t s = 0; s < 2; s++) {
		uint16_t encr = s ? DS_ENCR_AES_CBC : DS_ENCR_AES_GCM_16;
		uint16_t integ = s ? DS_INTEG_HMAC_SHA2_256_128 : DS_INTEG_NONE;
		ds_esp_sa *o = mk(0x4000, DS_ESP_OUT, DS_ESP_TRANSPORT, encr, 128, integ, EKEY, true, 64);
		ds_esp_sa *in = mk(0x4000, DS_ESP_IN, DS_ESP_TRANSPORT, encr, 128, integ, EKEY, true, 64);
		assert_int_equal(open_seq(o, in, 0xfffffff0ull), DS_OK);
		assert_int_equal(open_seq(o, in, 0x100000005ull), DS_OK);   /* case A -> next subspace */
		assert_int_equal(ds_esp_sa_seq(in), 0x100000005ull);
		assert_int_equal(open_seq(o, in, 0xfffffff8ull), DS_OK);   /* case B -> previous one */
		assert_int_equal(open_seq(o, in, 0xfffffff8ull), DS_E_REPLAY);
		assert_int_equal(open_seq(o, in, 0x100000001ull), DS_OK);
		assert_int_equal(open_seq(o, in, 0x1000000000ull + 0x25), DS_E_AUTH); /* too far: wrong guess */
		ds_esp_sa_free(o);
		ds_esp_sa_free(in);
	}
	ds_esp_sa *o = mk(0x4001, DS_ESP_OUT, DS_ESP_TRANSPORT, DS_ENCR_AES_GCM_16, 128,
			  DS_INTEG_NONE, EKEY, false, 0);
	uint8_t pkt[128];
	size_t n;
	o->seq = 0xfffffffeu;
	assert_int_equal(ds_esp_seal(o, 135, pkt, 0, pkt, sizeof pkt, &n), DS_OK);
	assert_int_equal(ds_get_u32(pkt + 4), 0xffffffffu);
	assert_int_equal(ds_esp_seal(o, 135, pkt, 0, pkt, sizeof pkt, &n), DS_E_EXHAUSTED);
	assert_int_equal(ds_esp_sa_counters(o)->seq_exhausted, 1);
	ds_esp_sa_free(o);
}

/* RFC 4301 cl. 4.4.2.1 lifetimes: soft at 90%, hard refuses both directions. */
static void lifetimes(void **state)
{
	(void)state;
	ds_esp_sa_params p = { .spi = 0x6000, .mode = DS_ESP_TRANSPORT, .encr = DS_ENCR_AES_GCM_16,
			       .encr_key_bits = 128, .encr_key = EKEY, .life_packets = 10,
			       .life_bytes = 1000 };
	p.dir = DS_ESP_OUT;
	ds_esp_sa *o = ds_esp_sa_new(&p, NULL);
	p.dir = DS_ESP_IN;
	p.life_packets = 0; /* inbound limited by bytes only */
	ds_esp_sa *in = ds_esp_sa_new(&p, NULL);
	uint8_t pl[50] = { 0 }, pkt[128], back[128], nh;
	size_t n, bl;
	for (int i = 0; i < 10; i++) {
		assert_int_equal(ds_esp_sa_soft_expired(o), i >= 9);
		assert_int_equal(ds_esp_seal(o, 135, pl, sizeof pl, pkt, sizeof pkt, &n), DS_OK);
		assert_int_equal(ds_esp_open(in, pkt, n, back, sizeof back, &bl, &nh), DS_OK);
	}
	assert_true(ds_esp_sa_soft_expired(o));
	assert_int_equal(ds_esp_seal(o, 135, pl, sizeof pl, pkt, sizeof pkt, &n), DS_E_EXHAUSTED);
	assert_int_equal(ds_esp_sa_counters(o)->expired, 1);
	/* inbound: 500 payload bytes so far, soft at 900, hard at 1000 */
	assert_false(ds_esp_sa_soft_expired(in));
	ds_esp_sa *o2 = mk(0x6000, DS_ESP_OUT, DS_ESP_TRANSPORT, DS_ENCR_AES_GCM_16, 128, DS_INTEG_NONE,
			   EKEY, false, 0);
	o2->seq = 100;
	for (int i = 0; i < 11; i++) {
		assert_int_equal(ds_esp_sa_soft_expired(in), i >= 8); /* 900 bytes after i = 7 */
		assert_int_equal(ds_esp_seal(o2, 135, pl, sizeof pl, pkt, sizeof pkt, &n), DS_OK);
		assert_int_equal(ds_esp_open(in, pkt, n, back, sizeof back, &bl, &nh),
				 i < 10 ? DS_OK : DS_E_EXHAUSTED);
	}
	assert_int_equal(ds_esp_sa_counters(in)->expired, 1);
	/* outbound without ESN: soft at 90% of the 32-bit sequence space */
	assert_false(ds_esp_sa_soft_expired(o2));
	o2->seq = (uint64_t)UINT32_MAX / 10 * 9;
	assert_true(ds_esp_sa_soft_expired(o2));
	ds_esp_sa_free(o);
	ds_esp_sa_free(o2);
	ds_esp_sa_free(in);
}

/* Padding, next header and length checks on packets with a valid ICV (ENCR_NULL lets the test
 * build the plaintext trailer by hand and authenticate it with an independent HMAC). */
static int open_crafted(ds_esp_sa *in, uint8_t mode, const uint8_t *body, size_t blen, uint32_t seq)
{
	uint8_t pkt[256], back[256], mac[32], nh;
	size_t bl;
	ds_put_u32(pkt, 0x5000 + mode);
	ds_put_u32(pkt + 4, seq);
	memcpy(pkt + 8, body, blen);
	assert_int_equal(ds_prf(DS_PRF_HMAC_SHA2_256, IKEY, 32, pkt, 8 + blen, mac), DS_OK);
	memcpy(pkt + 8 + blen, mac, 16); /* HMAC-SHA2-256-128 */
	return ds_esp_open(in, pkt, 8 + blen + 16, back, sizeof back, &bl, &nh);
}

static void padding_and_next_header(void **state)
{
	(void)state;
	ds_esp_sa *t = mk(0x5001, DS_ESP_IN, DS_ESP_TRANSPORT, DS_ENCR_NULL, 0,
			  DS_INTEG_HMAC_SHA2_256_128, NULL, false, 0);
	ds_esp_sa *u = mk(0x5002, DS_ESP_IN, DS_ESP_TUNNEL, DS_ENCR_NULL, 0,
			  DS_INTEG_HMAC_SHA2_256_128, NULL, false, 0);
	const uint8_t good[8] = { 0xaa, 0xbb, 0xcc, 1, 2, 3, 3, 135 };
	const uint8_t badpad[8] = { 0xaa, 0xbb, 0xcc, 1, 2, 4, 3, 135 };
	const uint8_t longpad[8] = { 0xaa, 0xbb, 0xcc, 1, 2, 3, 7, 135 };
	const uint8_t unaligned[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0, 135 };
	assert_int_equal(open_crafted(t, 1, good, 8, 1), DS_OK);
	assert_int_equal(open_crafted(t, 1, badpad, 8, 2), DS_E_PADDING);
	assert_int_equal(open_crafted(t, 1, longpad, 8, 3), DS_E_PADDING);
	assert_int_equal(open_crafted(t, 1, unaligned, 6, 4), DS_E_BADLEN);
	assert_int_equal(ds_esp_sa_counters(t)->malformed, 3);
	/* tunnel mode: next header must be an IP version that matches the inner packet */
	uint8_t in6[44] = { 0x60 };
	in6[42] = 0;
	in6[43] = 41;
	assert_int_equal(open_crafted(u, 2, in6, 44, 1), DS_OK);
	in6[0] = 0x45;
	assert_int_equal(open_crafted(u, 2, in6, 44, 2), DS_E_NEXTHDR);
	in6[0] = 0x60;
	in6[43] = 6; /* TCP in a tunnel SA */
	assert_int_equal(open_crafted(u, 2, in6, 44, 3), DS_E_NEXTHDR);
	ds_esp_sa_free(t);
	ds_esp_sa_free(u);
}

static void sa_params_rejected(void **state)
{
	(void)state;
	ds_esp_sa_params p = { .spi = 0, .dir = DS_ESP_IN, .mode = DS_ESP_TRANSPORT,
			       .encr = DS_ENCR_AES_GCM_16, .encr_key_bits = 128, .encr_key = EKEY };
	int err = 0;
	assert_null(ds_esp_sa_new(&p, &err));
	assert_int_equal(err, DS_E_PARAM);
	p.spi = 7;
	p.mode = 9;
	assert_null(ds_esp_sa_new(&p, &err));
	p.mode = DS_ESP_TRANSPORT;
	p.replay_window = DS_ESP_REPLAY_WINDOW_MAX + 1;
	assert_null(ds_esp_sa_new(&p, &err));
	p.replay_window = 100; /* rounded up to 128 */
	p.integ = DS_INTEG_HMAC_SHA2_256_128; /* not with GCM */
	assert_null(ds_esp_sa_new(&p, &err));
	assert_int_equal(err, DS_E_UNSUPPORTED);
	p.integ = DS_INTEG_NONE;
	ds_esp_sa *sa = ds_esp_sa_new(&p, &err);
	assert_non_null(sa);
	assert_int_equal(sa->win.size, 128);
	uint8_t b[64];
	size_t n;
	assert_int_equal(ds_esp_seal(sa, 135, b, 0, b, sizeof b, &n), DS_E_STATE);
	ds_esp_sa_free(sa);
	uint32_t spi = 0;
	assert_int_equal(ds_esp_peek_spi(b, 3, &spi), DS_E_TRUNCATED);
	memset(b, 0, 4);
	assert_int_equal(ds_esp_peek_spi(b, 8, &spi), DS_E_RESERVED);
	b[3] = 9;
	assert_int_equal(ds_esp_peek_spi(b, 8, &spi), DS_OK);
	assert_int_equal(spi, 9);
}

static int owner_a, owner_b;

static void sad_operations(void **state)
{
	(void)state;
	ds_sad *sad = ds_sad_new();
	assert_non_null(sad);
	uint32_t spis[100];
	for (int i = 0; i < 100; i++) {
		assert_int_equal(ds_sad_alloc_spi(sad, &spis[i]), DS_OK);
		assert_true(spis[i] >= 256);
		ds_esp_sa *sa = mk(spis[i], DS_ESP_IN, DS_ESP_TRANSPORT, DS_ENCR_AES_GCM_16, 128,
				   DS_INTEG_NONE, EKEY, false, 64);
		ds_esp_sa_set_owner(sa, i % 2 ? &owner_a : &owner_b);
		assert_int_equal(ds_sad_add(sad, sa, 0), DS_OK);
	}
	ds_esp_sa *dup = mk(spis[5], DS_ESP_IN, DS_ESP_TRANSPORT, DS_ENCR_AES_GCM_16, 128,
			    DS_INTEG_NONE, EKEY, false, 64);
	assert_int_equal(ds_sad_add(sad, dup, 0), DS_E_EXISTS);
	ds_esp_sa_free(dup);
	for (int i = 0; i < 100; i++) {
		ds_esp_sa *sa = ds_sad_find_in(sad, spis[i]);
		assert_non_null(sa);
		assert_int_equal(ds_esp_sa_spi(sa), spis[i]);
		assert_ptr_equal(ds_esp_sa_owner(sa), i % 2 ? &owner_a : &owner_b);
	}
	/* outbound SA protecting MH from HoA to HA (RFC 4877 cl. 4.2), keyed and by selector */
	ds_esp_sa_params p = { .spi = 0x777, .dir = DS_ESP_OUT, .mode = DS_ESP_TRANSPORT,
			       .encr = DS_ENCR_AES_GCM_16, .encr_key_bits = 128, .encr_key = EKEY,
			       .owner = &owner_a };
	uint8_t hoa[16] = { 0x20, 0x01, 0x0d, 0xb8, 1, [15] = 0x10 };
	uint8_t ha[16] = { 0x20, 0x01, 0x0d, 0xb8, 1, [15] = 1 };
	uint8_t other[16] = { 0x20, 0x01, 0x0d, 0xb8, 2, [15] = 1 };
	p.sel.local = ds_addr6(hoa, 0);
	p.sel.remote = ds_addr6(ha, 0);
	p.sel.proto = 135;
	ds_esp_sa *out = ds_esp_sa_new(&p, NULL);
	assert_non_null(out);
	assert_int_equal(ds_sad_add(sad, out, 42), DS_OK);
	assert_ptr_equal(ds_sad_find_out(sad, 42), out);
	assert_null(ds_sad_find_out(sad, 43));
	ds_addr l = ds_addr6(hoa, 0), r = ds_addr6(ha, 0), x = ds_addr6(other, 0);
	assert_ptr_equal(ds_sad_find_out_sel(sad, &l, &r, 135, 5 << 8, 0), out);
	assert_null(ds_sad_find_out_sel(sad, &l, &r, 58, 0, 0));
	assert_null(ds_sad_find_out_sel(sad, &l, &x, 135, 0, 0));
	assert_null(ds_sad_find_in(sad, 0x777));
	assert_int_equal(ds_sad_count(sad), 101);
	/* delete one, then everything of owner_a (50 inbound + the outbound) */
	ds_esp_sa *victim = ds_sad_find_in(sad, spis[0]);
	assert_int_equal(ds_sad_del(sad, victim), DS_OK);
	assert_null(ds_sad_find_in(sad, spis[0]));
	assert_int_equal(ds_sad_del_owner(sad, &owner_a), 51);
	assert_int_equal(ds_sad_count(sad), 49);
	assert_null(ds_sad_find_out(sad, 42));
	ds_sad_free(sad);
}

/* Compact SAs (keys only) served by the SAD's shared contexts: many SAs of two suites, used in
 * an interleaved order so that the shared context is re-keyed between almost every packet;
 * every packet must open on its own SA only, and the RFC 3602 case 5 vector must still hold. */
static void compact_sas_share_contexts(void **state)
{
	(void)state;
	enum { N = 40 };
	ds_sad *sad = ds_sad_new();
	ds_esp_sa *o[N], *in[N];
	uint8_t keys[N][64];
	for (int i = 0; i < N; i++) {
		for (int k = 0; k < 64; k++)
			keys[i][k] = (uint8_t)(i * 31 + k);
		bool gcm = i % 2 == 0;
		ds_esp_sa_params p = { .spi = 0x7000 + (uint32_t)i, .mode = DS_ESP_TRANSPORT,
				       .encr = gcm ? DS_ENCR_AES_GCM_16 : DS_ENCR_AES_CBC,
				       .encr_key_bits = 128,
				       .integ = gcm ? DS_INTEG_NONE : DS_INTEG_HMAC_SHA2_256_128,
				       .encr_key = keys[i], .integ_key = keys[i] + 20,
				       .replay_window = 64, .compact = true };
		p.dir = DS_ESP_OUT;
		o[i] = ds_esp_sa_new(&p, NULL);
		p.dir = DS_ESP_IN;
		in[i] = ds_esp_sa_new(&p, NULL);
		assert_non_null(o[i]);
		assert_non_null(in[i]);
		assert_null(o[i]->cipher);
		assert_int_equal(ds_sad_add(sad, o[i], (uint64_t)i), DS_OK);
		assert_int_equal(ds_sad_add(sad, in[i], 0), DS_OK);
	}
	for (int round = 0; round < 3; round++) {
		for (int k = 0; k < N; k++) {
			int i = (k * 17 + round) % N;
			uint8_t pl[37], pkt[128], back[128], nh;
			size_t n, bl;
			memset(pl, i, sizeof pl);
			assert_int_equal(ds_esp_seal(o[i], 135, pl, sizeof pl, pkt, sizeof pkt, &n), DS_OK);
			ds_esp_sa *rx = ds_sad_find_in(sad, ds_get_u32(pkt));
			assert_ptr_equal(rx, in[i]);
			/* the neighbour's inbound SA, fed the same bytes under its own SPI, must fail */
			ds_esp_sa *other = in[(i + 2) % N];
			uint8_t forged[128];
			memcpy(forged, pkt, n);
			ds_put_u32(forged, ds_esp_sa_spi(other));
			ds_put_u32(forged + 4, (uint32_t)(1000 + round * N + k)); /* not a replay */
			assert_int_equal(ds_esp_open(other, forged, n, back, sizeof back, &bl, &nh), DS_E_AUTH);
			assert_int_equal(ds_esp_open(rx, pkt, n, back, sizeof back, &bl, &nh), DS_OK);
			assert_int_equal(bl, sizeof pl);
			assert_memory_equal(back, pl, sizeof pl);
		}
	}
	ds_sad_free(sad);

	/* known answer through a compact SA, in a SAD and outside one */
	uint8_t key[16], iv[16], data[64], enc[80], out[256], back[256], nh;
	HEX("90d382b410eeba7ad938c46cec1a82bf", key);
	HEX("e96e8c08ab465763fd098d45dd3ff893", iv);
	HEX("08000ebda70a00008e9c083db95b070008090a0b0c0d0e0f1011121314151617"
	    "18191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637", data);
	HEX("f663c25d325c18c6a9453e194e120849a4870b66cc6b9965330013b4898dc856"
	    "a4699e523a55db080b59ec3a8e4b7e52775b07d1db34ed9c538ab50c551b874a"
	    "a269add047ad2d5913ac19b7cfbad4a6", enc);
	for (int in_sad = 0; in_sad < 2; in_sad++) {
		sad = ds_sad_new();
		ds_esp_sa_params p = { .spi = 0x4321, .mode = DS_ESP_TRANSPORT, .encr = DS_ENCR_AES_CBC,
				       .encr_key_bits = 128, .integ = DS_INTEG_HMAC_SHA2_256_128,
				       .encr_key = key, .integ_key = IKEY, .compact = true };
		p.dir = DS_ESP_OUT;
		ds_esp_sa *so = ds_esp_sa_new(&p, NULL);
		p.dir = DS_ESP_IN;
		ds_esp_sa *si = ds_esp_sa_new(&p, NULL);
		/* another SA of the same suite keys the shared context first */
		p.spi = 0x9999;
		p.encr_key = EKEY;
		ds_esp_sa *decoy = ds_esp_sa_new(&p, NULL);
		if (in_sad) {
			assert_int_equal(ds_sad_add(sad, so, 1), DS_OK);
			assert_int_equal(ds_sad_add(sad, si, 0), DS_OK);
			assert_int_equal(ds_sad_add(sad, decoy, 0), DS_OK);
		}
		size_t n, bl;
		uint8_t junk[64];
		(void)ds_esp_open(decoy, junk, sizeof junk, back, sizeof back, &bl, &nh);
		assert_int_equal(ds_esp_seal_iv(so, 1, data, sizeof data, iv, out, sizeof out, &n), DS_OK);
		assert_memory_equal(out + 24, enc, 80);
		assert_int_equal(ds_esp_open(si, out, n, back, sizeof back, &bl, &nh), DS_OK);
		assert_memory_equal(back, data, 64);
		if (!in_sad) {
			ds_esp_sa_free(so);
			ds_esp_sa_free(si);
			ds_esp_sa_free(decoy);
		}
		ds_sad_free(sad);
	}
}

static void udp4500_demux(void **state)
{
	(void)state;
	uint8_t ka[1], ike[32], wrapped[40], esp[12] = { 0, 0, 1, 0, 0, 0, 0, 1 };
	size_t off = 99, n = 0;
	assert_int_equal(ds_udp4500_keepalive(ka, sizeof ka), 1);
	assert_int_equal(ka[0], 0xff);
	assert_int_equal(ds_udp4500_classify(ka, 1, &off), DS_UDP4500_KEEPALIVE);
	memset(ike, 0x5a, sizeof ike);
	assert_int_equal(ds_udp4500_wrap_ike(ike, sizeof ike, wrapped, sizeof wrapped, &n), DS_OK);
	assert_int_equal(n, 36);
	assert_int_equal(ds_udp4500_classify(wrapped, n, &off), DS_UDP4500_IKE);
	assert_int_equal(off, 4);
	assert_memory_equal(wrapped + off, ike, sizeof ike);
	assert_int_equal(ds_udp4500_classify(esp, sizeof esp, &off), DS_UDP4500_ESP);
	assert_int_equal(off, 0);
	assert_int_equal(ds_udp4500_classify(esp, 5, &off), DS_UDP4500_INVALID);
	assert_int_equal(ds_udp4500_classify(ka, 0, &off), DS_UDP4500_INVALID);
	ka[0] = 0;
	assert_int_equal(ds_udp4500_classify(ka, 1, &off), DS_UDP4500_INVALID);
	assert_int_equal(ds_udp4500_wrap_ike(ike, sizeof ike, wrapped, 35, &n), DS_E_NOSPACE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc3602_case5_transport),
		cmocka_unit_test(rfc3602_case7_tunnel),
		cmocka_unit_test(gcm_esp_draft_mcgrew_case1),
		cmocka_unit_test(round_trips),
		cmocka_unit_test(tampering_detected),
		cmocka_unit_test(replay_window_edges),
		cmocka_unit_test(replay_window_1024),
		cmocka_unit_test(replay_partial_slide),
		cmocka_unit_test(esn_and_exhaustion),
		cmocka_unit_test(lifetimes),
		cmocka_unit_test(padding_and_next_header),
		cmocka_unit_test(sa_params_rejected),
		cmocka_unit_test(sad_operations),
		cmocka_unit_test(compact_sas_share_contexts),
		cmocka_unit_test(udp4500_demux),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
