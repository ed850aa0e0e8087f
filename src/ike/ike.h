/* IKEv2 engine (RFC 7296) for the S2c reference point: the UE is the initiator, the Home Agent
 * function of the PDN GW the responder (TS 24.303 cl. 5.1.2.2, TS 33.402, RFC 4877, RFC 5026).
 *
 * One ds_ike context per process role holds every IKE SA of that process, found in O(1) by SPI
 * (uthash) and by the inbound SPI of each ESP SA it negotiated. The engine is sans-I/O
 * (architecture "engine contract"): datagrams leave through cfg.send as DS_PKT_UDP on ports
 * 500 / 4500 (with the non-ESP marker on 4500, RFC 3948 cl. 2.2), received ones are fed to
 * ds_ike_input(), time is passed in, and everything the host must act on is an event.
 *
 * What one S2c bootstrap looks like (RFC 5026 cl. 5, TS 24.303 cl. 5.1.2.2):
 *   UE ds_ike_connect()  -> IKE_SA_INIT (NAT detection, REDIRECT_SUPPORTED)
 *                        -> IKE_AUTH: IDi = NAI (RFC822), IDr = APN (FQDN), no AUTH (EAP),
 *                           CP(CFG_REQUEST: MIP6_HOME_PREFIX, INTERNAL_IP6_ADDRESS[, IPv4]),
 *                           SAi2/TSi/TSr for protocol 135 in transport mode
 *   HA                   <- IDr, CERT, AUTH (certificate; PSK only in tests), EAP relayed to
 *                           cfg.eap, final AUTH from the MSK, CP(CFG_REPLY) with the HNP from
 *                           ev.assign_prefix
 *   both: ev.established; ev.child_up for the MH CHILD_SA
 *   UE ds_ike_create_child(HoA <-> HA, 135) once the HoA is known -> ev.child_up again.
 *
 * Callbacks are called from inside the engine's entry points; they must not call
 * ds_ike_input() or ds_ike_on_timer() of the same context (hosts queue), but may call the
 * command functions (delete, create_child, ...), which only queue work and send. */
#ifndef DSMIP6_IKE_IKE_H
#define DSMIP6_IKE_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/log.h"
#include "core/pkt.h"
#include "core/time.h"
#include "eap/eap_method.h"
#include "ipsec/esp.h"

#define DS_IKE_PORT 500
#define DS_IKE_NATT_PORT 4500
#define DS_IKE_ID_MAX 253     /* longest NAI / APN FQDN accepted in IDi / IDr */

typedef struct ds_ike ds_ike;
typedef struct ds_ike_sa ds_ike_sa;

enum ds_ike_role { DS_IKE_INITIATOR = 1, DS_IKE_RESPONDER = 2 };

/* IKE SA states (RFC 7296 cl. 1.2 .. 1.4), exported for status output. */
enum ds_ike_state {
	DS_IKE_ST_INIT_SENT = 1,  /* initiator: IKE_SA_INIT request out */
	DS_IKE_ST_INIT_DONE,      /* responder: IKE_SA_INIT answered, waiting for IKE_AUTH */
	DS_IKE_ST_AUTH,           /* IKE_AUTH in progress (EAP rounds) */
	DS_IKE_ST_ESTABLISHED,
	DS_IKE_ST_DELETING,       /* our Delete is out */
	DS_IKE_ST_CLOSED,         /* gone; freed after the close event returns */
};

/* Why an IKE SA ended (ev.closed). */
enum ds_ike_close_reason {
	DS_IKE_CLOSE_LOCAL = 1,      /* ds_ike_delete() (Delete exchange done or timed out) */
	DS_IKE_CLOSE_PEER_DELETE,    /* INFORMATIONAL Delete of the IKE SA from the peer */
	DS_IKE_CLOSE_TIMEOUT,        /* retransmissions exhausted: peer dead (RFC 7296 cl. 2.4) */
	DS_IKE_CLOSE_AUTH_FAILED,    /* AUTHENTICATION_FAILED either way, EAP failure */
	DS_IKE_CLOSE_NO_PROPOSAL,    /* NO_PROPOSAL_CHOSEN / no acceptable suite */
	DS_IKE_CLOSE_PEER_ERROR,     /* another error notify from the peer (see info.last_notify) */
	DS_IKE_CLOSE_PROTOCOL,       /* malformed or unexpected peer behaviour */
	DS_IKE_CLOSE_REDIRECTED,     /* RFC 5685 redirect followed (ev.redirected came first) */
	DS_IKE_CLOSE_REKEYED,        /* not reported: a rekeyed IKE SA keeps its handle (cl. 2.18) */
	DS_IKE_CLOSE_SHUTDOWN,       /* ds_ike_free() */
	DS_IKE_CLOSE_NOT_AUTHORIZED, /* responder: prefix hook or AAA refused the APN;
				      * initiator: the HA answered NO_APN_SUBSCRIPTION,
				      * AUTHORIZATION_REJECTED or PDN_CONNECTION_REJECTION */
};

