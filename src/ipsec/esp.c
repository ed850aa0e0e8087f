/* ESP (RFC 4303) sealing and opening for one SA.
 *
 * Packet: SPI (4) | Sequence Number (4) | IV | ciphertext of
 *         (payload | padding | Pad Length | Next Header) | ICV
 * Integrity covers SPI .. ciphertext (and, with ESN, the high-order 32 sequence bits appended
 * for the computation only, cl. 2.2.1); with AES-GCM the AAD is SPI | Seq or, with ESN,
 * SPI | Seq high | Seq low (RFC 4106 cl. 5) and the explicit IV is the 64-bit sequence number
 * (unique per key, RFC 4106 cl. 3.1). AES-CBC IVs are the sequence number encrypted under the
 * SA key, unpredictable as RFC 3602 cl. 2.1 requires (ds_cipher_make_iv). */
#include "ipsec/esp.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "crypto/crypto.h"
#include "ipsec/esp_impl.h"

static bool mode_ok(uint8_t m) { return m == DS_ESP_TRANSPORT || m == DS_ESP_TUNNEL; }

/* Lengths of the suite, or false for a combination ds_cipher refuses (GCM with a separate
 * integrity algorithm, CBC or NULL without one, unknown ids or key sizes). */
static bool suite_lengths(const ds_esp_sa_params *p, uint8_t *ivl, uint8_t *bl, uint8_t *icvl)
{
	size_t il = ds_cipher_integ_keymat(p->integ);
	if (p->integ != DS_INTEG_NONE && il == 0)
		return false;
	switch (p->encr) {
	case DS_ENCR_AES_GCM_16:
		if (p->integ != DS_INTEG_NONE || !ds_cipher_encr_keymat(p->encr, p->encr_key_bits))
			return false;
		*ivl = 8, *bl = 4, *icvl = 16;
		return true;
	case DS_ENCR_AES_CBC:
		if (!il || !ds_cipher_encr_keymat(p->encr, p->encr_key_bits))
			return false;
		*ivl = 16, *bl = 16, *icvl = (uint8_t)(il / 2);
		return true;
	case DS_ENCR_NULL:
		if (!il)
			return false;
		*ivl = 0, *bl = 4, *icvl = (uint8_t)(il / 2);
		return true;
	default:
		return false;
	}
}

static unsigned cipher_dir(const ds_esp_sa_params *p)
{
	return p->dir == DS_ESP_OUT ? DS_CIPHER_SEAL : DS_CIPHER_OPEN;
}

/* The cipher contexts serving this SA: its own, its SAD's shared ones (compact), or for a
 * compact SA outside any SAD, its own created on first use. NULL on allocation failure. */
static ds_cipher *sa_cipher(ds_esp_sa *sa)
{
	if (sa->cipher)
		return sa->cipher;
	if (sa->sad)
		return ds_sad_cipher_for(sa->sad, sa);
	size_t el = ds_cipher_encr_keymat(sa->p.encr, sa->p.encr_key_bits);
	sa->cipher = ds_cipher_new_dir(sa->p.encr, sa->p.encr_key_bits, sa->p.integ, sa->key,
				       sa->key + el, cipher_dir(&sa->p));
	return sa->cipher;
}

ds_esp_sa *ds_esp_sa_new(const ds_esp_sa_params *p, int *err)
{
	int e = DS_E_PARAM;
	ds_esp_sa *sa = NULL;
	if (!p || p->spi == 0 || (p->dir != DS_ESP_IN && p->dir != DS_ESP_OUT) || !mode_ok(p->mode))
		goto out;
	uint32_t win = 0;
	if (p->dir == DS_ESP_IN) {
		win = p->replay_window ? p->replay_window : DS_ESP_REPLAY_WINDOW_DEFAULT;
		if (win > DS_ESP_REPLAY_WINDOW_MAX)
			goto out;
		win = (win + 63u) / 64u * 64u;
	}
	e = DS_E_NOMEM;
	sa = calloc(1, sizeof *sa + win / 8u);
	if (!sa)
		goto out;
	sa->p = *p;
	sa->p.encr_key = NULL;
	sa->p.integ_key = NULL;
	sa->win.size = win;
	sa->win.bits = sa->bitmap;
	e = DS_E_UNSUPPORTED;
	if (!suite_lengths(p, &sa->ivl, &sa->bl, &sa->icvl)) {
		free(sa);
		sa = NULL;
		goto out;
	}
	if (p->compact) {
		size_t el = ds_cipher_encr_keymat(p->encr, p->encr_key_bits);
		size_t il = ds_cipher_integ_keymat(p->integ);
		if ((el && !p->encr_key) || (il && !p->integ_key)) {
			free(sa);
			sa = NULL;
			e = DS_E_PARAM;
			goto out;
		}
		if (el)
			memcpy(sa->key, p->encr_key, el);
		if (il)
			memcpy(sa->key + el, p->integ_key, il);
	} else {
		sa->cipher = ds_cipher_new_dir(p->encr, p->encr_key_bits, p->integ, p->encr_key,
					       p->integ_key, cipher_dir(p));
		if (!sa->cipher) {
			free(sa);
			sa = NULL;
			goto out;
		}
	}
	e = DS_OK;
out:
	if (err)
		*err = e;
	return sa;
}

