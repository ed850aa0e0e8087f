/* Conformance of the mobility engines on points where the RFC text decides the behaviour:
 * the UE's answer to Binding Revocation Indications (RFC 5846 cl. 6.1.2, 6.2.1, 10), the HA's
 * answer to a de-registration without a binding (RFC 6275 cl. 10.3.2), the NAT Detection
 * refresh time without a NAT (RFC 5555 cl. 3.2.2, 4.3) and the HA's Binding Errors (RFC 6275
 * cl. 9.2, 9.3.3 under RFC 4877 / RFC 4301 cl. 5.2).
 * Both engines run in one process over real wire bytes and real AES-GCM ESP (engine_world). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/csum.h"
#include "core/err.h"
#include "crypto/crypto.h"
#include "engine_world.h"
#include "ipsec/esp.h"
#include "mip/mh.h"
#include "mip/sig.h"

static int setup(void **state)
{
	world *w = w_new();
	assert_non_null(w->ue);
	assert_non_null(w->ha);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	w_free(*state);
	return 0;
}

/* ---- a second sender on the HA's SA towards the UE ------------------------------------- */

/* The HA -> UE SA of the last w_attach() has the SPI 0x8000 + (spi_base - 1) and the fixed test
 * key of engine_world.c; an outbound copy lets the test send BRIs the HA engine would never
 * build (P, V, G, other triggers). Its sequence numbers start past what the HA has sent so far,
 * still inside the UE's replay window for the HA's later packets. */
static ds_esp_sa *ha_sa_copy(const world *w, const ds_addr *hoa)
{
	static const uint8_t key[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
					 0xa0, 0xa1, 0xa2, 0xa3 };
	ds_esp_sa_params p;
	memset(&p, 0, sizeof p);
	p.spi = 0x8000 + w->spi_base - 1;
	p.dir = DS_ESP_OUT;
	p.mode = DS_ESP_TRANSPORT;
	p.encr = DS_ENCR_AES_GCM_16;
	p.encr_key_bits = 128;
	p.integ = DS_INTEG_NONE;
	p.encr_key = key;
	p.local = W_HA6;
	p.remote = *hoa;
	p.sel.local = W_HA6;
	p.sel.local.plen = 128;
	p.sel.remote = *hoa;
	p.sel.remote.plen = 128;
	p.sel.proto = 135;
	p.sel.local_port_hi = 0xffff;
	p.sel.remote_port_hi = 0xffff;
	int err;
	ds_esp_sa *sa = ds_esp_sa_new(&p, &err);
	assert_non_null(sa);
	uint8_t scratch[128];
	size_t n;
	for (int i = 0; i < 16; i++)
		assert_int_equal(ds_esp_seal(sa, 59, scratch, 0, scratch + 64, sizeof scratch - 64,
					     &n), DS_OK);
	return sa;
}

enum { VIA_COA6, VIA_HOME };

/* Send bri to the UE, ESP-protected with sa: IPv6(HA -> CoA) / RH2[HoA] / ESP / MH from a
 * foreign link, IPv6(HA -> HoA) / ESP / MH on the home link (RFC 5846 cl. 7). */
static void send_bri(world *w, ds_esp_sa *sa, const ds_addr *hoa, int via, const ds_mh_msg *bri)
{
	uint8_t mh[256], pkt[1024];
	size_t ml, n;
	assert_int_equal(ds_mh_encode(bri, W_HA6.ip, hoa->ip, mh, sizeof mh, &ml), DS_OK);
	const ds_addr *dst = via == VIA_HOME ? hoa : &W_COA6;
	assert_int_equal(ds_sig_build(W_HA6.ip, dst->ip, NULL, via == VIA_HOME ? NULL : hoa->ip, sa,
				      mh, ml, pkt, sizeof pkt, &n), DS_OK);
	ds_pkt p = { .kind = DS_PKT_IP, .src = W_HA6, .dst = *dst, .data = pkt, .len = n };
	w_q_clear(&w->ue_log);
	w_q_clear(&w->from_ue);
	ds_ue_input(w->ue, &p, w->now);
}

/* The BRA the UE sent in answer (decrypted with the sniffing copy of the UE -> HA SA). */
static void sent_bra(world *w, ds_mh_msg *bra)
{
	assert_int_equal(w->ue_log.n, 1);
	assert_int_equal(w_sniff_bu(w, &w->ue_log.v[0], bra, NULL), DS_OK);
	assert_int_equal(bra->type, DS_MH_BR);
	assert_int_equal(bra->br_type, DS_BR_BRA);
	w_q_clear(&w->from_ue);   /* not for the HA engine: it has no BRI outstanding */
}

static ds_mh_msg bri_msg(uint16_t seq, uint8_t trigger, uint16_t flags)
{
	ds_mh_msg m;
	memset(&m, 0, sizeof m);
	m.type = DS_MH_BR;
	m.br_type = DS_BR_BRI;
	m.seq = seq;
	m.status = trigger;
	m.br_flags = flags;
	return m;
}

static ds_ue_pdn_status attach_foreign(world *w, bool want_v4)
{
	ds_ue_access a = w_access6(&W_COA6);
	assert_int_equal(ds_ue_access_change(w->ue, &a, w->now), DS_OK);
	assert_int_not_equal(w_attach(w, "internet", want_v4, NULL), 0);
	assert_int_equal(w->st, DS_UE_PDN_REGISTERED);
	ds_ue_pdn_status s;
	assert_int_equal(ds_ue_pdn_status_get(w->ue, w->pdn, &s), DS_OK);
	return s;
}

