/* UE role engine: lifecycle, PDN connections, HA discovery, IKE seam, home link detection,
 * access changes and timers. BU/BA logic is in ue_bu.c, packet input and the data plane in
 * ue_rx.c. */
#include "ue/ue_impl.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"
#include "mip/ha_apn.h"

struct ue_pdn *ue_pdn_get(const ds_ue *ue, ds_pdn_id id)
{
	if (!ue || id == 0)
		return NULL;
	for (size_t i = 0; i < DS_UE_MAX_PDN; i++)
		if (ue->pdn[i] && ue->pdn[i]->id == id)
			return ue->pdn[i];
	return NULL;
}

void ue_set_state(ds_ue *ue, struct ue_pdn *p, enum ds_ue_pdn_state st, int why, int status)
{
	bool changed = p->state != st;
	p->state = st;
	if ((changed || why != DS_UE_EV_STATE) && ue->cfg.ev.pdn_state)
		ue->cfg.ev.pdn_state(ue->cfg.ev.ctx, p->id, st, why, status);
}

void ue_rearm(ds_ue *ue, struct ue_pdn *p)
{
	ds_time t = DS_MIN(p->retx_at, DS_MIN(p->send_at, p->refresh_at));
	if (t == DS_TIME_NEVER)
		ds_timerq_cancel(&ue->tq, &p->timer);
	else if (ds_timerq_arm(&ue->tq, &p->timer, t) != DS_OK)
		ds_logf(&ue->cfg.log, DS_LOG_ERR, "ue: timer heap allocation failed");
}

void ue_set_tunnel(ds_ue *ue, struct ue_pdn *p, enum ds_ue_tunnel_mode mode)
{
	p->tunnel = mode;
	if (!ue->cfg.ev.tunnel)
		return;
	ds_addr local = p->coa, ha = mode == DS_UE_TUN_IP6 ? p->ha6 : p->ha4;
	if (mode == DS_UE_TUN_UDP4) {
		local.port = 4191;
		ha.port = 4191;
	}
	ue->cfg.ev.tunnel(ue->cfg.ev.ctx, p->id, mode, &local, &ha);
}

void ue_drop_binding(ds_ue *ue, struct ue_pdn *p)
{
	p->bound = false;
	p->bu = BU_NONE;
	p->retx_at = p->send_at = p->refresh_at = DS_TIME_NEVER;
	p->nat = false;
	if (p->tunnel != DS_UE_TUN_NONE)
		ue_set_tunnel(ue, p, DS_UE_TUN_NONE);
	ue_rearm(ue, p);
}

/* Forget the IKE SA, ESP SAs and addresses of p (detach done, revoked, failed). */
void ue_release(ds_ue *ue, struct ue_pdn *p)
{
	ue_drop_binding(ue, p);
	if (p->sa_in)
		ds_sad_del(ue->sad, p->sa_in);
	if (p->sa_out)
		ds_sad_del(ue->sad, p->sa_out);
	p->sa_in = p->sa_out = NULL;
	if (p->hoa.family && ue->cfg.ev.hoa)
		ue->cfg.ev.hoa(ue->cfg.ev.ctx, p->id, false, &p->hoa, &p->hoa4);
	memset(&p->hoa, 0, sizeof p->hoa);
	memset(&p->hoa4, 0, sizeof p->hoa4);
	memset(&p->hnp, 0, sizeof p->hnp);
	p->ike = NULL;
	p->ike_started = false;
	p->registered_once = false;
}

void ue_fail(ds_ue *ue, struct ue_pdn *p, int ev, int status)
{
	void *ike = p->ike;
	bool started = p->ike_started;
	ue_release(ue, p);
	ue_set_state(ue, p, DS_UE_PDN_FAILED, ev, status);
	/* A failed PDN connection is not resumed (the connection manager attaches anew, R-32):
	 * its IKE SA would only keep the HA's allocation and the SA pair alive at both ends, so
	 * it is deleted (RFC 7296 cl. 1.4.1), as after a detach. */
	if (started && ue->cfg.ev.ike)
		ue->cfg.ev.ike(ue->cfg.ev.ctx, p->id, DS_UE_IKE_DELETE, ike, NULL, NULL);
}