void ds_esp_sa_free(ds_esp_sa *sa)
{
	if (!sa)
		return;
	ds_cipher_free(sa->cipher);
	ds_wipe(sa->key, sizeof sa->key);
	free(sa);
}

uint32_t ds_esp_sa_spi(const ds_esp_sa *sa) { return sa->p.spi; }
uint8_t ds_esp_sa_dir(const ds_esp_sa *sa) { return sa->p.dir; }
uint8_t ds_esp_sa_mode(const ds_esp_sa *sa) { return sa->p.mode; }
void *ds_esp_sa_owner(const ds_esp_sa *sa) { return sa->p.owner; }
void ds_esp_sa_set_owner(ds_esp_sa *sa, void *owner) { sa->p.owner = owner; }
const ds_esp_selector *ds_esp_sa_selector(const ds_esp_sa *sa) { return &sa->p.sel; }
const ds_esp_sa_params *ds_esp_sa_params_of(const ds_esp_sa *sa) { return &sa->p; }
const ds_esp_counters *ds_esp_sa_counters(const ds_esp_sa *sa) { return &sa->cnt; }
uint64_t ds_esp_sa_seq(const ds_esp_sa *sa) { return sa->p.dir == DS_ESP_OUT ? sa->seq : sa->win.top; }

static bool hard_expired(const ds_esp_sa *sa)
{
	return (sa->p.life_packets && sa->cnt.packets >= sa->p.life_packets) ||
	       (sa->p.life_bytes && sa->cnt.bytes >= sa->p.life_bytes);
}

bool ds_esp_sa_soft_expired(const ds_esp_sa *sa)
{
	if (sa->p.life_packets && sa->cnt.packets >= sa->p.life_packets / 10 * 9)
		return true;
	if (sa->p.life_bytes && sa->cnt.bytes >= sa->p.life_bytes / 10 * 9)
		return true;
	return sa->p.dir == DS_ESP_OUT && !sa->p.esn && sa->seq >= (uint64_t)UINT32_MAX / 10 * 9;
}

static size_t pad_len_for(const ds_esp_sa *sa, size_t len)
{
	/* cl. 2.4: payload | padding | 2 trailer octets end on a block (and 4-octet) boundary */
	size_t b = sa->bl;
	return (b - (len + DS_ESP_TRAILER_LEN) % b) % b;
}

size_t ds_esp_sealed_len(const ds_esp_sa *sa, size_t len)
{
	return DS_ESP_HDR_LEN + sa->ivl + len + pad_len_for(sa, len) + DS_ESP_TRAILER_LEN + sa->icvl;
}

static bool is_gcm(const ds_esp_sa *sa) { return sa->p.encr == DS_ENCR_AES_GCM_16; }

