/* sockdiag: INET_DIAG queries over NETLINK_SOCK_DIAG. */
#include "sockdiag.h"
#include "grow.h"
#include "netlink.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

struct request {
	struct nlmsghdr nlh;
	struct inet_diag_req_v2 req;
};

int sockdiag_open(void)
{
	return nl_open(NETLINK_SOCK_DIAG);
}

static void put_addr(int family, const struct sockaddr *sa, __be16 *port, __be32 addr[4])
{
	memset(addr, 0, 16);
	if (family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		*port = in->sin_port;
		memcpy(addr, &in->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		*port = in6->sin6_port;
		memcpy(addr, &in6->sin6_addr, 16);
	}
}

static void get_addr(int family, __be16 port, const __be32 addr[4], struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;
		in->sin_family = AF_INET;
		in->sin_port = port;
		memcpy(&in->sin_addr, addr, 4);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = port;
		memcpy(&in6->sin6_addr, addr, 16);
	}
}

static int send_request(int nl, const struct request *r)
{
	return nl_send(nl, r, sizeof(*r));
}

static int parse_msg(const struct nlmsghdr *h, int protocol, struct sockdiag_sock *s)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	const struct rtattr *a;
	int len;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) ||
	    (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)) {
		errno = EPROTO;
		return -1;
	}
	memset(s, 0, sizeof(*s));
	s->family = m->idiag_family;
	s->protocol = protocol;
	get_addr(s->family, m->id.idiag_sport, m->id.idiag_src, &s->local);
	get_addr(s->family, m->id.idiag_dport, m->id.idiag_dst, &s->peer);
	s->state = m->idiag_state;
	s->ifindex = m->id.idiag_if;
	s->uid = m->idiag_uid;
	s->inode = m->idiag_inode;
	s->cookie = (uint64_t)m->id.idiag_cookie[1] << 32 | m->id.idiag_cookie[0];
	s->rqueue = m->idiag_rqueue;
	s->wqueue = m->idiag_wqueue;

	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
	for (a = (const struct rtattr *)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		const unsigned char *p = RTA_DATA(a);
		size_t plen = RTA_PAYLOAD(a);

		switch (a->rta_type) {
		case INET_DIAG_SOCKOPT:
			if (plen >= sizeof(struct inet_diag_sockopt)) {
				struct inet_diag_sockopt o;
				memcpy(&o, p, sizeof(o));
				s->opt.recverr = o.recverr;
				s->opt.freebind = o.freebind;
				s->opt.mc_loop = o.mc_loop;
				s->opt.transparent = o.transparent;
				s->opt.nodefrag = o.nodefrag;
				s->opt.bind_address_no_port = o.bind_address_no_port;
				s->have |= SOCKDIAG_HAVE_SOCKOPT;
			}
			break;
		case INET_DIAG_SHUTDOWN:
			if (plen >= 1) {
				s->shutdown = p[0];
				s->have |= SOCKDIAG_HAVE_SHUTDOWN;
			}
			break;
		case INET_DIAG_SKV6ONLY:
			if (plen >= 1) {
				s->v6only = p[0] != 0;
				s->have |= SOCKDIAG_HAVE_V6ONLY;
			}
			break;
		case INET_DIAG_MARK:
			if (plen >= 4) {
				memcpy(&s->mark, p, 4);
				s->have |= SOCKDIAG_HAVE_MARK;
			}
			break;
		}
	}
	return 0;
}

static int list_push(struct sockdiag_list *l, const struct sockdiag_sock *s)
{
	if (GROW(l->v, l->cap, l->n) < 0)
		return -1;
	l->v[l->n++] = *s;
	return 0;
}

struct collect {
	int protocol;
	struct sockdiag_list *list; /* every socket here, or */
	struct sockdiag_sock *one;  /* the first answer here */
};

static int collect_one(const struct nlmsghdr *h, void *arg)
{
	struct collect *c = arg;
	struct sockdiag_sock s;

	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return 0;
	if (parse_msg(h, c->protocol, &s) < 0)
		return -1;
	if (!c->list) {
		*c->one = s;
		return 1;
	}
	return list_push(c->list, &s);
}

