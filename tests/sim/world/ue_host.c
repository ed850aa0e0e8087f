/* UE host: one mobile node with its IKEv2 initiator and UE engine on the simulated network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "sim_ippkt.h"
#include "world_int.h"

#define UE_SLOTS 2

typedef struct ue_slot {
	ue_host *u;
	bool used;
	char apn[DS_UE_APN_MAX + 1];
	ue_pdn_view v;
	ds_ike_sa *ike;               /* current IKE SA of this PDN connection */
	ds_ike_sa *old_ike;           /* IKE SA with the gateway that redirected us (RFC 5685) */
	ds_addr redirected_from;      /* that gateway, for the next IKE_SA_INIT (RFC 5685 cl. 6) */
	ds_addr ha6;                  /* HA IPv6 address (DNS AAAA, static or redirect) */
	ds_addr hnp;
} ue_slot;

/* Work deferred out of an IKE callback into the UE engine (the engines never call each other
 * synchronously from inside their own callbacks). FIFO: one scheduled event per item. */
enum { OP_IKE_UP = 1, OP_IKE_DELETED, OP_IKE_FAILED, OP_REDIRECTED, OP_CREATE_CHILD };
typedef struct op_item {
	struct op_item *next;
	int op;
	ue_slot *slot;
	ds_ike_sa *sa;
	ds_ue_ike_info info;
	ds_addr addr;
	ds_ike_child_params child;
} op_item;

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
	ue_slot slot[UE_SLOTS];
	ue_slot *adding;              /* slot whose ds_ue_pdn_add() is running (events carry an
					 id the host has not seen yet) */
	op_item *q_head, *q_tail;
	ds_addr coa6, coa4;
};

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

static ue_slot *slot_of_sa(ue_host *u, const ds_ike_sa *sa)
{
	for (unsigned i = 0; i < UE_SLOTS; i++)
		if (u->slot[i].used && u->slot[i].ike == sa)
			return &u->slot[i];
	return NULL;
}

/* ---- deferred work ---- */

static void op_free(op_item *it)
{
	if (it->op == OP_IKE_UP) {
		ds_esp_sa_free(it->info.sa_in);
		ds_esp_sa_free(it->info.sa_out);
	}
	free(it);
}

static void op_run(void *ctx, ds_time now)
{
	ue_host *u = ctx;
	op_item *it = u->q_head;
	if (!it)
		return;
	u->q_head = it->next;
	if (!u->q_head)
		u->q_tail = NULL;
	ue_slot *s = it->slot;
	int rc = DS_OK;
	switch (it->op) {
	case OP_IKE_UP:
		if (s->ike != it->sa)
			break;   /* that IKE SA is already gone */
		rc = ds_ue_ike_up(u->ue, s->v.id, &it->info, now);
		it->info.sa_in = it->info.sa_out = NULL;   /* owned by the engine (or freed) */
		if (rc == DS_OK)
			s->v.ike_ups++;
		break;
	case OP_IKE_DELETED:
		rc = ds_ue_ike_deleted(u->ue, s->v.id, now);
		break;
	case OP_IKE_FAILED:
		s->v.ike_failures++;
		rc = ds_ue_ike_failed(u->ue, s->v.id, now);
		break;
	case OP_CREATE_CHILD:
		if (s->ike == it->sa)
			rc = ds_ike_create_child(it->sa, &it->child, now);
		break;
	case OP_REDIRECTED:
		s->v.redirects++;
		s->ha6 = it->addr;
		/* RFC 5685 cl. 5: after acknowledging the redirect the client SHOULD delete its IKE SA
		 * with the old gateway, which then releases the PDN connection there */
		if (s->old_ike)
			ds_ike_delete(s->old_ike, now);
		rc = ds_ue_ike_redirected(u->ue, s->v.id, &it->addr, now);
		break;
	}
	if (rc != DS_OK)
		sim_tracef(u->w->s, "%s op %d rc=%s", u->name, it->op, ds_strerror(rc));
	op_free(it);
}

