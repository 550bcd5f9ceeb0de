#include "serve/http/message.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <cctype>

namespace regscan::serve::httpd {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string Request::header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (util::ascii_iequals(key, name)) return value;
    return {};
}

bool Request::has_header(std::string_view name) const {
    return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return util::ascii_iequals(h.first, name); });
}

std::string Request::param(const std::string& name, const std::string& fallback) const {
    auto it = query.find(name);
    return it == query.end() ? fallback : it->second;
}

void Response::set(std::string_view name, std::string value) {
    headers.erase(std::remove_if(headers.begin(), headers.end(), [&](const auto& h) { return util::ascii_iequals(h.first, name); }),
                  headers.end());
    headers.emplace_back(std::string(name), std::move(value));
}

std::string Response::header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (util::ascii_iequals(key, name)) return value;
    return {};
}

bool percent_decode(std::string_view text, std::string& out, bool plus_is_space) {
    out.clear();
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return false;
            int high = hex_value(text[i + 1]), low = hex_value(text[i + 2]);
            if (high < 0 || low < 0) return false;
            out.push_back(static_cast<char>(high * 16 + low));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return true;
}

bool parse_target(std::string_view target, std::string& path, std::map<std::string, std::string>& query) {
    query.clear();
    if (target.empty() || target.front() != '/') return false;
    auto mark = target.find('?');
    std::string_view raw_path = target.substr(0, mark);
    if (auto hash = raw_path.find('#'); hash != std::string_view::npos) raw_path = raw_path.substr(0, hash);
    if (!percent_decode(raw_path, path, false)) return false;
    for (unsigned char c : path)
        if (c < 0x20 || c == 0x7f) return false;
    if (mark == std::string_view::npos) return true;
    std::string_view rest = target.substr(mark + 1);
    if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
    while (!rest.empty()) {
        auto amp = rest.find('&');
        std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        if (pair.empty()) continue;
        auto eq = pair.find('=');
        std::string name, value;
        if (!percent_decode(pair.substr(0, eq), name, true)) return false;
        if (eq != std::string_view::npos && !percent_decode(pair.substr(eq + 1), value, true)) return false;
        query.emplace(std::move(name), std::move(value));  // the first value wins
    }
    return true;
}

}  // namespace regscan::serve::httpd
