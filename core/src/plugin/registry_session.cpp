#include "plugin/registry_session.hpp"
#include "regscan/json_fields.hpp"

#include <memory>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "plugin/listing_budget.hpp"
#include "regscan/error.hpp"
#include "util/json_text.hpp"

namespace regscan::plugin {
namespace {

// Names where a plugin failure came from: the plugin's id, its file and the
// table function, so a vendor's bug is never taken for regscan's.
std::string origin(const LoadedPlugin& plugin, const char* callback) {
    return "plugin " + plugin.id() + " (" + plugin.path().string() + ") " + callback;
}

// Runs one table call and turns a failure into sdk::Error with its text.
template <class Call>
std::string call(const std::string& what, Call&& fn) {
    regscan_out out;
    regscan_status status = fn(&out);
    if (status != REGSCAN_OK) throw sdk::Error(status, what + ": " + (out.data.empty() ? "failed" : out.data));
    return out.data;
}

nlohmann::json parse_json(const std::string& what, const std::string& text) {
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw sdk::Error(REGSCAN_ERROR, what + ": plugin returned malformed JSON (" + e.what() + ")");
    }
}

// Well-formed JSON of the wrong shape (an object where the ABI says array)
// is the plugin's error too, not an internal one.
template <class T>
T decode(const std::string& what, const std::string& text, const char* expected) {
    auto json = parse_json(what, text);
    try {
        return json.get<T>();
    } catch (const nlohmann::json::exception& e) {
        throw sdk::Error(REGSCAN_ERROR, what + ": plugin returned JSON of the wrong shape, expected " + expected +
                                            " (" + e.what() + ")");
    }
}

}  // namespace

namespace {

// A second identify() pass runs when no plugin scored this much from the URL
// and the /v2/ ping alone.
constexpr int certain_enough = 50;

// What one plugin's identify() answered: its text, or why it failed.
struct Answer {
    bool ok = false;
    std::string text;
};

Answer ask(const LoadedPlugin& plugin, http::HttpClient& client, const sdk::Probe& probe,
           const std::string& probe_json) {
    try {
        std::lock_guard one_at_a_time(plugin.identify_lock());
        HostServices host(client, plugin.id(), plugin.abi_minor());
        ListingBudget budget;
        budget.max_pages = probe.may_request ? 1 : 0;
        budget.max_bytes = 64 * 1024;
        budget.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        budget.deadline_reason = "identification takes at most 30 s";
        ListingScope scope(budget);  // this thread's
        regscan_out out;
        if (plugin.registry()->identify(host.api(), probe_json.c_str(), &out) != REGSCAN_OK)
            return {false, out.data.empty() ? "failed" : out.data};
        return {true, out.data};
    } catch (const std::exception& e) {  // the host's own failure (a plugin's never leaves its table)
        return {false, e.what()};
    } catch (...) {  // on a thread of its own: nothing may leave it
        return {false, "unknown exception"};
    }
}

// Whether the probing pass asks `plugin` on a thread of its own.
bool asked_at_once(const LoadedPlugin& plugin, const sdk::Probe& probe) {
    return probe.may_request && plugin.abi_minor() >= 5;
}

// One pass over every registry plugin; `may_request` only for 1.2 plugins,
// each then bounded to one request (the listing budget the host spends).
// That probing pass asks the plugins at once: a registry that is none of the
// vendors costs one round trip to identify, not one per vendor plugin. A
// plugin older than 1.5 was promised identify() from one thread: those are
// asked in turn on this thread, beside the others. The answers are weighed
// in plugin order, so the winner and the log do not depend on which came
// back first.
void identify_pass(const PluginSet& plugins, http::HttpClient& client, sdk::Probe probe, Identified& best,
                   std::string& vetoed_for, std::set<std::string>& warned) {
    const std::string probe_json = util::json_text(nlohmann::json(probe));
    // Warned, not fatal: another plugin (or DEFAULT_V2) may still claim the
    // URL. Once per plugin and error, though identify() may run twice.
    auto warn = [&](const LoadedPlugin& plugin, const std::string& error) {
        if (warned.insert(plugin.id() + "\n" + error).second)
            spdlog::warn("Plugin failed plugin={} file={} callback=identify url={} error={}", plugin.id(),
                         plugin.path().string(), probe.url, error);
    };
    std::vector<std::shared_ptr<LoadedPlugin>> asked;
    for (const auto& plugin : plugins.plugins)
        if (plugin->registry() && !(probe.may_request && plugin->abi_minor() < 2)) asked.push_back(plugin);
    std::vector<Answer> answers(asked.size());
    {
        std::vector<std::jthread> at_once;
        std::vector<size_t> in_turn;
        for (size_t i = 0; i < asked.size(); ++i) {
            if (!asked_at_once(*asked[i], probe)) {
                in_turn.push_back(i);
                continue;
            }
            try {
                at_once.emplace_back([&, i] { answers[i] = ask(*asked[i], client, probe, probe_json); });
            } catch (const std::system_error&) {  // no thread to be had: asked on this one
                in_turn.push_back(i);
            }
        }
        for (size_t i : in_turn) answers[i] = ask(*asked[i], client, probe, probe_json);
    }  // joined
    for (size_t i = 0; i < asked.size(); ++i) {
        const LoadedPlugin& plugin = *asked[i];
        if (!answers[i].ok) {
            warn(plugin, answers[i].text);
            continue;
        }
        try {
            auto answer = nlohmann::json::parse(answers[i].text);
            int score = sdk::json_integer(answer, "score", 0);
            if (!answer.is_object() || !sdk::json_integer_value<int>(answer.value("score", nlohmann::json())))
                warn(plugin, "answer is not an object with an integer \"score\", taken as 0");
            spdlog::debug("plugin {} scored {} for {}{}", plugin.id(), score, probe.url,
                          probe.may_request ? " (probing)" : "");
            if (score < 0) vetoed_for = answer.value("type", "");
            if (score > best.score) best = {asked[i], answer.value("type", ""), score};
        } catch (const nlohmann::json::exception& e) {
            warn(plugin, std::string("malformed JSON (") + e.what() + ")");
        }
    }
}

}  // namespace