/* Error notify types an IKE SA may end with (ds_ike_info.last_notify): RFC 7296 cl. 3.10.1
 * and the 3GPP private error types of TS 24.302 cl. 8.1.2.2 (Table 8.1.2.2-1), which the HA
 * sends only with cfg.notify_3gpp (R-18: S2c defaults to AUTHENTICATION_FAILED). */
enum ds_ike_notify_error {
	DS_IKE_N_NO_PROPOSAL_CHOSEN = 14,
	DS_IKE_N_AUTHENTICATION_FAILED = 24,
	DS_IKE_N_TEMPORARY_FAILURE = 43,
	DS_IKE_N_PDN_CONNECTION_REJECTION = 8192,
	DS_IKE_N_MAX_CONNECTION_REACHED = 8193,
	DS_IKE_N_NON_3GPP_ACCESS_TO_EPC_NOT_ALLOWED = 9000,
	DS_IKE_N_USER_UNKNOWN = 9001,
	DS_IKE_N_NO_APN_SUBSCRIPTION = 9002,
	DS_IKE_N_AUTHORIZATION_REJECTED = 9003,
	DS_IKE_N_ILLEGAL_ME = 9006,
	DS_IKE_N_NETWORK_FAILURE = 10500,
};

/* One cryptographic suite, IANA numbers (crypto.h). For AES-GCM integ is DS_INTEG_NONE. For an
 * ESP suite prf and dh are 0 (no PFS on the MH CHILD_SA unless dh is set). */
typedef struct ds_ike_suite {
	uint16_t encr;
	uint16_t encr_bits;   /* 128 or 256 */
	uint16_t integ;
	uint16_t prf;
	uint16_t dh;
} ds_ike_suite;

/* Signature seam for certificate authentication (RFC 7296 cl. 2.15 / RFC 7427). The glue
 * implements it over crypto/cert.h; the engine supplies the octets to sign or verify. */
typedef struct ds_ike_signer {
	void *ctx;
	uint8_t auth_method;           /* 1 RSA, 9/10/11 ECDSA, 14 digital signature (RFC 7427) */
	const uint8_t *cert_der;       /* end-entity certificate sent in the CERT payload */
	size_t cert_der_len;
	/* Sign `len` octets; *sig_len in: capacity, out: length. DS_OK or a ds_err. */
	int (*sign)(void *ctx, const uint8_t *octets, size_t len, uint8_t *sig, size_t *sig_len);
} ds_ike_signer;

typedef struct ds_ike_verifier {
	void *ctx;
	/* Check the peer certificate chain (certs[0] is the end entity, DER) against the trust
	 * anchors and the signature over `octets`. DS_OK or DS_E_AUTH. */
	int (*verify)(void *ctx, const uint8_t *const *certs, const size_t *cert_lens, size_t n,
		      uint8_t auth_method, const uint8_t *octets, size_t len, const uint8_t *sig,
		      size_t sig_len);
} ds_ike_verifier;

