// --format json: <stem>-report.json, every image's full result plus the run
// summary, in the shape docs/report-schema.md documents. Images are spilled
// to a scratch file as they arrive, so memory does not grow with the registry.
//
// A rescan does not read back the entries of unchanged images: the state row
// of a tag's renderings carries a reference to where the last report written
// from that very row holds them (the file's identity: device, inode, size,
// modification and change times; and each entry's offset, length and status
// position). While that file is still at the report's path, unchanged, its
// entries are copied from it in the kernel (copy_file_range), with only the
// status replaced: the bytes are those a first scan writes.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "regscan/reporter.hpp"
#include "report/result_reporter.hpp"
#include "report/spilled_entries.hpp"
#include "scan/model.hpp"

namespace regscan::report {

inline constexpr int json_report_schema_version = 1;

// Where a report file holds one tag's entries.
struct EntryLocation {
    off_t offset = 0;     // of the entry's first byte
    size_t length = 0;
    off_t status_at = 0;  // of the status value's first byte (inside the quotes)
    size_t status_length = 0;
};
struct ReportEntriesRef {
    std::string identity;  // the report file's (file_identity)
    std::vector<EntryLocation> entries;
};
std::string format_entries_ref(const ReportEntriesRef& ref);
// Nullopt for anything else (a state row's fresh token, a damaged value).
std::optional<ReportEntriesRef> parse_entries_ref(std::string_view text);

class JsonReport final : public ResultReporter {
public:
    explicit JsonReport(const sdk::ReportRun& run);
    ~JsonReport() override;
    JsonReport(const JsonReport&) = delete;
    JsonReport& operator=(const JsonReport&) = delete;

    void result(const scan::ImageResult& image) override;
    void stored_result(const scan::ImageResult& image, const StoredRendering& stored) override;
    std::vector<std::string> finish(const nlohmann::json& summary) override;
    [[nodiscard]] bool needs_entry_text(const std::string& report_ref) const override;
    [[nodiscard]] std::vector<EntriesRef> entries_refs() const override { return refs_; }

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    struct Slot {
        bool filled = false;
        size_t id = 0;            // in images_
        size_t status_offset = 0;  // from the entry's start
        size_t status_length = 0;
    };
    struct TagSlots {
        std::string repository, tag, digest, old_ref;
        bool referable = true;
        std::vector<Slot> slots;
    };

    sdk::ReportRun run_;
    std::filesystem::path path_;
    SpilledEntries images_;
    // The report this run replaces, opened before anything is written.
    int previous_fd_ = -1;
    std::string previous_identity_;
    off_t previous_size_ = 0;
    std::map<std::string, TagSlots> tags_;
    std::vector<EntriesRef> refs_;
};

}  // namespace regscan::report
