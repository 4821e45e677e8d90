# The dependency came from the kernel's own package and is loaded.
grep -q '^videodev ' /proc/modules
