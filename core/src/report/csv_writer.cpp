#include "report/csv_writer.hpp"


#include "util/text.hpp"

namespace regscan::report {

std::string csv_field(const std::string& raw) {
    // Control and format characters (a spreadsheet or a terminal may act on
    // them) are escaped; a value without any keeps its backslashes as is.
    std::string value = util::has_control(raw) ? util::escape_control(raw) : raw;
    if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@'))
        value.insert(value.begin(), '\'');
    // Quoted, a value is one cell: unquoted, a spreadsheet whose list
    // separator is ';' (de, fr, nl locales) splits it there, and the part
    // after could start a formula ("x;=cmd|...").
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
