// Closing the last descriptor of an unlinked file frees it there and then:
// for a replaced report of hundreds of MiB the kernel spends milliseconds
// dropping its cached pages and blocks. Done on a thread of its own, that
// time runs beside the rest of the run instead of inside it.
#pragma once

namespace regscan::util {

// Closes `fd` on a detached thread (inline if no thread can be started).
// The thread touches nothing but the descriptor, so the process may end
// while it runs; the kernel finishes the close before the process is gone.
void close_in_background(int fd);

}  // namespace regscan::util