/* The PDN connection of s is untouched: registered, IPv6 tunnel, HoA configured. */
static void still_registered(world *w, const ds_ue_pdn_status *s)
{
	assert_int_equal(ds_ue_pdn_state_of(w->ue, w->pdn), DS_UE_PDN_REGISTERED);
	assert_int_equal(w->n_revoked, 0);
	assert_int_equal(w->tun, DS_UE_TUN_IP6);
	assert_true(ds_addr_ip_eq(&w->hoa, &s->hoa));
}

/* ---- D-4: BRI at the UE, RFC 5846 cl. 10 ----------------------------------------------- */

/* cl. 10, first test: no Binding Update List entry for the HoA -> silently discarded (no BRA
 * with 128), counted. At home the UE has its SA but no binding. */
static void bri_without_binding_discarded(void **state)
{
	world *w = *state;
	ds_addr hnp;
	assert_int_equal(ds_ha_assign_hnp(w->ha, W_NAI, "internet", &hnp, NULL), DS_OK);
	ds_ue_access a = w_access_home(&hnp);
	a.coa6 = W_COA6;
	ds_ue_access_change(w->ue, &a, w->now);
	assert_int_not_equal(w_attach(w, "internet", false, NULL), 0);
	assert_int_equal(w->st, DS_UE_PDN_AT_HOME);
	ds_ue_pdn_status s;
	ds_ue_pdn_status_get(w->ue, w->pdn, &s);
	ds_esp_sa *sa = ha_sa_copy(w, &s.hoa);
	const ds_ue_counters *c = ds_ue_counters_get(w->ue);
	uint64_t dropped = c->drop_selector;
	ds_mh_msg bri = bri_msg(7, DS_BR_TRIGGER_ADMIN, 0);
	send_bri(w, sa, &s.hoa, VIA_HOME, &bri);
	assert_int_equal(w->ue_log.n, 0);          /* no BRA at all */
	assert_int_equal(c->bra_sent, 0);
	assert_int_equal(c->bri_received, 1);
	assert_int_equal(c->drop_selector, dropped + 1);
	assert_int_equal(ds_ue_pdn_state_of(w->ue, w->pdn), DS_UE_PDN_AT_HOME);
	assert_int_equal(w->n_revoked, 0);
	ds_esp_sa_free(sa);
}

/* cl. 10 / RFC 6275 cl. 11.7.1: the BUL entry exists from the first BU on, so a BRI while the
 * first registration is unanswered is accepted with success and ends the PDN connection. */
static void bri_during_first_registration_accepted(void **state)
{
	world *w = *state;
	ds_ue_access a = w_access6(&W_COA6);
	ds_ue_access_change(w->ue, &a, w->now);
	w->drop_ue = true;                         /* the BU never reaches the HA */
	assert_int_not_equal(w_attach(w, "internet", false, NULL), 0);
	w->drop_ue = false;
	assert_int_equal(w->st, DS_UE_PDN_REGISTERING);
	ds_ue_pdn_status s;
	ds_ue_pdn_status_get(w->ue, w->pdn, &s);
	ds_esp_sa *sa = ha_sa_copy(w, &s.hoa);
	ds_mh_msg bri = bri_msg(3, DS_BR_TRIGGER_ADMIN, 0), bra;
	send_bri(w, sa, &s.hoa, VIA_COA6, &bri);
	sent_bra(w, &bra);
	assert_int_equal(bra.status, DS_BRA_SUCCESS);
	assert_int_equal(bra.seq, 3);
	assert_int_equal(w->st, DS_UE_PDN_DETACHED);
	assert_int_equal(w->n_revoked, 1);
	ds_esp_sa_free(sa);
}

/* A.6 values (trigger 1, P=G=V=0): success, same sequence number, flags clear, then the PDN
 * connection is gone. */
static void bri_accepted_revokes_pdn(void **state)
{
	world *w = *state;
	ds_ue_pdn_status s = attach_foreign(w, true);
	ds_esp_sa *sa = ha_sa_copy(w, &s.hoa);
	ds_mh_msg bri = bri_msg(0xbeef, DS_BR_TRIGGER_ADMIN, 0), bra;
	send_bri(w, sa, &s.hoa, VIA_COA6, &bri);
	sent_bra(w, &bra);
	assert_int_equal(bra.status, DS_BRA_SUCCESS);
	assert_int_equal(bra.seq, 0xbeef);
	assert_int_equal(bra.br_flags, 0);
	assert_int_equal(w->st, DS_UE_PDN_DETACHED);
	assert_int_equal(w->n_revoked, 1);
	assert_int_equal(w->tun, DS_UE_TUN_NONE);
	assert_int_equal(w->hoa.family, DS_AF_NONE);
	assert_int_equal(w->hoa4.family, DS_AF_NONE);
	ds_esp_sa_free(sa);
}

/* cl. 10: P=1 (a proxy binding) MUST be rejected with 135; the BRA echoes P (cl. 6.1.2) and
 * the binding stays. */
