/* Binding Updates from the UE and their acknowledgements (RFC 6275 cl. 11.7/11.8, RFC 5555
 * cl. 4.2-4.4, RFC 4877, TS 24.303 cl. 5.1.2.4, 5.2, 5.3, 5.4.1, Annex A.2/A.3/A.5). */
#include "ue/ue_impl.h"

#include <string.h>

#include "core/err.h"
#include "core/util.h"
#include "mip/seq.h"
#include "mip/sig.h"

#define NAT_NO_KEEPALIVE 0xffffffffu

int ue_send_mh(ds_ue *ue, struct ue_pdn *p, const ds_mh_msg *m)
{
	if (!p->sa_out || p->hoa.family != DS_AF_INET6 || p->ha6.family != DS_AF_INET6)
		return DS_E_STATE;
	size_t mh_len, n;
	/* pseudo-header: the HoA (the HAO moves it into the source) and the HA (cl. 6.1.1) */
	int rc = ds_mh_encode(m, p->hoa.ip, p->ha6.ip, ue->mh, sizeof ue->mh, &mh_len);
	if (rc != DS_OK)
		return rc;
	ds_pkt pkt;
	memset(&pkt, 0, sizeof pkt);
	if (ue_at_home(ue, p)) {
		/* home link: IPv6(HoA -> HA) / ESP / MH, no HAO */
		rc = ds_sig_build(p->hoa.ip, p->ha6.ip, NULL, NULL, p->sa_out, ue->mh, mh_len, ue->buf,
				  sizeof ue->buf, &n);
		pkt.kind = DS_PKT_IP;
		pkt.src = ds_addr6(p->hoa.ip, 0);
		pkt.dst = p->ha6;
	} else if (ue_foreign_kind(ue) == DS_UE_ACCESS_IPV4) {
		/* IPv4-only access: UDP 4191 to the HA's IPv4 address carrying IPv6(HoA -> HA) /
		 * ESP / MH with no HAO (RFC 5555 cl. 4.2, R-41) */
		rc = ds_sig_build(p->hoa.ip, p->ha6.ip, NULL, NULL, p->sa_out, ue->mh, mh_len, ue->buf,
				  sizeof ue->buf, &n);
		pkt.kind = DS_PKT_UDP;
		pkt.src = ue->acc.coa4;
		pkt.src.port = DS_DSMIP_UDP_PORT;
		pkt.dst = p->ha4;
		pkt.dst.port = DS_DSMIP_UDP_PORT;
	} else if (ue_foreign_kind(ue) == DS_UE_ACCESS_IPV6) {
		/* IPv6 CoA: IPv6(CoA -> HA) / DO[HAO] / ESP / MH */
		rc = ds_sig_build(ue->acc.coa6.ip, p->ha6.ip, p->hoa.ip, NULL, p->sa_out, ue->mh,
				  mh_len, ue->buf, sizeof ue->buf, &n);
		pkt.kind = DS_PKT_IP;
		pkt.src = ue->acc.coa6;
		pkt.dst = p->ha6;
	} else {
		return DS_E_STATE;
	}
	if (rc != DS_OK)
		return rc;
	pkt.data = ue->buf;
	pkt.len = n;
	ue->cfg.send(ue->cfg.send_ctx, &pkt);
	return DS_OK;
}

/* The send history of the HA p's BUs go to (the IPv4 address over an IPv4 access). A full
 * table reuses the least useful slot: one whose history cannot limit anything any more. */
static ds_bu_rate *rate_of(ds_ue *ue, const struct ue_pdn *p, ds_time now)
{
	const ds_addr *ha = ue_foreign_kind(ue) == DS_UE_ACCESS_IPV4 ? &p->ha4 : &p->ha6;
	struct ue_rate *free_slot = NULL;
	for (size_t i = 0; i < DS_UE_MAX_PDN; i++) {
		struct ue_rate *e = &ue->rate[i];
		if (e->ha.family != DS_AF_NONE && ds_addr_ip_eq(&e->ha, ha))
			return &e->r;
		if (!free_slot && (e->ha.family == DS_AF_NONE ||
				   ds_bu_rate_earliest(&e->r, now) == now))
			free_slot = e;
	}
	if (!free_slot)
		free_slot = &ue->rate[0];
	memset(free_slot, 0, sizeof *free_slot);
	free_slot->ha = *ha;
	return &free_slot->r;
}

/* Build and send the BU for p->bu with a fresh sequence number (every BU, retransmissions
 * included, carries a number greater than the last one sent: R-31). */
