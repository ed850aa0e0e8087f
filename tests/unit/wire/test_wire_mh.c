/* Unit tests for the Mobility Header codec (src/wire/mh.c, mh_opt.c): message layouts from
 * RFC 6275 cl. 6.1 / RFC 5846 cl. 5, every option of RFC 6275 cl. 6.2, RFC 5555 cl. 3,
 * RFC 5094 and RFC 5648 cl. 4.3, alignment and padding, checksum, and every decode error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/csum.h"
#include "core/err.h"
#include "wire/mh.h"

static const uint8_t HA6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 };
static const uint8_t HOA6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, [15] = 1 };
static const uint8_t COA6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2 };

/* Build an MH from a message body (after the 6-octet common header): fills Payload Proto 59,
 * Header Len from the total length, the type and a zero checksum. */
static size_t mk(uint8_t *out, uint8_t type, const uint8_t *body, size_t blen)
{
	size_t len = 6 + blen;
	out[0] = 59;
	out[1] = (uint8_t)(len / 8 - 1);
	out[2] = type;
	out[3] = 0;
	out[4] = out[5] = 0;
	memcpy(out + 6, body, blen);
	return len;
}

static void bu_layout_with_altcoa_and_ipv4_hoa(void **state)
{
	(void)state;
	ds_mob_msg m = { .type = DS_MOB_BU };
	m.bu.seq = 0x1234;
	m.bu.flags = DS_MOB_BU_A | DS_MOB_BU_H | DS_MOB_BU_K;
	m.bu.lifetime = 900;
	m.opt.present = DS_MOPT_ALT_COA | DS_MOPT_IPV4_HOA;
	memcpy(m.opt.alt_coa, COA6, 16);
	m.opt.ipv4_hoa.plen = 32;
	uint8_t out[128];
	size_t len;
	assert_int_equal(ds_mob_encode(&m, out, sizeof out, &len), DS_OK);
	const uint8_t want[40] = {
		59, 4, 5, 0, 0, 0, 0x12, 0x34, 0xd0, 0x00, 0x03, 0x84,
		1, 0,                       /* PadN(2): Alternate CoA type at 14 = 8n+6 */
		3, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		29, 6, 32 << 2, 0, 0, 0, 0, 0,  /* IPv4 HoA at 32 = 4n, Prefix-len 32 */
	};
	assert_int_equal(len, sizeof want);
	assert_memory_equal(out, want, sizeof want);
}

static void ba_layout_with_ipv4_ack_and_nat(void **state)
{
	(void)state;
	ds_mob_msg m = { .type = DS_MOB_BA };
	m.ba.status = 0;
	m.ba.flags = DS_MOB_BA_K;
	m.ba.seq = 2;
	m.ba.lifetime = 900;
	m.opt.present = DS_MOPT_IPV4_ACK | DS_MOPT_NAT_DET;
	m.opt.ipv4_ack.status = DS_MOB_V4ACK_SUCCESS;
	m.opt.ipv4_ack.plen = 32;
	memcpy(m.opt.ipv4_ack.addr, (uint8_t[]){ 198, 51, 100, 17 }, 4);
	m.opt.nat.f = true;
	m.opt.nat.refresh = 110;
	uint8_t out[64];
	size_t len;
	assert_int_equal(ds_mob_encode(&m, out, sizeof out, &len), DS_OK);
	const uint8_t want[32] = {
		59, 3, 6, 0, 0, 0, 0, 0x80, 0, 2, 0x03, 0x84,
		30, 6, 0, 32 << 2, 198, 51, 100, 17,
		31, 6, 0x80, 0, 0, 0, 0, 110,
		1, 2, 0, 0,                 /* PadN(4) to a multiple of 8 octets */
	};
	assert_int_equal(len, sizeof want);
	assert_memory_equal(out, want, sizeof want);
	ds_mob_msg d;
	assert_int_equal(ds_mob_decode(out, len, &d), DS_OK);
	assert_true(ds_mob_msg_eq(&m, &d));
	assert_true(d.opt.nat.f);
	assert_int_equal(d.opt.nat.refresh, 110);
	assert_int_equal(d.opt.ipv4_ack.plen, 32);
}

