#include "core/addr.h"
#include "core/err.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ds_addr ds_addr6(const uint8_t ip[16], uint16_t port)
{
	ds_addr a = { .family = DS_AF_INET6, .port = port };
	memcpy(a.ip, ip, 16);
	return a;
}

ds_addr ds_addr4(const uint8_t ip[4], uint16_t port)
{
	ds_addr a = { .family = DS_AF_INET, .port = port };
	memcpy(a.ip, ip, 4);
	return a;
}

size_t ds_addr_iplen(const ds_addr *a)
{
	return a->family == DS_AF_INET6 ? 16 : a->family == DS_AF_INET ? 4 : 0;
}

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 0 || v > 65535)
		return DS_E_PARAM;
	*port = (uint16_t)v;
	return DS_OK;
}

int ds_addr_parse(const char *s, ds_addr *out)
{
	char tmp[80];
	if (!s || strlen(s) >= sizeof tmp)
		return DS_E_PARAM;
	strcpy(tmp, s);
	memset(out, 0, sizeof *out);

	char *slash = strchr(tmp, '/');
	if (slash) {
		*slash = '\0';
		char *end;
		long v = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || v < 0 || v > 128)
			return DS_E_PARAM;
		out->plen = (uint8_t)v;
	}
	char *host = tmp;
	if (tmp[0] == '[') {
		char *close = strchr(tmp, ']');
		if (!close)
			return DS_E_PARAM;
		*close = '\0';
		host = tmp + 1;
		if (close[1] == ':') {
			if (parse_port(close + 2, &out->port))
				return DS_E_PARAM;
		} else if (close[1] != '\0') {
			return DS_E_PARAM;
		}
	} else {
		char *colon = strchr(tmp, ':');
		if (colon && strchr(colon + 1, ':') == NULL) { /* exactly one colon: IPv4:port */
			*colon = '\0';
			if (parse_port(colon + 1, &out->port))
				return DS_E_PARAM;
		}
	}
	if (inet_pton(AF_INET6, host, out->ip) == 1) {
		out->family = DS_AF_INET6;
	} else if (inet_pton(AF_INET, host, out->ip) == 1) {
		out->family = DS_AF_INET;
		if (out->plen > 32)
			return DS_E_PARAM;
	} else {
		return DS_E_PARAM;
	}
	return DS_OK;
}

char *ds_addr_fmt(const ds_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "unset";
	if (a->family == DS_AF_INET6)
		inet_ntop(AF_INET6, a->ip, ip, sizeof ip);
	else if (a->family == DS_AF_INET)
		inet_ntop(AF_INET, a->ip, ip, sizeof ip);
	if (a->port && a->family == DS_AF_INET6)
		snprintf(buf, len, "[%s]:%u", ip, a->port);
	else if (a->port)
		snprintf(buf, len, "%s:%u", ip, a->port);
	else if (a->plen)
		snprintf(buf, len, "%s/%u", ip, a->plen);
	else
		snprintf(buf, len, "%s", ip);
	return buf;
}

bool ds_addr_ip_eq(const ds_addr *a, const ds_addr *b)
{
	return a->family == b->family && memcmp(a->ip, b->ip, ds_addr_iplen(a)) == 0;
}

bool ds_addr_eq(const ds_addr *a, const ds_addr *b)
{
	return ds_addr_ip_eq(a, b) && a->port == b->port;
}

bool ds_addr_is_unspec(const ds_addr *a)
{
	static const uint8_t zero[16];
	return a->family == DS_AF_NONE || memcmp(a->ip, zero, ds_addr_iplen(a)) == 0;
}

bool ds_addr_in_prefix(const ds_addr *a, const ds_addr *prefix, unsigned plen)
{
	if (a->family != prefix->family || plen > ds_addr_iplen(a) * 8)
		return false;
	unsigned full = plen / 8, rem = plen % 8;
	if (memcmp(a->ip, prefix->ip, full) != 0)
		return false;
	if (rem == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rem));
	return (a->ip[full] & mask) == (prefix->ip[full] & mask);
}
