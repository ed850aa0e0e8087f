/* Internal state of the IKEv2 engine shared by its source files (not a public header). */
#ifndef DSMIP6_IKE_INT_H
#define DSMIP6_IKE_INT_H

#include <uthash.h>

#include "core/log.h"
#include "core/timerq.h"
#include "crypto/crypto.h"
#include "ike/ike.h"
#include "ike/ike_keys.h"
#include "ike/ike_msg.h"

#define IKE_MSG_MAX DS_PKT_MAX
#define IKE_MAX_SUITES 16
#define IKE_MAX_OPS 8
#define IKE_ID_BODY_MAX (4 + DS_IKE_ID_MAX)
#define IKE_FRAG_MAX 64             /* RFC 7383: fragments per message we send or accept */

/* One fragmented message being reassembled (RFC 7383 cl. 2.6), allocated on its first
 * authenticated fragment. */
typedef struct ike_reasm {
	uint32_t mid;
	uint16_t total, have;
	uint8_t first_np;
	size_t bytes;
	ds_time expires;
	uint8_t *chunk[IKE_FRAG_MAX];   /* decrypted contents by Fragment Number - 1 */
	size_t len[IKE_FRAG_MAX];
} ike_reasm;

/* One established CHILD_SA (a pair of ESP SAs), indexed by our inbound SPI. */
typedef struct ike_child {
	UT_hash_handle hh;
	struct ike_child *next;
	ds_ike_sa *sa;
	uint32_t spi_in, spi_out;
	uint8_t mode;
	ds_ike_suite suite;
	ike_ts tsi, tsr;
	ds_time created;
	bool rekey_queued;          /* lifetime rekey requested */
} ike_child;

/* A CHILD_SA negotiation we started (IKE_AUTH child or CREATE_CHILD_SA). */
typedef struct ike_child_neg {
	bool active;
	uint32_t spi_in;
	uint8_t mode;
	ike_ts tsi, tsr;            /* our proposal, from the initiator's point of view */
	uint8_t nonce[IKE_NONCE_LEN];
	uint32_t rekey_spi;         /* our inbound SPI of the CHILD_SA being rekeyed, 0 if new */
} ike_child_neg;

/* An IKE SA rekey we started (cl. 1.3.2, 2.18): our new SPI, DH share and nonce. */
typedef struct ike_rekey_neg {
	bool active;
	uint64_t spi;               /* our SPI of the new IKE SA (the initiator SPI) */
	ds_dh *dh;
	uint16_t group;
	uint8_t ke_rounds;          /* INVALID_KE_PAYLOAD retries */
	uint8_t nonce[IKE_NONCE_LEN];
} ike_rekey_neg;

/* Requests waiting for the window (RFC 7296 cl. 2.3: we keep window size 1). */
enum ike_op_kind {
	IKE_OP_CREATE_CHILD = 1, IKE_OP_REKEY_CHILD, IKE_OP_DELETE_CHILD, IKE_OP_DELETE_IKE,
	IKE_OP_LIVENESS, IKE_OP_REDIRECT, IKE_OP_REKEY_IKE,
};
typedef struct ike_op {
	uint8_t kind;
	uint32_t spi;
	ds_ike_child_params child;
	ds_addr addr;
} ike_op;

/* Key for half-open IKE SAs of the responder: the initiator's SPI and address (cl. 2.1,
 * retransmitted IKE_SA_INIT requests must find the same state). */
typedef struct ike_init_key {
	uint64_t spi_i;
	uint8_t ip[16];
	uint16_t port;
	uint8_t family;
	uint8_t pad;
} ike_init_key;

