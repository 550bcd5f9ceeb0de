// --format table: the findings of each image as aligned text tables on the
// console, written when the run finishes. Writes no file.
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <streambuf>
#include <string>
#include <vector>

#include "regscan/reporter.hpp"
#include "report/result_reporter.hpp"
#include "scan/model.hpp"

namespace regscan::report {

// Left-aligned columns two spaces apart, each line indented by `indent`;
// cells longer than `max_width` are cut and end in "...". When `colour_column`
// is a column index, its cells (severity words) are coloured with ANSI codes
// that do not count towards the alignment.
void write_text_table(std::ostream& out, const std::vector<std::string>& header,
                      const std::vector<std::vector<std::string>>& rows, const std::string& indent = "  ",
                      size_t max_width = 60, std::optional<size_t> colour_column = std::nullopt);

// --table-mode and --color, as the command line resolved them.
struct TableStyle {
    bool detailed = true;  // false: --table-mode summary, only the one line per image
    bool colour = false;   // severity words in ANSI colours (standard output only)
};

// Resolves --table-mode (summary|detailed, "" = detailed) and --color
// (auto|always|never, "" = auto; auto: standard output is a terminal and
// NO_COLOR unset or empty). Throws std::invalid_argument on another value.
TableStyle resolve_table_style(const std::string& mode, const std::string& colour, bool stdout_is_terminal,
                               const std::string& no_color);
// The style a TableReport made without one uses; set once by the command line.
void set_table_style(const TableStyle& style);
const TableStyle& table_style();

// While alive, std::cout writing into `capture` counts as standard output for
// the colour check: `regscan image -o -` captures the table to write it to
// standard output after the run (engine/image_run.cpp). Any other buffer
// (a -o FILE capture) is never coloured.
class StandardOutputStandIn {
public:
    explicit StandardOutputStandIn(std::streambuf* capture);
    StandardOutputStandIn(const StandardOutputStandIn&) = delete;
    StandardOutputStandIn& operator=(const StandardOutputStandIn&) = delete;
    ~StandardOutputStandIn();

private:
    std::streambuf* previous_;
};

// The main id shown for a vulnerability: its id when it is a CVE, else its
// first alias starting "CVE-", else its id.
std::string main_vulnerability_id(const scan::Vulnerability& vulnerability);

class TableReport final : public ResultReporter {
public:
    // Uses table_style(), without colour unless `console` is std::cout.
    explicit TableReport(std::ostream& console);
    TableReport(std::ostream& console, const TableStyle& style);
    void result(const scan::ImageResult& image) override;
    void stored_result(const scan::ImageResult& image, const StoredRendering& stored) override;
    // Prints the tables; returns no path.
    std::vector<std::string> finish(const nlohmann::json& summary) override;

private:
    std::ostream& console_;
    TableStyle style_;
    std::vector<scan::ImageResult> images_;
    std::map<std::string, size_t> package_counts_;  // by digest and platform
    std::map<std::string, size_t> suppressed_counts_;  // findings triage suppressed, by digest and platform
};

}  // namespace regscan::report
