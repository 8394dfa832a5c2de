#ifndef OPTBENCH_CBLAS_SHIM_H
#define OPTBENCH_CBLAS_SHIM_H
#include <cblas.h>

/* LAPACK (Fortran ABI), shipped inside OpenBLAS. Declared here because Debian's
   libopenblas-dev does not install lapacke.h; these are the reference LAPACK
   signatures with hidden string lengths omitted (all char arguments have length 1). */
void ssyevd_(const char *jobz, const char *uplo, const int *n, float *a, const int *lda,
             float *w, float *work, const int *lwork, int *iwork, const int *liwork, int *info);
void sgesdd_(const char *jobz, const int *m, const int *n, float *a, const int *lda, float *s,
             float *u, const int *ldu, float *vt, const int *ldvt, float *work, const int *lwork,
             int *iwork, int *info);
void sgeqrf_(const int *m, const int *n, float *a, const int *lda, float *tau, float *work,
             const int *lwork, int *info);
void sorgqr_(const int *m, const int *n, const int *k, float *a, const int *lda, const float *tau,
             float *work, const int *lwork, int *info);
#endif
