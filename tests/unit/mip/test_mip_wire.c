/* Unit tests for the MH codec and the signalling packet assembly of src/mip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/addr.h"
#include "core/buf.h"
#include "core/csum.h"
#include "core/err.h"
#include "mip/mh.h"
#include "mip/sig.h"

static const uint8_t HOA[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t HA[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t COA[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9 };

/* A.2 BU with every S2c option: exact bytes, alignment and padding checked by hand. */
static void bu_encoding_golden(void **state)
{
	(void)state;
	ds_mh_msg m = { .type = DS_MH_BU, .seq = 0x1234,
			.bu_flags = DS_BU_A | DS_BU_H | DS_BU_K | DS_BU_R | DS_BU_O,
			.lifetime = 900, .has_alt_coa = true };
	memcpy(m.alt_coa, COA, 16);
	m.ipv4_hoa.present = true;
	m.ipv4_hoa.plen = 32;
	uint8_t b[128];
	size_t n = 0;
	assert_int_equal(ds_mh_encode(&m, HOA, HA, b, sizeof b, &n), DS_OK);
	/* 6 hdr + 6 body = 12; Alt-CoA at 8n+6: PadN(2) at 12, option at 14..31; IPv4 HoA at 4n:
	 * 32..39; total 40 -> Header Len 4 */
	assert_int_equal(n, 40);
	const uint8_t head[] = { 59, 4, 5, 0 };
	assert_memory_equal(b, head, 4);
	const uint8_t body[] = { 0x12, 0x34, 0xd4, 0x40, 0x03, 0x84, 1, 0, 3, 16 };
	assert_memory_equal(b + 6, body, sizeof body);
	assert_memory_equal(b + 16, COA, 16);
	const uint8_t v4[] = { 29, 6, 0x80, 0x00, 0, 0, 0, 0 };
	assert_memory_equal(b + 32, v4, sizeof v4);
	assert_int_equal(ds_csum_ipv6(HOA, HA, 135, b, n), 0);
	ds_mh_msg d;
	assert_int_equal(ds_mh_decode(b, n, HOA, HA, &d), DS_OK);
	assert_int_equal(d.type, DS_MH_BU);
	assert_int_equal(d.seq, 0x1234);
	assert_int_equal(d.bu_flags, m.bu_flags);
	assert_int_equal(d.lifetime, 900);
	assert_true(d.has_alt_coa);
	assert_memory_equal(d.alt_coa, COA, 16);
	assert_true(d.ipv4_hoa.present);
	assert_int_equal(d.ipv4_hoa.plen, 32);
	assert_false(d.ipv4_hoa.p);
	/* wrong pseudo-header -> checksum error */
	assert_int_equal(ds_mh_decode(b, n, COA, HA, &d), DS_E_CHECKSUM);
	/* header length lies */
	b[1] = 5;
	assert_int_equal(ds_mh_decode(b, n, HOA, HA, &d), DS_E_OVERRUN);
	b[1] = 3;
	assert_int_equal(ds_mh_decode(b, n, HOA, HA, &d), DS_E_BADLEN);
}

static void ba_round_trip(void **state)
{
	(void)state;
	ds_mh_msg m = { .type = DS_MH_BA, .status = 0, .ba_flags = DS_BA_K | DS_BA_R, .seq = 7,
			.lifetime = 225, .has_refresh = true, .refresh = 200 };
	m.ipv4_ack = (ds_mh_ipv4_ack){ true, DS_V4ACK_SUCCESS, 32, { 10, 45, 0, 7 } };
	m.nat = (ds_mh_nat_det){ true, true, 110 };
	uint8_t b[128];
	size_t n;
	assert_int_equal(ds_mh_encode(&m, HA, HOA, b, sizeof b, &n), DS_OK);
	assert_int_equal(n % 8, 0);
	ds_mh_msg d;
	assert_int_equal(ds_mh_decode(b, n, HA, HOA, &d), DS_OK);
	assert_int_equal(d.type, DS_MH_BA);
	assert_int_equal(d.ba_flags, DS_BA_K | DS_BA_R);
	assert_int_equal(d.seq, 7);
	assert_int_equal(d.lifetime, 225);
	assert_true(d.has_refresh);
	assert_int_equal(d.refresh, 200);
	assert_true(d.ipv4_ack.present);
	assert_int_equal(d.ipv4_ack.plen, 32);
	assert_memory_equal(d.ipv4_ack.addr, ((uint8_t[]){ 10, 45, 0, 7 }), 4);
	assert_true(d.nat.present && d.nat.f);
	assert_int_equal(d.nat.refresh_s, 110);
}

