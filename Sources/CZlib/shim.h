#ifndef OPTBENCH_CZLIB_SHIM_H
#define OPTBENCH_CZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 and deflateInit2 are macros that pass the library's version and the
   stream's size to the real functions; Swift imports no function-like macros, so these
   inline functions stand in for them. */

static inline int optbench_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

static inline int optbench_deflateInit2(z_streamp stream, int level, int windowBits) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}

#endif
