/* Random numbers, constant-time comparison, key wiping and hashes, all delegated to OpenSSL. */
#include "crypto/crypto.h"

#include <limits.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/err.h"

int ds_random(void *buf, size_t len)
{
	/* RAND_bytes takes an int: split very large requests. */
	unsigned char *p = buf;
	while (len > 0) {
		int n = len > INT_MAX ? INT_MAX : (int)len;
		if (RAND_bytes(p, n) != 1)
			return DS_E_CRYPTO;
		p += n;
		len -= (size_t)n;
	}
	return DS_OK;
}

bool ds_ct_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

void ds_wipe(void *p, size_t len)
{
	if (p && len)
		OPENSSL_cleanse(p, len);
}

static const char *hash_name(uint16_t alg)
{
	switch (alg) {
	case DS_HASH_SHA1: return "SHA1";
	case DS_HASH_SHA2_256: return "SHA256";
	case DS_HASH_SHA2_384: return "SHA384";
	case DS_HASH_SHA2_512: return "SHA512";
	default: return NULL;
	}
}

size_t ds_hash_len(uint16_t alg)
{
	switch (alg) {
	case DS_HASH_SHA1: return 20;
	case DS_HASH_SHA2_256: return 32;
	case DS_HASH_SHA2_384: return 48;
	case DS_HASH_SHA2_512: return 64;
	default: return 0;
	}
}

int ds_hash(uint16_t alg, const ds_span *parts, size_t n, uint8_t *out)
{
	const char *name = hash_name(alg);
	if (!name || (!parts && n) || !out)
		return DS_E_PARAM;
	EVP_MD *md = EVP_MD_fetch(NULL, name, NULL);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int l = 0;
	int ok = md && ctx && EVP_DigestInit_ex2(ctx, md, NULL) == 1;
	for (size_t i = 0; ok && i < n; i++)
		ok = (!parts[i].len || (parts[i].p && EVP_DigestUpdate(ctx, parts[i].p, parts[i].len) == 1));
	ok = ok && EVP_DigestFinal_ex(ctx, out, &l) == 1 && l == ds_hash_len(alg);
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return ok ? DS_OK : DS_E_CRYPTO;
}
