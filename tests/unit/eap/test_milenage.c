/* MILENAGE known-answer tests: TS 35.208 cl. 4.3 test sets 1 to 6 (OPc from OP, f1, f1*, f2,
 * f3, f4, f5, f5*), and the vector/AUTN assembly of TS 33.102 cl. 6.3.2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/err.h"
#include "crypto/milenage.h"
#include "test_hex.h"

typedef struct tset {
	const char *k, *rand, *sqn, *amf, *op, *opc, *f1, *f1s, *f2, *f5, *f3, *f4, *f5s;
} tset;

static const tset sets[] = {
	{ "465b5ce8b199b49faa5f0a2ee238a6bc", "23553cbe9637a89d218ae64dae47bf35", "ff9bb4d0b607",
	  "b9b9", "cdc202d5123e20f62b6d676ac72cb318", "cd63cb71954a9f4e48a5994e37a02baf",
	  "4a9ffac354dfafb3", "01cfaf9ec4e871e9", "a54211d5e3ba50bf", "aa689c648370",
	  "b40ba9a3c58b2a05bbf0d987b21bf8cb", "f769bcd751044604127672711c6d3441", "451e8beca43b" },
	{ "0396eb317b6d1c36f19c1c84cd6ffd16", "c00d603103dcee52c4478119494202e8", "fd8eef40df7d",
	  "af17", "ff53bade17df5d4e793073ce9d7579fa", "53c15671c60a4b731c55b4a441c0bde2",
	  "5df5b31807e258b0", "a8c016e51ef4a343", "d3a628ed988620f0", "c47783995f72",
	  "58c433ff7a7082acd424220f2b67c556", "21a8c1f929702adb3e738488b9f5c5da", "30f1197061c1" },
	{ "fec86ba6eb707ed08905757b1bb44b8f", "9f7c8d021accf4db213ccff0c7f71a6a", "9d0277595ffc",
	  "725c", "dbc59adcb6f9a0ef735477b7fadf8374", "1006020f0a478bf6b699f15c062e42b3",
	  "9cabc3e99baf7281", "95814ba2b3044324", "8011c48c0c214ed2", "33484dc2136b",
	  "5dbdbb2954e8f3cde665b046179a5098", "59a92d3b476a0443487055cf88b2307b", "deacdd848cc6" },
	{ "9e5944aea94b81165c82fbf9f32db751", "ce83dbc54ac0274a157c17f80d017bd6", "0b604a81eca8",
	  "9e09", "223014c5806694c007ca1eeef57f004f", "a64a507ae1a2a98bb88eb4210135dc87",
	  "74a58220cba84c49", "ac2cc74a96871837", "f365cd683cd92e96", "f0b9c08ad02e",
	  "e203edb3971574f5a94b0d61b816345d", "0c4524adeac041c4dd830d20854fc46b", "6085a86c6f63" },
	{ "4ab1deb05ca6ceb051fc98e77d026a84", "74b0cd6031a1c8339b2b6ce2b8c4a186", "e880a1b580b6",
	  "9f07", "2d16c5cd1fdf6b22383584e3bef2a8d8", "dcf07cbd51855290b92a07a9891e523e",
	  "49e785dd12626ef2", "9e85790336bb3fa2", "5860fc1bce351e7e", "31e11a609118",
	  "7657766b373d1c2138f307e3de9242f9", "1c42e960d89b8fa99f2744e0708ccb53", "fe2555e54aa9" },
	{ "6c38a116ac280c454f59332ee35c8c4f", "ee6466bc96202c5a557abbeff8babf63", "414b98222181",
	  "4464", "1ba00a1a7c6700ac8c3ff3e96ad08725", "3803ef5363b947c6aaa225e58fae3934",
	  "078adfb488241a57", "80246b8d0186bcf1", "16c8233f05a0ac28", "45b0f69ab06c",
	  "3f8c7587fe8e4b233af676aede30ba3b", "a7466cc1e6b2a1337d49d3b66e95d7b4", "1f53cd2b1113" },
};

static void check_set(const tset *t)
{
	uint8_t k[16], rand[16], sqn[6], amf[2], op[16], opc[16], want[16];
	uint8_t mac_a[8], mac_s[8], res[8], ck[16], ik[16], ak[6], aks[6];
	HEX(k, t->k);
	HEX(rand, t->rand);
	HEX(sqn, t->sqn);
	HEX(amf, t->amf);
	HEX(op, t->op);
	assert_int_equal(ds_milenage_opc(k, op, opc), DS_OK);
	HEX(want, t->opc);
	assert_memory_equal(opc, want, 16);
	assert_int_equal(ds_milenage_f1(k, opc, rand, sqn, amf, mac_a, mac_s), DS_OK);
	HEX(want, t->f1);
	assert_memory_equal(mac_a, want, 8);
	HEX(want, t->f1s);
	assert_memory_equal(mac_s, want, 8);
	assert_int_equal(ds_milenage_f2345(k, opc, rand, res, ck, ik, ak, aks), DS_OK);
	HEX(want, t->f2);
	assert_memory_equal(res, want, 8);
	HEX(want, t->f3);
	assert_memory_equal(ck, want, 16);
	HEX(want, t->f4);
	assert_memory_equal(ik, want, 16);
	HEX(want, t->f5);
	assert_memory_equal(ak, want, 6);
	HEX(want, t->f5s);
	assert_memory_equal(aks, want, 6);
}

static void ts35208_set1(void **s) { (void)s; check_set(&sets[0]); }
static void ts35208_set2(void **s) { (void)s; check_set(&sets[1]); }
static void ts35208_set3(void **s) { (void)s; check_set(&sets[2]); }
static void ts35208_set4(void **s) { (void)s; check_set(&sets[3]); }
static void ts35208_set5(void **s) { (void)s; check_set(&sets[4]); }
static void ts35208_set6(void **s) { (void)s; check_set(&sets[5]); }

/* Partial outputs (NULL pointers) compute the same values as the full call. */
static void partial_outputs_match(void **s)
{
	(void)s;
	uint8_t k[16], rand[16], opc[16], ck1[16], ck2[16], aks[6], want[6];
	HEX(k, sets[0].k);
	HEX(rand, sets[0].rand);
	HEX(opc, sets[0].opc);
	assert_int_equal(ds_milenage_f2345(k, opc, rand, NULL, ck1, NULL, NULL, NULL), DS_OK);
	assert_int_equal(ds_milenage_f2345(k, opc, rand, NULL, NULL, NULL, NULL, aks), DS_OK);
	HEX(ck2, sets[0].f3);
	assert_memory_equal(ck1, ck2, 16);
	HEX(want, sets[0].f5s);
	assert_memory_equal(aks, want, 6);
}

