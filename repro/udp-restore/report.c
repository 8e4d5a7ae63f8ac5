/* repro-udp-restore: the table, the JSON document and the verdict. */
#include "udp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "sockaddr.h"

static const char *step_word(const struct step *s)
{
	if (!s->tried)
		return "-";
	return s->err ? strerrorname_np(s->err) : "ok";
}

static const char *in_word(const struct row *r)
{
	switch (r->in) {
	case IN_BACK: return "yes";
	case IN_OLD_HOST: return "old-host";
	case IN_LOST: return "no";
	case IN_ERROR: return strerrorname_np(r->in_err);
	default: return "-";
	}
}

static const char *in_json(const struct row *r)
{
	switch (r->in) {
	case IN_BACK: return "back";
	case IN_OLD_HOST: return "old-host";
	case IN_LOST: return "lost";
	case IN_ERROR: return strerrorname_np(r->in_err);
	default: return NULL;
	}
}

static const char *out_word(const struct row *r)
{
	if (r->in == IN_NOT_SENT)
		return "-";
	return r->peer_got ? "yes" : "no";
}

static void print_captured(const struct captured *c)
{
	char l[SA_ENDPOINT_MAX], p[SA_ENDPOINT_MAX], dl[SA_ENDPOINT_MAX], dp[SA_ENDPOINT_MAX];

	printf("captured (%s): %s -> %s, inode %llu\n", NETS[c->fi].name,
	       sa_endpoint_text(&c->local, l, sizeof(l)), sa_endpoint_text(&c->peer, p, sizeof(p)),
	       (unsigned long long)c->inode);
	printf("  getsockopt: SO_REUSEADDR %d, SO_BINDTODEVICE \"%s\", IP_FREEBIND %d, SO_BROADCAST %d\n",
	       c->reuseaddr, c->bindtodevice, c->freebind, c->broadcast);
	if (c->diag_err) {
		printf("  sock_diag: by inode: %s\n", strerror(c->diag_err));
	} else {
		printf("  sock_diag: %s -> %s %s, inode %llu, bound if %u, freebind %s, cookie 0x%llx\n",
		       sa_endpoint_text(&c->diag.local, dl, sizeof(dl)),
		       sa_endpoint_text(&c->diag.peer, dp, sizeof(dp)), sockdiag_state_name(c->diag.state),
		       (unsigned long long)c->diag.inode, c->diag.ifindex,
		       c->diag.have & SOCKDIAG_HAVE_SOCKOPT ? (c->diag.opt.freebind ? "1" : "0") : "?",
		       (unsigned long long)c->diag.cookie);
	}
	printf("  by address: %s; agrees with getsockname/getpeername/fstat: %s\n",
	       c->diag_addr_err ? strerror(c->diag_addr_err)
	       : c->diag_addr.inode == c->inode ? "the same socket" : "another socket",
	       diag_agrees(c) ? "yes" : "no");
}

static void print_table(const struct row *rows, size_t n)
{
	printf("%-6s %-13s %-8s %-13s %-13s %-7s %-4s %-9s %s\n", "FAMILY", "STRATEGY", "ENV",
	       "BIND", "CONNECT", "SEND", "OUT", "IN", "LOCAL");
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		char local[SA_ENDPOINT_MAX] = "-";
		if (r->have_local)
			sa_endpoint_text(&r->local, local, sizeof(local));
		printf("%-6s %-13s %-8s %-13s %-13s %-7s %-4s %-9s %s%s\n", NETS[r->fi].name,
		       ST_NAME[r->st], ENV_NAME[r->env], step_word(&r->bind), step_word(&r->connect),
		       step_word(&r->send), out_word(r), in_word(r), local,
		       r->dropped ? " (dropped)" : "");
	}
	printf("out: the peer got the datagram; in: its echo came back (old-host: it went to "
	       "the old address instead)\n");
}

void print_kept(FILE *f, const struct tlab *T)
{
	fprintf(f, "kept: the namespaces are in `ip netns list`; remove them with:\n");
	for (int i = 0; i < NS_COUNT; i++) {
		char name[80];
		lab_ns_name(&T->lab, i, name, sizeof(name));
		fprintf(f, "  ip netns del %s\n", name);
	}
}

