#include "report/json_report.hpp"

#include "report/report_file.hpp"
#include "scan/model_json.hpp"

namespace regscan::report {

JsonReport::JsonReport(const sdk::ReportRun& run)
    : run_(run), path_(report_path(run, "-report.json")), images_(path_) {}

void JsonReport::result(const scan::ImageResult& image) {
    // Through the model, so the report holds exactly the documented fields.
    images_.add(image_sort_key(image), nlohmann::json(image));
}

void JsonReport::stored_result(const scan::ImageResult& image, const StoredRendering& stored) {
    const std::string status = scan::to_string(image.status);
    auto pieces = json_entry_pieces_with_status(stored.json_entry, status);
    images_.add_pieces(image_sort_key(image), {pieces[0], pieces[1], pieces[2]});
}

std::vector<std::string> JsonReport::finish(const nlohmann::json& summary) {
    nlohmann::json document = {
        {"schema_version", json_report_schema_version},
        {"tool", {{"name", tool_name}, {"version", tool_version()}}},
        {"run",
         {{"registry", registry_without_credentials(run_.registry)}, {"mode", run_.mode}, {"started", run_.started}}},
        {"summary", summary.is_object() ? summary : nlohmann::json::object()}};
    images_.write_document_to(path_, std::move(document), "images");
    return {path_.string()};
}

}  // namespace regscan::report
