/* DNS name checks and the HA-APN used for HA discovery by DNS (TS 24.303 cl. 5.1.2.1.2,
 * TS 23.003 cl. 21.2). */
#ifndef DSMIP6_RT_DNS_NAME_H
#define DSMIP6_RT_DNS_NAME_H

#include <stdbool.h>
#include <stddef.h>

/* True for dot-separated labels of letters, digits and hyphens that begin and end with a letter
 * or digit (RFC 1035 / RFC 1123), 1..63 octets per label, at most `max` octets in all. The APN
 * (TS 23.003 cl. 9.1) and the HA-APN (cl. 21.2) follow the same rule. */
bool ds_dns_name_valid(const char *name, size_t max);

/* HA-APN = HA-APN Network Identifier (the APN) + HA-APN Operator Identifier
 * "ha-apn.mnc<MNC>.mcc<MCC>.pub.3gppnetwork.org", MNC padded to 3 digits (TS 23.003 cl. 21.2);
 * the result is at most 100 octets. Returns DS_OK, DS_E_PARAM (bad input: the Network Identifier
 * must not contain "ha-apn." or "w-apn." nor end in ".3gppnetwork.org") or DS_E_NOSPACE. */
int ds_ha_apn_fqdn(const char *apn, const char *mcc, const char *mnc, char *out, size_t len);

#endif