void print_report(const struct tlab *T, unsigned families, bool explicit_bind,
		  const struct captured *caps, const struct row *rows, size_t n)
{
	printf("%s %s: run %s, bind %s\n", repro_prog(), CRDIAG_VERSION, T->lab.run_id,
	       explicit_bind ? "explicit" : "implicit");
	for (int fi = 0; fi < N_FAMILIES; fi++)
		if (families & (1u << fi))
			printf("network (%s): old source %s, moved to %s; peer %s port %d\n",
			       NETS[fi].name, NETS[fi].old_src, NETS[fi].new_src, NETS[fi].peer,
			       ECHO_PORT);
	for (int fi = 0; fi < N_FAMILIES; fi++)
		if (families & (1u << fi))
			print_captured(&caps[fi]);
	putchar('\n');
	print_table(rows, n);
}

static void json_step(struct json *j, const char *key, const struct step *s)
{
	json_kstr(j, key, s->tried ? step_word(s) : NULL);
}

static void json_diag(struct json *j, const struct captured *c)
{
	json_obj_begin(j);
	json_kstr(j, "error", c->diag_err ? strerrorname_np(c->diag_err) : NULL);
	if (!c->diag_err) {
		sa_json(j, "local", &c->diag.local, true);
		sa_json(j, "peer", &c->diag.peer, true);
		json_kstr(j, "state", sockdiag_state_name(c->diag.state));
		json_ku64(j, "inode", c->diag.inode);
		json_ku64(j, "ifindex", c->diag.ifindex);
		json_ku64(j, "uid", c->diag.uid);
		json_khex(j, "cookie", c->diag.cookie);
		json_key(j, "freebind");
		if (c->diag.have & SOCKDIAG_HAVE_SOCKOPT)
			json_bool(j, c->diag.opt.freebind);
		else
			json_null(j);
	}
	json_kstr(j, "by_address_error", c->diag_addr_err ? strerrorname_np(c->diag_addr_err) : NULL);
	json_kbool(j, "by_address_same", !c->diag_addr_err && c->diag_addr.inode == c->inode);
	json_kbool(j, "agrees", diag_agrees(c));
	json_obj_end(j);
}

static void json_captured(struct json *j, const struct captured *c)
{
	json_obj_begin(j);
	json_kstr(j, "family", NETS[c->fi].name);
	sa_json(j, "local", &c->local, true);
	sa_json(j, "peer", &c->peer, true);
	json_ku64(j, "inode", c->inode);
	json_key(j, "sockopt");
	json_obj_begin(j);
	json_ki64(j, "so_reuseaddr", c->reuseaddr);
	json_kstr(j, "so_bindtodevice", c->bindtodevice);
	json_ki64(j, "ip_freebind", c->freebind);
	json_ki64(j, "so_broadcast", c->broadcast);
	json_obj_end(j);
	json_key(j, "sock_diag");
	json_diag(j, c);
	json_obj_end(j);
}

static void json_row(struct json *j, const struct row *r)
{
	char a[SA_ENDPOINT_MAX];

	json_obj_begin(j);
	json_kstr(j, "family", NETS[r->fi].name);
	json_kstr(j, "strategy", ST_NAME[r->st]);
	json_kstr(j, "env", ENV_NAME[r->env]);
	json_step(j, "bind", &r->bind);
	json_step(j, "connect", &r->connect);
	json_step(j, "send", &r->send);
	json_kbool(j, "dropped", r->dropped);
	sa_json(j, "local", &r->local, r->have_local);
	json_key(j, "out");
	if (r->in == IN_NOT_SENT)
		json_null(j);
	else
		json_bool(j, r->peer_got);
	json_kstr(j, "peer_saw_from", r->peer_got ? sa_addr_text(&r->peer_from, a, sizeof(a)) : NULL);
	json_kstr(j, "in", in_json(r));
	json_kbool(j, "round_trip", round_trip(r));
	json_obj_end(j);
}

static void json_network(struct json *j, unsigned families)
{
	struct sockaddr_storage peer;

	json_key(j, "network");
	json_arr_begin(j);
	for (int fi = 0; fi < N_FAMILIES; fi++) {
		if (!(families & (1u << fi)))
			continue;
		json_obj_begin(j);
		json_kstr(j, "family", NETS[fi].name);
		json_kstr(j, "old_source", NETS[fi].old_src);
		json_kstr(j, "new_source", NETS[fi].new_src);
		sa_make(NETS[fi].peer, ECHO_PORT, &peer);
		sa_json(j, "peer", &peer, true);
		json_obj_end(j);
	}
	json_arr_end(j);
}

