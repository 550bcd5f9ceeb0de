#include "acr_challenge.hpp"

#include <cctype>

#include "regscan/host.hpp"
#include "regscan/url.hpp"

namespace regscan::acr {
namespace {

void skip(std::string_view& s, std::string_view chars) {
    while (!s.empty() && chars.find(s.front()) != std::string_view::npos) s.remove_prefix(1);
}

std::string take_token(std::string_view& s) {
    size_t n = 0;
    while (n < s.size() && s[n] != '=' && s[n] != ',' && s[n] != ' ' && s[n] != '\t') ++n;
    std::string token(s.substr(0, n));
    s.remove_prefix(n);
    return token;
}

std::string take_value(std::string_view& s) {
    std::string value;
    if (!s.empty() && s.front() == '"') {
        s.remove_prefix(1);
        while (!s.empty() && s.front() != '"') {
            if (s.front() == '\\' && s.size() > 1) s.remove_prefix(1);
            value += s.front();
            s.remove_prefix(1);
        }
        if (!s.empty()) s.remove_prefix(1);
        return value;
    }
    while (!s.empty() && s.front() != ',' && s.front() != ' ') {
        value += s.front();
        s.remove_prefix(1);
    }
    return value;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

std::optional<std::map<std::string, std::string>> bearer_challenge(std::string_view s) {
    while (true) {
        skip(s, " \t,");
        std::string scheme = take_token(s);
        if (scheme.empty()) return std::nullopt;
        std::map<std::string, std::string> params;
        // auth-params run until a token that is not followed by '=' (the next scheme)
        while (true) {
            skip(s, " \t,");
            std::string_view lookahead = s;
            std::string name = take_token(lookahead);
            skip(lookahead, " \t");
            if (name.empty() || lookahead.empty() || lookahead.front() != '=') break;
            lookahead.remove_prefix(1);
            skip(lookahead, " \t");
            params[lower(name)] = take_value(lookahead);
            s = lookahead;
        }
        if (sdk::iequals(scheme, "Bearer")) return params;
    }
}

std::string challenge_tenant(const std::map<std::string, std::string>& params) {
    if (auto it = params.find("tenant"); it != params.end() && !it->second.empty()) return it->second;
    for (const char* key : {"authorization_uri", "authorization"}) {
        auto it = params.find(key);
        if (it == params.end()) continue;
        std::string path = sdk::parse_url(it->second).path;
        path = path.substr(0, path.find('?'));
        while (!path.empty() && path.front() == '/') path.erase(0, 1);
        std::string segment = path.substr(0, path.find('/'));
        if (!segment.empty()) return segment;
    }
    return {};
}

}  // namespace regscan::acr
