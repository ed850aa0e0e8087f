/* HA host: one PDN GW with its IKEv2 responder and HA engine on the simulated network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uthash.h>

#include "core/err.h"
#include "ha/ha_ike.h"
#include "ike_wrap.h"
#include "sim_ippkt.h"
#include "world_int.h"

/* Persisted allocation, as the runtime keeps it in SQLite (architecture: persistence). */
typedef struct stored {
	char key[DS_HA_NAI_MAX + DS_HA_APN_MAX + 2];
	ds_ha_alloc a;
	UT_hash_handle hh;
} stored;

struct ha_host {
	world *w;
	unsigned idx;
	char name[16];
	sim_node *node;
	sim_iface *core, *pdn;
	ds_addr ha6, ha4, hnp_pool, v4_pool;
	ds_ha *ha;
	ds_ike *ike;
	ds_ha_ike_glue *glue;   /* the product's composition of the two engines */
	ike_wrap wrap;          /* the glue's IKE event handlers, wrapped for the trace */
	stored *store;
	unsigned restarts;
	uint64_t keepalives;    /* NAT-keepalives received (RFC 3948) */
};

static char *fmt(const ds_addr *a, char *b) { return ds_addr_fmt(a, b, DS_ADDR_STRLEN); }

/* ---- sending ---- */

static void ha_send(void *ctx, const ds_pkt *pkt)
{
	ha_host *h = ctx;
	if (pkt->kind != DS_PKT_TUN) {
		sim_send(h->core, pkt);
		return;
	}
	/* decapsulated user-plane packet: towards the PDN */
	ds_pkt o = *pkt;
	uint8_t proto;
	if (sim_ip_addrs(pkt->data, pkt->len, &o.src, &o.dst, &proto) != DS_OK) {
		sim_tracef(h->w->s, "%s tun-out malformed", h->name);
		return;
	}
	o.kind = DS_PKT_IP;
	sim_send(h->pdn, &o);
}

static void ike_send(void *ctx, const ds_pkt *pkt)
{
	ha_host *h = ctx;
	sim_send(h->core, pkt);
}

/* ---- HA engine events ---- */

static void ev_binding(void *ctx, const ds_ha_ue *u, enum ds_ha_binding_reason why,
		       const ds_ha_alloc *a)
{
	(void)u;
	ha_host *h = ctx;
	char b1[DS_ADDR_STRLEN], b2[DS_ADDR_STRLEN];
	sim_tracef(h->w->s, "%s binding %s/%s why=%d hoa=%s coa=%s", h->name, a->nai, a->apn, why,
		   a->bound ? fmt(&a->hoa, b1) : "-", a->bound ? fmt(&a->coa, b2) : "-");
}

static void ev_persist(void *ctx, const ds_ha_alloc *a, bool gone)
{
	ha_host *h = ctx;
	char key[sizeof ((stored *)0)->key];
	snprintf(key, sizeof key, "%s|%s", a->nai, a->apn);
	stored *s = NULL;
	HASH_FIND_STR(h->store, key, s);
	if (gone) {
		if (s) {
			HASH_DEL(h->store, s);
			free(s);
		}
		return;
	}
	if (!s) {
		s = calloc(1, sizeof *s);
		if (!s)
			return;
		memcpy(s->key, key, sizeof key);
		HASH_ADD_STR(h->store, key, s);
	}
	s->a = *a;
}

static void ev_ike(void *ctx, void *ike, enum ds_ha_ike_action action, const ds_addr *addr)
{
	ha_host *h = ctx;
	char b[DS_ADDR_STRLEN];
	sim_tracef(h->w->s, "%s ike-action %d %s", h->name, action, addr ? fmt(addr, b) : "-");
	ds_ha_ike_glue_event(h->glue, ike, action, addr);
}

/* ---- IKE responder events: traced, then handled by the glue ---- */

static void ev_child_up(void *ctx, ds_ike_sa *sa, const ds_ike_child *c)
{
	(void)c;
	ha_host *h = ctx;
	ds_ike_info info;
	ds_ike_sa_info(sa, &info);
	/* SPIs come from OpenSSL's generator: they stay out of the trace, which must depend on
	 * the simulation seed only */
	sim_tracef(h->w->s, "%s child-up %s/%s", h->name, info.nai, info.apn);
}

