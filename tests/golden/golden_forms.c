/* Reference DSMIPv6 packets built with the dsmip6 wire encoders. The scapy script in this folder
 * builds the same packets from scapy layer objects; tshark decodes them. Addresses follow the
 * documentation ranges (RFC 3849, RFC 5737). */
#include "golden_forms.h"

#include <string.h>

#include "core/addr.h"
#include "core/pkt.h"
#include "core/err.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"
#include "wire/ipv4.h"
#include "wire/mh.h"

static const uint8_t HA6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 };
static const uint8_t HOA6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, [15] = 1 };
static const uint8_t COA6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2 };
static const uint8_t HA4[4] = { 192, 0, 2, 1 };
static const uint8_t COA4[4] = { 203, 0, 113, 5 };
static const uint8_t HOA4[4] = { 198, 51, 100, 17 };
enum { LIFETIME = 3600 / 4, SEQ_BRI = 7 };

/* Encode m, wrap it in IPv6 (with optional HAO / RH2) and fill the MH checksum. */
static int ip6_mh(const ds_mob_msg *m, const uint8_t src[16], const uint8_t dst[16],
		  const uint8_t *hao, const uint8_t *rh2, uint8_t *out, size_t cap, size_t *len)
{
	uint8_t mh[DS_MOB_MAX_LEN];
	size_t mlen;
	int rc = ds_mob_encode(m, mh, sizeof mh, &mlen);
	if (rc)
		return rc;
	ds_ipv6_spec s = { .hao = hao, .rh2_hoa = rh2, .proto = DS_NH_MH, .payload = mh,
			   .payload_len = mlen, .mh_csum = true };
	memcpy(s.src, src, 16);
	memcpy(s.dst, dst, 16);
	return ds_ipv6_build(&s, out, cap, len);
}

/* IPv4 / UDP 4191 / IPv6 / MH: RFC 5555 cl. 4.1, no HAO and no RH2 inside. */
static int udp_mh(const ds_mob_msg *m, const uint8_t s4[4], const uint8_t d4[4],
		  const uint8_t s6[16], const uint8_t d6[16], uint8_t *out, size_t cap, size_t *len)
{
	uint8_t in[DS_PKT_MAX];
	size_t ilen;
	int rc = ip6_mh(m, s6, d6, NULL, NULL, in, sizeof in, &ilen);
	if (rc)
		return rc;
	return ds_ipv4_udp_build(s4, d4, DS_UDP_PORT_DSMIP, DS_UDP_PORT_DSMIP, 0, in, ilen, out, cap,
				 len);
}

static int bu6(uint8_t *out, size_t cap, size_t *len)
{
	ds_mob_msg m = { .type = DS_MOB_BU };
	m.bu.seq = 1;
	m.bu.flags = DS_MOB_BU_A | DS_MOB_BU_H | DS_MOB_BU_K;
	m.bu.lifetime = LIFETIME;
	m.opt.present = DS_MOPT_ALT_COA | DS_MOPT_IPV4_HOA;
	memcpy(m.opt.alt_coa, COA6, 16);
	m.opt.ipv4_hoa.plen = 32;          /* 0.0.0.0/32: allocate one address */
	return ip6_mh(&m, COA6, HA6, HOA6, NULL, out, cap, len);
}

static int ba6(uint8_t *out, size_t cap, size_t *len)
{
	ds_mob_msg m = { .type = DS_MOB_BA };
	m.ba.status = DS_MOB_BA_ACCEPTED;
	m.ba.flags = DS_MOB_BA_K;
	m.ba.seq = 1;
	m.ba.lifetime = LIFETIME;
	m.opt.present = DS_MOPT_IPV4_ACK;
	m.opt.ipv4_ack.status = DS_MOB_V4ACK_SUCCESS;
	m.opt.ipv4_ack.plen = 32;
	memcpy(m.opt.ipv4_ack.addr, HOA4, 4);
	return ip6_mh(&m, HA6, COA6, NULL, HOA6, out, cap, len);
}

static int bu4(uint8_t *out, size_t cap, size_t *len)
{
	ds_mob_msg m = { .type = DS_MOB_BU };
	m.bu.seq = 2;
	m.bu.flags = DS_MOB_BU_A | DS_MOB_BU_H | DS_MOB_BU_K;
	m.bu.lifetime = LIFETIME;
	m.opt.present = DS_MOPT_IPV4_HOA | DS_MOPT_IPV4_COA;
	m.opt.ipv4_hoa.plen = 32;
	memcpy(m.opt.ipv4_hoa.addr, HOA4, 4);
	memcpy(m.opt.ipv4_coa, COA4, 4);
	return udp_mh(&m, COA4, HA4, HOA6, HA6, out, cap, len);
}

