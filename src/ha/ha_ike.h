/* Composition of the HA engine with the IKEv2 responder (src/ike) (TS 24.303 cl. 5.1.3,
 * RFC 5026, RFC 4877, RFC 5685).
 *
 * The glue is the responder's prefix hook (assign_prefix -> ds_ha_assign_hnp, R-13), hands every
 * transport-mode CHILD_SA pair to ds_ha_ike_up() (the one created for the HoA after IKE_AUTH
 * replaces the bootstrap one, RFC 5026 cl. 5), reports IKE SA closure with ds_ha_ike_down()
 * and implements the HA engine's IKE actions: move the peer after a BU with K=1
 * (ds_ike_update_peer), delete (ds_ike_delete), redirect (ds_ike_redirect, R-61).
 *
 * Use: create the glue, the ds_ike responder with ds_ha_ike_glue_ike_events() and the ds_ha
 * with ds_ha_ike_glue_event as ev.ike (ctx = glue), then ds_ha_ike_glue_attach(). */
#ifndef DSMIP6_HA_HA_IKE_H
#define DSMIP6_HA_HA_IKE_H

#include "ha/ha.h"
#include "ike/ike.h"

typedef struct ds_ha_ike_glue ds_ha_ike_glue;

ds_ha_ike_glue *ds_ha_ike_glue_new(void);
void ds_ha_ike_glue_free(ds_ha_ike_glue *g);
void ds_ha_ike_glue_ike_events(ds_ha_ike_glue *g, ds_ike_events *ev);
void ds_ha_ike_glue_attach(ds_ha_ike_glue *g, ds_ha *ha, ds_ike *ike);
void ds_ha_ike_glue_event(void *ctx, void *ike_sa, enum ds_ha_ike_action action,
			  const ds_addr *addr);
void ds_ha_ike_glue_set_time(ds_ha_ike_glue *g, ds_time now);
/* HA reallocation rule (R-61, RFC 5685 cl. 5): once this HA serves `above` UE PDN connections,
 * new IKE_SA_INITs from clients that support redirect are sent to other_ha. NULL turns it off. */
void ds_ha_ike_glue_set_overflow(ds_ha_ike_glue *g, const ds_addr *other_ha, size_t above);

/* The HoA the HA returns in INTERNAL_IP6_ADDRESS when a client asks for one (RFC 5026 cl. 4.2.1,
 * RFC 7296 cl. 3.15.1), so that a generic IKEv2 client (no MIP6_HOME_PREFIX handling) also gets
 * a home address: HNP | IID, the IID being the first 64 bits of SHA-256(NAI) with the
 * universal/local bit cleared (RFC 4291 cl. 2.5.1) -- the same IID dsmip6-ue forms its HoA
 * with, so both ends agree. DS_OK or DS_E_CRYPTO. */
int ds_ha_cp_hoa6(const char *nai, const ds_addr *hnp, ds_addr *hoa6);

#endif
