// Walks the entries of one layer (tar, optionally compressed) as its bytes
// arrive, without writing it anywhere. LayerDecompressor undoes gzip, zstd
// and xz (hashing the tar); libarchive reads the tar format, including GNU
// and PAX long names.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "scan/byte_pipe.hpp"

namespace regscan::scan {

enum class EntryType { file, directory, symlink, hardlink, other };

struct LayerEntry {
    std::string path;  // absolute, normalised ("/etc/os-release"), ".." above "/" clamped to it
    EntryType type = EntryType::other;
    uint64_t size = 0;
    uint32_t mode = 0;
    std::string link_target;
};

// Lets a visitor read the current entry's content, once per entry: whole
// into memory (`reader(limit)`: at most `limit` bytes, the rest skipped), or
// piece by piece as it streams (`stream`), for content too large to hold.
class ContentReader {
public:
    using Read = std::function<std::string(uint64_t limit)>;
    using Sink = std::function<void(const char* data, size_t size)>;
    using Stream = std::function<void(const Sink& sink)>;

    ContentReader(Read read, Stream stream) : read_(std::move(read)), stream_(std::move(stream)) {}
    std::string operator()(uint64_t limit) const { return read_(limit); }
    void stream(const Sink& sink) const { stream_(sink); }

private:
    Read read_;
    Stream stream_;
};

using EntryVisitor = std::function<void(const LayerEntry&, const ContentReader&)>;

// Reads the tar stream from `pipe` (gzip, zstd, xz or plain) until its end,
// calling `visit` per entry; returns the layer's diff_id (sha256 of the
// uncompressed tar). Throws std::runtime_error with the reason when the
// stream is not a (compressed) tar, is corrupt, or is cut short anywhere,
// including inside an entry: a layer is read whole or the image fails. So
// too when regscan would read it otherwise than a container runtime does (a
// hard link carrying data), when it is compressed otherwise (bzip2, or twice
// over), or when one entry's headers take more than
// limits::max_tar_header_bytes.
// `check`, when set, is called as the stream is read and may throw to stop
// it (the image's deadline): what it throws leaves read_layer as it is.
std::string read_layer(BytePipe& pipe, const EntryVisitor& visit, const std::function<void()>& check = {});

// "./usr//lib/../bin/x" -> "/usr/bin/x". ".." at the root stays at the root,
// as containerd extracts it (and as the kernel resolves a link target):
// "../../var/lib/dpkg/status" is /var/lib/dpkg/status in the container.
std::string normalise_layer_path(std::string_view raw);

}  // namespace regscan::scan
