/* cmd_fetch.c — `kbundle fetch`: the bundle for one kernel from a published
 * index, verified, optionally extracted. Options and output only; the work
 * is kb_fetch_run() in bundles/. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "bundles/fetch.h"
#include "cli/cli.h"
#include "cli/limits_opt.h"
#include "lib/arch.h"
#include "lib/config.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"

static void kb_fetch_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle fetch [--uname RELEASE|--id ID] --from URL|DIR|oci://HOST/REPO\n"
		"                     [--distro NAME]\n"
		"                     [--key FILE.pub]... [--config FILE] [--insecure-no-signature]\n"
		"                     [--arch ARCH] [-o DIR] [--extract DIR|--extract-cache] [--btf]\n"
		"                     [--json [FILE|-]]\n"
		"                     [--max-time SECONDS] [-q|-v]\n"
		"\n"
		"Read the index.json published by `kbundle publish` at URL (http or https),\n"
		"in DIR, or in the registry repository REPO (the artefact tagged 'index')\n"
		"and believe it only when index.json.sig is its signature by a\n"
		"trusted key, it has not expired, and its version is not below the highest\n"
		"this user has seen for that store ($XDG_STATE_HOME/kbundle, or\n"
		"~/.local/state/kbundle). Then pick the bundle for the kernel RELEASE\n"
		"(`uname -r`), download it and its .sha256 into -o DIR, and keep them only\n"
		"when both agree with the signed index. With --extract, unpack it safely (no absolute paths, no '..', no link\n"
		"out of the tree, no devices, size limits) and print the build directory:\n"
		"\n"
		"  make -C \"$(kbundle fetch --uname \"$(uname -r)\" --from URL --key KEY.pub \\\n"
		"            --extract-cache)\" M=$PWD modules\n"
		"\n"
		"  --uname RELEASE   the kernel release to fetch for (default: the running\n"
		"                    kernel's, uname -r, like dkms; unless --id is given);\n"
		"                    when one kernel was packed more than once (a new\n"
		"                    kbuild, a newer packer), the newest packing is taken\n"
		"                    and named\n"
		"  --id ID           the bundle with this id (a prefix will do)\n"
		"  --from URL|DIR|oci://HOST/REPO\n"
		"                    where index.json and the bundles are (default: the\n"
		"                    config file's store; one of them is required)\n"
		"  --key FILE.pub    trust this public key (repeat it while a store moves\n"
		"                    to a new key); added to config.yml's trusted_keys and\n"
		"                    to those of --config FILE\n"
		"  --config FILE     trust the keys of this file's `trusted_keys: [FILE.pub,\n"
		"                    ...]` too (a file in config.yml's format)\n"
		"  --insecure-no-signature  believe an unsigned or badly signed index\n"
		"                    (said on stderr): anyone on the path decides what you\n"
		"                    build against\n"
		"  --distro NAME     only this distro's bundle (when several share RELEASE)\n"
		"  --arch ARCH       architecture (default the host's, %s; x86_64 = amd64)\n"
		"  -o, --output DIR  where the .tgz goes (default .); a verified copy\n"
		"                    already there is not downloaded again\n"
		"  --extract DIR     extract into DIR and print DIR/$(cat BUNDLE_BUILD_DIR):\n"
		"                    a new private (0700) tree renamed into place; DIR may\n"
		"                    be missing, an empty directory of yours, or this\n"
		"                    bundle's earlier extraction (yours, 0700, its stamp\n"
		"                    naming the signed sha256); anything else, or a path\n"
		"                    through a link or directory another user could have\n"
		"                    planted, is refused\n"
		"  --extract-cache   extract into $XDG_CACHE_HOME/kbundle/trees/ID (or\n"
		"                    ~/.cache/kbundle/trees/ID): per user, never a shared\n"
		"                    /tmp\n"
		"  --btf             also the kernel's BTF: DIR/<id>.btf (raw, as `bpftool btf\n"
		"                    dump file` and libbpf's btf_custom_path read it), checked\n"
		"                    against the signed index's btf_sha256; a kernel the index\n"
		"                    lists without BTF fails, saying why\n"
		"  --json [FILE|-]   write the chosen index entry as JSON to FILE, or to\n"
		"                    stdout ('-', or no FILE) instead of the build directory\n"
		"  -q, --quiet       errors only\n"
		"  -v, --verbose     more detail\n"
		"  -h, --help        this text\n"
		"\n"
		"exit status: 0 fetched, 1 failure (no bundle for RELEASE, unreachable,\n"
		"             bad or missing signature, expired or rolled-back index,\n"
		"             checksum mismatch, unsafe archive), 2 usage error, no trusted\n"
		"             key, or several bundles fit (they are listed)\n",
		kb_arch_host());
	kb_cli_limits_usage(f);
}

/* Trust the keys a config file lists (relative names were resolved by
 * lib/config against the file's directory). 0 or -KB_EUSAGE, logged. */
