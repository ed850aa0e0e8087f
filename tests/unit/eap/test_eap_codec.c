/* EAP framing, EAP-AKA attribute codec and permanent NAI: round trips and strict rejection of
 * malformed input (RFC 3748 cl. 4, RFC 4187 cl. 8.1 and 10, RFC 9048 cl. 3, TS 23.003 cl. 19). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/err.h"
#include "eap/eap_aka_attr.h"
#include "eap/eap_msg.h"
#include "eap/nai.h"

static void eap_header_rules(void **s)
{
	(void)s;
	ds_eap_pkt e;
	uint8_t ok[] = { 1, 7, 0, 6, 1, 'x', 0xee };  /* one octet of link padding */
	assert_int_equal(ds_eap_parse(ok, sizeof ok, &e), DS_OK);
	assert_int_equal(e.code, 1);
	assert_int_equal(e.id, 7);
	assert_int_equal(e.type, DS_EAP_TYPE_IDENTITY);
	assert_int_equal(e.data_len, 1);
	uint8_t longer[] = { 1, 7, 0, 9, 1, 'x' };    /* Length beyond the datagram */
	assert_int_equal(ds_eap_parse(longer, sizeof longer, &e), DS_E_OVERRUN);
	uint8_t tiny[] = { 1, 7, 0, 3 };
	assert_int_equal(ds_eap_parse(tiny, sizeof tiny, &e), DS_E_BADLEN);
	uint8_t notype[] = { 2, 7, 0, 4 };
	assert_int_equal(ds_eap_parse(notype, sizeof notype, &e), DS_E_TRUNCATED);
	uint8_t succ[] = { 3, 9, 0, 4 };
	assert_int_equal(ds_eap_parse(succ, sizeof succ, &e), DS_OK);
	uint8_t succ_data[] = { 3, 9, 0, 5, 0 };
	assert_int_equal(ds_eap_parse(succ_data, sizeof succ_data, &e), DS_E_BADLEN);
	uint8_t code9[] = { 9, 9, 0, 4 };
	assert_int_equal(ds_eap_parse(code9, sizeof code9, &e), DS_E_UNKNOWN_TYPE);
	assert_int_equal(ds_eap_parse(code9, 3, &e), DS_E_TRUNCATED);
	uint8_t out[8];
	assert_int_equal(ds_eap_build_result(out, sizeof out, DS_EAP_CODE_FAILURE, 5), 4);
	assert_memory_equal(out, ((uint8_t[]){ 4, 5, 0, 4 }), 4);
	assert_int_equal(ds_eap_build_result(out, 3, DS_EAP_CODE_SUCCESS, 5), DS_E_NOSPACE);
	uint8_t types[] = { 23 };
	assert_int_equal(ds_eap_build_nak(out, sizeof out, 2, types, 1), 6);
	assert_memory_equal(out, ((uint8_t[]){ 2, 2, 0, 6, 3, 23 }), 6);
}

/* Every attribute the codec writes is read back with the same values. */
static void attr_round_trip(void **s)
{
	(void)s;
	uint8_t buf[512], rand[16], autn[16], auts[14], res[8], cc[20];
	for (int i = 0; i < 16; i++)
		rand[i] = (uint8_t)i, autn[i] = (uint8_t)(0x80 + i);
	memset(auts, 0xa5, sizeof auts);
	memset(res, 0x3c, sizeof res);
	memset(cc, 0x77, sizeof cc);
	ds_aka_builder b;
	ds_aka_begin(&b, buf, sizeof buf, DS_EAP_CODE_REQUEST, 42, DS_EAP_TYPE_AKA_PRIME,
		     DS_AKA_CHALLENGE);
	ds_aka_put_reserved(&b, DS_AT_RAND, rand, 16);
	ds_aka_put_reserved(&b, DS_AT_AUTN, autn, 16);
	ds_aka_put_lv(&b, DS_AT_KDF_INPUT, "WLAN:x", 6);
	ds_aka_put_u16(&b, DS_AT_KDF, 2);
	ds_aka_put_u16(&b, DS_AT_KDF, 1);
	ds_aka_put_u16(&b, DS_AT_BIDDING, DS_AKA_BIDDING_D);
	ds_aka_put_reserved(&b, DS_AT_CHECKCODE, cc, 20);
	ds_aka_put_auts(&b, auts);
	ds_aka_put_res(&b, res, 64);
	ds_aka_put_lv(&b, DS_AT_IDENTITY, "0001", 4);
	ds_aka_put_u16(&b, DS_AT_NOTIFICATION, 1031);
	ds_aka_put_u16(&b, DS_AT_CLIENT_ERROR_CODE, 0);
	ds_aka_put_u16(&b, DS_AT_PERMANENT_ID_REQ, 0);
	ds_aka_put_mac(&b);
	int n = ds_aka_finish(&b);
	assert_true(n > 0);
	assert_int_equal(n % 4, 0);
	ds_aka_msg m;
	assert_int_equal(ds_aka_parse(buf, (size_t)n, &m), DS_OK);
	assert_int_equal(m.code, DS_EAP_CODE_REQUEST);
	assert_int_equal(m.id, 42);
	assert_int_equal(m.type, DS_EAP_TYPE_AKA_PRIME);
	assert_int_equal(m.subtype, DS_AKA_CHALLENGE);
	assert_memory_equal(m.rand, rand, 16);
	assert_memory_equal(m.autn, autn, 16);
	assert_int_equal(m.kdf_input_len, 6);
	assert_memory_equal(m.kdf_input, "WLAN:x", 6);
	assert_int_equal(m.n_kdf, 2);
	assert_int_equal(m.kdf[0], 2);
	assert_int_equal(m.kdf[1], 1);
	assert_int_equal(m.bidding, DS_AKA_BIDDING_D);
	assert_int_equal(m.checkcode_len, 20);
	assert_memory_equal(m.auts, auts, 14);
	assert_int_equal(m.res_bits, 64);
	assert_memory_equal(m.res, res, 8);
	assert_int_equal(m.identity_len, 4);
	assert_int_equal(m.notification, 1031);
	assert_true(ds_aka_has(&m, DS_AT_CLIENT_ERROR_CODE));
	assert_true(ds_aka_has(&m, DS_AT_PERMANENT_ID_REQ));
	assert_false(ds_aka_has(&m, DS_AT_ANY_ID_REQ));
	assert_int_equal(m.mac_off, b.mac_off);
	assert_ptr_equal(m.mac, buf + b.mac_off);
}

