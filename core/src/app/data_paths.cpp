#include "app/data_paths.hpp"

namespace regscan::app {

std::filesystem::path data_dir(const std::map<std::string, std::string>& env) {
    if (auto it = env.find("XDG_DATA_HOME"); it != env.end() && !it->second.empty())
        return std::filesystem::path(it->second) / "regscan";
    if (auto it = env.find("HOME"); it != env.end() && !it->second.empty())
        return std::filesystem::path(it->second) / ".local" / "share" / "regscan";
    return std::filesystem::current_path() / ".regscan";
}

std::filesystem::path default_config_path(const std::map<std::string, std::string>& env) {
    if (std::filesystem::exists("config")) return "config";
    auto value = [&](const char* name) {
        auto it = env.find(name);
        return it == env.end() ? std::string() : it->second;
    };
    const std::string xdg = value("XDG_CONFIG_HOME"), home = value("HOME");
    std::filesystem::path dir = !xdg.empty()   ? std::filesystem::path(xdg)
                                : home.empty() ? std::filesystem::path()
                                               : std::filesystem::path(home) / ".config";
    if (dir.empty()) return {};
    auto path = dir / "regscan" / "config";
    return std::filesystem::exists(path) ? path : std::filesystem::path();
}

}  // namespace regscan::app
