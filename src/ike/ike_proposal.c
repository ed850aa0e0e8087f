/* SA proposals: building ours from the configured suites and choosing from the peer's
 * (RFC 7296 cl. 2.7, 3.3). One proposal per suite keeps selection unambiguous. */
#include <string.h>

#include "core/err.h"
#include "ike/ike_int.h"

void ike_suite_proposal(const ds_ike_suite *s, uint8_t proto, const uint8_t *spi,
			uint8_t spi_size, uint8_t num, ike_proposal *p)
{
	memset(p, 0, sizeof(*p));
	p->num = num;
	p->proto = proto;
	p->spi_size = spi_size;
	if (spi_size)
		memcpy(p->spi, spi, spi_size);
	uint8_t n = 0;
	p->trans[n++] = (ike_transform){ IKE_TRANS_ENCR, s->encr,
					 s->encr == DS_ENCR_NULL ? 0 : s->encr_bits };
	if (proto == IKE_PROTO_IKE)
		p->trans[n++] = (ike_transform){ IKE_TRANS_PRF, s->prf, 0 };
	if (s->integ)
		p->trans[n++] = (ike_transform){ IKE_TRANS_INTEG, s->integ, 0 };
	if (s->dh)
		p->trans[n++] = (ike_transform){ IKE_TRANS_DH, s->dh, 0 };
	if (proto == IKE_PROTO_ESP)
		p->trans[n++] = (ike_transform){ IKE_TRANS_ESN, 0, 0 };  /* no ESN */
	p->n_trans = n;
}

size_t ike_build_ike_props(const ds_ike *ike, const uint8_t *spi, uint8_t spi_size,
			   ike_proposal *props, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < ike->cfg.n_ike_suites && n < max; i++, n++)
		ike_suite_proposal(&ike->ike_suites[i], IKE_PROTO_IKE, spi, spi_size,
				   (uint8_t)(n + 1), &props[n]);
	return n;
}

size_t ike_build_esp_props(const ds_ike *ike, uint32_t spi, ike_proposal *props, size_t max)
{
	uint8_t s[4];
	s[0] = (uint8_t)(spi >> 24); s[1] = (uint8_t)(spi >> 16);
	s[2] = (uint8_t)(spi >> 8); s[3] = (uint8_t)spi;
	size_t n = 0;
	for (size_t i = 0; i < ike->cfg.n_esp_suites && n < max; i++, n++)
		ike_suite_proposal(&ike->esp_suites[i], IKE_PROTO_ESP, s, 4, (uint8_t)(n + 1),
				   &props[n]);
	return n;
}

/* Does proposal p offer every transform of suite s (and nothing mandatory we lack)? */
static bool prop_offers(const ike_proposal *p, const ds_ike_suite *s, bool esp)
{
	bool encr = false, prf = esp, integ = s->integ == 0, dh = s->dh == 0, esn = !esp;
	bool has_integ = false, has_dh = false;
	if (p->unknown_attr)
		return false;
	for (uint8_t i = 0; i < p->n_trans; i++) {
		const ike_transform *t = &p->trans[i];
		switch (t->type) {
		case IKE_TRANS_ENCR:
			if (t->id == s->encr &&
			    (s->encr == DS_ENCR_NULL || t->key_bits == s->encr_bits))
				encr = true;
			break;
		case IKE_TRANS_PRF:
			if (!esp && t->id == s->prf)
				prf = true;
			break;
		case IKE_TRANS_INTEG:
			if (t->id != 0)
				has_integ = true;
			if (t->id == s->integ || (t->id == 0 && s->integ == 0))
				integ = true;
			break;
		case IKE_TRANS_DH:
			if (t->id != 0)
				has_dh = true;
			if (t->id == s->dh || (t->id == 0 && s->dh == 0))
				dh = true;
			break;
		case IKE_TRANS_ESN:
			if (t->id == 0)
				esn = true;
			break;
		default:
			/* An unknown transform type makes the proposal unacceptable (cl. 3.3.6). */
			return false;
		}
	}
	/* A proposal listing only integrity / DH algorithms other than "none" cannot be
	 * matched by a suite without one. */
	if (s->integ == 0 && has_integ && !integ)
		return false;
	if (esp && s->dh == 0 && has_dh && !dh)
		return false;
	if (!esp && !has_dh)
		return false;
	return encr && prf && integ && dh && esn;
}

int ike_select_ike(const ds_ike *ike, const ike_sa_pl *sa, uint16_t group, uint8_t spi_size,
		   ds_ike_suite *out)
{
	/* cl. 2.7: the responder picks one of the offered proposals; we honour the initiator's
	 * order and within a proposal our own suite order. */
	for (size_t p = 0; p < sa->n; p++) {
		if (sa->prop[p].proto != IKE_PROTO_IKE || sa->prop[p].spi_size != spi_size)
			continue;
		for (size_t i = 0; i < ike->cfg.n_ike_suites; i++) {
			if (group && ike->ike_suites[i].dh != group)
				continue;
			if (prop_offers(&sa->prop[p], &ike->ike_suites[i], false)) {
				*out = ike->ike_suites[i];
				return (int)p;
			}
		}
	}
	return -1;
}

int ike_select_esp(const ds_ike *ike, const ike_sa_pl *sa, ds_ike_suite *out, uint32_t *spi)
{
	for (size_t p = 0; p < sa->n; p++) {
		const ike_proposal *pr = &sa->prop[p];
		if (pr->proto != IKE_PROTO_ESP || pr->spi_size != 4)
			continue;
		for (size_t i = 0; i < ike->cfg.n_esp_suites; i++) {
			ds_ike_suite s = ike->esp_suites[i];
			if (prop_offers(pr, &s, true)) {
				*out = s;
				*spi = (uint32_t)pr->spi[0] << 24 | (uint32_t)pr->spi[1] << 16 |
				       (uint32_t)pr->spi[2] << 8 | pr->spi[3];
				return (int)p;
			}
		}
	}
	return -1;
}

int ike_accept_ike(const ds_ike *ike, const ike_sa_pl *sa, ds_ike_suite *out)
{
	/* cl. 3.3.6: the response carries exactly one proposal, one transform of each type. */
	if (sa->n != 1)
		return DS_E_BADLEN;
	for (size_t i = 0; i < ike->cfg.n_ike_suites; i++) {
		if (prop_offers(&sa->prop[0], &ike->ike_suites[i], false) &&
		    sa->prop[0].n_trans == (ike->ike_suites[i].integ ? 4 : 3)) {
			*out = ike->ike_suites[i];
			return DS_OK;
		}
	}
	return DS_E_UNSUPPORTED;
}
