/* IKEv2 key derivation (RFC 7296 cl. 2.14, 2.17, 2.18) and AUTH (cl. 2.15, 2.16) against values
 * computed independently with Python's hmac module from the RFC formulas. Inputs: Ni = 01..20,
 * Nr = 80..9f, g^ir = the RFC 7748 cl. 6.1 X25519 shared secret, SPIi = 0102030405060708,
 * SPIr = 1112131415161718. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/err.h"
#include "crypto/crypto.h"
#include "crypto/ikev2_keys.h"
#include "testhex.h"

#define HEX(s, buf) unhex((s), (buf), sizeof(buf))

static uint8_t ni[32], nr[32], gir[32];
static const uint8_t spi_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t spi_r[8] = { 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18 };

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < 32; i++) {
		ni[i] = (uint8_t)(i + 1);
		nr[i] = (uint8_t)(0x80 + i);
	}
	HEX("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", gir);
	return 0;
}

static void expect(const uint8_t *got, size_t len, const char *hex)
{
	uint8_t want[128];
	assert_int_equal(unhex(hex, want, sizeof want), len);
	assert_memory_equal(got, want, len);
}

/* PRF_HMAC_SHA2_256 with AES-GCM-16-128 (20 octets of SK_e*, no SK_a*). */
static void sa_keys_sha256_gcm(void **state)
{
	(void)state;
	uint8_t seed[64];
	assert_int_equal(ds_ikev2_skeyseed(DS_PRF_HMAC_SHA2_256, ni, 32, nr, 32, gir, 32, seed), DS_OK);
	expect(seed, 32, "834207a65f6f30ec01965d2175726e6f9e3c8b225fa96db37e8a79139c03564a");
	ds_ike_keys k;
	size_t el = ds_cipher_encr_keymat(DS_ENCR_AES_GCM_16, 128);
	assert_int_equal(el, 20);
	assert_int_equal(ds_ikev2_init_keys(DS_PRF_HMAC_SHA2_256, ni, 32, nr, 32, gir, 32, spi_i,
					    spi_r, el, 0, &k), DS_OK);
	assert_int_equal(k.prf_len, 32);
	expect(k.sk_d, 32, "e0ebc4da9fc898ab9b6764b0380eb2d3118abf48ff9f70af9028b558b5cbc19c");
	expect(k.sk_ei, 20, "294b33a2820a74b92281e59c73e0f229c7e8f367");
	expect(k.sk_er, 20, "ad936b92db6f8f15f7a5360324af157b20587de0");
	expect(k.sk_pi, 32, "915185d3734b4f53eba7c5fc3bf6c7a80f45f6c50c90cd580958d3ee05877197");
	expect(k.sk_pr, 32, "d6211f2236fe31b7242a81a09410ac6bd2d3614734ac79394456471eb52df697");
	/* cl. 2.17 CHILD_SA KEYMAT, without and with PFS, 2 x (20 + 0) octets */
	ds_child_keys c;
	assert_int_equal(ds_ikev2_child_keys(DS_PRF_HMAC_SHA2_256, k.sk_d, 32, NULL, 0, ni, 32, nr, 32,
					     20, 0, &c), DS_OK);
	expect(c.ei, 20, "713f31f80338883a75649241a149d11dd90a9176");
	expect(c.er, 20, "98dfe561b9533da414b6e78128b6f3f7bded6049");
	assert_int_equal(ds_ikev2_child_keys(DS_PRF_HMAC_SHA2_256, k.sk_d, 32, gir, 32, ni, 32, nr, 32,
					     20, 0, &c), DS_OK);
	expect(c.ei, 20, "374d29dfd27f8a28e61e63ae51f5abf9009cfaa9");
	expect(c.er, 20, "6c3a27cffbd8f65ac39119d22897a987daf0e67d");
	/* cl. 2.18 rekeyed IKE SA */
	assert_int_equal(ds_ikev2_rekey_skeyseed(DS_PRF_HMAC_SHA2_256, k.sk_d, 32, DS_PRF_HMAC_SHA2_256,
						 gir, 32, ni, 32, nr, 32, seed), DS_OK);
	expect(seed, 32, "c2609d37632b9c3652cc4ae5dfec478725f27e347be2888166fb091a1462d1ca");
	ds_child_keys_wipe(&c);
	ds_ike_keys_wipe(&k);
	uint8_t zero[sizeof k];
	memset(zero, 0, sizeof zero);
	assert_memory_equal(&k, zero, sizeof k);
}

