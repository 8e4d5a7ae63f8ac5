/* crdiag-sockets: the inet sockets a process holds, as sock_diag sees them (the view a
 * checkpointer has), with the UDP sockets bound to a source address flagged: on restore
 * CRIU binds that address again, and where it is gone the restore fails. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "proc.h"
#include "procsock.h"
#include "sockaddr.h"
#include "sockdiag.h"
#include "termsafe.h"

static const char *prog = "crdiag-sockets";

struct opts {
	bool json;
	pid_t pid;
};

/* One inet socket of the process: its fd and what sock_diag says about it. */
struct row {
	int fd;
	const struct sockdiag_sock *s;
	bool bound_source;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [--json] PID\n"
		"List the inet (UDP and TCP) sockets PID holds, by fd, with their local and peer\n"
		"addresses as sock_diag reports them, and flag the UDP sockets bound to a source\n"
		"address: CRIU binds that address again on restore, and where it is gone the\n"
		"bind fails with EADDRNOTAVAIL and the whole restore with it.\n\n"
		"  -j, --json      one JSON document on stdout\n"
		"  -h, --help      this help\n"
		"  -V, --version   version\n\n"
		"Reading PID's fds needs PTRACE_MODE_READ (the same uid, or CAP_SYS_PTRACE); a PID\n"
		"in another network namespace needs CAP_SYS_ADMIN to look inside it.\n\n"
		"Exit status: 0 ok, 2 error (bad usage, no such process, permission denied).\n",
		prog);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "jhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o->json = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("%s %s\n", prog, CRDIAG_VERSION); exit(0);
		default:
			fprintf(stderr, "%s: unknown option '%s' (see --help)\n", prog, argv[optind - 1]);
			return -1;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "%s: %s\n", prog,
			optind == argc ? "missing PID (see --help)" : "too many arguments: one PID only");
		return -1;
	}
	if (proc_parse_pid(argv[optind], &o->pid) < 0) {
		fprintf(stderr, "%s: invalid PID '%s': must be a positive number\n", prog,
			argv[optind]);
		return -1;
	}
	return 0;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "ipv4" : "ipv6";
}

static const char *proto_name(int protocol)
{
	return protocol == IPPROTO_UDP ? "udp" : "tcp";
}

/* "192.0.2.2:4000", "[2001:db8::2]:4000"; "-" for the zero address and port (no peer). */
static const char *endpoint(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	return sa_is_unset(ss) ? "-" : sa_endpoint_text(ss, buf, size);
}

static bool has_peer(const struct sockdiag_sock *s)
{
	return !sa_is_unset(&s->peer);
}

/* UDP: connected or not (sock_diag reports TCP_ESTABLISHED for a connected one);
 * TCP: the state's name. */
static const char *state_text(const struct sockdiag_sock *s)
{
	if (s->protocol == IPPROTO_UDP)
		return s->state == 1 ? "connected" : "unconnected";
	return sockdiag_state_name(s->state);
}

