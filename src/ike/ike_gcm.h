/* AES-GCM opening of IKE SK payloads of any length (RFC 5282). The shared cipher wrapper keeps
 * ESP's 4-octet alignment rule (RFC 4303 cl. 2.4), but IKE puts no alignment on AEAD plaintext
 * (RFC 5282 cl. 3: padding of any length), and peers such as strongSwan send unpadded SK data.
 * This opens such payloads with OpenSSL's EVP AES-GCM directly. */
#ifndef DSMIP6_IKE_GCM_H
#define DSMIP6_IKE_GCM_H

#include <stddef.h>
#include <stdint.h>

#define IKE_GCM_SALT_LEN 4
#define IKE_GCM_IV_LEN 8
#define IKE_GCM_ICV_LEN 16

/* keymat = key || 4-octet salt (16 + 4 or 32 + 4 octets). Verifies the 16-octet ICV over
 * aad and the ciphertext, then decrypts buf in place. DS_OK, DS_E_AUTH, DS_E_PARAM, DS_E_CRYPTO. */
int ike_gcm_open(const uint8_t *keymat, size_t keymat_len, const uint8_t *aad, size_t aad_len,
		 const uint8_t iv[IKE_GCM_IV_LEN], uint8_t *buf, size_t len,
		 const uint8_t icv[IKE_GCM_ICV_LEN]);

#endif
