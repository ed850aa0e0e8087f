/* Packet input of the HA: signalling (ESP-protected MH, RFC 4877 cl. 4.4 / RFC 6275 cl. 9.3.1),
 * UDP 4191 (RFC 5555 cl. 4.1) and tunnelled data from care-of addresses. */
#include "ha/ha_impl.h"

#include <string.h>

#include "core/err.h"
#include "mip/sig.h"

static void drop(ds_ha *ha, enum ds_ha_drop why, ds_time now, const char *what, int err)
{
	ha->ctr.drop[why]++;
	ds_logf_rl(&ha->cfg.log, &ha->rl_rx, now, DS_LOG_INFO, "ha: dropped %s (%s)", what,
		   ds_strerror(err));
}

/* Binding Error status 2 for an ESP-protected MH message of a type we do not recognise (RFC 6275
 * cl. 9.2), rate-limited like ICMPv6 (cl. 9.3.3). It goes back over the path a BA would take:
 * to the IPv6 source of the offending packet (the CoA, with RH2 to the HoA; the observed UDP
 * mapping; or the HoA on the home link), and ESP-protected with the UE's SA, since S2c
 * protects every MH message between the HoA and the HA (RFC 4877 cl. 5 case 2: the SA covers
 * protocol 135, every type). The Home Address field is the HAO's, or :: without one. */
static void send_be(ds_ha *ha, struct ds_ha_ue *u, const ha_rx_ctx *rx, ds_time now)
{
	if (!ds_ratelimit_ok(&ha->rl_be, now)) {
		ha->ctr.drop[DS_HA_DROP_RATE]++;
		return;
	}
	ds_mh_msg be;
	memset(&be, 0, sizeof be);
	be.type = DS_MH_BE;
	be.status = DS_BE_UNKNOWN_MH;
	if (rx->has_hao)
		memcpy(be.be_hoa, rx->hoa, 16);
	if (ha_send_mh(ha, u, &be, rx, now) == DS_OK)
		ha->ctr.be_sent++;
}

