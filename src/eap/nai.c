/* Permanent EPC NAI (TS 23.003 cl. 19.3.2), see nai.h. */
#include "eap/nai.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"

static bool all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

int ds_nai_parse(const char *nai, size_t len, ds_nai_id *out)
{
	static const char r1[] = "nai.epc.mnc", r2[] = ".mcc", r3[] = ".3gppnetwork.org";
	memset(out, 0, sizeof *out);
	if (len > DS_NAI_MAX || memchr(nai, '\0', len))
		return DS_E_PARAM;
	const char *at = memchr(nai, '@', len);
	if (!at)
		return DS_E_PARAM;
	size_t user = (size_t)(at - nai);
	const char *realm = at + 1;
	size_t rlen = len - user - 1;
	/* username: prefix + 6..15 IMSI digits */
	if (user < 7 || user > 16)
		return DS_E_PARAM;
	if (nai[0] != DS_NAI_PREFIX_AKA && nai[0] != DS_NAI_PREFIX_AKA_PRIME)
		return DS_E_PARAM;
	if (!all_digits(nai + 1, user - 1))
		return DS_E_PARAM;
	/* realm: nai.epc.mncXXX.mccYYY.3gppnetwork.org, exactly */
	size_t want = sizeof r1 - 1 + 3 + sizeof r2 - 1 + 3 + sizeof r3 - 1;
	if (rlen != want)
		return DS_E_PARAM;
	const char *p = realm;
	if (strncasecmp(p, r1, sizeof r1 - 1))
		return DS_E_PARAM;
	p += sizeof r1 - 1;
	const char *mnc = p;
	p += 3;
	if (strncasecmp(p, r2, sizeof r2 - 1))
		return DS_E_PARAM;
	p += sizeof r2 - 1;
	const char *mcc = p;
	p += 3;
	if (strncasecmp(p, r3, sizeof r3 - 1))
		return DS_E_PARAM;
	if (!all_digits(mnc, 3) || !all_digits(mcc, 3))
		return DS_E_PARAM;
	const char *imsi = nai + 1;
	size_t ilen = user - 1;
	/* the IMSI starts with MCC then MNC (2 digits: realm "0" + MNC, or 3 digits) */
	if (memcmp(imsi, mcc, 3))
		return DS_E_PARAM;
	if (!memcmp(imsi + 3, mnc, 3))
		out->mnc_len = 3;
	else if (mnc[0] == '0' && !memcmp(imsi + 3, mnc + 1, 2))
		out->mnc_len = 2;
	else
		return DS_E_PARAM;
	out->prefix = nai[0];
	memcpy(out->imsi, imsi, ilen);
	memcpy(out->mcc, mcc, 3);
	memcpy(out->mnc, mnc, 3);
	return DS_OK;
}

int ds_nai_build(char *out, size_t cap, char prefix, const char *imsi, unsigned mnc_len)
{
	size_t n = strlen(imsi);
	if ((prefix != DS_NAI_PREFIX_AKA && prefix != DS_NAI_PREFIX_AKA_PRIME) ||
	    (mnc_len != 2 && mnc_len != 3) || n < 6 || n > 15 || !all_digits(imsi, n))
		return DS_E_PARAM;
	char mnc[4];
	if (mnc_len == 2)
		snprintf(mnc, sizeof mnc, "0%.2s", imsi + 3);
	else
		snprintf(mnc, sizeof mnc, "%.3s", imsi + 3);
	int w = snprintf(out, cap, "%c%s@nai.epc.mnc%s.mcc%.3s.3gppnetwork.org", prefix, imsi, mnc,
			 imsi);
	if (w < 0 || (size_t)w >= cap)
		return DS_E_NOSPACE;
	return w;
}
