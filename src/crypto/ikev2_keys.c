/* IKEv2 key derivation and AUTH computations (RFC 7296 cl. 2.14 - 2.18). */
#include "crypto/ikev2_keys.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "crypto/crypto.h"

/* Concatenate up to four spans into a heap buffer (wiped and freed by the caller). */
static uint8_t *cat4(const uint8_t *a, size_t al, const uint8_t *b, size_t bl, const uint8_t *c,
		     size_t cl, const uint8_t *d, size_t dl, size_t *len)
{
	size_t n = al + bl + cl + dl;
	uint8_t *p = malloc(n ? n : 1);
	if (!p)
		return NULL;
	size_t o = 0;
	if (al) { memcpy(p + o, a, al); o += al; }
	if (bl) { memcpy(p + o, b, bl); o += bl; }
	if (cl) { memcpy(p + o, c, cl); o += cl; }
	if (dl) { memcpy(p + o, d, dl); o += dl; }
	*len = n;
	return p;
}

static void wipe_free(uint8_t *p, size_t n)
{
	if (p) {
		ds_wipe(p, n);
		free(p);
	}
}

int ds_ikev2_skeyseed(uint16_t prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		      size_t nr_len, const uint8_t *gir, size_t gir_len, uint8_t *out)
{
	if (!ds_prf_len(prf) || !ni || !nr || !gir || !out)
		return DS_E_PARAM;
	size_t kl;
	uint8_t *key = cat4(ni, ni_len, nr, nr_len, NULL, 0, NULL, 0, &kl);
	if (!key)
		return DS_E_NOMEM;
	int rc = ds_prf(prf, key, kl, gir, gir_len, out);
	wipe_free(key, kl);
	return rc;
}

int ds_ikev2_rekey_skeyseed(uint16_t prf_old, const uint8_t *sk_d_old, size_t sk_d_len,
			    uint16_t prf, const uint8_t *gir, size_t gir_len, const uint8_t *ni,
			    size_t ni_len, const uint8_t *nr, size_t nr_len, uint8_t *out)
{
	/* cl. 2.18: computed with the old IKE SA's PRF; the new PRF decides the later prf+. */
	(void)prf;
	if (!ds_prf_len(prf_old) || !sk_d_old || !gir || !ni || !nr || !out)
		return DS_E_PARAM;
	size_t dl;
	uint8_t *data = cat4(gir, gir_len, ni, ni_len, nr, nr_len, NULL, 0, &dl);
	if (!data)
		return DS_E_NOMEM;
	int rc = ds_prf(prf_old, sk_d_old, sk_d_len, data, dl, out);
	wipe_free(data, dl);
	return rc;
}

int ds_ikev2_derive_sa_keys(uint16_t prf, const uint8_t *skeyseed, const uint8_t *ni,
			    size_t ni_len, const uint8_t *nr, size_t nr_len,
			    const uint8_t spi_i[DS_IKE_SPI_LEN], const uint8_t spi_r[DS_IKE_SPI_LEN],
			    size_t encr_len, size_t integ_len, ds_ike_keys *out)
{
	size_t pl = ds_prf_len(prf);
	if (!pl || !skeyseed || !ni || !nr || !spi_i || !spi_r || !out ||
	    encr_len > DS_IKE_MAX_ENCR_KEY || integ_len > DS_IKE_MAX_INTEG_KEY)
		return DS_E_PARAM;
	size_t sl, total = 3 * pl + 2 * integ_len + 2 * encr_len;
	uint8_t *seed = cat4(ni, ni_len, nr, nr_len, spi_i, DS_IKE_SPI_LEN, spi_r, DS_IKE_SPI_LEN,
			     &sl);
	uint8_t *km = malloc(total);
	int rc = DS_E_NOMEM;
	if (seed && km)
		rc = ds_prf_plus(prf, skeyseed, pl, seed, sl, km, total);
	if (rc == DS_OK) {
		memset(out, 0, sizeof *out);
		out->prf = prf;
		out->prf_len = pl;
		out->integ_len = integ_len;
		out->encr_len = encr_len;
		const uint8_t *p = km;
		memcpy(out->sk_d, p, pl); p += pl;
		memcpy(out->sk_ai, p, integ_len); p += integ_len;
		memcpy(out->sk_ar, p, integ_len); p += integ_len;
		memcpy(out->sk_ei, p, encr_len); p += encr_len;
		memcpy(out->sk_er, p, encr_len); p += encr_len;
		memcpy(out->sk_pi, p, pl); p += pl;
		memcpy(out->sk_pr, p, pl);
	}
	wipe_free(seed, sl);
	wipe_free(km, total);
	return rc;
}

