// oneDNN (Debian's libdnnl-dev, built on the OpenMP runtime) and the two OpenMP calls
// that set and read its thread count (libgomp, which libdnnl itself links).
#include <oneapi/dnnl/dnnl.h>

void omp_set_num_threads(int count);
int omp_get_max_threads(void);
