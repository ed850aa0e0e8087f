/* Unit tests for the IPv6 walker and builder (HAO, Type 2 RH; RFC 8200 cl. 4, RFC 6275
 * cl. 6.3, 6.4) and the ICMPv6 Parameter Problem codec (RFC 4443 cl. 3.4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/csum.h"
#include "core/err.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"
#include "wire/mh.h"

static const uint8_t HA6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 };
static const uint8_t HOA6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, [15] = 1 };
static const uint8_t COA6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2 };

static size_t bu_mh(uint8_t *out)
{
	ds_mob_msg m = { .type = DS_MOB_BU };
	m.bu.seq = 1;
	m.bu.flags = DS_MOB_BU_A | DS_MOB_BU_H | DS_MOB_BU_K;
	m.bu.lifetime = 900;
	size_t len;
	assert_int_equal(ds_mob_encode(&m, out, 64, &len), DS_OK);
	return len;
}

/* A bare IPv6 header with the given next header and payload length. */
static void hdr(uint8_t *p, uint8_t next, uint16_t plen)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	p[6] = next;
	p[7] = 64;
	memcpy(p + 8, COA6, 16);
	memcpy(p + 24, HA6, 16);
}

static void build_bu_with_hao(void **state)
{
	(void)state;
	uint8_t mh[64], pkt[256];
	size_t mlen = bu_mh(mh), len;
	ds_ipv6_spec s = { .hao = HOA6, .proto = DS_NH_MH, .payload = mh, .payload_len = mlen,
			   .mh_csum = true };
	memcpy(s.src, COA6, 16);
	memcpy(s.dst, HA6, 16);
	assert_int_equal(ds_ipv6_build(&s, pkt, sizeof pkt, &len), DS_OK);
	assert_int_equal(len, 40 + 24 + mlen);
	assert_int_equal(pkt[0], 0x60);
	assert_int_equal(pkt[6], DS_NH_DSTOPTS);
	assert_int_equal(pkt[7], 64);
	const uint8_t dopt[8] = { DS_NH_MH, 2, 1, 2, 0, 0, 201, 16 };  /* PadN(4), HAO at 8n+6 */
	assert_memory_equal(pkt + 40, dopt, 8);
	assert_memory_equal(pkt + 48, HOA6, 16);
	ds_ipv6_pkt k;
	assert_int_equal(ds_ipv6_walk(pkt, len, &k), DS_OK);
	assert_true(k.has_hao);
	assert_false(k.has_rh2);
	assert_memory_equal(k.hao, HOA6, 16);
	assert_int_equal(k.hao_off, 46);
	assert_int_equal(k.proto, DS_NH_MH);
	assert_int_equal(k.off, 64);
	assert_int_equal(k.len, mlen);
	assert_int_equal(k.n_ext, 1);
	assert_ptr_equal(ds_ipv6_pseudo_src(&k), k.hao);
	assert_ptr_equal(ds_ipv6_pseudo_dst(&k), k.ip.dst);
	/* Checksum over the HoA, not the CoA (RFC 6275 cl. 6.1.1). */
	assert_int_equal(ds_mob_csum_verify(pkt + k.off, k.len, HOA6, HA6), DS_OK);
	assert_int_equal(ds_mob_csum_verify(pkt + k.off, k.len, COA6, HA6), DS_E_CHECKSUM);
}