struct ds_ike_sa {
	UT_hash_handle hh;          /* ike->by_spi, key spi_local */
	UT_hash_handle hh_init;     /* ike->by_init (responder, half-open) */
	ike_init_key init_key;
	bool in_init_hash;
	ds_ike *ike;
	ds_timer timer;
	uint64_t spi_local;
	bool initiator;             /* our role: we initiated the first IKE SA (the UE) */
	bool orig_i;                /* original initiator of the current IKE SA (I flag, cl. 2.2:
				     * after a rekey, whoever initiated the rekey) */
	bool shadow;                /* the old IKE SA after a rekey: only answers or sends the
				     * Delete, then vanishes without events (cl. 2.18) */
	uint8_t state;
	uint64_t spi_i, spi_r;
	ds_addr local, remote;
	bool natt, nat_local, nat_remote;
	ds_ike_suite suite;
	ds_dh *dh;
	uint16_t dh_group;
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
	uint8_t cookie[IKE_COOKIE_MAX];
	uint8_t cookie_rounds, ke_rounds;
	size_t cookie_len;
	ike_keys k;
	bool have_keys;
	ds_cipher *c_out, *c_in;
	uint64_t iv_ctr;
	uint8_t *msg1, *msg2;       /* IKE_SA_INIT request / response, for the AUTH octets */
	size_t msg1_len, msg2_len;
	char nai[DS_IKE_ID_MAX + 1], apn[DS_IKE_ID_MAX + 1];
	uint8_t idi[IKE_ID_BODY_MAX], idr[IKE_ID_BODY_MAX];
	size_t idi_len, idr_len;
	/* our requests */
	uint32_t req_mid;
	uint8_t *req;
	size_t req_len;
	uint8_t req_exch;
	bool req_out;
	uint32_t req_tries;
	ds_time req_at;
	ike_op ops[IKE_MAX_OPS];
	ike_op ops_inflight;        /* the INFORMATIONAL request outstanding */
	size_t n_ops;
	/* peer requests */
	uint32_t peer_mid;
	uint8_t *resp;
	size_t resp_len;
	bool resp_valid;
	/* authentication */
	ds_eap_peer *eap_peer;
	const ds_eap_peer_ops *eap_ops;
	ds_eap_session *eap_sess;
	bool eap_wait;              /* responder: back end has the request */
	bool eap_mode;
	bool eap_success;
	bool auth_peer_ok;
	uint8_t msk[DS_EAP_MSK_LEN];
	size_t msk_len;
	/* configuration */
	ds_ike_cp_request cp;
	ds_ike_assignment asg;
	bool has_hnp, has_hoa6, has_hoa4;
	/* children */
	ike_child *children;
	uint32_t n_children;
	ike_child_neg neg;
	ike_op child_op;            /* the CREATE_CHILD_SA request in flight */
	ike_op retry_op;            /* refused with TEMPORARY_FAILURE: queued again at */
	ds_time retry_op_at;        /* this time (cl. 2.25: not immediately; 0: none) */
	uint8_t retry_rounds;
	ds_ike_child_params auth_child;
	bool want_child;
	/* responder: the CHILD_SA asked for in IKE_AUTH, answered in the last response */
	bool rchild;                /* a child was requested */
	uint16_t rchild_err;        /* notify to send instead (NO_PROPOSAL_CHOSEN, ...) */
	ds_ike_suite rchild_suite;
	uint32_t rchild_spi_out;
	ike_proposal rchild_prop;   /* the chosen proposal, echoed with our SPI */
	ike_ts rchild_tsi, rchild_tsr;
	uint8_t rchild_mode;
	bool sent_auth;             /* responder: our AUTH went out in an IKE_AUTH response */
	int close_pending;          /* close reason to apply from the timer (0: none) */
	/* features */
	bool peer_redirect_ok;
	bool redirect_sent;         /* responder: REDIRECT in the last IKE_AUTH response */
	bool redirected_from_set;
	ds_addr redirected_from;
	bool peer_frag_ok;          /* the peer sent IKEV2_FRAGMENTATION_SUPPORTED */
	bool frag_ok;               /* both did: fragment and reassemble (RFC 7383 cl. 2.3) */
	ike_reasm *reasm[2];        /* [0] a request, [1] a response being reassembled */
	uint16_t last_notify;
	/* IKE SA rekeying (cl. 2.18) */
	ike_rekey_neg rk;
	struct ike_rekey_result *rk_peer; /* the peer's rekey that crossed ours (cl. 2.8.2) */
	bool rekey_queued;
	ds_time ike_created;        /* when the current keys were made (lifetime start) */
	ds_time rekey_retry_at;     /* a refused rekey is retried then (0: at lifetime) */
	ds_time established_at, expire_at, last_rx;
	void *user;
};

struct ds_ike {
	ds_ike_config cfg;
	ds_ike_suite ike_suites[IKE_MAX_SUITES];
	ds_ike_suite esp_suites[IKE_MAX_SUITES];
	ds_ike_sa *by_spi;
	ds_ike_sa *by_init;
	ike_child *by_child;
	ds_timerq tq;
	ds_ike_counters ctr;
	ds_time now;
	/* cl. 2.6 cookies: the current secret (version cookie_ver) and the one before it, which
	 * stays valid for one more period so that a cookie in flight at a rotation still works */
	uint8_t cookie_secret[2][32];
	uint8_t cookie_ver;
	ds_time cookie_rotated_at;
	ds_ratelimit rl_bad, rl_state, rl_auth;
	size_t frag_mem;            /* octets held in reassembly, all SAs */
	uint8_t rxbuf[IKE_MSG_MAX];
	uint8_t txbuf[IKE_MSG_MAX + 4];
};

