/* UDP encapsulation of ESP and IKE on port 4500 (RFC 3948, RFC 7296 cl. 2.23). The host hands
 * every UDP 4500 payload to ds_udp4500_classify() to tell apart NAT-keepalives, IKE messages
 * (after the four-octet non-ESP marker) and ESP packets. */
#ifndef DSMIP6_IPSEC_ESP_UDP_H
#define DSMIP6_IPSEC_ESP_UDP_H

#include <stddef.h>
#include <stdint.h>

#define DS_UDP_ENCAP_PORT 4500
#define DS_NON_ESP_MARKER_LEN 4
#define DS_NAT_KEEPALIVE_BYTE 0xFF
/* Shortest payload taken for ESP: SPI + sequence number (anything shorter is invalid). */
#define DS_ESP_MIN_UDP_LEN 8

enum ds_udp4500_kind {
	DS_UDP4500_INVALID = 0,   /* too short to be anything (count and drop) */
	DS_UDP4500_KEEPALIVE = 1, /* one octet 0xFF (RFC 3948 cl. 2.3): ignore */
	DS_UDP4500_IKE = 2,       /* non-ESP marker: IKE message starts at offset 4 */
	DS_UDP4500_ESP = 3,       /* ESP packet starts at offset 0 */
};

/* Classify a UDP 4500 payload; *offset is where the IKE or ESP bytes start. */
enum ds_udp4500_kind ds_udp4500_classify(const uint8_t *p, size_t len, size_t *offset);
/* Write the NAT-keepalive payload (one octet 0xFF); returns its length (1) or 0 if cap < 1. */
size_t ds_udp4500_keepalive(uint8_t *out, size_t cap);
/* Prefix an IKE message with the non-ESP marker: writes marker | ike into out. DS_E_NOSPACE. */
int ds_udp4500_wrap_ike(const uint8_t *ike, size_t len, uint8_t *out, size_t cap,
			size_t *out_len);

#endif
