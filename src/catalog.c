/* catalog: the CRIU failure classes. Messages are CRIU's own (criu/ and compel/ sources,
 * 3.17 to 4.2), checked against the real logs in bats/fixtures/criu-logs/. */
#include "catalog.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

static const struct catalog_class classes[] = {
	/* Tree shape */
	{ "not-session-leader", CATALOG_DUMP,
	  { "*The root process * is not a session leader*", NULL }, NULL, NULL, NULL,
	  "The root process <pid> is not a session leader. Consider using --shell-job option",
	  "the root's session leader (<peer>) is outside the tree: CRIU cannot recreate the "
	  "session without taking the restoring shell's",
	  "--shell-job", "start the application with setsid so it leads its own session" },
	{ "pidns-init-not-session-leader", CATALOG_DUMP,
	  { "*A session leader of * is outside of its pid namespace*", NULL }, NULL, NULL, NULL,
	  "A session leader of <pid>(<vpid>) is outside of its pid namespace",
	  "the root is in a session that began outside its PID namespace (a namespace's init "
	  "that is not a session leader, or a process started in one without setsid)",
	  "", "start the root as a session leader: setsid CMD (a namespace's init: unshare --pid "
	  "--fork setsid CMD)" },
	{ "tree-outsider", CATALOG_NOTE, { NULL }, NULL, NULL, NULL, "",
	  "<peer> is outside the dumped tree but shares <what> with it: CRIU does not dump it, "
	  "and what it shares breaks the dump or is lost on restore",
	  "", "<instead>" },
	/* Unix sockets */
	{ "unix-external-peer", CATALOG_DUMP,
	  { "*External socket is used. Consider using --ext-unix-sk*", NULL }, NULL, NULL, NULL,
	  "External socket is used. Consider using --ext-unix-sk option.",
	  "the peer of unix socket <inode> is held by <peer>, outside the tree",
	  "--ext-unix-sk", "or else dump <peer> with the tree" },
	{ "unix-stream-external-peer", CATALOG_DUMP,
	  { "*Can't dump half of stream unix connection*", NULL }, NULL, NULL, NULL,
	  "Can't dump half of stream unix connection. name: <name>; peer name: <peer_name>",
	  "the peer of stream/seqpacket unix socket <inode> is held by <peer>, outside the "
	  "tree; --ext-unix-sk covers only datagram sockets",
	  "--external unix[<inode>]",
	  "restore with --inherit-fd fd[N]:socket:[<inode>] (a socket you pass in); or else "
	  "dump <peer> with the tree" },
	{ "unix-dgram-nameless-peer", CATALOG_DUMP,
	  { "*Can't dump name-less external socket*", NULL }, NULL, NULL, NULL,
	  "Can't dump name-less external socket.",
	  "datagram unix socket <inode> is connected to an unnamed socket held by <peer>, "
	  "outside the tree",
	  "--external unix[<inode>]", "or else dump <peer> with the tree" },
	{ "unix-scm-no-sender", CATALOG_RESTORE, { "*Can't find sender for *", NULL }, NULL,
	  NULL, "4.0", "Can't find sender for 0xN",
	  "unix socket <inode> holds <n> fd(s) in flight in its queue (SCM_RIGHTS) and no "
	  "peer in the tree (its sender closed, or clients send to it by name): CRIU < 4.0 "
	  "dumps them, but its restore sends them again only from the socket's peer",
	  "", "use CRIU >= 4.0 (it finds the sender, or makes a stand-in), or let the "
	  "application receive them before the dump" },
	{ "unix-scm-in-flight", CATALOG_NOTE, { NULL }, NULL, NULL, NULL, "",
	  "unix socket <inode> holds <n> fd(s) in flight in its queue (SCM_RIGHTS): CRIU "
	  "dumps those files with the queue and sends them again on restore",
	  "", "" },
	/* Inet sockets */
	{ "tcp-established", CATALOG_DUMP,
	  { "*Connected TCP socket, consider using --tcp-established*", NULL }, NULL, NULL, NULL,
	  "Connected TCP socket, consider using --tcp-established option.",
	  "TCP socket <inode> (<addr>) is connected: CRIU dumps it only with its TCP repair mode",
	  "--tcp-established", "pass --tcp-established to the restore too" },
	{ "tcp-in-flight", CATALOG_DUMP, { "*In-flight connection (l) for *", NULL }, NULL,
	  NULL, NULL, "In-flight connection (l) for <inode_hex>",
	  "listening TCP socket <inode> (<addr>) has connections not yet accepted",
	  "--skip-in-flight", "" },
	{ "tcp-state-unknown", CATALOG_DUMP, { "*Unknown inet socket * state *", NULL }, NULL,
	  NULL, NULL, "Unknown inet socket <inode_hex> state <state>",
	  "TCP socket <inode> is in a state CRIU does not dump", "",
	  "let the connection finish or close before the dump" },
	{ "inet-proto-unsupported", CATALOG_DUMP, { "*Unsupported proto * for socket *", NULL },
	  NULL, NULL, NULL, "Unsupported proto <proto> for socket <inode_hex>",
	  "socket <inode> uses a protocol CRIU does not dump (MPTCP, SCTP, ...)", "",
	  "use plain TCP (for Go programs: GODEBUG=multipathtcp=0)" },
	{ "network-lock-iptables", CATALOG_DUMP, { "*Iptables configuration failed*", NULL },
	  "*exited, status=127*", NULL, NULL, "Iptables configuration failed",
	  "with --tcp-established CRIU locks the network with iptables-restore, which <how>",
	  "<lock>", "install iptables, or lock the network yourself and pass --network-lock skip" },
	{ "bind-eaddrnotavail", CATALOG_RESTORE,
	  { "*Can't bind inet socket*Cannot assign requested address*", NULL }, NULL, NULL, NULL,
	  "Can't bind inet socket (id N): Cannot assign requested address",
	  "on restore CRIU binds IPv4 socket <inode> to its old local address <addr> again; "
	  "where that address is gone the whole restore fails",
	  "", "restore where <addr> exists (the same address in the new namespace), or have the "
	  "application not bind a specific source address" },
	{ "ipv6-freebind", CATALOG_NOTE, { NULL }, NULL, NULL, NULL, "",
	  "IPv6 socket <inode> is bound to <addr>: CRIU restores it with IP_FREEBIND even where "
	  "the address is gone, and its traffic then goes wrong instead of the restore failing",
	  "", "restore where <addr> exists" },
	{ "raw-socket", CATALOG_NOTE, { NULL }, NULL, NULL, NULL, "",
	  "<kind> socket <inode>: CRIU dumps it, but its restore needs CAP_NET_RAW and the same "
	  "interfaces", "", "" },
	/* Memory */
	{ "short-read-bug", CATALOG_DUMP, { "pagemap-cache: Can't read *'s pagemap file*", NULL },
	  NULL, NULL, "4.0", "pagemap-cache: Can't read <pid>'s pagemap file",
	  "the pagemap of VMA <addr> is <size> bytes, over MAX_RW_COUNT: CRIU < 4.0 takes the "
	  "short read for an error (and prints a stale errno)",
	  "", "use CRIU >= 4.0 (it loops on short reads; PAGEMAP_SCAN on Linux 6.7+)" },
	{ "giant-vma", CATALOG_NOTE, { NULL }, NULL, "4.0", NULL, "",
	  "the pagemap of VMA <addr> is <size> bytes, over MAX_RW_COUNT: CRIU >= 4.0 reads it "
	  "in pieces (CRIU < 4.0 failed on it: short-read-bug)", "", "" },
	/* Files */
	{ "ghost-limit", CATALOG_DUMP,
	  { "*Can't dump ghost file * of * size, increase limit*", NULL }, NULL, NULL, NULL,
	  "Can't dump ghost file <path> of <size> size, increase limit",
	  "<path> is unlinked but still open or mapped: CRIU copies it into the image only up "
	  "to --ghost-limit (1 MiB by default)",
	  "--ghost-limit <limit>", "" },
	{ "file-bad-size", CATALOG_RESTORE, { "*File * has bad size * (expect *)*", NULL }, NULL,
	  NULL, NULL, "File <path> has bad size N (expect <size>)",
	  "<path> is open for writing: a restore checks its size, and it changes if the tree "
	  "runs on after a --leave-running dump",
	  "", "dump without --leave-running, or keep the file unchanged until the restore" },
	{ "mount-outside", CATALOG_DUMP, { "*Can't lookup mount=* for fd=* path=*", NULL }, NULL,
	  NULL, NULL, "Can't lookup mount=<mnt> for fd=<fd> path=<path>",
	  "fd <fd> is on mount <mnt>, which the tree's mount namespace does not have (inherited "
	  "from outside it)",
	  "--external file[<mnt_hex>:<ino_hex>]",
	  "close the fd before the dump; restore with --inherit-fd; check the target with "
	  "restore-check" },
	{ "mount-unreachable-sharing", CATALOG_DUMP, { "*Mount * has unreachable sharing*", NULL },
	  NULL, NULL, NULL, "Mount <mnt> has unreachable sharing. Try --enable-external-masters.",
	  "a mount's master is outside the dumped mount namespaces (e.g. CRIU run from "
	  "ip netns exec, which adds a mount namespace)",
	  "--enable-external-masters", "enter only the network namespace (nsenter --net)" },
	{ "file-locks", CATALOG_DUMP, { "*Some file locks are hold by dumping tasks!*", NULL },
	  NULL, NULL, NULL,
	  "Some file locks are hold by dumping tasks! You can try --file-locks to dump them.",
	  "fd <fd> holds a file lock (<lock>)", "--file-locks", "pass --file-locks to the restore too" },
	/* File descriptors CRIU cannot dump */
	{ "io-uring", CATALOG_DUMP, { "*Can't retrieve FDs from socket*", NULL },
	  "*send_fds failed (-22)*", NULL, NULL, "Can't retrieve FDs from socket",
	  "fd <fd> is an io_uring instance: the kernel refuses to pass it over SCM_RIGHTS "
	  "(the parasite's send_fds failed (-22), one line above)",
	  "", "close the ring before the dump (no option gets past it)" },
	{ "fd-unsupported", CATALOG_DUMP,
	  { "*Can't dump file * of that type *",
	    "*CRIU does not currently support dumping BPF map type*", NULL }, NULL, NULL, NULL,
	  "Can't dump file <fd> of that type [<mode>] (anon <link>)",
	  "fd <fd> is <link>, a file CRIU cannot dump",
	  "", "close it before the dump (no option gets past it)" },
	/* Ptrace */
	{ "ptraced", CATALOG_DUMP, { "*Unseizable non-zombie * found*", NULL }, NULL, NULL, NULL,
	  "Unseizable non-zombie <tid> found, state t, err -1/10",
	  "thread <tid> is already traced by <peer>: a task has one tracer, so CRIU cannot "
	  "seize it", "", "detach the tracer (<peer>) before the dump" },
	{ NULL },
};

