/* HA role engine (Home Agent function of a PDN GW on S2c, TS 24.303 cl. 5.1.3 .. 5.4), sans-I/O.
 *
 * Holds the binding cache (O(1) by HoA, HNP and IPv4 HoA), the HNP and IPv4 HoA pools, and one
 * compact record per UE PDN connection (subscriber NAI + APN, linked to its IKE SA and its
 * transport-mode ESP SA pair). It validates Binding Updates (RFC 6275 cl. 10.3.1, RFC 4877,
 * RFC 5555, RFC 3963 implicit prefix mode), answers with Binding Acknowledgements, runs NAT
 * detection, network-initiated detach by Binding Revocation (RFC 5846, Annex A.6), HA
 * reallocation (IKEv2 redirect, RFC 5685) and the data plane between the PDN (TUN) and the
 * tunnels to the care-of addresses.
 *
 * IKE seam: the IKEv2 responder (src/ike) runs beside the engine in the same host. During
 * IKE_AUTH it asks ds_ha_assign_hnp() for the UE's prefix (MIP6_HOME_PREFIX, RFC 5026); once the
 * MH CHILD_SA is up the host calls ds_ha_ike_up() and hands over the ESP SA pair. The engine
 * asks for IKE actions through ds_ha_events.ike (move the IKE SA to a new CoA after a BU with
 * K=1, delete it after detach, redirect). */
#ifndef DSMIP6_HA_HA_H
#define DSMIP6_HA_HA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/log.h"
#include "core/pkt.h"
#include "core/time.h"
#include "ipsec/esp.h"

typedef struct ds_ha ds_ha;
typedef struct ds_ha_ue ds_ha_ue;      /* one UE PDN connection (NAI + APN) */

#define DS_HA_NAI_MAX 253
#define DS_HA_APN_MAX 100

/* Persisted allocation of one UE PDN connection: stable HNP and IPv4 HoA per subscriber + APN,
 * and the binding when one exists. The runtime stores these and feeds them back on restart. */
typedef struct ds_ha_alloc {
	char nai[DS_HA_NAI_MAX + 1];
	char apn[DS_HA_APN_MAX + 1];
	ds_addr hnp;                   /* /64 from the HNP pool */
	ds_addr hoa4;                  /* IPv4 HoA, family DS_AF_NONE when none */
	bool bound;                    /* a binding exists (the fields below are valid) */
	ds_addr hoa;                   /* registered HoA */
	ds_addr coa;                   /* CoA (IPv6, or IPv4 with the NAT-observed port) */
	uint16_t last_seq;
	uint8_t tunnel;                /* enum ds_ha_tunnel_mode */
	ds_time expires;               /* binding expiry in engine time */
} ds_ha_alloc;

enum ds_ha_tunnel_mode {
	DS_HA_TUN_NONE = 0,
	DS_HA_TUN_IP6,    /* IPv6 CoA: IPv6-in-IPv6 / IPv4-in-IPv6 */
	DS_HA_TUN_IP4,    /* IPv4 CoA, no NAT, F=0: proto 41 / proto 4 */
	DS_HA_TUN_UDP4,   /* IPv4 CoA behind a NAT or forced: UDP 4191 */
};

enum ds_ha_ike_action {
	DS_HA_IKE_MOVE = 1,   /* BU with K=1 accepted from a new CoA: move the IKE SA peer there */
	DS_HA_IKE_DELETE,     /* binding gone (detach, revocation, expiry): INFORMATIONAL Delete */
	DS_HA_IKE_REDIRECT,   /* HA reallocation: redirect the UE to `addr` (RFC 5685) */
};

enum ds_ha_binding_reason {
	DS_HA_BIND_ADDED = 1, DS_HA_BIND_UPDATED, DS_HA_BIND_DEREG_HOME, DS_HA_BIND_DETACHED,
	DS_HA_BIND_EXPIRED, DS_HA_BIND_REVOKED,
};

