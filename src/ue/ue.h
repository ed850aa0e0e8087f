/* UE role engine (mobile node, TS 24.303): one state machine per PDN connection, sans-I/O.
 *
 * For every PDN connection the engine runs, in order (TS 24.303 cl. 5.1.1): HA discovery
 * (static addresses or DNS "lookup by HA name" on the TS 23.003 cl. 21.2 HA-APN), IKEv2
 * bootstrapping (RFC 5026 / RFC 4877: IKE SA, MIP6_HOME_PREFIX, CHILD_SA protecting the
 * Mobility Header), home link detection (cl. 5.1.2.3), then home registration (Annex A.2),
 * re-registration (A.3), handover (cl. 5.2), and UE- or network-initiated detach (A.5 / A.6).
 *
 * The engine never performs I/O. Datagrams leave through cfg.send (DS_PKT_IP: a whole IPv6 or
 * IPv4 packet for a raw socket; DS_PKT_UDP: RFC 5555 UDP 4191 payloads; DS_PKT_TUN: a decapsulated
 * inner packet for the local TUN device); everything else the host must do (configure an
 * address, switch the tunnel mode, resolve a name, drive the IKE SA) is an event in
 * ds_ue_events. Hosts feed received packets with ds_ue_input(), TUN packets with
 * ds_ue_tun_input(), and call ds_ue_on_timer() at ds_ue_next_timeout().
 *
 * IKE seam: the IKEv2 initiator (src/ike) runs beside this engine in the same host. The engine
 * asks for IKE actions through ds_ue_events.ike (start towards an HA, move to a new CoA after a
 * BA with K=1, delete, follow a redirect) and learns the result through ds_ue_ike_up(),
 * ds_ue_ike_redirected(), ds_ue_ike_deleted() and ds_ue_ike_failed(). The transport-mode ESP SA
 * pair protecting MH (RFC 4877 cl. 4.2) is handed over in ds_ue_ike_up() and owned by the
 * engine from then on. */
#ifndef DSMIP6_UE_UE_H
#define DSMIP6_UE_UE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/log.h"
#include "core/pkt.h"
#include "core/time.h"
#include "ipsec/esp.h"

typedef struct ds_ue ds_ue;
typedef uint32_t ds_pdn_id;            /* handle of one PDN connection; 0 = none */

/* Longest HA-APN FQDN (TS 23.003 cl. 21.2: at most 100 octets) and APN (TS 23.003 cl. 9.1). */
#define DS_UE_FQDN_MAX 100
#define DS_UE_APN_MAX 100
#define DS_UE_NAI_MAX 253

/* State of one PDN connection. */
enum ds_ue_pdn_state {
	DS_UE_PDN_DISCOVERING = 1,  /* waiting for the DNS answer for the HA-APN */
	DS_UE_PDN_IKE,              /* IKE SA being established (or re-established) */
	DS_UE_PDN_AT_HOME,          /* IKE SA up, on the home link: no binding (cl. 5.1.2.3) */
	DS_UE_PDN_REGISTERING,      /* BU sent, waiting for the BA (initial or handover) */
	DS_UE_PDN_REGISTERED,       /* binding accepted, tunnel up, refresh timer running */
	DS_UE_PDN_RETURNING_HOME,   /* de-registration BU from the home link (cl. 5.2, scenario B) */
	DS_UE_PDN_DETACHING,        /* lifetime-0 BU sent (A.5), waiting for the BA */
	DS_UE_PDN_DETACHED,         /* gone; the handle stays valid until ds_ue_pdn_remove() */
	DS_UE_PDN_FAILED,           /* attach failed (BA status >= 128, IKE failure, timeout) */
};

/* Kind of access the UE currently uses. */
enum ds_ue_access_kind {
	DS_UE_ACCESS_NONE = 0,
	DS_UE_ACCESS_HOME,   /* 3GPP access anchored at the PDN GW: the home link (cl. 5.1.2.3) */
	DS_UE_ACCESS_IPV6,   /* a foreign link with an IPv6 CoA (and maybe also IPv4) */
	DS_UE_ACCESS_IPV4,   /* an IPv4-only foreign link (RFC 5555): BU in UDP 4191 */
};