/* ---- ike_engine.c ---- */
ds_ike_sa *ike_sa_new(ds_ike *ike, bool initiator, ds_time now);
/* Tell the host and free (the handle dies). */
void ike_sa_close(ds_ike_sa *sa, int reason);
void ike_sa_arm(ds_ike_sa *sa);
int ike_rand_spi64(ds_ike *ike, uint64_t *spi);
int ike_alloc_esp_spi(ds_ike *ike, uint32_t *spi);
/* Send an unprotected datagram (IKE_SA_INIT) to the SA's peer. */
void ike_send_raw(ds_ike *ike, const ds_addr *local, const ds_addr *remote, bool natt,
		  const uint8_t *msg, size_t len);
/* Seal plain (an inner payload chain starting with `first`) and send it as our next request
 * of exchange `exch`, with retransmission. */
int ike_send_request(ds_ike_sa *sa, uint8_t exch, uint8_t first, const uint8_t *plain,
		     size_t len);
/* Seal and send a response to the peer's request mid, caching it for retransmissions. */
int ike_send_response(ds_ike_sa *sa, uint8_t exch, uint32_t mid, uint8_t first,
		      const uint8_t *plain, size_t len);
/* Queue a request; runs at once when the window is free. */
int ike_queue_op(ds_ike_sa *sa, const ike_op *op);
void ike_run_ops(ds_ike_sa *sa);
/* After a response was processed: free the window. */
void ike_req_done(ds_ike_sa *sa);
void ike_set_ciphers(ds_ike_sa *sa);
void ike_emit_keylog(ds_ike_sa *sa);
void ike_fill_info(const ds_ike_sa *sa, ds_ike_info *out);

/* ---- ike_proposal.c ---- */
size_t ike_build_ike_props(const ds_ike *ike, const uint8_t *spi, uint8_t spi_size,
			   ike_proposal *props, size_t max);
size_t ike_build_esp_props(const ds_ike *ike, uint32_t spi, ike_proposal *props, size_t max);
/* Pick the first acceptable proposal of the peer's (cl. 2.7), in our preference order of
 * suites, only among suites with DH group `group` (0: any). Returns the index in sa->prop or
 * -1; *out gets the suite. */
int ike_select_ike(const ds_ike *ike, const ike_sa_pl *sa, uint16_t group, uint8_t spi_size,
		   ds_ike_suite *out);
int ike_select_esp(const ds_ike *ike, const ike_sa_pl *sa, ds_ike_suite *out, uint32_t *spi);
/* Check a responder's single chosen proposal against what we offered. */
int ike_accept_ike(const ds_ike *ike, const ike_sa_pl *sa, ds_ike_suite *out);
void ike_suite_proposal(const ds_ike_suite *s, uint8_t proto, const uint8_t *spi,
			uint8_t spi_size, uint8_t num, ike_proposal *p);

/* ---- ike_init.c ---- */
int ike_init_start(ds_ike_sa *sa, ds_time now);
void ike_init_request(ds_ike *ike, const ds_pkt *pkt, const uint8_t *msg, size_t len,
		      const ike_hdr *h, bool natt, ds_time now);
void ike_init_response(ds_ike_sa *sa, const uint8_t *msg, size_t len, const ike_hdr *h,
		       ds_time now);

/* ---- ike_auth.c ---- */
int ike_auth_start(ds_ike_sa *sa);
void ike_auth_request(ds_ike_sa *sa, const ike_hdr *h, const ike_chain *c);
void ike_auth_response(ds_ike_sa *sa, const ike_hdr *h, const ike_chain *c);

/* ---- ike_child.c ---- */
/* Derive KEYMAT (cl. 2.17; exch_init: we initiated the exchange that created it, so our
 * outbound keys come first), register the child and report child_up. ts_local/ts_remote are
 * the selectors from our point of view. */
int ike_child_install(ds_ike_sa *sa, bool exch_init, const ds_ike_suite *s, uint32_t spi_in,
		      uint32_t spi_out, uint8_t mode, const ike_ts *ts_local,
		      const ike_ts *ts_remote, const uint8_t *ni, size_t ni_len,
		      const uint8_t *nr, size_t nr_len, uint32_t rekey_old);
