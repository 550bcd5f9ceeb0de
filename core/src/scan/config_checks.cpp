#include "scan/config_checks.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

#include "scan/misconfig_rules.hpp"

namespace regscan::scan {
namespace {

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

// Values that are secrets whatever their variable is called.
bool looks_like_secret_value(const std::string& value) {
    static const std::regex known(
        R"((AKIA|ASIA)[0-9A-Z]{16}|gh[pousr]_[0-9A-Za-z]{36}|glpat-[0-9A-Za-z_\-]{20}|xox[baprs]-[0-9A-Za-z-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----)");
    return std::regex_search(value, known);
}

// A value that is clearly not a secret: empty, a placeholder, a path to one.
bool is_placeholder(const std::string& value) {
    if (value.empty()) return true;
    static const std::regex placeholder(R"(^(\$\{?[A-Za-z_]+\}?|changeme|<.*>|/.*|true|false|none|null)$)",
                                        std::regex::icase);
    return std::regex_match(value, placeholder);
}

}  // namespace

bool looks_like_secret_name(const std::string& name) {
    std::string n = upper(name);
    // *_FILE variables point at a secret, they do not hold one.
    if (n.size() > 5 && n.compare(n.size() - 5, 5, "_FILE") == 0) return false;
    for (const char* word : {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "ACCESS_KEY",
                             "PRIVATE_KEY", "CREDENTIAL"})
        if (n.find(word) != std::string::npos) return true;
    return false;
}

std::vector<Misconfiguration> check_image_config(const nlohmann::json& image_config) {
    std::vector<Misconfiguration> found;
    const auto& config = image_config.contains("config") && image_config["config"].is_object()
                             ? image_config["config"]
                             : nlohmann::json::object();

    std::string user = config.value("User", "");
    std::string name = user.substr(0, user.find(':'));
    if (name.empty() || name == "root" || name == "0")
        found.push_back(rules::finding(rules::runs_as_root,
                                       user.empty() ? "no USER set: containers run as root" : "USER is " + user,
                                       "config.User"));

    const auto* health = config.contains("Healthcheck") ? &config["Healthcheck"] : nullptr;
    bool disabled = health && health->is_object() && health->contains("Test") && (*health)["Test"].is_array() &&
                    !(*health)["Test"].empty() && (*health)["Test"][0] == "NONE";
    if (!health || health->is_null() || disabled)
        found.push_back(rules::finding(rules::no_healthcheck, "no HEALTHCHECK instruction", "config.Healthcheck"));

    if (config.contains("Env") && config["Env"].is_array()) {
        for (const auto& item : config["Env"]) {
            if (!item.is_string()) continue;
            std::string entry = item.get<std::string>();
            auto eq = entry.find('=');
            std::string key = entry.substr(0, eq);
            std::string value = eq == std::string::npos ? "" : entry.substr(eq + 1);
            if ((looks_like_secret_name(key) && !is_placeholder(value)) || looks_like_secret_value(value))
                found.push_back(rules::finding(rules::secret_in_env, "variable " + key + " holds a secret",
                                               "config.Env." + key));
        }
    }
    if (config.contains("Labels") && config["Labels"].is_object()) {
        for (const auto& [key, value] : config["Labels"].items()) {
            std::string text = value.is_string() ? value.get<std::string>() : value.dump();
            if ((looks_like_secret_name(key) && !is_placeholder(text)) || looks_like_secret_value(text))
                found.push_back(rules::finding(rules::secret_in_label, "label " + key + " holds a secret",
                                               "config.Labels." + key));
        }
    }
    if (image_config.contains("history") && image_config["history"].is_array()) {
        static const std::regex remote_add(R"((^|\s)ADD\s+(--[^\s]+\s+)*(https?|ftp)://)", std::regex::icase);
        const auto& history = image_config["history"];
        for (size_t i = 0; i < history.size(); ++i) {
            std::string created_by = history[i].is_object() ? history[i].value("created_by", "") : "";
            if (std::regex_search(created_by, remote_add))
                found.push_back(rules::finding(rules::remote_add, "ADD downloads from a URL at build time",
                                               "history[" + std::to_string(i) + "]"));
        }
    }
    return found;
}

}  // namespace regscan::scan
