/* IKEv2 message codec (RFC 7296 cl. 3): header, payload chain and every payload body dsmip6
 * uses. Decoders are strict: every length is checked against its container, reserved fields are
 * ignored on receipt as cl. 3.2 asks, and an unknown payload with the critical bit set is
 * reported so the caller can answer UNSUPPORTED_CRITICAL_PAYLOAD (cl. 2.5). Decoded structures
 * borrow pointers into the message bytes. Encoders write through ds_wr. */
#ifndef DSMIP6_IKE_MSG_H
#define DSMIP6_IKE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/buf.h"
#include "ike/ike_const.h"

typedef struct ike_hdr {
	uint64_t spi_i, spi_r;
	uint8_t np;          /* first payload */
	uint8_t version;
	uint8_t exchange;
	uint8_t flags;
	uint32_t msg_id;
	uint32_t length;
} ike_hdr;

typedef struct ike_pl {
	uint8_t type;
	bool critical;
	uint8_t np;          /* next payload field (for SK/SKF: the first inner payload) */
	const uint8_t *body; /* after the generic header */
	size_t len;
	size_t off;          /* offset of the generic header in the parsed span */
} ike_pl;

typedef struct ike_chain {
	ike_pl pl[IKE_MAX_PAYLOADS];
	size_t n;
	uint8_t unsupported_critical;   /* first unknown critical payload type, 0 if none */
} ike_chain;

/* Header: version (major 2), length == len, >= IKE_HDR_LEN. DS_E_VERSION for another major
 * version (the caller may answer INVALID_MAJOR_VERSION), DS_E_BADLEN, DS_E_TRUNCATED. */
int ike_hdr_decode(const uint8_t *p, size_t len, ike_hdr *h);
void ike_hdr_encode(ds_wr *w, const ike_hdr *h);

/* Walk the chain starting with type `first` over p[0..len). The SK (or SKF) payload, if present,
 * must be the last one (cl. 3.14); its np is the first inner type. Unknown non-critical payloads
 * are kept with their type (callers ignore them). DS_E_OVERRUN / DS_E_BADLEN / DS_E_LOOP. */
int ike_chain_decode(uint8_t first, const uint8_t *p, size_t len, size_t base_off, ike_chain *c);
/* True for payload types this implementation understands (cl. 2.5 critical bit). */
bool ike_pl_known(uint8_t type);
/* First payload of a type, or NULL. */
const ike_pl *ike_chain_find(const ike_chain *c, uint8_t type);

/* ---- SA (cl. 3.3) ---- */
typedef struct ike_transform {
	uint8_t type;
	uint16_t id;
	uint16_t key_bits;   /* Key Length attribute, 0 when absent */
} ike_transform;

typedef struct ike_proposal {
	uint8_t num;
	uint8_t proto;
	uint8_t spi_size;
	uint8_t spi[8];
	uint8_t n_trans;
	ike_transform trans[IKE_MAX_TRANSFORMS];
	bool unknown_attr;   /* a transform carried an attribute we do not know: skip proposal */
} ike_proposal;

typedef struct ike_sa_pl {
	size_t n;
	ike_proposal prop[IKE_MAX_PROPOSALS];
} ike_sa_pl;

int ike_sa_decode(const uint8_t *p, size_t len, ike_sa_pl *sa);
/* Encode one proposal per element; each proposal's transforms are written as given. */
void ike_sa_encode(ds_wr *w, const ike_proposal *props, size_t n);

/* ---- KE (cl. 3.4) ---- */
typedef struct ike_ke {
	uint16_t group;
	const uint8_t *data;
	size_t len;
} ike_ke;
int ike_ke_decode(const uint8_t *p, size_t len, ike_ke *ke);
void ike_ke_encode(ds_wr *w, uint16_t group, const uint8_t *data, size_t len);

/* ---- ID (cl. 3.5), CERT / CERTREQ (3.6, 3.7), AUTH (3.8): type octet + 3 reserved ---- */
typedef struct ike_typed {
	uint8_t type;
	const uint8_t *data;
	size_t len;
} ike_typed;
int ike_id_decode(const uint8_t *p, size_t len, ike_typed *id);     /* type, 3 reserved */
int ike_auth_decode(const uint8_t *p, size_t len, ike_typed *auth); /* method, 3 reserved */
int ike_cert_decode(const uint8_t *p, size_t len, ike_typed *cert); /* encoding, no reserved */
void ike_id_encode(ds_wr *w, uint8_t type, const uint8_t *data, size_t len);
void ike_cert_encode(ds_wr *w, uint8_t enc, const uint8_t *data, size_t len);

