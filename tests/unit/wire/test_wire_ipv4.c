/* Unit tests for IPv4 (RFC 791), UDP (RFC 768, RFC 8200 cl. 8.1) and the DSMIPv6 IPv4 tunnel
 * formats (RFC 5555 cl. 4.1: UDP 4191 with an inner IPv6 or IPv4 packet, protocols 41 and 4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/csum.h"
#include "core/err.h"
#include "wire/ip6.h"
#include "wire/ipv4.h"

static const uint8_t HA4[4] = { 192, 0, 2, 1 };
static const uint8_t COA4[4] = { 203, 0, 113, 5 };
static const uint8_t HA6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 };
static const uint8_t HOA6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, [15] = 1 };

/* An inner IPv6 packet with no payload (next header 59). */
static size_t inner6(uint8_t *p)
{
	ds_ipv6_spec s = { .proto = DS_NH_NONE };
	memcpy(s.src, HOA6, 16);
	memcpy(s.dst, HA6, 16);
	size_t len;
	assert_int_equal(ds_ipv6_build(&s, p, 64, &len), DS_OK);
	return len;
}

/* An inner IPv4 packet of 20 octets (protocol 59). */
static size_t inner4(uint8_t *p)
{
	ds_ipv4_hdr h = { .tot_len = 20, .ttl = 9, .proto = 59 };
	memcpy(h.src, (uint8_t[]){ 198, 51, 100, 17 }, 4);
	memcpy(h.dst, (uint8_t[]){ 198, 51, 100, 1 }, 4);
	ds_wr w = ds_wr_init(p, 20);
	ds_ipv4_hdr_encode(&w, &h);
	assert_false(w.err);
	return 20;
}

static void header_known_answer(void **state)
{
	(void)state;
	/* The bu4 golden packet's header; tshark reports its checksum 0x7c82 as correct. */
	ds_ipv4_hdr h = { .tot_len = 100, .ttl = 64, .proto = 17 };
	memcpy(h.src, COA4, 4);
	memcpy(h.dst, HA4, 4);
	uint8_t p[20];
	ds_wr w = ds_wr_init(p, sizeof p);
	ds_ipv4_hdr_encode(&w, &h);
	const uint8_t want[20] = { 0x45, 0, 0, 100, 0, 0, 0, 0, 64, 17, 0x7c, 0x82,
				   203, 0, 113, 5, 192, 0, 2, 1 };
	assert_memory_equal(p, want, 20);
	uint8_t big[100] = { 0 };
	memcpy(big, p, 20);
	ds_ipv4_hdr d;
	assert_int_equal(ds_ipv4_hdr_decode(big, sizeof big, &d), DS_OK);
	assert_int_equal(d.ihl, 20);
	assert_int_equal(d.tot_len, 100);
	assert_int_equal(d.proto, 17);
	assert_memory_equal(d.src, COA4, 4);
	ds_wr small = ds_wr_init(p, 19);
	ds_ipv4_hdr_encode(&small, &h);
	assert_true(small.err);
}