/* What an established IKE SA learned; also the per-SA status record. */
typedef struct ds_ike_info {
	uint64_t spi_i, spi_r;         /* IKE SPIs, host integers of the network-order values */
	uint8_t role;                  /* enum ds_ike_role */
	uint8_t state;                 /* enum ds_ike_state */
	char nai[DS_IKE_ID_MAX + 1];   /* IDi (ID_RFC822_ADDR) */
	char apn[DS_IKE_ID_MAX + 1];   /* IDr (ID_FQDN) */
	ds_addr local, remote;         /* current IKE endpoints, with ports */
	bool nat_local, nat_remote;    /* NAT detected in front of us / the peer (cl. 2.23) */
	bool has_hnp;                  /* MIP6_HOME_PREFIX (RFC 5026 cl. 4.2.1) */
	ds_addr hnp;                   /* prefix (plen set) */
	uint32_t hnp_lifetime_s;
	bool has_hoa6;                 /* INTERNAL_IP6_ADDRESS (RFC 7296 cl. 3.15.1) */
	ds_addr hoa6;                  /* address with plen */
	bool has_hoa4;                 /* INTERNAL_IP4_ADDRESS */
	ds_addr hoa4;
	ds_ike_suite suite;            /* negotiated IKE SA transforms */
	ds_time established_at;
	uint32_t children;             /* live CHILD_SAs */
	uint16_t last_notify;          /* last error notify received (0: none) */
	void *user;                    /* ds_ike_sa_set_user() */
} ds_ike_info;

/* A negotiated CHILD_SA: one inbound and one outbound ESP SA. The key pointers inside the
 * params are valid only during the callback; the host creates its ds_esp_sa objects from them
 * (ds_esp_sa_new copies the keys) and registers them in its SAD. params.owner is the ds_ike_sa. */
typedef struct ds_ike_child {
	ds_esp_sa_params in;           /* spi = our inbound SPI */
	ds_esp_sa_params out;          /* spi = the peer's inbound SPI */
	bool rekey;                    /* replaces the CHILD_SA whose inbound SPI is old_spi_in */
	uint32_t old_spi_in;
} ds_ike_child;

/* CP attributes the initiator requests (RFC 7296 cl. 3.15, RFC 5026 cl. 4.2.1). */
typedef struct ds_ike_cp_request {
	bool hnp;                      /* MIP6_HOME_PREFIX (16), empty: mandatory on S2c */
	bool ip6;                      /* INTERNAL_IP6_ADDRESS (8), empty */
	bool ip4;                      /* INTERNAL_IP4_ADDRESS (1), empty */
} ds_ike_cp_request;

/* Responder prefix hook answer: the HNP /64, its lifetime, optionally an IPv4 address. */
typedef struct ds_ike_assignment {
	ds_addr hnp;                   /* plen set */
	uint32_t lifetime_s;
	ds_addr hoa6;                  /* INTERNAL_IP6_ADDRESS to return (unset: HNP::IID not sent) */
	ds_addr hoa4;                  /* INTERNAL_IP4_ADDRESS to return (unset: none) */
} ds_ike_assignment;

