/* IKEv2 initiator (UE) against responder (HA) in one process, with the real EAP-AKA peer and
 * embedded server: S2c bootstrap (IDi NAI, IDr APN, EAP, CP with MIP6_HOME_PREFIX), the
 * transport-mode CHILD_SA for MH, CREATE_CHILD_SA on the HoA, rekey, delete both ways,
 * liveness, loss / duplication / retransmission, NAT traversal, INVALID_KE, cookies, redirect,
 * asynchronous back end, and the failure cases of R-18. */
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
#include "ike_net.h"

#define UNTIL(n) ((n)->now + DS_SEC(5))
#define IKE_HDR_OFF 28   /* IKE header; the SKF Fragment Number follows its generic header */

static char pki[256];   /* test PKI directory (pki_setup) */

static void check_child_pair(net *n)
{
	side *i = &n->s[0], *r = &n->s[1];
	/* The initiator's outbound SA is the responder's inbound one and vice versa. */
	assert_int_equal(i->child.out.spi, r->child.in.spi);
	assert_int_equal(i->child.in.spi, r->child.out.spi);
	assert_int_equal(i->child.in.encr, r->child.in.encr);
	size_t el = i->child.in.encr == DS_ENCR_AES_GCM_16 ? i->child.in.encr_key_bits / 8 + 4
							  : i->child.in.encr_key_bits / 8;
	assert_memory_equal(i->child_out_key, r->child_in_key, el);
	assert_memory_equal(i->child_in_key, r->child_out_key, el);
	assert_memory_not_equal(i->child_in_key, i->child_out_key, el);
	assert_int_equal(i->child.in.dir, DS_ESP_IN);
	assert_int_equal(i->child.out.dir, DS_ESP_OUT);
}

static void establish(net *n, bool eap)
{
	ds_eap_peer *peer;
	ds_ike_sa *sa = net_connect(n, NET_NAI, NET_APN, eap ? &peer : NULL, NULL);
	assert_non_null(sa);
	net_run(n, UNTIL(n));
	assert_int_equal(n->s[0].established, 1);
	assert_int_equal(n->s[1].established, 1);
	assert_int_equal(n->s[0].closed, 0);
	assert_int_equal(n->s[1].closed, 0);
}

static void psk_bootstrap(void **state)
{
	(void)state;
	net n;
	net_opts o = { .psk_only = true };
	net_init(&n, &o);
	establish(&n, false);
	const ds_ike_info *ui = &n.s[0].info, *hi = &n.s[1].info;
	assert_string_equal(hi->nai, NET_NAI);
	assert_string_equal(hi->apn, NET_APN);
	assert_true(ui->has_hnp);
	assert_int_equal(ui->hnp.plen, 64);
	assert_int_equal(ui->hnp_lifetime_s, 3600);
	assert_memory_equal(ui->hnp.ip, hi->hnp.ip, 16);
	assert_true(ui->has_hoa6);
	assert_true(ui->has_hoa4);
	assert_int_equal(ui->hoa4.ip[0], 10);
	assert_int_equal(ui->spi_i, hi->spi_i);
	assert_int_equal(ui->spi_r, hi->spi_r);
	assert_int_equal(n.s[0].child_up, 1);
	assert_int_equal(n.s[1].child_up, 1);
	check_child_pair(&n);
	assert_int_equal(n.s[0].child.in.mode, DS_ESP_TRANSPORT);
	assert_int_equal(n.s[0].child.in.sel.proto, 135);
	/* default suite: AES-GCM-16-256, PRF-SHA384, X25519 */
	assert_int_equal(ui->suite.encr, DS_ENCR_AES_GCM_16);
	assert_int_equal(ui->suite.dh, DS_DH_X25519);
	assert_non_null(ds_ike_find_by_esp_spi(n.s[1].ike, n.s[1].child.in.spi));
	assert_null(ds_ike_find_by_esp_spi(n.s[1].ike, n.s[1].child.out.spi));
	net_free(&n);
}

static void eap_aka_bootstrap(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	establish(&n, true);
	assert_true(ds_ike_get_counters(n.s[1].ike)->eap_rounds >= 2);
	assert_true(n.s[0].info.has_hnp);
	check_child_pair(&n);
	const ds_ike_counters *c = ds_ike_get_counters(n.s[1].ike);
	assert_int_equal(c->sa_established, 1);
	assert_int_equal(c->half_open_current, 0);
	assert_int_equal(c->sas_current, 1);
	net_free(&n);
}

static void eap_async_backend(void **state)
{
	(void)state;
	net n;
	net_opts o = { .async = true };
	net_init(&n, &o);
	establish(&n, true);
	check_child_pair(&n);
	net_free(&n);
}

static void eap_wrong_k_fails(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	uint8_t bad[16] = { 1, 2, 3 };
	ds_eap_peer *peer;
	assert_non_null(net_connect(&n, NET_NAI, NET_APN, &peer, bad));
	net_run(&n, UNTIL(&n));
	assert_int_equal(n.s[0].established, 0);
	assert_int_equal(n.s[1].established, 0);
	assert_int_equal(n.s[0].closed, 1);
	assert_int_equal(n.s[0].close_reason, DS_IKE_CLOSE_AUTH_FAILED);
	assert_int_equal(n.s[1].closed, 1);
	assert_int_equal(n.s[1].close_reason, DS_IKE_CLOSE_AUTH_FAILED);
	net_free(&n);
}

static void unknown_user_fails(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	ds_eap_peer *peer;
	assert_non_null(net_connect(&n, "0001010999999999@nai.epc.mnc001.mcc001.3gppnetwork.org",
				    NET_APN, &peer, NULL));
	net_run(&n, UNTIL(&n));
	assert_int_equal(n.s[0].established, 0);
	assert_int_equal(n.s[0].close_reason, DS_IKE_CLOSE_AUTH_FAILED);
	assert_int_equal(n.s[1].close_reason, DS_IKE_CLOSE_AUTH_FAILED);
	net_free(&n);
}

static void apn_not_allowed_fails(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	n.deny_apn = true;   /* EAP succeeds (APN subscribed) but the HA refuses the prefix */
	ds_eap_peer *peer;
	assert_non_null(net_connect(&n, NET_NAI, NET_APN, &peer, NULL));
	net_run(&n, UNTIL(&n));
	assert_int_equal(n.s[0].established, 0);
	assert_int_equal(n.s[1].established, 0);
	assert_int_equal(n.s[0].close_reason, DS_IKE_CLOSE_AUTH_FAILED);
	assert_int_equal(n.s[1].close_reason, DS_IKE_CLOSE_NOT_AUTHORIZED);
	net_free(&n);
}

/* R-18 and TS 24.302 cl. 8.1.2.2: by default every refusal is AUTHENTICATION_FAILED; with
 * notify_3gpp the HA names the cause from the EAP back end / prefix hook, and the UE reports it
 * in closed() (reason and info.last_notify). */