static void be_brr_bri_bra_layouts(void **state)
{
	(void)state;
	uint8_t out[64];
	size_t len;
	ds_mob_msg m = { .type = DS_MOB_BE };
	m.be.status = DS_MOB_BE_UNKNOWN_MH;
	memcpy(m.be.hoa, HOA6, 16);
	assert_int_equal(ds_mob_encode(&m, out, sizeof out, &len), DS_OK);
	assert_int_equal(len, 24);                        /* 24-octet BE, no padding */
	assert_int_equal(out[1], 2);
	assert_int_equal(out[6], 2);
	assert_memory_equal(out + 8, HOA6, 16);
	ds_mob_msg d;
	assert_int_equal(ds_mob_decode(out, len, &d), DS_OK);
	assert_true(ds_mob_msg_eq(&m, &d));

	m = (ds_mob_msg){ .type = DS_MOB_BRR };
	assert_int_equal(ds_mob_encode(&m, out, sizeof out, &len), DS_OK);
	assert_int_equal(len, 8);
	assert_int_equal(out[1], 0);
	assert_int_equal(ds_mob_decode(out, len, &d), DS_OK);
	assert_int_equal(d.type, DS_MOB_BRR);

	m = (ds_mob_msg){ .type = DS_MOB_BR };
	m.br.type = DS_MOB_BRI;
	m.br.code = DS_MOB_BRI_ADMIN;
	m.br.seq = 7;
	m.br.flags = DS_MOB_BR_V | 0x0001;               /* reserved bit dropped on encode */
	assert_int_equal(ds_mob_encode(&m, out, sizeof out, &len), DS_OK);
	const uint8_t bri[16] = { 59, 1, 16, 0, 0, 0, 1, 1, 0, 7, 0x40, 0, 1, 2, 0, 0 };
	assert_int_equal(len, sizeof bri);
	assert_memory_equal(out, bri, sizeof bri);
	assert_int_equal(ds_mob_decode(out, len, &d), DS_OK);
	assert_int_equal(d.br.type, DS_MOB_BRI);
	assert_int_equal(d.br.flags, DS_MOB_BR_V);
	m.br.type = DS_MOB_BRA;
	m.br.code = DS_MOB_BRA_PARTIAL;
	assert_int_equal(ds_mob_encode(&m, out, sizeof out, &len), DS_OK);
	assert_int_equal(ds_mob_decode(out, len, &d), DS_OK);
	assert_int_equal(d.br.type, DS_MOB_BRA);
	assert_int_equal(d.br.code, DS_MOB_BRA_PARTIAL);
}

static void bu_flag_bits(void **state)
{
	(void)state;
	/* RFC 6275 cl. 6.1.7 A H L K, RFC 3963 R, RFC 5213 P, RFC 5555 F, RFC 5845 T,
	 * RFC 5648 cl. 4.2 O: ten bits from the top, the rest reserved. */
	assert_int_equal(DS_MOB_BU_A | DS_MOB_BU_H | DS_MOB_BU_L | DS_MOB_BU_K | DS_MOB_BU_M |
			 DS_MOB_BU_R | DS_MOB_BU_P | DS_MOB_BU_F | DS_MOB_BU_T | DS_MOB_BU_O,
			 DS_MOB_BU_FLAGS);
	assert_int_equal(DS_MOB_BU_O, 0x0040);
	assert_int_equal(DS_MOB_BU_F, 0x0100);
	uint8_t body[10] = { 0, 1, 0xff, 0xff, 0, 0, 1, 2, 0, 0 };
	uint8_t mh[16];
	size_t len = mk(mh, DS_MOB_BU, body, sizeof body);
	ds_mob_msg d;
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_OK);
	assert_int_equal(d.bu.flags, 0xffc0);              /* reserved bits ignored */
	uint8_t ba[10] = { 0, 0xff, 0, 1, 0, 0, 1, 2, 0, 0 };
	len = mk(mh, DS_MOB_BA, ba, sizeof ba);
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_OK);
	assert_int_equal(d.ba.flags, 0xf0);
}

