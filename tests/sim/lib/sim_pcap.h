/* pcap writer (classic libpcap format, LINKTYPE_RAW = 101: each record starts with an IPv4 or
 * IPv6 header). DS_PKT_IP records are written as they are; DS_PKT_UDP records get a synthetic
 * outer IP + UDP header built from their endpoints, so tools see RFC 5555 UDP 4191, IKE 500/4500
 * and ESP-in-UDP the way they travel. Timestamps are the virtual clock. */
#ifndef DSMIP6_SIM_PCAP_H
#define DSMIP6_SIM_PCAP_H

#include <stdint.h>

#include "core/pkt.h"
#include "core/time.h"

typedef struct sim_pcap sim_pcap;

sim_pcap *sim_pcap_open(const char *path);    /* NULL on error (errno set) */
/* DS_OK, DS_E_PARAM for a record that cannot be framed, DS_E_IO on a write error. */
int sim_pcap_write(sim_pcap *p, ds_time now, const ds_pkt *pkt);
uint64_t sim_pcap_records(const sim_pcap *p);
int sim_pcap_close(sim_pcap *p);               /* DS_OK or DS_E_IO */

#endif
