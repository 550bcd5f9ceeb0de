#include "report/result_reporter.hpp"

#include "report/spilled_entries.hpp"
#include "scan/model_json.hpp"

namespace regscan::report {

void ResultReporter::image(const nlohmann::json& image) { result(image.get<scan::ImageResult>()); }

scan::ImageResult without_packages(const scan::ImageResult& image) {
    // Field by field, never copying the packages to drop them: thousands of
    // small strings copied and freed per image fragment the heap enough to
    // grow a registry scan's memory with every image.
    return {image.registry, image.repository,        image.tag,      image.digest,
            image.platform, image.build_time,        image.status,   image.error,
            image.os,       {},                      image.vulnerabilities,
            image.misconfigurations,                 image.malware,  image.vulnerability_data,
            image.notes,    image.bytes_pulled};
}

std::string json_entry(const scan::ImageResult& image) { return entry_text(nlohmann::json(image)); }

std::array<std::string_view, 3> json_entry_pieces_with_status(std::string_view entry, std::string_view status_text) {
    // The entry's own keys sit six spaces in; nested objects' keys deeper.
    constexpr std::string_view key = "\n      \"status\": \"";
    auto start = entry.find(key);
    auto end = start == std::string_view::npos ? start : entry.find('"', start + key.size());
    if (end == std::string_view::npos) return {entry, {}, {}};
    start += key.size();
    return {entry.substr(0, start), status_text, entry.substr(end)};
}

std::string json_entry_with_status(std::string_view entry, scan::ScanStatus status) {
    const std::string status_text = scan::to_string(status);
    auto pieces = json_entry_pieces_with_status(entry, status_text);
    std::string text;
    text.reserve(pieces[0].size() + pieces[1].size() + pieces[2].size());
    for (auto piece : pieces) text += piece;
    return text;
}

}  // namespace regscan::report
