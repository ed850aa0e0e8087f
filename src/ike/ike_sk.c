/* SK / SKF payload protection (RFC 7296 cl. 3.14, RFC 5282 cl. 3 - 5, RFC 7383 cl. 2.5). */
#include "ike/ike_sk.h"

#include <string.h>

#include "core/err.h"
#include "ike/ike_gcm.h"

int ike_sk_seal(ds_cipher *c, uint64_t *iv_ctr, const ike_hdr *h, uint8_t first_inner,
		const uint8_t *plain, size_t plain_len, uint16_t frag_num, uint16_t frag_total,
		uint8_t *out, size_t cap, size_t *out_len)
{
	size_t iv_len = ds_cipher_iv_len(c), blk = ds_cipher_block_len(c);
	size_t icv_len = ds_cipher_icv_len(c);
	size_t fhdr = frag_total ? 4 : 0;
	/* cl. 3.14: Padding makes (plaintext | padding | pad length) a multiple of the block size. */
	size_t pad = (blk - (plain_len + 1) % blk) % blk;
	size_t enc_len = plain_len + pad + 1;
	size_t sk_len = IKE_GENERIC_HDR_LEN + fhdr + iv_len + enc_len + icv_len;
	size_t total = IKE_HDR_LEN + sk_len;
	if (total > cap || sk_len > 0xffff)
		return DS_E_NOSPACE;

	ds_wr w = ds_wr_init(out, cap);
	ike_hdr hh = *h;
	hh.np = frag_total ? IKE_PL_SKF : IKE_PL_SK;
	hh.length = (uint32_t)total;
	ike_hdr_encode(&w, &hh);
	/* RFC 7383 cl. 2.5: only the first fragment names the first inner payload. */
	ds_wr_u8(&w, (frag_total && frag_num != 1) ? IKE_PL_NONE : first_inner);
	ds_wr_u8(&w, 0);
	ds_wr_u16(&w, (uint16_t)sk_len);
	if (frag_total) {
		ds_wr_u16(&w, frag_num);
		ds_wr_u16(&w, frag_total);
	}
	size_t aad_len = w.off;
	uint8_t *iv = ds_wr_reserve(&w, iv_len);
	uint8_t *buf = ds_wr_reserve(&w, enc_len);
	uint8_t *icv = ds_wr_reserve(&w, icv_len);
	if (w.err)
		return DS_E_NOSPACE;
	if (blk == 16) {
		if (ds_random(iv, iv_len))
			return DS_E_CRYPTO;
	} else {
		uint64_t ctr = ++*iv_ctr;
		for (size_t i = 0; i < iv_len; i++)
			iv[iv_len - 1 - i] = (uint8_t)(ctr >> (8 * (i % 8)));
	}
	memcpy(buf, plain, plain_len);
	/* Padding content is arbitrary (cl. 3.14); zeros keep the output deterministic. */
	memset(buf + plain_len, 0, pad);
	buf[plain_len + pad] = (uint8_t)pad;
	int rc = ds_cipher_seal(c, out, aad_len, iv, buf, enc_len, icv);
	if (rc)
		return DS_E_CRYPTO;
	*out_len = total;
	return DS_OK;
}

int ike_sk_open(ds_cipher *c, uint8_t *msg, size_t len, const ike_pl *sk, uint8_t **plain,
		size_t *plain_len)
{
	size_t iv_len = ds_cipher_iv_len(c), blk = ds_cipher_block_len(c);
	size_t icv_len = ds_cipher_icv_len(c);
	size_t fhdr = sk->type == IKE_PL_SKF ? 4 : 0;
	if (sk->off + IKE_GENERIC_HDR_LEN + sk->len != len)
		return DS_E_BADLEN;
	if (sk->len < fhdr + iv_len + icv_len + 1)
		return DS_E_TRUNCATED;
	size_t enc_len = sk->len - fhdr - iv_len - icv_len;
	/* CBC needs whole blocks; with AES-GCM IKE imposes no alignment (RFC 5282 cl. 3: the
	 * padding may be of any length), unlike ESP's 4-octet rule. */
	if (blk > 4 && enc_len % blk)
		return DS_E_BADLEN;
	uint8_t *body = msg + sk->off + IKE_GENERIC_HDR_LEN;
	uint8_t *iv = body + fhdr;
	uint8_t *buf = iv + iv_len;
	const uint8_t *icv = buf + enc_len;
	size_t aad_len = sk->off + IKE_GENERIC_HDR_LEN + fhdr;
	int rc = ds_cipher_open(c, msg, aad_len, iv, buf, enc_len, icv);
	if (rc)
		return rc == DS_E_AUTH ? DS_E_AUTH : DS_E_CRYPTO;
	uint8_t padlen = buf[enc_len - 1];
	if ((size_t)padlen + 1 > enc_len)
		return DS_E_PADDING;
	*plain = buf;
	*plain_len = enc_len - 1 - padlen;
	return DS_OK;
}

size_t ike_sk_room(const ds_cipher *c, size_t mtu, bool frag)
{
	size_t iv_len = ds_cipher_iv_len(c), blk = ds_cipher_block_len(c);
	size_t over = IKE_HDR_LEN + IKE_GENERIC_HDR_LEN + (frag ? 4 : 0) + iv_len +
		      ds_cipher_icv_len(c);
	if (mtu <= over + blk)
		return 0;
	size_t enc = (mtu - over) / blk * blk;
	return enc - 1;   /* room for the pad length octet with zero padding */
}

int ike_sk_open_gcm(const uint8_t *keymat, size_t keymat_len, uint8_t *msg, size_t len,
		    const ike_pl *sk, uint8_t **plain, size_t *plain_len)
{
	size_t fhdr = sk->type == IKE_PL_SKF ? 4 : 0;
	if (sk->off + IKE_GENERIC_HDR_LEN + sk->len != len)
		return DS_E_BADLEN;
	if (sk->len < fhdr + IKE_GCM_IV_LEN + IKE_GCM_ICV_LEN + 1)
		return DS_E_TRUNCATED;
	size_t enc_len = sk->len - fhdr - IKE_GCM_IV_LEN - IKE_GCM_ICV_LEN;
	uint8_t *iv = msg + sk->off + IKE_GENERIC_HDR_LEN + fhdr;
	uint8_t *buf = iv + IKE_GCM_IV_LEN;
	size_t aad_len = sk->off + IKE_GENERIC_HDR_LEN + fhdr;
	int rc = ike_gcm_open(keymat, keymat_len, msg, aad_len, iv, buf, enc_len, buf + enc_len);
	if (rc)
		return rc;
	uint8_t padlen = buf[enc_len - 1];
	if ((size_t)padlen + 1 > enc_len)
		return DS_E_PADDING;
	*plain = buf;
	*plain_len = enc_len - 1 - padlen;
	return DS_OK;
}
