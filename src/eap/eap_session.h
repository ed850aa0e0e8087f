/* Common head of every back end's session object (internal to src/eap): each back end embeds
 * it first and recovers its own type with DS_CONTAINER_OF. */
#ifndef DSMIP6_EAP_EAP_SESSION_H
#define DSMIP6_EAP_EAP_SESSION_H

#include "eap/eap_method.h"

struct ds_eap_session {
	const ds_eap_backend_ops *ops;
};

#endif
