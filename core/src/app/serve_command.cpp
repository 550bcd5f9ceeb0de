#include "app/serve_command.hpp"

#include <cstdlib>
#include <csignal>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "app/command_line.hpp"
#include "app/data_paths.hpp"
#include "app/forwarded_arguments.hpp"
#include "app/stop_signals.hpp"
#include "http/plain_url.hpp"
#include "limits/limits.hpp"
#include "log/logging.hpp"
#include "regscan/url.hpp"
#include "serve/access.hpp"
#include "serve/api_routes.hpp"
#include "serve/http/server.hpp"
#include "serve/service.hpp"
#include "state/open_database.hpp"

namespace regscan::app {
namespace po = boost::program_options;
namespace {

// Flags of `registry` that belong to a connector or to a one-shot run, not to
// the server: refused with the reason.
const std::vector<std::pair<std::string, std::string>> refused_flags = {
    {"--username", "credentials belong to a connector (regscan connector add --username)"},
    {"--password", "credentials belong to a connector (regscan connector add --password-stdin)"},
    {"--password-stdin", "credentials belong to a connector (regscan connector add --password-stdin)"},
    {"--type", "the registry type belongs to a connector (regscan connector add --type)"},
    {"--mode", "imports always scan"},
    {"--output-dir", "reports of import N go to <data dir>/imports/N/"},
    {"--fail-on", "a server has no exit code per import"},
    {"--allowList", "patterns belong to a connector (regscan connector add --allowList)"},
    {"--denyList", "patterns belong to a connector (regscan connector add --denyList)"},
};

po::options_description serve_options() {
    po::options_description options("Server options");
    options.add_options()
        ("help,h", "show this help")
        ("listen", po::value<std::string>()->default_value("127.0.0.1:8686"),
         "ADDRESS:PORT to serve on ([v6]:PORT for IPv6); loopback unless you choose otherwise")
        ("tls-cert", po::value<std::string>(), "PEM certificate chain: serve HTTPS (with --tls-key)")
        ("tls-key", po::value<std::string>(), "PEM private key of --tls-cert")
        ("public-url", po::value<std::string>(),
         "the URL browsers reach this server at through a TLS-terminating proxy (https://regscan.corp): their "
         "Origin may name it, and with https the session cookie is Secure")
        ("data-dir", po::value<std::string>(),
         "the server's directory: access token, connector key, import reports (default $XDG_DATA_HOME/regscan)")
        ("max-concurrent-imports", po::value<size_t>()->default_value(2), "imports running at once, all connectors")
        ("keep-imports", po::value<size_t>()->default_value(30),
         "finished imports kept per connector, with their reports and image history (older ones are removed, "
         "except an image's last); 0 keeps all")
        ("shutdown-grace", po::value<std::string>()->default_value("60s"),
         "on SIGTERM/SIGINT, how long images in flight may take to finish")
        ("max-request-body", po::value<std::string>()->default_value("1M"), "largest request body accepted (413 past it)")
        ("max-connections", po::value<size_t>()->default_value(128), "open connections at once (at most 32 of them per client address)")
        ("rate-limit", po::value<double>()->default_value(50),
         "requests per second per client address (bursts of 4 seconds' worth), 429 past it");
    return options;
}

std::string serve_help(const plugin::PluginSet& plugins) {
    std::ostringstream out;
    out << "Usage: regscan serve [options]\n\n"
           "Run regscan as a service: connectors (a registry, its credentials and options), imports on\n"
           "a schedule or on demand, a JSON API (/api/v1, docs/serve-api.yaml) and a dashboard, on\n"
           "http://127.0.0.1:8686/ by default. At first start an access token is made in\n"
           "<data dir>/serve-token (mode 0600): send it as 'Authorization: Bearer <token>', or log in on\n"
           "the page with it. Manage connectors with 'regscan connector' or the page.\n\n"
        << serve_options()
        << "\nConnector defaults: the options of 'regscan registry' below apply to every import (a\n"
           "connector's own settings win), except --username/--password/--password-stdin, --type,\n"
           "--allowList/--denyList (set per connector), --mode, --output-dir and --fail-on.\n"
           "--state defaults to <data dir>/state.db when --data-dir is given, else to the CLI's state.\n\n";
    std::istringstream none;
    auto registry = parse_command_line({"registry", "--help"}, none, {}, plugins).help_text;
    auto common = registry.find("Common options");
    out << (common == std::string::npos ? registry : registry.substr(common));
    return out.str();
}

struct ListenAddress {
    std::string address;
    uint16_t port = 0;
};

ListenAddress parse_listen(const std::string& text) {
    auto fail = [&] {
        return Fatal(ExitCode::bad_arguments, "--listen takes ADDRESS:PORT (e.g. 127.0.0.1:8686, [::1]:8686), not '" +
                                                  text + "'");
    };
    auto colon = text.rfind(':');
    if (colon == std::string::npos) throw fail();
    ListenAddress out;
    out.address = text.substr(0, colon);
    if (out.address.size() >= 2 && out.address.front() == '[' && out.address.back() == ']')
        out.address = out.address.substr(1, out.address.size() - 2);
    if (out.address.empty() || out.address == "localhost") out.address = "127.0.0.1";
    std::string port = text.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) throw fail();
    unsigned long value = std::stoul(port);
    if (value > 65535) throw fail();
    out.port = static_cast<uint16_t>(value);
    return out;
}

bool loopback(const std::string& address) {
    return address.rfind("127.", 0) == 0 || address == "::1";
}

std::chrono::seconds duration_flag(const std::string& flag, const std::string& text) {
    try {
        return limits::parse_duration(text);
    } catch (const std::exception& e) {
        throw Fatal(ExitCode::bad_arguments, "--" + flag + ": " + e.what());
    }
}

void make_private_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    bool made = std::filesystem::create_directories(dir, ec);
    if (ec) throw Fatal(ExitCode::bad_arguments, "cannot create the data dir " + dir.string() + ": " + ec.message());
    if (made) ::chmod(dir.c_str(), 0700);
    struct stat info {};
    if (::stat(dir.c_str(), &info) == 0 && (info.st_mode & 022) != 0)
        spdlog::warn("serve: the data dir {} can be written by other users; it holds the access token and the "
                     "connector key (chmod 700 it)",
                     dir.string());
}

}  // namespace

