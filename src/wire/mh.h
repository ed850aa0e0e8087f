/* Mobility Header (RFC 6275 cl. 6.1) messages and mobility options (RFC 6275 cl. 6.2,
 * RFC 5555 cl. 3, RFC 5648 cl. 4, RFC 5094, RFC 5846 cl. 6) as C structs, with a strict encoder
 * and decoder.
 *
 * Messages: Binding Refresh Request (0), Binding Update (5), Binding Acknowledgement (6),
 * Binding Error (7), Binding Revocation Indication / Acknowledgement (16). Any other MH type is
 * reported as DS_E_UNKNOWN_TYPE with the type in msg->type, so that the caller can answer with a
 * Binding Error, status 2 (RFC 6275 cl. 9.2).
 *
 * Options: every option this node understands has a presence bit in ds_mob_opts.present.
 * Unknown options are skipped and counted (RFC 6275 cl. 6.2.1). The encoder writes options in
 * one fixed order (ds_mob_encode), inserting Pad1/PadN so each starts at its alignment xn+y
 * (RFC 6275 cl. 6.2), and pads the whole message to a multiple of 8 octets (cl. 6.1.1).
 * Alignment is a sender rule: on receipt a misaligned option is accepted and counted in
 * ds_mob_opts.misaligned (the caller decides whether to care; see docs/wire.md).
 *
 * Checksum (RFC 6275 cl. 6.1.1): Internet checksum over the IPv6 pseudo-header (RFC 8200
 * cl. 8.1, next header 135) and the whole MH. The pseudo-header source is the Home Address when
 * the packet carries a Home Address option, the destination is the Home Address (the final
 * destination) when it carries a Type 2 Routing Header: the caller passes those addresses. */
#ifndef DSMIP6_WIRE_MH_H
#define DSMIP6_WIRE_MH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* MH types (RFC 6275 cl. 6.1, RFC 5846 cl. 6.1). */
enum {
	DS_MOB_BRR = 0, DS_MOB_HOTI = 1, DS_MOB_COTI = 2, DS_MOB_HOT = 3, DS_MOB_COT = 4,
	DS_MOB_BU = 5, DS_MOB_BA = 6, DS_MOB_BE = 7, DS_MOB_BR = 16,
};

/* Fixed sizes: MH common header, and each message's fixed part before the options. */
enum {
	DS_MOB_HDR_LEN = 6,
	DS_MOB_BRR_LEN = 8, DS_MOB_BU_LEN = 12, DS_MOB_BA_LEN = 12, DS_MOB_BE_LEN = 24,
	DS_MOB_BR_LEN = 12,
	DS_MOB_MAX_LEN = 2048,  /* (255 + 1) * 8: largest Header Len */
};

/* Binding Update flags (RFC 6275 cl. 6.1.7; R RFC 3963 cl. 4.1; P RFC 5213 cl. 8.1;
 * F RFC 5555 cl. 3.3; T RFC 5845 cl. 5.1; O RFC 5648 cl. 4.2, the bit after T). */
enum {
	DS_MOB_BU_A = 0x8000, DS_MOB_BU_H = 0x4000, DS_MOB_BU_L = 0x2000, DS_MOB_BU_K = 0x1000,
	DS_MOB_BU_M = 0x0800, DS_MOB_BU_R = 0x0400, DS_MOB_BU_P = 0x0200, DS_MOB_BU_F = 0x0100,
	DS_MOB_BU_T = 0x0080, DS_MOB_BU_O = 0x0040,
	DS_MOB_BU_FLAGS = 0xffc0,  /* every defined bit; the other 6 bits are reserved */
};
/* Binding Acknowledgement flags (RFC 6275 cl. 6.1.8, RFC 3963, RFC 5213, RFC 5845). */
enum {
	DS_MOB_BA_K = 0x80, DS_MOB_BA_R = 0x40, DS_MOB_BA_P = 0x20, DS_MOB_BA_T = 0x10,
	DS_MOB_BA_FLAGS = 0xf0,
};
/* BA status (RFC 6275 cl. 6.1.8 and the IANA registry); < 128 means accepted. */
enum {
	DS_MOB_BA_ACCEPTED = 0, DS_MOB_BA_UNSPECIFIED = 128, DS_MOB_BA_PROHIBITED = 129,
	DS_MOB_BA_NO_RESOURCES = 130, DS_MOB_BA_HOME_REG_UNSUPPORTED = 131,
	DS_MOB_BA_NOT_HOME_SUBNET = 132, DS_MOB_BA_NOT_HA_FOR_MN = 133, DS_MOB_BA_DAD_FAILED = 134,
	DS_MOB_BA_SEQ_OUT_OF_WINDOW = 135, DS_MOB_BA_REG_TYPE_CHANGE = 139,
	DS_MOB_BA_MR_NOT_PERMITTED = 140, DS_MOB_BA_INVALID_COA = 174,
};
/* Binding Error status (RFC 6275 cl. 6.1.9). */
enum { DS_MOB_BE_UNKNOWN_HAO = 1, DS_MOB_BE_UNKNOWN_MH = 2 };
/* Binding Revocation (RFC 5846 cl. 6.1-6.2): B.R. type, triggers, BRA status, flags. */
enum { DS_MOB_BRI = 1, DS_MOB_BRA = 2 };
enum { DS_MOB_BRI_UNSPECIFIED = 0, DS_MOB_BRI_ADMIN = 1 };
enum { DS_MOB_BRA_SUCCESS = 0, DS_MOB_BRA_PARTIAL = 1, DS_MOB_BRA_NO_BINDING = 128 };
enum { DS_MOB_BR_P = 0x8000, DS_MOB_BR_V = 0x4000, DS_MOB_BR_G = 0x2000, DS_MOB_BR_FLAGS = 0xe000 };

