/* Key derivation known-answer tests: the FIPS 186-2 change notice 1 example (the EAP-AKA PRF
 * of RFC 4187 cl. 7 / Annex A), and the four EAP-AKA' cases of RFC 9048 Appendix D (CK', IK',
 * K_encr, K_aut, K_re, MSK, EMSK). RFC 4187 itself carries no test vectors; the EAP-AKA chain
 * is also proven against hostapd in the interop suite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/sha.h>

#include "core/err.h"
#include "eap/eap_aka_keys.h"
#include "test_hex.h"

static void fips186_2_example(void **s)
{
	(void)s;
	uint8_t xkey[20], out[40], want[40];
	HEX(xkey, "bd029bbe7f51960bcf9edb2b61f06f0feb5a38b6");
	HEX(want, "2070b3223dba372fde1c0ffc7b2e3b498b2606143c6c18bacb0f6c55babb13788e20d737a3275116");
	assert_int_equal(ds_fips186_2_prf(xkey, out, sizeof out), DS_OK);
	assert_memory_equal(out, want, 40);
	assert_int_equal(ds_fips186_2_prf(xkey, out, 20), DS_E_PARAM);
}

typedef struct prime_case {
	const char *net, *rand, *autn, *ik, *ck;
	const char *ckp, *ikp, *k_encr, *k_aut, *k_re, *msk, *emsk;
} prime_case;

static const char identity[] = "0555444333222111";

static const prime_case cases[] = {
	{ "WLAN", "81e9 2b6c 0ee0 e12e bceb a8d9 2a99 dfa5", "bb52 e91c 747a c3ab 2a5c 23d1 5ee3 51d5",
	  "9744 871a d32b f9bb d1dd 5ce5 4e3e 2e5a", "5349 fbe0 9864 9f94 8f5d 2e97 3a81 c00f",
	  "0093 962d 0dd8 4aa5 684b 045c 9edf fa04", "ccfc 230c a74f cc96 c0a5 d611 64f5 a76c",
	  "766f a0a6 c317 174b 812d 52fb cd11 a179",
	  "0842 ea72 2ff6 835b fa20 3249 9fc3 ec23 c2f0 e388 b4f0 7543 ffc6 77f1 696d 71ea",
	  "cf83 aa8b c7e0 aced 892a cc98 e76a 9b20 95b5 58c7 795c 7094 715c b339 3aa7 d17a",
	  "67c4 2d9a a56c 1b79 e295 e345 9fc3 d187 d42b e0bf 818d 3070 e362 c5e9 67a4 d544"
	  "e8ec fe19 358a b303 9aff 03b7 c930 588c 055b abee 58a0 2650 b067 ec4e 9347 c75a",
	  "f861 703c d775 590e 16c7 679e a387 4ada 8663 11de 2907 64d7 60cf 76df 647e a01c"
	  "313f 6992 4bdd 7650 ca9b ac14 1ea0 75c4 ef9e 8029 c0e2 90cd bad5 638b 63bc 23fb" },
	{ "HRPD", "81e9 2b6c 0ee0 e12e bceb a8d9 2a99 dfa5", "bb52 e91c 747a c3ab 2a5c 23d1 5ee3 51d5",
	  "9744 871a d32b f9bb d1dd 5ce5 4e3e 2e5a", "5349 fbe0 9864 9f94 8f5d 2e97 3a81 c00f",
	  "3820 f027 7fa5 f777 32b1 fb1d 90c1 a0da", "db94 a0ab 557e f6c9 ab48 619c a05b 9a9f",
	  "05ad 73ac 915f ce89 ac77 e152 0d82 187b",
	  "5b4a caef 62c6 ebb8 882b 2f3d 534c 4b35 2773 37a0 0184 f20f f25d 224c 04be 2afd",
	  "3f90 bf5c 6e5e f325 ff04 eb5e f653 9fa8 cca8 3981 94fb d00b e425 b3f4 0dba 10ac",
	  "87b3 2157 0117 cd6c 95ab 6c43 6fb5 073f f15c f855 05d2 bc5b b735 5fc2 1ea8 a757"
	  "57e8 f86a 2b13 8002 e057 5291 3bb4 3b82 f868 a961 17e9 1a2d 95f5 2667 7d57 2900",
	  "c891 d5f2 0f14 8a10 0755 3e2d ea55 5c9c b672 e967 5f4a 66b4 bafa 0273 79f9 3aee"
	  "539a 5979 d0a0 042b 9d2a e28b ed3b 17a3 1dc8 ab75 072b 80bd 0c1d a612 466e 402c" },
	{ "WLAN", "e0e0 e0e0 e0e0 e0e0 e0e0 e0e0 e0e0 e0e0", "a0a0 a0a0 a0a0 a0a0 a0a0 a0a0 a0a0 a0a0",
	  "b0b0 b0b0 b0b0 b0b0 b0b0 b0b0 b0b0 b0b0", "c0c0 c0c0 c0c0 c0c0 c0c0 c0c0 c0c0 c0c0",
	  "cd4c 8e5c 68f5 7dd1 d7d7 dfd0 c538 e577", "3ece 6b70 5dbb f7df c459 a112 80c6 5524",
	  "897d 302f a284 7416 488c 28e2 0dcb 7be4",
	  "c407 00e7 7224 83ae 3dc7 139e b0b8 8bb5 58cb 3081 eccd 057f 9207 d128 6ee7 dd53",
	  "0a59 1a22 dd8b 5b1c f29e 3d50 8c91 dbbd b4ae e230 5189 2c42 b6a2 de66 ea50 4473",
	  "9f7d ca9e 37bb 2202 9ed9 86e7 cd09 d4a7 0d1a c76d 9553 5c5c ac40 a750 4699 bb89"
	  "61a2 9ef6 f3e9 0f18 3de5 861a d1be dc81 ce99 1639 1b40 1aa0 06c9 8785 a575 6df7",
	  "724d e00b db9e 5681 87be 3fe7 4611 4557 d501 8779 537e e37f 4d3c 6c73 8cb9 7b9d"
	  "c651 bc19 bfad c344 ffe2 b52c a78b d831 6b51 dacc 5f2b 1440 cb95 1552 1cc7 ba23" },
	{ "HRPD", "e0e0 e0e0 e0e0 e0e0 e0e0 e0e0 e0e0 e0e0", "a0a0 a0a0 a0a0 a0a0 a0a0 a0a0 a0a0 a0a0",
	  "b0b0 b0b0 b0b0 b0b0 b0b0 b0b0 b0b0 b0b0", "c0c0 c0c0 c0c0 c0c0 c0c0 c0c0 c0c0 c0c0",
	  "8310 a71c e6f7 5488 9613 da8f 64d5 fb46", "5adf 1436 0ae8 3819 2db2 3f6f cb7f 8c76",
	  "745e 7439 ba23 8f50 fcac 4d15 d47c d1d9",
	  "3e1d 2aa4 e677 025c fd86 2a4b e183 61a1 3a64 5765 5714 63df 833a 9759 e809 9879",
	  "99da 835e 2ae8 2462 576f e651 6fad 1f80 2f0f a119 1655 dd0a 273d a96d 04e0 fcd3",
	  "c6d3 a6e0 ceea 951e b20d 74f3 2c30 61d0 680a 04b0 b086 ee87 00ac e3e0 b95f a026"
	  "83c2 87be ee44 4322 94ff 98af 26d2 cc78 3bac e75c 4b0a f7fd feb5 511b a8e4 cbd0",
	  "7fb5 6813 838a dafa 99d1 40c2 f198 f6da cebf b6af ee44 4961 1054 02b5 08c7 f363"
	  "352c b291 9644 b504 63e6 a693 5415 0147 ae09 cbc5 4b8a 651d 8787 a689 3ed8 536d" },
};

static void check_case(const prime_case *c)
{
	uint8_t autn[16], ik[16], ck[16], ckp[16], ikp[16], want[64];
	ds_aka_keys k;
	HEX(autn, c->autn);
	HEX(ik, c->ik);
	HEX(ck, c->ck);
	/* SQN xor AK is the first six octets of AUTN */
	assert_int_equal(ds_aka_prime_ck_ik(ck, ik, c->net, strlen(c->net), autn, ckp, ikp), DS_OK);
	HEX(want, c->ckp);
	assert_memory_equal(ckp, want, 16);
	HEX(want, c->ikp);
	assert_memory_equal(ikp, want, 16);
	assert_int_equal(ds_aka_prime_derive(&k, identity, strlen(identity), ikp, ckp), DS_OK);
	assert_true(k.prime);
	HEX(want, c->k_encr);
	assert_memory_equal(k.k_encr, want, 16);
	HEX(want, c->k_aut);
	assert_memory_equal(k.k_aut, want, 32);
	HEX(want, c->k_re);
	assert_memory_equal(k.k_re, want, 32);
	HEX(want, c->msk);
	assert_memory_equal(k.msk, want, 64);
	HEX(want, c->emsk);
	assert_memory_equal(k.emsk, want, 64);
	ds_aka_keys_wipe(&k);
}