static void build_ba_with_rh2(void **state)
{
	(void)state;
	uint8_t mh[64], pkt[256];
	size_t mlen = bu_mh(mh), len;
	ds_ipv6_spec s = { .rh2_hoa = HOA6, .proto = DS_NH_MH, .payload = mh, .payload_len = mlen,
			   .mh_csum = true, .hlim = 255, .tclass = 0xb8, .flow = 0x12345 };
	memcpy(s.src, HA6, 16);
	memcpy(s.dst, COA6, 16);
	assert_int_equal(ds_ipv6_build(&s, pkt, sizeof pkt, &len), DS_OK);
	assert_int_equal(pkt[6], DS_NH_ROUTING);
	const uint8_t rh[8] = { DS_NH_MH, 2, 2, 1, 0, 0, 0, 0 };
	assert_memory_equal(pkt + 40, rh, 8);
	assert_memory_equal(pkt + 48, HOA6, 16);
	ds_ipv6_pkt k;
	assert_int_equal(ds_ipv6_walk(pkt, len, &k), DS_OK);
	assert_true(k.has_rh2);
	assert_int_equal(k.rh2_segleft, 1);
	assert_int_equal(k.rh2_off, 42);
	assert_int_equal(k.ip.tclass, 0xb8);
	assert_int_equal(k.ip.flow, 0x12345);
	assert_int_equal(k.ip.hlim, 255);
	assert_ptr_equal(ds_ipv6_pseudo_dst(&k), k.rh2_hoa);
	assert_int_equal(ds_mob_csum_verify(pkt + k.off, k.len, HA6, HOA6), DS_OK);
}

static void build_rh2_then_hao_then_esp(void **state)
{
	(void)state;
	uint8_t esp[20] = { 0, 0, 1, 0, 0, 0, 0, 1 }, pkt[256];
	size_t len;
	ds_ipv6_spec s = { .rh2_hoa = HOA6, .hao = HOA6, .proto = DS_NH_ESP, .payload = esp,
			   .payload_len = sizeof esp };
	memcpy(s.src, COA6, 16);
	memcpy(s.dst, HA6, 16);
	assert_int_equal(ds_ipv6_build(&s, pkt, sizeof pkt, &len), DS_OK);
	/* RFC 6275 cl. 6.3: IPv6 -> RH2 -> DO(HAO) -> ESP. */
	assert_int_equal(pkt[6], DS_NH_ROUTING);
	assert_int_equal(pkt[40], DS_NH_DSTOPTS);
	assert_int_equal(pkt[64], DS_NH_ESP);
	ds_ipv6_pkt k;
	assert_int_equal(ds_ipv6_walk(pkt, len, &k), DS_OK);
	assert_true(k.has_hao && k.has_rh2);
	assert_int_equal(k.proto, DS_NH_ESP);
	assert_int_equal(k.off, 88);
	assert_int_equal(k.len, sizeof esp);
	/* No extension header: next header is the protocol itself; ICMPv6 / none pass through. */
	s.hao = s.rh2_hoa = NULL;
	s.proto = DS_NH_NONE;
	s.payload = NULL;
	s.payload_len = 0;
	assert_int_equal(ds_ipv6_build(&s, pkt, sizeof pkt, &len), DS_OK);
	assert_int_equal(len, 40);
	assert_int_equal(ds_ipv6_walk(pkt, len, &k), DS_OK);
	assert_int_equal(k.proto, DS_NH_NONE);
	assert_int_equal(k.len, 0);
}

static void builder_errors(void **state)
{
	(void)state;
	uint8_t pl[8] = { 0 }, pkt[128];
	size_t len;
	ds_ipv6_spec s = { .proto = DS_NH_ESP, .payload = pl, .payload_len = sizeof pl,
			   .mh_csum = true };
	assert_int_equal(ds_ipv6_build(&s, pkt, sizeof pkt, &len), DS_E_PARAM);
	s.mh_csum = false;
	assert_int_equal(ds_ipv6_build(&s, pkt, 47, &len), DS_E_NOSPACE);
	s.payload = NULL;
	assert_int_equal(ds_ipv6_build(&s, pkt, sizeof pkt, &len), DS_E_PARAM);
	s.payload = pl;
	s.hao = (const uint8_t[16]){ 0xff, 0x02, [15] = 1 };   /* not unicast routable */
	assert_int_equal(ds_ipv6_build(&s, pkt, sizeof pkt, &len), DS_E_PARAM);
	s.hao = NULL;
	s.payload_len = 65536;
	assert_int_equal(ds_ipv6_build(&s, pkt, sizeof pkt, &len), DS_E_PARAM);
	assert_int_equal(ds_ipv6_build(NULL, pkt, sizeof pkt, &len), DS_E_PARAM);
}

