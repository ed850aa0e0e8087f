/* EAP packet framing (RFC 3748 cl. 4): Code, Identifier, Length, then Type and Type-Data for
 * Requests and Responses. Success and Failure are exactly four octets (cl. 4.2). */
#ifndef DSMIP6_EAP_EAP_MSG_H
#define DSMIP6_EAP_EAP_MSG_H

#include <stddef.h>
#include <stdint.h>

enum {
	DS_EAP_CODE_REQUEST = 1,
	DS_EAP_CODE_RESPONSE = 2,
	DS_EAP_CODE_SUCCESS = 3,
	DS_EAP_CODE_FAILURE = 4,
};

/* Method types (RFC 3748 cl. 5, IANA "EAP Method Types"). */
enum {
	DS_EAP_TYPE_IDENTITY = 1,
	DS_EAP_TYPE_NOTIFICATION = 2,
	DS_EAP_TYPE_NAK = 3,
	DS_EAP_TYPE_AKA = 23,        /* RFC 4187 */
	DS_EAP_TYPE_AKA_PRIME = 50,  /* RFC 5448, RFC 9048 */
	DS_EAP_TYPE_EXPANDED = 254,
};

#define DS_EAP_HDR_LEN 4

typedef struct ds_eap_pkt {
	uint8_t code;
	uint8_t id;
	uint16_t len;          /* the Length field: octets of the packet, header included */
	uint8_t type;          /* Request/Response only; 0 otherwise */
	const uint8_t *data;   /* Type-Data */
	size_t data_len;
} ds_eap_pkt;

/* Parse the EAP header. RFC 3748 cl. 4.1: octets beyond Length are padding and ignored; a
 * Length larger than what was received, or smaller than the header, is an error; a
 * Request/Response needs a Type octet; Success/Failure carry no data. */
int ds_eap_parse(const uint8_t *p, size_t len, ds_eap_pkt *out);

/* Writes EAP-Success or EAP-Failure (4 octets). Returns the length or a negative ds_err. */
int ds_eap_build_result(uint8_t *out, size_t cap, uint8_t code, uint8_t id);

/* Writes a Response/Identity (RFC 3748 cl. 5.1) carrying `identity`. Returns the length or a
 * negative ds_err. */
int ds_eap_build_identity(uint8_t *out, size_t cap, uint8_t id, const char *identity);

/* Writes a legacy Nak (RFC 3748 cl. 5.3.1) proposing the given method types. */
int ds_eap_build_nak(uint8_t *out, size_t cap, uint8_t id, const uint8_t *types, size_t n);

#endif
