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

static int write_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return DS_E_IO;
	ssize_t n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? DS_OK : DS_E_IO;
}

int ds_tun_quiet(const char *name)
{
	char p[128];
	/* addr_gen_mode 1 = none (no link-local), accept_ra 0 */
	snprintf(p, sizeof p, "/proc/sys/net/ipv6/conf/%s/addr_gen_mode", name);
	int rc = write_sysctl(p, "1");
	snprintf(p, sizeof p, "/proc/sys/net/ipv6/conf/%s/accept_ra", name);
	if (write_sysctl(p, "0") != DS_OK)
		rc = DS_E_IO;
	return rc;
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