static void header_errors(void **state)
{
	(void)state;
	uint8_t p[64] = { 0 };
	ds_ipv4_hdr h = { .tot_len = 24, .ttl = 1, .proto = 4 }, d;
	ds_wr w = ds_wr_init(p, sizeof p);
	ds_ipv4_hdr_encode(&w, &h);
	assert_int_equal(ds_ipv4_hdr_decode(p, 24, &d), DS_OK);
	assert_int_equal(ds_ipv4_hdr_decode(p, 19, &d), DS_E_TRUNCATED);
	assert_int_equal(ds_ipv4_hdr_decode(p, 23, &d), DS_E_OVERRUN);    /* Total Length 24 */
	uint8_t q[64];
	memcpy(q, p, 24);
	q[0] = 0x65;
	assert_int_equal(ds_ipv4_hdr_decode(q, 24, &d), DS_E_VERSION);
	q[0] = 0x44;
	assert_int_equal(ds_ipv4_hdr_decode(q, 24, &d), DS_E_BADLEN);    /* IHL 4 */
	q[0] = 0x4f;
	assert_int_equal(ds_ipv4_hdr_decode(q, 24, &d), DS_E_TRUNCATED); /* IHL 60 > 24 */
	memcpy(q, p, 24);
	q[3] = 19;                                                        /* Total < IHL */
	assert_int_equal(ds_ipv4_hdr_decode(q, 24, &d), DS_E_BADLEN);
	memcpy(q, p, 24);
	q[15] ^= 1;
	assert_int_equal(ds_ipv4_hdr_decode(q, 24, &d), DS_E_CHECKSUM);
	/* Fragments: MF, or a non-zero offset. DF alone is fine. */
	static const uint16_t frags[] = { DS_IPV4_MF, 1, DS_IPV4_DF | 3 };
	for (size_t i = 0; i < 3; i++) {
		h.frag = frags[i];
		w = ds_wr_init(q, sizeof q);
		ds_ipv4_hdr_encode(&w, &h);
		assert_int_equal(ds_ipv4_hdr_decode(q, 24, &d), DS_E_FRAGMENT);
	}
	h.frag = DS_IPV4_DF;
	w = ds_wr_init(q, sizeof q);
	ds_ipv4_hdr_encode(&w, &h);
	assert_int_equal(ds_ipv4_hdr_decode(q, 24, &d), DS_OK);
	assert_int_equal(d.frag, DS_IPV4_DF);
	/* Options (IHL 6) are accepted and skipped. */
	memcpy(q, p, 20);
	q[0] = 0x46;
	q[20] = 1; q[21] = 1; q[22] = 1; q[23] = 0;   /* NOP NOP NOP EOL */
	q[10] = q[11] = 0;
	ds_put_u16(q + 10, ds_csum_fold(ds_csum_add(0, q, 24)));
	assert_int_equal(ds_ipv4_hdr_decode(q, 24, &d), DS_OK);
	assert_int_equal(d.ihl, 24);
}

static void udp_checksums(void **state)
{
	(void)state;
	uint8_t buf[64], pl[4] = { 1, 2, 3, 4 };
	ds_wr w = ds_wr_init(buf, sizeof buf);
	assert_int_equal(ds_udp4_encode(&w, COA4, HA4, 4191, 4191, pl, sizeof pl), DS_OK);
	ds_udp_hdr u;
	assert_int_equal(ds_udp4_decode(buf, w.off, COA4, HA4, &u), DS_OK);
	assert_int_equal(u.sport, 4191);
	assert_int_equal(u.len, 12);
	assert_int_equal(ds_csum_ipv4(COA4, HA4, 17, buf, w.off), 0);
	buf[9] ^= 1;
	assert_int_equal(ds_udp4_decode(buf, w.off, COA4, HA4, &u), DS_E_CHECKSUM);
	buf[6] = buf[7] = 0;                   /* no checksum over IPv4: accepted (RFC 768) */
	assert_int_equal(ds_udp4_decode(buf, w.off, COA4, HA4, &u), DS_OK);
	assert_int_equal(ds_udp4_decode(buf, 7, COA4, HA4, &u), DS_E_TRUNCATED);
	assert_int_equal(ds_udp4_decode(buf, 11, COA4, HA4, &u), DS_E_OVERRUN);
	assert_int_equal(ds_udp4_decode(buf, 13, COA4, HA4, &u), DS_E_BADLEN);
	buf[5] = 7;
	assert_int_equal(ds_udp4_decode(buf, 7 + 1, COA4, HA4, &u), DS_E_BADLEN);
	/* IPv6: checksum mandatory. */
	w = ds_wr_init(buf, sizeof buf);
	assert_int_equal(ds_udp6_encode(&w, HOA6, HA6, 500, 4500, pl, sizeof pl), DS_OK);
	assert_int_equal(ds_udp6_decode(buf, w.off, HOA6, HA6, &u), DS_OK);
	assert_int_equal(ds_udp6_decode(buf, w.off, HA6, HOA6, &u), DS_OK);  /* sum commutes */
	assert_int_equal(ds_udp6_decode(buf, w.off, HOA6, HOA6, &u), DS_E_CHECKSUM);
	buf[6] = buf[7] = 0;
	assert_int_equal(ds_udp6_decode(buf, w.off, HOA6, HA6, &u), DS_E_CHECKSUM);
	w = ds_wr_init(buf, 10);
	assert_int_equal(ds_udp6_encode(&w, HOA6, HA6, 1, 2, pl, sizeof pl), DS_E_NOSPACE);
}