static void refusal_notifies(void **state)
{
	(void)state;
	static const char *unknown = "0001010999999999@nai.epc.mnc001.mcc001.3gppnetwork.org";
	struct {
		bool n3gpp;
		const char *nai, *apn;
		bool deny;
		int ue_reason, ha_reason;
		uint16_t notify;
	} cases[] = {
		{ false, unknown, NET_APN, false, DS_IKE_CLOSE_AUTH_FAILED, DS_IKE_CLOSE_AUTH_FAILED,
		  DS_IKE_N_AUTHENTICATION_FAILED },
		{ true, unknown, NET_APN, false, DS_IKE_CLOSE_AUTH_FAILED, DS_IKE_CLOSE_AUTH_FAILED,
		  DS_IKE_N_USER_UNKNOWN },
		/* the subscriber has no such APN: the EAP server refuses it */
		{ false, NET_NAI, "corporate", false, DS_IKE_CLOSE_AUTH_FAILED,
		  DS_IKE_CLOSE_NOT_AUTHORIZED, DS_IKE_N_AUTHENTICATION_FAILED },
		{ true, NET_NAI, "corporate", false, DS_IKE_CLOSE_NOT_AUTHORIZED,
		  DS_IKE_CLOSE_NOT_AUTHORIZED, DS_IKE_N_NO_APN_SUBSCRIPTION },
		/* EAP succeeds, the prefix hook refuses the APN */
		{ true, NET_NAI, NET_APN, true, DS_IKE_CLOSE_NOT_AUTHORIZED,
		  DS_IKE_CLOSE_NOT_AUTHORIZED, DS_IKE_N_NO_APN_SUBSCRIPTION },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		net n;
		net_opts o = { .notify_3gpp = cases[i].n3gpp };
		net_init(&n, &o);
		n.deny_apn = cases[i].deny;
		ds_eap_peer *peer;
		assert_non_null(net_connect(&n, cases[i].nai, cases[i].apn, &peer, NULL));
		net_run(&n, UNTIL(&n));
		assert_int_equal(n.s[0].established + n.s[1].established, 0);
		assert_int_equal(n.s[0].closed, 1);
		assert_int_equal(n.s[0].close_reason, cases[i].ue_reason);
		assert_int_equal(n.s[0].close_notify, cases[i].notify);
		assert_int_equal(n.s[1].close_reason, cases[i].ha_reason);
		assert_int_equal(n.s[1].close_notify, cases[i].notify);
		assert_int_equal(ds_ike_get_counters(n.s[1].ike)->sas_current, 0);
		net_free(&n);
	}
}

/* Drop the first copy of packets 0 (IKE_SA_INIT request) and 4 (first IKE_AUTH response:
 * 1 is the retransmitted IKE_SA_INIT, 2 its response, 3 the first IKE_AUTH request). */
static int drop_some(net *n, const net_pkt *p, uint64_t idx)
{
	(void)n;
	(void)p;
	return idx == 0 || idx == 4 ? 1 : 0;
}

static void loss_retransmits(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	n.fault = drop_some;
	establish(&n, true);
	assert_true(ds_ike_get_counters(n.s[0].ike)->retransmits >= 2);
	assert_true(ds_ike_get_counters(n.s[1].ike)->rx_duplicates >= 1);
	check_child_pair(&n);
	net_free(&n);
}

static int dup_all(net *n, const net_pkt *p, uint64_t idx)
{
	(void)n;
	(void)p;
	(void)idx;
	return 2;
}

static void duplication(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	n.fault = dup_all;
	establish(&n, true);
	assert_true(ds_ike_get_counters(n.s[1].ike)->rx_duplicates >= 3);
	assert_int_equal(n.s[0].child_up, 1);
	assert_int_equal(n.s[1].child_up, 1);
	net_free(&n);
}

static void invalid_ke_retry(void **state)
{
	(void)state;
	static const ds_ike_suite is[] = {
		{ DS_ENCR_AES_GCM_16, 256, 0, DS_PRF_HMAC_SHA2_384, DS_DH_X25519 },
		{ DS_ENCR_AES_CBC, 128, DS_INTEG_HMAC_SHA2_256_128, DS_PRF_HMAC_SHA2_256,
		  DS_DH_ECP256 },
	};
	static const ds_ike_suite rs[] = {
		{ DS_ENCR_AES_CBC, 128, DS_INTEG_HMAC_SHA2_256_128, DS_PRF_HMAC_SHA2_256,
		  DS_DH_ECP256 },
	};
	net n;
	net_opts o = { .i_suites = is, .n_i_suites = 2, .r_suites = rs, .n_r_suites = 1 };
	net_init(&n, &o);
	establish(&n, true);
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->invalid_ke_sent, 1);
	assert_int_equal(ds_ike_get_counters(n.s[0].ike)->invalid_ke_received, 1);
	assert_int_equal(n.s[0].info.suite.dh, DS_DH_ECP256);
	assert_int_equal(n.s[0].info.suite.encr, DS_ENCR_AES_CBC);
	check_child_pair(&n);
	net_free(&n);
}

static void no_proposal(void **state)
{
	(void)state;
	static const ds_ike_suite is[] = {
		{ DS_ENCR_AES_GCM_16, 256, 0, DS_PRF_HMAC_SHA2_384, DS_DH_X25519 },
	};
	static const ds_ike_suite rs[] = {
		{ DS_ENCR_AES_CBC, 128, DS_INTEG_HMAC_SHA2_256_128, DS_PRF_HMAC_SHA2_256,
		  DS_DH_MODP2048 },
	};
	net n;
	net_opts o = { .i_suites = is, .n_i_suites = 1, .r_suites = rs, .n_r_suites = 1 };
	net_init(&n, &o);
	ds_eap_peer *peer;
	assert_non_null(net_connect(&n, NET_NAI, NET_APN, &peer, NULL));
	net_run(&n, UNTIL(&n));
	assert_int_equal(n.s[0].close_reason, DS_IKE_CLOSE_NO_PROPOSAL);
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->sas_current, 0);
	net_free(&n);
}

static void nat_traversal(void **state)
{
	(void)state;
	net n;
	net_opts o = { .ipv4 = true };
	net_init(&n, &o);
	n.nat = true;
	n.nat_priv = n.ue;
	uint8_t pub[4] = { 203, 0, 113, 5 };
	n.nat_pub = ds_addr4(pub, 0);
	establish(&n, true);
	const ds_ike_info *ui = &n.s[0].info, *hi = &n.s[1].info;
	assert_true(ui->nat_local);
	assert_false(ui->nat_remote);
	assert_true(hi->nat_remote);
	assert_int_equal(ui->remote.port, 4500);
	assert_int_equal(hi->local.port, 4500);
	assert_int_equal(hi->remote.port, 14500);   /* NAT mapping of UE:4500 */
	assert_true(n.s[0].child.out.udp_encap);
	assert_true(n.s[1].child.out.udp_encap);
	net_free(&n);
}

static void create_child_for_hoa(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	establish(&n, true);
	ds_ike_sa *sa = n.s[0].sa;
	ds_ike_child_params cp = { .local = n.s[0].info.hoa6, .remote = n.ha, .proto = 135 };
	cp.local.plen = 0;
	assert_int_equal(ds_ike_create_child(sa, &cp, n.now), DS_OK);
	net_run(&n, UNTIL(&n));
	assert_int_equal(n.s[0].child_up, 2);
	assert_int_equal(n.s[1].child_up, 2);
	check_child_pair(&n);
	/* selectors HoA <-> HA, protocol 135 */
	assert_memory_equal(n.s[0].child.out.sel.local.ip, n.s[0].info.hoa6.ip, 16);
	assert_int_equal(n.s[0].child.out.sel.local.plen, 128);
	assert_memory_equal(n.s[0].child.out.sel.remote.ip, n.ha.ip, 16);
	assert_memory_equal(n.s[1].child.in.sel.remote.ip, n.s[0].info.hoa6.ip, 16);
	assert_int_equal(n.s[1].child.in.sel.proto, 135);
	ds_ike_info info;
	ds_ike_sa_info(n.s[1].sa, &info);
	assert_int_equal(info.children, 2);
	net_free(&n);
}