static void bri_proxy_flag_rejected(void **state)
{
	world *w = *state;
	ds_ue_pdn_status s = attach_foreign(w, false);
	ds_esp_sa *sa = ha_sa_copy(w, &s.hoa);
	ds_mh_msg bri = bri_msg(11, DS_BR_TRIGGER_ADMIN, DS_BR_P), bra;
	send_bri(w, sa, &s.hoa, VIA_COA6, &bri);
	sent_bra(w, &bra);
	assert_int_equal(bra.status, 135);
	assert_int_equal(bra.seq, 11);
	assert_int_equal(bra.br_flags, DS_BR_P);
	still_registered(w, &s);
	/* P wins over V: still 135, both flags echoed */
	bri = bri_msg(12, DS_BR_TRIGGER_ADMIN, DS_BR_P | DS_BR_V);
	send_bri(w, sa, &s.hoa, VIA_COA6, &bri);
	sent_bra(w, &bra);
	assert_int_equal(bra.status, 135);
	assert_int_equal(bra.br_flags, DS_BR_P | DS_BR_V);
	still_registered(w, &s);
	ds_esp_sa_free(sa);
}

/* cl. 10: V=1 with the UE's IPv4 HoA -> only the IPv4 HoA binding goes (success, V echoed);
 * the IPv6 binding and tunnel stay; the next re-registration carries no IPv4 HoA option, so
 * the HA releases the address too (A.3, R-47). */
static void bri_ipv4_only(void **state)
{
	world *w = *state;
	ds_ue_pdn_status s = attach_foreign(w, true);
	assert_int_equal(s.hoa4.family, DS_AF_INET);
	assert_non_null(ds_ha_find_hoa4(w->ha, &s.hoa4));
	ds_esp_sa *sa = ha_sa_copy(w, &s.hoa);
	ds_mh_msg bri = bri_msg(21, DS_BR_TRIGGER_ADMIN, DS_BR_V), bra;
	bri.ipv4_hoa.present = true;
	bri.ipv4_hoa.plen = 32;
	memcpy(bri.ipv4_hoa.addr, s.hoa4.ip, 4);
	send_bri(w, sa, &s.hoa, VIA_COA6, &bri);
	sent_bra(w, &bra);
	assert_int_equal(bra.status, DS_BRA_SUCCESS);
	assert_int_equal(bra.seq, 21);
	assert_int_equal(bra.br_flags, DS_BR_V);
	still_registered(w, &s);
	assert_int_equal(w->hoa4.family, DS_AF_NONE);   /* removed from the host */
	ds_ue_pdn_status s2;
	ds_ue_pdn_status_get(w->ue, w->pdn, &s2);
	assert_int_equal(s2.hoa4.family, DS_AF_NONE);
	/* IPv4 from the revoked address is no longer tunnelled */
	uint64_t tun_drop = ds_ue_counters_get(w->ue)->tun_drop;
	uint8_t ip4[28] = { 0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0 };
	memcpy(ip4 + 12, s.hoa4.ip, 4);
	ip4[16] = 198;
	ip4[17] = 51;
	ip4[18] = 100;
	ip4[19] = 9;
	ds_ue_tun_input(w->ue, ip4, sizeof ip4, w->now);
	assert_int_equal(ds_ue_counters_get(w->ue)->tun_drop, tun_drop + 1);
	/* the re-registration (A.3) has no IPv4 HoA option; the HA lets the address go */
	w_q_clear(&w->ue_log);
	w_run_until(w, s2.refresh_at);
	assert_true(w->ue_log.n >= 1);
	ds_mh_msg bu;
	assert_int_equal(w_sniff_bu(w, &w->ue_log.v[0], &bu, NULL), DS_OK);
	assert_int_equal(bu.type, DS_MH_BU);
	assert_false(bu.ipv4_hoa.present);
	still_registered(w, &s);
	assert_null(ds_ha_find_hoa4(w->ha, &s.hoa4));
	assert_non_null(ds_ha_find_hoa(w->ha, &s.hoa));
	ds_esp_sa_free(sa);
}

/* cl. 10: V=1 without the IPv4 Home Address option -> 129; with an address that is not the
 * UE's -> 128 (SHOULD); a UE without an IPv4 HoA -> 128. Nothing is released. */
static void bri_ipv4_only_rejections(void **state)
{
	world *w = *state;
	ds_ue_pdn_status s = attach_foreign(w, true);
	ds_esp_sa *sa = ha_sa_copy(w, &s.hoa);
	ds_mh_msg bri = bri_msg(31, DS_BR_TRIGGER_ADMIN, DS_BR_V), bra;
	send_bri(w, sa, &s.hoa, VIA_COA6, &bri);
	sent_bra(w, &bra);
	assert_int_equal(bra.status, 129);
	assert_int_equal(bra.br_flags, DS_BR_V);
	still_registered(w, &s);
	assert_true(ds_addr_ip_eq(&w->hoa4, &s.hoa4));
	bri.seq = 32;
	bri.ipv4_hoa.present = true;
	bri.ipv4_hoa.plen = 32;
	memcpy(bri.ipv4_hoa.addr, s.hoa4.ip, 4);
	bri.ipv4_hoa.addr[3] ^= 1;                 /* someone else's */
	send_bri(w, sa, &s.hoa, VIA_COA6, &bri);
	sent_bra(w, &bra);
	assert_int_equal(bra.status, DS_BRA_NO_BINDING);
	assert_int_equal(bra.seq, 32);
	still_registered(w, &s);
	assert_true(ds_addr_ip_eq(&w->hoa4, &s.hoa4));
	ds_esp_sa_free(sa);
	/* a PDN connection without an IPv4 HoA */
	world *w2 = w_new();
	s = attach_foreign(w2, false);
	sa = ha_sa_copy(w2, &s.hoa);
	memcpy(bri.ipv4_hoa.addr, ((uint8_t[]){ 10, 45, 0, 1 }), 4);
	send_bri(w2, sa, &s.hoa, VIA_COA6, &bri);
	sent_bra(w2, &bra);
	assert_int_equal(bra.status, DS_BRA_NO_BINDING);
	still_registered(w2, &s);
	ds_esp_sa_free(sa);
	w_free(w2);
}