static void every_option_decodes(void **state)
{
	(void)state;
	/* A BU carrying every known option at its alignment, written by hand; comments give
	 * the MH offset of each option (the body starts at MH offset 6). */
	const uint8_t body[] = {
		0, 9, 0x10, 0x00, 0, 10,                 /* 6: seq 9, K, lifetime 10 */
		2, 2, 0x01, 0x2c,                        /* 12: Refresh Advice 300 (2n) */
		4, 4, 0, 5, 0, 6,                        /* 16: Nonce Indices (2n) */
		1, 0,                                    /* 22: PadN(2) */
		29, 6, (24 << 2) | 0x02, 0, 10, 0, 0, 1, /* 24: IPv4 HoA 10.0.0.1/24 P=1 (4n) */
		30, 6, 129, 16 << 2, 10, 0, 0, 2,        /* 32: IPv4 Ack status 129 /16 (4n) */
		31, 6, 0x00, 0, 0xff, 0xff, 0xff, 0xff,  /* 40: NAT Detection F=0, no keepalive */
		32, 6, 0, 0, 192, 0, 2, 9,               /* 48: IPv4 CoA (4n) */
		1, 4, 0, 0, 0, 0,                        /* 56: PadN(6) */
		3, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		                                         /* 62: Alternate CoA (8n+6) */
		35, 4, 0, 1, 0, 0x80,                    /* 80: BID 1, H, no CoA (2n) */
		1, 2, 0, 0,                              /* 86: PadN(4) */
		35, 8, 0, 2, 3, 0, 203, 0, 113, 5,       /* 90: BID 2 status 3 IPv4 CoA (8n+2) */
		1, 4, 0, 0, 0, 0,                        /* 100: PadN(6) */
		35, 20, 0, 3, 0, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		                                         /* 106: BID 3 IPv6 CoA (8n+2) */
		1, 0,                                    /* 128: PadN(2) */
		19, 7, 0, 0, 0x28, 0xaf, 1, 0xaa, 0xbb,  /* 130: Vendor 10415/1 (4n+2) */
		1, 5, 0, 0, 0, 0, 0,                     /* 139: PadN(7) */
		5, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, /* 146: Auth Data (8n+2), last */
	};
	uint8_t mh[256];
	size_t len = mk(mh, DS_MOB_BU, body, sizeof body);
	assert_int_equal(len, 160);
	ds_mob_msg d;
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_OK);
	const ds_mob_opts *o = &d.opt;
	assert_int_equal(o->present, DS_MOPT_REFRESH | DS_MOPT_NONCE | DS_MOPT_IPV4_HOA |
			 DS_MOPT_IPV4_ACK | DS_MOPT_NAT_DET | DS_MOPT_IPV4_COA | DS_MOPT_ALT_COA |
			 DS_MOPT_BID | DS_MOPT_VENDOR | DS_MOPT_AUTH);
	assert_int_equal(o->refresh, 300);
	assert_int_equal(o->nonce_home, 5);
	assert_int_equal(o->nonce_coa, 6);
	assert_int_equal(o->ipv4_hoa.plen, 24);
	assert_true(o->ipv4_hoa.p);
	assert_memory_equal(o->ipv4_hoa.addr, ((uint8_t[]){ 10, 0, 0, 1 }), 4);
	assert_int_equal(o->ipv4_ack.status, 129);
	assert_int_equal(o->ipv4_ack.plen, 16);
	assert_false(o->nat.f);
	assert_int_equal(o->nat.refresh, 0xffffffffu);
	assert_memory_equal(o->ipv4_coa, ((uint8_t[]){ 192, 0, 2, 9 }), 4);
	assert_memory_equal(o->alt_coa, COA6, 16);
	assert_int_equal(o->n_bid, 3);
	assert_int_equal(o->bid[0].bid, 1);
	assert_true(o->bid[0].h);
	assert_int_equal(o->bid[0].coa_family, 0);
	assert_int_equal(o->bid[1].status, 3);
	assert_int_equal(o->bid[1].coa_family, 4);
	assert_memory_equal(o->bid[1].coa, ((uint8_t[]){ 203, 0, 113, 5 }), 4);
	assert_int_equal(o->bid[2].coa_family, 6);
	assert_memory_equal(o->bid[2].coa, COA6, 16);
	assert_int_equal(o->n_vendor, 1);
	assert_int_equal(o->vendor[0].vendor_id, 10415);
	assert_int_equal(o->vendor[0].subtype, 1);
	assert_int_equal(o->vendor[0].len, 2);
	assert_int_equal(o->vendor[0].data[1], 0xbb);
	assert_int_equal(o->auth[11], 12);
	assert_int_equal(o->unknown, 0);
	assert_int_equal(o->misaligned, 0);
	ds_mob_msg again;
	uint8_t out[256];
	size_t olen;
	assert_int_equal(ds_mob_encode(&d, out, sizeof out, &olen), DS_OK);
	assert_int_equal(ds_mob_decode(out, olen, &again), DS_OK);
	assert_true(ds_mob_msg_eq(&d, &again));
	assert_int_equal(again.opt.misaligned, 0);        /* the encoder always aligns */
}

static void misaligned_option_is_tolerated_and_counted(void **state)
{
	(void)state;
	/* Alternate CoA right at offset 12 (needs 8n+6): RFC 6275 cl. 6.2 makes alignment a
	 * sender rule, so the receiver accepts it. */
	uint8_t body[] = { 0, 1, 0x10, 0, 0, 1, 3, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0,
			   0, 0, 0, 2, 1, 0 };
	uint8_t mh[64];
	size_t len = mk(mh, DS_MOB_BU, body, sizeof body);
	ds_mob_msg d;
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_OK);
	assert_int_equal(d.opt.present, DS_MOPT_ALT_COA);
	assert_int_equal(d.opt.misaligned, 1);
}

static void unknown_options_skipped_and_counted(void **state)
{
	(void)state;
	/* Types 200 and 6 (Mobile Network Prefix): not understood, skipped (cl. 6.2.1). */
	const uint8_t body[] = { 0, 1, 0x10, 0, 0, 1, 200, 0, 6, 2, 0xaa, 0xbb, 1, 2, 0, 0, 0, 0 };
	uint8_t mh[64];
	size_t len = mk(mh, DS_MOB_BU, body, sizeof body);
	assert_int_equal(len, 24);
	ds_mob_msg d;
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_OK);
	assert_int_equal(d.opt.present, 0);
	assert_int_equal(d.opt.unknown, 2);
}

