/* HA-APN (TS 23.003 cl. 21.2): the FQDN a UE resolves to discover its Home Agent
 * (TS 24.303 cl. 5.1.2.1.2, RFC 5026 "lookup by home agent name").
 *
 *   HA-APN = <HA-APN Network Identifier> "." <HA-APN Operator Identifier>
 *   Operator Identifier (default) = "ha-apn.mnc<MNC>.mcc<MCC>.pub.3gppnetwork.org"
 *
 * with MNC and MCC written as three digits (a two-digit MNC gets a leading zero). The whole
 * name is at most 100 octets; labels follow the APN Network Identifier rules (TS 23.003
 * cl. 9.1.1: letters, digits and hyphens, starting and ending with a letter or digit). */
#ifndef DSMIP6_MIP_HA_APN_H
#define DSMIP6_MIP_HA_APN_H

#include <stddef.h>

#define DS_HA_APN_MAX_LEN 100

/* Check an APN / HA-APN Network Identifier: DS_OK, or DS_E_PARAM with a reason (bad label,
 * forbidden "ha-apn." / "w-apn." content, ".3gppnetwork.org" ending, too long). */
int ds_ha_apn_ni_check(const char *ni);
/* Build the HA-APN FQDN into out (NUL-terminated). mcc: 3 digits; mnc: 2 or 3 digits.
 * DS_E_PARAM for a bad input, DS_E_NOSPACE when cap is too small or the name exceeds 100. */
int ds_ha_apn_build(const char *ni, const char *mcc, const char *mnc, char *out, size_t cap);

#endif