/* RFC 6023 + RFC 5026 cl. 5: no CHILD_SA in IKE_AUTH; the MH SA comes once the HoA exists. */
static void childless_then_child(void **state)
{
	(void)state;
	net n;
	net_opts o = { .no_child = true };
	net_init(&n, &o);
	establish(&n, true);
	assert_int_equal(n.s[0].child_up, 0);
	assert_int_equal(n.s[1].child_up, 0);
	ds_ike_child_params cp = { .local = n.s[0].info.hoa6, .remote = n.ha, .proto = 135 };
	assert_int_equal(ds_ike_create_child(n.s[0].sa, &cp, n.now), DS_OK);
	net_run(&n, UNTIL(&n));
	assert_int_equal(n.s[0].child_up, 1);
	assert_int_equal(n.s[1].child_up, 1);
	check_child_pair(&n);
	net_free(&n);
}

static void rekey_and_delete_child(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	establish(&n, true);
	uint32_t old_in = n.s[0].child.in.spi;
	assert_int_equal(ds_ike_rekey_child(n.s[0].sa, old_in, n.now), DS_OK);
	net_run(&n, UNTIL(&n));
	assert_int_equal(n.s[0].child_up, 2);
	assert_true(n.s[0].child.rekey);
	assert_int_equal(n.s[0].child.old_spi_in, old_in);
	check_child_pair(&n);
	/* the old pair went away on both sides */
	assert_int_equal(n.s[0].child_down, 1);
	assert_int_equal(n.s[0].down_in, old_in);
	assert_int_equal(n.s[1].child_down, 1);
	assert_int_equal(n.s[1].down_out, old_in);
	/* delete the new one from the responder side */
	assert_int_equal(ds_ike_delete_child(n.s[1].sa, n.s[1].child.in.spi, n.now), DS_OK);
	net_run(&n, UNTIL(&n));
	assert_int_equal(n.s[0].child_down, 2);
	assert_int_equal(n.s[1].child_down, 2);
	ds_ike_info info;
	ds_ike_sa_info(n.s[0].sa, &info);
	assert_int_equal(info.children, 0);
	net_free(&n);
}

static void delete_from_ue(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	establish(&n, true);
	assert_int_equal(ds_ike_delete(n.s[0].sa, n.now), DS_OK);
	net_run(&n, UNTIL(&n));
	assert_int_equal(n.s[0].closed, 1);
	assert_int_equal(n.s[0].close_reason, DS_IKE_CLOSE_LOCAL);
	assert_int_equal(n.s[1].closed, 1);
	assert_int_equal(n.s[1].close_reason, DS_IKE_CLOSE_PEER_DELETE);
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->sas_current, 0);
	assert_int_equal(ds_ike_next_timeout(n.s[1].ike), DS_TIME_NEVER);
	net_free(&n);
}

static void delete_from_ha(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	establish(&n, true);
	assert_int_equal(ds_ike_delete(n.s[1].sa, n.now), DS_OK);
	net_run(&n, UNTIL(&n));
	assert_int_equal(n.s[0].close_reason, DS_IKE_CLOSE_PEER_DELETE);
	assert_int_equal(n.s[1].close_reason, DS_IKE_CLOSE_LOCAL);
	net_free(&n);
}

static int drop_all(net *n, const net_pkt *p, uint64_t idx)
{
	(void)n;
	(void)p;
	(void)idx;
	return 1;
}

static void liveness_and_dead_peer(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	establish(&n, true);
	uint64_t rx = ds_ike_get_counters(n.s[1].ike)->rx;
	assert_int_equal(ds_ike_liveness(n.s[0].sa, n.now), DS_OK);
	net_run(&n, UNTIL(&n));
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->rx, rx + 1);
	assert_int_equal(n.s[0].closed, 0);
	/* now the HA is unreachable: exponential back-off, then TIMEOUT */
	n.fault = drop_all;
	ds_time start = n.now;
	assert_int_equal(ds_ike_liveness(n.s[0].sa, n.now), DS_OK);
	net_run(&n, n.now + DS_SEC(600));
	assert_int_equal(n.s[0].closed, 1);
	assert_int_equal(n.s[0].close_reason, DS_IKE_CLOSE_TIMEOUT);
	/* 1 + 2 + 4 + 8 + 16 + 32 + 64 s with the defaults (6 retransmissions) */
	assert_int_equal(n.now - start, DS_SEC(127));
	assert_int_equal(ds_ike_get_counters(n.s[0].ike)->retransmits, 6);
	net_free(&n);
}

/* cfg.dpd_interval: idle SAs are checked; a dead HA is detected without any command. */
static void automatic_dpd(void **state)
{
	(void)state;
	net n;
	net_opts o = { .dpd = DS_SEC(20) };
	net_init(&n, &o);
	establish(&n, true);
	uint64_t rx = ds_ike_get_counters(n.s[1].ike)->rx;
	net_run(&n, n.now + DS_SEC(45));
	/* two checks in 45 s of silence, both answered */
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->rx, rx + 2);
	assert_int_equal(n.s[0].closed, 0);
	n.fault = drop_all;
	net_run(&n, n.now + DS_SEC(200));
	assert_int_equal(n.s[0].closed, 1);
	assert_int_equal(n.s[0].close_reason, DS_IKE_CLOSE_TIMEOUT);
	net_free(&n);
}

/* cfg.child_lifetime: the UE rekeys its CHILD_SAs on time, the old pair is deleted. */
static void child_lifetime_rekey(void **state)
{
	(void)state;
	net n;
	net_opts o = { .child_lifetime = DS_SEC(60) };
	net_init(&n, &o);
	establish(&n, true);
	uint32_t first = n.s[0].child.in.spi;
	net_run(&n, n.now + DS_SEC(61));
	assert_int_equal(n.s[0].child_up, 2);
	assert_true(n.s[0].child.rekey);
	assert_int_equal(n.s[0].child.old_spi_in, first);
	assert_int_equal(n.s[1].child_down, 1);
	check_child_pair(&n);
	net_run(&n, n.now + DS_SEC(60));
	assert_int_equal(n.s[0].child_up, 3);
	assert_int_equal(ds_ike_get_counters(n.s[0].ike)->rekeys_child, 2);
	net_free(&n);
}

/* ---- IKE SA rekeying (RFC 7296 cl. 1.3.2, 2.18) ---- */

