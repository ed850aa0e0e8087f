#include "rt/ue_host.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/err.h"
#include "core/util.h"
#include "ipsec/esp_udp.h"
#include "rt/nft.h"
#include "rt/tun.h"
#include "rt/ue_host_int.h"

static const char *const state_names[] = { "?", "discovering", "ike", "at-home", "registering",
					   "registered", "returning-home", "detaching", "detached",
					   "failed" };

static const char *state_name(int st)
{
	return st > 0 && (size_t)st < DS_ARRAY_LEN(state_names) ? state_names[st] : "?";
}

static ue_pdn *pdn_by_id(ds_ue_host *h, ds_pdn_id id)
{
	for (unsigned i = 0; i < h->conf.n_pdn; i++)
		if (h->pdn[i].id == id && id)
			return &h->pdn[i];
	/* events raised from inside ds_ue_pdn_add() arrive before it returns the handle */
	if (h->attaching && id) {
		h->attaching->id = id;
		return h->attaching;
	}
	return NULL;
}

static ue_pdn *pdn_by_ike(ds_ue_host *h, const ds_ike_sa *sa)
{
	for (unsigned i = 0; i < h->conf.n_pdn; i++)
		if (h->pdn[i].ike == sa && sa)
			return &h->pdn[i];
	return NULL;
}

ue_pdn *ds_ue_host_pdn_by_apn(ds_ue_host *h, const char *apn)
{
	for (unsigned i = 0; i < h->conf.n_pdn; i++)
		if (strcasecmp(h->conf.pdn[i].apn, apn) == 0)
			return &h->pdn[i];
	return NULL;
}

void ds_ue_host_sync(ds_ue_host *h)
{
	ds_rt_timer_sync(&h->ue_timer);
	ds_rt_timer_sync(&h->ike_timer);
}

/* ---- datagrams ---- */

static void send_cb(void *ctx, const ds_pkt *pkt)
{
	ds_ue_host *h = ctx;
	if (pkt->kind == DS_PKT_TUN) {
		if (ds_tun_write(h->tun_fd, pkt->data, pkt->len) != DS_OK)
			ds_logf_rl(&h->log.lg, &h->rl, ds_rt_now(), DS_LOG_WARN, "TUN write failed: %s",
				   strerror(errno));
		return;
	}
	ds_netio_send(h->net, pkt);
}

static void rx_cb(void *ctx, const ds_pkt *pkt)
{
	ds_ue_host *h = ctx;
	ds_time now = ds_rt_now();
	if (pkt->kind == DS_PKT_UDP && pkt->dst.port == DS_PORT_IKE) {
		ds_ike_input(h->ike, pkt, now);
	} else if (pkt->kind == DS_PKT_UDP && pkt->dst.port == DS_PORT_NATT) {
		if (ds_natt_udp4500_is_ike(pkt, &h->natt))
			ds_ike_input(h->ike, pkt, now);
	} else {
		ds_ue_input(h->ue, pkt, now);
	}
	ds_ue_host_sync(h);
}

static void on_tun(evutil_socket_t fd, short what, void *arg)
{
	ds_ue_host *h = arg;
	for (int i = 0; i < 64; i++) {
		size_t len;
		if (ds_tun_read(h->tun_fd, h->tun_buf, sizeof h->tun_buf, &len) != DS_OK)
			break;
		ds_ue_tun_input(h->ue, h->tun_buf, len, ds_rt_now());
	}
	ds_ue_host_sync(h);
}

static ds_time ue_next(void *e) { return ds_ue_next_timeout(e); }
static void ue_fire(void *e, ds_time now) { ds_ue_on_timer(e, now); }
static ds_time ike_next(void *e) { return ds_ike_next_timeout(e); }
static void ike_fire(void *e, ds_time now) { ds_ike_on_timer(e, now); }

/* ---- accesses: netlink state -> the engine's ds_ue_access (TS 24.303 cl. 5.2) ---- */

static int access_of_ifindex(ds_ue_host *h, int ifindex)
{
	for (unsigned i = 0; i < h->conf.n_access; i++)
		if (h->ifs[i].ifindex == ifindex && ifindex)
			return (int)i;
	return -1;
}

static void schedule_eval(ds_ue_host *h)
{
	/* addresses come and go in bursts (DAD, RA): decide 200 ms after the last change */
	struct timeval tv = { 0, 200000 };
	evtimer_add(h->eval_ev, &tv);
}

static void nl_link(void *ctx, int ifindex, const char *name, bool up, bool gone)
{
	ds_ue_host *h = ctx;
	for (unsigned i = 0; i < h->conf.n_access; i++) {
		if (strcmp(h->conf.access[i].ifname, name) != 0 && h->ifs[i].ifindex != ifindex)
			continue;
		ue_if *f = &h->ifs[i];
		if (gone) {
			memset(f, 0, sizeof *f);
		} else {
			f->ifindex = ifindex;
			f->up = up;
		}
		schedule_eval(h);
	}
}

static void nl_addr(void *ctx, int ifindex, bool add, const ds_addr *a, uint32_t flags)
{
	ds_ue_host *h = ctx;
	int i = access_of_ifindex(h, ifindex);
	if (i < 0)
		return;
	ue_if *f = &h->ifs[i];
	ds_addr *list = a->family == DS_AF_INET6 ? f->v6 : f->v4;
	unsigned *n = a->family == DS_AF_INET6 ? &f->n6 : &f->n4;
	/* a CoA must be usable: not link-local, not tentative (DAD running) or deprecated */
	bool usable = add && !(flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED | IFA_F_DEPRECATED));
	if (a->family == DS_AF_INET6 && a->ip[0] == 0xfe && (a->ip[1] & 0xc0) == 0x80)
		return;
	for (unsigned k = 0; k < *n; k++)
		if (ds_addr_ip_eq(&list[k], a)) {
			list[k] = list[--*n];
			break;
		}
	if (usable && *n < DS_UE_MAX_ADDRS)
		list[(*n)++] = *a;
	schedule_eval(h);
}

