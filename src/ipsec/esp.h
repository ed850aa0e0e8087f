/* User-space ESP (RFC 4303) for one security association: sealing and opening of the ESP
 * part of a packet (SPI .. ICV), sequence numbers, anti-replay, padding and next-header checks.
 *
 * The SA does not build IP headers: in transport mode the caller builds the IPv6 header and its
 * extension headers (Destination Options with the Home Address option on the UE side, Type 2
 * Routing Header on the HA side) ending with next header 50, then appends what ds_esp_seal()
 * wrote; in tunnel mode the caller seals the whole inner packet (next header 41 or 4) and puts
 * an outer header, or a UDP header (RFC 3948, see esp_udp.h), in front. On receive the caller
 * hands the bytes from the SPI to the end of the IP payload to ds_esp_open().
 *
 * An SA object is not thread-safe; it never allocates after creation (no allocation per
 * packet) and never reads a clock. */
#ifndef DSMIP6_IPSEC_ESP_H
#define DSMIP6_IPSEC_ESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

enum { DS_ESP_IN = 1, DS_ESP_OUT = 2 };              /* direction of the SA */
enum { DS_ESP_TRANSPORT = 1, DS_ESP_TUNNEL = 2 };    /* RFC 4301 cl. 4.1 */

/* IP protocol numbers ESP carries or is carried in. */
enum { DS_IPPROTO_ESP = 50, DS_IPPROTO_NONE = 59 /* dummy packet, RFC 4303 cl. 2.6 */ };

/* Fixed parts of an ESP packet (RFC 4303 cl. 2): SPI (4) + Sequence Number (4) before the IV,
 * Pad Length (1) + Next Header (1) after the padding. */
#define DS_ESP_HDR_LEN 8
#define DS_ESP_TRAILER_LEN 2
/* Worst-case expansion of ds_esp_seal() over the payload: header, 16-octet IV, up to 15 octets
 * of padding (CBC) + trailer, 32-octet ICV (HMAC-SHA2-512-256). */
#define DS_ESP_MAX_OVERHEAD (DS_ESP_HDR_LEN + 16 + 15 + DS_ESP_TRAILER_LEN + 32)

/* Default and largest anti-replay window, in packets (RFC 4303 cl. 3.4.3 asks for >= 32,
 * and >= 64 is recommended). */
#define DS_ESP_REPLAY_WINDOW_DEFAULT 1024u
#define DS_ESP_REPLAY_WINDOW_MAX 4096u

/* Traffic selectors of the SA (RFC 4301 cl. 4.4.2), used by the SAD and by callers that must
 * check that what was decrypted is allowed on this SA (RFC 4301 cl. 5.2 step 4).
 * Addresses with plen = 0 and family DS_AF_NONE match anything. For a transport-mode SA that
 * protects Mobile IPv6 signalling, local/remote are the HoA and the HA address and proto 135
 * (RFC 4877 cl. 4.2). port ranges carry the MH type in their most significant octet. */
typedef struct ds_esp_selector {
	ds_addr local;         /* address and prefix length (plen) in the local_* sense */
	ds_addr remote;
	uint8_t proto;         /* 0 = any */
	uint16_t local_port_lo, local_port_hi;   /* 0..65535 = any */
	uint16_t remote_port_lo, remote_port_hi;
} ds_esp_selector;

typedef struct ds_esp_sa_params {
	uint32_t spi;            /* network-order value as a host integer; never 0 (RFC 4303 cl. 2.1) */
	uint8_t dir;             /* DS_ESP_IN or DS_ESP_OUT */
	uint8_t mode;            /* DS_ESP_TRANSPORT or DS_ESP_TUNNEL */
	uint16_t encr;           /* DS_ENCR_AES_GCM_16, DS_ENCR_AES_CBC or DS_ENCR_NULL (crypto.h) */
	uint16_t encr_key_bits;  /* 128 or 256 (0 for NULL) */
	uint16_t integ;          /* DS_INTEG_* (DS_INTEG_NONE with GCM) */
	const uint8_t *encr_key; /* ds_cipher_encr_keymat() octets (GCM: key || salt) */
	const uint8_t *integ_key;/* ds_cipher_integ_keymat() octets */
	bool esn;                /* 64-bit Extended Sequence Numbers (RFC 4303 cl. 2.2.1) */
	uint32_t replay_window;  /* inbound: window size in packets, 0 = default; rounded up to 64 */
	bool no_replay_check;    /* inbound: disable anti-replay (only for manual-keyed tests) */
	/* Outer endpoints: the peer and local addresses the SA runs between (tunnel mode outer
	 * header, or the transport-mode peer). Ports set and udp_encap true = ESP-in-UDP (RFC 3948). */
	ds_addr local;
	ds_addr remote;
	bool udp_encap;
	ds_esp_selector sel;
	void *owner;             /* back pointer to the IKE / child SA that created this SA */
	/* SA lifetime (RFC 4301 cl. 4.4.2.1), 0 = no limit: after the hard limit the SA refuses to
	 * seal or open (DS_E_EXHAUSTED); ds_esp_sa_soft_expired() turns true at 90% so the owner
	 * can rekey in time. Time-based lifetimes are the owner's timers (engines read no clock). */
	uint64_t life_packets;
	uint64_t life_bytes;
	/* Compact SA: keep only the keys (about 0.5 KiB per SA instead of about 1.7 KiB with its
	 * own OpenSSL contexts) and borrow a context of the SAD it is added to, re-keyed when it
	 * last served another SA (a few hundred ns). Meant for the many low-rate SAs protecting
	 * mobility signalling on a HA; data-plane SAs keep their own contexts. */
	bool compact;
} ds_esp_sa_params;