static void assert_sa_usable(net *n)
{
	/* Both directions still talk over the (new) IKE SA: a liveness check each way and a
	 * new CHILD_SA whose keys come from the new SK_d must agree on both sides. */
	uint64_t rx1 = ds_ike_get_counters(n->s[1].ike)->rx, rx0 = ds_ike_get_counters(n->s[0].ike)->rx;
	uint64_t bad = ds_ike_get_counters(n->s[1].ike)->rx_auth_failed +
		       ds_ike_get_counters(n->s[0].ike)->rx_auth_failed;
	assert_int_equal(ds_ike_liveness(n->s[0].sa, n->now), DS_OK);
	assert_int_equal(ds_ike_liveness(n->s[1].sa, n->now), DS_OK);
	net_run(n, UNTIL(n));
	assert_true(ds_ike_get_counters(n->s[1].ike)->rx >= rx1 + 2);
	assert_true(ds_ike_get_counters(n->s[0].ike)->rx >= rx0 + 2);
	int up0 = n->s[0].child_up;
	ds_ike_child_params cp = { .local = n->s[0].info.hoa6, .remote = n->ha, .proto = 135 };
	assert_int_equal(ds_ike_create_child(n->s[0].sa, &cp, n->now), DS_OK);
	net_run(n, UNTIL(n));
	assert_int_equal(n->s[0].child_up, up0 + 1);
	check_child_pair(n);
	assert_int_equal(ds_ike_get_counters(n->s[1].ike)->rx_auth_failed +
				 ds_ike_get_counters(n->s[0].ike)->rx_auth_failed,
			 bad);
	assert_int_equal(n->s[0].closed, 0);
	assert_int_equal(n->s[1].closed, 0);
}

static void rekey_common(net *n, int who)
{
	ds_ike_info before0, before1, after0, after1;
	ds_ike_sa *ue = n->s[0].sa, *ha = n->s[1].sa;
	ds_ike_sa_info(ue, &before0);
	ds_ike_sa_info(ha, &before1);
	assert_int_equal(ds_ike_rekey(n->s[who].sa, n->now), DS_OK);
	net_run(n, UNTIL(n));
	/* the handles survive: same objects, same user data, CHILD_SAs kept, no events */
	assert_ptr_equal(n->s[0].sa, ue);
	assert_ptr_equal(n->s[1].sa, ha);
	assert_int_equal(n->s[0].closed, 0);
	assert_int_equal(n->s[1].closed, 0);
	assert_int_equal(n->s[0].established, 1);
	ds_ike_sa_info(ue, &after0);
	ds_ike_sa_info(ha, &after1);
	assert_int_equal(after0.spi_i, after1.spi_i);
	assert_int_equal(after0.spi_r, after1.spi_r);
	assert_true(after0.spi_i != before0.spi_i && after0.spi_r != before0.spi_r);
	assert_int_equal(after0.children, before0.children);
	assert_int_equal(after1.children, before1.children);
	assert_int_equal(after0.state, DS_IKE_ST_ESTABLISHED);
	assert_string_equal(after1.nai, NET_NAI);
	assert_true(after1.has_hnp);
	assert_ptr_equal(ds_ike_find(n->s[0].ike, after0.spi_i, after0.spi_r), ue);
	assert_null(ds_ike_find(n->s[0].ike, before0.spi_i, before0.spi_r));
	assert_ptr_equal(ds_ike_find_by_esp_spi(n->s[1].ike, n->s[1].child.in.spi), ha);
	/* the old IKE SA was deleted by the rekey initiator: nothing else is left */
	assert_int_equal(ds_ike_get_counters(n->s[0].ike)->sas_current, 1);
	assert_int_equal(ds_ike_get_counters(n->s[1].ike)->sas_current, 1);
	assert_int_equal(ds_ike_get_counters(n->s[0].ike)->rekeys_ike, 1);
	assert_int_equal(ds_ike_get_counters(n->s[1].ike)->rekeys_ike, 1);
	assert_sa_usable(n);
}

static void ike_rekey_by_ue(void **state)
{
	(void)state;
	net n;
	net_opts o = { .keylog = true };
	net_init(&n, &o);
	establish(&n, true);
	rekey_common(&n, 0);
	/* a second key log line for the new SA, identical on both sides */
	assert_int_equal(n.s[0].keylog_lines, 2);
	assert_string_equal(n.s[0].keylog, n.s[1].keylog);
	/* and the new SA ends normally */
	assert_int_equal(ds_ike_delete(n.s[0].sa, n.now), DS_OK);
	net_run(&n, UNTIL(&n));
	assert_int_equal(n.s[1].close_reason, DS_IKE_CLOSE_PEER_DELETE);
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->sas_current, 0);
	assert_int_equal(ds_ike_next_timeout(n.s[1].ike), DS_TIME_NEVER);
	net_free(&n);
}

/* The HA rekeys: it becomes the original initiator of the new IKE SA (cl. 2.2 I flag). */
static void ike_rekey_by_ha(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	establish(&n, true);
	rekey_common(&n, 1);
	/* then the UE rekeys back, and the HA deletes */
	assert_int_equal(ds_ike_rekey(n.s[0].sa, n.now), DS_OK);
	net_run(&n, UNTIL(&n));
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->rekeys_ike, 2);
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->sas_current, 1);
	assert_int_equal(ds_ike_delete(n.s[1].sa, n.now), DS_OK);
	net_run(&n, UNTIL(&n));
	assert_int_equal(n.s[0].close_reason, DS_IKE_CLOSE_PEER_DELETE);
	assert_int_equal(ds_ike_get_counters(n.s[0].ike)->sas_current, 0);
	net_free(&n);
}

/* Lose the rekey response (the initiator retransmits, the responder answers from the old
 * SA's cache) and the Delete of the old SA once. */
static int drop_rekey_msgs(net *n, const net_pkt *p, uint64_t idx)
{
	(void)idx;
	const uint8_t *m = p->pkt.data + (p->pkt.dst.port == 4500 ? 4 : 0);
	if (p->pkt.len < 28)
		return 0;
	int *seen = n->fault_ctx;
	if (m[18] == 36 && (m[19] & 0x20) && seen[0]++ == 0)
		return 1;   /* first CREATE_CHILD_SA response */
	if (m[18] == 37 && !(m[19] & 0x20) && seen[1]++ == 0)
		return 1;   /* first INFORMATIONAL request (the Delete) */
	return 0;
}

static void ike_rekey_loss(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	establish(&n, true);
	int seen[2] = { 0, 0 };
	n.fault_ctx = seen;
	n.fault = drop_rekey_msgs;
	rekey_common(&n, 0);
	assert_true(seen[0] >= 2 && seen[1] >= 2);
	assert_true(ds_ike_get_counters(n.s[1].ike)->rx_duplicates >= 1);
	net_free(&n);
}

static void ike_rekey_duplication(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	establish(&n, true);
	n.fault = dup_all;
	rekey_common(&n, 1);
	net_free(&n);
}

/* cl. 1.3: the rekey's KE uses our first group; the HA wants another (INVALID_KE_PAYLOAD), the
 * UE retries with it, and the new IKE SA uses the HA's suite. */