uint8_t ue_foreign_kind(const ds_ue *ue)
{
	if (ue->acc.kind == DS_UE_ACCESS_IPV4)
		return DS_UE_ACCESS_IPV4;
	if ((ue->acc.kind == DS_UE_ACCESS_IPV6 || ue->acc.kind == DS_UE_ACCESS_HOME) &&
	    ue->acc.coa6.family == DS_AF_INET6)
		return DS_UE_ACCESS_IPV6;
	return DS_UE_ACCESS_NONE;
}

bool ue_at_home(const ds_ue *ue, const struct ue_pdn *p)
{
	/* only a 3GPP access anchored at this PDN GW is the home link; R-19: its prefix
	 * must be the HNP of this PDN connection. */
	if (ue->acc.kind != DS_UE_ACCESS_HOME || p->hnp.family != DS_AF_INET6)
		return false;
	for (size_t i = 0; i < ue->acc.n_link_prefix && i < DS_ARRAY_LEN(ue->acc.link_prefix); i++) {
		const ds_addr *lp = &ue->acc.link_prefix[i];
		if (lp->family == DS_AF_INET6 && lp->plen == p->hnp.plen &&
		    ds_addr_in_prefix(lp, &p->hnp, p->hnp.plen))
			return true;
	}
	return false;
}

/* IKE needs an HA address reachable from the access: IPv4 on an IPv4-only access. */
static bool pick_ike_endpoints(const ds_ue *ue, const struct ue_pdn *p, ds_addr *local,
			       ds_addr *ha)
{
	switch (ue->acc.kind) {
	case DS_UE_ACCESS_IPV4:
		*local = ue->acc.coa4;
		*ha = p->ha4;
		break;
	case DS_UE_ACCESS_IPV6:
	case DS_UE_ACCESS_HOME:
		*local = ue->acc.coa6;
		*ha = p->ha6;
		break;
	default:
		return false;
	}
	return ha->family != DS_AF_NONE;
}

static void start_ike(ds_ue *ue, struct ue_pdn *p, ds_time now)
{
	(void)now;
	ue_set_state(ue, p, DS_UE_PDN_IKE, DS_UE_EV_STATE, 0);
	ds_addr local, ha;
	if (!pick_ike_endpoints(ue, p, &local, &ha))
		return;   /* no usable access yet: started by the next access change */
	p->ike_started = true;
	p->ike_local = local;
	if (ue->cfg.ev.ike)
		ue->cfg.ev.ike(ue->cfg.ev.ctx, p->id, DS_UE_IKE_START, NULL, &local, &ha);
}

void ue_mobility_decide(ds_ue *ue, struct ue_pdn *p, ds_time now)
{
	if (ue_at_home(ue, p)) {
		if (p->bound || p->bu == BU_REG || p->bu == BU_REFRESH) {
			/* foreign -> home (scenario B): de-register from the home link */
			ue_set_state(ue, p, DS_UE_PDN_RETURNING_HOME, DS_UE_EV_STATE, 0);
			ue_bu_start(ue, p, BU_DEREG_HOME, now);
		} else if (p->bu != BU_DEREG_HOME) {
			/* at home no BU is sent; the HoA is used natively */
			ue_drop_binding(ue, p);
			ue_set_state(ue, p, DS_UE_PDN_AT_HOME, DS_UE_EV_STATE, 0);
		}
		return;
	}
	if (ue_foreign_kind(ue) == DS_UE_ACCESS_NONE)
		return;   /* no usable foreign path: wait for one */
	if (ue->acc.kind == DS_UE_ACCESS_IPV4 && p->ha4.family != DS_AF_INET) {
		ue_fail(ue, p, DS_UE_EV_STATE, 0);   /* no IPv4 address of the HA */
		return;
	}
	/* home -> foreign (A) or foreign -> foreign (C): registration BU with the A.2 fields */
	ue_set_state(ue, p, DS_UE_PDN_REGISTERING, DS_UE_EV_STATE, 0);
	ue_bu_start(ue, p, BU_REG, now);
}

