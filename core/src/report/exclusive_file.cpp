#include "report/exclusive_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>

namespace regscan::report {

ExclusiveFile::ExclusiveFile(const std::filesystem::path& directory, const std::string& name,
                             const std::string& suffix) {
    thread_local std::mt19937_64 random{std::random_device{}()};
    static constexpr char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::string tag;
        for (int i = 0; i < 12; ++i) tag += digits[random() % 36];
        auto candidate = directory / ("." + name + "." + tag + "." + suffix);
        fd_ = ::open(candidate.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd_ >= 0) {
            path_ = candidate;
            return;
        }
        if (errno != EEXIST) throw std::runtime_error("cannot create " + candidate.string() + ": " + std::strerror(errno));
    }
    throw std::runtime_error("cannot create a temporary file in " + directory.string() + ": every name taken");
}

ExclusiveFile::~ExclusiveFile() {
    if (fd_ >= 0) ::close(fd_);
}

std::string ExclusiveFile::open_path() const { return "/proc/self/fd/" + std::to_string(fd_); }

}  // namespace regscan::report