static void ike_rekey_invalid_ke(void **state)
{
	(void)state;
	static const ds_ike_suite is[] = {
		{ DS_ENCR_AES_GCM_16, 256, 0, DS_PRF_HMAC_SHA2_384, DS_DH_X25519 },
		{ DS_ENCR_AES_CBC, 128, DS_INTEG_HMAC_SHA2_256_128, DS_PRF_HMAC_SHA2_256,
		  DS_DH_ECP256 },
	};
	static const ds_ike_suite rs[] = {
		{ DS_ENCR_AES_CBC, 128, DS_INTEG_HMAC_SHA2_256_128, DS_PRF_HMAC_SHA2_256,
		  DS_DH_ECP256 },
	};
	net n;
	net_opts o = { .i_suites = is, .n_i_suites = 2, .r_suites = rs, .n_r_suites = 1 };
	net_init(&n, &o);
	establish(&n, true);
	uint64_t ke_before = ds_ike_get_counters(n.s[0].ike)->invalid_ke_received;
	rekey_common(&n, 0);
	assert_int_equal(ds_ike_get_counters(n.s[0].ike)->invalid_ke_received, ke_before + 1);
	ds_ike_info a;
	ds_ike_sa_info(n.s[0].sa, &a);
	assert_int_equal(a.suite.dh, DS_DH_ECP256);
	assert_int_equal(a.suite.encr, DS_ENCR_AES_CBC);
	net_free(&n);
}

/* cfg.ike_lifetime: the UE rekeys on time, again and again; nothing else changes. */
static void ike_lifetime_rekey(void **state)
{
	(void)state;
	net n;
	net_opts o = { .ike_lifetime = DS_SEC(100), .child_lifetime = DS_SEC(70) };
	net_init(&n, &o);
	establish(&n, true);
	net_run(&n, n.now + DS_SEC(350));
	assert_int_equal(ds_ike_get_counters(n.s[0].ike)->rekeys_ike, 3);
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->rekeys_ike, 3);
	assert_true(ds_ike_get_counters(n.s[0].ike)->rekeys_child >= 4);
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->sas_current, 1);
	assert_int_equal(n.s[0].closed, 0);
	assert_int_equal(n.s[1].closed, 0);
	assert_sa_usable(&n);
	net_free(&n);
}

/* Both ends rekey at once (cl. 2.8.2): each answers the other's request as usual, the new SA
 * with the lowest nonce is deleted by its creator, the other survives with the CHILD_SAs;
 * no retry is needed. Run several times: the nonces decide differently. */
static void ike_rekey_collision(void **state)
{
	(void)state;
	for (int round = 0; round < 6; round++) {
		net n;
		net_opts o = { 0 };
		net_init(&n, &o);
		establish(&n, true);
		uint32_t child_in = n.s[0].child.in.spi;
		assert_int_equal(ds_ike_rekey(n.s[0].sa, n.now), DS_OK);
		assert_int_equal(ds_ike_rekey(n.s[1].sa, n.now), DS_OK);
		net_run(&n, n.now + DS_MS(1500));   /* before any retry (2 s at the earliest) */
		assert_int_equal(ds_ike_get_counters(n.s[0].ike)->rekeys_ike, 1);
		assert_int_equal(ds_ike_get_counters(n.s[1].ike)->rekeys_ike, 1);
		net_run(&n, UNTIL(&n));
		assert_int_equal(ds_ike_get_counters(n.s[0].ike)->sas_current, 1);
		assert_int_equal(ds_ike_get_counters(n.s[1].ike)->sas_current, 1);
		ds_ike_info a, b;
		ds_ike_sa_info(n.s[0].sa, &a);
		ds_ike_sa_info(n.s[1].sa, &b);
		assert_int_equal(a.spi_i, b.spi_i);
		assert_int_equal(a.spi_r, b.spi_r);
		assert_int_equal(a.children, 1);
		assert_ptr_equal(ds_ike_find_by_esp_spi(n.s[0].ike, child_in), n.s[0].sa);
		assert_sa_usable(&n);
		net_free(&n);
	}
}

/* cl. 2.8.2 special case: the HA's crossing request is lost, so only the HA sees the
 * collision; the UE finishes first and deletes the old SA, and the HA takes the UE's new SA
 * (its own request dies with the old SA). */
static int drop_first_ha_rekey(net *n, const net_pkt *p, uint64_t idx)
{
	(void)idx;
	int *seen = n->fault_ctx;
	const uint8_t *m = p->pkt.data;
	if (p->to == 0 && p->pkt.len >= 28 && m[18] == 36 && !(m[19] & 0x20) && (*seen)++ == 0)
		return 1;
	return 0;
}

static void ike_rekey_collision_one_sided(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	establish(&n, true);
	int seen = 0;
	n.fault_ctx = &seen;
	n.fault = drop_first_ha_rekey;
	assert_int_equal(ds_ike_rekey(n.s[0].sa, n.now), DS_OK);
	assert_int_equal(ds_ike_rekey(n.s[1].sa, n.now), DS_OK);
	net_run(&n, UNTIL(&n));
	assert_int_equal(seen, 1);   /* the HA never had to retransmit it */
	assert_int_equal(ds_ike_get_counters(n.s[0].ike)->rekeys_ike, 1);
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->rekeys_ike, 1);
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->sas_current, 1);
	assert_int_equal(n.s[0].closed + n.s[1].closed, 0);
	assert_sa_usable(&n);
	net_free(&n);
}

/* A CHILD_SA rekey in flight: the peer's IKE SA rekey request is answered TEMPORARY_FAILURE
 * (cl. 2.25.1) and retried after the child exchange. */
static void ike_rekey_during_child_rekey(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	establish(&n, true);
	assert_int_equal(ds_ike_rekey_child(n.s[1].sa, n.s[1].child.in.spi, n.now), DS_OK);
	assert_int_equal(ds_ike_rekey(n.s[0].sa, n.now), DS_OK);
	net_run(&n, n.now + DS_SEC(60));
	assert_int_equal(ds_ike_get_counters(n.s[0].ike)->rekeys_ike, 1);
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->rekeys_child, 1);
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->sas_current, 1);
	assert_sa_usable(&n);
	net_free(&n);
}

/* ---- IKE fragmentation (RFC 7383) ---- */

static const ds_ike_counters *ctr(net *n, int who) { return ds_ike_get_counters(n->s[who].ike); }

/* R-13 with an RSA certificate over IPv6 and a 1024-octet threshold: the HA's first
 * IKE_AUTH response (about 1150 octets) goes out as SKF fragments, no datagram above it. */
static void frag_ike_auth_certificate(void **state)
{
	(void)state;
	net n;
	net_opts o = { .pki_dir = pki, .ha_cert = "ha-rsa", .ue_ca = "ca", .frag_i = true,
		       .frag_r = true, .frag_mtu = 1024 };
	net_init(&n, &o);
	establish(&n, true);
	check_child_pair(&n);
	assert_true(ctr(&n, 1)->fragments_tx >= 2);
	assert_true(ctr(&n, 0)->reassembled >= 1);
	assert_int_equal(ctr(&n, 0)->fragments_rx, ctr(&n, 1)->fragments_tx);
	assert_true(n.s[1].max_dgram <= 1024 - 40 - 8);
	assert_true(n.s[0].max_dgram <= 1024 - 40 - 8);
	net_free(&n);
	/* the same without fragmentation on one side: one big datagram (IP fragments) */
	net_opts p = o;
	p.frag_i = false;
	net_init(&n, &p);
	establish(&n, true);
	assert_int_equal(ctr(&n, 1)->fragments_tx, 0);
	assert_true(n.s[1].max_dgram > 1024 - 40 - 8);
	net_free(&n);
}

