/* EAP-AKA / EAP-AKA' peer for the UE (RFC 4187, RFC 9048) over the USIM emulation of usim.h.
 * It implements ds_eap_peer_ops (eap_method.h): the IKE initiator feeds it each EAP request
 * and sends back the response it writes.
 *
 * What it does: answers EAP-Request/Identity and AKA-Identity with the permanent NAI; verifies
 * AUTN (MAC-A and SQN freshness) and answers AKA-Challenge with RES; sends
 * AKA-Synchronization-Failure with AUTS when the SQN is out of range and
 * AKA-Authentication-Reject when AUTN is forged; verifies AT_MAC, AT_CHECKCODE, the AT_KDF
 * negotiation, AT_KDF_INPUT and the AMF separation bit for EAP-AKA', AT_BIDDING for EAP-AKA;
 * answers notifications, with protected result indications (AT_RESULT_IND) when configured; Naks other methods; resends its last response on a retransmitted
 * request. Fast re-authentication and pseudonyms are not implemented: the peer always uses its
 * permanent identity and never decrypts AT_ENCR_DATA (it ignores AT_NEXT_PSEUDONYM and
 * AT_NEXT_REAUTH_ID, which only live inside it). */
#ifndef DSMIP6_EAP_EAP_AKA_PEER_H
#define DSMIP6_EAP_EAP_AKA_PEER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/log.h"
#include "eap/eap_method.h"
#include "eap/usim.h"

typedef struct ds_eap_aka_peer_cfg {
	const char *identity;     /* permanent NAI, e.g. 0<IMSI>@nai.epc.mnc..3gppnetwork.org */
	uint8_t k[16];
	uint8_t opc[16];
	uint64_t sqn_ms;          /* highest SQN accepted before (0: new USIM) */
	uint64_t sqn_age_limit;   /* L of TS 33.102 C.2.2 in SEQ steps (0: not applied) */
	const ds_usim *usim_state;/* optional: restore a persisted USIM (overrides k/opc/sqn_ms) */
	bool aka_prime;           /* also run EAP-AKA' (type 50) when the server asks for it */
	bool prefer_aka_prime;    /* AT_BIDDING: abort EAP-AKA if the server could do AKA' */
	const char *network_name; /* EAP-AKA': local access network name (NULL: no comparison) */
	bool network_name_strict; /* fail on a network name mismatch instead of logging it */
	bool result_ind;          /* accept protected result indications (RFC 4187 cl. 6.2) */
	ds_logger log;
} ds_eap_aka_peer_cfg;

typedef struct ds_eap_aka_peer_counters {
	uint64_t rx, rx_malformed, rx_dropped, retransmits;
	uint64_t challenges, auth_rejects, sync_failures, client_errors, mac_failures;
	uint64_t notifications, naks, successes, failures;
} ds_eap_aka_peer_counters;

extern const ds_eap_peer_ops ds_eap_aka_peer_ops;

ds_eap_peer *ds_eap_aka_peer_new(const ds_eap_aka_peer_cfg *cfg);

/* State for the host to persist after each run (the USIM SQN array). */
const ds_usim *ds_eap_aka_peer_usim(const ds_eap_peer *p);
const ds_eap_aka_peer_counters *ds_eap_aka_peer_counters_get(const ds_eap_peer *p);
/* Why the run failed (enum ds_eap_fail_reason) and the last AT_NOTIFICATION code received. */
int ds_eap_aka_peer_reason(const ds_eap_peer *p);
int ds_eap_aka_peer_notification(const ds_eap_peer *p);
/* Start a new authentication with the same USIM (keeps the SQN state). */
void ds_eap_aka_peer_reset(ds_eap_peer *p);

#endif
