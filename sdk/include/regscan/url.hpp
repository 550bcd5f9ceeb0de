// URL pieces every plugin needs: split, resolve a relative reference (Link
// headers and `next` fields are often relative), encode query values.
#pragma once

#include <cctype>
#include <cstdio>
#include <string>
#include <string_view>

namespace regscan::sdk {

struct Url {
    std::string scheme;  // "https"
    std::string host;    // "reg.example" or "[::1]"
    std::string port;    // "" when absent
    std::string path;    // "/v2/..." including the query, "" when absent

    // scheme://host[:port]
    [[nodiscard]] std::string origin() const {
        return scheme + "://" + host + (port.empty() ? "" : ":" + port);
    }
    // host[:port], the form used in image references
    [[nodiscard]] std::string authority() const { return host + (port.empty() ? "" : ":" + port); }
};

inline Url parse_url(std::string_view text) {
    Url url;
    auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) {
        url.scheme = "https";
    } else {
        url.scheme = std::string(text.substr(0, scheme_end));
        for (auto& c : url.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        text.remove_prefix(scheme_end + 3);
    }
    auto path_start = text.find_first_of("/?");
    std::string_view authority = text.substr(0, path_start);
    if (path_start != std::string_view::npos) url.path = std::string(text.substr(path_start));
    if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
    std::string_view host = authority;
    if (!authority.empty() && authority.front() == '[') {
        auto close = authority.find(']');
        host = authority.substr(0, close + 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':') url.port = std::string(authority.substr(close + 2));
    } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        url.port = std::string(authority.substr(colon + 1));
    }
    url.host = std::string(host);
    for (auto& c : url.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return url;
}

// Resolves `reference` against `base` for the forms registries send:
// absolute URLs, absolute paths and query-only references.
inline std::string resolve_url(const std::string& base, const std::string& reference) {
    if (reference.find("://") != std::string::npos) return reference;
    Url url = parse_url(base);
    if (!reference.empty() && reference.front() == '?') {
        auto query = url.path.find('?');
        return url.origin() + url.path.substr(0, query) + reference;
    }
    if (!reference.empty() && reference.front() == '/') return url.origin() + reference;
    auto path = url.path.substr(0, url.path.find('?'));
    auto slash = path.rfind('/');
    return url.origin() + (slash == std::string::npos ? "/" : path.substr(0, slash + 1)) + reference;
}

// The base that "/v2/..." is appended to: origin plus any path prefix (a
// registry served under /prefix/v2/), without a trailing "/" or "/v2".
inline std::string registry_base(const std::string& registry_url) {
    Url url = parse_url(registry_url);
    std::string path = url.path.substr(0, url.path.find('?'));
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (path.size() >= 3 && path.compare(path.size() - 3, 3, "/v2") == 0) path.resize(path.size() - 3);
    return url.origin() + path;
}

// RFC 3986 percent-encoding of a query value or path segment: everything but
// the unreserved characters (and those in `keep`, e.g. "/" for a whole path)
// becomes %XX with uppercase hex, as SigV4 and OAuth require.
inline std::string url_encode(std::string_view value, std::string_view keep = {}) {
    std::string out;
    for (unsigned char c : value) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
            keep.find(static_cast<char>(c)) != std::string_view::npos) {
            out += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

// (1.2) `url` with query parameter `name` set to `value` (percent-encoded):
// replaces every existing `name=...`, else appends. A fragment is dropped.
inline std::string with_query(const std::string& url, std::string_view name, std::string_view value) {
    std::string base = url.substr(0, url.find('#'));
    auto question = base.find('?');
    std::string query = question == std::string::npos ? std::string{} : base.substr(question + 1);
    base = base.substr(0, question);
    std::string kept;
    for (size_t start = 0; start <= query.size() && !query.empty();) {
        auto end = query.find('&', start);
        if (end == std::string::npos) end = query.size();
        std::string_view pair(query.data() + start, end - start);
        auto key = pair.substr(0, pair.find('='));
        if (!pair.empty() && key != name) kept += (kept.empty() ? "" : "&") + std::string(pair);
        start = end + 1;
    }
    kept += (kept.empty() ? "" : "&") + std::string(name) + "=" + url_encode(value);
    return base + "?" + kept;
}

// The target of `rel="next"` in an RFC 8288 Link header value, or "".
inline std::string next_link(std::string_view link_header) {
    while (!link_header.empty()) {
        auto open = link_header.find('<');
        auto close = link_header.find('>', open);
        if (open == std::string_view::npos || close == std::string_view::npos) return {};
        std::string target(link_header.substr(open + 1, close - open - 1));
        auto next_entry = link_header.find(",", close);
        // a comma inside <...> was skipped by searching from close
        std::string_view params = link_header.substr(close + 1, next_entry == std::string_view::npos
                                                                    ? std::string_view::npos
                                                                    : next_entry - close - 1);
        for (size_t pos = params.find("rel"); pos != std::string_view::npos; pos = params.find("rel", pos + 3)) {
            std::string_view rest = params.substr(pos + 3);
            while (!rest.empty() && (rest.front() == ' ' || rest.front() == '=')) rest.remove_prefix(1);
            if (!rest.empty() && rest.front() == '"') rest.remove_prefix(1);
            if (rest.substr(0, 4) == "next") return target;
        }
        if (next_entry == std::string_view::npos) return {};
        link_header.remove_prefix(next_entry + 1);
    }
    return {};
}

}  // namespace regscan::sdk
