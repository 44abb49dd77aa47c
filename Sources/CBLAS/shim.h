// CBLAS: the C interface of Debian's OpenBLAS (libopenblas-dev, pkg-config "openblas").
// TensorCore is its only importer; it calls cblas_sgemm for every matrix product.
#include <cblas.h>
