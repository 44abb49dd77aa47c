// CConcurrencyHook: see include/CConcurrencyHook.h.
#define _GNU_SOURCE
#include "CConcurrencyHook.h"

#include <dlfcn.h>
#include <stddef.h>

// The Swift runtime's hook (libswift_Concurrency). Weak, so the reference goes through the GOT: no copy of the
// variable in the executable when the runtime is a shared library.
extern const void *swift_task_enqueueGlobal_hook __attribute__((weak));

bool rigor_install_enqueue_global_hook(const void *hook) {
    const void **slot = (const void **)dlsym(RTLD_DEFAULT, "swift_task_enqueueGlobal_hook");
    if (slot == NULL) slot = &swift_task_enqueueGlobal_hook;
    if (slot == NULL) return false;
    const void *expected = NULL;
    return __atomic_compare_exchange_n(slot, &expected, hook, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