typedef struct ds_ue_access {
	uint8_t kind;        /* ds_ue_access_kind */
	ds_addr coa6;        /* IPv6 CoA (DS_UE_ACCESS_IPV6) */
	ds_addr coa4;        /* local IPv4 address (DS_UE_ACCESS_IPV4) */
	/* Prefixes advertised on the link (RA) or of the 3GPP PDN connection, for home link
	 * detection: if one equals a PDN's HNP that PDN is at home. */
	ds_addr link_prefix[4];
	uint8_t n_link_prefix;
	bool force_udp;      /* ask the HA to force UDP encapsulation (BU F=1, RFC 5555 cl. 3.3) */
} ds_ue_access;

/* Tunnel mode towards the HA, chosen from the CoA type and the BA. */
enum ds_ue_tunnel_mode {
	DS_UE_TUN_NONE = 0,  /* at home or not registered: native routing */
	DS_UE_TUN_IP6,       /* outer IPv6 CoA <-> HA (IPv6-in-IPv6 proto 41, IPv4-in-IPv6 proto 4) */
	DS_UE_TUN_IP4,       /* outer IPv4 CoA <-> HA (proto 41 / proto 4), no NAT, not forced */
	DS_UE_TUN_UDP4,      /* outer IPv4 + UDP 4191 (NAT detected or forced), no TLV header */
};

typedef struct ds_ue_pdn_config {
	char apn[DS_UE_APN_MAX + 1];   /* APN Network Identifier, e.g. "internet" (IDr of the IKE SA) */
	bool discover;                 /* true: DNS lookup of the HA-APN; false: ha6/ha4 below */
	ds_addr ha6;                   /* static HA IPv6 address (either may be unset) */
	ds_addr ha4;                   /* static HA IPv4 address */
	bool want_ipv4_hoa;            /* request an IPv4 HoA (A.2, IPv4 HoA option 0.0.0.0) */
	ds_addr ipv4_hoa_keep;         /* IPv4 address in use over 3GPP access to keep */
	uint16_t lifetime_s;           /* requested binding lifetime in seconds (0: engine default) */
	bool has_initial_seq;          /* continue a sequence number space (e.g. kept across a */
	uint16_t initial_seq;          /* restart): the first BU uses initial_seq + 1 */
} ds_ue_pdn_config;

/* What the IKE initiator reports once the IKE SA and the MH CHILD_SA are up (R-11..R-14). */
typedef struct ds_ue_ike_info {
	void *ike;                     /* host's handle of the IKE SA (opaque to the engine) */
	ds_addr hnp;                   /* MIP6_HOME_PREFIX value (plen set) */
	uint32_t hnp_lifetime_s;       /* prefix lifetime from MIP6_HOME_PREFIX (0xffffffff = infinite) */
	ds_addr ha6;                   /* the HA IPv6 address signalling is sent to (inner dst) */
	ds_addr ha4;                   /* the HA IPv4 address, if known (IPv4-only access) */
	ds_esp_sa *sa_out;             /* transport SA HoA -> HA, proto 135; ownership passes */
	ds_esp_sa *sa_in;              /* transport SA HA -> HoA, proto 135; ownership passes */
} ds_ue_ike_info;

enum ds_ue_ike_action {
	DS_UE_IKE_START = 1,   /* establish an IKE SA from `local` to `ha` for the PDN's APN */
	DS_UE_IKE_MOVE,        /* BA with K=1 accepted: the IKE SA now runs from `local` (RFC 5555 cl. 5.1) */
	DS_UE_IKE_DELETE,      /* detach finished: INFORMATIONAL Delete, then forget the IKE SA */
};

/* A UE decision, for logs and the simulator (status is the BA/BRA status where relevant). */
enum ds_ue_pdn_event {
	DS_UE_EV_STATE = 1,
	DS_UE_EV_BA_REJECTED,      /* status >= 128 other than 135: attach failed */
	DS_UE_EV_IPV4_HOA_REJECTED,/* IPv4 Address Ack status >= 128 */
	DS_UE_EV_TIMEOUT,          /* retransmissions exhausted */
	DS_UE_EV_REVOKED,          /* network-initiated detach (BRI or bare IKE Delete) */
};