static bool build_access(ds_ue_host *h, int i, ds_ue_access *acc)
{
	memset(acc, 0, sizeof *acc);
	const ue_if *f = &h->ifs[i];
	if (!f->ifindex || !f->up)
		return false;
	int kind = h->conf.access[i].kind;
	if (kind == DS_ACCESS_3GPP_HOME && f->n6) {
		acc->kind = DS_UE_ACCESS_HOME;
		acc->coa6 = f->v6[0];
		acc->coa6.plen = 0;
	} else if (kind != DS_ACCESS_IPV4 && f->n6) {
		acc->kind = DS_UE_ACCESS_IPV6;
		acc->coa6 = f->v6[0];
		acc->coa6.plen = 0;
	} else if (f->n4) {
		acc->kind = DS_UE_ACCESS_IPV4;
		acc->coa4 = f->v4[0];
		acc->coa4.plen = 0;
	} else {
		return false;
	}
	if (f->n4 && acc->kind != DS_UE_ACCESS_IPV4) {
		acc->coa4 = f->v4[0];
		acc->coa4.plen = 0;
	}
	/* home link detection (cl. 5.1.2.3): the prefixes on the link are compared with the HNP */
	for (unsigned k = 0; k < f->n6 && acc->n_link_prefix < DS_ARRAY_LEN(acc->link_prefix); k++)
		acc->link_prefix[acc->n_link_prefix++] = f->v6[k];
	for (unsigned p = 0; p < h->conf.n_pdn; p++)
		if (h->conf.pdn[p].force_udp)
			acc->force_udp = true;
	return true;
}

static bool same_access(const ds_ue_access *a, const ds_ue_access *b)
{
	return a->kind == b->kind && ds_addr_eq(&a->coa6, &b->coa6) && ds_addr_eq(&a->coa4, &b->coa4);
}

static void on_eval(evutil_socket_t fd, short what, void *arg)
{
	ds_ue_host *h = arg;
	int best = -1;
	ds_ue_access acc, cand;
	memset(&acc, 0, sizeof acc);
	for (unsigned i = 0; i < h->conf.n_access; i++) {
		if (!build_access(h, (int)i, &cand))
			continue;
		if (best < 0 || h->conf.access[i].priority > h->conf.access[best].priority) {
			best = (int)i;
			acc = cand;
		}
	}
	if (best == h->cur_access && same_access(&acc, &h->cur))
		return;
	char a6[DS_ADDR_STRLEN], a4[DS_ADDR_STRLEN];
	ds_logf(&h->log.lg, DS_LOG_NOTICE, "access: %s (%s) CoA %s / %s",
		best >= 0 ? h->conf.access[best].ifname : "none",
		best >= 0 ? ds_access_kind_names[h->conf.access[best].kind] : "-",
		ds_addr_fmt(&acc.coa6, a6, sizeof a6), ds_addr_fmt(&acc.coa4, a4, sizeof a4));
	h->cur_access = best;
	h->cur = acc;
	ds_ue_access_change(h->ue, &acc, ds_rt_now());
	ds_ue_host_sync(h);
}

static void on_nl(evutil_socket_t fd, short what, void *arg)
{
	ds_ue_host *h = arg;
	ds_nl_events ev = { .ctx = h, .link = nl_link, .addr = nl_addr };
	if (ds_nl_mon_read(h->mon) == DS_E_OVERRUN) {
		/* events were lost: start from a fresh picture */
		for (unsigned i = 0; i < h->conf.n_access; i++)
			h->ifs[i].n4 = h->ifs[i].n6 = 0;
		ds_nl_dump(h->nl, &ev);
	}
}

/* ---- UE engine events ---- */

static void pdn_state_cb(void *ctx, ds_pdn_id id, enum ds_ue_pdn_state st, int ev, int status)
{
	ds_ue_host *h = ctx;
	ue_pdn *p = pdn_by_id(h, id);
	if (!p)
		return;
	p->state = st;
	ds_logf(&h->log.lg, st == DS_UE_PDN_FAILED ? DS_LOG_WARN : DS_LOG_INFO,
		"PDN %s: %s%s", h->conf.pdn[p->idx].apn, state_name(st),
		ev == DS_UE_EV_BA_REJECTED ? " (BA rejected)"
		: ev == DS_UE_EV_TIMEOUT ? " (no answer)"
		: ev == DS_UE_EV_REVOKED ? " (network-initiated detach)"
		: ev == DS_UE_EV_IPV4_HOA_REJECTED ? " (IPv4 HoA refused)" : "");
	if (status && ev == DS_UE_EV_BA_REJECTED)
		ds_logf(&h->log.lg, DS_LOG_WARN, "PDN %s: BA status %d", h->conf.pdn[p->idx].apn,
			status);
	if (h->stopping) {
		bool all_down = true;
		for (unsigned i = 0; i < h->conf.n_pdn; i++)
			if (h->pdn[i].id && h->pdn[i].state != DS_UE_PDN_DETACHED &&
			    h->pdn[i].state != DS_UE_PDN_FAILED)
				all_down = false;
		if (all_down)
			event_active(h->stop_ev, 0, 0);
	}
}

/* Policy rules "from HoA lookup <PDN table>": on while the PDN connection has a tunnel, off at
 * home (cl. 5.1.2.3: the HoA is then used natively on the home link, no tunnel) */
static void set_rules(ds_ue_host *h, ue_pdn *p, bool on)
{
	const ds_addr *addrs[2] = { &p->hoa, &p->hoa4 };
	for (int k = 0; k < 2; k++) {
		if (addrs[k]->family == DS_AF_NONE)
			continue;
		ds_addr host = *addrs[k];
		host.plen = host.family == DS_AF_INET6 ? 128 : 32;
		host.port = 0;
		int rc = ds_nl_rule(h->nl, on, &host, DS_UE_RT_TABLE_BASE + p->idx,
				    DS_UE_RULE_PRIO + p->idx);
		if (rc != DS_OK && on)
			ds_logf(&h->log.lg, DS_LOG_ERR, "cannot add the source rule for PDN %s: %s",
				h->conf.pdn[p->idx].apn, strerror(errno));
	}
	p->rules_on = on;
}