static void walk_fixed_header_errors(void **state)
{
	(void)state;
	uint8_t p[128];
	ds_ipv6_pkt k;
	hdr(p, DS_NH_NONE, 0);
	assert_int_equal(ds_ipv6_walk(p, 39, &k), DS_E_TRUNCATED);
	p[0] = 0x45;
	assert_int_equal(ds_ipv6_walk(p, 40, &k), DS_E_VERSION);
	hdr(p, DS_NH_NONE, 9);
	assert_int_equal(ds_ipv6_walk(p, 48, &k), DS_E_OVERRUN);
	assert_int_equal(k.err_off, 4);
	hdr(p, DS_NH_NONE, 8);
	assert_int_equal(ds_ipv6_walk(p, 60, &k), DS_OK);  /* trailing link padding ignored */
	assert_int_equal(k.len, 8);
	hdr(p, DS_NH_HOPOPTS, 0);
	assert_int_equal(ds_ipv6_walk(p, 60, &k), DS_E_UNSUPPORTED);  /* jumbogram */
}

static void walk_extension_header_errors(void **state)
{
	(void)state;
	uint8_t p[512];
	ds_ipv6_pkt k;
	/* Destination Options header claiming 16 octets with 8 in the payload. */
	hdr(p, DS_NH_DSTOPTS, 8);
	memset(p + 40, 0, 8);
	p[40] = DS_NH_NONE;
	p[41] = 1;
	assert_int_equal(ds_ipv6_walk(p, 48, &k), DS_E_OVERRUN);
	assert_int_equal(k.err_off, 41);
	/* Fewer than 8 octets left for an extension header. */
	hdr(p, DS_NH_DSTOPTS, 4);
	assert_int_equal(ds_ipv6_walk(p, 44, &k), DS_E_OVERRUN);
	/* Hop-by-Hop after another header (RFC 8200 cl. 4.1). */
	hdr(p, DS_NH_DSTOPTS, 16);
	memset(p + 40, 0, 16);
	p[40] = DS_NH_HOPOPTS;
	p[48] = DS_NH_NONE;
	assert_int_equal(ds_ipv6_walk(p, 56, &k), DS_E_NEXTHDR);
	assert_int_equal(k.err_off, 40);
	/* Hop-by-Hop first is fine (options are Pad1). */
	p[6] = DS_NH_HOPOPTS;
	p[40] = DS_NH_NONE;
	assert_int_equal(ds_ipv6_walk(p, 56, &k), DS_OK);
	/* Fragment header. */
	hdr(p, DS_NH_FRAGMENT, 16);
	assert_int_equal(ds_ipv6_walk(p, 56, &k), DS_E_FRAGMENT);
	/* A chain of DS_IPV6_MAX_EXT + 1 empty Destination Options headers. */
	size_t n = DS_IPV6_MAX_EXT + 1;
	hdr(p, DS_NH_DSTOPTS, (uint16_t)(n * 8));
	memset(p + 40, 0, n * 8);
	for (size_t i = 0; i < n; i++)
		p[40 + i * 8] = i + 1 < n ? DS_NH_DSTOPTS : DS_NH_NONE;
	assert_int_equal(ds_ipv6_walk(p, 40 + n * 8, &k), DS_E_LOOP);
	p[40 + (n - 2) * 8] = DS_NH_NONE;               /* one fewer: accepted */
	assert_int_equal(ds_ipv6_walk(p, 40 + n * 8, &k), DS_OK);
	assert_int_equal(k.n_ext, DS_IPV6_MAX_EXT);
}

/* A DO header at 40 with the given 6 option octets (after Next Header / Hdr Ext Len) + 16. */
static void do_hdr(uint8_t *p, const uint8_t *opts, size_t olen)
{
	hdr(p, DS_NH_DSTOPTS, (uint16_t)(2 + olen));
	p[40] = DS_NH_NONE;
	p[41] = (uint8_t)((2 + olen) / 8 - 1);
	memcpy(p + 42, opts, olen);
}

