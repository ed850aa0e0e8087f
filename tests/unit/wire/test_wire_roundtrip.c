/* Property tests over generated inputs (seeded PRNG, reproducible):
 *  - decode(encode(m)) == m for random MH messages with random option sets; the encoding is a
 *    multiple of 8 octets, every option aligned, the checksum verifies with the pseudo-header;
 *  - walk(build(spec)) finds what was built, for random IPv6 packets with or without HAO/RH2
 *    and for IPv4/UDP 4191 and IP-in-IP wrappers;
 *  - decoders never read out of bounds on mutated encodings (run under ASan/UBSan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/pkt.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"
#include "wire/ipv4.h"
#include "wire/mh.h"

enum { ROUNDS = 20000 };

/* xorshift64*: small, seeded, reproducible. */
static uint64_t rng_state;
static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}
static uint32_t below(uint32_t n) { return rnd() % n; }
static void fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

static void random_opts(ds_mob_opts *o)
{
	memset(o, 0, sizeof *o);
	uint32_t bits = rnd() & 0x3ff;
	o->present = bits;
	o->refresh = (uint16_t)rnd();
	fill(o->alt_coa, 16);
	o->nonce_home = (uint16_t)rnd();
	o->nonce_coa = (uint16_t)rnd();
	fill(o->auth, 12);
	o->ipv4_hoa.plen = (uint8_t)below(64);
	o->ipv4_hoa.p = rnd() & 1;
	fill(o->ipv4_hoa.addr, 4);
	o->ipv4_ack.status = (uint8_t)rnd();
	o->ipv4_ack.plen = (uint8_t)below(64);
	fill(o->ipv4_ack.addr, 4);
	o->nat.f = rnd() & 1;
	o->nat.refresh = rnd();
	fill(o->ipv4_coa, 4);
	o->n_vendor = (uint8_t)(1 + below(DS_MOB_MAX_VENDOR));
	for (unsigned i = 0; i < o->n_vendor; i++) {
		o->vendor[i].vendor_id = rnd();
		o->vendor[i].subtype = (uint8_t)rnd();
		o->vendor[i].len = (uint8_t)below(DS_MOB_VENDOR_MAX + 1);
		fill(o->vendor[i].data, o->vendor[i].len);
	}
	o->n_bid = (uint8_t)(1 + below(DS_MOB_MAX_BID));
	for (unsigned i = 0; i < o->n_bid; i++) {
		static const uint8_t fam[3] = { 0, 4, 6 };
		o->bid[i].bid = (uint16_t)rnd();
		o->bid[i].status = (uint8_t)rnd();
		o->bid[i].h = rnd() & 1;
		o->bid[i].coa_family = fam[below(3)];
		fill(o->bid[i].coa, o->bid[i].coa_family == 6 ? 16 : o->bid[i].coa_family);
	}
	if (!(bits & DS_MOPT_VENDOR))
		o->n_vendor = 0;
	if (!(bits & DS_MOPT_BID))
		o->n_bid = 0;
}

static void random_msg(ds_mob_msg *m)
{
	static const uint8_t types[] = { DS_MOB_BRR, DS_MOB_BU, DS_MOB_BA, DS_MOB_BE, DS_MOB_BR };
	memset(m, 0, sizeof *m);
	m->type = types[below(sizeof types)];
	m->bu.seq = (uint16_t)rnd();
	m->bu.flags = (uint16_t)(rnd() & DS_MOB_BU_FLAGS);
	m->bu.lifetime = (uint16_t)rnd();
	m->ba.status = (uint8_t)rnd();
	m->ba.flags = (uint8_t)(rnd() & DS_MOB_BA_FLAGS);
	m->ba.seq = (uint16_t)rnd();
	m->ba.lifetime = (uint16_t)rnd();
	m->be.status = (uint8_t)rnd();
	fill(m->be.hoa, 16);
	m->br.type = (uint8_t)(DS_MOB_BRI + below(2));
	m->br.code = (uint8_t)rnd();
	m->br.seq = (uint16_t)rnd();
	m->br.flags = (uint16_t)(rnd() & DS_MOB_BR_FLAGS);
	random_opts(&m->opt);
}