int ds_ikev2_init_keys(uint16_t prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		       size_t nr_len, const uint8_t *gir, size_t gir_len,
		       const uint8_t spi_i[DS_IKE_SPI_LEN], const uint8_t spi_r[DS_IKE_SPI_LEN],
		       size_t encr_len, size_t integ_len, ds_ike_keys *out)
{
	uint8_t skeyseed[DS_IKE_MAX_PRF_LEN];
	int rc = ds_ikev2_skeyseed(prf, ni, ni_len, nr, nr_len, gir, gir_len, skeyseed);
	if (rc == DS_OK)
		rc = ds_ikev2_derive_sa_keys(prf, skeyseed, ni, ni_len, nr, nr_len, spi_i, spi_r,
					     encr_len, integ_len, out);
	ds_wipe(skeyseed, sizeof skeyseed);
	return rc;
}

void ds_ike_keys_wipe(ds_ike_keys *k)
{
	if (k)
		ds_wipe(k, sizeof *k);
}

int ds_ikev2_child_keys(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len, const uint8_t *gir,
			size_t gir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
			size_t nr_len, size_t encr_len, size_t integ_len, ds_child_keys *out)
{
	if (!ds_prf_len(prf) || !sk_d || (!gir && gir_len) || !ni || !nr || !out ||
	    encr_len > DS_IKE_MAX_ENCR_KEY || integ_len > DS_IKE_MAX_INTEG_KEY)
		return DS_E_PARAM;
	size_t sl, total = 2 * (encr_len + integ_len);
	uint8_t *seed = cat4(gir, gir_len, ni, ni_len, nr, nr_len, NULL, 0, &sl);
	uint8_t km[2 * (DS_IKE_MAX_ENCR_KEY + DS_IKE_MAX_INTEG_KEY)];
	if (!seed)
		return DS_E_NOMEM;
	int rc = ds_prf_plus(prf, sk_d, sk_d_len, seed, sl, km, total);
	if (rc == DS_OK) {
		memset(out, 0, sizeof *out);
		out->encr_len = encr_len;
		out->integ_len = integ_len;
		const uint8_t *p = km;
		memcpy(out->ei, p, encr_len); p += encr_len;
		memcpy(out->ai, p, integ_len); p += integ_len;
		memcpy(out->er, p, encr_len); p += encr_len;
		memcpy(out->ar, p, integ_len);
	}
	ds_wipe(km, sizeof km);
	wipe_free(seed, sl);
	return rc;
}

void ds_child_keys_wipe(ds_child_keys *k)
{
	if (k)
		ds_wipe(k, sizeof *k);
}

int ds_ikev2_signed_octets(uint16_t prf, const uint8_t *message, size_t message_len,
			   const uint8_t *nonce, size_t nonce_len, const uint8_t *sk_p,
			   size_t sk_p_len, const uint8_t *id, size_t id_len, uint8_t *out,
			   size_t cap, size_t *out_len)
{
	size_t pl = ds_prf_len(prf);
	if (!pl || !message || !nonce || !sk_p || !id || !out || !out_len)
		return DS_E_PARAM;
	size_t need = message_len + nonce_len + pl;
	if (need < message_len || need > cap)
		return DS_E_NOSPACE;
	memcpy(out, message, message_len);
	memcpy(out + message_len, nonce, nonce_len);
	int rc = ds_prf(prf, sk_p, sk_p_len, id, id_len, out + message_len + nonce_len);
	if (rc == DS_OK)
		*out_len = need;
	return rc;
}

int ds_ikev2_psk_auth(uint16_t prf, const uint8_t *secret, size_t secret_len,
		      const uint8_t *octets, size_t octets_len, uint8_t *out)
{
	static const char pad[] = "Key Pad for IKEv2"; /* 17 ASCII octets, no NUL (cl. 2.15) */
	uint8_t k[DS_IKE_MAX_PRF_LEN];
	size_t pl = ds_prf_len(prf);
	if (!pl || !secret || !octets || !out)
		return DS_E_PARAM;
	int rc = ds_prf(prf, secret, secret_len, (const uint8_t *)pad, sizeof pad - 1, k);
	if (rc == DS_OK)
		rc = ds_prf(prf, k, pl, octets, octets_len, out);
	ds_wipe(k, sizeof k);
	return rc;
}