static void hoa_cb(void *ctx, ds_pdn_id id, bool add, const ds_addr *hoa, const ds_addr *hoa4)
{
	ds_ue_host *h = ctx;
	ue_pdn *p = pdn_by_id(h, id);
	if (!p)
		return;
	uint32_t table = DS_UE_RT_TABLE_BASE + p->idx;
	ds_addr def6 = { .family = DS_AF_INET6 }, def4 = { .family = DS_AF_INET };
	char a[DS_ADDR_STRLEN], b[DS_ADDR_STRLEN];
	ds_logf(&h->log.lg, DS_LOG_NOTICE, "PDN %s: %s HoA %s IPv4 HoA %s on %s",
		h->conf.pdn[p->idx].apn, add ? "configuring" : "removing",
		ds_addr_fmt(hoa, a, sizeof a), ds_addr_fmt(hoa4, b, sizeof b), h->tun_name);
	const ds_addr *addrs[2] = { hoa, hoa4 };
	const ds_addr *defs[2] = { &def6, &def4 };
	for (int k = 0; k < 2; k++) {
		const ds_addr *x = addrs[k];
		if (!x || x->family == DS_AF_NONE)
			continue;
		ds_addr host = *x;
		host.plen = x->family == DS_AF_INET6 ? 128 : 32;
		host.port = 0;
		/* the HoA lives on the TUN; traffic from it is routed into the TUN by a source rule,
		 * while the daemon's own packets (from the CoA) keep using the main table */
		int rc = ds_nl_addr(h->nl, add, h->tun_ifindex, &host, true);
		if (add && rc == DS_OK)
			rc = ds_nl_route(h->nl, true, h->tun_ifindex, defs[k], NULL, 0, table);
		/* the source rule exists only while a tunnel is up (see tunnel_cb) */
		if (!add && p->rules_on)
			ds_nl_rule(h->nl, false, &host, table, DS_UE_RULE_PRIO + p->idx);
		if (rc != DS_OK && add)
			ds_logf(&h->log.lg, DS_LOG_ERR, "cannot configure %s on %s: %s",
				ds_addr_fmt(&host, a, sizeof a), h->tun_name, strerror(errno));
	}
	if (add) {
		p->hoa = *hoa;
		p->hoa4 = hoa4 ? *hoa4 : (ds_addr){ 0 };
		if (p->tunnel != DS_UE_TUN_NONE)
			set_rules(h, p, true); /* a new IPv4 HoA while the tunnel is up */
	} else {
		p->rules_on = false;
	}
	p->hoa_set = add;
}

static void tunnel_cb(void *ctx, ds_pdn_id id, enum ds_ue_tunnel_mode mode, const ds_addr *local,
		      const ds_addr *ha)
{
	ds_ue_host *h = ctx;
	ue_pdn *p = pdn_by_id(h, id);
	if (!p)
		return;
	p->tunnel = mode;
	if (p->hoa_set && (mode != DS_UE_TUN_NONE) != p->rules_on) {
		if (p->rules_on)
			set_rules(h, p, false); /* replace: the IPv4 HoA may have changed */
		if (mode != DS_UE_TUN_NONE)
			set_rules(h, p, true);
	}
	p->tun_local = local ? *local : (ds_addr){ 0 };
	p->tun_ha = ha ? *ha : (ds_addr){ 0 };
	static const char *const modes[] = { "none", "IPv6", "IPv4", "IPv4/UDP 4191" };
	char a[DS_ADDR_STRLEN], b[DS_ADDR_STRLEN];
	ds_logf(&h->log.lg, DS_LOG_INFO, "PDN %s: tunnel %s %s <-> %s", h->conf.pdn[p->idx].apn,
		(unsigned)mode < 4 ? modes[mode] : "?", ds_addr_fmt(&p->tun_local, a, sizeof a),
		ds_addr_fmt(&p->tun_ha, b, sizeof b));
}

typedef struct dns_req {
	ds_ue_host *h;
	ds_pdn_id id;
} dns_req;

static void dns_done(void *ctx, const ds_addr *a6, size_t n6, const ds_addr *a4, size_t n4)
{
	dns_req *r = ctx;
	ds_ue_host *h = r->h;
	ds_logf(&h->log.lg, DS_LOG_INFO, "HA discovery: %zu AAAA, %zu A", n6, n4);
	if (pdn_by_id(h, r->id)) {
		ds_ue_dns_answer(h->ue, r->id, a6, n6, a4, n4, ds_rt_now());
		ds_ue_host_sync(h);
	}
	free(r);
}

static void dns_query_cb(void *ctx, ds_pdn_id id, const char *fqdn)
{
	ds_ue_host *h = ctx;
	ue_pdn *p = pdn_by_id(h, id);
	/* an operator-configured name overrides the HA-APN the engine built, not the gateway
	 * name of a redirect (RFC 5685 cl. 4.2) */
	bool redirect = p && p->redirect_fqdn;
	if (p)
		p->redirect_fqdn = false;
	const char *name = p && !redirect && h->conf.pdn[p->idx].ha_fqdn[0]
				   ? h->conf.pdn[p->idx].ha_fqdn : fqdn;
	dns_req *r = malloc(sizeof *r);
	ds_logf(&h->log.lg, DS_LOG_INFO, "HA discovery: AAAA + A %s", name);
	if (!r || ds_dns_resolve(h->dns, name, dns_done, r) != DS_OK) {
		free(r);
		ds_ue_dns_answer(h->ue, id, NULL, 0, NULL, 0, ds_rt_now());
		return;
	}
	r->h = h;
	r->id = id;
}

static int start_ike(ds_ue_host *h, ue_pdn *p, const ds_addr *local, const ds_addr *ha,
		     const ds_addr *redirected_from)
{
	const ds_ue_pdn_conf *pc = &h->conf.pdn[p->idx];
	/* each IKE SA owns its EAP peer (the IKE engine frees it with the SA); the USIM's SQN
	 * carries over through the persisted value */
	{
		ds_eap_aka_peer_cfg ec;
		memset(&ec, 0, sizeof ec);
		ec.identity = h->conf.nai;
		memcpy(ec.k, h->usim.k, 16);
		memcpy(ec.opc, h->usim.opc, 16);
		ec.sqn_ms = h->usim.sqn;
		ec.aka_prime = true;
		ec.prefer_aka_prime = h->conf.eap == DS_EAP_KIND_AKA_PRIME;
		ec.log = h->log.lg;
		p->eap = ds_eap_aka_peer_new(&ec);
		OPENSSL_cleanse(&ec, sizeof ec);
		if (!p->eap)
			return DS_E_NOMEM;
	}
	ds_ike_connect_params cp;
	memset(&cp, 0, sizeof cp);
	cp.local = *local;
	cp.local.port = 0;
	cp.remote = *ha;
	cp.remote.port = 0;
	cp.nai = h->conf.nai;
	cp.apn = pc->apn;
	cp.eap = p->eap;
	cp.eap_ops = &ds_eap_aka_peer_ops;
	cp.cp.hnp = true;  /* MIP6_HOME_PREFIX, R-12 */
	cp.redirected_from = redirected_from;
	int err = 0;
	p->ike_up = false;
	p->ike = ds_ike_connect(h->ike, &cp, ds_rt_now(), &err);
	if (!p->ike) {
		ds_eap_aka_peer_ops.free(p->eap); /* not handed over */
		p->eap = NULL;
		return err ? err : DS_E_STATE;
	}
	return DS_OK;
}