typedef struct ds_ue_events {
	void *ctx;
	/* PDN connection changed state (pdn_event says why; status = BA status when relevant). */
	void (*pdn_state)(void *ctx, ds_pdn_id pdn, enum ds_ue_pdn_state st, int pdn_event,
			  int status);
	/* Configure (add = true) or remove the IPv6 HoA (hoa, with the HNP length) and the IPv4
	 * HoA (hoa4, family DS_AF_NONE when none) on the TUN device / home interface. A removal
	 * with hoa->family == DS_AF_NONE removes the IPv4 HoA only. */
	void (*hoa)(void *ctx, ds_pdn_id pdn, bool add, const ds_addr *hoa, const ds_addr *hoa4);
	/* Tunnel towards the HA changed: mode, local outer address and HA outer address (ports set
	 * for DS_UE_TUN_UDP4: the NAT keepalive and data use UDP 4191). */
	void (*tunnel)(void *ctx, ds_pdn_id pdn, enum ds_ue_tunnel_mode mode, const ds_addr *local,
		       const ds_addr *ha);
	/* Resolve fqdn for both AAAA and A; answer with ds_ue_dns_answer(). */
	void (*dns_query)(void *ctx, ds_pdn_id pdn, const char *fqdn);
	/* Drive the IKE initiator for this PDN (see enum ds_ue_ike_action). */
	void (*ike)(void *ctx, ds_pdn_id pdn, enum ds_ue_ike_action action, void *ike,
		    const ds_addr *local, const ds_addr *ha);
} ds_ue_events;

typedef struct ds_ue_config {
	ds_send_fn send;
	void *send_ctx;
	ds_ue_events ev;
	ds_logger log;
	uint8_t iid[8];              /* interface identifier for HoA = HNP | IID */
	bool iid_is_link_local;      /* L bit: the HoA IID equals the link-local one (A.2) */
	char mcc[4], mnc[4];         /* PLMN of the HA-APN Operator Identifier (2- or 3-digit MNC) */
	uint16_t default_lifetime_s; /* requested lifetime when the PDN gives none (default 3600) */
	uint32_t first_reg_timeout_ms;  /* InitialBindackTimeoutFirstReg, default 1500 (RFC 6275 cl. 13) */
	uint32_t initial_timeout_ms;    /* INITIAL_BINDACK_TIMEOUT, default 1000 (RFC 6275 cl. 12) */
	uint32_t max_timeout_ms;        /* MAX_BINDACK_TIMEOUT, default 32000 */
	uint32_t max_retransmits;       /* retransmissions before giving up, default 8 */
	uint32_t nat_keepalive_s;       /* NATKATIMEOUT, default 110 (RFC 5555 cl. 4.2.2) */
	uint8_t refresh_percent;        /* refresh at this share of the granted lifetime, default 85 */
} ds_ue_config;

typedef struct ds_ue_counters {
	uint64_t bu_sent, bu_retransmitted, bu_rate_limited;
	uint64_t ba_received, ba_status[256];   /* per BA status code */
	uint64_t ba_unexpected;                 /* no matching BU outstanding, sequence mismatch */
	uint64_t bri_received, bri_unprotected, bra_sent;
	uint64_t drop_malformed, drop_no_sa, drop_esp, drop_selector, drop_not_from_ha;
	uint64_t tun_encap, tun_decap, tun_drop;
	uint64_t nat_keepalives;
	uint64_t be_sent, be_rate_limited;      /* Binding Errors (RFC 6275 cl. 9.2, 9.3.3) */
} ds_ue_counters;

/* Create / destroy. NULL on a bad configuration or allocation failure. */
ds_ue *ds_ue_new(const ds_ue_config *cfg);
void ds_ue_free(ds_ue *ue);

/* Add a PDN connection and start its procedures on the current access. Returns the
 * handle or 0 (err tells why, may be NULL). */
