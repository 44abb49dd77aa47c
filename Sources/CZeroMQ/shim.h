// CZeroMQ: the libzmq C API as a Swift module (apt `libzmq3-dev`, pkg-config `libzmq`).
#include <zmq.h>
