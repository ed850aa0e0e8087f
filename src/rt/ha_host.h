/* dsmip6-ha host: everything around the HA role engine (src/ha) and the IKEv2 responder
 * (src/ike) in one process: configuration, sockets, the PDN-facing TUN device with the HNP and
 * IPv4 pools routed into it, the embedded EAP-AKA server over the subscriber store, SQLite
 * persistence of allocations and bindings, the control socket and signals. */
#ifndef DSMIP6_RT_HA_HOST_H
#define DSMIP6_RT_HA_HOST_H

#include <stdbool.h>

#include "rt/ha_conf.h"

typedef struct ds_ha_host ds_ha_host;

typedef struct ds_ha_host_opts {
	const char *conf_path;
	bool foreground_log;   /* log to stderr even when the configuration says syslog */
	int log_level;         /* -1: from the configuration */
} ds_ha_host_opts;

/* Load the configuration and run until SIGTERM / SIGINT. Returns the process exit status
 * (0 clean stop, 1 configuration error, 2 start-up failure). */
int ds_ha_host_main(const ds_ha_host_opts *o);

#endif
