#include "report/result_reporter.hpp"

#include "scan/model_json.hpp"

namespace regscan::report {

void ResultReporter::image(const nlohmann::json& image) { result(image.get<scan::ImageResult>()); }

scan::ImageResult without_packages(const scan::ImageResult& image) {
    scan::ImageResult kept = image;
    kept.packages = {};  // releases the list's memory, unlike clear()
    return kept;
}

}  // namespace regscan::report