/* IPv6 signalling: view parsed, rx filled with the path. */
static void sig_input(ds_ha *ha, const uint8_t *p, const ds_ip6_view *v, ha_rx_ctx *rx,
		      ds_time now)
{
	memcpy(rx->dst, v->dst, 16);
	memcpy(rx->outer_src6, v->src, 16);
	rx->has_hao = v->has_hao;
	/* RFC 6275 cl. 9.3.1: the HAO address replaces the source before IPsec processing. */
	memcpy(rx->hoa, v->has_hao ? v->hao : v->src, 16);
	if (v->has_rh2) {
		drop(ha, DS_HA_DROP_MALFORMED, now, "RH2 towards the HA", DS_E_RESERVED);
		return;
	}
	if (memcmp(v->dst, ha->cfg.ha6.ip, 16) != 0) {
		drop(ha, DS_HA_DROP_MALFORMED, now, "packet not for the HA", DS_E_PARAM);
		return;
	}
	if (v->proto == DS_IPPROTO_MH) {
		/* Unprotected MH of any type, known or not, is dropped unread and never answered.
		 * On S2c every MH message between a UE and the HA travels in the ESP SA for protocol
		 * 135 of any type (RFC 4877 cl. 4.1 and cl. 5 case 2, RFC 5846 cl. 6.1 for BRI/BRA)
		 * and inbound traffic that bypassed that SA is discarded (RFC 4301 cl. 5.2), so RFC
		 * 6275 cl. 9.2's Binding Error never applies before IPsec: answering would turn the
		 * HA into a reflector towards any spoofed source. */
		drop(ha, DS_HA_DROP_UNPROTECTED, now, "unprotected MH", DS_E_AUTH);
		return;
	}
	if (v->proto != DS_IPPROTO_ESP) {
		drop(ha, DS_HA_DROP_MALFORMED, now, "unexpected protocol", DS_E_NEXTHDR);
		return;
	}
	uint32_t spi;
	int rc = ds_esp_peek_spi(p + v->off, v->len, &spi);
	if (rc != DS_OK) {
		drop(ha, DS_HA_DROP_MALFORMED, now, "ESP", rc);
		return;
	}
	ds_esp_sa *sa = ds_sad_find_in(ha->sad, spi);
	if (!sa) {
		drop(ha, DS_HA_DROP_NO_SA, now, "ESP with unknown SPI", DS_E_NOTFOUND);
		return;
	}
	struct ds_ha_ue *u = ds_esp_sa_owner(sa);
	size_t n;
	uint8_t nh;
	rc = ds_esp_open(sa, p + v->off, v->len, ha->buf, sizeof ha->buf, &n, &nh);
	if (rc != DS_OK) {
		drop(ha, DS_HA_DROP_ESP, now, "ESP", rc);
		return;
	}
	if (n == 0 && nh == DS_IPPROTO_NONE)
		return;   /* dummy packet (RFC 4303 cl. 2.6) */
	/* RFC 4301 cl. 5.2: what was decrypted must match the SA's selectors, with the HoA as the
	 * remote address (RFC 4877 cl. 4.4). The MH type is the port selector. */
	uint8_t mh_type = n >= 3 ? ha->buf[2] : 0;
	ds_addr local = ds_addr6(v->dst, 0), remote = ds_addr6(rx->hoa, 0);
	if (nh != DS_IPPROTO_MH ||
	    !ds_esp_selector_match(ds_esp_sa_selector(sa), &local, &remote, DS_IPPROTO_MH,
				   (uint16_t)(mh_type << 8), (uint16_t)(mh_type << 8))) {
		drop(ha, DS_HA_DROP_SELECTOR, now, "ESP payload outside the SA selectors", DS_E_AUTH);
		return;
	}
	ds_mh_msg m;
	rc = ds_mh_decode(ha->buf, n, rx->hoa, v->dst, &m);
	if (rc == DS_E_UNKNOWN_TYPE) {
		/* an authenticated UE sent a type we do not know: RFC 6275 cl. 9.2 */
		send_be(ha, u, rx, now);
		drop(ha, DS_HA_DROP_MALFORMED, now, "unknown MH type", rc);
		return;
	}
	if (rc != DS_OK) {
		drop(ha, rc == DS_E_CHECKSUM ? DS_HA_DROP_CHECKSUM : DS_HA_DROP_MALFORMED, now, "MH", rc);
		return;
	}
	if (m.type == DS_MH_BU) {
		ha_handle_bu(ha, u, rx, &m, now);
	} else if (m.type == DS_MH_BR && m.br_type == DS_BR_BRA) {
		ha_handle_bra(ha, u, &m, now);
	} else {
		drop(ha, DS_HA_DROP_MALFORMED, now, "unexpected MH message", DS_E_UNKNOWN_TYPE);
	}
}

/* Decapsulated data from a CoA: the inner source must be the binding's HNP or IPv4 HoA and the
 * outer source its CoA (RFC 6275 cl. 10.4.5 / RFC 5555 cl. 4.5: no spoofed injection). */
static void data_input(ds_ha *ha, const uint8_t *inner, size_t len, const ds_addr *outer_src,
		       ds_time now)
{
	ds_addr isrc, idst;
	int rc = ds_inner_addrs(inner, len, &isrc, &idst);
	if (rc != DS_OK) {
		drop(ha, DS_HA_DROP_MALFORMED, now, "tunnelled packet", rc);
		return;
	}
	struct ds_ha_ue *u = isrc.family == DS_AF_INET6 ? ha_ue_by_hnp(ha, isrc.ip)
							  : ha_ue_by_hoa4(ha, isrc.ip);
	if (!u || !u->bound) {
		drop(ha, DS_HA_DROP_TUN_NO_BINDING, now, "tunnelled packet without binding",
		     DS_E_NOTFOUND);
		return;
	}
	bool ok = u->tunnel == DS_HA_TUN_UDP4 ? ds_addr_eq(outer_src, &u->coa)
					      : ds_addr_ip_eq(outer_src, &u->coa);
	if (!ok) {
		drop(ha, DS_HA_DROP_TUN_SPOOF, now, "tunnelled packet not from the CoA", DS_E_AUTH);
		return;
	}
	ha->ctr.tun_decap++;
	ds_pkt out = { .kind = DS_PKT_TUN, .src = isrc, .dst = idst, .data = inner, .len = len };
	ha->cfg.send(ha->cfg.send_ctx, &out);
}

