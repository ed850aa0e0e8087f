/* Demultiplexing of UDP port 4500 (RFC 3948 cl. 2, RFC 7296 cl. 2.23). */
#include "ipsec/esp_udp.h"

#include <string.h>

#include "core/buf.h"
#include "core/err.h"

enum ds_udp4500_kind ds_udp4500_classify(const uint8_t *p, size_t len, size_t *offset)
{
	size_t off = 0;
	enum ds_udp4500_kind k = DS_UDP4500_INVALID;
	if (len == 1 && p[0] == DS_NAT_KEEPALIVE_BYTE) {
		k = DS_UDP4500_KEEPALIVE;               /* RFC 3948 cl. 2.3 */
	} else if (len >= DS_NON_ESP_MARKER_LEN && ds_get_u32(p) == 0) {
		k = DS_UDP4500_IKE;                     /* cl. 2.2: non-ESP marker */
		off = DS_NON_ESP_MARKER_LEN;
	} else if (len >= DS_ESP_MIN_UDP_LEN) {
		k = DS_UDP4500_ESP;                     /* cl. 2.1: SPI is never 0 */
	}
	if (offset)
		*offset = off;
	return k;
}

size_t ds_udp4500_keepalive(uint8_t *out, size_t cap)
{
	if (!out || cap < 1)
		return 0;
	out[0] = DS_NAT_KEEPALIVE_BYTE;
	return 1;
}

int ds_udp4500_wrap_ike(const uint8_t *ike, size_t len, uint8_t *out, size_t cap,
			size_t *out_len)
{
	ds_wr w = ds_wr_init(out, cap);
	ds_wr_u32(&w, 0);
	ds_wr_bytes(&w, ike, len);
	if (w.err)
		return DS_E_NOSPACE;
	if (out_len)
		*out_len = w.off;
	return DS_OK;
}
