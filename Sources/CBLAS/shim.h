// CBLAS: the C interface of Debian's OpenBLAS (libopenblas-dev, pkg-config "openblas").
// TensorCore is its only importer; it calls cblas_sgemm for every matrix product.
#include <cblas.h>

// OpenBLAS's DYNAMIC_ARCH kernel selection (driver/others/dynamic.c), exported by Debian's library but not
// declared in cblas.h. Weak, so an OpenBLAS built without DYNAMIC_ARCH links too: the functions are then absent and
// `rigor_openblas_select_kernels_again` reports that it could do nothing.
extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern void gotoblas_dynamic_quit(void) __attribute__((weak));

// Has OpenBLAS choose its kernels again, as it did when it loaded (reading OPENBLAS_CORETYPE if set); returns 0
// when this OpenBLAS cannot (no DYNAMIC_ARCH). Only safe before any BLAS call is running.
static inline int rigor_openblas_select_kernels_again(void) {
    if (!gotoblas_dynamic_init || !gotoblas_dynamic_quit) return 0;
    gotoblas_dynamic_quit();
    gotoblas_dynamic_init();
    return 1;
}
