/* repro-udp-restore: the socket before the checkpoint, and each way to restore it. */
#include "udp.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sockaddr.h"

const char *const ST_NAME[ST_COUNT] = { "bind-original", "skip-bind", "close", "freebind" };
const char *const ENV_NAME[ENV_COUNT] = { "control", "moved" };

static int set_int(int fd, int level, int opt, int v)
{
	return setsockopt(fd, level, opt, &v, sizeof(v));
}

static int get_int(int fd, int level, int opt, int *v)
{
	socklen_t len = sizeof(*v);

	*v = 0;
	return getsockopt(fd, level, opt, v, &len);
}

static int set_timeout(int fd)
{
	struct timeval tv = { .tv_sec = WAIT_MS / 1000, .tv_usec = (WAIT_MS % 1000) * 1000 };

	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* A UDP socket in namespace ns with the exchange's receive timeout. */
static int udp_socket(struct tlab *T, int ns, int family, const char *who)
{
	int fd = lab_socket(&T->lab, ns, family, SOCK_DGRAM);

	if (fd < 0)
		return repro_err(&T->lab.err, "%s: socket", who);
	if (set_timeout(fd) < 0) {
		repro_err(&T->lab.err, "%s: SO_RCVTIMEO", who);
		close(fd);
		return -1;
	}
	return fd;
}

static int capture(struct tlab *T, int fd, struct captured *c)
{
	struct repro_err *e = &T->lab.err;
	socklen_t len;
	struct stat st;

	len = sizeof(c->local);
	if (getsockname(fd, (struct sockaddr *)&c->local, &len) < 0)
		return repro_err(e, "before: getsockname");
	len = sizeof(c->peer);
	if (getpeername(fd, (struct sockaddr *)&c->peer, &len) < 0)
		return repro_err(e, "before: getpeername");
	if (get_int(fd, SOL_SOCKET, SO_REUSEADDR, &c->reuseaddr) < 0 ||
	    get_int(fd, SOL_SOCKET, SO_BROADCAST, &c->broadcast) < 0 ||
	    get_int(fd, SOL_IP, IP_FREEBIND, &c->freebind) < 0)
		return repro_err(e, "before: getsockopt");
	len = sizeof(c->bindtodevice) - 1;
	memset(c->bindtodevice, 0, sizeof(c->bindtodevice));
	if (getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, c->bindtodevice, &len) < 0)
		return repro_err(e, "before: getsockopt(SO_BINDTODEVICE)");
	if (fstat(fd, &st) < 0)
		return repro_err(e, "before: fstat(socket)");
	c->inode = st.st_ino;

	c->diag_err = sockdiag_by_inode(T->diag_nl, NETS[c->fi].family, IPPROTO_UDP, c->inode,
					&c->diag) < 0 ? errno : 0;
	c->diag_addr_err = sockdiag_udp_lookup(T->diag_nl, (struct sockaddr *)&c->local,
					       (struct sockaddr *)&c->peer, &c->diag_addr) < 0
		? errno : 0;
	return 0;
}

bool diag_agrees(const struct captured *c)
{
	return !c->diag_err && c->diag.inode == c->inode && sa_equal(&c->diag.local, &c->local) &&
	       sa_equal(&c->diag.peer, &c->peer) && !c->diag_addr_err &&
	       c->diag_addr.inode == c->inode;
}

bool round_trip(const struct row *r)
{
	return r->in == IN_BACK;
}

/* Bind (when explicit), connect and one round trip on fd. */
static int connect_and_ping(struct tlab *T, int fd, const struct family_net *n,
			    bool explicit_bind)
{
	struct sockaddr_storage peer, src;
	struct row r = { 0 };

	sa_make(n->old_src, 0, &src);
	if (explicit_bind && bind(fd, (struct sockaddr *)&src, sa_len(&src)) < 0)
		return repro_err(&T->lab.err, "before: bind %s", n->old_src);
	sa_make(n->peer, ECHO_PORT, &peer);
	if (connect(fd, (struct sockaddr *)&peer, sa_len(&peer)) < 0)
		return repro_err(&T->lab.err, "before: connect to %s port %d", n->peer, ECHO_PORT);
	if (exchange(T, fd, -1, &r) < 0)
		return -1;
	if (r.send.err || r.in != IN_BACK) {
		errno = r.send.err ? r.send.err : r.in == IN_ERROR ? r.in_err : ETIMEDOUT;
		return repro_err(&T->lab.err, "before: %s: no echo from the peer: the test "
				 "network does not work", n->name);
	}
	return 0;
}

int before(struct tlab *T, int fi, bool explicit_bind, struct captured *c)
{
	const struct family_net *n = &NETS[fi];
	int fd, ret;

	memset(c, 0, sizeof(*c));
	c->fi = fi;
	fd = udp_socket(T, NS_BEFORE, n->family, "before");
	if (fd < 0)
		return -1;
	ret = connect_and_ping(T, fd, n, explicit_bind);
	if (ret == 0)
		ret = capture(T, fd, c);
	close(fd); /* the checkpointed process is gone */
	return ret;
}

