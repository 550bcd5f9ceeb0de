#include "app/subcommand_options.hpp"

#include <sstream>

#include "app/exit_codes.hpp"

namespace regscan::app {
namespace po = boost::program_options;

po::variables_map parse_verb_options(const std::vector<std::string>& words, const po::options_description& options,
                                     const std::string& command) {
    po::variables_map values;
    try {
        po::store(po::command_line_parser(words).options(options).run(), values);
        po::notify(values);
    } catch (const po::error& e) {
        throw Fatal(ExitCode::bad_arguments, command + ": " + e.what());
    }
    return values;
}

std::string usage_with_options(const char* usage, const po::options_description& options) {
    std::ostringstream text;
    text << usage << "\n" << options;
    return text.str();
}

}  // namespace regscan::app
