/* dsmip6-ue host: everything around the UE role engine (src/ue) and the IKEv2 initiator
 * (src/ike) in one process: configuration, USIM file, access interfaces watched through
 * rtnetlink (handover on address and link changes), DNS discovery of the HA, the TUN device
 * carrying the home addresses with source-based policy routing, sockets, the control socket
 * and signals (SIGTERM detaches every PDN connection before exiting). */
#ifndef DSMIP6_RT_UE_HOST_H
#define DSMIP6_RT_UE_HOST_H

#include <stdbool.h>

typedef struct ds_ue_host ds_ue_host;

typedef struct ds_ue_host_opts {
	const char *conf_path;
	bool foreground_log;
	int log_level;           /* -1: from the configuration */
} ds_ue_host_opts;

/* Returns the exit status (0 clean stop, 1 configuration error, 2 start-up failure). */
int ds_ue_host_main(const ds_ue_host_opts *o);

#endif
