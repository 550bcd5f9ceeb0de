// Where a queue row may send credentials. A worker reads rows that anyone
// able to write the shared state could have written, so a row alone never
// decides where a password goes:
// - a row of a connector's import carries a grant: serve seals, under its
//   connector key, the row's destination (the registry URL, the plugin that
//   reaches it, the pull base its listing gave). A worker uses the
//   connector's credentials and plugin options only for a row whose grant
//   opens under that key and names the row's own destination; whoever can
//   write the queue without holding serve's key cannot send a connector's
//   password to a registry of their own.
// - any other row (or a connector's on a worker without the key, which uses
//   its own credentials) may pull only from its registry's host or a host
//   under it, over no weaker scheme.
#pragma once

#include <cstdint>
#include <string>

#include "nlohmann/json.hpp"
#include "serve/secret_box.hpp"

namespace regscan::fleet {

// What of a queue row, beside its job options, a grant covers.
struct GrantedRow {
    std::string project;
    std::string registry_url;
    std::string registry_type;
};

// The text serve seals as a row's grant: its kind, then the destination (the
// connector, the row's project, registry URL and type, the job's --type and
// pull base), the same for the enqueuing run (which seals it) and the worker
// (which checks it). The repository and tag are not covered: a grant copied
// onto another row of the same connector, project and destination pulls
// another image of that registry with the connector's credentials, as the
// connector's own import could.
std::string grant_subject(int64_t connector, const GrantedRow& row, const nlohmann::json& job);

// Throws std::runtime_error saying why when `job` (a row of `connector`)
// has no grant, one not sealed under `secrets`, sealed text of another kind
// (a password), or one for another destination. Names no value of the row.
void check_grant(int64_t connector, const GrantedRow& row, const nlohmann::json& job, const serve::SecretBox& secrets);

// Throws std::runtime_error saying why when `pull_base` (a row's, "" for the
// registry itself) is not a plain URL (http/plain_url), not on
// `registry_url`'s host or a host under it, or drops https.
void check_pull_base(const std::string& registry_url, const std::string& pull_base);

}  // namespace regscan::fleet
