#include "rt/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/err.h"

int ds_tun_open(const char *name, char out_name[IF_NAMESIZE], int *ifindex)
{
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return DS_E_IO;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return DS_E_IO;
	}
	snprintf(out_name, IF_NAMESIZE, "%s", ifr.ifr_name);
	*ifindex = (int)if_nametoindex(ifr.ifr_name);
	return fd;
}

int ds_tun_read(int fd, uint8_t *buf, size_t cap, size_t *len)
{
	ssize_t n = read(fd, buf, cap);
	if (n <= 0)
		return DS_E_IO;
	*len = (size_t)n;
	return DS_OK;
}

int ds_tun_write(int fd, const uint8_t *pkt, size_t len)
{
	ssize_t n = write(fd, pkt, len);
	return n == (ssize_t)len ? DS_OK : DS_E_IO;
}
