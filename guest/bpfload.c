/* bpfload.c — kbundle-bpfload, the guest's BPF loader: a static program
 * (libbpf.a) that /init runs once per BPF unit. It loads one object,
 * attaches each of its programs where the VM allows (kprobe, tracepoint,
 * raw tracepoint, fentry, lsm through libbpf's own attach; XDP and TC on
 * lo), triggers them (getpid, getppid, UDP packets on lo), reads the
 * object's kb_runs counter (tests/bpf/kb_runs.h) and detaches.
 *
 * It prints vm/result.h's lines without the KBV prefix, which /init adds:
 *   KBS UNIT bpf-load|bpf-attach|bpf-run
 *   KBR UNIT bpf-load pass|fail [VERIFIED_INSNS|-]
 *   KBD UNIT bpf-load <libbpf's and the verifier's log, line by line>
 * Usage: kbundle-bpfload UNIT OBJECT */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#define KB_LOG_MAX (1u << 20)	/* libbpf's messages and the verifier's log */
#define KB_LO 1			/* lo's ifindex */

static const char *unit;
static char logbuf[KB_LOG_MAX];
static size_t loglen;

static int kb_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int n;

	if (level == LIBBPF_DEBUG || loglen + 1 >= sizeof(logbuf))
		return 0;
	n = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen, fmt, ap);
	if (n > 0)
		loglen = loglen + (size_t)n < sizeof(logbuf) ? loglen + (size_t)n : sizeof(logbuf) - 1;
	return n;
}

/* The verifier's reason: the last line of its log before "processed N
 * insns" (or the log's end), the way a BPF author reads it. */
static void kb_verifier_reason(const char *log, char *out, size_t n)
{
	const char *end = strstr(log, "-- END PROG LOAD LOG --"), *p = log, *last = NULL;
	size_t lastn = 0;

	out[0] = '\0';
	if (!strstr(log, "-- BEGIN PROG LOAD LOG --"))
		return;
	p = strstr(log, "-- BEGIN PROG LOAD LOG --");
	p += strcspn(p, "\n");
	while (*p && (!end || p < end)) {
		size_t l;

		p += *p == '\n';
		l = strcspn(p, "\n");
		if (l && strncmp(p, "processed ", 10) && strncmp(p, "-- END", 6) &&
		    strncmp(p, "libbpf:", 7) && (!end || p + l <= end)) {
			last = p;
			lastn = l;
		}
		if (!strncmp(p, "processed ", 10))
			break;
		p += l;
	}
	if (last)
		snprintf(out, n, "%.*s", (int)lastn, last);
}

/* Every line of text as a detail of check c. */
static void kb_detail(const char *c, const char *text)
{
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");

		if (n)
			printf("KBD %s %s %.*s\n", unit, c, (int)n, p);
		p += n + (p[n] == '\n');
	}
}

static void kb_lo_up(void)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0)
		return;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
}

/* What makes every sample run: syscalls and packets on lo. */
static void kb_trigger(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	(void)getpid();
	(void)getppid();
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; s >= 0 && i < 3; i++)
		(void)sendto(s, "kbundle", 7, 0, (struct sockaddr *)&a, sizeof(a));
	if (s >= 0)
		close(s);
	usleep(20000);
}

struct kb_att {
	struct bpf_link *link;
	int xdp;		/* attached to lo with these flags */
	struct bpf_tc_hook hook;
	struct bpf_tc_opts tc;
	int is_tc;
};

static int kb_attach(struct bpf_program *p, struct kb_att *a, char *why, size_t n)
{
	enum bpf_prog_type t = bpf_program__type(p);
	int err;

	if (t == BPF_PROG_TYPE_XDP) {
		err = bpf_xdp_attach(KB_LO, bpf_program__fd(p), XDP_FLAGS_SKB_MODE, NULL);
		if (!err)
			a->xdp = XDP_FLAGS_SKB_MODE;
	} else if (t == BPF_PROG_TYPE_SCHED_CLS) {
		a->hook = (struct bpf_tc_hook){ .sz = sizeof(a->hook), .ifindex = KB_LO,
						.attach_point = BPF_TC_INGRESS };
		err = bpf_tc_hook_create(&a->hook);
		if (err == -EEXIST)
			err = 0;
		a->tc = (struct bpf_tc_opts){ .sz = sizeof(a->tc), .prog_fd = bpf_program__fd(p) };
		if (!err)
			err = bpf_tc_attach(&a->hook, &a->tc);
		a->is_tc = !err;
		if (err)
			snprintf(why, n, "tc on lo's ingress (clsact; sch_ingress and cls_bpf): %s",
				 strerror(-err));
		return err;
	} else {
		a->link = bpf_program__attach(p);
		err = a->link ? 0 : -errno;
	}
	if (err)
		snprintf(why, n, "%s", strerror(-err));
	return err;
}

static void kb_detach(struct kb_att *a)
{
	if (a->link)
		bpf_link__destroy(a->link);
	if (a->xdp)
		bpf_xdp_detach(KB_LO, a->xdp, NULL);
	if (a->is_tc) {
		a->tc.prog_fd = a->tc.prog_id = a->tc.flags = 0;
		bpf_tc_detach(&a->hook, &a->tc);
		bpf_tc_hook_destroy(&a->hook);
	}
}

