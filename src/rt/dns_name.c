#include "rt/dns_name.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"

bool ds_dns_name_valid(const char *name, size_t max)
{
	size_t n = strlen(name);
	if (n == 0 || n > max)
		return false;
	size_t label = 0;
	for (size_t i = 0; i <= n; i++) {
		char ch = name[i];
		if (ch == '.' || ch == '\0') {
			if (label == 0 || label > 63)
				return false;
			if (name[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)ch) && ch != '-')
			return false;
		if (label == 0 && ch == '-')
			return false;
		label++;
	}
	return true;
}

static bool ends_with_ci(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

int ds_ha_apn_fqdn(const char *apn, const char *mcc, const char *mnc, char *out, size_t len)
{
	if (!ds_dns_name_valid(apn, 63) || strcasestr(apn, "ha-apn.") || strcasestr(apn, "w-apn.") ||
	    ends_with_ci(apn, ".3gppnetwork.org") || strlen(mcc) != 3 ||
	    (strlen(mnc) != 2 && strlen(mnc) != 3))
		return DS_E_PARAM;
	char buf[256];
	int n = snprintf(buf, sizeof buf, "%s.ha-apn.mnc%s%s.mcc%s.pub.3gppnetwork.org", apn,
			 strlen(mnc) == 2 ? "0" : "", mnc, mcc);
	if (n < 0 || n > 100 || (size_t)n >= len)
		return DS_E_NOSPACE;
	memcpy(out, buf, (size_t)n + 1);
	return DS_OK;
}
