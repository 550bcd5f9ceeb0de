// The shared AWS files: ~/.aws/credentials ([name] sections) and ~/.aws/config
// ([default], [profile name] sections), located as the AWS CLI does.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "ecr_environment.hpp"

namespace regscan::ecr {

using IniSection = std::map<std::string, std::string>;

// key = value lines under [section] headers; '#' and ';' lines are comments;
// indented lines (nested settings such as "s3 =") are skipped.
std::map<std::string, IniSection> parse_ini(std::string_view text);

struct ProfileFiles {
    std::string credentials_path;  // AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials
    std::string config_path;       // AWS_CONFIG_FILE, else ~/.aws/config

    static ProfileFiles locate(const Environment& env);
};

struct Profile {
    std::string name;
    std::optional<IniSection> in_credentials;  // [name] of the credentials file
    std::optional<IniSection> in_config;       // [profile name] or [default] of the config file

    [[nodiscard]] bool exists() const { return in_credentials || in_config; }
    // The credentials file wins over the config file, as in the AWS CLI.
    [[nodiscard]] std::string value(const std::string& key) const;
};

// AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default".
std::string profile_name(const Environment& env);
// Missing or unreadable files hold no profiles.
Profile load_profile(const ProfileFiles& files, const std::string& name);

}  // namespace regscan::ecr
