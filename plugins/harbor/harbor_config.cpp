#include "harbor_config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "regscan/error.hpp"
#include "regscan/url.hpp"

namespace regscan::harbor {
// Anything else would end up in an API path, so it is refused rather than
// escaped.
bool valid_project(const std::string& name) {
    if (name.empty() || name.size() > 255) return false;
    if (!std::isalnum(static_cast<unsigned char>(name.front()))) return false;
    return std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::islower(c) || std::isdigit(c) || c == '.' || c == '-' || c == '_';
    });
}

std::string api_base(const std::string& url) {
    auto parsed = sdk::parse_url(url);
    std::string path = parsed.path.substr(0, parsed.path.find_first_of("?#"));
    if (path == "/harbor" || path.rfind("/harbor/", 0) == 0) return parsed.origin();
    return sdk::registry_base(url);
}

std::vector<std::string> split_projects(const std::string& joined) {
    auto names = sdk::split_option_list(joined);
    for (const auto& name : names)
        if (!valid_project(name))
            throw sdk::Error(REGSCAN_BAD_ARGUMENT, "--harbor-project '" + name +
                                                       "' is not a Harbor project name (lowercase letters, "
                                                       "digits, '.', '-', '_')");
    return names;
}

std::string robot_project(const std::string& username) {
    const std::string prefix = "robot$";
    if (username.rfind(prefix, 0) != 0) return {};
    auto plus = username.find('+', prefix.size());
    if (plus == std::string::npos) return {};
    std::string project = username.substr(prefix.size(), plus - prefix.size());
    return valid_project(project) ? project : std::string{};
}

HarborConfig harbor_config(const sdk::SessionConfig& config) {
    HarborConfig harbor;
    harbor.base = api_base(config.url);
    harbor.projects = split_projects(config.option("harbor-project"));
    harbor.username = config.username;
    harbor.password = config.password;
    if (auto size = config.option("harbor-page-size"); !size.empty()) {
        int value = 0;
        auto [end, error] = std::from_chars(size.data(), size.data() + size.size(), value);
        if (error != std::errc{} || end != size.data() + size.size() || value < 1 || value > max_page_size)
            throw sdk::Error(REGSCAN_BAD_ARGUMENT, "--harbor-page-size must be a number from 1 to " +
                                                       std::to_string(max_page_size) + ", not '" + size + "'");
        harbor.page_size = value;
    }
    return harbor;
}

}  // namespace regscan::harbor
