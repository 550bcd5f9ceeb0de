#include "app/connector_command.hpp"

#include <fstream>
#include <sstream>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "app/data_paths.hpp"
#include "http/http_client.hpp"
#include "log/logging.hpp"
#include "log/secrets.hpp"
#include "util/text.hpp"

namespace regscan::app {
namespace po = boost::program_options;
using nlohmann::json;
namespace {

constexpr const char* usage = R"(Usage: regscan connector <add|list|import|cancel|remove> [options]

Manage the connectors of a running 'regscan serve' through its API:
  add --name N --url U [...]   create a connector (Save; with --import-now: Save & Import)
  list                         connectors, their schedule, last import and next run
  import NAME                  import now, ahead of scheduled work
  cancel NAME                  cancel its queued or running import (its transfers in flight stop too)
  remove NAME                  delete a connector (its scanned images stay in the state; a running
                               import is cancelled first)

The access token is read from --token-file, else the environment variable REGSCAN_SERVE_TOKEN,
else the default data dir's serve-token file ($XDG_DATA_HOME/regscan/serve-token).

)";

po::options_description server_options() {
    po::options_description options("Server options");
    options.add_options()
        ("help,h", "show this help")
        ("server", po::value<std::string>()->default_value("http://127.0.0.1:8686"), "the URL of regscan serve")
        ("token-file", po::value<std::string>(), "file holding the access token")
        ("ca-cert", po::value<std::string>(), "PEM CA bundle to trust for the server's TLS certificate")
        ("log-level", po::value<std::string>()->default_value("warning"), "trace, debug, info, warning, error or off");
    return options;
}

po::options_description add_options() {
    po::options_description options("Connector options (add)");
    options.add_options()
        ("name", po::value<std::string>(), "connector name: letters, digits, '.', '_', '-' (at most 64)")
        ("url", po::value<std::string>(), "registry URL, e.g. https://harbor.corp:443")
        ("type", po::value<std::string>()->default_value(""), "registry type (HARBOR, ECR, ...); empty: identify")
        ("username", po::value<std::string>()->default_value(""), "registry user")
        ("password-stdin", po::bool_switch(), "read the registry password from the first line of standard input")
        ("schedule", po::value<std::string>()->default_value("12h"), "import every 30m, 6h, 1d, ...; or off")
        ("allowList", po::value<std::vector<std::string>>()->composing(), "keep only matching repository:tag (repeatable)")
        ("denyList", po::value<std::vector<std::string>>()->composing(), "skip matching repository:tag (repeatable)")
        ("platform", po::value<std::string>()->default_value("linux/amd64"), "platform picked from indexes, or all")
        ("max-tags-per-repo", po::value<size_t>()->default_value(0), "keep the N newest tags per repository (0: all)")
        ("max-tag-age", po::value<int>()->default_value(0), "skip tags pushed more than DAYS days ago (0: any)")
        ("image-timeout", po::value<std::string>()->default_value("60m"), "past this an image is Scan Failed")
        ("option", po::value<std::vector<std::string>>()->composing(), "plugin option NAME=VALUE (repeatable)")
        ("import-now", po::bool_switch(), "import right after saving (Save & Import)");
    return options;
}

// Server text is shown as text: control characters escaped.
std::string printable(const std::string& text) { return util::escape_control(text); }

std::string text_of(const json& value, const char* key) {
    if (!value.is_object() || !value.contains(key) || value[key].is_null()) return "";
    const auto& item = value[key];
    return item.is_string() ? item.get<std::string>() : item.dump();
}

std::string read_token(const po::variables_map& vm, const std::map<std::string, std::string>& env) {
    std::filesystem::path file;
    if (vm.count("token-file")) {
        file = vm["token-file"].as<std::string>();
    } else if (auto it = env.find("REGSCAN_SERVE_TOKEN"); it != env.end() && !it->second.empty()) {
        return it->second;
    } else {
        file = data_dir(env) / "serve-token";
    }
    std::ifstream in(file);
    std::string token;
    if (!in || !std::getline(in, token))
        throw Fatal(ExitCode::bad_arguments, "cannot read the access token from " + file.string() +
                                                 " (give --token-file or REGSCAN_SERVE_TOKEN)");
    while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
    if (token.empty()) throw Fatal(ExitCode::bad_arguments, "the token file " + file.string() + " is empty");
    return token;
}

class Api {
public:
    Api(std::string server, std::string token, http::ClientOptions options)
        : server_(std::move(server)), token_(std::move(token)), client_(std::move(options)) {
        while (!server_.empty() && server_.back() == '/') server_.pop_back();
    }