const struct catalog_class *catalog_at(size_t i)
{
	return i < sizeof(classes) / sizeof(classes[0]) ? (classes[i].id ? &classes[i] : NULL)
							: NULL;
}

const struct catalog_class *catalog_get(const char *id)
{
	const struct catalog_class *c;

	for (size_t i = 0; (c = catalog_at(i)); i++)
		if (strcmp(c->id, id) == 0)
			return c;
	return NULL;
}

const struct catalog_class *catalog_match(const char *msg)
{
	const struct catalog_class *c;

	for (size_t i = 0; (c = catalog_at(i)); i++)
		for (const char *const *p = c->patterns; *p; p++)
			if (fnmatch(*p, msg, FNM_NOESCAPE) == 0)
				return c;
	return NULL;
}

bool catalog_cause_match(const struct catalog_class *c, const char *line)
{
	return c->cause && fnmatch(c->cause, line, FNM_NOESCAPE) == 0;
}

/* The next dotted part of *s; 0 past the end or at anything not a digit ("4.2-rc1"). */
static unsigned long version_part(const char **s)
{
	unsigned long v;
	char *e;

	if (**s < '0' || **s > '9')
		return 0;
	v = strtoul(*s, &e, 10);
	*s = *e == '.' ? e + 1 : "";
	return v;
}

