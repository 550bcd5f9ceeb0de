// Turns ordinary C++ classes into the C tables of plugin_abi.h. A plugin is
// one source file that defines its classes and ends with REGSCAN_PLUGIN(...).
//
//   struct MyRegistry {
//       static constexpr const char* types = "MYREG";
//       static constexpr const char* options =   // optional
//           R"([{"name": "myreg-endpoint", "help": "API endpoint", "env": "MYREG_ENDPOINT"}])";
//       static regscan::sdk::Identification identify(const Host&, const Probe&);
//       static std::unique_ptr<regscan::sdk::Session> open(const Host&, const SessionConfig&);
//   };
//   REGSCAN_PLUGIN("myreg", "1.0.0", "My registry",
//                  regscan::sdk::registry_table<MyRegistry>(), nullptr, nullptr)
//
// Every entry point is noexcept: an sdk::Error becomes its status, any other
// exception REGSCAN_ERROR, and the message goes to the core.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include <boost/dll/alias.hpp>
#include <nlohmann/json.hpp>

#include "regscan/filter.hpp"
#include "regscan/host.hpp"
#include "regscan/plugin_abi.h"
#include "regscan/registry.hpp"
#include "regscan/reporter.hpp"
#include "regscan/version.hpp"

namespace regscan::sdk::detail {

template <class Body>
regscan_status guarded(const regscan_host_api* host, regscan_out* out, Body&& body) noexcept {
    auto report = [&](const char* text) {
        if (host && out) host->out_write(out, text, std::char_traits<char>::length(text));
    };
    try {
        return body();
    } catch (const Error& e) {
        report(e.what());
        return e.status();
    } catch (const std::exception& e) {
        report(e.what());
        return REGSCAN_ERROR;
    } catch (...) {
        report("unknown error in plugin");
        return REGSCAN_ERROR;
    }
}

struct SessionBox {
    Host host;
    std::unique_ptr<Session> session;
};

inline SessionBox* box(regscan_session* s) { return reinterpret_cast<SessionBox*>(s); }

// A registry class may declare `static constexpr const char* options` (the
// JSON list of plugin_abi.h); without it the plugin adds no options.
template <class Registry>
const char* options_of() {
    if constexpr (requires { Registry::options; })
        return Registry::options;
    else
        return nullptr;
}

template <class Registry>
struct RegistryTrampolines {
    static regscan_status identify(const regscan_host_api* api, const char* probe_json, regscan_out* out) noexcept {
        return guarded(api, out, [&] {
            Host host(api);
            Identification id = Registry::identify(host, nlohmann::json::parse(probe_json).get<Probe>());
            host.write(out, nlohmann::json{{"score", id.score}, {"type", id.type}}.dump());
            return REGSCAN_OK;
        });
    }
    static regscan_status open(const regscan_host_api* api, const char* config_json, regscan_session** session,
                               regscan_out* err) noexcept {
        return guarded(api, err, [&] {
            Host host(api);
            auto config = nlohmann::json::parse(config_json).get<SessionConfig>();
            host.add_secret(config.password);
            auto opened = std::make_unique<SessionBox>(SessionBox{host, Registry::open(host, config)});
            *session = reinterpret_cast<regscan_session*>(opened.release());
            return REGSCAN_OK;
        });
    }
    static regscan_status list_repositories(regscan_session* s, regscan_out* out) noexcept {
        return guarded(box(s)->host.raw(), out, [&] {
            nlohmann::json list = box(s)->session->repositories();
            box(s)->host.write(out, list.dump());
            return REGSCAN_OK;
        });
    }
    static regscan_status list_tags(regscan_session* s, const char* repository_json, regscan_out* out) noexcept {
        return guarded(box(s)->host.raw(), out, [&] {
            auto repository = nlohmann::json::parse(repository_json).get<Repository>();
            nlohmann::json list = box(s)->session->tags(repository);
            box(s)->host.write(out, list.dump());
            return REGSCAN_OK;
        });
    }
    static regscan_status authorize(regscan_session* s, const char* request_json, regscan_out* out) noexcept {
        return guarded(box(s)->host.raw(), out, [&] {
            const Host& host = box(s)->host;
            auto header = box(s)->session->authorize(nlohmann::json::parse(request_json).get<AuthRequest>());
            if (header) {
                host.add_secret(*header);
                host.write(out, nlohmann::json{{"authorization", *header}}.dump());
                return REGSCAN_OK;
            }
            auto credentials = box(s)->session->pull_credentials();
            if (!credentials) return REGSCAN_UNSUPPORTED;
            host.add_secret(credentials->password);
            host.add_secret(credentials->token);
            nlohmann::json answer = nlohmann::json::object();
            if (!credentials->token.empty()) answer["token"] = credentials->token;
            if (!credentials->username.empty()) answer["username"] = credentials->username;
            if (!credentials->password.empty()) answer["password"] = credentials->password;
            host.write(out, nlohmann::json{{"credentials", answer}}.dump());
            return REGSCAN_OK;
        });
    }
    static void close(regscan_session* s) noexcept { delete box(s); }
};

struct FilterBox {
    Host host;
    std::unique_ptr<Filter> filter;
};

template <class FilterPlugin>
struct FilterTrampolines {
    static regscan_status open(const regscan_host_api* api, const char* config_json, void** state,
                               regscan_out* err) noexcept {
        return guarded(api, err, [&] {
            Host host(api);
            auto options = nlohmann::json::parse(config_json)
                               .value("options", std::map<std::string, std::string>{});
            *state = new FilterBox{host, FilterPlugin::open(host, options)};
            return REGSCAN_OK;
        });
    }
    static regscan_status decide(void* state, const char* image_json, regscan_out* out) noexcept {
        auto* b = static_cast<FilterBox*>(state);
        return guarded(b->host.raw(), out, [&] {
            auto reason = b->filter->skip_reason(nlohmann::json::parse(image_json).get<ImageRef>());
            if (reason) b->host.write(out, nlohmann::json{{"skip", true}, {"reason", *reason}}.dump());
            return REGSCAN_OK;
        });
    }
    static void close(void* state) noexcept { delete static_cast<FilterBox*>(state); }
};

struct ReporterBox {
    Host host;
    std::unique_ptr<Reporter> reporter;
};

template <class ReporterPlugin>
struct ReporterTrampolines {
    static regscan_status begin(const regscan_host_api* api, const char* run_json, void** state,
                                regscan_out* err) noexcept {
        return guarded(api, err, [&] {
            Host host(api);
            *state = new ReporterBox{host, ReporterPlugin::begin(host, nlohmann::json::parse(run_json).get<ReportRun>())};
            return REGSCAN_OK;
        });
    }
    static regscan_status image(void* state, const char* image_json, regscan_out* err) noexcept {
        auto* b = static_cast<ReporterBox*>(state);
        return guarded(b->host.raw(), err, [&] {
            b->reporter->image(nlohmann::json::parse(image_json));
            return REGSCAN_OK;
        });
    }
    static regscan_status end(void* state, const char* summary_json, regscan_out* out) noexcept {
        auto* b = static_cast<ReporterBox*>(state);
        return guarded(b->host.raw(), out, [&] {
            for (const auto& path : b->reporter->finish(nlohmann::json::parse(summary_json))) b->host.write(out, path + "\n");
            return REGSCAN_OK;
        });
    }
    static void close(void* state) noexcept { delete static_cast<ReporterBox*>(state); }
};

}  // namespace regscan::sdk::detail