/* ---- Nonce (cl. 3.9): 16..256 octets ---- */
int ike_nonce_check(size_t len);

/* ---- Notify (cl. 3.10) ---- */
typedef struct ike_notify {
	uint8_t proto;
	uint8_t spi_size;
	uint16_t type;
	const uint8_t *spi;
	const uint8_t *data;
	size_t data_len;
} ike_notify;
int ike_notify_decode(const uint8_t *p, size_t len, ike_notify *n);
void ike_notify_encode(ds_wr *w, uint8_t proto, const uint8_t *spi, uint8_t spi_size,
		       uint16_t type, const uint8_t *data, size_t len);

/* ---- Delete (cl. 3.11) ---- */
typedef struct ike_delete {
	uint8_t proto;
	uint8_t spi_size;
	uint16_t n_spi;
	const uint8_t *spis;
} ike_delete;
int ike_delete_decode(const uint8_t *p, size_t len, ike_delete *d);
void ike_delete_encode(ds_wr *w, uint8_t proto, const uint32_t *spis, size_t n);

/* ---- Traffic selectors (cl. 3.13) ---- */
typedef struct ike_ts {
	uint8_t type;        /* IKE_TS_IPV4 / IKE_TS_IPV6 */
	uint8_t proto;
	uint16_t port_lo, port_hi;
	ds_addr lo, hi;
} ike_ts;
typedef struct ike_ts_pl {
	size_t n;
	ike_ts ts[IKE_MAX_TS];
} ike_ts_pl;
/* Unknown TS types make the payload unusable for us: DS_E_UNSUPPORTED. */
int ike_ts_decode(const uint8_t *p, size_t len, ike_ts_pl *ts);
void ike_ts_encode(ds_wr *w, const ike_ts *ts, size_t n);

/* ---- Configuration payload (cl. 3.15) ---- */
typedef struct ike_cp_attr {
	uint16_t type;
	const uint8_t *data;
	size_t len;
} ike_cp_attr;
typedef struct ike_cp {
	uint8_t cfg_type;
	size_t n;
	ike_cp_attr attr[IKE_MAX_CP_ATTRS];
} ike_cp;
int ike_cp_decode(const uint8_t *p, size_t len, ike_cp *cp);
/* Write the CP body header; attributes follow with ike_cp_attr_encode. */
void ike_cp_begin(ds_wr *w, uint8_t cfg_type);
void ike_cp_attr_encode(ds_wr *w, uint16_t type, const uint8_t *data, size_t len);

/* ---- EAP (cl. 3.16): the EAP message itself; its length field must match ---- */
int ike_eap_check(const uint8_t *p, size_t len);

/* ---- SKF (RFC 7383 cl. 2.5) ---- */
int ike_skf_decode(const uint8_t *p, size_t len, uint16_t *frag_num, uint16_t *total);

/* ---- payload writer: generic headers with next-payload chaining ---- */
typedef struct ike_wr {
	ds_wr w;
	size_t np_at;        /* offset of the next-payload octet to patch (header or previous) */
	size_t pl_start;     /* offset of the open payload's generic header */
	size_t msg_start;    /* offset of the IKE header, or SIZE_MAX for an inner chain */
	uint8_t first;       /* first payload type written */
	bool open;
} ike_wr;

/* Start a message: header with length and first payload patched by ike_wr_finish. */
void ike_wr_begin(ike_wr *iw, uint8_t *buf, size_t cap, const ike_hdr *h);
/* Start a chain without an IKE header (the plaintext inside SK): np_out receives the first type. */
void ike_wr_begin_inner(ike_wr *iw, uint8_t *buf, size_t cap);
/* Open a payload of `type` (closes the previous one); the body is written to iw->w directly. */
void ike_wr_pl(ike_wr *iw, uint8_t type, bool critical);
/* Close the last payload; for a message, patch the total length. Returns the length or 0 on
 * overflow. first_type (may be NULL) receives the first payload type of the chain. */
size_t ike_wr_finish(ike_wr *iw, uint8_t *first_type);

#endif
