/* rtnl: minimal rtnetlink requests with acknowledgements. */
#include "rtnl.h"
#include "netlink.h"

#include <errno.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Requests here are a header, a fixed struct and a handful of short attributes. */
#define REQ_SIZE 1024

struct req {
	struct nlmsghdr *h;
	char buf[REQ_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	int overflow;
};

static void *req_init(struct req *r, uint16_t type, uint16_t flags, size_t body)
{
	memset(r, 0, sizeof(*r));
	r->h = (struct nlmsghdr *)r->buf;
	r->h->nlmsg_len = NLMSG_LENGTH(body);
	r->h->nlmsg_type = type;
	r->h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	return NLMSG_DATA(r->h);
}

static struct rtattr *attr_put(struct req *r, uint16_t type, const void *data, size_t len)
{
	size_t at = NLMSG_ALIGN(r->h->nlmsg_len);
	struct rtattr *a = (struct rtattr *)(r->buf + at);

	if (at + RTA_SPACE(len) > sizeof(r->buf)) {
		r->overflow = 1;
		return NULL;
	}
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->h->nlmsg_len = (uint32_t)(at + RTA_SPACE(len));
	return a;
}

static void attr_str(struct req *r, uint16_t type, const char *s)
{
	attr_put(r, type, s, strlen(s) + 1);
}

/* A nested attribute: open it, add its members, close it to fix its length. */
static struct rtattr *nest_begin(struct req *r, uint16_t type)
{
	return attr_put(r, type, NULL, 0);
}

static void nest_end(struct req *r, struct rtattr *a)
{
	if (a)
		a->rta_len = (unsigned short)((char *)r->buf + r->h->nlmsg_len - (char *)a);
}

/* Raw bytes inside a nest (VETH_INFO_PEER carries a struct ifinfomsg first). */
static void *body_put(struct req *r, size_t len)
{
	size_t at = NLMSG_ALIGN(r->h->nlmsg_len);

	if (at + NLMSG_ALIGN(len) > sizeof(r->buf)) {
		r->overflow = 1;
		return NULL;
	}
	memset(r->buf + at, 0, NLMSG_ALIGN(len));
	r->h->nlmsg_len = (uint32_t)(at + NLMSG_ALIGN(len));
	return r->buf + at;
}

static uint32_t next_seq(void)
{
	static uint32_t seq;
	return ++seq;
}

/* Send r and wait for its ack (or its answer, copied to reply when not NULL). */
static int talk(int rt, struct req *r, void *reply, size_t reply_size)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	uint32_t seq = next_seq();
	ssize_t n;

	if (r->overflow) {
		errno = EMSGSIZE;
		return -1;
	}
	r->h->nlmsg_seq = seq;
	do
		n = sendto(rt, r->buf, r->h->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	for (;;) {
		struct nlmsghdr *h;
		int len;

		n = recv(rt, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		len = (int)n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
					errno = EPROTO;
					return -1;
				}
				if (e->error) {
					errno = -e->error;
					return -1;
				}
				return 0;
			}
			if (reply) {
				size_t have = h->nlmsg_len < reply_size ? h->nlmsg_len : reply_size;
				memcpy(reply, h, have);
				reply = NULL; /* the ack follows */
			}
		}
	}
}

int rtnl_open(void)
{
	return nl_open(NETLINK_ROUTE);
}

static int name_ok(const char *name)
{
	if (!*name || strlen(name) >= IFNAMSIZ) {
		errno = EINVAL;
		return 0;
	}
	return 1;
}

int rtnl_veth_add(int rt, const char *name, int index, const char *peer_name, int peer_index,
		  int peer_nsfd)
{
	struct req r;
	struct rtattr *linkinfo, *data, *peer;
	struct ifinfomsg *ifi, *pi;
	uint32_t nsfd = (uint32_t)peer_nsfd;

	if (!name_ok(name) || !name_ok(peer_name))
		return -1;
	ifi = req_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi));
	ifi->ifi_index = index;
	attr_str(&r, IFLA_IFNAME, name);
	linkinfo = nest_begin(&r, IFLA_LINKINFO);
	attr_str(&r, IFLA_INFO_KIND, "veth");
	data = nest_begin(&r, IFLA_INFO_DATA);
	peer = nest_begin(&r, VETH_INFO_PEER);
	pi = body_put(&r, sizeof(*pi));
	if (pi) {
		pi->ifi_family = AF_UNSPEC;
		pi->ifi_index = peer_index;
	}
	attr_str(&r, IFLA_IFNAME, peer_name);
	attr_put(&r, IFLA_NET_NS_FD, &nsfd, sizeof(nsfd));
	nest_end(&r, peer);
	nest_end(&r, data);
	nest_end(&r, linkinfo);
	return talk(rt, &r, NULL, 0);
}

