/* Permanent NAI of EAP-AKA / EAP-AKA' users for EPC (TS 23.003 cl. 19.3.2, RFC 4187
 * cl. 4.1.1.6, RFC 9048 cl. 3): "<p><IMSI>@nai.epc.mnc<MNC>.mcc<MCC>.3gppnetwork.org" where p is
 * '0' (EAP-AKA) or '6' (EAP-AKA'), the MNC always has three digits (a two-digit MNC gets a
 * leading zero) and the IMSI must start with that MCC and MNC. */
#ifndef DSMIP6_EAP_NAI_H
#define DSMIP6_EAP_NAI_H

#include <stddef.h>

#define DS_NAI_PREFIX_AKA '0'
#define DS_NAI_PREFIX_AKA_PRIME '6'
#define DS_NAI_MAX 253

typedef struct ds_nai_id {
	char prefix;      /* '0' or '6' */
	char imsi[16];
	char mcc[4];
	char mnc[4];      /* three digits as in the realm */
	unsigned mnc_len; /* digits of the MNC inside the IMSI: 2 or 3 */
} ds_nai_id;

/* Parses and validates a permanent NAI (case-insensitive realm). DS_OK, or DS_E_PARAM when the
 * string is not a valid permanent EPC NAI (pseudonyms, other realms, bad digits...). */
int ds_nai_parse(const char *nai, size_t len, ds_nai_id *out);

/* Builds the permanent NAI from an IMSI and the length of its MNC (2 or 3). Returns the string
 * length, or a negative ds_err. */
int ds_nai_build(char *out, size_t cap, char prefix, const char *imsi, unsigned mnc_len);

#endif
