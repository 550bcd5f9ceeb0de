#include "catalog/os_release_cataloger.hpp"

#include <stdexcept>

#include "catalog/text.hpp"

namespace regscan::catalog {

bool OsReleaseCataloger::wants(const FileInfo& file) const {
    return file.path == "/etc/os-release" || file.path == "/usr/lib/os-release";
}

void OsReleaseCataloger::analyse(const FileInfo& file, std::string_view content, FileFacts& facts) const {
    scan::OsRelease os = parse_os_release(content);
    if (os.id.empty()) throw std::runtime_error(file.path + ": no ID= line, not an os-release file");
    facts.os = std::move(os);
}

int os_release_precedence(std::string_view path) {
    // os-release(5): /etc/os-release is read first, /usr/lib/os-release only
    // when it is missing.
    if (path == "/etc/os-release") return 2;
    if (path == "/usr/lib/os-release") return 1;
    return 0;
}

std::string unquote_shell_value(std::string_view value) {
    std::string out;
    size_t i = 0;
    while (i < value.size()) {
        char c = value[i];
        if (c == '"') {
            for (++i; i < value.size() && value[i] != '"'; ++i) {
                if (value[i] == '\\' && i + 1 < value.size() &&
                    std::string_view("\"\\$`").find(value[i + 1]) != std::string_view::npos) {
                    ++i;
                }
                out += value[i];
            }
            ++i;  // the closing quote
        } else if (c == '\'') {
            size_t close = value.find('\'', i + 1);
            if (close == std::string_view::npos) close = value.size();
            out += value.substr(i + 1, close - i - 1);
            i = close + 1;
        } else if (c == ' ' || c == '\t') {
            break;  // the rest would be another word or a comment
        } else {
            if (c == '\\' && i + 1 < value.size()) ++i;
            out += value[i];
            ++i;
        }
    }
    return out;
}

scan::OsRelease parse_os_release(std::string_view content) {
    scan::OsRelease os;
    while (!content.empty()) {
        std::string_view line = text::trim(text::next_line(content));
        if (line.empty() || line.front() == '#') continue;
        size_t eq = line.find('=');
        if (eq == std::string_view::npos) continue;
        std::string_view key = line.substr(0, eq);
        std::string* field = nullptr;
        if (key == "ID") field = &os.id;
        else if (key == "VERSION_ID") field = &os.version_id;
        else if (key == "VERSION_CODENAME") field = &os.version_codename;
        else if (key == "ID_LIKE") field = &os.id_like;
        else if (key == "PRETTY_NAME") field = &os.pretty_name;
        if (field) *field = unquote_shell_value(line.substr(eq + 1));
    }
    return os;
}

}  // namespace regscan::catalog
