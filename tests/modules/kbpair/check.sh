# Both modules are loaded, the library first (the user holds a reference).
grep -q '^kbpair_lib .* kbpair_user,' /proc/modules
grep -q '^kbpair_user ' /proc/modules