ds_ue *ds_ue_new(const ds_ue_config *cfg)
{
	if (!cfg || !cfg->send)
		return NULL;
	ds_ue *ue = calloc(1, sizeof *ue);
	if (!ue)
		return NULL;
	ue->cfg = *cfg;
	if (!ue->cfg.default_lifetime_s)
		ue->cfg.default_lifetime_s = 3600;
	if (!ue->cfg.first_reg_timeout_ms)
		ue->cfg.first_reg_timeout_ms = DS_MIP_FIRST_REG_TIMEOUT_MS;
	if (!ue->cfg.initial_timeout_ms)
		ue->cfg.initial_timeout_ms = DS_MIP_INITIAL_TIMEOUT_MS;
	if (!ue->cfg.max_timeout_ms)
		ue->cfg.max_timeout_ms = DS_MIP_MAX_TIMEOUT_MS;
	if (!ue->cfg.max_retransmits)
		ue->cfg.max_retransmits = 8;
	if (!ue->cfg.nat_keepalive_s)
		ue->cfg.nat_keepalive_s = 110;
	if (!ue->cfg.refresh_percent || ue->cfg.refresh_percent >= 100)
		ue->cfg.refresh_percent = 85;
	ue->rl = (ds_ratelimit)DS_RATELIMIT_INIT(1000, 10);
	ue->rl_be = (ds_ratelimit)DS_RATELIMIT_INIT(1000, 10);
	ds_timerq_init(&ue->tq);
	ue->sad = ds_sad_new();
	if (!ue->sad) {
		free(ue);
		return NULL;
	}
	ue->next_id = 1;
	return ue;
}

void ds_ue_free(ds_ue *ue)
{
	if (!ue)
		return;
	for (size_t i = 0; i < DS_UE_MAX_PDN; i++) {
		if (!ue->pdn[i])
			continue;
		ds_timerq_cancel(&ue->tq, &ue->pdn[i]->timer);
		free(ue->pdn[i]);
	}
	ds_sad_free(ue->sad);
	ds_timerq_free(&ue->tq);
	free(ue);
}

