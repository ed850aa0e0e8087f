/* dsmip6-ha configuration: the YAML schema, its defaults and its validation.
 * See docs/operations.md for the operator's reference and etc/dsmip6-ha.yaml for an example. */
#ifndef DSMIP6_RT_HA_CONF_H
#define DSMIP6_RT_HA_CONF_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/addr.h"
#include "rt/conf_common.h"
#include "rt/log_sink.h"
#include "rt/ue_conf.h"
#include "rt/ycfg.h"

#define DS_HA_MAX_APN 16
#define DS_HA_MAX_REDIRECT 64

enum ds_aaa_mode { DS_AAA_EMBEDDED = 0, DS_AAA_RADIUS = 1 };
extern const char *const ds_aaa_mode_names[];

/* RFC 5685 redirect rule: a UE whose NAI matches `nai` (fnmatch(3) pattern) and, when set, whose
 * requested APN is `apn`, is sent to another HA during IKE_SA_INIT / IKE_AUTH. */
typedef struct ds_ha_redirect_rule {
	char nai[DS_NAI_MAX];
	char apn[DS_APN_MAX + 1];
	ds_addr to6;
	ds_addr to4;
} ds_ha_redirect_rule;

typedef struct ds_ha_radius {
	ds_addr server;          /* with port (default 1812) */
	char secret[128];
	uint32_t timeout_s;
	uint32_t retries;
} ds_ha_radius;

typedef struct ds_ha_conf {
	ds_addr addr6;           /* the HA address UEs send IKE and BUs to (required) */
	ds_addr addr4;           /* IPv4 HA address for IPv4-only accesses (RFC 5555) */
	ds_addr hnp_pool;        /* prefix from which per-UE HNPs are cut */
	uint32_t hnp_len;        /* length of each HNP (64 by default) */
	ds_addr ipv4_pool;       /* IPv4 home addresses (RFC 5555 cl. 3.3.2); unset: none */
	uint32_t max_lifetime;   /* granted binding lifetime ceiling, seconds */
	char apns[DS_HA_MAX_APN][DS_APN_MAX + 1];
	unsigned n_apn;          /* 0: any APN */
	char tun_name[IF_NAMESIZE];
	uint32_t tun_mtu;
	char cert[DS_CONF_PATH_MAX];
	char key[DS_CONF_PATH_MAX];
	char ca[DS_CONF_PATH_MAX];
	char ike_id[256];        /* IDr the HA presents; empty: its IPv6 address */
	ds_conf_ike_tuning ike;  /* ike: rekey, fragmentation, DPD, 3GPP notifies, cookies */
	char db_path[DS_CONF_PATH_MAX];
	int aaa_mode;            /* enum ds_aaa_mode */
	ds_ha_radius radius;
	ds_ha_redirect_rule redirect[DS_HA_MAX_REDIRECT];
	unsigned n_redirect;
	char ctl_socket[108];
	char keylog_dir[DS_CONF_PATH_MAX];
	ds_log_opts log;
} ds_ha_conf;

void ds_ha_conf_defaults(ds_ha_conf *hc);
int ds_ha_conf_parse(ds_ycfg *c, ds_ha_conf *hc);
int ds_ha_conf_load(const char *path, ds_ha_conf *hc, char *err, size_t errlen);

/* First rule matching (nai, apn), or NULL. */
const ds_ha_redirect_rule *ds_ha_redirect_match(const ds_ha_conf *hc, const char *nai, const char *apn);

#endif
