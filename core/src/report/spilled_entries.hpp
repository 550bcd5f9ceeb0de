// A report's per-image entries kept on disk while a run goes on, and written
// out in report order at the end: a report of a whole registry never holds
// every image's packages in memory, only a sort key per image.
#pragma once

#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/report_file.hpp"

namespace regscan::report {

using SortKey = ImageSortKey;

class SpilledEntries {
public:
    // The scratch file is created beside `report_path` (same disk as the
    // report, not a RAM-backed /tmp) and removed with this object.
    explicit SpilledEntries(const std::filesystem::path& report_path);
    ~SpilledEntries();
    SpilledEntries(const SpilledEntries&) = delete;
    SpilledEntries& operator=(const SpilledEntries&) = delete;

    // One JSON value, to be listed where `key` sorts.
    void add(const SortKey& key, const nlohmann::json& value);
    [[nodiscard]] size_t size() const { return index_.size(); }

    // Writes `document` as dump_json would, with its top-level `array_key`
    // holding every entry in key order (entries of equal keys in the order
    // they were added).
    void write_document(std::ostream& out, nlohmann::json document, const std::string& array_key);

private:
    struct Entry {
        SortKey key;
        std::streamoff offset;
        size_t length;
    };
    std::filesystem::path path_;
    std::fstream file_;
    std::streamoff end_ = 0;
    std::vector<Entry> index_;
};

}  // namespace regscan::report
