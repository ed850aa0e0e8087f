/* IKEv2 message fragmentation (RFC 7383): splitting a protected message into SKF fragments
 * that each fit the fragmentation threshold, and reassembling the peer's fragments.
 *
 * Each fragment is encrypted and authenticated on its own (cl. 2.5) and is checked before it
 * is stored (cl. 2.6), so only the authenticated peer can occupy reassembly memory; even so
 * reassembly is bounded: IKE_FRAG_MAX fragments and IKE_MSG_MAX octets per message, one
 * message per direction per SA, cfg.frag_mem_max octets per context, and a timeout after
 * which the partial message is forgotten (cl. 2.6: "as if no request message was received"). */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"
#include "ike/ike_int.h"
#include "ike/ike_sk.h"

/* cl. 2.5.1: the largest IP datagram for IKE messages: configured, else 1280 octets over
 * IPv6 and 576 over IPv4. Returns the room for the IKE message itself. */
static size_t msg_room(const ds_ike_sa *sa)
{
	bool v4 = sa->remote.family == DS_AF_INET;
	size_t mtu = sa->ike->cfg.frag_mtu ? sa->ike->cfg.frag_mtu : (v4 ? 576 : 1280);
	size_t over = (v4 ? 20 : 40) + 8 + (sa->natt ? 4 : 0);
	return mtu > over ? mtu - over : 0;
}

bool ike_frag_needed(const ds_ike_sa *sa, size_t sealed_len)
{
	return sa->frag_ok && sealed_len > msg_room(sa);
}

int ike_frag_seal(ds_ike_sa *sa, const ike_hdr *h, uint8_t first, const uint8_t *plain,
		  size_t len, uint8_t **out, size_t *out_len)
{
	size_t room = msg_room(sa);
	size_t chunk = ike_sk_room(sa->c_out, room, true);
	if (!chunk)
		return DS_E_NOSPACE;
	size_t total = (len + chunk - 1) / chunk;
	if (total < 1)
		total = 1;
	if (total > IKE_FRAG_MAX)
		return DS_E_NOSPACE;
	/* All fragments back to back; each carries its own IKE header and length. */
	size_t cap = total * room;
	uint8_t *buf = malloc(cap);
	if (!buf)
		return DS_E_NOMEM;
	size_t off = 0;
	for (size_t i = 0; i < total; i++) {
		size_t part = DS_MIN(chunk, len - i * chunk);
		size_t n = 0;
		int rc = ike_sk_seal(sa->c_out, &sa->iv_ctr, h, first, plain + i * chunk, part,
				     (uint16_t)(i + 1), (uint16_t)total, buf + off, cap - off, &n);
		if (rc) {
			free(buf);
			return rc;
		}
		off += n;
	}
	*out = buf;
	*out_len = off;
	return DS_OK;
}

void ike_send_stored(ds_ike_sa *sa, const uint8_t *msgs, size_t len)
{
	ds_ike *ike = sa->ike;
	size_t off = 0, count = 0;
	while (off + IKE_HDR_LEN <= len) {
		size_t n = ds_get_u32(msgs + off + 24);   /* cl. 3.1: Length of this message */
		if (n < IKE_HDR_LEN || n > len - off)
			break;
		ike_send_raw(ike, &sa->local, &sa->remote, sa->natt, msgs + off, n);
		off += n;
		count++;
	}
	if (count > 1)
		ike->ctr.fragments_tx += count;
}

void ike_frag_reset(ds_ike_sa *sa, int slot)
{
	ike_reasm *r = sa->reasm[slot];
	if (!r)
		return;
	for (size_t i = 0; i < IKE_FRAG_MAX; i++) {
		if (r->chunk[i]) {
			ds_wipe(r->chunk[i], r->len[i]);
			free(r->chunk[i]);
		}
	}
	if (sa->ike->frag_mem >= r->bytes)
		sa->ike->frag_mem -= r->bytes;
	free(r);
	sa->reasm[slot] = NULL;
}

