/* TUN devices: the UE's carries its home addresses (IPv6 HoA from the HNP, IPv4 HoA); the HA's
 * faces the PDN with the HNP pool and the IPv4 pool routed into it. Packets are raw IP (no
 * packet-information header: IFF_NO_PI), one per read()/write(). */
#ifndef DSMIP6_RT_TUN_H
#define DSMIP6_RT_TUN_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

/* Create (or attach to) TUN device `name`; on success returns the non-blocking descriptor and
 * stores the kernel's name (may differ when name ends in "%d") and ifindex. Negative ds_err on
 * failure (errno kept). */
int ds_tun_open(const char *name, char out_name[IF_NAMESIZE], int *ifindex);
/* Keep the kernel from talking on the device by itself: no IPv6 link-local address, hence no
 * router solicitations, MLD reports or DAD probes that the engines would have to drop (the
 * daemons configure every address themselves). Call before the link is brought up. */
int ds_tun_quiet(const char *name);
/* One packet; DS_E_IO when nothing is ready. */
int ds_tun_read(int fd, uint8_t *buf, size_t cap, size_t *len);
int ds_tun_write(int fd, const uint8_t *pkt, size_t len);

#endif
