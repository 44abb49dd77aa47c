// CConcurrencyHook: installs a hook as the Swift runtime's global enqueue hook where dlsym cannot find the hook's
// variable (a binary linked with --static-swift-stdlib hides the runtime's symbols). See ModelServer+Command.swift.
#ifndef C_CONCURRENCY_HOOK_H
#define C_CONCURRENCY_HOOK_H

#include <stdbool.h>

/// Stores `hook` in `swift_task_enqueueGlobal_hook` if that is still empty (an atomic compare-and-exchange from
/// null); false when it was set already or the variable cannot be found.
bool rigor_install_enqueue_global_hook(const void *hook);

#endif
