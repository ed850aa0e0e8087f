/* IKEv2 key schedule and shared-key AUTH (RFC 7296 cl. 2.13 - 2.18). */
#include "ike/ike_keys.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "crypto/crypto.h"

int ike_keys_derive(const ds_ike_suite *s, uint16_t old_prf, const uint8_t *old_sk_d,
		    size_t old_len,
		    const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		    const uint8_t *gir, size_t gir_len, uint64_t spi_i, uint64_t spi_r, ike_keys *k)
{
	memset(k, 0, sizeof(*k));
	k->prf_len = ds_prf_len(s->prf);
	k->encr_len = ds_cipher_encr_keymat(s->encr, s->encr_bits);
	k->integ_len = s->integ ? ds_cipher_integ_keymat(s->integ) : 0;
	if (!k->prf_len || !k->encr_len || k->prf_len > IKE_KEY_MAX || k->encr_len > IKE_KEY_MAX ||
	    k->integ_len > IKE_KEY_MAX || ni_len > IKE_NONCE_MAX || nr_len > IKE_NONCE_MAX ||
	    gir_len > 1024)
		return DS_E_PARAM;

	uint8_t seed[2 * IKE_NONCE_MAX + 16 + 1024];
	uint8_t skeyseed[IKE_KEY_MAX];
	int rc;
	if (old_sk_d) {
		/* cl. 2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), with the old SA's
		 * PRF ("the rekeying exchange belongs to the old IKE SA"); its output is
		 * the key of the new PRF below, any length being fine for the HMAC PRFs. */
		if (ds_prf_len(old_prf) == 0 || ds_prf_len(old_prf) > IKE_KEY_MAX)
			return DS_E_PARAM;
		memcpy(seed, gir, gir_len);
		memcpy(seed + gir_len, ni, ni_len);
		memcpy(seed + gir_len + ni_len, nr, nr_len);
		rc = ds_prf(old_prf, old_sk_d, old_len, seed, gir_len + ni_len + nr_len, skeyseed);
	} else {
		memcpy(seed, ni, ni_len);
		memcpy(seed + ni_len, nr, nr_len);
		rc = ds_prf(s->prf, seed, ni_len + nr_len, gir, gir_len, skeyseed);
	}
	if (rc)
		goto out;
	size_t n = 0;
	memcpy(seed, ni, ni_len);
	n += ni_len;
	memcpy(seed + n, nr, nr_len);
	n += nr_len;
	ds_wr w = ds_wr_init(seed + n, 16);
	ds_wr_u64(&w, spi_i);
	ds_wr_u64(&w, spi_r);
	n += 16;

	size_t total = 3 * k->prf_len + 2 * k->integ_len + 2 * k->encr_len;
	uint8_t km[7 * IKE_KEY_MAX];
	size_t seed_len = old_sk_d ? ds_prf_len(old_prf) : k->prf_len;
	rc = ds_prf_plus(s->prf, skeyseed, seed_len, seed, n, km, total);
	if (rc == DS_OK) {
		const uint8_t *p = km;
		memcpy(k->sk_d, p, k->prf_len); p += k->prf_len;
		memcpy(k->sk_ai, p, k->integ_len); p += k->integ_len;
		memcpy(k->sk_ar, p, k->integ_len); p += k->integ_len;
		memcpy(k->sk_ei, p, k->encr_len); p += k->encr_len;
		memcpy(k->sk_er, p, k->encr_len); p += k->encr_len;
		memcpy(k->sk_pi, p, k->prf_len); p += k->prf_len;
		memcpy(k->sk_pr, p, k->prf_len);
	}
	ds_wipe(km, sizeof(km));
out:
	ds_wipe(skeyseed, sizeof(skeyseed));
	ds_wipe(seed, sizeof(seed));
	return rc;
}

int ike_keymat(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len, const uint8_t *gir,
	       size_t gir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
	       uint8_t *out, size_t out_len)
{
	size_t n = gir_len + ni_len + nr_len;
	uint8_t *seed = malloc(n ? n : 1);
	if (!seed)
		return DS_E_NOMEM;
	if (gir_len)
		memcpy(seed, gir, gir_len);
	memcpy(seed + gir_len, ni, ni_len);
	memcpy(seed + gir_len + ni_len, nr, nr_len);
	int rc = ds_prf_plus(prf, sk_d, sk_d_len, seed, n, out, out_len);
	ds_wipe(seed, n);
	free(seed);
	return rc;
}

size_t ike_signed_octets(uint16_t prf, const uint8_t *sk_p, size_t sk_p_len, const uint8_t *msg,
			 size_t msg_len, const uint8_t *nonce, size_t nonce_len,
			 const uint8_t *id_body, size_t id_len, uint8_t *out, size_t cap)
{
	size_t plen = ds_prf_len(prf);
	if (!plen || msg_len + nonce_len + plen > cap)
		return 0;
	memcpy(out, msg, msg_len);
	memcpy(out + msg_len, nonce, nonce_len);
	if (ds_prf(prf, sk_p, sk_p_len, id_body, id_len, out + msg_len + nonce_len))
		return 0;
	return msg_len + nonce_len + plen;
}

int ike_auth_mac(uint16_t prf, const uint8_t *secret, size_t secret_len, const uint8_t *octets,
		 size_t len, uint8_t *out)
{
	static const char pad[] = "Key Pad for IKEv2";  /* 17 ASCII octets, no NUL (cl. 2.15) */
	uint8_t inner[IKE_KEY_MAX];
	size_t plen = ds_prf_len(prf);
	if (!plen)
		return DS_E_PARAM;
	int rc = ds_prf(prf, secret, secret_len, (const uint8_t *)pad, sizeof(pad) - 1, inner);
	if (rc == DS_OK)
		rc = ds_prf(prf, inner, plen, octets, len, out);
	ds_wipe(inner, sizeof(inner));
	return rc;
}

void ike_keys_wipe(ike_keys *k)
{
	ds_wipe(k, sizeof(*k));
}