ds_pdn_id ds_ue_pdn_add(ds_ue *ue, const ds_ue_pdn_config *pc, ds_time now, int *err)
{
	int e = DS_E_PARAM;
	if (!ue || !pc || pc->apn[0] == '\0' || memchr(pc->apn, '\0', sizeof pc->apn) == NULL)
		goto fail;
	if (!pc->discover && pc->ha6.family != DS_AF_INET6 && pc->ha4.family != DS_AF_INET)
		goto fail;
	size_t slot = DS_UE_MAX_PDN;
	for (size_t i = 0; i < DS_UE_MAX_PDN; i++) {
		if (ue->pdn[i] && strcmp(ue->pdn[i]->cfg.apn, pc->apn) == 0) {
			e = DS_E_EXISTS;   /* one PDN connection per APN (cl. 4.3) */
			goto fail;
		}
		if (!ue->pdn[i] && slot == DS_UE_MAX_PDN)
			slot = i;
	}
	if (slot == DS_UE_MAX_PDN) {
		e = DS_E_EXHAUSTED;
		goto fail;
	}
	char fqdn[DS_UE_FQDN_MAX + 1] = "";
	if (pc->discover) {
		e = ds_ha_apn_build(pc->apn, ue->cfg.mcc, ue->cfg.mnc, fqdn, sizeof fqdn);
		if (e != DS_OK)
			goto fail;
	}
	struct ue_pdn *p = calloc(1, sizeof *p);
	if (!p) {
		e = DS_E_NOMEM;
		goto fail;
	}
	p->id = ue->next_id++;
	if (ue->next_id == 0)
		ue->next_id = 1;
	p->cfg = *pc;
	if (!p->cfg.lifetime_s)
		p->cfg.lifetime_s = ue->cfg.default_lifetime_s;
	memcpy(p->fqdn, fqdn, sizeof fqdn);
	p->retx_at = p->send_at = p->refresh_at = DS_TIME_NEVER;
	/* the peer's first accepted sequence number can be anything (RFC 6275 cl. 9.5.1); start
	 * from a value derived from the handle so that PDN connections differ */
	p->seq = pc->has_initial_seq ? pc->initial_seq : (uint16_t)(p->id * 7919u);
	ue->pdn[slot] = p;
	if (pc->discover) {
		/* DNS lookup by HA name for AAAA and A */
		p->state = DS_UE_PDN_DISCOVERING;
		if (ue->cfg.ev.pdn_state)
			ue->cfg.ev.pdn_state(ue->cfg.ev.ctx, p->id, p->state, DS_UE_EV_STATE, 0);
		if (ue->cfg.ev.dns_query)
			ue->cfg.ev.dns_query(ue->cfg.ev.ctx, p->id, p->fqdn);
	} else {
		p->ha6 = pc->ha6;
		p->ha4 = pc->ha4;
		start_ike(ue, p, now);
	}
	if (err)
		*err = DS_OK;
	return p->id;
fail:
	if (err)
		*err = e;
	return 0;
}

int ds_ue_dns_answer(ds_ue *ue, ds_pdn_id pdn, const ds_addr *a6, size_t n6, const ds_addr *a4,
		     size_t n4, ds_time now)
{
	struct ue_pdn *p = ue_pdn_get(ue, pdn);
	if (!p)
		return DS_E_NOTFOUND;
	if (p->state != DS_UE_PDN_DISCOVERING)
		return DS_E_STATE;
	memset(&p->ha6, 0, sizeof p->ha6);
	memset(&p->ha4, 0, sizeof p->ha4);
	for (size_t i = 0; a6 && i < n6; i++)
		if (a6[i].family == DS_AF_INET6 && !ds_addr_is_unspec(&a6[i])) {
			p->ha6 = ds_addr6(a6[i].ip, 0);
			break;
		}
	for (size_t i = 0; a4 && i < n4; i++)
		if (a4[i].family == DS_AF_INET && !ds_addr_is_unspec(&a4[i])) {
			p->ha4 = ds_addr4(a4[i].ip, 0);
			break;
		}
	if (p->ha6.family == DS_AF_NONE && p->ha4.family == DS_AF_NONE) {
		ue_set_state(ue, p, DS_UE_PDN_FAILED, DS_UE_EV_STATE, 0);
		return DS_OK;
	}
	start_ike(ue, p, now);
	return DS_OK;
}

