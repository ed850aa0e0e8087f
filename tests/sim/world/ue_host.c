/* UE host: one mobile node with its IKEv2 initiator and UE engine on the simulated network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "sim_ippkt.h"
#include "ue/ue_ike.h"
#include "ike_wrap.h"
#include "world_int.h"

#define UE_SLOTS 2

typedef struct ue_slot {
	ue_host *u;
	bool used;
	char apn[DS_UE_APN_MAX + 1];
	bool want4;
	ds_addr last_hoa4;            /* the IPv4 HoA last configured, to ask for it again */
	ue_pdn_view v;
} ue_slot;

struct ue_host {
	world *w;
	unsigned idx;
	char name[16];
	char nai[64];
	uint8_t iid[8];
	sim_node *node;
	sim_iface *acc;
	enum world_access access;
	ds_ue *ue;
	ds_ike *ike;
	ds_ue_ike_glue *glue;         /* the product's composition of the two engines */
	ike_wrap wrap;                /* the glue's IKE handlers, wrapped for the trace */
	ue_slot slot[UE_SLOTS];
	ue_slot *adding;              /* slot whose ds_ue_pdn_add() is running (events carry an
					 id the host has not seen yet) */
	ds_addr coa6, coa4;
	ds_time ka_at;                /* next NAT-keepalive round (RFC 3948 cl. 4) */
	uint64_t keepalives;
};

/* RFC 3948 cl. 4 / RFC 5555 cl. 4.3: NAT-keepalives (one octet 0xFF, UDP 4500 -> 4500) every
 * 20 s keep the NAT mapping of the IKE SA alive, so that the HA's own IKE requests (liveness
 * checks, Delete) reach a UE behind a NAT. Sent for every IKE SA on an IPv4 address and port
 * 4500; without a NAT they are harmless. The UE daemon's host does the same. */
#define UE_NAT_KEEPALIVE DS_SEC(20)

static char *fmt(const ds_addr *a, char *b) { return ds_addr_fmt(a, b, DS_ADDR_STRLEN); }

static ue_slot *slot_of_pdn(ue_host *u, ds_pdn_id id)
{
	for (unsigned i = 0; i < UE_SLOTS; i++)
		if (u->slot[i].used && u->slot[i].v.id == id)
			return &u->slot[i];
	if (u->adding && id) {
		u->adding->v.id = id;
		return u->adding;
	}
	return NULL;
}

static ue_slot *slot_of_apn(ue_host *u, const char *apn)
{
	for (unsigned i = 0; i < UE_SLOTS; i++)
		if (u->slot[i].used && strcmp(u->slot[i].apn, apn) == 0)
			return &u->slot[i];
	return NULL;
}

/* Every entry into the engines starts here: the glue needs the time of the call. */
static ds_time enter(ue_host *u)
{
	ds_time now = sim_now(u->w->s);
	ds_ue_ike_glue_set_time(u->glue, now);
	return now;
}

/* ---- sending ---- */

static void count_echo(ue_host *u, const uint8_t *pkt, size_t len)
{
	sim_ip_udp p;
	if (sim_ip_udp_parse(pkt, len, &p) != DS_OK)
		return;
	for (unsigned i = 0; i < UE_SLOTS; i++) {
		ue_slot *s = &u->slot[i];
		if (s->used && (ds_addr_ip_eq(&p.dst, &s->v.hoa) || ds_addr_ip_eq(&p.dst, &s->v.hoa4)) &&
		    (ds_addr_ip_eq(&p.src, &u->w->cn6) || ds_addr_ip_eq(&p.src, &u->w->cn4))) {
			s->v.echo_rx++;
			return;
		}
	}
}

static void ue_send(void *ctx, const ds_pkt *pkt)
{
	ue_host *u = ctx;
	if (pkt->kind == DS_PKT_TUN) {
		count_echo(u, pkt->data, pkt->len);   /* decapsulated downlink for the local stack */
		return;
	}
	sim_send(u->acc, pkt);
}

