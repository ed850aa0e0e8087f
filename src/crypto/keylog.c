/* Wireshark 4.0 key table lines (see keylog.h). The algorithm names are the strings of
 * Wireshark's packet-isakmp.c (vs_ikev2_encr_algs / vs_ikev2_auth_algs) and packet-esp.c
 * (esp_encryption_type_vals / esp_authentication_type_vals); Wireshark matches them exactly. */
#include "crypto/keylog.h"

#include <stdarg.h>
#include <stdio.h>

#include "core/err.h"
#include "crypto/crypto.h"

const char *ds_keylog_ike_encr_name(uint16_t encr, uint16_t key_bits)
{
	if (encr == DS_ENCR_AES_CBC)
		return key_bits == 128 ? "AES-CBC-128 [RFC3602]" : key_bits == 192 ? "AES-CBC-192 [RFC3602]"
		     : key_bits == 256 ? "AES-CBC-256 [RFC3602]" : NULL;
	if (encr == DS_ENCR_AES_GCM_16)
		return key_bits == 128 ? "AES-GCM-128 with 16 octet ICV [RFC5282]"
		     : key_bits == 192 ? "AES-GCM-192 with 16 octet ICV [RFC5282]"
		     : key_bits == 256 ? "AES-GCM-256 with 16 octet ICV [RFC5282]" : NULL;
	if (encr == DS_ENCR_NULL)
		return "NULL [RFC2410]";
	return NULL;
}

const char *ds_keylog_ike_integ_name(uint16_t integ)
{
	switch (integ) {
	case DS_INTEG_NONE: return "NONE [RFC4306]";
	case DS_INTEG_HMAC_SHA2_256_128: return "HMAC_SHA2_256_128 [RFC4868]";
	case DS_INTEG_HMAC_SHA2_384_192: return "HMAC_SHA2_384_192 [RFC4868]";
	case DS_INTEG_HMAC_SHA2_512_256: return "HMAC_SHA2_512_256 [RFC4868]";
	default: return NULL;
	}
}

const char *ds_keylog_esp_encr_name(uint16_t encr)
{
	switch (encr) {
	case DS_ENCR_NULL: return "NULL";
	case DS_ENCR_AES_CBC: return "AES-CBC [RFC3602]";
	case DS_ENCR_AES_GCM_16: return "AES-GCM with 16 octet ICV [RFC4106]";
	default: return NULL;
	}
}

const char *ds_keylog_esp_integ_name(uint16_t integ)
{
	switch (integ) {
	case DS_INTEG_NONE: return "NULL";
	case DS_INTEG_HMAC_SHA2_256_128: return "HMAC-SHA-256-128 [RFC4868]";
	case DS_INTEG_HMAC_SHA2_384_192: return "HMAC-SHA-384-192 [RFC4868]";
	case DS_INTEG_HMAC_SHA2_512_256: return "HMAC-SHA-512-256 [RFC4868]";
	default: return NULL;
	}
}

/* Appending formatter with overflow tracking. */
typedef struct out_buf {
	char *p;
	size_t cap, off;
	bool err;
} out_buf;

static void put(out_buf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out_buf *o, const char *fmt, ...)
{
	if (o->err)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->p + o->off, o->cap - o->off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->off)
		o->err = true;
	else
		o->off += (size_t)n;
}

static void put_hex(out_buf *o, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(o, "%02x", b[i]);
}

int ds_keylog_ikev2_line(const uint8_t spi_i[DS_IKE_SPI_LEN], const uint8_t spi_r[DS_IKE_SPI_LEN],
			 const ds_ike_keys *k, uint16_t encr, uint16_t key_bits, uint16_t integ,
			 char *out, size_t cap)
{
	if (!spi_i || !spi_r || !k || !out || cap == 0)
		return DS_E_PARAM;
	const char *en = ds_keylog_ike_encr_name(encr, key_bits), *in = ds_keylog_ike_integ_name(integ);
	if (!en || !in)
		return DS_E_UNSUPPORTED;
	out_buf o = { out, cap, 0, false };
	put_hex(&o, spi_i, DS_IKE_SPI_LEN);
	put(&o, ",");
	put_hex(&o, spi_r, DS_IKE_SPI_LEN);
	put(&o, ",");
	put_hex(&o, k->sk_ei, k->encr_len);
	put(&o, ",");
	put_hex(&o, k->sk_er, k->encr_len);
	put(&o, ",\"%s\",", en);
	put_hex(&o, k->sk_ai, k->integ_len);
	put(&o, ",");
	put_hex(&o, k->sk_ar, k->integ_len);
	put(&o, ",\"%s\"", in);
	if (o.err) {
		ds_wipe(out, cap);
		return DS_E_NOSPACE;
	}
	return DS_OK;
}

int ds_keylog_esp_line(const ds_addr *src, const ds_addr *dst, uint32_t spi, uint16_t encr,
		       uint16_t key_bits, const uint8_t *encr_key, uint16_t integ,
		       const uint8_t *integ_key, char *out, size_t cap)
{
	if (!src || !dst || !out || cap == 0 || src->family != dst->family ||
	    (src->family != DS_AF_INET && src->family != DS_AF_INET6))
		return DS_E_PARAM;
	const char *en = ds_keylog_esp_encr_name(encr), *in = ds_keylog_esp_integ_name(integ);
	size_t el = ds_cipher_encr_keymat(encr, key_bits), il = ds_cipher_integ_keymat(integ);
	if (!en || !in || (encr != DS_ENCR_NULL && el == 0))
		return DS_E_UNSUPPORTED;
	if ((el && !encr_key) || (il && !integ_key))
		return DS_E_PARAM;
	/* addresses without port or prefix */
	ds_addr s = *src, d = *dst;
	s.port = d.port = 0;
	s.plen = d.plen = 0;
	char sa[DS_ADDR_STRLEN], da[DS_ADDR_STRLEN];
	out_buf o = { out, cap, 0, false };
	put(&o, "\"%s\",\"%s\",\"%s\",\"0x%08x\",\"%s\",\"", src->family == DS_AF_INET6 ? "IPv6" : "IPv4",
	    ds_addr_fmt(&s, sa, sizeof sa), ds_addr_fmt(&d, da, sizeof da), spi, en);
	if (el) {
		put(&o, "0x");
		put_hex(&o, encr_key, el);
	}
	put(&o, "\",\"%s\",\"", in);
	if (il) {
		put(&o, "0x");
		put_hex(&o, integ_key, il);
	}
	put(&o, "\"");
	if (o.err) {
		ds_wipe(out, cap);
		return DS_E_NOSPACE;
	}
	return DS_OK;
}
