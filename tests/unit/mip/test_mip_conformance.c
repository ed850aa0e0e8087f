/* Conformance of the mobility engines on points where the RFC text decides the behaviour:
 * the UE's answer to Binding Revocation Indications (RFC 5846 cl. 6.1.2, 6.2.1, 10).
 * Both engines run in one process over real wire bytes and real AES-GCM ESP (engine_world). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
