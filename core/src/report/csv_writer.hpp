// RFC 4180 CSV: a field with a comma, quote or line break is quoted, and
// quotes inside are doubled. A leading =, +, - or @ is prefixed with ' so a
// spreadsheet never runs a repository name as a formula.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace regscan::report {

std::string csv_field(const std::string& value);
void write_csv_row(std::ostream& out, const std::vector<std::string>& fields);

}  // namespace regscan::report