/* IPv4 behind a NAT (UDP 4500, non-ESP marker): the default 576-octet datagrams of
 * cl. 2.5.1; then a rekey over the fragmenting SA. */
static void frag_ipv4_nat_small_mtu(void **state)
{
	(void)state;
	net n;
	net_opts o = { .ipv4 = true, .pki_dir = pki, .ha_cert = "ha-rsa", .ue_ca = "ca",
		       .frag_i = true, .frag_r = true };
	net_init(&n, &o);
	n.nat = true;
	n.nat_priv = n.ue;
	uint8_t pub[4] = { 203, 0, 113, 5 };
	n.nat_pub = ds_addr4(pub, 0);
	establish(&n, true);
	assert_true(n.s[0].info.nat_local);
	assert_true(n.s[1].max_dgram <= 576 - 20 - 8);
	assert_true(n.s[0].max_dgram <= 576 - 20 - 8);
	assert_true(ctr(&n, 1)->fragments_tx >= 3);
	assert_true(ctr(&n, 0)->reassembled >= 1);
	assert_int_equal(ds_ike_rekey(n.s[0].sa, n.now), DS_OK);
	net_run(&n, UNTIL(&n));
	assert_int_equal(ctr(&n, 1)->rekeys_ike, 1);
	assert_int_equal(ctr(&n, 1)->sas_current, 1);
	assert_int_equal(n.s[0].closed + n.s[1].closed, 0);
	net_free(&n);
}

/* Lose fragments: 2 of the first fragmented response and 1 of the first fragmented request.
 * The initiator retransmits every fragment; the responder answers a retransmitted request
 * with all fragments of its cached response. */
static int drop_fragments(net *n, const net_pkt *p, uint64_t idx)
{
	(void)idx;
	int *seen = n->fault_ctx;
	const uint8_t *m = p->pkt.data + (p->pkt.dst.port == 4500 || p->pkt.src.port == 4500 ? 4 : 0);
	if (p->pkt.len < 36 || m[16] != 53)
		return 0;
	uint16_t num = (uint16_t)(m[IKE_HDR_OFF + 4] << 8 | m[IKE_HDR_OFF + 5]);
	bool resp = (m[19] & 0x20) != 0;
	if (resp && num == 2 && seen[0]++ == 0)
		return 1;
	if (!resp && num == 1 && seen[1]++ == 0)
		return 1;
	return 0;
}

static void frag_loss(void **state)
{
	(void)state;
	net n;
	net_opts o = { .pki_dir = pki, .ha_cert = "ha-rsa", .ue_ca = "ca", .frag_i = true,
		       .frag_r = true, .frag_mtu = 300 };
	net_init(&n, &o);
	int seen[2] = { 0, 0 };
	n.fault_ctx = seen;
	n.fault = drop_fragments;
	establish(&n, true);
	check_child_pair(&n);
	assert_true(seen[0] >= 2 && seen[1] >= 2);
	assert_true(ctr(&n, 0)->retransmits >= 1);
	assert_true(ctr(&n, 1)->rx_duplicates >= 1);
	net_free(&n);
}

static void frag_duplication(void **state)
{
	(void)state;
	net n;
	net_opts o = { .pki_dir = pki, .ha_cert = "ha-rsa", .ue_ca = "ca", .frag_i = true,
		       .frag_r = true, .frag_mtu = 400 };
	net_init(&n, &o);
	n.fault = dup_all;
	establish(&n, true);
	check_child_pair(&n);
	/* cl. 2.6.1: a duplicate of a non-first fragment of an answered request is ignored;
	 * only fragment 1 brings the response back */
	assert_true(ctr(&n, 1)->rx_duplicates >= ctr(&n, 0)->fragments_tx / 2);
	net_free(&n);
}

/* An incomplete fragmented request is forgotten after frag_timeout; memory goes with it and
 * the SA keeps working. */
static int drop_request_frag2(net *n, const net_pkt *p, uint64_t idx)
{
	(void)idx;
	(void)n;
	const uint8_t *m = p->pkt.data;
	if (p->pkt.len < 36 || m[16] != 53 || (m[19] & 0x20))
		return 0;
	return m[IKE_HDR_OFF + 4] == 0 && m[IKE_HDR_OFF + 5] == 2 ? 1 : 0;
}

static void frag_reassembly_timeout(void **state)
{
	(void)state;
	net n;
	net_opts o = { .psk_only = true, .frag_i = true, .frag_r = true, .frag_mtu = 300 };
	net_init(&n, &o);
	establish(&n, false);
	uint64_t reasm = ctr(&n, 1)->reassembled;
	n.fault = drop_request_frag2;
	/* a CREATE_CHILD_SA request of ~300 octets: two fragments, the second always lost */
	ds_ike_child_params cp = { .local = n.s[0].info.hoa6, .remote = n.ha, .proto = 135 };
	assert_int_equal(ds_ike_create_child(n.s[0].sa, &cp, n.now), DS_OK);
	net_run(&n, n.now + DS_SEC(300));
	assert_int_equal(n.s[0].close_reason, DS_IKE_CLOSE_TIMEOUT);
	assert_true(ctr(&n, 1)->fragments_rx >= 7);
	assert_int_equal(ctr(&n, 1)->reassembled, reasm);
	/* the responder forgot the partial request: nothing left to time out but the SA */
	assert_int_equal(n.s[1].closed, 0);
	net_free(&n);
}

static void unsupported_config_refused(void **state)
{
	(void)state;
	uint8_t psk[] = "x";
	ds_ike_config c = { .role = DS_IKE_RESPONDER, .send = (ds_send_fn)abort, .psk = psk,
			    .psk_len = 1, .fragmentation = true, .frag_mtu = 100 };
	int err = 0;
	assert_null(ds_ike_new(&c, &err));   /* no room for any fragment */
	assert_int_equal(err, DS_E_CONFIG);
	c.frag_mtu = 0;
	ds_ike *ok = ds_ike_new(&c, &err);   /* rekeying and fragmentation are usable now */
	assert_non_null(ok);
	ds_ike_free(ok);
	c.fragmentation = false;
	c.psk = NULL;   /* a responder needs a way to authenticate itself */
	assert_null(ds_ike_new(&c, &err));
	assert_int_equal(err, DS_E_PARAM);
	static const ds_ike_suite bad[] = { { DS_ENCR_AES_GCM_16, 100, 0, DS_PRF_HMAC_SHA2_256,
					      DS_DH_X25519 } };
	c.psk = psk;
	c.ike_suites = bad;
	c.n_ike_suites = 1;
	assert_null(ds_ike_new(&c, &err));
	assert_int_equal(err, DS_E_CONFIG);
}

static void move_after_k_bit(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	establish(&n, true);
	ds_addr coa = n.ue;
	coa.ip[5] = 0xc;   /* a new care-of address */
	assert_int_equal(ds_ike_update_peer(n.s[0].sa, &coa, NULL, n.now), DS_OK);
	/* the HA side is told by its role engine (BU with K=1 accepted) */
	assert_int_equal(ds_ike_update_peer(n.s[1].sa, NULL, &coa, n.now), DS_OK);
	uint64_t rx = ds_ike_get_counters(n.s[1].ike)->rx;
	net_run(&n, UNTIL(&n));
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->rx, rx + 1);
	ds_ike_info hi;
	ds_ike_sa_info(n.s[1].sa, &hi);
	assert_true(ds_addr_ip_eq(&hi.remote, &coa));
	assert_int_equal(n.s[0].closed, 0);
	net_free(&n);
}

