/* libFuzzer harness: arbitrary packets into a UE engine with one PDN connection whose BU is
 * outstanding (so BA, BRI and data paths are all live).
 *
 * Input byte 0 selects the delivery:
 *   0  a raw DS_PKT_IP packet
 *   1  a UDP 4191 payload from the HA's IPv4 address
 *   2  a TUN packet (uplink)
 *   3  an MH sealed with the HA's ESP SA: IPv6(HA -> CoA) / RH2[HoA] / ESP (checksum fixed)
 *   4  the same MH without RH2 inside UDP 4191 (IPv4 access)
 *   5  as 3, then timers run (refresh, retransmission, keepalive paths)
 * Each input gets a fresh engine. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/csum.h"
#include "core/err.h"
#include "crypto/crypto.h"
#include "ipsec/esp.h"
#include "mip/sig.h"
#include "ue/ue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink(void *ctx, const ds_pkt *p)
{
	volatile uint8_t x = 0;
	for (size_t i = 0; i < p->len; i++)
		x ^= p->data[i];
	(void)ctx;
	(void)x;
}

static ds_esp_sa *mk_sa(uint32_t spi, uint8_t dir)
{
	static const uint8_t key[20] = { 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 5, 6, 7, 8 };
	ds_esp_sa_params p;
	memset(&p, 0, sizeof p);
	p.spi = spi;
	p.dir = dir;
	p.mode = DS_ESP_TRANSPORT;
	p.encr = DS_ENCR_AES_GCM_16;
	p.encr_key_bits = 128;
	p.encr_key = key;
	p.sel.proto = 135;
	p.sel.local_port_hi = p.sel.remote_port_hi = 0xffff;
	return ds_esp_sa_new(&p, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	uint8_t mode = data[0] % 6;
	data++;
	size--;
	bool v4 = mode == 1 || mode == 4;
	ds_ue_config c;
	memset(&c, 0, sizeof c);
	c.send = sink;
	c.iid[7] = 1;
	ds_ue *ue = ds_ue_new(&c);
	ds_addr ha6, ha4, coa6, coa4, hnp;
	ds_addr_parse("2001:db8::1", &ha6);
	ds_addr_parse("192.0.2.1", &ha4);
	ds_addr_parse("2001:db8:ff::9", &coa6);
	ds_addr_parse("198.51.100.9", &coa4);
	ds_addr_parse("2001:db8:1000:1::/64", &hnp);
	ds_ue_access acc;
	memset(&acc, 0, sizeof acc);
	acc.kind = v4 ? DS_UE_ACCESS_IPV4 : DS_UE_ACCESS_IPV6;
	acc.coa6 = coa6;
	acc.coa4 = coa4;
	ds_ue_access_change(ue, &acc, 0);
	ds_ue_pdn_config pc;
	memset(&pc, 0, sizeof pc);
	strcpy(pc.apn, "internet");
	pc.ha6 = ha6;
	pc.ha4 = ha4;
	pc.want_ipv4_hoa = true;
	ds_pdn_id pdn = ds_ue_pdn_add(ue, &pc, 0, NULL);
	ds_ue_ike_info info;
	memset(&info, 0, sizeof info);
	info.ike = (void *)1;
	info.hnp = hnp;
	info.hnp_lifetime_s = 3600;
	info.ha6 = ha6;
	info.ha4 = ha4;
	info.sa_out = mk_sa(0x1001, DS_ESP_OUT);
	info.sa_in = mk_sa(0x2002, DS_ESP_IN);
	ds_esp_sa *ha_out = mk_sa(0x2002, DS_ESP_OUT);
	if (!pdn || !ha_out || ds_ue_ike_up(ue, pdn, &info, 0) != DS_OK)
		abort();
	ds_addr hoa = hnp;
	hoa.plen = 0;
	hoa.ip[15] = 1;
	ds_time now = 10;
	static uint8_t buf[DS_PKT_MAX];
	ds_pkt p;
	switch (mode) {
	case 0:
		p = (ds_pkt){ .kind = DS_PKT_IP, .src = ha6, .dst = coa6, .data = data, .len = size };
		ds_ue_input(ue, &p, now);
		break;
	case 1:
		p = (ds_pkt){ .kind = DS_PKT_UDP, .src = ha4, .dst = coa4, .data = data, .len = size };
		p.src.port = 4191;
		p.dst.port = 4191;
		ds_ue_input(ue, &p, now);
		break;
	case 2:
		ds_ue_tun_input(ue, data, size, now);
		break;
	default: {
		uint8_t mh[2048];
		size_t ml = size < sizeof mh ? size : sizeof mh;
		memcpy(mh, data, ml);
		if (ml >= 6) {
			mh[4] = mh[5] = 0;
			ds_put_u16(mh + 4, ds_csum_ipv6(ha6.ip, hoa.ip, 135, mh, ml));
		}
		size_t n;
		int rc = v4 ? ds_sig_build(ha6.ip, hoa.ip, NULL, NULL, ha_out, mh, ml, buf, sizeof buf, &n)
			    : ds_sig_build(ha6.ip, coa6.ip, NULL, hoa.ip, ha_out, mh, ml, buf, sizeof buf,
					   &n);
		if (rc == DS_OK) {
			if (v4) {
				p = (ds_pkt){ .kind = DS_PKT_UDP, .src = ha4, .dst = coa4, .data = buf,
					      .len = n };
				p.src.port = 4191;
				p.dst.port = 4191;
			} else {
				p = (ds_pkt){ .kind = DS_PKT_IP, .src = ha6, .dst = coa6, .data = buf,
					      .len = n };
			}
			ds_ue_input(ue, &p, now);
		}
		if (mode == 5) {
			for (int i = 0; i < 12 && ds_ue_next_timeout(ue) != DS_TIME_NEVER; i++)
				ds_ue_on_timer(ue, ds_ue_next_timeout(ue));
		}
		break;
	}
	}
	ds_esp_sa_free(ha_out);
	ds_ue_free(ue);
	return 0;
}
