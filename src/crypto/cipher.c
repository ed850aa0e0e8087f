/* Encryption + integrity for IKEv2 SK payloads and ESP, over OpenSSL EVP.
 *
 *   AES-GCM-16 (RFC 4106 for ESP, RFC 5282 for IKEv2): key material is key || 4-octet salt,
 *     the 12-octet nonce is salt || 8-octet explicit IV, ICV 16 octets, AAD given by the caller.
 *   AES-CBC (RFC 3602) with HMAC-SHA2-256-128 / 384-192 / 512-256 (RFC 4868): encrypt, then
 *     ICV = first N octets of HMAC(aad || iv || ciphertext [|| tail]).
 *   ENCR_NULL (RFC 2410) with one of the HMACs: integrity only.
 *
 * Speed: the EVP cipher contexts are keyed once at creation and only re-initialised with the
 * IV per call; the HMAC context is keyed once and reset with EVP_MAC_init(NULL key), which
 * keeps the precomputed inner/outer pads. Nothing is allocated per packet. */
#include "crypto/crypto.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/err.h"
#include "crypto/prf_impl.h"

#define GCM_SALT_LEN 4
#define GCM_IV_LEN 8
#define GCM_ICV_LEN 16
#define CBC_IV_LEN 16
#define MAX_HMAC_LEN 64

struct ds_cipher {
	uint16_t encr;
	uint16_t key_bits;
	uint16_t integ;
	size_t iv_len, block_len, icv_len;
	EVP_CIPHER *cipher;        /* NULL for ENCR_NULL */
	EVP_CIPHER_CTX *enc, *dec;
	EVP_CIPHER_CTX *ivgen;     /* CBC only: AES-ECB under the same key, for ds_cipher_make_iv */
	EVP_MAC_CTX *mac;          /* NULL for GCM */
	uint8_t salt[GCM_SALT_LEN];
};

static const char *integ_digest(uint16_t integ)
{
	switch (integ) {
	case DS_INTEG_HMAC_SHA2_256_128: return "SHA256";
	case DS_INTEG_HMAC_SHA2_384_192: return "SHA384";
	case DS_INTEG_HMAC_SHA2_512_256: return "SHA512";
	default: return NULL;
	}
}

/* RFC 4868 cl. 2.1.1 / 2.6: the key is the full digest length, the ICV half of it. */
size_t ds_cipher_integ_keymat(uint16_t integ)
{
	switch (integ) {
	case DS_INTEG_NONE: return 0;
	case DS_INTEG_HMAC_SHA2_256_128: return 32;
	case DS_INTEG_HMAC_SHA2_384_192: return 48;
	case DS_INTEG_HMAC_SHA2_512_256: return 64;
	default: return 0;
	}
}

static bool key_bits_ok(uint16_t bits)
{
	return bits == 128 || bits == 192 || bits == 256;
}

size_t ds_cipher_encr_keymat(uint16_t encr, uint16_t key_bits)
{
	switch (encr) {
	case DS_ENCR_NULL: return 0;
	case DS_ENCR_AES_CBC: return key_bits_ok(key_bits) ? key_bits / 8u : 0;
	case DS_ENCR_AES_GCM_16: return key_bits_ok(key_bits) ? key_bits / 8u + GCM_SALT_LEN : 0;
	default: return 0;
	}
}

