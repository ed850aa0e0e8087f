#include "core/err.h"

const char *ds_strerror(int err)
{
	switch ((ds_err)err) {
	case DS_OK: return "ok";
	case DS_E_TRUNCATED: return "truncated";
	case DS_E_OVERRUN: return "length overruns container";
	case DS_E_ALIGN: return "misaligned";
	case DS_E_BADLEN: return "bad length";
	case DS_E_CHECKSUM: return "bad checksum";
	case DS_E_VERSION: return "bad version";
	case DS_E_UNKNOWN_TYPE: return "unknown type";
	case DS_E_RESERVED: return "reserved value";
	case DS_E_NOMEM: return "out of memory";
	case DS_E_NOSPACE: return "buffer too small";
	case DS_E_PARAM: return "invalid parameter";
	case DS_E_STATE: return "invalid state";
	case DS_E_AUTH: return "authentication failed";
	case DS_E_REPLAY: return "replay";
	case DS_E_NOTFOUND: return "not found";
	case DS_E_EXISTS: return "already exists";
	case DS_E_CRYPTO: return "crypto error";
	case DS_E_UNSUPPORTED: return "unsupported";
	case DS_E_NEXTHDR: return "unexpected next header";
	case DS_E_LOOP: return "too many headers or options";
	case DS_E_PADDING: return "bad padding";
	case DS_E_EXHAUSTED: return "exhausted";
	case DS_E_IO: return "I/O error";
	case DS_E_CONFIG: return "configuration error";
	case DS_E_TIMEOUT: return "timed out";
	case DS_E_DUPLICATE: return "duplicate element";
	case DS_E_FRAGMENT: return "fragmented packet";
	case DS_E__COUNT: break;
	}
	return "unknown error";
}