static void send_bu(ds_ue *ue, struct ue_pdn *p, ds_time now)
{
	ds_mh_msg m;
	memset(&m, 0, sizeof m);
	m.type = DS_MH_BU;
	p->seq = ds_seq_next(p->seq);
	m.seq = p->seq;
	/* A.2 / A.3 / A.5: A=1, H=1, K=1, L if the IID is the link-local one, F=0 unless forcing
	 * is wanted (RFC 5555 cl. 3.3) */
	m.bu_flags = DS_BU_A | DS_BU_H | DS_BU_K;
	if (ue->cfg.iid_is_link_local)
		m.bu_flags |= DS_BU_L;
	if (ue->acc.force_udp && ue->acc.kind == DS_UE_ACCESS_IPV4)
		m.bu_flags |= DS_BU_F;
	bool dereg = p->bu == BU_DEREG_HOME || p->bu == BU_DETACH;
	if (p->bu == BU_REG)
		m.bu_flags |= DS_BU_R | DS_BU_O;   /* A.2: R=1, O=1 */
	else if (p->bu == BU_REFRESH)
		m.bu_flags |= DS_BU_R;             /* A.3: R=1, O=0 */
	else if (p->bu == BU_DEREG_HOME)
		m.bu_flags |= DS_BU_R;
	uint32_t life = p->cfg.lifetime_s;
	/* the UE asks no more than the prefix lifetime (RFC 5026 cl. 4.2.1) */
	if (p->hnp_lifetime_s && life > p->hnp_lifetime_s)
		life = p->hnp_lifetime_s;
	uint32_t units = (life + 3u) / 4u;
	m.lifetime = dereg ? 0 : (uint16_t)DS_MIN(units, 0xffffu);
	/* IPv4 HoA option (A.2: 0.0.0.0 to request, or the address kept from 3GPP access; A.3:
	 * the registered address to keep it; A.5 / scenario B: the registered address) */
	bool have4 = p->hoa4.family == DS_AF_INET;
	if (p->bu == BU_REG && (p->cfg.want_ipv4_hoa || have4 ||
				p->cfg.ipv4_hoa_keep.family == DS_AF_INET)) {
		m.ipv4_hoa.present = true;
		if (have4)
			memcpy(m.ipv4_hoa.addr, p->hoa4.ip, 4);
		else if (p->cfg.ipv4_hoa_keep.family == DS_AF_INET)
			memcpy(m.ipv4_hoa.addr, p->cfg.ipv4_hoa_keep.ip, 4);
	} else if (p->bu != BU_REG && have4) {
		m.ipv4_hoa.present = true;
		memcpy(m.ipv4_hoa.addr, p->hoa4.ip, 4);
	}
	m.ipv4_hoa.plen = 32;
	/* the CoA inside the protected message: Alternate CoA or IPv4 CoA */
	if (p->bu != BU_DEREG_HOME) {
		if (ue_foreign_kind(ue) == DS_UE_ACCESS_IPV6) {
			m.has_alt_coa = true;
			memcpy(m.alt_coa, ue->acc.coa6.ip, 16);
		} else if (ue_foreign_kind(ue) == DS_UE_ACCESS_IPV4) {
			m.has_ipv4_coa = true;
			memcpy(m.ipv4_coa, ue->acc.coa4.ip, 4);
		}
	}
	if (ue_send_mh(ue, p, &m) != DS_OK) {
		ds_logf_rl(&ue->cfg.log, &ue->rl, now, DS_LOG_WARN, "ue: cannot send BU for %s",
			   p->cfg.apn);
		return;
	}
	ue->ctr.bu_sent++;
	ds_bu_rate_note(rate_of(ue, p, now), now);
}

/* Send now or, over MAX_UPDATE_RATE, as soon as allowed (RFC 6275 cl. 11.8). */
static void transmit(ds_ue *ue, struct ue_pdn *p, ds_time now)
{
	ds_time ok = ds_bu_rate_earliest(rate_of(ue, p, now), now);
	if (ok > now) {
		ue->ctr.bu_rate_limited++;
		p->send_at = ok;
		p->retx_at = DS_TIME_NEVER;
		ue_rearm(ue, p);
		return;
	}
	p->send_at = DS_TIME_NEVER;
	send_bu(ue, p, now);
	p->retx_at = now + p->retx.cur_ms;
	ue_rearm(ue, p);
}

