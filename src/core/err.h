/* dsmip6 error codes: every decoder and engine returns one of these (negative) or DS_OK.
 * Append new codes at the end of the enum (before DS_E__COUNT) and add their text in err.c. */
#ifndef DSMIP6_CORE_ERR_H
#define DSMIP6_CORE_ERR_H

typedef enum ds_err {
	DS_OK = 0,
	DS_E_TRUNCATED = -1,     /* input ends before a fixed-size field */
	DS_E_OVERRUN = -2,       /* a length field points past the end of its container */
	DS_E_ALIGN = -3,         /* option or header violates its alignment rule */
	DS_E_BADLEN = -4,        /* a length field has a value the format does not allow */
	DS_E_CHECKSUM = -5,      /* Internet checksum or ICV mismatch */
	DS_E_VERSION = -6,       /* wrong IP version or protocol version */
	DS_E_UNKNOWN_TYPE = -7,  /* unknown message type (caller may answer, e.g. BE status 2) */
	DS_E_RESERVED = -8,      /* a field holds a value the specification forbids */
	DS_E_NOMEM = -9,         /* allocation failed */
	DS_E_NOSPACE = -10,      /* output buffer too small */
	DS_E_PARAM = -11,        /* invalid argument from the caller */
	DS_E_STATE = -12,        /* operation not allowed in the current state */
	DS_E_AUTH = -13,         /* authentication or integrity check failed */
	DS_E_REPLAY = -14,       /* replayed or out-of-window sequence number */
	DS_E_NOTFOUND = -15,     /* lookup found nothing (SA, binding, subscriber) */
	DS_E_EXISTS = -16,       /* entry already present */
	DS_E_CRYPTO = -17,       /* the crypto library reported an error */
	DS_E_UNSUPPORTED = -18,  /* valid but not supported by this implementation */
	DS_E_NEXTHDR = -19,      /* unexpected next header / protocol value */
	DS_E_LOOP = -20,         /* too many headers or options (bounded parsing) */
	DS_E_PADDING = -21,      /* padding with non-zero content or wrong size */
	DS_E_EXHAUSTED = -22,    /* a pool or table is full */
	DS_E_IO = -23,           /* system call failed (runtime layer only) */
	DS_E_CONFIG = -24,       /* configuration invalid */
	DS_E_TIMEOUT = -25,      /* retransmissions exhausted */
	DS_E_DUPLICATE = -26,    /* an element that may appear once appears twice */
	DS_E_FRAGMENT = -27,     /* IP fragment where a whole packet is required */
	DS_E__COUNT = -28
} ds_err;

/* Short, stable, human-readable text for an error code (never NULL). */
const char *ds_strerror(int err);

#endif