/* Read replies to seq until NLMSG_DONE (dump) or the first answer (exact lookup).
 * Every parsed socket goes to list, or to one when list is NULL. */
static int receive(int nl, uint32_t seq, int protocol, struct sockdiag_list *list,
		   struct sockdiag_sock *one)
{
	struct collect c = { protocol, list, one };

	return nl_receive(nl, seq, collect_one, &c);
}

static uint32_t next_seq(void)
{
	static uint32_t seq;
	return ++seq;
}

static int dump_family(int nl, int family, int protocol, struct sockdiag_list *out)
{
	struct request r;
	uint32_t seq = next_seq();

	memset(&r, 0, sizeof(r));
	r.nlh.nlmsg_len = sizeof(r);
	r.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	r.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r.nlh.nlmsg_seq = seq;
	r.req.sdiag_family = (uint8_t)family;
	r.req.sdiag_protocol = (uint8_t)protocol;
	r.req.idiag_states = ~0u;
	r.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	r.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (send_request(nl, &r) < 0)
		return -1;
	return receive(nl, seq, protocol, out, NULL);
}

int sockdiag_dump(int nl, int family, int protocol, struct sockdiag_list *out)
{
	if (family == AF_UNSPEC)
		return dump_family(nl, AF_INET, protocol, out) < 0 ? -1
			: dump_family(nl, AF_INET6, protocol, out);
	if (family != AF_INET && family != AF_INET6) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	return dump_family(nl, family, protocol, out);
}

const struct sockdiag_sock *sockdiag_find_inode(const struct sockdiag_list *l, uint64_t inode)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].inode == inode)
			return &l->v[i];
	return NULL;
}

int sockdiag_by_inode(int nl, int family, int protocol, uint64_t inode, struct sockdiag_sock *out)
{
	struct sockdiag_list l = { 0 };
	const struct sockdiag_sock *s;
	int err;

	if (sockdiag_dump(nl, family, protocol, &l) < 0) {
		err = errno;
		sockdiag_list_free(&l);
		errno = err;
		return -1;
	}
	s = sockdiag_find_inode(&l, inode);
	if (s)
		*out = *s;
	sockdiag_list_free(&l);
	if (!s) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

int sockdiag_udp_lookup(int nl, const struct sockaddr *local, const struct sockaddr *peer,
			struct sockdiag_sock *out)
{
	struct request r;
	uint32_t seq = next_seq();
	int family = local->sa_family;

	if ((family != AF_INET && family != AF_INET6) || peer->sa_family != family) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.nlh.nlmsg_len = sizeof(r);
	r.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	r.nlh.nlmsg_flags = NLM_F_REQUEST;
	r.nlh.nlmsg_seq = seq;
	r.req.sdiag_family = (uint8_t)family;
	r.req.sdiag_protocol = IPPROTO_UDP;
	r.req.idiag_states = ~0u;
	/* UDP's exact lookup takes the id the way an arriving datagram sees it: "src" is
	 * the remote end and "dst" the local one (udp_dump_one: swapped for historical
	 * reasons). Replies are in the usual orientation. */
	put_addr(family, peer, &r.req.id.idiag_sport, r.req.id.idiag_src);
	put_addr(family, local, &r.req.id.idiag_dport, r.req.id.idiag_dst);
	r.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	r.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (send_request(nl, &r) < 0)
		return -1;
	return receive(nl, seq, IPPROTO_UDP, NULL, out);
}

void sockdiag_list_free(struct sockdiag_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

const char *sockdiag_state_name(uint8_t state)
{
	static const char *const names[] = {
		[1] = "ESTABLISHED", [2] = "SYN-SENT", [3] = "SYN-RECV", [4] = "FIN-WAIT-1",
		[5] = "FIN-WAIT-2", [6] = "TIME-WAIT", [7] = "CLOSE", [8] = "CLOSE-WAIT",
		[9] = "LAST-ACK", [10] = "LISTEN", [11] = "CLOSING", [12] = "NEW-SYN-RECV",
	};

	if (state < sizeof(names) / sizeof(names[0]) && names[state])
		return names[state];
	return "UNKNOWN";
}
