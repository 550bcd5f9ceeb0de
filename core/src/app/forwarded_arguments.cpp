#include "app/forwarded_arguments.hpp"

#include "app/exit_codes.hpp"

namespace regscan::app {

namespace po = boost::program_options;

namespace {

std::string flag_of(const std::string& token) { return token.substr(0, token.find('=')); }

}  // namespace

bool ForwardedArguments::forwards(const std::string& flag) const {
    for (const auto& token : forwarded)
        if (flag_of(token) == flag) return true;
    return false;
}

void ForwardedArguments::refuse(const std::string& command, const std::string& noun,
                                const std::vector<std::pair<std::string, std::string>>& refused) const {
    for (const auto& token : forwarded) {
        std::string flag = flag_of(token);
        for (const auto& [name, why] : refused)
            if (flag == name)
                throw Fatal(ExitCode::bad_arguments, command + ": " + name + " is not a " + noun + " option: " + why);
    }
}

ForwardedArguments split_arguments(const std::string& command, const po::options_description& own_options,
                                   const std::vector<std::string>& arguments) {
    ForwardedArguments result;
    try {
        // `parsed` points into own_options, which outlives it here.
        auto parsed = po::command_line_parser(arguments).options(own_options).allow_unregistered().run();
        po::store(parsed, result.own);
        po::notify(result.own);
        result.forwarded = po::collect_unrecognized(parsed.options, po::include_positional);
    } catch (const po::error& e) {
        throw Fatal(ExitCode::bad_arguments,
                    command + ": " + e.what() + "; see 'regscan " + command + " --help'");
    }
    return result;
}

}  // namespace regscan::app
