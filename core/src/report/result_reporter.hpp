// The core's own reporters take the result model itself: the pipeline then
// skips a JSON round trip per image and format, which on a rescan (every
// result read back from the state) is most of the run. Plugin reporters get
// JSON through sdk::Reporter::image as before.
#pragma once

#include <array>

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "regscan/reporter.hpp"
#include "scan/model.hpp"

namespace regscan::report {

// A result's renderings: the JSON report's entry (as rendered when the image
// was scanned, possibly with another status) and how many packages it holds.
// A rescan brings them for a result it reuses without reading its packages
// back; a first scan hands over the ones it just made for the state.
struct StoredRendering {
    std::string_view json_entry;  // empty when left in an earlier report (report_ref)
    size_t package_count = 0;
    // The tag's stored renderings row: its digest, its report_ref (see
    // state::TagRenderings) and which of its entries this is. Empty
    // tag_digest: not from a row (nothing to refer to).
    std::string_view tag_digest;
    std::string_view report_ref;
    size_t index_in_tag = 0;
    size_t entries_in_tag = 1;
};

// A report's new reference to the entries of one tag's row (JsonReport).
struct EntriesRef {
    std::string repository;
    std::string tag;
    std::string tag_digest;
    std::string old_ref;
    std::string new_ref;
};

class ResultReporter : public sdk::Reporter {
public:
    void image(const nlohmann::json& image) final;
    virtual void result(const scan::ImageResult& image) = 0;
    // A result with its renderings; `image` may lack its packages.
    // Reporters that list findings only need nothing else.
    virtual void stored_result(const scan::ImageResult& image, const StoredRendering&) { result(image); }
    // False for a reporter that needs the packages themselves (the rescan
    // then reads them back).
    [[nodiscard]] virtual bool takes_stored() const { return true; }
    // Whether this reporter needs the entries' text of a row whose
    // report_ref is `report_ref` (only the JSON report reads them, and not
    // when its previous file still holds them). Called from any thread.
    [[nodiscard]] virtual bool needs_entry_text(const std::string& /*report_ref*/) const { return false; }
    // After finish: the references to store for the rows whose entries this
    // report now holds.
    [[nodiscard]] virtual std::vector<EntriesRef> entries_refs() const { return {}; }
};

// The JSON report's entry for `image`, as JsonReport writes it: what a
// rescan copies instead of rendering.
std::string json_entry(const scan::ImageResult& image);
// `entry` (from json_entry) saying `status` instead of the status it was
// rendered with.
std::string json_entry_with_status(std::string_view entry, scan::ScanStatus status);
// The same as three pieces (before the status, `status_text`, after it),
// views into `entry` and `status_text`: nothing is copied.
std::array<std::string_view, 3> json_entry_pieces_with_status(std::string_view entry, std::string_view status_text);
// Bump when the JSON report's entry changes, so stored renderings are redone.
inline constexpr int json_entry_version = 3;  // 2: "malware"; 3: "vulnerability_data"

// The result without its package list, for reporters that list findings
// only: a registry's package lists need not stay in memory.
scan::ImageResult without_packages(const scan::ImageResult& image);

}  // namespace regscan::report