static void ike_send(void *ctx, const ds_pkt *pkt)
{
	ue_host *u = ctx;
	sim_send(u->acc, pkt);
}

/* ---- UE engine events ---- */

static void ev_state(void *ctx, ds_pdn_id pdn, enum ds_ue_pdn_state st, int ev, int status)
{
	ue_host *u = ctx;
	ue_slot *s = slot_of_pdn(u, pdn);
	sim_tracef(u->w->s, "%s pdn %u state=%d ev=%d status=%d", u->name, pdn, st, ev, status);
	if (!s)
		return;
	s->v.state = st;
	if (ev == DS_UE_EV_REVOKED)
		s->v.revoked++;
	else if (ev == DS_UE_EV_BA_REJECTED)
		s->v.rejected++;
	else if (ev == DS_UE_EV_TIMEOUT)
		s->v.timeouts++;
	if (st == DS_UE_PDN_FAILED)
		s->v.ike_failures += ev == DS_UE_EV_STATE;
}

static void ev_hoa(void *ctx, ds_pdn_id pdn, bool add, const ds_addr *hoa, const ds_addr *hoa4)
{
	ue_host *u = ctx;
	ue_slot *s = slot_of_pdn(u, pdn);
	char a[DS_ADDR_STRLEN], b[DS_ADDR_STRLEN];
	sim_tracef(u->w->s, "%s pdn %u hoa %s %s %s", u->name, pdn, add ? "add" : "del",
		   hoa && hoa->family ? fmt(hoa, a) : "-", hoa4 && hoa4->family ? fmt(hoa4, b) : "-");
	if (!s)
		return;
	if (add) {
		if (hoa && hoa->family)
			s->v.hoa = *hoa;
		if (hoa4 && hoa4->family)
			s->v.hoa4 = s->last_hoa4 = *hoa4;
	} else {
		memset(&s->v.hoa, 0, sizeof s->v.hoa);
		memset(&s->v.hoa4, 0, sizeof s->v.hoa4);
	}
}

static void ev_tunnel(void *ctx, ds_pdn_id pdn, enum ds_ue_tunnel_mode mode, const ds_addr *local,
		      const ds_addr *ha)
{
	ue_host *u = ctx;
	ue_slot *s = slot_of_pdn(u, pdn);
	char a[DS_ADDR_STRLEN], b[DS_ADDR_STRLEN];
	sim_tracef(u->w->s, "%s pdn %u tunnel %d %s %s", u->name, pdn, mode, fmt(local, a),
		   fmt(ha, b));
	if (s)
		s->v.tunnel = mode;
}

static void dns_answer(void *ctx, const char *fqdn, const ds_addr *a6, size_t n6,
		       const ds_addr *a4, size_t n4, ds_time now)
{
	(void)fqdn;
	ue_slot *s = ctx;
	ue_host *u = s->u;
	enter(u);
	ds_ue_dns_answer(u->ue, s->v.id, a6, n6, a4, n4, now);
	sim_node_kick(u->node);
}

static void ev_dns(void *ctx, ds_pdn_id pdn, const char *fqdn)
{
	ue_host *u = ctx;
	ue_slot *s = slot_of_pdn(u, pdn);
	if (s)
		sim_dns_query(u->w->dns, fqdn, dns_answer, s);
}

static void ev_ike(void *ctx, ds_pdn_id pdn, enum ds_ue_ike_action action, void *ike,
		   const ds_addr *local, const ds_addr *ha)
{
	ue_host *u = ctx;
	char a[DS_ADDR_STRLEN], b[DS_ADDR_STRLEN];
	sim_tracef(u->w->s, "%s pdn %u ike-action %d %s %s", u->name, pdn, action,
		   local ? fmt(local, a) : "-", ha ? fmt(ha, b) : "-");
	ds_ue_ike_glue_event(u->glue, pdn, action, ike, local, ha);
}

/* ---- IKE initiator events: traced and counted, then handled by the glue ---- */

