#include "report/per_image.hpp"

#include <cctype>

#include "report/report_name.hpp"

namespace regscan::report {
namespace {

std::string file_part(const std::string& text) {
    std::string out;
    for (char c : text) {
        bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
        out += keep ? c : '-';
    }
    // Never "." or "..", never hidden.
    while (!out.empty() && out.front() == '.') out.front() = '-';
    return out.substr(0, 120);
}

}  // namespace

std::string registry_host(const std::string& registry_url) {
    std::string rest = registry_url;
    if (auto scheme = rest.find("://"); scheme != std::string::npos) rest = rest.substr(scheme + 3);
    rest = rest.substr(0, rest.find('/'));
    if (auto at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
    return rest;
}

std::filesystem::path per_image_path(const sdk::ReportRun& run, const scan::ImageResult& image,
                                     const std::string& suffix) {
    std::string tag = image.tag;
    if (tag.empty()) {
        auto colon = image.digest.find(':');
        tag = image.digest.substr(colon == std::string::npos ? 0 : colon + 1, 12);
    }
    std::string name = registry_file_stem(run.registry) + "-" + file_part(image.repository) + "-" + file_part(tag);
    if (!image.platform.empty()) name += "-" + file_part(image.platform);
    return std::filesystem::path(run.output_dir.empty() ? "." : run.output_dir) / (name + suffix);
}

std::string sarif_automation_id(const std::string& registry_url, const scan::ImageResult* image) {
    std::string id = "regscan/" + registry_host(registry_url) + "/";
    if (image) {
        id += image->repository + ":" + (image->tag.empty() ? image->digest : image->tag);
        if (!image->platform.empty()) id += "@" + image->platform;
        id += "/";
    }
    return id;
}

}  // namespace regscan::report