static void rfc9048_case1(void **s) { (void)s; check_case(&cases[0]); }
static void rfc9048_case2(void **s) { (void)s; check_case(&cases[1]); }
static void rfc9048_case3(void **s) { (void)s; check_case(&cases[2]); }
static void rfc9048_case4(void **s) { (void)s; check_case(&cases[3]); }

/* EAP-AKA: MK = SHA1(Identity|IK|CK), then the FIPS PRF stream is cut into K_encr (16),
 * K_aut (16), MSK (64), EMSK (64) in that order (RFC 4187 cl. 7). MK is recomputed here with a
 * one-shot SHA-1 over the concatenation. */
static void aka_key_split(void **s)
{
	(void)s;
	uint8_t ik[16], ck[16], cat[48], mk[20], stream[160];
	memset(ik, 0xb0, 16);
	memset(ck, 0xc0, 16);
	memcpy(cat, identity, 16);
	memcpy(cat + 16, ik, 16);
	memcpy(cat + 32, ck, 16);
	SHA1(cat, sizeof cat, mk);
	assert_int_equal(ds_fips186_2_prf(mk, stream, sizeof stream), DS_OK);
	ds_aka_keys k;
	assert_int_equal(ds_aka_derive(&k, identity, strlen(identity), ik, ck), DS_OK);
	assert_false(k.prime);
	assert_memory_equal(k.k_encr, stream, 16);
	assert_memory_equal(k.k_aut, stream + 16, 16);
	assert_memory_equal(k.msk, stream + 32, 64);
	assert_memory_equal(k.emsk, stream + 96, 64);
	/* a different identity gives different keys */
	ds_aka_keys k2;
	assert_int_equal(ds_aka_derive(&k2, "1555444333222111", 16, ik, ck), DS_OK);
	assert_memory_not_equal(k.msk, k2.msk, 64);
}