typedef struct ds_ike_events {
	void *ctx;
	/* IKE_AUTH finished: the SA is authenticated both ways and info holds the CP results. */
	void (*established)(void *ctx, ds_ike_sa *sa, const ds_ike_info *info);
	/* A CHILD_SA pair is ready to install (IKE_AUTH child, CREATE_CHILD_SA, or a rekey). */
	void (*child_up)(void *ctx, ds_ike_sa *sa, const ds_ike_child *child);
	/* A CHILD_SA was deleted (either side) or replaced: remove the ESP SAs with these SPIs. */
	void (*child_down)(void *ctx, ds_ike_sa *sa, uint32_t spi_in, uint32_t spi_out);
	/* The IKE SA is gone (its CHILD_SAs went with it, without child_down events). The handle
	 * is invalid after the callback returns. */
	void (*closed)(void *ctx, ds_ike_sa *sa, int reason, const ds_ike_info *info);
	/* Initiator: the gateway redirected us (RFC 5685 cl. 5/6). new_gw has the address (port 500)
	 * or family DS_AF_NONE with fqdn set. The host connects again with redirected_from set. */
	void (*redirected)(void *ctx, ds_ike_sa *sa, const ds_addr *new_gw, const char *fqdn);
	/* Responder, IKE_AUTH after EAP success (RFC 5026, R-13): the prefix of (nai, apn), stable
	 * per subscriber and APN. DS_OK, or DS_E_NOTFOUND / DS_E_AUTH for an APN not allowed (the
	 * exchange then fails with AUTHENTICATION_FAILED, R-18), DS_E_EXHAUSTED (pool full). */
	int (*assign_prefix)(void *ctx, const char *nai, const char *apn, ds_ike_assignment *out);
	/* Responder, optional: at IKE_SA_INIT from a client that supports redirect, return true and
	 * fill new_gw to redirect it (RFC 5685 cl. 5, gateway selection / load balancing). */
	bool (*redirect_at_init)(void *ctx, const ds_addr *peer, ds_addr *new_gw);
	/* Optional: pick a new inbound ESP SPI unique in the host SAD (ds_sad_alloc_spi). When NULL
	 * the engine draws random SPIs unique among the SAs it knows. */
	int (*alloc_spi)(void *ctx, uint32_t *spi);
	/* Optional key log line (Wireshark ikev2_decryption_table / ikev2 key log format); called
	 * only when cfg.keylog is true. */
	void (*keylog)(void *ctx, const char *line);
	/* Responder, optional: after the client is authenticated (its AUTH, after EAP the MSK
	 * AUTH, verified), return true and fill new_gw to redirect it in the last IKE_AUTH
	 * response (RFC 5685 cl. 6), e.g. when the AAA names another PDN GW. Only for clients
	 * that announced redirect support. No prefix is assigned, no CHILD_SA made and no
	 * `established` is reported; the SA ends with DS_IKE_CLOSE_REDIRECTED once the client
	 * deletes it (or after half_open_timeout). */
	bool (*redirect_at_auth)(void *ctx, const char *nai, const char *apn, const ds_addr *peer,
				 ds_addr *new_gw);
	/* Responder, optional: on the first IKE_AUTH request of an EAP client, before EAP starts,
	 * return true to redirect on the (not yet authenticated) NAI / APN (RFC 5685 cl. 6, EAP
	 * case): the first response carries the HA's AUTH and REDIRECT, no IKE SA is created; the
	 * state ends with DS_IKE_CLOSE_REDIRECTED after half_open_timeout. */
	bool (*redirect_at_identity)(void *ctx, const char *nai, const char *apn,
				     const ds_addr *peer, ds_addr *new_gw);
} ds_ike_events;

typedef struct ds_ike_config {
	uint8_t role;                  /* enum ds_ike_role */
	ds_send_fn send;
	void *send_ctx;
	ds_ike_events ev;
	ds_logger log;
	/* IKE SA suites in preference order (NULL: AES-GCM-16-256/PRF-SHA384/X25519, AES-GCM-16-128
	 * /PRF-SHA256/ECP-256, AES-CBC-256+SHA256-128/PRF-SHA256/MODP-2048, ...). */
	const ds_ike_suite *ike_suites;
	size_t n_ike_suites;
	const ds_ike_suite *esp_suites;   /* CHILD_SA suites (NULL: GCM-128, CBC-128+SHA256-128) */
	size_t n_esp_suites;
	/* Responder authentication: signer (certificate, R-13) or psk (tests only). */
	const ds_ike_signer *signer;
	const uint8_t *psk;
	size_t psk_len;
	/* Responder: where EAP goes (embedded EAP-AKA server or RADIUS relay). */
	ds_eap_backend eap;
	/* Initiator: checks the responder's AUTH (certificate); NULL with psk set: PSK check. */
	const ds_ike_verifier *verifier;
	/* Limits and timers (0 = default). */
	uint32_t max_sas;              /* refuse new SAs beyond this (default 1,000,000) */
	uint32_t cookie_threshold;     /* half-open SAs before cookies are required (default 1000) */
	uint32_t half_open_max;        /* hard cap on half-open SAs (default 10 * threshold) */
	ds_time retransmit_base;       /* first retransmission after (default 1 s), doubles */
	uint32_t retransmit_tries;     /* retransmissions before giving up (default 6) */
	ds_time half_open_timeout;     /* responder forgets half-open SAs after (default 30 s) */
	ds_time cookie_rotate;         /* a new cookie secret after (default 5 min, cl. 2.6) */
	ds_time ike_lifetime;          /* rekey the IKE SA after this long (0 = never); the
					* responder role waits 5 % longer so the UE goes first */
	ds_time child_lifetime;        /* the initiator rekeys CHILD_SAs after (0 = never) */
	ds_time dpd_interval;          /* liveness check after this long without a message from
					* the peer (0 = off); failure closes with TIMEOUT */
	/* RFC 7383 fragmentation: offered / accepted when set; protected messages whose IP
	 * datagram would exceed frag_mtu (0: 1280 over IPv6, 576 over IPv4, cl. 2.5.1) are sent
	 * as SKF fragments. Reassembly keeps at most frag_mem_max octets per context (default
	 * 16 MiB) and forgets an incomplete message after frag_timeout (default: the time a
	 * request is retransmitted before giving up, cl. 2.6). */
	uint16_t frag_mtu;
	bool fragmentation;
	size_t frag_mem_max;
	ds_time frag_timeout;
	bool force_natt;               /* initiator: float to 4500 even without NAT (cl. 2.23) */
	/* Responder: name the cause of a refused IKE_AUTH with the TS 24.302 cl. 8.1.2.2 types
	 * (unknown user: USER_UNKNOWN, APN not subscribed or refused: NO_APN_SUBSCRIPTION, AAA
	 * or database failure: NETWORK_FAILURE) instead of AUTHENTICATION_FAILED. Off by default:
	 * TS 24.303 does not ask for them on S2c; for UEs that share ePDG code. */
	bool notify_3gpp;
	bool keylog;                   /* emit ev.keylog lines (off by default) */
} ds_ike_config;

