// A report's per-image entries kept on disk while a run goes on, and written
// out in report order at the end: a report of a whole registry never holds
// every image's packages in memory, only a sort key per image.
#pragma once

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include "report/exclusive_file.hpp"
#include "report/report_file.hpp"

namespace regscan::report {

using SortKey = ImageSortKey;

// A value rendered as an element of a top-level array in a dump_json
// document: pretty, indented four spaces, non-UTF-8 bytes replaced.
std::string entry_text(const nlohmann::json& value);

class SpilledEntries {
public:
    // The scratch file is created beside `report_path` (same disk as the
    // report, not a RAM-backed /tmp) and removed with this object.
    explicit SpilledEntries(const std::filesystem::path& report_path);
    ~SpilledEntries();
    SpilledEntries(const SpilledEntries&) = delete;
    SpilledEntries& operator=(const SpilledEntries&) = delete;

    // A piece of an entry: text, or `length` bytes at `offset` of the open
    // file `fd` (an earlier report), copied from there when the document is
    // written, never read into memory here. The caller keeps `fd` open.
    struct Piece {
        std::string_view text;
        int fd = -1;
        off_t offset = 0;
        size_t length = 0;
        Piece(std::string_view t) : text(t) {}  // NOLINT: text converts implicitly
        Piece(int f, off_t o, size_t l) : fd(f), offset(o), length(l) {}
    };

    // One JSON value, to be listed where `key` sorts. Each add returns the
    // entry's id (0, 1, ... in the order they were added).
    size_t add(const SortKey& key, const nlohmann::json& value) { return add_text(key, entry_text(value)); }
    // The same, already rendered by entry_text.
    size_t add_text(const SortKey& key, std::string_view text) { return add_pieces(key, {text}); }
    // The same, rendered text given in pieces that are written one after
    // the other (an entry with one field replaced, without joining them).
    size_t add_pieces(const SortKey& key, std::initializer_list<Piece> pieces);
    [[nodiscard]] size_t size() const { return index_.size(); }
    // After write_document_to: where the entry `id` starts in the document
    // written, and how long it is.
    [[nodiscard]] std::pair<off_t, size_t> written(size_t id) const { return written_.at(id); }
    // The inode of the file write_document_to wrote (0 before).
    [[nodiscard]] ino_t written_inode() const { return written_inode_; }

    // Writes `document` as dump_json would, with its top-level `array_key`
    // holding every entry in key order (entries of equal keys in the order
    // they were added).
    void write_document(std::ostream& out, nlohmann::json document, const std::string& array_key);
    // The same into the file `path`, written atomically; the entries are
    // copied from the scratch file by the kernel (copy_file_range) rather
    // than read into memory and written again.
    void write_document_to(const std::filesystem::path& path, nlohmann::json document, const std::string& array_key);

private:
    struct Segment {
        int fd;  // -1: the scratch file
        off_t offset;
        size_t length;
    };
    struct Entry {
        SortKey key;
        size_t id;
        std::vector<Segment> segments;
        [[nodiscard]] size_t length() const {
            size_t total = 0;
            for (const auto& s : segments) total += s.length;
            return total;
        }
    };
    std::vector<std::pair<off_t, size_t>> written_;
    ino_t written_inode_ = 0;
    std::filesystem::path path_;
    std::unique_ptr<ExclusiveFile> scratch_;
    std::fstream file_;
    std::streamoff end_ = 0;
    std::vector<Entry> index_;
};

}  // namespace regscan::report
