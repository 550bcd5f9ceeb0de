#include "scan/layer_reader.hpp"

#include <memory>
#include <stdexcept>
#include <vector>

#include <archive.h>
#include <archive_entry.h>

namespace regscan::scan {
namespace {

struct PullState {
    BytePipe* pipe;
    std::string chunk;  // kept alive until libarchive asks for the next one
};

la_ssize_t pull(struct archive*, void* data, const void** buffer) {
    auto* state = static_cast<PullState*>(data);
    auto next = state->pipe->pop();
    if (!next) return 0;
    state->chunk = std::move(*next);
    *buffer = state->chunk.data();
    return static_cast<la_ssize_t>(state->chunk.size());
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

void read_layer(BytePipe& pipe, const EntryVisitor& visit) {
    std::unique_ptr<archive, decltype(&archive_read_free)> reader(archive_read_new(), archive_read_free);
    archive_read_support_filter_all(reader.get());
    archive_read_support_format_tar(reader.get());
    archive_read_support_format_gnutar(reader.get());
    PullState state{&pipe, {}};
    if (archive_read_open(reader.get(), &state, nullptr, pull, nullptr) != ARCHIVE_OK)
        throw std::runtime_error(std::string("layer is not a readable tar stream: ") +
                                 archive_error_string(reader.get()));

    archive_entry* entry = nullptr;
    while (true) {
        int status = archive_read_next_header(reader.get(), &entry);
        if (status == ARCHIVE_EOF) break;
        if (status == ARCHIVE_FATAL) {
            std::string cause = pipe.error().empty() ? archive_error_string(reader.get()) : pipe.error();
            throw std::runtime_error("layer is corrupt or cut short: " + cause);
        }
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
        ContentReader read_content = [&](uint64_t limit) {
            consumed = true;
            std::string content;
            content.reserve(std::min<uint64_t>(info.size, limit));
            char buffer[64 * 1024];
            while (true) {
                la_ssize_t n = archive_read_data(reader.get(), buffer, sizeof buffer);
                if (n < 0) throw std::runtime_error(std::string("cannot read ") + info.path + ": " +
                                                    archive_error_string(reader.get()));
                if (n == 0) break;
                if (content.size() < limit)
                    content.append(buffer, std::min<uint64_t>(static_cast<uint64_t>(n), limit - content.size()));
            }
            return content;
        };
        visit(info, read_content);
        if (!consumed) archive_read_data_skip(reader.get());
    }
    // The tar ends before the blob does (padding): read the rest so the
    // producer finishes the transfer and its digest check.
    while (pipe.pop()) {
    }
    if (!pipe.error().empty()) throw std::runtime_error(pipe.error());
}

}  // namespace regscan::scan