ExitCode run_serve_command(const std::vector<std::string>& arguments, const std::map<std::string, std::string>& env,
                           const plugin::PluginSet& plugins) {
    const po::options_description own_options = serve_options();
    const ForwardedArguments split = split_arguments("serve", own_options, arguments);
    const po::variables_map& own = split.own;
    const std::vector<std::string>& forwarded = split.forwarded;
    if (own.count("help")) {
        std::cout << serve_help(plugins);
        return ExitCode::ok;
    }
    // The registry parser below refuses a stray argument.
    split.refuse("serve", "server", refused_flags);
    const bool state_given = split.forwards("--state");

    std::filesystem::path data_dir =
        own.count("data-dir") ? std::filesystem::path(own["data-dir"].as<std::string>()) : app::data_dir(env);
    data_dir = std::filesystem::absolute(data_dir);
    // The registry command parses what an import needs; its URL is the connector's.
    std::vector<std::string> registry_arguments{"registry", "https://connector.invalid"};
    registry_arguments.insert(registry_arguments.end(), forwarded.begin(), forwarded.end());
    if (!state_given && own.count("data-dir")) registry_arguments.push_back("--state=" + (data_dir / "state.db").string());
    std::istringstream no_input;
    Command command = parse_command_line(registry_arguments, no_input, env, plugins);
    log::init(command.log_level);

    engine::RunOptions defaults = command.run;
    defaults.url.clear();
    defaults.credentials = {};  // the environment's registry credentials are not every connector's
    defaults.progress = false;
    defaults.output_dir = (data_dir / "imports").string();

    auto listen = parse_listen(own["listen"].as<std::string>());
    serve::httpd::ServerOptions server_options;
    server_options.address = listen.address;
    server_options.port = listen.port;
    if (own.count("tls-cert")) server_options.tls_cert = own["tls-cert"].as<std::string>();
    std::string public_origin;
    if (own.count("public-url")) {
        const std::string url = own["public-url"].as<std::string>();
        const auto path = sdk::parse_url(url).path;
        if (auto problem = http::plain_url_problem(url); problem || (!path.empty() && path != "/"))
            throw Fatal(ExitCode::bad_arguments, "--public-url must be http(s)://host[:port], the address browsers "
                                                 "use: " + problem.value_or("it has a path"));
        public_origin = http::origin_of(url);
    }
    if (own.count("tls-key")) server_options.tls_key = own["tls-key"].as<std::string>();
    if (server_options.tls_cert.empty() != server_options.tls_key.empty())
        throw Fatal(ExitCode::bad_arguments, "--tls-cert and --tls-key go together");
    try {
        server_options.max_body_bytes = limits::parse_size(own["max-request-body"].as<std::string>());
    } catch (const std::exception& e) {
        throw Fatal(ExitCode::bad_arguments, std::string("--max-request-body: ") + e.what());
    }
    server_options.max_connections = own["max-connections"].as<size_t>();
    double rate = own["rate-limit"].as<double>();
    if (!(rate > 0) || server_options.max_connections == 0)
        throw Fatal(ExitCode::bad_arguments, "--rate-limit and --max-connections must be positive");
    server_options.requests_per_second = rate;
    server_options.request_burst = std::max(4 * rate, 1.0);
    auto grace = duration_flag("shutdown-grace", own["shutdown-grace"].as<std::string>());
    size_t concurrent = own["max-concurrent-imports"].as<size_t>();
    if (concurrent == 0 || concurrent > 64)
        throw Fatal(ExitCode::bad_arguments, "--max-concurrent-imports must be between 1 and 64");

    // SIGTERM and SIGINT are taken by sigwait below, in this thread only: block
    // them before any thread starts so every thread inherits the mask.
    const sigset_t stop_signals = block_stop_signals();

    make_private_dir(data_dir);
    auto token_path = data_dir / "serve-token";
    std::string token;
    try {
        token = serve::load_or_create_token(token_path);
    } catch (const std::exception& e) {
        throw Fatal(ExitCode::bad_arguments, e.what());
    }

    serve::ServiceOptions service_options;
    service_options.data_dir = data_dir;
    service_options.state_path = defaults.state_path;
    service_options.key_file = data_dir / "serve-secret.key";
    service_options.max_concurrent_imports = concurrent;
    service_options.keep_imports = own["keep-imports"].as<size_t>();
    service_options.defaults = defaults;
    service_options.environment = env;
    std::unique_ptr<serve::Service> service;
    try {
        service = serve::make_service(service_options, plugins);
    } catch (const std::exception& e) {
        // The state or the key file cannot be used: the message names the file.
        throw Fatal(ExitCode::bad_arguments, std::string("serve: ") + e.what());
    }
    serve::Access access(token);
    access.set_public_origin(public_origin);
    serve::ApiRoutes routes(*service, access);

    std::unique_ptr<serve::httpd::Server> server;
    try {
        server = std::make_unique<serve::httpd::Server>(
            server_options, [&](const serve::httpd::Request& r) { return routes.handle(r); },
            [&](const serve::httpd::Request& r, serve::httpd::Response& a) { routes.decorate(r, a); },
            [&](const serve::httpd::Request& r, const serve::httpd::Response& a, std::chrono::microseconds t) {
                routes.observe(r, a, t);
            });
    } catch (const std::exception& e) {
        throw Fatal(ExitCode::bad_arguments, e.what());
    }
    if (!loopback(listen.address) && !server->tls())
        spdlog::warn("serve: listening on {} without TLS: the access token and connector passwords would cross the "
                     "network in clear text; give --tls-cert and --tls-key",
                     listen.address);
    service->start();
    server->start();
    std::string host = listen.address.find(':') != std::string::npos ? "[" + listen.address + "]" : listen.address;
    std::string url = std::string(server->tls() ? "https" : "http") + "://" + host + ":" + std::to_string(server->port()) + "/";
    spdlog::info("serve: listening on {} (state {}, data dir {})", url, state::printable_location(defaults.state_path),
                 data_dir.string());
    spdlog::info("serve: the access token is in {} (send it as a Bearer token in the Authorization header, or log in on the page "
                 "with it)",
                 token_path.string());

    // Also on standard output, whatever the log level.
    std::cout << "regscan serve: " << url << " (access token in " << token_path.string() << ")" << std::endl;

    int received = 0;
    while (sigwait(&stop_signals, &received) != 0) {
    }
    spdlog::info("serve: {} received: finishing the images in flight (at most {}s), then stopping",
                 received == SIGTERM ? "SIGTERM" : "SIGINT", grace.count());
    service->stop(grace);
    server->stop();
    if (service->imports_left_running()) {
        // Their threads still use the service and the plugins: end the
        // process here rather than destroy what they hold (they were marked
        // interrupted, and the next start runs their connectors again).
        spdlog::warn("serve: imports outlived --shutdown-grace; they were marked interrupted, stopping now");
        spdlog::default_logger()->flush();
        std::_Exit(static_cast<int>(ExitCode::ok));
    }
    spdlog::info("serve: stopped");
    return ExitCode::ok;
}

}  // namespace regscan::app
