/* EAP-AKA / EAP-AKA' attribute codec (RFC 4187 cl. 8.1 and 10, RFC 9048 cl. 3 and 4). */
#include "eap/eap_aka_attr.h"

#include <string.h>

#include "core/err.h"
#include "eap/eap_msg.h"

static void mark(ds_aka_msg *m, uint8_t at)
{
	m->present[at >> 3] |= (uint8_t)(1u << (at & 7));
}

/* Units of 4 octets needed for a header (2 octets) plus `n` value octets. */
static size_t units_for(size_t n)
{
	return (2 + n + 3) / 4;
}

/* Actual-length attributes (AT_IDENTITY, AT_KDF_INPUT): 2-octet length, value, padding. */
static int parse_lv(const uint8_t *v, size_t vlen, const uint8_t **out, uint16_t *out_len)
{
	if (vlen < 2)
		return DS_E_BADLEN;
	uint16_t n = ds_get_u16(v);
	if (units_for(2 + (size_t)n) * 4 != vlen + 2)
		return DS_E_BADLEN;
	*out = v + 2;
	*out_len = n;
	return DS_OK;
}

static int parse_one(ds_aka_msg *m, uint8_t at, const uint8_t *v, size_t vlen, size_t voff)
{
	size_t units = (vlen + 2) / 4;
	switch (at) {
	case DS_AT_RAND:
	case DS_AT_AUTN:
	case DS_AT_IV:
		/* reserved(2) + 16 octets; EAP-AKA carries exactly one RAND (cl. 10.6) */
		if (units != 5)
			return DS_E_BADLEN;
		if (at == DS_AT_RAND)
			m->rand = v + 2;
		else if (at == DS_AT_AUTN)
			m->autn = v + 2;
		else
			m->iv = v + 2;
		return DS_OK;
	case DS_AT_MAC:
		if (units != 5)
			return DS_E_BADLEN;
		m->mac = v + 2;
		m->mac_off = voff + 2;
		return DS_OK;
	case DS_AT_AUTS:
		if (units != 4)
			return DS_E_BADLEN;
		m->auts = v;
		return DS_OK;
	case DS_AT_RES: {
		if (vlen < 2)
			return DS_E_BADLEN;
		uint16_t bits = ds_get_u16(v);
		if (bits < DS_AKA_RES_MIN_BITS || bits > DS_AKA_RES_MAX_BITS)
			return DS_E_BADLEN;
		if (units != units_for(2 + (bits + 7u) / 8))
			return DS_E_BADLEN;
		m->res = v + 2;
		m->res_bits = bits;
		return DS_OK;
	}
	case DS_AT_IDENTITY:
		return parse_lv(v, vlen, &m->identity, &m->identity_len);
	case DS_AT_KDF_INPUT:
		return parse_lv(v, vlen, &m->kdf_input, &m->kdf_input_len);
	case DS_AT_CHECKCODE:
		/* reserved(2) + 0, 20 (SHA-1) or 32 (SHA-256, RFC 9048 cl. 3.4.3) octets */
		if (units != 1 && units != 6 && units != 9)
			return DS_E_BADLEN;
		m->checkcode = v + 2;
		m->checkcode_len = (uint16_t)(vlen - 2);
		return DS_OK;
	case DS_AT_ENCR_DATA:
		/* reserved(2) + a non-empty multiple of the AES block (cl. 10.12) */
		if (vlen < 2 + 16 || (vlen - 2) % 16)
			return DS_E_BADLEN;
		m->encr = v + 2;
		m->encr_len = (uint16_t)(vlen - 2);
		return DS_OK;
	case DS_AT_PERMANENT_ID_REQ:
	case DS_AT_ANY_ID_REQ:
	case DS_AT_FULLAUTH_ID_REQ:
	case DS_AT_RESULT_IND:
	case DS_AT_NOTIFICATION:
	case DS_AT_CLIENT_ERROR_CODE:
	case DS_AT_BIDDING:
	case DS_AT_KDF:
		if (units != 1)
			return DS_E_BADLEN;
		if (at == DS_AT_NOTIFICATION)
			m->notification = ds_get_u16(v);
		else if (at == DS_AT_CLIENT_ERROR_CODE)
			m->client_error = ds_get_u16(v);
		else if (at == DS_AT_BIDDING)
			m->bidding = ds_get_u16(v);
		else if (at == DS_AT_KDF) {
			if (m->n_kdf >= DS_AKA_MAX_KDF)
				return DS_E_LOOP;
			m->kdf[m->n_kdf++] = ds_get_u16(v);
		}
		return DS_OK;
	case DS_AT_PADDING:
	case DS_AT_COUNTER:
	case DS_AT_COUNTER_TOO_SMALL:
	case DS_AT_NONCE_S:
		/* known, but only valid inside AT_ENCR_DATA (table of cl. 10.1, column E) */
		return DS_E_RESERVED;
	default:
		if (at < 128) {
			m->bad_attr = at;
			return DS_E_UNKNOWN_TYPE;  /* non-skippable (cl. 8.1) */
		}
		return DS_OK;  /* skippable: ignored, processing continues */
	}
}

