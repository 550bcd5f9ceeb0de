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

std::string json_entry_with_status(std::string_view entry, scan::ScanStatus status) {
    // The entry's own keys sit six spaces in; nested objects' keys deeper.
    constexpr std::string_view key = "\n      \"status\": \"";
    auto start = entry.find(key);
    auto end = start == std::string_view::npos ? start : entry.find('"', start + key.size());
    if (end == std::string_view::npos) return std::string(entry);
    start += key.size();
    return std::string(entry.substr(0, start)) + scan::to_string(status) + std::string(entry.substr(end));
}

}  // namespace regscan::report