static void udp_zero_checksum_sent_as_ones(void **state)
{
	(void)state;
	/* Choose the payload word so that the computed checksum is 0: RFC 768 sends 0xffff. */
	uint8_t buf[16], pl[2] = { 0, 0 };
	ds_wr w = ds_wr_init(buf, sizeof buf);
	assert_int_equal(ds_udp4_encode(&w, COA4, HA4, 7, 9, pl, 2), DS_OK);
	uint16_t c = ds_get_u16(buf + 6);
	pl[0] = (uint8_t)(c >> 8);
	pl[1] = (uint8_t)c;
	w = ds_wr_init(buf, sizeof buf);
	assert_int_equal(ds_udp4_encode(&w, COA4, HA4, 7, 9, pl, 2), DS_OK);
	assert_int_equal(ds_get_u16(buf + 6), 0xffff);
	ds_udp_hdr u;
	assert_int_equal(ds_udp4_decode(buf, w.off, COA4, HA4, &u), DS_OK);
}

static void udp4191_carries_ipv6_or_ipv4(void **state)
{
	(void)state;
	uint8_t in[64], pkt[128];
	size_t ilen = inner6(in), len;
	assert_int_equal(ds_ipv4_udp_build(COA4, HA4, 40000, DS_UDP_PORT_DSMIP, 0, in, ilen, pkt,
					   sizeof pkt, &len), DS_OK);
	assert_int_equal(len, 20 + 8 + ilen);
	assert_int_equal(pkt[8], 64);
	ds_ipv4_pkt k;
	assert_int_equal(ds_ipv4_walk(pkt, len, &k), DS_OK);
	assert_true(k.udp);
	assert_int_equal(k.uh.sport, 40000);
	assert_int_equal(k.inner_ver, 6);
	assert_int_equal(k.inner_off, 28);
	assert_int_equal(k.inner_len, ilen);
	ilen = inner4(in);
	assert_int_equal(ds_ipv4_udp_build(HA4, COA4, DS_UDP_PORT_DSMIP, 40000, 3, in, ilen, pkt,
					   sizeof pkt, &len), DS_OK);
	assert_int_equal(ds_ipv4_walk(pkt, len, &k), DS_OK);
	assert_int_equal(k.inner_ver, 4);
	assert_int_equal(k.ip.ttl, 3);
	/* A UDP 4191 payload that is neither: DS_E_VERSION; too short for its version: TRUNCATED. */
	in[0] = 0x50;
	assert_int_equal(ds_ipv4_udp_build(COA4, HA4, 4191, 4191, 0, in, ilen, pkt, sizeof pkt,
					   &len), DS_OK);
	assert_int_equal(ds_ipv4_walk(pkt, len, &k), DS_E_VERSION);
	in[0] = 0x60;
	assert_int_equal(ds_ipv4_udp_build(COA4, HA4, 4191, 4191, 0, in, ilen, pkt, sizeof pkt,
					   &len), DS_OK);
	assert_int_equal(ds_ipv4_walk(pkt, len, &k), DS_E_TRUNCATED);
	/* Other ports: a plain UDP datagram, no inner packet. */
	assert_int_equal(ds_ipv4_udp_build(COA4, HA4, 500, 500, 0, in, 3, pkt, sizeof pkt, &len),
			 DS_OK);
	assert_int_equal(ds_ipv4_walk(pkt, len, &k), DS_OK);
	assert_true(k.udp);
	assert_int_equal(k.inner_ver, 0);
	/* A corrupted UDP checksum is caught by the walk. */
	pkt[len - 1] ^= 0xff;
	assert_int_equal(ds_ipv4_walk(pkt, len, &k), DS_E_CHECKSUM);
	assert_int_equal(ds_ipv4_udp_build(COA4, HA4, 1, 2, 0, in, 70000, pkt, sizeof pkt, &len),
			 DS_E_PARAM);
	assert_int_equal(ds_ipv4_udp_build(COA4, HA4, 1, 2, 0, in, 64, pkt, 50, &len),
			 DS_E_NOSPACE);
}