typedef struct ds_ha_events {
	void *ctx;
	/* A binding was created, moved, refreshed or removed: routes for the HNP and the IPv4 HoA
	 * point into the tunnel (added/updated) or not (removed). */
	void (*binding)(void *ctx, const ds_ha_ue *u, enum ds_ha_binding_reason why,
			const ds_ha_alloc *a);
	/* An allocation changed and must be persisted (gone = true: delete the record). */
	void (*persist)(void *ctx, const ds_ha_alloc *a, bool gone);
	/* Drive the IKE responder for this UE. */
	void (*ike)(void *ctx, void *ike, enum ds_ha_ike_action action, const ds_addr *addr);
} ds_ha_events;

typedef struct ds_ha_config {
	ds_send_fn send;
	void *send_ctx;
	ds_ha_events ev;
	ds_logger log;
	ds_addr ha6;                 /* HA IPv6 address (signalling + tunnel endpoint) */
	ds_addr ha4;                 /* HA IPv4 address for IPv4-only accesses (may be unset) */
	ds_addr hnp_pool;            /* e.g. 2001:db8:1000::/36: /64 HNPs are carved out of it */
	ds_addr ipv4_pool;           /* e.g. 10.45.0.0/16: IPv4 HoAs */
	uint32_t hnp_lifetime_s;     /* prefix lifetime in MIP6_HOME_PREFIX, default 86400 */
	uint32_t max_lifetime_s;     /* largest granted binding lifetime, default 3600 */
	uint32_t refresh_advice_pct; /* Binding Refresh Advice share of the lifetime, 0 = not sent */
	bool force_udp;              /* always force UDP encapsulation for IPv4 CoAs (NAT Det. F=1) */
	uint32_t nat_refresh_s;      /* NAT Detection refresh time, 0 = default (110 s) */
	uint32_t bri_timeout_ms;     /* BRI first retransmission, default 1000 (RFC 5846 cl. 12) */
	uint32_t bri_retries;        /* BRI retransmissions, default 3 */
	uint32_t max_ues;            /* 0 = unlimited */
} ds_ha_config;

/* Reasons a received packet was dropped (index into ds_ha_counters.drop). */
enum ds_ha_drop {
	DS_HA_DROP_MALFORMED = 0,  /* IPv6/extension header/MH decode error */
	DS_HA_DROP_CHECKSUM,       /* MH checksum */
	DS_HA_DROP_NO_SA,          /* ESP SPI unknown */
	DS_HA_DROP_ESP,            /* ESP ICV, replay, padding */
	DS_HA_DROP_SELECTOR,       /* decrypted packet outside the SA's selectors (RFC 4301 cl. 5.2) */
	DS_HA_DROP_UNPROTECTED,    /* BU or BRA without ESP (RFC 4877 cl. 4.4) */
	DS_HA_DROP_NOT_HOME_REG,   /* anything but a home registration BU */
	DS_HA_DROP_BRA_UNMATCHED,  /* BRA without an outstanding BRI */
	DS_HA_DROP_TUN_NO_BINDING, /* PDN packet for an address without binding */
	DS_HA_DROP_TUN_SPOOF,      /* tunnelled packet not from the binding's CoA / HoA */
	DS_HA_DROP_RATE,           /* rate-limited */
	DS_HA_DROP__COUNT
};

typedef struct ds_ha_counters {
	uint64_t bu_received;
	uint64_t ba_sent, ba_status[256];        /* per BA status code */
	uint64_t ipv4_ack_status[256];           /* per IPv4 Address Acknowledgement status */
	uint64_t be_sent;                        /* Binding Error (unknown MH type, RFC 6275 cl. 9.2) */
	uint64_t nat_detected;
	uint64_t bri_sent, bri_retransmitted, bra_received, bri_timeouts;
	uint64_t bindings_added, bindings_removed, bindings_expired;
	uint64_t tun_encap, tun_decap;
	uint64_t drop[DS_HA_DROP__COUNT];
} ds_ha_counters;

ds_ha *ds_ha_new(const ds_ha_config *cfg);
void ds_ha_free(ds_ha *ha);