static void ue_ike_cb(void *ctx, ds_pdn_id id, enum ds_ue_ike_action action, void *ike,
		      const ds_addr *local, const ds_addr *ha)
{
	ds_ue_host *h = ctx;
	ue_pdn *p = pdn_by_id(h, id);
	if (!p)
		return;
	ds_time now = ds_rt_now();
	int rc = DS_OK;
	switch (action) {
	case DS_UE_IKE_START: {
		/* RFC 5685 cl. 6 / R-60: the first IKE_SA_INIT after a redirect names the gateway
		 * that redirected us (REDIRECTED_FROM); later attempts are ordinary ones */
		ds_addr from = p->redirected_from;
		memset(&p->redirected_from, 0, sizeof p->redirected_from);
		rc = start_ike(h, p, local, ha, from.family != DS_AF_NONE ? &from : NULL);
		break;
	}
	case DS_UE_IKE_MOVE:
		/* RFC 5555 cl. 5.1 / RFC 4877: the IKE SA follows the new CoA after the BA (K=1) */
		/* the HA address follows the CoA's family (IPv4-only access: the HA's IPv4) */
		if (p->ike)
			rc = ds_ike_update_peer(p->ike, local, ha, now);
		break;
	case DS_UE_IKE_DELETE:
		if (p->ike)
			rc = ds_ike_delete(p->ike, now);
		break;
	}
	if (rc != DS_OK) {
		ds_logf(&h->log.lg, DS_LOG_WARN, "PDN %s: IKE action %d failed: %s",
			h->conf.pdn[p->idx].apn, action, ds_strerror(rc));
		if (action == DS_UE_IKE_START)
			ds_ue_ike_failed(h->ue, id, now);
	}
}

/* ---- IKEv2 initiator events ---- */

static void save_sqn(ds_ue_host *h, ue_pdn *p)
{
	const ds_usim *u = ds_eap_aka_peer_usim(p->eap);
	uint64_t sqn = u ? ds_usim_sqn_ms(u) : 0;
	if (sqn > h->usim.sqn) {
		h->usim.sqn = sqn;
		if (ds_usim_file_save(h->conf.usim_file, &h->usim) != DS_OK)
			ds_logf(&h->log.lg, DS_LOG_ERR, "cannot save the SQN to %s: %s",
				h->conf.usim_file, strerror(errno));
	}
}

static void established_cb(void *ctx, ds_ike_sa *sa, const ds_ike_info *info)
{
	ds_ue_host *h = ctx;
	ue_pdn *p = pdn_by_ike(h, sa);
	if (!p)
		return;
	p->info = *info;
	p->ike_up = true;
	if (p->eap)
		save_sqn(h, p);
	char hnp[DS_ADDR_STRLEN];
	ds_logf(&h->log.lg, DS_LOG_INFO, "PDN %s: IKE SA up, HNP %s", info->apn,
		ds_addr_fmt(&info->hnp, hnp, sizeof hnp));
	if (!info->has_hnp) {
		ds_logf(&h->log.lg, DS_LOG_ERR, "PDN %s: no MIP6_HOME_PREFIX in CFG_REPLY", info->apn);
		ds_ike_delete(sa, ds_rt_now());
		return;
	}
	/* RFC 5026 cl. 5 / R-14: the MH SA's selectors must carry the HoA. The CREATE_CHILD_SA
	 * is started from the loop, not from inside the IKE engine's callback (hosts queue) */
	p->want_child = true;
	event_active(h->defer_ev, 0, 0);
}

/* The HA's IPv6 address for this PDN connection: configured, discovered (DNS AAAA, kept by the
 * UE engine) or the IKE peer when IKE runs over IPv6. */
static bool ha6_of(ds_ue_host *h, const ue_pdn *p, ds_addr *out)
{
	const ds_ue_pdn_conf *pc = &h->conf.pdn[p->idx];
	ds_ue_pdn_status st;
	memset(out, 0, sizeof *out);
	if (pc->ha6.family == DS_AF_INET6)
		*out = pc->ha6;
	else if (p->info.remote.family == DS_AF_INET6)
		*out = p->info.remote;
	else if (ds_ue_pdn_status_get(h->ue, p->id, &st) == DS_OK && st.ha6.family == DS_AF_INET6)
		*out = st.ha6;
	else
		return false;
	out->port = 0;
	out->plen = 0;
	return true;
}

/* Deferred work: CREATE_CHILD_SA between HoA (HNP | IID) and the HA once the prefix is known. */
/* RFC 3948 cl. 4 / RFC 5555 cl. 4.3: one 0xFF octet per IKE SA that runs over IPv4 on UDP
 * 4500, every DS_NATT_KEEPALIVE_S, so the NAT in front of the UE keeps the IKE mapping the HA
 * sends its requests (liveness, rekey, redirect, Delete) to. */
static void keepalive_one(void *ctx, const ds_ike_sa *sa)
{
	ds_ue_host *h = ctx;
	ds_ike_info info;
	ds_ike_sa_info(sa, &info);
	if (!ds_natt_keepalive_wanted(&info))
		return;
	ds_pkt ka;
	ds_natt_keepalive_make(&info, &ka);
	if (ds_netio_send(h->net, &ka) == DS_OK)
		h->natt.keepalives_tx++;
}

static void on_keepalive(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	ds_ue_host *h = arg;
	ds_ike_foreach(h->ike, keepalive_one, h);
}