/* cl. 6.2.1: an unsupported (reserved) trigger SHOULD get 133; a trigger that does not fit G
 * SHOULD get 134 (G=1 with a per-MN trigger, G=0 with a global one). The binding stays. */
static void bri_trigger_checks(void **state)
{
	world *w = *state;
	ds_ue_pdn_status s = attach_foreign(w, false);
	ds_esp_sa *sa = ha_sa_copy(w, &s.hoa);
	static const struct {
		uint8_t trigger;
		uint16_t flags;
		uint8_t status;
	} cases[] = {
		{ 8, 0, 133 },        /* reserved per-MN range */
		{ 127, 0, 133 },
		{ 130, DS_BR_G, 133 },/* reserved global range */
		{ 249, DS_BR_G, 133 },
		{ 1, DS_BR_G, 134 },  /* G=1, per-MN trigger */
		{ 7, DS_BR_G, 134 },
		{ 128, 0, 134 },      /* G=0, global trigger */
		{ 129, 0, 134 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ds_mh_msg bri = bri_msg((uint16_t)(100 + i), cases[i].trigger, cases[i].flags), bra;
		send_bri(w, sa, &s.hoa, VIA_COA6, &bri);
		sent_bra(w, &bra);
		assert_int_equal(bra.status, cases[i].status);
		assert_int_equal(bra.seq, 100 + i);
		assert_int_equal(bra.br_flags, cases[i].flags);
		still_registered(w, &s);
	}
	/* every per-MN trigger (0..7) is understood: trigger 0 "unspecified" revokes */
	ds_mh_msg bri = bri_msg(200, 0, 0), bra;
	send_bri(w, sa, &s.hoa, VIA_COA6, &bri);
	sent_bra(w, &bra);
	assert_int_equal(bra.status, DS_BRA_SUCCESS);
	assert_int_equal(w->st, DS_UE_PDN_DETACHED);
	ds_esp_sa_free(sa);
}

/* cl. 6.1.2: G=1 with a global trigger and a test trigger (250..255) with either G are
 * accepted; the BRA echoes G; on this SA the binding revoked is this PDN connection's. */
static void bri_global_and_test_triggers(void **state)
{
	world *w = *state;
	ds_ue_pdn_status s = attach_foreign(w, false);
	ds_esp_sa *sa = ha_sa_copy(w, &s.hoa);
	ds_mh_msg bri = bri_msg(300, 128, DS_BR_G), bra;
	send_bri(w, sa, &s.hoa, VIA_COA6, &bri);
	sent_bra(w, &bra);
	assert_int_equal(bra.status, DS_BRA_SUCCESS);
	assert_int_equal(bra.br_flags, DS_BR_G);
	assert_int_equal(w->st, DS_UE_PDN_DETACHED);
	assert_int_equal(w->n_revoked, 1);
	ds_esp_sa_free(sa);
	world *w2 = w_new();
	s = attach_foreign(w2, false);
	sa = ha_sa_copy(w2, &s.hoa);
	bri = bri_msg(301, 250, 0);
	send_bri(w2, sa, &s.hoa, VIA_COA6, &bri);
	sent_bra(w2, &bra);
	assert_int_equal(bra.status, DS_BRA_SUCCESS);
	assert_int_equal(w2->st, DS_UE_PDN_DETACHED);
	ds_esp_sa_free(sa);
	w_free(w2);
}

/* The real HA's revocation still completes against the UE (A.6: BRI, BRA 0, IKE Delete). */
static void ha_revocation_completes(void **state)
{
	world *w = *state;
	attach_foreign(w, true);
	assert_int_equal(ds_ha_revoke(w->ha, W_NAI, "internet", w->now), DS_OK);
	w_pump(w);
	assert_int_equal(w->st, DS_UE_PDN_DETACHED);
	assert_int_equal(w->n_revoked, 1);
	const ds_ha_counters *c = ds_ha_counters_get(w->ha);
	assert_int_equal(c->bra_received, 1);
	assert_int_equal(c->drop[DS_HA_DROP_BRA_UNMATCHED], 0);
	assert_int_equal(w->ha_ike[DS_HA_IKE_DELETE], 1);
	assert_int_equal(ds_ha_binding_count(w->ha), 0);
}

/* ---- D-5: de-registration without a binding, RFC 6275 cl. 10.3.2 ------------------------ */

static ds_mh_msg reg_bu(uint16_t seq, uint16_t lifetime)
{
	ds_mh_msg m;
	memset(&m, 0, sizeof m);
	m.type = DS_MH_BU;
	m.seq = seq;
	m.bu_flags = DS_BU_A | DS_BU_H | DS_BU_K | DS_BU_R;
	m.lifetime = lifetime;
	if (lifetime) {
		m.bu_flags |= DS_BU_O;
		m.has_alt_coa = true;
		memcpy(m.alt_coa, W_COA6.ip, 16);
	}
	return m;
}

/* The first de-registration is accepted (0, lifetime 0); a second copy of it finds no home
 * registration entry and gets 133, like a newer or an older number would; the binding memory
 * still refuses a delayed registration with an old number (135), and the HNP stays. */
static void dereg_without_binding_gets_133(void **state)
{
	world *w = *state;
	raw_ue a;
	assert_int_equal(w_raw_ue(w, "a@nai", &a), DS_OK);
	ds_mh_msg bu = reg_bu(10, 100), ba;
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HAO, &ba), DS_OK);
	assert_int_equal(ba.status, 0);
	bu = reg_bu(30, 0);
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HOME, &ba), DS_OK);
	assert_int_equal(ba.status, 0);
	assert_int_equal(ba.seq, 30);
	assert_int_equal(ba.lifetime, 0);
	assert_false(ba.has_refresh);             /* cl. 10.3.2: no Binding Refresh Advice */
	assert_int_equal(ds_ha_binding_count(w->ha), 0);
	/* the same BU again (sealed anew: a sender repeating its number) */
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HOME, &ba), DS_OK);
	assert_int_equal(ba.status, 133);
	assert_int_equal(ba.seq, 30);
	bu.seq = 31;
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HOME, &ba), DS_OK);
	assert_int_equal(ba.status, 133);
	bu.seq = 5;                               /* older: no entry, any number (cl. 9.5.1) */
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HOME, &ba), DS_OK);
	assert_int_equal(ba.status, 133);
	assert_int_equal(ba.seq, 5);
	/* a delayed registration from the visited link is still refused (cl. 10.3.2 race) */
	bu = reg_bu(20, 100);
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HAO, &ba), DS_OK);
	assert_int_equal(ba.status, 135);
	assert_int_equal(ba.seq, 30);
	assert_int_equal(ds_ha_binding_count(w->ha), 0);
	assert_non_null(ds_ha_find_hoa(w->ha, &a.hoa));   /* HNP kept */
	assert_int_equal(ds_ha_counters_get(w->ha)->ba_status[133], 3);
	w_raw_free(&a);
}

