// --format NAME to the reporter that writes it.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "regscan/reporter.hpp"

namespace regscan::report {

// "table", "json", "sarif", "cyclonedx", "csv", in that order.
std::vector<std::string> known_formats();

// The reporter for `format`; "table" prints to `console`, the others write
// files into run.output_dir. Throws std::invalid_argument naming the known
// formats when `format` is not one of them.
std::unique_ptr<sdk::Reporter> make_reporter(const std::string& format, const sdk::ReportRun& run,
                                             std::ostream& console);

}  // namespace regscan::report
