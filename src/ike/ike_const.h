/* IKEv2 protocol numbers (RFC 7296 cl. 3 and the IANA "IKEv2 Parameters" registry), with the
 * additions of RFC 5026 (MIP6_HOME_PREFIX), RFC 5685 (redirect), RFC 7383 (fragmentation). */
#ifndef DSMIP6_IKE_CONST_H
#define DSMIP6_IKE_CONST_H

/* Header (cl. 3.1) */
#define IKE_HDR_LEN 28
#define IKE_VERSION 0x20          /* major 2, minor 0 */
#define IKE_FLAG_I 0x08           /* sent by the original initiator */
#define IKE_FLAG_V 0x10           /* higher version supported (never set by us) */
#define IKE_FLAG_R 0x20           /* response */
#define IKE_GENERIC_HDR_LEN 4     /* cl. 3.2 */
#define IKE_CRITICAL 0x80

enum ike_exchange {
	IKE_SA_INIT = 34,
	IKE_AUTH = 35,
	IKE_CREATE_CHILD_SA = 36,
	IKE_INFORMATIONAL = 37,
};

enum ike_payload_type {
	IKE_PL_NONE = 0,
	IKE_PL_SA = 33, IKE_PL_KE = 34, IKE_PL_IDI = 35, IKE_PL_IDR = 36, IKE_PL_CERT = 37,
	IKE_PL_CERTREQ = 38, IKE_PL_AUTH = 39, IKE_PL_NONCE = 40, IKE_PL_N = 41, IKE_PL_D = 42,
	IKE_PL_V = 43, IKE_PL_TSI = 44, IKE_PL_TSR = 45, IKE_PL_SK = 46, IKE_PL_CP = 47,
	IKE_PL_EAP = 48,
	IKE_PL_SKF = 53,          /* RFC 7383 cl. 2.5 */
};

/* Transform types (cl. 3.3.2) */
enum { IKE_TRANS_ENCR = 1, IKE_TRANS_PRF = 2, IKE_TRANS_INTEG = 3, IKE_TRANS_DH = 4,
       IKE_TRANS_ESN = 5 };
#define IKE_ATTR_KEY_LENGTH 14    /* cl. 3.3.5, TV format (AF bit set) */
#define IKE_ATTR_AF 0x8000

/* Protocol IDs (cl. 3.3.1) */
enum { IKE_PROTO_IKE = 1, IKE_PROTO_AH = 2, IKE_PROTO_ESP = 3 };

/* ID types (cl. 3.5) */
enum { IKE_ID_IPV4 = 1, IKE_ID_FQDN = 2, IKE_ID_RFC822 = 3, IKE_ID_IPV6 = 5, IKE_ID_KEY_ID = 11 };

/* AUTH methods (cl. 3.8, RFC 7427) */
enum { IKE_AUTH_RSA = 1, IKE_AUTH_PSK = 2, IKE_AUTH_ECDSA_256 = 9, IKE_AUTH_ECDSA_384 = 10,
       IKE_AUTH_ECDSA_521 = 11, IKE_AUTH_DIGITAL_SIG = 14 };

/* Certificate encodings (cl. 3.6) */
enum { IKE_CERT_X509_SIG = 4 };

/* Traffic selector types (cl. 3.13.1) */
enum { IKE_TS_IPV4 = 7, IKE_TS_IPV6 = 8 };

/* Configuration payload (cl. 3.15) */
enum { IKE_CFG_REQUEST = 1, IKE_CFG_REPLY = 2, IKE_CFG_SET = 3, IKE_CFG_ACK = 4 };
enum {
	IKE_CP_INTERNAL_IP4_ADDRESS = 1,
	IKE_CP_INTERNAL_IP4_NETMASK = 2,
	IKE_CP_INTERNAL_IP4_DNS = 3,
	IKE_CP_INTERNAL_IP6_ADDRESS = 8,
	IKE_CP_INTERNAL_IP6_DNS = 10,
	IKE_CP_MIP6_HOME_PREFIX = 16,      /* RFC 5026 cl. 4.2.1 */
	IKE_CP_HOME_AGENT_ADDRESS = 19,    /* TS 24.302 */
};
#define IKE_CP_HNP_LEN 21                  /* lifetime (4) + prefix (16) + prefix length (1) */

/* Notify message types (cl. 3.10.1) */
enum ike_notify_type {
	IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD = 1,
	IKE_N_INVALID_IKE_SPI = 4,
	IKE_N_INVALID_MAJOR_VERSION = 5,
	IKE_N_INVALID_SYNTAX = 7,
	IKE_N_INVALID_MESSAGE_ID = 9,
	IKE_N_INVALID_SPI = 11,
	IKE_N_NO_PROPOSAL_CHOSEN = 14,
	IKE_N_INVALID_KE_PAYLOAD = 17,
	IKE_N_AUTHENTICATION_FAILED = 24,
	IKE_N_SINGLE_PAIR_REQUIRED = 34,
	IKE_N_NO_ADDITIONAL_SAS = 35,
	IKE_N_INTERNAL_ADDRESS_FAILURE = 36,
	IKE_N_FAILED_CP_REQUIRED = 37,
	IKE_N_TS_UNACCEPTABLE = 38,
	IKE_N_INVALID_SELECTORS = 39,
	IKE_N_TEMPORARY_FAILURE = 43,
	IKE_N_CHILD_SA_NOT_FOUND = 44,
	IKE_N_ERROR_MAX = 16383,          /* types below 16384 are errors */
	IKE_N_INITIAL_CONTACT = 16384,
	IKE_N_SET_WINDOW_SIZE = 16385,
	IKE_N_NAT_DETECTION_SOURCE_IP = 16388,
	IKE_N_NAT_DETECTION_DESTINATION_IP = 16389,
	IKE_N_COOKIE = 16390,
	IKE_N_USE_TRANSPORT_MODE = 16391,
	IKE_N_REKEY_SA = 16393,
	IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED = 16394,
	IKE_N_NON_FIRST_FRAGMENTS_ALSO = 16395,
	IKE_N_REDIRECT_SUPPORTED = 16406,   /* RFC 5685 */
	IKE_N_REDIRECT = 16407,
	IKE_N_REDIRECTED_FROM = 16408,
	IKE_N_CHILDLESS_IKEV2_SUPPORTED = 16418,     /* RFC 6023 */
	IKE_N_IKEV2_FRAGMENTATION_SUPPORTED = 16430, /* RFC 7383 */
	IKE_N_SIGNATURE_HASH_ALGORITHMS = 16431,     /* RFC 7427 */
};

/* Gateway identity types in REDIRECT / REDIRECTED_FROM (RFC 5685 cl. 8) */
enum { IKE_GW_IPV4 = 1, IKE_GW_IPV6 = 2, IKE_GW_FQDN = 3 };

#define IKE_NONCE_LEN 32          /* our nonces: at least half the PRF key size (cl. 2.10) */
#define IKE_NONCE_MIN 16
#define IKE_NONCE_MAX 256
#define IKE_COOKIE_MAX 64         /* cl. 2.6: 1..64 octets */
#define IKE_MAX_PAYLOADS 64       /* bounded parsing */
#define IKE_MAX_PROPOSALS 16
#define IKE_MAX_TRANSFORMS 32
#define IKE_MAX_TS 8
#define IKE_MAX_CP_ATTRS 16
#define IKE_MAX_CERTS 4

#endif
