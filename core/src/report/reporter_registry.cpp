#include "report/reporter_registry.hpp"

#include <stdexcept>

#include "report/cyclonedx_report.hpp"
#include "report/findings_csv.hpp"
#include "report/json_report.hpp"
#include "report/sarif_report.hpp"
#include "report/spdx_report.hpp"
#include "report/table_report.hpp"

namespace regscan::report {

// The "-per-image" forms are what --sarif-per-image and --sbom-per-image make
// of sarif, cyclonedx and spdx: one file per image.
std::vector<std::string> known_formats() {
    return {"table", "json", "sarif", "cyclonedx", "spdx", "csv", "sarif-per-image", "cyclonedx-per-image",
            "spdx-per-image"};
}

std::unique_ptr<sdk::Reporter> make_reporter(const std::string& format, const sdk::ReportRun& run,
                                             std::ostream& console) {
    if (format == "table") return std::make_unique<TableReport>(console);
    if (format == "json") return std::make_unique<JsonReport>(run);
    if (format == "sarif") return std::make_unique<SarifReport>(run);
    if (format == "sarif-per-image") return std::make_unique<SarifReport>(run, true);
    if (format == "cyclonedx") return std::make_unique<CycloneDxReport>(run);
    if (format == "cyclonedx-per-image") return std::make_unique<CycloneDxReport>(run, true);
    if (format == "spdx") return std::make_unique<SpdxReport>(run);
    if (format == "spdx-per-image") return std::make_unique<SpdxReport>(run, true);
    if (format == "csv") return std::make_unique<FindingsCsv>(run);
    std::string known;
    for (const auto& name : known_formats()) known += (known.empty() ? "" : ", ") + name;
    throw std::invalid_argument("unknown report format '" + format + "' (known: " + known + ")");
}

}  // namespace regscan::report
