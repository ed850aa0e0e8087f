/* IKEv2 key derivation and AUTH computations (RFC 7296 cl. 2.14, 2.15, 2.16, 2.17, 2.18).
 * Pure functions over crypto.h: no state, no allocation besides OpenSSL's own. */
#ifndef DSMIP6_CRYPTO_IKEV2_KEYS_H
#define DSMIP6_CRYPTO_IKEV2_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define DS_IKE_SPI_LEN 8
#define DS_IKE_MAX_PRF_LEN 64    /* HMAC-SHA2-512 */
#define DS_IKE_MAX_ENCR_KEY 36   /* AES-256 + GCM salt */
#define DS_IKE_MAX_INTEG_KEY 64  /* HMAC-SHA2-512-256 */

/* The seven IKE SA secrets of cl. 2.14, each with its length. SK_d, SK_pi and SK_pr are as long
 * as the PRF output; SK_a* as the integrity key (0 with AEAD); SK_e* as the encryption key
 * material (for GCM the key followed by the 4-octet salt, RFC 5282 cl. 7.1). */
typedef struct ds_ike_keys {
	uint16_t prf;
	size_t prf_len, integ_len, encr_len;
	uint8_t sk_d[DS_IKE_MAX_PRF_LEN];
	uint8_t sk_ai[DS_IKE_MAX_INTEG_KEY], sk_ar[DS_IKE_MAX_INTEG_KEY];
	uint8_t sk_ei[DS_IKE_MAX_ENCR_KEY], sk_er[DS_IKE_MAX_ENCR_KEY];
	uint8_t sk_pi[DS_IKE_MAX_PRF_LEN], sk_pr[DS_IKE_MAX_PRF_LEN];
} ds_ike_keys;

/* SKEYSEED = prf(Ni | Nr, g^ir)  (cl. 2.14). out holds ds_prf_len(prf) octets. */
int ds_ikev2_skeyseed(uint16_t prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		      size_t nr_len, const uint8_t *gir, size_t gir_len, uint8_t *out);
/* Rekeyed IKE SA (cl. 2.18): SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr). */
int ds_ikev2_rekey_skeyseed(uint16_t prf_old, const uint8_t *sk_d_old, size_t sk_d_len,
			    uint16_t prf, const uint8_t *gir, size_t gir_len, const uint8_t *ni,
			    size_t ni_len, const uint8_t *nr, size_t nr_len, uint8_t *out);
/* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 * encr_len / integ_len from ds_cipher_encr_keymat() / ds_cipher_integ_keymat(). */
int ds_ikev2_derive_sa_keys(uint16_t prf, const uint8_t *skeyseed, const uint8_t *ni,
			    size_t ni_len, const uint8_t *nr, size_t nr_len,
			    const uint8_t spi_i[DS_IKE_SPI_LEN], const uint8_t spi_r[DS_IKE_SPI_LEN],
			    size_t encr_len, size_t integ_len, ds_ike_keys *out);
/* Both steps at once (IKE_SA_INIT). */
int ds_ikev2_init_keys(uint16_t prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		       size_t nr_len, const uint8_t *gir, size_t gir_len,
		       const uint8_t spi_i[DS_IKE_SPI_LEN], const uint8_t spi_r[DS_IKE_SPI_LEN],
		       size_t encr_len, size_t integ_len, ds_ike_keys *out);
void ds_ike_keys_wipe(ds_ike_keys *k);

/* CHILD_SA keying material (cl. 2.17): KEYMAT = prf+(SK_d, Ni | Nr), or with PFS
 * prf+(SK_d, g^ir (new) | Ni | Nr). Keys are taken in the order encryption then integrity,
 * initiator-to-responder first, then responder-to-initiator. */
typedef struct ds_child_keys {
	size_t encr_len, integ_len;
	uint8_t ei[DS_IKE_MAX_ENCR_KEY], ai[DS_IKE_MAX_INTEG_KEY];   /* initiator -> responder */
	uint8_t er[DS_IKE_MAX_ENCR_KEY], ar[DS_IKE_MAX_INTEG_KEY];   /* responder -> initiator */
} ds_child_keys;

int ds_ikev2_child_keys(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len, const uint8_t *gir,
			size_t gir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
			size_t nr_len, size_t encr_len, size_t integ_len, ds_child_keys *out);
void ds_child_keys_wipe(ds_child_keys *k);

/* The octets an IKE_AUTH AUTH payload covers (cl. 2.15):
 *   initiator: RealMessage1 | NonceRData | prf(SK_pi, RestOfInitIDPayload)
 *   responder: RealMessage2 | NonceIData | prf(SK_pr, RestOfRespIDPayload)
 * `message` is the whole IKE_SA_INIT message the signer sent (header included), `nonce` the
 * peer's nonce data, `id` the signer's ID payload body after the generic payload header
 * (ID Type | RESERVED | Identification Data). Writes message_len + nonce_len + prf_len octets. */
int ds_ikev2_signed_octets(uint16_t prf, const uint8_t *message, size_t message_len,
			   const uint8_t *nonce, size_t nonce_len, const uint8_t *sk_p,
			   size_t sk_p_len, const uint8_t *id, size_t id_len, uint8_t *out,
			   size_t cap, size_t *out_len);
/* Shared Key Message Integrity Code (auth method 2; also EAP with the MSK, cl. 2.16):
 *   AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), <signed octets>)
 * out holds ds_prf_len(prf) octets. */
int ds_ikev2_psk_auth(uint16_t prf, const uint8_t *secret, size_t secret_len,
		      const uint8_t *octets, size_t octets_len, uint8_t *out);

#endif