static void walk_option_rules(void **state)
{
	(void)state;
	uint8_t p[256];
	ds_ipv6_pkt k;
	uint8_t hao_bad_len[22] = { 1, 2, 0, 0, 201, 15 };
	do_hdr(p, hao_bad_len, sizeof hao_bad_len);
	assert_int_equal(ds_ipv6_walk(p, 64, &k), DS_E_BADLEN);
	assert_int_equal(k.err_off, 47);
	/* Two HAOs. */
	uint8_t two[46] = { 1, 2, 0, 0, 201, 16, [22] = 1, 4, [28] = 201, 16 };
	memcpy(two + 6, HOA6, 16);
	memcpy(two + 30, HOA6, 16);
	do_hdr(p, two, sizeof two);
	assert_int_equal(ds_ipv6_walk(p, 88, &k), DS_E_DUPLICATE);
	assert_int_equal(k.err_off, 70);
	/* Misaligned HAO (at offset 2 instead of 8n+6) is accepted: alignment is a sender rule. */
	uint8_t early[22] = { 201, 16, [18] = 1, 2, 0, 0 };
	memcpy(early + 2, HOA6, 16);
	do_hdr(p, early, sizeof early);
	assert_int_equal(ds_ipv6_walk(p, 64, &k), DS_OK);
	assert_true(k.has_hao);
	/* RFC 6275 cl. 9.3.1: the HAO must hold a unicast routable address. */
	static const uint8_t bad_hoa[4][16] = {
		{ 0 }, { [15] = 1 }, { 0xff, 0x02, [15] = 1 }, { 0xfe, 0x80, [15] = 1 },
	};
	for (size_t i = 0; i < 4; i++) {
		uint8_t o[22] = { 1, 2, 0, 0, 201, 16 };
		memcpy(o + 6, bad_hoa[i], 16);
		do_hdr(p, o, sizeof o);
		assert_int_equal(ds_ipv6_walk(p, 64, &k), DS_E_RESERVED);
		assert_int_equal(k.err_off, 48);
	}
	uint8_t site[22] = { 1, 2, 0, 0, 201, 16, 0xfe, 0xc0, [21] = 1 };  /* not link-local */
	do_hdr(p, site, sizeof site);
	assert_int_equal(ds_ipv6_walk(p, 64, &k), DS_OK);
	/* Unknown option, action 00: skipped; 10: discard (err_off at the option). */
	uint8_t skip[6] = { 0x1e, 4, 0, 0, 0, 0 };
	do_hdr(p, skip, sizeof skip);
	assert_int_equal(ds_ipv6_walk(p, 48, &k), DS_OK);
	assert_false(k.has_hao);
	skip[0] = 0x9e;
	do_hdr(p, skip, sizeof skip);
	assert_int_equal(ds_ipv6_walk(p, 48, &k), DS_E_UNKNOWN_TYPE);
	assert_int_equal(k.err_off, 42);
	/* Option overrunning the header. */
	uint8_t over[6] = { 1, 5, 0, 0, 0, 0 };
	do_hdr(p, over, sizeof over);
	assert_int_equal(ds_ipv6_walk(p, 48, &k), DS_E_OVERRUN);
	uint8_t lone[6] = { 0, 0, 0, 0, 0, 0x1e };        /* type with no Length octet */
	do_hdr(p, lone, sizeof lone);
	assert_int_equal(ds_ipv6_walk(p, 48, &k), DS_E_OVERRUN);
	/* The HAO inside a Hop-by-Hop header is an unknown option with action 11. */
	uint8_t hbh[22] = { 1, 2, 0, 0, 201, 16 };
	do_hdr(p, hbh, sizeof hbh);
	p[6] = DS_NH_HOPOPTS;
	assert_int_equal(ds_ipv6_walk(p, 64, &k), DS_E_UNKNOWN_TYPE);
}

/* Routing header at 40: type, segments left, Hdr Ext Len. */
static void rh(uint8_t *p, uint8_t type, uint8_t segleft, uint8_t hlen)
{
	size_t len = ((size_t)hlen + 1) * 8;
	hdr(p, DS_NH_ROUTING, (uint16_t)len);
	memset(p + 40, 0, len);
	p[40] = DS_NH_NONE;
	p[41] = hlen;
	p[42] = type;
	p[43] = segleft;
	if (len >= 24)
		memcpy(p + 48, HOA6, 16);
}