static void on_defer(evutil_socket_t fd, short what, void *arg)
{
	ds_ue_host *h = arg;
	for (unsigned i = 0; i < h->conf.n_pdn; i++) {
		ue_pdn *p = &h->pdn[i];
		if (!p->want_child)
			continue;
		p->want_child = false;
		if (!p->ike || !p->ike_up)
			continue;
		ds_addr hoa = p->info.hnp;
		memcpy(hoa.ip + 8, h->iid, 8);
		hoa.plen = 0;
		/* RFC 5555 cl. 4.2 / RFC 4877: the SA protecting MH runs between the HoA and the
		 * HA's IPv6 address, also when IKE itself runs over IPv4 (IPv4-only access) */
		const ds_ue_pdn_conf *pc = &h->conf.pdn[p->idx];
		ds_addr ha6;
		if (!ha6_of(h, p, &ha6)) {
			ds_logf(&h->log.lg, DS_LOG_ERR, "PDN %s: no IPv6 address of the HA known (DNS "
				"AAAA or ha6): no SA for the Mobility Header", pc->apn);
			ds_ike_delete(p->ike, ds_rt_now());
			continue;
		}
		ds_ike_child_params cp = { .local = hoa, .remote = ha6, .proto = 135,
					   .mode = DS_ESP_TRANSPORT };
		int rc = ds_ike_create_child(p->ike, &cp, ds_rt_now());
		if (rc != DS_OK)
			ds_logf(&h->log.lg, DS_LOG_ERR, "PDN %s: CREATE_CHILD_SA for the HoA: %s",
				pc->apn, ds_strerror(rc));
	}
	ds_ue_host_sync(h);
}

static void child_up_cb(void *ctx, ds_ike_sa *sa, const ds_ike_child *child)
{
	ds_ue_host *h = ctx;
	ds_keylog_files_child(&h->keylog, child);
	ue_pdn *p = pdn_by_ike(h, sa);
	if (!p || !p->ike_up)
		return; /* the IKE_AUTH bootstrap CHILD_SA (CoA selectors) is not used for MH */
	ds_addr hoa = p->info.hnp;
	memcpy(hoa.ip + 8, h->iid, 8);
	if (!ds_addr_in_prefix(&hoa, &child->out.sel.local, child->out.sel.local.plen) ||
	    child->out.sel.local.family != DS_AF_INET6) {
		char a[DS_ADDR_STRLEN];
		ds_logf(&h->log.lg, DS_LOG_DEBUG, "PDN %s: CHILD_SA for %s is not the HoA's, not used "
			"for MH", h->conf.pdn[p->idx].apn,
			ds_addr_fmt(&child->out.sel.local, a, sizeof a));
		return;
	}
	int err = 0;
	ds_esp_sa *in = ds_esp_sa_new(&child->in, &err);
	ds_esp_sa *out = in ? ds_esp_sa_new(&child->out, &err) : NULL;
	if (!in || !out) {
		ds_esp_sa_free(in);
		ds_logf(&h->log.lg, DS_LOG_ERR, "cannot create ESP SAs: %s", ds_strerror(err));
		return;
	}
	ds_ue_ike_info ui;
	memset(&ui, 0, sizeof ui);
	ui.ike = sa;
	ui.hnp = p->info.hnp;
	ui.hnp_lifetime_s = p->info.hnp_lifetime_s;
	const ds_ue_pdn_conf *pc = &h->conf.pdn[p->idx];
	ha6_of(h, p, &ui.ha6);
	ui.ha4 = pc->ha4.family ? pc->ha4 : (p->info.remote.family == DS_AF_INET ? p->info.remote
										 : ui.ha4);
	ui.ha4.port = 0;
	ui.sa_out = out;
	ui.sa_in = in;
	int rc = ds_ue_ike_up(h->ue, p->id, &ui, ds_rt_now());
	if (rc != DS_OK)
		ds_logf(&h->log.lg, DS_LOG_WARN, "PDN %s: UE engine refused the MH SA: %s",
			h->conf.pdn[p->idx].apn, ds_strerror(rc));
	ds_ue_host_sync(h);
}

static void closed_cb(void *ctx, ds_ike_sa *sa, int reason, const ds_ike_info *info)
{
	ds_ue_host *h = ctx;
	ue_pdn *p = pdn_by_ike(h, sa);
	if (!p)
		return;
	p->ike = NULL;
	p->eap = NULL; /* freed by the IKE engine with the SA */
	bool was_up = p->ike_up;
	p->ike_up = false;
	ds_logf(&h->log.lg, DS_LOG_INFO, "PDN %s: IKE SA closed (reason %d)", h->conf.pdn[p->idx].apn,
		reason);
	if (reason == DS_IKE_CLOSE_SHUTDOWN || reason == DS_IKE_CLOSE_REDIRECTED ||
	    reason == DS_IKE_CLOSE_LOCAL || reason == DS_IKE_CLOSE_REKEYED)
		return;
	ds_time now = ds_rt_now();
	if (was_up && reason == DS_IKE_CLOSE_PEER_DELETE)
		ds_ue_ike_deleted(h->ue, p->id, now);  /* network-initiated detach */
	else
		ds_ue_ike_failed(h->ue, p->id, now);
}

static void redirected_cb(void *ctx, ds_ike_sa *sa, const ds_addr *new_gw, const char *fqdn)
{
	ds_ue_host *h = ctx;
	ue_pdn *p = pdn_by_ike(h, sa);
	if (!p)
		return;
	char a[DS_ADDR_STRLEN];
	ds_logf(&h->log.lg, DS_LOG_NOTICE, "PDN %s: redirected to %s", h->conf.pdn[p->idx].apn,
		new_gw && new_gw->family ? ds_addr_fmt(new_gw, a, sizeof a) : (fqdn ? fqdn : "?"));
	ds_time now = ds_rt_now();
	ds_ike_info old;
	ds_ike_sa_info(sa, &old);
	p->redirected_from = old.remote;
	p->redirected_from.port = 0;
	/* the old SA is no longer this PDN connection's: its closure is not a failure */
	p->ike = NULL;
	p->ike_up = false;
	p->eap = NULL; /* freed by the IKE engine with the old SA */
	/* RFC 5685 cl. 5: a client redirected during an active session SHOULD delete its IKE SA
	 * with the old gateway, which then releases the PDN connection (TS 24.303 cl. 5.1.2.2) */
	if (old.state == DS_IKE_ST_ESTABLISHED)
		ds_ike_delete(sa, now);
	int rc;
	if (new_gw && new_gw->family)
		rc = ds_ue_ike_redirected(h->ue, p->id, new_gw, now);
	else if (fqdn && fqdn[0]) { /* cl. 4.2 GW Ident Type 3: resolved like an HA-APN */
		p->redirect_fqdn = true;
		rc = ds_ue_ike_redirected_fqdn(h->ue, p->id, fqdn, now);
		if (rc != DS_OK)
			p->redirect_fqdn = false;
	}
	else
		rc = DS_E_PARAM;
	if (rc != DS_OK) {
		memset(&p->redirected_from, 0, sizeof p->redirected_from);
		ds_ue_ike_failed(h->ue, p->id, now);
	}
	ds_ue_host_sync(h);
}

