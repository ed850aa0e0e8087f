/* EAP-AKA / EAP-AKA' key derivation (RFC 4187 cl. 7, RFC 9048 cl. 3.3-3.4, TS 33.402 A.2).
 * Every primitive is OpenSSL's: SHA-1, SHA-256, HMAC and the SHA-1 compression function. */
#define OPENSSL_SUPPRESS_DEPRECATED  /* SHA1_Init/SHA1_Transform: see eap_aka_keys.h */
#include "eap/eap_aka_keys.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "core/buf.h"
#include "core/err.h"

/* G(t, c) of FIPS 186-2 Appendix 3.3: the SHA-1 compression function applied once to the
 * 160-bit c padded with zeros to a 512-bit block, from the standard initial value. */
static void fips_g(const uint8_t xval[20], uint8_t out[20])
{
	SHA_CTX c;
	uint8_t block[64] = { 0 };
	memcpy(block, xval, 20);
	SHA1_Init(&c);
	SHA1_Transform(&c, block);
	ds_put_u32(out, c.h0);
	ds_put_u32(out + 4, c.h1);
	ds_put_u32(out + 8, c.h2);
	ds_put_u32(out + 12, c.h3);
	ds_put_u32(out + 16, c.h4);
	OPENSSL_cleanse(&c, sizeof c);
	OPENSSL_cleanse(block, sizeof block);
}

int ds_fips186_2_prf(const uint8_t xkey_in[20], uint8_t *out, size_t out_len)
{
	if (out_len % 40)
		return DS_E_PARAM;
	uint8_t xkey[20], w[20];
	memcpy(xkey, xkey_in, 20);
	for (size_t j = 0; j < out_len / 40; j++) {
		for (int i = 0; i < 2; i++) {
			/* 3.1 XSEED = 0, so XVAL = XKEY; 3.2 w_i = G(t, XVAL) */
			fips_g(xkey, w);
			memcpy(out + j * 40 + (size_t)i * 20, w, 20);
			/* 3.3 XKEY = (1 + XKEY + w_i) mod 2^160, big-endian */
			unsigned carry = 1;
			for (int n = 19; n >= 0; n--) {
				carry += (unsigned)xkey[n] + w[n];
				xkey[n] = (uint8_t)carry;
				carry >>= 8;
			}
		}
	}
	OPENSSL_cleanse(xkey, sizeof xkey);
	OPENSSL_cleanse(w, sizeof w);
	return DS_OK;
}

int ds_aka_derive(ds_aka_keys *k, const void *identity, size_t id_len, const uint8_t ik[16],
		  const uint8_t ck[16])
{
	uint8_t mk[20], stream[160];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned n = 0;
	int rc = DS_E_CRYPTO;
	memset(k, 0, sizeof *k);
	if (md && EVP_DigestInit_ex(md, EVP_sha1(), NULL) == 1 &&
	    EVP_DigestUpdate(md, identity, id_len) == 1 && EVP_DigestUpdate(md, ik, 16) == 1 &&
	    EVP_DigestUpdate(md, ck, 16) == 1 && EVP_DigestFinal_ex(md, mk, &n) == 1 && n == 20)
		rc = ds_fips186_2_prf(mk, stream, sizeof stream);
	EVP_MD_CTX_free(md);
	if (!rc) {
		memcpy(k->k_encr, stream, 16);
		memcpy(k->k_aut, stream + 16, 16);
		memcpy(k->msk, stream + 32, 64);
		memcpy(k->emsk, stream + 96, 64);
	}
	OPENSSL_cleanse(mk, sizeof mk);
	OPENSSL_cleanse(stream, sizeof stream);
	return rc;
}

