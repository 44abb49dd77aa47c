// The libzmq functions Rigor calls, each forwarding to libzmq.so.5 opened on first use (see CZeroMQ.h).
//
// These definitions carry libzmq's own names and signatures (zmq.h declares them), so the Swift code calls the C
// API as written. libzmq itself is never linked, so nothing else defines these symbols in the process.
#include "CZeroMQ.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define RIGOR_LIBZMQ "libzmq.so.5"

// The functions forwarded as they are: X(return type, name, parameters, arguments, the value returned when libzmq
// cannot be loaded, as libzmq returns on failure; errno is then ELIBACC).
#define RIGOR_ZMQ_FORWARDED(X)                                                                                   \
    X(void *, zmq_ctx_new, (void), (), NULL)                                                                     \
    X(int, zmq_ctx_term, (void *context), (context), -1)                                                         \
    X(void *, zmq_socket, (void *context, int type), (context, type), NULL)                                      \
    X(int, zmq_close, (void *socket), (socket), -1)                                                              \
    X(int, zmq_bind, (void *socket, const char *endpoint), (socket, endpoint), -1)                               \
    X(int, zmq_connect, (void *socket, const char *endpoint), (socket, endpoint), -1)                            \
    X(int, zmq_setsockopt, (void *socket, int option, const void *value, size_t size),                           \
      (socket, option, value, size), -1)                                                                         \
    X(int, zmq_getsockopt, (void *socket, int option, void *value, size_t *size), (socket, option, value, size), \
      -1)                                                                                                        \
    X(int, zmq_send, (void *socket, const void *buffer, size_t length, int flags), (socket, buffer, length, flags), \
      -1)                                                                                                        \
    X(int, zmq_msg_init, (zmq_msg_t * message), (message), -1)                                                   \
    X(int, zmq_msg_recv, (zmq_msg_t * message, void *socket, int flags), (message, socket, flags), -1)           \
    X(int, zmq_msg_close, (zmq_msg_t * message), (message), -1)                                                  \
    X(void *, zmq_msg_data, (zmq_msg_t * message), (message), NULL)                                              \
    X(size_t, zmq_msg_size, (const zmq_msg_t *message), (message), 0)                                            \
    X(int, zmq_msg_more, (const zmq_msg_t *message), (message), 0)                                               \
    X(int, zmq_poll, (zmq_pollitem_t * items, int count, long timeout), (items, count, timeout), -1)            \
    X(int, zmq_curve_keypair, (char *public_key, char *secret_key), (public_key, secret_key), -1)              \
    X(int, zmq_has, (const char *capability), (capability), 0)

// The three with their own definitions below (they must answer without libzmq too).
#define RIGOR_ZMQ_OWN(X)                                     \
    X(int, zmq_errno, (void), (), 0)                         \
    X(const char *, zmq_strerror, (int code), (code), NULL) \
    X(void, zmq_version, (int *major, int *minor, int *patch), (major, minor, patch), )

#define RIGOR_ZMQ_POINTER(type, name, parameters, arguments, failed) static type(*real_##name) parameters;
RIGOR_ZMQ_FORWARDED(RIGOR_ZMQ_POINTER)
RIGOR_ZMQ_OWN(RIGOR_ZMQ_POINTER)

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded;  // set once, atomically, when every function was found
static char load_error[512];

static void load(void) {
    // RTLD_LOCAL: libzmq's symbols stay out of the global scope, so they can never bind to these forwarders.
    void *library = dlopen(RIGOR_LIBZMQ, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(load_error, sizeof load_error,
                 "libzmq could not be loaded (%s); the Jupyter kernel needs it: install it with "
                 "`apt-get install libzmq5` (make deps does)",
                 reason ? reason : RIGOR_LIBZMQ);
        return;
    }
#define RIGOR_ZMQ_RESOLVE(type, name, parameters, arguments, failed)                                          \
    *(void **)(&real_##name) = dlsym(library, #name);                                                         \
    if (real_##name == NULL) {                                                                                \
        snprintf(load_error, sizeof load_error, "%s has no function %s; Rigor needs libzmq 4.3 or later",     \
                 RIGOR_LIBZMQ, #name);                                                                        \
        return;                                                                                               \
    }
    RIGOR_ZMQ_FORWARDED(RIGOR_ZMQ_RESOLVE)
    RIGOR_ZMQ_OWN(RIGOR_ZMQ_RESOLVE)
    __atomic_store_n(&loaded, 1, __ATOMIC_RELEASE);
}

static int is_loaded(void) { return __atomic_load_n(&loaded, __ATOMIC_ACQUIRE); }

static int ensure_loaded(void) {
    pthread_once(&load_once, load);
    if (!is_loaded()) errno = ELIBACC;
    return is_loaded();
}

const char *rigor_zmq_load_error(void) { return ensure_loaded() ? NULL : load_error; }

int rigor_zmq_is_loaded(void) { return is_loaded(); }

// Every forwarder: load, then call, or fail as libzmq would, with errno ELIBACC.
#define RIGOR_ZMQ_FORWARD(type, name, parameters, arguments, failed) \
    type name parameters {                                           \
        if (!ensure_loaded()) return failed;                         \
        return real_##name arguments;                                \
    }
RIGOR_ZMQ_FORWARDED(RIGOR_ZMQ_FORWARD)

int zmq_errno(void) { return is_loaded() ? real_zmq_errno() : errno; }

const char *zmq_strerror(int code) {
    if (is_loaded()) return real_zmq_strerror(code);
    return code == ELIBACC && load_error[0] != '\0' ? load_error : strerror(code);
}

void zmq_version(int *major, int *minor, int *patch) {
    if (ensure_loaded()) {
        real_zmq_version(major, minor, patch);
    } else {
        *major = *minor = *patch = 0;
    }
}