/* The same for a detach from a foreign link (A.5): 0 once, then 133. */
static void detach_duplicate_gets_133(void **state)
{
	world *w = *state;
	raw_ue a;
	assert_int_equal(w_raw_ue(w, "a@nai", &a), DS_OK);
	ds_mh_msg bu = reg_bu(1, 100), ba;
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HAO, &ba), DS_OK);
	assert_int_equal(ba.status, 0);
	bu = reg_bu(2, 0);
	bu.has_alt_coa = true;
	memcpy(bu.alt_coa, W_COA6.ip, 16);
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HAO, &ba), DS_OK);
	assert_int_equal(ba.status, 0);
	assert_int_equal(w->ha_bind[DS_HA_BIND_DETACHED], 1);
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_HAO, &ba), DS_OK);
	assert_int_equal(ba.status, 133);
	assert_int_equal(w->ha_bind[DS_HA_BIND_DETACHED], 1);   /* nothing released twice */
	w_raw_free(&a);
}

/* The UE engine still completes both procedures when the HA's first BA is lost: the
 * retransmission (a new number, RFC 6275 cl. 11.8) gets 133, which ends a detach and a
 * return home. */
static void ue_finishes_on_133(void **state)
{
	world *w = *state;
	attach_foreign(w, true);
	w->drop_ha = true;                        /* the BA to the detach BU is lost */
	assert_int_equal(ds_ue_pdn_detach(w->ue, w->pdn, w->now), DS_OK);
	w_pump(w);
	w->drop_ha = false;
	assert_int_equal(w->st, DS_UE_PDN_DETACHING);
	assert_int_equal(ds_ha_binding_count(w->ha), 0);
	w_run_until(w, w->now + 5000);
	assert_int_equal(ds_ha_counters_get(w->ha)->ba_status[133], 1);
	assert_int_equal(w->st, DS_UE_PDN_DETACHED);
	assert_int_equal(w->ue_ike[DS_UE_IKE_DELETE], 1);
	/* return home with a lost BA */
	world *w2 = w_new();
	attach_foreign(w2, true);
	w2->drop_ha = true;
	ds_ue_access home = w_access_home(&w2->hnp);
	ds_ue_access_change(w2->ue, &home, w2->now);
	w_pump(w2);
	w2->drop_ha = false;
	assert_int_equal(w2->st, DS_UE_PDN_RETURNING_HOME);
	w_run_until(w2, w2->now + 5000);
	assert_int_equal(ds_ha_counters_get(w2->ha)->ba_status[133], 1);
	assert_int_equal(w2->st, DS_UE_PDN_AT_HOME);
	assert_int_equal(w2->tun, DS_UE_TUN_NONE);
	w_free(w2);
}

/* ---- D-6: NAT Detection refresh time, RFC 5555 cl. 3.2.2 / 4.3 --------------------------- */

/* Without a NAT the refresh time is all ones (no keepalives), with F=1 when UDP is forced and
 * with F=0 otherwise; behind a NAT it is NATKATIMEOUT (110 s, cl. 6). */