int ds_ue_ike_up(ds_ue *ue, ds_pdn_id pdn, const ds_ue_ike_info *info, ds_time now)
{
	struct ue_pdn *p = ue_pdn_get(ue, pdn);
	int rc = DS_E_PARAM;
	if (!p || !info || !info->sa_in || !info->sa_out || info->hnp.family != DS_AF_INET6 ||
	    info->hnp.plen != 64 || ds_esp_sa_dir(info->sa_in) != DS_ESP_IN ||
	    ds_esp_sa_dir(info->sa_out) != DS_ESP_OUT) {
		rc = p ? DS_E_PARAM : DS_E_NOTFOUND;
		goto fail;
	}
	if (p->state != DS_UE_PDN_IKE) {
		rc = DS_E_STATE;
		goto fail;
	}
	/* a new pair replaces any earlier one (re-keyed CHILD_SA, RFC 5026 HoA child) */
	if (p->sa_in)
		ds_sad_del(ue->sad, p->sa_in);
	if (p->sa_out)
		ds_sad_del(ue->sad, p->sa_out);
	p->sa_in = p->sa_out = NULL;
	ds_esp_sa_set_owner(info->sa_in, p);
	ds_esp_sa_set_owner(info->sa_out, p);
	rc = ds_sad_add(ue->sad, info->sa_in, 0);
	if (rc != DS_OK)
		goto fail;
	rc = ds_sad_add(ue->sad, info->sa_out, p->id);
	if (rc != DS_OK) {
		ds_sad_del(ue->sad, info->sa_in);
		ds_esp_sa_free(info->sa_out);
		return rc;
	}
	p->sa_in = info->sa_in;
	p->sa_out = info->sa_out;
	p->ike = info->ike;
	if (info->ha6.family == DS_AF_INET6)
		p->ha6 = ds_addr6(info->ha6.ip, 0);
	if (info->ha4.family == DS_AF_INET)
		p->ha4 = ds_addr4(info->ha4.ip, 0);
	bool new_hnp = !ds_addr_ip_eq(&p->hnp, &info->hnp);
	p->hnp = info->hnp;
	p->hnp_lifetime_s = info->hnp_lifetime_s;
	if (new_hnp) {
		/* HoA = HNP | interface identifier */
		uint8_t ip[16];
		memcpy(ip, info->hnp.ip, 8);
		memcpy(ip + 8, ue->cfg.iid, 8);
		p->hoa = ds_addr6(ip, 0);
		p->hoa.plen = 64;
		if (ue->cfg.ev.hoa)
			ue->cfg.ev.hoa(ue->cfg.ev.ctx, p->id, true, &p->hoa, &p->hoa4);
	}
	/* home link detection decides whether a BU is sent at all */
	ue_mobility_decide(ue, p, now);
	return DS_OK;
fail:
	if (info) {
		ds_esp_sa_free(info->sa_in);
		ds_esp_sa_free(info->sa_out);
	}
	return rc;
}

int ds_ue_ike_failed(ds_ue *ue, ds_pdn_id pdn, ds_time now)
{
	(void)now;
	struct ue_pdn *p = ue_pdn_get(ue, pdn);
	if (!p)
		return DS_E_NOTFOUND;
	ue_release(ue, p);
	ue_set_state(ue, p, DS_UE_PDN_FAILED, DS_UE_EV_STATE, 0);
	return DS_OK;
}

int ds_ue_ike_redirected(ds_ue *ue, ds_pdn_id pdn, const ds_addr *new_ha, ds_time now)
{
	struct ue_pdn *p = ue_pdn_get(ue, pdn);
	if (!p)
		return DS_E_NOTFOUND;
	if (!new_ha || (new_ha->family != DS_AF_INET6 && new_ha->family != DS_AF_INET))
		return DS_E_PARAM;
	/* R-60 / RFC 5685: give up this HA and bootstrap again with the new one. */
	ue_release(ue, p);
	if (new_ha->family == DS_AF_INET6) {
		p->ha6 = ds_addr6(new_ha->ip, 0);
		memset(&p->ha4, 0, sizeof p->ha4);
	} else {
		p->ha4 = ds_addr4(new_ha->ip, 0);
		memset(&p->ha6, 0, sizeof p->ha6);
	}
	p->state = DS_UE_PDN_DISCOVERING;   /* forces the IKE state event in start_ike */
	start_ike(ue, p, now);
	return DS_OK;
}