/* Initiator: parameters of one IKE SA towards a HA. */
typedef struct ds_ike_connect_params {
	ds_addr local;                 /* our address; port 0 = 500 */
	ds_addr remote;                /* HA address; port 0 = 500 */
	const char *nai;               /* IDi */
	const char *apn;               /* IDr */
	ds_eap_peer *eap;              /* EAP-AKA peer; NULL: IKE_AUTH by PSK (tests only). On
					* success the IKE SA owns it (freed with the SA). */
	const ds_eap_peer_ops *eap_ops;
	ds_ike_cp_request cp;
	const ds_addr *redirected_from;/* RFC 5685 cl. 6: the gateway that redirected us */
	/* Selectors of the IKE_AUTH CHILD_SA: proto 135 between local_inner and remote_inner
	 * (unset: our outer address / the HA address, RFC 5026 bootstrap before the HoA exists). */
	ds_addr child_local, child_remote;
	bool no_child;                 /* do not ask for a CHILD_SA in IKE_AUTH */
	void *user;
} ds_ike_connect_params;

/* CHILD_SA request (RFC 5026 cl. 5: transport-mode ESP for MH between the HoA and the HA). */
typedef struct ds_ike_child_params {
	ds_addr local;                 /* HoA (plen 128 implied) */
	ds_addr remote;                /* HA address */
	uint8_t proto;                 /* 135 (MH); 0 = any */
	uint8_t mode;                  /* DS_ESP_TRANSPORT (default when 0) or DS_ESP_TUNNEL */
} ds_ike_child_params;

typedef struct ds_ike_counters {
	uint64_t rx, tx, retransmits;
	uint64_t rx_malformed;         /* codec errors, bad SK, bad lengths: dropped */
	uint64_t rx_unknown_spi;       /* no IKE SA for the SPIs */
	uint64_t rx_auth_failed;       /* SK integrity failures (cl. 3.14) */
	uint64_t rx_duplicates;        /* retransmitted requests answered from cache */
	uint64_t rx_out_of_window;     /* message ID outside the window (cl. 2.3) */
	uint64_t cookies_sent, cookie_rejects;
	uint64_t half_open_dropped;    /* over half_open_max */
	uint64_t invalid_ke_sent, invalid_ke_received;
	uint64_t no_proposal;
	uint64_t sa_established, sa_failed, sa_closed, sa_timeouts;
	uint64_t auth_failures;
	uint64_t children_created, children_deleted;
	uint64_t rekeys_ike, rekeys_child;
	uint64_t redirects_sent, redirects_received;
	uint64_t fragments_tx, fragments_rx, reassembled;
	uint64_t unsupported_critical; /* UNSUPPORTED_CRITICAL_PAYLOAD answered */
	uint64_t eap_rounds;
	uint64_t sas_current, half_open_current;
} ds_ike_counters;