typedef struct ds_esp_counters {
	uint64_t packets;        /* sealed (out) or accepted (in) */
	uint64_t bytes;          /* payload octets sealed or accepted */
	uint64_t auth_failures;  /* ICV mismatch (RFC 4303 cl. 3.4.4) */
	uint64_t replays;        /* duplicate or left of the window (RFC 4303 cl. 3.4.3) */
	uint64_t malformed;      /* too short, bad length for the cipher, bad padding */
	uint64_t dummies;        /* next header 59 received and discarded (cl. 2.6) */
	uint64_t seq_exhausted;  /* seal refused: sequence number would cycle (cl. 3.3.3) */
	uint64_t expired;        /* seal or open refused: hard lifetime reached */
} ds_esp_counters;

typedef struct ds_esp_sa ds_esp_sa;

/* Create an SA (copies the keys; the caller wipes its own copy). NULL on a bad parameter or
 * allocation / crypto failure; *err (may be NULL) tells why. */
ds_esp_sa *ds_esp_sa_new(const ds_esp_sa_params *p, int *err);
void ds_esp_sa_free(ds_esp_sa *sa);   /* wipes keys */

uint32_t ds_esp_sa_spi(const ds_esp_sa *sa);
uint8_t ds_esp_sa_dir(const ds_esp_sa *sa);
uint8_t ds_esp_sa_mode(const ds_esp_sa *sa);
void *ds_esp_sa_owner(const ds_esp_sa *sa);
void ds_esp_sa_set_owner(ds_esp_sa *sa, void *owner);
const ds_esp_selector *ds_esp_sa_selector(const ds_esp_sa *sa);
const ds_esp_sa_params *ds_esp_sa_params_of(const ds_esp_sa *sa);  /* keys are not kept there */
const ds_esp_counters *ds_esp_sa_counters(const ds_esp_sa *sa);
/* Last sequence number sent (out) or highest accepted (in); 64-bit with ESN. */
uint64_t ds_esp_sa_seq(const ds_esp_sa *sa);
/* True once 90% of a lifetime limit, or (outbound, no ESN) of the 32-bit sequence number
 * space, is used: time to create the replacement SA (RFC 7296 cl. 2.8). */
bool ds_esp_sa_soft_expired(const ds_esp_sa *sa);
/* Octets ds_esp_seal() will write for a payload of len octets. */
size_t ds_esp_sealed_len(const ds_esp_sa *sa, size_t len);

/* Outbound: write SPI | Seq | IV | encrypted(payload | padding | pad length | next header) | ICV
 * into out. next_header is the protocol of payload (135 MH and 59 dummy in transport mode; 41
 * or 4 in tunnel mode). Returns DS_OK, DS_E_NOSPACE, DS_E_EXHAUSTED (sequence number would
 * cycle: the SA must be rekeyed, RFC 4303 cl. 3.3.3; or hard lifetime reached), DS_E_STATE
 * (inbound SA) or DS_E_CRYPTO.
 * payload and out may not overlap. */
int ds_esp_seal(ds_esp_sa *sa, uint8_t next_header, const uint8_t *payload, size_t len,
		uint8_t *out, size_t cap, size_t *out_len);

/* Inbound: esp points at the SPI, len runs to the end of the IP payload. Checks, in the order of
 * RFC 4303 cl. 3.4: SPI, length, replay (pre-check), ICV (constant time), replay window update,
 * decryption, padding (RFC 4303 cl. 2.4: the default monotonic 1, 2, 3 ... content) and next
 * header. On DS_OK out holds the payload (*out_len octets, at most len) and *next_header its
 * protocol; next header 59 (dummy, cl. 2.6) returns DS_OK with *out_len = 0 and must be dropped.
 * Errors: DS_E_TRUNCATED / DS_E_BADLEN (malformed), DS_E_NOTFOUND (SPI is not this SA's),
 * DS_E_REPLAY, DS_E_AUTH, DS_E_PADDING, DS_E_NEXTHDR, DS_E_NOSPACE, DS_E_STATE (outbound SA),
 * DS_E_EXHAUSTED (hard lifetime reached). Each is
 * counted in the SA counters. out may equal esp (in-place). */
int ds_esp_open(ds_esp_sa *sa, const uint8_t *esp, size_t len, uint8_t *out, size_t cap,
		size_t *out_len, uint8_t *next_header);

/* SPI of an ESP packet (the first four octets); DS_E_TRUNCATED when shorter, DS_E_RESERVED for
 * SPI 0 (not an ESP packet; on UDP 4500 that is the non-ESP marker, RFC 3948 cl. 2.2). */
int ds_esp_peek_spi(const uint8_t *esp, size_t len, uint32_t *spi);

#endif