/* PRF_HMAC_SHA1 with AES-CBC-256 and HMAC-SHA2-256-128: SK_a* of 32 and SK_e* of 32 octets. */
static void sa_keys_sha1_cbc(void **state)
{
	(void)state;
	ds_ike_keys k;
	assert_int_equal(ds_ikev2_init_keys(DS_PRF_HMAC_SHA1, ni, 32, nr, 32, gir, 32, spi_i, spi_r,
					    ds_cipher_encr_keymat(DS_ENCR_AES_CBC, 256),
					    ds_cipher_integ_keymat(DS_INTEG_HMAC_SHA2_256_128), &k), DS_OK);
	expect(k.sk_d, 20, "00560133b25af6f2543ac6f25317b6e3d7c44012");
	expect(k.sk_ai, 32, "942c11d8ca1c57a47d0ec81f3bed6c4a5fa89a9fac75714803a66953c14eee5c");
	expect(k.sk_ar, 32, "cfded2ab652007f7a1f14af4d9469f00b644aa0c9943c86672a9d0463b7414be");
	expect(k.sk_ei, 32, "b34b0219d657e5b7069ef8212d912995ec3d4df6e83bc4d3e70d2d353af8f500");
	expect(k.sk_er, 32, "3fce9c44918540ead124d1a993dd96bf564830ab41b827948b4f21a3174c6b55");
	expect(k.sk_pi, 20, "0d8f6e9f215d5a1f68a25880278520f9c910c070");
	expect(k.sk_pr, 20, "66bdeab4a981ec86bf354db43b11b284fae280f9");
	ds_ike_keys_wipe(&k);
	assert_int_equal(ds_ikev2_init_keys(99, ni, 32, nr, 32, gir, 32, spi_i, spi_r, 20, 0, &k),
			 DS_E_PARAM);
	assert_int_equal(ds_ikev2_init_keys(DS_PRF_HMAC_SHA1, ni, 32, nr, 32, gir, 32, spi_i, spi_r,
					    DS_IKE_MAX_ENCR_KEY + 1, 0, &k), DS_E_PARAM);
}

/* cl. 2.15/2.16: signed octets and the MSK-based AUTH of the final IKE_AUTH exchange. */
static void auth_octets_and_msk(void **state)
{
	(void)state;
	uint8_t msg[100], skpi[32], msk[64], idb[80], octets[256], auth[64];
	for (int i = 0; i < 100; i++)
		msg[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msk[i] = (uint8_t)i;
	memset(skpi, 0x33, sizeof skpi);
	const char *nai = "0001010123456789@nai.epc.mnc001.mcc001.3gppnetwork.org";
	idb[0] = 3; /* ID_RFC822_ADDR */
	idb[1] = idb[2] = idb[3] = 0;
	memcpy(idb + 4, nai, strlen(nai));
	size_t idl = 4 + strlen(nai), ol = 0;
	assert_int_equal(ds_ikev2_signed_octets(DS_PRF_HMAC_SHA2_256, msg, 100, nr, 32, skpi, 32, idb,
						idl, octets, sizeof octets, &ol), DS_OK);
	assert_int_equal(ol, 100 + 32 + 32);
	assert_memory_equal(octets, msg, 100);
	assert_memory_equal(octets + 100, nr, 32);
	expect(octets + 132, 32, "f3e43e83dfc7e9c33fdc991863edcfb55eb6da1fbd94c89b315ddb49a72ff418");
	assert_int_equal(ds_ikev2_psk_auth(DS_PRF_HMAC_SHA2_256, msk, 64, octets, ol, auth), DS_OK);
	expect(auth, 32, "9055682cfa91953e3d823f29b25ad15e46f4fdea0d173c30782324f97971d1eb");
	assert_int_equal(ds_ikev2_signed_octets(DS_PRF_HMAC_SHA2_256, msg, 100, nr, 32, skpi, 32, idb,
						idl, octets, 163, &ol), DS_E_NOSPACE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sa_keys_sha256_gcm),
		cmocka_unit_test(sa_keys_sha1_cbc),
		cmocka_unit_test(auth_octets_and_msk),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
