/* OpenSSL 3 wrappers used by IKEv2, EAP and ESP. dsmip6 implements no primitive itself.
 * Transform identifiers are the IANA IKEv2 values (RFC 7296 cl. 3.3.2, IANA registry). */
#ifndef DSMIP6_CRYPTO_CRYPTO_H
#define DSMIP6_CRYPTO_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- basics ---- */
int ds_random(void *buf, size_t len);                         /* DS_OK or DS_E_CRYPTO */
bool ds_ct_equal(const void *a, const void *b, size_t len);   /* constant time */
void ds_wipe(void *p, size_t len);                            /* not optimised away */

/* ---- hashes (IANA IKEv2 Hash Algorithm numbers, RFC 7427 cl. 7) ----
 * For NAT_DETECTION_*_IP (SHA-1, RFC 7296 cl. 2.23), cookies (cl. 2.6) and fingerprints. */
enum { DS_HASH_SHA1 = 1, DS_HASH_SHA2_256 = 2, DS_HASH_SHA2_384 = 3, DS_HASH_SHA2_512 = 4 };
typedef struct ds_span {
	const void *p;
	size_t len;
} ds_span;
size_t ds_hash_len(uint16_t alg);                             /* 0 if unknown */
/* Hash of the concatenation of n parts into out (ds_hash_len octets). */
int ds_hash(uint16_t alg, const ds_span *parts, size_t n, uint8_t *out);

/* ---- PRF (IKEv2 Transform Type 2) ---- */
enum { DS_PRF_HMAC_SHA1 = 2, DS_PRF_HMAC_SHA2_256 = 5, DS_PRF_HMAC_SHA2_384 = 6,
       DS_PRF_HMAC_SHA2_512 = 7 };
size_t ds_prf_len(uint16_t prf);                              /* 0 if unknown */
int ds_prf(uint16_t prf, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
	   uint8_t *out);
/* prf+ of RFC 7296 cl. 2.13: T1 | T2 | ... truncated to out_len (at most 255 blocks). */
int ds_prf_plus(uint16_t prf, const uint8_t *key, size_t key_len, const uint8_t *seed,
		size_t seed_len, uint8_t *out, size_t out_len);

/* ---- Diffie-Hellman (Transform Type 4): 14 MODP-2048, 19 ECP-256, 31 Curve25519 ---- */
enum { DS_DH_MODP2048 = 14, DS_DH_ECP256 = 19, DS_DH_X25519 = 31 };
typedef struct ds_dh ds_dh;
ds_dh *ds_dh_new(uint16_t group);                             /* generates a key pair */
size_t ds_dh_public_len(uint16_t group);                      /* KE payload data length */
int ds_dh_public(const ds_dh *dh, uint8_t *out, size_t len);  /* IKEv2 KE encoding */
/* Shared secret in IKEv2 encoding (g^ir, RFC 7296 cl. 2.14; x-coordinate for ECP, RFC 5903). */
int ds_dh_derive(ds_dh *dh, const uint8_t *peer, size_t peer_len, uint8_t *secret,
		 size_t *secret_len);
void ds_dh_free(ds_dh *dh);
/* A key pair from a known private value (big-endian; X25519: the RFC 7748 scalar octets).
 * For known-answer tests only: real exchanges use ds_dh_new(). */
ds_dh *ds_dh_new_private(uint16_t group, const uint8_t *priv, size_t len);

/* ---- encryption + integrity for IKE SK payloads and ESP ----
 * ENCR (Type 1): 12 AES-CBC, 20 AES-GCM-16 (ICV 16); key length in bits: 128 or 256.
 * INTEG (Type 3): 12 HMAC-SHA2-256-128, 13 HMAC-SHA2-384-192, 14 HMAC-SHA2-512-256 (CBC only).
 * For GCM the key material is key || 4-octet salt (RFC 4106 / RFC 5282) and the nonce is
 * salt || 8-octet IV. For CBC the ICV is the truncated HMAC over aad || iv || ciphertext, which
 * is exactly what ESP (SPI..ciphertext) and IKE (header..encrypted data) authenticate when the
 * caller passes the preceding bytes as aad. */
enum { DS_ENCR_AES_CBC = 12, DS_ENCR_AES_GCM_16 = 20 };
/* ENCR_NULL (RFC 2410): integrity-only ESP, allowed for mobility signalling (RFC 4877 cl. 4.3
 * requires integrity, encryption is optional). Not valid for IKE SK payloads. */
