/* MILENAGE (TS 35.206 cl. 4.1) on top of OpenSSL's AES-128: dsmip6 implements the mode of
 * operation only, never the block cipher. The rotation and constant values are the defaults of
 * TS 35.206 cl. 4.1: r1 = 64, r2 = 0, r3 = 32, r4 = 64, r5 = 96 bits and c1..c5 = 0, 1, 2, 4, 8
 * in the last octet. */
#include "crypto/milenage.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/err.h"

/* One AES-128 key schedule used for every E_K of a MILENAGE run. */
typedef struct milenage_ctx {
	EVP_CIPHER_CTX *c;
} milenage_ctx;

static int mctx_init(milenage_ctx *m, const uint8_t k[16])
{
	m->c = EVP_CIPHER_CTX_new();
	if (!m->c)
		return DS_E_CRYPTO;
	if (EVP_EncryptInit_ex(m->c, EVP_aes_128_ecb(), NULL, k, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(m->c, 0) != 1) {
		EVP_CIPHER_CTX_free(m->c);
		m->c = NULL;
		return DS_E_CRYPTO;
	}
	return DS_OK;
}

static void mctx_free(milenage_ctx *m)
{
	EVP_CIPHER_CTX_free(m->c);  /* also cleanses the key schedule */
	m->c = NULL;
}

/* out = E_K(in), one 128-bit block */
static int ek(milenage_ctx *m, const uint8_t in[16], uint8_t out[16])
{
	int n = 0;
	if (EVP_EncryptUpdate(m->c, out, &n, in, 16) != 1 || n != 16)
		return DS_E_CRYPTO;
	return DS_OK;
}

static void xor16(uint8_t *d, const uint8_t *a, const uint8_t *b)
{
	for (int i = 0; i < 16; i++)
		d[i] = a[i] ^ b[i];
}

/* Cyclic left rotation by a whole number of octets (r is a multiple of 8 for the defaults). */
static void rot(uint8_t out[16], const uint8_t in[16], unsigned r_bits)
{
	unsigned s = r_bits / 8;
	for (unsigned i = 0; i < 16; i++)
		out[i] = in[(i + s) % 16];
}

int ds_milenage_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16])
{
	milenage_ctx m;
	uint8_t t[16];
	int rc = mctx_init(&m, k);
	if (rc)
		return rc;
	rc = ek(&m, op, t);
	if (!rc)
		xor16(opc, t, op);
	mctx_free(&m);
	OPENSSL_cleanse(t, sizeof t);
	return rc;
}

/* TEMP = E_K(RAND xor OPc), shared by every function. */
static int temp_of(milenage_ctx *m, const uint8_t opc[16], const uint8_t rand[16],
		   uint8_t temp[16])
{
	uint8_t x[16];
	xor16(x, rand, opc);
	int rc = ek(m, x, temp);
	OPENSSL_cleanse(x, sizeof x);
	return rc;
}

int ds_milenage_f1(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		   const uint8_t sqn[6], const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8])
{
	milenage_ctx m;
	uint8_t temp[16], in1[16], x[16], r[16], out1[16];
	int rc = mctx_init(&m, k);
	if (rc)
		return rc;
	rc = temp_of(&m, opc, rand, temp);
	if (!rc) {
		/* IN1 = SQN || AMF || SQN || AMF */
		memcpy(in1, sqn, 6);
		memcpy(in1 + 6, amf, 2);
		memcpy(in1 + 8, sqn, 6);
		memcpy(in1 + 14, amf, 2);
		/* OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1) xor c1) xor OPc, c1 = 0 */
		xor16(x, in1, opc);
		rot(r, x, 64);
		xor16(x, temp, r);
		rc = ek(&m, x, out1);
	}
	if (!rc) {
		xor16(out1, out1, opc);
		if (mac_a)
			memcpy(mac_a, out1, 8);
		if (mac_s)
			memcpy(mac_s, out1 + 8, 8);
	}
	mctx_free(&m);
	OPENSSL_cleanse(temp, sizeof temp);
	OPENSSL_cleanse(out1, sizeof out1);
	OPENSSL_cleanse(x, sizeof x);
	OPENSSL_cleanse(r, sizeof r);
	return rc;
}

/* OUTn = E_K(rot(TEMP xor OPc, r) xor c) xor OPc with c having `cbyte` in its last octet. */
static int out_n(milenage_ctx *m, const uint8_t temp[16], const uint8_t opc[16], unsigned r_bits,
		 uint8_t cbyte, uint8_t out[16])
{
	uint8_t x[16], y[16];
	xor16(x, temp, opc);
	rot(y, x, r_bits);
	y[15] ^= cbyte;
	int rc = ek(m, y, out);
	if (!rc)
		xor16(out, out, opc);
	OPENSSL_cleanse(x, sizeof x);
	OPENSSL_cleanse(y, sizeof y);
	return rc;
}

int ds_milenage_f2345(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
		      uint8_t res[8], uint8_t ck[16], uint8_t ik[16], uint8_t ak[6],
		      uint8_t ak_star[6])
{
	milenage_ctx m;
	uint8_t temp[16], out[16];
	int rc = mctx_init(&m, k);
	if (rc)
		return rc;
	rc = temp_of(&m, opc, rand, temp);
	if (!rc && (res || ak)) {
		rc = out_n(&m, temp, opc, 0, 1, out);     /* OUT2: f2 = bits 64..127, f5 = 0..47 */
		if (!rc && res)
			memcpy(res, out + 8, 8);
		if (!rc && ak)
			memcpy(ak, out, 6);
	}
	if (!rc && ck)
		rc = out_n(&m, temp, opc, 32, 2, ck);     /* OUT3: f3 */
	if (!rc && ik)
		rc = out_n(&m, temp, opc, 64, 4, ik);     /* OUT4: f4 */
	if (!rc && ak_star) {
		rc = out_n(&m, temp, opc, 96, 8, out);    /* OUT5: f5* = bits 0..47 */
		if (!rc)
			memcpy(ak_star, out, 6);
	}
	mctx_free(&m);
	OPENSSL_cleanse(temp, sizeof temp);
	OPENSSL_cleanse(out, sizeof out);
	return rc;
}

int ds_milenage_generate(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
			 const uint8_t sqn[6], const uint8_t amf[2], uint8_t autn[16],
			 uint8_t xres[8], uint8_t ck[16], uint8_t ik[16])
{
	uint8_t ak[6], mac_a[8];
	int rc = ds_milenage_f1(k, opc, rand, sqn, amf, mac_a, NULL);
	if (!rc)
		rc = ds_milenage_f2345(k, opc, rand, xres, ck, ik, ak, NULL);
	if (!rc) {
		for (int i = 0; i < 6; i++)
			autn[i] = sqn[i] ^ ak[i];
		memcpy(autn + 6, amf, 2);
		memcpy(autn + 8, mac_a, 8);
	}
	OPENSSL_cleanse(ak, sizeof ak);
	return rc;
}