/* Alignment (x, y) of a known option type (BID by its length). */
static void align_of(uint8_t type, uint8_t len, unsigned *x, unsigned *y)
{
	*x = 1;
	*y = 0;
	switch (type) {
	case 2: case 4: *x = 2; break;
	case 3: *x = 8; *y = 6; break;
	case 5: *x = 8; *y = 2; break;
	case 19: *x = 4; *y = 2; break;
	case 29: case 30: case 31: case 32: *x = 4; break;
	case 35: if (len == 4) *x = 2; else { *x = 8; *y = 2; } break;
	default: break;
	}
}

/* Independent check of the encoder's padding: every option at its alignment, padding made of
 * Pad1 / PadN with zero data, and no padding where none is needed. */
static void check_layout(const uint8_t *mh, size_t len, size_t start)
{
	size_t i = start;
	while (i < len) {
		if (mh[i] == 0) {
			i++;
			continue;
		}
		assert_true(i + 2 <= len);
		uint8_t t = mh[i], l = mh[i + 1];
		assert_true(i + 2 + l <= len);
		if (t == 1) {
			for (size_t j = 0; j < l; j++)
				assert_int_equal(mh[i + 2 + j], 0);
		} else {
			unsigned x, y;
			align_of(t, l, &x, &y);
			assert_int_equal(i % x, y);
		}
		i += 2 + (size_t)l;
	}
	assert_int_equal(i, len);
}

static size_t fixed_part(uint8_t type)
{
	return type == DS_MOB_BRR ? 8 : type == DS_MOB_BE ? 24 : 12;
}

static void mh_roundtrip(void **state)
{
	(void)state;
	rng_state = 0x5eed0001;
	uint8_t out[DS_MOB_MAX_LEN], src[16], dst[16];
	for (int r = 0; r < ROUNDS; r++) {
		ds_mob_msg m, d;
		random_msg(&m);
		size_t len;
		fill(src, 16);
		fill(dst, 16);
		assert_int_equal(ds_mob_encode_csum(&m, src, dst, out, sizeof out, &len), DS_OK);
		assert_int_equal(len % 8, 0);
		assert_int_equal(out[1], len / 8 - 1);
		assert_int_equal(out[0], 59);
		check_layout(out, len, fixed_part(m.type));
		assert_int_equal(ds_mob_decode_csum(out, len, src, dst, &d), DS_OK);
		assert_true(ds_mob_msg_eq(&m, &d));
		assert_int_equal(d.opt.unknown, 0);
		assert_int_equal(d.opt.misaligned, 0);
		/* A buffer one octet short is refused, never overrun. */
		assert_int_equal(ds_mob_encode(&m, out, len - 1, &len), DS_E_NOSPACE);
	}
}