static void ev_closed(void *ctx, ds_ike_sa *sa, int reason, const ds_ike_info *info)
{
	(void)sa;
	ha_host *h = ctx;
	sim_tracef(h->w->s, "%s ike-closed %s/%s reason=%d", h->name, info->nai, info->apn, reason);
}

/* ---- node ---- */

static void ha_recv(void *ctx, sim_iface *ifc, const ds_pkt *pkt, ds_time now)
{
	ha_host *h = ctx;
	ds_ha_ike_glue_set_time(h->glue, now);
	if (ifc == h->pdn) {
		if (pkt->kind == DS_PKT_IP)
			ds_ha_tun_input(h->ha, pkt->data, pkt->len, now);
		return;
	}
	if (pkt->kind == DS_PKT_UDP && pkt->dst.port == DS_IKE_NATT_PORT && pkt->len == 1 &&
	    pkt->data[0] == 0xff) {
		h->keepalives++;   /* RFC 3948 cl. 2.3 NAT-keepalive: nothing to do */
		return;
	}
	if (pkt->kind == DS_PKT_UDP &&
	    (pkt->dst.port == DS_IKE_PORT || pkt->dst.port == DS_IKE_NATT_PORT))
		ds_ike_input(h->ike, pkt, now);
	else
		ds_ha_input(h->ha, pkt, now);
}

static ds_time ha_next(void *ctx)
{
	ha_host *h = ctx;
	ds_time a = ds_ha_next_timeout(h->ha), b = ds_ike_next_timeout(h->ike);
	return a < b ? a : b;
}

static void ha_timer(void *ctx, ds_time now)
{
	ha_host *h = ctx;
	ds_ha_ike_glue_set_time(h->glue, now);
	if (ds_ike_next_timeout(h->ike) <= now)
		ds_ike_on_timer(h->ike, now);
	if (ds_ha_next_timeout(h->ha) <= now)
		ds_ha_on_timer(h->ha, now);
}

static int engines_new(ha_host *h)
{
	world *w = h->w;
	ds_logger lg = { w->cfg.log_level ? world_log : NULL, w, w->cfg.log_level };
	ds_ha_config hc = {
		.send = ha_send, .send_ctx = h,
		.ev = { .ctx = h, .binding = ev_binding, .persist = ev_persist, .ike = ev_ike },
		.log = lg, .ha6 = h->ha6, .ha4 = h->ha4, .hnp_pool = h->hnp_pool,
		.ipv4_pool = h->v4_pool, .max_lifetime_s = w->cfg.ha_max_lifetime_s,
	};
	h->ha = ds_ha_new(&hc);
	if (!h->ha)
		return DS_E_CONFIG;
	h->glue = ds_ha_ike_glue_new();
	if (!h->glue)
		return DS_E_NOMEM;
	ds_ha_ike_glue_ike_events(h->glue, &h->wrap.glue);
	h->wrap.host = h;
	h->wrap.on_child_up = ev_child_up;
	h->wrap.on_closed = ev_closed;
	ds_ike_config ic = {
		.role = DS_IKE_RESPONDER, .send = ike_send, .send_ctx = h,
		.log = lg, .esp_suites = &world_esp_null, .n_esp_suites = 1,
		.psk = world_psk, .psk_len = sizeof world_psk,
		/* RFC 7296 cl. 2.4: a UE whose IKE exchange ran out of retransmissions (it then
		 * forgets the SA without a Delete) must not keep its allocation: the HA probes an
		 * SA silent for 2 minutes and releases the PDN connection when the probe fails */
		.dpd_interval = DS_SEC(120),
	};
	ike_wrap_events(&h->wrap, &ic.ev);
	int err = 0;
	h->ike = ds_ike_new(&ic, &err);
	if (!h->ike)
		return err ? err : DS_E_CONFIG;
	ds_ha_ike_glue_attach(h->glue, h->ha, h->ike);
	ds_ha_ike_glue_set_time(h->glue, sim_now(w->s));
	return DS_OK;
}