void ue_bu_start(ds_ue *ue, struct ue_pdn *p, enum bu_kind kind, ds_time now)
{
	p->bu = kind;
	p->coa = ue->acc.kind == DS_UE_ACCESS_IPV4 ? ue->acc.coa4 : ue->acc.coa6;
	/* InitialBindackTimeoutFirstReg for the first home registration with this HA,
	 * INITIAL_BINDACK_TIMEOUT otherwise */
	uint32_t first = (kind == BU_REG && !p->registered_once) ? ue->cfg.first_reg_timeout_ms
							       : ue->cfg.initial_timeout_ms;
	ds_bu_retx_start(&p->retx, first, ue->cfg.max_timeout_ms);
	p->refresh_at = DS_TIME_NEVER;
	transmit(ue, p, now);
}

static void finish_detach(ds_ue *ue, struct ue_pdn *p)
{
	void *ike = p->ike;
	ue_release(ue, p);
	ue_set_state(ue, p, DS_UE_PDN_DETACHED, DS_UE_EV_STATE, 0);
	/* the IKE SA goes once the BA arrived or the retransmissions ran out */
	if (ue->cfg.ev.ike)
		ue->cfg.ev.ike(ue->cfg.ev.ctx, p->id, DS_UE_IKE_DELETE, ike, NULL, NULL);
}

void ue_bu_timer(ds_ue *ue, struct ue_pdn *p, ds_time now)
{
	if (p->send_at <= now) {
		transmit(ue, p, now);
		return;
	}
	if (p->retx_at <= now && p->bu != BU_NONE) {
		if (p->retx.count >= ue->cfg.max_retransmits) {
			enum bu_kind k = p->bu;
			p->bu = BU_NONE;
			p->retx_at = DS_TIME_NEVER;
			if (k == BU_DETACH) {
				finish_detach(ue, p);
			} else if (k == BU_DEREG_HOME) {
				ue_drop_binding(ue, p);
				ue_set_state(ue, p, DS_UE_PDN_AT_HOME, DS_UE_EV_STATE, 0);
			} else {
				ue_fail(ue, p, DS_UE_EV_TIMEOUT, 0);
			}
			return;
		}
		ds_bu_retx_next(&p->retx);
		ue->ctr.bu_retransmitted++;
		transmit(ue, p, now);
		return;
	}
	if (p->refresh_at <= now && p->bu == BU_NONE && p->bound) {
		/* R-46 re-registration (A.3); also the NAT keepalive (RFC 5555 cl. 4.3) */
		p->refresh_at = DS_TIME_NEVER;
		ue_bu_start(ue, p, BU_REFRESH, now);
		return;
	}
	ue_rearm(ue, p);
}

static enum ds_ue_tunnel_mode mode_for(const ds_ue *ue, const ds_mh_msg *ba)
{
	if (ue_foreign_kind(ue) == DS_UE_ACCESS_IPV6)
		return DS_UE_TUN_IP6;
	/* UDP when a NAT was detected or UDP is forced (NAT Detection F=1) */
	if (ba->nat.present && ba->nat.f)
		return DS_UE_TUN_UDP4;
	return DS_UE_TUN_IP4;
}

/* Move the IKE SA of p to a new local endpoint after a BA with K=1 (RFC 6275 cl. 11.7.3). */
static void ue_ike_follow(ds_ue *ue, struct ue_pdn *p, const ds_addr *local, const ds_addr *ha)
{
	if (local->family == DS_AF_NONE || ds_addr_ip_eq(&p->ike_local, local))
		return;
	p->ike_local = *local;
	p->ike_local.plen = 0;
	if (ue->cfg.ev.ike) {
		ds_addr l = p->ike_local, h = *ha;
		ue->cfg.ev.ike(ue->cfg.ev.ctx, p->id, DS_UE_IKE_MOVE, p->ike, &l, &h);
	}
}