static void ev_established(void *ctx, ds_ike_sa *sa, const ds_ike_info *info)
{
	(void)sa;
	ue_host *u = ctx;
	sim_tracef(u->w->s, "%s ike-established %s", u->name, info->apn);
}

static void ev_child_up(void *ctx, ds_ike_sa *sa, const ds_ike_child *c)
{
	(void)c;
	ue_host *u = ctx;
	ds_ike_info info;
	ds_ike_sa_info(sa, &info);
	ue_slot *s = slot_of_apn(u, info.apn);
	if (s)
		s->v.ike_ups++;
	sim_tracef(u->w->s, "%s child-up %s", u->name, info.apn);
}

static void ev_closed(void *ctx, ds_ike_sa *sa, int reason, const ds_ike_info *info)
{
	(void)sa;
	ue_host *u = ctx;
	sim_tracef(u->w->s, "%s ike-closed %s reason=%d", u->name, info->apn, reason);
}

static void ev_redirected(void *ctx, ds_ike_sa *sa, const ds_addr *new_gw, const char *fqdn)
{
	ue_host *u = ctx;
	ds_ike_info info;
	ds_ike_sa_info(sa, &info);
	ue_slot *s = slot_of_apn(u, info.apn);
	if (s)
		s->v.redirects++;
	char a[DS_ADDR_STRLEN];
	sim_tracef(u->w->s, "%s ike-redirected %s to %s", u->name, info.apn,
		   new_gw && new_gw->family ? fmt(new_gw, a) : (fqdn ? fqdn : "-"));
}

/* ---- node ---- */

static void ue_recv(void *ctx, sim_iface *ifc, const ds_pkt *pkt, ds_time now)
{
	(void)ifc;
	ue_host *u = ctx;
	enter(u);
	if (pkt->kind == DS_PKT_UDP &&
	    (pkt->dst.port == DS_IKE_PORT || pkt->dst.port == DS_IKE_NATT_PORT)) {
		ds_ike_input(u->ike, pkt, now);
		return;
	}
	if (u->access == W_ACC_HOME && pkt->kind == DS_PKT_IP) {
		/* at home the HoA is native: user-plane packets go to the local stack */
		sim_ip_udp p;
		if (sim_ip_udp_parse(pkt->data, pkt->len, &p) == DS_OK) {
			count_echo(u, pkt->data, pkt->len);
			return;
		}
	}
	ds_ue_input(u->ue, pkt, now);
}

static ds_time ue_next(void *ctx)
{
	ue_host *u = ctx;
	ds_time a = ds_ue_next_timeout(u->ue), b = ds_ike_next_timeout(u->ike);
	if (b < a)
		a = b;
	return u->ka_at < a ? u->ka_at : a;
}

static void keepalive_one(void *ctx, const ds_ike_sa *sa)
{
	ue_host *u = ctx;
	ds_ike_info i;
	ds_ike_sa_info(sa, &i);
	if (i.state != DS_IKE_ST_ESTABLISHED || i.local.family != DS_AF_INET ||
	    i.local.port != DS_IKE_NATT_PORT)
		return;
	static const uint8_t ka[1] = { 0xff };
	ds_pkt p = { .kind = DS_PKT_UDP, .src = i.local, .dst = i.remote, .data = ka, .len = 1 };
	sim_send(u->acc, &p);
	u->keepalives++;
}

static void ue_timer(void *ctx, ds_time now)
{
	ue_host *u = ctx;
	if (u->ka_at <= now) {
		u->ka_at = now + UE_NAT_KEEPALIVE;
		if (u->access == W_ACC_NAT)
			ds_ike_foreach(u->ike, keepalive_one, u);
	}
	enter(u);
	if (ds_ike_next_timeout(u->ike) <= now)
		ds_ike_on_timer(u->ike, now);
	if (ds_ue_next_timeout(u->ue) <= now)
		ds_ue_on_timer(u->ue, now);
}

