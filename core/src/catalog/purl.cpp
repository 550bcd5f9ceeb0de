#include "catalog/purl.hpp"

#include <algorithm>

namespace regscan::catalog::purl {

namespace {

bool unreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_' || c == '~' || c == ':';
}

std::string joined_qualifiers(Qualifiers qualifiers) {
    std::sort(qualifiers.begin(), qualifiers.end());
    std::string out;
    for (const auto& [key, value] : qualifiers) {
        if (value.empty()) continue;
        out += out.empty() ? '?' : '&';
        out += key;
        out += '=';
        out += encode(value);
    }
    return out;
}

}  // namespace

std::string encode(std::string_view text, bool keep_slash) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (unreserved(c) || (keep_slash && c == '/')) {
            out += c;
        } else {
            auto byte = static_cast<unsigned char>(c);
            out += '%';
            out += hex[byte >> 4];
            out += hex[byte & 15];
        }
    }
    return out;
}

std::string make(std::string_view type, std::string_view ns, std::string_view name, std::string_view version,
                 Qualifiers qualifiers) {
    std::string out = "pkg:";
    out += type;
    out += '/';
    if (!ns.empty()) {
        out += encode(ns, true);
        out += '/';
    }
    out += encode(name);
    if (!version.empty()) {
        out += '@';
        out += encode(version);
    }
    out += joined_qualifiers(std::move(qualifiers));
    return out;
}

std::string with_namespace_and_qualifier(std::string_view purl, std::string_view ns, std::string_view key,
                                         std::string_view value) {
    if (!purl.starts_with("pkg:")) return std::string(purl);
    std::string_view rest = purl.substr(4);
    size_t question = rest.find('?');
    std::string_view path = rest.substr(0, question);
    std::string_view query = question == std::string_view::npos ? std::string_view() : rest.substr(question + 1);

    // Encoded names and versions hold no '/', '@' or '?' of their own.
    size_t first_slash = path.find('/');
    size_t last_slash = path.rfind('/');
    if (first_slash == std::string_view::npos) return std::string(purl);
    std::string_view type = path.substr(0, first_slash);
    std::string_view name_version = path.substr(last_slash + 1);
    std::string_view old_ns =
        first_slash == last_slash ? std::string_view() : path.substr(first_slash + 1, last_slash - first_slash - 1);

    std::string out = "pkg:";
    out += type;
    out += '/';
    std::string new_ns = ns.empty() ? std::string(old_ns) : encode(ns, true);
    if (!new_ns.empty()) {
        out += new_ns;
        out += '/';
    }
    out += name_version;

    // The other qualifiers are kept as written (already encoded).
    Qualifiers qualifiers;
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        size_t eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        if (pair.substr(0, eq) == key) continue;
        qualifiers.emplace_back(std::string(pair.substr(0, eq)), std::string(pair.substr(eq + 1)));
    }
    std::sort(qualifiers.begin(), qualifiers.end());
    std::string new_value = encode(value);
    auto position = std::find_if(qualifiers.begin(), qualifiers.end(), [&](const auto& q) { return q.first > key; });
    if (!new_value.empty()) qualifiers.insert(position, {std::string(key), new_value});
    char separator = '?';
    for (const auto& [k, v] : qualifiers) {
        out += separator;
        out += k;
        out += '=';
        out += v;
        separator = '&';
    }
    return out;
}

}  // namespace regscan::catalog::purl