static void pad1_and_padn_runs(void **state)
{
	(void)state;
	/* Options made only of Pad1 octets and zero-length PadN: every octet consumed. */
	uint8_t body[18];
	memset(body, 0, sizeof body);
	body[0] = 0; body[1] = 1;
	for (size_t i = 6; i + 1 < sizeof body; i += 2) {
		body[i] = 1;
		body[i + 1] = 0;
	}
	uint8_t mh[32];
	size_t len = mk(mh, DS_MOB_BU, body, sizeof body);
	ds_mob_msg d;
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_OK);
	memset(body + 6, 0, 12);
	len = mk(mh, DS_MOB_BU, body, sizeof body);
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_OK);
	/* PadN data are ignored on receipt even when not zero (cl. 6.2.3). */
	body[6] = 1; body[7] = 10; memset(body + 8, 0xee, 10);
	len = mk(mh, DS_MOB_BU, body, sizeof body);
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_OK);
}

static void encoder_uses_pad1_for_one_octet(void **state)
{
	(void)state;
	ds_mob_msg m = { .type = DS_MOB_BA };
	m.opt.present = DS_MOPT_VENDOR;
	m.opt.n_vendor = 1;
	m.opt.vendor[0].vendor_id = 10415;
	m.opt.vendor[0].subtype = 1;
	m.opt.vendor[0].len = 4;     /* option 2 + 9 octets from 14 (4n+2) ends at 25 */
	uint8_t out[64];
	size_t len;
	assert_int_equal(ds_mob_encode(&m, out, sizeof out, &len), DS_OK);
	assert_int_equal(len, 32);
	assert_int_equal(out[12], 1);                  /* PadN(2) before the 4n+2 option */
	assert_int_equal(out[13], 0);
	assert_int_equal(out[14], 19);
	assert_int_equal(out[25], 1);                  /* PadN(7) to 32 */
	assert_int_equal(out[26], 5);
	m.opt.vendor[0].len = 10;                      /* ends at 31: one octet of Pad1 */
	assert_int_equal(ds_mob_encode(&m, out, sizeof out, &len), DS_OK);
	assert_int_equal(len, 32);
	assert_int_equal(out[31], 0);
	/* Binding Authorization Data at 8n+2 and last, after a vendor option. */
	m.opt.present |= DS_MOPT_AUTH;
	assert_int_equal(ds_mob_encode(&m, out, sizeof out, &len), DS_OK);
	assert_int_equal(out[34], 5);
	assert_int_equal(len % 8, 0);
}

static void unknown_mh_type_reports_type(void **state)
{
	(void)state;
	uint8_t mh[16] = { 59, 1, 99, 0 };
	ds_mob_msg d;
	assert_int_equal(ds_mob_decode(mh, sizeof mh, &d), DS_E_UNKNOWN_TYPE);
	assert_int_equal(d.type, 99);
	assert_int_equal(d.err_off, 2);
	mh[2] = DS_MOB_HOTI;   /* return routability is not part of this node */
	assert_int_equal(ds_mob_decode(mh, sizeof mh, &d), DS_E_UNKNOWN_TYPE);
	assert_int_equal(d.type, DS_MOB_HOTI);
	assert_string_equal(ds_mob_type_name(DS_MOB_BU), "BU");
	assert_string_equal(ds_mob_type_name(DS_MOB_BR), "BR");
	assert_string_equal(ds_mob_type_name(99), "unknown");
}

static void header_length_rules(void **state)
{
	(void)state;
	uint8_t mh[32] = { 59, 0, DS_MOB_BU, 0 };
	ds_mob_msg d;
	/* Header Len 0 = 8 octets, below the 12-octet BU: cl. 9.2, pointer to Header Len. */
	assert_int_equal(ds_mob_decode(mh, 8, &d), DS_E_BADLEN);
	assert_int_equal(d.err_off, 1);
	mh[2] = DS_MOB_BE;
	mh[1] = 1;             /* 16 octets < 24-octet BE */
	assert_int_equal(ds_mob_decode(mh, 16, &d), DS_E_BADLEN);
	mh[2] = DS_MOB_BU;
	assert_int_equal(ds_mob_decode(mh, 8, &d), DS_E_OVERRUN);    /* claims 16, has 8 */
	assert_int_equal(ds_mob_decode(mh, 24, &d), DS_E_BADLEN);    /* 8 trailing octets */
	assert_int_equal(ds_mob_decode(mh, 5, &d), DS_E_TRUNCATED);
	assert_int_equal(ds_mob_decode(NULL, 0, &d), DS_E_TRUNCATED);
	assert_int_equal(ds_mob_decode(mh, 16, &d), DS_OK);
	/* A Payload Proto other than 59 is reported, not refused (cl. 6.1.1: a SHOULD). */
	mh[0] = 6;
	assert_int_equal(ds_mob_decode(mh, 16, &d), DS_OK);
	assert_int_equal(d.payload_proto, 6);
}

