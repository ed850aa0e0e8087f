/* Binding Update processing and Binding Acknowledgement on the HA (RFC 6275 cl. 10.3.1/10.3.2,
 * RFC 4877 cl. 4.4, RFC 3963 implicit mode, RFC 5555 cl. 4.5, TS 24.303 cl. 5.1.3 .. 5.4,
 * Annex A.2/A.3/A.5). */
#include "ha/ha_impl.h"

#include <string.h>

#include "core/err.h"
#include "mip/seq.h"
#include "mip/sig.h"

#define NATKATIMEOUT_S 110u           /* RFC 5555 cl. 6 */
#define NAT_NO_KEEPALIVE 0xffffffffu  /* RFC 5555 cl. 3.2.2: refresh time "all 1s" */

/* Refresh time of the NAT Detection option (RFC 5555 cl. 3.2.2 / 4.3): the NAT keepalive
 * interval the UE should use behind a NAT (the configured default, NATKATIMEOUT unless set);
 * all ones when no NAT was detected, also when UDP is forced (F=1): no keepalives needed. */
static uint32_t nat_refresh_time(const ds_ha *ha, bool nat)
{
	if (!nat)
		return NAT_NO_KEEPALIVE;
	return ha->cfg.nat_refresh_s ? ha->cfg.nat_refresh_s : NATKATIMEOUT_S;
}

/* NAT seen on a BU in UDP: its IPv4 CoA option differs from the observed source (cl. 4.2). */
static bool nat_seen(const ha_rx_ctx *rx, const ds_mh_msg *bu)
{
	return bu->has_ipv4_coa && memcmp(bu->ipv4_coa, rx->udp_src.ip, 4) != 0;
}

int ha_send_mh(ds_ha *ha, struct ds_ha_ue *u, const ds_mh_msg *m, const ha_rx_ctx *path,
	       ds_time now)
{
	(void)now;
	if (!u->sa_out)
		return DS_E_STATE;
	const uint8_t *ha6 = ha->cfg.ha6.ip;
	size_t mh_len, n;
	/* Checksum pseudo-header: the final destination, the HoA (RFC 6275 cl. 6.1.1). */
	int rc = ds_mh_encode(m, ha6, path->hoa, ha->mh, sizeof ha->mh, &mh_len);
	if (rc != DS_OK)
		return rc;
	ds_pkt pkt;
	memset(&pkt, 0, sizeof pkt);
	if (path->udp) {
		/* RFC 5555 cl. 4.1/4.5: IPv6(HA -> HoA) / ESP / MH inside UDP from the HA's IPv4
		 * address and port 4191 to the observed (maybe NAT) address and port. */
		rc = ds_sig_build(ha6, path->hoa, NULL, NULL, u->sa_out, ha->mh, mh_len, ha->buf,
				  sizeof ha->buf, &n);
		pkt.kind = DS_PKT_UDP;
		pkt.src = path->udp_dst;
		pkt.src.port = DS_DSMIP_UDP_PORT;
		pkt.dst = path->udp_src;
	} else if (path->has_hao) {
		/* IPv6 CoA: IPv6(HA -> CoA) / RH2[HoA] / ESP / MH (RFC 6275 cl. 6.4, 9.5.4). */
		rc = ds_sig_build(ha6, path->outer_src6, NULL, path->hoa, u->sa_out, ha->mh, mh_len,
				  ha->buf, sizeof ha->buf, &n);
		pkt.kind = DS_PKT_IP;
		pkt.src = ds_addr6(ha6, 0);
		pkt.dst = ds_addr6(path->outer_src6, 0);
	} else {
		/* From the home link: plain IPv6(HA -> HoA) / ESP / MH. */
		rc = ds_sig_build(ha6, path->hoa, NULL, NULL, u->sa_out, ha->mh, mh_len, ha->buf,
				  sizeof ha->buf, &n);
		pkt.kind = DS_PKT_IP;
		pkt.src = ds_addr6(ha6, 0);
		pkt.dst = ds_addr6(path->hoa, 0);
	}
	if (rc != DS_OK)
		return rc;
	pkt.data = ha->buf;
	pkt.len = n;
	ha->cfg.send(ha->cfg.send_ctx, &pkt);
	return DS_OK;
}

static void send_ba(ds_ha *ha, struct ds_ha_ue *u, const ha_rx_ctx *rx, ds_mh_msg *ba,
		    ds_time now)
{
	ba->type = DS_MH_BA;
	if (ha_send_mh(ha, u, ba, rx, now) != DS_OK) {
		ds_logf_rl(&ha->cfg.log, &ha->rl_bu, now, DS_LOG_WARN, "ha: cannot send BA");
		return;
	}
	ha->ctr.ba_sent++;
	ha->ctr.ba_status[ba->status]++;
	if (ba->ipv4_ack.present)
		ha->ctr.ipv4_ack_status[ba->ipv4_ack.status]++;
}

