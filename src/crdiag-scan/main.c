/* crdiag-scan: the engine's own report. Every VMA of a process with its page counts
 * from one backend and its pagemap cost; or, with --maps, just the parse of a maps file. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cost.h"
#include "elfjson.h"
#include "json.h"
#include "maps.h"
#include "pagemap.h"
#include "pmjson.h"
#include "proc.h"
#include "units.h"
#include "vmajson.h"
#include "scan_elf.h"
#include "termsafe.h"

static const char *prog = "crdiag-scan";

struct opts {
	pid_t pid;
	enum pm_backend backend;
	const char *maps_file;
	int json;
	int probe;
	int elf;
	int stacks;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS] PID\n"
		"       %s --maps FILE [--json]\n"
		"       %s --probe [--json]\n"
		"Count the pages behind every VMA of PID and what reading its pagemap costs.\n\n"
		"  -b, --backend NAME  auto (default), scan (PAGEMAP_SCAN), read (chunked pread),\n"
		"                      single (one pread per VMA, as CRIU < 4.0)\n"
		"  -m, --maps FILE     parse FILE in /proc/PID/maps format; no page scan\n"
		"  -p, --probe         print what the kernel supports and exit\n"
		"  -e, --elf           add the ELF file behind each VMA: build-id, PT_LOAD segment,\n"
		"                      sections (.bss for the anonymous tail), and the modules\n"
		"  -s, --stacks        with --elf: ptrace-attach, unwind every thread, label each\n"
		"                      thread's stack VMA and show its top frames; refused when the\n"
		"                      process already has a tracer (e.g. a running criu dump)\n"
		"  -j, --json          one JSON document on stdout\n"
		"  -h, --help          this help\n"
		"  -V, --version       version\n\n"
		"Exit status: 0 ok, 2 error (bad usage, no such process, permission denied,\n"
		"--stacks on a process that already has a tracer).\n",
		prog, prog, prog);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'b' }, { "maps", required_argument, NULL, 'm' },
		{ "probe", no_argument, NULL, 'p' },        { "json", no_argument, NULL, 'j' },
		{ "elf", no_argument, NULL, 'e' },          { "stacks", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },         { "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c, b;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:m:pjeshV", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if ((b = pm_backend_from_name(optarg)) < 0) {
				fprintf(stderr, "%s: --backend: unknown backend '%s'\n", prog, optarg);
				return -1;
			}
			o->backend = (enum pm_backend)b;
			break;
		case 'm': o->maps_file = optarg; break;
		case 'p': o->probe = 1; break;
		case 'j': o->json = 1; break;
		case 'e': o->elf = 1; break;
		case 's': o->elf = o->stacks = 1; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("%s %s\n", prog, CRDIAG_VERSION); exit(0);
		case ':':
			fprintf(stderr, "%s: option '%s' needs an argument (see --help)\n", prog,
				argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr, "%s: unknown option '%s' (see --help)\n", prog, argv[optind - 1]);
			return -1;
		}
	}
	if ((o->maps_file || o->probe) && o->elf) {
		fprintf(stderr, "%s: --elf and --stacks need a PID\n", prog);
		return -1;
	}
	if (o->maps_file || o->probe) {
		if (optind != argc) {
			fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
			return -1;
		}
		return 0;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "%s: %s\n", prog, optind == argc ? "missing PID" : "too many arguments");
		return -1;
	}
	if (proc_parse_pid(argv[optind], &o->pid) < 0) {
		fprintf(stderr, "%s: invalid PID '%s': must be a positive number\n", prog, argv[optind]);
		return -1;
	}
	return 0;
}

static void json_vma(struct json *j, const struct vma_list *l, size_t i,
		     const struct pm_counts *c, const struct pm_single *sg,
		     const struct pm_stats *st, long ps, const struct elf_snap *es)
{
	const struct vma *v = &l->v[i];
	struct cost cost;

	cost_vma(v, ps, &cost);
	json_obj_begin(j);
	vma_json_members(j, v, &cost, c, st->known, (uint64_t)ps);
	/* the single backend's pread, on top of the one VMA form */
	if (sg) {
		json_ku64(j, "asked", sg->asked);
		json_ku64(j, "got", sg->got);
		json_kstr(j, "read_errno", sg->read_errno ? strerrorname_np(sg->read_errno) : NULL);
	}
	if (es)
		elf_json_vma(j, es, i);
	json_obj_end(j);
}

