#include "rt/natt_keepalive.h"

#include <string.h>

#include "rt/netio.h"

static const uint8_t keepalive_octet[1] = { DS_NAT_KEEPALIVE_BYTE };

bool ds_natt_keepalive_wanted(const ds_ike_info *info)
{
	/* RFC 3948 cl. 4: only while the SA exists; a half-open or deleting SA needs none. IPv6
	 * paths have no NAT on S2c (RFC 5555 cl. 4.2 detects NATs on IPv4 only). */
	return info->state == DS_IKE_ST_ESTABLISHED && info->local.family == DS_AF_INET &&
	       info->remote.family == DS_AF_INET && info->remote.port == DS_PORT_NATT;
}

void ds_natt_keepalive_make(const ds_ike_info *info, ds_pkt *out)
{
	memset(out, 0, sizeof *out);
	out->kind = DS_PKT_UDP;
	out->src = info->local;
	out->dst = info->remote;
	out->data = keepalive_octet;
	out->len = sizeof keepalive_octet;
}

bool ds_natt_is_keepalive(const ds_pkt *pkt)
{
	size_t off;
	return pkt->kind == DS_PKT_UDP && pkt->dst.port == DS_PORT_NATT &&
	       ds_udp4500_classify(pkt->data, pkt->len, &off) == DS_UDP4500_KEEPALIVE;
}

bool ds_natt_udp4500_is_ike(const ds_pkt *pkt, ds_natt_counters *c)
{
	size_t off;
	if (ds_udp4500_classify(pkt->data, pkt->len, &off) == DS_UDP4500_IKE)
		return true;
	if (ds_natt_is_keepalive(pkt))
		c->keepalives_rx++;
	else
		c->udp4500_dropped++;
	return false;
}
