/* The daemon's own nftables table. Without CONFIG_IPV6_MIP6 the kernel answers every packet with
 * a Home Address option (RFC 6275 cl. 6.3) or a Type 2 Routing Header (cl. 6.4) with an ICMPv6
 * Parameter Problem (code 2 "unrecognized IPv6 option", code 0 "erroneous header field"), after
 * the daemon's raw socket has received its copy. Those answers would tell the peer the packet was
 * rejected, so the table drops them on output. On a kernel with MIP6 the rule never matches.
 *
 * The table is named per daemon ("dsmip6_ue" / "dsmip6_ha"), replaced at start (a table left by
 * a crashed run is flushed) and deleted at exit; the nft(8) command applies it atomically. */
#ifndef DSMIP6_RT_NFT_H
#define DSMIP6_RT_NFT_H

#include <stddef.h>

/* Write the ruleset text for `table` into buf (exposed for tests and for operators). */
int ds_nft_ruleset(const char *table, char *buf, size_t len);
/* Install / remove the table. err receives nft's message on failure. */
int ds_nft_install(const char *table, char *err, size_t errlen);
int ds_nft_remove(const char *table);

#endif
