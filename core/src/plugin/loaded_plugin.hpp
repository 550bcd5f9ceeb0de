// A plugin library that passed every check, and the search for them.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "regscan/plugin_abi.h"

namespace boost::dll {
class shared_library;
}

namespace regscan::plugin {

// A command-line option a registry plugin declares (plugin_abi.h).
struct PluginOption {
    std::string name;
    std::string help;
    std::string env;
    bool secret = false;  // (SDK 1.3) redacted from logs; serve seals it like a password
};

// Owns the library handle. Everything made from a plugin's tables holds a
// shared_ptr to its LoadedPlugin, so no plugin object outlives its code.
class LoadedPlugin {
public:
    LoadedPlugin(std::shared_ptr<boost::dll::shared_library> library, const regscan_plugin* descriptor,
                 std::filesystem::path path);
    ~LoadedPlugin();

    [[nodiscard]] std::string id() const { return descriptor_->id; }
    [[nodiscard]] std::string version() const { return descriptor_->version ? descriptor_->version : ""; }
    [[nodiscard]] std::string description() const { return descriptor_->description ? descriptor_->description : ""; }
    [[nodiscard]] std::string sdk_version() const;
    [[nodiscard]] unsigned abi_minor() const { return descriptor_->abi_minor; }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] std::vector<std::string> registry_types() const;
    [[nodiscard]] const std::vector<PluginOption>& options() const { return options_; }
    // nullptr when the plugin does not offer the capability.
    [[nodiscard]] const regscan_registry_api* registry() const { return registry_; }
    [[nodiscard]] const regscan_filter_api* filter() const { return filter_; }
    [[nodiscard]] const regscan_reporter_api* reporter() const { return reporter_; }
    // Held around identify(): `serve` identifies two connectors' registries at
    // once, and no plugin's identify() runs twice at once.
    [[nodiscard]] std::mutex& identify_lock() const { return identify_lock_; }

private:
    friend class Loader;
    std::shared_ptr<boost::dll::shared_library> library_;
    const regscan_plugin* descriptor_;
    std::filesystem::path path_;
    const regscan_registry_api* registry_ = nullptr;
    const regscan_filter_api* filter_ = nullptr;
    const regscan_reporter_api* reporter_ = nullptr;
    std::vector<PluginOption> options_;
    mutable std::mutex identify_lock_;
};

struct Refusal {
    std::filesystem::path path;
    std::string reason;
};

struct PluginSet {
    std::vector<std::shared_ptr<LoadedPlugin>> plugins;
    std::vector<Refusal> refused;
    std::vector<std::filesystem::path> searched;

    // The plugin whose registry types include `type` (case-insensitive).
    [[nodiscard]] std::shared_ptr<LoadedPlugin> for_type(const std::string& type) const;

    // The names of every option a plugin declares secret (SDK 1.3), whose
    // values must be redacted and kept like a password.
    [[nodiscard]] std::set<std::string> secret_option_names() const;
};

// Directories searched, in order: each --plugin-dir, then REGSCAN_PLUGIN_PATH
// (colon-separated), then <executable dir>/../lib/regscan/plugins.
std::vector<std::filesystem::path> plugin_search_path(const std::vector<std::string>& cli_dirs);

// Loads every *.so in `dirs`. A file that fails a check is listed in
// `refused` with the reason and skipped; the others still load. A plugin id
// seen earlier in the search path wins over a later duplicate.
PluginSet load_plugins(const std::vector<std::filesystem::path>& dirs);

}  // namespace regscan::plugin
