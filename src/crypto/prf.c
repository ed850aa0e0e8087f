/* IKEv2 pseudo-random functions (RFC 7296 cl. 3.3.2 Transform Type 2) and prf+ (cl. 2.13).
 * The HMAC PRFs accept keys of any length (RFC 2104), as IKEv2 requires for SKEYSEED. */
#include "crypto/crypto.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "core/err.h"
#include "crypto/prf_impl.h"

const char *ds_prf_digest_name(uint16_t prf)
{
	switch (prf) {
	case DS_PRF_HMAC_SHA1: return "SHA1";
	case DS_PRF_HMAC_SHA2_256: return "SHA256";
	case DS_PRF_HMAC_SHA2_384: return "SHA384";
	case DS_PRF_HMAC_SHA2_512: return "SHA512";
	default: return NULL;
	}
}

size_t ds_prf_len(uint16_t prf)
{
	switch (prf) {
	case DS_PRF_HMAC_SHA1: return 20;
	case DS_PRF_HMAC_SHA2_256: return 32;
	case DS_PRF_HMAC_SHA2_384: return 48;
	case DS_PRF_HMAC_SHA2_512: return 64;
	default: return 0;
	}
}

EVP_MAC_CTX *ds_hmac_ctx_new(const char *digest, const uint8_t *key, size_t key_len)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!mac)
		return NULL;
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac); /* the context holds its own reference */
	if (!ctx)
		return NULL;
	OSSL_PARAM params[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
		OSSL_PARAM_construct_end(),
	};
	/* An empty key is legal for HMAC but OpenSSL wants a non-NULL pointer. */
	static const uint8_t empty[1];
	if (EVP_MAC_init(ctx, key_len ? key : empty, key_len, params) != 1) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int ds_prf(uint16_t prf, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
	   uint8_t *out)
{
	const char *md = ds_prf_digest_name(prf);
	if (!md || (!key && key_len) || (!data && len) || !out)
		return DS_E_PARAM;
	EVP_MAC_CTX *ctx = ds_hmac_ctx_new(md, key, key_len);
	if (!ctx)
		return DS_E_CRYPTO;
	size_t outl = 0;
	int ok = EVP_MAC_update(ctx, data, len) == 1 &&
		 EVP_MAC_final(ctx, out, &outl, ds_prf_len(prf)) == 1 && outl == ds_prf_len(prf);
	EVP_MAC_CTX_free(ctx);
	return ok ? DS_OK : DS_E_CRYPTO;
}

/* RFC 7296 cl. 2.13: prf+ (K,S) = T1 | T2 | T3 | ...
 *   T1 = prf (K, S | 0x01), Tn = prf (K, T(n-1) | S | n); n stops at 255. */
int ds_prf_plus(uint16_t prf, const uint8_t *key, size_t key_len, const uint8_t *seed,
		size_t seed_len, uint8_t *out, size_t out_len)
{
	const char *md = ds_prf_digest_name(prf);
	size_t hlen = ds_prf_len(prf);
	if (!md || (!key && key_len) || (!seed && seed_len) || (!out && out_len))
		return DS_E_PARAM;
	if (out_len > 255 * hlen)
		return DS_E_PARAM;
	if (out_len == 0)
		return DS_OK;
	EVP_MAC_CTX *base = ds_hmac_ctx_new(md, key, key_len);
	if (!base)
		return DS_E_CRYPTO;
	uint8_t t[64];
	size_t off = 0;
	int rc = DS_OK;
	for (unsigned n = 1; off < out_len; n++) {
		/* A fresh copy of the keyed context per block keeps the key schedule computed once. */
		EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(base);
		uint8_t cnt = (uint8_t)n;
		size_t tl = 0;
		if (!ctx || (n > 1 && EVP_MAC_update(ctx, t, hlen) != 1) ||
		    (seed_len && EVP_MAC_update(ctx, seed, seed_len) != 1) ||
		    EVP_MAC_update(ctx, &cnt, 1) != 1 || EVP_MAC_final(ctx, t, &tl, sizeof t) != 1 ||
		    tl != hlen) {
			EVP_MAC_CTX_free(ctx);
			rc = DS_E_CRYPTO;
			break;
		}
		EVP_MAC_CTX_free(ctx);
		size_t take = out_len - off < hlen ? out_len - off : hlen;
		memcpy(out + off, t, take);
		off += take;
	}
	ds_wipe(t, sizeof t);
	EVP_MAC_CTX_free(base);
	if (rc != DS_OK)
		ds_wipe(out, out_len);
	return rc;
}