int ds_ue_ike_redirected_fqdn(ds_ue *ue, ds_pdn_id pdn, const char *fqdn, ds_time now)
{
	(void)now;
	struct ue_pdn *p = ue_pdn_get(ue, pdn);
	if (!p)
		return DS_E_NOTFOUND;
	size_t n = fqdn ? strlen(fqdn) : 0;
	if (n == 0 || n > DS_UE_FQDN_MAX)
		return DS_E_PARAM;
	for (size_t i = 0; i < n; i++) {
		char c = fqdn[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '-' || c == '.';
		if (!ok)
			return DS_E_PARAM;
	}
	ue_release(ue, p);
	memcpy(p->fqdn, fqdn, n + 1);
	ue_set_state(ue, p, DS_UE_PDN_DISCOVERING, DS_UE_EV_STATE, 0);
	if (ue->cfg.ev.dns_query)
		ue->cfg.ev.dns_query(ue->cfg.ev.ctx, p->id, p->fqdn);
	return DS_OK;
}

int ds_ue_ike_deleted(ds_ue *ue, ds_pdn_id pdn, ds_time now)
{
	(void)now;
	struct ue_pdn *p = ue_pdn_get(ue, pdn);
	if (!p)
		return DS_E_NOTFOUND;
	bool was_detaching = p->state == DS_UE_PDN_DETACHING || p->state == DS_UE_PDN_DETACHED;
	ue_release(ue, p);
	/* a bare IKE Delete from the HA is a network-initiated detach */
	ue_set_state(ue, p, DS_UE_PDN_DETACHED, was_detaching ? DS_UE_EV_STATE : DS_UE_EV_REVOKED, 0);
	return DS_OK;
}

int ds_ue_pdn_detach(ds_ue *ue, ds_pdn_id pdn, ds_time now)
{
	struct ue_pdn *p = ue_pdn_get(ue, pdn);
	if (!p)
		return DS_E_NOTFOUND;
	switch (p->state) {
	case DS_UE_PDN_REGISTERING:
	case DS_UE_PDN_REGISTERED:
		if (!ue_at_home(ue, p) && ue_foreign_kind(ue) != DS_UE_ACCESS_NONE) {
			/* A.5: lifetime-0 BU, IKE Delete after the BA */
			ue_set_state(ue, p, DS_UE_PDN_DETACHING, DS_UE_EV_STATE, 0);
			ue_bu_start(ue, p, BU_DETACH, now);
			return DS_OK;
		}
		/* no usable path for a BU */
		__attribute__((fallthrough));
	case DS_UE_PDN_AT_HOME:
	case DS_UE_PDN_RETURNING_HOME:
	case DS_UE_PDN_IKE: {
		void *ike = p->ike;
		bool started = p->ike_started;
		ue_release(ue, p);
		ue_set_state(ue, p, DS_UE_PDN_DETACHED, DS_UE_EV_STATE, 0);
		if (started && ue->cfg.ev.ike)
			ue->cfg.ev.ike(ue->cfg.ev.ctx, p->id, DS_UE_IKE_DELETE, ike, NULL, NULL);
		return DS_OK;
	}
	case DS_UE_PDN_DISCOVERING:
		ue_set_state(ue, p, DS_UE_PDN_DETACHED, DS_UE_EV_STATE, 0);
		return DS_OK;
	default:
		return DS_E_STATE;
	}
}

int ds_ue_pdn_release_ipv4(ds_ue *ue, ds_pdn_id pdn, ds_time now)
{
	struct ue_pdn *p = ue_pdn_get(ue, pdn);
	if (!p)
		return DS_E_NOTFOUND;
	if (p->state != DS_UE_PDN_REGISTERED || p->hoa4.family != DS_AF_INET)
		return DS_E_STATE;
	ds_addr none;
	memset(&none, 0, sizeof none);
	if (ue->cfg.ev.hoa)
		ue->cfg.ev.hoa(ue->cfg.ev.ctx, p->id, false, &none, &p->hoa4);
	memset(&p->hoa4, 0, sizeof p->hoa4);
	p->cfg.want_ipv4_hoa = false;
	memset(&p->cfg.ipv4_hoa_keep, 0, sizeof p->cfg.ipv4_hoa_keep);
	ue_bu_start(ue, p, BU_REFRESH, now);   /* A.3 without the IPv4 HoA option */
	return DS_OK;
}

int ds_ue_pdn_remove(ds_ue *ue, ds_pdn_id pdn)
{
	for (size_t i = 0; ue && i < DS_UE_MAX_PDN; i++) {
		struct ue_pdn *p = ue->pdn[i];
		if (!p || p->id != pdn)
			continue;
		if (p->state != DS_UE_PDN_DETACHED && p->state != DS_UE_PDN_FAILED)
			return DS_E_STATE;
		ue_release(ue, p);
		ds_timerq_cancel(&ue->tq, &p->timer);
		free(p);
		ue->pdn[i] = NULL;
		return DS_OK;
	}
	return DS_E_NOTFOUND;
}

int ds_ue_access_change(ds_ue *ue, const ds_ue_access *acc, ds_time now)
{
	if (!ue || !acc || acc->kind > DS_UE_ACCESS_IPV4 ||
	    acc->n_link_prefix > DS_ARRAY_LEN(acc->link_prefix))
		return DS_E_PARAM;
	if ((acc->kind == DS_UE_ACCESS_IPV6 && acc->coa6.family != DS_AF_INET6) ||
	    (acc->kind == DS_UE_ACCESS_IPV4 && acc->coa4.family != DS_AF_INET))
		return DS_E_PARAM;
	ue->acc = *acc;
	ue->acc.coa6.port = 0;
	ue->acc.coa4.port = 0;
	/* home link detection again for every PDN connection */
	for (size_t i = 0; i < DS_UE_MAX_PDN; i++) {
		struct ue_pdn *p = ue->pdn[i];
		if (!p)
			continue;
		switch (p->state) {
		case DS_UE_PDN_IKE:
			if (!p->ike_started)
				start_ike(ue, p, now);
			break;
		case DS_UE_PDN_AT_HOME:
		case DS_UE_PDN_REGISTERING:
		case DS_UE_PDN_REGISTERED:
		case DS_UE_PDN_RETURNING_HOME:
			ue_mobility_decide(ue, p, now);
			break;
		default:
			break;
		}
	}
	return DS_OK;
}

ds_time ds_ue_next_timeout(const ds_ue *ue)
{
	return ds_timerq_next(&ue->tq);
}

void ds_ue_on_timer(ds_ue *ue, ds_time now)
{
	ds_timer *t;
	while ((t = ds_timerq_pop_expired(&ue->tq, now)) != NULL) {
		struct ue_pdn *p = DS_CONTAINER_OF(t, struct ue_pdn, timer);
		ue_bu_timer(ue, p, now);
	}
}

enum ds_ue_pdn_state ds_ue_pdn_state_of(const ds_ue *ue, ds_pdn_id pdn)
{
	struct ue_pdn *p = ue_pdn_get(ue, pdn);
	return p ? p->state : 0;
}

int ds_ue_pdn_status_get(const ds_ue *ue, ds_pdn_id pdn, ds_ue_pdn_status *out)
{
	struct ue_pdn *p = ue_pdn_get(ue, pdn);
	if (!p || !out)
		return DS_E_NOTFOUND;
	memset(out, 0, sizeof *out);
	out->state = p->state;
	memcpy(out->apn, p->cfg.apn, sizeof out->apn);
	out->hnp = p->hnp;
	out->hoa = p->hoa;
	out->hoa4 = p->hoa4;
	out->coa = p->coa;
	out->ha = p->access_kind == DS_UE_ACCESS_IPV4 ? p->ha4 : p->ha6;
	out->ha6 = p->ha6;
	out->ha4 = p->ha4;
	out->tunnel = p->tunnel;
	out->last_seq = p->seq;
	out->granted_lifetime_s = p->granted_s;
	out->refresh_at = p->refresh_at;
	out->nat = p->nat;
	return DS_OK;
}

const ds_ue_counters *ds_ue_counters_get(const ds_ue *ue)
{
	return &ue->ctr;
}