ds_time ike_frag_deadline(const ds_ike_sa *sa)
{
	ds_time t = DS_TIME_NEVER;
	for (int s = 0; s < 2; s++)
		if (sa->reasm[s] && sa->reasm[s]->expires < t)
			t = sa->reasm[s]->expires;
	return t;
}

void ike_frag_expire(ds_ike_sa *sa, ds_time now)
{
	for (int s = 0; s < 2; s++) {
		if (sa->reasm[s] && sa->reasm[s]->expires <= now) {
			ds_logf_rl(&sa->ike->cfg.log, &sa->ike->rl_bad, now, DS_LOG_INFO,
				   "ike %016llx: incomplete fragmented message %u dropped",
				   (unsigned long long)sa->spi_local, sa->reasm[s]->mid);
			ike_frag_reset(sa, s);
		}
	}
}

int ike_frag_input(ds_ike_sa *sa, const ike_hdr *h, const ike_pl *skf, const uint8_t *chunk,
		   size_t chunk_len, uint8_t **plain, size_t *plain_len, uint8_t *first_np)
{
	ds_ike *ike = sa->ike;
	uint16_t num, total;
	if (!sa->frag_ok) {
		/* We did not agree on fragmentation (cl. 2.3): not ours to reassemble. */
		ike->ctr.rx_malformed++;
		return 0;
	}
	if (ike_skf_decode(skf->body, skf->len, &num, &total) || total > IKE_FRAG_MAX) {
		ike->ctr.rx_malformed++;
		return 0;
	}
	ike->ctr.fragments_rx++;
	bool response = (h->flags & IKE_FLAG_R) != 0;
	int slot = response ? 1 : 0;
	ike_reasm *r = sa->reasm[slot];
	if (r && r->mid != h->msg_id) {
		ike_frag_reset(sa, slot);   /* the window moved on */
		r = NULL;
	}
	if (r && total < r->total) {
		/* cl. 2.6: an older, coarser set than the one being reassembled. */
		ike->ctr.rx_duplicates++;
		return 0;
	}
	if (r && total > r->total) {
		/* cl. 2.5.2 / 2.6: a new set (smaller fragments): start over. */
		ike_frag_reset(sa, slot);
		r = NULL;
	}
	if (r && r->chunk[num - 1]) {
		ike->ctr.rx_duplicates++;   /* cl. 2.6.1: same Message ID, number and total */
		return 0;
	}
	size_t have_bytes = r ? r->bytes : 0;
	if (have_bytes + chunk_len > IKE_MSG_MAX ||
	    ike->frag_mem + chunk_len > ike->cfg.frag_mem_max) {
		ds_logf_rl(&ike->cfg.log, &ike->rl_bad, ike->now, DS_LOG_NOTICE,
			   "ike %016llx: fragment reassembly over its memory limit",
			   (unsigned long long)sa->spi_local);
		ike->ctr.rx_malformed++;
		ike_frag_reset(sa, slot);
		return 0;
	}
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return 0;
		sa->reasm[slot] = r;
		r->mid = h->msg_id;
		r->total = total;
		r->expires = ike->now + ike->cfg.frag_timeout;
		ike_sa_arm(sa);
	}
	uint8_t *copy = malloc(chunk_len ? chunk_len : 1);
	if (!copy)
		return 0;
	memcpy(copy, chunk, chunk_len);
	r->chunk[num - 1] = copy;
	r->len[num - 1] = chunk_len;
	r->bytes += chunk_len;
	ike->frag_mem += chunk_len;
	if (num == 1)
		r->first_np = skf->np;   /* cl. 2.5: only the first fragment names it */
	if (++r->have < r->total)
		return 0;
	/* Complete: the contents of all fragments in order are the original SK contents. */
	uint8_t *all = malloc(r->bytes ? r->bytes : 1);
	if (!all) {
		ike_frag_reset(sa, slot);
		return 0;
	}
	size_t off = 0;
	for (size_t i = 0; i < r->total; i++) {
		memcpy(all + off, r->chunk[i], r->len[i]);
		off += r->len[i];
	}
	*plain = all;
	*plain_len = off;
	*first_np = r->first_np;
	ike->ctr.reassembled++;
	ike_frag_reset(sa, slot);
	return 1;
}
