#include "app/standard_streams.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include <spdlog/spdlog.h>

#include "app/exit_codes.hpp"

namespace regscan::app {

bool guard_standard_descriptors() {
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        // open() takes the lowest free number: this one, the lower ones being open.
        const int opened = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (opened == fd) continue;
        if (opened >= 0) ::close(opened);
        return false;
    }
    return true;
}

namespace {

// Whether standard output is a pipe or socket nobody reads any more: an
// earlier write failed with EPIPE, which the final flush (nothing left to
// write) no longer says.
bool reader_gone() {
    struct stat info {};
    if (::fstat(STDOUT_FILENO, &info) != 0 || !(S_ISFIFO(info.st_mode) || S_ISSOCK(info.st_mode))) return false;
    pollfd out{STDOUT_FILENO, POLLOUT, 0};
    return ::poll(&out, 1, 0) == 1 && (out.revents & (POLLERR | POLLHUP)) != 0;
}

}  // namespace

int finish_standard_output(int code) {
    errno = 0;
    std::cout.flush();
    const bool lost = !std::cout || std::fflush(stdout) != 0 || std::ferror(stdout);
    const int reason = errno;
    if (!lost || reason == EPIPE || reader_gone()) return code;
    // A write that failed during the run (the buffer holds 4 KiB) left no
    // reason behind: only the final flush's failure tells one.
    spdlog::error("cannot write standard output{}: what was printed there is incomplete",
                  reason ? std::string(": ") + std::strerror(reason) : std::string(" (a write failed)"));
    return code == 0 ? static_cast<int>(ExitCode::internal_error) : code;
}

}  // namespace regscan::app
