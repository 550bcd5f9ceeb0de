// The credentials docker would use for a registry, from docker's config file
// ($DOCKER_CONFIG/config.json, else ~/.docker/config.json), looked up as the
// docker CLI does: the credential helper credHelpers names for the registry,
// else the credsStore helper, else the file's `auths` entry (`auth`, base64 of
// user:password, or `username`/`password`, or an `identitytoken`). A helper
// answering the username "<token>" gives an identity token too: it goes to the
// registry's token service as an OAuth2 refresh token (Credentials). Keys are
// matched as docker matches them: exactly, else by host[:port] with any scheme
// and path removed; Docker Hub is "https://index.docker.io/v1/". Every secret
// read is registered with the redacting sink at once; the credentials' source
// names the file and the entry or helper, never a value.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "auth/credential_helper.hpp"
#include "auth/registry_auth.hpp"

namespace regscan::auth {

// The key docker uses for a registry: "https://index.docker.io/v1/" for
// Docker Hub (docker.io, index.docker.io, registry-1.docker.io), else the
// URL's host[:port].
std::string docker_server_key(const std::string& registry_url);

// host[:port] of an auths or credHelpers key, as docker's ConvertToHostname:
// "https://reg.example:5000/v2/" -> "reg.example:5000".
std::string docker_key_hostname(const std::string& key);

// $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json; empty when
// neither variable is set.
std::filesystem::path docker_config_file(const std::map<std::string, std::string>& environment);

// The credentials for `registry_url` from docker's configuration, or nullopt
// (no file, no entry, the helper has none). Problems (a malformed file, a
// helper missing from PATH or failing) are logged as warnings naming the file
// and the helper, and the lookup goes on as docker would. `environment` gives
// DOCKER_CONFIG, HOME and PATH, and is the helper's environment.
std::optional<Credentials> docker_credentials(const std::string& registry_url,
                                              const std::map<std::string, std::string>& environment,
                                              const HelperOptions& helper_options = {});

// For the long-running commands (serve's imports, a worker's jobs), which have
// no command line of their own: `credentials` are left as they are when they
// hold any part; else they become docker's for `registry_url`, if any (true).
bool docker_credentials_unless_given(Credentials& credentials, const std::string& registry_url,
                                     const std::map<std::string, std::string>& environment);

}  // namespace regscan::auth
