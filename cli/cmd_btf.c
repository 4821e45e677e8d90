/* cmd_btf.c — `kbundle btf extract|vmlinux-h|min-core`: a kernel's BTF, its
 * vmlinux.h, and min-core BTF for BPF objects (btf/btf.h, vm/btf_pack.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btf/btf.h"
#include "cli/cli.h"
#include "cli/limits_opt.h"
#include "lib/error.h"
#include "lib/family.h"
#include "lib/file.h"
#include "lib/log.h"
#include "vm/btf_pack.h"
#include "vm/kernel_btf.h"

static void kb_btf_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle btf extract (--kernel FILE | --image PACKAGE [--family F] |\n"
		"                           --dwarf VMLINUX) -o FILE\n"
		"       kbundle btf vmlinux-h (--btf FILE | --kernel FILE | --image PACKAGE) -o DIR\n"
		"       kbundle btf min-core --bpf OBJ... --btf FILE -o FILE\n"
		"       kbundle btf min-core --bpf OBJ... [--manifest FILE] [--upstreams DIR]\n"
		"                            [--workdir DIR] [SELECTORS] [-j N] -o DIR\n"
		"\n"
		"A kernel's BTF is the .BTF section of its vmlinux (CONFIG_DEBUG_INFO_BTF),\n"
		"read from the kernel image as packaged: a bzImage or (compressed) Image is\n"
		"decompressed in process, and libbpf must parse what is found.\n"
		"\n"
		"  extract    the raw BTF, as `bpftool btf dump file` reads it\n"
		"  vmlinux-h  DIR/vmlinux.h (bpftool btf dump ... format c), for CO-RE builds\n"
		"  min-core   the BTF the CO-RE relocations of the objects need (bpftool gen\n"
		"             min_core_btf; a few KB), for one BTF file, or for every selected\n"
		"             manifest entry as DIR/<arch>/<uname>.btf (kernel images fetched\n"
		"             through the package cache, their BTF kept in WORKDIR/cache)\n"
		"\n"
		"  --kernel FILE     a kernel image: vmlinuz, Image, vmlinux\n"
		"  --image PACKAGE   the kernel in this image package (.deb, .rpm)\n"
		"  --family F        the package's family: apt (default) or rpm-md\n"
		"  --dwarf VMLINUX   (extract) a kernel built without BTF: its vmlinux with\n"
		"                    DWARF (Debian's linux-image-*-dbg: usr/lib/debug/boot/\n"
		"                    vmlinux-R), encoded by pahole -J as btfhub does\n"
		"  --btf FILE        a raw BTF file (from extract, or <id>.btf of a store)\n"
		"  --bpf OBJ         a BPF object (clang -target bpf -g); repeatable\n"
		"  -o, --output P    the file or directory to write\n"
		"  --manifest FILE   (min-core) manifest (default manifest.yml)\n"
		"  --upstreams DIR   (min-core) upstream files, for mirrors (default upstreams/)\n"
		"  --workdir DIR     work directory (default .kbundle/)\n"
		KB_CLI_SELECT_HELP
		"  -j, --jobs N      downloads at once (default 2)\n"
		"  -q, --quiet       errors only\n"
		"  -v, --verbose     more detail\n"
		"  -h, --help        this text\n"
		"exit status: 0 ok, 1 failure (a kernel without BTF too), 2 usage error\n");
	kb_cli_limits_usage(f);
}

struct kb_btf_cli {
	struct kb_pack_opts o;
	const char *kernel, *image, *dwarf, *btf, *out;
	enum kb_family family;
	const char **objs;
	size_t nobjs;
};

/* The BTF file the direct forms work on: --btf, or extracted from --kernel
 * or --image into tmp. */
static int kb_btf_cli_source(const struct kb_btf_cli *b, const char *tmp, const char **btf)
{
	*btf = b->btf;
	if (b->btf)
		return 0;
	*btf = tmp;
	return b->kernel ? kb_btf_extract_file(b->kernel, tmp) : kb_vm_image_btf(b->image, b->family, tmp);
}

