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
#include <vector>

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

    // One JSON value, to be listed where `key` sorts.
    void add(const SortKey& key, const nlohmann::json& value) { add_text(key, entry_text(value)); }
    // The same, already rendered by entry_text.
    void add_text(const SortKey& key, std::string_view text) { add_pieces(key, {text}); }
    // The same, rendered text given in pieces that are written one after
    // the other (an entry with one field replaced, without joining them).
    void add_pieces(const SortKey& key, std::initializer_list<std::string_view> pieces);
    [[nodiscard]] size_t size() const { return index_.size(); }

    // Writes `document` as dump_json would, with its top-level `array_key`
    // holding every entry in key order (entries of equal keys in the order
    // they were added).
    void write_document(std::ostream& out, nlohmann::json document, const std::string& array_key);
    // The same into the file `path`, written atomically; the entries are
    // copied from the scratch file by the kernel (copy_file_range) rather
    // than read into memory and written again.
    void write_document_to(const std::filesystem::path& path, nlohmann::json document, const std::string& array_key);

private:
    struct Entry {
        SortKey key;
        std::streamoff offset;
        size_t length;
    };
    std::filesystem::path path_;
    std::unique_ptr<ExclusiveFile> scratch_;
    std::fstream file_;
    std::streamoff end_ = 0;
    std::vector<Entry> index_;
};

}  // namespace regscan::report
