#include "log/secrets.hpp"

#include <algorithm>
#include <mutex>
#include <regex>
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

}  // namespace

void add_secret(std::string_view value) {
    if (value.size() < 4) return;
    std::unique_lock lock(mutex());
    auto& values = secrets();
    if (std::find(values.begin(), values.end(), value) != values.end()) return;
    values.emplace_back(value);
    // Longest first, so a secret that contains another is replaced whole.
    std::sort(values.begin(), values.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
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
    static const std::regex credential_patterns(
        R"((authorization:\s*\w+\s+|password=|access_token=|refresh_token=|client_secret=)[^\s&"',]+)",
        std::regex::icase);
    if (out.find_first_of("=:") != std::string::npos) out = std::regex_replace(out, credential_patterns, "$1***");
    return out;
}

}  // namespace regscan::log
