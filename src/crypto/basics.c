/* Random numbers, constant-time comparison and key wiping, all delegated to OpenSSL. */
#include "crypto/crypto.h"

#include <limits.h>

#include <openssl/crypto.h>
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
