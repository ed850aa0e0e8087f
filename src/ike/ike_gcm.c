/* AES-GCM open for IKE SK payloads of any length (see ike_gcm.h), over OpenSSL EVP. */
#include "ike/ike_gcm.h"

#include <string.h>

#include <openssl/evp.h>

#include "core/err.h"
#include "crypto/crypto.h"

int ike_gcm_open(const uint8_t *keymat, size_t keymat_len, const uint8_t *aad, size_t aad_len,
		 const uint8_t iv[IKE_GCM_IV_LEN], uint8_t *buf, size_t len,
		 const uint8_t icv[IKE_GCM_ICV_LEN])
{
	const EVP_CIPHER *alg;
	if (keymat_len == 16 + IKE_GCM_SALT_LEN)
		alg = EVP_aes_128_gcm();
	else if (keymat_len == 32 + IKE_GCM_SALT_LEN)
		alg = EVP_aes_256_gcm();
	else
		return DS_E_PARAM;
	if (len > INT32_MAX || aad_len > INT32_MAX)
		return DS_E_PARAM;
	/* RFC 5282 cl. 4: nonce = salt (last 4 octets of the key material) || IV. */
	uint8_t nonce[IKE_GCM_SALT_LEN + IKE_GCM_IV_LEN];
	memcpy(nonce, keymat + keymat_len - IKE_GCM_SALT_LEN, IKE_GCM_SALT_LEN);
	memcpy(nonce + IKE_GCM_SALT_LEN, iv, IKE_GCM_IV_LEN);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return DS_E_CRYPTO;
	int rc = DS_E_CRYPTO, outl = 0, finl = 0;
	uint8_t tag[IKE_GCM_ICV_LEN];
	memcpy(tag, icv, sizeof(tag));
	if (EVP_DecryptInit_ex(ctx, alg, NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, sizeof(nonce), NULL) != 1 ||
	    EVP_DecryptInit_ex(ctx, NULL, NULL, keymat, nonce) != 1 ||
	    (aad_len && EVP_DecryptUpdate(ctx, NULL, &outl, aad, (int)aad_len) != 1) ||
	    (len && EVP_DecryptUpdate(ctx, buf, &outl, buf, (int)len) != 1) ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, sizeof(tag), tag) != 1)
		goto out;
	/* The tag check happens in Final (constant time inside OpenSSL). */
	rc = EVP_DecryptFinal_ex(ctx, buf + outl, &finl) == 1 ? DS_OK : DS_E_AUTH;
	if (rc != DS_OK)
		ds_wipe(buf, len);   /* never hand out unauthenticated plaintext */
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}