static void nat_refresh_time(void **state)
{
	world *w = *state;
	raw_ue a;
	assert_int_equal(w_raw_ue(w, "a@nai", &a), DS_OK);
	ds_mh_msg bu = reg_bu(1, 100), ba;
	bu.has_alt_coa = false;
	bu.has_ipv4_coa = true;
	memcpy(bu.ipv4_coa, W_COA4.ip, 4);
	bu.bu_flags |= DS_BU_F;
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_UDP, &ba), DS_OK);
	assert_int_equal(ba.status, 0);
	assert_true(ba.nat.present);
	assert_true(ba.nat.f);
	assert_int_equal(ba.nat.refresh_s, 0xffffffffu);
	bu.seq = 2;
	bu.bu_flags &= (uint16_t)~DS_BU_F;
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_UDP, &ba), DS_OK);
	assert_true(ba.nat.present);
	assert_false(ba.nat.f);
	assert_int_equal(ba.nat.refresh_s, 0xffffffffu);
	w->nat = true;                            /* outer source != IPv4 CoA option */
	bu.seq = 3;
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_UDP, &ba), DS_OK);
	assert_true(ba.nat.present);
	assert_true(ba.nat.f);
	assert_int_equal(ba.nat.refresh_s, 110);
	assert_int_equal(ds_ha_counters_get(w->ha)->nat_detected, 1);
	/* refusals and de-registrations in UDP carry the option with the same rule (cl. 4.2) */
	bu.seq = 2;                               /* old number behind the NAT: 135 */
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_UDP, &ba), DS_OK);
	assert_int_equal(ba.status, 135);
	assert_true(ba.nat.present);
	assert_true(ba.nat.f);
	assert_int_equal(ba.nat.refresh_s, 110);
	w->nat = false;
	bu.seq = 4;
	bu.has_ipv4_coa = false;                  /* no IPv4 CoA option: 174, no NAT known */
	assert_int_equal(w_raw_bu(w, &a, &bu, RAW_UDP, &ba), DS_OK);
	assert_int_equal(ba.status, 174);
	assert_true(ba.nat.present);
	assert_false(ba.nat.f);
	assert_int_equal(ba.nat.refresh_s, 0xffffffffu);
	ds_mh_msg d = reg_bu(5, 0);               /* A.5 detach in UDP, no NAT */
	d.has_ipv4_coa = true;
	memcpy(d.ipv4_coa, W_COA4.ip, 4);
	assert_int_equal(w_raw_bu(w, &a, &d, RAW_UDP, &ba), DS_OK);
	assert_int_equal(ba.status, 0);
	assert_true(ba.nat.present);
	assert_int_equal(ba.nat.refresh_s, 0xffffffffu);
	w->nat = true;                            /* the same again behind the NAT: 133 */
	d.seq = 6;
	assert_int_equal(w_raw_bu(w, &a, &d, RAW_UDP, &ba), DS_OK);
	assert_int_equal(ba.status, 133);
	assert_true(ba.nat.f);
	assert_int_equal(ba.nat.refresh_s, 110);
	w_raw_free(&a);
}

/* The UE follows it: forced UDP without a NAT gives a UDP tunnel but no keepalive
 * refreshes (re-registration at the Binding Refresh Advice, 1800 s); a NAT gives 110 s. */
static void ue_keepalive_follows_refresh_time(void **state)
{
	world *w = *state;
	ds_ue_access a = w_access4(&W_COA4);
	a.force_udp = true;
	ds_ue_access_change(w->ue, &a, w->now);
	assert_int_not_equal(w_attach(w, "internet", false, NULL), 0);
	assert_int_equal(w->st, DS_UE_PDN_REGISTERED);
	assert_int_equal(w->tun, DS_UE_TUN_UDP4);
	ds_ue_pdn_status s;
	ds_ue_pdn_status_get(w->ue, w->pdn, &s);
	assert_int_equal(s.refresh_at, w->now + 1800 * 1000);
	assert_int_equal(ds_ue_counters_get(w->ue)->nat_keepalives, 0);
	world *w2 = w_new();
	a.force_udp = false;
	ds_ue_access_change(w2->ue, &a, w2->now);
	w2->nat = true;
	assert_int_not_equal(w_attach(w2, "internet", false, NULL), 0);
	assert_int_equal(w2->tun, DS_UE_TUN_UDP4);
	ds_ue_pdn_status_get(w2->ue, w2->pdn, &s);
	assert_int_equal(s.refresh_at, w2->now + 110 * 1000);
	w_free(w2);
}

/* ---- D-7: Binding Error only inside the SA, RFC 6275 cl. 9.2 / 9.3.3 ---------------------- */

/* A 16-octet MH of the given type, Payload Proto 59, checksum over src/dst (cl. 6.1). */
static void mh_of_type(uint8_t type, const uint8_t src[16], const uint8_t dst[16], uint8_t mh[16])
{
	memset(mh, 0, 16);
	mh[0] = 59;
	mh[1] = 1;
	mh[2] = type;
	uint16_t ck = ds_csum_ipv6(src, dst, 135, mh, 16);
	mh[4] = (uint8_t)(ck >> 8);
	mh[5] = (uint8_t)ck;
}