/* One-shot HMAC over up to three pieces. */
static int hmac3(const char *digest, const uint8_t *key, size_t key_len, const void *a,
		 size_t a_len, const void *b, size_t b_len, const void *c, size_t c_len,
		 uint8_t *out, size_t out_cap)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
		OSSL_PARAM_construct_end(),
	};
	size_t n = 0;
	int rc = DS_E_CRYPTO;
	if (ctx && EVP_MAC_init(ctx, key, key_len, params) == 1 &&
	    (a_len == 0 || EVP_MAC_update(ctx, a, a_len) == 1) &&
	    (b_len == 0 || EVP_MAC_update(ctx, b, b_len) == 1) &&
	    (c_len == 0 || EVP_MAC_update(ctx, c, c_len) == 1) &&
	    EVP_MAC_final(ctx, out, &n, out_cap) == 1)
		rc = DS_OK;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

int ds_aka_prime_ck_ik(const uint8_t ck[16], const uint8_t ik[16], const void *net_name,
		       size_t net_len, const uint8_t sqn_xor_ak[6], uint8_t ck_p[16],
		       uint8_t ik_p[16])
{
	if (net_len > 0xffff)
		return DS_E_PARAM;
	uint8_t key[32], out[32], hdr[1] = { 0x20 }, l0[2], tail[8];
	memcpy(key, ck, 16);
	memcpy(key + 16, ik, 16);
	ds_put_u16(l0, (uint16_t)net_len);
	/* S = FC | P0 | L0 | P1 | L1 (TS 33.220 Annex B.2 framing, TS 33.402 A.2 values) */
	memcpy(tail, sqn_xor_ak, 6);
	ds_put_u16(tail + 6, 6);
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	size_t n = 0;
	int rc = DS_E_CRYPTO;
	if (ctx && EVP_MAC_init(ctx, key, sizeof key, params) == 1 &&
	    EVP_MAC_update(ctx, hdr, 1) == 1 &&
	    (net_len == 0 || EVP_MAC_update(ctx, net_name, net_len) == 1) &&
	    EVP_MAC_update(ctx, l0, 2) == 1 && EVP_MAC_update(ctx, tail, sizeof tail) == 1 &&
	    EVP_MAC_final(ctx, out, &n, sizeof out) == 1 && n == 32) {
		memcpy(ck_p, out, 16);
		memcpy(ik_p, out + 16, 16);
		rc = DS_OK;
	}
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	OPENSSL_cleanse(key, sizeof key);
	OPENSSL_cleanse(out, sizeof out);
	return rc;
}

int ds_aka_prime_derive(ds_aka_keys *k, const void *identity, size_t id_len,
			const uint8_t ik_p[16], const uint8_t ck_p[16])
{
	/* PRF'(K, S) = T1 | T2 | ..., Tn = HMAC-SHA-256(K, T(n-1) | S | n) (RFC 9048 cl. 3.4.1);
	 * 208 octets are needed: seven blocks. */
	static const char label[] = "EAP-AKA'";
	uint8_t key[32], mk[7 * 32], t[32];
	size_t s_len = 8 + id_len;
	uint8_t *s = OPENSSL_malloc(s_len + 1);
	int rc = DS_OK;
	memset(k, 0, sizeof *k);
	if (!s)
		return DS_E_NOMEM;
	memcpy(s, label, 8);
	memcpy(s + 8, identity, id_len);
	memcpy(key, ik_p, 16);
	memcpy(key + 16, ck_p, 16);
	for (unsigned i = 1; i <= 7 && !rc; i++) {
		uint8_t ctr = (uint8_t)i;
		rc = hmac3("SHA256", key, sizeof key, t, i == 1 ? 0 : 32, s, s_len, &ctr, 1, t,
			   sizeof t);
		if (!rc)
			memcpy(mk + (i - 1) * 32, t, 32);
	}
	if (!rc) {
		k->prime = true;
		memcpy(k->k_encr, mk, 16);
		memcpy(k->k_aut, mk + 16, 32);
		memcpy(k->k_re, mk + 48, 32);
		memcpy(k->msk, mk + 80, 64);
		memcpy(k->emsk, mk + 144, 64);
	}
	OPENSSL_clear_free(s, s_len + 1);
	OPENSSL_cleanse(key, sizeof key);
	OPENSSL_cleanse(mk, sizeof mk);
	OPENSSL_cleanse(t, sizeof t);
	return rc;
}

