/* TS 24.303 Annex A field checks on decoded MH records (sim_mhtap.h): the flag and option
 * values each procedure's BU, BA, BRI and BRA must carry. Each check returns NULL when the
 * record conforms, else a static description of the first violation. */
#ifndef DSMIP6_SIM_ANNEX_A_H
#define DSMIP6_SIM_ANNEX_A_H

#include <stdbool.h>

#include "sim_mhtap.h"

enum annex_cao { ANNEX_CAO_NONE = 0, ANNEX_CAO_IPV6, ANNEX_CAO_IPV4 };

/* A.2 initial registration / handover (R-22..R-25, R-35, R-39, R-41): lifetime > 0, A H K R O
 * set, F clear; IPv4 HoA option with 0.0.0.0/32 P=0 when ipv4_request, with `keep4` when given;
 * from an IPv4 access: UDP 4191, IPv4 CoA option; from IPv6: HAO and ESP. */
const char *annex_a2_bu(const sim_mh_rec *r, bool ipv4_access, bool ipv4_request,
			const ds_addr *keep4);
/* A.3 re-registration: as A.2 but O clear; IPv4 HoA option with keep4 when set. */
const char *annex_a3_bu(const sim_mh_rec *r, bool ipv4_access, const ds_addr *keep4);
/* A.5 UE-initiated detach: lifetime 0, A H K set, F clear. */
const char *annex_a5_bu(const sim_mh_rec *r, bool ipv4_access);
/* Scenario B de-registration from the home link: lifetime 0, A H set, no HAO. */
const char *annex_dereg_home_bu(const sim_mh_rec *r);
/* Expected BA: status 0, seq = bu_seq, K set, lifetime granted (> 0
 * unless dereg), IPv4 Address Ack success when ipv4_ack, NAT Detection when nat. */
const char *annex_ba_ok(const sim_mh_rec *r, uint16_t bu_seq, bool dereg, bool ipv4_ack, bool nat);
/* A.6 BRI: type 1, trigger 1, P=G=V=0, ESP; BRA: type 2, seq = bri_seq, P=G=V=0, ESP. */
const char *annex_a6_bri(const sim_mh_rec *r);
const char *annex_a6_bra(const sim_mh_rec *r, uint16_t bri_seq);

/* Any record, with only what the record itself tells (used on every message of a run):
 * a BU is checked as A.2 (O=1), A.3 (lifetime > 0, O=0), A.5 (lifetime 0 from a foreign
 * access) or the home de-registration (lifetime 0, no HAO, no UDP); a BA is protected, copies
 * K unless refusing, has a lifetime of 0 exactly for de-registrations, an IPv4 Address Ack
 * with Pref-len 32 when present, and the NAT Detection option exactly when it travels in UDP
 * 4191 (RFC 5555 cl. 4.2, refusals included); BRI and BRA as A.6 (BRA sequence not checked).
 * The IPv4 HoA option, when present, has P=0 and Pref-len 32. Binding Errors are refused. */
const char *annex_any(const sim_mh_rec *r);

#endif
