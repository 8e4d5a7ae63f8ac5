/* repro-udp-restore's model: the table lab, one captured socket, one restore row.
 *
 * Modules (each has its own section below):
 *   net.c       the lab for the strategy table: three namespaces, two veths, the echo
 *               peer on the peer's lo; whether that peer is still alive
 *   exchange.c  one datagram: out (the peer got it), in (its echo came back) or to
 *               the old address (a witness socket there caught it)
 *   strategy.c  before (connect, exchange, capture) and each restore strategy
 *   report.c    the human table, the JSON document and the verdict
 *   criu.c      --criu: the same question asked of a real CRIU (criu.h)
 * Errors: -1 with errno, T->lab.err says what failed (repro.h); main prints.
 */
#ifndef CRDIAG_UDP_RESTORE_H
#define CRDIAG_UDP_RESTORE_H

#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lab.h"
#include "repro.h"
#include "sockdiag.h"
#include "udpecho.h"

struct json;

#define ECHO_PORT 7
#define WAIT_MS 1000 /* how long a datagram's echo is awaited */

/* One family's addresses. The old source lives in "before"; "after" has a new source
 * in another subnet; the peer's service address sits on its lo, reached through the
 * peer end of each veth. */
struct family_net {
	int family;
	const char *name;
	const char *old_src, *gw_before;   /* before <-> peer link */
	const char *new_src, *gw_after;    /* after <-> peer link */
	unsigned link_plen;
	const char *peer;                  /* the echo service */
	unsigned peer_plen;
	const char *route;                 /* clients route it via their gateway */
	unsigned route_plen;
};

#define N_FAMILIES 2
extern const struct family_net NETS[N_FAMILIES];

enum { NS_BEFORE, NS_AFTER, NS_PEER, NS_COUNT };

enum strategy { ST_BIND_ORIGINAL, ST_SKIP_BIND, ST_CLOSE, ST_FREEBIND, ST_COUNT };
extern const char *const ST_NAME[ST_COUNT];

enum env { ENV_CONTROL, ENV_MOVED, ENV_COUNT };
extern const char *const ENV_NAME[ENV_COUNT];

enum echo_result { IN_NOT_SENT, IN_BACK, IN_OLD_HOST, IN_LOST, IN_ERROR };

/* One system call of a restore: not tried, or its errno (0 = it worked). */
struct step {
	bool tried;
	int err;
};

struct row {
	int fi;                     /* index into NETS */
	enum strategy st;
	enum env env;
	struct step bind, connect, send;
	bool dropped;               /* the close strategy dropped the socket */
	bool have_local;
	struct sockaddr_storage local;  /* after the restore */
	bool peer_got;
	struct sockaddr_storage peer_from;
	enum echo_result in;
	int in_err;                 /* IN_ERROR: what recv() said */
};

struct captured {
	int fi;
	struct sockaddr_storage local, peer;
	uint64_t inode;
	int reuseaddr, broadcast, freebind;
	char bindtodevice[IF_NAMESIZE + 1];
	struct sockdiag_sock diag;  /* by inode */
	int diag_err;
	struct sockdiag_sock diag_addr; /* the kernel's lookup by address */
	int diag_addr_err;
};

/* ---- net.c ---- */

struct tlab {
	struct lab lab;             /* namespaces NS_BEFORE, NS_AFTER, NS_PEER */
	int diag_nl;                /* NETLINK_SOCK_DIAG inside "before" */
	struct udpecho echo;
};

/* stop: set by the program's SIGINT/SIGTERM handler. */
void tlab_init(struct tlab *T, volatile sig_atomic_t *stop);
/* families: bit i for NETS[i]. 0, -1, or REPRO_SKIPPED when namespaces cannot be made
 * (T->lab.err and errno say why). */
int tlab_setup(struct tlab *T, unsigned families);
/* 0; -1 with EINTR when a stop signal came, ECHILD when the echo peer died. */
int tlab_alive(struct tlab *T);
/* Idempotent; keep: leave the namespaces named under /run/netns. */
void tlab_done(struct tlab *T, bool keep);

/* ---- exchange.c ---- */

/* Send one tagged datagram on the connected fd; fill r->send, r->in, r->peer_got,
 * r->peer_from. witness (-1: none) is bound to the old address. 0, or -1. */
int exchange(struct tlab *T, int fd, int witness, struct row *r);

/* ---- strategy.c ---- */

/* The socket before the checkpoint: connect (bind first when explicit_bind), one
 * round trip, its state as a checkpointer sees it. */
int before(struct tlab *T, int fi, bool explicit_bind, struct captured *c);
/* The socket recreated with strategy st in env, one datagram sent. */
int restore(struct tlab *T, const struct captured *c, enum strategy st, enum env env,
	    int witness, struct row *r);
/* The old address, port included, in "before": where misdirected echoes land. */
int open_witness(struct tlab *T, const struct captured *c, int *fd);
/* sock_diag's view matches getsockname/getpeername/fstat. */
bool diag_agrees(const struct captured *c);
bool round_trip(const struct row *r);

/* ---- report.c ---- */

struct verdict {
	enum repro_status status;
	char reason[512];
};

void decide(const struct row *rows, size_t n, const struct captured *caps, unsigned families,
	    struct verdict *v);
void print_report(const struct tlab *T, unsigned families, bool explicit_bind,
		  const struct captured *caps, const struct row *rows, size_t n);
/* The members after "program", "version", "run_id". */
void json_report(struct json *j, const struct tlab *T, unsigned families, bool explicit_bind,
		 bool keep, const struct captured *caps, const struct row *rows, size_t n);
void print_kept(FILE *f, const struct tlab *T);

#endif