ds_pdn_id ds_ue_pdn_add(ds_ue *ue, const ds_ue_pdn_config *pc, ds_time now, int *err);
/* UE-initiated detach of one PDN connection (A.5): lifetime-0 BU, then IKE Delete. */
int ds_ue_pdn_detach(ds_ue *ue, ds_pdn_id pdn, ds_time now);
/* Give back the IPv4 HoA only (TS 23.402 / A.3, R-47): a re-registration without the IPv4
 * Home Address option; the IPv6 binding stays. DS_E_STATE when not registered with one. */
int ds_ue_pdn_release_ipv4(ds_ue *ue, ds_pdn_id pdn, ds_time now);
/* Forget a PDN connection in state DETACHED or FAILED. */
int ds_ue_pdn_remove(ds_ue *ue, ds_pdn_id pdn);

/* The access changed (new CoA, IPv4-only access, NAT, home link): home link detection is run
 * again for every PDN connection and the matching handover procedure starts (R-21, cl. 5.2). */
int ds_ue_access_change(ds_ue *ue, const ds_ue_access *acc, ds_time now);

/* Answer to a dns_query event: the AAAA and A results (either list may be empty). n6 = n4 = 0
 * means the lookup failed. */
int ds_ue_dns_answer(ds_ue *ue, ds_pdn_id pdn, const ds_addr *a6, size_t n6, const ds_addr *a4,
		     size_t n4, ds_time now);

/* IKE seam (see the header comment). */
int ds_ue_ike_up(ds_ue *ue, ds_pdn_id pdn, const ds_ue_ike_info *info, ds_time now);
int ds_ue_ike_failed(ds_ue *ue, ds_pdn_id pdn, ds_time now);
/* IKEv2 redirect (RFC 5685, R-60): restart bootstrapping towards new_ha. */
int ds_ue_ike_redirected(ds_ue *ue, ds_pdn_id pdn, const ds_addr *new_ha, ds_time now);
/* Redirect to a gateway named by FQDN (RFC 5685 cl. 4.2, GW Ident Type 3): the name is resolved
 * through the dns_query event like an HA-APN, then bootstrapping restarts. */
int ds_ue_ike_redirected_fqdn(ds_ue *ue, ds_pdn_id pdn, const char *fqdn, ds_time now);
/* The peer deleted the IKE SA (a bare IKE Delete is a network-initiated detach, R-55). */
int ds_ue_ike_deleted(ds_ue *ue, ds_pdn_id pdn, ds_time now);

/* A packet received from the network: DS_PKT_IP (IPv6 with RH2/ESP/MH, or an IPv6/IPv4 tunnel
 * packet from the HA) or DS_PKT_UDP (UDP 4191 from the HA). */
void ds_ue_input(ds_ue *ue, const ds_pkt *pkt, ds_time now);
/* A packet read from the TUN device: encapsulated towards the HA of the PDN owning its source
 * address, in the current tunnel mode. */
void ds_ue_tun_input(ds_ue *ue, const uint8_t *pkt, size_t len, ds_time now);

ds_time ds_ue_next_timeout(const ds_ue *ue);
void ds_ue_on_timer(ds_ue *ue, ds_time now);

/* Inspection (control socket, tests). */
enum ds_ue_pdn_state ds_ue_pdn_state_of(const ds_ue *ue, ds_pdn_id pdn);
typedef struct ds_ue_pdn_status {
	enum ds_ue_pdn_state state;
	char apn[DS_UE_APN_MAX + 1];
	ds_addr hnp, hoa, hoa4, coa, ha;   /* ha: the HA address the current access uses */
	ds_addr ha6, ha4;            /* both HA addresses known for this PDN connection */
	enum ds_ue_tunnel_mode tunnel;
	uint16_t last_seq;           /* last sequence number sent */
	uint32_t granted_lifetime_s;
	ds_time refresh_at;          /* next re-registration or DS_TIME_NEVER */
	bool nat;                    /* NAT Detection option received */
} ds_ue_pdn_status;
int ds_ue_pdn_status_get(const ds_ue *ue, ds_pdn_id pdn, ds_ue_pdn_status *out);
const ds_ue_counters *ds_ue_counters_get(const ds_ue *ue);

#endif
