/* EAP framing, RFC 3748 cl. 4 and 5. */
#include "eap/eap_msg.h"

#include <string.h>

#include "core/buf.h"
#include "core/err.h"

int ds_eap_parse(const uint8_t *p, size_t len, ds_eap_pkt *out)
{
	ds_rd r = ds_rd_init(p, len);
	memset(out, 0, sizeof *out);
	out->code = ds_rd_u8(&r);
	out->id = ds_rd_u8(&r);
	out->len = ds_rd_u16(&r);
	if (r.err)
		return DS_E_TRUNCATED;
	if (out->len < DS_EAP_HDR_LEN)
		return DS_E_BADLEN;
	if (out->len > len)
		return DS_E_OVERRUN;  /* cl. 4.1: silently discard */
	switch (out->code) {
	case DS_EAP_CODE_SUCCESS:
	case DS_EAP_CODE_FAILURE:
		/* cl. 4.2: Length is 4; a longer one would hold data these codes do not have */
		return out->len == DS_EAP_HDR_LEN ? DS_OK : DS_E_BADLEN;
	case DS_EAP_CODE_REQUEST:
	case DS_EAP_CODE_RESPONSE:
		if (out->len < DS_EAP_HDR_LEN + 1)
			return DS_E_TRUNCATED;
		out->type = p[4];
		out->data = p + 5;
		out->data_len = out->len - 5u;
		return DS_OK;
	default:
		return DS_E_UNKNOWN_TYPE;  /* cl. 4: unknown codes are silently discarded */
	}
}

int ds_eap_build_result(uint8_t *out, size_t cap, uint8_t code, uint8_t id)
{
	if (code != DS_EAP_CODE_SUCCESS && code != DS_EAP_CODE_FAILURE)
		return DS_E_PARAM;
	ds_wr w = ds_wr_init(out, cap);
	ds_wr_u8(&w, code);
	ds_wr_u8(&w, id);
	ds_wr_u16(&w, DS_EAP_HDR_LEN);
	return w.err ? DS_E_NOSPACE : (int)w.off;
}

int ds_eap_build_identity(uint8_t *out, size_t cap, uint8_t id, const char *identity)
{
	size_t n = strlen(identity);
	if (n > 0xffff - 5u)
		return DS_E_PARAM;
	ds_wr w = ds_wr_init(out, cap);
	ds_wr_u8(&w, DS_EAP_CODE_RESPONSE);
	ds_wr_u8(&w, id);
	ds_wr_u16(&w, (uint16_t)(5 + n));
	ds_wr_u8(&w, DS_EAP_TYPE_IDENTITY);
	ds_wr_bytes(&w, identity, n);
	return w.err ? DS_E_NOSPACE : (int)w.off;
}

int ds_eap_build_nak(uint8_t *out, size_t cap, uint8_t id, const uint8_t *types, size_t n)
{
	if (n == 0 || n > 255)
		return DS_E_PARAM;
	ds_wr w = ds_wr_init(out, cap);
	ds_wr_u8(&w, DS_EAP_CODE_RESPONSE);
	ds_wr_u8(&w, id);
	ds_wr_u16(&w, (uint16_t)(5 + n));
	ds_wr_u8(&w, DS_EAP_TYPE_NAK);
	ds_wr_bytes(&w, types, n);
	return w.err ? DS_E_NOSPACE : (int)w.off;
}
