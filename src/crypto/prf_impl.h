/* Internal helpers shared by the crypto sources (not part of the public interface). */
#ifndef DSMIP6_CRYPTO_PRF_IMPL_H
#define DSMIP6_CRYPTO_PRF_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* OpenSSL digest name of an IKEv2 PRF transform, NULL if unknown. */
const char *ds_prf_digest_name(uint16_t prf);
/* A keyed HMAC context ready for EVP_MAC_update (NULL on failure). */
EVP_MAC_CTX *ds_hmac_ctx_new(const char *digest, const uint8_t *key, size_t key_len);

#endif