int catalog_version_cmp(const char *a, const char *b)
{
	for (int i = 0; i < 4; i++) {
		unsigned long x = version_part(&a), y = version_part(&b);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

bool catalog_applies(const struct catalog_class *c, const char *version)
{
	const char *v = version ? version : CATALOG_NEWEST_CRIU;

	if (c->since && catalog_version_cmp(v, c->since) < 0)
		return false;
	return !(c->until && catalog_version_cmp(v, c->until) >= 0);
}

const char *catalog_stage_name(enum catalog_stage s)
{
	switch (s) {
	case CATALOG_DUMP: return "dump";
	case CATALOG_RESTORE: return "restore";
	default: return "note";
	}
}

static const char *lookup(const struct catalog_var *vars, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (vars[i].value && strlen(vars[i].name) == len && memcmp(vars[i].name, name, len) == 0)
			return vars[i].value;
	return NULL;
}

char *catalog_fill(const char *tmpl, const struct catalog_var *vars, size_t nvars)
{
	size_t cap = 64, len = 0;
	char *out = malloc(cap);
	const char *p = tmpl ? tmpl : "";

	if (!out)
		return NULL;
	while (*p) {
		const char *close = *p == '<' ? strchr(p + 1, '>') : NULL;
		const char *val = close ? lookup(vars, nvars, p + 1, (size_t)(close - p - 1)) : NULL;
		const char *piece = val ? val : p;
		size_t n = val ? strlen(val) : 1;

		if (len + n + 1 > cap) {
			char *nb;
			while (len + n + 1 > cap)
				cap *= 2;
			if (!(nb = realloc(out, cap))) {
				free(out);
				errno = ENOMEM;
				return NULL;
			}
			out = nb;
		}
		memcpy(out + len, piece, n);
		len += n;
		p = val ? close + 1 : p + 1;
	}
	out[len] = '\0';
	return out;
}
