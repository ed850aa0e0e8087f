/* UE engine <-> IKEv2 initiator composition (see ue_ike.h). */
#include "ue/ue_ike.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "mip/mh.h"

#define GLUE_MAX_PDN 16

/* What the glue remembers per IKE SA between "established" and the HoA CHILD_SA. */
struct glue_pdn {
	ds_pdn_id pdn;
	ds_ike_sa *sa;
	bool established;
	bool want_child;               /* CREATE_CHILD_SA for the HoA requested */
	ds_ike_info info;
	ds_addr hoa;
	ds_addr redirected_from;       /* RFC 5685 cl. 6: the gateway that redirected us */
};

struct ds_ue_ike_glue {
	ds_ue_ike_glue_config cfg;
	char nai[DS_IKE_ID_MAX + 1];
	ds_ue *ue;
	ds_ike *ike;
	ds_time now;
	struct glue_pdn pdn[GLUE_MAX_PDN];
};

ds_ue_ike_glue *ds_ue_ike_glue_new(const ds_ue_ike_glue_config *cfg)
{
	if (!cfg || !cfg->nai || strlen(cfg->nai) > DS_IKE_ID_MAX)
		return NULL;
	ds_ue_ike_glue *g = calloc(1, sizeof *g);
	if (!g)
		return NULL;
	g->cfg = *cfg;
	memcpy(g->nai, cfg->nai, strlen(cfg->nai) + 1);
	g->cfg.nai = g->nai;
	return g;
}

void ds_ue_ike_glue_free(ds_ue_ike_glue *g)
{
	free(g);
}

void ds_ue_ike_glue_attach(ds_ue_ike_glue *g, ds_ue *ue, ds_ike *ike)
{
	g->ue = ue;
	g->ike = ike;
}

void ds_ue_ike_glue_set_time(ds_ue_ike_glue *g, ds_time now)
{
	g->now = now;
}

static struct glue_pdn *by_pdn(ds_ue_ike_glue *g, ds_pdn_id pdn, bool create)
{
	struct glue_pdn *free_slot = NULL;
	for (size_t i = 0; i < GLUE_MAX_PDN; i++) {
		if (g->pdn[i].pdn == pdn)
			return &g->pdn[i];
		if (!g->pdn[i].pdn && !free_slot)
			free_slot = &g->pdn[i];
	}
	if (!create || !free_slot)
		return NULL;
	memset(free_slot, 0, sizeof *free_slot);
	free_slot->pdn = pdn;
	return free_slot;
}

static struct glue_pdn *by_sa(ds_ue_ike_glue *g, ds_ike_sa *sa)
{
	for (size_t i = 0; i < GLUE_MAX_PDN; i++)
		if (g->pdn[i].pdn && g->pdn[i].sa == sa)
			return &g->pdn[i];
	return NULL;
}