/* Mobility option types. */
enum {
	DS_MOPT_T_PAD1 = 0, DS_MOPT_T_PADN = 1, DS_MOPT_T_REFRESH = 2, DS_MOPT_T_ALT_COA = 3,
	DS_MOPT_T_NONCE = 4, DS_MOPT_T_AUTH = 5, DS_MOPT_T_VENDOR = 19, DS_MOPT_T_IPV4_HOA = 29,
	DS_MOPT_T_IPV4_ACK = 30, DS_MOPT_T_NAT_DET = 31, DS_MOPT_T_IPV4_COA = 32,
	DS_MOPT_T_BID = 35,
};
/* Presence bits in ds_mob_opts.present. */
enum {
	DS_MOPT_REFRESH = 1u << 0, DS_MOPT_ALT_COA = 1u << 1, DS_MOPT_NONCE = 1u << 2,
	DS_MOPT_AUTH = 1u << 3, DS_MOPT_IPV4_HOA = 1u << 4, DS_MOPT_IPV4_ACK = 1u << 5,
	DS_MOPT_NAT_DET = 1u << 6, DS_MOPT_IPV4_COA = 1u << 7, DS_MOPT_VENDOR = 1u << 8,
	DS_MOPT_BID = 1u << 9,
};
/* IPv4 Address Acknowledgement status (RFC 5555 cl. 3.2.1). */
enum {
	DS_MOB_V4ACK_SUCCESS = 0, DS_MOB_V4ACK_UNSPECIFIED = 128, DS_MOB_V4ACK_PROHIBITED = 129,
	DS_MOB_V4ACK_INCORRECT_HOA = 130, DS_MOB_V4ACK_INVALID_ADDR = 131,
	DS_MOB_V4ACK_DYNAMIC_UNAVAIL = 132, DS_MOB_V4ACK_PREFIX_UNAUTHORIZED = 133,
};

#define DS_MOB_VENDOR_MAX 250  /* option data is at most 255 octets, 5 of them are id + subtype */
#define DS_MOB_MAX_VENDOR 2    /* Vendor-Specific options kept per message */
#define DS_MOB_MAX_BID 8       /* Binding Identifier options kept per message (one per CoA) */

typedef struct ds_mob_ipv4_hoa {  /* type 29, RFC 5555 cl. 3.1.1, align 4n */
	uint8_t plen;                 /* 6 bits, 0..32 */
	bool p;                       /* mobile network prefix requested */
	uint8_t addr[4];              /* 0.0.0.0: please allocate one */
} ds_mob_ipv4_hoa;

typedef struct ds_mob_ipv4_ack {  /* type 30, RFC 5555 cl. 3.2.1, align 4n */
	uint8_t status;
	uint8_t plen;                 /* 6 bits, 0..32 */
	uint8_t addr[4];
} ds_mob_ipv4_ack;

typedef struct ds_mob_nat_det {   /* type 31, RFC 5555 cl. 3.2.2, align 4n */
	bool f;                       /* UDP encapsulation required */
	uint32_t refresh;             /* keepalive interval, s; 0 default, 0xffffffff none */
} ds_mob_nat_det;

typedef struct ds_mob_vendor {    /* type 19, RFC 5094 cl. 3, align 4n+2 */
	uint32_t vendor_id;           /* e.g. 10415 for 3GPP */
	uint8_t subtype;
	uint8_t len;                  /* data length, <= DS_MOB_VENDOR_MAX */
	uint8_t data[DS_MOB_VENDOR_MAX];
} ds_mob_vendor;

typedef struct ds_mob_bid {       /* type 35, RFC 5648 cl. 4.3; align 2n, or 8n+2 with a CoA */
	uint16_t bid;
	uint8_t status;
	bool h;                       /* simultaneous home and foreign binding */
	uint8_t coa_family;           /* 0 none, 4 IPv4 CoA, 6 IPv6 CoA */
	uint8_t coa[16];
} ds_mob_bid;

