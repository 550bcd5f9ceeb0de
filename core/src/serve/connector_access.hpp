// What reaching a connector's registry takes, opened from its stored
// configuration: shared by serve's imports and the fleet's workers, which
// scan the images a connector's import queued and must reach the registry as
// the import does.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "auth/registry_auth.hpp"
#include "engine/run_options.hpp"
#include "serve/secret_box.hpp"
#include "state/service_store.hpp"

namespace regscan::serve {

struct ConnectorAccess {
    auth::Credentials credentials;  // the password unsealed (only in memory)
    // The connector's plugin options, its secret ones unsealed; override the
    // server's (or the worker's) command line.
    std::map<std::string, std::string> plugin_options;

    [[nodiscard]] bool operator==(const ConnectorAccess& other) const {
        return credentials.same_as(other.credentials) && plugin_options == other.plugin_options;
    }

    // Puts them in `run`: its credentials replaced, its plugin options (the
    // command line's) overlaid, the connector's named as given (so that one
    // of another plugin than the registry's is refused, as on a command line).
    void apply_to(engine::RunOptions& run) const;
};

// Every unsealed value is registered with the redacting log sink.
ConnectorAccess connector_access(const state::ConnectorRecord& connector, const SecretBox& secrets);

// Why docker's credentials for `registry_url` are not used for a connector
// (one with no credentials of its own), or nullopt when they may be.
// Whoever may edit connectors (serve's API token) would otherwise have the
// server's, or a worker's, docker credentials sent to a place of theirs:
// - an http:// registry URL other than loopback (in clear on the network);
// - a plugin option naming a place they may not go: a value with "://", or
//   any value of an option named *-api, *-endpoint, *-host, *-registry,
//   *-url, *-audience or *-port (a bare host or port too: how the plugin
//   completes it is its own), that fails http::credential_destination_problem
//   on the registry's port only (docker keys them by host[:port]);
// - a queue row's `pull_base` (a worker's) failing the same rule.
std::optional<std::string> docker_credentials_withheld(const std::string& registry_url,
                                                       const std::map<std::string, std::string>& plugin_options,
                                                       const std::string& pull_base = {});

// Whether `connector` still names the origin of `registry_url` and the
// plugin type `type` (case-free, as plugins match types) that a row was
// queued with: an edit pointing it elsewhere asks for its password again,
// and that password is not for rows queued before.
bool still_names(const state::ConnectorRecord& connector, const std::string& registry_url, const std::string& type);

// A stored connector's own plugin options (not the secret ones, which hold
// tokens, not places).
std::map<std::string, std::string> plain_plugin_options(const state::ConnectorRecord& connector);

}  // namespace regscan::serve
