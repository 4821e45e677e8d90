/* cmd_key.c — `kbundle key generate -o NAME`: the Ed25519 key pair a
 * publisher signs its store's index with (lib/sign.h). Options and output
 * only. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/error.h"
#include "lib/log.h"
#include "lib/sign.h"

static void kb_key_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle key generate -o NAME [-q|-v]\n"
		"\n"
		"Make an Ed25519 key pair for `kbundle publish --sign-key NAME`: NAME, the\n"
		"private key (PEM, PKCS#8, created mode 0600; never printed), and NAME.pub,\n"
		"the public key (PEM) that readers pass to `kbundle fetch --key` or list in\n"
		"trusted_keys. Existing files are never overwritten. The key id (the first\n"
		"16 hex digits of the sha256 of the raw public key) is printed on stdout.\n"
		"\n"
		"  -o, --output NAME  where the private key goes (NAME.pub beside it)\n"
		"  -q, --quiet        errors only\n"
		"  -v, --verbose      more detail\n"
		"  -h, --help         this text\n"
		"\n"
		"exit status: 0 made, 1 failure, 2 usage error (or NAME exists)\n");
}

int kb_cmd_key(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	char keyid[KB_SIGN_KEYID_LEN + 1];
	const char *out = NULL;
	struct kb_cli cli;
	int c, err;

	kb_cli_init(&cli, "key", kb_key_usage, KB_CLI_OPERANDS);
	while ((c = kb_cli_next(&cli, argc, argv, longopts, "o:")) >= 0)
		if (c == 'o')
			out = optarg;
	if (c == KB_CLI_STOP)
		return cli.exit;
	if (optind + 1 != argc || strcmp(argv[optind], "generate") != 0)
		return kb_cli_usage_error(&cli, true, "the one action is 'generate'");
	if (!out || !*out)
		return kb_cli_usage_error(&cli, true, "-o NAME is required");
	err = kb_key_generate(out, keyid);
	if (!err) {
		printf("%s\n", keyid);
		kb_info("%s: private key (mode 0600), %s.pub: public key, id %s", out, out, keyid);
	}
	return kb_cli_exit(err);
}