/* AUTN = SQN xor AK || AMF || MAC-A with the set 1 values. */
static void generate_vector(void **s)
{
	(void)s;
	uint8_t k[16], rand[16], opc[16], sqn[6], amf[2], autn[16], xres[8], ck[16], ik[16];
	uint8_t ak[6], mac[8], want[16];
	HEX(k, sets[0].k);
	HEX(rand, sets[0].rand);
	HEX(opc, sets[0].opc);
	HEX(sqn, sets[0].sqn);
	HEX(amf, sets[0].amf);
	assert_int_equal(ds_milenage_generate(k, opc, rand, sqn, amf, autn, xres, ck, ik), DS_OK);
	HEX(ak, sets[0].f5);
	for (int i = 0; i < 6; i++)
		assert_int_equal(autn[i], sqn[i] ^ ak[i]);
	assert_memory_equal(autn + 6, amf, 2);
	HEX(mac, sets[0].f1);
	assert_memory_equal(autn + 8, mac, 8);
	HEX(want, sets[0].f2);
	assert_memory_equal(xres, want, 8);
	HEX(want, sets[0].f4);
	assert_memory_equal(ik, want, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ts35208_set1), cmocka_unit_test(ts35208_set2),
		cmocka_unit_test(ts35208_set3), cmocka_unit_test(ts35208_set4),
		cmocka_unit_test(ts35208_set5), cmocka_unit_test(ts35208_set6),
		cmocka_unit_test(partial_outputs_match), cmocka_unit_test(generate_vector),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