    json call(const std::string& method, const std::string& path, const json* body = nullptr) {
        http::Request request;
        request.method = method;
        request.url = server_ + path;
        request.retry = method == "GET";
        request.headers.push_back({"Authorization", "Bearer " + token_});
        request.headers.push_back({"Accept", "application/json"});
        if (body) {
            request.headers.push_back({"Content-Type", "application/json"});
            request.body = body->dump();
        }
        auto response = client_.send(request);
        if (response.status == 0)
            throw Fatal(ExitCode::unreachable, "cannot reach regscan serve at " + server_ + ": " + response.error);
        json answer = json::parse(response.body, nullptr, false);
        if (!response.ok()) {
            std::string message = answer.is_object() && answer.contains("error") && answer["error"].is_string()
                                      ? answer["error"].get<std::string>()
                                      : response.describe();
            ExitCode code = response.status == 401 || response.status == 403 ? ExitCode::auth_failed
                            : response.status >= 500                          ? ExitCode::internal_error
                                                                              : ExitCode::bad_arguments;
            throw Fatal(code, method + " " + path + ": " + std::to_string(response.status) + ": " + printable(message));
        }
        return answer.is_discarded() ? json() : answer;
    }

private:
    std::string server_;
    std::string token_;
    http::HttpClient client_;
};

std::string quote_path(const std::string& name) {
    std::string out;
    for (unsigned char c : name) {
        if (std::isalnum(c) || c == '.' || c == '_' || c == '-') {
            out.push_back(static_cast<char>(c));
        } else {
            char buffer[4];
            std::snprintf(buffer, sizeof buffer, "%%%02X", c);
            out += buffer;
        }
    }
    return out;
}

json connector_body(const po::variables_map& vm, std::istream& in) {
    if (!vm.count("name") || !vm.count("url"))
        throw Fatal(ExitCode::bad_arguments, "connector add: --name and --url are required");
    json body = {{"name", vm["name"].as<std::string>()},
                 {"url", vm["url"].as<std::string>()},
                 {"type", vm["type"].as<std::string>()},
                 {"username", vm["username"].as<std::string>()},
                 {"platform", vm["platform"].as<std::string>()},
                 {"max_tags_per_repo", vm["max-tags-per-repo"].as<size_t>()},
                 {"max_tag_age_days", vm["max-tag-age"].as<int>()},
                 {"image_timeout", vm["image-timeout"].as<std::string>()},
                 {"import_now", vm["import-now"].as<bool>()}};
    std::string schedule = vm["schedule"].as<std::string>();
    body["schedule"] = schedule == "off" ? json{{"enabled", false}, {"every", "12h"}}
                                         : json{{"enabled", true}, {"every", schedule}};
    auto list = [&](const char* flag) {
        json patterns = json::array();
        if (vm.count(flag))
            for (const auto& value : vm[flag].as<std::vector<std::string>>()) {
                std::stringstream parts(value);
                std::string part;
                while (std::getline(parts, part, ','))
                    if (!part.empty()) patterns.push_back(part);
            }
        return patterns;
    };
    body["allow"] = list("allowList");
    body["deny"] = list("denyList");
    json options = json::object();
    if (vm.count("option"))
        for (const auto& option : vm["option"].as<std::vector<std::string>>()) {
            auto eq = option.find('=');
            if (eq == std::string::npos || eq == 0)
                throw Fatal(ExitCode::bad_arguments, "--option takes NAME=VALUE, not '" + option + "'");
            options[option.substr(0, eq)] = option.substr(eq + 1);
        }
    body["options"] = options;
    if (vm["password-stdin"].as<bool>()) {
        std::string password;
        std::getline(in, password);
        if (!password.empty() && password.back() == '\r') password.pop_back();
        log::add_secret(password);
        body["password"] = password;
    }
    return body;
}

std::string import_line(const json& import) {
    if (!import.is_object()) return "never";
    std::string line = text_of(import, "state") + " " + text_of(import, "finished_at");
    if (import.contains("images_found"))
        line += " (" + text_of(import, "images_found") + " found, " + text_of(import, "images_new") + " new, " +
                text_of(import, "images_failed") + " failed)";
    return printable(line);
}

}  // namespace

