/* Certificate authentication for the IKEv2 engine over crypto/cert.h: a ds_ike_signer for the
 * HA (AUTH by signature with its certificate in a CERT payload, R-13, RFC 7296 cl. 2.15,
 * RFC 7427) and a ds_ike_verifier for the UE (chain to the operator root, then the AUTH
 * signature; TS 33.402: the UE checks the PDN GW certificate). */
#ifndef DSMIP6_IKE_CERT_H
#define DSMIP6_IKE_CERT_H

#include <stdint.h>

#include "crypto/cert.h"
#include "ike/ike.h"

#define DS_IKE_CERT_DER_MAX 8192

typedef struct ds_ike_cert_auth {
	ds_ike_signer signer;
	ds_ike_verifier verifier;
	const ds_cert *cert;               /* signer: certificate with its private key */
	uint8_t der[DS_IKE_CERT_DER_MAX];
	const ds_ca_store *ca;             /* verifier: trust anchors */
	/* Wall-clock time (seconds since 1970) for certificate validity; the engine never reads
	 * clocks, so the host supplies it. */
	int64_t (*unix_time)(void *ctx);
	void *time_ctx;
} ds_ike_cert_auth;

/* Fill a->signer for cert (method 0: RFC 7427 digital signature, 14). DS_OK, DS_E_PARAM (no
 * private key), DS_E_NOSPACE (certificate too large). */
int ds_ike_cert_signer(ds_ike_cert_auth *a, const ds_cert *cert, uint8_t method);
/* Fill a->verifier for the trust anchors ca. */
void ds_ike_cert_verifier(ds_ike_cert_auth *a, const ds_ca_store *ca,
			  int64_t (*unix_time)(void *ctx), void *time_ctx);

#endif