static int json_report(const struct opts *o, const struct pm_kernel *k,
			const struct vma_list *l, const struct pm_counts *c,
			const struct pm_single *sg, const struct pm_stats *st,
			const struct elf_snap *es)
{
	struct cost_totals t;
	struct json j;

	cost_totals(l, c, k->page_size, &t);
	json_init(&j, stdout, true);
	json_obj_begin(&j);
	if (!o->maps_file) {
		char comm[64] = "";
		proc_comm(o->pid, comm, sizeof(comm)); /* "" when unreadable, as vmainspect */
		json_ki64(&j, "pid", o->pid);
		json_kstr(&j, "comm", comm);
	} else
		json_kstr(&j, "maps_file", o->maps_file);
	pm_json_kernel(&j, k);
	if (c) {
		pm_json_stats(&j, st);
	}
	json_key(&j, "totals");
	json_obj_begin(&j);
	vma_json_totals(&j, &t);
	json_obj_end(&j);
	json_key(&j, "vmas");
	json_arr_begin(&j);
	for (size_t i = 0; i < l->n; i++)
		json_vma(&j, l, i, c ? &c[i] : NULL, sg ? &sg[i] : NULL, st, k->page_size, es);
	json_arr_end(&j);
	if (es)
		elf_json_report(&j, es);
	json_obj_end(&j);
	return json_finish(&j);
}

static void text_report(const struct pm_kernel *k, const struct vma_list *l,
			const struct pm_counts *c, const struct pm_stats *st,
			const struct elf_snap *es)
{
	struct cost_totals t;
	char h1[32], h2[32], h3[32], note[512];

	cost_totals(l, c, k->page_size, &t);
	if (c)
		printf("backend %s: %" PRIu64 " calls, %.3f s\n", pm_backend_name(st->backend),
		       st->calls, st->seconds);
	printf("%-33s %-4s %-11s %10s %9s %8s %12s %5s  %s\n", "range", "perm", "kind", "size",
	       "present", "swapped", "pagemap", "reads", "name");
	for (size_t i = 0; i < l->n; i++) {
		const struct vma *v = &l->v[i];
		struct cost cost;
		cost_vma(v, k->page_size, &cost);
		printf("%016" PRIx64 "-%016" PRIx64 " %-4s %-11s %10s %9" PRIu64 " %8" PRIu64
		       " %12" PRIu64 " %4" PRIu64 "%c  ",
		       v->start, v->end, v->perms, vma_kind_name(v->kind),
		       units_human(vma_size(v), h1, sizeof(h1)), c ? c[i].present : 0,
		       c ? c[i].swapped : 0, cost.pagemap_bytes, cost.reads,
		       cost.over_cap ? '!' : ' ');
		/* the name and the ELF note hold what the process mapped: escaped */
		ts_fputs(v->name, stdout);
		ts_fputs(es ? scan_elf_note(es, i, note, sizeof(note)) : "", stdout);
		putchar('\n');
	}
	printf("%zu VMAs, %s virtual, %s resident, %s pagemap, %zu over the 0x%" PRIx64
	       " read cap\n",
	       t.vmas, units_human(t.virt, h1, sizeof(h1)), units_human(t.resident, h2, sizeof(h2)),
	       units_human(t.pagemap_bytes, h3, sizeof(h3)), t.over_cap,
	       cost_max_rw(k->page_size));
	if (es)
		scan_elf_text(es, stdout);
}