Identified identify_registry(const PluginSet& plugins, http::HttpClient& client, const sdk::Probe& probe,
                             const std::string& forced_type) {
    if (!forced_type.empty()) {
        auto plugin = plugins.for_type(forced_type);
        return {plugin, forced_type, plugin ? 100 : 0};
    }
    Identified best;
    std::set<std::string> warned;
    std::string vetoed_for;  // a registry type whose own plugin is missing
    sdk::Probe first = probe;
    first.may_request = false;
    identify_pass(plugins, client, first, best, vetoed_for, warned);
    if (best.score < certain_enough && vetoed_for.empty()) {
        sdk::Probe second = probe;
        second.may_request = true;
        identify_pass(plugins, client, second, best, vetoed_for, warned);
    }
    if (!best.plugin && vetoed_for.empty()) {
        if (auto fallback = plugins.for_type("DEFAULT_V2")) best = {fallback, "DEFAULT_V2", 0};
    }
    if (!best.plugin) best.type = vetoed_for;
    return best;
}

RegistrySession::RegistrySession(std::shared_ptr<LoadedPlugin> plugin, http::HttpClient& client,
                                 auth::RegistryAuth& auth, const sdk::SessionConfig& config)
    : plugin_(std::move(plugin)), auth_(auth), host_(client, plugin_->id(), plugin_->abi_minor()) {
    host_.set_registry_auth(&auth);
    const std::string config_json = util::json_text(nlohmann::json(config));
    call(origin(*plugin_, "open") + " could not open " + config.url, [&](regscan_out* out) {
        return plugin_->registry()->open(host_.api(), config_json.c_str(), &session_, out);
    });
    if (plugin_->registry()->authorize)
        auth.set_authorize_hook([this](const sdk::AuthRequest& request) { return authorize(request); });
}

RegistrySession::~RegistrySession() {
    // The hook calls into this session: it must not outlive it.
    auth_.set_authorize_hook(nullptr);
    if (session_) plugin_->registry()->close(session_);
}

std::vector<sdk::Repository> RegistrySession::repositories() {
    const std::string what = origin(*plugin_, "list_repositories");
    auto text = call(what, [&](regscan_out* out) { return plugin_->registry()->list_repositories(session_, out); });
    return decode<std::vector<sdk::Repository>>(what, text, "an array of repository objects");
}

std::vector<sdk::TagInfo> RegistrySession::tags(const sdk::Repository& repository) {
    const std::string what = origin(*plugin_, "list_tags") + " for " + repository.name;
    const std::string repository_json =
        util::json_text(nlohmann::json(repository));
    auto text = call(what, [&](regscan_out* out) {
        return plugin_->registry()->list_tags(session_, repository_json.c_str(), out);
    });
    return decode<std::vector<sdk::TagInfo>>(what, text, "an array of tag objects");
}

std::optional<auth::PluginAuthorization> RegistrySession::authorize(const sdk::AuthRequest& request) {
    const std::string request_json = util::json_text(nlohmann::json(request));
    regscan_out out;
    auto status = plugin_->registry()->authorize(session_, request_json.c_str(), &out);
    if (status == REGSCAN_UNSUPPORTED) return std::nullopt;
    if (status != REGSCAN_OK)
        throw sdk::Error(status, origin(*plugin_, "authorize") + ": " +
                                     (out.data.empty() ? "authorisation refused" : out.data));
    auto answer = parse_json(origin(*plugin_, "authorize"), out.data);
    auto text = [&](const nlohmann::json& object, const char* key) {
        auto it = object.find(key);
        if (it == object.end() || it->is_null()) return std::string{};
        if (!it->is_string())
            throw sdk::Error(REGSCAN_ERROR, "authorize: plugin " + plugin_->id() + " answered \"" + key +
                                                "\" that is not a string");
        return it->get<std::string>();
    };
    if (!answer.is_object()) throw sdk::Error(REGSCAN_ERROR, "authorize: plugin " + plugin_->id() + " answered no object");
    auth::PluginAuthorization decided;
    decided.authorization = text(answer, "authorization");
    // SDK 1.2: the standard flow with credentials the plugin chose.
    if (auto credentials = answer.find("credentials"); decided.authorization.empty() && credentials != answer.end() &&
                                                       credentials->is_object()) {
        auto token = text(*credentials, "token");
        decided.credentials = auth::Credentials{};
        decided.credentials->username = token.empty() ? text(*credentials, "username") : "";
        decided.credentials->password = token.empty() ? text(*credentials, "password") : token;
    }
    if (decided.authorization.empty() && !decided.credentials) return std::nullopt;
    return decided;
}

}  // namespace regscan::plugin
