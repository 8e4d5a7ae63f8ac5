/* podreport: repro-chromium's report, as text and as JSON. Everything the browser
 * controls (comm, --type, socket holders' names, DNS names, crdiag check's quoted
 * lines) is escaped on the terminal (termsafe.h); JSON escapes by itself. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "chromium.h"
#include "podcriu.h"
#include "sockaddr.h"
#include "termsafe.h"
#include "units.h"

#define SOCKETS_SHOWN 5 /* in the text; JSON has them all */

static const char *type_or_role(const struct podproc *p)
{
	if (p->type[0])
		return p->type;
	if (p->depth == 0)
		return "browser";
	return strncmp(p->comm, "chrome_crashpad", 15) == 0 ? "crashpad-handler" : "-";
}

static void text_tree(const struct run *R)
{
	char b1[96], b2[160];

	printf("processes:   %zu in the pod\n", R->tree.n);
	printf("  %8s %6s  %-22s %s\n", "PID", "NSPID", "COMM", "TYPE");
	for (size_t i = 0; i < R->tree.n; i++) {
		const struct podproc *p = &R->tree.v[i];
		int ind = p->depth < 3 ? p->depth * 2 : 6;
		printf("  %8d %6d  %*s%-*s %s\n", (int)p->pid, (int)p->nspid, ind, "", 22 - ind,
		       ts_str(p->comm, b1, sizeof(b1)), ts_str(type_or_role(p), b2, sizeof(b2)));
	}
}

static void text_cages(const struct run *R)
{
	char h[32], b[160];

	for (size_t i = 0; i < R->tree.n; i++) {
		const struct podproc *p = &R->tree.v[i];
		if (!p->cage)
			continue;
		printf("cage:        PID %d (%s): %" PRIx64 "-%" PRIx64 " ---p %s, pagemap 0x%"
		       PRIx64 " bytes > cap 0x%" PRIx64 ": %" PRIu64 " reads needed\n",
		       (int)p->pid, ts_str(type_or_role(p), b, sizeof(b)), p->cage_start,
		       p->cage_end, units_human(p->cage_end - p->cage_start, h, sizeof(h)),
		       p->cost.pagemap_bytes, R->cap, p->cost.reads);
	}
}

static void text_sockets(const struct run *R)
{
	char e1[64], e2[64], b[160];
	size_t shown = 0;

	printf("sockets:     %zu bound to " PODNET_ADDR ": %zu UDP (%zu connected), %zu TCP\n",
	       R->socks.n, R->socks.udp, R->socks.udp_connected, R->socks.tcp);
	for (size_t i = 0; i < R->socks.n && shown < SOCKETS_SHOWN; i++, shown++) {
		const struct podsock *s = &R->socks.v[i];
		const struct podproc *p = podtree_find(&R->tree, s->pid);
		printf("  %s %s -> %s  PID %d fd %d (%s)\n", s->s.protocol == 17 ? "udp" : "tcp",
		       sa_endpoint_text(&s->s.local, e1, sizeof(e1)), sa_endpoint_text(&s->s.peer, e2, sizeof(e2)),
		       (int)s->pid, s->fd, p ? ts_str(type_or_role(p), b, sizeof(b)) : "?");
	}
	if (R->socks.n > shown)
		printf("  ... and %zu more (--json lists them all)\n", R->socks.n - shown);
	printf("nameserver:  " PODNET_DNS " (in the lab) received %zu quer%s%s%s%s, answered "
	       "none\n", R->dns_queries, R->dns_queries == 1 ? "y" : "ies",
	       R->dns_first[0] ? " (first: " : "", ts_str(R->dns_first, b, sizeof(b)),
	       R->dns_first[0] ? ")" : "");
}

static bool same_class(const struct podfinding *a, const struct podfinding *b)
{
	return a->handled == b->handled && !strcmp(a->id ? a->id : "", b->id ? b->id : "") &&
	       !strcmp(a->severity ? a->severity : "", b->severity ? b->severity : "");
}

/* One line per class of finding (id, severity, handled): how many, the first one's
 * process and CRIU's line. --json has every finding. */
