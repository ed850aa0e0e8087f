/* IKEv2 key schedule and AUTH computation (RFC 7296 cl. 2.13 - 2.18), over the PRF wrappers of
 * crypto/crypto.h. */
#ifndef DSMIP6_IKE_KEYS_H
#define DSMIP6_IKE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"
#include "ike/ike_const.h"

#define IKE_KEY_MAX 64   /* largest PRF output (SHA-512) and largest ENCR key + salt (36) */

typedef struct ike_keys {
	size_t prf_len, encr_len, integ_len;
	uint8_t sk_d[IKE_KEY_MAX];
	uint8_t sk_ai[IKE_KEY_MAX], sk_ar[IKE_KEY_MAX];
	uint8_t sk_ei[IKE_KEY_MAX], sk_er[IKE_KEY_MAX];
	uint8_t sk_pi[IKE_KEY_MAX], sk_pr[IKE_KEY_MAX];
} ike_keys;

/* cl. 2.14: SKEYSEED = prf(Ni | Nr, g^ir), or for a rekey (cl. 2.18, old_sk_d non-NULL)
 * SKEYSEED = prf_old(SK_d(old), g^ir | Ni | Nr) with the old IKE SA's PRF (old_prf); then
 * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr).
 * With a PRF whose key size is fixed the nonces would be split; the HMAC PRFs take any key. */
int ike_keys_derive(const ds_ike_suite *s, uint16_t old_prf, const uint8_t *old_sk_d,
		    size_t old_len,
		    const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		    const uint8_t *gir, size_t gir_len, uint64_t spi_i, uint64_t spi_r, ike_keys *k);

/* cl. 2.17: KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr), out_len octets. */
int ike_keymat(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len, const uint8_t *gir,
	       size_t gir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
	       uint8_t *out, size_t out_len);

/* cl. 2.15: the octets a peer signs or MACs: RealMessage | Nonce of the other side |
 * prf(SK_p, RestOfIDPayload). Writes into out (cap); returns the length or 0. */
size_t ike_signed_octets(uint16_t prf, const uint8_t *sk_p, size_t sk_p_len, const uint8_t *msg,
			 size_t msg_len, const uint8_t *nonce, size_t nonce_len,
			 const uint8_t *id_body, size_t id_len, uint8_t *out, size_t cap);

/* cl. 2.15 / 2.16: AUTH = prf(prf(secret, "Key Pad for IKEv2"), octets), for a pre-shared key or
 * the EAP MSK. out receives prf_len octets. */
int ike_auth_mac(uint16_t prf, const uint8_t *secret, size_t secret_len, const uint8_t *octets,
		 size_t len, uint8_t *out);

void ike_keys_wipe(ike_keys *k);

#endif
