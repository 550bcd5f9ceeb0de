#include "report/json_report.hpp"

#include "report/report_file.hpp"
#include "scan/model_json.hpp"

namespace regscan::report {

JsonReport::JsonReport(const sdk::ReportRun& run) : run_(run), path_(report_path(run, "-report.json")) {}

void JsonReport::image(const nlohmann::json& image) {
    // Through the model, so the report holds exactly the documented fields.
    images_.push_back(image.get<scan::ImageResult>());
}

nlohmann::json JsonReport::document(const nlohmann::json& summary) const {
    auto images = images_;
    sort_images(images);
    return {{"schema_version", json_report_schema_version},
            {"tool", {{"name", tool_name}, {"version", tool_version()}}},
            {"run",
             {{"registry", registry_without_credentials(run_.registry)},
              {"mode", run_.mode},
              {"started", run_.started}}},
            {"summary", summary.is_object() ? summary : nlohmann::json::object()},
            {"images", images}};
}

std::vector<std::string> JsonReport::finish(const nlohmann::json& summary) {
    auto text = dump_json(document(summary));
    write_file_atomically(path_, [&](std::ostream& out) { out << text; });
    return {path_.string()};
}

}  // namespace regscan::report