static void option_overruns(void **state)
{
	(void)state;
	uint8_t mh[16];
	ds_mob_msg d;
	/* PadN claiming 3 data octets with 2 left. */
	uint8_t a[] = { 0, 1, 0x10, 0, 0, 1, 1, 3, 0, 0 };
	size_t len = mk(mh, DS_MOB_BU, a, sizeof a);
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_E_OVERRUN);
	assert_int_equal(d.err_off, 12);
	/* A type octet with no room for its Length field. */
	uint8_t b[] = { 0, 1, 0x10, 0, 0, 1, 0, 0, 0, 3 };
	len = mk(mh, DS_MOB_BU, b, sizeof b);
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_E_OVERRUN);
	assert_int_equal(d.err_off, 15);
}

static void option_wrong_lengths(void **state)
{
	(void)state;
	static const struct { uint8_t type, len; } cases[] = {
		{ DS_MOPT_T_REFRESH, 3 }, { DS_MOPT_T_ALT_COA, 15 }, { DS_MOPT_T_NONCE, 2 },
		{ DS_MOPT_T_AUTH, 16 }, { DS_MOPT_T_IPV4_HOA, 4 }, { DS_MOPT_T_IPV4_ACK, 8 },
		{ DS_MOPT_T_NAT_DET, 2 }, { DS_MOPT_T_IPV4_COA, 5 }, { DS_MOPT_T_BID, 6 },
		{ DS_MOPT_T_BID, 16 }, { DS_MOPT_T_VENDOR, 4 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t body[64] = { 0, 1, 0x10, 0, 0, 1 };
		body[6] = cases[i].type;
		body[7] = cases[i].len;
		size_t blen = 8 + cases[i].len;
		blen += (8 - (blen + 6) % 8) % 8;          /* the rest is Pad1 (zero) */
		uint8_t mh[80];
		size_t len = mk(mh, DS_MOB_BU, body, blen);
		ds_mob_msg d;
		assert_int_equal(ds_mob_decode(mh, len, &d), DS_E_BADLEN);
		assert_int_equal(d.err_off, 12);
	}
}

static void duplicate_and_limits(void **state)
{
	(void)state;
	uint8_t mh[256];
	ds_mob_msg d;
	/* Two Refresh Advice options. */
	uint8_t a[] = { 0, 1, 0x10, 0, 0, 1, 2, 2, 0, 1, 2, 2, 0, 2, 1, 0, 0, 0 };
	size_t len = mk(mh, DS_MOB_BA, a, sizeof a);
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_E_DUPLICATE);
	assert_int_equal(d.err_off, 16);
	/* An address request plus a prefix request (P = 1; RFC 5555 cl. 4.4.2): accepted, the
	 * prefix request counted; in either order the address request is kept. */
	uint8_t b[] = { 0, 1, 0x10, 0, 0, 1, 29, 6, 0x80, 0, 0, 0, 0, 0, 29, 6, 0x62, 0, 10, 0, 0, 0,
			1, 2, 0, 0 };
	len = mk(mh, DS_MOB_BU, b, sizeof b);
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_OK);
	assert_int_equal(d.opt.ipv4_hoa.plen, 32);
	assert_false(d.opt.ipv4_hoa.p);
	assert_int_equal(d.opt.ipv4_prefix_req, 1);
	b[8] = 0x62; b[10] = 10;
	b[16] = 0x80; b[18] = 0;
	len = mk(mh, DS_MOB_BU, b, sizeof b);
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_OK);
	assert_int_equal(d.opt.ipv4_hoa.plen, 32);
	assert_false(d.opt.ipv4_hoa.p);
	assert_int_equal(d.opt.ipv4_hoa.addr[0], 0);
	assert_int_equal(d.opt.ipv4_prefix_req, 1);
	/* Two address requests. */
	b[8] = 0x80;
	len = mk(mh, DS_MOB_BU, b, sizeof b);
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_E_DUPLICATE);
	assert_int_equal(d.err_off, 20);
	/* DS_MOB_MAX_BID + 1 Binding Identifiers. */
	uint8_t c[6 + (DS_MOB_MAX_BID + 1) * 6 + 8] = { 0, 1, 0x10, 0, 0, 1 };
	size_t n = 6;
	for (int i = 0; i <= DS_MOB_MAX_BID; i++) {
		c[n] = 35; c[n + 1] = 4; c[n + 3] = (uint8_t)i;
		n += 6;
	}
	n += (8 - (n + 6) % 8) % 8;
	len = mk(mh, DS_MOB_BU, c, n);
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_E_LOOP);
	/* Three vendor options. */
	uint8_t v[6 + 3 * 8 + 8] = { 0, 1, 0x10, 0, 0, 1 };
	n = 6;
	for (int i = 0; i < 3; i++) {
		v[n] = 19; v[n + 1] = 6;
		n += 8;
	}
	n += (8 - (n + 6) % 8) % 8;
	len = mk(mh, DS_MOB_BU, v, n);
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_E_LOOP);
}

