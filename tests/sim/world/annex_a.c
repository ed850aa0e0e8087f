#include "annex_a.h"

#include <string.h>

#include "wire/mh.h"

static const char *common(const sim_mh_rec *r, uint8_t type)
{
	if (r->type != type)
		return "wrong MH type";
	if (!r->csum_ok)
		return "MH checksum wrong (RFC 6275 cl. 6.1.1)";
	if (!r->esp)
		return "not protected by ESP (RFC 4877 cl. 4.4)";
	return NULL;
}

/* Transport on the access: IPv6 CoA = HAO; IPv4 = UDP 4191. */
static const char *transport(const sim_mh_rec *r, bool ipv4_access)
{
	if (ipv4_access) {
		if (!r->udp4191 || r->outer_dst.port != 4191)
			return "BU from an IPv4 access not in UDP 4191 (R-41)";
		if (!(r->present & DS_MOPT_IPV4_COA))
			return "IPv4 CoA option missing (R-24/R-41)";
	} else {
		if (r->udp4191)
			return "BU from an IPv6 access in UDP";
		if (!r->has_hao)
			return "Home Address option missing (R-25)";
		if (ds_addr_ip_eq(&r->outer_src, &r->hoa))
			return "outer source is the HoA, not the CoA (R-25)";
	}
	return NULL;
}

static const char *ipv4_hoa(const sim_mh_rec *r, bool request, const ds_addr *keep4)
{
	if (!request && !(keep4 && keep4->family))
		return NULL;
	if (!(r->present & DS_MOPT_IPV4_HOA))
		return "IPv4 HoA option missing (R-23/R-47)";
	if (r->ipv4_hoa.p || r->ipv4_hoa.plen != 32)
		return "IPv4 HoA option P/Pref-len wrong (A.2: P=0, 32)";
	static const uint8_t zero[4];
	if (keep4 && keep4->family) {
		if (memcmp(r->ipv4_hoa.addr, keep4->ip, 4) != 0)
			return "IPv4 HoA option does not carry the registered address (R-35/R-47)";
	} else if (memcmp(r->ipv4_hoa.addr, zero, 4) != 0) {
		return "IPv4 HoA request is not 0.0.0.0 (R-23)";
	}
	return NULL;
}

const char *annex_a2_bu(const sim_mh_rec *r, bool ipv4_access, bool ipv4_request,
			const ds_addr *keep4)
{
	const char *e = common(r, DS_MOB_BU);
	if (e)
		return e;
	uint16_t need = DS_MOB_BU_A | DS_MOB_BU_H | DS_MOB_BU_K | DS_MOB_BU_R | DS_MOB_BU_O;
	if ((r->flags & need) != need)
		return "A.2 BU: A, H, K, R and O must be set";
	if (r->flags & (DS_MOB_BU_F | DS_MOB_BU_M | DS_MOB_BU_P))
		return "A.2 BU: F, M, P must be clear";
	if (r->lifetime == 0)
		return "A.2 BU: lifetime 0";
	if ((e = transport(r, ipv4_access)))
		return e;
	return ipv4_hoa(r, ipv4_request, keep4);
}

const char *annex_a3_bu(const sim_mh_rec *r, bool ipv4_access, const ds_addr *keep4)
{
	const char *e = common(r, DS_MOB_BU);
	if (e)
		return e;
	uint16_t need = DS_MOB_BU_A | DS_MOB_BU_H | DS_MOB_BU_K | DS_MOB_BU_R;
	if ((r->flags & need) != need)
		return "A.3 BU: A, H, K and R must be set";
	if (r->flags & (DS_MOB_BU_F | DS_MOB_BU_O | DS_MOB_BU_M | DS_MOB_BU_P))
		return "A.3 BU: F, O, M, P must be clear";
	if (r->lifetime == 0)
		return "A.3 BU: lifetime 0";
	if ((e = transport(r, ipv4_access)))
		return e;
	return ipv4_hoa(r, false, keep4);
}

const char *annex_a5_bu(const sim_mh_rec *r, bool ipv4_access)
{
	const char *e = common(r, DS_MOB_BU);
	if (e)
		return e;
	uint16_t need = DS_MOB_BU_A | DS_MOB_BU_H | DS_MOB_BU_K;
	if ((r->flags & need) != need)
		return "A.5 BU: A, H and K must be set";
	if (r->flags & DS_MOB_BU_F)
		return "A.5 BU: F must be clear";
	if (r->lifetime != 0)
		return "A.5 BU: lifetime must be 0";
	return transport(r, ipv4_access);
}