namespace regscan::sdk {

template <class Registry>
const regscan_registry_api* registry_table() {
    using T = detail::RegistryTrampolines<Registry>;
    static const regscan_registry_api table = {
        sizeof(regscan_registry_api), Registry::types,  detail::options_of<Registry>(), &T::identify, &T::open,
        &T::list_repositories,        &T::list_tags,    &T::authorize,                  &T::close,
    };
    return &table;
}

template <class FilterPlugin>
const regscan_filter_api* filter_table() {
    using T = detail::FilterTrampolines<FilterPlugin>;
    static const regscan_filter_api table = {sizeof(regscan_filter_api), FilterPlugin::name, &T::open, &T::decide,
                                             &T::close};
    return &table;
}

template <class ReporterPlugin>
const regscan_reporter_api* reporter_table() {
    using T = detail::ReporterTrampolines<ReporterPlugin>;
    static const regscan_reporter_api table = {sizeof(regscan_reporter_api), ReporterPlugin::format, &T::begin,
                                               &T::image, &T::end, &T::close};
    return &table;
}

}  // namespace regscan::sdk

// Declares the plugin: its descriptor and the sectioned entry point the core
// looks for. Use once per shared library, at namespace scope.
#define REGSCAN_PLUGIN(ID, VERSION, DESCRIPTION, REGISTRY, FILTER, REPORTER)                \
    namespace regscan_plugin_entry {                                                     \
    const regscan_plugin* describe() {                                                   \
        static const regscan_plugin descriptor = {                                       \
            sizeof(regscan_plugin), REGSCAN_ABI_MAJOR, REGSCAN_ABI_MINOR, ID, VERSION, \
            DESCRIPTION,            REGISTRY,          FILTER,            REPORTER};     \
        return &descriptor;                                                              \
    }                                                                                    \
    }                                                                                    \
    BOOST_DLL_ALIAS_SECTIONED(regscan_plugin_entry::describe, regscan_plugin_v1, regscan)
