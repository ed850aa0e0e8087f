/* EAP-AKA (RFC 4187, type 23) and EAP-AKA' (RFC 9048, type 50) message codec: the EAP-AKA
 * header (Subtype, Reserved, cl. 8.1) and the attributes of cl. 10 plus AT_KDF, AT_KDF_INPUT
 * (RFC 9048 cl. 3.1, 3.2) and AT_BIDDING (RFC 9048 cl. 4).
 *
 * The parser never trusts a length: every attribute must fit in the packet, have a non-zero
 * length (in 4-octet units) and the exact size its format allows. Unknown attributes 128..255
 * are skipped; unknown ones below 128 make the whole message unacceptable (cl. 8.1). Only
 * AT_KDF may repeat (RFC 9048 cl. 3.2); any other repetition is malformed. */
#ifndef DSMIP6_EAP_EAP_AKA_ATTR_H
#define DSMIP6_EAP_EAP_AKA_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Subtypes (RFC 4187 cl. 11). */
enum {
	DS_AKA_CHALLENGE = 1,
	DS_AKA_AUTH_REJECT = 2,
	DS_AKA_SYNC_FAILURE = 4,
	DS_AKA_IDENTITY = 5,
	DS_AKA_NOTIFICATION = 12,
	DS_AKA_REAUTH = 13,
	DS_AKA_CLIENT_ERROR = 14,
};

/* Attribute types (RFC 4187 cl. 11, RFC 9048 cl. 8). */
enum {
	DS_AT_RAND = 1,
	DS_AT_AUTN = 2,
	DS_AT_RES = 3,
	DS_AT_AUTS = 4,
	DS_AT_PADDING = 6,
	DS_AT_PERMANENT_ID_REQ = 10,
	DS_AT_MAC = 11,
	DS_AT_NOTIFICATION = 12,
	DS_AT_ANY_ID_REQ = 13,
	DS_AT_IDENTITY = 14,
	DS_AT_FULLAUTH_ID_REQ = 17,
	DS_AT_COUNTER = 19,
	DS_AT_COUNTER_TOO_SMALL = 20,
	DS_AT_NONCE_S = 21,
	DS_AT_CLIENT_ERROR_CODE = 22,
	DS_AT_KDF_INPUT = 23,
	DS_AT_KDF = 24,
	DS_AT_IV = 129,
	DS_AT_ENCR_DATA = 130,
	DS_AT_NEXT_PSEUDONYM = 132,
	DS_AT_NEXT_REAUTH_ID = 133,
	DS_AT_CHECKCODE = 134,
	DS_AT_RESULT_IND = 135,
	DS_AT_BIDDING = 136,
};

/* AT_NOTIFICATION codes (RFC 4187 cl. 10.19): S bit 0x8000 = success, P bit 0x4000 = before
 * the challenge round (no AT_MAC). */
enum {
	DS_AKA_NOTIF_S = 0x8000,
	DS_AKA_NOTIF_P = 0x4000,
	DS_AKA_NOTIF_GENERAL_FAILURE_AFTER_AUTH = 0,
	DS_AKA_NOTIF_TEMPORARILY_DENIED = 1026,
	DS_AKA_NOTIF_NOT_SUBSCRIBED = 1031,
	DS_AKA_NOTIF_GENERAL_FAILURE = 16384,
	DS_AKA_NOTIF_SUCCESS = 32768,
};

/* AT_CLIENT_ERROR_CODE (RFC 4187 cl. 10.20). */
enum { DS_AKA_CLIENT_ERR_UNABLE_TO_PROCESS = 0 };

#define DS_AKA_KDF_PRIME 1          /* RFC 9048 cl. 3.2: CK'/IK' and PRF' */
#define DS_AKA_BIDDING_D 0x8000     /* RFC 9048 cl. 4 */
#define DS_AKA_MAX_KDF 8            /* AT_KDF attributes accepted in one message */
#define DS_AKA_MAC_LEN 16
#define DS_AKA_RAND_LEN 16
#define DS_AKA_AUTN_LEN 16
#define DS_AKA_AUTS_LEN 14
#define DS_AKA_RES_MIN_BITS 32      /* RFC 4187 cl. 10.8: RES is 4..16 octets */
#define DS_AKA_RES_MAX_BITS 128

typedef struct ds_aka_msg {
	uint8_t code, id, type, subtype;
	const uint8_t *pkt;          /* the EAP packet, `pkt_len` = its Length field */
	size_t pkt_len;
	uint8_t present[32];         /* bitmap of attribute types seen */
	const uint8_t *rand, *autn, *auts, *res, *mac, *iv, *encr;
	const uint8_t *identity, *checkcode, *kdf_input;
	uint16_t res_bits, identity_len, checkcode_len, kdf_input_len, encr_len;
	size_t mac_off;              /* offset of the 16 MAC octets inside pkt */
	uint16_t notification, client_error, bidding;
	uint16_t kdf[DS_AKA_MAX_KDF];
	uint8_t n_kdf;
	uint8_t bad_attr;            /* set with DS_E_UNKNOWN_TYPE: the non-skippable type */
} ds_aka_msg;

static inline bool ds_aka_has(const ds_aka_msg *m, uint8_t at)
{
	return (m->present[at >> 3] >> (at & 7)) & 1;
}

/* Parse one EAP-AKA or EAP-AKA' Request/Response. Returns DS_OK, DS_E_UNKNOWN_TYPE (with
 * bad_attr) for an unknown non-skippable attribute, or another negative ds_err. */
int ds_aka_parse(const uint8_t *p, size_t len, ds_aka_msg *m);

/* ---- building ---- */

typedef struct ds_aka_builder {
	ds_wr w;
	size_t mac_off;              /* 0: no AT_MAC */
} ds_aka_builder;

void ds_aka_begin(ds_aka_builder *b, uint8_t *buf, size_t cap, uint8_t code, uint8_t id,
		  uint8_t type, uint8_t subtype);
/* Attributes of Length 1 with a 16-bit value (AT_KDF, AT_BIDDING, AT_NOTIFICATION,
 * AT_CLIENT_ERROR_CODE, AT_*_ID_REQ and AT_RESULT_IND with value 0). */
void ds_aka_put_u16(ds_aka_builder *b, uint8_t at, uint16_t v);
/* Two reserved octets then `n` octets (AT_RAND, AT_AUTN, AT_IV, AT_CHECKCODE). */
void ds_aka_put_reserved(ds_aka_builder *b, uint8_t at, const void *data, size_t n);
/* AT_AUTS: 14 octets, no reserved field (RFC 4187 cl. 10.9). */
void ds_aka_put_auts(ds_aka_builder *b, const uint8_t auts[DS_AKA_AUTS_LEN]);
/* AT_RES with its length in bits (RFC 4187 cl. 10.8). */
void ds_aka_put_res(ds_aka_builder *b, const uint8_t *res, uint16_t bits);
/* Actual-length attributes: AT_IDENTITY, AT_KDF_INPUT (2-octet length, value, zero padding). */
void ds_aka_put_lv(ds_aka_builder *b, uint8_t at, const void *data, size_t n);
/* AT_MAC with a zero MAC; ds_aka_mac_sign fills it once the packet is complete. */
void ds_aka_put_mac(ds_aka_builder *b);
/* Writes the EAP Length; returns the packet length or a negative ds_err. */
int ds_aka_finish(ds_aka_builder *b);

#endif