static int ba4(uint8_t *out, size_t cap, size_t *len)
{
	ds_mob_msg m = { .type = DS_MOB_BA };
	m.ba.flags = DS_MOB_BA_K;
	m.ba.seq = 2;
	m.ba.lifetime = LIFETIME;
	m.opt.present = DS_MOPT_IPV4_ACK | DS_MOPT_NAT_DET;
	m.opt.ipv4_ack.plen = 32;
	memcpy(m.opt.ipv4_ack.addr, HOA4, 4);
	m.opt.nat.f = true;
	m.opt.nat.refresh = 110;
	return udp_mh(&m, HA4, COA4, HA6, HOA6, out, cap, len);
}

/* BU forcing UDP encapsulation (F) from an IPv4 CoA. */
static int bu4_force(uint8_t *out, size_t cap, size_t *len)
{
	ds_mob_msg m = { .type = DS_MOB_BU };
	m.bu.seq = 3;
	m.bu.flags = DS_MOB_BU_A | DS_MOB_BU_H | DS_MOB_BU_K | DS_MOB_BU_F;
	m.bu.lifetime = LIFETIME;
	m.opt.present = DS_MOPT_IPV4_COA;
	memcpy(m.opt.ipv4_coa, COA4, 4);
	return udp_mh(&m, COA4, HA4, HOA6, HA6, out, cap, len);
}

/* Binding Error status 2 to the CoA a BU with an unknown MH type came from. */
static int be6(uint8_t *out, size_t cap, size_t *len)
{
	ds_mob_msg m = { .type = DS_MOB_BE };
	m.be.status = DS_MOB_BE_UNKNOWN_MH;
	memcpy(m.be.hoa, HOA6, 16);
	return ip6_mh(&m, HA6, COA6, NULL, NULL, out, cap, len);
}

static int bri6(uint8_t *out, size_t cap, size_t *len)
{
	ds_mob_msg m = { .type = DS_MOB_BR };
	m.br.type = DS_MOB_BRI;
	m.br.code = DS_MOB_BRI_ADMIN;
	m.br.seq = SEQ_BRI;
	m.opt.present = DS_MOPT_IPV4_HOA;
	m.opt.ipv4_hoa.plen = 32;
	memcpy(m.opt.ipv4_hoa.addr, HOA4, 4);
	return ip6_mh(&m, HA6, COA6, NULL, HOA6, out, cap, len);
}

static int bra6(uint8_t *out, size_t cap, size_t *len)
{
	ds_mob_msg m = { .type = DS_MOB_BR };
	m.br.type = DS_MOB_BRA;
	m.br.code = DS_MOB_BRA_SUCCESS;
	m.br.seq = SEQ_BRI;
	return ip6_mh(&m, COA6, HA6, HOA6, NULL, out, cap, len);
}

/* Multiple-CoA registration (RFC 5648): O flag and a Binding Identifier with the IPv6 CoA. */
static int bu6_mcoa(uint8_t *out, size_t cap, size_t *len)
{
	ds_mob_msg m = { .type = DS_MOB_BU };
	m.bu.seq = 4;
	m.bu.flags = DS_MOB_BU_A | DS_MOB_BU_H | DS_MOB_BU_K | DS_MOB_BU_O;
	m.bu.lifetime = LIFETIME;
	m.opt.present = DS_MOPT_ALT_COA | DS_MOPT_BID;
	memcpy(m.opt.alt_coa, COA6, 16);
	m.opt.n_bid = 1;
	m.opt.bid[0].bid = 1;
	m.opt.bid[0].coa_family = 6;
	memcpy(m.opt.bid[0].coa, COA6, 16);
	return ip6_mh(&m, COA6, HA6, HOA6, NULL, out, cap, len);
}

/* BA with a Binding Refresh Advice and a BID without CoA. */
static int ba6_refresh(uint8_t *out, size_t cap, size_t *len)
{
	ds_mob_msg m = { .type = DS_MOB_BA };
	m.ba.flags = DS_MOB_BA_K;
	m.ba.seq = 4;
	m.ba.lifetime = LIFETIME;
	m.opt.present = DS_MOPT_REFRESH | DS_MOPT_BID;
	m.opt.refresh = 600 / 4;
	m.opt.n_bid = 1;
	m.opt.bid[0].bid = 1;
	return ip6_mh(&m, HA6, COA6, NULL, HOA6, out, cap, len);
}

/* BU carrying a Vendor-Specific option (RFC 5094; enterprise 32473 is the RFC 5612 example). */
static int bu6_vendor(uint8_t *out, size_t cap, size_t *len)
{
	ds_mob_msg m = { .type = DS_MOB_BU };
	m.bu.seq = 5;
	m.bu.flags = DS_MOB_BU_A | DS_MOB_BU_H | DS_MOB_BU_K;
	m.bu.lifetime = LIFETIME;
	m.opt.present = DS_MOPT_ALT_COA | DS_MOPT_VENDOR;
	memcpy(m.opt.alt_coa, COA6, 16);
	m.opt.n_vendor = 1;
	m.opt.vendor[0].vendor_id = 32473;
	m.opt.vendor[0].subtype = 1;
	m.opt.vendor[0].len = 6;
	memcpy(m.opt.vendor[0].data, "dsmip6", 6);
	return ip6_mh(&m, COA6, HA6, HOA6, NULL, out, cap, len);
}

