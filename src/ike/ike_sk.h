/* Encrypted payload SK (RFC 7296 cl. 3.14; AES-GCM per RFC 5282) and its fragmented form SKF
 * (RFC 7383 cl. 2.5): sealing a plaintext payload chain into a whole IKE message, opening one. */
#ifndef DSMIP6_IKE_SK_H
#define DSMIP6_IKE_SK_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "ike/ike_msg.h"

/* Build header | SK{plain} into out. first_inner is the type of the first plaintext payload
 * (IKE_PL_NONE for an empty INFORMATIONAL). iv_ctr supplies unique IVs for GCM (cl. 3.14:
 * the IV must not repeat under one key; a counter guarantees it), CBC IVs are random.
 * frag: 0 for SK, else SKF with frag_num / total. Returns DS_OK / DS_E_NOSPACE / DS_E_CRYPTO. */
int ike_sk_seal(ds_cipher *c, uint64_t *iv_ctr, const ike_hdr *h, uint8_t first_inner,
		const uint8_t *plain, size_t plain_len, uint16_t frag_num, uint16_t frag_total,
		uint8_t *out, size_t cap, size_t *out_len);

/* Open the SK / SKF payload `sk` (the last payload of a message whose bytes are msg[0..len),
 * writable: decryption is in place). On DS_OK *plain points inside msg. DS_E_AUTH for an ICV
 * mismatch, DS_E_BADLEN / DS_E_PADDING for a malformed body. */
int ike_sk_open(ds_cipher *c, uint8_t *msg, size_t len, const ike_pl *sk, uint8_t **plain,
		size_t *plain_len);
/* Same for AES-GCM with the key material given (key || salt): no alignment required. */
int ike_sk_open_gcm(const uint8_t *keymat, size_t keymat_len, uint8_t *msg, size_t len,
		    const ike_pl *sk, uint8_t **plain, size_t *plain_len);

/* Octets of plaintext that fit in an SK(F) message of at most `mtu` octets. */
size_t ike_sk_room(const ds_cipher *c, size_t mtu, bool frag);

#endif
