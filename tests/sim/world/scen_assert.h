/* cmocka assertions shared by the scenario tests. Include after <cmocka.h>. */
#ifndef DSMIP6_SIM_SCEN_ASSERT_H
#define DSMIP6_SIM_SCEN_ASSERT_H

#include "scen.h"

/* Fail with the record when an Annex A check reports a violation. */
#define assert_conform(violation, rec)                                                        \
	do {                                                                                  \
		const char *v_ = (violation);                                                 \
		if (v_) {                                                                     \
			char l_[300];                                                         \
			sim_mh_rec_fmt((rec), l_, sizeof l_);                                 \
			fail_msg("%s: %s", v_, l_);                                           \
		}                                                                             \
	} while (0)

/* The MH message sequence of a UE on a link equals `expect` ("BU,BA,..."); leaves the
 * records in r[0..n). */
#define assert_mh_seq(sc, link, hoa, r, cap, expect)                                          \
	do {                                                                                  \
		char s_[256];                                                                 \
		size_t n_ = scen_mh((sc), (link), (hoa), (r), (cap));                         \
		scen_seq_str((r), n_ < (cap) ? n_ : (cap), s_, sizeof s_);                    \
		assert_string_equal(s_, (expect));                                            \
	} while (0)

#endif