static void text_findings(const struct podcheck *c)
{
	char b1[96], b2[512], b3[64];

	for (size_t i = 0; i < c->n; i++) {
		size_t n = 0;
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = same_class(&c->v[k], &c->v[i]);
		if (seen)
			continue;
		for (size_t k = i; k < c->n; k++)
			n += same_class(&c->v[k], &c->v[i]);
		printf("  %-7s %-22s x%-3zu%s first PID %d (%s): %s\n",
		       c->v[i].severity ? c->v[i].severity : "?", ts_str(c->v[i].id, b1, sizeof(b1)),
		       n, c->v[i].handled ? " handled," : "", (int)c->v[i].pid,
		       ts_str(c->v[i].comm, b3, sizeof(b3)), ts_str(c->v[i].criu_says, b2, sizeof(b2)));
	}
}

static void text_check(const struct run *R)
{
	const struct podcheck *c = &R->check;
	if (!c->available) {
		printf("crdiag check: not available (no crdiag-check next to this program)\n");
		return;
	}
	if (c->error) {
		printf("crdiag check: failed: %s\n", c->error);
		return;
	}
	printf("crdiag check: %zu finding%s for the tree with \"%s\"", c->n, c->n == 1 ? "" : "s",
	       podcriu_options());
	if (c->have_summary)
		printf(": %" PRIu64 " dump, %" PRIu64 " restore, %" PRIu64 " note, %" PRIu64
		       " handled; the dump %s", c->dump, c->restore, c->note, c->handled,
		       c->dump_fails ? "will fail" : "will not fail");
	printf("\n");
	text_findings(c);
}

static void text_pread(const struct run *R)
{
	const struct pm_single *c = &R->pread.s;

	printf("pread:       one pread of PID %d's pagemap for %" PRIx64 "-%" PRIx64 " asked 0x%"
	       PRIx64 ", got 0x%" PRIx64 "%s (%.2f s); CRIU < 4.0 then printed \"pagemap-cache: "
	       "Can't read %d's pagemap file\"\n", (int)R->pread.pid, R->pread.start,
	       R->pread.end, c->asked, c->got,
	       c->got < c->asked && c->got == R->cap ? ": short at MAX_RW_COUNT" : "",
	       R->pread.st.seconds, (int)R->pread.pid);
}

void report_text(const struct run *R)
{
	char b[160];

	printf("chromium:    %s, DevTools says %s\n", R->o->chromium,
	       ts_str(R->browser, b, sizeof(b)));
	printf("pod:         PID %d%s; network " PODNET_ADDR "/24 (a veth to the lab), "
	       "/etc/resolv.conf: nameserver " PODNET_DNS "; profile in %s\n",
	       (int)R->pod.init, R->pod.pidns ? " is PID 1 of its own PID namespace"
	       : " leads a plain process tree (--no-pidns)", R->dir);
	printf("ready:       DevTools on the pod's 127.0.0.1:%d after %.1f s, a renderer's cage "
	       "after %.1f s\n", PODNET_DEVTOOLS_PORT, R->t_devtools, R->t_cage);
	text_tree(R);
	text_cages(R);
	text_sockets(R);
	text_check(R);
	text_pread(R);
	podcriu_text(R);
}

static void json_proc(struct json *j, const struct run *R, const struct podproc *p)
{
	json_obj_begin(j);
	json_ki64(j, "pid", p->pid);
	json_ki64(j, "nspid", p->nspid);
	json_ki64(j, "ppid", p->ppid);
	json_kstr(j, "comm", p->comm);
	json_kstr(j, "type", type_or_role(p));
	json_key(j, "cage");
	if (p->cage) {
		json_obj_begin(j);
		json_khex(j, "start", p->cage_start);
		json_khex(j, "end", p->cage_end);
		json_ku64(j, "size", p->cage_end - p->cage_start);
		json_ku64(j, "pagemap_bytes", p->cost.pagemap_bytes);
		json_ku64(j, "max_rw_count", R->cap);
		json_ku64(j, "reads_needed", p->cost.reads);
		json_obj_end(j);
	} else {
		json_null(j);
	}
	json_obj_end(j);
}