static void ip_in_ip_protocol_from_version(void **state)
{
	(void)state;
	uint8_t in[64], pkt[128];
	size_t ilen = inner6(in), len;
	assert_int_equal(ds_ipv4_encap_build(COA4, HA4, 0, in, ilen, pkt, sizeof pkt, &len), DS_OK);
	assert_int_equal(pkt[9], DS_NH_IPV6);           /* IPv6-in-IPv4 */
	ds_ipv4_pkt k;
	assert_int_equal(ds_ipv4_walk(pkt, len, &k), DS_OK);
	assert_int_equal(k.inner_ver, 6);
	assert_int_equal(k.inner_off, 20);
	ilen = inner4(in);
	assert_int_equal(ds_ipv4_encap_build(COA4, HA4, 0, in, ilen, pkt, sizeof pkt, &len), DS_OK);
	assert_int_equal(pkt[9], DS_NH_IPIP);           /* IPv4-in-IPv4 */
	assert_int_equal(ds_ipv4_walk(pkt, len, &k), DS_OK);
	assert_int_equal(k.inner_ver, 4);
	/* Protocol 41 around an IPv4 packet: the version must match the protocol. */
	pkt[9] = DS_NH_IPV6;
	pkt[10] = pkt[11] = 0;
	ds_put_u16(pkt + 10, ds_csum_fold(ds_csum_add(0, pkt, 20)));
	assert_int_equal(ds_ipv4_walk(pkt, len, &k), DS_E_VERSION);
	in[0] = 0x10;
	assert_int_equal(ds_ipv4_encap_build(COA4, HA4, 0, in, ilen, pkt, sizeof pkt, &len),
			 DS_E_VERSION);
	assert_int_equal(ds_ipv4_encap_build(COA4, HA4, 0, in, 0, pkt, sizeof pkt, &len),
			 DS_E_TRUNCATED);
	ilen = inner4(in);
	assert_int_equal(ds_ipv4_encap_build(COA4, HA4, 0, in, ilen, pkt, 30, &len), DS_E_NOSPACE);
	assert_int_equal(ds_ipv4_encap_build(COA4, HA4, 0, in, 65536, pkt, sizeof pkt, &len),
			 DS_E_PARAM);
	/* ESP over IPv4: offsets only. */
	ds_ipv4_hdr h = { .tot_len = 28, .ttl = 64, .proto = DS_NH_ESP };
	ds_wr w = ds_wr_init(pkt, sizeof pkt);
	ds_ipv4_hdr_encode(&w, &h);
	ds_wr_zero(&w, 8);
	assert_int_equal(ds_ipv4_walk(pkt, w.off, &k), DS_OK);
	assert_int_equal(k.proto, DS_NH_ESP);
	assert_int_equal(k.off, 20);
	assert_int_equal(k.len, 8);
	assert_int_equal(k.inner_ver, 0);
}

static void inner_version(void **state)
{
	(void)state;
	uint8_t p[40] = { 0x60 };
	assert_int_equal(ds_inner_version(p, 40), 6);
	assert_int_equal(ds_inner_version(p, 39), DS_E_TRUNCATED);
	p[0] = 0x45;
	assert_int_equal(ds_inner_version(p, 20), 4);
	assert_int_equal(ds_inner_version(p, 19), DS_E_TRUNCATED);
	p[0] = 0x00;
	assert_int_equal(ds_inner_version(p, 40), DS_E_VERSION);
	assert_int_equal(ds_inner_version(p, 0), DS_E_TRUNCATED);
	assert_int_equal(ds_inner_version(NULL, 10), DS_E_TRUNCATED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_known_answer),
		cmocka_unit_test(header_errors),
		cmocka_unit_test(udp_checksums),
		cmocka_unit_test(udp_zero_checksum_sent_as_ones),
		cmocka_unit_test(udp4191_carries_ipv6_or_ipv4),
		cmocka_unit_test(ip_in_ip_protocol_from_version),
		cmocka_unit_test(inner_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