/* Unprotected MH of any type (unknown 11, BU 5, BRA 16, BE 7), from the UE's CoA or from a
 * spoofed source, is dropped and counted, and nothing is ever sent back. */
static void unprotected_mh_never_answered(void **state)
{
	world *w = *state;
	raw_ue a;
	assert_int_equal(w_raw_ue(w, "a@nai", &a), DS_OK);
	static const uint8_t types[] = { 11, 5, 16, 7, 255 };
	const ds_addr spoofed = { DS_AF_INET6, 0, 0, { 0x20, 0x01, 0x0d, 0xb8, 0xba, 0xd0, 0, 0, 0,
						      0, 0, 0, 0, 0, 0, 0x66 } };
	const ds_ha_counters *c = ds_ha_counters_get(w->ha);
	for (size_t i = 0; i < sizeof types; i++) {
		for (int from_ue = 0; from_ue < 2; from_ue++) {
			const ds_addr *src = from_ue ? &W_COA6 : &spoofed;
			uint8_t mh[16], pkt[256];
			size_t n;
			mh_of_type(types[i], a.hoa.ip, W_HA6.ip, mh);
			assert_int_equal(ds_sig_build(src->ip, W_HA6.ip, a.hoa.ip, NULL, NULL, mh, 16,
						      pkt, sizeof pkt, &n), DS_OK);
			ds_pkt p = { .kind = DS_PKT_IP, .src = *src, .dst = W_HA6, .data = pkt,
				     .len = n };
			w_q_clear(&w->from_ha);
			ds_ha_input(w->ha, &p, w->now);
			assert_int_equal(w->from_ha.n, 0);
		}
	}
	assert_int_equal(c->drop[DS_HA_DROP_UNPROTECTED], 2 * sizeof types);
	assert_int_equal(c->be_sent, 0);
	w_raw_free(&a);
}

/* Send a protected MH of an unknown type from the raw UE (CoA with HAO); the HA's answer, if
 * any, is decrypted with the raw UE's inbound SA into be. */
static int protected_unknown(world *w, raw_ue *r, uint8_t type, ds_mh_msg *be)
{
	uint8_t mh[16], pkt[256];
	size_t n;
	mh_of_type(type, r->hoa.ip, W_HA6.ip, mh);
	assert_int_equal(ds_sig_build(W_COA6.ip, W_HA6.ip, r->hoa.ip, NULL, r->out, mh, 16, pkt,
				      sizeof pkt, &n), DS_OK);
	ds_pkt p = { .kind = DS_PKT_IP, .src = W_COA6, .dst = W_HA6, .data = pkt, .len = n };
	w_q_clear(&w->from_ha);
	ds_ha_input(w->ha, &p, w->now);
	if (w->from_ha.n == 0)
		return DS_E_NOTFOUND;
	assert_int_equal(w->from_ha.n, 1);
	const w_pkt *k = &w->from_ha.v[0];
	/* to the IPv6 source of the offending packet, RH2 to the HoA, ESP (cl. 9.3.3) */
	assert_int_equal(k->p.kind, DS_PKT_IP);
	assert_true(ds_addr_ip_eq(&k->p.dst, &W_COA6));
	ds_ip6_view v;
	assert_int_equal(ds_ip6_parse(k->data, k->p.len, &v), DS_OK);
	assert_true(v.has_rh2);
	assert_memory_equal(v.rh2, r->hoa.ip, 16);
	assert_int_equal(v.proto, 50);
	uint8_t out[256], nh;
	size_t on;
	assert_int_equal(ds_esp_open(r->in, k->data + v.off, v.len, out, sizeof out, &on, &nh),
			 DS_OK);
	assert_int_equal(nh, 135);
	w_q_clear(&w->from_ha);
	return ds_mh_decode(out, on, v.src, v.rh2, be);
}

/* A protected MH of an unknown type gets a Binding Error status 2 inside the SA, with the
 * HAO's address in its Home Address field; Binding Errors are rate-limited (10 per second)
 * and what the limit holds back is counted. */
static void protected_unknown_type_answered(void **state)
{
	world *w = *state;
	raw_ue a;
	assert_int_equal(w_raw_ue(w, "a@nai", &a), DS_OK);
	const ds_ha_counters *c = ds_ha_counters_get(w->ha);
	uint64_t malformed = c->drop[DS_HA_DROP_MALFORMED];
	ds_mh_msg be;
	assert_int_equal(protected_unknown(w, &a, 11, &be), DS_OK);
	assert_int_equal(be.type, DS_MH_BE);
	assert_int_equal(be.status, DS_BE_UNKNOWN_MH);
	assert_memory_equal(be.be_hoa, a.hoa.ip, 16);
	assert_int_equal(c->be_sent, 1);
	assert_int_equal(c->drop[DS_HA_DROP_MALFORMED], malformed + 1);
	int answered = 1;
	for (int i = 0; i < 30; i++)
		if (protected_unknown(w, &a, (uint8_t)(40 + i), &be) == DS_OK)
			answered++;
	assert_int_equal(answered, 10);
	assert_int_equal(c->be_sent, 10);
	assert_int_equal(c->drop[DS_HA_DROP_RATE], 21);
	assert_int_equal(c->drop[DS_HA_DROP_MALFORMED], malformed + 31);
	w->now += 1000;                           /* the limiter refills */
	assert_int_equal(protected_unknown(w, &a, 11, &be), DS_OK);
	assert_int_equal(c->be_sent, 11);
	w_raw_free(&a);
}