static void auth_data_must_be_last(void **state)
{
	(void)state;
	uint8_t mh[64];
	ds_mob_msg d;
	uint8_t body[] = { 0, 1, 0x10, 0, 0, 1, 1, 4, 0, 0, 0, 0, 5, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
			   11, 12, 2, 2, 0, 1, 0, 0, 0, 0 };
	size_t len = mk(mh, DS_MOB_BU, body, sizeof body);
	assert_int_equal(len, 40);
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_E_RESERVED);
	assert_int_equal(d.err_off, 32);
	body[26] = 1;                 /* padding after it is fine */
	len = mk(mh, DS_MOB_BU, body, sizeof body);
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_OK);
	assert_int_equal(d.opt.present, DS_MOPT_AUTH);
}

static void br_type_reserved(void **state)
{
	(void)state;
	uint8_t mh[16];
	ds_mob_msg d;
	for (unsigned t = 0; t < 256; t++) {
		uint8_t body[10] = { (uint8_t)t, 1, 0, 7, 0, 0, 1, 2, 0, 0 };
		size_t len = mk(mh, DS_MOB_BR, body, sizeof body);
		int want = (t == DS_MOB_BRI || t == DS_MOB_BRA) ? DS_OK : DS_E_RESERVED;
		assert_int_equal(ds_mob_decode(mh, len, &d), want);
		if (want)
			assert_int_equal(d.err_off, 6);
	}
}

static void ipv4_option_fields_kept_for_the_engine(void **state)
{
	(void)state;
	/* Prefix-len 0 (RFC 5555 cl. 3.1.1: an error) and 40 are passed up unchanged so that the
	 * HA can answer with an IPv4 Address Acknowledgement failure rather than drop the BU. */
	uint8_t body[] = { 0, 1, 0x10, 0, 0, 1, 29, 6, 0, 0, 10, 0, 0, 1, 1, 2, 0, 0 };
	uint8_t mh[32];
	size_t len = mk(mh, DS_MOB_BU, body, sizeof body);
	ds_mob_msg d;
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_OK);
	assert_int_equal(d.opt.ipv4_hoa.plen, 0);
	body[8] = 40 << 2;
	len = mk(mh, DS_MOB_BU, body, sizeof body);
	assert_int_equal(ds_mob_decode(mh, len, &d), DS_OK);
	assert_int_equal(d.opt.ipv4_hoa.plen, 40);
	assert_false(d.opt.ipv4_hoa.p);
}

static void checksum_uses_callers_pseudo_header(void **state)
{
	(void)state;
	ds_mob_msg m = { .type = DS_MOB_BU };
	m.bu.seq = 1;
	m.bu.flags = DS_MOB_BU_A | DS_MOB_BU_H;
	uint8_t out[64];
	size_t len;
	/* A BU sent from the CoA with a HAO: the pseudo-header source is the HoA. */
	assert_int_equal(ds_mob_encode_csum(&m, HOA6, HA6, out, sizeof out, &len), DS_OK);
	assert_int_equal(ds_mob_csum_verify(out, len, HOA6, HA6), DS_OK);
	assert_int_equal(ds_mob_csum_verify(out, len, COA6, HA6), DS_E_CHECKSUM);
	assert_int_equal(ds_csum_ipv6(HOA6, HA6, 135, out, len), 0);
	ds_mob_msg d;
	assert_int_equal(ds_mob_decode_csum(out, len, HOA6, HA6, &d), DS_OK);
	assert_true(ds_mob_msg_eq(&m, &d));
	out[len - 1] ^= 1;
	assert_int_equal(ds_mob_decode_csum(out, len, HOA6, HA6, &d), DS_E_CHECKSUM);
	assert_int_equal(ds_mob_csum_verify(out, 3, HOA6, HA6), DS_E_TRUNCATED);
	/* Recomputing in place repairs it. */
	ds_mob_csum_set(out, len, HOA6, HA6);
	assert_int_equal(ds_mob_csum_verify(out, len, HOA6, HA6), DS_OK);
}