/* Prefix hook for the IKE responder (RFC 5026, R-13): the HNP of subscriber nai on apn, the
 * same one on every call (and after a restart, once restored). Creates the UE record. */
int ds_ha_assign_hnp(ds_ha *ha, const char *nai, const char *apn, ds_addr *hnp,
		     uint32_t *lifetime_s);
/* The IKE SA of (nai, apn) is authenticated and its MH CHILD_SA is up: the ESP SA pair (HA ->
 * HoA out, HoA -> HA in) is handed over; peer is the IKE peer address (first CoA). */
int ds_ha_ike_up(ds_ha *ha, const char *nai, const char *apn, void *ike, ds_esp_sa *sa_out,
		 ds_esp_sa *sa_in, const ds_addr *peer, ds_time now);
/* The IKE SA went away (Delete from the UE, DPD failure): the binding and allocations of that
 * PDN connection are released. */
int ds_ha_ike_down(ds_ha *ha, void *ike, ds_time now);
/* An IKE SA of (nai, apn) that never brought up its MH CHILD_SA went away (for example a
 * generic IKEv2 client, or a UE that failed before CREATE_CHILD_SA): the HNP allocated for it
 * in IKE_AUTH is released unless an IKE SA or a binding still uses it.
 * DS_OK, DS_E_NOTFOUND (no record) or DS_E_STATE (still in use). */
int ds_ha_release_unbound(ds_ha *ha, const char *nai, const char *apn, ds_time now);

/* The IKE SA handle of a UE changed (IKE SA rekeyed, RFC 7296 cl. 2.18): new_ike may be NULL
 * when the successor is not known yet (no IKE actions are requested until ds_ha_ike_up()). */
int ds_ha_ike_replace(ds_ha *ha, void *old_ike, void *new_ike);

/* A packet received from the network: DS_PKT_IP (IPv6 to the HA, IPv4/IPv6 tunnel from a CoA)
 * or DS_PKT_UDP (UDP 4191). */
void ds_ha_input(ds_ha *ha, const ds_pkt *pkt, ds_time now);
/* A packet from the PDN (TUN) for an HNP address or an IPv4 HoA: tunnelled to the CoA. */
void ds_ha_tun_input(ds_ha *ha, const uint8_t *pkt, size_t len, ds_time now);

ds_time ds_ha_next_timeout(const ds_ha *ha);
void ds_ha_on_timer(ds_ha *ha, ds_time now);

/* Operator commands. */
/* Network-initiated detach (A.6): BRI to the UE, retransmitted until the BRA, then IKE Delete. */
int ds_ha_revoke(ds_ha *ha, const char *nai, const char *apn, ds_time now);
/* HA reallocation: ask the IKE responder to redirect this UE to new_ha. */
int ds_ha_redirect(ds_ha *ha, const char *nai, const char *apn, const ds_addr *new_ha,
		   ds_time now);

/* Restore one persisted allocation (at start, before traffic). */
int ds_ha_restore(ds_ha *ha, const ds_ha_alloc *a, ds_time now);

/* Lookups and iteration (control socket, tests). */
const ds_ha_ue *ds_ha_find_hoa(const ds_ha *ha, const ds_addr *hoa);
const ds_ha_ue *ds_ha_find_hoa4(const ds_ha *ha, const ds_addr *hoa4);
const ds_ha_ue *ds_ha_find_ue(const ds_ha *ha, const char *nai, const char *apn);
void ds_ha_ue_alloc(const ds_ha_ue *u, ds_ha_alloc *out);
/* Calls fn for every UE record until it returns false. */
void ds_ha_foreach(const ds_ha *ha, bool (*fn)(void *ctx, const ds_ha_ue *u), void *ctx);
size_t ds_ha_ue_count(const ds_ha *ha);
size_t ds_ha_binding_count(const ds_ha *ha);
const ds_ha_counters *ds_ha_counters_get(const ds_ha *ha);
/* The configuration in use (defaults filled in). */
const ds_ha_config *ds_ha_config_get(const ds_ha *ha);

#endif