ha_host *ha_host_new(world *w, unsigned idx)
{
	ha_host *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->w = w;
	h->idx = idx;
	snprintf(h->name, sizeof h->name, "ha%u", idx + 1);
	char a[64];
	snprintf(a, sizeof a, "2001:db8:ff::%u", idx + 1);
	ds_addr_parse(a, &h->ha6);
	snprintf(a, sizeof a, "192.0.2.%u", idx + 1);
	ds_addr_parse(a, &h->ha4);
	snprintf(a, sizeof a, "2001:db8:%u000::/36", idx + 1);
	ds_addr_parse(a, &h->hnp_pool);
	snprintf(a, sizeof a, "10.%u.0.0/16", 45 + idx);
	ds_addr_parse(a, &h->v4_pool);
	static const sim_node_ops ops = { ha_recv, ha_next, ha_timer };
	h->node = sim_node_new(w->s, h->name, &ops, h);
	h->core = sim_iface_new(h->node, "core", w->core);
	h->pdn = sim_iface_new(h->node, "pdn", w->pdn);
	ds_addr pdn6;
	snprintf(a, sizeof a, "2001:db8:c0::%u", 0x100 + idx);
	ds_addr_parse(a, &pdn6);
	if (engines_new(h) != DS_OK || sim_iface_add_addr(h->core, &h->ha6) != DS_OK ||
	    sim_iface_add_addr(h->core, &h->ha4) != DS_OK ||
	    sim_iface_add_addr(h->pdn, &h->hnp_pool) != DS_OK ||
	    sim_iface_add_addr(h->pdn, &h->v4_pool) != DS_OK ||
	    sim_iface_add_addr(h->pdn, &pdn6) != DS_OK) {
		ha_host_free(h);
		return NULL;
	}
	return h;
}

static void engines_free(ha_host *h)
{
	/* the IKE engine first: its shutdown closes every SA (the glue ignores shutdown
	 * closures); the persisted store is what survives */
	ds_ike_free(h->ike);
	h->ike = NULL;
	ds_ha_free(h->ha);
	h->ha = NULL;
	ds_ha_ike_glue_free(h->glue);
	h->glue = NULL;
}

void ha_host_free(ha_host *h)
{
	if (!h)
		return;
	engines_free(h);
	stored *s, *tmp;
	HASH_ITER(hh, h->store, s, tmp) {
		HASH_DEL(h->store, s);
		free(s);
	}
	free(h);
}

int ha_host_restart(ha_host *h)
{
	ds_time now = sim_now(h->w->s);
	/* a crash: nothing is sent, nothing is persisted on the way down */
	stored *keep = h->store;
	h->store = NULL;
	engines_free(h);
	stored *s, *tmp;
	HASH_ITER(hh, h->store, s, tmp) {   /* anything written while going down is lost */
		HASH_DEL(h->store, s);
		free(s);
	}
	h->store = keep;
	int rc = engines_new(h);
	if (rc != DS_OK)
		return rc;
	h->restarts++;
	size_t ok = 0, n = 0;
	HASH_ITER(hh, h->store, s, tmp) {
		n++;
		if (ds_ha_restore(h->ha, &s->a, now) == DS_OK)
			ok++;
	}
	sim_tracef(h->w->s, "%s restart restored=%zu/%zu", h->name, ok, n);
	sim_node_kick(h->node);
	return ok == n ? DS_OK : DS_E_STATE;
}

size_t ha_host_persisted(const ha_host *h) { return HASH_COUNT(h->store); }
ds_ha *ha_host_engine(ha_host *h) { return h->ha; }
ds_ike *ha_host_ike(ha_host *h) { return h->ike; }
const ds_addr *ha_host_addr6(const ha_host *h) { return &h->ha6; }
const ds_addr *ha_host_addr4(const ha_host *h) { return &h->ha4; }
void ha_host_kick(ha_host *h) { sim_node_kick(h->node); }

int ha_host_revoke(ha_host *h, const char *nai, const char *apn)
{
	ds_time now = sim_now(h->w->s);
	ds_ha_ike_glue_set_time(h->glue, now);
	int rc = ds_ha_revoke(h->ha, nai, apn, now);
	sim_node_kick(h->node);
	return rc;
}

int ha_host_redirect(ha_host *h, const char *nai, const char *apn, const ds_addr *to)
{
	ds_time now = sim_now(h->w->s);
	ds_ha_ike_glue_set_time(h->glue, now);
	int rc = ds_ha_redirect(h->ha, nai, apn, to, now);
	sim_node_kick(h->node);
	return rc;
}