static EVP_CIPHER_CTX *keyed_ctx(EVP_CIPHER *cipher, const uint8_t *key, int enc, bool no_pad)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return NULL;
	if (EVP_CipherInit_ex2(ctx, cipher, key, NULL, enc, NULL) != 1 ||
	    (no_pad && EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

ds_cipher *ds_cipher_new(uint16_t encr, uint16_t key_bits, uint16_t integ,
			 const uint8_t *encr_key, const uint8_t *integ_key)
{
	return ds_cipher_new_dir(encr, key_bits, integ, encr_key, integ_key,
				 DS_CIPHER_SEAL | DS_CIPHER_OPEN);
}

ds_cipher *ds_cipher_new_dir(uint16_t encr, uint16_t key_bits, uint16_t integ,
			     const uint8_t *encr_key, const uint8_t *integ_key, unsigned dirs)
{
	const char *name = NULL;
	if (!(dirs & (DS_CIPHER_SEAL | DS_CIPHER_OPEN)) || (dirs & ~(DS_CIPHER_SEAL | DS_CIPHER_OPEN)))
		return NULL;
	if (encr == DS_ENCR_AES_GCM_16) {
		if (integ != DS_INTEG_NONE || !key_bits_ok(key_bits) || !encr_key)
			return NULL; /* RFC 5282 cl. 8: no separate integrity with AEAD */
		name = key_bits == 128 ? "AES-128-GCM" : key_bits == 192 ? "AES-192-GCM" : "AES-256-GCM";
	} else if (encr == DS_ENCR_AES_CBC) {
		if (!integ_digest(integ) || !key_bits_ok(key_bits) || !encr_key || !integ_key)
			return NULL;
		name = key_bits == 128 ? "AES-128-CBC" : key_bits == 192 ? "AES-192-CBC" : "AES-256-CBC";
	} else if (encr == DS_ENCR_NULL) {
		if (!integ_digest(integ) || !integ_key)
			return NULL;  /* NULL encryption without integrity is never allowed */
		key_bits = 0;
	} else {
		return NULL;
	}
	ds_cipher *c = OPENSSL_zalloc(sizeof *c);
	if (!c)
		return NULL;
	c->encr = encr;
	c->key_bits = key_bits;
	c->integ = integ;
	if (name) {
		c->cipher = EVP_CIPHER_fetch(NULL, name, NULL);
		if (!c->cipher)
			goto fail;
		bool cbc = encr == DS_ENCR_AES_CBC;
		/* one context per direction in use: an ESP SA only ever seals or only opens */
		if (dirs & DS_CIPHER_SEAL) {
			c->enc = keyed_ctx(c->cipher, encr_key, 1, cbc);
			if (!c->enc)
				goto fail;
		}
		if (dirs & DS_CIPHER_OPEN) {
			c->dec = keyed_ctx(c->cipher, encr_key, 0, cbc);
			if (!c->dec)
				goto fail;
		}
		if (cbc && (dirs & DS_CIPHER_SEAL)) {
			EVP_CIPHER *ecb = EVP_CIPHER_fetch(NULL, key_bits == 128 ? "AES-128-ECB"
								 : key_bits == 192 ? "AES-192-ECB"
								 : "AES-256-ECB", NULL);
			c->ivgen = ecb ? keyed_ctx(ecb, encr_key, 1, true) : NULL;
			EVP_CIPHER_free(ecb); /* the context keeps its own reference */
			if (!c->ivgen)
				goto fail;
		}
	}
	if (encr == DS_ENCR_AES_GCM_16) {
		memcpy(c->salt, encr_key + key_bits / 8u, GCM_SALT_LEN);
		c->iv_len = GCM_IV_LEN;
		c->block_len = 4;
		c->icv_len = GCM_ICV_LEN;
	} else {
		c->mac = ds_hmac_ctx_new(integ_digest(integ), integ_key, ds_cipher_integ_keymat(integ));
		if (!c->mac)
			goto fail;
		c->iv_len = encr == DS_ENCR_AES_CBC ? CBC_IV_LEN : 0;
		c->block_len = encr == DS_ENCR_AES_CBC ? 16 : 4;
		c->icv_len = ds_cipher_integ_keymat(integ) / 2;
	}
	return c;
fail:
	ds_cipher_free(c);
	return NULL;
}

/* Re-key without allocating: the EVP contexts keep their algorithm and only run the key
 * schedule again (AES expansion, GCM hash key, HMAC pads). */
int ds_cipher_rekey(ds_cipher *c, const uint8_t *encr_key, const uint8_t *integ_key)
{
	if (!c || ((c->enc || c->dec) && !encr_key) || (c->mac && !integ_key))
		return DS_E_PARAM;
	if (c->enc && EVP_CipherInit_ex2(c->enc, NULL, encr_key, NULL, 1, NULL) != 1)
		return DS_E_CRYPTO;
	if (c->dec && EVP_CipherInit_ex2(c->dec, NULL, encr_key, NULL, 0, NULL) != 1)
		return DS_E_CRYPTO;
	if (c->ivgen && EVP_EncryptInit_ex2(c->ivgen, NULL, encr_key, NULL, NULL) != 1)
		return DS_E_CRYPTO;
	if (c->encr == DS_ENCR_AES_GCM_16)
		memcpy(c->salt, encr_key + c->key_bits / 8u, GCM_SALT_LEN);
	if (c->mac && EVP_MAC_init(c->mac, integ_key, ds_cipher_integ_keymat(c->integ), NULL) != 1)
		return DS_E_CRYPTO;
	return DS_OK;
}

void ds_cipher_free(ds_cipher *c)
{
	if (!c)
		return;
	/* EVP_CIPHER_CTX_free and EVP_MAC_CTX_free cleanse their key schedules. */
	EVP_CIPHER_CTX_free(c->enc);
	EVP_CIPHER_CTX_free(c->dec);
	EVP_CIPHER_CTX_free(c->ivgen);
	EVP_CIPHER_free(c->cipher);
	EVP_MAC_CTX_free(c->mac);
	OPENSSL_clear_free(c, sizeof *c);
}

size_t ds_cipher_iv_len(const ds_cipher *c) { return c->iv_len; }

/* GCM (RFC 4106 cl. 3.1): the IV must never repeat under a key; the 64-bit counter itself is
 * used. CBC (RFC 3602 cl. 2.1): the IV must be unpredictable; NIST SP 800-38A Appendix C
 * obtains one by applying the forward cipher, under the encryption key, to a unique nonce:
 * IV = AES-K(counter || 0^64). This avoids a random-generator call (and its fork check) per
 * packet. */
int ds_cipher_make_iv(ds_cipher *c, uint64_t counter, uint8_t *iv)
{
	if (!c || !iv)
		return DS_E_PARAM;
	if (c->encr == DS_ENCR_AES_GCM_16) {
		for (int i = 7; i >= 0; i--, counter >>= 8)
			iv[i] = (uint8_t)counter;
		return DS_OK;
	}
	if (c->encr != DS_ENCR_AES_CBC)
		return DS_OK; /* no IV */
	if (!c->ivgen)
		return DS_E_STATE; /* an open-only context */
	uint8_t block[16] = { 0 };
	int outl = 0;
	for (int i = 7; i >= 0; i--, counter >>= 8)
		block[i] = (uint8_t)counter;
	if (EVP_EncryptUpdate(c->ivgen, iv, &outl, block, sizeof block) != 1 || outl != 16)
		return DS_E_CRYPTO;
	return DS_OK;
}
size_t ds_cipher_block_len(const ds_cipher *c) { return c->block_len; }
size_t ds_cipher_icv_len(const ds_cipher *c) { return c->icv_len; }

/* HMAC(aad || iv || data || tail), truncated to the ICV length. */
static int hmac_icv(ds_cipher *c, const uint8_t *aad, size_t aad_len, const uint8_t *iv,
		    const uint8_t *data, size_t len, const uint8_t *tail, size_t tail_len,
		    uint8_t *icv)
{
	uint8_t full[MAX_HMAC_LEN];
	size_t outl = 0;
	int ok = EVP_MAC_init(c->mac, NULL, 0, NULL) == 1 &&
		 (!aad_len || EVP_MAC_update(c->mac, aad, aad_len) == 1) &&
		 (!c->iv_len || EVP_MAC_update(c->mac, iv, c->iv_len) == 1) &&
		 (!len || EVP_MAC_update(c->mac, data, len) == 1) &&
		 (!tail_len || EVP_MAC_update(c->mac, tail, tail_len) == 1) &&
		 EVP_MAC_final(c->mac, full, &outl, sizeof full) == 1 && outl >= c->icv_len;
	if (ok)
		memcpy(icv, full, c->icv_len);
	ds_wipe(full, sizeof full);
	return ok ? DS_OK : DS_E_CRYPTO;
}

static void gcm_nonce(const ds_cipher *c, const uint8_t *iv, uint8_t nonce[12])
{
	memcpy(nonce, c->salt, GCM_SALT_LEN);
	memcpy(nonce + GCM_SALT_LEN, iv, GCM_IV_LEN);
}

/* Run the cipher over in1 then in2 into out (contiguous). EVP carries partial CBC blocks from
 * one update to the next, so the split need not fall on a block boundary. */
static int crypt2(EVP_CIPHER_CTX *ctx, const uint8_t *in1, size_t len1, const uint8_t *in2,
		  size_t len2, uint8_t *out)
{
	int l1 = 0, l2 = 0;
	if ((len1 && EVP_CipherUpdate(ctx, out, &l1, in1, (int)len1) != 1) ||
	    (len2 && EVP_CipherUpdate(ctx, out + l1, &l2, in2, (int)len2) != 1) ||
	    (size_t)l1 + (size_t)l2 != len1 + len2)
		return DS_E_CRYPTO;
	return DS_OK;
}

int ds_cipher_seal_gather(ds_cipher *c, const uint8_t *aad, size_t aad_len, const uint8_t *iv,
			  const uint8_t *in1, size_t len1, const uint8_t *in2, size_t len2,
			  uint8_t *out, const uint8_t *tail, size_t tail_len, uint8_t *icv)
{
	if (!c || (!aad && aad_len) || (!iv && c->iv_len) || (!in1 && len1) || (!in2 && len2) ||
	    (!out && (len1 || len2)) || !icv || (!tail && tail_len))
		return DS_E_PARAM;
	size_t len = len1 + len2;
	if (len < len1 || len > (size_t)INT32_MAX || aad_len > (size_t)INT32_MAX)
		return DS_E_PARAM;
	if (len % c->block_len)
		return DS_E_BADLEN;
	if (c->cipher && !c->enc)
		return DS_E_STATE; /* an open-only context */
	if (c->encr == DS_ENCR_AES_GCM_16) {
		uint8_t nonce[12];
		int outl = 0, finl = 0;
		if (tail_len)
			return DS_E_PARAM;
		gcm_nonce(c, iv, nonce);
		if (EVP_EncryptInit_ex2(c->enc, NULL, NULL, nonce, NULL) != 1 ||
		    (aad_len && EVP_EncryptUpdate(c->enc, NULL, &outl, aad, (int)aad_len) != 1) ||
		    crypt2(c->enc, in1, len1, in2, len2, out) != DS_OK ||
		    EVP_EncryptFinal_ex(c->enc, out + len, &finl) != 1 || finl != 0 ||
		    EVP_CIPHER_CTX_ctrl(c->enc, EVP_CTRL_AEAD_GET_TAG, GCM_ICV_LEN, icv) != 1)
			return DS_E_CRYPTO;
		return DS_OK;
	}
	if (c->encr == DS_ENCR_AES_CBC) {
		if (EVP_EncryptInit_ex2(c->enc, NULL, NULL, iv, NULL) != 1 ||
		    crypt2(c->enc, in1, len1, in2, len2, out) != DS_OK)
			return DS_E_CRYPTO;
	} else {
		/* ENCR_NULL: the "ciphertext" is the clear text */
		if (len1 && out != in1)
			memmove(out, in1, len1);
		if (len2)
			memmove(out + len1, in2, len2);
	}
	return hmac_icv(c, aad, aad_len, iv, out, len, tail, tail_len, icv);
}

int ds_cipher_open_to(ds_cipher *c, const uint8_t *aad, size_t aad_len, const uint8_t *iv,
		      const uint8_t *in, size_t len, uint8_t *out, const uint8_t *tail,
		      size_t tail_len, const uint8_t *icv)
{
	if (!c || (!aad && aad_len) || (!iv && c->iv_len) || (!in && len) || (!out && len) || !icv ||
	    (!tail && tail_len))
		return DS_E_PARAM;
	if (len > (size_t)INT32_MAX || aad_len > (size_t)INT32_MAX)
		return DS_E_PARAM;
	if (len % c->block_len)
		return DS_E_BADLEN;
	if (c->cipher && !c->dec)
		return DS_E_STATE; /* a seal-only context */
	if (c->encr == DS_ENCR_AES_GCM_16) {
		uint8_t nonce[12], tag[GCM_ICV_LEN];
		int outl = 0, finl = 0;
		if (tail_len)
			return DS_E_PARAM;
		gcm_nonce(c, iv, nonce);
		memcpy(tag, icv, sizeof tag);
		if (EVP_DecryptInit_ex2(c->dec, NULL, NULL, nonce, NULL) != 1 ||
		    EVP_CIPHER_CTX_ctrl(c->dec, EVP_CTRL_AEAD_SET_TAG, GCM_ICV_LEN, tag) != 1 ||
		    (aad_len && EVP_DecryptUpdate(c->dec, NULL, &outl, aad, (int)aad_len) != 1) ||
		    crypt2(c->dec, in, len, NULL, 0, out) != DS_OK)
			return DS_E_CRYPTO;
		/* The tag is checked (constant time, by OpenSSL) in Final. GCM decrypts while
		 * hashing, so on failure `out` holds unauthenticated plaintext: wipe it. */
		if (EVP_DecryptFinal_ex(c->dec, out + len, &finl) != 1) {
			ds_wipe(out, len);
			return DS_E_AUTH;
		}
		return DS_OK;
	}
	/* Encrypt-then-MAC: verify before touching the ciphertext (RFC 4303 cl. 3.4.4.1). */
	uint8_t want[MAX_HMAC_LEN / 2];
	int rc = hmac_icv(c, aad, aad_len, iv, in, len, tail, tail_len, want);
	if (rc != DS_OK)
		return rc;
	if (!ds_ct_equal(want, icv, c->icv_len))
		return DS_E_AUTH;
	if (c->encr == DS_ENCR_AES_CBC) {
		if (EVP_DecryptInit_ex2(c->dec, NULL, NULL, iv, NULL) != 1 ||
		    crypt2(c->dec, in, len, NULL, 0, out) != DS_OK)
			return DS_E_CRYPTO;
	} else if (len && out != in) {
		memmove(out, in, len);
	}
	return DS_OK;
}

int ds_cipher_seal_ext(ds_cipher *c, const uint8_t *aad, size_t aad_len, const uint8_t *iv,
		       uint8_t *buf, size_t len, const uint8_t *tail, size_t tail_len,
		       uint8_t *icv)
{
	return ds_cipher_seal_gather(c, aad, aad_len, iv, buf, len, NULL, 0, buf, tail, tail_len, icv);
}

int ds_cipher_open_ext(ds_cipher *c, const uint8_t *aad, size_t aad_len, const uint8_t *iv,
		       uint8_t *buf, size_t len, const uint8_t *tail, size_t tail_len,
		       const uint8_t *icv)
{
	return ds_cipher_open_to(c, aad, aad_len, iv, buf, len, buf, tail, tail_len, icv);
}

int ds_cipher_seal(ds_cipher *c, const uint8_t *aad, size_t aad_len, const uint8_t *iv,
		   uint8_t *buf, size_t len, uint8_t *icv)
{
	return ds_cipher_seal_ext(c, aad, aad_len, iv, buf, len, NULL, 0, icv);
}

int ds_cipher_open(ds_cipher *c, const uint8_t *aad, size_t aad_len, const uint8_t *iv,
		   uint8_t *buf, size_t len, const uint8_t *icv)
{
	return ds_cipher_open_ext(c, aad, aad_len, iv, buf, len, NULL, 0, icv);
}