static int seal(ds_esp_sa *sa, uint8_t nh, const uint8_t *payload, size_t len, const uint8_t *iv,
		uint8_t *out, size_t cap, size_t *out_len)
{
	if (!sa || (!payload && len) || !out || !out_len)
		return DS_E_PARAM;
	if (sa->p.dir != DS_ESP_OUT)
		return DS_E_STATE;
	size_t need = ds_esp_sealed_len(sa, len);
	if (need > cap || need < len)
		return DS_E_NOSPACE;
	/* cl. 3.3.3: the counter must not cycle; the SA has to be replaced before. */
	uint64_t limit = sa->p.esn ? UINT64_MAX : UINT32_MAX;
	if (sa->seq >= limit) {
		sa->cnt.seq_exhausted++;
		return DS_E_EXHAUSTED;
	}
	if (hard_expired(sa)) {
		sa->cnt.expired++;
		return DS_E_EXHAUSTED;
	}
	ds_cipher *c = sa_cipher(sa);
	if (!c)
		return DS_E_NOMEM;
	uint64_t seq = sa->seq + 1;
	size_t ivl = sa->ivl, icvl = sa->icvl;
	size_t pad = pad_len_for(sa, len), ctl = len + pad + DS_ESP_TRAILER_LEN;
	uint8_t *ivp = out + DS_ESP_HDR_LEN, *ct = ivp + ivl;
	ds_put_u32(out, sa->p.spi);
	ds_put_u32(out + 4, (uint32_t)seq);
	if (ivl) {
		if (iv)
			memcpy(ivp, iv, ivl);
		else if (ds_cipher_make_iv(c, seq, ivp) != DS_OK)
			return DS_E_CRYPTO;
	}
	/* payload is encrypted straight from the caller's buffer, the trailer from a local one */
	uint8_t trailer[16 + DS_ESP_TRAILER_LEN];
	for (size_t i = 0; i < pad; i++)
		trailer[i] = (uint8_t)(i + 1); /* cl. 2.4 default padding 1, 2, 3, ... */
	trailer[pad] = (uint8_t)pad;
	trailer[pad + 1] = nh;
	uint8_t hi[4], aad[12];
	ds_put_u32(hi, (uint32_t)(seq >> 32));
	int rc;
	if (is_gcm(sa)) {
		size_t al = 8;
		ds_put_u32(aad, sa->p.spi);
		if (sa->p.esn) {
			memcpy(aad + 4, hi, 4);
			ds_put_u32(aad + 8, (uint32_t)seq);
			al = 12;
		} else {
			ds_put_u32(aad + 4, (uint32_t)seq);
		}
		rc = ds_cipher_seal_gather(c, aad, al, ivp, payload, len, trailer,
					   pad + DS_ESP_TRAILER_LEN, ct, NULL, 0, ct + ctl);
	} else {
		rc = ds_cipher_seal_gather(c, out, DS_ESP_HDR_LEN, ivp, payload, len, trailer,
					   pad + DS_ESP_TRAILER_LEN, ct, hi, sa->p.esn ? 4 : 0,
					   ct + ctl);
	}
	if (rc != DS_OK)
		return rc;
	sa->seq = seq;
	sa->cnt.packets++;
	sa->cnt.bytes += len;
	*out_len = DS_ESP_HDR_LEN + ivl + ctl + icvl;
	return DS_OK;
}

int ds_esp_seal(ds_esp_sa *sa, uint8_t next_header, const uint8_t *payload, size_t len,
		uint8_t *out, size_t cap, size_t *out_len)
{
	return seal(sa, next_header, payload, len, NULL, out, cap, out_len);
}

int ds_esp_seal_iv(ds_esp_sa *sa, uint8_t next_header, const uint8_t *payload, size_t len,
		   const uint8_t *iv, uint8_t *out, size_t cap, size_t *out_len)
{
	if (!iv)
		return DS_E_PARAM;
	return seal(sa, next_header, payload, len, iv, out, cap, out_len);
}

int ds_esp_peek_spi(const uint8_t *esp, size_t len, uint32_t *spi)
{
	ds_rd r = ds_rd_init(esp, len);
	uint32_t v = ds_rd_u32(&r);
	if (r.err)
		return DS_E_TRUNCATED;
	if (v == 0)
		return DS_E_RESERVED;
	if (spi)
		*spi = v;
	return DS_OK;
}

/* Tunnel mode carries a whole IP packet whose version must agree with the next header. */
static bool inner_ok(uint8_t nh, const uint8_t *p, size_t len)
{
	if (nh == 41)
		return len >= 40 && (p[0] >> 4) == 6;
	if (nh == 4)
		return len >= 20 && (p[0] >> 4) == 4;
	return false;
}