static void walk_routing_rules(void **state)
{
	(void)state;
	uint8_t p[256];
	ds_ipv6_pkt k;
	rh(p, 2, 1, 2);
	assert_int_equal(ds_ipv6_walk(p, 64, &k), DS_OK);
	assert_true(k.has_rh2);
	assert_memory_equal(k.rh2_hoa, HOA6, 16);
	rh(p, 2, 1, 4);
	assert_int_equal(ds_ipv6_walk(p, 80, &k), DS_E_BADLEN);
	assert_int_equal(k.err_off, 41);
	rh(p, 2, 0, 2);
	assert_int_equal(ds_ipv6_walk(p, 64, &k), DS_E_RESERVED);
	assert_int_equal(k.err_off, 43);
	rh(p, 0, 0, 2);                  /* unknown type, nothing left to visit: ignored */
	assert_int_equal(ds_ipv6_walk(p, 64, &k), DS_OK);
	assert_false(k.has_rh2);
	rh(p, 4, 2, 2);
	assert_int_equal(ds_ipv6_walk(p, 64, &k), DS_E_UNSUPPORTED);
	assert_int_equal(k.err_off, 42);
	/* Two Type 2 routing headers. */
	hdr(p, DS_NH_ROUTING, 48);
	memset(p + 40, 0, 48);
	p[40] = DS_NH_ROUTING; p[41] = 2; p[42] = 2; p[43] = 1;
	p[64] = DS_NH_NONE; p[65] = 2; p[66] = 2; p[67] = 1;
	assert_int_equal(ds_ipv6_walk(p, 88, &k), DS_E_DUPLICATE);
}

static void icmp6_param_problem_about_hao_and_rh2(void **state)
{
	(void)state;
	uint8_t mh[64], pkt[256], icmp[512];
	size_t mlen = bu_mh(mh), len, ilen;
	ds_ipv6_spec s = { .hao = HOA6, .proto = DS_NH_MH, .payload = mh, .payload_len = mlen,
			   .mh_csum = true };
	memcpy(s.src, COA6, 16);
	memcpy(s.dst, HA6, 16);
	assert_int_equal(ds_ipv6_build(&s, pkt, sizeof pkt, &len), DS_OK);
	/* What a kernel without Mobile IPv6 answers the HA's peer: code 2 at the HAO type. */
	assert_int_equal(ds_icmp6_pp_encode(DS_ICMP6_PP_OPTION, 46, pkt, len, HA6, COA6, icmp,
					    sizeof icmp, &ilen), DS_OK);
	assert_int_equal(ilen, 8 + len);
	assert_int_equal(ds_csum_ipv6(HA6, COA6, DS_NH_ICMPV6, icmp, ilen), 0);
	ds_icmp6_pp pp;
	assert_int_equal(ds_icmp6_pp_decode(icmp, ilen, HA6, COA6, &pp), DS_OK);
	assert_int_equal(pp.type, 4);
	assert_int_equal(pp.code, 2);
	assert_int_equal(pp.pointer, 46);
	assert_true(pp.about_hao);
	assert_false(pp.about_rh2);
	assert_true(pp.inv_src_ok);
	assert_memory_equal(pp.inv_src, COA6, 16);
	assert_int_equal(pp.invoking_len, len);
	/* Same packet, pointer somewhere else: not about the HAO. */
	assert_int_equal(ds_icmp6_pp_encode(0, 6, pkt, len, HA6, COA6, icmp, sizeof icmp, &ilen),
			 DS_OK);
	assert_int_equal(ds_icmp6_pp_decode(icmp, ilen, NULL, NULL, &pp), DS_OK);
	assert_false(pp.about_hao);
	/* A BA with RH2: code 0 pointing at the Routing Type. */
	s.hao = NULL;
	s.rh2_hoa = HOA6;
	assert_int_equal(ds_ipv6_build(&s, pkt, sizeof pkt, &len), DS_OK);
	assert_int_equal(ds_icmp6_pp_encode(0, 42, pkt, len, COA6, HA6, icmp, sizeof icmp, &ilen),
			 DS_OK);
	assert_int_equal(ds_icmp6_pp_decode(icmp, ilen, COA6, HA6, &pp), DS_OK);
	assert_true(pp.about_rh2);
	assert_false(pp.about_hao);
	/* Invoking packet cut short inside the DO header: still located. */
	s.rh2_hoa = NULL;
	s.hao = HOA6;
	assert_int_equal(ds_ipv6_build(&s, pkt, sizeof pkt, &len), DS_OK);
	assert_int_equal(ds_icmp6_pp_encode(2, 46, pkt, 48, HA6, COA6, icmp, sizeof icmp, &ilen),
			 DS_OK);
	assert_int_equal(ds_icmp6_pp_decode(icmp, ilen, HA6, COA6, &pp), DS_OK);
	assert_true(pp.about_hao);
	/* Cut to 20 octets: no IPv6 header to look at. */
	assert_int_equal(ds_icmp6_pp_encode(2, 46, pkt, 20, HA6, COA6, icmp, sizeof icmp, &ilen),
			 DS_OK);
	assert_int_equal(ds_icmp6_pp_decode(icmp, ilen, HA6, COA6, &pp), DS_OK);
	assert_false(pp.inv_src_ok);
	assert_false(pp.about_hao);
}

