/* In-process IKEv2 test bed: a UE-side initiator and a HA-side responder engine joined by a
 * virtual network with a virtual clock, programmable loss / duplication / address rewriting
 * (NAT), the real EAP-AKA peer and embedded server, and a record of every event. */
#ifndef DSMIP6_TEST_IKE_NET_H
#define DSMIP6_TEST_IKE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eap/eap_aka_peer.h"
#include "eap/eap_aka_server.h"
#include "eap/subscriber_db.h"
#include "ike/ike.h"
#include "ike/ike_cert.h"

#define NET_QMAX 64
#define NET_IMSI "001010123456789"
#define NET_NAI "0001010123456789@nai.epc.mnc001.mcc001.3gppnetwork.org"
#define NET_APN "internet"

typedef struct net_pkt {
	int to;                /* 0: initiator, 1: responder */
	ds_pkt pkt;
	uint8_t data[DS_PKT_MAX + 8];
} net_pkt;

typedef struct side {
	ds_ike *ike;
	ds_ike_sa *sa;           /* last SA seen in an event */
	int established, closed, close_reason, child_up, child_down, redirected;
	uint16_t close_notify;   /* info.last_notify of the last close */
	ds_ike_info info;        /* from established */
	ds_ike_child child;      /* last child_up (keys copied below) */
	uint8_t child_in_key[64], child_out_key[64], child_in_ikey[64], child_out_ikey[64];
	uint32_t down_in, down_out;
	ds_addr redirect_to;
	int keylog_lines;
	char keylog[800];
	uint64_t sent;
	size_t max_dgram;        /* largest UDP payload this side sent */
} side;

typedef struct net {
	side s[2];
	net_pkt q[NET_QMAX];
	size_t nq;
	ds_time now;
	uint64_t delivered;
	/* fault injection: called per packet; return 0 deliver, 1 drop, 2 duplicate */
	int (*fault)(struct net *n, const net_pkt *p, uint64_t idx);
	uint64_t idx;
	void *fault_ctx;
	/* NAT: rewrite the initiator's source address to nat_pub on the way to the responder
	 * and back (one mapping). */
	bool nat;
	ds_addr nat_priv, nat_pub;
	/* EAP */
	ds_subdb *db;
	ds_eap_aka_server *srv;
	ds_eap_backend be;
	/* asynchronous back end: queued answers */
	bool async;
	struct {
		ds_eap_done_fn done;
		void *ctx;
		int status;
		uint8_t eap[DS_EAP_MAX_MSG];
		size_t len;
		uint8_t msk[64];
		bool has_msk;
		bool pending;
	} held;
	ds_eap_backend async_be;
	/* responder prefix hook */
	bool deny_apn;
	int redirect_init;       /* >0: redirect IKE_SA_INIT to redirect_gw */
	int redirect_auth;       /* >0: redirect after authentication (last IKE_AUTH) */
	int redirect_identity;   /* >0: redirect on the identity (first IKE_AUTH) */
	ds_addr redirect_gw;
	ds_addr ue, ha;
	bool no_child;
	/* certificate authentication of the HA */
	ds_cert *ha_cert;
	ds_ca_store *ca;
	ds_ike_cert_auth ha_auth, ue_auth;
} net;

typedef struct net_opts {
	const ds_ike_suite *i_suites, *r_suites;
	size_t n_i_suites, n_r_suites;
	bool psk_only;           /* initiator authenticates by PSK (no EAP) */
	const uint8_t *ue_k;     /* USIM key (NULL: the subscriber's) */
	bool async;
	uint32_t cookie_threshold;
	ds_time cookie_rotate;
	bool ipv4;               /* IPv4 outer addresses */
	bool keylog;
	bool no_child;           /* childless IKE_AUTH (RFC 6023) */
	ds_time dpd, child_lifetime, ike_lifetime;
	bool frag_i, frag_r;     /* RFC 7383 on the initiator / responder */
	bool notify_3gpp;        /* responder names refusals with TS 24.302 types */
	uint16_t frag_mtu;       /* both sides (0: the defaults) */
	const char *pki_dir;     /* certificate mode: HA signs with <dir>/<ha_cert>.pem */
	const char *ha_cert;
	const char *ue_ca;       /* the UE trusts <dir>/<ue_ca>.pem */
} net_opts;

void net_init(net *n, const net_opts *o);
void net_free(net *n);
/* Deliver packets and fire timers until nothing is left or the clock passes `until`. */
void net_run(net *n, ds_time until);
ds_ike_sa *net_connect(net *n, const char *nai, const char *apn, ds_eap_peer **peer_out,
		       const uint8_t *k);
void net_release_eap(net *n);

#endif