int ds_esp_open(ds_esp_sa *sa, const uint8_t *esp, size_t len, uint8_t *out, size_t cap,
		size_t *out_len, uint8_t *next_header)
{
	if (!sa || !esp || !out || !out_len || !next_header)
		return DS_E_PARAM;
	if (sa->p.dir != DS_ESP_IN)
		return DS_E_STATE;
	size_t ivl = sa->ivl, icvl = sa->icvl, bl = sa->bl;
	ds_rd r = ds_rd_init(esp, len);
	uint32_t spi = ds_rd_u32(&r), seq_lo = ds_rd_u32(&r);
	const uint8_t *iv = ds_rd_ptr(&r, ivl);
	if (r.err || ds_rd_left(&r) < icvl + DS_ESP_TRAILER_LEN) {
		sa->cnt.malformed++;
		return DS_E_TRUNCATED;
	}
	size_t ctl = ds_rd_left(&r) - icvl;
	const uint8_t *ct = ds_rd_cur(&r), *icv = ct + ctl;
	if (ctl % bl) {
		sa->cnt.malformed++;
		return DS_E_BADLEN;
	}
	if (spi != sa->p.spi)
		return DS_E_NOTFOUND;
	if (hard_expired(sa)) {
		sa->cnt.expired++;
		return DS_E_EXHAUSTED;
	}
	/* cl. 3.4.3: reject duplicates and too old numbers before spending the ICV check */
	uint64_t seq = sa->p.esn ? ds_replay_infer_esn(&sa->win, seq_lo) : seq_lo;
	if (!sa->p.no_replay_check && !ds_replay_check(&sa->win, seq)) {
		sa->cnt.replays++;
		return DS_E_REPLAY;
	}
	ds_cipher *c = sa_cipher(sa);
	if (!c)
		return DS_E_NOMEM;
	/* Decrypt straight into out; in place when out is esp (then moved to the start). */
	uint8_t *work;
	if (out == esp) {
		work = out + (size_t)(ct - esp);
	} else {
		if (cap < ctl)
			return DS_E_NOSPACE;
		work = out;
	}
	uint8_t hi[4], aad[12], icvbuf[32], hdr[DS_ESP_HDR_LEN], ivc[16];
	ds_put_u32(hi, (uint32_t)(seq >> 32));
	memcpy(icvbuf, icv, icvl); /* the ICV, header and IV may be overwritten when in place */
	memcpy(hdr, esp, DS_ESP_HDR_LEN);
	if (ivl)
		memcpy(ivc, iv, ivl);
	int rc;
	if (is_gcm(sa)) {
		size_t al = 8;
		ds_put_u32(aad, spi);
		if (sa->p.esn) {
			memcpy(aad + 4, hi, 4);
			ds_put_u32(aad + 8, seq_lo);
			al = 12;
		} else {
			ds_put_u32(aad + 4, seq_lo);
		}
		rc = ds_cipher_open_to(c, aad, al, ivc, ct, ctl, work, NULL, 0, icvbuf);
	} else {
		rc = ds_cipher_open_to(c, hdr, sizeof hdr, ivl ? ivc : NULL, ct, ctl, work, hi,
				       sa->p.esn ? 4 : 0, icvbuf);
	}
	if (rc == DS_E_AUTH) {
		sa->cnt.auth_failures++;
		return DS_E_AUTH;
	}
	if (rc != DS_OK)
		return rc;
	if (!sa->p.no_replay_check)
		ds_replay_update(&sa->win, seq);
	else if (seq > sa->win.top)
		sa->win.top = seq;
	uint8_t padl = work[ctl - 2], nh = work[ctl - 1];
	if ((size_t)padl + DS_ESP_TRAILER_LEN > ctl) {
		sa->cnt.malformed++;
		return DS_E_PADDING;
	}
	size_t pl = ctl - DS_ESP_TRAILER_LEN - padl;
	for (size_t i = 0; i < padl; i++) {
		if (work[pl + i] != (uint8_t)(i + 1)) {
			sa->cnt.malformed++;
			return DS_E_PADDING;
		}
	}
	if (nh == DS_IPPROTO_NONE) {
		/* cl. 2.6: dummy packet, silently discarded by the caller */
		sa->cnt.dummies++;
		*out_len = 0;
		*next_header = nh;
		return DS_OK;
	}
	if (sa->p.mode == DS_ESP_TUNNEL && !inner_ok(nh, work, pl)) {
		sa->cnt.malformed++;
		return DS_E_NEXTHDR;
	}
	if (work != out)
		memmove(out, work, pl);
	sa->cnt.packets++;
	sa->cnt.bytes += pl;
	*out_len = pl;
	*next_header = nh;
	return DS_OK;
}