ue_host *ue_host_new(world *w, unsigned idx)
{
	ue_host *u = calloc(1, sizeof *u);
	if (!u)
		return NULL;
	u->w = w;
	u->idx = idx;
	u->ka_at = sim_now(w->s) + UE_NAT_KEEPALIVE;
	snprintf(u->name, sizeof u->name, "ue%u", idx);
	/* TS 23.003 cl. 19.3.2 root NAI for EAP-AKA: 0<IMSI>@nai.epc.mnc<MNC>.mcc<MCC>... */
	snprintf(u->nai, sizeof u->nai, "0001010%09u@nai.epc.mnc0%s.mcc%s.3gppnetwork.org", idx,
		 WORLD_MNC, WORLD_MCC);
	unsigned v = idx + 1;
	uint8_t iid[8] = { 0x02, 0x00, 0x5e, 0xff, 0xfe, (uint8_t)(v >> 16), (uint8_t)(v >> 8),
			   (uint8_t)v };
	memcpy(u->iid, iid, 8);
	for (unsigned i = 0; i < UE_SLOTS; i++)
		u->slot[i].u = u;
	static const sim_node_ops ops = { ue_recv, ue_next, ue_timer };
	u->node = sim_node_new(w->s, u->name, &ops, u);
	u->acc = u->node ? sim_iface_new(u->node, "acc", NULL) : NULL;
	ds_logger lg = { w->cfg.log_level ? world_log : NULL, w, w->cfg.log_level };
	ds_ue_config uc = {
		.send = ue_send, .send_ctx = u,
		.ev = { .ctx = u, .pdn_state = ev_state, .hoa = ev_hoa, .tunnel = ev_tunnel,
			.dns_query = ev_dns, .ike = ev_ike },
		.log = lg, .default_lifetime_s = w->cfg.lifetime_s,
	};
	memcpy(uc.iid, u->iid, 8);
	memcpy(uc.mcc, WORLD_MCC, sizeof WORLD_MCC);
	memcpy(uc.mnc, WORLD_MNC, sizeof WORLD_MNC);
	u->ue = u->acc ? ds_ue_new(&uc) : NULL;
	ds_ue_ike_glue_config gc = { .nai = u->nai };
	memcpy(gc.iid, u->iid, 8);
	u->glue = u->ue ? ds_ue_ike_glue_new(&gc) : NULL;
	if (!u->glue) {
		ue_host_free(u);
		return NULL;
	}
	ds_ue_ike_glue_ike_events(u->glue, &u->wrap.glue);
	u->wrap.host = u;
	u->wrap.on_established = ev_established;
	u->wrap.on_child_up = ev_child_up;
	u->wrap.on_closed = ev_closed;
	u->wrap.on_redirected = ev_redirected;
	ds_ike_config ic = {
		.role = DS_IKE_INITIATOR, .send = ike_send, .send_ctx = u,
		.log = lg, .esp_suites = &world_esp_null, .n_esp_suites = 1,
		.psk = world_psk, .psk_len = sizeof world_psk,
	};
	ds_ue_ike_glue_ike_config(&ic);
	ike_wrap_events(&u->wrap, &ic.ev);
	int err = 0;
	u->ike = ds_ike_new(&ic, &err);
	if (!u->ike) {
		ue_host_free(u);
		return NULL;
	}
	ds_ue_ike_glue_attach(u->glue, u->ue, u->ike);
	ds_ue_ike_glue_set_time(u->glue, sim_now(w->s));
	if (w->n_ues == w->cap_ues) {
		size_t nc = w->cap_ues ? w->cap_ues * 2 : 16;
		ue_host **nu = realloc(w->ues, nc * sizeof *nu);
		if (!nu) {
			ue_host_free(u);
			return NULL;
		}
		w->ues = nu;
		w->cap_ues = nc;
	}
	w->ues[w->n_ues++] = u;
	return u;
}

void ue_host_free(ue_host *u)
{
	if (!u)
		return;
	ds_ike_free(u->ike);   /* shutdown closures: the glue ignores them */
	ds_ue_free(u->ue);
	ds_ue_ike_glue_free(u->glue);
	free(u);
}