int ds_aka_parse(const uint8_t *p, size_t len, ds_aka_msg *m)
{
	ds_eap_pkt e;
	memset(m, 0, sizeof *m);
	int rc = ds_eap_parse(p, len, &e);
	if (rc)
		return rc;
	if (e.code != DS_EAP_CODE_REQUEST && e.code != DS_EAP_CODE_RESPONSE)
		return DS_E_UNKNOWN_TYPE;
	if (e.type != DS_EAP_TYPE_AKA && e.type != DS_EAP_TYPE_AKA_PRIME)
		return DS_E_UNKNOWN_TYPE;
	m->code = e.code;
	m->id = e.id;
	m->type = e.type;
	m->pkt = p;
	m->pkt_len = e.len;

	ds_rd r = ds_rd_init(e.data, e.data_len);
	m->subtype = ds_rd_u8(&r);
	ds_rd_skip(&r, 2);  /* Reserved: ignored on reception */
	if (r.err)
		return DS_E_TRUNCATED;
	while (ds_rd_left(&r) > 0) {
		size_t off = (size_t)(e.data - p) + r.off;
		uint8_t at = ds_rd_u8(&r);
		uint8_t units = ds_rd_u8(&r);
		if (r.err)
			return DS_E_TRUNCATED;
		if (units == 0)
			return DS_E_BADLEN;  /* cl. 8.1: a value is always present */
		size_t vlen = (size_t)units * 4 - 2;
		const uint8_t *v = ds_rd_ptr(&r, vlen);
		if (!v)
			return DS_E_OVERRUN;
		bool known_skippable = at >= 128 && at != DS_AT_IV && at != DS_AT_ENCR_DATA &&
				       at != DS_AT_CHECKCODE && at != DS_AT_RESULT_IND &&
				       at != DS_AT_BIDDING;
		if (!known_skippable) {
			/* every attribute but AT_KDF appears at most once (tables of RFC 4187
			 * cl. 10.1 and RFC 9048 cl. 3.5) */
			if (at != DS_AT_KDF && ds_aka_has(m, at))
				return DS_E_RESERVED;
		}
		rc = parse_one(m, at, v, vlen, off + 2);
		if (rc)
			return rc;
		mark(m, at);
	}
	/* cl. 10.12: AT_IV and AT_ENCR_DATA come together */
	if (ds_aka_has(m, DS_AT_IV) != ds_aka_has(m, DS_AT_ENCR_DATA))
		return DS_E_RESERVED;
	return DS_OK;
}

void ds_aka_begin(ds_aka_builder *b, uint8_t *buf, size_t cap, uint8_t code, uint8_t id,
		  uint8_t type, uint8_t subtype)
{
	b->w = ds_wr_init(buf, cap);
	b->mac_off = 0;
	ds_wr_u8(&b->w, code);
	ds_wr_u8(&b->w, id);
	ds_wr_u16(&b->w, 0);  /* Length, set by ds_aka_finish */
	ds_wr_u8(&b->w, type);
	ds_wr_u8(&b->w, subtype);
	ds_wr_u16(&b->w, 0);  /* Reserved */
}

static void put_hdr(ds_aka_builder *b, uint8_t at, size_t value_len)
{
	size_t units = units_for(value_len);
	if (units > 255) {
		b->w.err = true;
		return;
	}
	ds_wr_u8(&b->w, at);
	ds_wr_u8(&b->w, (uint8_t)units);
}

void ds_aka_put_u16(ds_aka_builder *b, uint8_t at, uint16_t v)
{
	put_hdr(b, at, 2);
	ds_wr_u16(&b->w, v);
}

void ds_aka_put_reserved(ds_aka_builder *b, uint8_t at, const void *data, size_t n)
{
	put_hdr(b, at, 2 + n);
	ds_wr_u16(&b->w, 0);
	ds_wr_bytes(&b->w, data, n);
	ds_wr_zero(&b->w, units_for(2 + n) * 4 - 4 - n);
}

void ds_aka_put_auts(ds_aka_builder *b, const uint8_t auts[DS_AKA_AUTS_LEN])
{
	put_hdr(b, DS_AT_AUTS, DS_AKA_AUTS_LEN);
	ds_wr_bytes(&b->w, auts, DS_AKA_AUTS_LEN);
}

void ds_aka_put_res(ds_aka_builder *b, const uint8_t *res, uint16_t bits)
{
	size_t n = (bits + 7u) / 8;
	put_hdr(b, DS_AT_RES, 2 + n);
	ds_wr_u16(&b->w, bits);
	ds_wr_bytes(&b->w, res, n);
	ds_wr_zero(&b->w, units_for(2 + n) * 4 - 4 - n);
}

void ds_aka_put_lv(ds_aka_builder *b, uint8_t at, const void *data, size_t n)
{
	if (n > 0xffff) {
		b->w.err = true;
		return;
	}
	put_hdr(b, at, 2 + n);
	ds_wr_u16(&b->w, (uint16_t)n);
	ds_wr_bytes(&b->w, data, n);
	ds_wr_zero(&b->w, units_for(2 + n) * 4 - 4 - n);
}

void ds_aka_put_mac(ds_aka_builder *b)
{
	put_hdr(b, DS_AT_MAC, 2 + DS_AKA_MAC_LEN);
	ds_wr_u16(&b->w, 0);
	b->mac_off = b->w.off;
	ds_wr_zero(&b->w, DS_AKA_MAC_LEN);
}

int ds_aka_finish(ds_aka_builder *b)
{
	if (b->w.err || b->w.off > 0xffff)
		return DS_E_NOSPACE;
	ds_wr_put_u16_at(&b->w, 2, (uint16_t)b->w.off);
	return (int)b->w.off;
}
