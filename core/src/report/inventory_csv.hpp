// The dry-run inventory: <host>-report.csv with one row per repository:tag,
// "repository,tag,build_time,skipped", repository prefixed with the host.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "regscan/reporter.hpp"

namespace regscan::report {

class InventoryCsv final : public sdk::Reporter {
public:
    explicit InventoryCsv(const sdk::ReportRun& run);
    // Reads "reference_repository", "tag", "build_time", "skipped".
    void image(const nlohmann::json& image) override;
    std::vector<std::string> finish(const nlohmann::json& summary) override;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace regscan::report
