/* datadir.h — where kbundle's shipped data is: ./NAME when the current
 * directory has it (a checkout), else the copy `make install` put beside
 * the binary, <prefix>/share/kbundle/NAME, found from /proc/self/exe so an
 * installed tree works wherever it was unpacked. */
#ifndef KB_LIB_DATADIR_H
#define KB_LIB_DATADIR_H

/* The shipped upstream files: "upstreams", or <prefix>/share/kbundle/upstreams
 * when there is no ./upstreams and that directory exists. Never NULL;
 * the string lives as long as the process. */
const char *kb_datadir_upstreams(void);

/* A helper program kbundle ships (kbundle-bpfload, the guest's BPF
 * loader): beside the running binary (a build tree), else
 * <prefix>/libexec/kbundle/NAME. malloc'd, NULL when neither exists. */
char *kb_datadir_helper(const char *name);

#endif