static void bri_bra_round_trip_and_unknown(void **state)
{
	(void)state;
	ds_mh_msg m = { .type = DS_MH_BR, .br_type = DS_BR_BRI, .status = DS_BR_TRIGGER_ADMIN,
			.seq = 65535 };
	uint8_t b[64];
	size_t n;
	assert_int_equal(ds_mh_encode(&m, HA, HOA, b, sizeof b, &n), DS_OK);
	assert_int_equal(n, 16);
	ds_mh_msg d;
	assert_int_equal(ds_mh_decode(b, n, HA, HOA, &d), DS_OK);
	assert_int_equal(d.br_type, DS_BR_BRI);
	assert_int_equal(d.status, 1);
	assert_int_equal(d.seq, 65535);
	assert_int_equal(d.br_flags, 0);
	/* unknown MH type 11 -> DS_E_UNKNOWN_TYPE with the type reported */
	b[2] = 11;
	ds_put_u16(b + 4, 0);
	ds_put_u16(b + 4, ds_csum_ipv6(HA, HOA, 135, b, n));
	assert_int_equal(ds_mh_decode(b, n, HA, HOA, &d), DS_E_UNKNOWN_TYPE);
	assert_int_equal(d.type, 11);
	/* option overrunning the message */
	ds_mh_msg ba = { .type = DS_MH_BA, .has_refresh = true, .refresh = 1 };
	assert_int_equal(ds_mh_encode(&ba, HA, HOA, b, sizeof b, &n), DS_OK);
	b[13] = 200;   /* refresh option length */
	ds_put_u16(b + 4, 0);
	ds_put_u16(b + 4, ds_csum_ipv6(HA, HOA, 135, b, n));
	assert_int_not_equal(ds_mh_decode(b, n, HA, HOA, &d), DS_OK);
}

static void sig_packet_hao_and_rh2(void **state)
{
	(void)state;
	uint8_t mh[16] = { 59, 1, 5, 0 };
	uint8_t pkt[256];
	size_t n;
	assert_int_equal(ds_sig_build(COA, HA, HOA, NULL, NULL, mh, sizeof mh, pkt, sizeof pkt, &n),
			 DS_OK);
	assert_int_equal(n, 40 + 24 + 16);
	ds_ip6_view v;
	assert_int_equal(ds_ip6_parse(pkt, n, &v), DS_OK);
	assert_true(v.has_hao);
	assert_memory_equal(v.hao, HOA, 16);
	assert_false(v.has_rh2);
	assert_int_equal(v.proto, 135);
	assert_int_equal(v.off, 64);
	assert_int_equal(v.len, 16);
	assert_int_equal(ds_sig_build(HA, COA, NULL, HOA, NULL, mh, sizeof mh, pkt, sizeof pkt, &n),
			 DS_OK);
	assert_int_equal(ds_ip6_parse(pkt, n, &v), DS_OK);
	assert_true(v.has_rh2);
	assert_memory_equal(v.rh2, HOA, 16);
	/* segments left 0 on a type 2 RH is refused */
	pkt[43] = 0;
	assert_int_equal(ds_ip6_parse(pkt, n, &v), DS_E_RESERVED);
	/* truncated payload length */
	assert_int_equal(ds_ip6_parse(pkt, 50, &v), DS_E_OVERRUN);
}

static void encap_ipv4_header_checksum(void **state)
{
	(void)state;
	uint8_t inner[40] = { 0x60 };
	inner[5] = 0;
	uint8_t out[128];
	size_t n;
	const uint8_t s4[4] = { 192, 0, 2, 1 }, d4[4] = { 198, 51, 100, 1 };
	assert_int_equal(ds_encap4(s4, d4, inner, sizeof inner, out, sizeof out, &n), DS_OK);
	assert_int_equal(n, 60);
	ds_ip4_view v;
	assert_int_equal(ds_ip4_parse(out, n, &v), DS_OK);
	assert_int_equal(v.proto, 41);
	assert_int_equal(v.len, 40);
	out[8] ^= 1;   /* TTL change without checksum update */
	assert_int_equal(ds_ip4_parse(out, n, &v), DS_E_CHECKSUM);
	inner[0] = 0x75;
	assert_int_equal(ds_encap6(HA, COA, inner, sizeof inner, out, sizeof out, &n), DS_E_VERSION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bu_encoding_golden),
		cmocka_unit_test(ba_round_trip),
		cmocka_unit_test(bri_bra_round_trip_and_unknown),
		cmocka_unit_test(sig_packet_hao_and_rh2),
		cmocka_unit_test(encap_ipv4_header_checksum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
