/* Packet input of the UE (BA, BRI from the HA; tunnelled data) and its data plane towards the
 * HA (RFC 6275 cl. 11.3, RFC 4877 cl. 4, RFC 5555 cl. 4.4, RFC 5846 cl. 6.1.2, 6.2.1, 10,
 * TS 24.303 A.6). */
#include "ue/ue_impl.h"

#include <string.h>

#include "core/err.h"
#include "mip/sig.h"

static struct ue_pdn *pdn_by_addr(const ds_ue *ue, const ds_addr *a)
{
	for (size_t i = 0; i < DS_UE_MAX_PDN; i++) {
		struct ue_pdn *p = ue->pdn[i];
		if (!p)
			continue;
		if (a->family == DS_AF_INET6 && p->hnp.family == DS_AF_INET6 &&
		    ds_addr_in_prefix(a, &p->hnp, p->hnp.plen))
			return p;
		if (a->family == DS_AF_INET && p->hoa4.family == DS_AF_INET &&
		    ds_addr_ip_eq(a, &p->hoa4))
			return p;
	}
	return NULL;
}

static void drop(ds_ue *ue, uint64_t *ctr, ds_time now, const char *what, int err)
{
	(*ctr)++;
	ds_logf_rl(&ue->cfg.log, &ue->rl, now, DS_LOG_INFO, "ue: dropped %s (%s)", what,
		   ds_strerror(err));
}

/* RFC 5846 cl. 5.2 BRA status values the UE answers with besides success and 128. */
enum {
	BRA_IPV4_HOA_REQUIRED = 129,
	BRA_TRIGGER_UNSUPPORTED = 133,
	BRA_FUNCTION_UNSUPPORTED = 134,
	BRA_PROXY_UNSUPPORTED = 135,
};

/* RFC 5846 cl. 5.1: per-MN triggers 0..7, global triggers 128..129, 250..255 reserved for
 * testing; every other value is reserved, so the UE does not support it (cl. 6.2.1). */
static bool trigger_known(uint8_t t)
{
	return t <= 7 || t == 128 || t == 129 || t >= 250;
}

static bool trigger_global(uint8_t t)
{
	return t >= 128 && t < 250;
}

/* RFC 6275 cl. 11.7.1: a Binding Update List entry exists from the first BU sent for the HoA
 * until the binding is gone (de-registered, expired, or the PDN connection released). */
static bool bul_entry(const struct ue_pdn *p)
{
	return p->bound || p->bu != BU_NONE;
}

/* V=1 (RFC 5846 cl. 10): only the IPv4 HoA binding is revoked. The IPv6 binding to the current
 * CoA stays; the IPv4 HoA is removed from the host and never asked for again on this PDN
 * connection, so later BUs (A.2 / A.3) carry no IPv4 Home Address option. */
static uint8_t revoke_ipv4_only(ds_ue *ue, struct ue_pdn *p, const ds_mh_msg *bri)
{
	if (!bri->ipv4_hoa.present)
		return BRA_IPV4_HOA_REQUIRED;
	ds_addr want = ds_addr4(bri->ipv4_hoa.addr, 0);
	if (p->hoa4.family != DS_AF_INET || !ds_addr_ip_eq(&want, &p->hoa4))
		return DS_BRA_NO_BINDING;   /* SHOULD: not the IPv4 HoA assigned to the UE */
	ds_addr none;
	memset(&none, 0, sizeof none);
	if (ue->cfg.ev.hoa)
		ue->cfg.ev.hoa(ue->cfg.ev.ctx, p->id, false, &none, &p->hoa4);
	memset(&p->hoa4, 0, sizeof p->hoa4);
	p->cfg.want_ipv4_hoa = false;
	memset(&p->cfg.ipv4_hoa_keep, 0, sizeof p->cfg.ipv4_hoa_keep);
	return DS_BRA_SUCCESS;
}

/* The result of a protected BRI for p (RFC 5846 cl. 10 for the mobile node, cl. 6.2.1 for any
 * responder). *revoke_all is set when the whole binding (the PDN connection on S2c, A.6) goes. */
static uint8_t bri_verdict(ds_ue *ue, struct ue_pdn *p, const ds_mh_msg *bri, bool *revoke_all)
{
	*revoke_all = false;
	/* cl. 10: a mobile node has no proxy bindings: P=1 MUST be rejected with 135 */
	if (bri->br_flags & DS_BR_P)
		return BRA_PROXY_UNSUPPORTED;
	/* cl. 6.2.1: an unsupported trigger SHOULD get 133; a trigger that does not fit the
	 * intent (G=1 with a per-MN trigger, or G=0 with a global one) SHOULD get 134 */
	uint8_t trig = bri->status;
	if (!trigger_known(trig))
		return BRA_TRIGGER_UNSUPPORTED;
	bool g = (bri->br_flags & DS_BR_G) != 0;
	if (trig < 250 && g != trigger_global(trig))
		return BRA_FUNCTION_UNSUPPORTED;
	if (bri->br_flags & DS_BR_V)
		return revoke_ipv4_only(ue, p, bri);
	/* cl. 10: a BUL entry for the HoA in the RH2 -> accepted with "success"; with G=1 the HA
	 * revokes every binding it holds for this UE, and on this SA that is this one */
	*revoke_all = true;
	return DS_BRA_SUCCESS;
}