/* Create a context. NULL on bad config or allocation failure; *err (may be NULL) says why. */
ds_ike *ds_ike_new(const ds_ike_config *cfg, int *err);
/* Closes every SA (ev.closed with DS_IKE_CLOSE_SHUTDOWN, nothing sent) and frees. */
void ds_ike_free(ds_ike *ike);

/* A UDP datagram for port 500 or 4500 (on 4500 the payload starts with the non-ESP marker;
 * keepalives and ESP are the host's business). Bad input is counted and dropped. */
void ds_ike_input(ds_ike *ike, const ds_pkt *pkt, ds_time now);
ds_time ds_ike_next_timeout(const ds_ike *ike);
void ds_ike_on_timer(ds_ike *ike, ds_time now);

/* ---- initiator (UE) ---- */
ds_ike_sa *ds_ike_connect(ds_ike *ike, const ds_ike_connect_params *p, ds_time now, int *err);
/* RFC 5555 cl. 5.1 / RFC 4877: after a BA with K=1 the IKE SA runs between new endpoints; the
 * initiator then sends an empty INFORMATIONAL from the new address. Either may be NULL. The
 * responder uses it for the HA side (DS_HA_IKE_MOVE): endpoints only, nothing sent. */
int ds_ike_update_peer(ds_ike_sa *sa, const ds_addr *local, const ds_addr *remote, ds_time now);
/* CREATE_CHILD_SA for a new transport-mode CHILD_SA (RFC 5026 cl. 5, after the HoA exists). */
int ds_ike_create_child(ds_ike_sa *sa, const ds_ike_child_params *p, ds_time now);

/* ---- both roles ---- */
/* INFORMATIONAL Delete of the IKE SA; ev.closed follows (answer or timeout). */
int ds_ike_delete(ds_ike_sa *sa, ds_time now);
/* INFORMATIONAL Delete of one CHILD_SA by our inbound SPI. */
int ds_ike_delete_child(ds_ike_sa *sa, uint32_t spi_in, ds_time now);
/* Liveness check: empty INFORMATIONAL (RFC 7296 cl. 2.4); failure closes with TIMEOUT. */
int ds_ike_liveness(ds_ike_sa *sa, ds_time now);
/* Rekey the IKE SA (cl. 1.3.2, 2.18), either role: CREATE_CHILD_SA with a new DH exchange,
 * then the Delete of the old IKE SA. The ds_ike_sa handle survives: it takes the new SPIs and
 * keys and keeps its CHILD_SAs and user pointer; no event is reported (ds_ike_sa_info shows
 * the new SPIs, the key log gets a line for the new SA). A refused or colliding rekey is
 * retried later (cl. 2.25). Rekey a CHILD_SA (cl. 2.8, spi_in = our inbound SPI): new pair,
 * then Delete of the old one. */
int ds_ike_rekey(ds_ike_sa *sa, ds_time now);
int ds_ike_rekey_child(ds_ike_sa *sa, uint32_t spi_in, ds_time now);

/* ---- responder (HA) ---- */
/* RFC 5685 cl. 5: redirect an established client (INFORMATIONAL with REDIRECT); only for
 * clients that sent REDIRECT_SUPPORTED (DS_E_STATE otherwise). */
int ds_ike_redirect(ds_ike_sa *sa, const ds_addr *new_gw, ds_time now);

/* ---- lookups and status ---- */
ds_ike_sa *ds_ike_find(const ds_ike *ike, uint64_t spi_i, uint64_t spi_r);
/* The IKE SA that negotiated the ESP SA with this inbound (our) SPI, O(1). */
ds_ike_sa *ds_ike_find_by_esp_spi(const ds_ike *ike, uint32_t spi_in);
void ds_ike_sa_info(const ds_ike_sa *sa, ds_ike_info *out);
void ds_ike_sa_set_user(ds_ike_sa *sa, void *user);
void *ds_ike_sa_user(const ds_ike_sa *sa);
/* Visit every SA (status output); fn must not delete. */
void ds_ike_foreach(const ds_ike *ike, void (*fn)(void *ctx, const ds_ike_sa *sa), void *ctx);
const ds_ike_counters *ds_ike_get_counters(const ds_ike *ike);

#endif