static void redirect_in_init(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	n.redirect_init = 1;
	uint8_t gw[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xb, [15] = 0x02 };
	n.redirect_gw = ds_addr6(gw, 500);
	ds_eap_peer *peer;
	assert_non_null(net_connect(&n, NET_NAI, NET_APN, &peer, NULL));
	net_run(&n, UNTIL(&n));
	assert_int_equal(n.s[0].redirected, 1);
	assert_true(ds_addr_ip_eq(&n.s[0].redirect_to, &n.redirect_gw));
	assert_int_equal(n.s[0].close_reason, DS_IKE_CLOSE_REDIRECTED);
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->sas_current, 0);
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->redirects_sent, 1);
	net_free(&n);
}

static void redirect_established(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	establish(&n, true);
	uint8_t gw[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xb, [15] = 0x03 };
	ds_addr to = ds_addr6(gw, 0);
	assert_int_equal(ds_ike_redirect(n.s[1].sa, &to, n.now), DS_OK);
	net_run(&n, UNTIL(&n));
	assert_int_equal(n.s[0].redirected, 1);
	assert_true(ds_addr_ip_eq(&n.s[0].redirect_to, &to));
	net_free(&n);
}

static int drop_informational(net *n, const net_pkt *p, uint64_t idx)
{
	(void)n;
	(void)idx;
	return p->pkt.len >= 28 && p->pkt.data[18] == 37 ? 1 : 0;
}

/* RFC 5685 cl. 6: the HA redirects in the last IKE_AUTH response, after EAP and both MSK AUTHs
 * are checked: no prefix, no CHILD_SA, no `established`; the UE follows and deletes the SA. */
static void redirect_in_last_auth(void **state)
{
	(void)state;
	for (int psk = 0; psk < 2; psk++) {
		net n;
		net_opts o = { .psk_only = psk == 1 };
		net_init(&n, &o);
		n.redirect_auth = 1;
		uint8_t gw[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xb, [15] = 0x04 };
		n.redirect_gw = ds_addr6(gw, 500);
		ds_eap_peer *peer;
		assert_non_null(net_connect(&n, NET_NAI, NET_APN, psk ? NULL : &peer, NULL));
		net_run(&n, UNTIL(&n));
		assert_int_equal(n.s[0].redirected, 1);
		assert_true(ds_addr_ip_eq(&n.s[0].redirect_to, &n.redirect_gw));
		assert_int_equal(n.s[0].established, 0);
		assert_int_equal(n.s[1].established, 0);
		assert_int_equal(n.s[0].child_up + n.s[1].child_up, 0);
		assert_int_equal(n.s[1].closed, 1);
		assert_int_equal(n.s[1].close_reason, DS_IKE_CLOSE_REDIRECTED);
		assert_int_equal(n.s[0].closed, 1);
		assert_int_equal(ds_ike_get_counters(n.s[1].ike)->redirects_sent, 1);
		assert_int_equal(ds_ike_get_counters(n.s[1].ike)->sas_current, 0);
		assert_int_equal(ds_ike_get_counters(n.s[1].ike)->half_open_current, 0);
		assert_int_equal(ds_ike_get_counters(n.s[1].ike)->auth_failures, 0);
		net_free(&n);
	}
	/* a client that never deletes: the HA forgets it after half_open_timeout */
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	n.redirect_auth = 1;
	uint8_t gw[4] = { 198, 51, 100, 9 };
	n.redirect_gw = ds_addr4(gw, 500);
	ds_eap_peer *peer;
	assert_non_null(net_connect(&n, NET_NAI, NET_APN, &peer, NULL));
	n.fault = drop_informational;
	net_run(&n, n.now + DS_SEC(200));
	assert_int_equal(n.s[1].close_reason, DS_IKE_CLOSE_REDIRECTED);
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->sas_current, 0);
	net_free(&n);
}

static void cookies_under_load(void **state)
{
	(void)state;
	net n;
	net_opts o = { .cookie_threshold = 1 };
	net_init(&n, &o);
	ds_eap_peer *pa, *pb;
	ds_ike_sa *a = net_connect(&n, NET_NAI, NET_APN, &pa, NULL);
	assert_non_null(a);
	/* deliver IKE_SA_INIT of a, drop the response: responder has one half-open SA */
	net_pkt first = n.q[0];
	n.nq = 0;
	first.pkt.data = first.data;
	ds_ike_input(n.s[1].ike, &first.pkt, n.now);
	n.nq = 0;
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->half_open_current, 1);
	ds_ike_sa *b = net_connect(&n, NET_NAI, "ims", &pb, NULL);
	assert_non_null(b);
	net_run(&n, n.now + DS_MS(500));
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->cookies_sent, 1);
	/* b retried with the cookie and completed */
	assert_int_equal(n.s[0].established, 1);
	assert_int_equal(n.s[1].established, 1);
	assert_string_equal(n.s[1].info.apn, "ims");
	net_free(&n);
}

/* cl. 2.6: the cookie secret changes every cookie_rotate; a cookie made with the previous
 * secret is still good, an older one is refused and a fresh cookie sent. */
static void cookie_secret_rotation(void **state)
{
	(void)state;
	for (int periods = 1; periods <= 2; periods++) {
		net n;
		net_opts o = { .cookie_threshold = 1, .cookie_rotate = DS_SEC(10) };
		net_init(&n, &o);
		ds_eap_peer *pa, *pb;
		assert_non_null(net_connect(&n, NET_NAI, NET_APN, &pa, NULL));
		net_pkt first = n.q[0];
		n.nq = 0;
		first.pkt.data = first.data;
		ds_ike_input(n.s[1].ike, &first.pkt, n.now);   /* one half-open SA: cookies on */
		n.nq = 0;
		assert_non_null(net_connect(&n, NET_NAI, "ims", &pb, NULL));
		net_pkt req = n.q[0];
		n.nq = 0;
		req.pkt.data = req.data;
		ds_ike_input(n.s[1].ike, &req.pkt, n.now);
		assert_int_equal(n.nq, 1);   /* the COOKIE answer, held back */
		assert_int_equal(ds_ike_get_counters(n.s[1].ike)->cookies_sent, 1);
		/* time passes (less than the half-open timeout of the first SA) */
		n.now += periods * DS_SEC(10) + DS_SEC(1);
		net_run(&n, n.now + DS_MS(500));
		const ds_ike_counters *c = ds_ike_get_counters(n.s[1].ike);
		assert_int_equal(c->cookie_rejects, periods == 1 ? 0 : 1);
		assert_int_equal(c->cookies_sent, periods == 1 ? 1 : 2);
		/* both complete: the cookie client, and the first one on its retransmission */
		assert_int_equal(n.s[0].established, 2);
		assert_int_equal(c->half_open_current, 0);
		net_free(&n);
	}
}

