// CZeroMQ: the libzmq C API as a Swift module (apt `libzmq3-dev` for the header, `libzmq5` at run time).
//
// libzmq is not linked: it is opened with dlopen the first time a ZeroMQ function is called (lazy.c). Only the
// Jupyter kernel talks ZeroMQ; `rigor run` and `rigor serve` never load libzmq and the 13 shared objects it pulls
// in (krb5, gssapi, libsodium, pgm, norm, ...), which were ~3.3 M instructions of every start (docs/performance.md).
#ifndef RIGOR_CZEROMQ_H
#define RIGOR_CZEROMQ_H

#include <zmq.h>

/// NULL once libzmq is loaded and every function Rigor calls was found; otherwise why not. Loads libzmq if it was
/// not yet loaded. While libzmq cannot be loaded, every ZeroMQ function fails with errno `ELIBACC` and
/// `zmq_strerror(ELIBACC)` returns this message.
const char *rigor_zmq_load_error(void);

/// Whether libzmq has been loaded into this process (without loading it).
int rigor_zmq_is_loaded(void);

#endif
