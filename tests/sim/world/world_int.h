/* Internals shared by the world, HA host and UE host sources. */
#ifndef DSMIP6_SIM_WORLD_INT_H
#define DSMIP6_SIM_WORLD_INT_H

#include "world.h"

/* The PSK both IKE ends use in the simulation (RFC 7296 cl. 2.15 shared-key AUTH; the engine
 * allows it only for tests, the deployment uses certificates + EAP-AKA). */
extern const uint8_t world_psk[32];
/* CHILD_SA suite for the MH SA: ENCR_NULL (RFC 2410) + HMAC-SHA-256-128, readable on the wire. */
extern const ds_ike_suite world_esp_null;

ha_host *ha_host_new(world *w, unsigned idx);
void ha_host_free(ha_host *h);
void ue_host_free(ue_host *u);
/* Which HA host owns this address (IPv6 or IPv4), NULL when none. */
ha_host *world_ha_by_addr(world *w, const ds_addr *a);
/* Engine log sink writing into the simulation trace. */
void world_log(void *ctx, int level, const char *msg);

#endif