static void reject(ds_ha *ha, struct ds_ha_ue *u, const ha_rx_ctx *rx, const ds_mh_msg *bu,
		   uint8_t status, ds_time now)
{
	ds_mh_msg ba;
	memset(&ba, 0, sizeof ba);
	ba.status = status;
	/* cl. 6.1.8: status 135 carries the last accepted sequence number. */
	ba.seq = status == DS_BA_SEQ_OUT_OF_WINDOW ? u->last_seq : bu->seq;
	if (rx->udp) {
		/* RFC 5555 cl. 4.2: the NAT Detection option MUST be in the BA whenever the BU
		 * came in UDP, a refusal included; F says whether the UE is behind a NAT (its
		 * IPv4 CoA option against the observed source) or UDP is forced (cl. 4.1). */
		ba.nat.present = true;
		ba.nat.f = nat_seen(rx, bu) || (bu->bu_flags & DS_BU_F) || ha->cfg.force_udp;
		ba.nat.refresh_s = nat_refresh_time(ha, nat_seen(rx, bu));
	}
	ds_logf_rl(&ha->cfg.log, &ha->rl_bu, now, DS_LOG_INFO, "ha: BU seq %u rejected, status %u",
		   bu->seq, status);
	send_ba(ha, u, rx, &ba, now);
}

/* IPv4 home address option processing (RFC 5555 cl. 3.1.1 / 4.5, TS 24.303 A.2/A.3). */
static uint8_t handle_ipv4_hoa(ds_ha *ha, struct ds_ha_ue *u, const ds_mh_ipv4_hoa *o,
			       uint8_t addr_out[4])
{
	static const uint8_t zero[4];
	if (o->p)
		return DS_V4ACK_PREFIX_UNAUTHORIZED;    /* no mobile network prefixes on S2c */
	if (o->plen != 32)
		return DS_V4ACK_PREFIX_UNAUTHORIZED;
	if (!ha->have_v4_pool)
		return DS_V4ACK_PROHIBITED;
	if (memcmp(o->addr, zero, 4) == 0) {
		if (u->on_hoa4_hash) {        /* already holds one: confirm it */
			memcpy(addr_out, &u->hoa4, 4);
			return DS_V4ACK_SUCCESS;
		}
		ds_addr a;
		if (ds_addr_pool_alloc(&ha->v4_pool, u->key, u->keylen, &a) != DS_OK)
			return DS_V4ACK_DYNAMIC_UNAVAIL;
		ha_set_hoa4(ha, u, a.ip);
		memcpy(addr_out, a.ip, 4);
		return DS_V4ACK_SUCCESS;
	}
	if (u->on_hoa4_hash && memcmp(&u->hoa4, o->addr, 4) == 0) {
		memcpy(addr_out, o->addr, 4);
		return DS_V4ACK_SUCCESS;
	}
	ds_addr want = ds_addr4(o->addr, 0);
	/* A unicast address must already be allocated to this UE (cl. 4.5). */
	if (!ds_addr_pool_contains(&ha->v4_pool, &want))
		return DS_V4ACK_INVALID_ADDR;
	return DS_V4ACK_INCORRECT_HOA;
}

