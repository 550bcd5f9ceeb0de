// Temporary files in a report directory that somebody else may write to: a
// fresh, unpredictable name created with O_EXCL|O_NOFOLLOW, so a planted
// file or symlink is never opened, let alone truncated.
#pragma once

#include <filesystem>
#include <ios>
#include <string>

namespace regscan::report {

class ExclusiveFile {
public:
    // Creates `<directory>/.<name>.<random>.<suffix>`, empty, mode 0666 less
    // the umask. Throws std::runtime_error when it cannot.
    ExclusiveFile(const std::filesystem::path& directory, const std::string& name, const std::string& suffix);
    ~ExclusiveFile();
    ExclusiveFile(const ExclusiveFile&) = delete;
    ExclusiveFile& operator=(const ExclusiveFile&) = delete;

    // The name in the directory (for rename and messages).
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    // A path that opens the very file created, even if its name was
    // replaced since (/proc/self/fd/N): give this to std::fstream, with
    // no_truncate (or open(2) without O_TRUNC).
    [[nodiscard]] std::string open_path() const;
    // The file is new and empty, so truncating it changes nothing but costs:
    // ext4 (auto_da_alloc) marks a file truncated to size 0 for writeback
    // when it is closed, and the close then submits the whole report (or a
    // scratch file about to be removed) to the disk on the run's path.
    // std::ios::out alone truncates ("w"); out|app ("a") does not, and needs
    // no read permission (an umask may take the owner's read bit); in|out
    // ("r+") for a file also read back.
    static constexpr std::ios::openmode no_truncate = std::ios::out | std::ios::app | std::ios::binary;
    static constexpr std::ios::openmode read_write_no_truncate = std::ios::in | std::ios::out | std::ios::binary;

private:
    std::filesystem::path path_;
    int fd_ = -1;
};

}  // namespace regscan::report
