/* HA data plane: packets from the PDN for an HNP address or an IPv4 HoA are tunnelled to the
 * binding's care-of address (RFC 6275 cl. 10.4.1, RFC 3963 implicit mode, RFC 5555 cl. 4.5.1):
 * IPv6 CoA: IPv6-in-IPv6 / IPv4-in-IPv6; IPv4 CoA: protocol 41 / 4, or UDP 4191 when a NAT was
 * detected or UDP is forced. */
#include "ha/ha_impl.h"

#include <string.h>

#include "core/err.h"
#include "mip/sig.h"

void ds_ha_tun_input(ds_ha *ha, const uint8_t *p, size_t len, ds_time now)
{
	ds_addr src, dst;
	if (!ha || !p || ds_inner_addrs(p, len, &src, &dst) != DS_OK || len > DS_PKT_MAX) {
		if (ha)
			ha->ctr.drop[DS_HA_DROP_MALFORMED]++;
		return;
	}
	struct ds_ha_ue *u = dst.family == DS_AF_INET6 ? ha_ue_by_hnp(ha, dst.ip)
							: ha_ue_by_hoa4(ha, dst.ip);
	if (!u || !u->bound) {
		ha->ctr.drop[DS_HA_DROP_TUN_NO_BINDING]++;
		ds_logf_rl(&ha->cfg.log, &ha->rl_rx, now, DS_LOG_DEBUG,
			   "ha: no binding for a PDN packet");
		return;
	}
	ds_pkt out;
	memset(&out, 0, sizeof out);
	size_t n = 0;
	int rc = DS_OK;
	switch (u->tunnel) {
	case DS_HA_TUN_IP6:
		rc = ds_encap6(ha->cfg.ha6.ip, u->coa.ip, p, len, ha->buf, sizeof ha->buf, &n);
		out.kind = DS_PKT_IP;
		out.src = ha->cfg.ha6;
		out.dst = u->coa;
		out.data = ha->buf;
		out.len = n;
		break;
	case DS_HA_TUN_IP4:
		rc = ds_encap4(ha->cfg.ha4.ip, u->coa.ip, p, len, ha->buf, sizeof ha->buf, &n);
		out.kind = DS_PKT_IP;
		out.src = ha->cfg.ha4;
		out.dst = u->coa;
		out.data = ha->buf;
		out.len = n;
		break;
	case DS_HA_TUN_UDP4:
		out.kind = DS_PKT_UDP;
		out.src = ha->cfg.ha4;
		out.src.port = DS_DSMIP_UDP_PORT;
		out.dst = u->coa;
		out.data = p;
		out.len = len;
		break;
	default:
		rc = DS_E_STATE;
	}
	if (rc != DS_OK) {
		ha->ctr.drop[DS_HA_DROP_MALFORMED]++;
		return;
	}
	ha->ctr.tun_encap++;
	ha->cfg.send(ha->cfg.send_ctx, &out);
}
