/* Network-initiated detach by Binding Revocation (RFC 5846, TS 24.303 cl. 5.4.2, Annex A.6):
 * BRI (type 1, trigger 1 "administrative reason", P=G=V=0) to the UE over its current path,
 * ESP-protected, retransmitted with a doubling timeout until the BRA; then the binding and the
 * PDN connection are released and the IKE SA deleted. */
#include "ha/ha_impl.h"

#include <string.h>

#include "core/err.h"
#include "mip/sig.h"

/* The path the BRI takes: the same forms as a BA to the current binding. */
static void path_of(const ds_ha *ha, const struct ds_ha_ue *u, ha_rx_ctx *p)
{
	memset(p, 0, sizeof *p);
	memcpy(p->hoa, u->hoa, 16);
	memcpy(p->dst, ha->cfg.ha6.ip, 16);
	if (u->coa.family == DS_AF_INET) {
		p->udp = true;
		p->udp_src = u->coa;
		if (!p->udp_src.port)
			p->udp_src.port = DS_DSMIP_UDP_PORT;   /* no NAT: the UE listens on 4191 */
		p->udp_dst = ha->cfg.ha4;
	} else if (u->coa.family == DS_AF_INET6 && memcmp(u->coa.ip, u->hoa, 16) != 0) {
		p->has_hao = true;   /* RH2 to the CoA */
		memcpy(p->outer_src6, u->coa.ip, 16);
	}
}

void ha_bri_send(ds_ha *ha, struct ds_ha_ue *u, ds_time now)
{
	ds_mh_msg m;
	memset(&m, 0, sizeof m);
	m.type = DS_MH_BR;
	m.br_type = DS_BR_BRI;
	m.status = DS_BR_TRIGGER_ADMIN;   /* Revocation Trigger (A.6) */
	m.seq = u->bri_seq;
	ha_rx_ctx p;
	path_of(ha, u, &p);
	if (ha_send_mh(ha, u, &m, &p, now) == DS_OK)
		ha->ctr.bri_sent++;
}

int ds_ha_revoke(ds_ha *ha, const char *nai, const char *apn, ds_time now)
{
	if (!ha || !nai || !apn)
		return DS_E_PARAM;
	ds_ha_ue *u = (ds_ha_ue *)ds_ha_find_ue(ha, nai, apn);
	if (!u)
		return DS_E_NOTFOUND;
	if (!u->bound || !u->sa_out) {
		/* No binding (at home over 3GPP, or not registered): the IKE Delete alone ends the
		 * PDN connection on S2c. */
		if (!u->ike)
			return DS_E_STATE;
		ha_ike_action(ha, u, DS_HA_IKE_DELETE, NULL);
		return DS_OK;
	}
	if (u->revoking)
		return DS_OK;
	u->revoking = true;
	u->bri_seq++;
	u->bri_tries = 0;
	u->bri_next = now + ha->cfg.bri_timeout_ms;
	ha_bri_send(ha, u, now);
	ha_rearm(ha, u);
	return DS_OK;
}

static void revoke_done(ds_ha *ha, struct ds_ha_ue *u)
{
	u->revoking = false;
	ha_unbind(ha, u, DS_HA_BIND_REVOKED);
	ha_release_hoa4(ha, u);
	ha_persist(ha, u);
	ha_ike_action(ha, u, DS_HA_IKE_DELETE, NULL);
}

void ha_bri_timer(ds_ha *ha, struct ds_ha_ue *u, ds_time now)
{
	if (u->bri_tries >= ha->cfg.bri_retries) {
		ha->ctr.bri_timeouts++;
		revoke_done(ha, u);
		return;
	}
	u->bri_tries++;
	ha->ctr.bri_retransmitted++;
	ha_bri_send(ha, u, now);
	u->bri_next = now + ((ds_time)ha->cfg.bri_timeout_ms << u->bri_tries);
	ha_rearm(ha, u);
}

void ha_handle_bra(ds_ha *ha, struct ds_ha_ue *u, const ds_mh_msg *bra, ds_time now)
{
	(void)now;
	if (!u->revoking || bra->seq != u->bri_seq) {
		ha->ctr.drop[DS_HA_DROP_BRA_UNMATCHED]++;
		return;
	}
	ha->ctr.bra_received++;
	revoke_done(ha, u);
}