static void ip6_input(ds_ha *ha, const uint8_t *p, size_t len, ds_time now)
{
	ds_ip6_view v;
	int rc = ds_ip6_parse(p, len, &v);
	if (rc != DS_OK) {
		drop(ha, DS_HA_DROP_MALFORMED, now, "IPv6", rc);
		return;
	}
	if (v.proto == DS_IPPROTO_IPV6 || v.proto == DS_IPPROTO_IPV4) {
		ds_addr outer = ds_addr6(v.src, 0);
		data_input(ha, p + v.off, v.len, &outer, now);
		return;
	}
	ha_rx_ctx rx;
	memset(&rx, 0, sizeof rx);
	sig_input(ha, p, &v, &rx, now);
}

static void ip4_input(ds_ha *ha, const uint8_t *p, size_t len, ds_time now)
{
	ds_ip4_view v;
	int rc = ds_ip4_parse(p, len, &v);
	if (rc != DS_OK) {
		drop(ha, DS_HA_DROP_MALFORMED, now, "IPv4", rc);
		return;
	}
	if (v.proto != DS_IPPROTO_IPV6 && v.proto != DS_IPPROTO_IPV4) {
		drop(ha, DS_HA_DROP_MALFORMED, now, "IPv4 protocol", DS_E_NEXTHDR);
		return;
	}
	ds_addr outer = ds_addr4(v.src, 0);
	data_input(ha, p + v.off, v.len, &outer, now);
}

static void udp_input(ds_ha *ha, const ds_pkt *pkt, ds_time now)
{
	if (pkt->dst.port != DS_DSMIP_UDP_PORT || pkt->src.family != DS_AF_INET || pkt->len < 1) {
		drop(ha, DS_HA_DROP_MALFORMED, now, "UDP datagram", DS_E_PARAM);
		return;
	}
	/* RFC 5555 cl. 4.1: no TLV header on S2c (T=0): the payload is an IP packet. */
	if ((pkt->data[0] >> 4) == 4) {
		data_input(ha, pkt->data, pkt->len, &pkt->src, now);
		return;
	}
	ds_ip6_view v;
	int rc = ds_ip6_parse(pkt->data, pkt->len, &v);
	if (rc != DS_OK) {
		drop(ha, DS_HA_DROP_MALFORMED, now, "IPv6 in UDP", rc);
		return;
	}
	if (v.proto != DS_IPPROTO_ESP && v.proto != DS_IPPROTO_MH) {
		data_input(ha, pkt->data, pkt->len, &pkt->src, now);
		return;
	}
	if (v.has_hao) {
		/* the HoA is the inner source over IPv4 (RFC 5555 cl. 4.1): no HAO there */
		drop(ha, DS_HA_DROP_MALFORMED, now, "HAO inside UDP", DS_E_RESERVED);
		return;
	}
	ha_rx_ctx rx;
	memset(&rx, 0, sizeof rx);
	rx.udp = true;
	rx.udp_src = pkt->src;
	rx.udp_dst = pkt->dst;
	sig_input(ha, pkt->data, &v, &rx, now);
}

void ds_ha_input(ds_ha *ha, const ds_pkt *pkt, ds_time now)
{
	if (!ha || !pkt || !pkt->data || pkt->len == 0 || pkt->len > DS_PKT_MAX) {
		if (ha)
			ha->ctr.drop[DS_HA_DROP_MALFORMED]++;
		return;
	}
	if (pkt->kind == DS_PKT_UDP) {
		udp_input(ha, pkt, now);
	} else if (pkt->kind == DS_PKT_IP) {
		if ((pkt->data[0] >> 4) == 6)
			ip6_input(ha, pkt->data, pkt->len, now);
		else
			ip4_input(ha, pkt->data, pkt->len, now);
	} else {
		ha->ctr.drop[DS_HA_DROP_MALFORMED]++;
	}
}