static int probe_report(const struct opts *o, const struct pm_kernel *k)
{
	if (o->json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j);
		pm_json_kernel(&j, k);
		json_obj_end(&j);
		return json_finish(&j) < 0 ? 2 : 0;
	}
	printf("page size %ld, MAX_RW_COUNT 0x%" PRIx64 "\n", k->page_size,
	       cost_max_rw(k->page_size));
	if (k->scan)
		printf("PAGEMAP_SCAN: supported, categories 0x%" PRIx64 "\n", k->scan_categories);
	else
		printf("PAGEMAP_SCAN: not supported (%s)\n", strerrorname_np(k->scan_errno));
	return 0;
}

static int load_maps(const struct opts *o, struct vma_list *l)
{
	size_t line = 0;
	char *buf;
	size_t len;
	int ret;

	if (o->maps_file) {
		if (proc_read_file(o->maps_file, &buf, &len) < 0) {
			fprintf(stderr, "%s: %s: %s\n", prog, o->maps_file, strerror(errno));
			return -1;
		}
		ret = maps_parse(buf, len, l, &line);
		free(buf);
	} else {
		ret = maps_read_pid(o->pid, l, &line);
	}
	if (ret == 0)
		return 0;
	if (errno == EINVAL)
		fprintf(stderr, "%s: %s: line %zu: malformed maps line\n", prog,
			o->maps_file ? o->maps_file : "maps", line);
	else if (errno == ESRCH)
		fprintf(stderr, "%s: PID %d: no such process\n", prog, (int)o->pid);
	else if (errno == EACCES || errno == EPERM)
		fprintf(stderr, "%s: PID %d: %s (reading another user's process needs "
				"CAP_SYS_PTRACE or the same uid)\n", prog, (int)o->pid, strerror(errno));
	else
		fprintf(stderr, "%s: %s: %s\n", prog, o->maps_file ? o->maps_file : "maps",
			strerror(errno));
	return -1;
}

int main(int argc, char **argv)
{
	struct opts o = { .backend = PM_AUTO };
	struct vma_list l = { 0 };
	struct pm_counts *c = NULL;
	struct pm_single *sg = NULL; /* the single backend's preads, one per VMA */
	struct pm_stats st = { 0 };
	struct pm_kernel k;
	struct elf_snap es = { 0 };
	int status = 2, ret = 0;

	if (parse_args(argc, argv, &o) < 0)
		return 2;
	if (pm_probe(&k) < 0) {
		fprintf(stderr, "%s: probing /proc/self/pagemap: %s\n", prog, strerror(errno));
		return 2;
	}
	if (o.probe)
		return probe_report(&o, &k);
	if (load_maps(&o, &l) < 0)
		goto out;
	if (!o.maps_file) {
		if (l.n == 0) {
			fprintf(stderr, "%s: PID %d: no VMAs (%s)\n", prog, (int)o.pid,
				proc_is_kthread(o.pid) == 1 ? "a kernel thread" : "the process exited");
			goto out;
		}
		c = calloc(l.n, sizeof(*c));
		if (c && o.backend == PM_SINGLE && !(sg = calloc(l.n, sizeof(*sg))))
			errno = ENOMEM;
		if (!c || (o.backend == PM_SINGLE && !sg) ||
		    (sg ? pm_scan_single(o.pid, &l, &k, c, sg, &st)
			: pm_scan(o.pid, &l, o.backend, &k, c, &st)) < 0) {
			fprintf(stderr, "%s: PID %d: %s backend: %s\n", prog, (int)o.pid,
				pm_backend_name(o.backend == PM_AUTO ? st.backend : o.backend),
				errno == ESRCH ? "the process exited" : strerror(errno));
			goto out;
		}
	}
	if (o.elf) {
		elf_snap_init(&es, o.pid, &l);
		if (scan_elf_collect(&es, prog, o.stacks) < 0)
			goto out;
	}
	if (o.json)
		ret = json_report(&o, &k, &l, c, sg, &st, o.elf ? &es : NULL);
	else
		text_report(&k, &l, c, &st, o.elf ? &es : NULL);
	if (ret < 0 || fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: writing the report: %s\n", prog, strerror(errno ? errno : EIO));
		goto out;
	}
	status = 0;
out:
	if (o.elf)
		elf_snap_free(&es);
	free(c);
	free(sg);
	vma_list_free(&l);
	return status;
}