static void deregister(ds_ha *ha, struct ds_ha_ue *u, const ha_rx_ctx *rx, const ds_mh_msg *bu,
		       bool from_home, ds_time now)
{
	ds_mh_msg ba;
	memset(&ba, 0, sizeof ba);
	ba.seq = bu->seq;
	ba.ba_flags = (uint8_t)((bu->bu_flags & DS_BU_K ? DS_BA_K : 0) |
				(bu->bu_flags & DS_BU_R ? DS_BA_R : 0));
	ds_addr rx_hoa = ds_addr6(rx->hoa, 0);
	if (!u->bound) {
		/* RFC 6275 cl. 10.3.2: with no entry marked as a home registration the HA MUST
		 * reject, status 133. That includes a second copy of the de-registration just
		 * accepted: its entry is gone, and a UE takes 133 on a de-registration as "binding
		 * already gone" (R-38; the UE engine finishes its detach or return home on it). */
		reject(ha, u, rx, bu, DS_BA_NOT_HA_FOR_MN, now);
		return;
	}
	u->last_seq = bu->seq;
	u->seq_valid = true;
	u->at_home = from_home;
	if (from_home) {
		/* cl. 5.2 scenario B: the PDN connection continues over 3GPP access; HNP and IPv4
		 * HoA stay allocated. */
		ha_unbind(ha, u, DS_HA_BIND_DEREG_HOME);
		/* RFC 6275 cl. 10.3.2 with K=1: the HoA is the new care-of address of the key
		 * management connection, so the IKE SA follows the UE home. A detach from a
		 * foreign link (A.5) is followed by the IKE Delete from the old CoA instead, so the
		 * peer stays where it is. */
		if ((bu->bu_flags & DS_BU_K) && !ds_addr_ip_eq(&u->ike_peer, &rx_hoa)) {
			u->ike_peer = rx_hoa;
			ha_ike_action(ha, u, DS_HA_IKE_MOVE, &u->ike_peer);
		}
	} else {
		/* A.5 UE-initiated detach: release the PDN connection; the IKE SA is
		 * deleted by the UE after the BA. */
		ha_unbind(ha, u, DS_HA_BIND_DETACHED);
		ha_release_hoa4(ha, u);
	}
	ha_persist(ha, u);
	if (bu->ipv4_hoa.present) {
		ba.ipv4_ack.present = true;
		ba.ipv4_ack.plen = 32;
		if (u->on_hoa4_hash && memcmp(&u->hoa4, bu->ipv4_hoa.addr, 4) == 0) {
			ba.ipv4_ack.status = DS_V4ACK_SUCCESS;
			memcpy(ba.ipv4_ack.addr, &u->hoa4, 4);
		} else if (!from_home) {
			ba.ipv4_ack.status = DS_V4ACK_SUCCESS;   /* released as asked */
			memcpy(ba.ipv4_ack.addr, bu->ipv4_hoa.addr, 4);
		} else {
			ba.ipv4_ack.status = DS_V4ACK_INCORRECT_HOA;
		}
	}
	if (rx->udp) {
		ba.nat.present = true;   /* RFC 5555 cl. 4.1: always in a BA sent over UDP */
		ba.nat.f = u->tunnel == DS_HA_TUN_UDP4 || ha->cfg.force_udp;
		ba.nat.refresh_s = nat_refresh_time(ha, nat_seen(rx, bu));
	}
	send_ba(ha, u, rx, &ba, now);
}