typedef struct ds_mob_opts {
	uint32_t present;             /* DS_MOPT_* bits */
	uint16_t refresh;             /* Binding Refresh Advice, 4-second units (align 2n) */
	uint8_t alt_coa[16];          /* Alternate Care-of Address (align 8n+6) */
	uint16_t nonce_home, nonce_coa; /* Nonce Indices (align 2n) */
	uint8_t auth[12];             /* Binding Authorization Data (align 8n+2, must be last) */
	ds_mob_ipv4_hoa ipv4_hoa;
	ds_mob_ipv4_ack ipv4_ack;
	ds_mob_nat_det nat;
	uint8_t ipv4_coa[4];          /* IPv4 Care-of Address, type 32 (align 4n) */
	uint8_t n_vendor;
	ds_mob_vendor vendor[DS_MOB_MAX_VENDOR];
	uint8_t n_bid;
	ds_mob_bid bid[DS_MOB_MAX_BID];
	/* Receive-side counters (ignored by the encoder). */
	uint16_t unknown;             /* unknown options skipped */
	uint16_t misaligned;          /* options not at their alignment (tolerated) */
	uint8_t ipv4_prefix_req;      /* further IPv4 HoA options with P = 1 (prefix requests,
				       * RFC 5555 cl. 4.4.2), counted but not kept: ipv4_hoa
				       * holds the address request */
} ds_mob_opts;

typedef struct ds_mob_msg {
	uint8_t type;                 /* DS_MOB_*; on DS_E_UNKNOWN_TYPE the received type */
	uint8_t payload_proto;        /* as received; the encoder always writes 59 */
	struct { uint16_t seq, flags, lifetime; } bu;           /* lifetime in 4 s units */
	struct { uint8_t status, flags; uint16_t seq, lifetime; } ba;
	struct { uint8_t status; uint8_t hoa[16]; } be;
	struct { uint8_t type;        /* DS_MOB_BRI or DS_MOB_BRA */
		 uint8_t code;        /* BRI: revocation trigger; BRA: status */
		 uint16_t seq, flags; } br;
	ds_mob_opts opt;
	/* On a decode error: offset of the offending octet within the MH (for an ICMPv6
	 * Parameter Problem pointer, e.g. Header Len too small, RFC 6275 cl. 9.2). */
	uint16_t err_off;
} ds_mob_msg;

/* Encode m with a zero checksum. Options go out in this order, each at its alignment:
 * Binding Refresh Advice, Alternate CoA, Nonce Indices, IPv4 HoA, IPv4 Address Ack, NAT
 * Detection, IPv4 CoA, Binding Identifier(s), Vendor-Specific, Binding Authorization Data (last,
 * RFC 6275 cl. 6.2.7). Errors: DS_E_NOSPACE, DS_E_PARAM (unsupported type, plen > 32, vendor
 * length, BID CoA family, message over 2048 octets). */
int ds_mob_encode(const ds_mob_msg *m, uint8_t *out, size_t cap, size_t *out_len);
/* Encode and fill the checksum for pseudo-header addresses src/dst (see file comment). */
int ds_mob_encode_csum(const ds_mob_msg *m, const uint8_t src[16], const uint8_t dst[16],
		       uint8_t *out, size_t cap, size_t *out_len);
/* (Re)compute the checksum of an encoded MH of len octets in place. */
void ds_mob_csum_set(uint8_t *mh, size_t len, const uint8_t src[16], const uint8_t dst[16]);
/* DS_OK when the checksum of the MH (len octets) is right, else DS_E_CHECKSUM. */
int ds_mob_csum_verify(const uint8_t *mh, size_t len, const uint8_t src[16],
		       const uint8_t dst[16]);

/* Decode an MH occupying exactly len octets (it is the last header: RFC 6275 cl. 6.1.1).
 * Checks, in order (RFC 6275 cl. 9.2): fixed header present (DS_E_TRUNCATED); Header Len
 * against len (DS_E_OVERRUN when it claims more, DS_E_BADLEN when len has extra octets); MH type
 * known (DS_E_UNKNOWN_TYPE, m->type set); Header Len against the message minimum (DS_E_BADLEN,
 * err_off = 1: the caller SHOULD send ICMPv6 Parameter Problem code 0); options: overrunning
 * the message (DS_E_OVERRUN), wrong length for a known option (DS_E_BADLEN), invalid value such
 * as a prefix length over 32 or a BR type other than 1/2 (DS_E_RESERVED), a single-instance
 * option repeated (DS_E_DUPLICATE; a second IPv4 HoA option is allowed only as a prefix
 * request, P = 1, and then counted in opt.ipv4_prefix_req), more than DS_MOB_MAX_BID / DS_MOB_MAX_VENDOR (DS_E_LOOP),
 * an option other than padding after Binding Authorization Data (DS_E_RESERVED, cl. 6.2.7).
 * Reserved fields and bits are ignored. The checksum is NOT checked here. */
int ds_mob_decode(const uint8_t *p, size_t len, ds_mob_msg *m);
/* ds_mob_csum_verify then ds_mob_decode. */
int ds_mob_decode_csum(const uint8_t *p, size_t len, const uint8_t src[16],
		       const uint8_t dst[16], ds_mob_msg *m);

/* Field-by-field equality of two messages as the encoder sees them (receive counters,
 * payload_proto and err_off are ignored). Used by tests and fuzzers. */
bool ds_mob_msg_eq(const ds_mob_msg *a, const ds_mob_msg *b);

/* Name of an MH type for logs ("BU", "BA", ...; "unknown" otherwise). */
const char *ds_mob_type_name(uint8_t type);

#endif
