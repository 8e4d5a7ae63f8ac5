/* unixdiag: UNIX_DIAG dumps over NETLINK_SOCK_DIAG. */
#include "unixdiag.h"
#include "grow.h"
#include "netlink.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct request {
	struct nlmsghdr nlh;
	struct unix_diag_req req;
};

static int push(struct unixdiag_list *l, const struct unixdiag_sock *s)
{
	if (GROW(l->v, l->cap, l->n) < 0)
		return -1;
	l->v[l->n++] = *s;
	return 0;
}

/* UNIX_DIAG_NAME: a path, or an abstract name (a leading NUL, shown as '@'). */
static int set_name(struct unixdiag_sock *s, const unsigned char *p, size_t n)
{
	if (!n)
		return 0;
	if (!(s->name = malloc(n + 1)))
		return -1;
	memcpy(s->name, p, n);
	s->name[n] = '\0';
	if (s->name[0] == '\0')
		s->name[0] = '@';
	return 0;
}

static int set_attr(struct unixdiag_sock *s, const struct rtattr *a)
{
	const unsigned char *p = RTA_DATA(a);
	size_t n = RTA_PAYLOAD(a);

	switch (a->rta_type) {
	case UNIX_DIAG_NAME:
		return s->name ? 0 : set_name(s, p, n);
	case UNIX_DIAG_PEER:
		if (n >= 4)
			memcpy(&s->peer, p, 4);
		return 0;
	case UNIX_DIAG_RQLEN:
		if (n >= sizeof(struct unix_diag_rqlen)) {
			struct unix_diag_rqlen q;
			memcpy(&q, p, sizeof(q));
			s->rqueue = q.udiag_rqueue;
			s->wqueue = q.udiag_wqueue;
		}
		return 0;
	case UNIX_DIAG_ICONS:
		if (s->icons || n < 4)
			return 0;
		if (!(s->icons = malloc(n)))
			return -1;
		memcpy(s->icons, p, n & ~(size_t)3);
		s->nicons = n / 4;
		return 0;
	}
	return 0;
}

static int parse_one(const struct nlmsghdr *h, void *arg)
{
	const struct unix_diag_msg *m = NLMSG_DATA(h);
	struct unixdiag_sock s = { 0 };
	const struct rtattr *a;
	int len, err;

	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return 0;
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) || m->udiag_family != AF_UNIX) {
		errno = EPROTO;
		return -1;
	}
	s.inode = m->udiag_ino;
	s.type = m->udiag_type;
	s.state = m->udiag_state;
	len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
	for (a = (const struct rtattr *)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (set_attr(&s, a) < 0)
			goto fail;
	if (push(arg, &s) == 0)
		return 0;
fail:
	err = errno;
	free(s.name);
	free(s.icons);
	errno = err;
	return -1;
}

static int by_inode(const void *a, const void *b)
{
	uint32_t x = ((const struct unixdiag_sock *)a)->inode, y = ((const struct unixdiag_sock *)b)->inode;

	return x < y ? -1 : x > y;
}

int unixdiag_dump(int nl, struct unixdiag_list *out)
{
	static uint32_t seq;
	struct request r;

	memset(&r, 0, sizeof(r));
	r.nlh.nlmsg_len = sizeof(r);
	r.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	r.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r.nlh.nlmsg_seq = ++seq;
	r.req.sdiag_family = AF_UNIX;
	r.req.udiag_states = ~0u;
	r.req.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_ICONS;
	if (nl_send(nl, &r, sizeof(r)) < 0 || nl_receive(nl, seq, parse_one, out) < 0)
		return -1;
	if (out->n)
		qsort(out->v, out->n, sizeof(out->v[0]), by_inode);
	return 0;
}

const struct unixdiag_sock *unixdiag_find(const struct unixdiag_list *l, uint64_t inode)
{
	struct unixdiag_sock key = { .inode = (uint32_t)inode };

	if (!l->n || inode > UINT32_MAX)
		return NULL;
	return bsearch(&key, l->v, l->n, sizeof(l->v[0]), by_inode);
}

void unixdiag_list_free(struct unixdiag_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].icons);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

const char *unixdiag_type_name(uint8_t type)
{
	switch (type) {
	case SOCK_STREAM: return "stream";
	case SOCK_DGRAM: return "dgram";
	case SOCK_SEQPACKET: return "seqpacket";
	default: return "unknown";
	}
}