static void keylog_cb(void *ctx, const char *line)
{
	ds_ue_host *h = ctx;
	ds_keylog_files_ike(&h->keylog, line);
}

/* Check the HA's certificate chain against the configured trust anchors and its AUTH signature
 * (RFC 7296 cl. 2.15, TS 33.402: the PDN GW authenticates with a certificate). */
static int verify_cb(void *ctx, const uint8_t *const *certs, const size_t *lens, size_t n,
		     uint8_t method, const uint8_t *octets, size_t len, const uint8_t *sig,
		     size_t sig_len)
{
	ds_ue_host *h = ctx;
	if (n == 0 || n > 8)
		return DS_E_AUTH;
	ds_cert *chain[8] = { 0 };
	int rc = DS_OK, err = 0;
	for (size_t i = 0; i < n && rc == DS_OK; i++) {
		chain[i] = ds_cert_from_der(certs[i], lens[i], &err);
		if (!chain[i])
			rc = DS_E_AUTH;
	}
	const char *why = NULL;
	if (rc == DS_OK)
		rc = ds_cert_verify_chain(h->ca, chain[0], (const ds_cert *const *)chain + 1, n - 1,
					  (int64_t)ds_rt_wall(), &why);
	if (rc == DS_OK)
		rc = ds_cert_auth_verify(chain[0], method, octets, len, sig, sig_len);
	if (rc != DS_OK)
		ds_logf(&h->log.lg, DS_LOG_WARN, "HA certificate rejected: %s",
			why ? why : ds_strerror(rc));
	for (size_t i = 0; i < n; i++)
		ds_cert_free(chain[i]);
	return rc == DS_OK ? DS_OK : DS_E_AUTH;
}

/* ---- PDN connections ---- */

int ds_ue_host_attach(ds_ue_host *h, unsigned idx)
{
	ue_pdn *p = &h->pdn[idx];
	if (p->id) {
		enum ds_ue_pdn_state st = ds_ue_pdn_state_of(h->ue, p->id);
		if (st != DS_UE_PDN_DETACHED && st != DS_UE_PDN_FAILED)
			return DS_E_EXISTS;
		ds_ue_pdn_remove(h->ue, p->id);
		p->id = 0;
	}
	const ds_ue_pdn_conf *c = &h->conf.pdn[idx];
	ds_ue_pdn_config pc;
	memset(&pc, 0, sizeof pc);
	snprintf(pc.apn, sizeof pc.apn, "%s", c->apn);
	pc.ha6 = c->ha6;
	pc.ha4 = c->ha4;
	pc.discover = !c->ha6.family && !c->ha4.family;
	pc.want_ipv4_hoa = c->ipv4_hoa;
	pc.lifetime_s = (uint16_t)(c->lifetime > 65535 ? 65535 : c->lifetime);
	p->idx = idx;
	int err = 0;
	h->attaching = p;
	ds_pdn_id id = ds_ue_pdn_add(h->ue, &pc, ds_rt_now(), &err);
	h->attaching = NULL;
	p->id = id;
	ds_ue_host_sync(h);
	return p->id ? DS_OK : (err ? err : DS_E_STATE);
}

/* ---- signals ---- */

static void on_stop_done(evutil_socket_t fd, short what, void *arg)
{
	ds_ue_host *h = arg;
	event_base_loopbreak(h->base);
}

static void on_stop(evutil_socket_t sig, short what, void *arg)
{
	ds_ue_host *h = arg;
	if (h->stopping) {
		ds_logf(&h->log.lg, DS_LOG_NOTICE, "second signal: exiting without waiting");
		event_base_loopbreak(h->base);
		return;
	}
	h->stopping = true;
	/* UE-initiated detach of every PDN connection (Annex A.5) before exiting */
	unsigned n = 0;
	for (unsigned i = 0; i < h->conf.n_pdn; i++) {
		ue_pdn *p = &h->pdn[i];
		if (p->id && ds_ue_pdn_detach(h->ue, p->id, ds_rt_now()) == DS_OK)
			n++;
	}
	ds_logf(&h->log.lg, DS_LOG_NOTICE, "signal %d: detaching %u PDN connection(s)", (int)sig, n);
	ds_ue_host_sync(h);
	struct timeval tv = { 5, 0 }; /* do not hang on an unreachable HA */
	if (n == 0)
		tv.tv_sec = 0;
	evtimer_add(h->stop_ev, &tv);
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
	ds_ue_host *h = arg;
	char msg[512];
	ds_ue_host_reload(h, msg, sizeof msg);
	ds_logf(&h->log.lg, DS_LOG_NOTICE, "SIGHUP: %s", msg);
}

int ds_ue_host_reload(ds_ue_host *h, char *msg, size_t len)
{
	ds_ue_conf nc;
	char err[2048];
	if (ds_ue_conf_load(h->conf_path, &nc, err, sizeof err) != DS_OK) {
		snprintf(msg, len, "configuration not reloaded: %s", err);
		return DS_E_CONFIG;
	}
	ds_log_sink_set_level(&h->log, nc.log.level);
	h->conf.log.level = nc.log.level;
	bool restart = nc.n_pdn != h->conf.n_pdn || nc.n_access != h->conf.n_access ||
		       memcmp(nc.pdn, h->conf.pdn, sizeof nc.pdn) != 0 ||
		       memcmp(nc.access, h->conf.access, sizeof nc.access) != 0 ||
		       strcmp(nc.nai, h->conf.nai) != 0 || strcmp(nc.tun_name, h->conf.tun_name) != 0;
	snprintf(msg, len, "log level %s applied%s", ds_log_level_name(nc.log.level),
		 restart ? "; identity, accesses, PDN connections or TUN changes need a restart" : "");
	return DS_OK;
}

