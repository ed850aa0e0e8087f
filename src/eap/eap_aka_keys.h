/* EAP-AKA and EAP-AKA' key derivation and message authentication.
 *
 * EAP-AKA (RFC 4187 cl. 7): MK = SHA1(Identity|IK|CK); the FIPS 186-2 (change notice 1)
 * pseudo-random generator seeded with MK yields K_encr (16), K_aut (16), MSK (64), EMSK (64).
 * AT_MAC is HMAC-SHA1-128 (cl. 10.15), AT_CHECKCODE is SHA-1 (cl. 10.13).
 *
 * EAP-AKA' (RFC 9048 cl. 3.3, 3.4): CK'|IK' = HMAC-SHA-256(CK|IK, S) with
 * S = 0x20 | network name | len | SQN xor AK | 0x0006 (TS 33.402 Annex A.2);
 * MK = PRF'(IK'|CK', "EAP-AKA'"|Identity) yields K_encr (16), K_aut (32), K_re (32), MSK (64),
 * EMSK (64). AT_MAC is HMAC-SHA-256-128, AT_CHECKCODE is SHA-256.
 *
 * The FIPS 186-2 generator needs the bare SHA-1 compression function G (no padding, no length):
 * OpenSSL does not expose it through EVP, so it is taken from OpenSSL's low-level SHA1_Init /
 * SHA1_Transform (deprecated in OpenSSL 3 but present; no SHA-1 code lives in dsmip6). */
#ifndef DSMIP6_EAP_EAP_AKA_KEYS_H
#define DSMIP6_EAP_EAP_AKA_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ds_aka_keys {
	bool prime;            /* EAP-AKA' keys (K_aut 32 octets, K_re valid) */
	uint8_t k_encr[16];
	uint8_t k_aut[32];     /* 16 octets used for EAP-AKA */
	uint8_t k_re[32];      /* EAP-AKA' only */
	uint8_t msk[64];
	uint8_t emsk[64];
} ds_aka_keys;

/* The FIPS 186-2 change notice 1 generator with XSEED = 0 and no "mod q" (RFC 4187 Annex A);
 * out_len must be a multiple of 40 octets. */
int ds_fips186_2_prf(const uint8_t xkey[20], uint8_t *out, size_t out_len);

/* EAP-AKA full authentication keys. */
int ds_aka_derive(ds_aka_keys *k, const void *identity, size_t id_len, const uint8_t ik[16],
		  const uint8_t ck[16]);

/* CK' and IK' of TS 33.402 Annex A.2 (the network name without length or padding). */
int ds_aka_prime_ck_ik(const uint8_t ck[16], const uint8_t ik[16], const void *net_name,
		       size_t net_len, const uint8_t sqn_xor_ak[6], uint8_t ck_p[16],
		       uint8_t ik_p[16]);

/* EAP-AKA' full authentication keys (AT_KDF = 1). */
int ds_aka_prime_derive(ds_aka_keys *k, const void *identity, size_t id_len,
			const uint8_t ik_p[16], const uint8_t ck_p[16]);

/* AT_MAC over the whole EAP packet with the MAC value taken as zero, followed by optional
 * message-specific data (RFC 4187 cl. 10.15). mac_off is the offset of the 16 MAC octets. */
int ds_aka_mac_compute(const ds_aka_keys *k, const uint8_t *pkt, size_t len, size_t mac_off,
		       const uint8_t *extra, size_t extra_len, uint8_t mac[16]);
/* Computes and writes the MAC in place. */
int ds_aka_mac_sign(const ds_aka_keys *k, uint8_t *pkt, size_t len, size_t mac_off);
/* DS_OK if the MAC at mac_off is right (constant-time compare), DS_E_AUTH otherwise. */
int ds_aka_mac_verify(const ds_aka_keys *k, const uint8_t *pkt, size_t len, size_t mac_off);

/* Running AT_CHECKCODE hash over the AKA-Identity round (RFC 4187 cl. 10.13). */
typedef struct ds_aka_checkcode {
	void *md;              /* EVP_MD_CTX */
	bool used;             /* at least one message hashed */
	bool prime;
} ds_aka_checkcode;

int ds_aka_cc_init(ds_aka_checkcode *cc, bool prime);
int ds_aka_cc_add(ds_aka_checkcode *cc, const uint8_t *pkt, size_t len);
/* Value to send or expect: 0 octets if no identity message was hashed, else 20 or 32. */
int ds_aka_cc_value(const ds_aka_checkcode *cc, uint8_t out[32], size_t *out_len);
void ds_aka_cc_free(ds_aka_checkcode *cc);

void ds_aka_keys_wipe(ds_aka_keys *k);

#endif