/* The verifier's processed-instruction count, -1 where the kernel has
 * none (before 5.16). */
static long kb_verified(const struct bpf_program *p)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len) != 0 ||
	    len < offsetof(struct bpf_prog_info, verified_insns) + sizeof(info.verified_insns) ||
	    !info.verified_insns)
		return -1;
	return (long)info.verified_insns;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct rlimit r = { RLIM_INFINITY, RLIM_INFINITY };
	char btf[4096];
	struct bpf_object *obj;
	struct bpf_program *p;
	struct bpf_map *m;
	struct kb_att att[64] = { 0 };
	char why[256];
	size_t na = 0;
	long verified = 0;
	int err, ok = 1;
	__u32 key = 0;
	__u64 runs = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: kbundle-bpfload UNIT OBJECT\n");
		return 2;
	}
	unit = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	setrlimit(RLIMIT_MEMLOCK, &r);	/* kernels before 5.11 charge maps to it */
	libbpf_set_print(kb_print);
	kb_lo_up();

	printf("KBS %s bpf-load\n", unit);
	/* vmtest --min-core: OBJECT's .o becomes .btf beside it */
	snprintf(btf, sizeof(btf), "%.*s.btf", (int)(strlen(argv[2]) - 2), argv[2]);
	if (strlen(argv[2]) > 2 && access(btf, R_OK) == 0) {
		opts.btf_custom_path = btf;
		printf("KBD %s bpf-load CO-RE relocations against the min-core BTF %s, not the "
		       "kernel's\n", unit, btf);
	}
	obj = bpf_object__open_file(argv[2], &opts);
	err = obj ? bpf_object__load(obj) : -errno;
	if (err) {
		char reason[512];

		printf("KBR %s bpf-load fail\n", unit);
		kb_verifier_reason(logbuf, reason, sizeof(reason));
		if (access("/sys/kernel/btf/vmlinux", F_OK) != 0 && strstr(logbuf, "BTF"))
			printf("KBD %s bpf-load no BTF: this kernel exposes no /sys/kernel/btf/vmlinux, "
			       "so the object's CO-RE relocations cannot be resolved\n", unit);
		else if (reason[0])
			printf("KBD %s bpf-load the verifier rejected it: %s\n", unit, reason);
		printf("KBD %s bpf-load %s: %s; libbpf's and the verifier's log:\n", unit, argv[2],
		       strerror(-err));
		kb_detail("bpf-load", logbuf);
		printf("KBR %s bpf-attach skip\nKBR %s bpf-run skip\n", unit, unit);
		return 0;
	}
	bpf_object__for_each_program(p, obj) {
		long v = kb_verified(p);

		if (v < 0)
			printf("KBD %s bpf-load %s: %s, %zu insns; no verified_insns (a kernel before "
			       "5.16 keeps none)\n", unit, bpf_program__name(p),
			       libbpf_bpf_prog_type_str(bpf_program__type(p)), bpf_program__insn_cnt(p));
		else
			printf("KBD %s bpf-load %s: %s, %zu insns, verified_insns %ld\n", unit,
			       bpf_program__name(p), libbpf_bpf_prog_type_str(bpf_program__type(p)),
			       bpf_program__insn_cnt(p), v);
		verified = verified < 0 || v < 0 ? -1 : verified + v;
	}
	if (verified < 0)
		printf("KBR %s bpf-load pass -\n", unit);
	else
		printf("KBR %s bpf-load pass %ld\n", unit, verified);

	printf("KBS %s bpf-attach\n", unit);
	bpf_object__for_each_program(p, obj) {
		if (na == sizeof(att) / sizeof(att[0]))
			break;
		if (kb_attach(p, &att[na], why, sizeof(why)) != 0) {
			ok = 0;
			printf("KBD %s bpf-attach %s: %s\n", unit, bpf_program__name(p), why);
		}
		na++;
	}
	printf("KBR %s bpf-attach %s\n", unit, ok ? "pass" : "fail");
	if (!ok)
		kb_detail("bpf-attach", logbuf);

	printf("KBS %s bpf-run\n", unit);
	m = bpf_object__find_map_by_name(obj, "kb_runs");
	if (!ok) {
		printf("KBR %s bpf-run skip\n", unit);
	} else if (!m) {
		printf("KBR %s bpf-run skip\nKBD %s bpf-run the object keeps no kb_runs counter "
		       "map (tests/bpf/kb_runs.h): nothing says whether it ran\n", unit, unit);
	} else {
		kb_trigger();
		if (bpf_map_lookup_elem(bpf_map__fd(m), &key, &runs) == 0 && runs > 0) {
			printf("KBR %s bpf-run pass %llu\n", unit, (unsigned long long)runs);
		} else {
			printf("KBR %s bpf-run fail\n", unit);
			printf("KBD %s bpf-run attached, but kb_runs[0] is 0 after the trigger (a "
			       "getpid, a getppid and 3 UDP packets to 127.0.0.1)\n", unit);
		}
	}
	for (size_t i = 0; i < na; i++)
		kb_detach(&att[i]);
	bpf_object__close(obj);
	return 0;
}
