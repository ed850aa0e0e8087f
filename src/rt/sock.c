#include "rt/sock.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"

#ifndef IPV6_HDRINCL
#define IPV6_HDRINCL 36 /* Linux uapi in6.h; libc headers may lack it */
#endif

#define IPV6_HDR_LEN 40

static void to_sockaddr(const ds_addr *a, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof *ss);
	if (a->family == DS_AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(a->port);
		memcpy(&s4->sin_addr, a->ip, 4);
		*len = sizeof *s4;
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a->port);
		memcpy(&s6->sin6_addr, a->ip, 16);
		*len = sizeof *s6;
	}
}

static ds_addr from_sockaddr(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		return ds_addr4((const uint8_t *)&s4->sin_addr, ntohs(s4->sin_port));
	}
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	return ds_addr6(s6->sin6_addr.s6_addr, ntohs(s6->sin6_port));
}

static int sys_err(int fd)
{
	int e = errno;
	if (fd >= 0)
		close(fd);
	errno = e;
	return DS_E_IO;
}

int ds_sock_grow_rcvbuf(int fd, int bytes)
{
	/* FORCE fails with EPERM without CAP_NET_ADMIN: fall back quietly, the plain option still
	 * takes up to net.core.rmem_max */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
	int got = 0;
	socklen_t gl = sizeof got;
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &gl) != 0)
		return DS_E_IO;
	return got;
}

int ds_udp_open(const ds_addr *local, uint16_t port)
{
	int af = local->family == DS_AF_INET ? AF_INET : AF_INET6;
	int fd = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return DS_E_IO;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (af == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one) != 0)
			return sys_err(fd);
	} else if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) != 0) {
		return sys_err(fd);
	}
	/* IKE_SA_INIT bursts and ESP-in-UDP share this socket: see DS_SOCK_RCVBUF */
	ds_sock_grow_rcvbuf(fd, DS_SOCK_RCVBUF);
	/* binding a non-local address lets the daemon start before the address is configured */
	setsockopt(fd, af == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP,
		   af == AF_INET6 ? IPV6_FREEBIND : IP_FREEBIND, &one, sizeof one);
	ds_addr b = *local;
	b.port = port;
	struct sockaddr_storage ss;
	socklen_t sl;
	to_sockaddr(&b, &ss, &sl);
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0)
		return sys_err(fd);
	return fd;
}

/* Destination address from IPV6_PKTINFO / IP_PKTINFO, plus hop limit and traffic class. */
static void parse_cmsgs(struct msghdr *mh, ds_addr *dst, int *hlim, int *tclass)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			*dst = ds_addr6(pi.ipi6_addr.s6_addr, dst->port);
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			*dst = ds_addr4((const uint8_t *)&pi.ipi_addr, dst->port);
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT && hlim) {
			memcpy(hlim, CMSG_DATA(c), sizeof *hlim);
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_TCLASS && tclass) {
			memcpy(tclass, CMSG_DATA(c), sizeof *tclass);
		}
	}
}

int ds_udp_recv(int fd, uint16_t local_port, uint8_t *buf, size_t cap, ds_pkt *pkt)
{
	struct sockaddr_storage from;
	union {
		char b[256];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { buf, cap };
	struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b };
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
	if (n < 0)
		return DS_E_IO;
	if (mh.msg_flags & MSG_TRUNC)
		return DS_E_TRUNCATED;
	memset(pkt, 0, sizeof *pkt);
	pkt->kind = DS_PKT_UDP;
	pkt->src = from_sockaddr(&from);
	pkt->dst.family = pkt->src.family;
	pkt->dst.port = local_port;
	parse_cmsgs(&mh, &pkt->dst, NULL, NULL);
	pkt->dst.port = local_port;
	pkt->data = buf;
	pkt->len = (size_t)n;
	return DS_OK;
}

int ds_udp_send(int fd, const ds_pkt *pkt)
{
	struct sockaddr_storage to;
	socklen_t tl;
	to_sockaddr(&pkt->dst, &to, &tl);
	union {
		char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof ctl);
	struct iovec iov = { (void *)pkt->data, pkt->len };
	struct msghdr mh = { .msg_name = &to, .msg_namelen = tl, .msg_iov = &iov, .msg_iovlen = 1 };
	if (!ds_addr_is_unspec(&pkt->src) && pkt->src.family == pkt->dst.family) {
		mh.msg_control = ctl.b;
		struct cmsghdr *c;
		if (pkt->src.family == DS_AF_INET6) {
			mh.msg_controllen = CMSG_SPACE(sizeof(struct in6_pktinfo));
			c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = IPPROTO_IPV6;
			c->cmsg_type = IPV6_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
			struct in6_pktinfo pi = { 0 };
			memcpy(&pi.ipi6_addr, pkt->src.ip, 16);
			memcpy(CMSG_DATA(c), &pi, sizeof pi);
		} else {
			mh.msg_controllen = CMSG_SPACE(sizeof(struct in_pktinfo));
			c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = IPPROTO_IP;
			c->cmsg_type = IP_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
			struct in_pktinfo pi = { 0 };
			memcpy(&pi.ipi_spec_dst, pkt->src.ip, 4);
			memcpy(CMSG_DATA(c), &pi, sizeof pi);
		}
	}
	ssize_t n = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	return n == (ssize_t)pkt->len ? DS_OK : DS_E_IO;
}