static void registered(ds_ue *ue, struct ue_pdn *p, const ds_mh_msg *ba, ds_time now)
{
	enum bu_kind k = p->bu;
	p->bu = BU_NONE;
	p->retx_at = DS_TIME_NEVER;
	p->bound = true;
	p->registered_once = true;
	p->access_kind = ue_foreign_kind(ue);
	p->granted_s = (uint32_t)ba->lifetime * 4u;
	/* the Binding Refresh Advice when given, else a share of the granted lifetime */
	ds_time refresh = (ds_time)p->granted_s * 10u * ue->cfg.refresh_percent;
	if (ba->has_refresh && ba->refresh && ba->refresh < ba->lifetime)
		refresh = (ds_time)ba->refresh * 4000u;
	/* NAT keepalives by refreshing BUs at the NAT Detection refresh time (0 = 110 s) */
	p->nat = ba->nat.present && ba->nat.f;
	if (p->nat && ba->nat.refresh_s != NAT_NO_KEEPALIVE) {
		uint32_t ka = ba->nat.refresh_s ? ba->nat.refresh_s : ue->cfg.nat_keepalive_s;
		if ((ds_time)ka * 1000u < refresh) {
			refresh = (ds_time)ka * 1000u;
			ue->ctr.nat_keepalives++;
		}
	}
	p->refresh_at = now + refresh;
	/* IPv4 HoA: configure on success; report a refusal; released when not asked */
	if (ba->ipv4_ack.present) {
		if (ba->ipv4_ack.status < 128) {
			ds_addr a4 = ds_addr4(ba->ipv4_ack.addr, 0);
			a4.plen = 32;
			if (!ds_addr_ip_eq(&a4, &p->hoa4)) {
				p->hoa4 = a4;
				if (ue->cfg.ev.hoa)
					ue->cfg.ev.hoa(ue->cfg.ev.ctx, p->id, true, &p->hoa, &p->hoa4);
			}
		} else {
			memset(&p->hoa4, 0, sizeof p->hoa4);
			ue_set_state(ue, p, p->state, DS_UE_EV_IPV4_HOA_REJECTED, ba->ipv4_ack.status);
		}
	}
	enum ds_ue_tunnel_mode mode = mode_for(ue, ba);
	if (mode != p->tunnel || k == BU_REG)
		ue_set_tunnel(ue, p, mode);
	/* K=1: the IKE SA follows to the new CoA (RFC 5555 cl. 5.1, R-40) */
	if (ba->ba_flags & DS_BA_K)
		ue_ike_follow(ue, p, &p->coa, ue->acc.kind == DS_UE_ACCESS_IPV4 ? &p->ha4 : &p->ha6);
	ue_set_state(ue, p, DS_UE_PDN_REGISTERED, DS_UE_EV_STATE, 0);
	ue_rearm(ue, p);
}

void ue_handle_ba(ds_ue *ue, struct ue_pdn *p, const ds_mh_msg *ba, ds_time now)
{
	ue->ctr.ba_received++;
	ue->ctr.ba_status[ba->status]++;
	if (p->bu == BU_NONE) {
		ue->ctr.ba_unexpected++;
		return;
	}
	if (ba->status == DS_BA_SEQ_OUT_OF_WINDOW) {
		/* R-32 / RFC 6275 cl. 11.7.1: resynchronise on the HA's last accepted number and
		 * send again right away */
		p->seq = ba->seq;
		transmit(ue, p, now);
		return;
	}
	if (ba->seq != p->seq) {
		ue->ctr.ba_unexpected++;   /* answer to an older BU: the current one is pending */
		return;
	}
	enum bu_kind k = p->bu;
	if (k == BU_DETACH) {
		/* any answer ends the detach; 133 means the binding was gone already */
		p->bu = BU_NONE;
		finish_detach(ue, p);
		return;
	}
	if (k == BU_DEREG_HOME) {
		/* success, or 133 (binding already gone), both mean "home" */
		if (ba->status < 128 || ba->status == DS_BA_NOT_HA_FOR_MN) {
			ue_drop_binding(ue, p);
			/* RFC 6275 cl. 10.3.2 / 11.7.3 with K=1: the HoA is the new endpoint of
			 * the IKE SA, so later IKE exchanges (and a detach) reach the HA from the
			 * home link. A 133 (no K) usually answers a retransmission
			 * whose original the HA accepted and acted on, K included (every BU has
			 * a new sequence number, R-31); in any case the HoA is the only address
			 * left to the IKE SA at home, and on UDP 4500 the HA follows the source
			 * of the next authenticated message (RFC 7296 cl. 2.23). */
			if (ba->status == DS_BA_NOT_HA_FOR_MN || (ba->ba_flags & DS_BA_K))
				ue_ike_follow(ue, p, &p->hoa, &p->ha6);
			if (ba->ipv4_ack.present && ba->ipv4_ack.status >= 128) {
				memset(&p->hoa4, 0, sizeof p->hoa4);
				ue_set_state(ue, p, p->state, DS_UE_EV_IPV4_HOA_REJECTED,
					     ba->ipv4_ack.status);
			}
			ue_set_state(ue, p, DS_UE_PDN_AT_HOME, DS_UE_EV_STATE, ba->status);
			return;
		}
	} else if (ba->status < 128 && ba->lifetime > 0) {
		registered(ue, p, ba, now);
		return;
	}
	/* an "accepted" registration with a zero lifetime grants nothing: treated as a refusal
	 * instead of refreshing in a loop */
	/* any other rejection fails this PDN connection and is reported */
	ue_fail(ue, p, DS_UE_EV_BA_REJECTED, ba->status);
}
