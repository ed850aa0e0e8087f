/* RADIUS pass-through EAP back end (RFC 3579 EAP over RADIUS, RFC 2865, RFC 2869): the HA
 * relays the UE's EAP conversation to an external 3GPP AAA / RADIUS EAP server and takes the MSK
 * from MS-MPPE-Recv-Key || MS-MPPE-Send-Key of the Access-Accept (RFC 2548 cl. 2.4.2/2.4.3,
 * RFC 4187 cl. 7). Implements ds_eap_backend_ops (eap_method.h).
 *
 * Every Access-Request carries User-Name (the NAI from IDi), the EAP message split into
 * EAP-Message attributes of at most 253 octets (RFC 3579 cl. 3.1), the State of the last
 * Access-Challenge unchanged (RFC 2865 cl. 5.24), Called-Station-Id = the APN from IDr,
 * NAS-Identifier and Framed-MTU. radcli adds Message-Authenticator (RFC 3579 cl. 3.2) itself
 * and checks the one of the answer. The conversation starts with an EAP-Response/Identity built
 * from the NAI, as an IKEv2 gateway does when it skips the EAP identity round (RFC 7296
 * cl. 2.16). Access-Challenge -> DS_EAP_CONTINUE, Access-Accept -> DS_EAP_SUCCESS with the MSK,
 * Access-Reject -> DS_EAP_FAILURE, no answer -> DS_EAP_FAILURE with DS_EAP_FAIL_BACKEND.
 *
 * Threads (the one place where the sans-I/O rule is relaxed): radcli only offers blocking calls,
 * so requests go to a queue served by `workers` threads, each with its own radcli handle and
 * socket. Results are queued back and delivered only by ds_eap_radius_dispatch(), which the
 * runtime calls on its event-loop thread when ds_eap_radius_fd() becomes readable (an eventfd).
 * The `done` callbacks therefore run on the caller's thread, never on a worker. */
#ifndef DSMIP6_EAP_EAP_RADIUS_H
#define DSMIP6_EAP_EAP_RADIUS_H

#include <stdint.h>

#include "core/log.h"
#include "eap/eap_method.h"

typedef struct ds_eap_radius_cfg {
	const char *server;          /* "host", "host:port" or "[v6addr]:port" (default port 1812) */
	const char *secret;          /* shared secret */
	const char *dictionary;      /* radcli dictionary (NULL: /etc/radcli/dictionary) */
	const char *nas_identifier;  /* NULL: "dsmip6-ha" */
	unsigned timeout_s;          /* per try (0: 3 s) */
	unsigned retries;            /* (0: 2) */
	unsigned workers;            /* threads (0: 1) */
	uint32_t framed_mtu;         /* 0: 1400 */
	ds_logger log;               /* used on the dispatching thread only */
} ds_eap_radius_cfg;

typedef struct ds_eap_radius_counters {
	uint64_t requests, challenges, accepts, rejects, timeouts, errors, no_msk;
} ds_eap_radius_counters;

typedef struct ds_eap_radius ds_eap_radius;

extern const ds_eap_backend_ops ds_eap_radius_ops;

ds_eap_radius *ds_eap_radius_new(const ds_eap_radius_cfg *cfg);
/* Stops the workers; sessions still queued are dropped without callback. */
void ds_eap_radius_free(ds_eap_radius *r);
ds_eap_backend ds_eap_radius_backend(ds_eap_radius *r);
/* Readable when results wait for ds_eap_radius_dispatch(). */
int ds_eap_radius_fd(const ds_eap_radius *r);
/* Delivers the finished requests through their `done` callbacks; returns how many. */
int ds_eap_radius_dispatch(ds_eap_radius *r);
/* Snapshot of the counters (taken under the queue lock). */
void ds_eap_radius_counters_get(ds_eap_radius *r, ds_eap_radius_counters *out);

/* RFC 2548 cl. 2.4.2: decrypts an MS-MPPE-Send/Recv-Key value (salt || encrypted string) with
 * the shared secret and the Request Authenticator of the Access-Request. Writes the key
 * (key-length octets) and returns its length, or a negative ds_err. */
int ds_radius_mppe_decrypt(const uint8_t *val, size_t len, const char *secret,
			   const uint8_t req_auth[16], uint8_t *key, size_t cap);

#endif
