// The core's side of a registry plugin: identify a URL with every plugin, and
// an open session whose calls cross the C table and come back as C++ values.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/registry_auth.hpp"
#include "plugin/host_services.hpp"
#include "plugin/loaded_plugin.hpp"
#include "regscan/registry.hpp"

namespace regscan::plugin {

struct Identified {
    std::shared_ptr<LoadedPlugin> plugin;
    std::string type;
    int score = 0;
};

// Asks every registry plugin to score `probe`; the highest wins, ties go to
// the earlier plugin, and DEFAULT_V2 is the fallback when nobody claims it.
// `forced_type` (from --type) skips scoring. Returns no plugin when none fits;
// `type` then names the registry type a plugin recognised but vetoed the
// fallback for (a vendor URL whose own plugin is not installed).
Identified identify_registry(const PluginSet& plugins, http::HttpClient& client, const sdk::Probe& probe,
                             const std::string& forced_type);

class RegistrySession {
public:
    // Throws sdk::Error with the plugin's reason when open() fails.
    RegistrySession(std::shared_ptr<LoadedPlugin> plugin, http::HttpClient& client, auth::RegistryAuth& auth,
                    const sdk::SessionConfig& config);
    ~RegistrySession();
    RegistrySession(const RegistrySession&) = delete;
    RegistrySession& operator=(const RegistrySession&) = delete;

    std::vector<sdk::Repository> repositories();
    std::vector<sdk::TagInfo> tags(const sdk::Repository& repository);
    std::optional<auth::PluginAuthorization> authorize(const sdk::AuthRequest& request);
    // What the plugin noted for the run summary so far.
    [[nodiscard]] std::vector<std::string> notes() const { return host_.notes(); }

private:
    std::shared_ptr<LoadedPlugin> plugin_;
    auth::RegistryAuth& auth_;
    HostServices host_;
    regscan_session* session_ = nullptr;
};

}  // namespace regscan::plugin
