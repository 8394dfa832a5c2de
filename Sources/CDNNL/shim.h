// oneDNN (Debian's libdnnl-dev, built on the OpenMP runtime) and the OpenMP calls that set
// and read its thread count and run a parallel region on its threads (libgomp, which libdnnl
// itself links; GOMP_parallel is the entry point GCC compiles `#pragma omp parallel` to).
#include <oneapi/dnnl/dnnl.h>

void omp_set_num_threads(int count);
int omp_get_max_threads(void);
int omp_get_thread_num(void);
int omp_get_num_threads(void);
void GOMP_parallel(void (*body)(void *), void *context, unsigned threads, unsigned flags);
