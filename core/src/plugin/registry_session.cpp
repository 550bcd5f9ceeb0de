#include "plugin/registry_session.hpp"
#include "util/json_number.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "regscan/error.hpp"

namespace regscan::plugin {
namespace {

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

}  // namespace

Identified identify_registry(const PluginSet& plugins, http::HttpClient& client, const sdk::Probe& probe,
                             const std::string& forced_type) {
    if (!forced_type.empty()) {
        auto plugin = plugins.for_type(forced_type);
        return {plugin, forced_type, plugin ? 100 : 0};
    }
    Identified best;
    std::string vetoed_for;  // a registry type whose own plugin is missing
    const std::string probe_json = nlohmann::json(probe).dump();
    for (const auto& plugin : plugins.plugins) {
        if (!plugin->registry()) continue;
        HostServices host(client, plugin->id());
        regscan_out out;
        if (plugin->registry()->identify(host.api(), probe_json.c_str(), &out) != REGSCAN_OK) {
            spdlog::debug("plugin {} could not identify {}: {}", plugin->id(), probe.url, out.data);
            continue;
        }
        try {
            auto answer = nlohmann::json::parse(out.data);
            int score = util::json_integer(answer, "score", 0);
            spdlog::debug("plugin {} scored {} for {}", plugin->id(), score, probe.url);
            if (score < 0) vetoed_for = answer.value("type", "");
            if (score > best.score) best = {plugin, answer.value("type", ""), score};
        } catch (const nlohmann::json::exception&) {
            spdlog::warn("plugin {} answered identify with malformed JSON", plugin->id());
        }
    }
    if (!best.plugin && vetoed_for.empty()) {
        if (auto fallback = plugins.for_type("DEFAULT_V2")) best = {fallback, "DEFAULT_V2", 0};
    }
    if (!best.plugin) best.type = vetoed_for;
    return best;
}

RegistrySession::RegistrySession(std::shared_ptr<LoadedPlugin> plugin, http::HttpClient& client,
                                 auth::RegistryAuth& auth, const sdk::SessionConfig& config)
    : plugin_(std::move(plugin)), auth_(auth), host_(client, plugin_->id()) {
    host_.set_registry_auth(&auth);
    const std::string config_json = nlohmann::json(config).dump();
    call("plugin " + plugin_->id() + " could not open " + config.url, [&](regscan_out* out) {
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
    const std::string what = "listing repositories";
    auto text = call(what, [&](regscan_out* out) { return plugin_->registry()->list_repositories(session_, out); });
    return parse_json(what, text).get<std::vector<sdk::Repository>>();
}

std::vector<sdk::TagInfo> RegistrySession::tags(const sdk::Repository& repository) {
    const std::string what = "listing tags of " + repository.name;
    const std::string repository_json =
        nlohmann::json(repository).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    auto text = call(what, [&](regscan_out* out) {
        return plugin_->registry()->list_tags(session_, repository_json.c_str(), out);
    });
    return parse_json(what, text).get<std::vector<sdk::TagInfo>>();
}

std::optional<std::string> RegistrySession::authorize(const sdk::AuthRequest& request) {
    const std::string request_json = nlohmann::json(request).dump();
    regscan_out out;
    auto status = plugin_->registry()->authorize(session_, request_json.c_str(), &out);
    if (status == REGSCAN_UNSUPPORTED) return std::nullopt;
    if (status != REGSCAN_OK) throw sdk::Error(status, out.data.empty() ? "authorisation refused" : out.data);
    auto answer = parse_json("authorize", out.data);
    return answer.value("authorization", "");
}

}  // namespace regscan::plugin