ExitCode run_connector_command(const std::vector<std::string>& arguments, std::istream& in, std::ostream& out,
                               const std::map<std::string, std::string>& env) {
    po::options_description visible = server_options();
    visible.add(add_options());
    po::options_description all = visible;
    all.add_options()("action", po::value<std::string>(), "")("target", po::value<std::string>(), "");
    po::positional_options_description positional;
    positional.add("action", 1).add("target", 1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(arguments).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw Fatal(ExitCode::bad_arguments, std::string("connector: ") + e.what() + "; see 'regscan connector --help'");
    }
    if (vm.count("help") || !vm.count("action")) {
        std::ostringstream help;
        help << usage << visible;
        out << help.str();
        return vm.count("help") ? ExitCode::ok : ExitCode::bad_arguments;
    }
    std::string level = vm["log-level"].as<std::string>();
    log::init(level == "warning" ? "warn" : level);
    const std::string action = vm["action"].as<std::string>();
    const std::string target = vm.count("target") ? vm["target"].as<std::string>() : "";
    if ((action == "import" || action == "cancel" || action == "remove") && target.empty())
        throw Fatal(ExitCode::bad_arguments, "connector " + action + ": missing NAME");
    if ((action == "add" || action == "list") && !target.empty())
        throw Fatal(ExitCode::bad_arguments, "connector " + action + " takes no NAME argument");
    if (action != "add" && action != "list" && action != "import" && action != "cancel" && action != "remove")
        throw Fatal(ExitCode::bad_arguments,
                    "connector: unknown action '" + action + "'; add, list, import, cancel or remove");

    std::string token = read_token(vm, env);
    log::add_secret(token);
    http::ClientOptions options;
    options.max_retries = 1;
    options.request_timeout = std::chrono::seconds(60);
    options.user_agent = std::string("regscan/") + REGSCAN_VERSION;
    if (vm.count("ca-cert")) options.ca_cert = vm["ca-cert"].as<std::string>();
    Api api(vm["server"].as<std::string>(), token, options);

    if (action == "add") {
        json body = connector_body(vm, in);
        json created = api.call("POST", "/api/v1/connectors", &body);
        out << "connector " << printable(text_of(created, "name")) << " saved";
        if (created.contains("running") && created["running"].is_object())
            out << "; import " << printable(text_of(created["running"], "id")) << " "
                << printable(text_of(created["running"], "state"));
        out << "\n";
    } else if (action == "list") {
        json answer = api.call("GET", "/api/v1/connectors");
        out << "NAME\tTYPE\tURL\tSCHEDULE\tLAST IMPORT\tNEXT RUN\n";
        for (const auto& c : answer.value("connectors", json::array())) {
            const json schedule = c.value("schedule", json::object());
            std::string every = schedule.value("enabled", false) ? "every " + text_of(schedule, "every") : "off";
            json last = c.contains("running") && c["running"].is_object() ? c["running"] : c.value("last_import", json());
            out << printable(text_of(c, "name")) << "\t" << printable(text_of(c, "type").empty() ? "-" : text_of(c, "type"))
                << "\t" << printable(text_of(c, "url")) << "\t" << printable(every) << "\t" << import_line(last) << "\t"
                << printable(text_of(c, "next_run").empty() ? "-" : text_of(c, "next_run")) << "\n";
        }
    } else if (action == "import") {
        json started = api.call("POST", "/api/v1/connectors/" + quote_path(target) + "/imports");
        out << "import " << printable(text_of(started, "id")) << " of " << printable(target) << ": "
            << printable(text_of(started, "state")) << "\n";
    } else if (action == "cancel") {
        json connector = api.call("GET", "/api/v1/connectors/" + quote_path(target));
        if (!connector.contains("running") || !connector["running"].is_object())
            throw Fatal(ExitCode::bad_arguments, "connector " + printable(target) + " has no import queued or running");
        std::string id = text_of(connector["running"], "id");
        json cancelled = api.call("POST", "/api/v1/imports/" + quote_path(id) + "/cancel");
        out << "import " << printable(id) << " of " << printable(target) << ": cancelled"
            << (text_of(cancelled, "state") == "running"
                    ? " (it stops within seconds; images in flight are left for the next import)"
                    : "")
            << "\n";
    } else {
        api.call("DELETE", "/api/v1/connectors/" + quote_path(target));
        out << "connector " << printable(target) << " removed\n";
    }
    return ExitCode::ok;
}

}  // namespace regscan::app
