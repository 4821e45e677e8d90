/* datadir.c — the shipped data's directory (datadir.h). */
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/datadir.h"
#include "lib/file.h"

static char kb_datadir_path[PATH_MAX];
static pthread_once_t kb_datadir_once = PTHREAD_ONCE_INIT;

static bool kb_datadir_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* <exe>/../share/kbundle/upstreams, when the binary is an installed one. */
static void kb_datadir_find(void)
{
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	snprintf(kb_datadir_path, sizeof(kb_datadir_path), "upstreams");
	if (kb_datadir_is_dir("upstreams"))
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	slash = strrchr(exe, '/');	/* <prefix>/bin/kbundle → <prefix>/bin */
	if (!slash)
		return;
	*slash = '\0';
	slash = strrchr(exe, '/');	/* → <prefix> */
	if (!slash)
		return;
	*slash = '\0';
	if ((size_t)snprintf(kb_datadir_path, sizeof(kb_datadir_path), "%s/share/kbundle/upstreams",
			     exe) >= sizeof(kb_datadir_path) ||
	    !kb_datadir_is_dir(kb_datadir_path))
		snprintf(kb_datadir_path, sizeof(kb_datadir_path), "upstreams");
}

const char *kb_datadir_upstreams(void)
{
	pthread_once(&kb_datadir_once, kb_datadir_find);
	return kb_datadir_path;
}

char *kb_datadir_helper(const char *name)
{
	char exe[PATH_MAX], *p;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	p = kb_xasprintf("%s/%s", exe, name);	/* a build tree: build/kbundle-bpfload */
	if (access(p, X_OK) == 0)
		return p;
	free(p);
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	p = kb_xasprintf("%s/libexec/kbundle/%s", exe, name);
	if (access(p, X_OK) == 0)
		return p;
	free(p);
	return NULL;
}