static int kb_fetch_trust_config(struct kb_trust *t, const struct kb_config *c)
{
	for (size_t i = 0; i < c->trusted_keys.n; i++)
		if (kb_trust_add_key(t, c->trusted_keys.v[i]) != 0) {
			kb_error("%s: trusted_keys: %s cannot be used", c->path, c->trusted_keys.v[i]);
			return -KB_EUSAGE;
		}
	return 0;
}

/* --config FILE: another file in config.yml's format, whose trusted_keys
 * are trusted too. It must exist. */
static int kb_fetch_trust_file(struct kb_trust *t, const char *path)
{
	struct kb_config c;
	int err = kb_config_load(path, &c);

	if (err == -ENOENT)
		kb_error("%s: no such file (--config FILE names a file like config.yml)", path);
	else if (!err)
		err = kb_fetch_trust_config(t, &c);
	kb_config_free(&c);
	return err ? -KB_EUSAGE : 0;
}

int kb_cmd_fetch(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "uname", required_argument, NULL, 'U' },
		{ "id", required_argument, NULL, 'I' },
		{ "from", required_argument, NULL, 'F' },
		{ "distro", required_argument, NULL, 'D' },
		{ "arch", required_argument, NULL, 'A' },
		{ "output", required_argument, NULL, 'o' },
		{ "extract", required_argument, NULL, 'X' },
		{ "extract-cache", no_argument, NULL, 'x' },
		{ "key", required_argument, NULL, 'K' },
		{ "config", required_argument, NULL, 'C' },
		{ "insecure-no-signature", no_argument, NULL, 'N' },
		{ "btf", no_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_fetch_opts o = { .outdir = "." };
	struct kb_trust trust;
	const char *config = NULL;
	struct kb_fetch_result r;
	struct kb_cli cli;
	struct utsname host;
	char *text;
	size_t len;
	int c, err;

	kb_trust_init(&trust, NULL);
	o.trust = &trust;
	kb_cli_init(&cli, "fetch", kb_fetch_usage, KB_CLI_LIMITS | KB_CLI_JSON);
	while ((c = kb_cli_next(&cli, argc, argv, longopts, "o:")) >= 0) {
		switch (c) {
		case 'U': o.uname = optarg; break;
		case 'I': o.id = optarg; break;
		case 'F': o.from = optarg; break;
		case 'D': o.distro = optarg; break;
		case 'A': o.arch = optarg; break;
		case 'o': o.outdir = optarg; break;
		case 'X': o.extract = optarg; break;
		case 'x': o.extract_cache = true; break;
		case 'C': config = optarg; break;
		case 'N': trust.insecure = true; break;
		case 'B': o.btf = true; break;
		case 'K':
			if (kb_trust_add_key(&trust, optarg) != 0) {
				err = KB_EXIT_USAGE;
				goto out;
			}
			break;
		}
	}
	if (c == KB_CLI_STOP) {
		err = cli.exit;
		goto out;
	}
	if (o.uname && !*o.uname)
		o.uname = NULL;
	if (o.id && !*o.id)
		o.id = NULL;
	if (!o.from && cli.config->store)
		o.from = cli.config->store;	/* the config file's store */
	if (kb_fetch_trust_config(&trust, cli.config) || (config && kb_fetch_trust_file(&trust, config))) {
		err = KB_EXIT_USAGE;
		goto out;
	}
	if (!o.from || !*o.from) {
		err = kb_cli_usage_error(&cli, false, "--from URL|DIR|oci://HOST/REPO is required; "
					 "see kbundle fetch -h");
		goto out;
	}
	if (!o.uname && !o.id && uname(&host) == 0) {
		o.uname = host.release;	/* the running kernel, like dkms -k */
		kb_info("--uname %s (the running kernel)", o.uname);
	}
	o.limits = &cli.limits;
	err = kb_fetch_run(&o, &r);
	if (!err && cli.json) {
		text = kb_fetch_result_json(&r, &len, &err);
		if (text)
			err = kb_file_write_output(cli.json, text, len);
		if (err)
			kb_error("%s: %s", cli.json, kb_strerror(err));
		free(text);
	}
	/* stdout is the JSON's, when it goes there */
	if (!err && r.build_dir && !(cli.json && !strcmp(cli.json, "-")))
		printf("%s\n", r.build_dir);
	else if (!err && !r.build_dir)
		kb_info("%s: %s for %s", r.path, r.downloaded ? "downloaded" : "kept", r.e.uname);
	kb_fetch_result_free(&r);
	err = kb_cli_exit(err);
out:
	kb_trust_free(&trust);
	return err;
}