void ha_handle_bu(ds_ha *ha, struct ds_ha_ue *u, const ha_rx_ctx *rx, const ds_mh_msg *bu,
		  ds_time now)
{
	ha->ctr.bu_received++;
	/* RFC 6275 cl. 10.3.1: only home registrations are served; S2c has no route
	 * optimisation (TS 24.303 cl. 4.1). A correspondent registration is dropped. */
	if (!(bu->bu_flags & DS_BU_H)) {
		ha->ctr.drop[DS_HA_DROP_NOT_HOME_REG]++;
		return;
	}
	/* The HoA must be inside the HA's prefix pool (132) and inside the HNP given to the IKE
	 * SA that protected this BU, never another UE's (133, RFC 4877 cl. 4.4, R-58). */
	ds_addr hoa = ds_addr6(rx->hoa, 0);
	if (!ds_addr_pool_contains(&ha->hnp_pool, &hoa)) {
		reject(ha, u, rx, bu, DS_BA_NOT_HOME_SUBNET, now);
		return;
	}
	if (!u->hnp_held || ha_hnp_key(rx->hoa) != u->hnp) {
		reject(ha, u, rx, bu, DS_BA_NOT_HA_FOR_MN, now);
		return;
	}
	/* cl. 9.5.1: sequence number must be newer than the last accepted (while a binding or
	 * its memory exists); otherwise 135 with the last accepted value. A de-registration
	 * that finds no binding cache entry is not held to it ("MUST accept any Sequence Number"
	 * without an entry): cl. 10.3.2 answers it with 133 whatever its number. */
	if (u->seq_valid && !ds_seq_newer(bu->seq, u->last_seq) &&
	    !(bu->lifetime == 0 && !u->bound)) {
		reject(ha, u, rx, bu, DS_BA_SEQ_OUT_OF_WINDOW, now);
		return;
	}
	/* Care-of address (RFC 6275 cl. 6.2.5 / 9.5.1, RFC 5555 cl. 4.1): the Alternate CoA
	 * option, else the outer source; over UDP the IPv4 CoA option is mandatory. */
	ds_addr coa;
	bool nat = false;
	if (rx->udp) {
		if (!bu->has_ipv4_coa) {
			reject(ha, u, rx, bu, DS_BA_INVALID_COA, now);
			return;
		}
		coa = rx->udp_src;       /* observed address and port: where the BA goes */
		nat = nat_seen(rx, bu);
	} else if (rx->has_hao) {
		coa = ds_addr6(bu->has_alt_coa ? bu->alt_coa : rx->outer_src6, 0);
	} else {
		coa = hoa;               /* sent from the home link: source = HoA */
	}
	bool from_home = !rx->udp && !rx->has_hao;
	/* cl. 10.3.2: lifetime 0 or CoA == HoA is a de-registration. */
	if (bu->lifetime == 0 || (coa.family == DS_AF_INET6 && memcmp(coa.ip, rx->hoa, 16) == 0)) {
		deregister(ha, u, rx, bu, from_home, now);
		return;
	}
	if (coa.family == DS_AF_INET6 &&
	    (coa.ip[0] == 0xff || (coa.ip[0] == 0xfe && (coa.ip[1] & 0xc0) == 0x80) ||
	     ds_addr_is_unspec(&coa))) {
		reject(ha, u, rx, bu, DS_BA_INVALID_COA, now);   /* multicast, link-local, :: */
		return;
	}
	ds_mh_msg ba;
	memset(&ba, 0, sizeof ba);
	ba.seq = bu->seq;
	/* IPv4 HoA (RFC 5555 cl. 4.5): a failure does not fail the IPv6 binding. On a
	 * registration without the option the IPv4 HoA is released (A.3, R-47). */
	if (bu->ipv4_hoa.present) {
		ba.ipv4_ack.present = true;
		ba.ipv4_ack.plen = 32;
		ba.ipv4_ack.status = handle_ipv4_hoa(ha, u, &bu->ipv4_hoa, ba.ipv4_ack.addr);
		if (ba.ipv4_ack.status != DS_V4ACK_SUCCESS)
			memcpy(ba.ipv4_ack.addr, bu->ipv4_hoa.addr, 4);
	} else {
		ha_release_hoa4(ha, u);
	}
	/* Granted lifetime: <= requested, <= configured maximum, <= prefix lifetime. */
	uint32_t max_units = ha->cfg.max_lifetime_s / 4u;
	uint32_t hnp_units = ha->cfg.hnp_lifetime_s / 4u;
	uint32_t units = bu->lifetime;
	if (units > max_units)
		units = max_units;
	if (units > hnp_units)
		units = hnp_units;
	if (units == 0)
		units = 1;
	ba.lifetime = (uint16_t)units;
	if (ha->cfg.refresh_advice_pct && ha->cfg.refresh_advice_pct < 100) {
		/* Binding Refresh Advice, less than the granted lifetime (cl. 6.2.4) */
		ba.has_refresh = true;
		ba.refresh = (uint16_t)(units * ha->cfg.refresh_advice_pct / 100u);
		if (ba.refresh == 0)
			ba.has_refresh = false;
	}
	/* K: the IKE SA follows the CoA (RFC 4877 cl. 4.4, RFC 5555 cl. 5.1); R: prefix
	 * preservation / implicit mode accepted (RFC 3963). */
	ba.ba_flags = (uint8_t)((bu->bu_flags & DS_BU_K ? DS_BA_K : 0) |
				(bu->bu_flags & DS_BU_R ? DS_BA_R : 0));
	uint8_t mode = DS_HA_TUN_IP6;
	if (rx->udp) {
		bool forced = (bu->bu_flags & DS_BU_F) || ha->cfg.force_udp;
		mode = (nat || forced) ? DS_HA_TUN_UDP4 : DS_HA_TUN_IP4;
		ba.nat.present = true;   /* RFC 5555 cl. 4.1: MUST be present when the BU came in UDP */
		ba.nat.f = nat || forced;
		ba.nat.refresh_s = nat_refresh_time(ha, nat);
		if (nat)
			ha->ctr.nat_detected++;
		if (mode == DS_HA_TUN_IP4)
			coa.port = 0;
	}
	bool was_bound = u->bound;
	memcpy(u->hoa, rx->hoa, 16);
	u->coa = coa;
	u->tunnel = mode;
	u->last_seq = bu->seq;
	u->seq_valid = true;
	u->at_home = false;
	u->expires = now + (ds_time)units * 4000u;
	if (!u->bound) {
		u->bound = true;
		ha->n_bound++;
		ha->ctr.bindings_added++;
	}
	ha_rearm(ha, u);
	send_ba(ha, u, rx, &ba, now);
	if (ha->cfg.ev.binding) {
		ds_ha_alloc a;
		ha_alloc_of(u, &a);
		ha->cfg.ev.binding(ha->cfg.ev.ctx, u, was_bound ? DS_HA_BIND_UPDATED : DS_HA_BIND_ADDED,
				   &a);
	}
	ha_persist(ha, u);
	if ((bu->bu_flags & DS_BU_K) && !ds_addr_ip_eq(&coa, &u->ike_peer)) {
		/* Move the IKE SA peer to the new CoA (RFC 4877 cl. 4.4, RFC 5555 cl. 5.1); the IKE
		 * engine keeps its own port state (UDP 4500 behind a NAT). */
		u->ike_peer = coa;
		u->ike_peer.port = 0;
		ha_ike_action(ha, u, DS_HA_IKE_MOVE, &u->ike_peer);
	}
}