enum { DS_ENCR_NULL = 11 };
enum { DS_INTEG_NONE = 0, DS_INTEG_HMAC_SHA2_256_128 = 12, DS_INTEG_HMAC_SHA2_384_192 = 13,
       DS_INTEG_HMAC_SHA2_512_256 = 14 };

typedef struct ds_cipher ds_cipher;
/* Key material lengths the caller must derive (RFC 7296 cl. 2.14 / 2.17). */
size_t ds_cipher_encr_keymat(uint16_t encr, uint16_t key_bits);  /* GCM includes the salt */
size_t ds_cipher_integ_keymat(uint16_t integ);
ds_cipher *ds_cipher_new(uint16_t encr, uint16_t key_bits, uint16_t integ,
			 const uint8_t *encr_key, const uint8_t *integ_key);
size_t ds_cipher_iv_len(const ds_cipher *c);     /* 8 for GCM, 16 for CBC */
size_t ds_cipher_block_len(const ds_cipher *c);  /* padding unit: 4 for GCM, 16 for CBC */
size_t ds_cipher_icv_len(const ds_cipher *c);
/* IV for the message numbered `counter` (which must never repeat under this key): for GCM the
 * counter itself (RFC 4106 cl. 3.1), for CBC AES-K(counter) (unpredictable, NIST SP 800-38A
 * Appendix C). Writes ds_cipher_iv_len() octets (none for ENCR_NULL). */
int ds_cipher_make_iv(ds_cipher *c, uint64_t counter, uint8_t *iv);
/* Encrypt len bytes in place (len a multiple of the block length for CBC), writing the ICV. */
int ds_cipher_seal(ds_cipher *c, const uint8_t *aad, size_t aad_len, const uint8_t *iv,
		   uint8_t *buf, size_t len, uint8_t *icv);
/* Verify the ICV (constant time) then decrypt in place. DS_E_AUTH on mismatch. */
int ds_cipher_open(ds_cipher *c, const uint8_t *aad, size_t aad_len, const uint8_t *iv,
		   uint8_t *buf, size_t len, const uint8_t *icv);
void ds_cipher_free(ds_cipher *c);               /* wipes keys */
/* As ds_cipher_new for one direction only (DS_CIPHER_SEAL and/or DS_CIPHER_OPEN): half the
 * OpenSSL state for a one-way ESP SA; the other direction then returns DS_E_STATE. */
enum { DS_CIPHER_SEAL = 1, DS_CIPHER_OPEN = 2 };
ds_cipher *ds_cipher_new_dir(uint16_t encr, uint16_t key_bits, uint16_t integ,
			     const uint8_t *encr_key, const uint8_t *integ_key, unsigned dirs);
/* Replace the keys of an existing ds_cipher (same algorithms), without allocation. Lets many
 * low-rate SAs share one set of contexts (ipsec/esp.h `compact`). */
int ds_cipher_rekey(ds_cipher *c, const uint8_t *encr_key, const uint8_t *integ_key);
/* As seal/open, with `tail` octets authenticated after the ciphertext but not encrypted nor
 * transmitted: the high-order 32 bits of an Extended Sequence Number for HMAC integrity
 * (RFC 4303 cl. 2.2.1). Not allowed with GCM (ESN goes in the AAD there, RFC 4106 cl. 5). */
int ds_cipher_seal_ext(ds_cipher *c, const uint8_t *aad, size_t aad_len, const uint8_t *iv,
		       uint8_t *buf, size_t len, const uint8_t *tail, size_t tail_len,
		       uint8_t *icv);
int ds_cipher_open_ext(ds_cipher *c, const uint8_t *aad, size_t aad_len, const uint8_t *iv,
		       uint8_t *buf, size_t len, const uint8_t *tail, size_t tail_len,
		       const uint8_t *icv);
/* Zero-copy forms for packet paths. Seal encrypts in1 followed by in2 into out (len1 + len2
 * octets, a multiple of the block length; out may equal in1, in2 must not overlap out). Open
 * verifies then decrypts `in` into `out` (out may equal in, otherwise no overlap); on DS_E_AUTH
 * out holds no plaintext. `tail` as for the _ext forms. */
int ds_cipher_seal_gather(ds_cipher *c, const uint8_t *aad, size_t aad_len, const uint8_t *iv,
			  const uint8_t *in1, size_t len1, const uint8_t *in2, size_t len2,
			  uint8_t *out, const uint8_t *tail, size_t tail_len, uint8_t *icv);
int ds_cipher_open_to(ds_cipher *c, const uint8_t *aad, size_t aad_len, const uint8_t *iv,
		      const uint8_t *in, size_t len, uint8_t *out, const uint8_t *tail,
		      size_t tail_len, const uint8_t *icv);

#endif
