#include "log/secrets.hpp"

#include <algorithm>
#include <deque>
#include <cctype>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace regscan::log {
namespace {

std::shared_mutex& mutex() {
    static std::shared_mutex m;
    return m;
}

std::vector<std::string>& secrets() {
    static std::vector<std::string> values;
    return values;
}

// The token secrets in the order they came, oldest first.
std::deque<std::string>& tokens() {
    static std::deque<std::string> values;
    return values;
}

// Called with the lock held: false when `value` is registered already.
bool insert_new(std::string_view value) {
    auto& values = secrets();
    if (std::find(values.begin(), values.end(), value) != values.end()) return false;
    // Longest first, so a secret that contains another is replaced whole.
    auto at = std::upper_bound(values.begin(), values.end(), value.size(),
                               [](size_t size, const std::string& other) { return size > other.size(); });
    values.emplace(at, value);
    return true;
}

}  // namespace

void add_secret(std::string_view value) {
    if (value.size() < 4) return;
    std::unique_lock lock(mutex());
    if (insert_new(value)) return;
    // Registered as a token before (a plugin's static credentials pass
    // through the token path too): from now on it is never evicted.
    auto& order = tokens();
    if (auto it = std::find(order.begin(), order.end(), value); it != order.end()) order.erase(it);
}

void add_token_secret(std::string_view value) {
    if (value.size() < 4) return;
    std::unique_lock lock(mutex());
    if (!insert_new(value)) return;
    auto& order = tokens();
    order.emplace_back(value);
    if (order.size() <= max_token_secrets) return;
    // The oldest token leaves.
    const std::string oldest = std::move(order.front());
    order.pop_front();
    auto& values = secrets();
    if (auto it = std::find(values.begin(), values.end(), oldest); it != values.end()) values.erase(it);
}

std::string redact(std::string_view text) {
    std::string out(text);
    {
        std::shared_lock lock(mutex());
        for (const auto& secret : secrets()) {
            for (auto pos = out.find(secret); pos != std::string::npos; pos = out.find(secret, pos + 3))
                out.replace(pos, secret.size(), "***");
        }
    }
    return mask_credential_fields(out);
}

std::string mask_credential_fields(std::string text) {
    // Scanned by hand, not with a regex: log lines carry registry-chosen text.
    static constexpr std::string_view markers[] = {"authorization:", "password=", "access_token=", "refresh_token=",
                                                   "client_secret="};
    auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    auto ends_value = [&](char c) { return is_space(c) || c == '&' || c == '"' || c == '\'' || c == ','; };
    for (auto marker : markers) {
        for (size_t pos = 0; pos + marker.size() <= text.size();) {
            size_t i = 0;
            while (i < marker.size() && lower(text[pos + i]) == marker[i]) ++i;
            if (i < marker.size()) {
                ++pos;
                continue;
            }
            size_t value = pos + marker.size();
            if (marker.front() == 'a' && marker.back() == ':') {
                // "Authorization: <scheme> <credentials>"
                while (value < text.size() && is_space(text[value])) ++value;
                size_t scheme = value;
                while (value < text.size() && (std::isalnum(static_cast<unsigned char>(text[value])) || text[value] == '_'))
                    ++value;
                size_t gap = value;
                while (value < text.size() && is_space(text[value])) ++value;
                if (value == scheme || value == gap) {
                    pos = value;
                    continue;
                }
            }
            size_t end = value;
            while (end < text.size() && !ends_value(text[end])) ++end;
            if (end > value) text.replace(value, end - value, "***");
            pos = value + (end > value ? 3 : 0);
        }
    }
    return text;
}

}  // namespace regscan::log