/* ---- start-up ---- */

/* Interface identifier of the HoA: stable per subscriber (a restarted UE or HA finds the same
 * HoA) and not revealing the IMSI: the first 64 bits of SHA-256(NAI), universal/local bit
 * cleared (RFC 4291 cl. 2.5.1: not a universally administered identifier). */
static int derive_iid(ds_ue_host *h)
{
	unsigned char md[32];
	unsigned int n = 0;
	if (!EVP_Digest(h->conf.nai, strlen(h->conf.nai), md, &n, EVP_sha256(), NULL) || n < 8)
		return DS_E_CRYPTO;
	memcpy(h->iid, md, 8);
	h->iid[0] &= (uint8_t)~0x02;
	return DS_OK;
}

static int setup_tun(ds_ue_host *h)
{
	h->tun_fd = ds_tun_open(h->conf.tun_name, h->tun_name, &h->tun_ifindex);
	if (h->tun_fd < 0) {
		ds_logf(&h->log.lg, DS_LOG_ERR, "cannot create TUN %s: %s", h->conf.tun_name,
			strerror(errno));
		return DS_E_IO;
	}
	if (ds_tun_quiet(h->tun_name) != DS_OK)
		ds_logf(&h->log.lg, DS_LOG_WARN, "cannot silence IPv6 autoconfiguration on %s",
			h->tun_name);
	if (ds_nl_link_up(h->nl, h->tun_ifindex, h->conf.tun_mtu) != DS_OK) {
		ds_logf(&h->log.lg, DS_LOG_ERR, "cannot bring %s up: %s", h->tun_name, strerror(errno));
		return DS_E_IO;
	}
	h->tun_ev = event_new(h->base, h->tun_fd, EV_READ | EV_PERSIST, on_tun, h);
	return h->tun_ev && event_add(h->tun_ev, NULL) == 0 ? DS_OK : DS_E_NOMEM;
}

static int setup_engines(ds_ue_host *h)
{
	ds_ue_config uc;
	memset(&uc, 0, sizeof uc);
	uc.send = send_cb;
	uc.send_ctx = h;
	uc.ev.ctx = h;
	uc.ev.pdn_state = pdn_state_cb;
	uc.ev.hoa = hoa_cb;
	uc.ev.tunnel = tunnel_cb;
	uc.ev.dns_query = dns_query_cb;
	uc.ev.ike = ue_ike_cb;
	uc.log = h->log.lg;
	memcpy(uc.iid, h->iid, 8);
	snprintf(uc.mcc, sizeof uc.mcc, "%s", h->conf.mcc);
	snprintf(uc.mnc, sizeof uc.mnc, "%s", h->conf.mnc);
	h->ue = ds_ue_new(&uc);
	if (!h->ue) {
		ds_logf(&h->log.lg, DS_LOG_ERR, "UE engine refused the configuration");
		return DS_E_CONFIG;
	}
	ds_ike_config ic;
	memset(&ic, 0, sizeof ic);
	ic.role = DS_IKE_INITIATOR;
	ic.send = send_cb;
	ic.send_ctx = h;
	ic.ev.ctx = h;
	ic.ev.established = established_cb;
	ic.ev.child_up = child_up_cb;
	ic.ev.closed = closed_cb;
	ic.ev.redirected = redirected_cb;
	ic.ev.keylog = keylog_cb;
	ic.log = h->log.lg;
	ic.keylog = h->keylog.ike != NULL;
	/* RFC 5555 cl. 5: the mobile node runs its IKE SA over UDP 4500 regardless of a NAT, so
	 * that an SA moved behind a NAT later (BA with K=1) keeps the encapsulation the HA
	 * follows to the new NAT mapping (RFC 7296 cl. 2.23) */
	ic.force_natt = true;
	ds_conf_ike_tuning_apply(&h->conf.ike, &ic);
	h->verifier.ctx = h;
	h->verifier.verify = verify_cb;
	ic.verifier = &h->verifier;
	int err = 0;
	h->ike = ds_ike_new(&ic, &err);
	if (!h->ike) {
		ds_logf(&h->log.lg, DS_LOG_ERR, "IKE engine: %s", ds_strerror(err));
		return err ? err : DS_E_CONFIG;
	}
	if (ds_rt_timer_init(&h->ue_timer, h->base, ue_next, ue_fire, h->ue) != DS_OK ||
	    ds_rt_timer_init(&h->ike_timer, h->base, ike_next, ike_fire, h->ike) != DS_OK)
		return DS_E_NOMEM;
	return DS_OK;
}