static void icmp6_errors_and_limits(void **state)
{
	(void)state;
	uint8_t big[1500], icmp[1600];
	size_t ilen;
	memset(big, 0x60, sizeof big);
	/* RFC 4443 cl. 2.4 (c): the whole error fits 1280 octets with its IPv6 header. */
	assert_int_equal(ds_icmp6_pp_encode(1, 6, big, sizeof big, HA6, COA6, icmp, sizeof icmp,
					    &ilen), DS_OK);
	assert_int_equal(ilen, DS_ICMP6_ERR_MAX - 40);
	assert_int_equal(ds_icmp6_pp_encode(1, 6, big, sizeof big, HA6, COA6, icmp, 100, &ilen),
			 DS_E_NOSPACE);
	assert_int_equal(ds_icmp6_pp_encode(1, 6, NULL, 4, HA6, COA6, icmp, 100, &ilen),
			 DS_E_PARAM);
	ds_icmp6_pp pp;
	assert_int_equal(ds_icmp6_pp_decode(icmp, 7, NULL, NULL, &pp), DS_E_TRUNCATED);
	assert_int_equal(ds_icmp6_pp_encode(1, 6, big, 100, HA6, COA6, icmp, sizeof icmp, &ilen),
			 DS_OK);
	assert_int_equal(ds_icmp6_pp_decode(icmp, ilen, HA6, COA6, &pp), DS_OK);
	assert_int_equal(pp.code, 1);
	icmp[20] ^= 0x40;
	assert_int_equal(ds_icmp6_pp_decode(icmp, ilen, HA6, COA6, &pp), DS_E_CHECKSUM);
	/* An Echo Request (type 128) is not a Parameter Problem. */
	uint8_t echo[8] = { 128, 0, 0, 0, 0, 1, 0, 1 };
	ds_put_u16(echo + 2, ds_csum_ipv6(HA6, COA6, DS_NH_ICMPV6, echo, 8));
	assert_int_equal(ds_icmp6_pp_decode(echo, 8, HA6, COA6, &pp), DS_E_UNKNOWN_TYPE);
	assert_int_equal(pp.type, 128);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(build_bu_with_hao),
		cmocka_unit_test(build_ba_with_rh2),
		cmocka_unit_test(build_rh2_then_hao_then_esp),
		cmocka_unit_test(builder_errors),
		cmocka_unit_test(walk_fixed_header_errors),
		cmocka_unit_test(walk_extension_header_errors),
		cmocka_unit_test(walk_option_rules),
		cmocka_unit_test(walk_routing_rules),
		cmocka_unit_test(icmp6_param_problem_about_hao_and_rh2),
		cmocka_unit_test(icmp6_errors_and_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
