// WWW-Authenticate challenges (RFC 9110 section 11.6.1) as registries and
// vendor APIs send them:
//   Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"
//   Basic realm="Registry Realm"
// The core answers /v2/ challenges itself; a plugin that calls a vendor API
// answering with its own challenges parses them with this.
#pragma once

#include <cctype>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace regscan::sdk {

struct Challenge {
    std::string scheme;                         // as sent: "Bearer", "Basic"
    std::map<std::string, std::string> params;  // lowercase names

    [[nodiscard]] std::string param(const std::string& name) const {
        auto it = params.find(name);
        return it == params.end() ? std::string{} : it->second;
    }
};

namespace detail {

inline void skip_separators(std::string_view& s, std::string_view chars) {
    while (!s.empty() && chars.find(s.front()) != std::string_view::npos) s.remove_prefix(1);
}

inline std::string take_token(std::string_view& s) {
    size_t n = 0;
    while (n < s.size() && s[n] != '=' && s[n] != ',' && s[n] != ' ' && s[n] != '\t') ++n;
    std::string token(s.substr(0, n));
    s.remove_prefix(n);
    return token;
}

inline std::string take_value(std::string_view& s) {
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

}  // namespace detail

// Every challenge in one header value (several may be comma-separated).
inline std::vector<Challenge> parse_challenges(std::string_view s) {
    std::vector<Challenge> challenges;
    while (true) {
        detail::skip_separators(s, " \t,");
        Challenge challenge;
        challenge.scheme = detail::take_token(s);
        if (challenge.scheme.empty()) break;
        // auth-params run until a token that is not followed by '=' (the next scheme)
        while (true) {
            detail::skip_separators(s, " \t,");
            std::string_view lookahead = s;
            std::string name = detail::take_token(lookahead);
            detail::skip_separators(lookahead, " \t");
            if (name.empty() || lookahead.empty() || lookahead.front() != '=') break;
            lookahead.remove_prefix(1);
            detail::skip_separators(lookahead, " \t");
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            challenge.params[name] = detail::take_value(lookahead);
            s = lookahead;
        }
        challenges.push_back(std::move(challenge));
    }
    return challenges;
}

}  // namespace regscan::sdk