/* AT_MAC: HMAC-SHA1-128 for EAP-AKA, HMAC-SHA-256-128 for EAP-AKA', MAC field zeroed. */
static void mac_sign_verify(void **s)
{
	(void)s;
	ds_aka_keys k;
	memset(&k, 0, sizeof k);
	memset(k.k_aut, 0x11, sizeof k.k_aut);
	uint8_t pkt[40];
	memset(pkt, 0x5a, sizeof pkt);
	size_t off = 20;
	assert_int_equal(ds_aka_mac_sign(&k, pkt, sizeof pkt, off), DS_OK);
	assert_int_equal(ds_aka_mac_verify(&k, pkt, sizeof pkt, off), DS_OK);
	pkt[3] ^= 1;
	assert_int_equal(ds_aka_mac_verify(&k, pkt, sizeof pkt, off), DS_E_AUTH);
	pkt[3] ^= 1;
	k.prime = true;
	assert_int_equal(ds_aka_mac_verify(&k, pkt, sizeof pkt, off), DS_E_AUTH);
	assert_int_equal(ds_aka_mac_sign(&k, pkt, sizeof pkt, off), DS_OK);
	assert_int_equal(ds_aka_mac_verify(&k, pkt, sizeof pkt, off), DS_OK);
	assert_int_equal(ds_aka_mac_verify(&k, pkt, sizeof pkt, 30), DS_E_PARAM);
}

static void checkcode_lengths(void **s)
{
	(void)s;
	ds_aka_checkcode cc;
	uint8_t v[32];
	size_t n = 99;
	assert_int_equal(ds_aka_cc_init(&cc, false), DS_OK);
	assert_int_equal(ds_aka_cc_value(&cc, v, &n), DS_OK);
	assert_int_equal(n, 0);
	assert_int_equal(ds_aka_cc_add(&cc, (const uint8_t *)"abc", 3), DS_OK);
	assert_int_equal(ds_aka_cc_value(&cc, v, &n), DS_OK);
	assert_int_equal(n, 20);
	uint8_t want[20];
	HEX(want, "a9993e364706816aba3e25717850c26c9cd0d89d");  /* SHA-1("abc"), FIPS 180 */
	assert_memory_equal(v, want, 20);
	ds_aka_cc_free(&cc);
	assert_int_equal(ds_aka_cc_init(&cc, true), DS_OK);
	assert_int_equal(ds_aka_cc_add(&cc, (const uint8_t *)"abc", 3), DS_OK);
	assert_int_equal(ds_aka_cc_value(&cc, v, &n), DS_OK);
	assert_int_equal(n, 32);
	ds_aka_cc_free(&cc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fips186_2_example), cmocka_unit_test(rfc9048_case1),
		cmocka_unit_test(rfc9048_case2),     cmocka_unit_test(rfc9048_case3),
		cmocka_unit_test(rfc9048_case4),     cmocka_unit_test(aka_key_split),
		cmocka_unit_test(mac_sign_verify),   cmocka_unit_test(checkcode_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