const char *ue_host_nai(const ue_host *u) { return u->nai; }
ds_ue *ue_host_engine(ue_host *u) { return u->ue; }
ds_ike *ue_host_ike(ue_host *u) { return u->ike; }
enum world_access ue_host_access(const ue_host *u) { return u->access; }

const ue_pdn_view *ue_host_pdn(const ue_host *u, unsigned slot)
{
	return slot < UE_SLOTS && u->slot[slot].used ? &u->slot[slot].v : NULL;
}

static ds_addr with_iid(const char *prefix, const uint8_t iid[8])
{
	ds_addr a;
	ds_addr_parse(prefix, &a);
	memcpy(a.ip + 8, iid, 8);
	a.plen = 0;
	return a;
}

int ue_host_move(ue_host *u, enum world_access acc)
{
	world *w = u->w;
	ds_ue_access a;
	memset(&a, 0, sizeof a);
	ds_addr home_addrs[UE_SLOTS];
	unsigned n_home = 0;
	sim_link *l = NULL;
	unsigned v = u->idx + 2;
	switch (acc) {
	case W_ACC_HOME:
		/* 3GPP access through PDN GW 1: the PDN connection's prefix is the HNP the PDN GW
		 * assigns to this subscriber and APN, the same one IKEv2 later returns */
		l = w->home;
		a.kind = DS_UE_ACCESS_HOME;
		for (unsigned i = 0; i < UE_SLOTS; i++) {
			if (!u->slot[i].used)
				continue;
			ds_addr hnp;
			int rc = ds_ha_assign_hnp(ha_host_engine(w->ha[0]), u->nai, u->slot[i].apn,
						  &hnp, NULL);
			if (rc != DS_OK)
				return rc;
			hnp.plen = 64;
			a.link_prefix[a.n_link_prefix++] = hnp;
			ds_addr hoa = hnp;
			memcpy(hoa.ip + 8, u->iid, 8);
			hoa.plen = 0;
			home_addrs[n_home++] = hoa;
			if (!a.coa6.family)
				a.coa6 = hoa;
		}
		if (!a.coa6.family)
			return DS_E_STATE;   /* attach the PDN connection(s) first */
		break;
	case W_ACC_WLAN1:
		l = w->wlan1;
		a.kind = DS_UE_ACCESS_IPV6;
		a.coa6 = with_iid("2001:db8:a1::", u->iid);
		ds_addr_parse("2001:db8:a1::/64", &a.link_prefix[a.n_link_prefix++]);
		break;
	case W_ACC_WLAN2:
		l = w->wlan2;
		a.kind = DS_UE_ACCESS_IPV6;
		a.coa6 = with_iid("2001:db8:a2::", u->iid);
		ds_addr_parse("2001:db8:a2::/64", &a.link_prefix[a.n_link_prefix++]);
		break;
	case W_ACC_NAT: {
		l = w->natlan;
		a.kind = DS_UE_ACCESS_IPV4;
		uint8_t ip[4] = { 172, (uint8_t)(16 + (v >> 16)), (uint8_t)(v >> 8), (uint8_t)v };
		a.coa4 = ds_addr4(ip, 0);
		break;
	}
	case W_ACC_NONE:
		a.kind = DS_UE_ACCESS_NONE;
		break;
	}
	sim_iface_attach(u->acc, l);
	if (a.kind == DS_UE_ACCESS_HOME)
		for (unsigned i = 0; i < n_home; i++)
			sim_iface_add_addr(u->acc, &home_addrs[i]);
	else if (a.coa6.family)
		sim_iface_add_addr(u->acc, &a.coa6);
	if (a.coa4.family)
		sim_iface_add_addr(u->acc, &a.coa4);
	u->access = acc;
	u->coa6 = a.coa6;
	u->coa4 = a.coa4;
	int rc = ds_ue_access_change(u->ue, &a, enter(u));
	sim_node_kick(u->node);
	return rc;
}

