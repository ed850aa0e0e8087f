/* IKEv2 Diffie-Hellman groups (Transform Type 4) over OpenSSL EVP_PKEY:
 *   14 MODP-2048 (RFC 3526 cl. 3): KE data is g^x as a 256-octet big-endian integer,
 *      g^ir padded with zeros to the modulus length (RFC 7296 cl. 2.14);
 *   19 ECP-256 (RFC 5903 cl. 7): KE data is x || y (64 octets), g^ir the x coordinate;
 *   31 Curve25519 (RFC 8031 cl. 3): KE data and g^ir are 32 octets; an all-zero shared
 *      secret is rejected (RFC 8031 cl. 3, RFC 7748 cl. 6.1). */
#include "crypto/crypto.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "core/err.h"

struct ds_dh {
	uint16_t group;
	EVP_PKEY *key;
};

size_t ds_dh_public_len(uint16_t group)
{
	switch (group) {
	case DS_DH_MODP2048: return 256;
	case DS_DH_ECP256: return 64;
	case DS_DH_X25519: return 32;
	default: return 0;
	}
}

static size_t dh_secret_len(uint16_t group)
{
	return group == DS_DH_ECP256 ? 32 : ds_dh_public_len(group);
}

static EVP_PKEY *keygen_named(const char *alg, const char *group)
{
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
	if (!ctx)
		return NULL;
	OSSL_PARAM params[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0),
		OSSL_PARAM_construct_end(),
	};
	if (EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_CTX_set_params(ctx, params) != 1 ||
	    EVP_PKEY_generate(ctx, &pk) != 1)
		pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

ds_dh *ds_dh_new(uint16_t group)
{
	EVP_PKEY *pk = NULL;
	switch (group) {
	case DS_DH_MODP2048: pk = keygen_named("DH", "modp_2048"); break;
	case DS_DH_ECP256: pk = keygen_named("EC", "P-256"); break;
	case DS_DH_X25519: pk = EVP_PKEY_Q_keygen(NULL, NULL, "X25519"); break;
	default: return NULL;
	}
	if (!pk)
		return NULL;
	ds_dh *dh = OPENSSL_zalloc(sizeof *dh);
	if (!dh) {
		EVP_PKEY_free(pk);
		return NULL;
	}
	dh->group = group;
	dh->key = pk;
	return dh;
}

void ds_dh_free(ds_dh *dh)
{
	if (!dh)
		return;
	EVP_PKEY_free(dh->key); /* OpenSSL clears private key material on free */
	OPENSSL_free(dh);
}

int ds_dh_public(const ds_dh *dh, uint8_t *out, size_t len)
{
	if (!dh || !out || len != ds_dh_public_len(dh->group))
		return DS_E_PARAM;
	int rc = DS_E_CRYPTO;
	if (dh->group == DS_DH_MODP2048) {
		BIGNUM *pub = NULL;
		if (EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY, &pub) == 1 &&
		    BN_bn2binpad(pub, out, (int)len) == (int)len)
			rc = DS_OK;
		BN_free(pub);
	} else if (dh->group == DS_DH_ECP256) {
		uint8_t pt[65];
		size_t ptl = 0;
		/* Uncompressed SEC1 point 0x04 || x || y; IKEv2 carries x || y only. */
		if (EVP_PKEY_get_octet_string_param(dh->key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
						    sizeof pt, &ptl) == 1 &&
		    ptl == 65 && pt[0] == 0x04) {
			memcpy(out, pt + 1, 64);
			rc = DS_OK;
		}
	} else {
		size_t l = len;
		if (EVP_PKEY_get_raw_public_key(dh->key, out, &l) == 1 && l == len)
			rc = DS_OK;
	}
	return rc;
}

static EVP_PKEY *fromdata(const char *alg, OSSL_PARAM *params)
{
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
	if (!ctx)
		return NULL;
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

/* Build the peer's public key; NULL for an invalid encoding (off-curve point, y outside
 * [2, p-2]: RFC 7296 cl. 5.12 / RFC 6989 checks are done by OpenSSL at import or derive). */
static EVP_PKEY *peer_key(uint16_t group, const uint8_t *peer, size_t len)
{
	if (group == DS_DH_MODP2048) {
		BIGNUM *y = BN_bin2bn(peer, (int)len, NULL);
		if (!y)
			return NULL;
		EVP_PKEY *pk = NULL;
		uint8_t ybuf[256];
		/* Serialise as a native-endian BIGNUM parameter. */
		OSSL_PARAM params[3];
		if (BN_bn2nativepad(y, ybuf, sizeof ybuf) == (int)sizeof ybuf) {
			params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
								     (char *)"modp_2048", 0);
			params[1] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PUB_KEY, ybuf, sizeof ybuf);
			params[2] = OSSL_PARAM_construct_end();
			pk = fromdata("DH", params);
		}
		BN_free(y);
		return pk;
	}
	if (group == DS_DH_ECP256) {
		uint8_t pt[65];
		pt[0] = 0x04;
		memcpy(pt + 1, peer, 64);
		OSSL_PARAM params[3] = {
			OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"P-256", 0),
			OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt),
			OSSL_PARAM_construct_end(),
		};
		return fromdata("EC", params);
	}
	return EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL, peer, len);
}

