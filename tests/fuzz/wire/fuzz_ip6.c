/* Fuzz the IPv6 extension-header walker (and the MH decoder behind it); a packet that walks is
 * rebuilt from what was found (IPv6 [/ RH2] [/ DO(HAO)] / upper layer) and must walk the same. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/pkt.h"
#include "wire/ip6.h"
#include "wire/mh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ds_ipv6_pkt k, k2;
	int rc = ds_ipv6_walk(data, size, &k);
	if (rc > 0 || rc <= DS_E__COUNT)
		abort();
	if (rc != DS_OK)
		return 0;
	if (k.off > size || k.len > size - k.off)
		abort();
	if (k.proto == DS_NH_MH) {
		ds_mob_msg m;
		(void)ds_mob_decode_csum(data + k.off, k.len, ds_ipv6_pseudo_src(&k),
					 ds_ipv6_pseudo_dst(&k), &m);
	}
	ds_ipv6_spec s = { .hlim = k.ip.hlim ? k.ip.hlim : 64, .tclass = k.ip.tclass,
			   .flow = k.ip.flow, .hao = k.has_hao ? k.hao : NULL,
			   .rh2_hoa = k.has_rh2 ? k.rh2_hoa : NULL, .proto = k.proto,
			   .payload = data + k.off, .payload_len = k.len };
	memcpy(s.src, k.ip.src, 16);
	memcpy(s.dst, k.ip.dst, 16);
	static uint8_t out[65536 + 128];
	size_t len;
	rc = ds_ipv6_build(&s, out, sizeof out, &len);
	if (rc == DS_E_PARAM)
		return 0;  /* upper layer too long to fit with the rebuilt headers */
	if (rc != DS_OK || ds_ipv6_walk(out, len, &k2) != DS_OK)
		abort();
	if (k2.has_hao != k.has_hao || k2.has_rh2 != k.has_rh2 || k2.proto != k.proto ||
	    k2.len != k.len || memcmp(out + k2.off, data + k.off, k.len) ||
	    (k.has_hao && memcmp(k.hao, k2.hao, 16)) ||
	    (k.has_rh2 && memcmp(k.rh2_hoa, k2.rh2_hoa, 16)) ||
	    memcmp(k.ip.src, k2.ip.src, 16) || memcmp(k.ip.dst, k2.ip.dst, 16))
		abort();
	return 0;
}
