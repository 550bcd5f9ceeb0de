// Where regscan keeps its data by default: $XDG_DATA_HOME/regscan, else
// ~/.local/share/regscan (the XDG base directory spec).
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace regscan::app {

std::filesystem::path data_dir(const std::map<std::string, std::string>& env);
inline std::filesystem::path default_state_path(const std::map<std::string, std::string>& env) {
    return data_dir(env) / "state.db";
}

}  // namespace regscan::app