static int attach(ue_host *u, unsigned slot, const char *apn, bool want_ipv4_hoa, bool discover,
		  const ds_addr *keep4)
{
	if (slot >= UE_SLOTS || u->slot[slot].used)
		return DS_E_PARAM;
	ue_slot *s = &u->slot[slot];
	memset(&s->v, 0, sizeof s->v);
	snprintf(s->apn, sizeof s->apn, "%s", apn);
	s->want4 = want_ipv4_hoa;
	s->used = true;
	ds_ue_pdn_config pc;
	memset(&pc, 0, sizeof pc);
	snprintf(pc.apn, sizeof pc.apn, "%s", apn);
	pc.discover = discover;
	pc.want_ipv4_hoa = want_ipv4_hoa;
	if (keep4 && keep4->family == DS_AF_INET)
		pc.ipv4_hoa_keep = *keep4;
	pc.lifetime_s = u->w->cfg.lifetime_s;
	if (!discover) {
		pc.ha6 = *ha_host_addr6(u->w->ha[0]);
		pc.ha4 = *ha_host_addr4(u->w->ha[0]);
	}
	/* the PDN connection exists before the access is refreshed, so that a UE at home learns
	 * the prefix of this new connection */
	int err = 0;
	u->adding = s;
	ds_pdn_id id = ds_ue_pdn_add(u->ue, &pc, enter(u), &err);
	u->adding = NULL;
	s->v.id = id;
	if (!s->v.id) {
		s->used = false;
		return err ? err : DS_E_STATE;
	}
	s->v.state = ds_ue_pdn_state_of(u->ue, s->v.id);
	if (u->access == W_ACC_HOME)
		ue_host_move(u, W_ACC_HOME);
	sim_node_kick(u->node);
	return DS_OK;
}

int ue_host_attach(ue_host *u, unsigned slot, const char *apn, bool want_ipv4_hoa, bool discover)
{
	return attach(u, slot, apn, want_ipv4_hoa, discover, NULL);
}

int ue_host_reattach(ue_host *u, unsigned slot)
{
	if (slot >= UE_SLOTS || !u->slot[slot].used)
		return DS_E_PARAM;
	ue_slot *s = &u->slot[slot];
	ue_pdn_view old = s->v;
	char apn[sizeof s->apn];
	memcpy(apn, s->apn, sizeof apn);
	enter(u);
	int rc = ds_ue_pdn_remove(u->ue, old.id);
	if (rc != DS_OK)
		return rc;
	s->used = false;
	sim_tracef(u->w->s, "%s reattach %s", u->name, apn);
	rc = attach(u, slot, apn, s->want4, true, &s->last_hoa4);
	if (rc == DS_OK)
		s->v.echo_rx = old.echo_rx;
	return rc;
}

int ue_host_detach(ue_host *u, unsigned slot)
{
	if (slot >= UE_SLOTS || !u->slot[slot].used)
		return DS_E_PARAM;
	int rc = ds_ue_pdn_detach(u->ue, u->slot[slot].v.id, enter(u));
	sim_node_kick(u->node);
	return rc;
}

int ue_host_ping(ue_host *u, unsigned slot, bool ipv4)
{
	if (slot >= UE_SLOTS || !u->slot[slot].used)
		return DS_E_PARAM;
	ue_slot *s = &u->slot[slot];
	ds_addr src = ipv4 ? s->v.hoa4 : s->v.hoa, dst = ipv4 ? u->w->cn4 : u->w->cn6;
	if (!src.family)
		return DS_E_STATE;
	src.plen = dst.plen = 0;
	src.port = 40000;
	dst.port = 7;
	char payload[64];
	int n = snprintf(payload, sizeof payload, "ping %s %u", u->name, slot);
	uint8_t pkt[256];
	size_t len = sim_ip_udp_build(pkt, sizeof pkt, &src, &dst, (const uint8_t *)payload,
				      (size_t)n);
	if (!len)
		return DS_E_PARAM;
	ds_ue_tun_input(u->ue, pkt, len, enter(u));
	sim_node_kick(u->node);
	return DS_OK;
}
