/* USIM emulation for the UE: the AKA functions of the USIM (TS 33.102 cl. 6.3.3) over MILENAGE,
 * with sequence number management per TS 33.102 Annex C.2 (an array of 32 SEQ values indexed by
 * IND, the 5 low bits of SQN, the Delta limit and the optional age limit L of C.2.2).
 *
 * The SQN array is the USIM's non-volatile state: hosts persist it (ds_usim_state) between runs,
 * or the UE would accept replayed challenges after a restart. */
#ifndef DSMIP6_EAP_USIM_H
#define DSMIP6_EAP_USIM_H

#include <stdint.h>

#define DS_USIM_IND_BITS 5
#define DS_USIM_ARRAY (1u << DS_USIM_IND_BITS)
#define DS_USIM_DELTA_DEFAULT (1ull << 28)   /* TS 33.102 C.3.1 proposed value of Delta */

typedef struct ds_usim {
	uint8_t k[16];
	uint8_t opc[16];
	uint64_t seq_ms[DS_USIM_ARRAY];   /* highest SEQ accepted per IND (43-bit values) */
	uint64_t delta;                   /* SEQ may not exceed max(SEQ_MS) by more than this */
	uint64_t age_limit;               /* L of Annex C.2.2: max(SEQ_MS) - SEQ < L; 0 = off */
	uint8_t top_ind;                  /* IND of the highest SEQ accepted (SQN_MS) */
	uint32_t accepted, mac_failures, sync_failures;
} ds_usim;

/* sqn_ms: the highest SQN accepted so far (0 for a new card, whose array is all zero, Annex
 * C.2.2). A non-zero value seeds every IND slot with its SEQ: a host that kept only SQN_MS
 * across a restart must not accept an older vector in a slot it forgot (at worst a fresh
 * vector with a lower SEQ costs one resynchronisation). */
void ds_usim_init(ds_usim *u, const uint8_t k[16], const uint8_t opc[16], uint64_t sqn_ms);

/* SQN_MS = SEQ_MS || IND_MS with the highest SEQ of the array (TS 33.102 C.2.1). */
uint64_t ds_usim_sqn_ms(const ds_usim *u);

/* Runs AKA on (RAND, AUTN):
 *   DS_OK        - AUTN authentic and fresh: res (8 octets), ck, ik written; SQN accepted
 *   DS_E_AUTH    - MAC-A wrong (the network is not authentic): authentication reject
 *   DS_E_REPLAY  - SQN not acceptable: auts (14 octets) written for resynchronisation
 *   DS_E_CRYPTO  - library failure */
int ds_usim_authenticate(ds_usim *u, const uint8_t rand[16], const uint8_t autn[16],
			 uint8_t res[8], uint8_t ck[16], uint8_t ik[16], uint8_t auts[14]);

void ds_usim_wipe(ds_usim *u);

/* 48-bit helpers */
uint64_t ds_sqn_get(const uint8_t p[6]);
void ds_sqn_put(uint8_t p[6], uint64_t v);

#endif
