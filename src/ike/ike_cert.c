/* ds_ike_signer / ds_ike_verifier over crypto/cert.h (see ike_cert.h). */
#include "ike/ike_cert.h"

#include <string.h>

#include "core/err.h"
#include "ike/ike_const.h"

static int sign_cb(void *ctx, const uint8_t *octets, size_t len, uint8_t *sig, size_t *sig_len)
{
	ds_ike_cert_auth *a = ctx;
	return ds_cert_auth_sign(a->cert, a->signer.auth_method, octets, len, sig, *sig_len,
				 sig_len);
}

int ds_ike_cert_signer(ds_ike_cert_auth *a, const ds_cert *cert, uint8_t method)
{
	if (!a || !cert || !ds_cert_has_private_key(cert))
		return DS_E_PARAM;
	size_t n = 0;
	int rc = ds_cert_der(cert, a->der, sizeof(a->der), &n);
	if (rc)
		return rc;
	a->cert = cert;
	a->signer.ctx = a;
	a->signer.auth_method = method ? method : IKE_AUTH_DIGITAL_SIG;
	a->signer.cert_der = a->der;
	a->signer.cert_der_len = n;
	a->signer.sign = sign_cb;
	return DS_OK;
}

static int verify_cb(void *ctx, const uint8_t *const *certs, const size_t *cert_lens, size_t n,
		     uint8_t auth_method, const uint8_t *octets, size_t len, const uint8_t *sig,
		     size_t sig_len)
{
	ds_ike_cert_auth *a = ctx;
	ds_cert *chain[IKE_MAX_CERTS];
	size_t have = 0;
	int rc = DS_E_AUTH;
	if (!n || n > IKE_MAX_CERTS || !a->ca)
		return DS_E_AUTH;
	for (size_t i = 0; i < n; i++) {
		int err;
		chain[have] = ds_cert_from_der(certs[i], cert_lens[i], &err);
		if (!chain[have])
			goto out;
		have++;
	}
	/* RFC 7296 cl. 3.6: the first CERT payload holds the end-entity certificate; further
	 * ones may be intermediates. */
	int64_t now = a->unix_time ? a->unix_time(a->time_ctx) : 0;
	if (ds_cert_verify_chain(a->ca, chain[0], (const ds_cert *const *)chain + 1, have - 1, now,
				 NULL) != DS_OK)
		goto out;
	rc = ds_cert_auth_verify(chain[0], auth_method, octets, len, sig, sig_len) == DS_OK
		     ? DS_OK
		     : DS_E_AUTH;
out:
	for (size_t i = 0; i < have; i++)
		ds_cert_free(chain[i]);
	return rc;
}

void ds_ike_cert_verifier(ds_ike_cert_auth *a, const ds_ca_store *ca,
			  int64_t (*unix_time)(void *ctx), void *time_ctx)
{
	a->ca = ca;
	a->unix_time = unix_time;
	a->time_ctx = time_ctx;
	a->verifier.ctx = a;
	a->verifier.verify = verify_cb;
}
