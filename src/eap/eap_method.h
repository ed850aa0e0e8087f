/* EAP seams between the IKEv2 engine and the EAP methods (RFC 7296 cl. 2.16, RFC 3748).
 *
 * Authenticator side (HA): IKEv2 relays EAP between the UE and an authenticator back end. The
 * back end is either the embedded EAP-AKA/AKA' server over the local subscriber store, or a
 * pass-through to an external AAA over RADIUS (RFC 3579). Back ends may answer synchronously
 * (embedded) or later (RADIUS): they report through `done` in both cases, and the IKE engine
 * keeps the IKE_AUTH exchange open until then.
 *
 * Peer side (UE): the EAP-AKA/AKA' peer with its USIM emulation answers synchronously. */
#ifndef DSMIP6_EAP_METHOD_H
#define DSMIP6_EAP_METHOD_H

#include <stddef.h>
#include <stdint.h>

enum {
	DS_EAP_CONTINUE = 1,  /* eap_out holds the next request (server) or response (peer) */
	DS_EAP_SUCCESS = 2,   /* authentication done; eap_out holds EAP-Success (server); MSK valid */
	DS_EAP_FAILURE = 3,   /* eap_out holds EAP-Failure (server) or nothing */
};

#define DS_EAP_MSK_LEN 64
#define DS_EAP_MAX_MSG 2048

/* ---- authenticator (HA) ---- */

typedef struct ds_eap_session ds_eap_session;

/* Result callback. `status` is DS_EAP_*; msk is non-NULL only on DS_EAP_SUCCESS. */
typedef void (*ds_eap_done_fn)(void *cb_ctx, int status, const uint8_t *eap_out, size_t eap_len,
			       const uint8_t *msk, size_t msk_len);

typedef struct ds_eap_backend_ops {
	/* Start a conversation for the identity from IDi (the NAI) and the APN from IDr. The first
	 * request (for EAP-AKA: AKA-Challenge, or AKA-Identity) is delivered through `done`.
	 * Returns NULL on allocation failure. */
	ds_eap_session *(*start)(void *backend, const char *nai, const char *apn,
				 ds_eap_done_fn done, void *cb_ctx);
	/* Feed an EAP response from the peer; the answer comes through `done`. */
	int (*input)(ds_eap_session *s, const uint8_t *eap, size_t len);
	/* Abandon (IKE SA gone); no callback afterwards. Wipes key material. */
	void (*free)(ds_eap_session *s);
	/* Why the session failed (enum ds_eap_fail_reason), valid after DS_EAP_FAILURE; lets the
	 * IKE engine pick its notify. NULL in back ends that cannot tell. */
	int (*reason)(ds_eap_session *s);
} ds_eap_backend_ops;

/* Failure causes reported by back ends and the peer. */
enum ds_eap_fail_reason {
	DS_EAP_FAIL_NONE = 0,
	DS_EAP_FAIL_AUTH = 1,             /* wrong RES or AT_MAC: the peer is not authentic */
	DS_EAP_FAIL_UNKNOWN_USER = 2,     /* identity unknown or not a usable EAP-AKA identity */
	DS_EAP_FAIL_APN_NOT_ALLOWED = 3,  /* authenticated, but not subscribed to the APN (IDr) */
	DS_EAP_FAIL_PEER_REJECT = 4,      /* the peer rejected the network (AUTN, KDF, bidding) */
	DS_EAP_FAIL_PROTOCOL = 5,         /* malformed or unexpected messages, client error */
	DS_EAP_FAIL_BACKEND = 6,          /* AAA unreachable, database or internal error */
	DS_EAP_FAIL_SYNC = 7,             /* SQN resynchronisation failed */
};

typedef struct ds_eap_backend {
	const ds_eap_backend_ops *ops;
	void *backend;
} ds_eap_backend;

/* ---- peer (UE) ---- */

typedef struct ds_eap_peer ds_eap_peer;

typedef struct ds_eap_peer_ops {
	/* Process one EAP request; writes the response into out (cap DS_EAP_MAX_MSG).
	 * Returns DS_EAP_CONTINUE with a response, DS_EAP_SUCCESS on EAP-Success (MSK then
	 * available), DS_EAP_FAILURE on EAP-Failure or an unacceptable request, or a negative ds_err. */
	int (*input)(ds_eap_peer *p, const uint8_t *eap, size_t len, uint8_t *out, size_t *out_len);
	int (*msk)(ds_eap_peer *p, uint8_t msk[DS_EAP_MSK_LEN]);
	void (*free)(ds_eap_peer *p);
} ds_eap_peer_ops;

#endif
