#include "util/background_close.hpp"

#include <unistd.h>

#include <system_error>
#include <thread>

namespace regscan::util {

void close_in_background(int fd) {
    if (fd < 0) return;
    try {
        std::thread([fd] { ::close(fd); }).detach();
    } catch (const std::system_error&) {  // no thread to be had: the caller pays the close
        ::close(fd);
    }
}

}  // namespace regscan::util
