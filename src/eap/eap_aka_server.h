/* Embedded EAP-AKA / EAP-AKA' server: the HA's default EAP back end (ds_eap_backend_ops of
 * eap_method.h), authenticating against the local subscriber store (subscriber_db.h) with
 * MILENAGE vectors. It answers synchronously: `done` is called before start()/input() return.
 *
 * Exchange (RFC 4187 cl. 3, RFC 9048): the identity is the NAI from IDi when it is a valid
 * permanent EPC NAI, otherwise an AKA-Identity round asks for the permanent identity; then
 * AKA-Challenge (AT_RAND, AT_AUTN, AT_CHECKCODE, AT_MAC, and AT_KDF/AT_KDF_INPUT for EAP-AKA'
 * or AT_BIDDING for EAP-AKA); RES and AT_MAC checked in constant time; AT_AUTS answered by
 * resynchronisation (TS 33.102 cl. 6.3.5) and a fresh challenge; after authentication the APN
 * (IDr) must be in the subscriber's list. Errors follow RFC 4187 cl. 6.3: a failure
 * AKA-Notification round ("General failure" before authentication, "User has not subscribed to
 * the requested service" for an APN outside the subscription), then EAP-Failure; EAP-Failure
 * at once after AKA-Authentication-Reject or AKA-Client-Error. With result indications agreed
 * (AT_RESULT_IND both ways) success is announced by a MAC-protected "Success" notification
 * before EAP-Success. Every failure has a cause from
 * ds_eap_fail_reason (ops->reason). Fast re-authentication and pseudonyms are not issued. */
#ifndef DSMIP6_EAP_EAP_AKA_SERVER_H
#define DSMIP6_EAP_EAP_AKA_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "eap/eap_method.h"
#include "eap/subscriber_db.h"

typedef struct ds_eap_aka_server_cfg {
	ds_subdb *db;                 /* not owned */
	bool aka_prime;               /* run EAP-AKA' (type 50) instead of EAP-AKA (type 23) */
	bool bidding_prime;           /* EAP-AKA: set the AT_BIDDING D bit (RFC 9048 cl. 4) */
	const char *network_name;     /* EAP-AKA' AT_KDF_INPUT (TS 24.302); NULL: "WLAN" */
	bool always_request_identity; /* AKA-Identity round even when IDi is a permanent NAI */
	bool result_ind;              /* offer protected result indications (RFC 4187 cl. 6.2) */
	/* Random source for RAND and the first EAP Identifier (NULL: OpenSSL RAND_bytes). A
	 * simulator passes a seeded generator to make runs repeatable; production must not. */
	int (*rng)(void *ctx, uint8_t *buf, size_t len);  /* 0 on success */
	void *rng_ctx;
	ds_logger log;
} ds_eap_aka_server_cfg;

typedef struct ds_eap_aka_server_counters {
	uint64_t sessions, successes, failures;
	uint64_t unknown_users, apn_rejects, auth_failures, peer_rejects, client_errors;
	uint64_t resyncs, resync_failures, rx_malformed, rx_dropped, db_errors;
} ds_eap_aka_server_counters;

typedef struct ds_eap_aka_server ds_eap_aka_server;

extern const ds_eap_backend_ops ds_eap_aka_server_ops;

ds_eap_aka_server *ds_eap_aka_server_new(const ds_eap_aka_server_cfg *cfg);
void ds_eap_aka_server_free(ds_eap_aka_server *s);   /* after all its sessions are freed */
/* The back end to put in the IKE responder configuration. */
ds_eap_backend ds_eap_aka_server_backend(ds_eap_aka_server *s);
const ds_eap_aka_server_counters *ds_eap_aka_server_counters_get(const ds_eap_aka_server *s);

#endif
