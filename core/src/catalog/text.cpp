#include "catalog/text.hpp"

namespace regscan::catalog::text {

std::string_view trim(std::string_view s) {
    constexpr std::string_view space = " \t\r\n";
    size_t first = s.find_first_not_of(space);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(space) - first + 1);
}

std::string_view next_line(std::string_view& rest) {
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

std::string_view next_paragraph(std::string_view& rest) {
    // Leading blank lines separate nothing.
    while (!rest.empty()) {
        std::string_view probe = rest;
        if (!trim(next_line(probe)).empty()) break;
        rest = probe;
    }
    const char* start = rest.data();
    size_t length = 0;
    while (!rest.empty()) {
        std::string_view probe = rest;
        std::string_view line = next_line(probe);
        if (trim(line).empty()) {
            rest = probe;
            break;
        }
        length = static_cast<size_t>(line.data() + line.size() - start);
        rest = probe;
    }
    return {start, length};
}

}  // namespace regscan::catalog::text
