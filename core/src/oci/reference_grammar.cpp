#include "oci/reference_grammar.hpp"

namespace regscan::oci {
namespace {

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component: alphanumeric runs joined by '.', '_', '__' or '-'+.
bool valid_component(std::string_view part) {
    if (part.empty() || !lower_alnum(part.front()) || !lower_alnum(part.back())) return false;
    for (size_t i = 0; i < part.size();) {
        if (lower_alnum(part[i])) {
            ++i;
            continue;
        }
        size_t start = i;
        while (i < part.size() && !lower_alnum(part[i])) ++i;
        auto separator = part.substr(start, i - start);
        bool dashes = separator.find_first_not_of('-') == std::string_view::npos;
        if (!(separator == "." || separator == "_" || separator == "__" || dashes)) return false;
    }
    return true;
}

}  // namespace

bool valid_repository_name(std::string_view name) {
    if (name.empty() || name.size() > 255) return false;
    for (size_t start = 0;;) {
        size_t slash = name.find('/', start);
        if (!valid_component(name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start)))
            return false;
        if (slash == std::string_view::npos) return true;
        start = slash + 1;
    }
}

bool valid_tag(std::string_view tag) {
    if (tag.empty() || tag.size() > 128) return false;
    auto word = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; };
    if (!word(tag.front())) return false;
    for (char c : tag)
        if (!word(c) && c != '.' && c != '-') return false;
    return true;
}

}  // namespace regscan::oci
