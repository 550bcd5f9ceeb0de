#include "report/csv_writer.hpp"


#include "util/text.hpp"

namespace regscan::report {

namespace {

bool starts_formula(char c) { return c == '=' || c == '+' || c == '-' || c == '@'; }

}  // namespace

std::string csv_field(const std::string& raw) {
    // Control and format characters (a spreadsheet or a terminal may act on
    // them) are escaped; a value without any keeps its backslashes as is.
    const std::string escaped = util::has_control(raw) ? util::escape_control(raw) : raw;
    // A spreadsheet whose list separator is ';' (de, fr, nl locales) splits
    // the line at every ';', quoted or not: each part that could start a
    // formula is defused like the value's start ("x;=cmd|..." -> "x;'=cmd|...").
    std::string value;
    value.reserve(escaped.size() + 1);
    for (size_t i = 0; i < escaped.size(); ++i) {
        if ((i == 0 || escaped[i - 1] == ';') && starts_formula(escaped[i])) value += '\'';
        value += escaped[i];
    }
    // Quoted, it is one cell where ',' separates.
    if (value.find_first_of(",;\"\r\n") == std::string::npos) return value;
    std::string quoted = "\"";
    for (char c : value) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

void write_csv_row(std::ostream& out, const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i) out << (i ? "," : "") << csv_field(fields[i]);
    out << "\n";
}

}  // namespace regscan::report
