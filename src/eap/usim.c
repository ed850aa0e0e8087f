/* USIM emulation: TS 33.102 cl. 6.3.3 (user side of AKA), cl. 6.3.5 / Annex C (SQN checks and
 * AUTS generation). */
#include "eap/usim.h"

#include <string.h>

#include <openssl/crypto.h>

#include "core/err.h"
#include "crypto/milenage.h"

uint64_t ds_sqn_get(const uint8_t p[6])
{
	uint64_t v = 0;
	for (int i = 0; i < 6; i++)
		v = v << 8 | p[i];
	return v;
}

void ds_sqn_put(uint8_t p[6], uint64_t v)
{
	for (int i = 5; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

void ds_usim_init(ds_usim *u, const uint8_t k[16], const uint8_t opc[16], uint64_t sqn_ms)
{
	memset(u, 0, sizeof *u);
	memcpy(u->k, k, 16);
	memcpy(u->opc, opc, 16);
	u->delta = DS_USIM_DELTA_DEFAULT;
	uint64_t seq = (sqn_ms & 0xffffffffffffull) >> DS_USIM_IND_BITS;
	for (unsigned i = 0; i < DS_USIM_ARRAY; i++)
		u->seq_ms[i] = seq;
	u->top_ind = (uint8_t)(sqn_ms & (DS_USIM_ARRAY - 1));
}

uint64_t ds_usim_sqn_ms(const ds_usim *u)
{
	unsigned i = u->top_ind & (DS_USIM_ARRAY - 1);
	return u->seq_ms[i] << DS_USIM_IND_BITS | i;
}

int ds_usim_authenticate(ds_usim *u, const uint8_t rand[16], const uint8_t autn[16],
			 uint8_t res[8], uint8_t ck[16], uint8_t ik[16], uint8_t auts[14])
{
	uint8_t ak[6], sqn[6], xmac[8];
	int rc = ds_milenage_f2345(u->k, u->opc, rand, res, ck, ik, ak, NULL);
	if (rc)
		return rc;
	/* SQN = (SQN xor AK) xor AK; XMAC = f1(K, SQN, RAND, AMF) */
	for (int i = 0; i < 6; i++)
		sqn[i] = autn[i] ^ ak[i];
	rc = ds_milenage_f1(u->k, u->opc, rand, sqn, autn + 6, xmac, NULL);
	if (rc)
		goto out;
	if (CRYPTO_memcmp(xmac, autn + 8, 8) != 0) {
		u->mac_failures++;
		rc = DS_E_AUTH;
		goto out;
	}
	/* Annex C.2.2: SEQ - max(SEQ_MS) <= Delta, max(SEQ_MS) - SEQ < L when L is applied,
	 * then SEQ > SEQ_MS(IND) */
	uint64_t v = ds_sqn_get(sqn);
	uint64_t seq = v >> DS_USIM_IND_BITS;
	unsigned ind = (unsigned)(v & (DS_USIM_ARRAY - 1));
	uint64_t top = u->seq_ms[u->top_ind & (DS_USIM_ARRAY - 1)];
	if ((seq > top && seq - top > u->delta) ||
	    (u->age_limit && seq < top && top - seq >= u->age_limit) || seq <= u->seq_ms[ind]) {
		/* cl. 6.3.3: AUTS = SQN_MS xor AK* || MAC-S, MAC-S = f1*(K, SQN_MS, RAND, AMF*) with
		 * the dummy AMF* = 0x0000 (cl. 6.3.5) */
		static const uint8_t amf0[2] = { 0, 0 };
		uint8_t ak_s[6], sqn_ms[6];
		ds_sqn_put(sqn_ms, ds_usim_sqn_ms(u));
		rc = ds_milenage_f2345(u->k, u->opc, rand, NULL, NULL, NULL, NULL, ak_s);
		if (!rc)
			rc = ds_milenage_f1(u->k, u->opc, rand, sqn_ms, amf0, NULL, auts + 6);
		if (!rc) {
			for (int i = 0; i < 6; i++)
				auts[i] = sqn_ms[i] ^ ak_s[i];
			u->sync_failures++;
			rc = DS_E_REPLAY;
		}
		OPENSSL_cleanse(ak_s, sizeof ak_s);
		goto out;
	}
	u->seq_ms[ind] = seq;
	if (seq > top)
		u->top_ind = (uint8_t)ind;
	u->accepted++;
out:
	if (rc) {
		OPENSSL_cleanse(res, 8);
		OPENSSL_cleanse(ck, 16);
		OPENSSL_cleanse(ik, 16);
	}
	OPENSSL_cleanse(ak, sizeof ak);
	return rc;
}

void ds_usim_wipe(ds_usim *u)
{
	OPENSSL_cleanse(u, sizeof *u);
}
