// --format table: the findings of each image as aligned text tables on the
// console, written when the run finishes. Writes no file.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "regscan/reporter.hpp"
#include "report/result_reporter.hpp"
#include "scan/model.hpp"

namespace regscan::report {

// Left-aligned columns two spaces apart, each line indented by `indent`;
// cells longer than `max_width` are cut and end in "...".
void write_text_table(std::ostream& out, const std::vector<std::string>& header,
                      const std::vector<std::vector<std::string>>& rows, const std::string& indent = "  ",
                      size_t max_width = 60);

class TableReport final : public ResultReporter {
public:
    explicit TableReport(std::ostream& console);
    void result(const scan::ImageResult& image) override;
    void stored_result(const scan::ImageResult& image, const StoredRendering& stored) override;
    // Prints the tables; returns no path.
    std::vector<std::string> finish(const nlohmann::json& summary) override;

private:
    std::ostream& console_;
    std::vector<scan::ImageResult> images_;
    std::map<std::string, size_t> package_counts_;  // by digest and platform
    std::map<std::string, size_t> suppressed_counts_;  // findings triage suppressed, by digest and platform
};

}  // namespace regscan::report
