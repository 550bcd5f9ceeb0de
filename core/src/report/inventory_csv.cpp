#include "report/inventory_csv.hpp"

#include <fstream>
#include <system_error>

#include "report/exclusive_file.hpp"

#include "report/csv_writer.hpp"
#include "report/report_name.hpp"

namespace regscan::report {

InventoryCsv::InventoryCsv(const sdk::ReportRun& run)
    : path_(std::filesystem::path(run.output_dir) / (registry_file_stem(run.registry) + "-report.csv")) {}

void InventoryCsv::image(const nlohmann::json& image) {
    rows_.push_back({image.value("reference_repository", ""), image.value("tag", ""), image.value("build_time", ""),
                     image.value("skipped", false) ? "true" : "false"});
}

std::vector<std::string> InventoryCsv::finish(const nlohmann::json&) {
    std::error_code ec;
    std::filesystem::create_directories(path_.parent_path().empty() ? "." : path_.parent_path(), ec);
    // Write beside the target and rename, so a reader never sees half a file.
    ExclusiveFile temporary(path_.parent_path().empty() ? "." : path_.parent_path(), path_.filename().string(),
                            "partial");
    const auto& partial = temporary.path();
    {
        std::ofstream out(temporary.open_path(), ExclusiveFile::no_truncate);
        if (!out) throw std::runtime_error("cannot write " + partial.string());
        write_csv_row(out, {"repository", "tag", "build_time", "skipped"});
        for (const auto& row : rows_) write_csv_row(out, row);
        if (!out.flush()) throw std::runtime_error("cannot write " + partial.string());
    }
    std::filesystem::rename(partial, path_);
    return {path_.string()};
}

}  // namespace regscan::report
