/* Transport endpoint used across every engine: an IPv4 or IPv6 address plus an optional port.
 * Engines exchange datagrams with the host as (src endpoint, dst endpoint, bytes). */
#ifndef DSMIP6_CORE_ADDR_H
#define DSMIP6_CORE_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { DS_AF_NONE = 0, DS_AF_INET = 4, DS_AF_INET6 = 6 };

typedef struct ds_addr {
	uint8_t family;  /* DS_AF_INET or DS_AF_INET6; DS_AF_NONE = unset */
	uint8_t plen;    /* prefix length when used as a prefix, else 0 */
	uint16_t port;   /* host byte order; 0 when not a transport endpoint */
	uint8_t ip[16];  /* IPv4 in ip[0..3], rest zero */
} ds_addr;

#define DS_ADDR_STRLEN 56 /* "[ffff:...:ffff]:65535/128" */

ds_addr ds_addr6(const uint8_t ip[16], uint16_t port);
ds_addr ds_addr4(const uint8_t ip[4], uint16_t port);
/* Parse "2001:db8::1", "192.0.2.1", "[2001:db8::1]:500", "192.0.2.1:4500", optional "/len". */
int ds_addr_parse(const char *s, ds_addr *out);
/* Format into buf (at least DS_ADDR_STRLEN); returns buf. Port shown when non-zero. */
char *ds_addr_fmt(const ds_addr *a, char *buf, size_t len);
bool ds_addr_eq(const ds_addr *a, const ds_addr *b);        /* family, ip and port */
bool ds_addr_ip_eq(const ds_addr *a, const ds_addr *b);     /* family and ip only */
bool ds_addr_is_unspec(const ds_addr *a);
/* True when the first `plen` bits of a and prefix are equal (same family). */
bool ds_addr_in_prefix(const ds_addr *a, const ds_addr *prefix, unsigned plen);
size_t ds_addr_iplen(const ds_addr *a);                       /* 4, 16 or 0 */

#endif