static void ip_roundtrip(void **state)
{
	(void)state;
	rng_state = 0x5eed0002;
	static uint8_t pl[1500], pkt[DS_PKT_MAX], outer[DS_PKT_MAX];
	for (int r = 0; r < ROUNDS / 4; r++) {
		ds_ipv6_spec s = { .hlim = (uint8_t)rnd(), .tclass = (uint8_t)rnd(),
				   .flow = rnd() & 0xfffff };
		uint8_t hao[16], rh2[16];
		fill(s.src, 16);
		fill(s.dst, 16);
		fill(hao, 16);
		fill(rh2, 16);
		hao[0] = 0x20 | (hao[0] & 0x1f);   /* a global unicast HoA (RFC 6275 cl. 9.3.1) */
		s.hao = (rnd() & 1) ? hao : NULL;
		s.rh2_hoa = (rnd() & 1) ? rh2 : NULL;
		static const uint8_t protos[] = { DS_NH_MH, DS_NH_ESP, DS_NH_IPV6, DS_NH_IPIP,
						  DS_NH_UDP, DS_NH_ICMPV6, DS_NH_TCP };
		s.proto = protos[below(sizeof protos)];
		s.payload_len = below(sizeof pl);
		fill(pl, s.payload_len);
		s.payload = pl;
		size_t len;
		assert_int_equal(ds_ipv6_build(&s, pkt, sizeof pkt, &len), DS_OK);
		ds_ipv6_pkt k;
		assert_int_equal(ds_ipv6_walk(pkt, len, &k), DS_OK);
		assert_int_equal(k.has_hao, s.hao != NULL);
		assert_int_equal(k.has_rh2, s.rh2_hoa != NULL);
		if (s.hao)
			assert_memory_equal(k.hao, hao, 16);
		if (s.rh2_hoa)
			assert_memory_equal(k.rh2_hoa, rh2, 16);
		assert_int_equal(k.proto, s.proto);
		assert_int_equal(k.len, s.payload_len);
		assert_memory_equal(pkt + k.off, pl, s.payload_len);
		assert_int_equal(k.ip.tclass, s.tclass);
		assert_int_equal(k.ip.flow, s.flow);
		/* Then carry it over IPv4: UDP 4191 or protocol 41. */
		uint8_t s4[4], d4[4];
		fill(s4, 4);
		fill(d4, 4);
		size_t olen;
		ds_ipv4_pkt k4;
		if (rnd() & 1)
			assert_int_equal(ds_ipv4_udp_build(s4, d4, (uint16_t)rnd(), DS_UDP_PORT_DSMIP,
							   0, pkt, len, outer, sizeof outer, &olen),
					 DS_OK);
		else
			assert_int_equal(ds_ipv4_encap_build(s4, d4, 0, pkt, len, outer, sizeof outer,
							     &olen), DS_OK);
		assert_int_equal(ds_ipv4_walk(outer, olen, &k4), DS_OK);
		assert_int_equal(k4.inner_ver, 6);
		assert_int_equal(k4.inner_len, len);
		assert_memory_equal(outer + k4.inner_off, pkt, len);
		assert_memory_equal(k4.ip.src, s4, 4);
	}
}

/* Mutate valid encodings at random and feed every decoder: only error codes may come back. */
static void mutated_inputs_are_rejected_cleanly(void **state)
{
	(void)state;
	rng_state = 0x5eed0003;
	static uint8_t pkt[DS_PKT_MAX], mh[DS_MOB_MAX_LEN], buf[DS_PKT_MAX];
	for (int r = 0; r < ROUNDS; r++) {
		ds_mob_msg m, d;
		random_msg(&m);
		size_t mlen, len;
		assert_int_equal(ds_mob_encode(&m, mh, sizeof mh, &mlen), DS_OK);
		m.be.hoa[0] = 0x20;
		ds_ipv6_spec s = { .hao = (rnd() & 1) ? m.be.hoa : NULL,
				   .rh2_hoa = (rnd() & 1) ? m.be.hoa : NULL, .proto = DS_NH_MH,
				   .payload = mh, .payload_len = mlen, .mh_csum = true };
		assert_int_equal(ds_ipv6_build(&s, pkt, sizeof pkt, &len), DS_OK);
		unsigned flips = 1 + below(4);
		for (unsigned i = 0; i < flips; i++)
			pkt[below((uint32_t)len)] ^= (uint8_t)(1 + below(255));
		size_t cut = (rnd() & 3) == 0 ? below((uint32_t)len + 1) : len;
		/* Copy to an exact-size heap-like slot so ASan sees any overread. */
		memcpy(buf + sizeof buf - cut, pkt, cut);
		const uint8_t *p = buf + sizeof buf - cut;
		ds_ipv6_pkt k;
		if (ds_ipv6_walk(p, cut, &k) == DS_OK && k.proto == DS_NH_MH) {
			int rc = ds_mob_decode(p + k.off, k.len, &d);
			assert_true(rc <= 0 && rc > DS_E__COUNT);
			if (rc == DS_OK) {
				uint8_t again[DS_MOB_MAX_LEN];
				size_t alen;
				assert_int_equal(ds_mob_encode(&d, again, sizeof again, &alen), DS_OK);
			}
		}
		ds_icmp6_pp pp;
		(void)ds_icmp6_pp_decode(p, cut, NULL, NULL, &pp);
		ds_ipv4_pkt k4;
		(void)ds_ipv4_walk(p, cut, &k4);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mh_roundtrip),
		cmocka_unit_test(ip_roundtrip),
		cmocka_unit_test(mutated_inputs_are_rejected_cleanly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