static op_item *op_push(ue_host *u, int op, ue_slot *s)
{
	op_item *it = calloc(1, sizeof *it);
	if (!it)
		return NULL;
	it->op = op;
	it->slot = s;
	if (u->q_tail)
		u->q_tail->next = it;
	else
		u->q_head = it;
	u->q_tail = it;
	sim_node_at(u->node, sim_now(u->w->s), op_run, u);
	return it;
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
			s->v.hoa4 = *hoa4;
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
	if (n6)
		s->ha6 = a6[0];
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
	(void)ike;
	ue_host *u = ctx;
	ue_slot *s = slot_of_pdn(u, pdn);
	ds_time now = sim_now(u->w->s);
	char a[DS_ADDR_STRLEN], b[DS_ADDR_STRLEN];
	sim_tracef(u->w->s, "%s pdn %u ike-action %d %s %s", u->name, pdn, action,
		   local ? fmt(local, a) : "-", ha ? fmt(ha, b) : "-");
	if (!s)
		return;
	switch (action) {
	case DS_UE_IKE_START: {
		ds_ike_connect_params cp = {
			.local = *local, .remote = *ha, .nai = u->nai, .apn = s->apn,
			.cp = { .hnp = true }, .no_child = true, .user = s,
		};
		cp.local.port = cp.remote.port = 0;
		if (ha->family == DS_AF_INET6 && !s->ha6.family)
			s->ha6 = *ha;
		if (s->redirected_from.family)
			cp.redirected_from = &s->redirected_from;
		int err = 0;
		s->ike = ds_ike_connect(u->ike, &cp, now, &err);
		memset(&s->redirected_from, 0, sizeof s->redirected_from);
		if (!s->ike) {
			sim_tracef(u->w->s, "%s ike-connect failed %s", u->name, ds_strerror(err));
			op_push(u, OP_IKE_FAILED, s);
		}
		break;
	}
	case DS_UE_IKE_MOVE:
		if (s->ike)
			ds_ike_update_peer(s->ike, local, ha, now);
		break;
	case DS_UE_IKE_DELETE:
		if (s->ike)
			ds_ike_delete(s->ike, now);
		else
			op_push(u, OP_IKE_DELETED, s);
		break;
	}
}

/* ---- IKE initiator events ---- */

static void ev_established(void *ctx, ds_ike_sa *sa, const ds_ike_info *info)
{
	ue_host *u = ctx;
	ue_slot *s = slot_of_sa(u, sa);
	if (!s || !info->has_hnp)
		return;
	s->hnp = info->hnp;
	ds_addr ha6 = s->ha6;
	if (ha6.family != DS_AF_INET6) {
		/* IKE ran over IPv4: the MH SA still runs between the HoA and the HA's IPv6 address,
		 * which the UE learned from the DNS AAAA record of the same HA */
		ha_host *h = world_ha_by_addr(u->w, &info->remote);
		if (h)
			ha6 = *ha_host_addr6(h);
	}
	uint8_t ip[16];
	memcpy(ip, info->hnp.ip, 8);
	memcpy(ip + 8, u->iid, 8);
	ds_ike_child_params cp = { .local = ds_addr6(ip, 0), .remote = ds_addr6(ha6.ip, 0),
				   .proto = 135, .mode = DS_ESP_TRANSPORT };
	s->ha6 = cp.remote;
	/* after the IKE_AUTH exchange has completed inside the engine */
	op_item *it = op_push(u, OP_CREATE_CHILD, s);
	if (it) {
		it->sa = sa;
		it->child = cp;
	}
}

static void ev_child_up(void *ctx, ds_ike_sa *sa, const ds_ike_child *c)
{
	ue_host *u = ctx;
	ue_slot *s = slot_of_sa(u, sa);
	sim_tracef(u->w->s, "%s child-up spi_in=%08x spi_out=%08x%s", u->name, c->in.spi, c->out.spi,
		   s ? "" : " (no PDN)");
	if (!s)
		return;
	int err = 0;
	ds_esp_sa *in = ds_esp_sa_new(&c->in, &err);
	ds_esp_sa *out = in ? ds_esp_sa_new(&c->out, &err) : NULL;
	if (!out) {
		ds_esp_sa_free(in);
		return;
	}
	op_item *it = op_push(u, OP_IKE_UP, s);
	if (!it) {
		ds_esp_sa_free(in);
		ds_esp_sa_free(out);
		return;
	}
	ds_ike_info info;
	ds_ike_sa_info(sa, &info);
	it->sa = sa;
	it->info.ike = sa;
	it->info.hnp = s->hnp;
	it->info.hnp_lifetime_s = info.hnp_lifetime_s;
	it->info.ha6 = s->ha6;
	if (info.remote.family == DS_AF_INET)
		it->info.ha4 = ds_addr4(info.remote.ip, 0);
	it->info.sa_in = in;
	it->info.sa_out = out;
}

