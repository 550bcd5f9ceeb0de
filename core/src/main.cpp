// regscan: maps every failure to one documented exit code (app/exit_codes.hpp).
#include <unistd.h>

#include <csignal>
#include <iostream>

#include <spdlog/spdlog.h>

#include "app/command_line.hpp"
#include "app/connector_command.hpp"
#include "app/db_command.hpp"
#include "app/exit_codes.hpp"
#include "app/malware_command.hpp"
#include "app/plugins_command.hpp"
#include "app/serve_command.hpp"
#include "app/state_command.hpp"
#include "app/standard_streams.hpp"
#include "app/stop_signals.hpp"
#include "app/worker_command.hpp"
#include "engine/image_run.hpp"
#include "engine/registry_run.hpp"
#include "log/logging.hpp"
#include "log/secrets.hpp"
#include "plugin/loaded_plugin.hpp"

namespace {

int run(const std::vector<std::string>& arguments);

}  // namespace

int main(int argc, char** argv) {
    if (!regscan::app::guard_standard_descriptors()) {
        static const char message[] = "regscan: /dev/null cannot be opened for a closed standard descriptor\n";
        (void)!::write(STDERR_FILENO, message, sizeof message - 1);
        return static_cast<int>(regscan::app::ExitCode::internal_error);
    }
    // A closed standard output (`regscan registry ... | head`) must not kill
    // a run before its report files and state are written: a write to it
    // fails (EPIPE) instead. Sockets already send with MSG_NOSIGNAL; a
    // credential helper starts with SIGPIPE's default again.
    std::signal(SIGPIPE, SIG_IGN);
    regscan::log::init("info");
    return regscan::app::finish_standard_output(run(std::vector<std::string>(argv + 1, argv + argc)));
}

namespace {

int run(const std::vector<std::string>& arguments) {
    using namespace regscan;
    try {
        if (!arguments.empty() && arguments[0] == "db") {
            // The database needs no plugins and no registry.
            std::vector<std::string> rest(arguments.begin() + 1, arguments.end());
            return static_cast<int>(app::run_db_command(rest, app::process_environment()));
        }
        if (!arguments.empty() && arguments[0] == "malware") {
            std::vector<std::string> rest(arguments.begin() + 1, arguments.end());
            return static_cast<int>(app::run_malware_command(rest, std::cout));
        }
        if (!arguments.empty() && arguments[0] == "state") {
            std::vector<std::string> rest(arguments.begin() + 1, arguments.end());
            return static_cast<int>(app::run_state_command(rest, std::cout, app::process_environment()));
        }
        if (!arguments.empty() && arguments[0] == "connector") {
            // A client of the running server: no plugins, no registry.
            std::vector<std::string> rest(arguments.begin() + 1, arguments.end());
            return static_cast<int>(app::run_connector_command(rest, std::cin, std::cout, app::process_environment()));
        }
        auto plugins = plugin::load_plugins(plugin::plugin_search_path(app::plugin_dirs_in(arguments)));
        if (!arguments.empty() && arguments[0] == "serve") {
            std::vector<std::string> rest(arguments.begin() + 1, arguments.end());
            return static_cast<int>(app::run_serve_command(rest, app::process_environment(), plugins));
        }
        if (!arguments.empty() && arguments[0] == "worker") {
            std::vector<std::string> rest(arguments.begin() + 1, arguments.end());
            return static_cast<int>(app::run_worker_command(rest, app::process_environment(), plugins));
        }
        auto command = app::parse_command_line(arguments, std::cin, app::process_environment(), plugins);
        regscan::log::init(command.log_level);
        switch (command.kind) {
            case app::CommandKind::help: std::cout << command.help_text; return 0;
            case app::CommandKind::version: std::cout << "regscan " << REGSCAN_VERSION << "\n"; return 0;
            case app::CommandKind::plugins: return static_cast<int>(app::run_plugins_command(plugins));
            case app::CommandKind::registry: {
                app::SignalStop stop;  // before the run starts any thread
                command.run.observer = &stop;
                // Stopped: what the reports hold (if any) is not the whole
                // registry, whatever else went wrong once the signal came.
                auto stopped = [&stop] {
                    return static_cast<int>(stop.received() == SIGINT ? app::ExitCode::interrupted
                                                                       : app::ExitCode::terminated);
                };
                try {
                    auto code = engine::run_registry(command.run, plugins);
                    return stop.received() ? stopped() : static_cast<int>(code);
                } catch (const app::Fatal& e) {
                    if (!stop.received()) throw;
                    spdlog::error("{}", e.what());
                    return stopped();
                }
            }
            case app::CommandKind::image:
                return static_cast<int>(engine::run_image(command.run, command.image_reference, plugins,
                                                          {command.image_output, command.platform_given}));
            case app::CommandKind::db: break;
        }
    } catch (const app::Fatal& e) {
        spdlog::error("{}", e.what());
        return static_cast<int>(e.code());
    } catch (const std::exception& e) {
        spdlog::error("internal error: {}", e.what());
        return static_cast<int>(app::ExitCode::internal_error);
    }
    return 0;
}

}  // namespace