/* RTM_GETLINK by name (ifindex 0) or by index. */
static int get_link(int rt, const char *name, int ifindex, struct ifinfomsg *out)
{
	struct req r;
	struct ifinfomsg *ifi;
	struct {
		struct nlmsghdr h;
		struct ifinfomsg ifi;
	} reply;

	ifi = req_init(&r, RTM_GETLINK, 0, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	if (name)
		attr_str(&r, IFLA_IFNAME, name);
	memset(&reply, 0, sizeof(reply));
	if (talk(rt, &r, &reply, sizeof(reply)) < 0)
		return -1;
	if (reply.h.nlmsg_type != RTM_NEWLINK || reply.ifi.ifi_index <= 0) {
		errno = EPROTO;
		return -1;
	}
	*out = reply.ifi;
	return 0;
}

int rtnl_link_index(int rt, const char *name)
{
	struct ifinfomsg ifi;

	if (!name_ok(name) || get_link(rt, name, 0, &ifi) < 0)
		return -1;
	return ifi.ifi_index;
}

int rtnl_link_wait_running(int rt, int ifindex, int timeout_ms)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (int waited = 0;; waited += 10) {
		struct ifinfomsg ifi;
		if (get_link(rt, NULL, ifindex, &ifi) < 0)
			return -1;
		if (ifi.ifi_flags & IFF_RUNNING)
			return 0;
		if (waited >= timeout_ms) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (nanosleep(&tick, NULL) < 0 && errno == EINTR)
			return -1; /* let the caller see its signal */
	}
}

int rtnl_link_up(int rt, int ifindex)
{
	struct req r;
	struct ifinfomsg *ifi = req_init(&r, RTM_NEWLINK, 0, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return talk(rt, &r, NULL, 0);
}

int rtnl_link_set_mac(int rt, int ifindex, const unsigned char mac[6])
{
	struct req r;
	struct ifinfomsg *ifi = req_init(&r, RTM_NEWLINK, 0, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	attr_put(&r, IFLA_ADDRESS, mac, 6);
	return talk(rt, &r, NULL, 0);
}

/* The address length of family, checking that a prefix of prefixlen bits fits it;
 * 0 with errno EAFNOSUPPORT or EINVAL otherwise. */
static size_t addr_len(int family, unsigned prefixlen)
{
	size_t alen = family == AF_INET ? sizeof(struct in_addr)
		    : family == AF_INET6 ? sizeof(struct in6_addr) : 0;

	if (!alen) {
		errno = EAFNOSUPPORT;
		return 0;
	}
	if (prefixlen > alen * 8) {
		errno = EINVAL;
		return 0;
	}
	return alen;
}

int rtnl_addr_add(int rt, int ifindex, int family, const void *addr, unsigned prefixlen)
{
	struct req r;
	struct ifaddrmsg *ifa;
	size_t alen = addr_len(family, prefixlen);
	uint32_t flags = IFA_F_NODAD;

	if (!alen)
		return -1;
	ifa = req_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)prefixlen;
	ifa->ifa_flags = IFA_F_NODAD;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	attr_put(&r, IFA_LOCAL, addr, alen);
	attr_put(&r, IFA_ADDRESS, addr, alen);
	attr_put(&r, IFA_FLAGS, &flags, sizeof(flags));
	return talk(rt, &r, NULL, 0);
}

int rtnl_addr_del(int rt, int ifindex, int family, const void *addr, unsigned prefixlen)
{
	struct req r;
	struct ifaddrmsg *ifa;
	size_t alen = addr_len(family, prefixlen);

	if (!alen)
		return -1;
	ifa = req_init(&r, RTM_DELADDR, 0, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)prefixlen;
	ifa->ifa_index = (uint32_t)ifindex;
	attr_put(&r, IFA_LOCAL, addr, alen);
	attr_put(&r, IFA_ADDRESS, addr, alen);
	return talk(rt, &r, NULL, 0);
}

int rtnl_route_add(int rt, int family, const void *dst, unsigned dstlen, const void *gw)
{
	struct req r;
	struct rtmsg *rtm;
	size_t alen = addr_len(family, dstlen);

	if (!alen)
		return -1;
	rtm = req_init(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = (uint8_t)dstlen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	attr_put(&r, RTA_DST, dst, alen);
	attr_put(&r, RTA_GATEWAY, gw, alen);
	return talk(rt, &r, NULL, 0);
}

int rtnl_neigh_add(int rt, int ifindex, int family, const void *addr, const unsigned char mac[6])
{
	struct req r;
	struct ndmsg *nd;
	size_t alen = addr_len(family, 0);

	if (!alen)
		return -1;
	nd = req_init(&r, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, sizeof(*nd));
	nd->ndm_family = (uint8_t)family;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = NUD_PERMANENT;
	attr_put(&r, NDA_DST, addr, alen);
	attr_put(&r, NDA_LLADDR, mac, 6);
	return talk(rt, &r, NULL, 0);
}

int rtnl_route_is_local(int rt, int family, const void *addr)
{
	struct req r;
	struct rtmsg *rtm;
	size_t alen = addr_len(family, 0);
	struct {
		struct nlmsghdr h;
		struct rtmsg rtm;
	} reply;

	if (!alen)
		return -1;
	rtm = req_init(&r, RTM_GETROUTE, 0, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = (uint8_t)(alen * 8);
	attr_put(&r, RTA_DST, addr, alen);
	memset(&reply, 0, sizeof(reply));
	if (talk(rt, &r, &reply, sizeof(reply)) < 0)
		return errno == ENETUNREACH || errno == EHOSTUNREACH ? 0 : -1;
	if (reply.h.nlmsg_type != RTM_NEWROUTE) {
		errno = EPROTO;
		return -1;
	}
	return reply.rtm.rtm_type == RTN_LOCAL;
}
