/* features.h — what this build of kbundle supports, for `kbundle --version`. */
#ifndef KB_FEATURES_H
#define KB_FEATURES_H

/* A space-separated list, e.g. "apt libapt-pkg librpm openssl". */
const char *kb_features(void);

#endif
