#include "report/spilled_entries.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <system_error>

#include "report/report_file.hpp"
#include "util/json_text.hpp"

namespace regscan::report {
namespace {

// Array elements of a top-level key sit four spaces in, as dump_json puts them.
constexpr const char* element_indent = "    ";

std::string indented(const std::string& text) {
    std::string out = element_indent;
    out.reserve(text.size() + text.size() / 16);
    for (char c : text) {
        out += c;
        if (c == '\n') out += element_indent;
    }
    return out;
}

}  // namespace

std::string entry_text(const nlohmann::json& value) {
    return indented(util::json_text(value, 2));
}

SpilledEntries::SpilledEntries(const std::filesystem::path& report_path) {
    auto directory = report_path.parent_path().empty() ? std::filesystem::path(".") : report_path.parent_path();
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec) throw std::runtime_error("cannot create " + directory.string() + ": " + ec.message());
    scratch_ = std::make_unique<ExclusiveFile>(directory, report_path.filename().string(), "entries");
    path_ = scratch_->path();
    file_.open(scratch_->open_path(), ExclusiveFile::read_write_no_truncate);
    if (!file_) throw std::runtime_error("cannot create the scratch file " + path_.string());
}

SpilledEntries::~SpilledEntries() {
    file_.close();
    std::error_code ec;
    std::filesystem::remove(path_, ec);
}

size_t SpilledEntries::add_pieces(const SortKey& key, std::initializer_list<Piece> pieces) {
    Entry entry{key, index_.size(), {}};
    file_.seekp(end_);
    for (const auto& piece : pieces) {
        if (piece.fd >= 0) {
            if (piece.length) entry.segments.push_back({piece.fd, piece.offset, piece.length});
            continue;
        }
        if (piece.text.empty()) continue;
        if (!file_.write(piece.text.data(), static_cast<std::streamsize>(piece.text.size())))
            throw std::runtime_error("cannot write the scratch file " + path_.string());
        // Text written right after the previous scratch segment extends it.
        if (!entry.segments.empty() && entry.segments.back().fd < 0 &&
            entry.segments.back().offset + static_cast<off_t>(entry.segments.back().length) == end_)
            entry.segments.back().length += piece.text.size();
        else
            entry.segments.push_back({-1, static_cast<off_t>(end_), piece.text.size()});
        end_ += static_cast<std::streamoff>(piece.text.size());
    }
    index_.push_back(std::move(entry));
    return index_.back().id;
}

namespace {

// `length` bytes of `from` at `offset` appended to `to`: in the kernel where
// the file systems allow it, through a buffer where they do not.
void copy_range(int from, off_t offset, size_t length, int to, const std::string& what) {
    bool in_kernel = true;
    std::string buffer;
    while (length > 0) {
        if (in_kernel) {
            ssize_t copied = ::copy_file_range(from, &offset, to, nullptr, length, 0);
            if (copied > 0) {
                length -= static_cast<size_t>(copied);
                continue;
            }
            if (copied < 0 && errno == EINTR) continue;
            // Not across these file systems (or none left to copy where some
            // should be): read and write instead, which tells which.
            in_kernel = false;
            continue;
        }
        buffer.resize(std::min<size_t>(length, 1 << 20));
        ssize_t got = ::pread(from, buffer.data(), buffer.size(), offset);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) throw std::runtime_error("cannot read the scratch file " + what);
        write_all(to, std::string_view(buffer.data(), static_cast<size_t>(got)), "the report");
        offset += got;
        length -= static_cast<size_t>(got);
    }
}

}  // namespace

void SpilledEntries::write_document_to(const std::filesystem::path& path, nlohmann::json document,
                                       const std::string& array_key) {
    document[array_key] = nlohmann::json::array();
    auto text = dump_json(document);
    const std::string marker = "\n  \"" + array_key + "\": []";
    auto at = text.find(marker);
    if (at == std::string::npos || index_.empty()) {
        write_file_atomically_fd(path, [&](int fd) { write_all(fd, text, path.string()); });
        return;
    }
    std::stable_sort(index_.begin(), index_.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
    if (!file_.flush()) throw std::runtime_error("cannot write the scratch file " + path_.string());
    int scratch = ::open(scratch_->open_path().c_str(), O_RDONLY | O_CLOEXEC);
    if (scratch < 0) throw std::runtime_error("cannot read the scratch file " + path_.string());
    struct Close {
        int fd;
        ~Close() { ::close(fd); }
    } close_scratch{scratch};
    write_file_atomically_fd(path, [&](int fd) {
        const std::string head = text.substr(0, at) + "\n  \"" + array_key + "\": [\n";
        write_all(fd, head, path.string());
        written_.assign(index_.size(), {0, 0});
        off_t position = static_cast<off_t>(head.size());
        for (size_t i = 0; i < index_.size(); ++i) {
            const size_t length = index_[i].length();
            written_[index_[i].id] = {position, length};
            for (const auto& segment : index_[i].segments)
                copy_range(segment.fd < 0 ? scratch : segment.fd, segment.offset, segment.length, fd,
                           segment.fd < 0 ? path_.string() : "an earlier report");
            write_all(fd, i + 1 < index_.size() ? ",\n" : "\n", path.string());
            position += static_cast<off_t>(length + (i + 1 < index_.size() ? 2 : 1));
        }
        write_all(fd, "  ]" + text.substr(at + marker.size()), path.string());
        struct stat st {};
        if (::fstat(fd, &st) == 0) written_inode_ = st.st_ino;
    });
}

void SpilledEntries::write_document(std::ostream& out, nlohmann::json document, const std::string& array_key) {
    document[array_key] = nlohmann::json::array();
    auto text = dump_json(document);
    const std::string marker = "\n  \"" + array_key + "\": []";
    auto at = text.find(marker);
    if (at == std::string::npos || index_.empty()) {
        out << text;
        return;
    }
    std::stable_sort(index_.begin(), index_.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
    if (!file_.flush()) throw std::runtime_error("cannot write the scratch file " + path_.string());
    out.write(text.data(), static_cast<std::streamsize>(at));
    out << "\n  \"" << array_key << "\": [\n";
    std::string buffer;
    for (size_t i = 0; i < index_.size(); ++i) {
        for (const auto& segment : index_[i].segments) {
            buffer.resize(segment.length);
            if (segment.fd < 0) {
                file_.seekg(segment.offset);
                if (!file_.read(buffer.data(), static_cast<std::streamsize>(buffer.size())))
                    throw std::runtime_error("cannot read the scratch file " + path_.string());
            } else {
                size_t done = 0;
                while (done < buffer.size()) {
                    ssize_t got = ::pread(segment.fd, buffer.data() + done, buffer.size() - done,
                                          segment.offset + static_cast<off_t>(done));
                    if (got < 0 && errno == EINTR) continue;
                    if (got <= 0) throw std::runtime_error("cannot read an earlier report");
                    done += static_cast<size_t>(got);
                }
            }
            out << buffer;
        }
        out << (i + 1 < index_.size() ? ",\n" : "\n");
    }
    out << "  ]";
    out << std::string_view(text).substr(at + marker.size());
}

}  // namespace regscan::report
