#include "report/csv_writer.hpp"

#include <algorithm>

#include "util/text.hpp"

namespace regscan::report {

std::string csv_field(const std::string& raw) {
    // Control characters (a spreadsheet or a terminal may act on them) are
    // escaped; a value without any keeps its backslashes as they are.
    bool has_control = std::any_of(raw.begin(), raw.end(), [](char c) {
        auto b = static_cast<unsigned char>(c);
        return b < 0x20 || b == 0x7f || b == 0xc2;
    });
    std::string value = has_control ? util::escape_control(raw) : raw;
    if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@'))
        value.insert(value.begin(), '\'');
    if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
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
