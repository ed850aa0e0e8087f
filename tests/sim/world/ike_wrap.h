/* Forwarders for the IKE event handlers of a composition glue: a host installs its own context
 * in ds_ike_config.ev (to trace and count) and hands every event on to the glue's handler with
 * the glue's context. */
#ifndef DSMIP6_SIM_IKE_WRAP_H
#define DSMIP6_SIM_IKE_WRAP_H

#include "ike/ike.h"

typedef struct ike_wrap {
	ds_ike_events glue;                  /* the glue's handlers and context */
	void *host;                          /* the host, for the hooks below */
	/* host hooks called before forwarding (may be NULL) */
	void (*on_established)(void *host, ds_ike_sa *sa, const ds_ike_info *info);
	void (*on_child_up)(void *host, ds_ike_sa *sa, const ds_ike_child *c);
	void (*on_closed)(void *host, ds_ike_sa *sa, int reason, const ds_ike_info *info);
	void (*on_redirected)(void *host, ds_ike_sa *sa, const ds_addr *gw, const char *fqdn);
} ike_wrap;

/* Fill ev with forwarders (ev->ctx = w) for every handler the glue has. */
void ike_wrap_events(ike_wrap *w, ds_ike_events *ev);

#endif