static int kb_btf_cli_run(struct kb_btf_cli *b, const char *action)
{
	char *tmp = kb_xasprintf("%s.kbundle-btf.%d", b->out, (int)getpid()), *h = NULL;
	const char *btf = NULL;
	struct kb_btf_stats st;
	int err;

	if (!strcmp(action, "extract")) {
		err = b->dwarf	  ? kb_btf_from_dwarf(b->dwarf, b->out)
		      : b->kernel ? kb_btf_extract_file(b->kernel, b->out)
				  : kb_vm_image_btf(b->image, b->family, b->out);
	} else if (!strcmp(action, "vmlinux-h")) {
		err = kb_btf_cli_source(b, tmp, &btf);
		if (!err)
			err = kb_btf_vmlinux_h(btf, b->out, &h);
		if (!err)
			kb_info("%s", h);
	} else if (b->btf) {
		err = kb_btf_min_core(b->btf, b->objs, b->nobjs, b->out);
	} else {
		err = kb_vm_btf_run(&b->o, b->objs, b->nobjs, b->out, &st);
		kb_info("min-core BTF: %zu kernels made, %zu without BTF, %zu failed", st.made,
			st.none, st.failed);
	}
	if (btf == tmp)
		unlink(tmp);
	free(tmp);
	free(h);
	return err;
}

int kb_cmd_btf(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "image", required_argument, NULL, 'i' },
		{ "dwarf", required_argument, NULL, 'd' },
		{ "family", required_argument, NULL, 'f' },
		{ "btf", required_argument, NULL, 'b' },
		{ "bpf", required_argument, NULL, 'B' },
		{ "output", required_argument, NULL, 'o' },
		{ "manifest", required_argument, NULL, 'M' },
		{ "upstreams", required_argument, NULL, 'U' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_btf_cli b = { .o = { .manifest = "manifest.yml", .upstreams = "upstreams" },
				.family = KB_FAMILY_APT };
	struct kb_cli cli;
	const char *action;
	int c, err = KB_EXIT_USAGE;

	b.objs = kb_xcalloc((size_t)argc + 1, sizeof(*b.objs));
	kb_cli_init(&cli, "btf", kb_btf_usage,
		    KB_CLI_WORKDIR | KB_CLI_LIMITS | KB_CLI_JOBS | KB_CLI_SELECT | KB_CLI_OPERANDS);
	cli.jobs = 2;
	cli.sel = &b.o.sel;
	while ((c = kb_cli_next(&cli, argc, argv, longopts, "o:")) >= 0) {
		switch (c) {
		case 'k': b.kernel = optarg; break;
		case 'i': b.image = optarg; break;
		case 'd': b.dwarf = optarg; break;
		case 'b': b.btf = optarg; break;
		case 'B': b.objs[b.nobjs++] = optarg; break;
		case 'o': b.out = optarg; break;
		case 'M': b.o.manifest = optarg; break;
		case 'U': b.o.upstreams = optarg; break;
		case 'f':
			if (kb_family_parse(optarg, &b.family)) {
				err = kb_cli_usage_error(&cli, false, "--family %s: not one of %s",
							 optarg, kb_family_names());
				goto out;
			}
			break;
		}
	}
	if (c == KB_CLI_STOP) {
		err = cli.exit;
		goto out;
	}
	action = optind < argc ? argv[optind++] : "";
	if (optind < argc) {
		err = kb_cli_usage_error(&cli, true, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	b.o.workdir = cli.workdir;
	b.o.jobs = cli.jobs;
	b.o.limits = &cli.limits;
	if (strcmp(action, "extract") && strcmp(action, "vmlinux-h") && strcmp(action, "min-core"))
		err = kb_cli_usage_error(&cli, true, "say extract, vmlinux-h or min-core%s%s",
					 *action ? ", not " : "", action);
	else if (!b.out)
		err = kb_cli_usage_error(&cli, true, "-o is required");
	else if (!strcmp(action, "min-core") && !b.nobjs)
		err = kb_cli_usage_error(&cli, true, "min-core needs --bpf OBJ");
	else if (strcmp(action, "min-core") && !!b.kernel + !!b.image + !!b.btf + !!b.dwarf != 1)
		err = kb_cli_usage_error(&cli, true, "give one of --kernel, --image, %s",
					 strcmp(action, "extract") ? "--btf" : "--dwarf");
	else if (!strcmp(action, "extract") && b.btf)
		err = kb_cli_usage_error(&cli, true, "extract reads --kernel or --image");
	else if (strcmp(action, "extract") && b.dwarf)
		err = kb_cli_usage_error(&cli, true, "--dwarf is for extract");
	else if (!strcmp(action, "min-core") && (b.kernel || b.image))
		err = kb_cli_usage_error(&cli, true, "min-core reads --btf FILE or the manifest");
	else
		err = kb_cli_exit(kb_btf_cli_run(&b, action));
out:
	free(b.objs);
	return err;
}