/* BRI (TS 24.303 A.6, RFC 5846 cl. 10). sig_input() already checked that it came ESP-protected
 * by the SA of p (cl. 6.2), from p's HA, and that the RH2 (or destination) address is p's HoA.
 * Without a Binding Update List entry for that HoA the BRI SHOULD be silently discarded (cl.
 * 10, first test); otherwise a BRA answers it (cl. 6.1.2): same sequence number, P/V/G copied,
 * status from bri_verdict(). A full revocation then tears the PDN connection down; the
 * HA deletes the IKE SA next. */
static void handle_bri(ds_ue *ue, struct ue_pdn *p, const ds_mh_msg *bri, ds_time now)
{
	ue->ctr.bri_received++;
	if (!bul_entry(p)) {
		drop(ue, &ue->ctr.drop_selector, now, "BRI for a HoA without a binding",
		     DS_E_NOTFOUND);
		return;
	}
	bool revoke_all;
	ds_mh_msg bra;
	memset(&bra, 0, sizeof bra);
	bra.type = DS_MH_BR;
	bra.br_type = DS_BR_BRA;
	bra.seq = bri->seq;
	bra.br_flags = bri->br_flags & (DS_BR_P | DS_BR_V | DS_BR_G);
	bra.status = bri_verdict(ue, p, bri, &revoke_all);
	if (bra.status >= 128)
		ds_logf_rl(&ue->cfg.log, &ue->rl, now, DS_LOG_INFO,
			   "ue: BRI seq %u (trigger %u, flags 0x%04x) rejected with status %u",
			   bri->seq, bri->status, bri->br_flags, bra.status);
	if (ue_send_mh(ue, p, &bra) == DS_OK)
		ue->ctr.bra_sent++;
	if (!revoke_all)
		return;
	ue_release(ue, p);
	ue_set_state(ue, p, DS_UE_PDN_DETACHED, DS_UE_EV_REVOKED, 0);
}

/* ESP-protected MH from the HA. dst = the HoA (from RH2, or the IPv6 destination). */
/* Binding Error status 2 to the HA for an ESP-protected MH message of an unknown type
 * (RFC 6275 cl. 9.2), rate-limited (cl. 9.3.3), inside the same SA as every other MH message
 * (RFC 4877). The offending packet carried no Home Address option, so the Home Address field
 * is left unspecified (cl. 6.1.9). Unprotected MH is never answered (see sig_input). */
static void send_be(ds_ue *ue, struct ue_pdn *pdn, ds_time now)
{
	if (!ds_ratelimit_ok(&ue->rl_be, now)) {
		ue->ctr.be_rate_limited++;
		return;
	}
	ds_mh_msg be;
	memset(&be, 0, sizeof be);
	be.type = DS_MH_BE;
	be.status = DS_BE_UNKNOWN_MH;
	if (ue_send_mh(ue, pdn, &be) == DS_OK)
		ue->ctr.be_sent++;
}

