/* Internal interface between the Mobility Header message codec (mh.c) and the mobility option
 * codec (mh_opt.c). Not installed; not for other areas. */
#ifndef DSMIP6_WIRE_MH_IMPL_H
#define DSMIP6_WIRE_MH_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "wire/mh.h"

/* Write Pad1 / PadN so that the next octet written sits at offset x*n + y from the start of the
 * MH (the writer's origin). x is a power of two. */
void ds_mob_pad_to(ds_wr *w, unsigned x, unsigned y);
/* Write the options of o at their alignments (order documented at ds_mob_encode). The writer's
 * origin must be the first octet of the MH. DS_OK or DS_E_PARAM. */
int ds_mob_opts_encode(ds_wr *w, const ds_mob_opts *o);
/* Parse the options found in mh[start, end) (offsets from the MH start, which alignment is
 * measured from). On error *err_off is the offset of the offending option. */
int ds_mob_opts_decode(const uint8_t *mh, size_t start, size_t end, ds_mob_opts *o,
		       uint16_t *err_off);
/* Equality of the encodable part of two option sets. */
bool ds_mob_opts_eq(const ds_mob_opts *a, const ds_mob_opts *b);

#endif
