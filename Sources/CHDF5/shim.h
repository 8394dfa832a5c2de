#ifndef OPTBENCH_CHDF5_SHIM_H
#define OPTBENCH_CHDF5_SHIM_H
#include <hdf5.h>
#endif
