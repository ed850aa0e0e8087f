/* HA engine <-> IKEv2 responder composition (see ha_ike.h). */
#include "ha/ha_ike.h"
#include "crypto/crypto.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"

struct ds_ha_ike_glue {
	ds_ha *ha;
	ds_ike *ike;
	ds_time now;
	bool overflow;
	ds_addr other_ha;
	size_t above;
};

ds_ha_ike_glue *ds_ha_ike_glue_new(void)
{
	return calloc(1, sizeof(ds_ha_ike_glue));
}

void ds_ha_ike_glue_free(ds_ha_ike_glue *g)
{
	free(g);
}

void ds_ha_ike_glue_attach(ds_ha_ike_glue *g, ds_ha *ha, ds_ike *ike)
{
	g->ha = ha;
	g->ike = ike;
}

void ds_ha_ike_glue_set_time(ds_ha_ike_glue *g, ds_time now)
{
	g->now = now;
}

void ds_ha_ike_glue_event(void *ctx, void *ike_sa, enum ds_ha_ike_action action,
			  const ds_addr *addr)
{
	ds_ha_ike_glue *g = ctx;
	ds_ike_sa *sa = ike_sa;
	if (!sa)
		return;
	switch (action) {
	case DS_HA_IKE_MOVE:
		/* RFC 4877 cl. 4.4 / RFC 5555 cl. 5.1: the IKE SA follows the accepted CoA; the
		 * engine keeps the port it learns from the UE's next message (NAT-T). */
	{
		/* when the family changes (IPv6 CoA <-> IPv4 CoA) the HA end moves too */
		const ds_ha_config *c = ds_ha_config_get(g->ha);
		ds_addr local = addr->family == DS_AF_INET ? c->ha4 : c->ha6;
		ds_addr peer = *addr;
		local.port = 0;
		peer.port = 0;
		ds_ike_info cur;
		ds_ike_sa_info(sa, &cur);
		if (cur.local.port == DS_IKE_NATT_PORT) {
			/* RFC 5555 cl. 5.1: the peer is the CoA "and 4500 as the port number".
			 * The port of the old CoA (a NAT mapping, or a port the UE used
			 * elsewhere) means nothing at the new one; behind a NAT the UE's next
			 * IKE message brings the real mapping (RFC 7296 cl. 2.23). */
			local.port = DS_IKE_NATT_PORT;
			peer.port = DS_IKE_NATT_PORT;
		}
		ds_ike_update_peer(sa, local.family == addr->family ? &local : NULL, &peer, g->now);
		break;
	}
	case DS_HA_IKE_DELETE:
		ds_ike_delete(sa, g->now);
		break;
	case DS_HA_IKE_REDIRECT:
		ds_ike_redirect(sa, addr, g->now);
		break;
	}
}

void ds_ha_ike_glue_set_overflow(ds_ha_ike_glue *g, const ds_addr *other_ha, size_t above)
{
	g->overflow = other_ha != NULL;
	if (other_ha)
		g->other_ha = *other_ha;
	g->above = above;
}

static bool on_redirect_at_init(void *ctx, const ds_addr *peer, ds_addr *new_gw)
{
	ds_ha_ike_glue *g = ctx;
	(void)peer;
	if (!g->overflow || ds_ha_ue_count(g->ha) < g->above)
		return false;
	*new_gw = g->other_ha;
	return true;
}

int ds_ha_cp_hoa6(const char *nai, const ds_addr *hnp, ds_addr *hoa6)
{
	uint8_t md[32];
	ds_span part = { nai, strlen(nai) };
	if (ds_hash(DS_HASH_SHA2_256, &part, 1, md) != DS_OK)
		return DS_E_CRYPTO;
	*hoa6 = *hnp;
	memcpy(hoa6->ip + 8, md, 8);
	hoa6->ip[8] &= (uint8_t)~0x02;
	hoa6->plen = 64;
	return DS_OK;
}

static int on_assign(void *ctx, const char *nai, const char *apn, ds_ike_assignment *out)
{
	ds_ha_ike_glue *g = ctx;
	memset(out, 0, sizeof *out);
	int rc = ds_ha_assign_hnp(g->ha, nai, apn, &out->hnp, &out->lifetime_s);
	if (rc != DS_OK)
		return rc;
	return ds_ha_cp_hoa6(nai, &out->hnp, &out->hoa6);
}

static void on_child_up(void *ctx, ds_ike_sa *sa, const ds_ike_child *child)
{
	ds_ha_ike_glue *g = ctx;
	ds_ike_info info;
	ds_ike_sa_info(sa, &info);
	/* Compact SAs (ipsec/esp.h): the MH CHILD_SA protects only low-rate mobility signalling
	 * (RFC 5026 cl. 6.1, TS 24.303 cl. 6.1), so each SA keeps just its keys, sequence state and
	 * replay window and borrows the HA SAD's cipher context per suite and direction. Same wire
	 * behaviour and replay window as an SA with its own contexts, about a third of the memory:
	 * this is what keeps a HA with a million UEs inside its per-UE memory budget. */
	ds_esp_sa_params pin = child->in, pout = child->out;
	pin.compact = true;
	pout.compact = true;
	int err;
	ds_esp_sa *in = ds_esp_sa_new(&pin, &err);
	ds_esp_sa *out = ds_esp_sa_new(&pout, &err);
	if (!in || !out) {
		ds_esp_sa_free(in);
		ds_esp_sa_free(out);
		return;
	}
	ds_addr peer = info.remote;
	peer.port = 0;
	ds_ha_ike_up(g->ha, info.nai, info.apn, sa, out, in, &peer, g->now);
}

static void on_closed(void *ctx, ds_ike_sa *sa, int reason, const ds_ike_info *info)
{
	ds_ha_ike_glue *g = ctx;
	if (reason == DS_IKE_CLOSE_SHUTDOWN)
		return;   /* ds_ike_free(): the host is tearing everything down */
	if (reason == DS_IKE_CLOSE_REKEYED) {
		/* the PDN connection continues on the successor IKE SA (RFC 7296 cl. 2.18) */
		ds_ha_ike_replace(g->ha, sa, NULL);
		return;
	}
	if (ds_ha_ike_down(g->ha, sa, g->now) == DS_E_NOTFOUND && info && info->nai[0])
		ds_ha_release_unbound(g->ha, info->nai, info->apn, g->now);
}

void ds_ha_ike_glue_ike_events(ds_ha_ike_glue *g, ds_ike_events *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->ctx = g;
	ev->assign_prefix = on_assign;
	ev->child_up = on_child_up;
	ev->closed = on_closed;
	ev->redirect_at_init = on_redirect_at_init;
}
