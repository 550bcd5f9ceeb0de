#include "catalog/purl.hpp"

#include <algorithm>
#include <cctype>

#include "util/text.hpp"

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

std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
            !std::isxdigit(static_cast<unsigned char>(text[i + 2])))
            return std::nullopt;
        out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
        i += 2;
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

std::optional<Purl> parse(std::string_view text) {
    if (text.size() < 4 || util::ascii_lower(text.substr(0, 4)) != "pkg:") return std::nullopt;
    text.remove_prefix(4);
    while (!text.empty() && text.front() == '/') text.remove_prefix(1);
    if (auto hash = text.find('#'); hash != std::string_view::npos) text = text.substr(0, hash);
    Purl purl;
    if (auto question = text.find('?'); question != std::string_view::npos) {
        std::string_view query = text.substr(question + 1);
        text = text.substr(0, question);
        for (size_t start = 0; start <= query.size();) {
            size_t amp = query.find('&', start);
            if (amp == std::string_view::npos) amp = query.size();
            auto pair = query.substr(start, amp - start);
            start = amp + 1;
            auto eq = pair.find('=');
            if (eq == std::string_view::npos || eq == 0) continue;
            auto value = percent_decode(pair.substr(eq + 1));
            if (!value) return std::nullopt;
            purl.qualifiers[util::ascii_lower(pair.substr(0, eq))] = *value;
        }
    }
    // The version follows the last '@' (a literal '@' in a name is encoded).
    if (auto at = text.rfind('@'); at != std::string_view::npos) {
        auto version = percent_decode(text.substr(at + 1));
        if (!version) return std::nullopt;
        purl.version = *version;
        text = text.substr(0, at);
    }
    std::vector<std::string> segments;
    for (size_t start = 0; start <= text.size();) {
        size_t slash = text.find('/', start);
        if (slash == std::string_view::npos) slash = text.size();
        auto segment = text.substr(start, slash - start);
        start = slash + 1;
        if (segment.empty()) continue;
        auto decoded = percent_decode(segment);
        if (!decoded) return std::nullopt;
        segments.push_back(*decoded);
    }
    if (segments.size() < 2) return std::nullopt;
    purl.type = util::ascii_lower(segments.front());
    purl.name = segments.back();
    for (size_t i = 1; i + 1 < segments.size(); ++i) purl.namespace_ += (i > 1 ? "/" : "") + segments[i];
    if (purl.type.empty() || purl.name.empty()) return std::nullopt;
    if (auto epoch = purl.qualifiers.find("epoch"); epoch != purl.qualifiers.end() && !purl.version.empty() &&
                                                   purl.version.find(':') == std::string::npos)
        purl.version = epoch->second + ":" + purl.version;
    return purl;
}

std::string package_name(const Purl& purl) {
    if (purl.namespace_.empty()) return purl.name;
    if (purl.type == "maven") return purl.namespace_ + ":" + purl.name;
    if (purl.type == "npm" || purl.type == "golang" || purl.type == "composer") return purl.namespace_ + "/" + purl.name;
    return purl.name;
}

}  // namespace regscan::catalog::purl
