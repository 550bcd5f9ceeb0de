#include "scan/layer_reader.hpp"

#include <cerrno>
#include <memory>
#include <stdexcept>
#include <vector>

#include <archive.h>
#include <archive_entry.h>

#include "scan/layer_decompressor.hpp"

namespace regscan::scan {
namespace {

struct PullState {
    LayerDecompressor* source;
    std::string error;  // why the source failed, for the reader's message
};

la_ssize_t pull(struct archive* reader, void* data, const void** buffer) {
    auto* state = static_cast<PullState*>(data);
    try {
        auto piece = state->source->next();
        *buffer = piece.data();
        return static_cast<la_ssize_t>(piece.size());
    } catch (const std::exception& e) {
        state->error = e.what();
        archive_set_error(reader, EIO, "%s", e.what());
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
            if (parts.empty()) return {};
            parts.pop_back();
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

std::string read_layer(BytePipe& pipe, const EntryVisitor& visit) {
    std::unique_ptr<archive, decltype(&archive_read_free)> reader(archive_read_new(), archive_read_free);
    // gzip, zstd and xz are undone by LayerDecompressor (which hashes the
    // tar); libarchive still undoes the rarer formats whose decoders are
    // bounded in memory, and the diff_id then cannot be verified (the tar it
    // sees is still compressed). Not the others: its xz, lzma and lzip
    // decoders let the stream choose their memory, and lrzip, lzop and grzip
    // run an external program on the registry's bytes.
    archive_read_support_filter_bzip2(reader.get());
    archive_read_support_filter_compress(reader.get());
    archive_read_support_filter_gzip(reader.get());
    archive_read_support_filter_lz4(reader.get());
    archive_read_support_filter_zstd(reader.get());
    archive_read_support_format_tar(reader.get());
    archive_read_support_format_gnutar(reader.get());
    LayerDecompressor source(pipe);
    PullState state{&source, {}};
    auto reason = [&] {
        if (!pipe.error().empty()) return pipe.error();
        if (!state.error.empty()) return state.error;
        const char* text = archive_error_string(reader.get());
        return std::string(text ? text : "unknown error");
    };
    if (archive_read_open(reader.get(), &state, nullptr, pull, nullptr) != ARCHIVE_OK)
        throw std::runtime_error("layer is not a readable tar stream: " + reason());
    bool compressed_further = archive_filter_count(reader.get()) > 1;

    archive_entry* entry = nullptr;
    while (true) {
        int status = archive_read_next_header(reader.get(), &entry);
        if (status == ARCHIVE_EOF) break;
        if (status == ARCHIVE_FATAL || status == ARCHIVE_RETRY)
            throw std::runtime_error("layer is corrupt or cut short: " + reason());
        LayerEntry info;
        const char* raw_path = archive_entry_pathname(entry);
        info.path = normalise_layer_path(raw_path ? raw_path : "");
        if (info.path.empty()) continue;  // escapes the root: ignore, as runtimes do
        info.type = type_of(entry);
        info.size = static_cast<uint64_t>(archive_entry_size(entry));
        info.mode = static_cast<uint32_t>(archive_entry_mode(entry));
        if (const char* target = info.type == EntryType::hardlink ? archive_entry_hardlink(entry)
                                                                  : archive_entry_symlink(entry))
            info.link_target = target;

        bool consumed = false;
        auto each_piece = [&](const ContentReader::Sink& sink) {
            consumed = true;
            char buffer[64 * 1024];
            while (true) {
                la_ssize_t n = archive_read_data(reader.get(), buffer, sizeof buffer);
                if (n < 0)
                    throw std::runtime_error("layer is corrupt or cut short: cannot read " + info.path + ": " + reason());
                if (n == 0) break;
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
    while (!source.next().empty()) {
    }
    if (!pipe.error().empty()) throw std::runtime_error(pipe.error());
    return compressed_further ? std::string{} : source.diff_id();
}

}  // namespace regscan::scan
