/* libFuzzer harness: arbitrary packets into an HA engine that serves one registered UE.
 *
 * Input byte 0 selects how the rest is delivered:
 *   0  a raw DS_PKT_IP packet (IPv6 or IPv4)
 *   1  a UDP 4191 payload from an IPv4 address
 *   2  a packet from the PDN (TUN)
 *   3  an MH sealed with the UE's ESP SA, sent from the CoA with a Home Address option
 *      (checksum fixed up, so the fuzzer reaches BU / BRA processing)
 *   4  the same MH inside UDP 4191 (IPv4 CoA path)
 *   5  as 3, then a timer run far in the future (expiry, BRI retransmission paths)
 * Each input gets a fresh engine, so leaks and state bugs show up per input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/csum.h"
#include "core/err.h"
#include "crypto/crypto.h"
#include "ha/ha.h"
#include "ipsec/esp.h"
#include "mip/sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink(void *ctx, const ds_pkt *p)
{
	/* touch every byte so that ASan sees out-of-bounds output */
	volatile uint8_t x = 0;
	for (size_t i = 0; i < p->len; i++)
		x ^= p->data[i];
	(void)ctx;
	(void)x;
}

static ds_esp_sa *mk_sa(uint32_t spi, uint8_t dir, const ds_addr *local, const ds_addr *remote)
{
	static const uint8_t key[20] = { 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 1, 2, 3, 4 };
	ds_esp_sa_params p;
	memset(&p, 0, sizeof p);
	p.spi = spi;
	p.dir = dir;
	p.mode = DS_ESP_TRANSPORT;
	p.encr = DS_ENCR_AES_GCM_16;
	p.encr_key_bits = 128;
	p.encr_key = key;
	p.local = *local;
	p.remote = *remote;
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
	ds_ha_config c;
	memset(&c, 0, sizeof c);
	c.send = sink;
	ds_addr_parse("2001:db8::1", &c.ha6);
	ds_addr_parse("192.0.2.1", &c.ha4);
	ds_addr_parse("2001:db8:1000::/56", &c.hnp_pool);
	ds_addr_parse("10.45.0.0/28", &c.ipv4_pool);
	c.refresh_advice_pct = 80;
	ds_ha *ha = ds_ha_new(&c);
	if (!ha)
		abort();
	ds_addr hnp, coa, coa4;
	ds_addr_parse("2001:db8:ff::9", &coa);
	ds_addr_parse("198.51.100.9:4191", &coa4);
	if (ds_ha_assign_hnp(ha, "ue@nai", "internet", &hnp, NULL) != DS_OK)
		abort();
	ds_addr hoa = hnp;
	hoa.plen = 0;
	hoa.ip[15] = 1;
	ds_esp_sa *in = mk_sa(0x1001, DS_ESP_IN, &c.ha6, &hoa);
	ds_esp_sa *out = mk_sa(0x2002, DS_ESP_OUT, &c.ha6, &hoa);
	ds_esp_sa *ue_out = mk_sa(0x1001, DS_ESP_OUT, &hoa, &c.ha6);
	if (!in || !out || !ue_out || ds_ha_ike_up(ha, "ue@nai", "internet", (void *)1, out, in,
						   &coa, 0) != DS_OK)
		abort();
	ds_time now = 1000;
	ds_pkt p;
	memset(&p, 0, sizeof p);
	static uint8_t buf[DS_PKT_MAX];
	switch (mode) {
	case 0:
		p = (ds_pkt){ .kind = DS_PKT_IP, .src = coa, .dst = c.ha6, .data = data, .len = size };
		ds_ha_input(ha, &p, now);
		break;
	case 1:
		p = (ds_pkt){ .kind = DS_PKT_UDP, .src = coa4, .dst = c.ha4, .data = data, .len = size };
		p.dst.port = 4191;
		ds_ha_input(ha, &p, now);
		break;
	case 2:
		ds_ha_tun_input(ha, data, size, now);
		break;
	default: {
		/* the fuzz data is an MH; fix its checksum for the HoA -> HA pseudo-header */
		uint8_t mh[2048];
		size_t ml = size < sizeof mh ? size : sizeof mh;
		memcpy(mh, data, ml);
		if (ml >= 6) {
			mh[4] = mh[5] = 0;
			ds_put_u16(mh + 4, ds_csum_ipv6(hoa.ip, c.ha6.ip, 135, mh, ml));
		}
		size_t n;
		bool udp = mode == 4;
		if (ds_sig_build(udp ? hoa.ip : coa.ip, c.ha6.ip, udp ? NULL : hoa.ip, NULL, ue_out,
				 mh, ml, buf, sizeof buf, &n) == DS_OK) {
			if (udp) {
				p = (ds_pkt){ .kind = DS_PKT_UDP, .src = coa4, .dst = c.ha4, .data = buf,
					      .len = n };
				p.dst.port = 4191;
			} else {
				p = (ds_pkt){ .kind = DS_PKT_IP, .src = coa, .dst = c.ha6, .data = buf,
					      .len = n };
			}
			ds_ha_input(ha, &p, now);
		}
		if (mode == 5) {
			ds_ha_revoke(ha, "ue@nai", "internet", now);
			for (int i = 0; i < 8 && ds_ha_next_timeout(ha) != DS_TIME_NEVER; i++)
				ds_ha_on_timer(ha, ds_ha_next_timeout(ha));
		}
		break;
	}
	}
	ds_esp_sa_free(ue_out);
	ds_ha_free(ha);
	return 0;
}
