#include "fleet/job_grant.hpp"

#include <stdexcept>

#include "http/plain_url.hpp"
#include "regscan/url.hpp"
#include "util/json_text.hpp"

namespace regscan::fleet {

namespace {

// Sealed text of another kind (a password, a plugin option, sealed under
// the same key and given through serve's API) never opens as a grant.
constexpr std::string_view grant_kind = "regscan queue grant v1\n";

// A field the grant covers: absent is "", any other JSON type is refused
// (the worker reads it as a string afterwards).
std::string field(const nlohmann::json& job, const char* name) {
    auto found = job.find(name);
    if (found == job.end()) return {};
    if (!found->is_string()) throw std::runtime_error(std::string("the queue row's ") + name + " is not a string");
    return found->get<std::string>();
}

nlohmann::json subject_of(int64_t connector, const GrantedRow& row, const nlohmann::json& job) {
    return {{"connector", connector},         {"project", row.project},   {"registry_url", row.registry_url},
            {"registry_type", row.registry_type}, {"type", field(job, "type")}, {"pull_base", field(job, "pull_base")}};
}

}  // namespace

std::string grant_subject(int64_t connector, const GrantedRow& row, const nlohmann::json& job) {
    return std::string(grant_kind) +
           util::json_text(subject_of(connector, row, job));
}

void check_grant(int64_t connector, const GrantedRow& row, const nlohmann::json& job, const serve::SecretBox& secrets) {
    const std::string refused = "connector " + std::to_string(connector) + "'s credentials are not used for it";
    auto grant = job.find("grant");
    if (grant == job.end() || !grant->is_string())
        throw std::runtime_error("the queue row carries no grant of serve's (it was not queued by a connector's "
                                 "import of this version): " + refused);
    std::string opened;
    try {
        opened = secrets.open(grant->get<std::string>());
    } catch (const serve::SecretBoxError&) {
        throw std::runtime_error("the queue row's grant was not sealed with serve's key (--connector-key): " + refused);
    }
    if (opened.compare(0, grant_kind.size(), grant_kind) != 0)
        throw std::runtime_error("the queue row's grant is sealed text of another kind, not a grant: " + refused);
    auto granted = nlohmann::json::parse(opened.substr(grant_kind.size()), nullptr, false);
    // Compared as the text the enqueuing run sealed: both dumped alike.
    const auto expected = nlohmann::json::parse(grant_subject(connector, row, job).substr(grant_kind.size()));
    for (const auto& [name, value] : expected.items())
        if (!granted.is_object() || !granted.contains(name) || granted[name] != value)
            throw std::runtime_error("the queue row's " + name + " is not the one serve's grant names: " + refused);
}

void check_pull_base(const std::string& registry_url, const std::string& pull_base) {
    if (pull_base.empty()) return;
    if (auto problem = http::credential_destination_problem(registry_url, pull_base))
        throw std::runtime_error("the queue row's pull base " + *problem + ": no credentials are sent there");
}

}  // namespace regscan::fleet