static void keylog_off_by_default(void **state)
{
	(void)state;
	net n;
	net_opts o = { 0 };
	net_init(&n, &o);
	establish(&n, true);
	assert_int_equal(n.s[0].keylog_lines, 0);
	net_free(&n);
	net_opts k = { .keylog = true };
	net_init(&n, &k);
	establish(&n, true);
	assert_int_equal(n.s[0].keylog_lines, 1);
	assert_int_equal(n.s[1].keylog_lines, 1);
	assert_string_equal(n.s[0].keylog, n.s[1].keylog);
	assert_non_null(strstr(n.s[0].keylog, "AES-GCM-256 with 16 octet ICV"));
	net_free(&n);
}


static int pki_setup(void **state)
{
	(void)state;
	const char *root = getenv("DSMIP6_SOURCE_ROOT");
	snprintf(pki, sizeof pki, "%s/dsmip6-ike-pki-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(pki))
		return -1;
	char cmd[700];
	snprintf(cmd, sizeof cmd, "sh %s/tests/pki/make-pki.sh %s >/dev/null",
		 root ? root : ".", pki);
	return system(cmd) == 0 ? 0 : -1;
}

static int pki_teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", pki);
	return system(cmd) == 0 ? 0 : -1;
}

/* R-13 / TS 33.402: the HA signs with its certificate, the UE checks it against the operator
 * root, then EAP-AKA and the MSK AUTH follow. */
static void certificate_auth(void **state)
{
	(void)state;
	const char *certs[] = { "ha-ecdsa", "ha-rsa", "ha-p384" };
	for (size_t i = 0; i < 3; i++) {
		net n;
		net_opts o = { .pki_dir = pki, .ha_cert = certs[i], .ue_ca = "ca" };
		net_init(&n, &o);
		establish(&n, true);
		check_child_pair(&n);
		net_free(&n);
	}
}

static void rogue_certificate_rejected(void **state)
{
	(void)state;
	const char *cases[][2] = { { "rogue-ha", "ca" }, { "ha-ecdsa", "other-ca" } };
	for (size_t i = 0; i < 2; i++) {
		net n;
		net_opts o = { .pki_dir = pki, .ha_cert = cases[i][0], .ue_ca = cases[i][1] };
		net_init(&n, &o);
		ds_eap_peer *peer;
		assert_non_null(net_connect(&n, NET_NAI, NET_APN, &peer, NULL));
		net_run(&n, UNTIL(&n));
		assert_int_equal(n.s[0].established, 0);
		assert_int_equal(n.s[0].close_reason, DS_IKE_CLOSE_AUTH_FAILED);
		net_free(&n);
	}
}

/* RFC 5685 cl. 6, EAP case: the HA redirects on the identity in the first IKE_AUTH request;
 * the UE checks the HA's AUTH (certificate) and follows; no SA, no EAP round. */
static void redirect_in_first_auth(void **state)
{
	(void)state;
	net n;
	net_opts o = { .pki_dir = pki, .ha_cert = "ha-ecdsa", .ue_ca = "ca" };
	net_init(&n, &o);
	n.redirect_identity = 1;
	uint8_t gw[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xb, [15] = 0x05 };
	n.redirect_gw = ds_addr6(gw, 500);
	ds_eap_peer *peer;
	assert_non_null(net_connect(&n, NET_NAI, NET_APN, &peer, NULL));
	net_run(&n, UNTIL(&n));
	assert_int_equal(n.s[0].redirected, 1);
	assert_true(ds_addr_ip_eq(&n.s[0].redirect_to, &n.redirect_gw));
	assert_int_equal(n.s[0].close_reason, DS_IKE_CLOSE_REDIRECTED);
	assert_int_equal(n.s[0].established + n.s[1].established, 0);
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->eap_rounds, 0);
	net_run(&n, n.now + DS_SEC(60));
	assert_int_equal(n.s[1].close_reason, DS_IKE_CLOSE_REDIRECTED);
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->sas_current, 0);
	assert_int_equal(ds_ike_get_counters(n.s[1].ike)->half_open_current, 0);
	net_free(&n);
	/* a forged HA (rogue certificate) cannot redirect: its AUTH fails first */
	net_opts r = { .pki_dir = pki, .ha_cert = "rogue-ha", .ue_ca = "ca" };
	net_init(&n, &r);
	n.redirect_identity = 1;
	n.redirect_gw = ds_addr6(gw, 500);
	assert_non_null(net_connect(&n, NET_NAI, NET_APN, &peer, NULL));
	net_run(&n, UNTIL(&n));
	assert_int_equal(n.s[0].redirected, 0);
	assert_int_equal(n.s[0].close_reason, DS_IKE_CLOSE_AUTH_FAILED);
	net_free(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(psk_bootstrap),
		cmocka_unit_test(eap_aka_bootstrap),
		cmocka_unit_test(eap_async_backend),
		cmocka_unit_test(eap_wrong_k_fails),
		cmocka_unit_test(unknown_user_fails),
		cmocka_unit_test(apn_not_allowed_fails),
		cmocka_unit_test(refusal_notifies),
		cmocka_unit_test(loss_retransmits),
		cmocka_unit_test(duplication),
		cmocka_unit_test(invalid_ke_retry),
		cmocka_unit_test(no_proposal),
		cmocka_unit_test(nat_traversal),
		cmocka_unit_test(create_child_for_hoa),
		cmocka_unit_test(childless_then_child),
		cmocka_unit_test(rekey_and_delete_child),
		cmocka_unit_test(delete_from_ue),
		cmocka_unit_test(delete_from_ha),
		cmocka_unit_test(liveness_and_dead_peer),
		cmocka_unit_test(automatic_dpd),
		cmocka_unit_test(child_lifetime_rekey),
		cmocka_unit_test(ike_rekey_by_ue),
		cmocka_unit_test(ike_rekey_by_ha),
		cmocka_unit_test(ike_rekey_loss),
		cmocka_unit_test(ike_rekey_duplication),
		cmocka_unit_test(ike_rekey_invalid_ke),
		cmocka_unit_test(ike_lifetime_rekey),
		cmocka_unit_test(ike_rekey_collision),
		cmocka_unit_test(ike_rekey_collision_one_sided),
		cmocka_unit_test(ike_rekey_during_child_rekey),
		cmocka_unit_test(unsupported_config_refused),
		cmocka_unit_test(move_after_k_bit),
		cmocka_unit_test(redirect_in_init),
		cmocka_unit_test(redirect_established),
		cmocka_unit_test(redirect_in_last_auth),
		cmocka_unit_test(cookies_under_load),
		cmocka_unit_test(cookie_secret_rotation),
		cmocka_unit_test(keylog_off_by_default),
		cmocka_unit_test_setup_teardown(certificate_auth, pki_setup, pki_teardown),
		cmocka_unit_test_setup_teardown(rogue_certificate_rejected, pki_setup, pki_teardown),
		cmocka_unit_test_setup_teardown(redirect_in_first_auth, pki_setup, pki_teardown),
		cmocka_unit_test_setup_teardown(frag_ike_auth_certificate, pki_setup, pki_teardown),
		cmocka_unit_test_setup_teardown(frag_ipv4_nat_small_mtu, pki_setup, pki_teardown),
		cmocka_unit_test_setup_teardown(frag_loss, pki_setup, pki_teardown),
		cmocka_unit_test_setup_teardown(frag_duplication, pki_setup, pki_teardown),
		cmocka_unit_test(frag_reassembly_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
