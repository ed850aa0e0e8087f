/* Mobility Header messages used on S2c, in decoded form, and their codec (RFC 6275 cl. 6.1,
 * RFC 5555 cl. 3, RFC 5846 cl. 6, RFC 5648 cl. 4.2): Binding Update, Binding Acknowledgement,
 * Binding Error, Binding Revocation Indication / Acknowledgement, with the mobility options
 * S2c uses (Alternate CoA, Binding Refresh Advice, IPv4 Home Address, IPv4 Address
 * Acknowledgement, NAT Detection, IPv4 Care-of Address). The octets are the business of
 * src/wire (wire/mh.h); this is the subset of fields the mobility engines act on. */
#ifndef DSMIP6_MIP_MH_H
#define DSMIP6_MIP_MH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

enum { DS_IPPROTO_MH = 135 };

enum ds_mh_type {
	DS_MH_BRR = 0, DS_MH_HOTI = 1, DS_MH_COTI = 2, DS_MH_HOT = 3, DS_MH_COT = 4,
	DS_MH_BU = 5, DS_MH_BA = 6, DS_MH_BE = 7, DS_MH_BR = 16,  /* Binding Revocation, RFC 5846 */
};

/* BU flags (RFC 6275 cl. 6.1.7, RFC 3963, RFC 5555 cl. 3.3, RFC 5648 cl. 4.2 for O). */
enum {
	DS_BU_A = 0x8000, DS_BU_H = 0x4000, DS_BU_L = 0x2000, DS_BU_K = 0x1000, DS_BU_M = 0x0800,
	DS_BU_R = 0x0400, DS_BU_P = 0x0200, DS_BU_F = 0x0100, DS_BU_T = 0x0080, DS_BU_O = 0x0040,
};
/* BA flags (RFC 6275 cl. 6.1.8, RFC 3963, RFC 5213, RFC 5845). */
enum { DS_BA_K = 0x80, DS_BA_R = 0x40, DS_BA_P = 0x20, DS_BA_T = 0x10 };

/* BA status codes used here (RFC 6275 cl. 6.1.8). */
enum {
	DS_BA_ACCEPTED = 0,
	DS_BA_UNSPECIFIED = 128, DS_BA_PROHIBITED = 129, DS_BA_NO_RESOURCES = 130,
	DS_BA_HOME_REG_UNSUPPORTED = 131, DS_BA_NOT_HOME_SUBNET = 132, DS_BA_NOT_HA_FOR_MN = 133,
	DS_BA_DAD_FAILED = 134, DS_BA_SEQ_OUT_OF_WINDOW = 135, DS_BA_REG_TYPE_CHANGE = 139,
	DS_BA_MR_NOT_PERMITTED = 140, DS_BA_INVALID_COA = 174,
};
/* IPv4 Address Acknowledgement status (RFC 5555 cl. 3.2.1). */
enum {
	DS_V4ACK_SUCCESS = 0, DS_V4ACK_UNSPECIFIED = 128, DS_V4ACK_PROHIBITED = 129,
	DS_V4ACK_INCORRECT_HOA = 130, DS_V4ACK_INVALID_ADDR = 131, DS_V4ACK_DYNAMIC_UNAVAIL = 132,
	DS_V4ACK_PREFIX_UNAUTHORIZED = 133,
};
/* Binding Revocation (RFC 5846 cl. 6.1): types, trigger, BRA status, flags. */
enum { DS_BR_BRI = 1, DS_BR_BRA = 2 };
enum { DS_BR_TRIGGER_ADMIN = 1 };
enum { DS_BRA_SUCCESS = 0, DS_BRA_PARTIAL = 1, DS_BRA_NO_BINDING = 128 };
enum { DS_BR_P = 0x8000, DS_BR_V = 0x4000, DS_BR_G = 0x2000 };
/* Binding Error status (RFC 6275 cl. 6.1.9). */
enum { DS_BE_UNKNOWN_HAO = 1, DS_BE_UNKNOWN_MH = 2 };

/* Mobility option types (RFC 6275 cl. 6.2, RFC 5555 cl. 3). */
enum {
	DS_MIP_OPT_PAD1 = 0, DS_MIP_OPT_PADN = 1, DS_MIP_OPT_REFRESH = 2, DS_MIP_OPT_ALT_COA = 3,
	DS_MIP_OPT_IPV4_HOA = 29, DS_MIP_OPT_IPV4_ACK = 30, DS_MIP_OPT_NAT_DET = 31, DS_MIP_OPT_IPV4_COA = 32,
};

typedef struct ds_mh_ipv4_hoa {   /* IPv4 Home Address option (type 29) */
	bool present;
	uint8_t plen;                 /* 6 bits; 32 for one address */
	bool p;                       /* mobile network prefix requested (0 on S2c) */
	uint8_t addr[4];              /* 0.0.0.0 = allocate one */
} ds_mh_ipv4_hoa;

typedef struct ds_mh_ipv4_ack {   /* IPv4 Address Acknowledgement (type 30) */
	bool present;
	uint8_t status;
	uint8_t plen;
	uint8_t addr[4];
} ds_mh_ipv4_ack;

typedef struct ds_mh_nat_det {    /* NAT Detection (type 31) */
	bool present;
	bool f;                       /* UDP encapsulation forced */
	uint32_t refresh_s;           /* 0 = default, 0xffffffff = no keepalives */
} ds_mh_nat_det;

typedef struct ds_mh_msg {
	uint8_t type;                 /* enum ds_mh_type */
	/* BU */
	uint16_t seq;
	uint16_t bu_flags;
	uint16_t lifetime;            /* 4-second units (BU and BA) */
	bool has_alt_coa;
	uint8_t alt_coa[16];
	bool has_ipv4_coa;
	uint8_t ipv4_coa[4];
	ds_mh_ipv4_hoa ipv4_hoa;
	/* BA */
	uint8_t status;               /* BA, BE, BRA status; BRI trigger */
	uint8_t ba_flags;
	bool has_refresh;
	uint16_t refresh;             /* Binding Refresh Advice, 4-second units */
	ds_mh_ipv4_ack ipv4_ack;
	ds_mh_nat_det nat;
	/* BE */
	uint8_t be_hoa[16];
	/* BRI / BRA */
	uint8_t br_type;
	uint16_t br_flags;
} ds_mh_msg;

/* Encode m as a Mobility Header (src/wire codec: options at their alignment, padding to 8
 * octets) with its checksum over the pseudo-header src/dst: the HoA when a Home Address option
 * is present, the final destination with a Type 2 RH (RFC 6275 cl. 6.1.1). DS_E_NOSPACE,
 * DS_E_PARAM (type not BU/BA/BE/BR). */
int ds_mh_encode(const ds_mh_msg *m, const uint8_t src[16], const uint8_t dst[16], uint8_t *out,
		 size_t cap, size_t *out_len);
/* Decode a Mobility Header of exactly len octets. In order: Header Len against len
 * (DS_E_OVERRUN / DS_E_BADLEN, RFC 6275 cl. 9.2), checksum (DS_E_CHECKSUM), then the wire
 * decoder (option lengths and values, duplicates), Payload Proto = 59 (DS_E_NEXTHDR).
 * DS_E_UNKNOWN_TYPE for an unrecognised MH type (answer with a Binding Error status 2; m->type
 * holds it); DS_E_UNSUPPORTED for a known type S2c does not use (BRR). */
int ds_mh_decode(const uint8_t *p, size_t len, const uint8_t src[16], const uint8_t dst[16],
		 ds_mh_msg *m);

#endif