static void sig_input(ds_ue *ue, const uint8_t *p, const ds_ip6_view *v, const uint8_t dst[16],
		      ds_time now)
{
	if (v->proto == DS_IPPROTO_MH) {
		ds_mh_msg m;
		if (ds_mh_decode(p + v->off, v->len, v->src, dst, &m) == DS_OK && m.type == DS_MH_BR)
			ue->ctr.bri_unprotected++;   /* unprotected BRI dropped */
		drop(ue, &ue->ctr.drop_malformed, now, "unprotected MH", DS_E_AUTH);
		return;
	}
	if (v->proto != DS_IPPROTO_ESP) {
		drop(ue, &ue->ctr.drop_malformed, now, "unexpected protocol", DS_E_NEXTHDR);
		return;
	}
	uint32_t spi;
	int rc = ds_esp_peek_spi(p + v->off, v->len, &spi);
	if (rc != DS_OK) {
		drop(ue, &ue->ctr.drop_malformed, now, "ESP", rc);
		return;
	}
	ds_esp_sa *sa = ds_sad_find_in(ue->sad, spi);
	if (!sa) {
		drop(ue, &ue->ctr.drop_no_sa, now, "ESP with unknown SPI", DS_E_NOTFOUND);
		return;
	}
	struct ue_pdn *pdn = ds_esp_sa_owner(sa);
	if (pdn->ha6.family != DS_AF_INET6 || memcmp(v->src, pdn->ha6.ip, 16) != 0) {
		drop(ue, &ue->ctr.drop_not_from_ha, now, "signalling not from the HA", DS_E_AUTH);
		return;
	}
	if (pdn->hoa.family != DS_AF_INET6 || memcmp(dst, pdn->hoa.ip, 16) != 0) {
		drop(ue, &ue->ctr.drop_selector, now, "signalling not for the HoA", DS_E_AUTH);
		return;
	}
	size_t n;
	uint8_t nh;
	rc = ds_esp_open(sa, p + v->off, v->len, ue->buf2, sizeof ue->buf2, &n, &nh);
	if (rc != DS_OK) {
		drop(ue, &ue->ctr.drop_esp, now, "ESP", rc);
		return;
	}
	if (n == 0 && nh == DS_IPPROTO_NONE)
		return;
	uint8_t t = n >= 3 ? ue->buf2[2] : 0;
	ds_addr local = ds_addr6(dst, 0), remote = ds_addr6(v->src, 0);
	if (nh != DS_IPPROTO_MH ||
	    !ds_esp_selector_match(ds_esp_sa_selector(sa), &local, &remote, DS_IPPROTO_MH,
				   (uint16_t)(t << 8), (uint16_t)(t << 8))) {
		drop(ue, &ue->ctr.drop_selector, now, "ESP payload outside the SA selectors", DS_E_AUTH);
		return;
	}
	ds_mh_msg m;
	rc = ds_mh_decode(ue->buf2, n, v->src, dst, &m);
	if (rc == DS_E_UNKNOWN_TYPE) {
		/* the HA, authenticated by our SA, sent a type we do not know: RFC 6275 cl. 9.2 */
		send_be(ue, pdn, now);
		drop(ue, &ue->ctr.drop_malformed, now, "unknown MH type", rc);
		return;
	}
	if (rc != DS_OK) {
		drop(ue, &ue->ctr.drop_malformed, now, "MH", rc);
		return;
	}
	if (m.type == DS_MH_BA)
		ue_handle_ba(ue, pdn, &m, now);
	else if (m.type == DS_MH_BR && m.br_type == DS_BR_BRI)
		handle_bri(ue, pdn, &m, now);
	else
		drop(ue, &ue->ctr.drop_malformed, now, "unexpected MH message", DS_E_UNKNOWN_TYPE);
}

/* Tunnelled data from the HA: accepted only from the HA of the PDN owning the inner
 * destination (no injection from elsewhere), then handed to the TUN device. */
static void data_input(ds_ue *ue, const uint8_t *inner, size_t len, const ds_addr *outer_src,
		       ds_time now)
{
	ds_addr isrc, idst;
	int rc = ds_inner_addrs(inner, len, &isrc, &idst);
	if (rc != DS_OK) {
		drop(ue, &ue->ctr.tun_drop, now, "tunnelled packet", rc);
		return;
	}
	struct ue_pdn *p = pdn_by_addr(ue, &idst);
	if (!p || p->tunnel == DS_UE_TUN_NONE) {
		drop(ue, &ue->ctr.tun_drop, now, "tunnelled packet for no binding", DS_E_NOTFOUND);
		return;
	}
	const ds_addr *ha = outer_src->family == DS_AF_INET6 ? &p->ha6 : &p->ha4;
	bool ok = ds_addr_ip_eq(outer_src, ha) &&
		  (p->tunnel != DS_UE_TUN_UDP4 || outer_src->port == DS_DSMIP_UDP_PORT);
	if (!ok) {
		drop(ue, &ue->ctr.drop_not_from_ha, now, "tunnelled packet not from the HA", DS_E_AUTH);
		return;
	}
	ue->ctr.tun_decap++;
	ds_pkt out = { .kind = DS_PKT_TUN, .src = isrc, .dst = idst, .data = inner, .len = len };
	ue->cfg.send(ue->cfg.send_ctx, &out);
}

static void ip6_input(ds_ue *ue, const uint8_t *p, size_t len, const ds_addr *udp_src,
		      ds_time now)
{
	ds_ip6_view v;
	int rc = ds_ip6_parse(p, len, &v);
	if (rc != DS_OK) {
		drop(ue, &ue->ctr.drop_malformed, now, "IPv6", rc);
		return;
	}
	if (v.proto != DS_IPPROTO_ESP && v.proto != DS_IPPROTO_MH) {
		if (udp_src) {
			data_input(ue, p, len, udp_src, now);   /* UDP 4191 carries the inner packet */
		} else if (v.proto == DS_IPPROTO_IPV6 || v.proto == DS_IPPROTO_IPV4) {
			ds_addr outer = ds_addr6(v.src, 0);
			data_input(ue, p + v.off, v.len, &outer, now);
		} else {
			drop(ue, &ue->ctr.drop_malformed, now, "IPv6 protocol", DS_E_NEXTHDR);
		}
		return;
	}
	/* RH2 (IPv6 CoA): the HoA is the final destination (RFC 6275 cl. 11.3.3); over UDP and on
	 * the home link the IPv6 destination is the HoA itself. */
	if (v.has_hao || (udp_src && v.has_rh2)) {
		drop(ue, &ue->ctr.drop_malformed, now, "HAO/RH2 where none belongs", DS_E_RESERVED);
		return;
	}
	sig_input(ue, p, &v, v.has_rh2 ? v.rh2 : v.dst, now);
}