static int print_json(const struct opts *o, const char *comm, const struct procsock_list *fds,
		      const struct row *rows, size_t n, size_t bound, bool entered)
{
	struct json j;

	json_init(&j, stdout, true);
	json_obj_begin(&j);
	json_ki64(&j, "pid", o->pid);
	json_kstr(&j, "comm", comm);
	json_ku64(&j, "fds", fds->fds);
	json_ku64(&j, "sockets", fds->n);
	json_kbool(&j, "netns_entered", entered);
	json_key(&j, "inet");
	json_arr_begin(&j);
	for (size_t i = 0; i < n; i++) {
		const struct sockdiag_sock *s = rows[i].s;
		json_obj_begin(&j);
		json_ki64(&j, "fd", rows[i].fd);
		json_ku64(&j, "inode", s->inode);
		json_kstr(&j, "protocol", proto_name(s->protocol));
		json_kstr(&j, "family", family_name(s->family));
		sa_json(&j, "local", &s->local, true);
		sa_json(&j, "peer", &s->peer, has_peer(s));
		json_kstr(&j, "state", state_text(s));
		json_kbool(&j, "bound_source", rows[i].bound_source);
		json_key(&j, "freebind");
		if (s->have & SOCKDIAG_HAVE_SOCKOPT)
			json_bool(&j, s->opt.freebind);
		else
			json_null(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_ku64(&j, "other_sockets", fds->n - n);
	json_ku64(&j, "udp_bound_source", bound);
	json_obj_end(&j);
	return json_finish(&j);
}

static int print_text(const struct opts *o, const char *comm, const struct procsock_list *fds,
		      const struct row *rows, size_t n, size_t bound, bool entered)
{
	char l[80], p[80], esc[256];
	int lw = 5, pw = 4;

	printf("PID %d (%s): %zu fds, %zu sockets, %zu inet, %zu other; "
	       "%zu UDP socket%s bound to a source address%s\n",
	       (int)o->pid, ts_str(comm, esc, sizeof(esc)), fds->fds, fds->n, n, fds->n - n, bound, bound == 1 ? "" : "s",
	       entered ? " (seen from inside its network namespace)" : "");
	for (size_t i = 0; i < n; i++) {
		int a = (int)strlen(endpoint(&rows[i].s->local, l, sizeof(l)));
		int b = (int)strlen(endpoint(&rows[i].s->peer, p, sizeof(p)));
		lw = a > lw ? a : lw;
		pw = b > pw ? b : pw;
	}
	if (n)
		printf("%-5s %-5s %-6s %-*s %-*s %-11s %s\n", "FD", "PROTO", "FAMILY", lw, "LOCAL",
		       pw, "PEER", "STATE", "INODE");
	for (size_t i = 0; i < n; i++) {
		const struct sockdiag_sock *s = rows[i].s;
		printf("%-5d %-5s %-6s %-*s %-*s %-11s %llu%s\n", rows[i].fd, proto_name(s->protocol),
		       family_name(s->family), lw, endpoint(&s->local, l, sizeof(l)), pw,
		       endpoint(&s->peer, p, sizeof(p)), state_text(s),
		       (unsigned long long)s->inode, rows[i].bound_source ? "  ! bound source" : "");
	}
	if (bound)
		printf("! bound source: on restore CRIU binds this address again; where it is gone,\n"
		       "  bind() fails with EADDRNOTAVAIL and the whole restore with it\n");
	return fflush(stdout);
}

/* Every UDP and TCP socket of the namespace, both families. */
static int dump_all(int nl, struct sockdiag_list *all)
{
	static const int protos[] = { IPPROTO_UDP, IPPROTO_TCP };

	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (sockdiag_dump(nl, AF_UNSPEC, protos[i], all) < 0)
			return -1;
	return 0;
}

static int fail_pid(const struct opts *o, const char *raw_comm, const char *what, int err)
{
	char esc[256];
	const char *comm = ts_str(raw_comm, esc, sizeof(esc));

	if (err == ESRCH)
		fprintf(stderr, "%s: PID %d: no such process\n", prog, (int)o->pid);
	else if (err == EACCES || err == EPERM)
		fprintf(stderr, "%s: PID %d (%s): permission denied: %s\n", prog, (int)o->pid, comm,
			what);
	else
		fprintf(stderr, "%s: PID %d (%s): %s\n", prog, (int)o->pid, comm, strerror(err));
	return 2;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct procsock_list fds = { 0 };
	struct sockdiag_list all = { 0 };
	struct row *rows = NULL;
	size_t n = 0, bound = 0;
	char comm[64] = "?";
	int nl, same, status = 2;

	if (parse_args(argc, argv, &o) < 0)
		return 2;
	if (proc_comm(o.pid, comm, sizeof(comm)) < 0 && errno == ESRCH)
		return fail_pid(&o, comm, NULL, ESRCH);
	if (procsock_list(o.pid, &fds) < 0)
		return fail_pid(&o, comm, "reading its fds needs PTRACE_MODE_READ "
					  "(the same uid, or CAP_SYS_PTRACE)", errno);
	same = procsock_same_netns(o.pid);
	if (same < 0) {
		status = fail_pid(&o, comm, "reading its network namespace needs PTRACE_MODE_READ",
				  errno);
		goto out;
	}
	nl = procsock_diag_open(o.pid);
	if (nl < 0) {
		if (!same && errno == EPERM)
			status = fail_pid(&o, comm, "it is in another network namespace: looking "
						    "inside needs CAP_SYS_ADMIN", errno);
		else
			fprintf(stderr, "%s: opening sock_diag: %s\n", prog, strerror(errno));
		goto out;
	}
	if (dump_all(nl, &all) < 0) {
		fprintf(stderr, "%s: sock_diag dump: %s\n", prog, strerror(errno));
		close(nl);
		goto out;
	}
	close(nl);

	rows = calloc(fds.n ? fds.n : 1, sizeof(*rows));
	if (!rows) {
		fprintf(stderr, "%s: %s\n", prog, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < fds.n; i++) {
		const struct sockdiag_sock *s = sockdiag_find_inode(&all, fds.v[i].inode);
		if (!s) /* unix, netlink, packet..., or an inet socket of another namespace */
			continue;
		rows[n] = (struct row){ .fd = fds.v[i].fd, .s = s };
		if (s->protocol == IPPROTO_UDP && !sa_is_any(&s->local)) {
			rows[n].bound_source = true;
			bound++;
		}
		n++;
	}
	if ((o.json ? print_json(&o, comm, &fds, rows, n, bound, !same)
		    : print_text(&o, comm, &fds, rows, n, bound, !same)) != 0) {
		fprintf(stderr, "%s: writing the output: %s\n", prog, strerror(errno));
		goto out;
	}
	status = 0;
out:
	free(rows);
	sockdiag_list_free(&all);
	procsock_list_free(&fds);
	return status;
}