int ds_aka_mac_compute(const ds_aka_keys *k, const uint8_t *pkt, size_t len, size_t mac_off,
		       const uint8_t *extra, size_t extra_len, uint8_t mac[16])
{
	if (mac_off < 4 || mac_off + 16 > len)
		return DS_E_PARAM;
	static const uint8_t zero[16];
	uint8_t full[32];
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = m ? EVP_MAC_CTX_new(m) : NULL;
	OSSL_PARAM params[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)(k->prime ? "SHA256" : "SHA1"), 0),
		OSSL_PARAM_construct_end(),
	};
	size_t n = 0;
	int rc = DS_E_CRYPTO;
	if (ctx && EVP_MAC_init(ctx, k->k_aut, k->prime ? 32 : 16, params) == 1 &&
	    EVP_MAC_update(ctx, pkt, mac_off) == 1 && EVP_MAC_update(ctx, zero, 16) == 1 &&
	    (mac_off + 16 == len || EVP_MAC_update(ctx, pkt + mac_off + 16, len - mac_off - 16) == 1) &&
	    (extra_len == 0 || EVP_MAC_update(ctx, extra, extra_len) == 1) &&
	    EVP_MAC_final(ctx, full, &n, sizeof full) == 1 && n >= 16) {
		memcpy(mac, full, 16);  /* -128: the first 16 octets */
		rc = DS_OK;
	}
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(m);
	OPENSSL_cleanse(full, sizeof full);
	return rc;
}

int ds_aka_mac_sign(const ds_aka_keys *k, uint8_t *pkt, size_t len, size_t mac_off)
{
	uint8_t mac[16];
	int rc = ds_aka_mac_compute(k, pkt, len, mac_off, NULL, 0, mac);
	if (!rc)
		memcpy(pkt + mac_off, mac, 16);
	return rc;
}

int ds_aka_mac_verify(const ds_aka_keys *k, const uint8_t *pkt, size_t len, size_t mac_off)
{
	uint8_t mac[16];
	int rc = ds_aka_mac_compute(k, pkt, len, mac_off, NULL, 0, mac);
	if (rc)
		return rc;
	return CRYPTO_memcmp(mac, pkt + mac_off, 16) == 0 ? DS_OK : DS_E_AUTH;
}

int ds_aka_cc_init(ds_aka_checkcode *cc, bool prime)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	cc->md = NULL;
	cc->used = false;
	cc->prime = prime;
	if (!md || EVP_DigestInit_ex(md, prime ? EVP_sha256() : EVP_sha1(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return DS_E_CRYPTO;
	}
	cc->md = md;
	return DS_OK;
}

int ds_aka_cc_add(ds_aka_checkcode *cc, const uint8_t *pkt, size_t len)
{
	if (!cc->md || EVP_DigestUpdate(cc->md, pkt, len) != 1)
		return DS_E_CRYPTO;
	cc->used = true;
	return DS_OK;
}

int ds_aka_cc_value(const ds_aka_checkcode *cc, uint8_t out[32], size_t *out_len)
{
	*out_len = 0;
	if (!cc->used)
		return DS_OK;
	/* finalise a copy: the running hash may still grow */
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned n = 0;
	int rc = DS_E_CRYPTO;
	if (c && EVP_MD_CTX_copy_ex(c, cc->md) == 1 && EVP_DigestFinal_ex(c, out, &n) == 1) {
		*out_len = n;
		rc = DS_OK;
	}
	EVP_MD_CTX_free(c);
	return rc;
}

void ds_aka_cc_free(ds_aka_checkcode *cc)
{
	EVP_MD_CTX_free(cc->md);
	cc->md = NULL;
	cc->used = false;
}

void ds_aka_keys_wipe(ds_aka_keys *k)
{
	OPENSSL_cleanse(k, sizeof *k);
}
