/* The portable variant: plain C that any compiler vectorises for the base ISA
 * (SSE2 on x86-64, NEON on aarch64). */
#define FW2V_USE_AVX2 0
#define FW2V_USE_AVX512 0
#define FW2V_SUFFIX(name) name##_generic
#include "kernels_impl.h"
