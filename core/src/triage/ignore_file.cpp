#include "triage/ignore_file.hpp"

#include <chrono>

#include "triage/input.hpp"
#include "util/text.hpp"

namespace regscan::triage {
namespace {

constexpr size_t max_id_length = 128;
constexpr size_t max_entries = 100000;

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool valid_id(std::string_view id) {
    if (id.empty() || id.size() > max_id_length) return false;
    for (char c : id) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '_' || c == '.' || c == ':' || c == '/';
        if (!ok) return false;
    }
    return true;
}

// A control character other than a tab (the text of a reason is shown in
// reports and on terminals, escaped there too).
bool has_control(std::string_view line) {
    for (unsigned char c : line)
        if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
    return false;
}

}  // namespace

bool valid_date(std::string_view date) {
    if (date.size() != 10 || date[4] != '-' || date[7] != '-') return false;
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (date[i] < '0' || date[i] > '9') return false;
    auto number = [&](size_t from, size_t length) {
        int value = 0;
        for (size_t i = from; i < from + length; ++i) value = value * 10 + (date[i] - '0');
        return value;
    };
    std::chrono::year_month_day day{std::chrono::year(number(0, 4)),
                                    std::chrono::month(static_cast<unsigned>(number(5, 2))),
                                    std::chrono::day(static_cast<unsigned>(number(8, 2)))};
    return day.ok();
}

IgnoreFile parse_ignore_file(std::string_view text, const std::string& path) {
    IgnoreFile file;
    file.path = path;
    const std::string shown = path;
    size_t number = 0;
    for (size_t start = 0; start < text.size();) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        ++number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        auto fail = [&](const std::string& why) {
            throw InputError(shown + ":" + std::to_string(number) + ": " + why);
        };
        if (has_control(line)) fail("control character in the line");
        // The reason: from a '#' at the start or after a blank.
        std::string reason;
        for (size_t i = 0; i < line.size(); ++i) {
            if (line[i] == '#' && (i == 0 || is_blank(line[i - 1]))) {
                std::string_view rest = line.substr(i + 1);
                while (!rest.empty() && is_blank(rest.front())) rest.remove_prefix(1);
                while (!rest.empty() && is_blank(rest.back())) rest.remove_suffix(1);
                reason = util::valid_utf8(rest);
                line = line.substr(0, i);
                break;
            }
        }
        std::vector<std::string_view> tokens;
        for (size_t i = 0; i < line.size();) {
            while (i < line.size() && is_blank(line[i])) ++i;
            size_t from = i;
            while (i < line.size() && !is_blank(line[i])) ++i;
            if (i > from) tokens.push_back(line.substr(from, i - from));
        }
        if (tokens.empty()) continue;  // blank or a comment
        IgnoreEntry entry;
        entry.line = number;
        entry.reason = std::move(reason);
        if (!valid_id(tokens[0]))
            fail("'" + std::string(tokens[0]) +
                 "' is not an id (letters, digits and - _ . : /, at most 128), e.g. CVE-2023-1234 or RS-CFG-001");
        entry.id = tokens[0];
        for (size_t t = 1; t < tokens.size(); ++t) {
            auto token = tokens[t];
            auto colon = token.find(':');
            auto key = colon == std::string_view::npos ? std::string_view() : token.substr(0, colon);
            auto value = colon == std::string_view::npos ? std::string_view() : token.substr(colon + 1);
            std::string* field = key == "exp"     ? &entry.expires
                                 : key == "pkg"   ? &entry.package
                                 : key == "path"  ? &entry.path
                                 : key == "image" ? &entry.image
                                                  : nullptr;
            if (!field)
                fail("unknown field '" + std::string(token) +
                     "' (an entry is: ID [exp:YYYY-MM-DD] [pkg:NAME] [path:PATTERN] [image:PATTERN] [# reason])");
            if (value.empty()) fail("'" + std::string(key) + ":' without a value");
            if (!field->empty()) fail("'" + std::string(key) + ":' given twice");
            if (key == "exp" && !valid_date(value))
                fail("'" + std::string(token) + "': the expiry date must be YYYY-MM-DD");
            *field = util::valid_utf8(value);
        }
        // pkg: scopes a vulnerability, path: a malware finding: together they
        // would match nothing, silently.
        if (!entry.package.empty() && !entry.path.empty()) fail("'pkg:' and 'path:' never apply to one finding");
        if (file.entries.size() == max_entries) fail("more than " + std::to_string(max_entries) + " entries");
        file.entries.push_back(std::move(entry));
    }
    return file;
}

}  // namespace regscan::triage