/* What a kernel without Mobile IPv6 answers to bu6: ICMPv6 Parameter Problem, code 2
 * (unrecognised option), pointer at the HAO type octet (offset 46). */
static int pp_hao(uint8_t *out, size_t cap, size_t *len)
{
	uint8_t inv[256], icmp[512];
	size_t ilen, clen;
	int rc = bu6(inv, sizeof inv, &ilen);
	if (rc)
		return rc;
	rc = ds_icmp6_pp_encode(DS_ICMP6_PP_OPTION, 46, inv, ilen, HA6, COA6, icmp, sizeof icmp,
				&clen);
	if (rc)
		return rc;
	ds_ipv6_spec s = { .proto = DS_NH_ICMPV6, .payload = icmp, .payload_len = clen };
	memcpy(s.src, HA6, 16);
	memcpy(s.dst, COA6, 16);
	return ds_ipv6_build(&s, out, cap, len);
}

/* An inner UDP datagram (ports 40001 -> 40002, payload "dsmip6") from the HoA to a correspondent. */
static const uint8_t CN6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x0c, 0x0c, [15] = 1 };
static const uint8_t CN4[4] = { 198, 51, 100, 1 };

static int inner6_udp(uint8_t *out, size_t cap, size_t *len)
{
	uint8_t udp[64];
	ds_wr w = ds_wr_init(udp, sizeof udp);
	if (ds_udp6_encode(&w, HOA6, CN6, 40001, 40002, (const uint8_t *)"dsmip6", 6))
		return DS_E_NOSPACE;
	ds_ipv6_spec s = { .proto = DS_NH_UDP, .payload = udp, .payload_len = w.off };
	memcpy(s.src, HOA6, 16);
	memcpy(s.dst, CN6, 16);
	return ds_ipv6_build(&s, out, cap, len);
}

static int inner4_udp(uint8_t *out, size_t cap, size_t *len)
{
	ds_ipv4_hdr h = { .tot_len = 20 + 8 + 6, .ttl = 64, .proto = DS_NH_UDP };
	memcpy(h.src, HOA4, 4);
	memcpy(h.dst, CN4, 4);
	ds_wr w = ds_wr_init(out, cap);
	ds_ipv4_hdr_encode(&w, &h);
	if (ds_udp4_encode(&w, HOA4, CN4, 40001, 40002, (const uint8_t *)"dsmip6", 6) || w.err)
		return DS_E_NOSPACE;
	*len = w.off;
	return DS_OK;
}

/* Data plane over an IPv4 CoA without NAT: IPv6-in-IPv4 (41) and IPv4-in-IPv4 (4). */
static int data6_in4(uint8_t *out, size_t cap, size_t *len)
{
	uint8_t in[128];
	size_t ilen;
	int rc = inner6_udp(in, sizeof in, &ilen);
	return rc ? rc : ds_ipv4_encap_build(COA4, HA4, 0, in, ilen, out, cap, len);
}

static int data4_in4(uint8_t *out, size_t cap, size_t *len)
{
	uint8_t in[128];
	size_t ilen;
	int rc = inner4_udp(in, sizeof in, &ilen);
	return rc ? rc : ds_ipv4_encap_build(COA4, HA4, 0, in, ilen, out, cap, len);
}

/* Data plane behind a NAT: IPv4 / UDP 4191 / inner IPv4 (RFC 5555 cl. 4.1, no TLV header). */
static int data4_udp(uint8_t *out, size_t cap, size_t *len)
{
	uint8_t in[128];
	size_t ilen;
	int rc = inner4_udp(in, sizeof in, &ilen);
	return rc ? rc : ds_ipv4_udp_build(COA4, HA4, 40000, DS_UDP_PORT_DSMIP, 0, in, ilen, out,
					   cap, len);
}

const golden_form golden_forms[] = {
	{ "bu6", bu6 }, { "ba6", ba6 }, { "bu4", bu4 }, { "ba4", ba4 }, { "bu4_force", bu4_force },
	{ "be6", be6 }, { "bri6", bri6 }, { "bra6", bra6 }, { "bu6_mcoa", bu6_mcoa },
	{ "ba6_refresh", ba6_refresh }, { "bu6_vendor", bu6_vendor }, { "pp_hao", pp_hao },
	{ "data6_in4", data6_in4 }, { "data4_in4", data4_in4 }, { "data4_udp", data4_udp },
};
const size_t golden_n_forms = sizeof golden_forms / sizeof golden_forms[0];
