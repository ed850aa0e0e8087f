/* Internal state of the HA role engine, shared by its source files. */
#ifndef DSMIP6_HA_HA_IMPL_H
#define DSMIP6_HA_HA_IMPL_H

#include <uthash.h>

#include "core/timerq.h"
#include "ha/ha.h"
#include "ipsec/sad.h"
#include "mip/mh.h"
#include "mip/pool.h"

/* One UE PDN connection: the binding cache entry for its HoA, HNP and IPv4 HoA (implicit
 * prefix mode, RFC 3963) together with its allocations and its IKE / ESP linkage. Kept compact:
 * the per-UE footprint is this struct, the key string and the two ESP SAs. */
struct ds_ha_ue {
	UT_hash_handle hh_key;      /* by "nai\0apn" */
	UT_hash_handle hh_hnp;      /* by the 64-bit HNP: a HoA finds its entry in O(1) */
	UT_hash_handle hh_hoa4;     /* by IPv4 HoA, when one is allocated */
	UT_hash_handle hh_ike;      /* by IKE SA handle */
	char *key;                  /* "nai\0apn", owned */
	unsigned keylen;
	uint64_t hnp;               /* the /64 HNP as a big-endian integer (hash key) */
	uint32_t hoa4;              /* IPv4 HoA (hash key, network order bytes), 0 = none */
	void *ike;
	ds_esp_sa *sa_in, *sa_out;  /* owned by the engine's SAD */
	ds_timer timer;             /* binding expiry or BRI retransmission */
	ds_time expires;
	ds_time bri_next;
	ds_addr coa;                /* IPv6 CoA, or IPv4 CoA with the NAT-observed port */
	ds_addr ike_peer;           /* where the IKE SA runs (moved with K=1) */
	uint8_t hoa[16];            /* registered HoA */
	uint16_t last_seq;          /* last accepted BU sequence number */
	uint16_t bri_seq;
	uint8_t bri_tries;
	uint8_t tunnel;             /* enum ds_ha_tunnel_mode */
	bool bound;
	bool seq_valid;             /* last_seq holds an accepted value */
	bool hnp_held;              /* the HNP is allocated in the pool */
	bool revoking;              /* BRI outstanding */
	bool at_home;               /* de-registered from the home link: 3GPP access */
	bool on_hoa4_hash;
	bool on_ike_hash;
};

struct ds_ha {
	ds_ha_config cfg;
	ds_sad *sad;
	ds_timerq tq;
	ds_addr_pool hnp_pool;
	ds_addr_pool v4_pool;
	bool have_v4_pool;
	struct ds_ha_ue *by_key, *by_hnp, *by_hoa4, *by_ike;
	size_t n_ues, n_bound;
	ds_ha_counters ctr;
	ds_ratelimit rl_rx, rl_bu, rl_be;
	uint8_t buf[DS_PKT_MAX];    /* decrypted / built packets: no large stack frames */
	uint8_t mh[1024];
};

/* Where a BU came from, after the HAO / UDP handling (RFC 6275 cl. 9.3.1, RFC 5555 cl. 4.1). */
typedef struct ha_rx_ctx {
	uint8_t hoa[16];            /* effective source: HAO, or the (inner) IPv6 source */
	uint8_t dst[16];            /* IPv6 destination (the HA) */
	uint8_t outer_src6[16];     /* outer IPv6 source (CoA) when !udp */
	bool has_hao;
	bool udp;                   /* arrived in UDP 4191 over IPv4 */
	ds_addr udp_src;            /* observed IPv4 source and port (NAT mapping) */
	ds_addr udp_dst;            /* the HA IPv4 address and port it was sent to */
} ha_rx_ctx;

uint64_t ha_hnp_key(const uint8_t ip[16]);
struct ds_ha_ue *ha_ue_by_hnp(const ds_ha *ha, const uint8_t ip[16]);
struct ds_ha_ue *ha_ue_by_hoa4(const ds_ha *ha, const uint8_t ip[4]);
void ha_ue_prefix(const struct ds_ha_ue *u, ds_addr *hnp);
void ha_alloc_of(const struct ds_ha_ue *u, ds_ha_alloc *a);
void ha_persist(ds_ha *ha, struct ds_ha_ue *u);
void ha_rearm(ds_ha *ha, struct ds_ha_ue *u);
/* Remove the binding (forwarding state) of u, emit the binding event. */
void ha_unbind(ds_ha *ha, struct ds_ha_ue *u, enum ds_ha_binding_reason why);
void ha_release_hoa4(ds_ha *ha, struct ds_ha_ue *u);
void ha_release_hnp(ds_ha *ha, struct ds_ha_ue *u);
int ha_set_hoa4(ds_ha *ha, struct ds_ha_ue *u, const uint8_t ip[4]);
void ha_ike_action(ds_ha *ha, struct ds_ha_ue *u, enum ds_ha_ike_action a, const ds_addr *addr);

/* Send an MH message (already in decoded form) to u over its current path, ESP-protected. */
int ha_send_mh(ds_ha *ha, struct ds_ha_ue *u, const ds_mh_msg *m, const ha_rx_ctx *path,
	       ds_time now);
void ha_handle_bu(ds_ha *ha, struct ds_ha_ue *u, const ha_rx_ctx *rx, const ds_mh_msg *bu,
		  ds_time now);
void ha_handle_bra(ds_ha *ha, struct ds_ha_ue *u, const ds_mh_msg *bra, ds_time now);
void ha_bri_send(ds_ha *ha, struct ds_ha_ue *u, ds_time now);
void ha_bri_timer(ds_ha *ha, struct ds_ha_ue *u, ds_time now);

#endif