static void json_sockets(struct json *j, const struct run *R)
{
	char e[64];

	json_key(j, "sockets");
	json_obj_begin(j);
	json_kstr(j, "address", PODNET_ADDR);
	json_ku64(j, "udp", R->socks.udp);
	json_ku64(j, "udp_connected", R->socks.udp_connected);
	json_ku64(j, "tcp", R->socks.tcp);
	json_key(j, "list");
	json_arr_begin(j);
	for (size_t i = 0; i < R->socks.n; i++) {
		const struct podsock *s = &R->socks.v[i];
		json_obj_begin(j);
		json_kstr(j, "protocol", s->s.protocol == 17 ? "udp" : "tcp");
		json_kstr(j, "local", sa_endpoint_text(&s->s.local, e, sizeof(e)));
		json_kstr(j, "peer", sa_endpoint_text(&s->s.peer, e, sizeof(e)));
		json_ku64(j, "inode", s->s.inode);
		json_ki64(j, "pid", s->pid);
		json_ki64(j, "fd", s->fd);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
	json_key(j, "nameserver");
	json_obj_begin(j);
	json_kstr(j, "address", PODNET_DNS);
	json_ku64(j, "queries", R->dns_queries);
	json_kstr(j, "first_query", R->dns_first[0] ? R->dns_first : NULL);
	json_obj_end(j);
}

static void json_check(struct json *j, const struct podcheck *c)
{
	json_key(j, "crdiag_check");
	json_obj_begin(j);
	json_kbool(j, "available", c->available);
	json_kstr(j, "error", c->error);
	json_key(j, "exit_code");
	if (c->ran)
		json_i64(j, c->status);
	else
		json_null(j);
	json_kstr(j, "options", podcriu_options());
	json_kbool(j, "dump_fails", c->dump_fails);
	json_key(j, "findings");
	json_arr_begin(j);
	for (size_t i = 0; i < c->n; i++) {
		json_obj_begin(j);
		json_kstr(j, "id", c->v[i].id);
		json_kstr(j, "severity", c->v[i].severity);
		json_kbool(j, "handled", c->v[i].handled);
		json_ki64(j, "pid", c->v[i].pid);
		json_kstr(j, "comm", c->v[i].comm);
		json_kstr(j, "criu_says", c->v[i].criu_says);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

static void json_pread(struct json *j, const struct run *R)
{
	const struct pm_single *c = &R->pread.s;

	json_key(j, "pread");
	json_obj_begin(j);
	json_ki64(j, "pid", R->pread.pid);
	json_khex(j, "start", R->pread.start);
	json_khex(j, "end", R->pread.end);
	json_ku64(j, "asked", c->asked);
	json_ku64(j, "got", c->got);
	json_kbool(j, "short_at_cap", c->got < c->asked && c->got == R->cap);
	json_kstr(j, "read_errno", c->read_errno ? strerrorname_np(c->read_errno) : NULL);
	json_kdouble(j, "seconds", R->pread.st.seconds);
	json_obj_end(j);
}

void report_json(const struct run *R)
{
	struct json j;

	json_init(&j, stdout, true);
	json_obj_begin(&j);
	json_kstr(&j, "chromium", R->o->chromium);
	json_kstr(&j, "browser", R->browser);
	json_key(&j, "pod");
	json_obj_begin(&j);
	json_ki64(&j, "init", R->pod.init);
	json_kbool(&j, "pidns", R->pod.pidns);
	json_kstr(&j, "address", PODNET_ADDR);
	json_kstr(&j, "nameserver", PODNET_DNS);
	json_kdouble(&j, "devtools_seconds", R->t_devtools);
	json_kdouble(&j, "cage_seconds", R->t_cage);
	json_obj_end(&j);
	json_ku64(&j, "max_rw_count", R->cap);
	json_key(&j, "processes");
	json_arr_begin(&j);
	for (size_t i = 0; i < R->tree.n; i++)
		json_proc(&j, R, &R->tree.v[i]);
	json_arr_end(&j);
	json_sockets(&j, R);
	json_check(&j, &R->check);
	json_pread(&j, R);
	podcriu_json(&j, R);
	repro_json_verdict(&j, R->status, R->why);
	json_obj_end(&j);
	json_finish(&j);
}