int ds_raw_open_rx(int family, uint8_t proto)
{
	int af = family == DS_AF_INET ? AF_INET : AF_INET6;
	int fd = socket(af, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return DS_E_IO;
	int one = 1;
	if (af == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one) != 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof one) != 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, &one, sizeof one) != 0)
			return sys_err(fd);
		/* Linux verifies the MH checksum of IPPROTO_MH raw sockets with the outer source in
		 * the pseudo-header and drops mismatches; a BU's checksum covers the Home Address
		 * (RFC 6275 cl. 6.1.1), so the decoder checks it and the kernel must not */
		int off = -1;
		if (proto == 135 &&
		    setsockopt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, &off, sizeof off) != 0)
			return sys_err(fd);
	}
	ds_sock_grow_rcvbuf(fd, DS_SOCK_RCVBUF);
	/* this socket never sends: keep its send buffer small */
	int small = 4096;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	return fd;
}

int ds_ipv6_rebuild(const ds_addr *src, const ds_addr *dst, uint8_t next_header, uint8_t hop_limit,
		    uint8_t tclass, const uint8_t *payload, size_t len, uint8_t *out, size_t cap,
		    size_t *out_len)
{
	if (src->family != DS_AF_INET6 || dst->family != DS_AF_INET6 || len > 0xffff)
		return DS_E_PARAM;
	if (cap < IPV6_HDR_LEN + len)
		return DS_E_NOSPACE;
	if (payload != out + IPV6_HDR_LEN)
		memmove(out + IPV6_HDR_LEN, payload, len);
	ds_wr w = ds_wr_init(out, IPV6_HDR_LEN);
	/* RFC 8200 cl. 3: version 6, traffic class, flow label 0 (not reported by the kernel) */
	ds_wr_u32(&w, (uint32_t)6 << 28 | (uint32_t)tclass << 20);
	ds_wr_u16(&w, (uint16_t)len);
	ds_wr_u8(&w, next_header);
	ds_wr_u8(&w, hop_limit);
	ds_wr_bytes(&w, src->ip, 16);
	ds_wr_bytes(&w, dst->ip, 16);
	if (w.err)
		return DS_E_NOSPACE;
	*out_len = IPV6_HDR_LEN + len;
	return DS_OK;
}

int ds_raw_recv(int fd, int family, uint8_t proto, uint8_t *buf, size_t cap, ds_pkt *pkt)
{
	size_t head = family == DS_AF_INET6 ? IPV6_HDR_LEN : 0;
	if (cap <= head)
		return DS_E_NOSPACE;
	struct sockaddr_storage from;
	union {
		char b[512];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { buf + head, cap - head };
	struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b };
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
	if (n < 0)
		return DS_E_IO;
	if (mh.msg_flags & MSG_TRUNC)
		return DS_E_TRUNCATED;
	memset(pkt, 0, sizeof *pkt);
	pkt->kind = DS_PKT_IP;
	if (family == DS_AF_INET) {
		/* IPv4 raw sockets deliver the IPv4 header too */
		if (n < 20)
			return DS_E_TRUNCATED;
		pkt->src = ds_addr4(buf + 12, 0);
		pkt->dst = ds_addr4(buf + 16, 0);
		pkt->data = buf;
		pkt->len = (size_t)n;
		return DS_OK;
	}
	ds_addr src = from_sockaddr(&from), dst = { .family = DS_AF_INET6 };
	src.port = 0;
	int hlim = 64, tclass = 0;
	parse_cmsgs(&mh, &dst, &hlim, &tclass);
	dst.port = 0;
	size_t total;
	int rc = ds_ipv6_rebuild(&src, &dst, proto, (uint8_t)hlim, (uint8_t)tclass, buf + head,
				 (size_t)n, buf, cap, &total);
	if (rc != DS_OK)
		return rc;
	pkt->src = src;
	pkt->dst = dst;
	pkt->data = buf;
	pkt->len = total;
	return DS_OK;
}

int ds_raw_open_tx(int family)
{
	int af = family == DS_AF_INET ? AF_INET : AF_INET6;
	int fd = socket(af, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0)
		return DS_E_IO;
	int one = 1;
	if (af == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_HDRINCL, &one, sizeof one) != 0)
		return sys_err(fd);
	if (af == AF_INET && setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof one) != 0)
		return sys_err(fd);
	/* IPPROTO_RAW sockets also receive nothing, so no receive buffer is wasted */
	return fd;
}

int ds_raw_send(int fd, const ds_pkt *pkt)
{
	if (pkt->len < 20)
		return DS_E_PARAM;
	/* the kernel routes on the sockaddr; it must equal the header's destination */
	ds_addr dst;
	if ((pkt->data[0] >> 4) == 6) {
		if (pkt->len < IPV6_HDR_LEN)
			return DS_E_PARAM;
		dst = ds_addr6(pkt->data + 24, 0);
	} else if ((pkt->data[0] >> 4) == 4) {
		dst = ds_addr4(pkt->data + 16, 0);
	} else {
		return DS_E_VERSION;
	}
	struct sockaddr_storage to;
	socklen_t tl;
	to_sockaddr(&dst, &to, &tl);
	ssize_t n = sendto(fd, pkt->data, pkt->len, MSG_DONTWAIT | MSG_NOSIGNAL,
			   (struct sockaddr *)&to, tl);
	return n == (ssize_t)pkt->len ? DS_OK : DS_E_IO;
}