int ds_dh_derive(ds_dh *dh, const uint8_t *peer, size_t peer_len, uint8_t *secret,
		 size_t *secret_len)
{
	if (!dh || !peer || !secret || !secret_len)
		return DS_E_PARAM;
	size_t need = dh_secret_len(dh->group);
	if (peer_len != ds_dh_public_len(dh->group))
		return DS_E_BADLEN;
	if (*secret_len < need)
		return DS_E_NOSPACE;
	EVP_PKEY *pk = peer_key(dh->group, peer, peer_len);
	if (!pk)
		return DS_E_CRYPTO;
	int rc = DS_E_CRYPTO;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);
	size_t outl = need;
	if (ctx && EVP_PKEY_derive_init(ctx) == 1) {
		int ok = 1;
		if (dh->group == DS_DH_MODP2048) {
			/* RFC 7296 cl. 2.14: g^ir keeps its leading zero octets. */
			unsigned int pad = 1;
			OSSL_PARAM params[2] = {
				OSSL_PARAM_construct_uint(OSSL_EXCHANGE_PARAM_PAD, &pad),
				OSSL_PARAM_construct_end(),
			};
			ok = EVP_PKEY_CTX_set_params(ctx, params) == 1;
		}
		/* validate_peer = 1: OpenSSL checks the peer key (range / on-curve). */
		if (ok && EVP_PKEY_derive_set_peer_ex(ctx, pk, 1) == 1 &&
		    EVP_PKEY_derive(ctx, secret, &outl) == 1 && outl == need)
			rc = DS_OK;
	}
	if (rc == DS_OK && dh->group == DS_DH_X25519) {
		uint8_t acc = 0;
		for (size_t i = 0; i < need; i++)
			acc |= secret[i];
		if (acc == 0)
			rc = DS_E_CRYPTO; /* low-order peer point: RFC 7748 cl. 6.1 */
	}
	if (rc == DS_OK)
		*secret_len = need;
	else
		ds_wipe(secret, need);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return rc;
}

/* Key pair from a given private value, for known-answer tests (RFC 5903 cl. 8, RFC 7748
 * cl. 6.1) and nothing else: the public value is recomputed from the private one. */
static EVP_PKEY *ecp256_from_private(const uint8_t *priv, size_t len)
{
	EVP_PKEY *pk = NULL;
	EC_GROUP *grp = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *pt = grp ? EC_POINT_new(grp) : NULL;
	BIGNUM *d = BN_bin2bn(priv, (int)len, NULL);
	BN_CTX *bn = BN_CTX_new();
	uint8_t pub[65], dn[32];
	if (grp && pt && d && bn && EC_POINT_mul(grp, pt, d, NULL, NULL, bn) == 1 &&
	    EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof pub, bn) ==
		    sizeof pub &&
	    BN_bn2nativepad(d, dn, sizeof dn) == (int)sizeof dn) {
		OSSL_PARAM params[4] = {
			OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"P-256", 0),
			OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub),
			OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, dn, sizeof dn),
			OSSL_PARAM_construct_end(),
		};
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
		if (ctx && (EVP_PKEY_fromdata_init(ctx) != 1 ||
			    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_KEYPAIR, params) != 1))
			pk = NULL;
		EVP_PKEY_CTX_free(ctx);
	}
	ds_wipe(dn, sizeof dn);
	BN_CTX_free(bn);
	BN_clear_free(d);
	EC_POINT_free(pt);
	EC_GROUP_free(grp);
	return pk;
}

static EVP_PKEY *modp2048_from_private(const uint8_t *priv, size_t len)
{
	EVP_PKEY *pk = NULL;
	BIGNUM *p = BN_get_rfc3526_prime_2048(NULL);
	BIGNUM *x = BN_bin2bn(priv, (int)len, NULL);
	BIGNUM *g = BN_new(), *y = BN_new();
	BN_CTX *bn = BN_CTX_new();
	uint8_t xn[256], yn[256];
	if (p && x && g && y && bn && BN_set_word(g, 2) == 1 && BN_mod_exp(y, g, x, p, bn) == 1 &&
	    BN_bn2nativepad(x, xn, sizeof xn) == (int)sizeof xn &&
	    BN_bn2nativepad(y, yn, sizeof yn) == (int)sizeof yn) {
		OSSL_PARAM params[4] = {
			OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
							 (char *)"modp_2048", 0),
			OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PUB_KEY, yn, sizeof yn),
			OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, xn, sizeof xn),
			OSSL_PARAM_construct_end(),
		};
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
		if (ctx && (EVP_PKEY_fromdata_init(ctx) != 1 ||
			    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_KEYPAIR, params) != 1))
			pk = NULL;
		EVP_PKEY_CTX_free(ctx);
	}
	ds_wipe(xn, sizeof xn);
	BN_CTX_free(bn);
	BN_free(y);
	BN_free(g);
	BN_clear_free(x);
	BN_free(p);
	return pk;
}

ds_dh *ds_dh_new_private(uint16_t group, const uint8_t *priv, size_t len)
{
	EVP_PKEY *pk = NULL;
	if (!priv || !len)
		return NULL;
	switch (group) {
	case DS_DH_MODP2048: pk = len <= 256 ? modp2048_from_private(priv, len) : NULL; break;
	case DS_DH_ECP256: pk = len == 32 ? ecp256_from_private(priv, len) : NULL; break;
	case DS_DH_X25519:
		pk = len == 32 ? EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL, priv, len)
			       : NULL;
		break;
	default: return NULL;
	}
	if (!pk)
		return NULL;
	ds_dh *dh = OPENSSL_zalloc(sizeof *dh);
	if (!dh) {
		EVP_PKEY_free(pk);
		return NULL;
	}
	dh->group = group;
	dh->key = pk;
	return dh;
}
