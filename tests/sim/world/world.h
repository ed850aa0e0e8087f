/* The simulated S2c world the scenarios run in: topology, HA hosts (PDN GW with its IKEv2
 * responder and HA engine) and UE hosts (IKEv2 initiator + UE engine), wired over the simulator.
 *
 *   home  (3GPP access of PDN GW 1, prefix = the UE's HNP)      \
 *   wlan1 (IPv6 + IPv4 WLAN, 2001:db8:a1::/64, 198.51.100.0/24)  \
 *   wlan2 (IPv6-only WLAN, 2001:db8:a2::/64)                      +-- core --- ha1, ha2, NAT out
 *   natlan (IPv4-only, 172.16.0.0/12, behind a NAT box)          /
 *   pdn: ha1/ha2 PDN side (HNP and IPv4 HoA pools routed there) and the correspondent node.
 *
 * The hosts do what the runtime (src/rt) does around the engines: demultiplex UDP 500/4500 to
 * IKE and everything else to the role engine, turn IKE events into role-engine calls and back
 * (deferred through the simulator, never re-entering an engine from its own callback), create
 * the ESP SAs of the MH CHILD_SA, answer DNS queries, keep the HA's persisted allocations in
 * memory, and carry user-plane packets between the engines' TUN side and the PDN. The CHILD_SA
 * protecting MH uses ENCR_NULL with HMAC-SHA-256-128 so that the wire tap can read every BU/BA;
 * IKE itself is fully encrypted. */
#ifndef DSMIP6_SIM_WORLD_H
#define DSMIP6_SIM_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ha/ha.h"
#include "ike/ike.h"
#include "sim.h"
#include "sim_cn.h"
#include "sim_dns.h"
#include "sim_mhtap.h"
#include "sim_nat.h"
#include "ue/ue.h"

#define WORLD_MAX_HA 2
#define WORLD_APN "internet"
#define WORLD_APN2 "ims"
#define WORLD_MCC "001"
#define WORLD_MNC "01"

enum world_access { W_ACC_NONE = 0, W_ACC_HOME, W_ACC_WLAN1, W_ACC_WLAN2, W_ACC_NAT };

typedef struct world world;
typedef struct ha_host ha_host;
typedef struct ue_host ue_host;

typedef struct world_cfg {
	uint64_t seed;
	const char *pcap_dir;          /* NULL: no pcap */
	FILE *trace_file;              /* NULL: trace hashed only */
	sim_link_params access;        /* impairments of home/wlan/natlan (families set by world) */
	sim_link_params core;          /* impairments of core and pdn */
	unsigned n_ha;                 /* 1 or 2 */
	bool keep_mh;                  /* store every MH record (small runs) */
	ds_time nat_idle;              /* NAT mapping idle timeout (0: 120 s) */
	uint16_t lifetime_s;           /* UE requested binding lifetime (0: 3600) */
	uint32_t ha_max_lifetime_s;    /* 0: 3600 */
	int log_level;                 /* engine log level into the trace (0: off) */
	/* sees every decoded MH message (may be NULL) */
	void (*mh_cb)(void *ctx, const sim_mh_rec *r);
	void *mh_ctx;
} world_cfg;

struct world {
	world_cfg cfg;
	sim *s;
	sim_mhtap *tap;
	sim_dns *dns;
	sim_cn *cn;
	sim_nat *nat;
	sim_link *core, *pdn, *home, *wlan1, *wlan2, *natlan;
	ha_host *ha[WORLD_MAX_HA];
	unsigned n_ha;
	ue_host **ues;
	size_t n_ues, cap_ues;
	ds_addr cn6, cn4;
	uint64_t engine_log_lines;
};

world *world_new(const world_cfg *cfg);
void world_free(world *w);
/* HA-APN FQDN of apn (TS 23.003 cl. 21.2) as the UE engine builds it. */
void world_ha_apn(const char *apn, char *out, size_t cap);

/* ---- HA host ---- */
ha_host *world_ha(world *w, unsigned i);
ds_ha *ha_host_engine(ha_host *h);
ds_ike *ha_host_ike(ha_host *h);
const ds_addr *ha_host_addr6(const ha_host *h);
const ds_addr *ha_host_addr4(const ha_host *h);
/* Crash and restart: both engines are freed (IKE SAs and ESP SAs are lost), a new HA engine is
 * created and fed the persisted allocations through ds_ha_restore(). */
int ha_host_restart(ha_host *h);
size_t ha_host_persisted(const ha_host *h);
/* Re-read the engines' deadlines after commanding them from outside. */
void ha_host_kick(ha_host *h);
/* Operator commands through the host (time set for the glue, deadlines re-read). */
int ha_host_revoke(ha_host *h, const char *nai, const char *apn);
int ha_host_redirect(ha_host *h, const char *nai, const char *apn, const ds_addr *to);

/* ---- UE host ---- */
typedef struct ue_pdn_view {
	ds_pdn_id id;
	enum ds_ue_pdn_state state;
	unsigned revoked, rejected, timeouts, redirects, ike_failures, ike_ups;
	ds_addr hoa, hoa4;
	enum ds_ue_tunnel_mode tunnel;
	uint64_t echo_rx;              /* user-plane echoes received from the CN */
} ue_pdn_view;

ue_host *ue_host_new(world *w, unsigned idx);
const char *ue_host_nai(const ue_host *u);
ds_ue *ue_host_engine(ue_host *u);
ds_ike *ue_host_ike(ue_host *u);
/* Move to an access (addresses configured, then ds_ue_access_change). */
int ue_host_move(ue_host *u, enum world_access acc);
enum world_access ue_host_access(const ue_host *u);
/* Add a PDN connection (slot 0 or 1); HA by DNS discovery when discover is true. */
int ue_host_attach(ue_host *u, unsigned slot, const char *apn, bool want_ipv4_hoa, bool discover);
int ue_host_detach(ue_host *u, unsigned slot);
/* The connection manager's retry after a failed PDN connection (R-32 "retry with back-off"):
 * forget it and attach again to the same APN, asking to keep the IPv4 HoA it had. */
int ue_host_reattach(ue_host *u, unsigned slot);
const ue_pdn_view *ue_host_pdn(const ue_host *u, unsigned slot);
/* Send one UDP datagram from the PDN connection's HoA (or IPv4 HoA) to the CN through the UE
 * engine's TUN input; the CN echoes it back. */
int ue_host_ping(ue_host *u, unsigned slot, bool ipv4);

#endif
