/* Composition of the UE engine with the IKEv2 initiator (src/ike): one ds_ike context drives
 * the IKE SA of every PDN connection of one ds_ue (TS 24.303 cl. 5.1.2.2, RFC 5026, RFC 4877).
 *
 * The glue implements the UE engine's IKE seam: DS_UE_IKE_START becomes ds_ike_connect() with
 * IDi = NAI, IDr = APN and CFG_REQUEST(MIP6_HOME_PREFIX); when the IKE SA is established
 * the HoA is formed from the HNP and, unless the IKE_AUTH CHILD_SA already covers it, a
 * transport-mode CHILD_SA for HoA <-> HA, protocol 135, is created with CREATE_CHILD_SA
 * (RFC 5026 cl. 5); that SA pair goes to ds_ue_ike_up(). DS_UE_IKE_MOVE becomes
 * ds_ike_update_peer() (RFC 5555 cl. 5.1), DS_UE_IKE_DELETE ds_ike_delete(); IKE closure and
 * redirect (RFC 5685) are reported back to the UE engine.
 *
 * Use: create the glue, create the ds_ike context with ds_ue_ike_glue_ike_events() as its
 * events and the ds_ue with ds_ue_ike_glue_event as its ev.ike callback (ctx = glue), then
 * ds_ue_ike_glue_attach(). The host feeds UDP 500/4500 to ds_ike_input() and runs both timer
 * queues. */
#ifndef DSMIP6_UE_UE_IKE_H
#define DSMIP6_UE_UE_IKE_H

#include "eap/eap_method.h"
#include "ike/ike.h"
#include "ue/ue.h"

typedef struct ds_ue_ike_glue ds_ue_ike_glue;

typedef struct ds_ue_ike_glue_config {
	const char *nai;               /* IDi (root NAI, TS 23.003 cl. 19) */
	uint8_t iid[8];                /* the same interface identifier as ds_ue_config.iid */
	ds_eap_peer *eap;              /* EAP-AKA peer; NULL: PSK (tests only) */
	const ds_eap_peer_ops *eap_ops;
} ds_ue_ike_glue_config;

ds_ue_ike_glue *ds_ue_ike_glue_new(const ds_ue_ike_glue_config *cfg);
void ds_ue_ike_glue_free(ds_ue_ike_glue *g);
/* Set what the S2c initiator needs in the IKE configuration the host builds (call before
 * ds_ike_new()): RFC 5555 cl. 5 requires the mobile node to run its IKE SA over UDP 4500 from
 * IKE_AUTH on, regardless of a NAT, so that a later move behind a NAT (IKE SA moved by a BA
 * with K=1) keeps the non-ESP-marker encapsulation the HA follows to the new NAT mapping
 * (RFC 7296 cl. 2.23). Leaves every other field alone. */
void ds_ue_ike_glue_ike_config(ds_ike_config *cfg);
/* Fill ev with the glue's IKE event handlers (ev->ctx = g). */
void ds_ue_ike_glue_ike_events(ds_ue_ike_glue *g, ds_ike_events *ev);
/* Connect both engines (after both exist). */
void ds_ue_ike_glue_attach(ds_ue_ike_glue *g, ds_ue *ue, ds_ike *ike);
/* ds_ue_events.ike handler (ctx = the glue). */
void ds_ue_ike_glue_event(void *ctx, ds_pdn_id pdn, enum ds_ue_ike_action action, void *ike_sa,
			  const ds_addr *local, const ds_addr *ha);
/* The host must pass the current time before feeding either engine (the IKE callbacks carry
 * none). */
void ds_ue_ike_glue_set_time(ds_ue_ike_glue *g, ds_time now);

#endif
