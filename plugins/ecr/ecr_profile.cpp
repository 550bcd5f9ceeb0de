#include "ecr_profile.hpp"

#include <fstream>
#include <sstream>

#include "regscan/host.hpp"

namespace regscan::ecr {
namespace {

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string expand_home(const std::string& path, const Environment& env) {
    if (path == "~" || path.rfind("~/", 0) == 0) return env.get("HOME") + path.substr(1);
    return path;
}

}  // namespace

std::map<std::string, IniSection> parse_ini(std::string_view text) {
    std::map<std::string, IniSection> sections;
    IniSection* current = nullptr;
    while (!text.empty()) {
        auto end = text.find('\n');
        std::string_view raw = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        if (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t')) continue;  // nested value
        auto line = sdk::trim(raw);
        if (line.empty() || line.front() == '#' || line.front() == ';') continue;
        if (line.front() == '[' && line.back() == ']') {
            current = &sections[std::string(sdk::trim(line.substr(1, line.size() - 2)))];
            continue;
        }
        auto eq = line.find('=');
        if (!current || eq == std::string_view::npos) continue;
        (*current)[std::string(sdk::trim(line.substr(0, eq)))] = std::string(sdk::trim(line.substr(eq + 1)));
    }
    return sections;
}

ProfileFiles ProfileFiles::locate(const Environment& env) {
    ProfileFiles files;
    auto credentials = env.get("AWS_SHARED_CREDENTIALS_FILE");
    auto config = env.get("AWS_CONFIG_FILE");
    files.credentials_path = expand_home(credentials.empty() ? "~/.aws/credentials" : credentials, env);
    files.config_path = expand_home(config.empty() ? "~/.aws/config" : config, env);
    return files;
}

std::string Profile::value(const std::string& key) const {
    for (const auto* section : {in_credentials ? &*in_credentials : nullptr, in_config ? &*in_config : nullptr}) {
        if (!section) continue;
        auto it = section->find(key);
        if (it != section->end() && !it->second.empty()) return it->second;
    }
    return {};
}

std::string profile_name(const Environment& env) {
    for (const char* name : {"AWS_PROFILE", "AWS_DEFAULT_PROFILE"})
        if (auto value = env.get(name); !value.empty()) return value;
    return "default";
}

Profile load_profile(const ProfileFiles& files, const std::string& name) {
    Profile profile;
    profile.name = name;
    if (auto text = read_file(files.credentials_path)) {
        auto sections = parse_ini(*text);
        if (auto it = sections.find(name); it != sections.end()) profile.in_credentials = it->second;
    }
    if (auto text = read_file(files.config_path)) {
        auto sections = parse_ini(*text);
        auto it = sections.find("profile " + name);
        if (it == sections.end() && name == "default") it = sections.find("default");
        if (it != sections.end()) profile.in_config = it->second;
    }
    return profile;
}

}  // namespace regscan::ecr