void json_report(struct json *j, const struct tlab *T, unsigned families, bool explicit_bind,
		 bool keep, const struct captured *caps, const struct row *rows, size_t n)
{
	json_ki64(j, "pid", getpid());
	json_ki64(j, "echo_pid", T->echo.pid);
	json_kstr(j, "bind", explicit_bind ? "explicit" : "implicit");
	json_network(j, families);
	json_key(j, "captured");
	json_arr_begin(j);
	for (int fi = 0; fi < N_FAMILIES; fi++)
		if (families & (1u << fi))
			json_captured(j, &caps[fi]);
	json_arr_end(j);
	json_key(j, "rows");
	json_arr_begin(j);
	for (size_t i = 0; i < n; i++)
		json_row(j, &rows[i]);
	json_arr_end(j);
	json_key(j, "kept");
	if (!keep) {
		json_null(j);
		return;
	}
	json_arr_begin(j);
	for (int i = 0; i < NS_COUNT; i++) {
		char name[80];
		lab_ns_name(&T->lab, i, name, sizeof(name));
		json_str(j, name);
	}
	json_arr_end(j);
}

/* ---- verdict ---- */

static const struct row *find_row(const struct row *rows, size_t n, int fi, enum strategy st,
				  enum env env)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].fi == fi && rows[i].st == st && rows[i].env == env)
			return &rows[i];
	return NULL;
}

static void describe(const struct row *r, char *buf, size_t size)
{
	snprintf(buf, size, "bind %s, connect %s, send %s, in %s", step_word(&r->bind),
		 step_word(&r->connect), step_word(&r->send), in_word(r));
}

/* A control that does not round-trip means the lab is broken: no verdict. */
static bool control_broken(const struct row *rows, size_t n, struct verdict *v)
{
	char d[160];

	for (size_t i = 0; i < n; i++)
		if (rows[i].env == ENV_CONTROL && !round_trip(&rows[i])) {
			describe(&rows[i], d, sizeof(d));
			v->status = REPRO_ERROR;
			snprintf(v->reason, sizeof(v->reason),
				 "control: %s %s did not round-trip where the old address is still there (%s)",
				 NETS[rows[i].fi].name, ST_NAME[rows[i].st], d);
			return true;
		}
	return false;
}

static size_t decide_v4(const struct row *m, const struct captured *c, struct verdict *v)
{
	char d[160], ep[SA_ENDPOINT_MAX];

	sa_endpoint_text(&c->local, ep, sizeof(ep));
	if (m->bind.err == EADDRNOTAVAIL)
		return (size_t)snprintf(v->reason, sizeof(v->reason),
			"IPv4: the restore's bind() of the old source %s fails with EADDRNOTAVAIL where the address is gone, and round-trips where it is still there",
			ep);
	describe(m, d, sizeof(d));
	v->status = REPRO_NOT_REPRODUCED;
	return (size_t)snprintf(v->reason, sizeof(v->reason),
		"IPv4: binding the old source %s where the address is gone did not fail with EADDRNOTAVAIL (%s): this kernel behaves differently",
		ep, d);
}

static void decide_v6(const struct row *m, const struct captured *c, size_t len, bool alone,
		      struct verdict *v)
{
	bool trouble = m->bind.tried && !m->bind.err && !m->connect.err && !round_trip(m);
	char d[160], ep[SA_ENDPOINT_MAX];

	sa_endpoint_text(&c->local, ep, sizeof(ep));
	describe(m, d, sizeof(d));
	if (len && len < sizeof(v->reason))
		len += (size_t)snprintf(v->reason + len, sizeof(v->reason) - len, "; ");
	if (len >= sizeof(v->reason))
		len = sizeof(v->reason) - 1;
	if (trouble)
		snprintf(v->reason + len, sizeof(v->reason) - len,
			 "IPv6: the bind() of %s passes with IP_FREEBIND, but the echo %s",
			 ep, m->in == IN_OLD_HOST ? "goes to the old address" : "never comes back");
	else
		snprintf(v->reason + len, sizeof(v->reason) - len,
			 "IPv6: bind-original where the address is gone: %s", d);
	/* IPv4 carries the verdict when it ran; IPv6 alone has its own */
	if (alone)
		v->status = trouble ? REPRO_REPRODUCED : REPRO_NOT_REPRODUCED;
}

void decide(const struct row *rows, size_t n, const struct captured *caps, unsigned families,
	    struct verdict *v)
{
	size_t len = 0;

	if (control_broken(rows, n, v))
		return;
	v->status = REPRO_REPRODUCED;
	v->reason[0] = '\0';
	if (families & 1)
		len = decide_v4(find_row(rows, n, 0, ST_BIND_ORIGINAL, ENV_MOVED), &caps[0], v);
	if (families & 2)
		decide_v6(find_row(rows, n, 1, ST_BIND_ORIGINAL, ENV_MOVED), &caps[1], len,
			  !(families & 1), v);
}