static void encoder_rejects_bad_input(void **state)
{
	(void)state;
	uint8_t out[64];
	size_t len;
	ds_mob_msg m = { .type = DS_MOB_HOTI };
	assert_int_equal(ds_mob_encode(&m, out, sizeof out, &len), DS_E_PARAM);
	m = (ds_mob_msg){ .type = DS_MOB_BR };
	m.br.type = 3;
	assert_int_equal(ds_mob_encode(&m, out, sizeof out, &len), DS_E_PARAM);
	m = (ds_mob_msg){ .type = DS_MOB_BU };
	m.opt.present = 1u << 20;
	assert_int_equal(ds_mob_encode(&m, out, sizeof out, &len), DS_E_PARAM);
	m.opt.present = DS_MOPT_IPV4_HOA;
	m.opt.ipv4_hoa.plen = 64;
	assert_int_equal(ds_mob_encode(&m, out, sizeof out, &len), DS_E_PARAM);
	m.opt.present = DS_MOPT_IPV4_ACK;
	m.opt.ipv4_ack.plen = 64;
	assert_int_equal(ds_mob_encode(&m, out, sizeof out, &len), DS_E_PARAM);
	m.opt.present = DS_MOPT_VENDOR;
	m.opt.n_vendor = 0;
	assert_int_equal(ds_mob_encode(&m, out, sizeof out, &len), DS_E_PARAM);
	m.opt.n_vendor = 1;
	m.opt.vendor[0].len = DS_MOB_VENDOR_MAX + 1;
	assert_int_equal(ds_mob_encode(&m, out, sizeof out, &len), DS_E_PARAM);
	m.opt.present = DS_MOPT_BID;
	m.opt.n_bid = DS_MOB_MAX_BID + 1;
	assert_int_equal(ds_mob_encode(&m, out, sizeof out, &len), DS_E_PARAM);
	m.opt.n_bid = 1;
	m.opt.bid[0].coa_family = 5;
	assert_int_equal(ds_mob_encode(&m, out, sizeof out, &len), DS_E_PARAM);
	m.opt.bid[0].coa_family = 6;
	assert_int_equal(ds_mob_encode(&m, out, 16, &len), DS_E_NOSPACE);
	assert_int_equal(ds_mob_encode(&m, out, 3, &len), DS_E_NOSPACE);
	assert_int_equal(ds_mob_encode(&m, out, 32, &len), DS_E_NOSPACE);  /* final padding */
	assert_int_equal(ds_mob_encode(&m, out, sizeof out, &len), DS_OK);
	assert_int_equal(len, 40);
	assert_int_equal(ds_mob_encode(NULL, out, sizeof out, &len), DS_E_PARAM);
}

static void every_single_option_twice_is_a_duplicate(void **state)
{
	(void)state;
	/* Each option written twice at offsets that keep it aligned (BA options start at 12). */
	static const struct { uint8_t type, len; } once[] = {
		{ DS_MOPT_T_REFRESH, 2 }, { DS_MOPT_T_NONCE, 4 }, { DS_MOPT_T_ALT_COA, 16 },
		{ DS_MOPT_T_AUTH, 12 }, { DS_MOPT_T_IPV4_ACK, 6 }, { DS_MOPT_T_NAT_DET, 6 },
		{ DS_MOPT_T_IPV4_COA, 6 },
	};
	for (size_t i = 0; i < sizeof once / sizeof once[0]; i++) {
		uint8_t body[80] = { 0, 0, 0, 1, 0, 1 };
		size_t n = 6;
		for (int k = 0; k < 2; k++) {
			body[n] = once[i].type;
			body[n + 1] = once[i].len;
			n += 2 + once[i].len;
		}
		n += (8 - (n + 6) % 8) % 8;
		uint8_t mh[96];
		size_t len = mk(mh, DS_MOB_BA, body, n);
		ds_mob_msg d;
		/* A second Binding Authorization Data is first an option after the last one. */
		int want = once[i].type == DS_MOPT_T_AUTH ? DS_E_RESERVED : DS_E_DUPLICATE;
		assert_int_equal(ds_mob_decode(mh, len, &d), want);
		assert_int_equal(d.err_off, 12 + 2 + once[i].len);
	}
}