void ike_child_remove(ds_ike_sa *sa, ike_child *ch, bool notify);
ike_child *ike_child_by_in(ds_ike_sa *sa, uint32_t spi_in);
ike_child *ike_child_by_out(ds_ike_sa *sa, uint32_t spi_out);
/* Fill a proposal TS pair for a child; proto 135 transport by default. */
void ike_child_ts(const ds_ike_child_params *p, const ds_addr *dflt_local,
		  const ds_addr *dflt_remote, bool initiator, ike_ts *tsi, ike_ts *tsr);
/* Narrow the peer's TSi/TSr to one pair we accept (responder, cl. 2.9). */
int ike_child_narrow(const ike_ts_pl *tsi, const ike_ts_pl *tsr, ike_ts *out_i, ike_ts *out_r);
int ike_child_start(ds_ike_sa *sa, const ike_op *op);
void ike_ccsa_request(ds_ike_sa *sa, const ike_hdr *h, const ike_chain *c);
void ike_ccsa_response(ds_ike_sa *sa, const ike_hdr *h, const ike_chain *c);

/* ---- ike_rekey.c ---- */
int ike_rekey_start(ds_ike_sa *sa);
/* A CREATE_CHILD_SA request whose SA payload proposes protocol IKE (cl. 1.3.2). */
void ike_rekey_request(ds_ike_sa *sa, const ike_hdr *h, const ike_chain *c, const ike_sa_pl *sap);
/* The response to our rekey request (the window is already freed). */
void ike_rekey_response(ds_ike_sa *sa, const ike_hdr *h, const ike_chain *c);
/* When the current IKE SA is due for a lifetime rekey (DS_TIME_NEVER: not). */
ds_time ike_rekey_due(const ds_ike_sa *sa);
/* The peer deletes the old IKE SA while its crossing rekey is pending: take its new SA
 * (cl. 2.8.2). True when the handle lives on. */
bool ike_rekey_adopt_pending(ds_ike_sa *sa);
void ike_rekey_drop_pending(ds_ike_sa *sa);

/* ---- ike_frag.c (RFC 7383) ---- */
/* Would a sealed message of this size exceed the fragmentation threshold? */
bool ike_frag_needed(const ds_ike_sa *sa, size_t sealed_len);
/* Seal plain as SKF fragments, back to back in one malloc'd buffer. */
int ike_frag_seal(ds_ike_sa *sa, const ike_hdr *h, uint8_t first, const uint8_t *plain,
		  size_t len, uint8_t **out, size_t *out_len);
/* Send a stored message: one IKE message, or all fragments of one. */
void ike_send_stored(ds_ike_sa *sa, const uint8_t *msgs, size_t len);
/* An authenticated SKF fragment (chunk: its decrypted contents). Returns 1 with the whole
 * plaintext (malloc'd, the caller frees) when the message is complete, else 0. */
int ike_frag_input(ds_ike_sa *sa, const ike_hdr *h, const ike_pl *skf, const uint8_t *chunk,
		   size_t chunk_len, uint8_t **plain, size_t *plain_len, uint8_t *first_np);
void ike_frag_reset(ds_ike_sa *sa, int slot);
ds_time ike_frag_deadline(const ds_ike_sa *sa);
void ike_frag_expire(ds_ike_sa *sa, ds_time now);

/* ---- ike_info.c ---- */
int ike_info_start(ds_ike_sa *sa, const ike_op *op);
void ike_info_request(ds_ike_sa *sa, const ike_hdr *h, const ike_chain *c);
void ike_info_response(ds_ike_sa *sa, const ike_hdr *h, const ike_chain *c);

/* ---- shared payload helpers (ike_util.c) ---- */
void ike_wr_notify(ike_wr *iw, uint16_t type, const uint8_t *data, size_t len);
/* First notify of a type in a chain; DS_OK when found. */
int ike_find_notify(const ike_chain *c, uint16_t type, ike_notify *out);
/* First error notify (< 16384) in a chain, 0 if none. */
uint16_t ike_error_notify(const ike_chain *c);
/* Send a response made of a single notify (errors answered inside an SA). */
void ike_respond_notify(ds_ike_sa *sa, uint8_t exch, uint32_t mid, uint16_t type);
bool ike_ts_covers(const ike_ts *ts, const ds_addr *a, uint8_t proto);
void ike_ts_from_addr(ike_ts *ts, const ds_addr *a, uint8_t proto);
int ike_gw_identity(const ds_addr *gw, uint8_t *out, size_t cap, size_t *len);
int ike_gw_parse(const uint8_t *p, size_t len, ds_addr *gw, char *fqdn, size_t fqdn_cap,
		 const uint8_t **rest, size_t *rest_len);

#endif
