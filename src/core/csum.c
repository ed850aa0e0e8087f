#include "core/csum.h"

uint32_t ds_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t s = sum;
	while (len >= 2) {
		s += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		s += (uint32_t)p[0] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t ds_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t ds_csum_ipv6(const uint8_t src[16], const uint8_t dst[16], uint8_t next_header,
		      const void *data, size_t len)
{
	uint8_t tail[8] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			    (uint8_t)len, 0, 0, 0, next_header };
	uint32_t s = ds_csum_add(0, src, 16);
	s = ds_csum_add(s, dst, 16);
	s = ds_csum_add(s, tail, sizeof tail);
	return ds_csum_fold(ds_csum_add(s, data, len));
}

uint16_t ds_csum_ipv4(const uint8_t src[4], const uint8_t dst[4], uint8_t proto,
		      const void *data, size_t len)
{
	uint8_t tail[4] = { 0, proto, (uint8_t)(len >> 8), (uint8_t)len };
	uint32_t s = ds_csum_add(0, src, 4);
	s = ds_csum_add(s, dst, 4);
	s = ds_csum_add(s, tail, sizeof tail);
	return ds_csum_fold(ds_csum_add(s, data, len));
}