static int apply_options(struct tlab *T, int fd, const struct captured *c)
{
	struct repro_err *e = &T->lab.err;

	if (c->reuseaddr && set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0)
		return repro_err(e, "restore: SO_REUSEADDR");
	if (c->broadcast && set_int(fd, SOL_SOCKET, SO_BROADCAST, 1) < 0)
		return repro_err(e, "restore: SO_BROADCAST");
	if (c->bindtodevice[0] &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, c->bindtodevice,
		       (socklen_t)strlen(c->bindtodevice)) < 0)
		return repro_err(e, "restore: SO_BINDTODEVICE %s", c->bindtodevice);
	if (c->freebind && set_int(fd, SOL_IP, IP_FREEBIND, 1) < 0)
		return repro_err(e, "restore: IP_FREEBIND");
	return 0;
}

static void do_step(struct step *s, int rc)
{
	s->tried = true;
	s->err = rc < 0 ? errno : 0;
}

/* Is the old source address one of this namespace's own? A bind without IP_FREEBIND
 * answers: 0 yes, else its errno (EADDRNOTAVAIL: gone). */
static int probe_local(struct tlab *T, int ns, const struct captured *c, int *err)
{
	struct sockaddr_storage a = c->local;
	int p = lab_socket(&T->lab, ns, a.ss_family, SOCK_DGRAM);

	if (p < 0)
		return repro_err(&T->lab.err, "restore: probe socket");
	sa_set_port(&a, 0);
	*err = bind(p, (struct sockaddr *)&a, sa_len(&a)) < 0 ? errno : 0;
	close(p);
	return 0;
}

/* Where the socket is bound now (after a bind, again after the connect). */
static void note_local(int fd, struct row *r)
{
	socklen_t len = sizeof(r->local);

	r->have_local = getsockname(fd, (struct sockaddr *)&r->local, &len) == 0;
}

/* The close strategy: 1 when the old source is gone and the socket was dropped (its
 * send then tried on the dead descriptor), 0 when it stays, -1 on error. */
static int maybe_drop(struct tlab *T, int ns, int fd, const struct captured *c, struct row *r)
{
	int err = 0;

	if (probe_local(T, ns, c, &err) < 0)
		return -1;
	if (err == EADDRNOTAVAIL) {
		/* dropped on restore: the application's descriptor is no more */
		r->bind.tried = true;
		r->bind.err = err;
		r->dropped = true;
		close(fd);
		r->send.tried = true;
		r->send.err = send(fd, "x", 1, 0) < 0 ? errno : 0;
		return 1;
	}
	if (err) {
		errno = err;
		return repro_err(&T->lab.err, "restore: probe bind of the old source");
	}
	return 0;
}

/* CRIU's bind: IP_FREEBIND for IPv6 only, cleared again after the bind unless the
 * socket had it; the freebind strategy sets it for both and keeps it. 0 (see r->bind)
 * or -1. */
static int bind_original(struct tlab *T, int fd, const struct captured *c, enum strategy st,
			 struct row *r)
{
	bool fb = st == ST_FREEBIND || c->local.ss_family == AF_INET6;

	if (fb && set_int(fd, SOL_IP, IP_FREEBIND, 1) < 0)
		return repro_err(&T->lab.err, "restore: IP_FREEBIND");
	do_step(&r->bind, bind(fd, (const struct sockaddr *)&c->local, sa_len(&c->local)));
	if (r->bind.err)
		return 0;
	note_local(fd, r);
	if (fb && st != ST_FREEBIND && !c->freebind && set_int(fd, SOL_IP, IP_FREEBIND, 0) < 0)
		return repro_err(&T->lab.err, "restore: clear IP_FREEBIND");
	return 0;
}

/* The restore on fd; 1 when fd was dropped (closed), 0, or -1. */
static int restore_on(struct tlab *T, int ns, int fd, const struct captured *c,
		      enum strategy st, int witness, struct row *r)
{
	int d;

	if (apply_options(T, fd, c) < 0)
		return -1;
	if (st == ST_CLOSE && (d = maybe_drop(T, ns, fd, c, r)) != 0)
		return d;
	if (st != ST_SKIP_BIND) {
		if (bind_original(T, fd, c, st, r) < 0)
			return -1;
		if (r->bind.err)
			return 0;
	}
	do_step(&r->connect, connect(fd, (const struct sockaddr *)&c->peer, sa_len(&c->peer)));
	if (r->connect.err)
		return 0;
	note_local(fd, r);
	return exchange(T, fd, witness, r);
}

int restore(struct tlab *T, const struct captured *c, enum strategy st, enum env env,
	    int witness, struct row *r)
{
	int ns = env == ENV_MOVED ? NS_AFTER : NS_BEFORE;
	int fd, ret;

	memset(r, 0, sizeof(*r));
	r->fi = c->fi;
	r->st = st;
	r->env = env;
	fd = udp_socket(T, ns, c->local.ss_family, "restore");
	if (fd < 0)
		return -1;
	ret = restore_on(T, ns, fd, c, st, witness, r);
	if (ret == 0 || ret == 1)
		ret = tlab_alive(T);
	if (!r->dropped)
		close(fd);
	return ret;
}

int open_witness(struct tlab *T, const struct captured *c, int *fd)
{
	*fd = lab_socket(&T->lab, NS_BEFORE, c->local.ss_family, SOCK_DGRAM);
	if (*fd < 0)
		return repro_err(&T->lab.err, "before: witness socket");
	if (bind(*fd, (const struct sockaddr *)&c->local, sa_len(&c->local)) < 0) {
		repro_err(&T->lab.err, "before: bind the witness socket to the old address");
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}
