#include "quay_config.hpp"

#include <algorithm>
#include <cctype>

#include "regscan/error.hpp"
#include "regscan/url.hpp"

namespace regscan::quay {
namespace {

std::string lowercase(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// Quay's namespace names: lowercase letters and digits, single '.', '_' or '-'
// between them (util/names.py). Anything else would end up in an API path.
bool valid_namespace(const std::string& name) {
    if (name.size() < 2 || name.size() > 255) return false;
    if (!std::isalnum(static_cast<unsigned char>(name.front())) || !std::isalnum(static_cast<unsigned char>(name.back())))
        return false;
    char previous = 'a';
    for (unsigned char c : name) {
        bool separator = c == '.' || c == '_' || c == '-';
        if (!(std::islower(c) || std::isdigit(c) || separator)) return false;
        if (separator && (previous == '.' || previous == '_' || previous == '-')) return false;
        previous = static_cast<char>(c);
    }
    return true;
}

}  // namespace

bool is_quay_io_host(const std::string& host) { return lowercase(host) == "quay.io"; }

std::vector<std::string> split_namespaces(const std::string& joined) {
    std::vector<std::string> names;
    for (const auto& item : sdk::split_option_list(joined)) {
        std::string name = lowercase(item);
        if (!valid_namespace(name))
            throw sdk::Error(REGSCAN_BAD_ARGUMENT, "'" + name +
                                                       "' is not a Quay namespace (an organisation or user: "
                                                       "lowercase letters and digits, '.', '_' or '-' between them)");
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    return names;
}

std::string robot_namespace(const std::string& username) {
    auto plus = username.find('+');
    if (plus == std::string::npos || plus == 0 || plus + 1 == username.size()) return {};
    return lowercase(username.substr(0, plus));
}

std::string namespace_from_url(const std::string& url) {
    const std::string path = sdk::parse_url(url).path;
    const std::string clean = path.substr(0, path.find_first_of("?#"));
    for (const char* prefix : {"/organization/", "/user/", "/repository/"}) {
        const std::string p = prefix;
        if (clean.rfind(p, 0) != 0) continue;
        std::string rest = clean.substr(p.size());
        std::string name = lowercase(rest.substr(0, rest.find('/')));
        return valid_namespace(name) ? name : std::string{};
    }
    return {};
}

QuayConfig quay_config(const sdk::SessionConfig& config) {
    QuayConfig quay;
    quay.base = sdk::parse_url(config.url).origin();
    quay.username = config.username;
    quay.password = config.password;
    quay.token = config.option("quay-token");
    // The core's rule for every registry: a password alone is a token.
    if (quay.token.empty() && quay.username.empty() && !quay.password.empty()) {
        quay.token = quay.password;
        quay.password.clear();
    }

    quay.namespaces = split_namespaces(config.option("namespace"));
    if (quay.namespaces.empty())
        if (auto from_url = namespace_from_url(config.url); !from_url.empty()) quay.namespaces.push_back(from_url);
    if (quay.namespaces.empty() && !quay.username.empty()) {
        std::string owner = robot_namespace(quay.username);
        if (owner.empty()) owner = lowercase(quay.username);
        if (!valid_namespace(owner))
            throw sdk::Error(REGSCAN_BAD_ARGUMENT, "the username names no Quay namespace; name the organisations "
                                                   "to list with --namespace NAME");
        quay.namespaces.push_back(owner);
    }
    if (quay.namespaces.empty())
        throw sdk::Error(REGSCAN_BAD_ARGUMENT,
                         "Quay lists repositories per namespace: name the organisations or users to list with "
                         "--namespace NAME (repeatable), or give a robot account (--username org+name), whose "
                         "organisation is then listed");
    return quay;
}

}  // namespace regscan::quay