static void msg_eq_sees_every_field(void **state)
{
	(void)state;
	ds_mob_msg base[5] = {
		{ .type = DS_MOB_BU }, { .type = DS_MOB_BA }, { .type = DS_MOB_BE },
		{ .type = DS_MOB_BR }, { .type = DS_MOB_BRR },
	};
	for (size_t t = 0; t < 5; t++) {
		ds_mob_msg *a = &base[t];
		a->br.type = DS_MOB_BRI;
		a->opt.present = DS_MOPT_REFRESH | DS_MOPT_ALT_COA | DS_MOPT_NONCE | DS_MOPT_AUTH |
				 DS_MOPT_IPV4_HOA | DS_MOPT_IPV4_ACK | DS_MOPT_NAT_DET |
				 DS_MOPT_IPV4_COA | DS_MOPT_VENDOR | DS_MOPT_BID;
		a->opt.n_vendor = 1;
		a->opt.vendor[0].len = 3;
		a->opt.n_bid = 1;
		a->opt.bid[0].coa_family = 6;
		ds_mob_msg b = *a;
		assert_true(ds_mob_msg_eq(a, &b));
		/* Receive-side counters and err_off do not count. */
		b.opt.unknown = 3;
		b.opt.misaligned = 1;
		b.err_off = 9;
		b.payload_proto = 6;
		assert_true(ds_mob_msg_eq(a, &b));
	}
	/* One change at a time must be seen. */
#define CHANGED(i, stmt) do { ds_mob_msg b = base[i]; stmt; assert_false(ds_mob_msg_eq(&base[i], &b)); } while (0)
	CHANGED(0, b.type = DS_MOB_BA);
	CHANGED(0, b.bu.seq++);
	CHANGED(0, b.bu.flags ^= DS_MOB_BU_O);
	CHANGED(0, b.bu.lifetime++);
	CHANGED(1, b.ba.status++);
	CHANGED(1, b.ba.flags ^= DS_MOB_BA_K);
	CHANGED(1, b.ba.seq++);
	CHANGED(1, b.ba.lifetime++);
	CHANGED(2, b.be.status++);
	CHANGED(2, b.be.hoa[15]++);
	CHANGED(3, b.br.type = DS_MOB_BRA);
	CHANGED(3, b.br.code++);
	CHANGED(3, b.br.seq++);
	CHANGED(3, b.br.flags ^= DS_MOB_BR_G);
	CHANGED(4, b.opt.present &= ~DS_MOPT_REFRESH);
	CHANGED(4, b.opt.refresh++);
	CHANGED(4, b.opt.alt_coa[0]++);
	CHANGED(4, b.opt.nonce_coa++);
	CHANGED(4, b.opt.auth[11]++);
	CHANGED(4, b.opt.ipv4_hoa.plen++);
	CHANGED(4, b.opt.ipv4_hoa.p = true);
	CHANGED(4, b.opt.ipv4_hoa.addr[3]++);
	CHANGED(4, b.opt.ipv4_ack.status++);
	CHANGED(4, b.opt.ipv4_ack.plen++);
	CHANGED(4, b.opt.ipv4_ack.addr[0]++);
	CHANGED(4, b.opt.nat.f = true);
	CHANGED(4, b.opt.nat.refresh++);
	CHANGED(4, b.opt.ipv4_coa[1]++);
	CHANGED(4, b.opt.n_bid = 2);
	CHANGED(4, b.opt.bid[0].bid++);
	CHANGED(4, b.opt.bid[0].status++);
	CHANGED(4, b.opt.bid[0].h = true);
	CHANGED(4, b.opt.bid[0].coa_family = 4);
	CHANGED(4, b.opt.bid[0].coa[15]++);
	CHANGED(4, b.opt.n_vendor = 2);
	CHANGED(4, b.opt.vendor[0].vendor_id++);
	CHANGED(4, b.opt.vendor[0].subtype++);
	CHANGED(4, b.opt.vendor[0].len--);
	CHANGED(4, b.opt.vendor[0].data[2]++);
#undef CHANGED
	/* Bytes past a BID's CoA or a vendor option's data do not count. */
	ds_mob_msg b = base[4];
	b.opt.vendor[0].data[3]++;
	b.opt.bid[0].coa_family = 4;
	ds_mob_msg c = b;
	c.opt.bid[0].coa[4]++;
	assert_true(ds_mob_msg_eq(&b, &c));
	/* Types this codec does not handle are never equal. */
	ds_mob_msg h1 = { .type = DS_MOB_HOT }, h2 = { .type = DS_MOB_HOT };
	assert_false(ds_mob_msg_eq(&h1, &h2));
	assert_string_equal(ds_mob_type_name(DS_MOB_BRR), "BRR");
	assert_string_equal(ds_mob_type_name(DS_MOB_HOTI), "HoTI");
	assert_string_equal(ds_mob_type_name(DS_MOB_COTI), "CoTI");
	assert_string_equal(ds_mob_type_name(DS_MOB_HOT), "HoT");
	assert_string_equal(ds_mob_type_name(DS_MOB_COT), "CoT");
	assert_string_equal(ds_mob_type_name(DS_MOB_BA), "BA");
	assert_string_equal(ds_mob_type_name(DS_MOB_BE), "BE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bu_layout_with_altcoa_and_ipv4_hoa),
		cmocka_unit_test(ba_layout_with_ipv4_ack_and_nat),
		cmocka_unit_test(be_brr_bri_bra_layouts),
		cmocka_unit_test(bu_flag_bits),
		cmocka_unit_test(every_option_decodes),
		cmocka_unit_test(misaligned_option_is_tolerated_and_counted),
		cmocka_unit_test(unknown_options_skipped_and_counted),
		cmocka_unit_test(pad1_and_padn_runs),
		cmocka_unit_test(encoder_uses_pad1_for_one_octet),
		cmocka_unit_test(unknown_mh_type_reports_type),
		cmocka_unit_test(header_length_rules),
		cmocka_unit_test(option_overruns),
		cmocka_unit_test(option_wrong_lengths),
		cmocka_unit_test(duplicate_and_limits),
		cmocka_unit_test(auth_data_must_be_last),
		cmocka_unit_test(br_type_reserved),
		cmocka_unit_test(ipv4_option_fields_kept_for_the_engine),
		cmocka_unit_test(checksum_uses_callers_pseudo_header),
		cmocka_unit_test(encoder_rejects_bad_input),
		cmocka_unit_test(every_single_option_twice_is_a_duplicate),
		cmocka_unit_test(msg_eq_sees_every_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
