/* HA-APN construction and validation (TS 23.003 cl. 9.1.1 and cl. 21.2). */
#include "mip/ha_apn.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"

static bool is_ldh_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Labels of 1..63 octets (RFC 1035 cl. 2.3.4), letters/digits/hyphens, no leading or
 * trailing hyphen (TS 23.003 cl. 9.1.1). */
static int check_labels(const char *s, size_t len)
{
	size_t start = 0;
	if (len == 0)
		return DS_E_PARAM;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			if (!is_ldh_alnum(s[i]) && s[i] != '-')
				return DS_E_PARAM;
			continue;
		}
		size_t l = i - start;
		if (l == 0 || l > 63)
			return DS_E_PARAM;
		if (!is_ldh_alnum(s[start]) || !is_ldh_alnum(s[i - 1]))
			return DS_E_PARAM;
		start = i + 1;
	}
	return DS_OK;
}

static bool contains_ci(const char *s, const char *needle)
{
	size_t n = strlen(needle);
	for (; *s; s++)
		if (strncasecmp(s, needle, n) == 0)
			return true;
	return false;
}

static bool ends_with_ci(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && strcasecmp(s + ls - lx, suffix) == 0;
}

static bool starts_with_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

int ds_ha_apn_ni_check(const char *ni)
{
	if (!ni)
		return DS_E_PARAM;
	size_t len = strlen(ni);
	if (len == 0 || len > 63)   /* APN NI: at most 63 octets (TS 23.003 cl. 9.1.1) */
		return DS_E_PARAM;
	if (check_labels(ni, len) != DS_OK)
		return DS_E_PARAM;
	/* cl. 21.2: the HA-APN NI shall not contain "ha-apn." or "w-apn." and shall not end in
	 * ".3gppnetwork.org"; cl. 9.1.1: it shall not start with "rac", "lac", "sgsn" or "rnc"
	 * and shall not end in ".gprs". */
	if (contains_ci(ni, "ha-apn.") || contains_ci(ni, "w-apn.") ||
	    ends_with_ci(ni, ".3gppnetwork.org") || ends_with_ci(ni, ".gprs"))
		return DS_E_PARAM;
	if (starts_with_ci(ni, "rac") || starts_with_ci(ni, "lac") || starts_with_ci(ni, "sgsn") ||
	    starts_with_ci(ni, "rnc"))
		return DS_E_PARAM;
	return DS_OK;
}

static bool all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);
	if (n < min || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int ds_ha_apn_build(const char *ni, const char *mcc, const char *mnc, char *out, size_t cap)
{
	if (!out || cap == 0 || !mcc || !mnc)
		return DS_E_PARAM;
	out[0] = '\0';
	if (ds_ha_apn_ni_check(ni) != DS_OK || !all_digits(mcc, 3, 3) || !all_digits(mnc, 2, 3))
		return DS_E_PARAM;
	char mnc3[4];
	if (strlen(mnc) == 2)
		snprintf(mnc3, sizeof mnc3, "0%s", mnc);
	else
		snprintf(mnc3, sizeof mnc3, "%s", mnc);
	char buf[DS_HA_APN_MAX_LEN + 64];
	int n = snprintf(buf, sizeof buf, "%s.ha-apn.mnc%s.mcc%s.pub.3gppnetwork.org", ni, mnc3,
			 mcc);
	if (n < 0 || (size_t)n > DS_HA_APN_MAX_LEN)
		return DS_E_NOSPACE;
	if ((size_t)n + 1 > cap)
		return DS_E_NOSPACE;
	memcpy(out, buf, (size_t)n + 1);
	return DS_OK;
}