void ds_ue_ike_glue_event(void *ctx, ds_pdn_id pdn, enum ds_ue_ike_action action, void *ike_sa,
			  const ds_addr *local, const ds_addr *ha)
{
	ds_ue_ike_glue *g = ctx;
	if (!g->ike)
		return;
	switch (action) {
	case DS_UE_IKE_START: {
		ds_ue_pdn_status st;
		if (ds_ue_pdn_status_get(g->ue, pdn, &st) != DS_OK)
			return;
		struct glue_pdn *p = by_pdn(g, pdn, true);
		if (!p)
			return;
		ds_addr from = p->redirected_from;
		memset(p, 0, sizeof *p);
		p->pdn = pdn;
		/* IDi = NAI, IDr = APN, CFG_REQUEST(MIP6_HOME_PREFIX), a CHILD_SA for
		 * protocol 135 between the outer addresses until the HoA exists (RFC 5026). */
		ds_ike_connect_params cp;
		memset(&cp, 0, sizeof cp);
		cp.local = *local;
		cp.remote = *ha;
		cp.nai = g->nai;
		cp.apn = st.apn;
		cp.eap = g->cfg.eap;
		cp.eap_ops = g->cfg.eap_ops;
		cp.cp.hnp = true;
		if (from.family != DS_AF_NONE)
			cp.redirected_from = &from;   /* REDIRECTED_FROM in IKE_SA_INIT */
		int err = DS_OK;
		p->sa = ds_ike_connect(g->ike, &cp, g->now, &err);
		if (!p->sa) {
			p->pdn = 0;
			ds_ue_ike_failed(g->ue, pdn, g->now);
		}
		return;
	}
	case DS_UE_IKE_MOVE: {
		struct glue_pdn *p = by_pdn(g, pdn, false);
		if (p && p->sa)
			ds_ike_update_peer(p->sa, local, ha, g->now);
		return;
	}
	case DS_UE_IKE_DELETE: {
		struct glue_pdn *p = by_pdn(g, pdn, false);
		(void)ike_sa;
		if (p && p->sa) {
			ds_ike_sa *sa = p->sa;
			p->pdn = 0;   /* the closed event that follows is ours */
			p->sa = NULL;
			ds_ike_delete(sa, g->now);
		}
		return;
	}
	}
}

static void on_established(void *ctx, ds_ike_sa *sa, const ds_ike_info *info)
{
	ds_ue_ike_glue *g = ctx;
	struct glue_pdn *p = by_sa(g, sa);
	if (!p)
		return;
	if (!info->has_hnp || info->hnp.family != DS_AF_INET6 || info->hnp.plen != 64) {
		/* without MIP6_HOME_PREFIX there is no HoA */
		ds_ue_ike_failed(g->ue, p->pdn, g->now);
		p->pdn = 0;
		ds_ike_delete(sa, g->now);
		return;
	}
	p->established = true;
	p->info = *info;
	uint8_t ip[16];
	memcpy(ip, info->hnp.ip, 8);
	memcpy(ip + 8, g->cfg.iid, 8);
	p->hoa = ds_addr6(ip, 0);
}

static bool covers_hoa(const ds_esp_sa_params *out, const ds_addr *hoa)
{
	const ds_addr *l = &out->sel.local;
	if (l->family == DS_AF_NONE)
		return true;
	return l->family == DS_AF_INET6 && ds_addr_in_prefix(hoa, l, l->plen);
}

static void on_child_up(void *ctx, ds_ike_sa *sa, const ds_ike_child *child)
{
	ds_ue_ike_glue *g = ctx;
	struct glue_pdn *p = by_sa(g, sa);
	if (!p || !p->established)
		return;
	if (!covers_hoa(&child->out, &p->hoa)) {
		/* RFC 5026 cl. 5 / R-14: the MH CHILD_SA must use the HoA as selector */
		if (!p->want_child) {
			p->want_child = true;
			/* selectors HoA <-> HA IPv6 address, also when IKE runs over IPv4 */
			ds_ue_pdn_status st;
			if (ds_ue_pdn_status_get(g->ue, p->pdn, &st) != DS_OK ||
			    st.ha6.family != DS_AF_INET6)
				return;
			ds_ike_child_params cp = { .local = p->hoa, .remote = st.ha6,
						   .proto = DS_IPPROTO_MH, .mode = DS_ESP_TRANSPORT };
			ds_ike_create_child(sa, &cp, g->now);
		}
		return;
	}
	int err;
	ds_esp_sa *in = ds_esp_sa_new(&child->in, &err);
	ds_esp_sa *out = ds_esp_sa_new(&child->out, &err);
	if (!in || !out) {
		ds_esp_sa_free(in);
		ds_esp_sa_free(out);
		return;
	}
	ds_ue_ike_info ui;
	memset(&ui, 0, sizeof ui);
	ui.ike = sa;
	ui.hnp = p->info.hnp;
	ui.hnp_lifetime_s = p->info.hnp_lifetime_s;
	if (p->info.remote.family == DS_AF_INET6)
		ui.ha6 = ds_addr6(p->info.remote.ip, 0);
	else
		ui.ha4 = ds_addr4(p->info.remote.ip, 0);   /* ha6 stays the configured/discovered one */
	ui.sa_out = out;
	ui.sa_in = in;
	ds_ue_ike_up(g->ue, p->pdn, &ui, g->now);   /* takes the SAs in every case */
}