static int setup(ds_ue_host *h)
{
	char err[512];
	h->base = event_base_new();
	if (!h->base)
		return DS_E_NOMEM;
	if (ds_usim_file_load(h->conf.usim_file, &h->usim, err, sizeof err) != DS_OK) {
		ds_logf(&h->log.lg, DS_LOG_ERR, "USIM file: %s", err);
		return DS_E_CONFIG;
	}
	if (derive_iid(h) != DS_OK)
		return DS_E_CRYPTO;
	int cerr = 0;
	h->ca = ds_ca_load(h->conf.ha_ca, &cerr);
	if (!h->ca) {
		ds_logf(&h->log.lg, DS_LOG_ERR, "cannot load the HA trust anchors %s: %s",
			h->conf.ha_ca, ds_strerror(cerr));
		return DS_E_CONFIG;
	}
	if (h->conf.keylog_dir[0] && ds_keylog_files_open(&h->keylog, h->conf.keylog_dir) != DS_OK)
		ds_logf(&h->log.lg, DS_LOG_WARN, "key log in %s: %s", h->conf.keylog_dir,
			strerror(errno));
	h->dns = ds_dns_new(h->base, h->conf.dns_servers, h->conf.n_dns, err, sizeof err);
	if (!h->dns) {
		ds_logf(&h->log.lg, DS_LOG_ERR, "DNS: %s", err);
		return DS_E_IO;
	}
	h->nl = ds_nl_open();
	if (!h->nl) {
		ds_logf(&h->log.lg, DS_LOG_ERR, "netlink: %s", strerror(errno));
		return DS_E_IO;
	}
	int rc = setup_engines(h);
	if (rc != DS_OK)
		return rc;
	if (ds_nft_install(DS_UE_NFT_TABLE, err, sizeof err) == DS_OK)
		h->nft_installed = true;
	else
		ds_logf(&h->log.lg, DS_LOG_WARN, "nftables table not installed: %s", err);
	if ((rc = setup_tun(h)) != DS_OK)
		return rc;
	static const uint8_t raw6[] = { 60, 43, 50, 135, 41, 4 };
	static const uint8_t raw4[] = { 50, 41, 4 };
	ds_netio_cfg nc = {
		.base = h->base, .log = &h->log.lg, .ike = true, .dsmip_udp = true,
		.raw6 = raw6, .n_raw6 = sizeof raw6, .raw4 = raw4, .n_raw4 = sizeof raw4,
		.rx = rx_cb, .ctx = h,
	};
	nc.bind6.family = DS_AF_INET6;
	nc.bind4.family = DS_AF_INET;
	h->net = ds_netio_new(&nc);
	if (!h->net)
		return DS_E_IO;
	ds_nl_events ev = { .ctx = h, .link = nl_link, .addr = nl_addr };
	h->mon = ds_nl_mon_open(&ev);
	if (!h->mon)
		return DS_E_IO;
	h->nl_ev = event_new(h->base, ds_nl_mon_fd(h->mon), EV_READ | EV_PERSIST, on_nl, h);
	h->eval_ev = evtimer_new(h->base, on_eval, h);
	h->stop_ev = evtimer_new(h->base, on_stop_done, h);
	h->defer_ev = event_new(h->base, -1, 0, on_defer, h);
	h->keepalive_ev = event_new(h->base, -1, EV_PERSIST, on_keepalive, h);
	struct timeval ka_tv = { .tv_sec = DS_NATT_KEEPALIVE_S };
	if (!h->nl_ev || !h->eval_ev || !h->stop_ev || !h->defer_ev || !h->keepalive_ev ||
	    event_add(h->nl_ev, NULL) != 0 || event_add(h->keepalive_ev, &ka_tv) != 0)
		return DS_E_NOMEM;
	h->cur_access = -1;
	ds_nl_dump(h->nl, &ev);
	on_eval(-1, 0, h); /* the engine starts on the access present now */
	for (unsigned i = 0; i < h->conf.n_pdn; i++) {
		rc = ds_ue_host_attach(h, i);
		if (rc != DS_OK)
			ds_logf(&h->log.lg, DS_LOG_ERR, "PDN %s: %s", h->conf.pdn[i].apn, ds_strerror(rc));
	}
	h->ctl = ds_ctl_server_new(h->base, h->conf.ctl_socket, ds_ue_ctl_cmds, h, &h->log.lg);
	if (!h->ctl)
		return DS_E_IO;
	h->sig_term = evsignal_new(h->base, SIGTERM, on_stop, h);
	h->sig_int = evsignal_new(h->base, SIGINT, on_stop, h);
	h->sig_hup = evsignal_new(h->base, SIGHUP, on_hup, h);
	if (!h->sig_term || !h->sig_int || !h->sig_hup || event_add(h->sig_term, NULL) ||
	    event_add(h->sig_int, NULL) || event_add(h->sig_hup, NULL))
		return DS_E_NOMEM;
	signal(SIGPIPE, SIG_IGN);
	ds_ue_host_sync(h);
	return DS_OK;
}

static void teardown(ds_ue_host *h)
{
	struct event **evs[] = { &h->sig_term, &h->sig_int, &h->sig_hup, &h->tun_ev, &h->nl_ev,
				 &h->eval_ev, &h->stop_ev, &h->defer_ev, &h->keepalive_ev };
	if (h->ctl)
		ds_ctl_server_free(h->ctl);
	for (size_t i = 0; i < DS_ARRAY_LEN(evs); i++)
		if (*evs[i])
			event_free(*evs[i]);
	ds_netio_free(h->net);
	if (h->ike_timer.ev)
		ds_rt_timer_free(&h->ike_timer);
	if (h->ue_timer.ev)
		ds_rt_timer_free(&h->ue_timer);
	h->stopping = true;
	ds_ike_free(h->ike);
	/* home addresses and policy rules go with the daemon */
	for (unsigned i = 0; i < h->conf.n_pdn; i++)
		if (h->pdn[i].hoa_set && h->nl)
			hoa_cb(h, h->pdn[i].id, false, &h->pdn[i].hoa, &h->pdn[i].hoa4);
	ds_ue_free(h->ue);
	if (h->tun_fd > 0)
		close(h->tun_fd);
	ds_nl_mon_close(h->mon);
	ds_nl_close(h->nl);
	ds_dns_free(h->dns);
	if (h->nft_installed)
		ds_nft_remove(DS_UE_NFT_TABLE);
	ds_keylog_files_close(&h->keylog);
	ds_usim_file_wipe(&h->usim);
	ds_ca_free(h->ca);
	if (h->base)
		event_base_free(h->base);
}

int ds_ue_host_main(const ds_ue_host_opts *o)
{
	ds_ue_host *h = calloc(1, sizeof *h);
	if (!h)
		return 2;
	h->conf_path = o->conf_path;
	h->tun_fd = -1;
	h->rl = (ds_ratelimit)DS_RATELIMIT_INIT(1000, 10);
	char err[4096];
	if (ds_ue_conf_load(o->conf_path, &h->conf, err, sizeof err) != DS_OK) {
		fprintf(stderr, "%s\n", err);
		free(h);
		return 1;
	}
	if (o->foreground_log)
		h->conf.log.syslog = false;
	if (o->log_level > 0)
		h->conf.log.level = o->log_level;
	ds_log_sink_open(&h->log, "dsmip6-ue", &h->conf.log);
	int rc = setup(h);
	if (rc == DS_OK) {
		ds_logf(&h->log.lg, DS_LOG_NOTICE, "dsmip6-ue running: NAI %s, %u PDN connection(s), "
			"TUN %s, control %s", h->conf.nai, h->conf.n_pdn, h->tun_name, h->conf.ctl_socket);
		event_base_dispatch(h->base);
	} else {
		ds_logf(&h->log.lg, DS_LOG_ERR, "start-up failed: %s", ds_strerror(rc));
	}
	teardown(h);
	ds_log_sink_close(&h->log);
	free(h);
	return rc == DS_OK ? 0 : 2;
}