const char *annex_dereg_home_bu(const sim_mh_rec *r)
{
	const char *e = common(r, DS_MOB_BU);
	if (e)
		return e;
	if ((r->flags & (DS_MOB_BU_A | DS_MOB_BU_H)) != (DS_MOB_BU_A | DS_MOB_BU_H))
		return "home de-registration: A and H must be set (R-37)";
	if (r->lifetime != 0)
		return "home de-registration: lifetime must be 0 (R-37)";
	if (r->udp4191)
		return "home de-registration in UDP";
	if (!ds_addr_ip_eq(&r->src, &r->hoa) && r->has_hao)
		return "home de-registration: source must be the HoA (R-37)";
	return NULL;
}

const char *annex_ba_ok(const sim_mh_rec *r, uint16_t bu_seq, bool dereg, bool ipv4_ack, bool nat)
{
	const char *e = common(r, DS_MOB_BA);
	if (e)
		return e;
	if (r->status >= 128)
		return "BA status is a rejection";
	if (r->seq != bu_seq)
		return "BA sequence number not copied from the BU (R-27)";
	if (!(r->flags & DS_MOB_BA_K) && !dereg)
		return "BA: K must be set (R-27)";
	if (dereg ? r->lifetime != 0 : r->lifetime == 0)
		return dereg ? "BA for a de-registration with lifetime > 0" : "BA with lifetime 0";
	if (ipv4_ack) {
		if (!(r->present & DS_MOPT_IPV4_ACK))
			return "IPv4 Address Acknowledgement missing (R-28)";
		if (r->ipv4_ack.status >= 128)
			return "IPv4 Address Acknowledgement rejected";
		if (r->ipv4_ack.plen != 32)
			return "IPv4 Address Acknowledgement Pref-len not 32 (R-28)";
	}
	if (nat && !(r->present & DS_MOPT_NAT_DET))
		return "NAT Detection option missing behind a NAT (R-29/R-42)";
	if (!nat && (r->present & DS_MOPT_NAT_DET))
		return "NAT Detection option without a NAT";
	return NULL;
}

const char *annex_a6_bri(const sim_mh_rec *r)
{
	const char *e = common(r, DS_MOB_BR);
	if (e)
		return e;
	if (r->br_type != DS_MOB_BRI)
		return "A.6: B.R. type must be 1 (BRI)";
	if (r->status != DS_MOB_BRI_ADMIN)
		return "A.6: revocation trigger must be 1";
	if (r->flags & (DS_MOB_BR_P | DS_MOB_BR_G | DS_MOB_BR_V))
		return "A.6: P, G, V must be 0";
	return NULL;
}

const char *annex_a6_bra(const sim_mh_rec *r, uint16_t bri_seq)
{
	const char *e = common(r, DS_MOB_BR);
	if (e)
		return e;
	if (r->br_type != DS_MOB_BRA)
		return "A.6: B.R. type must be 2 (BRA)";
	if (r->seq != bri_seq)
		return "A.6: BRA sequence number not copied from the BRI";
	if (r->flags & (DS_MOB_BR_P | DS_MOB_BR_G | DS_MOB_BR_V))
		return "A.6: P, G, V must be 0";
	return NULL;
}

static const char *any_bu(const sim_mh_rec *r)
{
	bool v4 = r->udp4191;
	const char *e;
	if (r->lifetime == 0)
		e = !v4 && !r->has_hao ? annex_dereg_home_bu(r) : annex_a5_bu(r, v4);
	else if (r->flags & DS_MOB_BU_O)
		e = annex_a2_bu(r, v4, false, NULL);
	else
		e = annex_a3_bu(r, v4, NULL);
	if (e)
		return e;
	if ((r->present & DS_MOPT_IPV4_HOA) && (r->ipv4_hoa.p || r->ipv4_hoa.plen != 32))
		return "IPv4 HoA option P/Pref-len wrong (A.2: P=0, 32)";
	return NULL;
}

static const char *any_ba(const sim_mh_rec *r)
{
	const char *e;
	if (r->status < 128) {
		/* the Ack's own status may be a refusal (R-28: the IPv6 binding still stands) */
		if ((e = annex_ba_ok(r, r->seq, r->lifetime == 0, false, r->udp4191)))
			return e;
		if ((r->present & DS_MOPT_IPV4_ACK) && r->ipv4_ack.plen != 32)
			return "IPv4 Address Acknowledgement Pref-len not 32 (R-28)";
		return NULL;
	}
	if ((e = common(r, DS_MOB_BA)))
		return e;
	if (r->udp4191 != ((r->present & DS_MOPT_NAT_DET) != 0))
		return "NAT Detection option must be in a BA sent in UDP, and only there (RFC 5555 "
		       "cl. 4.2)";
	return NULL;
}

const char *annex_any(const sim_mh_rec *r)
{
	switch (r->type) {
	case DS_MOB_BU: return any_bu(r);
	case DS_MOB_BA: return any_ba(r);
	case DS_MOB_BR:
		return r->br_type == DS_MOB_BRI ? annex_a6_bri(r) : annex_a6_bra(r, r->seq);
	default: return "unexpected MH message (no Binding Error is expected on S2c)";
	}
}