/* an IKE SA that never brought up its MH CHILD_SA (a generic IKEv2 client, or a UE that
 * failed before CREATE_CHILD_SA) leaves no allocation behind; one still in use is kept. */
static void unbound_allocation_released(void **state)
{
	world *w = *state;
	const char *nai = "0001010999999999@nai.epc.mnc001.mcc001.3gppnetwork.org";
	ds_addr hnp, again;
	size_t before = ds_ha_ue_count(w->ha);
	assert_int_equal(ds_ha_assign_hnp(w->ha, nai, "internet", &hnp, NULL), DS_OK);
	assert_int_equal(ds_ha_ue_count(w->ha), before + 1);
	assert_int_equal(ds_ha_release_unbound(w->ha, nai, "internet", 0), DS_OK);
	assert_int_equal(ds_ha_ue_count(w->ha), before);
	assert_null(ds_ha_find_ue(w->ha, nai, "internet"));
	assert_int_equal(ds_ha_release_unbound(w->ha, nai, "internet", 0), DS_E_NOTFOUND);
	/* the same subscriber gets the same prefix back later (stable per NAI and APN) */
	assert_int_equal(ds_ha_assign_hnp(w->ha, nai, "internet", &again, NULL), DS_OK);
	assert_memory_equal(hnp.ip, again.ip, 16);
	assert_int_equal(ds_ha_release_unbound(w->ha, nai, "internet", 0), DS_OK);
	/* a registered UE (IKE SA and binding) is never released this way */
	w_attach(w, "internet", false, NULL);
	assert_int_equal(ds_ha_release_unbound(w->ha, W_NAI, "internet", 0), DS_E_STATE);
	assert_non_null(ds_ha_find_ue(w->ha, W_NAI, "internet"));
}

/* D-10, RFC 6275 cl. 9.2: an MH message of an unknown type from the HA, protected by the UE's SA,
 * gets a Binding Error status 2 back inside the SA; Binding Errors are rate-limited (cl. 9.3.3)
 * and the registration is untouched. */
static void ue_answers_protected_unknown_type(void **state)
{
	world *w = *state;
	ds_ue_pdn_status s = attach_foreign(w, false);
	ds_esp_sa *sa = ha_sa_copy(w, &s.hoa);
	const ds_ue_counters *c = ds_ue_counters_get(w->ue);
	uint64_t malformed = c->drop_malformed;
	for (int i = 0; i < 12; i++) {
		uint8_t mh[16], pkt[512];
		size_t n;
		mh_of_type((uint8_t)(30 + i), W_HA6.ip, s.hoa.ip, mh);
		assert_int_equal(ds_sig_build(W_HA6.ip, W_COA6.ip, NULL, s.hoa.ip, sa, mh, sizeof mh,
					      pkt, sizeof pkt, &n), DS_OK);
		ds_pkt p = { .kind = DS_PKT_IP, .src = W_HA6, .dst = W_COA6, .data = pkt, .len = n };
		w_q_clear(&w->ue_log);
		w_q_clear(&w->from_ue);
		ds_ue_input(w->ue, &p, w->now);
		if (i == 0) {
			ds_mh_msg be;
			assert_int_equal(w->ue_log.n, 1);
			assert_int_equal(w_sniff_bu(w, &w->ue_log.v[0], &be, NULL), DS_OK);
			assert_int_equal(be.type, DS_MH_BE);
			assert_int_equal(be.status, DS_BE_UNKNOWN_MH);
		}
		w_q_clear(&w->from_ue);
	}
	assert_int_equal(c->be_sent, 10);
	assert_int_equal(c->be_rate_limited, 2);
	assert_int_equal(c->drop_malformed, malformed + 12);
	still_registered(w, &s);
	ds_esp_sa_free(sa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(bri_without_binding_discarded, setup, teardown),
		cmocka_unit_test_setup_teardown(bri_during_first_registration_accepted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(bri_accepted_revokes_pdn, setup, teardown),
		cmocka_unit_test_setup_teardown(bri_proxy_flag_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(bri_ipv4_only, setup, teardown),
		cmocka_unit_test_setup_teardown(bri_ipv4_only_rejections, setup, teardown),
		cmocka_unit_test_setup_teardown(bri_trigger_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(bri_global_and_test_triggers, setup, teardown),
		cmocka_unit_test_setup_teardown(ha_revocation_completes, setup, teardown),
		cmocka_unit_test_setup_teardown(dereg_without_binding_gets_133, setup, teardown),
		cmocka_unit_test_setup_teardown(detach_duplicate_gets_133, setup, teardown),
		cmocka_unit_test_setup_teardown(ue_finishes_on_133, setup, teardown),
		cmocka_unit_test_setup_teardown(nat_refresh_time, setup, teardown),
		cmocka_unit_test_setup_teardown(ue_keepalive_follows_refresh_time, setup, teardown),
		cmocka_unit_test_setup_teardown(unprotected_mh_never_answered, setup, teardown),
		cmocka_unit_test_setup_teardown(protected_unknown_type_answered, setup, teardown),
		cmocka_unit_test_setup_teardown(unbound_allocation_released, setup, teardown),
		cmocka_unit_test_setup_teardown(ue_answers_protected_unknown_type, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