void ds_ue_input(ds_ue *ue, const ds_pkt *pkt, ds_time now)
{
	if (!ue || !pkt || !pkt->data || pkt->len == 0 || pkt->len > DS_PKT_MAX) {
		if (ue)
			ue->ctr.drop_malformed++;
		return;
	}
	if (pkt->kind == DS_PKT_UDP) {
		if (pkt->src.port != DS_DSMIP_UDP_PORT || pkt->src.family != DS_AF_INET) {
			drop(ue, &ue->ctr.drop_malformed, now, "UDP datagram", DS_E_PARAM);
			return;
		}
		if ((pkt->data[0] >> 4) == 4)
			data_input(ue, pkt->data, pkt->len, &pkt->src, now);
		else
			ip6_input(ue, pkt->data, pkt->len, &pkt->src, now);
		return;
	}
	if (pkt->kind != DS_PKT_IP) {
		ue->ctr.drop_malformed++;
		return;
	}
	if ((pkt->data[0] >> 4) == 6) {
		ip6_input(ue, pkt->data, pkt->len, NULL, now);
		return;
	}
	ds_ip4_view v;
	int rc = ds_ip4_parse(pkt->data, pkt->len, &v);
	if (rc != DS_OK || (v.proto != DS_IPPROTO_IPV6 && v.proto != DS_IPPROTO_IPV4)) {
		drop(ue, &ue->ctr.drop_malformed, now, "IPv4", rc != DS_OK ? rc : DS_E_NEXTHDR);
		return;
	}
	ds_addr outer = ds_addr4(v.src, 0);
	data_input(ue, pkt->data + v.off, v.len, &outer, now);
}

void ds_ue_tun_input(ds_ue *ue, const uint8_t *pkt, size_t len, ds_time now)
{
	ds_addr src, dst;
	if (!ue || !pkt || len > DS_PKT_MAX || ds_inner_addrs(pkt, len, &src, &dst) != DS_OK) {
		if (ue)
			ue->ctr.tun_drop++;
		return;
	}
	struct ue_pdn *p = pdn_by_addr(ue, &src);
	if (!p) {
		drop(ue, &ue->ctr.tun_drop, now, "TUN packet from no HoA", DS_E_NOTFOUND);
		return;
	}
	ds_pkt out;
	memset(&out, 0, sizeof out);
	size_t n = 0;
	int rc = DS_OK;
	switch (p->tunnel) {
	case DS_UE_TUN_IP6:   /* IPv6-in-IPv6 / IPv4-in-IPv6 */
		rc = ds_encap6(p->coa.ip, p->ha6.ip, pkt, len, ue->buf, sizeof ue->buf, &n);
		out = (ds_pkt){ .kind = DS_PKT_IP, .src = p->coa, .dst = p->ha6, .data = ue->buf,
				.len = n };
		break;
	case DS_UE_TUN_IP4:   /* protocol 41 / 4 */
		rc = ds_encap4(p->coa.ip, p->ha4.ip, pkt, len, ue->buf, sizeof ue->buf, &n);
		out = (ds_pkt){ .kind = DS_PKT_IP, .src = p->coa, .dst = p->ha4, .data = ue->buf,
				.len = n };
		break;
	case DS_UE_TUN_UDP4:  /* UDP 4191, no TLV header */
		out = (ds_pkt){ .kind = DS_PKT_UDP, .src = p->coa, .dst = p->ha4, .data = pkt,
				.len = len };
		out.src.port = DS_DSMIP_UDP_PORT;
		out.dst.port = DS_DSMIP_UDP_PORT;
		break;
	default:
		if (p->state == DS_UE_PDN_AT_HOME) {
			/* at home the HoA is used natively */
			out = (ds_pkt){ .kind = DS_PKT_IP, .src = src, .dst = dst, .data = pkt,
					.len = len };
			break;
		}
		rc = DS_E_STATE;
	}
	if (rc != DS_OK) {
		drop(ue, &ue->ctr.tun_drop, now, "TUN packet", rc);
		return;
	}
	ue->ctr.tun_encap++;
	ue->cfg.send(ue->cfg.send_ctx, &out);
}
