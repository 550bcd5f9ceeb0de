#include "scan/file_checks.hpp"

#include <array>

#include "scan/misconfig_rules.hpp"

namespace regscan::scan {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string_view basename(std::string_view path) {
    auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Test fixtures and documentation ship sample keys on purpose.
bool is_sample_location(std::string_view path) {
    return path.rfind("/usr/share/", 0) == 0 || path.find("/test/") != std::string_view::npos ||
           path.find("/tests/") != std::string_view::npos || path.find("/testdata/") != std::string_view::npos ||
           path.find("/site-packages/") != std::string_view::npos ||
           path.find("/node_modules/") != std::string_view::npos;
}

constexpr std::array<std::string_view, 5> credential_files = {
    "/.aws/credentials", "/.docker/config.json", "/.config/gcloud/application_default_credentials.json",
    "/.azure/accessTokens.json", "/.kube/config"};

}  // namespace

std::vector<Misconfiguration> mode_findings(const std::string& path, uint32_t mode) {
    std::vector<Misconfiguration> found;
    if (mode & 04000) found.push_back(rules::finding(rules::setuid_file, "setuid file", path));
    if (mode & 02000) found.push_back(rules::finding(rules::setgid_file, "setgid file", path));
    return found;
}

bool wants_secret_check(std::string_view path, uint64_t size) {
    if (size == 0 || size > 1024 * 1024 || is_sample_location(path)) return false;
    auto name = basename(path);
    if (name == "id_rsa" || name == "id_dsa" || name == "id_ecdsa" || name == "id_ed25519") return true;
    if (ends_with(name, ".pem") || ends_with(name, ".key") || ends_with(name, ".p8")) return true;
    for (auto file : credential_files)
        if (ends_with(path, file)) return true;
    return false;
}

std::vector<Misconfiguration> secret_findings(const std::string& path, std::string_view content) {
    std::vector<Misconfiguration> found;
    auto begin = content.find("-----BEGIN ");
    if (begin != std::string_view::npos) {
        auto line_end = content.find("-----", begin + 11);
        if (line_end != std::string_view::npos &&
            content.substr(begin, line_end - begin).find("PRIVATE KEY") != std::string_view::npos)
            found.push_back(rules::finding(rules::private_key, "PEM private key", path));
    }
    for (auto file : credential_files) {
        if (!ends_with(path, file)) continue;
        bool has_secret = content.find("aws_secret_access_key") != std::string_view::npos ||
                          content.find("\"auth\"") != std::string_view::npos ||
                          content.find("\"private_key\"") != std::string_view::npos ||
                          content.find("refresh_token") != std::string_view::npos ||
                          content.find("accessToken") != std::string_view::npos ||
                          content.find("client-key-data") != std::string_view::npos ||
                          content.find("token:") != std::string_view::npos;
        if (has_secret) found.push_back(rules::finding(rules::cloud_credentials, "credentials file", path));
    }
    return found;
}

}  // namespace regscan::scan
