/* Fuzz the IPv4 / UDP / RFC 5555 UDP-4191 and IP-in-IP walker; a tunnel that walks is rebuilt
 * around the same inner packet and must walk the same. The inner IPv6 packet is walked too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "wire/ip6.h"
#include "wire/ipv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ds_ipv4_pkt k, k2;
	int rc = ds_ipv4_walk(data, size, &k);
	if (rc > 0 || rc <= DS_E__COUNT)
		abort();
	if (rc != DS_OK || k.inner_ver == 0)
		return 0;
	if (k.inner_off > size || k.inner_len > size - k.inner_off)
		abort();
	const uint8_t *in = data + k.inner_off;
	if (k.inner_ver == 6) {
		ds_ipv6_pkt k6;
		(void)ds_ipv6_walk(in, k.inner_len, &k6);
	}
	static uint8_t out[65536];
	size_t len;
	if (k.udp)
		rc = ds_ipv4_udp_build(k.ip.src, k.ip.dst, k.uh.sport, k.uh.dport, k.ip.ttl, in,
				       k.inner_len, out, sizeof out, &len);
	else
		rc = ds_ipv4_encap_build(k.ip.src, k.ip.dst, k.ip.ttl, in, k.inner_len, out,
					 sizeof out, &len);
	if (rc == DS_E_PARAM)
		return 0;  /* options made the original header longer: payload too long for 20 */
	if (rc != DS_OK || ds_ipv4_walk(out, len, &k2) != DS_OK)
		abort();
	if (k2.inner_ver != k.inner_ver || k2.inner_len != k.inner_len || k2.proto != k.proto ||
	    memcmp(out + k2.inner_off, in, k.inner_len) || memcmp(k2.ip.src, k.ip.src, 4) ||
	    (k.udp && (k2.uh.sport != k.uh.sport || k2.uh.dport != k.uh.dport)))
		abort();
	return 0;
}
