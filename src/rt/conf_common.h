/* Configuration sections shared by dsmip6-ue and dsmip6-ha: "log", "control" and "keylog". */
#ifndef DSMIP6_RT_CONF_COMMON_H
#define DSMIP6_RT_CONF_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rt/log_sink.h"
#include "ike/ike.h"
#include "rt/ycfg.h"

/* log: { level: err|warn|notice|info|debug, syslog: bool } */
void ds_conf_log(const ds_ynode *root, ds_log_opts *o);
/* control: { socket: /path } ; the path must fit a sockaddr_un */
void ds_conf_control(const ds_ynode *root, char *sock, size_t len);
/* keylog: { dir: /path }: IKE and ESP keys in Wireshark's table format for debugging */
void ds_conf_keylog(const ds_ynode *root, char *dir, size_t len);
/* Reject a path that is not absolute (daemons chdir to /). */
void ds_conf_require_abs(const ds_ynode *map, const char *key, const char *val);

/* IKEv2 tuning under "ike:" (both daemons). 0 keeps the engine's default; defaults here leave
 * every feature as it was before the key existed (no rekey, no fragmentation, no DPD). */
typedef struct ds_conf_ike_tuning {
	uint32_t lifetime;        /* s, IKE SA rekey (RFC 7296 cl. 2.18); 0 = never */
	bool fragmentation;       /* RFC 7383 offered / accepted */
	uint32_t frag_mtu;        /* octets; 0 = 1280 over IPv6, 576 over IPv4 (RFC 7383 cl. 2.5.1) */
	uint32_t dpd_interval;    /* s, liveness check after this long idle (cl. 2.4); 0 = off */
	bool notify_3gpp;         /* HA only: TS 24.302 cl. 8.1.2.2 refusal notify types */
	uint32_t cookie_rotate;   /* HA only: s, new cookie secret (cl. 2.6); 0 = 5 min */
} ds_conf_ike_tuning;

/* The tuning keys this role accepts, for the caller's ds_ymap_only list of "ike". */
#define DS_CONF_IKE_TUNING_KEYS "lifetime", "fragmentation", "frag_mtu", "dpd_interval"
#define DS_CONF_IKE_TUNING_HA_KEYS DS_CONF_IKE_TUNING_KEYS, "notify_3gpp", "cookie_rotate"
/* Read the tuning keys of the "ike" map; responder: also the HA-only keys. */
void ds_conf_ike_tuning_parse(const ds_ynode *ike, ds_conf_ike_tuning *t, bool responder);
/* Copy the tuning into an engine configuration (seconds -> ds_time milliseconds). */
void ds_conf_ike_tuning_apply(const ds_conf_ike_tuning *t, ds_ike_config *ic);

#endif
