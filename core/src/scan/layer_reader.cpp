#include "scan/layer_reader.hpp"

#include <cerrno>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include <archive.h>
#include <archive_entry.h>

#include "limits/limits.hpp"
#include "scan/layer_decompressor.hpp"

namespace regscan::scan {
namespace {

struct PullState {
    LayerDecompressor* source;
    const std::function<void()>* check;
    std::string error;               // why the source failed, for the reader's message
    std::exception_ptr interrupted;  // what `check` threw (an image timeout), rethrown as it is
    // Bytes pulled while libarchive reads one entry's headers, when counted.
    std::optional<uint64_t> header_bytes;
};

la_ssize_t pull(struct archive* reader, void* data, const void** buffer) {
    auto* state = static_cast<PullState*>(data);
    try {
        try {
            if (*state->check) (*state->check)();
        } catch (...) {
            state->interrupted = std::current_exception();
            throw;
        }
        auto piece = state->source->next();
        if (state->header_bytes && (*state->header_bytes += piece.size()) > limits::max_tar_header_bytes)
            throw std::runtime_error("the tar headers of one entry take more than " +
                                     std::to_string(limits::max_tar_header_bytes / limits::MiB) +
                                     " MiB (no real layer's do)");
        *buffer = piece.data();
        return static_cast<la_ssize_t>(piece.size());
    } catch (const std::exception& e) {
        state->error = e.what();
        archive_set_error(reader, EIO, "%s", e.what());
        return -1;
    } catch (...) {  // never through libarchive's C frames
        state->error = "stopped";
        archive_set_error(reader, EIO, "stopped");
        return -1;
    }
}

EntryType type_of(archive_entry* entry) {
    if (archive_entry_hardlink(entry)) return EntryType::hardlink;
    switch (archive_entry_filetype(entry)) {
        case AE_IFREG: return EntryType::file;
        case AE_IFDIR: return EntryType::directory;
        case AE_IFLNK: return EntryType::symlink;
        default: return EntryType::other;
    }
}

}  // namespace

std::string normalise_layer_path(std::string_view raw) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (start <= raw.size()) {
        size_t slash = raw.find('/', start);
        std::string_view part = raw.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();  // at the root, ".." is the root
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    std::string path;
    for (auto part : parts) {
        path += '/';
        path += part;
    }
    return path.empty() ? "/" : path;
}

std::string read_layer(BytePipe& pipe, const EntryVisitor& visit, const std::function<void()>& check) {
    std::unique_ptr<archive, decltype(&archive_read_free)> reader(archive_read_new(), archive_read_free);
    LayerDecompressor source(pipe);
    // gzip, zstd and xz are undone by LayerDecompressor (which hashes the
    // tar); libarchive gets the tar itself, none of its own decoders. Those
    // would see only compressed bytes where regscan bounds what it pulls
    // for a header, could be chained (25 of zstd's 128 MiB windows, or
    // terabytes of work in a small blob), and some are worse: its xz, lzma
    // and lzip let the stream choose their memory, lrzip, lzop and grzip run
    // an external program on the registry's bytes. No OCI or Docker layer
    // media type names another compression.
    archive_read_support_format_tar(reader.get());
    archive_read_support_format_gnutar(reader.get());
    PullState state{&source, &check, {}, {}, {}};
    auto reason = [&] {
        if (state.interrupted) std::rethrow_exception(state.interrupted);
        if (!pipe.error().empty()) return pipe.error();
        if (!state.error.empty()) return state.error;
        const char* text = archive_error_string(reader.get());
        return std::string(text ? text : "unknown error");
    };
    if (archive_read_open(reader.get(), &state, nullptr, pull, nullptr) != ARCHIVE_OK)
        throw std::runtime_error("layer is not a readable tar stream: " + reason());

    archive_entry* entry = nullptr;
    while (true) {
        // libarchive allocates for a header as it reads it (a GNU sparse map
        // grows tenfold): the headers' bytes are counted, the previous
        // entry's data having been read or skipped already.
        state.header_bytes = 0;
        int status = archive_read_next_header(reader.get(), &entry);
        state.header_bytes.reset();
        if (status == ARCHIVE_EOF) break;
        if (status == ARCHIVE_FATAL || status == ARCHIVE_RETRY)
            throw std::runtime_error("layer is corrupt or cut short: " + reason());
        LayerEntry info;
        const char* raw_path = archive_entry_pathname(entry);
        info.path = normalise_layer_path(raw_path ? raw_path : "");
        info.type = type_of(entry);
        info.size = static_cast<uint64_t>(archive_entry_size(entry));
        // libarchive reads a pax hard link's size as data and skips it;
        // container runtimes (Go's archive/tar) read a hard link as a header
        // alone and what follows as entries: files hidden from the scan.
        if (info.type == EntryType::hardlink && info.size > 0)
            throw std::runtime_error("layer is not read alike by regscan and container runtimes: hard link " +
                                     info.path + " carries " + std::to_string(info.size) +
                                     " bytes of data (a runtime reads them as entries)");
        info.mode = static_cast<uint32_t>(archive_entry_mode(entry));
        if (const char* target = info.type == EntryType::hardlink ? archive_entry_hardlink(entry)
                                                                  : archive_entry_symlink(entry))
            info.link_target = target;

        bool consumed = false;
        auto each_piece = [&](const ContentReader::Sink& sink) {
            consumed = true;
            char buffer[64 * 1024];
            uint64_t delivered = 0;
            while (true) {
                if (check) check();
                la_ssize_t n = archive_read_data(reader.get(), buffer, sizeof buffer);
                if (n < 0)
                    throw std::runtime_error("layer is corrupt or cut short: cannot read " + info.path + ": " + reason());
                if (n == 0) break;
                // A sparse map may place data far past the entry's size: the
                // holes before it would stream zeros without end.
                if ((delivered += static_cast<uint64_t>(n)) > info.size)
                    throw std::runtime_error("layer is corrupt: " + info.path + " holds more than the " +
                                             std::to_string(info.size) + " bytes its header says");
                sink(buffer, static_cast<size_t>(n));
            }
        };
        ContentReader read_content(
            [&](uint64_t limit) {
                std::string content;
                content.reserve(std::min<uint64_t>(info.size, limit));
                each_piece([&](const char* data, size_t n) {
                    if (content.size() < limit)
                        content.append(data, std::min<uint64_t>(static_cast<uint64_t>(n), limit - content.size()));
                });
                return content;
            },
            each_piece);
        visit(info, read_content);
        // A skip past the end of the stream (an entry claiming more bytes
        // than the layer holds) is a cut layer, not a scanned one.
        if (!consumed && archive_read_data_skip(reader.get()) != ARCHIVE_OK)
            throw std::runtime_error("layer is corrupt or cut short: entry " + info.path + " (" +
                                     std::to_string(info.size) + " bytes): " + reason());
    }
    // The tar ends before the blob does (end-of-archive blocks, padding):
    // read the rest so the diff_id covers it and the producer finishes the
    // transfer and its digest check.
    do {
        if (check) check();
    } while (!source.next().empty());
    if (!pipe.error().empty()) throw std::runtime_error(pipe.error());
    return source.diff_id();
}

}  // namespace regscan::scan
