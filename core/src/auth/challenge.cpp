#include "auth/challenge.hpp"

#include <cctype>

#include "regscan/url.hpp"

namespace regscan::auth {
namespace {

void skip_spaces(std::string_view& s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
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
    } else {
        while (!s.empty() && s.front() != ',' && s.front() != ' ') {
            value += s.front();
            s.remove_prefix(1);
        }
    }
    return value;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

std::vector<Challenge> parse_challenges(std::string_view s) {
    std::vector<Challenge> challenges;
    while (true) {
        skip_spaces(s);
        while (!s.empty() && s.front() == ',') {
            s.remove_prefix(1);
            skip_spaces(s);
        }
        if (s.empty()) break;
        Challenge challenge;
        challenge.scheme = take_token(s);
        if (challenge.scheme.empty()) break;
        // auth-params until the next scheme: a token not followed by '='
        while (true) {
            skip_spaces(s);
            while (!s.empty() && s.front() == ',') {
                s.remove_prefix(1);
                skip_spaces(s);
            }
            std::string_view lookahead = s;
            std::string name = take_token(lookahead);
            skip_spaces(lookahead);
            if (name.empty() || lookahead.empty() || lookahead.front() != '=') break;
            lookahead.remove_prefix(1);
            skip_spaces(lookahead);
            challenge.params[lower(name)] = take_value(lookahead);
            s = lookahead;
        }
        challenges.push_back(std::move(challenge));
    }
    return challenges;
}

std::string scope_for_url(std::string_view url) {
    std::string path = sdk::parse_url(url).path;
    path = path.substr(0, path.find('?'));
    auto v2 = path.find("/v2/");
    if (v2 == std::string::npos) return {};
    std::string rest = path.substr(v2 + 4);
    if (rest == "_catalog") return "registry:catalog:*";
    for (const char* marker : {"/manifests/", "/blobs/", "/tags/list", "/referrers/"}) {
        auto at = rest.rfind(marker);
        if (at != std::string::npos && at > 0) return "repository:" + rest.substr(0, at) + ":pull";
    }
    return {};
}

}  // namespace regscan::auth