static void ev_closed(void *ctx, ds_ike_sa *sa, int reason, const ds_ike_info *info)
{
	ue_host *u = ctx;
	ue_slot *s = slot_of_sa(u, sa);
	sim_tracef(u->w->s, "%s ike-closed %s reason=%d", u->name, info->apn, reason);
	for (unsigned i = 0; i < UE_SLOTS; i++)
		if (u->slot[i].old_ike == sa)
			u->slot[i].old_ike = NULL;   /* the redirecting gateway's SA: nothing to tell */
	if (!s)
		return;
	s->ike = NULL;
	switch (reason) {
	case DS_IKE_CLOSE_REDIRECTED:
	case DS_IKE_CLOSE_SHUTDOWN:
	case DS_IKE_CLOSE_REKEYED:
		break;
	case DS_IKE_CLOSE_LOCAL:
	case DS_IKE_CLOSE_PEER_DELETE:
		op_push(u, OP_IKE_DELETED, s);
		break;
	default:
		op_push(u, OP_IKE_FAILED, s);
		break;
	}
}

static void ev_redirected(void *ctx, ds_ike_sa *sa, const ds_addr *new_gw, const char *fqdn)
{
	(void)fqdn;
	ue_host *u = ctx;
	ue_slot *s = slot_of_sa(u, sa);
	if (!s || !new_gw || !new_gw->family)
		return;
	op_item *it = op_push(u, OP_REDIRECTED, s);
	if (it) {
		it->addr = *new_gw;
		it->addr.port = 0;
		if (it->addr.family == DS_AF_INET) {
			ha_host *h = world_ha_by_addr(u->w, &it->addr);
			if (h)
				it->addr = *ha_host_addr6(h);
		}
	}
	ds_ike_info info;
	ds_ike_sa_info(sa, &info);
	s->redirected_from = info.remote;
	s->redirected_from.port = 0;
	s->old_ike = sa;
	s->ike = NULL;
}

/* ---- node ---- */

static void ue_recv(void *ctx, sim_iface *ifc, const ds_pkt *pkt, ds_time now)
{
	(void)ifc;
	ue_host *u = ctx;
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
	return a < b ? a : b;
}

static void ue_timer(void *ctx, ds_time now)
{
	ue_host *u = ctx;
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
	ds_ike_config ic = {
		.role = DS_IKE_INITIATOR, .send = ike_send, .send_ctx = u,
		.ev = { .ctx = u, .established = ev_established, .child_up = ev_child_up,
			.closed = ev_closed, .redirected = ev_redirected },
		.log = lg, .esp_suites = &world_esp_null, .n_esp_suites = 1,
		.psk = world_psk, .psk_len = sizeof world_psk,
	};
	int err = 0;
	u->ike = u->ue ? ds_ike_new(&ic, &err) : NULL;
	if (!u->ike) {
		ue_host_free(u);
		return NULL;
	}
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
	ds_ike_free(u->ike);   /* closes SAs: ev_closed may queue; the queue is freed below */
	ds_ue_free(u->ue);
	while (u->q_head) {
		op_item *it = u->q_head;
		u->q_head = it->next;
		op_free(it);
	}
	free(u);
}

const char *ue_host_nai(const ue_host *u) { return u->nai; }
ds_ue *ue_host_engine(ue_host *u) { return u->ue; }
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
	int rc = ds_ue_access_change(u->ue, &a, sim_now(w->s));
	sim_node_kick(u->node);
	return rc;
}

int ue_host_attach(ue_host *u, unsigned slot, const char *apn, bool want_ipv4_hoa, bool discover)
{
	if (slot >= UE_SLOTS || u->slot[slot].used)
		return DS_E_PARAM;
	ue_slot *s = &u->slot[slot];
	memset(&s->v, 0, sizeof s->v);
	snprintf(s->apn, sizeof s->apn, "%s", apn);
	s->used = true;
	ds_ue_pdn_config pc;
	memset(&pc, 0, sizeof pc);
	snprintf(pc.apn, sizeof pc.apn, "%s", apn);
	pc.discover = discover;
	pc.want_ipv4_hoa = want_ipv4_hoa;
	pc.lifetime_s = u->w->cfg.lifetime_s;
	if (!discover) {
		pc.ha6 = *ha_host_addr6(u->w->ha[0]);
		pc.ha4 = *ha_host_addr4(u->w->ha[0]);
		s->ha6 = pc.ha6;
	}
	/* the PDN connection exists before the access is refreshed, so that a UE at home learns
	 * the prefix of this new connection */
	int err = 0;
	u->adding = s;
	ds_pdn_id id = ds_ue_pdn_add(u->ue, &pc, sim_now(u->w->s), &err);
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

int ue_host_detach(ue_host *u, unsigned slot)
{
	if (slot >= UE_SLOTS || !u->slot[slot].used)
		return DS_E_PARAM;
	int rc = ds_ue_pdn_detach(u->ue, u->slot[slot].v.id, sim_now(u->w->s));
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
	ds_ue_tun_input(u->ue, pkt, len, sim_now(u->w->s));
	sim_node_kick(u->node);
	return DS_OK;
}