/* Builds an EAP-AKA request around raw attribute bytes. */
static size_t wrap(uint8_t *buf, const uint8_t *attrs, size_t n)
{
	buf[0] = 1;
	buf[1] = 1;
	buf[2] = (uint8_t)((8 + n) >> 8);
	buf[3] = (uint8_t)(8 + n);
	buf[4] = DS_EAP_TYPE_AKA;
	buf[5] = DS_AKA_CHALLENGE;
	buf[6] = buf[7] = 0;
	memcpy(buf + 8, attrs, n);
	return 8 + n;
}

static void attr_rejections(void **s)
{
	(void)s;
	uint8_t buf[128];
	ds_aka_msg m;
	/* unknown non-skippable (cl. 8.1) */
	uint8_t a1[] = { 99, 1, 0, 0 };
	assert_int_equal(ds_aka_parse(buf, wrap(buf, a1, sizeof a1), &m), DS_E_UNKNOWN_TYPE);
	assert_int_equal(m.bad_attr, 99);
	/* unknown skippable: ignored */
	uint8_t a2[] = { 200, 2, 1, 2, 3, 4, 5, 6, DS_AT_BIDDING, 1, 0x80, 0 };
	assert_int_equal(ds_aka_parse(buf, wrap(buf, a2, sizeof a2), &m), DS_OK);
	assert_int_equal(m.bidding, 0x8000);
	/* zero length */
	uint8_t a3[] = { DS_AT_RESULT_IND, 0, 0, 0 };
	assert_int_equal(ds_aka_parse(buf, wrap(buf, a3, sizeof a3), &m), DS_E_BADLEN);
	/* length past the packet */
	uint8_t a4[] = { DS_AT_RAND, 5, 0, 0, 1, 2 };
	assert_int_equal(ds_aka_parse(buf, wrap(buf, a4, sizeof a4), &m), DS_E_OVERRUN);
	/* wrong fixed length */
	uint8_t a5[] = { DS_AT_MAC, 2, 0, 0, 1, 2, 3, 4 };
	assert_int_equal(ds_aka_parse(buf, wrap(buf, a5, sizeof a5), &m), DS_E_BADLEN);
	/* duplicate */
	uint8_t a6[] = { DS_AT_NOTIFICATION, 1, 0, 0, DS_AT_NOTIFICATION, 1, 0, 0 };
	assert_int_equal(ds_aka_parse(buf, wrap(buf, a6, sizeof a6), &m), DS_E_RESERVED);
	/* AT_RES with an impossible bit length, and with a length field not matching */
	uint8_t a7[] = { DS_AT_RES, 3, 0, 16, 1, 2, 3, 4, 5, 6, 7, 8 };
	assert_int_equal(ds_aka_parse(buf, wrap(buf, a7, sizeof a7), &m), DS_E_BADLEN);
	uint8_t a8[] = { DS_AT_RES, 3, 0, 128, 1, 2, 3, 4, 5, 6, 7, 8 };
	assert_int_equal(ds_aka_parse(buf, wrap(buf, a8, sizeof a8), &m), DS_E_BADLEN);
	/* AT_IDENTITY whose actual length does not fit its attribute length */
	uint8_t a9[] = { DS_AT_IDENTITY, 2, 0, 9, 'a', 'b', 'c', 'd' };
	assert_int_equal(ds_aka_parse(buf, wrap(buf, a9, sizeof a9), &m), DS_E_BADLEN);
	/* AT_CHECKCODE of 8 octets (neither 0, 20 nor 32) */
	uint8_t a10[] = { DS_AT_CHECKCODE, 3, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
	assert_int_equal(ds_aka_parse(buf, wrap(buf, a10, sizeof a10), &m), DS_E_BADLEN);
	/* AT_IV without AT_ENCR_DATA */
	uint8_t a11[20] = { DS_AT_IV, 5 };
	assert_int_equal(ds_aka_parse(buf, wrap(buf, a11, sizeof a11), &m), DS_E_RESERVED);
	/* attributes that may only live inside AT_ENCR_DATA */
	uint8_t a12[] = { DS_AT_COUNTER, 1, 0, 1 };
	assert_int_equal(ds_aka_parse(buf, wrap(buf, a12, sizeof a12), &m), DS_E_RESERVED);
	/* too many AT_KDF */
	uint8_t a13[4 * (DS_AKA_MAX_KDF + 1)];
	for (size_t i = 0; i < sizeof a13; i += 4) {
		a13[i] = DS_AT_KDF;
		a13[i + 1] = 1;
		a13[i + 2] = 0;
		a13[i + 3] = (uint8_t)(i / 4 + 1);
	}
	assert_int_equal(ds_aka_parse(buf, wrap(buf, a13, sizeof a13), &m), DS_E_LOOP);
	/* truncated attribute header and EAP-AKA header */
	uint8_t a14[] = { DS_AT_RAND };
	assert_int_equal(ds_aka_parse(buf, wrap(buf, a14, sizeof a14), &m), DS_E_TRUNCATED);
	uint8_t hdr_only[] = { 1, 1, 0, 6, 23, 1 };
	assert_int_equal(ds_aka_parse(hdr_only, sizeof hdr_only, &m), DS_E_TRUNCATED);
	/* not an AKA type */
	uint8_t md5[] = { 1, 1, 0, 8, 4, 1, 0, 0 };
	assert_int_equal(ds_aka_parse(md5, sizeof md5, &m), DS_E_UNKNOWN_TYPE);
}

static void nai_permanent(void **s)
{
	(void)s;
	ds_nai_id id;
	const char *a = "0001010123456789@nai.epc.mnc001.mcc001.3gppnetwork.org";
	assert_int_equal(ds_nai_parse(a, strlen(a), &id), DS_OK);
	assert_string_equal(id.imsi, "001010123456789");
	assert_string_equal(id.mcc, "001");
	assert_string_equal(id.mnc, "001");
	assert_int_equal(id.prefix, '0');
	assert_int_equal(id.mnc_len, 2);  /* IMSI 001 01 0123456789: "01" padded to "001" */
	const char *b = "6310260123456789@NAI.EPC.MNC260.MCC310.3GPPNETWORK.ORG";
	assert_int_equal(ds_nai_parse(b, strlen(b), &id), DS_OK);
	assert_int_equal(id.mnc_len, 3);
	assert_int_equal(id.prefix, '6');
	const char *bad[] = {
		"1001010123456789@nai.epc.mnc001.mcc001.3gppnetwork.org", /* prefix 1 = SIM */
		"0001010123456789@epc.mnc001.mcc001.3gppnetwork.org",     /* no nai. */
		"0001010123456789@nai.epc.mnc001.mcc002.3gppnetwork.org", /* MCC differs */
		"0001020123456789@nai.epc.mnc001.mcc001.3gppnetwork.org", /* MNC differs */
		"000101012345678a@nai.epc.mnc001.mcc001.3gppnetwork.org", /* non-digit */
		"000101@nai.epc.mnc001.mcc001.3gppnetwork.org",           /* IMSI too short */
		"00010101234567890@nai.epc.mnc001.mcc001.3gppnetwork.org",/* IMSI too long */
		"0001010123456789@nai.epc.mnc001.mcc001.3gppnetwork.org.", /* trailing dot */
		"0001010123456789",
		"@nai.epc.mnc001.mcc001.3gppnetwork.org",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(ds_nai_parse(bad[i], strlen(bad[i]), &id), DS_E_PARAM);
	/* an embedded NUL is refused */
	assert_int_equal(ds_nai_parse("0001010123456789\0@nai", 21, &id), DS_E_PARAM);
	char out[128];
	assert_int_equal(ds_nai_build(out, sizeof out, '0', "001010123456789", 2), (int)strlen(a));
	assert_string_equal(out, a);
	assert_int_equal(ds_nai_build(out, 10, '0', "001010123456789", 2), DS_E_NOSPACE);
	assert_int_equal(ds_nai_build(out, sizeof out, '0', "00101", 2), DS_E_PARAM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(eap_header_rules), cmocka_unit_test(attr_round_trip),
		cmocka_unit_test(attr_rejections),  cmocka_unit_test(nai_permanent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
