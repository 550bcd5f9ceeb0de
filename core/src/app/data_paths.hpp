// Where regscan keeps its data by default: $XDG_DATA_HOME/regscan, else
// ~/.local/share/regscan (the XDG base directory spec), and where it finds
// its config file.
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace regscan::app {

std::filesystem::path data_dir(const std::map<std::string, std::string>& env);
inline std::filesystem::path default_state_path(const std::map<std::string, std::string>& env) {
    return data_dir(env) / "state.db";
}

// The config file 'registry' reads without --config: ./config, else
// $XDG_CONFIG_HOME/regscan/config (~/.config/regscan/config); empty when
// neither exists.
std::filesystem::path default_config_path(const std::map<std::string, std::string>& env);

}  // namespace regscan::app