static void on_closed(void *ctx, ds_ike_sa *sa, int reason, const ds_ike_info *info)
{
	ds_ue_ike_glue *g = ctx;
	(void)info;
	if (reason == DS_IKE_CLOSE_SHUTDOWN)
		return;   /* ds_ike_free(): the host is tearing everything down */
	struct glue_pdn *p = by_sa(g, sa);
	if (!p)
		return;   /* our own delete, or unknown */
	ds_pdn_id pdn = p->pdn;
	bool was_up = p->established;
	p->pdn = 0;
	p->sa = NULL;
	if (reason == DS_IKE_CLOSE_REDIRECTED)
		return;   /* ds_ue_ike_redirected() already restarted it */
	if (reason == DS_IKE_CLOSE_REKEYED) {
		/* the successor IKE SA carries on; it is not known here, so IKE actions for this
		 * PDN connection stop until the next bootstrap (documented limitation) */
		p->pdn = pdn;
		return;
	}
	if (was_up)
		ds_ue_ike_deleted(g->ue, pdn, g->now);   /* a detach of that PDN */
	else
		ds_ue_ike_failed(g->ue, pdn, g->now);
}

static void on_redirected(void *ctx, ds_ike_sa *sa, const ds_addr *new_gw, const char *fqdn)
{
	ds_ue_ike_glue *g = ctx;
	struct glue_pdn *p = by_sa(g, sa);
	if (!p)
		return;
	ds_pdn_id pdn = p->pdn;
	ds_ike_info old;
	ds_ike_sa_info(sa, &old);
	p->redirected_from = old.remote;
	p->redirected_from.port = 0;
	p->sa = NULL;
	p->established = false;
	/* RFC 5685 cl. 5: after acknowledging a redirect during an active session the client
	 * SHOULD delete its IKE SA with the old gateway, so that the old PDN GW releases the PDN
	 * connection (TS 24.303 cl. 5.1.2.2). The SA is no longer ours (p->sa is cleared), so its
	 * closure is not reported to the UE engine. A redirect in IKE_SA_INIT leaves nothing to
	 * delete; one in IKE_AUTH (cl. 6) is deleted by the engine itself (a second request
	 * is harmless). */
	if (old.state == DS_IKE_ST_ESTABLISHED)
		ds_ike_delete(sa, g->now);
	if (new_gw && new_gw->family != DS_AF_NONE)
		ds_ue_ike_redirected(g->ue, pdn, new_gw, g->now);
	else if (!fqdn || ds_ue_ike_redirected_fqdn(g->ue, pdn, fqdn, g->now) != DS_OK)
		ds_ue_ike_failed(g->ue, pdn, g->now);
}

void ds_ue_ike_glue_ike_config(ds_ike_config *cfg)
{
	/* RFC 5555 cl. 5: "the mobile node MUST establish the security association over port
	 * 4500, regardless of the presence of a NAT", to avoid switching between 500 and 4500.
	 * Without it an IKE SA set up over IPv6 and moved to an IPv4 CoA behind a NAT would
	 * speak on 500 through a fresh NAT mapping the HA cannot learn (cl. 5.1). */
	cfg->force_natt = true;
}

void ds_ue_ike_glue_ike_events(ds_ue_ike_glue *g, ds_ike_events *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->ctx = g;
	ev->established = on_established;
	ev->child_up = on_child_up;
	ev->closed = on_closed;
	ev->redirected = on_redirected;
}
