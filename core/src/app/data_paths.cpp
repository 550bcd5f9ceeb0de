#include "app/data_paths.hpp"

namespace regscan::app {

std::filesystem::path data_dir(const std::map<std::string, std::string>& env) {
    if (auto it = env.find("XDG_DATA_HOME"); it != env.end() && !it->second.empty())
        return std::filesystem::path(it->second) / "regscan";
    if (auto it = env.find("HOME"); it != env.end() && !it->second.empty())
        return std::filesystem::path(it->second) / ".local" / "share" / "regscan";
    return std::filesystem::current_path() / ".regscan";
}

}  // namespace regscan::app
