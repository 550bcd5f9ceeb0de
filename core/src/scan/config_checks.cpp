#include "scan/config_checks.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "limits/limits.hpp"
#include "scan/misconfig_rules.hpp"
#include "util/text.hpp"

namespace regscan::scan {
namespace {

// The checks below scan by hand, in linear time, never with a backtracking
// regex: every value is the registry's choice, and std::regex recurses per
// character (a 30 KB label crashed it). Only the first max_checked_value
// bytes of a value are examined.
std::string_view checked(const std::string& value) {
    return std::string_view(value).substr(0, limits::defaults().max_checked_value);
}

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool starts_with_nocase(std::string_view text, size_t at, std::string_view prefix) {
    if (at + prefix.size() > text.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if (lower(text[at + i]) != prefix[i]) return false;
    return true;
}

// Characters from `at` that satisfy `ok`, at most `most`.
template <class Pred>
size_t run_of(std::string_view text, size_t at, Pred ok, size_t most = std::string_view::npos) {
    size_t n = 0;
    while (at + n < text.size() && n < most && ok(text[at + n])) ++n;
    return n;
}

// Token formats that are secrets whatever their variable is called: AWS
// access key ids, GitHub and GitLab tokens, Slack tokens, PEM private keys.
bool looks_like_secret_value(const std::string& raw) {
    std::string_view v = checked(raw);
    auto upper_or_digit = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
    for (size_t i = 0; i < v.size(); ++i) {
        auto rest = v.substr(i);
        if ((rest.substr(0, 4) == "AKIA" || rest.substr(0, 4) == "ASIA") && run_of(v, i + 4, upper_or_digit, 16) == 16)
            return true;
        if (rest.size() > 3 && rest.substr(0, 2) == "gh" && std::string_view("pousr").find(rest[2]) != std::string_view::npos &&
            rest[3] == '_' && run_of(v, i + 4, is_alnum, 36) == 36)
            return true;
        if (rest.substr(0, 6) == "glpat-" &&
            run_of(v, i + 6, [](char c) { return is_alnum(c) || c == '_' || c == '-'; }, 20) == 20)
            return true;
        if (rest.size() > 4 && rest.substr(0, 3) == "xox" && std::string_view("baprs").find(rest[3]) != std::string_view::npos &&
            rest[4] == '-' && run_of(v, i + 5, [](char c) { return is_alnum(c) || c == '-'; }, 10) == 10)
            return true;
        if (rest.substr(0, 11) == "-----BEGIN ") {
            size_t words = run_of(v, i + 11, [](char c) { return (c >= 'A' && c <= 'Z') || c == ' '; });
            // The run may end with "PRIVATE KEY" itself: look for it inside.
            auto label = v.substr(i + 11, words);
            if (label.size() >= 11 && label.substr(label.size() - 11) == "PRIVATE KEY" &&
                v.substr(i + 11 + words, 5) == "-----")
                return true;
        }
    }
    return false;
}

// A value that is clearly not a secret: empty, a placeholder, a path to one.
bool is_placeholder(const std::string& raw) {
    std::string_view v = checked(raw);
    if (v.empty()) return true;
    for (std::string_view word : {"changeme", "true", "false", "none", "null"})
        if (v.size() == word.size() && starts_with_nocase(v, 0, word)) return true;
    bool one_line = v.find_first_of("\n\r") == std::string_view::npos;
    if (one_line && (v.front() == '/' || (v.size() >= 2 && v.front() == '<' && v.back() == '>'))) return true;
    // ${NAME}, $NAME
    if (v.front() == '$') {
        size_t i = 1;
        bool brace = i < v.size() && v[i] == '{';
        i += brace;
        size_t name = run_of(v, i, [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; });
        if (name == 0) return false;
        i += name;
        if (i < v.size() && v[i] == '}') ++i;
        return i == v.size();
    }
    return false;
}

// Docker's "ADD [--flag ...] <url>" as buildkit writes it into history.
bool adds_from_url(const std::string& raw) {
    std::string_view v = checked(raw);
    for (size_t i = 0; i + 3 <= v.size(); ++i) {
        if ((i > 0 && !is_space(v[i - 1])) || !starts_with_nocase(v, i, "add")) continue;
        size_t at = i + 3;
        size_t gap = run_of(v, at, is_space);
        if (gap == 0) continue;
        at += gap;
        while (v.substr(at, 2) == "--") {
            size_t flag = run_of(v, at, [](char c) { return !is_space(c); });
            size_t after = run_of(v, at + flag, is_space);
            if (after == 0) break;
            at += flag + after;
        }
        if (starts_with_nocase(v, at, "http://") || starts_with_nocase(v, at, "https://") ||
            starts_with_nocase(v, at, "ftp://"))
            return true;
    }
    return false;
}

}  // namespace

bool looks_like_secret_name(const std::string& name) {
    std::string n = util::ascii_upper(name);
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
        const auto& history = image_config["history"];
        for (size_t i = 0; i < history.size(); ++i) {
            std::string created_by = history[i].is_object() ? history[i].value("created_by", "") : "";
            if (adds_from_url(created_by))
                found.push_back(rules::finding(rules::remote_add, "ADD downloads from a URL at build time",
                                               "history[" + std::to_string(i) + "]"));
        }
    }
    return found;
}

}  // namespace regscan::scan
