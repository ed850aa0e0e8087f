/* dsmip6-ue configuration: the YAML schema, its defaults and its validation.
 * See docs/operations.md for the operator's reference and etc/dsmip6-ue.yaml for an example. */
#ifndef DSMIP6_RT_UE_CONF_H
#define DSMIP6_RT_UE_CONF_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/addr.h"
#include "rt/conf_common.h"
#include "rt/log_sink.h"
#include "rt/ycfg.h"

#define DS_UE_MAX_PDN 8
#define DS_UE_MAX_ACCESS 8
#define DS_CONF_PATH_MAX 256
#define DS_APN_MAX 100      /* TS 23.003 cl. 9.1: an APN is at most 100 octets */
#define DS_NAI_MAX 254     /* RFC 7542 cl. 2.2: at most 253 octets, plus the NUL */
#define DS_UE_MAX_DNS 4

/* Kinds of access a UE interface can be (TS 24.303 cl. 5.1.2.3 home link detection: an access
 * marked 3gpp-home is the home link of the PDN connections anchored through it). */
enum ds_access_kind { DS_ACCESS_3GPP_HOME = 0, DS_ACCESS_WLAN = 1, DS_ACCESS_IPV4 = 2 };
extern const char *const ds_access_kind_names[]; /* "3gpp-home", "wlan", "ipv4" */

enum ds_eap_kind { DS_EAP_KIND_AKA = 0, DS_EAP_KIND_AKA_PRIME = 1 };

typedef struct ds_ue_access_conf {
	char ifname[IF_NAMESIZE];
	int kind;            /* enum ds_access_kind */
	uint32_t priority;   /* higher wins when several accesses have a usable CoA */
} ds_ue_access_conf;

typedef struct ds_ue_pdn_conf {
	char apn[DS_APN_MAX + 1];
	ds_addr ha6;              /* static HA IPv6 address; unset: DNS discovery */
	ds_addr ha4;              /* static HA IPv4 address (IPv4-only accesses) */
	char ha_fqdn[256];        /* DNS name to resolve; empty: the HA-APN built from apn/MCC/MNC */
	bool ipv4_hoa;            /* request an IPv4 home address (RFC 5555 cl. 3.1) */
	bool force_udp;           /* RFC 5555 F flag: UDP encapsulation even without a NAT */
	uint32_t lifetime;        /* requested binding lifetime, seconds */
} ds_ue_pdn_conf;

typedef struct ds_ue_conf {
	char imsi[16];
	char mcc[4];
	char mnc[4];
	int eap;                  /* enum ds_eap_kind */
	char nai[DS_NAI_MAX];     /* from IMSI/MCC/MNC (TS 23.003 cl. 19.3.2) unless overridden */
	char usim_file[DS_CONF_PATH_MAX];
	char ha_ca[DS_CONF_PATH_MAX];   /* trust anchors for the HA certificate (TS 33.402) */
	ds_conf_ike_tuning ike;   /* ike: lifetime, fragmentation, frag_mtu, dpd_interval */
	char tun_name[IF_NAMESIZE];
	uint32_t tun_mtu;
	ds_ue_access_conf access[DS_UE_MAX_ACCESS];
	unsigned n_access;
	ds_ue_pdn_conf pdn[DS_UE_MAX_PDN];
	unsigned n_pdn;
	ds_addr dns_servers[DS_UE_MAX_DNS];   /* empty: the system resolver configuration */
	unsigned n_dns;
	char ctl_socket[108];     /* sun_path size */
	char keylog_dir[DS_CONF_PATH_MAX];
	ds_log_opts log;
} ds_ue_conf;

/* Defaults for every optional field. */
void ds_ue_conf_defaults(ds_ue_conf *uc);
/* Validate a loaded document into uc (defaults first). Returns DS_OK or DS_E_CONFIG with the
 * messages in c. */
int ds_ue_conf_parse(ds_ycfg *c, ds_ue_conf *uc);
/* Load and validate a file in one step; errors joined with newlines into err. */
int ds_ue_conf_load(const char *path, ds_ue_conf *uc, char *err, size_t errlen);

/* NAI for EAP-AKA ("0<IMSI>@nai.epc.mnc<MNC>.mcc<MCC>.3gppnetwork.org") or EAP-AKA' (leading
 * "6"), TS 23.003 cl. 19.3.2; the MNC is written with three digits. */
int ds_nai_from_imsi(const char *imsi, const char *mcc, const char *mnc, int eap, char *out,
		     size_t len);

#endif
