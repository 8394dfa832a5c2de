#ifndef OPTBENCH_CHDF5_SHIM_H
#define OPTBENCH_CHDF5_SHIM_H
#include <hdf5.h>

/* HDF5's property-list, dataspace, type and flag constants are macros that expand to
   casts or to global ids behind H5open(); Swift imports neither, so these inline
   functions hand them over. */

static inline hid_t optbench_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t optbench_H5E_DEFAULT(void) { return H5E_DEFAULT; }
static inline hid_t optbench_H5S_ALL(void) { return H5S_ALL; }
static inline hid_t optbench_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }

static inline hid_t optbench_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t optbench_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t optbench_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t optbench_H5T_NATIVE_UINT64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t optbench_H5T_C_S1(void) { return H5T_C_S1; }
static inline size_t optbench_H5T_VARIABLE(void) { return H5T_VARIABLE; }

static inline unsigned optbench_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned optbench_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned optbench_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned optbench_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }

#endif
